//! The Checklists mock's routes under `/api`, their fallbacks, and the authentication every
//! request passes first.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, put};
use axum::Router;

use super::data::App;
use super::faults::{Fault, Variant};
use super::handlers::{
    add_comment, create, delete_comment, destroy, list, list_comments, reorder, set_status, show,
    update,
};
use crate::mock::kit::{envelope, HasSwitches};

pub fn router(app: Arc<App>) -> Router {
    let api = Router::new()
        .route("/checklists", get(list).post(create))
        .route("/checklists/positions", put(reorder))
        .route("/checklists/{id}", get(show).patch(update).delete(destroy))
        .route("/checklists/{id}/status", put(set_status))
        .route(
            "/checklists/{id}/comments",
            get(list_comments).post(add_comment),
        )
        .route(
            "/checklists/{id}/comments/{comment_id}",
            delete(delete_comment),
        )
        .fallback(|| async {
            envelope::message(
                StatusCode::NOT_FOUND,
                "message",
                "The route could not be found.",
            )
        })
        .method_not_allowed_fallback(|| async {
            envelope::message(
                StatusCode::METHOD_NOT_ALLOWED,
                "message",
                "The method is not supported for this route.",
            )
        })
        .layer(middleware::from_fn_with_state(app.clone(), authenticate))
        .with_state(app);
    Router::new().nest("/api", api).fallback(|| async {
        envelope::message(
            StatusCode::NOT_FOUND,
            "message",
            "The route could not be found.",
        )
    })
}

async fn authenticate(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let write = request.method() != axum::http::Method::GET;
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    let token = given.and_then(|v| {
        let (scheme, rest) = v.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
    });
    // Variant `token-alternatives`: without an Authorization header, the key may come as an
    // `X-Api-Key` header or an `api_token` query parameter.
    let alternative: Option<String> = if given.is_none() && app.chose(Variant::TokenAlternatives) {
        request
            .headers()
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string())
            .or_else(|| {
                form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes())
                    .find(|(k, _)| k == "api_token")
                    .map(|(_, v)| v.into_owned())
            })
    } else {
        None
    };
    let given = given.or(alternative.as_deref().map(|_| ""));
    let token = token.or(alternative.as_deref());
    let key_given = given.is_some();
    let allowed = match (given, token) {
        _ if write && app.is(Fault::WritesUnauthenticated) => true,
        (None, _) => app.is(Fault::MissingKeyAccepted),
        (Some(_), Some(t)) if t == app.key => true,
        (Some(_), _) => app.is(Fault::InvalidKeyAccepted),
    };
    if allowed {
        next.run(request).await
    } else if key_given && app.chose(Variant::Laravel10Errors) {
        // A key was given but is not one: forbidden rather than unauthenticated.
        envelope::message(
            StatusCode::FORBIDDEN,
            "message",
            "This action is unauthorized.",
        )
    } else {
        envelope::message(StatusCode::UNAUTHORIZED, "message", "Unauthenticated.")
    }
}
