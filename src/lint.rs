//! `specgate lint`: load every spec, and check its cites against its document when at hand.

use std::path::{Path, PathBuf};

use crate::error::{Location, SpecError, SpecErrorKind, SpecErrors};
use crate::locate::{Locator, Pointer};
use crate::spec::{load_spec, Spec};

/// Whether the cites of a spec could be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CiteCheck {
    Checked(PathBuf),
    /// No document at this path: cites could not be checked, which is an error of the spec's
    /// lint (located at the contract's `document`).
    NoDocument(PathBuf),
    /// Not checked, as asked (`--no-cite-check`).
    Skipped,
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

/// Lint each spec folder; `docs` is where the vendor documents are (cites are checked there;
/// a document not there is an error: a lint that checked no cite is not clean). `None`: cites
/// are not checked (`--no-cite-check`).
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
                    None => (SpecErrors::default(), CiteCheck::Skipped),
                    Some(d) => {
                        let path = d.join(&spec.contract.document);
                        match std::fs::read_to_string(&path) {
                            Ok(text) => (spec.check_cites(&text), CiteCheck::Checked(path)),
                            Err(e) => (
                                SpecErrors(vec![no_document(&spec, &path, &e)]),
                                CiteCheck::NoDocument(path),
                            ),
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

/// The error of a document that cannot be read, at the contract's `document`.
fn no_document(spec: &Spec, path: &Path, e: &std::io::Error) -> SpecError {
    let contract = spec.contract_path();
    let kind = SpecErrorKind::Io(format!(
        "`{}` at {}: {e}; its cites cannot be checked",
        spec.contract.document,
        path.display()
    ));
    let hint = "give --docs DIR, the folder of the vendor documents, or --no-cite-check to lint without checking cites";
    // The contract loaded, so it reads and locates again; else the error is at its first line.
    let located = std::fs::read_to_string(&contract)
        .ok()
        .and_then(|text| Locator::new(&contract, &text).ok())
        .map(|loc| loc.error(&Pointer::root().key("document"), kind.clone()));
    located
        .unwrap_or_else(|| {
            SpecError::new(
                Location {
                    file: contract.clone(),
                    line: 1,
                    column: 1,
                },
                kind,
            )
        })
        .with_hint(hint)
}
