//! A load scenario, as `scenarios/<name>.yaml` writes it: a documented workload of one API,
//! the sentence of its document that motivates it, the requests it makes, and how many of each
//! it will make as a function of the dataset. Loading checks everything a run would trip on
//! (operations, variables, JSONPaths, formulas, that every request has a prediction) and names
//! the file, line and column of each mistake.
//!
//! Its steps are the contracts' `spec::step::Step`, with the fields only a scenario takes
//! (`follow`, `each`, `item`, `then`; `repeat` in setup). Loading compiles each load step into a
//! [`LoadStep`]: its key, and its JSONPaths parsed once for the whole run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde_json_path::JsonPath;

use super::formula::{EvalError, Formula, MAX_COUNT};
use crate::contract::context::LintCx;
use crate::contract::step::{Expect, Request, StatusMatch, Step};
use crate::error::{suggest, SpecError, SpecErrorKind, SpecErrors};
use crate::locate::{pointer_of, Locator, Pointer};
use crate::openapi::yaml_error_location;
use crate::spec::{normalize_ws, shape_error, Spec, SpecsRoot};

/// The variable a repeated setup step counts with.
pub const SETUP_INDEX: &str = "setup_index";

/// Names every prediction may use besides the dataset's.
pub const RUN_VARS: &[&str] = &["concurrency", "iterations"];

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    name: String,
    api: String,
    title: String,
    cite: OneOrMany,
    note: Option<String>,
    #[serde(default)]
    dataset: BTreeMap<String, DatasetVar>,
    #[serde(default)]
    setup: Vec<Step>,
    export: Option<Vec<Step>>,
    #[serde(default)]
    on_start: Vec<Step>,
    transactions: Option<Vec<TransactionFile>>,
    predict: BTreeMap<String, String>,
    #[serde(default)]
    limits: Vec<LimitFile>,
    shard: Option<ShardWalkFile>,
}

/// How `--shard` divides the pages of one walk of an export (see [`ShardWalk`]).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShardWalkFile {
    walk: String,
    page: String,
    per_page: u64,
    items: String,
}

/// The walk of an export whose pages `--shard I/N` divides among the shards: its pages are
/// asked by number (the query parameter `page`, counting from the step's own value), page `p`
/// (from 0) by shard `p mod N`, each with its items' fan-out. How many pages there are comes
/// from the dataset: `items` of them, `per_page` a page (at least one page).
#[derive(Debug, Clone, PartialEq)]
pub struct ShardWalk {
    /// The key of the walk (a step of `export` with `follow`).
    pub key: String,
    /// The query parameter that numbers its pages.
    pub page: String,
    /// The number of its first page, as the step asks it.
    pub first: u64,
    pub per_page: u64,
    /// The dataset variable counting its items.
    pub items: String,
}

/// One size of the dataset a prediction depends on.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetVar {
    /// The mock's value (what `specgate load` runs with unless told otherwise).
    pub default: f64,
    /// `--users N` sets this one, and the embedded mock is started with N records.
    #[serde(default)]
    pub mock_size: bool,
    pub about: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TransactionFile {
    name: String,
    #[serde(default = "one")]
    weight: usize,
    steps: Vec<Step>,
}

fn one() -> usize {
    1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitFile {
    name: String,
    #[serde(default)]
    requests: Vec<String>,
    rate: String,
    per_seconds: f64,
    cite: OneOrMany,
    note: Option<String>,
}

/// One load step of a scenario (a `Step`), compiled for the run: its request, and what follows
/// from its answer.
#[derive(Debug)]
pub struct LoadStep {
    /// `METHOD name`: the key of its counts, predictions, thresholds (`p95<50ms for GET /users`).
    pub key: String,
    /// The name goose records (the key without its method).
    pub name: String,
    pub request: Request,
    /// The statuses that count as success; without it, any 2xx.
    pub expect: Option<StatusMatch>,
    /// Variable → JSONPath into the answer: in scope for the steps after it.
    pub capture: Vec<(String, JsonPath)>,
    /// Where the answer gives the next page's URL: the step is asked again there, until absent.
    pub follow: Option<JsonPath>,
    /// The items of the answer; `then` runs once for each of them.
    pub each: Option<JsonPath>,
    /// Variable → JSONPath into one item (`$` is the item).
    pub item: Vec<(String, JsonPath)>,
    pub then: Vec<Arc<LoadStep>>,
}

impl LoadStep {
    /// Whether the answer must be parsed (to capture, follow or fan out), not only drained.
    pub fn reads_body(&self) -> bool {
        !self.capture.is_empty() || self.follow.is_some() || self.each.is_some()
    }
}

/// A weighted sequence of steps each load user repeats.
#[derive(Debug)]
pub struct Transaction {
    pub name: String,
    pub weight: usize,
    pub steps: Vec<Arc<LoadStep>>,
}

/// How the work is shared among the load users.
#[derive(Debug)]
pub enum Work {
    /// One job for the whole run: every step once, its pages and its fan-out queued for whichever
    /// load user is free. The run ends when the export does.
    Export(Vec<Arc<LoadStep>>),
    /// Each load user runs `on_start` once, then the transactions, each `weight` times an
    /// iteration.
    Mix {
        on_start: Vec<Arc<LoadStep>>,
        transactions: Vec<Transaction>,
    },
}

/// A documented rate limit the load must stay under.
#[derive(Debug, Clone)]
pub struct Limit {
    pub name: String,
    /// Request keys it applies to; empty: every request.
    pub requests: Vec<String>,
    /// Requests allowed per `per_seconds`, a formula over the dataset.
    pub rate: Formula,
    pub per_seconds: f64,
    pub cite: Vec<String>,
    pub note: Option<String>,
}

impl Limit {
    pub fn applies_to(&self, key: &str) -> bool {
        self.requests.is_empty() || self.requests.iter().any(|r| r == key)
    }
}

/// A loaded, checked scenario.
#[derive(Debug)]
pub struct Scenario {
    pub file: PathBuf,
    pub name: String,
    pub title: String,
    pub cite: Vec<String>,
    pub note: Option<String>,
    pub spec: Arc<Spec>,
    pub dataset: BTreeMap<String, DatasetVar>,
    /// Requests made before the load starts (not counted): ids and data the work needs, each
    /// step as many times as its formula (its `repeat`) says, once without one;
    /// `{{setup_index}}` counts from 0.
    pub setup: Vec<(Step, Option<Formula>)>,
    pub work: Work,
    /// Request key → predicted count.
    pub predict: BTreeMap<String, Formula>,
    pub limits: Vec<Limit>,
    /// The walk whose pages `--shard` divides; `None`: the export's walks go whole to shards.
    pub shard_walk: Option<ShardWalk>,
}

impl Scenario {
    /// The dataset variable `--users` sets, if the scenario has one.
    pub fn size_var(&self) -> Option<&str> {
        self.dataset
            .iter()
            .find(|(_, v)| v.mock_size)
            .map(|(k, _)| k.as_str())
    }

    /// Every request key the scenario can make, in the order it first makes them.
    pub fn keys(&self) -> Vec<String> {
        fn walk(s: &LoadStep, out: &mut Vec<String>) {
            if !out.contains(&s.key) {
                out.push(s.key.clone());
            }
            s.then.iter().for_each(|t| walk(t, out));
        }
        let mut out = vec![];
        match &self.work {
            Work::Export(steps) => steps.iter().for_each(|s| walk(s, &mut out)),
            Work::Mix {
                on_start,
                transactions,
            } => {
                on_start.iter().for_each(|s| walk(s, &mut out));
                for t in transactions {
                    t.steps.iter().for_each(|s| walk(s, &mut out));
                }
            }
        }
        out
    }

    /// The predicted count of every request key for `vars` (dataset plus run variables). A
    /// formula that divides by zero, overflows or goes below 0 is an error naming it and its
    /// place in the scenario file.
    pub fn predicted(
        &self,
        vars: &BTreeMap<String, f64>,
    ) -> Result<BTreeMap<String, u64>, EvalError> {
        self.predict
            .iter()
            .map(|(k, f)| f.count(vars).map(|n| (k.clone(), n)))
            .collect()
    }

    /// Check every cite against the API's document text.
    pub fn check_cites(&self, document_text: &str) -> Vec<String> {
        let doc = normalize_ws(document_text);
        self.cite
            .iter()
            .chain(self.limits.iter().flat_map(|l| l.cite.iter()))
            .filter(|c| !doc.contains(&normalize_ws(c)))
            .cloned()
            .collect()
    }
}

/// A dataset variable counts things (users, items, requests a minute): a whole number, 0 or
/// more, and small enough for an `f64` to hold exactly. `Err` says what is wrong.
pub fn check_dataset_value(v: f64) -> Result<(), String> {
    if !v.is_finite() || v < 0.0 {
        Err(format!(
            "{v} is not a count: give a whole number, 0 or more"
        ))
    } else if v.fract() != 0.0 {
        Err(format!("{v} is not a whole number"))
    } else if v > MAX_COUNT {
        Err(format!(
            "{v:e} is past the {MAX_COUNT:e} a count can hold exactly"
        ))
    } else {
        Ok(())
    }
}

/// Load `file`, with the specs under `specs_root` (the scenario names its API).
pub fn load_scenario(file: &Path, specs_root: &Path) -> Result<Scenario, SpecErrors> {
    load_scenario_in(file, &SpecsRoot::Folder(specs_root.to_path_buf()))
}

/// Load `file`, with the specs of `specs` (a folder, or the built-in ones).
pub fn load_scenario_in(file: &Path, specs: &SpecsRoot) -> Result<Scenario, SpecErrors> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        SpecErrors(vec![SpecError::new(
            crate::error::Location {
                file: file.to_path_buf(),
                line: 0,
                column: 0,
            },
            SpecErrorKind::Io(e.to_string()),
        )
        .with_hint(
            "give the path of a scenario file, such as scenarios/checklick-export.yaml",
        )])
    })?;
    let loc = Locator::new(file, &text).map_err(|e| SpecErrors(vec![*e]))?;
    let value: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| {
        SpecErrors(vec![SpecError::new(
            yaml_error_location(&loc, &e),
            SpecErrorKind::Syntax(e.to_string()),
        )])
    })?;
    let raw: ScenarioFile = serde_path_to_error::deserialize(value).map_err(|e| {
        let at = pointer_of(&Pointer::root(), e.path());
        SpecErrors(vec![shape_error(&loc, &at, &e.inner().to_string())])
    })?;
    let root = Pointer::root();
    let Some(source) = specs.find(&raw.api) else {
        let names = specs.names();
        return Err(SpecErrors(vec![loc
            .error(
                &root.key("api"),
                SpecErrorKind::UnknownName {
                    what: "API",
                    name: raw.api.clone(),
                },
            )
            .with_hint(suggest(&raw.api, names.iter().map(String::as_str)))]));
    };
    let spec = Arc::new(source.load()?);
    let mut errors = SpecErrors::default();
    let mut cx = spec.contract.lint_cx(&spec.api, &loc, &mut errors);
    let compiled = compile(raw, &spec, &mut cx);
    if errors.is_empty() {
        if let Some(mut s) = compiled {
            s.file = file.to_path_buf();
            return Ok(s);
        }
    }
    Err(errors)
}

fn compile(raw: ScenarioFile, spec: &Arc<Spec>, cx: &mut LintCx) -> Option<Scenario> {
    let root = Pointer::root();
    check_dataset(cx, &raw.dataset);
    let cites = raw.cite.into_vec();
    if cites.iter().all(|c| c.trim().is_empty()) {
        cx.invalid(
            &root.key("cite"),
            "the cite is empty".into(),
            "quote the sentence of the document that describes this workload".into(),
        );
    }
    // Setup runs first: its captures are in scope for every step of the load.
    cx.begin_rule();
    cx.define_var(SETUP_INDEX);
    for (i, step) in raw.setup.iter().enumerate() {
        step.validate_allowing(cx, &root.key("setup").index(i), &["repeat"]);
    }
    let work = compile_work(cx, raw.export, raw.transactions, &raw.on_start)?;
    let mut scenario = Scenario {
        file: PathBuf::new(),
        name: raw.name,
        title: raw.title,
        cite: cites,
        note: raw.note,
        spec: spec.clone(),
        dataset: raw.dataset,
        setup: vec![],
        work,
        predict: BTreeMap::new(),
        limits: vec![],
        shard_walk: None,
    };
    let keys = scenario.keys();
    let formulas = Formulas {
        known: scenario
            .dataset
            .keys()
            .cloned()
            .chain(RUN_VARS.iter().map(|s| s.to_string()))
            .collect(),
    };
    for (i, step) in raw.setup.into_iter().enumerate() {
        let repeat = step.repeat.as_ref().and_then(|r| {
            let what = format!("the repeat count of setup step {}", i + 1);
            formulas.compile(cx, &root.key("setup").index(i).key("repeat"), what, r)
        });
        scenario.setup.push((step, repeat));
    }
    scenario.predict = compile_predictions(cx, &formulas, &keys, &raw.predict);
    scenario.limits = compile_limits(cx, &formulas, &keys, raw.limits);
    if let Some(file) = raw.shard {
        scenario.shard_walk = compile_shard_walk(cx, &scenario, file);
    }
    Some(scenario)
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(c) => vec![c],
            OneOrMany::Many(c) => c,
        }
    }
}

/// The `shard` block: a walk among the export's steps, numbered by a query parameter the step
/// gives as a whole number, and a dataset variable counting its items.
fn compile_shard_walk(
    cx: &mut LintCx,
    scenario: &Scenario,
    file: ShardWalkFile,
) -> Option<ShardWalk> {
    let at = Pointer::root().key("shard");
    let Work::Export(roots) = &scenario.work else {
        cx.invalid(
            &at,
            "only an export divides a walk's pages among shards".into(),
            "remove `shard`: transactions scenarios are sharded by their iterations".into(),
        );
        return None;
    };
    let Some(step) = roots
        .iter()
        .find(|r| r.key == file.walk && r.follow.is_some())
    else {
        let walks: Vec<&str> = roots
            .iter()
            .filter(|r| r.follow.is_some())
            .map(|r| r.key.as_str())
            .collect();
        cx.invalid(
            &at.key("walk"),
            format!(
                "`{}` is not a walk of the export (a step of `export` with `follow`)",
                file.walk
            ),
            suggest(&file.walk, walks.iter().copied()),
        );
        return None;
    };
    let first = step.request.query.get(&file.page).and_then(|v| match v {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(t) => t.parse().ok(),
        _ => None,
    });
    let Some(first) = first else {
        cx.invalid(
            &at.key("page"),
            format!(
                "the walk `{}` does not give `{}` in its query as a whole number",
                file.walk, file.page
            ),
            format!(
                "give the first page in the step's query, e.g. `\"{}\": 1`",
                file.page
            ),
        );
        return None;
    };
    if file.per_page == 0 {
        cx.invalid(
            &at.key("per_page"),
            "a page of 0 items".into(),
            "give the page size the walk asks for, e.g. 20".into(),
        );
        return None;
    }
    if !scenario.dataset.contains_key(&file.items) {
        cx.push(
            &at.key("items"),
            SpecErrorKind::UnknownName {
                what: "dataset variable",
                name: file.items.clone(),
            },
            suggest(&file.items, scenario.dataset.keys().map(String::as_str)),
        );
        return None;
    }
    Some(ShardWalk {
        key: file.walk,
        page: file.page,
        first,
        per_page: file.per_page,
        items: file.items,
    })
}

/// Every default a count, and at most one variable the one `--users` sets.
fn check_dataset(cx: &mut LintCx, dataset: &BTreeMap<String, DatasetVar>) {
    let root = Pointer::root();
    for (name, v) in dataset {
        if let Err(why) = check_dataset_value(v.default) {
            cx.invalid(
                &root.key("dataset").key(name).key("default"),
                format!("`{name}`: {why}"),
                "give a whole number such as 95".into(),
            );
        }
    }
    if dataset.values().filter(|v| v.mock_size).count() > 1 {
        cx.invalid(
            &root.key("dataset"),
            "more than one dataset variable has `mock_size: true`".into(),
            "`--users` sets one size: mark only the main collection".into(),
        );
    }
}

/// The work: an export, or transactions (with their `on_start`); `None` when the scenario has
/// neither or both.
fn compile_work(
    cx: &mut LintCx,
    export: Option<Vec<Step>>,
    transactions: Option<Vec<TransactionFile>>,
    on_start: &[Step],
) -> Option<Work> {
    let root = Pointer::root();
    match (export, transactions) {
        (Some(export), None) => {
            if !on_start.is_empty() {
                cx.invalid(
                    &root.key("on_start"),
                    "an export has no `on_start`: its work is shared, not per load user".into(),
                    "put the steps under `setup` (run once, not counted) or into `export`".into(),
                );
            }
            Some(Work::Export(steps(cx, &export, &root.key("export"), false)))
        }
        (None, Some(transactions)) => {
            let on_start = steps(cx, on_start, &root.key("on_start"), true);
            let transactions = compile_transactions(cx, &transactions);
            Some(Work::Mix {
                on_start,
                transactions,
            })
        }
        _ => {
            cx.invalid(
                &root,
                "a scenario has either `export` (shared work that ends when done) or \
                 `transactions` (weighted, repeated by each load user)"
                    .into(),
                "give exactly one of them".into(),
            );
            None
        }
    }
}

/// The transactions, each with a weight of 1 or more; at least one.
fn compile_transactions(cx: &mut LintCx, raw: &[TransactionFile]) -> Vec<Transaction> {
    let root = Pointer::root();
    let mut out = vec![];
    for (i, t) in raw.iter().enumerate() {
        let at = root.key("transactions").index(i);
        if t.weight == 0 {
            cx.invalid(
                &at.key("weight"),
                "a weight of 0 never runs".into(),
                "give 1 or more, or remove the transaction".into(),
            );
        }
        // A transaction's captures are its own: the next transaction does not see them.
        let before = cx.vars.clone();
        let steps = steps(cx, &t.steps, &at.key("steps"), true);
        cx.vars = before;
        out.push(Transaction {
            name: t.name.clone(),
            weight: t.weight,
            steps,
        });
    }
    if out.is_empty() {
        cx.invalid(
            &root.key("transactions"),
            "no transactions".into(),
            "give at least one".into(),
        );
    }
    out
}

/// Compiles the scenario's formulas: each may name the dataset's variables and [`RUN_VARS`].
struct Formulas {
    known: BTreeSet<String>,
}

impl Formulas {
    /// The formula `text` at `at` (`what` names it in evaluation errors); `None` when it does
    /// not parse. An unknown name is an error too, but the formula is still returned.
    fn compile(&self, cx: &mut LintCx, at: &Pointer, what: String, text: &str) -> Option<Formula> {
        match Formula::parse(text) {
            Ok(f) => {
                let f = f.located(what, cx.loc.value(at));
                for name in f.names() {
                    if !self.known.contains(&name) {
                        cx.push(
                            at,
                            SpecErrorKind::UnknownName {
                                what: "dataset variable",
                                name: name.clone(),
                            },
                            format!(
                                "{}; declare it under `dataset`",
                                suggest(&name, self.known.iter().map(String::as_str))
                            ),
                        );
                    }
                }
                Some(f)
            }
            Err(e) => {
                cx.invalid(
                    at,
                    e.to_string(),
                    "e.g. `pages(users, 20) + 3 * users`".into(),
                );
                None
            }
        }
    }
}

/// The predictions: each of a request key the scenario makes, and one for every such key.
fn compile_predictions(
    cx: &mut LintCx,
    formulas: &Formulas,
    keys: &[String],
    predict: &BTreeMap<String, String>,
) -> BTreeMap<String, Formula> {
    let root = Pointer::root();
    let mut out = BTreeMap::new();
    for (key, text) in predict {
        let at = root.key("predict").key(key);
        if !keys.contains(key) {
            cx.push(
                &at,
                SpecErrorKind::UnknownName {
                    what: "request",
                    name: key.clone(),
                },
                format!(
                    "{}; a prediction is keyed by `METHOD name` of a step",
                    suggest(key, keys.iter().map(String::as_str))
                ),
            );
        }
        if let Some(f) = formulas.compile(cx, &at, format!("the prediction of `{key}`"), text) {
            out.insert(key.clone(), f);
        }
    }
    for key in keys {
        if !predict.contains_key(key) {
            cx.invalid(
                &root.key("predict"),
                format!("no prediction for `{key}`"),
                format!("add `{key}: <formula>` under `predict`"),
            );
        }
    }
    out
}

/// The limits: each on request keys the scenario makes, over a window longer than 0.
fn compile_limits(
    cx: &mut LintCx,
    formulas: &Formulas,
    keys: &[String],
    raw: Vec<LimitFile>,
) -> Vec<Limit> {
    let mut out = vec![];
    for (i, l) in raw.into_iter().enumerate() {
        let at = Pointer::root().key("limits").index(i);
        for (j, r) in l.requests.iter().enumerate() {
            if !keys.contains(r) {
                cx.push(
                    &at.key("requests").index(j),
                    SpecErrorKind::UnknownName {
                        what: "request",
                        name: r.clone(),
                    },
                    suggest(r, keys.iter().map(String::as_str)),
                );
            }
        }
        if l.per_seconds.is_nan() || l.per_seconds <= 0.0 {
            cx.invalid(
                &at.key("per_seconds"),
                "a limit's window must be longer than 0 seconds".into(),
                "e.g. `per_seconds: 60` for a rate per minute".into(),
            );
        }
        let what = format!("the rate of limit `{}`", l.name);
        if let Some(rate) = formulas.compile(cx, &at.key("rate"), what, &l.rate) {
            out.push(Limit {
                name: l.name,
                requests: l.requests,
                rate,
                per_seconds: l.per_seconds,
                cite: l.cite.into_vec(),
                note: l.note,
            });
        }
    }
    out
}

/// Compile a list of steps. `sequential`: each step's captures are in scope for the steps after
/// it (a transaction); otherwise only for its own `then` (independent export jobs).
fn steps(cx: &mut LintCx, raw: &[Step], at: &Pointer, sequential: bool) -> Vec<Arc<LoadStep>> {
    let mut out = vec![];
    for (i, s) in raw.iter().enumerate() {
        let before = cx.vars.clone();
        out.push(Arc::new(step(cx, s, &at.index(i))));
        if !sequential {
            cx.vars = before;
        }
    }
    out
}

fn step(cx: &mut LintCx, s: &Step, at: &Pointer) -> LoadStep {
    s.refuse_scenario_fields(cx, at, &["follow", "each", "item", "then"]);
    s.request.validate(cx, &at.key("request"));
    // The load counts answers by status; what else an answer must be is the contract's to judge.
    let status = s.expect.as_ref().and_then(|e| {
        let rest = Expect {
            status: None,
            ..e.clone()
        };
        if rest != Expect::default() {
            cx.invalid(
                &at.key("expect"),
                "a load step's `expect` holds only a `status`".into(),
                "give the statuses that count as success (`expect: 201`); the contract's rules \
                 judge the rest of an answer"
                    .into(),
            );
        }
        e.status.clone()
    });
    let op = s
        .request
        .operation
        .as_ref()
        .and_then(|id| cx.api.operations.get(id));
    let method = s.request.effective_method(op.map(|o| o.method.as_str()));
    let name = s
        .name
        .clone()
        .or_else(|| s.request.path.clone())
        .or_else(|| op.map(|o| o.path.clone()))
        .unwrap_or_default();
    let path = |cx: &mut LintCx, at: &Pointer, text: &str| -> Option<JsonPath> {
        if text.contains("{{") {
            cx.invalid(
                at,
                "a load step's JSONPath cannot hold variables".into(),
                "select with a fixed path; it is compiled once for the whole run".into(),
            );
            return None;
        }
        cx.jsonpath(at, text);
        crate::jsonpath::parse(text).ok()
    };
    let capture: Vec<(String, JsonPath)> = s
        .capture
        .iter()
        .filter_map(|(k, p)| path(cx, &at.key("capture").key(k), p).map(|p| (k.clone(), p)))
        .collect();
    let follow = s
        .follow
        .as_ref()
        .and_then(|p| path(cx, &at.key("follow"), p));
    let each = s.each.as_ref().and_then(|p| path(cx, &at.key("each"), p));
    if s.each.is_none() && !s.item.is_empty() {
        cx.invalid(
            &at.key("item"),
            "`item` captures need `each`".into(),
            "name the items with `each: $.data[*]`".into(),
        );
    }
    let item: Vec<(String, JsonPath)> = s
        .item
        .iter()
        .filter_map(|(k, p)| path(cx, &at.key("item").key(k), p).map(|p| (k.clone(), p)))
        .collect();
    // The children see this step's captures and its item's.
    let before = cx.vars.clone();
    for (k, _) in capture.iter().chain(item.iter()) {
        cx.define_var(k);
    }
    let then = steps(cx, &s.then, &at.key("then"), true);
    cx.vars = before;
    for (k, _) in &capture {
        cx.define_var(k);
    }
    LoadStep {
        key: format!("{method} {name}"),
        name,
        request: s.request.clone(),
        expect: status,
        capture,
        follow,
        each,
        item,
        then,
    }
}

/// Every `*.yaml` scenario under `root`, sorted.
pub fn discover(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    out.sort();
    Ok(out)
}
