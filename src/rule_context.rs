//! The context one rule runs in: it sends the rule's requests, records every exchange (with the
//! `curl` that reproduces it), evaluates expectations, captures variables, and keeps the rule's
//! failures apart from the implicit conformance checks every response undergoes. It learns the
//! secrets the rule meets (Basic pairs it sends, tokens it captures or is handed); the engine
//! redacts them where results leave it.

use serde_json::Value;
use serde_json_path::JsonPath;

use crate::basis::Basis;
use crate::contract::step::{Expect, Request, Step};
use crate::contract::Contract;
use crate::coverage::Hit;
use crate::exchange::client::{Exchange, HttpClient, TransportError};
use crate::exchange::request::{hide_basic_pair, Context, PrepareError, Prepared};
use crate::exchange::response::Response;
use crate::expect::{evaluate, select_json};
use crate::jsonpath::Query;
use crate::openapi::ApiDoc;
use crate::results::{ExchangeView, Failure, RuleFailure};
use crate::target::Target;
use crate::vars::Vars;

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

/// What a request's answer is held to by `RuleCx::send_expecting`. An answer that is not what
/// is wanted is recorded as failures on the request's step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Want<'e> {
    /// Any answer: the caller judges it itself (or, in a discovery step, nothing is asked).
    Any,
    /// The answer `expect` describes.
    Expect(&'e Expect),
    /// A 2xx; any other status fails as `status`, expected what the text says.
    Success(&'static str),
    /// A refusal: any status but a 2xx, which fails as `status`, expected what the text says.
    Refusal(&'static str),
}

/// What no answer at all means to a request sent with `RuleCx::send_expecting`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Silence {
    /// The request expects an answer the document states: no answer fails as `no_answer`.
    NoAnswer,
    /// No answer is not what the request expects, `expected` (on the rule's basis): a refusal
    /// the rule infers must still be an answer ("a refusal"), a page must come ("a page").
    NotA(&'static str),
    /// No answer is recorded, nothing failed: a transport probe's refusal may be a dropped
    /// connection, and a cleanup does what it can.
    Ignored,
}

/// How `RuleCx::send_expecting` sends a request and judges its answer: the step its failures
/// are recorded on, how the exchange relates to the documented operation, what the answer is
/// held to and what no answer means. By default the probe is the request's own (a method its
/// operation does not have is `Probe::OtherMethod`), and no answer fails as `no_answer`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Expecting<'e> {
    step: Option<&'e str>,
    probe: Option<Probe>,
    want: Want<'e>,
    silence: Silence,
}

impl<'e> Expecting<'e> {
    pub fn new(step: Option<&'e str>, want: Want<'e>) -> Self {
        Expecting {
            step,
            probe: None,
            want,
            silence: Silence::NoAnswer,
        }
    }

    /// The exchange is `probe`, whatever its request's operation says (a changed URL or Host).
    pub fn probe(self, probe: Probe) -> Self {
        Expecting {
            probe: Some(probe),
            ..self
        }
    }

    pub fn silence(self, silence: Silence) -> Self {
        Expecting { silence, ..self }
    }
}

/// What `RuleCx::send_expecting` got, its failures recorded already. The caller decides
/// whether the rule goes on: `answered` stops it at no answer, `held` at any failure.
#[derive(Debug)]
pub struct Answer {
    /// The recorded exchange.
    pub index: usize,
    /// The answer; `None` when there was none.
    pub response: Option<Response>,
    /// Whether the answer was what was wanted (no answer is, only when `Silence::Ignored`).
    pub held: bool,
}

impl Answer {
    /// The answer; no answer stops the rule (its failure is recorded, unless silence was
    /// `Silence::Ignored`: callers that ignore silence do not stop on it).
    pub fn answered(self) -> Result<(usize, Response), Stop> {
        match self.response {
            Some(r) => Ok((self.index, r)),
            None => Err(Stop::Abort),
        }
    }

    /// The answer when it was what was wanted; anything else stops the rule.
    pub fn held(self) -> Result<(usize, Response), Stop> {
        match self.response {
            Some(r) if self.held => Ok((self.index, r)),
            _ => Err(Stop::Abort),
        }
    }
}

/// Why a rule stopped before its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The target lacks what the rule needs (a credential, data to discover): not a failure.
    Skip(String),
    /// The target lacks a credential (or a role's) the rule needs: a skip, and one that counts
    /// toward `--max-skipped`, since a missing `export` must not turn into a green run.
    NoCredential(String),
    /// A failure was recorded and the rule cannot go on.
    Abort,
}

pub struct RuleCx<'a> {
    pub contract: &'a Contract,
    pub api: &'a ApiDoc,
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
    pub fn new(
        contract: &'a Contract,
        api: &'a ApiDoc,
        target: &'a Target,
        client: &'a HttpClient,
        vars: Vars,
    ) -> Self {
        RuleCx {
            contract,
            api,
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

    /// The context of a rule resting on `basis` (and why, when inferred): its failures rest on
    /// it unless their expectation says its own.
    pub fn on_basis(mut self, basis: Basis, note: Option<String>) -> Self {
        self.basis = basis;
        self.note = note;
        self
    }

    pub fn context(&self) -> Context<'a> {
        Context {
            contract: self.contract,
            api: self.api,
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
            Err(PrepareError::MissingRole(r)) => Err(Stop::NoCredential(format!(
                "the target has no credentials for role `{r}`"
            ))),
            Err(PrepareError::Missing(m))
                if self.contract.credentials.iter().any(|c| c.name == m.0) =>
            {
                Err(Stop::NoCredential(format!(
                    "the target has no credential `{}`",
                    m.0
                )))
            }
            Err(PrepareError::Missing(m))
                if self.contract.fixtures.iter().any(|f| f.name == m.0) =>
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
        let view = ExchangeView::of_at(&exchange, self.target);
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
        self.send_expecting(&p, Expecting::new(step, Want::Any))
            .await
            .answered()
    }

    /// Evaluate `expect`; failures are recorded. True when it held.
    pub fn expect(
        &mut self,
        step: Option<&str>,
        index: usize,
        response: &Response,
        expect: &Expect,
    ) -> bool {
        let failures = evaluate(expect, response, self.api, &self.vars);
        let ok = failures.is_empty();
        for f in failures {
            self.fail(step, f, Some(index));
        }
        ok
    }

    /// Send a prepared request and judge its answer as `expecting` says, recording each
    /// failure on its step. Every kind sends through here: what differs between them (the
    /// step, the probe, what is wanted, what no answer means, whether the rule goes on) is a
    /// parameter, so the failures they record keep their words.
    pub async fn send_expecting(&mut self, p: &Prepared, expecting: Expecting<'_>) -> Answer {
        let probe = expecting.probe.unwrap_or_else(|| self.probe_of(p));
        let step = expecting.step;
        let (index, answer) = self.send_prepared(p, probe).await;
        let r = match answer {
            Ok(r) => r,
            Err(e) => {
                let failure = match expecting.silence {
                    Silence::NoAnswer => Some(no_answer(&e)),
                    Silence::NotA(expected) => {
                        Some(Failure::new("answer", expected, e.to_string()))
                    }
                    Silence::Ignored => None,
                };
                let held = failure.is_none();
                if let Some(failure) = failure {
                    self.fail(step, failure, Some(index));
                }
                return Answer {
                    index,
                    response: None,
                    held,
                };
            }
        };
        let status =
            |expected: &str| Failure::new("status", expected.to_string(), r.status.to_string());
        let held = match expecting.want {
            Want::Any => true,
            Want::Expect(e) => self.expect(step, index, &r, e),
            Want::Success(expected) if !(200..300).contains(&r.status) => {
                self.fail(step, status(expected), Some(index));
                false
            }
            Want::Refusal(expected) if (200..300).contains(&r.status) => {
                self.fail(step, status(expected), Some(index));
                false
            }
            Want::Success(_) | Want::Refusal(_) => true,
        };
        Answer {
            index,
            response: Some(r),
            held,
        }
    }

    /// What the rule's exchanges reached so far, for the coverage: by operation and the status
    /// it answered, each request sent as its operation documents it, and each 405 probe of its
    /// path (marked: its answer may be one the operation documents, but it does not exercise
    /// the operation). A transport probe's refusal may come from a proxy: it reaches nothing.
    pub fn hits(&self) -> Vec<Hit> {
        Hit::tally(self.recorded.iter().filter_map(|r| {
            let operation = r.exchange.request.operation.as_deref()?;
            let status = r.exchange.outcome.as_ref().ok().map(|a| a.status);
            match r.probe {
                Probe::No => Some((operation, status, false)),
                Probe::OtherMethod => Some((operation, status, true)),
                Probe::Transport => None,
            }
        }))
    }

    /// A method the operation does not have (a 405 probe) is not judged by its responses.
    fn probe_of(&self, p: &Prepared) -> Probe {
        let other_method = p
            .operation
            .as_ref()
            .and_then(|op| self.api.operations.get(op))
            .is_some_and(|o| !o.method.eq_ignore_ascii_case(&p.method));
        if other_method {
            Probe::OtherMethod
        } else {
            Probe::No
        }
    }

    /// Capture variables from a JSON body: the first node each path selects. Returns the name
    /// of the first capture that selected nothing. A name the contract says holds a secret
    /// captures a secret.
    pub fn capture(
        &mut self,
        response: &Response,
        captures: &std::collections::BTreeMap<String, Query>,
    ) -> Result<(), String> {
        let outcome = capture(&mut self.vars, response, captures);
        // The request the answer came from (the last one sent): how a repro gets it again.
        let request = self.recorded.last().map(|r| r.exchange.request.clone());
        for (name, path) in captures {
            if self.contract.is_secret_var(name) {
                if let Some(v) = self.vars.get(name).map(crate::vars::scalar_text) {
                    self.vars.capture_secret(name, &v);
                    let pipeline = self.vars.render(path).ok().and_then(|path| {
                        request
                            .as_ref()
                            .and_then(|r| r.capture_pipeline(&path, self.target))
                    });
                    if let Some(pipeline) = pipeline {
                        self.vars.source_secret(name, &v, &pipeline);
                    }
                }
            }
        }
        outcome
    }

    /// Every value at the contract's secret response fields becomes a secret.
    fn hide_secret_fields(&mut self, response: &Response) {
        let fields = &self.contract.secrets.fields;
        if fields.is_empty() {
            return;
        }
        // Whatever the Content-Type says: a token in a mislabelled body is a token.
        let Ok(body) = response.json() else { return };
        for (name, path) in fields {
            for node in select_json(&body, path, &self.vars).unwrap_or_default() {
                if !node.is_null() {
                    let text = crate::vars::scalar_text(&node);
                    self.vars.hide_field(name, &text);
                }
            }
        }
    }

    /// A step of a lifecycle: send, check, capture. A capture that selects nothing fails.
    pub async fn step(&mut self, step: &Step, label: &str) -> Result<Response, Stop> {
        let label = step.name.as_deref().unwrap_or(label).to_string();
        let p = self.prepare(&step.request)?;
        let want = step.expect.as_ref().map_or(Want::Any, Want::Expect);
        let answer = self
            .send_expecting(&p, Expecting::new(Some(&label), want))
            .await;
        let held = answer.held;
        let (i, r) = answer.answered()?;
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
                let unmet = evaluate(e, &r, self.api, &self.vars);
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
    captures: &std::collections::BTreeMap<String, Query>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::step::{StatusMatch, StatusPattern};
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A loopback server that answers every request with `status` and an empty body.
    async fn answering(status: u16) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let head = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\n\r\n");
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.shutdown().await;
            }
        });
        url
    }

    /// A loopback URL where nothing listens: no answer at all.
    async fn silent() -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        drop(listener);
        url
    }

    fn get(url: &str) -> Prepared {
        Prepared {
            method: "GET".into(),
            url: url.into(),
            headers: vec![],
            body: None,
            operation: None,
        }
    }

    fn contract() -> Contract {
        Contract {
            api: "t".into(),
            title: "t".into(),
            document: "t".into(),
            base_url: "http://127.0.0.1/".into(),
            credentials: vec![],
            fixtures: vec![],
            roles: vec![],
            login: None,
            auth: vec![],
            defaults: Default::default(),
            secrets: Default::default(),
        }
    }

    /// Each failure of one request sent as `expecting` (subject, expected, basis), whether the
    /// answer held, and whether there was one.
    async fn sent(
        url: &str,
        expecting: Expecting<'_>,
    ) -> (Vec<(String, String, Option<Basis>)>, bool, bool) {
        let api = ApiDoc::load(
            std::path::Path::new("openapi.yaml"),
            "openapi: 3.0.3\ninfo: { title: t, version: '1' }\npaths: {}\n",
        )
        .unwrap();
        let (contract, target) = (contract(), Target::default());
        let client = HttpClient::new(&target, Duration::from_secs(5), 1 << 20).unwrap();
        let mut cx = RuleCx::new(&contract, &api, &target, &client, Vars::new())
            .on_basis(Basis::Reading, None);
        let answer = cx.send_expecting(&get(url), expecting).await;
        let failures = cx
            .failures
            .iter()
            .map(|f| {
                assert_eq!(f.step.as_deref(), Some("s"));
                let f = &f.failure;
                (f.subject.clone(), f.expected.clone(), f.basis)
            })
            .collect();
        (failures, answer.held, answer.response.is_some())
    }

    fn fails(subject: &str, expected: &str, basis: Basis) -> Vec<(String, String, Option<Basis>)> {
        vec![(subject.into(), expected.into(), Some(basis))]
    }

    #[tokio::test]
    async fn the_answer_is_held_to_what_is_wanted_in_the_words_given() {
        let (ok, refused) = (answering(200).await, answering(404).await);
        let success = || Expecting::new(Some("s"), Want::Success("2xx (the control)"));
        assert_eq!(sent(&ok, success()).await, (vec![], true, true));
        assert_eq!(
            sent(&refused, success()).await,
            (
                fails("status", "2xx (the control)", Basis::Reading),
                false,
                true
            )
        );
        let refusal = || Expecting::new(Some("s"), Want::Refusal("a refusal (no 2xx)"));
        assert_eq!(sent(&refused, refusal()).await, (vec![], true, true));
        assert_eq!(
            sent(&ok, refusal()).await,
            (
                fails("status", "a refusal (no 2xx)", Basis::Reading),
                false,
                true
            )
        );
        let expect = Expect {
            status: Some(StatusMatch(vec![StatusPattern::Code(404)])),
            ..Default::default()
        };
        let (failures, held, answered) =
            sent(&ok, Expecting::new(Some("s"), Want::Expect(&expect))).await;
        assert_eq!((failures.len(), held, answered), (1, false, true));
        assert_eq!(
            sent(&ok, Expecting::new(Some("s"), Want::Any)).await,
            (vec![], true, true)
        );
    }

    #[tokio::test]
    async fn no_answer_is_recorded_as_silence_says() {
        let url = silent().await;
        let any = || Expecting::new(Some("s"), Want::Any);
        // Every documented operation states an answer, whatever the rule infers.
        assert_eq!(
            sent(&url, any()).await,
            (
                fails("answer", "an HTTP answer", Basis::Stated),
                false,
                false
            )
        );
        assert_eq!(
            sent(&url, any().silence(Silence::NotA("a page"))).await,
            (fails("answer", "a page", Basis::Reading), false, false)
        );
        assert_eq!(
            sent(&url, any().silence(Silence::Ignored)).await,
            (vec![], true, false)
        );
    }

    #[test]
    fn an_answer_stops_the_rule_as_the_caller_asks() {
        let answer = |response: Option<u16>, held| Answer {
            index: 3,
            response: response.map(|s| Response::new(s, vec![], Vec::<u8>::new())),
            held,
        };
        assert!(matches!(answer(Some(404), false).answered(), Ok((3, r)) if r.status == 404));
        assert!(matches!(answer(Some(404), false).held(), Err(Stop::Abort)));
        assert!(matches!(answer(Some(200), true).held(), Ok((3, _))));
        assert!(matches!(answer(None, true).answered(), Err(Stop::Abort)));
        assert!(matches!(answer(None, true).held(), Err(Stop::Abort)));
    }
}
