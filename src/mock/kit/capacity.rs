//! A mock that breaks under load: `--capacity 3000/s` serves that many requests a second (all
//! requests together, every route), and answers the ones above it in the one way
//! `--over-capacity` names: it queues them (latency grows, every answer stays correct), refuses
//! them at once with `503 Service Unavailable` and `Retry-After`, or answers them with a body
//! that breaks the operation's schema. It is a layer the kit puts around every mock's router,
//! so no handler knows of it; without `--capacity` the router is left as it was.
//!
//! # Why a token bucket (GCRA) and not a sliding one-second window
//!
//! A sliding window of one second admits a whole second's worth of requests in its first
//! millisecond and then refuses everything for the rest of the second: a mock of capacity
//! 3000/s would serve 3000 requests at once and then look dead, so a sweep of arrival rates
//! would see a saw-tooth, not a capacity. It also has to log every admitted request's time
//! (3000 instants). A token bucket spreads admissions evenly: at every time scale above its
//! small burst it serves at most the rate, which is what "a server that handles 3000 requests
//! a second" means. It is kept here as the generic cell rate algorithm (GCRA, the token
//! bucket's virtual-scheduling form): one instant of state, the theoretical arrival time of the
//! next request, updated in O(1). The same instant gives the queue its schedule: a queued
//! request reserves the next free slot and waits until it comes, so the queue is served at
//! exactly the capacity and in the order requests arrived.

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;

/// The largest capacity accepted: past it the mock's own speed, not the setting, is the limit.
pub const MAX_RATE: u32 = 1_000_000;

/// The burst the bucket holds is a tenth of a second of capacity (at least one request), so a
/// load generator's jitter below capacity is not taken for overload, while a second of
/// overload is still refused almost whole.
const BURSTS_PER_SECOND: u32 = 10;

/// The longest a queued request waits for its slot; past it, it is refused with 503. With the
/// queue served at the capacity, this also bounds the queue: at most one second of capacity
/// (plus the burst) waits at any time.
pub const MAX_QUEUE_WAIT: Duration = Duration::from_secs(1);

/// The body a `break-schema` answer carries in place of its JSON body: a JSON string.
///
/// Why it breaks every documented success body of the five APIs without knowing their
/// schemas: each of them is an object (the `{data, ...}` envelopes of checklist-items and
/// Checklick, Optacheck's JSON:API documents, a Checkvist task, a Checktick survey or token)
/// or an array (the lists of Checkvist and Checktick), and a string is neither. An object such
/// as `{"overloaded":true}` would not do: four success bodies are open objects (Checktick's
/// survey, dataset and OpenAPI document, Checkvist's current user), which it satisfies. The one
/// body no answer can break is one the document does not describe at all (Checktick's health
/// check). `tests/capacity.rs` checks this against every documented success schema.
pub const BROKEN_BODY: &str = r#""over capacity""#;

/// The most `break-schema` buffers of an answer; a larger one (no mock answers anything near
/// it) becomes a 500, which breaks the contract too.
const MAX_REWRITTEN_BODY: usize = 8 << 20;

/// Requests per second, at least 1: `3000/s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate(NonZeroU32);

impl Rate {
    pub fn per_second(n: u32) -> Option<Rate> {
        NonZeroU32::new(n).filter(|n| n.get() <= MAX_RATE).map(Rate)
    }

    pub fn get(self) -> u32 {
        self.0.get()
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/s", self.0)
    }
}

/// Why a capacity was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CapacityError {
    #[error("`{0}` is not a capacity: write requests per second, e.g. `3000/s`")]
    Garbled(String),
    #[error("`{0}`: a capacity is at least 1/s and at most {MAX_RATE}/s")]
    OutOfRange(String),
    #[error("`{0}` is not a behaviour above capacity: queue, 503 or break-schema")]
    UnknownBehaviour(String),
}

impl FromStr for Rate {
    type Err = CapacityError;

    fn from_str(s: &str) -> Result<Rate, CapacityError> {
        let t = s.trim();
        let number = t
            .strip_suffix("/s")
            .or_else(|| t.strip_suffix("/sec"))
            .ok_or_else(|| CapacityError::Garbled(s.to_string()))?
            .trim();
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CapacityError::Garbled(s.to_string()));
        }
        number
            .parse::<u32>()
            .ok()
            .and_then(Rate::per_second)
            .ok_or_else(|| CapacityError::OutOfRange(s.to_string()))
    }
}

/// What the mock does with a request above its capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OverCapacity {
    /// Wait for a free slot (at most [`MAX_QUEUE_WAIT`], else 503): slower, still correct.
    Queue,
    /// `503 Service Unavailable` at once, with `Retry-After`.
    #[default]
    Unavailable,
    /// Answer, with [`BROKEN_BODY`] in place of a JSON body.
    BreakSchema,
}

impl OverCapacity {
    /// The names `--over-capacity` takes, in the order of the enum.
    pub const NAMES: [&'static str; 3] = ["queue", "503", "break-schema"];

    pub fn name(self) -> &'static str {
        match self {
            OverCapacity::Queue => Self::NAMES[0],
            OverCapacity::Unavailable => Self::NAMES[1],
            OverCapacity::BreakSchema => Self::NAMES[2],
        }
    }
}

impl FromStr for OverCapacity {
    type Err = CapacityError;

    fn from_str(s: &str) -> Result<OverCapacity, CapacityError> {
        match s.trim() {
            "queue" => Ok(OverCapacity::Queue),
            "503" | "unavailable" => Ok(OverCapacity::Unavailable),
            "break-schema" => Ok(OverCapacity::BreakSchema),
            _ => Err(CapacityError::UnknownBehaviour(s.to_string())),
        }
    }
}

impl fmt::Display for OverCapacity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A mock's capacity and what it does above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    pub rate: Rate,
    pub over: OverCapacity,
}

impl Capacity {
    /// What the mock does, in a sentence (its banner shows it).
    pub fn describe(&self) -> String {
        let above = match self.over {
            OverCapacity::Queue => format!(
                "queues the requests above it (each waits at most {} s for its slot, else 503)",
                MAX_QUEUE_WAIT.as_secs_f64()
            ),
            OverCapacity::Unavailable => {
                "answers the requests above it 503 Service Unavailable with Retry-After".to_string()
            }
            OverCapacity::BreakSchema => format!(
                "answers the requests above it with {BROKEN_BODY} in place of each JSON body \
                 (breaking the operation's schema)"
            ),
        };
        format!(
            "capacity {} (all requests together, burst {}); {above}",
            self.rate,
            burst(self.rate)
        )
    }

    /// `router` with this capacity in front of every route.
    pub fn wrap(&self, router: Router) -> Router {
        let bucket = Arc::new(Bucket::new(*self));
        router.layer(axum::middleware::from_fn_with_state(bucket, limit))
    }
}

fn burst(rate: Rate) -> u32 {
    (rate.get() / BURSTS_PER_SECOND).max(1)
}

/// What the bucket decides for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Admit,
    /// Admitted after this wait (a reserved slot in the queue).
    Wait(Duration),
    /// Over capacity; a slot frees after this long.
    Over(Duration),
}

/// The token bucket in GCRA form: `tat`, the theoretical arrival time of the next request.
struct Bucket {
    capacity: Capacity,
    /// The time one request takes of the capacity: one second over the rate.
    interval: Duration,
    /// How far ahead of now `tat` may be and a request still conform: the burst less one.
    tolerance: Duration,
    tat: Mutex<Option<Instant>>,
}

impl Bucket {
    fn new(capacity: Capacity) -> Bucket {
        let interval = Duration::from_secs(1) / capacity.rate.get();
        Bucket {
            capacity,
            interval,
            tolerance: interval * (burst(capacity.rate) - 1),
            tat: Mutex::new(None),
        }
    }

    fn decide(&self, now: Instant) -> Decision {
        let mut tat = self.tat.lock().unwrap_or_else(|p| p.into_inner());
        let next = tat.map_or(now, |t| t.max(now));
        let ahead = next.duration_since(now);
        if ahead <= self.tolerance {
            *tat = Some(next + self.interval);
            return Decision::Admit;
        }
        let wait = ahead - self.tolerance;
        if self.capacity.over == OverCapacity::Queue && wait <= MAX_QUEUE_WAIT {
            // Reserve the slot: the next request queues behind this one.
            *tat = Some(next + self.interval);
            return Decision::Wait(wait);
        }
        // Refused requests take no slot, so a refused burst does not push the capacity away.
        Decision::Over(wait)
    }
}

/// `Retry-After`: whole seconds, rounded up, at least 1.
fn retry_after(wait: Duration) -> HeaderValue {
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    HeaderValue::from(secs)
}

fn unavailable(capacity: &Capacity, wait: Duration) -> Response {
    let mut r = (
        StatusCode::SERVICE_UNAVAILABLE,
        format!("over capacity ({})", capacity.rate),
    )
        .into_response();
    r.headers_mut()
        .insert(header::RETRY_AFTER, retry_after(wait));
    r
}

async fn limit(State(bucket): State<Arc<Bucket>>, request: Request, next: Next) -> Response {
    match (bucket.decide(Instant::now()), bucket.capacity.over) {
        (Decision::Admit, _) => next.run(request).await,
        (Decision::Wait(wait), _) => {
            tokio::time::sleep(wait).await;
            next.run(request).await
        }
        (Decision::Over(wait), OverCapacity::Queue | OverCapacity::Unavailable) => {
            unavailable(&bucket.capacity, wait)
        }
        (Decision::Over(_), OverCapacity::BreakSchema) => {
            break_schema(next.run(request).await).await
        }
    }
}

/// `answer` with [`BROKEN_BODY`] in place of its body when that is JSON; any other answer (XML,
/// text, an empty body) passes as it is.
async fn break_schema(answer: Response) -> Response {
    let is_json = answer
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_json_media);
    if !is_json {
        return answer;
    }
    let (mut parts, body) = answer.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_REWRITTEN_BODY).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "the answer is too large").into_response();
    };
    if bytes.is_empty() {
        return Response::from_parts(parts, Body::from(bytes));
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(BROKEN_BODY))
}

/// `application/json`, `application/problem+json`, with or without parameters.
fn is_json_media(content_type: &str) -> bool {
    let media = content_type.split(';').next().unwrap_or("").trim();
    media.eq_ignore_ascii_case("application/json") || media.to_ascii_lowercase().ends_with("+json")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(rate: u32, over: OverCapacity) -> Bucket {
        Bucket::new(Capacity {
            rate: Rate::per_second(rate).unwrap(),
            over,
        })
    }

    #[test]
    fn rates_parse_and_bad_ones_are_refused_with_what_was_given() {
        assert_eq!("3000/s".parse::<Rate>().unwrap().get(), 3000);
        assert_eq!(" 50/sec ".parse::<Rate>().unwrap().get(), 50);
        for bad in ["", "3000", "/s", "x/s", "-5/s", "1.5/s", "3000/min"] {
            let e = bad.parse::<Rate>().unwrap_err();
            assert_eq!(e, CapacityError::Garbled(bad.to_string()), "{bad}");
        }
        for out in ["0/s", "1000001/s", "99999999999/s"] {
            let e = out.parse::<Rate>().unwrap_err();
            assert!(e.to_string().contains(out), "{e}");
            assert_eq!(e, CapacityError::OutOfRange(out.to_string()));
        }
    }

    #[test]
    fn behaviours_parse_by_the_names_they_show() {
        for name in OverCapacity::NAMES {
            assert_eq!(name.parse::<OverCapacity>().unwrap().name(), name);
        }
        assert!("drop".parse::<OverCapacity>().is_err());
    }

    #[test]
    fn the_bucket_admits_its_burst_then_one_per_interval() {
        let b = bucket(100, OverCapacity::Unavailable);
        let t0 = Instant::now();
        for i in 0..10 {
            assert_eq!(b.decide(t0), Decision::Admit, "request {i} of the burst");
        }
        let Decision::Over(wait) = b.decide(t0) else {
            panic!("the 11th at once is over");
        };
        assert_eq!(wait, Duration::from_millis(10));
        assert_eq!(b.decide(t0 + wait), Decision::Admit);
        assert!(matches!(b.decide(t0 + wait), Decision::Over(_)));
        // After a second idle, the burst is back.
        let later = t0 + Duration::from_secs(2);
        assert!((0..10).all(|_| b.decide(later) == Decision::Admit));
    }

    #[test]
    fn the_queue_reserves_slots_in_order_and_refuses_past_its_wait() {
        let b = bucket(10, OverCapacity::Queue);
        let t0 = Instant::now();
        assert_eq!(b.decide(t0), Decision::Admit);
        let waits: Vec<Decision> = (0..10).map(|_| b.decide(t0)).collect();
        let expected: Vec<Decision> = (1..=10)
            .map(|k| Decision::Wait(Duration::from_millis(100 * k)))
            .collect();
        assert_eq!(waits, expected);
        assert!(matches!(b.decide(t0), Decision::Over(w) if w > MAX_QUEUE_WAIT));
    }

    #[test]
    fn the_description_names_the_behaviour() {
        let c = Capacity {
            rate: Rate::per_second(3000).unwrap(),
            over: OverCapacity::BreakSchema,
        };
        let d = c.describe();
        assert!(
            d.contains("3000/s") && d.contains("burst 300") && d.contains(BROKEN_BODY),
            "{d}"
        );
    }
}
