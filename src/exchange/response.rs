//! A recorded response: what the runner received, kept for evaluation and reports.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// The most memory one parsed body may take. Parsed, JSON costs several times its text (a
/// `serde_json::Value` is 32 bytes; an object is a tree of nodes of eleven entries; a body of
/// bare numbers costs 16 times its size), so a body just under the 8 MiB cap could cost half a
/// gigabyte. As much as the cap itself keeps a run's peak under four times the cap even with
/// a few rules judging large bodies at once (`benches/body_cap.rs`); a body past it fails the
/// rules that need it, saying so, and the run goes on. Real API pages parse to a small part
/// of it: a page of 100 checklist items takes about 200 KB.
pub const MAX_PARSED: usize = super::client::DEFAULT_MAX_BODY;

/// Bodies up to this size are parsed without first measuring what they would take: their
/// parsed form stays below `MAX_PARSED` (sixteen times this, at worst).
const SMALL_BODY: usize = 128 << 10;

/// What parsing `bytes` into a `serde_json::Value` would allocate, estimated from above in one
/// pass that allocates nothing: each value's slot, each string's bytes, each array's buffer
/// (three slots an element: it grows by doubling), each object's nodes. Allocator overhead is
/// counted as 16 bytes an allocation. `tests/parsed_size.rs` checks the bound against what
/// parsing allocates.
pub fn parsed_size(bytes: &[u8]) -> Result<usize, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let size = ParsedSize.deserialize(&mut de)?;
    de.end()?;
    Ok(size + VALUE)
}

const VALUE: usize = std::mem::size_of::<Value>();
const ALLOCATION: usize = 16;
/// A B-tree node of `serde_json::Map`: eleven keys and values, and the node's own fields.
const MAP_NODE: usize = 11 * (std::mem::size_of::<String>() + VALUE) + 16 + ALLOCATION;

/// The heap a value takes beyond its own slot (which its parent counts).
struct ParsedSize;

impl<'de> DeserializeSeed<'de> for ParsedSize {
    type Value = usize;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ParsedSize {
    type Value = usize;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, _: bool) -> Result<usize, E> {
        Ok(0)
    }
    fn visit_i64<E>(self, _: i64) -> Result<usize, E> {
        Ok(0)
    }
    fn visit_u64<E>(self, _: u64) -> Result<usize, E> {
        Ok(0)
    }
    fn visit_f64<E>(self, _: f64) -> Result<usize, E> {
        Ok(0)
    }
    fn visit_unit<E>(self) -> Result<usize, E> {
        Ok(0)
    }
    fn visit_none<E>(self) -> Result<usize, E> {
        Ok(0)
    }
    fn visit_str<E>(self, v: &str) -> Result<usize, E> {
        Ok(v.len() + ALLOCATION)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
        let (mut n, mut heap) = (0usize, 0usize);
        while let Some(h) = seq.next_element_seed(ParsedSize)? {
            n += 1;
            heap = heap.saturating_add(h);
        }
        // The buffer grows by doubling from 4 slots; while it grows, the old and the new one
        // are both live: at most three slots an element.
        if n == 0 {
            return Ok(heap);
        }
        Ok(heap.saturating_add((3 * n).max(4) * VALUE + ALLOCATION))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<usize, A::Error> {
        let (mut n, mut heap) = (0usize, 0usize);
        while let Some(key) = map.next_key_seed(ParsedSize)? {
            let value = map.next_value_seed(ParsedSize)?;
            n += 1;
            heap = heap.saturating_add(key).saturating_add(value);
        }
        // Nodes are at least half full, but for the root of a small map.
        let nodes = n.div_ceil(5).max(1);
        Ok(heap.saturating_add(nodes * MAP_NODE))
    }
}

/// `body` as JSON, or why it is not. A body whose parsed form would take more than
/// [`MAX_PARSED`] is not parsed (see there). What [`Response::json`] does, for a body the caller
/// holds alone (a load user's answer).
pub fn json_body(body: &[u8]) -> Result<Value, String> {
    if body.is_empty() {
        return Err("the body is empty".into());
    }
    if body.len() > SMALL_BODY {
        let size = parsed_size(body).map_err(|e| format!("the body is not JSON: {e}"))?;
        if size > MAX_PARSED {
            return Err(format!(
                "the JSON body ({} bytes) would take about {} MiB once parsed, more than the {} \
                 MiB a check spends on one body (as much as the body cap): it is not judged",
                body.len(),
                size >> 20,
                MAX_PARSED >> 20
            ));
        }
    }
    serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))
}

#[derive(Debug, Clone, Default)]
pub struct Response {
    pub status: u16,
    /// Header names lowercased, in the order received.
    pub headers: Vec<(String, String)>,
    /// Shared, not copied, when the response is cloned: a rule's copy and the run's record of
    /// one exchange are one body (up to the 8 MiB cap each).
    pub body: bytes::Bytes,
}

impl Response {
    pub fn new(status: u16, headers: Vec<(String, String)>, body: impl Into<bytes::Bytes>) -> Self {
        let headers = headers
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        Response {
            status,
            headers,
            body: body.into(),
        }
    }

    /// Every value of header `name` (case-insensitive).
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_values(name).into_iter().next()
    }

    /// The media type without parameters, lowercased: `application/vnd.api+json`.
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|c| {
            c.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    }

    /// The body as JSON, or why it is not. A body whose parsed form would take more than
    /// [`MAX_PARSED`] is not parsed (see there).
    pub fn json(&self) -> Result<Value, String> {
        json_body(&self.body)
    }

    pub fn text(&self) -> Result<&str, String> {
        std::str::from_utf8(&self.body).map_err(|e| format!("the body is not UTF-8: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What parsing really allocates, counted by a test allocator would be exact; here the
    /// estimate is checked against the shapes it must bound from above.
    #[test]
    fn the_estimate_bounds_the_parsed_form() {
        let numbers = format!("[{}0]", "0,".repeat(100_000));
        let estimate = parsed_size(numbers.as_bytes()).unwrap();
        assert!(estimate >= 100_001 * VALUE, "{estimate}");
        let notes: String = (0..1000)
            .map(|i| format!(r#"{{"id":{i},"text":"{}"}}"#, "n".repeat(90)))
            .collect::<Vec<_>>()
            .join(",");
        let notes = format!("[{notes}]");
        let estimate = parsed_size(notes.as_bytes()).unwrap();
        // Each note: a map node, two keys, a 90-byte text.
        assert!(estimate >= 1000 * (MAP_NODE + 90), "{estimate}");
        assert!(parsed_size(b"[1, 2").is_err());
        assert!(parsed_size(b"{} x").is_err());
    }

    #[test]
    fn a_body_too_large_to_parse_is_not_parsed() {
        let numbers = format!("[{}0]", "0,".repeat(MAX_PARSED / VALUE));
        let r = Response::new(200, vec![], numbers.into_bytes());
        let e = r.json().unwrap_err();
        assert!(e.contains("once parsed") && e.contains("not judged"), "{e}");
        let small = Response::new(200, vec![], b"{\"a\": [1, 2]}".to_vec());
        assert_eq!(small.json().unwrap(), serde_json::json!({"a": [1, 2]}));
    }
}
