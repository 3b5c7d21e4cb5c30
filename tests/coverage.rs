//! The coverage of a run, checked against counts made here independently of it:
//!
//! - the totals from each `openapi.yaml` parsed here with serde_yaml (operations, and their
//!   `responses` keys but `default`);
//! - what was exercised from a recording layer in front of each built-in mock: every request
//!   the mock answered, matched here to its operation by path template and method (the engine
//!   knows operations by the id its requests name, never by path);
//! - the document coverage from the cites read here from `contract.yaml`, found in the document
//!   with a regular expression over its raw text (the engine normalizes whitespace and maps
//!   bytes to lines).
//!
//! The run is the default run: every built-in mock with the specs built into specgate, every
//! rule, as `specgate check` runs it, in-process.

#[path = "support/report_schema.rs"]
mod report_schema;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use clap::Parser;
use serde_yaml::Value as Yaml;

use specgate::cli::check::{check, coverage_verdict, CheckArgs};
use specgate::cli::{CliError, ExitCode};
use specgate::coverage::{Coverage, MinCoverage};
use specgate::halt::Halt;
use specgate::mock::{MockOptions, Transport};
use specgate::results::ApiResult;
use specgate::run::engine::{run_api, RunOptions};
use specgate::spec::SpecsRoot;
use specgate::target::Target;

const APIS: [&str; 5] = [
    "checklick",
    "checklist-items",
    "checktick",
    "checkvist",
    "optacheck",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn docs() -> PathBuf {
    root().join("../shared/docs")
}

/// One request as the mock saw it and answered it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    /// The Host header, else the URI's authority: without its port.
    host: String,
    status: u16,
}

type Log = Arc<Mutex<Vec<Seen>>>;

async fn record(State(log): State<Log>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let host = req
        .headers()
        .get("host")
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.to_string()))
        .unwrap_or_default();
    let host = host
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map(|(h, _)| h.to_string())
        .unwrap_or(host);
    let response = next.run(req).await;
    log.lock().unwrap().push(Seen {
        method,
        path,
        host,
        status: response.status().as_u16(),
    });
    response
}

/// A built-in mock served here, behind the recording layer, as `mock::start` serves it.
struct Recorded {
    target: Target,
    log: Log,
    /// The host requests are addressed to, and the path prefix of the base URL.
    host: String,
    base_path: String,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

async fn serve(router: axum::Router) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let local = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (local, task)
}

async fn recorded_mock(name: &str) -> Recorded {
    let mock = specgate::mock::api(name).expect("a built-in mock");
    let built = mock.build(&MockOptions::default(), None);
    let log: Log = Arc::default();
    let router = built
        .router
        .layer(axum::middleware::from_fn_with_state(log.clone(), record));
    let mut target = Target {
        api: name.to_string(),
        credentials: built.credentials,
        fixtures: built.fixtures,
        ..Target::default()
    };
    let mut tasks = Vec::new();
    let host = match built.transport {
        Transport::Plain => {
            let (local, task) = serve(router).await;
            tasks.push(task);
            target.base_url = format!("http://{local}{}", built.base_path);
            "127.0.0.1".to_string()
        }
        Transport::Https {
            host,
            plain_refusal,
        } => {
            let cert = rcgen::generate_simple_self_signed(vec![host.to_string()]).unwrap();
            let cert_der = cert.cert.der().to_vec();
            let config = axum_server::tls_rustls::RustlsConfig::from_der(
                vec![cert_der.clone()],
                cert.signing_key.serialize_der(),
            )
            .await
            .unwrap();
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.set_nonblocking(true).unwrap();
            let local = listener.local_addr().unwrap();
            let server = axum_server::from_tcp_rustls(listener, config).unwrap();
            tasks.push(tokio::spawn(async move {
                let _ = server.serve(router.into_make_service()).await;
            }));
            target.base_url = format!("https://{host}:{}{}", local.port(), built.base_path);
            target.resolve.push((host.to_string(), local));
            target.root_certs.push(cert_der);
            // Plain HTTP is refused there: transport probes, which reach no operation, so
            // not recorded.
            let (plain, task) = serve(plain_refusal).await;
            tasks.push(task);
            target.plain_url = Some(format!("http://{host}:{}{}", plain.port(), built.base_path));
            target.resolve.push((host.to_string(), plain));
            host.to_string()
        }
    };
    Recorded {
        target,
        log,
        host,
        base_path: built.base_path,
        tasks,
    }
}

/// An operation of `openapi.yaml`, as read here.
#[derive(Debug, Clone)]
struct Op {
    id: String,
    method: String,
    template: String,
    pattern: regex::Regex,
    /// Its `responses` keys but `default`.
    keys: Vec<String>,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

fn operations(api: &str) -> Vec<Op> {
    let text = std::fs::read_to_string(root().join("specs").join(api).join("openapi.yaml"))
        .expect("openapi.yaml");
    let doc: Yaml = serde_yaml::from_str(&text).unwrap();
    let mut ops = Vec::new();
    let parameter = regex::Regex::new(r"\\\{[^}]*\\\}").unwrap();
    for (path, item) in doc["paths"].as_mapping().unwrap() {
        let template = path.as_str().unwrap().to_string();
        // `{name}` is one segment, or part of one (`/checklists.{format}`).
        let pattern = regex::Regex::new(&format!(
            "^{}$",
            parameter.replace_all(&regex::escape(&template), "[^/]+")
        ))
        .unwrap();
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let keys = op["responses"]
                .as_mapping()
                .map(|m| {
                    m.keys()
                        .map(|k| match k {
                            Yaml::Number(n) => n.to_string(),
                            k => k.as_str().unwrap().to_string(),
                        })
                        .filter(|k| k != "default")
                        .collect()
                })
                .unwrap_or_default();
            ops.push(Op {
                id: op["operationId"].as_str().unwrap().to_string(),
                method: method.to_ascii_uppercase(),
                template: template.clone(),
                pattern: pattern.clone(),
                keys,
            });
        }
    }
    ops
}

/// The documented key a status answers to: itself, else its class (`4XX`).
fn key_of(keys: &[String], status: u16) -> Option<&str> {
    let exact = status.to_string();
    let class = format!("{}XX", status / 100);
    keys.iter()
        .find(|k| **k == exact)
        .or_else(|| keys.iter().find(|k| k.eq_ignore_ascii_case(&class)))
        .map(String::as_str)
}

/// What the recorded requests exercised: operation ids, and (operation id, key) pairs.
fn exercised(ops: &[Op], mock: &Recorded) -> (BTreeSet<String>, BTreeSet<(String, String)>) {
    let mut operations = BTreeSet::new();
    let mut statuses = BTreeSet::new();
    for seen in mock.log.lock().unwrap().iter() {
        // A request to another host is a transport probe: it reaches no operation.
        if !seen.host.eq_ignore_ascii_case(&mock.host) {
            continue;
        }
        let Some(path) = seen.path.strip_prefix(&mock.base_path) else {
            continue;
        };
        // The most literal template that matches (`/users/me` before `/users/{id}`): the
        // fewest parameters, then the longest.
        let Some(template) = ops
            .iter()
            .filter(|o| o.pattern.is_match(path))
            .min_by_key(|o| {
                (
                    o.template.matches('{').count(),
                    usize::MAX - o.template.len(),
                )
            })
            .map(|o| o.template.clone())
        else {
            continue;
        };
        let at_path: Vec<&Op> = ops.iter().filter(|o| o.template == template).collect();
        match at_path.iter().find(|o| o.method == seen.method) {
            Some(op) => {
                operations.insert(op.id.clone());
                if let Some(key) = key_of(&op.keys, seen.status) {
                    statuses.insert((op.id.clone(), key.to_string()));
                }
            }
            // A method the path does not have (a 405 probe): its answer counts where an
            // operation of the path documents that very status.
            None => {
                for op in at_path {
                    let exact = seen.status.to_string();
                    if op.keys.contains(&exact) {
                        statuses.insert((op.id.clone(), exact));
                    }
                }
            }
        }
    }
    (operations, statuses)
}

/// The default run, recorded: each API's result, its mock's record, and its operations.
struct Run {
    api: ApiResult,
    ops: Vec<Op>,
    operations: BTreeSet<String>,
    statuses: BTreeSet<(String, String)>,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn default_run() -> &'static [Run] {
    static RUN: OnceLock<Vec<Run>> = OnceLock::new();
    RUN.get_or_init(|| {
        runtime().block_on(async {
            let mut runs = Vec::new();
            for name in APIS {
                let spec = specgate::cli::specs::load_named(&SpecsRoot::BuiltIn, name)
                    .expect("the built-in spec loads");
                let mock = recorded_mock(name).await;
                let options = RunOptions {
                    docs: Some(docs()),
                    ..Default::default()
                };
                let api = run_api(&spec, &mock.target, &options, &mut |_| {}).await;
                let ops = operations(name);
                let (operations, statuses) = exercised(&ops, &mock);
                for t in &mock.tasks {
                    t.abort();
                }
                runs.push(Run {
                    api,
                    ops,
                    operations,
                    statuses,
                });
            }
            runs
        })
    })
}

fn coverage(run: &Run) -> &Coverage {
    run.api.coverage.as_ref().expect("a coverage")
}

#[test]
fn the_totals_are_the_openapi_documents() {
    for run in default_run() {
        let c = coverage(run);
        let name = &run.api.api;
        let ids: BTreeSet<&str> = run.ops.iter().map(|o| o.id.as_str()).collect();
        let covered: BTreeSet<&str> = c.operations.iter().map(|o| o.operation.as_str()).collect();
        assert_eq!(covered, ids, "{name}: every operation, once");
        assert_eq!(c.totals.operations.total, run.ops.len(), "{name}");
        let keys: usize = run.ops.iter().map(|o| o.keys.len()).sum();
        assert_eq!(c.totals.statuses.total, keys, "{name}");
        for op in &run.ops {
            let o = c.operations.iter().find(|o| o.operation == op.id).unwrap();
            assert_eq!(
                (o.method.as_str(), o.path.as_str()),
                (op.method.as_str(), op.template.as_str())
            );
            let statuses: Vec<&str> = o.statuses.iter().map(|s| s.status.as_str()).collect();
            let mut want: Vec<&str> = op.keys.iter().map(String::as_str).collect();
            let mut got = statuses.clone();
            want.sort_unstable();
            got.sort_unstable();
            assert_eq!(got, want, "{name} {}", op.id);
        }
    }
}

#[test]
fn what_was_exercised_is_what_the_mocks_answered() {
    for run in default_run() {
        let c = coverage(run);
        let name = &run.api.api;
        assert!(
            !run.operations.is_empty(),
            "{name}: the recording saw requests"
        );
        let exercised: BTreeSet<String> = c
            .operations
            .iter()
            .filter(|o| o.exercised())
            .map(|o| o.operation.clone())
            .collect();
        assert_eq!(exercised, run.operations, "{name}: operations");
        assert_eq!(c.totals.operations.covered, run.operations.len(), "{name}");
        let statuses: BTreeSet<(String, String)> = c
            .operations
            .iter()
            .flat_map(|o| {
                o.statuses
                    .iter()
                    .filter(|s| s.exercised())
                    .map(|s| (o.operation.clone(), s.status.clone()))
            })
            .collect();
        assert_eq!(statuses, run.statuses, "{name}: statuses");
        assert_eq!(c.totals.statuses.covered, run.statuses.len(), "{name}");
        // Every rule named as exercising something is a rule of the run (or its login).
        let ids: BTreeSet<&str> = run.api.results.iter().map(|r| r.id.as_str()).collect();
        let login = format!("{name}.login");
        for o in &c.operations {
            for id in o
                .rules
                .iter()
                .chain(o.statuses.iter().flat_map(|s| &s.rules))
            {
                assert!(ids.contains(id.as_str()) || *id == login, "{name}: {id}");
            }
        }
    }
}

/// The logins' requests count: the two APIs with a login name it as exercising its operation.
#[test]
fn the_login_counts() {
    for run in default_run() {
        let name = &run.api.api;
        let contract: Yaml = serde_yaml::from_str(
            &std::fs::read_to_string(root().join("specs").join(name).join("contract.yaml"))
                .unwrap(),
        )
        .unwrap();
        let Some(op) = contract["login"]["request"]["operation"].as_str() else {
            continue;
        };
        let o = coverage(run)
            .operations
            .iter()
            .find(|o| o.operation == op)
            .unwrap();
        assert!(
            o.rules.contains(&format!("{name}.login")),
            "{name}: {op} {:?}",
            o.rules
        );
    }
}

/// The lines each rule's cites touch, found here with a regular expression over the raw text:
/// the cite's words, escaped, joined by runs of whitespace.
fn cited_lines(text: &str, cite: &str) -> BTreeSet<usize> {
    let words: Vec<String> = cite.split_whitespace().map(regex::escape).collect();
    let pattern = regex::Regex::new(&words.join(r"\s+")).unwrap();
    let mut lines = BTreeSet::new();
    let mut at = 0;
    // Every occurrence, overlapping ones too, as a substring search finds them.
    while let Some(m) = pattern.find_at(text, at) {
        let first = text[..m.start()].matches('\n').count() + 1;
        let last = text[..m.end()].matches('\n').count() + 1;
        lines.extend(first..=last);
        at = m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8);
    }
    lines
}

#[test]
fn the_document_coverage_is_the_cites_of_the_contract() {
    let name = "checklick";
    let run = default_run().iter().find(|r| r.api.api == name).unwrap();
    let contract: Yaml = serde_yaml::from_str(
        &std::fs::read_to_string(root().join("specs").join(name).join("contract.yaml")).unwrap(),
    )
    .unwrap();
    let file = contract["document"].as_str().unwrap();
    let text = std::fs::read_to_string(docs().join(file)).unwrap();
    let mut want: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for rule in contract["rules"].as_sequence().unwrap() {
        let id = rule["id"].as_str().unwrap();
        let cites: Vec<&str> = match &rule["cite"] {
            Yaml::String(s) => vec![s.as_str()],
            Yaml::Sequence(s) => s.iter().map(|c| c.as_str().unwrap()).collect(),
            _ => vec![],
        };
        for cite in cites {
            let lines = cited_lines(&text, cite);
            assert!(!lines.is_empty(), "{id}: its cite is in the document");
            for n in lines {
                want.entry(n).or_default().insert(id.to_string());
            }
        }
    }
    let d = coverage(run)
        .document
        .as_ref()
        .expect("the document coverage");
    assert_eq!(d.file, file);
    assert_eq!(d.lines.len(), text.lines().count());
    let got: BTreeMap<usize, BTreeSet<String>> = d
        .lines
        .iter()
        .filter(|l| !l.rules.is_empty())
        .map(|l| (l.number, l.rules.iter().cloned().collect()))
        .collect();
    assert_eq!(got, want);
    for l in &d.lines {
        assert_eq!(Some(l.text.as_str()), text.lines().nth(l.number - 1));
    }
    let with_text = text.lines().filter(|l| !l.trim().is_empty()).count();
    let cited = want
        .keys()
        .filter(|n| !text.lines().nth(*n - 1).unwrap().trim().is_empty())
        .count();
    assert_eq!((d.lines_with_text, d.cited_lines), (with_text, cited));
    let ratio = coverage(run).totals.document.unwrap();
    assert_eq!((ratio.covered, ratio.total), (cited, with_text));
}

#[test]
fn the_json_report_with_its_coverage_matches_the_schema() {
    let apis: Vec<ApiResult> = default_run().iter().map(|r| r.api.clone()).collect();
    let report: serde_json::Value =
        serde_json::from_str(&specgate::report::check::json(&apis, false)).unwrap();
    report_schema::assert_matches_schema(&report);
    assert!(report["apis"][0]["coverage"]["document"]["lines"].is_array());
}

/// The share of statuses the recording saw exercised, as a bar: the run meets it exactly.
fn statuses_bar(run: &Run) -> f64 {
    let keys: usize = run.ops.iter().map(|o| o.keys.len()).sum();
    100.0 * run.statuses.len() as f64 / keys as f64
}

#[test]
fn a_bar_passes_at_the_coverage_and_fails_above_it() {
    for run in default_run() {
        let apis = [run.api.clone()];
        let at = MinCoverage {
            statuses: Some(statuses_bar(run)),
            operations: Some(100.0 * run.operations.len() as f64 / run.ops.len() as f64),
            ..Default::default()
        };
        assert!(coverage_verdict(&apis, &at).is_ok(), "{}", run.api.api);
        let above = MinCoverage {
            statuses: Some(statuses_bar(run) + 0.01),
            ..Default::default()
        };
        if statuses_bar(run) < 100.0 {
            let e = coverage_verdict(&apis, &above).unwrap_err();
            assert_eq!(e.exit_code(), ExitCode::RuleFailed);
            assert!(
                e.to_string().starts_with(&format!(
                    "error: {}: statuses coverage {}/",
                    run.api.api,
                    run.statuses.len()
                )),
                "{e}"
            );
        }
    }
}

#[derive(Parser)]
struct Line {
    #[command(flatten)]
    check: CheckArgs,
}

/// `specgate check` end to end, in-process, on one built-in mock.
fn check_line(args: &[&str]) -> Result<ExitCode, CliError> {
    let dir = std::env::temp_dir().join(format!(
        "specgate-coverage-{}-{}",
        std::process::id(),
        args.join("_").replace(['/', '=', ',', '.'], "_")
    ));
    let report = format!("json={}", dir.join("r.json").display());
    let mut line = vec!["check", "--report", &report];
    line.extend_from_slice(args);
    let args = Line::parse_from(line).check;
    let (halt, _interrupter) = Halt::new(args.run_timeout);
    let ended = runtime().block_on(check(&SpecsRoot::BuiltIn, &args, halt, vec![], &mut |_| {}));
    let _ = std::fs::remove_dir_all(&dir);
    ended
}

#[test]
fn min_coverage_fails_the_run_below_its_bar_and_passes_at_it() {
    let name = "optacheck";
    let run = default_run().iter().find(|r| r.api.api == name).unwrap();
    let docs = docs().display().to_string();
    let bar = |p: f64| format!("statuses={p}");
    let at = bar((statuses_bar(run) * 1000.0).floor() / 1000.0);
    assert_eq!(
        check_line(&["--api", name, "--docs", &docs, "--min-coverage", &at]).unwrap(),
        ExitCode::Ok
    );
    let d = coverage(run).totals.document.unwrap();
    let above = format!("document={}", (d.percent.unwrap() + 0.1).min(100.0));
    let e = check_line(&["--api", name, "--docs", &docs, "--min-coverage", &above]).unwrap_err();
    assert_eq!(e.exit_code(), ExitCode::RuleFailed);
    assert_eq!(
        e.to_string(),
        format!(
            "error: {name}: document coverage {} is below --min-coverage {above}",
            d
        )
    );
}

#[test]
fn bad_bars_are_refused_before_anything_runs() {
    for (bad, says) in [
        ("statuses", "write NAME=PERCENT"),
        ("statuses=101", "from 0 to 100"),
        ("operation=90", "did you mean `operations`?"),
    ] {
        let e = match Line::try_parse_from(["check", "--min-coverage", bad]) {
            Err(e) => e,
            Ok(_) => panic!("{bad} was taken"),
        };
        assert_eq!(e.exit_code(), 2, "{bad}");
        assert!(e.to_string().contains(says), "{bad}: {e}");
    }
    let e = check_line(&["--api", "optacheck", "--docs", "/nonexistent/docs"]).unwrap_err();
    assert_eq!(e.exit_code(), ExitCode::SpecError);
    assert!(
        e.to_string()
            .contains("--docs /nonexistent/docs: no such folder"),
        "{e}"
    );
}

/// Without a document, the document coverage is absent, every output says so, and a document
/// bar cannot be met.
#[test]
fn without_a_document_the_document_coverage_is_not_measured() {
    let empty =
        std::env::temp_dir().join(format!("specgate-coverage-nodocs-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let (none, missing) = runtime().block_on(async {
        let spec = specgate::cli::specs::load_named(&SpecsRoot::BuiltIn, "optacheck").unwrap();
        let mut out = Vec::new();
        for docs in [None, Some(empty.clone())] {
            let mock = specgate::mock::start("optacheck", MockOptions::default())
                .await
                .unwrap();
            let options = RunOptions {
                docs,
                rules: vec!["optacheck.auth.*".into()],
                ..Default::default()
            };
            out.push(run_api(&spec, &mock.target, &options, &mut |_| {}).await);
            mock.shutdown().await;
        }
        (out.remove(0), out.remove(0))
    });
    let _ = std::fs::remove_dir_all(&empty);
    let said = "not measured (no document: pass --docs)";
    let c = none.coverage.as_ref().unwrap();
    assert!(c.document.is_none() && c.totals.document.is_none());
    assert_eq!(
        c.document_absent.as_deref(),
        Some("no document: pass --docs")
    );
    // Operations are measured all the same.
    assert!(c.totals.operations.total > 0);
    let apis = [none.clone()];
    let terminal = specgate::report::check::terminal(&apis, false);
    assert!(
        terminal.contains(&format!("document lines {said}")),
        "{terminal}"
    );
    let markdown = specgate::report::check::markdown(&apis, false);
    assert!(markdown.contains(said), "{markdown}");
    let json: serde_json::Value =
        serde_json::from_str(&specgate::report::check::json(&apis, false)).unwrap();
    let coverage = &json["apis"][0]["coverage"];
    assert!(coverage["document"].is_null(), "{coverage}");
    assert_eq!(coverage["document_absent"], "no document: pass --docs");
    let bar = MinCoverage::parse("document=0").unwrap();
    let e = coverage_verdict(&apis, &bar).unwrap_err();
    assert!(
        e.to_string().contains(&format!("document coverage {said}")),
        "{e}"
    );
    // A folder without the document: said where it was looked for.
    let why = missing
        .coverage
        .as_ref()
        .unwrap()
        .document_absent
        .clone()
        .unwrap();
    assert!(
        why.starts_with("no document: ")
            && why.contains("optacheck.txt")
            && why.ends_with("pass --docs"),
        "{why}"
    );
}

/// The binary, run where there is no `../shared/docs`, measures no document: it never falls
/// back to the folder of the machine it was built on.
#[test]
fn an_installed_binary_outside_the_checkout_has_no_document_unless_told() {
    let dir =
        std::env::temp_dir().join(format!("specgate-coverage-away-{}/a/b", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    assert!(!dir.join("../shared/docs").exists());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_specgate"))
        .args(["check", "--api", "optacheck", "--rule", "optacheck.auth.*"])
        .args(["--report", "json=r.json"])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("optacheck coverage: operations ")
            && stdout.contains("document lines not measured (no document: pass --docs)"),
        "{stdout}"
    );
    let told = std::process::Command::new(env!("CARGO_BIN_EXE_specgate"))
        .args(["check", "--api", "optacheck", "--rule", "optacheck.auth.*"])
        .args(["--report", "json=r.json", "--docs"])
        .arg(docs())
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&told.stdout);
    assert!(
        stdout.contains("document lines ") && !stdout.contains("not measured"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(dir.join("../.."));
}
