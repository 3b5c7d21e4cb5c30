//! The catalogue of check kinds: one module per kind (as jsonschema-rs has one per keyword).
//! Each module defines the kind's parameters and their validation; the runner's checking logic
//! lives beside them.

use crate::locate::Pointer;
use crate::spec::context::LintCx;
use crate::spec::step::{validate_steps, Request, Step};

/// What every kind's parameters can do before a run.
pub trait KindParams {
    /// Check the parameters against the spec: operations, schemas, roles, variables in scope.
    fn validate(&self, cx: &mut LintCx, at: &Pointer);
    /// Every request the rule may send: for `--read-only` and for operation coverage.
    fn requests(&self) -> Vec<&Request>;
}

macro_rules! kinds {
    ($($name:literal => $variant:ident($module:ident)),* $(,)?) => {
        $(pub mod $module;)*

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
