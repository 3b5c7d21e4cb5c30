//! The memory a check costs when every answer is a body just under the 8 MiB cap: the mini
//! fixture's contract run by the engine against a loopback server that answers every GET with
//! such a body. Prints the peak resident memory the run added (Linux's VmHWM, reset before
//! each run), against the goal of under 4 times the cap. Not a criterion bench: a peak is
//! measured once per shape, in this process.
//!
//! `cargo bench --bench body_cap` (add a shape name, `notes`, `numbers` or `judged`, to run one)

use std::path::PathBuf;
use std::time::Instant;

use axum::routing::get;
use axum::Router;
use specgate::exchange::client::DEFAULT_MAX_BODY;
use specgate::exchange::response::MAX_PARSED;
use specgate::run::engine::{run_api, RunOptions};
use specgate::target::{Credentials, Target};

/// A NotePage of notes with 90-character texts, or of bare numbers (the most JSON values per
/// byte), just under the cap; or (`judged`) the largest page of notes whose parsed form stays
/// within what a check spends on one body, so it is parsed and judged.
fn body(shape: &str) -> Vec<u8> {
    if shape == "judged" {
        let mut size = DEFAULT_MAX_BODY;
        loop {
            let b = body_of("notes", size);
            if specgate::exchange::response::parsed_size(&b).unwrap() <= MAX_PARSED {
                return b;
            }
            size -= size / 16;
        }
    }
    body_of(shape, DEFAULT_MAX_BODY)
}

fn body_of(shape: &str, size: usize) -> Vec<u8> {
    let limit = size - 64;
    let mut out = br#"{"meta":{"total":1},"data":["#.to_vec();
    let item = match shape {
        "notes" => format!(r#"{{"id":1,"text":"{}"}},"#, "n".repeat(90)).into_bytes(),
        _ => b"0,".to_vec(),
    };
    while out.len() + item.len() + 2 < limit {
        out.extend_from_slice(&item);
    }
    out.pop();
    out.extend_from_slice(b"]}");
    out
}

/// A memory figure of this process from `/proc/self/status`, in KiB: `VmHWM` (the peak resident
/// since the last reset) or `VmRSS` (resident now).
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

fn main() {
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let spec = specgate::load_spec(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/mini"),
    )
    .expect("the mini fixture loads");
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    for shape in ["notes", "numbers", "judged"] {
        if !only.is_empty() && !only.iter().any(|o| o == shape) {
            continue;
        }
        let big = axum::body::Bytes::from(body(shape));
        let size = big.len();
        let served = big.clone();
        let app = Router::new()
            .route("/", get(|| async { "{}" }))
            .fallback(get(move || {
                let b = served.clone();
                async move { ([("content-type", "application/json")], b) }
            }));
        let (target, server) = runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let base_url = format!("http://{}", listener.local_addr().unwrap());
            let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
            let target = Target {
                api: "mini".into(),
                base_url,
                credentials: Credentials::default().with("api_key", "k3y"),
                ..Default::default()
            };
            (target, server)
        });
        // Reset the peak to what is resident now (Linux: 5 > clear_refs).
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let before = status_kib("VmRSS:");
        let started = Instant::now();
        let result = runtime.block_on(run_api(&spec, &target, &RunOptions::default(), &mut |_| {}));
        let elapsed = started.elapsed();
        let peak = status_kib("VmHWM:").saturating_sub(before);
        server.abort();
        let exchanges: usize = result
            .results
            .iter()
            .filter(|r| r.kind != "conformance")
            .map(|r| r.exchanges)
            .sum();
        println!(
            "body_cap/{shape}: body {:.2} MiB (cap {} MiB), {} rules, {} exchanges recorded: peak +{:.1} MiB = {:.1}x the cap, {:.2} s",
            size as f64 / (1 << 20) as f64,
            DEFAULT_MAX_BODY >> 20,
            result.results.len(),
            exchanges,
            peak as f64 / 1024.0,
            (peak as f64 * 1024.0) / DEFAULT_MAX_BODY as f64,
            elapsed.as_secs_f64()
        );
        drop(result);
    }
}
