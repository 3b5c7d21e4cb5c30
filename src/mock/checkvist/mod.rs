//! The reference mock of the Checkvist Open API (checkvist.txt).
//!
//! - Served at the root (the documented `https://checkvist.com`); every resource path ends in
//!   `.json` or `.xml`, which picks the representation (JSON arrays and objects; XML
//!   `<checklists>`, `<checklist>`, `<tasks>` of `<task>`, `<notes>` of `<note>`). Login and
//!   refresh are `.json` only.
//! - Authentication: a token from `/auth/login.json` (username + Remote API key or password;
//!   a 2-step account needs `token2fa` with its password, 422 `{"error": ...}` otherwise) as
//!   the `token` parameter or the `X-Client-Token` header, valid a day and refreshable (the
//!   old token is deleted) within 90 days; or HTTP basic authentication with the login and the
//!   password or Remote API key. Bad credentials are 401 wherever they are presented; public
//!   checklists (and their tasks and notes) are readable without any, read-only.
//! - POST with `_method=PUT` / `_method=DELETE` (form, JSON body or query) is that method.
//! - Bodies are form-encoded (`a[]=1` arrays, `task[tags][x]=false` hashes), multipart (import),
//!   or JSON (nested objects read as `task[content]`). Errors are `{"error": "..."}` (XML:
//!   `<errors><error>...</error></errors>`): 400 bad input, 401 / 403 access, 404 unknown ids or
//!   paths, 405 with `Allow`, 413 bodies over `common::MAX_BODY_BYTES`.
//! - Data: `size` seeded checklists of the main user (default 12), derived from `(seed, id)`
//!   and costing no memory until written (the first write materialises a list): list 1 and
//!   every list but each 3rd from the 2nd are private, each 5th is archived, each 7th from the
//!   6th is empty; the others hold 4 to 10 tasks (ids `list * 100 + j`), nested, some closed or
//!   invalidated, some never updated (`updated_at` ""), the first with notes, in a position
//!   order that is not id order. Written and created lists live in one store behind a lock, so
//!   concurrent writes lose nothing (200 concurrent creates get positions 1..=200).
//! - A non-leaf task reads as the cumulative status of its children (open if one is open,
//!   invalidated if all are, closed otherwise); close / invalidate / reopen change the task and
//!   all its descendants and answer them, the task first. task_count / task_completed count
//!   leaf tasks / closed leaf tasks.
//! - The `expired_token` credential is a token issued two days before the mock started: refused
//!   on calls, refreshable; refreshing it does not delete it, so repeated runs find it. The
//!   fixture `archived_checklist_id` names the first archived seeded list (5 by default).
//! - `--variant NAME` (faults.rs) keeps every sentence of the document and chooses otherwise
//!   where it is silent: success statuses, id types, optional attributes, XML names and
//!   offsets, the meaning of archived=true and of the default order, import indentation, error
//!   bodies, and how the user's data and roles are arranged.

// Handlers return their error answers (axum Responses) as `Err`; boxing them gains nothing here.
#![allow(clippy::result_large_err)]

/// Early return of an error answer.
macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(r) => return r,
        }
    };
}

mod data;
mod faults;
mod handlers;
mod render;
mod router;
mod tasks;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use serde_json::json;

use super::common::mix;
use super::kit::{time, Mock, Switches};
use super::{Built, MockOptions};
use crate::target::Credentials;
use data::{App, Store, Token, User, MAIN_USER};
pub use faults::{Fault, Variant};
use router::handle;

/// Seeded checklists when `size` is not given.
pub const DEFAULT_SIZE: usize = 12;
const MAX_SIZE: u64 = 1 << 32;

#[derive(Default)]
pub struct Api;

impl Mock for Api {
    const NAME: &'static str = "checkvist";
    type Fault = Fault;
    type Variant = Variant;

    fn max_size(&self) -> Option<usize> {
        Some(usize::try_from(MAX_SIZE).unwrap_or(usize::MAX))
    }

    fn build(&self, options: &MockOptions, switches: Switches<Fault, Variant>) -> Built {
        let seed = options.seed;
        let size = if switches.chose(Variant::EmptyAccount) {
            0
        } else {
            (options.size.unwrap_or(DEFAULT_SIZE) as u64).min(MAX_SIZE)
        };
        let users = vec![
            User {
                id: MAIN_USER,
                login: format!("user{seed}@checkvist.mock"),
                username: format!("specgate{seed}"),
                remote_key: format!("mock-remote-key-{seed}-{:012x}", mix(seed, 11) >> 16),
                password: format!("mock-password-{seed}-{:08x}", mix(seed, 12) >> 32),
                twofa_code: None,
            },
            User {
                id: data::TWOFA_USER,
                login: format!("twofa{seed}@checkvist.mock"),
                username: format!("twofa{seed}"),
                remote_key: format!("mock-remote-key-2fa-{seed}-{:012x}", mix(seed, 13) >> 16),
                password: format!("mock-password-2fa-{seed}-{:08x}", mix(seed, 14) >> 32),
                twofa_code: Some(format!("{:06}", 100_000 + mix(seed, 15) % 900_000)),
            },
        ];
        let expired = format!("mock-expired-token-{seed}-{:012x}", mix(seed, 16) >> 16);
        let credentials = Credentials::default()
            .with("username", users[0].login.clone())
            .with("remote_key", users[0].remote_key.clone())
            .with("password", users[0].password.clone())
            .with("expired_token", expired.clone())
            .with("twofa_username", users[1].login.clone())
            .with("twofa_password", users[1].password.clone())
            .with("twofa_remote_key", users[1].remote_key.clone());
        let mut store = Store::new(seed, size, users);
        store.tokens.insert(
            expired,
            Token {
                user: MAIN_USER,
                issued: time::now_secs() - 2 * 86_400,
                pinned: true,
            },
        );
        let app = App {
            switches,
            seeded: size,
            store: Arc::new(tokio::sync::RwLock::new(store)),
        };
        let mut fixtures = BTreeMap::new();
        if let Some(id) = data::first_archived(size) {
            fixtures.insert("archived_checklist_id".to_string(), json!(id));
        }
        Built::plain(
            Router::new().fallback(handle).with_state(Arc::new(app)),
            credentials,
            fixtures,
        )
    }
}
