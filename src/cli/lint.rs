//! `specgate lint`: load, compile and check specs.

use std::path::PathBuf;

use super::{CliError, ExitCode};
use crate::lint::LintOutcome;
use crate::spec::SpecsRoot;

/// Where `lint` checks cites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cites {
    /// Against the documents in this folder: a document not there fails the lint.
    Against(PathBuf),
    /// Not at all (`--no-cite-check`).
    Unchecked,
}

impl Cites {
    /// `--docs DIR`, else `../shared/docs` (which may not exist: then every spec says where its
    /// document was looked for); nothing under `--no-cite-check`.
    pub fn of(docs: Option<PathBuf>, no_cite_check: bool) -> Result<Cites, CliError> {
        if no_cite_check {
            return Ok(Cites::Unchecked);
        }
        match docs {
            Some(d) if !d.is_dir() => Err(CliError::Usage(format!(
                "--docs {}: no such folder; give the folder of the vendor documents, or --no-cite-check",
                d.display()
            ))),
            Some(d) => Ok(Cites::Against(d)),
            None => Ok(Cites::Against(
                super::default_docs().unwrap_or_else(|| PathBuf::from(super::DEFAULT_DOCS)),
            )),
        }
    }
}

/// Lint the specs `targets` name (none: every spec under `root`), checking cites as `cites`
/// says.
pub fn lint(
    root: &SpecsRoot,
    targets: &[String],
    cites: &Cites,
) -> Result<Vec<LintOutcome>, CliError> {
    let sources = root.resolve(targets).map_err(CliError::Usage)?;
    let loaded = sources.iter().map(|s| (s.dir(), s.load())).collect();
    let docs = match cites {
        Cites::Against(d) => Some(d.as_path()),
        Cites::Unchecked => None,
    };
    Ok(crate::lint::lint_loaded(loaded, docs))
}

/// 0 when every spec is clean, 2 otherwise.
pub fn exit_code(outcomes: &[LintOutcome]) -> ExitCode {
    if outcomes.iter().all(LintOutcome::is_clean) {
        ExitCode::Ok
    } else {
        ExitCode::SpecError
    }
}
