//! Capacity planning in requests per second (`specgate plan --rates 100,200,400`): the open
//! model ([`super::open`]) run at each arrival rate of a sweep, each step judged against the
//! bounds a capacity must keep: corrected latency under an SLO (`--slo p99<50ms`), errors
//! under a share (`--max-errors 1%`), no sampled answer breaking the API's contract
//! (`--judge`), no documented limit exceeded, and a generator that kept its schedule (else
//! the step measured the generator, not the server). The plan names the highest rate at which
//! every bound held and the bound that binds at the next step.
//!
//! The sweep stops early once it is clearly past capacity ([`STOP_AFTER_FAILED`] steps in a
//! row past a bound), so it never runs the rates far above what the target can take.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::open::{run_open_load, schedule_of, OpenOptions, OpenStats, Rate, MAX_RATE_PER_S};
use super::plan::{project, LimitBound};
use super::run::{dataset, Ended, LoadError, LoadErrorKind, LoadOptions, LoadRun};
use super::scenario::Scenario;
use crate::target::Target;

/// The most rates one sweep may have.
pub const MAX_RATE_STEPS: usize = 32;
/// The sweep stops after this many steps in a row past a bound: one may be noise, two are
/// past capacity.
pub const STOP_AFTER_FAILED: usize = 2;
/// A step whose starts fell below this share of the offered rate, with late starts, did not
/// apply the load it was asked for.
pub const GENERATOR_SHARE: f64 = 0.95;
/// `--max-errors` unless told: 1% of requests.
pub const DEFAULT_MAX_ERRORS: &str = "1%";

/// `--rates`: the arrival rates of a sweep, iterations per second, strictly increasing.
#[derive(Debug, Clone, PartialEq)]
pub struct RateSweep(pub Vec<f64>);

/// `--rates`: comma-separated rates, each a number (per second) or a rate with its unit
/// (`500/s`, `1200/m`), strictly increasing, at most [`MAX_RATE_STEPS`].
pub fn parse_rates(text: &str) -> Result<RateSweep, String> {
    let mut rates: Vec<f64> = vec![];
    for item in text.split(',') {
        let t = item.trim();
        if t.is_empty() {
            return Err(format!(
                "`{text}` has an empty rate: write rates per second, comma-separated, as 100,200,400"
            ));
        }
        let rate = if t.ends_with("/s") || t.ends_with("/m") {
            let r = super::open::parse_rate(t)?;
            if r.is_ramp() {
                return Err(format!(
                    "`{t}` is a ramp: a sweep's rates are each constant"
                ));
            }
            r.to_per_s
        } else {
            let n: f64 = t.parse().map_err(|_| {
                format!("`{t}` in `{text}` is not a rate: write rates per second, as 100,200,400 (or 100/s,200/s)")
            })?;
            if !n.is_finite() || n <= 0.0 {
                return Err(format!("`{t}` in `{text}` is not a rate above 0"));
            }
            if n > MAX_RATE_PER_S {
                return Err(format!(
                    "`{t}` is more than the {MAX_RATE_PER_S}/s an open-model run may offer"
                ));
            }
            n
        };
        if let Some(&last) = rates.last() {
            if rate <= last {
                return Err(format!(
                    "`{text}`: the rates must increase ({t} comes after {last}/s); the sweep goes up until it is past capacity"
                ));
            }
        }
        rates.push(rate);
        if rates.len() > MAX_RATE_STEPS {
            return Err(format!(
                "`{text}` has more than the {MAX_RATE_STEPS} rates a sweep may have"
            ));
        }
    }
    Ok(RateSweep(rates))
}

/// A percentile an SLO bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Percentile {
    P50,
    P95,
    P99,
    P999,
}

impl Percentile {
    pub fn name(self) -> &'static str {
        match self {
            Percentile::P50 => "p50",
            Percentile::P95 => "p95",
            Percentile::P99 => "p99",
            Percentile::P999 => "p999",
        }
    }

    /// This percentile of `p`, in milliseconds.
    pub fn of(self, p: &Percentiles) -> f64 {
        match self {
            Percentile::P50 => p.p50_ms,
            Percentile::P95 => p.p95_ms,
            Percentile::P99 => p.p99_ms,
            Percentile::P999 => p.p999_ms,
        }
    }
}

/// `--slo`: a percentile of the corrected response time stays under a time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Slo {
    pub percentile: Percentile,
    pub max_ms: f64,
}

impl std::fmt::Display for Slo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}<{}ms", self.percentile.name(), self.max_ms)
    }
}

/// `--slo`: `p99<50ms`, `p95 < 0.2s`, `p999<1s` (p50, p95, p99 or p999; ms or s).
pub fn parse_slo(text: &str) -> Result<Slo, String> {
    let garbled = || {
        format!(
            "`{text}` is not an SLO: write a percentile, <, and a time, as p99<50ms (p50, p95, p99 or p999; ms or s)"
        )
    };
    let (p, bound) = text.split_once('<').ok_or_else(garbled)?;
    let percentile = match p.trim() {
        "p50" => Percentile::P50,
        "p95" => Percentile::P95,
        "p99" => Percentile::P99,
        "p999" | "p99.9" => Percentile::P999,
        _ => return Err(garbled()),
    };
    let bound = bound.trim();
    let (number, scale) = if let Some(n) = bound.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = bound.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return Err(garbled());
    };
    let n: f64 = number.trim().parse().map_err(|_| garbled())?;
    if !n.is_finite() || n <= 0.0 {
        return Err(format!("`{text}`: the SLO's time must be above 0"));
    }
    Ok(Slo {
        percentile,
        max_ms: n * scale,
    })
}

/// `--max-errors`: a share of requests, `1%`, `0.5%`, `0%` (0 to 100), as a fraction.
pub fn parse_error_share(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let n: f64 = t
        .strip_suffix('%')
        .and_then(|n| n.trim().parse().ok())
        .filter(|n: &f64| (0.0..=100.0).contains(n))
        .ok_or_else(|| {
            format!("`{t}` is not a share of requests: write a percentage from 0% to 100%, as 1%")
        })?;
    Ok(n / 100.0)
}

/// A bound a step of the sweep must keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bound {
    /// The generator did not keep its schedule: the step did not apply its rate.
    Generator,
    /// A documented limit of the contract allows less than the rate.
    Limit,
    /// The share of failed requests and 5xx answers.
    Errors,
    /// The corrected percentile of `--slo`.
    Latency,
    /// A sampled answer broke the API's contract.
    Contract,
}

impl Bound {
    /// In the order a step's broken bounds are named by: a generator that did not apply the
    /// load makes every other measurement moot; a documented limit holds whatever was measured;
    /// errors are counted over every request, latency over every request, the contract over a
    /// sample (and a 5xx, which errors count, breaks it too).
    pub const ORDER: [Bound; 5] = [
        Bound::Generator,
        Bound::Limit,
        Bound::Errors,
        Bound::Latency,
        Bound::Contract,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Bound::Generator => "generator",
            Bound::Limit => "limit",
            Bound::Errors => "errors",
            Bound::Latency => "latency",
            Bound::Contract => "contract",
        }
    }
}

/// p50, p95, p99 and p99.9, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
}

/// A violation the sampled answers of a step showed, with the request key it was met on.
pub type StepExample = super::judge::KeyedExample;

/// One rate of the sweep, measured and judged.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RateStep {
    /// The rate asked for, iterations per second.
    pub rate_per_s: f64,
    /// Starts due per second of the step's schedule.
    pub offered_rps: f64,
    /// Starts made per second of the step's schedule.
    pub achieved_rps: f64,
    /// Requests answered (or failed) per second.
    pub throughput_rps: f64,
    /// Times from the intended send (corrected for coordinated omission).
    pub corrected: Percentiles,
    /// Times from the actual send.
    pub uncorrected: Percentiles,
    pub requests: u64,
    /// Failed requests (no answer, an unexpected status, a body that did not parse) and 5xx
    /// answers, each counted once.
    pub errors: u64,
    pub error_share: f64,
    pub scheduled: u64,
    pub started: u64,
    pub late: u64,
    pub dropped: u64,
    pub in_flight_hits: u64,
    /// Sampled answers judged by the conformance checks.
    pub judged: u64,
    /// Check id → sampled answers that broke it.
    pub violations: BTreeMap<String, u64>,
    /// The first violation met, with its curl (redacted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<StepExample>,
    /// The bounds this step broke, in [`Bound::ORDER`]; empty: every bound held.
    pub broken: Vec<Bound>,
    pub ended: Ended,
}

impl RateStep {
    pub fn held(&self) -> bool {
        self.broken.is_empty()
    }

    pub fn violation_count(&self) -> u64 {
        self.violations.values().sum()
    }
}

/// A documented limit, as a cap on the sweep's arrival rate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RateLimit {
    pub name: String,
    pub cite: Vec<String>,
    /// Requests per second the limit allows on the requests it covers.
    pub rate_rps: f64,
    /// The share of an iteration's requests it covers.
    pub share: f64,
    /// Iterations per second the workload may start under this limit alone.
    pub cap_per_s: f64,
}

/// What the sweep found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RatePlan {
    pub scenario: String,
    pub title: String,
    pub api: String,
    pub target: String,
    pub sample_dataset: BTreeMap<String, f64>,
    /// Each step's length, seconds.
    pub step_s: f64,
    pub slo: Option<Slo>,
    pub max_error_share: f64,
    pub judge_one_in: Option<u64>,
    pub max_in_flight: usize,
    /// The rates asked for, in order; the sweep may have stopped before the last.
    pub rates: Vec<f64>,
    pub steps: Vec<RateStep>,
    /// Requests one iteration makes, as the scenario predicts them.
    pub requests_per_iteration: f64,
    pub limits: Vec<RateLimit>,
    /// The highest rate at which every bound held, with every lower rate holding too; `None`
    /// when the first rate already broke a bound.
    pub sustainable_rate_per_s: Option<f64>,
    /// The first rate that broke a bound (the step after the sustainable one).
    pub next_rate_per_s: Option<f64>,
    /// The bound that binds at `next_rate_per_s`; `None` when every step held.
    pub binding: Option<Bound>,
    /// The documented limit that binds, when `binding` is `limit`.
    pub binding_limit: Option<String>,
    /// The first rate at which a sampled answer broke the contract.
    pub contract_break_per_s: Option<f64>,
    /// Every step held: the capacity is above the last rate, not found.
    pub capacity_above_last: bool,
    /// A step above the first broken one held again: the sweep is noisy.
    pub held_again_above: Option<f64>,
    /// Why the sweep ended before its last rate, if it did.
    pub stopped_early: Option<String>,
    /// A step that was interrupted or stopped by an error, ending the sweep.
    pub stopped: Option<Ended>,
}

#[derive(Debug, Clone)]
pub struct RatePlanOptions {
    pub rates: Vec<f64>,
    /// Every step's bounds (`run_time` is each step's length) and the sample dataset.
    pub run: LoadOptions,
    pub max_in_flight: usize,
    pub judge_one_in: Option<u64>,
    pub slo: Option<Slo>,
    pub max_error_share: f64,
}

impl RatePlanOptions {
    fn open(&self, rate: f64) -> OpenOptions {
        OpenOptions {
            max_in_flight: self.max_in_flight,
            judge_one_in: self.judge_one_in,
            ..OpenOptions::new(Rate {
                from_per_s: rate,
                to_per_s: rate,
            })
        }
    }
}

/// The p50/p95/p99/p99.9 of a run's times from the actual send.
fn uncorrected(run: &LoadRun) -> Percentiles {
    let h = run.histograms.overall();
    if h.is_empty() {
        return Percentiles::default();
    }
    let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    Percentiles {
        p50_ms: ms(0.5),
        p95_ms: ms(0.95),
        p99_ms: ms(0.99),
        p999_ms: ms(0.999),
    }
}

/// Failed requests and 5xx answers, each counted once. A 5xx the scenario does not expect is
/// already a failed request; one it expects is not, so per key the larger of the two counts
/// is the errors (exact unless a key has both unexpected non-5xx failures and expected 5xx).
fn errors_of(run: &LoadRun) -> u64 {
    run.requests
        .iter()
        .map(|r| {
            let server: u64 = r
                .statuses
                .iter()
                .filter(|(s, _)| s.starts_with('5') && s.len() == 3)
                .map(|(_, n)| n)
                .sum();
            r.failed.max(server)
        })
        .sum()
}

/// The step a run at `rate` was, judged by `options`' bounds and the limits' caps.
pub fn step_of(
    rate: f64,
    run: &LoadRun,
    o: &OpenStats,
    options: &RatePlanOptions,
    limits: &[RateLimit],
) -> RateStep {
    let corrected = Percentiles {
        p50_ms: o.corrected.p50_ms,
        p95_ms: o.corrected.p95_ms,
        p99_ms: o.corrected.p99_ms,
        p999_ms: o.corrected_p999_ms,
    };
    let errors = errors_of(run);
    let error_share = if run.requests_total > 0 {
        errors as f64 / run.requests_total as f64
    } else {
        0.0
    };
    let super::judge::JudgedTotal {
        judged,
        violations,
        example,
    } = super::judge::total(&o.judged);
    let mut step = RateStep {
        rate_per_s: rate,
        offered_rps: o.offered_rps,
        achieved_rps: o.achieved_rps,
        throughput_rps: run.throughput_rps,
        corrected,
        uncorrected: uncorrected(run),
        requests: run.requests_total,
        errors,
        error_share,
        scheduled: o.scheduled,
        started: o.started,
        late: o.late,
        dropped: o.dropped,
        in_flight_hits: o.in_flight_hits,
        judged,
        violations,
        example,
        broken: vec![],
        ended: run.ended,
    };
    step.broken = broken_bounds(&step, options, limits);
    step
}

/// The bounds `step` broke, in [`Bound::ORDER`].
pub fn broken_bounds(
    step: &RateStep,
    options: &RatePlanOptions,
    limits: &[RateLimit],
) -> Vec<Bound> {
    let generator = step.requests == 0
        || step.dropped > 0
        || (step.achieved_rps < GENERATOR_SHARE * step.offered_rps && step.late > 0);
    let limit = limits.iter().any(|l| l.cap_per_s < step.rate_per_s);
    let errors = step.error_share > options.max_error_share;
    let latency = options
        .slo
        .is_some_and(|slo| slo.percentile.of(&step.corrected) > slo.max_ms);
    let contract = step.violation_count() > 0;
    Bound::ORDER
        .into_iter()
        .zip([generator, limit, errors, latency, contract])
        .filter(|(_, broken)| *broken)
        .map(|(b, _)| b)
        .collect()
}

/// The documented limits of `scenario` as caps on its arrival rate, with the requests one
/// iteration makes; a formula that does not hold for `data` is an error naming it.
pub fn rate_limits(
    scenario: &Scenario,
    data: &BTreeMap<String, f64>,
) -> Result<(f64, Vec<RateLimit>), LoadErrorKind> {
    // One iteration of one stream: the open model's prediction, as `open` makes it.
    let (predicted, bounds, _, _) = project(scenario, data, 1, Some(1), f64::INFINITY)?;
    let per_iteration = predicted.values().sum::<u64>() as f64;
    let limits = bounds
        .into_iter()
        .map(|l: LimitBound| RateLimit {
            cap_per_s: if per_iteration > 0.0 {
                l.cap_rps / per_iteration
            } else {
                f64::INFINITY
            },
            name: l.name,
            cite: l.cite,
            rate_rps: l.rate_rps,
            share: l.share,
        })
        .collect();
    Ok((per_iteration, limits))
}

/// What the sweep's steps say: the highest sustainable rate, the next one and the bound that
/// binds there, the contract-break point, and whether a step above the first broken one held.
#[derive(Debug, Clone, PartialEq)]
pub struct Conclusion {
    pub sustainable: Option<f64>,
    pub next: Option<f64>,
    pub binding: Option<Bound>,
    pub contract_break: Option<f64>,
    pub capacity_above_last: bool,
    pub held_again_above: Option<f64>,
}

pub fn conclude(steps: &[RateStep]) -> Conclusion {
    let first_broken = steps.iter().position(|s| !s.held());
    let (sustainable, next, binding) = match first_broken {
        Some(i) => (
            i.checked_sub(1).map(|j| steps[j].rate_per_s),
            Some(steps[i].rate_per_s),
            steps[i].broken.first().copied(),
        ),
        None => (steps.last().map(|s| s.rate_per_s), None, None),
    };
    Conclusion {
        sustainable,
        next,
        binding,
        contract_break: steps
            .iter()
            .find(|s| s.violation_count() > 0)
            .map(|s| s.rate_per_s),
        capacity_above_last: first_broken.is_none() && !steps.is_empty(),
        held_again_above: first_broken.and_then(|i| {
            steps[i..]
                .iter()
                .rev()
                .find(|s| s.held())
                .map(|s| s.rate_per_s)
        }),
    }
}

/// Sweep `options.rates` against `target` in the open model, then conclude. Every rate's
/// schedule is checked before the first request; `on_step` sees each step as it is judged.
pub async fn run_rate_plan(
    scenario: Arc<Scenario>,
    target: &Target,
    options: &RatePlanOptions,
    on_step: &mut dyn FnMut(&RateStep),
) -> Result<RatePlan, LoadError> {
    let err = |kind| LoadError {
        scenario: scenario.name.clone(),
        kind,
    };
    if options.rates.is_empty() {
        return Err(err(LoadErrorKind::Open("--rates names no rate".into())));
    }
    for &rate in &options.rates {
        schedule_of(&options.open(rate), options.run.run_time).map_err(err)?;
    }
    let sample = dataset(&scenario, &options.run.dataset).map_err(err)?;
    let (per_iteration, limits) = rate_limits(&scenario, &sample).map_err(err)?;
    let mut steps: Vec<RateStep> = vec![];
    let mut stopped = None;
    let mut stopped_early = None;
    let mut failed_in_a_row = 0;
    for (i, &rate) in options.rates.iter().enumerate() {
        let run =
            run_open_load(scenario.clone(), target, &options.run, &options.open(rate)).await?;
        let Some(o) = run.open.as_ref() else {
            return Err(err(LoadErrorKind::Open(format!(
                "the run at {rate}/s reported no open-model statistics"
            ))));
        };
        let step = step_of(rate, &run, o, options, &limits);
        on_step(&step);
        failed_in_a_row = if step.held() { 0 } else { failed_in_a_row + 1 };
        steps.push(step);
        if matches!(run.ended, Ended::Interrupted | Ended::Error) {
            stopped = Some(run.ended);
            break;
        }
        let left = &options.rates[i + 1..];
        if failed_in_a_row >= STOP_AFTER_FAILED && !left.is_empty() {
            let not_run: Vec<String> = left.iter().map(|r| format!("{r}/s")).collect();
            stopped_early = Some(format!(
                "{STOP_AFTER_FAILED} steps in a row broke a bound: past capacity, so {} not run",
                not_run.join(", ")
            ));
            break;
        }
    }
    let c = conclude(&steps);
    let binding_limit = match (c.binding, c.next) {
        (Some(Bound::Limit), Some(next)) => limits
            .iter()
            .filter(|l| l.cap_per_s < next)
            .min_by(|a, b| a.cap_per_s.total_cmp(&b.cap_per_s))
            .map(|l| l.name.clone()),
        _ => None,
    };
    Ok(RatePlan {
        scenario: scenario.name.clone(),
        title: scenario.title.clone(),
        api: scenario.spec.name.clone(),
        target: target.base_url.clone(),
        sample_dataset: sample,
        step_s: options.run.run_time.as_secs_f64(),
        slo: options.slo,
        max_error_share: options.max_error_share,
        judge_one_in: options.judge_one_in,
        max_in_flight: options.max_in_flight,
        rates: options.rates.clone(),
        requests_per_iteration: per_iteration,
        limits,
        sustainable_rate_per_s: c.sustainable,
        next_rate_per_s: c.next,
        binding: c.binding,
        binding_limit,
        contract_break_per_s: c.contract_break,
        capacity_above_last: c.capacity_above_last,
        held_again_above: c.held_again_above,
        stopped_early,
        stopped,
        steps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_and_bad_ones_say_why() {
        assert_eq!(
            parse_rates("100,200, 400").unwrap().0,
            vec![100.0, 200.0, 400.0]
        );
        assert_eq!(parse_rates("50/s,6000/m").unwrap().0, vec![50.0, 100.0]);
        assert!(parse_rates("100,,200").unwrap_err().contains("empty"));
        assert!(parse_rates("100,fast").unwrap_err().contains("not a rate"));
        assert!(parse_rates("0,100").unwrap_err().contains("above 0"));
        assert!(parse_rates("200,100")
            .unwrap_err()
            .contains("must increase"));
        assert!(parse_rates("100,100")
            .unwrap_err()
            .contains("must increase"));
        assert!(parse_rates("1e9").unwrap_err().contains("more than"));
        assert!(parse_rates("10/s..20/s").unwrap_err().contains("ramp"));
        let many: Vec<String> = (1..=33).map(|n| n.to_string()).collect();
        assert!(parse_rates(&many.join(",")).unwrap_err().contains("32"));
    }

    #[test]
    fn slos_and_error_shares_parse_and_bad_ones_say_why() {
        let s = parse_slo("p99<50ms").unwrap();
        assert_eq!((s.percentile, s.max_ms), (Percentile::P99, 50.0));
        let s = parse_slo(" p999 < 1.5s ").unwrap();
        assert_eq!((s.percentile, s.max_ms), (Percentile::P999, 1500.0));
        assert_eq!(parse_slo("p50<2s").unwrap().max_ms, 2000.0);
        for bad in [
            "p98<50ms",
            "p99>50ms",
            "p99<50",
            "p99<fast ms",
            "latency",
            "p99<0ms",
        ] {
            assert!(parse_slo(bad).is_err(), "{bad}");
        }
        assert!(parse_slo("p99<50").unwrap_err().contains("p99<50ms"));
        assert_eq!(parse_error_share("1%").unwrap(), 0.01);
        assert_eq!(parse_error_share("0%").unwrap(), 0.0);
        for bad in ["1", "101%", "-1%", "x%"] {
            assert!(
                parse_error_share(bad).unwrap_err().contains("0% to 100%"),
                "{bad}"
            );
        }
    }

    fn step(rate: f64) -> RateStep {
        RateStep {
            rate_per_s: rate,
            offered_rps: rate,
            achieved_rps: rate,
            throughput_rps: rate,
            corrected: Percentiles {
                p50_ms: 1.0,
                p95_ms: 2.0,
                p99_ms: 3.0,
                p999_ms: 4.0,
            },
            uncorrected: Percentiles::default(),
            requests: 1000,
            errors: 0,
            error_share: 0.0,
            scheduled: 1000,
            started: 1000,
            late: 0,
            dropped: 0,
            in_flight_hits: 0,
            judged: 20,
            violations: BTreeMap::new(),
            example: None,
            broken: vec![],
            ended: Ended::Completed,
        }
    }

    fn options(slo: Option<&str>) -> RatePlanOptions {
        RatePlanOptions {
            rates: vec![],
            run: LoadOptions::default(),
            max_in_flight: 100,
            judge_one_in: Some(50),
            slo: slo.map(|s| parse_slo(s).unwrap()),
            max_error_share: 0.01,
        }
    }

    #[test]
    fn each_bound_is_judged_on_its_own_measure() {
        let o = options(Some("p99<50ms"));
        assert!(broken_bounds(&step(100.0), &o, &[]).is_empty());
        let mut s = step(100.0);
        s.corrected.p99_ms = 51.0;
        assert_eq!(broken_bounds(&s, &o, &[]), [Bound::Latency]);
        // The SLO is on the corrected percentile: a slow uncorrected one does not break it.
        let mut s = step(100.0);
        s.uncorrected.p99_ms = 500.0;
        assert!(broken_bounds(&s, &o, &[]).is_empty());
        // No SLO given: latency is not bounded.
        let mut s = step(100.0);
        s.corrected.p99_ms = 5000.0;
        assert!(broken_bounds(&s, &options(None), &[]).is_empty());
        let mut s = step(100.0);
        s.error_share = 0.011;
        assert_eq!(broken_bounds(&s, &o, &[]), [Bound::Errors]);
        s.error_share = 0.01;
        assert!(broken_bounds(&s, &o, &[]).is_empty());
        let mut s = step(100.0);
        s.violations
            .insert("x.conformance.response-schema-conformance".into(), 1);
        assert_eq!(broken_bounds(&s, &o, &[]), [Bound::Contract]);
        // Late starts alone are jitter; with the achieved rate short of 95%, the generator lagged.
        let mut s = step(100.0);
        s.late = 50;
        s.achieved_rps = 96.0;
        assert!(broken_bounds(&s, &o, &[]).is_empty());
        s.achieved_rps = 94.0;
        assert_eq!(broken_bounds(&s, &o, &[]), [Bound::Generator]);
        let mut s = step(100.0);
        s.dropped = 1;
        assert_eq!(broken_bounds(&s, &o, &[]), [Bound::Generator]);
        let limit = RateLimit {
            name: "UserRateThrottle".into(),
            cite: vec![],
            rate_rps: 50.0,
            share: 1.0,
            cap_per_s: 50.0,
        };
        assert_eq!(
            broken_bounds(&step(100.0), &o, std::slice::from_ref(&limit)),
            [Bound::Limit]
        );
        assert!(broken_bounds(&step(50.0), &o, &[limit]).is_empty());
        // Several broken at once are named in the order of Bound::ORDER.
        let mut s = step(100.0);
        s.error_share = 0.5;
        s.violations
            .insert("x.conformance.not-a-server-error".into(), 3);
        s.corrected.p99_ms = 80.0;
        assert_eq!(
            broken_bounds(&s, &o, &[]),
            [Bound::Errors, Bound::Latency, Bound::Contract]
        );
    }

    fn judged(rate: f64, broken: &[Bound], violations: u64) -> RateStep {
        let mut s = step(rate);
        s.broken = broken.to_vec();
        if violations > 0 {
            s.violations.insert("c".into(), violations);
        }
        s
    }

    #[test]
    fn the_conclusion_names_the_highest_sustainable_rate_and_the_next_steps_bound() {
        let c = conclude(&[
            judged(100.0, &[], 0),
            judged(200.0, &[], 0),
            judged(400.0, &[Bound::Errors, Bound::Contract], 4),
            judged(800.0, &[Bound::Errors, Bound::Contract], 9),
        ]);
        assert_eq!(c.sustainable, Some(200.0));
        assert_eq!(c.next, Some(400.0));
        assert_eq!(c.binding, Some(Bound::Errors));
        assert_eq!(c.contract_break, Some(400.0));
        assert!(!c.capacity_above_last);
        assert_eq!(c.held_again_above, None);
        // Every step held: the capacity is above the last rate, not found.
        let c = conclude(&[judged(100.0, &[], 0), judged(200.0, &[], 0)]);
        assert_eq!((c.sustainable, c.binding), (Some(200.0), None));
        assert!(c.capacity_above_last);
        // The first rate already broke a bound: nothing is sustainable.
        let c = conclude(&[judged(100.0, &[Bound::Latency], 0)]);
        assert_eq!((c.sustainable, c.binding), (None, Some(Bound::Latency)));
        // A step above the first broken one that held is reported, not taken as capacity.
        let c = conclude(&[
            judged(100.0, &[], 0),
            judged(200.0, &[Bound::Latency], 0),
            judged(300.0, &[], 0),
        ]);
        assert_eq!(c.sustainable, Some(100.0));
        assert_eq!(c.held_again_above, Some(300.0));
    }
}
