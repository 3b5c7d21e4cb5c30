//! The HTML report of a check run: one self-contained file (inline style, no script, no
//! network) for a person to read, failures first.
//!
//! Each API lists its rules failed, then warned, then not run, then skipped, then passed, so
//! what needs a fix is at the top. Checkboxes above the rules show or hide each outcome and
//! each level; they work without a script: the checkboxes are siblings placed before the
//! `<main>` that holds the rules, and a CSS rule `#show-X:not(:checked) ~ main .X` hides them.
//! Each rule's result carries its id as its anchor (`report.html#<rule id>`), so other pages
//! (the annotated document, [`super::document`]) link to it; a linked rule shows even when its
//! outcome is hidden.

use super::baseline::Against;
use super::check::{known_text, level_text, not_run_text, xml_escape, Summary};
use super::document;
use crate::coverage::{Coverage, Ratio, StatusCoverage};
use crate::results::{describe, ApiResult, RuleResult, Status};
use crate::spec::Level;

/// How the HTML pages group a rule's outcome, in the order they list them (the worst first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// Failed and fails the run (`must`, or `should` with `--strict`).
    Failed,
    /// Failed without failing the run: a warning (`should`) or an observation (`may`).
    Warned,
    /// Never judged (an interrupted run, a check that saw nothing to judge).
    NotRun,
    Skipped,
    Passed,
}

impl Outcome {
    /// Every outcome, in the order the report lists them.
    pub const ALL: [Outcome; 5] = [
        Outcome::Failed,
        Outcome::Warned,
        Outcome::NotRun,
        Outcome::Skipped,
        Outcome::Passed,
    ];

    /// The outcome of a rule's result, `strict` as the run was.
    pub fn of(r: &RuleResult, strict: bool) -> Self {
        match r.status {
            Status::Failed if r.counts_as_failure(strict) => Outcome::Failed,
            Status::Failed => Outcome::Warned,
            Status::NotRun => Outcome::NotRun,
            Status::Skipped => Outcome::Skipped,
            Status::Passed => Outcome::Passed,
        }
    }

    /// Its name as a CSS class and in the checkboxes' ids: `failed`, `not-run`.
    pub fn class(self) -> &'static str {
        match self {
            Outcome::Failed => "failed",
            Outcome::Warned => "warned",
            Outcome::NotRun => "not-run",
            Outcome::Skipped => "skipped",
            Outcome::Passed => "passed",
        }
    }

    /// Its name as the pages show it: `failed`, `not run`.
    pub fn text(self) -> &'static str {
        match self {
            Outcome::NotRun => "not run",
            other => other.class(),
        }
    }
}

/// The levels, in the order the report's checkboxes show them.
pub const LEVELS: [Level; 3] = [Level::Must, Level::Should, Level::May];

/// The colours of the outcomes and the look both pages share.
pub(super) const SHARED_STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
.passed{color:#17663a}.failed{color:#b3261e}.warned,.warn{color:#a15c00}.skipped,.not-run{color:#666}
.filters b{display:inline-block;min-width:4em;margin-top:.8em}
.toggle{margin:0 .2em 0 .9em;vertical-align:middle}.toggle+label{cursor:pointer}
label .n{display:inline-block;min-width:1.4em;padding:0 .3em;margin-left:.2em;border-radius:.6em;background:#eee;color:#222;text-align:center;font-size:.9em}
";

/// One self-contained HTML file (inline style, no script, no network): the summary, then per
/// API every rule, failures first and open with their exchange and curl, and checkboxes that
/// show or hide each outcome and each level.
pub fn html(apis: &[ApiResult], strict: bool) -> String {
    html_against(apis, strict, None)
}

/// The HTML report compared with a baseline: known failures are labelled KNOWN (and not
/// open), and a section lists the comparison.
pub fn html_against(apis: &[ApiResult], strict: bool, against: Option<&Against<'_>>) -> String {
    let s = Summary::against(apis, strict, against.map(|a| a.comparison));
    let e = xml_escape;
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>specgate conformance report</title>\n<style>\n{SHARED_STYLE}{}\n{}</style></head><body>\n<h1>specgate conformance report</h1>\n",
        hiding_rules(),
        "details{margin:.3em 0;border-left:3px solid #ddd;padding-left:.6em}details.rule{color:inherit}details.failed{border-color:#b3261e}details.warned{border-color:#d98c1a}details.passed{border-color:#9c9}
summary{cursor:pointer}blockquote{margin:.4em 0;padding-left:.8em;border-left:3px solid #9ab;color:#345}
pre{background:#f5f5f5;padding:.5em;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
details:target{outline:2px solid #58a;outline-offset:2px}
.coverage td{vertical-align:top}.status{display:inline-block;padding:0 .35em;margin:0 .2em .1em 0;border-radius:.3em;font-size:.9em}
.status.hit{background:#e6f4ea;color:#17663a}.status.missed{background:#fde7e4;color:#b3261e}.status.undocumented{background:#fff1d6;color:#a15c00}
"
    );
    out.push_str(&format!(
        "<p>{} rules: <b class=\"passed\">{} passed</b>, <b class=\"failed\">{} failed</b> ({} failing the run{}, {} warnings, {} observations), <span class=\"skipped\">{} skipped{}</span>.</p>\n<table><tr><th>API</th><th>base URL</th><th>rules</th><th>passed</th><th>failed</th><th>skipped</th><th>not run</th></tr>\n",
        s.rules, s.passed, s.failed, s.failing, known_text(&s), s.warnings, s.observations, s.skipped, not_run_text(&s)
    ));
    for a in apis {
        let n = |st: Status| a.results.iter().filter(|r| r.status == st).count();
        out.push_str(&format!("<tr><td><a href=\"#{0}\">{0}</a></td><td><code>{1}</code></td><td>{2}</td><td>{3}</td><td>{4}</td><td>{5}</td><td>{6}</td></tr>\n", e(&a.api), e(&a.base_url), a.results.len(), n(Status::Passed), n(Status::Failed), n(Status::Skipped), n(Status::NotRun)));
    }
    out.push_str("</table>\n");
    if let Some(b) = against {
        out.push_str(&super::baseline::html_section(b, &|t| e(t)));
    }
    coverage_table(&mut out, apis);
    toggles(&mut out, apis, strict);
    out.push_str("<main>\n");
    for a in apis {
        out.push_str(&format!("<h2 id=\"{0}\">{0}</h2>\n", e(&a.api)));
        if let Some(u) = &a.unreachable {
            out.push_str(&format!(
                "<p class=\"failed\">The target could not be reached: {}</p>\n",
                e(u)
            ));
        }
        if let Some(c) = &a.coverage {
            operations(&mut out, a, c);
        }
        for r in failures_first(&a.results, strict) {
            let known = against.is_some_and(|b| b.comparison.is_known(&a.api, &r.id));
            rule(&mut out, r, strict, known);
        }
    }
    out.push_str("</main>\n</body></html>\n");
    out
}

/// An API's results in the order the report lists them: by [`Outcome`], and within one outcome
/// in the spec's order.
pub fn failures_first(results: &[RuleResult], strict: bool) -> Vec<&RuleResult> {
    let mut ordered: Vec<&RuleResult> = results.iter().collect();
    ordered.sort_by_key(|r| Outcome::of(r, strict));
    ordered
}

/// The CSS that hides the rules of an unchecked outcome or level. A rule linked to
/// (`report.html#<id>`) shows whatever is unchecked: it was asked for by name.
fn hiding_rules() -> String {
    let mut selectors: Vec<String> = Outcome::ALL
        .iter()
        .map(|o| format!("#show-{0}:not(:checked)~main .rule.{0}", o.class()))
        .collect();
    selectors.extend(
        LEVELS
            .iter()
            .map(|l| format!("#show-{l}:not(:checked)~main .rule.{l}")),
    );
    format!(
        "{}{{display:none}}\nmain .rule:target{{display:block!important}}",
        selectors.join(",\n")
    )
}

/// The checkboxes, each with its count over every API: one per outcome, then one per level.
/// They are direct children of `<body>`, before `<main>`, so the sibling selectors of
/// [`hiding_rules`] reach the rules.
fn toggles(out: &mut String, apis: &[ApiResult], strict: bool) {
    let results = || apis.iter().flat_map(|a| &a.results);
    out.push_str("<span class=\"filters\"><b>show</b></span>");
    for o in Outcome::ALL {
        let n = results().filter(|r| Outcome::of(r, strict) == o).count();
        out.push_str(&format!(
            "<input type=\"checkbox\" class=\"toggle\" id=\"show-{0}\" checked><label for=\"show-{0}\" class=\"{0}\">{1} <span class=\"n\">{n}</span></label>\n",
            o.class(),
            o.text()
        ));
    }
    out.push_str("<br><span class=\"filters\"><b>level</b></span>");
    for l in LEVELS {
        let n = results().filter(|r| r.level == l).count();
        out.push_str(&format!(
            "<input type=\"checkbox\" class=\"toggle\" id=\"show-{l}\" checked><label for=\"show-{l}\" title=\"rules of level {l}, as the spec gives it\">{l} <span class=\"n\">{n}</span></label>\n"
        ));
    }
}

/// One rule's result: a `<details>` anchored at the rule's id, open when it fails the run
/// (a failure the baseline knows is labelled KNOWN and folded).
fn rule(out: &mut String, r: &RuleResult, strict: bool, known: bool) {
    let e = xml_escape;
    let outcome = Outcome::of(r, strict);
    let class = outcome.class();
    let open = if outcome == Outcome::Failed && !known {
        " open"
    } else {
        ""
    };
    out.push_str(&format!(
        "<details id=\"{id}\" class=\"rule {class} {level}\"{open}><summary><span class=\"{class}\">{label}</span> <code>{id}</code> <small>{} · {}</small> {}</summary>\n",
        e(&r.kind),
        e(&level_text(r)),
        e(r.title.as_deref().unwrap_or("")),
        id = e(&r.id),
        level = r.level,
        label = if known && r.status == Status::Failed {
            "KNOWN".to_string()
        } else {
            outcome.text().to_uppercase()
        },
    ));
    for c in &r.cite {
        out.push_str(&format!(
            "<blockquote>{}</blockquote>\n",
            e(&crate::spec::normalize_ws(c))
        ));
    }
    if let Some(reason) = &r.reason {
        out.push_str(&format!("<p>{}</p>\n", e(reason)));
    }
    for o in &r.observations {
        out.push_str(&format!("<p class=\"warn\">observed: {}</p>\n", e(o)));
    }
    for f in &r.failures {
        let class = if f.failure.is_stated() {
            "failed"
        } else {
            "warn"
        };
        out.push_str(&format!("<p class=\"{class}\">{}</p>\n", e(&describe(f))));
        if let Some(x) = &f.exchange {
            let answer = x.answer();
            out.push_str(&format!(
                "<pre>{} {} → {}\n\n{}</pre>\n<pre>{}</pre>\n",
                e(&x.method),
                e(&x.url),
                e(&answer),
                e(&x.response_body),
                e(&x.curl)
            ));
        }
    }
    out.push_str("</details>\n");
}

/// The coverage of each API: operations and documented statuses the run exercised, lines of
/// the document its rules cite, and the annotated document (or why there is none).
fn coverage_table(out: &mut String, apis: &[ApiResult]) {
    let e = xml_escape;
    out.push_str("<h2 id=\"coverage\">Coverage</h2>\n<table class=\"coverage\"><tr><th>API</th><th>operations exercised</th><th>documented statuses received</th><th>document lines cited</th><th>annotated document</th></tr>\n");
    for a in apis {
        let Some(c) = &a.coverage else {
            out.push_str(&format!(
                "<tr><td>{}</td><td colspan=\"4\">not measured: the target could not be reached</td></tr>\n",
                e(&a.api)
            ));
            continue;
        };
        let document = match (&c.totals.document, &c.document) {
            (Some(lines), Some(_)) => (
                ratio(lines),
                format!("<a href=\"{0}\">{0}</a>", e(&document::file_name(&a.api))),
            ),
            _ => {
                let why = c.document_absent.as_deref().unwrap_or("no document");
                ("–".to_string(), format!("not written: {}", e(why)))
            }
        };
        out.push_str(&format!(
            "<tr><td><a href=\"#{0}\">{0}</a></td><td>{1}</td><td>{2}</td><td>{3}</td><td>{4}</td></tr>\n",
            e(&a.api),
            ratio(&c.totals.operations),
            ratio(&c.totals.statuses),
            document.0,
            document.1
        ));
    }
    out.push_str("</table>\n");
}

fn ratio(r: &Ratio) -> String {
    xml_escape(&r.to_string())
}

/// An API's operations, each with the rules that exercised it and its documented statuses
/// (green: received, red: never received; each with its rules on hover), and the statuses it
/// answered that its document does not list. Folded: the summary line has the totals.
fn operations(out: &mut String, api: &ApiResult, c: &Coverage) {
    let e = xml_escape;
    // A rule with a result links to it; the login (a result only when it failed) may not.
    let rule_ref = |id: &str| {
        if api.results.iter().any(|r| r.id == id) {
            format!("<a href=\"#{0}\">{0}</a>", e(id))
        } else {
            format!("<code>{}</code>", e(id))
        }
    };
    let unexercised = c.unexercised_operations().count();
    out.push_str(&format!(
        "<details class=\"coverage\"><summary>Coverage: {} operations exercised ({unexercised} not), {} documented statuses received</summary>\n<p><span class=\"status hit\">200</span> documented, received · <span class=\"status missed\">404</span> documented, never received · <span class=\"status undocumented\">500</span> received, not documented (hover a status for its rules)</p>\n<table class=\"coverage\"><tr><th>operation</th><th>rules</th><th>statuses</th></tr>\n",
        ratio(&c.totals.operations),
        ratio(&c.totals.statuses)
    ));
    let badge = |s: &StatusCoverage, class: &str| {
        let title = if s.rules.is_empty() {
            "never received".to_string()
        } else {
            format!("received by {}", s.rules.join(", "))
        };
        format!(
            "<span class=\"status {class}\" title=\"{}\">{}</span>",
            e(&title),
            e(&s.status)
        )
    };
    for o in &c.operations {
        let rules: Vec<String> = o.rules.iter().map(|id| rule_ref(id)).collect();
        let mut statuses: Vec<String> = o
            .statuses
            .iter()
            .map(|s| badge(s, if s.exercised() { "hit" } else { "missed" }))
            .collect();
        statuses.extend(o.undocumented.iter().map(|s| badge(s, "undocumented")));
        out.push_str(&format!(
            "<tr><td><code>{} {}</code><br><small>{}</small></td><td>{}</td><td>{}</td></tr>\n",
            e(&o.method),
            e(&o.path),
            e(&o.operation),
            if rules.is_empty() {
                "<span class=\"failed\">not exercised</span>".to_string()
            } else {
                rules.join(" ")
            },
            statuses.join("")
        ));
    }
    out.push_str("</table>\n</details>\n");
}
