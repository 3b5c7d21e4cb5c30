//! The OptaCheck mock over real HTTP: login, both credentials on every request, workspace
//! scoping, task CRUD with status_history, field limits, bad input, concurrency; one probe per
//! fault, and per faithful variant its choice and the documented behaviour it keeps. (The
//! contract's rules against the mock, its faults and its variants: tests/fault_matrix.rs.)

mod common;

use std::collections::BTreeSet;

use common::Request;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use specgate::mock::{optacheck, start, MockOptions, RunningMock};

const RFC3339: &str = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$";

/// A logged-in session against one running mock.
struct Session {
    /// No credential of its own: `req` adds both, the tests that leave one out add the other.
    http: common::Session,
    token: String,
    api_key: String,
    workspace: String,
    username: String,
    password: String,
    assignee: String,
}

impl Session {
    async fn start(m: &RunningMock) -> Session {
        let c = &m.target.credentials;
        let get = |k: &str| {
            c.get(k)
                .unwrap_or_else(|| panic!("credential {k}"))
                .to_string()
        };
        // Whom tasks are assigned to is the workspace's set-up: a fixture.
        let assignee = m.target.fixtures["assignee_email"]
            .as_str()
            .expect("the assignee_email fixture")
            .to_string();
        let mut s = Session {
            http: common::Session::of(m),
            token: String::new(),
            api_key: get("api_key"),
            workspace: get("workspace_id"),
            username: get("username"),
            password: get("password"),
            assignee,
        };
        let (status, body) = s
            .login(&json!({"username": s.username, "password": s.password}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        s.token = body["token"].as_str().expect("a token").to_string();
        s
    }

    /// A login as the contract sends it: the JSON credentials, with the Workspace API Key.
    async fn login(&self, creds: &Value) -> (StatusCode, Value) {
        let r = self
            .http
            .post("/api-token-auth/")
            .header("x-api-key", &self.api_key)
            .json(creds)
            .send()
            .await;
        (r.status_code(), r.json())
    }

    fn tasks_path(&self) -> String {
        format!("/v1.0/workspaces/{}/assignments/", self.workspace)
    }

    fn task_path(&self, id: &str) -> String {
        format!("{}{id}/", self.tasks_path())
    }

    /// A request with both credentials.
    fn req(&self, method: Method, path: &str) -> Request {
        self.http
            .request(method, path)
            .header("Authorization", format!("Token {}", self.token))
            .header("x-api-key", &self.api_key)
    }

    async fn send(request: Request) -> (StatusCode, Value) {
        let r = request.send().await;
        (r.status_code(), r.json())
    }

    async fn create(&self, body: Value) -> (StatusCode, Value) {
        Self::send(self.req(Method::POST, &self.tasks_path()).json(&body)).await
    }

    /// A task created with the required fields; its answer.
    async fn new_task(&self, title: &str) -> Value {
        let (status, body) = self
            .create(json!({"status": "assigned", "title": title, "user_email": self.assignee}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    async fn get(&self, id: &str) -> (StatusCode, Value) {
        Self::send(self.req(Method::GET, &self.task_path(id))).await
    }

    async fn put(&self, id: &str, body: Value) -> (StatusCode, Value) {
        Self::send(self.req(Method::PUT, &self.task_path(id)).json(&body)).await
    }

    async fn delete(&self, id: &str) -> (StatusCode, Value) {
        Self::send(self.req(Method::DELETE, &self.task_path(id))).await
    }
}

fn id_of(task: &Value) -> String {
    task["id"].as_str().expect("a task id").to_string()
}

fn statuses(task: &Value) -> Vec<String> {
    task["status_history"]
        .as_array()
        .expect("a status_history")
        .iter()
        .map(|e| e["status"].as_str().unwrap_or_default().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------- login

#[tokio::test]
async fn login_returns_a_token_only_for_correct_credentials() {
    let m = common::mock("optacheck", None).await;
    let s = Session::start(&m).await;
    assert!(!s.token.is_empty());

    let r = s
        .http
        .post("/api-token-auth/")
        .json(&json!({"username": s.username, "password": s.password}))
        .send()
        .await;
    assert_eq!(r.status_code(), StatusCode::OK);
    assert_eq!(
        r.headers["content-type"].to_str().unwrap(),
        "application/json"
    );
    let again: Value = r.expect_json();
    assert_eq!(again["token"], json!(s.token), "the token is stable");

    for (creds, why) in [
        (
            json!({"username": s.username, "password": "wrong"}),
            "wrong password",
        ),
        (
            json!({"username": "nobody@example.invalid", "password": s.password}),
            "unknown user",
        ),
        (json!({"username": s.username}), "no password"),
        (json!({"password": s.password}), "no username"),
        (json!({"username": 5, "password": s.password}), "wrong type"),
        (json!([s.username, s.password]), "not an object"),
    ] {
        let (status, body) = s.login(&creds).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {body}");
        assert!(body.get("token").is_none(), "{why}: {body}");
    }
    // Not JSON: as a form (415), and a body declared JSON that is not (400).
    let r = s
        .http
        .post("/api-token-auth/")
        .form(&[("username", &s.username), ("password", &s.password)])
        .send()
        .await;
    assert_eq!(r.status_code(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = s
        .http
        .post("/api-token-auth/")
        .header("Content-Type", "application/json")
        .body("{\"username\": ")
        .send()
        .await;
    assert_eq!(r.status_code(), StatusCode::BAD_REQUEST);
    m.shutdown().await;
}

// ---------------------------------------------------------------------------------- tasks

#[tokio::test]
async fn a_task_is_created_read_updated_partially_and_deleted() {
    let m = common::mock("optacheck", None).await;
    let s = Session::start(&m).await;
    let re = regex::Regex::new(RFC3339).unwrap();

    let (status, created) = s
        .create(json!({
            "status": "assigned",
            "title": "Inspect the north site",
            "description": "Bring the checklist",
            "forms": ["form-1", "form-2", 7],
            "project": "project-9",
            "client": "client-3",
            "user_email": s.assignee,
            "data": {"fields": [{"id": "f1", "value": "v1", "title": "Field one"}]},
        }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = id_of(&created);
    assert_eq!(created["status"], "assigned");
    assert_eq!(created["title"], "Inspect the north site");
    assert_eq!(created["description"], "Bring the checklist");
    assert_eq!(
        created["forms"],
        json!(["form-1", "form-2", 7]),
        "ids as sent"
    );
    assert_eq!(created["project"], "project-9");
    assert_eq!(created["client"], "client-3");
    assert_eq!(created["data"]["fields"][0]["value"], "v1");
    let (user, by_user) = (created["user"].clone(), created["by_user"].clone());
    assert!(user.is_string() && by_user.is_string());
    assert_ne!(
        user, by_user,
        "assigned to the assignee, created by the login user"
    );
    assert_eq!(
        created["status_history"],
        json!([{
            "status": "assigned",
            "date_status": created["status_history"][0]["date_status"],
            "status_name": "Assigned",
        }])
    );
    for field in ["date_created", "date_edited"] {
        assert!(re.is_match(created[field].as_str().unwrap()), "{created}");
    }
    assert!(re.is_match(
        created["status_history"][0]["date_status"]
            .as_str()
            .unwrap()
    ));

    let (status, read) = s.get(&id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read, created, "a read answers what the create did");

    // Partial: only the status; everything else is kept and the history grows.
    let (status, updated) = s.put(&id, json!({"status": "in_progress"})).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    for field in [
        "id",
        "title",
        "description",
        "forms",
        "project",
        "client",
        "user",
        "by_user",
        "data",
        "date_created",
    ] {
        assert_eq!(updated[field], created[field], "{field} is kept");
    }
    assert_eq!(updated["status"], "in_progress");
    assert_eq!(statuses(&updated), ["assigned", "in_progress"]);
    assert_eq!(updated["status_history"][1]["status_name"], "In progress");
    assert_eq!(
        updated["status_history"][0], created["status_history"][0],
        "the first entry is kept as it was"
    );
    assert!(updated["date_edited"].as_str() > created["date_edited"].as_str());
    assert!(
        updated["status_history"][1]["date_status"].as_str()
            > updated["status_history"][0]["date_status"].as_str()
    );

    // The same status again is no change; a title alone leaves the history.
    let (_, same) = s
        .put(&id, json!({"status": "in_progress", "title": "Renamed"}))
        .await;
    assert_eq!(statuses(&same), ["assigned", "in_progress"]);
    assert_eq!(same["title"], "Renamed");

    // Every field, as the document's update example; null clears an optional field.
    let (status, full) = s
        .put(
            &id,
            json!({
                "status": "active",
                "title": "Inspect the south site",
                "description": null,
                "forms": ["form-9"],
                "project": "project-1",
                "client": null,
                "user_email": s.username,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{full}");
    assert_eq!(full["description"], Value::Null);
    assert_eq!(full["client"], Value::Null);
    assert_eq!(full["forms"], json!(["form-9"]));
    assert_eq!(full["user"], by_user, "now assigned to the login user");
    assert_eq!(full["by_user"], by_user, "the creator does not change");
    assert_eq!(statuses(&full), ["assigned", "in_progress", "active"]);
    assert_eq!(s.get(&id).await.1, full);

    let r = s.req(Method::DELETE, &s.task_path(&id)).send().await;
    assert_eq!(r.status_code(), StatusCode::NO_CONTENT);
    assert_eq!(s.get(&id).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        s.put(&id, json!({"status": "active"})).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(s.delete(&id).await.0, StatusCode::NOT_FOUND);
    m.shutdown().await;
}

#[tokio::test]
async fn optional_fields_may_be_left_out_or_empty_and_required_ones_may_not() {
    let m = common::mock("optacheck", None).await;
    let s = Session::start(&m).await;
    let minimal = s.new_task("minimal").await;
    assert_eq!(minimal["description"], Value::Null);
    assert_eq!(minimal["forms"], json!([]));
    assert_eq!(minimal["data"], json!({}));
    let (status, body) = s
        .create(json!({"status": "assigned", "title": "empty data", "user_email": s.assignee, "data": {}}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(s.get(&id_of(&body)).await.0, StatusCode::OK);

    let full = json!({"status": "assigned", "title": "t", "user_email": s.assignee});
    for field in ["status", "title", "user_email"] {
        let mut body = full.clone();
        body.as_object_mut().unwrap().remove(field);
        let (status, answer) = s.create(body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "without {field}");
        assert_eq!(answer[field], json!(["This field is required."]));
    }
    m.shutdown().await;
}

#[tokio::test]
async fn title_and_description_limits_hold_on_create_and_update() {
    let m = common::mock("optacheck", None).await;
    let s = Session::start(&m).await;
    let t100 = "T".repeat(100);
    let d255 = "é".repeat(255); // characters, not bytes
    let (status, body) = s
        .create(json!({"status": "assigned", "title": t100, "description": d255, "user_email": s.assignee}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["title"], json!(t100));
    assert_eq!(body["description"], json!(d255));
    let id = id_of(&body);

    let (status, body) = s
        .create(json!({"status": "assigned", "title": "T".repeat(101), "user_email": s.assignee}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["title"].is_array(), "{body}");
    let (status, body) = s
        .create(json!({"status": "assigned", "title": "t", "description": "D".repeat(256), "user_email": s.assignee}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["description"].is_array(), "{body}");

    assert_eq!(
        s.put(&id, json!({"title": "T".repeat(101)})).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        s.put(
            &id,
            json!({"description": "D".repeat(256), "status": "active"})
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );
    let (_, after) = s.get(&id).await;
    assert_eq!(
        after["title"],
        json!(t100),
        "refused updates change nothing"
    );
    assert_eq!(after["description"], json!(d255));
    assert_eq!(after["status"], "assigned");
    assert_eq!(statuses(&after), ["assigned"]);
    m.shutdown().await;
}

#[tokio::test]
async fn bad_input_gets_a_4xx_never_a_5xx() {
    let m = common::mock("optacheck", None).await;
    let s = Session::start(&m).await;
    let id = id_of(&s.new_task("target of bad updates").await);
    let good = || json!({"status": "assigned", "title": "t", "user_email": s.assignee});
    let with = |k: &str, v: Value| {
        let mut b = good();
        b[k] = v;
        b
    };
    for (body, field) in [
        (with("title", json!(5)), "title"),
        (with("title", json!("   ")), "title"),
        (with("title", Value::Null), "title"),
        (with("status", json!(["assigned"])), "status"),
        (with("status", json!("")), "status"),
        (with("description", json!({"a": 1})), "description"),
        (with("forms", json!("form-1")), "forms"),
        (with("forms", json!([{"id": 1}])), "forms"),
        (with("project", json!(1.5)), "project"),
        (with("client", json!(true)), "client"),
        (with("user_email", json!("not-an-email")), "user_email"),
        (
            with("user_email", json!("stranger@example.com")),
            "user_email",
        ),
        (with("user_email", json!(42)), "user_email"),
        (with("data", json!([1, 2])), "data"),
        (with("data", json!({"fields": "x"})), "data"),
        (with("data", json!({"fields": [1]})), "data"),
    ] {
        let (status, answer) = s.create(body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert!(answer[field].is_array(), "{field}: {answer}");
        let (status, _) = s.put(&id, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "update {body}");
    }
    // Not an object, not JSON, too large.
    for raw in [
        "[1, 2]",
        "\"text\"",
        "{\"title\": ",
        "status=assigned&title=x",
    ] {
        for (method, url) in [
            (Method::POST, s.tasks_path()),
            (Method::PUT, s.task_path(&id)),
        ] {
            let (status, answer) = Session::send(
                s.req(method, &url)
                    .header("Content-Type", "application/json")
                    .body(raw),
            )
            .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{raw}: {answer}");
        }
    }
    let huge = format!(
        "{{\"title\": \"{}\"}}",
        "x".repeat(specgate::mock::common::MAX_BODY_BYTES)
    );
    for (method, url) in [
        (Method::POST, s.tasks_path()),
        (Method::PUT, s.task_path(&id)),
    ] {
        let (status, answer) = Session::send(
            s.req(method, &url)
                .header("Content-Type", "application/json")
                .body(huge.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
        assert!(answer["detail"].is_string());
    }
    // Unknown, forged and odd ids; unknown paths; an undocumented method.
    let forged = {
        let mut f = id.clone();
        f.replace_range(0..1, if f.starts_with('0') { "1" } else { "0" });
        f
    };
    for bad in [
        forged.as_str(),
        "1",
        "abc",
        "%00",
        "..",
        "ffffffff-ffff-4fff-bfff-ffffffffffff",
    ] {
        let (status, answer) = s.get(bad).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}: {answer}");
        assert_eq!(
            s.put(bad, json!({"status": "x"})).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(s.delete(bad).await.0, StatusCode::NOT_FOUND);
    }
    let (status, answer) = Session::send(s.req(Method::GET, "/v1.0/nothing/")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["detail"], "Not found.");
    let r = s.req(Method::PATCH, &s.task_path(&id)).send().await;
    assert_eq!(r.status_code(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers["allow"], "GET,HEAD,PUT,DELETE");
    let answer: Value = r.expect_json();
    assert!(answer["detail"].is_string());
    let (status, _) = Session::send(s.req(Method::GET, &s.tasks_path())).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "no list endpoint");
    // The task survived all of it.
    let (_, after) = s.get(&id).await;
    assert_eq!(after["title"], "target of bad updates");
    m.shutdown().await;
}

#[tokio::test]
async fn seeded_tasks_are_readable_and_writable_like_created_ones() {
    let m = common::mock("optacheck", None).await;
    let s = Session::start(&m).await;
    let seed = specgate::mock::MockOptions::default().seed;
    let first = optacheck::task_id(seed, 1);
    let (status, task) = s.get(&first).await;
    assert_eq!(status, StatusCode::OK, "{task}");
    assert_eq!(task["id"], json!(first));
    assert_eq!(statuses(&task)[0], "assigned");
    assert_eq!(
        s.get(&first).await.1,
        task,
        "derived the same way every time"
    );
    let last = optacheck::task_id(seed, optacheck::DEFAULT_SIZE as u64);
    assert_eq!(s.get(&last).await.0, StatusCode::OK);
    let beyond = optacheck::task_id(seed, optacheck::DEFAULT_SIZE as u64 + 1000);
    assert_eq!(s.get(&beyond).await.0, StatusCode::NOT_FOUND);

    let (status, updated) = s.put(&first, json!({"status": "on_hold"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(updated["title"], task["title"]);
    assert_eq!(
        statuses(&updated).last().map(String::as_str),
        Some("on_hold")
    );
    assert_eq!(
        updated["status_history"].as_array().unwrap().len(),
        task["status_history"].as_array().unwrap().len() + 1
    );
    assert_eq!(s.delete(&first).await.0, StatusCode::NO_CONTENT);
    assert_eq!(s.get(&first).await.0, StatusCode::NOT_FOUND);

    // A first created task takes the number after the seeded ones.
    let created = s.new_task("after the seeded ones").await;
    assert_eq!(
        created["id"],
        json!(optacheck::task_id(seed, optacheck::DEFAULT_SIZE as u64 + 1))
    );
    m.shutdown().await;
}

// ---------------------------------------------------------------------------------- credentials

#[tokio::test]
async fn every_task_request_needs_the_token_and_the_api_key() {
    let m = common::mock("optacheck", None).await;
    let s = Session::start(&m).await;
    let id = id_of(&s.new_task("guarded").await);
    let token = s.token.clone();
    let good_auth = format!("Token {token}");
    // (Authorization, x-api-key, expected status); None: header left out.
    let cases: Vec<(Option<String>, Option<String>, StatusCode)> = vec![
        (None, Some(s.api_key.clone()), StatusCode::UNAUTHORIZED),
        (
            Some("Token 0123456789abcdef0123456789abcdef01234567".into()),
            Some(s.api_key.clone()),
            StatusCode::UNAUTHORIZED,
        ),
        (
            Some(format!("Bearer {token}")),
            Some(s.api_key.clone()),
            StatusCode::UNAUTHORIZED,
        ),
        (
            Some(token.clone()),
            Some(s.api_key.clone()),
            StatusCode::UNAUTHORIZED,
        ),
        (
            Some("Token".into()),
            Some(s.api_key.clone()),
            StatusCode::UNAUTHORIZED,
        ),
        (
            Some(format!("Token {token} extra")),
            Some(s.api_key.clone()),
            StatusCode::UNAUTHORIZED,
        ),
        (Some(good_auth.clone()), None, StatusCode::FORBIDDEN),
        (
            Some(good_auth.clone()),
            Some("wrong-key".into()),
            StatusCode::FORBIDDEN,
        ),
        (
            Some(good_auth.clone()),
            Some(token.clone()),
            StatusCode::FORBIDDEN,
        ),
    ];
    for (auth, key, want) in &cases {
        for (method, url) in [
            (Method::GET, s.task_path(&id)),
            (Method::POST, s.tasks_path()),
            (Method::PUT, s.task_path(&id)),
            (Method::DELETE, s.task_path(&id)),
        ] {
            let mut b = s
                .http
                .request(method.clone(), &url)
                .json(&json!({"status": "active", "title": "changed", "user_email": s.assignee}));
            if let Some(a) = auth {
                b = b.header("Authorization", a);
            }
            if let Some(k) = key {
                b = b.header("x-api-key", k);
            }
            let r = b.send().await;
            assert_eq!(r.status_code(), *want, "{method} auth={auth:?} key={key:?}");
            if *want == StatusCode::UNAUTHORIZED {
                assert_eq!(r.headers["www-authenticate"], "Token");
            }
            let body: Value = r.expect_json();
            assert!(body["detail"].is_string(), "{body}");
        }
    }
    // The keyword is case-insensitive, as DRF's TokenAuthentication reads it.
    let (status, _) = Session::send(
        s.http
            .get(&s.task_path(&id))
            .header("Authorization", format!("token {token}"))
            .header("x-api-key", &s.api_key),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, task) = s.get(&id).await;
    assert_eq!(task["title"], "guarded", "nothing was changed");
    assert_eq!(task["status"], "assigned");
    m.shutdown().await;
}

#[tokio::test]
async fn another_workspace_id_reaches_nothing() {
    let m = common::mock("optacheck", None).await;
    let s = Session::start(&m).await;
    let id = id_of(&s.new_task("scoped").await);
    for other in [format!("{}0", s.workspace), "1".to_string(), "x".repeat(40)] {
        let base = format!("/v1.0/workspaces/{other}/assignments/");
        let (status, _) = Session::send(s.req(Method::GET, &format!("{base}{id}/"))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = Session::send(
            s.req(Method::PUT, &format!("{base}{id}/"))
                .json(&json!({"status": "active", "title": "moved"})),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = Session::send(s.req(Method::DELETE, &format!("{base}{id}/"))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = Session::send(
            s.req(Method::POST, &base)
                .json(&json!({"status": "assigned", "title": "t", "user_email": s.assignee})),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, task) = s.get(&id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(task["title"], "scoped");
    assert_eq!(task["status"], "assigned");
    m.shutdown().await;
}

#[tokio::test]
async fn bodies_must_be_declared_as_json() {
    let m = common::mock("optacheck", None).await;
    let s = Session::start(&m).await;
    let id = id_of(&s.new_task("content type").await);
    let task =
        json!({"status": "assigned", "title": "plain", "user_email": s.assignee}).to_string();
    for ct in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        for (method, url) in [
            (Method::POST, s.tasks_path()),
            (Method::PUT, s.task_path(&id)),
        ] {
            let mut b = s.req(method.clone(), &url).body(task.clone());
            if let Some(ct) = ct {
                b = b.header("Content-Type", ct);
            }
            let (status, answer) = Session::send(b).await;
            assert_eq!(
                status,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "{method} {ct:?}"
            );
            assert!(answer["detail"].is_string());
        }
    }
    assert_eq!(s.get(&id).await.1["title"], "content type");
    let (status, _) = Session::send(
        s.req(Method::POST, &s.tasks_path())
            .header("Content-Type", "application/json; charset=utf-8")
            .body(task.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "parameters are allowed");
    // GET and DELETE carry no body and need no Content-Type.
    let (status, _) = Session::send(s.req(Method::GET, &s.task_path(&id))).await;
    assert_eq!(status, StatusCode::OK);
    m.shutdown().await;
}

// ---------------------------------------------------------------------------------- concurrency

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_and_status_changes_lose_nothing() {
    let m = common::mock("optacheck", None).await;
    let s = std::sync::Arc::new(Session::start(&m).await);
    let creates = 64;
    let mut handles = Vec::new();
    for i in 0..creates {
        let s = s.clone();
        handles.push(tokio::spawn(async move {
            let (status, body) = s
                .create(json!({"status": "assigned", "title": format!("concurrent {i}"), "user_email": s.assignee}))
                .await;
            assert_eq!(status, StatusCode::CREATED);
            (i, id_of(&body))
        }));
    }
    let mut ids = BTreeSet::new();
    for h in handles {
        let (i, id) = h.await.unwrap();
        assert_eq!(
            s.get(&id).await.1["title"],
            json!(format!("concurrent {i}"))
        );
        ids.insert(id);
    }
    assert_eq!(ids.len(), creates, "every create got its own id");

    // Many status changes on one task at once: each is a change, so each is an entry.
    let target = id_of(&s.new_task("contended").await);
    let changes = 48;
    let mut handles = Vec::new();
    for i in 0..changes {
        let (s, target) = (s.clone(), target.clone());
        handles.push(tokio::spawn(async move {
            let (status, _) = s.put(&target, json!({"status": format!("step_{i}")})).await;
            assert_eq!(status, StatusCode::OK);
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let (_, task) = s.get(&target).await;
    let history = statuses(&task);
    assert_eq!(history.len(), changes + 1, "{history:?}");
    assert_eq!(history[0], "assigned");
    let got: BTreeSet<&str> = history[1..].iter().map(String::as_str).collect();
    assert_eq!(got.len(), changes);
    assert_eq!(
        task["status"],
        json!(history.last().unwrap()),
        "status is the last entry"
    );
    let dates: Vec<&str> = task["status_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["date_status"].as_str().unwrap())
        .collect();
    assert!(
        dates.windows(2).all(|w| w[0] < w[1]),
        "entries in order: {dates:?}"
    );
    m.shutdown().await;
}

// ---------------------------------------------------------------------------------- faults

/// What the probe of `fault` observes, as text: the faithful mock must give the first of the
/// fault's pair of expectations, the faulty one the second.
async fn probe(fault: &str, s: &Session) -> String {
    let st = |r: (StatusCode, Value)| r.0.as_u16().to_string();
    match fault {
        "auth.login-answer-not-json" => {
            let r = s
                .http
                .post("/api-token-auth/")
                .json(&json!({"username": s.username, "password": s.password}))
                .send()
                .await;
            let ct = r.headers["content-type"].to_str().unwrap().to_string();
            let body: Value = r.expect_json();
            format!("{ct} token={}", body["token"].is_string())
        }
        "auth.login-wrong-password-accepted" => {
            st(s.login(&json!({"username": s.username, "password": "nope"})).await)
        }
        "auth.login-unknown-user-accepted" => st(s
            .login(&json!({"username": "ghost@example.invalid", "password": s.password}))
            .await),
        "auth.token-any-keyword" => {
            let id = id_of(&s.new_task("kw").await);
            let mut out = vec![];
            for a in [format!("Bearer {}", s.token), s.token.clone()] {
                out.push(st(Session::send(
                    s.http
                        .get(&s.task_path(&id))
                        .header("Authorization", a)
                        .header("x-api-key", &s.api_key),
                )
                .await));
            }
            out.join(",")
        }
        "auth.token-unchecked-read"
        | "auth.token-unchecked-create"
        | "auth.token-unchecked-update"
        | "auth.token-unchecked-delete"
        | "auth.api-key-unchecked-read"
        | "auth.api-key-unchecked-create"
        | "auth.api-key-unchecked-update"
        | "auth.api-key-unchecked-delete" => {
            let id = id_of(&s.new_task("guarded").await);
            let (method, url) = match fault.rsplit('-').next().unwrap() {
                "read" => (Method::GET, s.task_path(&id)),
                "create" => (Method::POST, s.tasks_path()),
                "update" => (Method::PUT, s.task_path(&id)),
                _ => (Method::DELETE, s.task_path(&id)),
            };
            let token_probe = fault.starts_with("auth.token");
            let mut out = vec![];
            for wrong in [None, Some("wrong")] {
                let mut b = s
                    .http
                    .request(method.clone(), &url)
                    .json(&json!({"status": "active", "title": "x", "user_email": s.assignee}));
                if token_probe {
                    b = b.header("x-api-key", &s.api_key);
                    if let Some(w) = wrong {
                        b = b.header("Authorization", format!("Token {w}"));
                    }
                } else {
                    b = b.header("Authorization", format!("Token {}", s.token));
                    if let Some(w) = wrong {
                        b = b.header("x-api-key", w);
                    }
                }
                out.push(st(Session::send(b).await));
            }
            out.join(",")
        }
        "headers.content-type-ignored-create" => st(Session::send(
            s.req(Method::POST, &s.tasks_path())
                .header("Content-Type", "text/plain")
                .body(json!({"status": "assigned", "title": "t", "user_email": s.assignee}).to_string()),
        )
        .await),
        "headers.content-type-ignored-update" => {
            let id = id_of(&s.new_task("ct").await);
            let status = st(Session::send(
                s.req(Method::PUT, &s.task_path(&id))
                    .header("Content-Type", "text/plain")
                    .body(r#"{"title": "changed"}"#),
            )
            .await);
            format!("{status} {}", s.get(&id).await.1["title"])
        }
        "tasks.create-body-not-json-accepted" => st(Session::send(
            s.req(Method::POST, &s.tasks_path())
                .header("Content-Type", "application/json")
                .body("status=assigned&title=form"),
        )
        .await),
        "workspace.other-workspace-allowed" => {
            let id = id_of(&s.new_task("ws").await);
            let url = format!("/v1.0/workspaces/{}0/assignments/{id}/", s.workspace);
            st(Session::send(s.req(Method::GET, &url)).await)
        }
        "tasks.create-answer-incomplete" => {
            let (_, body) = s
                .create(json!({"status": "assigned", "title": "t", "description": "d", "user_email": s.assignee}))
                .await;
            format!("{}", body["description"])
        }
        "tasks.create-history-empty" => {
            format!("{:?}", statuses(&s.new_task("h").await))
        }
        "tasks.description-required" => st(s
            .create(json!({"status": "assigned", "title": "t", "user_email": s.assignee}))
            .await),
        "tasks.create-title-optional" => st(s
            .create(json!({"status": "assigned", "user_email": s.assignee}))
            .await),
        "tasks.create-status-optional" => st(s
            .create(json!({"title": "t", "user_email": s.assignee}))
            .await),
        "tasks.create-user-email-optional" => {
            st(s.create(json!({"status": "assigned", "title": "t"})).await)
        }
        "tasks.create-drops-references" => {
            let (_, t) = s
                .create(json!({"status": "assigned", "title": "r", "forms": ["form-3"], "project": "project-2", "client": "client-5", "user_email": s.assignee}))
                .await;
            let (_, read) = s.get(&id_of(&t)).await;
            format!("{} {} {}", read["forms"], read["project"], read["client"])
        }
        "tasks.data-empty-refused" => st(s
            .create(json!({"status": "assigned", "title": "t", "user_email": s.assignee, "data": {}}))
            .await),
        "tasks.title-max-length-unchecked" => st(s
            .create(json!({"status": "assigned", "title": "T".repeat(101), "user_email": s.assignee}))
            .await),
        "tasks.title-max-99" => st(s
            .create(json!({"status": "assigned", "title": "T".repeat(100), "user_email": s.assignee}))
            .await),
        "tasks.description-max-length-unchecked" => st(s
            .create(json!({"status": "assigned", "title": "t", "description": "D".repeat(256), "user_email": s.assignee}))
            .await),
        "tasks.description-max-254" => st(s
            .create(json!({"status": "assigned", "title": "t", "description": "D".repeat(255), "user_email": s.assignee}))
            .await),
        "tasks.read-by-user-wrong" => {
            let created = s.new_task("r").await;
            let (_, read) = s.get(&id_of(&created)).await;
            format!("by_user kept: {}", read["by_user"] == created["by_user"])
        }
        "tasks.timestamps-not-rfc3339" => {
            let re = regex::Regex::new(RFC3339).unwrap();
            let t = s.new_task("ts").await;
            format!("rfc3339: {}", re.is_match(t["date_created"].as_str().unwrap()))
        }
        "tasks.update-ignores-fields" => {
            let id = id_of(&s.new_task("before").await);
            let (_, u) = s.put(&id, json!({"status": "active", "title": "after"})).await;
            format!("{} {}", u["status"], u["title"])
        }
        "tasks.update-returns-202" => {
            let id = id_of(&s.new_task("u").await);
            st(s.put(&id, json!({"status": "active"})).await)
        }
        "tasks.update-not-partial" => {
            let (_, t) = s
                .create(json!({"status": "assigned", "title": "p", "description": "kept", "user_email": s.assignee}))
                .await;
            let (_, u) = s.put(&id_of(&t), json!({"status": "active"})).await;
            format!("{}", u["description"])
        }
        "tasks.update-history-replaced" => {
            let id = id_of(&s.new_task("h").await);
            format!("{:?}", statuses(&s.put(&id, json!({"status": "in_progress"})).await.1))
        }
        "tasks.delete-keeps-task" => {
            let id = id_of(&s.new_task("d").await);
            format!("{} {}", st(s.delete(&id).await), st(s.get(&id).await))
        }
        "media.read-not-json" => {
            let id = id_of(&s.new_task("m").await);
            let r = s.req(Method::GET, &s.task_path(&id)).send().await;
            r.headers["content-type"].to_str().unwrap().to_string()
        }
        other => panic!("no probe for fault `{other}`"),
    }
}

/// Per fault: (what the faithful mock shows, what the faulty one shows).
fn expected(fault: &str) -> (&'static str, &'static str) {
    match fault {
        "auth.login-answer-not-json" => (
            "application/json token=true",
            "text/html; charset=utf-8 token=true",
        ),
        "auth.login-wrong-password-accepted" | "auth.login-unknown-user-accepted" => ("400", "200"),
        "auth.token-any-keyword" => ("401,401", "200,200"),
        "auth.token-unchecked-read" => ("401,401", "200,200"),
        "auth.token-unchecked-create" => ("401,401", "201,201"),
        "auth.token-unchecked-update" => ("401,401", "200,200"),
        "auth.token-unchecked-delete" => ("401,401", "204,404"),
        "auth.api-key-unchecked-read" => ("403,403", "200,200"),
        "auth.api-key-unchecked-create" => ("403,403", "201,201"),
        "auth.api-key-unchecked-update" => ("403,403", "200,200"),
        "auth.api-key-unchecked-delete" => ("403,403", "204,404"),
        "headers.content-type-ignored-create" => ("415", "201"),
        "headers.content-type-ignored-update" => ("415 \"ct\"", "200 \"changed\""),
        "tasks.create-body-not-json-accepted" => ("400", "201"),
        "workspace.other-workspace-allowed" => ("403", "200"),
        "tasks.create-answer-incomplete" => ("\"d\"", "null"),
        "tasks.create-history-empty" => ("[\"assigned\"]", "[]"),
        "tasks.description-required" => ("201", "400"),
        "tasks.create-title-optional"
        | "tasks.create-status-optional"
        | "tasks.create-user-email-optional" => ("400", "201"),
        "tasks.create-drops-references" => {
            ("[\"form-3\"] \"project-2\" \"client-5\"", "[] null null")
        }
        "tasks.data-empty-refused" => ("201", "400"),
        "tasks.title-max-length-unchecked" => ("400", "201"),
        "tasks.title-max-99" => ("201", "400"),
        "tasks.description-max-length-unchecked" => ("400", "201"),
        "tasks.description-max-254" => ("201", "400"),
        "tasks.read-by-user-wrong" => ("by_user kept: true", "by_user kept: false"),
        "tasks.timestamps-not-rfc3339" => ("rfc3339: true", "rfc3339: false"),
        "tasks.update-ignores-fields" => ("\"active\" \"after\"", "\"active\" \"before\""),
        "tasks.update-returns-202" => ("200", "202"),
        "tasks.update-not-partial" => ("\"kept\"", "null"),
        "tasks.update-history-replaced" => ("[\"assigned\", \"in_progress\"]", "[\"in_progress\"]"),
        "tasks.delete-keeps-task" => ("204 404", "204 200"),
        "media.read-not-json" => ("application/json", "text/plain; charset=utf-8"),
        other => panic!("no expectation for fault `{other}`"),
    }
}

#[tokio::test]
async fn each_fault_breaks_its_behaviour_and_the_faithful_mock_keeps_it() {
    let faithful = common::mock("optacheck", None).await;
    let fs = Session::start(&faithful).await;
    for info in optacheck::Fault::INFOS {
        let faulty = common::mock("optacheck", Some(info.name)).await;
        let bs = Session::start(&faulty).await;
        let (good, bad) = expected(info.name);
        assert_eq!(
            probe(info.name, &fs).await,
            good,
            "faithful, probe of {}",
            info.name
        );
        assert_eq!(probe(info.name, &bs).await, bad, "fault {}", info.name);
        faulty.shutdown().await;
    }
    faithful.shutdown().await;
}

// ---------------------------------------------------------------------------------- variants

async fn variant_mock(variant: Option<&str>) -> RunningMock {
    start(
        "optacheck",
        MockOptions {
            variant: variant.map(str::to_string),
            ..MockOptions::default()
        },
    )
    .await
    .unwrap_or_else(|e| panic!("the optacheck mock (variant {variant:?}) does not start: {e}"))
}

/// How a timestamp is written: the document's form (`micros-z`) or another RFC 3339 one.
fn stamp_form(ts: &Value) -> &'static str {
    let ts = ts.as_str().unwrap_or_default();
    let re = |p: &str| regex::Regex::new(p).unwrap().is_match(ts);
    if re(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$") {
        "micros-z"
    } else if re(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$") {
        "millis-offset"
    } else if re(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$") {
        "seconds-offset"
    } else {
        "other"
    }
}

/// What the probe of `variant` observes, as text: the default mock gives the first of the
/// variant's pair of expectations, the variant the second.
async fn variant_probe(variant: &str, s: &Session) -> String {
    let st = |r: (StatusCode, Value)| r.0.as_u16().to_string();
    match variant {
        "integer-ids" => {
            let t = s.new_task("ids").await;
            format!(
                "id {}, user {}, workspace numeric {}",
                t["id"].is_u64(),
                t["user"].is_u64(),
                s.workspace.parse::<u64>().is_ok()
            )
        }
        "optional-fields-absent" | "optional-fields-null" => {
            let t = s.new_task("minimal").await;
            let show = |k: &str| t.get(k).map_or("absent".to_string(), Value::to_string);
            format!(
                "description {}, forms {}, project {}, data {}",
                show("description"),
                show("forms"),
                show("project"),
                show("data")
            )
        }
        "other-refusals" => {
            let id = id_of(&s.new_task("refusals").await);
            let no_token = Session::send(
                s.http
                    .get(&s.task_path(&id))
                    .header("x-api-key", &s.api_key),
            )
            .await;
            let no_key = Session::send(
                s.http
                    .get(&s.task_path(&id))
                    .header("Authorization", format!("Token {}", s.token)),
            )
            .await;
            let unknown = s.req(Method::GET, &s.task_path("nope")).send().await;
            let unknown_ct = unknown.headers["content-type"]
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_string();
            let invalid = s
                .create(json!({"status": "assigned", "user_email": s.assignee}))
                .await;
            let login = s
                .login(&json!({"username": s.username, "password": "wrong"}))
                .await;
            format!(
                "{} {} {} {unknown_ct} {} {}",
                st(no_token),
                st(no_key),
                unknown.status_code().as_u16(),
                st(invalid),
                st(login)
            )
        }
        "bearer-accepted" => {
            let id = id_of(&s.new_task("bearer").await);
            st(Session::send(
                s.http
                    .get(&s.task_path(&id))
                    .header("Authorization", format!("Bearer {}", s.token))
                    .header("x-api-key", &s.api_key),
            )
            .await)
        }
        "any-content-type" => st(Session::send(
            s.req(Method::POST, &s.tasks_path())
                .header("Content-Type", "text/plain")
                .body(
                    json!({"status": "assigned", "title": "plain", "user_email": s.assignee})
                        .to_string(),
                ),
        )
        .await),
        "defaults-on-create" => {
            let (status, t) = s.create(json!({"title": "no status, no assignee"})).await;
            format!(
                "{} {} {}",
                status.as_u16(),
                t["status_history"][0]["status"],
                t.get("user").is_some() && t["user"] == t["by_user"]
            )
        }
        "truncates-long-text" => {
            let (status, t) = s
                .create(json!({"status": "assigned", "title": "T".repeat(101), "user_email": s.assignee}))
                .await;
            let len = t["title"].as_str().map_or(0, |x| x.chars().count());
            format!("{} {len}", status.as_u16())
        }
        "timestamps-otherwise" => {
            let t = s.new_task("stamps").await;
            let (_, read) = s.get(&id_of(&t)).await;
            format!(
                "{} {}",
                stamp_form(&t["date_created"]),
                stamp_form(&read["date_created"])
            )
        }
        "localized-status-names" => {
            let id = id_of(&s.new_task("names").await);
            let (_, u) = s.put(&id, json!({"status": "in_progress"})).await;
            format!(
                "{} {}",
                u["status_history"][0]["status_name"], u["status_history"][1]["status_name"]
            )
        }
        "login-requires-api-key" => {
            let without_key = s
                .http
                .post("/api-token-auth/")
                .json(&json!({"username": s.username, "password": s.password}))
                .send()
                .await
                .status_code();
            let (_, with_key) = s
                .login(&json!({"username": s.username, "password": s.password}))
                .await;
            let mut keys: Vec<&String> = with_key.as_object().unwrap().keys().collect();
            keys.sort();
            format!("{} {keys:?}", without_key.as_u16())
        }
        "setup-otherwise" => {
            let uuid = regex::Regex::new("^[0-9a-f]{8}-[0-9a-f]{4}-").unwrap();
            let seeded = s.get(&optacheck::task_id(1, 1)).await.0.as_u16();
            let t = s.new_task("self").await;
            format!(
                "uuid workspace {}, seeded {seeded}, self-assigned {}",
                uuid.is_match(&s.workspace),
                t["user"] == t["by_user"]
            )
        }
        "delete-answers-body" => {
            let id = id_of(&s.new_task("gone").await);
            let (status, body) = s.delete(&id).await;
            format!(
                "{} {} {}",
                status.as_u16(),
                body["id"] == json!(id),
                s.get(&id).await.0.as_u16()
            )
        }
        other => panic!("no probe for variant `{other}`"),
    }
}

/// Per variant: (what the default mock shows, what the variant shows).
fn variant_expected(variant: &str) -> (&'static str, &'static str) {
    match variant {
        "integer-ids" => (
            "id false, user false, workspace numeric false",
            "id true, user true, workspace numeric true",
        ),
        "optional-fields-absent" => (
            "description null, forms [], project null, data {}",
            "description absent, forms absent, project absent, data absent",
        ),
        "optional-fields-null" => (
            "description null, forms [], project null, data {}",
            "description null, forms null, project null, data null",
        ),
        "other-refusals" => (
            "401 403 404 application/json 400 400",
            "403 401 404 text/html 422 401",
        ),
        "bearer-accepted" => ("401", "200"),
        "any-content-type" => ("415", "201"),
        "defaults-on-create" => ("400 null false", "201 \"assigned\" true"),
        "truncates-long-text" => ("400 0", "201 100"),
        "timestamps-otherwise" => ("micros-z micros-z", "millis-offset seconds-offset"),
        "localized-status-names" => (
            "\"Assigned\" \"In progress\"",
            "\"Asignada\" \"En progreso\"",
        ),
        "login-requires-api-key" => (
            "200 [\"token\"]",
            "403 [\"expiry\", \"token\", \"user_id\"]",
        ),
        "setup-otherwise" => (
            "uuid workspace true, seeded 200, self-assigned false",
            "uuid workspace false, seeded 404, self-assigned true",
        ),
        "delete-answers-body" => ("204 false 404", "200 true 410"),
        other => panic!("no expectation for variant `{other}`"),
    }
}

/// What every variant keeps, as the document states it: the documented statuses, both
/// credentials required, the workspace scoping, the field limits, the optional fields.
async fn documented_behaviour(s: &Session) -> Vec<String> {
    let mut broken = Vec::new();
    let mut check = |ok: bool, what: &str| {
        if !ok {
            broken.push(what.to_string());
        }
    };
    let (status, created) = s
        .create(json!({"status": "assigned", "title": "kept", "description": "d", "user_email": s.assignee}))
        .await;
    check(status == StatusCode::CREATED, "a create answers 201");
    check(
        created["title"] == "kept" && created["description"] == "d",
        "a create answers the task data",
    );
    let id = match &created["id"] {
        Value::String(x) => x.clone(),
        other => other.to_string(),
    };
    let (status, read) = s.get(&id).await;
    check(
        status.is_success() && read["id"] == created["id"],
        "a read answers the task",
    );
    let (status, updated) = s.put(&id, json!({"status": "active"})).await;
    check(
        status == StatusCode::OK && updated["status"] == "active",
        "a status-only update answers 200 with the status changed",
    );
    let refused = |r: (StatusCode, Value)| r.0.is_client_error();
    check(
        refused(
            Session::send(
                s.http
                    .get(&s.task_path(&id))
                    .header("x-api-key", &s.api_key),
            )
            .await,
        ),
        "a read without the token is refused",
    );
    check(
        refused(
            Session::send(
                s.http
                    .get(&s.task_path(&id))
                    .header("Authorization", format!("Token {}", s.token)),
            )
            .await,
        ),
        "a read without the API key is refused",
    );
    let foreign = format!("/v1.0/workspaces/{}0/assignments/{id}/", s.workspace);
    check(
        refused(Session::send(s.req(Method::GET, &foreign)).await),
        "another workspace's URL is refused",
    );
    let (status, long) = s.put(&id, json!({"title": "T".repeat(101)})).await;
    check(
        status.is_client_error() || long["title"].as_str().is_some_and(|t| t.len() <= 100),
        "no title over 100 characters",
    );
    check(
        s.get(&id).await.1["title"]
            .as_str()
            .is_some_and(|t| t.len() <= 100),
        "no title over 100 characters is kept",
    );
    let (status, max) = s
        .create(json!({"status": "assigned", "title": "T".repeat(100), "description": "D".repeat(255), "user_email": s.assignee, "data": {}}))
        .await;
    check(
        status == StatusCode::CREATED
            && max["title"].as_str().map(str::len) == Some(100)
            && max["description"].as_str().map(str::len) == Some(255),
        "100 and 255 characters, and empty data, are accepted whole",
    );
    check(
        s.delete(&id).await.0.is_success() && s.get(&id).await.0.is_client_error(),
        "a deleted task can no longer be read",
    );
    broken
}

#[tokio::test]
async fn each_variant_makes_its_choice_and_keeps_what_the_document_states() {
    let default = variant_mock(None).await;
    let ds = Session::start(&default).await;
    for info in optacheck::Variant::INFOS {
        let m = variant_mock(Some(info.name)).await;
        let s = Session::start(&m).await;
        let (was, now) = variant_expected(info.name);
        assert_eq!(
            variant_probe(info.name, &ds).await,
            was,
            "default mock, probe of {}",
            info.name
        );
        assert_eq!(
            variant_probe(info.name, &s).await,
            now,
            "variant {}",
            info.name
        );
        let broken = documented_behaviour(&s).await;
        assert!(
            broken.is_empty(),
            "variant {} breaks what the document states: {broken:?}",
            info.name
        );
        m.shutdown().await;
    }
    assert!(documented_behaviour(&ds).await.is_empty());
    default.shutdown().await;
}
