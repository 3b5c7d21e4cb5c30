//! The reference mock of the "Checklists" API (checklist-items.txt): checklist items of a parent
//! resource (`task` / `project` + an integer id), their status, manual ordering and comments.
//!
//! - Served under `/api` (the documented `https://your-domain/api`), `Authorization: Bearer
//!   <api_key>` on every request (401 `{"message": "Unauthenticated."}` otherwise).
//! - Answers are `{data, meta, message}` envelopes with the documented messages; validation
//!   failures are 422 `{"message": "The given data was invalid.", "errors": {field: [..]}}`,
//!   unknown checklist or comment ids 404.
//! - Bodies are form-encoded (`a=1&ids[]=2`, PHP's `ids[0]=2` too) or JSON.
//! - Data: `size` synthetic items (default 1000), five per seeded parent (`task` or `project`
//!   with ids 1..=size/5), derived from `(seed, id)` and costing no memory until written: the
//!   first write under a seeded parent materialises that parent's items. Everything written
//!   lives in one store behind a lock, so concurrent writes lose nothing (1,000 concurrent
//!   creates under one parent get positions 1..=1000).
//! - Fixture parents, the same at every seed (ids above any seeded parent's): `project/2000001`
//!   holds 4 items and is the parent the rules write under (`task/2000001` holds 2, so the
//!   same id exists under the other type); `task/2000002` holds 120 items (the large parent of
//!   the page-size rules); `task/2000003` holds 30 (the parent of the variant `busy-parent`).
//! - Variants (`--variant`) choose differently where the document is silent; see `Variant`.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, put};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::common::{mix, page_count, page_range, pick, MAX_BODY_BYTES};
use super::{Built, FaultInfo, MockApi, MockOptions, Shared, Transport, VariantInfo};
use crate::target::Credentials;

crate::faults! {
    MissingKeyAccepted = "auth.missing-key-accepted"
        => ["checklist-items.auth.missing-key", "checklist-items.auth.required-on-writes"]:
        "a request without an Authorization header is served as the key's owner",
    InvalidKeyAccepted = "auth.invalid-key-accepted"
        => ["checklist-items.auth.invalid-key", "checklist-items.auth.required-on-writes"]:
        "any Bearer value is accepted as an API key",
    WritesUnauthenticated = "auth.writes-unauthenticated"
        => ["checklist-items.auth.required-on-writes"]:
        "writes (POST, PUT, PATCH, DELETE) are served without checking the API key",
    ListResourceTypeOptional = "list.resource-type-optional"
        => ["checklist-items.list.requires-resource-type", "checklist-items.list.requires-parent"]:
        "a list without resource_type is not refused: it lists the items of that id of any type",
    ListResourceIdOptional = "list.resource-id-optional"
        => ["checklist-items.list.requires-resource-id", "checklist-items.list.requires-parent"]:
        "a list without resource_id is not refused: it answers an empty list",
    ListResourceIdUnchecked = "list.resource-id-unchecked"
        => ["checklist-items.list.resource-id-integer"]
        ~ "the table types resource_id for the client; no sentence says other values are refused":
        "a resource_id that is not an integer answers 200 with an empty list",
    ListMessageWrong = "list.message-wrong"
        => ["checklist-items.list.envelope"]
        ~ "the list's message appears only in the example answer":
        "the list's message is \"Checklists fetched successfully.\"",
    ListScopeIgnoresType = "list.scope-ignores-type"
        => ["checklist-items.list.scoped-to-parent"]:
        "a list holds the items of every parent with that id, whatever its type",
    ProgressPageOnly = "progress.page-only"
        => ["checklist-items.progress.full-set"]:
        "meta.progress counts the items of the page, not the parent's full set",
    ProgressUncompleteNotCounted = "progress.uncomplete-not-counted"
        => ["checklist-items.progress.follows-status"]:
        "setting a completed item back to pending leaves meta.progress.completed as it was",
    ProgressPercentageFraction = "progress.percentage-fraction"
        => ["checklist-items.progress.percentage-scale"]
        ~ "the document shows percentage only as 0 and never defines its scale":
        "meta.progress.percentage is a fraction (0 to 1), not a percentage",
    DefaultPageSize20 = "pagination.default-size-20"
        => ["checklist-items.pagination.default-limit"]
        ~ "the default page size of 25 appears only in the example answer":
        "without a limit, pages hold 20 items (per_page 20) instead of 25",
    PageIgnored = "pagination.page-ignored"
        => ["checklist-items.pagination.limit-and-page"]:
        "the page parameter is ignored: every list is page 1",
    LimitMax99 = "pagination.limit-max-99"
        => ["checklist-items.pagination.limit-100-accepted"]:
        "limits are capped at 99, so limit=100 gives per_page 99",
    LimitUncapped = "pagination.limit-uncapped"
        => ["checklist-items.pagination.limit-max-100"]:
        "a limit above 100 is honoured (limit=101 gives per_page 101)",
    DefaultSortById = "sort.default-by-id"
        => [
            "checklist-items.sort.default-position-asc",
            "checklist-items.sort.desc-with-default-sort",
        ]:
        "without sort, items come by id (creation order) instead of by position",
    PositionDescIgnored = "sort.position-desc-ignored"
        => ["checklist-items.sort.position-order"]:
        "sort=checklist_position ignores order=desc (always ascending)",
    DefaultSortDescIgnored = "sort.default-desc-ignored"
        => ["checklist-items.sort.desc-with-default-sort"]:
        "order=desc is ignored when sort is not given",
    SortStatusIgnored = "sort.status-ignored"
        => ["checklist-items.sort.status"]:
        "sort=checklist_status is ignored: items come by position",
    SortCreatedIgnored = "sort.created-ignored"
        => ["checklist-items.sort.created"]:
        "sort=checklist_created is ignored: items come by position",
    CreateMessageWrong = "create.message-wrong"
        => ["checklist-items.create.returns-201"]
        ~ "the create's message appears only in the example answer":
        "a create answers the message \"Checklist item created.\"",
    CreatePositionsFromZero = "create.positions-from-zero"
        => ["checklist-items.create.first-position-one"]
        ~ "only examples show a first item at position 1":
        "the first item of a parent gets position 0",
    CreateAfterLastCreated = "create.after-last-created"
        => ["checklist-items.create.appended-last"]:
        "a new item is placed after the parent's last created item, not after the highest position",
    CreateTextOptional = "create.text-optional"
        => ["checklist-items.create.requires-text"]:
        "a create without checklist_text creates an item with an empty text",
    CreateResourceTypeOptional = "create.resource-type-optional"
        => ["checklist-items.create.requires-resource-type"]:
        "a create without checklistresource_type creates the item under a `task`",
    CreateResourceIdOptional = "create.resource-id-optional"
        => ["checklist-items.create.requires-resource-id"]:
        "a create without checklistresource_id creates the item under the parent id 0",
    CreateResourceIdUnchecked = "create.resource-id-unchecked"
        => ["checklist-items.create.resource-id-integer"]
        ~ "the table types checklistresource_id for the client; no sentence says other values are refused":
        "a checklistresource_id that is not an integer is accepted (as the parent id 0)",
    GetMessageWrong = "get.message-wrong"
        => ["checklist-items.get.returns-200"]:
        "a read answers the message \"Checklist found.\"",
    CommentsCountMissing = "object.comments-count-missing"
        => ["checklist-items.object.fields", "checklist-items.comments.count"]:
        "an item read by id has no comments_count",
    ResourceTypeAlwaysTask = "object.resource-type-always-task"
        => ["checklist-items.object.parent"]:
        "every item says its parent is a `task`, whatever it was created under",
    DatesLowercase = "object.dates-lowercase"
        => ["checklist-items.object.dates-format"]
        ~ "only the example shows the dates' format":
        "dates are written with a lowercase `t` and `z` (2026-06-17t09:30:00.000000z)",
    UpdateTextNotSaved = "update.text-not-saved"
        => ["checklist-items.update.returns-200"]:
        "an update answers the new text but does not store it",
    UpdateTextOptional = "update.text-optional"
        => ["checklist-items.update.requires-text"]:
        "an update without checklist_text empties the text",
    DeleteLeavesListed = "delete.leaves-listed"
        => ["checklist-items.delete.returns-200"]:
        "a deleted item reads 404 but stays in its parent's list and progress",
    DeleteOrphansComments = "delete.orphans-comments"
        => ["checklist-items.delete.cascades-comments"]:
        "deleting an item leaves its comments: they can still be listed and deleted",
    StatusCompletedIsFinal = "status.completed-is-final"
        => ["checklist-items.status.change", "checklist-items.progress.follows-status"]:
        "a completed item cannot be set back to pending (the change is ignored)",
    StatusAnyValue = "status.any-value"
        => ["checklist-items.status.invalid"]:
        "any status value is accepted and stored",
    StatusMissingIgnored = "status.missing-ignored"
        => ["checklist-items.status.required"]:
        "a status change without status answers 200, the item unchanged",
    ReorderEchoSorted = "reorder.echo-sorted"
        => ["checklist-items.reorder.sets-positions"]
        ~ "the reorder's echo of the ids appears only in the example answer":
        "the reorder answer lists the ids sorted ascending, not in the order sent",
    ReorderOnceOnly = "reorder.once-only"
        => ["checklist-items.reorder.twice"]:
        "a parent can be reordered once; later reorders answer 200 and change nothing",
    ReorderEmptyAccepted = "reorder.empty-accepted"
        => ["checklist-items.reorder.requires-ids"]:
        "a reorder without checklist_ids answers 200 with an empty list",
    ReorderUnknownSkipped = "reorder.unknown-skipped"
        => ["checklist-items.reorder.unknown-id"]:
        "ids of a reorder that do not exist are skipped, and the reorder answers 200",
    ReorderNonIntegersSkipped = "reorder.non-integers-skipped"
        => ["checklist-items.reorder.ids-integers"]
        ~ "the table types checklist_ids for the client; no sentence says other values are refused":
        "ids of a reorder that are not integers are skipped, and the reorder answers 200",
    CommentAddMessageWrong = "comments.add-message-wrong"
        => ["checklist-items.comments.add"]:
        "adding a comment answers the message \"Comment added successfully.\"",
    CommentsLatestOnly = "comments.list-latest-only"
        => ["checklist-items.comments.list"]:
        "the comments list holds only the newest comment",
    CommentDeleteNoop = "comments.delete-noop"
        => ["checklist-items.comments.delete", "checklist-items.comments.count"]:
        "deleting a comment answers success but keeps it",
    CommentsCountStale = "comments.count-stale"
        => ["checklist-items.comments.count"]:
        "comments_count is always 0",
    CommentTextOptional = "comments.text-optional"
        => ["checklist-items.comments.requires-comment"]:
        "a comment without its text is added with an empty text",
    UnknownCommentDeleted = "comments.unknown-comment-deleted"
        => ["checklist-items.comments.unknown-comment", "checklist-items.comments.delete"]:
        "deleting a comment id the item does not have answers success",
    GetUnknownNot404 = "errors.get-unknown-400"
        => ["checklist-items.errors.not-found-get", "checklist-items.delete.returns-200"]:
        "reading an unknown checklist id answers 400 instead of 404",
    UpdateUnknownNot404 = "errors.update-unknown-400"
        => ["checklist-items.errors.not-found-update"]:
        "updating an unknown checklist id answers 400 instead of 404",
    DeleteUnknownNot404 = "errors.delete-unknown-400"
        => ["checklist-items.errors.not-found-delete", "checklist-items.delete.returns-200"]:
        "deleting an unknown checklist id answers 400 instead of 404",
    StatusUnknownNot404 = "errors.status-unknown-400"
        => ["checklist-items.errors.not-found-status"]:
        "changing the status of an unknown checklist id answers 400 instead of 404",
    CommentsListUnknownNot404 = "errors.comments-list-unknown-400"
        => ["checklist-items.errors.not-found-comments-list", "checklist-items.delete.cascades-comments"]:
        "listing the comments of an unknown checklist id answers 400 instead of 404",
    CommentAddUnknownNot404 = "errors.comment-add-unknown-400"
        => ["checklist-items.errors.not-found-comment-add"]:
        "commenting on an unknown checklist id answers 400 instead of 404",
    CommentDeleteUnknownNot404 = "errors.comment-delete-unknown-item-400"
        => ["checklist-items.errors.not-found-comment-delete", "checklist-items.delete.cascades-comments"]:
        "deleting a comment of an unknown checklist id answers 400 instead of 404",
    ValidationEnvelopeFlat = "errors.list-validation-flat"
        => ["checklist-items.errors.validation-envelope", "checklist-items.list.requires-parent"]
        ~ "the document shows one 422 body, as an example of a format described elsewhere":
        "a list without resource_type and resource_id answers 422 with `errors` as a flat list of messages",
    EmptyListTextPlain = "media.empty-list-text-plain"
        => ["checklist-items.media.json"]
        ~ "the document never names a Content-Type; application/json is the convention":
        "a list whose page is empty is served as text/plain (the body still JSON)",
    ProgressMissing = "list.progress-missing"
        => ["checklist-items.list.envelope"]:
        "the list's meta has no progress",
}

crate::variants! {
    ParentsMustExist = "parents-must-exist":
        "a create or list naming a parent that does not exist is refused with 422 (`The selected ... is invalid.`): the document never says whether an item may belong to a parent that does not exist",
    Laravel10Errors = "laravel-10-errors":
        "422 bodies say Laravel 10's summary (`The resource id field is required. (and 1 more error)`) instead of `The given data was invalid.`, 404 bodies `No query results for model ...`, and an unknown key gets 403 (a missing one 401): the document shows one 422 body as an example and no 404 or 401 body or status",
    StringCommentIds = "string-comment-ids":
        "comment ids are UUIDs and creator ids user handles, both strings: the document shows them only as 9 and 1 and types neither",
    AbbreviatedListItems = "abbreviated-list-items":
        "list items carry only id, text and status, as the list example shows them; the whole object is read by id: no sentence says the list repeats every field",
    ReorderKeepsSlots = "reorder-keeps-slots":
        "a reorder gives the items named the positions they already held, sorted, in the order sent (other items keep theirs, positions stay unique): the document says only that positions match the order of the array",
    BusyParent = "busy-parent":
        "the parent the rules write under already holds 30 items (more than a default page), positions 10, 20, ... 300, every third completed: the document says nothing of the data a target holds",
    UntypedAsStrings = "untyped-as-strings":
        "the parent's id inside an item, the creator's id and progress's percentage are strings (`\"2000001\"`, `\"1\"`, `\"40.00\"`, as a decimal column reads): the table does not type them, only examples show numbers",
    OtherMessages = "other-messages":
        "list, create, delete and reorder answer other messages (`Checklist items retrieved.`, ...): these four messages appear only in example answers, unlike the stated ones of get, update, status and comments",
    SqlDates = "sql-dates":
        "dates are written `2026-06-17 09:30:00` (Laravel's format before 7): only the example shows their format",
    TokenAlternatives = "token-alternatives":
        "the key is also accepted as `?api_token=` or an `X-Api-Key` header (Laravel's token guard): the document shows the Bearer header and forbids no other form",
}

/// Seeded items per seeded parent.
const PER_PARENT: u64 = 5;
/// Synthetic items by default.
const DEFAULT_SIZE: usize = 1000;
/// At most this many synthetic items: ids stay far below the contract's unknown id 999999999.
const MAX_SIZE: usize = 10_000_000;
const DEFAULT_PAGE_SIZE: usize = 25;
const MAX_PAGE_SIZE: usize = 100;
/// 2024-01-01T00:00:00Z: synthetic items are created in the two years after it, in id order.
const SYNTH_EPOCH_MICROS: i64 = 1_704_067_200_000_000;
const SYNTH_SPAN_MICROS: i64 = 2 * 365 * 86_400 * 1_000_000;
const INVALID: &str = "The given data was invalid.";
/// The fixture parents (above any seeded parent's id, MAX_SIZE / PER_PARENT).
const FIXTURE_PARENT: (&str, i64) = ("project", 2_000_001);
const FIXTURE_PARENT_ITEMS: u64 = 4;
/// The same id under the other type, so the scoping rule finds a parent there.
const FIXTURE_SIBLING: (&str, i64) = ("task", 2_000_001);
const FIXTURE_SIBLING_ITEMS: u64 = 2;
const LARGE_PARENT: (&str, i64) = ("task", 2_000_002);
const LARGE_PARENT_ITEMS: u64 = 120;
/// The parent of the variant `busy-parent`.
const BUSY_PARENT: (&str, i64) = ("task", 2_000_003);
const BUSY_PARENT_ITEMS: u64 = 30;
const OWNER: (u64, &str) = (1, "Admin");
const CREATORS: &[(u64, &str)] = &[(1, "Admin"), (2, "Dana Ruiz"), (3, "Sam Okafor")];
const WORDS: &[&str] = &[
    "Draft", "Review", "Send", "Check", "Update", "Plan", "Book", "Call", "Archive", "Sign",
];
const THINGS: &[&str] = &[
    "the proposal",
    "the budget",
    "the invoice",
    "the contract",
    "the agenda",
    "the release notes",
    "the venue",
    "the supplier",
];

pub struct Api;

impl MockApi for Api {
    fn name(&self) -> &'static str {
        "checklist-items"
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
        let size = options.size.unwrap_or(DEFAULT_SIZE).min(MAX_SIZE) as u64;
        let key = format!("mock-api-key-{}", options.seed);
        let variant = options.variant.as_deref().and_then(Variant::from_name);
        let synth = Synth {
            seed: options.seed,
            size,
        };
        let mut store = Store::default();
        store.init(&synth);
        store.seed_parent(FIXTURE_PARENT, FIXTURE_PARENT_ITEMS, 1);
        store.seed_parent(FIXTURE_SIBLING, FIXTURE_SIBLING_ITEMS, 1);
        store.seed_parent(LARGE_PARENT, LARGE_PARENT_ITEMS, 1);
        store.seed_parent(BUSY_PARENT, BUSY_PARENT_ITEMS, 10);
        let app = App {
            fault: fault.and_then(Fault::from_name),
            variant,
            key: key.clone(),
            synth,
            store: std::sync::Arc::new(tokio::sync::RwLock::new(store)),
        };
        // The parent the rules write under, and what a profile's `fixtures:` would say.
        let parent = if variant == Some(Variant::BusyParent) {
            BUSY_PARENT
        } else {
            FIXTURE_PARENT
        };
        let other_type = if parent.0 == "task" {
            "project"
        } else {
            "task"
        };
        let fixtures = [
            ("parent_type", json!(parent.0)),
            ("parent_id", json!(parent.1)),
            ("other_parent_type", json!(other_type)),
            ("large_parent_type", json!(LARGE_PARENT.0)),
            ("large_parent_id", json!(LARGE_PARENT.1)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        Built {
            router: router(app),
            credentials: Credentials::default().with("api_key", key),
            base_path: "/api".into(),
            transport: Transport::Plain,
            fixtures,
        }
    }
}

// ---------------------------------------------------------------------------------- the data

type ParentKey = (String, i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    /// Declared first, but sorted by its name: `completed` < `pending`.
    Pending,
    Completed,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Completed => "completed",
        }
    }
}

#[derive(Debug, Clone)]
struct Comment {
    id: u64,
    text: String,
    creator: (u64, String),
}

#[derive(Debug, Clone)]
struct Item {
    id: u64,
    text: String,
    /// `Err(value)` only under the fault `status.any-value`.
    status: Result<Status, String>,
    position: i64,
    parent: ParentKey,
    created: i64,
    updated: i64,
    comments: Vec<Comment>,
}

impl Item {
    fn completed(&self) -> bool {
        self.status == Ok(Status::Completed)
    }

    fn status_str(&self) -> &str {
        match &self.status {
            Ok(s) => s.as_str(),
            Err(other) => other,
        }
    }
}

#[derive(Debug, Default)]
struct Parent {
    /// Item ids by (position, id).
    order: Vec<u64>,
    completed: usize,
    reordered: bool,
    last_created: Option<u64>,
}

/// The synthetic data: items 1..=size, five per seeded parent.
#[derive(Debug, Clone, Copy)]
struct Synth {
    seed: u64,
    size: u64,
}

impl Synth {
    fn parents(&self) -> u64 {
        self.size.div_ceil(PER_PARENT)
    }

    fn parent_type(&self, p: u64) -> &'static str {
        pick(&["task", "project"], self.seed, p, 0x7a5c)
    }

    fn parent_of(&self, id: u64) -> ParentKey {
        let p = (id - 1) / PER_PARENT + 1;
        (self.parent_type(p).to_string(), p as i64)
    }

    /// The seeded parent `key` names, as its number.
    fn seeded(&self, key: &ParentKey) -> Option<u64> {
        let p = u64::try_from(key.1).ok()?;
        (p >= 1 && p <= self.parents() && self.parent_type(p) == key.0).then_some(p)
    }

    fn ids_of(&self, p: u64) -> std::ops::RangeInclusive<u64> {
        let first = (p - 1) * PER_PARENT + 1;
        first..=(first + PER_PARENT - 1).min(self.size)
    }

    fn is_item(&self, id: u64) -> bool {
        id >= 1 && id <= self.size
    }

    fn item(&self, id: u64) -> Item {
        let r = mix(self.seed, id);
        // Evenly spread over the span, strictly increasing with the id.
        let step = (SYNTH_SPAN_MICROS / (self.size as i64 + 1)).max(2);
        let created = SYNTH_EPOCH_MICROS + (id as i64) * step + (r % (step as u64 / 2)) as i64;
        let comments = (0..(r >> 8) % 3)
            .map(|k| {
                let cid = id * 3 + k;
                let (uid, name) = CREATORS[(mix(self.seed ^ 0xc0, cid) % 3) as usize];
                Comment {
                    id: cid,
                    text: format!(
                        "{} {}?",
                        pick(WORDS, self.seed, cid, 0xc1),
                        pick(THINGS, self.seed, cid, 0xc2)
                    ),
                    creator: (uid, name.to_string()),
                }
            })
            .collect();
        Item {
            id,
            text: format!(
                "{} {}",
                pick(WORDS, self.seed, id, 1),
                pick(THINGS, self.seed, id, 2)
            ),
            status: Ok(if r % 3 == 0 {
                Status::Completed
            } else {
                Status::Pending
            }),
            position: ((id - 1) % PER_PARENT + 1) as i64,
            parent: self.parent_of(id),
            created,
            updated: created + ((r >> 16) % (step as u64 / 2)) as i64,
            comments,
        }
    }

    /// The first id of the items (and comments) the API creates.
    fn first_new_item(&self) -> u64 {
        self.size + 1
    }

    fn first_new_comment(&self) -> u64 {
        self.size * 3 + 3
    }
}

#[derive(Debug, Default)]
struct Store {
    started: bool,
    /// Every item of a materialised parent, and every item created.
    items: HashMap<u64, Item>,
    /// Parents written to; a seeded parent not in here is still its synthetic self.
    parents: HashMap<ParentKey, Parent>,
    next_item: u64,
    next_comment: u64,
    /// The last creation time handed out (µs), so creation dates strictly increase.
    clock: i64,
    /// Fault `delete.leaves-listed`: deleted items still listed.
    ghosts: HashMap<u64, Item>,
    /// Fault `delete.orphans-comments`: the comments of deleted items.
    orphans: HashMap<u64, Vec<Comment>>,
}

impl Store {
    fn init(&mut self, synth: &Synth) {
        if !self.started {
            self.started = true;
            self.next_item = synth.first_new_item();
            self.next_comment = synth.first_new_comment();
        }
    }

    /// A parent that exists before any request (a fixture): `count` items at positions `step`,
    /// `2 * step`, ..., every third completed, the first with a comment; created one second
    /// apart, after the synthetic data.
    fn seed_parent(&mut self, key: (&str, i64), count: u64, step: i64) {
        let key: ParentKey = (key.0.to_string(), key.1);
        let mut parent = Parent::default();
        for n in 0..count {
            let id = self.next_item;
            self.next_item += 1;
            let created = (SYNTH_EPOCH_MICROS + SYNTH_SPAN_MICROS).max(self.clock + 1_000_000);
            self.clock = created;
            let mut comments = Vec::new();
            if n == 0 {
                comments.push(Comment {
                    id: self.next_comment,
                    text: "Looks good to me".into(),
                    creator: (OWNER.0, OWNER.1.to_string()),
                });
                self.next_comment += 1;
            }
            let item = Item {
                id,
                text: format!(
                    "{} {}",
                    pick(WORDS, key.1 as u64, n, 1),
                    pick(THINGS, key.1 as u64, n, 2)
                ),
                status: Ok(if n % 3 == 2 {
                    Status::Completed
                } else {
                    Status::Pending
                }),
                position: (n as i64 + 1) * step,
                parent: key.clone(),
                created,
                updated: created,
                comments,
            };
            parent.completed += usize::from(item.completed());
            parent.order.push(id);
            self.items.insert(id, item);
        }
        self.parents.insert(key, parent);
    }

    /// Whether `key` names a parent the target has (variant `parents-must-exist`): a seeded one,
    /// a fixture, or one written to.
    fn parent_exists(&self, synth: &Synth, key: &ParentKey) -> bool {
        synth.seeded(key).is_some() || self.parents.contains_key(key)
    }

    fn now(&mut self) -> i64 {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_micros() as i64)
            .unwrap_or(0);
        self.clock = now.max(self.clock + 1);
        self.clock
    }

    /// An item by id: written, or synthetic and untouched.
    fn get<'a>(&'a self, synth: &Synth, id: u64) -> Option<Cow<'a, Item>> {
        if let Some(it) = self.items.get(&id) {
            return Some(Cow::Borrowed(it));
        }
        if synth.is_item(id) && !self.parents.contains_key(&synth.parent_of(id)) {
            return Some(Cow::Owned(synth.item(id)));
        }
        None
    }

    /// Make `key` a written parent (its synthetic items copied in, once).
    fn materialise(&mut self, synth: &Synth, key: &ParentKey) {
        if self.parents.contains_key(key) {
            return;
        }
        let mut parent = Parent::default();
        if let Some(p) = synth.seeded(key) {
            for id in synth.ids_of(p) {
                let item = synth.item(id);
                parent.completed += usize::from(item.completed());
                parent.order.push(id);
                self.items.insert(id, item);
            }
        }
        self.parents.insert(key.clone(), parent);
    }

    /// An item to write to (its parent materialised first).
    fn get_mut(&mut self, synth: &Synth, id: u64) -> Option<&mut Item> {
        if !self.items.contains_key(&id) {
            if synth.is_item(id) {
                let key = synth.parent_of(id);
                self.materialise(synth, &key);
            } else {
                return None;
            }
        }
        self.items.get_mut(&id)
    }

    fn resort(&mut self, key: &ParentKey) {
        let Some(parent) = self.parents.get_mut(key) else {
            return;
        };
        let items = &self.items;
        let ghosts = &self.ghosts;
        parent.order.sort_by_key(|id| {
            let pos = items
                .get(id)
                .or_else(|| ghosts.get(id))
                .map(|i| i.position)
                .unwrap_or(i64::MAX);
            (pos, *id)
        });
    }
}

#[derive(Clone)]
struct App {
    fault: Option<Fault>,
    variant: Option<Variant>,
    key: String,
    synth: Synth,
    store: Shared<Store>,
}

impl App {
    fn is(&self, f: Fault) -> bool {
        self.fault == Some(f)
    }

    fn var(&self, v: Variant) -> bool {
        self.variant == Some(v)
    }

    /// A message the document shows only in an example answer, or the variant's own.
    fn message(&self, documented: &'static str, other: &'static str) -> &'static str {
        if self.var(Variant::OtherMessages) {
            other
        } else {
            documented
        }
    }

    fn not_found(&self, what: &str) -> Response {
        let message = if self.var(Variant::Laravel10Errors) {
            let model = if what == "Checklist" {
                "Checklist"
            } else {
                "ChecklistComment"
            };
            format!("No query results for model [App\\Models\\{model}].")
        } else {
            format!("{what} not found.")
        };
        answer(StatusCode::NOT_FOUND, json!({ "message": message }))
    }

    /// 422 for a parent that does not exist (variant `parents-must-exist`).
    fn unknown_parent(&self, field: &str) -> Response {
        let mut errors = Errors::default();
        errors.add(field, format!("The selected {} is invalid.", attr(field)));
        errors.respond(self)
    }
}

// ---------------------------------------------------------------------------------- answers

fn answer(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

fn ok(data: Value, message: &str) -> Response {
    answer(StatusCode::OK, json!({ "data": data, "message": message }))
}

/// The answer of the `errors.*-unknown-400` faults.
fn bad_unknown() -> Response {
    answer(
        StatusCode::BAD_REQUEST,
        json!({ "message": "Invalid checklist id." }),
    )
}

/// The checklist 404, or the fault's 400.
fn unknown_item(app: &App, fault: Fault) -> Response {
    if app.is(fault) {
        bad_unknown()
    } else {
        app.not_found("Checklist")
    }
}

/// Validation errors, by field.
#[derive(Default)]
struct Errors(BTreeMap<String, Vec<String>>);

impl Errors {
    fn add(&mut self, field: &str, message: String) {
        self.0.entry(field.to_string()).or_default().push(message);
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn respond(self, app: &App) -> Response {
        // Laravel 9 and later summarise the first error instead of "The given data was invalid.".
        let message = if app.var(Variant::Laravel10Errors) {
            let mut all = self.0.values().flatten();
            let first = all.next().cloned().unwrap_or_else(|| INVALID.to_string());
            match all.count() {
                0 => first,
                1 => format!("{first} (and 1 more error)"),
                n => format!("{first} (and {n} more errors)"),
            }
        } else {
            INVALID.to_string()
        };
        answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "message": message, "errors": self.0 }),
        )
    }
}

fn attr(field: &str) -> String {
    field.replace('_', " ")
}

fn required(field: &str) -> String {
    format!("The {} field is required.", attr(field))
}

/// A required string field: trimmed, non-empty (empty strings count as missing).
fn string_field(
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
fn as_integer(v: &Value) -> Option<i64> {
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

enum Field<T> {
    Missing,
    Invalid,
    Value(T),
}

fn integer_field(body: &BTreeMap<String, Value>, field: &str, errors: &mut Errors) -> Field<i64> {
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

fn format_micros(micros: i64, lowercase: bool) -> String {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
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
    let (t, zulu) = if lowercase { ('t', 'z') } else { ('T', 'Z') };
    format!(
        "{y:04}-{m:02}-{d:02}{t}{:02}:{:02}:{:02}.{frac:06}{zulu}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The prefix of a comment's UUID in the variant `string-comment-ids`: the rest is its number.
const COMMENT_UUID_PREFIX: &str = "00000000-0000-4000-8000-";

impl App {
    fn date(&self, micros: i64) -> String {
        let written = format_micros(micros, self.is(Fault::DatesLowercase));
        if self.var(Variant::SqlDates) {
            // "2026-06-17T09:30:00.000000Z" -> "2026-06-17 09:30:00"
            written[..19].replacen('T', " ", 1)
        } else {
            written
        }
    }

    fn item_json(&self, item: &Item) -> Value {
        let kind = if self.is(Fault::ResourceTypeAlwaysTask) {
            "task"
        } else {
            item.parent.0.as_str()
        };
        let parent_id = if self.var(Variant::UntypedAsStrings) {
            json!(item.parent.1.to_string())
        } else {
            json!(item.parent.1)
        };
        json!({
            "id": item.id,
            "text": item.text,
            "status": item.status_str(),
            "position": item.position,
            "resource": { "type": kind, "id": parent_id },
            "comments_count": if self.is(Fault::CommentsCountStale) { 0 } else { item.comments.len() },
            "dates": {
                "created": self.date(item.created),
                "updated": self.date(item.updated),
            },
        })
    }

    /// An item as a list shows it: whole, or (variant `abbreviated-list-items`) as the list
    /// example shows it.
    fn list_item_json(&self, item: &Item) -> Value {
        if self.var(Variant::AbbreviatedListItems) {
            json!({ "id": item.id, "text": item.text, "status": item.status_str() })
        } else {
            self.item_json(item)
        }
    }

    fn comment_id_json(&self, id: u64) -> Value {
        if self.var(Variant::StringCommentIds) {
            json!(format!("{COMMENT_UUID_PREFIX}{id:012x}"))
        } else {
            json!(id)
        }
    }

    /// A comment id from a path, as this mock writes them.
    fn parse_comment_id(&self, raw: &str) -> Option<u64> {
        if self.var(Variant::StringCommentIds) {
            let hex = raw.strip_prefix(COMMENT_UUID_PREFIX)?;
            if hex.len() != 12 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            u64::from_str_radix(hex, 16).ok()
        } else {
            parse_id(raw)
        }
    }

    fn comment_json(&self, c: &Comment) -> Value {
        let creator = if self.var(Variant::StringCommentIds) {
            json!(format!("usr-{}", c.creator.0))
        } else if self.var(Variant::UntypedAsStrings) {
            json!(c.creator.0.to_string())
        } else {
            json!(c.creator.0)
        };
        json!({
            "id": self.comment_id_json(c.id),
            "text": c.text,
            "creator": { "id": creator, "name": c.creator.1 },
        })
    }
}

fn parse_id(raw: &str) -> Option<u64> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok()
}

/// The request body as fields: 413 over the limit, 422 when it is not what its Content-Type
/// says (malformed JSON, not an object).
async fn read_body(
    app: &App,
    headers: &HeaderMap,
    body: Body,
) -> Result<BTreeMap<String, Value>, Response> {
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return Err(answer(
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({ "message": format!("The request body is larger than {MAX_BODY_BYTES} bytes.") }),
            ))
        }
    };
    super::common::parse_body(headers, &bytes).map_err(|e| {
        let mut errors = Errors::default();
        errors.add("body", format!("The request body could not be read: {e}."));
        errors.respond(app)
    })
}

// ---------------------------------------------------------------------------------- routing

fn router(app: App) -> Router {
    let api = Router::new()
        .route("/checklists", get(list).post(create))
        .route("/checklists/positions", put(reorder))
        .route("/checklists/{id}", get(show).patch(update).delete(destroy))
        .route("/checklists/{id}/status", put(set_status))
        .route(
            "/checklists/{id}/comments",
            get(list_comments).post(add_comment),
        )
        .route(
            "/checklists/{id}/comments/{comment_id}",
            delete(delete_comment),
        )
        .fallback(|| async {
            answer(
                StatusCode::NOT_FOUND,
                json!({ "message": "The route could not be found." }),
            )
        })
        .method_not_allowed_fallback(|| async {
            answer(
                StatusCode::METHOD_NOT_ALLOWED,
                json!({ "message": "The method is not supported for this route." }),
            )
        })
        .layer(middleware::from_fn_with_state(app.clone(), authenticate))
        .with_state(app);
    Router::new().nest("/api", api).fallback(|| async {
        answer(
            StatusCode::NOT_FOUND,
            json!({ "message": "The route could not be found." }),
        )
    })
}

async fn authenticate(State(app): State<App>, request: Request, next: Next) -> Response {
    let write = request.method() != axum::http::Method::GET;
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    let token = given.and_then(|v| {
        let (scheme, rest) = v.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
    });
    // Variant `token-alternatives`: without an Authorization header, the key may come as an
    // `X-Api-Key` header or an `api_token` query parameter.
    let alternative: Option<String> = if given.is_none() && app.var(Variant::TokenAlternatives) {
        request
            .headers()
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string())
            .or_else(|| {
                form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes())
                    .find(|(k, _)| k == "api_token")
                    .map(|(_, v)| v.into_owned())
            })
    } else {
        None
    };
    let given = given.or(alternative.as_deref().map(|_| ""));
    let token = token.or(alternative.as_deref());
    let key_given = given.is_some();
    let allowed = match (given, token) {
        _ if write && app.is(Fault::WritesUnauthenticated) => true,
        (None, _) => app.is(Fault::MissingKeyAccepted),
        (Some(_), Some(t)) if t == app.key => true,
        (Some(_), _) => app.is(Fault::InvalidKeyAccepted),
    };
    if allowed {
        next.run(request).await
    } else if key_given && app.var(Variant::Laravel10Errors) {
        // A key was given but is not one: forbidden rather than unauthenticated.
        answer(
            StatusCode::FORBIDDEN,
            json!({ "message": "This action is unauthorized." }),
        )
    } else {
        answer(
            StatusCode::UNAUTHORIZED,
            json!({ "message": "Unauthenticated." }),
        )
    }
}

// ---------------------------------------------------------------------------------- checklists

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sort {
    Position,
    Status,
    Created,
}

async fn list(State(app): State<App>, RawQuery(query): RawQuery) -> Response {
    let mut q: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        q.insert(k.into_owned(), v.into_owned());
    }
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
        if app.is(Fault::ValidationEnvelopeFlat)
            && errors.0.contains_key("resource_type")
            && errors.0.contains_key("resource_id")
        {
            let flat: Vec<String> = errors.0.into_values().flatten().collect();
            return answer(
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({ "message": INVALID, "errors": flat }),
            );
        }
        return errors.respond(&app);
    }

    let per_page = match limit {
        None if app.is(Fault::DefaultPageSize20) => 20,
        None => DEFAULT_PAGE_SIZE,
        Some(n) if app.is(Fault::LimitUncapped) => n.min(10_000),
        Some(n) if app.is(Fault::LimitMax99) => n.min(99),
        Some(n) => n.min(MAX_PAGE_SIZE),
    };
    let page = if app.is(Fault::PageIgnored) { 1 } else { page };

    let sort = match sort {
        None if app.is(Fault::DefaultSortById) => None,
        None => Some(Sort::Position),
        Some(Sort::Status) if app.is(Fault::SortStatusIgnored) => Some(Sort::Position),
        Some(Sort::Created) if app.is(Fault::SortCreatedIgnored) => Some(Sort::Position),
        s => s,
    };
    let explicit = present("sort").is_some();
    let desc = desc
        && !(sort == Some(Sort::Position) && explicit && app.is(Fault::PositionDescIgnored))
        && (explicit || !app.is(Fault::DefaultSortDescIgnored));
    let store = app.store.read().await;
    let synth = &app.synth;
    if app.var(Variant::ParentsMustExist) {
        if let (Some(kind), Some(pid)) = (&kind, parent_id) {
            if !store.parent_exists(synth, &(kind.clone(), pid)) {
                return app.unknown_parent("resource_id");
            }
        }
    }
    // A written parent by position: only its page is looked up.
    let mut fast: Option<(usize, Vec<&Item>)> = None;
    // The parent's items (refs), and its progress over the full set.
    let mut owned: Vec<Item> = Vec::new();
    let mut refs: Vec<&Item> = Vec::new();
    let mut completed = 0usize;
    let mut by_position = true; // refs already in (position, id) order
    match (kind, parent_id, id_unusable) {
        (_, _, true) => {}
        (Some(kind), Some(pid), false) if !app.is(Fault::ListScopeIgnoresType) => {
            let key = (kind, pid);
            let lookup = |id: &u64| store.items.get(id).or_else(|| store.ghosts.get(id));
            match store.parents.get(&key) {
                Some(parent) if sort == Some(Sort::Position) => {
                    let total = parent.order.len();
                    let range = page_range(total, per_page, page);
                    let items: Vec<&Item> = if desc {
                        parent.order[total - range.end..total - range.start]
                            .iter()
                            .rev()
                            .filter_map(lookup)
                            .collect()
                    } else {
                        parent.order[range].iter().filter_map(lookup).collect()
                    };
                    fast = Some((total, items));
                    completed = parent.completed;
                }
                Some(parent) => {
                    refs.extend(parent.order.iter().filter_map(lookup));
                    completed = parent.completed;
                }
                None => {
                    if let Some(p) = synth.seeded(&key) {
                        owned.extend(synth.ids_of(p).map(|id| synth.item(id)));
                        completed = owned.iter().filter(|i| i.completed()).count();
                    }
                }
            }
        }
        (_, Some(pid), false) => {
            // Every type (faults list.resource-type-optional, list.scope-ignores-type).
            for kind in ["task", "project"] {
                let key = (kind.to_string(), pid);
                if let Some(parent) = store.parents.get(&key) {
                    refs.extend(
                        parent
                            .order
                            .iter()
                            .filter_map(|id| store.items.get(id).or_else(|| store.ghosts.get(id))),
                    );
                    completed += parent.completed;
                } else if let Some(p) = synth.seeded(&key) {
                    owned.extend(synth.ids_of(p).map(|id| synth.item(id)));
                    completed += synth
                        .ids_of(p)
                        .filter(|id| synth.item(*id).completed())
                        .count();
                }
            }
            by_position = false;
        }
        _ => {}
    }
    refs.extend(owned.iter());
    if !owned.is_empty() && refs.len() > owned.len() {
        by_position = false;
    }
    match sort {
        Some(Sort::Position) if by_position => {}
        Some(Sort::Position) => refs.sort_by_key(|i| (i.position, i.id)),
        Some(Sort::Status) => refs.sort_by(|a, b| {
            (a.status_str(), a.position, a.id).cmp(&(b.status_str(), b.position, b.id))
        }),
        Some(Sort::Created) => refs.sort_by_key(|i| (i.created, i.id)),
        None => refs.sort_by_key(|i| i.id),
    }
    let (total, page_items) = match fast {
        Some(f) => f,
        None => {
            let total = refs.len();
            let range = page_range(total, per_page, page);
            let items: Vec<&Item> = if desc {
                // The page of the reversed order, without reversing the whole set.
                let (s, e) = (total - range.end, total - range.start);
                refs[s..e].iter().rev().copied().collect()
            } else {
                refs[range].to_vec()
            };
            (total, items)
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
    let percentage = if app.var(Variant::UntypedAsStrings) {
        // A decimal column, as PDO reads it: text with two decimals.
        let share = if progress_total == 0 {
            0.0
        } else {
            completed as f64 * 100.0 / progress_total as f64
        };
        json!(format!("{share:.2}"))
    } else if progress_total == 0 {
        json!(0)
    } else if app.is(Fault::ProgressPercentageFraction) {
        json!((completed as f64 / progress_total as f64 * 100.0).round() / 100.0)
    } else if (completed * 100) % progress_total == 0 {
        json!(completed * 100 / progress_total)
    } else {
        json!((completed as f64 * 10_000.0 / progress_total as f64).round() / 100.0)
    };
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
        "current_page": page,
        "per_page": per_page,
        "total": total,
        "last_page": page_count(total, per_page),
        "progress": { "total": progress_total, "completed": completed, "percentage": percentage },
    });
    if app.is(Fault::ProgressMissing) {
        if let Some(m) = meta.as_object_mut() {
            m.remove("progress");
        }
    }
    let mut response = answer(
        StatusCode::OK,
        json!({ "data": data, "meta": meta, "message": message }),
    );
    if empty && app.is(Fault::EmptyListTextPlain) {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
    }
    response
}

async fn create(State(app): State<App>, headers: HeaderMap, body: Body) -> Response {
    let body = match read_body(&app, &headers, body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut errors = Errors::default();
    let kind = string_field(&body, "checklistresource_type", &mut errors);
    let kind = match kind {
        None if app.is(Fault::CreateResourceTypeOptional)
            && matches!(body.get("checklistresource_type"), None | Some(Value::Null)) =>
        {
            errors.0.remove("checklistresource_type");
            Some("task".to_string())
        }
        k => k,
    };
    let parent_id = match integer_field(&body, "checklistresource_id", &mut errors) {
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
    let text = match string_field(&body, "checklist_text", &mut errors) {
        None if app.is(Fault::CreateTextOptional) && errors.0.contains_key("checklist_text") => {
            errors.0.remove("checklist_text");
            Some(String::new())
        }
        t => t,
    };
    let (Some(kind), Some(parent_id), Some(text), true) =
        (kind, parent_id, text, errors.is_empty())
    else {
        return errors.respond(&app);
    };

    let synth = app.synth;
    let mut store = app.store.write().await;
    store.init(&synth);
    let key = (kind, parent_id);
    if app.var(Variant::ParentsMustExist) && !store.parent_exists(&synth, &key) {
        return app.unknown_parent("checklistresource_id");
    }
    store.materialise(&synth, &key);
    let (max_position, last_created_position) = {
        let parent = &store.parents[&key];
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
    answer(
        StatusCode::CREATED,
        json!({ "data": data, "message": message }),
    )
}

async fn show(State(app): State<App>, Path(id): Path<String>) -> Response {
    let store = app.store.read().await;
    let Some(item) = parse_id(&id).and_then(|id| store.get(&app.synth, id)) else {
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

async fn update(
    State(app): State<App>,
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
    let Some(id) = parse_id(&id).filter(|id| store.get(&synth, *id).is_some()) else {
        return unknown_item(&app, Fault::UpdateUnknownNot404);
    };
    let mut errors = Errors::default();
    let text = match string_field(&body, "checklist_text", &mut errors) {
        None if app.is(Fault::UpdateTextOptional) && errors.0.contains_key("checklist_text") => {
            String::new()
        }
        None => return errors.respond(&app),
        Some(t) => t,
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

async fn destroy(State(app): State<App>, Path(id): Path<String>) -> Response {
    let synth = app.synth;
    let mut store = app.store.write().await;
    store.init(&synth);
    let Some(id) = parse_id(&id).filter(|id| store.get(&synth, *id).is_some()) else {
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

async fn set_status(
    State(app): State<App>,
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
    let Some(id) = parse_id(&id).filter(|id| store.get(&synth, *id).is_some()) else {
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
fn ids_field(body: &BTreeMap<String, Value>) -> Option<Vec<Value>> {
    let mut indexed: Vec<(u64, Value)> = body
        .iter()
        .filter_map(|(k, v)| {
            let inner = k.strip_prefix("checklist_ids[")?.strip_suffix(']')?;
            Some((parse_id(inner)?, v.clone()))
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

async fn reorder(State(app): State<App>, headers: HeaderMap, body: Body) -> Response {
    let body = match read_body(&app, &headers, body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut errors = Errors::default();
    let raw = ids_field(&body);
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
            return errors.respond(&app);
        }
        None => Vec::new(),
    };
    if raw.is_empty() && !app.is(Fault::ReorderEmptyAccepted) {
        errors.add("checklist_ids", required("checklist_ids"));
        return errors.respond(&app);
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
        return errors.respond(&app);
    }
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
    let mut touched: Vec<ParentKey> = Vec::new();
    let mut frozen: Vec<ParentKey> = Vec::new();
    for id in &ids {
        if let Some(item) = store.get_mut(&synth, *id) {
            if !touched.contains(&item.parent) {
                touched.push(item.parent.clone());
            }
        }
    }
    if app.is(Fault::ReorderOnceOnly) {
        for key in &touched {
            if store.parents.get(key).is_some_and(|p| p.reordered) {
                frozen.push(key.clone());
            }
        }
    }
    // The positions handed out, in the order of the ids: 1, 2, 3, ...; or (variant
    // `reorder-keeps-slots`) the positions these items already held, sorted.
    let slots: Vec<i64> = if app.var(Variant::ReorderKeepsSlots) {
        let mut held: Vec<i64> = ids
            .iter()
            .filter_map(|id| store.items.get(id).map(|i| i.position))
            .collect();
        held.sort_unstable();
        held
    } else {
        (1..=ids.len() as i64).collect()
    };
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

// ---------------------------------------------------------------------------------- comments

async fn list_comments(State(app): State<App>, Path(id): Path<String>) -> Response {
    let store = app.store.read().await;
    let id = parse_id(&id);
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

async fn add_comment(
    State(app): State<App>,
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
    let Some(id) = parse_id(&id).filter(|id| store.get(&synth, *id).is_some()) else {
        return unknown_item(&app, Fault::CommentAddUnknownNot404);
    };
    let mut errors = Errors::default();
    let text = match string_field(&body, "comment", &mut errors) {
        None if app.is(Fault::CommentTextOptional) && errors.0.contains_key("comment") => {
            String::new()
        }
        None => return errors.respond(&app),
        Some(t) => t,
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
    answer(
        StatusCode::CREATED,
        json!({ "data": data, "message": message }),
    )
}

async fn delete_comment(
    State(app): State<App>,
    Path((id, comment_id)): Path<(String, String)>,
) -> Response {
    let synth = app.synth;
    let mut store = app.store.write().await;
    store.init(&synth);
    let id = parse_id(&id);
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
    fn dates_are_rfc3339_utc_with_microseconds() {
        assert_eq!(
            format_micros(1_781_688_600_000_000, false),
            "2026-06-17T09:30:00.000000Z"
        );
        assert_eq!(format_micros(0, false), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            format_micros(951_782_400_000_001, true),
            "2000-02-29t00:00:00.000001z"
        );
    }

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

    #[test]
    fn synthetic_items_belong_to_their_seeded_parent() {
        let s = Synth { seed: 1, size: 12 };
        assert_eq!(s.parents(), 3);
        assert_eq!(s.ids_of(3), 11..=12);
        for id in 1..=12 {
            let item = s.item(id);
            assert_eq!(s.seeded(&item.parent), Some((id - 1) / PER_PARENT + 1));
            assert!(s.ids_of(s.seeded(&item.parent).unwrap_or(0)).contains(&id));
        }
        assert_eq!(s.seeded(&("task".into(), 4)), None);
        for size in [12, 1000, MAX_SIZE as u64] {
            let s = Synth { seed: 3, size };
            let ids = [1, 2, size / 2, size - 1, size];
            let dates: Vec<(i64, i64)> = ids
                .iter()
                .map(|id| s.item(*id))
                .map(|i| (i.created, i.updated))
                .collect();
            for w in dates.windows(2) {
                assert!(w[0].0 < w[1].0, "{size}: {dates:?}");
            }
            for (created, updated) in dates {
                assert!(created <= updated && updated < SYNTH_EPOCH_MICROS + SYNTH_SPAN_MICROS);
            }
        }
    }
}
