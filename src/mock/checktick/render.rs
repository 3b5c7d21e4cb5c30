//! How the CheckTick mock writes its answers: DRF's error bodies (or a fault's), surveys,
//! metrics, datasets and templates as JSON, and timestamps.

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::data::{App, Dataset, Template, User, QUESTION_TEXTS, QUESTION_TYPES, SURVEY_TOPICS};
use super::faults::{Fault, Variant};
use crate::mock::common::{mix, pick};
use crate::mock::kit::{envelope, time, HasSwitches};

impl App {
    // -------------------------------------------------------------- responses

    /// A DRF error (`{"detail": ...}`), or the faulty envelope the fault asks for.
    pub fn error(&self, status: StatusCode, detail: &str) -> Response {
        let broken = match status.as_u16() {
            401 => self.is(Fault::Envelope401),
            403 => self.is(Fault::Envelope403),
            404 => self.is(Fault::Envelope404),
            405 => self.is(Fault::Envelope405),
            429 => self.is(Fault::Envelope429),
            _ => false,
        };
        let resp = if !broken && self.chose(Variant::ProblemDetails) {
            let body = json!({
                "type": "about:blank",
                "title": status.canonical_reason().unwrap_or("Error"),
                "status": status.as_u16(),
            });
            envelope::typed(status, "application/problem+json", body.to_string())
        } else if !broken {
            envelope::message(status, "detail", detail)
        } else {
            match status.as_u16() {
                401 => envelope::message(status, "error", detail),
                403 => envelope::message(status, "message", detail),
                404 => envelope::html_page(
                    status,
                    "Not Found",
                    "<h1>Not Found</h1><p>The requested resource was not found on this server.</p>",
                ),
                405 => status.into_response(),
                _ => envelope::typed(status, envelope::TEXT_UTF8, detail.to_string()),
            }
        };
        if status == StatusCode::UNAUTHORIZED {
            return envelope::with_challenge(resp, "Bearer realm=\"api\"");
        }
        resp
    }

    pub fn method_not_allowed(&self, method: &Method) -> Response {
        let resp = self.error(
            StatusCode::METHOD_NOT_ALLOWED,
            &format!("Method \"{method}\" not allowed."),
        );
        let allow = if self.is(Fault::AllowListsWrites) {
            "GET, POST, PUT, PATCH, DELETE"
        } else if self.chose(Variant::AlternativeForms) {
            "GET, HEAD, OPTIONS"
        } else {
            "GET"
        };
        envelope::with_allow(resp, allow)
    }

    pub fn throttled(&self, wait: Option<u64>) -> Response {
        let msg = match wait {
            Some(w) => format!("Request was throttled. Expected available in {w} seconds."),
            None => "Request was throttled.".to_string(),
        };
        let resp = self.error(StatusCode::TOO_MANY_REQUESTS, &msg);
        match wait {
            Some(w) => envelope::with_retry_after(resp, w),
            None => resp,
        }
    }

    pub fn survey_json(&self, id: u64, detail: bool) -> Value {
        let seed = self.seed;
        let (_, org) = self.survey_owner(id);
        let topic = pick(SURVEY_TOPICS, seed, id, 1);
        let year = 2023 + mix(seed ^ 2, id) % 3;
        let name = format!("{topic} {year} #{id}");
        let slug = format!(
            "{}-{year}-{id}",
            topic.to_ascii_lowercase().replace(' ', "-")
        );
        let created = 1_672_531_200 + (mix(seed ^ 3, id) % (700 * 86_400)) as i64;
        let updated = created + (mix(seed ^ 4, id) % (60 * 86_400)) as i64;
        let status = pick(&["draft", "published", "published", "closed"], seed, id, 5);
        let n_questions = 3 + mix(seed ^ 6, id) % 4;
        let mut s = Map::new();
        s.insert("id".into(), self.survey_id_json(id));
        s.insert("name".into(), json!(name));
        if self.chose(Variant::SparseFields) && !detail {
            // sparse-fields: a list carries only what identifies a survey.
            return Value::Object(s);
        }
        s.insert("slug".into(), json!(slug));
        s.insert("status".into(), json!(status));
        s.insert("language".into(), json!(pick(&["en", "cy"], seed, id, 8)));
        s.insert("organization".into(), json!(org));
        s.insert(
            "organization_name".into(),
            json!(org.and_then(|o| self.orgs.get(&o))),
        );
        s.insert("question_count".into(), json!(n_questions));
        s.insert(
            "created_at".into(),
            json!(self.timestamp(iso(created, mix(seed ^ 9, id)))),
        );
        s.insert(
            "updated_at".into(),
            json!(self.timestamp(iso(updated, mix(seed ^ 10, id)))),
        );
        if detail {
            s.insert(
                "description".into(),
                json!(format!(
                    "{topic} questionnaire ({status}), question metadata only."
                )),
            );
            let questions: Vec<Value> = (1..=n_questions)
                .map(|q| {
                    let qid = id * 100 + q;
                    let kind = pick(QUESTION_TYPES, seed, qid, 11);
                    let mut question = json!({
                        "id": qid,
                        "position": q,
                        "text": pick(QUESTION_TEXTS, seed, qid, 12),
                        "type": kind,
                        "required": mix(seed ^ 13, qid) % 2 == 0,
                    });
                    if matches!(kind, "likert" | "mc_single" | "mc_multi") {
                        question["choices"] =
                            json!(["Very poor", "Poor", "Fair", "Good", "Very good"]);
                    }
                    question
                })
                .collect();
            s.insert("questions".into(), Value::Array(questions));
        }
        if self.is(Fault::SurveyResponses) {
            s.insert(
                "responses".into(),
                json!([{ "id": id * 10 + 1, "submitted_at": iso(updated, 0), "answers": { "q1": "Good" } }]),
            );
        }
        Value::Object(s)
    }

    pub fn metrics_json(&self, id: u64) -> Value {
        let seed = self.seed;
        let total = mix(seed ^ 20, id) % 500;
        let completed = total * (mix(seed ^ 21, id) % 101) / 100;
        let mut by_month = Map::new();
        let mut left = total;
        for m in 1..=3u64 {
            let n = if m == 3 { left } else { left / 2 };
            left -= n;
            by_month.insert(format!("2025-{m:02}"), json!(n));
        }
        let mut out = if self.chose(Variant::SparseFields) {
            // Other names and groupings, still counts only.
            let first = total / 3;
            json!({
                "total": total,
                "by_status": { "complete": completed, "partial": total - completed },
                "weekly": [first, total - first],
            })
        } else {
            json!({
                "total": total,
                "completed": completed,
                "in_progress": total - completed,
                "by_month": by_month,
            })
        };
        if self.is(Fault::MetricsResponses) {
            out["responses"] = json!([
                { "id": id * 10 + 1, "status": "completed", "answers": { "q1": "Good" } }
            ]);
        }
        out
    }

    pub fn dataset_json(&self, d: &Dataset, detail: bool) -> Value {
        let mut out = json!({
            "key": d.key,
            "name": d.name,
            "description": d.description,
            "category": d.category,
            "is_global": d.org.is_none(),
            "organization": d.org,
            "organization_name": d.org.and_then(|o| self.orgs.get(&o)),
            "options": d.options,
            "version": d.version,
            "is_active": true,
            "created_at": self.timestamp(d.created_at.clone()),
            "updated_at": self.timestamp(d.updated_at.clone()),
        });
        if detail && self.chose(Variant::SparseFields) {
            // sparse-fields: the key is the URL's, and who may see a dataset the list's business.
            if let Some(o) = out.as_object_mut() {
                o.remove("key");
                o.remove("is_global");
                o.remove("organization_name");
            }
        }
        out
    }

    pub fn template_json(&self, t: &Template, caller: Option<&User>) -> Value {
        let publisher = self.users.get(&t.publisher);
        let can_delete = caller.is_some_and(|u| u.id == t.publisher || u.is_admin_of(t.org));
        let org_name = if self.is(Fault::OrganizationNameMissing) {
            None
        } else {
            t.org.and_then(|o| self.orgs.get(&o))
        };
        let sparse = self.chose(Variant::SparseFields);
        // sparse-fields: every fourth template's publisher has left (null).
        let publisher = publisher.filter(|_| !(sparse && t.id % 4 == 1));
        let (description, attribution) = if sparse {
            (
                json!(t.description.as_deref().unwrap_or("")),
                if t.attribution.is_null() {
                    json!({})
                } else {
                    t.attribution.clone()
                },
            )
        } else {
            (json!(t.description), t.attribution.clone())
        };
        let mut out = json!({
            "id": self.template_id_json(t.id),
            "name": t.name,
            "description": description,
            "markdown": t.markdown,
            "publication_level": t.level(),
            "publisher_username": publisher.map(|p| p.username.as_str()),
            "organization_name": org_name,
            "attribution": attribution,
            "tags": t.tags,
            "language": t.language,
            "import_count": t.import_count,
            "can_delete": can_delete,
            "created_at": self.timestamp(t.created_at.clone()),
            "updated_at": self.timestamp(t.updated_at.clone()),
        });
        if let Some(o) = out.as_object_mut() {
            if self.is(Fault::TemplateFieldsMissing) {
                o.remove("markdown");
                o.remove("can_delete");
            }
            // sparse-fields: `organization_name` is "for org-level templates" only.
            if sparse && t.org.is_none() {
                o.remove("organization_name");
            }
        }
        out
    }
}

/// A UNIX time as DRF writes it: `2024-03-05T10:11:12.123456Z` (fixed width, so string order
/// is time order); `salt` picks the microseconds.
pub fn iso(secs: i64, salt: u64) -> String {
    let micros = secs.saturating_mul(1_000_000);
    time::micros_z(micros.saturating_add((salt % 1_000_000) as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_fixed_width_utc() {
        assert_eq!(iso(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(iso(1_709_633_472, 123_456), "2024-03-05T10:11:12.123456Z");
        assert_eq!(iso(951_782_400, 7), "2000-02-29T00:00:00.000007Z");
    }
}
