//! `specgate plan --rates`: a sweep of arrival rates against the checklist-items mock with a
//! capacity (`MockOptions.capacity`, on a fresh loopback port) finds that capacity and names
//! the bound that binds above it: `errors` when the mock answers 503 above it, `contract` (at
//! the first rate above it, the contract-break point) when it breaks the schema, `generator`
//! when it queues and the in-flight bound holds the generator back (its corrected times then
//! exceed the uncorrected ones), `latency` when it queues under an SLO. Bad `--rates` and
//! `--slo` are exit 2. Sweeps are small (capacity 100/s, steps of 1.5 s) and run one at a time,
//! so the timings are not those of sweeps competing for the CPU.

mod common;

use common::specgate;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use specgate::load::plan_rates::{parse_slo, run_rate_plan, Bound, RatePlan, RatePlanOptions};
use specgate::load::LoadOptions;
use specgate::mock::{Capacity, MockOptions, OverCapacity};

/// The mock's capacity, requests (here iterations: one request each) per second.
const CAPACITY: f64 = 100.0;
/// The sweep below and above it: the highest rate under it is within 15% of it, the next
/// one 30% over it (the bucket's burst, a tenth of a second, absorbs the generator's jitter
/// below capacity, and is far less than 30% of a 1.5 s step above it).
const RATES: [f64; 5] = [50.0, 85.0, 130.0, 200.0, 300.0];
/// The highest sustainable rate must be within this share under the capacity (and the next
/// rate above it).
const TOLERANCE: f64 = 0.15;

/// One sweep at a time: two would share the machine's two cores and each other's jitter.
static SWEEPS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scenario() -> Arc<specgate::load::Scenario> {
    let file = root().join("scenarios").join("peer-single-endpoint.yaml");
    Arc::new(specgate::load::load_scenario(&file, &root().join("specs")).expect("scenario loads"))
}

fn options(rates: &[f64]) -> RatePlanOptions {
    RatePlanOptions {
        rates: rates.to_vec(),
        run: LoadOptions {
            run_time: Duration::from_millis(1500),
            max_requests: 100_000,
            timeout: Duration::from_secs(5),
            ..Default::default()
        },
        max_in_flight: 1000,
        judge_one_in: Some(1),
        slo: None,
        max_error_share: 0.01,
    }
}

/// Sweep `options` against the mock at [`CAPACITY`] doing `over` above it.
async fn sweep(over: OverCapacity, options: RatePlanOptions) -> RatePlan {
    let _one_at_a_time = SWEEPS.lock().await;
    let s = scenario();
    let capacity = Capacity {
        rate: specgate::mock::Rate::per_second(CAPACITY as u32).expect("a capacity"),
        over,
    };
    let mock = specgate::mock::start(
        &s.spec.name,
        MockOptions {
            capacity: Some(capacity),
            ..Default::default()
        },
    )
    .await
    .expect("mock starts");
    let mut seen = 0;
    let plan = run_rate_plan(s, &mock.target, &options, &mut |_| seen += 1)
        .await
        .expect("the sweep runs");
    mock.shutdown().await;
    assert_eq!(
        seen,
        plan.steps.len(),
        "every step is noted as it is judged"
    );
    plan
}

fn step(plan: &RatePlan, rate: f64) -> &specgate::load::plan_rates::RateStep {
    plan.steps
        .iter()
        .find(|s| s.rate_per_s == rate)
        .unwrap_or_else(|| panic!("no step at {rate}/s: {plan:#?}"))
}

/// The highest sustainable rate is within [`TOLERANCE`] under the capacity, and the rate that
/// broke a bound is above it.
fn found_capacity(plan: &RatePlan) {
    let sustainable = plan.sustainable_rate_per_s.expect("a sustainable rate");
    assert!(
        ((1.0 - TOLERANCE) * CAPACITY..=CAPACITY).contains(&sustainable),
        "sustainable {sustainable}/s for a capacity of {CAPACITY}/s: {}",
        specgate::report::plan_rates::terminal(plan)
    );
    assert!(plan.next_rate_per_s.expect("a rate past capacity") > CAPACITY);
    assert!(!plan.capacity_above_last);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn above_a_capacity_answered_503_the_errors_bound_binds_and_the_sweep_stops_early() {
    let plan = sweep(OverCapacity::Unavailable, options(&RATES)).await;
    let text = specgate::report::plan_rates::terminal(&plan);
    found_capacity(&plan);
    assert_eq!(plan.binding, Some(Bound::Errors), "{text}");
    let over = step(&plan, 130.0);
    // Of 130 a second, the bucket admits 100 (and its burst): about a fifth are refused.
    assert!(
        over.error_share > 0.1 && over.error_share < 0.4,
        "{}",
        over.error_share
    );
    assert!(step(&plan, 85.0).errors == 0, "{text}");
    // Two steps in a row past a bound: the last rate is not run.
    assert_eq!(plan.steps.len(), 4, "{text}");
    assert!(plan
        .stopped_early
        .as_deref()
        .unwrap_or("")
        .contains("300/s"));
    assert!(
        text.contains("highest sustainable rate: 85/s") && text.contains("the errors bound binds"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&specgate::report::plan_rates::json(&plan)).unwrap();
    assert_eq!(json["binding"], "errors");
    assert_eq!(json["sustainable_rate_per_s"], 85.0);
    assert_eq!(json["steps"].as_array().unwrap().len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn above_a_capacity_that_breaks_the_schema_the_contract_binds_at_the_first_rate_above_it() {
    let mut o = options(&RATES[..4]);
    // An SLO the mock keeps at every rate, so its line is drawn and it binds nowhere.
    o.slo = Some(parse_slo("p99<1s").unwrap());
    let plan = sweep(OverCapacity::BreakSchema, o).await;
    let text = specgate::report::plan_rates::terminal(&plan);
    found_capacity(&plan);
    assert_eq!(plan.binding, Some(Bound::Contract), "{text}");
    let first_above = RATES.into_iter().find(|r| *r > CAPACITY).unwrap();
    assert_eq!(plan.contract_break_per_s, Some(first_above), "{text}");
    // The broken bodies come with a normal status: no errors, only broken answers.
    let over = step(&plan, first_above);
    assert_eq!(over.errors, 0, "{text}");
    assert_eq!(over.broken, [Bound::Contract]);
    let schema = "checklist-items.conformance.response-schema-conformance";
    assert!(
        over.violations.get(schema).is_some_and(|n| *n > 0),
        "{over:#?}"
    );
    let example = over.example.as_ref().expect("a violation example");
    assert_eq!(example.example.check, schema);
    assert!(example.example.curl.starts_with("curl "), "{example:?}");
    assert!(
        text.contains(&format!("contract-break point: {first_above}/s")),
        "{text}"
    );

    let html = specgate::report::plan_rates::html(&plan);
    assert_eq!(html.matches("<svg").count(), 2, "two charts");
    let n = plan.steps.len();
    for series in ["p50", "p95", "p99", "achieved"] {
        assert_eq!(
            html.matches(&format!("<circle class=\"{series}\"")).count(),
            n,
            "{series}: one point per step"
        );
    }
    for s in &plan.steps {
        assert!(html.contains(&format!("data-rate=\"{}\"", s.rate_per_s)));
    }
    // The contract-break point is marked on both charts, the SLO on the latency chart.
    assert_eq!(html.matches("class=\"contract-break\"").count(), 2);
    assert!(html.contains(&format!("contract breaks at {first_above}/s")));
    assert_eq!(html.matches("class=\"slo\"").count(), 1);
    // Inline and self-contained: no script, nothing fetched.
    assert!(!html.contains("<script") && !html.contains("src="));
    let md = specgate::report::plan_rates::markdown(&plan);
    assert!(
        md.contains("## Contract violations") && md.contains("```sh\n  curl "),
        "{md}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn above_a_queueing_capacity_with_few_slots_the_generator_binds_and_corrected_times_exceed_uncorrected(
) {
    let mut o = options(&[50.0, 130.0]);
    // 16 iterations at once: above capacity each waits for its slot in the mock's queue, the
    // slots fill, and the starts due meanwhile wait.
    o.max_in_flight = 16;
    let plan = sweep(OverCapacity::Queue, o).await;
    let text = specgate::report::plan_rates::terminal(&plan);
    assert_eq!(plan.sustainable_rate_per_s, Some(50.0), "{text}");
    assert_eq!(plan.binding, Some(Bound::Generator), "{text}");
    let over = step(&plan, 130.0);
    assert!(over.in_flight_hits > 0 && over.late > 0, "{over:#?}");
    assert!(
        over.corrected.p99_ms > over.uncorrected.p99_ms + 100.0,
        "corrected p99 {} ms, uncorrected {} ms",
        over.corrected.p99_ms,
        over.uncorrected.p99_ms
    );
    // Queued, not refused: the answers stay correct.
    assert_eq!(over.errors, 0, "{text}");
    assert_eq!(over.violation_count(), 0, "{text}");
    assert!(text.contains("the server is not to blame"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn above_a_queueing_capacity_under_an_slo_the_latency_bound_binds() {
    let mut o = options(&[50.0, 85.0, 130.0]);
    o.slo = Some(parse_slo("p99<50ms").unwrap());
    let plan = sweep(OverCapacity::Queue, o).await;
    let text = specgate::report::plan_rates::terminal(&plan);
    found_capacity(&plan);
    assert_eq!(plan.binding, Some(Bound::Latency), "{text}");
    assert!(step(&plan, 130.0).corrected.p99_ms > 50.0);
    assert!(
        text.contains("the latency bound binds: corrected p99"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_documented_limit_under_the_next_rate_binds_as_the_limit() {
    let _one_at_a_time = SWEEPS.lock().await;
    // The dashboard makes two requests an iteration under one key's UserRateThrottle, set to
    // 3000 a minute (the mock's own is 20000, so the mock never throttles): 50 requests/s,
    // so 25 iterations/s.
    let file = root().join("scenarios").join("checktick-dashboard.yaml");
    let s = Arc::new(
        specgate::load::load_scenario(&file, &root().join("specs")).expect("scenario loads"),
    );
    let mut o = options(&[10.0, 20.0, 40.0]);
    o.run.dataset.insert("user_rate_per_minute".into(), 3000.0);
    o.judge_one_in = Some(10);
    let mock = specgate::mock::start(&s.spec.name, MockOptions::default())
        .await
        .expect("mock starts");
    let plan = run_rate_plan(s, &mock.target, &o, &mut |_| {})
        .await
        .expect("the sweep runs");
    mock.shutdown().await;
    let text = specgate::report::plan_rates::terminal(&plan);
    assert_eq!(plan.requests_per_iteration, 2.0, "{text}");
    let limit = &plan.limits[0];
    assert_eq!(limit.name, "UserRateThrottle");
    assert!((limit.cap_per_s - 25.0).abs() < 1e-9, "{limit:?}");
    assert_eq!(plan.sustainable_rate_per_s, Some(20.0), "{text}");
    assert_eq!(plan.binding, Some(Bound::Limit), "{text}");
    assert_eq!(plan.binding_limit.as_deref(), Some("UserRateThrottle"));
    assert!(
        text.contains("the limit (`UserRateThrottle`) bound binds")
            && text.contains("`UserRateThrottle` allows 25.0 iterations/s"),
        "{text}"
    );
}

#[test]
fn bad_rates_and_slos_and_rates_with_concurrencies_are_exit_2() {
    let scenario = "scenarios/peer-single-endpoint.yaml";
    let plan = |extra: &[&str]| {
        let mut args = vec!["plan", "--scenario", scenario];
        args.extend_from_slice(extra);
        let out = specgate(&args);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    for (args, says) in [
        (&["--rates", "100,fast"][..], "not a rate"),
        (&["--rates", "200,100"], "must increase"),
        (&["--rates", "100,,200"], "empty"),
        (&["--rates", "0,100"], "above 0"),
        (&["--rates", "100", "--slo", "p99<50"], "p99<50ms"),
        (&["--rates", "100", "--slo", "p98<50ms"], "not an SLO"),
        (&["--rates", "100", "--slo", "fast"], "not an SLO"),
        (&["--rates", "100", "--max-errors", "1"], "0% to 100%"),
        (&["--rates", "100", "--concurrency", "4"], "--concurrency"),
        (
            &["--rates", "100", "--concurrencies", "1,2"],
            "--concurrencies",
        ),
        (&["--slo", "p99<50ms"], "--rates"),
        // More iterations a step than a run may schedule: refused before a mock starts.
        (&["--rates", "100000", "--run-time", "1h"], "more than the"),
    ] {
        let (code, err) = plan(args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

/// The command end to end: the capacity flags reach the mock, the steps are noted on stderr,
/// the verdict is printed, the three reports are written, and a plan that found a sustainable
/// rate exits 0.
#[test]
fn the_command_sweeps_a_capacity_mock_writes_its_reports_and_exits_0() {
    let dir = std::env::temp_dir().join(format!("specgate-plan-rates-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let report = |kind: &str, name: &str| format!("{kind}={}", dir.join(name).display());
    let out = specgate(&[
        "plan",
        "--scenario",
        "scenarios/peer-single-endpoint.yaml",
        "--rates",
        "20,80",
        "--run-time",
        "1s",
        "--capacity",
        "40/s",
        "--slo",
        "p99<2s",
        "--report",
        &report("json", "plan.json"),
        "--report",
        &report("md", "plan.md"),
        "--report",
        &report("html", "plan.html"),
    ]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stderr.contains("20/s: achieved") && stderr.contains("80/s: achieved"),
        "{stderr}"
    );
    assert!(
        stdout.contains("highest sustainable rate: 20/s")
            && stdout.contains("the errors bound binds"),
        "{stdout}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("plan.json")).unwrap()).unwrap();
    assert_eq!(json["binding"], "errors");
    assert_eq!(json["slo"]["max_ms"], 2000.0);
    assert!(std::fs::read_to_string(dir.join("plan.md"))
        .unwrap()
        .contains("highest sustainable rate: 20/s"));
    assert!(std::fs::read_to_string(dir.join("plan.html"))
        .unwrap()
        .contains("<svg"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The concurrency sweep judges too: against a mock whose bodies break the schema above its
/// capacity, each point shows its judged answers and violations, one example with its curl,
/// and the plan exits 1; the faithful mock's plan judges as many and exits 0.
#[test]
fn the_concurrency_plan_judges_each_point_and_fails_on_a_broken_contract() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("concurrency-plan-judged");
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("plan.json");
    let plan = |extra: &[&str]| {
        let mut args = vec![
            "plan",
            "--scenario",
            "scenarios/peer-single-endpoint.yaml",
            "--concurrencies",
            "1,2",
            "--iterations",
            "60",
            "--judge",
            "1/1",
        ];
        let report = format!("json={}", json.display());
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--report", &report]);
        let out = specgate(&args);
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        (out, report)
    };
    let judged_and_violations = |report: &serde_json::Value| -> Vec<(u64, u64)> {
        report["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let j = &p["judgement"];
                let v = j["violations"]
                    .as_object()
                    .unwrap()
                    .values()
                    .map(|n| n.as_u64().unwrap())
                    .sum();
                (j["judged"].as_u64().unwrap(), v)
            })
            .collect()
    };

    let (out, report) = plan(&["--capacity", "50/s", "--over-capacity", "break-schema"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}");
    let points = judged_and_violations(&report);
    // Every answer is judged (1/1): 60 and 120 requests; past the burst most break the schema.
    assert_eq!(
        points.iter().map(|p| p.0).collect::<Vec<_>>(),
        vec![60, 120]
    );
    assert!(points.iter().all(|&(j, v)| v > 0 && v <= j), "{points:?}");
    assert!(
        text.contains("violation at 1 load users:")
            && text.contains("response-schema-conformance")
            && text.contains("curl -sS -i"),
        "{text}"
    );

    let (out, report) = plan(&[]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(judged_and_violations(&report), vec![(60, 0), (120, 0)]);
    // The scenario has no dataset variable: the projection is per load user's iterations, and
    // the summary says what it was made for.
    let users = report["recommended_concurrency"].as_u64().unwrap();
    assert_eq!(report["plan_iterations"], 60);
    assert_eq!(report["predicted_total"].as_u64().unwrap(), 60 * users);
    assert!(
        text.contains(&format!(
            "For 60 iterations of each of {users} load users (--plan-iterations): {} requests",
            60 * users
        )),
        "{text}"
    );
}
