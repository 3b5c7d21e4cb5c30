//! The OptaCheck mock's state: the workspace's credentials and members, seeded tasks derived
//! from their number, and the overlay of what was written.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::faults::{Fault, Variant};
use super::render::{format_timestamp, status_name, Refusal, Stamp};
use super::{MEMBERS, SEED_EPOCH_MICROS, TASK_SALT, USER_SALT};
use crate::mock::common::{mix, pick};
use crate::mock::kit::{ids, time, HasSwitches, Switches};
use crate::mock::Shared;

// ------------------------------------------------------------------------------------ state

pub struct App {
    pub seed: u64,
    pub size: u64,
    pub switches: Switches<Fault, Variant>,
    pub username: String,
    pub password: String,
    pub api_key: String,
    pub token: String,
    pub workspace_id: String,
    pub assignee_email: String,
    pub store: Shared<Store>,
}

#[derive(Default)]
pub struct Store {
    /// Task number → its state when written (created or changed), None when deleted.
    pub written: HashMap<u64, Option<Task>>,
    /// Tasks created so far (new numbers start after the seeded ones).
    pub created: u64,
    /// The last timestamp handed out, so timestamps of one store never go backwards.
    pub last_micros: i64,
}

impl Store {
    pub fn tick(&mut self) -> i64 {
        self.last_micros = time::now_micros().max(self.last_micros + 1);
        self.last_micros
    }
}

#[derive(Debug, Clone)]
pub struct Task {
    pub status: String,
    pub title: String,
    pub description: Option<String>,
    /// Form, project and client ids as sent: strings or integers.
    pub forms: Vec<Value>,
    pub project: Option<Value>,
    pub client: Option<Value>,
    /// Member index of the assigned user.
    pub user: usize,
    /// Member index of the creator.
    pub by_user: usize,
    pub data: Option<Map<String, Value>>,
    pub date_created: i64,
    pub date_edited: i64,
    /// (status, when) oldest first.
    pub history: Vec<(String, i64)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Read,
    Create,
    Update,
    Delete,
}

crate::has_switches!(App: Fault, Variant);

impl App {
    pub fn member_email(&self, idx: usize) -> String {
        match idx {
            0 => self.username.clone(),
            1 => self.assignee_email.clone(),
            n => format!("member{n}.{}@optacheck.example", self.seed),
        }
    }

    pub fn member_by_email(&self, email: &str) -> Option<usize> {
        (0..MEMBERS).find(|i| self.member_email(*i).eq_ignore_ascii_case(email))
    }

    pub fn user_id(&self, idx: usize) -> Value {
        if self.chose(Variant::IntegerIds) {
            return json!(1000 + idx);
        }
        let h = mix(self.seed ^ USER_SALT, idx as u64);
        Value::String(uuid_like(h, mix(h, 1), idx as u64))
    }

    pub fn task_id(&self, n: u64) -> Value {
        if self.chose(Variant::IntegerIds) {
            return json!(n);
        }
        Value::String(task_id(self.seed, n))
    }

    /// The task number an id names, if the id is one this mock could have handed out.
    pub fn task_number(&self, id: &str) -> Option<u64> {
        if self.chose(Variant::IntegerIds) {
            // Only the id as the mock writes it: no sign, no leading zero.
            return ids::parse_id(id).filter(|n| n.to_string() == id);
        }
        let n = ids::parse_prefixed_hex(id.rsplit('-').next()?, "", 12)?;
        (task_id(self.seed, n) == id).then_some(n)
    }

    /// A timestamp as this mock writes it. `fresh`: in the answer of the create that made it
    /// (the time held in memory), rather than read back from the store.
    pub fn stamp(&self, micros: i64, fresh: bool) -> String {
        let style = if self.is(Fault::TimestampsNotRfc3339) {
            Stamp::Naive
        } else if self.chose(Variant::TimestampsOtherwise) {
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
    pub fn status_label(&self, status: &str) -> String {
        if self.chose(Variant::LocalizedStatusNames) {
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
    pub fn seeded_ref(&self, prefix: &str, k: u64) -> Value {
        if self.chose(Variant::IntegerIds) {
            json!(k)
        } else {
            Value::String(format!("{prefix}-{k}"))
        }
    }

    /// A seeded task, derived from its number alone.
    pub fn seeded(&self, n: u64) -> Task {
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

    pub fn lookup(&self, store: &Store, n: u64) -> Option<Task> {
        match store.written.get(&n) {
            Some(slot) => slot.clone(),
            None if (1..=self.size).contains(&n) => Some(self.seeded(n)),
            None => None,
        }
    }

    /// Why task `n` cannot be found: it never existed, or (where the variant says so) it was
    /// deleted.
    pub fn missing(&self, store: &Store, n: u64) -> Refusal {
        if self.chose(Variant::DeleteAnswersBody) && matches!(store.written.get(&n), Some(None)) {
            Refusal::Gone
        } else {
            Refusal::NotFound
        }
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
pub fn uuid_like(a: u64, b: u64, n: u64) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b & 0x3fff),
        n & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(variant: Option<Variant>) -> App {
        App {
            seed: 3,
            size: 10,
            switches: Switches {
                fault: None,
                variant,
            },
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
        let app = app(None);
        for n in [1, 10, 11, 123_456_789] {
            let id = app.task_id(n);
            assert_eq!(app.task_number(id.as_str().unwrap()), Some(n));
        }
        let id = task_id(3, 5);
        let forged = format!("{}{}", &id[..id.len() - 1], "6");
        assert_eq!(app.task_number(&forged), None);
        assert_eq!(app.task_number("5"), None);
        assert_eq!(app.task_number("../../x"), None);
    }

    #[test]
    fn integer_ids_round_trip_only_as_written() {
        let app = app(Some(Variant::IntegerIds));
        assert_eq!(app.task_id(7), json!(7));
        assert_eq!(app.task_number("7"), Some(7));
        for other in ["+7", "07", "0", "-7", "7.0", "x"] {
            assert_eq!(app.task_number(other), None, "{other}");
        }
        assert_eq!(app.user_id(1), json!(1001));
    }
}
