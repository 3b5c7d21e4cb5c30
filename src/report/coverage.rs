//! The coverage summary of a check run, in the terminal and the Markdown report: per API, the
//! operations, documented statuses and document lines covered, and what was never exercised,
//! grouped short (the JSON report has every operation, status and line).

use crate::coverage::{Coverage, Ratio};
use crate::results::ApiResult;

/// At most this many operations are named per list; the rest are counted.
const NAMED: usize = 6;

/// What an API's coverage line says of its document.
fn document_text(c: &Coverage) -> String {
    match (&c.totals.document, &c.document_absent) {
        (Some(r), _) => r.to_string(),
        (None, Some(why)) => format!("not measured ({why})"),
        (None, None) => "not measured".to_string(),
    }
}

/// `a, b, c and 4 more`.
fn named<'a>(items: impl IntoIterator<Item = &'a str>, wrap: &dyn Fn(&str) -> String) -> String {
    let all: Vec<&str> = items.into_iter().collect();
    let mut text = all
        .iter()
        .take(NAMED)
        .map(|s| wrap(s))
        .collect::<Vec<_>>()
        .join(", ");
    if all.len() > NAMED {
        text.push_str(&format!(" and {} more", all.len() - NAMED));
    }
    text
}

/// The documented statuses of exercised operations never received, grouped by status:
/// (status, operation ids), in ascending status order. An operation never exercised received
/// none of its statuses, which its own list says.
pub fn missing_statuses(c: &Coverage) -> Vec<(&str, Vec<&str>)> {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    let exercised = c
        .unexercised_statuses()
        .into_iter()
        .filter(|(op, _)| op.exercised());
    for (op, statuses) in exercised {
        for status in statuses {
            match groups.iter_mut().find(|(s, _)| *s == status) {
                Some((_, ops)) => ops.push(&op.operation),
                None => groups.push((status, vec![&op.operation])),
            }
        }
    }
    groups.sort_by(|a, b| a.0.cmp(b.0));
    groups
}

/// The three ratios of an API, as one line's text.
fn totals_text(c: &Coverage) -> String {
    let ratio = |r: &Ratio| r.to_string();
    format!(
        "operations {}, statuses {}, document lines {}",
        ratio(&c.totals.operations),
        ratio(&c.totals.statuses),
        document_text(c)
    )
}

/// The terminal's coverage summary: per API its totals, the operations never exercised and
/// the statuses never received (grouped by status).
pub fn terminal(apis: &[ApiResult]) -> String {
    let mut out = String::new();
    for api in apis {
        let Some(c) = &api.coverage else { continue };
        if out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("{} coverage: {}\n", api.api, totals_text(c)));
        let never: Vec<&str> = c
            .unexercised_operations()
            .map(|o| o.operation.as_str())
            .collect();
        if !never.is_empty() {
            out.push_str(&format!(
                "  operations never exercised: {}\n",
                named(never, &|s| s.to_string())
            ));
        }
        let missing = missing_statuses(c);
        if !missing.is_empty() {
            out.push_str("  statuses never received (of the operations exercised):\n");
            for (status, ops) in missing {
                out.push_str(&format!(
                    "    {status}: {}\n",
                    named(ops, &|s| s.to_string())
                ));
            }
        }
    }
    out
}

/// The Markdown report's coverage section: a table of the totals, then per API what was never
/// exercised.
pub fn markdown(apis: &[ApiResult]) -> String {
    let measured: Vec<(&ApiResult, &Coverage)> = apis
        .iter()
        .filter_map(|a| a.coverage.as_ref().map(|c| (a, c)))
        .collect();
    if measured.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\n## Coverage\n\n| API | operations | statuses | document lines |\n|---|---|---|---|\n",
    );
    for (a, c) in &measured {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            a.api,
            c.totals.operations,
            c.totals.statuses,
            document_text(c).replace('|', "\\|")
        ));
    }
    let code = |s: &str| format!("`{s}`");
    for (a, c) in measured {
        let never: Vec<&str> = c
            .unexercised_operations()
            .map(|o| o.operation.as_str())
            .collect();
        let missing = missing_statuses(c);
        if never.is_empty() && missing.is_empty() {
            continue;
        }
        out.push_str(&format!("\n### {}: not exercised\n\n", a.api));
        if !never.is_empty() {
            out.push_str(&format!(
                "- operations never exercised: {}\n",
                named(never, &code)
            ));
        }
        if !missing.is_empty() {
            out.push_str("- statuses never received (of the operations exercised):\n");
        }
        for (status, ops) in missing {
            out.push_str(&format!("  - {status}: {}\n", named(ops, &code)));
        }
    }
    out
}
