//! Response times as HDR histograms: every request of a load run is recorded in its key's
//! histogram (microseconds, three significant digits), the run's percentiles are read from them,
//! and a sharded run's shards carry them serialized (the `hdrhistogram` crate's V2 format, in
//! base64) so `specgate merge` adds the histograms and reads the percentiles of the whole run,
//! never averages of the shards' percentiles.

use std::collections::BTreeMap;

use base64::Engine;
use hdrhistogram::serialization::{Deserializer, Serializer, V2Serializer};
use hdrhistogram::Histogram;

use super::run::Latency;

/// The smallest time a histogram tells apart, in microseconds.
pub const LOWEST_US: u64 = 1;
/// The largest time a histogram holds, in microseconds: twice the longest per-request timeout
/// (3600 s); a longer time is counted as this (`saturating_record`), so memory stays bounded.
pub const HIGHEST_US: u64 = 7_200_000_000;
/// Significant digits: a recorded time is kept to within 0.1%.
pub const SIGNIFICANT_DIGITS: u8 = 3;
/// The longest serialized histogram a result file may hold (base64 characters): a histogram of
/// these bounds serializes to a few kilobytes, so anything larger is not one of ours.
pub const MAX_ENCODED_LEN: usize = 1 << 20;

/// An empty histogram of the bounds every load run uses.
pub fn new_histogram() -> Histogram<u64> {
    // The bounds are constants that `new_with_bounds` accepts (low ≥ 1, high ≥ 2·low, sigfig ≤ 5).
    Histogram::new_with_bounds(LOWEST_US, HIGHEST_US, SIGNIFICANT_DIGITS)
        .unwrap_or_else(|_| unreachable!("constant histogram bounds are valid"))
}

/// The response times of a run, by request key.
#[derive(Debug, Clone, Default)]
pub struct Histograms {
    pub by_key: BTreeMap<String, Histogram<u64>>,
}

impl Histograms {
    /// Count one response of `key` that took `us` microseconds.
    pub fn record(&mut self, key: &str, us: u64) {
        match self.by_key.get_mut(key) {
            Some(h) => h.saturating_record(us),
            None => {
                let mut h = new_histogram();
                h.saturating_record(us);
                self.by_key.insert(key.to_string(), h);
            }
        }
    }

    /// Every key's times together.
    pub fn overall(&self) -> Histogram<u64> {
        let mut all = new_histogram();
        for h in self.by_key.values() {
            add(&mut all, h);
        }
        all
    }

    /// Add `other`'s times, key by key.
    pub fn add(&mut self, other: &Histograms) {
        for (k, h) in &other.by_key {
            match self.by_key.get_mut(k) {
                Some(mine) => add(mine, h),
                None => {
                    self.by_key.insert(k.clone(), h.clone());
                }
            }
        }
    }
}

/// Add `from` into `into`: both have the bounds of [`new_histogram`] (deserialized ones are
/// checked to), so the addition cannot fail for want of range.
pub fn add(into: &mut Histogram<u64>, from: &Histogram<u64>) {
    if into.add(from).is_err() {
        // Unreachable with equal bounds; record value by value (saturating) rather than lose them.
        for v in from.iter_recorded() {
            into.saturating_record_n(v.value_iterated_to(), v.count_at_value());
        }
    }
}

/// Mean, p50, p95, p99 and max of `h`, in milliseconds; all 0 when it is empty.
pub fn latency_of(h: &Histogram<u64>) -> Latency {
    if h.is_empty() {
        return Latency::default();
    }
    let ms = |us: u64| us as f64 / 1000.0;
    Latency {
        mean_ms: h.mean() / 1000.0,
        p50_ms: ms(h.value_at_quantile(0.5)),
        p95_ms: ms(h.value_at_quantile(0.95)),
        p99_ms: ms(h.value_at_quantile(0.99)),
        max_ms: ms(h.max()),
    }
}

/// Why a serialized histogram was refused.
#[derive(Debug, thiserror::Error)]
pub enum HistogramError {
    #[error("it is {0} characters long, more than the {MAX_ENCODED_LEN} a histogram of a load run takes")]
    TooLong(usize),
    #[error("it is not base64: {0}")]
    Base64(String),
    #[error("it is not an HDR histogram (V2): {0}")]
    Format(String),
    #[error("its bounds ({low} to {high} µs, {digits} digits) are not those of a load run ({LOWEST_US} to {HIGHEST_US} µs, {SIGNIFICANT_DIGITS} digits)")]
    Bounds { low: u64, high: u64, digits: u8 },
}

/// `h` in the V2 format, base64 (standard alphabet, padded).
pub fn encode(h: &Histogram<u64>) -> String {
    let mut bytes = Vec::new();
    // Writing to a Vec cannot fail; a histogram of our bounds always serializes.
    if V2Serializer::new().serialize(h, &mut bytes).is_err() {
        bytes.clear();
    }
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The histogram [`encode`] wrote; refused when it is not one, or not of a load run's bounds.
pub fn decode(text: &str) -> Result<Histogram<u64>, HistogramError> {
    if text.len() > MAX_ENCODED_LEN {
        return Err(HistogramError::TooLong(text.len()));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| HistogramError::Base64(e.to_string()))?;
    let h: Histogram<u64> = Deserializer::new()
        .deserialize(&mut bytes.as_slice())
        .map_err(|e| HistogramError::Format(format!("{e:?}")))?;
    if h.low() != LOWEST_US || h.high() != HIGHEST_US || h.sigfig() != SIGNIFICANT_DIGITS {
        return Err(HistogramError::Bounds {
            low: h.low(),
            high: h.high(),
            digits: h.sigfig(),
        });
    }
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_survives_its_encoding() {
        let mut hs = Histograms::default();
        for us in [3, 250, 1_000, 12_345, 999_999] {
            hs.record("GET /users", us);
        }
        let h = &hs.by_key["GET /users"];
        let back = decode(&encode(h)).unwrap();
        assert_eq!(back.len(), 5);
        assert_eq!(back.value_at_quantile(0.5), h.value_at_quantile(0.5));
        assert_eq!(back.max(), h.max());
    }

    #[test]
    fn merged_percentiles_are_those_of_all_the_times() {
        // Two shards with very different times: the merged median is the median of all ten
        // times, not the average of the two medians.
        let (mut a, mut b, mut all) = (new_histogram(), new_histogram(), new_histogram());
        for us in [100, 110, 120, 130, 140] {
            a.record(us).unwrap();
            all.record(us).unwrap();
        }
        for us in [10_000, 11_000, 12_000, 13_000, 14_000] {
            b.record(us).unwrap();
            all.record(us).unwrap();
        }
        let mut merged = Histograms::default();
        merged.by_key.insert("k".into(), a);
        let mut other = Histograms::default();
        other.by_key.insert("k".into(), b);
        merged.add(&other);
        let m = &merged.by_key["k"];
        assert_eq!(m.value_at_quantile(0.5), all.value_at_quantile(0.5));
        assert_eq!(m.value_at_quantile(0.5), 140);
    }

    #[test]
    fn foreign_or_broken_histograms_are_refused() {
        assert!(matches!(
            decode("not base64!"),
            Err(HistogramError::Base64(_))
        ));
        assert!(matches!(decode("AAAA"), Err(HistogramError::Format(_))));
        let other = Histogram::<u64>::new_with_bounds(1, 1000, 2).unwrap();
        assert!(matches!(
            decode(&encode(&other)),
            Err(HistogramError::Bounds { .. })
        ));
        let long = "A".repeat(MAX_ENCODED_LEN + 1);
        assert!(matches!(decode(&long), Err(HistogramError::TooLong(_))));
    }
}
