//! `specgate lint`: load, compile and check specs.

use std::path::{Path, PathBuf};

use super::{CliError, ExitCode};
use crate::lint::LintOutcome;

/// Lint the spec folders `targets` name (none: every spec under `root`), checking cites against
/// the documents in `docs`.
pub fn lint(
    root: &Path,
    targets: &[String],
    docs: Option<PathBuf>,
) -> Result<Vec<LintOutcome>, CliError> {
    let dirs = crate::spec::resolve(targets, root).map_err(CliError::Usage)?;
    Ok(crate::lint::lint(&dirs, docs.as_deref()))
}

/// 0 when every spec is clean, 2 otherwise.
pub fn exit_code(outcomes: &[LintOutcome]) -> ExitCode {
    if outcomes.iter().all(LintOutcome::is_clean) {
        ExitCode::Ok
    } else {
        ExitCode::SpecError
    }
}
