//! `required-header`: a header the document requires; left out or wrong, the request is refused.
//! The unmodified request is sent first as the control, so a refusal is the header's doing.

use serde::Deserialize;

use super::{control, refused, Check};
use crate::rule_context::{Expecting, Probe, RuleCx, Silence, Stop, Want};

use super::{given_requests, validate_given_request};
use crate::contract::context::LintCx;
use crate::contract::step::{Expect, Request, Step};
use crate::locate::Pointer;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HeaderCase {
    Missing,
    Wrong,
}

fn both_cases() -> Vec<HeaderCase> {
    vec![HeaderCase::Missing, HeaderCase::Wrong]
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default)]
    pub given: Vec<Step>,
    pub request: Request,
    pub header: String,
    #[serde(default = "both_cases")]
    pub cases: Vec<HeaderCase>,
    pub wrong_value: Option<String>,
    /// The refusal; `status: 4xx` when not given.
    pub expect: Option<Expect>,
}

impl Check for Params {
    fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        validate_given_request(&self.given, &self.request, cx, at);
        if let Some(e) = &self.expect {
            e.validate(cx, &at.key("expect"));
        }
        if self.cases.is_empty() {
            cx.invalid(
                &at.key("cases"),
                "no case to check".into(),
                "use `[missing, wrong]`".into(),
            );
        }
        if self.cases.contains(&HeaderCase::Wrong) && self.wrong_value.is_none() {
            cx.invalid(
                at,
                "case `wrong` needs a `wrong_value`".into(),
                "add `wrong_value: \"...\"`, a value the API must refuse, or drop `wrong` from `cases`".into(),
            );
        }
        let sent = cx.sends_header(&self.request, &self.header);
        if !sent {
            cx.invalid(
                &at.key("header"),
                format!("the control request does not send `{}`", self.header),
                "send it from `defaults.headers`, an auth scheme, or the request's `headers`"
                    .into(),
            );
        }
    }
    fn requests(&self) -> Vec<&Request> {
        given_requests(&self.given, [&self.request])
    }

    async fn check(&self, cx: &mut RuleCx<'_>) -> Result<(), Stop> {
        cx.given(&self.given).await?;
        let p = control(cx, &self.request).await?;
        let expect = self.expect.clone().unwrap_or_else(refused);
        for case in &self.cases {
            let mut q = p.clone();
            let label = match case {
                HeaderCase::Missing => {
                    q.remove_header(&self.header);
                    format!("{} missing", self.header)
                }
                HeaderCase::Wrong => {
                    let wrong = cx
                        .vars
                        .render(self.wrong_value.as_deref().unwrap_or(""))
                        .unwrap_or_default();
                    q.set_header(&self.header, &wrong);
                    format!("{} wrong", self.header)
                }
            };
            let expecting = Expecting::new(Some(&label), Want::Expect(&expect))
                .probe(Probe::No)
                .silence(Silence::NotA("a refusal"));
            cx.send_expecting(&q, expecting).await;
        }
        Ok(())
    }
}
