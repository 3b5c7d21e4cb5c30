//! The fault every mock shares: a server that hands back every credential it receives, in as
//! many forms as a careless target would (raw in a header and in JSON, percent-encoded in a
//! redirect `Location`, base64-encoded, XML-escaped, and in the error message of a refusal it
//! turns into a 500). Leak tests run the checker against it and grep every output for each
//! secret; the fault matrix sees it caught by the API's `not-a-server-error` conformance check.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::Value;

use super::kit::body::read_capped;
use super::kit::encoding;
use super::FaultInfo;

pub const ECHO_FAULT: &str = "echo-credentials";

/// Answers are read whole to be rewritten, up to this size; a larger one passes unchanged.
const MAX_ECHOED_ANSWER: usize = 8 << 20;

/// The most tokens remembered: a long load run must not grow the set without end.
const MAX_ISSUED: usize = 10_000;

/// The shared fault as `api`'s fault table lists it. The rule ids are built once per API and
/// kept for the life of the process (`FaultInfo` holds `'static` names, as the tables do).
pub fn fault_info(api: &str) -> FaultInfo {
    /// API name → the rule ids its echo fault names.
    type Table = Vec<(String, &'static [&'static str])>;
    static RULES: OnceLock<Mutex<Table>> = OnceLock::new();
    let table = RULES.get_or_init(Default::default);
    let mut table = table.lock().unwrap_or_else(|p| p.into_inner());
    let rules = match table.iter().find(|(a, _)| a == api) {
        Some((_, r)) => *r,
        None => {
            let id: &'static str =
                Box::leak(format!("{api}.conformance.not-a-server-error").into_boxed_str());
            let rules: &'static [&'static str] = Box::leak(vec![id].into_boxed_slice());
            table.push((api.to_string(), rules));
            rules
        }
    };
    FaultInfo {
        name: ECHO_FAULT,
        rules,
        breaks: "echoes every credential it receives (headers, Location, JSON bodies) and answers \
                 every refusal with a 500 that quotes them",
        unstated: None,
    }
}

/// The echo layer's state: the tokens the mock handed out.
#[derive(Clone, Default)]
pub struct Echo {
    issued: Arc<Mutex<BTreeSet<String>>>,
}

impl Echo {
    pub fn wrap(&self, router: Router) -> Router {
        router.layer(axum::middleware::from_fn_with_state(self.clone(), echo))
    }

    pub fn issued(&self) -> Vec<String> {
        self.issued
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    fn remember(&self, answer: &Value) {
        if let Some(token) = answer.get("token").and_then(Value::as_str) {
            let mut issued = self.issued.lock().unwrap_or_else(|p| p.into_inner());
            if issued.len() < MAX_ISSUED {
                issued.insert(token.to_string());
            }
        }
    }
}

/// Everything a request carried that may be a credential: every header (a Basic pair
/// decoded), the query as sent and decoded, the body as sent and its form fields decoded.
fn credentials_of(parts: &axum::http::request::Parts, body: &[u8]) -> String {
    let mut items: Vec<String> = Vec::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        items.push(format!("{name}={value}"));
        if let Some(encoded) = value.strip_prefix("Basic ") {
            if let Some(pair) = encoding::base64_decode(encoded) {
                items.push(format!("basic={}", String::from_utf8_lossy(&pair)));
            }
        }
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

/// A header value for `text`: as it is when it can be one, else percent-encoded.
fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| {
        let encoded: String = form_urlencoded::byte_serialize(text.as_bytes()).collect();
        HeaderValue::from_str(&encoded).unwrap_or(HeaderValue::from_static("?"))
    })
}

async fn echo(State(state): State<Echo>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = read_capped(body).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "the body is too large").into_response();
    };
    let echoed = credentials_of(&parts, &body);
    let answer = next.run(Request::from_parts(parts, Body::from(body))).await;
    let (mut parts, body) = answer.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_ECHOED_ANSWER).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "the answer is too large").into_response();
    };
    let json: Option<Value> = serde_json::from_slice(&body).ok();
    if let Some(j) = &json {
        state.remember(j);
    }
    let escaped = quick_xml::escape::escape(echoed.as_str()).into_owned();
    let location = format!(
        "/echo?{}",
        form_urlencoded::Serializer::new(String::new())
            .append_pair("credentials", &echoed)
            .finish()
    );
    let b64 = encoding::base64_encode(echoed.as_bytes());
    let headers = &mut parts.headers;
    headers.insert("x-echo-credentials", header_value(&echoed));
    headers.insert("x-echo-base64", header_value(&b64));
    headers.insert(header::LOCATION, header_value(&location));
    headers.remove(header::CONTENT_LENGTH);
    if parts.status.is_client_error() {
        // A server that crashes on the credentials it refuses, and says what they were.
        parts.status = StatusCode::INTERNAL_SERVER_ERROR;
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let error = serde_json::json!({
            "error": format!("refused credentials: {echoed}"),
            "detail": format!("<p>{escaped}</p>"),
        });
        return Response::from_parts(parts, Body::from(error.to_string()));
    }
    let body = match json {
        Some(Value::Object(mut m)) => {
            m.insert("echo".into(), Value::String(echoed));
            m.insert("echo_xml".into(), Value::String(escaped));
            Value::Object(m).to_string().into_bytes()
        }
        _ => body.to_vec(),
    };
    Response::from_parts(parts, Body::from(body))
}
