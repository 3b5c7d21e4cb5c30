//! Running one spec against one target: the login flow, the rules (read-only ones
//! concurrently, writing ones one at a time so a walk never races a create), then the
//! cross-cutting rules and the conformance checks over every exchange of the run. Results come
//! back in the contract's order, whatever the scheduling; progress goes out as events.
//!
//! Everything that leaves `run_api` is redacted here, and only here: each rule's result before
//! its event is emitted, and the whole `ApiResult` before it is returned, with every secret the
//! run has met by then. No reporter has to remember to.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::basis::Basis;
use crate::check::conformance::Conformance;
use crate::check::Check;
use crate::contract::step::{Request, Step};
use crate::contract::Level;
use crate::coverage::{Coverage, Hit, RuleTrace};
use crate::exchange::client::{
    seconds, HttpClient, TransportError, DEFAULT_MAX_BODY, DEFAULT_TIMEOUT,
};
use crate::exchange::request::{hide_basic_pair, Context, Prepared};
use crate::halt::{Halt, Halted};
use crate::redact::{Redact, Redactor, Secrets, MIN_SECRET_LEN};
use crate::results::{ApiResult, Event, Failure, RuleFailure, RuleResult, Status};
use crate::rule_context::{Recorded, RuleCx, Stop};
use crate::spec::{Rule, Spec};
use crate::target::Target;
use crate::vars::Vars;
use futures::stream::{self, StreamExt};

/// At most this many failures of one cross-cutting rule are kept: the first say enough.
const MAX_CROSS_FAILURES: usize = 10;

/// A rule's total time, all its requests and waits together. Six request timeouts: a rule of
/// several steps may meet a slow answer or two and still finish; against the built-in mocks
/// the slowest rule takes well under a second.
pub const DEFAULT_RULE_TIMEOUT: Duration = Duration::from_secs(60);
/// A run's total time. A live target of a few hundred rules at a second or two each finishes
/// well within it, and a hung one still ends with a report inside a CI job's time (the same
/// bound as `load --run-time`).
pub const DEFAULT_RUN_TIMEOUT: Duration = Duration::from_secs(600);

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub concurrency: usize,
    pub read_only: bool,
    /// Rule id globs to run (all when empty), and to skip.
    pub rules: Vec<String>,
    pub skip: Vec<String>,
    /// Only rules at this level or stricter (`should`: must and should rules).
    pub level: Option<Level>,
    /// Rule id globs skipped with a reason (a profile's `skip`).
    pub skip_reasons: Vec<(String, String)>,
    /// Each request's time: its headers, then its body.
    pub timeout: Duration,
    /// Each rule's total time; past it, the rule fails with a deadline failure.
    pub rule_timeout: Duration,
    /// The run's deadline and interruption: past it, unfinished rules are not run.
    pub halt: Halt,
    pub max_body: usize,
    pub run_id: String,
    pub unix_now: i64,
    /// The folder of the vendor documents, for the document coverage; `None`: not measured.
    pub docs: Option<PathBuf>,
}

impl Default for RunOptions {
    fn default() -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        RunOptions {
            concurrency: 8,
            read_only: false,
            rules: vec![],
            skip: vec![],
            skip_reasons: vec![],
            level: None,
            timeout: DEFAULT_TIMEOUT,
            rule_timeout: DEFAULT_RULE_TIMEOUT,
            halt: Halt::after(DEFAULT_RUN_TIMEOUT),
            max_body: DEFAULT_MAX_BODY,
            run_id: format!("{:x}", now.as_millis() % 0xffff_ffff),
            unix_now: now.as_secs() as i64,
            docs: None,
        }
    }
}

fn globs(patterns: &[String]) -> Option<globset::GlobSet> {
    if patterns.is_empty() {
        return None;
    }
    let mut b = globset::GlobSetBuilder::new();
    for p in patterns {
        if let Ok(g) = globset::GlobBuilder::new(p)
            .literal_separator(false)
            .build()
        {
            b.add(g);
        }
    }
    b.build().ok()
}

/// The variables every request of a run sees: the target's credentials (secrets redacted,
/// every role's too, and the Basic pairs they make), its fixtures, and the built-ins.
pub fn base_vars(spec: &Spec, target: &Target, options: &RunOptions) -> Vars {
    let mut vars = Vars::new();
    // A secret is shown as the environment variable it was read from (`${OPTACHECK_API_KEY}`),
    // so that a repro runs where the profile's variables are set.
    let shown =
        |role: Option<&str>, name: &str| target.credentials.shown_name(&target.api, role, name);
    for c in &spec.contract.credentials {
        if let Some(v) = target.credentials.get(&c.name) {
            if c.secret {
                vars.hide(&shown(None, &c.name), v);
            }
            vars.set(&c.name, serde_json::Value::String(v.to_string()));
        }
    }
    // Every role's secrets are redacted everywhere, used or not.
    for (role, values) in &target.credentials.roles {
        for (name, v) in values {
            if spec
                .contract
                .credentials
                .iter()
                .any(|c| c.name == *name && c.secret)
            {
                vars.hide(&shown(Some(role), name), v);
            }
        }
    }
    for (name, value) in &target.fixtures {
        vars.set(name, value.clone());
    }
    vars.set("run_id", serde_json::Value::String(options.run_id.clone()));
    vars.set("unix_now", serde_json::Value::from(options.unix_now));
    hide_basic_pairs(spec, target, &mut vars);
    vars
}

/// The Basic pair of every Basic scheme, as the target's credentials and each role's make it.
/// (Pairs a rule makes with another username are hidden as they are sent.)
fn hide_basic_pairs(spec: &Spec, target: &Target, vars: &mut Vars) {
    let cx = Context {
        contract: &spec.contract,
        api: &spec.api,
        target,
    };
    let mut who: Vec<Option<&str>> = vec![None];
    who.extend(target.credentials.roles.keys().map(|r| Some(r.as_str())));
    for scheme in spec.contract.auth.iter().filter(|a| a.basic.is_some()) {
        for role in &who {
            let req = Request {
                role: role.map(str::to_string),
                auth: Some(scheme.name.clone()),
                ..Default::default()
            };
            if let Ok(p) = cx.prepare(&req, vars) {
                hide_basic_pair(vars, &p);
            }
        }
    }
}

/// Where results leave the engine: every secret met so far, and their redactor.
struct Boundary {
    known: Secrets,
    redactor: Redactor,
}

impl Boundary {
    fn new(secrets: &Secrets) -> Self {
        Boundary {
            known: secrets.clone(),
            redactor: secrets.redactor(),
        }
    }

    /// Learn the secrets a rule met.
    fn absorb(&mut self, secrets: &Secrets) {
        if self.known.merge(secrets) {
            self.redactor = self.known.redactor();
        }
    }

    fn redact<T: Redact>(&self, value: &mut T) {
        value.redact(&self.redactor);
    }
}

/// What a result says of its rule.
struct Meta {
    id: String,
    kind: String,
    level: Level,
    title: Option<String>,
    cite: Vec<String>,
    writes: bool,
}

impl Meta {
    fn of(rule: &Rule) -> Self {
        Meta {
            id: rule.id.clone(),
            kind: rule.kind.name().to_string(),
            level: rule.level,
            title: rule.title.clone(),
            cite: rule.cite.clone(),
            writes: rule.writes,
        }
    }

    fn result(self, status: Status, reason: Option<String>) -> RuleResult {
        RuleResult {
            title: self.title,
            cite: self.cite,
            writes: self.writes,
            reason,
            ..RuleResult::bare(self.id, self.kind, self.level, status)
        }
    }
}

/// How a rule's run ended.
enum Ending {
    /// The rule ran to its end.
    Done(Result<(), Stop>),
    /// The rule's deadline passed first.
    Deadline,
    /// The run stopped first.
    Halted(Halted),
}

/// Run `work` (a rule's check, borrowing its context) within the rule's deadline and the run's.
/// Whatever `work` recorded before it was stopped stays in the context.
async fn bounded(work: impl Future<Output = Result<(), Stop>>, options: &RunOptions) -> Ending {
    tokio::select! {
        biased;
        halted = options.halt.wait() => Ending::Halted(halted),
        outcome = work => Ending::Done(outcome),
        _ = tokio::time::sleep(options.rule_timeout) => Ending::Deadline,
    }
}

/// The failure of a rule stopped at its deadline: what it was waiting on, and what did not run.
fn deadline_failure(cx: &RuleCx<'_>, rule_timeout: Duration, started: Instant) -> RuleFailure {
    let waiting = match &cx.pending {
        Some((method, url, sent)) => format!(
            "still waiting after {} on {method} {url} (sent {} before)",
            seconds(started.elapsed()),
            seconds(sent.elapsed())
        ),
        None => format!("still running after {}", seconds(started.elapsed())),
    };
    RuleFailure {
        step: None,
        // As with no answer at all: every documented operation states an answer.
        failure: Failure::new(
            "deadline",
            format!("the rule to finish within {}", seconds(rule_timeout)),
            format!("{waiting}; stopped there: its later steps and cleanup did not run"),
        )
        .on_basis(Some(Basis::Stated), None),
        exchange: None,
    }
}

/// A rule's result (raw), what it recorded, and the secrets it met.
fn result_of(
    meta: Meta,
    cx: RuleCx<'_>,
    ending: Ending,
    started: Instant,
    options: &RunOptions,
) -> (RuleResult, Vec<Recorded>, Secrets) {
    let mut failures = cx.failures.clone();
    let (status, reason) = match (&ending, failures.is_empty()) {
        (Ending::Halted(h), _) => (
            Status::NotRun,
            Some(format!("{h} before the rule finished")),
        ),
        (Ending::Deadline, _) => {
            failures.push(deadline_failure(&cx, options.rule_timeout, started));
            (Status::Failed, None)
        }
        (_, false) => (Status::Failed, None),
        (Ending::Done(Err(Stop::Skip(why) | Stop::NoCredential(why))), true) => {
            (Status::Skipped, Some(why.clone()))
        }
        (Ending::Done(Err(Stop::Abort)), true) => (Status::Failed, Some("stopped".into())),
        (Ending::Done(Ok(())), true) => (Status::Passed, None),
    };
    let mut result = meta.result(status, reason);
    result.lacks_credential =
        status == Status::Skipped && matches!(ending, Ending::Done(Err(Stop::NoCredential(_))));
    result.exchanges = cx.recorded.len();
    result.hits = cx.hits();
    result.failures = failures;
    result.observations = cx.observations;
    result.elapsed_ms = started.elapsed().as_millis() as u64;
    let secrets = cx.vars.secrets().clone();
    (result, cx.recorded, secrets)
}

/// One rule, within its deadline and the run's; a stopped run starts no more rules.
async fn run_rule(
    spec: &Spec,
    target: &Target,
    client: &HttpClient,
    rule: &Rule,
    vars: Vars,
    options: &RunOptions,
) -> (RuleResult, Vec<Recorded>, Secrets) {
    if let Some(halted) = options.halt.check() {
        return (not_started(Meta::of(rule), &halted), vec![], Secrets::new());
    }
    let t = Instant::now();
    let mut cx = RuleCx::new(&spec.contract, &spec.api, target, client, vars)
        .on_basis(rule.basis, rule.note.clone());
    let ending = bounded(rule.kind.check(&mut cx), options).await;
    result_of(Meta::of(rule), cx, ending, t, options)
}

/// The result of a rule the run never started, because it had stopped.
fn not_started(meta: Meta, halted: &Halted) -> RuleResult {
    meta.result(
        Status::NotRun,
        Some(format!("{halted} before the rule started")),
    )
}

/// The contract's login flow, if it has one: on success, `vars` with its captures (as
/// secrets), and the context that recorded the exchange.
pub async fn login<'a>(
    spec: &'a Spec,
    target: &'a Target,
    client: &'a HttpClient,
    vars: &Vars,
) -> (Result<Vars, Stop>, RuleCx<'a>) {
    let mut cx = RuleCx::new(&spec.contract, &spec.api, target, client, vars.clone());
    let outcome = login_in(&mut cx).await;
    (outcome, cx)
}

/// The login flow in `cx`, which starts from the run's variables.
async fn login_in(cx: &mut RuleCx<'_>) -> Result<Vars, Stop> {
    let Some(login) = &cx.contract.login else {
        return Ok(cx.vars.clone());
    };
    let step = Step {
        name: Some("login".into()),
        request: login.request.clone(),
        expect: login.expect.clone(),
        capture: login.capture.clone(),
        ..Default::default()
    };
    cx.step(&step, "login").await?;
    // The captures are secrets already (`RuleCx::capture`). One too short to be redacted safely
    // is not used: it is hidden where it was seen, and the login fails.
    for name in login.capture.keys() {
        let Some(v) = cx.vars.get(name).map(crate::vars::scalar_text) else {
            continue;
        };
        let length = v.chars().count();
        if length < MIN_SECRET_LEN {
            let last = cx.recorded.len().checked_sub(1);
            cx.fail(
                Some("login"),
                Failure::new(
                    format!("capture {name}"),
                    format!(
                        "a token of at least {MIN_SECRET_LEN} characters (a shorter one cannot be redacted safely)"
                    ),
                    format!("{length} characters"),
                ),
                last,
            );
            return Err(Stop::Abort);
        }
    }
    Ok(cx.vars.clone())
}

/// Run every selected rule of `spec` against `target`, each within `options.rule_timeout` and
/// all within the run's `options.halt`: a rule past its deadline fails; a stopped run reports
/// its unfinished rules as not run, and still judges what was recorded. What it returns and
/// every event it emits are redacted. Its last event is `ApiDone`, with what it returns.
pub async fn run_api(
    spec: &Spec,
    target: &Target,
    options: &RunOptions,
    on_event: &mut dyn FnMut(Event<'_>),
) -> ApiResult {
    let api = run_rules(spec, target, options, &mut *on_event).await;
    on_event(Event::ApiDone { result: &api });
    api
}

/// `run_api` but its last event: every return of a run ends in the same `ApiDone`.
async fn run_rules(
    spec: &Spec,
    target: &Target,
    options: &RunOptions,
    on_event: &mut dyn FnMut(Event<'_>),
) -> ApiResult {
    let started = Instant::now();
    let mut api = ApiResult {
        api: spec.name.clone(),
        title: spec.contract.title.clone(),
        base_url: target.base_url.clone(),
        unreachable: None,
        results: vec![],
        elapsed_ms: 0,
        coverage: None,
    };
    let mut vars = base_vars(spec, target, options);
    let mut boundary = Boundary::new(vars.secrets());
    let client = match HttpClient::new(target, options.timeout, options.max_body) {
        Ok(c) => c,
        Err(e) => {
            api.unreachable = Some(e.to_string());
            boundary.redact(&mut api);
            return api;
        }
    };
    let selected = select(spec, options);
    match probe(&client, target, options).await {
        Probed::Answered => {}
        Probed::Unreachable(why) => {
            api.unreachable = Some(why);
            boundary.redact(&mut api);
            return api;
        }
        Probed::Halted(halted) => {
            on_event(Event::Started {
                api: &spec.name,
                rules: selected.len(),
            });
            api.results = selected
                .iter()
                .map(|r| not_started(Meta::of(r), &halted))
                .collect();
            api.coverage = Some(coverage_of(spec, &api.results, None, options));
            api.elapsed_ms = started.elapsed().as_millis() as u64;
            boundary.redact(&mut api);
            return api;
        }
    }

    let mut judges = Judges::new(spec, &selected);
    let mut login_hits = None;
    if spec.contract.login.is_some() {
        let (logged_in, failed, hits) = log_in(
            spec,
            target,
            &client,
            &vars,
            options,
            &mut boundary,
            &mut judges,
        )
        .await;
        if let Some(v) = logged_in {
            vars = v;
        }
        // A login that did not pass is a result, with its hits; one that passed is not.
        if failed.is_none() {
            login_hits = Some(hits);
        }
        api.results.extend(failed);
    }

    on_event(Event::Started {
        api: &spec.name,
        rules: selected.len(),
    });

    let mut slots: Vec<Option<RuleResult>> = vec![None; selected.len()];
    let (reads, writes) = schedule(&selected, options, &mut slots);
    let mut done = |i: usize, (mut result, rec, secrets): Ran, judges: &mut Judges| {
        boundary.absorb(&secrets);
        boundary.redact(&mut result);
        on_event(Event::RuleDone {
            api: &spec.name,
            result: &result,
        });
        judges.judge_all(rec);
        slots[i] = Some(result);
    };
    let run_rule = |rule, vars| run_rule(spec, target, &client, rule, vars, options);
    let mut read_stream = stream::iter(reads.into_iter().map(|(i, rule)| {
        let work = run_rule(rule, vars.clone());
        async move { (i, work.await) }
    }))
    .buffer_unordered(options.concurrency.max(1));
    while let Some((i, ran)) = read_stream.next().await {
        done(i, ran, &mut judges);
    }
    drop(read_stream);
    // Writes one at a time, after every read: a write may change what a read observes.
    for (i, rule) in writes {
        done(i, run_rule(rule, vars.clone()).await, &mut judges);
    }

    let conformance = judges.finish(&mut slots);
    api.results.extend(slots.into_iter().flatten());
    api.results.extend(conformance);
    for r in &mut api.results {
        r.settle();
    }
    api.coverage = Some(coverage_of(
        spec,
        &api.results,
        login_hits.as_deref(),
        options,
    ));
    api.elapsed_ms = started.elapsed().as_millis() as u64;
    // Once more with every secret of the run: one a later rule met may be in an earlier result,
    // and the cross-cutting and conformance failures are new.
    boundary.redact(&mut api);
    api
}

/// A rule as run: its result, what it recorded for the judges, and the secrets it met.
type Ran = (RuleResult, Vec<Recorded>, Secrets);

/// The rules `--rule`, `--skip` and `--level` select, in the contract's order.
pub fn select<'s>(spec: &'s Spec, options: &RunOptions) -> Vec<&'s Rule> {
    let include = globs(&options.rules);
    let exclude = globs(&options.skip);
    spec.rules
        .iter()
        .filter(|r| include.as_ref().is_none_or(|g| g.is_match(&r.id)))
        .filter(|r| exclude.as_ref().is_none_or(|g| !g.is_match(&r.id)))
        .filter(|r| options.level.is_none_or(|l| r.level <= l))
        .collect()
}

/// What the probe of a target's base URL found.
enum Probed {
    /// Some HTTP answer, whatever its status.
    Answered,
    /// No answer at all: why, with the base URL.
    Unreachable(String),
    /// The run was stopped before the probe ended.
    Halted(Halted),
}

/// Reachable at all? Any HTTP answer will do; a connection that never answers is a hung
/// target, not worth a request timeout per rule.
async fn probe(client: &HttpClient, target: &Target, options: &RunOptions) -> Probed {
    let probe = Prepared {
        method: "GET".into(),
        url: target.base_url.clone(),
        headers: vec![],
        body: None,
        operation: None,
    };
    let probed = tokio::select! {
        biased;
        halted = options.halt.wait() => Err(halted),
        exchange = client.send(&probe) => Ok(exchange.outcome),
    };
    match probed {
        Ok(Err(e)) if e.is_unreachable() || matches!(e, TransportError::NoHeaders(_)) => {
            Probed::Unreachable(format!("{}: {e}", target.base_url))
        }
        Ok(_) => Probed::Answered,
        Err(halted) => Probed::Halted(halted),
    }
}

/// The contract's login flow, as a rule of its own: the variables it leaves (its token), and
/// its result when it did not pass (a passing login is not a rule of the contract).
async fn log_in(
    spec: &Spec,
    target: &Target,
    client: &HttpClient,
    vars: &Vars,
    options: &RunOptions,
    boundary: &mut Boundary,
    judges: &mut Judges<'_>,
) -> (Option<Vars>, Option<RuleResult>, Vec<Hit>) {
    let t = Instant::now();
    let mut cx = RuleCx::new(&spec.contract, &spec.api, target, client, vars.clone());
    let mut logged_in = None;
    let ending = bounded(
        async {
            logged_in = Some(login_in(&mut cx).await?);
            Ok(())
        },
        options,
    )
    .await;
    let meta = Meta {
        id: format!("{}.login", spec.name),
        kind: "login".into(),
        level: Level::Must,
        title: Some("the login flow gives a token".into()),
        cite: vec![],
        writes: false,
    };
    let (r, rec, secrets) = result_of(meta, cx, ending, t, options);
    boundary.absorb(&secrets);
    judges.judge_all(rec);
    let hits = r.hits.clone();
    (logged_in, (r.status != Status::Passed).then_some(r), hits)
}

/// The largest vendor document the coverage reads: the five at hand are under 40 KiB.
const MAX_DOCUMENT_BYTES: u64 = 16 << 20;

/// Why the document coverage is not measured when no document folder is given.
pub const NO_DOCUMENT: &str = "no document: pass --docs";

/// The text of `spec`'s vendor document in `docs`, or why there is none to measure.
fn read_document(spec: &Spec, docs: Option<&Path>) -> Result<String, String> {
    let Some(dir) = docs else {
        return Err(NO_DOCUMENT.to_string());
    };
    let path = dir.join(&spec.contract.document);
    let unreadable = |e: &dyn std::fmt::Display| {
        format!(
            "no document: {} cannot be read ({e}); pass --docs",
            path.display()
        )
    };
    let size = std::fs::metadata(&path).map_err(|e| unreadable(&e))?.len();
    if size > MAX_DOCUMENT_BYTES {
        return Err(unreadable(&format!(
            "{size} bytes, more than the {MAX_DOCUMENT_BYTES} read"
        )));
    }
    std::fs::read_to_string(&path).map_err(|e| unreadable(&e))
}

/// What the run covered: the operations and statuses the login's and the rules' requests
/// reached, and the lines of the document the selected rules' cites quote.
fn coverage_of(
    spec: &Spec,
    results: &[RuleResult],
    login_hits: Option<&[Hit]>,
    options: &RunOptions,
) -> Coverage {
    let login_id = format!("{}.login", spec.name);
    let mut traces: Vec<RuleTrace<'_>> = Vec::with_capacity(results.len() + 1);
    if let Some(hits) = login_hits {
        traces.push(RuleTrace {
            id: &login_id,
            cite: &[],
            hits,
        });
    }
    traces.extend(results.iter().map(|r| RuleTrace {
        id: &r.id,
        cite: &r.cite,
        hits: &r.hits,
    }));
    let text = read_document(spec, options.docs.as_deref());
    let document = match &text {
        Ok(t) => Ok((spec.contract.document.as_str(), t.as_str())),
        Err(why) => Err(why.clone()),
    };
    crate::coverage::compute(&spec.api, &traces, document)
}

/// Rules with the index of their slot in the results.
type Slotted<'s> = Vec<(usize, &'s Rule)>;

/// The selected rules to run, reads and writes apart, each with its slot. A rule a profile's
/// `skips` name, and under `--read-only` a writing rule, gets its skipped result in its slot
/// instead.
fn schedule<'s>(
    selected: &[&'s Rule],
    options: &RunOptions,
    slots: &mut [Option<RuleResult>],
) -> (Slotted<'s>, Slotted<'s>) {
    let reasons: Vec<(globset::GlobMatcher, &str)> = options
        .skip_reasons
        .iter()
        .filter_map(|(g, why)| {
            globset::Glob::new(g)
                .ok()
                .map(|g| (g.compile_matcher(), why.as_str()))
        })
        .collect();
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    for (i, rule) in selected.iter().copied().enumerate() {
        let skipped = reasons
            .iter()
            .find(|(g, _)| g.is_match(&rule.id))
            .map(|(_, why)| why.to_string())
            .or_else(|| {
                (rule.writes && options.read_only).then(|| "--read-only: this rule writes".into())
            });
        match skipped {
            Some(why) => slots[i] = Some(Meta::of(rule).result(Status::Skipped, Some(why))),
            None if rule.writes => writes.push((i, rule)),
            None => reads.push((i, rule)),
        }
    }
    (reads, writes)
}

/// The cross-cutting rules (media type, error envelope) and the conformance checks, judging each
/// exchange as soon as its rule hands it over. Nothing of an exchange is kept once judged but the
/// views its failures show: a run's memory follows the rules in flight, not every body it met.
struct Judges<'s> {
    spec: &'s Spec,
    /// The selected cross-cutting rules: their slot, the rule, what failed, how many judged.
    cross: Vec<(usize, &'s Rule, Vec<RuleFailure>, usize)>,
    conformance: Vec<(Conformance, Vec<RuleFailure>, usize)>,
    /// Exchanges judged so far.
    seen: usize,
}

impl<'s> Judges<'s> {
    fn new(spec: &'s Spec, selected: &[&'s Rule]) -> Self {
        Judges {
            spec,
            cross: selected
                .iter()
                .enumerate()
                .filter(|(_, r)| r.kind.judges_every_exchange())
                .map(|(i, r)| (i, *r, Vec::new(), 0))
                .collect(),
            conformance: Conformance::ALL
                .iter()
                .map(|c| (*c, Vec::new(), 0))
                .collect(),
            seen: 0,
        }
    }

    /// Judge each of a rule's exchanges, then let them go.
    fn judge_all(&mut self, recorded: Vec<Recorded>) {
        for rec in recorded {
            self.judge(&rec);
        }
    }

    fn judge(&mut self, rec: &Recorded) {
        self.seen += 1;
        let spec = self.spec;
        for (_, rule, failures, judged) in &mut self.cross {
            if failures.len() >= MAX_CROSS_FAILURES {
                continue;
            }
            let Some(found) = rule.kind.judge(&spec.api, rec) else {
                continue;
            };
            *judged += 1;
            failures.extend(found.into_iter().map(|f| RuleFailure {
                step: None,
                failure: f.on_basis(Some(rule.basis), rule.note.as_deref()),
                exchange: Some(rec.view.clone()),
            }));
        }
        for (c, failures, judged) in &mut self.conformance {
            let Some(found) = c.judge(&spec.api, rec) else {
                continue;
            };
            *judged += 1;
            for f in found {
                if failures.len() < MAX_CROSS_FAILURES {
                    failures.push(RuleFailure {
                        step: None,
                        failure: f,
                        exchange: Some(rec.view.clone()),
                    });
                }
            }
        }
    }

    /// Add the cross-cutting failures to their rules (a cross-cutting rule that found nothing
    /// to judge was not run, whatever its own requests did), and the conformance results.
    fn finish(self, slots: &mut [Option<RuleResult>]) -> Vec<RuleResult> {
        let seen = self.seen;
        for (i, _, extra, judged) in self.cross {
            let Some(result) = slots.get_mut(i).and_then(Option::as_mut) else {
                continue;
            };
            // A rule the run stopped before it ran still judges what others recorded.
            if result.status == Status::Skipped {
                continue;
            }
            if !extra.is_empty() {
                result.failures.extend(extra);
                result.status = Status::Failed;
            } else if judged == 0 && result.status == Status::Passed {
                result.status = Status::NotRun;
                result.reason = Some(format!(
                    "no exchange to judge: none of the {seen} exchange(s) of the run had an answer \
                     this rule applies to"
                ));
            }
        }
        let api = &self.spec.name;
        self.conformance
            .into_iter()
            .map(|(c, failures, judged)| {
                let meta = Meta {
                    id: c.id(api),
                    kind: "conformance".into(),
                    level: Level::Must,
                    title: Some(c.title().into()),
                    cite: vec![],
                    writes: false,
                };
                let (status, reason) = if !failures.is_empty() {
                    (Status::Failed, None)
                } else if judged == 0 {
                    (Status::NotRun, Some(c.nothing_judged(seen)))
                } else {
                    (Status::Passed, None)
                };
                let mut result = meta.result(status, reason);
                result.failures = failures;
                result.exchanges = judged;
                result
            })
            .collect()
    }
}
