//! `specgate check`: check APIs against their specs, on the built-in mocks started in-process
//! or on live targets named by profiles.

use std::path::PathBuf;

use super::args::{
    parse_at_least_one, parse_glob, parse_level, parse_report, parse_share, parse_timeout,
};
use super::SkippedShare;
use super::{CliError, ExitCode};
use crate::coverage::MinCoverage;
use crate::halt::{Halt, Halted};
use crate::mock::MockOptions;
use crate::report::check::for_want_of_a_credential;
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
    #[arg(long = "target", value_name = "FILE")]
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
    mut reporters: Vec<Box<dyn Reporter>>,
    notes: &mut dyn FnMut(Note<'_>),
) -> Result<ExitCode, CliError> {
    let subjects = if args.targets.is_empty() {
        let specs = mock_specs(root, args)?;
        let specs = selected_specs(specs, args.apis.is_empty(), args, notes)?;
        Subjects::Mocks(specs, mock_options(args))
    } else {
        let mut runs = Vec::new();
        for path in &args.targets {
            let (spec, profile) = super::specs::load_profile(root, path, notes)?;
            if let Some(why) = emptied_by(&spec, args) {
                return Err(CliError::Usage(why));
            }
            runs.push((spec, profile));
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
    reporters.push(Box::new(ReportFiles::new(files, args.strict)));

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
    let code = verdict(&results, args.strict, halted, args.max_skipped)?;
    if let Some(bars) = &args.min_coverage {
        coverage_verdict(&results, bars)?;
    }
    Ok(code)
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
        ..Default::default()
    }
}

/// How a run ends: a signal's code when one stopped it, 1 when the run's deadline left rules
/// not run, 3 when no target could be reached, 2 when more than `max_skipped` (a fraction) of
/// an API's rules were skipped for want of a credential (the run checked too little to mean
/// anything), 1 when a rule fails the run, else 0.
pub fn verdict(
    results: &[ApiResult],
    strict: bool,
    halted: Option<Halted>,
    max_skipped: f64,
) -> Result<ExitCode, CliError> {
    let summary = Summary::of(results, strict);
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
                .filter(|x| x.status == Status::Skipped)
                .filter(|x| x.reason.as_deref().is_some_and(for_want_of_a_credential))
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
