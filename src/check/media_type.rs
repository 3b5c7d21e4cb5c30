//! `media-type`: the media type of responses. It applies to every exchange of the run that
//! matches its operations and statuses, so it needs no request of its own.

use serde::Deserialize;

use super::{given_requests, KindParams};
use crate::locate::Pointer;
use crate::spec::context::LintCx;
use crate::spec::step::{validate_steps, Request, StatusMatch, Step};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub content_type: String,
    /// Operations it applies to; every operation when empty.
    #[serde(default)]
    pub operations: Vec<String>,
    /// Statuses it applies to; `2xx` when not given.
    pub statuses: Option<StatusMatch>,
    #[serde(default)]
    pub given: Vec<Step>,
    /// One request to make sure there is at least one exchange to judge.
    pub request: Option<Request>,
}

impl KindParams for Params {
    fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        if !self.content_type.contains('/') {
            cx.invalid(&at.key("content_type"), format!("`{}` is not a media type", self.content_type), "write it as type/subtype: `application/json`".into());
        }
        for (i, op) in self.operations.iter().enumerate() {
            cx.operation(&at.key("operations").index(i), op);
        }
        validate_steps(&self.given, cx, &at.key("given"));
        if let Some(r) = &self.request {
            r.validate(cx, &at.key("request"));
        }
    }
    fn requests(&self) -> Vec<&Request> {
        given_requests(&self.given, self.request.as_ref())
    }
}
