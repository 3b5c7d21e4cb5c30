//! The runner's request layer: requests are built from the spec as documented, secrets never
//! reach a curl line, and a misbehaving target yields an error for the request at hand.

use std::path::PathBuf;
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use serde_json::json;
use specgate::contract::step::Request;
use specgate::exchange::client::{HttpClient, TransportError};
use specgate::exchange::request::Context;
use specgate::target::Target;
use specgate::vars::Vars;

fn mini() -> specgate::Spec {
    specgate::load_spec(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/mini"),
    )
    .unwrap()
}

fn request(yaml: &str) -> Request {
    serde_yaml::from_str(yaml).unwrap()
}

#[test]
fn requests_carry_defaults_auth_and_bodies_and_curl_hides_secrets() {
    let spec = mini();
    let target = Target {
        api: "mini".into(),
        base_url: "http://127.0.0.1:9/v1/".into(),
        ..Default::default()
    };
    let cx = Context {
        contract: &spec.contract,
        api: &spec.api,
        target: &target,
    };
    let mut vars = Vars::new();
    vars.set_secret("api_key", "s3cr3t-key");
    vars.set("id", json!(45));

    let p = cx
        .prepare(
            &request("{operation: getNote, query: {q: 'a b', tags: [x, y]}}"),
            &vars,
        )
        .unwrap();
    assert_eq!(p.method, "GET");
    assert_eq!(p.url, "http://127.0.0.1:9/v1/notes/45?q=a+b&tags=x&tags=y");
    assert_eq!(p.header("api-version"), Some("1"));
    assert_eq!(p.header("authorization"), Some("Bearer s3cr3t-key"));

    let p = cx
        .prepare(
            &request(
                "{operation: createNote, json: {text: '{{id}}'}, omit_headers: [Api-Version]}",
            ),
            &vars,
        )
        .unwrap();
    assert_eq!(p.method, "POST");
    assert_eq!(p.body.as_deref(), Some(br#"{"text":45}"#.as_slice()));
    assert_eq!(p.header("content-type"), Some("application/json"));
    assert_eq!(p.header("api-version"), None);

    let p = cx.prepare(&request("{method: PUT, path: '/notes/{id}/x', as: anonymous, form: {ids: [1, 2], t: 'a&b'}}"), &vars).unwrap();
    assert_eq!(p.url, "http://127.0.0.1:9/v1/notes/45/x");
    assert_eq!(
        p.header("authorization"),
        None,
        "anonymous sends no credentials"
    );
    assert_eq!(
        p.body.as_deref(),
        Some(b"ids%5B%5D=1&ids%5B%5D=2&t=a%26b".as_slice())
    );

    // The curl line reproduces the request, credentials included; the engine redacts it with
    // every other text of a result.
    let curl = cx
        .prepare(&request("{operation: listNotes}"), &vars)
        .unwrap()
        .curl();
    assert!(curl.contains("Authorization: Bearer s3cr3t-key"), "{curl}");
    let curl = vars.redactor().redact(&curl);
    assert!(!curl.contains("s3cr3t-key"), "{curl}");
    assert!(curl.contains("Authorization: Bearer ${API_KEY}"), "{curl}");

    let missing = cx
        .prepare(&request("{operation: getNote}"), &Vars::new())
        .unwrap_err();
    assert!(missing.to_string().contains("{{id}}"), "{missing}");
}

/// A server that misbehaves in the ways live targets do.
async fn adversary() -> (String, tokio::task::JoinHandle<()>) {
    let app = Router::new()
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        )
        .route("/huge", get(|| async { vec![b'x'; 3 << 20] }))
        .route(
            "/redirect",
            get(|| async {
                (
                    axum::http::StatusCode::FOUND,
                    [("location", "http://elsewhere.invalid/steal")],
                    "",
                )
            }),
        )
        .route("/ok", get(|| async { axum::Json(json!({"ok": true})) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, task)
}

fn get_of(url: &str) -> specgate::exchange::request::Prepared {
    specgate::exchange::request::Prepared {
        method: "GET".into(),
        url: url.into(),
        headers: vec![],
        body: None,
        operation: None,
    }
}

#[tokio::test]
async fn a_misbehaving_target_fails_the_request_not_the_run() {
    let (url, server) = adversary().await;
    let target = Target {
        base_url: url.clone(),
        ..Default::default()
    };
    let client = HttpClient::new(&target, Duration::from_millis(500), 1 << 20).unwrap();

    let ok = client.send(&get_of(&format!("{url}/ok"))).await;
    assert_eq!(ok.outcome.unwrap().json().unwrap(), json!({"ok": true}));

    let slow = client.send(&get_of(&format!("{url}/slow"))).await;
    assert!(
        matches!(slow.outcome, Err(TransportError::NoHeaders(_))),
        "{:?}",
        slow.outcome
    );
    assert!(slow.elapsed < Duration::from_secs(3));

    let huge = client.send(&get_of(&format!("{url}/huge"))).await;
    assert_eq!(
        huge.outcome.unwrap_err(),
        TransportError::BodyTooLarge {
            limit: 1 << 20,
            announced: Some(3 << 20)
        }
    );

    let redirect = client.send(&get_of(&format!("{url}/redirect"))).await;
    let r = redirect.outcome.unwrap();
    assert_eq!(r.status, 302, "a redirect is reported, never followed");

    server.abort();
    let _ = server.await;
    // Nothing listens there any more.
    let dead = client.send(&get_of(&format!("{url}/ok"))).await;
    let err = dead.outcome.unwrap_err();
    assert!(err.is_unreachable(), "{err}");
}

/// A server that reads a request and drops the connection without answering.
async fn resetter() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            use tokio::io::AsyncReadExt;
            let mut buf = [0u8; 1024];
            let _ = sock.read(&mut buf).await;
            drop(sock);
        }
    });
    url
}

#[tokio::test]
async fn lying_bodies_and_resets_fail_the_expectation_not_the_process() {
    use specgate::exchange::response::Response;
    use specgate::expect::evaluate;
    let app = Router::new()
        .route(
            "/bad-utf8",
            get(|| async {
                (
                    [("content-type", "application/json")],
                    vec![0xffu8, 0xfe, b'{'],
                )
            }),
        )
        .route(
            "/not-json",
            get(|| async { ([("content-type", "application/json")], "{\"data\": [1, 2") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    let client = HttpClient::new(&Target::default(), Duration::from_secs(2), 1 << 20).unwrap();
    let spec = mini();
    let expect: specgate::contract::step::Expect = serde_yaml::from_str(
        "{status: 200, json: [{path: '$.data', exists: true}], xml: [{path: 'a/b', exists: true}]}",
    )
    .unwrap();
    for path in ["/bad-utf8", "/not-json"] {
        let ex = client.send(&get_of(&format!("{url}{path}"))).await;
        let r: Response = ex.outcome.expect("an answer, however wrong");
        let failures = evaluate(&expect, &r, &spec.api, &Vars::new());
        assert_eq!(failures.len(), 2, "{path}: {failures:?}");
        assert!(
            failures.iter().all(|f| f.subject == "body"),
            "{path}: {failures:?}"
        );
    }
    server.abort();
    let reset = resetter().await;
    let ex = client.send(&get_of(&format!("{reset}/x"))).await;
    let err = ex
        .outcome
        .expect_err("a reset connection is an error of this request");
    assert!(!err.to_string().is_empty());
}
