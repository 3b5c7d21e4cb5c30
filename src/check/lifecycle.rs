//! `lifecycle`: a sequence of requests with captures and assertions, run in order, with cleanup
//! steps that always run (a run deletes what it created, even after a failure).

use serde::Deserialize;

use super::Check;
use crate::rule_context::{Expecting, Probe, RuleCx, Silence, Stop, Want};

use crate::contract::context::LintCx;
use crate::contract::step::{validate_steps, Request, Step};
use crate::locate::Pointer;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Preconditions: discovery steps whose unmet expectations skip the rule (see `given`).
    #[serde(default)]
    pub given: Vec<Step>,
    pub steps: Vec<Step>,
    #[serde(default)]
    pub cleanup: Vec<Step>,
}

impl Check for Params {
    fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        if self.steps.is_empty() {
            cx.invalid(
                &at.key("steps"),
                "a lifecycle needs steps".into(),
                "add `- request: {...}`".into(),
            );
        }
        validate_steps(&self.given, cx, &at.key("given"));
        validate_steps(&self.steps, cx, &at.key("steps"));
        // Cleanup sees every capture; at run time a step whose variables were never captured
        // is skipped (there is nothing of that kind to delete).
        validate_steps(&self.cleanup, cx, &at.key("cleanup"));
    }
    fn requests(&self) -> Vec<&Request> {
        self.given
            .iter()
            .chain(&self.steps)
            .chain(&self.cleanup)
            .map(|s| &s.request)
            .collect()
    }

    async fn check(&self, cx: &mut RuleCx<'_>) -> Result<(), Stop> {
        cx.given(&self.given).await?;
        let mut outcome = Ok(());
        for (n, step) in self.steps.iter().enumerate() {
            if let Err(stop) = cx.step(step, &format!("step {}", n + 1)).await {
                outcome = Err(stop);
                break;
            }
        }
        // Cleanup runs whatever happened; a step whose variables were never captured has
        // nothing to clean up.
        for (n, step) in self.cleanup.iter().enumerate() {
            let label = step
                .name
                .clone()
                .unwrap_or_else(|| format!("cleanup {}", n + 1));
            let Ok(p) = cx.context().prepare(&step.request, &cx.vars) else {
                continue;
            };
            let want = step.expect.as_ref().map_or(Want::Any, Want::Expect);
            let expecting = Expecting::new(Some(&label), want)
                .probe(Probe::No)
                .silence(Silence::Ignored);
            cx.send_expecting(&p, expecting).await;
        }
        outcome
    }
}
