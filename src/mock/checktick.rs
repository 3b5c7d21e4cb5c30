//! The CheckTick survey API (checktick.txt): a read-only Django REST framework API under
//! `/api/`, with named `ct_live_` keys sent as `Authorization: Bearer <key>`, account tiers
//! (FREE keys are refused with 403), the documented permission matrices, DRF error bodies
//! (`{"detail": ...}`), DRF throttling (AnonRateThrottle, UserRateThrottle, and 5 requests a
//! minute per IP on the legacy `/api/token`), and no CORS headers.
//!
//! Where the document is silent the mock answers as DRF would: authentication, then
//! permissions, then throttles, then the method (so an anonymous write to an endpoint that
//! needs a key gets 401, a FREE key 403, and a key holder's write 405 with `Allow: GET`);
//! objects outside the caller's scope are 404 (datasets, templates: filtered querysets) or 403
//! (a survey of the organisation the caller may not see: "insufficient role on object").
//! The anonymous survey list is the empty list (the matrix allows that or 401).
//!
//! Data, all derived from the seed: `size` surveys (default 40), each derived from its id
//! (slot `(id-1) % 8` says whose it is, so lists step through ids without memory per survey);
//! a fixed set of question group templates (24) and datasets (10). Nothing is written (the API
//! is read-only); the only state is the throttles' counters, keyed per client (DRF's ident: the
//! `X-Forwarded-For` value, else the loopback peer) and per user.
//!
//! The mock supplies the contract's fixtures (which survey, template and dataset belong to which
//! role's organisation: no request can tell), and its faithful variants (`--variant`) choose
//! otherwise where the document is silent: error bodies, id types, optional fields, accepted
//! header forms, how roles and ids are set up, collation and timestamp format.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use serde_json::{json, Map, Value};

use super::common::{mix, pick};
use super::{Built, FaultInfo, MockApi, MockOptions, Transport, VariantInfo};
use crate::target::Credentials;
use crate::{faults, variants};

variants! {
    ProblemDetails = "problem-details":
        "errors are RFC 9457 `application/problem+json` bodies (`type`, `title`, `status`, no `detail`), \
         and a URL no route matches gets the same: the document names the error statuses (401, 403, \
         404, 405) and shows no error body",
    StringIds = "string-ids":
        "surveys and question group templates are identified by UUID strings: the document shows ids \
         only in paths (`/api/surveys/{id}/`, one example `/api/question-group-templates/123/`) and \
         never says they are numbers",
    SparseFields = "sparse-fields":
        "optional and nullable fields chosen otherwise: global templates leave `organization_name` out \
         (it is \"for org-level templates\"), a missing description is `\"\"`, missing attribution `{}`, a \
         departed publisher `null`; survey lists carry only `id` and `name`; a dataset's detail leaves \
         out `key` (it is in the URL) and `is_global`; metrics group their counts by status and week. The document lists no field of \
         surveys, metrics or datasets, and only the names of the template's",
    AlternativeForms = "alternative-forms":
        "accepts forms the document does not forbid: the key as `Authorization: Token ct_live_...` and \
         raw (\"Pass the raw key in the Authorization header\"), besides Bearer; 405 with DRF's \
         `Allow: GET, HEAD, OPTIONS`; the health check answers 204 without a body (its status is not \
         documented); CORS granted to the one origin its CORS_ALLOWED_ORIGINS lists (\"explicitly set\")",
    RolesApart = "roles-apart":
        "roles and data set up otherwise: the owner is a PRO account of no organisation (its surveys are \
         its own), org_viewer is a CREATOR/VIEWER of another organisation than org_admin's, survey ids \
         start at 5001, and a caller without a key gets 401 on the survey list (\"Empty list / 401\"); the \
         document says what each role sees, not who belongs where, and the fixtures name this set-up's \
         survey, template and dataset",
    LocaleOrdering = "locale-ordering":
        "`ordering=name` follows a case- and punctuation-blind collation (a database locale's), some \
         template names begin in lower case, and timestamps are written with a DATETIME_FORMAT of \
         `%d/%m/%Y %H:%M:%S`: the document names the orderings and the timestamp fields, not the \
         collation or the format",
}

faults! {
    // ------------------------------------------------------------ authentication
    InvalidKeyAccepted = "auth.invalid-key-accepted" => [
        "checktick.auth.invalid-key",
        "checktick.auth.invalid-key-survey-list",
    ]: "an unknown Bearer key is accepted (as a PRO account with no data) instead of 401",
    InvalidKeyAsAnonymous = "auth.invalid-key-as-anonymous" => ["checktick.auth.invalid-key-survey-list"]:
        "an unknown Bearer key is treated as no key (the survey list answers 200 with an empty list)",
    RevokedKeyAccepted = "auth.revoked-key-accepted" => ["checktick.auth.revoked-key"]:
        "a revoked key is still accepted",
    ExpiredKeyAccepted = "auth.expired-key-accepted" => ["checktick.auth.expired-key"]:
        "a key past its expiry date is still accepted",
    PasswordChangeKeepsKeys = "auth.password-change-keeps-keys" => ["checktick.auth.password-change-revokes"]:
        "a key generated before its account's password change is still accepted",
    AnonymousTemplateList = "auth.anonymous-template-list" => [
        "checktick.auth.missing-key",
        "checktick.permissions.templates-list",
        "checktick.permissions.template-matrix-list",
    ]: "the template list answers a caller without a key (global templates) instead of 401",
    AnonymousTemplateRetrieve = "auth.anonymous-template-retrieve" => [
        "checktick.permissions.templates-retrieve",
        "checktick.permissions.template-matrix-retrieve",
    ]: "a global template is served to a caller without a key instead of 401",
    // ------------------------------------------------------------ account tiers
    FreeKeyAccepted = "tiers.free-key-accepted" => [
        "checktick.tiers.free-no-access",
        "checktick.permissions.survey-list",
        "checktick.permissions.dataset-list",
        "checktick.permissions.dataset-retrieve",
        "checktick.permissions.templates-list",
        "checktick.permissions.templates-retrieve",
    ]: "a FREE-tier key is served like a paid one instead of 403",
    ProRefused = "tiers.pro-refused" => ["checktick.auth.bearer-key", "checktick.tiers.pro-read-only"]:
        "PRO-tier keys are refused with 403, as if they were FREE",
    OrganisationRefused = "tiers.organisation-refused" => ["checktick.tiers.organisation-read-only"]:
        "ORGANISATION-tier keys are refused with 403",
    TeamRefused = "tiers.team-refused" => ["checktick.tiers.team-read-only"]:
        "TEAM-tier keys are refused with 403",
    EnterpriseRefused = "tiers.enterprise-refused" => ["checktick.tiers.enterprise-read-only"]:
        "ENTERPRISE-tier keys are refused with 403",
    // ------------------------------------------------------------ read-only API
    SurveyCreate = "readonly.survey-create" => [
        "checktick.readonly.survey-create",
        "checktick.tiers.team-no-writes",
        "checktick.tiers.enterprise-no-writes",
        "checktick.readonly.collections-get-only",
    ]: "POST on the survey list creates a survey (201) for any key holder",
    TemplatePublish = "readonly.template-publish" => [
        "checktick.readonly.template-publish",
        "checktick.readonly.collections-get-only",
    ]: "POST on the template list publishes a template (201)",
    AllowListsWrites = "readonly.allow-lists-writes" => [
        "checktick.readonly.collections-get-only",
        "checktick.readonly.public-get-only",
        "checktick.readonly.survey-replace",
        "checktick.readonly.survey-items-get-only",
        "checktick.readonly.dataset-item-get-only",
        "checktick.readonly.template-item-get-only",
    ] ~ "the writes are still refused with 405; `Allow` is HTTP's header, the document does not mention it":
        "405 answers carry `Allow: GET, POST, PUT, PATCH, DELETE`",
    PublicWrites = "readonly.public-writes" => ["checktick.readonly.public-get-only"]:
        "the public endpoints (health, docs, redoc, schema) answer 200 to every method",
    SurveyReplace = "readonly.survey-replace" => [
        "checktick.readonly.survey-replace",
        "checktick.readonly.survey-items-get-only",
    ]: "PUT on a survey answers 200 (as if it replaced it)",
    SurveyUpdate = "readonly.survey-update" => [
        "checktick.readonly.survey-update",
        "checktick.readonly.survey-items-get-only",
    ]: "PATCH on a survey answers 200 (as if it changed it)",
    MetricsPost = "readonly.metrics-post" => [
        "checktick.readonly.metrics-get-only",
        "checktick.readonly.survey-items-get-only",
    ]: "POST on a survey's response metrics answers 200",
    DatasetWritable = "readonly.dataset-writable" => [
        "checktick.readonly.dataset-get-only",
        "checktick.readonly.dataset-item-get-only",
        "checktick.datasets.nhs-dd-no-replace",
        "checktick.datasets.nhs-dd-no-update",
    ]: "every method but GET on a dataset answers 200 (as if it wrote it)",
    NhsDdWritable = "datasets.nhs-dd-writable" => [
        "checktick.datasets.nhs-dd-no-replace",
        "checktick.datasets.nhs-dd-no-update",
    ]: "PUT and PATCH on an NHS Data Dictionary dataset answer 200",
    TemplateWritable = "readonly.template-writable" => [
        "checktick.readonly.template-get-only",
        "checktick.readonly.template-item-get-only",
    ]: "every method but GET on a template answers 200 (as if it wrote it)",
    // ------------------------------------------------------------ survey permissions
    SurveyListUnscoped = "permissions.survey-list-unscoped" => ["checktick.permissions.outsider-survey-list"]:
        "every key lists every survey, of every organisation",
    AdminSeesOwnOnly = "permissions.admin-sees-own-surveys-only" => ["checktick.permissions.org-admin-lists-org-survey"]:
        "an Org ADMIN key lists only its own surveys, not all the organisation's",
    AnonymousSurveyList = "permissions.anonymous-survey-list" => ["checktick.permissions.survey-list"]:
        "the survey list answers a caller without a key with every survey",
    OwnerRefused = "permissions.owner-refused" => [
        "checktick.permissions.survey-retrieve",
        "checktick.permissions.survey-metrics",
    ]: "a survey's owner who is not an org admin gets 403 on the survey and its metrics",
    AdminRetrieveRefused = "permissions.admin-retrieve-refused" => ["checktick.permissions.org-admin-retrieves-org-survey"]:
        "an Org ADMIN gets 403 on the organisation's surveys it does not own",
    AnonymousSurveyRetrieve = "permissions.anonymous-survey-retrieve" => [
        "checktick.permissions.survey-retrieve",
        "checktick.permissions.survey-retrieve-member",
    ]: "a survey is served to a caller without a key instead of 401",
    MemberRetrieveRefused = "permissions.member-retrieve-refused" => ["checktick.permissions.survey-retrieve-member"]:
        "an Org CREATOR/VIEWER gets 403 on every survey, its own included",
    OutsiderSurveyRetrieve = "permissions.outsider-survey-retrieve" => ["checktick.permissions.outsider-survey-retrieve"]:
        "any key holder can read any survey, of any organisation",
    AdminMetricsRefused = "permissions.admin-metrics-refused" => ["checktick.permissions.org-admin-reads-org-survey-metrics"]:
        "an Org ADMIN gets 403 on the metrics of the organisation's surveys it does not own",
    AnonymousMetrics = "permissions.anonymous-metrics" => [
        "checktick.permissions.survey-metrics",
        "checktick.permissions.survey-metrics-member",
    ]: "a survey's metrics are served to a caller without a key instead of 401",
    MemberMetricsRefused = "permissions.member-metrics-refused" => ["checktick.permissions.survey-metrics-member"]:
        "an Org CREATOR/VIEWER gets 403 on the metrics of every survey, its own included",
    OutsiderMetrics = "permissions.outsider-metrics" => ["checktick.permissions.outsider-survey-metrics"]:
        "any key holder can read the metrics of any survey",
    // ------------------------------------------------------------ dataset permissions
    AnonymousSeesOrgDatasets = "permissions.anonymous-sees-org-datasets" => [
        "checktick.permissions.dataset-list",
        "checktick.datasets.anonymous-global-only",
        "checktick.datasets.anonymous-org-dataset-not-listed",
        "checktick.datasets.key-holders-see-org",
    ]: "the anonymous dataset list holds every organisation's datasets too",
    AnonymousReadsOrgDatasets = "permissions.anonymous-reads-org-datasets" => ["checktick.datasets.anonymous-org-dataset-refused"]:
        "an organisation's dataset is served to a caller without a key",
    AnonymousDatasetListRefused = "permissions.anonymous-dataset-list-refused" => [
        "checktick.permissions.dataset-list",
        "checktick.datasets.anonymous-global-only",
        "checktick.datasets.key-holders-see-org",
        "checktick.throttle.anon-rate",
    ]: "the dataset list answers a caller without a key with 401 instead of the global datasets",
    AnonymousDatasetRefused = "permissions.anonymous-dataset-refused" => ["checktick.permissions.dataset-retrieve"]:
        "a public (global) dataset answers a caller without a key with 401",
    KeyHoldersMissGlobal = "permissions.key-holders-miss-global-datasets" => [
        "checktick.permissions.dataset-list",
        "checktick.datasets.key-holders-see-org",
    ]: "key holders list only their organisation's datasets, not the global ones",
    ViewerMissesOrgDatasets = "permissions.viewer-misses-org-datasets" => ["checktick.datasets.viewer-lists-org-dataset"]:
        "Org CREATOR/VIEWER keys list the global datasets only, not their organisation's",
    OrgDatasetRefused = "datasets.org-dataset-refused" => ["checktick.datasets.org-dataset-readable"]:
        "an organisation's dataset is listed for its members but answers 404 when read",
    OutsiderSeesOrgDatasets = "permissions.outsider-sees-org-datasets" => ["checktick.permissions.outsider-dataset-list"]:
        "key holders list every organisation's datasets",
    OutsiderReadsOrgDatasets = "permissions.outsider-reads-org-datasets" => ["checktick.permissions.outsider-dataset-retrieve"]:
        "key holders can read every organisation's datasets",
    NhsDdHidden = "datasets.nhs-dd-refused" => ["checktick.datasets.nhs-dd-readable"]:
        "NHS Data Dictionary datasets are listed but answer 403 when read",
    // ------------------------------------------------------------ template permissions
    TemplatesUnscoped = "permissions.templates-unscoped" => ["checktick.permissions.outsider-template-list"]:
        "key holders list every organisation's templates",
    TemplateRetrieveUnscoped = "permissions.template-retrieve-unscoped" => ["checktick.permissions.outsider-template-retrieve"]:
        "key holders can read every organisation's templates",
    ViewerMissesOrgTemplates = "permissions.viewer-misses-org-templates" => ["checktick.templates.viewer-lists-org-template"]:
        "Org CREATOR/VIEWER keys list the global templates only, not their organisation's",
    GlobalHiddenFromPro = "templates.global-hidden-from-pro" => ["checktick.templates.global-visible-to-all"]:
        "PRO-tier keys do not see the global templates",
    // ------------------------------------------------------------ public endpoints
    HealthNeedsKey = "public.health-needs-key" => [
        "checktick.public.health",
        "checktick.permissions.health",
        "checktick.cors.disabled-public",
    ]: "the health check answers a caller without a key with 401",
    DocsNeedKey = "public.docs-need-key" => [
        "checktick.public.docs",
        "checktick.public.redoc",
        "checktick.public.schema",
    ]: "the interactive documentation (docs, redoc, schema) answers a caller without a key with 401",
    // ------------------------------------------------------------ errors
    SurveyNotFound403 = "errors.survey-not-found-403" => [
        "checktick.errors.survey-not-found",
        "checktick.errors.metrics-not-found",
    ]: "an unknown survey (and its metrics) answers 403 instead of 404",
    DatasetNotFound403 = "errors.dataset-not-found-403" => ["checktick.errors.dataset-not-found"]:
        "an unknown dataset key answers 403 instead of 404",
    TemplateNotFound403 = "errors.template-not-found-403" => ["checktick.errors.template-not-found"]:
        "an unknown template answers 403 instead of 404",
    Envelope401 = "errors.401-not-drf" => ["checktick.errors.envelope-401"] ~ "the document names the status but shows no error body; `{\"detail\": ...}` is DRF's default":
        "401 answers carry `{\"error\": ...}` instead of DRF's `{\"detail\": ...}`",
    Envelope403 = "errors.403-not-drf" => ["checktick.errors.envelope-403"] ~ "the document names the status but shows no error body; `{\"detail\": ...}` is DRF's default":
        "403 answers carry `{\"message\": ...}` instead of DRF's `{\"detail\": ...}`",
    Envelope404 = "errors.404-not-drf" => ["checktick.errors.envelope-404"] ~ "the document names the status but shows no error body; `{\"detail\": ...}` is DRF's default":
        "404 answers are Django's HTML page instead of DRF's `{\"detail\": ...}`",
    Envelope405 = "errors.405-not-drf" => ["checktick.errors.envelope-405"] ~ "the document names the status but shows no error body; `{\"detail\": ...}` is DRF's default":
        "405 answers have an empty body instead of DRF's `{\"detail\": ...}`",
    Envelope429 = "errors.429-not-drf" => ["checktick.errors.envelope-429", "checktick.throttle.legacy-token"]
        ~ "the document names DRF's throttle classes but shows no throttled body; `{\"detail\": ...}` is their default":
        "429 answers are plain text instead of DRF's `{\"detail\": ...}`",
    // ------------------------------------------------------------ throttling
    TokenUnthrottled = "throttle.token-unthrottled" => ["checktick.throttle.legacy-token"]:
        "/api/token is not throttled (no 429 after 5 requests a minute)",
    TokenNoRetryAfter = "throttle.token-no-retry-after" => ["checktick.throttle.legacy-token"] ~ "`Retry-After` is what DRF's throttles send; the document names the classes, not their answer's headers":
        "the /api/token throttle answers 429 without Retry-After",
    AnonNoRetryAfter = "throttle.anon-no-retry-after" => ["checktick.throttle.anon-rate"]
        ~ "the rates are not documented (a throttle may fire at once); `Retry-After` is DRF's default":
        "the anonymous throttle of the dataset list fires at once and its 429 has no Retry-After",
    UserNoRetryAfter = "throttle.user-no-retry-after" => ["checktick.throttle.user-rate"]
        ~ "the rates are not documented (a throttle may fire at once); `Retry-After` is DRF's default":
        "the Org CREATOR/VIEWER's user throttle on the survey list fires at once and its 429 has no Retry-After",
    // ------------------------------------------------------------ CORS
    CorsReflected = "cors.origin-reflected" => ["checktick.cors.disabled", "checktick.cors.disabled-public"]:
        "every answer grants the request's Origin (Access-Control-Allow-Origin, -Credentials)",
    // ------------------------------------------------------------ read-only scope
    SurveyResponses = "scope.survey-responses" => [
        "checktick.scope.survey-structure-no-responses",
        "checktick.scope.survey-list-no-responses",
    ]: "surveys (list and retrieve) carry their individual `responses`",
    MetricsResponses = "scope.metrics-individual-responses" => ["checktick.scope.metrics-counts-only"]:
        "the response metrics carry the individual responses besides the counts",
    // ------------------------------------------------------------ templates
    TemplateFieldsMissing = "templates.fields-missing" => ["checktick.templates.list-fields", "checktick.templates.retrieve"]:
        "templates lack the documented `markdown` and `can_delete` fields",
    PublicationLevelIgnored = "templates.publication-level-ignored" => [
        "checktick.templates.filter-publication-level-global",
        "checktick.templates.filter-publication-level-organisation",
        "checktick.templates.example-global-en",
    ]: "the publication_level filter is ignored",
    LanguageIgnored = "templates.language-ignored" => [
        "checktick.templates.filter-language",
        "checktick.templates.example-global-en",
    ]: "the language filter is ignored",
    FiltersOred = "templates.filters-ored" => ["checktick.templates.example-global-en"]:
        "publication_level and language combine with OR instead of AND",
    TagsIgnored = "templates.tags-ignored" => ["checktick.templates.filter-tags"]:
        "the tags filter is ignored",
    TagsListAsOneTag = "templates.tags-list-as-one-tag" => ["checktick.templates.filter-tags-list"]:
        "`tags=a,b` is taken as the one tag `a,b` instead of a comma-separated list",
    SearchIgnored = "templates.search-ignored" => ["checktick.templates.search-narrows"]:
        "the search parameter is ignored",
    SearchNameOnly = "templates.search-name-only" => ["checktick.templates.search-description"]:
        "search looks in template names only, not descriptions",
    SearchDescriptionOnly = "templates.search-description-only" => ["checktick.templates.search-finds"]:
        "search looks in template descriptions only, not names",
    OrderingIgnored = "templates.ordering-ignored" => [
        "checktick.templates.ordering-name",
        "checktick.templates.ordering-name-desc",
        "checktick.templates.ordering-created-at",
        "checktick.templates.ordering-created-at-desc",
        "checktick.templates.ordering-import-count",
        "checktick.templates.ordering-import-count-desc",
    ]: "the ordering parameter is ignored (templates come in id order)",
    OrderingDescendingIgnored = "templates.ordering-descending-ignored" => [
        "checktick.templates.ordering-name-desc",
        "checktick.templates.ordering-created-at-desc",
        "checktick.templates.ordering-import-count-desc",
    ]: "a `-` before an ordering field is ignored (always ascending)",
    TemplateRetrieveWrong = "templates.retrieve-wrong-template" => [
        "checktick.templates.retrieve",
        "checktick.templates.retrieve-own-org",
        "checktick.permissions.templates-retrieve",
        "checktick.permissions.template-matrix-retrieve",
    ]: "retrieving a template answers another template",
    OrgTemplateRetrieveRefused = "templates.org-retrieve-refused" => ["checktick.templates.retrieve-own-org"]:
        "organisation-level templates are listed but answer 404 when read",
    OrganizationNameMissing = "templates.organization-name-missing" => ["checktick.templates.org-level-organization-name"]:
        "organisation-level templates carry `organization_name: null`",
}

/// The default number of surveys: five of each of the eight owners' slots.
pub const DEFAULT_SIZE: usize = 40;
/// Sizes above this are clamped (survey ids must stay clear of the "unknown" ids of the rules).
pub const MAX_SIZE: usize = 100_000_000;

/// `/api/token`: 5 requests a minute per IP (documented).
const TOKEN_RATE: (usize, Duration) = (5, Duration::from_secs(60));
/// AnonRateThrottle and UserRateThrottle: the document gives no rates (they live in
/// settings.py); generous ones, so a conformance run is never throttled.
const ANON_RATE: (u32, Duration) = (20_000, Duration::from_secs(60));
const USER_RATE: (u32, Duration) = (20_000, Duration::from_secs(60));

pub struct Api;

impl MockApi for Api {
    fn name(&self) -> &'static str {
        "checktick"
    }

    fn faults(&self) -> &'static [FaultInfo] {
        Fault::INFOS
    }

    fn variants(&self) -> &'static [VariantInfo] {
        Variant::INFOS
    }

    fn max_size(&self) -> Option<usize> {
        Some(MAX_SIZE)
    }

    fn build(&self, options: &MockOptions, fault: Option<&'static str>) -> Built {
        let fault = fault.and_then(Fault::from_name);
        let variant = options.variant.as_deref().and_then(Variant::from_name);
        let app = Arc::new(App::new(
            options.seed,
            options.size.unwrap_or(DEFAULT_SIZE).min(MAX_SIZE),
            fault,
            variant,
        ));
        let credentials = app.credentials();
        let fixtures = app.fixtures();
        Built {
            router: router(app),
            credentials,
            base_path: String::new(),
            transport: Transport::Plain,
            fixtures,
        }
    }
}

// ------------------------------------------------------------------ the model

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tier {
    Free,
    Pro,
    Team,
    Organisation,
    Enterprise,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OrgRole {
    Admin,
    Creator,
    Viewer,
}

#[derive(Debug, Clone)]
struct User {
    id: u64,
    username: String,
    tier: Tier,
    org: Option<(u64, OrgRole)>,
}

impl User {
    fn org_id(&self) -> Option<u64> {
        self.org.map(|(o, _)| o)
    }
    fn is_admin_of(&self, org: Option<u64>) -> bool {
        matches!((self.org, org), (Some((o, OrgRole::Admin)), Some(x)) if o == x)
    }
    fn is_viewer(&self) -> bool {
        matches!(self.org, Some((_, OrgRole::Creator | OrgRole::Viewer)))
            && self.tier == Tier::Organisation
    }
}

const OWNER: u64 = 1;
const ORG_ADMIN: u64 = 2;
const ORG_VIEWER: u64 = 3;
const FREE: u64 = 4;
const TEAM: u64 = 5;
const ENTERPRISE: u64 = 6;
const OUTSIDER: u64 = 7;
const MEMBER_A: u64 = 8;
const ADMIN_B: u64 = 9;
const MEMBER_D: u64 = 10;
/// Who an unknown key is taken for under `auth.invalid-key-accepted`.
const STRANGER: u64 = 11;

const ORG_A: u64 = 1;
const ORG_B: u64 = 2;
const ORG_D: u64 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyState {
    Live,
    Revoked,
    Expired,
    PasswordChanged,
}

#[derive(Debug, Clone)]
struct Template {
    id: u64,
    name: String,
    description: Option<String>,
    markdown: String,
    org: Option<u64>,
    publisher: u64,
    attribution: Value,
    tags: Vec<String>,
    language: &'static str,
    import_count: u64,
    created_at: String,
    updated_at: String,
}

#[derive(Debug, Clone)]
struct Dataset {
    key: String,
    name: String,
    description: String,
    category: &'static str,
    org: Option<u64>,
    options: Vec<String>,
    version: u64,
    created_at: String,
    updated_at: String,
}

/// Throttle state: the legacy token endpoint keeps DRF's exact history (5 a minute); the
/// generous anon/user rates use fixed windows (a count, not a timestamp per request).
#[derive(Default)]
struct Throttles {
    token: Mutex<HashMap<String, VecDeque<Instant>>>,
    anon: Mutex<HashMap<String, (Instant, u32)>>,
    user: Mutex<HashMap<u64, (Instant, u32)>>,
}

/// Idents kept before expired windows are swept (X-Forwarded-For is the client's to choose).
const MAX_IDENTS: usize = 10_000;

struct App {
    seed: u64,
    size: u64,
    fault: Option<Fault>,
    variant: Option<Variant>,
    /// Survey `n` (1..=size) is published as id `id_base + n` (other ids, under `roles-apart`).
    id_base: u64,
    users: HashMap<u64, User>,
    orgs: HashMap<u64, String>,
    keys: HashMap<String, (u64, KeyState)>,
    role_keys: Vec<(&'static str, String)>,
    special_keys: Vec<(&'static str, String)>,
    templates: Vec<Template>,
    datasets: Vec<Dataset>,
    throttles: Throttles,
    created: AtomicU64,
    schema: &'static str,
}

const ORG_NAMES: &[&str] = &[
    "Northbridge Clinical Research",
    "Riverside Community Trust",
    "Harbourview Health Partners",
    "Fenwick Paediatric Network",
    "Calder Valley Primary Care",
    "Ashgrove Research Institute",
];

const SURVEY_TOPICS: &[&str] = &[
    "Patient experience",
    "Outpatient follow-up",
    "Staff wellbeing",
    "Clinic waiting times",
    "Discharge feedback",
    "Carer support",
    "Medication adherence",
    "Telehealth satisfaction",
    "Sleep and fatigue",
    "Diet and activity",
];

const QUESTION_TEXTS: &[&str] = &[
    "How would you rate your overall experience?",
    "How long did you wait to be seen?",
    "Were you given enough information about your care?",
    "How easy was it to book an appointment?",
    "Would you recommend this service to friends and family?",
    "How many days in the last week did you feel rested?",
    "Which of these services did you use?",
    "Is there anything we could have done better?",
];

const QUESTION_TYPES: &[&str] = &["likert", "mc_single", "mc_multi", "yesno", "text", "number"];

/// Template topics: names are distinct and none appears in any description.
const TEMPLATE_TOPICS: &[&str] = &[
    "Anxiety screening (GAD-7)",
    "Depression screening (PHQ-9)",
    "Sleep quality",
    "Pain intensity",
    "Smoking history",
    "Alcohol use (AUDIT-C)",
    "Physical activity",
    "Diet and nutrition",
    "Quality of life (EQ-5D)",
    "Demographics core set",
    "Ethnicity and language",
    "Carer responsibilities",
    "Patient experience core",
    "Medication review",
    "Falls risk",
    "Frailty assessment",
    "Paediatric growth",
    "Asthma control",
    "Diabetes self-care",
    "Wellbeing (WEMWBS)",
    "Cognitive screening",
    "Housing circumstances",
    "Employment status",
    "Digital access",
];

const DESCRIPTIONS: &[&str] = &[
    "Validated items for routine outpatient follow-up",
    "Short set used at clinic intake",
    "Adapted for community settings with plain-English wording",
    "Core items agreed by the regional research network",
    "Bilingual set reviewed by the patient panel",
    "Items chosen for longitudinal cohort studies",
];

const TAGS: &[&str] = &[
    "mental-health",
    "wellbeing",
    "demographics",
    "nhs",
    "paediatrics",
    "pain",
    "sleep",
    "lifestyle",
    "quality-of-life",
    "screening",
];

const LANGUAGES: &[&str] = &["en", "cy", "en", "en", "cy"];

impl App {
    fn new(seed: u64, size: usize, fault: Option<Fault>, variant: Option<Variant>) -> App {
        let apart = variant == Some(Variant::RolesApart);
        let org_offset = (mix(seed, 7) % ORG_NAMES.len() as u64) as usize;
        let orgs: HashMap<u64, String> = [ORG_A, ORG_B, ORG_D]
            .iter()
            .map(|&o| {
                (
                    o,
                    ORG_NAMES[(org_offset + o as usize) % ORG_NAMES.len()].to_string(),
                )
            })
            .collect();
        let user = |id: u64, name: &str, tier: Tier, org: Option<(u64, OrgRole)>| User {
            id,
            username: format!("{name}-{:04x}", mix(seed, 100 + id) % 0x10000),
            tier,
            org,
        };
        let users: HashMap<u64, User> = [
            // roles-apart: the owner belongs to no organisation, the viewer to another one.
            user(
                OWNER,
                "owner",
                Tier::Pro,
                (!apart).then_some((ORG_A, OrgRole::Creator)),
            ),
            user(
                ORG_ADMIN,
                "orgadmin",
                Tier::Organisation,
                Some((ORG_A, OrgRole::Admin)),
            ),
            user(
                ORG_VIEWER,
                "viewer",
                Tier::Organisation,
                Some((if apart { ORG_D } else { ORG_A }, OrgRole::Viewer)),
            ),
            user(FREE, "free", Tier::Free, None),
            user(TEAM, "team", Tier::Team, None),
            user(
                ENTERPRISE,
                "enterprise",
                Tier::Enterprise,
                Some((ORG_D, OrgRole::Admin)),
            ),
            user(
                OUTSIDER,
                "outsider",
                Tier::Organisation,
                Some((ORG_B, OrgRole::Creator)),
            ),
            user(
                MEMBER_A,
                "member",
                Tier::Organisation,
                Some((ORG_A, OrgRole::Creator)),
            ),
            user(
                ADMIN_B,
                "admin-b",
                Tier::Organisation,
                Some((ORG_B, OrgRole::Admin)),
            ),
            user(
                MEMBER_D,
                "member-d",
                Tier::Enterprise,
                Some((ORG_D, OrgRole::Creator)),
            ),
            user(STRANGER, "stranger", Tier::Pro, None),
        ]
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
        let key = |n: u64| {
            format!(
                "ct_live_{:016x}{:016x}",
                mix(seed, 1000 + n),
                mix(seed ^ 0x5eed, 2000 + n)
            )
        };
        let role_keys: Vec<(&'static str, String)> = vec![
            ("owner", key(OWNER)),
            ("org_admin", key(ORG_ADMIN)),
            ("org_viewer", key(ORG_VIEWER)),
            ("free", key(FREE)),
            ("team", key(TEAM)),
            ("enterprise", key(ENTERPRISE)),
            ("outsider", key(OUTSIDER)),
        ];
        let special_keys: Vec<(&'static str, String)> = vec![
            ("revoked_api_key", key(50)),
            ("expired_api_key", key(51)),
            ("password_changed_api_key", key(52)),
        ];
        let mut keys: HashMap<String, (u64, KeyState)> = HashMap::new();
        for (i, (_, k)) in role_keys.iter().enumerate() {
            let uid = [
                OWNER, ORG_ADMIN, ORG_VIEWER, FREE, TEAM, ENTERPRISE, OUTSIDER,
            ][i];
            keys.insert(k.clone(), (uid, KeyState::Live));
        }
        keys.insert(special_keys[0].1.clone(), (OWNER, KeyState::Revoked));
        keys.insert(special_keys[1].1.clone(), (OWNER, KeyState::Expired));
        keys.insert(
            special_keys[2].1.clone(),
            (OWNER, KeyState::PasswordChanged),
        );
        let templates = make_templates(seed, &users, variant == Some(Variant::LocaleOrdering));
        let datasets = make_datasets(seed, &orgs);
        App {
            seed,
            size: size as u64,
            fault,
            variant,
            id_base: if apart { 5000 } else { 0 },
            users,
            orgs,
            keys,
            role_keys,
            special_keys,
            templates,
            datasets,
            throttles: Throttles::default(),
            created: AtomicU64::new(0),
            schema: include_str!("../../specs/checktick/openapi.yaml"),
        }
    }

    fn credentials(&self) -> Credentials {
        let mut c = Credentials::default().with("api_key", self.role_keys[0].1.clone());
        for (name, k) in &self.special_keys {
            c = c.with(name, k.clone());
        }
        for (role, k) in &self.role_keys {
            c = c.with_role(role, "api_key", k.clone());
        }
        c
    }

    fn is(&self, f: Fault) -> bool {
        self.fault == Some(f)
    }

    fn chose(&self, v: Variant) -> bool {
        self.variant == Some(v)
    }

    /// What the rules cannot discover, as a profile's `fixtures` would give it: a survey of
    /// org_admin's organisation it does not own, and a template and a dataset of org_viewer's
    /// organisation.
    fn fixtures(&self) -> std::collections::BTreeMap<String, Value> {
        let (survey, template, dataset) = if self.chose(Variant::RolesApart) {
            // A survey of the organisation's other member; the viewer's organisation is D.
            (5, 106, "org-d-departments")
        } else {
            // One of the owner's (the owner is a member of the organisation here).
            (1, 104, "org-a-clinics")
        };
        [
            ("org_survey_id", self.survey_id_json(survey)),
            ("org_template_id", self.template_id_json(template)),
            ("org_dataset_key", json!(dataset)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    // -------------------------------------------------------------- ids

    /// The UUID-like prefix of string ids (`string-ids`), per seed and kind; the number ends it.
    fn uuid_prefix(&self, kind: u64) -> String {
        let m = mix(self.seed ^ 0x1d5, kind);
        format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}",
            m >> 32,
            (m >> 16) & 0xffff,
            (m >> 4) & 0xfff,
            m & 0xfff
        )
    }

    fn id_json(&self, kind: u64, number: u64) -> Value {
        if self.chose(Variant::StringIds) {
            json!(format!("{}-{number:012x}", self.uuid_prefix(kind)))
        } else {
            json!(number)
        }
    }

    /// The number an id written in a path stands for, if it is one of this mock's forms.
    fn parse_id(&self, kind: u64, raw: &str) -> Option<u64> {
        if self.chose(Variant::StringIds) {
            let hex = raw
                .strip_prefix(&self.uuid_prefix(kind))?
                .strip_prefix('-')?;
            if hex.len() != 12 {
                return None;
            }
            u64::from_str_radix(hex, 16).ok()
        } else {
            raw.parse().ok()
        }
    }

    /// Survey `n`'s id as the API writes it.
    fn survey_id_json(&self, n: u64) -> Value {
        self.id_json(1, self.id_base + n)
    }

    /// The survey (its number `n`) a path's id names, if it exists.
    fn survey_number(&self, raw: &str) -> Option<u64> {
        self.parse_id(1, raw)
            .and_then(|id| id.checked_sub(self.id_base))
            .filter(|&n| self.survey_exists(n))
    }

    fn template_id_json(&self, id: u64) -> Value {
        self.id_json(2, id)
    }

    /// A timestamp as this deployment writes it: DRF's ISO 8601, or (`locale-ordering`) a
    /// DATETIME_FORMAT of `%d/%m/%Y %H:%M:%S`.
    fn timestamp(&self, iso: String) -> String {
        match (self.chose(Variant::LocaleOrdering), iso.get(0..19)) {
            // `YYYY-MM-DDTHH:MM:SS.ffffffZ` rearranged.
            (true, Some(t)) => format!("{}/{}/{} {}", &t[8..10], &t[5..7], &t[0..4], &t[11..19]),
            _ => iso,
        }
    }

    // -------------------------------------------------------------- responses

    /// A DRF error (`{"detail": ...}`), or the faulty envelope the fault asks for.
    fn error(&self, status: StatusCode, detail: &str) -> Response {
        let broken = match status.as_u16() {
            401 => self.is(Fault::Envelope401),
            403 => self.is(Fault::Envelope403),
            404 => self.is(Fault::Envelope404),
            405 => self.is(Fault::Envelope405),
            429 => self.is(Fault::Envelope429),
            _ => false,
        };
        let mut resp = if !broken && self.chose(Variant::ProblemDetails) {
            let body = json!({
                "type": "about:blank",
                "title": status.canonical_reason().unwrap_or("Error"),
                "status": status.as_u16(),
            });
            (
                status,
                [(header::CONTENT_TYPE, "application/problem+json")],
                body.to_string(),
            )
                .into_response()
        } else if !broken {
            (status, axum::Json(json!({ "detail": detail }))).into_response()
        } else {
            match status.as_u16() {
                401 => (status, axum::Json(json!({ "error": detail }))).into_response(),
                403 => (status, axum::Json(json!({ "message": detail }))).into_response(),
                404 => (
                    status,
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    "<!doctype html><html><head><title>Not Found</title></head><body><h1>Not Found</h1>\
                     <p>The requested resource was not found on this server.</p></body></html>",
                )
                    .into_response(),
                405 => status.into_response(),
                _ => (
                    status,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    detail.to_string(),
                )
                    .into_response(),
            }
        };
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"api\""),
            );
        }
        resp
    }

    fn method_not_allowed(&self, method: &Method) -> Response {
        let mut resp = self.error(
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
        resp.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static(allow));
        resp
    }

    fn throttled(&self, wait: Option<u64>) -> Response {
        let msg = match wait {
            Some(w) => format!("Request was throttled. Expected available in {w} seconds."),
            None => "Request was throttled.".to_string(),
        };
        let mut resp = self.error(StatusCode::TOO_MANY_REQUESTS, &msg);
        if let Some(w) = wait {
            if let Ok(v) = HeaderValue::from_str(&w.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }

    // -------------------------------------------------------------- authentication

    /// DRF's authentication: no `Authorization` (or another scheme) is anonymous; a Bearer
    /// key is the key's user, or 401 (the error is its detail).
    fn authenticate(&self, headers: &HeaderMap) -> Result<Option<&User>, &'static str> {
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
    fn tier_refusal(&self, user: &User) -> Option<Response> {
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

    fn ident(headers: &HeaderMap) -> String {
        match headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
            Some(xff) if !xff.trim().is_empty() => xff.split_whitespace().collect(),
            _ => "loopback".to_string(),
        }
    }

    /// DRF's SimpleRateThrottle for `/api/token`: `Some(wait)` when throttled.
    fn token_throttle(&self, ident: String) -> Option<u64> {
        let (limit, window) = TOKEN_RATE;
        let now = Instant::now();
        let mut map = self
            .throttles
            .token
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if map.len() > MAX_IDENTS {
            map.retain(|_, h| h.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let history = map.entry(ident).or_default();
        while history
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            history.pop_front();
        }
        if history.len() >= limit {
            let oldest = history.front().copied().unwrap_or(now);
            let remaining = window.saturating_sub(now.duration_since(oldest));
            return Some(remaining.as_secs_f64().ceil().max(1.0) as u64);
        }
        history.push_back(now);
        None
    }

    /// A fixed-window counter: `Some(wait)` when the window's allowance is spent.
    fn window_throttle<K: std::hash::Hash + Eq>(
        map: &Mutex<HashMap<K, (Instant, u32)>>,
        key: K,
        (limit, window): (u32, Duration),
    ) -> Option<u64> {
        let now = Instant::now();
        let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > MAX_IDENTS {
            map.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = map.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        if entry.1 >= limit {
            let remaining = window.saturating_sub(now.duration_since(entry.0));
            return Some(remaining.as_secs_f64().ceil().max(1.0) as u64);
        }
        entry.1 += 1;
        None
    }

    // -------------------------------------------------------------- the API pipeline

    /// Authentication, permissions, throttles, method, then the endpoint: DRF's order.
    fn handle(
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
                if let Some(wait) =
                    Self::window_throttle(&self.throttles.anon, Self::ident(headers), ANON_RATE)
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
                if let Some(wait) = Self::window_throttle(&self.throttles.user, user.id, USER_RATE)
                {
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
    fn write(&self, ep: Ep, method: &Method, caller: Option<&User>) -> Response {
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
                (StatusCode::CREATED, axum::Json(body)).into_response()
            }
            // The faulty write "succeeds": it answers the object as it stands.
            other => self.read(other, caller, None),
        }
    }

    fn read(&self, ep: Ep, caller: Option<&User>, query: Option<&str>) -> Response {
        match ep {
            Ep::SurveyList => ok(self.survey_list(caller)),
            Ep::Survey(id) => self.survey(&id, caller, false),
            Ep::Metrics(id) => self.survey(&id, caller, true),
            Ep::DatasetList => ok(self.dataset_list(caller)),
            Ep::Dataset(key) => self.dataset(&key, caller),
            Ep::TemplateList => ok(self.template_list(caller, query.unwrap_or(""))),
            Ep::Template(id) => self.template(&id, caller),
        }
    }

    // -------------------------------------------------------------- surveys

    /// Survey `id` (1..=size): its slot says whose it is.
    fn survey_owner(&self, id: u64) -> (u64, Option<u64>) {
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
    fn is_member(&self, user: u64, id: u64) -> bool {
        let (slot, block) = ((id - 1) % 8, (id - 1) / 8);
        user == ORG_VIEWER && (slot == 1 || (slot == 4 && block % 2 == 0))
    }

    fn survey_exists(&self, id: u64) -> bool {
        id >= 1 && id <= self.size
    }

    /// Ids of the surveys with one of `slots`, ascending.
    fn surveys_in_slots(&self, slots: &[u64]) -> Vec<u64> {
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

    fn survey_list(&self, caller: Option<&User>) -> Value {
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

    fn survey(&self, raw_id: &str, caller: Option<&User>, metrics: bool) -> Response {
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
            ok(self.metrics_json(id))
        } else {
            ok(self.survey_json(id, true))
        }
    }

    fn can_view_survey(&self, user: &User, id: u64, metrics: bool) -> bool {
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

    fn survey_json(&self, id: u64, detail: bool) -> Value {
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

    fn metrics_json(&self, id: u64) -> Value {
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

    // -------------------------------------------------------------- datasets

    fn dataset_visible(&self, d: &Dataset, caller: Option<&User>, listing: bool) -> bool {
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

    fn dataset_list(&self, caller: Option<&User>) -> Value {
        Value::Array(
            self.datasets
                .iter()
                .filter(|d| self.dataset_visible(d, caller, true))
                .map(|d| self.dataset_json(d, false))
                .collect(),
        )
    }

    fn dataset(&self, key: &str, caller: Option<&User>) -> Response {
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
        ok(self.dataset_json(d, true))
    }

    fn dataset_json(&self, d: &Dataset, detail: bool) -> Value {
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

    // -------------------------------------------------------------- templates

    fn template_visible(&self, t: &Template, user: Option<&User>, listing: bool) -> bool {
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

    fn template_list(&self, caller: Option<&User>, query: &str) -> Value {
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

    fn template(&self, raw_id: &str, caller: Option<&User>) -> Response {
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
            return ok(self.template_json(other, caller));
        }
        ok(self.template_json(t, caller))
    }

    fn template_json(&self, t: &Template, caller: Option<&User>) -> Value {
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

    // -------------------------------------------------------------- public endpoints

    fn public(&self, page: Public, method: &Method, headers: &HeaderMap) -> Response {
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
            Public::Health => ok(json!({ "status": "ok" })),
            Public::Docs => html(
                "CheckTick API documentation",
                "<div id=\"swagger-ui\" data-url=\"/api/schema\"></div>",
            ),
            Public::Redoc => html(
                "CheckTick API reference",
                "<redoc spec-url=\"/api/schema\"></redoc>",
            ),
            Public::Schema => (
                [(
                    header::CONTENT_TYPE,
                    "application/vnd.oai.openapi; charset=utf-8",
                )],
                self.schema,
            )
                .into_response(),
        }
    }

    /// The legacy token endpoint: throttled (5 a minute per IP) before anything else; GET is
    /// the only method, and it has nothing to exchange (the document describes no body).
    fn token(&self, method: &Method, headers: &HeaderMap) -> Response {
        if !self.is(Fault::TokenUnthrottled) {
            if let Some(wait) = self.token_throttle(Self::ident(headers)) {
                let wait = (!self.is(Fault::TokenNoRetryAfter)).then_some(wait);
                return self.throttled(wait);
            }
        }
        if method != Method::GET && method != Method::HEAD {
            return self.method_not_allowed(method);
        }
        (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({
                "detail": "The legacy token endpoint issues no tokens: generate a named API key in Account → API Keys."
            })),
        )
            .into_response()
    }
}

impl Template {
    fn level(&self) -> &'static str {
        if self.org.is_some() {
            "organisation"
        } else {
            "global"
        }
    }
}

/// How a database locale compares names (`locale-ordering`): case and punctuation blind.
fn collation_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn ok(body: Value) -> Response {
    (StatusCode::OK, axum::Json(body)).into_response()
}

fn html(title: &str, body: &str) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!(
            "<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>"
        ),
    )
        .into_response()
}

/// A UNIX time as DRF writes it: `2024-03-05T10:11:12.123456Z` (fixed width, so string order
/// is time order).
fn iso(secs: i64, salt: u64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:06}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        salt % 1_000_000
    )
}

/// `lower_case`: some names begin in lower case (`locale-ordering`).
fn make_templates(seed: u64, users: &HashMap<u64, User>, lower_case: bool) -> Vec<Template> {
    let n = TEMPLATE_TOPICS.len() as u64;
    let offset = mix(seed, 30) % n;
    (0..n)
        .map(|j| {
            let id = 101 + j;
            let mut name = TEMPLATE_TOPICS[((j + offset) % n) as usize].to_string();
            if lower_case && j % 3 == 1 {
                name = name[..1].to_lowercase() + &name[1..];
            }
            let org = match j % 6 {
                0..=2 => None,
                3 => Some(ORG_A),
                4 => Some(ORG_B),
                _ => Some(ORG_D),
            };
            let publishers: &[u64] = match org {
                None => &[OWNER, ORG_ADMIN, OUTSIDER, ADMIN_B, ENTERPRISE, TEAM],
                Some(ORG_A) => &[OWNER, ORG_ADMIN, MEMBER_A],
                Some(ORG_B) => &[OUTSIDER, ADMIN_B],
                Some(_) => &[ENTERPRISE, MEMBER_D],
            };
            let publisher = publishers[(mix(seed ^ 31, j) % publishers.len() as u64) as usize];
            // Both languages at both levels are always there (the language filter and the
            // documented example have something to tell apart); the rest are picked.
            let language = match j {
                0 | 9 => "en",
                1 | 3 => "cy",
                _ => pick(LANGUAGES, seed, j, 32),
            };
            let n_tags = if j == 0 || j == 3 {
                2
            } else {
                1 + mix(seed ^ 33, j) % 3
            };
            let first = mix(seed ^ 34, j) % TAGS.len() as u64;
            let step = 1 + mix(seed ^ 35, j) % (TAGS.len() as u64 - 1);
            let mut tags: Vec<String> = Vec::new();
            for t in 0..n_tags {
                let tag = TAGS[((first + t * step) % TAGS.len() as u64) as usize].to_string();
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
            let description = (j != 2).then(|| {
                format!(
                    "{} (set {}).",
                    DESCRIPTIONS[(mix(seed ^ 36, j) % DESCRIPTIONS.len() as u64) as usize],
                    j + 1
                )
            });
            let markdown = format!(
                "# {name}\n\n1. How often in the last two weeks? (likert)\n2. Any comments? (text)\n"
            );
            let attribution = if mix(seed ^ 37, j) % 3 == 0 {
                Value::Null
            } else {
                json!({
                    "authors": [users.get(&publisher).map(|u| u.username.clone())],
                    "licence": "CC BY 4.0",
                    "source": "CheckTick template library",
                })
            };
            let created = 1_672_531_200 + (mix(seed ^ 38, j) % (600 * 86_400)) as i64;
            let updated = created + (mix(seed ^ 39, j) % (90 * 86_400)) as i64;
            Template {
                id,
                name,
                description,
                markdown,
                org,
                publisher,
                attribution,
                tags,
                language,
                import_count: mix(seed ^ 40, j) % 2000,
                created_at: iso(created, mix(seed ^ 41, j)),
                updated_at: iso(updated, mix(seed ^ 42, j)),
            }
        })
        .collect()
}

fn make_datasets(seed: u64, orgs: &HashMap<u64, String>) -> Vec<Dataset> {
    type Spec<'a> = (&'a str, &'a str, &'static str, Option<u64>, &'a [&'a str]);
    let specs: &[Spec] = &[
        (
            "countries",
            "Countries",
            "external_api",
            None,
            &["United Kingdom", "Ireland", "France"],
        ),
        (
            "ethnic_category",
            "Ethnic category",
            "nhs_dd",
            None,
            &["A - White British", "B - White Irish", "Z - Not stated"],
        ),
        (
            "marital_status",
            "Marital status",
            "nhs_dd",
            None,
            &["S - Single", "M - Married/Civil partner", "D - Divorced"],
        ),
        (
            "smoking_status",
            "Smoking status",
            "nhs_dd",
            None,
            &["1 - Current smoker", "2 - Ex-smoker", "4 - Never smoked"],
        ),
        (
            "uk_nations",
            "UK nations",
            "user_created",
            None,
            &["England", "Scotland", "Wales", "Northern Ireland"],
        ),
        (
            "welsh_health_boards",
            "Welsh health boards",
            "rcpch",
            None,
            &["Aneurin Bevan", "Betsi Cadwaladr", "Cardiff and Vale"],
        ),
        (
            "org-a-clinics",
            "Clinics",
            "user_created",
            Some(ORG_A),
            &["North clinic", "South clinic", "Day unit"],
        ),
        (
            "org-a-wards",
            "Wards",
            "user_created",
            Some(ORG_A),
            &["Ward 1", "Ward 2", "Ward 3"],
        ),
        (
            "org-b-sites",
            "Sites",
            "user_created",
            Some(ORG_B),
            &["Riverside", "Hilltop"],
        ),
        (
            "org-d-departments",
            "Departments",
            "user_created",
            Some(ORG_D),
            &["Finance", "Research", "Estates"],
        ),
    ];
    specs
        .iter()
        .enumerate()
        .map(|(i, (key, name, category, org, options))| {
            let i = i as u64;
            let created = 1_640_995_200 + (mix(seed ^ 50, i) % (700 * 86_400)) as i64;
            let updated = created + (mix(seed ^ 51, i) % (200 * 86_400)) as i64;
            let owner = org
                .and_then(|o| orgs.get(&o))
                .map(|n| format!(" of {n}"))
                .unwrap_or_default();
            Dataset {
                key: key.to_string(),
                name: name.to_string(),
                description: format!("{name} dropdown options{owner}."),
                category,
                org: *org,
                options: options.iter().map(|s| s.to_string()).collect(),
                version: 1 + mix(seed ^ 52, i) % 5,
                created_at: iso(created, mix(seed ^ 53, i)),
                updated_at: iso(updated, mix(seed ^ 54, i)),
            }
        })
        .collect()
}

// ------------------------------------------------------------------ routing

enum Ep {
    SurveyList,
    Survey(String),
    Metrics(String),
    DatasetList,
    Dataset(String),
    TemplateList,
    Template(String),
}

#[derive(Clone, Copy)]
enum Public {
    Health,
    Docs,
    Redoc,
    Schema,
}

type St = State<Arc<App>>;
type P = Result<Path<String>, PathRejection>;

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route(
            "/api/surveys/",
            any(|State(a): St, m: Method, h: HeaderMap| async move {
                a.handle(Ep::SurveyList, &m, &h, None)
            }),
        )
        .route(
            "/api/surveys/{id}/",
            any(|State(a): St, p: P, m: Method, h: HeaderMap| async move {
                path_or_404(&a, p, |id| a.handle(Ep::Survey(id), &m, &h, None))
            }),
        )
        .route(
            "/api/surveys/{id}/metrics/responses/",
            any(|State(a): St, p: P, m: Method, h: HeaderMap| async move {
                path_or_404(&a, p, |id| a.handle(Ep::Metrics(id), &m, &h, None))
            }),
        )
        .route(
            "/api/datasets/",
            any(|State(a): St, m: Method, h: HeaderMap| async move {
                a.handle(Ep::DatasetList, &m, &h, None)
            }),
        )
        .route(
            "/api/datasets/{key}/",
            any(|State(a): St, p: P, m: Method, h: HeaderMap| async move {
                path_or_404(&a, p, |key| a.handle(Ep::Dataset(key), &m, &h, None))
            }),
        )
        .route(
            "/api/question-group-templates/",
            any(
                |State(a): St, m: Method, h: HeaderMap, RawQuery(q): RawQuery| async move {
                    a.handle(Ep::TemplateList, &m, &h, q.as_deref())
                },
            ),
        )
        .route(
            "/api/question-group-templates/{id}/",
            any(|State(a): St, p: P, m: Method, h: HeaderMap| async move {
                path_or_404(&a, p, |id| a.handle(Ep::Template(id), &m, &h, None))
            }),
        )
        .route(
            "/api/health",
            any(|State(a): St, m: Method, h: HeaderMap| async move {
                a.public(Public::Health, &m, &h)
            }),
        )
        .route(
            "/api/docs",
            any(|State(a): St, m: Method, h: HeaderMap| async move {
                a.public(Public::Docs, &m, &h)
            }),
        )
        .route(
            "/api/redoc",
            any(|State(a): St, m: Method, h: HeaderMap| async move {
                a.public(Public::Redoc, &m, &h)
            }),
        )
        .route(
            "/api/schema",
            any(|State(a): St, m: Method, h: HeaderMap| async move {
                a.public(Public::Schema, &m, &h)
            }),
        )
        .route(
            "/api/token",
            any(|State(a): St, m: Method, h: HeaderMap| async move { a.token(&m, &h) }),
        )
        .fallback(|State(a): St| async move { a.error(StatusCode::NOT_FOUND, "Not found.") })
        .layer(middleware::from_fn_with_state(app.clone(), cors))
        .with_state(app)
}

fn path_or_404(app: &App, p: P, f: impl FnOnce(String) -> Response) -> Response {
    match p {
        Ok(Path(v)) => f(v),
        Err(_) => app.error(StatusCode::NOT_FOUND, "Not found."),
    }
}

/// The one origin `alternative-forms` lists in its CORS_ALLOWED_ORIGINS.
const ALLOWED_ORIGIN: &str = "https://surveys.example.com";

/// CORS is disabled: no `Access-Control-*` header, ever (unless the fault grants the origin, or
/// `alternative-forms` lists it).
async fn cors(State(app): St, req: Request, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let mut resp = next.run(req).await;
    // alternative-forms: CORS_ALLOWED_ORIGINS lists one front end, explicitly.
    let listed = origin
        .as_ref()
        .is_some_and(|o| o.as_bytes() == ALLOWED_ORIGIN.as_bytes());
    if app.chose(Variant::AlternativeForms) && listed {
        let h = resp.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static(ALLOWED_ORIGIN),
        );
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    if app.is(Fault::CorsReflected) {
        if let Some(origin) = origin {
            let h = resp.headers_mut();
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            h.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
            h.insert(header::VARY, HeaderValue::from_static("Origin"));
        }
    }
    resp
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

    #[test]
    fn survey_slots_partition_the_ids() {
        let app = App::new(1, 40, None, None);
        let mut all = app.surveys_in_slots(&[0, 1, 2, 3, 4, 5, 6, 7]);
        all.sort();
        assert_eq!(all, (1..=40).collect::<Vec<u64>>());
        assert_eq!(app.surveys_in_slots(&[0]), vec![1, 9, 17, 25, 33]);
    }

    #[test]
    fn template_names_are_unique_and_absent_from_descriptions() {
        for seed in 0..20 {
            let app = App::new(seed, 8, None, None);
            for t in &app.templates {
                assert_eq!(app.templates.iter().filter(|o| o.name == t.name).count(), 1);
                for o in &app.templates {
                    let d = o.description.clone().unwrap_or_default().to_lowercase();
                    assert!(!d.contains(&t.name.to_lowercase()));
                    if let Some(desc) = &t.description {
                        assert!(!o.name.to_lowercase().contains(&desc.to_lowercase()));
                    }
                }
            }
        }
    }
}
