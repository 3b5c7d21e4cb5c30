//! `specgate check`: check APIs against their specs, on the built-in mocks started in-process
//! or on live targets named by profiles.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::args::{
    parse_at_least_one, parse_glob, parse_level, parse_report, parse_share, parse_timeout,
};
use super::SkippedShare;
use super::{CliError, ExitCode};
use crate::baseline::{Comparison, Report};
use crate::coverage::MinCoverage;
use crate::halt::{Halt, Halted};
use crate::mock::MockOptions;
use crate::report::check::{ReportFiles, Summary};
use crate::report::files::{self, ReportFile};
use crate::report::{Note, Reporter};
use crate::results::{ApiResult, Status};
use crate::run::engine::{run_api, select, RunOptions};
use crate::spec::{Spec, SpecsRoot};
use crate::target::Target;

#[derive(clap::Args, Debug, Clone)]
pub struct CheckArgs {
    /// Only these APIs (repeatable) [default: all]
    #[arg(long = "api", value_name = "NAME")]
    pub apis: Vec<String>,
    /// Only rules whose id matches (glob, repeatable)
    #[arg(long = "rule", value_name = "GLOB", value_parser = parse_glob)]
    pub rules: Vec<String>,
    /// Skip rules whose id matches (glob, repeatable)
    #[arg(long = "skip", value_name = "GLOB", value_parser = parse_glob)]
    pub skip: Vec<String>,
    /// Only rules at this level or stricter: must, should, may
    #[arg(long, value_name = "LEVEL", value_parser = parse_level)]
    pub level: Option<crate::Level>,
    /// Skip every rule that writes (POST, PUT, PATCH, DELETE)
    #[arg(long)]
    pub read_only: bool,
    /// Failed `should` rules fail the run too
    #[arg(long)]
    pub strict: bool,
    /// The largest share of an API's rules that may be skipped for want of a credential (the
    /// target lacks it) before the run fails (exit 2); other skips do not count
    #[arg(long, value_name = "SHARE", default_value = "10%", value_parser = parse_share)]
    pub max_skipped: f64,
    /// Rules run at once (read-only rules; writing rules run one at a time)
    #[arg(long, default_value_t = 8, value_parser = parse_at_least_one)]
    pub concurrency: usize,
    /// Each request's time: no response headers, or a body that has not arrived, by then
    /// fails it (as "no response headers" or "the body trickled")
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_timeout)]
    pub request_timeout: std::time::Duration,
    /// Each rule's total time, all its requests and waits together; past it the rule fails
    /// with a deadline failure (six request timeouts: room for a slow answer or two)
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_timeout)]
    pub rule_timeout: std::time::Duration,
    /// The whole run's time; past it, unfinished rules are reported as not run, the
    /// reports are written and the run exits 1 (a hung target still ends inside a CI job)
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_timeout)]
    pub run_timeout: std::time::Duration,
    /// Write a report: json=PATH, junit=PATH, md=PATH or html=PATH (repeatable)
    /// [default: all four under reports/<timestamp>/]
    #[arg(long = "report", value_name = "KIND=PATH", value_parser = parse_report)]
    pub reports: Vec<ReportFile>,
    /// Check a live target named by a profile file instead of the built-in mocks (repeatable)
    #[arg(long = "target", value_name = "FILE", conflicts_with = "capacity")]
    pub targets: Vec<PathBuf>,
    /// Break one documented behaviour of the built-in mock (needs exactly one --api)
    #[arg(long, value_name = "NAME")]
    pub fault: Option<String>,
    /// Where the vendor documents are, to measure which lines of each the rules cite
    /// [default: ../shared/docs when it exists, else the document coverage is not measured]
    #[arg(long, value_name = "DIR")]
    pub docs: Option<PathBuf>,
    /// Fail the run (exit 1) when an API's coverage is below these percentages: of its
    /// operations, of their documented statuses, of its document's lines
    /// (e.g. operations=90,statuses=70,document=50) [default: no bar]
    #[arg(long, value_name = "BARS", value_parser = MinCoverage::parse)]
    pub min_coverage: Option<MinCoverage>,
    /// Check a faithful variant of the built-in mock: another choice where the document is
    /// silent (needs exactly one --api; see `specgate mock --list-variants`)
    #[arg(long, value_name = "NAME")]
    pub variant: Option<String>,
    /// Compare with an earlier JSON report (`--report json=PATH`): a failure it already had
    /// is reported as known and does not fail the run, a new one does, and one of its
    /// failures that no longer fails is listed as fixed
    #[arg(long, value_name = "REPORT")]
    pub baseline: Option<PathBuf>,
    /// Run only the rules that failed in an earlier JSON report (with --strict, those that
    /// failed or warned), on the APIs they belong to
    #[arg(long, value_name = "REPORT", conflicts_with = "rules")]
    pub rerun_failed: Option<PathBuf>,
    /// The built-in mocks' capacity and what they do above it (`specgate mock --help`)
    #[command(flatten)]
    pub capacity: super::mock::CapacityArgs,
}

/// Read the report `--baseline` names, if any: one that cannot be read or is no specgate
/// report is refused (exit 2), naming the file.
pub fn read_baseline(args: &CheckArgs) -> Result<Option<Arc<Report>>, CliError> {
    args.baseline
        .as_deref()
        .map(|path| read_report("--baseline", path).map(Arc::new))
        .transpose()
}

fn read_report(option: &str, path: &Path) -> Result<Report, CliError> {
    Report::read(path).map_err(|e| CliError::Usage(format!("{option} {e}")))
}

/// The rules `--rerun-failed` runs: those that failed in its report (or failed or warned,
/// with `--strict`), as (API, rule id); narrowed to `--api` when given. A report in which
/// nothing failed is refused: a rerun of nothing would be an empty green run. The
/// conformance checks are not rules to select: they judge the exchanges of whatever rules
/// run, so they judge the rerun's too.
fn rerun_rules(path: &Path, args: &CheckArgs) -> Result<Vec<(String, String)>, CliError> {
    let report = read_report("--rerun-failed", path)?;
    let all = crate::baseline::failed_rules(&report, args.strict);
    let (conformance, failed): (Vec<_>, Vec<_>) =
        all.into_iter().partition(|r| r.kind == "conformance");
    let failed: Vec<(String, String)> = failed.into_iter().map(|r| (r.api, r.rule)).collect();
    if failed.is_empty() && !conformance.is_empty() {
        let ids: Vec<&str> = conformance.iter().map(|r| r.rule.as_str()).collect();
        let mut apis: Vec<&str> = conformance.iter().map(|r| r.api.as_str()).collect();
        apis.dedup();
        return Err(CliError::Usage(format!(
            "--rerun-failed {}: only conformance checks failed there ({}); they judge the exchanges of every rule, so no rule alone reruns them: check the API whole (--api {})",
            path.display(),
            ids.join(", "),
            apis.join(" --api ")
        )));
    }
    if failed.is_empty() {
        let warned = crate::baseline::failed_rules(&report, true).len();
        let hint = if warned > 0 && !args.strict {
            format!(" ({warned} rule(s) warned: --strict reruns them)")
        } else {
            String::new()
        };
        return Err(CliError::Usage(format!(
            "--rerun-failed {}: nothing failed in this report ({} rules of {}){hint}: nothing to rerun",
            path.display(),
            report.rules(),
            report.apis().join(", ")
        )));
    }
    if args.apis.is_empty() {
        return Ok(failed);
    }
    let (kept, left): (Vec<_>, Vec<_>) = failed
        .into_iter()
        .partition(|(api, _)| args.apis.contains(api));
    if kept.is_empty() {
        let mut of: Vec<String> = left.into_iter().map(|(api, _)| api).collect();
        of.dedup();
        return Err(CliError::Usage(format!(
            "--rerun-failed {}: no rule of --api {} failed there (the rules that failed are of {})",
            path.display(),
            args.apis.join(", "),
            of.join(", ")
        )));
    }
    Ok(kept)
}

/// The arguments of a rerun: its APIs and its rules (each id matched exactly).
fn rerun_args(args: &CheckArgs, failed: &[(String, String)]) -> CheckArgs {
    let mut apis: Vec<String> = Vec::new();
    for (api, _) in failed {
        if !apis.contains(api) {
            apis.push(api.clone());
        }
    }
    CheckArgs {
        apis,
        rules: failed.iter().map(|(_, id)| globset::escape(id)).collect(),
        ..args.clone()
    }
}

/// Every rule a rerun is to run must still be in its API's spec: a rerun that quietly ran
/// fewer rules than failed would pass on what it left out.
fn rerun_rules_exist(
    path: &Path,
    failed: &[(String, String)],
    specs: &[&Spec],
) -> Result<(), CliError> {
    for (api, id) in failed {
        let Some(spec) = specs.iter().find(|s| &s.name == api) else {
            continue;
        };
        if !spec.rules.iter().any(|r| &r.id == id) {
            return Err(CliError::Usage(format!(
                "--rerun-failed {}: rule {id} failed there, but the spec of {api} has no such rule now; `specgate specs {api}` lists its rules",
                path.display()
            )));
        }
    }
    Ok(())
}

/// What a check runs against: built-in mocks, started one at a time, or profiles' targets.
enum Subjects {
    Mocks(Vec<Spec>, MockOptions),
    Profiles(Vec<(Spec, crate::target::Profile)>),
}

/// Run `specgate check`: load the specs (or profiles), check the report paths, run each API
/// within `halt`, feeding `reporters` and then the report files; then judge how it ended.
/// `reporters` (the progress bar, the terminal summary) finish before the files are written.
pub async fn check(
    root: &SpecsRoot,
    args: &CheckArgs,
    halt: Halt,
    reporters: Vec<Box<dyn Reporter>>,
    notes: &mut dyn FnMut(Note<'_>),
) -> Result<ExitCode, CliError> {
    let baseline = read_baseline(args)?;
    check_against(root, args, baseline, halt, reporters, notes).await
}

/// [`check`] with its baseline already read ([`read_baseline`]), so that the reporters given
/// (the terminal summary) can be compared with it too.
pub async fn check_against(
    root: &SpecsRoot,
    args: &CheckArgs,
    baseline: Option<Arc<Report>>,
    halt: Halt,
    mut reporters: Vec<Box<dyn Reporter>>,
    notes: &mut dyn FnMut(Note<'_>),
) -> Result<ExitCode, CliError> {
    let rerun = match &args.rerun_failed {
        Some(path) => Some((path, rerun_rules(path, args)?)),
        None => None,
    };
    let rerun_args = rerun.as_ref().map(|(_, failed)| rerun_args(args, failed));
    let args = rerun_args.as_ref().unwrap_or(args);
    let subjects = if args.targets.is_empty() {
        let specs = mock_specs(root, args)?;
        if let Some((path, failed)) = &rerun {
            rerun_rules_exist(path, failed, &specs.iter().collect::<Vec<_>>())?;
        }
        let specs = selected_specs(specs, args.apis.is_empty(), args, notes)?;
        Subjects::Mocks(specs, mock_options(args))
    } else {
        let mut runs = Vec::new();
        for path in &args.targets {
            let (spec, profile) = super::specs::load_profile(root, path, notes)?;
            if let Some((report, failed)) = &rerun {
                // A profile of an API none of whose rules failed has nothing to rerun.
                if !failed.iter().any(|(api, _)| *api == spec.name) {
                    continue;
                }
                rerun_rules_exist(report, failed, &[&spec])?;
            }
            if let Some(why) = emptied_by(&spec, args) {
                return Err(CliError::Usage(why));
            }
            runs.push((spec, profile));
        }
        if let (Some((report, failed)), true) = (&rerun, runs.is_empty()) {
            let mut apis: Vec<&str> = failed.iter().map(|(api, _)| api.as_str()).collect();
            apis.dedup();
            return Err(CliError::Usage(format!(
                "--rerun-failed {}: no --target is of an API whose rules failed there ({})",
                report.display(),
                apis.join(", ")
            )));
        }
        Subjects::Profiles(runs)
    };
    let docs = documents(args.docs.as_deref())?;
    let files = if args.reports.is_empty() {
        crate::report::check::default_files()
    } else {
        args.reports.clone()
    };
    files::prepare(&files, &[])?;
    reporters.push(Box::new(
        ReportFiles::new(files, args.strict).with_baseline(baseline.clone()),
    ));

    let mut options = RunOptions {
        concurrency: args.concurrency,
        read_only: args.read_only,
        rules: args.rules.clone(),
        skip: args.skip.clone(),
        level: args.level,
        timeout: args.request_timeout,
        rule_timeout: args.rule_timeout,
        halt,
        docs,
        ..Default::default()
    };
    let mut results = Vec::new();
    match &subjects {
        Subjects::Mocks(specs, mock) => {
            for spec in specs {
                let mock = crate::mock::start(&spec.name, mock.clone()).await?;
                results.push(run_one(spec, &mock.target, &options, &mut reporters).await);
                // Bounded: a stopped run must not wait on connections it abandoned.
                let _ =
                    tokio::time::timeout(std::time::Duration::from_secs(3), mock.shutdown()).await;
            }
        }
        Subjects::Profiles(runs) => {
            for (spec, profile) in runs {
                options.skip_reasons = profile.skips.clone();
                results.push(run_one(spec, &profile.target, &options, &mut reporters).await);
            }
        }
    }
    let halted = options.halt.check();
    for r in &mut reporters {
        r.finish()?;
    }
    let comparison = baseline
        .as_deref()
        .map(|b| crate::report::check::compare(b, &results, args.strict));
    let code = verdict(
        &results,
        args.strict,
        halted,
        args.max_skipped,
        comparison.as_ref(),
    )?;
    if let Some(bars) = &args.min_coverage {
        coverage_verdict(&results, bars)?;
    }
    match &rerun {
        Some((path, failed)) if code == ExitCode::Ok => rerun_judged(path, failed, &results),
        _ => Ok(code),
    }
}

/// A rerun that passes must have judged every rule it reran: one skipped, or a cross-cutting
/// rule that found nothing to judge among the rerun's exchanges, says nothing of the fix.
fn rerun_judged(
    path: &Path,
    failed: &[(String, String)],
    results: &[ApiResult],
) -> Result<ExitCode, CliError> {
    let unjudged: Vec<String> = results
        .iter()
        .flat_map(|a| a.results.iter())
        .filter(|r| failed.iter().any(|(_, id)| *id == r.id))
        .filter(|r| !matches!(r.status, Status::Passed | Status::Failed))
        .map(|r| format!("{} ({})", r.id, r.reason.as_deref().unwrap_or("not judged")))
        .collect();
    if unjudged.is_empty() {
        return Ok(ExitCode::Ok);
    }
    Err(CliError::Usage(format!(
        "--rerun-failed {}: {} rule(s) that failed there were not judged in the rerun, so it cannot say they are fixed:\n  {}\n  hint: a rule that judges other rules' exchanges needs them: check its API whole",
        path.display(),
        unjudged.len(),
        unjudged.join("\n  ")
    )))
}

/// Where the vendor documents are: `--docs DIR` (which must be a folder), else
/// `../shared/docs` when it exists, else none (the document coverage is not measured).
fn documents(given: Option<&std::path::Path>) -> Result<Option<PathBuf>, CliError> {
    match given {
        Some(d) if !d.is_dir() => Err(CliError::Usage(format!(
            "--docs {}: no such folder; give the folder of the vendor documents",
            d.display()
        ))),
        Some(d) => Ok(Some(d.to_path_buf())),
        None => Ok(super::default_docs()),
    }
}

/// The run fails (exit 1) when an API's coverage misses a bar of `--min-coverage`: each
/// missed bar of each API is said. An API whose target could not be reached covered nothing.
pub fn coverage_verdict(results: &[ApiResult], bars: &MinCoverage) -> Result<(), CliError> {
    let missed: Vec<String> = results
        .iter()
        .flat_map(|api| match &api.coverage {
            Some(c) => bars
                .missed(c)
                .into_iter()
                .map(|m| format!("{}: {m}", api.api))
                .collect(),
            None if bars.is_empty() => vec![],
            None => vec![format!(
                "{}: coverage not measured (the target could not be reached), so it cannot meet --min-coverage",
                api.api
            )],
        })
        .collect();
    if missed.is_empty() {
        Ok(())
    } else {
        Err(CliError::CoverageBelow(missed))
    }
}

/// Run one API, feeding every reporter its events (the last one holds its result).
async fn run_one(
    spec: &Spec,
    target: &Target,
    options: &RunOptions,
    reporters: &mut [Box<dyn Reporter>],
) -> ApiResult {
    let result = run_api(spec, target, options, &mut |e| {
        for r in reporters.iter_mut() {
            r.event(&e);
        }
    })
    .await;
    result
}

/// The specs of the mocks to check: `--api`'s, else every built-in mock's.
fn mock_specs(root: &SpecsRoot, args: &CheckArgs) -> Result<Vec<Spec>, CliError> {
    let mocks: Vec<&str> = crate::mock::apis().iter().map(|m| m.name()).collect();
    let chosen: Vec<String> = if args.apis.is_empty() {
        mocks.iter().map(|s| s.to_string()).collect()
    } else {
        args.apis.clone()
    };
    if chosen.is_empty() {
        return Err(CliError::Usage("no built-in mock to check yet".into()));
    }
    if args.fault.is_some() && chosen.len() != 1 {
        return Err(CliError::Usage("--fault needs exactly one --api".into()));
    }
    if args.variant.is_some() && chosen.len() != 1 {
        return Err(CliError::Usage("--variant needs exactly one --api".into()));
    }
    let mut specs = Vec::new();
    for name in &chosen {
        if !mocks.contains(&name.as_str()) {
            return Err(CliError::Usage(format!(
                "no built-in mock of `{name}`; {}",
                crate::error::suggest(name, mocks.clone())
            )));
        }
        specs.push(super::specs::load_named(root, name)?);
    }
    Ok(specs)
}

/// The specs the selection (`--rule`, `--skip`, `--level`) leaves a rule of. A spec it leaves
/// none of is an error when named (`--api`); of every mock (`all`), it is left out with a note,
/// and an error only when the selection leaves no rule at all.
fn selected_specs(
    specs: Vec<Spec>,
    all: bool,
    args: &CheckArgs,
    notes: &mut dyn FnMut(Note<'_>),
) -> Result<Vec<Spec>, CliError> {
    let mut kept = Vec::new();
    let mut emptied = Vec::new();
    for spec in specs {
        match emptied_by(&spec, args) {
            None => kept.push(spec),
            Some(why) if !all => return Err(CliError::Usage(why)),
            Some(why) => emptied.push((spec.name.clone(), why)),
        }
    }
    if kept.is_empty() {
        // The one option every API was emptied by, said once; else each API's reason.
        let options: Vec<&str> = emptied
            .iter()
            .filter_map(|(_, why)| why.split_once(" '").map(|(o, _)| o))
            .collect();
        let why = match options.first() {
            Some(&"--rule") if options.iter().all(|o| *o == "--rule") => format!(
                "--rule {} matches no rule of any API; rule ids begin with their API's name (`specgate specs API` lists them)",
                quoted(&args.rules)
            ),
            _ => {
                let whys: Vec<String> = emptied.into_iter().map(|(_, why)| why).collect();
                format!("the selection leaves no rule to run:\n  {}", whys.join("\n  "))
            }
        };
        return Err(CliError::Usage(why));
    }
    if !emptied.is_empty() {
        let apis: Vec<String> = emptied.into_iter().map(|(api, _)| api).collect();
        notes(Note::NothingSelected { apis: &apis });
    }
    Ok(kept)
}

/// Why the selection leaves no rule of `spec`, naming the option that emptied it (each applied
/// in turn: `--rule`, then `--skip`, then `--level`), or `None` when it leaves some.
fn emptied_by(spec: &Spec, args: &CheckArgs) -> Option<String> {
    let mut options = RunOptions {
        rules: args.rules.clone(),
        ..Default::default()
    };
    let name = &spec.name;
    if spec.rules.is_empty() {
        return Some(format!("the spec of {name} has no rules"));
    }
    if select(spec, &options).is_empty() {
        // The groups of rule ids (`checkvist.auth.*`), the likeliest thing a glob meant.
        let mut groups: Vec<String> = spec
            .rules
            .iter()
            .filter_map(|r| r.id.rsplit_once('.').map(|(g, _)| format!("{g}.*")))
            .collect();
        groups.sort_unstable();
        groups.dedup();
        let hint = match args.rules.first() {
            Some(first) if !groups.is_empty() => format!(
                "; {}",
                crate::error::suggest(first, groups.iter().map(String::as_str))
            ),
            _ => String::new(),
        };
        return Some(format!(
            "--rule {} matches no rule of {name}{hint}",
            quoted(&args.rules)
        ));
    }
    options.skip = args.skip.clone();
    if select(spec, &options).is_empty() {
        let of = if args.rules.is_empty() {
            String::new()
        } else {
            format!(" that --rule {} selects", quoted(&args.rules))
        };
        return Some(format!(
            "--skip {} skips every rule of {name}{of}",
            quoted(&args.skip)
        ));
    }
    options.level = args.level;
    if select(spec, &options).is_empty() {
        let level = args.level.map(|l| l.to_string()).unwrap_or_default();
        return Some(format!(
            "--level {level} leaves no rule of {name}: none of the rules selected is at that level or stricter"
        ));
    }
    None
}

/// Globs as the command line gave them: `'a.*', 'b.*'`.
fn quoted(globs: &[String]) -> String {
    globs
        .iter()
        .map(|g| format!("'{g}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn mock_options(args: &CheckArgs) -> MockOptions {
    MockOptions {
        fault: args.fault.clone(),
        variant: args.variant.clone(),
        capacity: args.capacity.capacity(),
        ..Default::default()
    }
}

/// How a run ends: a signal's code when one stopped it, 1 when the run's deadline left rules
/// not run, 3 when no target could be reached, 2 when more than `max_skipped` (a fraction) of
/// an API's rules were skipped for want of a credential (the run checked too little to mean
/// anything), 1 when a rule fails the run (a known failure of the `baseline` does not), else 0.
pub fn verdict(
    results: &[ApiResult],
    strict: bool,
    halted: Option<Halted>,
    max_skipped: f64,
    baseline: Option<&Comparison>,
) -> Result<ExitCode, CliError> {
    let summary = Summary::against(results, strict, baseline);
    match halted {
        Some(halted @ Halted::Interrupted(_)) => {
            return Err(CliError::Interrupted {
                halted,
                not_run: summary.not_run,
            });
        }
        Some(halted @ Halted::RunDeadline(_)) if summary.not_run > 0 => {
            return Err(CliError::RunDeadline {
                halted,
                not_run: summary.not_run,
            });
        }
        _ => {}
    }
    if summary.unreachable == results.len() {
        return Err(CliError::Unreachable(
            results
                .iter()
                .map(|r| (r.api.clone(), r.unreachable.clone().unwrap_or_default()))
                .collect(),
        ));
    }
    let over: Vec<SkippedShare> = results
        .iter()
        .filter(|r| r.unreachable.is_none() && !r.results.is_empty())
        .map(|r| SkippedShare {
            api: r.api.clone(),
            skipped: r
                .results
                .iter()
                .filter(|x| x.status == Status::Skipped && x.lacks_credential)
                .count(),
            rules: r.results.len(),
        })
        .filter(|s| s.skipped as f64 > max_skipped * s.rules as f64)
        .collect();
    if !over.is_empty() {
        return Err(CliError::TooManySkipped {
            apis: over,
            max: max_skipped,
        });
    }
    Ok(if summary.failing > 0 {
        ExitCode::RuleFailed
    } else {
        ExitCode::Ok
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Event;
    use clap::Parser;

    #[derive(Parser)]
    struct Line {
        #[command(flatten)]
        check: CheckArgs,
    }

    /// Records what it is fed, in order.
    struct Recorder(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

    impl Reporter for Recorder {
        fn event(&mut self, event: &Event<'_>) {
            let seen = match event {
                Event::Started { api, rules } => format!("started {api} {rules}"),
                Event::RuleDone { result, .. } => format!("done {}", result.id),
                Event::ApiDone { result } => format!("api {}", result.api),
            };
            self.0.lock().unwrap().push(seen);
        }
        fn finish(&mut self) -> Result<(), crate::report::ReportError> {
            self.0.lock().unwrap().push("finish".into());
            Ok(())
        }
    }

    fn result(id: &str, status: Status, reason: Option<&str>) -> crate::results::RuleResult {
        crate::results::RuleResult {
            writes: true,
            reason: reason.map(str::to_string),
            ..crate::results::RuleResult::bare(
                id.into(),
                "exchange".into(),
                crate::Level::Must,
                status,
            )
        }
    }

    /// A rerun that passes without judging a rule it reran says nothing of that rule's fix.
    #[test]
    fn a_passing_rerun_must_have_judged_every_rule_it_reran() {
        let api = |results| ApiResult {
            api: "a".into(),
            title: "A".into(),
            base_url: "http://127.0.0.1:9".into(),
            unreachable: None,
            results,
            elapsed_ms: 0,
            coverage: None,
        };
        let failed = [("a".to_string(), "a.x".to_string())];
        let path = std::path::Path::new("r.json");
        let judged = [api(vec![result("a.x", Status::Passed, None)])];
        assert_eq!(rerun_judged(path, &failed, &judged).unwrap(), ExitCode::Ok);
        let skipped = [api(vec![result(
            "a.x",
            Status::Skipped,
            Some("--read-only: this rule writes"),
        )])];
        let e = rerun_judged(path, &failed, &skipped).unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::SpecError);
        assert!(
            e.to_string().starts_with(
                "error: --rerun-failed r.json: 1 rule(s) that failed there were not judged in the rerun"
            ) && e.to_string().contains("a.x (--read-only: this rule writes)"),
            "{e}"
        );
    }

    #[test]
    fn reporters_are_fed_the_run_in_order_and_the_report_is_written() {
        let dir = std::env::temp_dir().join(format!("specgate-cli-check-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let report = dir.join("r.json");
        let args = Line::parse_from([
            "check",
            "--api",
            "checkvist",
            "--rule",
            "checkvist.auth.*",
            "--report",
            &format!("json={}", report.display()),
        ])
        .check;
        // The built-in specs: what an installed specgate checks from any folder.
        let root = crate::spec::SpecsRoot::BuiltIn;
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (halt, _interrupter) = Halt::new(args.run_timeout);
        let rt = super::super::runtime().unwrap();
        let code = rt
            .block_on(check(
                &root,
                &args,
                halt,
                vec![Box::new(Recorder(seen.clone()))],
                &mut |_| {},
            ))
            .unwrap();
        assert_eq!(code, ExitCode::Ok);
        let seen = seen.lock().unwrap().clone();
        let rules: usize = seen[0]
            .strip_prefix("started checkvist ")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{seen:?}"));
        assert!(rules > 0, "{seen:?}");
        assert_eq!(seen.len(), rules + 3, "{seen:?}");
        assert!(seen[1..=rules]
            .iter()
            .all(|s| s.starts_with("done checkvist.auth.")));
        assert_eq!(seen[rules + 1..], ["api checkvist", "finish"]);
        let json = std::fs::read_to_string(&report).unwrap();
        assert!(json.contains("\"api\": \"checkvist\""), "{json}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
