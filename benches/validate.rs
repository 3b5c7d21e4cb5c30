//! Validating answers against their compiled schemas (`cargo bench --bench validate`): a
//! 20-user Checklick JSON:API page (listUsers), a checklist-items page of 100 (listChecklists)
//! and a CheckTick survey (getSurvey), each valid and invalid. The bodies are the built-in
//! mocks' own answers, fetched once in setup (the page of 100 is a real page of the mock with
//! its items repeated under new ids: the mock seeds five items per parent). Each is asserted
//! valid, or invalid, before it is measured.
//!
//! build: parsing a body's bytes into JSON (what the runner does before validating).
//! evaluate: `is_valid`; the errors as the runner collects them (`iter_errors`, first 5);
//! and the runner's own `validate_body` (parse + errors) from the recorded response.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::{json, Value};
use specgate::exchange::response::Response;
use specgate::expect::validate_body;

mod common;
use common::Mock;

struct Case {
    name: &'static str,
    api: &'static str,
    operation: &'static str,
    valid: Value,
    invalid: Value,
    /// Items of a page; None for a single resource (then bytes per second).
    items: Option<u64>,
}

async fn checklick_page() -> (Value, Value) {
    let m = Mock::start("checklick").await;
    let body = m
        .get("/users?page[size]=20", &common::checklick_headers(&m))
        .await;
    m.shutdown().await;
    let valid: Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(valid["data"].as_array().map(Vec::len), Some(20));
    let mut invalid = valid.clone();
    // A JSON:API resource id is a string.
    invalid["data"][10]["id"] = json!(11);
    (valid, invalid)
}

async fn checklist_items_page_of_100() -> (Value, Value) {
    let m = Mock::start("checklist-items").await;
    let auth = common::bearer_headers(&m);
    let mut page = None;
    for parent in 1..=20 {
        for kind in ["task", "project"] {
            let body = m
                .get(
                    &format!("/checklists?resource_type={kind}&resource_id={parent}&limit=100"),
                    &auth,
                )
                .await;
            let v: Value = serde_json::from_slice(&body).expect("JSON");
            if v["data"].as_array().is_some_and(|d| !d.is_empty()) {
                page = Some(v);
                break;
            }
        }
        if page.is_some() {
            break;
        }
    }
    m.shutdown().await;
    let mut valid = page.expect("a seeded parent with items");
    let items = valid["data"].as_array().cloned().unwrap();
    let data: Vec<Value> = (0..100)
        .map(|i| {
            let mut item = items[i % items.len()].clone();
            item["id"] = json!(1000 + i);
            item
        })
        .collect();
    valid["data"] = Value::Array(data);
    valid["meta"]["per_page"] = json!(100);
    valid["meta"]["total"] = json!(100);
    valid["meta"]["last_page"] = json!(1);
    let mut invalid = valid.clone();
    invalid["data"][50]["status"] = json!("archived");
    (valid, invalid)
}

async fn checktick_survey() -> (Value, Value) {
    let m = Mock::start("checktick").await;
    let auth = common::bearer_headers(&m);
    let list: Value = serde_json::from_slice(&m.get("/api/surveys/", &auth).await).expect("JSON");
    let id = list[0]["id"].clone();
    let id = id
        .as_u64()
        .map(|n| n.to_string())
        .unwrap_or_else(|| id.as_str().expect("a survey id").to_string());
    let body = m.get(&format!("/api/surveys/{id}/"), &auth).await;
    m.shutdown().await;
    let valid: Value = serde_json::from_slice(&body).expect("JSON");
    let mut invalid = valid.clone();
    // The survey's id is an integer or a string.
    invalid["id"] = json!(true);
    (valid, invalid)
}

fn cases() -> Vec<Case> {
    let rt = common::runtime();
    let (users, bad_users) = rt.block_on(checklick_page());
    let (items, bad_items) = rt.block_on(checklist_items_page_of_100());
    let (survey, bad_survey) = rt.block_on(checktick_survey());
    vec![
        Case {
            name: "checklick_users_page_of_20",
            api: "checklick",
            operation: "listUsers",
            valid: users,
            invalid: bad_users,
            items: Some(20),
        },
        Case {
            name: "checklist_items_page_of_100",
            api: "checklist-items",
            operation: "listChecklists",
            valid: items,
            invalid: bad_items,
            items: Some(100),
        },
        Case {
            name: "checktick_survey",
            api: "checktick",
            operation: "getSurvey",
            valid: survey,
            invalid: bad_survey,
            items: None,
        },
    ]
}

fn response(body: &Value) -> Response {
    Response::new(
        200,
        vec![("Content-Type".into(), "application/json".into())],
        serde_json::to_vec(body).unwrap(),
    )
}

fn validate(c: &mut Criterion) {
    let cases = cases();
    let specs: Vec<specgate::Spec> = cases.iter().map(|k| common::load(k.api)).collect();

    let mut g = c.benchmark_group("build/parse_body");
    for case in &cases {
        let bytes = serde_json::to_vec(&case.valid).unwrap();
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(case.name, |b| {
            b.iter(|| serde_json::from_slice::<Value>(&bytes).expect("JSON"))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("evaluate/validate");
    for (case, spec) in cases.iter().zip(&specs) {
        let validator = spec
            .api
            .response_validator(case.operation, "200", None)
            .expect("a compiled response schema");
        assert!(validator.is_valid(&case.valid), "{}: valid body", case.name);
        assert!(
            !validator.is_valid(&case.invalid),
            "{}: invalid body",
            case.name
        );
        let subject = format!("body of {} 200", case.operation);
        let (ok, bad) = (response(&case.valid), response(&case.invalid));
        assert!(validate_body(validator, &ok, &subject).is_empty());
        assert_eq!(
            validate_body(validator, &bad, &subject).len(),
            1,
            "{}",
            case.name
        );
        g.throughput(match case.items {
            Some(n) => Throughput::Elements(n),
            None => Throughput::Bytes(ok.body.len() as u64),
        });
        for (label, body, resp, valid) in [
            ("valid", &case.valid, &ok, true),
            ("invalid", &case.invalid, &bad, false),
        ] {
            g.bench_function(format!("{}/{label}/is_valid", case.name), |b| {
                b.iter(|| assert_eq!(validator.is_valid(body), valid))
            });
            g.bench_function(format!("{}/{label}/errors", case.name), |b| {
                b.iter(|| validator.iter_errors(body).take(5).count())
            });
            g.bench_function(format!("{}/{label}/validate_body", case.name), |b| {
                b.iter(|| validate_body(validator, resp, &subject))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, validate);
criterion_main!(benches);
