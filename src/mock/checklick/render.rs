//! How Checklick writes: times in the organization's zone, JSON:API error documents,
//! resources, and list documents with their pagination links.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use crate::mock::kit::pages::page_count;
use crate::mock::kit::{envelope, pages, time, HasSwitches};

use super::data::{App, Res, UserRec, USER_WRITABLE};
use super::faults::{Fault, Variant};
use super::query::Page;
use super::router::ReqInfo;
use super::{DAY_MS, MEDIA_TYPE};

// ------------------------------------------------------------------------------------ time

/// The created-at of an assessment or credential: as the examples write it, or UNIX seconds
/// under `TimestampsUnix`.
pub(super) fn record_time(app: &App, ms: i64) -> Value {
    if app.is(Fault::TimestampsUnix) {
        json!(ms.div_euclid(1000))
    } else {
        json!(fmt_time(ms))
    }
}

/// The organization's time zone, US/Canada Eastern (the document's examples are -04:00 in June
/// and -05:00 in December): its offset from UTC in minutes at `ms`. Daylight time runs from
/// 2 a.m. local on the second Sunday of March to 2 a.m. local on the first Sunday of November.
pub(super) fn eastern_offset_minutes(ms: i64) -> i32 {
    let (y, _, _) = time::civil_from_days(ms.div_euclid(DAY_MS));
    // Both Sundays exist in every year chrono holds; an instant beyond it stays in winter time.
    let at = |month, n, utc_hour: i64| {
        time::nth_sunday(y, month, n).map(|day| (day * 86_400 + utc_hour * 3600) * 1000)
    };
    match (at(3, 2, 7), at(11, 1, 6)) {
        (Some(start), Some(end)) if (start..end).contains(&ms) => -240,
        _ => -300,
    }
}

/// `2025-12-10T04:34:02.227-05:00`, as the document writes created-at.
pub(super) fn fmt_time(ms: i64) -> String {
    time::format_at_offset(
        time::utc_from_millis(ms),
        eastern_offset_minutes(ms),
        time::MILLIS_OFFSET,
    )
}

// ------------------------------------------------------------------------------------ errors

/// One JSON:API error object.
#[derive(Debug, Clone)]
pub(super) struct ErrorObject {
    pub(super) code: &'static str,
    pub(super) title: &'static str,
    pub(super) detail: String,
    /// `source.pointer` (a body member) or `source.parameter` (a query parameter).
    pub(super) source: Option<(&'static str, String)>,
}

/// A refusal: a status and its error objects, rendered as a JSON:API error document.
#[derive(Debug, Clone)]
pub(super) struct ApiError {
    pub(super) status: StatusCode,
    pub(super) errors: Vec<ErrorObject>,
    pub(super) headers: Vec<(header::HeaderName, HeaderValue)>,
}

impl ApiError {
    pub(super) fn new(
        status: StatusCode,
        code: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            errors: vec![ErrorObject {
                code,
                title,
                detail: detail.into(),
                source: None,
            }],
            headers: Vec::new(),
        }
    }

    pub(super) fn parameter(mut self, name: &str) -> Self {
        if let Some(e) = self.errors.first_mut() {
            e.source = Some(("parameter", name.to_string()));
        }
        self
    }

    pub(super) fn pointer(mut self, pointer: &str) -> Self {
        if let Some(e) = self.errors.first_mut() {
            e.source = Some(("pointer", pointer.to_string()));
        }
        self
    }

    pub(super) fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Bad Request",
            detail,
        )
    }

    pub(super) fn not_found(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Record not found",
            detail,
        )
    }

    pub(super) fn invalid(field: &str, detail: impl Into<String>) -> ErrorObject {
        let detail = detail.into();
        ErrorObject {
            code: "invalid",
            title: "Invalid attribute",
            detail: format!("{field} - {detail}"),
            source: Some(("pointer", format!("/data/attributes/{field}"))),
        }
    }

    pub(super) fn unprocessable(errors: Vec<ErrorObject>) -> Self {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            headers: Vec::new(),
        }
    }

    pub(super) fn document(&self) -> Value {
        let errors: Vec<Value> = self
            .errors
            .iter()
            .map(|e| {
                let mut o = json!({
                    "status": self.status.as_u16().to_string(),
                    "code": e.code,
                    "title": e.title,
                    "detail": e.detail,
                });
                if let Some((kind, at)) = &e.source {
                    o["source"] = json!({ *kind: at });
                }
                o
            })
            .collect();
        json!({ "errors": errors, "jsonapi": { "version": "1.0" } })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = document(self.status, &self.document());
        for (k, v) in self.headers {
            r.headers_mut().insert(k, v);
        }
        r
    }
}

/// A JSON:API document; `finish` adjusts the media type under the media-type faults.
pub(super) fn document(status: StatusCode, body: &Value) -> Response {
    envelope::typed(status, MEDIA_TYPE, body.to_string())
}

pub(super) type Answer = Result<Response, ApiError>;

impl ApiError {
    pub(super) fn with_code(mut self, code: &'static str) -> Self {
        if let Some(e) = self.errors.first_mut() {
            e.code = code;
        }
        self
    }
}

// ------------------------------------------------------------------------------------ rendering

/// A resource id as the mock writes it: JSON:API's string, or a number under `IntegerIds`.
pub(super) fn render_id(app: &App, id: u64) -> Value {
    if app.chose(Variant::IntegerIds) {
        json!(id)
    } else {
        json!(id.to_string())
    }
}

/// Attributes as the variant writes them: foreign keys as strings (`StringForeignKeys`), null
/// values left out (`OmitNulls`).
pub(super) fn render_attrs(app: &App, attrs: &Map<String, Value>) -> Map<String, Value> {
    let mut a = attrs.clone();
    if app.chose(Variant::StringForeignKeys) {
        for (k, v) in a.iter_mut() {
            if k.ends_with("-id") && v.is_number() {
                *v = Value::String(v.to_string());
            }
        }
    }
    if app.chose(Variant::OmitNulls) {
        a.retain(|_, v| !v.is_null());
    }
    a
}

pub(super) fn render_res(app: &App, info: &ReqInfo, r: &Res, kind: Option<&str>) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), render_id(app, r.id));
    if let Some(k) = kind {
        o.insert("type".into(), json!(k));
    }
    o.insert(
        "attributes".into(),
        Value::Object(render_attrs(app, &r.attrs)),
    );
    o.insert(
        "links".into(),
        json!({ "self": format!("{}{}", info.base, r.path) }),
    );
    Value::Object(o)
}

/// The document of one resource: its object and its `self` link.
pub(super) fn resource_document(
    app: &App,
    info: &ReqInfo,
    r: &Res,
    kind: Option<&str>,
) -> Response {
    document(
        StatusCode::OK,
        &json!({
            "data": render_res(app, info, r, kind),
            "links": { "self": format!("{}{}", info.base, r.path) },
        }),
    )
}

/// A resource type as written: `right`, or `wrong` under the fault that misnames it.
pub(super) fn type_unless(
    app: &App,
    misnamed: Fault,
    right: &'static str,
    wrong: &'static str,
) -> &'static str {
    if app.is(misnamed) {
        wrong
    } else {
        right
    }
}

pub(super) fn render_user(app: &App, info: &ReqInfo, id: u64, u: &UserRec) -> Value {
    let mut a = Map::new();
    a.insert("username".into(), json!(u.username));
    for key in USER_WRITABLE.iter().skip(1) {
        a.insert((*key).into(), json!(u.field(key)));
    }
    a.insert("created-at".into(), json!(fmt_time(u.created_ms)));
    if !app.is(Fault::UsersWithoutUpdatedAt) {
        a.insert("updated-at".into(), json!(fmt_time(u.updated_ms)));
    }
    json!({
        "id": render_id(app, id),
        "type": app.user_type(),
        "attributes": render_attrs(app, &a),
        "links": { "self": format!("{}/users/{id}", info.base) },
    })
}

/// The pagination links of a list: `self`, `first`, `prev`, `next`, `last`.
pub(super) fn links(app: &App, info: &ReqInfo, total: usize, page: Page) -> Value {
    let zero_based = app.is(Fault::PageNumberZeroBased);
    let url = |n: usize| {
        let shown = if zero_based { n - 1 } else { n };
        let href = pages::page_url(
            &info.base,
            &info.path,
            &info.query,
            &["page[size]", "page[number]"],
            &[
                ("page[number]", shown.to_string()),
                ("page[size]", page.size.to_string()),
            ],
        );
        if app.chose(Variant::LinkObjects) {
            json!({ "href": href })
        } else {
            Value::String(href)
        }
    };
    let step = if app.is(Fault::NextSkipsAPage) { 2 } else { 1 };
    let to = pages::PageLinks::new(page.number, page_count(total, page.size), step);
    let mut l = Map::new();
    l.insert("self".into(), url(to.current));
    l.insert("first".into(), url(to.first));
    l.insert("prev".into(), to.prev.map_or(Value::Null, url));
    l.insert("next".into(), to.next.map_or(Value::Null, url));
    if !app.is(Fault::LinksWithoutLast) {
        l.insert("last".into(), url(to.last));
    }
    if app.chose(Variant::OmitNulls) {
        l.retain(|_, v| !v.is_null());
    }
    Value::Object(l)
}

pub(super) fn list_document(
    app: &App,
    info: &ReqInfo,
    data: Vec<Value>,
    total: usize,
    page: Page,
) -> Response {
    let mut doc = json!({
        "data": data,
        "links": links(app, info, total, page),
        "meta": { "record-count": total, "page-count": page_count(total, page.size) },
        "jsonapi": { "version": "1.0" },
    });
    if app.chose(Variant::OmitNulls) {
        if let Some(o) = doc.as_object_mut() {
            o.remove("meta");
            o.remove("jsonapi");
        }
    }
    document(StatusCode::OK, &doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_eastern_time() {
        let day = |y, m, d| time::days_from_civil(y, m, d).unwrap_or_default();
        assert_eq!(day(2020, 1, 1) * DAY_MS, 1_577_836_800_000);
        // The document's examples: December is -05:00, June is -04:00.
        let dec = (day(2025, 12, 10) * 86_400 + 9 * 3600 + 34 * 60 + 2) * 1000 + 227;
        assert_eq!(fmt_time(dec), "2025-12-10T04:34:02.227-05:00");
        let jun = (day(2015, 6, 30) * 86_400 + 9 * 3600 + 37 * 60 + 2) * 1000 + 894;
        assert_eq!(fmt_time(jun), "2015-06-30T05:37:02.894-04:00");
        // 2025: daylight time from March 9, 07:00 UTC, to November 2, 06:00 UTC.
        let at = |d: i64, h: i64| (d * 86_400 + h * 3600) * 1000;
        assert_eq!(eastern_offset_minutes(at(day(2025, 3, 9), 7) - 1), -300);
        assert_eq!(eastern_offset_minutes(at(day(2025, 3, 9), 7)), -240);
        assert_eq!(eastern_offset_minutes(at(day(2025, 11, 2), 6) - 1), -240);
        assert_eq!(eastern_offset_minutes(at(day(2025, 11, 2), 6)), -300);
        assert!(fmt_time(i64::MAX).ends_with("-05:00"));
        assert!(fmt_time(i64::MIN).ends_with("-05:00"));
    }
}
