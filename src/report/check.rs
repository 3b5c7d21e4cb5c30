//! Reports of a conformance run: the terminal summary and the JSON report.

use serde::Serialize;
use tabled::settings::Style;
use tabled::{Table, Tabled};

use crate::run::engine::{describe, ApiResult, Status};
use crate::spec::Level;

/// Counts over a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub rules: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Failed rules that fail the run (`must`, and `should` with `--strict`).
    pub failing: usize,
    /// Failed `should` rules (warnings) and `may` rules (observations).
    pub warnings: usize,
    pub observations: usize,
    pub unreachable: usize,
}

impl Summary {
    pub fn of(apis: &[ApiResult], strict: bool) -> Self {
        let mut s = Summary::default();
        for api in apis {
            if api.unreachable.is_some() {
                s.unreachable += 1;
            }
            for r in &api.results {
                s.rules += 1;
                match r.status {
                    Status::Passed => s.passed += 1,
                    Status::Skipped => s.skipped += 1,
                    Status::Failed => s.failed += 1,
                }
                if r.counts_as_failure(strict) {
                    s.failing += 1;
                } else if r.status == Status::Failed && r.level == Level::Should {
                    s.warnings += 1;
                } else if r.status == Status::Failed && r.level == Level::May {
                    s.observations += 1;
                }
            }
        }
        s
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    specgate: &'static str,
    summary: Summary,
    apis: &'a [ApiResult],
}

/// The JSON report: the summary and every result with its failures and exchanges.
pub fn json(apis: &[ApiResult], strict: bool) -> String {
    let report = JsonReport {
        specgate: env!("CARGO_PKG_VERSION"),
        summary: Summary::of(apis, strict),
        apis,
    };
    serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

#[derive(Tabled)]
struct Row {
    api: String,
    rules: usize,
    passed: usize,
    failed: usize,
    skipped: usize,
    #[tabled(rename = "must failed")]
    must: usize,
    #[tabled(rename = "time")]
    time: String,
}

/// The terminal summary: a table per API, then each failure with its cite, what was expected
/// and observed, and the curl that reproduces it.
pub fn terminal(apis: &[ApiResult], strict: bool) -> String {
    let mut out = String::new();
    for api in apis {
        if api.results.iter().any(|r| r.status == Status::Failed) {
            out.push_str(&format!("\n{} ({})\n", api.api, api.base_url));
        }
        for r in api.results.iter().filter(|r| r.status == Status::Failed) {
            let label = match r.level {
                Level::Must => "FAIL",
                Level::Should if strict => "FAIL",
                Level::Should => "WARN",
                Level::May => "NOTE",
            };
            out.push_str(&format!("  {label} {} [{} {}]", r.id, r.kind, r.level));
            if let Some(t) = &r.title {
                out.push_str(&format!(" {t}"));
            }
            out.push('\n');
            for c in &r.cite {
                out.push_str(&format!(
                    "       cite: \"{}\"\n",
                    crate::spec::normalize_ws(c)
                ));
            }
            for f in r.failures.iter().take(5) {
                out.push_str(&format!("       - {}\n", describe(f)));
                if let Some(x) = &f.exchange {
                    let answer = x
                        .status
                        .map(|s| s.to_string())
                        .or_else(|| x.error.clone())
                        .unwrap_or_default();
                    out.push_str(&format!(
                        "         {} {} -> {answer}\n         {}\n",
                        x.method, x.url, x.curl
                    ));
                }
            }
            if r.failures.len() > 5 {
                out.push_str(&format!("       … and {} more\n", r.failures.len() - 5));
            }
        }
    }
    let rows: Vec<Row> = apis
        .iter()
        .map(|a| Row {
            api: a.api.clone(),
            rules: a.results.len(),
            passed: a
                .results
                .iter()
                .filter(|r| r.status == Status::Passed)
                .count(),
            failed: a
                .results
                .iter()
                .filter(|r| r.status == Status::Failed)
                .count(),
            skipped: a
                .results
                .iter()
                .filter(|r| r.status == Status::Skipped)
                .count(),
            must: a
                .results
                .iter()
                .filter(|r| r.status == Status::Failed && r.level == Level::Must)
                .count(),
            time: a
                .unreachable
                .clone()
                .map(|u| format!("unreachable: {u}"))
                .unwrap_or_else(|| format!("{} ms", a.elapsed_ms)),
        })
        .collect();
    let mut t = Table::new(rows);
    t.with(Style::rounded());
    let s = Summary::of(apis, strict);
    out.push_str(&format!(
        "\n{t}\n{} rules: {} passed, {} failed ({} failing the run, {} warnings, {} observations), {} skipped\n",
        s.rules, s.passed, s.failed, s.failing, s.warnings, s.observations, s.skipped
    ));
    out
}
