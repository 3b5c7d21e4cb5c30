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

use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::any;
use axum::Router;

use super::{Built, FaultInfo, MockApi, MockOptions, Transport, VariantInfo};
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

pub struct Api;

impl MockApi for Api {
    fn name(&self) -> &'static str {
        "checktick"
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
        let fault = fault.and_then(Fault::from_name);
        let variant = options.variant.as_deref().and_then(Variant::from_name);
        let app = Arc::new(App::new(
            options.seed,
            options.size.unwrap_or(DEFAULT_SIZE).min(MAX_SIZE),
            fault,
            variant,
        ));
        let credentials = app.credentials();
        let fixtures = app.fixtures();
        Built {
            router: router(app),
            credentials,
            base_path: String::new(),
            transport: Transport::Plain,
            fixtures,
        }
    }
}

// ------------------------------------------------------------------ routing

enum Ep {
    SurveyList,
    Survey(String),
    Metrics(String),
    DatasetList,
    Dataset(String),
    TemplateList,
    Template(String),
}

#[derive(Clone, Copy)]
enum Public {
    Health,
    Docs,
    Redoc,
    Schema,
}

type St = State<Arc<App>>;
type P = Result<Path<String>, PathRejection>;

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route(
            "/api/surveys/",
            any(|State(a): St, m: Method, h: HeaderMap| async move {
                a.handle(Ep::SurveyList, &m, &h, None)
            }),
        )
        .route(
            "/api/surveys/{id}/",
            any(|State(a): St, p: P, m: Method, h: HeaderMap| async move {
                path_or_404(&a, p, |id| a.handle(Ep::Survey(id), &m, &h, None))
            }),
        )
        .route(
            "/api/surveys/{id}/metrics/responses/",
            any(|State(a): St, p: P, m: Method, h: HeaderMap| async move {
                path_or_404(&a, p, |id| a.handle(Ep::Metrics(id), &m, &h, None))
            }),
        )
        .route(
            "/api/datasets/",
            any(|State(a): St, m: Method, h: HeaderMap| async move {
                a.handle(Ep::DatasetList, &m, &h, None)
            }),
        )
        .route(
            "/api/datasets/{key}/",
            any(|State(a): St, p: P, m: Method, h: HeaderMap| async move {
                path_or_404(&a, p, |key| a.handle(Ep::Dataset(key), &m, &h, None))
            }),
        )
        .route(
            "/api/question-group-templates/",
            any(
                |State(a): St, m: Method, h: HeaderMap, RawQuery(q): RawQuery| async move {
                    a.handle(Ep::TemplateList, &m, &h, q.as_deref())
                },
            ),
        )
        .route(
            "/api/question-group-templates/{id}/",
            any(|State(a): St, p: P, m: Method, h: HeaderMap| async move {
                path_or_404(&a, p, |id| a.handle(Ep::Template(id), &m, &h, None))
            }),
        )
        .route(
            "/api/health",
            any(|State(a): St, m: Method, h: HeaderMap| async move {
                a.public(Public::Health, &m, &h)
            }),
        )
        .route(
            "/api/docs",
            any(|State(a): St, m: Method, h: HeaderMap| async move {
                a.public(Public::Docs, &m, &h)
            }),
        )
        .route(
            "/api/redoc",
            any(|State(a): St, m: Method, h: HeaderMap| async move {
                a.public(Public::Redoc, &m, &h)
            }),
        )
        .route(
            "/api/schema",
            any(|State(a): St, m: Method, h: HeaderMap| async move {
                a.public(Public::Schema, &m, &h)
            }),
        )
        .route(
            "/api/token",
            any(|State(a): St, m: Method, h: HeaderMap| async move { a.token(&m, &h) }),
        )
        .fallback(|State(a): St| async move { a.error(StatusCode::NOT_FOUND, "Not found.") })
        .layer(middleware::from_fn_with_state(app.clone(), cors))
        .with_state(app)
}

fn path_or_404(app: &App, p: P, f: impl FnOnce(String) -> Response) -> Response {
    match p {
        Ok(Path(v)) => f(v),
        Err(_) => app.error(StatusCode::NOT_FOUND, "Not found."),
    }
}

/// The one origin `alternative-forms` lists in its CORS_ALLOWED_ORIGINS.
const ALLOWED_ORIGIN: &str = "https://surveys.example.com";

/// CORS is disabled: no `Access-Control-*` header, ever (unless the fault grants the origin, or
/// `alternative-forms` lists it).
async fn cors(State(app): St, req: Request, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let mut resp = next.run(req).await;
    // alternative-forms: CORS_ALLOWED_ORIGINS lists one front end, explicitly.
    let listed = origin
        .as_ref()
        .is_some_and(|o| o.as_bytes() == ALLOWED_ORIGIN.as_bytes());
    if app.chose(Variant::AlternativeForms) && listed {
        let h = resp.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static(ALLOWED_ORIGIN),
        );
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    if app.is(Fault::CorsReflected) {
        if let Some(origin) = origin {
            let h = resp.headers_mut();
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            h.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
            h.insert(header::VARY, HeaderValue::from_static("Origin"));
        }
    }
    resp
}
