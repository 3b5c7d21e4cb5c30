//! `specgate lint`: load, compile and check specs.

use std::path::PathBuf;

use super::{CliError, ExitCode};
use crate::lint::LintOutcome;
use crate::spec::SpecsRoot;

/// Lint the specs `targets` name (none: every spec under `root`), checking cites against the
/// documents in `docs`.
pub fn lint(
    root: &SpecsRoot,
    targets: &[String],
    docs: Option<PathBuf>,
) -> Result<Vec<LintOutcome>, CliError> {
    let sources = root.resolve(targets).map_err(CliError::Usage)?;
    let loaded = sources.iter().map(|s| (s.dir(), s.load())).collect();
    Ok(crate::lint::lint_loaded(loaded, docs.as_deref()))
}

/// 0 when every spec is clean, 2 otherwise.
pub fn exit_code(outcomes: &[LintOutcome]) -> ExitCode {
    if outcomes.iter().all(LintOutcome::is_clean) {
        ExitCode::Ok
    } else {
        ExitCode::SpecError
    }
}
