//! The parsing core: loading and compiling specs (build) measured apart from validating a
//! response against a compiled schema (evaluate).

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::json;

fn spec_dirs() -> Vec<PathBuf> {
    specgate::spec::discover(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("specs"))
        .expect("specs/ is readable")
}

fn load(c: &mut Criterion) {
    let dirs = spec_dirs();
    let bytes: u64 = dirs
        .iter()
        .flat_map(|d| [d.join("openapi.yaml"), d.join("contract.yaml")])
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();
    let mut g = c.benchmark_group("build");
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("load_and_compile_all_specs", |b| {
        b.iter(|| {
            for d in &dirs {
                specgate::load_spec(d).expect("spec loads");
            }
        })
    });
    g.finish();
}

fn validate(c: &mut Criterion) {
    let mini = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/mini");
    let spec = specgate::load_spec(&mini).expect("fixture loads");
    let page_of = |n: usize| json!({ "data": (0..n).map(|i| json!({"id": i, "text": format!("note {i}"), "done": null})).collect::<Vec<_>>() });
    let validator = spec
        .api
        .response_validator("listNotes", "200", None)
        .expect("compiled");
    let mut g = c.benchmark_group("evaluate");
    for n in [20usize, 100] {
        let page = page_of(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(format!("valid_page_of_{n}"), |b| {
            b.iter(|| assert!(validator.is_valid(&page)))
        });
        let mut bad = page.clone();
        bad["data"][n / 2]["text"] = json!(42);
        g.bench_function(format!("invalid_page_of_{n}_all_errors"), |b| {
            b.iter(|| assert_eq!(validator.iter_errors(&bad).count(), 1))
        });
    }
    g.finish();
}

criterion_group!(benches, load, validate);
criterion_main!(benches);
