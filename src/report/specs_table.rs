//! The tables of `specgate specs`: the APIs, and one API's operations and rules.

use tabled::settings::Style;
use tabled::{Table, Tabled};

use crate::check::Check;
use crate::spec::Spec;

#[derive(Tabled)]
struct ApiRow {
    #[tabled(rename = "API")]
    api: String,
    #[tabled(rename = "title")]
    title: String,
    #[tabled(rename = "base URL")]
    base_url: String,
    #[tabled(rename = "operations")]
    operations: String,
    #[tabled(rename = "rules")]
    rules: usize,
    must: usize,
    should: usize,
    may: usize,
    #[tabled(rename = "writing")]
    writing: usize,
}

/// One row per API: operations (covered by rules / documented) and rules by level.
pub fn apis_table(specs: &[Spec]) -> String {
    let rows: Vec<ApiRow> = specs
        .iter()
        .map(|s| {
            let (must, should, may) = s.rules_by_level();
            ApiRow {
                api: s.name.clone(),
                title: s.contract.title.clone(),
                base_url: s.contract.base_url.clone(),
                operations: format!(
                    "{}/{}",
                    s.covered_operations().len(),
                    s.api.operations.len()
                ),
                rules: s.rules.len(),
                must,
                should,
                may,
                writing: s.rules.iter().filter(|r| r.writes).count(),
            }
        })
        .collect();
    let mut t = Table::new(rows);
    t.with(Style::rounded());
    format!("{t}\noperations: exercised by at least one rule / documented; writing: rules that POST, PUT, PATCH or DELETE (skipped by --read-only)")
}

#[derive(Tabled)]
struct OperationRow {
    #[tabled(rename = "operationId")]
    id: String,
    method: String,
    path: String,
    statuses: String,
    #[tabled(rename = "rules")]
    rules: usize,
}

#[derive(Tabled)]
struct RuleRow {
    id: String,
    kind: String,
    level: String,
    writes: String,
    title: String,
}

/// One API in detail: its operations with the rules that exercise each, and its rules.
pub fn api_detail(spec: &Spec) -> String {
    let ops: Vec<OperationRow> = spec
        .api
        .operations
        .values()
        .map(|o| OperationRow {
            id: o.id.clone(),
            method: o.method.clone(),
            path: o.path.clone(),
            statuses: o.statuses.join(" "),
            rules: spec
                .rules
                .iter()
                .filter(|r| {
                    r.kind
                        .requests()
                        .iter()
                        .any(|q| q.operation.as_deref() == Some(o.id.as_str()))
                })
                .count(),
        })
        .collect();
    let rules: Vec<RuleRow> = spec
        .rules
        .iter()
        .map(|r| RuleRow {
            id: r.id.clone(),
            kind: r.kind.name().to_string(),
            level: r.level.to_string(),
            writes: if r.writes {
                "yes".into()
            } else {
                String::new()
            },
            title: r.title.clone().unwrap_or_default(),
        })
        .collect();
    let mut o = Table::new(ops);
    o.with(Style::rounded());
    let mut r = Table::new(rules);
    r.with(Style::rounded());
    format!(
        "{} — {} ({})\n\nOperations\n{o}\n\nRules\n{r}",
        spec.name, spec.contract.title, spec.contract.base_url
    )
}

/// What `specgate specs` prints: the table of the APIs, or with `detail` each API's operations
/// and rules.
pub fn print(specs: &[Spec], detail: bool) {
    if detail {
        for s in specs {
            super::outln(api_detail(s));
        }
    } else {
        super::outln(apis_table(specs));
    }
}
