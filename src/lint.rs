//! `specgate lint`: load every spec, and check its cites against its document when at hand.

use std::path::{Path, PathBuf};

use crate::error::SpecErrors;
use crate::spec::{load_spec, Spec};

/// Whether the cites of a spec could be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CiteCheck {
    Checked(PathBuf),
    /// No document at this path: cites were not checked.
    NoDocument(PathBuf),
    /// The spec did not load, so there was nothing to check.
    NotRun,
}

/// The outcome of linting one spec folder.
#[derive(Debug)]
pub struct LintOutcome {
    pub dir: PathBuf,
    pub spec: Option<Spec>,
    pub errors: SpecErrors,
    pub cites: CiteCheck,
}

impl LintOutcome {
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Lint each spec folder; `docs` is where the vendor documents are (cites are checked there).
pub fn lint(dirs: &[PathBuf], docs: Option<&Path>) -> Vec<LintOutcome> {
    lint_loaded(
        dirs.iter().map(|d| (d.clone(), load_spec(d))).collect(),
        docs,
    )
}

/// Lint specs already loaded (or not), each with the folder it is, or stands for (a built-in
/// spec's `specs/<api>`).
pub fn lint_loaded(
    loaded: Vec<(PathBuf, Result<Spec, SpecErrors>)>,
    docs: Option<&Path>,
) -> Vec<LintOutcome> {
    loaded
        .into_iter()
        .map(|(dir, loaded)| match loaded {
            Err(errors) => LintOutcome {
                dir: dir.clone(),
                spec: None,
                errors,
                cites: CiteCheck::NotRun,
            },
            Ok(spec) => {
                let (errors, cites) = match docs {
                    None => (
                        SpecErrors::default(),
                        CiteCheck::NoDocument(PathBuf::from(&spec.contract.document)),
                    ),
                    Some(d) => {
                        let path = d.join(&spec.contract.document);
                        match std::fs::read_to_string(&path) {
                            Ok(text) => (spec.check_cites(&text), CiteCheck::Checked(path)),
                            Err(_) => (SpecErrors::default(), CiteCheck::NoDocument(path)),
                        }
                    }
                };
                LintOutcome {
                    dir: dir.clone(),
                    spec: Some(spec),
                    errors,
                    cites,
                }
            }
        })
        .collect()
}
