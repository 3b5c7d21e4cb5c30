//! Answers and error envelopes: a JSON body with its media type, a one-member error object
//! (`{"message": …}`, `{"detail": …}`, `{"error": …}`), a small HTML page, and the headers a
//! refusal carries (`Allow`, `WWW-Authenticate`, `Retry-After`).

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

pub const JSON: &str = "application/json";
pub const JSON_UTF8: &str = "application/json; charset=utf-8";
pub const XML_UTF8: &str = "application/xml; charset=utf-8";
pub const HTML_UTF8: &str = "text/html; charset=utf-8";
pub const TEXT_UTF8: &str = "text/plain; charset=utf-8";

/// `body` as JSON with `status`, served as `application/json`.
pub fn json(status: StatusCode, body: &Value) -> Response {
    typed(status, JSON, body.to_string())
}

/// `body` with `status`, served as `content_type`.
pub fn typed(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// The object `{member: text}` with `status`, as JSON: the envelope of most APIs' errors
/// (`message` in Laravel, `detail` in DRF, `error` in Rails apps).
pub fn message(status: StatusCode, member: &str, text: &str) -> Response {
    let mut body = serde_json::Map::new();
    body.insert(member.to_string(), Value::String(text.to_string()));
    json(status, &Value::Object(body))
}

/// `<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>`,
/// served as HTML. `title` and `body` are written as given (they are the mock's own text).
pub fn html_page(status: StatusCode, title: &str, body: &str) -> Response {
    typed(
        status,
        HTML_UTF8,
        format!(
            "<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>"
        ),
    )
}

/// `response` with the header `name: value` set (a value that cannot be a header is dropped).
pub fn with_header(mut response: Response, name: HeaderName, value: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, v);
    }
    response
}

/// `response` with `Allow: allow`.
pub fn with_allow(response: Response, allow: &str) -> Response {
    with_header(response, header::ALLOW, allow)
}

/// `response` with `WWW-Authenticate: challenge`.
pub fn with_challenge(response: Response, challenge: &str) -> Response {
    with_header(response, header::WWW_AUTHENTICATE, challenge)
}

/// `response` with `Retry-After: seconds`.
pub fn with_retry_after(response: Response, seconds: u64) -> Response {
    with_header(response, header::RETRY_AFTER, &seconds.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn envelopes_carry_their_media_type_and_headers() {
        let r = with_retry_after(message(StatusCode::TOO_MANY_REQUESTS, "detail", "slow"), 3);
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()[header::CONTENT_TYPE], JSON);
        assert_eq!(r.headers()[header::RETRY_AFTER], "3");
        let body = axum::body::to_bytes(r.into_body(), 1024).await.unwrap();
        assert_eq!(&body[..], br#"{"detail":"slow"}"#);
        let r = with_allow(html_page(StatusCode::METHOD_NOT_ALLOWED, "t", "b"), "GET");
        assert_eq!(r.headers()[header::ALLOW], "GET");
        assert_eq!(r.headers()[header::CONTENT_TYPE], HTML_UTF8);
        let r = with_header(
            json(StatusCode::OK, &Value::Null),
            header::ALLOW,
            "bad\nvalue",
        );
        assert!(r.headers().get(header::ALLOW).is_none());
    }
}
