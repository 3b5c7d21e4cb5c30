//! The OptaCheck mock's endpoints (login, task create, read, update, delete), its two
//! credentials, and the validation of request bodies.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::data::{App, Op, Task};
use super::faults::{Fault, Variant};
use super::render::{body_rejection, unsupported_media_type, Refusal};
use super::{DESCRIPTION_MAX, STATUS_MAX, TITLE_MAX};
use crate::mock::kit::body::parse_form;
use crate::mock::kit::{envelope, HasSwitches};

impl App {
    /// Both credentials and the workspace of the URL; the member index of the caller.
    pub fn authorize(
        &self,
        headers: &HeaderMap,
        op: Op,
        workspace_id: &str,
    ) -> Result<usize, Refusal> {
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

    /// [`authorize`](Self::authorize), then the task the URL names: the caller's member index
    /// and the task's number (an id this mock never handed out is 404, as an unknown path).
    pub fn authorize_task(
        &self,
        headers: &HeaderMap,
        op: Op,
        (workspace_id, task_id): &(String, String),
    ) -> Result<(usize, u64), Refusal> {
        let caller = self.authorize(headers, op, workspace_id)?;
        let n = self.task_number(task_id).ok_or(Refusal::NotFound)?;
        Ok((caller, n))
    }

    pub fn check_api_key(&self, headers: &HeaderMap) -> Result<(), Refusal> {
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

    pub fn check_token(&self, headers: &HeaderMap) -> TokenCheck {
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
            [kw, tok]
                if kw.eq_ignore_ascii_case("bearer") && self.chose(Variant::BearerAccepted) =>
            {
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
    pub fn reads_as_json(&self, headers: &HeaderMap) -> bool {
        is_json(headers) || self.chose(Variant::AnyContentType)
    }
}

pub enum TokenCheck {
    Valid,
    Missing,
    /// Another scheme (Bearer, Basic) or no keyword: not a token credential at all.
    NotToken,
    Unknown,
    Malformed(&'static str),
}

// ------------------------------------------------------------------------------------ handlers

pub async fn login(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(e) => return app.refuse(body_rejection(e)),
    };
    if app.chose(Variant::LoginRequiresApiKey) {
        if let Err(r) = app.check_api_key(&headers) {
            return app.refuse(r);
        }
    }
    if !app.reads_as_json(&headers) {
        return app.refuse(unsupported_media_type(&headers));
    }
    let obj = match parse_object(&body) {
        Ok(o) => o,
        Err(r) => return app.refuse(r),
    };
    let mut errors = Errors::new();
    let username = required_string(&obj, "username", &mut errors);
    let password = required_string(&obj, "password", &mut errors);
    if !errors.is_empty() {
        return app.refuse(Refusal::Invalid(errors));
    }
    let (username, password) = (username.unwrap_or_default(), password.unwrap_or_default());
    let user_ok = username.eq_ignore_ascii_case(&app.username);
    let password_ok = password == app.password;
    let accepted = (user_ok || app.is(Fault::LoginUnknownUserAccepted))
        && (password_ok || app.is(Fault::LoginWrongPasswordAccepted));
    if !accepted {
        return app.refuse(Refusal::BadLogin);
    }
    let mut answer = json!({ "token": app.token });
    if app.chose(Variant::LoginRequiresApiKey) {
        let now = app.store.write().await.tick();
        answer["user_id"] = app.user_id(0);
        answer["expiry"] = json!(app.stamp(now + 10 * 3_600_000_000, true));
    }
    if app.is(Fault::LoginAnswerNotJson) {
        return envelope::typed(StatusCode::OK, envelope::HTML_UTF8, answer.to_string());
    }
    envelope::json(StatusCode::OK, &answer)
}

pub async fn create_task(
    State(app): State<Arc<App>>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Ok(Path(workspace_id)) = path else {
        return app.refuse(Refusal::NotFound);
    };
    let body = match body {
        Ok(b) => b,
        Err(e) => return app.refuse(body_rejection(e)),
    };
    let creator = match app.authorize(&headers, Op::Create, &workspace_id) {
        Ok(u) => u,
        Err(r) => return app.refuse(r),
    };
    if !app.reads_as_json(&headers) && !app.is(Fault::ContentTypeIgnoredCreate) {
        return app.refuse(unsupported_media_type(&headers));
    }
    let obj = match parse_object(&body) {
        Ok(o) => o,
        Err(_) if app.is(Fault::CreateBodyNotJsonAccepted) => {
            let mut form: Map<String, Value> = parse_form(&body).into_iter().collect();
            form.entry("user_email")
                .or_insert_with(|| Value::String(app.member_email(creator)));
            form
        }
        Err(r) => return app.refuse(r),
    };
    let patch = match validate(&app, &obj, true, creator) {
        Ok(p) => p,
        Err(errors) => return app.refuse(Refusal::Invalid(errors)),
    };
    let mut store = app.store.write().await;
    let now = store.tick();
    store.created += 1;
    let n = app.size + store.created;
    let status = patch.status.clone().unwrap_or_else(|| "assigned".into());
    let mut task = Task {
        history: if app.is(Fault::CreateHistoryEmpty) {
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
    if app.is(Fault::CreateDropsReferences) {
        task.forms.clear();
        task.project = None;
        task.client = None;
    }
    store.written.insert(n, Some(task.clone()));
    drop(store);
    let mut answer = app.task_json(n, &task, true);
    if app.is(Fault::CreateAnswerIncomplete) {
        if let Some(o) = answer.as_object_mut() {
            o.remove("description");
        }
    }
    envelope::json(StatusCode::CREATED, &answer)
}

pub async fn read_task(
    State(app): State<Arc<App>>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let Ok(Path(in_path)) = path else {
        return app.refuse(Refusal::NotFound);
    };
    let n = match app.authorize_task(&headers, Op::Read, &in_path) {
        Ok((_, n)) => n,
        Err(r) => return app.refuse(r),
    };
    let task = {
        let store = app.store.read().await;
        app.lookup(&store, n).ok_or_else(|| app.missing(&store, n))
    };
    let task = match task {
        Ok(t) => t,
        Err(r) => return app.refuse(r),
    };
    let mut answer = app.task_json(n, &task, false);
    if app.is(Fault::ReadByUserWrong) {
        answer["by_user"] = app.user_id(task.user);
    }
    if app.is(Fault::ReadNotJson) {
        return envelope::typed(StatusCode::OK, envelope::TEXT_UTF8, answer.to_string());
    }
    envelope::json(StatusCode::OK, &answer)
}

pub async fn update_task(
    State(app): State<Arc<App>>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Ok(Path(in_path)) = path else {
        return app.refuse(Refusal::NotFound);
    };
    let body = match body {
        Ok(b) => b,
        Err(e) => return app.refuse(body_rejection(e)),
    };
    let (caller, n) = match app.authorize_task(&headers, Op::Update, &in_path) {
        Ok(found) => found,
        Err(r) => return app.refuse(r),
    };
    {
        let store = app.store.read().await;
        if app.lookup(&store, n).is_none() {
            return app.refuse(app.missing(&store, n));
        }
    }
    if !app.reads_as_json(&headers) && !app.is(Fault::ContentTypeIgnoredUpdate) {
        return app.refuse(unsupported_media_type(&headers));
    }
    let obj = match parse_object(&body) {
        Ok(o) => o,
        Err(r) => return app.refuse(r),
    };
    let patch = match validate(&app, &obj, false, caller) {
        Ok(p) => p,
        Err(errors) => return app.refuse(Refusal::Invalid(errors)),
    };
    let mut store = app.store.write().await;
    // Looked up again under the write lock: a concurrent delete may have come in between.
    let Some(mut task) = app.lookup(&store, n) else {
        return app.refuse(app.missing(&store, n));
    };
    let now = store.tick();
    if let Some(status) = &patch.status {
        if *status != task.status {
            if app.is(Fault::UpdateHistoryReplaced) {
                task.history.clear();
            }
            task.history.push((status.clone(), now));
            task.status = status.clone();
        }
    }
    if app.is(Fault::UpdateNotPartial) {
        task.description = None;
        task.forms = vec![];
        task.project = None;
        task.client = None;
        task.data = None;
    }
    if !app.is(Fault::UpdateIgnoresFields) {
        patch.apply_fields(&mut task);
    }
    task.date_edited = now;
    store.written.insert(n, Some(task.clone()));
    drop(store);
    let status = if app.is(Fault::UpdateReturns202) {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    envelope::json(status, &app.task_json(n, &task, false))
}

pub async fn delete_task(
    State(app): State<Arc<App>>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let Ok(Path(in_path)) = path else {
        return app.refuse(Refusal::NotFound);
    };
    let n = match app.authorize_task(&headers, Op::Delete, &in_path) {
        Ok((_, n)) => n,
        Err(r) => return app.refuse(r),
    };
    let mut store = app.store.write().await;
    let Some(task) = app.lookup(&store, n) else {
        return app.refuse(app.missing(&store, n));
    };
    if !app.is(Fault::DeleteKeepsTask) {
        store.written.insert(n, None);
    }
    drop(store);
    if app.chose(Variant::DeleteAnswersBody) {
        return envelope::json(StatusCode::OK, &app.task_json(n, &task, false));
    }
    StatusCode::NO_CONTENT.into_response()
}

pub async fn not_found(State(app): State<Arc<App>>) -> Response {
    app.refuse(Refusal::NotFound)
}

pub async fn method_not_allowed(State(app): State<Arc<App>>, method: Method) -> Response {
    app.refuse(Refusal::MethodNotAllowed(method))
}

// ------------------------------------------------------------------------------------ bodies

pub type Errors = BTreeMap<String, Vec<String>>;

/// What a create or an update sends, validated. `Some(None)`: sent as null (cleared).
#[derive(Debug, Default)]
pub struct Patch {
    pub status: Option<String>,
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub forms: Option<Vec<Value>>,
    pub project: Option<Option<Value>>,
    pub client: Option<Option<Value>>,
    pub user: Option<usize>,
    pub data: Option<Option<Map<String, Value>>>,
}

impl Patch {
    /// Every field but the status (whose change also writes the history).
    pub fn apply_fields(&self, t: &mut Task) {
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

pub const REQUIRED: &str = "This field is required.";

/// `caller`: the member making the request (the assignee a `defaults-on-create` create
/// without user_email gets).
pub fn validate(
    app: &App,
    obj: &Map<String, Value>,
    creating: bool,
    caller: usize,
) -> Result<Patch, Errors> {
    let mut errors = Errors::new();
    let too_long = if app.chose(Variant::TruncatesLongText) {
        TooLong::Shorten
    } else {
        TooLong::Refuse
    };
    let defaults = app.chose(Variant::DefaultsOnCreate);
    let e = &mut errors;
    // Fields are checked in this order (a struct's fields are evaluated as written).
    let p = Patch {
        status: kept(e, "status", status_field(app, obj, creating, defaults)),
        title: kept(e, "title", title_field(app, obj, creating, too_long)),
        description: kept(
            e,
            "description",
            description_field(app, obj, creating, too_long),
        ),
        forms: kept(e, "forms", forms_field(obj)),
        project: kept(e, "project", reference_field(obj, "project")),
        client: kept(e, "client", reference_field(obj, "client")),
        user: kept(
            e,
            "user_email",
            user_field(app, obj, creating, defaults, caller),
        ),
        data: kept(e, "data", data_field(app, obj)),
    };
    if errors.is_empty() {
        Ok(p)
    } else {
        Err(errors)
    }
}

/// A field's checked value (`None`: left as it is), or its error recorded under `field`.
fn kept<T>(errors: &mut Errors, field: &str, checked: Result<Option<T>, String>) -> Option<T> {
    match checked {
        Ok(value) => value,
        Err(m) => {
            errors.entry(field.to_string()).or_default().push(m);
            None
        }
    }
}

fn status_field(
    app: &App,
    obj: &Map<String, Value>,
    creating: bool,
    defaults: bool,
) -> Result<Option<String>, String> {
    match obj.get("status") {
        None if creating && (defaults || app.is(Fault::StatusOptional)) => {
            Ok(Some("assigned".into()))
        }
        None if creating => Err(REQUIRED.into()),
        None => Ok(None),
        Some(v) => text(v, STATUS_MAX, false, TooLong::Refuse).map(Some),
    }
}

fn title_field(
    app: &App,
    obj: &Map<String, Value>,
    creating: bool,
    too_long: TooLong,
) -> Result<Option<String>, String> {
    let title_max = if app.is(Fault::TitleLengthUnchecked) {
        usize::MAX
    } else if app.is(Fault::TitleMax99) {
        TITLE_MAX - 1
    } else {
        TITLE_MAX
    };
    match obj.get("title") {
        None if creating && app.is(Fault::TitleOptional) => Ok(Some("Untitled task".into())),
        None if creating => Err(REQUIRED.into()),
        None => Ok(None),
        Some(v) => text(v, title_max, false, too_long).map(Some),
    }
}

/// `Some(None)`: set to null.
fn description_field(
    app: &App,
    obj: &Map<String, Value>,
    creating: bool,
    too_long: TooLong,
) -> Result<Option<Option<String>>, String> {
    let description_max = if app.is(Fault::DescriptionLengthUnchecked) {
        usize::MAX
    } else if app.is(Fault::DescriptionMax254) {
        DESCRIPTION_MAX - 1
    } else {
        DESCRIPTION_MAX
    };
    match obj.get("description") {
        None if creating && app.is(Fault::DescriptionRequired) => Err(REQUIRED.into()),
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(v) => text(v, description_max, true, too_long).map(|s| Some(Some(s))),
    }
}

/// The form ids (null: none).
fn forms_field(obj: &Map<String, Value>) -> Result<Option<Vec<Value>>, String> {
    match obj.get("forms") {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(vec![])),
        Some(Value::Array(items)) => items
            .iter()
            .map(id_value)
            .collect::<Result<Vec<Value>, String>>()
            .map(Some),
        Some(other) => Err(format!(
            "Expected a list of items but got type \"{}\".",
            type_name(other)
        )),
    }
}

/// The id of a project or client (`Some(None)`: set to null).
fn reference_field(obj: &Map<String, Value>, field: &str) -> Result<Option<Option<Value>>, String> {
    match obj.get(field) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(v) => id_value(v).map(|id| Some(Some(id))),
    }
}

/// The assignee, named by `user_email`: the member with that email.
fn user_field(
    app: &App,
    obj: &Map<String, Value>,
    creating: bool,
    defaults: bool,
    caller: usize,
) -> Result<Option<usize>, String> {
    match obj.get("user_email") {
        None if creating && (defaults || app.is(Fault::UserEmailOptional)) => Ok(Some(caller)),
        None if creating => Err(REQUIRED.into()),
        None => Ok(None),
        Some(Value::String(e)) if !looks_like_email(e) => {
            Err("Enter a valid email address.".into())
        }
        Some(Value::String(e)) => match app.member_by_email(e.trim()) {
            Some(i) => Ok(Some(i)),
            None => Err("No user of this workspace has this email.".into()),
        },
        Some(Value::Null) => Err("This field may not be null.".into()),
        Some(_) => Err("Not a valid string.".into()),
    }
}

/// The task's data object (`Some(None)`: set to null).
fn data_field(
    app: &App,
    obj: &Map<String, Value>,
) -> Result<Option<Option<Map<String, Value>>>, String> {
    match obj.get("data") {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::Object(m)) => match check_data(m) {
            Ok(())
                if app.is(Fault::DataEmptyRefused)
                    && m.get("fields")
                        .and_then(Value::as_array)
                        .is_none_or(Vec::is_empty) =>
            {
                Err("This field may not be empty.".into())
            }
            Ok(()) => Ok(Some(Some(m.clone()))),
            Err(msg) => Err(msg),
        },
        Some(other) => Err(format!(
            "Expected a dictionary of items but got type \"{}\".",
            type_name(other)
        )),
    }
}

/// What a text over its maximum gets.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TooLong {
    Refuse,
    /// Cut to the maximum (the `truncates-long-text` variant).
    Shorten,
}

/// A text field: a string, not blank unless `blank_ok`, at most `max` characters.
pub fn text(v: &Value, max: usize, blank_ok: bool, too_long: TooLong) -> Result<String, String> {
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
pub fn id_value(v: &Value) -> Result<Value, String> {
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

pub fn check_data(m: &Map<String, Value>) -> Result<(), String> {
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

pub fn looks_like_email(e: &str) -> bool {
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

pub fn type_name(v: &Value) -> &'static str {
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

pub fn required_string(
    obj: &Map<String, Value>,
    field: &str,
    errors: &mut Errors,
) -> Option<String> {
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
pub fn is_json(headers: &HeaderMap) -> bool {
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
pub fn parse_object(body: &Bytes) -> Result<Map<String, Value>, Refusal> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
