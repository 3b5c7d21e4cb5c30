//! How the OptaCheck mock writes its answers: tasks, refusals (Django REST Framework's, or the
//! `other-refusals` variant's), and timestamps.

use axum::body::Body;
use axum::extract::rejection::BytesRejection;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::data::{App, Task};
use super::faults::Variant;
use super::handlers::Errors;
use crate::mock::common::MAX_BODY_BYTES;
use crate::mock::kit::{envelope, time, HasSwitches};

impl App {
    /// Task `n` as the API answers it; `fresh` in the answer of the create that made it.
    pub fn task_json(&self, n: u64, t: &Task, fresh: bool) -> Value {
        let absent = self.chose(Variant::OptionalFieldsAbsent);
        let null = self.chose(Variant::OptionalFieldsNull);
        let mut out = Map::new();
        out.insert("id".into(), self.task_id(n));
        out.insert("status".into(), json!(t.status));
        out.insert("title".into(), json!(t.title));
        // Optional fields: written as set, else absent, null or empty as the variant chooses.
        let data = t.data.clone().filter(|d| !d.is_empty());
        let optional = [
            (
                "description",
                t.description.clone().map(Value::String),
                Value::Null,
            ),
            (
                "forms",
                (!t.forms.is_empty()).then(|| Value::Array(t.forms.clone())),
                json!([]),
            ),
            ("project", t.project.clone(), Value::Null),
            ("client", t.client.clone(), Value::Null),
            ("data", data.map(Value::Object), json!({})),
        ];
        for (name, value, unset) in optional {
            match value {
                Some(v) => {
                    out.insert(name.into(), v);
                }
                None if absent => {}
                None if null => {
                    out.insert(name.into(), Value::Null);
                }
                None => {
                    out.insert(name.into(), unset);
                }
            }
        }
        out.insert("user".into(), self.user_id(t.user));
        out.insert("by_user".into(), self.user_id(t.by_user));
        out.insert(
            "date_edited".into(),
            json!(self.stamp(t.date_edited, fresh)),
        );
        out.insert(
            "date_created".into(),
            json!(self.stamp(t.date_created, fresh)),
        );
        let history: Vec<Value> = t
            .history
            .iter()
            .map(|(s, at)| {
                json!({
                    "status": s,
                    "date_status": self.stamp(*at, fresh),
                    "status_name": self.status_label(s),
                })
            })
            .collect();
        out.insert("status_history".into(), Value::Array(history));
        Value::Object(out)
    }

    /// How a refusal is answered: the document names no refusal status and shows no error
    /// body, so this is where the mock (Django REST Framework's defaults) and the
    /// `other-refusals` variant part ways.
    pub fn refuse(&self, r: Refusal) -> Response {
        if self.chose(Variant::OtherRefusals) {
            return other_refusal(r);
        }
        match r {
            Refusal::NotAuthenticated(why) => {
                envelope::with_challenge(detail(StatusCode::UNAUTHORIZED, why), "Token")
            }
            Refusal::BadApiKey(why) => detail(StatusCode::FORBIDDEN, why),
            Refusal::OtherWorkspace => detail(
                StatusCode::FORBIDDEN,
                "You do not have permission to access this workspace.",
            ),
            Refusal::NotFound => detail(StatusCode::NOT_FOUND, "Not found."),
            Refusal::Gone => detail(StatusCode::GONE, "This task was deleted."),
            Refusal::Invalid(errors) => envelope::json(StatusCode::BAD_REQUEST, &json!(errors)),
            Refusal::BadJson(why) => detail(StatusCode::BAD_REQUEST, why),
            Refusal::UnsupportedMedia(ct) => detail(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                match ct {
                    Some(ct) => format!("Unsupported media type \"{ct}\" in request."),
                    None => {
                        "Unsupported media type: send the body as Content-Type: application/json."
                            .into()
                    }
                },
            ),
            Refusal::TooLarge => detail(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("Request body is larger than {MAX_BODY_BYTES} bytes."),
            ),
            Refusal::Unreadable => detail(
                StatusCode::BAD_REQUEST,
                "The request body could not be read.",
            ),
            Refusal::BadLogin => envelope::json(
                StatusCode::BAD_REQUEST,
                &json!({"non_field_errors": ["Unable to log in with provided credentials."]}),
            ),
            Refusal::MethodNotAllowed(method) => detail(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("Method \"{method}\" not allowed."),
            ),
        }
    }
}

/// Why a request is refused.
pub enum Refusal {
    /// No token, or not a valid one.
    NotAuthenticated(&'static str),
    /// No Workspace API Key, or not this workspace's.
    BadApiKey(&'static str),
    /// The URL names another workspace.
    OtherWorkspace,
    NotFound,
    /// A task that was deleted (where the variant tells it from one that never was).
    Gone,
    /// Invalid fields: field → messages.
    Invalid(Errors),
    /// A body that is not the JSON it is declared to be.
    BadJson(String),
    /// A body not declared as JSON: the Content-Type it was declared as, if any.
    UnsupportedMedia(Option<String>),
    TooLarge,
    Unreadable,
    /// Wrong login credentials.
    BadLogin,
    /// (axum adds `Allow`.)
    MethodNotAllowed(Method),
}

/// The `other-refusals` variant: refusals as a service not built on Django REST Framework
/// might answer them, with other statuses and bodies, some of them not JSON.
pub fn other_refusal(r: Refusal) -> Response {
    let error = |status: StatusCode, code: &str, message: &str| {
        envelope::json(
            status,
            &json!({"error": {"code": code, "message": message}}),
        )
    };
    let bare = |status: StatusCode| (status, Body::empty()).into_response();
    let html_not_found = || {
        envelope::typed(
            StatusCode::NOT_FOUND,
            envelope::HTML_UTF8,
            "<html><body><h1>Not Found</h1></body></html>".to_string(),
        )
    };
    match r {
        Refusal::NotAuthenticated(why) => error(StatusCode::FORBIDDEN, "not_authenticated", why),
        Refusal::BadApiKey(_) => envelope::with_challenge(
            envelope::typed(
                StatusCode::UNAUTHORIZED,
                envelope::TEXT_UTF8,
                "Unauthorized".to_string(),
            ),
            "ApiKey header=\"x-api-key\"",
        ),
        Refusal::OtherWorkspace | Refusal::NotFound => html_not_found(),
        Refusal::Gone => bare(StatusCode::GONE),
        Refusal::Invalid(errors) => {
            let list: Vec<Value> = errors
                .iter()
                .flat_map(|(field, msgs)| {
                    msgs.iter()
                        .map(move |m| json!({"field": field, "message": m}))
                })
                .collect();
            envelope::json(StatusCode::UNPROCESSABLE_ENTITY, &json!({ "errors": list }))
        }
        Refusal::BadJson(why) => error(StatusCode::BAD_REQUEST, "invalid_json", &why),
        Refusal::UnsupportedMedia(_) => bare(StatusCode::UNSUPPORTED_MEDIA_TYPE),
        Refusal::TooLarge => bare(StatusCode::PAYLOAD_TOO_LARGE),
        Refusal::Unreadable => bare(StatusCode::BAD_REQUEST),
        Refusal::BadLogin => error(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "The email or password is wrong.",
        ),
        Refusal::MethodNotAllowed(_) => bare(StatusCode::METHOD_NOT_ALLOWED),
    }
}

/// How a timestamp is written.
#[derive(Clone, Copy)]
pub enum Stamp {
    /// RFC 3339, UTC `Z`, microseconds: the document's examples.
    MicrosZ,
    /// RFC 3339 with a `+00:00` offset and milliseconds.
    MillisOffset,
    /// RFC 3339 with a `+00:00` offset, whole seconds.
    SecondsOffset,
    /// Python's naive `str(datetime)` (the fault `tasks.timestamps-not-rfc3339`).
    Naive,
}

// ------------------------------------------------------------------------------------ answers

pub fn detail(status: StatusCode, detail: impl AsRef<str>) -> Response {
    envelope::message(status, "detail", detail.as_ref())
}

pub fn unsupported_media_type(headers: &HeaderMap) -> Refusal {
    Refusal::UnsupportedMedia(
        headers
            .get(header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
    )
}

pub fn body_rejection(e: BytesRejection) -> Refusal {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Refusal::TooLarge
    } else {
        Refusal::Unreadable
    }
}

/// The display name of a status: `in_progress` → `In progress`.
pub fn status_name(status: &str) -> String {
    let words = status.replace(['_', '-'], " ").to_lowercase();
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Microseconds since the epoch, written in `style`.
pub fn format_timestamp(micros: i64, style: Stamp) -> String {
    let format = match style {
        Stamp::MicrosZ => time::MICROS_Z,
        Stamp::MillisOffset => time::MILLIS_OFFSET,
        Stamp::SecondsOffset => time::SECONDS_OFFSET,
        Stamp::Naive => time::NAIVE_MICROS,
    };
    time::format_utc(time::utc_from_micros(micros), format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_written_in_each_style() {
        let at = 1_750_378_879_126_137;
        assert_eq!(
            format_timestamp(at, Stamp::MicrosZ),
            "2025-06-20T00:21:19.126137Z"
        );
        assert_eq!(
            format_timestamp(0, Stamp::MicrosZ),
            "1970-01-01T00:00:00.000000Z"
        );
        assert_eq!(
            format_timestamp(951_782_400_000_001, Stamp::MicrosZ),
            "2000-02-29T00:00:00.000001Z"
        );
        assert_eq!(
            format_timestamp(at, Stamp::MillisOffset),
            "2025-06-20T00:21:19.126+00:00"
        );
        assert_eq!(
            format_timestamp(at, Stamp::SecondsOffset),
            "2025-06-20T00:21:19+00:00"
        );
        assert_eq!(
            format_timestamp(at, Stamp::Naive),
            "2025-06-20 00:21:19.126137"
        );
    }

    #[test]
    fn status_names() {
        assert_eq!(status_name("assigned"), "Assigned");
        assert_eq!(status_name("in_progress"), "In progress");
        assert_eq!(status_name("active"), "Active");
    }
}
