//! The specs built into the binary: an installed `specgate`, run from a folder with no `specs/`
//! beside it, checks, lists and lints the same specs as the checkout; `--specs DIR` still
//! overrides them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn checkout() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A new, empty folder of this test's own.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("specgate-embedded-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn specgate(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_specgate"))
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Ends with code 0; its stdout.
fn ok(out: Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The API folders of the checkout's `specs/`, counted on disk.
fn checkout_apis() -> Vec<String> {
    let mut apis: Vec<String> = std::fs::read_dir(checkout().join("specs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("contract.yaml").is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    apis.sort();
    apis
}

/// The rule ids of each API of a JSON report, in the report's order.
fn ids_by_api(report: &Path) -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(report).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["apis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|api| {
            let ids = api["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_string())
                .collect();
            (api["api"].as_str().unwrap().to_string(), ids)
        })
        .collect()
}

/// `dir` and everything under it copied to `to`.
fn copy_tree(dir: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let dest = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).unwrap();
        }
    }
}

/// `contract` without the rule `id`: its lines from `  - id: ID` to the next rule's, or the
/// next comment at the rules' indentation.
fn without_rule(contract: &str, id: &str) -> String {
    let start = format!("  - id: {id}\n");
    let at = contract.find(&start).expect("the rule is in the contract");
    let rest = &contract[at + start.len()..];
    let end = rest
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .find(|&i| rest[i..].starts_with("  - ") || rest[i..].starts_with("  #"))
        .unwrap_or(rest.len());
    format!("{}{}", &contract[..at], &rest[end..])
}

#[test]
fn check_from_a_folder_without_specs_runs_the_built_in_specs_as_the_checkout_does() {
    let empty = fresh_dir("check");
    ok(specgate(
        &empty,
        &["check", "--report", "json=built-in.json"],
    ));
    let built_in = ids_by_api(&empty.join("built-in.json"));

    let from_checkout = empty.join("checkout.json");
    ok(specgate(
        &checkout(),
        &[
            "check",
            "--report",
            &format!("json={}", from_checkout.display()),
        ],
    ));
    let checkout_ids = ids_by_api(&from_checkout);

    assert_eq!(
        built_in.keys().cloned().collect::<Vec<_>>(),
        checkout_apis(),
        "every spec of the checkout is built in, and checked"
    );
    for (api, ids) in &checkout_ids {
        assert!(!ids.is_empty(), "{api} ran no rule");
        assert_eq!(built_in.get(api), Some(ids), "{api}: other rules ran");
    }
    // Both runs wrote their report there, and nothing else: no spec folder was made or needed.
    let left: Vec<_> = std::fs::read_dir(&empty)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
    let _ = std::fs::remove_dir_all(&empty);
}

#[test]
fn specs_and_lint_from_a_folder_without_specs_show_the_built_in_specs_as_the_checkouts() {
    let empty = fresh_dir("specs-lint");
    let listed = ok(specgate(&empty, &["specs"]));
    assert_eq!(listed, ok(specgate(&checkout(), &["specs"])));
    for api in checkout_apis() {
        assert!(listed.contains(&format!("│ {api} ")), "{api}:\n{listed}");
    }

    let docs = checkout().join("../shared/docs");
    let docs = docs.to_str().unwrap();
    let linted = ok(specgate(&empty, &["lint", "--docs", docs]));
    assert_eq!(linted, ok(specgate(&checkout(), &["lint", "--docs", docs])));
    for api in checkout_apis() {
        // A built-in spec is named after the folder it was built from, as `./specs` names
        // its own; not after the folder of the machine it was built on.
        assert!(
            linted.contains(&format!("ok     specs/{api}: ")),
            "{api}:\n{linted}"
        );
    }

    let out = specgate(&empty, &["lint", "checkvis"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr).trim_end(),
        "error: no spec `checkvis` (neither an API under the specs built into specgate nor a spec folder); did you mean `checkvist`?"
    );
    let _ = std::fs::remove_dir_all(&empty);
}

#[test]
fn a_specs_folder_given_overrides_the_built_in_specs_and_the_checkouts() {
    let dir = fresh_dir("override");
    let copy = dir.join("my-specs");
    copy_tree(&checkout().join("specs"), &copy);
    let contract = copy.join("checklick/contract.yaml");
    let original = std::fs::read_to_string(&contract).unwrap();
    let removed = "checklick.transport.host";
    let edited = without_rule(&original, removed);
    assert!(edited.len() < original.len() && !edited.contains(removed));
    std::fs::write(&contract, edited).unwrap();
    let copy_arg = copy.to_str().unwrap();

    // From a folder without specs: the copy, not the built-in specs.
    let report = dir.join("copy.json");
    ok(specgate(
        &dir,
        &[
            "check",
            "--specs",
            copy_arg,
            "--api",
            "checklick",
            "--report",
            &format!("json={}", report.display()),
        ],
    ));
    let ran = &ids_by_api(&report)["checklick"];
    let built_in = checkout().join("specs/checklick/contract.yaml");
    let built_in = std::fs::read_to_string(built_in).unwrap();
    assert!(built_in.contains(&format!("  - id: {removed}\n")));
    assert!(!ran.iter().any(|id| id == removed), "{ran:?}");
    assert!(ran.iter().any(|id| id == "checklick.transport.https-only"));

    // From the checkout: the copy, not ./specs. The rule count drops by the one removed.
    let docs = checkout().join("../shared/docs");
    let docs = docs.to_str().unwrap();
    let from_copy = ok(specgate(
        &checkout(),
        &["lint", "--specs", copy_arg, "--docs", docs, "checklick"],
    ));
    let from_checkout = ok(specgate(
        &checkout(),
        &["lint", "--docs", docs, "checklick"],
    ));
    let count = |listing: &str| -> usize {
        let (_, after) = listing
            .split_once(" operations, ")
            .unwrap_or_else(|| panic!("{listing}"));
        after.split(' ').next().unwrap().parse().unwrap()
    };
    assert_eq!(count(&from_copy) + 1, count(&from_checkout));
    assert!(
        from_copy.contains(&format!("{}", copy.join("checklick").display())),
        "{from_copy}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_scenario_loads_with_the_built_in_spec_of_its_api() {
    let file = checkout().join("scenarios/checklick-export.yaml");
    let root = specgate::spec::SpecsRoot::BuiltIn;
    let scenario = specgate::load::scenario::load_scenario_in(&file, &root).unwrap();
    assert_eq!(scenario.spec.name, "checklick");
    assert_eq!(scenario.spec.dir, Path::new("specs/checklick"));
}
