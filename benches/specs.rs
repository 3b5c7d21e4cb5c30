//! Loading and compiling the five specs (`cargo bench --bench specs`): all of them, then each
//! one by phase: parsing the OpenAPI YAML, the OpenAPI document checked and compiled (refs
//! resolved, every schema compiled), and the whole spec (both files, every reference of the
//! contract checked). Loading is the build half of a run; evaluating answers against the
//! compiled specs is measured in `benches/validate.rs` and `benches/runner.rs`.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

mod common;

fn spec_dirs() -> Vec<PathBuf> {
    specgate::spec::discover(&common::specs_root()).expect("specs/ is readable")
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn load(c: &mut Criterion) {
    let dirs = spec_dirs();
    assert_eq!(dirs.len(), 5, "five specs");
    let texts: Vec<(String, String, String)> = dirs
        .iter()
        .map(|d| {
            (
                d.file_name().unwrap().to_string_lossy().into_owned(),
                read(d.join("openapi.yaml")),
                read(d.join("contract.yaml")),
            )
        })
        .collect();
    let bytes: u64 = texts
        .iter()
        .map(|(_, o, c)| (o.len() + c.len()) as u64)
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

    let mut g = c.benchmark_group("build/parse_openapi_yaml");
    for (api, openapi, _) in &texts {
        g.throughput(Throughput::Bytes(openapi.len() as u64));
        g.bench_function(api.as_str(), |b| {
            b.iter(|| serde_yaml::from_str::<serde_json::Value>(openapi).expect("YAML"))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("build/compile_openapi");
    for ((api, openapi, _), dir) in texts.iter().zip(&dirs) {
        let file = dir.join("openapi.yaml");
        g.throughput(Throughput::Bytes(openapi.len() as u64));
        g.bench_function(api.as_str(), |b| {
            b.iter(|| specgate::openapi::ApiDoc::load(&file, openapi).expect("compiles"))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("build/load_spec");
    for ((api, openapi, contract), dir) in texts.iter().zip(&dirs) {
        g.throughput(Throughput::Bytes((openapi.len() + contract.len()) as u64));
        g.bench_function(api.as_str(), |b| {
            b.iter(|| specgate::spec::load_spec_from_str(dir, openapi, contract).expect("loads"))
        });
    }
    g.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
