//! The result file of a shard (`specgate load --shard I/N`), and the exact merge of a set of
//! them (`specgate merge`): the set must be one run's every shard, once each; the counts are
//! added and judged against the whole run's prediction, and the percentiles read from the
//! added histograms.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::latency::{self, latency_of, Histograms};
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
    match &result.run.shard {
        Some(ShardRun { index: Some(_), .. }) => Ok(result),
        _ => Err(not("it names no shard".into())),
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
                        predicted: reference.predicted_total.get(&q.key).copied(),
                        observed: 0,
                        failed: 0,
                        statuses: BTreeMap::new(),
                        latency: Default::default(),
                    });
                    requests.len() - 1
                }
            };
            let m = &mut requests[i];
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
    // A key predicted but never made by any shard is a count of 0 against its prediction.
    for (k, n) in &reference.predicted_total {
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
        // Shards are of the closed model: `load --rate` refuses `--shard`.
        open: None,
    })
}
