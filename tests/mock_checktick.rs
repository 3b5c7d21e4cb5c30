//! The CheckTick mock over real HTTP: authentication and tiers, the read-only API (405 with
//! `Allow: GET`), the permission matrices, datasets, templates (filters, search, ordering),
//! public pages, DRF errors, throttles, CORS, bad input, determinism, and one probe per fault
//! (the faithful mock passes it, the faulty one fails it).

mod common;

use std::collections::BTreeSet;

use common::{Auth, Response};
use reqwest::Method;
use serde_json::Value;
use specgate::mock::{MockOptions, RunningMock};

const UNKNOWN_ID: &str = "987654321";

struct Ctx {
    m: RunningMock,
    s: common::Session,
}

/// What these tests read in a CheckTick answer.
trait CheckTickAnswer {
    /// A DRF error body: `{"detail": "<text>"}` in JSON.
    fn is_drf_error(&self) -> bool;
    fn items(&self) -> Vec<Value>;
}

impl CheckTickAnswer for Response {
    fn is_drf_error(&self) -> bool {
        self.header("content-type")
            .is_some_and(|c| c.starts_with("application/json"))
            && self.json()["detail"]
                .as_str()
                .is_some_and(|d| !d.is_empty())
    }
    fn items(&self) -> Vec<Value> {
        self.json().as_array().cloned().unwrap_or_default()
    }
}

impl Ctx {
    async fn new(fault: Option<&str>) -> Ctx {
        let m = common::mock("checktick", fault).await;
        let s = common::Session::of(&m);
        Ctx { m, s }
    }

    async fn with(options: MockOptions) -> Ctx {
        let m = common::mock_with("checktick", options).await;
        let s = common::Session::of(&m);
        Ctx { m, s }
    }

    /// The key of a role, of a named credential, or None for `anonymous`.
    fn key(&self, who: &str) -> Option<String> {
        if who == "anonymous" {
            return None;
        }
        let creds = &self.m.target.credentials;
        let key = creds.role(who, "api_key").or_else(|| creds.get(who));
        Some(key.unwrap_or(who).to_string())
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        who: &str,
        headers: &[(&str, &str)],
    ) -> Response {
        let auth = self.key(who).map_or(Auth::None, Auth::Bearer);
        let mut request = self.s.request(method, path).auth(auth);
        for (k, v) in headers {
            request = request.header(k, *v);
        }
        let r = request.send().await;
        assert!(r.status < 500, "{path}: {} {}", r.status, r.text());
        r
    }

    async fn get(&self, path: &str, who: &str) -> Response {
        self.send(Method::GET, path, who, &[]).await
    }

    async fn ids(&self, path: &str, who: &str, field: &str) -> Vec<Value> {
        let r = self.get(path, who).await;
        assert_eq!(r.status, 200, "{path} as {who}: {}", r.text());
        r.items().iter().map(|i| i[field].clone()).collect()
    }

    async fn first_survey(&self, who: &str) -> String {
        let ids = self.ids("/api/surveys/", who, "id").await;
        ids.first().expect("a survey").to_string()
    }

    async fn first_where(&self, path: &str, who: &str, f: impl Fn(&Value) -> bool) -> Value {
        let r = self.get(path, who).await;
        r.items()
            .into_iter()
            .find(|i| f(i))
            .unwrap_or_else(|| panic!("{path} as {who}: nothing matches"))
    }

    async fn shutdown(self) {
        self.m.shutdown().await;
    }
}

fn set(v: &[Value]) -> BTreeSet<String> {
    v.iter().map(Value::to_string).collect()
}

fn sorted(values: &[Value], desc: bool) -> bool {
    values.windows(2).all(|w| {
        let ord = match (&w[0], &w[1]) {
            (Value::String(a), Value::String(b)) => a.cmp(b),
            (a, b) => a
                .as_f64()
                .partial_cmp(&b.as_f64())
                .unwrap_or(std::cmp::Ordering::Equal),
        };
        if desc {
            ord != std::cmp::Ordering::Less
        } else {
            ord != std::cmp::Ordering::Greater
        }
    })
}

fn has_key(v: &Value, key: &str) -> bool {
    match v {
        Value::Object(m) => m.contains_key(key) || m.values().any(|x| has_key(x, key)),
        Value::Array(a) => a.iter().any(|x| has_key(x, key)),
        _ => false,
    }
}

/// ResponseMetrics: counts (non-negative integers), possibly grouped.
fn counts_only(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.as_u64().is_some(),
        Value::Object(m) => m.values().all(counts_only),
        Value::Array(a) => a.iter().all(counts_only),
        _ => false,
    }
}

const TEMPLATE_FIELDS: &[&str] = &[
    "id",
    "name",
    "description",
    "markdown",
    "publication_level",
    "publisher_username",
    "organization_name",
    "attribution",
    "tags",
    "language",
    "import_count",
    "can_delete",
    "created_at",
    "updated_at",
];

const PAID: &[&str] = &[
    "owner",
    "org_admin",
    "org_viewer",
    "team",
    "enterprise",
    "outsider",
];

// ------------------------------------------------------------------ authentication and tiers

#[tokio::test]
async fn a_live_bearer_key_is_accepted_and_bad_keys_get_401() {
    let x = Ctx::new(None).await;
    for role in PAID {
        let k = x.key(role).expect("a key");
        assert!(k.starts_with("ct_live_"), "{k}");
        let r = x.get("/api/question-group-templates/", role).await;
        assert_eq!(r.status, 200, "{role}");
    }
    let r = x.get("/api/surveys/", "owner").await;
    assert_eq!(r.status, 200);
    assert!(!r.items().is_empty());
    for who in [
        "anonymous",
        "ct_live_specgate0notakey",
        "not-a-checktick-key",
        "revoked_api_key",
        "expired_api_key",
        "password_changed_api_key",
    ] {
        let r = x.get("/api/question-group-templates/", who).await;
        assert_eq!(r.status, 401, "{who}");
        assert!(r.is_drf_error(), "{who}: {}", r.text());
        assert!(r.header("www-authenticate").is_some());
    }
    // An invalid key is not "no key": the survey list refuses it.
    let r = x.get("/api/surveys/", "ct_live_specgate0notakey").await;
    assert_eq!(r.status, 401);
    let r = x.get("/api/surveys/", "anonymous").await;
    assert_eq!((r.status, r.items().len()), (200, 0));
    // Malformed Authorization headers.
    for h in ["Bearer", "Bearer a b", "bearer ct_live_x"] {
        let r = x
            .send(
                Method::GET,
                "/api/question-group-templates/",
                "anonymous",
                &[("Authorization", h)],
            )
            .await;
        assert_eq!(r.status, 401, "{h}");
    }
    // Another scheme is not this API's: the caller is anonymous.
    let r = x
        .send(
            Method::GET,
            "/api/datasets/",
            "anonymous",
            &[("Authorization", "Basic dXNlcjpwYXNz")],
        )
        .await;
    assert_eq!(r.status, 200);
    x.shutdown().await;
}

#[tokio::test]
async fn free_tier_keys_are_refused_with_403_and_paid_tiers_read_only() {
    let x = Ctx::new(None).await;
    for path in [
        "/api/surveys/",
        "/api/surveys/1/",
        "/api/surveys/1/metrics/responses/",
        "/api/datasets/",
        "/api/datasets/countries/",
        "/api/question-group-templates/",
        "/api/question-group-templates/101/",
    ] {
        let r = x.get(path, "free").await;
        assert_eq!(r.status, 403, "{path}");
        assert!(r.is_drf_error());
    }
    for role in ["team", "enterprise", "owner", "org_admin"] {
        let r = x
            .send(
                Method::POST,
                "/api/surveys/",
                role,
                &[("Content-Type", "application/json")],
            )
            .await;
        assert_eq!(r.status, 405, "{role}");
        assert!(r.is_drf_error());
    }
    // DRF's order: authentication and permissions before the method.
    let r = x
        .send(
            Method::POST,
            "/api/question-group-templates/",
            "anonymous",
            &[],
        )
        .await;
    assert_eq!(r.status, 401);
    let r = x.send(Method::POST, "/api/surveys/", "free", &[]).await;
    assert_eq!(r.status, 403);
    x.shutdown().await;
}

// ------------------------------------------------------------------ read-only

#[tokio::test]
async fn every_endpoint_accepts_get_only() {
    let x = Ctx::new(None).await;
    let survey = x.first_survey("owner").await;
    let paths = [
        "/api/surveys/".to_string(),
        format!("/api/surveys/{survey}/"),
        format!("/api/surveys/{survey}/metrics/responses/"),
        "/api/datasets/".to_string(),
        "/api/datasets/ethnic_category/".to_string(),
        "/api/question-group-templates/".to_string(),
        "/api/question-group-templates/101/".to_string(),
        "/api/health".to_string(),
        "/api/docs".to_string(),
        "/api/redoc".to_string(),
        "/api/schema".to_string(),
    ];
    for path in &paths {
        for method in [
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ] {
            let r = x.send(method.clone(), path, "owner", &[]).await;
            assert_eq!(r.status, 405, "{method} {path}");
            assert_eq!(r.header("allow"), Some("GET"), "{method} {path}");
            assert!(r.is_drf_error(), "{method} {path}: {}", r.text());
        }
        let r = x.get(path, "owner").await;
        assert_eq!(r.status, 200, "GET {path}");
        let r = x.send(Method::HEAD, path, "owner", &[]).await;
        assert_eq!(r.status, 200, "HEAD {path}");
        assert!(r.text().is_empty());
    }
    x.shutdown().await;
}

// ------------------------------------------------------------------ surveys

#[tokio::test]
async fn survey_lists_follow_the_permission_matrix() {
    let x = Ctx::new(None).await;
    let owner = set(&x.ids("/api/surveys/", "owner", "id").await);
    let admin = set(&x.ids("/api/surveys/", "org_admin", "id").await);
    let viewer = set(&x.ids("/api/surveys/", "org_viewer", "id").await);
    let outsider = set(&x.ids("/api/surveys/", "outsider", "id").await);
    assert!(!owner.is_empty() && !viewer.is_empty() && !outsider.is_empty());
    assert!(owner.is_subset(&admin));
    assert!(viewer.is_subset(&admin));
    assert!(admin.len() > owner.len() + viewer.len());
    assert!(owner.is_disjoint(&viewer));
    assert!(outsider.is_disjoint(&admin));
    // Sorted by id, no responses.
    let r = x.get("/api/surveys/", "org_admin").await;
    let ids: Vec<Value> = r.items().iter().map(|s| s["id"].clone()).collect();
    assert!(sorted(&ids, false));
    assert!(!has_key(&r.json(), "responses"));
    x.shutdown().await;
}

#[tokio::test]
async fn survey_retrieve_and_metrics_follow_the_permission_matrix() {
    let x = Ctx::new(None).await;
    let owners = x.first_survey("owner").await;
    let viewers = x.first_survey("org_viewer").await;
    for kind in ["", "metrics/responses/"] {
        let p = |id: &str| format!("/api/surveys/{id}/{kind}");
        for (who, id, want) in [
            ("owner", &owners, 200),
            ("org_admin", &owners, 200),
            ("org_viewer", &owners, 403), // not a member of this one
            ("free", &owners, 403),
            ("outsider", &owners, 403),
            ("team", &owners, 403),
            ("anonymous", &owners, 401),
            ("org_viewer", &viewers, 200),
            ("org_admin", &viewers, 200),
            ("owner", &viewers, 403),
            ("anonymous", &viewers, 401),
        ] {
            let r = x.get(&p(id), who).await;
            assert_eq!(r.status, want, "{who} {}", p(id));
            if want != 200 {
                assert!(r.is_drf_error());
            }
        }
        let r = x.get(&p(UNKNOWN_ID), "org_admin").await;
        assert_eq!(r.status, 404);
        assert!(r.is_drf_error());
    }
    // The viewer is a member of some of the owner's surveys: retrievable, not listed.
    let listed = set(&x.ids("/api/surveys/", "org_viewer", "id").await);
    let mut member_of = 0;
    for id in x.ids("/api/surveys/", "owner", "id").await {
        let r = x.get(&format!("/api/surveys/{id}/"), "org_viewer").await;
        if r.status == 200 {
            member_of += 1;
            assert!(!listed.contains(&id.to_string()));
        }
    }
    assert!(member_of > 0);
    let s = x
        .get(&format!("/api/surveys/{owners}/"), "owner")
        .await
        .json();
    assert_eq!(s["id"].to_string(), owners);
    assert!(s["questions"].as_array().is_some_and(|q| !q.is_empty()));
    assert!(!has_key(&s, "responses"));
    let m = x
        .get(
            &format!("/api/surveys/{owners}/metrics/responses/"),
            "owner",
        )
        .await
        .json();
    assert!(m.is_object() && counts_only(&m), "{m}");
    assert_eq!(
        m["total"].as_u64(),
        Some(m["completed"].as_u64().unwrap_or(0) + m["in_progress"].as_u64().unwrap_or(0))
    );
    x.shutdown().await;
}

// ------------------------------------------------------------------ datasets

#[tokio::test]
async fn datasets_are_global_for_anonymous_callers_and_global_plus_org_for_keys() {
    let x = Ctx::new(None).await;
    let anon = x.get("/api/datasets/", "anonymous").await.items();
    assert!(!anon.is_empty());
    assert!(anon.iter().all(|d| d["is_global"] == Value::Bool(true)));
    let keys = |v: &[Value]| set(&v.iter().map(|d| d["key"].clone()).collect::<Vec<_>>());
    let anon_keys = keys(&anon);
    let admin = x.get("/api/datasets/", "org_admin").await.items();
    let viewer = x.get("/api/datasets/", "org_viewer").await.items();
    let outsider = x.get("/api/datasets/", "outsider").await.items();
    let team = x.get("/api/datasets/", "team").await.items();
    assert!(anon_keys.is_subset(&keys(&admin)));
    assert_eq!(keys(&admin), keys(&viewer));
    assert_eq!(keys(&team), anon_keys);
    let org: Vec<&Value> = admin.iter().filter(|d| d["is_global"] == false).collect();
    assert!(!org.is_empty());
    for d in org {
        let key = d["key"].as_str().unwrap_or_default();
        let path = format!("/api/datasets/{key}/");
        assert!(!keys(&outsider).contains(&d["key"].to_string()));
        assert_eq!(x.get(&path, "org_viewer").await.status, 200);
        assert_eq!(x.get(&path, "outsider").await.status, 404);
        assert_eq!(x.get(&path, "anonymous").await.status, 404);
    }
    for d in &anon {
        let key = d["key"].as_str().unwrap_or_default();
        let r = x.get(&format!("/api/datasets/{key}/"), "anonymous").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["key"], d["key"]);
    }
    let nhs: Vec<&Value> = anon.iter().filter(|d| d["category"] == "nhs_dd").collect();
    assert!(!nhs.is_empty());
    let key = nhs[0]["key"].as_str().unwrap_or_default();
    let r = x.get(&format!("/api/datasets/{key}/"), "owner").await;
    assert_eq!(r.json()["category"], "nhs_dd");
    for m in [Method::PUT, Method::PATCH, Method::DELETE] {
        let r = x
            .send(m, &format!("/api/datasets/{key}/"), "org_admin", &[])
            .await;
        assert_eq!(r.status, 405);
    }
    let r = x
        .get("/api/datasets/specgate-missing-1/", "org_admin")
        .await;
    assert_eq!(r.status, 404);
    assert!(r.is_drf_error());
    x.shutdown().await;
}

// ------------------------------------------------------------------ templates

#[tokio::test]
async fn templates_are_global_plus_own_org_with_the_documented_fields() {
    let x = Ctx::new(None).await;
    let list = |who: &'static str| {
        let x = &x;
        async move { x.get("/api/question-group-templates/", who).await.items() }
    };
    let admin = list("org_admin").await;
    let viewer = list("org_viewer").await;
    let owner = list("owner").await;
    let outsider = list("outsider").await;
    let team = list("team").await;
    for t in &admin {
        for f in TEMPLATE_FIELDS {
            assert!(t.get(*f).is_some(), "{f} missing in {t}");
        }
        match t["publication_level"].as_str() {
            Some("global") => assert!(t["organization_name"].is_null()),
            Some("organisation") => {
                assert!(t["organization_name"]
                    .as_str()
                    .is_some_and(|n| !n.is_empty()))
            }
            other => panic!("{other:?}"),
        }
    }
    let ids = |v: &[Value], level: &str| {
        set(&v
            .iter()
            .filter(|t| t["publication_level"] == level)
            .map(|t| t["id"].clone())
            .collect::<Vec<_>>())
    };
    assert_eq!(ids(&admin, "global"), ids(&owner, "global"));
    assert_eq!(ids(&admin, "global"), ids(&team, "global"));
    assert_eq!(ids(&admin, "organisation"), ids(&viewer, "organisation"));
    assert!(!ids(&admin, "organisation").is_empty());
    assert!(ids(&team, "organisation").is_empty());
    assert!(ids(&admin, "organisation").is_disjoint(&ids(&outsider, "organisation")));
    // Retrieve: own org and global yes, another org's 404, unknown 404.
    for id in ids(&admin, "organisation")
        .iter()
        .chain(ids(&admin, "global").iter())
    {
        let r = x
            .get(
                &format!("/api/question-group-templates/{id}/"),
                "org_viewer",
            )
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["id"].to_string(), *id);
        let r = x
            .get(&format!("/api/question-group-templates/{id}/"), "anonymous")
            .await;
        assert_eq!(r.status, 401);
    }
    for id in ids(&outsider, "organisation") {
        let r = x
            .get(&format!("/api/question-group-templates/{id}/"), "org_admin")
            .await;
        assert_eq!(r.status, 404);
        assert!(r.is_drf_error());
    }
    for bad in [UNKNOWN_ID, "abc", "-1", "1.5"] {
        let r = x
            .get(&format!("/api/question-group-templates/{bad}/"), "owner")
            .await;
        assert_eq!(r.status, 404, "{bad}");
        assert!(r.is_drf_error());
    }
    // can_delete: the publisher, or an admin of the template's organisation.
    assert!(admin
        .iter()
        .filter(|t| t["publication_level"] == "organisation")
        .all(|t| t["can_delete"] == true));
    x.shutdown().await;
}

#[tokio::test]
async fn template_filters_search_and_ordering_work() {
    let x = Ctx::new(None).await;
    let q = |query: String| {
        let x = &x;
        async move {
            let r = x
                .get(
                    &format!("/api/question-group-templates/?{query}"),
                    "org_admin",
                )
                .await;
            assert_eq!(r.status, 200, "{query}");
            r.items()
        }
    };
    let all = q(String::new()).await;
    for level in ["global", "organisation"] {
        let got = q(format!("publication_level={level}")).await;
        assert!(!got.is_empty() && got.iter().all(|t| t["publication_level"] == level));
    }
    assert!(q("publication_level=nonsense".into()).await.is_empty());
    for lang in ["en", "cy"] {
        let got = q(format!("language={lang}")).await;
        assert!(!got.is_empty() && got.iter().all(|t| t["language"] == lang));
        assert!(got.len() < all.len());
    }
    let ex = q("publication_level=global&language=en".into()).await;
    assert!(!ex.is_empty());
    assert!(ex
        .iter()
        .all(|t| t["publication_level"] == "global" && t["language"] == "en"));
    // Tags: one tag, a comma-separated pair of one template's tags (AND), spaces trimmed.
    let two = all
        .iter()
        .find(|t| t["tags"].as_array().is_some_and(|a| a.len() >= 2))
        .expect("a template with two tags");
    let (a, b) = (
        two["tags"][0].as_str().unwrap_or_default(),
        two["tags"][1].as_str().unwrap_or_default(),
    );
    let one = q(format!("tags={a}")).await;
    assert!(one.iter().all(|t| t["tags"]
        .as_array()
        .is_some_and(|x| x.iter().any(|y| y == a))));
    let pair = q(format!("tags={a},{b}")).await;
    assert!(pair.iter().any(|t| t["id"] == two["id"]));
    assert!(pair.len() <= one.len());
    let spaced = q(format!("tags={a}%2C%20{b}")).await;
    assert_eq!(set(&spaced), set(&pair));
    assert!(q("tags=no-such-tag".into()).await.is_empty());
    // Search: name and description, case-insensitive; nothing for a foreign string.
    let name = all[0]["name"].as_str().unwrap_or_default().to_string();
    let found = q(format!("search={}", urlencode(&name.to_uppercase()))).await;
    assert!(found.iter().any(|t| t["id"] == all[0]["id"]));
    let with_desc = all
        .iter()
        .find(|t| t["description"].is_string())
        .expect("a description");
    let desc = with_desc["description"].as_str().unwrap_or_default();
    let found = q(format!("search={}", urlencode(desc))).await;
    assert!(found.iter().any(|t| t["id"] == with_desc["id"]));
    assert!(q("search=zqxj-specgate-nomatch".into()).await.is_empty());
    // Ordering.
    for (field, desc) in [
        ("name", false),
        ("-name", true),
        ("created_at", false),
        ("-created_at", true),
        ("import_count", false),
        ("-import_count", true),
    ] {
        let got = q(format!("ordering={field}")).await;
        assert_eq!(got.len(), all.len());
        let vals: Vec<Value> = got
            .iter()
            .map(|t| t[field.trim_start_matches('-')].clone())
            .collect();
        assert!(sorted(&vals, desc), "{field}: {vals:?}");
    }
    // Unknown ordering fields are ignored; filters combine.
    assert_eq!(q("ordering=password".into()).await.len(), all.len());
    let combo = q("publication_level=global&ordering=-import_count".into()).await;
    assert!(combo.iter().all(|t| t["publication_level"] == "global"));
    x.shutdown().await;
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

// ------------------------------------------------------------------ public, errors, CORS

#[tokio::test]
async fn public_pages_answer_everyone_and_cors_stays_disabled() {
    let x = Ctx::new(None).await;
    for (path, ct) in [
        ("/api/health", "application/json"),
        ("/api/docs", "text/html"),
        ("/api/redoc", "text/html"),
        ("/api/schema", "application/vnd.oai.openapi"),
    ] {
        for who in ["anonymous", "owner", "free", "ct_live_specgate0notakey"] {
            let r = x.get(path, who).await;
            assert_eq!(r.status, 200, "{path} as {who}");
            assert!(r.header("content-type").is_some_and(|c| c.starts_with(ct)));
        }
    }
    assert!(x
        .get("/api/schema", "anonymous")
        .await
        .text()
        .contains("openapi: 3.0.3"));
    let origin = [("Origin", "https://specgate-foreign-origin.invalid")];
    for (path, who) in [
        ("/api/surveys/", "owner"),
        ("/api/health", "anonymous"),
        ("/api/datasets/", "anonymous"),
        ("/api/question-group-templates/", "anonymous"),
    ] {
        let r = x.send(Method::GET, path, who, &origin).await;
        assert!(r
            .headers
            .keys()
            .all(|k| !k.as_str().starts_with("access-control-")));
    }
    let r = x
        .send(
            Method::OPTIONS,
            "/api/surveys/",
            "anonymous",
            &[
                ("Origin", "https://specgate-foreign-origin.invalid"),
                ("Access-Control-Request-Method", "GET"),
            ],
        )
        .await;
    assert!(r.header("access-control-allow-origin").is_none());
    x.shutdown().await;
}

#[tokio::test]
async fn bad_input_gets_4xx_never_5xx() {
    let x = Ctx::new(None).await;
    let huge = vec![b'x'; (1 << 20) + 4096];
    let r =
        x.s.post("/api/surveys/")
            .auth(Auth::Bearer(x.key("owner").unwrap_or_default()))
            .header("Content-Type", "application/json")
            .body(huge)
            .send()
            .await;
    assert_eq!(r.status, 405);
    for (method, path) in [
        (Method::PUT, "/api/surveys/1/"),
        (Method::PATCH, "/api/question-group-templates/101/"),
        (Method::POST, "/api/question-group-templates/"),
    ] {
        let r =
            x.s.request(method, path)
                .auth(Auth::Bearer(x.key("owner").unwrap_or_default()))
                .header("Content-Type", "application/json")
                .body("{\"name\": [1, 2,, }")
                .send()
                .await;
        assert_eq!(r.status, 405);
    }
    for path in [
        "/api/surveys/abc/",
        "/api/surveys/0/",
        "/api/surveys/-3/",
        "/api/surveys/99999999999999999999999/",
        "/api/surveys/%FF%FE/",
        "/api/surveys/1/metrics/responses/extra/",
        "/api/datasets/%00/",
        "/api/datasets/..%2F..%2Fetc/",
        "/api/question-group-templates/%F0%9F%92%A9/",
        "/api/nothing-here",
        "/api/surveys",
    ] {
        let r = x.get(path, "org_admin").await;
        assert_eq!(r.status, 404, "{path}");
        assert!(r.is_drf_error(), "{path}: {}", r.text());
    }
    // Query strings the template list cannot use are ignored, not errors.
    for query in [
        "ordering=",
        "ordering=-",
        "ordering=,,name",
        "tags=,,,",
        "search=%25%25",
        "language=%FF",
        "publication_level=global&publication_level=organisation",
        "%%%",
    ] {
        let r = x
            .get(&format!("/api/question-group-templates/?{query}"), "owner")
            .await;
        assert_eq!(r.status, 200, "{query}");
    }
    // A header that is not UTF-8.
    let r = Response::send(x.s.get("/api/question-group-templates/").builder().header(
        "Authorization",
        reqwest::header::HeaderValue::from_bytes(b"Bearer ct_live_\xff").expect("a value"),
    ))
    .await;
    assert_eq!(r.status, 401);
    x.shutdown().await;
}

// ------------------------------------------------------------------ throttling

#[tokio::test]
async fn the_legacy_token_endpoint_allows_5_a_minute_per_client() {
    let x = Ctx::new(None).await;
    let from = |ip: &'static str| [("X-Forwarded-For", ip)];
    for i in 1..=5 {
        let r = x
            .send(Method::GET, "/api/token", "anonymous", &from("203.0.113.1"))
            .await;
        assert_eq!(r.status, 400, "request {i}");
    }
    for _ in 0..2 {
        let r = x
            .send(Method::GET, "/api/token", "anonymous", &from("203.0.113.1"))
            .await;
        assert_eq!(r.status, 429);
        assert!(r.is_drf_error());
        let wait: u64 = r
            .header("retry-after")
            .and_then(|v| v.parse().ok())
            .expect("Retry-After in seconds");
        assert!((1..=60).contains(&wait));
    }
    // Another client has its own window; a POST counts before it is refused.
    let r = x
        .send(Method::GET, "/api/token", "anonymous", &from("203.0.113.2"))
        .await;
    assert_eq!(r.status, 400);
    for _ in 0..4 {
        let r = x
            .send(
                Method::POST,
                "/api/token",
                "anonymous",
                &from("203.0.113.3"),
            )
            .await;
        assert_eq!(r.status, 405);
    }
    let r = x
        .send(Method::GET, "/api/token", "anonymous", &from("203.0.113.3"))
        .await;
    assert_eq!(r.status, 400);
    let r = x
        .send(Method::GET, "/api/token", "anonymous", &from("203.0.113.3"))
        .await;
    assert_eq!(r.status, 429);
    // The API itself is not throttled for that client.
    assert_eq!(
        x.send(
            Method::GET,
            "/api/datasets/",
            "anonymous",
            &from("203.0.113.1")
        )
        .await
        .status,
        200
    );
    x.shutdown().await;
}

#[tokio::test]
async fn concurrent_token_requests_are_counted_exactly() {
    let x = Ctx::new(None).await;
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let s = x.s.clone();
            tokio::spawn(async move {
                s.get("/api/token")
                    .header("X-Forwarded-For", "198.51.100.7")
                    .try_send()
                    .await
                    .map(|r| r.status)
                    .unwrap_or(0)
            })
        })
        .collect();
    let mut served = 0;
    let mut throttled = 0;
    for t in tasks {
        match t.await.unwrap_or(0) {
            400 => served += 1,
            429 => throttled += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((served, throttled), (5, 35));
    x.shutdown().await;
}

#[tokio::test]
async fn a_conformance_sized_burst_is_not_throttled_and_reads_are_consistent() {
    let x = Ctx::new(None).await;
    let first = x.get("/api/surveys/", "org_admin").await.text().to_string();
    let tasks: Vec<_> = (0..300)
        .map(|i| {
            let s = x.s.clone();
            let key = x.key("org_admin").unwrap_or_default();
            tokio::spawn(async move {
                let (path, auth) = if i % 2 == 0 {
                    ("/api/surveys/", true)
                } else {
                    ("/api/datasets/", false)
                };
                let mut req = s.get(path);
                if auth {
                    req = req.auth(Auth::Bearer(key));
                }
                match req.try_send().await {
                    Ok(r) => (r.status, auth, r.text().to_string()),
                    Err(_) => (0, auth, String::new()),
                }
            })
        })
        .collect();
    for t in tasks {
        let (status, auth, body) = t.await.unwrap_or((0, false, String::new()));
        assert_eq!(status, 200);
        if auth {
            assert_eq!(body, first);
        }
    }
    x.shutdown().await;
}

// ------------------------------------------------------------------ data

#[tokio::test]
async fn data_and_keys_are_deterministic_from_the_seed_and_sized() {
    let opts = |seed: u64, size: Option<usize>| MockOptions {
        seed,
        size,
        ..MockOptions::default()
    };
    let a = Ctx::with(opts(7, None)).await;
    let b = Ctx::with(opts(7, None)).await;
    let c = Ctx::with(opts(8, None)).await;
    assert_eq!(a.m.target.credentials, b.m.target.credentials);
    assert_ne!(a.key("owner"), c.key("owner"));
    let roles: BTreeSet<Option<String>> = PAID.iter().map(|r| a.key(r)).collect();
    assert_eq!(roles.len(), PAID.len());
    for path in [
        "/api/surveys/",
        "/api/surveys/2/",
        "/api/question-group-templates/",
        "/api/datasets/",
    ] {
        assert_eq!(
            a.get(path, "org_admin").await.text(),
            b.get(path, "org_admin").await.text()
        );
    }
    assert_eq!(
        a.ids("/api/surveys/", "org_admin", "id").await.len(),
        5 * 5,
        "40 surveys by default, five slots of eight in the organisation"
    );
    for x in [a, b, c] {
        x.shutdown().await;
    }
    // A large size costs no memory per survey; its last survey is there.
    let big = Ctx::with(opts(1, Some(5_000_000))).await;
    let r = big.get("/api/surveys/4999993/", "org_admin").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        big.get("/api/surveys/5000001/", "org_admin").await.status,
        404
    );
    big.shutdown().await;
    let empty = Ctx::with(opts(1, Some(0))).await;
    assert!(empty
        .get("/api/surveys/", "org_admin")
        .await
        .items()
        .is_empty());
    assert_eq!(empty.get("/api/surveys/1/", "org_admin").await.status, 404);
    empty.shutdown().await;
}

// ------------------------------------------------------------------ faults

/// The documented behaviour a fault breaks, probed as its rules probe it: Ok on the faithful
/// mock, Err on the faulty one.
async fn probe(fault: &str, x: &Ctx) -> Result<(), String> {
    macro_rules! ensure {
        ($cond:expr, $($msg:tt)+) => {
            if !$cond {
                return Err(format!($($msg)+));
            }
        };
    }
    let tl = "/api/question-group-templates/";
    let status = |r: &Response, want: u16| -> Result<(), String> {
        if r.status == want {
            Ok(())
        } else {
            Err(format!("status {} (want {want}): {}", r.status, r.text()))
        }
    };
    let refused = |r: &Response| -> Result<(), String> {
        if (400..500).contains(&r.status) && r.is_drf_error() {
            Ok(())
        } else {
            Err(format!("not refused: {} {}", r.status, r.text()))
        }
    };
    let org_dataset = || async {
        x.first_where("/api/datasets/", "org_admin", |d| d["is_global"] == false)
            .await["key"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let org_template = || async {
        x.first_where(
            &format!("{tl}?publication_level=organisation"),
            "org_admin",
            |t| t["publication_level"] == "organisation",
        )
        .await["id"]
            .to_string()
    };
    let nhs = || async {
        x.first_where("/api/datasets/", "owner", |d| d["category"] == "nhs_dd")
            .await["key"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let token_burst = |ident: &'static str| async move {
        let mut last = None;
        for _ in 0..6 {
            last = Some(
                x.send(
                    Method::GET,
                    "/api/token",
                    "anonymous",
                    &[("X-Forwarded-For", ident)],
                )
                .await,
            );
        }
        last.expect("six requests")
    };
    let throttled_properly = |r: &Response| -> Result<(), String> {
        let ok = r.status == 200
            || (r.status == 429
                && r.is_drf_error()
                && r.header("retry-after")
                    .is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())));
        if ok {
            Ok(())
        } else {
            Err(format!(
                "{} {:?} {}",
                r.status,
                r.header("retry-after"),
                r.text()
            ))
        }
    };
    match fault {
        "auth.invalid-key-accepted" => {
            for v in ["ct_live_specgate0notakey", "not-a-checktick-key"] {
                status(&x.get(tl, v).await, 401)?;
            }
            status(
                &x.get("/api/surveys/", "ct_live_specgate0notakey").await,
                401,
            )
        }
        "auth.invalid-key-as-anonymous" => status(
            &x.get("/api/surveys/", "ct_live_specgate0notakey").await,
            401,
        ),
        "auth.revoked-key-accepted" => status(&x.get(tl, "revoked_api_key").await, 401),
        "auth.expired-key-accepted" => status(&x.get(tl, "expired_api_key").await, 401),
        "auth.password-change-keeps-keys" => {
            status(&x.get(tl, "password_changed_api_key").await, 401)
        }
        "auth.anonymous-template-list" => status(&x.get(tl, "anonymous").await, 401),
        "auth.anonymous-template-retrieve" => {
            let id = x
                .first_where(&format!("{tl}?publication_level=global"), "owner", |_| true)
                .await["id"]
                .to_string();
            status(&x.get(&format!("{tl}{id}/"), "anonymous").await, 401)
        }
        "tiers.free-key-accepted" => {
            for p in ["/api/surveys/", "/api/datasets/", tl] {
                status(&x.get(p, "free").await, 403)?;
            }
            Ok(())
        }
        "tiers.pro-refused" => {
            status(&x.get("/api/surveys/", "owner").await, 200)?;
            status(&x.get(tl, "owner").await, 200)
        }
        "tiers.organisation-refused" => status(&x.get("/api/surveys/", "org_admin").await, 200),
        "tiers.team-refused" => status(&x.get(tl, "team").await, 200),
        "tiers.enterprise-refused" => status(&x.get(tl, "enterprise").await, 200),
        "readonly.survey-create" => {
            for who in ["owner", "team", "enterprise"] {
                status(&x.send(Method::POST, "/api/surveys/", who, &[]).await, 405)?;
            }
            Ok(())
        }
        "readonly.template-publish" => {
            status(&x.send(Method::POST, tl, "org_admin", &[]).await, 405)
        }
        "readonly.allow-lists-writes" => {
            let r = x.send(Method::DELETE, "/api/datasets/", "owner", &[]).await;
            ensure!(
                r.header("allow") == Some("GET"),
                "Allow: {:?}",
                r.header("allow")
            );
            Ok(())
        }
        "readonly.public-writes" => {
            for p in ["/api/health", "/api/docs", "/api/redoc", "/api/schema"] {
                status(&x.send(Method::POST, p, "owner", &[]).await, 405)?;
            }
            Ok(())
        }
        "readonly.survey-replace" | "readonly.survey-update" | "readonly.metrics-post" => {
            let id = x.first_survey("owner").await;
            let (m, p) = match fault {
                "readonly.survey-replace" => (Method::PUT, format!("/api/surveys/{id}/")),
                "readonly.survey-update" => (Method::PATCH, format!("/api/surveys/{id}/")),
                _ => (
                    Method::POST,
                    format!("/api/surveys/{id}/metrics/responses/"),
                ),
            };
            status(&x.send(m, &p, "owner", &[]).await, 405)
        }
        "readonly.dataset-writable" => status(
            &x.send(Method::PUT, "/api/datasets/countries/", "org_admin", &[])
                .await,
            405,
        ),
        "datasets.nhs-dd-writable" => {
            let key = nhs().await;
            status(
                &x.send(
                    Method::PATCH,
                    &format!("/api/datasets/{key}/"),
                    "org_admin",
                    &[],
                )
                .await,
                405,
            )
        }
        "readonly.template-writable" => status(
            &x.send(Method::PATCH, &format!("{tl}101/"), "owner", &[])
                .await,
            405,
        ),
        "permissions.survey-list-unscoped" | "permissions.admin-sees-own-surveys-only" => {
            let owner = set(&x.ids("/api/surveys/", "owner", "id").await);
            let admin = set(&x.ids("/api/surveys/", "org_admin", "id").await);
            ensure!(
                owner.is_subset(&admin),
                "owner's surveys not among the admin's"
            );
            let outsider = set(&x.ids("/api/surveys/", "outsider", "id").await);
            ensure!(
                outsider.is_disjoint(&owner),
                "the outsider lists the owner's surveys"
            );
            Ok(())
        }
        "permissions.anonymous-survey-list" => {
            let r = x.get("/api/surveys/", "anonymous").await;
            ensure!(r.status == 401 || r.items().is_empty(), "{}", r.text());
            Ok(())
        }
        "permissions.owner-refused" => {
            let id = x.first_survey("owner").await;
            status(&x.get(&format!("/api/surveys/{id}/"), "owner").await, 200)?;
            status(
                &x.get(&format!("/api/surveys/{id}/metrics/responses/"), "owner")
                    .await,
                200,
            )
        }
        "permissions.admin-retrieve-refused" | "permissions.admin-metrics-refused" => {
            let id = x.first_survey("owner").await;
            let tail = if fault.contains("metrics") {
                "metrics/responses/"
            } else {
                ""
            };
            status(
                &x.get(&format!("/api/surveys/{id}/{tail}"), "org_admin")
                    .await,
                200,
            )
        }
        "permissions.anonymous-survey-retrieve" | "permissions.anonymous-metrics" => {
            let id = x.first_survey("owner").await;
            let tail = if fault.contains("metrics") {
                "metrics/responses/"
            } else {
                ""
            };
            status(
                &x.get(&format!("/api/surveys/{id}/{tail}"), "anonymous")
                    .await,
                401,
            )
        }
        "permissions.member-retrieve-refused" | "permissions.member-metrics-refused" => {
            let id = x.first_survey("org_viewer").await;
            let tail = if fault.contains("metrics") {
                "metrics/responses/"
            } else {
                ""
            };
            status(
                &x.get(&format!("/api/surveys/{id}/{tail}"), "org_viewer")
                    .await,
                200,
            )
        }
        "permissions.outsider-survey-retrieve" | "permissions.outsider-metrics" => {
            let id = x.first_survey("owner").await;
            let tail = if fault.contains("metrics") {
                "metrics/responses/"
            } else {
                ""
            };
            refused(
                &x.get(&format!("/api/surveys/{id}/{tail}"), "outsider")
                    .await,
            )
        }
        "permissions.anonymous-sees-org-datasets" => {
            let r = x.get("/api/datasets/", "anonymous").await;
            ensure!(
                r.items().iter().all(|d| d["is_global"] == true),
                "non-global datasets listed"
            );
            Ok(())
        }
        "permissions.anonymous-reads-org-datasets" => {
            let key = org_dataset().await;
            refused(&x.get(&format!("/api/datasets/{key}/"), "anonymous").await)
        }
        "permissions.anonymous-dataset-list-refused" => {
            status(&x.get("/api/datasets/", "anonymous").await, 200)
        }
        "permissions.anonymous-dataset-refused" => {
            status(&x.get("/api/datasets/countries/", "anonymous").await, 200)
        }
        "permissions.key-holders-miss-global-datasets"
        | "permissions.viewer-misses-org-datasets" => {
            let keys = |v: Vec<Value>| set(&v);
            let anon = keys(x.ids("/api/datasets/", "anonymous", "key").await);
            let admin = keys(x.ids("/api/datasets/", "org_admin", "key").await);
            let viewer = keys(x.ids("/api/datasets/", "org_viewer", "key").await);
            let owner = keys(x.ids("/api/datasets/", "owner", "key").await);
            ensure!(
                anon.is_subset(&owner) && anon.is_subset(&admin),
                "global datasets missing"
            );
            ensure!(admin == viewer, "org_admin and org_viewer differ");
            Ok(())
        }
        "datasets.org-dataset-refused" => {
            let key = org_dataset().await;
            status(
                &x.get(&format!("/api/datasets/{key}/"), "org_viewer").await,
                200,
            )
        }
        "permissions.outsider-sees-org-datasets" => {
            let key = org_dataset().await;
            let outsider = x.ids("/api/datasets/", "outsider", "key").await;
            ensure!(
                !outsider.iter().any(|k| k == &key),
                "{key} listed for the outsider"
            );
            Ok(())
        }
        "permissions.outsider-reads-org-datasets" => {
            let key = org_dataset().await;
            refused(&x.get(&format!("/api/datasets/{key}/"), "outsider").await)
        }
        "datasets.nhs-dd-refused" => {
            let key = nhs().await;
            let r = x.get(&format!("/api/datasets/{key}/"), "owner").await;
            status(&r, 200)?;
            ensure!(r.json()["category"] == "nhs_dd", "{}", r.text());
            Ok(())
        }
        "permissions.templates-unscoped" => {
            let id = org_template().await;
            let ids = set(&x.ids(tl, "outsider", "id").await);
            ensure!(!ids.contains(&id), "{id} listed for the outsider");
            Ok(())
        }
        "permissions.template-retrieve-unscoped" => {
            let id = org_template().await;
            refused(&x.get(&format!("{tl}{id}/"), "outsider").await)
        }
        "permissions.viewer-misses-org-templates" | "templates.global-hidden-from-pro" => {
            let ids = |who: &'static str| async move { set(&x.ids(tl, who, "id").await) };
            let (admin, viewer, owner) = (
                ids("org_admin").await,
                ids("org_viewer").await,
                ids("owner").await,
            );
            ensure!(
                admin == viewer,
                "org_admin and org_viewer see different templates"
            );
            let global = |who: &'static str| async move {
                set(&x
                    .ids(&format!("{tl}?publication_level=global"), who, "id")
                    .await)
            };
            ensure!(
                global("owner").await == global("org_viewer").await,
                "global sets differ"
            );
            ensure!(!owner.is_empty(), "the owner sees nothing");
            Ok(())
        }
        "public.health-needs-key" => status(&x.get("/api/health", "anonymous").await, 200),
        "public.docs-need-key" => {
            for p in ["/api/docs", "/api/redoc", "/api/schema"] {
                status(&x.get(p, "anonymous").await, 200)?;
            }
            Ok(())
        }
        "errors.survey-not-found-403" => {
            status(
                &x.get(&format!("/api/surveys/{UNKNOWN_ID}/"), "org_admin")
                    .await,
                404,
            )?;
            status(
                &x.get(
                    &format!("/api/surveys/{UNKNOWN_ID}/metrics/responses/"),
                    "org_admin",
                )
                .await,
                404,
            )
        }
        "errors.dataset-not-found-403" => status(
            &x.get("/api/datasets/specgate-missing-1/", "org_admin")
                .await,
            404,
        ),
        "errors.template-not-found-403" => status(
            &x.get(&format!("{tl}{UNKNOWN_ID}/"), "org_admin").await,
            404,
        ),
        "errors.401-not-drf" => refused(&x.get(tl, "anonymous").await),
        "errors.403-not-drf" => refused(&x.get(tl, "free").await),
        "errors.404-not-drf" => refused(&x.get(&format!("{tl}{UNKNOWN_ID}/"), "owner").await),
        "errors.405-not-drf" => {
            refused(&x.send(Method::DELETE, "/api/datasets/", "owner", &[]).await)
        }
        "errors.429-not-drf" => refused(&token_burst("192.0.2.1").await),
        "throttle.token-unthrottled" => status(&token_burst("192.0.2.2").await, 429),
        "throttle.token-no-retry-after" => {
            let r = token_burst("192.0.2.3").await;
            status(&r, 429)?;
            throttled_properly(&r)
        }
        "throttle.anon-no-retry-after" => {
            throttled_properly(&x.get("/api/datasets/", "anonymous").await)
        }
        "throttle.user-no-retry-after" => {
            throttled_properly(&x.get("/api/surveys/", "org_viewer").await)
        }
        "cors.origin-reflected" => {
            let origin = [("Origin", "https://specgate-foreign-origin.invalid")];
            for (p, who) in [("/api/surveys/", "owner"), ("/api/health", "anonymous")] {
                let r = x.send(Method::GET, p, who, &origin).await;
                ensure!(
                    r.header("access-control-allow-origin").is_none()
                        && r.header("access-control-allow-credentials").is_none(),
                    "CORS granted on {p}"
                );
            }
            Ok(())
        }
        "scope.survey-responses" => {
            let id = x.first_survey("owner").await;
            let one = x.get(&format!("/api/surveys/{id}/"), "owner").await.json();
            let list = x.get("/api/surveys/", "org_admin").await.json();
            ensure!(
                !has_key(&one, "responses") && !has_key(&list, "responses"),
                "responses"
            );
            Ok(())
        }
        "scope.metrics-individual-responses" => {
            let id = x.first_survey("owner").await;
            let m = x
                .get(&format!("/api/surveys/{id}/metrics/responses/"), "owner")
                .await
                .json();
            ensure!(m.is_object() && counts_only(&m), "not counts only: {m}");
            Ok(())
        }
        "templates.fields-missing" => {
            for t in x.get(tl, "org_viewer").await.items() {
                for f in TEMPLATE_FIELDS {
                    ensure!(t.get(*f).is_some(), "{f} missing");
                }
            }
            Ok(())
        }
        "templates.publication-level-ignored"
        | "templates.language-ignored"
        | "templates.filters-ored" => {
            for level in ["global", "organisation"] {
                let got = x
                    .get(&format!("{tl}?publication_level={level}"), "org_admin")
                    .await;
                ensure!(
                    got.items().iter().all(|t| t["publication_level"] == level),
                    "{level}"
                );
            }
            for lang in ["en", "cy"] {
                let got = x.get(&format!("{tl}?language={lang}"), "org_admin").await;
                ensure!(got.items().iter().all(|t| t["language"] == lang), "{lang}");
            }
            let got = x
                .get(
                    &format!("{tl}?publication_level=global&language=en"),
                    "owner",
                )
                .await;
            ensure!(
                got.items()
                    .iter()
                    .all(|t| t["publication_level"] == "global" && t["language"] == "en"),
                "example"
            );
            Ok(())
        }
        "templates.tags-ignored" | "templates.tags-list-as-one-tag" => {
            let two = x
                .first_where(tl, "org_admin", |t| {
                    t["tags"].as_array().is_some_and(|a| a.len() >= 2)
                })
                .await;
            let (a, b) = (
                two["tags"][0].as_str().unwrap_or_default(),
                two["tags"][1].as_str().unwrap_or_default(),
            );
            let one = x.get(&format!("{tl}?tags={a}"), "org_admin").await.items();
            ensure!(
                one.iter().all(|t| t["tags"]
                    .as_array()
                    .is_some_and(|x| x.iter().any(|y| y == a))),
                "tags={a} lists others"
            );
            let pair = x
                .get(&format!("{tl}?tags={a},{b}"), "org_admin")
                .await
                .items();
            ensure!(!pair.is_empty(), "tags={a},{b} finds nothing");
            Ok(())
        }
        "templates.search-ignored"
        | "templates.search-name-only"
        | "templates.search-description-only" => {
            let none = x
                .get(&format!("{tl}?search=zqxj-specgate-nomatch"), "org_admin")
                .await;
            ensure!(
                none.items().is_empty(),
                "search for nothing finds something"
            );
            let all = x.get(tl, "org_admin").await.items();
            let name = all[0]["name"].as_str().unwrap_or_default();
            let got = x
                .get(&format!("{tl}?search={}", urlencode(name)), "org_admin")
                .await;
            ensure!(!got.items().is_empty(), "name not found");
            let desc = all
                .iter()
                .find_map(|t| t["description"].as_str())
                .unwrap_or_default();
            let got = x
                .get(&format!("{tl}?search={}", urlencode(desc)), "org_admin")
                .await;
            ensure!(!got.items().is_empty(), "description not found");
            Ok(())
        }
        "templates.ordering-ignored" | "templates.ordering-descending-ignored" => {
            for (field, desc) in [
                ("name", false),
                ("-name", true),
                ("created_at", false),
                ("-created_at", true),
                ("import_count", false),
                ("-import_count", true),
            ] {
                let got = x.get(&format!("{tl}?ordering={field}"), "org_admin").await;
                let vals: Vec<Value> = got
                    .items()
                    .iter()
                    .map(|t| t[field.trim_start_matches('-')].clone())
                    .collect();
                ensure!(sorted(&vals, desc), "ordering={field} not sorted");
            }
            Ok(())
        }
        "templates.retrieve-wrong-template" | "templates.org-retrieve-refused" => {
            let first = x.first_where(tl, "org_viewer", |_| true).await["id"].to_string();
            let org = x
                .first_where(
                    &format!("{tl}?publication_level=organisation"),
                    "org_viewer",
                    |_| true,
                )
                .await["id"]
                .to_string();
            for id in [first, org] {
                let r = x.get(&format!("{tl}{id}/"), "org_viewer").await;
                status(&r, 200)?;
                ensure!(
                    r.json()["id"].as_u64() == id.parse::<u64>().ok(),
                    "asked {id}, got {}",
                    r.json()["id"]
                );
            }
            Ok(())
        }
        "templates.organization-name-missing" => {
            let got = x
                .get(&format!("{tl}?publication_level=organisation"), "org_admin")
                .await;
            ensure!(
                got.items().iter().all(|t| t["organization_name"]
                    .as_str()
                    .is_some_and(|n| !n.is_empty())),
                "organization_name missing"
            );
            Ok(())
        }
        other => Err(format!("no probe for fault `{other}`")),
    }
}

#[tokio::test]
async fn every_fault_breaks_its_documented_behaviour() {
    let api = specgate::mock::api("checktick").expect("the checktick mock");
    let faithful = Ctx::new(None).await;
    let mut problems = Vec::new();
    for info in api.faults() {
        if let Err(e) = probe(info.name, &faithful).await {
            problems.push(format!(
                "{}: the faithful mock fails the probe: {e}",
                info.name
            ));
        }
        let faulty = Ctx::new(Some(info.name)).await;
        if probe(info.name, &faulty).await.is_ok() {
            problems.push(format!("{}: the faulty mock passes the probe", info.name));
        }
        faulty.shutdown().await;
    }
    faithful.shutdown().await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The ordering faults break each ordering rule on its own, not only one of them.
#[tokio::test]
async fn the_ordering_faults_break_every_ordering_they_name() {
    for (fault, fields) in [
        (
            "templates.ordering-ignored",
            &[
                "name",
                "-name",
                "created_at",
                "-created_at",
                "import_count",
                "-import_count",
            ][..],
        ),
        (
            "templates.ordering-descending-ignored",
            &["-name", "-created_at", "-import_count"][..],
        ),
    ] {
        let x = Ctx::new(Some(fault)).await;
        for field in fields {
            let got = x
                .get(
                    &format!("/api/question-group-templates/?ordering={field}"),
                    "org_admin",
                )
                .await;
            let vals: Vec<Value> = got
                .items()
                .iter()
                .map(|t| t[field.trim_start_matches('-')].clone())
                .collect();
            assert!(
                !sorted(&vals, field.starts_with('-')),
                "{fault}: {field} still sorted"
            );
        }
        x.shutdown().await;
    }
}

/// Both levels have both languages for every seed, so the language filter and the documented
/// example can always tell a broken filter from a working one.
#[tokio::test]
async fn every_seed_has_both_languages_at_both_levels() {
    for seed in [1, 2, 3, 42, 1234] {
        let x = Ctx::with(MockOptions {
            seed,
            ..MockOptions::default()
        })
        .await;
        let all = x
            .get("/api/question-group-templates/", "owner")
            .await
            .items();
        for level in ["global", "organisation"] {
            for lang in ["en", "cy"] {
                assert!(
                    all.iter()
                        .any(|t| t["publication_level"] == level && t["language"] == lang),
                    "seed {seed}: no {level} template in {lang}"
                );
            }
        }
        x.shutdown().await;
    }
}

// ------------------------------------------------------------------ variants and fixtures

async fn variant(name: &str) -> Ctx {
    Ctx::with(MockOptions {
        variant: Some(name.to_string()),
        ..MockOptions::default()
    })
    .await
}

/// An id as it goes into a path: a string as it is, a number as its digits.
fn path_id(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// The mock's fixtures name what the contract says they name, in every variant: a survey of
/// org_admin's organisation (listed and readable by it, refused to the outsider), and a template
/// and a dataset of org_viewer's organisation (listed for it, organisation-level).
#[tokio::test]
async fn fixtures_name_what_the_contract_describes() {
    let api = specgate::mock::api("checktick").expect("the checktick mock");
    let names: Vec<Option<&str>> = std::iter::once(None)
        .chain(api.variants().iter().map(|v| Some(v.name)))
        .collect();
    for name in names {
        let x = match name {
            Some(n) => variant(n).await,
            None => Ctx::new(None).await,
        };
        let label = name.unwrap_or("faithful");
        let fx = x.m.target.fixtures.clone();
        let survey = fx.get("org_survey_id").expect("org_survey_id").clone();
        assert!(
            x.ids("/api/surveys/", "org_admin", "id")
                .await
                .contains(&survey),
            "{label}: org_admin does not list {survey}"
        );
        assert!(
            !x.ids("/api/surveys/", "outsider", "id")
                .await
                .contains(&survey),
            "{label}: the outsider lists {survey}"
        );
        let path = format!("/api/surveys/{}/", path_id(&survey));
        assert_eq!(x.get(&path, "org_admin").await.status, 200, "{label}");
        assert!(
            (400..500).contains(&x.get(&path, "outsider").await.status),
            "{label}"
        );
        let template = fx.get("org_template_id").expect("org_template_id").clone();
        let listed = x
            .get("/api/question-group-templates/", "org_viewer")
            .await
            .items();
        assert!(
            listed
                .iter()
                .any(|t| t["id"] == template && t["publication_level"] == "organisation"),
            "{label}: org_viewer does not list the organisation template {template}"
        );
        let dataset = fx.get("org_dataset_key").expect("org_dataset_key").clone();
        let listed = x.get("/api/datasets/", "org_viewer").await.items();
        assert!(
            listed
                .iter()
                .any(|d| d["key"] == dataset && d["is_global"] == false),
            "{label}: org_viewer does not list its organisation's dataset {dataset}"
        );
        x.shutdown().await;
    }
}

#[tokio::test]
async fn problem_details_errors_carry_no_detail() {
    let x = variant("problem-details").await;
    for (path, who, status) in [
        ("/api/question-group-templates/", "anonymous", 401),
        ("/api/surveys/", "free", 403),
        ("/api/surveys/987654321/", "owner", 404),
        ("/api/no-such-endpoint/", "owner", 404),
    ] {
        let r = x.get(path, who).await;
        assert_eq!(r.status, status, "{path}: {}", r.text());
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        assert_eq!(r.json()["status"], status);
        assert!(r.json().get("detail").is_none() && !r.is_drf_error());
    }
    let r = x.send(Method::DELETE, "/api/datasets/", "owner", &[]).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("GET"));
    assert_eq!(r.json()["title"], "Method Not Allowed");
    x.shutdown().await;
}

#[tokio::test]
async fn string_ids_are_uuids_that_round_trip() {
    let x = variant("string-ids").await;
    let uuid =
        regex::Regex::new("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$")
            .expect("a regex");
    for (list, item) in [
        ("/api/surveys/", "/api/surveys/"),
        (
            "/api/question-group-templates/",
            "/api/question-group-templates/",
        ),
    ] {
        let ids = x.ids(list, "owner", "id").await;
        assert!(!ids.is_empty());
        for id in &ids {
            let text = id
                .as_str()
                .unwrap_or_else(|| panic!("{list}: {id} is not a string"));
            assert!(uuid.is_match(text), "{text}");
            let r = x.get(&format!("{item}{text}/"), "owner").await;
            assert_eq!(r.status, 200, "{item}{text}/: {}", r.text());
            assert_eq!(&r.json()["id"], id);
        }
        // A number is no id of this deployment; nor is a UUID of the other kind.
        assert_eq!(x.get(&format!("{item}1/"), "owner").await.status, 404);
    }
    let survey = x.first_survey("owner").await;
    let survey = survey.trim_matches('"');
    assert_eq!(
        x.get(&format!("/api/question-group-templates/{survey}/"), "owner")
            .await
            .status,
        404
    );
    x.shutdown().await;
}

#[tokio::test]
async fn sparse_fields_leave_out_what_the_document_does_not_require() {
    let x = variant("sparse-fields").await;
    let templates = x
        .get("/api/question-group-templates/", "owner")
        .await
        .items();
    assert!(!templates.is_empty());
    for t in &templates {
        let global = t["publication_level"] == "global";
        assert_eq!(t.get("organization_name").is_none(), global, "{t}");
        assert!(
            t["description"].is_string() && t["attribution"].is_object(),
            "{t}"
        );
        for f in TEMPLATE_FIELDS
            .iter()
            .filter(|f| **f != "organization_name")
        {
            assert!(t.get(*f).is_some(), "{f} missing in {t}");
        }
    }
    assert!(templates.iter().any(|t| t["publisher_username"].is_null()));
    for s in x.get("/api/surveys/", "owner").await.items() {
        let keys: BTreeSet<&str> = s
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, BTreeSet::from(["id", "name"]));
    }
    let d = x.get("/api/datasets/countries/", "owner").await;
    assert_eq!(d.status, 200);
    assert!(d.json().get("key").is_none() && d.json().get("is_global").is_none());
    let survey = x.first_survey("owner").await;
    let m = x
        .get(
            &format!("/api/surveys/{survey}/metrics/responses/"),
            "owner",
        )
        .await;
    assert!(
        counts_only(&m.json()) && m.json().get("by_status").is_some(),
        "{}",
        m.text()
    );
    x.shutdown().await;
}

#[tokio::test]
async fn alternative_forms_are_accepted_beside_the_documented_ones() {
    let x = variant("alternative-forms").await;
    let key = x.key("owner").expect("the owner's key");
    let tl = "/api/question-group-templates/";
    for value in [format!("Bearer {key}"), format!("Token {key}"), key.clone()] {
        let r = x
            .send(Method::GET, tl, "anonymous", &[("Authorization", &value)])
            .await;
        assert_eq!(
            r.status,
            200,
            "{}: {}",
            value.split(' ').next().unwrap_or(""),
            r.text()
        );
    }
    // Still refused: no key, an unknown key in any form.
    assert_eq!(x.get(tl, "anonymous").await.status, 401);
    for value in [
        "Token ct_live_unknown",
        "ct_live_unknown",
        "Bearer ct_live_unknown",
    ] {
        let r = x
            .send(Method::GET, tl, "anonymous", &[("Authorization", value)])
            .await;
        assert_eq!(r.status, 401, "{value}");
    }
    let r = x.send(Method::POST, "/api/surveys/", "owner", &[]).await;
    assert_eq!(
        (r.status, r.header("allow")),
        (405, Some("GET, HEAD, OPTIONS"))
    );
    let r = x.get("/api/health", "anonymous").await;
    assert_eq!((r.status, r.text()), (204, ""));
    let listed = x
        .send(
            Method::GET,
            "/api/surveys/",
            "owner",
            &[("Origin", "https://surveys.example.com")],
        )
        .await;
    assert_eq!(
        listed.header("access-control-allow-origin"),
        Some("https://surveys.example.com")
    );
    let foreign = x
        .send(
            Method::GET,
            "/api/surveys/",
            "owner",
            &[("Origin", "https://elsewhere.example")],
        )
        .await;
    assert_eq!(foreign.header("access-control-allow-origin"), None);
    x.shutdown().await;
}

#[tokio::test]
async fn roles_apart_sets_up_roles_and_ids_otherwise() {
    let faithful = Ctx::new(None).await;
    let x = variant("roles-apart").await;
    assert_eq!(x.get("/api/surveys/", "anonymous").await.status, 401);
    let ids = x.ids("/api/surveys/", "org_admin", "id").await;
    assert!(
        ids.iter().all(|i| i.as_u64().is_some_and(|n| n > 5000)),
        "{ids:?}"
    );
    // The owner's surveys are not the organisation's: the org admin does not see them.
    let owner = set(&x.ids("/api/surveys/", "owner", "id").await);
    assert!(!owner.is_empty() && owner.is_disjoint(&set(&ids)));
    // The viewer's organisation is not the admin's: their organisation templates differ.
    let path = "/api/question-group-templates/?publication_level=organisation";
    let viewer = set(&x.ids(path, "org_viewer", "id").await);
    let admin = set(&x.ids(path, "org_admin", "id").await);
    assert!(!viewer.is_empty() && !admin.is_empty() && viewer.is_disjoint(&admin));
    assert_eq!(
        set(&faithful.ids(path, "org_viewer", "id").await),
        set(&faithful.ids(path, "org_admin", "id").await)
    );
    faithful.shutdown().await;
    x.shutdown().await;
}

#[tokio::test]
async fn locale_ordering_collates_names_and_formats_timestamps() {
    let x = variant("locale-ordering").await;
    let tl = "/api/question-group-templates/";
    let names: Vec<Value> = x.ids(&format!("{tl}?ordering=name"), "owner", "name").await;
    let key = |v: &Value| -> String {
        v.as_str()
            .unwrap_or_default()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    assert!(
        names.windows(2).all(|w| key(&w[0]) <= key(&w[1])),
        "{names:?}"
    );
    // ... which code-point order is not: some names begin in lower case.
    assert!(!sorted(&names, false), "{names:?}");
    let stamp = regex::Regex::new(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}$").expect("a regex");
    let created = x
        .ids(&format!("{tl}?ordering=created_at"), "owner", "created_at")
        .await;
    assert!(created
        .iter()
        .all(|c| c.as_str().is_some_and(|c| stamp.is_match(c))));
    // In time order (day/month/year read back), not in text order.
    let time = |v: &Value| {
        let t = v.as_str().unwrap_or_default();
        format!("{}{}{}{}", &t[6..10], &t[3..5], &t[0..2], &t[11..])
    };
    assert!(created.windows(2).all(|w| time(&w[0]) <= time(&w[1])));
    assert!(!sorted(&created, false));
    x.shutdown().await;
}
