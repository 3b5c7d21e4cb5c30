//! The documented behaviours the CheckTick mock can break, one at a time, and the rules that
//! must catch each; and its faithful variants.

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
