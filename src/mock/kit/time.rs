//! Time as the mocks write it: instants (UNIX seconds, milliseconds or microseconds) formatted
//! with chrono, calendar days for the seeded data, and the clock.
//!
//! An instant outside chrono's range (about ±262,000 years) is written as the nearest one it
//! can hold: formatting never panics, whatever a request asked for.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc};

/// `2026-06-17T09:30:00.000000Z`: RFC 3339 in UTC with microseconds (Laravel, DRF).
pub const MICROS_Z: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";
/// `2026-06-17T09:30:00.000+00:00`: RFC 3339 with milliseconds and a numeric offset.
pub const MILLIS_OFFSET: &str = "%Y-%m-%dT%H:%M:%S%.3f%:z";
/// `2026-06-17T09:30:00+00:00`: RFC 3339 in seconds with a numeric offset.
pub const SECONDS_OFFSET: &str = "%Y-%m-%dT%H:%M:%S%:z";
/// `2026-06-17T09:30:00Z`: RFC 3339 in seconds, UTC.
pub const SECONDS_Z: &str = "%Y-%m-%dT%H:%M:%SZ";
/// `2026-06-17 09:30:00.000000`: a naive SQL datetime with microseconds.
pub const NAIVE_MICROS: &str = "%Y-%m-%d %H:%M:%S%.6f";
/// `2026-06-17 09:30:00`: a naive SQL datetime.
pub const NAIVE_SECONDS: &str = "%Y-%m-%d %H:%M:%S";
/// `2026/06/17 09:30:00 +0000`: Checkvist's JSON timestamps.
pub const SLASHED_OFFSET: &str = "%Y/%m/%d %H:%M:%S %z";
/// `2026-06-17`.
pub const DATE: &str = "%Y-%m-%d";

/// The instant `micros` microseconds after the UNIX epoch (clamped to chrono's range).
pub fn utc_from_micros(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or(if micros < 0 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

/// The instant `millis` milliseconds after the UNIX epoch (clamped to chrono's range).
pub fn utc_from_millis(millis: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(millis).unwrap_or(if millis < 0 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

/// The instant `secs` seconds after the UNIX epoch (clamped to chrono's range).
pub fn utc_from_secs(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or(if secs < 0 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

/// `at` written with a chrono `format` (one of this module's constants, or another strftime
/// pattern), in UTC.
pub fn format_utc(at: DateTime<Utc>, format: &str) -> String {
    write_format(&at, format)
}

/// `at` written with `format` at a fixed offset from UTC, `offset_minutes` east (negative:
/// west); an offset of a day or more is written as UTC.
pub fn format_at_offset(at: DateTime<Utc>, offset_minutes: i32, format: &str) -> String {
    match FixedOffset::east_opt(offset_minutes.saturating_mul(60)) {
        Some(offset) => write_format(&at.with_timezone(&offset), format),
        None => write_format(&at, format),
    }
}

/// Writes without `to_string`, which panics on a format chrono cannot follow: such a pattern
/// writes what it could.
fn write_format<Tz: TimeZone>(at: &DateTime<Tz>, format: &str) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let mut out = String::new();
    let _ = write!(out, "{}", at.format(format));
    out
}

/// `micros` in `MICROS_Z`: `2026-06-17T09:30:00.000000Z`.
pub fn micros_z(micros: i64) -> String {
    format_utc(utc_from_micros(micros), MICROS_Z)
}

/// Days since 1970-01-01 of a proleptic Gregorian date; `None` for a date that does not exist.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> Option<i64> {
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    Some((date - NaiveDate::default()).num_days())
}

/// (year, month, day) of the date `days` after 1970-01-01 (clamped to chrono's range).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let date = utc_from_secs(days.saturating_mul(86_400)).date_naive();
    (i64::from(date.year()), date.month(), date.day())
}

/// A `YYYY-MM-DD` date (exactly that: four, two and two digits), as days since the epoch;
/// `None` for any other text or a date that does not exist.
pub fn parse_date(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) {
        return None;
    }
    if !digits(5..7) || !digits(8..10) {
        return None;
    }
    let date = NaiveDate::parse_from_str(text, DATE).ok()?;
    Some((date - NaiveDate::default()).num_days())
}

/// The `n`-th (1-based) Sunday of a month, as days since the epoch (`None` past its end).
pub fn nth_sunday(year: i64, month: u32, n: u8) -> Option<i64> {
    let date = NaiveDate::from_weekday_of_month_opt(
        i32::try_from(year).ok()?,
        month,
        chrono::Weekday::Sun,
        n,
    )?;
    Some((date - NaiveDate::default()).num_days())
}

/// Now, in seconds since the UNIX epoch.
pub fn now_secs() -> i64 {
    Utc::now().timestamp()
}

/// Now, in milliseconds since the UNIX epoch.
pub fn now_millis() -> i64 {
    Utc::now().timestamp_millis()
}

/// Now, in microseconds since the UNIX epoch.
pub fn now_micros() -> i64 {
    Utc::now().timestamp_micros()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_format_writes_as_documented() {
        let at = utc_from_micros(1_750_378_879_126_137);
        assert_eq!(format_utc(at, MICROS_Z), "2025-06-20T00:21:19.126137Z");
        assert_eq!(
            format_utc(at, MILLIS_OFFSET),
            "2025-06-20T00:21:19.126+00:00"
        );
        assert_eq!(format_utc(at, SECONDS_OFFSET), "2025-06-20T00:21:19+00:00");
        assert_eq!(format_utc(at, SECONDS_Z), "2025-06-20T00:21:19Z");
        assert_eq!(format_utc(at, NAIVE_MICROS), "2025-06-20 00:21:19.126137");
        assert_eq!(format_utc(at, NAIVE_SECONDS), "2025-06-20 00:21:19");
        assert_eq!(
            format_utc(utc_from_secs(1_107_270_910), SLASHED_OFFSET),
            "2005/02/01 15:15:10 +0000"
        );
        assert_eq!(micros_z(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(micros_z(951_782_400_000_001), "2000-02-29T00:00:00.000001Z");
        assert_eq!(micros_z(-1), "1969-12-31T23:59:59.999999Z");
        let dec = utc_from_millis(1_765_359_242_227);
        assert_eq!(
            format_at_offset(dec, -300, MILLIS_OFFSET),
            "2025-12-10T04:34:02.227-05:00"
        );
    }

    #[test]
    fn out_of_range_instants_are_clamped_not_panics() {
        assert!(micros_z(i64::MAX).starts_with('+'));
        assert!(format_utc(utc_from_secs(i64::MIN), SECONDS_Z).starts_with('-'));
        assert_eq!(
            format_at_offset(utc_from_secs(0), 24 * 60, SECONDS_OFFSET),
            "1970-01-01T00:00:00+00:00"
        );
        assert_eq!(format_utc(utc_from_secs(0), "%Q"), "");
        for offset in [-300, 300] {
            let low = format_at_offset(utc_from_secs(i64::MIN), offset, MILLIS_OFFSET);
            let high = format_at_offset(utc_from_secs(i64::MAX), offset, MILLIS_OFFSET);
            assert!(
                low.starts_with('-') && high.starts_with('+'),
                "{low} {high}"
            );
        }
    }

    #[test]
    fn days_round_trip() {
        for days in [-1000, -1, 0, 18_262, 20_000, 25_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), Some(days));
        }
        assert_eq!(days_from_civil(2020, 1, 1), Some(18_262));
        assert_eq!(days_from_civil(2023, 2, 29), None);
        assert_eq!(parse_date("2024-02-29"), days_from_civil(2024, 2, 29));
        for bad in [
            "2023-02-29",
            "1990-1-01",
            "1990-01-1 ",
            "+990-01-01",
            "1990/01/01",
            "x",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        // 2025: DST began on March 9 and ended on November 2.
        assert_eq!(nth_sunday(2025, 3, 2), days_from_civil(2025, 3, 9));
        assert_eq!(nth_sunday(2025, 11, 1), days_from_civil(2025, 11, 2));
        assert_eq!(nth_sunday(2025, 2, 5), None);
    }
}
