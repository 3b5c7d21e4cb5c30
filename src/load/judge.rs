//! Judging answers under load, in both models (`--judge 1/N`): one answer in N of each request
//! key is judged by the API's conformance checks (a documented status, a body matching its
//! schema, no 5xx), as a check run judges every exchange.
//!
//! Where the contract declares a limit (a rule whose kind declares one: `throttle`, enforced),
//! every answer to the operations it covers is judged, not only a sample: one that is the
//! documented throttling answer against what the contract says of it (its `expect`: status,
//! headers, body), and each against the limit itself (no throttling before the limit, and no
//! more than the limit let through within its window). A throttling answer of any other
//! operation is judged too, by the contract's cross-cutting rules (the error envelope of its
//! status). These answers are few on a run that keeps the limits, so judging all of them is
//! cheap; on a run that does not, they are what the run is about.
//!
//! Only what the document states counts as a violation: a failure of a `must` rule (the
//! conformance checks count as `must`) that rests on a stated basis. A failure the contract
//! rests on the framework, a convention, an example or a reading, or of a `should` rule, is a
//! warning: counted, never failing the run.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::basis::Basis;
use crate::check::conformance::Conformance;
use crate::check::Check;
use crate::contract::step::Expect;
use crate::contract::Level;
use crate::exchange::client::Exchange;
use crate::exchange::request::Prepared;
use crate::exchange::response::Response;
use crate::redact::Redactor;
use crate::results::{ExchangeView, Failure};
use crate::rule_context::{Probe, Recorded};
use crate::spec::Spec;
use crate::target::Target;
use crate::vars::Vars;

/// `--judge` unless told: one response in 50 is judged by the API's conformance checks.
pub const DEFAULT_JUDGE: &str = "1/50";

/// How far the judge's clock may disagree with the target's about a limit's window: the time
/// from our send to the target's count of it. A request sent this much before a window's start
/// is still counted in it, and a window this much shorter must hold more than the limit before
/// an answer let through is a violation, so jitter never makes one.
pub const LIMIT_SLACK: Duration = Duration::from_secs(1);

/// `--judge` as given: one response in `Some(N)` is judged; `None`: `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JudgeSample(pub Option<u64>);

/// `--judge`: `1/N` (one response in N is judged, N from 1 to 1000000) or `off`.
pub fn parse_judge(text: &str) -> Result<JudgeSample, String> {
    let t = text.trim();
    if t == "off" {
        return Ok(JudgeSample(None));
    }
    let n = t
        .strip_prefix("1/")
        .and_then(|n| n.trim().parse::<u64>().ok())
        .filter(|n| (1..=1_000_000).contains(n))
        .ok_or_else(|| {
            format!("`{t}` is not a sample: write 1/N (N from 1 to 1000000), as 1/50, or off")
        })?;
    Ok(JudgeSample(Some(n)))
}

/// What the judge found in one request key's answers.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Judged {
    pub judged: u64,
    /// Check id → judged responses that broke what the document states.
    pub violations: BTreeMap<String, u64>,
    /// Check id → judged responses that broke what the contract rests on weaker evidence (the
    /// framework's default, a convention), or a `should`: not violations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub warnings: BTreeMap<String, u64>,
    /// Of `judged`, the answers judged because a documented limit covers them (every one, not
    /// a sample).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub under_limit: u64,
    /// The first violation met (else the first warning), with the curl that sends its request
    /// again (redacted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<JudgedExample>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JudgedExample {
    pub check: String,
    pub status: u16,
    pub failure: String,
    pub curl: String,
    /// A warning's example: the key had no violation.
    #[serde(default, skip_serializing_if = "is_false")]
    pub warning: bool,
}

/// A closed-model run's judging: how often, and what it found by request key. (An open-model
/// run's is in its `OpenStats`.)
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Judgement {
    /// One response in this many was judged; `None`: none were (`--judge off`).
    pub judge_one_in: Option<u64>,
    pub judged: BTreeMap<String, Judged>,
}

impl Judgement {
    pub fn violations(&self) -> u64 {
        violations(&self.judged)
    }
}

/// A violation met on one request key, with its example.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyedExample {
    pub key: String,
    #[serde(flatten)]
    pub example: JudgedExample,
}

impl std::fmt::Display for KeyedExample {
    /// `KEY (CHECK, status N): FAILURE`, as the plans name their example.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let e = &self.example;
        write!(
            f,
            "{} ({}, status {}): {}",
            self.key, e.check, e.status, e.failure
        )
    }
}

/// A run's judging added up over its requests: what a plan shows per step or point.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct JudgedTotal {
    pub judged: u64,
    /// Check id → judged responses that broke what the document states.
    pub violations: BTreeMap<String, u64>,
    /// The first violation met (a warning's example is not one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<KeyedExample>,
}

/// `judged`'s requests added up.
pub fn total(judged: &BTreeMap<String, Judged>) -> JudgedTotal {
    let mut t = JudgedTotal::default();
    for (key, j) in judged {
        t.judged += j.judged;
        for (check, n) in &j.violations {
            *t.violations.entry(check.clone()).or_insert(0) += n;
        }
        if t.example.is_none() {
            t.example = j
                .example
                .as_ref()
                .filter(|e| !e.warning)
                .map(|example| KeyedExample {
                    key: key.clone(),
                    example: example.clone(),
                });
        }
    }
    t
}

/// Judged responses that broke what the document states, over every key.
pub fn violations(judged: &BTreeMap<String, Judged>) -> u64 {
    judged.values().flat_map(|j| j.violations.values()).sum()
}

/// Redact the examples, which hold the requests' credentials, into curls that still run where
/// the profile's variables are set; withhold them when the run met more secrets than it keeps.
pub fn redact_examples(
    judged: &mut BTreeMap<String, Judged>,
    redactor: &Redactor,
    withheld: Option<&str>,
) {
    for j in judged.values_mut() {
        if let Some(e) = &mut j.example {
            match withheld {
                Some(w) => {
                    e.failure = w.to_string();
                    e.curl = w.to_string();
                }
                None => {
                    e.failure = redactor.redact(&e.failure);
                    e.curl = redactor.redact_shell(&e.curl);
                }
            }
        }
    }
}

/// A limit the contract declares, as the judge applies it to every answer it covers.
struct Limit {
    rule: String,
    level: Level,
    basis: Basis,
    note: Option<String>,
    operations: Vec<String>,
    limit: usize,
    window: Duration,
    /// The documented throttling answer.
    answer: Expect,
    /// When the newest `limit + 1` requests to its operations were sent: enough to tell
    /// whether more than `limit` were sent in any window ending now.
    sent: Mutex<VecDeque<Instant>>,
    /// When the newest `limit + 1` requests it let through (answered, not throttled) were sent,
    /// in order.
    let_through: Mutex<Vec<Instant>>,
}

impl Limit {
    fn covers(&self, operation: Option<&str>) -> bool {
        operation.is_some_and(|op| self.operations.iter().any(|o| o == op))
    }

    fn is_throttling(&self, status: u16) -> bool {
        self.answer
            .status
            .as_ref()
            .is_some_and(|s| s.matches(status))
    }

    /// Requests to its operations sent from `since` on.
    fn sent_since(&self, since: Instant) -> usize {
        let sent = self.sent.lock().unwrap_or_else(|p| p.into_inner());
        sent.iter().filter(|t| **t >= since).count()
    }

    /// What the limit says of an answer sent at `sent`: throttled before the limit was reached,
    /// or let through past it.
    fn judge(&self, status: u16, sent: Instant) -> Option<Failure> {
        let within = format!(
            "{} requests allowed in {} s",
            self.limit,
            self.window.as_secs()
        );
        if self.is_throttling(status) {
            // Every request the target counted before this one was sent before its answer came
            // back, so it is in the log by now.
            let since = sent.checked_sub(self.window + LIMIT_SLACK).unwrap_or(sent);
            let n = self.sent_since(since);
            return (n <= self.limit).then(|| {
                Failure::new(
                    "throttling",
                    within,
                    format!("{status} with {n} requests sent in the window, this one among them"),
                )
            });
        }
        let mut through = self.let_through.lock().unwrap_or_else(|p| p.into_inner());
        let at = through.partition_point(|t| *t <= sent);
        through.insert(at, sent);
        if through.len() > self.limit + 1 {
            through.remove(0);
        }
        let span = match (through.first(), through.last()) {
            (Some(a), Some(b)) if through.len() > self.limit => b.duration_since(*a),
            _ => return None,
        };
        (span + LIMIT_SLACK < self.window).then(|| {
            Failure::new(
                "throttling",
                format!("{within}, then {}", self.answer_status()),
                format!(
                    "{} requests let through within {:.1} s",
                    self.limit + 1,
                    span.as_secs_f64()
                ),
            )
        })
    }

    fn answer_status(&self) -> String {
        self.answer
            .status
            .as_ref()
            .map_or_else(|| "the throttling answer".into(), |s| s.to_string())
    }
}

/// Whether the answer numbered `index` (from 0) of `key` is in the sample of one in `n`: the
/// first answer, then one answer at a pseudo-random place in each later block of `n`. Every
/// `n`th answer would alias with a target that fails in a regular pattern (a token bucket
/// refusing every other request above its rate was sampled only on its good answers); one per
/// block keeps the count exact (one per `n` answers) and the run reproducible (the place is a
/// hash of the key and the block, not a random draw).
fn sampled(key: &str, index: u64, n: u64) -> bool {
    let (block, offset) = (index / n, index % n);
    if block == 0 {
        return offset == 0;
    }
    let key_hash = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    // splitmix64's finaliser: the places of neighbouring blocks are unrelated.
    let mut z = key_hash ^ block.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    offset == z % n
}

/// One run's judge, shared by its load users: what to judge, and what it found.
pub struct Judge {
    one_in: Option<u64>,
    /// Per request key, its answers so far: one in `one_in` is sampled, counted from the first
    /// (a sample over all keys would alias with an iteration's fixed sequence of requests and
    /// never pick some of them).
    answered: HashMap<String, AtomicU64>,
    /// Keys the scenario does not name (none expected), counted apart.
    other_answered: Mutex<HashMap<String, u64>>,
    limits: Vec<Limit>,
    /// The statuses of the documented throttling answers.
    throttling: Vec<u16>,
    found: Mutex<BTreeMap<String, Judged>>,
}

impl Judge {
    /// A judge that judges nothing (`--judge off`).
    pub fn off() -> Judge {
        Judge {
            one_in: None,
            answered: HashMap::new(),
            other_answered: Mutex::new(HashMap::new()),
            limits: vec![],
            throttling: vec![],
            found: Mutex::new(BTreeMap::new()),
        }
    }

    /// The judge of a run of `keys` against `spec`'s API, one answer in `one_in` sampled.
    pub fn new(spec: &Spec, keys: Vec<String>, one_in: Option<u64>) -> Judge {
        if one_in.is_none() {
            return Judge::off();
        }
        let limits: Vec<Limit> = spec
            .rules
            .iter()
            .filter_map(|r| {
                let d = r.kind.declared_limit()?;
                Some(Limit {
                    rule: r.id.clone(),
                    level: r.level,
                    basis: r.basis,
                    note: r.note.clone(),
                    operations: d.operations.iter().map(|o| o.to_string()).collect(),
                    limit: d.limit,
                    window: Duration::from_secs(d.window_seconds),
                    answer: d.answer.clone(),
                    sent: Mutex::new(VecDeque::with_capacity(d.limit + 1)),
                    let_through: Mutex::new(Vec::with_capacity(d.limit + 2)),
                })
            })
            .collect();
        let mut throttling: Vec<u16> = limits
            .iter()
            .filter_map(|l| l.answer.status.as_ref())
            .flat_map(|s| (100..600).filter(|c| s.matches(*c)))
            .collect();
        throttling.sort_unstable();
        throttling.dedup();
        Judge {
            one_in,
            answered: keys.into_iter().map(|k| (k, AtomicU64::new(0))).collect(),
            other_answered: Mutex::new(HashMap::new()),
            limits,
            throttling,
            found: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn one_in(&self) -> Option<u64> {
        self.one_in
    }

    /// Before a request to `operation` is sent: when it was sent, if a documented limit covers
    /// it (its answer is then judged whatever the sample).
    pub fn sending(&self, operation: Option<&str>) -> Option<Instant> {
        if self.limits.is_empty() {
            return None;
        }
        let mut at = None;
        for l in self.limits.iter().filter(|l| l.covers(operation)) {
            let now = *at.get_or_insert_with(Instant::now);
            let mut sent = l.sent.lock().unwrap_or_else(|p| p.into_inner());
            if sent.len() > l.limit {
                sent.pop_front();
            }
            sent.push_back(now);
        }
        at
    }

    /// Whether the answer of `key` with `status` is to be judged: sampled, covered by a limit
    /// (`under_limit`), or a throttling answer. Call it once per answer: it counts the sample.
    pub fn wants(&self, key: &str, status: u16, under_limit: bool) -> bool {
        let Some(n) = self.one_in else {
            return false;
        };
        let before = match self.answered.get(key) {
            Some(c) => c.fetch_add(1, Ordering::Relaxed),
            None => {
                let mut o = self
                    .other_answered
                    .lock()
                    .unwrap_or_else(|p| p.into_inner());
                let c = o.entry(key.to_string()).or_insert(0);
                *c += 1;
                *c - 1
            }
        };
        sampled(key, before, n) || under_limit || self.throttling.contains(&status)
    }

    /// Judge one answer: by the conformance checks, and where a limit covers it or it is a
    /// throttling answer, by what the contract says of the limit and of that answer.
    #[allow(clippy::too_many_arguments)]
    pub fn judge(
        &self,
        spec: &Spec,
        target: &Target,
        vars: &Vars,
        key: &str,
        prepared: &Prepared,
        status: u16,
        headers: Vec<(String, String)>,
        body: &[u8],
        took: Duration,
        sent: Option<Instant>,
    ) {
        let exchange = Exchange {
            request: prepared.clone(),
            outcome: Ok(Response::new(status, headers, body.to_vec())),
            elapsed: took,
        };
        // The checks read the exchange, never its view: the view (its curl above all) is made
        // only for an example kept, which most judged answers never are.
        let rec = Recorded {
            exchange,
            view: ExchangeView {
                method: String::new(),
                url: String::new(),
                status: Some(status),
                error: None,
                response_headers: vec![],
                response_body: String::new(),
                elapsed_ms: 0,
                curl: String::new(),
            },
            probe: Probe::No,
        };
        let Ok(response) = &rec.exchange.outcome else {
            return;
        };
        // (check, failure, counts as a violation)
        let mut found: Vec<(String, String, bool)> = vec![];
        for c in Conformance::ALL {
            let Some(failures) = c.judge(&spec.api, &rec) else {
                continue;
            };
            if let Some(f) = failures.first() {
                let stated = failures.iter().any(Failure::is_stated);
                found.push((c.id(&spec.name), f.to_string(), stated));
            }
        }
        let operation = prepared.operation.as_deref();
        let throttling = self.throttling.contains(&status);
        let mut under_limit = false;
        for l in self.limits.iter().filter(|l| l.covers(operation)) {
            under_limit = true;
            let mut failures: Vec<Failure> = vec![];
            if let Some(at) = sent {
                failures.extend(l.judge(status, at));
            }
            if l.is_throttling(status) {
                failures.extend(crate::expect::evaluate(
                    &l.answer, response, &spec.api, vars,
                ));
            }
            found.extend(weighed(
                &l.rule,
                l.level,
                l.basis,
                l.note.as_deref(),
                failures,
            ));
        }
        if throttling {
            for r in spec.rules.iter().filter(|r| r.kind.judges_every_exchange()) {
                if let Some(failures) = r.kind.judge(&spec.api, &rec) {
                    found.extend(weighed(
                        &r.id,
                        r.level,
                        r.basis,
                        r.note.as_deref(),
                        failures,
                    ));
                }
            }
        }
        let mut judged = self.found.lock().unwrap_or_else(|p| p.into_inner());
        let j = judged.entry(key.to_string()).or_default();
        j.judged += 1;
        if under_limit {
            j.under_limit += 1;
        }
        for (check, failure, violation) in found {
            let counts = if violation {
                &mut j.violations
            } else {
                &mut j.warnings
            };
            *counts.entry(check.clone()).or_insert(0) += 1;
            let replace = match &j.example {
                None => true,
                Some(e) => e.warning && violation,
            };
            if replace {
                j.example = Some(JudgedExample {
                    check,
                    status,
                    failure,
                    curl: prepared.curl_at(target),
                    warning: !violation,
                });
            }
        }
    }

    /// What the judge found, by request key (examples not yet redacted).
    pub fn take(&self) -> BTreeMap<String, Judged> {
        std::mem::take(&mut *self.found.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// A rule's failures on one answer: the first, and whether it breaks what the document states
/// in a `must` (a violation) or only something weaker (a warning).
fn weighed(
    rule: &str,
    level: Level,
    basis: Basis,
    note: Option<&str>,
    failures: Vec<Failure>,
) -> Option<(String, String, bool)> {
    let failures: Vec<Failure> = failures
        .into_iter()
        .map(|f| f.on_basis(Some(basis), note))
        .collect();
    let first = failures
        .iter()
        .find(|f| f.is_stated())
        .or(failures.first())?;
    let violation = level == Level::Must && failures.iter().any(Failure::is_stated);
    Some((rule.to_string(), first.to_string(), violation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_is_one_per_block_and_does_not_alias_with_a_pattern() {
        // One per block of n, the first answer always among them.
        for n in [1u64, 2, 10, 50] {
            let picked = (0..n * 40).filter(|&i| sampled("GET /x", i, n)).count() as u64;
            assert_eq!(picked, 40, "one in {n}");
            assert!(sampled("GET /x", 0, n));
        }
        // A target that fails every other answer: a stride of 50 judges only the even ones
        // (every failure missed); the sample must see both kinds.
        let odd = (0..5000u64)
            .filter(|&i| sampled("GET /checklists", i, 50))
            .filter(|i| i % 2 == 1)
            .count();
        assert!(
            (25..=75).contains(&odd),
            "{odd} of 100 sampled answers were odd"
        );
    }

    #[test]
    fn samples_parse_and_bad_ones_say_why() {
        assert_eq!(parse_judge("1/50").unwrap(), JudgeSample(Some(50)));
        assert_eq!(parse_judge("off").unwrap(), JudgeSample(None));
        for bad in ["1/0", "2/50", "50", "1/x"] {
            assert!(parse_judge(bad).unwrap_err().contains("1/N"), "{bad}");
        }
    }

    fn limit(n: usize, window_s: u64) -> Limit {
        Limit {
            rule: "api.throttle".into(),
            level: Level::Must,
            basis: Basis::Stated,
            note: None,
            operations: vec!["op".into()],
            limit: n,
            window: Duration::from_secs(window_s),
            answer: serde_yaml::from_str("{ status: 429 }").unwrap(),
            sent: Mutex::new(VecDeque::new()),
            let_through: Mutex::new(vec![]),
        }
    }

    fn send(l: &Limit, at: Instant) {
        let mut s = l.sent.lock().unwrap();
        if s.len() > l.limit {
            s.pop_front();
        }
        s.push_back(at);
    }

    #[test]
    fn a_limit_kept_is_no_failure_and_a_limit_broken_either_way_is() {
        let t0 = Instant::now();
        let l = limit(5, 60);
        for i in 0..5 {
            send(&l, t0 + Duration::from_millis(i));
            assert!(l.judge(200, t0 + Duration::from_millis(i)).is_none());
        }
        send(&l, t0 + Duration::from_millis(5));
        assert!(l.judge(429, t0 + Duration::from_millis(5)).is_none());
        // A sixth let through within the window breaks the limit.
        let f = l
            .judge(200, t0 + Duration::from_millis(6))
            .expect("let through");
        assert!(f.observed.contains("6 requests let through"), "{f}");
        // Throttled at the first request: before the limit.
        let early = limit(5, 60);
        send(&early, t0);
        let f = early.judge(429, t0).expect("throttled early");
        assert!(f.observed.contains("1 requests sent"), "{f}");
        // Six let through over more than the window: kept.
        let slow = limit(5, 2);
        for i in 0..6 {
            assert!(slow.judge(200, t0 + Duration::from_secs(i)).is_none());
        }
    }
}
