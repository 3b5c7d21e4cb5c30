//! A green run means something: a profile that names an unset variable or an unknown
//! credential is refused, a selection that leaves no rule is refused, lint fails when it
//! cannot check a cite, and a run that skipped too much for want of credentials fails.

#[path = "support/report_schema.rs"]
mod report_schema;

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run the binary in the checkout with `env` set (and nothing else of ours): (code, stdout,
/// stderr).
fn specgate(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_specgate"));
    cmd.args(args).current_dir(root()).env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every example profile names only what its contract declares, and loads when each variable
/// it reads is set (so the unknown-name check refuses none of them).
#[test]
fn the_example_profiles_load_with_their_variables_set() {
    let specs = root().join("specs");
    let mut profiles: Vec<PathBuf> = std::fs::read_dir(root().join("targets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    profiles.sort();
    assert_eq!(profiles.len(), 5, "{profiles:?}");
    for path in profiles {
        let (api, _) = specgate::target::Profile::read_api(&path).unwrap();
        let spec = specgate::cli::specs::load_named(
            &specgate::spec::SpecsRoot::Folder(specs.clone()),
            &api,
        )
        .unwrap();
        let declared = specgate::cli::specs::declared(&spec);
        // Every variable set, to a value long enough to be a secret; the CA file of checklick
        // is written by the mock, so only its absence may be refused.
        let loaded = specgate::target::Profile::load(&path, &declared, &|_| {
            Some("a-long-enough-value".into())
        });
        if let Err(e) = loaded {
            for e in e.iter() {
                assert!(
                    e.to_string().contains("ca_cert") || e.to_string().contains(".pem"),
                    "{}: {e}",
                    path.display()
                );
            }
        }
    }
}

/// A temp folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let d = std::env::temp_dir().join(format!("specgate-green-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }
    fn file(&self, name: &str, text: &str) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The misspelt key: `apikey:` used to skip half the rules and exit 0.
#[test]
fn a_misspelt_credential_key_is_refused_with_the_nearest_name() {
    let dir = TempDir::new("misspelt");
    let profile = dir.file(
        "p.yaml",
        "api: checklist-items\nbase_url: http://127.0.0.1:9/api\ncredentials:\n  apikey: ${SPECGATE_GREEN_KEY}\n",
    );
    let (code, out, err) = specgate(
        &["check", "--target", &profile],
        &[("SPECGATE_GREEN_KEY", "a-long-enough-key")],
    );
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains("p.yaml:4:3: unknown credential `apikey`\n  hint: did you mean `api_key`?"),
        "{err}"
    );
}

/// A selection that leaves no rule is refused (exit 2), naming the option that emptied it; one
/// that leaves rules of only some mocks checks those, noting the others.
#[test]
fn a_selection_that_leaves_no_rule_is_refused_naming_its_option() {
    for (args, said) in [
        (
            &["--rule", "nomatch.*"][..],
            "error: --rule 'nomatch.*' matches no rule of any API",
        ),
        (
            &["--api", "checkvist", "--rule", "checkvist.auht.*"][..],
            "error: --rule 'checkvist.auht.*' matches no rule of checkvist; did you mean `checkvist.auth.*`?",
        ),
        (
            &["--api", "checkvist", "--skip", "checkvist.*"][..],
            "error: --skip 'checkvist.*' skips every rule of checkvist",
        ),
        (
            &[
                "--api",
                "checklick",
                "--rule",
                "checklick.start.first-request",
                "--level",
                "must",
            ][..],
            "error: --level must leaves no rule of checklick",
        ),
        (
            &["--rule", "[a"][..],
            "`[a` is not a glob: unclosed character class",
        ),
    ] {
        let mut line = vec!["check"];
        line.extend(args);
        let (code, out, err) = specgate(&line, &[]);
        assert_eq!(code, Some(2), "{args:?}: {out}{err}");
        assert!(err.contains(said), "{args:?}: {err}");
        assert!(!out.contains("rules:"), "{args:?} ran: {out}");
    }
    let dir = TempDir::new("selection");
    let report = dir.0.join("r.json");
    let (code, out, err) = specgate(
        &[
            "check",
            "--rule",
            "checkvist.auth.*",
            "--report",
            &format!("json={}", report.display()),
        ],
        &[],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        err.contains("note: the selection leaves no rule of checklick, checklist-items, checktick, optacheck: not checked"),
        "{err}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let apis: Vec<&str> = json["apis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["api"].as_str().unwrap())
        .collect();
    assert_eq!(apis, ["checkvist"]);
}

/// `lint` fails (exit 2, at the contract's `document`) when a cite cannot be checked for want
/// of its document, unless `--no-cite-check` says not to check them.
#[test]
fn lint_fails_when_it_cannot_check_cites_unless_told_not_to() {
    let empty = TempDir::new("nodocs");
    let docs = empty.0.display().to_string();
    let (code, out, err) = specgate(&["lint", "checkvist", "--docs", &docs], &[]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains(
            "specs/checkvist/contract.yaml:3:11: cannot read the file: `checkvist.txt` at "
        ),
        "{err}"
    );
    assert!(err.contains("--no-cite-check"), "{err}");
    assert!(out.starts_with("FAILED specs/checkvist"), "{out}");
    assert!(out.contains("cites NOT checked"), "{out}");
    let (code, _, err) = specgate(&["lint", "--docs", "/nonexistent-specgate-docs"], &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("error: --docs /nonexistent-specgate-docs: no such folder"),
        "{err}"
    );
    let (code, out, err) = specgate(&["lint", "checkvist", "--no-cite-check"], &[]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("cites not checked (--no-cite-check)"), "{out}");
    // The default documents: checked where the checkout has them beside it, else a failure.
    let (code, out, err) = specgate(&["lint", "checkvist"], &[]);
    let expected = if root().join("../shared/docs").is_dir() {
        0
    } else {
        2
    };
    assert_eq!(code, Some(expected), "{out}{err}");
}

/// A profile whose optional credential is unset: the rules needing it are skipped, and when
/// more than `--max-skipped` of the API's rules are, the run fails (exit 2) though nothing
/// failed; the share counts only skips for want of a credential.
#[test]
fn a_run_that_skipped_too_much_for_want_of_a_credential_fails() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mock = rt
        .block_on(specgate::mock::start(
            "optacheck",
            specgate::mock::MockOptions::default(),
        ))
        .unwrap();
    let dir = TempDir::new("skipped");
    let mut profile = format!(
        "api: optacheck\nbase_url: {}\ncredentials:\n",
        mock.target.base_url
    );
    let mut env = Vec::new();
    for (name, value) in &mock.target.credentials.values {
        let var = format!("SPECGATE_GREEN_{}", name.to_ascii_uppercase());
        if name == "workspace_id" {
            profile.push_str(&format!(
                "  {name}: {{ value: \"${{{var}}}\", optional: true }}\n"
            ));
        } else {
            profile.push_str(&format!("  {name}: ${{{var}}}\n"));
            env.push((var, value.clone()));
        }
    }
    profile.push_str(&format!(
        "fixtures: {}\n",
        serde_json::to_string(&mock.target.fixtures).unwrap()
    ));
    let profile = dir.file("p.yaml", &profile);
    let report = dir.0.join("r.json");
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let run = |max: &str| {
        specgate(
            &[
                "check",
                "--target",
                &profile,
                "--max-skipped",
                max,
                "--report",
                &format!("json={}", report.display()),
            ],
            &env,
        )
    };
    let (code, out, err) = run("10%");
    // Counted independently: the skipped results whose reason names the credential.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let results = json["apis"][0]["results"].as_array().unwrap();
    let skipped = results
        .iter()
        .filter(|r| r["reason"] == "the target has no credential `workspace_id`")
        .count();
    assert!(
        skipped * 10 > results.len(),
        "{skipped} of {}",
        results.len()
    );
    // The report marks exactly those skips as counting toward --max-skipped.
    let marked = results
        .iter()
        .filter(|r| r["lacks_credential"] == true)
        .count();
    assert_eq!(marked, skipped);
    report_schema::assert_matches_schema(&json);
    assert_eq!(json["summary"]["failing"], 0, "{}", json["summary"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains(&format!(
            "error: optacheck: {skipped} of {} rules ({:.0}%) were skipped for want of a credential, more than --max-skipped 10%",
            results.len(),
            100.0 * skipped as f64 / results.len() as f64
        )),
        "{err}"
    );
    assert!(
        err.contains("note: ") && err.contains("SPECGATE_GREEN_WORKSPACE_ID"),
        "{err}"
    );
    // A share at or above it passes the same run.
    let share = format!("{}%", (100 * skipped).div_ceil(results.len()));
    let (code, out, err) = run(&share);
    assert_eq!(code, Some(0), "{share}: {out}{err}");
    let (code, _, err) = run("ten");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("give a share with %"), "{err}");
    rt.block_on(mock.shutdown());
}
