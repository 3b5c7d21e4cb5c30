//! The open model (`specgate load --rate 500/s`, `--rate 100/s..1000/s --ramp 60s`): each
//! iteration of a transactions scenario starts at its scheduled time, whether or not the ones
//! before it have answered.
//!
//! goose cannot schedule arrivals (its load users are a closed model: each sends its next
//! request when the last one answers), so this model is built on tokio: a scheduler computes
//! each start's intended time from the rate ([`Schedule`]), sleeps until it (until one timer
//! tick before it: `TIMER_TICK`), and spawns the iteration as a task. Requests are built, sent, read and captured with the closed model's
//! pieces (`exchange::client::build_request`, the capped body reader, `json_body`, the captures
//! and secret learning of `load::run`), on one pooled HTTP client.
//!
//! At most `max_in_flight` iterations run at once. A start that finds every slot taken is
//! counted (`in_flight_hits`) and waits for one, so it starts late; the starts the schedule
//! then owes are made as soon as slots free, each late by as much. Starts whose intended time
//! fell within the run but that never started (the run ended first) are `dropped`.
//!
//! Every request is timed twice: from its actual send to its answer (uncorrected, as goose
//! times the closed model) and from when it was intended to be sent (corrected for
//! coordinated omission): its send shifted back by how late its iteration started. Both go to
//! HDR histograms; late and dropped starts are reported beside them, so a generator that could
//! not keep its schedule is never mistaken for a slow server.
//!
//! Sharded (`--shard I/N`), a run makes the whole schedule's starts numbered `I mod N`, each at
//! its intended time in the whole schedule ([`super::shard`]); its result carries its corrected
//! and lateness histograms, which `specgate merge` adds (`load::merge`).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::judge::Judge;
use super::latency::{latency_of, new_histogram, Histograms};
use super::run::{
    check_destination, dataset, limiters, login_and_setup, read_capped, request_for, Ended,
    Latency, LoadError, LoadErrorKind, LoadOptions, LoadRun, Outcome, RequestStats, Shared,
    WITHHELD,
};
use super::scenario::{LoadStep, Scenario, Work};
use super::shard::{Shard, ShardRun};
use super::work::Job;
use crate::exchange::client::client_builder;
use crate::target::Target;
use crate::vars::Vars;

/// The highest rate `--rate` takes, per second: far past what one machine generates, low
/// enough that a typo (`5000000/s`) is refused rather than tried.
pub const MAX_RATE_PER_S: f64 = 100_000.0;
/// The most iterations one open-model run may schedule (rate × run time): a hard cap, checked
/// before the run starts.
pub const MAX_OPEN_ITERATIONS: u64 = 1_000_000;
/// The most iterations `--max-in-flight` may allow at once (each is a tokio task and may hold
/// a connection).
pub const MAX_IN_FLIGHT: usize = 10_000;
/// `--max-in-flight` unless told.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 1000;
/// A start more than this after its intended time is late (the stated threshold).
pub const DEFAULT_LATE_AFTER: Duration = Duration::from_millis(5);

pub use super::judge::{parse_judge, JudgeSample, Judged, JudgedExample, DEFAULT_JUDGE};

/// An arrival rate, iterations per second: constant (`from == to`), or ramping linearly from
/// `from` to `to` over the run's `--ramp`, then holding `to`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub from_per_s: f64,
    pub to_per_s: f64,
}

impl Rate {
    pub fn is_ramp(&self) -> bool {
        self.from_per_s != self.to_per_s
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_ramp() {
            write!(f, "{}/s..{}/s", self.from_per_s, self.to_per_s)
        } else {
            write!(f, "{}/s", self.from_per_s)
        }
    }
}

/// One rate: a number above 0 and a unit, `/s` or `/m` (`500/s`, `1200/m`).
fn parse_one(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let (number, per_s) = if let Some(n) = t.strip_suffix("/s") {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix("/m") {
        (n, 60.0)
    } else {
        return Err(format!(
            "`{t}` has no unit: write iterations per second or per minute, as 500/s or 1200/m"
        ));
    };
    let n: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{number}` in `{t}` is not a number"))?;
    if !n.is_finite() || n <= 0.0 {
        return Err(format!("`{t}` is not a rate above 0"));
    }
    let rate = n / per_s;
    if rate > MAX_RATE_PER_S {
        return Err(format!(
            "`{t}` is more than the {MAX_RATE_PER_S}/s an open-model run may offer"
        ));
    }
    Ok(rate)
}

/// `--rate`: `500/s` (constant) or `100/s..1000/s` (a ramp, with `--ramp`).
pub fn parse_rate(text: &str) -> Result<Rate, String> {
    match text.split_once("..") {
        None => {
            let r = parse_one(text)?;
            Ok(Rate {
                from_per_s: r,
                to_per_s: r,
            })
        }
        Some((a, b)) => Ok(Rate {
            from_per_s: parse_one(a)?,
            to_per_s: parse_one(b)?,
        }),
    }
}

/// When each start is intended, as seconds from the schedule's beginning: start `i` (from 0)
/// is due when the rate's integral reaches `i`.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    pub rate: Rate,
    /// Seconds the ramp lasts; 0 for a constant rate.
    pub ramp_s: f64,
}

impl Schedule {
    /// The starts due before `t` seconds: the integral of the rate over `[0, t)`.
    fn integral(&self, t: f64) -> f64 {
        let (a, b, r) = (self.rate.from_per_s, self.rate.to_per_s, self.ramp_s);
        if r <= 0.0 {
            return b * t;
        }
        let k = (b - a) / r;
        let tr = t.min(r);
        a * tr + k * tr * tr / 2.0 + b * (t - tr).max(0.0)
    }

    /// The rate's mean over `[0, t)`, starts per second (not the starts due in it over `t`,
    /// which round up); 0 for an empty window.
    pub fn mean_rate(&self, t: f64) -> f64 {
        if t > 0.0 {
            self.integral(t) / t
        } else {
            0.0
        }
    }

    /// How many starts are due in `[0, t)`.
    pub fn count_before(&self, t: f64) -> u64 {
        self.integral(t).ceil().max(0.0) as u64
    }

    /// The intended time of start `i`, in seconds.
    pub fn at(&self, i: u64) -> f64 {
        let (a, b, r) = (self.rate.from_per_s, self.rate.to_per_s, self.ramp_s);
        let i = i as f64;
        if r <= 0.0 {
            return i / b;
        }
        let during_ramp = self.integral(r);
        if i <= during_ramp {
            // a·t + k·t²/2 = i, in the form that holds for k = 0 and for a ramp down
            // (a² + 2ki ≥ b² > 0 while i is within the ramp).
            let k = (b - a) / r;
            2.0 * i / (a + (a * a + 2.0 * k * i).max(0.0).sqrt())
        } else {
            r + (i - during_ramp) / b
        }
    }
}

/// How an open-model run is shaped, beside the [`LoadOptions`] it shares with the closed model
/// (run time, request budget, timeout, dataset, remote refusal).
#[derive(Debug, Clone)]
pub struct OpenOptions {
    pub rate: Rate,
    /// How long a ramp lasts; required for a ramp, refused for a constant rate.
    pub ramp: Option<Duration>,
    /// Iterations in flight at most; a start finding every slot taken waits, and is counted.
    pub max_in_flight: usize,
    /// A start later than this after its intended time is counted late.
    pub late_after: Duration,
    /// Judge one response in this many by the API's conformance checks; `None`: none.
    pub judge_one_in: Option<u64>,
    /// Begin the schedule at this wall-clock time (shards agree on it); `None`: at once.
    pub start_at: Option<StartAt>,
}

impl OpenOptions {
    pub fn new(rate: Rate) -> Self {
        OpenOptions {
            rate,
            ramp: None,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            late_after: DEFAULT_LATE_AFTER,
            judge_one_in: None,
            start_at: None,
        }
    }
}

/// tokio's timers fire on millisecond ticks, at or after the instant asked for, so a start
/// waited for until its intended time would be made up to a tick (or two, from an idle
/// runtime's wake-up) late, and that wait would show in every corrected time as the server's.
/// A start is made from one tick before its intended time instead: never more than this early
/// (the schedule's rate is kept), and a start made early is not behind (its corrected time is
/// its uncorrected one), so the corrected times carry the generator's real lateness only.
const TIMER_TICK: Duration = Duration::from_millis(1);

/// A wall-clock time the schedule begins at, in milliseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartAt(pub u64);

/// How far ahead `--start-at` may be: a shard waits for it, and every wait is bounded.
pub const MAX_START_WAIT: Duration = Duration::from_secs(15 * 60);

/// `--start-at`: Unix seconds (`1796281200`, `1796281200.5`) or RFC 3339
/// (`2026-12-03T07:00:00Z`).
pub fn parse_start_at(s: &str) -> Result<StartAt, String> {
    let t = s.trim();
    if let Ok(secs) = t.parse::<f64>() {
        if (0.0..1e11).contains(&secs) {
            return Ok(StartAt((secs * 1000.0).round() as u64));
        }
        return Err(format!(
            "`{t}` is not a time: give Unix seconds or RFC 3339"
        ));
    }
    chrono::DateTime::parse_from_rfc3339(t)
        .ok()
        .and_then(|d| u64::try_from(d.timestamp_millis()).ok())
        .map(StartAt)
        .ok_or_else(|| {
            format!(
                "`{t}` is not a time: give Unix seconds or RFC 3339, such as 2026-12-03T07:00:00Z"
            )
        })
}

impl std::fmt::Display for StartAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match chrono::DateTime::from_timestamp_millis(self.0 as i64) {
            Some(d) => write!(
                f,
                "{}",
                d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            ),
            None => write!(f, "{} ms since the Unix epoch", self.0),
        }
    }
}

fn unix_now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A `--start-at` more than [`MAX_START_WAIT`] ahead, or so long past that the schedule of
/// `run_time` has ended, is refused: the one would hold a shard idle, the other send nothing.
pub fn check_start_at(start_at: Option<StartAt>, run_time: Duration) -> Result<(), LoadErrorKind> {
    let Some(at) = start_at else { return Ok(()) };
    let now = unix_now_ms();
    if at.0 > now + MAX_START_WAIT.as_millis() as u64 {
        return Err(LoadErrorKind::Open(format!(
            "--start-at {at} is {:.0} s ahead, more than the {} min a shard waits",
            (at.0 - now) as f64 / 1000.0,
            MAX_START_WAIT.as_secs() / 60
        )));
    }
    if now >= at.0 + run_time.as_millis() as u64 {
        return Err(LoadErrorKind::Open(format!(
            "--start-at {at} is {:.0} s past: a schedule of --run-time {} s starting then is over",
            (now - at.0) as f64 / 1000.0,
            run_time.as_secs()
        )));
    }
    Ok(())
}

/// What an open-model run offered and did: its schedule, its starts, and its times measured
/// from the intended send (the uncorrected ones are the run's `latency`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OpenStats {
    pub rate: Rate,
    pub ramp_s: f64,
    /// Seconds the schedule ran (the run time, or less when the run stopped early).
    pub schedule_s: f64,
    /// Starts due within the schedule.
    pub scheduled: u64,
    /// Starts made.
    pub started: u64,
    /// Iterations that ran to their end.
    pub completed: u64,
    /// Starts due that were never made: the run ended (or stopped) first.
    pub dropped: u64,
    /// Starts made more than `late_after_ms` after their intended time.
    pub late: u64,
    pub late_after_ms: f64,
    /// How late starts were: p50, p95, p99 and max, in milliseconds.
    pub lateness: Latency,
    /// Scheduled starts per second of schedule.
    pub offered_rps: f64,
    /// Starts made per second of schedule.
    pub achieved_rps: f64,
    pub max_in_flight: usize,
    /// Starts that found every in-flight slot taken (and waited for one).
    pub in_flight_hits: u64,
    /// The most iterations in flight at once.
    pub peak_in_flight: usize,
    /// Iterations still running when the drain after the schedule ended; cut short.
    pub cut: u64,
    /// Times from the intended send, over every request.
    pub corrected: Latency,
    /// Times from the intended send, by request key.
    pub corrected_by_key: BTreeMap<String, Latency>,
    /// The 99.9th percentile of the times from the intended send, over every request (what
    /// `plan --slo p999<…` bounds).
    #[serde(default)]
    pub corrected_p999_ms: f64,
    /// One response in this many was judged by the conformance checks; `None`: none were.
    #[serde(default)]
    pub judge_one_in: Option<u64>,
    /// By request key: the sampled responses judged, and what broke the contract.
    #[serde(default)]
    pub judged: BTreeMap<String, Judged>,
    /// A shard's (`--shard I/N`) or a merge's part of the whole run's schedule; `None` for an
    /// unsharded run. A shard's counts above (`scheduled`, `offered_rps`, …) are its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharded: Option<ScheduleShare>,
    /// The times from the intended send, by request key: where `corrected` comes from, and what
    /// a shard's result file carries for the merge.
    #[serde(skip)]
    pub corrected_histograms: Histograms,
    /// How late the starts were (µs): where `lateness` comes from; the merge adds the shards'.
    #[serde(skip)]
    pub lateness_histogram: Option<hdrhistogram::Histogram<u64>>,
}

/// What a sharded open-model run records of the whole schedule it is part of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleShare {
    /// The starts of the whole run's schedule over the run time: start `i` (from 0) is shard
    /// `i mod N`'s, so the shards' `scheduled` add up to this when each ran its whole time.
    pub whole: u64,
    /// A shard's: when its schedule began, in milliseconds since the Unix epoch. Each shard
    /// counts the intended times from its own beginning, so the shards' starts make the whole
    /// schedule in wall-clock time as closely as the shards began together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub began_unix_ms: Option<u64>,
    /// A merge's: the first shard's schedule began this many milliseconds before the last's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub began_apart_ms: Option<u64>,
    /// The `--start-at` every shard began its schedule at (milliseconds since the Unix epoch),
    /// if they were given one; the merge refuses shards that disagree on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_at_unix_ms: Option<u64>,
}

impl OpenStats {
    /// Sampled responses that broke a conformance check, over every key.
    pub fn violations(&self) -> u64 {
        super::judge::violations(&self.judged)
    }
}

/// Per request key: what the open model counted.
#[derive(Debug, Default, Clone)]
struct Counts {
    observed: u64,
    failed: u64,
    /// By status; `None`: no answer. Named as the reports name them when the run is summed up,
    /// so counting a request allocates nothing.
    statuses: BTreeMap<Option<u16>, u64>,
}

/// What the open model's iterations share beside the closed model's [`Shared`].
struct OpenShared {
    client: reqwest::Client,
    counts: Mutex<BTreeMap<String, Counts>>,
    corrected: Mutex<Histograms>,
    completed: AtomicU64,
    in_flight: AtomicUsize,
    peak_in_flight: AtomicUsize,
}

impl OpenShared {
    fn count(&self, key: &str, status: Option<u16>, ok: bool) {
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if !c.contains_key(key) {
            c.insert(key.to_string(), Counts::default());
        }
        let Some(e) = c.get_mut(key) else { return };
        e.observed += 1;
        if !ok {
            e.failed += 1;
        }
        *e.statuses.entry(status).or_insert(0) += 1;
    }
}

/// Run `scenario` against `target` in the open model. Refused before anything is sent: an
/// export (one job, not iterations), a target that is not loopback (unless allowed), a rate
/// whose run would schedule more than [`MAX_OPEN_ITERATIONS`], a ramp without `ramp`.
pub async fn run_open_load(
    scenario: Arc<Scenario>,
    target: &Target,
    options: &LoadOptions,
    open: &OpenOptions,
) -> Result<LoadRun, LoadError> {
    let name = scenario.name.clone();
    run_open(scenario, target, options, open)
        .await
        .map_err(|kind| LoadError {
            scenario: name,
            kind,
        })
}

/// The schedule of `open` over `run_time`, checked.
pub fn schedule_of(open: &OpenOptions, run_time: Duration) -> Result<Schedule, LoadErrorKind> {
    let ramp_s = match (open.rate.is_ramp(), open.ramp) {
        (true, None) => {
            return Err(LoadErrorKind::Open(format!(
                "--rate {} is a ramp: say how long it lasts with --ramp (e.g. --ramp 60s)",
                open.rate
            )))
        }
        (false, Some(_)) => {
            return Err(LoadErrorKind::Open(format!(
                "--ramp needs a range of rates (--rate 100/s..1000/s); {} is one rate",
                open.rate
            )))
        }
        (true, Some(r)) if r > run_time || r.is_zero() => {
            return Err(LoadErrorKind::Open(format!(
                "--ramp {:?} must be above 0 and at most --run-time {:?}",
                r, run_time
            )))
        }
        (true, Some(r)) => r.as_secs_f64(),
        (false, None) => 0.0,
    };
    if open.max_in_flight == 0 || open.max_in_flight > MAX_IN_FLIGHT {
        return Err(LoadErrorKind::Open(format!(
            "--max-in-flight {} is not between 1 and {MAX_IN_FLIGHT}",
            open.max_in_flight
        )));
    }
    let schedule = Schedule {
        rate: open.rate,
        ramp_s,
    };
    let planned = schedule.count_before(run_time.as_secs_f64());
    if planned > MAX_OPEN_ITERATIONS {
        return Err(LoadErrorKind::Open(format!(
            "--rate {} for {:?} schedules {planned} iterations, more than the {MAX_OPEN_ITERATIONS} a run may; shorten --run-time or lower the rate",
            open.rate, run_time
        )));
    }
    Ok(schedule)
}

/// The open model starts iterations of a transactions scenario; an export is one walk, with
/// nothing to start on a schedule. Checked before a report folder is made or a mock starts.
pub fn refuse_walk(scenario: &Scenario) -> Result<(), LoadErrorKind> {
    match scenario.work {
        Work::Mix { .. } => Ok(()),
        _ => Err(LoadErrorKind::Open(format!(
            "the open model starts iterations of a transactions scenario; `{}` is one walk, run it without --rate (or `plan` without --rates)",
            scenario.name
        ))),
    }
}

async fn run_open(
    scenario: Arc<Scenario>,
    target: &Target,
    options: &LoadOptions,
    open: &OpenOptions,
) -> Result<LoadRun, LoadErrorKind> {
    refuse_walk(&scenario)?;
    let Work::Mix {
        on_start,
        transactions,
    } = &scenario.work
    else {
        unreachable!("refuse_walk lets only a transactions scenario through")
    };
    let schedule = schedule_of(open, options.run_time)?;
    check_destination(target, options.allow_remote).await?;
    let data = dataset(&scenario, &options.dataset)?;
    // The whole schedule's starts over the run time; a shard makes its share of them.
    let planned = schedule.count_before(options.run_time.as_secs_f64());
    let shard = match options.shard {
        Some(sh) => Some(shard_run(&scenario, &data, sh, planned)?),
        None => None,
    };
    let base = login_and_setup(&scenario, target, options, &data).await?;
    // Each shard keeps its share of a documented limit, so the shards together keep it.
    let limiters = limiters(&scenario, &data, options.shard.map_or(1, |sh| sh.count))?;
    let client = client_builder(target, options.timeout)
        .and_then(|b| {
            b.build()
                .map_err(|e| crate::exchange::client::TransportError::Other(e.to_string()))
        })
        .map_err(|e| LoadErrorKind::Unreachable(e.to_string()))?;
    let mut shared = Shared::new(
        scenario.clone(),
        target,
        options,
        base.clone(),
        limiters,
        1,
        None,
    );
    shared.open_latency_log(options.latency_log.as_deref())?;
    // In-flight iterations may finish their last request after the schedule ends: the run's
    // hard deadline is the schedule's plus one request timeout.
    let drain = options.timeout + Duration::from_secs(1);
    check_start_at(open.start_at, options.run_time)?;
    // A shared start ahead: the shard waits for it (at most MAX_START_WAIT), so its deadline
    // moves by the wait.
    let wait = open.start_at.map_or(Duration::ZERO, |at| {
        Duration::from_millis(at.0.saturating_sub(unix_now_ms()))
    });
    shared.deadline += drain + wait;
    shared.judge = Judge::new(&scenario.spec, scenario.keys(), open.judge_one_in);
    let s = Arc::new(shared);
    let o = Arc::new(OpenShared {
        client,
        counts: Mutex::new(BTreeMap::new()),
        corrected: Mutex::new(Histograms::default()),
        completed: AtomicU64::new(0),
        in_flight: AtomicUsize::new(0),
        peak_in_flight: AtomicUsize::new(0),
    });

    // on_start once, before the schedule: its captures are every iteration's variables.
    let mut vars = base;
    run_steps(&s, &o, on_start, &mut vars, Duration::ZERO).await;
    // One iteration: each transaction `weight` times, each from the same variables.
    let iteration: Arc<Vec<Vec<Arc<LoadStep>>>> = Arc::new(
        transactions
            .iter()
            .flat_map(|t| std::iter::repeat_n(t.steps.clone(), t.weight))
            .collect(),
    );
    let vars = Arc::new(vars);

    // Ctrl-C stops the schedule and the iterations at their next request; the run still
    // reports (goose's own handler, which does this for the closed model, is not running).
    let interrupt = {
        let s = s.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                s.end(Ended::Interrupted);
            }
        })
    };
    // The schedule's origin: now, or the shared `--start-at` on this machine's clock (ahead:
    // the loop below waits for the first start; past: the starts since then are late, and
    // counted so).
    let (started_at, began_unix_ms) = {
        let (now, now_ms) = (Instant::now(), unix_now_ms());
        match open.start_at {
            None => (now, now_ms),
            Some(StartAt(at)) if at >= now_ms => (now + Duration::from_millis(at - now_ms), at),
            Some(StartAt(at)) => (
                now.checked_sub(Duration::from_millis(now_ms - at))
                    .unwrap_or(now),
                at,
            ),
        }
    };
    // The schedule has its whole run time from its own beginning: the login, setup and
    // `on_start` before it do not shorten it, so every shard (and an unsharded run) offers its
    // whole share of the schedule. The hard deadline (the setup's start, plus the run time and
    // the drain) still bounds it.
    let schedule_end = (started_at + options.run_time).min(s.deadline);
    let semaphore = Arc::new(tokio::sync::Semaphore::new(open.max_in_flight));
    let mut tasks = tokio::task::JoinSet::new();
    let mut lateness = new_histogram();
    let (mut started, mut late, mut hits) = (0u64, 0u64, 0u64);
    // The whole schedule's number of the last start made.
    let mut last_made: Option<u64> = None;
    // This run's starts, in the whole schedule's numbering: all of them, or a shard's share.
    let whole = Shard { index: 0, count: 1 };
    let mine = super::shard::numbers(planned, options.shard.unwrap_or(whole));
    // Bounded: at most `count_before(run_time)` starts (checked against the cap), each loop
    // turn one start or the end.
    'schedule: for i in mine {
        let intended = started_at + Duration::from_secs_f64(schedule.at(i));
        if intended >= schedule_end {
            break;
        }
        // In steps of at most 100 ms: at a low rate a stop must not wait for the next start.
        loop {
            let now = Instant::now();
            if now + TIMER_TICK >= intended {
                break;
            }
            let wake = (intended - TIMER_TICK).min(now + Duration::from_millis(100));
            tokio::time::sleep_until(wake.into()).await;
            if s.should_stop() {
                break 'schedule;
            }
        }
        if s.should_stop() {
            break;
        }
        let permit = match semaphore.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                hits += 1;
                match tokio::time::timeout_at(
                    schedule_end.into(),
                    semaphore.clone().acquire_owned(),
                )
                .await
                {
                    Ok(Ok(p)) => p,
                    _ => break,
                }
            }
        };
        if s.should_stop() {
            break;
        }
        let behind = intended.elapsed();
        lateness.saturating_record(behind.as_micros() as u64);
        if behind > open.late_after {
            late += 1;
        }
        started += 1;
        last_made = Some(i);
        let now = o.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        o.peak_in_flight.fetch_max(now, Ordering::Relaxed);
        let (s2, o2, it, v) = (s.clone(), o.clone(), iteration.clone(), vars.clone());
        tasks.spawn(async move {
            let _permit = permit;
            let mut done = true;
            for steps in it.iter() {
                let mut vars = (*v).clone();
                if !run_steps(&s2, &o2, steps, &mut vars, behind).await {
                    done = false;
                    break;
                }
            }
            if done {
                o2.completed.fetch_add(1, Ordering::Relaxed);
            }
            o2.in_flight.fetch_sub(1, Ordering::Relaxed);
        });
        // Reap the finished ones: the set holds at most the iterations in flight.
        while tasks.try_join_next().is_some() {}
    }
    // The schedule's window: all of it, or until the run stopped it. A schedule that ran out
    // of starts (a shard's last may come before the end) still had its whole window; a start
    // made early (TIMER_TICK) counts as scheduled even if the stop came before its time.
    let window = schedule_end.saturating_duration_since(started_at);
    let schedule_s = if s.should_stop() {
        started_at.elapsed().min(window)
    } else {
        window
    }
    .as_secs_f64();
    let scheduled = super::shard::share(
        schedule
            .count_before(schedule_s)
            .max(last_made.map_or(0, |i| i + 1))
            .min(planned),
        options.shard.unwrap_or(whole),
    );
    // The drain: every in-flight iteration finishes, or the hard deadline cuts it.
    let drained = tokio::time::timeout_at(s.deadline.into(), async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    let cut = if drained.is_err() {
        s.end(Ended::RunTime);
        let n = tasks.len() as u64;
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
        n
    } else {
        0
    };
    interrupt.abort();
    s.flush_latency_log();
    let completed = o.completed.load(Ordering::Relaxed);
    if completed == started {
        s.end(Ended::Completed);
    }
    s.end(Ended::RunTime);
    let stats = OpenStats {
        rate: open.rate,
        ramp_s: schedule.ramp_s,
        schedule_s,
        scheduled,
        started,
        completed,
        dropped: scheduled.saturating_sub(started),
        late,
        late_after_ms: open.late_after.as_secs_f64() * 1000.0,
        lateness: latency_of(&lateness),
        // The rate's mean over the window; a shard's, its share of it.
        offered_rps: schedule.mean_rate(schedule_s) / options.shard.map_or(1, |sh| sh.count) as f64,
        achieved_rps: per_second(started, schedule_s),
        max_in_flight: open.max_in_flight,
        in_flight_hits: hits,
        peak_in_flight: o.peak_in_flight.load(Ordering::Relaxed),
        cut,
        corrected: Latency::default(),
        corrected_by_key: BTreeMap::new(),
        corrected_p999_ms: 0.0,
        judge_one_in: open.judge_one_in,
        judged: BTreeMap::new(),
        sharded: shard.as_ref().map(|_| ScheduleShare {
            whole: planned,
            began_unix_ms: Some(began_unix_ms),
            began_apart_ms: None,
            start_at_unix_ms: open.start_at.map(|at| at.0),
        }),
        corrected_histograms: Histograms::default(),
        lateness_histogram: Some(lateness),
    };
    let mut run = summarize(&scenario, target, &s, &o, data, stats, started_at.elapsed());
    run.shard = shard;
    Ok(run)
}

/// What shard `sh` of an open-model run records: its identity, and the prediction of the
/// whole schedule (every start of it completed, as one stream of iterations), which every
/// shard of the run computes alike.
fn shard_run(
    scenario: &Scenario,
    data: &BTreeMap<String, f64>,
    sh: Shard,
    planned: u64,
) -> Result<ShardRun, LoadErrorKind> {
    let mut vars = data.clone();
    vars.insert("concurrency".into(), 1.0);
    vars.insert("iterations".into(), planned as f64);
    Ok(ShardRun {
        index: Some(sh.index),
        count: sh.count,
        scenario_sha256: super::shard::scenario_digest(scenario).ok_or_else(|| {
            LoadErrorKind::Shard(format!(
                "cannot read {} to name the shard's scenario",
                scenario.file.display()
            ))
        })?,
        predicted_total: scenario.predicted(&vars)?,
    })
}

fn per_second(n: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        n as f64 / seconds
    } else {
        0.0
    }
}

/// Run `steps` in order, each followed depth first by the work its answer adds, as the closed
/// model's load users do; `false` when the run stopped it before its end.
async fn run_steps(
    s: &Shared,
    o: &OpenShared,
    steps: &[Arc<LoadStep>],
    vars: &mut Vars,
    behind: Duration,
) -> bool {
    for step in steps {
        if s.should_stop() {
            return false;
        }
        let out = execute(s, o, &Job::new(step.clone(), vars.clone()), behind).await;
        if let Some(captured) = out.vars {
            *vars = captured;
        }
        let mut stack: Vec<Job> = out.more.into_iter().rev().collect();
        // Bounded by the answers' items, each capped by the body cap, and by the run's stop.
        while let Some(job) = stack.pop() {
            if s.should_stop() {
                return false;
            }
            stack.extend(execute(s, o, &job, behind).await.more.into_iter().rev());
        }
    }
    true
}

/// Send one request of an iteration that started `behind` its intended time, time it both
/// ways, and turn its answer into captures and further jobs.
async fn execute(s: &Shared, o: &OpenShared, job: &Job, behind: Duration) -> Outcome {
    let step = &job.step;
    let Some(to_send) = request_for(s, job) else {
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
    let prepared: &crate::exchange::request::Prepared = &to_send.prepared;
    let rb = match to_send.builder(&o.client) {
        Ok(rb) => rb,
        Err(e) => {
            s.note(format!("{}: {e}", step.key));
            return Outcome::default();
        }
    };
    let limit_sent = s.judge.sending(prepared.operation.as_deref());
    let sent = Instant::now();
    let response = rb.send().await;
    // To the answer's head, as goose times the closed model.
    let took = sent.elapsed();
    *s.last_answer.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    let us = took.as_micros() as u64;
    s.histograms
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .record(&step.key, us);
    let corrected_us = (took + behind).as_micros() as u64;
    o.corrected
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .record(&step.key, corrected_us);
    // The open model adds the time from the intended send, a third column.
    s.log_latency(&step.key, &[us, corrected_us]);
    let response = match response {
        Ok(r) => r,
        Err(e) => {
            o.count(&step.key, None, false);
            s.note(format!("{}: no answer: {e}", step.key));
            return Outcome::default();
        }
    };
    let status = response.status().as_u16();
    let status_ok = match &step.expect {
        Some(m) => m.matches(status),
        None => (200..300).contains(&status),
    };
    let sampled = s.judge.wants(&step.key, status, limit_sent.is_some());
    // Only a judged answer's headers are copied: the others cost nothing more.
    let headers: Vec<(String, String)> = if sampled {
        response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect()
    } else {
        vec![]
    };
    let body = read_capped(response, s.max_body).await;
    if let (true, Ok(b)) = (sampled, &body) {
        s.judge.judge(
            &s.scenario.spec,
            &s.target,
            &s.base,
            &step.key,
            prepared,
            status,
            headers,
            b,
            took,
            limit_sent,
        );
    }
    if !status_ok {
        o.count(&step.key, Some(status), false);
        s.note(format!("{status}: {}", step.key));
        return Outcome::default();
    }
    match super::run::follow_body(s, job, body) {
        Ok(out) => {
            o.count(&step.key, Some(status), true);
            out
        }
        Err(why) => {
            o.count(&step.key, Some(status), false);
            s.note(why);
            Outcome::default()
        }
    }
}

/// The run as a [`LoadRun`]: the closed model's shape, its times uncorrected, with the open
/// model's [`OpenStats`] (corrected times among them).
fn summarize(
    scenario: &Scenario,
    target: &Target,
    s: &Shared,
    o: &OpenShared,
    data: BTreeMap<String, f64>,
    mut stats: OpenStats,
    wall: Duration,
) -> LoadRun {
    let ended = s
        .ended
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .unwrap_or(Ended::Completed);
    let (redactor, overflow) = {
        let k = s.known.lock().unwrap_or_else(|p| p.into_inner());
        (k.secrets.redactor(), k.overflow)
    };
    // The prediction of the iterations that ran: the open model is one stream of iterations,
    // as one load user of the closed model (concurrency 1) running that many.
    let mut vars = data.clone();
    vars.insert("concurrency".into(), 1.0);
    vars.insert("iterations".into(), stats.completed as f64);
    let predicted = scenario.predicted(&vars).unwrap_or_default();
    let histograms = std::mem::take(&mut *s.histograms.lock().unwrap_or_else(|p| p.into_inner()));
    let corrected = std::mem::take(&mut *o.corrected.lock().unwrap_or_else(|p| p.into_inner()));
    let counts = o.counts.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let mut keys = scenario.keys();
    keys.extend(
        counts
            .keys()
            .filter(|k| !keys.contains(k))
            .cloned()
            .collect::<Vec<_>>(),
    );
    let requests: Vec<RequestStats> = keys
        .into_iter()
        .map(|key| {
            let c = counts.get(&key).cloned().unwrap_or_default();
            RequestStats {
                predicted: predicted.get(&key).copied(),
                observed: c.observed,
                failed: c.failed,
                statuses: c
                    .statuses
                    .into_iter()
                    .map(|(s, n)| {
                        (
                            s.map_or_else(|| "transport".to_string(), |s| s.to_string()),
                            n,
                        )
                    })
                    .collect(),
                latency: histograms
                    .by_key
                    .get(&key)
                    .map(latency_of)
                    .unwrap_or_default(),
                key,
            }
        })
        .collect();
    let all_corrected = corrected.overall();
    stats.corrected = latency_of(&all_corrected);
    if !all_corrected.is_empty() {
        stats.corrected_p999_ms = all_corrected.value_at_quantile(0.999) as f64 / 1000.0;
    }
    stats.corrected_by_key = corrected
        .by_key
        .iter()
        .map(|(k, h)| (k.clone(), latency_of(h)))
        .collect();
    stats.corrected_histograms = corrected;
    // The examples hold the requests' credentials: redacted here, where the run's result is
    // made, into curls that still run where the profile's variables are set.
    stats.judged = s.judge.take();
    super::judge::redact_examples(&mut stats.judged, &redactor, overflow.then_some(WITHHELD));
    let total: u64 = requests.iter().map(|r| r.observed).sum();
    let failed: u64 = requests.iter().map(|r| r.failed).sum();
    let first = *s.first_sent.lock().unwrap_or_else(|p| p.into_inner());
    let last = *s.last_answer.lock().unwrap_or_else(|p| p.into_inner());
    let elapsed_s = match (first, last) {
        (Some(f), Some(l)) if l > f => l.duration_since(f),
        _ => wall,
    }
    .as_secs_f64();
    let errors = {
        let raw = s.errors.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let mut out: BTreeMap<String, u64> = BTreeMap::new();
        for (m, n) in raw {
            let m = if overflow {
                WITHHELD.to_string()
            } else {
                redactor.redact(&m)
            };
            *out.entry(m).or_insert(0) += n;
        }
        out
    };
    let complete = ended == Ended::Completed;
    LoadRun {
        scenario: scenario.name.clone(),
        title: scenario.title.clone(),
        api: scenario.spec.name.clone(),
        cite: scenario.cite.clone(),
        target: redactor.redact(&target.base_url),
        dataset: data,
        concurrency: stats.max_in_flight,
        iterations: None,
        ended,
        elapsed_s,
        requests_total: total,
        failed_total: failed,
        throughput_rps: per_second(total, elapsed_s),
        latency: latency_of(&histograms.overall()),
        prediction_holds: complete
            .then(|| requests.iter().all(|r| r.predicted == Some(r.observed))),
        requests,
        thresholds: vec![],
        limits: super::run::limit_uses(scenario, &s.limiters),
        errors,
        left_undone: stats.cut as usize,
        shard: None,
        histograms,
        open: Some(stats),
        judgement: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_start_time_is_read_as_unix_seconds_or_rfc_3339_and_shown_as_rfc_3339() {
        let at = parse_start_at("1796281200.25").unwrap();
        assert_eq!(at, StartAt(1_796_281_200_250));
        assert_eq!(at.to_string(), "2026-12-03T07:00:00.250Z");
        assert_eq!(parse_start_at(&at.to_string()).unwrap(), at);
        assert_eq!(parse_start_at("2026-12-03T08:00:00.250+01:00").unwrap(), at);
        for bad in ["", "-1", "NaN", "inf", "1e12", "tomorrow", "2026-12-02"] {
            assert!(parse_start_at(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rates_parse_and_bad_ones_say_why() {
        assert_eq!(parse_rate("500/s").unwrap().from_per_s, 500.0);
        assert_eq!(parse_rate("1200/m").unwrap().to_per_s, 20.0);
        let r = parse_rate("100/s..1000/s").unwrap();
        assert!(r.is_ramp());
        assert_eq!((r.from_per_s, r.to_per_s), (100.0, 1000.0));
        assert!(parse_rate("500").unwrap_err().contains("no unit"));
        assert!(parse_rate("fast/s").unwrap_err().contains("not a number"));
        assert!(parse_rate("0/s").unwrap_err().contains("above 0"));
        assert!(parse_rate("-5/s").unwrap_err().contains("above 0"));
        assert!(parse_rate("1e9/s").unwrap_err().contains("more than"));
    }

    #[test]
    fn a_constant_schedule_is_evenly_spaced() {
        let s = Schedule {
            rate: parse_rate("200/s").unwrap(),
            ramp_s: 0.0,
        };
        assert_eq!(s.at(0), 0.0);
        assert!((s.at(200) - 1.0).abs() < 1e-9);
        assert_eq!(s.count_before(2.0), 400);
        assert_eq!(s.count_before(2.001), 401);
    }

    #[test]
    fn a_ramp_schedule_inverts_its_integral() {
        for (a, b) in [(100.0, 1000.0), (1000.0, 100.0), (50.0, 50.5)] {
            let s = Schedule {
                rate: Rate {
                    from_per_s: a,
                    to_per_s: b,
                },
                ramp_s: 10.0,
            };
            // Over the ramp the starts are the trapezoid's area; after it, b a second.
            assert_eq!(s.count_before(10.0), ((a + b) / 2.0 * 10.0).ceil() as u64);
            for i in [1u64, 17, 400, 2000, 6000] {
                let t = s.at(i);
                assert!(
                    (s.integral(t) - i as f64).abs() < 1e-6,
                    "{a}..{b} start {i} at {t}"
                );
            }
            // Intended times only go forward.
            assert!((1..3000).all(|i| s.at(i) > s.at(i - 1)));
        }
    }
}
