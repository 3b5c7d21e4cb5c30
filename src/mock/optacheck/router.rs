//! The OptaCheck mock's routes (login and the task endpoints of one workspace), their
//! fallbacks, and the cap on request bodies.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use super::data::App;
use super::handlers::{
    create_task, delete_task, login, method_not_allowed, not_found, read_task, update_task,
};
use crate::mock::common::MAX_BODY_BYTES;

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/api-token-auth/", post(login))
        .route(
            "/v1.0/workspaces/{workspace_id}/assignments/",
            post(create_task),
        )
        .route(
            "/v1.0/workspaces/{workspace_id}/assignments/{task_id}/",
            get(read_task).put(update_task).delete(delete_task),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(app)
}
