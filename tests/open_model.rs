//! The open model (`specgate load --rate`): on a fast mock the iterations start at the offered
//! rate and as many as rate × duration; a ramp starts as many as its trapezoid; against a
//! target that stalls, the times measured from the intended send exceed those from the actual
//! send, and the in-flight bound, hit, is counted and reported; a bad `--rate` is exit 2.
//! Every run is on loopback and a few seconds long.

mod common;

use common::specgate;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use specgate::load::open::parse_rate;
use specgate::load::{run_open_load, Ended, LoadErrorKind, LoadOptions, LoadRun, OpenOptions};

/// How far the achieved start rate and the number of starts may be from the offered ones on a
/// fast target: the schedule is exact, so this is the machine's jitter at the window's edge.
const TOLERANCE: f64 = 0.05;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scenario() -> Arc<specgate::load::Scenario> {
    let file = root().join("scenarios").join("peer-single-endpoint.yaml");
    Arc::new(specgate::load::load_scenario(&file, &root().join("specs")).expect("scenario loads"))
}

fn options(seconds: u64) -> LoadOptions {
    LoadOptions {
        run_time: Duration::from_secs(seconds),
        max_requests: 100_000,
        timeout: Duration::from_secs(5),
        ..Default::default()
    }
}

/// Run at `open` for `seconds` against the checklist-items mock.
async fn against_mock(open: OpenOptions, seconds: u64) -> LoadRun {
    let s = scenario();
    let mock = specgate::mock::start(&s.spec.name, Default::default())
        .await
        .expect("mock starts");
    let run = run_open_load(s, &mock.target, &options(seconds), &open)
        .await
        .expect("load runs");
    mock.shutdown().await;
    run
}

fn within(observed: f64, expected: f64) -> bool {
    (observed - expected).abs() <= TOLERANCE * expected
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_constant_rate_starts_rate_times_duration_iterations_on_schedule() {
    let run = against_mock(OpenOptions::new(parse_rate("150/s").unwrap()), 3).await;
    let o = run.open.as_ref().expect("an open-model run");
    // The schedule is exact and nothing stopped the run: every one of its starts was made,
    // and none counted beside the schedule (a start made a timer tick early is still its own).
    assert_eq!((o.scheduled, o.started, o.dropped), (450, 450, 0), "{o:#?}");
    assert!(
        within(o.started as f64, 150.0 * 3.0),
        "started {} of 450: {o:#?}",
        o.started
    );
    assert!(
        within(o.achieved_rps, o.offered_rps),
        "achieved {} for offered {}",
        o.achieved_rps,
        o.offered_rps
    );
    assert!(within(o.offered_rps, 150.0), "offered {}", o.offered_rps);
    assert_eq!(o.dropped, 0, "{o:#?}");
    assert_eq!(o.in_flight_hits, 0);
    // Every iteration is one request, and the counts are predicted for the iterations that ran.
    assert_eq!(run.ended, Ended::Completed, "{:?}", run.errors);
    assert_eq!(run.requests_total, o.started);
    assert_eq!(run.prediction_holds, Some(true));
    assert_eq!(run.failed_total, 0, "{:?}", run.errors);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ramp_starts_as_many_as_its_rates_integral() {
    let mut open = OpenOptions::new(parse_rate("40/s..200/s").unwrap());
    open.ramp = Some(Duration::from_secs(2));
    let run = against_mock(open, 3).await;
    let o = run.open.as_ref().unwrap();
    // Two seconds ramping from 40 to 200 (the trapezoid: 240), then one second at 200.
    let expected = (40.0 + 200.0) / 2.0 * 2.0 + 200.0;
    assert!(
        within(o.started as f64, expected),
        "started {} of {expected}",
        o.started
    );
    assert!(
        within(o.offered_rps, expected / 3.0),
        "offered {}",
        o.offered_rps
    );
    assert_eq!(o.dropped, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_a_stalling_target_corrected_times_exceed_uncorrected_and_the_bound_is_reported() {
    let s = scenario();
    // The mock's target for the API's credentials, sent to the stalling server instead.
    let mock = specgate::mock::start(&s.spec.name, Default::default())
        .await
        .expect("mock starts");
    let mut target = mock.target.clone();
    mock.shutdown().await;
    let (base_url, server) = common::every_nth_target(
        5,
        200,
        Duration::from_millis(200),
        r#"{"data":[],"meta":{}}"#,
    )
    .await;
    target.base_url = base_url;
    target.resolve.clear();
    let mut open = OpenOptions::new(parse_rate("100/s").unwrap());
    // Two iterations at once: a stall every 50 ms holds a slot for 200 ms, so both are held
    // most of the time and the starts due meanwhile wait.
    open.max_in_flight = 2;
    let run = run_open_load(s, &target, &options(3), &open)
        .await
        .expect("load runs");
    server.abort();
    let o = run.open.as_ref().unwrap();
    assert!(run.requests_total > 50, "{run:#?}");
    assert!(
        o.corrected.p99_ms > run.latency.p99_ms + 50.0,
        "corrected p99 {} ms, uncorrected {} ms",
        o.corrected.p99_ms,
        run.latency.p99_ms
    );
    // The stalled answers themselves take their 200 ms from the actual send too.
    assert!(run.latency.p99_ms >= 190.0, "{:?}", run.latency);
    assert!(o.in_flight_hits > 0, "{o:#?}");
    assert!(o.late > 0);
    assert!(o.peak_in_flight <= 2);
    let text = specgate::report::load::terminal(&run);
    assert!(
        text.contains(&format!("the bound was hit {} times", o.in_flight_hits)),
        "{text}"
    );
    assert!(text.contains("did not keep its schedule"), "{text}");
    let md = specgate::report::load::markdown(&run);
    assert!(md.contains("corrected p99 ms"), "{md}");
    let json: serde_json::Value =
        serde_json::from_str(&specgate::report::load::json(&run)).unwrap();
    assert_eq!(json["open"]["in_flight_hits"], o.in_flight_hits);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_model_refuses_a_target_that_is_not_loopback() {
    let s = scenario();
    let mock = specgate::mock::start(&s.spec.name, Default::default())
        .await
        .expect("mock starts");
    let mut target = mock.target.clone();
    mock.shutdown().await;
    // TEST-NET-1: never routed; the refusal comes before any connection.
    target.base_url = "http://192.0.2.1/api".into();
    target.resolve.clear();
    let err = run_open_load(
        s,
        &target,
        &options(1),
        &OpenOptions::new(parse_rate("10/s").unwrap()),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err.kind, LoadErrorKind::NotLoopback { .. }),
        "{err}"
    );
}

#[test]
fn a_bad_rate_is_exit_2_with_a_clear_message() {
    let scenario = "scenarios/peer-single-endpoint.yaml";
    for (rate, says) in [
        ("500", "no unit"),
        ("fast/s", "not a number"),
        ("0/s", "above 0"),
    ] {
        let out = specgate(&["load", "--scenario", scenario, "--rate", rate]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "--rate {rate}: {err}");
        assert!(err.contains(says), "--rate {rate}: {err}");
    }
    let out = specgate(&[
        "load",
        "--scenario",
        scenario,
        "--rate",
        "10/s",
        "--judge",
        "2/50",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("1/N"), "{err}");
    // A ramp needs its length; checked before a mock starts.
    let out = specgate(&["load", "--scenario", scenario, "--rate", "10/s..20/s"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--ramp"), "{err}");
    // More iterations than a run may schedule.
    let out = specgate(&[
        "load",
        "--scenario",
        scenario,
        "--rate",
        "100000/s",
        "--run-time",
        "1h",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("more than the"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sample_of_the_mocks_answers_is_judged_and_keeps_the_contract() {
    let mut open = OpenOptions::new(parse_rate("100/s").unwrap());
    open.judge_one_in = Some(5);
    let run = against_mock(open, 2).await;
    let o = run.open.as_ref().unwrap();
    let j = &o.judged["GET /checklists"];
    // One answer in five, counted from the first.
    assert_eq!(j.judged, run.requests_total.div_ceil(5), "{o:#?}");
    assert!(j.judged >= 30);
    assert!(j.violations.is_empty(), "{:#?}", j);
    assert_eq!(o.violations(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_under_load_are_judged_violations_with_a_redacted_example() {
    let s = scenario();
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
    let mut open = OpenOptions::new(parse_rate("100/s").unwrap());
    open.judge_one_in = Some(1);
    let run = run_open_load(s, &target, &options(2), &open)
        .await
        .expect("load runs");
    server.abort();
    let o = run.open.as_ref().unwrap();
    let j = &o.judged["GET /checklists"];
    let errors = run.requests[0].statuses.get("500").copied().unwrap_or(0);
    assert!(errors > 20, "{run:#?}");
    assert_eq!(j.judged, run.requests_total);
    assert_eq!(
        j.violations
            .get("checklist-items.conformance.not-a-server-error"),
        Some(&errors),
        "{j:#?}"
    );
    let example = j.example.as_ref().expect("an example");
    assert!(example.curl.starts_with("curl "), "{example:?}");
    let json = specgate::report::load::json(&run);
    let text = specgate::report::load::terminal(&run);
    for secret in &secrets {
        assert!(!json.contains(secret.as_str()) && !text.contains(secret.as_str()));
    }
    assert!(
        text.contains("VIOLATIONS: checklist-items.conformance.not-a-server-error"),
        "{text}"
    );
}

/// An export is one walk with nothing to start on a schedule: `load --rate` and `plan --rates`
/// refuse it at once, naming the way to run it, and leave no report folder behind.
#[test]
fn an_export_scenario_is_refused_by_the_open_model_with_the_way_to_run_it_and_no_report_folder() {
    let dir = std::env::temp_dir().join(format!("specgate-open-walk-{}", std::process::id()));
    for (command, rate_flag, rate) in [("load", "--rate", "10/s"), ("plan", "--rates", "10,20")] {
        let folder = dir.join(command);
        let report = format!("json={}", folder.join("out.json").display());
        let out = specgate(&[
            command,
            "--scenario",
            "scenarios/checklick-export.yaml",
            rate_flag,
            rate,
            "--report",
            &report,
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command}: {err}");
        assert!(err.contains("one walk"), "{command}: {err}");
        assert!(err.contains("without --rate"), "{command}: {err}");
        assert!(!folder.exists(), "{command} made {}", folder.display());
    }
}
