//! The checklist-items mock over real HTTP: every documented behaviour, bad input, concurrency,
//! one probe per fault (the faithful mock keeps the behaviour, the faulty one breaks it), and
//! one probe per variant (the variant makes its choice, the default mock the other).

mod common;

use std::future::Future;
use std::pin::Pin;

use common::{Auth, Response};
use reqwest::Method;
use serde_json::{json, Value};

const API: &str = "checklist-items";

#[derive(Clone)]
struct C {
    /// Sends `Accept: application/json` and the key, unless a request says otherwise.
    s: common::Session,
    key: String,
    /// The parent the contract's rules write under (the mock's `parent_type`, `parent_id`).
    parent: (String, i64),
}

/// What these tests read in a Laravel answer.
trait Laravel {
    fn data(&self) -> Value;
    fn ids(&self) -> Vec<u64>;
}

impl Laravel for Response {
    fn data(&self) -> Value {
        self.json()["data"].clone()
    }

    fn ids(&self) -> Vec<u64> {
        self.json()["data"]
            .as_array()
            .map(|a| a.iter().filter_map(|i| i["id"].as_u64()).collect())
            .unwrap_or_default()
    }
}

fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish().into_bytes()
}

impl C {
    fn of(m: &specgate::mock::RunningMock) -> C {
        let key = m
            .target
            .credentials
            .get("api_key")
            .expect("an api_key")
            .to_string();
        C {
            s: common::Session::of(m)
                .with_header("Accept", "application/json")
                .with_auth(Auth::Bearer(key.clone())),
            key,
            parent: (
                m.target.fixtures["parent_type"]
                    .as_str()
                    .expect("a parent type")
                    .to_string(),
                m.target.fixtures["parent_id"]
                    .as_i64()
                    .expect("a parent id"),
            ),
        }
    }

    /// The key, as every request sends it unless it says otherwise.
    fn bearer(&self) -> Auth {
        self.s.auth.clone()
    }

    async fn raw(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
        auth: Auth,
    ) -> Response {
        let mut request = self.s.request(method, path).auth(auth).body(body);
        if let Some(ct) = content_type {
            request = request.header("Content-Type", ct);
        }
        let r = request.send().await;
        assert!(r.status < 500, "{path}: {} {}", r.status, r.json());
        r
    }

    async fn get(&self, path: &str) -> Response {
        self.raw(Method::GET, path, None, vec![], self.bearer())
            .await
    }

    async fn send(&self, method: Method, path: &str, pairs: &[(&str, &str)]) -> Response {
        self.raw(
            method,
            path,
            Some("application/x-www-form-urlencoded"),
            form(pairs),
            self.bearer(),
        )
        .await
    }

    async fn json(&self, method: Method, path: &str, body: Value) -> Response {
        self.raw(
            method,
            path,
            Some("application/json"),
            body.to_string().into_bytes(),
            self.bearer(),
        )
        .await
    }

    async fn delete(&self, path: &str) -> Response {
        self.raw(Method::DELETE, path, None, vec![], self.bearer())
            .await
    }

    /// Create an item; its data.
    async fn create(&self, kind: &str, parent: i64, text: &str) -> Value {
        let r = self
            .send(
                Method::POST,
                "/checklists",
                &[
                    ("checklistresource_type", kind),
                    ("checklistresource_id", &parent.to_string()),
                    ("checklist_text", text),
                ],
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.json());
        r.json()["data"].clone()
    }

    async fn create_id(&self, kind: &str, parent: i64, text: &str) -> u64 {
        self.create(kind, parent, text).await["id"]
            .as_u64()
            .expect("an integer id")
    }

    async fn list(&self, kind: &str, parent: i64, extra: &str) -> Response {
        self.get(&format!(
            "/checklists?resource_type={kind}&resource_id={parent}{extra}"
        ))
        .await
    }

    async fn item(&self, id: u64) -> Response {
        self.get(&format!("/checklists/{id}")).await
    }

    async fn set_status(&self, id: u64, status: &str) -> Response {
        self.send(
            Method::PUT,
            &format!("/checklists/{id}/status"),
            &[("status", status)],
        )
        .await
    }

    async fn reorder(&self, ids: &[u64]) -> Response {
        let strings: Vec<String> = ids.iter().map(u64::to_string).collect();
        let pairs: Vec<(&str, &str)> = strings
            .iter()
            .map(|s| ("checklist_ids[]", s.as_str()))
            .collect();
        self.send(Method::PUT, "/checklists/positions", &pairs)
            .await
    }

    async fn comment(&self, id: u64, text: &str) -> Response {
        self.send(
            Method::POST,
            &format!("/checklists/{id}/comments"),
            &[("comment", text)],
        )
        .await
    }

    async fn comments(&self, id: u64) -> Response {
        self.get(&format!("/checklists/{id}/comments")).await
    }

    /// Three items a, b, c under a fresh parent.
    async fn three(&self, parent: i64) -> [u64; 3] {
        [
            self.create_id("task", parent, "a").await,
            self.create_id("task", parent, "b").await,
            self.create_id("task", parent, "c").await,
        ]
    }
}

/// A fresh parent id, as the contract makes them (`{{unix_now}}NN`).
fn parent(n: i64) -> i64 {
    178_000_000_000 + n
}

async fn start(fault: Option<&str>) -> (specgate::mock::RunningMock, C) {
    let m = common::mock(API, fault).await;
    let c = C::of(&m);
    (m, c)
}

async fn start_variant(variant: Option<&str>) -> (specgate::mock::RunningMock, C) {
    let m = specgate::mock::start(
        API,
        specgate::mock::MockOptions {
            variant: variant.map(str::to_string),
            ..Default::default()
        },
    )
    .await
    .expect("the mock starts");
    let c = C::of(&m);
    (m, c)
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

// ---------------------------------------------------------------------------------- auth

#[tokio::test]
async fn every_request_needs_the_api_key() {
    let (m, c) = start(None).await;
    assert!(m.base_url().ends_with("/api"), "{}", m.base_url());
    let path = format!("/checklists?resource_type=task&resource_id={}", parent(0));
    let ok = c.get(&path).await;
    assert_eq!(ok.status, 200);
    for auth in [
        Auth::None,
        Auth::Authorization("Bearer specgate-not-a-key".to_string()),
        Auth::Authorization("Token mock-api-key-1".to_string()),
        Auth::Authorization("Bearer".to_string()),
    ] {
        let r = c.raw(Method::GET, &path, None, vec![], auth).await;
        assert_eq!(r.status, 401);
        assert_eq!(r.json()["message"], "Unauthenticated.");
    }
    let lower = format!("bearer {}", c.key);
    let r = c
        .raw(
            Method::GET,
            &path,
            None,
            vec![],
            Auth::Authorization(lower.clone()),
        )
        .await;
    assert_eq!(r.status, 200);

    // A write without a key, or with an unknown one, changes nothing.
    let id = c.create_id("task", parent(38), "auth").await;
    for auth in [
        Auth::None,
        Auth::Authorization("Bearer specgate-not-a-key".to_string()),
    ] {
        let r = c
            .raw(
                Method::PUT,
                &format!("/checklists/{id}/status"),
                Some("application/x-www-form-urlencoded"),
                form(&[("status", "completed")]),
                auth,
            )
            .await;
        assert_eq!(r.status, 401);
    }
    assert_eq!(c.item(id).await.data()["status"], "pending");
    m.shutdown().await;
}

// ---------------------------------------------------------------------------------- list

#[tokio::test]
async fn a_list_requires_its_parent() {
    let (m, c) = start(None).await;
    let r = c.get("/checklists").await;
    assert_eq!(r.status, 422);
    assert!(r.content_type().starts_with("application/json"));
    assert_eq!(
        r.json(),
        json!({
            "message": "The given data was invalid.",
            "errors": {
                "resource_type": ["The resource type field is required."],
                "resource_id": ["The resource id field is required."]
            }
        })
    );
    let r = c.get("/checklists?resource_id=123").await;
    assert_eq!(r.status, 422);
    assert!(r.json()["errors"]["resource_type"].is_array());
    assert!(r.json()["errors"].get("resource_id").is_none());
    let r = c.get("/checklists?resource_type=task").await;
    assert_eq!(r.status, 422);
    assert!(r.json()["errors"]["resource_id"].is_array());
    assert!(r.json()["errors"].get("resource_type").is_none());
    let r = c.get("/checklists?resource_type=task&resource_id=").await;
    assert_eq!(r.status, 422, "an empty value is missing");
    for bad in [
        "resource_id=not-an-integer",
        "resource_id=1.5",
        "resource_id=1&sort=checklist_text",
        "resource_id=1&order=up",
        "resource_id=1&limit=0",
        "resource_id=1&limit=ten",
        "resource_id=1&page=0",
        "resource_id=1&page=-2",
    ] {
        let r = c
            .get(&format!("/checklists?resource_type=task&{bad}"))
            .await;
        assert_eq!(r.status, 422, "{bad}");
        assert_eq!(r.json()["message"], "The given data was invalid.", "{bad}");
        assert!(r.json()["errors"].is_object(), "{bad}");
    }
    m.shutdown().await;
}

#[tokio::test]
async fn a_list_is_the_documented_envelope_of_one_parent() {
    let (m, c) = start(None).await;
    let p = parent(1);
    let id = c.create_id("task", p, "Draft the proposal").await;
    let r = c.list("task", p, "").await;
    assert_eq!(r.status, 200);
    assert!(r.content_type().starts_with("application/json"));
    assert_eq!(r.json()["message"], "Checklists retrieved successfully.");
    assert_eq!(r.ids(), vec![id]);
    assert_eq!(r.data()[0]["text"], "Draft the proposal");
    assert_eq!(r.data()[0]["status"], "pending");
    assert_eq!(
        r.json()["meta"],
        json!({
            "current_page": 1, "per_page": 25, "total": 1, "last_page": 1,
            "progress": { "total": 1, "completed": 0, "percentage": 0 }
        })
    );

    // task/X, project/X, task/Y each list their own item.
    let (x, y) = (parent(2), parent(3));
    let a = c.create_id("task", x, "task x").await;
    let b = c.create_id("project", x, "project x").await;
    let d = c.create_id("task", y, "task y").await;
    for (kind, pid, want) in [("task", x, a), ("project", x, b), ("task", y, d)] {
        let r = c.list(kind, pid, "").await;
        assert_eq!(r.ids(), vec![want], "{kind}/{pid}");
        assert_eq!(r.json()["meta"]["total"], 1);
        assert_eq!(r.json()["meta"]["progress"]["total"], 1);
    }
    // A parent without items: an empty list, one page.
    let r = c.list("task", parent(0), "").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.ids(), Vec::<u64>::new());
    assert_eq!(r.json()["meta"]["last_page"], 1);
    assert_eq!(r.json()["meta"]["progress"]["percentage"], 0);
    m.shutdown().await;
}

#[tokio::test]
async fn progress_counts_the_full_set_and_follows_status() {
    let (m, c) = start(None).await;
    let p = parent(4);
    let a = c.create_id("task", p, "a").await;
    let b = c.create_id("task", p, "b").await;
    assert_eq!(c.set_status(b, "completed").await.status, 200);
    for page in ["1", "2"] {
        let r = c.list("task", p, &format!("&limit=1&page={page}")).await;
        assert_eq!(r.ids().len(), 1);
        assert_eq!(
            r.json()["meta"]["progress"],
            json!({ "total": 2, "completed": 1, "percentage": 50 })
        );
    }
    c.set_status(a, "completed").await;
    let r = c.list("task", p, "").await;
    assert_eq!(num(&r.json()["meta"]["progress"]["percentage"]), 100.0);
    c.set_status(a, "pending").await;
    c.set_status(a, "pending").await; // no change: still counted once
    let r = c.list("task", p, "").await;
    assert_eq!(r.json()["meta"]["progress"]["completed"], 1);
    let third = c.create_id("task", p, "c").await;
    let r = c.list("task", p, "").await;
    assert_eq!(num(&r.json()["meta"]["progress"]["percentage"]), 33.33);
    // Deleting the completed item leaves 0 of 2.
    c.delete(&format!("/checklists/{b}")).await;
    let r = c.list("task", p, "").await;
    assert_eq!(
        r.json()["meta"]["progress"],
        json!({ "total": 2, "completed": 0, "percentage": 0 })
    );
    assert_eq!(r.ids(), vec![a, third]);
    m.shutdown().await;
}

#[tokio::test]
async fn pages_default_to_25_and_cap_at_100() {
    let (m, c) = start(None).await;
    let p = parent(6);
    let mut ids = Vec::new();
    for i in 0..30 {
        ids.push(c.create_id("task", p, &format!("item {i}")).await);
    }
    let r = c.list("task", p, "").await;
    assert_eq!(r.ids(), ids[..25]);
    assert_eq!(r.json()["meta"]["per_page"], 25);
    assert_eq!(r.json()["meta"]["last_page"], 2);
    let r = c.list("task", p, "&page=2").await;
    assert_eq!(r.ids(), ids[25..]);
    assert_eq!(r.json()["meta"]["current_page"], 2);
    let r = c.list("task", p, "&limit=2&page=3").await;
    assert_eq!(r.ids(), ids[4..6]);
    assert_eq!(r.json()["meta"]["last_page"], 15);
    let r = c.list("task", p, "&page=9").await;
    assert_eq!(r.status, 200);
    assert!(r.ids().is_empty());
    assert_eq!(r.json()["meta"]["current_page"], 9);
    assert_eq!(r.json()["meta"]["total"], 30);
    for (limit, per_page) in [("100", 100), ("101", 100), ("100000", 100)] {
        let r = c.list("task", parent(8), &format!("&limit={limit}")).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["meta"]["per_page"], per_page, "limit {limit}");
    }
    // desc pages walk the reversed order.
    let r = c.list("task", p, "&order=desc&limit=4&page=2").await;
    assert_eq!(r.ids(), vec![ids[25], ids[24], ids[23], ids[22]]);
    m.shutdown().await;
}

#[tokio::test]
async fn lists_sort_by_position_status_and_creation() {
    let (m, c) = start(None).await;
    let p = parent(9);
    let [a, b, cc] = c.three(p).await;
    assert_eq!(c.reorder(&[cc, a, b]).await.status, 200);
    let by = |extra: &'static str| {
        let c = c.clone();
        async move { c.list("task", p, extra).await.ids() }
    };
    assert_eq!(by("").await, vec![cc, a, b]);
    assert_eq!(by("&sort=checklist_position").await, vec![cc, a, b]);
    assert_eq!(
        by("&sort=checklist_position&order=asc").await,
        vec![cc, a, b]
    );
    assert_eq!(
        by("&sort=checklist_position&order=desc").await,
        vec![b, a, cc]
    );
    assert_eq!(by("&order=desc").await, vec![b, a, cc]);
    let positions: Vec<i64> = c
        .list("task", p, "")
        .await
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, vec![1, 2, 3]);
    // by creation: a, b, c whatever the positions; dates strictly increase.
    assert_eq!(by("&sort=checklist_created").await, vec![a, b, cc]);
    assert_eq!(
        by("&sort=checklist_created&order=desc").await,
        vec![cc, b, a]
    );
    let dates: Vec<String> = c
        .list("task", p, "&sort=checklist_created")
        .await
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["dates"]["created"].as_str().unwrap().to_string())
        .collect();
    assert!(dates[0] < dates[1] && dates[1] < dates[2], "{dates:?}");
    // by status: grouped, and desc puts the other status first.
    c.set_status(a, "completed").await; // a is in the middle (c, a, b)
    let r = c.list("task", p, "&sort=checklist_status").await;
    let data = r.data();
    let statuses: Vec<&str> = data
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["completed", "pending", "pending"]);
    assert_eq!(r.ids(), vec![a, cc, b]);
    let r = c.list("task", p, "&sort=checklist_status&order=desc").await;
    assert_eq!(r.ids(), vec![b, cc, a]);
    m.shutdown().await;
}

// ---------------------------------------------------------------------------------- items

#[tokio::test]
async fn items_are_created_read_updated_and_deleted() {
    let (m, c) = start(None).await;
    let p = parent(14);
    let r = c
        .send(
            Method::POST,
            "/checklists",
            &[
                ("checklistresource_type", "task"),
                ("checklistresource_id", &p.to_string()),
                ("checklist_text", "Draft the proposal"),
            ],
        )
        .await;
    assert_eq!(r.status, 201);
    assert!(r.content_type().starts_with("application/json"));
    assert_eq!(r.json()["message"], "Checklist created successfully.");
    let d = r.data().clone();
    assert_eq!(d["text"], "Draft the proposal");
    assert_eq!(d["status"], "pending");
    assert_eq!(d["position"], 1);
    let id = d["id"].as_u64().unwrap();

    let r = c.item(id).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["message"], "Checklist retrieved successfully.");
    let d = r.data();
    assert_eq!(d["resource"], json!({ "type": "task", "id": p }));
    assert_eq!(d["comments_count"], 0);
    let re = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$").unwrap();
    for f in ["created", "updated"] {
        assert!(
            re.is_match(d["dates"][f].as_str().unwrap()),
            "{}",
            d["dates"]
        );
    }
    for f in ["id", "position", "comments_count"] {
        assert!(d[f].is_u64(), "{f}: {d}");
    }

    // A project item under the same id is its own.
    let other = c.create("project", p, "other").await;
    assert_eq!(other["position"], 1);
    assert_eq!(
        c.item(other["id"].as_u64().unwrap()).await.data()["resource"],
        json!({ "type": "project", "id": p })
    );

    let r = c
        .send(
            Method::PATCH,
            &format!("/checklists/{id}"),
            &[("checklist_text", "Draft and review the proposal")],
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["message"], "Checklist updated successfully.");
    assert_eq!(r.data()["text"], "Draft and review the proposal");
    let r = c.item(id).await;
    assert_eq!(r.data()["text"], "Draft and review the proposal");
    assert_eq!(r.data()["position"], 1);
    assert_eq!(r.data()["status"], "pending");

    let r = c.delete(&format!("/checklists/{id}")).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({ "data": { "id": id }, "message": "Checklist deleted successfully." })
    );
    assert_eq!(c.item(id).await.status, 404);
    assert_eq!(c.delete(&format!("/checklists/{id}")).await.status, 404);
    assert_eq!(c.list("task", p, "").await.json()["meta"]["total"], 0);
    m.shutdown().await;
}

#[tokio::test]
async fn creates_are_appended_and_validated() {
    let (m, c) = start(None).await;
    let p = parent(16);
    let [a, b, cc] = c.three(p).await;
    let pos = |id| {
        let c = c.clone();
        async move { c.item(id).await.data()["position"].as_i64().unwrap() }
    };
    assert_eq!((pos(a).await, pos(b).await, pos(cc).await), (1, 2, 3));
    c.reorder(&[cc, a, b]).await;
    let d = c.create("task", p, "d").await;
    assert_eq!(d["position"], 4);
    let d = d["id"].as_u64().unwrap();
    assert_eq!(c.list("task", p, "").await.ids(), vec![cc, a, b, d]);
    // After deleting the last, the next is appended after the new last.
    c.delete(&format!("/checklists/{d}")).await;
    assert_eq!(c.create("task", p, "e").await["position"], 4);

    let cases: [(&[(&str, &str)], &str); 6] = [
        (
            &[
                ("checklistresource_type", "task"),
                ("checklistresource_id", "17"),
            ],
            "checklist_text",
        ),
        (
            &[
                ("checklistresource_type", "task"),
                ("checklistresource_id", "17"),
                ("checklist_text", "  "),
            ],
            "checklist_text",
        ),
        (
            &[("checklistresource_id", "17"), ("checklist_text", "x")],
            "checklistresource_type",
        ),
        (
            &[("checklistresource_type", "task"), ("checklist_text", "x")],
            "checklistresource_id",
        ),
        (
            &[
                ("checklistresource_type", "task"),
                ("checklistresource_id", "not-an-integer"),
                ("checklist_text", "x"),
            ],
            "checklistresource_id",
        ),
        (
            &[
                ("checklistresource_type", "task"),
                ("checklistresource_id", "99999999999999999999"),
                ("checklist_text", "x"),
            ],
            "checklistresource_id",
        ),
    ];
    for (pairs, field) in cases {
        let r = c.send(Method::POST, "/checklists", pairs).await;
        assert_eq!(r.status, 422, "{pairs:?}");
        assert_eq!(r.json()["message"], "The given data was invalid.");
        assert!(r.json()["errors"][field][0].is_string(), "{}", r.json());
    }
    assert_eq!(c.list("task", 17, "").await.json()["meta"]["total"], 0);

    // JSON bodies are accepted too, with integers as numbers.
    let r = c
        .json(
            Method::POST,
            "/checklists",
            json!({ "checklistresource_type": "project", "checklistresource_id": parent(40), "checklist_text": "json" }),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.data()["resource"]["id"], parent(40));
    let r = c
        .json(
            Method::POST,
            "/checklists",
            json!({ "checklistresource_type": "task", "checklistresource_id": 1.5, "checklist_text": 7 }),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.json()["errors"]["checklistresource_id"].is_array());
    assert!(r.json()["errors"]["checklist_text"].is_array());
    m.shutdown().await;
}

#[tokio::test]
async fn updates_and_status_changes_are_validated() {
    let (m, c) = start(None).await;
    let id = c.create_id("task", parent(24), "unchanged").await;
    let r = c
        .send(Method::PATCH, &format!("/checklists/{id}"), &[])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.json()["errors"]["checklist_text"].is_array());
    assert_eq!(c.item(id).await.data()["text"], "unchanged");

    let r = c.set_status(id, "completed").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json()["message"],
        "Checklist status updated successfully."
    );
    assert_eq!(r.data()["status"], "completed");
    assert_eq!(c.item(id).await.data()["status"], "completed");
    assert_eq!(c.item(id).await.data()["text"], "unchanged");
    assert_eq!(
        c.set_status(id, "pending").await.data()["status"],
        "pending"
    );
    for bad in ["done", "Completed", ""] {
        let r = c.set_status(id, bad).await;
        assert_eq!(r.status, 422, "{bad}");
        assert!(r.json()["errors"]["status"].is_array());
    }
    let r = c
        .send(Method::PUT, &format!("/checklists/{id}/status"), &[])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.json()["errors"]["status"].is_array());
    let r = c
        .json(
            Method::PUT,
            &format!("/checklists/{id}/status"),
            json!({ "status": true }),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(c.item(id).await.data()["status"], "pending");
    m.shutdown().await;
}

#[tokio::test]
async fn reorders_set_positions_and_refuse_bad_ids() {
    let (m, c) = start(None).await;
    let p = parent(30);
    let [a, b, cc] = c.three(p).await;
    let r = c.reorder(&[cc, a, b]).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({ "data": { "checklist_ids": [cc, a, b] }, "message": "Checklist positions updated successfully." })
    );
    assert_eq!(c.list("task", p, "").await.ids(), vec![cc, a, b]);
    c.reorder(&[b, a, cc]).await;
    assert_eq!(c.list("task", p, "").await.ids(), vec![b, a, cc]);
    // PHP's http_build_query writes checklist_ids[0]=..; JSON arrays work too.
    let r = c
        .send(
            Method::PUT,
            "/checklists/positions",
            &[
                ("checklist_ids[0]", &a.to_string()),
                ("checklist_ids[1]", &cc.to_string()),
                ("checklist_ids[2]", &b.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(c.list("task", p, "").await.ids(), vec![a, cc, b]);
    let r = c
        .json(
            Method::PUT,
            "/checklists/positions",
            json!({ "checklist_ids": [cc, b, a] }),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(c.list("task", p, "").await.ids(), vec![cc, b, a]);

    let r = c.send(Method::PUT, "/checklists/positions", &[]).await;
    assert_eq!(r.status, 422);
    assert!(r.json()["errors"]["checklist_ids"].is_array());
    let r = c.reorder(&[999_999_999, a]).await;
    assert_eq!(r.status, 404);
    let a_s = a.to_string();
    for pairs in [
        vec![
            ("checklist_ids[]", a_s.as_str()),
            ("checklist_ids[]", "not-an-integer"),
        ],
        vec![
            ("checklist_ids[]", a_s.as_str()),
            ("checklist_ids[]", a_s.as_str()),
        ],
        vec![("checklist_ids", a_s.as_str())],
    ] {
        let r = c.send(Method::PUT, "/checklists/positions", &pairs).await;
        assert_eq!(r.status, 422, "{pairs:?}");
        assert_eq!(r.json()["message"], "The given data was invalid.");
    }
    // Refused reorders changed nothing.
    assert_eq!(c.list("task", p, "").await.ids(), vec![cc, b, a]);
    m.shutdown().await;
}

#[tokio::test]
async fn comments_are_listed_added_counted_and_deleted() {
    let (m, c) = start(None).await;
    let id = c.create_id("task", parent(33), "commented").await;
    let r = c.comments(id).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["data"], json!([]));
    assert!(r.json()["message"].is_string());
    let r = c.comment(id, "Looks good to me").await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["message"], "Checklist comment added successfully.");
    assert_eq!(r.data()["text"], "Looks good to me");
    assert_eq!(r.data()["creator"], json!({ "id": 1, "name": "Admin" }));
    let one = r.data()["id"].as_u64().unwrap();
    let two = c.comment(id, "two").await.data()["id"].as_u64().unwrap();
    let r = c.comments(id).await;
    assert_eq!(r.ids(), vec![one, two]);
    assert_eq!(c.item(id).await.data()["comments_count"], 2);

    let r = c
        .send(Method::POST, &format!("/checklists/{id}/comments"), &[])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.json()["errors"]["comment"].is_array());

    let r = c.delete(&format!("/checklists/{id}/comments/{one}")).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({ "data": { "id": one }, "message": "Checklist comment deleted successfully." })
    );
    assert_eq!(c.comments(id).await.ids(), vec![two]);
    assert_eq!(c.item(id).await.data()["comments_count"], 1);
    assert_eq!(
        c.delete(&format!("/checklists/{id}/comments/{one}"))
            .await
            .status,
        404
    );
    assert_eq!(
        c.delete(&format!("/checklists/{id}/comments/999999999"))
            .await
            .status,
        404
    );
    // A comment of another item is not this item's.
    let other = c.create_id("task", parent(33), "other").await;
    assert_eq!(
        c.delete(&format!("/checklists/{other}/comments/{two}"))
            .await
            .status,
        404
    );

    // Deleting the item deletes its comments.
    c.delete(&format!("/checklists/{id}")).await;
    assert_eq!(c.comments(id).await.status, 404);
    assert_eq!(
        c.delete(&format!("/checklists/{id}/comments/{two}"))
            .await
            .status,
        404
    );
    m.shutdown().await;
}

#[tokio::test]
async fn unknown_ids_are_404() {
    let (m, c) = start(None).await;
    for id in ["999999999", "0", "abc", "18446744073709551616", "-1"] {
        assert_eq!(
            c.get(&format!("/checklists/{id}")).await.status,
            404,
            "{id}"
        );
        let r = c
            .send(
                Method::PATCH,
                &format!("/checklists/{id}"),
                &[("checklist_text", "x")],
            )
            .await;
        assert_eq!(r.status, 404, "{id}");
        assert_eq!(c.delete(&format!("/checklists/{id}")).await.status, 404);
        let r = c
            .send(
                Method::PUT,
                &format!("/checklists/{id}/status"),
                &[("status", "completed")],
            )
            .await;
        assert_eq!(r.status, 404);
        assert_eq!(
            c.get(&format!("/checklists/{id}/comments")).await.status,
            404
        );
        let r = c
            .send(
                Method::POST,
                &format!("/checklists/{id}/comments"),
                &[("comment", "x")],
            )
            .await;
        assert_eq!(r.status, 404);
        assert_eq!(
            c.delete(&format!("/checklists/{id}/comments/999999999"))
                .await
                .status,
            404
        );
    }
    m.shutdown().await;
}

#[tokio::test]
async fn seeded_parents_have_items_until_written() {
    let (m, c) = start(None).await;
    let r = c.item(1).await;
    assert_eq!(r.status, 200);
    let kind = r.data()["resource"]["type"].as_str().unwrap().to_string();
    assert_eq!(r.data()["resource"]["id"], 1);
    let r = c.list(&kind, 1, "").await;
    assert_eq!(r.ids(), vec![1, 2, 3, 4, 5]);
    let completed = r.json()["meta"]["progress"]["completed"].as_u64().unwrap();
    let pending = r
        .data()
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["status"] == "pending")
        .and_then(|i| i["id"].as_u64());
    // The seed's comments are listed and counted.
    let mut seen = 0;
    for id in 1..=20u64 {
        let count = c.item(id).await.data()["comments_count"].as_u64().unwrap();
        let comments = c.comments(id).await;
        assert_eq!(comments.ids().len() as u64, count, "item {id}");
        for cm in comments.data().as_array().unwrap() {
            assert!(cm["creator"]["id"].is_u64() && cm["creator"]["name"].is_string());
        }
        seen += count;
    }
    assert!(seen > 0, "some seeded items have comments");
    if let Some(p) = pending {
        c.set_status(p, "completed").await;
        let r = c.list(&kind, 1, "").await;
        assert_eq!(r.json()["meta"]["progress"]["completed"], completed + 1);
    }
    let new = c.create("task", 1, "new").await;
    if kind == "task" {
        assert_eq!(new["position"], 6);
    }
    c.delete("/checklists/3").await;
    assert_eq!(c.item(3).await.status, 404);
    let r = c.list(&kind, 1, "").await;
    assert!(!r.ids().contains(&3));
    assert_eq!(c.item(2).await.status, 200);
    // Data is deterministic: a second mock of the same seed says the same.
    let (m2, c2) = start(None).await;
    assert_eq!(c2.item(7).await.json(), c.item(7).await.json());
    m2.shutdown().await;
    m.shutdown().await;
}

// ---------------------------------------------------------------------------------- bad input

#[tokio::test]
async fn bad_input_is_a_4xx_never_a_5xx() {
    let (m, c) = start(None).await;
    let id = c.create_id("task", parent(41), "x").await;
    let item = format!("/checklists/{id}");
    let bodies: [(&str, &[u8]); 5] = [
        ("application/json", b"{\"checklist_text\": "),
        ("application/json", b"[1, 2, 3]"),
        ("application/json", b"\"text\""),
        ("application/x-www-form-urlencoded", b"%%%&&&==="),
        ("application/octet-stream", &[0xff, 0xfe, 0x00]),
    ];
    for (ct, body) in bodies {
        for (method, path) in [
            (Method::POST, "/checklists".to_string()),
            (Method::PATCH, item.clone()),
            (Method::PUT, format!("{item}/status")),
            (Method::PUT, "/checklists/positions".to_string()),
            (Method::POST, format!("{item}/comments")),
        ] {
            let r = c
                .raw(method, &path, Some(ct), body.to_vec(), c.bearer())
                .await;
            assert!((400..500).contains(&r.status), "{path} {ct}: {}", r.status);
            assert!(r.json()["message"].is_string(), "{path}: {}", r.json());
        }
    }
    let r = c
        .raw(
            Method::POST,
            "/checklists",
            Some("application/json"),
            b"{bad".to_vec(),
            c.bearer(),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["message"], "The given data was invalid.");

    let huge = vec![b'a'; 2 * 1024 * 1024 + 10];
    let mut big = b"checklist_text=".to_vec();
    big.extend_from_slice(&huge);
    let r = c
        .raw(
            Method::PATCH,
            &item,
            Some("application/x-www-form-urlencoded"),
            big,
            c.bearer(),
        )
        .await;
    assert_eq!(r.status, 413);
    assert!(r.json()["message"].is_string());
    assert_eq!(c.item(id).await.data()["text"], "x");

    let r = c
        .json(Method::PATCH, &item, json!({ "checklist_text": ["a"] }))
        .await;
    assert_eq!(r.status, 422);
    let r = c
        .json(
            Method::PUT,
            "/checklists/positions",
            json!({ "checklist_ids": "1,2" }),
        )
        .await;
    assert_eq!(r.status, 422);
    let r = c
        .json(
            Method::PUT,
            "/checklists/positions",
            json!({ "checklist_ids": [[1], {"a": 1}, null] }),
        )
        .await;
    assert_eq!(r.status, 422);
    let r = c
        .get("/checklists?resource_type=task&resource_id=%FF%FE&limit=%00")
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(c.get("/nothing-here").await.status, 404);
    assert_eq!(c.get("/checklists/1/nothing").await.status, 404);
    let r = c
        .raw(Method::DELETE, "/checklists", None, vec![], c.bearer())
        .await;
    assert_eq!(r.status, 405);
    assert!(r.json()["message"].is_string());
    m.shutdown().await;
}

// ---------------------------------------------------------------------------------- concurrency

#[tokio::test]
async fn concurrent_creates_under_one_parent_all_land_in_order() {
    let (m, c) = start(None).await;
    let p = parent(50);
    let tasks: Vec<_> = (0..1000)
        .map(|i| {
            let c = c.clone();
            tokio::spawn(async move { c.create("task", p, &format!("item {i}")).await })
        })
        .collect();
    let mut positions = Vec::new();
    for t in tasks {
        let d = t.await.expect("the create ran");
        positions.push(d["position"].as_i64().unwrap());
    }
    positions.sort_unstable();
    assert_eq!(positions, (1..=1000).collect::<Vec<i64>>());
    let r = c.list("task", p, "&limit=100&page=10").await;
    assert_eq!(r.json()["meta"]["total"], 1000);
    assert_eq!(r.json()["meta"]["last_page"], 10);
    let mut listed = Vec::new();
    for page in 1..=10 {
        let r = c.list("task", p, &format!("&limit=100&page={page}")).await;
        listed.extend(
            r.data()
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["position"].as_i64().unwrap()),
        );
    }
    assert_eq!(listed, (1..=1000).collect::<Vec<i64>>());
    m.shutdown().await;
}

#[tokio::test]
async fn concurrent_status_changes_keep_progress_exact() {
    let (m, c) = start(None).await;
    let p = parent(51);
    let mut ids = Vec::new();
    for i in 0..200 {
        ids.push(c.create_id("task", p, &format!("item {i}")).await);
    }
    // Every item completed twice over, then the first 80 set back to pending twice over.
    let mut tasks = Vec::new();
    for round in 0..2 {
        for id in &ids {
            let (c, id) = (c.clone(), *id);
            tasks.push(tokio::spawn(async move {
                let _ = round;
                c.set_status(id, "completed").await.status
            }));
        }
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let mut tasks = Vec::new();
    for _ in 0..2 {
        for id in &ids[..80] {
            let (c, id) = (c.clone(), *id);
            tasks.push(tokio::spawn(async move {
                c.set_status(id, "pending").await.status
            }));
        }
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let r = c.list("task", p, "&limit=1").await;
    assert_eq!(
        r.json()["meta"]["progress"],
        json!({ "total": 200, "completed": 120, "percentage": 60 })
    );
    m.shutdown().await;
}

// ---------------------------------------------------------------------------------- faults

type Probe = fn(C) -> Pin<Box<dyn Future<Output = bool> + Send>>;

/// Each fault's probe: true when the documented behaviour the fault breaks holds.
fn probes() -> Vec<(&'static str, Probe)> {
    macro_rules! probe {
        ($name:literal, |$c:ident| $body:block) => {
            ($name, (|$c: C| Box::pin(async move $body)) as Probe)
        };
    }
    vec![
        probe!("auth.missing-key-accepted", |c| {
            let path = format!("/checklists?resource_type=task&resource_id={}", parent(0));
            c.raw(Method::GET, &path, None, vec![], Auth::None)
                .await
                .status
                == 401
        }),
        probe!("auth.invalid-key-accepted", |c| {
            let path = format!("/checklists?resource_type=task&resource_id={}", parent(0));
            let r = c
                .raw(
                    Method::GET,
                    &path,
                    None,
                    vec![],
                    Auth::Authorization("Bearer nope".to_string()),
                )
                .await;
            r.status == 401
        }),
        probe!("auth.writes-unauthenticated", |c| {
            let id = c.create_id("task", parent(38), "auth").await;
            let r = c
                .raw(
                    Method::PUT,
                    &format!("/checklists/{id}/status"),
                    Some("application/x-www-form-urlencoded"),
                    form(&[("status", "completed")]),
                    Auth::Authorization("Bearer nope".to_string()),
                )
                .await;
            r.status == 401 && c.item(id).await.data()["status"] == "pending"
        }),
        probe!("list.resource-type-optional", |c| {
            let r = c.get("/checklists?resource_id=123").await;
            r.status == 422 && r.json()["errors"]["resource_type"].is_array()
        }),
        probe!("list.resource-id-optional", |c| {
            let r = c.get("/checklists?resource_type=task").await;
            r.status == 422 && r.json()["errors"]["resource_id"].is_array()
        }),
        probe!("list.resource-id-unchecked", |c| {
            c.get("/checklists?resource_type=task&resource_id=not-an-integer")
                .await
                .status
                == 422
        }),
        probe!("list.message-wrong", |c| {
            c.list("task", parent(1), "").await.json()["message"]
                == "Checklists retrieved successfully."
        }),
        probe!("list.scope-ignores-type", |c| {
            let a = c.create_id("task", parent(2), "task").await;
            c.create_id("project", parent(2), "project").await;
            c.list("task", parent(2), "").await.ids() == vec![a]
        }),
        probe!("progress.page-only", |c| {
            c.create_id("task", parent(4), "a").await;
            let b = c.create_id("task", parent(4), "b").await;
            c.set_status(b, "completed").await;
            let r = c.list("task", parent(4), "&limit=1&page=1").await;
            r.json()["meta"]["progress"] == json!({ "total": 2, "completed": 1, "percentage": 50 })
        }),
        probe!("progress.uncomplete-not-counted", |c| {
            let a = c.create_id("task", parent(5), "a").await;
            c.set_status(a, "completed").await;
            c.set_status(a, "pending").await;
            c.list("task", parent(5), "").await.json()["meta"]["progress"]["completed"] == 0
        }),
        probe!("progress.percentage-fraction", |c| {
            let a = c.create_id("task", parent(5), "a").await;
            c.create_id("task", parent(5), "b").await;
            c.set_status(a, "completed").await;
            num(&c.list("task", parent(5), "").await.json()["meta"]["progress"]["percentage"])
                == 50.0
        }),
        probe!("pagination.default-size-20", |c| {
            c.list("task", parent(6), "").await.json()["meta"]["per_page"] == 25
        }),
        probe!("pagination.page-ignored", |c| {
            let [_, _, cc] = c.three(parent(7)).await;
            let r = c.list("task", parent(7), "&limit=2&page=2").await;
            r.ids() == vec![cc] && r.json()["meta"]["current_page"] == 2
        }),
        probe!("pagination.limit-max-99", |c| {
            c.list("task", parent(8), "&limit=100").await.json()["meta"]["per_page"] == 100
        }),
        probe!("pagination.limit-uncapped", |c| {
            let r = c.list("task", parent(8), "&limit=101").await;
            r.status == 422 || num(&r.json()["meta"]["per_page"]) <= 100.0
        }),
        probe!("sort.default-by-id", |c| {
            let [a, b, cc] = c.three(parent(9)).await;
            c.reorder(&[cc, a, b]).await;
            c.list("task", parent(9), "").await.ids() == vec![cc, a, b]
        }),
        probe!("sort.position-desc-ignored", |c| {
            let [a, b, cc] = c.three(parent(10)).await;
            c.reorder(&[cc, a, b]).await;
            let r = c
                .list("task", parent(10), "&sort=checklist_position&order=desc")
                .await;
            r.ids() == vec![b, a, cc]
        }),
        probe!("sort.default-desc-ignored", |c| {
            let [a, b, cc] = c.three(parent(11)).await;
            c.reorder(&[cc, a, b]).await;
            c.list("task", parent(11), "&order=desc").await.ids() == vec![b, a, cc]
        }),
        probe!("sort.status-ignored", |c| {
            let [a, b, cc] = c.three(parent(12)).await;
            c.set_status(b, "completed").await;
            c.list("task", parent(12), "&sort=checklist_status")
                .await
                .ids()
                == vec![b, a, cc]
        }),
        probe!("sort.created-ignored", |c| {
            let [a, b, cc] = c.three(parent(13)).await;
            c.reorder(&[cc, b, a]).await;
            c.list("task", parent(13), "&sort=checklist_created")
                .await
                .ids()
                == vec![a, b, cc]
        }),
        probe!("create.message-wrong", |c| {
            let r = c
                .send(
                    Method::POST,
                    "/checklists",
                    &[
                        ("checklistresource_type", "task"),
                        ("checklistresource_id", "14"),
                        ("checklist_text", "x"),
                    ],
                )
                .await;
            r.status == 201 && r.json()["message"] == "Checklist created successfully."
        }),
        probe!("create.positions-from-zero", |c| {
            c.create("task", parent(15), "first").await["position"] == 1
        }),
        probe!("create.after-last-created", |c| {
            let [a, b, cc] = c.three(parent(16)).await;
            c.reorder(&[cc, a, b]).await;
            let d = c.create_id("task", parent(16), "d").await;
            c.list("task", parent(16), "").await.ids() == vec![cc, a, b, d]
        }),
        probe!("create.text-optional", |c| {
            let r = c
                .send(
                    Method::POST,
                    "/checklists",
                    &[
                        ("checklistresource_type", "task"),
                        ("checklistresource_id", "17"),
                    ],
                )
                .await;
            r.status == 422 && c.list("task", 17, "").await.json()["meta"]["total"] == 0
        }),
        probe!("create.resource-type-optional", |c| {
            let r = c
                .send(
                    Method::POST,
                    "/checklists",
                    &[("checklistresource_id", "18"), ("checklist_text", "x")],
                )
                .await;
            r.status == 422 && r.json()["errors"]["checklistresource_type"].is_array()
        }),
        probe!("create.resource-id-optional", |c| {
            let r = c
                .send(
                    Method::POST,
                    "/checklists",
                    &[("checklistresource_type", "task"), ("checklist_text", "x")],
                )
                .await;
            r.status == 422 && r.json()["errors"]["checklistresource_id"].is_array()
        }),
        probe!("create.resource-id-unchecked", |c| {
            let r = c
                .send(
                    Method::POST,
                    "/checklists",
                    &[
                        ("checklistresource_type", "task"),
                        ("checklistresource_id", "not-an-integer"),
                        ("checklist_text", "x"),
                    ],
                )
                .await;
            (400..500).contains(&r.status)
        }),
        probe!("get.message-wrong", |c| {
            let id = c.create_id("task", parent(19), "get").await;
            c.item(id).await.json()["message"] == "Checklist retrieved successfully."
        }),
        probe!("object.comments-count-missing", |c| {
            let id = c.create_id("task", parent(20), "object").await;
            c.item(id).await.data()["comments_count"].is_u64()
        }),
        probe!("object.resource-type-always-task", |c| {
            let id = c.create_id("project", parent(21), "project").await;
            c.item(id).await.data()["resource"] == json!({ "type": "project", "id": parent(21) })
        }),
        probe!("object.dates-lowercase", |c| {
            let id = c.create_id("task", parent(22), "dates").await;
            let re = regex::Regex::new(
                r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$",
            )
            .unwrap();
            let r = c.item(id).await;
            ["created", "updated"]
                .iter()
                .all(|f| re.is_match(r.data()["dates"][f].as_str().unwrap_or("")))
        }),
        probe!("update.text-not-saved", |c| {
            let id = c.create_id("task", parent(23), "before").await;
            let r = c
                .send(
                    Method::PATCH,
                    &format!("/checklists/{id}"),
                    &[("checklist_text", "after")],
                )
                .await;
            r.data()["text"] == "after" && c.item(id).await.data()["text"] == "after"
        }),
        probe!("update.text-optional", |c| {
            let id = c.create_id("task", parent(24), "unchanged").await;
            let r = c
                .send(Method::PATCH, &format!("/checklists/{id}"), &[])
                .await;
            r.status == 422 && c.item(id).await.data()["text"] == "unchanged"
        }),
        probe!("delete.leaves-listed", |c| {
            let a = c.create_id("task", parent(25), "kept").await;
            let b = c.create_id("task", parent(25), "deleted").await;
            c.delete(&format!("/checklists/{b}")).await;
            let r = c.list("task", parent(25), "").await;
            r.ids() == vec![a] && r.json()["meta"]["progress"]["total"] == 1
        }),
        probe!("delete.orphans-comments", |c| {
            let id = c.create_id("task", parent(26), "cascade").await;
            let cid = c.comment(id, "x").await.data()["id"].as_u64().unwrap_or(0);
            c.delete(&format!("/checklists/{id}")).await;
            c.comments(id).await.status == 404
                && c.delete(&format!("/checklists/{id}/comments/{cid}"))
                    .await
                    .status
                    == 404
        }),
        probe!("status.completed-is-final", |c| {
            let id = c.create_id("task", parent(27), "status").await;
            c.set_status(id, "completed").await;
            c.set_status(id, "pending").await.data()["status"] == "pending"
                && c.item(id).await.data()["status"] == "pending"
        }),
        probe!("status.any-value", |c| {
            let id = c.create_id("task", parent(28), "status").await;
            c.set_status(id, "done").await.status == 422
                && c.item(id).await.data()["status"] == "pending"
        }),
        probe!("status.missing-ignored", |c| {
            let id = c.create_id("task", parent(29), "status").await;
            c.send(Method::PUT, &format!("/checklists/{id}/status"), &[])
                .await
                .status
                == 422
        }),
        probe!("reorder.echo-sorted", |c| {
            let [a, b, cc] = c.three(parent(30)).await;
            c.reorder(&[cc, a, b]).await.data()["checklist_ids"] == json!([cc, a, b])
        }),
        probe!("reorder.once-only", |c| {
            let [a, b, cc] = c.three(parent(31)).await;
            c.reorder(&[cc, b, a]).await;
            c.reorder(&[b, a, cc]).await;
            c.list("task", parent(31), "").await.ids() == vec![b, a, cc]
        }),
        probe!("reorder.empty-accepted", |c| {
            c.send(Method::PUT, "/checklists/positions", &[])
                .await
                .status
                == 422
        }),
        probe!("reorder.unknown-skipped", |c| {
            let a = c.create_id("task", parent(39), "a").await;
            [404, 422].contains(&c.reorder(&[999_999_999, a]).await.status)
        }),
        probe!("reorder.non-integers-skipped", |c| {
            let a = c.create_id("task", parent(40), "a").await.to_string();
            let r = c
                .send(
                    Method::PUT,
                    "/checklists/positions",
                    &[("checklist_ids[]", &a), ("checklist_ids[]", "x")],
                )
                .await;
            (400..500).contains(&r.status)
        }),
        probe!("comments.add-message-wrong", |c| {
            let id = c.create_id("task", parent(32), "commented").await;
            c.comment(id, "x").await.json()["message"] == "Checklist comment added successfully."
        }),
        probe!("comments.list-latest-only", |c| {
            let id = c.create_id("task", parent(33), "comments").await;
            let one = c.comment(id, "one").await.data()["id"]
                .as_u64()
                .unwrap_or(0);
            let two = c.comment(id, "two").await.data()["id"]
                .as_u64()
                .unwrap_or(0);
            c.comments(id).await.ids() == vec![one, two]
        }),
        probe!("comments.delete-noop", |c| {
            let id = c.create_id("task", parent(34), "comments").await;
            let one = c.comment(id, "one").await.data()["id"]
                .as_u64()
                .unwrap_or(0);
            c.delete(&format!("/checklists/{id}/comments/{one}")).await;
            c.comments(id).await.ids().is_empty()
        }),
        probe!("comments.count-stale", |c| {
            let id = c.create_id("task", parent(35), "count").await;
            c.comment(id, "one").await;
            c.item(id).await.data()["comments_count"] == 1
        }),
        probe!("comments.text-optional", |c| {
            let id = c.create_id("task", parent(36), "no comment").await;
            let r = c
                .send(Method::POST, &format!("/checklists/{id}/comments"), &[])
                .await;
            r.status == 422 && c.comments(id).await.ids().is_empty()
        }),
        probe!("comments.unknown-comment-deleted", |c| {
            let id = c.create_id("task", parent(37), "unknown comment").await;
            c.delete(&format!("/checklists/{id}/comments/999999999"))
                .await
                .status
                == 404
        }),
        probe!("errors.get-unknown-400", |c| {
            c.get("/checklists/999999999").await.status == 404
        }),
        probe!("errors.update-unknown-400", |c| {
            c.send(
                Method::PATCH,
                "/checklists/999999999",
                &[("checklist_text", "x")],
            )
            .await
            .status
                == 404
        }),
        probe!("errors.delete-unknown-400", |c| {
            c.delete("/checklists/999999999").await.status == 404
        }),
        probe!("errors.status-unknown-400", |c| {
            c.set_status(999_999_999, "completed").await.status == 404
        }),
        probe!("errors.comments-list-unknown-400", |c| {
            c.comments(999_999_999).await.status == 404
        }),
        probe!("errors.comment-add-unknown-400", |c| {
            c.comment(999_999_999, "x").await.status == 404
        }),
        probe!("errors.comment-delete-unknown-item-400", |c| {
            c.delete("/checklists/999999999/comments/999999999")
                .await
                .status
                == 404
        }),
        probe!("errors.list-validation-flat", |c| {
            let r = c.get("/checklists").await;
            r.status == 422 && r.json()["errors"].is_object() && r.json()["message"].is_string()
        }),
        probe!("media.empty-list-text-plain", |c| {
            let r = c.list("task", parent(0), "").await;
            r.status == 200 && r.content_type().starts_with("application/json")
        }),
        probe!("list.progress-missing", |c| {
            c.list("task", parent(0), "").await.json()["meta"]["progress"]
                == json!({ "total": 0, "completed": 0, "percentage": 0 })
        }),
    ]
}

#[tokio::test]
async fn every_fault_breaks_what_it_names_and_the_faithful_mock_keeps_it() {
    let probes = probes();
    let api = specgate::mock::api(API).expect("the mock is listed");
    let names: Vec<&str> = api.faults().iter().map(|f| f.name).collect();
    let probed: Vec<&str> = probes.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, probed, "one probe per fault, in the table's order");
    for (name, probe) in probes {
        let (faithful, fc) = start(None).await;
        assert!(
            probe(fc).await,
            "the faithful mock fails the probe of {name}"
        );
        faithful.shutdown().await;
        let (m, c) = start(Some(name)).await;
        assert!(!probe(c).await, "the fault {name} does not break its probe");
        m.shutdown().await;
    }
}

// ---------------------------------------------------------------------------------- fixtures

#[tokio::test]
async fn the_fixture_parents_exist_at_every_seed() {
    for seed in [1, 7] {
        let m = specgate::mock::start(
            API,
            specgate::mock::MockOptions {
                seed,
                ..Default::default()
            },
        )
        .await
        .expect("the mock starts");
        let c = C::of(&m);
        let names: Vec<&str> = m.target.fixtures.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "large_parent_id",
                "large_parent_type",
                "other_parent_type",
                "parent_id",
                "parent_type"
            ]
        );
        assert_eq!(c.parent, ("project".to_string(), 2_000_001));
        assert_eq!(m.target.fixtures["other_parent_type"], "task");
        // The parent the rules write under already holds items: 4, one completed.
        let r = c.list("project", 2_000_001, "").await;
        assert_eq!(r.ids().len(), 4);
        assert_eq!(r.json()["meta"]["progress"]["completed"], 1);
        assert_eq!(c.list("task", 2_000_001, "").await.ids().len(), 2);
        // The large parent: more than 100 items.
        assert_eq!(
            c.list("task", 2_000_002, "&limit=100").await.ids().len(),
            100
        );
        assert_eq!(
            c.list("task", 2_000_002, "&limit=100&page=2")
                .await
                .ids()
                .len(),
            20
        );
        // The busy parent: 30 items at positions 10, 20, ...
        let busy = c.list("task", 2_000_003, "&limit=100").await;
        let positions: Vec<i64> = busy
            .data()
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["position"].as_i64().unwrap())
            .collect();
        assert_eq!(positions, (1..=30).map(|n| n * 10).collect::<Vec<_>>());
        // New items are appended after the fixture items, and their ids follow.
        let first = c.item(r.ids()[0]).await;
        assert_eq!(first.data()["comments_count"], 1);
        let new = c.create("project", 2_000_001, "new").await;
        assert_eq!(new["position"], 5);
        assert!(new["id"].as_u64().unwrap() > *r.ids().iter().max().unwrap());
        m.shutdown().await;
    }
}

// ---------------------------------------------------------------------------------- variants

/// Each variant's probe: true when the mock makes the variant's choice (the default mock makes
/// the other one).
fn variant_probes() -> Vec<(&'static str, Probe)> {
    macro_rules! probe {
        ($name:literal, |$c:ident| $body:block) => {
            ($name, (|$c: C| Box::pin(async move $body)) as Probe)
        };
    }
    vec![
        probe!("parents-must-exist", |c| {
            let r = c
                .send(
                    Method::POST,
                    "/checklists",
                    &[
                        ("checklistresource_type", "task"),
                        ("checklistresource_id", &parent(90).to_string()),
                        ("checklist_text", "made up"),
                    ],
                )
                .await;
            let listed = c.list("task", parent(90), "").await;
            r.status == 422
                && r.json()["errors"]["checklistresource_id"][0]
                    == "The selected checklistresource id is invalid."
                && listed.status == 422
                && c.list(&c.parent.0, c.parent.1, "").await.status == 200
        }),
        probe!("laravel-10-errors", |c| {
            let r = c.get("/checklists").await;
            let path = format!("/checklists?resource_type=task&resource_id={}", parent(0));
            let wrong = c
                .raw(
                    Method::GET,
                    &path,
                    None,
                    vec![],
                    Auth::Authorization("Bearer nope".to_string()),
                )
                .await;
            let none = c.raw(Method::GET, &path, None, vec![], Auth::None).await;
            r.status == 422
                && r.json()["message"] == "The resource id field is required. (and 1 more error)"
                && r.json()["errors"]["resource_id"][0] == "The resource id field is required."
                && wrong.status == 403
                && none.status == 401
                && c.item(999_999_999).await.json()["message"]
                    == "No query results for model [App\\Models\\Checklist]."
        }),
        probe!("string-comment-ids", |c| {
            let id = c.create_id(&c.parent.0, c.parent.1, "comments").await;
            let r = c.comment(id, "x").await;
            let cid = r.data()["id"].as_str().unwrap_or("").to_string();
            let listed = c.comments(id).await;
            let deleted = c.delete(&format!("/checklists/{id}/comments/{cid}")).await;
            r.status == 201
                && cid.len() == 36
                && listed.data()[0]["creator"]["id"].is_string()
                && deleted.status == 200
                && deleted.data()["id"] == cid.as_str()
                && c.delete(&format!("/checklists/{id}/comments/{cid}"))
                    .await
                    .status
                    == 404
        }),
        probe!("abbreviated-list-items", |c| {
            let r = c.list(&c.parent.0, c.parent.1, "").await;
            let first = &r.data()[0];
            let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
            keys == ["id", "status", "text"]
                && c.item(first["id"].as_u64().unwrap()).await.data()["position"].is_i64()
        }),
        probe!("reorder-keeps-slots", |c| {
            // The parent's items hold 1..=4; two new ones 5 and 6, reordered b, a.
            let a = c.create_id(&c.parent.0, c.parent.1, "a").await;
            let b = c.create_id(&c.parent.0, c.parent.1, "b").await;
            c.reorder(&[b, a]).await.status == 200
                && c.item(b).await.data()["position"] == 5
                && c.item(a).await.data()["position"] == 6
        }),
        probe!("busy-parent", |c| {
            c.parent == ("task".to_string(), 2_000_003)
                && c.list(&c.parent.0, c.parent.1, "&limit=100")
                    .await
                    .ids()
                    .len()
                    == 30
        }),
        probe!("untyped-as-strings", |c| {
            let id = c.create_id(&c.parent.0, c.parent.1, "strings").await;
            let comment = c.comment(id, "x").await;
            let r = c.list(&c.parent.0, c.parent.1, "").await;
            c.item(id).await.data()["resource"]["id"] == json!(c.parent.1.to_string())
                && comment.data()["creator"]["id"] == "1"
                && r.json()["meta"]["progress"]["percentage"] == "20.00"
        }),
        probe!("other-messages", |c| {
            let r = c.list(&c.parent.0, c.parent.1, "").await;
            let created = c
                .send(
                    Method::POST,
                    "/checklists",
                    &[
                        ("checklistresource_type", &c.parent.0),
                        ("checklistresource_id", &c.parent.1.to_string()),
                        ("checklist_text", "x"),
                    ],
                )
                .await;
            let id = created.data()["id"].as_u64().unwrap_or(0);
            let reordered = c.reorder(&[id]).await;
            let deleted = c.delete(&format!("/checklists/{id}")).await;
            r.json()["message"] == "Checklist items retrieved."
                && created.json()["message"] == "Checklist item added."
                && reordered.json()["message"] == "Order saved."
                && deleted.json()["message"] == "Checklist item removed."
                // The stated messages stay.
                && c.item(1).await.json()["message"] == "Checklist retrieved successfully."
        }),
        probe!("sql-dates", |c| {
            let re = regex::Regex::new(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$").unwrap();
            let r = c.item(1).await;
            ["created", "updated"]
                .iter()
                .all(|f| re.is_match(r.data()["dates"][f].as_str().unwrap_or("")))
        }),
        probe!("token-alternatives", |c| {
            let path = format!("/checklists?resource_type=task&resource_id={}", parent(0));
            // Bare requests: no Accept header, no Authorization.
            let bare = |path: &str| c.s.get(path).without("Accept").auth(Auth::None);
            let header = bare(&path)
                .header("X-Api-Key", &c.key)
                .try_send()
                .await
                .map(|r| r.status)
                .unwrap_or(0);
            let query = bare(&format!("{path}&api_token={}", c.key))
                .try_send()
                .await
                .map(|r| r.status)
                .unwrap_or(0);
            let wrong = bare(&format!("{path}&api_token=nope"))
                .try_send()
                .await
                .map(|r| r.status)
                .unwrap_or(0);
            header == 200 && query == 200 && wrong == 401
        }),
    ]
}

#[tokio::test]
async fn every_variant_makes_its_choice_and_the_default_mock_the_other() {
    let probes = variant_probes();
    let api = specgate::mock::api(API).expect("the mock is listed");
    let names: Vec<&str> = api.variants().iter().map(|v| v.name).collect();
    let probed: Vec<&str> = probes.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, probed, "one probe per variant, in the table's order");
    for (name, probe) in probes {
        let (default, dc) = start_variant(None).await;
        assert!(
            !probe(dc).await,
            "the default mock already makes the choice of {name}"
        );
        default.shutdown().await;
        let (m, c) = start_variant(Some(name)).await;
        assert!(
            probe(c).await,
            "the variant {name} does not make its choice"
        );
        m.shutdown().await;
    }
}

// ---------------------------------------------------------------------------------- the spec

/// Every answer is documented for its operation and valid against that response's schema, for
/// the default mock and every faithful variant.
#[tokio::test]
async fn answers_match_the_openapi_document() {
    let api = specgate::mock::api(API).expect("the mock is listed");
    let variants = std::iter::once(None).chain(api.variants().iter().map(|v| Some(v.name)));
    for variant in variants {
        answers_match_the_openapi_document_in(variant).await;
    }
}

async fn answers_match_the_openapi_document_in(variant: Option<&str>) {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("specs")
        .join(API);
    let spec = specgate::load_spec(&root).expect("the spec loads");
    let conforms = |op: &str, r: &Response| {
        let info = &spec.api.operations[op];
        let key = info
            .response_key(r.status)
            .unwrap_or_else(|| panic!("{variant:?} {op}: {} is not documented", r.status));
        let validator = spec.api.response_validator(op, key, None);
        assert!(
            validator.is_some() || !(r.status < 300 || r.status == 422),
            "{op} {}: no schema",
            r.status
        );
        if let Some(v) = validator {
            let errors: Vec<String> = v.iter_errors(&r.json()).map(|e| e.to_string()).collect();
            assert!(
                errors.is_empty(),
                "{variant:?} {op} {}: {errors:?} in {}",
                r.status,
                r.json()
            );
        }
    };
    let (m, c) = start_variant(variant).await;
    let (kind, p) = c.parent.clone();
    let r = c
        .send(
            Method::POST,
            "/checklists",
            &[
                ("checklistresource_type", kind.as_str()),
                ("checklistresource_id", &p.to_string()),
                ("checklist_text", "a"),
            ],
        )
        .await;
    conforms("createChecklist", &r);
    let a = r.data()["id"].as_u64().unwrap();
    let b = c.create_id(&kind, p, "b").await;
    conforms(
        "createChecklist",
        &c.send(Method::POST, "/checklists", &[]).await,
    );
    conforms("listChecklists", &c.list(&kind, p, "").await);
    conforms(
        "listChecklists",
        &c.list("task", 1, "&sort=checklist_status").await,
    );
    conforms("listChecklists", &c.get("/checklists").await);
    conforms(
        "listChecklists",
        &c.raw(Method::GET, "/checklists", None, vec![], Auth::None)
            .await,
    );
    conforms("getChecklist", &c.item(a).await);
    conforms("getChecklist", &c.item(1).await);
    conforms("getChecklist", &c.item(999_999_999).await);
    let patch = format!("/checklists/{a}");
    conforms(
        "updateChecklist",
        &c.send(Method::PATCH, &patch, &[("checklist_text", "x")])
            .await,
    );
    conforms("updateChecklist", &c.send(Method::PATCH, &patch, &[]).await);
    conforms("updateChecklistStatus", &c.set_status(a, "completed").await);
    conforms("updateChecklistStatus", &c.set_status(a, "done").await);
    conforms("listChecklists", &c.list(&kind, p, "&limit=1&page=2").await);
    conforms("listChecklists", &c.list("task", parent(61), "").await);
    conforms("reorderChecklists", &c.reorder(&[b, a]).await);
    conforms("reorderChecklists", &c.reorder(&[999_999_999]).await);
    conforms(
        "reorderChecklists",
        &c.send(Method::PUT, "/checklists/positions", &[]).await,
    );
    let r = c.comment(a, "x").await;
    conforms("addChecklistComment", &r);
    let cid = match &r.data()["id"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    conforms(
        "addChecklistComment",
        &c.send(Method::POST, &format!("/checklists/{a}/comments"), &[])
            .await,
    );
    conforms("listChecklistComments", &c.comments(a).await);
    conforms("listChecklistComments", &c.comments(1).await);
    conforms(
        "deleteChecklistComment",
        &c.delete(&format!("/checklists/{a}/comments/{cid}")).await,
    );
    conforms(
        "deleteChecklistComment",
        &c.delete(&format!("/checklists/{a}/comments/{cid}")).await,
    );
    conforms(
        "deleteChecklist",
        &c.delete(&format!("/checklists/{a}")).await,
    );
    conforms(
        "deleteChecklist",
        &c.delete(&format!("/checklists/{a}")).await,
    );
    m.shutdown().await;
}
