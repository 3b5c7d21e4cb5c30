//! The catalogue of check kinds: one module per kind (as jsonschema-rs has one per keyword).
//! Each module defines the kind's parameters and their validation; the runner's checking logic
//! lives beside them.

// The kind modules are declared here, not by `kinds!`, so rustfmt sees and formats them.
pub mod auth;
pub mod conformance;
pub mod content_negotiation;
pub mod error_envelope;
pub mod exchange;
pub mod filter;
pub mod lifecycle;
pub mod media_type;
pub mod method_not_allowed;
pub mod pagination;
pub mod permission;
pub mod required_header;
pub mod throttle;
pub mod timestamp_format;
pub mod transport;

use crate::contract::context::LintCx;
use crate::contract::step::{validate_steps, Request, Step};
use crate::locate::Pointer;
use crate::rule_context::{RuleCx, Stop};

/// What every kind's parameters can do before a run.
pub trait KindParams {
    /// Check the parameters against the spec: operations, schemas, roles, variables in scope.
    fn validate(&self, cx: &mut LintCx, at: &Pointer);
    /// Every request the rule may send: for `--read-only` and for operation coverage.
    fn requests(&self) -> Vec<&Request>;
}

/// What every kind does in a run. Dispatched statically through `Kind`, never as a trait
/// object, so the futures need no `Send` bound.
#[allow(async_fn_in_trait)]
pub trait Check {
    /// Send the rule's requests and record what fails in `cx`.
    async fn check(&self, cx: &mut RuleCx<'_>) -> Result<(), Stop>;
}

macro_rules! kinds {
    ($($name:literal => $variant:ident($module:ident)),* $(,)?) => {
        /// A rule's kind with its parameters.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Kind {
            $($variant($module::Params)),*
        }

        /// The names of every kind, as written in `contract.yaml`.
        pub const KIND_NAMES: &[&str] = &[$($name),*];

        impl Kind {
            pub fn name(&self) -> &'static str {
                match self { $(Kind::$variant(_) => $name),* }
            }

            pub fn params(&self) -> &dyn KindParams {
                match self { $(Kind::$variant(p) => p),* }
            }

            pub async fn check(&self, cx: &mut RuleCx<'_>) -> Result<(), Stop> {
                match self { $(Kind::$variant(p) => p.check(cx).await),* }
            }

            /// Parse the parameters of kind `name`; None when there is no such kind.
            pub fn parse(
                name: &str,
                params: serde_yaml::Value,
            ) -> Option<Result<Kind, serde_path_to_error::Error<serde_yaml::Error>>> {
                match name {
                    $($name => Some(serde_path_to_error::deserialize(params).map(Kind::$variant)),)*
                    _ => None,
                }
            }
        }
    };
}

kinds! {
    "exchange" => Exchange(exchange),
    "required-header" => RequiredHeader(required_header),
    "auth" => Auth(auth),
    "transport" => Transport(transport),
    "media-type" => MediaType(media_type),
    "error-envelope" => ErrorEnvelope(error_envelope),
    "pagination" => Pagination(pagination),
    "filter" => Filter(filter),
    "method-not-allowed" => MethodNotAllowed(method_not_allowed),
    "permission" => Permission(permission),
    "throttle" => Throttle(throttle),
    "timestamp-format" => TimestampFormat(timestamp_format),
    "content-negotiation" => ContentNegotiation(content_negotiation),
    "lifecycle" => Lifecycle(lifecycle),
}

/// The `given` steps then the main request: the shape most kinds share.
pub(crate) fn validate_given_request(
    given: &[Step],
    request: &Request,
    cx: &mut LintCx,
    at: &Pointer,
) {
    validate_steps(given, cx, &at.key("given"));
    request.validate(cx, &at.key("request"));
}

/// The requests of `given` steps followed by `extra`.
pub(crate) fn given_requests<'a>(
    given: &'a [Step],
    extra: impl IntoIterator<Item = &'a Request>,
) -> Vec<&'a Request> {
    given.iter().map(|s| &s.request).chain(extra).collect()
}

/// The refusal expected when a rule gives none: any 4xx.
pub(crate) fn refused() -> crate::contract::step::Expect {
    crate::contract::step::Expect {
        status: Some(crate::contract::step::StatusMatch(vec![
            crate::contract::step::StatusPattern::Class(4),
        ])),
        ..Default::default()
    }
}

/// Send the unmodified request and require a 2xx: without it, a refusal proves nothing.
pub(crate) async fn control(
    cx: &mut RuleCx<'_>,
    request: &Request,
) -> Result<crate::exchange::request::Prepared, Stop> {
    let p = cx.prepare(request)?;
    let (i, outcome) = cx.send_prepared(&p, crate::rule_context::Probe::No).await;
    let status = match outcome {
        Ok(r) => r.status,
        Err(e) => {
            cx.fail(Some("control"), crate::rule_context::no_answer(&e), Some(i));
            return Err(Stop::Abort);
        }
    };
    if !(200..300).contains(&status) {
        cx.fail(
            Some("control"),
            crate::results::Failure::new(
                "status",
                "2xx for the request as documented (the control)",
                status.to_string(),
            ),
            Some(i),
        );
        return Err(Stop::Abort);
    }
    Ok(p)
}
