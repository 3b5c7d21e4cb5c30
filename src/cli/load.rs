//! `specgate load` and `specgate plan`: run a documented workload through goose and compare its
//! request counts with the scenario's prediction; or sweep concurrencies on a sample and plan
//! the capacity of a dataset size.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::args::{
    parse_at_least_one, parse_at_least_one_u64, parse_count, parse_duration, parse_load_report,
    parse_load_users, parse_set, parse_timeout_secs,
};
use super::{CliError, ExitCode};
use crate::load::merge::ShardResult;
use crate::load::plan::{run_plan, Plan, PlanOptions};
use crate::load::shard::Shard;
use crate::load::{run_load, run_open_load, Ended, LoadOptions, LoadRun, OpenOptions, Scenario};
use crate::mock::RunningMock;
use crate::report::files::{self, ReportFile};
use crate::report::Note;
use crate::spec::SpecsRoot;
use crate::target::Target;

/// How long a `load` run (and each run of a concurrency sweep) lasts without `--run-time`.
const DEFAULT_RUN_TIME: std::time::Duration = std::time::Duration::from_secs(600);
/// How long each step of `plan --rates` lasts without `--run-time`.
const DEFAULT_STEP_TIME: std::time::Duration = std::time::Duration::from_secs(10);

/// What `load` and `plan` share.
#[derive(clap::Args, Debug, Clone)]
pub struct LoadArgs {
    /// The scenario file (see scenarios/)
    #[arg(long, value_name = "FILE")]
    pub scenario: PathBuf,
    /// A target profile [default: the API's built-in mock, started in-process]
    #[arg(long, value_name = "FILE", conflicts_with = "capacity")]
    pub target: Option<PathBuf>,
    /// The size of the scenario's main collection (its `mock_size` dataset variable, e.g.
    /// Checklick users); the built-in mock is started with this many. For `plan`: the size to
    /// plan for
    #[arg(long, alias = "size", value_name = "N", value_parser = parse_count)]
    pub users: Option<f64>,
    /// Any dataset variable of the scenario, NAME=VALUE (repeatable)
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_set)]
    pub sets: Vec<(String, f64)>,
    /// Seed of the built-in mock's data
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Load users (goose users), each with its own connection; at most 1000 (each holds its own
    /// HTTP client: more add memory, not load)
    #[arg(long, default_value_t = 8, value_parser = parse_load_users)]
    pub concurrency: usize,
    /// Iterations per load user of a transactions scenario [default: until --run-time]
    #[arg(long, value_name = "N", value_parser = parse_at_least_one)]
    pub iterations: Option<usize>,
    /// The run stops by itself after this long: 90s, 5m, 1h [default: 10m; for `plan --rates`,
    /// each step's length, 10s]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub run_time: Option<std::time::Duration>,
    /// The run stops by itself after this many requests
    #[arg(long, value_name = "N", default_value_t = 5_000_000, value_parser = parse_at_least_one_u64)]
    pub max_requests: u64,
    /// A goose threshold: p95<200ms, error-rate<1%, rps>=100, `p99<2s for GET /users`
    /// (repeatable); a failing one exits 1
    #[arg(long = "threshold", value_name = "RULE")]
    pub thresholds: Vec<String>,
    /// Judge thresholds at the end only, instead of stopping the run at the first failure
    #[arg(long)]
    pub no_threshold_abort: bool,
    /// Also write goose's own report (.html, .md or .json; repeatable)
    #[arg(long = "goose-report", value_name = "FILE")]
    pub goose_reports: Vec<PathBuf>,
    /// Per-request timeout, in seconds (1 to 3600)
    #[arg(long, default_value_t = 10, value_parser = parse_timeout_secs)]
    pub timeout: u64,
    /// Allow load to go to an address that is not loopback
    #[arg(long)]
    pub allow_remote: bool,
    /// The built-in mock's capacity and what it does above it (`specgate mock --help`)
    #[command(flatten)]
    pub capacity: super::mock::CapacityArgs,
    /// Judge one response in N of each request by the API's conformance checks (a documented
    /// status, a body matching its schema, no 5xx), and every answer a documented limit covers
    /// against the limit and its throttling answer: 1/50, 1/1, or off. A violation exits 1
    #[arg(long, value_name = "1/N", default_value = crate::load::judge::DEFAULT_JUDGE, value_parser = crate::load::judge::parse_judge)]
    pub judge: crate::load::judge::JudgeSample,
}

#[derive(clap::Args, Debug, Clone)]
pub struct LoadCommand {
    #[command(flatten)]
    pub load: LoadArgs,
    /// Write a report: json=PATH, md=PATH or html=PATH (repeatable)
    /// [default: all three under reports/load-<timestamp>/]
    #[arg(long = "report", value_name = "KIND=PATH", value_parser = parse_load_report)]
    pub reports: Vec<ReportFile>,
    /// Run part I of N of the work, I counted from 0 (0/4 to 3/4, as Kubernetes'
    /// JOB_COMPLETION_INDEX), and write its result for `specgate merge`. --concurrency is each
    /// shard's
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// Where a shard writes its result
    /// [default: reports/shards/<scenario>-shard-<I>-of-<N>.json]
    #[arg(long, value_name = "FILE", requires = "shard")]
    pub shard_result: Option<PathBuf>,
    /// Also write each request's key and response time (microseconds), tab-separated, a line
    /// each: the times the percentiles are read from
    #[arg(long, value_name = "FILE")]
    pub latency_log: Option<PathBuf>,
    /// Open model: start iterations at this rate whether or not earlier ones answered: 500/s
    /// (constant), 1200/m, or 100/s..1000/s (a ramp, with --ramp). Bounded by --run-time
    #[arg(long, value_name = "RATE", value_parser = crate::load::open::parse_rate, conflicts_with_all = ["concurrency", "iterations", "thresholds", "goose_reports", "no_threshold_abort"])]
    pub rate: Option<crate::load::Rate>,
    /// How long the ramp of `--rate A/s..B/s` lasts (then B holds): 30s, 2m
    #[arg(long, value_name = "DURATION", requires = "rate", value_parser = parse_duration)]
    pub ramp: Option<std::time::Duration>,
    /// Open model: at most this many iterations in flight; a start finding them all busy waits
    /// (late), and is counted (1 to 10000)
    #[arg(long, value_name = "N", requires = "rate", default_value_t = crate::load::open::DEFAULT_MAX_IN_FLIGHT)]
    pub max_in_flight: usize,
    /// Open-model shards: begin the schedule at this wall-clock time, the same for every shard
    /// (Unix seconds, or RFC 3339 such as 2026-12-03T07:00:00Z), so their starts make one
    /// schedule however far apart the shards were started. At most 15 minutes ahead; a time
    /// already past makes the starts since then late, and they are counted so
    #[arg(long, value_name = "TIME", requires = "rate", requires = "shard", value_parser = crate::load::open::parse_start_at)]
    pub start_at: Option<crate::load::open::StartAt>,
}

impl LoadCommand {
    /// The shard's result file, when the run is a shard's.
    pub fn shard_result_file(&self, scenario: &str) -> Option<ReportFile> {
        let shard = self.shard?;
        let path = self.shard_result.clone().unwrap_or_else(|| {
            PathBuf::from("reports").join("shards").join(format!(
                "{scenario}-shard-{}-of-{}.json",
                shard.index, shard.count
            ))
        });
        Some(ReportFile {
            format: crate::report::ReportFormat::Json,
            path,
        })
    }
}

#[derive(clap::Args, Debug, Clone)]
pub struct PlanCommand {
    #[command(flatten)]
    pub load: LoadArgs,
    /// Concurrencies to sweep, comma-separated (each at most 1000)
    #[arg(long, value_delimiter = ',', default_value = "1,2,4,8,16,32", value_parser = parse_load_users)]
    pub concurrencies: Vec<usize>,
    /// The size of the sample each sweep run loads (its `mock_size` dataset variable)
    #[arg(long, value_name = "N", default_value_t = 2000, value_parser = parse_at_least_one)]
    pub sample_size: usize,
    /// Iterations per load user to plan for (transactions scenarios)
    #[arg(long, value_name = "N", value_parser = parse_at_least_one)]
    pub plan_iterations: Option<usize>,
    /// Write a report: json=PATH, md=PATH or html=PATH (repeatable)
    /// [default: all three under reports/plan-<timestamp>/]
    #[arg(long = "report", value_name = "KIND=PATH", value_parser = parse_load_report)]
    pub reports: Vec<ReportFile>,
    /// Open model: sweep these arrival rates instead of concurrencies, iterations per second,
    /// increasing (100,200,400,800; 100/s and 1200/m are read too). Each step runs for
    /// --run-time; the sweep stops after two steps in a row past a bound. Names the highest
    /// sustainable rate and the bound that binds above it
    #[arg(long, value_name = "RATES", value_parser = crate::load::plan_rates::parse_rates, conflicts_with_all = ["concurrencies", "concurrency", "users", "iterations", "plan_iterations", "thresholds", "goose_reports", "no_threshold_abort"])]
    pub rates: Option<crate::load::plan_rates::RateSweep>,
    /// With --rates: the latency a step must keep, on the corrected percentile (from the
    /// intended send): p99<50ms, p95<200ms, p999<1s [default: latency not bounded]
    #[arg(long, value_name = "SLO", requires = "rates", value_parser = crate::load::plan_rates::parse_slo)]
    pub slo: Option<crate::load::plan_rates::Slo>,
    /// With --rates: the most a step may have of failed requests and 5xx answers: 1%, 0.1%
    #[arg(long, value_name = "SHARE", requires = "rates", default_value = crate::load::plan_rates::DEFAULT_MAX_ERRORS, value_parser = crate::load::plan_rates::parse_error_share)]
    pub max_errors: f64,
    /// With --rates: at most this many iterations in flight in a step; a start finding them
    /// all busy waits (late), and is counted (1 to 10000)
    #[arg(long, value_name = "N", requires = "rates", default_value_t = crate::load::open::DEFAULT_MAX_IN_FLIGHT)]
    pub max_in_flight: usize,
}

/// A scenario ready to run: the scenario, its target (a started mock or a profile's), and the
/// mock to stop afterwards.
struct Prepared {
    scenario: Arc<Scenario>,
    target: Target,
    mock: Option<RunningMock>,
}

impl Prepared {
    async fn shutdown(self) {
        if let Some(m) = self.mock {
            m.shutdown().await;
        }
    }
}

/// The scenario and its reports (those given, else all three under
/// `reports/<prefix>-<timestamp>/`), checked with goose's own before the run starts.
fn scenario_and_reports(
    root: &SpecsRoot,
    args: &LoadArgs,
    reports: &[ReportFile],
    prefix: &str,
    open_model: bool,
) -> Result<(Scenario, Vec<ReportFile>), CliError> {
    let scenario =
        crate::load::scenario::load_scenario_in(&args.scenario, root).map_err(CliError::Located)?;
    if open_model {
        crate::load::open::refuse_walk(&scenario)
            .map_err(|kind| CliError::Usage(kind.to_string()))?;
    }
    let reports = if reports.is_empty() {
        crate::report::load::default_files(prefix)
    } else {
        reports.to_vec()
    };
    files::prepare(&reports, &args.goose_reports)?;
    Ok((scenario, reports))
}

/// Resolve the target: a profile's, or the API's mock started with `mock_size` records.
async fn prepare_target(
    root: &SpecsRoot,
    args: &LoadArgs,
    scenario: Scenario,
    mock_size: Option<f64>,
    notes: &mut dyn FnMut(Note<'_>),
) -> Result<Prepared, CliError> {
    let scenario = Arc::new(scenario);
    if let Some(path) = &args.target {
        let (spec, profile) = super::specs::load_profile(root, path, notes)?;
        if spec.name != scenario.spec.name {
            return Err(CliError::Usage(format!(
                "{} is a profile of `{}`, the scenario loads `{}`",
                path.display(),
                spec.name,
                scenario.spec.name
            )));
        }
        return Ok(Prepared {
            scenario,
            target: profile.target,
            mock: None,
        });
    }
    let options = crate::mock::MockOptions {
        seed: args.seed,
        size: mock_size.map(|n| n as usize),
        capacity: args.capacity.capacity(),
        ..Default::default()
    };
    let mock = crate::mock::start(&scenario.spec.name, options).await?;
    Ok(Prepared {
        scenario,
        target: mock.target.clone(),
        mock: Some(mock),
    })
}

fn load_options(scenario: &Scenario, args: &LoadArgs, size: Option<f64>) -> LoadOptions {
    let mut dataset: BTreeMap<String, f64> = args.sets.iter().cloned().collect();
    if let (Some(var), Some(n)) = (scenario.size_var(), size) {
        dataset.insert(var.to_string(), n);
    }
    LoadOptions {
        concurrency: args.concurrency,
        iterations: args.iterations,
        run_time: args.run_time.unwrap_or(DEFAULT_RUN_TIME),
        max_requests: args.max_requests,
        thresholds: args.thresholds.clone(),
        no_threshold_abort: args.no_threshold_abort,
        goose_reports: args.goose_reports.clone(),
        dataset,
        timeout: std::time::Duration::from_secs(args.timeout),
        allow_remote: args.allow_remote,
        shard: None,
        latency_log: None,
        judge_one_in: args.judge.0,
    }
}

/// `specgate load`: run the scenario, print its table, write its reports, and judge it.
pub async fn load(
    root: &SpecsRoot,
    command: &LoadCommand,
    notes: &mut dyn FnMut(Note<'_>),
) -> Result<ExitCode, CliError> {
    let args = &command.load;
    let open = command.rate.map(|rate| OpenOptions {
        ramp: command.ramp,
        max_in_flight: command.max_in_flight,
        judge_one_in: args.judge.0,
        start_at: command.start_at,
        ..OpenOptions::new(rate)
    });
    // Refused before a report folder is made, a mock starts or a request goes: a ramp without
    // its length, a run past the iteration cap, a start too far ahead or already over.
    if let Some(open) = &open {
        let run_time = args.run_time.unwrap_or(DEFAULT_RUN_TIME);
        crate::load::open::schedule_of(open, run_time)
            .and_then(|_| crate::load::open::check_start_at(open.start_at, run_time))
            .map_err(|kind| CliError::Usage(kind.to_string()))?;
    }
    let (scenario, reports) =
        scenario_and_reports(root, args, &command.reports, "load", open.is_some())?;
    let shard_file = command.shard_result_file(&scenario.name);
    if let Some(f) = &shard_file {
        let mut all = reports.clone();
        all.push(f.clone());
        files::prepare(&all, &args.goose_reports)?;
    }
    let size = args.users.or_else(|| {
        scenario
            .size_var()
            .and_then(|v| scenario.dataset.get(v))
            .map(|d| d.default)
    });
    let mut options = load_options(&scenario, args, args.users);
    options.shard = command.shard;
    options.latency_log = command.latency_log.clone();
    let prepared = prepare_target(root, args, scenario, size, notes).await?;
    let result = match &open {
        Some(open) => {
            run_open_load(prepared.scenario.clone(), &prepared.target, &options, open).await
        }
        None => run_load(prepared.scenario.clone(), &prepared.target, &options).await,
    };
    prepared.shutdown().await;
    let run = result?;
    crate::report::out(crate::report::load::terminal(&run));
    files::write_all(&reports, &|f| crate::report::load::render(f, &run))?;
    if let (Some(file), Some(result)) = (&shard_file, ShardResult::of(&run)) {
        files::write_all(std::slice::from_ref(file), &|_| result.to_json())?;
    }
    load_verdict(&run)
}

/// A load run passes when it sent requests, completed (or ran its time with nothing left
/// undone and no iteration count), held its prediction and passed its thresholds.
pub fn load_verdict(run: &LoadRun) -> Result<ExitCode, CliError> {
    // A shard whose share is nothing (more shards than pieces of work) rightly sends nothing.
    let nothing_to_send =
        run.shard.is_some() && run.requests.iter().all(|r| r.predicted == Some(0));
    if run.requests_total == 0 && !nothing_to_send {
        return Err(CliError::NothingSent(run.ended.describe().to_string()));
    }
    let complete_expected = matches!(run.ended, Ended::Completed | Ended::RunTime)
        && (run.ended == Ended::Completed || run.left_undone == 0 && run.iterations.is_none());
    // An open-model run that could not start every iteration it offered did not apply the
    // load it was asked for: its times are not those of that rate.
    let offered_not_applied = run.open.as_ref().is_some_and(|o| o.dropped > 0);
    // A judged response that broke the API's contract under load, in either model.
    let contract_broken = run.violations() > 0;
    Ok(
        if !run.thresholds_passed()
            || run.prediction_holds == Some(false)
            || !complete_expected
            || offered_not_applied
            || contract_broken
        {
            ExitCode::RuleFailed
        } else {
            ExitCode::Ok
        },
    )
}

/// `specgate plan`: sweep the concurrencies on the sample (noting each point as it is
/// measured), print the plan, write its reports; 1 when the sweep stopped early or a judged
/// answer broke the contract. With
/// `--rates`, [`plan_rates`].
pub async fn plan(
    root: &SpecsRoot,
    command: &PlanCommand,
    notes: &mut dyn FnMut(Note<'_>),
) -> Result<ExitCode, CliError> {
    if let Some(rates) = &command.rates {
        return plan_rates(root, command, &rates.0, notes).await;
    }
    let args = &command.load;
    let (scenario, reports) = scenario_and_reports(root, args, &command.reports, "plan", false)?;
    let sample = scenario.size_var().map(|_| command.sample_size as f64);
    let run = load_options(&scenario, args, sample);
    let mut plan_dataset: BTreeMap<String, f64> = args.sets.iter().cloned().collect();
    if let (Some(var), Some(n)) = (scenario.size_var(), args.users) {
        plan_dataset.insert(var.to_string(), n);
    }
    let options = PlanOptions {
        concurrencies: command.concurrencies.clone(),
        run,
        plan_dataset,
        plan_iterations: command.plan_iterations.or(args.iterations),
    };
    let prepared = prepare_target(root, args, scenario, sample, notes).await?;
    let result: Result<Plan, _> = run_plan(
        prepared.scenario.clone(),
        &prepared.target,
        &options,
        &mut |p| notes(Note::PlanPoint(p)),
    )
    .await;
    prepared.shutdown().await;
    let plan = result?;
    crate::report::out(crate::report::load::plan_terminal(&plan));
    files::write_all(&reports, &|f| crate::report::load::render_plan(f, &plan))?;
    // A sampled answer that broke what the document states fails the plan, as it fails `load`.
    Ok(if plan.stopped.is_some() || plan.violations() > 0 {
        ExitCode::RuleFailed
    } else {
        ExitCode::Ok
    })
}

/// `specgate plan --rates`: sweep the arrival rates on the sample in the open model (noting
/// each step as it is judged), print the plan, write its reports. 0 when a rate held every
/// bound; 1 when none did (the first rate is already past capacity) or the sweep was stopped
/// (Ctrl-C, an error); an error when no step sent a request.
pub async fn plan_rates(
    root: &SpecsRoot,
    command: &PlanCommand,
    rates: &[f64],
    notes: &mut dyn FnMut(Note<'_>),
) -> Result<ExitCode, CliError> {
    use crate::load::plan_rates::{run_rate_plan, RatePlanOptions};
    let args = &command.load;
    let options = |run| RatePlanOptions {
        rates: rates.to_vec(),
        run,
        max_in_flight: command.max_in_flight,
        judge_one_in: command.load.judge.0,
        slo: command.slo,
        max_error_share: command.max_errors,
    };
    // Refused before a report folder is made, a mock starts or a request goes: a step past the
    // iteration cap, an in-flight bound out of range.
    // Each step's length: a load run's 10 minutes, five rates over, would be most of an hour.
    let step_time = args.run_time.unwrap_or(DEFAULT_STEP_TIME);
    let checked = options(LoadOptions::default());
    for &rate in rates {
        let open = OpenOptions {
            max_in_flight: checked.max_in_flight,
            ..OpenOptions::new(crate::load::Rate {
                from_per_s: rate,
                to_per_s: rate,
            })
        };
        crate::load::open::schedule_of(&open, step_time)
            .map_err(|kind| CliError::Usage(kind.to_string()))?;
    }
    let (scenario, reports) = scenario_and_reports(root, args, &command.reports, "plan", true)?;
    let sample = scenario.size_var().map(|_| command.sample_size as f64);
    let mut options = options(load_options(&scenario, args, sample));
    options.run.run_time = step_time;
    let prepared = prepare_target(root, args, scenario, sample, notes).await?;
    let result = run_rate_plan(
        prepared.scenario.clone(),
        &prepared.target,
        &options,
        &mut |s| notes(Note::RateStep(s)),
    )
    .await;
    prepared.shutdown().await;
    let plan = result?;
    crate::report::out(crate::report::plan_rates::terminal(&plan));
    files::write_all(&reports, &|f| crate::report::plan_rates::render(f, &plan))?;
    if plan.steps.iter().all(|s| s.requests == 0) {
        return Err(CliError::NothingSent(
            "no step of the sweep sent a request".into(),
        ));
    }
    Ok(
        if plan.stopped.is_some() || plan.sustainable_rate_per_s.is_none() {
            ExitCode::RuleFailed
        } else {
            ExitCode::Ok
        },
    )
}
