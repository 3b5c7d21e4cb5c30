//! The commands of `specgate` as library functions: `check` (against the built-in mocks or
//! live targets), `diff`, `load`, `plan`, `lint`, `specs` and `mock`. Each returns how it ended; the
//! binary parses the arguments, calls one, prints its error, and exits with its [`ExitCode`].
//! What a command shows on the way goes through reporters ([`crate::report`]).

pub mod args;
pub mod check;
pub mod diff;
pub mod lint;
pub mod load;
pub mod merge;
pub mod mock;
pub mod specs;

use std::path::PathBuf;

use crate::error::SpecErrors;
use crate::halt::Halted;
use crate::spec::SpecsRoot;

/// The exit codes of `specgate`, documented in the README ("Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitCode {
    /// Every `must` rule held (and every `should` with `--strict`); a load run completed as
    /// predicted.
    Ok = 0,
    /// A rule failed; a load run's counts, thresholds or completion failed.
    RuleFailed = 1,
    /// A usage, spec or profile error.
    SpecError = 2,
    /// The target could not be reached at all.
    Unreachable = 3,
    /// Stopped by SIGINT: 128 + the signal's number, as shells report a process it ended.
    Interrupted = 130,
    /// Stopped by SIGTERM (128 + 15).
    Terminated = 143,
}

impl ExitCode {
    /// The code of a run stopped by `signal` (`SIGINT`, `SIGTERM`).
    pub fn of_signal(signal: &str) -> ExitCode {
        if signal == "SIGTERM" {
            ExitCode::Terminated
        } else {
            ExitCode::Interrupted
        }
    }

    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(code: ExitCode) -> Self {
        std::process::ExitCode::from(code.code())
    }
}

/// How a command ended when it did not end plainly. Its `Display` is the whole text the binary
/// prints on stderr (with its `error:` where there is one), and [`CliError::exit_code`] the
/// code it exits with.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A usage error or a refusal, said in one sentence.
    #[error("error: {0}")]
    Usage(String),
    /// Located errors of a spec, profile or scenario, printed as they are.
    #[error("{0}")]
    Located(SpecErrors),
    /// `specgate specs`: the specs that do not load, each with its located errors.
    #[error("{}error: some specs do not load; `specgate lint` shows every problem", located(.0))]
    SpecsDoNotLoad(Vec<SpecErrors>),
    /// A profile whose `api` names no spec.
    #[error("{at}: the profile's `api`: {reason}")]
    ProfileApi { at: String, reason: String },
    #[error("error: {0}")]
    Mock(#[from] crate::mock::MockError),
    #[error("error: {0}")]
    Report(#[from] crate::report::ReportError),
    #[error("error: cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// Boxed: a load error is large, and every command's result carries this type.
    #[error("error: {0}")]
    Load(Box<crate::load::LoadError>),
    /// A load run that sent no request: nothing was measured.
    #[error("error: the run sent no request ({0}): nothing was measured")]
    NothingSent(String),
    /// A check run stopped by a signal: what finished was reported.
    #[error("{halted}: {not_run} rule(s) not run")]
    Interrupted { halted: Halted, not_run: usize },
    /// A check run past its `--run-timeout` with rules not run.
    #[error("error: {halted}: {not_run} rule(s) not run; a longer --run-timeout, or fewer rules (--rule, --api), lets them run")]
    RunDeadline { halted: Halted, not_run: usize },
    /// A check run that skipped more than `--max-skipped` of an API's rules for want of a
    /// credential: it checked too little for its verdict to mean anything.
    #[error("{}", too_many_skipped(apis, *max))]
    TooManySkipped { apis: Vec<SkippedShare>, max: f64 },
    /// A check run whose coverage missed a bar of `--min-coverage`: each API's missed bar.
    #[error("{}", .0.iter().map(|m| format!("error: {m}")).collect::<Vec<_>>().join("\n"))]
    CoverageBelow(Vec<String>),
    /// No target of a check run could be reached: each API with why.
    #[error("{}", unreachable(.0))]
    Unreachable(Vec<(String, String)>),
}

fn located(errors: &[SpecErrors]) -> String {
    errors.iter().map(|e| format!("{e}\n")).collect()
}

/// How many of an API's rules were skipped for want of a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedShare {
    pub api: String,
    pub skipped: usize,
    pub rules: usize,
}

fn too_many_skipped(apis: &[SkippedShare], max: f64) -> String {
    apis.iter()
        .map(|s| {
            format!(
                "error: {}: {} of {} rules ({:.0}%) were skipped for want of a credential, more than --max-skipped {}%\n  hint: set the credentials the profile lacks (the skip reasons above say which), or give --max-skipped 100% to accept a run that checks this little",
                s.api,
                s.skipped,
                s.rules,
                100.0 * s.skipped as f64 / s.rules as f64,
                (1000.0 * max).round() / 10.0
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn unreachable(apis: &[(String, String)]) -> String {
    apis.iter()
        .map(|(api, why)| format!("error: {api} could not be reached: {why}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl From<crate::load::LoadError> for CliError {
    fn from(e: crate::load::LoadError) -> Self {
        CliError::Load(Box::new(e))
    }
}

impl CliError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Load(e) if matches!(e.kind, crate::load::LoadErrorKind::Unreachable(_)) => {
                ExitCode::Unreachable
            }
            CliError::Unreachable(_) => ExitCode::Unreachable,
            CliError::NothingSent(_)
            | CliError::RunDeadline { .. }
            | CliError::CoverageBelow(_) => ExitCode::RuleFailed,
            CliError::Interrupted {
                halted: Halted::Interrupted(signal),
                ..
            } => ExitCode::of_signal(signal),
            CliError::Interrupted { .. } => ExitCode::Interrupted,
            _ => ExitCode::SpecError,
        }
    }
}

/// The one async runtime of a command.
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Runtime::new().map_err(CliError::Runtime)
}

/// Where the specs come from: the folder given (`--specs DIR`), else `./specs` when it holds a
/// spec folder (a checkout, where an edited spec counts without a rebuild), else the specs
/// built into the binary (an installed specgate, run from any folder).
pub fn specs_root(given: Option<PathBuf>) -> SpecsRoot {
    if let Some(dir) = given {
        return SpecsRoot::Folder(dir);
    }
    let local = SpecsRoot::Folder(PathBuf::from(crate::spec::source::BUILT_IN_FOLDER));
    if local.discover().is_empty() {
        SpecsRoot::BuiltIn
    } else {
        local
    }
}

/// Where the vendor documents are when `--docs` is not given: `../shared/docs`, relative to
/// the working folder, when it exists. Never a folder of the machine specgate was built on: an
/// installed binary finds the documents where it is run, or is told (`--docs`).
pub fn default_docs() -> Option<PathBuf> {
    let local = PathBuf::from(DEFAULT_DOCS);
    local.is_dir().then_some(local)
}

/// The folder `--docs` defaults to, relative to the working folder.
pub const DEFAULT_DOCS: &str = "../shared/docs";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::ApiResult;

    #[test]
    fn exit_codes_are_the_documented_ones() {
        let codes: Vec<u8> = [
            ExitCode::Ok,
            ExitCode::RuleFailed,
            ExitCode::SpecError,
            ExitCode::Unreachable,
            ExitCode::of_signal("SIGINT"),
            ExitCode::of_signal("SIGTERM"),
        ]
        .iter()
        .map(|c| c.code())
        .collect();
        assert_eq!(codes, [0, 1, 2, 3, 130, 143]);
    }

    fn api(name: &str, unreachable: Option<&str>) -> ApiResult {
        ApiResult {
            api: name.into(),
            title: name.into(),
            base_url: "http://127.0.0.1:9".into(),
            unreachable: unreachable.map(str::to_string),
            results: vec![],
            elapsed_ms: 0,
            coverage: None,
        }
    }

    #[test]
    fn a_check_run_ends_by_its_halt_then_its_reach_then_its_rules() {
        let down = [api("a", Some("refused")), api("b", Some("refused"))];
        let e = check::verdict(&down, false, None, 0.1, None).unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::Unreachable);
        assert_eq!(
            e.to_string(),
            "error: a could not be reached: refused\nerror: b could not be reached: refused"
        );
        let e = check::verdict(
            &down,
            false,
            Some(Halted::Interrupted("SIGTERM")),
            0.1,
            None,
        )
        .unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::Terminated);
        assert_eq!(e.to_string(), "interrupted by SIGTERM: 0 rule(s) not run");
        let half = [api("a", Some("refused")), api("b", None)];
        assert_eq!(
            check::verdict(&half, false, None, 0.1, None).unwrap(),
            ExitCode::Ok
        );
        // A deadline that left nothing unrun does not fail the run.
        let deadline = Halted::RunDeadline(std::time::Duration::from_secs(1));
        assert_eq!(
            check::verdict(&half, false, Some(deadline), 0.1, None).unwrap(),
            ExitCode::Ok
        );
    }

    fn skipped(id: &str, reason: &str) -> crate::results::RuleResult {
        crate::results::RuleResult {
            reason: Some(reason.into()),
            lacks_credential: reason.starts_with("the target has no credential"),
            ..crate::results::RuleResult::bare(
                id.into(),
                "exchange".into(),
                crate::Level::Must,
                crate::results::Status::Skipped,
            )
        }
    }

    /// Only skips for want of a credential count toward `--max-skipped`, and only past it.
    #[test]
    fn max_skipped_counts_only_missing_credentials() {
        let mut a = api("a", None);
        a.results = (0..8)
            .map(|i| skipped(&format!("a.other.{i}"), "--read-only: this rule writes"))
            .chain([
                skipped("a.x", "the target has no credential `token`"),
                skipped("a.y", "the target has no credentials for role `owner`"),
            ])
            .collect();
        let apis = [a];
        // 2 of 10 for want of a credential: 20%.
        assert_eq!(
            check::verdict(&apis, false, None, 0.2, None).unwrap(),
            ExitCode::Ok
        );
        let e = check::verdict(&apis, false, None, 0.1, None).unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::SpecError);
        assert!(
            e.to_string().starts_with(
                "error: a: 2 of 10 rules (20%) were skipped for want of a credential, more than --max-skipped 10%"
            ),
            "{e}"
        );
    }

    #[test]
    fn errors_print_as_the_binary_always_printed_them() {
        let e = CliError::Usage("--fault needs exactly one --api".into());
        assert_eq!(e.to_string(), "error: --fault needs exactly one --api");
        assert_eq!(e.exit_code(), ExitCode::SpecError);
        let e = CliError::NothingSent("completed".into());
        assert_eq!(e.exit_code(), ExitCode::RuleFailed);
        let e = CliError::ProfileApi {
            at: "p.yaml:1:6".into(),
            reason: "no spec".into(),
        };
        assert_eq!(e.to_string(), "p.yaml:1:6: the profile's `api`: no spec");
    }
}
