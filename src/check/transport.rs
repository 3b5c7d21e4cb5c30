//! `transport`: the API answers over HTTPS only, and on its documented hosts only.

use serde::Deserialize;

use super::{given_requests, validate_given_request, KindParams};
use crate::locate::Pointer;
use crate::spec::context::LintCx;
use crate::spec::step::{Expect, Request, Step};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default)]
    pub given: Vec<Step>,
    pub request: Request,
    #[serde(default)]
    pub https_only: bool,
    #[serde(default)]
    pub hosts: Vec<String>,
    pub foreign_host: Option<String>,
    /// The refusal; by default any answer that is not a 2xx (or no answer at all).
    pub expect: Option<Expect>,
}

impl KindParams for Params {
    fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        validate_given_request(&self.given, &self.request, cx, at);
        if let Some(e) = &self.expect {
            e.validate(cx, &at.key("expect"));
        }
        if !self.https_only && self.foreign_host.is_none() {
            cx.invalid(at, "nothing to check".into(), "set `https_only: true`, or a `foreign_host` that must be refused".into());
        }
        if let Some(h) = &self.foreign_host {
            if self.hosts.iter().any(|d| d.eq_ignore_ascii_case(h)) {
                cx.invalid(&at.key("foreign_host"), format!("`{h}` is one of the documented `hosts`"), "name a host the document says is refused".into());
            }
            if self.hosts.is_empty() {
                cx.invalid(at, "a `foreign_host` check needs the documented `hosts`".into(), "add `hosts: [api.example.com]`".into());
            }
        }
    }
    fn requests(&self) -> Vec<&Request> {
        given_requests(&self.given, [&self.request])
    }
}
