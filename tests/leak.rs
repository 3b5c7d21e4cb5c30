//! The leak test that hunts: a target that hands every credential it receives back (in its
//! body, its headers, a redirect `Location`, base64, escaped, and in its error messages), keys
//! full of `+/=&<>"`, quotes and spaces, presented as Bearer, Basic, a query key, a role's key
//! and a token from a form login. The real binary checks it and runs load against it, every
//! reporter writes its report, and every byte of stdout, stderr and every report is searched
//! for each secret in each encoding (see `encodings`). The same over the five built-in mocks
//! with the fault they all share, `echo-credentials`. Zero occurrences.
//!
//! The encodings are computed here with the crates a target would use (form_urlencoded,
//! base64, serde_json, quick-xml), not with specgate's redactor, which is what is under test;
//! `the_hunt_finds_every_encoding` shows the hunt finds each of them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

const USERNAME: &str = "leak-user@echo.test";
const BEARER_KEY: &str = "Be+/=&<>\" arer key 1";
const ADMIN_KEY: &str = "Ad+m/in=&<>\" key 2";
const PASSWORD: &str = "pa+/ss=&<>\" word 3";
const QUERY_KEY: &str = "qk+/=&<>\"' y key 4";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn leak_specs() -> PathBuf {
    root().join("tests/fixtures/leak")
}

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("specgate-leak-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

// ------------------------------------------------------------------------------------------
// The hunt

/// Every form of `value` a leak could take: raw; percent-encoded as a form value (`+` for a
/// space) and as a query value (`%20`), upper and lower hex, and with everything but the
/// unreserved characters encoded; base64; JSON-escaped (serde's and Go's `\u003c` style);
/// XML-escaped (every special character, or only `&<>`); shell-quoted.
fn encodings(value: &str) -> Vec<(&'static str, String)> {
    let form: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
    let lower = |s: &str| {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            out.push(c);
            if c == '%' {
                out.extend(chars.by_ref().take(2).map(|h| h.to_ascii_lowercase()));
            }
        }
        out
    };
    let strict: String = value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let json = serde_json::to_string(value).unwrap();
    let json = json[1..json.len() - 1].to_string();
    let go_json = json
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    let xml_min = value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let mut out = vec![
        ("raw", value.to_string()),
        ("form-encoded", form.clone()),
        ("percent-encoded (%20)", form.replace('+', "%20")),
        ("form-encoded, lower hex", lower(&form)),
        (
            "percent-encoded (%20), lower hex",
            lower(&form.replace('+', "%20")),
        ),
        ("percent-encoded, strict", strict),
        ("base64", STANDARD.encode(value)),
        ("JSON-escaped", json),
        ("JSON-escaped (Go)", go_json),
        ("XML-escaped", quick_xml::escape::escape(value).into_owned()),
        ("XML-escaped (&<> only)", xml_min),
        ("shell-quoted", value.replace('\'', r"'\''")),
    ];
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out.dedup_by(|a, b| a.1 == b.1);
    out
}

/// What to look for: each secret (with its name, for the message) in each encoding, plus the
/// base64 of each Basic pair.
struct Hunt {
    needles: Vec<(String, String)>,
}

impl Hunt {
    fn new() -> Self {
        Hunt { needles: vec![] }
    }

    fn secret(&mut self, name: &str, value: &str) {
        assert!(!value.is_empty(), "{name} is empty");
        for (how, text) in encodings(value) {
            self.needles.push((format!("{name}, {how}"), text));
        }
    }

    /// A Basic pair: its base64 (the pair itself holds the password, hunted already).
    fn basic_pair(&mut self, name: &str, user: &str, password: &str) {
        let b64 = STANDARD.encode(format!("{user}:{password}"));
        self.needles
            .push((format!("{name}, base64 of the Basic pair"), b64));
    }

    /// Every 8 characters in a row of `value`: a secret cut in two leaks too.
    fn windows(&mut self, name: &str, value: &str) {
        let chars: Vec<char> = value.chars().collect();
        for w in chars.windows(8) {
            let w: String = w.iter().collect();
            self.needles.push((format!("{name}, the part `{w}`"), w));
        }
    }

    /// Every needle found in every output: `(output, what, count)`.
    fn search(&self, outputs: &[(String, String)]) -> Vec<String> {
        let mut found = Vec::new();
        for (where_, text) in outputs {
            for (what, needle) in &self.needles {
                let n = text.matches(needle.as_str()).count();
                if n > 0 {
                    let at = text.find(needle.as_str()).unwrap_or(0);
                    let context: String = text[at..]
                        .chars()
                        .take(needle.chars().count() + 60)
                        .collect();
                    found.push(format!("{where_}: {what}: {n} time(s), e.g. {context:?}"));
                }
            }
        }
        found
    }

    fn assert_none(&self, outputs: &[(String, String)]) {
        let bytes: usize = outputs.iter().map(|(_, t)| t.len()).sum();
        assert!(bytes > 0, "nothing to search");
        let found = self.search(outputs);
        assert!(
            found.is_empty(),
            "{} leak(s) in {} output(s):\n{}",
            found.len(),
            outputs.len(),
            found.join("\n")
        );
        eprintln!(
            "searched {} outputs ({bytes} bytes) for {} needles: none found",
            outputs.len(),
            self.needles.len()
        );
    }
}

fn outputs_of(label: &str, out: &Output, files: &[PathBuf]) -> Vec<(String, String)> {
    let mut v = vec![
        (
            format!("{label} stdout"),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        ),
        (
            format!("{label} stderr"),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ),
    ];
    for f in files {
        let text = std::fs::read(f)
            .unwrap_or_else(|e| panic!("{label}: the report {} is missing: {e}", f.display()));
        v.push((
            format!("{label} {}", f.file_name().unwrap().to_string_lossy()),
            String::from_utf8_lossy(&text).into_owned(),
        ));
    }
    v
}

// ------------------------------------------------------------------------------------------
// The echo target

#[derive(Clone, Default)]
struct Echo {
    issued: Arc<Mutex<Vec<String>>>,
    logins: Arc<AtomicUsize>,
    base: Arc<Mutex<String>>,
    /// Hand out tokens too short to be redacted safely.
    short_tokens: Arc<std::sync::atomic::AtomicBool>,
}

impl Echo {
    fn issued(&self) -> Vec<String> {
        self.issued.lock().unwrap().clone()
    }
}

/// Everything the request carried: every header (a Basic pair decoded), the query as sent and
/// decoded, the body as sent and its form fields decoded.
fn received(parts: &axum::http::request::Parts, body: &[u8]) -> String {
    let mut items = Vec::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if let Some(b) = value.strip_prefix("Basic ") {
            let pair = STANDARD.decode(b.trim()).unwrap_or_default();
            items.push(format!("basic={}", String::from_utf8_lossy(&pair)));
        }
        items.push(format!("{name}={value}"));
    }
    if let Some(q) = parts.uri.query() {
        items.push(format!("query={q}"));
        for (k, v) in form_urlencoded::parse(q.as_bytes()) {
            items.push(format!("{k}={v}"));
        }
    }
    if !body.is_empty() {
        items.push(format!("body={}", String::from_utf8_lossy(body)));
        for (k, v) in form_urlencoded::parse(body) {
            items.push(format!("{k}={v}"));
        }
    }
    items.join("; ")
}

fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| {
        HeaderValue::from_str(&form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>())
            .unwrap()
    })
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Every answer echoes what it received: raw in `X-Echo`, base64 in `X-Echo-Base64`,
/// percent-encoded in `Location`, and in the JSON body raw (JSON-escaped), XML-escaped and
/// base64.
async fn answer(State(echo): State<Echo>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let echoed = received(&parts, &body);
    let location = format!(
        "{}/elsewhere?{}",
        echo.base.lock().unwrap(),
        form_urlencoded::Serializer::new(String::new())
            .append_pair("echo", &echoed)
            .finish()
    );
    let mut json = serde_json::json!({
        "items": [],
        "echo": echoed,
        "echo_html": format!("<p>{}</p>", quick_xml::escape::escape(echoed.as_str())),
        "echo_b64": STANDARD.encode(&echoed),
    });
    let path = parts.uri.path();
    let mut status = StatusCode::OK;
    match path {
        "/login" => {
            let n = echo.logins.fetch_add(1, Ordering::SeqCst);
            let token = if echo.short_tokens.load(Ordering::SeqCst) {
                format!("tk{n}")
            } else {
                format!("tk+/=&<>\" {n} en")
            };
            echo.issued.lock().unwrap().push(token.clone());
            json["token"] = token.into();
        }
        "/refresh" => {
            // The old token back as the new one: the rule's `not_equals` fails on it.
            json["token"] = form_field(&body, "old_token").unwrap_or_default().into();
        }
        "/redirect" => status = StatusCode::FOUND,
        "/pages" => {
            // A next page outside the target, its URL full of credentials.
            json["next"] = format!(
                "http://elsewhere.invalid/pages?{}",
                form_urlencoded::Serializer::new(String::new())
                    .append_pair("echo", &echoed)
                    .finish()
            )
            .into()
        }
        "/items" => {
            let credentials = parts.headers.contains_key(header::AUTHORIZATION)
                || parts.headers.contains_key("x-token")
                || parts.uri.query().is_some_and(|q| q.contains("key="));
            if !credentials {
                status = StatusCode::UNAUTHORIZED;
                json = serde_json::json!({ "message": format!("refused: {echoed}") });
            }
        }
        _ => {}
    }
    let builder = Response::builder()
        .status(status)
        .header("x-echo", header_value(&echoed))
        .header("x-echo-base64", STANDARD.encode(&echoed))
        .header(header::LOCATION, header_value(&location))
        .header(header::CONTENT_TYPE, "application/json");
    if path == "/broken" {
        // A body that breaks off after its first bytes: the client's error names the URL.
        let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
            Ok(Bytes::from_static(b"{\"items\": [")),
            Err(std::io::Error::other(format!("cut short: {echoed}"))),
        ];
        return builder
            .header(header::CONTENT_LENGTH, "100000")
            .body(Body::from_stream(futures::stream::iter(chunks)))
            .unwrap();
    }
    builder.body(Body::from(json.to_string())).unwrap()
}

/// The echo target on a fresh loopback port, served by its own runtime for as long as the
/// returned runtime lives.
fn serve_echo() -> (tokio::runtime::Runtime, String, Echo) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let echo = Echo::default();
    let app = Router::new()
        .route("/login", post(answer))
        .route("/refresh", post(answer))
        .route("/items", get(answer))
        .route("/redirect", get(answer))
        .route("/broken", get(answer))
        .route("/pages", get(answer))
        .with_state(echo.clone());
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    *echo.base.lock().unwrap() = url.clone();
    rt.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (rt, url, echo)
}

/// The echo target's profile, its secrets read from the environment `env` gives.
/// The echo spec and the target its profile names, loaded in-process with the profile's
/// environment.
fn echo_target(dir: &Path, url: &str) -> (specgate::Spec, specgate::target::Profile) {
    let (profile, env) = echo_profile(dir, url);
    let env: BTreeMap<String, String> = env.into_iter().collect();
    let spec = specgate::load_spec(&leak_specs().join("echo")).unwrap();
    let declared = specgate::cli::specs::declared(&spec);
    let loaded =
        specgate::target::Profile::load(&profile, &declared, &|v| env.get(v).cloned()).unwrap();
    (spec, loaded)
}

fn echo_profile(dir: &Path, url: &str) -> (PathBuf, Vec<(String, String)>) {
    let profile = dir.join("echo.yaml");
    std::fs::write(
        &profile,
        format!(
            "api: echo\nbase_url: {url}\ncredentials:\n  bearer_key: ${{LEAK_BEARER}}\n  username: ${{LEAK_USER}}\n  password: ${{LEAK_PASSWORD}}\n  query_key: ${{LEAK_QUERY}}\nroles:\n  admin: {{ bearer_key: \"${{LEAK_ADMIN}}\" }}\n"
        ),
    )
    .unwrap();
    let env = [
        ("LEAK_BEARER", BEARER_KEY),
        ("LEAK_USER", USERNAME),
        ("LEAK_PASSWORD", PASSWORD),
        ("LEAK_QUERY", QUERY_KEY),
        ("LEAK_ADMIN", ADMIN_KEY),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    (profile, env)
}

/// The echo target's secrets, with the values derived from them that tell them too.
fn echo_hunt(issued: &[String]) -> Hunt {
    let mut hunt = Hunt::new();
    for (name, value) in [
        ("bearer_key", BEARER_KEY),
        ("admin bearer_key", ADMIN_KEY),
        ("password", PASSWORD),
        ("query_key", QUERY_KEY),
    ] {
        hunt.secret(name, value);
        hunt.windows(name, value);
        // An `auth` rule's invalid case sends the key shifted by one: shifted back, the key.
        hunt.secret(
            &format!("{name} mangled"),
            &specgate::check::auth::mangle(value),
        );
    }
    hunt.basic_pair("password", USERNAME, PASSWORD);
    hunt.basic_pair(
        "password with another user",
        &specgate::check::auth::mangle(USERNAME),
        PASSWORD,
    );
    assert!(
        issued.len() >= 3,
        "the run logged in (login, the lifecycle's, the shape rule's): {issued:?}"
    );
    for (i, token) in issued.iter().enumerate() {
        hunt.secret(&format!("issued token #{i}"), token);
        hunt.windows(&format!("issued token #{i}"), token);
    }
    hunt
}

fn specgate(args: &[&str], env: &[(String, String)], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_specgate"))
        .args(args)
        .envs(env.iter().cloned())
        .current_dir(dir)
        .output()
        .expect("specgate runs")
}

// ------------------------------------------------------------------------------------------
// The tests

#[test]
fn the_hunt_finds_every_encoding() {
    // The hunt could fail: each encoding of a secret, put in a text, is found.
    let mut hunt = Hunt::new();
    hunt.secret("query_key", QUERY_KEY);
    let kinds: BTreeMap<&str, String> = encodings(QUERY_KEY).into_iter().collect();
    assert!(kinds.len() >= 10, "{kinds:?}");
    for (how, text) in &kinds {
        let found = hunt.search(&[("t".into(), format!("x {text} y"))]);
        assert!(!found.is_empty(), "{how} not found");
    }
    let mut pair = Hunt::new();
    pair.basic_pair("password", USERNAME, PASSWORD);
    let header = format!(
        "Authorization: Basic {}",
        STANDARD.encode(format!("{USERNAME}:{PASSWORD}"))
    );
    assert_eq!(pair.search(&[("t".into(), header)]).len(), 1);
}

#[test]
fn no_secret_leaks_from_check_through_any_output() {
    let dir = scratch("check");
    let (_rt, url, echo) = serve_echo();
    let (profile, env) = echo_profile(&dir, &url);
    let reports: Vec<PathBuf> = ["json", "junit", "md", "html"]
        .iter()
        .map(|k| dir.join(format!("report.{k}")))
        .collect();
    let specs = leak_specs();
    let mut args = vec![
        "--specs",
        specs.to_str().unwrap(),
        "check",
        "--target",
        profile.to_str().unwrap(),
    ];
    let report_args: Vec<String> = ["json", "junit", "md", "html"]
        .iter()
        .zip(&reports)
        .map(|(k, p)| format!("{k}={}", p.display()))
        .collect();
    for r in &report_args {
        args.extend(["--report", r.as_str()]);
    }
    let out = specgate(&args, &env, &dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the echo target fails its rules: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The run went where the leaks are: every rule failed, with its exchanges in the reports.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&reports[0]).unwrap()).unwrap();
    let failed: Vec<&str> = json["apis"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "failed")
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in [
        "echo.bearer.echoed",
        "echo.admin.echoed",
        "echo.basic.echoed",
        "echo.query.echoed",
        "echo.token.echoed",
        "echo.redirect",
        "echo.broken-body",
        "echo.auth.bearer-cases",
        "echo.auth.basic-other-user",
        "echo.refresh.new-token",
        "echo.login.shape",
    ] {
        assert!(failed.contains(&id), "{id} did not fail: {failed:?}");
    }
    echo_hunt(&echo.issued()).assert_none(&outputs_of("check", &out, &reports));
    // The broken body's transport error names the URL, key and all.
    let broken = json["apis"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "echo.broken-body")
        .unwrap();
    let error = broken["failures"][0]["exchange"]["error"]
        .as_str()
        .unwrap_or("");
    eprintln!("broken body: {error}");
    assert!(error.contains("key=${LEAK_QUERY}"), "{broken}");
    // Each secret is shown as its variable: a credential as the one the profile reads it
    // from, a captured or derived value as its own name.
    let text = std::fs::read_to_string(&reports[0]).unwrap();
    for shown in [
        "${LEAK_BEARER}",
        "${LEAK_PASSWORD}",
        "${LEAK_QUERY}",
        "${TOKEN}",
        "${OLD_TOKEN}",
        "${ISSUED_TOKEN}",
        "${LEAK_ADMIN}",
        "${INVALID_BEARER_KEY}",
    ] {
        assert!(text.contains(shown), "the report never shows {shown}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_secret_leaks_from_a_load_run() {
    let dir = scratch("load");
    let (_rt, url, echo) = serve_echo();
    let (profile, env) = echo_profile(&dir, &url);
    let specs = leak_specs();
    let scenario = specs.join("echo-load.yaml");
    let files: Vec<PathBuf> = [
        "load.json",
        "load.md",
        "load.html",
        "goose.html",
        "goose.json",
        "goose.md",
    ]
    .iter()
    .map(|f| dir.join(f))
    .collect();
    let f = |i: usize| files[i].display().to_string();
    let (json, md, html) = (
        format!("json={}", f(0)),
        format!("md={}", f(1)),
        format!("html={}", f(2)),
    );
    let (g1, g2, g3) = (f(3), f(4), f(5));
    let out = specgate(
        &[
            "--specs",
            specs.to_str().unwrap(),
            "load",
            "--scenario",
            scenario.to_str().unwrap(),
            "--target",
            profile.to_str().unwrap(),
            "--concurrency",
            "2",
            "--iterations",
            "2",
            "--run-time",
            "30s",
            "--report",
            &json,
            "--report",
            &md,
            "--report",
            &html,
            "--goose-report",
            &g1,
            "--goose-report",
            &g2,
            "--goose-report",
            &g3,
        ],
        &env,
        &dir,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "{stdout}{stderr}"
    );
    echo_hunt(&echo.issued()).assert_none(&outputs_of("load", &out, &files));
    // The run met what it should have: the next page outside the target, with the key.
    let report = std::fs::read_to_string(&files[0]).unwrap();
    assert!(report.contains("outside the target"), "{report}");
    assert!(report.contains("${LEAK_QUERY}"), "{report}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_secret_leaks_through_events_or_results() {
    // In-process: every event the engine emits (what a progress display sees), and the result
    // it returns as every reporter renders it.
    let dir = scratch("events");
    let (rt, url, echo) = serve_echo();
    let (spec, loaded) = echo_target(&dir, &url);
    let mut events: Vec<(String, String)> = Vec::new();
    let result = rt.block_on(specgate::run::engine::run_api(
        &spec,
        &loaded.target,
        &Default::default(),
        &mut |e| {
            let text = match e {
                specgate::results::Event::Started { api, rules } => format!("{api} {rules}"),
                specgate::results::Event::RuleDone { api, result } => format!(
                    "{api} {result:?} {}",
                    serde_json::to_string(result).unwrap()
                ),
                specgate::results::Event::ApiDone { result } => {
                    format!("{result:?} {}", serde_json::to_string(result).unwrap())
                }
            };
            events.push((format!("event {}", events.len()), text));
        },
    ));
    assert!(events.len() > 10, "{events:?}");
    let results = [result];
    let mut outputs = events;
    outputs.push(("debug".into(), format!("{results:?}")));
    outputs.push((
        "terminal".into(),
        specgate::report::check::terminal(&results, false),
    ));
    for f in specgate::report::check::FORMATS {
        outputs.push((
            format!("{f} report"),
            specgate::report::check::render(*f, &results, false),
        ));
    }
    echo_hunt(&echo.issued()).assert_none(&outputs);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A built-in mock with the shared echo fault, served in this process, and a profile of it
/// (its secrets in the environment), so the binary checks it as a live target.
struct EchoingMock {
    mock: specgate::mock::RunningMock,
    profile: PathBuf,
    env: Vec<(String, String)>,
}

async fn echoing_mock(api: &str, dir: &Path) -> EchoingMock {
    let mock = specgate::mock::start(
        api,
        specgate::mock::MockOptions {
            fault: Some(specgate::mock::ECHO_FAULT.into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let t = &mock.target;
    let mut text = format!("api: {api}\nbase_url: {}\n", t.base_url);
    let mut env = Vec::new();
    let mut var = |scope: &str, name: &str, value: &str| {
        let v = format!("LEAK_{}_{}_{}", api, scope, name)
            .to_ascii_uppercase()
            .replace('-', "_");
        env.push((v.clone(), value.to_string()));
        format!("\"${{{v}}}\"")
    };
    text.push_str("credentials:\n");
    for (k, v) in &t.credentials.values {
        text.push_str(&format!("  {k}: {}\n", var("", k, v)));
    }
    text.push_str("roles:\n");
    for (role, values) in &t.credentials.roles {
        text.push_str(&format!("  {role}:\n"));
        for (k, v) in values {
            text.push_str(&format!("    {k}: {}\n", var(role, k, v)));
        }
    }
    if let Some((host, addr)) = t.resolve.first() {
        text.push_str(&format!("resolve:\n  {host}: {addr}\n"));
    }
    if let Some(der) = t.root_certs.first() {
        // As `specgate mock --cert-out` writes it: PEM.
        let cert = dir.join(format!("{api}.pem"));
        std::fs::write(&cert, specgate::report::pem_certificate(der)).unwrap();
        text.push_str(&format!("ca_cert: {}\n", cert.display()));
    }
    if let Some(p) = &t.plain_url {
        text.push_str(&format!("plain_url: {p}\n"));
    }
    let profile = dir.join(format!("{api}.yaml"));
    std::fs::write(&profile, text).unwrap();
    EchoingMock { mock, profile, env }
}

/// The secrets of a mock's target (by its contract), and the tokens it handed out.
fn mock_hunt(api: &str, mock: &specgate::mock::RunningMock) -> Hunt {
    let spec = specgate::load_spec(&root().join("specs").join(api)).unwrap();
    let secret = |n: &str| {
        spec.contract
            .credentials
            .iter()
            .any(|c| c.name == n && c.secret)
    };
    let creds = &mock.target.credentials;
    let mut hunt = Hunt::new();
    let all = creds.values.iter().map(|(k, v)| (k.clone(), v)).chain(
        creds
            .roles
            .iter()
            .flat_map(|(r, vs)| vs.iter().map(move |(k, v)| (format!("{r} {k}"), v))),
    );
    let mut n = 0;
    for (name, value) in all {
        let key = name.rsplit(' ').next().unwrap_or(&name).to_string();
        if secret(&key) {
            hunt.secret(&format!("{api} {name}"), value);
            hunt.secret(
                &format!("{api} {name} mangled"),
                &specgate::check::auth::mangle(value),
            );
            n += 1;
        }
    }
    assert!(n > 0, "{api} has no secret credential");
    for scheme in spec.contract.auth.iter().filter_map(|a| a.basic.as_ref()) {
        let user = scheme.username.trim_matches(|c| c == '{' || c == '}');
        let pass = scheme.password.trim_matches(|c| c == '{' || c == '}');
        if let (Some(u), Some(p)) = (creds.get(user), creds.get(pass)) {
            hunt.basic_pair(&format!("{api} {pass}"), u, p);
        }
    }
    for (i, token) in mock.issued_tokens().iter().enumerate() {
        hunt.secret(&format!("{api} issued token #{i}"), token);
    }
    hunt
}

#[test]
fn no_secret_leaks_from_the_five_mocks_echoing_credentials() {
    let dir = scratch("mocks");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for m in specgate::mock::apis() {
        let api = m.name();
        let reports: Vec<PathBuf> = ["json", "junit", "md", "html"]
            .iter()
            .map(|k| dir.join(format!("{api}.{k}")))
            .collect();
        let report_args: Vec<String> = ["json", "junit", "md", "html"]
            .iter()
            .zip(&reports)
            .map(|(k, p)| format!("{k}={}", p.display()))
            .collect();
        let with_reports = |mut args: Vec<String>| {
            for r in &report_args {
                args.extend(["--report".to_string(), r.clone()]);
            }
            args
        };

        // As a live target: the mock in this process knows every token it handed out.
        let echoing = rt.block_on(echoing_mock(api, &dir));
        let args = with_reports(vec![
            "check".into(),
            "--target".into(),
            echoing.profile.display().to_string(),
        ]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = specgate(&args, &echoing.env, &root());
        assert_eq!(
            out.status.code(),
            Some(1),
            "{api}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let hunt = mock_hunt(api, &echoing.mock);
        hunt.assert_none(&outputs_of(&format!("{api} --target"), &out, &reports));

        // With --fault: the binary starts the mock itself, with the same seed, so the same
        // credentials.
        let args = with_reports(vec![
            "check".into(),
            "--api".into(),
            api.into(),
            "--fault".into(),
            specgate::mock::ECHO_FAULT.into(),
        ]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = specgate(&args, &[], &root());
        assert_eq!(out.status.code(), Some(1), "{api} --fault");
        hunt.assert_none(&outputs_of(&format!("{api} --fault"), &out, &reports));
        rt.block_on(echoing.mock.shutdown());
    }

    // A load run of a real scenario whose users each log in and refresh their token.
    let echoing = rt.block_on(echoing_mock("checkvist", &dir));
    let files: Vec<PathBuf> = ["load.json", "load.md", "load.html", "goose.html"]
        .iter()
        .map(|f| dir.join(f))
        .collect();
    let arg = |k: &str, i: usize| format!("{k}={}", files[i].display());
    let (json, md, html, goose) = (
        arg("json", 0),
        arg("md", 1),
        arg("html", 2),
        files[3].display().to_string(),
    );
    let profile = echoing.profile.display().to_string();
    let out = specgate(
        &[
            "load",
            "--scenario",
            "scenarios/checkvist-sync.yaml",
            "--target",
            &profile,
            "--concurrency",
            "2",
            "--iterations",
            "1",
            "--run-time",
            "30s",
            "--report",
            &json,
            "--report",
            &md,
            "--report",
            &html,
            "--goose-report",
            &goose,
        ],
        &echoing.env,
        &root(),
    );
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let hunt = mock_hunt("checkvist", &echoing.mock);
    assert!(
        echoing.mock.issued_tokens().len() >= 4,
        "each load user logged in and refreshed"
    );
    hunt.assert_none(&outputs_of("checkvist load", &out, &files));
    rt.block_on(echoing.mock.shutdown());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_leaks_the_issue_found_are_gone() {
    let dir = scratch("issue");
    let run = |fault: &str, rule: &str| {
        let report = dir.join(format!("{fault}.json"));
        let out = specgate(
            &[
                "check",
                "--api",
                "checkvist",
                "--fault",
                fault,
                "--rule",
                rule,
                "--report",
                &format!("json={}", report.display()),
            ],
            &[],
            &root(),
        );
        assert_eq!(out.status.code(), Some(1), "{fault}");
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&std::fs::read_to_string(&report).unwrap());
        text
    };
    // A refresh that hands the old token back printed the live token as `expected ≠ "…"`.
    let text = run("refresh.same-token", "checkvist.refresh.*");
    assert!(text.contains("expected ≠ \"${OLD_TOKEN}\""), "{text}");
    assert!(
        !text.contains("mock-token-"),
        "a live token is shown: {text}"
    );
    // Basic credentials were printed as base64 of `user1@checkvist.mock:<remote key>`. They
    // are shown as the pair curl encodes, the key as the variable the mock's banner exports.
    let text = run("auth.basic-remote-key-refused", "checkvist.auth.basic");
    assert!(
        text.contains(r#"-u "user1@checkvist.mock:${CHECKVIST_REMOTE_KEY}""#),
        "{text}"
    );
    let prefix = STANDARD.encode("user1@checkvist.mock:");
    assert!(
        !text.contains(&prefix[..12]),
        "the Basic pair is shown: {text}"
    );
    assert!(!text.contains("mock-remote-key-"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn every_built_in_mock_secret_is_long_enough_to_redact() {
    // The mocks are the embedded default target: they are held to what profiles must meet.
    for m in specgate::mock::apis() {
        let spec = specgate::load_spec(&root().join("specs").join(m.name())).unwrap();
        let secret = |n: &str| {
            spec.contract
                .credentials
                .iter()
                .any(|c| c.name == n && c.secret)
        };
        let mock = specgate::mock::start(m.name(), Default::default())
            .await
            .unwrap();
        let creds = &mock.target.credentials;
        let all = creds
            .values
            .iter()
            .chain(creds.roles.values().flat_map(|r| r.iter()));
        let mut checked = 0;
        for (name, value) in all.filter(|(n, _)| secret(n)) {
            assert!(
                value.chars().count() >= specgate::redact::MIN_SECRET_LEN,
                "{}: `{name}` is shorter than {} characters",
                m.name(),
                specgate::redact::MIN_SECRET_LEN
            );
            checked += 1;
        }
        assert!(checked > 0, "{}: no secret checked", m.name());
        mock.shutdown().await;
    }
}

#[test]
fn a_login_token_too_short_to_redact_fails_the_login_and_stays_hidden() {
    let dir = scratch("short");
    let (rt, url, echo) = serve_echo();
    echo.short_tokens.store(true, Ordering::SeqCst);
    let (spec, loaded) = echo_target(&dir, &url);
    let options = specgate::run::engine::RunOptions {
        rules: vec!["echo.token.echoed".into()],
        ..Default::default()
    };
    let result = rt.block_on(specgate::run::engine::run_api(
        &spec,
        &loaded.target,
        &options,
        &mut |_| {},
    ));
    let login = result
        .results
        .iter()
        .find(|r| r.id == "echo.login")
        .expect("the login failed");
    let why = specgate::results::describe(&login.failures[0]);
    assert!(why.contains("at least 8 characters"), "{why}");
    // The token is not used, and not shown where the login's exchange shows it.
    assert_eq!(echo.issued(), ["tk0"]);
    let text = serde_json::to_string(&result).unwrap();
    assert!(text.contains("${TOKEN}"), "{text}");
    assert!(!text.contains("tk0"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
