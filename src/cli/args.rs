//! The value parsers of the command line: each names the option's value and what it takes, so
//! a bad number is refused before anything runs (exit 2).

use std::path::PathBuf;

use crate::report::files::ReportFile;
use crate::report::ReportFormat;

/// The longest `--request-timeout`, `--rule-timeout` or `--run-timeout`: a day is already
/// more than any CI job runs.
pub const MAX_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

pub fn parse_set(s: &str) -> Result<(String, f64), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: use NAME=VALUE, e.g. skills=2000"))?;
    let k = k.trim();
    if k.is_empty() {
        return Err(format!(
            "`{s}`: the NAME is empty; use NAME=VALUE, e.g. skills=2000"
        ));
    }
    let v = parse_count(v).map_err(|e| format!("`{k}`: {e}"))?;
    Ok((k.to_string(), v))
}

/// A dataset size: a whole number, 0 or more (`1_000_000` and `1e6` are read too).
pub fn parse_count(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .replace('_', "")
        .parse()
        .map_err(|_| format!("`{s}` is not a number; give a whole number, 0 or more"))?;
    crate::load::scenario::check_dataset_value(v)?;
    Ok(v)
}

/// A number of things that must be at least one (rules at once, load users, iterations).
pub fn parse_at_least_one(s: &str) -> Result<usize, String> {
    match s.trim().replace('_', "").parse::<usize>() {
        Ok(0) => Err("0 would do nothing: give 1 or more".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{s}` is not a whole number; give 1 or more")),
    }
}

pub fn parse_at_least_one_u64(s: &str) -> Result<u64, String> {
    match s.trim().replace('_', "").parse::<u64>() {
        Ok(0) => Err("0 would end the run before its first request: give 1 or more".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{s}` is not a whole number; give 1 or more")),
    }
}

/// The longest per-request timeout: an hour. A request that has not answered by then is hung.
pub const MAX_TIMEOUT_SECS: u64 = 3600;

pub fn parse_timeout_secs(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(0) => Err("a timeout of 0 fails every request: give 1 to 3600 seconds".into()),
        Ok(n) if n > MAX_TIMEOUT_SECS => Err(format!(
            "{n} seconds is past the {MAX_TIMEOUT_SECS} allowed (an hour)"
        )),
        Ok(n) => Ok(n),
        Err(_) => Err(format!(
            "`{s}` is not a whole number of seconds; give 1 to 3600"
        )),
    }
}

/// The longest load run: a day. Past it, a run is a soak test, not a documented workload.
pub const MAX_RUN_TIME_SECS: f64 = 24.0 * 3600.0;

pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let (n, unit) = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map(|i| s.split_at(i))
        .unwrap_or((s, "s"));
    let n: f64 = n
        .parse()
        .map_err(|_| format!("`{s}`: use a number with s, m or h, e.g. 90s"))?;
    let secs = match unit {
        "s" | "" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        "ms" => n / 1000.0,
        _ => return Err(format!("`{s}`: use a number with s, m or h, e.g. 90s")),
    };
    if !(secs > 0.0 && secs.is_finite()) {
        return Err(format!("`{s}`: give a duration longer than 0"));
    }
    if secs > MAX_RUN_TIME_SECS {
        return Err(format!("`{s}`: at most 24h"));
    }
    std::time::Duration::try_from_secs_f64(secs).map_err(|e| format!("`{s}`: {e}"))
}

/// A duration of `parse_duration`, at most `MAX_TIMEOUT`.
pub fn parse_timeout(s: &str) -> Result<std::time::Duration, String> {
    let d = parse_duration(s)?;
    if d > MAX_TIMEOUT {
        return Err(format!("`{s}`: at most 24h"));
    }
    Ok(d)
}

/// A number of load users: at least 1, at most `MAX_LOAD_USERS`.
pub fn parse_load_users(s: &str) -> Result<usize, String> {
    let max = crate::load::run::MAX_LOAD_USERS;
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "`{s}`: give between 1 and {max} load users (each holds its own HTTP client and connection)"
        )),
    }
}

/// A rule id glob of `--rule` and `--skip`, as the engine compiles it (`*` crosses dots).
pub fn parse_glob(s: &str) -> Result<String, String> {
    globset::GlobBuilder::new(s)
        .literal_separator(false)
        .build()
        .map(|_| s.to_string())
        .map_err(|e| format!("`{s}` is not a glob: {}", e.kind()))
}

/// A share of rules, `N%` (0 to 100): `--max-skipped`. Returned as a fraction.
pub fn parse_share(s: &str) -> Result<f64, String> {
    let n = s
        .trim()
        .strip_suffix('%')
        .ok_or_else(|| format!("`{s}`: give a share with %, e.g. 10%"))?;
    match n.trim().parse::<f64>() {
        Ok(v) if (0.0..=100.0).contains(&v) => Ok(v / 100.0),
        _ => Err(format!("`{s}`: give a share from 0% to 100%, e.g. 10%")),
    }
}

pub fn parse_level(s: &str) -> Result<crate::Level, String> {
    match s {
        "must" => Ok(crate::Level::Must),
        "should" => Ok(crate::Level::Should),
        "may" => Ok(crate::Level::May),
        _ => Err(format!("`{s}`: use must, should or may")),
    }
}

/// `KIND=PATH` of `check --report`.
pub fn parse_report(s: &str) -> Result<ReportFile, String> {
    let (kind, path) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: write KIND=PATH, e.g. junit=reports/junit.xml"))?;
    let formats = crate::report::check::FORMATS;
    let format = ReportFormat::named(kind, formats).ok_or_else(|| {
        format!(
            "unknown report `{kind}`: use one of {}",
            ReportFormat::names(formats)
        )
    })?;
    Ok(ReportFile {
        format,
        path: PathBuf::from(path),
    })
}

/// `KIND=PATH` of `load --report` and `plan --report`.
pub fn parse_load_report(s: &str) -> Result<ReportFile, String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: use KIND=PATH, e.g. html=load.html"))?;
    let formats = crate::report::load::FORMATS;
    let format = ReportFormat::named(k, formats).ok_or_else(|| {
        format!(
            "`{k}`: the load reports are {}",
            ReportFormat::names(formats)
        )
    })?;
    Ok(ReportFile {
        format,
        path: PathBuf::from(v),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_kinds_are_typed_and_load_has_no_junit() {
        let r = parse_report("junit=out/j.xml").unwrap();
        assert_eq!(r.format, ReportFormat::Junit);
        assert_eq!(r.path, PathBuf::from("out/j.xml"));
        assert_eq!(
            parse_report("pdf=x").unwrap_err(),
            "unknown report `pdf`: use one of json, junit, md, html"
        );
        assert_eq!(
            parse_load_report("md=l.md").unwrap().format,
            ReportFormat::Markdown
        );
        assert_eq!(
            parse_load_report("junit=x").unwrap_err(),
            "`junit`: the load reports are json, md, html"
        );
        assert!(parse_report("json").unwrap_err().contains("KIND=PATH"));
    }
}
