//! Comparisons with a baseline or an earlier report, as text: `specgate diff` in its three
//! formats, and the baseline sections of a check run's terminal summary and reports.

use std::path::Path;

use serde::Serialize;

use crate::baseline::{ComparedRule, Comparison, ComparisonCounts};
use crate::contract::normalize_ws;

/// A check run's baseline: the report it was compared with, and how it compared.
#[derive(Debug, Clone, Copy)]
pub struct Against<'a> {
    pub file: &'a Path,
    pub comparison: &'a Comparison,
}

/// The lists of a comparison, in the order a reader wants them: what is new first.
fn lists(c: &Comparison) -> [(&'static str, &'static str, &[ComparedRule]); 4] {
    [
        ("new", "NEW", &c.new),
        ("fixed", "FIXED", &c.fixed),
        ("still failing", "STILL", &c.still_failing),
        ("not run", "NOT RUN", &c.not_run),
    ]
}

/// "1 new, 2 fixed, 3 still failing, 0 not run" (rules).
pub fn counts_text(c: &Comparison) -> String {
    format!(
        "{} new, {} fixed, {} still failing, {} not run",
        c.new.len(),
        c.fixed.len(),
        c.still_failing.len(),
        c.not_run.len()
    )
}

/// "baseline: 1 known, 1 new, 0 fixed, 0 not run", the counts a check run's summary adds.
pub fn baseline_counts_text(c: &ComparisonCounts) -> String {
    format!(
        "{} known, {} new, {} fixed, {} not run",
        c.known, c.new, c.fixed, c.not_run
    )
}

/// One rule of a list as text lines: label, id, level, title, cites, expectations.
fn rule_text(out: &mut String, label: &str, r: &ComparedRule, observed: bool) {
    out.push_str(&format!("  {label} {} [{}]", r.rule, r.level));
    if let Some(t) = &r.title {
        out.push_str(&format!(" {t}"));
    }
    out.push('\n');
    for c in &r.cite {
        out.push_str(&format!("       cite: \"{}\"\n", normalize_ws(c)));
    }
    for e in &r.expectations {
        if observed {
            out.push_str(&format!("       - {e}, observed {}\n", e.observed));
        } else {
            out.push_str(&format!("       - {e}\n"));
        }
    }
}

/// `specgate diff` as text: each list by API, then the counts.
pub fn diff_text(old: &Path, new: &Path, c: &Comparison) -> String {
    let mut out = format!("specgate diff {} → {}\n", old.display(), new.display());
    for (name, label, rules) in lists(c) {
        out.push_str(&format!("\n{name} ({})\n", rules.len()));
        let mut api = "";
        for r in rules {
            if r.api != api {
                api = &r.api;
                out.push_str(&format!(" {api}\n"));
            }
            // What failed then is shown as it was expected; what fails now, as observed too.
            rule_text(&mut out, label, r, name != "fixed" && name != "not run");
        }
    }
    out.push_str(&format!("\n{}\n", counts_text(c)));
    out
}

/// `specgate diff` as Markdown: a heading per list, the rules under their API.
pub fn diff_markdown(old: &Path, new: &Path, c: &Comparison) -> String {
    let mut out = format!(
        "# specgate diff\n\n`{}` → `{}`: {}.\n",
        old.display(),
        new.display(),
        counts_text(c)
    );
    for (name, _, rules) in lists(c) {
        out.push_str(&format!("\n## {} ({})\n", capitalized(name), rules.len()));
        if rules.is_empty() {
            out.push_str("\nNone.\n");
        }
        markdown_rules(&mut out, rules, name != "fixed" && name != "not run");
    }
    out
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn markdown_rules(out: &mut String, rules: &[ComparedRule], observed: bool) {
    let mut api = "";
    for r in rules {
        if r.api != api {
            api = &r.api;
            out.push_str(&format!("\n### {api}\n"));
        }
        out.push_str(&format!("\n- `{}` ({})", r.rule, r.level));
        if let Some(t) = &r.title {
            out.push_str(&format!(" {t}"));
        }
        out.push('\n');
        for c in &r.cite {
            out.push_str(&format!("  > {}\n", normalize_ws(c)));
        }
        for e in &r.expectations {
            let line = if observed {
                format!("{e}, observed {}", e.observed)
            } else {
                e.to_string()
            };
            out.push_str(&format!("  - {}\n", line.replace('|', "\\|")));
        }
    }
}

#[derive(Serialize)]
struct DiffJson<'a> {
    specgate: &'static str,
    old_report: &'a Path,
    new_report: &'a Path,
    counts: DiffCounts,
    #[serde(flatten)]
    comparison: &'a Comparison,
}

#[derive(Serialize)]
struct DiffCounts {
    new: usize,
    fixed: usize,
    still_failing: usize,
    not_run: usize,
}

/// `specgate diff` as JSON: the counts and the four lists.
pub fn diff_json(old: &Path, new: &Path, c: &Comparison) -> String {
    let doc = DiffJson {
        specgate: env!("CARGO_PKG_VERSION"),
        old_report: old,
        new_report: new,
        counts: DiffCounts {
            new: c.new.len(),
            fixed: c.fixed.len(),
            still_failing: c.still_failing.len(),
            not_run: c.not_run.len(),
        },
        comparison: c,
    };
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// The `baseline` object of a check run's JSON report.
#[derive(Serialize)]
pub struct BaselineJson<'a> {
    file: &'a Path,
    counts: ComparisonCounts,
    #[serde(flatten)]
    comparison: &'a Comparison,
}

pub fn baseline_json<'a>(against: &Against<'a>) -> BaselineJson<'a> {
    BaselineJson {
        file: against.file,
        counts: against.comparison.counts(),
        comparison: against.comparison,
    }
}

/// The end of a check run's terminal summary: the fixed rules and those not run, then the
/// counts. The new and known failures are listed with the run's failures, labelled.
pub fn terminal_section(against: &Against<'_>) -> String {
    let c = against.comparison;
    let mut out = format!("\nbaseline {}\n", against.file.display());
    for r in &c.fixed {
        rule_text(&mut out, "FIXED", r, false);
    }
    if !c.not_run.is_empty() {
        let ids: Vec<&str> = c.not_run.iter().map(|r| r.rule.as_str()).collect();
        out.push_str(&format!(
            "  NOT RUN {} rule(s) of the baseline not judged in this run (not selected, or skipped): {}\n",
            ids.len(),
            ids.join(", ")
        ));
    }
    out.push_str(&format!(
        "  {}\n",
        baseline_counts_text(&against.comparison.counts())
    ));
    out
}

/// A check run's Markdown report: the baseline section (fixed and not run; the known and
/// new failures are labelled where the failures are listed).
pub fn markdown_section(against: &Against<'_>) -> String {
    let c = against.comparison;
    let mut out = format!(
        "\n## Baseline\n\nCompared with `{}`: {}.\n",
        against.file.display(),
        baseline_counts_text(&c.counts())
    );
    for (name, rules) in [("Fixed", &c.fixed), ("Not run", &c.not_run)] {
        if !rules.is_empty() {
            out.push_str(&format!("\n### {name} ({})\n", rules.len()));
            markdown_rules(&mut out, rules, false);
        }
    }
    out
}

/// A check run's HTML report: the baseline section, escaped with `e`.
pub fn html_section(against: &Against<'_>, e: &dyn Fn(&str) -> String) -> String {
    let c = against.comparison;
    let mut out = format!(
        "<h2 id=\"baseline\">Baseline</h2>\n<p>Compared with <code>{}</code>: {}.</p>\n",
        e(&against.file.display().to_string()),
        e(&baseline_counts_text(&c.counts()))
    );
    for (name, class, rules) in [
        ("New", "failed", &c.new),
        ("Fixed", "passed", &c.fixed),
        ("Still failing", "warn", &c.still_failing),
        ("Not run", "not-run", &c.not_run),
    ] {
        if rules.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "<h3 class=\"{class}\">{name} ({})</h3>\n<ul>\n",
            rules.len()
        ));
        for r in rules.iter() {
            let expectations: Vec<String> = r
                .expectations
                .iter()
                .map(|x| format!("<li>{}</li>", e(&x.to_string())))
                .collect();
            out.push_str(&format!(
                "<li><code>{}</code> <small>{}</small><ul>{}</ul></li>\n",
                e(&r.rule),
                r.level,
                expectations.join("")
            ));
        }
        out.push_str("</ul>\n");
    }
    out
}
