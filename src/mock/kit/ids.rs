//! Ids in paths: read strictly, so that `+7`, `07 ` or `1e3` name nothing, and written in the
//! forms the variants choose.

/// The most digits an id may have: every 19-digit number fits a `u64`.
const MAX_ID_DIGITS: usize = 19;

/// A number written only with ASCII digits (no sign, no space), of at most 19 digits.
pub fn parse_digits(raw: &str) -> Option<u64> {
    if raw.is_empty() || raw.len() > MAX_ID_DIGITS || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok()
}

/// A positive id written only with ASCII digits: `0` names nothing.
pub fn parse_id(raw: &str) -> Option<u64> {
    parse_digits(raw).filter(|n| *n > 0)
}

/// An id written as `prefix` and then exactly `width` hex digits (a UUID-like id whose tail is
/// the number): the number.
pub fn parse_prefixed_hex(raw: &str, prefix: &str, width: usize) -> Option<u64> {
    let hex = raw.strip_prefix(prefix)?;
    if hex.len() != width || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(hex, 16).ok()
}

/// `number` written as `prefix` and then `width` hex digits (lower case, zero-padded).
pub fn format_prefixed_hex(prefix: &str, number: u64, width: usize) -> String {
    format!("{prefix}{number:0width$x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_digits() {
        assert_eq!(parse_id("42"), Some(42));
        assert_eq!(parse_digits("0"), Some(0));
        for bad in [
            "",
            "0",
            "+7",
            "-7",
            " 7",
            "7 ",
            "1e3",
            "7.0",
            "12345678901234567890",
        ] {
            assert_eq!(parse_id(bad), None, "{bad:?}");
        }
        assert_eq!(
            parse_id("9999999999999999999"),
            Some(9_999_999_999_999_999_999)
        );
    }

    #[test]
    fn prefixed_hex_round_trips() {
        let p = "00000000-0000-4000-8000-";
        let id = format_prefixed_hex(p, 255, 12);
        assert_eq!(id, "00000000-0000-4000-8000-0000000000ff");
        assert_eq!(parse_prefixed_hex(&id, p, 12), Some(255));
        assert_eq!(
            parse_prefixed_hex("00000000-0000-4000-8000-ff", p, 12),
            None
        );
        assert_eq!(parse_prefixed_hex(&id.replace('f', "g"), p, 12), None);
        assert_eq!(parse_prefixed_hex("255", p, 12), None);
    }
}
