//! Checklick's endpoints: users (list, read, create, update) and what hangs from a user
//! (assessments, credentials, tag applications), then the catalogue.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::Extension;
use serde_json::{json, Map, Value};

use crate::mock::common;
use crate::mock::kit::ids::parse_id;
use crate::mock::kit::pages::page_range;
use crate::mock::kit::{time, HasSwitches};

use super::data::{
    assessment, base_username, credentials, load_user, tag_applications, user_created, user_value,
    App, Catalog, Overlay, Res, UserRec, USER_REQUIRED, USER_WRITABLE,
};
use super::faults::{Fault, Variant};
use super::query::{parse_filters, parse_page, res_filterable, res_matches, scalar_text, Filter};
use super::render::{
    document, list_document, render_res, render_user, resource_document, type_unless, Answer,
    ApiError, ErrorObject,
};
use super::router::ReqInfo;
use super::{ASSESSMENTS_PER_USER, BLOCKS, DAY_MS, MAX_STRING, SKILLS};

/// A small list: filter, then page.
pub(super) fn small_list(
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

pub(super) async fn list_users(
    State(app): State<Arc<App>>,
    Extension(info): Extension<ReqInfo>,
) -> Answer {
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

pub(super) async fn get_user(
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
pub(super) fn resource_object(
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
pub(super) struct UserInput {
    pub(super) values: BTreeMap<&'static str, Option<String>>,
    pub(super) password: Option<String>,
}

pub(super) fn validate_user_attrs(
    app: &App,
    attrs: &Map<String, Value>,
    creating: bool,
) -> Result<UserInput, ApiError> {
    refuse_unknown_attrs(attrs)?;
    let mut errors = Vec::new();
    let mut values = BTreeMap::new();
    let all = USER_WRITABLE
        .iter()
        .chain(["password", "password-confirmation"].iter());
    for field in all {
        match user_attr(app, field, attrs.get(*field), creating) {
            Ok(Some(value)) => {
                values.insert(*field, value);
            }
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    let password = values.remove("password").flatten();
    let confirmation = values.remove("password-confirmation").flatten();
    if let Some(e) = confirmation_error(app, creating, &password, &confirmation, &errors) {
        errors.push(e);
    }
    if !errors.is_empty() {
        return Err(ApiError::unprocessable(errors));
    }
    Ok(UserInput {
        values,
        password: password.or(confirmation),
    })
}

/// 400 `param_not_allowed` for the first attribute a user does not have or cannot write.
fn refuse_unknown_attrs(attrs: &Map<String, Value>) -> Result<(), ApiError> {
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
    Ok(())
}

/// A required attribute a create may leave out under a fault.
fn optional_by_fault(app: &App, field: &str) -> bool {
    match field {
        "username" => app.is(Fault::CreateUsernameOptional),
        "first-name" => app.is(Fault::CreateFirstNameOptional),
        "last-name" => app.is(Fault::CreateLastNameOptional),
        "email" => app.is(Fault::CreateEmailOptional),
        "birth-date" => app.is(Fault::CreateBirthDateOptional),
        "password" => app.is(Fault::CreatePasswordOptional),
        "password-confirmation" => app.is(Fault::CreatePasswordConfirmationOptional),
        _ => false,
    }
}

/// One attribute, checked: `Ok(None)` when it is left out, `Ok(Some(None))` when it is
/// cleared (null or blank, for an optional one), `Ok(Some(Some(text)))` trimmed.
fn user_attr(
    app: &App,
    field: &str,
    value: Option<&Value>,
    creating: bool,
) -> Result<Option<Option<String>>, ErrorObject> {
    let required = USER_REQUIRED.contains(&field);
    let Some(v) = value else {
        if creating && required && !optional_by_fault(app, field) {
            return Err(ApiError::invalid(field, "can't be blank"));
        }
        return Ok(None);
    };
    let text = match v {
        Value::Null => None,
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        _ => return Err(ApiError::invalid(field, "must be a string")),
    };
    let Some(s) = text else {
        if required && !(creating && optional_by_fault(app, field)) {
            return Err(ApiError::invalid(field, "can't be blank"));
        }
        return Ok(Some(None));
    };
    if s.chars().count() > MAX_STRING {
        return Err(ApiError::invalid(
            field,
            format!("is too long (maximum is {MAX_STRING} characters)"),
        ));
    }
    match attr_format_error(field, &s) {
        Some(detail) => Err(ApiError::invalid(field, detail)),
        None => Ok(Some(Some(s))),
    }
}

/// What is wrong with the form of a (non-blank, not too long) attribute's text, if anything.
fn attr_format_error(field: &str, s: &str) -> Option<&'static str> {
    match field {
        "email" => {
            let ok = s
                .split_once('@')
                .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.contains('@'))
                && !s.contains(char::is_whitespace);
            (!ok).then_some("is invalid")
        }
        "username" if s.contains(char::is_whitespace) => Some("can't contain spaces"),
        "birth-date" => match time::parse_date(s) {
            None => Some("must be a date (YYYY-MM-DD)"),
            Some(d) if d > time::now_millis().div_euclid(DAY_MS) => Some("can't be in the future"),
            Some(_) => None,
        },
        "password" if s.chars().count() < 6 => Some("is too short (minimum is 6 characters)"),
        _ => None,
    }
}

/// The confirmation must match the password, and is required with one (unless an error
/// already names it, or a fault lets a create leave it out).
fn confirmation_error(
    app: &App,
    creating: bool,
    password: &Option<String>,
    confirmation: &Option<String>,
    errors: &[ErrorObject],
) -> Option<ErrorObject> {
    match (password, confirmation) {
        (Some(p), Some(c)) if p != c => Some(ApiError::invalid(
            "password-confirmation",
            "doesn't match Password",
        )),
        (Some(_), None)
            if (!creating || !app.is(Fault::CreatePasswordConfirmationOptional))
                && !errors
                    .iter()
                    .any(|e| e.detail.starts_with("password-confirmation")) =>
        {
            Some(ApiError::invalid("password-confirmation", "can't be blank"))
        }
        _ => None,
    }
}

/// Is `username` (lowercased) someone's other than `except`?
pub(super) fn username_taken(app: &App, ov: &Overlay, username: &str, except: u64) -> bool {
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

pub(super) fn taken_error() -> ApiError {
    ApiError::unprocessable(vec![ApiError::invalid(
        "username",
        "has already been taken",
    )])
}

pub(super) async fn create_user(
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

pub(super) async fn update_user(
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
pub(super) async fn existing_user(app: &App, raw: &str) -> Result<u64, ApiError> {
    let ov = app.users.read().await;
    parse_id(raw)
        .filter(|id| *id <= ov.max_id())
        .ok_or_else(|| ApiError::not_found(format!("user `{raw}` does not exist")))
}

/// Records derived for a user exist for the users of the data set; created users have none yet
/// (nor, under `NewestFirst`, the data set's last user, listed first).
pub(super) fn is_seeded(app: &App, user: u64) -> bool {
    user <= app.size && !(app.chose(Variant::NewestFirst) && user == app.size)
}

pub(super) fn user_assessments(app: &App, user: u64) -> Vec<Res> {
    if !is_seeded(app, user) {
        return Vec::new();
    }
    (0..ASSESSMENTS_PER_USER)
        .map(|k| assessment(app, user, k))
        .collect()
}

pub(super) async fn list_user_assessments(
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
    let kind = type_unless(
        &app,
        Fault::UserAssessmentsWrongType,
        "assessments",
        "assessment",
    );
    small_list(&app, &info, &items, false, Some(kind))
}

pub(super) async fn get_user_assessment(
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
    let kind = type_unless(
        &app,
        Fault::AssessmentGetWrongType,
        "assessments",
        "assessment",
    );
    Ok(resource_document(&app, &info, &r, Some(kind)))
}

pub(super) async fn list_user_credentials(
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
    let kind = type_unless(
        &app,
        Fault::CredentialsListWrongType,
        "credentials",
        "credential",
    );
    small_list(&app, &info, &items, false, Some(kind))
}

pub(super) async fn get_user_credential(
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
    let kind = type_unless(
        &app,
        Fault::CredentialGetWrongType,
        "credentials",
        "credential",
    );
    Ok(resource_document(&app, &info, &r, Some(kind)))
}

pub(super) async fn list_user_tag_applications(
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

/// One list of the catalogue: what `GET /{kind}` serves.
#[derive(Debug, Clone, Copy)]
pub(super) enum CatalogList {
    Tags,
    Checklists,
    Levels,
    Sections,
    Skills,
}

impl CatalogList {
    /// The list's JSON:API type, and the fault that leaves it out.
    fn kind(self) -> (&'static str, Fault) {
        match self {
            CatalogList::Tags => ("tags", Fault::TagsWithoutType),
            CatalogList::Checklists => ("checklists", Fault::ChecklistsWithoutType),
            CatalogList::Levels => ("levels", Fault::LevelsWithoutType),
            CatalogList::Sections => ("sections", Fault::SectionsWithoutType),
            CatalogList::Skills => ("skills", Fault::SkillsWithoutType),
        }
    }

    fn items(self, catalog: &Catalog) -> &[Res] {
        match self {
            CatalogList::Tags => &catalog.tags,
            CatalogList::Checklists => &catalog.checklists,
            CatalogList::Levels => &catalog.levels,
            CatalogList::Sections => &catalog.sections,
            CatalogList::Skills => &catalog.skills,
        }
    }
}

/// The handler of one catalogue list.
pub(super) fn list_catalog(
    list: CatalogList,
) -> impl Fn(State<Arc<App>>, Extension<ReqInfo>) -> std::future::Ready<Answer> + Clone + Send + Sync
{
    move |State(app), Extension(info)| {
        let (kind, without_type) = list.kind();
        let kind = (!app.is(without_type)).then_some(kind);
        std::future::ready(small_list(
            &app,
            &info,
            list.items(&app.catalog),
            true,
            kind,
        ))
    }
}

pub(super) fn skill_index(raw: &str) -> Option<usize> {
    parse_id(raw)
        .filter(|id| *id <= SKILLS)
        .map(|id| (id - 1) as usize)
}

pub(super) async fn get_skill(
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
    Ok(resource_document(&app, &info, r, Some("skills")))
}

/// A skill's assessments: the users of its block (u = block + 1 + BLOCKS * j), computed as an
/// arithmetic progression; time filters scan it without building the records.
pub(super) async fn list_skill_assessments(
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
    let kind = type_unless(
        &app,
        Fault::SkillAssessmentsWrongType,
        "assessments",
        "assessment",
    );
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
