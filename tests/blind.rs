//! Nothing passes blind, and errors say what happened: numeric options and dataset variables are
//! refused when they are parsed, a prediction that divides by zero or overflows is an error
//! naming its formula, a check that judged nothing is "not run", and profiles, bodies and report
//! paths that cannot work say why, before the run where they can.
//!
//! Every target here is on loopback: a built-in mock started in-process or by the binary, or a
//! raw TCP listener of the test's own.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use specgate::exchange::client::{HttpClient, TransportError};
use specgate::target::Target;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn specgate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_specgate"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("specgate runs")
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// A fresh folder under the OS temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let d = std::env::temp_dir().join(format!("specgate-blind-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
    fn arg(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The 1-based line and column where `needle` first starts in `text`.
fn position(text: &str, needle: &str) -> (usize, usize) {
    text.lines()
        .enumerate()
        .find_map(|(i, l)| l.find(needle).map(|c| (i + 1, c + 1)))
        .unwrap_or_else(|| panic!("`{needle}` is not in the text"))
}

/// Each nonsense value is refused by the parser (exit 2) with the option's name and what it
/// takes, before anything runs: `--iterations 0` used to send 8 requests, `--users=-1` and
/// `--set users=-5` ran, and a huge `--run-time` panicked.
#[test]
fn nonsense_numbers_are_refused_when_parsed() {
    let export = "scenarios/checklick-export.yaml";
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["check", "--concurrency", "0"],
            "--concurrency",
            "give 1 or more",
        ),
        (
            &["load", "--scenario", export, "--concurrency", "0"],
            "--concurrency",
            "give between 1 and 1000",
        ),
        (
            &["load", "--scenario", export, "--users=-1"],
            "--users",
            "-1 is not a count",
        ),
        (
            &["load", "--scenario", export, "--users", "2.5"],
            "--users",
            "2.5 is not a whole number",
        ),
        (
            &["load", "--scenario", export, "--users", "1e300"],
            "--users",
            "past the",
        ),
        (
            &["load", "--scenario", export, "--set", "users=-5"],
            "--set",
            "`users`: -5 is not a count",
        ),
        (
            &["load", "--scenario", export, "--set", "=5"],
            "--set",
            "the NAME is empty",
        ),
        (
            &["load", "--scenario", export, "--max-requests", "0"],
            "--max-requests",
            "give 1 or more",
        ),
        (
            &["load", "--scenario", export, "--iterations", "0"],
            "--iterations",
            "give 1 or more",
        ),
        (
            &["load", "--scenario", export, "--timeout", "0"],
            "--timeout",
            "1 to 3600 seconds",
        ),
        (
            &["load", "--scenario", export, "--timeout", "100000"],
            "--timeout",
            "past the 3600",
        ),
        (
            &["load", "--scenario", export, "--run-time", "0s"],
            "--run-time",
            "longer than 0",
        ),
        (
            &[
                "load",
                "--scenario",
                export,
                "--run-time",
                "100000000000000000000000h",
            ],
            "--run-time",
            "at most 24h",
        ),
        (
            &["plan", "--scenario", export, "--concurrencies", "1,0,4"],
            "--concurrencies",
            "give between 1 and 1000",
        ),
        (
            &["plan", "--scenario", export, "--sample-size", "0"],
            "--sample-size",
            "give 1 or more",
        ),
        (
            &["plan", "--scenario", export, "--plan-iterations", "0"],
            "--plan-iterations",
            "give 1 or more",
        ),
        (
            &[
                "load",
                "--scenario",
                "scenarios/checktick-dashboard.yaml",
                "--set",
                "user_rate_per_minute=0",
                "--iterations",
                "1",
            ],
            "limit 0",
            "allows no request per 60 s",
        ),
        (
            &["mock", "--api", "checktick", "--size", "200000000"],
            "--size",
            "serves at most 100000000",
        ),
    ];
    for (args, option, accepted) in cases {
        let out = specgate(args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(option) && err.contains(accepted),
            "{args:?} should name {option} and say `{accepted}`:\n{err}"
        );
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?} ran: {}", text(&out.stdout));
    }
}

/// A dataset variable of a scenario file is checked where it is written.
#[test]
fn a_dataset_variable_is_checked_at_its_line() {
    let dir = TempDir::new("dataset");
    let original =
        std::fs::read_to_string(root().join("scenarios/checklist-items-board.yaml")).unwrap();
    for (value, why) in [
        ("-5", "-5 is not a count"),
        ("2.5", "2.5 is not a whole number"),
    ] {
        let scenario = original.replace(
            "items: { default: 20,",
            &format!("items: {{ default: {value},"),
        );
        assert_ne!(scenario, original);
        let file = dir.path("board.yaml");
        std::fs::write(&file, &scenario).unwrap();
        let errors = specgate::load::load_scenario(&file, &root().join("specs")).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors}");
        let e = &errors.0[0];
        let (line, column) = position(&scenario, &format!("{value},"));
        assert_eq!((e.location.line, e.location.column), (line, column), "{e}");
        assert!(e.to_string().contains(why), "{e}");
    }
}

/// A prediction that divides by zero for the dataset run is an error naming the formula, its
/// request and its line, before the load starts; it used to count 0 and say the prediction
/// failed after the run.
#[test]
fn a_prediction_dividing_by_zero_is_an_error_naming_the_formula() {
    let dir = TempDir::new("divide");
    let formula = "concurrency * iterations / (items - 20)";
    let scenario = std::fs::read_to_string(root().join("scenarios/checklist-items-board.yaml"))
        .unwrap()
        .replace(
            "PUT /checklists/positions: concurrency * iterations\n",
            &format!("PUT /checklists/positions: {formula}\n"),
        );
    let file = dir.path("board.yaml");
    std::fs::write(&file, &scenario).unwrap();
    // In a directory that does not exist yet: checked before the run, created only to write.
    let report = format!("json={}", dir.arg("new/load.json"));
    let out = specgate(&[
        "load",
        "--scenario",
        file.to_str().unwrap(),
        "--iterations",
        "1",
        "--concurrency",
        "1",
        "--report",
        &report,
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}{}", text(&out.stdout));
    let (line, column) = position(&scenario, formula);
    assert!(
        err.contains(&format!(
            "board.yaml:{line}:{column}: the prediction of `PUT /checklists/positions`"
        )),
        "{err}"
    );
    assert!(
        err.contains("`(concurrency * iterations) / (items - 20)` divides by zero"),
        "{err}"
    );
    assert!(
        !dir.path("new").exists(),
        "nothing is left of a run that did not happen"
    );
}

/// A plan for more users than a count holds exactly is an error before the sweep, not a
/// total of 18446744073709551615.
#[test]
fn a_plan_past_what_a_count_holds_is_an_error() {
    let dir = TempDir::new("overflow");
    let report = format!("json={}", dir.arg("plan.json"));
    let out = specgate(&[
        "plan",
        "--scenario",
        "scenarios/checklick-export.yaml",
        "--users",
        "9000000000000000",
        "--concurrencies",
        "1",
        "--sample-size",
        "20",
        "--report",
        &report,
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the predicted total is past the 9.007199254740992e15"),
        "{err}"
    );
    assert!(!err.contains("18446744073709551615"), "{err}");
    assert!(
        !err.contains("load users:"),
        "the sweep ran before the error: {err}"
    );
}

fn json_report(dir: &TempDir, args: &[&str]) -> serde_json::Value {
    let report = format!("json={}", dir.arg("check.json"));
    let mut all = args.to_vec();
    all.extend(["--report", &report]);
    let out = specgate(&all);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(dir.path("check.json")).unwrap()).unwrap()
}

fn result<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["apis"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no result {id} in {report}"))
}

/// With no rule run (the selected ones all write, and `--read-only` skips them; a selection
/// of no rule is refused), no exchange is made: the three conformance checks judged nothing
/// and say so; they used to report "passed".
#[test]
fn conformance_checks_that_saw_no_answer_are_not_run() {
    let dir = TempDir::new("conformance");
    let report = json_report(
        &dir,
        &[
            "check",
            "--api",
            "checklist-items",
            "--rule",
            "checklist-items.create.*",
            "--read-only",
        ],
    );
    for check in [
        "not-a-server-error",
        "status-code-conformance",
        "response-schema-conformance",
    ] {
        let r = result(&report, &format!("checklist-items.conformance.{check}"));
        assert_eq!(r["status"], "not-run", "{r}");
        assert!(
            r["reason"]
                .as_str()
                .unwrap()
                .starts_with("no exchange to judge: none of the 0 exchange(s)"),
            "{r}"
        );
    }
    assert_eq!(report["summary"]["passed"], 0, "{}", report["summary"]);
}

/// A cross-cutting rule with no request of its own, run alone, sees only the login: it has
/// nothing to judge, and says so instead of passing. The conformance checks did judge the
/// login's answer.
#[test]
fn a_cross_cutting_rule_that_judged_nothing_is_not_run() {
    let dir = TempDir::new("cross");
    let id = "optacheck.media.json-responses";
    let report = json_report(&dir, &["check", "--api", "optacheck", "--rule", id]);
    let r = result(&report, id);
    assert_eq!(r["status"], "not-run", "{r}");
    assert!(
        r["reason"]
            .as_str()
            .unwrap()
            .contains("this rule applies to"),
        "{r}"
    );
    let server_errors = result(&report, "optacheck.conformance.not-a-server-error");
    assert_eq!(server_errors["status"], "passed", "{server_errors}");
}

/// A profile that cannot be read says why, at its place; it used to say "no spec ``".
#[test]
fn unreadable_profiles_say_why_not_no_spec() {
    let dir = TempDir::new("profiles");
    std::fs::write(dir.path("binary.yaml"), [0x89u8, b'P', b'N', b'G', 0, 0xff]).unwrap();
    std::fs::write(
        dir.path("unknown.yaml"),
        "# a target\napi: checklisst\nbase_url: http://127.0.0.1:1\n",
    )
    .unwrap();
    let cases = [
        (
            dir.arg("missing.yaml"),
            "missing.yaml:1:1: cannot read the file: No such file",
        ),
        (
            dir.arg(""),
            "cannot read the file: this is a directory, not a profile file",
        ),
        (
            dir.arg("binary.yaml"),
            "binary.yaml:1:1: cannot read the file: not a text file",
        ),
        (
            dir.arg("unknown.yaml"),
            "unknown.yaml:2:6: the profile's `api`: no spec `checklisst`",
        ),
    ];
    for (profile, want) in cases {
        let out = specgate(&["check", "--target", &profile]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{profile}: {err}");
        assert!(err.contains(want), "{profile}: want `{want}` in:\n{err}");
        assert!(!err.contains("no spec ``"), "{err}");
    }
}

/// A `ca_cert` that is not a PEM certificate is exit 2 at the profile's line; it used to be
/// exit 3, "builder error", once the run had started.
#[test]
fn a_ca_cert_that_is_not_pem_is_exit_2_at_its_line() {
    let dir = TempDir::new("ca");
    std::fs::write(dir.path("ca.pem"), "not a certificate\n").unwrap();
    let profile = "api: checklick\nbase_url: https://api.checklick.com:1\nca_cert: ca.pem\n";
    std::fs::write(dir.path("profile.yaml"), profile).unwrap();
    let out = specgate(&["check", "--target", &dir.arg("profile.yaml")]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("profile.yaml:3:10: invalid parameter: ")
            && err.contains("ca.pem: not a PEM certificate"),
        "{err}"
    );
    assert!(!err.contains("builder error"), "{err}");
}

/// The certificate `specgate mock --cert-out` writes (PEM) is trusted by a profile: the
/// client reaches the HTTPS mock with it (PEM bytes used to be handed to the client as DER).
#[tokio::test]
async fn a_pem_ca_cert_reaches_an_https_mock() {
    let dir = TempDir::new("pem");
    let mock = specgate::mock::start("checklick", Default::default())
        .await
        .expect("the mock starts");
    let der = mock
        .target
        .root_certs
        .first()
        .expect("checklick is served over HTTPS");
    std::fs::write(dir.path("ca.pem"), specgate::report::pem_certificate(der)).unwrap();
    // A profile maps each host to one address; the mock may list several per host.
    let mut resolve: Vec<String> = vec![];
    for (host, addr) in &mock.target.resolve {
        if !resolve.iter().any(|r| r.starts_with(&format!("  {host}:"))) {
            resolve.push(format!("  {host}: {addr}\n"));
        }
    }
    std::fs::write(
        dir.path("profile.yaml"),
        format!(
            "api: checklick\nbase_url: {}\nresolve:\n{}ca_cert: ca.pem\n",
            mock.target.base_url,
            resolve.concat()
        ),
    )
    .unwrap();
    let profile = specgate::target::Profile::load(
        &dir.path("profile.yaml"),
        &specgate::target::Declared::default(),
        &|_| None,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let client = HttpClient::new(&profile.target, Duration::from_secs(5), 1 << 20).unwrap();
    let ex = client.send(&get(&mock.target.base_url)).await;
    mock.shutdown().await;
    let answer = ex
        .outcome
        .unwrap_or_else(|e| panic!("no HTTPS answer: {e}"));
    assert!(answer.status >= 200, "{}", answer.status);
}

fn get(url: &str) -> specgate::exchange::request::Prepared {
    specgate::exchange::request::Prepared {
        method: "GET".into(),
        url: url.into(),
        headers: vec![],
        body: None,
        operation: None,
    }
}

/// A server that answers every request with `head`, then `body_bytes` bytes of `x`, then
/// closes the connection.
async fn liar(head: &'static str, body_bytes: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let _ = sock.write_all(head.as_bytes()).await;
            let _ = sock.write_all(&vec![b'x'; body_bytes]).await;
            let _ = sock.shutdown().await;
        }
    });
    url
}

/// A body that announces 10 GB and stops after 100 bytes is truncated, not "larger than
/// 8388608 bytes"; one that sends past the cap is too large, with what it announced.
#[tokio::test]
async fn a_lying_content_length_says_what_was_announced_and_what_arrived() {
    let ten_gb =
        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 10737418240\r\n\r\n";
    let client = HttpClient::new(&Target::default(), Duration::from_secs(5), 1 << 20).unwrap();

    let truncated = client.send(&get(&liar(ten_gb, 100).await)).await;
    let e = truncated.outcome.unwrap_err();
    assert_eq!(
        e,
        TransportError::Truncated {
            announced: 10_737_418_240,
            arrived: 100
        }
    );
    assert_eq!(
        e.to_string(),
        "the body ended after 100 of the 10737418240 bytes its Content-Length announced"
    );

    let flood = client.send(&get(&liar(ten_gb, 2 << 20).await)).await;
    let e = flood.outcome.unwrap_err();
    assert_eq!(
        e,
        TransportError::BodyTooLarge {
            limit: 1 << 20,
            announced: Some(10_737_418_240)
        }
    );
    assert!(e.to_string().contains("announces 10737418240 bytes"), "{e}");
}

/// Report paths are checked before the run: two reports on one file, a directory, and a
/// place no directory can be made are exit 2 with nothing run (the summary is never printed).
#[test]
fn report_paths_are_checked_before_the_run() {
    let dir = TempDir::new("reports");
    std::fs::write(dir.path("a-file"), "").unwrap();
    std::fs::create_dir_all(dir.path("sub")).unwrap();
    let same = dir.arg("r.out");
    let same_again = format!("{}/sub/../r.out", dir.0.display());
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![format!("json={same}"), format!("md={same_again}")],
            "the json report is written there too",
        ),
        (
            vec![format!("json={}", dir.arg("sub"))],
            "a directory, not a file",
        ),
        (
            vec![format!("junit={}/a-file/report.xml", dir.0.display())],
            "cannot create the directory",
        ),
    ];
    for (reports, want) in cases {
        let mut args = vec![
            "check".to_string(),
            "--api".into(),
            "checklist-items".into(),
        ];
        for r in &reports {
            args.extend(["--report".to_string(), r.clone()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = specgate(&args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{reports:?}: {err}");
        assert!(err.contains(want), "{reports:?}: want `{want}` in:\n{err}");
        assert!(
            out.stdout.is_empty(),
            "{reports:?}: the run started:\n{}",
            text(&out.stdout)
        );
    }
    assert!(
        !Path::new(&same).exists(),
        "a checked path is left as it was"
    );

    // load: a goose report on the same file as a report of ours.
    let report = format!("json={}", dir.arg("load.out"));
    let out = specgate(&[
        "load",
        "--scenario",
        "scenarios/checklist-items-board.yaml",
        "--report",
        &report,
        "--goose-report",
        &dir.arg("load.out"),
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--goose-report") && err.contains("the json report is written there too"),
        "{err}"
    );
}
