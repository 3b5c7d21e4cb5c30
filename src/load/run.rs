//! Running a scenario through goose: the scenario's steps become closures registered as goose
//! transactions, every request is recorded by goose under its key, and the counts it observed
//! are compared with the scenario's prediction.
//!
//! A load user's request is the runner's: built by `exchange::request` and `exchange::client`,
//! its body read under the runner's cap and parsed as `exchange::response` parses it, its
//! captures taken as `rule_context` takes them. Only the sending differs: goose sends it, to
//! time and count it.
//!
//! Every run is bounded: a deadline, a request budget, and goose's killswitch (Ctrl-C, a
//! threshold) are checked before each request, so a run stops by itself and still reports.
//!
//! Secrets: the run learns every secret its load users meet (tokens each one captures, values
//! at the contract's secret fields) and redacts the run's texts once, when the `LoadRun` is made
//! (its error messages and target) and in goose's own report files once goose has written them.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use goose::config::GooseConfiguration;
use goose::metrics::GooseMetrics;
use goose::prelude::{GooseAttack, GooseError, GooseRequest, GooseUser, TransactionFunction};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::judge::{Judge, Judgement};
use super::latency::{latency_of, Histograms};
use super::scenario::{LoadStep, Scenario, Work};
use super::shard::{Shard, ShardRun};
use super::work::{Job, Take, WorkQueue};
use crate::exchange::client::{
    build_request, client_builder, HttpClient, ParsedRequest, DEFAULT_MAX_BODY,
};
use crate::exchange::request::{Context, Prepared};
use crate::exchange::response::json_body;
use crate::redact::{Origin, Redactor, Secrets};
use crate::rule_context::{capture_first, RuleCx};
use crate::run::engine::{base_vars, login, RunOptions};
use crate::target::Target;
use crate::vars::{scalar_text, Vars};

/// At most this many load users. Each builds its own HTTP client (its own connection): 100,000
/// users grew to 4 GB, and 1000 users of two iterations each peaked at 184 MB (debug build, this
/// project's 2-core machine). A thousand already saturate such a machine many times over; more
/// add memory, not load.
pub const MAX_LOAD_USERS: usize = 1000;

/// How often the watchdog looks at the run's bounds: a bound reached ends the run this soon.
const WATCHDOG_TICK: Duration = Duration::from_millis(50);

/// How a load run is shaped and bounded.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Load users (goose users), each with its own connection.
    pub concurrency: usize,
    /// Iterations per load user of a transactions scenario; `None`: until `run_time`.
    pub iterations: Option<usize>,
    /// The run stops by itself after this long, done or not.
    pub run_time: Duration,
    /// The run stops by itself after this many requests.
    pub max_requests: u64,
    /// goose threshold rules (`p95<200ms`, `error-rate<1%`).
    pub thresholds: Vec<String>,
    /// Judge thresholds only at the end instead of stopping the run at the first failing one.
    pub no_threshold_abort: bool,
    /// goose's own report files (`.html`, `.md`, `.json`).
    pub goose_reports: Vec<PathBuf>,
    /// Dataset values over the scenario's defaults.
    pub dataset: BTreeMap<String, f64>,
    pub timeout: Duration,
    /// Let load go to an address that is not loopback.
    pub allow_remote: bool,
    /// Run only this part of the scenario's work (`--shard I/N`); `None`: all of it.
    pub shard: Option<Shard>,
    /// Also write every request's key and time (µs), a line each: what the histograms hold,
    /// for checking their percentiles elsewhere.
    pub latency_log: Option<PathBuf>,
    /// Judge one answer in this many of each request key by the API's conformance checks, and
    /// every answer a documented limit covers (`load::judge`); `None`: none (`--judge off`).
    /// The open model takes its own (`OpenOptions::judge_one_in`).
    pub judge_one_in: Option<u64>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            concurrency: 8,
            iterations: None,
            run_time: Duration::from_secs(60),
            max_requests: 5_000_000,
            thresholds: vec![],
            no_threshold_abort: false,
            goose_reports: vec![],
            dataset: BTreeMap::new(),
            timeout: Duration::from_secs(10),
            allow_remote: false,
            shard: None,
            latency_log: None,
            judge_one_in: None,
        }
    }
}

/// Why a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ended {
    /// The work is done: the export is complete, or every iteration ran.
    Completed,
    /// The run-time bound was reached first.
    RunTime,
    /// The request budget was spent first.
    MaxRequests,
    /// Ctrl-C.
    Interrupted,
    /// A threshold failed while the run was going.
    Threshold,
    /// A request could not be built, or an answer led outside the target.
    Error,
}

impl Ended {
    pub fn describe(self) -> &'static str {
        match self {
            Ended::Completed => "completed",
            Ended::RunTime => "stopped at the run-time bound",
            Ended::MaxRequests => "stopped at the request budget",
            Ended::Interrupted => "interrupted (Ctrl-C)",
            Ended::Threshold => "stopped by a failing threshold",
            Ended::Error => "stopped by an error",
        }
    }
}

/// What one request key did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestStats {
    pub key: String,
    pub predicted: Option<u64>,
    pub observed: u64,
    pub failed: u64,
    /// Status → count; `transport` for no answer.
    pub statuses: BTreeMap<String, u64>,
    pub latency: Latency,
}

/// Response times, in milliseconds (to the first byte, as goose measures them), read from the
/// run's HDR histograms (`load::latency`).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Latency {
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ThresholdOutcome {
    pub rule: String,
    pub observed: String,
    pub passed: bool,
    pub stopped_the_run: bool,
}

/// A documented limit as the run applied it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LimitUse {
    pub name: String,
    pub requests: Vec<String>,
    pub rate: f64,
    pub per_seconds: f64,
    /// Times a request waited for the limit.
    pub waits: u64,
}

/// A load run's result: what our reports render.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadRun {
    pub scenario: String,
    pub title: String,
    pub api: String,
    pub cite: Vec<String>,
    pub target: String,
    pub dataset: BTreeMap<String, f64>,
    pub concurrency: usize,
    pub iterations: Option<usize>,
    pub ended: Ended,
    /// From the first request to the last answer, in seconds.
    pub elapsed_s: f64,
    pub requests_total: u64,
    pub failed_total: u64,
    pub throughput_rps: f64,
    pub latency: Latency,
    /// Every request key, predicted and observed.
    pub requests: Vec<RequestStats>,
    /// `Some(true)`: the run completed and every count is the predicted one; `None`: the run
    /// did not complete, so the prediction does not apply.
    pub prediction_holds: Option<bool>,
    pub thresholds: Vec<ThresholdOutcome>,
    pub limits: Vec<LimitUse>,
    /// Errors by message (goose's and ours), secrets redacted; withheld altogether when the
    /// run met more secrets than it keeps (see `MAX_LOAD_SECRETS`).
    pub errors: BTreeMap<String, u64>,
    /// Jobs of the export still waiting when the run stopped.
    pub left_undone: usize,
    /// A shard's run: which part it was, and the prediction of the whole run (its `requests`
    /// predict its own share); for a merged run, how many shards it was merged from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardRun>,
    /// Every request's response time, by key: where `latency` comes from, and what a shard's
    /// result file carries for the merge.
    #[serde(skip)]
    pub histograms: Histograms,
    /// An open-model run's schedule, starts and corrected times (`--rate`); `None` for the
    /// closed model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open: Option<super::open::OpenStats>,
    /// A closed-model run's judging under load (`--judge`): `None` for the open model, whose
    /// judging is in its `open`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judgement: Option<Judgement>,
}

/// What a run's request counts and histograms add up to; a run and a merge of shards sum the
/// same way.
pub struct Totals {
    pub requests_total: u64,
    pub failed_total: u64,
    pub throughput_rps: f64,
    pub latency: Latency,
    pub prediction_holds: Option<bool>,
}

impl Totals {
    pub fn of(
        requests: &[RequestStats],
        elapsed_s: f64,
        histograms: &Histograms,
        ended: Ended,
    ) -> Self {
        let requests_total: u64 = requests.iter().map(|r| r.observed).sum();
        Totals {
            requests_total,
            failed_total: requests.iter().map(|r| r.failed).sum(),
            throughput_rps: if elapsed_s > 0.0 {
                requests_total as f64 / elapsed_s
            } else {
                0.0
            },
            latency: latency_of(&histograms.overall()),
            prediction_holds: (ended == Ended::Completed)
                .then(|| requests.iter().all(|r| r.predicted == Some(r.observed))),
        }
    }
}

impl LoadRun {
    pub fn thresholds_passed(&self) -> bool {
        self.thresholds.iter().all(|t| t.passed)
    }

    /// Judged answers that broke what the document states, in either model.
    pub fn violations(&self) -> u64 {
        self.open.as_ref().map_or(0, |o| o.violations())
            + self.judgement.as_ref().map_or(0, Judgement::violations)
    }
}

/// A load run that could not start or could not be measured. Failing thresholds and wrong
/// counts are not errors: they are in the `LoadRun`.
#[derive(Debug, thiserror::Error)]
#[error("scenario `{scenario}`: {kind}")]
pub struct LoadError {
    pub scenario: String,
    pub kind: LoadErrorKind,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadErrorKind {
    #[error("{host} resolves to {addrs}, which is not loopback; load goes to other machines only with --allow-remote")]
    NotLoopback { host: String, addrs: String },
    #[error("cannot resolve {host}: {reason}")]
    Resolve { host: String, reason: String },
    #[error("the base URL `{0}` is not a URL")]
    BadUrl(String),
    #[error("the target could not be reached: {0}")]
    Unreachable(String),
    #[error("the setup failed: {0}")]
    Setup(String),
    #[error("unknown dataset variable `{name}`; {hint}")]
    UnknownDataset { name: String, hint: String },
    #[error("dataset variable `{name}`: {why}")]
    InvalidDataset { name: String, why: String },
    #[error("limit {index} of the scenario allows no request per {per_seconds} s with this dataset: the run could send nothing")]
    ZeroLimit { index: usize, per_seconds: f64 },
    #[error("{0}")]
    Formula(#[from] super::formula::EvalError),
    #[error("{0} load users is more than the {MAX_LOAD_USERS} a run may have (each holds its own HTTP client and connection)")]
    TooManyUsers(usize),
    #[error("goose: {0}")]
    Goose(String),
    #[error("{0}")]
    Shard(String),
    /// An open-model run (`--rate`) that cannot be scheduled as asked.
    #[error("{0}")]
    Open(String),
}

/// Where `target` sends requests: refused unless every address is loopback (or `allow_remote`).
pub async fn check_destination(target: &Target, allow_remote: bool) -> Result<(), LoadErrorKind> {
    let url = reqwest::Url::parse(&target.base_url)
        .map_err(|_| LoadErrorKind::BadUrl(target.base_url.clone()))?;
    let host = url
        .host_str()
        .ok_or_else(|| LoadErrorKind::BadUrl(target.base_url.clone()))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = url.port_or_known_default().unwrap_or(80);
    let addrs: Vec<SocketAddr> = match target.resolve.iter().find(|(h, _)| *h == host) {
        Some((_, a)) => vec![*a],
        None => tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|e| LoadErrorKind::Resolve {
                host: host.clone(),
                reason: e.to_string(),
            })?
            .collect(),
    };
    if allow_remote || (!addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback())) {
        return Ok(());
    }
    Err(LoadErrorKind::NotLoopback {
        host,
        addrs: addrs
            .iter()
            .map(|a| a.ip().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// The dataset a run uses: the scenario's defaults under `overrides`.
pub fn dataset(
    scenario: &Scenario,
    overrides: &BTreeMap<String, f64>,
) -> Result<BTreeMap<String, f64>, LoadErrorKind> {
    let mut out: BTreeMap<String, f64> = scenario
        .dataset
        .iter()
        .map(|(k, v)| (k.clone(), v.default))
        .collect();
    for (k, v) in overrides {
        if !out.contains_key(k) {
            return Err(LoadErrorKind::UnknownDataset {
                name: k.clone(),
                hint: crate::error::suggest(k, scenario.dataset.keys().map(String::as_str)),
            });
        }
        super::scenario::check_dataset_value(*v).map_err(|why| LoadErrorKind::InvalidDataset {
            name: k.clone(),
            why,
        })?;
        out.insert(k.clone(), *v);
    }
    Ok(out)
}

/// What each documented limit did in a run (its rate, and how often a request waited for
/// it), as either model reports it.
pub(super) fn limit_uses(scenario: &Scenario, limiters: &[Limiter]) -> Vec<LimitUse> {
    limiters
        .iter()
        .map(|l| {
            let def = &scenario.limits[l.index];
            LimitUse {
                name: def.name.clone(),
                requests: def.requests.clone(),
                rate: l.rate as f64,
                per_seconds: def.per_seconds,
                waits: l.waits.load(Ordering::Relaxed),
            }
        })
        .collect()
}

/// A sliding-window limit: at most `rate` requests in any `per` (as DRF's throttles count).
pub(super) struct Limiter {
    pub(super) index: usize,
    pub(super) rate: usize,
    pub(super) per: Duration,
    pub(super) log: tokio::sync::Mutex<VecDeque<Instant>>,
    pub(super) waits: AtomicU64,
}

impl Limiter {
    pub(super) async fn acquire(&self, shared: &Shared) {
        loop {
            let wait = {
                let mut log = self.log.lock().await;
                let now = Instant::now();
                while log
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= self.per)
                {
                    log.pop_front();
                }
                if log.len() < self.rate {
                    log.push_back(now);
                    return;
                }
                (log[0] + self.per).saturating_duration_since(now)
            };
            self.waits.fetch_add(1, Ordering::Relaxed);
            // Wake at least every 100 ms: a long wait must not outlive the run's bounds.
            tokio::time::sleep(wait.min(Duration::from_millis(100))).await;
            if shared.should_stop() {
                return;
            }
        }
    }
}

/// The most secrets a load run keeps for redaction: load users that each log in, at every
/// iteration, could otherwise grow the set without end. Past it, error messages are withheld.
pub const MAX_LOAD_SECRETS: usize = 4096;

/// What replaces the error messages of a run that met more secrets than it keeps.
pub const WITHHELD: &str =
    "error messages withheld: the run met more secrets than it can redact (see MAX_LOAD_SECRETS)";

/// The secrets a load run has met.
#[derive(Default)]
pub(super) struct Known {
    pub(super) secrets: Secrets,
    pub(super) overflow: bool,
}

/// What every load user of one run shares.
pub(super) struct Shared {
    pub(super) scenario: Arc<Scenario>,
    pub(super) target: Target,
    pub(super) base: Vars,
    /// Every secret met so far: the base variables', then the load users' captures.
    pub(super) known: Mutex<Known>,
    /// The contract's secret response fields, compiled.
    pub(super) secret_fields: Vec<(String, serde_json_path::JsonPath)>,
    pub(super) timeout: Duration,
    pub(super) max_body: usize,
    pub(super) deadline: Instant,
    pub(super) max_requests: u64,
    pub(super) sent: AtomicU64,
    pub(super) stopped: AtomicBool,
    pub(super) ended: Mutex<Option<Ended>>,
    pub(super) limiters: Vec<Limiter>,
    pub(super) queue: Option<WorkQueue>,
    pub(super) errors: Mutex<BTreeMap<String, u64>>,
    pub(super) first_sent: Mutex<Option<Instant>>,
    pub(super) last_answer: Mutex<Option<Instant>>,
    /// `scheme://host:port` of the target: answers may not lead elsewhere.
    pub(super) origin: String,
    /// Every answered request's time, by key, beside goose's own record of it.
    pub(super) histograms: Mutex<Histograms>,
    /// `--latency-log`: the same times, a line each (`key<TAB>µs`).
    latency_log: Option<Mutex<std::io::BufWriter<std::fs::File>>>,
    /// What judges the answers under load; judges nothing unless set.
    pub(super) judge: Judge,
    /// Each step's request rendered and parsed once, by its address, when the scenario captures
    /// nothing (see `render_static`); `None`: each job renders its own.
    pub(super) rendered: Option<HashMap<usize, (Prepared, ParsedRequest)>>,
}

impl Shared {
    pub(super) fn end(&self, why: Ended) {
        let mut e = self.ended.lock().unwrap_or_else(|p| p.into_inner());
        e.get_or_insert(why);
        if why != Ended::Completed {
            self.stopped.store(true, Ordering::Relaxed);
        }
    }

    pub(super) fn should_stop(&self) -> bool {
        if self.stopped.load(Ordering::Relaxed) {
            return true;
        }
        if goose::is_killswitch_triggered() {
            self.end(Ended::Interrupted);
            return true;
        }
        if Instant::now() >= self.deadline {
            self.end(Ended::RunTime);
            return true;
        }
        false
    }

    /// Record an error message, raw: it is redacted with every secret of the run when the run
    /// is summarized.
    /// Open `--latency-log` for the run, if it asks for one.
    pub(super) fn open_latency_log(
        &mut self,
        path: Option<&std::path::Path>,
    ) -> Result<(), LoadErrorKind> {
        let Some(path) = path else { return Ok(()) };
        let file = std::fs::File::create(path).map_err(|e| {
            LoadErrorKind::Setup(format!(
                "cannot write the latency log {}: {e}",
                path.display()
            ))
        })?;
        self.latency_log = Some(Mutex::new(std::io::BufWriter::new(file)));
        Ok(())
    }

    /// One line of the latency log, if the run keeps one: `key`, then each time in µs.
    pub(super) fn log_latency(&self, key: &str, times_us: &[u64]) {
        use std::io::Write;
        let Some(log) = &self.latency_log else { return };
        let mut w = log.lock().unwrap_or_else(|p| p.into_inner());
        let written = w
            .write_all(key.as_bytes())
            .and_then(|()| times_us.iter().try_for_each(|t| write!(w, "\t{t}")))
            .and_then(|()| w.write_all(b"\n"));
        if written.is_err() {
            self.note("the latency log could not be written".into());
        }
    }

    /// Write out what the latency log still buffers, at the run's end.
    pub(super) fn flush_latency_log(&self) {
        use std::io::Write;
        let Some(log) = &self.latency_log else { return };
        if log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .flush()
            .is_err()
        {
            self.note("the latency log could not be written".into());
        }
    }

    pub(super) fn note(&self, message: String) {
        let mut e = self.errors.lock().unwrap_or_else(|p| p.into_inner());
        // Bounded: a target that answers every request with a new message cannot grow this.
        if e.len() < 100 || e.contains_key(&message) {
            *e.entry(message).or_insert(0) += 1;
        }
    }

    /// A secret a load user met.
    pub(super) fn learn(&self, name: &str, value: &str, origin: Origin) {
        let mut k = self.known.lock().unwrap_or_else(|p| p.into_inner());
        if k.secrets.len() >= MAX_LOAD_SECRETS {
            k.overflow = true;
            return;
        }
        k.secrets.add(name, value, origin);
    }

    /// The values at the contract's secret fields of an answer.
    pub(super) fn learn_secret_fields(&self, json: &Value) {
        for (name, path) in &self.secret_fields {
            for node in path.query(json).all() {
                if !node.is_null() {
                    self.learn(name, &scalar_text(node), Origin::Field);
                }
            }
        }
    }

    /// Take one request from the budget; `false` when it is spent.
    pub(super) fn spend(&self) -> bool {
        if self.sent.fetch_add(1, Ordering::Relaxed) >= self.max_requests {
            self.end(Ended::MaxRequests);
            return false;
        }
        let mut f = self.first_sent.lock().unwrap_or_else(|p| p.into_inner());
        f.get_or_insert_with(Instant::now);
        true
    }
}

/// Per load user: its variables (the shared ones, then its own captures).
#[derive(Clone)]
struct Session {
    vars: Vars,
}

/// Give a load user its client (the target's hosts and certificates) and its variables.
fn ensure_session(user: &mut GooseUser, s: &Shared) -> bool {
    if user.get_session_data::<Session>().is_some() {
        return true;
    }
    match client_builder(&s.target, s.timeout).and_then(|b| {
        b.build()
            .map_err(|e| crate::exchange::client::TransportError::Other(e.to_string()))
    }) {
        Ok(c) => {
            user.client = c;
            user.set_session_data(Session {
                vars: s.base.clone(),
            });
            true
        }
        Err(e) => {
            s.note(format!("cannot build the HTTP client: {e}"));
            s.end(Ended::Error);
            false
        }
    }
}

/// What one request's answer gives: more work, and the variables with its captures (`None`
/// when it captured nothing).
#[derive(Default)]
pub(super) struct Outcome {
    pub(super) more: Vec<Job>,
    pub(super) vars: Option<Vars>,
}

/// Make one request as `user` and turn its answer into captures and further jobs.
async fn execute(user: &mut GooseUser, s: &Shared, job: &Job) -> Outcome {
    let step = &job.step;
    if s.should_stop() {
        return Outcome::default();
    }
    let Some(prepared) = request_for(s, job) else {
        return Outcome::default();
    };
    for l in &s.limiters {
        if s.scenario.limits[l.index].applies_to(&step.key) {
            l.acquire(s).await;
        }
    }
    if s.should_stop() || !s.spend() {
        return Outcome::default();
    }
    let Some(Answer {
        mut metric,
        status,
        body,
    }) = send(user, s, step, &prepared).await
    else {
        return Outcome::default();
    };
    *s.last_answer.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    if !judge_status(user, &mut metric, step, status) {
        return Outcome::default();
    }
    match follow_body(s, job, body) {
        Ok(out) => out,
        Err(why) => {
            fail(user, &mut metric, why.clone());
            s.note(why);
            Outcome::default()
        }
    }
}

/// The request of `job`: its step's, rendered with its variables, at the next page's URL when
/// it follows one. `None` (noted) when it cannot be built or would leave the target.
pub(super) fn request_for<'s>(s: &'s Shared, job: &Job) -> Option<ToSend<'s>> {
    let step = &job.step;
    if job.page.is_none() && job.url.is_none() {
        if let Some(r) = s.rendered.as_ref().and_then(|r| r.get(&step_id(&job.step))) {
            return Some(ToSend {
                prepared: Cow::Borrowed(&r.0),
                parsed: Some(&r.1),
            });
        }
    }
    let cx = Context {
        contract: &s.scenario.spec.contract,
        api: &s.scenario.spec.api,
        target: &s.target,
    };
    let paged;
    let request = match &job.page {
        Some(page) => {
            let mut r = step.request.clone();
            r.query.insert(page.param.clone(), Value::from(page.number));
            paged = r;
            &paged
        }
        None => &step.request,
    };
    let mut prepared = match cx.prepare(request, &job.vars) {
        Ok(p) => p,
        Err(e) => {
            s.note(format!("{}: the request cannot be built: {e}", step.key));
            s.end(Ended::Error);
            return None;
        }
    };
    if let Some(next) = &job.url {
        prepared.url = match reqwest::Url::parse(&prepared.url).and_then(|base| base.join(next)) {
            Ok(u) if u.origin().ascii_serialization() == s.origin => u.to_string(),
            Ok(u) => {
                s.note(format!(
                    "{}: the next page `{u}` is outside the target {}; not followed",
                    step.key, s.origin
                ));
                return None;
            }
            Err(e) => {
                s.note(format!(
                    "{}: the next page `{next}` is not a URL: {e}",
                    step.key
                ));
                return None;
            }
        };
    }
    Some(ToSend {
        prepared: Cow::Owned(prepared),
        parsed: None,
    })
}

/// A request ready to send: rendered for its job, or a static step's, rendered and parsed once.
pub(super) struct ToSend<'s> {
    pub(super) prepared: Cow<'s, Prepared>,
    pub(super) parsed: Option<&'s ParsedRequest>,
}

impl ToSend<'_> {
    /// The request builder for `client`.
    pub(super) fn builder(
        &self,
        client: &reqwest::Client,
    ) -> Result<reqwest::RequestBuilder, crate::exchange::client::TransportError> {
        match self.parsed {
            Some(p) => Ok(p.builder(client)),
            None => build_request(client, &self.prepared),
        }
    }
}

/// A step's identity for the run: its address (jobs share their step).
fn step_id(step: &Arc<LoadStep>) -> usize {
    Arc::as_ptr(step) as usize
}

/// Every step of the scenario, its `then` steps among them.
fn all_steps(scenario: &Scenario) -> Vec<Arc<LoadStep>> {
    let mut stack: Vec<Arc<LoadStep>> = match &scenario.work {
        Work::Export(roots) => roots.clone(),
        Work::Mix {
            on_start,
            transactions,
        } => on_start
            .iter()
            .chain(transactions.iter().flat_map(|t| t.steps.iter()))
            .cloned()
            .collect(),
    };
    let mut out: Vec<Arc<LoadStep>> = vec![];
    // Bounded: a scenario's steps form a finite tree.
    while let Some(step) = stack.pop() {
        stack.extend(step.then.iter().cloned());
        out.push(step);
    }
    out
}

/// Each step's request rendered and parsed once, when every job of the run renders it the same:
/// the scenario captures nothing, so every job holds the variables the run starts from, and a
/// template is a pure function of them. `None` for a scenario that captures (its requests are
/// rendered per job); a step that cannot be rendered is left to fail per job as before.
fn render_static(
    scenario: &Scenario,
    target: &Target,
    base: &Vars,
) -> Option<HashMap<usize, (Prepared, ParsedRequest)>> {
    let steps = all_steps(scenario);
    if steps
        .iter()
        .any(|s| !s.capture.is_empty() || !s.item.is_empty())
    {
        return None;
    }
    let cx = Context {
        contract: &scenario.spec.contract,
        api: &scenario.spec.api,
        target,
    };
    Some(
        steps
            .iter()
            .filter_map(|step| {
                let prepared = cx.prepare(&step.request, base).ok()?;
                let parsed = ParsedRequest::parse(&prepared).ok()?;
                Some((step_id(step), (prepared, parsed)))
            })
            .collect(),
    )
}

/// What goose recorded of a request, and its answer: the status (`None`: no answer) and the
/// body read under the cap.
struct Answer {
    metric: goose::metrics::GooseRequestMetric,
    status: Option<u16>,
    body: Result<Vec<u8>, String>,
}

/// Send `prepared` through goose, which times and counts it under the step's name. `None`
/// (noted) when goose could not send it.
async fn send(
    user: &mut GooseUser,
    s: &Shared,
    step: &LoadStep,
    to_send: &ToSend<'_>,
) -> Option<Answer> {
    let prepared: &Prepared = &to_send.prepared;
    let rb = match to_send.builder(&user.client) {
        Ok(rb) => rb,
        Err(e) => {
            s.note(format!("{}: {e}", step.key));
            return None;
        }
    };
    let request = GooseRequest::builder()
        .set_request_builder(rb)
        .name(step.name.as_str())
        .build();
    let limit_sent = s.judge.sending(prepared.operation.as_deref());
    let goose::goose::GooseResponse {
        request: metric,
        response,
    } = match user.request(request).await {
        Ok(a) => a,
        Err(e) => {
            s.note(format!("{}: {e}", step.key));
            return None;
        }
    };
    // Every request goose recorded, with the time goose measured (to the first byte).
    let us = metric.response_time_micros();
    s.histograms
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .record(&step.key, us);
    s.log_latency(&step.key, &[us]);
    let (status, body) = match response {
        Ok(r) => {
            let status = r.status().as_u16();
            let judged = s.judge.wants(&step.key, status, limit_sent.is_some());
            // Only a judged answer's headers are copied: the others cost nothing more.
            let headers = if judged { header_pairs(&r) } else { vec![] };
            // A body nobody reads is drained, not kept: the connection is what it is read for.
            let body = if judged || step.reads_body() {
                read_capped(r, s.max_body).await
            } else {
                drain_capped(r, s.max_body).await
            };
            if let (true, Ok(b)) = (judged, &body) {
                s.judge.judge(
                    &s.scenario.spec,
                    &s.target,
                    &s.base,
                    &step.key,
                    prepared,
                    status,
                    headers,
                    b,
                    Duration::from_micros(us),
                    limit_sent,
                );
            }
            (Some(status), body)
        }
        Err(_) => (None, Err("no answer".to_string())),
    };
    Some(Answer {
        metric,
        status,
        body,
    })
}

/// An answer's headers as name-value pairs, for judging it.
pub(super) fn header_pairs(r: &reqwest::Response) -> Vec<(String, String)> {
    r.headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// Whether the answer's status counts as success (the step's `expect`, else any 2xx); goose's
/// record of the request is set to agree.
fn judge_status(
    user: &mut GooseUser,
    metric: &mut goose::metrics::GooseRequestMetric,
    step: &LoadStep,
    status: Option<u16>,
) -> bool {
    let status_ok = match (&step.expect, status) {
        (Some(m), Some(code)) => m.matches(code),
        (None, Some(code)) => (200..300).contains(&code),
        _ => false,
    };
    if status_ok && !metric.success {
        let _ = user.set_success(metric);
    }
    if !status_ok {
        if let Some(code) = status {
            if metric.success {
                fail(user, metric, format!("{code}: {}", step.key));
            }
        }
    }
    status_ok
}

/// What a parsed answer gives: the step's captures, the next page, and its `then` steps (once
/// for each item with `each`).
/// What an answer's body adds to the run, in either model: with nothing to read, the step's
/// `then` from the variables it was given; else the body parsed (within the body cap: a body
/// whose parsed form would be too large is not parsed) and followed. `Err` says why the request
/// failed (an unread or unparsable body, a capture that found nothing), for the caller to
/// record as its model does.
pub(super) fn follow_body(
    s: &Shared,
    job: &Job,
    body: Result<Vec<u8>, String>,
) -> Result<Outcome, String> {
    let step = &job.step;
    let body = body.map_err(|e| format!("{}: {e}", step.key))?;
    if !step.reads_body() {
        // Nothing to read: the steps after it see the variables it was given.
        return Ok(Outcome {
            more: step
                .then
                .iter()
                .map(|t| Job::new(t.clone(), job.vars.clone()))
                .collect(),
            vars: None,
        });
    }
    let json = json_body(&body).map_err(|e| format!("{}: {e}", step.key))?;
    s.learn_secret_fields(&json);
    follow_parsed(s, job, &json)
}

/// A parsed answer's captures and the work it adds: the outcome, or why the request failed (a
/// capture that found nothing).
fn follow_parsed(s: &Shared, job: &Job, json: &Value) -> Result<Outcome, String> {
    let step = &job.step;
    let mut out = Outcome::default();
    let mut vars = job.vars.clone();
    for (name, path) in &step.capture {
        if !capture_first(&mut vars, name, path, json) {
            return Err(format!("{}: nothing to capture as `{name}`", step.key));
        }
        if s.scenario.spec.contract.is_secret_var(name) {
            if let Some(v) = vars.get(name) {
                s.learn(name, &scalar_text(v), Origin::Capture);
            }
        }
    }
    let next = step
        .follow
        .as_ref()
        .and_then(|p| p.query(json).first())
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty());
    match (next, &job.page) {
        // Another shard owns the page after this one.
        (Some(_), Some(page)) if !page.last => {}
        (Some(next), _) => out.more.push(Job {
            step: step.clone(),
            vars: job.vars.clone(),
            url: Some(next.to_string()),
            page: None,
        }),
        // A page before the last the dataset gives must lead on: the target holds fewer items
        // than the dataset says, and the other shards' pages past it are empty or missing.
        (None, Some(page)) if !page.last => s.note(format!(
            "{}: page {}={} has no next page, though the dataset gives the walk more",
            step.key, page.param, page.number
        )),
        (None, _) => {}
    }
    match &step.each {
        Some(each) => {
            for item in each.query(json).all() {
                let mut v = vars.clone();
                for (name, path) in &step.item {
                    if !capture_first(&mut v, name, path, item) {
                        s.note(format!("{}: an item has nothing at `{name}`", step.key));
                    }
                }
                out.more
                    .extend(step.then.iter().map(|t| Job::new(t.clone(), v.clone())));
            }
        }
        None => out
            .more
            .extend(step.then.iter().map(|t| Job::new(t.clone(), vars.clone()))),
    }
    if !step.capture.is_empty() {
        out.vars = Some(vars);
    }
    Ok(out)
}

/// Record `metric` as failed, with `why` as goose's error. goose's answer to that (an error to
/// end the transaction) is not taken: the caller decides what follows.
fn fail(user: &mut GooseUser, metric: &mut goose::metrics::GooseRequestMetric, why: String) {
    let _ = user.set_failure(&why, metric, None, None);
}

/// Read a body up to `max` bytes and keep none of it (an empty body stands for it): a huge
/// answer fails its request as [`read_capped`]'s does, the run goes on.
pub(super) async fn drain_capped(mut r: reqwest::Response, max: usize) -> Result<Vec<u8>, String> {
    use crate::exchange::client::TransportError;
    let announced = r.content_length();
    let mut arrived = 0usize;
    // Bounded by `max` and the client's timeout.
    loop {
        match r.chunk().await {
            Ok(Some(chunk)) => {
                arrived += chunk.len();
                if arrived > max {
                    return Err(TransportError::BodyTooLarge {
                        limit: max,
                        announced,
                    }
                    .to_string());
                }
            }
            Ok(None) => return Ok(Vec::new()),
            Err(e) => {
                return Err(match announced {
                    Some(n) if (arrived as u64) < n && !e.is_timeout() => {
                        TransportError::Truncated {
                            announced: n,
                            arrived,
                        }
                    }
                    _ => TransportError::Other(e.to_string()),
                }
                .to_string())
            }
        }
    }
}

/// Read a body up to `max` bytes: a huge answer fails its request, the run goes on.
pub(super) async fn read_capped(mut r: reqwest::Response, max: usize) -> Result<Vec<u8>, String> {
    crate::exchange::client::read_body(&mut r, max, None, |e| {
        crate::exchange::client::TransportError::Other(e.to_string())
    })
    .await
    .map_err(|e| e.to_string())
}

/// Run `steps` in order as `user`, each followed depth first by the work its answer adds; the
/// captures of each step are kept in `vars` for the steps after it.
async fn run_sequence(user: &mut GooseUser, s: &Shared, steps: &[Arc<LoadStep>], vars: &mut Vars) {
    for step in steps {
        if s.should_stop() {
            return;
        }
        // The job borrows the variables by taking them, and gives them back (or its captures):
        // no copy per request.
        let job = Job::new(step.clone(), std::mem::take(vars));
        let out = execute(user, s, &job).await;
        *vars = out.vars.unwrap_or(job.vars);
        let mut stack: Vec<Job> = out.more.into_iter().rev().collect();
        while let Some(job) = stack.pop() {
            if s.should_stop() {
                return;
            }
            stack.extend(execute(user, s, &job).await.more.into_iter().rev());
        }
    }
}

/// A load user's part of the export: take jobs until none are left.
async fn export_worker(user: &mut GooseUser, s: &Shared) {
    if !ensure_session(user, s) {
        return;
    }
    let Some(queue) = &s.queue else { return };
    while !s.should_stop() {
        match queue.take(Duration::from_millis(100)).await {
            None => continue,
            Some(Take::Done) => {
                s.end(Ended::Completed);
                return;
            }
            Some(Take::Job(job)) => {
                let out = execute(user, s, &job).await;
                queue.finish(out.more);
            }
        }
    }
}

/// A transaction of a transactions scenario: its steps, with the user's variables.
async fn mix_transaction(user: &mut GooseUser, s: &Shared, steps: &[Arc<LoadStep>], keep: bool) {
    if s.should_stop() || !ensure_session(user, s) {
        // goose calls the transaction again at once until it sees the run end: give its
        // scheduler the thread instead of spinning.
        tokio::time::sleep(Duration::from_millis(20)).await;
        return;
    }
    // A scenario that captures nothing leaves the variables as they are: the transaction takes
    // the user's and gives them back instead of copying them.
    let take = keep || s.rendered.is_some();
    let mut vars = match user.get_session_data_mut::<Session>() {
        Some(x) if take => std::mem::take(&mut x.vars),
        Some(x) => x.vars.clone(),
        None => Vars::default(),
    };
    run_sequence(user, s, steps, &mut vars).await;
    if take {
        if let Some(session) = user.get_session_data_mut::<Session>() {
            session.vars = vars;
        }
    }
}

fn closure<F>(shared: &Arc<Shared>, f: F) -> TransactionFunction
where
    F: for<'u> Fn(&'u mut GooseUser, Arc<Shared>) -> futures::future::BoxFuture<'u, ()>
        + Send
        + Sync
        + 'static,
{
    let shared = shared.clone();
    let f = Arc::new(f);
    Arc::new(move |user| {
        let s = shared.clone();
        let f = f.clone();
        Box::pin(async move {
            f(user, s).await;
            Ok(())
        })
    })
}

/// Run `scenario` against `target`. The target must already be checked with
/// [`check_destination`]; `run_load` checks it again, so no caller can skip it.
pub async fn run_load(
    scenario: Arc<Scenario>,
    target: &Target,
    options: &LoadOptions,
) -> Result<LoadRun, LoadError> {
    let name = scenario.name.clone();
    run(scenario, target, options)
        .await
        .map_err(|kind| LoadError {
            scenario: name,
            kind,
        })
}

/// [`run_load`], its errors not yet named after the scenario.
async fn run(
    scenario: Arc<Scenario>,
    target: &Target,
    options: &LoadOptions,
) -> Result<LoadRun, LoadErrorKind> {
    if options.concurrency > MAX_LOAD_USERS {
        return Err(LoadErrorKind::TooManyUsers(options.concurrency));
    }
    check_destination(target, options.allow_remote).await?;
    let data = dataset(&scenario, &options.dataset)?;
    let concurrency = options.concurrency.max(1);
    // An export is one iteration of each load user, working until the export is done.
    let iterations = match scenario.work {
        Work::Export(_) => Some(1),
        Work::Mix { .. } => options.iterations,
    };

    // The prediction is computed before the run: a formula that divides by zero or overflows
    // for this dataset is an error now, not a count of 0 after minutes of load.
    let mut vars_for_prediction = data.clone();
    vars_for_prediction.insert("concurrency".into(), concurrency as f64);
    vars_for_prediction.insert("iterations".into(), iterations.unwrap_or(0) as f64);
    let predicted_total = scenario.predicted(&vars_for_prediction)?;
    // A shard's part, computed alone; refused before the setup runs.
    let shard_plan = match options.shard {
        Some(s) => Some(
            super::shard::plan(&scenario, s, &vars_for_prediction, options.iterations)
                .map_err(|why| LoadErrorKind::Shard(format!("shard {s}: {why}")))?,
        ),
        None => None,
    };
    let mut options = options.clone();
    if let Some(n) = shard_plan.as_ref().and_then(|p| p.iterations) {
        options.iterations = Some(n);
    }
    let options = &options;
    let (predicted, shard) = match (&shard_plan, options.shard) {
        (Some(plan), Some(s)) => (
            plan.share.clone(),
            Some(ShardRun {
                index: Some(s.index),
                count: s.count,
                scenario_sha256: super::shard::scenario_digest(&scenario).ok_or_else(|| {
                    LoadErrorKind::Shard(format!(
                        "cannot read {} to name the shard's scenario",
                        scenario.file.display()
                    ))
                })?,
                predicted_total,
            }),
        ),
        _ => (predicted_total, None),
    };

    let base = login_and_setup(&scenario, target, options, &data).await?;
    let limiters = limiters(&scenario, &data, options.shard.map_or(1, |s| s.count))?;
    let roots = shard_plan.map(|p| {
        p.roots
            .into_iter()
            .map(|(step, page)| Job {
                step,
                vars: base.clone(),
                url: None,
                page,
            })
            .collect()
    });
    let mut shared = Shared::new(
        scenario.clone(),
        target,
        options,
        base,
        limiters,
        concurrency,
        roots,
    );
    shared.open_latency_log(options.latency_log.as_deref())?;
    shared.judge = Judge::new(&scenario.spec, scenario.keys(), options.judge_one_in);
    let shared = Arc::new(shared);
    let (goose_scenario, iterations) = goose_scenario(&scenario, &shared, options)?;

    let config = goose_config(target, options, concurrency, iterations);
    let started = Instant::now();
    let metrics = attack(config, goose_scenario, &shared).await?;
    let wall = started.elapsed();
    shared.flush_latency_log();
    if goose::is_killswitch_triggered() {
        let aborted = metrics.thresholds.iter().any(|t| t.aborted);
        shared.end(if aborted {
            Ended::Threshold
        } else {
            Ended::Interrupted
        });
    }
    // A transactions scenario without iterations runs until its time is up; with them, or an
    // export that ended without another reason, it completed.
    if iterations.is_none() {
        shared.end(Ended::RunTime);
    }
    shared.end(Ended::Completed);

    let (redactor, overflow) = {
        let k = shared.known.lock().unwrap_or_else(|p| p.into_inner());
        (k.secrets.redactor(), k.overflow)
    };
    redact_goose_reports(&options.goose_reports, &redactor, overflow);
    let measured = Measured {
        metrics: &metrics,
        data,
        predicted,
        concurrency,
        iterations: iterations.filter(|_| matches!(scenario.work, Work::Mix { .. })),
        wall,
        shard,
    };
    Ok(summarize(
        &scenario, target, &shared, measured, &redactor, overflow,
    ))
}

/// Log in and run the setup, once, before the load and not counted: the variables every load
/// user starts from.
pub(super) async fn login_and_setup(
    scenario: &Scenario,
    target: &Target,
    options: &LoadOptions,
    data: &BTreeMap<String, f64>,
) -> Result<Vars, LoadErrorKind> {
    let spec = &scenario.spec;
    let client = HttpClient::new(target, options.timeout, DEFAULT_MAX_BODY)
        .map_err(|e| LoadErrorKind::Unreachable(e.to_string()))?;
    let run_options = RunOptions::default();
    let vars = base_vars(spec, target, &run_options);
    let (logged_in, cx) = login(spec, target, &client, &vars).await;
    let vars = logged_in.map_err(|_| {
        LoadErrorKind::Setup(format!("the login failed: {}", describe_failures(&cx)))
    })?;
    let mut cx = RuleCx::new(&spec.contract, &spec.api, target, &client, vars);
    for (i, (step, repeat)) in scenario.setup.iter().enumerate() {
        let label = step
            .name
            .clone()
            .unwrap_or_else(|| format!("setup {}", i + 1));
        let times = match repeat {
            Some(f) => f.count(data)?,
            None => 1,
        };
        for n in 0..times {
            cx.vars.set(super::scenario::SETUP_INDEX, Value::from(n));
            if cx.step(step, &label).await.is_err() {
                return Err(LoadErrorKind::Setup(format!(
                    "{label}: {}",
                    describe_failures(&cx)
                )));
            }
        }
    }
    Ok(cx.vars.clone())
}

/// The scenario's limits, their rates counted for this dataset; a rate of 0 is an error. A
/// shard of `shards` takes its share of each rate, so the shards together keep the limit.
pub(super) fn limiters(
    scenario: &Scenario,
    data: &BTreeMap<String, f64>,
    shards: usize,
) -> Result<Vec<Limiter>, LoadErrorKind> {
    let mut limiters = Vec::with_capacity(scenario.limits.len());
    for (index, l) in scenario.limits.iter().enumerate() {
        let whole = l.rate.count(data)?;
        let rate = whole / shards.max(1) as u64;
        if whole > 0 && rate == 0 {
            return Err(LoadErrorKind::Shard(format!(
                "limit {index} of the scenario allows {whole} requests per {} s: divided among {shards} shards, none could send",
                l.per_seconds
            )));
        }
        if rate == 0 {
            return Err(LoadErrorKind::ZeroLimit {
                index,
                per_seconds: l.per_seconds,
            });
        }
        limiters.push(Limiter {
            index,
            rate: rate.clamp(1, 1_000_000) as usize,
            per: Duration::from_secs_f64(l.per_seconds),
            log: tokio::sync::Mutex::new(VecDeque::new()),
            waits: AtomicU64::new(0),
        });
    }
    Ok(limiters)
}

impl Shared {
    /// What the load users of a run share, from the variables they start from (an export's
    /// roots: `shard_roots`, a shard's part, else every step of the export); the run's deadline
    /// counts from now.
    pub(super) fn new(
        scenario: Arc<Scenario>,
        target: &Target,
        options: &LoadOptions,
        base: Vars,
        limiters: Vec<Limiter>,
        concurrency: usize,
        shard_roots: Option<Vec<Job>>,
    ) -> Shared {
        let queue = match &scenario.work {
            Work::Export(roots) => Some(WorkQueue::new(
                shard_roots.unwrap_or_else(|| {
                    roots
                        .iter()
                        .map(|r| Job::new(r.clone(), base.clone()))
                        .collect()
                }),
                4 * concurrency + 64,
            )),
            Work::Mix { .. } => None,
        };
        let origin = reqwest::Url::parse(&target.base_url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        let rendered = render_static(&scenario, target, &base);
        let secret_fields = scenario
            .spec
            .contract
            .secrets
            .fields
            .iter()
            .filter_map(|(name, path)| crate::jsonpath::parse(path).ok().map(|p| (name.clone(), p)))
            .collect();
        Shared {
            scenario,
            target: target.clone(),
            known: Mutex::new(Known {
                secrets: base.secrets().clone(),
                overflow: false,
            }),
            base,
            secret_fields,
            timeout: options.timeout,
            max_body: DEFAULT_MAX_BODY,
            deadline: Instant::now() + options.run_time,
            max_requests: options.max_requests,
            sent: AtomicU64::new(0),
            stopped: AtomicBool::new(false),
            ended: Mutex::new(None),
            limiters,
            queue,
            errors: Mutex::new(BTreeMap::new()),
            first_sent: Mutex::new(None),
            last_answer: Mutex::new(None),
            origin,
            histograms: Mutex::new(Histograms::default()),
            latency_log: None,
            judge: Judge::off(),
            rendered,
        }
    }
}

/// The goose scenario: the export's workers, or the transactions (and `on_start`) as goose
/// transactions. Also the iterations per load user: one for an export, each working until the
/// export is done.
fn goose_scenario(
    scenario: &Scenario,
    shared: &Arc<Shared>,
    options: &LoadOptions,
) -> Result<(goose::prelude::Scenario, Option<usize>), LoadErrorKind> {
    let mut goose_scenario = goose::prelude::Scenario::new(&scenario.name);
    let iterations = match &scenario.work {
        Work::Export(_) => {
            let t = goose::prelude::Transaction::new(closure(shared, |user, s| {
                Box::pin(async move { export_worker(user, &s).await })
            }))
            .set_name("export");
            goose_scenario = goose_scenario.register_transaction(t);
            // Each load user works until the export is done: one iteration each.
            Some(1)
        }
        Work::Mix {
            on_start,
            transactions,
        } => {
            if !on_start.is_empty() {
                let steps = on_start.clone();
                let t = goose::prelude::Transaction::new(closure(shared, move |user, s| {
                    let steps = steps.clone();
                    Box::pin(async move { mix_transaction(user, &s, &steps, true).await })
                }))
                .set_name("on_start")
                .set_on_start();
                goose_scenario = goose_scenario.register_transaction(t);
            }
            for t in transactions {
                let steps = t.steps.clone();
                let tx = goose::prelude::Transaction::new(closure(shared, move |user, s| {
                    let steps = steps.clone();
                    Box::pin(async move { mix_transaction(user, &s, &steps, false).await })
                }))
                .set_name(&t.name)
                .set_weight(t.weight)
                .map_err(|e| LoadErrorKind::Goose(e.to_string()))?;
                goose_scenario = goose_scenario.register_transaction(tx);
            }
            options.iterations
        }
    };
    Ok((goose_scenario, iterations))
}

/// goose's configuration for the run: its users, its bound (iterations, else the run time),
/// thresholds and report files; goose itself prints nothing.
fn goose_config(
    target: &Target,
    options: &LoadOptions,
    concurrency: usize,
    iterations: Option<usize>,
) -> GooseConfiguration {
    let mut config = GooseConfiguration::default();
    config.host = Some(target.base_url.clone());
    config.users = Some(concurrency);
    // Start every load user at once: the work, not a ramp, shapes these runs.
    config.increase_rate = Some(format!("{}", concurrency.max(1) * 1000));
    match iterations {
        Some(n) => config.iterations = Some(n.max(1)),
        None => {
            config.run_time = Some(format!(
                "{}",
                options.run_time.as_secs_f64().ceil().max(1.0)
            ));
            config.no_reset_metrics = true;
        }
    }
    config.no_telnet = true;
    config.no_autostart = false;
    config.quiet = 1;
    config.no_print_metrics = true;
    config.no_error_summary = true;
    config.threshold = options.thresholds.clone();
    config.no_threshold_abort = options.no_threshold_abort;
    config.report_file = options
        .goose_reports
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    config.timeout = Some(format!("{}", options.timeout.as_secs().max(1)));
    config
}

/// Run the goose attack, watched for the run's bounds: its metrics, also when a threshold
/// failed.
async fn attack(
    config: GooseConfiguration,
    goose_scenario: goose::prelude::Scenario,
    shared: &Arc<Shared>,
) -> Result<GooseMetrics, LoadErrorKind> {
    // goose would build a client per user before the run starts (the costly part of a user:
    // 10,000 took 17 s), only for `ensure_session` to replace it with one for the target: one
    // shared placeholder instead, and each user builds its own once the run is under way.
    let attack = GooseAttack::initialize_with_config(config)
        .and_then(|a| {
            a.set_client_builder_without_cookies(
                goose::client::GooseClientBuilder::new().without_cookies(),
            )
        })
        .map_err(|e| LoadErrorKind::Goose(e.to_string()))?
        .register_scenario(goose_scenario);
    let watchdog = tokio::spawn(watch_bounds(shared.clone()));
    let executed = attack.execute().await;
    watchdog.abort();
    match executed {
        Ok(m) => Ok(m),
        Err(GooseError::ThresholdsFailed { metrics, .. }) => Ok(*metrics.0),
        Err(e) => Err(LoadErrorKind::Goose(e.to_string())),
    }
}

/// goose writes its reports itself, with the error messages it saw (URLs with tokens among
/// them): redact them in place once written. A run that met more secrets than it keeps leaves
/// no report it cannot vouch for.
fn redact_goose_reports(paths: &[PathBuf], redactor: &Redactor, overflow: bool) {
    for path in paths {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let text = if overflow {
            WITHHELD.to_string()
        } else {
            redactor.redact(&text)
        };
        // A report that cannot be rewritten must not stay behind unredacted.
        if std::fs::write(path, text).is_err() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// End the goose attack as soon as one of the run's bounds is reached: the run time (counted
/// from before the users are launched, which goose's own run time is not), the request budget,
/// an error. Without it goose would launch every user, then wait out its run time.
async fn watch_bounds(shared: Arc<Shared>) {
    loop {
        tokio::time::sleep(WATCHDOG_TICK).await;
        if goose::is_killswitch_triggered() {
            return;
        }
        if shared.should_stop() {
            let why = shared
                .ended
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .map(Ended::describe)
                .unwrap_or("stopped");
            goose::trigger_killswitch(why);
            return;
        }
    }
}

/// The login's or the setup's failures, redacted: the text of a `LoadError`.
fn describe_failures(cx: &RuleCx) -> String {
    let parts: Vec<String> = cx.failures.iter().map(crate::results::describe).collect();
    cx.vars.redactor().redact(&parts.join("; "))
}

/// What a run measured, besides what its load users share.
struct Measured<'a> {
    metrics: &'a GooseMetrics,
    data: BTreeMap<String, f64>,
    predicted: BTreeMap<String, u64>,
    concurrency: usize,
    /// Iterations per load user of a transactions scenario.
    iterations: Option<usize>,
    /// From before the attack to its end.
    wall: Duration,
    /// A shard's part and the whole run's prediction.
    shard: Option<ShardRun>,
}

fn summarize(
    scenario: &Scenario,
    target: &Target,
    s: &Shared,
    measured: Measured,
    redactor: &Redactor,
    overflow: bool,
) -> LoadRun {
    let Measured {
        metrics,
        data,
        predicted,
        concurrency,
        iterations,
        wall,
        shard,
    } = measured;
    let ended = s
        .ended
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .unwrap_or(Ended::Completed);
    let histograms = std::mem::take(&mut *s.histograms.lock().unwrap_or_else(|p| p.into_inner()));
    let requests = request_stats(scenario, metrics, &predicted, &histograms);
    let elapsed_s = active_time(s, wall).as_secs_f64();
    let totals = Totals::of(&requests, elapsed_s, &histograms, ended);
    let mut errors = redacted_errors(s, metrics, redactor, overflow);
    // The percentiles are read from the histograms: say so if they hold other requests than
    // goose counted (a request goose recorded without answering us).
    for r in &requests {
        let timed = histograms.by_key.get(&r.key).map_or(0, |h| h.len());
        if timed != r.observed {
            *errors
                .entry(format!(
                    "{}: the latency histogram holds {timed} requests, goose counted {}",
                    r.key, r.observed
                ))
                .or_insert(0) += 1;
        }
    }
    LoadRun {
        scenario: scenario.name.clone(),
        title: scenario.title.clone(),
        api: scenario.spec.name.clone(),
        cite: scenario.cite.clone(),
        target: redactor.redact(&target.base_url),
        dataset: data,
        concurrency,
        iterations,
        ended,
        elapsed_s,
        requests_total: totals.requests_total,
        failed_total: totals.failed_total,
        throughput_rps: totals.throughput_rps,
        latency: totals.latency,
        prediction_holds: totals.prediction_holds,
        requests,
        thresholds: metrics
            .thresholds
            .iter()
            .map(|t| ThresholdOutcome {
                rule: t.rule.clone(),
                observed: t.observed.clone(),
                passed: t.passed,
                stopped_the_run: t.aborted,
            })
            .collect(),
        limits: limit_uses(scenario, &s.limiters),
        errors,
        left_undone: s.queue.as_ref().map(|q| q.pending()).unwrap_or(0),
        shard,
        histograms,
        open: None,
        judgement: Some(Judgement {
            judge_one_in: s.judge.one_in(),
            judged: {
                let mut judged = s.judge.take();
                super::judge::redact_examples(&mut judged, redactor, overflow.then_some(WITHHELD));
                judged
            },
        }),
    }
}

/// The counts of every request key (goose's) with its times (from its HDR histogram): the
/// scenario's keys, in its order, then any other goose saw.
fn request_stats(
    scenario: &Scenario,
    metrics: &GooseMetrics,
    predicted: &BTreeMap<String, u64>,
    histograms: &Histograms,
) -> Vec<RequestStats> {
    let mut requests: Vec<RequestStats> = vec![];
    let mut keys = scenario.keys();
    for k in metrics.requests.keys() {
        if !keys.contains(k) {
            keys.push(k.clone());
        }
    }
    for key in keys {
        let agg = metrics.requests.get(&key);
        let (observed, failed, statuses, latency) = match agg {
            None => (0, 0, BTreeMap::new(), Latency::default()),
            Some(a) => {
                let statuses = a
                    .status_code_counts
                    .iter()
                    .map(|(code, n)| {
                        let k = if *code == 0 {
                            "transport".to_string()
                        } else {
                            code.to_string()
                        };
                        (k, *n as u64)
                    })
                    .collect();
                (
                    (a.success_count + a.fail_count) as u64,
                    a.fail_count as u64,
                    statuses,
                    histograms
                        .by_key
                        .get(&key)
                        .map(latency_of)
                        .unwrap_or_default(),
                )
            }
        };
        requests.push(RequestStats {
            predicted: predicted.get(&key).copied(),
            key,
            observed,
            failed,
            statuses,
            latency,
        });
    }
    requests
}

/// From the first request to the last answer; the whole `wall` time when there was none.
fn active_time(s: &Shared, wall: Duration) -> Duration {
    let first = *s.first_sent.lock().unwrap_or_else(|p| p.into_inner());
    let last = *s.last_answer.lock().unwrap_or_else(|p| p.into_inner());
    match (first, last) {
        (Some(f), Some(l)) if l > f => l.duration_since(f),
        _ => wall,
    }
}

/// The run's error messages (ours and goose's) by message, redacted, or withheld altogether.
fn redacted_errors(
    s: &Shared,
    metrics: &GooseMetrics,
    redactor: &Redactor,
    overflow: bool,
) -> BTreeMap<String, u64> {
    // The boundary of a load run: its error messages (ours and goose's) are the only texts in
    // it that come from the target, and the target's URL the only one from the profile.
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    let raw = s.errors.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let goose_errors = metrics
        .errors
        .values()
        .map(|e| (e.error.clone(), e.occurrences as u64));
    for (message, n) in raw.into_iter().chain(goose_errors) {
        let message = if overflow {
            WITHHELD.to_string()
        } else {
            redactor.redact(&message)
        };
        *errors.entry(message).or_insert(0) += n;
    }
    errors
}
