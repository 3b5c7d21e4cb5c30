//! Checklick's routes, and the middleware every request passes: the documented refusals of
//! its set-up in order (host, Content-Type, Api-Version, token, Organization-Id) and the
//! throttle (`guard`), then the JSON:API shape of every refusal (`finish`).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::{json, Value};

use crate::mock::common;
use crate::mock::kit::{envelope, HasSwitches};

use super::data::App;
use super::faults::{Fault, Variant};
use super::handlers::{
    create_user, get_skill, get_user, get_user_assessment, get_user_credential, list_catalog,
    list_skill_assessments, list_user_assessments, list_user_credentials,
    list_user_tag_applications, list_users, update_user, CatalogList,
};
use super::render::{document, ApiError};
use super::{HOST, MEDIA_TYPE, THROTTLE_LIMIT};

pub(super) fn router(app: Arc<App>) -> Router {
    let mut r = Router::new()
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}", get(get_user).patch(update_user))
        .route("/users/{id}/assessments", get(list_user_assessments))
        .route("/users/{id}/assessments/{item}", get(get_user_assessment))
        .route("/users/{id}/credentials", get(list_user_credentials))
        .route("/users/{id}/credentials/{item}", get(get_user_credential))
        .route("/tags", get(list_catalog(CatalogList::Tags)))
        .route("/checklists", get(list_catalog(CatalogList::Checklists)))
        .route("/levels", get(list_catalog(CatalogList::Levels)))
        .route("/sections", get(list_catalog(CatalogList::Sections)))
        .route("/skills", get(list_catalog(CatalogList::Skills)))
        .route("/skills/{id}", get(get_skill))
        .route("/skills/{id}/assessments", get(list_skill_assessments));
    if !app.is(Fault::TagApplicationsMissing) {
        r = r.route(
            "/users/{id}/tag-applications",
            get(list_user_tag_applications),
        );
    }
    let absent: &[(&str, Fault)] = &[
        ("/forms", Fault::FormsServed),
        ("/affiliations", Fault::AffiliationsServed),
        ("/courses", Fault::StorefrontServed),
        ("/registrations", Fault::StorefrontServed),
        ("/orders", Fault::StorefrontServed),
    ];
    for (path, f) in absent {
        if app.is(*f) {
            r = r.route(path, get(list_absent));
        }
    }
    r.fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(common::MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .layer(middleware::from_fn_with_state(app.clone(), finish))
        .with_state(app)
}

// ------------------------------------------------------------------------------------ middleware

/// What the guard learned about a request, for the handlers: the URL prefix of links and the
/// decoded query.
#[derive(Debug, Clone)]
pub(super) struct ReqInfo {
    /// `https://api.checklick.com:port`
    pub(super) base: String,
    pub(super) path: String,
    pub(super) query: Vec<(String, String)>,
}

impl ReqInfo {
    pub(super) fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub(super) fn request_host(req: &Request) -> Option<String> {
    req.headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.as_str().to_string()))
}

/// The host name of a Host value, without its port.
pub(super) fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return match host.find(']') {
            Some(i) => &host[..=i],
            None => host,
        };
    }
    host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host)
}

/// Marks a refusal made by a front end (`GatewayRefusals`): `finish` leaves it as it is.
#[derive(Debug, Clone, Copy)]
pub(super) struct FrontEnd;

/// A refusal of the request's set-up: a JSON:API error document, or under `GatewayRefusals`
/// what a front end in front of the API answers (`{"message": …}`, or plain text for a host it
/// does not serve).
pub(super) fn refuse(app: &App, e: ApiError, plain_text: bool) -> Response {
    if !app.chose(Variant::GatewayRefusals) {
        return e.into_response();
    }
    let detail = e
        .errors
        .first()
        .map(|o| o.detail.clone())
        .unwrap_or_default();
    let mut r = if plain_text {
        envelope::typed(e.status, envelope::TEXT_UTF8, format!("{detail}\n"))
    } else {
        envelope::message(e.status, "message", &detail)
    };
    for (k, v) in e.headers {
        r.headers_mut().insert(k, v);
    }
    r.extensions_mut().insert(FrontEnd);
    r
}

/// The documented refusals, in order: host, Content-Type, Api-Version, token, Organization-Id.
pub(super) async fn guard(State(app): State<Arc<App>>, mut req: Request, next: Next) -> Response {
    let host = request_host(&req).unwrap_or_default();
    if !app.is(Fault::AnyHost) && !host_name(&host).eq_ignore_ascii_case(HOST) {
        let e = ApiError::new(
            StatusCode::MISDIRECTED_REQUEST,
            "wrong_host",
            "Misdirected Request",
            format!(
                "API requests must be sent to https://{HOST}, not to `{}`",
                host_name(&host)
            ),
        );
        return refuse(&app, e, true);
    }
    if let Err(e) = check_headers(&app, req.headers()) {
        return refuse(&app, e, false);
    }
    if app.is(Fault::Throttled)
        && app.throttle.exceeded(
            req.uri().to_string(),
            THROTTLE_LIMIT,
            Duration::from_secs(1),
        )
    {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            "Too Many Requests",
            "Too many requests for this URL; retry in a second",
        );
        e.headers
            .push((header::RETRY_AFTER, HeaderValue::from_static("1")));
        return e.into_response();
    }
    let query = req
        .uri()
        .query()
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    let info = ReqInfo {
        base: format!("https://{host}"),
        path: req.uri().path().to_string(),
        query,
    };
    req.extensions_mut().insert(info);
    next.run(req).await
}

pub(super) fn check_headers(app: &App, h: &HeaderMap) -> Result<(), ApiError> {
    if !app.is(Fault::ContentTypeNotRequired) {
        check_content_type(app, header_text(h, "content-type"))?;
    }
    if !app.is(Fault::ApiVersionNotRequired) {
        check_api_version(app, header_text(h, "api-version"))?;
    }
    if !app.is(Fault::TokenNotChecked) {
        check_authorization(app, header_text(h, "authorization"))?;
    }
    if !app.is(Fault::OrganizationIdNotRequired) {
        check_organization(app, header_text(h, "organization-id"))?;
    }
    Ok(())
}

/// A header's value, trimmed (not text: a replacement character, which matches nothing).
fn header_text<'h>(h: &'h HeaderMap, name: &str) -> Option<&'h str> {
    h.get(name).map(|v| v.to_str().unwrap_or("\u{fffd}").trim())
}

/// 415 unless `Content-Type` names the API's media type.
fn check_content_type(app: &App, content_type: Option<&str>) -> Result<(), ApiError> {
    let media = content_type.map(|c| {
        c.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    let json_accepted =
        app.chose(Variant::LenientHeaders) || app.is(Fault::ContentTypeJsonAccepted);
    match media.as_deref() {
        Some(MEDIA_TYPE) => Ok(()),
        Some("application/json") if json_accepted => Ok(()),
        None => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "missing_content_type",
            "Unsupported Media Type",
            format!("requests must send Content-Type: {MEDIA_TYPE}"),
        )),
        Some(other) => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Unsupported Media Type",
            format!("Content-Type `{other}` is not supported; send {MEDIA_TYPE}"),
        )),
    }
}

/// 400 unless `Api-Version` is 2.
fn check_api_version(app: &App, version: Option<&str>) -> Result<(), ApiError> {
    match version {
        Some("2") => Ok(()),
        Some(_) if app.chose(Variant::LenientHeaders) => Ok(()),
        None => Err(
            ApiError::bad_request("the Api-Version header is required (Api-Version: 2)")
                .with_code("missing_api_version"),
        ),
        Some(v) => Err(ApiError::bad_request(format!(
            "Api-Version `{v}` is not supported; send Api-Version: 2"
        ))
        .with_code("unsupported_api_version")),
    }
}

/// 401 with the `Token` challenge unless `Authorization` carries the API key.
fn check_authorization(app: &App, authorization: Option<&str>) -> Result<(), ApiError> {
    let unauthorized = |detail: &str| {
        let mut e = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Unauthorized",
            detail,
        );
        e.headers.push((
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Token realm=\"Application\""),
        ));
        e
    };
    match authorization {
        None => Err(unauthorized(
            "the Authorization header is required: Authorization: Token token=YOUR_SECRET_KEY",
        )),
        Some(a) => match parse_token(a, app.chose(Variant::LenientHeaders)) {
            Some(t) if t == app.token => Ok(()),
            Some(_) => Err(unauthorized("the API key is invalid")),
            None => Err(unauthorized(
                "the Authorization header must read: Token token=YOUR_SECRET_KEY",
            )),
        },
    }
}

/// 400 unless `Organization-Id` is a number; 403 unless it is the organization managed.
fn check_organization(app: &App, organization: Option<&str>) -> Result<(), ApiError> {
    match organization {
        None => Err(
            ApiError::bad_request("the Organization-Id header is required")
                .with_code("missing_organization_id"),
        ),
        Some(v) => match v.parse::<u64>() {
            Ok(id) if id == app.org_id => Ok(()),
            Ok(id) => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden_organization",
                "Forbidden",
                format!("you do not manage organization {id}"),
            )),
            Err(_) => Err(ApiError::bad_request(format!(
                "Organization-Id `{v}` is not an organization id"
            ))
            .with_code("invalid_organization_id")),
        },
    }
}

/// `Token token=abc` or `Token token="abc"` (the scheme is case-insensitive); when `lenient`,
/// also `Bearer abc` and `Token abc`.
pub(super) fn parse_token(value: &str, lenient: bool) -> Option<&str> {
    let (scheme, rest) = value.split_once(char::is_whitespace)?;
    let rest = rest.trim();
    if lenient && scheme.eq_ignore_ascii_case("bearer") {
        return (!rest.is_empty() && !rest.contains(char::is_whitespace)).then_some(rest);
    }
    if !scheme.eq_ignore_ascii_case("token") {
        return None;
    }
    let v = match rest.strip_prefix("token=") {
        Some(v) => v,
        None if lenient && !rest.contains(['=', ' ']) => rest,
        None => return None,
    };
    let v = v.split(',').next().unwrap_or("").trim();
    let v = v
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(v);
    (!v.is_empty()).then_some(v)
}

/// Every answer leaves as JSON:API: refusals axum makes itself (405, 413, ...) become error
/// documents; the media-type and envelope faults are applied here.
pub(super) async fn finish(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    if resp.extensions().get::<FrontEnd>().is_some() {
        return resp;
    }
    let status = resp.status();
    let ours = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|c| c.as_bytes() == MEDIA_TYPE.as_bytes());
    let mut resp = if status.is_client_error() && !ours {
        let allow = resp.headers().get(header::ALLOW).cloned();
        let title = status.canonical_reason().unwrap_or("Error");
        let detail = match status {
            StatusCode::PAYLOAD_TOO_LARGE => format!(
                "the request body is larger than {} bytes",
                common::MAX_BODY_BYTES
            ),
            StatusCode::METHOD_NOT_ALLOWED => "this method is not allowed on this resource".into(),
            _ => format!("the request was refused ({title})"),
        };
        let mut e = ApiError::new(status, "refused", "Request refused", detail);
        if let Some(a) = allow {
            e.headers.push((header::ALLOW, a));
        }
        e.into_response()
    } else {
        resp
    };
    let status = resp.status();
    if status.is_client_error() && app.is(Fault::ErrorEnvelopePlain) {
        let (parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 20)
            .await
            .unwrap_or_default();
        let detail = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| v["errors"][0]["detail"].as_str().map(str::to_string))
            .unwrap_or_else(|| "refused".into());
        resp = Response::from_parts(parts, Body::from(json!({ "error": detail }).to_string()));
    }
    let json_media = (status.is_success() && app.is(Fault::MediaTypeJson))
        || (status.is_client_error() && app.is(Fault::ErrorMediaTypeJson));
    if json_media {
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    resp
}

/// Under `GatewayRefusals`: the front end's plain-HTTP listener serves nothing, it redirects
/// to the same path over HTTPS.
pub(super) async fn plain_refused_by_front_end(uri: axum::http::Uri) -> Response {
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let moved = envelope::typed(
        StatusCode::MOVED_PERMANENTLY,
        envelope::TEXT_UTF8,
        format!("moved to https://{HOST}{path}\n"),
    );
    envelope::with_header(moved, header::LOCATION, &format!("https://{HOST}{path}"))
}

pub(super) async fn plain_refused() -> Response {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "https_required",
        "HTTPS Required",
        format!("plain HTTP is refused: send API requests to https://{HOST}"),
    )
    .into_response()
}

pub(super) async fn not_found(Extension(info): Extension<ReqInfo>) -> Response {
    ApiError::not_found(format!("there is no resource at {}", info.path)).into_response()
}

pub(super) async fn method_not_allowed() -> Response {
    // `finish` adds the error document (and keeps axum's Allow header).
    StatusCode::METHOD_NOT_ALLOWED.into_response()
}

pub(super) async fn list_absent(Extension(info): Extension<ReqInfo>) -> Response {
    // Under the `absent.*` faults only: a resource the document says does not exist.
    let kind = info.path.trim_start_matches('/').to_string();
    let data: Vec<Value> = if kind == "forms" || kind == "affiliations" {
        vec![json!({ "id": "1", "type": kind, "attributes": { "name": "Default" } })]
    } else {
        Vec::new()
    };
    document(
        StatusCode::OK,
        &json!({ "data": data, "links": { "self": format!("{}{}", info.base, info.path) } }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_parse_as_rails_reads_them() {
        assert_eq!(parse_token("Token token=abc", false), Some("abc"));
        assert_eq!(parse_token("token token=\"abc\"", false), Some("abc"));
        assert_eq!(parse_token("Bearer abc", false), None);
        assert_eq!(parse_token("Token abc", false), None);
        assert_eq!(parse_token("Token token=", false), None);
        // `lenient-headers` also takes the forms the document does not show.
        assert_eq!(parse_token("Bearer abc", true), Some("abc"));
        assert_eq!(parse_token("Token abc", true), Some("abc"));
        assert_eq!(parse_token("Token token=abc", true), Some("abc"));
        assert_eq!(parse_token("Bearer a b", true), None);
    }

    #[test]
    fn hosts_lose_their_port() {
        assert_eq!(host_name("api.checklick.com:8443"), "api.checklick.com");
        assert_eq!(host_name("api.checklick.com"), "api.checklick.com");
        assert_eq!(host_name("[::1]:80"), "[::1]");
    }
}
