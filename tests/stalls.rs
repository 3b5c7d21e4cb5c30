//! Targets that stall or bloat a run: one that accepts and never answers, one that trickles its
//! body, one that sends endless headers or a body past the cap. Each is a loopback server in
//! this file, answering the mini fixture's API. The run must end, say what happened, and keep
//! what it recorded; `check` interrupted by SIGINT or SIGTERM must still write its reports.
//!
//! Times are asserted only as generous bounds (well under the 10 s request timeout): each test
//! shows that the run ends, not how fast.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use specgate::exchange::client::{HttpClient, TransportError};
use specgate::exchange::request::Prepared;
use specgate::halt::Halt;
use specgate::results::Status;
use specgate::run::engine::{run_api, RunOptions};
use specgate::target::{Credentials, Target};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with one request.
#[derive(Debug, Clone, Copy)]
enum Behaviour {
    /// A JSON answer with this status.
    Answer(u16, &'static str),
    /// Accept, read the request, and never answer.
    Hang,
    /// Headers announcing 1000 bytes, then one byte every 50 ms.
    Trickle,
    /// A response head of 2 MiB of headers.
    HugeHeaders,
    /// A chunked body (no length announced) of this many bytes.
    Chunked(usize),
    /// A 404 whose JSON body is an array of zeros this many bytes long: dense JSON, the most
    /// values per byte.
    Dense(usize),
}

/// The mini API, stalling where `route` says. The probe (`GET /`) is always answered, so the
/// rules themselves meet the stall. Every request that hangs is announced on the channel.
async fn serve(
    route: fn(&str, &str) -> Behaviour,
) -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (hung_tx, hung_rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let hung = hung_tx.clone();
            tokio::spawn(async move {
                let _ = answer(sock, route, hung).await;
            });
        }
    });
    (url, hung_rx)
}

async fn answer(
    mut sock: TcpStream,
    route: fn(&str, &str) -> Behaviour,
    hung: tokio::sync::mpsc::UnboundedSender<String>,
) -> std::io::Result<()> {
    // The request head, then its body (bounded: these are our own client's requests).
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 << 10 {
        if sock.read(&mut byte).await? == 0 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length.min(1 << 20)];
    sock.read_exact(&mut body).await?;
    let mut words = head.split_whitespace();
    let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let behaviour = if path == "/" {
        Behaviour::Answer(200, "{}")
    } else {
        route(method, path)
    };
    match behaviour {
        Behaviour::Answer(status, json) => {
            let text = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{json}",
                json.len()
            );
            sock.write_all(text.as_bytes()).await?;
        }
        Behaviour::Hang => {
            let _ = hung.send(format!("{method} {path}"));
            std::future::pending::<()>().await;
        }
        Behaviour::Trickle => {
            sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n")
                .await?;
            for _ in 0..1000 {
                sock.write_all(b" ").await?;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        Behaviour::HugeHeaders => {
            sock.write_all(b"HTTP/1.1 200 OK\r\n").await?;
            let line = format!("x-filler: {}\r\n", "a".repeat(1000));
            for _ in 0..2048 {
                sock.write_all(line.as_bytes()).await?;
            }
            sock.write_all(b"content-length: 2\r\n\r\n{}").await?;
        }
        Behaviour::Chunked(n) => {
            sock.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
            )
            .await?;
            let chunk = vec![b' '; 64 << 10];
            let mut left = n;
            while left > 0 {
                let k = left.min(chunk.len());
                sock.write_all(format!("{k:x}\r\n").as_bytes()).await?;
                sock.write_all(&chunk[..k]).await?;
                sock.write_all(b"\r\n").await?;
                left -= k;
            }
            sock.write_all(b"0\r\n\r\n").await?;
        }
        Behaviour::Dense(n) => {
            let mut body = Vec::with_capacity(n);
            body.push(b'[');
            while body.len() + 3 < n {
                body.extend_from_slice(b"0,");
            }
            body.extend_from_slice(b"0]");
            let head = format!(
                "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            sock.write_all(head.as_bytes()).await?;
            sock.write_all(&body).await?;
        }
    }
    sock.flush().await
}

fn mini() -> specgate::Spec {
    specgate::load_spec(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/mini"),
    )
    .unwrap()
}

fn target(url: &str) -> Target {
    Target {
        api: "mini".into(),
        base_url: url.into(),
        credentials: Credentials::default().with("api_key", "k3y-stall"),
        ..Default::default()
    }
}

fn get(url: &str) -> Prepared {
    Prepared {
        method: "GET".into(),
        url: url.into(),
        headers: vec![],
        body: None,
        operation: None,
    }
}

#[tokio::test]
async fn a_hung_request_and_a_trickling_body_are_told_apart() {
    let (url, _hung) = serve(|_, path| match path {
        "/hang" => Behaviour::Hang,
        _ => Behaviour::Trickle,
    })
    .await;
    let client = HttpClient::new(&target(&url), Duration::from_millis(400), 1 << 20).unwrap();

    let hung = client.send(&get(&format!("{url}/hang"))).await;
    let err = hung.outcome.unwrap_err();
    assert_eq!(err, TransportError::NoHeaders(Duration::from_millis(400)));
    assert_eq!(err.to_string(), "no response headers within 400 ms");
    assert!(hung.elapsed < Duration::from_secs(3), "{:?}", hung.elapsed);

    let trickled = client.send(&get(&format!("{url}/trickle"))).await;
    match trickled.outcome.unwrap_err() {
        e @ TransportError::Trickle { bytes, waited } => {
            // One byte per 50 ms for 400 ms: some arrived, far from all 1000.
            assert!((1..100).contains(&bytes), "{e}");
            assert!(waited >= Duration::from_millis(400), "{e}");
            assert!(e.to_string().starts_with("the body trickled: "), "{e}");
        }
        e => panic!("not a trickle: {e}"),
    }
    assert!(trickled.elapsed < Duration::from_secs(3));
}

#[tokio::test]
async fn endless_headers_and_a_chunked_body_past_the_cap_fail_the_request() {
    let (url, _hung) = serve(|_, path| match path {
        "/headers" => Behaviour::HugeHeaders,
        "/under" => Behaviour::Chunked((1 << 20) - 1),
        _ => Behaviour::Chunked((1 << 20) + 1),
    })
    .await;
    let client = HttpClient::new(&target(&url), Duration::from_secs(5), 1 << 20).unwrap();
    let t = Instant::now();
    let headers = client.send(&get(&format!("{url}/headers"))).await;
    assert!(
        matches!(headers.outcome, Err(TransportError::HeadersTooLarge(_))),
        "{:?}",
        headers.outcome
    );
    // No length announced: the cap holds while reading.
    let over = client.send(&get(&format!("{url}/over"))).await;
    assert_eq!(
        over.outcome.unwrap_err(),
        TransportError::BodyTooLarge {
            limit: 1 << 20,
            announced: None
        }
    );
    let under = client.send(&get(&format!("{url}/under"))).await;
    assert_eq!(under.outcome.unwrap().body.len(), (1 << 20) - 1);
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
}

#[tokio::test]
async fn a_dense_body_just_under_the_cap_is_not_parsed_and_says_so() {
    // 8 MiB of zeros would be 4 million values, half a gigabyte parsed: past the parse budget.
    let (url, _hung) = serve(|_, _| Behaviour::Dense((8 << 20) - 1024)).await;
    let options = RunOptions {
        rules: vec!["mini.errors.not-found".into()],
        ..Default::default()
    };
    let result = run_api(&mini(), &target(&url), &options, &mut |_| {}).await;
    let rule = &result.results[0];
    assert_eq!(rule.id, "mini.errors.not-found");
    assert_eq!(rule.status, Status::Failed, "{rule:?}");
    let schema = rule
        .failures
        .iter()
        .find(|f| f.failure.subject == "schema Error")
        .expect("the schema expectation fails");
    assert!(
        schema.failure.observed.contains("once parsed")
            && schema.failure.observed.contains("it is not judged"),
        "{}",
        schema.failure.observed
    );
    // The status was still judged, and held: the rest of the rule goes on.
    assert!(rule.failures.iter().all(|f| f.failure.subject != "status"));
}

#[tokio::test]
async fn a_rule_past_its_deadline_fails_and_keeps_its_exchanges() {
    // The lifecycle creates a note, then its read hangs; the other rules are answered.
    let (url, _hung) = serve(|method, path| match (method, path) {
        ("POST", "/notes") => Behaviour::Answer(201, r#"{"id": 7, "text": "note x"}"#),
        ("GET", "/notes/7") => Behaviour::Hang,
        ("DELETE", _) => Behaviour::Answer(204, ""),
        _ => Behaviour::Answer(404, r#"{"message": "no"}"#),
    })
    .await;
    let options = RunOptions {
        rules: vec!["mini.notes.lifecycle".into()],
        rule_timeout: Duration::from_millis(500),
        ..Default::default()
    };
    let t = Instant::now();
    let result = run_api(&mini(), &target(&url), &options, &mut |_| {}).await;
    let elapsed = t.elapsed();
    let lifecycle = &result.results[0];
    assert_eq!(lifecycle.id, "mini.notes.lifecycle");
    assert_eq!(lifecycle.status, Status::Failed, "{lifecycle:?}");
    assert_eq!(
        lifecycle.exchanges, 1,
        "the create, before the hang, is kept"
    );
    let deadline = lifecycle
        .failures
        .iter()
        .find(|f| f.failure.subject == "deadline")
        .expect("a deadline failure");
    assert_eq!(
        deadline.failure.expected,
        "the rule to finish within 500 ms"
    );
    assert!(
        deadline
            .failure
            .observed
            .contains(&format!("GET {url}/notes/7")),
        "{}",
        deadline.failure.observed
    );
    // Well under the 10 s request timeout the hung read would otherwise take.
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[tokio::test]
async fn a_hung_target_ends_the_run_at_its_deadline_with_every_rule_not_run() {
    let (url, _hung) = serve(|_, _| Behaviour::Hang).await;
    let options = RunOptions {
        halt: Halt::after(Duration::from_millis(600)),
        ..Default::default()
    };
    let t = Instant::now();
    let result = run_api(&mini(), &target(&url), &options, &mut |_| {}).await;
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert!(result.unreachable.is_none());
    let rules: Vec<_> = result
        .results
        .iter()
        .filter(|r| r.kind != "conformance")
        .collect();
    assert_eq!(rules.len(), 4);
    for r in rules {
        assert_eq!(r.status, Status::NotRun, "{r:?}");
        let reason = r.reason.as_deref().unwrap_or("");
        assert!(
            reason.starts_with("the run's deadline (600 ms) passed before the rule"),
            "{reason}"
        );
    }
}

#[tokio::test]
async fn a_target_that_never_answers_the_probe_is_unreachable_at_once() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    // Accepts (the kernel's backlog does) and never reads or answers.
    let options = RunOptions {
        timeout: Duration::from_millis(300),
        ..Default::default()
    };
    let result = run_api(&mini(), &target(&url), &options, &mut |_| {}).await;
    drop(listener);
    let why = result.unreachable.expect("a hung target is unreachable");
    assert!(why.ends_with("no response headers within 300 ms"), "{why}");
}

/// A server running outside any test runtime, for the binary's tests; it serves until dropped.
struct Server {
    _runtime: tokio::runtime::Runtime,
    _hung: tokio::sync::mpsc::UnboundedReceiver<String>,
}

/// `specgate check` against a server whose every operation hangs, with `args` added; returns
/// the child once a rule's request is hanging, and the server to keep alive meanwhile.
fn check_hanging(dir: &std::path::Path, args: &[&str]) -> (std::process::Child, Server) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (url, mut hung) = runtime.block_on(serve(|_, _| Behaviour::Hang));
    std::fs::create_dir_all(dir).unwrap();
    let profile = dir.join("profile.yaml");
    std::fs::write(
        &profile,
        format!("api: mini\nbase_url: {url}\ncredentials:\n  api_key: ${{SPECGATE_STALL_KEY}}\n"),
    )
    .unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_specgate"))
        .args(["--specs", &format!("{root}/tests/fixtures/valid"), "check"])
        .args(["--target", profile.to_str().unwrap()])
        .args([
            "--report",
            &format!("json={}", dir.join("r.json").display()),
        ])
        .args(["--report", &format!("md={}", dir.join("r.md").display())])
        .args(args)
        .env("SPECGATE_STALL_KEY", "k3y-stall-secret")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("specgate check starts");
    // Wait until a rule's request hangs: the run is then surely under way.
    let first = runtime
        .block_on(async { tokio::time::timeout(Duration::from_secs(20), hung.recv()).await });
    assert!(
        matches!(first, Ok(Some(_))),
        "no request reached the server"
    );
    (
        child,
        Server {
            _runtime: runtime,
            _hung: hung,
        },
    )
}

fn wait_bounded(child: std::process::Child, bound: Duration) -> std::process::Output {
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(bound) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid as i32),
                nix::sys::signal::Signal::SIGKILL,
            );
            panic!("specgate did not end within {bound:?}");
        }
    }
}

fn report_of(dir: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("r.json")).expect("the JSON report is written");
    assert!(
        !text.contains("k3y-stall-secret"),
        "a secret reached the report"
    );
    assert!(dir.join("r.md").is_file(), "the Markdown report is written");
    serde_json::from_str(&text).unwrap()
}

#[test]
fn sigint_and_sigterm_write_the_reports_and_mark_the_rest_not_run() {
    for (signal, name, code) in [
        (nix::sys::signal::Signal::SIGINT, "SIGINT", 130),
        (nix::sys::signal::Signal::SIGTERM, "SIGTERM", 143),
    ] {
        let dir =
            std::env::temp_dir().join(format!("specgate-stall-{name}-{}", std::process::id()));
        let (child, _server) = check_hanging(&dir, &[]);
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), signal).unwrap();
        let out = wait_bounded(child, Duration::from_secs(8));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("interrupted by {name}")),
            "{stderr}"
        );
        let report = report_of(&dir);
        let results = report["apis"][0]["results"].as_array().unwrap();
        let rules: Vec<_> = results
            .iter()
            .filter(|r| r["kind"] != "conformance")
            .collect();
        assert_eq!(rules.len(), 4, "{report:#}");
        for r in rules {
            assert_eq!(r["status"], "not-run", "{r:#}");
            assert!(
                r["reason"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("interrupted by {name} before the rule")),
                "{r:#}"
            );
        }
        assert!(report["summary"]["not_run"].as_u64().unwrap() >= 4);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn a_hung_target_ends_at_the_run_timeout_with_a_report_and_exit_1() {
    let dir = std::env::temp_dir().join(format!("specgate-stall-run-{}", std::process::id()));
    let (child, _server) = check_hanging(&dir, &["--run-timeout", "1s"]);
    let out = wait_bounded(child, Duration::from_secs(8));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the run's deadline (1 s) passed"),
        "{stderr}"
    );
    let report = report_of(&dir);
    assert!(
        report["summary"]["not_run"].as_u64().unwrap() >= 4,
        "{report:#}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
