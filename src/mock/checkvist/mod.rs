//! The reference mock of the Checkvist Open API (checkvist.txt).
//!
//! - Served at the root (the documented `https://checkvist.com`); every resource path ends in
//!   `.json` or `.xml`, which picks the representation (JSON arrays and objects; XML
//!   `<checklists>`, `<checklist>`, `<tasks>` of `<task>`, `<notes>` of `<note>`). Login and
//!   refresh are `.json` only.
//! - Authentication: a token from `/auth/login.json` (username + Remote API key or password;
//!   a 2-step account needs `token2fa` with its password, 422 `{"error": ...}` otherwise) as
//!   the `token` parameter or the `X-Client-Token` header, valid a day and refreshable (the
//!   old token is deleted) within 90 days; or HTTP basic authentication with the login and the
//!   password or Remote API key. Bad credentials are 401 wherever they are presented; public
//!   checklists (and their tasks and notes) are readable without any, read-only.
//! - POST with `_method=PUT` / `_method=DELETE` (form, JSON body or query) is that method.
//! - Bodies are form-encoded (`a[]=1` arrays, `task[tags][x]=false` hashes), multipart (import),
//!   or JSON (nested objects read as `task[content]`). Errors are `{"error": "..."}` (XML:
//!   `<errors><error>...</error></errors>`): 400 bad input, 401 / 403 access, 404 unknown ids or
//!   paths, 405 with `Allow`, 413 bodies over `common::MAX_BODY_BYTES`.
//! - Data: `size` seeded checklists of the main user (default 12), derived from `(seed, id)`
//!   and costing no memory until written (the first write materialises a list): list 1 and
//!   every list but each 3rd from the 2nd are private, each 5th is archived, each 7th from the
//!   6th is empty; the others hold 4 to 10 tasks (ids `list * 100 + j`), nested, some closed or
//!   invalidated, some never updated (`updated_at` ""), the first with notes, in a position
//!   order that is not id order. Written and created lists live in one store behind a lock, so
//!   concurrent writes lose nothing (200 concurrent creates get positions 1..=200).
//! - A non-leaf task reads as the cumulative status of its children (open if one is open,
//!   invalidated if all are, closed otherwise); close / invalidate / reopen change the task and
//!   all its descendants and answer them, the task first. task_count / task_completed count
//!   leaf tasks / closed leaf tasks.
//! - The `expired_token` credential is a token issued two days before the mock started: refused
//!   on calls, refreshable; refreshing it does not delete it, so repeated runs find it. The
//!   fixture `archived_checklist_id` names the first archived seeded list (5 by default).
//! - `--variant NAME` (faults.rs) keeps every sentence of the document and chooses otherwise
//!   where it is silent: success statuses, id types, optional attributes, XML names and
//!   offsets, the meaning of archived=true and of the default order, import indentation, error
//!   bodies, and how the user's data and roles are arranged.

// Handlers return their error answers (axum Responses) as `Err`; boxing them gains nothing here.
#![allow(clippy::result_large_err)]

mod data;
mod faults;
mod render;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};

use super::common::mix;
use super::kit::body::{self, parse_body, parse_form};
use super::kit::ids::parse_id;
use super::kit::{encoding, envelope, time, HasSwitches, Mock, Switches};
use super::{Built, MockOptions, Shared, Transport};
use crate::target::Credentials;
use data::{
    List, Note, Store, Task, Token, User, MAIN_USER, TOKEN_REFRESHABLE_SECS, TOKEN_VALID_SECS,
};
pub use faults::{Fault, Variant};
use render::{Access, View};

/// Seeded checklists when `size` is not given.
pub const DEFAULT_SIZE: usize = 12;
const MAX_SIZE: u64 = 1 << 32;

#[derive(Default)]
pub struct Api;

impl Mock for Api {
    const NAME: &'static str = "checkvist";
    type Fault = Fault;
    type Variant = Variant;

    fn max_size(&self) -> Option<usize> {
        Some(usize::try_from(MAX_SIZE).unwrap_or(usize::MAX))
    }

    fn build(&self, options: &MockOptions, switches: Switches<Fault, Variant>) -> Built {
        let seed = options.seed;
        let size = if switches.chose(Variant::EmptyAccount) {
            0
        } else {
            (options.size.unwrap_or(DEFAULT_SIZE) as u64).min(MAX_SIZE)
        };
        let users = vec![
            User {
                id: MAIN_USER,
                login: format!("user{seed}@checkvist.mock"),
                username: format!("specgate{seed}"),
                remote_key: format!("mock-remote-key-{seed}-{:012x}", mix(seed, 11) >> 16),
                password: format!("mock-password-{seed}-{:08x}", mix(seed, 12) >> 32),
                twofa_code: None,
            },
            User {
                id: data::TWOFA_USER,
                login: format!("twofa{seed}@checkvist.mock"),
                username: format!("twofa{seed}"),
                remote_key: format!("mock-remote-key-2fa-{seed}-{:012x}", mix(seed, 13) >> 16),
                password: format!("mock-password-2fa-{seed}-{:08x}", mix(seed, 14) >> 32),
                twofa_code: Some(format!("{:06}", 100_000 + mix(seed, 15) % 900_000)),
            },
        ];
        let expired = format!("mock-expired-token-{seed}-{:012x}", mix(seed, 16) >> 16);
        let credentials = Credentials::default()
            .with("username", users[0].login.clone())
            .with("remote_key", users[0].remote_key.clone())
            .with("password", users[0].password.clone())
            .with("expired_token", expired.clone())
            .with("twofa_username", users[1].login.clone())
            .with("twofa_password", users[1].password.clone())
            .with("twofa_remote_key", users[1].remote_key.clone());
        let mut store = Store::new(seed, size, users);
        store.tokens.insert(
            expired,
            Token {
                user: MAIN_USER,
                issued: time::now_secs() - 2 * 86_400,
                pinned: true,
            },
        );
        let app = App {
            switches,
            seeded: size,
            store: Arc::new(tokio::sync::RwLock::new(store)),
        };
        let mut fixtures = BTreeMap::new();
        if let Some(id) = data::first_archived(size) {
            fixtures.insert("archived_checklist_id".to_string(), json!(id));
        }
        Built {
            router: Router::new().fallback(handle).with_state(Arc::new(app)),
            credentials,
            base_path: String::new(),
            transport: Transport::Plain,
            fixtures,
        }
    }
}

struct App {
    switches: Switches<Fault, Variant>,
    /// Seeded checklists are ids `1..=seeded`.
    seeded: u64,
    store: Shared<Store>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fmt {
    Json,
    Xml,
}

// ---------------------------------------------------------------------------- answers

fn json_ok(v: Value) -> Response {
    envelope::typed(StatusCode::OK, envelope::JSON_UTF8, v.to_string())
}

fn xml_ok(body: String) -> Response {
    envelope::typed(StatusCode::OK, envelope::XML_UTF8, body)
}

fn err(fmt: Fmt, status: StatusCode, msg: &str) -> Response {
    match fmt {
        Fmt::Json => envelope::typed(
            status,
            envelope::JSON_UTF8,
            json!({ "error": msg }).to_string(),
        ),
        Fmt::Xml => envelope::typed(
            status,
            envelope::XML_UTF8,
            format!(
                "{}<errors>\n  <error>{}</error>\n</errors>\n",
                render::XML_HEAD,
                render::escape(msg)
            ),
        ),
    }
}

fn unauthorized(fmt: Fmt, msg: &str) -> Response {
    envelope::with_challenge(
        err(fmt, StatusCode::UNAUTHORIZED, msg),
        "Basic realm=\"Checkvist\"",
    )
}

fn not_found(fmt: Fmt, what: &str) -> Response {
    err(fmt, StatusCode::NOT_FOUND, &format!("{what} not found"))
}

fn bad_request(fmt: Fmt, msg: &str) -> Response {
    err(fmt, StatusCode::BAD_REQUEST, msg)
}

fn not_allowed(fmt: Fmt, allow: &'static str) -> Response {
    envelope::with_allow(
        err(
            fmt,
            StatusCode::METHOD_NOT_ALLOWED,
            &format!("method not allowed here; allowed: {allow}"),
        ),
        allow,
    )
}

/// One value in the format asked for.
fn answer(fmt: Fmt, json: impl FnOnce() -> Value, xml: impl FnOnce() -> String) -> Response {
    match fmt {
        Fmt::Json => json_ok(json()),
        Fmt::Xml => xml_ok(xml()),
    }
}

/// Early return of an error answer.
macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(r) => return r,
        }
    };
}

// ---------------------------------------------------------------------------- requests

/// Request parameters: the query string, then the body (form, multipart or JSON) over it.
#[derive(Debug, Default)]
struct Params(BTreeMap<String, Value>);

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Params {
    fn merge(&mut self, other: BTreeMap<String, Value>) {
        self.0.extend(other);
    }

    fn str(&self, k: &str) -> Option<String> {
        match self.0.get(k)? {
            Value::Array(a) if a.len() == 1 => scalar(&a[0]),
            v => scalar(v),
        }
    }

    fn has(&self, k: &str) -> bool {
        self.0.contains_key(k)
    }

    /// A boolean flag: true, 1, yes, on.
    fn flag(&self, k: &str) -> bool {
        matches!(
            self.str(k)
                .map(|s| s.trim().to_ascii_lowercase())
                .as_deref(),
            Some("true" | "1" | "yes" | "on")
        )
    }

    /// A parameter that counts when set to anything but false / 0.
    fn set(&self, k: &str) -> bool {
        match self.str(k).map(|s| s.trim().to_ascii_lowercase()) {
            Some(s) => !matches!(s.as_str(), "false" | "0" | "no" | "off"),
            None => self.has(k),
        }
    }

    /// An array parameter (`k[]=1&k[]=2`, a JSON array, or a comma-separated string).
    fn list(&self, k: &str) -> Option<Vec<String>> {
        match self.0.get(k)? {
            Value::Array(a) => Some(a.iter().filter_map(scalar).collect()),
            v => scalar(v).map(|s| {
                s.split(',')
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect()
            }),
        }
    }

    /// `prefix[name]=value` entries, as (name, value).
    fn hash(&self, prefix: &str) -> Vec<(String, Value)> {
        let open = format!("{prefix}[");
        self.0
            .iter()
            .filter_map(|(k, v)| {
                let name = k.strip_prefix(&open)?.strip_suffix(']')?;
                (!name.is_empty() && !name.contains('[')).then(|| (name.to_string(), v.clone()))
            })
            .collect()
    }
}

struct Req {
    method: Method,
    fmt: Fmt,
    segs: Vec<String>,
    headers: HeaderMap,
    params: Params,
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `/checklists/42/tasks.json` → (["checklists", "42", "tasks"], Json).
fn split_path(path: &str) -> Option<(Vec<String>, Fmt)> {
    let mut segs: Vec<String> = path
        .strip_prefix('/')?
        .split('/')
        .map(percent_decode)
        .collect();
    let last = segs.pop()?;
    let (stem, fmt) = if let Some(s) = last.strip_suffix(".json") {
        (s.to_string(), Fmt::Json)
    } else if let Some(s) = last.strip_suffix(".xml") {
        (s.to_string(), Fmt::Xml)
    } else {
        return None;
    };
    segs.push(stem);
    if segs.iter().any(String::is_empty) {
        return None;
    }
    Some((segs, fmt))
}

fn flatten(key: &str, v: Value, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                flatten(&format!("{key}[{k}]"), v, out);
            }
        }
        other => {
            out.insert(key.to_string(), other);
        }
    }
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from >= hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The text fields of a multipart/form-data body (file parts are left out).
fn parse_multipart(content_type: &str, body: &[u8]) -> Result<BTreeMap<String, Value>, String> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_string())
        .filter(|b| !b.is_empty())
        .ok_or("the multipart body has no boundary")?;
    let delim = format!("--{boundary}").into_bytes();
    let mut out = BTreeMap::new();
    let mut at = find(body, &delim, 0).ok_or("the multipart body has no part")?;
    loop {
        let start = at + delim.len();
        if body[start..].starts_with(b"--") {
            break;
        }
        let next = find(body, &delim, start).ok_or("the multipart body is not closed")?;
        let part = &body[start..next];
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let part = part.strip_suffix(b"\r\n").unwrap_or(part);
        let split = find(part, b"\r\n\r\n", 0).ok_or("a multipart part has no headers")?;
        let head = String::from_utf8_lossy(&part[..split]).to_string();
        let content = &part[split + 4..];
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))
            .unwrap_or("");
        let name = disposition
            .split(';')
            .find_map(|p| p.trim().strip_prefix("name="))
            .map(|n| n.trim_matches('"').to_string());
        let is_file = disposition.contains("filename=");
        if let (Some(name), false) = (name, is_file) {
            out.insert(
                name,
                Value::String(String::from_utf8_lossy(content).into_owned()),
            );
        }
        at = next;
    }
    Ok(out)
}

fn body_params(headers: &HeaderMap, body: &Bytes) -> Result<BTreeMap<String, Value>, String> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if ct.to_ascii_lowercase().starts_with("multipart/form-data") {
        return parse_multipart(&ct, body);
    }
    let raw = parse_body(headers, body)?;
    let mut out = BTreeMap::new();
    for (k, v) in raw {
        flatten(&k, v, &mut out);
    }
    Ok(out)
}

async fn handle(State(app): State<Arc<App>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Some((segs, fmt)) = split_path(parts.uri.path()) else {
        return not_found(Fmt::Json, "resource (paths end in .json or .xml)");
    };
    let is_auth = segs.first().map(String::as_str) == Some("auth");
    let bytes = match body::read_capped(body).await {
        Ok(b) => b,
        Err(e) => return err(fmt, StatusCode::PAYLOAD_TOO_LARGE, &e.to_string()),
    };
    let mut params = Params::default();
    if let Some(q) = parts.uri.query() {
        params.merge(parse_form(q.as_bytes()));
    }
    match body_params(&parts.headers, &bytes) {
        Ok(b) => params.merge(b),
        Err(e) if is_auth => return unauthorized(Fmt::Json, &e),
        Err(e) => return bad_request(fmt, &e),
    }
    let mut method = parts.method.clone();
    if method == Method::HEAD {
        method = Method::GET;
    }
    if method == Method::POST {
        match params
            .str("_method")
            .map(|m| m.trim().to_ascii_uppercase())
            .as_deref()
        {
            Some("PUT" | "PATCH") if !app.is(Fault::OverridePutIgnored) => method = Method::PUT,
            Some("DELETE") if !app.is(Fault::OverrideDeleteIgnored) => method = Method::DELETE,
            _ => {}
        }
    }
    // Login and refresh_token name their refusals (401, and the 2-step 422 with its body);
    // every other refusal is left open by the document.
    let documented_refusals = is_auth
        && matches!(
            segs.get(1).map(String::as_str),
            Some("login" | "refresh_token")
        );
    let creates = method == Method::POST
        && match segs.as_slice() {
            [c] => c == "checklists",
            [c, _, last] => c == "checklists" && (last == "tasks" || last == "import"),
            [c, _, t, _, last] => c == "checklists" && t == "tasks" && last == "comments",
            _ => false,
        };
    let req = Req {
        method,
        fmt,
        segs,
        headers: parts.headers,
        params,
    };
    let mut resp = app.route(req).await;
    if creates && resp.status() == StatusCode::OK && app.chose(Variant::Created201) {
        *resp.status_mut() = StatusCode::CREATED;
    }
    if resp.status().is_client_error() && !documented_refusals && app.chose(Variant::HtmlRefusals) {
        return html_refusal(resp);
    }
    resp
}

/// The html-refusals variant's answer for a refusal: an HTML page, 403 for missing or bad
/// credentials; the `Allow` of a 405 is kept.
fn html_refusal(resp: Response) -> Response {
    let status = match resp.status() {
        StatusCode::UNAUTHORIZED => StatusCode::FORBIDDEN,
        s => s,
    };
    let allow = resp.headers().get(header::ALLOW).cloned();
    let mut page = envelope::typed(
        status,
        envelope::HTML_UTF8,
        format!(
            "<!DOCTYPE html>\n<html><head><title>{status}</title></head><body><h1>{status}</h1></body></html>\n"
        ),
    );
    if let Some(a) = allow {
        page.headers_mut().insert(header::ALLOW, a);
    }
    page
}

/// An optional integer parameter within bounds; Err for anything else.
fn int_param(p: &Params, k: &str, lo: u64, hi: u64) -> Result<Option<u64>, String> {
    match p.str(k) {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => match s.trim().parse::<u64>() {
            Ok(n) if (lo..=hi).contains(&n) => Ok(Some(n)),
            _ => Err(format!("{k} must be an integer from {lo} to {hi}")),
        },
    }
}

fn split_tags(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in s.split(',') {
        let t = t.trim();
        if !t.is_empty() && !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    out
}

/// Smart syntax: `#tag`, `!3` (priority), `^due` are taken out of the text.
struct Smart {
    content: String,
    tags: Vec<String>,
    priority: Option<u8>,
    due: Option<String>,
}

fn smart(text: &str) -> Smart {
    let mut s = Smart {
        content: String::new(),
        tags: vec![],
        priority: None,
        due: None,
    };
    let mut kept = Vec::new();
    for tok in text.split_whitespace() {
        if let Some(tag) = tok.strip_prefix('#').filter(|t| !t.is_empty()) {
            if !s.tags.iter().any(|t| t == tag) {
                s.tags.push(tag.to_string());
            }
        } else if let Some(p) = tok
            .strip_prefix('!')
            .and_then(|p| p.parse::<u8>().ok())
            .filter(|p| (1..=9).contains(p))
        {
            s.priority = Some(p);
        } else if let Some(d) = tok.strip_prefix('^').filter(|d| !d.is_empty()) {
            s.due = Some(d.to_string());
        } else {
            kept.push(tok);
        }
    }
    s.content = kept.join(" ");
    s
}

fn union(into: &mut Vec<String>, more: &[String]) {
    for t in more {
        if !into.contains(t) {
            into.push(t.clone());
        }
    }
}

// ---------------------------------------------------------------------------- the API

impl HasSwitches for App {
    type Fault = Fault;
    type Variant = Variant;
    fn switches(&self) -> &Switches<Fault, Variant> {
        &self.switches
    }
}

impl App {
    /// XML, unless `fault` makes this answer JSON.
    fn out(&self, fmt: Fmt, fault: Fault) -> Fmt {
        if fmt == Fmt::Xml && self.is(fault) {
            Fmt::Json
        } else {
            fmt
        }
    }

    async fn route(&self, r: Req) -> Response {
        let segs: Vec<&str> = r.segs.iter().map(String::as_str).collect();
        let fmt = r.fmt;
        let m = r.method.clone();
        let list_id = |s: &str| parse_id(s).ok_or_else(|| not_found(fmt, "checklist"));
        let task_id = |s: &str| parse_id(s).ok_or_else(|| not_found(fmt, "task"));
        match segs.as_slice() {
            ["auth", "login"] if fmt == Fmt::Json => match m {
                Method::GET if !self.is(Fault::LoginGetUnsupported) => self.login(&r).await,
                Method::POST => self.login(&r).await,
                _ if self.is(Fault::LoginGetUnsupported) => not_allowed(fmt, "POST"),
                _ => not_allowed(fmt, "GET, POST"),
            },
            ["auth", "refresh_token"] if fmt == Fmt::Json => match m {
                Method::GET if !self.is(Fault::RefreshGetUnsupported) => self.refresh(&r).await,
                Method::POST if !self.is(Fault::RefreshPostUnsupported) => self.refresh(&r).await,
                _ => not_allowed(fmt, "GET, POST"),
            },
            ["auth", "curr_user"] => match m {
                Method::GET => self.current_user(&r).await,
                _ => not_allowed(fmt, "GET"),
            },
            ["checklists"] => match m {
                Method::GET => self.list_checklists(&r).await,
                Method::POST => self.create_checklist(&r).await,
                _ => not_allowed(fmt, "GET, POST"),
            },
            ["checklists", c] => {
                let c = tri!(list_id(c));
                match m {
                    Method::GET => self.get_checklist(&r, c).await,
                    Method::PUT => self.update_checklist(&r, c).await,
                    Method::DELETE => self.delete_checklist(&r, c).await,
                    _ => not_allowed(fmt, "GET, PUT, DELETE"),
                }
            }
            ["checklists", c, "tasks"] => {
                let c = tri!(list_id(c));
                match m {
                    Method::GET => self.list_tasks(&r, c).await,
                    Method::POST => self.create_task(&r, c).await,
                    _ => not_allowed(fmt, "GET, POST"),
                }
            }
            ["checklists", c, "import"] => match m {
                Method::POST => self.import(&r, c).await,
                _ => not_allowed(fmt, "POST"),
            },
            ["checklists", c, "tasks", t] => {
                let (c, t) = (tri!(list_id(c)), tri!(task_id(t)));
                match m {
                    Method::GET => self.get_task(&r, c, t).await,
                    Method::PUT => self.update_task(&r, c, t).await,
                    Method::DELETE => self.delete_task(&r, c, t).await,
                    _ => not_allowed(fmt, "GET, PUT, DELETE"),
                }
            }
            ["checklists", c, "tasks", t, action] => {
                let (c, t) = (tri!(list_id(c)), tri!(task_id(t)));
                match (*action, m) {
                    ("comments", Method::GET) => self.list_notes(&r, c, t).await,
                    ("comments", Method::POST) => self.create_note(&r, c, t).await,
                    ("comments", _) => not_allowed(fmt, "GET, POST"),
                    ("tags", Method::POST) => self.set_tags(&r, c, t).await,
                    ("repeat", Method::POST) => self.repeat(&r, c, t).await,
                    ("close" | "invalidate" | "reopen", Method::POST) => {
                        self.change_status(&r, c, t, action).await
                    }
                    ("tags" | "repeat" | "close" | "invalidate" | "reopen", _) => {
                        not_allowed(fmt, "POST")
                    }
                    _ => not_found(fmt, "action"),
                }
            }
            ["checklists", c, "tasks", t, "comments", n] => {
                let (c, t) = (tri!(list_id(c)), tri!(task_id(t)));
                let Some(n) = parse_id(n) else {
                    return not_found(fmt, "note");
                };
                match m {
                    Method::PUT => self.update_note(&r, c, t, n).await,
                    Method::DELETE => self.delete_note(&r, c, t, n).await,
                    _ => not_allowed(fmt, "PUT, DELETE"),
                }
            }
            _ => not_found(fmt, "resource"),
        }
    }

    // ------------------------------------------------------------------ authentication

    /// The calling user: Ok(None) when no credentials are presented; 401 when the presented
    /// ones are wrong (unknown or expired token, bad basic credentials).
    fn who(&self, st: &Store, r: &Req) -> Result<Option<u64>, Response> {
        let fmt = r.fmt;
        let header_token = r
            .headers
            .get("x-client-token")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|t| !t.is_empty() && !self.is(Fault::TokenHeaderIgnored));
        let param_token = r.params.str("token");
        let param_token = param_token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty() && !self.is(Fault::TokenParamIgnored));
        if let Some(token) = header_token.or(param_token) {
            return match st.tokens.get(token) {
                Some(t)
                    if time::now_secs() - t.issued > TOKEN_VALID_SECS
                        && !self.is(Fault::ExpiredTokenAccepted) =>
                {
                    Err(unauthorized(fmt, "the token has expired; refresh it"))
                }
                Some(t) => Ok(Some(t.user)),
                None if self.is(Fault::InvalidTokenAccepted) => Ok(Some(MAIN_USER)),
                None => Err(unauthorized(fmt, "invalid token")),
            };
        }
        let basic = r
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(encoding::basic_credentials);
        if let Some((login, password)) = basic {
            let (login, password) = (login.as_str(), password.as_str());
            let Some(user) = st.user_by_login(login) else {
                return Err(unauthorized(fmt, "bad credentials"));
            };
            let ok = (!password.is_empty()
                && password == user.remote_key
                && !self.is(Fault::BasicRemoteKeyRefused))
                || (!password.is_empty()
                    && password == user.password
                    && !self.is(Fault::BasicPasswordRefused))
                || self.is(Fault::BasicWrongPasswordAccepted);
            return if ok {
                Ok(Some(user.id))
            } else {
                Err(unauthorized(fmt, "bad credentials"))
            };
        }
        Ok(None)
    }

    fn who_required(&self, st: &Store, r: &Req) -> Result<u64, Response> {
        self.who(st, r)?
            .ok_or_else(|| unauthorized(r.fmt, "authentication required"))
    }

    /// The access of the list's user: its author, or, in the shared-lists variant, a writer or
    /// reader of some seeded lists.
    fn owner_access(&self, list: u64) -> Access {
        let shared = self.chose(Variant::SharedLists) && (1..=self.seeded).contains(&list);
        match list % 4 {
            _ if self.is(Fault::CreatorIsReader) => Access {
                role: 3,
                read_only: true,
            },
            2 if shared => Access {
                role: 2,
                read_only: false,
            },
            3 if shared => Access {
                role: 3,
                read_only: true,
            },
            _ => Access {
                role: 1,
                read_only: false,
            },
        }
    }

    fn read_access(&self, fmt: Fmt, list: &List, who: Option<u64>) -> Result<Access, Response> {
        let reader = Access {
            role: 3,
            read_only: true,
        };
        match who {
            Some(u) if u == list.owner => Ok(self.owner_access(list.id)),
            None if list.public && self.is(Fault::PublicListsClosed) => {
                Err(unauthorized(fmt, "authentication required"))
            }
            _ if list.public => Ok(reader),
            None if self.is(Fault::PrivateListsOpen) => Ok(reader),
            None => Err(unauthorized(fmt, "authentication required")),
            Some(_) => Err(err(fmt, StatusCode::FORBIDDEN, "no access to this list")),
        }
    }

    fn write_access(&self, fmt: Fmt, list: &List, who: Option<u64>) -> Result<(), Response> {
        let shared_reader = self.chose(Variant::SharedLists)
            && self.owner_access(list.id).read_only
            && !self.is(Fault::CreatorIsReader);
        match who {
            Some(u) if u == list.owner && !shared_reader => Ok(()),
            None if list.public && self.is(Fault::AnonymousWritesPublic) => Ok(()),
            None => Err(unauthorized(fmt, "authentication required")),
            Some(_) => Err(err(
                fmt,
                StatusCode::FORBIDDEN,
                "this list is read-only for you",
            )),
        }
    }

    async fn login(&self, r: &Req) -> Response {
        let fmt = Fmt::Json;
        let username = r.params.str("username").unwrap_or_default();
        let key = r.params.str("remote_key").unwrap_or_default();
        let code = r.params.str("token2fa").filter(|c| !c.trim().is_empty());
        let mut st = self.store.write().await;
        let now = time::now_secs();
        let Some(user) = st.user_by_login(&username).cloned() else {
            return if self.is(Fault::LoginUnknownUser404) {
                not_found(fmt, "user")
            } else {
                unauthorized(fmt, "authentication failed")
            };
        };
        let by_key = !key.is_empty() && key == user.remote_key;
        let by_password =
            !key.is_empty() && key == user.password && !self.is(Fault::LoginPasswordRefused);
        if !by_key && !by_password {
            return if self.is(Fault::LoginWrongKey403) {
                err(fmt, StatusCode::FORBIDDEN, "authentication failed")
            } else {
                unauthorized(fmt, "authentication failed")
            };
        }
        if let Some(valid) = &user.twofa_code {
            let needs_code = by_password
                || self.is(Fault::TwofaRemoteKeyNeedsCode)
                || self.chose(Variant::TwofaCodeAlways);
            let refusal = match code.as_deref() {
                None if !self.is(Fault::TwofaNotEnforced) => {
                    Some("2-step verification is enabled: the token2fa code is missing")
                }
                Some(c) if c.trim() != valid && !self.is(Fault::TwofaCodeUnchecked) => {
                    Some("2-step verification is enabled: the token2fa code is wrong")
                }
                _ => None,
            };
            if let (true, Some(msg)) = (needs_code, refusal) {
                return if self.is(Fault::TwofaErrorNotJson) {
                    (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                        msg,
                    )
                        .into_response()
                } else {
                    err(fmt, StatusCode::UNPROCESSABLE_ENTITY, msg)
                };
            }
        }
        if r.method == Method::POST
            && self.is(Fault::LoginPostSecondSessionRefused)
            && st
                .tokens
                .values()
                .any(|t| t.user == user.id && !t.pinned && now - t.issued <= TOKEN_VALID_SECS)
        {
            return unauthorized(fmt, "authentication failed: a session is already open");
        }
        let token = st.mint_token(user.id, now);
        json_ok(json!({ "token": token }))
    }

    async fn refresh(&self, r: &Req) -> Response {
        let fmt = Fmt::Json;
        let bad = || {
            if self.is(Fault::RefreshBadToken403) {
                err(fmt, StatusCode::FORBIDDEN, "bad old_token")
            } else {
                unauthorized(fmt, "bad old_token")
            }
        };
        let old = r.params.str("old_token").unwrap_or_default();
        let old = old.trim();
        let mut st = self.store.write().await;
        let now = time::now_secs();
        let Some(tok) = st.tokens.get(old).cloned() else {
            return bad();
        };
        let age = now - tok.issued;
        if age > TOKEN_REFRESHABLE_SECS
            || (age > TOKEN_VALID_SECS && self.is(Fault::RefreshExpiredRefused))
        {
            return bad();
        }
        if self.is(Fault::RefreshSameToken) {
            return json_ok(json!({ "token": old }));
        }
        let new = st.mint_token(tok.user, now);
        if !tok.pinned && !self.is(Fault::RefreshOldTokenKept) {
            st.tokens.remove(old);
        }
        json_ok(json!({ "token": new }))
    }

    async fn current_user(&self, r: &Req) -> Response {
        let fmt = self.out(r.fmt, Fault::CurrentUserXmlAsJson);
        let st = self.store.read().await;
        let uid = tri!(self.who_required(&st, r));
        let Some(user) = st.user(uid) else {
            return not_found(fmt, "user");
        };
        answer(
            fmt,
            || render::user_json(self.switches, user),
            || render::user_xml(user),
        )
    }

    // ------------------------------------------------------------------ checklists

    async fn list_checklists(&self, r: &Req) -> Response {
        let fmt = self.out(r.fmt, Fault::ChecklistsXmlAsJson);
        let st = self.store.read().await;
        let uid = tri!(self.who_required(&st, r));
        let archived = r.params.flag("archived");
        let skip = r.params.flag("skip_stats");
        let stats_shown =
            (!skip || self.is(Fault::SkipStatsIgnored)) && !self.is(Fault::StatsMissing);
        let mut lists = st.lists_of(uid, stats_shown);
        let want_archived = archived && !self.is(Fault::ArchivedIgnored);
        lists.retain(|l| match (want_archived, self.switches.variant) {
            // archived=true adds the archived lists to the others.
            (true, Some(Variant::ArchivedTrueAdds)) => true,
            (true, _) => l.archived,
            (false, Some(Variant::ArchivedByDefault)) => true,
            (false, _) => !l.archived || self.is(Fault::ArchivedListedByDefault),
        });
        let order = r.params.str("order").unwrap_or_default();
        match order.trim() {
            "id:asc" if !self.is(Fault::ChecklistOrderIdAscIgnored) => lists.sort_by_key(|l| l.id),
            "id:desc" if !self.is(Fault::ChecklistOrderIdDescIgnored) => {
                lists.sort_by_key(|l| std::cmp::Reverse(l.id))
            }
            "updated_at:asc" if !self.is(Fault::ChecklistOrderUpdatedAscIgnored) => {
                lists.sort_by_key(|l| (l.updated_at, l.id))
            }
            _ if self.is(Fault::DefaultOrderOldestFirst) => {
                lists.sort_by_key(|l| (l.updated_at, l.id))
            }
            // The user's UI sorts by name.
            _ if self.chose(Variant::UiSortedByName) => {
                lists.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)))
            }
            _ => lists.sort_by_key(|l| std::cmp::Reverse((l.updated_at, l.id))),
        }
        answer(
            fmt,
            || {
                Value::Array(
                    lists
                        .iter()
                        .map(|l| {
                            render::checklist_json(self.switches, l, self.owner_access(l.id), skip)
                        })
                        .collect(),
                )
            },
            || {
                let mut out = String::from(render::XML_HEAD);
                out.push_str("<checklists type=\"array\">\n");
                for l in &lists {
                    render::checklist_xml(
                        self.switches,
                        &mut out,
                        l,
                        self.owner_access(l.id),
                        skip,
                    );
                }
                out.push_str("</checklists>\n");
                out
            },
        )
    }

    fn checklist_answer(&self, fmt: Fmt, list: &List, access: Access, skip: bool) -> Response {
        answer(
            fmt,
            || render::checklist_json(self.switches, list, access, skip),
            || {
                let mut out = String::from(render::XML_HEAD);
                render::checklist_xml(self.switches, &mut out, list, access, skip);
                out
            },
        )
    }

    async fn get_checklist(&self, r: &Req, id: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::ChecklistXmlAsJson);
        let st = self.store.read().await;
        let who = tri!(self.who(&st, r));
        let Some(list) = st.list(id) else {
            return not_found(fmt, "checklist");
        };
        let access = tri!(self.read_access(fmt, &list, who));
        let skip = r.params.flag("skip_stats");
        if self.is(Fault::ChecklistGetNameEmpty) {
            let mut shown = list.into_owned();
            shown.name.clear();
            return self.checklist_answer(fmt, &shown, access, skip);
        }
        self.checklist_answer(fmt, &list, access, skip)
    }

    /// checklist[public]: Ok(None) when not given.
    fn public_param(&self, fmt: Fmt, p: &Params) -> Result<Option<bool>, Response> {
        if self.is(Fault::PublicFlagIgnored) {
            return Ok(None);
        }
        let Some(v) = p.str("checklist[public]") else {
            return Ok(None);
        };
        if self.is(Fault::PublicZeroIsTrue) {
            return Ok(Some(true));
        }
        match v.trim().to_ascii_lowercase().as_str() {
            "1" | "true" => Ok(Some(true)),
            "0" | "false" | "" => Ok(Some(false)),
            _ => Err(bad_request(fmt, "checklist[public] must be 0 or 1")),
        }
    }

    async fn create_checklist(&self, r: &Req) -> Response {
        let fmt = self.out(r.fmt, Fault::ChecklistXmlAsJson);
        let mut st = self.store.write().await;
        let uid = tri!(self.who_required(&st, r));
        let name = r.params.str("checklist[name]").unwrap_or_default();
        if name.trim().is_empty() {
            return bad_request(fmt, "checklist[name] is required");
        }
        let public = tri!(self.public_param(fmt, &r.params)).unwrap_or(false);
        let id = st.new_list_id();
        let list = List {
            id,
            owner: uid,
            name,
            public,
            archived: false,
            tags: vec![],
            updated_at: time::now_secs(),
            tasks: BTreeMap::new(),
            children: Default::default(),
            notes: BTreeMap::new(),
            deleted: false,
        };
        let resp = self.checklist_answer(fmt, &list, self.owner_access(id), false);
        st.lists.insert(id, list);
        resp
    }

    async fn update_checklist(&self, r: &Req, id: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::ChecklistXmlAsJson);
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let public = tri!(self.public_param(fmt, &r.params));
        let name = r.params.str("checklist[name]");
        if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            return bad_request(fmt, "checklist[name] cannot be empty");
        }
        let Some(list) = st.list_mut(id) else {
            return not_found(fmt, "checklist");
        };
        tri!(self.write_access(fmt, list, who));
        let access = match who {
            Some(u) if u == list.owner => self.owner_access(list.id),
            _ => Access {
                role: 3,
                read_only: true,
            },
        };
        let before = list.clone();
        let mut next = list.clone();
        if let Some(n) = name {
            next.name = n;
        }
        if let Some(p) = public {
            next.public = p;
        }
        next.updated_at = time::now_secs();
        let shown = if self.is(Fault::ChecklistUpdateReturnsOld) {
            &before
        } else {
            &next
        };
        let resp = self.checklist_answer(fmt, shown, access, false);
        if !self.is(Fault::ChecklistUpdateNotStored) {
            *list = next;
        }
        resp
    }

    async fn delete_checklist(&self, r: &Req, id: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::ChecklistXmlAsJson);
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let Some(list) = st.list_mut(id) else {
            return not_found(fmt, "checklist");
        };
        tri!(self.write_access(fmt, list, who));
        let access = self.owner_access(list.id);
        list.deleted = true;
        if self.is(Fault::ChecklistDeleteEmpty) {
            return answer(
                fmt,
                || json!({}),
                || format!("{}<checklist></checklist>\n", render::XML_HEAD),
            );
        }
        let resp = self.checklist_answer(fmt, list, access, false);
        // The list is only marked for deletion; its tasks go with it.
        list.tasks.clear();
        list.children.clear();
        list.notes.clear();
        resp
    }

    // ------------------------------------------------------------------ tasks: reading

    async fn list_tasks(&self, r: &Req, id: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::TasksXmlAsJson);
        let st = self.store.read().await;
        let who = tri!(self.who(&st, r));
        let Some(list) = st.list(id) else {
            return not_found(fmt, "checklist");
        };
        tri!(self.read_access(fmt, &list, who));
        let with_notes = r.params.set("with_notes") && !self.is(Fault::WithNotesIgnored);
        let view = View::new(&list, self.switches);
        let mut tasks: Vec<&Task> = list.tasks.values().collect();
        let order = r.params.str("order").unwrap_or_default();
        match order.trim() {
            "id:asc" if !self.is(Fault::TaskOrderIdAscIgnored) => tasks.sort_by_key(|t| t.id),
            "id:desc" if !self.is(Fault::TaskOrderIdDescIgnored) => {
                tasks.sort_by_key(|t| std::cmp::Reverse(t.id))
            }
            "updated_at:asc" if !self.is(Fault::TaskOrderUpdatedAscIgnored) => {
                tasks.sort_by_key(|t| (t.updated_at.unwrap_or(i64::MIN), t.id))
            }
            _ if self.is(Fault::TasksById) => tasks.sort_by_key(|t| t.id),
            _ => tasks.sort_by_key(|t| (t.parent, view.pos(t.id))),
        }
        if fmt == Fmt::Json && self.is(Fault::DeletedFalseListed) {
            let listed = tasks.iter().map(|t| {
                let mut v = view.task_json(t, with_notes, false);
                v["deleted"] = json!(false);
                v
            });
            return json_ok(Value::Array(listed.collect()));
        }
        self.tasks_answer(fmt, &view, &tasks, with_notes, false)
    }

    fn tasks_answer(
        &self,
        fmt: Fmt,
        view: &View,
        tasks: &[&Task],
        with_notes: bool,
        deleted: bool,
    ) -> Response {
        answer(
            fmt,
            || {
                Value::Array(
                    tasks
                        .iter()
                        .map(|t| view.task_json(t, with_notes, deleted))
                        .collect(),
                )
            },
            || render::tasks_xml(view, tasks, with_notes, deleted),
        )
    }

    fn task_answer(
        &self,
        fmt: Fmt,
        view: &View,
        t: &Task,
        with_notes: bool,
        deleted: bool,
    ) -> Response {
        answer(
            fmt,
            || view.task_json(t, with_notes, deleted),
            || render::task_xml_doc(view, t, with_notes, deleted),
        )
    }

    async fn get_task(&self, r: &Req, id: u64, tid: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::TaskXmlAsJson);
        let st = self.store.read().await;
        let who = tri!(self.who(&st, r));
        let Some(list) = st.list(id) else {
            return not_found(fmt, "checklist");
        };
        tri!(self.read_access(fmt, &list, who));
        if !list.tasks.contains_key(&tid) {
            return not_found(fmt, "task");
        }
        let chain = if self.is(Fault::GetTaskWithoutParents) {
            vec![tid]
        } else {
            list.chain(tid)
        };
        let with_notes = r.params.set("with_notes") && !self.is(Fault::WithNotesIgnored);
        let view = View::new(&list, self.switches);
        let tasks: Vec<&Task> = chain.iter().filter_map(|i| list.tasks.get(i)).collect();
        self.tasks_answer(fmt, &view, &tasks, with_notes, false)
    }

    // ------------------------------------------------------------------ tasks: writing

    /// The tags a create / update sets: `task[tags]` (a comma-separated string or a hash),
    /// or `task[tags_as_text]`; None when neither is given. (`plain` and `hash_or_text` say
    /// which forms are honoured.)
    fn tags_param(p: &Params, plain: bool, hash_or_text: bool) -> Option<Vec<String>> {
        let hash = p.hash("task[tags]");
        if hash_or_text && !hash.is_empty() {
            return Some(hash.into_iter().map(|(k, _)| k).collect());
        }
        if plain {
            if let Some(s) = p.str("task[tags]") {
                return Some(split_tags(&s));
            }
        }
        if hash_or_text {
            if let Some(s) = p.str("task[tags_as_text]") {
                return Some(split_tags(&s));
            }
        }
        None
    }

    async fn create_task(&self, r: &Req, id: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::TaskWritesXmlAsJson);
        let p = &r.params;
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let Some(content) = p.str("task[content]") else {
            return bad_request(fmt, "task[content] is required");
        };
        let parent =
            tri!(int_param(p, "task[parent_id]", 0, u64::MAX).map_err(|e| bad_request(fmt, &e)))
                .unwrap_or(0);
        let position =
            tri!(int_param(p, "task[position]", 1, u64::MAX).map_err(|e| bad_request(fmt, &e)));
        let status = tri!(int_param(p, "task[status]", 0, 2).map_err(|e| bad_request(fmt, &e)));
        let priority = tri!(int_param(p, "task[priority]", 0, 9).map_err(|e| bad_request(fmt, &e)));
        let tags = Self::tags_param(p, true, true);
        let due = p.str("task[due_date]").filter(|d| !d.trim().is_empty());
        let username = st.username(who.unwrap_or(MAIN_USER));
        let tid = st.new_task_id();
        let Some(list) = st.list_mut(id) else {
            return not_found(fmt, "checklist");
        };
        tri!(self.write_access(fmt, list, who));
        let parent = if self.is(Fault::CreateParentIgnored) {
            0
        } else {
            parent
        };
        if parent != 0 && !list.tasks.contains_key(&parent) {
            return bad_request(fmt, "task[parent_id] is not a task of this list");
        }
        let position = if self.is(Fault::CreatePositionIgnored) {
            None
        } else {
            position.map(|p| p.min(usize::MAX as u64) as usize)
        };
        let position = match position {
            None if self.is(Fault::CreateDefaultAtBeginning) => Some(1),
            p => p,
        };
        let now = time::now_secs();
        let task = Task {
            id: tid,
            parent,
            content,
            status: match status {
                _ if self.is(Fault::CreateStatusIgnored) => 0,
                None if self.is(Fault::NewTaskClosed) => 1,
                s => s.unwrap_or(0) as u8,
            },
            priority: if self.is(Fault::CreatePriorityIgnored) {
                0
            } else {
                priority.unwrap_or(0) as u8
            },
            tags: if self.is(Fault::CreateTagsIgnored) {
                vec![]
            } else {
                tags.unwrap_or_default()
            },
            assignees: vec![],
            due,
            repeat: None,
            created_at: now,
            updated_at: Some(now),
            update_line: format!("created by {username}"),
        };
        list.tasks.insert(tid, task);
        list.place(tid, parent, position);
        list.updated_at = now;
        let view = View::new(list, self.switches);
        let Some(t) = list.tasks.get(&tid) else {
            return not_found(fmt, "task");
        };
        self.task_answer(fmt, &view, t, false, false)
    }

    async fn import(&self, r: &Req, target: &str) -> Response {
        let fmt = self.out(r.fmt, Fault::TaskWritesXmlAsJson);
        let p = &r.params;
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let id = if let Some(tag) = target.strip_prefix("tag:") {
            let Some(uid) = who else {
                return unauthorized(fmt, "authentication required");
            };
            match st.list_tagged(uid, tag) {
                Some(id) => id,
                None => return not_found(fmt, "checklist tagged so"),
            }
        } else {
            match parse_id(target) {
                Some(id) => id,
                None => return not_found(fmt, "checklist"),
            }
        };
        let Some(text) = p.str("import_content") else {
            return bad_request(fmt, "import_content is required");
        };
        let parent = tri!(int_param(p, "parent_id", 0, u64::MAX).map_err(|e| bad_request(fmt, &e)))
            .unwrap_or(0);
        let position =
            tri!(int_param(p, "position", 1, u64::MAX).map_err(|e| bad_request(fmt, &e)));
        let status = tri!(int_param(p, "status", 0, 2).map_err(|e| bad_request(fmt, &e)));
        let parse = p.has("parse_tasks") && !self.is(Fault::ImportParseIgnored);
        let note = p
            .str("import_content_note")
            .filter(|n| !n.trim().is_empty() && !self.is(Fault::ImportNoteIgnored));
        let replace = p.set("replace_existing") && !self.is(Fault::ImportReplaceIgnored);
        let sep = p.str("separate_with_empty_line").filter(|s| !s.is_empty());
        let text = text.replace("\r\n", "\n");
        // (indentation, text) of each item.
        // One item, one per paragraph, or one per line.
        let mode = match sep.as_deref() {
            Some("singleItem") if self.is(Fault::ImportSingleItemIgnored) => 'l',
            Some("singleItem") => 's',
            Some(_) if self.is(Fault::ImportEmptyLineIgnored) => 'l',
            Some(_) => 'p',
            None => 'l',
        };
        let items: Vec<(usize, String)> = match mode {
            's' => {
                let t = text.trim();
                if t.is_empty() {
                    vec![]
                } else {
                    vec![(0, t.to_string())]
                }
            }
            'p' => {
                let mut out = Vec::new();
                let mut cur: Vec<&str> = Vec::new();
                for line in text.lines().chain(std::iter::once("")) {
                    if line.trim().is_empty() {
                        if !cur.is_empty() {
                            out.push((0, cur.join("\n")));
                            cur.clear();
                        }
                    } else {
                        cur.push(line.trim());
                    }
                }
                out
            }
            _ => text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    let tabs_only = self.chose(Variant::ImportTabs);
                    let indent: usize = l
                        .chars()
                        .take_while(|c| c.is_whitespace())
                        .map(|c| match c {
                            '\t' => 4,
                            _ if tabs_only => 0,
                            _ => 1,
                        })
                        .sum();
                    let indent = if self.is(Fault::ImportFlat) {
                        0
                    } else {
                        indent
                    };
                    (indent, l.trim().to_string())
                })
                .collect(),
        };
        let uid = who.unwrap_or(MAIN_USER);
        let username = st.username(uid);
        let ids: Vec<u64> = items.iter().map(|_| st.new_task_id()).collect();
        let note_id = st.new_note_id();
        let Some(list) = st.list_mut(id) else {
            return not_found(fmt, "checklist");
        };
        tri!(self.write_access(fmt, list, who));
        let parent = if self.is(Fault::ImportParentIgnored) {
            0
        } else {
            parent
        };
        if parent != 0 && !list.tasks.contains_key(&parent) {
            return bad_request(fmt, "parent_id is not a task of this list");
        }
        if replace {
            if parent != 0 {
                return bad_request(fmt, "parent_id cannot be used with replace_existing");
            }
            list.tasks.clear();
            list.children.clear();
            list.notes.clear();
        }
        let first_at: Option<usize> = match position {
            Some(p) if !self.is(Fault::ImportPositionIgnored) => {
                Some(p.min(usize::MAX as u64) as usize)
            }
            _ if self.is(Fault::ImportAtEnd) => None,
            _ => Some(1),
        };
        let now = time::now_secs();
        let mut stack: Vec<(usize, u64)> = Vec::new();
        let mut top = 0usize;
        for (i, ((indent, text), tid)) in items.into_iter().zip(ids.iter().copied()).enumerate() {
            while stack.last().is_some_and(|(d, _)| *d >= indent) {
                stack.pop();
            }
            let (under, at) = match stack.last() {
                Some((_, pid)) => (*pid, None),
                None => {
                    let at = first_at.map(|f| f.saturating_add(top));
                    top += 1;
                    (parent, at)
                }
            };
            let s = if parse {
                smart(&text)
            } else {
                Smart {
                    content: text,
                    tags: vec![],
                    priority: None,
                    due: None,
                }
            };
            let task = Task {
                id: tid,
                parent: under,
                content: s.content,
                status: match (i, status) {
                    (0, Some(st)) if !self.is(Fault::ImportStatusIgnored) => st as u8,
                    _ => 0,
                },
                priority: s.priority.unwrap_or(0),
                tags: s.tags,
                assignees: vec![],
                due: s.due,
                repeat: None,
                created_at: now,
                updated_at: Some(now),
                update_line: format!("created by {username}"),
            };
            list.tasks.insert(tid, task);
            list.place(tid, under, at);
            stack.push((indent, tid));
        }
        if let (Some(first), Some(comment)) = (ids.first(), note) {
            list.notes.insert(
                note_id,
                Note {
                    id: note_id,
                    task: *first,
                    comment,
                    user_id: uid,
                    username,
                    created_at: now,
                    updated_at: Some(now),
                },
            );
        }
        list.updated_at = now;
        let view = View::new(list, self.switches);
        let tasks: Vec<&Task> = ids.iter().filter_map(|i| list.tasks.get(i)).collect();
        self.tasks_answer(fmt, &view, &tasks, false, false)
    }

    async fn update_task(&self, r: &Req, id: u64, tid: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::TaskWritesXmlAsJson);
        let p = &r.params;
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let bad = |e: String| bad_request(fmt, &e);
        let new_parent = tri!(int_param(p, "task[parent_id]", 0, u64::MAX).map_err(bad));
        let position = tri!(int_param(p, "task[position]", 1, u64::MAX).map_err(bad));
        let priority = tri!(int_param(p, "task[priority]", 0, 9).map_err(bad));
        let status = tri!(int_param(p, "task[status]", 0, 2).map_err(bad));
        let assignees = match p.list("task[assignee_ids]") {
            None => None,
            Some(ids) => {
                let parsed: Option<Vec<u64>> = ids.iter().map(|s| s.trim().parse().ok()).collect();
                match parsed {
                    Some(v) => Some(v),
                    None => return bad_request(fmt, "task[assignee_ids] must be user ids"),
                }
            }
        };
        let tags = Self::tags_param(p, true, !self.is(Fault::UpdateTagsHashIgnored));
        let username = st.username(who.unwrap_or(MAIN_USER));
        let Some(list) = st.list_mut(id) else {
            return not_found(fmt, "checklist");
        };
        tri!(self.write_access(fmt, list, who));
        let mut work = list.clone();
        let Some(task) = work.tasks.get_mut(&tid) else {
            return not_found(fmt, "task");
        };
        if let Some(c) = p.str("task[content]") {
            task.content = c;
        }
        if let Some(t) = tags {
            if self.is(Fault::UpdateTagsMerged) {
                union(&mut task.tags, &t);
            } else {
                task.tags = t;
            }
        }
        if p.flag("parse") && !self.is(Fault::UpdateParseIgnored) {
            let s = smart(&task.content);
            task.content = s.content;
            union(&mut task.tags, &s.tags);
            if s.due.is_some() {
                task.due = s.due;
            }
        }
        if let Some(d) = p.str("task[due_date]") {
            task.due = Some(d).filter(|d| !d.trim().is_empty());
        }
        match priority {
            Some(0) if self.is(Fault::PriorityZeroIgnored) => {}
            Some(n) => task.priority = n as u8,
            None => {}
        }
        if let Some(a) = assignees.filter(|_| !self.is(Fault::UpdateAssigneesIgnored)) {
            task.assignees = a;
        }
        if let (Some(s), true) = (status, self.is(Fault::UpdateChangesStatus)) {
            task.status = s as u8;
        }
        let now = time::now_secs();
        task.updated_at = Some(now);
        task.update_line = format!("updated by {username}");
        let old_parent = task.parent;
        let new_parent = new_parent.filter(|_| !self.is(Fault::UpdateParentIgnored));
        let position = position
            .filter(|_| !self.is(Fault::UpdatePositionIgnored))
            .map(|p| p.min(usize::MAX as u64) as usize);
        if let Some(np) = new_parent {
            if np != 0 && (!work.tasks.contains_key(&np) || work.is_ancestor_or_self(tid, np)) {
                return bad_request(fmt, "task[parent_id] is not a possible parent of this task");
            }
        }
        let moved_parent = new_parent.unwrap_or(old_parent);
        if moved_parent != old_parent || position.is_some() {
            work.unplace(tid, old_parent);
            work.place(tid, moved_parent, position);
            if let Some(t) = work.tasks.get_mut(&tid) {
                t.parent = moved_parent;
            }
        }
        work.updated_at = now;
        let with_notes = p.set("with_notes") && !self.is(Fault::WithNotesIgnored);
        let resp = {
            let view = View::new(&work, self.switches);
            match work.tasks.get(&tid) {
                Some(t) => self.task_answer(fmt, &view, t, with_notes, false),
                None => not_found(fmt, "task"),
            }
        };
        if !self.is(Fault::UpdateNotStored) {
            *list = work;
        }
        resp
    }

    async fn set_tags(&self, r: &Req, id: u64, tid: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::TaskWritesXmlAsJson);
        let p = &r.params;
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let Some(list) = st.list_mut(id) else {
            return not_found(fmt, "checklist");
        };
        tri!(self.write_access(fmt, list, who));
        if !list.tasks.contains_key(&tid) {
            return not_found(fmt, "task");
        }
        let mut ids = vec![tid];
        if !self.is(Fault::TagsTaskIdsIgnored) {
            for extra in p.list("task_ids").unwrap_or_default() {
                match extra.trim().parse::<u64>() {
                    Ok(x) if list.tasks.contains_key(&x) => {
                        if !ids.contains(&x) {
                            ids.push(x)
                        }
                    }
                    _ => {
                        return bad_request(
                            fmt,
                            "task_ids holds an id that is not a task of this list",
                        )
                    }
                }
            }
        }
        let delete = p.str("delete_tag").filter(|t| !t.trim().is_empty());
        let set: Option<Vec<String>> = p.str("tags").map(|s| {
            let parts: Vec<String> = if self.is(Fault::TagsSplitOnComma) {
                s.split(',').map(|t| t.trim().to_string()).collect()
            } else {
                s.split_whitespace().map(str::to_string).collect()
            };
            let mut out = Vec::new();
            union(
                &mut out,
                &parts
                    .into_iter()
                    .filter(|t| !t.is_empty())
                    .collect::<Vec<_>>(),
            );
            out
        });
        if delete.is_none() && set.is_none() {
            return bad_request(fmt, "give delete_tag or tags");
        }
        let now = time::now_secs();
        let before: Vec<Task> = ids
            .iter()
            .filter_map(|i| list.tasks.get(i).cloned())
            .collect();
        for i in &ids {
            if let Some(t) = list.tasks.get_mut(i) {
                match (&delete, &set) {
                    (Some(_), _) if self.is(Fault::DeleteTagClearsAll) => t.tags.clear(),
                    (Some(d), _) => t.tags.retain(|x| x != d.trim()),
                    (None, Some(s)) => t.tags = s.clone(),
                    (None, None) => {}
                }
                t.updated_at = Some(now);
            }
        }
        list.updated_at = now;
        let view = View::new(list, self.switches);
        let tasks: Vec<&Task> = if self.is(Fault::TagsAnswerBeforeChange) {
            before.iter().collect()
        } else {
            ids.iter().filter_map(|i| list.tasks.get(i)).collect()
        };
        self.tasks_answer(fmt, &view, &tasks, false, false)
    }

    async fn change_status(&self, r: &Req, id: u64, tid: u64, action: &str) -> Response {
        let fmt = self.out(r.fmt, Fault::TaskWritesXmlAsJson);
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let Some(list) = st.list_mut(id) else {
            return not_found(fmt, "checklist");
        };
        tri!(self.write_access(fmt, list, who));
        if !list.tasks.contains_key(&tid) {
            return not_found(fmt, "task");
        }
        let new = match action {
            "close" => Some(1),
            "invalidate" if self.is(Fault::InvalidateCloses) => Some(1),
            "invalidate" => Some(2),
            _ if self.is(Fault::ReopenIgnored) => None,
            _ => Some(0),
        };
        let descendants = list.preorder(tid);
        let mut changed = vec![tid];
        if !self.is(Fault::NoCascade) {
            changed.extend(descendants.iter().copied());
        }
        let now = time::now_secs();
        for i in &changed {
            if let Some(t) = list.tasks.get_mut(i) {
                if let Some(s) = new {
                    t.status = s;
                }
                t.updated_at = Some(now);
            }
        }
        list.updated_at = now;
        let mut shown = vec![tid];
        if !self.is(Fault::ChildrenNotReturned) {
            shown.extend(descendants);
        }
        let view = View::new(list, self.switches);
        let tasks: Vec<&Task> = shown.iter().filter_map(|i| list.tasks.get(i)).collect();
        self.tasks_answer(fmt, &view, &tasks, false, false)
    }

    async fn repeat(&self, r: &Req, id: u64, tid: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::TaskWritesXmlAsJson);
        let p = &r.params;
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let period = p.str("repeat[period]").unwrap_or_default();
        if !matches!(period.as_str(), "daily" | "weekly" | "monthly" | "yearly") {
            return bad_request(
                fmt,
                "repeat[period] must be daily, weekly, monthly or yearly",
            );
        }
        let count =
            tri!(int_param(p, "repeat[period_count]", 1, 10_000).map_err(|e| bad_request(fmt, &e)))
                .unwrap_or(1);
        let Some(list) = st.list_mut(id) else {
            return not_found(fmt, "checklist");
        };
        tri!(self.write_access(fmt, list, who));
        let now = time::now_secs();
        let Some(t) = list.tasks.get_mut(&tid) else {
            return not_found(fmt, "task");
        };
        t.repeat = Some(json!({
            "period": period,
            "period_count": count,
            "start_date": p.str("repeat[start_date]"),
            "end_date": p.str("repeat[end_date]"),
        }));
        t.updated_at = Some(now);
        list.updated_at = now;
        let view = View::new(list, self.switches);
        let Some(t) = list.tasks.get(&tid) else {
            return not_found(fmt, "task");
        };
        if self.is(Fault::RepeatReturnsList) {
            return self.tasks_answer(fmt, &view, &[t], false, false);
        }
        self.task_answer(fmt, &view, t, false, false)
    }

    async fn delete_task(&self, r: &Req, id: u64, tid: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::TaskWritesXmlAsJson);
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let Some(list) = st.list_mut(id) else {
            return not_found(fmt, "checklist");
        };
        tri!(self.write_access(fmt, list, who));
        let resp = {
            let view = View::new(list, self.switches);
            let Some(t) = list.tasks.get(&tid) else {
                return not_found(fmt, "task");
            };
            self.task_answer(fmt, &view, t, false, !self.is(Fault::DeleteNoFlag))
        };
        if self.is(Fault::DeleteKeepsChildren) {
            for kid in list.kids(tid).to_vec() {
                if let Some(k) = list.tasks.get_mut(&kid) {
                    k.parent = 0;
                }
                list.place(kid, 0, None);
            }
            list.children.remove(&tid);
        }
        list.remove_tree(tid);
        list.updated_at = time::now_secs();
        resp
    }

    // ------------------------------------------------------------------ notes

    async fn list_notes(&self, r: &Req, id: u64, tid: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::NotesXmlAsJson);
        let st = self.store.read().await;
        let who = tri!(self.who(&st, r));
        let Some(list) = st.list(id) else {
            return not_found(fmt, "checklist");
        };
        tri!(self.read_access(fmt, &list, who));
        if !list.tasks.contains_key(&tid) {
            return not_found(fmt, "task");
        }
        let notes: Vec<&Note> = list.notes.values().filter(|n| n.task == tid).collect();
        answer(
            fmt,
            || {
                Value::Array(
                    notes
                        .iter()
                        .map(|n| render::note_json(self.switches, n))
                        .collect(),
                )
            },
            || render::notes_xml_doc(self.switches, &notes),
        )
    }

    fn note_answer(&self, fmt: Fmt, n: &Note) -> Response {
        answer(
            fmt,
            || render::note_json(self.switches, n),
            || render::note_xml_doc(self.switches, n),
        )
    }

    async fn create_note(&self, r: &Req, id: u64, tid: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::NoteWritesXmlAsJson);
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let Some(comment) = r.params.str("comment[comment]") else {
            return bad_request(fmt, "comment[comment] is required");
        };
        let nid = st.new_note_id();
        let uid = who.unwrap_or(MAIN_USER);
        let username = st.username(uid);
        let Some(list) = st.list_mut(id) else {
            return not_found(fmt, "checklist");
        };
        tri!(self.write_access(fmt, list, who));
        if !list.tasks.contains_key(&tid) {
            return not_found(fmt, "task");
        }
        let now = time::now_secs();
        let note = Note {
            id: nid,
            task: tid,
            comment,
            user_id: uid,
            username,
            created_at: now,
            updated_at: Some(now),
        };
        let resp = self.note_answer(fmt, &note);
        list.notes.insert(nid, note);
        if self.is(Fault::NotesBumpUpdatedAt) {
            list.updated_at = now.max(list.updated_at + 1);
        }
        resp
    }

    async fn update_note(&self, r: &Req, id: u64, tid: u64, nid: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::NoteWritesXmlAsJson);
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let Some(comment) = r.params.str("comment[comment]") else {
            return bad_request(fmt, "comment[comment] is required");
        };
        let Some(list) = st.list_mut(id) else {
            return not_found(fmt, "checklist");
        };
        tri!(self.write_access(fmt, list, who));
        let Some(note) = list.notes.get_mut(&nid).filter(|n| n.task == tid) else {
            return not_found(fmt, "note");
        };
        let before = note.clone();
        note.comment = comment;
        note.updated_at = Some(time::now_secs());
        if self.is(Fault::NoteUpdateReturnsOld) {
            return self.note_answer(fmt, &before);
        }
        let shown = note.clone();
        self.note_answer(fmt, &shown)
    }

    async fn delete_note(&self, r: &Req, id: u64, tid: u64, nid: u64) -> Response {
        let fmt = self.out(r.fmt, Fault::NoteWritesXmlAsJson);
        let mut st = self.store.write().await;
        let who = tri!(self.who(&st, r));
        let Some(list) = st.list_mut(id) else {
            return not_found(fmt, "checklist");
        };
        tri!(self.write_access(fmt, list, who));
        if list.notes.get(&nid).is_none_or(|n| n.task != tid) {
            return not_found(fmt, "note");
        }
        let note = if self.is(Fault::NoteDeleteKeeps) {
            list.notes.get(&nid).cloned()
        } else {
            list.notes.remove(&nid)
        };
        match note {
            Some(n) => self.note_answer(fmt, &n),
            None => not_found(fmt, "note"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn its_tables_are_whole() {
        crate::mock::kit::testing::assert_tables::<Api>();
    }

    #[test]
    fn paths_split_into_segments_and_format() {
        let (s, f) = split_path("/checklists/42/tasks.json").unwrap();
        assert_eq!(s, vec!["checklists", "42", "tasks"]);
        assert_eq!(f, Fmt::Json);
        let (s, f) = split_path("/checklists/tag%3Awork/import.xml").unwrap();
        assert_eq!(s, vec!["checklists", "tag:work", "import"]);
        assert_eq!(f, Fmt::Xml);
        assert!(split_path("/checklists").is_none());
        assert!(split_path("/checklists//1.json").is_none());
        assert!(split_path("/.json").is_none());
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
    }

    #[test]
    fn smart_syntax_is_taken_out_of_the_text() {
        let s = smart("buy milk #shop !3 ^tomorrow");
        assert_eq!(s.content, "buy milk");
        assert_eq!(s.tags, vec!["shop"]);
        assert_eq!(s.priority, Some(3));
        assert_eq!(s.due.as_deref(), Some("tomorrow"));
    }

    #[test]
    fn multipart_text_fields_are_read() {
        let body = b"--XX\r\nContent-Disposition: form-data; name=\"import_content\"\r\n\r\none\ntwo\r\n--XX\r\nContent-Disposition: form-data; name=\"add_files[1]\"; filename=\"a.txt\"\r\n\r\nfile\r\n--XX--\r\n";
        let m = parse_multipart("multipart/form-data; boundary=XX", body).unwrap();
        assert_eq!(m["import_content"], json!("one\ntwo"));
        assert!(!m.contains_key("add_files[1]"));
        assert!(parse_multipart("multipart/form-data", body).is_err());
        assert!(parse_multipart("multipart/form-data; boundary=XX", b"--XX\r\nbroken").is_err());
    }
}
