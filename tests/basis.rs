//! The evidence basis in a run: a `must` rule that fails only on an inferred expectation is a
//! warning (it fails the run only with `--strict`), and every report shows the basis, and why,
//! beside the failure. The target is a faithful variant of the checklist-items mock that writes
//! its dates the way SQL does, where the document only shows an example of RFC 3339.

#[path = "support/report_schema.rs"]
mod report_schema;

use std::path::PathBuf;

use serde_json::Value;
use specgate::mock::{start, MockOptions};
use specgate::results::{ApiResult, Status};
use specgate::run::engine::{run_api, RunOptions};
use specgate::spec::Level;

const RULE: &str = "checklist-items.object.dates-format";

async fn run_variant(variant: Option<&str>) -> ApiResult {
    let spec = specgate::load_spec(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("specs/checklist-items"),
    )
    .unwrap();
    let mock = start(
        "checklist-items",
        MockOptions {
            variant: variant.map(str::to_string),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let options = RunOptions {
        rules: vec![RULE.into()],
        ..Default::default()
    };
    let result = run_api(&spec, &mock.target, &options, &mut |_| {}).await;
    mock.shutdown().await;
    result
}

#[tokio::test]
async fn an_inferred_failure_is_a_warning_and_every_report_shows_its_basis() {
    let faithful = run_variant(None).await;
    assert_eq!(faithful.results[0].status, Status::Passed, "{faithful:?}");

    let result = run_variant(Some("sql-dates")).await;
    let rule = &result.results[0];
    assert_eq!(rule.id, RULE);
    assert_eq!(rule.status, Status::Failed, "{rule:?}");
    assert_eq!(rule.level, Level::Must);
    assert_eq!(rule.effective_level(), Level::Should);
    assert_eq!(rule.counts_as, Some(Level::Should));
    assert!(!rule.counts_as_failure(false));
    assert!(rule.counts_as_failure(true), "--strict fails the run");
    let failure = &rule.failures[0].failure;
    assert_eq!(failure.basis, Some(specgate::spec::Basis::Example));
    let note = failure.note.clone().expect("an inferred failure says why");
    assert!(note.contains("Only the example shows the format"), "{note}");

    let apis = [result.clone()];
    let summary = specgate::report::check::Summary::of(&apis, false);
    assert_eq!((summary.failing, summary.warnings), (0, 1));
    assert_eq!(
        specgate::report::check::Summary::of(&apis, true).failing,
        1,
        "--strict"
    );

    // Beside the failure, in every report: the basis and its note.
    let normalized = specgate::spec::normalize_ws(&note);
    for format in specgate::report::check::FORMATS {
        let text = specgate::report::check::render(*format, &apis, false);
        let text = specgate::spec::normalize_ws(&text);
        let basis = match format.name() {
            "json" => "\"basis\": \"example\"",
            _ => "basis: example",
        };
        assert!(text.contains(basis), "{format}: no basis");
        let quoted = match format.name() {
            "json" => serde_json::to_string(&normalized)
                .unwrap()
                .trim_matches('"')
                .to_string(),
            _ => quick_xml::escape::escape(normalized.as_str()).into_owned(),
        };
        assert!(
            text.contains(&normalized) || text.contains(&quoted),
            "{format}: no note"
        );
    }
    let terminal = specgate::report::check::terminal(&apis, false);
    assert!(terminal.contains("WARN checklist-items.object.dates-format"));
    assert!(terminal.contains("must, inferred only: counts as should"));
    let json: Value = serde_json::from_str(&specgate::report::check::json(&apis, false)).unwrap();
    let r = &json["apis"][0]["results"][0];
    assert_eq!(r["counts_as"], "should");
    assert_eq!(r["failures"][0]["basis"], "example");
    report_schema::assert_matches_schema(&json);
    let junit =
        specgate::report::check::render(specgate::report::ReportFormat::Junit, &apis, false);
    assert!(
        junit.contains("<system-out>warning (must, inferred only: counts as should)"),
        "a warning is no <failure> in JUnit"
    );
    assert!(!junit.contains("<failure"));
}

#[test]
fn the_binary_exits_0_on_a_warning_and_1_with_strict() {
    let bin = env!("CARGO_BIN_EXE_specgate");
    let dir = std::env::temp_dir().join(format!("specgate-basis-{}", std::process::id()));
    let run = |strict: bool| {
        let mut cmd = std::process::Command::new(bin);
        cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args([
            "check",
            "--api",
            "checklist-items",
            "--variant",
            "sql-dates",
            "--rule",
            RULE,
            "--report",
            &format!("json={}", dir.join("r.json").display()),
        ]);
        if strict {
            cmd.arg("--strict");
        }
        cmd.output().unwrap()
    };
    let lenient = run(false);
    let stdout = String::from_utf8_lossy(&lenient.stdout);
    assert_eq!(lenient.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("[basis: example:"), "{stdout}");
    assert_eq!(run(true).status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}
