//! `exchange`: one documented request and the answer it must get.

use serde::Deserialize;

use super::Check;
use crate::rule_context::{Expecting, RuleCx, Stop, Want};

use super::{given_requests, validate_given_request};
use crate::contract::context::LintCx;
use crate::contract::step::{Expect, Request, Step};
use crate::locate::Pointer;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default)]
    pub given: Vec<Step>,
    pub request: Request,
    pub expect: Expect,
}

impl Check for Params {
    fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        validate_given_request(&self.given, &self.request, cx, at);
        self.expect.validate(cx, &at.key("expect"));
    }
    fn requests(&self) -> Vec<&Request> {
        given_requests(&self.given, [&self.request])
    }

    async fn check(&self, cx: &mut RuleCx<'_>) -> Result<(), Stop> {
        cx.given(&self.given).await?;
        let p = cx.prepare(&self.request)?;
        cx.send_expecting(&p, Expecting::new(None, Want::Expect(&self.expect)))
            .await
            .answered()?;
        Ok(())
    }
}
