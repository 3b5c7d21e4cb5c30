//! `error-envelope`: error bodies of a status have the documented shape. It applies to every
//! exchange of the run with that status, plus the requests it sends to provoke one.

use serde::Deserialize;

use super::Check;
use crate::expect::check_schema;
use crate::openapi::ApiDoc;
use crate::results::Failure;
use crate::rule_context::{Probe, Recorded, RuleCx, Stop};

use super::given_requests;
use crate::contract::context::LintCx;
use crate::contract::step::{validate_steps, Request, StatusMatch, Step};
use crate::locate::Pointer;

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

impl Check for Params {
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

    fn judges_every_exchange(&self) -> bool {
        true
    }

    /// One exchange of the run, judged: an error of this status has the documented envelope.
    /// `None` when the exchange has no answer of this status.
    fn judge(&self, api: &ApiDoc, rec: &Recorded) -> Option<Vec<Failure>> {
        match &rec.exchange.outcome {
            Ok(resp) if rec.probe != Probe::Transport && self.status.matches(resp.status) => {
                Some(check_schema(&self.schema, resp, api))
            }
            _ => None,
        }
    }

    async fn check(&self, cx: &mut RuleCx<'_>) -> Result<(), Stop> {
        cx.given(&self.given).await?;
        // The requests only make sure the run has exchanges to judge: the engine judges every
        // exchange of the run, these included, once (`judge`), after the rules that made them.
        for req in &self.requests {
            cx.send(req, None).await?;
        }
        Ok(())
    }
}
