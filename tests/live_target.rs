//! The live-target flow as the README tells it: `specgate mock` in one process, then
//! `specgate check --target PROFILE` in another, the credentials exported from the banner.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn a_profile_checks_a_mock_started_in_another_process() {
    let bin = env!("CARGO_BIN_EXE_specgate");
    let root = env!("CARGO_MANIFEST_DIR");
    let mut mock = Command::new(bin)
        .args(["mock", "--api", "checklist-items", "--port", "0"])
        .current_dir(root)
        .stdout(Stdio::piped())
        .spawn()
        .expect("specgate mock starts");
    let mut url = String::new();
    let mut exports = Vec::new();
    for line in BufReader::new(mock.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(u) = line.split(" serving at ").nth(1) {
            url = u.trim().to_string();
        }
        if let Some(e) = line.trim().strip_prefix("export ") {
            let (k, v) = e.split_once('=').unwrap();
            exports.push((k.to_string(), v.to_string()));
        }
        if line.starts_with("Ctrl-C") {
            break;
        }
    }
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    // The example profile, pointed at this mock's port.
    let example = std::fs::read_to_string(format!("{root}/targets/checklist-items.yaml")).unwrap();
    let profile_text = example.replace("http://127.0.0.1:8082/api", &url);
    assert_ne!(
        profile_text, example,
        "the example profile names the documented mock port"
    );
    let dir = std::env::temp_dir().join(format!("specgate-live-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let profile = dir.join("profile.yaml");
    std::fs::write(&profile, profile_text).unwrap();
    let report = dir.join("report.json");

    let check = Command::new(bin)
        .args([
            "check",
            "--target",
            profile.to_str().unwrap(),
            "--report",
            &format!("json={}", report.display()),
        ])
        .current_dir(root)
        .envs(exports.iter().cloned())
        .output()
        .expect("specgate check runs");
    let _ = mock.kill();
    let _ = mock.wait();
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(json["summary"]["failing"], 0);
    assert!(
        json["summary"]["passed"].as_u64().unwrap() > 50,
        "{}",
        json["summary"]
    );
    // The key was used, and is shown as its variable only.
    let key = &exports
        .iter()
        .find(|(k, _)| k == "CHECKLIST_ITEMS_API_KEY")
        .expect("the banner exports the key")
        .1;
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(
        !text.contains(key.as_str()) && !stdout.contains(key.as_str()),
        "a secret reached the report"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// An unset variable is a profile error (exit 2, at its line, naming it); marked optional, the
/// rules needing it would be skipped, and the run goes on (here to an unreachable target).
#[test]
fn without_the_environment_a_profile_is_refused_unless_the_credential_is_optional() {
    let bin = env!("CARGO_BIN_EXE_specgate");
    let root = env!("CARGO_MANIFEST_DIR");
    // Nothing listens on port 9 of loopback: with no credentials and no target, exit 3.
    let dir = std::env::temp_dir().join(format!("specgate-live-none-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let profile = dir.join("p.yaml");
    let run = |credential: &str| {
        std::fs::write(
            &profile,
            format!("api: checklist-items\nbase_url: http://127.0.0.1:9/api\ncredentials:\n  api_key: {credential}\n"),
        )
        .unwrap();
        let out = Command::new(bin)
            .args([
                "check",
                "--target",
                profile.to_str().unwrap(),
                "--report",
                &format!("json={}", dir.join("r.json").display()),
            ])
            .current_dir(root)
            .env_remove("SPECGATE_TEST_UNSET_VAR")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stderr) = run("${SPECGATE_TEST_UNSET_VAR}");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("p.yaml:4:12: invalid parameter: `api_key` reads ${SPECGATE_TEST_UNSET_VAR}, which is not set"),
        "{stderr}"
    );
    let (code, stderr) = run("{ value: \"${SPECGATE_TEST_UNSET_VAR}\", optional: true }");
    assert!(stderr.contains("SPECGATE_TEST_UNSET_VAR"), "{stderr}");
    assert_eq!(
        code,
        Some(3),
        "an unreachable target ends with exit 3: {stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
