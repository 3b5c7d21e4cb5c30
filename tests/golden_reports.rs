//! Golden files of what a run shows: the terminal summary and the four report formats (JSON,
//! JUnit, Markdown, HTML) of one small fixed run, so that a change of output is a reviewed
//! diff (`cargo insta review`, or `INSTA_UPDATE=always` and `git diff tests/snapshots/`).
//!
//! The run: the checklist-items mock with the fault `auth.missing-key-accepted`, narrowed to the
//! three `auth` rules (and the conformance checks, which judge their exchanges); two of them
//! fail, so failures with their cites, exchanges and curls show. The `create` rules are
//! selected too and skipped as a profile's `skip` entries would skip them, under three
//! reasons (one rule alone, two groups), so the lists of skipped rules show.
//! The reports are rendered in-process from the run's results, as `specgate check` renders them.

use std::path::PathBuf;
use std::sync::OnceLock;

use specgate::mock::{start, MockOptions};
use specgate::report::ReportFormat;
use specgate::results::{ApiResult, Status};
use specgate::run::engine::{run_api, RunOptions};

const API: &str = "checklist-items";
const FAULT: &str = "auth.missing-key-accepted";
const RULES: &str = "checklist-items.auth.*";

/// The run, made once for all the snapshots of this file.
fn results() -> &'static [ApiResult] {
    static RESULTS: OnceLock<Vec<ApiResult>> = OnceLock::new();
    RESULTS.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let mut result = runtime.block_on(async {
            let spec = specgate::load_spec(
                &PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("specs")
                    .join(API),
            )
            .expect("the spec loads");
            let mock = start(
                API,
                MockOptions {
                    fault: Some(FAULT.into()),
                    ..Default::default()
                },
            )
            .await
            .expect("the mock starts");
            let options = RunOptions {
                rules: vec![RULES.into(), "checklist-items.create.*".into()],
                // The first matching entry gives the reason.
                skip_reasons: vec![
                    (
                        "checklist-items.create.returns-201".into(),
                        "staging answers writes with 200".into(),
                    ),
                    (
                        "checklist-items.create.requires-*".into(),
                        "the staging gateway checks bodies itself".into(),
                    ),
                    (
                        "checklist-items.create.*".into(),
                        "no writes to staging's parents".into(),
                    ),
                ],
                // Fixed, so the values the rules derive from them (texts, parent ids) are too.
                run_id: "golden".into(),
                unix_now: 1_780_000_000,
                ..Default::default()
            };
            let result = run_api(&spec, &mock.target, &options, &mut |_| {}).await;
            mock.shutdown().await;
            result
        });
        zero_durations(&mut result);
        vec![result]
    })
}

/// Durations differ on every run. They are set to zero in the results rather than filtered
/// out of the text, so the terminal table keeps the column widths it would have.
fn zero_durations(api: &mut ApiResult) {
    api.elapsed_ms = 0;
    for r in &mut api.results {
        r.elapsed_ms = 0;
        for f in &mut r.failures {
            if let Some(x) = &mut f.exchange {
                x.elapsed_ms = 0;
            }
        }
    }
}

/// What else differs between runs, replaced in the text: the mock's ephemeral port (in base
/// URLs, exchanges and curls), and the timestamps the mock writes (its `Date` header, the
/// items' dates in response bodies).
fn stable(assert: impl FnOnce()) {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"(127\.0\.0\.1|localhost|\.com):[0-9]{2,5}", "$1:[port]");
    settings.add_filter(
        r"[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT",
        "[http-date]",
    );
    settings.add_filter(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})?",
        "[timestamp]",
    );
    settings.bind(assert);
}

#[test]
fn the_run_is_the_one_the_goldens_show() {
    let api = &results()[0];
    assert_eq!(api.unreachable, None);
    let statuses: Vec<(&str, Status)> = api
        .results
        .iter()
        .map(|r| (r.id.as_str(), r.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("checklist-items.auth.missing-key", Status::Failed),
            ("checklist-items.auth.invalid-key", Status::Passed),
            ("checklist-items.auth.required-on-writes", Status::Failed),
            ("checklist-items.create.returns-201", Status::Skipped),
            ("checklist-items.create.first-position-one", Status::Skipped),
            ("checklist-items.create.appended-last", Status::Skipped),
            ("checklist-items.create.requires-text", Status::Skipped),
            (
                "checklist-items.create.requires-resource-type",
                Status::Skipped
            ),
            (
                "checklist-items.create.requires-resource-id",
                Status::Skipped
            ),
            (
                "checklist-items.create.resource-id-integer",
                Status::Skipped
            ),
            (
                "checklist-items.conformance.not-a-server-error",
                Status::Passed
            ),
            (
                "checklist-items.conformance.status-code-conformance",
                Status::Passed
            ),
            (
                "checklist-items.conformance.response-schema-conformance",
                Status::Passed
            ),
        ]
    );
}

#[test]
fn terminal_summary() {
    let text = specgate::report::check::terminal(results(), false);
    stable(|| insta::assert_snapshot!("terminal", text));
}

#[test]
fn json_report() {
    let text = specgate::report::check::render(ReportFormat::Json, results(), false);
    stable(|| insta::assert_snapshot!("json", text));
}

#[test]
fn junit_report() {
    let text = specgate::report::check::render(ReportFormat::Junit, results(), false);
    stable(|| insta::assert_snapshot!("junit", text));
}

#[test]
fn markdown_report() {
    let text = specgate::report::check::render(ReportFormat::Markdown, results(), false);
    stable(|| insta::assert_snapshot!("markdown", text));
}

#[test]
fn html_report() {
    let text = specgate::report::check::render(ReportFormat::Html, results(), false);
    stable(|| insta::assert_snapshot!("html", text));
}
