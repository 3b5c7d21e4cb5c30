//! Request bodies, read without trusting them: never more than `MAX_BODY_BYTES` is buffered, and
//! a body is read as the fields its Content-Type says it holds.

use std::collections::BTreeMap;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap};
use serde_json::Value;

use crate::mock::common::MAX_BODY_BYTES;

/// Why a body was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// Larger than `MAX_BODY_BYTES`, or cut off before its end: it cannot be read whole within
    /// the cap, and every mock answers it as too large.
    #[error("the request body is larger than {MAX_BODY_BYTES} bytes")]
    TooLarge,
}

/// The whole body, if it fits within `MAX_BODY_BYTES`.
pub async fn read_capped(body: Body) -> Result<Bytes, BodyError> {
    axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| BodyError::TooLarge)
}

/// The request's Content-Type as text (empty when it has none or it is not text).
pub fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// A request body read as form fields or JSON, whichever its Content-Type says. Form arrays
/// (`ids[]=1&ids[]=2`) become JSON arrays.
pub fn parse_body(headers: &HeaderMap, body: &Bytes) -> Result<BTreeMap<String, Value>, String> {
    if body.len() > MAX_BODY_BYTES {
        return Err(format!("the body is larger than {MAX_BODY_BYTES} bytes"));
    }
    if body.is_empty() {
        return Ok(BTreeMap::new());
    }
    let ct = content_type(headers).to_ascii_lowercase();
    if ct.contains("json") {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => Ok(m.into_iter().collect()),
            Ok(_) => Err("the JSON body is not an object".into()),
            Err(e) => Err(format!("the body is not valid JSON: {e}")),
        }
    } else {
        Ok(parse_form(body))
    }
}

/// `a=1&b[]=2&b[]=3` → {a: "1", b: ["2", "3"]}.
pub fn parse_form(body: &[u8]) -> BTreeMap<String, Value> {
    let mut out: BTreeMap<String, Value> = BTreeMap::new();
    for (k, v) in form_urlencoded::parse(body) {
        let (k, v) = (k.into_owned(), v.into_owned());
        if let Some(base) = k.strip_suffix("[]") {
            match out
                .entry(base.to_string())
                .or_insert_with(|| Value::Array(vec![]))
            {
                Value::Array(a) => a.push(Value::String(v)),
                other => *other = Value::Array(vec![Value::String(v)]),
            }
        } else {
            out.insert(k, Value::String(v));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bodies_over_the_cap_are_refused() {
        let fits = vec![b'a'; MAX_BODY_BYTES];
        assert_eq!(
            read_capped(Body::from(fits)).await.map(|b| b.len()),
            Ok(MAX_BODY_BYTES)
        );
        let over = vec![b'a'; MAX_BODY_BYTES + 1];
        assert_eq!(
            read_capped(Body::from(over)).await,
            Err(BodyError::TooLarge)
        );
    }

    #[test]
    fn forms_decode_arrays_and_escapes() {
        let f =
            parse_form(b"checklist_ids[]=47&checklist_ids[]=45&text=Draft+the%20proposal&x=%zz");
        assert_eq!(f["checklist_ids"], serde_json::json!(["47", "45"]));
        assert_eq!(f["text"], serde_json::json!("Draft the proposal"));
        assert_eq!(f["x"], serde_json::json!("%zz"));
    }

    #[test]
    fn bodies_are_read_as_their_content_type_says() {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        let b = parse_body(&h, &Bytes::from_static(br#"{"a":1}"#)).unwrap();
        assert_eq!(b["a"], serde_json::json!(1));
        assert!(parse_body(&h, &Bytes::from_static(b"[1]")).is_err());
        assert!(parse_body(&h, &Bytes::from_static(b"{")).is_err());
        let f = parse_body(&HeaderMap::new(), &Bytes::from_static(b"a=1")).unwrap();
        assert_eq!(f["a"], serde_json::json!("1"));
    }
}
