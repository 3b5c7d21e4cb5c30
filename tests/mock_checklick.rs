//! The Checklick mock over real HTTP(S): TLS for the documented host and a refusing plain side,
//! the four required headers, JSON:API documents, pagination with its cap and links, filters,
//! users created and updated (concurrently too), bad input, a million users at no cost, and
//! what each faithful variant chooses differently. (Each fault and each variant against the
//! contract's rules: tests/fault_matrix.rs.)

mod common;

use std::collections::BTreeSet;

use common::{Request, Response};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use specgate::mock::{MockOptions, RunningMock};

struct Session {
    mock: RunningMock,
    /// Every request carries the four documented headers unless it drops or replaces one.
    http: common::Session,
}

impl Session {
    async fn new(size: Option<usize>) -> Session {
        Self::with(size, None).await
    }

    async fn variant(name: &str) -> Session {
        Self::with(None, Some(name)).await
    }

    async fn with(size: Option<usize>, variant: Option<&str>) -> Session {
        let mock = common::mock_with(
            "checklick",
            MockOptions {
                size,
                variant: variant.map(str::to_string),
                ..Default::default()
            },
        )
        .await;
        let c = &mock.target.credentials;
        let http = common::Session::of(&mock)
            .with_header("Content-Type", "application/vnd.api+json")
            .with_header("Api-Version", "2")
            .with_header(
                "Authorization",
                format!("Token token={}", c.get("token").unwrap()),
            )
            .with_header("Organization-Id", c.get("organization_id").unwrap());
        Session { mock, http }
    }

    fn url(&self, path: &str) -> String {
        self.http.url(path)
    }

    /// A request with the four documented headers, minus `omit`, with `replace` overriding.
    fn request(
        &self,
        method: Method,
        path: &str,
        omit: Option<&str>,
        replace: Option<(&str, &str)>,
    ) -> Request {
        let mut request = self.http.request(method, path);
        if let Some(name) = omit {
            request = request.without(name);
        }
        if let Some((name, value)) = replace {
            request = request.header(name, value);
        }
        request
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let r = self.request(Method::GET, path, None, None).send().await;
        (r.status_code(), r.json())
    }
}

fn is_error_document(v: &Value) -> bool {
    v["errors"].as_array().is_some_and(|e| !e.is_empty())
}

#[tokio::test]
async fn https_for_the_documented_host_only_and_plain_http_refused() {
    let s = Session::new(None).await;
    assert!(
        s.mock
            .target
            .base_url
            .starts_with("https://api.checklick.com:"),
        "{}",
        s.mock.target.base_url
    );
    let r = s.request(Method::GET, "/users", None, None).send().await;
    assert_eq!(r.status_code(), 200);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/vnd.api+json"));

    let plain = s.mock.target.plain_url.clone().expect("a plain side");
    let r = Response::send(s.http.client.get(format!("{plain}/users"))).await;
    assert!(
        r.status_code().is_client_error(),
        "plain HTTP answered {}",
        r.status_code()
    );

    let r = s
        .request(Method::GET, "/users", None, None)
        .header("Host", "app.checklick.com")
        .send()
        .await;
    assert!(
        r.status_code().is_client_error(),
        "another host answered {}",
        r.status_code()
    );
    s.mock.shutdown().await;
}

#[tokio::test]
async fn each_required_header_missing_or_wrong_is_refused_with_a_jsonapi_error() {
    let s = Session::new(None).await;
    let cases: [(&str, &str); 4] = [
        ("Content-Type", "application/json"),
        ("Api-Version", "999"),
        ("Authorization", "Token token=wrong"),
        ("Organization-Id", "0"),
    ];
    for (header, wrong) in cases {
        for replace in [None, Some((header, wrong))] {
            let omit = if replace.is_none() {
                Some(header)
            } else {
                None
            };
            let r = s.request(Method::GET, "/users", omit, replace).send().await;
            let status = r.status_code();
            let body: Value = r.json();
            assert!(status.is_client_error(), "{header} {replace:?}: {status}");
            assert!(is_error_document(&body), "{header} {replace:?}: {body}");
        }
    }
    s.mock.shutdown().await;
}

#[tokio::test]
async fn pages_default_to_10_cap_at_20_and_next_links_reach_every_user_once() {
    let s = Session::new(Some(95)).await;
    let (st, page) = s.get("/users").await;
    assert_eq!(st, 200);
    assert_eq!(page["data"].as_array().unwrap().len(), 10);
    let first = &page["data"][0];
    assert!(
        first["attributes"]["first-name"].is_string()
            && first["attributes"]["last-name"].is_string(),
        "dasherized attributes: {first}"
    );
    let (_, page) = s.get("/users?page[size]=20").await;
    assert_eq!(page["data"].as_array().unwrap().len(), 20);
    let (_, page) = s.get("/users?page[size]=50").await;
    assert_eq!(
        page["data"].as_array().unwrap().len(),
        20,
        "values above 20 are capped"
    );
    assert!(
        page["links"]["last"].is_string() || page["links"]["last"]["href"].is_string(),
        "{}",
        page["links"]
    );

    let mut ids = BTreeSet::new();
    let mut url = s.url("/users?page[size]=20");
    let mut pages = 0;
    loop {
        pages += 1;
        assert!(pages <= 10, "the walk does not end");
        let path = url
            .strip_prefix(&s.mock.target.base_url)
            .expect("links stay on the target")
            .to_string();
        let (st, page) = s.get(&path).await;
        assert_eq!(st, 200);
        for u in page["data"].as_array().unwrap() {
            assert!(ids.insert(u["id"].to_string()), "{} listed twice", u["id"]);
        }
        match page["links"]["next"].as_str() {
            Some(next) => url = next.to_string(),
            None => break,
        }
    }
    assert_eq!((ids.len(), pages), (95, 5), "95 users in ceil(95/20) pages");
    s.mock.shutdown().await;
}

#[tokio::test]
async fn a_filter_narrows_the_list_to_matching_users() {
    let s = Session::new(None).await;
    let (_, page) = s.get("/users?page[size]=1").await;
    let last = page["data"][0]["attributes"]["last-name"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, page) = s
        .get(&format!("/users?filter[last_name]={last}&page[size]=20"))
        .await;
    assert_eq!(st, 200);
    let users = page["data"].as_array().unwrap();
    assert!(!users.is_empty());
    assert!(
        users
            .iter()
            .all(|u| u["attributes"]["last-name"] == json!(last)),
        "{page}"
    );
    s.mock.shutdown().await;
}

fn new_user(n: usize) -> Value {
    json!({"data": {"type": "users", "attributes": {
        "username": format!("t{n}"), "first-name": "Test", "last-name": format!("User{n}"), "email": format!("t{n}@example.com"),
        "birth-date": "1990-01-01", "password": "Pw-123456", "password-confirmation": "Pw-123456"
    }}})
}

#[tokio::test]
async fn users_are_created_with_their_required_fields_and_updated() {
    let s = Session::new(None).await;
    let r = s
        .request(Method::POST, "/users", None, None)
        .body(new_user(1).to_string())
        .send()
        .await;
    assert_eq!(r.status_code(), 201);
    let created: Value = r.expect_json();
    let id = created["data"]["id"].clone();
    for field in [
        "username",
        "first-name",
        "last-name",
        "email",
        "birth-date",
        "password",
        "password-confirmation",
    ] {
        let mut body = new_user(2);
        body["data"]["attributes"]
            .as_object_mut()
            .unwrap()
            .remove(field);
        let r = s
            .request(Method::POST, "/users", None, None)
            .body(body.to_string())
            .send()
            .await;
        assert!(
            r.status_code().is_client_error(),
            "without {field}: {}",
            r.status_code()
        );
    }
    let patch =
        json!({"data": {"type": "users", "id": id, "attributes": {"first-name": "Renamed"}}});
    let r = s
        .request(
            Method::PATCH,
            &format!(
                "/users/{}",
                id.as_str().map(str::to_string).unwrap_or(id.to_string())
            ),
            None,
            None,
        )
        .body(patch.to_string())
        .send()
        .await;
    assert!(r.status_code().is_success(), "{}", r.status_code());
    let (_, got) = s
        .get(&format!(
            "/users/{}",
            id.as_str().map(str::to_string).unwrap_or(id.to_string())
        ))
        .await;
    assert_eq!(got["data"]["attributes"]["first-name"], "Renamed");
    s.mock.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_lose_nothing() {
    let s = Session::new(Some(10)).await;
    let creates = (0..100).map(|n| {
        s.request(Method::POST, "/users", None, None)
            .body(new_user(100 + n).to_string())
            .send()
    });
    let answers = futures::future::join_all(creates).await;
    let mut ids = BTreeSet::new();
    for a in answers {
        let r = a;
        assert_eq!(r.status_code(), 201);
        let v: Value = r.expect_json();
        assert!(ids.insert(v["data"]["id"].to_string()));
    }
    assert_eq!(ids.len(), 100);
    let (_, page) = s.get("/users?page[size]=20&page[number]=6").await;
    assert_eq!(
        page["data"].as_array().unwrap().len(),
        10,
        "110 users: the sixth page of 20 holds 10"
    );
    s.mock.shutdown().await;
}

#[tokio::test]
async fn bad_input_gets_a_jsonapi_error_never_a_server_error() {
    let s = Session::new(None).await;
    let post = |body: Vec<u8>| {
        s.request(Method::POST, "/users", None, None)
            .body(body)
            .send()
    };
    for body in [
        b"{not json".to_vec(),
        b"[]".to_vec(),
        br#"{"data": {"type": "users", "attributes": {"username": 5}}}"#.to_vec(),
        vec![b'x'; 2 << 20],
    ] {
        let r = post(body).await;
        assert!(r.status_code().is_client_error(), "{}", r.status_code());
    }
    for path in [
        "/users/999999999",
        "/users/abc",
        "/users/1/credentials/999999999",
        "/nothing-here",
    ] {
        let (st, body) = s.get(path).await;
        assert!(st.is_client_error(), "{path}: {st}");
        assert!(is_error_document(&body), "{path}: {body}");
    }
    s.mock.shutdown().await;
}

#[tokio::test]
async fn a_million_users_are_derived_not_stored() {
    let s = Session::new(Some(1_000_000)).await;
    let (st, page) = s.get("/users?page[size]=20&page[number]=50000").await;
    assert_eq!(st, 200);
    let users = page["data"].as_array().unwrap();
    assert_eq!(users.len(), 20);
    assert_eq!(users[19]["id"].to_string().trim_matches('"'), "1000000");
    let (st, _) = s.get("/users/777777").await;
    assert_eq!(st, 200);
    s.mock.shutdown().await;
}

// ------------------------------------------------------------------------------------ variants
// Each variant keeps every sentence of the document and chooses otherwise where it is silent;
// these tests pin what it chooses, so a variant cannot quietly become the faithful mock again.

fn token(s: &Session) -> String {
    s.mock.target.credentials.get("token").unwrap().to_string()
}

#[tokio::test]
async fn gateway_refusals_answer_plain_json_but_not_found_stays_jsonapi() {
    let s = Session::variant("gateway-refusals").await;
    let r = s
        .request(Method::GET, "/users", Some("Authorization"), None)
        .send()
        .await;
    assert_eq!(r.status_code(), 401);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let body: Value = r.expect_json();
    assert!(
        body["message"].is_string() && !is_error_document(&body),
        "{body}"
    );
    // Plain HTTP is not served: the front end redirects to HTTPS.
    let plain = s.mock.target.plain_url.clone().expect("a plain side");
    let r = Response::send(s.http.client.get(format!("{plain}/users"))).await;
    assert_eq!(r.status_code(), 301);
    assert_eq!(r.headers["location"], "https://api.checklick.com/users");
    // What the API itself refuses is still a JSON:API error document.
    let (st, body) = s.get("/users/0").await;
    assert_eq!(st, 404);
    assert!(is_error_document(&body), "{body}");
    s.mock.shutdown().await;
}

#[tokio::test]
async fn integer_ids_are_numbers_and_updates_take_them() {
    let s = Session::variant("integer-ids").await;
    let (_, page) = s.get("/users?page[size]=2").await;
    let id = page["data"][0]["id"].clone();
    assert!(id.is_u64(), "{id}");
    let patch =
        json!({"data": {"type": "users", "id": id, "attributes": {"first-name": "Renamed"}}});
    let r = s
        .request(Method::PATCH, &format!("/users/{id}"), None, None)
        .body(patch.to_string())
        .send()
        .await;
    assert_eq!(r.status_code(), 200);
    let (_, got) = s.get(&format!("/users/{id}")).await;
    assert_eq!(got["data"]["attributes"]["first-name"], "Renamed");
    s.mock.shutdown().await;
}

#[tokio::test]
async fn string_foreign_keys_keep_their_values() {
    let s = Session::variant("string-foreign-keys").await;
    let (_, list) = s.get("/users/1/assessments?page[size]=1").await;
    let a = &list["data"][0]["attributes"];
    assert_eq!(a["evaluatee-id"], json!("1"), "{a}");
    let skill = a["skill-id"]
        .as_str()
        .expect("a string skill-id")
        .to_string();
    let (st, got) = s.get(&format!("/skills/{skill}")).await;
    assert_eq!(st, 200);
    assert_eq!(got["data"]["id"], json!(skill));
    s.mock.shutdown().await;
}

#[tokio::test]
async fn omit_nulls_leaves_out_null_attributes_and_links() {
    let s = Session::variant("omit-nulls").await;
    let (_, page) = s.get("/users?page[size]=5").await;
    assert!(page["links"].get("prev").is_none(), "{}", page["links"]);
    assert!(page.get("meta").is_none());
    let mut nulls = 0;
    for user in 1..=30 {
        let (_, list) = s.get(&format!("/users/{user}/credentials")).await;
        for c in list["data"].as_array().unwrap() {
            let attrs = c["attributes"].as_object().unwrap();
            assert!(attrs.values().all(|v| !v.is_null()), "{c}");
            nulls += usize::from(!attrs.contains_key("pass"));
        }
    }
    assert!(
        nulls > 0,
        "some credential of 30 users has a null pass, left out"
    );
    s.mock.shutdown().await;
}

#[tokio::test]
async fn lenient_headers_accept_other_forms_but_not_missing_ones() {
    let s = Session::variant("lenient-headers").await;
    for (name, value) in [
        ("Content-Type", "application/json".to_string()),
        ("Api-Version", "999".to_string()),
        ("Authorization", format!("Bearer {}", token(&s))),
        ("Authorization", format!("Token {}", token(&s))),
    ] {
        let r = s
            .request(Method::GET, "/users", None, Some((name, value.as_str())))
            .send()
            .await;
        assert_eq!(r.status_code(), 200, "{name}: {value}");
    }
    for name in [
        "Content-Type",
        "Api-Version",
        "Authorization",
        "Organization-Id",
    ] {
        let r = s
            .request(Method::GET, "/users", Some(name), None)
            .send()
            .await;
        assert!(
            r.status_code().is_client_error(),
            "without {name}: {}",
            r.status_code()
        );
    }
    s.mock.shutdown().await;
}

#[tokio::test]
async fn newest_first_lists_the_highest_id_first_with_no_records() {
    let s = Session::with(Some(30), Some("newest-first")).await;
    let (_, page) = s.get("/users?page[size]=3").await;
    let ids: Vec<String> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["30", "29", "28"]);
    for nested in ["assessments", "credentials", "tag-applications"] {
        let (st, list) = s.get(&format!("/users/30/{nested}")).await;
        assert_eq!(st, 200);
        assert_eq!(list["data"], json!([]), "{nested}");
        let (_, list) = s.get(&format!("/users/29/{nested}")).await;
        assert!(!list["data"].as_array().unwrap().is_empty(), "{nested}");
    }
    let (_, tags) = s.get("/tags").await;
    assert_eq!(tags["data"].as_array().unwrap().len(), 6);
    s.mock.shutdown().await;
}

#[tokio::test]
async fn link_objects_and_patch_without_content() {
    let s = Session::variant("link-objects").await;
    let (_, page) = s.get("/users?page[size]=5").await;
    assert!(
        page["links"]["next"]["href"].is_string(),
        "{}",
        page["links"]
    );
    assert!(page["links"]["last"]["href"].is_string());
    let patch =
        json!({"data": {"type": "users", "id": "2", "attributes": {"last-name": "Patched"}}});
    let r = s
        .request(Method::PATCH, "/users/2", None, None)
        .body(patch.to_string())
        .send()
        .await;
    assert_eq!(r.status_code(), 204);
    let (_, got) = s.get("/users/2").await;
    assert_eq!(got["data"]["attributes"]["last-name"], "Patched");
    s.mock.shutdown().await;
}

#[tokio::test]
async fn uncapped_honours_sizes_above_20_up_to_100() {
    let s = Session::variant("uncapped").await;
    let (_, page) = s.get("/users?page[size]=50").await;
    assert_eq!(page["data"].as_array().unwrap().len(), 50);
    let (_, page) = s.get("/users?page[size]=500").await;
    assert_eq!(
        page["data"].as_array().unwrap().len(),
        95,
        "95 users, a cap of 100"
    );
    s.mock.shutdown().await;
}
