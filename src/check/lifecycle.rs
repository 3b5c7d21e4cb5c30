//! `lifecycle`: a sequence of requests with captures and assertions, run in order, with cleanup
//! steps that always run (a run deletes what it created, even after a failure).

use serde::Deserialize;

use super::KindParams;
use crate::locate::Pointer;
use crate::spec::context::LintCx;
use crate::spec::step::{validate_steps, Request, Step};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub steps: Vec<Step>,
    #[serde(default)]
    pub cleanup: Vec<Step>,
}

impl KindParams for Params {
    fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        if self.steps.is_empty() {
            cx.invalid(&at.key("steps"), "a lifecycle needs steps".into(), "add `- request: {...}`".into());
        }
        validate_steps(&self.steps, cx, &at.key("steps"));
        // Cleanup sees every capture; at run time a step whose variables were never captured
        // is skipped (there is nothing of that kind to delete).
        validate_steps(&self.cleanup, cx, &at.key("cleanup"));
    }
    fn requests(&self) -> Vec<&Request> {
        self.steps.iter().chain(&self.cleanup).map(|s| &s.request).collect()
    }
}
