//! Baselines, diffs and reruns: what an earlier JSON report (`check --report json=PATH`) says
//! failed, and how a later run (or report) compares with it.
//!
//! A failure is identified by its API, its rule id and the failing expectation: the step, the
//! subject and what was expected, never what was observed. What a run makes up or a target
//! assigns is scrubbed from them first (origins, hosts and ports, UUIDs, timestamps, the run's
//! hex tag, numbers of four digits or more, the values expected of an id), so the same failure
//! has the same identity on every run and every port. A rule that failed counts here when its
//! failure fails the run: at `must`, or at `should` with `strict`.
//!
//! Pure functions over results and report text; reading the file is [`Report::read`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::contract::{normalize_ws, Level};
use crate::results::{ApiResult, RuleResult, Status};

/// The largest report read: far past any real run's (bodies are cut to 2,000 characters), and
/// small enough that a wrong file (a database dump) is refused before it is read.
pub const MAX_REPORT_BYTES: u64 = 256 * 1024 * 1024;

/// A report that cannot serve as a baseline, or as a side of a diff.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {why}", path.display())]
    NotAReport { path: PathBuf, why: String },
}

/// One failing expectation of a rule, with the identity it is compared by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expectation {
    /// What the failure is known by: step, subject and expected, scrubbed of what changes
    /// from run to run.
    pub identity: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    pub subject: String,
    pub expected: String,
    /// What this run (or report) observed: shown, never compared.
    pub observed: String,
}

impl Expectation {
    fn new(step: Option<&str>, subject: &str, expected: &str, observed: &str) -> Self {
        Expectation {
            identity: identity(step, subject, expected),
            step: step.map(str::to_string),
            subject: subject.to_string(),
            expected: expected.to_string(),
            observed: observed.to_string(),
        }
    }

    /// A failed rule that recorded no failure (a deadline, a transport error said as its
    /// reason): the rule's failing at all is its one expectation.
    fn whole_rule(reason: Option<&str>) -> Self {
        Expectation::new(None, "the rule", "to pass", reason.unwrap_or("failed"))
    }
}

impl std::fmt::Display for Expectation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(step) = &self.step {
            write!(f, "[{step}] ")?;
        }
        write!(f, "{}: expected {}", self.subject, self.expected)
    }
}

/// A failed rule, with the expectations a comparison put it under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComparedRule {
    pub api: String,
    pub rule: String,
    /// Its kind: `conformance` for the conformance checks, which judge every rule's exchanges.
    pub kind: String,
    /// The level its failure counts at.
    pub level: Level,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub cite: Vec<String>,
    pub expectations: Vec<Expectation>,
}

impl ComparedRule {
    fn with(&self, expectations: Vec<Expectation>) -> Self {
        ComparedRule {
            expectations,
            ..self.clone()
        }
    }
}

/// What one run found, as a comparison reads it: the rules it judged (passed or failed), and
/// of them those whose failure fails the run, each with its failing expectations.
#[derive(Debug, Clone, Default)]
pub struct Outcomes {
    judged: BTreeSet<(String, String)>,
    failed: BTreeMap<(String, String), ComparedRule>,
}

impl Outcomes {
    /// The outcomes of a run's results.
    pub fn of_results(apis: &[ApiResult], strict: bool) -> Self {
        let mut out = Outcomes::default();
        for api in apis {
            for r in &api.results {
                let key = (api.api.clone(), r.id.clone());
                if matches!(r.status, Status::Passed | Status::Failed) {
                    out.judged.insert(key.clone());
                }
                if r.counts_as_failure(strict) {
                    out.failed.insert(key, failed_rule(&api.api, r));
                }
            }
        }
        out
    }

    /// The rules whose failure fails the run, ordered by API, then rule id.
    pub fn failed(&self) -> impl Iterator<Item = &ComparedRule> {
        self.failed.values()
    }

    /// Whether no rule failed.
    pub fn nothing_failed(&self) -> bool {
        self.failed.is_empty()
    }
}

fn failed_rule(api: &str, r: &RuleResult) -> ComparedRule {
    let mut expectations: Vec<Expectation> = r
        .failures
        .iter()
        .map(|f| {
            Expectation::new(
                f.step.as_deref(),
                &f.failure.subject,
                &f.failure.expected,
                &f.failure.observed,
            )
        })
        .collect();
    if expectations.is_empty() {
        expectations.push(Expectation::whole_rule(r.reason.as_deref()));
    }
    ComparedRule {
        api: api.to_string(),
        rule: r.id.clone(),
        kind: r.kind.clone(),
        level: r.effective_level(),
        title: r.title.clone(),
        cite: r.cite.clone(),
        expectations: dedup(expectations),
    }
}

/// One expectation per identity, the first seen kept (a schema failure at many instance
/// paths is one expectation).
fn dedup(expectations: Vec<Expectation>) -> Vec<Expectation> {
    let mut seen = BTreeSet::new();
    expectations
        .into_iter()
        .filter(|e| seen.insert(e.identity.clone()))
        .collect()
}

/// A JSON report of `specgate check`, read as a baseline or a side of a diff.
#[derive(Debug, Clone)]
pub struct Report {
    pub path: PathBuf,
    /// The version of specgate that wrote it.
    pub specgate: String,
    apis: Vec<ReportApi>,
}

#[derive(Debug, Clone, Deserialize)]
struct ReportDoc {
    specgate: String,
    apis: Vec<ReportApi>,
}

#[derive(Debug, Clone, Deserialize)]
struct ReportApi {
    api: String,
    results: Vec<ReportRule>,
}

#[derive(Debug, Clone, Deserialize)]
struct ReportRule {
    id: String,
    kind: String,
    level: Level,
    status: ReportStatus,
    #[serde(default)]
    counts_as: Option<Level>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    cite: Vec<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    failures: Vec<ReportFailure>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum ReportStatus {
    Passed,
    Failed,
    Skipped,
    NotRun,
}

#[derive(Debug, Clone, Deserialize)]
struct ReportFailure {
    #[serde(default)]
    step: Option<String>,
    subject: String,
    expected: String,
    #[serde(default)]
    observed: String,
}

impl Report {
    /// Read and parse the report at `path`.
    pub fn read(path: &Path) -> Result<Report, BaselineError> {
        let read = |source| BaselineError::Read {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(read)?;
        if meta.is_dir() {
            return Err(BaselineError::NotAReport {
                path: path.to_path_buf(),
                why: "a directory, not a report; give the report.json a run wrote".into(),
            });
        }
        if meta.len() > MAX_REPORT_BYTES {
            return Err(BaselineError::NotAReport {
                path: path.to_path_buf(),
                why: format!(
                    "{} bytes, more than any specgate report ({MAX_REPORT_BYTES} at most)",
                    meta.len()
                ),
            });
        }
        let text = std::fs::read_to_string(path).map_err(read)?;
        Report::parse(path, &text)
    }

    /// Parse `text`, the report read from `path` (named in errors).
    pub fn parse(path: &Path, text: &str) -> Result<Report, BaselineError> {
        let refuse = |why: String| BaselineError::NotAReport {
            path: path.to_path_buf(),
            why,
        };
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            refuse(format!(
                "not a specgate report: not JSON ({e}); give the report.json of `specgate check`"
            ))
        })?;
        if !value.get("specgate").is_some_and(|v| v.is_string()) {
            return Err(refuse(
                "not a specgate report: it has no `specgate` version field; give the report.json of `specgate check` (not its JUnit, Markdown or HTML report)"
                    .into(),
            ));
        }
        let doc: ReportDoc = serde_path_to_error::deserialize(value).map_err(|e| {
            refuse(format!(
                "not a specgate report: at {}: {}",
                e.path(),
                e.inner()
            ))
        })?;
        Ok(Report {
            path: path.to_path_buf(),
            specgate: doc.specgate,
            apis: doc.apis,
        })
    }

    /// The outcomes the report records; a rule's failure counts at the level the report says
    /// it counted at (`counts_as`), `must`, or `should` with `strict`.
    pub fn outcomes(&self, strict: bool) -> Outcomes {
        let mut out = Outcomes::default();
        for api in &self.apis {
            for r in &api.results {
                let key = (api.api.clone(), r.id.clone());
                if matches!(r.status, ReportStatus::Passed | ReportStatus::Failed) {
                    out.judged.insert(key.clone());
                }
                let level = r.counts_as.unwrap_or(r.level);
                let counts = level == Level::Must || (strict && level == Level::Should);
                if r.status != ReportStatus::Failed || !counts {
                    continue;
                }
                let mut expectations: Vec<Expectation> = r
                    .failures
                    .iter()
                    .map(|f| {
                        Expectation::new(f.step.as_deref(), &f.subject, &f.expected, &f.observed)
                    })
                    .collect();
                if expectations.is_empty() {
                    expectations.push(Expectation::whole_rule(r.reason.as_deref()));
                }
                out.failed.insert(
                    key,
                    ComparedRule {
                        api: api.api.clone(),
                        rule: r.id.clone(),
                        kind: r.kind.clone(),
                        level,
                        title: r.title.clone(),
                        cite: r.cite.clone(),
                        expectations: dedup(expectations),
                    },
                );
            }
        }
        out
    }

    /// The APIs the report holds, in its order.
    pub fn apis(&self) -> Vec<&str> {
        self.apis.iter().map(|a| a.api.as_str()).collect()
    }

    /// How many rules the report holds.
    pub fn rules(&self) -> usize {
        self.apis.iter().map(|a| a.results.len()).sum()
    }
}

/// How a later run compares with an earlier one, rule by rule, each rule with the
/// expectations that put it in its list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// Failing now, on an expectation that did not fail before (a rule that failed before on
    /// other expectations is here with its new ones).
    pub new: Vec<ComparedRule>,
    /// Failing before and now, on the same expectations.
    pub still_failing: Vec<ComparedRule>,
    /// Failing before, and judged now without that failure.
    pub fixed: Vec<ComparedRule>,
    /// Failing before, and not judged now: not selected, skipped, or not run.
    pub not_run: Vec<ComparedRule>,
}

impl Comparison {
    /// Compare `later` with `earlier`.
    pub fn of(earlier: &Outcomes, later: &Outcomes) -> Self {
        let mut c = Comparison::default();
        for (key, now) in &later.failed {
            let before: BTreeSet<&str> = earlier
                .failed
                .get(key)
                .map(|r| r.expectations.iter().map(|e| e.identity.as_str()).collect())
                .unwrap_or_default();
            let (still, new): (Vec<Expectation>, Vec<Expectation>) = now
                .expectations
                .iter()
                .cloned()
                .partition(|e| before.contains(e.identity.as_str()));
            if !new.is_empty() {
                c.new.push(now.with(new));
            }
            if !still.is_empty() {
                c.still_failing.push(now.with(still));
            }
        }
        for (key, then) in &earlier.failed {
            let now: BTreeSet<&str> = later
                .failed
                .get(key)
                .map(|r| r.expectations.iter().map(|e| e.identity.as_str()).collect())
                .unwrap_or_default();
            let gone: Vec<Expectation> = then
                .expectations
                .iter()
                .filter(|e| !now.contains(e.identity.as_str()))
                .cloned()
                .collect();
            if gone.is_empty() {
                continue;
            }
            if later.judged.contains(key) {
                c.fixed.push(then.with(gone));
            } else {
                c.not_run.push(then.with(gone));
            }
        }
        c
    }

    /// Whether the rule `id` of `api` fails only on expectations that failed before: a known
    /// failure, which does not fail the run.
    pub fn is_known(&self, api: &str, id: &str) -> bool {
        let is = |r: &&ComparedRule| r.api == api && r.rule == id;
        self.still_failing.iter().any(|r| is(&r)) && !self.new.iter().any(|r| is(&r))
    }

    /// The rules failing now only on known expectations.
    pub fn known(&self) -> impl Iterator<Item = &ComparedRule> {
        self.still_failing
            .iter()
            .filter(|r| self.is_known(&r.api, &r.rule))
    }

    pub fn counts(&self) -> ComparisonCounts {
        ComparisonCounts {
            known: self.known().count(),
            new: self.new.len(),
            fixed: self.fixed.len(),
            not_run: self.not_run.len(),
        }
    }
}

/// A comparison's rules, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ComparisonCounts {
    /// Rules failing only as they failed before.
    pub known: usize,
    /// Rules failing on something new.
    pub new: usize,
    /// Rules that failed before and no longer fail as they did.
    pub fixed: usize,
    /// Rules that failed before and were not judged now.
    pub not_run: usize,
}

/// The identity of a failing expectation: step, subject and expected, scrubbed.
pub fn identity(step: Option<&str>, subject: &str, expected: &str) -> String {
    let expected = if names_an_id(subject) {
        VALUE.replace_all(expected, "<id>").into_owned()
    } else {
        expected.to_string()
    };
    [step.unwrap_or(""), subject, &expected]
        .map(scrub)
        .join(" | ")
}

/// Origins (`https://host:port`), hosts with ports, UUIDs and timestamps, then runs of hex
/// digits that hold four digits or more, or six hex digits or more with a digit (the run's
/// tag `38f0679c`, assigned ids, UNIX times): what changes from run to run or target to
/// target.
static SCRUBS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r"(?i)\b[a-z][a-z0-9+.-]*://[^/\s\x22'<>]+", "<origin>"),
        (r"(?i)\b(?:\d{1,3}(?:\.\d{1,3}){3}|localhost|\[[0-9a-f:]+\]):\d+\b", "<host>"),
        (r"\b\d{1,3}(?:\.\d{1,3}){3}\b", "<host>"),
        (
            r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
            "<uuid>",
        ),
        (
            r"\d{4}[-/]\d{2}[-/]\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?(?:\s?(?:Z|[+-]\d{2}:?\d{2}))?",
            "<time>",
        ),
        (
            r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT\b",
            "<time>",
        ),
    ]
    .into_iter()
    .map(|(re, to)| (Regex::new(re).expect("a valid scrub"), to))
    .collect()
});

static HEX_RUN: LazyLock<Regex> = LazyLock::new(|| Regex::new("[0-9a-fA-F]+").expect("valid"));

/// A number or a quoted string in an expectation: the value expected of an id.
static VALUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#""(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?"#).expect("valid"));

fn scrub(text: &str) -> String {
    let mut out = normalize_ws(text);
    for (re, to) in SCRUBS.iter() {
        out = re.replace_all(&out, *to).into_owned();
    }
    HEX_RUN
        .replace_all(&out, |c: &regex::Captures<'_>| {
            let run = &c[0];
            let digits = run.chars().filter(char::is_ascii_digit).count();
            if digits >= 4 || (digits > 0 && run.len() >= 6) {
                "<n>".to_string()
            } else {
                run.to_string()
            }
        })
        .into_owned()
}

/// Whether a subject's last field names an id (`$.id`, `$[0].parent_id`, `$.data.checklist_ids[2]`,
/// `xml task/id`, `$.userId`): the value it is expected to hold is assigned by the target.
fn names_an_id(subject: &str) -> bool {
    let path = subject.split(" of ").next().unwrap_or(subject);
    let Some(last) = path
        .split(|c: char| ".[]'\"/ ".contains(c))
        .rfind(|s| !s.is_empty() && *s != "*" && !s.chars().all(|c| c.is_ascii_digit()))
    else {
        return false;
    };
    let lower = last.to_ascii_lowercase();
    let stem = lower.strip_suffix('s').unwrap_or(&lower);
    stem == "id"
        || stem.ends_with("_id")
        || stem.ends_with("-id")
        || last.ends_with("Id")
        || last.ends_with("Ids")
        || last.ends_with("ID")
}

/// The rules that failed in `report` (failed at `must`, or at `must` or `should` with
/// `strict`), ordered by API, then rule id: what `check --rerun-failed` runs.
pub fn failed_rules(report: &Report, strict: bool) -> Vec<ComparedRule> {
    report.outcomes(strict).failed().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_changes_between_runs_is_scrubbed_from_the_identity() {
        let a = identity(
            Some("rename it"),
            "$.name",
            "= \"specgate 38f14811 renamed\"",
        );
        let b = identity(
            Some("rename it"),
            "$.name",
            "= \"specgate 38f1494e renamed\"",
        );
        assert_eq!(a, b);
        assert_eq!(
            identity(None, "$.updated_at", "= \"2026/12/02 22:47:48 +0000\""),
            identity(None, "$.updated_at", "= \"2026/12/03 01:00:00 +0000\"")
        );
        assert_eq!(
            identity(None, "$.date", "= \"2026-12-02T22:49:08.127446Z\""),
            identity(None, "$.date", "= \"2027-01-01T00:00:00Z\"")
        );
        assert_eq!(
            identity(None, "header Location", "http://127.0.0.1:40123/tasks/7"),
            identity(None, "header Location", "https://localhost:9/tasks/7")
        );
        assert_eq!(
            identity(None, "$.created", "gte 1796251604"),
            identity(None, "$.created", "gte 1796259999")
        );
        assert_eq!(
            identity(None, "$[1].id", "= 1357"),
            identity(None, "$[1].id", "= 12")
        );
        assert_eq!(
            identity(None, "$.data.checklist_ids[0]", "= 1202"),
            identity(None, "$.data.checklist_ids[0]", "= 3")
        );
        assert_eq!(
            identity(None, "$.task", "= \"54828432-8f8b-4480-9b5d-000000000000\""),
            identity(None, "$.task", "= \"00000000-0000-4000-8000-000000000001\"")
        );
    }

    #[test]
    fn what_a_rule_expects_stays_in_the_identity() {
        assert_ne!(
            identity(None, "status", "201"),
            identity(None, "status", "200")
        );
        assert_ne!(
            identity(None, "$.meta.per_page", "= 100"),
            identity(None, "$.meta.per_page", "= 20")
        );
        assert_ne!(
            identity(Some("a"), "status", "201"),
            identity(Some("b"), "status", "201")
        );
        assert_ne!(
            identity(None, "content type", "application/json"),
            identity(None, "content type", "application/xml")
        );
        assert_ne!(
            identity(None, "$.paid", "= 1"),
            identity(None, "$.paid", "= 2")
        );
    }

    fn report(text: &str) -> Result<Report, BaselineError> {
        Report::parse(Path::new("r.json"), text)
    }

    #[test]
    fn what_is_no_report_is_refused_naming_the_file_and_why() {
        let e = report("<testsuites/>").unwrap_err().to_string();
        assert!(
            e.starts_with("r.json: not a specgate report: not JSON"),
            "{e}"
        );
        let e = report("{\"apis\": []}").unwrap_err().to_string();
        assert!(e.contains("no `specgate` version field"), "{e}");
        let e = report(r#"{"specgate": "0.1.0", "apis": [{"api": "a", "results": [{"id": "a.x", "kind": "exchange", "level": "must", "status": "broken"}]}]}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("at apis[0].results[0].status"), "{e}");
    }

    const EARLIER: &str = r#"{"specgate": "0.1.0", "summary": {}, "apis": [{"api": "a", "title": "A", "results": [
        {"id": "a.x", "kind": "exchange", "level": "must", "status": "failed", "counts_as": "must", "cite": ["c"], "failures": [{"subject": "status", "expected": "201", "observed": "200"}]},
        {"id": "a.y", "kind": "exchange", "level": "must", "status": "failed", "counts_as": "must", "cite": [], "failures": [{"subject": "status", "expected": "404", "observed": "200"}]},
        {"id": "a.z", "kind": "exchange", "level": "must", "status": "failed", "counts_as": "must", "cite": [], "failures": [{"subject": "status", "expected": "401", "observed": "200"}]},
        {"id": "a.w", "kind": "exchange", "level": "should", "status": "failed", "counts_as": "should", "cite": [], "failures": [{"subject": "status", "expected": "401", "observed": "200"}]},
        {"id": "a.v", "kind": "exchange", "level": "must", "status": "passed", "cite": [], "failures": []}
    ]}]}"#;

    const LATER: &str = r#"{"specgate": "0.1.0", "apis": [{"api": "a", "results": [
        {"id": "a.x", "kind": "exchange", "level": "must", "status": "failed", "counts_as": "must", "cite": ["c"], "failures": [{"subject": "status", "expected": "201", "observed": "500"}]},
        {"id": "a.y", "kind": "exchange", "level": "must", "status": "passed", "cite": [], "failures": []},
        {"id": "a.z", "kind": "exchange", "level": "must", "status": "skipped", "reason": "--read-only", "cite": [], "failures": []},
        {"id": "a.v", "kind": "exchange", "level": "must", "status": "failed", "counts_as": "must", "cite": [], "failures": [{"subject": "status", "expected": "200", "observed": "500"}]}
    ]}]}"#;

    fn ids(rules: &[ComparedRule]) -> Vec<&str> {
        rules.iter().map(|r| r.rule.as_str()).collect()
    }

    #[test]
    fn a_comparison_sorts_failures_into_new_still_fixed_and_not_run() {
        let earlier = report(EARLIER).unwrap().outcomes(false);
        let later = report(LATER).unwrap().outcomes(false);
        let c = Comparison::of(&earlier, &later);
        assert_eq!(ids(&c.new), ["a.v"]);
        // Observed 500 now, 200 then: the same expectation.
        assert_eq!(ids(&c.still_failing), ["a.x"]);
        assert_eq!(ids(&c.fixed), ["a.y"]);
        // Skipped now: not judged, so not fixed. The should rule does not count unless strict.
        assert_eq!(ids(&c.not_run), ["a.z"]);
        assert!(c.is_known("a", "a.x"));
        assert!(!c.is_known("a", "a.v"));
        assert_eq!(
            c.counts(),
            ComparisonCounts {
                known: 1,
                new: 1,
                fixed: 1,
                not_run: 1
            }
        );
        let strict = Comparison::of(
            &report(EARLIER).unwrap().outcomes(true),
            &report(LATER).unwrap().outcomes(true),
        );
        assert_eq!(ids(&strict.not_run), ["a.w", "a.z"]);
    }

    #[test]
    fn a_rule_failing_on_a_new_expectation_is_new_with_only_that_one() {
        let earlier = report(EARLIER).unwrap().outcomes(false);
        let later = report(&LATER.replace(
            r#""observed": "500"}]},"#,
            r#""observed": "500"}, {"subject": "content type", "expected": "application/json", "observed": "text/html"}]},"#,
        ))
        .unwrap()
        .outcomes(false);
        let c = Comparison::of(&earlier, &later);
        assert_eq!(ids(&c.new), ["a.v", "a.x"]);
        assert_eq!(c.new[1].expectations.len(), 1);
        assert_eq!(c.new[1].expectations[0].subject, "content type");
        assert!(!c.is_known("a", "a.x"));
    }

    #[test]
    fn the_failed_rules_of_a_report_are_those_that_failed_the_run() {
        let r = report(EARLIER).unwrap();
        let rules = |strict| -> Vec<String> {
            failed_rules(&r, strict)
                .into_iter()
                .map(|r| r.rule)
                .collect()
        };
        assert_eq!(rules(false), ["a.x", "a.y", "a.z"]);
        assert_eq!(rules(true), ["a.w", "a.x", "a.y", "a.z"]);
    }
}
