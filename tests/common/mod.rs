//! Shared by the mock tests: start a mock in-process and talk to it over real HTTP, through one
//! session type (a client, the base URL, the credentials every request carries) and one response
//! type (status, headers and the whole body, read once).
#![allow(dead_code)]

use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::Value;
use specgate::mock::{start, MockOptions, RunningMock};
use specgate::target::Target;

/// Start `api`'s mock on an ephemeral loopback port, faithful or with `fault`.
pub async fn mock(api: &str, fault: Option<&str>) -> RunningMock {
    let options = MockOptions {
        fault: fault.map(str::to_string),
        ..MockOptions::default()
    };
    mock_with(api, options).await
}

/// Start `api`'s mock with `options` (a variant, a size) on an ephemeral loopback port.
pub async fn mock_with(api: &str, options: MockOptions) -> RunningMock {
    start(api, options)
        .await
        .unwrap_or_else(|e| panic!("mock {api} does not start: {e}"))
}

/// A client for `target`: trusts its certificate, resolves its documented host to loopback,
/// follows no redirect, and gives up after 10 seconds.
pub fn client(target: &Target) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10));
    for (host, addr) in &target.resolve {
        b = b.resolve(host, *addr);
    }
    for der in &target.root_certs {
        b = b.add_root_certificate(reqwest::Certificate::from_der(der).expect("a DER certificate"));
    }
    b.build().expect("a client")
}

/// How a request says who sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// No credential.
    None,
    /// `Authorization: Bearer KEY`.
    Bearer(String),
    /// `Authorization` with this value verbatim (a wrong scheme, a malformed value).
    Authorization(String),
    /// HTTP Basic with a user and a password.
    Basic(String, String),
    /// A query parameter, e.g. `token=...`.
    Query(String, String),
    /// Any other header, e.g. `X-Client-Token: ...`.
    Header(String, String),
}

impl Auth {
    fn apply(&self, rb: RequestBuilder) -> RequestBuilder {
        match self {
            Auth::None => rb,
            Auth::Bearer(key) => rb.header("Authorization", format!("Bearer {key}")),
            Auth::Authorization(value) => rb.header("Authorization", value),
            Auth::Basic(user, password) => rb.basic_auth(user, Some(password)),
            Auth::Query(name, value) => rb.query(&[(name, value)]),
            Auth::Header(name, value) => rb.header(name, value),
        }
    }
}

/// One mock seen by one client: its base URL, the headers and the credential every request
/// carries unless a request says otherwise. Cheap to clone (the client is shared).
#[derive(Clone)]
pub struct Session {
    pub client: reqwest::Client,
    pub base: String,
    pub auth: Auth,
    /// Sent with every request, in this order, before the request's own headers.
    pub headers: Vec<(String, String)>,
}

impl Session {
    /// A session with no credential and no extra header.
    pub fn of(m: &RunningMock) -> Session {
        Session {
            client: client(&m.target),
            base: m.base_url().to_string(),
            auth: Auth::None,
            headers: vec![],
        }
    }

    pub fn with_auth(mut self, auth: Auth) -> Session {
        self.auth = auth;
        self
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Session {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// `path` (which starts with `/`) on the mock.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn request(&self, method: Method, path: &str) -> Request {
        Request {
            http: self.client.clone(),
            method,
            url: self.url(path),
            auth: self.auth.clone(),
            headers: self.headers.clone(),
            query: vec![],
            body: Body::None,
        }
    }

    pub fn get(&self, path: &str) -> Request {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Request {
        self.request(Method::POST, path)
    }

    pub fn put(&self, path: &str) -> Request {
        self.request(Method::PUT, path)
    }

    pub fn patch(&self, path: &str) -> Request {
        self.request(Method::PATCH, path)
    }

    pub fn delete(&self, path: &str) -> Request {
        self.request(Method::DELETE, path)
    }
}

enum Body {
    None,
    Form(Vec<(String, String)>),
    Json(Value),
    Bytes(Vec<u8>),
}

/// One request being built: the session's headers and credential, which it may replace or
/// drop, then its own.
pub struct Request {
    http: reqwest::Client,
    method: Method,
    url: String,
    auth: Auth,
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
    body: Body,
}

impl Request {
    /// Set `name` (replacing the session's value of it, if any).
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Request {
        let value = value.into();
        match self
            .headers
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
        {
            Some(h) => h.1 = value,
            None => self.headers.push((name.to_string(), value)),
        }
        self
    }

    /// Send no `name` header, though the session would.
    pub fn without(mut self, name: &str) -> Request {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self
    }

    pub fn auth(mut self, auth: Auth) -> Request {
        self.auth = auth;
        self
    }

    pub fn query(mut self, pairs: &[(&str, &str)]) -> Request {
        self.query
            .extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        self
    }

    /// A form body (`application/x-www-form-urlencoded`, unless a Content-Type is set).
    pub fn form<K: AsRef<str>, V: AsRef<str>>(mut self, pairs: &[(K, V)]) -> Request {
        self.body = Body::Form(pairs_of(pairs).collect());
        self
    }

    /// A JSON body (`application/json`, unless a Content-Type is set).
    pub fn json(mut self, body: &Value) -> Request {
        self.body = Body::Json(body.clone());
        self
    }

    /// These bytes as the body, with whatever Content-Type the headers say.
    pub fn body(mut self, bytes: impl Into<Vec<u8>>) -> Request {
        self.body = Body::Bytes(bytes.into());
        self
    }

    /// The request as reqwest builds it, for what this type does not say (a header value
    /// that is not text, a timeout).
    pub fn builder(self) -> RequestBuilder {
        let mut rb = self.http.request(self.method, &self.url);
        for (name, value) in &self.headers {
            rb = rb.header(name, value);
        }
        rb = self.auth.apply(rb);
        if !self.query.is_empty() {
            rb = rb.query(&self.query);
        }
        match self.body {
            Body::None => rb,
            Body::Form(pairs) => rb.form(&pairs),
            Body::Json(v) => rb.json(&v),
            Body::Bytes(b) if b.is_empty() => rb,
            Body::Bytes(b) => rb.body(b),
        }
    }

    /// Send, and read the whole answer. Panics when the mock does not answer.
    pub async fn send(self) -> Response {
        Response::send(self.builder()).await
    }

    /// Send, and read the whole answer, or say why there is none (for tests that count
    /// refused connections rather than fail on them).
    pub async fn try_send(self) -> Result<Response, reqwest::Error> {
        Response::try_send(self.builder()).await
    }
}

fn pairs_of<K: AsRef<str>, V: AsRef<str>>(
    pairs: &[(K, V)],
) -> impl Iterator<Item = (String, String)> + '_ {
    pairs
        .iter()
        .map(|(k, v)| (k.as_ref().to_string(), v.as_ref().to_string()))
}

/// An answer read whole: its status, its headers and its body.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    text: String,
}

impl Response {
    /// Send `rb` and read its answer. Panics when the mock does not answer, or its body cannot
    /// be read whole.
    pub async fn send(rb: RequestBuilder) -> Response {
        Response::try_send(rb).await.expect("the mock answers")
    }

    /// Send `rb` and read its answer, or say why there is none.
    pub async fn try_send(rb: RequestBuilder) -> Result<Response, reqwest::Error> {
        let r = rb.send().await?;
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await?;
        Ok(Response {
            status,
            headers,
            text,
        })
    }

    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).expect("a status code")
    }

    /// The header's value, when there is one and it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The Content-Type, or "" when there is none.
    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The body as JSON, or `null` when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }

    /// The body as JSON. Panics when it is not JSON.
    pub fn expect_json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("a JSON body ({e}): {}", self.text))
    }
}

/// Serve `app` on a fresh loopback port: its base URL (`http://ADDR/api`) and the server task.
pub async fn serve(app: axum::Router) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/api"), server)
}

/// A target answering every request with 200 and `body` at once, except every `every`-th,
/// which it answers with `odd_status` after `stall`.
pub async fn every_nth_target(
    every: u64,
    odd_status: u16,
    stall: std::time::Duration,
    body: &'static str,
) -> (String, tokio::task::JoinHandle<()>) {
    use std::sync::atomic::{AtomicU64, Ordering};
    let n = std::sync::Arc::new(AtomicU64::new(0));
    let app = axum::Router::new().fallback(move || {
        let n = n.clone();
        async move {
            let status = if n.fetch_add(1, Ordering::Relaxed) % every == every - 1 {
                tokio::time::sleep(stall).await;
                odd_status
            } else {
                200
            };
            (
                axum::http::StatusCode::from_u16(status).unwrap(),
                [("content-type", "application/json")],
                body,
            )
        }
    });
    serve(app).await
}

/// A target profile for `target` (a mock of `api`) written in `dir`: its base URL, its
/// certificate beside it, each of its hosts resolved to one address, and its credentials as
/// `${VAR}` references named `<var_prefix>_<NAME>`. The profile's path and the variables to set.
pub fn mock_profile(
    target: &Target,
    api: &str,
    dir: &std::path::Path,
    var_prefix: &str,
) -> (std::path::PathBuf, Vec<(String, String)>) {
    let mut profile = format!("api: {api}\nbase_url: {}\n", target.base_url);
    if let Some(cert) = target.root_certs.first() {
        let pem = dir.join(format!("{api}.pem"));
        std::fs::write(&pem, specgate::report::pem_certificate(cert)).unwrap();
        profile.push_str(&format!("ca_cert: {}\n", pem.display()));
    }
    // The mock resolves its host to more than one address; a profile names one.
    let mut hosts = std::collections::BTreeSet::new();
    if !target.resolve.is_empty() {
        profile.push_str("resolve:\n");
    }
    for (host, addr) in &target.resolve {
        if hosts.insert(host) {
            profile.push_str(&format!("  {host}: {addr}\n"));
        }
    }
    let mut env = vec![];
    if !target.credentials.values.is_empty() {
        profile.push_str("credentials:\n");
    }
    for (k, v) in &target.credentials.values {
        let var = format!("{var_prefix}_{}", k.to_uppercase());
        profile.push_str(&format!("  {k}: ${{{var}}}\n"));
        env.push((var, v.clone()));
    }
    let path = dir.join(format!("{api}.yaml"));
    std::fs::write(&path, profile).unwrap();
    (path, env)
}

/// A mock served on its own runtime for tests that run `specgate` as a process: a scratch
/// folder, the mock's profile in it and the variables the profile reads.
pub struct ServedMock {
    pub dir: std::path::PathBuf,
    pub profile: std::path::PathBuf,
    pub env: Vec<(String, String)>,
    /// Keeps the mock serving.
    _runtime: tokio::runtime::Runtime,
    _mock: RunningMock,
}

impl ServedMock {
    /// Start `api`'s mock with `options`; its files go to a fresh `specgate-<name>-<pid>` folder
    /// and its profile reads `SPECGATE_<NAME>_TEST_<CREDENTIAL>`.
    pub fn start(api: &str, options: MockOptions, name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("specgate-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let mock = runtime.block_on(mock_with(api, options));
        let prefix = format!("SPECGATE_{}_TEST", name.to_uppercase().replace('-', "_"));
        let (profile, env) = mock_profile(&mock.target, api, &dir, &prefix);
        ServedMock {
            dir,
            profile,
            env,
            _runtime: runtime,
            _mock: mock,
        }
    }
}

/// The checkout: where the scenarios, specs and targets the tests name are.
pub fn checkout() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `specgate ARGS`, run in the checkout.
pub fn specgate(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_specgate"))
        .current_dir(checkout())
        .args(args)
        .output()
        .expect("specgate runs")
}

/// Exit 0, or a panic naming `what` with both outputs.
pub fn assert_ok(what: &str, out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what}\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `specgate merge RESULTS... --report json=REPORT`.
pub fn merge(results: &[&std::path::Path], report: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_specgate"))
        .current_dir(checkout())
        .arg("merge")
        .args(results)
        .arg("--report")
        .arg(format!("json={}", report.display()))
        .output()
        .unwrap()
}

/// The JSON file at `path`.
pub fn read_json(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The three percentiles, in ms, of a report's latency object `l`.
pub fn percentiles(l: &Value) -> [f64; 3] {
    ["p50_ms", "p95_ms", "p99_ms"].map(|p| l[p].as_f64().unwrap())
}

/// p50, p95 and p99 of a histogram of microseconds, in ms, as the reports give them.
pub fn histogram_percentiles(h: &hdrhistogram::Histogram<u64>) -> [f64; 3] {
    [0.5, 0.95, 0.99].map(|q| h.value_at_quantile(q) as f64 / 1000.0)
}

/// Equal within an HDR histogram's precision (three significant digits).
pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 0.001 * a.abs().max(b.abs()) + 1e-9
}

/// Run `commands` side by side, their outputs captured, and wait for all: each exits 0.
pub fn run_side_by_side(commands: impl IntoIterator<Item = std::process::Command>) {
    let children: Vec<_> = commands
        .into_iter()
        .map(|mut c| {
            c.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("specgate starts")
        })
        .collect();
    for (i, c) in children.into_iter().enumerate() {
        assert_ok(&format!("process {i}"), &c.wait_with_output().unwrap());
    }
}
