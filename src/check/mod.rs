//! The catalogue of check kinds: one module per kind (as jsonschema-rs has one per keyword).
//! Each module defines the kind's parameters and owns all of its behaviour through `Check`:
//! their validation, the requests and operations, whether it writes, the checking itself, and
//! for a cross-cutting kind its judgement of every exchange. `conformance` holds the implicit
//! checks every exchange undergoes.

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
use crate::contract::step::{
    validate_steps, Expect, Request, StatusMatch, StatusPattern, Step, WRITE_METHODS,
};
use crate::exchange::request::Prepared;
use crate::locate::Pointer;
use crate::openapi::ApiDoc;
use crate::results::Failure;
use crate::rule_context::{Expecting, Probe, Recorded, RuleCx, Stop, Want};

/// Everything a kind does, before a run and in it: the spec loader and the engine ask the
/// kind, and never match on a particular one. Dispatched statically through `Kind`, never as a
/// trait object, so the futures need no `Send` bound.
#[allow(async_fn_in_trait)]
pub trait Check {
    /// Check the parameters against the spec: operations, schemas, roles, variables in scope.
    fn validate(&self, cx: &mut LintCx, at: &Pointer);

    /// Every request the rule may send: for `--read-only` and for operation coverage.
    fn requests(&self) -> Vec<&Request>;

    /// The operations the rule exercises: those its requests name, unless it reaches others.
    fn operations(&self) -> Vec<&str> {
        operations_of(&self.requests())
    }

    /// Whether the rule sends POST, PUT, PATCH or DELETE: `--read-only` skips it.
    fn writes(&self, api: &ApiDoc) -> bool {
        any_writes(&self.requests(), api)
    }

    /// Whether the rule judges every exchange of the run (`judge`), whatever rule sent it: the
    /// cross-cutting kinds. Its own requests only make sure there is something to judge.
    fn judges_every_exchange(&self) -> bool {
        false
    }

    /// One exchange of the run, judged by a cross-cutting rule; `None` when the rule does not
    /// apply to it (no answer, another operation or status).
    fn judge(&self, _api: &ApiDoc, _rec: &Recorded) -> Option<Vec<Failure>> {
        None
    }

    /// The limit the rule declares (a documented rate limit), for load runs to judge every
    /// answer it covers against; `None` for a rule that declares none.
    fn declared_limit(&self) -> Option<DeclaredLimit<'_>> {
        None
    }

    /// Send the rule's requests and record what fails in `cx`.
    async fn check(&self, cx: &mut RuleCx<'_>) -> Result<(), Stop>;
}

/// A documented rate limit: at most `limit` requests to `operations` in `window_seconds`, then
/// the throttling answer `answer`.
#[derive(Debug, Clone, Copy)]
pub struct DeclaredLimit<'a> {
    pub operations: &'a [String],
    pub limit: usize,
    pub window_seconds: u64,
    pub answer: &'a Expect,
}

/// The operations `requests` name.
pub(crate) fn operations_of<'a>(requests: &[&'a Request]) -> Vec<&'a str> {
    requests
        .iter()
        .filter_map(|r| r.operation.as_deref())
        .collect()
}

/// Whether any of `requests` uses POST, PUT, PATCH or DELETE, as written or as its operation
/// is documented.
pub(crate) fn any_writes(requests: &[&Request], api: &ApiDoc) -> bool {
    requests.iter().any(|r| {
        let op_method = r
            .operation
            .as_ref()
            .and_then(|o| api.operations.get(o))
            .map(|o| o.method.as_str());
        WRITE_METHODS.contains(&r.effective_method(op_method).as_str())
    })
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

        /// Each method asks the kind's own parameters.
        impl Check for Kind {
            fn validate(&self, cx: &mut LintCx, at: &Pointer) {
                match self { $(Kind::$variant(p) => p.validate(cx, at)),* }
            }

            fn requests(&self) -> Vec<&Request> {
                match self { $(Kind::$variant(p) => p.requests()),* }
            }

            fn operations(&self) -> Vec<&str> {
                match self { $(Kind::$variant(p) => p.operations()),* }
            }

            fn writes(&self, api: &ApiDoc) -> bool {
                match self { $(Kind::$variant(p) => p.writes(api)),* }
            }

            fn judges_every_exchange(&self) -> bool {
                match self { $(Kind::$variant(p) => p.judges_every_exchange()),* }
            }

            fn judge(&self, api: &ApiDoc, rec: &Recorded) -> Option<Vec<Failure>> {
                match self { $(Kind::$variant(p) => p.judge(api, rec)),* }
            }

            fn declared_limit(&self) -> Option<DeclaredLimit<'_>> {
                match self { $(Kind::$variant(p) => p.declared_limit()),* }
            }

            async fn check(&self, cx: &mut RuleCx<'_>) -> Result<(), Stop> {
                match self { $(Kind::$variant(p) => p.check(cx).await),* }
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
pub(crate) fn refused() -> Expect {
    Expect {
        status: Some(StatusMatch(vec![StatusPattern::Class(4)])),
        ..Default::default()
    }
}

/// Send the unmodified request and require a 2xx: without it, a refusal proves nothing.
pub(crate) async fn control(cx: &mut RuleCx<'_>, request: &Request) -> Result<Prepared, Stop> {
    let p = cx.prepare(request)?;
    let want = Want::Success("2xx for the request as documented (the control)");
    cx.send_expecting(&p, Expecting::new(Some("control"), want).probe(Probe::No))
        .await
        .held()?;
    Ok(p)
}
