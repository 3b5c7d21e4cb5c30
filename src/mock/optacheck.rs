//! The OptaCheck Workspace API (optacheck.txt): a user token from `/api-token-auth/`, then task
//! CRUD under `/v1.0/workspaces/<workspace-id>/assignments/` with two credentials on every
//! request (`Authorization: Token <token>` and `x-api-key`).
//!
//! Where the document is silent (error statuses and bodies), the mock answers as the Django REST
//! Framework service the document describes would: `{"detail": ...}` for 401/403/404/405/413/415
//! and `{field: [messages]}` for 400. Its variants (`--variant`) choose otherwise wherever the
//! document leaves room: other refusals, integer ids, absent or null optional fields, another
//! token keyword, defaults for fields a client must send, shortened text, other timestamps and
//! display names, another set-up of the workspace.
//!
//! Data: `size` seeded tasks (default 50), each derived from its number; what is created,
//! changed or deleted is an overlay. Task ids are UUID-shaped and carry their number, checked
//! against the seed, so a forged id is simply unknown.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::common::{self, mix, pick};
use super::{Built, FaultInfo, MockApi, MockOptions, Shared, Transport, VariantInfo};
use crate::target::Credentials;
use crate::{faults, variants};

faults! {
    LoginAnswerNotJson = "auth.login-answer-not-json" => ["optacheck.auth.login-returns-token"]
        ~ "no sentence names the media type of the login's answer; the document only shows it as a JSON body":
        "the login answers the token with Content-Type text/html instead of application/json",
    LoginWrongPasswordAccepted = "auth.login-wrong-password-accepted" => ["optacheck.auth.login-wrong-password"]:
        "the login returns the token for the registered email whatever the password",
    LoginUnknownUserAccepted = "auth.login-unknown-user-accepted" => ["optacheck.auth.login-unknown-user"]:
        "the login checks only the password: an unregistered email with it gets the token",
    TokenAnyKeyword = "auth.token-any-keyword" => ["optacheck.auth.token-keyword"]
        ~ "\"The header must have the following format\" tells the client what to send; that a server refuses the token under another keyword is our reading":
        "the token is also accepted as `Bearer <token>` or bare, not only as `Token <token>`",
    TokenUncheckedRead = "auth.token-unchecked-read" => ["optacheck.auth.token-required-read"]:
        "a read is served with no Authorization or an unknown `Token` (a malformed header is still refused)",
    TokenUncheckedCreate = "auth.token-unchecked-create" => ["optacheck.auth.token-required-create"]:
        "a create is served with no Authorization or an unknown `Token`",
    TokenUncheckedUpdate = "auth.token-unchecked-update" => ["optacheck.auth.token-required-update"]:
        "an update is applied with no Authorization or an unknown `Token`",
    TokenUncheckedDelete = "auth.token-unchecked-delete" => ["optacheck.auth.token-required-delete"]:
        "a delete is applied with no Authorization or an unknown `Token`",
    ApiKeyUncheckedRead = "auth.api-key-unchecked-read" => ["optacheck.auth.api-key-required-read"]:
        "a read is served with no x-api-key or a wrong one",
    ApiKeyUncheckedCreate = "auth.api-key-unchecked-create" => ["optacheck.auth.api-key-required-create"]:
        "a create is served with no x-api-key or a wrong one",
    ApiKeyUncheckedUpdate = "auth.api-key-unchecked-update" => ["optacheck.auth.api-key-required-update"]:
        "an update is applied with no x-api-key or a wrong one",
    ApiKeyUncheckedDelete = "auth.api-key-unchecked-delete" => ["optacheck.auth.api-key-required-delete"]:
        "a delete is applied with no x-api-key or a wrong one",
    ContentTypeIgnoredCreate = "headers.content-type-ignored-create" => ["optacheck.headers.content-type-create"]
        ~ "`Content-Type: application/json` is the client's instruction; that a server refuses JSON declared otherwise is our reading":
        "a create reads its body as JSON whatever its Content-Type (text/plain is accepted)",
    ContentTypeIgnoredUpdate = "headers.content-type-ignored-update" => ["optacheck.headers.content-type-update"]
        ~ "`Content-Type: application/json` is the client's instruction; that a server refuses JSON declared otherwise is our reading":
        "an update reads its body as JSON whatever its Content-Type (text/plain is applied)",
    CreateBodyNotJsonAccepted = "tasks.create-body-not-json-accepted" => ["optacheck.tasks.create-body-not-json"]
        ~ "\"the request body must contain the task data as JSON\" is the client's instruction; what a server does with another body is not stated":
        "a create whose body is not JSON is read as form fields (and assigned to its creator when user_email is missing)",
    OtherWorkspaceAllowed = "workspace.other-workspace-allowed" => ["optacheck.workspace.other-workspace-refused"]:
        "the Workspace ID of the URL is not checked: a task is read, changed and deleted under any workspace id",
    CreateAnswerIncomplete = "tasks.create-answer-incomplete" => [
        "optacheck.tasks.create-returns-201",
        "optacheck.tasks.description-255-accepted",
    ]: "the create answer leaves out the task's description (the task is stored whole)",
    CreateHistoryEmpty = "tasks.create-history-empty" => [
        "optacheck.tasks.create-status-history",
        "optacheck.tasks.update-status-history",
        // It checks status_history[*].date_status, which then selects nothing.
        "optacheck.tasks.timestamps-rfc3339",
    ] ~ "no sentence describes status_history: what it holds is only shown in the examples":
        "a created task starts with an empty status_history instead of one entry for its status",
    DescriptionRequired = "tasks.description-required" => [
        "optacheck.tasks.create-optional-fields",
        // Every rule whose fixture is a create without a description.
        "optacheck.auth.token-keyword",
        "optacheck.auth.token-required-read",
        "optacheck.auth.api-key-required-read",
        "optacheck.auth.token-required-create",
        "optacheck.auth.api-key-required-create",
        "optacheck.auth.token-required-update",
        "optacheck.auth.api-key-required-update",
        "optacheck.auth.token-required-delete",
        "optacheck.auth.api-key-required-delete",
        "optacheck.headers.content-type-create",
        "optacheck.headers.content-type-update",
        "optacheck.workspace.other-workspace-refused",
        "optacheck.tasks.create-status-history",
        "optacheck.tasks.data-empty-accepted",
        "optacheck.tasks.create-with-references",
        "optacheck.tasks.title-max-length",
        "optacheck.tasks.title-100-accepted",
        "optacheck.tasks.timestamps-rfc3339",
        "optacheck.tasks.update-status-history",
        "optacheck.tasks.delete",
    ]: "description, documented (optional), is required on create: a create without it is refused",
    TitleOptional = "tasks.create-title-optional" => ["optacheck.tasks.create-requires-title"]
        ~ "title is not marked optional, so the client must send it; that a server refuses a create without it is our reading":
        "a create without title is accepted (titled `Untitled task`)",
    StatusOptional = "tasks.create-status-optional" => ["optacheck.tasks.create-requires-status"]
        ~ "status is not marked optional, so the client must send it; that a server refuses a create without it is our reading":
        "a create without status is accepted (status `assigned`)",
    UserEmailOptional = "tasks.create-user-email-optional" => ["optacheck.tasks.create-requires-user-email"]
        ~ "user_email is not marked optional, so the client must send it; that a server refuses a create without it is our reading":
        "a create without user_email is accepted (assigned to its creator)",
    CreateDropsReferences = "tasks.create-drops-references" => ["optacheck.tasks.create-with-references"]:
        "a create stores the task without the forms, project and client it was sent (the answer shows none)",
    DataEmptyRefused = "tasks.data-empty-refused" => ["optacheck.tasks.data-empty-accepted"]:
        "a create with an empty data object is refused (400, `This field may not be empty.`)",
    TitleLengthUnchecked = "tasks.title-max-length-unchecked" => ["optacheck.tasks.title-max-length"]:
        "titles longer than 100 characters are accepted, on create and on update",
    TitleMax99 = "tasks.title-max-99" => ["optacheck.tasks.title-100-accepted"]:
        "the title limit is off by one: a title of exactly 100 characters is refused",
    DescriptionLengthUnchecked = "tasks.description-max-length-unchecked" => ["optacheck.tasks.description-max-length"]:
        "descriptions longer than 255 characters are accepted, on create and on update",
    DescriptionMax254 = "tasks.description-max-254" => ["optacheck.tasks.description-255-accepted"]:
        "the description limit is off by one: a description of exactly 255 characters is refused",
    ReadByUserWrong = "tasks.read-by-user-wrong" => [
        "optacheck.tasks.read",
        // It reads by_user back too (an example-based expectation there: a warning).
        "optacheck.tasks.update-partial",
    ]:
        "a read answers by_user as the assigned user's id instead of the creator's",
    TimestampsNotRfc3339 = "tasks.timestamps-not-rfc3339" => ["optacheck.tasks.timestamps-rfc3339"]
        ~ "the timestamps' form is only shown, in the examples' values":
        "timestamps are written `2025-06-20 00:21:19.126137` (no T, no offset) instead of RFC 3339",
    UpdateIgnoresFields = "tasks.update-ignores-fields" => ["optacheck.tasks.update-returns-200"]:
        "an update validates every field but saves only the status (title, description... stay as they were)",
    UpdateReturns202 = "tasks.update-returns-202" => [
        "optacheck.tasks.update-returns-200",
        "optacheck.tasks.update-partial",
        "optacheck.tasks.update-status-history",
    ]: "an update answers 202 Accepted instead of 200 OK (the update is applied)",
    UpdateNotPartial = "tasks.update-not-partial" => ["optacheck.tasks.update-partial"]
        ~ "that an update keeps the fields it does not send is read from the CURL example; no sentence says so":
        "an update replaces the task: optional fields it does not send (description, forms, project, client, data) are cleared",
    UpdateHistoryReplaced = "tasks.update-history-replaced" => ["optacheck.tasks.update-status-history"]
        ~ "no sentence describes status_history: that a change appends to it is only shown in the update example":
        "a status change replaces status_history with one entry for the new status",
    DeleteKeepsTask = "tasks.delete-keeps-task" => ["optacheck.tasks.delete"]:
        "a delete answers 204 but the task can still be read",
    ReadNotJson = "media.read-not-json" => [
        "optacheck.media.json-responses",
        "optacheck.tasks.read",
    ]: "a read answers the task (a JSON body) with Content-Type text/plain",
}

variants! {
    IntegerIds = "integer-ids":
        "task and user ids are JSON integers and the Workspace ID is a number; form, project and client ids are answered as sent (the document shows every id only as a quoted placeholder such as \"<task-id>\")",
    OptionalFieldsAbsent = "optional-fields-absent":
        "answers leave out the optional fields a task does not have (description, forms, project, client, data); the create and update examples themselves show no `data`, and no sentence says unset fields are written",
    OptionalFieldsNull = "optional-fields-null":
        "answers write every optional field a task does not have as null (forms and data too, not [] and {}); the document does not say how an unset optional field is written",
    OtherRefusals = "other-refusals":
        "refusals are not Django REST Framework's: 403 with {\"error\": {...}} for a missing or wrong token, 401 text/plain for a wrong API key, 404 HTML for another workspace or an unknown task, 422 {\"errors\": [...]} for invalid fields, 401 for wrong login credentials, bodiless 415/405; the document names no error status and shows no error body",
    BearerAccepted = "bearer-accepted":
        "the user token is accepted as `Authorization: Bearer <token>` as well as `Token <token>`; the document tells clients which format to send, not that every other is refused",
    AnyContentType = "any-content-type":
        "a body is read as JSON whatever its declared Content-Type (text/plain too); `Content-Type: application/json` is the client's instruction, and no sentence says other types are refused",
    DefaultsOnCreate = "defaults-on-create":
        "a create without status starts `assigned`, one without user_email is assigned to its creator; the field list does not mark them optional (a client must send them) but does not say a server refuses a create without them",
    TruncatesLongText = "truncates-long-text":
        "a title over 100 characters or a description over 255 is shortened to the maximum instead of refused; the document states the maximum, not what happens to longer text",
    TimestampsOtherwise = "timestamps-otherwise":
        "timestamps are RFC 3339 with a +00:00 offset; a create answers milliseconds, every later answer whole seconds (what its database keeps); the document shows only example timestamps",
    LocalizedStatusNames = "localized-status-names":
        "status_history[].status_name is a Spanish display name (Asignada, En progreso, Activa); the document only shows `Assigned` and `In progress` as example values",
    LoginRequiresApiKey = "login-requires-api-key":
        "the login also requires the Workspace API Key (it \"must be sent with every API request\") and answers extra fields beside the token (user_id, expiry); the login section names only the JSON body and shows only `token`",
    SetupOtherwise = "setup-otherwise":
        "the workspace is set up otherwise: its ID is a slug, it holds no tasks before the run, and the assignee of the run's tasks is the login user (user equals by_user); the document says nothing of either",
    DeleteAnswersBody = "delete-answers-body":
        "a delete answers 200 with the deleted task, and a deleted task is answered 410 Gone; the document names no status and shows no body for a delete, nor for a task that was deleted",
}

pub struct Api;

/// Seeded tasks when `size` is not given.
pub const DEFAULT_SIZE: usize = 50;
/// Users of the workspace: 0 is the login user, 1 the assignee, the rest synthetic members.
const MEMBERS: usize = 12;
const TITLE_MAX: usize = 100;
const DESCRIPTION_MAX: usize = 255;
const STATUS_MAX: usize = 50;
/// 2025-01-01T00:00:00Z in microseconds.
const SEED_EPOCH_MICROS: i64 = 1_735_689_600_000_000;

const TASK_SALT: u64 = 0x7A5C_0001;
const USER_SALT: u64 = 0x7A5C_0002;
const WORKSPACE_SALT: u64 = 0x7A5C_0003;

impl MockApi for Api {
    fn name(&self) -> &'static str {
        "optacheck"
    }

    fn faults(&self) -> &'static [FaultInfo] {
        Fault::INFOS
    }

    fn variants(&self) -> &'static [VariantInfo] {
        Variant::INFOS
    }

    fn build(&self, options: &MockOptions, fault: Option<&'static str>) -> Built {
        let seed = options.seed;
        let variant = options.variant.as_deref().and_then(Variant::from_name);
        let workspace_id = match variant {
            Some(Variant::IntegerIds) => (1000 + mix(seed, WORKSPACE_SALT) % 9000).to_string(),
            Some(Variant::SetupOtherwise) => format!("field-ops-{seed}"),
            _ => uuid_like(
                mix(seed, WORKSPACE_SALT),
                mix(seed, WORKSPACE_SALT + 1),
                mix(seed, WORKSPACE_SALT + 2),
            ),
        };
        let default_size = match variant {
            Some(Variant::SetupOtherwise) => 0,
            _ => DEFAULT_SIZE,
        };
        let ctx = Arc::new(Ctx {
            seed,
            size: options.size.unwrap_or(default_size) as u64,
            fault: fault.and_then(Fault::from_name),
            variant,
            username: format!("mock-user-{seed}@optacheck.example"),
            password: format!("mock-password-{:016x}", mix(seed, 11)),
            api_key: format!("mock-api-key-{:016x}{:016x}", mix(seed, 12), mix(seed, 13)),
            token: format!(
                "{:016x}{:016x}{:08x}",
                mix(seed, 14),
                mix(seed, 15),
                mix(seed, 16) >> 32
            ),
            workspace_id,
            assignee_email: format!("mock-assignee-{seed}@optacheck.example"),
            store: Shared::default(),
        });
        let credentials = Credentials::default()
            .with("username", ctx.username.clone())
            .with("password", ctx.password.clone())
            .with("api_key", ctx.api_key.clone())
            .with("workspace_id", ctx.workspace_id.clone());
        // Whom the run's tasks are assigned to is the workspace's set-up, which no request can
        // list: a fixture, as a profile gives it.
        let assignee = match variant {
            Some(Variant::SetupOtherwise) => ctx.username.clone(),
            _ => ctx.assignee_email.clone(),
        };
        // Ids of the workspace's forms, project and clients, written as the mock writes them.
        let (form, project, client) = if ctx.has(Variant::IntegerIds) {
            (json!(3), json!(2), json!(5))
        } else {
            (json!("form-3"), json!("project-2"), json!("client-5"))
        };
        let fixtures = BTreeMap::from([
            ("assignee_email".to_string(), Value::String(assignee)),
            ("form_id".to_string(), form),
            ("project_id".to_string(), project),
            ("client_id".to_string(), client),
        ]);
        Built {
            router: router(ctx),
            credentials,
            base_path: String::new(),
            transport: Transport::Plain,
            fixtures,
        }
    }
}

fn router(ctx: Arc<Ctx>) -> Router {
    Router::new()
        .route("/api-token-auth/", post(login))
        .route(
            "/v1.0/workspaces/{workspace_id}/assignments/",
            post(create_task),
        )
        .route(
            "/v1.0/workspaces/{workspace_id}/assignments/{task_id}/",
            get(read_task).put(update_task).delete(delete_task),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(common::MAX_BODY_BYTES))
        .with_state(ctx)
}

// ------------------------------------------------------------------------------------ state

struct Ctx {
    seed: u64,
    size: u64,
    fault: Option<Fault>,
    variant: Option<Variant>,
    username: String,
    password: String,
    api_key: String,
    token: String,
    workspace_id: String,
    assignee_email: String,
    store: Shared<Store>,
}

#[derive(Default)]
struct Store {
    /// Task number → its state when written (created or changed), None when deleted.
    written: HashMap<u64, Option<Task>>,
    /// Tasks created so far (new numbers start after the seeded ones).
    created: u64,
    /// The last timestamp handed out, so timestamps of one store never go backwards.
    last_micros: i64,
}

impl Store {
    fn tick(&mut self) -> i64 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_micros() as i64)
            .unwrap_or(0);
        self.last_micros = now.max(self.last_micros + 1);
        self.last_micros
    }
}

#[derive(Debug, Clone)]
struct Task {
    status: String,
    title: String,
    description: Option<String>,
    /// Form, project and client ids as sent: strings or integers.
    forms: Vec<Value>,
    project: Option<Value>,
    client: Option<Value>,
    /// Member index of the assigned user.
    user: usize,
    /// Member index of the creator.
    by_user: usize,
    data: Option<Map<String, Value>>,
    date_created: i64,
    date_edited: i64,
    /// (status, when) oldest first.
    history: Vec<(String, i64)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Read,
    Create,
    Update,
    Delete,
}

impl Ctx {
    fn is(&self, f: Fault) -> bool {
        self.fault == Some(f)
    }

    fn has(&self, v: Variant) -> bool {
        self.variant == Some(v)
    }

    fn member_email(&self, idx: usize) -> String {
        match idx {
            0 => self.username.clone(),
            1 => self.assignee_email.clone(),
            n => format!("member{n}.{}@optacheck.example", self.seed),
        }
    }

    fn member_by_email(&self, email: &str) -> Option<usize> {
        (0..MEMBERS).find(|i| self.member_email(*i).eq_ignore_ascii_case(email))
    }

    fn user_id(&self, idx: usize) -> Value {
        if self.has(Variant::IntegerIds) {
            return json!(1000 + idx);
        }
        let h = mix(self.seed ^ USER_SALT, idx as u64);
        Value::String(uuid_like(h, mix(h, 1), idx as u64))
    }

    fn task_id(&self, n: u64) -> Value {
        if self.has(Variant::IntegerIds) {
            return json!(n);
        }
        Value::String(task_id(self.seed, n))
    }

    /// The task number an id names, if the id is one this mock could have handed out.
    fn task_number(&self, id: &str) -> Option<u64> {
        if self.has(Variant::IntegerIds) {
            // Only the id as the mock writes it: no sign, no leading zero.
            let n = id.parse::<u64>().ok()?;
            return (n >= 1 && n.to_string() == id).then_some(n);
        }
        let last = id.rsplit('-').next()?;
        if last.len() != 12 {
            return None;
        }
        let n = u64::from_str_radix(last, 16).ok()?;
        (task_id(self.seed, n) == id).then_some(n)
    }

    /// A timestamp as this mock writes it. `fresh`: in the answer of the create that made it
    /// (the time held in memory), rather than read back from the store.
    fn stamp(&self, micros: i64, fresh: bool) -> String {
        let style = if self.is(Fault::TimestampsNotRfc3339) {
            Stamp::Naive
        } else if self.has(Variant::TimestampsOtherwise) {
            if fresh {
                Stamp::MillisOffset
            } else {
                Stamp::SecondsOffset
            }
        } else {
            Stamp::MicrosZ
        };
        format_timestamp(micros, style)
    }

    /// The display name of a status.
    fn status_label(&self, status: &str) -> String {
        if self.has(Variant::LocalizedStatusNames) {
            let known = match status {
                "assigned" => Some("Asignada"),
                "in_progress" => Some("En progreso"),
                "active" => Some("Activa"),
                "completed" => Some("Completada"),
                _ => None,
            };
            if let Some(name) = known {
                return name.to_string();
            }
        }
        status_name(status)
    }

    /// An id of the seeded data: `prefix-k`, or `k` where ids are integers.
    fn seeded_ref(&self, prefix: &str, k: u64) -> Value {
        if self.has(Variant::IntegerIds) {
            json!(k)
        } else {
            Value::String(format!("{prefix}-{k}"))
        }
    }

    /// A seeded task, derived from its number alone.
    fn seeded(&self, n: u64) -> Task {
        const STATUSES: &[&str] = &["assigned", "in_progress", "active", "completed"];
        const TITLES: &[&str] = &[
            "Site inspection",
            "Safety audit",
            "Equipment check",
            "Store visit",
            "Quality review",
            "Delivery check",
        ];
        let h = mix(self.seed ^ TASK_SALT ^ 0xD47A, n);
        let created = SEED_EPOCH_MICROS + (h % (150 * 86_400_000_000)) as i64;
        let status = pick(STATUSES, self.seed, n, 1).to_string();
        let mut history = vec![("assigned".to_string(), created + 87_339)];
        if status != "assigned" {
            history.push((status.clone(), created + 3_600_000_000 + (h >> 40) as i64));
        }
        let forms = (0..1 + (h >> 8) % 3)
            .map(|k| self.seeded_ref("form", (h >> (12 + 4 * k)) % 40 + 1))
            .collect();
        let data = json!({"fields": [
            {"id": "field-site", "value": format!("Site {}", h % 97), "title": "Site"},
            {"id": "field-notes", "value": null, "title": "Notes"},
        ]});
        Task {
            title: format!("{} #{n}", pick(TITLES, self.seed, n, 2)),
            description: (h % 4 != 0).then(|| format!("Seeded task {n} of the workspace")),
            forms,
            project: Some(self.seeded_ref("project", (h >> 20) % 20 + 1)),
            client: (h % 3 != 0).then(|| self.seeded_ref("client", (h >> 28) % 30 + 1)),
            user: 2 + ((h >> 16) as usize % (MEMBERS - 2)),
            by_user: 0,
            data: data.as_object().cloned(),
            date_created: created,
            date_edited: history.last().map(|e| e.1).unwrap_or(created),
            history,
            status,
        }
    }

    fn lookup(&self, store: &Store, n: u64) -> Option<Task> {
        match store.written.get(&n) {
            Some(slot) => slot.clone(),
            None if (1..=self.size).contains(&n) => Some(self.seeded(n)),
            None => None,
        }
    }

    /// Why task `n` cannot be found: it never existed, or (where the variant says so) it was
    /// deleted.
    fn missing(&self, store: &Store, n: u64) -> Refusal {
        if self.has(Variant::DeleteAnswersBody) && matches!(store.written.get(&n), Some(None)) {
            Refusal::Gone
        } else {
            Refusal::NotFound
        }
    }

    /// Task `n` as the API answers it; `fresh` in the answer of the create that made it.
    fn task_json(&self, n: u64, t: &Task, fresh: bool) -> Value {
        let absent = self.has(Variant::OptionalFieldsAbsent);
        let null = self.has(Variant::OptionalFieldsNull);
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

    /// Both credentials and the workspace of the URL; the member index of the caller.
    fn authorize(&self, headers: &HeaderMap, op: Op, workspace_id: &str) -> Result<usize, Refusal> {
        let token_unchecked = match op {
            Op::Read => self.is(Fault::TokenUncheckedRead),
            Op::Create => self.is(Fault::TokenUncheckedCreate),
            Op::Update => self.is(Fault::TokenUncheckedUpdate),
            Op::Delete => self.is(Fault::TokenUncheckedDelete),
        };
        match self.check_token(headers) {
            TokenCheck::Valid => {}
            TokenCheck::Missing | TokenCheck::Unknown if token_unchecked => {}
            TokenCheck::Missing | TokenCheck::NotToken => {
                return Err(Refusal::NotAuthenticated(
                    "Authentication credentials were not provided.",
                ))
            }
            TokenCheck::Unknown => return Err(Refusal::NotAuthenticated("Invalid token.")),
            TokenCheck::Malformed(why) => return Err(Refusal::NotAuthenticated(why)),
        }
        let key_unchecked = match op {
            Op::Read => self.is(Fault::ApiKeyUncheckedRead),
            Op::Create => self.is(Fault::ApiKeyUncheckedCreate),
            Op::Update => self.is(Fault::ApiKeyUncheckedUpdate),
            Op::Delete => self.is(Fault::ApiKeyUncheckedDelete),
        };
        if !key_unchecked {
            self.check_api_key(headers)?;
        }
        if workspace_id != self.workspace_id && !self.is(Fault::OtherWorkspaceAllowed) {
            return Err(Refusal::OtherWorkspace);
        }
        Ok(0)
    }

    fn check_api_key(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        match headers.get("x-api-key").map(|v| v.as_bytes()) {
            None => Err(Refusal::BadApiKey(
                "The Workspace API Key (x-api-key) was not provided.",
            )),
            Some(k) if k != self.api_key.as_bytes() => {
                Err(Refusal::BadApiKey("Invalid Workspace API Key."))
            }
            Some(_) => Ok(()),
        }
    }

    fn check_token(&self, headers: &HeaderMap) -> TokenCheck {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return TokenCheck::Missing;
        };
        let Ok(text) = value.to_str() else {
            return TokenCheck::Malformed(
                "Invalid token header. Token string should not contain invalid characters.",
            );
        };
        let parts: Vec<&str> = text.split_whitespace().collect();
        let known = |tok: &str| {
            if tok == self.token {
                TokenCheck::Valid
            } else {
                TokenCheck::Unknown
            }
        };
        match parts.as_slice() {
            [kw, tok] if kw.eq_ignore_ascii_case("token") => known(tok),
            [kw, tok] if kw.eq_ignore_ascii_case("bearer") && self.has(Variant::BearerAccepted) => {
                known(tok)
            }
            [kw] if kw.eq_ignore_ascii_case("token") => {
                TokenCheck::Malformed("Invalid token header. No credentials provided.")
            }
            [kw, ..] if kw.eq_ignore_ascii_case("token") => TokenCheck::Malformed(
                "Invalid token header. Token string should not contain spaces.",
            ),
            [_, tok] | [tok] if self.is(Fault::TokenAnyKeyword) && *tok == self.token => {
                TokenCheck::Valid
            }
            _ => TokenCheck::NotToken,
        }
    }

    /// A body this mock reads as JSON: declared so, or any body where the variant says so.
    fn reads_as_json(&self, headers: &HeaderMap) -> bool {
        is_json(headers) || self.has(Variant::AnyContentType)
    }

    /// How a refusal is answered: the document names no refusal status and shows no error
    /// body, so this is where the mock (Django REST Framework's defaults) and the
    /// `other-refusals` variant part ways.
    fn refuse(&self, r: Refusal) -> Response {
        if self.has(Variant::OtherRefusals) {
            return other_refusal(r);
        }
        match r {
            Refusal::NotAuthenticated(why) => {
                let mut resp = detail(StatusCode::UNAUTHORIZED, why);
                resp.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Token"));
                resp
            }
            Refusal::BadApiKey(why) => detail(StatusCode::FORBIDDEN, why),
            Refusal::OtherWorkspace => detail(
                StatusCode::FORBIDDEN,
                "You do not have permission to access this workspace.",
            ),
            Refusal::NotFound => detail(StatusCode::NOT_FOUND, "Not found."),
            Refusal::Gone => detail(StatusCode::GONE, "This task was deleted."),
            Refusal::Invalid(errors) => {
                (StatusCode::BAD_REQUEST, Json(json!(errors))).into_response()
            }
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
                format!(
                    "Request body is larger than {} bytes.",
                    common::MAX_BODY_BYTES
                ),
            ),
            Refusal::Unreadable => detail(
                StatusCode::BAD_REQUEST,
                "The request body could not be read.",
            ),
            Refusal::BadLogin => (
                StatusCode::BAD_REQUEST,
                Json(json!({"non_field_errors": ["Unable to log in with provided credentials."]})),
            )
                .into_response(),
            Refusal::MethodNotAllowed(method) => detail(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("Method \"{method}\" not allowed."),
            ),
        }
    }
}

/// Why a request is refused.
enum Refusal {
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
fn other_refusal(r: Refusal) -> Response {
    let error = |status: StatusCode, code: &str, message: &str| {
        (
            status,
            Json(json!({"error": {"code": code, "message": message}})),
        )
            .into_response()
    };
    let bare = |status: StatusCode| (status, Body::empty()).into_response();
    let html_not_found = || {
        (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<html><body><h1>Not Found</h1></body></html>",
        )
            .into_response()
    };
    match r {
        Refusal::NotAuthenticated(why) => error(StatusCode::FORBIDDEN, "not_authenticated", why),
        Refusal::BadApiKey(_) => (
            StatusCode::UNAUTHORIZED,
            [
                (header::WWW_AUTHENTICATE, "ApiKey header=\"x-api-key\""),
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            ],
            "Unauthorized",
        )
            .into_response(),
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
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({ "errors": list })),
            )
                .into_response()
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
enum Stamp {
    /// RFC 3339, UTC `Z`, microseconds: the document's examples.
    MicrosZ,
    /// RFC 3339 with a `+00:00` offset and milliseconds.
    MillisOffset,
    /// RFC 3339 with a `+00:00` offset, whole seconds.
    SecondsOffset,
    /// Python's naive `str(datetime)` (the fault `tasks.timestamps-not-rfc3339`).
    Naive,
}

enum TokenCheck {
    Valid,
    Missing,
    /// Another scheme (Bearer, Basic) or no keyword: not a token credential at all.
    NotToken,
    Unknown,
    Malformed(&'static str),
}

// ------------------------------------------------------------------------------------ handlers

type AppState = State<Arc<Ctx>>;

async fn login(
    State(ctx): AppState,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(e) => return ctx.refuse(body_rejection(e)),
    };
    if ctx.has(Variant::LoginRequiresApiKey) {
        if let Err(r) = ctx.check_api_key(&headers) {
            return ctx.refuse(r);
        }
    }
    if !ctx.reads_as_json(&headers) {
        return ctx.refuse(unsupported_media_type(&headers));
    }
    let obj = match parse_object(&body) {
        Ok(o) => o,
        Err(r) => return ctx.refuse(r),
    };
    let mut errors = Errors::new();
    let username = required_string(&obj, "username", &mut errors);
    let password = required_string(&obj, "password", &mut errors);
    if !errors.is_empty() {
        return ctx.refuse(Refusal::Invalid(errors));
    }
    let (username, password) = (username.unwrap_or_default(), password.unwrap_or_default());
    let user_ok = username.eq_ignore_ascii_case(&ctx.username);
    let password_ok = password == ctx.password;
    let accepted = (user_ok || ctx.is(Fault::LoginUnknownUserAccepted))
        && (password_ok || ctx.is(Fault::LoginWrongPasswordAccepted));
    if !accepted {
        return ctx.refuse(Refusal::BadLogin);
    }
    let mut answer = json!({ "token": ctx.token });
    if ctx.has(Variant::LoginRequiresApiKey) {
        let now = ctx.store.write().await.tick();
        answer["user_id"] = ctx.user_id(0);
        answer["expiry"] = json!(ctx.stamp(now + 10 * 3_600_000_000, true));
    }
    if ctx.is(Fault::LoginAnswerNotJson) {
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            answer.to_string(),
        )
            .into_response();
    }
    (StatusCode::OK, Json(answer)).into_response()
}

async fn create_task(
    State(ctx): AppState,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Ok(Path(workspace_id)) = path else {
        return ctx.refuse(Refusal::NotFound);
    };
    let body = match body {
        Ok(b) => b,
        Err(e) => return ctx.refuse(body_rejection(e)),
    };
    let creator = match ctx.authorize(&headers, Op::Create, &workspace_id) {
        Ok(u) => u,
        Err(r) => return ctx.refuse(r),
    };
    if !ctx.reads_as_json(&headers) && !ctx.is(Fault::ContentTypeIgnoredCreate) {
        return ctx.refuse(unsupported_media_type(&headers));
    }
    let obj = match parse_object(&body) {
        Ok(o) => o,
        Err(_) if ctx.is(Fault::CreateBodyNotJsonAccepted) => {
            let mut form: Map<String, Value> = common::parse_form(&body).into_iter().collect();
            form.entry("user_email")
                .or_insert_with(|| Value::String(ctx.member_email(creator)));
            form
        }
        Err(r) => return ctx.refuse(r),
    };
    let patch = match validate(&ctx, &obj, true, creator) {
        Ok(p) => p,
        Err(errors) => return ctx.refuse(Refusal::Invalid(errors)),
    };
    let mut store = ctx.store.write().await;
    let now = store.tick();
    store.created += 1;
    let n = ctx.size + store.created;
    let status = patch.status.clone().unwrap_or_else(|| "assigned".into());
    let mut task = Task {
        history: if ctx.is(Fault::CreateHistoryEmpty) {
            vec![]
        } else {
            vec![(status.clone(), now)]
        },
        status,
        title: patch.title.clone().unwrap_or_default(),
        description: None,
        forms: vec![],
        project: None,
        client: None,
        user: patch.user.unwrap_or(creator),
        by_user: creator,
        data: None,
        date_created: now,
        date_edited: now,
    };
    patch.apply_fields(&mut task);
    if ctx.is(Fault::CreateDropsReferences) {
        task.forms.clear();
        task.project = None;
        task.client = None;
    }
    store.written.insert(n, Some(task.clone()));
    drop(store);
    let mut answer = ctx.task_json(n, &task, true);
    if ctx.is(Fault::CreateAnswerIncomplete) {
        if let Some(o) = answer.as_object_mut() {
            o.remove("description");
        }
    }
    (StatusCode::CREATED, Json(answer)).into_response()
}

async fn read_task(
    State(ctx): AppState,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let Ok(Path((workspace_id, task_id))) = path else {
        return ctx.refuse(Refusal::NotFound);
    };
    if let Err(r) = ctx.authorize(&headers, Op::Read, &workspace_id) {
        return ctx.refuse(r);
    }
    let Some(n) = ctx.task_number(&task_id) else {
        return ctx.refuse(Refusal::NotFound);
    };
    let task = {
        let store = ctx.store.read().await;
        ctx.lookup(&store, n).ok_or_else(|| ctx.missing(&store, n))
    };
    let task = match task {
        Ok(t) => t,
        Err(r) => return ctx.refuse(r),
    };
    let mut answer = ctx.task_json(n, &task, false);
    if ctx.is(Fault::ReadByUserWrong) {
        answer["by_user"] = ctx.user_id(task.user);
    }
    if ctx.is(Fault::ReadNotJson) {
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            answer.to_string(),
        )
            .into_response();
    }
    (StatusCode::OK, Json(answer)).into_response()
}

async fn update_task(
    State(ctx): AppState,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Ok(Path((workspace_id, task_id))) = path else {
        return ctx.refuse(Refusal::NotFound);
    };
    let body = match body {
        Ok(b) => b,
        Err(e) => return ctx.refuse(body_rejection(e)),
    };
    let caller = match ctx.authorize(&headers, Op::Update, &workspace_id) {
        Ok(u) => u,
        Err(r) => return ctx.refuse(r),
    };
    let Some(n) = ctx.task_number(&task_id) else {
        return ctx.refuse(Refusal::NotFound);
    };
    {
        let store = ctx.store.read().await;
        if ctx.lookup(&store, n).is_none() {
            return ctx.refuse(ctx.missing(&store, n));
        }
    }
    if !ctx.reads_as_json(&headers) && !ctx.is(Fault::ContentTypeIgnoredUpdate) {
        return ctx.refuse(unsupported_media_type(&headers));
    }
    let obj = match parse_object(&body) {
        Ok(o) => o,
        Err(r) => return ctx.refuse(r),
    };
    let patch = match validate(&ctx, &obj, false, caller) {
        Ok(p) => p,
        Err(errors) => return ctx.refuse(Refusal::Invalid(errors)),
    };
    let mut store = ctx.store.write().await;
    // Looked up again under the write lock: a concurrent delete may have come in between.
    let Some(mut task) = ctx.lookup(&store, n) else {
        return ctx.refuse(ctx.missing(&store, n));
    };
    let now = store.tick();
    if let Some(status) = &patch.status {
        if *status != task.status {
            if ctx.is(Fault::UpdateHistoryReplaced) {
                task.history.clear();
            }
            task.history.push((status.clone(), now));
            task.status = status.clone();
        }
    }
    if ctx.is(Fault::UpdateNotPartial) {
        task.description = None;
        task.forms = vec![];
        task.project = None;
        task.client = None;
        task.data = None;
    }
    if !ctx.is(Fault::UpdateIgnoresFields) {
        patch.apply_fields(&mut task);
    }
    task.date_edited = now;
    store.written.insert(n, Some(task.clone()));
    drop(store);
    let status = if ctx.is(Fault::UpdateReturns202) {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    (status, Json(ctx.task_json(n, &task, false))).into_response()
}

async fn delete_task(
    State(ctx): AppState,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let Ok(Path((workspace_id, task_id))) = path else {
        return ctx.refuse(Refusal::NotFound);
    };
    if let Err(r) = ctx.authorize(&headers, Op::Delete, &workspace_id) {
        return ctx.refuse(r);
    }
    let Some(n) = ctx.task_number(&task_id) else {
        return ctx.refuse(Refusal::NotFound);
    };
    let mut store = ctx.store.write().await;
    let Some(task) = ctx.lookup(&store, n) else {
        return ctx.refuse(ctx.missing(&store, n));
    };
    if !ctx.is(Fault::DeleteKeepsTask) {
        store.written.insert(n, None);
    }
    drop(store);
    if ctx.has(Variant::DeleteAnswersBody) {
        return (StatusCode::OK, Json(ctx.task_json(n, &task, false))).into_response();
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn not_found(State(ctx): AppState) -> Response {
    ctx.refuse(Refusal::NotFound)
}

async fn method_not_allowed(State(ctx): AppState, method: Method) -> Response {
    ctx.refuse(Refusal::MethodNotAllowed(method))
}

// ------------------------------------------------------------------------------------ bodies

type Errors = BTreeMap<String, Vec<String>>;

/// What a create or an update sends, validated. `Some(None)`: sent as null (cleared).
#[derive(Debug, Default)]
struct Patch {
    status: Option<String>,
    title: Option<String>,
    description: Option<Option<String>>,
    forms: Option<Vec<Value>>,
    project: Option<Option<Value>>,
    client: Option<Option<Value>>,
    user: Option<usize>,
    data: Option<Option<Map<String, Value>>>,
}

impl Patch {
    /// Every field but the status (whose change also writes the history).
    fn apply_fields(&self, t: &mut Task) {
        if let Some(v) = &self.title {
            t.title = v.clone();
        }
        if let Some(v) = &self.description {
            t.description = v.clone();
        }
        if let Some(v) = &self.forms {
            t.forms = v.clone();
        }
        if let Some(v) = &self.project {
            t.project = v.clone();
        }
        if let Some(v) = &self.client {
            t.client = v.clone();
        }
        if let Some(v) = self.user {
            t.user = v;
        }
        if let Some(v) = &self.data {
            t.data = v.clone();
        }
    }
}

const REQUIRED: &str = "This field is required.";

/// `caller`: the member making the request (the assignee a `defaults-on-create` create
/// without user_email gets).
fn validate(
    ctx: &Ctx,
    obj: &Map<String, Value>,
    creating: bool,
    caller: usize,
) -> Result<Patch, Errors> {
    let mut errors = Errors::new();
    let mut err = |field: &str, msg: String| errors.entry(field.to_string()).or_default().push(msg);
    let mut p = Patch::default();

    let title_max = if ctx.is(Fault::TitleLengthUnchecked) {
        usize::MAX
    } else if ctx.is(Fault::TitleMax99) {
        TITLE_MAX - 1
    } else {
        TITLE_MAX
    };
    let description_max = if ctx.is(Fault::DescriptionLengthUnchecked) {
        usize::MAX
    } else if ctx.is(Fault::DescriptionMax254) {
        DESCRIPTION_MAX - 1
    } else {
        DESCRIPTION_MAX
    };
    let too_long = if ctx.has(Variant::TruncatesLongText) {
        TooLong::Shorten
    } else {
        TooLong::Refuse
    };
    let defaults = ctx.has(Variant::DefaultsOnCreate);

    match obj.get("status") {
        None if creating && (defaults || ctx.is(Fault::StatusOptional)) => {
            p.status = Some("assigned".into())
        }
        None if creating => err("status", REQUIRED.into()),
        None => {}
        Some(v) => match text(v, STATUS_MAX, false, TooLong::Refuse) {
            Ok(s) => p.status = Some(s),
            Err(m) => err("status", m),
        },
    }
    match obj.get("title") {
        None if creating && ctx.is(Fault::TitleOptional) => p.title = Some("Untitled task".into()),
        None if creating => err("title", REQUIRED.into()),
        None => {}
        Some(v) => match text(v, title_max, false, too_long) {
            Ok(s) => p.title = Some(s),
            Err(m) => err("title", m),
        },
    }
    match obj.get("description") {
        None if creating && ctx.is(Fault::DescriptionRequired) => {
            err("description", REQUIRED.into())
        }
        None => {}
        Some(Value::Null) => p.description = Some(None),
        Some(v) => match text(v, description_max, true, too_long) {
            Ok(s) => p.description = Some(Some(s)),
            Err(m) => err("description", m),
        },
    }
    match obj.get("forms") {
        None => {}
        Some(Value::Null) => p.forms = Some(vec![]),
        Some(Value::Array(items)) => {
            let ids: Result<Vec<Value>, String> = items.iter().map(id_value).collect();
            match ids {
                Ok(ids) => p.forms = Some(ids),
                Err(m) => err("forms", m),
            }
        }
        Some(other) => err(
            "forms",
            format!(
                "Expected a list of items but got type \"{}\".",
                type_name(other)
            ),
        ),
    }
    for (field, slot) in [("project", &mut p.project), ("client", &mut p.client)] {
        match obj.get(field) {
            None => {}
            Some(Value::Null) => *slot = Some(None),
            Some(v) => match id_value(v) {
                Ok(id) => *slot = Some(Some(id)),
                Err(m) => err(field, m),
            },
        }
    }
    match obj.get("user_email") {
        None if creating && (defaults || ctx.is(Fault::UserEmailOptional)) => p.user = Some(caller),
        None if creating => err("user_email", REQUIRED.into()),
        None => {}
        Some(Value::String(e)) if !looks_like_email(e) => {
            err("user_email", "Enter a valid email address.".into())
        }
        Some(Value::String(e)) => match ctx.member_by_email(e.trim()) {
            Some(i) => p.user = Some(i),
            None => err(
                "user_email",
                "No user of this workspace has this email.".into(),
            ),
        },
        Some(Value::Null) => err("user_email", "This field may not be null.".into()),
        Some(_) => err("user_email", "Not a valid string.".into()),
    }
    match obj.get("data") {
        None => {}
        Some(Value::Null) => p.data = Some(None),
        Some(Value::Object(m)) => match check_data(m) {
            Ok(())
                if ctx.is(Fault::DataEmptyRefused)
                    && m.get("fields")
                        .and_then(Value::as_array)
                        .is_none_or(Vec::is_empty) =>
            {
                err("data", "This field may not be empty.".into())
            }
            Ok(()) => p.data = Some(Some(m.clone())),
            Err(msg) => err("data", msg),
        },
        Some(other) => err(
            "data",
            format!(
                "Expected a dictionary of items but got type \"{}\".",
                type_name(other)
            ),
        ),
    }
    if errors.is_empty() {
        Ok(p)
    } else {
        Err(errors)
    }
}

/// What a text over its maximum gets.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TooLong {
    Refuse,
    /// Cut to the maximum (the `truncates-long-text` variant).
    Shorten,
}

/// A text field: a string, not blank unless `blank_ok`, at most `max` characters.
fn text(v: &Value, max: usize, blank_ok: bool, too_long: TooLong) -> Result<String, String> {
    match v {
        Value::String(s) if !blank_ok && s.trim().is_empty() => {
            Err("This field may not be blank.".into())
        }
        Value::String(s) if s.chars().count() > max => match too_long {
            TooLong::Refuse => Err(format!(
                "Ensure this field has no more than {max} characters."
            )),
            TooLong::Shorten => Ok(s.chars().take(max).collect()),
        },
        Value::String(s) => Ok(s.clone()),
        Value::Null => Err("This field may not be null.".into()),
        _ => Err("Not a valid string.".into()),
    }
}

/// An id (form, project, client): a non-empty string or an integer, kept as sent.
fn id_value(v: &Value) -> Result<Value, String> {
    match v {
        Value::String(s) if s.trim().is_empty() => Err("This field may not be blank.".into()),
        Value::String(s) if s.chars().count() > 255 => {
            Err("Ensure this field has no more than 255 characters.".into())
        }
        Value::String(_) => Ok(v.clone()),
        Value::Number(n) if n.is_u64() || n.is_i64() => Ok(v.clone()),
        other => Err(format!(
            "Incorrect type. Expected pk value, received {}.",
            type_name(other)
        )),
    }
}

fn check_data(m: &Map<String, Value>) -> Result<(), String> {
    match m.get("fields") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Array(items)) => {
            for item in items {
                let Some(f) = item.as_object() else {
                    return Err("Each item of data.fields must be an object.".into());
                };
                for key in ["id", "title"] {
                    if let Some(v) = f.get(key) {
                        if !(v.is_string() || v.is_null()) {
                            return Err(format!("data.fields[].{key} must be a string."));
                        }
                    }
                }
            }
            Ok(())
        }
        Some(_) => Err("data.fields must be a list.".into()),
    }
}

fn looks_like_email(e: &str) -> bool {
    let e = e.trim();
    match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !e.contains(' ')
        }
        None => false,
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

fn required_string(obj: &Map<String, Value>, field: &str, errors: &mut Errors) -> Option<String> {
    let msg = match obj.get(field) {
        Some(Value::String(s)) if !s.is_empty() => return Some(s.clone()),
        Some(Value::String(_)) => "This field may not be blank.",
        None => REQUIRED,
        Some(Value::Null) => "This field may not be null.",
        Some(_) => "Not a valid string.",
    };
    errors
        .entry(field.to_string())
        .or_default()
        .push(msg.into());
    None
}

/// `Content-Type: application/json` (or a `+json` type), parameters allowed.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let media = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"))
}

/// The body as a JSON object; an empty body is an empty object (nothing sent).
fn parse_object(body: &Bytes) -> Result<Map<String, Value>, Refusal> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(other) => Err(Refusal::Invalid(Errors::from([(
            "non_field_errors".to_string(),
            vec![format!(
                "Invalid data. Expected a dictionary, but got {}.",
                type_name(&other)
            )],
        )]))),
        Err(e) => Err(Refusal::BadJson(format!("JSON parse error - {e}"))),
    }
}

// ------------------------------------------------------------------------------------ answers

fn detail(status: StatusCode, detail: impl Into<String>) -> Response {
    (status, Json(json!({ "detail": detail.into() }))).into_response()
}

fn unsupported_media_type(headers: &HeaderMap) -> Refusal {
    Refusal::UnsupportedMedia(
        headers
            .get(header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
    )
}

fn body_rejection(e: BytesRejection) -> Refusal {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Refusal::TooLarge
    } else {
        Refusal::Unreadable
    }
}

// ------------------------------------------------------------------------------------ values

/// The id of task number `n` of the mock started with `seed`: seeded tasks are 1..=size, created
/// ones follow. Public for tests, since the API has no list endpoint to discover a task.
pub fn task_id(seed: u64, n: u64) -> String {
    let h = mix(seed ^ TASK_SALT, n);
    uuid_like(h, mix(h, 2), n)
}

/// A UUID-shaped id whose last group is `n` (so the id names its record).
fn uuid_like(a: u64, b: u64, n: u64) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b & 0x3fff),
        n & 0xffff_ffff_ffff
    )
}

/// The display name of a status: `in_progress` → `In progress`.
fn status_name(status: &str) -> String {
    let words = status.replace(['_', '-'], " ").to_lowercase();
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Microseconds since the epoch, written in `style`.
fn format_timestamp(micros: i64, style: Stamp) -> String {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    let (hh, mm, ss) = (sod / 3600, sod % 3600 / 60, sod % 60);
    let date = format!("{y:04}-{m:02}-{d:02}");
    let time = format!("{hh:02}:{mm:02}:{ss:02}");
    match style {
        Stamp::MicrosZ => format!("{date}T{time}.{frac:06}Z"),
        Stamp::MillisOffset => format!("{date}T{time}.{:03}+00:00", frac / 1000),
        Stamp::SecondsOffset => format!("{date}T{time}+00:00"),
        Stamp::Naive => format!("{date} {time}.{frac:06}"),
    }
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
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

    fn ctx(variant: Option<Variant>) -> Ctx {
        Ctx {
            seed: 3,
            size: 10,
            fault: None,
            variant,
            username: String::new(),
            password: String::new(),
            api_key: String::new(),
            token: String::new(),
            workspace_id: String::new(),
            assignee_email: String::new(),
            store: Shared::default(),
        }
    }

    #[test]
    fn task_ids_round_trip_and_forgeries_are_unknown() {
        let ctx = ctx(None);
        for n in [1, 10, 11, 123_456_789] {
            let id = ctx.task_id(n);
            assert_eq!(ctx.task_number(id.as_str().unwrap()), Some(n));
        }
        let id = task_id(3, 5);
        let forged = format!("{}{}", &id[..id.len() - 1], "6");
        assert_eq!(ctx.task_number(&forged), None);
        assert_eq!(ctx.task_number("5"), None);
        assert_eq!(ctx.task_number("../../x"), None);
    }

    #[test]
    fn integer_ids_round_trip_only_as_written() {
        let ctx = ctx(Some(Variant::IntegerIds));
        assert_eq!(ctx.task_id(7), json!(7));
        assert_eq!(ctx.task_number("7"), Some(7));
        for other in ["+7", "07", "0", "-7", "7.0", "x"] {
            assert_eq!(ctx.task_number(other), None, "{other}");
        }
        assert_eq!(ctx.user_id(1), json!(1001));
    }

    #[test]
    fn long_text_is_refused_or_shortened_by_character() {
        let long = Value::String("é".repeat(101));
        assert!(text(&long, 100, false, TooLong::Refuse).is_err());
        assert_eq!(
            text(&long, 100, false, TooLong::Shorten)
                .unwrap()
                .chars()
                .count(),
            100
        );
    }
}
