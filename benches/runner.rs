//! The runner's evaluation core on real answers of the built-in mocks (fetched once in setup):
//! `cargo bench --bench runner`.
//!
//! - pagination: reading a page's `links` and walking the Checklick user list (95 users, 5
//!   pages of 20) through its `next` links, in memory; and the contract's own
//!   `checklick.pagination.walk` rule run by the engine against the mock (HTTPS included);
//! - a lifecycle step: the captures of `checklist-items.list.envelope`'s create step and the
//!   assertions (status, content type, schema, 11 JSONPaths) of its list step;
//! - Checkvist: the JSON timestamps (`YYYY/MM/DD HH:MM:SS +0000`) of a task list, and its XML
//!   task lists (parsing, element paths, ISO 8601 timestamps).
//!
//! Each is checked to pass (or fail, for the invalid cases) before it is measured. build:
//! parsing (bodies, steps, XML trees); evaluate: what a rule does with the parsed data.

use std::collections::HashMap;

use base64::Engine as _;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::{json, Value};
use specgate::check::pagination::{origin, page_items, page_link};
use specgate::check::Kind;
use specgate::contract::step::Step;
use specgate::exchange::response::Response;
use specgate::exchange::xml;
use specgate::expect::evaluate;
use specgate::expect::select_json;
use specgate::jsonpath::Query;
use specgate::rule_context::capture;
use specgate::vars::Vars;

mod common;
use common::Mock;

fn rule<'a>(spec: &'a specgate::Spec, id: &str) -> &'a Kind {
    &spec
        .rules
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("rule {id}"))
        .kind
}

// ------------------------------------------------------------------ pagination

/// Every page of the Checklick user list by its next links: (URL, body) in order.
async fn checklick_pages() -> Vec<(String, Vec<u8>)> {
    let m = Mock::start("checklick").await;
    let headers = common::checklick_headers(&m);
    let mut pages = Vec::new();
    let mut url = m.url("/users?page[size]=20");
    loop {
        let body = m.get(&url, &headers).await;
        let v: Value = serde_json::from_slice(&body).expect("JSON");
        pages.push((url.clone(), body));
        match page_link(&v, &Query::from("$.links.next"), &Vars::new()) {
            Some(next) => url = next,
            None => break,
        }
        assert!(pages.len() < 100, "the walk ends");
    }
    m.shutdown().await;
    pages
}

/// The walk of a `pagination` rule, without the HTTP: read the items and their ids, read the
/// next link, check it stays within the origin, take the page it names.
fn walk(first: &str, pages: &HashMap<String, Value>, vars: &Vars) -> (usize, usize) {
    let mut ids = std::collections::BTreeSet::new();
    let (mut url, mut count) = (first.to_string(), 0);
    let mut n = 0;
    // A rule's paths are parsed once, when its spec loads.
    let (items, item_id, next) = (
        Query::from("$.data"),
        Query::from("$.id"),
        Query::from("$.links.next"),
    );
    loop {
        let body = &pages[&url];
        n += 1;
        for item in page_items(body, &items, vars) {
            let id = select_json(&item, &item_id, vars)
                .ok()
                .and_then(|v| v.into_iter().next())
                .unwrap_or(Value::Null);
            ids.insert(id.to_string());
            count += 1;
        }
        match page_link(body, &next, vars) {
            Some(next) if origin(&next) == origin(first) => url = next,
            _ => break,
        }
    }
    assert_eq!(ids.len(), count, "every item once");
    (n, count)
}

fn pagination(c: &mut Criterion) {
    let rt = common::runtime();
    let pages = rt.block_on(checklick_pages());
    let vars = Vars::new();
    let bytes: u64 = pages.iter().map(|(_, b)| b.len() as u64).sum();

    let mut g = c.benchmark_group("build/pagination");
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("parse_checklick_user_pages", |b| {
        b.iter(|| {
            pages
                .iter()
                .map(|(_, b)| serde_json::from_slice::<Value>(b).expect("JSON"))
                .collect::<Vec<_>>()
        })
    });
    g.finish();

    let parsed: HashMap<String, Value> = pages
        .iter()
        .map(|(u, b)| (u.clone(), serde_json::from_slice(b).unwrap()))
        .collect();
    let first_url = pages[0].0.clone();
    let first = &parsed[&first_url];
    let (n_pages, n_users) = walk(&first_url, &parsed, &vars);
    assert_eq!((n_pages, n_users), (5, 95), "95 users in 5 pages of 20");

    let mut g = c.benchmark_group("evaluate/pagination");
    let (next, last, data) = (
        Query::from("$.links.next"),
        Query::from("$.links.last"),
        Query::from("$.data"),
    );
    g.throughput(Throughput::Elements(2));
    g.bench_function("read_links_next_last", |b| {
        b.iter(|| {
            assert!(page_link(first, &next, &vars).is_some());
            assert!(page_link(first, &last, &vars).is_some());
        })
    });
    g.throughput(Throughput::Elements(20));
    g.bench_function("items_of_a_page_of_20", |b| {
        b.iter(|| assert_eq!(page_items(first, &data, &vars).len(), 20))
    });
    g.throughput(Throughput::Elements(n_users as u64));
    g.bench_function("walk_95_users_in_memory", |b| {
        b.iter(|| walk(&first_url, &parsed, &vars))
    });
    g.finish();

    // The contract's walk rule, run by the engine against the mock: HTTPS, request building,
    // the checks on every answer (and the run's conformance checks over its exchanges).
    let spec = common::load("checklick");
    let options = specgate::run::engine::RunOptions {
        rules: vec!["checklick.pagination.walk".into()],
        ..Default::default()
    };
    let mock = rt.block_on(Mock::start("checklick"));
    let run = || {
        rt.block_on(specgate::run::engine::run_api(
            &spec,
            &mock.mock.target,
            &options,
            &mut |_| {},
        ))
    };
    let result = run();
    let walked = result
        .results
        .iter()
        .find(|r| r.id == "checklick.pagination.walk")
        .expect("the walk rule ran");
    assert_eq!(
        walked.status,
        specgate::results::Status::Passed,
        "{walked:?}"
    );
    // Without a documented total, the rule walks by next links, then by page number.
    assert_eq!(walked.exchanges, 2 * n_pages, "each page twice");
    let mut g = c.benchmark_group("evaluate/pagination");
    g.sample_size(20);
    g.throughput(Throughput::Elements(n_users as u64));
    g.bench_function("walk_rule_against_the_mock", |b| b.iter(run));
    g.finish();
    rt.block_on(mock.shutdown());
}

// ------------------------------------------------------------------ lifecycle step

async fn to_response(r: reqwest::Response) -> Response {
    let status = r.status().as_u16();
    let headers = r
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    Response::new(status, headers, r.bytes().await.expect("a body").to_vec())
}

fn lifecycle(c: &mut Criterion) {
    let spec = common::load("checklist-items");
    let Kind::Lifecycle(p) = rule(&spec, "checklist-items.list.envelope") else {
        panic!("a lifecycle")
    };
    let (create, list) = (&p.steps[0], &p.steps[1]);
    let mut vars = Vars::new();
    vars.set("run_id", json!("bench"));
    vars.set("unix_now", json!(1_700_000_000i64));
    // The two requests of the steps, sent to the mock as the runner would.
    let rt = common::runtime();
    let (created, listed) = rt.block_on(async {
        let m = Mock::start("checklist-items").await;
        let auth = format!("Bearer {}", m.credential("api_key"));
        // A step's form or query fields, with their `{{variables}}` rendered.
        let rendered =
            |pairs: &std::collections::BTreeMap<String, Value>| -> Vec<(String, String)> {
                pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), vars.render(v.as_str().unwrap()).unwrap()))
                    .collect()
            };
        let form = rendered(create.request.form.as_ref().expect("a form"));
        let created = m
            .client
            .post(m.url("/checklists"))
            .header("Authorization", &auth)
            .form(&form)
            .send()
            .await
            .expect("an answer");
        let created = to_response(created).await;
        let query = rendered(&list.request.query);
        let listed = m
            .client
            .get(m.url("/checklists"))
            .header("Authorization", &auth)
            .query(&query)
            .send()
            .await
            .expect("an answer");
        let listed = to_response(listed).await;
        m.shutdown().await;
        (created, listed)
    });
    capture(&mut vars, &created, &create.capture).expect("the capture selects the id");
    let expect = list.expect.as_ref().expect("an expect");
    assert_eq!(evaluate(expect, &listed, &spec.api, &vars), vec![]);
    let mut wrong: Value = listed.json().unwrap();
    wrong["data"][0]["status"] = json!("completed");
    let wrong = Response::new(
        listed.status,
        listed.headers.clone(),
        serde_json::to_vec(&wrong).unwrap(),
    );
    assert_eq!(evaluate(expect, &wrong, &spec.api, &vars).len(), 1);
    let assertions = 3 + expect.json.len() as u64;

    // The steps as the contract writes them.
    let contract: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string(spec.contract_path()).expect("contract.yaml"),
    )
    .unwrap();
    let written = contract["rules"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|r| r["id"].as_str() == Some("checklist-items.list.envelope"))
        .expect("the rule")["steps"]
        .clone();
    let steps_yaml = serde_yaml::to_string(&written).unwrap();
    assert_eq!(
        serde_yaml::from_str::<Vec<Step>>(&steps_yaml).expect("steps"),
        p.steps
    );
    let mut g = c.benchmark_group("build/lifecycle");
    g.throughput(Throughput::Bytes(steps_yaml.len() as u64));
    g.bench_function("parse_steps_yaml", |b| {
        b.iter(|| serde_yaml::from_str::<Vec<Step>>(&steps_yaml).expect("steps"))
    });
    g.throughput(Throughput::Bytes(listed.body.len() as u64));
    g.bench_function("parse_list_body", |b| b.iter(|| listed.json().unwrap()));
    g.finish();

    let mut g = c.benchmark_group("evaluate/lifecycle");
    g.throughput(Throughput::Elements(create.capture.len() as u64));
    g.bench_function("capture", |b| {
        let mut v = vars.clone();
        b.iter(|| capture(&mut v, &created, &create.capture).unwrap())
    });
    g.throughput(Throughput::Elements(assertions));
    g.bench_function("assertions_valid", |b| {
        b.iter(|| assert!(evaluate(expect, &listed, &spec.api, &vars).is_empty()))
    });
    g.bench_function("assertions_invalid", |b| {
        b.iter(|| assert!(!evaluate(expect, &wrong, &spec.api, &vars).is_empty()))
    });
    g.finish();
}

// ------------------------------------------------------------------ Checkvist

struct Checkvist {
    tasks_json: Vec<u8>,
    tasks_xml: String,
    checklists_xml: String,
}

async fn checkvist() -> Checkvist {
    let m = Mock::start("checkvist").await;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        m.credential("username"),
        m.credential("remote_key")
    ));
    let auth = vec![("Authorization", format!("Basic {basic}"))];
    let lists: Value =
        serde_json::from_slice(&m.get("/checklists.json", &auth).await).expect("JSON");
    let biggest = lists
        .as_array()
        .expect("a list")
        .iter()
        .max_by_key(|l| l["task_count"].as_u64().unwrap_or(0))
        .expect("a checklist")["id"]
        .clone();
    let tasks_json = m
        .get(&format!("/checklists/{biggest}/tasks.json"), &auth)
        .await;
    let tasks_xml = m
        .get(&format!("/checklists/{biggest}/tasks.xml"), &auth)
        .await;
    let checklists_xml = m.get("/checklists.xml", &auth).await;
    m.shutdown().await;
    Checkvist {
        tasks_json,
        tasks_xml: String::from_utf8(tasks_xml).unwrap(),
        checklists_xml: String::from_utf8(checklists_xml).unwrap(),
    }
}

fn checkvist_bench(c: &mut Criterion) {
    let spec = common::load("checkvist");
    let Kind::TimestampFormat(json_ts) = rule(&spec, "checkvist.timestamps.tasks-updated-json")
    else {
        panic!("a timestamp-format rule")
    };
    let Kind::TimestampFormat(xml_ts) = rule(&spec, "checkvist.timestamps.checklists-xml") else {
        panic!("a timestamp-format rule")
    };
    let data = common::runtime().block_on(checkvist());
    let vars = Vars::new();
    let fields = [
        Query::from("$[*].updated_at"),
        Query::from("$[*].created_at"),
    ];
    let select = |body: &Value| -> Vec<String> {
        fields
            .iter()
            .flat_map(|f| select_json(body, f, &vars).unwrap())
            .map(|v| v.as_str().expect("a string timestamp").to_string())
            .collect()
    };
    let tasks: Value = serde_json::from_slice(&data.tasks_json).unwrap();
    let stamps = select(&tasks);
    assert!(stamps.len() >= 10, "{} timestamps", stamps.len());
    assert!(stamps.iter().all(|t| json_ts.problem(t).is_none()));
    // The same instants written as ISO 8601: every one is wrong for Checkvist's JSON.
    let iso: Vec<String> = stamps
        .iter()
        .filter(|t| !t.is_empty())
        .map(|t| {
            chrono::DateTime::parse_from_str(t, "%Y/%m/%d %H:%M:%S %z")
                .unwrap()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        })
        .collect();
    assert!(iso.iter().all(|t| json_ts.problem(t).is_some()));

    let mut g = c.benchmark_group("build/checkvist");
    g.throughput(Throughput::Bytes(data.tasks_json.len() as u64));
    g.bench_function("tasks_json_parse_and_select_timestamps", |b| {
        b.iter(|| select(&serde_json::from_slice(&data.tasks_json).unwrap()).len())
    });
    g.throughput(Throughput::Bytes(data.tasks_xml.len() as u64));
    g.bench_function("tasks_xml_parse", |b| {
        b.iter(|| xml::parse(&data.tasks_xml).expect("XML"))
    });
    g.throughput(Throughput::Bytes(data.checklists_xml.len() as u64));
    g.bench_function("checklists_xml_parse", |b| {
        b.iter(|| xml::parse(&data.checklists_xml).expect("XML"))
    });
    g.finish();

    let root = xml::parse(&data.tasks_xml).unwrap();
    let ids = xml::select(&root, "tasks/task/id");
    assert!(!ids.is_empty());
    let lists = xml::parse(&data.checklists_xml).unwrap();
    let xml_stamps = xml::select(&lists, "checklists/*/updated_at");
    assert!(!xml_stamps.is_empty());
    assert!(xml_stamps.iter().all(|t| xml_ts.problem(t).is_none()));

    let mut g = c.benchmark_group("evaluate/checkvist");
    g.throughput(Throughput::Elements(stamps.len() as u64));
    g.bench_function("json_timestamps_valid", |b| {
        b.iter(|| {
            stamps
                .iter()
                .filter(|t| json_ts.problem(t).is_some())
                .count()
        })
    });
    g.throughput(Throughput::Elements(iso.len() as u64));
    g.bench_function("json_timestamps_invalid", |b| {
        b.iter(|| iso.iter().filter(|t| json_ts.problem(t).is_some()).count())
    });
    g.throughput(Throughput::Elements(ids.len() as u64));
    g.bench_function("tasks_xml_select_paths", |b| {
        b.iter(|| {
            (
                xml::select(&root, "tasks/task/id").len(),
                xml::select(&root, "tasks/task/content").len(),
                xml::select(&root, "tasks/task/parent_id/@nil").len(),
                xml::select(&root, "*/*/status").len(),
            )
        })
    });
    g.throughput(Throughput::Elements(xml_stamps.len() as u64));
    g.bench_function("checklists_xml_timestamps", |b| {
        b.iter(|| {
            xml::select(&lists, "checklists/*/updated_at")
                .iter()
                .filter(|t| xml_ts.problem(t).is_some())
                .count()
        })
    });
    g.finish();
}

criterion_group!(benches, pagination, lifecycle, checkvist_bench);
criterion_main!(benches);
