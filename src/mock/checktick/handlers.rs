//! The CheckTick mock's pipeline, in DRF's order (authentication, permissions, throttles,
//! method), and its endpoints' reads.

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::data::{
    collation_key, App, Dataset, KeyState, OrgRole, Template, Tier, User, ENTERPRISE, MEMBER_A,
    ORG_A, ORG_ADMIN, ORG_B, ORG_D, ORG_VIEWER, OUTSIDER, OWNER, STRANGER, TEAM,
};
use super::faults::{Fault, Variant};
use super::router::{Ep, Public};
use super::{ANON_RATE, TOKEN_RATE, USER_RATE};
use crate::mock::kit::{envelope, HasSwitches};

impl App {
    // -------------------------------------------------------------- authentication

    /// DRF's authentication: no `Authorization` (or another scheme) is anonymous; a Bearer
    /// key is the key's user, or 401 (the error is its detail).
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<Option<&User>, &'static str> {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return Ok(None);
        };
        let invalid = Err;
        let Ok(text) = value.to_str() else {
            return invalid(
                "Invalid token header. Token string should not contain invalid characters.",
            );
        };
        let mut parts = text.split_whitespace();
        let alternatives = self.chose(Variant::AlternativeForms);
        let key = match parts.next() {
            Some(s) if s.eq_ignore_ascii_case("bearer") => parts.next(),
            // alternative-forms: `Token <key>`, and the raw key alone.
            Some(s) if alternatives && s.eq_ignore_ascii_case("token") => parts.next(),
            Some(s) if alternatives && s.starts_with("ct_live_") => Some(s),
            _ => return Ok(None),
        };
        let Some(key) = key else {
            return invalid("Invalid token header. No credentials provided.");
        };
        if parts.next().is_some() {
            return invalid("Invalid token header. Token string should not contain spaces.");
        }
        let Some(&(uid, state)) = self.keys.get(key) else {
            if self.is(Fault::InvalidKeyAccepted) {
                return Ok(self.users.get(&STRANGER));
            }
            if self.is(Fault::InvalidKeyAsAnonymous) {
                return Ok(None);
            }
            return invalid("Invalid API key.");
        };
        let refused = match state {
            KeyState::Live => None,
            KeyState::Revoked if !self.is(Fault::RevokedKeyAccepted) => {
                Some("This API key has been revoked.")
            }
            KeyState::Expired if !self.is(Fault::ExpiredKeyAccepted) => {
                Some("This API key has expired.")
            }
            KeyState::PasswordChanged if !self.is(Fault::PasswordChangeKeepsKeys) => {
                Some("This API key was revoked by a password change.")
            }
            _ => None,
        };
        match refused {
            Some(msg) => invalid(msg),
            None => Ok(self.users.get(&uid)),
        }
    }

    /// Tier permission: FREE accounts have no API access (and the tier faults).
    pub fn tier_refusal(&self, user: &User) -> Option<Response> {
        let refused = match user.tier {
            Tier::Free => !self.is(Fault::FreeKeyAccepted),
            Tier::Pro => self.is(Fault::ProRefused),
            Tier::Organisation => self.is(Fault::OrganisationRefused),
            Tier::Team => self.is(Fault::TeamRefused),
            Tier::Enterprise => self.is(Fault::EnterpriseRefused),
        };
        refused.then(|| {
            let msg = if user.tier == Tier::Free {
                "API access is not available on the FREE tier."
            } else {
                "Your account tier does not have API access."
            };
            self.error(StatusCode::FORBIDDEN, msg)
        })
    }

    // -------------------------------------------------------------- throttles

    pub fn ident(headers: &HeaderMap) -> String {
        match headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
            Some(xff) if !xff.trim().is_empty() => xff.split_whitespace().collect(),
            _ => "loopback".to_string(),
        }
    }

    // -------------------------------------------------------------- the API pipeline

    /// Authentication, permissions, throttles, method, then the endpoint: DRF's order.
    pub fn handle(
        &self,
        ep: Ep,
        method: &Method,
        headers: &HeaderMap,
        query: Option<&str>,
    ) -> Response {
        let caller = match self.authenticate(headers) {
            Ok(c) => c,
            Err(msg) => return self.error(StatusCode::UNAUTHORIZED, msg),
        };
        if let Some(user) = caller {
            if let Some(r) = self.tier_refusal(user) {
                return r;
            }
        } else {
            let needs_key = match ep {
                // "Empty list / 401": roles-apart answers 401.
                Ep::SurveyList => self.chose(Variant::RolesApart),
                Ep::DatasetList => false,
                Ep::Survey(_) => !self.is(Fault::AnonymousSurveyRetrieve),
                Ep::Metrics(_) => !self.is(Fault::AnonymousMetrics),
                Ep::Dataset(_) => self.is(Fault::AnonymousDatasetRefused),
                Ep::TemplateList => !self.is(Fault::AnonymousTemplateList),
                Ep::Template(_) => !self.is(Fault::AnonymousTemplateRetrieve),
            };
            let refused = needs_key
                || (self.is(Fault::AnonymousDatasetListRefused) && matches!(ep, Ep::DatasetList));
            if refused {
                return self.error(
                    StatusCode::UNAUTHORIZED,
                    "Authentication credentials were not provided.",
                );
            }
        }
        match caller {
            None => {
                if self.is(Fault::AnonNoRetryAfter) && matches!(ep, Ep::DatasetList) {
                    return self.throttled(None);
                }
                let (limit, window) = ANON_RATE;
                if let Err(wait) = self
                    .throttles
                    .anon
                    .admit(Self::ident(headers), limit, window)
                {
                    return self.throttled(Some(wait));
                }
            }
            Some(user) => {
                if self.is(Fault::UserNoRetryAfter)
                    && user.id == ORG_VIEWER
                    && matches!(ep, Ep::SurveyList)
                {
                    return self.throttled(None);
                }
                let (limit, window) = USER_RATE;
                if let Err(wait) = self.throttles.user.admit(user.id, limit, window) {
                    return self.throttled(Some(wait));
                }
            }
        }
        if method != Method::GET && method != Method::HEAD {
            return self.write(ep, method, caller);
        }
        self.read(ep, caller, query)
    }

    /// Every write is refused with 405, except where a fault accepts it.
    pub fn write(&self, ep: Ep, method: &Method, caller: Option<&User>) -> Response {
        let accepted = match &ep {
            Ep::SurveyList => self.is(Fault::SurveyCreate) && *method == Method::POST,
            Ep::TemplateList => self.is(Fault::TemplatePublish) && *method == Method::POST,
            Ep::Survey(_) => {
                (self.is(Fault::SurveyReplace) && *method == Method::PUT)
                    || (self.is(Fault::SurveyUpdate) && *method == Method::PATCH)
            }
            Ep::Metrics(_) => self.is(Fault::MetricsPost) && *method == Method::POST,
            Ep::Dataset(key) => {
                self.is(Fault::DatasetWritable)
                    || (self.is(Fault::NhsDdWritable)
                        && (*method == Method::PUT || *method == Method::PATCH)
                        && self
                            .datasets
                            .iter()
                            .any(|d| d.key == *key && d.category == "nhs_dd"))
            }
            Ep::Template(_) => self.is(Fault::TemplateWritable),
            Ep::DatasetList => false,
        };
        if !accepted {
            return self.method_not_allowed(method);
        }
        match ep {
            Ep::SurveyList | Ep::TemplateList => {
                let n = self.created.fetch_add(1, Ordering::Relaxed) + 1;
                let body = json!({
                    "id": 900_000_000 + n,
                    "name": format!("created through the API {n}"),
                });
                envelope::json(StatusCode::CREATED, &body)
            }
            // The faulty write "succeeds": it answers the object as it stands.
            other => self.read(other, caller, None),
        }
    }

    pub fn read(&self, ep: Ep, caller: Option<&User>, query: Option<&str>) -> Response {
        match ep {
            Ep::SurveyList => envelope::json(StatusCode::OK, &self.survey_list(caller)),
            Ep::Survey(id) => self.survey(&id, caller, false),
            Ep::Metrics(id) => self.survey(&id, caller, true),
            Ep::DatasetList => envelope::json(StatusCode::OK, &self.dataset_list(caller)),
            Ep::Dataset(key) => self.dataset(&key, caller),
            Ep::TemplateList => envelope::json(
                StatusCode::OK,
                &self.template_list(caller, query.unwrap_or("")),
            ),
            Ep::Template(id) => self.template(&id, caller),
        }
    }

    // -------------------------------------------------------------- surveys

    /// Survey `id` (1..=size): its slot says whose it is.
    pub fn survey_owner(&self, id: u64) -> (u64, Option<u64>) {
        // The owner's and the viewer's surveys are their organisation's, if they have one.
        let org_of = |user: u64| self.users.get(&user).and_then(User::org_id);
        match (id - 1) % 8 {
            0 | 1 => (OWNER, org_of(OWNER)),
            2 => (ORG_VIEWER, org_of(ORG_VIEWER)),
            3 => (ORG_ADMIN, Some(ORG_A)),
            4 => (MEMBER_A, Some(ORG_A)),
            5 => (OUTSIDER, Some(ORG_B)),
            6 => (TEAM, None),
            _ => (ENTERPRISE, Some(ORG_D)),
        }
    }

    /// Survey memberships: the org viewer is a member of the owner's second-slot surveys and
    /// of every other survey of the organisation's other member.
    pub fn is_member(&self, user: u64, id: u64) -> bool {
        let (slot, block) = ((id - 1) % 8, (id - 1) / 8);
        user == ORG_VIEWER && (slot == 1 || (slot == 4 && block % 2 == 0))
    }

    pub fn survey_exists(&self, id: u64) -> bool {
        id >= 1 && id <= self.size
    }

    /// Ids of the surveys with one of `slots`, ascending.
    pub fn surveys_in_slots(&self, slots: &[u64]) -> Vec<u64> {
        let mut out = Vec::new();
        let mut base = 0u64;
        while base < self.size {
            for &s in slots {
                let id = base + s + 1;
                if id <= self.size {
                    out.push(id);
                }
            }
            base += 8;
        }
        out
    }

    pub fn survey_list(&self, caller: Option<&User>) -> Value {
        let all: Vec<u64> = (0..8).collect();
        let ids = match caller {
            None if self.is(Fault::AnonymousSurveyList) => self.surveys_in_slots(&all),
            None => vec![],
            Some(_) if self.is(Fault::SurveyListUnscoped) => self.surveys_in_slots(&all),
            Some(u) => {
                let admin_org = match u.org {
                    Some((o, OrgRole::Admin)) if !self.is(Fault::AdminSeesOwnOnly) => Some(o),
                    _ => None,
                };
                let slots: Vec<u64> = all
                    .iter()
                    .copied()
                    .filter(|&s| {
                        let (owner, org) = self.survey_owner(s + 1);
                        owner == u.id || (admin_org.is_some() && org == admin_org)
                    })
                    .collect();
                self.surveys_in_slots(&slots)
            }
        };
        Value::Array(
            ids.into_iter()
                .map(|id| self.survey_json(id, false))
                .collect(),
        )
    }

    pub fn survey(&self, raw_id: &str, caller: Option<&User>, metrics: bool) -> Response {
        let Some(id) = self.survey_number(raw_id) else {
            if self.is(Fault::SurveyNotFound403) {
                return self.error(
                    StatusCode::FORBIDDEN,
                    "You do not have permission to perform this action.",
                );
            }
            return self.error(StatusCode::NOT_FOUND, "No Survey matches the given query.");
        };
        if let Some(user) = caller {
            if !self.can_view_survey(user, id, metrics) {
                return self.error(
                    StatusCode::FORBIDDEN,
                    "You do not have permission to perform this action.",
                );
            }
        }
        if metrics {
            envelope::json(StatusCode::OK, &self.metrics_json(id))
        } else {
            envelope::json(StatusCode::OK, &self.survey_json(id, true))
        }
    }

    pub fn can_view_survey(&self, user: &User, id: u64, metrics: bool) -> bool {
        let (owner, org) = self.survey_owner(id);
        let outsider_fault = if metrics {
            Fault::OutsiderMetrics
        } else {
            Fault::OutsiderSurveyRetrieve
        };
        if self.is(outsider_fault) {
            return true;
        }
        let member_refused = if metrics {
            Fault::MemberMetricsRefused
        } else {
            Fault::MemberRetrieveRefused
        };
        if self.is(member_refused) && user.is_viewer() {
            return false;
        }
        if owner == user.id {
            return !self.is(Fault::OwnerRefused) || user.is_admin_of(org);
        }
        if user.is_admin_of(org) {
            let refused = if metrics {
                Fault::AdminMetricsRefused
            } else {
                Fault::AdminRetrieveRefused
            };
            return !self.is(refused);
        }
        self.is_member(user.id, id)
    }

    // -------------------------------------------------------------- datasets

    pub fn dataset_visible(&self, d: &Dataset, caller: Option<&User>, listing: bool) -> bool {
        match caller {
            None => {
                d.org.is_none()
                    || (listing && self.is(Fault::AnonymousSeesOrgDatasets))
                    || (!listing && self.is(Fault::AnonymousReadsOrgDatasets))
            }
            Some(u) => {
                if listing {
                    if self.is(Fault::KeyHoldersMissGlobal) && d.org.is_none() {
                        return false;
                    }
                    if self.is(Fault::ViewerMissesOrgDatasets) && u.is_viewer() && d.org.is_some() {
                        return false;
                    }
                    if self.is(Fault::OutsiderSeesOrgDatasets) {
                        return true;
                    }
                } else if self.is(Fault::OutsiderReadsOrgDatasets) {
                    return true;
                }
                d.org.is_none() || d.org == u.org_id()
            }
        }
    }

    pub fn dataset_list(&self, caller: Option<&User>) -> Value {
        Value::Array(
            self.datasets
                .iter()
                .filter(|d| self.dataset_visible(d, caller, true))
                .map(|d| self.dataset_json(d, false))
                .collect(),
        )
    }

    pub fn dataset(&self, key: &str, caller: Option<&User>) -> Response {
        let found = self
            .datasets
            .iter()
            .find(|d| d.key == key && self.dataset_visible(d, caller, false));
        let Some(d) = found else {
            if self.is(Fault::DatasetNotFound403) && !self.datasets.iter().any(|d| d.key == key) {
                return self.error(
                    StatusCode::FORBIDDEN,
                    "You do not have permission to perform this action.",
                );
            }
            return self.error(StatusCode::NOT_FOUND, "No DataSet matches the given query.");
        };
        if self.is(Fault::NhsDdHidden) && d.category == "nhs_dd" {
            return self.error(
                StatusCode::FORBIDDEN,
                "You do not have permission to perform this action.",
            );
        }
        if self.is(Fault::OrgDatasetRefused) && caller.is_some() && d.org.is_some() {
            return self.error(StatusCode::NOT_FOUND, "No DataSet matches the given query.");
        }
        envelope::json(StatusCode::OK, &self.dataset_json(d, true))
    }

    // -------------------------------------------------------------- templates

    pub fn template_visible(&self, t: &Template, user: Option<&User>, listing: bool) -> bool {
        let Some(u) = user else {
            return t.org.is_none();
        };
        if listing {
            if t.org.is_none() {
                return !(self.is(Fault::GlobalHiddenFromPro) && u.tier == Tier::Pro);
            }
            if self.is(Fault::TemplatesUnscoped) {
                return true;
            }
            if self.is(Fault::ViewerMissesOrgTemplates) && u.is_viewer() {
                return false;
            }
        } else if self.is(Fault::TemplateRetrieveUnscoped) {
            return true;
        }
        t.org.is_none() || t.org == u.org_id()
    }

    pub fn template_list(&self, caller: Option<&User>, query: &str) -> Value {
        let mut params: HashMap<String, String> = HashMap::new();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            // Django's QueryDict.get: the last value of a repeated parameter.
            params.insert(k.into_owned(), v.into_owned());
        }
        let get = |name: &str| {
            params
                .get(name)
                .map(String::as_str)
                .filter(|v| !v.is_empty())
        };
        let level = get("publication_level").filter(|_| !self.is(Fault::PublicationLevelIgnored));
        let language = get("language").filter(|_| !self.is(Fault::LanguageIgnored));
        let tags: Vec<String> = match get("tags").filter(|_| !self.is(Fault::TagsIgnored)) {
            None => vec![],
            Some(t) if self.is(Fault::TagsListAsOneTag) => vec![t.trim().to_string()],
            Some(t) => t
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        };
        let search = get("search")
            .filter(|_| !self.is(Fault::SearchIgnored))
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty());
        let mut found: Vec<&Template> = self
            .templates
            .iter()
            .filter(|t| self.template_visible(t, caller, true))
            .filter(|t| {
                let level_ok = level.is_none_or(|l| t.level() == l);
                let lang_ok = language.is_none_or(|l| t.language == l);
                if self.is(Fault::FiltersOred) && level.is_some() && language.is_some() {
                    level_ok || lang_ok
                } else {
                    level_ok && lang_ok
                }
            })
            .filter(|t| tags.iter().all(|tag| t.tags.iter().any(|x| x == tag)))
            .filter(|t| {
                let Some(s) = &search else { return true };
                let in_name = t.name.to_lowercase().contains(s.as_str());
                let in_desc = t
                    .description
                    .as_deref()
                    .is_some_and(|d| d.to_lowercase().contains(s.as_str()));
                if self.is(Fault::SearchNameOnly) {
                    in_name
                } else if self.is(Fault::SearchDescriptionOnly) {
                    in_desc
                } else {
                    in_name || in_desc
                }
            })
            .collect();
        // DRF's OrderingFilter: comma-separated fields, unknown ones ignored; id breaks ties.
        let ordering: Vec<(bool, &str)> = get("ordering")
            .filter(|_| !self.is(Fault::OrderingIgnored))
            .map(|o| {
                o.split(',')
                    .map(str::trim)
                    .filter_map(|f| {
                        let (desc, name) = match f.strip_prefix('-') {
                            Some(n) => (!self.is(Fault::OrderingDescendingIgnored), n),
                            None => (false, f),
                        };
                        ["name", "created_at", "import_count"]
                            .contains(&name)
                            .then_some((desc, name))
                    })
                    .collect()
            })
            .unwrap_or_default();
        found.sort_by(|a, b| {
            for (desc, field) in &ordering {
                let c = match *field {
                    "name" if self.chose(Variant::LocaleOrdering) => {
                        collation_key(&a.name).cmp(&collation_key(&b.name))
                    }
                    "name" => a.name.cmp(&b.name),
                    "created_at" => a.created_at.cmp(&b.created_at),
                    _ => a.import_count.cmp(&b.import_count),
                };
                let c = if *desc { c.reverse() } else { c };
                if c != std::cmp::Ordering::Equal {
                    return c;
                }
            }
            a.id.cmp(&b.id)
        });
        Value::Array(
            found
                .into_iter()
                .map(|t| self.template_json(t, caller))
                .collect(),
        )
    }

    pub fn template(&self, raw_id: &str, caller: Option<&User>) -> Response {
        let id = self.parse_id(2, raw_id);
        let pos = id.and_then(|id| self.templates.iter().position(|t| t.id == id));
        let Some(pos) = pos else {
            if self.is(Fault::TemplateNotFound403) {
                return self.error(
                    StatusCode::FORBIDDEN,
                    "You do not have permission to perform this action.",
                );
            }
            return self.error(
                StatusCode::NOT_FOUND,
                "No QuestionGroupTemplate matches the given query.",
            );
        };
        let t = &self.templates[pos];
        let refused = !self.template_visible(t, caller, false)
            || (self.is(Fault::OrgTemplateRetrieveRefused) && t.org.is_some());
        if refused {
            return self.error(
                StatusCode::NOT_FOUND,
                "No QuestionGroupTemplate matches the given query.",
            );
        }
        if self.is(Fault::TemplateRetrieveWrong) {
            let other = &self.templates[(pos + 1) % self.templates.len()];
            return envelope::json(StatusCode::OK, &self.template_json(other, caller));
        }
        envelope::json(StatusCode::OK, &self.template_json(t, caller))
    }

    // -------------------------------------------------------------- public endpoints

    pub fn public(&self, page: Public, method: &Method, headers: &HeaderMap) -> Response {
        let needs_key = match page {
            Public::Health => self.is(Fault::HealthNeedsKey),
            Public::Docs | Public::Redoc | Public::Schema => self.is(Fault::DocsNeedKey),
        };
        if needs_key {
            match self.authenticate(headers) {
                Err(msg) => return self.error(StatusCode::UNAUTHORIZED, msg),
                Ok(None) => {
                    return self.error(
                        StatusCode::UNAUTHORIZED,
                        "Authentication credentials were not provided.",
                    )
                }
                Ok(Some(_)) => {}
            }
        }
        if method != Method::GET && method != Method::HEAD && !self.is(Fault::PublicWrites) {
            return self.method_not_allowed(method);
        }
        match page {
            Public::Health if self.chose(Variant::AlternativeForms) => {
                StatusCode::NO_CONTENT.into_response()
            }
            Public::Health => envelope::json(StatusCode::OK, &json!({ "status": "ok" })),
            Public::Docs => envelope::html_page(
                StatusCode::OK,
                "CheckTick API documentation",
                "<div id=\"swagger-ui\" data-url=\"/api/schema\"></div>",
            ),
            Public::Redoc => envelope::html_page(
                StatusCode::OK,
                "CheckTick API reference",
                "<redoc spec-url=\"/api/schema\"></redoc>",
            ),
            Public::Schema => envelope::typed(
                StatusCode::OK,
                "application/vnd.oai.openapi; charset=utf-8",
                self.schema.to_string(),
            ),
        }
    }

    /// The legacy token endpoint: throttled (5 a minute per IP) before anything else; GET is
    /// the only method, and it has nothing to exchange (the document describes no body).
    pub fn token(&self, method: &Method, headers: &HeaderMap) -> Response {
        if !self.is(Fault::TokenUnthrottled) {
            // DRF's SimpleRateThrottle: the times of the recent requests, per ident.
            let (limit, window) = TOKEN_RATE;
            if let Err(wait) = self
                .throttles
                .token
                .admit(Self::ident(headers), limit, window)
            {
                let wait = (!self.is(Fault::TokenNoRetryAfter)).then_some(wait);
                return self.throttled(wait);
            }
        }
        if method != Method::GET && method != Method::HEAD {
            return self.method_not_allowed(method);
        }
        envelope::message(
            StatusCode::BAD_REQUEST,
            "detail",
            "The legacy token endpoint issues no tokens: generate a named API key in Account → API Keys.",
        )
    }
}
