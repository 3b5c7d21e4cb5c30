//! The context one rule runs in: it sends the rule's requests, records every exchange (with the
//! `curl` that reproduces it), evaluates expectations, captures variables, and keeps the rule's
//! failures apart from the implicit conformance checks every response undergoes. It learns the
//! secrets the rule meets (Basic pairs it sends, tokens it captures or is handed); the engine
//! redacts them where results leave it.

use serde::Serialize;
use serde_json::Value;
use serde_json_path::JsonPath;

use super::client::{Exchange, HttpClient, TransportError};
use super::expect::{evaluate, select_json, validate_body, Failure};
use super::request::{hide_basic_pair, Context, PrepareError, Prepared};
use super::response::Response;
use super::vars::Vars;
use crate::openapi::is_json_media;
use crate::spec::step::{Expect, Request, Step};
use crate::spec::Basis;
use crate::spec::Spec;
use crate::target::Target;

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

    fn of(ex: &Exchange) -> Self {
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
            curl: ex.request.curl(),
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

/// One exchange as recorded, for the cross-cutting rules and the conformance checks.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub exchange: Exchange,
    pub view: ExchangeView,
    pub probe: Probe,
}

/// How an exchange relates to the documented operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// A request as the operation documents it: its documented answers apply.
    No,
    /// A method the operation does not have (a 405 check): the operation's documented answers do
    /// not apply, API-wide rules (error envelopes) do.
    OtherMethod,
    /// A transport probe (plain HTTP, a foreign host): the refusal may come from a proxy before
    /// the API, so only the refusal itself is judged.
    Transport,
}

/// Why a rule stopped before its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The target lacks what the rule needs (a credential, data to discover): not a failure.
    Skip(String),
    /// A failure was recorded and the rule cannot go on.
    Abort,
}

pub struct RuleCx<'a> {
    pub spec: &'a Spec,
    pub target: &'a Target,
    pub client: &'a HttpClient,
    pub vars: Vars,
    pub recorded: Vec<Recorded>,
    pub failures: Vec<RuleFailure>,
    /// What a `may` rule saw, for the report.
    pub observations: Vec<String>,
    /// The evidence of the rule's expectations (each may say its own), and why when inferred.
    pub basis: Basis,
    pub note: Option<String>,
    /// The request in flight, if any (method, redacted URL, when it was sent): what a rule
    /// stopped at its deadline was waiting on.
    pub pending: Option<(String, String, std::time::Instant)>,
}

impl<'a> RuleCx<'a> {
    pub fn new(spec: &'a Spec, target: &'a Target, client: &'a HttpClient, vars: Vars) -> Self {
        RuleCx {
            spec,
            target,
            client,
            vars,
            recorded: vec![],
            failures: vec![],
            observations: vec![],
            basis: Basis::Stated,
            note: None,
            pending: None,
        }
    }

    /// The context of `rule`: its failures rest on its basis unless their expectation says one.
    pub fn for_rule(mut self, rule: &crate::spec::Rule) -> Self {
        self.basis = rule.basis;
        self.note = rule.note.clone();
        self
    }

    pub fn context(&self) -> Context<'a> {
        Context {
            contract: &self.spec.contract,
            api: &self.spec.api,
            target: self.target,
        }
    }

    pub fn fail(&mut self, step: Option<&str>, failure: Failure, exchange: Option<usize>) {
        let exchange = exchange
            .and_then(|i| self.recorded.get(i))
            .map(|r| r.view.clone());
        let failure = failure.on_basis(Some(self.basis), self.note.as_deref());
        self.failures.push(RuleFailure {
            step: step.map(str::to_string),
            failure,
            exchange,
        });
    }

    /// Build a request; a missing credential or role skips the rule.
    pub fn prepare(&mut self, req: &Request) -> Result<Prepared, Stop> {
        match self.context().prepare(req, &self.vars) {
            Ok(p) => Ok(p),
            Err(PrepareError::MissingRole(r)) => Err(Stop::Skip(format!(
                "the target has no credentials for role `{r}`"
            ))),
            Err(PrepareError::Missing(m))
                if self.spec.contract.credentials.iter().any(|c| c.name == m.0) =>
            {
                Err(Stop::Skip(format!(
                    "the target has no credential `{}`",
                    m.0
                )))
            }
            Err(PrepareError::Missing(m))
                if self.spec.contract.fixtures.iter().any(|f| f.name == m.0) =>
            {
                Err(Stop::Skip(format!(
                    "the target has no fixture `{0}` (give it in the profile: `fixtures: {{ {0}: ... }}`)",
                    m.0
                )))
            }
            Err(e) => {
                self.fail(
                    None,
                    Failure::new("request", "a request that can be built", e.to_string()),
                    None,
                );
                Err(Stop::Abort)
            }
        }
    }

    /// Send a prepared request and record it. Transport errors are returned, not failed: the
    /// caller knows whether no answer is what it expects (a refused plain-HTTP request).
    pub async fn send_prepared(
        &mut self,
        p: &Prepared,
        probe: Probe,
    ) -> (usize, Result<Response, TransportError>) {
        hide_basic_pair(&mut self.vars, p);
        // Raw: the exchange views are redacted where results leave the engine.
        self.pending = Some((p.method.clone(), p.url.clone(), std::time::Instant::now()));
        let exchange = self.client.send(p).await;
        self.pending = None;
        if let Ok(r) = &exchange.outcome {
            self.hide_secret_fields(r);
        }
        let view = ExchangeView::of(&exchange);
        let outcome = exchange.outcome.clone();
        self.recorded.push(Recorded {
            exchange,
            view,
            probe,
        });
        (self.recorded.len() - 1, outcome)
    }

    /// Send `req`; no answer at all fails the rule.
    pub async fn send(
        &mut self,
        req: &Request,
        step: Option<&str>,
    ) -> Result<(usize, Response), Stop> {
        let p = self.prepare(req)?;
        // A method the operation does not have (a 405 probe) is not judged by its responses.
        let probe = match (&req.operation, &req.method) {
            (Some(op), Some(m)) => self
                .spec
                .api
                .operations
                .get(op)
                .is_some_and(|o| !o.method.eq_ignore_ascii_case(m)),
            _ => false,
        };
        let probe = if probe { Probe::OtherMethod } else { Probe::No };
        let (i, outcome) = self.send_prepared(&p, probe).await;
        match outcome {
            Ok(r) => Ok((i, r)),
            Err(e) => {
                self.fail(step, no_answer(&e), Some(i));
                Err(Stop::Abort)
            }
        }
    }

    /// Evaluate `expect`; failures are recorded. True when it held.
    pub fn expect(
        &mut self,
        step: Option<&str>,
        index: usize,
        response: &Response,
        expect: &Expect,
    ) -> bool {
        let failures = evaluate(expect, response, &self.spec.api, &self.vars);
        let ok = failures.is_empty();
        for f in failures {
            self.fail(step, f, Some(index));
        }
        ok
    }

    /// Capture variables from a JSON body: the first node each path selects. Returns the name
    /// of the first capture that selected nothing. A name the contract says holds a secret
    /// captures a secret.
    pub fn capture(
        &mut self,
        response: &Response,
        captures: &std::collections::BTreeMap<String, String>,
    ) -> Result<(), String> {
        let outcome = capture(&mut self.vars, response, captures);
        for name in captures.keys() {
            if self.spec.contract.is_secret_var(name) {
                if let Some(v) = self.vars.get(name).map(super::vars::scalar_text) {
                    self.vars.capture_secret(name, &v);
                }
            }
        }
        outcome
    }

    /// Every value at the contract's secret response fields becomes a secret.
    fn hide_secret_fields(&mut self, response: &Response) {
        let fields = &self.spec.contract.secrets.fields;
        if fields.is_empty() {
            return;
        }
        // Whatever the Content-Type says: a token in a mislabelled body is a token.
        let Ok(body) = response.json() else { return };
        for (name, path) in fields {
            for node in select_json(&body, path, &self.vars).unwrap_or_default() {
                if !node.is_null() {
                    let text = super::vars::scalar_text(&node);
                    self.vars.hide_field(name, &text);
                }
            }
        }
    }

    /// A step of a lifecycle: send, check, capture. A capture that selects nothing fails.
    pub async fn step(&mut self, step: &Step, label: &str) -> Result<Response, Stop> {
        let label = step.name.as_deref().unwrap_or(label).to_string();
        let (i, r) = self.send(&step.request, Some(&label)).await?;
        let held = match &step.expect {
            Some(e) => self.expect(Some(&label), i, &r, e),
            None => true,
        };
        if let Err(name) = self.capture(&r, &step.capture) {
            let path = step.capture.get(&name).cloned().unwrap_or_default();
            self.fail(
                Some(&label),
                Failure::new(
                    format!("capture {name}"),
                    format!("a value at {path}"),
                    "nothing",
                ),
                Some(i),
            );
            return Err(Stop::Abort);
        }
        if held {
            Ok(r)
        } else {
            Err(Stop::Abort)
        }
    }

    /// Discovery steps, the rule's preconditions: they find out how the target is set up (which
    /// ids exist, what a role sees). An unmet expectation or a capture that selects nothing
    /// means the target differs from what the rule needs, which skips the rule with the reason
    /// and never fails it. (A target that does not answer at all still fails.)
    pub async fn given(&mut self, steps: &[Step]) -> Result<(), Stop> {
        for (n, step) in steps.iter().enumerate() {
            let label = step
                .name
                .clone()
                .unwrap_or_else(|| format!("given {}", n + 1));
            let (_, r) = self.send(&step.request, Some(&label)).await?;
            if let Some(e) = &step.expect {
                let unmet = evaluate(e, &r, &self.spec.api, &self.vars);
                if let Some(first) = unmet.first() {
                    return Err(Stop::Skip(format!(
                        "precondition not met ({label}): {first}"
                    )));
                }
            }
            if let Err(name) = self.capture(&r, &step.capture) {
                return Err(Stop::Skip(format!(
                    "the target has no data for `{name}` ({label})"
                )));
            }
        }
        Ok(())
    }
}

/// The implicit checks of one exchange: a documented status, a body that matches the
/// documented schema, and no server error (as Schemathesis's status_code_conformance,
/// response_schema_conformance and not_a_server_error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Conformance {
    NotAServerError,
    StatusCodeConformance,
    ResponseSchemaConformance,
}

impl Conformance {
    pub const ALL: [Conformance; 3] = [
        Conformance::NotAServerError,
        Conformance::StatusCodeConformance,
        Conformance::ResponseSchemaConformance,
    ];

    pub fn id(self, api: &str) -> String {
        let name = match self {
            Conformance::NotAServerError => "not-a-server-error",
            Conformance::StatusCodeConformance => "status-code-conformance",
            Conformance::ResponseSchemaConformance => "response-schema-conformance",
        };
        format!("{api}.conformance.{name}")
    }

    pub fn title(self) -> &'static str {
        match self {
            Conformance::NotAServerError => "no answer is a server error (5xx)",
            Conformance::StatusCodeConformance => "every status is one the operation documents",
            Conformance::ResponseSchemaConformance => "every body matches its documented schema",
        }
    }

    /// What this check finds wrong with one exchange; `None` when the exchange is not one it
    /// can judge (no answer, a probe, an operation or status it has nothing to compare with).
    pub fn judge(self, spec: &Spec, rec: &Recorded) -> Option<Vec<Failure>> {
        let Ok(resp) = &rec.exchange.outcome else {
            return None;
        };
        if self == Conformance::NotAServerError {
            // Every operation's document states its answers, and none of them is a 5xx.
            return Some(if resp.status >= 500 {
                vec![Failure::new("status", "not a 5xx", resp.status.to_string())
                    .on_basis(Some(Basis::Stated), None)]
            } else {
                vec![]
            });
        }
        if rec.probe != Probe::No {
            return None;
        }
        let op = rec
            .exchange
            .request
            .operation
            .as_ref()
            .and_then(|o| spec.api.operations.get(o))?;
        let Some(key) = op.response_key(resp.status) else {
            return if self == Conformance::StatusCodeConformance {
                // A success the document does not name contradicts the one it states; a
                // refusal it does not describe may come from any case it leaves open.
                let basis = if resp.status < 400 {
                    Basis::Stated
                } else {
                    Basis::Convention
                };
                Some(vec![Failure::new(
                    format!("status of {}", op.id),
                    format!("a documented status ({})", op.statuses.join(", ")),
                    resp.status.to_string(),
                )
                .on_basis(
                    Some(basis),
                    Some(
                        "the document names the refusals it describes; a request it does not \
                         describe may be refused with another status",
                    ),
                )])
            } else {
                None
            };
        };
        if self == Conformance::StatusCodeConformance {
            return Some(vec![]);
        }
        let media = resp.media_type().filter(|m| is_json_media(m))?;
        let validator = spec
            .api
            .response_validator(&op.id, key, Some(&media))
            .or_else(|| spec.api.response_validator(&op.id, key, None))?;
        let (basis, note) = spec.api.response_basis(&op.id, key);
        Some(
            validate_body(validator, resp, &format!("body of {} {}", op.id, key))
                .into_iter()
                .map(|f| f.on_basis(Some(basis), note))
                .collect(),
        )
    }

    /// Why this check judged nothing, for a run whose `recorded` exchanges it could not judge.
    pub fn nothing_judged(self, recorded: usize) -> String {
        let what = match self {
            Conformance::NotAServerError => "an HTTP answer",
            Conformance::StatusCodeConformance => {
                "an answer to a documented operation, sent as documented"
            }
            Conformance::ResponseSchemaConformance => {
                "a JSON answer with a documented schema for its status"
            }
        };
        format!("no exchange to judge: none of the {recorded} exchange(s) of the run was {what}")
    }
}

/// No answer at all: whatever the rule infers, every documented operation states an answer.
pub fn no_answer(e: &TransportError) -> Failure {
    Failure::new("answer", "an HTTP answer", e.to_string()).on_basis(Some(Basis::Stated), None)
}

/// Capture variables from a JSON body into `vars`: the first node each path selects. Returns
/// the name of the first capture that selected nothing. What a step's `capture` does; public
/// for benches.
pub fn capture(
    vars: &mut Vars,
    response: &Response,
    captures: &std::collections::BTreeMap<String, String>,
) -> Result<(), String> {
    if captures.is_empty() {
        return Ok(());
    }
    let body = response.json().unwrap_or(Value::Null);
    for (name, path) in captures {
        let path = vars
            .render(path)
            .ok()
            .and_then(|p| crate::jsonpath::parse(&p).ok());
        if !path.is_some_and(|p| capture_first(vars, name, &p, &body)) {
            return Err(name.clone());
        }
    }
    Ok(())
}

/// Set `name` in `vars` to the first node `path` selects in `body`; `false` when it selects
/// nothing. One capture, as a step of a rule and a load user's step make it.
pub fn capture_first(vars: &mut Vars, name: &str, path: &JsonPath, body: &Value) -> bool {
    match path.query(body).first() {
        Some(node) => {
            vars.set(name, node.clone());
            true
        }
        None => false,
    }
}
