//! Errors of the library. A spec error carries where it is (file, line, column) and what to do;
//! the binary turns them into exit code 2. Assertion failures of a run are not errors: they are
//! results, and live apart from these.

use std::fmt;
use std::path::PathBuf;

/// A place in a spec file. Lines and columns are 1-based; 0 means "the whole file".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// One problem in a spec: where, what, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub location: Location,
    pub kind: SpecErrorKind,
    /// What to do: the nearest valid name, the accepted values.
    pub hint: Option<String>,
}

impl SpecError {
    pub fn new(location: Location, kind: SpecErrorKind) -> Self {
        SpecError {
            location,
            kind,
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.kind)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecError {}

/// What is wrong. Each variant is a class of mistake a spec author can make.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecErrorKind {
    #[error("cannot read the file: {0}")]
    Io(String),
    #[error("YAML syntax error: {0}")]
    Syntax(String),
    #[error("YAML aliases refused: {0}")]
    Aliases(String),
    #[error("{0}")]
    Shape(String),
    #[error("unknown kind `{0}`")]
    UnknownKind(String),
    #[error("unknown operationId `{0}`")]
    UnknownOperation(String),
    #[error("unknown schema `{0}` (not under components/schemas)")]
    UnknownSchema(String),
    #[error("unknown {what} `{name}`")]
    UnknownName { what: &'static str, name: String },
    #[error("unknown variable `{{{{{0}}}}}`")]
    UnknownVariable(String),
    #[error("duplicate rule id `{id}` (first defined at line {first_line})")]
    DuplicateId { id: String, first_line: usize },
    #[error("the cite of rule `{0}` is empty")]
    EmptyCite(String),
    #[error("the cite of rule `{rule}` is not in {document}: \"{cite}\"")]
    CiteNotInDocument {
        rule: String,
        document: String,
        cite: String,
    },
    #[error("invalid JSONPath `{path}`: {reason}")]
    BadJsonPath { path: String, reason: String },
    #[error("invalid regular expression `{pattern}`: {reason}")]
    BadRegex { pattern: String, reason: String },
    #[error("dangling $ref `{0}`: nothing at that pointer")]
    DanglingRef(String),
    #[error("`$ref` cycle that never descends into the body: {0}")]
    RefCycle(String),
    #[error("schema does not compile: {0}")]
    SchemaCompile(String),
    #[error("invalid OpenAPI document: {0}")]
    OpenApi(String),
    #[error("invalid parameter: {0}")]
    Invalid(String),
}

/// Every problem found while loading one or more specs. Loading reports them all, not the first.
#[derive(Debug, Clone, Default)]
pub struct SpecErrors(pub Vec<SpecError>);

impl SpecErrors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn push(&mut self, error: SpecError) {
        self.0.push(error)
    }
    pub fn iter(&self) -> impl Iterator<Item = &SpecError> {
        self.0.iter()
    }
}

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecErrors {}

/// The nearest of `candidates` to `name`, for "did you mean" hints.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// A hint naming the nearest candidate, or listing them when none is near.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str> + Clone) -> String {
    match nearest(name, candidates.clone()) {
        Some(n) => format!("did you mean `{n}`?"),
        None => {
            let all: Vec<&str> = candidates.into_iter().collect();
            if all.len() > 12 {
                format!("valid names include: {}, …", all[..12].join(", "))
            } else {
                format!("valid names: {}", all.join(", "))
            }
        }
    }
}
