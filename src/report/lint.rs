//! What `specgate lint` prints: each spec's problems on stderr, its line on stdout, and the
//! count of problems.

use crate::lint::{CiteCheck, LintOutcome};

/// Print each outcome (its located errors on stderr, then its line on stdout), then the count
/// of problems on stderr when there are any.
pub fn print(outcomes: &[LintOutcome]) {
    let mut total = 0;
    for o in outcomes {
        for e in o.errors.iter() {
            eprintln!("{e}");
        }
        total += o.errors.len();
        super::outln(line(o));
    }
    if total > 0 {
        eprintln!(
            "{total} problem(s) in {} spec(s)",
            outcomes.iter().filter(|o| !o.is_clean()).count()
        );
    }
}

/// One spec's line: its status, what it holds, and whether its cites were checked.
pub fn line(o: &LintOutcome) -> String {
    let name = o.dir.display();
    let Some(s) = &o.spec else {
        return format!("FAILED {name}: {} error(s)", o.errors.len());
    };
    let (must, should, may) = s.rules_by_level();
    let cite_note = match &o.cites {
        CiteCheck::Checked(p) => format!("cites checked against {}", p.display()),
        CiteCheck::NoDocument(p) => {
            format!("cites NOT checked: no document at {}", p.display())
        }
        CiteCheck::Skipped => "cites not checked (--no-cite-check)".into(),
        CiteCheck::NotRun => String::new(),
    };
    let status = if o.is_clean() { "ok" } else { "FAILED" };
    let bases: Vec<String> = s
        .must_expectations()
        .iter()
        .map(|(b, n)| format!("{n} {b}"))
        .collect();
    let schemas: Vec<String> = s
        .api
        .response_schema_bases()
        .iter()
        .map(|(b, n)| format!("{n} {b}"))
        .collect();
    format!(
        "{status:6} {name}: {} operations, {} rules ({must} must, {should} should, {may} may), {} schemas compiled; {cite_note}\n       must expectations by basis: {}; response bodies by basis: {}",
        s.api.operations.len(),
        s.rules.len(),
        s.api.compiled_count(),
        bases.join(", "),
        schemas.join(", ")
    )
}
