//! Requests per second of a built-in mock on a representative list endpoint, with a loopback
//! client keeping `CONCURRENCY` requests in flight: a mock must never be the bottleneck of a
//! capacity run. `cargo bench --bench mock`; criterion reports the rate as elements/s.
//! (CheckTick is left out on purpose: it throttles users as its document says.)

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use futures::stream::{self, StreamExt};

const REQUESTS: usize = 2_000;
const CONCURRENCY: usize = 32;

struct Case {
    api: &'static str,
    path: &'static str,
    /// Header name and the credential whose value it carries, with a prefix.
    auth: Option<(&'static str, &'static str, &'static str)>,
}

const CASES: &[Case] = &[Case {
    api: "checklist-items",
    path: "/checklists?resource_type=task&resource_id=1&limit=20",
    auth: Some(("Authorization", "Bearer ", "api_key")),
}];

fn mock_throughput(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let mut g = c.benchmark_group("mock");
    g.throughput(Throughput::Elements(REQUESTS as u64));
    g.sample_size(10);
    for case in CASES {
        if specgate::mock::api(case.api).is_none() {
            continue;
        }
        let mock = rt
            .block_on(specgate::mock::start(case.api, Default::default()))
            .expect("the mock starts");
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(CONCURRENCY)
            .build()
            .expect("a client");
        let url = format!("{}{}", mock.target.base_url, case.path);
        let header = case.auth.map(|(name, prefix, cred)| {
            (
                name,
                format!(
                    "{prefix}{}",
                    mock.target.credentials.get(cred).unwrap_or_default()
                ),
            )
        });
        g.bench_function(format!("{}_list_{CONCURRENCY}_in_flight", case.api), |b| {
            b.iter(|| {
                rt.block_on(async {
                    stream::iter(0..REQUESTS)
                        .map(|_| {
                            let mut rb = client.get(&url);
                            if let Some((name, value)) = &header {
                                rb = rb.header(*name, value);
                            }
                            async move {
                                let r = rb.send().await.expect("an answer");
                                assert!(r.status().is_success(), "{}", r.status());
                                r.bytes().await.expect("a body").len()
                            }
                        })
                        .buffer_unordered(CONCURRENCY)
                        .for_each(|_| async {})
                        .await
                })
            })
        });
        rt.block_on(mock.shutdown());
    }
    g.finish();
}

criterion_group!(benches, mock_throughput);
criterion_main!(benches);
