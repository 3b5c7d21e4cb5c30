//! `media-type`: the media type of responses. It applies to every exchange of the run that
//! matches its operations and statuses, so it needs no request of its own.

use serde::Deserialize;

use super::Check;
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

impl Check for Params {
    fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        if !self.content_type.contains('/') {
            cx.invalid(
                &at.key("content_type"),
                format!("`{}` is not a media type", self.content_type),
                "write it as type/subtype: `application/json`".into(),
            );
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

    fn judges_every_exchange(&self) -> bool {
        true
    }

    /// One exchange of the run, judged: does its media type match, where this rule applies?
    /// `None` when the rule does not apply to it (no answer, no body, another operation or
    /// status).
    fn judge(&self, _api: &ApiDoc, rec: &Recorded) -> Option<Vec<Failure>> {
        let Ok(resp) = &rec.exchange.outcome else {
            return None;
        };
        if rec.probe == Probe::Transport || resp.body.is_empty() {
            return None;
        }
        let applies_status = match &self.statuses {
            Some(s) => s.matches(resp.status),
            None => (200..300).contains(&resp.status),
        };
        let op = rec.exchange.request.operation.as_deref();
        let applies_op = self.operations.is_empty()
            || op.is_some_and(|o| self.operations.iter().any(|x| x == o));
        if !applies_status || !applies_op {
            return None;
        }
        let want = self
            .content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        Some(match resp.media_type() {
            Some(got) if got == want => vec![],
            got => vec![Failure::new(
                "content type",
                want,
                got.unwrap_or_else(|| "no Content-Type".into()),
            )],
        })
    }

    async fn check(&self, cx: &mut RuleCx<'_>) -> Result<(), Stop> {
        cx.given(&self.given).await?;
        // The requests only make sure the run has exchanges to judge: the engine judges every
        // exchange of the run, these included, once (`judge`), after the rules that made them.
        for req in self.request.iter() {
            cx.send(req, None).await?;
        }
        Ok(())
    }
}
