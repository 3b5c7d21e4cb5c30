//! The specgate command line: parses arguments, calls the library, prints through reporters.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use specgate::lint::{lint, CiteCheck};
use specgate::report::specs_table;

/// Exit codes, documented in the README.
const EXIT_OK: u8 = 0;
const EXIT_SPEC_ERROR: u8 = 2;

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
        Command::Mock {
            api,
            bind,
            port,
            fault,
            seed,
            size,
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
            run_mock(api.as_deref().unwrap_or_default(), options)
        }
    }
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
        println!("{}", specgate::report::faults_table(m.name(), m.faults()));
    }
    ExitCode::from(EXIT_OK)
}

fn run_mock(api: &str, options: specgate::mock::MockOptions) -> ExitCode {
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
        println!("{}", specgate::report::mock_banner(&mock));
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
        println!("{}", specs_table::apis_table(&specs));
    } else {
        for s in &specs {
            println!("{}", specs_table::api_detail(s));
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
                println!(
                    "{status:6} {name}: {} operations, {} rules ({must} must, {should} should, {may} may), {} schemas compiled; {cite_note}",
                    s.api.operations.len(),
                    s.contract.rules.len(),
                    s.api.compiled_count(),
                );
            }
            (None, _) => println!("FAILED {name}: {} error(s)", o.errors.len()),
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
