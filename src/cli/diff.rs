//! `specgate diff OLD.json NEW.json`: what is new, fixed and still failing between two JSON
//! reports of `specgate check`, and whether anything new fails.

use std::path::PathBuf;

use super::{CliError, ExitCode};
use crate::baseline::{Comparison, Report};

#[derive(clap::Args, Debug, Clone)]
pub struct DiffArgs {
    /// The earlier JSON report (`specgate check --report json=PATH`)
    #[arg(value_name = "OLD.json")]
    pub old: PathBuf,
    /// The later JSON report
    #[arg(value_name = "NEW.json")]
    pub new: PathBuf,
    /// How to print the comparison
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Count failed `should` rules (warnings) as failures too, as `check --strict` does
    #[arg(long)]
    pub strict: bool,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffFormat {
    Text,
    Markdown,
    Json,
}

/// Two reports and how the later compares with the earlier.
#[derive(Debug, Clone)]
pub struct Diff {
    pub old: Report,
    pub new: Report,
    pub comparison: Comparison,
}

/// Read both reports and compare them; a report that cannot be read or is no specgate report
/// is refused (exit 2), naming its file.
pub fn diff(args: &DiffArgs) -> Result<Diff, CliError> {
    let read = |path: &PathBuf| Report::read(path).map_err(|e| CliError::Usage(e.to_string()));
    let old = read(&args.old)?;
    let new = read(&args.new)?;
    let comparison = Comparison::of(&old.outcomes(args.strict), &new.outcomes(args.strict));
    Ok(Diff {
        old,
        new,
        comparison,
    })
}

/// 1 when something fails in the later report that did not in the earlier, else 0.
pub fn exit_code(diff: &Diff) -> ExitCode {
    if diff.comparison.new.is_empty() {
        ExitCode::Ok
    } else {
        ExitCode::RuleFailed
    }
}

/// The comparison as `format` prints it.
pub fn render(diff: &Diff, format: DiffFormat) -> String {
    use crate::report::baseline::{diff_json, diff_markdown, diff_text};
    let (old, new, c) = (&diff.old.path, &diff.new.path, &diff.comparison);
    match format {
        DiffFormat::Text => diff_text(old, new, c),
        DiffFormat::Markdown => diff_markdown(old, new, c),
        DiffFormat::Json => diff_json(old, new, c),
    }
}
