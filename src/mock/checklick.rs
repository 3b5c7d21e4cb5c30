//! The Checklick API (checklick.txt): a JSON:API service at https://api.checklick.com only, with
//! four request headers (`Content-Type: application/vnd.api+json`, `Api-Version: 2`,
//! `Authorization: Token token=…`, `Organization-Id`), `page[size]`/`page[number]` pagination
//! (default 10, capped at 20) with `self/first/prev/next/last` links, attribute filters and the
//! UNIX-time filters `filter[created_on_or_after]` / `filter[created_before]`.
//!
//! Where the document is silent (statuses and bodies of refusals), the mock answers as the
//! JSON:API specification it follows says: error documents `{errors: [{status, code, title,
//! detail, source?}]}` served as `application/vnd.api+json`; 404 for a resource that does not
//! exist, 409 for a type or id conflict, 403 for a client-generated id, 422 for invalid
//! attributes, 400 for unsupported query parameters. Refused transport: 421 for a host that is
//! not api.checklick.com, 403 on the plain-HTTP port. Refused headers: 415 (Content-Type), 400
//! (Api-Version, a missing or malformed Organization-Id), 401 (token, with
//! `WWW-Authenticate: Token realm="Application"`), 403 (an organization the manager does not
//! manage).
//!
//! Data: `size` users (default 95), each derived from its id alone (odd ids were created before
//! 2020, even ids after it, so any page of users holds both); created and updated users are an
//! overlay. Every user has 8 assessments (for the 8 skills of one block of the catalogue, so a
//! skill's assessments are an arithmetic progression of users), 1 to 8 credentials on the levels
//! of one checklist, and 1 to 3 tag applications. The catalogue (12 checklists, 48 levels,
//! 144 sections, 576 skills, 24 tags) is small and built once.
//!
//! Faithful variants (`--variant`, the `variants!` table) keep every sentence of the document and
//! choose otherwise where it is silent: refusals from a front end, ids as numbers, foreign keys
//! as strings, null values left out, more header forms accepted, another order and data set-up,
//! link objects with 204 updates, a singular type for users, no page-size cap.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::{json, Map, Value};

use super::common::{self, mix, page_count, page_range, pick};
use super::kit::ids::parse_id;
use super::kit::throttle::SlidingLog;
use super::kit::{envelope, pages, time, HasSwitches, Mock, Switches};
use super::{Built, MockOptions, Shared, Transport};
use crate::target::Credentials;
use crate::{faults, variants};

faults! {
    PlainHttpServed = "transport.plain-http-served" => ["checklick.transport.https-only"]:
        "the plain-HTTP port serves the API like the HTTPS one instead of refusing every request",
    AnyHost = "transport.any-host" => ["checklick.transport.host"]:
        "the Host header is not checked: a request for app.checklick.com is served",
    ContentTypeNotRequired = "headers.content-type-not-required" => [
        "checklick.headers.content-type",
        "checklick.headers.content-type-other",
    ]: "a request without Content-Type, or with application/json, is served",
    ContentTypeJsonAccepted = "headers.content-type-json-accepted" => ["checklick.headers.content-type-other"]
        ~ "the document lists a missing Content-Type among the causes of failure, never says another media type is refused":
        "a request with Content-Type application/json is served (one without Content-Type is still refused)",
    ApiVersionNotRequired = "headers.api-version-not-required" => [
        "checklick.headers.api-version",
        "checklick.headers.api-version-other",
    ]: "a request without Api-Version, or with Api-Version 999, is served",
    OrganizationIdNotRequired = "headers.organization-id-not-required" => ["checklick.headers.organization-id"]:
        "a request without Organization-Id, or for organization 0, is served (as the manager's organization)",
    TokenNotChecked = "auth.token-not-checked" => ["checklick.auth.token"]:
        "a request without Authorization, or with an unknown token, is served",
    MediaTypeJson = "format.media-type-json" => ["checklick.format.media-type"]:
        "successful responses are served as application/json instead of application/vnd.api+json",
    ErrorMediaTypeJson = "format.error-media-type-json" => ["checklick.format.error-media-type"]
        ~ "the document shows no error response; JSON:API requires its media type only of JSON:API documents":
        "error documents are served as application/json instead of application/vnd.api+json",
    ErrorEnvelopePlain = "format.error-envelope-plain" => ["checklick.format.error-envelope"]
        ~ "the document never shows an error body; JSON:API only allows (MAY) error documents":
        "refusals answer `{\"error\": \"…\"}` instead of a JSON:API error document (same status and media type)",
    IdsNotIntegers = "format.ids-not-integers" => [
        "checklick.format.resource-objects",
        "checklick.users.list",
    ]: "the users of GET /users have ids such as `usr_14` instead of integer id values",
    TimestampsUnix = "format.timestamps-unix" => ["checklick.format.timestamps"]
        ~ "the document shows created-at only in its examples, never states its format":
        "credentials and assessments write created-at as UNIX seconds (a number)",
    UnknownUserNull = "format.unknown-user-null" => ["checklick.format.not-found"]:
        "GET /users/:id of a user that does not exist answers 200 `{\"data\": null}` instead of 404",
    ListItemsWithoutAttributes = "format.list-items-without-attributes" => [
        "checklick.format.resource-objects",
        "checklick.users.attributes",
    ]: "the items of GET /users are resource identifiers (id, type) without their attributes",
    SampleRequestNotJsonApi = "users.sample-request-not-jsonapi" => [
        "checklick.start.first-request",
        "checklick.users.list",
        // The same request (GET /users with no query).
        "checklick.format.resource-objects",
        "checklick.pagination.default-size",
    ]: "GET /users with no query answers a plain `{\"users\": [...]}` list instead of a JSON:API document",
    UsersGetOffByOne = "users.get-off-by-one" => ["checklick.users.get"]:
        "GET /users/:id of a user of the data set answers the next user",
    UsersWithoutUpdatedAt = "users.attributes-without-updated-at" => ["checklick.users.attributes"]:
        "user records leave out updated-at",
    UserAssessmentsWrongType = "assessments.user-list-wrong-type" => ["checklick.assessments.list-for-user"]:
        "a user's assessment list gives its items the type `assessment` instead of `assessments`",
    AssessmentGetWrongType = "assessments.get-wrong-type" => ["checklick.assessments.get-for-user"]:
        "GET /users/:user_id/assessments/:id gives the assessment the type `assessment`",
    UserAssessmentsLeak = "assessments.user-list-leaks" => ["checklick.assessments.scoped-to-user"]
        ~ "which user an assessment is \"user-specific\" to (the evaluatee) is read from one example":
        "a user's assessment list also holds an assessment of the next user",
    AssessmentPassOnGet = "assessments.pass-on-get" => ["checklick.assessments.no-pass-field"]:
        "GET /users/:user_id/assessments/:id carries a pass field",
    AssessmentGetWithoutSkillId = "assessments.get-without-skill-id" => ["checklick.assessments.attributes"]:
        "GET /users/:user_id/assessments/:id leaves out skill-id",
    AssessmentPassInLists = "assessments.pass-in-lists" => ["checklick.assessments.no-pass-field-in-lists"]:
        "the items of a user's assessment list carry a pass field",
    SkillAssessmentsWrongType = "assessments.skill-list-wrong-type" => ["checklick.assessments.list-for-skill"]:
        "a skill's assessment list gives its items the type `assessment`",
    SkillAssessmentsLeak = "assessments.skill-list-leaks" => ["checklick.assessments.scoped-to-skill"]:
        "a skill's assessment list also holds an assessment of the next skill",
    DanglingSkillId = "assessments.dangling-skill-id" => [
        "checklick.assessments.skill-definition",
        // It lists the assessments of the skill-id it reads, which is unknown.
        "checklick.assessments.scoped-to-skill",
    ]: "assessments name skill-ids (skill + 100000) that GET /skills/:id does not know",
    SkillGetWrongSkill = "skills.get-wrong-skill" => ["checklick.skills.get"]:
        "GET /skills/:id answers the next skill",
    CredentialsListWrongType = "credentials.list-wrong-type" => ["checklick.credentials.list-for-user"]:
        "a user's credential list gives its items the type `credential`",
    CredentialGetWrongType = "credentials.get-wrong-type" => ["checklick.credentials.get-for-user"]:
        "GET /users/:user_id/credentials/:id gives the credential the type `credential`",
    CredentialWithoutLevelId = "credentials.get-without-level-id" => ["checklick.credentials.attributes"]:
        "GET /users/:user_id/credentials/:id leaves out level-id",
    CredentialPassAsString = "credentials.pass-as-string" => [
        "checklick.credentials.pass-values",
        // Its schema says pass is a boolean or null.
        "checklick.credentials.get-for-user",
    ]: "GET /users/:user_id/credentials/:id writes pass as a string (\"true\", \"false\", \"null\")",
    CredentialsLeak = "credentials.user-list-leaks" => ["checklick.credentials.scoped-to-user"]:
        "a user's credential list also holds a credential of the next user",
    TagApplicationsMissing = "tags.applications-missing" => ["checklick.tags.applications-for-user"]:
        "GET /users/:user_id/tag-applications answers 404",
    TagsWithoutType = "tags.list-without-type" => ["checklick.tags.list"]:
        "the items of GET /tags have no type",
    ChecklistsWithoutType = "structure.checklists-without-type" => ["checklick.structure.checklists"]:
        "the items of GET /checklists have no type",
    LevelsWithoutType = "structure.levels-without-type" => ["checklick.structure.levels"]:
        "the items of GET /levels have no type",
    SectionsWithoutType = "structure.sections-without-type" => ["checklick.structure.sections"]:
        "the items of GET /sections have no type",
    SkillsWithoutType = "structure.skills-without-type" => ["checklick.structure.skills"]:
        "the items of GET /skills have no type",
    FormsServed = "absent.forms-served" => ["checklick.absent.forms"]:
        "GET /forms answers 200 with a list of forms",
    AffiliationsServed = "absent.affiliations-served" => ["checklick.absent.affiliations"]:
        "GET /affiliations answers 200 with a list of affiliations",
    StorefrontServed = "absent.storefront-served" => [
        "checklick.absent.courses",
        "checklick.absent.registrations",
        "checklick.absent.orders",
    ]: "GET /courses, /registrations and /orders answer 200 with (empty) lists",
    DefaultSize20 = "pagination.default-size-20" => ["checklick.pagination.default-size"]:
        "GET /users returns 20 users per page by default instead of 10",
    CatalogDefaultSize20 = "pagination.catalog-default-size-20" => [
        "checklick.pagination.default-size-tags",
        "checklick.pagination.default-size-checklists",
        "checklick.pagination.default-size-levels",
        "checklick.pagination.default-size-sections",
        "checklick.pagination.default-size-skills",
    ]: "GET /tags, /checklists, /levels, /sections and /skills return 20 items per page by default",
    SmallSizeNeedsPageNumber = "pagination.small-size-needs-page-number" => ["checklick.pagination.size"]:
        "a page[size] below 10 is ignored (10 items) unless page[number] is also given",
    CapAt15 = "pagination.cap-at-15" => [
        "checklick.pagination.size-example",
        // A walk at page[size]=20 then takes more than ceil(total/20) pages.
        "checklick.pagination.walk",
    ]: "page sizes are capped at 15 instead of 20 (links carry the capped size)",
    PageNumberZeroBased = "pagination.page-number-zero-based" => ["checklick.pagination.page-number"]
        ~ "that page[number] counts from 1 is shown only by the example's page[number]=1":
        "page[number] counts from 0 (page[number]=1 is the second page; links agree)",
    LinksWithoutLast = "pagination.links-without-last" => ["checklick.pagination.links"]:
        "list documents have no `last` link",
    NextSkipsAPage = "pagination.next-skips-a-page" => ["checklick.pagination.walk"]:
        "the `next` link points two pages ahead, so following it skips every other page",
    LastNameFilterIgnored = "filter.last-name-ignored" => ["checklick.filter.last-name"]:
        "filter[last_name] is accepted and ignored",
    FirstNameFilterIgnored = "filter.first-name-ignored" => ["checklick.filter.first-name"]:
        "filter[first_name] is accepted and ignored",
    CreatedOnOrAfterIgnored = "filter.created-on-or-after-ignored" => [
        "checklick.filter.created-on-or-after",
        "checklick.filter.created-on-or-after-now",
    ]: "filter[created_on_or_after] is accepted and ignored",
    CreatedOnOrAfterDropsAll = "filter.created-on-or-after-drops-all" => ["checklick.filter.created-on-or-after-keeps"]:
        "filter[created_on_or_after] reads its UNIX time as thousands of seconds, so it drops every record",
    CreatedBeforeIgnored = "filter.created-before-ignored" => ["checklick.filter.created-before"]:
        "filter[created_before] is accepted and ignored",
    CreatedBeforeDropsAll = "filter.created-before-drops-all" => [
        "checklick.filter.created-before-keeps",
        "checklick.filter.created-before-now-keeps",
    ]: "filter[created_before] reads its UNIX time as milliseconds, so it drops every record",
    Throttled = "throttle.burst-429" => ["checklick.throttle.none-documented"]:
        "more than 10 requests for the same URL within a second get 429 Too Many Requests",
    PatchNotPersisted = "users.patch-not-persisted" => ["checklick.users.lifecycle"]:
        "PATCH /users/:id answers the updated user but does not store the update",
    CreateUsernameOptional = "users.create-username-optional" => ["checklick.users.create-requires-username"]:
        "a user is created without username (one is made up)",
    CreateFirstNameOptional = "users.create-first-name-optional" => ["checklick.users.create-requires-first-name"]:
        "a user is created without first-name",
    CreateLastNameOptional = "users.create-last-name-optional" => ["checklick.users.create-requires-last-name"]:
        "a user is created without last-name",
    CreateEmailOptional = "users.create-email-optional" => ["checklick.users.create-requires-email"]:
        "a user is created without email",
    CreateBirthDateOptional = "users.create-birth-date-optional" => ["checklick.users.create-requires-birth-date"]:
        "a user is created without birth-date",
    CreatePasswordOptional = "users.create-password-optional" => ["checklick.users.create-requires-password"]:
        "a user is created without password (the confirmation alone is enough)",
    CreatePasswordConfirmationOptional = "users.create-password-confirmation-optional" => ["checklick.users.create-requires-password-confirmation"]:
        "a user is created without password-confirmation",
}

variants! {
    GatewayRefusals = "gateway-refusals":
        "refusals of the request's set-up (a missing or wrong header, token or Organization-Id, another host) come from a front end: `{\"message\": …}` as application/json, or plain text, not JSON:API error documents, and plain HTTP is redirected to HTTPS (301); the document never shows an error body or a refusal's status, and JSON:API only allows (MAY) error documents",
    IntegerIds = "integer-ids":
        "resource ids are JSON numbers (14), not JSON:API's strings (\"14\"); the document calls them \"stable integer id values\" and never shows one quoted",
    StringForeignKeys = "string-foreign-keys":
        "foreign keys (skill-id, evaluatee-id, level-id, organization-id, …) are written as strings (\"14\"); the document shows them as integers only in its two examples",
    OmitNulls = "omit-nulls":
        "null attributes (a credential's pass, a user's unset fields) and null pagination links are left out, and list documents carry no meta; the document says a value may be null and that records \"can include\" attributes, never how an absent value is written",
    LenientHeaders = "lenient-headers":
        "also accepts Content-Type application/json, any Api-Version (served as version 2), and `Authorization: Bearer KEY` or `Token KEY`; the document tells clients what to send and lists only *missing* Content-Type and Api-Version headers among the causes of failure",
    NewestFirst = "newest-first":
        "users are listed from the highest id down; the first one listed has no assessments, credentials or tag applications yet, and only 6 tags are defined (fewer than a page); the document leaves the order and the data of a deployment open",
    LinkObjects = "link-objects":
        "pagination links are JSON:API link objects (`{\"href\": …}`) and PATCH answers 204 No Content; the document names the links (\"such as next and last\") but not their form, and JSON:API allows both, as it allows 204 for an update",
    SingularUserType = "singular-user-type":
        "the users' resource type is `user`, and a create or update must say so; the document shows the types `credentials` and `assessments` but never the users' one, and JSON:API does not make types plural",
    Uncapped = "uncapped":
        "page sizes above 20 are honoured (up to 100); the document says values above 20 \"may be capped by server configuration\"",
}

pub struct Api;

/// The documented host; everything else is refused.
pub const HOST: &str = "api.checklick.com";
/// Users of the data set when `size` is not given: five pages of 20, the last one short.
pub const DEFAULT_SIZE: usize = 95;
pub const MEDIA_TYPE: &str = "application/vnd.api+json";
pub const DEFAULT_PAGE_SIZE: usize = 10;
pub const MAX_PAGE_SIZE: usize = 20;
/// The largest page under `Uncapped`.
const UNCAPPED_MAX: usize = 100;

const CHECKLISTS: u64 = 12;
const LEVELS_PER_CHECKLIST: u64 = 4;
const SECTIONS_PER_LEVEL: u64 = 3;
const SKILLS_PER_SECTION: u64 = 4;
const LEVELS: u64 = CHECKLISTS * LEVELS_PER_CHECKLIST;
const SECTIONS: u64 = LEVELS * SECTIONS_PER_LEVEL;
const SKILLS: u64 = SECTIONS * SKILLS_PER_SECTION;
const TAGS: u64 = 24;
/// Tags defined under `NewestFirst`: fewer than a default page.
const FEW_TAGS: u64 = 6;
/// Every user is assessed on the 8 skills of one block of the catalogue.
const ASSESSMENTS_PER_USER: u64 = 8;
const BLOCKS: u64 = SKILLS / ASSESSMENTS_PER_USER;
/// Id slots per user for credentials and tag applications.
const CREDENTIAL_SLOTS: u64 = 8;
const TAG_APPLICATION_SLOTS: u64 = 4;
/// Under `DanglingSkillId`, assessments name this far past their skill.
const DANGLING_OFFSET: u64 = 100_000;
const MAX_STRING: usize = 255;
/// Under `Throttled`: more requests than this for one URL within a second are refused.
const THROTTLE_LIMIT: usize = 10;

const DAY_MS: i64 = 86_400_000;
/// 2012-01-01T00:00:00Z: the organization's first records.
const DATA_START_MS: i64 = 1_325_376_000_000;
/// 2019-12-01T00:00:00Z: odd users were created before it.
const EARLY_END_MS: i64 = 1_575_158_400_000;
/// 2020-02-01T00:00:00Z: even users were created after it.
const LATE_START_MS: i64 = 1_580_515_200_000;
/// 2025-07-01T00:00:00Z: the last user of the data set.
const USERS_END_MS: i64 = 1_751_328_000_000;
/// 2025-11-01T00:00:00Z: the last record of the data set.
const DATA_END_MS: i64 = 1_761_955_200_000;

const TOKEN_SALT: u64 = 0xC11C_0001;
const ORG_SALT: u64 = 0xC11C_0002;
const USER_SALT: u64 = 0xC11C_0003;
const ASSESSMENT_SALT: u64 = 0xC11C_0004;
const CREDENTIAL_SALT: u64 = 0xC11C_0005;
const TAG_SALT: u64 = 0xC11C_0006;
const CATALOG_SALT: u64 = 0xC11C_0007;

impl Mock for Api {
    const NAME: &'static str = "checklick";
    type Fault = Fault;
    type Variant = Variant;

    fn build(&self, options: &MockOptions, switches: Switches<Fault, Variant>) -> Built {
        let seed = options.seed;
        let size = options.size.unwrap_or(DEFAULT_SIZE) as u64;
        let token = format!(
            "{:016x}{:016x}",
            mix(seed, TOKEN_SALT),
            mix(seed, TOKEN_SALT + 1)
        );
        let org_id = 1000 + mix(seed, ORG_SALT) % 9000;
        let app = Arc::new(App {
            seed,
            size,
            switches,
            token: token.clone(),
            org_id,
            catalog: Catalog::build(seed, org_id, switches.variant),
            users: Shared::new(tokio::sync::RwLock::new(Overlay {
                users: BTreeMap::new(),
                usernames: HashMap::new(),
                next_id: size + 1,
                last_ms: 0,
            })),
            throttle: SlidingLog::default(),
        });
        let credentials = Credentials::default()
            .with("token", token)
            .with("organization_id", org_id.to_string());
        let api = router(app.clone());
        let plain_refusal = if app.is(Fault::PlainHttpServed) {
            api.clone()
        } else if app.chose(Variant::GatewayRefusals) {
            Router::new().fallback(plain_refused_by_front_end)
        } else {
            Router::new().fallback(plain_refused)
        };
        Built {
            router: api,
            credentials,
            base_path: String::new(),
            transport: Transport::Https {
                host: HOST,
                plain_refusal,
            },
            fixtures: Default::default(),
        }
    }
}

fn router(app: Arc<App>) -> Router {
    let mut r = Router::new()
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}", get(get_user).patch(update_user))
        .route("/users/{id}/assessments", get(list_user_assessments))
        .route("/users/{id}/assessments/{item}", get(get_user_assessment))
        .route("/users/{id}/credentials", get(list_user_credentials))
        .route("/users/{id}/credentials/{item}", get(get_user_credential))
        .route("/tags", get(list_tags))
        .route("/checklists", get(list_checklists))
        .route("/levels", get(list_levels))
        .route("/sections", get(list_sections))
        .route("/skills", get(list_skills))
        .route("/skills/{id}", get(get_skill))
        .route("/skills/{id}/assessments", get(list_skill_assessments));
    if !app.is(Fault::TagApplicationsMissing) {
        r = r.route(
            "/users/{id}/tag-applications",
            get(list_user_tag_applications),
        );
    }
    let absent: &[(&str, Fault)] = &[
        ("/forms", Fault::FormsServed),
        ("/affiliations", Fault::AffiliationsServed),
        ("/courses", Fault::StorefrontServed),
        ("/registrations", Fault::StorefrontServed),
        ("/orders", Fault::StorefrontServed),
    ];
    for (path, f) in absent {
        if app.is(*f) {
            r = r.route(path, get(list_absent));
        }
    }
    r.fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(common::MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .layer(middleware::from_fn_with_state(app.clone(), finish))
        .with_state(app)
}

// ------------------------------------------------------------------------------------ state

struct App {
    seed: u64,
    /// Users of the data set: ids 1..=size.
    size: u64,
    switches: Switches<Fault, Variant>,
    token: String,
    org_id: u64,
    catalog: Catalog,
    users: Shared<Overlay>,
    /// Under `Throttled` only: recent requests per URL.
    throttle: SlidingLog<String>,
}

impl HasSwitches for App {
    type Fault = Fault;
    type Variant = Variant;
    fn switches(&self) -> &Switches<Fault, Variant> {
        &self.switches
    }
}

impl App {
    /// The users' JSON:API type: `users`, or `user` under `SingularUserType`.
    fn user_type(&self) -> &'static str {
        if self.chose(Variant::SingularUserType) {
            "user"
        } else {
            "users"
        }
    }

    fn default_size(&self, catalog: bool) -> usize {
        if (!catalog && self.is(Fault::DefaultSize20))
            || (catalog && self.is(Fault::CatalogDefaultSize20))
        {
            20
        } else {
            DEFAULT_PAGE_SIZE
        }
    }
}

/// What was written: created users and changed ones, by id. Ids are handed out in order and
/// never removed (the document shows no DELETE), so the users are exactly 1..next_id.
struct Overlay {
    users: BTreeMap<u64, UserRec>,
    /// Lowercased username → id, for the users of the overlay.
    usernames: HashMap<String, u64>,
    next_id: u64,
    last_ms: i64,
}

impl Overlay {
    fn max_id(&self) -> u64 {
        self.next_id - 1
    }

    /// A timestamp that never goes backwards within this mock.
    fn tick(&mut self) -> i64 {
        self.last_ms = time::now_millis().max(self.last_ms + 1);
        self.last_ms
    }
}

#[derive(Debug, Clone, PartialEq)]
struct UserRec {
    username: String,
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    birth_date: Option<String>,
    address_1: Option<String>,
    address_2: Option<String>,
    city: Option<String>,
    province: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
    created_ms: i64,
    updated_ms: i64,
}

/// The user attributes a client may write (and filter on), dasherized.
const USER_WRITABLE: &[&str] = &[
    "username",
    "email",
    "first-name",
    "last-name",
    "birth-date",
    "address-1",
    "address-2",
    "city",
    "province",
    "postal-code",
    "country",
];
/// Required to create a user ("the minimum required fields"), and never blank afterwards.
const USER_REQUIRED: &[&str] = &[
    "username",
    "first-name",
    "last-name",
    "email",
    "birth-date",
    "password",
    "password-confirmation",
];

impl UserRec {
    fn field(&self, key: &str) -> Option<&str> {
        match key {
            "username" => Some(&self.username),
            "email" => self.email.as_deref(),
            "first-name" => self.first_name.as_deref(),
            "last-name" => self.last_name.as_deref(),
            "birth-date" => self.birth_date.as_deref(),
            "address-1" => self.address_1.as_deref(),
            "address-2" => self.address_2.as_deref(),
            "city" => self.city.as_deref(),
            "province" => self.province.as_deref(),
            "postal-code" => self.postal_code.as_deref(),
            "country" => self.country.as_deref(),
            _ => None,
        }
    }

    fn set(&mut self, key: &str, value: Option<String>) {
        match key {
            "username" => self.username = value.unwrap_or_default(),
            "email" => self.email = value,
            "first-name" => self.first_name = value,
            "last-name" => self.last_name = value,
            "birth-date" => self.birth_date = value,
            "address-1" => self.address_1 = value,
            "address-2" => self.address_2 = value,
            "city" => self.city = value,
            "province" => self.province = value,
            "postal-code" => self.postal_code = value,
            "country" => self.country = value,
            _ => {}
        }
    }
}

// ------------------------------------------------------------------------------------ data set

const FIRST_NAMES: &[&str] = &[
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Charlotte",
    "Oliver",
    "Amelia",
    "Elijah",
    "Ava",
    "James",
    "Sophia",
    "William",
    "Isabella",
    "Benjamin",
    "Mia",
    "Lucas",
    "Evelyn",
    "Henry",
    "Harper",
    "Theodore",
    "Chloe",
    "Jack",
    "Nora",
    "Owen",
    "Maya",
    "Leo",
    "Zoe",
    "Ethan",
    "Hannah",
    "Aiden",
];
const LAST_NAMES: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Martin",
    "Tremblay", "Roy", "Gagnon", "Lee", "Wilson", "Taylor", "Anderson", "Thomas", "Moore",
    "Jackson", "White", "Harris", "Clark", "Lewis", "Walker", "Young", "King", "Wright", "Scott",
    "Green", "Baker", "Nguyen", "Patel",
];
const STREETS: &[&str] = &[
    "Maple",
    "Oak",
    "Cedar",
    "Pine",
    "Elm",
    "Birch",
    "Lakeshore",
    "King",
    "Queen",
    "Church",
    "Main",
    "Park",
    "Victoria",
    "Wellington",
];
const STREET_KINDS: &[&str] = &["Street", "Avenue", "Road", "Drive", "Crescent", "Boulevard"];
const CITIES: &[(&str, &str, &str)] = &[
    ("Toronto", "ON", "M5V"),
    ("Ottawa", "ON", "K1P"),
    ("Hamilton", "ON", "L8P"),
    ("Vancouver", "BC", "V6B"),
    ("Victoria", "BC", "V8W"),
    ("Calgary", "AB", "T2P"),
    ("Edmonton", "AB", "T5J"),
    ("Winnipeg", "MB", "R3C"),
    ("Halifax", "NS", "B3H"),
    ("Montreal", "QC", "H3B"),
];

fn user_rand(seed: u64, id: u64, salt: u64) -> u64 {
    mix(seed ^ USER_SALT ^ salt.wrapping_mul(0x1000_0001), id)
}

fn base_first(seed: u64, id: u64) -> &'static str {
    pick(FIRST_NAMES, seed ^ USER_SALT, id, 1)
}

fn base_last(seed: u64, id: u64) -> &'static str {
    pick(LAST_NAMES, seed ^ USER_SALT, id, 2)
}

fn base_username(seed: u64, id: u64) -> String {
    let first = base_first(seed, id).chars().next().unwrap_or('x');
    format!("{}{}{id}", first, base_last(seed, id)).to_ascii_lowercase()
}

fn base_created_ms(seed: u64, id: u64) -> i64 {
    let r = user_rand(seed, id, 3);
    let (from, to) = if id % 2 == 1 {
        (DATA_START_MS, EARLY_END_MS)
    } else {
        (LATE_START_MS, USERS_END_MS)
    };
    from + (r % (to - from) as u64) as i64
}

fn base_updated_ms(seed: u64, id: u64) -> i64 {
    let created = base_created_ms(seed, id);
    created + (user_rand(seed, id, 4) % (DATA_END_MS - created) as u64) as i64
}

/// 1950-01-01 and 2016-01-01 as days since the epoch: users are born between them.
const BIRTH_FROM_DAY: i64 = -7305;
const BIRTH_TO_DAY: i64 = 16_801;

fn base_birth_date(seed: u64, id: u64) -> String {
    // 1950-01-01 .. 2015-12-31
    let d =
        BIRTH_FROM_DAY + (user_rand(seed, id, 5) % (BIRTH_TO_DAY - BIRTH_FROM_DAY) as u64) as i64;
    time::format_utc(time::utc_from_secs(d * 86_400), time::DATE)
}

fn base_city(seed: u64, id: u64) -> (&'static str, &'static str, &'static str) {
    CITIES[(user_rand(seed, id, 6) % CITIES.len() as u64) as usize]
}

/// One attribute of a user of the data set, computed alone (filters scan without building users).
fn base_field(seed: u64, id: u64, key: &str) -> Option<Cow<'static, str>> {
    Some(match key {
        "username" => Cow::Owned(base_username(seed, id)),
        "email" => Cow::Owned(format!("{}@example.com", base_username(seed, id))),
        "first-name" => Cow::Borrowed(base_first(seed, id)),
        "last-name" => Cow::Borrowed(base_last(seed, id)),
        "birth-date" => Cow::Owned(base_birth_date(seed, id)),
        "address-1" => Cow::Owned(format!(
            "{} {} {}",
            1 + user_rand(seed, id, 7) % 2000,
            pick(STREETS, seed, id, 8),
            pick(STREET_KINDS, seed, id, 9)
        )),
        "address-2" => {
            let r = user_rand(seed, id, 10);
            if r % 3 == 0 {
                Cow::Owned(format!("Unit {}", 1 + r / 3 % 400))
            } else {
                return None;
            }
        }
        "city" => Cow::Borrowed(base_city(seed, id).0),
        "province" => Cow::Borrowed(base_city(seed, id).1),
        "postal-code" => {
            let r = user_rand(seed, id, 11);
            let letters = b"ABCEGHJKLMNPRSTVWXYZ";
            Cow::Owned(format!(
                "{} {}{}{}",
                base_city(seed, id).2,
                r % 10,
                letters[(r / 10 % letters.len() as u64) as usize] as char,
                r / 1000 % 10
            ))
        }
        "country" => Cow::Borrowed("CA"),
        _ => return None,
    })
}

fn base_user(seed: u64, id: u64) -> UserRec {
    let f = |k: &str| base_field(seed, id, k).map(Cow::into_owned);
    UserRec {
        username: base_username(seed, id),
        email: f("email"),
        first_name: f("first-name"),
        last_name: f("last-name"),
        birth_date: f("birth-date"),
        address_1: f("address-1"),
        address_2: f("address-2"),
        city: f("city"),
        province: f("province"),
        postal_code: f("postal-code"),
        country: f("country"),
        created_ms: base_created_ms(seed, id),
        updated_ms: base_updated_ms(seed, id),
    }
}

/// A generic record: the resources other than users, built on demand (or once, the catalogue).
#[derive(Debug, Clone)]
struct Res {
    id: u64,
    attrs: Map<String, Value>,
    created_ms: i64,
    /// The resource's own path, for its `self` link.
    path: String,
}

struct Catalog {
    checklists: Vec<Res>,
    levels: Vec<Res>,
    sections: Vec<Res>,
    skills: Vec<Res>,
    tags: Vec<Res>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    CheckBoxes(u64),
    Radio,
    Points(u64),
    Text,
}

const CHECKLIST_NAMES: &[&str] = &[
    "Swim Kids",
    "Swim for Life",
    "Bronze Cross",
    "National Lifeguard",
    "Water Safety Instructor",
    "First Aid",
    "Junior Lifeguard Club",
    "Adult Swim",
    "Figure Skating Basics",
    "Learn to Skate",
    "Gymnastics Foundations",
    "Soccer Skills",
];
const SECTION_NAMES: &[&str] = &[
    "Water Entries",
    "Floats and Glides",
    "Strokes",
    "Endurance",
    "Rescue Skills",
    "Safety Knowledge",
    "Fitness",
    "Teamwork",
];
const SKILL_NAMES: &[&str] = &[
    "Front float",
    "Back glide",
    "Flutter kick",
    "Front crawl 10 m",
    "Back crawl 15 m",
    "Treading water 1 min",
    "Sideways entry",
    "Reaching assist",
    "Throwing assist",
    "Breaststroke kick",
    "Rolling entry",
    "Surface support",
    "Whip kick",
    "Sculling",
    "Eggbeater",
    "Head-first entry",
];
const TAG_NAMES: &[&str] = &[
    "Morning group",
    "Evening group",
    "Weekend",
    "Instructor",
    "Volunteer",
    "Scholarship",
    "Returning",
    "New member",
    "Competitive",
    "Recreational",
    "Needs follow-up",
    "Medical note",
    "Staff",
    "Summer camp",
    "Winter session",
    "Spring session",
    "Fall session",
    "Private lessons",
    "Adapted program",
    "Bilingual",
    "Leadership",
    "Parent-and-tot",
    "Team A",
    "Team B",
];
const RADIO_OPTIONS: &[&str] = &["Not yet", "Emerging", "Proficient", "Mastered"];
const CHECK_BOX_LABELS: &[&str] = &[
    "Demonstrated",
    "Correct body position",
    "Controlled breathing",
    "Steady rhythm",
    "Safe entry",
    "Good form",
    "Full distance",
    "Without support",
    "On command",
    "Consistent",
];
const TEXT_NOTES: &[&str] = &[
    "Good progress this session.",
    "Needs more practice on breathing.",
    "Confident in deep water.",
    "Ready for the next level.",
    "Work on keeping legs straight.",
];

fn catalog_rand(seed: u64, kind: u64, id: u64) -> u64 {
    mix(
        seed ^ CATALOG_SALT ^ kind.wrapping_mul(0x0100_0000_01B3),
        id,
    )
}

fn catalog_times(seed: u64, kind: u64, id: u64) -> (i64, i64) {
    // 2012-01-01 .. 2014-12-31, then updated before the end of the data set.
    let r = catalog_rand(seed, kind, id);
    let created = DATA_START_MS + (r % (3 * 365 * DAY_MS as u64)) as i64;
    let updated = created + ((r >> 20) % (DATA_END_MS - created) as u64) as i64;
    (created, updated)
}

fn skill_input(seed: u64, skill: u64) -> Input {
    let r = catalog_rand(seed, 4, skill);
    match r % 4 {
        0 | 1 => Input::CheckBoxes(2 + (r >> 8) % 9),
        2 => {
            if (r >> 8) % 2 == 0 {
                Input::Radio
            } else {
                Input::Points(5 + (r >> 12) % 6 * 5)
            }
        }
        _ => Input::Text,
    }
}

impl Catalog {
    fn build(seed: u64, org: u64, variant: Option<Variant>) -> Catalog {
        let tag_count = if variant == Some(Variant::NewestFirst) {
            FEW_TAGS
        } else {
            TAGS
        };
        let res = |kind: &'static str, salt: u64, id: u64, mut attrs: Map<String, Value>| {
            let (created, updated) = catalog_times(seed, salt, id);
            attrs.insert("organization-id".into(), json!(org));
            attrs.insert("created-at".into(), json!(fmt_time(created)));
            attrs.insert("updated-at".into(), json!(fmt_time(updated)));
            Res {
                id,
                attrs,
                created_ms: created,
                path: format!("/{kind}/{id}"),
            }
        };
        let obj = |v: Value| match v {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let checklists = (1..=CHECKLISTS)
            .map(|id| {
                let name = CHECKLIST_NAMES[(id - 1) as usize % CHECKLIST_NAMES.len()];
                res(
                    "checklists",
                    1,
                    id,
                    obj(json!({
                        "name": name,
                        "description": format!("The {name} program: {LEVELS_PER_CHECKLIST} levels."),
                    })),
                )
            })
            .collect();
        let levels = (1..=LEVELS)
            .map(|id| {
                let position = (id - 1) % LEVELS_PER_CHECKLIST + 1;
                res(
                    "levels",
                    2,
                    id,
                    obj(json!({
                        "name": format!("Level {position}"),
                        "checklist-id": (id - 1) / LEVELS_PER_CHECKLIST + 1,
                        "position": position,
                    })),
                )
            })
            .collect();
        let sections = (1..=SECTIONS)
            .map(|id| {
                res(
                    "sections",
                    3,
                    id,
                    obj(json!({
                        "name": pick(SECTION_NAMES, seed ^ CATALOG_SALT, id, 3),
                        "level-id": (id - 1) / SECTIONS_PER_LEVEL + 1,
                        "position": (id - 1) % SECTIONS_PER_LEVEL + 1,
                    })),
                )
            })
            .collect();
        let skills = (1..=SKILLS)
            .map(|id| {
                let section = (id - 1) / SKILLS_PER_SECTION + 1;
                let level = (section - 1) / SECTIONS_PER_LEVEL + 1;
                let mut attrs = obj(json!({
                    "name": pick(SKILL_NAMES, seed ^ CATALOG_SALT, id, 4),
                    "section-id": section,
                    "level-id": level,
                    "checklist-id": (level - 1) / LEVELS_PER_CHECKLIST + 1,
                    "position": (id - 1) % SKILLS_PER_SECTION + 1,
                }));
                match skill_input(seed, id) {
                    Input::CheckBoxes(n) => {
                        attrs.insert("input-type".into(), json!("check-boxes"));
                        attrs.insert(
                            "check-box-labels".into(),
                            json!(CHECK_BOX_LABELS[..n as usize]),
                        );
                    }
                    Input::Radio => {
                        attrs.insert("input-type".into(), json!("radio-button"));
                        attrs.insert("radio-button-options".into(), json!(RADIO_OPTIONS));
                    }
                    Input::Points(max) => {
                        attrs.insert("input-type".into(), json!("points-slider"));
                        attrs.insert("points-slider-max".into(), json!(max));
                    }
                    Input::Text => {
                        attrs.insert("input-type".into(), json!("text-field"));
                    }
                }
                res("skills", 4, id, attrs)
            })
            .collect();
        let tags = (1..=tag_count)
            .map(|id| {
                let r = catalog_rand(seed, 5, id);
                res(
                    "tags",
                    5,
                    id,
                    obj(json!({
                        "name": TAG_NAMES[(id - 1) as usize % TAG_NAMES.len()],
                        "color": format!("#{:06x}", r & 0xFF_FFFF),
                    })),
                )
            })
            .collect();
        Catalog {
            checklists,
            levels,
            sections,
            skills,
            tags,
        }
    }
}

/// A user's 8 assessments: the skills of block (user - 1) % BLOCKS; assessment k of user u has
/// id (u - 1) * 8 + k + 1, so an id names its user and its skill.
fn assessment(app: &App, user: u64, k: u64) -> Res {
    let seed = app.seed;
    let id = (user - 1) * ASSESSMENTS_PER_USER + k + 1;
    let skill = ((user - 1) % BLOCKS) * ASSESSMENTS_PER_USER + k + 1;
    let r = mix(seed ^ ASSESSMENT_SALT, id);
    let uc = base_created_ms(seed, user);
    let span = (DATA_END_MS - uc).max(DAY_MS);
    let created = uc
        + span * (k as i64 + 1) / (ASSESSMENTS_PER_USER as i64 + 2)
        + (r % (DAY_MS as u64)) as i64;
    let mut attrs = Map::new();
    let shown_skill = if app.is(Fault::DanglingSkillId) {
        skill + DANGLING_OFFSET
    } else {
        skill
    };
    attrs.insert("skill-id".into(), json!(shown_skill));
    attrs.insert("evaluatee-id".into(), json!(user));
    attrs.insert(
        "evaluator-id".into(),
        json!(1 + (r >> 8) % app.size.clamp(1, 12)),
    );
    attrs.insert("organization-id".into(), json!(app.org_id));
    match skill_input(seed, skill) {
        Input::CheckBoxes(n) => {
            for i in 1..=n {
                attrs.insert(format!("check-box-{i}"), json!((r >> (16 + i)) & 1 == 1));
            }
        }
        Input::Radio => {
            attrs.insert(
                "radio-button".into(),
                json!(RADIO_OPTIONS[((r >> 16) % RADIO_OPTIONS.len() as u64) as usize]),
            );
        }
        Input::Points(max) => {
            attrs.insert("points-slider".into(), json!((r >> 16) % (max + 1)));
        }
        Input::Text => {
            attrs.insert(
                "text-field".into(),
                json!(TEXT_NOTES[((r >> 16) % TEXT_NOTES.len() as u64) as usize]),
            );
        }
    }
    attrs.insert("created-at".into(), record_time(app, created));
    Res {
        id,
        attrs,
        created_ms: created,
        path: format!("/users/{user}/assessments/{id}"),
    }
}

/// A user's credentials: attempts at the levels of one checklist, in order (a failed attempt
/// sometimes comes before the pass; the last level may still be in progress, pass null).
fn credentials(app: &App, user: u64) -> Vec<Res> {
    let seed = app.seed;
    let r = mix(seed ^ CREDENTIAL_SALT, user);
    let checklist = r % CHECKLISTS;
    let levels = 1 + (r >> 8) % LEVELS_PER_CHECKLIST;
    let mut attempts: Vec<(u64, Option<bool>)> = Vec::new();
    for j in 0..levels {
        let level = checklist * LEVELS_PER_CHECKLIST + j + 1;
        if (r >> (16 + j)) & 1 == 1 {
            attempts.push((level, Some(false)));
        }
        let last = j + 1 == levels;
        attempts.push((
            level,
            if last && (r >> 24) % 3 == 0 {
                None
            } else {
                Some(true)
            },
        ));
    }
    let uc = base_created_ms(seed, user);
    let span = (DATA_END_MS - uc).max(DAY_MS);
    let n = attempts.len() as i64;
    attempts
        .into_iter()
        .enumerate()
        .map(|(k, (level, pass))| {
            let id = (user - 1) * CREDENTIAL_SLOTS + k as u64 + 1;
            let rr = mix(seed ^ CREDENTIAL_SALT, id);
            let created = uc + span * (k as i64 + 1) / (n + 2) + (rr % (DAY_MS as u64)) as i64;
            let mut attrs = Map::new();
            attrs.insert("created-at".into(), record_time(app, created));
            attrs.insert("evaluatee-id".into(), json!(user));
            attrs.insert(
                "evaluator-id".into(),
                json!(1 + (rr >> 8) % app.size.clamp(1, 12)),
            );
            attrs.insert("level-id".into(), json!(level));
            attrs.insert("organization-id".into(), json!(app.org_id));
            attrs.insert("pass".into(), json!(pass));
            Res {
                id,
                attrs,
                created_ms: created,
                path: format!("/users/{user}/credentials/{id}"),
            }
        })
        .collect()
}

fn tag_applications(app: &App, user: u64) -> Vec<Res> {
    let r = mix(app.seed ^ TAG_SALT, user);
    let n = 1 + r % 3;
    let uc = base_created_ms(app.seed, user);
    (0..n)
        .map(|k| {
            let id = (user - 1) * TAG_APPLICATION_SLOTS + k + 1;
            let tag = ((r >> 8) + k * 7) % app.catalog.tags.len() as u64 + 1;
            let created = uc + (mix(app.seed ^ TAG_SALT, id) % (DATA_END_MS - uc) as u64) as i64;
            let mut attrs = Map::new();
            attrs.insert("tag-id".into(), json!(tag));
            attrs.insert("user-id".into(), json!(user));
            attrs.insert("organization-id".into(), json!(app.org_id));
            attrs.insert("created-at".into(), json!(fmt_time(created)));
            Res {
                id,
                attrs,
                created_ms: created,
                path: format!("/users/{user}/tag-applications"),
            }
        })
        .collect()
}

// ------------------------------------------------------------------------------------ time

/// The created-at of an assessment or credential: as the examples write it, or UNIX seconds
/// under `TimestampsUnix`.
fn record_time(app: &App, ms: i64) -> Value {
    if app.is(Fault::TimestampsUnix) {
        json!(ms.div_euclid(1000))
    } else {
        json!(fmt_time(ms))
    }
}

/// The organization's time zone, US/Canada Eastern (the document's examples are -04:00 in June
/// and -05:00 in December): its offset from UTC in minutes at `ms`. Daylight time runs from
/// 2 a.m. local on the second Sunday of March to 2 a.m. local on the first Sunday of November.
fn eastern_offset_minutes(ms: i64) -> i32 {
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
fn fmt_time(ms: i64) -> String {
    time::format_at_offset(
        time::utc_from_millis(ms),
        eastern_offset_minutes(ms),
        time::MILLIS_OFFSET,
    )
}

// ------------------------------------------------------------------------------------ errors

/// One JSON:API error object.
#[derive(Debug, Clone)]
struct ErrorObject {
    code: &'static str,
    title: &'static str,
    detail: String,
    /// `source.pointer` (a body member) or `source.parameter` (a query parameter).
    source: Option<(&'static str, String)>,
}

/// A refusal: a status and its error objects, rendered as a JSON:API error document.
#[derive(Debug, Clone)]
struct ApiError {
    status: StatusCode,
    errors: Vec<ErrorObject>,
    headers: Vec<(header::HeaderName, HeaderValue)>,
}

impl ApiError {
    fn new(
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

    fn parameter(mut self, name: &str) -> Self {
        if let Some(e) = self.errors.first_mut() {
            e.source = Some(("parameter", name.to_string()));
        }
        self
    }

    fn pointer(mut self, pointer: &str) -> Self {
        if let Some(e) = self.errors.first_mut() {
            e.source = Some(("pointer", pointer.to_string()));
        }
        self
    }

    fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Bad Request",
            detail,
        )
    }

    fn not_found(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Record not found",
            detail,
        )
    }

    fn invalid(field: &str, detail: impl Into<String>) -> ErrorObject {
        let detail = detail.into();
        ErrorObject {
            code: "invalid",
            title: "Invalid attribute",
            detail: format!("{field} - {detail}"),
            source: Some(("pointer", format!("/data/attributes/{field}"))),
        }
    }

    fn unprocessable(errors: Vec<ErrorObject>) -> Self {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            headers: Vec::new(),
        }
    }

    fn document(&self) -> Value {
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
fn document(status: StatusCode, body: &Value) -> Response {
    envelope::typed(status, MEDIA_TYPE, body.to_string())
}

type Answer = Result<Response, ApiError>;

// ------------------------------------------------------------------------------------ middleware

/// What the guard learned about a request, for the handlers: the URL prefix of links and the
/// decoded query.
#[derive(Debug, Clone)]
struct ReqInfo {
    /// `https://api.checklick.com:port`
    base: String,
    path: String,
    query: Vec<(String, String)>,
}

impl ReqInfo {
    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn request_host(req: &Request) -> Option<String> {
    req.headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.as_str().to_string()))
}

/// The host name of a Host value, without its port.
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return match host.find(']') {
            Some(i) => &host[..=i],
            None => host,
        };
    }
    host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host)
}

/// Marks a refusal made by a front end (`GatewayRefusals`): `finish` leaves it as it is.
#[derive(Debug, Clone, Copy)]
struct FrontEnd;

/// A refusal of the request's set-up: a JSON:API error document, or under `GatewayRefusals`
/// what a front end in front of the API answers (`{"message": …}`, or plain text for a host it
/// does not serve).
fn refuse(app: &App, e: ApiError, plain_text: bool) -> Response {
    if !app.chose(Variant::GatewayRefusals) {
        return e.into_response();
    }
    let detail = e
        .errors
        .first()
        .map(|o| o.detail.clone())
        .unwrap_or_default();
    let mut r = if plain_text {
        envelope::typed(e.status, envelope::TEXT_UTF8, format!("{detail}\n"))
    } else {
        envelope::message(e.status, "message", &detail)
    };
    for (k, v) in e.headers {
        r.headers_mut().insert(k, v);
    }
    r.extensions_mut().insert(FrontEnd);
    r
}

/// The documented refusals, in order: host, Content-Type, Api-Version, token, Organization-Id.
async fn guard(State(app): State<Arc<App>>, mut req: Request, next: Next) -> Response {
    let host = request_host(&req).unwrap_or_default();
    if !app.is(Fault::AnyHost) && !host_name(&host).eq_ignore_ascii_case(HOST) {
        let e = ApiError::new(
            StatusCode::MISDIRECTED_REQUEST,
            "wrong_host",
            "Misdirected Request",
            format!(
                "API requests must be sent to https://{HOST}, not to `{}`",
                host_name(&host)
            ),
        );
        return refuse(&app, e, true);
    }
    if let Err(e) = check_headers(&app, req.headers()) {
        return refuse(&app, e, false);
    }
    if app.is(Fault::Throttled)
        && app.throttle.exceeded(
            req.uri().to_string(),
            THROTTLE_LIMIT,
            Duration::from_secs(1),
        )
    {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            "Too Many Requests",
            "Too many requests for this URL; retry in a second",
        );
        e.headers
            .push((header::RETRY_AFTER, HeaderValue::from_static("1")));
        return e.into_response();
    }
    let query = req
        .uri()
        .query()
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    let info = ReqInfo {
        base: format!("https://{host}"),
        path: req.uri().path().to_string(),
        query,
    };
    req.extensions_mut().insert(info);
    next.run(req).await
}

fn check_headers(app: &App, h: &HeaderMap) -> Result<(), ApiError> {
    let text = |name: &str| h.get(name).map(|v| v.to_str().unwrap_or("\u{fffd}").trim());
    if !app.is(Fault::ContentTypeNotRequired) {
        let media = text("content-type").map(|c| {
            c.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
        let json_accepted =
            app.chose(Variant::LenientHeaders) || app.is(Fault::ContentTypeJsonAccepted);
        match media.as_deref() {
            Some(MEDIA_TYPE) => {}
            Some("application/json") if json_accepted => {}
            None => {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "missing_content_type",
                    "Unsupported Media Type",
                    format!("requests must send Content-Type: {MEDIA_TYPE}"),
                ))
            }
            Some(other) => {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "Unsupported Media Type",
                    format!("Content-Type `{other}` is not supported; send {MEDIA_TYPE}"),
                ))
            }
        }
    }
    if !app.is(Fault::ApiVersionNotRequired) {
        match text("api-version") {
            Some("2") => {}
            Some(_) if app.chose(Variant::LenientHeaders) => {}
            None => {
                return Err(ApiError::bad_request(
                    "the Api-Version header is required (Api-Version: 2)",
                )
                .with_code("missing_api_version"))
            }
            Some(v) => {
                return Err(ApiError::bad_request(format!(
                    "Api-Version `{v}` is not supported; send Api-Version: 2"
                ))
                .with_code("unsupported_api_version"))
            }
        }
    }
    if !app.is(Fault::TokenNotChecked) {
        let unauthorized = |detail: &str| {
            let mut e = ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Unauthorized",
                detail,
            );
            e.headers.push((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Token realm=\"Application\""),
            ));
            e
        };
        match text("authorization") {
            None => return Err(unauthorized(
                "the Authorization header is required: Authorization: Token token=YOUR_SECRET_KEY",
            )),
            Some(a) => match parse_token(a, app.chose(Variant::LenientHeaders)) {
                Some(t) if t == app.token => {}
                Some(_) => return Err(unauthorized("the API key is invalid")),
                None => {
                    return Err(unauthorized(
                        "the Authorization header must read: Token token=YOUR_SECRET_KEY",
                    ))
                }
            },
        }
    }
    if !app.is(Fault::OrganizationIdNotRequired) {
        match text("organization-id") {
            None => {
                return Err(
                    ApiError::bad_request("the Organization-Id header is required")
                        .with_code("missing_organization_id"),
                )
            }
            Some(v) => match v.parse::<u64>() {
                Ok(id) if id == app.org_id => {}
                Ok(id) => {
                    return Err(ApiError::new(
                        StatusCode::FORBIDDEN,
                        "forbidden_organization",
                        "Forbidden",
                        format!("you do not manage organization {id}"),
                    ))
                }
                Err(_) => {
                    return Err(ApiError::bad_request(format!(
                        "Organization-Id `{v}` is not an organization id"
                    ))
                    .with_code("invalid_organization_id"))
                }
            },
        }
    }
    Ok(())
}

impl ApiError {
    fn with_code(mut self, code: &'static str) -> Self {
        if let Some(e) = self.errors.first_mut() {
            e.code = code;
        }
        self
    }
}

/// `Token token=abc` or `Token token="abc"` (the scheme is case-insensitive); when `lenient`,
/// also `Bearer abc` and `Token abc`.
fn parse_token(value: &str, lenient: bool) -> Option<&str> {
    let (scheme, rest) = value.split_once(char::is_whitespace)?;
    let rest = rest.trim();
    if lenient && scheme.eq_ignore_ascii_case("bearer") {
        return (!rest.is_empty() && !rest.contains(char::is_whitespace)).then_some(rest);
    }
    if !scheme.eq_ignore_ascii_case("token") {
        return None;
    }
    let v = match rest.strip_prefix("token=") {
        Some(v) => v,
        None if lenient && !rest.contains(['=', ' ']) => rest,
        None => return None,
    };
    let v = v.split(',').next().unwrap_or("").trim();
    let v = v
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(v);
    (!v.is_empty()).then_some(v)
}

/// Every answer leaves as JSON:API: refusals axum makes itself (405, 413, ...) become error
/// documents; the media-type and envelope faults are applied here.
async fn finish(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    if resp.extensions().get::<FrontEnd>().is_some() {
        return resp;
    }
    let status = resp.status();
    let ours = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|c| c.as_bytes() == MEDIA_TYPE.as_bytes());
    let mut resp = if status.is_client_error() && !ours {
        let allow = resp.headers().get(header::ALLOW).cloned();
        let title = status.canonical_reason().unwrap_or("Error");
        let detail = match status {
            StatusCode::PAYLOAD_TOO_LARGE => format!(
                "the request body is larger than {} bytes",
                common::MAX_BODY_BYTES
            ),
            StatusCode::METHOD_NOT_ALLOWED => "this method is not allowed on this resource".into(),
            _ => format!("the request was refused ({title})"),
        };
        let mut e = ApiError::new(status, "refused", "Request refused", detail);
        if let Some(a) = allow {
            e.headers.push((header::ALLOW, a));
        }
        e.into_response()
    } else {
        resp
    };
    let status = resp.status();
    if status.is_client_error() && app.is(Fault::ErrorEnvelopePlain) {
        let (parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 20)
            .await
            .unwrap_or_default();
        let detail = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| v["errors"][0]["detail"].as_str().map(str::to_string))
            .unwrap_or_else(|| "refused".into());
        resp = Response::from_parts(parts, Body::from(json!({ "error": detail }).to_string()));
    }
    let json_media = (status.is_success() && app.is(Fault::MediaTypeJson))
        || (status.is_client_error() && app.is(Fault::ErrorMediaTypeJson));
    if json_media {
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    resp
}

/// Under `GatewayRefusals`: the front end's plain-HTTP listener serves nothing, it redirects
/// to the same path over HTTPS.
async fn plain_refused_by_front_end(uri: axum::http::Uri) -> Response {
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let moved = envelope::typed(
        StatusCode::MOVED_PERMANENTLY,
        envelope::TEXT_UTF8,
        format!("moved to https://{HOST}{path}\n"),
    );
    envelope::with_header(moved, header::LOCATION, &format!("https://{HOST}{path}"))
}

async fn plain_refused() -> Response {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "https_required",
        "HTTPS Required",
        format!("plain HTTP is refused: send API requests to https://{HOST}"),
    )
    .into_response()
}

async fn not_found(Extension(info): Extension<ReqInfo>) -> Response {
    ApiError::not_found(format!("there is no resource at {}", info.path)).into_response()
}

async fn method_not_allowed() -> Response {
    // `finish` adds the error document (and keeps axum's Allow header).
    StatusCode::METHOD_NOT_ALLOWED.into_response()
}

async fn list_absent(Extension(info): Extension<ReqInfo>) -> Response {
    // Under the `absent.*` faults only: a resource the document says does not exist.
    let kind = info.path.trim_start_matches('/').to_string();
    let data: Vec<Value> = if kind == "forms" || kind == "affiliations" {
        vec![json!({ "id": "1", "type": kind, "attributes": { "name": "Default" } })]
    } else {
        Vec::new()
    };
    document(
        StatusCode::OK,
        &json!({ "data": data, "links": { "self": format!("{}{}", info.base, info.path) } }),
    )
}

// ------------------------------------------------------------------------------------ pages

#[derive(Debug, Clone, Copy)]
struct Page {
    size: usize,
    /// 1-based, whatever the fault says the client writes.
    number: usize,
}

fn positive(value: &str, name: &str, min: usize) -> Result<usize, ApiError> {
    value
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|n| *n >= min)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "{name} must be an integer of at least {min}, not `{value}`"
            ))
            .with_code("invalid_page")
            .parameter(name)
        })
}

fn parse_page(app: &App, info: &ReqInfo, catalog: bool) -> Result<Page, ApiError> {
    let default = app.default_size(catalog);
    let size_raw = info.param("page[size]");
    let number_raw = info.param("page[number]");
    let mut size = match size_raw {
        None => default,
        Some(v) => positive(v, "page[size]", 1)?,
    };
    let cap = if app.chose(Variant::Uncapped) {
        UNCAPPED_MAX
    } else if app.is(Fault::CapAt15) {
        15
    } else {
        MAX_PAGE_SIZE
    };
    size = size.min(cap);
    if app.is(Fault::SmallSizeNeedsPageNumber) && number_raw.is_none() && size < DEFAULT_PAGE_SIZE {
        size = default;
    }
    let zero_based = app.is(Fault::PageNumberZeroBased);
    let number = match number_raw {
        None => 1,
        Some(v) if zero_based => positive(v, "page[number]", 0)?.saturating_add(1),
        Some(v) => positive(v, "page[number]", 1)?,
    };
    Ok(Page { size, number })
}

fn links(app: &App, info: &ReqInfo, total: usize, page: Page) -> Value {
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

fn list_document(
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

// ------------------------------------------------------------------------------------ filters

#[derive(Debug, Clone)]
enum Filter {
    /// A dasherized attribute and the values it may have (comma-separated in the query).
    Attr(String, Vec<String>),
    OnOrAfter(i64),
    Before(i64),
}

impl Filter {
    /// Does a record created at `created_ms` pass the time filter (attribute filters: true)?
    fn time_ok(&self, created_ms: i64) -> bool {
        match *self {
            Filter::OnOrAfter(t) => created_ms >= t.saturating_mul(1000),
            Filter::Before(t) => created_ms < t.saturating_mul(1000),
            Filter::Attr(..) => true,
        }
    }

    fn value_ok(&self, value: Option<&str>) -> bool {
        match self {
            Filter::Attr(_, values) => value.is_some_and(|v| values.iter().any(|w| w == v)),
            _ => true,
        }
    }
}

/// The `filter[...]` parameters of a list, against the attributes its records can be filtered
/// on. An unknown filter is refused (JSON:API: 400); the time filters take UNIX times.
fn parse_filters(app: &App, info: &ReqInfo, allowed: &[&str]) -> Result<Vec<Filter>, ApiError> {
    let mut out = Vec::new();
    for (k, v) in &info.query {
        let Some(name) = k.strip_prefix("filter[").and_then(|r| r.strip_suffix(']')) else {
            if k.starts_with("filter") || k == "sort" || k == "include" {
                return Err(
                    ApiError::bad_request(format!("the parameter `{k}` is not supported"))
                        .with_code("parameter_not_allowed")
                        .parameter(k),
                );
            }
            continue;
        };
        let key = name.replace('_', "-");
        let unix = |v: &str| {
            v.trim().parse::<i64>().map_err(|_| {
                ApiError::bad_request(format!("{k} takes a UNIX timestamp, not `{v}`"))
                    .with_code("invalid_filter_value")
                    .parameter(k)
            })
        };
        match key.as_str() {
            "created-on-or-after" => {
                let t = unix(v)?;
                if app.is(Fault::CreatedOnOrAfterIgnored) {
                    continue;
                }
                let t = if app.is(Fault::CreatedOnOrAfterDropsAll) {
                    t.saturating_mul(1000)
                } else {
                    t
                };
                out.push(Filter::OnOrAfter(t));
            }
            "created-before" => {
                let t = unix(v)?;
                if app.is(Fault::CreatedBeforeIgnored) {
                    continue;
                }
                let t = if app.is(Fault::CreatedBeforeDropsAll) {
                    t / 1000
                } else {
                    t
                };
                out.push(Filter::Before(t));
            }
            _ if allowed.contains(&key.as_str()) => {
                if (key == "last-name" && app.is(Fault::LastNameFilterIgnored))
                    || (key == "first-name" && app.is(Fault::FirstNameFilterIgnored))
                {
                    continue;
                }
                let values = v.split(',').map(str::to_string).collect();
                out.push(Filter::Attr(key, values));
            }
            _ => {
                return Err(
                    ApiError::bad_request(format!("filter `{name}` is not allowed"))
                        .with_code("filter_not_allowed")
                        .parameter(k),
                )
            }
        }
    }
    Ok(out)
}

fn scalar_text(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Owned(b.to_string())),
        Value::Null => Some(Cow::Borrowed("null")),
        _ => None,
    }
}

fn res_matches(r: &Res, filters: &[Filter]) -> bool {
    filters.iter().all(|f| match f {
        Filter::Attr(key, _) => {
            let v = if key == "id" {
                Some(Cow::Owned(r.id.to_string()))
            } else {
                r.attrs.get(key).and_then(scalar_text)
            };
            f.value_ok(v.as_deref())
        }
        _ => f.time_ok(r.created_ms),
    })
}

/// The attributes records of a small list can be filtered on: every scalar one but timestamps.
fn res_filterable(items: &[Res]) -> Vec<&str> {
    let mut keys: Vec<&str> = vec!["id"];
    for r in items.iter().take(64) {
        for (k, v) in &r.attrs {
            if !k.ends_with("-at") && scalar_text(v).is_some() && !keys.contains(&k.as_str()) {
                keys.push(k);
            }
        }
    }
    keys
}

// ------------------------------------------------------------------------------------ rendering

/// A resource id as the mock writes it: JSON:API's string, or a number under `IntegerIds`.
fn render_id(app: &App, id: u64) -> Value {
    if app.chose(Variant::IntegerIds) {
        json!(id)
    } else {
        json!(id.to_string())
    }
}

/// Attributes as the variant writes them: foreign keys as strings (`StringForeignKeys`), null
/// values left out (`OmitNulls`).
fn render_attrs(app: &App, attrs: &Map<String, Value>) -> Map<String, Value> {
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

fn render_res(app: &App, info: &ReqInfo, r: &Res, kind: Option<&str>) -> Value {
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

fn render_user(app: &App, info: &ReqInfo, id: u64, u: &UserRec) -> Value {
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

/// A small list: filter, then page.
fn small_list(
    app: &App,
    info: &ReqInfo,
    items: &[Res],
    catalog: bool,
    kind: Option<&str>,
) -> Answer {
    let page = parse_page(app, info, catalog)?;
    let filters = parse_filters(app, info, &res_filterable(items))?;
    let matching: Vec<&Res> = items.iter().filter(|r| res_matches(r, &filters)).collect();
    let range = page_range(matching.len(), page.size, page.number);
    let data = matching[range]
        .iter()
        .map(|r| render_res(app, info, r, kind))
        .collect();
    Ok(list_document(app, info, data, matching.len(), page))
}

// ------------------------------------------------------------------------------------ users

/// The users' filterable attributes.
fn user_value<'a>(app: &App, ov: &'a Overlay, id: u64, key: &str) -> Option<Cow<'a, str>> {
    match ov.users.get(&id) {
        Some(u) => u.field(key).map(Cow::Borrowed),
        None => base_field(app.seed, id, key),
    }
}

fn user_created(app: &App, ov: &Overlay, id: u64) -> i64 {
    match ov.users.get(&id) {
        Some(u) => u.created_ms,
        None => base_created_ms(app.seed, id),
    }
}

fn load_user(app: &App, ov: &Overlay, id: u64) -> Option<UserRec> {
    if id == 0 || id > ov.max_id() {
        return None;
    }
    Some(
        ov.users
            .get(&id)
            .cloned()
            .unwrap_or_else(|| base_user(app.seed, id)),
    )
}

async fn list_users(State(app): State<Arc<App>>, Extension(info): Extension<ReqInfo>) -> Answer {
    let page = parse_page(&app, &info, false)?;
    let filters = parse_filters(&app, &info, USER_WRITABLE)?;
    let ov = app.users.read().await;
    let max = ov.max_id();
    let range = page_range(max as usize, page.size, page.number);
    // The i-th user listed (from 0): by id, or from the highest id down under `NewestFirst`.
    let newest_first = app.chose(Variant::NewestFirst);
    let nth = |i: u64| if newest_first { max - i } else { i + 1 };
    let (ids, total): (Vec<u64>, usize) = if filters.is_empty() {
        (range.map(|i| nth(i as u64)).collect(), max as usize)
    } else {
        let mut ids = Vec::new();
        let mut seen = 0usize;
        let want = page_range(usize::MAX, page.size, page.number);
        for id in (0..max).map(nth) {
            let ok = filters.iter().all(|f| match f {
                Filter::Attr(key, _) => f.value_ok(user_value(&app, &ov, id, key).as_deref()),
                _ => f.time_ok(user_created(&app, &ov, id)),
            });
            if ok {
                if want.contains(&seen) {
                    ids.push(id);
                }
                seen += 1;
            }
        }
        (ids, seen)
    };
    let users: Vec<(u64, UserRec)> = ids
        .into_iter()
        .filter_map(|id| load_user(&app, &ov, id).map(|u| (id, u)))
        .collect();
    drop(ov);
    if app.is(Fault::SampleRequestNotJsonApi) && info.query.is_empty() {
        let flat: Vec<Value> = users
            .iter()
            .map(|(id, u)| {
                let mut v = render_user(&app, &info, *id, u)["attributes"].clone();
                v["id"] = json!(id);
                v
            })
            .collect();
        return Ok(document(StatusCode::OK, &json!({ "users": flat })));
    }
    let data = users
        .iter()
        .map(|(id, u)| {
            let mut v = render_user(&app, &info, *id, u);
            if app.is(Fault::ListItemsWithoutAttributes) {
                if let Some(o) = v.as_object_mut() {
                    o.remove("attributes");
                }
            }
            if app.is(Fault::IdsNotIntegers) {
                v["id"] = json!(format!("usr_{id}"));
            }
            v
        })
        .collect();
    Ok(list_document(&app, &info, data, total, page))
}

async fn get_user(
    State(app): State<Arc<App>>,
    Extension(info): Extension<ReqInfo>,
    Path(raw): Path<String>,
) -> Answer {
    let ov = app.users.read().await;
    let mut id = parse_id(&raw);
    if app.is(Fault::UsersGetOffByOne) {
        id = id.map(|i| if i <= app.size { i % app.size + 1 } else { i });
    }
    let found = id.and_then(|i| load_user(&app, &ov, i).map(|u| (i, u)));
    drop(ov);
    match found {
        Some((id, u)) => Ok(document(
            StatusCode::OK,
            &json!({
                "data": render_user(&app, &info, id, &u),
                "links": { "self": format!("{}/users/{id}", info.base) },
            }),
        )),
        None if app.is(Fault::UnknownUserNull) => {
            Ok(document(StatusCode::OK, &json!({ "data": null })))
        }
        None => Err(ApiError::not_found(format!("user `{raw}` does not exist"))),
    }
}

/// The `data` member of a write, checked as JSON:API says: a `users` resource object, with an
/// id only on update (and then the URL's: a string, or also a number under `IntegerIds`).
fn resource_object(
    app: &App,
    body: &Bytes,
    id: Option<u64>,
) -> Result<Map<String, Value>, ApiError> {
    if body.len() > common::MAX_BODY_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "Payload Too Large",
            format!(
                "the request body is larger than {} bytes",
                common::MAX_BODY_BYTES
            ),
        ));
    }
    let doc: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!("the body is not a JSON document: {e}"))
            .with_code("malformed_json")
    })?;
    let Some(data) = doc.get("data").and_then(Value::as_object) else {
        return Err(ApiError::bad_request(
            "the body must be a JSON:API document with a `data` object",
        )
        .with_code("missing_data")
        .pointer("/data"));
    };
    let kind = app.user_type();
    match data.get("type") {
        Some(Value::String(t)) if t == kind => {}
        Some(Value::String(t)) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "type_conflict",
                "Conflict",
                format!("the type `{t}` does not match this endpoint's type `{kind}`"),
            )
            .pointer("/data/type"))
        }
        _ => {
            return Err(
                ApiError::bad_request(format!("`data.type` is required (\"{kind}\")"))
                    .with_code("missing_type")
                    .pointer("/data/type"),
            )
        }
    }
    match (id, data.get("id")) {
        (None, None) => {}
        (None, Some(_)) => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "client_generated_id",
                "Forbidden",
                "client-generated ids are not supported",
            )
            .pointer("/data/id"))
        }
        (Some(_), None) => {
            return Err(
                ApiError::bad_request("`data.id` is required to update a user")
                    .with_code("missing_id")
                    .pointer("/data/id"),
            )
        }
        (Some(want), Some(got @ (Value::String(_) | Value::Number(_))))
            if got.is_string() || app.chose(Variant::IntegerIds) =>
        {
            let got = scalar_text(got).unwrap_or_default();
            if *got != want.to_string() {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "id_conflict",
                    "Conflict",
                    format!("the id `{got}` does not match the URL's id `{want}`"),
                )
                .pointer("/data/id"));
            }
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request("`data.id` must be a string")
                .with_code("invalid_id")
                .pointer("/data/id"))
        }
    }
    match data.get("attributes") {
        None => Ok(Map::new()),
        Some(Value::Object(a)) => Ok(a.clone()),
        Some(_) => Err(ApiError::bad_request("`data.attributes` must be an object")
            .with_code("invalid_attributes")
            .pointer("/data/attributes")),
    }
}

/// Validated attribute values: strings (or null for optional ones), checked one by one.
struct UserInput {
    values: BTreeMap<&'static str, Option<String>>,
    password: Option<String>,
}

fn validate_user_attrs(
    app: &App,
    attrs: &Map<String, Value>,
    creating: bool,
) -> Result<UserInput, ApiError> {
    for k in attrs.keys() {
        let known =
            USER_WRITABLE.contains(&k.as_str()) || k == "password" || k == "password-confirmation";
        if !known {
            return Err(ApiError::bad_request(format!(
                "`{k}` is not a writable attribute of users"
            ))
            .with_code("param_not_allowed")
            .pointer(&format!("/data/attributes/{k}")));
        }
    }
    let optional_by_fault = |field: &str| match field {
        "username" => app.is(Fault::CreateUsernameOptional),
        "first-name" => app.is(Fault::CreateFirstNameOptional),
        "last-name" => app.is(Fault::CreateLastNameOptional),
        "email" => app.is(Fault::CreateEmailOptional),
        "birth-date" => app.is(Fault::CreateBirthDateOptional),
        "password" => app.is(Fault::CreatePasswordOptional),
        "password-confirmation" => app.is(Fault::CreatePasswordConfirmationOptional),
        _ => false,
    };
    let mut errors = Vec::new();
    let mut values = BTreeMap::new();
    let all = USER_WRITABLE
        .iter()
        .chain(["password", "password-confirmation"].iter());
    for field in all {
        let required = USER_REQUIRED.contains(field);
        let v = match attrs.get(*field) {
            None => {
                if creating && required && !optional_by_fault(field) {
                    errors.push(ApiError::invalid(field, "can't be blank"));
                }
                continue;
            }
            Some(v) => v,
        };
        let text = match v {
            Value::Null => None,
            Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            _ => {
                errors.push(ApiError::invalid(field, "must be a string"));
                continue;
            }
        };
        let Some(s) = text else {
            if required && !(creating && optional_by_fault(field)) {
                errors.push(ApiError::invalid(field, "can't be blank"));
            } else {
                values.insert(*field, None);
            }
            continue;
        };
        if s.chars().count() > MAX_STRING {
            errors.push(ApiError::invalid(
                field,
                format!("is too long (maximum is {MAX_STRING} characters)"),
            ));
            continue;
        }
        match *field {
            "email" => {
                let ok = s
                    .split_once('@')
                    .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.contains('@'))
                    && !s.contains(char::is_whitespace);
                if !ok {
                    errors.push(ApiError::invalid(field, "is invalid"));
                    continue;
                }
            }
            "username" if s.contains(char::is_whitespace) => {
                errors.push(ApiError::invalid(field, "can't contain spaces"));
                continue;
            }
            "birth-date" => match time::parse_date(&s) {
                None => {
                    errors.push(ApiError::invalid(field, "must be a date (YYYY-MM-DD)"));
                    continue;
                }
                Some(d) if d > time::now_millis().div_euclid(DAY_MS) => {
                    errors.push(ApiError::invalid(field, "can't be in the future"));
                    continue;
                }
                Some(_) => {}
            },
            "password" if s.chars().count() < 6 => {
                errors.push(ApiError::invalid(
                    field,
                    "is too short (minimum is 6 characters)",
                ));
                continue;
            }
            _ => {}
        }
        values.insert(*field, Some(s));
    }
    let password = values.remove("password").flatten();
    let confirmation = values.remove("password-confirmation").flatten();
    match (&password, &confirmation) {
        (Some(p), Some(c)) if p != c => {
            errors.push(ApiError::invalid(
                "password-confirmation",
                "doesn't match Password",
            ));
        }
        (Some(_), None)
            if (!creating || !app.is(Fault::CreatePasswordConfirmationOptional))
                && !errors
                    .iter()
                    .any(|e| e.detail.starts_with("password-confirmation")) =>
        {
            errors.push(ApiError::invalid("password-confirmation", "can't be blank"));
        }
        _ => {}
    }
    if !errors.is_empty() {
        return Err(ApiError::unprocessable(errors));
    }
    Ok(UserInput {
        values,
        password: password.or(confirmation),
    })
}

/// Is `username` (lowercased) someone's other than `except`?
fn username_taken(app: &App, ov: &Overlay, username: &str, except: u64) -> bool {
    let lower = username.to_ascii_lowercase();
    if let Some(id) = ov.usernames.get(&lower) {
        if *id != except {
            return true;
        }
    }
    // A user of the data set keeps its derived username until it is written.
    let digits = lower.len() - lower.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > 19 {
        return false;
    }
    match lower[lower.len() - digits..].parse::<u64>() {
        Ok(id) if id >= 1 && id <= app.size && id != except => {
            !ov.users.contains_key(&id) && base_username(app.seed, id) == lower
        }
        _ => false,
    }
}

fn taken_error() -> ApiError {
    ApiError::unprocessable(vec![ApiError::invalid(
        "username",
        "has already been taken",
    )])
}

async fn create_user(
    State(app): State<Arc<App>>,
    Extension(info): Extension<ReqInfo>,
    body: Bytes,
) -> Answer {
    let attrs = resource_object(&app, &body, None)?;
    let input = validate_user_attrs(&app, &attrs, true)?;
    let _password = input.password;
    let get = |k: &str| input.values.get(k).cloned().flatten();
    let mut ov = app.users.write().await;
    let id = ov.next_id;
    let username = get("username").unwrap_or_else(|| format!("user-{id}"));
    if username_taken(&app, &ov, &username, 0) {
        return Err(taken_error());
    }
    let now = ov.tick();
    let mut rec = UserRec {
        username: username.clone(),
        email: None,
        first_name: None,
        last_name: None,
        birth_date: None,
        address_1: None,
        address_2: None,
        city: None,
        province: None,
        postal_code: None,
        country: None,
        created_ms: now,
        updated_ms: now,
    };
    for key in USER_WRITABLE.iter().skip(1) {
        rec.set(key, get(key));
    }
    ov.next_id += 1;
    ov.usernames.insert(username.to_ascii_lowercase(), id);
    ov.users.insert(id, rec.clone());
    drop(ov);
    let mut r = document(
        StatusCode::CREATED,
        &json!({
            "data": render_user(&app, &info, id, &rec),
            "links": { "self": format!("{}/users/{id}", info.base) },
        }),
    );
    if let Ok(loc) = HeaderValue::from_str(&format!("{}/users/{id}", info.base)) {
        r.headers_mut().insert(header::LOCATION, loc);
    }
    Ok(r)
}

async fn update_user(
    State(app): State<Arc<App>>,
    Extension(info): Extension<ReqInfo>,
    Path(raw): Path<String>,
    body: Bytes,
) -> Answer {
    let exists = {
        let ov = app.users.read().await;
        parse_id(&raw).filter(|id| *id <= ov.max_id())
    };
    let Some(id) = exists else {
        return Err(ApiError::not_found(format!("user `{raw}` does not exist")));
    };
    let attrs = resource_object(&app, &body, Some(id))?;
    let input = validate_user_attrs(&app, &attrs, false)?;
    let mut ov = app.users.write().await;
    let Some(mut rec) = load_user(&app, &ov, id) else {
        return Err(ApiError::not_found(format!("user `{raw}` does not exist")));
    };
    let old_username = rec.username.clone();
    for (key, value) in &input.values {
        rec.set(key, value.clone());
    }
    if !rec.username.eq_ignore_ascii_case(&old_username)
        && username_taken(&app, &ov, &rec.username, id)
    {
        return Err(taken_error());
    }
    rec.updated_ms = ov.tick();
    if !app.is(Fault::PatchNotPersisted) {
        ov.usernames.remove(&old_username.to_ascii_lowercase());
        ov.usernames.insert(rec.username.to_ascii_lowercase(), id);
        ov.users.insert(id, rec.clone());
    }
    drop(ov);
    if app.chose(Variant::LinkObjects) {
        // JSON:API: 204 No Content when the update changed nothing but what was sent (only
        // `updated-at` here, which the client did not ask for: still the server's choice).
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(document(
        StatusCode::OK,
        &json!({
            "data": render_user(&app, &info, id, &rec),
            "links": { "self": format!("{}/users/{id}", info.base) },
        }),
    ))
}

/// A user who exists (the data set's, or created), or 404.
async fn existing_user(app: &App, raw: &str) -> Result<u64, ApiError> {
    let ov = app.users.read().await;
    parse_id(raw)
        .filter(|id| *id <= ov.max_id())
        .ok_or_else(|| ApiError::not_found(format!("user `{raw}` does not exist")))
}

/// Records derived for a user exist for the users of the data set; created users have none yet
/// (nor, under `NewestFirst`, the data set's last user, listed first).
fn is_seeded(app: &App, user: u64) -> bool {
    user <= app.size && !(app.chose(Variant::NewestFirst) && user == app.size)
}

fn user_assessments(app: &App, user: u64) -> Vec<Res> {
    if !is_seeded(app, user) {
        return Vec::new();
    }
    (0..ASSESSMENTS_PER_USER)
        .map(|k| assessment(app, user, k))
        .collect()
}

async fn list_user_assessments(
    State(app): State<Arc<App>>,
    Extension(info): Extension<ReqInfo>,
    Path(raw): Path<String>,
) -> Answer {
    let user = existing_user(&app, &raw).await?;
    let mut items = user_assessments(&app, user);
    if app.is(Fault::UserAssessmentsLeak) {
        items.push(assessment(&app, user + 1, 0));
    }
    if app.is(Fault::AssessmentPassInLists) {
        for (i, r) in items.iter_mut().enumerate() {
            r.attrs.insert("pass".into(), json!(i % 2 == 0));
        }
    }
    let kind = if app.is(Fault::UserAssessmentsWrongType) {
        "assessment"
    } else {
        "assessments"
    };
    small_list(&app, &info, &items, false, Some(kind))
}

async fn get_user_assessment(
    State(app): State<Arc<App>>,
    Extension(info): Extension<ReqInfo>,
    Path((raw, item)): Path<(String, String)>,
) -> Answer {
    let user = existing_user(&app, &raw).await?;
    let found = parse_id(&item)
        .filter(|id| is_seeded(&app, user) && (id - 1) / ASSESSMENTS_PER_USER + 1 == user);
    let Some(id) = found else {
        return Err(ApiError::not_found(format!(
            "user {user} has no assessment `{item}`"
        )));
    };
    let mut r = assessment(&app, user, (id - 1) % ASSESSMENTS_PER_USER);
    if app.is(Fault::AssessmentPassOnGet) {
        r.attrs.insert("pass".into(), json!(true));
    }
    if app.is(Fault::AssessmentGetWithoutSkillId) {
        r.attrs.remove("skill-id");
    }
    let kind = if app.is(Fault::AssessmentGetWrongType) {
        "assessment"
    } else {
        "assessments"
    };
    Ok(document(
        StatusCode::OK,
        &json!({
            "data": render_res(&app, &info, &r, Some(kind)),
            "links": { "self": format!("{}{}", info.base, r.path) },
        }),
    ))
}

async fn list_user_credentials(
    State(app): State<Arc<App>>,
    Extension(info): Extension<ReqInfo>,
    Path(raw): Path<String>,
) -> Answer {
    let user = existing_user(&app, &raw).await?;
    let mut items = if is_seeded(&app, user) {
        credentials(&app, user)
    } else {
        Vec::new()
    };
    if app.is(Fault::CredentialsLeak) {
        items.extend(credentials(&app, user + 1).into_iter().take(1));
    }
    let kind = if app.is(Fault::CredentialsListWrongType) {
        "credential"
    } else {
        "credentials"
    };
    small_list(&app, &info, &items, false, Some(kind))
}

async fn get_user_credential(
    State(app): State<Arc<App>>,
    Extension(info): Extension<ReqInfo>,
    Path((raw, item)): Path<(String, String)>,
) -> Answer {
    let user = existing_user(&app, &raw).await?;
    let found = parse_id(&item)
        .filter(|_| is_seeded(&app, user))
        .and_then(|id| credentials(&app, user).into_iter().find(|c| c.id == id));
    let Some(mut r) = found else {
        return Err(ApiError::not_found(format!(
            "user {user} has no credential `{item}`"
        )));
    };
    if app.is(Fault::CredentialWithoutLevelId) {
        r.attrs.remove("level-id");
    }
    if app.is(Fault::CredentialPassAsString) {
        let text = scalar_text(&r.attrs["pass"]).map(Cow::into_owned);
        r.attrs.insert("pass".into(), json!(text));
    }
    let kind = if app.is(Fault::CredentialGetWrongType) {
        "credential"
    } else {
        "credentials"
    };
    Ok(document(
        StatusCode::OK,
        &json!({
            "data": render_res(&app, &info, &r, Some(kind)),
            "links": { "self": format!("{}{}", info.base, r.path) },
        }),
    ))
}

async fn list_user_tag_applications(
    State(app): State<Arc<App>>,
    Extension(info): Extension<ReqInfo>,
    Path(raw): Path<String>,
) -> Answer {
    let user = existing_user(&app, &raw).await?;
    let items = if is_seeded(&app, user) {
        tag_applications(&app, user)
    } else {
        Vec::new()
    };
    small_list(&app, &info, &items, false, Some("tag-applications"))
}

// ------------------------------------------------------------------------------------ catalogue

fn catalog_kind(app: &App, kind: &'static str, without_type: Fault) -> Option<&'static str> {
    (!app.is(without_type)).then_some(kind)
}

async fn list_tags(State(app): State<Arc<App>>, Extension(info): Extension<ReqInfo>) -> Answer {
    let kind = catalog_kind(&app, "tags", Fault::TagsWithoutType);
    small_list(&app, &info, &app.catalog.tags, true, kind)
}

async fn list_checklists(
    State(app): State<Arc<App>>,
    Extension(info): Extension<ReqInfo>,
) -> Answer {
    let kind = catalog_kind(&app, "checklists", Fault::ChecklistsWithoutType);
    small_list(&app, &info, &app.catalog.checklists, true, kind)
}

async fn list_levels(State(app): State<Arc<App>>, Extension(info): Extension<ReqInfo>) -> Answer {
    let kind = catalog_kind(&app, "levels", Fault::LevelsWithoutType);
    small_list(&app, &info, &app.catalog.levels, true, kind)
}

async fn list_sections(State(app): State<Arc<App>>, Extension(info): Extension<ReqInfo>) -> Answer {
    let kind = catalog_kind(&app, "sections", Fault::SectionsWithoutType);
    small_list(&app, &info, &app.catalog.sections, true, kind)
}

async fn list_skills(State(app): State<Arc<App>>, Extension(info): Extension<ReqInfo>) -> Answer {
    let kind = catalog_kind(&app, "skills", Fault::SkillsWithoutType);
    small_list(&app, &info, &app.catalog.skills, true, kind)
}

fn skill_index(raw: &str) -> Option<usize> {
    parse_id(raw)
        .filter(|id| *id <= SKILLS)
        .map(|id| (id - 1) as usize)
}

async fn get_skill(
    State(app): State<Arc<App>>,
    Extension(info): Extension<ReqInfo>,
    Path(raw): Path<String>,
) -> Answer {
    let Some(mut i) = skill_index(&raw) else {
        return Err(ApiError::not_found(format!("skill `{raw}` does not exist")));
    };
    if app.is(Fault::SkillGetWrongSkill) {
        i = (i + 1) % SKILLS as usize;
    }
    let r = &app.catalog.skills[i];
    Ok(document(
        StatusCode::OK,
        &json!({
            "data": render_res(&app, &info, r, Some("skills")),
            "links": { "self": format!("{}{}", info.base, r.path) },
        }),
    ))
}

/// A skill's assessments: the users of its block (u = block + 1 + BLOCKS * j), computed as an
/// arithmetic progression; time filters scan it without building the records.
async fn list_skill_assessments(
    State(app): State<Arc<App>>,
    Extension(info): Extension<ReqInfo>,
    Path(raw): Path<String>,
) -> Answer {
    // Under `DanglingSkillId` the ids the assessments name are unknown here too.
    let Some(skill) = parse_id(&raw).filter(|id| *id <= SKILLS) else {
        return Err(ApiError::not_found(format!("skill `{raw}` does not exist")));
    };
    let page = parse_page(&app, &info, false)?;
    let allowed = [
        "id",
        "skill-id",
        "evaluatee-id",
        "evaluator-id",
        "organization-id",
    ];
    let filters = parse_filters(&app, &info, &allowed)?;
    let block = (skill - 1) / ASSESSMENTS_PER_USER;
    let k = (skill - 1) % ASSESSMENTS_PER_USER;
    // Users of the block past the seeded ones (under `NewestFirst`, the last has no records).
    let seeded = if app.chose(Variant::NewestFirst) {
        app.size.saturating_sub(1)
    } else {
        app.size
    };
    let users = (block..seeded).step_by(BLOCKS as usize).map(|b| b + 1);
    let count = if block < seeded {
        ((seeded - block - 1) / BLOCKS + 1) as usize
    } else {
        0
    };
    let want = page_range(usize::MAX, page.size, page.number);
    let mut data = Vec::new();
    let mut total = 0usize;
    let kind = if app.is(Fault::SkillAssessmentsWrongType) {
        "assessment"
    } else {
        "assessments"
    };
    if filters.is_empty() {
        total = count;
        for u in users.skip(want.start).take(page.size) {
            data.push(render_res(&app, &info, &assessment(&app, u, k), Some(kind)));
        }
    } else {
        for u in users {
            let r = assessment(&app, u, k);
            if res_matches(&r, &filters) {
                if want.contains(&total) {
                    data.push(render_res(&app, &info, &r, Some(kind)));
                }
                total += 1;
            }
        }
    }
    if app.is(Fault::SkillAssessmentsLeak) {
        let next = skill % SKILLS + 1;
        let next_block = (next - 1) / ASSESSMENTS_PER_USER;
        let r = assessment(&app, next_block + 1, (next - 1) % ASSESSMENTS_PER_USER);
        data.push(render_res(&app, &info, &r, Some(kind)));
    }
    Ok(list_document(&app, &info, data, total, page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_eastern_time_and_birth_dates_their_range() {
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
        assert_eq!(BIRTH_FROM_DAY, day(1950, 1, 1));
        assert_eq!(BIRTH_TO_DAY, day(2016, 1, 1));
        assert!(fmt_time(i64::MAX).ends_with("-05:00"));
        assert!(fmt_time(i64::MIN).ends_with("-05:00"));
    }

    #[test]
    fn tokens_parse_as_rails_reads_them() {
        assert_eq!(parse_token("Token token=abc", false), Some("abc"));
        assert_eq!(parse_token("token token=\"abc\"", false), Some("abc"));
        assert_eq!(parse_token("Bearer abc", false), None);
        assert_eq!(parse_token("Token abc", false), None);
        assert_eq!(parse_token("Token token=", false), None);
        // `lenient-headers` also takes the forms the document does not show.
        assert_eq!(parse_token("Bearer abc", true), Some("abc"));
        assert_eq!(parse_token("Token abc", true), Some("abc"));
        assert_eq!(parse_token("Token token=abc", true), Some("abc"));
        assert_eq!(parse_token("Bearer a b", true), None);
    }

    #[test]
    fn hosts_lose_their_port() {
        assert_eq!(host_name("api.checklick.com:8443"), "api.checklick.com");
        assert_eq!(host_name("api.checklick.com"), "api.checklick.com");
        assert_eq!(host_name("[::1]:80"), "[::1]");
    }

    #[test]
    fn users_alternate_around_2020() {
        for id in 1..200 {
            let c = base_created_ms(7, id);
            if id % 2 == 1 {
                assert!(c < EARLY_END_MS);
            } else {
                assert!((LATE_START_MS..USERS_END_MS).contains(&c));
            }
            assert!(base_updated_ms(7, id) >= c);
        }
    }
}
