//! `auth`: a missing, invalid, revoked or expired credential gets the documented answer. The
//! request with valid credentials is sent first as the control.

use serde::Deserialize;

use super::{given_requests, validate_given_request, KindParams};
use crate::error::{suggest, SpecErrorKind};
use crate::locate::Pointer;
use crate::spec::context::LintCx;
use crate::spec::step::{Expect, Request, Step};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseKind {
    Missing,
    Invalid,
    Revoked,
    Expired,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub case: CaseKind,
    /// For revoked/expired: the target credential that holds such a value; for invalid: the
    /// credential to replace (default: every credential of the scheme).
    pub credential: Option<String>,
    /// For invalid: the value to send instead (default: a well-formed wrong value).
    pub value: Option<String>,
    pub expect: Expect,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default)]
    pub given: Vec<Step>,
    pub request: Request,
    pub scheme: Option<String>,
    pub cases: Vec<Case>,
}

impl KindParams for Params {
    fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        validate_given_request(&self.given, &self.request, cx, at);
        if let Some(s) = &self.scheme {
            cx.auth_scheme(&at.key("scheme"), s);
        }
        if self.cases.is_empty() {
            cx.invalid(&at.key("cases"), "no case to check".into(), "add `- { case: missing, expect: { status: 401 } }`".into());
        }
        for (i, c) in self.cases.iter().enumerate() {
            let at = at.key("cases").index(i);
            c.expect.validate(cx, &at.key("expect"));
            if let Some(name) = &c.credential {
                if !cx.credentials.iter().any(|n| n == name) {
                    let hint = suggest(name, cx.credentials.iter().map(String::as_str));
                    cx.push(&at.key("credential"), SpecErrorKind::UnknownName { what: "credential", name: name.clone() }, hint);
                }
            } else if matches!(c.case, CaseKind::Revoked | CaseKind::Expired) {
                cx.invalid(
                    &at,
                    "a revoked or expired case needs `credential`: the target credential that holds such a key".into(),
                    "declare e.g. `revoked_api_key` under `credentials` and name it here".into(),
                );
            }
        }
    }
    fn requests(&self) -> Vec<&Request> {
        given_requests(&self.given, [&self.request])
    }
}
