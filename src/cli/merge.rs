//! `specgate merge`: the shards of one sharded load run (`specgate load --shard I/N`), each
//! given once, merged exactly into the run's report: counts added and judged against the whole
//! run's prediction, percentiles read from the added histograms.

use std::path::PathBuf;

use super::args::parse_load_report;
use super::load::load_verdict;
use super::{CliError, ExitCode};
use crate::load::merge::{merge as merge_results, read_result, result_paths};
use crate::report::files::{self, ReportFile};

#[derive(clap::Args, Debug, Clone)]
pub struct MergeCommand {
    /// Shard results (`specgate load --shard I/N` writes them), or folders holding only them
    /// (their *.json files)
    #[arg(required = true, value_name = "RESULT")]
    pub results: Vec<PathBuf>,
    /// Write a report: json=PATH, md=PATH or html=PATH (repeatable)
    /// [default: all three under reports/merge-<timestamp>/]
    #[arg(long = "report", value_name = "KIND=PATH", value_parser = parse_load_report)]
    pub reports: Vec<ReportFile>,
}

/// Merge the results, print the merged run, write its reports, and judge it as `load` judges
/// a run; a set that is not one run's every shard, once each, is refused (exit 2).
pub fn merge(command: &MergeCommand) -> Result<ExitCode, CliError> {
    let refused = |e: crate::load::merge::MergeError| CliError::Usage(e.to_string());
    let reports = if command.reports.is_empty() {
        crate::report::load::default_files("merge")
    } else {
        command.reports.clone()
    };
    files::prepare(&reports, &[])?;
    let mut results = vec![];
    for path in result_paths(&command.results).map_err(refused)? {
        let r = read_result(&path).map_err(refused)?;
        results.push((path, r));
    }
    let run = merge_results(results).map_err(refused)?;
    crate::report::out(crate::report::load::terminal(&run));
    files::write_all(&reports, &|f| crate::report::load::render(f, &run))?;
    load_verdict(&run)
}
