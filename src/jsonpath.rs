//! Parsing JSONPaths with bounds.
//!
//! `serde_json_path`'s parser backtracks, and on unclosed nested filters its time grows
//! about fourfold with each level: fuzzing found a 1.5 KB path of repeated `[?((((` that took
//! 22 s to reject. Paths come from contracts and scenarios, and at run time may hold
//! `{{variables}}` rendered from responses, so an input must not stall a lint or a run.
//! Within these bounds the worst of 21 million random paths parsed in about 1 ms.

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
    fn overlong_paths_are_refused() {
        let path = format!("$.{}", "a".repeat(MAX_LEN));
        assert!(parse(&path).unwrap_err().contains("at most 1024"));
    }
}
