//! `permission`: one row of a permission matrix: the same request as each role.

use std::collections::BTreeMap;

use serde::Deserialize;

use std::collections::BTreeSet;

use super::Check;
use crate::expect::select_json;
use crate::jsonpath::Query;
use crate::results::Failure;
use crate::rule_context::{Expecting, Probe, RuleCx, Stop, Want};

use super::{given_requests, validate_given_request};
use crate::contract::context::LintCx;
use crate::contract::step::{Expect, Request, Step};
use crate::locate::Pointer;

/// What one role sees is a subset of what another sees, compared by the ids at `items`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    pub role: String,
    pub subset_of: String,
    pub items: Query,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default)]
    pub given: Vec<Step>,
    pub request: Request,
    pub matrix: BTreeMap<String, Expect>,
    #[serde(default)]
    pub relations: Vec<Relation>,
}

impl Check for Params {
    fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        validate_given_request(&self.given, &self.request, cx, at);
        if self.request.role.is_some() {
            cx.invalid(
                &at.key("request").key("as"),
                "the matrix chooses the role".into(),
                "remove `as` from the request".into(),
            );
        }
        if self.matrix.is_empty() {
            cx.invalid(
                &at.key("matrix"),
                "an empty matrix checks nothing".into(),
                "add `owner: { status: 200 }`, `anonymous: { status: 401 }`".into(),
            );
        }
        for (role, expect) in &self.matrix {
            cx.role(&at.key("matrix").key(role), role);
            expect.validate(cx, &at.key("matrix").key(role));
        }
        for (i, r) in self.relations.iter().enumerate() {
            let at = at.key("relations").index(i);
            for (field, role) in [("role", &r.role), ("subset_of", &r.subset_of)] {
                if !self.matrix.contains_key(role) {
                    cx.invalid(
                        &at.key(field),
                        format!("`{role}` is not in the matrix"),
                        "relations compare roles of the matrix".into(),
                    );
                }
            }
            cx.jsonpath(&at.key("items"), &r.items);
        }
    }
    fn requests(&self) -> Vec<&Request> {
        given_requests(&self.given, [&self.request])
    }

    async fn check(&self, cx: &mut RuleCx<'_>) -> Result<(), Stop> {
        cx.given(&self.given).await?;
        let mut seen: BTreeMap<String, serde_json::Value> = BTreeMap::new();
        for (role, expect) in &self.matrix {
            let mut req = self.request.clone();
            req.role = Some(role.clone());
            let p = match cx.prepare(&req) {
                Ok(p) => p,
                Err(Stop::Skip(why) | Stop::NoCredential(why)) => {
                    cx.observations.push(format!("row `{role}` not run: {why}"));
                    continue;
                }
                Err(stop) => return Err(stop),
            };
            let label = format!("as {role}");
            let expecting = Expecting::new(Some(&label), Want::Expect(expect)).probe(Probe::No);
            if let Some(r) = cx.send_expecting(&p, expecting).await.response {
                seen.insert(role.clone(), r.json().unwrap_or(serde_json::Value::Null));
            }
        }
        if seen.is_empty() {
            return Err(Stop::NoCredential(
                "the target has credentials for no role of this row".into(),
            ));
        }
        for rel in &self.relations {
            let (Some(small), Some(big)) = (seen.get(&rel.role), seen.get(&rel.subset_of)) else {
                continue;
            };
            let ids = |body: &serde_json::Value| -> BTreeSet<String> {
                select_json(body, &rel.items, &cx.vars)
                    .unwrap_or_default()
                    .iter()
                    .map(|v| v.to_string())
                    .collect()
            };
            let (a, b) = (ids(small), ids(big));
            let extra: Vec<&String> = a.difference(&b).collect();
            if !extra.is_empty() {
                cx.fail(
                    Some(&format!("{} within {}", rel.role, rel.subset_of)),
                    Failure::new(
                        format!("what {} sees", rel.role),
                        format!("a subset of what {} sees", rel.subset_of),
                        format!(
                            "also {}",
                            extra
                                .iter()
                                .take(5)
                                .map(|s| s.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ),
                    None,
                );
            }
        }
        Ok(())
    }
}
