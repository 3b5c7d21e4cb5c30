//! The CheckTick mock's routes, one per documented endpoint (each takes every method: DRF
//! answers the method after authentication, permissions and throttles), and the CORS layer.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::any;
use axum::Router;

use super::data::App;
use super::faults::{Fault, Variant};
use crate::mock::kit::HasSwitches;

pub enum Ep {
    SurveyList,
    Survey(String),
    Metrics(String),
    DatasetList,
    Dataset(String),
    TemplateList,
    Template(String),
}

#[derive(Clone, Copy)]
pub enum Public {
    Health,
    Docs,
    Redoc,
    Schema,
}

type St = State<Arc<App>>;
type P = Result<Path<String>, PathRejection>;

pub fn router(app: Arc<App>) -> Router {
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
