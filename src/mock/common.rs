//! What every mock shares: deterministic synthetic data and the body cap (the rest of what
//! they share is in the [`kit`](super::kit)).

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

// Pages and body fields moved to the kit; these names stay for the mocks that use them.
pub use super::kit::body::{parse_body, parse_form};
pub use super::kit::pages::{page_count, page_range};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_deterministic_and_spread() {
        assert_eq!(mix(7, 1), mix(7, 1));
        assert_ne!(mix(7, 1), mix(7, 2));
        assert_ne!(mix(7, 1), mix(8, 1));
    }
}
