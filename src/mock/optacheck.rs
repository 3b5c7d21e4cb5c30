//! The OptaCheck Workspace API (optacheck.txt): a user token from `/api-token-auth/`, then task
//! CRUD under `/v1.0/workspaces/<workspace-id>/assignments/` with two credentials on every
//! request (`Authorization: Token <token>` and `x-api-key`).
//!
//! Where the document is silent (error statuses and bodies), the mock answers as the Django REST
//! Framework service the document describes would: `{"detail": ...}` for 401/403/404/405/413/415
//! and `{field: [messages]}` for 400.
//!
//! Data: `size` seeded tasks (default 50), each derived from its number; what is created,
//! changed or deleted is an overlay. Task ids are UUID-shaped and carry their number, checked
//! against the seed, so a forged id is simply unknown.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::common::{self, mix, pick};
use super::{Built, FaultInfo, MockApi, MockOptions, Shared, Transport};
use crate::faults;
use crate::target::Credentials;

faults! {
    LoginAnswerNotJson = "auth.login-answer-not-json" => ["optacheck.auth.login-returns-token"]:
        "the login answers the token with Content-Type text/html instead of application/json",
    LoginWrongPasswordAccepted = "auth.login-wrong-password-accepted" => ["optacheck.auth.login-wrong-password"]:
        "the login returns the token for the registered email whatever the password",
    LoginUnknownUserAccepted = "auth.login-unknown-user-accepted" => ["optacheck.auth.login-unknown-user"]:
        "the login checks only the password: an unregistered email with it gets the token",
    TokenAnyKeyword = "auth.token-any-keyword" => ["optacheck.auth.token-keyword"]:
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
    ContentTypeIgnoredCreate = "headers.content-type-ignored-create" => ["optacheck.headers.content-type-create"]:
        "a create reads its body as JSON whatever its Content-Type (text/plain is accepted)",
    ContentTypeIgnoredUpdate = "headers.content-type-ignored-update" => ["optacheck.headers.content-type-update"]:
        "an update reads its body as JSON whatever its Content-Type (text/plain is applied)",
    CreateBodyNotJsonAccepted = "tasks.create-body-not-json-accepted" => ["optacheck.tasks.create-body-not-json"]:
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
    ]: "a created task starts with an empty status_history instead of one entry for its status",
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
        "optacheck.tasks.title-max-length",
        "optacheck.tasks.title-100-accepted",
        "optacheck.tasks.timestamps-rfc3339",
        "optacheck.tasks.update-status-history",
        "optacheck.tasks.delete",
    ]: "description, documented (optional), is required on create: a create without it is refused",
    TitleOptional = "tasks.create-title-optional" => ["optacheck.tasks.create-requires-title"]:
        "a create without title is accepted (titled `Untitled task`)",
    StatusOptional = "tasks.create-status-optional" => ["optacheck.tasks.create-requires-status"]:
        "a create without status is accepted (status `assigned`)",
    UserEmailOptional = "tasks.create-user-email-optional" => ["optacheck.tasks.create-requires-user-email"]:
        "a create without user_email is accepted (assigned to its creator)",
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
    ReadByUserWrong = "tasks.read-by-user-wrong" => ["optacheck.tasks.read"]:
        "a read answers by_user as the assigned user's id instead of the creator's",
    TimestampsNotRfc3339 = "tasks.timestamps-not-rfc3339" => [
        "optacheck.tasks.timestamps-rfc3339",
        // Their `schema: Task` checks `format: date-time`.
        "optacheck.tasks.create-returns-201",
        "optacheck.tasks.read",
        "optacheck.tasks.update-returns-200",
    ]: "timestamps are written `2025-06-20 00:21:19.126137` (no T, no offset) instead of RFC 3339",
    UpdateIgnoresFields = "tasks.update-ignores-fields" => ["optacheck.tasks.update-returns-200"]:
        "an update validates every field but saves only the status (title, description... stay as they were)",
    UpdateReturns202 = "tasks.update-returns-202" => [
        "optacheck.tasks.update-returns-200",
        "optacheck.tasks.update-partial",
        "optacheck.tasks.update-status-history",
    ]: "an update answers 202 Accepted instead of 200 OK (the update is applied)",
    UpdateNotPartial = "tasks.update-not-partial" => ["optacheck.tasks.update-partial"]:
        "an update replaces the task: optional fields it does not send (description, forms, project, client, data) are cleared",
    UpdateHistoryReplaced = "tasks.update-history-replaced" => ["optacheck.tasks.update-status-history"]:
        "a status change replaces status_history with one entry for the new status",
    DeleteKeepsTask = "tasks.delete-keeps-task" => ["optacheck.tasks.delete"]:
        "a delete answers 204 but the task can still be read",
    ReadNotJson = "media.read-not-json" => [
        "optacheck.media.json-responses",
        "optacheck.tasks.read",
    ]: "a read answers the task (a JSON body) with Content-Type text/plain",
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

    fn build(&self, options: &MockOptions, fault: Option<&'static str>) -> Built {
        let seed = options.seed;
        let ctx = Arc::new(Ctx {
            seed,
            size: options.size.unwrap_or(DEFAULT_SIZE) as u64,
            fault: fault.and_then(Fault::from_name),
            username: format!("mock-user-{seed}@optacheck.example"),
            password: format!("mock-password-{:016x}", mix(seed, 11)),
            api_key: format!("mock-api-key-{:016x}{:016x}", mix(seed, 12), mix(seed, 13)),
            token: format!(
                "{:016x}{:016x}{:08x}",
                mix(seed, 14),
                mix(seed, 15),
                mix(seed, 16) >> 32
            ),
            workspace_id: uuid_like(
                mix(seed, WORKSPACE_SALT),
                mix(seed, WORKSPACE_SALT + 1),
                mix(seed, WORKSPACE_SALT + 2),
            ),
            assignee_email: format!("mock-assignee-{seed}@optacheck.example"),
            store: Shared::default(),
        });
        let credentials = Credentials::default()
            .with("username", ctx.username.clone())
            .with("password", ctx.password.clone())
            .with("api_key", ctx.api_key.clone())
            .with("workspace_id", ctx.workspace_id.clone())
            .with("assignee_email", ctx.assignee_email.clone());
        Built {
            router: router(ctx),
            credentials,
            base_path: String::new(),
            transport: Transport::Plain,
            fixtures: Default::default(),
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
    forms: Vec<String>,
    project: Option<String>,
    client: Option<String>,
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

    fn user_id(&self, idx: usize) -> String {
        let h = mix(self.seed ^ USER_SALT, idx as u64);
        uuid_like(h, mix(h, 1), idx as u64)
    }

    fn task_id(&self, n: u64) -> String {
        task_id(self.seed, n)
    }

    /// The task number an id names, if the id is one this mock could have handed out.
    fn task_number(&self, id: &str) -> Option<u64> {
        let last = id.rsplit('-').next()?;
        if last.len() != 12 {
            return None;
        }
        let n = u64::from_str_radix(last, 16).ok()?;
        (self.task_id(n) == id).then_some(n)
    }

    fn stamp(&self, micros: i64) -> String {
        format_timestamp(micros, !self.is(Fault::TimestampsNotRfc3339))
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
            .map(|k| format!("form-{}", (h >> (12 + 4 * k)) % 40 + 1))
            .collect();
        let data = json!({"fields": [
            {"id": "field-site", "value": format!("Site {}", h % 97), "title": "Site"},
            {"id": "field-notes", "value": null, "title": "Notes"},
        ]});
        Task {
            title: format!("{} #{n}", pick(TITLES, self.seed, n, 2)),
            description: (h % 4 != 0).then(|| format!("Seeded task {n} of the workspace")),
            forms,
            project: Some(format!("project-{}", (h >> 20) % 20 + 1)),
            client: (h % 3 != 0).then(|| format!("client-{}", (h >> 28) % 30 + 1)),
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

    fn task_json(&self, n: u64, t: &Task) -> Value {
        json!({
            "id": self.task_id(n),
            "status": t.status,
            "title": t.title,
            "description": t.description,
            "forms": t.forms,
            "project": t.project,
            "client": t.client,
            "user": self.user_id(t.user),
            "by_user": self.user_id(t.by_user),
            "date_edited": self.stamp(t.date_edited),
            "date_created": self.stamp(t.date_created),
            "data": t.data.clone().unwrap_or_default(),
            "status_history": t.history.iter().map(|(s, at)| json!({
                "status": s,
                "date_status": self.stamp(*at),
                "status_name": status_name(s),
            })).collect::<Vec<_>>(),
        })
    }

    /// Both credentials and the workspace of the URL; the member index of the caller.
    fn authorize(&self, headers: &HeaderMap, op: Op, workspace_id: &str) -> Result<usize, Refused> {
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
                return Err(Box::new(unauthorized(
                    "Authentication credentials were not provided.",
                )))
            }
            TokenCheck::Unknown => return Err(Box::new(unauthorized("Invalid token."))),
            TokenCheck::Malformed(why) => return Err(Box::new(unauthorized(why))),
        }
        let key_unchecked = match op {
            Op::Read => self.is(Fault::ApiKeyUncheckedRead),
            Op::Create => self.is(Fault::ApiKeyUncheckedCreate),
            Op::Update => self.is(Fault::ApiKeyUncheckedUpdate),
            Op::Delete => self.is(Fault::ApiKeyUncheckedDelete),
        };
        let key = headers.get("x-api-key").map(|v| v.as_bytes());
        if !key_unchecked {
            match key {
                None => {
                    return Err(Box::new(detail(
                        StatusCode::FORBIDDEN,
                        "The Workspace API Key (x-api-key) was not provided.",
                    )))
                }
                Some(k) if k != self.api_key.as_bytes() => {
                    return Err(Box::new(detail(
                        StatusCode::FORBIDDEN,
                        "Invalid Workspace API Key.",
                    )))
                }
                Some(_) => {}
            }
        }
        if workspace_id != self.workspace_id && !self.is(Fault::OtherWorkspaceAllowed) {
            return Err(Box::new(detail(
                StatusCode::FORBIDDEN,
                "You do not have permission to access this workspace.",
            )));
        }
        Ok(0)
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
        match parts.as_slice() {
            [kw, tok] if kw.eq_ignore_ascii_case("token") => {
                if *tok == self.token {
                    TokenCheck::Valid
                } else {
                    TokenCheck::Unknown
                }
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
/// A refusal, boxed (a Response is large).
type Refused = Box<Response>;

async fn login(
    State(ctx): AppState,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(e) => return body_rejection(e),
    };
    if !is_json(&headers) {
        return unsupported_media_type(&headers);
    }
    let obj = match parse_object(&body) {
        Ok(o) => o,
        Err(r) => return *r,
    };
    let mut errors = Errors::new();
    let username = required_string(&obj, "username", &mut errors);
    let password = required_string(&obj, "password", &mut errors);
    if !errors.is_empty() {
        return validation_error(errors);
    }
    let (username, password) = (username.unwrap_or_default(), password.unwrap_or_default());
    let user_ok = username.eq_ignore_ascii_case(&ctx.username);
    let password_ok = password == ctx.password;
    let accepted = (user_ok || ctx.is(Fault::LoginUnknownUserAccepted))
        && (password_ok || ctx.is(Fault::LoginWrongPasswordAccepted));
    if !accepted {
        return validation_error(Errors::from([(
            "non_field_errors".to_string(),
            vec!["Unable to log in with provided credentials.".to_string()],
        )]));
    }
    let answer = json!({ "token": ctx.token });
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
        return not_found().await;
    };
    let body = match body {
        Ok(b) => b,
        Err(e) => return body_rejection(e),
    };
    let creator = match ctx.authorize(&headers, Op::Create, &workspace_id) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    if !is_json(&headers) && !ctx.is(Fault::ContentTypeIgnoredCreate) {
        return unsupported_media_type(&headers);
    }
    let obj = match parse_object(&body) {
        Ok(o) => o,
        Err(_) if ctx.is(Fault::CreateBodyNotJsonAccepted) => {
            let mut form: Map<String, Value> = common::parse_form(&body).into_iter().collect();
            form.entry("user_email")
                .or_insert_with(|| Value::String(ctx.member_email(creator)));
            form
        }
        Err(r) => return *r,
    };
    let patch = match validate(&ctx, &obj, true) {
        Ok(p) => p,
        Err(errors) => return validation_error(errors),
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
    store.written.insert(n, Some(task.clone()));
    drop(store);
    let mut answer = ctx.task_json(n, &task);
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
        return not_found().await;
    };
    if let Err(r) = ctx.authorize(&headers, Op::Read, &workspace_id) {
        return *r;
    }
    let Some(n) = ctx.task_number(&task_id) else {
        return not_found().await;
    };
    let task = {
        let store = ctx.store.read().await;
        ctx.lookup(&store, n)
    };
    let Some(task) = task else {
        return not_found().await;
    };
    let mut answer = ctx.task_json(n, &task);
    if ctx.is(Fault::ReadByUserWrong) {
        answer["by_user"] = Value::String(ctx.user_id(task.user));
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
        return not_found().await;
    };
    let body = match body {
        Ok(b) => b,
        Err(e) => return body_rejection(e),
    };
    if let Err(r) = ctx.authorize(&headers, Op::Update, &workspace_id) {
        return *r;
    }
    let Some(n) = ctx.task_number(&task_id) else {
        return not_found().await;
    };
    if ctx.lookup(&*ctx.store.read().await, n).is_none() {
        return not_found().await;
    }
    if !is_json(&headers) && !ctx.is(Fault::ContentTypeIgnoredUpdate) {
        return unsupported_media_type(&headers);
    }
    let obj = match parse_object(&body) {
        Ok(o) => o,
        Err(r) => return *r,
    };
    let patch = match validate(&ctx, &obj, false) {
        Ok(p) => p,
        Err(errors) => return validation_error(errors),
    };
    let mut store = ctx.store.write().await;
    // Looked up again under the write lock: a concurrent delete may have come in between.
    let Some(mut task) = ctx.lookup(&store, n) else {
        return not_found().await;
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
    (status, Json(ctx.task_json(n, &task))).into_response()
}

async fn delete_task(
    State(ctx): AppState,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let Ok(Path((workspace_id, task_id))) = path else {
        return not_found().await;
    };
    if let Err(r) = ctx.authorize(&headers, Op::Delete, &workspace_id) {
        return *r;
    }
    let Some(n) = ctx.task_number(&task_id) else {
        return not_found().await;
    };
    let mut store = ctx.store.write().await;
    if ctx.lookup(&store, n).is_none() {
        return not_found().await;
    }
    if !ctx.is(Fault::DeleteKeepsTask) {
        store.written.insert(n, None);
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn not_found() -> Response {
    detail(StatusCode::NOT_FOUND, "Not found.")
}

async fn method_not_allowed(method: Method) -> Response {
    detail(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("Method \"{method}\" not allowed."),
    )
}

// ------------------------------------------------------------------------------------ bodies

type Errors = BTreeMap<String, Vec<String>>;

/// What a create or an update sends, validated. `Some(None)`: sent as null (cleared).
#[derive(Debug, Default)]
struct Patch {
    status: Option<String>,
    title: Option<String>,
    description: Option<Option<String>>,
    forms: Option<Vec<String>>,
    project: Option<Option<String>>,
    client: Option<Option<String>>,
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

fn validate(ctx: &Ctx, obj: &Map<String, Value>, creating: bool) -> Result<Patch, Errors> {
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

    match obj.get("status") {
        None if creating && ctx.is(Fault::StatusOptional) => p.status = Some("assigned".into()),
        None if creating => err("status", REQUIRED.into()),
        None => {}
        Some(v) => match text(v, STATUS_MAX, false) {
            Ok(s) => p.status = Some(s),
            Err(m) => err("status", m),
        },
    }
    match obj.get("title") {
        None if creating && ctx.is(Fault::TitleOptional) => p.title = Some("Untitled task".into()),
        None if creating => err("title", REQUIRED.into()),
        None => {}
        Some(v) => match text(v, title_max, false) {
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
        Some(v) => match text(v, description_max, true) {
            Ok(s) => p.description = Some(Some(s)),
            Err(m) => err("description", m),
        },
    }
    match obj.get("forms") {
        None => {}
        Some(Value::Null) => p.forms = Some(vec![]),
        Some(Value::Array(items)) => {
            let ids: Result<Vec<String>, String> = items.iter().map(id_text).collect();
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
            Some(v) => match id_text(v) {
                Ok(s) => *slot = Some(Some(s)),
                Err(m) => err(field, m),
            },
        }
    }
    match obj.get("user_email") {
        None if creating && ctx.is(Fault::UserEmailOptional) => p.user = Some(0),
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

/// A text field: a string, not blank unless `blank_ok`, at most `max` characters.
fn text(v: &Value, max: usize, blank_ok: bool) -> Result<String, String> {
    match v {
        Value::String(s) if !blank_ok && s.trim().is_empty() => {
            Err("This field may not be blank.".into())
        }
        Value::String(s) if s.chars().count() > max => Err(format!(
            "Ensure this field has no more than {max} characters."
        )),
        Value::String(s) => Ok(s.clone()),
        Value::Null => Err("This field may not be null.".into()),
        _ => Err("Not a valid string.".into()),
    }
}

/// An id (form, project, client): a non-empty string, or an integer written as one.
fn id_text(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) if s.trim().is_empty() => Err("This field may not be blank.".into()),
        Value::String(s) if s.chars().count() > 255 => {
            Err("Ensure this field has no more than 255 characters.".into())
        }
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) if n.is_u64() || n.is_i64() => Ok(n.to_string()),
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
fn parse_object(body: &Bytes) -> Result<Map<String, Value>, Refused> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(other) => Err(Box::new(validation_error(Errors::from([(
            "non_field_errors".to_string(),
            vec![format!(
                "Invalid data. Expected a dictionary, but got {}.",
                type_name(&other)
            )],
        )])))),
        Err(e) => Err(Box::new(detail(
            StatusCode::BAD_REQUEST,
            format!("JSON parse error - {e}"),
        ))),
    }
}

// ------------------------------------------------------------------------------------ answers

fn detail(status: StatusCode, detail: impl Into<String>) -> Response {
    (status, Json(json!({ "detail": detail.into() }))).into_response()
}

fn unauthorized(why: &str) -> Response {
    let mut r = detail(StatusCode::UNAUTHORIZED, why);
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Token"));
    r
}

fn validation_error(errors: Errors) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!(errors))).into_response()
}

fn unsupported_media_type(headers: &HeaderMap) -> Response {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let msg = match ct {
        Some(ct) => format!("Unsupported media type \"{ct}\" in request."),
        None => "Unsupported media type: send the body as Content-Type: application/json.".into(),
    };
    detail(StatusCode::UNSUPPORTED_MEDIA_TYPE, msg)
}

fn body_rejection(e: BytesRejection) -> Response {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        detail(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "Request body is larger than {} bytes.",
                common::MAX_BODY_BYTES
            ),
        )
    } else {
        detail(
            StatusCode::BAD_REQUEST,
            "The request body could not be read.",
        )
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

/// Microseconds since the epoch as RFC 3339 UTC with microseconds (the document's examples),
/// or, when `rfc3339` is false, as Python's naive `str(datetime)`.
fn format_timestamp(micros: i64, rfc3339: bool) -> String {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    let (hh, mm, ss) = (sod / 3600, sod % 3600 / 60, sod % 60);
    if rfc3339 {
        format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}.{frac:06}Z")
    } else {
        format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}.{frac:06}")
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
    fn timestamps_are_rfc3339() {
        assert_eq!(
            format_timestamp(1_750_378_879_126_137, true),
            "2025-06-20T00:21:19.126137Z"
        );
        assert_eq!(format_timestamp(0, true), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            format_timestamp(951_782_400_000_001, true),
            "2000-02-29T00:00:00.000001Z"
        );
        assert_eq!(
            format_timestamp(1_750_378_879_126_137, false),
            "2025-06-20 00:21:19.126137"
        );
    }

    #[test]
    fn status_names() {
        assert_eq!(status_name("assigned"), "Assigned");
        assert_eq!(status_name("in_progress"), "In progress");
        assert_eq!(status_name("active"), "Active");
    }

    #[test]
    fn task_ids_round_trip_and_forgeries_are_unknown() {
        let ctx = Ctx {
            seed: 3,
            size: 10,
            fault: None,
            username: String::new(),
            password: String::new(),
            api_key: String::new(),
            token: String::new(),
            workspace_id: String::new(),
            assignee_email: String::new(),
            store: Shared::default(),
        };
        for n in [1, 10, 11, 123_456_789] {
            assert_eq!(ctx.task_number(&ctx.task_id(n)), Some(n));
        }
        let id = ctx.task_id(5);
        let forged = format!("{}{}", &id[..id.len() - 1], "6");
        assert_eq!(ctx.task_number(&forged), None);
        assert_eq!(ctx.task_number("5"), None);
        assert_eq!(ctx.task_number("../../x"), None);
    }
}
