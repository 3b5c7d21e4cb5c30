//! Running one spec against one target: the login flow, the rules (read-only ones
//! concurrently, writing ones one at a time so a walk never races a create), then the
//! cross-cutting rules and the conformance checks over every exchange of the run. Results come
//! back in the contract's order, whatever the scheduling; progress goes out as events.
//!
//! Everything that leaves `run_api` is redacted here, and only here: each rule's result before
//! its event is emitted, and the whole `ApiResult` before it is returned, with every secret the
//! run has met by then. No reporter has to remember to.

use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};
use serde::Serialize;

use super::client::{HttpClient, DEFAULT_MAX_BODY, DEFAULT_TIMEOUT};
use super::expect::Failure;
use super::redact::{Redact, Redactor, Secrets, MIN_SECRET_LEN};
use super::request::{hide_basic_pair, Context};
use super::rule::{Conformance, Recorded, RuleCx, RuleFailure, Stop};
use super::vars::Vars;
use crate::check::Kind;
use crate::spec::{Level, Rule, Spec};
use crate::target::Target;

/// At most this many failures of one cross-cutting rule are kept: the first say enough.
const MAX_CROSS_FAILURES: usize = 10;

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
    pub timeout: Duration,
    pub max_body: usize,
    pub run_id: String,
    pub unix_now: i64,
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
            max_body: DEFAULT_MAX_BODY,
            run_id: format!("{:x}", now.as_millis() % 0xffff_ffff),
            unix_now: now.as_secs() as i64,
        }
    }
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
    for c in &spec.contract.credentials {
        if let Some(v) = target.credentials.get(&c.name) {
            if c.secret {
                vars.set_secret(&c.name, v);
            } else {
                vars.set(&c.name, serde_json::Value::String(v.to_string()));
            }
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
                vars.hide(&format!("{role}_{name}"), v);
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
            let req = crate::spec::step::Request {
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
            id: self.id,
            kind: self.kind,
            level: self.level,
            title: self.title,
            cite: self.cite,
            writes: self.writes,
            status,
            counts_as: None,
            reason,
            failures: vec![],
            observations: vec![],
            exchanges: 0,
            elapsed_ms: 0,
        }
    }
}

/// A rule's result (raw), what it recorded, and the secrets it met.
fn result_of(
    meta: Meta,
    cx: RuleCx<'_>,
    outcome: Result<(), Stop>,
    started: Instant,
) -> (RuleResult, Vec<Recorded>, Secrets) {
    let (status, reason) = match (&outcome, cx.failures.is_empty()) {
        (_, false) => (Status::Failed, None),
        (Err(Stop::Skip(why)), true) => (Status::Skipped, Some(why.clone())),
        (Err(Stop::Abort), true) => (Status::Failed, Some("stopped".into())),
        (Ok(()), true) => (Status::Passed, None),
    };
    let mut result = meta.result(status, reason);
    result.exchanges = cx.recorded.len();
    result.failures = cx.failures;
    result.observations = cx.observations;
    result.elapsed_ms = started.elapsed().as_millis() as u64;
    let secrets = cx.vars.secrets().clone();
    (result, cx.recorded, secrets)
}

/// The contract's login flow, if it has one: on success, `vars` with its captures (as
/// secrets), and the context that recorded the exchange.
pub async fn login<'a>(
    spec: &'a Spec,
    target: &'a Target,
    client: &'a HttpClient,
    vars: &Vars,
) -> (Result<Vars, Stop>, RuleCx<'a>) {
    let mut cx = RuleCx::new(spec, target, client, vars.clone());
    let Some(login) = &spec.contract.login else {
        return (Ok(vars.clone()), cx);
    };
    let step = crate::spec::step::Step {
        name: Some("login".into()),
        request: login.request.clone(),
        expect: login.expect.clone(),
        capture: login.capture.clone(),
    };
    if let Err(stop) = cx.step(&step, "login").await {
        return (Err(stop), cx);
    }
    // The captures are secrets already (`RuleCx::capture`). One too short to be redacted safely
    // is not used: it is hidden where it was seen, and the login fails.
    for name in login.capture.keys() {
        let Some(v) = cx.vars.get(name).map(crate::run::vars::scalar_text) else {
            continue;
        };
        let length = v.chars().count();
        if length < MIN_SECRET_LEN {
            cx.fail(
                Some("login"),
                Failure::new(
                    format!("capture {name}"),
                    format!(
                        "a token of at least {MIN_SECRET_LEN} characters (a shorter one cannot be redacted safely)"
                    ),
                    format!("{length} characters"),
                ),
                cx.recorded.len().checked_sub(1),
            );
            return (Err(Stop::Abort), cx);
        }
    }
    (Ok(cx.vars.clone()), cx)
}

/// Run every selected rule of `spec` against `target`. What it returns and every event it
/// emits are redacted.
pub async fn run_api(
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
    // Reachable at all? Any HTTP answer will do.
    let probe = super::request::Prepared {
        method: "GET".into(),
        url: target.base_url.clone(),
        headers: vec![],
        body: None,
        operation: None,
    };
    if let Err(e) = client.send(&probe).await.outcome {
        if e.is_unreachable() {
            api.unreachable = Some(format!("{}: {e}", target.base_url));
            boundary.redact(&mut api);
            return api;
        }
    }

    let mut recorded: Vec<Recorded> = Vec::new();
    if spec.contract.login.is_some() {
        let t = Instant::now();
        let (logged_in, cx) = login(spec, target, &client, &vars).await;
        let outcome = logged_in.map(|v| vars = v);
        let meta = Meta {
            id: format!("{}.login", spec.name),
            kind: "login".into(),
            level: Level::Must,
            title: Some("the login flow gives a token".into()),
            cite: vec![],
            writes: false,
        };
        let (r, rec, secrets) = result_of(meta, cx, outcome, t);
        boundary.absorb(&secrets);
        recorded.extend(rec);
        if r.status != Status::Passed {
            api.results.push(r);
        }
    }

    let include = globs(&options.rules);
    let exclude = globs(&options.skip);
    let selected: Vec<&Rule> = spec
        .contract
        .rules
        .iter()
        .filter(|r| include.as_ref().is_none_or(|g| g.is_match(&r.id)))
        .filter(|r| exclude.as_ref().is_none_or(|g| !g.is_match(&r.id)))
        .filter(|r| options.level.is_none_or(|l| r.level <= l))
        .collect();
    on_event(Event::Started {
        api: &spec.name,
        rules: selected.len(),
    });

    let mut slots: Vec<Option<RuleResult>> = vec![None; selected.len()];
    type Indexed<'r> = Vec<(usize, &'r Rule)>;
    let (reads, writes): (Indexed, Indexed) = selected
        .iter()
        .copied()
        .enumerate()
        .partition(|(_, r)| !r.writes);
    let reasons: Vec<(globset::GlobMatcher, &str)> = options
        .skip_reasons
        .iter()
        .filter_map(|(g, why)| {
            globset::Glob::new(g)
                .ok()
                .map(|g| (g.compile_matcher(), why.as_str()))
        })
        .collect();
    let skip_reason = |id: &str| {
        reasons
            .iter()
            .find(|(g, _)| g.is_match(id))
            .map(|(_, why)| why.to_string())
    };
    let reads: Vec<(usize, &Rule)> = reads
        .into_iter()
        .filter(|(i, r)| match skip_reason(&r.id) {
            Some(why) => {
                slots[*i] = Some(Meta::of(r).result(Status::Skipped, Some(why)));
                false
            }
            None => true,
        })
        .collect();
    let writes: Vec<(usize, &Rule)> = writes
        .into_iter()
        .filter(|(i, r)| match skip_reason(&r.id) {
            Some(why) => {
                slots[*i] = Some(Meta::of(r).result(Status::Skipped, Some(why)));
                false
            }
            None => true,
        })
        .collect();
    for (i, r) in &writes {
        if options.read_only {
            slots[*i] = Some(Meta::of(r).result(
                Status::Skipped,
                Some("--read-only: this rule writes".into()),
            ));
        }
    }
    let mut read_stream = stream::iter(reads.into_iter().map(|(i, rule)| {
        let vars = vars.clone();
        let client = &client;
        async move {
            let t = Instant::now();
            let mut cx = RuleCx::new(spec, target, client, vars).for_rule(rule);
            let outcome = rule.kind.check(&mut cx).await;
            (i, result_of(Meta::of(rule), cx, outcome, t))
        }
    }))
    .buffer_unordered(options.concurrency.max(1));
    while let Some((i, (mut result, rec, secrets))) = read_stream.next().await {
        boundary.absorb(&secrets);
        boundary.redact(&mut result);
        on_event(Event::RuleDone {
            api: &spec.name,
            result: &result,
        });
        recorded.extend(rec);
        slots[i] = Some(result);
    }
    drop(read_stream);
    if !options.read_only {
        for (i, rule) in writes {
            let t = Instant::now();
            let mut cx = RuleCx::new(spec, target, &client, vars.clone()).for_rule(rule);
            let outcome = rule.kind.check(&mut cx).await;
            let (mut result, rec, secrets) = result_of(Meta::of(rule), cx, outcome, t);
            boundary.absorb(&secrets);
            boundary.redact(&mut result);
            on_event(Event::RuleDone {
                api: &spec.name,
                result: &result,
            });
            recorded.extend(rec);
            slots[i] = Some(result);
        }
    }

    // Cross-cutting rules judge every exchange of the run; one that found none to judge was
    // not run, whatever its own requests did.
    for (slot, rule) in slots.iter_mut().zip(&selected) {
        let Some(result) = slot else { continue };
        if result.status == Status::Skipped {
            continue;
        }
        let mut extra: Vec<RuleFailure> = Vec::new();
        let mut judged = 0usize;
        for rec in &recorded {
            let failures = match &rule.kind {
                Kind::MediaType(p) => p.judge(spec, rec),
                Kind::ErrorEnvelope(p) => p.judge(spec, rec),
                _ => break,
            };
            let Some(failures) = failures else { continue };
            judged += 1;
            extra.extend(failures.into_iter().map(|f| RuleFailure {
                step: None,
                failure: f.on_basis(Some(rule.basis), rule.note.as_deref()),
                exchange: Some(rec.view.clone()),
            }));
            if extra.len() >= MAX_CROSS_FAILURES {
                break;
            }
        }
        let cross = matches!(rule.kind, Kind::MediaType(_) | Kind::ErrorEnvelope(_));
        if !extra.is_empty() {
            result.failures.extend(extra);
            result.status = Status::Failed;
        } else if cross && judged == 0 && result.status == Status::Passed {
            result.status = Status::NotRun;
            result.reason = Some(format!(
                "no exchange to judge: none of the {} exchange(s) of the run had an answer \
                 this rule applies to",
                recorded.len()
            ));
        }
    }
    api.results.extend(slots.into_iter().flatten());

    for c in Conformance::ALL {
        let mut failures: Vec<RuleFailure> = Vec::new();
        let mut judged = 0usize;
        for rec in &recorded {
            let Some(found) = c.judge(spec, rec) else {
                continue;
            };
            judged += 1;
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
        let meta = Meta {
            id: c.id(&spec.name),
            kind: "conformance".into(),
            level: Level::Must,
            title: Some(c.title().into()),
            cite: vec![],
            writes: false,
        };
        let (status, reason) = if !failures.is_empty() {
            (Status::Failed, None)
        } else if judged == 0 {
            (Status::NotRun, Some(c.nothing_judged(recorded.len())))
        } else {
            (Status::Passed, None)
        };
        let mut result = meta.result(status, reason);
        result.failures = failures;
        result.exchanges = judged;
        api.results.push(result);
    }
    for r in &mut api.results {
        r.settle();
    }
    api.elapsed_ms = started.elapsed().as_millis() as u64;
    // Once more with every secret of the run: one a later rule met may be in an earlier result,
    // and the cross-cutting and conformance failures are new.
    boundary.redact(&mut api);
    api
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
    fn settle(&mut self) {
        self.counts_as = (self.status == Status::Failed).then(|| self.effective_level());
    }

    /// Failed, and its effective level makes it count: `must` always, `should` with `strict`.
    pub fn counts_as_failure(&self, strict: bool) -> bool {
        let level = self.effective_level();
        self.status == Status::Failed
            && (level == Level::Must || (strict && level == Level::Should))
    }
}
