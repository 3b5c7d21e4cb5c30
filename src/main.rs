//! The specgate command line: parses arguments, calls the library, prints through reporters.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use specgate::lint::{lint, CiteCheck};
use specgate::report::specs_table;

/// Print to stdout; a closed pipe (`specgate ... | head`) ends the output quietly instead of
/// panicking as `println!` does.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

macro_rules! out_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Exit codes, documented in the README.
const EXIT_OK: u8 = 0;
const EXIT_RULE_FAILED: u8 = 1;
const EXIT_SPEC_ERROR: u8 = 2;
const EXIT_UNREACHABLE: u8 = 3;
/// 128 + the signal's number, as shells report a process the signal ended.
const EXIT_SIGINT: u8 = 130;
const EXIT_SIGTERM: u8 = 143;

/// The longest `--request-timeout`, `--rule-timeout` or `--run-timeout`: a day is already
/// more than any CI job runs.
const MAX_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

#[derive(Parser)]
#[command(
    name = "specgate",
    version,
    about = "Checks that HTTP APIs keep the promises their documents make"
)]
struct Cli {
    /// The folder of specs (one sub-folder per API) [default: ./specs, else the one built in]
    #[arg(long, global = true, value_name = "DIR")]
    specs: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the APIs with their operations and rules by level; with an API, its operations and rules
    Specs {
        /// One API to show in detail
        api: Option<String>,
    },
    /// Check APIs against their specs: by default, every built-in mock, started in-process
    Check {
        /// Only these APIs (repeatable) [default: all]
        #[arg(long = "api", value_name = "NAME")]
        apis: Vec<String>,
        /// Only rules whose id matches (glob, repeatable)
        #[arg(long = "rule", value_name = "GLOB")]
        rules: Vec<String>,
        /// Skip rules whose id matches (glob, repeatable)
        #[arg(long = "skip", value_name = "GLOB")]
        skip: Vec<String>,
        /// Only rules at this level or stricter: must, should, may
        #[arg(long, value_name = "LEVEL", value_parser = parse_level)]
        level: Option<specgate::Level>,
        /// Skip every rule that writes (POST, PUT, PATCH, DELETE)
        #[arg(long)]
        read_only: bool,
        /// Failed `should` rules fail the run too
        #[arg(long)]
        strict: bool,
        /// Rules run at once (read-only rules; writing rules run one at a time)
        #[arg(long, default_value_t = 8, value_parser = parse_at_least_one)]
        concurrency: usize,
        /// Each request's time: no response headers, or a body that has not arrived, by then
        /// fails it (as "no response headers" or "the body trickled")
        #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_timeout)]
        request_timeout: std::time::Duration,
        /// Each rule's total time, all its requests and waits together; past it the rule fails
        /// with a deadline failure (six request timeouts: room for a slow answer or two)
        #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_timeout)]
        rule_timeout: std::time::Duration,
        /// The whole run's time; past it, unfinished rules are reported as not run, the
        /// reports are written and the run exits 1 (a hung target still ends inside a CI job)
        #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_timeout)]
        run_timeout: std::time::Duration,
        /// Write a report: json=PATH, junit=PATH, md=PATH or html=PATH (repeatable)
        /// [default: all four under reports/<timestamp>/]
        #[arg(long = "report", value_name = "KIND=PATH", value_parser = parse_report)]
        reports: Vec<(String, PathBuf)>,
        /// Check a live target named by a profile file instead of the built-in mocks (repeatable)
        #[arg(long = "target", value_name = "FILE")]
        targets: Vec<PathBuf>,
        /// Break one documented behaviour of the built-in mock (needs exactly one --api)
        #[arg(long, value_name = "NAME")]
        fault: Option<String>,
        /// Check a faithful variant of the built-in mock: another choice where the document is
        /// silent (needs exactly one --api; see `specgate mock --list-variants`)
        #[arg(long, value_name = "NAME")]
        variant: Option<String>,
    },
    /// Serve the reference mock of an API (faithful, or with one documented behaviour broken)
    Mock {
        /// The API to serve
        #[arg(long, required_unless_present_any = ["list_faults", "list_variants"])]
        api: Option<String>,
        /// Address to listen on (loopback by default)
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Port (0: an ephemeral one; the chosen URL is printed)
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Break exactly one documented behaviour (see --list-faults)
        #[arg(long, value_name = "NAME")]
        fault: Option<String>,
        /// A faithful variant: another choice where the document is silent (see --list-variants)
        #[arg(long, value_name = "NAME")]
        variant: Option<String>,
        /// Seed of the synthetic data and credentials
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Size of the main collection (e.g. Checklick users)
        #[arg(long, alias = "users", value_name = "N")]
        size: Option<usize>,
        /// Write the mock's TLS certificate (PEM) here, for a profile's `ca_cert`
        #[arg(long, value_name = "FILE")]
        cert_out: Option<PathBuf>,
        /// List the faults (of --api, or of every mock) and exit
        #[arg(long)]
        list_faults: bool,
        /// List the faithful variants (of --api, or of every mock) and exit
        #[arg(long)]
        list_variants: bool,
    },
    /// Run a documented workload (scenarios/*.yaml) through goose and compare the request
    /// counts with the scenario's prediction; by default against the API's built-in mock
    Load {
        #[command(flatten)]
        load: LoadArgs,
        /// Write a report: json=PATH, md=PATH or html=PATH (repeatable)
        /// [default: all three under reports/load-<timestamp>/]
        #[arg(long = "report", value_name = "KIND=PATH", value_parser = parse_load_report)]
        reports: Vec<(String, PathBuf)>,
    },
    /// Run a scenario at a sweep of concurrencies on a sample dataset and plan the capacity of
    /// a dataset size: requests, recommended concurrency, wall time, the binding limit
    Plan {
        #[command(flatten)]
        load: LoadArgs,
        /// Concurrencies to sweep, comma-separated (each at most 1000)
        #[arg(long, value_delimiter = ',', default_value = "1,2,4,8,16,32", value_parser = parse_load_users)]
        concurrencies: Vec<usize>,
        /// The size of the sample each sweep run loads (its `mock_size` dataset variable)
        #[arg(long, value_name = "N", default_value_t = 2000, value_parser = parse_at_least_one)]
        sample_size: usize,
        /// Iterations per load user to plan for (transactions scenarios)
        #[arg(long, value_name = "N", value_parser = parse_at_least_one)]
        plan_iterations: Option<usize>,
        /// Write a report: json=PATH, md=PATH or html=PATH (repeatable)
        /// [default: all three under reports/plan-<timestamp>/]
        #[arg(long = "report", value_name = "KIND=PATH", value_parser = parse_load_report)]
        reports: Vec<(String, PathBuf)>,
    },
    /// Load, compile and check specs; exit 0 when clean, 2 with located errors otherwise
    Lint {
        /// API names or spec folders [default: every spec]
        targets: Vec<String>,
        /// Where the vendor documents are, to check every cite is verbatim
        /// [default: ../shared/docs when it exists]
        #[arg(long, value_name = "DIR")]
        docs: Option<PathBuf>,
    },
}

/// What `load` and `plan` share.
#[derive(clap::Args, Clone)]
struct LoadArgs {
    /// The scenario file (see scenarios/)
    #[arg(long, value_name = "FILE")]
    scenario: PathBuf,
    /// A target profile [default: the API's built-in mock, started in-process]
    #[arg(long, value_name = "FILE")]
    target: Option<PathBuf>,
    /// The size of the scenario's main collection (its `mock_size` dataset variable, e.g.
    /// Checklick users); the built-in mock is started with this many. For `plan`: the size to
    /// plan for
    #[arg(long, alias = "size", value_name = "N", value_parser = parse_count)]
    users: Option<f64>,
    /// Any dataset variable of the scenario, NAME=VALUE (repeatable)
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_set)]
    sets: Vec<(String, f64)>,
    /// Seed of the built-in mock's data
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Load users (goose users), each with its own connection; at most 1000 (each holds its own
    /// HTTP client: more add memory, not load)
    #[arg(long, default_value_t = 8, value_parser = parse_load_users)]
    concurrency: usize,
    /// Iterations per load user of a transactions scenario [default: until --run-time]
    #[arg(long, value_name = "N", value_parser = parse_at_least_one)]
    iterations: Option<usize>,
    /// The run stops by itself after this long: 90s, 5m, 1h
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_duration)]
    run_time: std::time::Duration,
    /// The run stops by itself after this many requests
    #[arg(long, value_name = "N", default_value_t = 5_000_000, value_parser = parse_at_least_one_u64)]
    max_requests: u64,
    /// A goose threshold: p95<200ms, error-rate<1%, rps>=100, `p99<2s for GET /users`
    /// (repeatable); a failing one exits 1
    #[arg(long = "threshold", value_name = "RULE")]
    thresholds: Vec<String>,
    /// Judge thresholds at the end only, instead of stopping the run at the first failure
    #[arg(long)]
    no_threshold_abort: bool,
    /// Also write goose's own report (.html, .md or .json; repeatable)
    #[arg(long = "goose-report", value_name = "FILE")]
    goose_reports: Vec<PathBuf>,
    /// Per-request timeout, in seconds (1 to 3600)
    #[arg(long, default_value_t = 10, value_parser = parse_timeout_secs)]
    timeout: u64,
    /// Allow load to go to an address that is not loopback
    #[arg(long)]
    allow_remote: bool,
}

fn parse_set(s: &str) -> Result<(String, f64), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: use NAME=VALUE, e.g. skills=2000"))?;
    let k = k.trim();
    if k.is_empty() {
        return Err(format!(
            "`{s}`: the NAME is empty; use NAME=VALUE, e.g. skills=2000"
        ));
    }
    let v = parse_count(v).map_err(|e| format!("`{k}`: {e}"))?;
    Ok((k.to_string(), v))
}

/// A dataset size: a whole number, 0 or more (`1_000_000` and `1e6` are read too).
fn parse_count(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .replace('_', "")
        .parse()
        .map_err(|_| format!("`{s}` is not a number; give a whole number, 0 or more"))?;
    specgate::load::scenario::check_dataset_value(v)?;
    Ok(v)
}

/// A number of things that must be at least one (rules at once, load users, iterations).
fn parse_at_least_one(s: &str) -> Result<usize, String> {
    match s.trim().replace('_', "").parse::<usize>() {
        Ok(0) => Err("0 would do nothing: give 1 or more".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{s}` is not a whole number; give 1 or more")),
    }
}

fn parse_at_least_one_u64(s: &str) -> Result<u64, String> {
    match s.trim().replace('_', "").parse::<u64>() {
        Ok(0) => Err("0 would end the run before its first request: give 1 or more".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{s}` is not a whole number; give 1 or more")),
    }
}

/// The longest per-request timeout: an hour. A request that has not answered by then is hung.
const MAX_TIMEOUT_SECS: u64 = 3600;

fn parse_timeout_secs(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(0) => Err("a timeout of 0 fails every request: give 1 to 3600 seconds".into()),
        Ok(n) if n > MAX_TIMEOUT_SECS => Err(format!(
            "{n} seconds is past the {MAX_TIMEOUT_SECS} allowed (an hour)"
        )),
        Ok(n) => Ok(n),
        Err(_) => Err(format!(
            "`{s}` is not a whole number of seconds; give 1 to 3600"
        )),
    }
}

/// The longest load run: a day. Past it, a run is a soak test, not a documented workload.
const MAX_RUN_TIME_SECS: f64 = 24.0 * 3600.0;

fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let (n, unit) = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map(|i| s.split_at(i))
        .unwrap_or((s, "s"));
    let n: f64 = n
        .parse()
        .map_err(|_| format!("`{s}`: use a number with s, m or h, e.g. 90s"))?;
    let secs = match unit {
        "s" | "" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        "ms" => n / 1000.0,
        _ => return Err(format!("`{s}`: use a number with s, m or h, e.g. 90s")),
    };
    if !(secs > 0.0 && secs.is_finite()) {
        return Err(format!("`{s}`: give a duration longer than 0"));
    }
    if secs > MAX_RUN_TIME_SECS {
        return Err(format!("`{s}`: at most 24h"));
    }
    std::time::Duration::try_from_secs_f64(secs).map_err(|e| format!("`{s}`: {e}"))
}

/// A duration of `parse_duration`, at most `MAX_TIMEOUT`.
fn parse_timeout(s: &str) -> Result<std::time::Duration, String> {
    let d = parse_duration(s)?;
    if d > MAX_TIMEOUT {
        return Err(format!("`{s}`: at most 24h"));
    }
    Ok(d)
}

/// A number of load users: at least 1, at most `MAX_LOAD_USERS`.
fn parse_load_users(s: &str) -> Result<usize, String> {
    let max = specgate::load::run::MAX_LOAD_USERS;
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "`{s}`: give between 1 and {max} load users (each holds its own HTTP client and connection)"
        )),
    }
}

fn parse_load_report(s: &str) -> Result<(String, PathBuf), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: use KIND=PATH, e.g. html=load.html"))?;
    if !specgate::report::load::FORMATS.contains(&k) {
        return Err(format!(
            "`{k}`: the load reports are {}",
            specgate::report::load::FORMATS.join(", ")
        ));
    }
    Ok((k.to_string(), PathBuf::from(v)))
}

fn specs_root(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(|| {
        let local = PathBuf::from("specs");
        if local.is_dir() {
            local
        } else {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("specs")
        }
    })
}

fn default_docs() -> Option<PathBuf> {
    [
        PathBuf::from("../shared/docs"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/docs"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = specs_root(cli.specs);
    match cli.command {
        Command::Specs { api } => run_specs(&root, api),
        Command::Lint { targets, docs } => run_lint(&root, &targets, docs.or_else(default_docs)),
        Command::Check {
            apis,
            rules,
            skip,
            level,
            read_only,
            strict,
            concurrency,
            request_timeout,
            rule_timeout,
            run_timeout,
            reports,
            targets,
            fault,
            variant,
        } => {
            let (halt, interrupter) = specgate::halt::Halt::new(run_timeout);
            let options = specgate::run::engine::RunOptions {
                concurrency,
                read_only,
                rules,
                skip,
                level,
                timeout: request_timeout,
                rule_timeout,
                halt,
                ..Default::default()
            };
            let runtime = match runtime() {
                Ok(r) => r,
                Err(code) => return code,
            };
            stop_on_signals(&runtime, interrupter);
            if targets.is_empty() {
                let mock = specgate::mock::MockOptions {
                    fault,
                    variant,
                    ..Default::default()
                };
                run_check(&runtime, &root, &apis, options, strict, reports, mock)
            } else {
                run_check_targets(&runtime, &root, &targets, options, strict, reports)
            }
        }
        Command::Load { load, reports } => run_load_command(&root, &load, reports),
        Command::Plan {
            load,
            concurrencies,
            sample_size,
            plan_iterations,
            reports,
        } => run_plan_command(
            &root,
            &load,
            &concurrencies,
            sample_size,
            plan_iterations,
            reports,
        ),
        Command::Mock {
            api,
            bind,
            port,
            fault,
            variant,
            seed,
            size,
            cert_out,
            list_faults,
            list_variants,
        } => {
            if list_faults || list_variants {
                return list_mock_modes(api.as_deref(), list_faults, list_variants);
            }
            let options = specgate::mock::MockOptions {
                bind,
                port,
                fault,
                variant,
                seed,
                size,
            };
            run_mock(api.as_deref().unwrap_or_default(), options, cert_out)
        }
    }
}

fn run_check(
    runtime: &tokio::runtime::Runtime,
    root: &Path,
    apis: &[String],
    options: specgate::run::engine::RunOptions,
    strict: bool,
    reports: Vec<(String, PathBuf)>,
    mock: specgate::mock::MockOptions,
) -> ExitCode {
    let mocks: Vec<&str> = specgate::mock::apis().iter().map(|m| m.name()).collect();
    let chosen: Vec<String> = if apis.is_empty() {
        mocks.iter().map(|s| s.to_string()).collect()
    } else {
        apis.to_vec()
    };
    if chosen.is_empty() {
        eprintln!("error: no built-in mock to check yet");
        return ExitCode::from(EXIT_SPEC_ERROR);
    }
    if mock.fault.is_some() && chosen.len() != 1 {
        eprintln!("error: --fault needs exactly one --api");
        return ExitCode::from(EXIT_SPEC_ERROR);
    }
    if mock.variant.is_some() && chosen.len() != 1 {
        eprintln!("error: --variant needs exactly one --api");
        return ExitCode::from(EXIT_SPEC_ERROR);
    }
    let mut specs = Vec::new();
    for name in &chosen {
        if !mocks.contains(&name.as_str()) {
            eprintln!(
                "error: no built-in mock of `{name}`; {}",
                specgate::error::suggest(name, mocks.clone())
            );
            return ExitCode::from(EXIT_SPEC_ERROR);
        }
        match specgate::spec::resolve(std::slice::from_ref(name), root)
            .map(|d| specgate::load_spec(&d[0]))
        {
            Ok(Ok(s)) => specs.push(s),
            Ok(Err(errors)) => {
                eprintln!("{errors}");
                return ExitCode::from(EXIT_SPEC_ERROR);
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(EXIT_SPEC_ERROR);
            }
        }
    }
    let reports = match check_reports(reports) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let bar = progress_bar();
    let results = runtime.block_on(async {
        let mut results = Vec::new();
        for spec in &specs {
            let mock = match specgate::mock::start(&spec.name, mock.clone()).await {
                Ok(m) => m,
                Err(e) => return Err(e.to_string()),
            };
            results.push(
                specgate::run::engine::run_api(spec, &mock.target, &options, &mut |e| {
                    on_progress(&bar, e)
                })
                .await,
            );
            // Bounded: a stopped run must not wait on connections it abandoned.
            let _ = tokio::time::timeout(std::time::Duration::from_secs(3), mock.shutdown()).await;
        }
        Ok(results)
    });
    let halted = options.halt.check();
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let results = match results {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_SPEC_ERROR);
        }
    };
    finish(&results, strict, reports, halted)
}

/// Listen for SIGINT and SIGTERM: the first stops the run (unfinished rules are reported as
/// not run, the reports are written, and the exit code says which signal); a second exits at
/// once.
fn stop_on_signals(runtime: &tokio::runtime::Runtime, interrupter: specgate::halt::Interrupter) {
    runtime.spawn(async move {
        let mut term = Terminate::new();
        let mut first = true;
        loop {
            let signal = tokio::select! {
                r = tokio::signal::ctrl_c() => match r {
                    Ok(()) => "SIGINT",
                    Err(_) => return,
                },
                Some(()) = term.recv() => "SIGTERM",
            };
            if !first {
                eprintln!("{signal} again: exiting without the reports");
                std::process::exit(i32::from(signal_exit_code(signal)));
            }
            first = false;
            eprintln!("{signal}: stopping; the reports of what finished are being written (send it again to exit at once)");
            interrupter.interrupt(signal);
        }
    });
}

/// SIGTERM, where there is one.
struct Terminate(#[cfg(unix)] Option<tokio::signal::unix::Signal>);

impl Terminate {
    fn new() -> Self {
        #[cfg(unix)]
        return Terminate(
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok(),
        );
        #[cfg(not(unix))]
        return Terminate();
    }

    async fn recv(&mut self) -> Option<()> {
        #[cfg(unix)]
        if let Some(t) = self.0.as_mut() {
            return t.recv().await;
        }
        std::future::pending().await
    }
}

fn signal_exit_code(signal: &str) -> u8 {
    if signal == "SIGTERM" {
        EXIT_SIGTERM
    } else {
        EXIT_SIGINT
    }
}

/// The reports of `check`: those given, else all four under `reports/<timestamp>/`; checked
/// before the run starts (see [`prepare_report_paths`]).
fn check_reports(reports: Vec<(String, PathBuf)>) -> Result<Vec<(String, PathBuf)>, ExitCode> {
    let reports = if reports.is_empty() {
        let dir =
            PathBuf::from("reports").join(chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string());
        specgate::report::check::FORMATS
            .iter()
            .map(|f| {
                (
                    f.to_string(),
                    dir.join(specgate::report::check::default_file(f)),
                )
            })
            .collect()
    } else {
        reports
    };
    prepare_report_paths(&reports)?;
    Ok(reports)
}

/// The reports of `load` or `plan`: those given, else all three under
/// `reports/<prefix>-<timestamp>/`; checked before the run starts, with goose's own.
fn load_reports(
    reports: Vec<(String, PathBuf)>,
    prefix: &str,
    goose_reports: &[PathBuf],
) -> Result<Vec<(String, PathBuf)>, ExitCode> {
    let reports = if reports.is_empty() {
        let dir = PathBuf::from("reports").join(format!(
            "{prefix}-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        ));
        specgate::report::load::FORMATS
            .iter()
            .map(|f| (f.to_string(), dir.join(format!("{prefix}.{f}"))))
            .collect()
    } else {
        reports
    };
    let mut all = reports.clone();
    all.extend(
        goose_reports
            .iter()
            .map(|p| ("goose".to_string(), p.clone())),
    );
    prepare_report_paths(&all)?;
    Ok(reports)
}

/// Make sure every report can be written before the run starts, so a long run never ends in
/// "cannot write": each path names a file (not a directory), its directory exists or can be
/// created (the nearest existing ancestor is a directory we can write in), the file can be
/// opened for writing, and no two reports share a file (one would silently overwrite the
/// other). Nothing is left behind: an existing file is opened without truncating, and a probe
/// file is removed at once; directories are created only when the reports are written.
fn prepare_report_paths(reports: &[(String, PathBuf)]) -> Result<(), ExitCode> {
    let refuse = |message: String| {
        eprintln!("error: {message}");
        ExitCode::from(EXIT_SPEC_ERROR)
    };
    let mut seen: Vec<(PathBuf, &str)> = Vec::new();
    for (kind, path) in reports {
        let shown = path.display();
        let given = if kind == "goose" {
            format!("--goose-report {shown}")
        } else {
            format!("--report {kind}={shown}")
        };
        let Some(name) = path.file_name() else {
            return Err(refuse(format!(
                "{given}: not a file path; give one such as reports/report.{kind}"
            )));
        };
        if path.is_dir() {
            return Err(refuse(format!(
                "{given}: a directory, not a file; give one such as {}",
                path.join(format!("report.{kind}")).display()
            )));
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        // The nearest ancestor that exists: the directory is created below it.
        let existing = dir
            .ancestors()
            .find(|a| !a.as_os_str().is_empty() && a.exists())
            .unwrap_or(Path::new("."));
        if !existing.is_dir() {
            return Err(refuse(format!(
                "{given}: cannot create the directory {}: {} is a file",
                dir.display(),
                existing.display()
            )));
        }
        // Open the file itself where it exists or could be made, else a probe beside it.
        let probe = if dir.exists() {
            path.to_path_buf()
        } else {
            existing.join(format!(".specgate-probe-{}", std::process::id()))
        };
        let existed = probe.exists();
        let opened = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&probe);
        match opened {
            Ok(_) if !existed => {
                let _ = std::fs::remove_file(&probe);
            }
            Ok(_) => {}
            Err(e) => {
                return Err(refuse(format!(
                    "{given}: cannot write in {}: {e}",
                    if dir.exists() { dir } else { existing }.display()
                )))
            }
        }
        // The same file however it is written: `a.json`, `./a.json`, `d/../a.json`, a link.
        let same_file = if path.exists() {
            std::fs::canonicalize(path).unwrap_or_else(|_| path.clone())
        } else {
            let mut p = std::fs::canonicalize(existing).unwrap_or_else(|_| existing.into());
            let rest = dir.strip_prefix(existing).unwrap_or(Path::new(""));
            for c in rest.components() {
                match c {
                    std::path::Component::ParentDir => {
                        p.pop();
                    }
                    std::path::Component::Normal(n) => p.push(n),
                    _ => {}
                }
            }
            p.join(name)
        };
        if let Some((_, other)) = seen.iter().find(|(p, _)| *p == same_file) {
            return Err(refuse(format!(
                "{given}: the {other} report is written there too; give each \
                 report its own file"
            )));
        }
        seen.push((same_file, kind.as_str()));
    }
    Ok(())
}

/// Print the summary, write the reports, and say how the run ends.
fn finish(
    results: &[specgate::results::ApiResult],
    strict: bool,
    reports: Vec<(String, PathBuf)>,
    halted: Option<specgate::halt::Halted>,
) -> ExitCode {
    use std::io::IsTerminal as _;
    let colours = specgate::report::check::Colours(
        std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    );
    out_raw!(
        "{}",
        specgate::report::check::terminal_with(results, strict, colours)
    );
    for (format, path) in &reports {
        let text = specgate::report::check::render(format, results, strict).unwrap_or_default();
        let written = path
            .parent()
            .map_or(Ok(()), |d| {
                if d.as_os_str().is_empty() {
                    Ok(())
                } else {
                    std::fs::create_dir_all(d)
                }
            })
            .and_then(|_| std::fs::write(path, text));
        if let Err(e) = written {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(EXIT_SPEC_ERROR);
        }
    }
    let shown: Vec<String> = reports
        .iter()
        .map(|(f, p)| format!("{f}: {}", p.display()))
        .collect();
    out!("reports: {}", shown.join(", "));
    let summary = specgate::report::check::Summary::of(results, strict);
    match &halted {
        Some(h @ specgate::halt::Halted::Interrupted(signal)) => {
            eprintln!("{h}: {} rule(s) not run", summary.not_run);
            return ExitCode::from(signal_exit_code(signal));
        }
        Some(h @ specgate::halt::Halted::RunDeadline(_)) if summary.not_run > 0 => {
            eprintln!(
                "error: {h}: {} rule(s) not run; a longer --run-timeout, or fewer rules (--rule, --api), lets them run",
                summary.not_run
            );
            return ExitCode::from(EXIT_RULE_FAILED);
        }
        _ => {}
    }
    if summary.unreachable == results.len() {
        for r in results {
            eprintln!(
                "error: {} could not be reached: {}",
                r.api,
                r.unreachable.as_deref().unwrap_or("")
            );
        }
        return ExitCode::from(EXIT_UNREACHABLE);
    }
    if summary.failing > 0 {
        ExitCode::from(EXIT_RULE_FAILED)
    } else {
        ExitCode::from(EXIT_OK)
    }
}

/// `specgate check --target FILE...`: live targets named by profiles.
fn run_check_targets(
    runtime: &tokio::runtime::Runtime,
    root: &Path,
    profiles: &[PathBuf],
    mut options: specgate::run::engine::RunOptions,
    strict: bool,
    reports: Vec<(String, PathBuf)>,
) -> ExitCode {
    let mut runs = Vec::new();
    for path in profiles {
        let (spec, profile) = match load_profile(root, path) {
            Ok(x) => x,
            Err(code) => return code,
        };
        runs.push((spec, profile));
    }
    let reports = match check_reports(reports) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let bar = progress_bar();
    let results = runtime.block_on(async {
        let mut results = Vec::new();
        for (spec, profile) in &runs {
            options.skip_reasons = profile.skips.clone();
            results.push(
                specgate::run::engine::run_api(spec, &profile.target, &options, &mut |e| {
                    on_progress(&bar, e)
                })
                .await,
            );
        }
        results
    });
    let halted = options.halt.check();
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    finish(&results, strict, reports, halted)
}

/// Read a target profile with the spec of its API (the spec decides which credentials are
/// secrets, so the API name is read first).
fn load_profile(
    root: &Path,
    path: &Path,
) -> Result<(specgate::Spec, specgate::target::Profile), ExitCode> {
    let (api, api_at) = match specgate::target::Profile::read_api(path) {
        Ok(a) => a,
        Err(errors) => {
            eprintln!("{errors}");
            return Err(ExitCode::from(EXIT_SPEC_ERROR));
        }
    };
    let spec = match specgate::spec::resolve(std::slice::from_ref(&api), root)
        .map(|d| specgate::load_spec(&d[0]))
    {
        Ok(Ok(s)) => s,
        Ok(Err(errors)) => {
            eprintln!("{errors}");
            return Err(ExitCode::from(EXIT_SPEC_ERROR));
        }
        Err(e) => {
            eprintln!("{api_at}: the profile's `api`: {e}");
            return Err(ExitCode::from(EXIT_SPEC_ERROR));
        }
    };
    let secret = |name: &str| {
        spec.contract
            .credentials
            .iter()
            .any(|c| c.name == name && c.secret)
    };
    let profile = match specgate::target::Profile::load(path, &secret, &|v| std::env::var(v).ok()) {
        Ok(p) => p,
        Err(errors) => {
            eprintln!("{errors}");
            return Err(ExitCode::from(EXIT_SPEC_ERROR));
        }
    };
    for u in &profile.unset {
        eprintln!(
            "note: {}: credential {u}: rules that need it are skipped",
            path.display()
        );
    }
    Ok((spec, profile))
}

fn parse_level(s: &str) -> Result<specgate::Level, String> {
    match s {
        "must" => Ok(specgate::Level::Must),
        "should" => Ok(specgate::Level::Should),
        "may" => Ok(specgate::Level::May),
        _ => Err(format!("`{s}`: use must, should or may")),
    }
}

/// A progress bar on stderr, on a terminal only; its length grows as each API starts.
fn progress_bar() -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal as _;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} {msg:16} {pos}/{len} rules {wide_bar}")
    {
        bar.set_style(style);
    }
    Some(bar)
}

/// Feed the bar from the engine's events.
fn on_progress(bar: &Option<indicatif::ProgressBar>, event: specgate::results::Event<'_>) {
    let Some(bar) = bar else { return };
    match event {
        specgate::results::Event::Started { api, rules } => {
            bar.inc_length(rules as u64);
            bar.set_message(api.to_string());
        }
        specgate::results::Event::RuleDone { .. } => bar.inc(1),
    }
}

/// `KIND=PATH` of `--report`.
fn parse_report(s: &str) -> Result<(String, PathBuf), String> {
    let (kind, path) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: write KIND=PATH, e.g. junit=reports/junit.xml"))?;
    if !specgate::report::check::FORMATS.contains(&kind) {
        return Err(format!(
            "unknown report `{kind}`: use one of {}",
            specgate::report::check::FORMATS.join(", ")
        ));
    }
    Ok((kind.to_string(), PathBuf::from(path)))
}

fn list_mock_modes(api: Option<&str>, faults: bool, variants: bool) -> ExitCode {
    let mocks: Vec<_> = specgate::mock::apis()
        .into_iter()
        .filter(|m| api.is_none_or(|a| a == m.name()))
        .collect();
    if mocks.is_empty() {
        let names: Vec<&str> = specgate::mock::apis().iter().map(|m| m.name()).collect();
        eprintln!(
            "error: no mock of `{}`; mocks: {}",
            api.unwrap_or(""),
            names.join(", ")
        );
        return ExitCode::from(EXIT_SPEC_ERROR);
    }
    for m in mocks {
        if faults {
            out!(
                "{}",
                specgate::report::faults_table(m.name(), &specgate::mock::faults_of(m))
            );
        }
        if variants {
            out!(
                "{}",
                specgate::report::variants_table(m.name(), m.variants())
            );
        }
    }
    ExitCode::from(EXIT_OK)
}

fn run_mock(
    api: &str,
    options: specgate::mock::MockOptions,
    cert_out: Option<PathBuf>,
) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_SPEC_ERROR);
        }
    };
    runtime.block_on(async {
        let mock = match specgate::mock::start(api, options).await {
            Ok(m) => m,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(EXIT_SPEC_ERROR);
            }
        };
        if let Some(path) = &cert_out {
            match mock.target.root_certs.first() {
                Some(der) => {
                    if let Err(e) = std::fs::write(path, specgate::report::pem_certificate(der)) {
                        eprintln!("error: cannot write {}: {e}", path.display());
                        return ExitCode::from(EXIT_SPEC_ERROR);
                    }
                }
                None => eprintln!("note: {api} is served over plain HTTP: no certificate to write"),
            }
        }
        out!("{}", specgate::report::mock_banner(&mock));
        let _ = tokio::signal::ctrl_c().await;
        eprintln!("stopping");
        mock.shutdown().await;
        ExitCode::from(EXIT_OK)
    })
}

fn run_specs(root: &Path, api: Option<String>) -> ExitCode {
    let args: Vec<String> = api.into_iter().collect();
    let dirs = match specgate::spec::resolve(&args, root) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_SPEC_ERROR);
        }
    };
    let mut specs = Vec::new();
    let mut failed = false;
    for d in &dirs {
        match specgate::load_spec(d) {
            Ok(s) => specs.push(s),
            Err(errors) => {
                eprintln!("{errors}");
                failed = true;
            }
        }
    }
    if failed {
        eprintln!("error: some specs do not load; `specgate lint` shows every problem");
        return ExitCode::from(EXIT_SPEC_ERROR);
    }
    if args.is_empty() {
        out!("{}", specs_table::apis_table(&specs));
    } else {
        for s in &specs {
            out!("{}", specs_table::api_detail(s));
        }
    }
    ExitCode::from(EXIT_OK)
}

fn run_lint(root: &Path, targets: &[String], docs: Option<PathBuf>) -> ExitCode {
    let dirs = match specgate::spec::resolve(targets, root) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_SPEC_ERROR);
        }
    };
    let outcomes = lint(&dirs, docs.as_deref());
    let mut total = 0;
    for o in &outcomes {
        for e in o.errors.iter() {
            eprintln!("{e}");
        }
        total += o.errors.len();
        let name = o.dir.display();
        match (&o.spec, &o.cites) {
            (Some(s), cites) => {
                let (must, should, may) = s.rules_by_level();
                let cite_note = match cites {
                    CiteCheck::Checked(p) => format!("cites checked against {}", p.display()),
                    CiteCheck::NoDocument(p) => {
                        format!("cites NOT checked: no document at {}", p.display())
                    }
                    CiteCheck::NotRun => String::new(),
                };
                let status = if o.is_clean() { "ok" } else { "FAILED" };
                let bases: Vec<String> = s
                    .must_expectations()
                    .iter()
                    .map(|(b, n)| format!("{n} {b}"))
                    .collect();
                let schemas: Vec<String> = s
                    .api
                    .response_schema_bases()
                    .iter()
                    .map(|(b, n)| format!("{n} {b}"))
                    .collect();
                out!(
                    "{status:6} {name}: {} operations, {} rules ({must} must, {should} should, {may} may), {} schemas compiled; {cite_note}\n       must expectations by basis: {}; response bodies by basis: {}",
                    s.api.operations.len(),
                    s.rules.len(),
                    s.api.compiled_count(),
                    bases.join(", "),
                    schemas.join(", ")
                );
            }
            (None, _) => out!("FAILED {name}: {} error(s)", o.errors.len()),
        }
    }
    if total > 0 {
        eprintln!(
            "{total} problem(s) in {} spec(s)",
            outcomes.iter().filter(|o| !o.is_clean()).count()
        );
        ExitCode::from(EXIT_SPEC_ERROR)
    } else {
        ExitCode::from(EXIT_OK)
    }
}

/// A scenario ready to run: the scenario, its target (a started mock or a profile's), and the
/// mock to stop afterwards.
struct Prepared {
    scenario: std::sync::Arc<specgate::load::Scenario>,
    target: specgate::target::Target,
    mock: Option<specgate::mock::RunningMock>,
}

fn load_scenario(root: &Path, args: &LoadArgs) -> Result<specgate::load::Scenario, ExitCode> {
    specgate::load::load_scenario(&args.scenario, root).map_err(|errors| {
        eprintln!("{errors}");
        ExitCode::from(EXIT_SPEC_ERROR)
    })
}

/// Resolve the target: a profile's, or the API's mock started with `mock_size` records.
async fn prepare_target(
    root: &Path,
    args: &LoadArgs,
    scenario: specgate::load::Scenario,
    mock_size: Option<f64>,
) -> Result<Prepared, ExitCode> {
    let scenario = std::sync::Arc::new(scenario);
    if let Some(path) = &args.target {
        let (spec, profile) = load_profile(root, path)?;
        if spec.name != scenario.spec.name {
            eprintln!(
                "error: {} is a profile of `{}`, the scenario loads `{}`",
                path.display(),
                spec.name,
                scenario.spec.name
            );
            return Err(ExitCode::from(EXIT_SPEC_ERROR));
        }
        return Ok(Prepared {
            scenario,
            target: profile.target,
            mock: None,
        });
    }
    let options = specgate::mock::MockOptions {
        seed: args.seed,
        size: mock_size.map(|n| n as usize),
        ..Default::default()
    };
    match specgate::mock::start(&scenario.spec.name, options).await {
        Ok(mock) => Ok(Prepared {
            scenario,
            target: mock.target.clone(),
            mock: Some(mock),
        }),
        Err(e) => {
            eprintln!("error: {e}");
            Err(ExitCode::from(EXIT_SPEC_ERROR))
        }
    }
}

fn load_options(
    scenario: &specgate::load::Scenario,
    args: &LoadArgs,
    size: Option<f64>,
) -> specgate::load::LoadOptions {
    let mut dataset: std::collections::BTreeMap<String, f64> = args.sets.iter().cloned().collect();
    if let (Some(var), Some(n)) = (scenario.size_var(), size) {
        dataset.insert(var.to_string(), n);
    }
    specgate::load::LoadOptions {
        concurrency: args.concurrency,
        iterations: args.iterations,
        run_time: args.run_time,
        max_requests: args.max_requests,
        thresholds: args.thresholds.clone(),
        no_threshold_abort: args.no_threshold_abort,
        goose_reports: args.goose_reports.clone(),
        dataset,
        timeout: std::time::Duration::from_secs(args.timeout),
        allow_remote: args.allow_remote,
    }
}

fn write_reports(
    reports: Vec<(String, PathBuf)>,
    render: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ExitCode> {
    for (format, path) in &reports {
        let text = render(format).unwrap_or_default();
        let written = path
            .parent()
            .map_or(Ok(()), |d| {
                if d.as_os_str().is_empty() {
                    Ok(())
                } else {
                    std::fs::create_dir_all(d)
                }
            })
            .and_then(|_| std::fs::write(path, text));
        if let Err(e) = written {
            eprintln!("error: cannot write {}: {e}", path.display());
            return Err(ExitCode::from(EXIT_SPEC_ERROR));
        }
    }
    let shown: Vec<String> = reports
        .iter()
        .map(|(f, p)| format!("{f}: {}", p.display()))
        .collect();
    out!("reports: {}", shown.join(", "));
    Ok(())
}

fn load_error_code(e: &specgate::load::LoadError) -> ExitCode {
    eprintln!("error: {e}");
    match e.kind {
        specgate::load::LoadErrorKind::Unreachable(_) => ExitCode::from(EXIT_UNREACHABLE),
        _ => ExitCode::from(EXIT_SPEC_ERROR),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Runtime::new().map_err(|e| {
        eprintln!("error: cannot start the async runtime: {e}");
        ExitCode::from(EXIT_SPEC_ERROR)
    })
}

fn run_load_command(root: &Path, args: &LoadArgs, reports: Vec<(String, PathBuf)>) -> ExitCode {
    let scenario = match load_scenario(root, args) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let reports = match load_reports(reports, "load", &args.goose_reports) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let rt = match runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    let outcome = rt.block_on(async {
        let size = args.users.or_else(|| {
            scenario
                .size_var()
                .and_then(|v| scenario.dataset.get(v))
                .map(|d| d.default)
        });
        let options = load_options(&scenario, args, args.users);
        let prepared = prepare_target(root, args, scenario, size).await?;
        let result =
            specgate::load::run_load(prepared.scenario.clone(), &prepared.target, &options).await;
        if let Some(m) = prepared.mock {
            m.shutdown().await;
        }
        Ok::<_, ExitCode>(result)
    });
    let run = match outcome {
        Ok(Ok(run)) => run,
        Ok(Err(e)) => return load_error_code(&e),
        Err(code) => return code,
    };
    out_raw!("{}", specgate::report::load::terminal(&run));
    if let Err(code) = write_reports(reports, &|f| specgate::report::load::render(f, &run)) {
        return code;
    }
    if run.requests_total == 0 {
        eprintln!(
            "error: the run sent no request ({}): nothing was measured",
            run.ended.describe()
        );
        return ExitCode::from(EXIT_RULE_FAILED);
    }
    let complete_expected = matches!(
        run.ended,
        specgate::load::Ended::Completed | specgate::load::Ended::RunTime
    ) && (run.ended == specgate::load::Ended::Completed
        || run.left_undone == 0 && run.iterations.is_none());
    if !run.thresholds_passed() || run.prediction_holds == Some(false) || !complete_expected {
        ExitCode::from(EXIT_RULE_FAILED)
    } else {
        ExitCode::from(EXIT_OK)
    }
}

fn run_plan_command(
    root: &Path,
    args: &LoadArgs,
    concurrencies: &[usize],
    sample_size: usize,
    plan_iterations: Option<usize>,
    reports: Vec<(String, PathBuf)>,
) -> ExitCode {
    let scenario = match load_scenario(root, args) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let reports = match load_reports(reports, "plan", &args.goose_reports) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let rt = match runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    let outcome = rt.block_on(async {
        let sample = scenario.size_var().map(|_| sample_size as f64);
        let run = load_options(&scenario, args, sample);
        let mut plan_dataset: std::collections::BTreeMap<String, f64> =
            args.sets.iter().cloned().collect();
        if let (Some(var), Some(n)) = (scenario.size_var(), args.users) {
            plan_dataset.insert(var.to_string(), n);
        }
        let options = specgate::load::plan::PlanOptions {
            concurrencies: concurrencies.to_vec(),
            run,
            plan_dataset,
            plan_iterations: plan_iterations.or(args.iterations),
        };
        let prepared = prepare_target(root, args, scenario, sample).await?;
        let result = specgate::load::plan::run_plan(
            prepared.scenario.clone(),
            &prepared.target,
            &options,
            &mut |p| {
                eprintln!(
                    "  {:>3} load users: {:>8.0} requests/s, p95 {:.2} ms ({})",
                    p.concurrency,
                    p.throughput_rps,
                    p.p95_ms,
                    p.ended.describe()
                )
            },
        )
        .await;
        if let Some(m) = prepared.mock {
            m.shutdown().await;
        }
        Ok::<_, ExitCode>(result)
    });
    let plan = match outcome {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => return load_error_code(&e),
        Err(code) => return code,
    };
    out_raw!("{}", specgate::report::load::plan_terminal(&plan));
    if let Err(code) = write_reports(reports, &|f| specgate::report::load::render_plan(f, &plan)) {
        return code;
    }
    if plan.stopped.is_some() {
        ExitCode::from(EXIT_RULE_FAILED)
    } else {
        ExitCode::from(EXIT_OK)
    }
}
