//! Checkvist's routing: every request reaches one fallback (`handle`), since axum's routes
//! cannot express the `.json`/`.xml` suffixes or the `_method` override; it reads the path,
//! the parameters (query, form, JSON, multipart) and the method, then `App::route` dispatches
//! on the path segments.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::Response;
use serde_json::Value;

use crate::mock::kit::body::{parse_body, parse_form, read_capped};
use crate::mock::kit::ids::parse_id;
use crate::mock::kit::HasSwitches;

use super::data::App;
use super::faults::{Fault, Variant};
use super::render::{bad_request, err, html_refusal, not_allowed, not_found, unauthorized, Fmt};

// ---------------------------------------------------------------------------- requests

/// Request parameters: the query string, then the body (form, multipart or JSON) over it.
#[derive(Debug, Default)]
pub(super) struct Params(BTreeMap<String, Value>);

pub(super) fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Params {
    pub(super) fn merge(&mut self, other: BTreeMap<String, Value>) {
        self.0.extend(other);
    }

    pub(super) fn str(&self, k: &str) -> Option<String> {
        match self.0.get(k)? {
            Value::Array(a) if a.len() == 1 => scalar(&a[0]),
            v => scalar(v),
        }
    }

    pub(super) fn has(&self, k: &str) -> bool {
        self.0.contains_key(k)
    }

    /// A boolean flag: true, 1, yes, on.
    pub(super) fn flag(&self, k: &str) -> bool {
        matches!(
            self.str(k)
                .map(|s| s.trim().to_ascii_lowercase())
                .as_deref(),
            Some("true" | "1" | "yes" | "on")
        )
    }

    /// A parameter that counts when set to anything but false / 0.
    pub(super) fn set(&self, k: &str) -> bool {
        match self.str(k).map(|s| s.trim().to_ascii_lowercase()) {
            Some(s) => !matches!(s.as_str(), "false" | "0" | "no" | "off"),
            None => self.has(k),
        }
    }

    /// An array parameter (`k[]=1&k[]=2`, a JSON array, or a comma-separated string).
    pub(super) fn list(&self, k: &str) -> Option<Vec<String>> {
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
    pub(super) fn hash(&self, prefix: &str) -> Vec<(String, Value)> {
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

pub(super) struct Req {
    pub(super) method: Method,
    pub(super) fmt: Fmt,
    pub(super) segs: Vec<String>,
    pub(super) headers: HeaderMap,
    pub(super) params: Params,
}

pub(super) fn percent_decode(s: &str) -> String {
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
pub(super) fn split_path(path: &str) -> Option<(Vec<String>, Fmt)> {
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

pub(super) fn flatten(key: &str, v: Value, out: &mut BTreeMap<String, Value>) {
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

pub(super) fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from >= hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The text fields of a multipart/form-data body (file parts are left out).
pub(super) fn parse_multipart(
    content_type: &str,
    body: &[u8],
) -> Result<BTreeMap<String, Value>, String> {
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

pub(super) fn body_params(
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<BTreeMap<String, Value>, String> {
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

pub(super) async fn handle(State(app): State<Arc<App>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Some((segs, fmt)) = split_path(parts.uri.path()) else {
        return not_found(Fmt::Json, "resource (paths end in .json or .xml)");
    };
    let is_auth = segs.first().map(String::as_str) == Some("auth");
    let bytes = match read_capped(body).await {
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

impl App {
    pub(super) async fn route(&self, r: Req) -> Response {
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
}

/// An optional integer parameter within bounds; Err for anything else.
pub(super) fn int_param(p: &Params, k: &str, lo: u64, hi: u64) -> Result<Option<u64>, String> {
    match p.str(k) {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => match s.trim().parse::<u64>() {
            Ok(n) if (lo..=hi).contains(&n) => Ok(Some(n)),
            _ => Err(format!("{k} must be an integer from {lo} to {hi}")),
        },
    }
}

pub(super) fn split_tags(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in s.split(',') {
        let t = t.trim();
        if !t.is_empty() && !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
    fn multipart_text_fields_are_read() {
        let body = b"--XX\r\nContent-Disposition: form-data; name=\"import_content\"\r\n\r\none\ntwo\r\n--XX\r\nContent-Disposition: form-data; name=\"add_files[1]\"; filename=\"a.txt\"\r\n\r\nfile\r\n--XX--\r\n";
        let m = parse_multipart("multipart/form-data; boundary=XX", body).unwrap();
        assert_eq!(m["import_content"], json!("one\ntwo"));
        assert!(!m.contains_key("add_files[1]"));
        assert!(parse_multipart("multipart/form-data", body).is_err());
        assert!(parse_multipart("multipart/form-data; boundary=XX", b"--XX\r\nbroken").is_err());
    }
}
