//! The annotated document: one self-contained HTML page per API (`document-<api>.html`,
//! written beside the HTML report) that shows the vendor document line by line, each line that
//! some rule's cite quotes marked with the worst outcome of those rules, and the rules in the
//! margin, each linked to its result in the HTML report (`report.html#<rule id>`). Lines no
//! rule cites stay plain and visible: what the spec leaves out shows as much as what it checks.
//!
//! Radio buttons show every line, only the cited ones or only the uncited ones, and checkboxes
//! show or hide the cited lines of each outcome; like the report's, they work without a script
//! (siblings placed before `<main>`, reached by `~` selectors).

use super::check::xml_escape;
use super::html::{Outcome, SHARED_STYLE};
use crate::coverage::{percent_text, DocumentCoverage, DocumentLine};
use crate::results::{ApiResult, RuleResult};

/// The file name of an API's annotated document: `document-<api>.html`, any character of the
/// API's name that is not `[A-Za-z0-9._-]` made `-` (a name never reaches outside the folder).
pub fn file_name(api: &str) -> String {
    let safe: String = api
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("document-{safe}.html")
}

/// A file name as the path of a link: every byte but `[A-Za-z0-9._~-]` percent-encoded, so a
/// report named `my report#1.html` is still the file linked.
fn href_path(file_name: &str) -> String {
    file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"._~-".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A rule citing a line, as the page shows it: its id, its outcome and its title.
struct Citing<'a> {
    id: &'a str,
    outcome: Outcome,
    title: &'a str,
}

/// The worst outcome among the rules citing a line; `None` for a line no rule cites.
fn worst(citing: &[Citing<'_>]) -> Option<Outcome> {
    citing.iter().map(|c| c.outcome).min()
}

/// The annotated page of `api`'s vendor document, its rules linked into `report_file` (the
/// HTML report's file name, beside the page); `None` when the run did not have the document.
pub fn page(api: &ApiResult, strict: bool, report_file: &str) -> Option<String> {
    let document = api.coverage.as_ref()?.document.as_ref()?;
    let report_file = &href_path(report_file);
    let e = xml_escape;
    let result_of = |id: &str| api.results.iter().find(|r| r.id == id);
    // Each line's citing rules, resolved once: the counts and the lines both need them.
    let lines: Vec<(&DocumentLine, Vec<Citing<'_>>)> = document
        .lines
        .iter()
        .map(|line| {
            let citing = line
                .rules
                .iter()
                .map(|id| citing(id, result_of(id), strict))
                .collect();
            (line, citing)
        })
        .collect();

    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{api}: {file}, annotated</title>\n<style>\n{SHARED_STYLE}{STYLE}{}</style></head><body>\n<h1>{api}: <code>{file}</code>, annotated</h1>\n",
        hiding_rules(),
        api = e(&api.api),
        file = e(&document.file),
    );
    summary(&mut out, api, document, report_file);
    toggles(&mut out, &lines);
    out.push_str("<main class=\"document\">\n");
    let mut previous: Option<&[String]> = None;
    for (line, citing) in &lines {
        // A run of lines cited by the same rules lists them once, on its first line; every
        // line keeps them in its hover text.
        let first_of_run = previous != Some(line.rules.as_slice());
        previous = Some(line.rules.as_slice());
        line_html(&mut out, line, citing, first_of_run, report_file);
    }
    out.push_str("</main>\n</body></html>\n");
    Some(out)
}

/// A citing rule with its outcome; a rule the run has no result of (never selected) counts as
/// not run.
fn citing<'a>(id: &'a str, result: Option<&'a RuleResult>, strict: bool) -> Citing<'a> {
    Citing {
        id,
        outcome: result.map_or(Outcome::NotRun, |r| Outcome::of(r, strict)),
        title: result.and_then(|r| r.title.as_deref()).unwrap_or(""),
    }
}

const STYLE: &str = ".document{font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;border-top:1px solid #ddd;margin-top:1em}
.line{display:grid;grid-template-columns:3.5em minmax(0,1fr) 26em;column-gap:.8em;border-left:4px solid transparent;padding:0 .3em}
.line .num{color:#999;text-align:right;text-decoration:none;user-select:none}
.line .text{white-space:pre-wrap;overflow-wrap:anywhere}
.line .rules{font:12px/1.5 system-ui,sans-serif;overflow-wrap:anywhere}
.line .rules a{display:block;text-decoration:none}
.line .rules a:hover{text-decoration:underline}
.line.failed{background:#fde7e4;border-color:#b3261e}.line.warned{background:#fff1d6;border-color:#d98c1a}
.line.not-run,.line.skipped{background:#f0f0f0;border-color:#aaa}.line.passed{background:#e6f4ea;border-color:#2e8b57}
.line:target{outline:2px solid #58a}
.toggle+label.failed{background:#fde7e4}.toggle+label.warned{background:#fff1d6}.toggle+label.not-run,.toggle+label.skipped{background:#f0f0f0}.toggle+label.passed{background:#e6f4ea}
.toggle+label{padding:0 .3em}
";

/// The CSS that hides lines by the view chosen (every line, cited only, uncited only) and by
/// the outcomes unchecked.
fn hiding_rules() -> String {
    let mut selectors: Vec<String> = vec![
        "#view-cited:checked~main .line.uncited".into(),
        "#view-uncited:checked~main .line.cited".into(),
        "#view-cited:checked~main .line.blank".into(),
        "#view-uncited:checked~main .line.blank".into(),
    ];
    selectors.extend(
        Outcome::ALL
            .iter()
            .map(|o| format!("#show-{0}:not(:checked)~main .line.{0}", o.class())),
    );
    format!("{}{{display:none}}\n", selectors.join(",\n"))
}

/// The head of the page: back to the report, what the document is, and how much of it the
/// rules cite.
fn summary(out: &mut String, api: &ApiResult, document: &DocumentCoverage, report_file: &str) {
    let e = xml_escape;
    let pct = if document.lines_with_text > 0 {
        format!(
            " ({})",
            percent_text(100.0 * document.cited_lines as f64 / document.lines_with_text as f64)
        )
    } else {
        String::new()
    };
    out.push_str(&format!(
        "<p><a href=\"{report}#{id}\">← {api} in the report</a></p>\n<p>The vendor document of {api}, line by line. A line that a rule's cite quotes is marked with the worst outcome of the rules that cite it, and those rules are listed beside it (on the first line of a run of lines the same rules cite; hover a line for its rules), each linked to its result in the report. A line no rule cites is plain: the spec does not check it.</p>\n<p><b>{cited} of {total} lines with text are cited{pct}</b>.</p>\n",
        report = e(report_file),
        id = e(&api.api),
        api = e(&api.api),
        cited = document.cited_lines,
        total = document.lines_with_text,
    ));
}

/// The view radios and the outcome checkboxes, each with its count of lines (of lines with
/// text, but for "all"). Direct children
/// of `<body>`, before `<main>`, so the sibling selectors of [`hiding_rules`] reach the lines.
fn toggles(out: &mut String, lines: &[(&DocumentLine, Vec<Citing<'_>>)]) {
    let with_text = || lines.iter().filter(|(l, _)| !l.text.trim().is_empty());
    let cited = with_text().filter(|(l, _)| !l.rules.is_empty()).count();
    let uncited = with_text().filter(|(l, _)| l.rules.is_empty()).count();
    out.push_str("<span class=\"filters\"><b>lines</b></span>");
    for (id, text, n, checked) in [
        ("view-all", "all", lines.len(), " checked"),
        ("view-cited", "cited only", cited, ""),
        ("view-uncited", "uncited only", uncited, ""),
    ] {
        out.push_str(&format!(
            "<input type=\"radio\" name=\"view\" class=\"toggle\" id=\"{id}\"{checked}><label for=\"{id}\">{text} <span class=\"n\">{n}</span></label>\n"
        ));
    }
    out.push_str("<br><span class=\"filters\"><b>cited</b></span>");
    for o in Outcome::ALL {
        let n = with_text().filter(|(_, c)| worst(c) == Some(o)).count();
        out.push_str(&format!(
            "<input type=\"checkbox\" class=\"toggle\" id=\"show-{0}\" checked><label for=\"show-{0}\" class=\"{0}\">{1} <span class=\"n\">{n}</span></label>\n",
            o.class(),
            o.text()
        ));
    }
}

/// One line: its number (an anchor, `#L12`), its text, and the rules that cite it (in the
/// margin, on hover, and in `data-rules` for a program reading the page).
fn line_html(
    out: &mut String,
    line: &DocumentLine,
    citing: &[Citing<'_>],
    first_of_run: bool,
    report_file: &str,
) {
    let e = xml_escape;
    let n = line.number;
    let (class, hover) = match worst(citing) {
        Some(o) => {
            let rules: Vec<String> = citing
                .iter()
                .map(|c| format!("{}: {}", c.outcome.text(), c.id))
                .collect();
            let ids: Vec<&str> = citing.iter().map(|c| c.id).collect();
            (
                format!("cited {}", o.class()),
                format!(
                    " title=\"{}\" data-rules=\"{}\"",
                    e(&rules.join("\n")),
                    e(&ids.join(" "))
                ),
            )
        }
        None if line.text.trim().is_empty() => ("blank".to_string(), String::new()),
        None => ("uncited".to_string(), String::new()),
    };
    out.push_str(&format!(
        "<div class=\"line {class}\" id=\"L{n}\"{hover}><a class=\"num\" href=\"#L{n}\">{n}</a><span class=\"text\">{}</span><span class=\"rules\">",
        e(&line.text)
    ));
    if first_of_run {
        for c in citing {
            out.push_str(&format!(
                "<a class=\"{class}\" href=\"{report}#{id}\" title=\"{label}: {title}\">{id}</a>",
                class = c.outcome.class(),
                report = e(report_file),
                id = e(c.id),
                label = c.outcome.text(),
                title = e(c.title),
            ));
        }
    }
    out.push_str("</span></div>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_stays_in_its_folder() {
        assert_eq!(
            file_name("checklist-items"),
            "document-checklist-items.html"
        );
        assert_eq!(file_name("../a b/c"), "document-..-a-b-c.html");
        assert_eq!(href_path("my report#1.html"), "my%20report%231.html");
    }
}
