//! `method-not-allowed`: the methods an API refuses on its paths (e.g. 405 with `Allow`).

use serde::Deserialize;

use super::Check;
use crate::rule_context::{Expecting, Probe, RuleCx, Silence, Stop, Want};

use super::{any_writes, given_requests, operations_of};
use crate::contract::context::LintCx;
use crate::contract::step::{validate_steps, Expect, Request, Step, METHODS, WRITE_METHODS};
use crate::locate::Pointer;
use crate::openapi::ApiDoc;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default)]
    pub given: Vec<Step>,
    #[serde(default)]
    pub operations: Vec<String>,
    #[serde(default)]
    pub paths: Vec<String>,
    pub methods: Vec<String>,
    pub expect: Expect,
}

impl Check for Params {
    fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        validate_steps(&self.given, cx, &at.key("given"));
        if self.operations.is_empty() && self.paths.is_empty() {
            cx.invalid(
                at,
                "no operation or path to send the methods to".into(),
                "add `operations: [listSurveys]` or `paths: [/api/health]`".into(),
            );
        }
        for (i, op) in self.operations.iter().enumerate() {
            if let Some(info) = cx.operation(&at.key("operations").index(i), op) {
                for p in &info.path_params {
                    if !cx.has_var(p) {
                        cx.invalid(
                            &at.key("operations").index(i),
                            format!("path parameter `{p}` of `{op}` has no value"),
                            format!("capture a variable `{p}` in `given`"),
                        );
                    }
                }
            }
        }
        for (i, p) in self.paths.iter().enumerate() {
            cx.template(&at.key("paths").index(i), p);
        }
        if self.methods.is_empty() {
            cx.invalid(
                &at.key("methods"),
                "no method to send".into(),
                "add `methods: [POST, PUT, PATCH, DELETE]`".into(),
            );
        }
        for (i, m) in self.methods.iter().enumerate() {
            if !METHODS.contains(&m.to_ascii_uppercase().as_str()) {
                cx.invalid(
                    &at.key("methods").index(i),
                    format!("`{m}` is not an HTTP method"),
                    format!("use one of {}", METHODS.join(", ")),
                );
            }
        }
        self.expect.validate(cx, &at.key("expect"));
    }
    fn requests(&self) -> Vec<&Request> {
        given_requests(&self.given, [])
    }

    /// The operations of its `given` steps, and those it sends the other methods to.
    fn operations(&self) -> Vec<&str> {
        let mut out = operations_of(&self.requests());
        out.extend(self.operations.iter().map(String::as_str));
        out
    }

    /// It writes when it sends a writing method (expecting refusal), or its `given` steps do.
    fn writes(&self, api: &ApiDoc) -> bool {
        self.methods
            .iter()
            .any(|m| WRITE_METHODS.contains(&m.to_ascii_uppercase().as_str()))
            || any_writes(&self.requests(), api)
    }

    async fn check(&self, cx: &mut RuleCx<'_>) -> Result<(), Stop> {
        cx.given(&self.given).await?;
        let mut requests = Vec::new();
        for op in &self.operations {
            let own = cx
                .api
                .operations
                .get(op)
                .map(|o| o.method.clone())
                .unwrap_or_default();
            for m in self
                .methods
                .iter()
                .filter(|m| !m.eq_ignore_ascii_case(&own))
            {
                requests.push(Request {
                    operation: Some(op.clone()),
                    method: Some(m.to_ascii_uppercase()),
                    ..Default::default()
                });
            }
        }
        for path in &self.paths {
            for m in &self.methods {
                requests.push(Request {
                    method: Some(m.to_ascii_uppercase()),
                    path: Some(path.clone()),
                    ..Default::default()
                });
            }
        }
        for req in requests {
            let label = format!(
                "{} {}",
                req.method.as_deref().unwrap_or(""),
                req.operation
                    .as_deref()
                    .or(req.path.as_deref())
                    .unwrap_or("")
            );
            let p = cx.prepare(&req)?;
            let expecting = Expecting::new(Some(&label), Want::Expect(&self.expect))
                .probe(Probe::OtherMethod)
                .silence(Silence::NotA("a refusal"));
            cx.send_expecting(&p, expecting).await;
        }
        Ok(())
    }
}
