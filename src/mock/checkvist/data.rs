//! The Checkvist mock's state: users, tokens, checklists with their task trees and notes.
//!
//! Seeded checklists (ids `1..=size`, all of the main user) are derived from `(seed, id)` and
//! cost no memory until written: the first write to a seeded list materialises it into
//! `Store::lists`. Lists created through the API live there from the start.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use super::faults::{Fault, Variant};
use crate::mock::common::{mix, pick};
use crate::mock::kit::Switches;
use crate::mock::Shared;

/// The main user (owner of the seeded lists).
pub const MAIN_USER: u64 = 1;
/// The user with 2-step verification.
pub const TWOFA_USER: u64 = 2;
/// Seeded lists' timestamps lie in the year before this instant (2025-01-01T00:00:00Z).
const SEED_EPOCH: i64 = 1_735_689_600;
/// Task ids of seeded list `n` are `n * TASK_STRIDE + j`.
const TASK_STRIDE: u64 = 100;
/// Note ids of seeded task `t` are `t * NOTE_STRIDE + k`.
const NOTE_STRIDE: u64 = 10;
/// A token is valid for a day, refreshable for 90.
pub const TOKEN_VALID_SECS: i64 = 86_400;
pub const TOKEN_REFRESHABLE_SECS: i64 = 90 * 86_400;

#[derive(Debug, Clone)]
pub struct User {
    pub id: u64,
    /// The login (an email).
    pub login: String,
    /// The short name shown on notes and update lines.
    pub username: String,
    pub remote_key: String,
    pub password: String,
    /// The valid 2-step verification code, for an account that has it enabled.
    pub twofa_code: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub user: u64,
    pub issued: i64,
    /// The target's `expired_token` credential: refreshing it does not delete it, so every run
    /// against the same mock finds it (the contract asks targets for a fresh one per run).
    pub pinned: bool,
}

#[derive(Debug, Clone)]
pub struct Task {
    pub id: u64,
    pub parent: u64,
    pub content: String,
    /// The stored status; a non-leaf task reads as the cumulative status of its children.
    pub status: u8,
    pub priority: u8,
    pub tags: Vec<String>,
    pub assignees: Vec<u64>,
    pub due: Option<String>,
    pub repeat: Option<serde_json::Value>,
    pub created_at: i64,
    /// None: never updated (JSON answers "").
    pub updated_at: Option<i64>,
    pub update_line: String,
}

#[derive(Debug, Clone)]
pub struct Note {
    pub id: u64,
    pub task: u64,
    pub comment: String,
    pub user_id: u64,
    pub username: String,
    pub created_at: i64,
    pub updated_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct List {
    pub id: u64,
    pub owner: u64,
    pub name: String,
    pub public: bool,
    pub archived: bool,
    pub tags: Vec<String>,
    pub updated_at: i64,
    pub tasks: BTreeMap<u64, Task>,
    /// Parent id (0: the root) -> children ids in position order.
    pub children: HashMap<u64, Vec<u64>>,
    pub notes: BTreeMap<u64, Note>,
    pub deleted: bool,
}

impl List {
    pub fn kids(&self, parent: u64) -> &[u64] {
        self.children.get(&parent).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every task in depth-first order (parents before children, siblings by position),
    /// without recursion.
    pub fn preorder(&self, from: u64) -> Vec<u64> {
        let mut out = Vec::new();
        let mut stack: Vec<u64> = self.kids(from).iter().rev().copied().collect();
        while let Some(id) = stack.pop() {
            out.push(id);
            stack.extend(self.kids(id).iter().rev().copied());
        }
        out
    }

    /// The effective status of every task: a leaf's own, a parent's the cumulative status of
    /// its children (open if one is open; invalidated if all are; closed otherwise).
    pub fn statuses(&self, cumulative: bool) -> HashMap<u64, u8> {
        let order = self.preorder(0);
        let mut out: HashMap<u64, u8> = HashMap::with_capacity(order.len());
        for id in order.iter().rev() {
            let Some(t) = self.tasks.get(id) else {
                continue;
            };
            let kids = self.kids(*id);
            let s = if kids.is_empty() || !cumulative {
                t.status
            } else {
                let ks: Vec<u8> = kids
                    .iter()
                    .map(|k| out.get(k).copied().unwrap_or(0))
                    .collect();
                if ks.contains(&0) {
                    0
                } else if ks.iter().all(|s| *s == 2) {
                    2
                } else {
                    1
                }
            };
            out.insert(*id, s);
        }
        out
    }

    /// (leaf tasks, closed leaf tasks, all tasks).
    pub fn stats(&self) -> (usize, usize, usize) {
        let mut leaves = 0;
        let mut closed = 0;
        for t in self.tasks.values() {
            if self.kids(t.id).is_empty() {
                leaves += 1;
                if t.status == 1 {
                    closed += 1;
                }
            }
        }
        (leaves, closed, self.tasks.len())
    }

    pub fn notes_count(&self) -> HashMap<u64, usize> {
        let mut out = HashMap::new();
        for n in self.notes.values() {
            *out.entry(n.task).or_insert(0) += 1;
        }
        out
    }

    /// The task, then its parents up to the root.
    pub fn chain(&self, id: u64) -> Vec<u64> {
        let mut out = vec![id];
        let mut cur = self.tasks.get(&id).map(|t| t.parent).unwrap_or(0);
        while cur != 0 && out.len() <= self.tasks.len() {
            out.push(cur);
            cur = self.tasks.get(&cur).map(|t| t.parent).unwrap_or(0);
        }
        out
    }

    /// Whether `ancestor` is `id` or one of its parents.
    pub fn is_ancestor_or_self(&self, ancestor: u64, id: u64) -> bool {
        self.chain(id).contains(&ancestor)
    }

    /// Place `id` under `parent` at the 1-based `position` (None: at the end).
    pub fn place(&mut self, id: u64, parent: u64, position: Option<usize>) {
        let kids = self.children.entry(parent).or_default();
        let at = match position {
            Some(p) => p.saturating_sub(1).min(kids.len()),
            None => kids.len(),
        };
        kids.insert(at, id);
    }

    pub fn unplace(&mut self, id: u64, parent: u64) {
        if let Some(kids) = self.children.get_mut(&parent) {
            kids.retain(|k| *k != id);
        }
    }

    /// Remove a task with its descendants and their notes; returns the removed ids.
    pub fn remove_tree(&mut self, id: u64) -> Vec<u64> {
        let parent = self.tasks.get(&id).map(|t| t.parent).unwrap_or(0);
        self.unplace(id, parent);
        let mut gone = vec![id];
        gone.extend(self.preorder(id));
        for g in &gone {
            self.tasks.remove(g);
            self.children.remove(g);
        }
        self.notes.retain(|_, n| !gone.contains(&n.task));
        gone
    }
}

const LIST_WORDS: &[&str] = &[
    "Groceries",
    "Release",
    "Travel",
    "Reading",
    "Garden",
    "Sprint",
    "Moving",
    "Wedding",
    "Onboarding",
    "Budget",
    "Conference",
    "Renovation",
];
const LIST_KINDS: &[&str] = &["plan", "checklist", "notes", "backlog", "ideas", "to-do"];
const TASK_VERBS: &[&str] = &[
    "Buy", "Review", "Call", "Book", "Write", "Check", "Order", "Fix", "Plan", "Send",
];
const TASK_THINGS: &[&str] = &[
    "the tickets",
    "milk",
    "the report",
    "a plumber",
    "the slides",
    "the invoice",
    "new tyres",
    "the changelog",
    "a gift",
    "the agenda",
    "the lease",
    "flowers",
];
const TAGS: &[&str] = &["work", "home", "urgent", "later", "errands"];
const COMMENTS: &[&str] = &[
    "Done half of it",
    "Ask Anna first",
    "See the attached link",
    "Postponed to Monday",
    "Price went up",
    "Needs a second look",
];

/// Whether seeded list `id` is public (list 1 never is).
fn seeded_public(id: u64) -> bool {
    id % 3 == 2
}

fn seeded_archived(id: u64) -> bool {
    id % 5 == 0
}

/// The first archived list among seeded lists `1..=size` (what a target names as its
/// `archived_checklist_id` fixture); None when there is none.
pub fn first_archived(size: u64) -> Option<u64> {
    (1..=size).find(|id| seeded_archived(*id))
}

/// The checklist-level fields of seeded list `id`, without its tasks.
pub fn derive_meta(seed: u64, id: u64) -> List {
    let name = format!(
        "{} {} #{id}",
        pick(LIST_WORDS, seed, id, 1),
        pick(LIST_KINDS, seed, id, 2)
    );
    let tags = match id % 4 {
        1 => vec!["work".to_string()],
        3 => vec!["home".to_string(), "errands".to_string()],
        _ => vec![],
    };
    List {
        id,
        owner: MAIN_USER,
        name,
        public: seeded_public(id),
        archived: seeded_archived(id),
        tags,
        updated_at: SEED_EPOCH - (mix(seed ^ 3, id) % (300 * 86_400)) as i64,
        tasks: BTreeMap::new(),
        children: HashMap::new(),
        notes: BTreeMap::new(),
        deleted: false,
    }
}

/// Seeded list `id` with its tasks and notes. Every non-empty list has at least 4 tasks: two
/// roots (the second placed first), a child of the first, and a third root after it, so
/// position order is neither id order nor grouped by id; its first task has a note.
pub fn derive_list(seed: u64, id: u64, username: &str) -> List {
    let mut list = derive_meta(seed, id);
    if id % 7 == 6 {
        return list;
    }
    let n = 4 + mix(seed ^ 4, id) % 7;
    let upd = list.updated_at;
    for j in 1..=n {
        let tid = id * TASK_STRIDE + j;
        let r = mix(seed ^ 5, tid);
        let parent = match j {
            1 | 2 | 4 => 0,
            3 => id * TASK_STRIDE + 1,
            _ if r % 3 == 0 => id * TASK_STRIDE + 1 + (r >> 8) % (j - 1),
            _ => 0,
        };
        let created_at = upd - 200_000 + (j as i64) * 600;
        let updated_at = match j {
            1 => Some(upd - 5_000),
            2 => Some(upd - 100),
            _ if j % 3 == 0 => None,
            _ => Some(created_at + ((r >> 16) % 50_000) as i64),
        };
        let status = match (r >> 4) % 12 {
            0..=2 => 1,
            3 => 2,
            _ => 0,
        };
        let tags = if (r >> 20) % 3 == 0 {
            vec![pick(TAGS, seed, tid, 6).to_string()]
        } else {
            vec![]
        };
        let task = Task {
            id: tid,
            parent,
            content: format!(
                "{} {}",
                pick(TASK_VERBS, seed, tid, 7),
                pick(TASK_THINGS, seed, tid, 8)
            ),
            status,
            priority: if (r >> 24) % 3 == 0 {
                1 + ((r >> 28) % 9) as u8
            } else {
                0
            },
            tags,
            assignees: vec![],
            due: None,
            repeat: None,
            created_at,
            updated_at,
            update_line: format!("created by {username}"),
        };
        list.tasks.insert(tid, task);
        let front = parent == 0 && j == 2;
        list.place(tid, parent, if front { Some(1) } else { None });
        let notes = match j {
            1 => 1 + (r >> 36) % 2,
            _ if (r >> 40) % 4 == 0 => 1,
            _ => 0,
        };
        for k in 1..=notes {
            let nid = tid * NOTE_STRIDE + k;
            let at = created_at + (k as i64) * 60;
            list.notes.insert(
                nid,
                Note {
                    id: nid,
                    task: tid,
                    comment: pick(COMMENTS, seed, nid, 9).to_string(),
                    user_id: MAIN_USER,
                    username: username.to_string(),
                    created_at: at,
                    updated_at: Some(at + 30),
                },
            );
        }
    }
    list
}

pub struct Store {
    pub seed: u64,
    pub size: u64,
    pub users: Vec<User>,
    pub tokens: HashMap<String, Token>,
    token_counter: u64,
    /// Materialised seeded lists and created lists.
    pub lists: HashMap<u64, List>,
    pub next_list: u64,
    pub next_task: u64,
    pub next_note: u64,
}

impl Store {
    pub fn new(seed: u64, size: u64, users: Vec<User>) -> Store {
        Store {
            seed,
            size,
            users,
            tokens: HashMap::new(),
            token_counter: 0,
            lists: HashMap::new(),
            next_list: size + 1,
            next_task: (size + 1) * TASK_STRIDE,
            next_note: (size + 1) * TASK_STRIDE * NOTE_STRIDE,
        }
    }

    pub fn user(&self, id: u64) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    pub fn user_by_login(&self, login: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.login.eq_ignore_ascii_case(login.trim()))
    }

    pub fn username(&self, id: u64) -> String {
        self.user(id)
            .map(|u| u.username.clone())
            .unwrap_or_default()
    }

    pub fn mint_token(&mut self, user: u64, now: i64) -> String {
        self.token_counter += 1;
        let t = format!(
            "mock-token-{}-{}-{:012x}",
            self.seed,
            self.token_counter,
            mix(self.seed ^ 0x70c, self.token_counter) & 0xffff_ffff_ffff
        );
        self.tokens.insert(
            t.clone(),
            Token {
                user,
                issued: now,
                pinned: false,
            },
        );
        t
    }

    fn is_seeded(&self, id: u64) -> bool {
        id >= 1 && id <= self.size
    }

    /// A live (not deleted) list, derived when it was never written.
    pub fn list(&self, id: u64) -> Option<Cow<'_, List>> {
        match self.lists.get(&id) {
            Some(l) if l.deleted => None,
            Some(l) => Some(Cow::Borrowed(l)),
            None if self.is_seeded(id) => Some(Cow::Owned(derive_list(
                self.seed,
                id,
                &self.username(MAIN_USER),
            ))),
            None => None,
        }
    }

    /// A live list to write to (materialised first when seeded).
    pub fn list_mut(&mut self, id: u64) -> Option<&mut List> {
        if !self.lists.contains_key(&id) && self.is_seeded(id) {
            let l = derive_list(self.seed, id, &self.username(MAIN_USER));
            self.lists.insert(id, l);
        }
        self.lists.get_mut(&id).filter(|l| !l.deleted)
    }

    /// The live lists of `user`, each with or without its tasks (`with_tasks` false gives the
    /// checklist-level fields only, cheaper for seeded lists).
    pub fn lists_of(&self, user: u64, with_tasks: bool) -> Vec<Cow<'_, List>> {
        let mut out: Vec<Cow<'_, List>> = Vec::new();
        if user == MAIN_USER {
            let name = self.username(MAIN_USER);
            for id in 1..=self.size {
                if self.lists.contains_key(&id) {
                    continue;
                }
                out.push(Cow::Owned(if with_tasks {
                    derive_list(self.seed, id, &name)
                } else {
                    derive_meta(self.seed, id)
                }));
            }
        }
        out.extend(
            self.lists
                .values()
                .filter(|l| l.owner == user && !l.deleted)
                .map(Cow::Borrowed),
        );
        out
    }

    /// The first live list of `user` tagged `tag` (by id).
    pub fn list_tagged(&self, user: u64, tag: &str) -> Option<u64> {
        let mut ids: Vec<u64> = self
            .lists_of(user, false)
            .iter()
            .filter(|l| l.tags.iter().any(|t| t == tag))
            .map(|l| l.id)
            .collect();
        ids.sort_unstable();
        ids.first().copied()
    }

    pub fn new_list_id(&mut self) -> u64 {
        let id = self.next_list;
        self.next_list += 1;
        id
    }

    pub fn new_task_id(&mut self) -> u64 {
        let id = self.next_task;
        self.next_task += 1;
        id
    }

    pub fn new_note_id(&mut self) -> u64 {
        let id = self.next_note;
        self.next_note += 1;
        id
    }
}

pub(super) struct App {
    pub(super) switches: Switches<Fault, Variant>,
    /// Seeded checklists are ids `1..=seeded`.
    pub(super) seeded: u64,
    pub(super) store: Shared<Store>,
}

crate::has_switches!(App: Fault, Variant);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_lists_have_the_shapes_the_rules_need() {
        for id in 1..=30 {
            let l = derive_list(7, id, "u");
            if id % 7 == 6 {
                assert!(l.tasks.is_empty());
                continue;
            }
            assert!(l.tasks.len() >= 4);
            let roots = l.kids(0);
            assert_eq!(roots[0], id * 100 + 2, "the second task is placed first");
            assert!(l.notes.values().any(|n| n.task == id * 100 + 1));
            assert_eq!(l.preorder(0).len(), l.tasks.len());
            let (leaves, _, all) = l.stats();
            assert!(leaves >= 3 && leaves < all);
        }
        assert!(!derive_meta(7, 1).public);
        assert!(derive_meta(7, 5).archived);
    }

    #[test]
    fn statuses_are_cumulative() {
        let mut l = derive_meta(1, 999);
        for (id, parent, status) in [(1, 0, 0), (2, 1, 1), (3, 1, 2), (4, 0, 2)] {
            l.tasks.insert(
                id,
                Task {
                    id,
                    parent,
                    content: String::new(),
                    status,
                    priority: 0,
                    tags: vec![],
                    assignees: vec![],
                    due: None,
                    repeat: None,
                    created_at: 0,
                    updated_at: None,
                    update_line: String::new(),
                },
            );
            l.place(id, parent, None);
        }
        let s = l.statuses(true);
        assert_eq!(s[&1], 1);
        assert_eq!(s[&4], 2);
        assert_eq!(l.statuses(false)[&1], 0);
        assert_eq!(l.chain(3), vec![3, 1]);
        assert_eq!(l.remove_tree(1), vec![1, 2, 3]);
        assert_eq!(l.kids(0), &[4]);
    }
}
