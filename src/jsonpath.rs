//! Parsing JSONPaths with bounds.
//!
//! `serde_json_path`'s parser backtracks, and on unclosed nested filters its time grows
//! about fourfold with each level: fuzzing found a 1.5 KB path of repeated `[?((((` that took
//! 22 s to reject. Paths come from contracts and scenarios, and at run time may hold
//! `{{variables}}` rendered from responses, so an input must not stall a lint or a run.
//! Within these bounds the worst of 21 million random paths parsed in about 1 ms.

use std::sync::Arc;

use serde_json_path::JsonPath;

/// Longer than any path a contract needs (the five specs' longest is 60 bytes).
pub const MAX_LEN: usize = 1024;
/// Brackets and parentheses open at once (the specs need 3).
pub const MAX_NESTING: usize = 10;

/// A JSONPath, refused before parsing when it is longer or nests deeper than the bounds.
pub fn parse(text: &str) -> Result<JsonPath, String> {
    if text.len() > MAX_LEN {
        return Err(format!(
            "it is {} bytes long; specgate reads JSONPaths of at most {MAX_LEN}",
            text.len()
        ));
    }
    let depth = nesting(text);
    if depth > MAX_NESTING {
        return Err(format!(
            "it nests brackets and parentheses {depth} deep; specgate reads at most {MAX_NESTING}"
        ));
    }
    JsonPath::parse(text).map_err(|e| e.to_string())
}

/// A JSONPath as a contract writes it, parsed once when the contract is read (as load
/// scenarios compile theirs), not at every evaluation. One holding `{{variables}}` can only be
/// parsed once they are rendered, at each use; one that does not parse is kept as text, for
/// lint to report where it is written and for its use to fail as it always did.
#[derive(Clone, Default)]
pub struct Query {
    text: String,
    parsed: Option<Arc<JsonPath>>,
}

impl Query {
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let parsed = (!text.contains("{{"))
            .then(|| parse(&text).ok().map(Arc::new))
            .flatten();
        Query { text, parsed }
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The path, parsed; `None` when it holds variables (render, then parse) or does not parse.
    pub fn parsed(&self) -> Option<&JsonPath> {
        self.parsed.as_deref()
    }
}

impl From<&str> for Query {
    fn from(text: &str) -> Self {
        Query::new(text)
    }
}

impl From<String> for Query {
    fn from(text: String) -> Self {
        Query::new(text)
    }
}

/// A query reads as its text wherever a path is shown or linted.
impl std::ops::Deref for Query {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl PartialEq for Query {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl std::fmt::Debug for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.text.fmt(f)
    }
}

impl std::fmt::Display for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for Query {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Query::new)
    }
}

impl serde::Serialize for Query {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// The deepest nesting of `[` and `(` outside quoted names and strings; unclosed ones count.
fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '[' | '(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ']' | ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_paths_contracts_use_parse() {
        for p in [
            "$.data[0].id",
            "$.data[*].attributes['last-name']",
            "$.links['next']",
            "$.data[?@.attributes.status == 'open' && (@.id > 1 || @.id < 0)]",
            "$['a(b[c']", // brackets inside a quoted name do not nest
        ] {
            assert!(parse(p).is_ok(), "{p}: {:?}", parse(p).err());
        }
    }

    #[test]
    fn nesting_counts_open_brackets_and_parentheses() {
        assert_eq!(nesting("$.a"), 0);
        assert_eq!(nesting("$[?(@.a[0])]"), 3);
        assert_eq!(nesting("$[?(((("), 5);
        assert_eq!(nesting("$['[[[[']"), 1);
        assert_eq!(nesting(r"$['\'[[[']"), 1);
    }

    /// The fuzzer's slow input, shortened to its first three segments (under the length
    /// bound): before the bound it took about 22 s to parse; now it is refused by depth.
    #[test]
    fn fuzzed_unclosed_filters_are_refused_before_parsing() {
        let segment = "[\r\r\r\r\r\r\r\r\r?(((($.metan.pr8_n.pet_n.nhx_n.next_u8r8_ext_u8r8_n.pr8r8_ext_u8r6_qqqqqqqqqqqqi";
        let path = format!("$.link.paginati{}", segment.repeat(3));
        let err = parse(&path).unwrap_err();
        assert!(
            err.contains("nests brackets and parentheses 15 deep"),
            "{err}"
        );
        let err = parse(&format!("$.a{}", "[?@.b".repeat(20))).unwrap_err();
        assert!(err.contains("20 deep"), "{err}");
    }

    #[test]
    fn a_query_is_parsed_once_unless_it_holds_variables() {
        let q = Query::new("$.data[*].id");
        assert!(q.parsed().is_some());
        assert_eq!(q.as_str(), "$.data[*].id");
        assert!(Query::new("$[?@.id == {{id}}]").parsed().is_none());
        assert!(Query::new("data[").parsed().is_none());
        assert_eq!(Query::new("$.a"), Query::from("$.a"));
    }

    #[test]
    fn overlong_paths_are_refused() {
        let path = format!("$.{}", "a".repeat(MAX_LEN));
        assert!(parse(&path).unwrap_err().contains("at most 1024"));
    }
}
