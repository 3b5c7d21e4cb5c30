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

// Handlers return their error answers (axum Responses) as `Err`; boxing them gains nothing here.
#![allow(clippy::result_large_err)]

mod data;
mod faults;
mod handlers;
mod render;
mod router;

use std::sync::Arc;

use serde_json::json;

use super::kit::{HasSwitches, Mock, Switches};
use super::{Built, MockOptions, Shared};
use crate::target::Credentials;
use data::{App, Store, Synth};
pub use faults::{Fault, Variant};

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

#[derive(Default)]
pub struct Api;

impl Mock for Api {
    const NAME: &'static str = "checklist-items";
    type Fault = Fault;
    type Variant = Variant;

    fn max_size(&self) -> Option<usize> {
        Some(MAX_SIZE)
    }

    fn build(&self, options: &MockOptions, switches: Switches<Fault, Variant>) -> Built {
        let size = options.size.unwrap_or(DEFAULT_SIZE).min(MAX_SIZE) as u64;
        let key = format!("mock-api-key-{}", options.seed);
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
        let app = Arc::new(App {
            switches,
            key: key.clone(),
            synth,
            store: Shared::new(tokio::sync::RwLock::new(store)),
        });
        // The parent the rules write under, and what a profile's `fixtures:` would say.
        let parent = if app.chose(Variant::BusyParent) {
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
            base_path: "/api".into(),
            ..Built::plain(
                router::router(app),
                Credentials::default().with("api_key", key),
                fixtures,
            )
        }
    }
}
