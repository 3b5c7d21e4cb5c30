//! Rendering the reports of a full run (`cargo bench --bench reports`): the five specs run
//! once against the built-in mocks in setup, as `specgate check` does; only the reports are
//! measured. build: the run's summary; render: JSON, JUnit, HTML, Markdown and the terminal
//! table (elements: the rules reported).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use specgate::report::check;
use specgate::results::ApiResult;
use specgate::run::engine::{run_api, RunOptions};

mod common;

fn full_run() -> Vec<ApiResult> {
    let rt = common::runtime();
    let options = RunOptions::default();
    rt.block_on(async {
        let mut results = Vec::new();
        for api in specgate::mock::apis() {
            let spec = common::load(api.name());
            let mock = specgate::mock::start(api.name(), Default::default())
                .await
                .expect("the mock starts");
            results.push(run_api(&spec, &mock.target, &options, &mut |_| {}).await);
            mock.shutdown().await;
        }
        results
    })
}

fn reports(c: &mut Criterion) {
    let started = std::time::Instant::now();
    let apis = full_run();
    let summary = check::Summary::of(&apis, false);
    eprintln!(
        "setup: the full run took {:.2?}: {summary:?}",
        started.elapsed()
    );
    assert_eq!(apis.len(), 5);
    assert!(apis.iter().all(|a| a.unreachable.is_none()));
    assert!(summary.rules > 300 && summary.failing == 0, "{summary:?}");
    let rules = summary.rules as u64;

    let mut g = c.benchmark_group("build/report");
    g.throughput(Throughput::Elements(rules));
    g.bench_function("summary", |b| b.iter(|| check::Summary::of(&apis, false)));
    g.finish();

    let mut g = c.benchmark_group("render/report");
    g.throughput(Throughput::Elements(rules));
    for format in check::FORMATS.iter().copied() {
        let text = check::render(format, &apis, false);
        eprintln!("{format}: {} bytes", text.len());
        g.bench_function(format.name(), |b| {
            b.iter(|| check::render(format, &apis, false))
        });
    }
    g.bench_function("terminal", |b| {
        b.iter(|| check::terminal_with(&apis, false, check::Colours(false)))
    });
    g.finish();
}

criterion_group!(benches, reports);
criterion_main!(benches);
