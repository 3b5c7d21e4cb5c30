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
    /// Load, compile and check specs; exit 0 when clean, 2 with located errors otherwise
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
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
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
    },
    /// Serve the reference mock of an API (faithful, or with one documented behaviour broken)
    Mock {
        /// The API to serve
        #[arg(long, required_unless_present = "list_faults")]
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
    },
    Lint {
        /// API names or spec folders [default: every spec]
        targets: Vec<String>,
        /// Where the vendor documents are, to check every cite is verbatim
        /// [default: ../shared/docs when it exists]
        #[arg(long, value_name = "DIR")]
        docs: Option<PathBuf>,
    },
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
            reports,
            targets,
            fault,
        } => {
            let options = specgate::run::engine::RunOptions {
                concurrency,
                read_only,
                rules,
                skip,
                level,
                ..Default::default()
            };
            if targets.is_empty() {
                run_check(&root, &apis, options, strict, reports, fault)
            } else {
                run_check_targets(&root, &targets, options, strict, reports)
            }
        }
        Command::Mock {
            api,
            bind,
            port,
            fault,
            seed,
            size,
            cert_out,
            list_faults,
        } => {
            if list_faults {
                return list_mock_faults(api.as_deref());
            }
            let options = specgate::mock::MockOptions {
                bind,
                port,
                fault,
                seed,
                size,
            };
            run_mock(api.as_deref().unwrap_or_default(), options, cert_out)
        }
    }
}

fn run_check(
    root: &Path,
    apis: &[String],
    options: specgate::run::engine::RunOptions,
    strict: bool,
    reports: Vec<(String, PathBuf)>,
    fault: Option<String>,
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
    if fault.is_some() && chosen.len() != 1 {
        eprintln!("error: --fault needs exactly one --api");
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
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_SPEC_ERROR);
        }
    };
    let bar = progress_bar();
    let results = runtime.block_on(async {
        let mut results = Vec::new();
        for spec in &specs {
            let mock_options = specgate::mock::MockOptions {
                fault: fault.clone(),
                ..Default::default()
            };
            let mock = match specgate::mock::start(&spec.name, mock_options).await {
                Ok(m) => m,
                Err(e) => return Err(e.to_string()),
            };
            results.push(
                specgate::run::engine::run_api(spec, &mock.target, &options, &mut |e| {
                    on_progress(&bar, e)
                })
                .await,
            );
            mock.shutdown().await;
        }
        Ok(results)
    });
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
    finish(&results, strict, reports)
}

/// Print the summary, write the reports, and say how the run ends.
fn finish(
    results: &[specgate::run::engine::ApiResult],
    strict: bool,
    reports: Vec<(String, PathBuf)>,
) -> ExitCode {
    use std::io::IsTerminal as _;
    let colours = specgate::report::check::Colours(
        std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    );
    out_raw!(
        "{}",
        specgate::report::check::terminal_with(results, strict, colours)
    );
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
    root: &Path,
    profiles: &[PathBuf],
    mut options: specgate::run::engine::RunOptions,
    strict: bool,
    reports: Vec<(String, PathBuf)>,
) -> ExitCode {
    let mut runs = Vec::new();
    for path in profiles {
        // The spec decides which credentials are secrets, so read the API name first.
        let api = std::fs::read_to_string(path)
            .ok()
            .and_then(|t| serde_yaml::from_str::<serde_yaml::Value>(&t).ok())
            .and_then(|v| v.get("api").and_then(|a| a.as_str()).map(str::to_string))
            .unwrap_or_default();
        let spec = match specgate::spec::resolve(std::slice::from_ref(&api), root)
            .map(|d| specgate::load_spec(&d[0]))
        {
            Ok(Ok(s)) => s,
            Ok(Err(errors)) => {
                eprintln!("{errors}");
                return ExitCode::from(EXIT_SPEC_ERROR);
            }
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                return ExitCode::from(EXIT_SPEC_ERROR);
            }
        };
        let secret = |name: &str| {
            spec.contract
                .credentials
                .iter()
                .any(|c| c.name == name && c.secret)
        };
        let profile =
            match specgate::target::Profile::load(path, &secret, &|v| std::env::var(v).ok()) {
                Ok(p) => p,
                Err(errors) => {
                    eprintln!("{errors}");
                    return ExitCode::from(EXIT_SPEC_ERROR);
                }
            };
        for u in &profile.unset {
            eprintln!(
                "note: {}: credential {u}: rules that need it are skipped",
                path.display()
            );
        }
        runs.push((spec, profile));
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_SPEC_ERROR);
        }
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
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    finish(&results, strict, reports)
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
fn on_progress(bar: &Option<indicatif::ProgressBar>, event: specgate::run::engine::Event<'_>) {
    let Some(bar) = bar else { return };
    match event {
        specgate::run::engine::Event::Started { api, rules } => {
            bar.inc_length(rules as u64);
            bar.set_message(api.to_string());
        }
        specgate::run::engine::Event::RuleDone { .. } => bar.inc(1),
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

fn list_mock_faults(api: Option<&str>) -> ExitCode {
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
        out!("{}", specgate::report::faults_table(m.name(), m.faults()));
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
                out!(
                    "{status:6} {name}: {} operations, {} rules ({must} must, {should} should, {may} may), {} schemas compiled; {cite_note}",
                    s.api.operations.len(),
                    s.contract.rules.len(),
                    s.api.compiled_count(),
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
