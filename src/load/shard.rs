//! Sharded load runs: `--shard I/N` runs part `I` of `N` (0-based, as Kubernetes'
//! `JOB_COMPLETION_INDEX`) of a scenario's work. Every shard computes its part alone, from the
//! scenario, the dataset and `I/N`; the parts are disjoint and together are the work of one
//! unsharded run, so their counts add up to its prediction (`specgate merge` checks they do).
//!
//! - An export: the walk its `shard` block names has its pages asked by number, page `p` (from
//!   0) by shard `p mod N`, which also fans out that page's items; every other root walk of the
//!   export goes whole to shard `r mod N` (`r` its place among the roots). A shard's prediction
//!   is its share: its pages, the fan-out of its pages' items (the fan-out's formulas with the
//!   item count set to its items), the whole prediction of its roots' keys and 0 of the others'.
//! - Transactions: the iterations are divided (shard `I` runs `iterations / N`, one more when
//!   `I < iterations mod N`), each shard with `--concurrency` load users; its prediction is the
//!   formulas' with its iterations. Each shard runs the setup for itself.
//! - The open model (`--rate`): the starts of the whole run's schedule are numbered from 0, and
//!   shard `I` makes start `i` when `i mod N == I`, at start `i`'s intended time in the whole
//!   schedule (constant or ramp), counted from its own beginning. The union of the shards'
//!   starts is the unsharded schedule, start for start; each shard predicts its counts from the
//!   iterations it completed, as an unsharded open-model run does, and runs `on_start` once.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::scenario::{LoadStep, Scenario, ShardWalk, Work};
use super::work::Page;

/// At most this many shards: each is a machine's or a pod's run, and every one of them is
/// named in the merge.
pub const MAX_SHARDS: usize = 1000;

/// Part `index` of `count` (0-based: `0/4` to `3/4`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    /// `I/N`: `I` from 0 to `N - 1` (as `JOB_COMPLETION_INDEX`), `N` from 1 to [`MAX_SHARDS`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}` is not I/N: give the shard's index (from 0) and the number of shards, e.g. 0/4"))?;
        let index: usize = i.trim().parse().map_err(|_| {
            format!("`{i}` is not a shard index: a whole number from 0 (JOB_COMPLETION_INDEX)")
        })?;
        let count: usize = n
            .trim()
            .parse()
            .map_err(|_| format!("`{n}` is not a number of shards"))?;
        if count == 0 || count > MAX_SHARDS {
            return Err(format!("{count} shards: give 1 to {MAX_SHARDS}"));
        }
        if index >= count {
            return Err(format!(
                "shard {index} of {count}: indexes count from 0, so the last is {}",
                count - 1
            ));
        }
        Ok(Shard { index, count })
    }
}

/// What a shard's run, or a merged run, records of its sharding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardRun {
    /// The shard's index; `None` for the run merged from all of them.
    pub index: Option<usize>,
    pub count: usize,
    /// SHA-256 of the scenario file (hex): shards of different files are not merged.
    pub scenario_sha256: String,
    /// The prediction of the whole, unsharded run.
    pub predicted_total: BTreeMap<String, u64>,
}

/// The SHA-256 of the scenario file's bytes, in hex; `None` when it cannot be read.
pub fn scenario_digest(scenario: &Scenario) -> Option<String> {
    let bytes = std::fs::read(&scenario.file).ok()?;
    Some(hex(&Sha256::digest(&bytes)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A shard's part of the work, and its prediction.
#[derive(Debug)]
pub struct ShardPlan {
    /// An export's root steps for this shard, each with the page it asks (`None`: the whole
    /// walk, or the step as it is).
    pub roots: Vec<(Arc<LoadStep>, Option<Page>)>,
    /// A transactions scenario's iterations per load user for this shard.
    pub iterations: Option<usize>,
    /// The shard's share of each request key's prediction.
    pub share: BTreeMap<String, u64>,
}

/// Part `shard` of the scenario's work: `vars` are the prediction's (the dataset with
/// `concurrency` and `iterations`).
pub fn plan(
    scenario: &Scenario,
    shard: Shard,
    vars: &BTreeMap<String, f64>,
    iterations: Option<usize>,
) -> Result<ShardPlan, String> {
    match &scenario.work {
        Work::Export(roots) => {
            if !scenario.setup.is_empty() {
                return Err("an export with a `setup` is not sharded: each shard would run the setup, and the export would read what every other shard's setup made".into());
            }
            plan_export(scenario, roots, shard, vars)
        }
        Work::Mix { .. } => {
            let total = iterations.ok_or(
                "a sharded transactions scenario needs --iterations: its iterations are what the shards divide",
            )?;
            if total < shard.count {
                return Err(format!(
                    "{total} iterations cannot be divided among {} shards: give at least one a shard",
                    shard.count
                ));
            }
            let mine = share(total as u64, shard) as usize;
            let mut v = vars.clone();
            v.insert("iterations".into(), mine as f64);
            let share = scenario.predicted(&v).map_err(|e| e.to_string())?;
            Ok(ShardPlan {
                roots: vec![],
                iterations: Some(mine),
                share,
            })
        }
    }
}

/// How many of `total` things numbered from 0 are shard `shard`'s, thing `i` going to shard
/// `i mod N`: `total / N`, one more when `I < total mod N`. The shares of `0/N` to `N-1/N` add
/// up to `total`.
pub fn share(total: u64, shard: Shard) -> u64 {
    let n = shard.count as u64;
    total / n + u64::from((shard.index as u64) < total % n)
}

/// The numbers of shard `shard`'s things among `total` numbered from 0: `I`, `I + N`, ….
pub fn numbers(total: u64, shard: Shard) -> impl Iterator<Item = u64> {
    (shard.index as u64..total).step_by(shard.count)
}

/// Every key a step and its `then` make.
fn keys_under(step: &LoadStep, out: &mut Vec<String>) {
    if !out.contains(&step.key) {
        out.push(step.key.clone());
    }
    for t in &step.then {
        keys_under(t, out);
    }
}

fn plan_export(
    scenario: &Scenario,
    roots: &[Arc<LoadStep>],
    shard: Shard,
    vars: &BTreeMap<String, f64>,
) -> Result<ShardPlan, String> {
    // Each key must belong to one root: its prediction then goes whole to that root's shard, or
    // is divided with the walk's pages.
    let mut owner_of: BTreeMap<String, usize> = BTreeMap::new();
    for (r, root) in roots.iter().enumerate() {
        let mut keys = vec![];
        keys_under(root, &mut keys);
        for k in keys {
            if let Some(other) = owner_of.insert(k.clone(), r) {
                if other != r {
                    return Err(format!("`{k}` is made by two steps of the export (roots {} and {}): its prediction cannot be divided among shards", other + 1, r + 1));
                }
            }
        }
    }
    let walk = scenario.shard_walk.as_ref();
    let mut jobs = vec![];
    let mut share = BTreeMap::new();
    let whole = scenario.predicted(vars).map_err(|e| e.to_string())?;
    for (r, root) in roots.iter().enumerate() {
        let mut keys = vec![];
        keys_under(root, &mut keys);
        match walk.filter(|w| w.key == root.key) {
            Some(w) => {
                let pages = walk_pages(w, vars)?;
                let mine: Vec<u64> = (shard.index as u64..pages).step_by(shard.count).collect();
                let items: f64 = mine.iter().map(|&p| items_on(w, vars, p)).sum();
                let mut v = vars.clone();
                v.insert(w.items.clone(), items);
                let fan_out = scenario.predicted(&v).map_err(|e| e.to_string())?;
                for k in &keys {
                    let n = if *k == w.key {
                        mine.len() as u64
                    } else {
                        fan_out.get(k).copied().unwrap_or(0)
                    };
                    share.insert(k.clone(), n);
                }
                jobs.extend(mine.iter().map(|&p| {
                    let page = Page {
                        param: w.page.clone(),
                        number: w.first + p,
                        last: p + 1 == pages,
                    };
                    (root.clone(), Some(page))
                }));
            }
            None => {
                let owned = r % shard.count == shard.index;
                for k in &keys {
                    let n = if owned {
                        whole.get(k).copied().unwrap_or(0)
                    } else {
                        0
                    };
                    share.insert(k.clone(), n);
                }
                if owned {
                    jobs.push((root.clone(), None));
                }
            }
        }
    }
    Ok(ShardPlan {
        roots: jobs,
        iterations: None,
        share,
    })
}

/// The walk's pages for the dataset: `ceil(items / per_page)`, at least one (the first page is
/// asked even when there is nothing to list).
fn walk_pages(w: &ShardWalk, vars: &BTreeMap<String, f64>) -> Result<u64, String> {
    let items = item_count(w, vars)?;
    Ok(items.div_ceil(w.per_page).max(1))
}

fn item_count(w: &ShardWalk, vars: &BTreeMap<String, f64>) -> Result<u64, String> {
    let v = vars
        .get(&w.items)
        .copied()
        .ok_or_else(|| format!("the dataset has no `{}`", w.items))?;
    // Dataset values are checked to be whole counts when the run's dataset is made.
    Ok(v as u64)
}

/// The items on page `p` (from 0) of the walk.
fn items_on(w: &ShardWalk, vars: &BTreeMap<String, f64>, p: u64) -> f64 {
    let items = item_count(w, vars).unwrap_or(0);
    items
        .saturating_sub(p.saturating_mul(w.per_page))
        .min(w.per_page) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shard_is_i_of_n_counted_from_zero() {
        assert_eq!("0/4".parse(), Ok(Shard { index: 0, count: 4 }));
        assert_eq!("3/4".parse(), Ok(Shard { index: 3, count: 4 }));
        for bad in ["4/4", "1/0", "a/4", "1", "-1/4", "0/1001"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert!("4/4"
            .parse::<Shard>()
            .unwrap_err()
            .contains("the last is 3"));
    }

    #[test]
    fn shares_add_up_to_the_whole_and_number_it_once() {
        for (total, n) in [
            (0u64, 4usize),
            (3, 4),
            (400, 4),
            (401, 4),
            (1000, 7),
            (5, 1),
        ] {
            let mut seen = vec![];
            let mut shares = 0;
            for i in 0..n {
                let shard = Shard { index: i, count: n };
                let mine: Vec<u64> = numbers(total, shard).collect();
                assert_eq!(mine.len() as u64, share(total, shard), "{total} over {n}");
                assert!(mine.iter().all(|k| *k as usize % n == i));
                shares += share(total, shard);
                seen.extend(mine);
            }
            seen.sort_unstable();
            assert_eq!(shares, total);
            assert_eq!(seen, (0..total).collect::<Vec<_>>(), "{total} over {n}");
        }
    }

    #[test]
    fn the_pages_and_their_items_are_divided_exactly() {
        let w = ShardWalk {
            key: "GET /users".into(),
            page: "page[number]".into(),
            first: 1,
            per_page: 20,
            items: "users".into(),
        };
        for (users, n) in [(0u64, 4u64), (1, 4), (95, 4), (100, 3), (1000, 7), (95, 1)] {
            let vars = BTreeMap::from([("users".to_string(), users as f64)]);
            let pages = walk_pages(&w, &vars).unwrap();
            let mut seen_pages = 0;
            let mut seen_items = 0.0;
            for i in 0..n {
                let mine: Vec<u64> = (i..pages).step_by(n as usize).collect();
                seen_pages += mine.len() as u64;
                seen_items += mine.iter().map(|&p| items_on(&w, &vars, p)).sum::<f64>();
            }
            assert_eq!(
                seen_pages,
                users.div_ceil(20).max(1),
                "{users} users, {n} shards"
            );
            assert_eq!(seen_items, users as f64, "{users} users, {n} shards");
        }
    }
}
