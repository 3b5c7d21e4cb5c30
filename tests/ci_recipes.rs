//! The CI recipes work: the GitHub composite action (`action.yml`) and the GitLab job
//! (`docs/ci/gitlab-ci.yml`) are run here, locally, against a built-in mock served by
//! `specgate mock` on a fresh loopback port, through a target profile.
//!
//! The action's `shell: bash` steps run in order, as a runner runs them (`bash --noprofile
//! --norc -eo pipefail`, in the workspace, with `GITHUB_STEP_SUMMARY`, `GITHUB_OUTPUT`,
//! `GITHUB_ACTION_PATH` and `GITHUB_WORKSPACE` set, `${{ … }}` expressions substituted, a step
//! without `if: always()` left out after a failure), with the built `specgate` on PATH, so the
//! install step finds it. The `uses:` step (the upload) is not run; what it would upload is.

#[path = "support/readme_text.rs"]
mod readme_text;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_yaml::Value;

/// The longest one step may take (a check of the mock takes about a second).
const STEP_TIMEOUT: Duration = Duration::from_secs(120);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A `specgate mock` process, killed when dropped.
struct Mock {
    child: Child,
    url: String,
    exports: Vec<(String, String)>,
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The checklist-items mock on a fresh loopback port, with `extra` arguments (`--fault X`).
fn mock(extra: &[&str]) -> Mock {
    let mut child = Command::new(env!("CARGO_BIN_EXE_specgate"))
        .args(["mock", "--api", "checklist-items", "--port", "0"])
        .args(extra)
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("specgate mock starts");
    let mut url = String::new();
    let mut exports = Vec::new();
    // The banner is a few lines; it ends with the Ctrl-C line (or the output ends).
    for line in BufReader::new(child.stdout.take().unwrap())
        .lines()
        .take(100)
    {
        let line = line.unwrap();
        if let Some(u) = line.split(" serving at ").nth(1) {
            url = u.trim().to_string();
        }
        if let Some(e) = line.trim().strip_prefix("export ") {
            let (k, v) = e.split_once('=').unwrap();
            exports.push((k.to_string(), v.trim_matches('\'').to_string()));
        }
        if line.starts_with("Ctrl-C") {
            break;
        }
    }
    assert!(
        url.starts_with("http://127.0.0.1:"),
        "the mock's URL: {url:?}"
    );
    assert!(!exports.is_empty(), "the mock's banner exports its key");
    Mock {
        child,
        url,
        exports,
    }
}

/// A fresh workspace holding the example profile pointed at `mock`; returns the workspace and
/// the profile's path relative to it.
fn workspace(name: &str, mock: &Mock) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("ci_recipes")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("targets")).unwrap();
    let example = std::fs::read_to_string(root().join("targets/checklist-items.yaml")).unwrap();
    let profile = example.replace("http://127.0.0.1:8082/api", &mock.url);
    assert_ne!(
        profile, example,
        "the example profile names the mock's port"
    );
    std::fs::write(dir.join("targets/staging.yaml"), profile).unwrap();
    dir
}

/// What one run of the action's steps did.
struct ActionRun {
    /// (step name, exit code or None when it was left out) in order.
    steps: Vec<(String, Option<i32>, String)>,
    summary: String,
    outputs: BTreeMap<String, BTreeMap<String, String>>,
}

fn action() -> Value {
    serde_yaml::from_str(&std::fs::read_to_string(root().join("action.yml")).unwrap())
        .expect("action.yml is YAML")
}

/// `text` with its `${{ … }}` expressions replaced: `inputs.X` (given or the input's default),
/// `steps.ID.outputs.NAME`, `github.action_path`. Any other expression fails the test.
fn substitute(
    text: &str,
    inputs: &BTreeMap<String, String>,
    outputs: &BTreeMap<String, BTreeMap<String, String>>,
) -> String {
    let pattern = regex::Regex::new(r"\$\{\{\s*([^}]*?)\s*\}\}").unwrap();
    pattern
        .replace_all(text, |c: &regex::Captures| {
            let expr = &c[1];
            if let Some(name) = expr.strip_prefix("inputs.") {
                return inputs
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| panic!("action.yml uses an undeclared input `{name}`"));
            }
            if let Some(rest) = expr.strip_prefix("steps.") {
                let (id, name) = rest.split_once(".outputs.").expect("steps.ID.outputs.NAME");
                return outputs
                    .get(id)
                    .and_then(|o| o.get(name))
                    .cloned()
                    .unwrap_or_default();
            }
            if expr == "github.action_path" {
                return root().display().to_string();
            }
            panic!("action.yml: an expression the test does not know: ${{{{ {expr} }}}}")
        })
        .into_owned()
}

/// Runs the action's bash steps in `workspace` with `given` inputs and the mock's exports.
fn run_action(
    workspace: &Path,
    given: &[(&str, &str)],
    mock: &Mock,
    env: &[(&str, &str)],
) -> ActionRun {
    let action = action();
    let mut inputs: BTreeMap<String, String> = BTreeMap::new();
    for (name, spec) in action["inputs"].as_mapping().expect("inputs") {
        let name = name.as_str().unwrap().to_string();
        let default = spec["default"].as_str().unwrap_or("").to_string();
        inputs.insert(name, default);
    }
    for (name, value) in given {
        assert!(inputs.contains_key(*name), "action.yml has no input {name}");
        inputs.insert(name.to_string(), value.to_string());
    }
    let github = workspace.join("_github");
    std::fs::create_dir_all(&github).unwrap();
    let summary = github.join("step_summary.md");
    std::fs::write(&summary, "").unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_specgate")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let mut outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut steps = Vec::new();
    let mut failed = false;
    let all = action["runs"]["steps"].as_sequence().expect("runs.steps");
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    for (i, step) in all.iter().enumerate() {
        let name = step["name"].as_str().unwrap_or("(unnamed)").to_string();
        let always = step["if"].as_str().is_some_and(|c| c.contains("always()"));
        if failed && !always {
            steps.push((name, None, String::new()));
            continue;
        }
        if step.get("uses").is_some() {
            continue;
        }
        assert_eq!(
            step["shell"].as_str(),
            Some("bash"),
            "step {name} runs with shell: bash"
        );
        let script = substitute(step["run"].as_str().expect("run"), &inputs, &outputs);
        let script_path = github.join(format!("step{i}.sh"));
        std::fs::write(&script_path, script).unwrap();
        let output_file = github.join(format!("output{i}"));
        std::fs::write(&output_file, "").unwrap();
        let log_path = github.join(format!("log{i}.txt"));
        let log = std::fs::File::create(&log_path).unwrap();
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script_path)
            .current_dir(workspace)
            .env("PATH", &path)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_ACTION_PATH", root())
            .env("GITHUB_WORKSPACE", workspace)
            .envs(mock.exports.iter().cloned())
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        if let Some(env) = step["env"].as_mapping() {
            for (k, v) in env {
                command.env(
                    k.as_str().unwrap(),
                    substitute(v.as_str().unwrap_or(""), &inputs, &outputs),
                );
            }
        }
        let mut child = command.spawn().expect("bash runs");
        let started = Instant::now();
        let code = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status.code();
            }
            if started.elapsed() > STEP_TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        if let Some(id) = step["id"].as_str() {
            let written = std::fs::read_to_string(&output_file).unwrap();
            let values = written
                .lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            outputs.insert(id.to_string(), values);
        }
        if code != Some(0) {
            failed = true;
        }
        steps.push((name, Some(code.unwrap_or(-1)), log));
    }
    ActionRun {
        steps,
        summary: std::fs::read_to_string(&summary).unwrap(),
        outputs,
    }
}

fn describe(run: &ActionRun) -> String {
    run.steps
        .iter()
        .map(|(name, code, log)| format!("--- {name}: {code:?}\n{log}"))
        .collect()
}

/// The summary's counts line, as the Markdown report writes it, made from report.json.
fn counts_line(report: &serde_json::Value) -> String {
    let s = &report["summary"];
    format!(
        "{} rules: **{} passed**, **{} failed**",
        s["rules"], s["passed"], s["failed"]
    )
}

#[test]
fn the_action_passes_a_faithful_target_and_writes_the_summary() {
    let mock = mock(&[]);
    let ws = workspace("clean", &mock);
    let run = run_action(&ws, &[("profile", "targets/staging.yaml")], &mock, &[]);
    let log = describe(&run);
    let codes: Vec<Option<i32>> = run.steps.iter().map(|s| s.1).collect();
    assert!(
        codes.iter().all(|c| *c == Some(0)),
        "every step passes: {log}"
    );
    assert!(
        run.steps[0].2.contains("using ") && !run.steps[0].2.contains("cargo install"),
        "the install step finds specgate on PATH: {log}"
    );
    assert_eq!(run.outputs["check"]["exit-code"], "0", "{log}");
    assert_eq!(run.steps.last().unwrap().0, "Verdict");

    let reports = ws.join("specgate-reports");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("report.json")).unwrap())
            .unwrap();
    let passed = report["summary"]["passed"].as_u64().unwrap();
    assert!(
        passed > 50,
        "the run checked something: {}",
        report["summary"]
    );
    assert_eq!(report["summary"]["failed"], 0);
    for file in ["junit.xml", "report.md", "report.html"] {
        assert!(reports.join(file).is_file(), "{file} written: {log}");
    }
    // The summary is the Markdown report: its heading and the run's counts.
    assert!(
        run.summary.starts_with("# specgate conformance report\n\n"),
        "{}",
        run.summary
    );
    assert!(
        run.summary.contains(&counts_line(&report)),
        "{} in\n{}",
        counts_line(&report),
        run.summary
    );
    assert_eq!(
        run.summary,
        std::fs::read_to_string(reports.join("report.md")).unwrap()
    );
    // No secret in the summary.
    for (_, value) in &mock.exports {
        if value.len() >= 8 {
            assert!(
                !run.summary.contains(value.as_str()),
                "a secret in the summary"
            );
        }
    }
    readme_shows_this_summary(&run.summary);
}

#[test]
fn the_action_fails_after_summary_and_upload_when_a_rule_fails() {
    let mock = mock(&["--fault", "auth.missing-key-accepted"]);
    let ws = workspace("fault", &mock);
    let run = run_action(
        &ws,
        &[
            ("profile", "targets/staging.yaml"),
            ("reports-dir", "out/specgate"),
            ("args", "--rule checklist-items.auth.* --concurrency 2"),
        ],
        &mock,
        &[],
    );
    let log = describe(&run);
    let (last, rest) = run.steps.split_last().unwrap();
    assert_eq!(last.0, "Verdict", "{log}");
    assert_eq!(
        last.1,
        Some(1),
        "the last step fails with specgate's code: {log}"
    );
    assert!(
        rest.iter().all(|s| s.1 == Some(0)),
        "the steps before it pass, so the summary and upload happen: {log}"
    );
    assert_eq!(run.outputs["check"]["exit-code"], "1", "{log}");
    let reports = ws.join("out/specgate");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("report.json")).unwrap())
            .unwrap();
    assert!(report["summary"]["failing"].as_u64().unwrap() >= 1, "{log}");
    // `args` narrowed the run to the auth rules (and the conformance checks).
    let rules = report["summary"]["rules"].as_u64().unwrap();
    assert!((3..=10).contains(&rules), "{rules} rules ran: {log}");
    assert!(
        run.summary.starts_with("# specgate conformance report")
            && run.summary.contains(&counts_line(&report))
            && run.summary.contains("checklist-items.auth."),
        "the summary names the failure: {}",
        run.summary
    );
    let junit = std::fs::read_to_string(reports.join("junit.xml")).unwrap();
    assert!(
        junit.contains("<testsuite") && junit.contains("<failure"),
        "{junit}"
    );
}

/// The upload runs whatever happened, and uploads the folder the check step wrote.
#[test]
fn the_action_uploads_the_reports_dir_always() {
    let action = action();
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
        })
        .expect("an upload step");
    assert_eq!(upload["uses"].as_str(), Some("actions/upload-artifact@v4"));
    assert_eq!(upload["if"].as_str(), Some("always()"));
    assert_eq!(
        upload["with"]["path"].as_str(),
        Some("${{ inputs.reports-dir }}")
    );
    let summary = steps
        .iter()
        .find(|s| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.contains("GITHUB_STEP_SUMMARY"))
        })
        .expect("a summary step");
    assert_eq!(summary["if"].as_str(), Some("always()"));
    // No input is pasted into a script: each reaches it through `env:`.
    for step in steps {
        if let Some(script) = step["run"].as_str() {
            assert!(
                !script.contains("${{"),
                "an expression in a script: {script}"
            );
        }
    }
}

/// The GitLab job, its `before_script` and `script` run in a workspace as a runner would (the
/// variables it sets, the mock's key in the environment), publishes as JUnit the file `check`
/// wrote, and keeps the reports whatever the outcome.
#[test]
fn the_gitlab_job_publishes_the_junit_that_check_writes() {
    let text = std::fs::read_to_string(root().join("docs/ci/gitlab-ci.yml")).unwrap();
    let doc: Value = serde_yaml::from_str(&text).expect("docs/ci/gitlab-ci.yml is YAML");
    let job = &doc["specgate"];
    assert_eq!(job["artifacts"]["when"].as_str(), Some("always"));
    let junit = job["artifacts"]["reports"]["junit"]
        .as_str()
        .expect("artifacts.reports.junit");
    let paths: Vec<&str> = job["artifacts"]["paths"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        paths
            .iter()
            .any(|p| junit.starts_with(p.trim_end_matches('/'))),
        "the JUnit file is inside the kept artifacts: {paths:?}"
    );

    let mock = mock(&[]);
    let ws = workspace("gitlab", &mock);
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_specgate")).parent().unwrap();
    let mut lines: Vec<String> = Vec::new();
    for key in ["before_script", "script"] {
        for line in job[key].as_sequence().expect(key) {
            lines.push(line.as_str().unwrap().to_string());
        }
    }
    let mut script = String::new();
    for (k, v) in job["variables"].as_mapping().unwrap() {
        script.push_str(&format!(
            "export {}={}\n",
            k.as_str().unwrap(),
            shlex::try_quote(v.as_str().unwrap()).unwrap()
        ));
    }
    for line in &lines {
        script.push_str(line);
        script.push('\n');
    }
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script])
        .current_dir(&ws)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin_dir.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .envs(mock.exports.iter().cloned())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{log}");
    let written = std::fs::read_to_string(ws.join(junit))
        .unwrap_or_else(|e| panic!("{junit} is not what check wrote ({e}): {log}"));
    assert!(
        written.contains("<testsuite") && written.contains("checklist-items."),
        "{written}"
    );
}

/// The README's "what the step summary looks like" is this run's summary (normalised as
/// tests/readme.rs normalises its blocks); `README_UPDATE=always` rewrites it.
fn readme_shows_this_summary(summary: &str) {
    const MARK: &str = "<!-- tested by tests/ci_recipes.rs: the step summary of a clean run -->";
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let blocks = readme_text::blocks(&readme).unwrap();
    let block = blocks
        .iter()
        .find(|b| b.before == MARK)
        .unwrap_or_else(|| panic!("README.md has no block after {MARK}"));
    let expected = readme_text::normalise(&block.body.join("\n"));
    let actual = readme_text::normalise(summary);
    if readme_text::lines_match(&expected, &actual) {
        return;
    }
    if readme_text::updating() {
        let body = readme_text::updated_body(&block.body, summary);
        std::fs::write(
            &path,
            readme_text::replace_lines(&readme, block, &body, None),
        )
        .unwrap();
        eprintln!("README.md: the step summary block rewritten; review `git diff README.md`");
        return;
    }
    panic!(
        "README.md:{}: the step summary differs from the action's\n{}\n(README_UPDATE=always cargo test --test ci_recipes rewrites it)",
        block.line,
        readme_text::difference(&expected, &actual)
    );
}

/// The README's recipes are these files: the workflow passes only inputs the action declares
/// (the required one among them) and its secret through `env:`; the GitLab job is the file's.
#[test]
fn the_readme_shows_these_recipes() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let blocks = readme_text::blocks(&readme).unwrap();
    let after = |mark: &str| -> Value {
        let block = blocks
            .iter()
            .find(|b| b.before == mark)
            .unwrap_or_else(|| panic!("README.md has no block after {mark}"));
        serde_yaml::from_str(&block.body.join("\n"))
            .unwrap_or_else(|e| panic!("README.md:{}: not YAML: {e}", block.line))
    };

    let workflow = after("<!-- tested by tests/ci_recipes.rs: its inputs are the action's -->");
    let action = action();
    let steps = workflow["jobs"]["specgate"]["steps"].as_sequence().unwrap();
    let step = steps
        .iter()
        .find(|s| s["with"]["profile"].is_string())
        .expect("a step that calls the action with a profile");
    for (name, _) in step["with"].as_mapping().unwrap() {
        let name = name.as_str().unwrap();
        assert!(
            action["inputs"].get(name).is_some(),
            "the README passes `{name}`, which action.yml does not declare"
        );
    }
    for (name, spec) in action["inputs"].as_mapping().unwrap() {
        if spec["required"].as_bool() == Some(true) {
            assert!(step["with"].get(name).is_some(), "required input {name:?}");
        }
    }
    let env = step["env"]
        .as_mapping()
        .expect("the secret comes in through env:");
    assert!(env
        .values()
        .all(|v| v.as_str().is_some_and(|v| v.starts_with("${{ secrets."))));

    let job =
        after("<!-- tested by tests/ci_recipes.rs: docs/ci/gitlab-ci.yml's job, the same -->");
    let file: Value = serde_yaml::from_str(
        &std::fs::read_to_string(root().join("docs/ci/gitlab-ci.yml")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        job, file,
        "the README's GitLab job differs from docs/ci/gitlab-ci.yml"
    );
}

/// A report longer than a step summary holds (1 MiB; here a limit of 300 bytes) is cut after
/// its last whole line within the limit, and the summary says so and where the whole report is.
#[test]
fn a_report_too_long_for_the_step_summary_is_cut_and_says_so() {
    let mock = mock(&["--fault", "auth.missing-key-accepted"]);
    let ws = workspace("long", &mock);
    let run = run_action(
        &ws,
        &[
            ("profile", "targets/staging.yaml"),
            ("args", "--rule checklist-items.auth.*"),
            ("artifact-name", "staging-reports"),
        ],
        &mock,
        &[("SPECGATE_SUMMARY_LIMIT", "300")],
    );
    let log = describe(&run);
    assert_eq!(run.steps.last().unwrap().1, Some(1), "{log}");
    let report = std::fs::read_to_string(ws.join("specgate-reports/report.md")).unwrap();
    assert!(report.len() > 300, "the report is longer than the limit");
    // Whole lines of the report, then the note.
    let cut = run
        .summary
        .find("\n\n---\n\n**The report")
        .expect("the note");
    let head = &run.summary[..cut];
    assert!(
        head.len() <= 300 && head.len() > 100 && report.starts_with(head) && head.ends_with('\n'),
        "{head:?}"
    );
    let note = &run.summary[cut..];
    assert!(
        note.contains(&format!("The report ({} bytes) is cut here", report.len()))
            && note.contains("`staging-reports`"),
        "{note}"
    );
}
