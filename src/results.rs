//! What a run finds: each rule's result with its failures and the exchanges they were seen
//! on, each API's results, and the events a run emits as it goes. Reporters read these and
//! nothing else of the engine; the engine redacts them before they leave it.

use serde::Serialize;

use crate::basis::Basis;
use crate::contract::{normalize_ws, Level};
use crate::coverage::{Coverage, Hit};
use crate::exchange::client::Exchange;
use crate::redact::{Redact, Redactor};

/// One failed expectation: what was checked, what was expected and what was observed; schema
/// failures also carry the instance path and the schema path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// What was checked: `status`, `content type`, `schema Error`, `header Retry-After`,
    /// `$.data[*].id`, `xml tasks/task/id`.
    pub subject: String,
    pub expected: String,
    pub observed: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_path: Option<String>,
    /// The evidence for what was expected: `stated` by the cite, or inferred. Set by the
    /// expectation when it says one, else by the rule when the failure is recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<Basis>,
    /// Why an inferred expectation reads the document as it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Failure {
    pub fn new(
        subject: impl Into<String>,
        expected: impl Into<String>,
        observed: impl Into<String>,
    ) -> Self {
        Failure {
            subject: subject.into(),
            expected: expected.into(),
            observed: observed.into(),
            instance_path: None,
            schema_path: None,
            basis: None,
            note: None,
        }
    }

    /// The same failure, resting on `basis` (and why), unless it already has one.
    pub fn on_basis(mut self, basis: Option<Basis>, note: Option<&str>) -> Self {
        if self.basis.is_none() {
            self.basis = basis;
            if self.note.is_none() && basis.is_some_and(|b| !b.is_stated()) {
                self.note = note.map(str::to_string);
            }
        }
        self
    }

    /// Whether this failure rests on what the document states (a failure with no basis yet is
    /// taken as stated).
    pub fn is_stated(&self) -> bool {
        self.basis.is_none_or(Basis::is_stated)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: expected {}, observed {}",
            self.subject, self.expected, self.observed
        )?;
        if let Some(p) = &self.instance_path {
            // An empty JSON pointer is the whole body, which "at ," would not say.
            let at = if p.is_empty() { "the body's root" } else { p };
            write!(f, " (at {at}")?;
            if let Some(s) = &self.schema_path {
                write!(f, ", schema {s}")?;
            }
            write!(f, ")")?;
        }
        match (self.basis, &self.note) {
            (Some(b), Some(n)) if !b.is_stated() => {
                write!(f, " [basis: {b}: {}]", normalize_ws(n))
            }
            (Some(b), _) => write!(f, " [basis: {b}]"),
            (None, _) => Ok(()),
        }
    }
}

/// Bodies are shown up to this many characters in reports.
const BODY_EXCERPT: usize = 2000;

/// What a report shows of one exchange. Built raw: the engine redacts it (with every result)
/// before it leaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExchangeView {
    pub method: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: String,
    pub elapsed_ms: u64,
    /// The shell commands that send the request again where the profile's variables are set:
    /// the curl, preceded, when it uses a captured value (a login's token), by the line that
    /// gets that value into a shell variable (`TOKEN=$(curl … | sed …)`).
    pub curl: String,
}

impl ExchangeView {
    /// The status, or why there was none.
    pub fn answer(&self) -> String {
        self.status
            .map(|s| s.to_string())
            .or_else(|| self.error.clone())
            .unwrap_or_default()
    }

    pub fn of(ex: &Exchange) -> Self {
        Self::with_curl(ex, ex.request.curl())
    }

    /// The view of an exchange with `target`, whose curl reaches it as the run did (its host
    /// names resolved, its certificate trusted).
    pub fn of_at(ex: &Exchange, target: &crate::target::Target) -> Self {
        Self::with_curl(ex, ex.request.curl_at(target))
    }

    fn with_curl(ex: &Exchange, curl: String) -> Self {
        let (status, error, headers, body) = match &ex.outcome {
            Ok(r) => {
                // Only the bytes the excerpt can show are decoded (a character is at most 4
                // bytes): a body near the cap is neither copied nor scanned whole.
                let head = &r.body[..r.body.len().min(4 * BODY_EXCERPT + 4)];
                let text = String::from_utf8_lossy(head);
                let body = if text.chars().count() > BODY_EXCERPT || head.len() < r.body.len() {
                    format!(
                        "{}… ({} bytes)",
                        text.chars().take(BODY_EXCERPT).collect::<String>(),
                        r.body.len()
                    )
                } else {
                    text.into_owned()
                };
                (Some(r.status), None, r.headers.clone(), body)
            }
            Err(e) => (None, Some(e.to_string()), vec![], String::new()),
        };
        ExchangeView {
            method: ex.request.method.clone(),
            url: ex.request.url.clone(),
            status,
            error,
            response_headers: headers,
            response_body: body,
            elapsed_ms: ex.elapsed.as_millis() as u64,
            curl,
        }
    }
}

/// One failed expectation, with the exchange it was seen on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleFailure {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    #[serde(flatten)]
    pub failure: Failure,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange: Option<ExchangeView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Passed,
    Failed,
    /// The target lacks what the rule needs, or the profile or options skip it: said why.
    Skipped,
    /// The rule was never judged: the run was interrupted or ran out of time first, or a check
    /// saw nothing to judge. Never a pass.
    NotRun,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleResult {
    pub id: String,
    pub kind: String,
    pub level: Level,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub cite: Vec<String>,
    pub writes: bool,
    pub status: Status,
    /// For a failed rule, the level its failure counts at: its own level, except a `must` rule
    /// whose every failure rests on an inferred expectation, which counts as `should` (a
    /// warning; it fails the run only with `--strict`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counts_as: Option<Level>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub failures: Vec<RuleFailure>,
    pub observations: Vec<String>,
    pub exchanges: usize,
    /// A skipped rule whose reason is that the target lacks a credential (or a role's): only
    /// these count toward `--max-skipped`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub lacks_credential: bool,
    /// The operations its requests reached and the statuses they answered (requests as the
    /// operation documents them: not a 405 probe's other method, nor a transport probe).
    pub hits: Vec<Hit>,
    pub elapsed_ms: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiResult {
    pub api: String,
    pub title: String,
    pub base_url: String,
    /// Set when the target could not be reached at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreachable: Option<String>,
    pub results: Vec<RuleResult>,
    pub elapsed_ms: u64,
    /// What the run covered of the API's operations and statuses and of its document; absent
    /// when the target could not be reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
}

/// Progress of a run, for the terminal's progress bar. Results in events are redacted.
#[derive(Debug)]
pub enum Event<'a> {
    Started {
        api: &'a str,
        rules: usize,
    },
    RuleDone {
        api: &'a str,
        result: &'a RuleResult,
    },
    /// The API's run has ended (completed, halted or unreachable): its whole, redacted result,
    /// with the cross-cutting and conformance checks that are judged only at the end.
    ApiDone {
        result: &'a ApiResult,
    },
}

/// A failure of a rule, as one line.
pub fn describe(f: &RuleFailure) -> String {
    let step = f
        .step
        .as_deref()
        .map(|s| format!("[{s}] "))
        .unwrap_or_default();
    format!("{step}{}", f.failure)
}

impl RuleResult {
    /// A result with nothing judged yet: no failures, observations, exchanges or hits; the
    /// engine (and tests) fill in the rest with struct-update syntax.
    pub fn bare(id: String, kind: String, level: Level, status: Status) -> Self {
        RuleResult {
            id,
            kind,
            level,
            title: None,
            cite: vec![],
            writes: false,
            status,
            counts_as: None,
            reason: None,
            failures: vec![],
            observations: vec![],
            exchanges: 0,
            lacks_credential: false,
            hits: vec![],
            elapsed_ms: 0,
        }
    }

    /// The level a failure of this rule counts at: a `must` rule none of whose failures rests on
    /// what the document states counts as `should`.
    pub fn effective_level(&self) -> Level {
        let inferred_only =
            !self.failures.is_empty() && self.failures.iter().all(|f| !f.failure.is_stated());
        if self.level == Level::Must && inferred_only {
            Level::Should
        } else {
            self.level
        }
    }

    /// Record the level the result counts at, once its failures are all in.
    pub(crate) fn settle(&mut self) {
        self.counts_as = (self.status == Status::Failed).then(|| self.effective_level());
    }

    /// Failed, and its effective level makes it count: `must` always, `should` with `strict`.
    pub fn counts_as_failure(&self, strict: bool) -> bool {
        let level = self.effective_level();
        self.status == Status::Failed
            && (level == Level::Must || (strict && level == Level::Should))
    }
}

impl Redact for Failure {
    fn redact(&mut self, r: &Redactor) {
        let Failure {
            subject,
            expected,
            observed,
            instance_path,
            schema_path,
            basis: _,
            note,
        } = self;
        note.redact(r);
        subject.redact(r);
        expected.redact(r);
        observed.redact(r);
        instance_path.redact(r);
        schema_path.redact(r);
    }
}

impl Redact for ExchangeView {
    fn redact(&mut self, r: &Redactor) {
        let ExchangeView {
            method,
            url,
            status: _,
            error,
            response_headers,
            response_body,
            elapsed_ms: _,
            curl,
        } = self;
        method.redact(r);
        url.redact(r);
        error.redact(r);
        response_headers.redact(r);
        response_body.redact(r);
        // Redacted so that it still runs: `${NAME}` where the shell expands it, and a captured
        // value got again first.
        *curl = r.redact_shell(curl);
    }
}

impl Redact for RuleFailure {
    fn redact(&mut self, r: &Redactor) {
        let RuleFailure {
            step,
            failure,
            exchange,
        } = self;
        step.redact(r);
        failure.redact(r);
        exchange.redact(r);
    }
}

impl Redact for RuleResult {
    fn redact(&mut self, r: &Redactor) {
        let RuleResult {
            id,
            kind,
            level: _,
            title,
            cite,
            writes: _,
            status: _,
            counts_as: _,
            reason,
            failures,
            observations,
            exchanges: _,
            lacks_credential: _,
            hits,
            elapsed_ms: _,
        } = self;
        hits.redact(r);
        id.redact(r);
        kind.redact(r);
        title.redact(r);
        cite.redact(r);
        reason.redact(r);
        failures.redact(r);
        observations.redact(r);
    }
}

impl Redact for ApiResult {
    fn redact(&mut self, r: &Redactor) {
        let ApiResult {
            api,
            title,
            base_url,
            unreachable,
            results,
            elapsed_ms: _,
            coverage,
        } = self;
        coverage.redact(r);
        api.redact(r);
        title.redact(r);
        base_url.redact(r);
        unreachable.redact(r);
        results.redact(r);
    }
}
