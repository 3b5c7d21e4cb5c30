//! A failure's repro reproduces: the lines the terminal report prints under a failed exchange,
//! pasted into `sh` where the profile's variables are set (as the mock's banner exports them),
//! get the status the report shows; the same lines without the variables do not. And the lines
//! hold no secret: every credential is shown as the variable the profile reads it from, and a
//! token the login obtained as a shell variable the lines themselves set first.
//!
//! Each case runs a built-in mock with a fault (in-process, on a fresh port) behind the shipped
//! profile (`targets/<api>.yaml`, its `base_url` pointed at the mock), through the library as
//! `specgate check --target` runs it, and renders the terminal report as the command prints it.
//! The shell runs `curl` (and `sed`, which the login's line pipes its answer to).

#[path = "support/report_schema.rs"]
mod report_schema;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use specgate::mock::{start, MockOptions};
use specgate::run::engine::{run_api, RunOptions};
use specgate::target::{env_var_name, Profile};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A failure as the terminal report shows it: the status after `->`, and the repro's lines.
#[derive(Debug)]
struct Shown {
    status: u16,
    lines: Vec<String>,
}

/// Every failed exchange of a terminal report with a status: the `METHOD URL -> STATUS` line,
/// and the lines indented under it (the repro), their indent taken off as a user copies them.
fn shown_failures(text: &str) -> Vec<Shown> {
    const INDENT: &str = "         ";
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(status) = line
            .strip_prefix(INDENT)
            .and_then(|l| l.rsplit_once(" -> "))
            .and_then(|(_, s)| s.parse::<u16>().ok())
        else {
            continue;
        };
        let repro: Vec<String> = lines[i + 1..]
            .iter()
            .take_while(|l| l.starts_with(INDENT) && !l.contains(" -> "))
            .map(|l| l[INDENT.len()..].to_string())
            .collect();
        out.push(Shown {
            status,
            lines: repro,
        });
    }
    out
}

/// What `sh -c` prints running `script` with only `env` (and PATH) set.
fn sh(script: &str, env: &BTreeMap<String, String>) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env)
        .output()
        .expect("sh runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The status of the answer `curl -i` printed.
fn status_of(output: &str) -> Option<u16> {
    output
        .lines()
        .find(|l| l.starts_with("HTTP/"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
}

/// The shipped profile of `api`, written under `dir`, sent to the mock of `target`: its
/// `base_url`, the address its `resolve` entries reach, and its certificate in the file its
/// `ca_cert` names (as `specgate mock --cert-out` writes it).
fn profile_at(api: &str, target: &specgate::target::Target, dir: &Path) -> PathBuf {
    let shipped =
        std::fs::read_to_string(root().join("targets").join(format!("{api}.yaml"))).unwrap();
    let mut moved = 0;
    let text: Vec<String> = shipped
        .lines()
        .map(|l| {
            let resolved = target
                .resolve
                .iter()
                .find(|(host, _)| l.starts_with(&format!("  {host}: ")));
            if l.starts_with("base_url:") {
                moved += 1;
                format!("base_url: {}", target.base_url)
            } else if let Some((host, addr)) = resolved {
                format!("  {host}: {addr}")
            } else if let Some(file) = l.strip_prefix("ca_cert: ") {
                let pem = specgate::report::pem_certificate(&target.root_certs[0]);
                std::fs::write(dir.join(file.trim()), pem).unwrap();
                l.to_string()
            } else {
                l.to_string()
            }
        })
        .collect();
    assert_eq!(moved, 1, "targets/{api}.yaml has one base_url");
    let path = dir.join(format!("{api}.yaml"));
    std::fs::write(&path, text.join("\n")).unwrap();
    path
}

/// Run `rule` against the `api` mock broken by `fault`, behind its shipped profile; take the
/// first failure whose repro holds `marker`; paste it into `sh`, with and without the
/// profile's variables. Returns the repro's lines.
async fn reproduce(api: &str, fault: &str, rule: &str, marker: &str) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!(
        "specgate-repro-{}-{api}-{fault}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let mock = start(
        api,
        MockOptions {
            fault: Some(fault.into()),
            ..Default::default()
        },
    )
    .await
    .expect("the mock starts");
    // The variables the mock's banner exports, which the shipped profile reads.
    let creds = &mock.target.credentials;
    let mut env: BTreeMap<String, String> = creds
        .values
        .iter()
        .map(|(k, v)| (env_var_name(api, None, k), v.clone()))
        .collect();
    for (role, values) in &creds.roles {
        for (k, v) in values {
            env.insert(env_var_name(api, Some(role), k), v.clone());
        }
    }
    let spec = specgate::load_spec(&root().join("specs").join(api)).expect("the spec loads");
    let secret = |name: &str| {
        spec.contract
            .credentials
            .iter()
            .any(|c| c.name == name && c.secret)
    };
    let secrets: Vec<String> = creds
        .values
        .iter()
        .chain(creds.roles.values().flat_map(|r| r.iter()))
        .filter(|(k, _)| secret(k))
        .map(|(_, v)| v.clone())
        .collect();
    assert!(!secrets.is_empty(), "{api}: no secret to look for");
    let path = profile_at(api, &mock.target, &dir);
    let declared = specgate::cli::specs::declared(&spec);
    let profile = Profile::load(&path, &declared, &|v| env.get(v).cloned())
        .unwrap_or_else(|e| panic!("{api}: the profile loads: {e}"));
    let options = RunOptions {
        rules: vec![rule.into()],
        skip_reasons: profile.skips.clone(),
        ..Default::default()
    };
    let result = run_api(&spec, &profile.target, &options, &mut |_| {}).await;
    let apis = std::slice::from_ref(&result);
    let text = specgate::report::check::terminal(apis, false);

    for s in &secrets {
        assert!(
            !text.contains(s.as_str()),
            "{api}: a secret is shown:\n{text}"
        );
    }
    let shown = shown_failures(&text);
    let Some(failure) = shown
        .into_iter()
        .find(|f| f.lines.iter().any(|l| l.contains(marker)))
    else {
        panic!("{api}: no failure's repro holds `{marker}`:\n{text}");
    };
    let script = failure.lines.join("\n");
    let (with_env, without_env) = tokio::task::spawn_blocking({
        let (script, env) = (script.clone(), env.clone());
        move || (sh(&script, &env), sh(&script, &BTreeMap::new()))
    })
    .await
    .unwrap();
    assert_eq!(
        status_of(&with_env),
        Some(failure.status),
        "{api}: pasted where the profile's variables are set, the repro gets another answer\n{script}\n---\n{with_env}"
    );
    // The variables are what made it work: without them the same lines are refused.
    assert_ne!(
        status_of(&without_env),
        Some(failure.status),
        "{api}: the repro works without the profile's variables: it proves nothing\n{script}"
    );
    // A value the lines get into a shell variable (a login's token) is no secret shown.
    for line in &failure.lines[..failure.lines.len() - 1] {
        let name = line.split_once("=$(").map(|(n, _)| n).unwrap_or_else(|| {
            panic!("{api}: a line before the curl that assigns nothing: {line}")
        });
        let got_script = format!(
            "{}\nprintf '%s' \"${{{name}}}\"",
            failure.lines[..failure.lines.len() - 1].join("\n")
        );
        let got = tokio::task::spawn_blocking({
            let env = env.clone();
            move || sh(&got_script, &env)
        })
        .await
        .unwrap();
        assert!(
            got.len() >= specgate::redact::MIN_SECRET_LEN,
            "{api}: ${name} got `{got}`\n{script}"
        );
        assert!(
            !script.contains(&got),
            "{api}: the value of ${name} is in the repro"
        );
    }
    shown_in_every_report(apis, &failure.lines);
    mock.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    failure.lines
}

/// The JSON, JUnit, Markdown and HTML reports show the same lines (each as its format writes
/// text), and the JSON report still matches its published schema.
fn shown_in_every_report(apis: &[specgate::results::ApiResult], lines: &[String]) {
    let joined = lines.join("\n");
    let indented = |indent: &str| {
        lines
            .iter()
            .map(|l| format!("{indent}{l}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let json: serde_json::Value =
        serde_json::from_str(&specgate::report::check::json(apis, false)).unwrap();
    report_schema::assert_matches_schema(&json);
    assert!(
        json.to_string()
            .contains(&serde_json::Value::String(joined.clone()).to_string()),
        "the JSON report lacks the repro:\n{joined}"
    );
    let junit = specgate::report::check::junit(apis, false);
    let escaped = quick_xml::escape::escape(indented("  ")).into_owned();
    assert!(
        junit.contains(&escaped),
        "the JUnit report lacks:\n{escaped}"
    );
    let markdown = specgate::report::check::markdown(apis, false);
    let block = format!("  ```sh\n{}\n  ```", indented("  "));
    assert!(
        markdown.contains(&block),
        "the Markdown report lacks:\n{block}"
    );
    let html = specgate::report::check::html(apis, false);
    let escaped = quick_xml::escape::escape(&joined).into_owned();
    assert!(html.contains(&escaped), "the HTML report lacks:\n{escaped}");
}

/// A Bearer key, and a role's: each shown as the variable the profile reads it from.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bearer_key_repro_reproduces() {
    let lines = reproduce(
        "checktick",
        "templates.fields-missing",
        "checktick.templates.list-fields",
        "Authorization: Bearer ${CHECKTICK_",
    )
    .await;
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("curl "), "{lines:?}");
}

/// A `Token token=` key over HTTPS, the documented host served on loopback: the repro reaches
/// it as the profile does (`--resolve`, `--cacert` of its `ca_cert`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_key_repro_over_https_reproduces() {
    let lines = reproduce(
        "checklick",
        "format.list-items-without-attributes",
        "checklick.users.attributes",
        "Authorization: Token token=${CHECKLICK_TOKEN}",
    )
    .await;
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("--resolve 'api.checklick.com:") && lines[0].contains("--cacert '"),
        "{lines:?}"
    );
}

/// Two credentials at once (the Workspace API key and the login's token), the token got
/// first by the login's curl, which sends the password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_two_credential_repro_with_a_login_reproduces() {
    let lines = reproduce(
        "optacheck",
        "tasks.create-answer-incomplete",
        "optacheck.tasks.create-returns-201",
        "x-api-key: ${OPTACHECK_API_KEY}",
    )
    .await;
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("TOKEN=$(curl "), "{lines:?}");
    assert!(lines[0].contains("${OPTACHECK_PASSWORD}"), "{lines:?}");
    assert!(
        lines[1].contains(r#"-H "Authorization: Token ${TOKEN}""#),
        "{lines:?}"
    );
}

/// Basic authentication as `-u user:password`: curl encodes the pair, so the password can
/// stay a variable (a redacted base64 could not be sent).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_basic_repro_reproduces() {
    let lines = reproduce(
        "checkvist",
        "timestamps.checklist-json-iso8601",
        "checkvist.auth.basic",
        "-u \"",
    )
    .await;
    let last = lines.last().unwrap();
    assert!(
        last.contains(r#"-u "user1@checkvist.mock:${CHECKVIST_REMOTE_KEY}""#),
        "{lines:?}"
    );
    assert!(!last.contains("Authorization: Basic"), "{lines:?}");
}

/// A login's token in a query parameter: the login's curl first, its token captured into
/// `TOKEN` with `sed`, then the request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_token_repro_reproduces() {
    let lines = reproduce(
        "checkvist",
        "checklists.stats-missing",
        "checkvist.checklists.stats-by-default",
        "token=${TOKEN}",
    )
    .await;
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with("TOKEN=$(curl ") && lines[0].contains("| sed -n "),
        "{lines:?}"
    );
    assert!(lines[0].contains("${CHECKVIST_REMOTE_KEY}"), "{lines:?}");
}

/// A wrong token an `auth` rule made of the login's (shifted by one), which no profile
/// holds: got again by the pipeline the rule left, from the login's token, itself got first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mangled_token_repro_reproduces() {
    let lines = reproduce(
        "checkvist",
        "auth.invalid-token-accepted",
        "checkvist.auth.refused-token-header",
        "${INVALID_TOKEN}",
    )
    .await;
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[0].starts_with("TOKEN=$(curl "), "{lines:?}");
    assert!(
        lines[1].starts_with("INVALID_TOKEN=$(printf '%s\\n' \"${TOKEN}\" | sed "),
        "{lines:?}"
    );
    assert!(
        lines[2].contains(r#"-H "X-Client-Token: ${INVALID_TOKEN}""#),
        "{lines:?}"
    );
}

/// A literal wrong key of an `auth` case names the run (`ct_live_specgate{{run_id}}notakey`):
/// it is sent, and so printed, rendered, never with the template's braces.
#[test]
fn a_literal_wrong_key_is_sent_rendered() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_specgate"))
        .args([
            "check",
            "--api",
            "checktick",
            "--fault",
            "auth.invalid-key-accepted",
            "--rule",
            "checktick.auth.invalid-key",
            "--report",
            "md=/dev/null",
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let sent = regex::Regex::new(r"Bearer ct_live_specgate([0-9a-f]+)notakey").unwrap();
    assert!(sent.is_match(&text), "{text}");
    assert!(!text.contains("{{run_id}}"), "{text}");
}
