//! The result file of a shard (`specgate load --shard I/N`), and the exact merge of a set of
//! them (`specgate merge`): the set must be one run's every shard, once each; the counts are
//! added and judged against the whole run's prediction, and the percentiles read from the
//! added histograms.
//!
//! Shards of the open model (`load --rate R --shard I/N`) carry their schedule's counts, the
//! sampled responses judged, and their corrected (from the intended send) and lateness
//! histograms beside the uncorrected ones; the merge adds those too, and predicts each count as
//! the shards' predictions added (each shard runs one stream of iterations, `on_start` once,
//! and predicts from the iterations it completed, as an unsharded open-model run does).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::latency::{self, latency_of, new_histogram, Histograms};
use super::open::{Judged, OpenStats, Schedule, ScheduleShare};
use super::run::{Ended, LimitUse, LoadRun, RequestStats, ThresholdOutcome, Totals};
use super::shard::ShardRun;

/// What a result file says it is, so another JSON file is refused for what it is.
pub const RESULT_FORMAT: &str = "specgate-shard-result/1";

/// The largest result file read: a shard's counts and histograms take kilobytes.
pub const MAX_RESULT_BYTES: u64 = 64 << 20;

/// One shard's result: its run (its `shard` says which, and its requests predict its share)
/// and its histograms (V2, base64), by request key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardResult {
    pub format: String,
    pub run: LoadRun,
    pub histograms: BTreeMap<String, String>,
    /// An open-model shard's times from the intended send (V2, base64), by request key.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub corrected_histograms: BTreeMap<String, String>,
    /// An open-model shard's lateness of its starts, in microseconds (V2, base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lateness_histogram: Option<String>,
}

impl ShardResult {
    /// The result of a shard's run; `None` when the run was not a shard's.
    pub fn of(run: &LoadRun) -> Option<ShardResult> {
        run.shard.as_ref().filter(|s| s.index.is_some())?;
        Some(ShardResult {
            format: RESULT_FORMAT.to_string(),
            run: run.clone(),
            histograms: run
                .histograms
                .by_key
                .iter()
                .map(|(k, h)| (k.clone(), latency::encode(h)))
                .collect(),
            corrected_histograms: run
                .open
                .iter()
                .flat_map(|o| o.corrected_histograms.by_key.iter())
                .map(|(k, h)| (k.clone(), latency::encode(h)))
                .collect(),
            lateness_histogram: run
                .open
                .as_ref()
                .and_then(|o| o.lateness_histogram.as_ref())
                .map(latency::encode),
        })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Why a set of results was not merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("no result files were given (give files, or a folder holding them)")]
    Empty,
    #[error("{path}: {why}")]
    Unreadable { path: PathBuf, why: String },
    #[error("{path}: not a shard result ({why})")]
    NotAResult { path: PathBuf, why: String },
    #[error("{path}: the histogram of `{key}`: {why}")]
    Histogram {
        path: PathBuf,
        key: String,
        why: latency::HistogramError,
    },
    #[error("shard {index} of {count} is given twice: {first} and {second}")]
    Duplicate {
        index: usize,
        count: usize,
        first: PathBuf,
        second: PathBuf,
    },
    #[error("shard(s) {missing} of {count} missing (indexes count from 0): every shard's result is needed for an exact merge")]
    Missing { missing: String, count: usize },
    #[error("{path} is not a shard of the same run as {reference}: {why}")]
    Foreign {
        path: PathBuf,
        reference: PathBuf,
        why: String,
    },
}

/// The result files at `paths`: each a file, or a folder whose `*.json` files are read (not its
/// sub-folders).
pub fn result_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, MergeError> {
    let mut out = vec![];
    for p in paths {
        if p.is_dir() {
            let entries = std::fs::read_dir(p).map_err(|e| MergeError::Unreadable {
                path: p.clone(),
                why: e.to_string(),
            })?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|f| f.is_file() && f.extension().is_some_and(|x| x == "json"))
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    if out.is_empty() {
        return Err(MergeError::Empty);
    }
    Ok(out)
}

/// Read one result file.
pub fn read_result(path: &Path) -> Result<ShardResult, MergeError> {
    let unreadable = |why: String| MergeError::Unreadable {
        path: path.to_path_buf(),
        why,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| unreadable(e.to_string()))?
        .len();
    if size > MAX_RESULT_BYTES {
        return Err(unreadable(format!(
            "{size} bytes, more than the {MAX_RESULT_BYTES} a shard's result takes"
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| unreadable(e.to_string()))?;
    let not = |why: String| MergeError::NotAResult {
        path: path.to_path_buf(),
        why,
    };
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| not(format!("not JSON: {e}")))?;
    match value.get("format").and_then(|f| f.as_str()) {
        Some(RESULT_FORMAT) => {}
        Some(other) => {
            return Err(not(format!(
                "its format is `{other}`, not `{RESULT_FORMAT}`"
            )))
        }
        None => {
            return Err(not(format!(
                "it has no `format: {RESULT_FORMAT}`; `specgate load --shard I/N` writes one"
            )))
        }
    }
    let result: ShardResult = serde_json::from_value(value).map_err(|e| not(e.to_string()))?;
    if let Some(o) = &result.run.open {
        // Without them the merge could not give the corrected times or the lateness.
        if o.sharded.is_none() {
            return Err(not(
                "its open-model part names no share of a whole schedule".into(),
            ));
        }
        if result.run.requests_total > 0 && result.corrected_histograms.is_empty() {
            return Err(not(
                "an open-model shard without its corrected histograms".into()
            ));
        }
        if o.started > 0 && result.lateness_histogram.is_none() {
            return Err(not(
                "an open-model shard without its lateness histogram".into()
            ));
        }
    }
    match &result.run.shard {
        Some(ShardRun { index: Some(_), .. }) => Ok(result),
        _ => Err(not("it names no shard".into())),
    }
}

/// How the run of `o` generated its load, for a refusal.
fn model(o: Option<&OpenStats>) -> String {
    match o {
        Some(o) => format!("the open model (--rate {})", rate_text(o)),
        None => "the closed model (load users)".into(),
    }
}

fn rate_text(o: &OpenStats) -> String {
    if o.rate.is_ramp() {
        format!("{} --ramp {}s", o.rate, o.ramp_s)
    } else {
        o.rate.to_string()
    }
}

/// Why the open-model part of `r` is not of the same run as `reference`'s; `None`: it is.
fn foreign_schedule(r: Option<&OpenStats>, reference: Option<&OpenStats>) -> Option<String> {
    match (r, reference) {
        (None, None) => None,
        (Some(_), None) | (None, Some(_)) => Some(format!(
            "it is a shard of {}, the run's of {}",
            model(r),
            model(reference)
        )),
        (Some(o), Some(p)) => {
            if o.rate != p.rate || o.ramp_s != p.ramp_s {
                return Some(format!(
                    "its rate is --rate {}, the run's --rate {}: the shards divide one schedule",
                    rate_text(o),
                    rate_text(p)
                ));
            }
            let whole = |x: &OpenStats| x.sharded.as_ref().map(|s| s.whole);
            if whole(o) != whole(p) {
                return Some(format!(
                    "its whole schedule is {} starts, the run's {} (run with another --run-time)",
                    whole(o).unwrap_or(0),
                    whole(p).unwrap_or(0)
                ));
            }
            let start_at = |x: &OpenStats| x.sharded.as_ref().and_then(|s| s.start_at_unix_ms);
            if start_at(o) != start_at(p) {
                let t = |x: &OpenStats| {
                    start_at(x).map_or("none".into(), |ms| format!("{}", super::open::StartAt(ms)))
                };
                return Some(format!(
                    "its schedule began at --start-at {}, the run's at {}: the shards divide one schedule",
                    t(o),
                    t(p)
                ));
            }
            if o.judge_one_in != p.judge_one_in {
                let j = |x: &OpenStats| x.judge_one_in.map_or("none".into(), |n| format!("1/{n}"));
                return Some(format!(
                    "it judges {} of its responses, the run {} (--judge)",
                    j(o),
                    j(p)
                ));
            }
            None
        }
    }
}

/// The shard's `ShardRun`; every result read by [`read_result`] has one with an index.
fn shard_of(r: &ShardResult) -> (usize, &ShardRun) {
    let s = r
        .run
        .shard
        .as_ref()
        .unwrap_or_else(|| unreachable!("read_result refuses a result without a shard"));
    (s.index.unwrap_or_default(), s)
}

/// Merge `results` (each with the file it came from) into the run they are the shards of.
pub fn merge(results: Vec<(PathBuf, ShardResult)>) -> Result<LoadRun, MergeError> {
    let Some((ref_path, reference)) = results.first() else {
        return Err(MergeError::Empty);
    };
    let (_, ref_shard) = shard_of(reference);
    let count = ref_shard.count;
    let mut by_index: BTreeMap<usize, (&PathBuf, &ShardResult)> = BTreeMap::new();
    for (path, r) in &results {
        let (index, s) = shard_of(r);
        let foreign = |why: String| MergeError::Foreign {
            path: path.clone(),
            reference: ref_path.clone(),
            why,
        };
        if r.run.scenario != reference.run.scenario
            || s.scenario_sha256 != ref_shard.scenario_sha256
        {
            return Err(foreign(format!(
                "its scenario is `{}` (file SHA-256 {}), not `{}` ({})",
                r.run.scenario,
                short(&s.scenario_sha256),
                reference.run.scenario,
                short(&ref_shard.scenario_sha256)
            )));
        }
        if r.run.dataset != reference.run.dataset {
            return Err(foreign(format!(
                "its dataset is {}, not {}",
                dataset_text(&r.run.dataset),
                dataset_text(&reference.run.dataset)
            )));
        }
        if s.count != count {
            return Err(foreign(format!(
                "it is shard {index} of {}, the run has {count} shards",
                s.count
            )));
        }
        if let Some(why) = foreign_schedule(r.run.open.as_ref(), reference.run.open.as_ref()) {
            return Err(foreign(why));
        }
        if s.predicted_total != ref_shard.predicted_total {
            return Err(foreign(
                "it predicts another total for the whole run (run with another --concurrency or --iterations)".into(),
            ));
        }
        if let Some((first, _)) = by_index.insert(index, (path, r)) {
            return Err(MergeError::Duplicate {
                index,
                count,
                first: first.clone(),
                second: path.clone(),
            });
        }
    }
    let missing: Vec<String> = (0..count)
        .filter(|i| !by_index.contains_key(i))
        .map(|i| i.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing {
            missing: missing.join(", "),
            count,
        });
    }
    combine(&by_index, ref_shard)
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

fn dataset_text(d: &BTreeMap<String, f64>) -> String {
    d.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Add up the shards, in index order.
fn combine(
    shards: &BTreeMap<usize, (&PathBuf, &ShardResult)>,
    reference: &ShardRun,
) -> Result<LoadRun, MergeError> {
    let first = &shards
        .values()
        .next()
        .map(|(_, r)| r)
        .ok_or(MergeError::Empty)?
        .run;
    let mut histograms = Histograms::default();
    let mut requests: Vec<RequestStats> = vec![];
    let mut thresholds: Vec<ThresholdOutcome> = vec![];
    let mut limits: Vec<LimitUse> = vec![];
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    let mut targets: Vec<String> = vec![];
    let (mut concurrency, mut iterations, mut left_undone) = (0, None::<usize>, 0);
    let mut elapsed_s = 0.0_f64;
    let mut ended = Ended::Completed;
    // An open-model run predicts each count as its shards' predictions added.
    let open = first.open.is_some();
    for (index, (path, r)) in shards {
        let run = &r.run;
        for (key, text) in &r.histograms {
            let h = latency::decode(text).map_err(|why| MergeError::Histogram {
                path: (*path).clone(),
                key: key.clone(),
                why,
            })?;
            let mut one = Histograms::default();
            one.by_key.insert(key.clone(), h);
            histograms.add(&one);
        }
        for q in &run.requests {
            let i = match requests.iter().position(|m| m.key == q.key) {
                Some(i) => i,
                None => {
                    requests.push(RequestStats {
                        key: q.key.clone(),
                        predicted: if open {
                            q.predicted.map(|_| 0)
                        } else {
                            reference.predicted_total.get(&q.key).copied()
                        },
                        observed: 0,
                        failed: 0,
                        statuses: BTreeMap::new(),
                        latency: Default::default(),
                    });
                    requests.len() - 1
                }
            };
            let m = &mut requests[i];
            if open {
                m.predicted = m.predicted.zip(q.predicted).map(|(a, b)| a + b);
            }
            m.observed += q.observed;
            m.failed += q.failed;
            for (s, n) in &q.statuses {
                *m.statuses.entry(s.clone()).or_insert(0) += n;
            }
        }
        thresholds.extend(run.thresholds.iter().map(|t| ThresholdOutcome {
            rule: format!("{} (shard {index})", t.rule),
            ..t.clone()
        }));
        for l in &run.limits {
            match limits.iter_mut().find(|m| m.name == l.name) {
                Some(m) => {
                    m.waits += l.waits;
                    m.rate += l.rate;
                }
                None => limits.push(l.clone()),
            }
        }
        for (e, n) in &run.errors {
            *errors.entry(e.clone()).or_insert(0) += n;
        }
        if !targets.contains(&run.target) {
            targets.push(run.target.clone());
        }
        concurrency += run.concurrency;
        if let Some(n) = run.iterations {
            iterations = Some(iterations.unwrap_or(0) + n);
        }
        left_undone += run.left_undone;
        // The shards run side by side: the run lasted as long as the longest of them.
        elapsed_s = elapsed_s.max(run.elapsed_s);
        if ended == Ended::Completed && run.ended != Ended::Completed {
            ended = run.ended;
        }
    }
    for q in &mut requests {
        q.latency = histograms
            .by_key
            .get(&q.key)
            .map(latency_of)
            .unwrap_or_default();
    }
    // A key predicted but never made by any shard is a count of 0 against its prediction (an
    // open-model shard lists every key of the scenario, predicted for its own iterations).
    for (k, n) in reference.predicted_total.iter().filter(|_| !open) {
        if !requests.iter().any(|q| &q.key == k) {
            requests.push(RequestStats {
                key: k.clone(),
                predicted: Some(*n),
                observed: 0,
                failed: 0,
                statuses: BTreeMap::new(),
                latency: Default::default(),
            });
        }
    }
    let totals = Totals::of(&requests, elapsed_s, &histograms, ended);
    let open = if open {
        Some(combine_open(shards)?)
    } else {
        None
    };
    Ok(LoadRun {
        scenario: first.scenario.clone(),
        title: first.title.clone(),
        api: first.api.clone(),
        cite: first.cite.clone(),
        target: targets.join(", "),
        dataset: first.dataset.clone(),
        concurrency,
        iterations,
        ended,
        elapsed_s,
        requests_total: totals.requests_total,
        failed_total: totals.failed_total,
        throughput_rps: totals.throughput_rps,
        latency: totals.latency,
        prediction_holds: totals.prediction_holds,
        requests,
        thresholds,
        limits,
        errors,
        // Each shard's judging stays in its own result.
        judgement: None,
        left_undone,
        shard: Some(ShardRun {
            index: None,
            ..reference.clone()
        }),
        histograms,
        open,
    })
}

/// Decode `text`, the histogram `what` of the shard at `path`.
fn decoded(
    path: &Path,
    what: &str,
    text: &str,
) -> Result<hdrhistogram::Histogram<u64>, MergeError> {
    latency::decode(text).map_err(|why| MergeError::Histogram {
        path: path.to_path_buf(),
        key: what.to_string(),
        why,
    })
}

/// The open-model parts of the shards (every one has one: [`merge`] refuses a mixed set), added:
/// counts summed, the corrected and lateness histograms added and their percentiles read from
/// the sums, the offered rate the whole schedule's, the achieved rate every start over the
/// longest shard's schedule.
fn combine_open(
    shards: &BTreeMap<usize, (&PathBuf, &ShardResult)>,
) -> Result<OpenStats, MergeError> {
    let parts: Vec<(&PathBuf, &ShardResult, &OpenStats)> = shards
        .values()
        .filter_map(|(path, r)| r.run.open.as_ref().map(|o| (*path, *r, o)))
        .collect();
    let (_, _, o0) = *parts.first().ok_or(MergeError::Empty)?;
    let mut corrected = Histograms::default();
    let mut lateness = new_histogram();
    let mut judged: BTreeMap<String, Judged> = BTreeMap::new();
    let mut m = OpenStats {
        rate: o0.rate,
        ramp_s: o0.ramp_s,
        schedule_s: 0.0,
        scheduled: 0,
        started: 0,
        completed: 0,
        dropped: 0,
        late: 0,
        late_after_ms: o0.late_after_ms,
        lateness: Default::default(),
        offered_rps: 0.0,
        achieved_rps: 0.0,
        max_in_flight: 0,
        in_flight_hits: 0,
        peak_in_flight: 0,
        cut: 0,
        corrected: Default::default(),
        corrected_p999_ms: 0.0,
        corrected_by_key: BTreeMap::new(),
        judge_one_in: o0.judge_one_in,
        judged: BTreeMap::new(),
        sharded: None,
        corrected_histograms: Histograms::default(),
        lateness_histogram: None,
    };
    let began: Vec<u64> = parts
        .iter()
        .filter_map(|(_, _, o)| o.sharded.as_ref()?.began_unix_ms)
        .collect();
    for (path, r, o) in &parts {
        for (key, text) in &r.corrected_histograms {
            let mut one = Histograms::default();
            one.by_key.insert(key.clone(), decoded(path, key, text)?);
            corrected.add(&one);
        }
        if let Some(text) = &r.lateness_histogram {
            latency::add(
                &mut lateness,
                &decoded(path, "lateness of the starts", text)?,
            );
        }
        m.schedule_s = m.schedule_s.max(o.schedule_s);
        m.scheduled += o.scheduled;
        m.started += o.started;
        m.completed += o.completed;
        m.dropped += o.dropped;
        m.late += o.late;
        // Each shard bounds its own iterations: the bound and the peaks add up (the peaks to
        // at most that many at once, as the shards' peaks need not coincide).
        m.max_in_flight += o.max_in_flight;
        m.peak_in_flight += o.peak_in_flight;
        m.in_flight_hits += o.in_flight_hits;
        m.cut += o.cut;
        for (key, j) in &o.judged {
            let into = judged.entry(key.clone()).or_default();
            into.judged += j.judged;
            for (check, n) in &j.violations {
                *into.violations.entry(check.clone()).or_insert(0) += n;
            }
            if into.example.is_none() {
                into.example = j.example.clone();
            }
        }
    }
    let schedule = Schedule {
        rate: m.rate,
        ramp_s: m.ramp_s,
    };
    m.offered_rps = schedule.mean_rate(m.schedule_s);
    m.achieved_rps = if m.schedule_s > 0.0 {
        m.started as f64 / m.schedule_s
    } else {
        0.0
    };
    m.lateness = latency_of(&lateness);
    let all_corrected = corrected.overall();
    m.corrected = latency_of(&all_corrected);
    // As a run reads it (open.rs): µs in the histogram, ms in the report.
    m.corrected_p999_ms = all_corrected.value_at_quantile(0.999) as f64 / 1000.0;
    m.corrected_by_key = corrected
        .by_key
        .iter()
        .map(|(k, h)| (k.clone(), latency_of(h)))
        .collect();
    m.judged = judged;
    m.sharded = Some(ScheduleShare {
        whole: o0.sharded.as_ref().map_or(0, |s| s.whole),
        began_unix_ms: None,
        start_at_unix_ms: o0.sharded.as_ref().and_then(|s| s.start_at_unix_ms),
        began_apart_ms: match (began.iter().min(), began.iter().max()) {
            (Some(a), Some(b)) => Some(b - a),
            _ => None,
        },
    });
    m.corrected_histograms = corrected;
    m.lateness_histogram = Some(lateness);
    Ok(m)
}
