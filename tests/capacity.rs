//! A mock that breaks under load (`--capacity`, `--over-capacity`), over real HTTP on loopback:
//! below its capacity every answer is the faithful one; above it, each behaviour does what it
//! says. The load is a bounded burst (a fixed number of requests on a fixed schedule, each
//! with the client's 10 s timeout) against the checklist-items mock at a small capacity
//! (50/s), so the test takes seconds and asserts shares and medians, never absolute timings.

mod common;

use std::time::{Duration, Instant};

use specgate::mock::{Capacity, MockOptions, OverCapacity, Rate, BROKEN_BODY};

const API: &str = "checklist-items";
/// The operation every request of the bursts calls, and its documented success.
const OPERATION: &str = "listChecklists";
/// A fixture parent of the mock (the same at every seed), with items.
const LIST: &str = "/checklists?resource_type=project&resource_id=2000001";
/// The capacity under test: small, so a burst above it is short.
const CAPACITY: u32 = 50;
/// The bucket's burst at that capacity: a tenth of a second of it (`kit::capacity`).
const BURST: f64 = CAPACITY as f64 / 10.0;

/// One answer of a burst.
struct Answer {
    /// When it was sent.
    sent: Instant,
    status: u16,
    latency: Duration,
    retry_after: Option<String>,
    body: String,
}

/// What a burst sent and got.
struct Burst {
    answers: Vec<Answer>,
    /// From the first send to the last (later than planned when the machine is busy).
    span: Duration,
}

impl Burst {
    fn count(&self, status: u16) -> usize {
        self.answers.iter().filter(|a| a.status == status).count()
    }

    /// The median latency of the answers with `status`.
    fn median(&self, status: u16) -> Duration {
        let mut l: Vec<Duration> = self
            .answers
            .iter()
            .filter(|a| a.status == status)
            .map(|a| a.latency)
            .collect();
        assert!(!l.is_empty(), "no answer {status}");
        l.sort();
        l[l.len() / 2]
    }

    /// How many requests the capacity admits over this burst: the burst, the first request,
    /// and one per interval of the span the requests were actually sent over.
    fn admissible(&self) -> f64 {
        BURST + 1.0 + f64::from(CAPACITY) * self.span.as_secs_f64()
    }
}

async fn start(over: Option<OverCapacity>) -> (specgate::mock::RunningMock, common::Session) {
    let capacity = over.map(|over| Capacity {
        rate: Rate::per_second(CAPACITY).expect("a rate"),
        over,
    });
    let m = common::mock_with(
        API,
        MockOptions {
            capacity,
            ..MockOptions::default()
        },
    )
    .await;
    let key = m
        .target
        .credentials
        .get("api_key")
        .expect("an api_key")
        .to_string();
    let s = common::Session::of(&m)
        .with_auth(common::Auth::Bearer(key))
        .with_header("Accept", "application/json");
    (m, s)
}

/// `n` GETs of [`LIST`] at `rate` a second, each started on schedule whether or not earlier
/// ones have answered (an open model, so a slow mock does not slow the burst).
async fn burst(s: &common::Session, rate: u32, n: u32) -> Burst {
    let interval = Duration::from_secs(1) / rate;
    let t0 = tokio::time::Instant::now();
    let mut tasks = Vec::new();
    for i in 0..n {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(t0 + interval * i).await;
            let sent = Instant::now();
            let r = s.get(LIST).send().await;
            Answer {
                sent,
                status: r.status,
                latency: sent.elapsed(),
                retry_after: r.header("retry-after").map(str::to_string),
                body: r.text().to_string(),
            }
        }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.expect("a request task"));
    }
    let first = answers.iter().map(|a| a.sent).min().expect("a request");
    let last = answers.iter().map(|a| a.sent).max().expect("a request");
    let span = last.duration_since(first);
    // A burst sent much later than planned (a busy machine) is not the load it was meant to be.
    let planned = interval * (n - 1);
    assert!(
        span < planned * 3 / 2 + Duration::from_millis(100),
        "the burst took {span:?} to send, planned {planned:?}"
    );
    Burst { answers, span }
}

/// Whether `body` is a valid success body of [`OPERATION`], by the project's own validation.
struct Judge(specgate::spec::Spec);

impl Judge {
    fn new() -> Judge {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("specs")
            .join(API);
        Judge(specgate::load_spec(&root).expect("the spec loads"))
    }

    fn conforms(&self, status: u16, body: &str) -> bool {
        let key = self.0.api.operations[OPERATION]
            .response_key(status)
            .unwrap_or_else(|| panic!("{status} is not documented"));
        let validator = self
            .0
            .api
            .response_validator(OPERATION, key, None)
            .expect("a documented schema");
        let json: serde_json::Value = serde_json::from_str(body).expect("a JSON body");
        validator.is_valid(&json)
    }
}

#[tokio::test]
async fn below_capacity_every_answer_is_the_faithful_one() {
    let judge = Judge::new();
    for over in [
        None,
        Some(OverCapacity::Queue),
        Some(OverCapacity::Unavailable),
        Some(OverCapacity::BreakSchema),
    ] {
        let (m, s) = start(over).await;
        // Half the capacity for one second.
        let b = burst(&s, CAPACITY / 2, CAPACITY / 2).await;
        for a in &b.answers {
            assert_eq!(a.status, 200, "{over:?}: {}", a.body);
            assert!(judge.conforms(200, &a.body), "{over:?}: {}", a.body);
        }
        m.shutdown().await;
    }
}

#[tokio::test]
async fn above_capacity_503_refuses_the_excess_share_with_retry_after() {
    let judge = Judge::new();
    let (m, s) = start(Some(OverCapacity::Unavailable)).await;
    // Three times the capacity for one second: two thirds of it is excess.
    let b = burst(&s, 3 * CAPACITY, 3 * CAPACITY).await;
    let refused = b.count(503);
    let served = b.count(200);
    assert_eq!(refused + served, b.answers.len(), "only 200 and 503");
    // The tolerance: 10% of what the bucket admits over the span the burst took (at least 5
    // requests), for the time between a send and its arrival at the mock.
    let admissible = b.admissible();
    let tolerance = (admissible * 0.1).max(5.0);
    assert!(
        (served as f64 - admissible).abs() <= tolerance,
        "served {served}, the capacity admits {admissible:.0} ± {tolerance:.0}"
    );
    for a in &b.answers {
        match a.status {
            503 => {
                let wait: u64 = a
                    .retry_after
                    .as_deref()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| panic!("a Retry-After in seconds: {:?}", a.retry_after));
                assert!(wait >= 1);
            }
            _ => assert!(judge.conforms(200, &a.body), "{}", a.body),
        }
    }
    m.shutdown().await;
}

#[tokio::test]
async fn above_capacity_the_queue_answers_every_request_correctly_but_later() {
    let judge = Judge::new();
    let (m, s) = start(Some(OverCapacity::Queue)).await;
    let below = burst(&s, CAPACITY / 2, CAPACITY / 4).await;
    // Let the bucket fill again, then twice the capacity for half a second: the queue grows to
    // about a fifth of a second of capacity, well within its bound (1 s), so nothing is refused.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let above = burst(&s, 2 * CAPACITY, CAPACITY).await;
    for a in below.answers.iter().chain(&above.answers) {
        assert_eq!(a.status, 200, "{}", a.body);
        assert!(judge.conforms(200, &a.body), "{}", a.body);
    }
    let (slow, fast) = (above.median(200), below.median(200));
    assert!(
        slow > fast * 3,
        "the median above capacity ({slow:?}) is not well above the one below ({fast:?})"
    );
    m.shutdown().await;
}

#[tokio::test]
async fn above_capacity_break_schema_answers_bodies_that_fail_the_schema() {
    let judge = Judge::new();
    let (m, s) = start(Some(OverCapacity::BreakSchema)).await;
    let b = burst(&s, 3 * CAPACITY, 3 * CAPACITY).await;
    assert_eq!(
        b.count(200),
        b.answers.len(),
        "every answer keeps its status"
    );
    let conforming = b
        .answers
        .iter()
        .filter(|a| judge.conforms(200, &a.body))
        .count();
    let admissible = b.admissible();
    let tolerance = (admissible * 0.1).max(5.0);
    assert!(
        (conforming as f64 - admissible).abs() <= tolerance,
        "{conforming} bodies conform, the capacity admits {admissible:.0} ± {tolerance:.0}"
    );
    for a in b.answers.iter().filter(|a| !judge.conforms(200, &a.body)) {
        assert_eq!(a.body, BROKEN_BODY);
    }
    m.shutdown().await;
}

/// The JSON media types of the specs' bodies.
const JSON_MEDIA: [&str; 3] = [
    "application/json",
    "application/vnd.api+json",
    "application/vnd.oai.openapi+json",
];

/// Whether `v` accepts any JSON at all: a body the document does not describe, which no
/// answer can break.
fn accepts_anything(v: &jsonschema::Validator) -> bool {
    ["null", "0", "true", "\"x\"", "[]", "{}"]
        .iter()
        .all(|j| v.is_valid(&serde_json::from_str(j).expect("JSON")))
}

/// The one body `break-schema` answers breaks every documented JSON success body of every
/// spec that describes its body at all, so it breaks a contract whichever API's mock and
/// operation a load run calls.
#[test]
fn the_broken_body_fails_every_documented_success_schema() {
    let broken: serde_json::Value = serde_json::from_str(BROKEN_BODY).expect("JSON");
    let specs = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("specs");
    let (mut judged, mut undescribed) = (0, Vec::new());
    for api in specgate::mock::apis() {
        let spec = specgate::load_spec(&specs.join(api.name())).expect("the spec loads");
        for (id, op) in &spec.api.operations {
            for key in op.statuses.iter().filter(|k| k.starts_with('2')) {
                for media in JSON_MEDIA {
                    let Some(v) = spec.api.response_validator(id, key, Some(media)) else {
                        continue;
                    };
                    if accepts_anything(v) {
                        undescribed.push(format!("{} {id} {key}", api.name()));
                        continue;
                    }
                    judged += 1;
                    assert!(
                        !v.is_valid(&broken),
                        "{} {id} {key} {media}: {BROKEN_BODY} passes the schema",
                        api.name()
                    );
                }
            }
        }
    }
    assert!(judged > 50, "only {judged} success schemas judged");
    // The document describes every success body but the health check's.
    assert_eq!(undescribed, ["checktick getHealth 2XX"]);
}

/// `specgate mock` refuses a capacity it cannot serve, with the value in the message and exit
/// code 2, before it listens anywhere; `check` and `load` refuse one for a live target (it is
/// a setting of the built-in mocks).
#[test]
fn the_command_refuses_a_zero_or_garbled_capacity() {
    for (args, says) in [
        (&["--capacity", "0/s"][..], "0/s"),
        (&["--capacity", "fast"][..], "fast"),
        (
            &["--capacity", "10/s", "--over-capacity", "drop"][..],
            "drop",
        ),
        (&["--over-capacity", "queue"][..], "--capacity"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_specgate"))
            .args(["mock", "--api", API])
            .args(args)
            .output()
            .expect("specgate runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    for command in [
        &["check", "--target", "live.yaml"][..],
        &["load", "--scenario", "s.yaml", "--target", "live.yaml"][..],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_specgate"))
            .args(command)
            .args(["--capacity", "10/s"])
            .output()
            .expect("specgate runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command:?}: {stderr}");
        assert!(
            stderr.contains("cannot be used with '--capacity"),
            "{stderr}"
        );
    }
}
