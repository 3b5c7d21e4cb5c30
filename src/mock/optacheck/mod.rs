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

mod data;
mod faults;
mod handlers;
mod render;
mod router;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use super::common::mix;
use super::kit::{HasSwitches, Mock, Switches};
use super::{Built, MockOptions, Shared};
use crate::target::Credentials;
pub use data::task_id;
use data::{uuid_like, App};
pub use faults::{Fault, Variant};

#[derive(Default)]
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

impl Mock for Api {
    const NAME: &'static str = "optacheck";
    type Fault = Fault;
    type Variant = Variant;

    fn build(&self, options: &MockOptions, switches: Switches<Fault, Variant>) -> Built {
        let seed = options.seed;
        let workspace_id = match switches.variant {
            Some(Variant::IntegerIds) => (1000 + mix(seed, WORKSPACE_SALT) % 9000).to_string(),
            Some(Variant::SetupOtherwise) => format!("field-ops-{seed}"),
            _ => uuid_like(
                mix(seed, WORKSPACE_SALT),
                mix(seed, WORKSPACE_SALT + 1),
                mix(seed, WORKSPACE_SALT + 2),
            ),
        };
        let default_size = match switches.variant {
            Some(Variant::SetupOtherwise) => 0,
            _ => DEFAULT_SIZE,
        };
        let app = Arc::new(App {
            seed,
            size: options.size.unwrap_or(default_size) as u64,
            switches,
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
            .with("username", app.username.clone())
            .with("password", app.password.clone())
            .with("api_key", app.api_key.clone())
            .with("workspace_id", app.workspace_id.clone());
        // Whom the run's tasks are assigned to is the workspace's set-up, which no request can
        // list: a fixture, as a profile gives it.
        let assignee = if app.chose(Variant::SetupOtherwise) {
            app.username.clone()
        } else {
            app.assignee_email.clone()
        };
        // Ids of the workspace's forms, project and clients, written as the mock writes them.
        let (form, project, client) = if app.chose(Variant::IntegerIds) {
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
        Built::plain(router::router(app), credentials, fixtures)
    }
}
