//! Capacity planning: run a scenario on a sample dataset at a sweep of concurrencies, find where
//! throughput stops growing while latency climbs, and scale the prediction to the dataset being
//! planned for (a million users is computed, never run), under the documented limits.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::formula::{EvalError, MAX_COUNT};
use super::run::{dataset, run_load, Ended, LoadError, LoadErrorKind, LoadOptions, LoadRun};
use super::scenario::Scenario;
use crate::target::Target;

/// Throughput within this share of the best counts as "no longer growing".
pub const KNEE_SHARE: f64 = 0.9;

#[derive(Debug, Clone)]
pub struct PlanOptions {
    pub concurrencies: Vec<usize>,
    /// Every sweep run: its bounds and the sample dataset it runs on.
    pub run: LoadOptions,
    /// The dataset planned for, over the scenario's defaults (e.g. users = 1,000,000).
    pub plan_dataset: BTreeMap<String, f64>,
    /// Iterations per load user planned for, for a transactions scenario.
    pub plan_iterations: Option<usize>,
}

/// One run of the sweep.
#[derive(Debug, Clone, Serialize)]
pub struct PlanPoint {
    pub concurrency: usize,
    pub throughput_rps: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub requests: u64,
    pub failed: u64,
    pub elapsed_s: f64,
    pub ended: Ended,
    /// The run's sampled answers judged by the API's conformance checks (`--judge`), added up
    /// over its requests: a contract broken under this load shows here.
    pub judgement: super::judge::JudgedTotal,
}

/// A documented limit's bound on the whole workload's throughput.
#[derive(Debug, Clone, Serialize)]
pub struct LimitBound {
    pub name: String,
    pub cite: Vec<String>,
    /// Requests per second the limit allows on the requests it covers.
    pub rate_rps: f64,
    /// The share of the planned requests it covers.
    pub share: f64,
    /// The workload's throughput when this limit is the only bound.
    pub cap_rps: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub scenario: String,
    pub title: String,
    pub api: String,
    pub target: String,
    pub sample_dataset: BTreeMap<String, f64>,
    pub plan_dataset: BTreeMap<String, f64>,
    pub points: Vec<PlanPoint>,
    /// The smallest concurrency whose throughput is within `KNEE_SHARE` of the best.
    pub recommended_concurrency: usize,
    pub measured_rps: f64,
    pub predicted_requests: BTreeMap<String, u64>,
    pub predicted_total: u64,
    /// The iterations each load user runs in the projection (`--plan-iterations`, else 1).
    pub plan_iterations: usize,
    pub limits: Vec<LimitBound>,
    /// `concurrency` when the measured capacity binds, else the name of the binding limit.
    pub binding: String,
    pub effective_rps: f64,
    pub predicted_wall_s: f64,
    /// Why the sweep stopped early (Ctrl-C, a bound), if it did.
    pub stopped: Option<Ended>,
}

/// The smallest concurrency reaching `KNEE_SHARE` of the best throughput.
pub fn knee(points: &[PlanPoint]) -> Option<&PlanPoint> {
    let best = points
        .iter()
        .map(|p| p.throughput_rps)
        .fold(0.0_f64, f64::max);
    points
        .iter()
        .filter(|p| p.throughput_rps >= KNEE_SHARE * best)
        .min_by_key(|p| p.concurrency)
}

/// The prediction scaled to a dataset, and what bounds its throughput.
pub type Projection = (BTreeMap<String, u64>, Vec<LimitBound>, String, f64);

/// Scale the scenario's prediction to `plan_data`, bound by its limits and `measured_rps`. A
/// formula that divides by zero or overflows for `plan_data` is an error naming it.
pub fn project(
    scenario: &Scenario,
    plan_data: &BTreeMap<String, f64>,
    concurrency: usize,
    iterations: Option<usize>,
    measured_rps: f64,
) -> Result<Projection, EvalError> {
    let mut vars = plan_data.clone();
    vars.insert("concurrency".into(), concurrency as f64);
    vars.insert("iterations".into(), iterations.unwrap_or(1) as f64);
    let predicted = scenario.predicted(&vars)?;
    let total = checked_total(&predicted)?;
    let limits: Vec<LimitBound> = scenario
        .limits
        .iter()
        .map(|l| -> Result<LimitBound, EvalError> {
            let covered: u64 = predicted
                .iter()
                .filter(|(k, _)| l.applies_to(k))
                .map(|(_, n)| n)
                .sum();
            let rate_rps = l.rate.eval(plan_data)? / l.per_seconds;
            let share = if total > 0 {
                covered as f64 / total as f64
            } else {
                0.0
            };
            Ok(LimitBound {
                name: l.name.clone(),
                cite: l.cite.clone(),
                rate_rps,
                share,
                cap_rps: if share > 0.0 {
                    rate_rps / share
                } else {
                    f64::INFINITY
                },
            })
        })
        .collect::<Result<_, _>>()?;
    let (binding, effective) = limits
        .iter()
        .filter(|l| l.cap_rps < measured_rps)
        .min_by(|a, b| a.cap_rps.total_cmp(&b.cap_rps))
        .map(|l| (l.name.clone(), l.cap_rps))
        .unwrap_or(("concurrency".to_string(), measured_rps));
    Ok((predicted, limits, binding, effective))
}

/// The sum of the predicted counts; past [`MAX_COUNT`] it is an error, not a wrapped number.
fn checked_total(predicted: &BTreeMap<String, u64>) -> Result<u64, EvalError> {
    predicted
        .values()
        .try_fold(0u64, |sum, n| {
            sum.checked_add(*n).filter(|t| *t as f64 <= MAX_COUNT)
        })
        .ok_or_else(|| EvalError {
            formula: predicted.keys().cloned().collect::<Vec<_>>().join(" + "),
            origin: None,
            reason: format!(
                "the predicted total is past the {MAX_COUNT:e} a count can hold exactly"
            ),
        })
}

impl Plan {
    /// Judged answers of the sweep that broke what the document states.
    pub fn violations(&self) -> u64 {
        self.points
            .iter()
            .map(|p| p.judgement.violations.values().sum::<u64>())
            .sum()
    }
}

fn point(run: &LoadRun) -> PlanPoint {
    PlanPoint {
        concurrency: run.concurrency,
        throughput_rps: run.throughput_rps,
        p50_ms: run.latency.p50_ms,
        p95_ms: run.latency.p95_ms,
        p99_ms: run.latency.p99_ms,
        requests: run.requests_total,
        failed: run.failed_total,
        elapsed_s: run.elapsed_s,
        ended: run.ended,
        judgement: run
            .judgement
            .as_ref()
            .map(|j| super::judge::total(&j.judged))
            .unwrap_or_default(),
    }
}

/// Sweep `options.concurrencies` against `target`, then plan. `on_point` sees each run.
pub async fn run_plan(
    scenario: Arc<Scenario>,
    target: &Target,
    options: &PlanOptions,
    on_point: &mut dyn FnMut(&PlanPoint),
) -> Result<Plan, LoadError> {
    let err = |kind| LoadError {
        scenario: scenario.name.clone(),
        kind,
    };
    let sample = dataset(&scenario, &options.run.dataset).map_err(err)?;
    let plan_data = dataset(&scenario, &options.plan_dataset).map_err(err)?;
    // The projection must hold at whichever concurrency the sweep recommends: a formula that
    // divides by zero or overflows for the planned dataset fails now, not after the sweep.
    for &c in &options.concurrencies {
        project(&scenario, &plan_data, c, options.plan_iterations, 1.0)
            .map_err(|e| err(e.into()))?;
    }
    let mut points = vec![];
    let mut stopped = None;
    for &c in &options.concurrencies {
        let run = run_load(
            scenario.clone(),
            target,
            &LoadOptions {
                concurrency: c,
                ..options.run.clone()
            },
        )
        .await?;
        let p = point(&run);
        on_point(&p);
        points.push(p);
        if matches!(run.ended, Ended::Interrupted | Ended::Error) {
            stopped = Some(run.ended);
            break;
        }
    }
    let Some(best) = knee(&points).cloned() else {
        return Err(err(LoadErrorKind::Goose("the sweep made no run".into())));
    };
    let (predicted, limits, binding, effective) = project(
        &scenario,
        &plan_data,
        best.concurrency,
        options.plan_iterations,
        best.throughput_rps,
    )
    .map_err(|e| err(e.into()))?;
    let total = checked_total(&predicted).map_err(|e| err(e.into()))?;
    Ok(Plan {
        scenario: scenario.name.clone(),
        title: scenario.title.clone(),
        api: scenario.spec.name.clone(),
        target: target.base_url.clone(),
        sample_dataset: sample,
        plan_dataset: plan_data,
        recommended_concurrency: best.concurrency,
        measured_rps: best.throughput_rps,
        predicted_total: total,
        plan_iterations: options.plan_iterations.unwrap_or(1),
        predicted_requests: predicted,
        limits,
        binding,
        effective_rps: effective,
        predicted_wall_s: if effective > 0.0 {
            total as f64 / effective
        } else {
            f64::INFINITY
        },
        points,
        stopped,
    })
}
