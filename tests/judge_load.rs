//! Judging under load in the closed model (`specgate load` without `--rate`, `--judge 1/N`): a
//! sample of each request's answers is judged by the API's conformance checks, every answer a
//! documented limit covers is judged against the limit and its documented throttling answer,
//! and only what the document states is a violation. In-process, against the built-in mocks
//! (and one failing server) on fresh loopback ports.
//!
//! goose keeps its killswitch in a process-wide static, so these runs are serialized.

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use specgate::cli::ExitCode;
use specgate::load::{run_load, LoadOptions, LoadRun, Scenario};

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(file: &std::path::Path) -> Arc<Scenario> {
    Arc::new(specgate::load::load_scenario(file, &root().join("specs")).expect("scenario loads"))
}

fn peer() -> Arc<Scenario> {
    load(&root().join("scenarios").join("peer-single-endpoint.yaml"))
}

/// A scenario that asks CheckTick's legacy token endpoint, throttled at 5 requests a minute per
/// IP, as fast as the load users can: past its limit within the first second.
fn token_hammer() -> Arc<Scenario> {
    let dir = std::env::temp_dir().join(format!("specgate-judge-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("token-hammer.yaml");
    std::fs::write(
        &file,
        r#"name: token-hammer
api: checktick
title: The legacy token endpoint, past its limit
cite: "/api/tokenendpoint (legacy, not yet removed) is additionally throttled at 5 requests/minute per IP."
transactions:
  - name: token
    steps:
      - request: { operation: getLegacyToken, as: anonymous }
        expect: { status: [400, 429] }
predict:
  GET /api/token: concurrency * iterations
"#,
    )
    .unwrap();
    load(&file)
}

fn options(concurrency: usize, iterations: usize, judge: Option<u64>) -> LoadOptions {
    LoadOptions {
        concurrency,
        iterations: Some(iterations),
        run_time: Duration::from_secs(60),
        max_requests: 100_000,
        timeout: Duration::from_secs(5),
        judge_one_in: judge,
        ..Default::default()
    }
}

/// Run `scenario` against its API's mock (with `fault`).
async fn against_mock(scenario: Arc<Scenario>, fault: Option<&str>, o: LoadOptions) -> LoadRun {
    let mock = specgate::mock::start(
        &scenario.spec.name,
        specgate::mock::MockOptions {
            fault: fault.map(str::to_string),
            ..Default::default()
        },
    )
    .await
    .expect("mock starts");
    let run = run_load(scenario, &mock.target, &o)
        .await
        .expect("load runs");
    mock.shutdown().await;
    run
}

fn judged(run: &LoadRun, key: &str) -> specgate::load::judge::Judged {
    let j = run.judgement.as_ref().expect("a closed-model judgement");
    j.judged.get(key).cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sample_of_each_request_is_judged_and_the_faithful_mock_keeps_the_contract() {
    let _g = SERIAL.lock().await;
    let run = against_mock(peer(), None, options(4, 40, Some(7))).await;
    assert_eq!(run.requests_total, 160, "{run:#?}");
    let j = judged(&run, "GET /checklists");
    // One answer in seven of the key, counted from the first.
    assert_eq!(j.judged, 160u64.div_ceil(7), "{j:#?}");
    assert!(j.violations.is_empty() && j.warnings.is_empty(), "{j:#?}");
    assert_eq!(run.violations(), 0);
    assert_eq!(
        specgate::cli::load::load_verdict(&run).unwrap(),
        ExitCode::Ok
    );
    let text = specgate::report::load::terminal(&run);
    assert!(
        text.contains("contract: GET /checklists: 23 responses judged (1 in 7), no violation"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&specgate::report::load::json(&run)).unwrap();
    assert_eq!(json["judgement"]["judge_one_in"], 7);
    assert_eq!(json["judgement"]["judged"]["GET /checklists"]["judged"], 23);
    for md in [
        specgate::report::load::markdown(&run),
        specgate::report::load::html(&run),
    ] {
        assert!(md.contains("Contract under load"), "{md}");
        assert!(md.contains("23 responses judged (1 in 7)"), "{md}");
    }

    // Off judges nothing, and says so.
    let off = against_mock(peer(), None, options(2, 10, None)).await;
    assert!(off.judgement.as_ref().unwrap().judged.is_empty());
    assert!(specgate::report::load::terminal(&off).contains("contract: not judged (--judge off)"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_in_the_closed_model_are_violations_with_a_redacted_example() {
    let _g = SERIAL.lock().await;
    let s = peer();
    let mock = specgate::mock::start(&s.spec.name, Default::default())
        .await
        .expect("mock starts");
    let mut target = mock.target.clone();
    mock.shutdown().await;
    let secrets: Vec<String> = target.credentials.values.values().cloned().collect();
    assert!(!secrets.is_empty());
    let (base_url, server) =
        common::every_nth_target(4, 500, Duration::ZERO, r#"{"data":[]}"#).await;
    target.base_url = base_url;
    target.resolve.clear();
    let run = run_load(s, &target, &options(2, 50, Some(1)))
        .await
        .expect("load runs");
    server.abort();
    let errors = run.requests[0].statuses.get("500").copied().unwrap_or(0);
    assert_eq!(errors, 25, "{run:#?}");
    let j = judged(&run, "GET /checklists");
    assert_eq!(j.judged, 100);
    assert_eq!(
        j.violations
            .get("checklist-items.conformance.not-a-server-error"),
        Some(&errors),
        "{j:#?}"
    );
    let example = j.example.as_ref().expect("an example");
    assert!(
        !example.warning && example.curl.starts_with("curl "),
        "{example:?}"
    );
    assert_eq!(
        specgate::cli::load::load_verdict(&run).unwrap(),
        ExitCode::RuleFailed
    );
    let json = specgate::report::load::json(&run);
    let text = specgate::report::load::terminal(&run);
    let html = specgate::report::load::html(&run);
    for secret in &secrets {
        assert!(!json.contains(secret.as_str()) && !text.contains(secret.as_str()));
        assert!(!html.contains(secret.as_str()));
    }
    assert!(
        text.contains("VIOLATIONS: checklist-items.conformance.not-a-server-error ×25"),
        "{text}"
    );
}

const TOKEN: &str = "GET /api/token";
const LIMIT_RULE: &str = "checktick.throttle.legacy-token";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_faithful_throttle_keeps_its_documented_answer_under_load() {
    let _g = SERIAL.lock().await;
    // 4 × 30 = 120 requests, the sample 1 in 50: every answer is judged all the same, being
    // under the documented limit.
    let run = against_mock(token_hammer(), None, options(4, 30, Some(50))).await;
    let r = &run.requests[0];
    assert_eq!(r.observed, 120, "{run:#?}");
    assert_eq!(r.statuses.get("400"), Some(&5), "{r:#?}");
    assert_eq!(r.statuses.get("429"), Some(&115), "{r:#?}");
    let j = judged(&run, TOKEN);
    assert_eq!((j.judged, j.under_limit), (120, 120), "{j:#?}");
    assert!(j.violations.is_empty(), "{j:#?}");
    assert!(j.warnings.is_empty(), "{j:#?}");
    assert_eq!(
        specgate::cli::load::load_verdict(&run).unwrap(),
        ExitCode::Ok
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttle_that_lets_the_load_through_breaks_the_stated_limit() {
    let _g = SERIAL.lock().await;
    let run = against_mock(
        token_hammer(),
        Some("throttle.token-unthrottled"),
        options(4, 30, Some(50)),
    )
    .await;
    let r = &run.requests[0];
    assert_eq!(r.statuses.get("400"), Some(&120), "{r:#?}");
    let j = judged(&run, TOKEN);
    // The first five are the limit; each one let through after them breaks it.
    assert_eq!(j.violations.get(LIMIT_RULE), Some(&115), "{j:#?}");
    let e = j.example.as_ref().expect("an example");
    assert_eq!((e.check.as_str(), e.status), (LIMIT_RULE, 400), "{e:?}");
    assert!(e.failure.contains("6 requests let through"), "{e:?}");
    assert_eq!(
        specgate::cli::load::load_verdict(&run).unwrap(),
        ExitCode::RuleFailed
    );
    let text = specgate::report::load::terminal(&run);
    assert!(
        text.contains(&format!("VIOLATIONS: {LIMIT_RULE} ×115")),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttling_answer_without_what_the_framework_sends_is_a_warning_not_a_violation() {
    let _g = SERIAL.lock().await;
    // The 429 lacks Retry-After: the contract rests that header on DRF's default, not on the
    // document, so it is counted as a warning and the run passes.
    let run = against_mock(
        token_hammer(),
        Some("throttle.token-no-retry-after"),
        options(4, 30, Some(50)),
    )
    .await;
    let r = &run.requests[0];
    assert_eq!(r.statuses.get("429"), Some(&115), "{r:#?}");
    let j = judged(&run, TOKEN);
    assert!(j.violations.is_empty(), "{j:#?}");
    assert_eq!(j.warnings.get(LIMIT_RULE), Some(&115), "{j:#?}");
    let e = j.example.as_ref().expect("a warning's example");
    assert!(e.warning && e.failure.contains("Retry-After"), "{e:?}");
    assert_eq!(
        specgate::cli::load::load_verdict(&run).unwrap(),
        ExitCode::Ok
    );
    let text = specgate::report::load::terminal(&run);
    assert!(
        text.contains(&format!(
            "no violation; warnings (not stated by the document): {LIMIT_RULE} ×115"
        )),
        "{text}"
    );
}
