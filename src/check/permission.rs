//! `permission`: one row of a permission matrix: the same request as each role.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{given_requests, validate_given_request, KindParams};
use crate::locate::Pointer;
use crate::spec::context::LintCx;
use crate::spec::step::{Expect, Request, Step};

/// What one role sees is a subset of what another sees, compared by the ids at `items`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    pub role: String,
    pub subset_of: String,
    pub items: String,
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

impl KindParams for Params {
    fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        validate_given_request(&self.given, &self.request, cx, at);
        if self.request.role.is_some() {
            cx.invalid(&at.key("request").key("as"), "the matrix chooses the role".into(), "remove `as` from the request".into());
        }
        if self.matrix.is_empty() {
            cx.invalid(&at.key("matrix"), "an empty matrix checks nothing".into(), "add `owner: { status: 200 }`, `anonymous: { status: 401 }`".into());
        }
        for (role, expect) in &self.matrix {
            cx.role(&at.key("matrix").key(role), role);
            expect.validate(cx, &at.key("matrix").key(role));
        }
        for (i, r) in self.relations.iter().enumerate() {
            let at = at.key("relations").index(i);
            for (field, role) in [("role", &r.role), ("subset_of", &r.subset_of)] {
                if !self.matrix.contains_key(role) {
                    cx.invalid(&at.key(field), format!("`{role}` is not in the matrix"), "relations compare roles of the matrix".into());
                }
            }
            cx.jsonpath(&at.key("items"), &r.items);
        }
    }
    fn requests(&self) -> Vec<&Request> {
        given_requests(&self.given, [&self.request])
    }
}
