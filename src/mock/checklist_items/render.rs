//! How the Checklists mock writes its answers: envelopes, validation errors, items, comments
//! and dates.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::data::{App, Comment, Item};
use super::faults::{Fault, Variant};
use super::INVALID;
use crate::mock::kit::{envelope, ids, time, HasSwitches};

// ---------------------------------------------------------------------------------- answers

pub fn ok(data: Value, message: &str) -> Response {
    envelope::json(StatusCode::OK, &json!({ "data": data, "message": message }))
}

/// The answer of the `errors.*-unknown-400` faults.
pub fn bad_unknown() -> Response {
    envelope::message(StatusCode::BAD_REQUEST, "message", "Invalid checklist id.")
}

/// The checklist 404, or the fault's 400.
pub fn unknown_item(app: &App, fault: Fault) -> Response {
    if app.is(fault) {
        bad_unknown()
    } else {
        app.not_found("Checklist")
    }
}

/// Validation errors, by field.
#[derive(Default)]
pub struct Errors(pub BTreeMap<String, Vec<String>>);

impl Errors {
    pub fn add(&mut self, field: &str, message: String) {
        self.0.entry(field.to_string()).or_default().push(message);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn respond(self, app: &App) -> Response {
        // Laravel 9 and later summarise the first error instead of "The given data was invalid.".
        let message = if app.chose(Variant::Laravel10Errors) {
            let mut all = self.0.values().flatten();
            let first = all.next().cloned().unwrap_or_else(|| INVALID.to_string());
            match all.count() {
                0 => first,
                1 => format!("{first} (and 1 more error)"),
                n => format!("{first} (and {n} more errors)"),
            }
        } else {
            INVALID.to_string()
        };
        envelope::json(
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!({ "message": message, "errors": self.0 }),
        )
    }
}

/// A time as Laravel writes it, `2026-06-17T09:30:00.000000Z`; `lowercase` (a fault's): with
/// `t` and `z`.
pub fn format_micros(micros: i64, lowercase: bool) -> String {
    let written = time::micros_z(micros);
    if lowercase {
        written.to_ascii_lowercase()
    } else {
        written
    }
}

/// The prefix of a comment's UUID in the variant `string-comment-ids`: the rest is its number.
pub const COMMENT_UUID_PREFIX: &str = "00000000-0000-4000-8000-";

impl App {
    pub fn date(&self, micros: i64) -> String {
        let written = format_micros(micros, self.is(Fault::DatesLowercase));
        if self.chose(Variant::SqlDates) {
            // "2026-06-17T09:30:00.000000Z" -> "2026-06-17 09:30:00"
            written[..19].replacen('T', " ", 1)
        } else {
            written
        }
    }

    pub fn item_json(&self, item: &Item) -> Value {
        let kind = if self.is(Fault::ResourceTypeAlwaysTask) {
            "task"
        } else {
            item.parent.0.as_str()
        };
        let parent_id = if self.chose(Variant::UntypedAsStrings) {
            json!(item.parent.1.to_string())
        } else {
            json!(item.parent.1)
        };
        json!({
            "id": item.id,
            "text": item.text,
            "status": item.status_str(),
            "position": item.position,
            "resource": { "type": kind, "id": parent_id },
            "comments_count": if self.is(Fault::CommentsCountStale) { 0 } else { item.comments.len() },
            "dates": {
                "created": self.date(item.created),
                "updated": self.date(item.updated),
            },
        })
    }

    /// An item as a list shows it: whole, or (variant `abbreviated-list-items`) as the list
    /// example shows it.
    pub fn list_item_json(&self, item: &Item) -> Value {
        if self.chose(Variant::AbbreviatedListItems) {
            json!({ "id": item.id, "text": item.text, "status": item.status_str() })
        } else {
            self.item_json(item)
        }
    }

    pub fn comment_id_json(&self, id: u64) -> Value {
        if self.chose(Variant::StringCommentIds) {
            json!(ids::format_prefixed_hex(COMMENT_UUID_PREFIX, id, 12))
        } else {
            json!(id)
        }
    }

    /// A comment id from a path, as this mock writes them.
    pub fn parse_comment_id(&self, raw: &str) -> Option<u64> {
        if self.chose(Variant::StringCommentIds) {
            ids::parse_prefixed_hex(raw, COMMENT_UUID_PREFIX, 12)
        } else {
            ids::parse_digits(raw)
        }
    }

    pub fn comment_json(&self, c: &Comment) -> Value {
        let creator = if self.chose(Variant::StringCommentIds) {
            json!(format!("usr-{}", c.creator.0))
        } else if self.chose(Variant::UntypedAsStrings) {
            json!(c.creator.0.to_string())
        } else {
            json!(c.creator.0)
        };
        json!({
            "id": self.comment_id_json(c.id),
            "text": c.text,
            "creator": { "id": creator, "name": c.creator.1 },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc3339_utc_with_microseconds() {
        assert_eq!(
            format_micros(1_781_688_600_000_000, false),
            "2026-06-17T09:30:00.000000Z"
        );
        assert_eq!(format_micros(0, false), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            format_micros(951_782_400_000_001, true),
            "2000-02-29t00:00:00.000001z"
        );
    }
}
