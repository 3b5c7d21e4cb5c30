//! Checklick's faults (each breaks one documented behaviour, and names the rules that catch
//! it) and its faithful variants (each chooses otherwise where the document is silent).

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
