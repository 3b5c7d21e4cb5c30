//! Reports of a conformance run: the terminal summary and the JSON report.

use serde::Serialize;
use tabled::settings::Style;
use tabled::{Table, Tabled};

use super::baseline::Against;
use super::files::{self, ReportFile};
use super::{ReportError, ReportFormat, Reporter};
use crate::baseline::{Comparison, Outcomes, Report};
use crate::results::{describe, ApiResult, Event, Status};
use crate::spec::Level;

pub use super::html::html;

/// Counts over a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub rules: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Rules never judged (an interrupted run, a check that saw nothing to judge).
    pub not_run: usize,
    /// Failed rules that fail the run (`must`, and `should` with `--strict`).
    pub failing: usize,
    /// Failed `should` rules (warnings) and `may` rules (observations).
    pub warnings: usize,
    pub observations: usize,
    pub unreachable: usize,
    /// Failed rules that would fail the run but fail only as they did in the baseline
    /// (`--baseline`): known failures, not counted in `failing`.
    #[serde(skip_serializing_if = "is_zero")]
    pub known: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Summary {
    pub fn of(apis: &[ApiResult], strict: bool) -> Self {
        Summary::against(apis, strict, None)
    }

    /// The counts of a run compared with a baseline: its known failures do not fail it.
    pub fn against(apis: &[ApiResult], strict: bool, baseline: Option<&Comparison>) -> Self {
        let mut s = Summary::default();
        for api in apis {
            if api.unreachable.is_some() {
                s.unreachable += 1;
            }
            for r in &api.results {
                s.rules += 1;
                match r.status {
                    Status::Passed => s.passed += 1,
                    Status::Skipped => s.skipped += 1,
                    Status::Failed => s.failed += 1,
                    Status::NotRun => s.not_run += 1,
                }
                if r.counts_as_failure(strict)
                    && baseline.is_some_and(|c| c.is_known(&api.api, &r.id))
                {
                    s.known += 1;
                } else if r.counts_as_failure(strict) {
                    s.failing += 1;
                } else if r.status == Status::Failed && r.effective_level() == Level::Should {
                    s.warnings += 1;
                } else if r.status == Status::Failed && r.effective_level() == Level::May {
                    s.observations += 1;
                }
            }
        }
        s
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    specgate: &'static str,
    summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<super::baseline::BaselineJson<'a>>,
    apis: &'a [ApiResult],
}

/// The JSON report: the summary and every result with its failures and exchanges.
pub fn json(apis: &[ApiResult], strict: bool) -> String {
    json_against(apis, strict, None)
}

/// The JSON report, with the comparison with a baseline when there is one.
pub fn json_against(apis: &[ApiResult], strict: bool, against: Option<&Against<'_>>) -> String {
    let report = JsonReport {
        specgate: env!("CARGO_PKG_VERSION"),
        summary: Summary::against(apis, strict, against.map(|a| a.comparison)),
        baseline: against.map(super::baseline::baseline_json),
        apis,
    };
    serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

#[derive(Tabled)]
struct Row {
    api: String,
    rules: usize,
    passed: usize,
    failed: usize,
    skipped: usize,
    #[tabled(rename = "not run")]
    not_run: usize,
    #[tabled(rename = "must failed")]
    must: usize,
    #[tabled(rename = "time")]
    time: String,
}

/// ANSI colours for the terminal, or none (not a TTY, `NO_COLOR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colours(pub bool);

impl Colours {
    fn paint(self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// The terminal summary: a table per API, then each failure with its cite, what was expected
/// and observed, and the curl that reproduces it.
pub fn terminal(apis: &[ApiResult], strict: bool) -> String {
    terminal_with(apis, strict, Colours(false))
}

pub fn terminal_with(apis: &[ApiResult], strict: bool, colours: Colours) -> String {
    terminal_against(apis, strict, colours, None)
}

/// The terminal summary of a run compared with a baseline: a known failure is labelled
/// KNOWN, and the baseline's fixed rules and counts follow the failures.
pub fn terminal_against(
    apis: &[ApiResult],
    strict: bool,
    colours: Colours,
    against: Option<&Against<'_>>,
) -> String {
    let known = |api: &ApiResult, r: &crate::results::RuleResult| {
        against.is_some_and(|a| a.comparison.is_known(&api.api, &r.id))
    };
    let mut out = String::new();
    for api in apis {
        if api.results.iter().any(|r| r.status == Status::Failed) {
            out.push_str(&format!("\n{} ({})\n", api.api, api.base_url));
        }
        for r in api.results.iter().filter(|r| r.status == Status::Failed) {
            let label = match r.effective_level() {
                _ if known(api, r) => colours.paint("1;35", "KNOWN"),
                // With a baseline, what fails the run is what it did not already have.
                _ if against.is_some() && r.counts_as_failure(strict) => {
                    colours.paint("1;31", "NEW")
                }
                Level::Must => colours.paint("1;31", "FAIL"),
                Level::Should if strict => colours.paint("1;31", "FAIL"),
                Level::Should => colours.paint("1;33", "WARN"),
                Level::May => colours.paint("36", "NOTE"),
            };
            out.push_str(&format!(
                "  {label} {} [{} {}]",
                r.id,
                r.kind,
                level_text(r)
            ));
            if let Some(t) = &r.title {
                out.push_str(&format!(" {t}"));
            }
            out.push('\n');
            for c in &r.cite {
                out.push_str(&format!(
                    "       cite: \"{}\"\n",
                    crate::spec::normalize_ws(c)
                ));
            }
            for f in r.failures.iter().take(5) {
                out.push_str(&format!("       - {}\n", describe(f)));
                if let Some(x) = &f.exchange {
                    let answer = x.answer();
                    out.push_str(&format!(
                        "         {} {} -> {answer}\n{}\n",
                        x.method,
                        x.url,
                        indent_lines(&x.curl, "         ")
                    ));
                }
            }
            if r.failures.len() > 5 {
                out.push_str(&format!("       … and {} more\n", r.failures.len() - 5));
            }
        }
    }
    for api in apis {
        let groups = skipped_groups(api);
        if groups.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{} skipped\n", api.api));
        for (reason, ids) in groups {
            let skip = colours.paint("2", "SKIP");
            match ids.as_slice() {
                [id] => out.push_str(&format!("  {skip} {id}: {reason}\n")),
                _ => out.push_str(&format!(
                    "  {skip} {} rules: {reason}\n       {}\n",
                    ids.len(),
                    ids.join(", ")
                )),
            }
        }
    }
    out.push_str(&super::coverage::terminal(apis));
    let rows: Vec<Row> = apis
        .iter()
        .map(|a| Row {
            api: a.api.clone(),
            rules: a.results.len(),
            passed: a
                .results
                .iter()
                .filter(|r| r.status == Status::Passed)
                .count(),
            failed: a
                .results
                .iter()
                .filter(|r| r.status == Status::Failed)
                .count(),
            skipped: a
                .results
                .iter()
                .filter(|r| r.status == Status::Skipped)
                .count(),
            not_run: a
                .results
                .iter()
                .filter(|r| r.status == Status::NotRun)
                .count(),
            must: a
                .results
                .iter()
                .filter(|r| r.status == Status::Failed && r.effective_level() == Level::Must)
                .count(),
            time: a
                .unreachable
                .clone()
                .map(|u| format!("unreachable: {u}"))
                .unwrap_or_else(|| format!("{} ms", a.elapsed_ms)),
        })
        .collect();
    let mut t = Table::new(rows);
    t.with(Style::rounded());
    if let Some(a) = against {
        out.push_str(&super::baseline::terminal_section(a));
    }
    let s = Summary::against(apis, strict, against.map(|a| a.comparison));
    let failed = format!("{} failed", s.failed);
    out.push_str(&format!(
        "\n{t}\n{} rules: {}, {} ({} failing the run{}, {} warnings, {} observations), {} skipped{}\n",
        s.rules,
        colours.paint("32", &format!("{} passed", s.passed)),
        if s.failed > 0 {
            colours.paint("31", &failed)
        } else {
            failed
        },
        s.failing,
        known_text(&s),
        s.warnings,
        s.observations,
        s.skipped,
        not_run_text(&s)
    ));
    out
}

/// ", N known (baseline)" when a baseline absorbed some failures.
pub(super) fn known_text(s: &Summary) -> String {
    if s.known > 0 {
        format!(", {} known (baseline)", s.known)
    } else {
        String::new()
    }
}

/// An API's skipped rules grouped by their reason, in the order each reason first appears:
/// (reason, rule ids). Many rules often share one reason (a credential the target lacks).
pub fn skipped_groups(api: &ApiResult) -> Vec<(&str, Vec<&str>)> {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for r in api.results.iter().filter(|r| r.status == Status::Skipped) {
        let reason = r.reason.as_deref().unwrap_or("no reason given");
        match groups.iter_mut().find(|(why, _)| *why == reason) {
            Some((_, ids)) => ids.push(&r.id),
            None => groups.push((reason, vec![&r.id])),
        }
    }
    groups
}

/// A rule's level as reports show it: `must`, or `must, inferred only: a warning` when every
/// failure rests on an inferred expectation.
pub fn level_text(r: &crate::results::RuleResult) -> String {
    let effective = r.effective_level();
    if r.status == Status::Failed && effective != r.level {
        format!("{}, inferred only: counts as {effective}", r.level)
    } else {
        r.level.to_string()
    }
}

/// ", N not run" when some rules were never judged.
pub(super) fn not_run_text(s: &Summary) -> String {
    if s.not_run > 0 {
        format!(", {} not run", s.not_run)
    } else {
        String::new()
    }
}

pub(super) fn xml_escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// Each line of `text` (a repro's lines) after `indent`.
fn indent_lines(text: &str, indent: &str) -> String {
    text.lines()
        .map(|l| format!("{indent}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn failure_text(r: &crate::results::RuleResult) -> String {
    let mut out = String::new();
    for c in &r.cite {
        out.push_str(&format!("cite: \"{}\"\n", crate::spec::normalize_ws(c)));
    }
    for f in &r.failures {
        out.push_str(&format!("- {}\n", describe(f)));
        if let Some(x) = &f.exchange {
            let answer = x.answer();
            out.push_str(&format!(
                "  {} {} -> {answer}\n{}\n",
                x.method,
                x.url,
                indent_lines(&x.curl, "  ")
            ));
        }
    }
    out
}

/// JUnit XML: one testsuite per API, one testcase per rule. A failed `must` (or, with
/// `strict`, `should`) is a <failure>; warnings and observations go to <system-out>.
pub fn junit(apis: &[ApiResult], strict: bool) -> String {
    junit_against(apis, strict, None)
}

/// JUnit XML compared with a baseline: a known failure is a <skipped> test case ("known
/// failure (baseline)", its failure in <system-out>), which CI dashboards count and show
/// apart from both passes and failures without failing the build.
pub fn junit_against(apis: &[ApiResult], strict: bool, against: Option<&Against<'_>>) -> String {
    let known = |api: &ApiResult, r: &crate::results::RuleResult| {
        against.is_some_and(|a| a.comparison.is_known(&api.api, &r.id))
    };
    let s = Summary::against(apis, strict, against.map(|a| a.comparison));
    let total_ms: u64 = apis.iter().map(|a| a.elapsed_ms).sum();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"specgate\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3}\">\n",
        s.rules,
        s.failing,
        s.skipped + s.not_run + s.known,
        total_ms as f64 / 1000.0
    );
    for api in apis {
        let failing = api
            .results
            .iter()
            .filter(|r| r.counts_as_failure(strict) && !known(api, r))
            .count();
        let skipped = api
            .results
            .iter()
            .filter(|r| {
                matches!(r.status, Status::Skipped | Status::NotRun)
                    || (r.counts_as_failure(strict) && known(api, r))
            })
            .count();
        let errors = usize::from(api.unreachable.is_some());
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failing}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{:.3}\">\n",
            xml_escape(&api.api),
            api.results.len(),
            api.elapsed_ms as f64 / 1000.0
        ));
        if let Some(u) = &api.unreachable {
            out.push_str(&format!("    <testcase classname=\"{0}\" name=\"{0}.reachable\"><error message=\"{1}\"/></testcase>\n", xml_escape(&api.api), xml_escape(u)));
        }
        for r in &api.results {
            out.push_str(&format!(
                "    <testcase classname=\"{}.{}\" name=\"{}\" time=\"{:.3}\">",
                xml_escape(&api.api),
                xml_escape(&r.kind),
                xml_escape(&r.id),
                r.elapsed_ms as f64 / 1000.0
            ));
            match r.status {
                Status::Skipped => out.push_str(&format!(
                    "<skipped message=\"{}\"/>",
                    xml_escape(r.reason.as_deref().unwrap_or(""))
                )),
                Status::NotRun => out.push_str(&format!(
                    "<skipped message=\"not run: {}\"/>",
                    xml_escape(r.reason.as_deref().unwrap_or(""))
                )),
                Status::Failed if r.counts_as_failure(strict) && known(api, r) => {
                    out.push_str(&format!(
                        "<skipped message=\"known failure (baseline)\"/><system-out>{}</system-out>",
                        xml_escape(&failure_text(r))
                    ))
                }
                Status::Failed if r.counts_as_failure(strict) => {
                    let first = r
                        .failures
                        .first()
                        .map(describe)
                        .unwrap_or_else(|| r.reason.clone().unwrap_or_default());
                    out.push_str(&format!(
                        "<failure message=\"{}\" type=\"{}\">{}</failure>",
                        xml_escape(&first),
                        r.effective_level(),
                        xml_escape(&failure_text(r))
                    ));
                }
                Status::Failed => out.push_str(&format!(
                    "<system-out>{} ({}): {}</system-out>",
                    if r.effective_level() == Level::Should {
                        "warning"
                    } else {
                        "observation"
                    },
                    level_text(r),
                    xml_escape(&failure_text(r))
                )),
                Status::Passed if !r.observations.is_empty() => out.push_str(&format!(
                    "<system-out>{}</system-out>",
                    xml_escape(&r.observations.join("\n"))
                )),
                Status::Passed => {}
            }
            out.push_str("</testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Markdown, for a person or a pull request: the summary, then each failed rule with its
/// cite, what was expected and observed, and the curl that reproduces it.
pub fn markdown(apis: &[ApiResult], strict: bool) -> String {
    markdown_against(apis, strict, None)
}

/// The Markdown report compared with a baseline: each failed rule says whether it is known,
/// and a section lists the baseline's fixed rules and those not run.
pub fn markdown_against(apis: &[ApiResult], strict: bool, against: Option<&Against<'_>>) -> String {
    let s = Summary::against(apis, strict, against.map(|a| a.comparison));
    let mut out = format!(
        "# specgate conformance report\n\n{} rules: **{} passed**, **{} failed** ({} failing the run{}, {} warnings, {} observations), {} skipped{}.\n\n| API | base URL | rules | passed | failed | skipped | not run |\n|---|---|---|---|---|---|---|\n",
        s.rules, s.passed, s.failed, s.failing, known_text(&s), s.warnings, s.observations, s.skipped, not_run_text(&s)
    );
    for a in apis {
        let n = |st: Status| a.results.iter().filter(|r| r.status == st).count();
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} | {} |\n",
            a.api,
            a.base_url,
            a.results.len(),
            n(Status::Passed),
            n(Status::Failed),
            n(Status::Skipped),
            n(Status::NotRun)
        ));
    }
    out.push_str(&super::coverage::markdown(apis));
    for a in apis {
        if let Some(u) = &a.unreachable {
            out.push_str(&format!(
                "\n## {}\n\nThe target could not be reached: {u}\n",
                a.api
            ));
        }
        let failed: Vec<_> = a
            .results
            .iter()
            .filter(|r| r.status == Status::Failed)
            .collect();
        if failed.is_empty() {
            markdown_skipped(&mut out, a);
            continue;
        }
        out.push_str(&format!("\n## {}\n", a.api));
        for r in failed {
            let mark = match against {
                Some(b) if b.comparison.is_known(&a.api, &r.id) => ", known failure (baseline)",
                Some(_) if r.counts_as_failure(strict) => ", new failure",
                _ => "",
            };
            out.push_str(&format!(
                "\n### `{}` ({}, {}{mark})\n\n",
                r.id,
                r.kind,
                level_text(r)
            ));
            if let Some(t) = &r.title {
                out.push_str(&format!("{t}\n\n"));
            }
            for c in &r.cite {
                out.push_str(&format!("> {}\n\n", crate::spec::normalize_ws(c)));
            }
            for f in &r.failures {
                out.push_str(&format!("- {}\n", describe(f).replace('|', "\\|")));
                if let Some(x) = &f.exchange {
                    let answer = x.answer();
                    // Markdown takes the list item's indent off each line of the block.
                    out.push_str(&format!(
                        "\n  `{} {}` → {answer}\n\n  ```sh\n{}\n  ```\n",
                        x.method,
                        x.url,
                        indent_lines(&x.curl, "  ")
                    ));
                    if !x.response_body.is_empty() {
                        out.push_str(&format!(
                            "\n  ```\n  {}\n  ```\n",
                            x.response_body
                                .lines()
                                .take(20)
                                .collect::<Vec<_>>()
                                .join("\n  ")
                        ));
                    }
                }
            }
        }
        markdown_skipped(&mut out, a);
    }
    if let Some(b) = against {
        out.push_str(&super::baseline::markdown_section(b));
    }
    out
}

/// An API's skipped rules, each with its reason; the rules that share a reason under it.
fn markdown_skipped(out: &mut String, api: &ApiResult) {
    let groups = skipped_groups(api);
    if groups.is_empty() {
        return;
    }
    out.push_str(&format!("\n## {}: skipped\n\n", api.api));
    for (reason, ids) in groups {
        let reason = reason.replace('|', "\\|");
        let ids: Vec<String> = ids.iter().map(|id| format!("`{id}`")).collect();
        match ids.as_slice() {
            [id] => out.push_str(&format!("- {id}: {reason}\n")),
            _ => out.push_str(&format!(
                "- {} rules: {reason}\n  {}\n",
                ids.len(),
                ids.join(", ")
            )),
        }
    }
}

/// The report formats `--report KIND=PATH` takes.
pub const FORMATS: &[ReportFormat] = &[
    ReportFormat::Json,
    ReportFormat::Junit,
    ReportFormat::Markdown,
    ReportFormat::Html,
];

/// Render the report of `format`.
pub fn render(format: ReportFormat, apis: &[ApiResult], strict: bool) -> String {
    render_against(format, apis, strict, None)
}

/// Render the report of `format`, compared with a baseline when there is one.
pub fn render_against(
    format: ReportFormat,
    apis: &[ApiResult],
    strict: bool,
    against: Option<&Against<'_>>,
) -> String {
    match format {
        ReportFormat::Json => json_against(apis, strict, against),
        ReportFormat::Junit => junit_against(apis, strict, against),
        ReportFormat::Markdown => markdown_against(apis, strict, against),
        ReportFormat::Html => super::html::html_against(apis, strict, against),
    }
}

/// The file name a format gets in a reports folder.
pub fn default_file(format: ReportFormat) -> &'static str {
    match format {
        ReportFormat::Json => "report.json",
        ReportFormat::Junit => "junit.xml",
        ReportFormat::Markdown => "report.md",
        ReportFormat::Html => "report.html",
    }
}

/// The reports of `check` when none is given: all four under `reports/<timestamp>/`.
pub fn default_files() -> Vec<ReportFile> {
    let dir = files::stamped_dir(None);
    FORMATS
        .iter()
        .map(|&format| ReportFile {
            format,
            path: dir.join(default_file(format)),
        })
        .collect()
}

/// The terminal summary of a check run, printed on stdout when the run ends.
pub struct TerminalSummary {
    strict: bool,
    colours: Colours,
    apis: Vec<ApiResult>,
    baseline: Option<std::sync::Arc<Report>>,
}

impl TerminalSummary {
    /// In colour when stdout is a terminal and `NO_COLOR` is not set.
    pub fn new(strict: bool) -> Self {
        use std::io::IsTerminal as _;
        let colours =
            Colours(std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none());
        TerminalSummary {
            strict,
            colours,
            apis: vec![],
            baseline: None,
        }
    }

    /// Compared with `baseline` (`--baseline`): known failures labelled, fixed ones listed.
    pub fn with_baseline(mut self, baseline: Option<std::sync::Arc<Report>>) -> Self {
        self.baseline = baseline;
        self
    }
}

/// How `apis` compare with `baseline`, judged with the same strictness.
pub fn compare(baseline: &Report, apis: &[ApiResult], strict: bool) -> Comparison {
    Comparison::of(
        &baseline.outcomes(strict),
        &Outcomes::of_results(apis, strict),
    )
}

/// The run compared with its baseline, when it has one (what both reporters show).
fn compared<'a>(
    baseline: Option<&'a Report>,
    apis: &[ApiResult],
    strict: bool,
) -> Option<(&'a Report, Comparison)> {
    baseline.map(|b| (b, compare(b, apis, strict)))
}

impl Reporter for TerminalSummary {
    fn event(&mut self, event: &Event<'_>) {
        if let Event::ApiDone { result } = event {
            self.apis.push((*result).clone());
        }
    }

    fn finish(&mut self) -> Result<(), ReportError> {
        let comparison = compared(self.baseline.as_deref(), &self.apis, self.strict);
        let against = comparison.as_ref().map(|(b, c)| Against {
            file: &b.path,
            comparison: c,
        });
        super::out(terminal_against(
            &self.apis,
            self.strict,
            self.colours,
            against.as_ref(),
        ));
        Ok(())
    }
}

/// The pages written beside a report: for the HTML report, each API's annotated document
/// (those of the APIs whose run had the document), linking back into the report.
fn annotated_documents(file: &ReportFile, apis: &[ApiResult], strict: bool) -> Vec<files::Page> {
    if file.format != ReportFormat::Html {
        return vec![];
    }
    let report = file
        .path
        .file_name()
        .map_or_else(|| "report.html".into(), |n| n.to_string_lossy());
    apis.iter()
        .filter_map(|api| {
            super::document::page(api, strict, &report).map(|text| files::Page {
                file_name: super::document::file_name(&api.api),
                text,
            })
        })
        .collect()
}

/// The report files of a check run, written when the run ends (a halted run's too).
pub struct ReportFiles {
    strict: bool,
    files: Vec<ReportFile>,
    apis: Vec<ApiResult>,
    baseline: Option<std::sync::Arc<Report>>,
}

impl ReportFiles {
    /// `files` are already checked ([`files::prepare`]).
    pub fn new(files: Vec<ReportFile>, strict: bool) -> Self {
        ReportFiles {
            strict,
            files,
            apis: vec![],
            baseline: None,
        }
    }

    /// Compared with `baseline` (`--baseline`).
    pub fn with_baseline(mut self, baseline: Option<std::sync::Arc<Report>>) -> Self {
        self.baseline = baseline;
        self
    }
}

impl Reporter for ReportFiles {
    fn event(&mut self, event: &Event<'_>) {
        if let Event::ApiDone { result } = event {
            self.apis.push((*result).clone());
        }
    }

    fn finish(&mut self) -> Result<(), ReportError> {
        let comparison = compared(self.baseline.as_deref(), &self.apis, self.strict);
        let against = comparison.as_ref().map(|(b, c)| Against {
            file: &b.path,
            comparison: c,
        });
        files::write_all_with_pages(
            &self.files,
            &|format| render_against(format, &self.apis, self.strict, against.as_ref()),
            &|file| annotated_documents(file, &self.apis, self.strict),
        )
    }
}
