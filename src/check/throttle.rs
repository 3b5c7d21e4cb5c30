//! `throttle`: a documented rate limit is enforced (the request past the limit gets e.g. 429
//! with `Retry-After`), or, where the document promises none, a modest burst gets no 429.

use serde::Deserialize;

use super::{Check, DeclaredLimit};
use crate::results::Failure;
use crate::rule_context::{Expecting, RuleCx, Stop, Want};

use super::{given_requests, validate_given_request};
use crate::contract::context::LintCx;
use crate::contract::step::{Expect, Request, Step};
use crate::locate::Pointer;

/// Bursts stay modest: a conformance run is not a load test.
pub const MAX_REQUESTS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Enforced,
    Absent,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default)]
    pub given: Vec<Step>,
    pub request: Request,
    pub mode: Mode,
    pub limit: Option<usize>,
    pub window_seconds: Option<u64>,
    pub burst: Option<usize>,
    /// The throttled answer (enforced).
    pub expect: Option<Expect>,
}

impl Check for Params {
    fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        validate_given_request(&self.given, &self.request, cx, at);
        if let Some(e) = &self.expect {
            e.validate(cx, &at.key("expect"));
        }
        match self.mode {
            Mode::Enforced => {
                if self.limit.is_none() || self.window_seconds.is_none() {
                    cx.invalid(
                        at,
                        "an enforced throttle needs `limit` and `window_seconds`".into(),
                        "e.g. `limit: 5`, `window_seconds: 60`".into(),
                    );
                }
                if self.expect.is_none() {
                    cx.invalid(at, "an enforced throttle needs `expect`: the throttled answer".into(), "e.g. `expect: { status: 429, headers: { Retry-After: { exists: true } } }`".into());
                }
            }
            Mode::Absent => {
                if self.burst.is_none() {
                    cx.invalid(
                        at,
                        "an absent throttle needs `burst`".into(),
                        "e.g. `burst: 20`".into(),
                    );
                }
            }
        }
        for (name, n) in [("limit", self.limit), ("burst", self.burst)] {
            if let Some(n) = n {
                if n == 0 || n > MAX_REQUESTS {
                    cx.invalid(
                        &at.key(name),
                        format!("`{name}: {n}` is out of range"),
                        format!(
                            "between 1 and {MAX_REQUESTS}: a conformance run is not a load test"
                        ),
                    );
                }
            }
        }
    }
    fn requests(&self) -> Vec<&Request> {
        given_requests(&self.given, [&self.request])
    }

    /// An enforced throttle declares its limit on the operation it probes.
    fn declared_limit(&self) -> Option<DeclaredLimit<'_>> {
        match (self.mode, self.limit, self.window_seconds, &self.expect) {
            (Mode::Enforced, Some(limit), Some(window_seconds), Some(answer)) => {
                Some(DeclaredLimit {
                    operations: self.request.operation.as_slice(),
                    limit: limit.min(MAX_REQUESTS),
                    window_seconds,
                    answer,
                })
            }
            _ => None,
        }
    }

    async fn check(&self, cx: &mut RuleCx<'_>) -> Result<(), Stop> {
        cx.given(&self.given).await?;
        match self.mode {
            Mode::Enforced => {
                let limit = self.limit.unwrap_or(1).min(MAX_REQUESTS);
                let expect = self.expect.clone().unwrap_or_default();
                let p = cx.prepare(&self.request)?;
                for n in 1..=limit + 1 {
                    let label = format!("request {n} of {}", limit + 1);
                    // The requests within the limit are judged here; the one past it, by
                    // `expect`.
                    let want = if n <= limit {
                        Want::Any
                    } else {
                        Want::Expect(&expect)
                    };
                    let expecting = Expecting::new(Some(&label), want);
                    let (i, r) = cx.send_expecting(&p, expecting).await.answered()?;
                    if n <= limit && r.status == 429 {
                        cx.fail(
                            Some(&label),
                            Failure::new(
                                "throttling",
                                format!(
                                    "{limit} requests allowed in {}s",
                                    self.window_seconds.unwrap_or(0)
                                ),
                                format!("429 after {}", n - 1),
                            ),
                            Some(i),
                        );
                        return Ok(());
                    }
                }
            }
            Mode::Absent => {
                let burst = self.burst.unwrap_or(1).min(MAX_REQUESTS);
                for n in 1..=burst {
                    let label = format!("request {n} of {burst}");
                    let (i, r) = cx.send(&self.request, Some(&label)).await?;
                    if r.status == 429 {
                        cx.fail(
                            Some(&label),
                            Failure::new(
                                "throttling",
                                format!("no 429 in a burst of {burst}"),
                                format!("429 at request {n}"),
                            ),
                            Some(i),
                        );
                        return Ok(());
                    }
                }
            }
        }
        Ok(())
    }
}
