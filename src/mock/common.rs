//! What every mock shares: deterministic synthetic data, pagination arithmetic, and reading
//! request bodies without trusting them.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::http::HeaderMap;
use serde_json::Value;

/// Request bodies above this are refused with the API's error (never buffered further).
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// splitmix64: a tiny deterministic generator, so a record can be derived from (seed, id) alone
/// and a million users need no memory.
pub fn mix(seed: u64, id: u64) -> u64 {
    let mut z = seed ^ id.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A deterministic pick from `items` for (seed, id, salt).
pub fn pick<'a>(items: &'a [&'a str], seed: u64, id: u64, salt: u64) -> &'a str {
    items[(mix(seed ^ salt, id) % items.len() as u64) as usize]
}

/// Pages of `size` over `total` items: how many pages (at least one, even when empty).
pub fn page_count(total: usize, size: usize) -> usize {
    total.div_ceil(size.max(1)).max(1)
}

/// The index range of page `number` (1-based) of `size` items over `total`.
pub fn page_range(total: usize, size: usize, number: usize) -> std::ops::Range<usize> {
    let start = number.saturating_sub(1).saturating_mul(size).min(total);
    start..(start + size).min(total)
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
    let ct = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
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

    #[test]
    fn data_is_deterministic_and_spread() {
        assert_eq!(mix(7, 1), mix(7, 1));
        assert_ne!(mix(7, 1), mix(7, 2));
        assert_ne!(mix(7, 1), mix(8, 1));
    }

    #[test]
    fn pages_cover_every_item_once() {
        assert_eq!(page_count(0, 20), 1);
        assert_eq!(page_count(21, 20), 2);
        assert_eq!(page_range(21, 20, 2), 20..21);
        assert_eq!(page_range(21, 20, 3), 21..21);
        let total: usize = (1..=page_count(95, 20))
            .map(|n| page_range(95, 20, n).len())
            .sum();
        assert_eq!(total, 95);
    }

    #[test]
    fn forms_decode_arrays_and_escapes() {
        let f =
            parse_form(b"checklist_ids[]=47&checklist_ids[]=45&text=Draft+the%20proposal&x=%zz");
        assert_eq!(f["checklist_ids"], serde_json::json!(["47", "45"]));
        assert_eq!(f["text"], serde_json::json!("Draft the proposal"));
        assert_eq!(f["x"], serde_json::json!("%zz"));
    }
}
