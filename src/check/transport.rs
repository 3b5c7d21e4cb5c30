//! `transport`: the API answers over HTTPS only, and on its documented hosts only.

use serde::Deserialize;

use super::Check;
use crate::exchange::request::Prepared;
use crate::rule_context::{Expecting, Probe, RuleCx, Silence, Stop, Want};

use super::{given_requests, validate_given_request};
use crate::contract::context::LintCx;
use crate::contract::step::{Expect, Request, Step};
use crate::locate::Pointer;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default)]
    pub given: Vec<Step>,
    pub request: Request,
    #[serde(default)]
    pub https_only: bool,
    #[serde(default)]
    pub hosts: Vec<String>,
    pub foreign_host: Option<String>,
    /// The refusal; by default any answer that is not a 2xx (or no answer at all).
    pub expect: Option<Expect>,
}

/// The plain-HTTP URL of `url`: the target's own when it serves one (a mock), else the same
/// host on the default port.
fn plain_url(url: &str, base: &str, plain_base: Option<&str>) -> String {
    if let Some(plain) = plain_base {
        if let Some(rest) = url.strip_prefix(base.trim_end_matches('/')) {
            return format!("{}{rest}", plain.trim_end_matches('/'));
        }
    }
    let without = url.strip_prefix("https://").unwrap_or(url);
    let (authority, rest) = without
        .split_once('/')
        .map(|(a, r)| (a, format!("/{r}")))
        .unwrap_or((without, String::new()));
    let host = authority
        .rsplit_once(':')
        .map(|(h, _)| h)
        .unwrap_or(authority);
    format!("http://{host}{rest}")
}

impl Params {
    /// Send a transport probe, refused: no answer, or an answer that is not a 2xx (and
    /// `expect` when given).
    async fn refused(&self, cx: &mut RuleCx<'_>, label: &str, q: &Prepared) {
        let want = match &self.expect {
            Some(e) => Want::Expect(e),
            None => Want::Refusal("a refusal (no 2xx)"),
        };
        let expecting = Expecting::new(Some(label), want)
            .probe(Probe::Transport)
            .silence(Silence::Ignored);
        cx.send_expecting(q, expecting).await;
    }
}

impl Check for Params {
    fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        validate_given_request(&self.given, &self.request, cx, at);
        if let Some(e) = &self.expect {
            e.validate(cx, &at.key("expect"));
        }
        if !self.https_only && self.foreign_host.is_none() {
            cx.invalid(
                at,
                "nothing to check".into(),
                "set `https_only: true`, or a `foreign_host` that must be refused".into(),
            );
        }
        if let Some(h) = &self.foreign_host {
            if self.hosts.iter().any(|d| d.eq_ignore_ascii_case(h)) {
                cx.invalid(
                    &at.key("foreign_host"),
                    format!("`{h}` is one of the documented `hosts`"),
                    "name a host the document says is refused".into(),
                );
            }
            if self.hosts.is_empty() {
                cx.invalid(
                    at,
                    "a `foreign_host` check needs the documented `hosts`".into(),
                    "add `hosts: [api.example.com]`".into(),
                );
            }
        }
    }
    fn requests(&self) -> Vec<&Request> {
        given_requests(&self.given, [&self.request])
    }

    async fn check(&self, cx: &mut RuleCx<'_>) -> Result<(), Stop> {
        cx.given(&self.given).await?;
        let p = super::control(cx, &self.request).await?;
        if self.https_only {
            if !cx.target.base_url.starts_with("https://") {
                return Err(Stop::Skip("the target is not served over HTTPS".into()));
            }
            let mut q = p.clone();
            q.url = plain_url(&p.url, &cx.target.base_url, cx.target.plain_url.as_deref());
            self.refused(cx, "over plain HTTP", &q).await;
        }
        if let Some(host) = &self.foreign_host {
            let mut q = p.clone();
            q.set_header("Host", host);
            self.refused(cx, &format!("as host {host}"), &q).await;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_urls_keep_host_and_path() {
        assert_eq!(
            super::plain_url(
                "https://api.x.com:8443/users?a=1",
                "https://api.x.com:8443",
                Some("http://api.x.com:8080")
            ),
            "http://api.x.com:8080/users?a=1"
        );
        assert_eq!(
            super::plain_url("https://api.x.com/users", "https://api.x.com", None),
            "http://api.x.com/users"
        );
        assert_eq!(
            super::plain_url("https://api.x.com:8443/u", "https://other", None),
            "http://api.x.com/u"
        );
    }
}
