//! The implicit checks every exchange of a run undergoes, whatever rule sent it (as
//! Schemathesis's status_code_conformance, response_schema_conformance and
//! not_a_server_error): the engine runs them as rules of their own after the contract's.

use serde::Serialize;

use crate::basis::Basis;
use crate::expect::validate_body;
use crate::openapi::{is_json_media, ApiDoc};
use crate::results::Failure;
use crate::rule_context::{Probe, Recorded};

/// The implicit checks of one exchange: a documented status, a body that matches the
/// documented schema, and no server error (as Schemathesis's status_code_conformance,
/// response_schema_conformance and not_a_server_error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Conformance {
    NotAServerError,
    StatusCodeConformance,
    ResponseSchemaConformance,
}

impl Conformance {
    pub const ALL: [Conformance; 3] = [
        Conformance::NotAServerError,
        Conformance::StatusCodeConformance,
        Conformance::ResponseSchemaConformance,
    ];

    pub fn id(self, api: &str) -> String {
        let name = match self {
            Conformance::NotAServerError => "not-a-server-error",
            Conformance::StatusCodeConformance => "status-code-conformance",
            Conformance::ResponseSchemaConformance => "response-schema-conformance",
        };
        format!("{api}.conformance.{name}")
    }

    pub fn title(self) -> &'static str {
        match self {
            Conformance::NotAServerError => "no answer is a server error (5xx)",
            Conformance::StatusCodeConformance => "every status is one the operation documents",
            Conformance::ResponseSchemaConformance => "every body matches its documented schema",
        }
    }

    /// What this check finds wrong with one exchange; `None` when the exchange is not one it
    /// can judge (no answer, a probe, an operation or status it has nothing to compare with).
    pub fn judge(self, api: &ApiDoc, rec: &Recorded) -> Option<Vec<Failure>> {
        let Ok(resp) = &rec.exchange.outcome else {
            return None;
        };
        if self == Conformance::NotAServerError {
            // Every operation's document states its answers, and none of them is a 5xx.
            return Some(if resp.status >= 500 {
                vec![Failure::new("status", "not a 5xx", resp.status.to_string())
                    .on_basis(Some(Basis::Stated), None)]
            } else {
                vec![]
            });
        }
        if rec.probe != Probe::No {
            return None;
        }
        let op = rec
            .exchange
            .request
            .operation
            .as_ref()
            .and_then(|o| api.operations.get(o))?;
        let Some(key) = op.response_key(resp.status) else {
            return if self == Conformance::StatusCodeConformance {
                // A success the document does not name contradicts the one it states; a
                // refusal it does not describe may come from any case it leaves open.
                let basis = if resp.status < 400 {
                    Basis::Stated
                } else {
                    Basis::Convention
                };
                Some(vec![Failure::new(
                    format!("status of {}", op.id),
                    format!("a documented status ({})", op.statuses.join(", ")),
                    resp.status.to_string(),
                )
                .on_basis(
                    Some(basis),
                    Some(
                        "the document names the refusals it describes; a request it does not \
                         describe may be refused with another status",
                    ),
                )])
            } else {
                None
            };
        };
        if self == Conformance::StatusCodeConformance {
            return Some(vec![]);
        }
        let media = resp.media_type().filter(|m| is_json_media(m))?;
        let validator = api
            .response_validator(&op.id, key, Some(&media))
            .or_else(|| api.response_validator(&op.id, key, None))?;
        let (basis, note) = api.response_basis(&op.id, key);
        Some(
            validate_body(validator, resp, &format!("body of {} {}", op.id, key))
                .into_iter()
                .map(|f| f.on_basis(Some(basis), note))
                .collect(),
        )
    }

    /// Why this check judged nothing, for a run whose `recorded` exchanges it could not judge.
    pub fn nothing_judged(self, recorded: usize) -> String {
        let what = match self {
            Conformance::NotAServerError => "an HTTP answer",
            Conformance::StatusCodeConformance => {
                "an answer to a documented operation, sent as documented"
            }
            Conformance::ResponseSchemaConformance => {
                "a JSON answer with a documented schema for its status"
            }
        };
        format!("no exchange to judge: none of the {recorded} exchange(s) of the run was {what}")
    }
}
