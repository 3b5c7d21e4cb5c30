//! The engine end to end, on the mini fixture's API served by a small test server: the faithful
//! server passes every rule and the conformance checks; each fault fails exactly its rule.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use specgate::results::Status;
use specgate::run::engine::{run_api, RunOptions};
use specgate::target::{Credentials, Target};

#[derive(Clone, Copy, PartialEq)]
enum Fault {
    None,
    DefaultPageOf5,
    IgnoresApiVersion,
    NotFoundIs200,
    CreateIs200,
}

#[derive(Clone)]
struct App {
    fault: Fault,
    notes: Arc<Mutex<BTreeMap<u64, String>>>,
}

fn refuse(status: StatusCode, m: &str) -> Response {
    (status, Json(json!({"message": m}))).into_response()
}

fn guard(app: &App, h: &HeaderMap) -> Option<Response> {
    if h.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer k3y") {
        return Some(refuse(StatusCode::UNAUTHORIZED, "no key"));
    }
    if app.fault != Fault::IgnoresApiVersion
        && h.get("api-version").and_then(|v| v.to_str().ok()) != Some("1")
    {
        return Some(refuse(
            StatusCode::BAD_REQUEST,
            "Api-Version: 1 is required",
        ));
    }
    None
}

async fn list(State(app): State<App>, h: HeaderMap) -> Response {
    if let Some(r) = guard(&app, &h) {
        return r;
    }
    let size = if app.fault == Fault::DefaultPageOf5 {
        5
    } else {
        10
    };
    let notes = app.notes.lock().unwrap();
    let data: Vec<Value> = notes
        .iter()
        .take(size)
        .map(|(id, t)| json!({"id": id, "text": t}))
        .collect();
    Json(json!({ "data": data, "meta": { "total": notes.len() } })).into_response()
}

async fn create(State(app): State<App>, h: HeaderMap, Json(body): Json<Value>) -> Response {
    if let Some(r) = guard(&app, &h) {
        return r;
    }
    let text = body["text"].as_str().unwrap_or("").to_string();
    let mut notes = app.notes.lock().unwrap();
    let id = notes.keys().last().copied().unwrap_or(0) + 1;
    notes.insert(id, text.clone());
    let status = if app.fault == Fault::CreateIs200 {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    (status, Json(json!({"id": id, "text": text}))).into_response()
}

async fn one(State(app): State<App>, h: HeaderMap, Path(id): Path<u64>) -> Response {
    if let Some(r) = guard(&app, &h) {
        return r;
    }
    match app.notes.lock().unwrap().get(&id) {
        Some(t) => Json(json!({"id": id, "text": t})).into_response(),
        None if app.fault == Fault::NotFoundIs200 => {
            Json(json!({"id": id, "text": ""})).into_response()
        }
        None => refuse(StatusCode::NOT_FOUND, "no such note"),
    }
}

async fn remove(State(app): State<App>, h: HeaderMap, Path(id): Path<u64>) -> Response {
    if let Some(r) = guard(&app, &h) {
        return r;
    }
    app.notes.lock().unwrap().remove(&id);
    StatusCode::NO_CONTENT.into_response()
}

async fn serve(fault: Fault) -> (Target, tokio::task::JoinHandle<()>) {
    let notes = (1..=25).map(|i| (i, format!("seed note {i}"))).collect();
    let app = App {
        fault,
        notes: Arc::new(Mutex::new(notes)),
    };
    let router = Router::new()
        .route("/notes", get(list).post(create))
        .route("/notes/{id}", get(one).delete(remove))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    let target = Target {
        api: "mini".into(),
        base_url,
        credentials: Credentials::default().with("api_key", "k3y"),
        ..Default::default()
    };
    (target, task)
}

fn mini() -> specgate::Spec {
    specgate::load_spec(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/mini"),
    )
    .unwrap()
}

async fn failed_rules(fault: Fault) -> Vec<String> {
    let spec = mini();
    let (target, server) = serve(fault).await;
    let result = run_api(&spec, &target, &RunOptions::default(), &mut |_| {}).await;
    server.abort();
    assert!(result.unreachable.is_none());
    // 4 rules and the 3 conformance checks, in the contract's order.
    let ids: Vec<&str> = result.results.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "mini.headers.api-version",
            "mini.pagination.default-size",
            "mini.errors.not-found",
            "mini.notes.lifecycle",
            "mini.conformance.not-a-server-error",
            "mini.conformance.status-code-conformance",
            "mini.conformance.response-schema-conformance",
        ]
    );
    for r in &result.results {
        if r.status == Status::Failed {
            assert!(!r.failures.is_empty(), "{} failed without saying why", r.id);
            for f in &r.failures {
                if let Some(x) = &f.exchange {
                    assert!(
                        !x.curl.contains("k3y"),
                        "a secret reached a curl line: {}",
                        x.curl
                    );
                    // Shown as the variable a mock's banner would export for a target
                    // given in-process, where the shell expands it.
                    assert!(
                        x.curl.contains("\"Authorization: Bearer ${MINI_API_KEY}\""),
                        "{}",
                        x.curl
                    );
                }
            }
        }
    }
    result
        .results
        .iter()
        .filter(|r| r.status == Status::Failed)
        .map(|r| r.id.clone())
        .collect()
}

#[tokio::test]
async fn the_faithful_server_passes_every_rule() {
    assert_eq!(failed_rules(Fault::None).await, Vec::<String>::new());
}

#[tokio::test]
async fn each_fault_fails_its_rule() {
    assert_eq!(
        failed_rules(Fault::DefaultPageOf5).await,
        ["mini.pagination.default-size"]
    );
    assert_eq!(
        failed_rules(Fault::IgnoresApiVersion).await,
        ["mini.headers.api-version"]
    );
    // A 200 for an unknown id breaks the rule, and its body is not a documented 200 either.
    let not_found = failed_rules(Fault::NotFoundIs200).await;
    assert_eq!(not_found[0], "mini.errors.not-found");
    // 200 where the document says 201: the lifecycle fails, and 200 is not documented.
    assert_eq!(
        failed_rules(Fault::CreateIs200).await,
        [
            "mini.notes.lifecycle",
            "mini.conformance.status-code-conformance"
        ]
    );
}

#[tokio::test]
async fn an_unreachable_target_is_reported_once() {
    let spec = mini();
    let (target, server) = serve(Fault::None).await;
    server.abort();
    let _ = server.await;
    let result = run_api(&spec, &target, &RunOptions::default(), &mut |_| {}).await;
    assert!(result.unreachable.is_some());
    assert!(result.results.is_empty());
}

#[tokio::test]
async fn read_only_skips_writing_rules() {
    let spec = mini();
    let (target, server) = serve(Fault::CreateIs200).await;
    let options = RunOptions {
        read_only: true,
        ..Default::default()
    };
    let result = run_api(&spec, &target, &options, &mut |_| {}).await;
    server.abort();
    let lifecycle = result
        .results
        .iter()
        .find(|r| r.id == "mini.notes.lifecycle")
        .unwrap();
    assert_eq!(lifecycle.status, Status::Skipped);
    assert!(result.results.iter().all(|r| r.status != Status::Failed));
}

#[tokio::test]
async fn a_profiles_skips_come_first_and_keep_their_reason() {
    let spec = mini();
    let (target, server) = serve(Fault::NotFoundIs200).await;
    let options = RunOptions {
        read_only: true,
        skip_reasons: vec![
            (
                "mini.errors.*".into(),
                "no such id on this deployment".into(),
            ),
            (
                "mini.notes.lifecycle".into(),
                "writes are not allowed here".into(),
            ),
        ],
        ..Default::default()
    };
    let result = run_api(&spec, &target, &options, &mut |_| {}).await;
    server.abort();
    let reason = |id: &str| {
        let r = result.results.iter().find(|r| r.id == id).unwrap();
        assert_eq!(r.status, Status::Skipped, "{id}");
        r.reason.clone().unwrap_or_default()
    };
    // The fault breaks `mini.errors.not-found`: skipped, it cannot fail.
    assert_eq!(
        reason("mini.errors.not-found"),
        "no such id on this deployment"
    );
    // A writing rule the profile skips keeps the profile's reason over --read-only's.
    assert_eq!(
        reason("mini.notes.lifecycle"),
        "writes are not allowed here"
    );
}

#[tokio::test]
async fn the_json_report_matches_its_published_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the report schema compiles");
    let spec = mini();
    let mut results = Vec::new();
    for fault in [Fault::None, Fault::CreateIs200, Fault::NotFoundIs200] {
        let (target, server) = serve(fault).await;
        results.push(run_api(&spec, &target, &RunOptions::default(), &mut |_| {}).await);
        server.abort();
    }
    let (target, server) = serve(Fault::None).await;
    server.abort();
    let _ = server.await;
    results.push(run_api(&spec, &target, &RunOptions::default(), &mut |_| {}).await);
    let report: Value =
        serde_json::from_str(&specgate::report::check::json(&results, false)).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The report is not trivially valid: it holds failures with exchanges and an unreachable target.
    assert!(report["summary"]["failing"].as_u64().unwrap() >= 2);
    assert!(report["summary"]["unreachable"].as_u64().unwrap() == 1);
    assert!(
        report
            .pointer("/apis/1/results/3/failures/0/exchange/curl")
            .is_some(),
        "{report:#}"
    );
    // And the schema does reject a report that is not one.
    let mut broken = report.clone();
    broken["apis"][1]["results"][3]["status"] = json!("flaky");
    assert!(!validator.is_valid(&broken));
}

#[tokio::test]
async fn every_report_format_renders_failures_with_their_cite_and_curl() {
    let spec = mini();
    let (target, server) = serve(Fault::CreateIs200).await;
    let results = vec![run_api(&spec, &target, &RunOptions::default(), &mut |_| {}).await];
    server.abort();
    let junit = specgate::report::check::junit(&results, false);
    assert!(
        junit.contains("<testsuite name=\"mini\" tests=\"7\" failures=\"2\""),
        "{junit}"
    );
    assert!(junit.contains("<failure message="));
    let md = specgate::report::check::markdown(&results, false);
    assert!(
        md.contains("### `mini.notes.lifecycle`")
            && md.contains("> Creating a note returns 201 Created.")
            && md.contains("```sh"),
        "{md}"
    );
    let html = specgate::report::check::html(&results, false);
    assert!(
        html.starts_with("<!DOCTYPE html>")
            && !html.contains("<script")
            && !html.contains("http://cdn"),
        "self-contained"
    );
    assert!(html.contains("Creating a note returns 201 Created.") && html.contains("curl -sS"));
    for text in [&junit, &md, &html] {
        assert!(!text.contains("k3y"), "a secret reached a report");
    }
}
