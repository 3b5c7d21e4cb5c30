//! The Checklick API (checklick.txt): a JSON:API service at <https://api.checklick.com> only, with
//! four request headers (`Content-Type: application/vnd.api+json`, `Api-Version: 2`,
//! `Authorization: Token token=…`, `Organization-Id`), `page[size]`/`page[number]` pagination
//! (default 10, capped at 20) with `self/first/prev/next/last` links, attribute filters and the
//! UNIX-time filters `filter[created_on_or_after]` / `filter[created_before]`.
//!
//! Where the document is silent (statuses and bodies of refusals), the mock answers as the
//! JSON:API specification it follows says: error documents `{errors: [{status, code, title,
//! detail, source?}]}` served as `application/vnd.api+json`; 404 for a resource that does not
//! exist, 409 for a type or id conflict, 403 for a client-generated id, 422 for invalid
//! attributes, 400 for unsupported query parameters. Refused transport: 421 for a host that is
//! not api.checklick.com, 403 on the plain-HTTP port. Refused headers: 415 (Content-Type), 400
//! (Api-Version, a missing or malformed Organization-Id), 401 (token, with
//! `WWW-Authenticate: Token realm="Application"`), 403 (an organization the manager does not
//! manage).
//!
//! Data: `size` users (default 95), each derived from its id alone (odd ids were created before
//! 2020, even ids after it, so any page of users holds both); created and updated users are an
//! overlay. Every user has 8 assessments (for the 8 skills of one block of the catalogue, so a
//! skill's assessments are an arithmetic progression of users), 1 to 8 credentials on the levels
//! of one checklist, and 1 to 3 tag applications. The catalogue (12 checklists, 48 levels,
//! 144 sections, 576 skills, 24 tags) is small and built once.
//!
//! Faithful variants (`--variant`, the `variants!` table) keep every sentence of the document and
//! choose otherwise where it is silent: refusals from a front end, ids as numbers, foreign keys
//! as strings, null values left out, more header forms accepted, another order and data set-up,
//! link objects with 204 updates, a singular type for users, no page-size cap.

mod data;
mod faults;
mod handlers;
mod query;
mod render;
mod router;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::Router;

use super::common::mix;
use super::kit::throttle::SlidingLog;
use super::kit::{HasSwitches, Mock, Switches};
use super::{Built, MockOptions, Shared, Transport};
use crate::target::Credentials;
pub use faults::{Fault, Variant};

use data::{App, Catalog, Overlay};
use router::{plain_refused, plain_refused_by_front_end, router};

#[derive(Default)]
pub struct Api;

/// The documented host; everything else is refused.
pub const HOST: &str = "api.checklick.com";
/// Users of the data set when `size` is not given: five pages of 20, the last one short.
pub const DEFAULT_SIZE: usize = 95;
pub const MEDIA_TYPE: &str = "application/vnd.api+json";
pub const DEFAULT_PAGE_SIZE: usize = 10;
pub const MAX_PAGE_SIZE: usize = 20;
/// The largest page under `Uncapped`.
const UNCAPPED_MAX: usize = 100;

const CHECKLISTS: u64 = 12;
const LEVELS_PER_CHECKLIST: u64 = 4;
const SECTIONS_PER_LEVEL: u64 = 3;
const SKILLS_PER_SECTION: u64 = 4;
const LEVELS: u64 = CHECKLISTS * LEVELS_PER_CHECKLIST;
const SECTIONS: u64 = LEVELS * SECTIONS_PER_LEVEL;
const SKILLS: u64 = SECTIONS * SKILLS_PER_SECTION;
const TAGS: u64 = 24;
/// Tags defined under `NewestFirst`: fewer than a default page.
const FEW_TAGS: u64 = 6;
/// Every user is assessed on the 8 skills of one block of the catalogue.
const ASSESSMENTS_PER_USER: u64 = 8;
const BLOCKS: u64 = SKILLS / ASSESSMENTS_PER_USER;
/// Id slots per user for credentials and tag applications.
const CREDENTIAL_SLOTS: u64 = 8;
const TAG_APPLICATION_SLOTS: u64 = 4;
/// Under `DanglingSkillId`, assessments name this far past their skill.
const DANGLING_OFFSET: u64 = 100_000;
const MAX_STRING: usize = 255;
/// Under `Throttled`: more requests than this for one URL within a second are refused.
const THROTTLE_LIMIT: usize = 10;

const DAY_MS: i64 = 86_400_000;
/// 2012-01-01T00:00:00Z: the organization's first records.
const DATA_START_MS: i64 = 1_325_376_000_000;
/// 2019-12-01T00:00:00Z: odd users were created before it.
const EARLY_END_MS: i64 = 1_575_158_400_000;
/// 2020-02-01T00:00:00Z: even users were created after it.
const LATE_START_MS: i64 = 1_580_515_200_000;
/// 2025-07-01T00:00:00Z: the last user of the data set.
const USERS_END_MS: i64 = 1_751_328_000_000;
/// 2025-11-01T00:00:00Z: the last record of the data set.
const DATA_END_MS: i64 = 1_761_955_200_000;

const TOKEN_SALT: u64 = 0xC11C_0001;
const ORG_SALT: u64 = 0xC11C_0002;
const USER_SALT: u64 = 0xC11C_0003;
const ASSESSMENT_SALT: u64 = 0xC11C_0004;
const CREDENTIAL_SALT: u64 = 0xC11C_0005;
const TAG_SALT: u64 = 0xC11C_0006;
const CATALOG_SALT: u64 = 0xC11C_0007;

impl Mock for Api {
    const NAME: &'static str = "checklick";
    type Fault = Fault;
    type Variant = Variant;

    fn build(&self, options: &MockOptions, switches: Switches<Fault, Variant>) -> Built {
        let seed = options.seed;
        let size = options.size.unwrap_or(DEFAULT_SIZE) as u64;
        let token = format!(
            "{:016x}{:016x}",
            mix(seed, TOKEN_SALT),
            mix(seed, TOKEN_SALT + 1)
        );
        let org_id = 1000 + mix(seed, ORG_SALT) % 9000;
        let app = Arc::new(App {
            seed,
            size,
            switches,
            token: token.clone(),
            org_id,
            catalog: Catalog::build(seed, org_id, switches.variant),
            users: Shared::new(tokio::sync::RwLock::new(Overlay {
                users: BTreeMap::new(),
                usernames: HashMap::new(),
                next_id: size + 1,
                last_ms: 0,
            })),
            throttle: SlidingLog::default(),
        });
        let credentials = Credentials::default()
            .with("token", token)
            .with("organization_id", org_id.to_string());
        let api = router(app.clone());
        let plain_refusal = if app.is(Fault::PlainHttpServed) {
            api.clone()
        } else if app.chose(Variant::GatewayRefusals) {
            Router::new().fallback(plain_refused_by_front_end)
        } else {
            Router::new().fallback(plain_refused)
        };
        Built {
            router: api,
            credentials,
            base_path: String::new(),
            transport: Transport::Https {
                host: HOST,
                plain_refusal,
            },
            fixtures: Default::default(),
        }
    }
}
