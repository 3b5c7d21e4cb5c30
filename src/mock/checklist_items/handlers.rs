//! The Checklists mock's endpoints: checklist items (list, create, show, update, delete,
//! status, positions) and their comments; and reading their request bodies.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::data::{App, Comment, Item, ParentKey, Status, Store, Synth};
use super::faults::{Fault, Variant};
use super::render::{ok, unknown_item, Errors};
use super::{DEFAULT_PAGE_SIZE, INVALID, MAX_PAGE_SIZE, OWNER};
use crate::mock::common::MAX_BODY_BYTES;
use crate::mock::kit::body::{parse_body, read_capped};
use crate::mock::kit::{envelope, ids, pages, HasSwitches};

pub fn attr(field: &str) -> String {
    field.replace('_', " ")
}

pub fn required(field: &str) -> String {
    format!("The {} field is required.", attr(field))
}

/// A required string field: trimmed, non-empty (empty strings count as missing).
pub fn string_field(
    body: &BTreeMap<String, Value>,
    field: &str,
    errors: &mut Errors,
) -> Option<String> {
    match body.get(field) {
        None | Some(Value::Null) => errors.add(field, required(field)),
        Some(Value::String(s)) if s.trim().is_empty() => errors.add(field, required(field)),
        Some(Value::String(s)) => return Some(s.trim().to_string()),
        Some(_) => errors.add(
            field,
            format!("The {} field must be a string.", attr(field)),
        ),
    }
    None
}

/// An integer from a form value (text) or JSON (a whole number, or text).
pub fn as_integer(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => {
            let t = s.trim();
            let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            t.parse().ok()
        }
        _ => None,
    }
}

pub enum Field<T> {
    Missing,
    Invalid,
    Value(T),
}

pub fn integer_field(
    body: &BTreeMap<String, Value>,
    field: &str,
    errors: &mut Errors,
) -> Field<i64> {
    match body.get(field) {
        None | Some(Value::Null) => {
            errors.add(field, required(field));
            Field::Missing
        }
        Some(Value::String(s)) if s.trim().is_empty() => {
            errors.add(field, required(field));
            Field::Missing
        }
        Some(v) => match as_integer(v) {
            Some(n) => Field::Value(n),
            None => {
                errors.add(
                    field,
                    format!("The {} field must be an integer.", attr(field)),
                );
                Field::Invalid
            }
        },
    }
}

/// The request body as fields: 413 over the limit, 422 when it is not what its Content-Type
/// says (malformed JSON, not an object).
pub async fn read_body(
    app: &App,
    headers: &HeaderMap,
    body: Body,
) -> Result<BTreeMap<String, Value>, Response> {
    let bytes = read_capped(body).await.map_err(|_| {
        envelope::message(
            StatusCode::PAYLOAD_TOO_LARGE,
            "message",
            &format!("The request body is larger than {MAX_BODY_BYTES} bytes."),
        )
    })?;
    parse_body(headers, &bytes).map_err(|e| {
        let mut errors = Errors::default();
        errors.add("body", format!("The request body could not be read: {e}."));
        errors.respond(app)
    })
}

// ---------------------------------------------------------------------------------- checklists

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Position,
    Status,
    Created,
}

/// The list's query, checked: whose items, and how the page is sorted and cut.
struct ListQuery {
    kind: Option<String>,
    parent_id: Option<i64>,
    /// `resource_id` missing or not an integer (let through by a fault): nothing is listed.
    id_unusable: bool,
    sort: Option<Sort>,
    /// `sort` was given (the faults that ignore a default order look at this).
    explicit_sort: bool,
    desc: bool,
    limit: Option<usize>,
    page: usize,
}

/// The page as served, once the faults have had their say.
struct PagePlan {
    per_page: usize,
    page: usize,
    sort: Option<Sort>,
    desc: bool,
}

/// The parent's items as found, with its progress over the full set.
struct Found<'s> {
    /// A written parent by position: only its page is looked up (its total, its page).
    page: Option<(usize, Vec<&'s Item>)>,
    /// Items kept by the store, to be sorted and cut.
    written: Vec<&'s Item>,
    /// Items of seeded parents, derived on the fly.
    derived: Vec<Item>,
    completed: usize,
    /// `written` already in (position, id) order.
    by_position: bool,
}

pub async fn list(State(app): State<Arc<App>>, RawQuery(query): RawQuery) -> Response {
    let query = match parse_list_query(&app, query) {
        Ok(q) => q,
        Err(r) => return r,
    };
    let plan = page_plan(&app, &query);
    let store = app.store.read().await;
    if app.chose(Variant::ParentsMustExist) {
        if let (Some(kind), Some(pid)) = (&query.kind, query.parent_id) {
            if !store.parent_exists(&app.synth, &(kind.clone(), pid)) {
                return app.unknown_parent("resource_id");
            }
        }
    }
    let Found {
        page,
        written,
        derived,
        mut completed,
        mut by_position,
    } = find_items(&app, &store, query, &plan);
    let (total, page_items) = match page {
        Some(page) => page,
        None => {
            let mut refs = written;
            refs.extend(derived.iter());
            if !derived.is_empty() && refs.len() > derived.len() {
                by_position = false;
            }
            sort_items(&mut refs, plan.sort, by_position);
            cut_page(&refs, &plan)
        }
    };
    if app.is(Fault::ProgressPageOnly) {
        completed = page_items.iter().filter(|i| i.completed()).count();
    }
    let progress_total = if app.is(Fault::ProgressPageOnly) {
        page_items.len()
    } else {
        total
    };
    let progress = json!({
        "total": progress_total,
        "completed": completed,
        "percentage": percentage(&app, completed, progress_total),
    });
    list_response(&app, &page_items, &plan, total, progress)
}

/// The query string as fields (the last of a repeated field wins).
fn query_fields(query: Option<String>) -> BTreeMap<String, String> {
    let mut q: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        q.insert(k.into_owned(), v.into_owned());
    }
    q
}

/// The list's query, checked as the document states; every error at once in a 422.
fn parse_list_query(app: &App, query: Option<String>) -> Result<ListQuery, Response> {
    let q = query_fields(query);
    let present = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let mut errors = Errors::default();

    let kind = present("resource_type").map(str::to_string);
    if kind.is_none() && !app.is(Fault::ListResourceTypeOptional) {
        errors.add("resource_type", required("resource_type"));
    }
    let mut id_unusable = false;
    let parent_id = match present("resource_id") {
        None => {
            if !app.is(Fault::ListResourceIdOptional) {
                errors.add("resource_id", required("resource_id"));
            }
            id_unusable = true;
            None
        }
        Some(v) => match as_integer(&Value::String(v.to_string())) {
            Some(n) => Some(n),
            None => {
                if !app.is(Fault::ListResourceIdUnchecked) {
                    errors.add(
                        "resource_id",
                        "The resource id field must be an integer.".into(),
                    );
                }
                id_unusable = true;
                None
            }
        },
    };
    let sort = match present("sort") {
        None => None,
        Some("checklist_position") => Some(Sort::Position),
        Some("checklist_status") => Some(Sort::Status),
        Some("checklist_created") => Some(Sort::Created),
        Some(_) => {
            errors.add("sort", "The selected sort is invalid.".into());
            None
        }
    };
    let desc = match present("order") {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(_) => {
            errors.add("order", "The selected order is invalid.".into());
            false
        }
    };
    let mut positive = |field: &str| -> Option<usize> {
        let v = present(field)?;
        match as_integer(&Value::String(v.to_string())) {
            Some(n) if n >= 1 => Some(usize::try_from(n).unwrap_or(usize::MAX)),
            Some(_) => {
                errors.add(field, format!("The {field} field must be at least 1."));
                None
            }
            None => {
                errors.add(field, format!("The {field} field must be an integer."));
                None
            }
        }
    };
    let limit = positive("limit");
    let page = positive("page").unwrap_or(1);

    if !errors.is_empty() {
        return Err(list_query_errors(app, errors));
    }
    Ok(ListQuery {
        kind,
        parent_id,
        id_unusable,
        sort,
        explicit_sort: present("sort").is_some(),
        desc,
        limit,
        page,
    })
}

/// The 422 for a bad list query: Laravel's envelope, or (fault `validation-envelope-flat`,
/// when both parent fields are wrong) one flat list of messages.
fn list_query_errors(app: &App, errors: Errors) -> Response {
    if app.is(Fault::ValidationEnvelopeFlat)
        && errors.0.contains_key("resource_type")
        && errors.0.contains_key("resource_id")
    {
        let flat: Vec<String> = errors.0.into_values().flatten().collect();
        return envelope::json(
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!({ "message": INVALID, "errors": flat }),
        );
    }
    errors.respond(app)
}

/// The page size, page, sort and direction served for a checked query.
fn page_plan(app: &App, query: &ListQuery) -> PagePlan {
    let per_page = match query.limit {
        None if app.is(Fault::DefaultPageSize20) => 20,
        None => DEFAULT_PAGE_SIZE,
        Some(n) if app.is(Fault::LimitUncapped) => n.min(10_000),
        Some(n) if app.is(Fault::LimitMax99) => n.min(99),
        Some(n) => n.min(MAX_PAGE_SIZE),
    };
    let page = if app.is(Fault::PageIgnored) {
        1
    } else {
        query.page
    };

    let sort = match query.sort {
        None if app.is(Fault::DefaultSortById) => None,
        None => Some(Sort::Position),
        Some(Sort::Status) if app.is(Fault::SortStatusIgnored) => Some(Sort::Position),
        Some(Sort::Created) if app.is(Fault::SortCreatedIgnored) => Some(Sort::Position),
        s => s,
    };
    let explicit = query.explicit_sort;
    let desc = query.desc
        && !(sort == Some(Sort::Position) && explicit && app.is(Fault::PositionDescIgnored))
        && (explicit || !app.is(Fault::DefaultSortDescIgnored));
    PagePlan {
        per_page,
        page,
        sort,
        desc,
    }
}

/// The items of the parent the query names (of every type when the type is left out or
/// ignored), written ones from the store and seeded ones derived.
fn find_items<'s>(app: &App, store: &'s Store, query: ListQuery, plan: &PagePlan) -> Found<'s> {
    let synth = &app.synth;
    let mut found = Found {
        page: None,
        written: Vec::new(),
        derived: Vec::new(),
        completed: 0,
        by_position: true,
    };
    let lookup = |id: &u64| store.items.get(id).or_else(|| store.ghosts.get(id));
    match (query.kind, query.parent_id, query.id_unusable) {
        (_, _, true) => {}
        (Some(kind), Some(pid), false) if !app.is(Fault::ListScopeIgnoresType) => {
            let key = (kind, pid);
            match store.parents.get(&key) {
                Some(parent) if plan.sort == Some(Sort::Position) => {
                    let total = parent.order.len();
                    let range = pages::page_range(total, plan.per_page, plan.page);
                    let items: Vec<&Item> = if plan.desc {
                        parent.order[total - range.end..total - range.start]
                            .iter()
                            .rev()
                            .filter_map(lookup)
                            .collect()
                    } else {
                        parent.order[range].iter().filter_map(lookup).collect()
                    };
                    found.page = Some((total, items));
                    found.completed = parent.completed;
                }
                Some(parent) => {
                    found.written.extend(parent.order.iter().filter_map(lookup));
                    found.completed = parent.completed;
                }
                None => {
                    if let Some(p) = synth.seeded(&key) {
                        found
                            .derived
                            .extend(synth.ids_of(p).map(|id| synth.item(id)));
                        found.completed = found.derived.iter().filter(|i| i.completed()).count();
                    }
                }
            }
        }
        (_, Some(pid), false) => {
            // Every type (faults list.resource-type-optional, list.scope-ignores-type).
            for kind in ["task", "project"] {
                let key = (kind.to_string(), pid);
                if let Some(parent) = store.parents.get(&key) {
                    found.written.extend(parent.order.iter().filter_map(lookup));
                    found.completed += parent.completed;
                } else if let Some(p) = synth.seeded(&key) {
                    found
                        .derived
                        .extend(synth.ids_of(p).map(|id| synth.item(id)));
                    found.completed += synth
                        .ids_of(p)
                        .filter(|id| synth.item(*id).completed())
                        .count();
                }
            }
            found.by_position = false;
        }
        _ => {}
    }
    found
}

/// Sort the items as asked (`None`: by id); by position needs nothing when already so.
fn sort_items(refs: &mut [&Item], sort: Option<Sort>, by_position: bool) {
    match sort {
        Some(Sort::Position) if by_position => {}
        Some(Sort::Position) => refs.sort_by_key(|i| (i.position, i.id)),
        Some(Sort::Status) => refs.sort_by(|a, b| {
            (a.status_str(), a.position, a.id).cmp(&(b.status_str(), b.position, b.id))
        }),
        Some(Sort::Created) => refs.sort_by_key(|i| (i.created, i.id)),
        None => refs.sort_by_key(|i| i.id),
    }
}

/// The total and the page asked for, of the sorted items.
fn cut_page<'s>(refs: &[&'s Item], plan: &PagePlan) -> (usize, Vec<&'s Item>) {
    let total = refs.len();
    let range = pages::page_range(total, plan.per_page, plan.page);
    let items: Vec<&Item> = if plan.desc {
        // The page of the reversed order, without reversing the whole set.
        let (s, e) = (total - range.end, total - range.start);
        refs[s..e].iter().rev().copied().collect()
    } else {
        refs[range].to_vec()
    };
    (total, items)
}

/// The progress percentage: a whole number when it is one, else two decimals.
fn percentage(app: &App, completed: usize, total: usize) -> Value {
    if app.chose(Variant::UntypedAsStrings) {
        // A decimal column, as PDO reads it: text with two decimals.
        let share = if total == 0 {
            0.0
        } else {
            completed as f64 * 100.0 / total as f64
        };
        json!(format!("{share:.2}"))
    } else if total == 0 {
        json!(0)
    } else if app.is(Fault::ProgressPercentageFraction) {
        json!((completed as f64 / total as f64 * 100.0).round() / 100.0)
    } else if (completed * 100) % total == 0 {
        json!(completed * 100 / total)
    } else {
        json!((completed as f64 * 10_000.0 / total as f64).round() / 100.0)
    }
}

/// The 200: the page's items, the paging and progress meta, and the message.
fn list_response(
    app: &App,
    page_items: &[&Item],
    plan: &PagePlan,
    total: usize,
    progress: Value,
) -> Response {
    let data: Vec<Value> = page_items.iter().map(|i| app.list_item_json(i)).collect();
    let empty = data.is_empty();
    let message = if app.is(Fault::ListMessageWrong) {
        "Checklists fetched successfully."
    } else {
        app.message(
            "Checklists retrieved successfully.",
            "Checklist items retrieved.",
        )
    };
    let mut meta = json!({
        "current_page": plan.page,
        "per_page": plan.per_page,
        "total": total,
        "last_page": pages::page_count(total, plan.per_page),
        "progress": progress,
    });
    if app.is(Fault::ProgressMissing) {
        if let Some(m) = meta.as_object_mut() {
            m.remove("progress");
        }
    }
    let body = json!({ "data": data, "meta": meta, "message": message });
    if empty && app.is(Fault::EmptyListTextPlain) {
        return envelope::typed(StatusCode::OK, envelope::TEXT_UTF8, body.to_string());
    }
    envelope::json(StatusCode::OK, &body)
}

pub async fn create(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
    let body = match read_body(&app, &headers, body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let (kind, parent_id, text) = match create_fields(&app, &body) {
        Ok(fields) => fields,
        Err(r) => return r,
    };
    let synth = app.synth;
    let mut store = app.store.write().await;
    store.init(&synth);
    let key = (kind, parent_id);
    if app.chose(Variant::ParentsMustExist) && !store.parent_exists(&synth, &key) {
        return app.unknown_parent("checklistresource_id");
    }
    store.materialise(&synth, &key);
    let (base, position) = new_position(&app, &store, &key);
    let id = store.next_item;
    store.next_item += 1;
    let now = store.now();
    let item = Item {
        id,
        text,
        status: Ok(Status::Pending),
        position,
        parent: key.clone(),
        created: now,
        updated: now,
        comments: Vec::new(),
    };
    let data = app.item_json(&item);
    store.items.insert(id, item);
    if let Some(parent) = store.parents.get_mut(&key) {
        parent.order.push(id);
        parent.last_created = Some(id);
    }
    if base.is_some_and(|b| b >= position) || app.is(Fault::CreateAfterLastCreated) {
        store.resort(&key);
    }
    let message = if app.is(Fault::CreateMessageWrong) {
        "Checklist item created."
    } else {
        app.message("Checklist created successfully.", "Checklist item added.")
    };
    envelope::json(
        StatusCode::CREATED,
        &json!({ "data": data, "message": message }),
    )
}

/// The new item's parent type, parent id and text, checked; 422 otherwise.
fn create_fields(
    app: &App,
    body: &BTreeMap<String, Value>,
) -> Result<(String, i64, String), Response> {
    let mut errors = Errors::default();
    let kind = string_field(body, "checklistresource_type", &mut errors);
    let kind = match kind {
        None if app.is(Fault::CreateResourceTypeOptional)
            && matches!(body.get("checklistresource_type"), None | Some(Value::Null)) =>
        {
            errors.0.remove("checklistresource_type");
            Some("task".to_string())
        }
        k => k,
    };
    let parent_id = match integer_field(body, "checklistresource_id", &mut errors) {
        Field::Value(n) => Some(n),
        Field::Missing if app.is(Fault::CreateResourceIdOptional) => {
            errors.0.remove("checklistresource_id");
            Some(0)
        }
        Field::Invalid if app.is(Fault::CreateResourceIdUnchecked) => {
            errors.0.remove("checklistresource_id");
            Some(0)
        }
        _ => None,
    };
    let text = match string_field(body, "checklist_text", &mut errors) {
        None if app.is(Fault::CreateTextOptional) && errors.0.contains_key("checklist_text") => {
            errors.0.remove("checklist_text");
            Some(String::new())
        }
        t => t,
    };
    let (Some(kind), Some(parent_id), Some(text), true) =
        (kind, parent_id, text, errors.is_empty())
    else {
        return Err(errors.respond(app));
    };
    Ok((kind, parent_id, text))
}

/// Where a new item goes: after the parent's last item (fault `create-after-last-created`: after
/// the last one created); the position it follows, and its own.
fn new_position(app: &App, store: &Store, key: &ParentKey) -> (Option<i64>, i64) {
    let (max_position, last_created_position) = {
        let parent = &store.parents[key];
        let max = parent
            .order
            .last()
            .and_then(|id| store.items.get(id).or_else(|| store.ghosts.get(id)))
            .map(|i| i.position);
        let last = parent
            .last_created
            .and_then(|id| store.items.get(&id))
            .map(|i| i.position);
        (max, last)
    };
    let base = if app.is(Fault::CreateAfterLastCreated) {
        last_created_position.or(max_position)
    } else {
        max_position
    };
    let position = match base {
        Some(p) => p + 1,
        None if app.is(Fault::CreatePositionsFromZero) => 0,
        None => 1,
    };
    (base, position)
}

pub async fn show(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let store = app.store.read().await;
    let Some(item) = ids::parse_digits(&id).and_then(|id| store.get(&app.synth, id)) else {
        return unknown_item(&app, Fault::GetUnknownNot404);
    };
    let mut data = app.item_json(&item);
    if app.is(Fault::CommentsCountMissing) {
        if let Some(o) = data.as_object_mut() {
            o.remove("comments_count");
        }
    }
    let message = if app.is(Fault::GetMessageWrong) {
        "Checklist found."
    } else {
        "Checklist retrieved successfully."
    };
    ok(data, message)
}

/// The opening an item's writes with a required text share (`update`'s `checklist_text`,
/// `add_comment`'s `comment`), in the document's order: the body read, the item found (else
/// `unknown`'s answer), the text required (an empty one allowed under `optional`). It holds the
/// store's write lock from the lookup on, so the item cannot go before the write.
async fn text_write<'a>(
    app: &'a App,
    headers: &HeaderMap,
    body: Body,
    id: &str,
    (unknown, field, optional): (Fault, &str, Fault),
) -> Result<
    (
        tokio::sync::RwLockWriteGuard<'a, super::data::Store>,
        u64,
        String,
    ),
    Response,
> {
    let body = read_body(app, headers, body).await?;
    let synth = app.synth;
    let mut store = app.store.write().await;
    store.init(&synth);
    let Some(id) = ids::parse_digits(id).filter(|id| store.get(&synth, *id).is_some()) else {
        return Err(unknown_item(app, unknown));
    };
    let mut errors = Errors::default();
    let text = match string_field(&body, field, &mut errors) {
        None if app.is(optional) && errors.0.contains_key(field) => String::new(),
        None => return Err(errors.respond(app)),
        Some(t) => t,
    };
    Ok((store, id, text))
}

pub async fn update(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let synth = app.synth;
    let (mut store, id, text) = match text_write(
        &app,
        &headers,
        body,
        &id,
        (
            Fault::UpdateUnknownNot404,
            "checklist_text",
            Fault::UpdateTextOptional,
        ),
    )
    .await
    {
        Ok(w) => w,
        Err(r) => return r,
    };
    let now = store.now();
    let Some(item) = store.get_mut(&synth, id) else {
        return app.not_found("Checklist");
    };
    let data = if app.is(Fault::UpdateTextNotSaved) {
        let mut shown = item.clone();
        shown.text = text;
        shown.updated = now;
        app.item_json(&shown)
    } else {
        item.text = text;
        item.updated = now;
        app.item_json(item)
    };
    ok(data, "Checklist updated successfully.")
}

pub async fn destroy(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let synth = app.synth;
    let mut store = app.store.write().await;
    store.init(&synth);
    let Some(id) = ids::parse_digits(&id).filter(|id| store.get(&synth, *id).is_some()) else {
        return unknown_item(&app, Fault::DeleteUnknownNot404);
    };
    if store.get_mut(&synth, id).is_none() {
        return app.not_found("Checklist");
    }
    let Some(mut item) = store.items.remove(&id) else {
        return app.not_found("Checklist");
    };
    if app.is(Fault::DeleteOrphansComments) {
        store.orphans.insert(id, std::mem::take(&mut item.comments));
    }
    if app.is(Fault::DeleteLeavesListed) {
        store.ghosts.insert(id, item);
    } else if let Some(parent) = store.parents.get_mut(&item.parent) {
        parent.order.retain(|i| *i != id);
        parent.completed -= usize::from(item.completed() && parent.completed > 0);
        if parent.last_created == Some(id) {
            parent.last_created = None;
        }
    }
    ok(
        json!({ "id": id }),
        app.message("Checklist deleted successfully.", "Checklist item removed."),
    )
}

pub async fn set_status(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let body = match read_body(&app, &headers, body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let synth = app.synth;
    let mut store = app.store.write().await;
    store.init(&synth);
    let Some(id) = ids::parse_digits(&id).filter(|id| store.get(&synth, *id).is_some()) else {
        return unknown_item(&app, Fault::StatusUnknownNot404);
    };
    let mut errors = Errors::default();
    let wanted: Option<Result<Status, String>> = match body.get("status") {
        None | Some(Value::Null) => {
            errors.add("status", required("status"));
            None
        }
        Some(Value::String(s)) => match s.trim() {
            "" => {
                errors.add("status", required("status"));
                None
            }
            "pending" => Some(Ok(Status::Pending)),
            "completed" => Some(Ok(Status::Completed)),
            other => {
                errors.add("status", "The selected status is invalid.".into());
                Some(Err(other.to_string()))
            }
        },
        Some(_) => {
            errors.add("status", "The selected status is invalid.".into());
            None
        }
    };
    let wanted = match wanted {
        Some(Err(other)) if app.is(Fault::StatusAnyValue) => Some(Err(other)),
        None if app.is(Fault::StatusMissingIgnored) && errors.0.contains_key("status") => None,
        _ if !errors.is_empty() => return errors.respond(&app),
        w => w,
    };
    let now = store.now();
    let Some(item) = store.get_mut(&synth, id) else {
        return app.not_found("Checklist");
    };
    let mut delta: i64 = 0;
    if let Some(wanted) = wanted {
        let was = item.completed();
        let refused = was && wanted == Ok(Status::Pending) && app.is(Fault::StatusCompletedIsFinal);
        if !refused && item.status != wanted {
            item.status = wanted;
            item.updated = now;
            delta = i64::from(item.completed()) - i64::from(was);
        }
    }
    let data = app.item_json(item);
    let key = item.parent.clone();
    if let Some(parent) = store.parents.get_mut(&key) {
        if delta > 0 {
            parent.completed += 1;
        } else if delta < 0 && !app.is(Fault::ProgressUncompleteNotCounted) {
            parent.completed = parent.completed.saturating_sub(1);
        }
    }
    ok(data, "Checklist status updated successfully.")
}

/// `checklist_ids` as sent: `checklist_ids[]=..`, PHP's `checklist_ids[0]=..`, or a JSON array.
pub fn ids_field(body: &BTreeMap<String, Value>) -> Option<Vec<Value>> {
    let mut indexed: Vec<(u64, Value)> = body
        .iter()
        .filter_map(|(k, v)| {
            let inner = k.strip_prefix("checklist_ids[")?.strip_suffix(']')?;
            Some((ids::parse_digits(inner)?, v.clone()))
        })
        .collect();
    match body.get("checklist_ids") {
        Some(Value::Array(a)) => Some(a.clone()),
        Some(Value::Null) | None if !indexed.is_empty() => {
            indexed.sort_by_key(|(i, _)| *i);
            Some(indexed.into_iter().map(|(_, v)| v).collect())
        }
        // Not an array (refused by the caller), or absent.
        _ => None,
    }
}

pub async fn reorder(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
    let body = match read_body(&app, &headers, body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut ids = match reorder_ids(&app, &body) {
        Ok(ids) => ids,
        Err(r) => return r,
    };
    let synth = app.synth;
    let mut store = app.store.write().await;
    store.init(&synth);
    let known: Vec<u64> = ids
        .iter()
        .copied()
        .filter(|id| store.get(&synth, *id).is_some())
        .collect();
    if known.len() != ids.len() {
        if app.is(Fault::ReorderUnknownSkipped) {
            ids = known;
        } else {
            return app.not_found("Checklist");
        }
    }
    let now = store.now();
    let touched = touched_parents(&mut store, &synth, &ids);
    let frozen: Vec<ParentKey> = if app.is(Fault::ReorderOnceOnly) {
        touched
            .iter()
            .filter(|key| store.parents.get(*key).is_some_and(|p| p.reordered))
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    let slots = position_slots(&app, &store, &ids);
    for (id, position) in ids.iter().zip(slots) {
        if let Some(item) = store.items.get_mut(id) {
            if frozen.contains(&item.parent) {
                continue;
            }
            item.position = position;
            item.updated = now;
        }
    }
    for key in &touched {
        store.resort(key);
        if let Some(p) = store.parents.get_mut(key) {
            p.reordered = true;
        }
    }
    let mut echoed = ids;
    if app.is(Fault::ReorderEchoSorted) {
        echoed.sort_unstable();
    }
    ok(
        json!({ "checklist_ids": echoed }),
        app.message("Checklist positions updated successfully.", "Order saved."),
    )
}

/// The ids to reorder, in their order: an array of distinct integers, required; 422 otherwise.
fn reorder_ids(app: &App, body: &BTreeMap<String, Value>) -> Result<Vec<u64>, Response> {
    let mut errors = Errors::default();
    let raw = ids_field(body);
    let raw = match raw {
        Some(r) => r,
        None if body
            .get("checklist_ids")
            .is_some_and(|v| !v.is_null() && !v.is_array()) =>
        {
            errors.add(
                "checklist_ids",
                "The checklist ids field must be an array.".into(),
            );
            return Err(errors.respond(app));
        }
        None => Vec::new(),
    };
    if raw.is_empty() && !app.is(Fault::ReorderEmptyAccepted) {
        errors.add("checklist_ids", required("checklist_ids"));
        return Err(errors.respond(app));
    }
    let mut ids: Vec<u64> = Vec::with_capacity(raw.len());
    for (i, v) in raw.iter().enumerate() {
        match as_integer(v).and_then(|n| u64::try_from(n).ok()) {
            Some(n) => {
                if ids.contains(&n) {
                    errors.add(
                        &format!("checklist_ids.{i}"),
                        format!("The checklist_ids.{i} field has a duplicate value."),
                    );
                } else {
                    ids.push(n);
                }
            }
            None if app.is(Fault::ReorderNonIntegersSkipped) => {}
            None => errors.add(
                &format!("checklist_ids.{i}"),
                format!("The checklist_ids.{i} field must be an integer."),
            ),
        }
    }
    if !errors.is_empty() {
        return Err(errors.respond(app));
    }
    Ok(ids)
}

/// The parents of the items reordered, each once, in the order first met; their items become
/// written ones (a seeded parent is materialised) so that positions can change.
fn touched_parents(store: &mut Store, synth: &Synth, ids: &[u64]) -> Vec<ParentKey> {
    let mut touched: Vec<ParentKey> = Vec::new();
    for id in ids {
        if let Some(item) = store.get_mut(synth, *id) {
            if !touched.contains(&item.parent) {
                touched.push(item.parent.clone());
            }
        }
    }
    touched
}

/// The positions handed out, in the order of the ids: 1, 2, 3, ...; or (variant
/// `reorder-keeps-slots`) the positions these items already held, sorted.
fn position_slots(app: &App, store: &Store, ids: &[u64]) -> Vec<i64> {
    if app.chose(Variant::ReorderKeepsSlots) {
        let mut held: Vec<i64> = ids
            .iter()
            .filter_map(|id| store.items.get(id).map(|i| i.position))
            .collect();
        held.sort_unstable();
        held
    } else {
        (1..=ids.len() as i64).collect()
    }
}

// ---------------------------------------------------------------------------------- comments

pub async fn list_comments(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let store = app.store.read().await;
    let id = ids::parse_digits(&id);
    let comments: Vec<Comment> = match id.and_then(|id| store.get(&app.synth, id)) {
        Some(item) => item.comments.clone(),
        None => match id.and_then(|id| store.orphans.get(&id)) {
            Some(orphans) => orphans.clone(),
            None => return unknown_item(&app, Fault::CommentsListUnknownNot404),
        },
    };
    let shown: Vec<Value> = if app.is(Fault::CommentsLatestOnly) {
        comments
            .last()
            .map(|c| app.comment_json(c))
            .into_iter()
            .collect()
    } else {
        comments.iter().map(|c| app.comment_json(c)).collect()
    };
    ok(json!(shown), "Checklist comments retrieved successfully.")
}

pub async fn add_comment(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let synth = app.synth;
    let (mut store, id, text) = match text_write(
        &app,
        &headers,
        body,
        &id,
        (
            Fault::CommentAddUnknownNot404,
            "comment",
            Fault::CommentTextOptional,
        ),
    )
    .await
    {
        Ok(w) => w,
        Err(r) => return r,
    };
    let cid = store.next_comment;
    store.next_comment += 1;
    let comment = Comment {
        id: cid,
        text,
        creator: (OWNER.0, OWNER.1.to_string()),
    };
    let data = app.comment_json(&comment);
    let Some(item) = store.get_mut(&synth, id) else {
        return app.not_found("Checklist");
    };
    item.comments.push(comment);
    let message = if app.is(Fault::CommentAddMessageWrong) {
        "Comment added successfully."
    } else {
        "Checklist comment added successfully."
    };
    envelope::json(
        StatusCode::CREATED,
        &json!({ "data": data, "message": message }),
    )
}

pub async fn delete_comment(
    State(app): State<Arc<App>>,
    Path((id, comment_id)): Path<(String, String)>,
) -> Response {
    let synth = app.synth;
    let mut store = app.store.write().await;
    store.init(&synth);
    let id = ids::parse_digits(&id);
    let comment_id = app.parse_comment_id(&comment_id);
    let exists = id.is_some_and(|id| store.get(&synth, id).is_some());
    let comments: &mut Vec<Comment> = if exists {
        match id.and_then(|id| store.get_mut(&synth, id)) {
            Some(item) => &mut item.comments,
            None => return app.not_found("Checklist"),
        }
    } else {
        match id.and_then(|id| store.orphans.get_mut(&id)) {
            Some(orphans) => orphans,
            None => return unknown_item(&app, Fault::CommentDeleteUnknownNot404),
        }
    };
    let Some(at) = comment_id.and_then(|c| comments.iter().position(|x| x.id == c)) else {
        if app.is(Fault::UnknownCommentDeleted) {
            if let Some(c) = comment_id {
                return ok(
                    json!({ "id": app.comment_id_json(c) }),
                    "Checklist comment deleted successfully.",
                );
            }
        }
        return app.not_found("Checklist comment");
    };
    let removed = if app.is(Fault::CommentDeleteNoop) {
        comments[at].id
    } else {
        comments.remove(at).id
    };
    ok(
        json!({ "id": app.comment_id_json(removed) }),
        "Checklist comment deleted successfully.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_read_from_text_and_numbers() {
        assert_eq!(as_integer(&json!("178000000012")), Some(178_000_000_012));
        assert_eq!(as_integer(&json!(" 12 ")), Some(12));
        assert_eq!(as_integer(&json!(12)), Some(12));
        assert_eq!(as_integer(&json!(1.5)), None);
        assert_eq!(as_integer(&json!("1.5")), None);
        assert_eq!(as_integer(&json!("not-an-integer")), None);
        assert_eq!(as_integer(&json!("99999999999999999999")), None);
        assert_eq!(as_integer(&json!(true)), None);
    }
}
