//! `error-envelope`: error bodies of a status have the documented shape. It applies to every
//! exchange of the run with that status, plus the requests it sends to provoke one.

use serde::Deserialize;

use super::{given_requests, KindParams};
use crate::locate::Pointer;
use crate::spec::context::LintCx;
use crate::spec::step::{validate_steps, Request, StatusMatch, Step};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub status: StatusMatch,
    pub schema: String,
    #[serde(default)]
    pub given: Vec<Step>,
    /// Requests that provoke the status.
    #[serde(default)]
    pub requests: Vec<Request>,
}

impl KindParams for Params {
    fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        cx.schema(&at.key("schema"), &self.schema);
        validate_steps(&self.given, cx, &at.key("given"));
        for (i, r) in self.requests.iter().enumerate() {
            r.validate(cx, &at.key("requests").index(i));
        }
    }
    fn requests(&self) -> Vec<&Request> {
        given_requests(&self.given, &self.requests)
    }
}
