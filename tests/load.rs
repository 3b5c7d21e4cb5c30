//! `specgate load` against the built-in mocks: every scenario runs briefly and its observed
//! request counts must equal its prediction exactly; the export and the sync at several dataset
//! sizes; a failing threshold fails the run; load never goes to a non-loopback target unasked.
//!
//! goose keeps its killswitch in a process-wide static, so these runs are serialized.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use specgate::load::{run_load, Ended, LoadErrorKind, LoadOptions, LoadRun};

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scenario(name: &str) -> Arc<specgate::load::Scenario> {
    let file = root().join("scenarios").join(format!("{name}.yaml"));
    Arc::new(specgate::load::load_scenario(&file, &root().join("specs")).expect("scenario loads"))
}

fn options(concurrency: usize, iterations: Option<usize>, data: &[(&str, f64)]) -> LoadOptions {
    LoadOptions {
        concurrency,
        iterations,
        run_time: Duration::from_secs(60),
        max_requests: 100_000,
        dataset: data.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        ..Default::default()
    }
}

/// Start the scenario's mock with `size` records and run it.
async fn run(name: &str, size: Option<usize>, options: LoadOptions) -> LoadRun {
    let s = scenario(name);
    let mock = specgate::mock::start(
        &s.spec.name,
        specgate::mock::MockOptions {
            size,
            ..Default::default()
        },
    )
    .await
    .expect("mock starts");
    let out = run_load(s, &mock.target, &options)
        .await
        .expect("load runs");
    mock.shutdown().await;
    out
}

fn assert_exact(run: &LoadRun) {
    assert_eq!(run.ended, Ended::Completed, "{run:#?}");
    for r in &run.requests {
        assert_eq!(
            r.predicted,
            Some(r.observed),
            "{}: predicted {:?}, observed {}",
            r.key,
            r.predicted,
            r.observed
        );
        assert_eq!(r.failed, 0, "{}: {:?}", r.key, run.errors);
    }
    assert_eq!(run.prediction_holds, Some(true));
    assert!(run.errors.is_empty(), "{:?}", run.errors);
}

fn count(run: &LoadRun, key: &str) -> u64 {
    run.requests
        .iter()
        .find(|r| r.key == key)
        .map(|r| r.observed)
        .unwrap_or_else(|| panic!("no {key}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_makes_exactly_the_predicted_requests_at_every_size() {
    let _g = SERIAL.lock().await;
    for users in [0usize, 1, 19, 20, 21, 95] {
        let run = run(
            "checklick-export",
            Some(users),
            options(4, None, &[("users", users as f64)]),
        )
        .await;
        assert_exact(&run);
        // The document's arithmetic, independently of the scenario's own formulas.
        let pages = users.div_ceil(20).max(1) as u64;
        assert_eq!(count(&run, "GET /users"), pages, "users={users}");
        for nested in ["credentials", "assessments", "tag-applications"] {
            assert_eq!(
                count(&run, &format!("GET /users/{{user_id}}/{nested}")),
                users as u64
            );
        }
        let catalog = 1 + 3 + 8 + 29 + 2;
        assert_eq!(run.requests_total, catalog + pages + 3 * users as u64);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_count_does_not_depend_on_concurrency() {
    let _g = SERIAL.lock().await;
    for c in [1usize, 16] {
        let run = run(
            "checklick-export",
            Some(41),
            options(c, None, &[("users", 41.0)]),
        )
        .await;
        assert_exact(&run);
        assert_eq!(count(&run, "GET /users"), 3);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_incremental_sync_reads_only_the_new_users() {
    let _g = SERIAL.lock().await;
    for new in [0usize, 1, 19, 20, 21] {
        let run = run(
            "checklick-sync",
            None,
            options(4, None, &[("new_users", new as f64)]),
        )
        .await;
        assert_exact(&run);
        assert_eq!(count(&run, "GET /users"), new.div_ceil(20).max(1) as u64);
        assert_eq!(count(&run, "GET /users/{user_id}/credentials"), new as u64);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_transactions_scenario_matches_its_prediction() {
    let _g = SERIAL.lock().await;
    for (name, size) in [
        ("checklist-items-board", None),
        ("checkvist-sync", Some(7)),
        ("checktick-dashboard", None),
        ("optacheck-churn", None),
        ("peer-single-endpoint", None),
    ] {
        let data: Vec<(&str, f64)> = match size {
            Some(n) => vec![("lists", n as f64)],
            None => vec![],
        };
        let run = run(name, size, options(3, Some(4), &data)).await;
        assert_exact(&run);
        assert!(run.requests_total > 0, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_without_iterations_stops_at_its_run_time_bound() {
    let _g = SERIAL.lock().await;
    let mut o = options(2, None, &[]);
    o.run_time = Duration::from_millis(1500);
    let started = std::time::Instant::now();
    let run = run("peer-single-endpoint", None, o).await;
    assert_eq!(run.ended, Ended::RunTime);
    assert_eq!(run.prediction_holds, None);
    assert!(run.requests_total > 0);
    // Bounded: it stops by itself (generously, for a loaded CI machine).
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_budget_stops_the_export() {
    let _g = SERIAL.lock().await;
    let mut o = options(2, None, &[("users", 95.0)]);
    o.max_requests = 50;
    let run = run("checklick-export", Some(95), o).await;
    assert_eq!(run.ended, Ended::MaxRequests);
    assert!(run.requests_total <= 50, "{}", run.requests_total);
    assert_eq!(run.prediction_holds, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_documented_limit_paces_the_load() {
    let _g = SERIAL.lock().await;
    // A UserRateThrottle of 10 a minute and 30 requests to make: the first 10 go, the rest
    // wait for the window, so the 3-second bound ends the run with at most 10 made.
    let mut o = options(3, Some(5), &[("user_rate_per_minute", 10.0)]);
    let s = scenario("checktick-dashboard");
    let mock = specgate::mock::start("checktick", Default::default())
        .await
        .unwrap();
    o.run_time = Duration::from_secs(3);
    let run = run_load(s, &mock.target, &o).await.unwrap();
    mock.shutdown().await;
    assert!(run.requests_total <= 10, "{}", run.requests_total);
    assert!(run.limits[0].waits > 0);
    assert_eq!(run.ended, Ended::RunTime);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_loopback_target_is_refused_without_the_flag() {
    let _g = SERIAL.lock().await;
    let target = specgate::target::Target {
        api: "checklist-items".into(),
        base_url: "http://192.0.2.10:8082/api".into(),
        ..Default::default()
    };
    let err = run_load(
        scenario("peer-single-endpoint"),
        &target,
        &options(1, Some(1), &[]),
    )
    .await
    .expect_err("refused");
    assert!(
        matches!(err.kind, LoadErrorKind::NotLoopback { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("--allow-remote"), "{err}");
    // Loopback names and addresses pass, v4 and v6.
    for url in [
        "http://127.0.0.1:1/",
        "http://[::1]:1/",
        "http://localhost:1/",
    ] {
        let t = specgate::target::Target {
            base_url: url.into(),
            ..Default::default()
        };
        specgate::load::check_destination(&t, false)
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
    }
}

fn specgate(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_specgate"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("runs")
}

#[test]
fn a_failing_threshold_makes_load_exit_non_zero() {
    let dir = std::env::temp_dir().join(format!("specgate-load-{}", std::process::id()));
    let json = dir.join("load.json");
    let report = format!("json={}", json.display());
    let base = [
        "load",
        "--scenario",
        "scenarios/checklist-items-board.yaml",
        "--concurrency",
        "2",
        "--iterations",
        "2",
        "--report",
        &report,
    ];
    let ok = specgate(&base);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let text = std::fs::read_to_string(&json).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["prediction_holds"], true);
    let mut failing = base.to_vec();
    failing.extend(["--threshold", "max<1us"]);
    let out = specgate(&failing);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("threshold max<1us: FAIL"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_remote_profile_is_refused_by_the_command() {
    let dir = std::env::temp_dir().join(format!("specgate-remote-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let profile = dir.join("remote.yaml");
    std::fs::write(
        &profile,
        "api: checklist-items\nbase_url: http://192.0.2.10:8082/api\ncredentials:\n  api_key: { value: \"${SPECGATE_TEST_UNSET_KEY}\", optional: true }\n",
    )
    .unwrap();
    let out = specgate(&[
        "load",
        "--scenario",
        "scenarios/peer-single-endpoint.yaml",
        "--target",
        profile.to_str().unwrap(),
        "--iterations",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-remote"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn scenario_mistakes_are_located() {
    let dir = std::env::temp_dir().join(format!("specgate-scn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.yaml");
    let text = std::fs::read_to_string(root().join("scenarios/checklick-export.yaml"))
        .unwrap()
        .replace("GET /tags: pages(tags, 20)", "GET /tags: pages(tagz, 20)");
    std::fs::write(&file, &text).unwrap();
    let errs = specgate::load::load_scenario(&file, &root().join("specs")).unwrap_err();
    let shown = errs.to_string();
    let line = text.lines().position(|l| l.contains("tagz")).unwrap() + 1;
    assert!(shown.contains(&format!("bad.yaml:{line}:")), "{shown}");
    assert!(shown.contains("tagz") && shown.contains("tags"), "{shown}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_scenario_loads_and_quotes_its_document() {
    let docs = root().join("../shared/docs");
    let files = specgate::load::scenario::discover(&root().join("scenarios")).unwrap();
    assert!(files.len() >= 7, "{files:?}");
    for f in files {
        let s = specgate::load::load_scenario(&f, &root().join("specs"))
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let doc = docs.join(&s.spec.contract.document);
        if let Ok(text) = std::fs::read_to_string(&doc) {
            let missing = s.check_cites(&text);
            assert!(
                missing.is_empty(),
                "{}: not in {}: {missing:?}",
                f.display(),
                doc.display()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_budget_ends_a_timed_run_without_waiting_out_its_run_time() {
    let _g = SERIAL.lock().await;
    let mut o = options(2, None, &[]);
    o.max_requests = 50;
    o.run_time = Duration::from_secs(60);
    let started = std::time::Instant::now();
    let run = run("peer-single-endpoint", None, o).await;
    assert_eq!(run.ended, Ended::MaxRequests);
    assert!(run.requests_total <= 50, "{}", run.requests_total);
    // Far from the 60 s run time it used to wait out (generously, for a loaded CI machine).
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_load_users_than_the_cap_are_refused_before_any_is_built() {
    let _g = SERIAL.lock().await;
    let too_many = specgate::load::run::MAX_LOAD_USERS + 1;
    let err = run_load(
        scenario("peer-single-endpoint"),
        &specgate::target::Target {
            base_url: "http://127.0.0.1:9/".into(),
            ..Default::default()
        },
        &options(too_many, Some(1), &[]),
    )
    .await
    .expect_err("refused");
    assert!(
        matches!(err.kind, LoadErrorKind::TooManyUsers(n) if n == too_many),
        "{err}"
    );
}

#[test]
fn a_run_that_sent_nothing_fails_and_too_many_users_is_a_usage_error() {
    let dir = std::env::temp_dir().join(format!("specgate-load-none-{}", std::process::id()));
    let json = dir.join("load.json");
    let out = specgate(&[
        "load",
        "--scenario",
        "scenarios/peer-single-endpoint.yaml",
        "--run-time",
        "1ms",
        "--report",
        &format!("json={}", json.display()),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("the run sent no request"), "{stderr}");
    assert!(json.is_file(), "the report is still written");
    let _ = std::fs::remove_dir_all(&dir);

    let out = specgate(&[
        "load",
        "--scenario",
        "scenarios/peer-single-endpoint.yaml",
        "--concurrency",
        "100000",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("between 1 and 1000"), "{stderr}");
}

/// The 1-based line of the only line of `text` holding `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(lines.len(), 1, "`{needle}` is not on exactly one line");
    lines[0]
}

/// A scenario's steps are the contracts' `Step`: a field of the load's steps is refused in
/// setup, setup's `repeat` in the load, and a load step's `expect` holds only a status; each
/// mistake at its own line.
#[test]
fn scenario_step_fields_are_refused_where_they_do_not_belong() {
    let dir = std::env::temp_dir().join(format!("specgate-steps-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("board.yaml");
    let text = std::fs::read_to_string(root().join("scenarios/checklist-items-board.yaml"))
        .unwrap()
        .replace(
            "    capture: { other_id: \"$.data.id\" }\n",
            "    capture: { other_id: \"$.data.id\" }\n    follow: $.links.next\n",
        )
        .replace(
            "      - request: { operation: getChecklist, path_params: { id: \"{{item_id}}\" } }\n",
            "      - request: { operation: getChecklist, path_params: { id: \"{{item_id}}\" } }\n        repeat: items\n",
        )
        .replace(
            "      - request: { operation: listChecklistComments, path_params: { id: \"{{item_id}}\" } }\n",
            "      - request: { operation: listChecklistComments, path_params: { id: \"{{item_id}}\" } }\n        expect: { status: 200, schema: Unknown }\n",
        );
    std::fs::write(&file, &text).unwrap();
    let errs = specgate::load::load_scenario(&file, &root().join("specs")).unwrap_err();
    let mut lines: Vec<usize> = errs.0.iter().map(|e| e.location.line).collect();
    lines.sort();
    assert_eq!(
        lines,
        vec![
            line_of(&text, "follow: $.links.next"),
            line_of(&text, "        repeat: items"),
            line_of(&text, "schema: Unknown"),
        ],
        "{errs}"
    );
    let shown = errs.to_string();
    assert!(shown.contains("takes no `follow`"), "{shown}");
    assert!(shown.contains("takes no `repeat`"), "{shown}");
    assert!(shown.contains("holds only a `status`"), "{shown}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `expect: 201` is a status, in a scenario's load step as in a contract's step.
#[test]
fn a_bare_status_is_a_steps_expected_status() {
    let s = scenario("optacheck-churn");
    let specgate::load::scenario::Work::Mix { transactions, .. } = &s.work else {
        panic!("optacheck-churn is a transactions scenario");
    };
    let create = &transactions[0].steps[0];
    assert_eq!(
        create.key,
        "POST /v1.0/workspaces/{workspace_id}/assignments/"
    );
    let created = create.expect.as_ref().expect("a status");
    assert!(created.matches(201) && !created.matches(200), "{created}");
    let step: specgate::contract::step::Step =
        serde_yaml::from_str("request: { operation: createNote }\nexpect: [200, 4xx]").unwrap();
    let status = step.expect.and_then(|e| e.status).expect("a status");
    assert!(status.matches(200) && status.matches(404) && !status.matches(201));
}

/// The fields only a scenario's steps take are refused in a contract, at their place.
#[test]
fn a_contract_step_refuses_the_scenario_fields() {
    let mini = root().join("tests/fixtures/valid/mini");
    let openapi = std::fs::read_to_string(mini.join("openapi.yaml")).unwrap();
    let contract = std::fs::read_to_string(mini.join("contract.yaml"))
        .unwrap()
        .replace(
            "        capture: { id: \"$.id\" }\n",
            "        capture: { id: \"$.id\" }\n        each: $.data[*]\n",
        );
    let errs = specgate::spec::load_spec_from_str(&mini, &openapi, &contract).unwrap_err();
    assert_eq!(errs.0.len(), 1, "{errs}");
    assert_eq!(
        errs.0[0].location.line,
        line_of(&contract, "each: $.data[*]")
    );
    assert!(errs.to_string().contains("takes no `each`"), "{errs}");
}

/// A step whose answer is not read (no capture, follow or fan-out) still leads to its `then`:
/// each of them once per answer, with the variables the step had.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_with_only_then_runs_its_then() {
    let _g = SERIAL.lock().await;
    let dir = std::env::temp_dir().join(format!("specgate-then-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("then.yaml");
    let text = std::fs::read_to_string(root().join("scenarios/peer-single-endpoint.yaml"))
        .unwrap()
        .replace(
            "resource_id: \"1\" } }\n",
            "resource_id: \"1\" } }\n        then:\n          - name: again\n            \
             request: { operation: listChecklists, query: { resource_type: task, resource_id: \"2\" } }\n",
        )
        .replace(
            "  GET /checklists: concurrency * iterations\n",
            "  GET /checklists: concurrency * iterations\n  GET again: concurrency * iterations\n",
        );
    std::fs::write(&file, &text).unwrap();
    let s = Arc::new(specgate::load::load_scenario(&file, &root().join("specs")).unwrap());
    let mock = specgate::mock::start(&s.spec.name, Default::default())
        .await
        .unwrap();
    let run = run_load(s, &mock.target, &options(2, Some(3), &[]))
        .await
        .unwrap();
    mock.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    assert_exact(&run);
    assert_eq!(count(&run, "GET again"), 6);
}
