//! The Checklists mock's data: synthetic items derived from `(seed, id)`, and the store of
//! everything written (materialised parents, created items and comments).

use std::borrow::Cow;
use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::Response;

use super::faults::{Fault, Variant};
use super::handlers::attr;
use super::render::Errors;
use super::{CREATORS, OWNER, PER_PARENT, SYNTH_EPOCH_MICROS, SYNTH_SPAN_MICROS, THINGS, WORDS};
use crate::mock::common::{mix, pick};
use crate::mock::kit::{envelope, time, HasSwitches, Switches};
use crate::mock::Shared;

// ---------------------------------------------------------------------------------- the data

pub type ParentKey = (String, i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Declared first, but sorted by its name: `completed` < `pending`.
    Pending,
    Completed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Completed => "completed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub id: u64,
    pub text: String,
    pub creator: (u64, String),
}

#[derive(Debug, Clone)]
pub struct Item {
    pub id: u64,
    pub text: String,
    /// `Err(value)` only under the fault `status.any-value`.
    pub status: Result<Status, String>,
    pub position: i64,
    pub parent: ParentKey,
    pub created: i64,
    pub updated: i64,
    pub comments: Vec<Comment>,
}

impl Item {
    pub fn completed(&self) -> bool {
        self.status == Ok(Status::Completed)
    }

    pub fn status_str(&self) -> &str {
        match &self.status {
            Ok(s) => s.as_str(),
            Err(other) => other,
        }
    }
}

#[derive(Debug, Default)]
pub struct Parent {
    /// Item ids by (position, id).
    pub order: Vec<u64>,
    pub completed: usize,
    pub reordered: bool,
    pub last_created: Option<u64>,
}

/// The synthetic data: items 1..=size, five per seeded parent.
#[derive(Debug, Clone, Copy)]
pub struct Synth {
    pub seed: u64,
    pub size: u64,
}

impl Synth {
    pub fn parents(&self) -> u64 {
        self.size.div_ceil(PER_PARENT)
    }

    pub fn parent_type(&self, p: u64) -> &'static str {
        pick(&["task", "project"], self.seed, p, 0x7a5c)
    }

    pub fn parent_of(&self, id: u64) -> ParentKey {
        let p = (id - 1) / PER_PARENT + 1;
        (self.parent_type(p).to_string(), p as i64)
    }

    /// The seeded parent `key` names, as its number.
    pub fn seeded(&self, key: &ParentKey) -> Option<u64> {
        let p = u64::try_from(key.1).ok()?;
        (p >= 1 && p <= self.parents() && self.parent_type(p) == key.0).then_some(p)
    }

    pub fn ids_of(&self, p: u64) -> std::ops::RangeInclusive<u64> {
        let first = (p - 1) * PER_PARENT + 1;
        first..=(first + PER_PARENT - 1).min(self.size)
    }

    pub fn is_item(&self, id: u64) -> bool {
        id >= 1 && id <= self.size
    }

    pub fn item(&self, id: u64) -> Item {
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
    pub fn first_new_item(&self) -> u64 {
        self.size + 1
    }

    pub fn first_new_comment(&self) -> u64 {
        self.size * 3 + 3
    }
}

#[derive(Debug, Default)]
pub struct Store {
    pub started: bool,
    /// Every item of a materialised parent, and every item created.
    pub items: HashMap<u64, Item>,
    /// Parents written to; a seeded parent not in here is still its synthetic self.
    pub parents: HashMap<ParentKey, Parent>,
    pub next_item: u64,
    pub next_comment: u64,
    /// The last creation time handed out (µs), so creation dates strictly increase.
    pub clock: i64,
    /// Fault `delete.leaves-listed`: deleted items still listed.
    pub ghosts: HashMap<u64, Item>,
    /// Fault `delete.orphans-comments`: the comments of deleted items.
    pub orphans: HashMap<u64, Vec<Comment>>,
}

impl Store {
    pub fn init(&mut self, synth: &Synth) {
        if !self.started {
            self.started = true;
            self.next_item = synth.first_new_item();
            self.next_comment = synth.first_new_comment();
        }
    }

    /// A parent that exists before any request (a fixture): `count` items at positions `step`,
    /// `2 * step`, ..., every third completed, the first with a comment; created one second
    /// apart, after the synthetic data.
    pub fn seed_parent(&mut self, key: (&str, i64), count: u64, step: i64) {
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
    pub fn parent_exists(&self, synth: &Synth, key: &ParentKey) -> bool {
        synth.seeded(key).is_some() || self.parents.contains_key(key)
    }

    pub fn now(&mut self) -> i64 {
        self.clock = time::now_micros().max(self.clock + 1);
        self.clock
    }

    /// An item by id: written, or synthetic and untouched.
    pub fn get<'a>(&'a self, synth: &Synth, id: u64) -> Option<Cow<'a, Item>> {
        if let Some(it) = self.items.get(&id) {
            return Some(Cow::Borrowed(it));
        }
        if synth.is_item(id) && !self.parents.contains_key(&synth.parent_of(id)) {
            return Some(Cow::Owned(synth.item(id)));
        }
        None
    }

    /// Make `key` a written parent (its synthetic items copied in, once).
    pub fn materialise(&mut self, synth: &Synth, key: &ParentKey) {
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
    pub fn get_mut(&mut self, synth: &Synth, id: u64) -> Option<&mut Item> {
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

    pub fn resort(&mut self, key: &ParentKey) {
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

pub struct App {
    pub switches: Switches<Fault, Variant>,
    pub key: String,
    pub synth: Synth,
    pub store: Shared<Store>,
}

crate::has_switches!(App: Fault, Variant);

impl App {
    /// A message the document shows only in an example answer, or the variant's own.
    pub fn message(&self, documented: &'static str, other: &'static str) -> &'static str {
        if self.chose(Variant::OtherMessages) {
            other
        } else {
            documented
        }
    }

    pub fn not_found(&self, what: &str) -> Response {
        let message = if self.chose(Variant::Laravel10Errors) {
            let model = if what == "Checklist" {
                "Checklist"
            } else {
                "ChecklistComment"
            };
            format!("No query results for model [App\\Models\\{model}].")
        } else {
            format!("{what} not found.")
        };
        envelope::message(StatusCode::NOT_FOUND, "message", &message)
    }

    /// 422 for a parent that does not exist (variant `parents-must-exist`).
    pub fn unknown_parent(&self, field: &str) -> Response {
        let mut errors = Errors::default();
        errors.add(field, format!("The selected {} is invalid.", attr(field)));
        errors.respond(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::checklist_items::MAX_SIZE;

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
