//! Sending prepared requests: every request has a timeout, every body a cap, redirects are
//! never followed (a redirect to another host must not carry credentials), and a target that
//! misbehaves yields a transport error for the rule at hand, never a crash of the run.

use std::time::{Duration, Instant};

use super::request::Prepared;
use super::response::Response;
use crate::target::Target;

/// Bodies past this are not read further: the rule fails, the run goes on.
pub const DEFAULT_MAX_BODY: usize = 8 << 20;
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    #[error("connection refused or unreachable: {0}")]
    Connect(String),
    /// The connection was accepted, and then nothing: a hung target.
    #[error("no response headers within {}", seconds(*.0))]
    NoHeaders(Duration),
    /// The headers came, the body did not finish in time: a target that trickles its bytes.
    #[error("the body trickled: {bytes} bytes in {}", seconds(*.waited))]
    Trickle { bytes: usize, waited: Duration },
    #[error("the response headers are larger than the client accepts ({0})")]
    HeadersTooLarge(String),
    #[error("{}", too_large(*limit, *announced))]
    BodyTooLarge {
        /// The most a request reads.
        limit: usize,
        /// What the answer's Content-Length announced, if it did.
        announced: Option<u64>,
    },
    #[error(
        "the body ended after {arrived} of the {announced} bytes its Content-Length announced"
    )]
    Truncated { announced: u64, arrived: usize },
    #[error("invalid request: {0}")]
    Request(String),
    #[error("{0}")]
    Other(String),
}

fn too_large(limit: usize, announced: Option<u64>) -> String {
    match announced {
        Some(n) => format!(
            "the body announces {n} bytes (Content-Length) and more than the {limit} a request \
             reads arrived"
        ),
        None => format!("the body is larger than the {limit} bytes a request reads"),
    }
}

impl TransportError {
    /// The target could not be reached at all (as opposed to answering badly).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, TransportError::Connect(_))
    }
}

/// A duration as reports show it: `300 ms`, `2.5 s`, `10 s`, `10 min`.
pub fn seconds(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 && d.as_secs() % 60 == 0 {
        format!("{} min", d.as_secs() / 60)
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// One request and what came back, with how long it took.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub request: Prepared,
    pub outcome: Result<Response, TransportError>,
    pub elapsed: Duration,
}

/// A client builder for `target`: its hosts resolved where it says, its root certificates
/// trusted, redirects never followed, no proxy. The checker and every load user start here.
pub fn client_builder(
    target: &Target,
    timeout: Duration,
) -> Result<reqwest::ClientBuilder, TransportError> {
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .no_proxy();
    for (host, addr) in &target.resolve {
        b = b.resolve(host, *addr);
    }
    for der in &target.root_certs {
        let cert = reqwest::Certificate::from_der(der)
            .map_err(|e| TransportError::Other(format!("bad root certificate: {e}")))?;
        b = b.add_root_certificate(cert);
    }
    Ok(b)
}

#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    timeout: Duration,
    max_body: usize,
}

impl HttpClient {
    pub fn new(
        target: &Target,
        timeout: Duration,
        max_body: usize,
    ) -> Result<Self, TransportError> {
        // The phases of `send_inner` bound the request; reqwest's own total timeout only backs
        // them up, later, so it never preempts their more precise errors.
        let b = client_builder(target, timeout)?.timeout(timeout + Duration::from_secs(1));
        let client = b
            .build()
            .map_err(|e| TransportError::Other(e.to_string()))?;
        Ok(HttpClient {
            client,
            timeout,
            max_body,
        })
    }

    pub async fn send(&self, request: &Prepared) -> Exchange {
        let started = Instant::now();
        let outcome = self.send_inner(request).await;
        Exchange {
            request: request.clone(),
            outcome,
            elapsed: started.elapsed(),
        }
    }

    /// The request, its headers within the timeout, then its body within what is left of it:
    /// each phase has its own error, so a hung target and a trickling one read differently.
    async fn send_inner(&self, p: &Prepared) -> Result<Response, TransportError> {
        let started = Instant::now();
        let deadline = tokio::time::Instant::from_std(started + self.timeout);
        let rb = build_request(&self.client, p)?;
        let mut resp = match tokio::time::timeout_at(deadline, rb.send()).await {
            Err(_) => return Err(TransportError::NoHeaders(self.timeout)),
            Ok(r) => r.map_err(|e| self.classify(e))?,
        };
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = read_body(&mut resp, self.max_body, Some((started, deadline)), |e| {
            self.classify(e)
        })
        .await?;
        Ok(Response::new(status, headers, body))
    }

    fn classify(&self, e: reqwest::Error) -> TransportError {
        if headers_too_large(&e) {
            TransportError::HeadersTooLarge(error_chain(&e))
        } else if e.is_connect() {
            TransportError::Connect(error_chain(&e))
        } else if e.is_timeout() {
            TransportError::NoHeaders(self.timeout)
        } else if e.is_builder() {
            TransportError::Request(error_chain(&e))
        } else {
            TransportError::Other(error_chain(&e))
        }
    }
}

/// `p` as a request of `client`: its method, URL, headers and body. The checker's client and
/// every load user's build their requests here.
pub fn build_request(
    client: &reqwest::Client,
    p: &Prepared,
) -> Result<reqwest::RequestBuilder, TransportError> {
    let method = reqwest::Method::from_bytes(p.method.as_bytes())
        .map_err(|e| TransportError::Request(e.to_string()))?;
    let mut rb = client.request(method, &p.url);
    for (k, v) in &p.headers {
        rb = rb.header(k.as_str(), v.as_str());
    }
    if let Some(body) = &p.body {
        rb = rb.body(body.clone());
    }
    Ok(rb)
}

/// A prepared request parsed once into what the HTTP client sends (its method, its URL, its
/// header names and values), for a request sent again and again unchanged: each send then
/// copies it instead of parsing its URL and validating its headers anew (the load models'
/// static steps).
#[derive(Debug, Clone)]
pub struct ParsedRequest {
    method: reqwest::Method,
    url: reqwest::Url,
    headers: reqwest::header::HeaderMap,
    body: Option<bytes::Bytes>,
}

impl ParsedRequest {
    /// `p` parsed as [`build_request`] would parse it at every send.
    pub fn parse(p: &Prepared) -> Result<ParsedRequest, TransportError> {
        let bad = |e: String| TransportError::Request(e);
        let method =
            reqwest::Method::from_bytes(p.method.as_bytes()).map_err(|e| bad(e.to_string()))?;
        let url = reqwest::Url::parse(&p.url).map_err(|e| bad(format!("{}: {e}", p.url)))?;
        let mut headers = reqwest::header::HeaderMap::with_capacity(p.headers.len());
        for (k, v) in &p.headers {
            let name = reqwest::header::HeaderName::from_bytes(k.as_bytes())
                .map_err(|e| bad(format!("header `{k}`: {e}")))?;
            let value = reqwest::header::HeaderValue::from_str(v)
                .map_err(|e| bad(format!("header `{k}`: {e}")))?;
            headers.append(name, value);
        }
        Ok(ParsedRequest {
            method,
            url,
            headers,
            body: p.body.clone().map(bytes::Bytes::from),
        })
    }

    /// The request, ready to send with `client`.
    pub fn builder(&self, client: &reqwest::Client) -> reqwest::RequestBuilder {
        let rb = client
            .request(self.method.clone(), self.url.clone())
            .headers(self.headers.clone());
        match &self.body {
            Some(b) => rb.body(b.clone()),
            None => rb,
        }
    }
}

/// Read a body of at most `max` bytes. A Content-Length past `max` is not taken at its word:
/// the body is read up to `max`, so that a target announcing 10 GB and sending 100 bytes is
/// reported as truncated, and one sending more as too large, each with what was announced and
/// what arrived. Bounded by `max`, and in time by `deadline` (when the request started, and
/// when its time is up: a body still arriving then trickled) or else the client's timeout.
pub async fn read_body(
    resp: &mut reqwest::Response,
    max: usize,
    deadline: Option<(Instant, tokio::time::Instant)>,
    classify: impl Fn(reqwest::Error) -> TransportError,
) -> Result<Vec<u8>, TransportError> {
    let announced = resp.content_length();
    // Reserve what the length announces (within the cap): no regrowth, no doubled peak.
    let mut body = Vec::with_capacity(announced.unwrap_or(0).min(max as u64) as usize);
    loop {
        let next = match deadline {
            Some((started, at)) => match tokio::time::timeout_at(at, resp.chunk()).await {
                Err(_) => {
                    return Err(TransportError::Trickle {
                        bytes: body.len(),
                        waited: started.elapsed(),
                    })
                }
                Ok(c) => c,
            },
            None => resp.chunk().await,
        };
        match next {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > max {
                    return Err(TransportError::BodyTooLarge {
                        limit: max,
                        announced,
                    });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => {
                return Err(match announced {
                    Some(n) if (body.len() as u64) < n && !e.is_timeout() => {
                        TransportError::Truncated {
                            announced: n,
                            arrived: body.len(),
                        }
                    }
                    _ => classify(e),
                })
            }
        }
    }
}

/// hyper refused the response head for its size (a target sending endless headers).
fn headers_too_large(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if err
            .downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_parse_too_large)
        {
            return true;
        }
        cur = err.source();
    }
    false
}

/// An error with its causes: reqwest's top line alone says little ("error sending request").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = s.source();
    }
    parts.join(": ")
}
