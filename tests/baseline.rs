//! Baselines, diffs and reruns, in-process against the built-in mocks with faults: a baseline
//! absorbs a known failure and still fails on a new one, and lists what was fixed; the
//! identity of a failure holds across runs and ports; `diff` sorts two reports into new, fixed
//! and still failing, with its exit code; a rerun runs exactly the rules that failed; and what
//! cannot serve is refused (exit 2), naming the file.
//!
//! The faults: on checklist-items, `auth.writes-unauthenticated` breaks one documented
//! behaviour (X: writes without a key are served), and `auth.missing-key-accepted` breaks it
//! and another (Y: reads without a key are served too). What each run failed is read from its
//! own JSON report here, not taken from the comparison under test.

#[path = "support/report_schema.rs"]
mod report_schema;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::Parser;
use serde_json::Value;
use specgate::cli::check::CheckArgs;
use specgate::cli::diff::{DiffArgs, DiffFormat};
use specgate::cli::{CliError, ExitCode};
use specgate::halt::Halt;
use specgate::spec::SpecsRoot;

const API: &str = "checklist-items";
/// X alone.
const FAULT_X: &str = "auth.writes-unauthenticated";
/// X and Y.
const FAULT_XY: &str = "auth.missing-key-accepted";

#[derive(Parser)]
struct Line {
    #[command(flatten)]
    check: CheckArgs,
}

/// A folder of its own for a test's reports, removed when the test ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("specgate-baseline-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn root() -> SpecsRoot {
    SpecsRoot::Folder(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("specs"))
}

/// `specgate check ARGS` in-process (the built-in mocks, each on a fresh port): its exit code,
/// or the error it ended with.
fn check(args: &[&str]) -> Result<ExitCode, CliError> {
    let line = Line::try_parse_from(std::iter::once("check").chain(args.iter().copied()))
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let args = line.check;
    let (halt, _interrupter) = Halt::new(args.run_timeout);
    let runtime = specgate::cli::runtime().unwrap();
    runtime.block_on(specgate::cli::check::check(
        &root(),
        &args,
        halt,
        vec![],
        &mut |_| {},
    ))
}

fn json(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The rules of a report that failed the run (failed, counting as `must`), read from its JSON.
fn failed_in(report: &Value) -> BTreeSet<String> {
    report["apis"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["results"].as_array().unwrap())
        .filter(|r| r["status"] == "failed" && r["counts_as"] == "must")
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// The rule ids of one list of a comparison (`new`, `fixed`, `still_failing`, `not_run`).
fn listed(comparison: &Value, list: &str) -> BTreeSet<String> {
    comparison[list]
        .as_array()
        .unwrap_or_else(|| panic!("no list {list} in {comparison}"))
        .iter()
        .map(|r| r["rule"].as_str().unwrap().to_string())
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

fn validate(report: &Value) {
    report_schema::assert_matches_schema(report);
}

/// Run A (fault X) and B (faults X and Y) on the whole API, with their JSON reports.
fn runs_a_and_b(dir: &Scratch) -> (String, String, BTreeSet<String>, BTreeSet<String>) {
    let a = dir.path("a.json");
    let b = dir.path("b.json");
    let code = check(&[
        "--api",
        API,
        "--fault",
        FAULT_X,
        "--report",
        &format!("json={a}"),
    ]);
    assert_eq!(code.unwrap(), ExitCode::RuleFailed);
    let code = check(&[
        "--api",
        API,
        "--fault",
        FAULT_XY,
        "--report",
        &format!("json={b}"),
    ]);
    assert_eq!(code.unwrap(), ExitCode::RuleFailed);
    let (x, xy) = (failed_in(&json(&a)), failed_in(&json(&b)));
    // What the faults are documented to break: B fails all A fails, and more.
    assert!(
        !x.is_empty() && x.is_subset(&xy) && xy.len() > x.len(),
        "{x:?} {xy:?}"
    );
    (a, b, x, xy)
}

#[test]
fn a_baseline_absorbs_a_known_failure_still_fails_on_a_new_one_and_lists_the_fixed() {
    let dir = Scratch::new("absorbs");
    let (a, _, x, xy) = runs_a_and_b(&dir);
    let y: BTreeSet<String> = xy.difference(&x).cloned().collect();

    // B with A as its baseline: X known, Y new, and the run fails on Y.
    let reports: Vec<String> = ["json", "junit", "md", "html"]
        .iter()
        .map(|k| format!("{k}={}", dir.path(&format!("b2.{k}"))))
        .collect();
    let mut args = vec!["--api", API, "--fault", FAULT_XY, "--baseline", &a];
    for r in &reports {
        args.extend(["--report", r.as_str()]);
    }
    assert_eq!(check(&args).unwrap(), ExitCode::RuleFailed);
    let b2 = json(&dir.path("b2.json"));
    validate(&b2);
    let baseline = &b2["baseline"];
    assert_eq!(baseline["file"], a.as_str());
    assert_eq!(listed(baseline, "still_failing"), x);
    assert_eq!(listed(baseline, "new"), y);
    assert_eq!(listed(baseline, "fixed"), set(&[]));
    assert_eq!(baseline["counts"]["known"], x.len());
    assert_eq!(baseline["counts"]["new"], y.len());
    assert_eq!(b2["summary"]["known"], x.len());
    assert_eq!(b2["summary"]["failing"], y.len());
    // Every known failure is marked so in JUnit (skipped, its failure in system-out), in
    // Markdown and in HTML; the new ones stay failures.
    let junit = std::fs::read_to_string(dir.path("b2.junit")).unwrap();
    let md = std::fs::read_to_string(dir.path("b2.md")).unwrap();
    let html = std::fs::read_to_string(dir.path("b2.html")).unwrap();
    for id in &x {
        let case = junit
            .lines()
            .find(|l| l.contains(&format!("name=\"{id}\"")))
            .unwrap_or_else(|| panic!("no test case {id}"));
        assert!(
            case.contains("<skipped message=\"known failure (baseline)\"/><system-out>"),
            "{case}"
        );
        assert!(md.contains(&format!("### `{id}` (")), "{md}");
        assert!(
            html.contains(&format!("KNOWN</span> <code>{id}</code>")),
            "{id}"
        );
    }
    assert_eq!(md.matches(", known failure (baseline))").count(), x.len());
    for id in &y {
        let case = junit
            .lines()
            .find(|l| l.contains(&format!("name=\"{id}\"")))
            .unwrap();
        assert!(case.contains("<failure "), "{case}");
    }
    assert!(junit.contains(&format!("failures=\"{}\"", y.len())));
    assert!(md.contains("## Baseline"));
    assert!(html.contains("<h2 id=\"baseline\">Baseline</h2>"));

    // The same fault against its own report: everything is known, and the run passes.
    let b2_path = dir.path("b2.json");
    let code = check(&["--api", API, "--fault", FAULT_XY, "--baseline", &b2_path]);
    assert_eq!(code.unwrap(), ExitCode::Ok);

    // No fault, A as baseline: X is fixed, and the run passes.
    let c = dir.path("c.json");
    let code = check(&[
        "--api",
        API,
        "--baseline",
        &a,
        "--report",
        &format!("json={c}"),
    ]);
    assert_eq!(code.unwrap(), ExitCode::Ok);
    let c = json(&c);
    validate(&c);
    assert_eq!(failed_in(&c), set(&[]));
    assert_eq!(listed(&c["baseline"], "fixed"), x);
    assert_eq!(listed(&c["baseline"], "new"), set(&[]));
}

#[test]
fn a_baseline_rule_not_in_the_selection_is_not_run_neither_fixed_nor_new() {
    let dir = Scratch::new("not-run");
    let (_, b, x, xy) = runs_a_and_b(&dir);
    let one = x.iter().next().unwrap().clone();
    let out = dir.path("n.json");
    let code = check(&[
        "--api",
        API,
        "--rule",
        &one,
        "--baseline",
        &b,
        "--report",
        &format!("json={out}"),
    ]);
    // The rule selected is fixed (no fault); the others of the baseline were not run.
    assert_eq!(code.unwrap(), ExitCode::Ok);
    let n = json(&out);
    assert_eq!(listed(&n["baseline"], "fixed"), set(&[&one]));
    let rest: BTreeSet<String> = xy.iter().filter(|id| **id != one).cloned().collect();
    assert_eq!(listed(&n["baseline"], "not_run"), rest);
}

#[test]
fn the_identity_of_a_failure_holds_across_runs_and_ports() {
    let dir = Scratch::new("stable");
    // A fault whose failures expect what the run made up (names tagged with the run).
    let args = |out: &str| {
        vec![
            "--api".to_string(),
            "checkvist".into(),
            "--rule".into(),
            "checkvist.checklists.*".into(),
            "--fault".into(),
            "checklists.update-not-stored".into(),
            "--report".into(),
            format!("json={out}"),
        ]
    };
    let (one, two) = (dir.path("1.json"), dir.path("2.json"));
    for out in [&one, &two] {
        let a = args(out);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        assert_eq!(check(&a).unwrap(), ExitCode::RuleFailed);
    }
    let (r1, r2) = (json(&one), json(&two));
    assert_ne!(r1["apis"][0]["base_url"], r2["apis"][0]["base_url"]);
    let expected = |r: &Value| -> BTreeSet<String> {
        r["apis"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["failures"].as_array().unwrap())
            .map(|f| f["expected"].as_str().unwrap().to_string())
            .collect()
    };
    // The two runs expected different text, so the identity had something to scrub.
    assert_ne!(expected(&r1), expected(&r2));
    let failed = failed_in(&r1);
    assert!(!failed.is_empty());
    assert_eq!(failed_in(&r2), failed);
    let diff = specgate::cli::diff::diff(&diff_args(&one, &two, DiffFormat::Json)).unwrap();
    let d: Value =
        serde_json::from_str(&specgate::cli::diff::render(&diff, DiffFormat::Json)).unwrap();
    assert_eq!(listed(&d, "new"), set(&[]));
    assert_eq!(listed(&d, "fixed"), set(&[]));
    assert_eq!(listed(&d, "still_failing"), failed);
    assert_eq!(specgate::cli::diff::exit_code(&diff), ExitCode::Ok);
}

fn diff_args(old: &str, new: &str, format: DiffFormat) -> DiffArgs {
    DiffArgs {
        old: old.into(),
        new: new.into(),
        format,
        strict: false,
    }
}

#[test]
fn diff_lists_new_fixed_and_still_failing_and_exits_1_only_on_new() {
    let dir = Scratch::new("diff");
    let (a, b, x, xy) = runs_a_and_b(&dir);
    let y: BTreeSet<String> = xy.difference(&x).cloned().collect();
    let c = dir.path("c.json");
    assert_eq!(
        check(&["--api", API, "--report", &format!("json={c}")]).unwrap(),
        ExitCode::Ok
    );
    let lists = |old: &str, new: &str| {
        let diff = specgate::cli::diff::diff(&diff_args(old, new, DiffFormat::Json)).unwrap();
        let d: Value =
            serde_json::from_str(&specgate::cli::diff::render(&diff, DiffFormat::Json)).unwrap();
        (
            listed(&d, "new"),
            listed(&d, "fixed"),
            listed(&d, "still_failing"),
            specgate::cli::diff::exit_code(&diff),
        )
    };
    assert_eq!(
        lists(&a, &b),
        (y.clone(), set(&[]), x.clone(), ExitCode::RuleFailed)
    );
    assert_eq!(
        lists(&b, &a),
        (set(&[]), y.clone(), x.clone(), ExitCode::Ok)
    );
    assert_eq!(
        lists(&b, &c),
        (set(&[]), xy.clone(), set(&[]), ExitCode::Ok)
    );
    assert_eq!(
        lists(&c, &b),
        (xy.clone(), set(&[]), set(&[]), ExitCode::RuleFailed)
    );

    // Text and Markdown name each rule under its list, with its cites.
    let diff = specgate::cli::diff::diff(&diff_args(&a, &b, DiffFormat::Text)).unwrap();
    let text = specgate::cli::diff::render(&diff, DiffFormat::Text);
    let md = specgate::cli::diff::render(&diff, DiffFormat::Markdown);
    let (new_at, still_at) = (
        text.find("\nnew (").unwrap(),
        text.find("\nstill failing (").unwrap(),
    );
    for id in &y {
        let at = text
            .find(&format!("NEW {id} [must]"))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(new_at < at && at < still_at, "{text}");
        assert!(md.contains(&format!("- `{id}` (must)")), "{md}");
    }
    for id in &x {
        assert!(text.find(&format!("STILL {id} [must]")).unwrap() > still_at);
    }
    assert!(text.contains("       cite: \""), "{text}");
    assert!(md.contains("\n  > "), "{md}");
    assert!(text.ends_with(&format!(
        "{} new, 0 fixed, {} still failing, 0 not run\n",
        y.len(),
        x.len()
    )));
}

#[test]
fn a_rerun_runs_exactly_the_rules_that_failed() {
    let dir = Scratch::new("rerun");
    let (_, b, _, xy) = runs_a_and_b(&dir);
    let rerun = |fault: Option<&str>, out: &str| {
        let report = format!("json={out}");
        let mut args = vec!["--rerun-failed", b.as_str(), "--report", report.as_str()];
        if let Some(f) = fault {
            args.extend(["--api", API, "--fault", f]);
        }
        let code = check(&args);
        let ran: BTreeSet<String> = json(out)["apis"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|a| a["results"].as_array().unwrap())
            // The conformance checks judge every exchange of whatever runs: no rule to select.
            .filter(|r| r["kind"] != "conformance")
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        (code.unwrap(), ran)
    };
    // Still broken: exactly the failed rules run, and fail again.
    let (code, ran) = rerun(Some(FAULT_XY), &dir.path("r1.json"));
    assert_eq!(ran, xy);
    assert_eq!(code, ExitCode::RuleFailed);
    assert_eq!(failed_in(&json(&dir.path("r1.json"))), xy);
    // Fixed: the same rules run, and pass.
    let (code, ran) = rerun(None, &dir.path("r2.json"));
    assert_eq!(ran, xy);
    assert_eq!(code, ExitCode::Ok);
}

fn refusal(args: &[&str]) -> String {
    match check(args) {
        Err(e) => {
            assert_eq!(e.exit_code(), ExitCode::SpecError, "{e}");
            e.to_string()
        }
        Ok(code) => panic!("{args:?} was not refused: {code:?}"),
    }
}

#[test]
fn what_cannot_serve_as_a_baseline_or_a_rerun_is_refused_naming_the_file() {
    let dir = Scratch::new("refusals");
    let missing = dir.path("missing.json");
    let e = refusal(&["--api", API, "--baseline", &missing]);
    assert!(
        e.starts_with(&format!("error: --baseline cannot read {missing}")),
        "{e}"
    );

    let junit = dir.path("r.xml");
    let clean = dir.path("clean.json");
    let code = check(&[
        "--api",
        API,
        "--rule",
        "checklist-items.auth.*",
        "--report",
        &format!("junit={junit}"),
        "--report",
        &format!("json={clean}"),
    ]);
    assert_eq!(code.unwrap(), ExitCode::Ok);
    let e = refusal(&["--api", API, "--baseline", &junit]);
    assert!(
        e.starts_with(&format!("error: --baseline {junit}: not a specgate report")),
        "{e}"
    );
    let other = dir.path("other.json");
    std::fs::write(&other, "{\"name\": \"package.json\"}").unwrap();
    let e = refusal(&["--api", API, "--baseline", &other]);
    assert!(e.contains("no `specgate` version field"), "{e}");

    // A report in which nothing failed is no rerun: it would be an empty green run.
    let e = refusal(&["--rerun-failed", &clean]);
    assert!(
        e.contains(&format!(
            "--rerun-failed {clean}: nothing failed in this report"
        )),
        "{e}"
    );
    let e = refusal(&["--rerun-failed", &missing]);
    assert!(e.contains(&format!("cannot read {missing}")), "{e}");

    // A failed rule the spec no longer has: the rerun would quietly run less than failed.
    let (_, b, _, _) = runs_a_and_b(&dir);
    let renamed = dir.path("renamed.json");
    std::fs::write(
        &renamed,
        std::fs::read_to_string(&b).unwrap().replace(
            "\"checklist-items.auth.missing-key\"",
            "\"checklist-items.auth.gone\"",
        ),
    )
    .unwrap();
    let e = refusal(&["--rerun-failed", &renamed]);
    assert!(e.contains("rule checklist-items.auth.gone failed there, but the spec of checklist-items has no such rule now"), "{e}");

    // diff: exit 2 on what it cannot read, naming the file.
    let e = specgate::cli::diff::diff(&diff_args(&b, &junit, DiffFormat::Text)).unwrap_err();
    assert_eq!(e.exit_code(), ExitCode::SpecError);
    assert!(
        e.to_string()
            .starts_with(&format!("error: {junit}: not a specgate report")),
        "{e}"
    );
    let e = specgate::cli::diff::diff(&diff_args(&missing, &b, DiffFormat::Text)).unwrap_err();
    assert_eq!(e.exit_code(), ExitCode::SpecError);
    assert!(e.to_string().contains(&missing), "{e}");
    assert!(Path::new(&b).exists());
}
