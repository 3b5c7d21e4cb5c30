//! Base64 (through the `base64` crate) and HTTP Basic credentials.

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

/// Decoding as lenient as servers are: padding optional, trailing bits ignored.
const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// `text` (surrounding white space ignored) decoded from base64, standard or URL-safe
/// alphabet, padded or not; `None` when it is not base64.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    STANDARD_LENIENT
        .decode(text)
        .or_else(|_| URL_SAFE_LENIENT.decode(text))
        .ok()
}

/// `bytes` in standard base64, padded.
pub fn base64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The credentials of an `Authorization: Basic …` value: `Some((user, password))` when the
/// scheme is Basic (in any case), `None` for another scheme. Credentials that do not decode
/// are an empty user; no colon means an empty password.
pub fn basic_credentials(authorization: &str) -> Option<(String, String)> {
    let (scheme, rest) = authorization.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64_decode(rest)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    Some(match decoded.split_once(':') {
        Some((user, password)) => (user.to_string(), password.to_string()),
        None => (decoded, String::new()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_leniently() {
        assert_eq!(base64_decode("dXNlcjpwYXNz").unwrap(), b"user:pass");
        assert_eq!(base64_decode(" YQ== ").unwrap(), b"a");
        assert_eq!(base64_decode("YQ").unwrap(), b"a");
        assert_eq!(base64_decode("-_8").unwrap(), [0xfb, 0xff]);
        assert!(base64_decode("***").is_none());
        assert_eq!(
            base64_decode(&base64_encode(b"\x00\xffx")).unwrap(),
            b"\x00\xffx"
        );
    }

    #[test]
    fn basic_credentials_split_at_the_first_colon() {
        let v = format!("basic {}", base64_encode(b"me@x:pa:ss"));
        assert_eq!(basic_credentials(&v), Some(("me@x".into(), "pa:ss".into())));
        let v = format!("Basic {}", base64_encode(b"me"));
        assert_eq!(basic_credentials(&v), Some(("me".into(), String::new())));
        assert_eq!(
            basic_credentials("Basic ***"),
            Some((String::new(), String::new()))
        );
        assert_eq!(basic_credentials("Bearer abc"), None);
        assert_eq!(basic_credentials("Basic"), None);
    }
}
