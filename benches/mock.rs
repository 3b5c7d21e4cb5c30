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
    /// Headers: name, prefix, and the credential whose value follows the prefix (or none).
    headers: &'static [(&'static str, &'static str, Option<&'static str>)],
}

const CASES: &[Case] = &[
    Case {
        api: "checklick",
        path: "/users?page[size]=20",
        headers: &[
            ("Content-Type", "application/vnd.api+json", None),
            ("Api-Version", "2", None),
            ("Authorization", "Token token=", Some("token")),
            ("Organization-Id", "", Some("organization_id")),
        ],
    },
    Case {
        api: "checklist-items",
        path: "/checklists?resource_type=task&resource_id=1&limit=20",
        headers: &[("Authorization", "Bearer ", Some("api_key"))],
    },
];

fn mock_throughput(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let mut g = c.benchmark_group("mock");
    g.throughput(Throughput::Elements(REQUESTS as u64));
    g.sample_size(10);
    for case in CASES {
        let mock = rt
            .block_on(specgate::mock::start(case.api, Default::default()))
            .expect("the mock starts");
        // Loopback only: the mock's documented host resolves to it, its certificate is trusted.
        let mut builder = reqwest::Client::builder().pool_max_idle_per_host(CONCURRENCY);
        for (host, addr) in &mock.target.resolve {
            builder = builder.resolve(host, *addr);
        }
        for der in &mock.target.root_certs {
            builder = builder
                .add_root_certificate(reqwest::Certificate::from_der(der).expect("a certificate"));
        }
        let client = builder.build().expect("a client");
        let url = format!("{}{}", mock.target.base_url, case.path);
        let headers: Vec<(&str, String)> = case
            .headers
            .iter()
            .map(|(name, prefix, cred)| {
                (
                    *name,
                    format!(
                        "{prefix}{}",
                        cred.and_then(|c| mock.target.credentials.get(c))
                            .unwrap_or_default()
                    ),
                )
            })
            .collect();
        g.bench_function(format!("{}_list_{CONCURRENCY}_in_flight", case.api), |b| {
            b.iter(|| {
                rt.block_on(async {
                    stream::iter(0..REQUESTS)
                        .map(|_| {
                            let mut rb = client.get(&url);
                            for (name, value) in &headers {
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
