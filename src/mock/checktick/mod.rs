//! The CheckTick survey API (checktick.txt): a read-only Django REST framework API under
//! `/api/`, with named `ct_live_` keys sent as `Authorization: Bearer <key>`, account tiers
//! (FREE keys are refused with 403), the documented permission matrices, DRF error bodies
//! (`{"detail": ...}`), DRF throttling (AnonRateThrottle, UserRateThrottle, and 5 requests a
//! minute per IP on the legacy `/api/token`), and no CORS headers.
//!
//! Where the document is silent the mock answers as DRF would: authentication, then
//! permissions, then throttles, then the method (so an anonymous write to an endpoint that
//! needs a key gets 401, a FREE key 403, and a key holder's write 405 with `Allow: GET`);
//! objects outside the caller's scope are 404 (datasets, templates: filtered querysets) or 403
//! (a survey of the organisation the caller may not see: "insufficient role on object").
//! The anonymous survey list is the empty list (the matrix allows that or 401).
//!
//! Data, all derived from the seed: `size` surveys (default 40), each derived from its id
//! (slot `(id-1) % 8` says whose it is, so lists step through ids without memory per survey);
//! a fixed set of question group templates (24) and datasets (10). Nothing is written (the API
//! is read-only); the only state is the throttles' counters, keyed per client (DRF's ident: the
//! `X-Forwarded-For` value, else the loopback peer) and per user.
//!
//! The mock supplies the contract's fixtures (which survey, template and dataset belong to which
//! role's organisation: no request can tell), and its faithful variants (`--variant`) choose
//! otherwise where the document is silent: error bodies, id types, optional fields, accepted
//! header forms, how roles and ids are set up, collation and timestamp format.

mod data;
mod faults;
mod handlers;
mod render;
mod router;

use std::sync::Arc;
use std::time::Duration;

use super::kit::{Mock, Switches};
use super::{Built, MockOptions};
use data::App;
pub use faults::{Fault, Variant};

/// The default number of surveys: five of each of the eight owners' slots.
pub const DEFAULT_SIZE: usize = 40;
/// Sizes above this are clamped (survey ids must stay clear of the "unknown" ids of the rules).
pub const MAX_SIZE: usize = 100_000_000;

/// `/api/token`: 5 requests a minute per IP (documented).
const TOKEN_RATE: (usize, Duration) = (5, Duration::from_secs(60));
/// AnonRateThrottle and UserRateThrottle: the document gives no rates (they live in
/// settings.py); generous ones, so a conformance run is never throttled.
const ANON_RATE: (u32, Duration) = (20_000, Duration::from_secs(60));
const USER_RATE: (u32, Duration) = (20_000, Duration::from_secs(60));

#[derive(Default)]
pub struct Api;

impl Mock for Api {
    const NAME: &'static str = "checktick";
    type Fault = Fault;
    type Variant = Variant;

    fn max_size(&self) -> Option<usize> {
        Some(MAX_SIZE)
    }

    fn build(&self, options: &MockOptions, switches: Switches<Fault, Variant>) -> Built {
        let app = Arc::new(App::new(
            options.seed,
            options.size.unwrap_or(DEFAULT_SIZE).min(MAX_SIZE),
            switches,
        ));
        let credentials = app.credentials();
        let fixtures = app.fixtures();
        Built::plain(router::router(app), credentials, fixtures)
    }
}
