//! The specgate command line: parses arguments, calls a command of the library (`cli`), prints
//! its error, and exits with its code. What a command shows goes through the reporters.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use specgate::cli::check::CheckArgs;
use specgate::cli::diff::DiffArgs;
use specgate::cli::load::{LoadCommand, PlanCommand};
use specgate::cli::merge::MergeCommand;
use specgate::cli::mock::MockArgs;
use specgate::cli::{CliError, ExitCode};
use specgate::halt::{Halt, Interrupter};
use specgate::report::{self, Note, Reporter};

#[derive(Parser)]
#[command(
    name = "specgate",
    version,
    about = "Checks that HTTP APIs keep the promises their documents make"
)]
struct Cli {
    /// The folder of specs (one sub-folder per API) [default: ./specs when it holds a spec
    /// folder, else the specs built into specgate]
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
    Check(CheckArgs),
    /// Compare two JSON reports of `check`: what is new, fixed and still failing; exit 1 when
    /// something is new, 0 otherwise, 2 when a report cannot be read
    Diff(DiffArgs),
    /// Serve the reference mock of an API (faithful, or with one documented behaviour broken)
    Mock(MockArgs),
    /// Run a documented workload (scenarios/*.yaml) through goose and compare the request
    /// counts with the scenario's prediction; by default against the API's built-in mock
    Load(LoadCommand),
    /// Merge the results of a sharded load run (`load --shard I/N`, every shard once) into one
    /// report: counts against the whole run's prediction, percentiles from the added histograms
    Merge(MergeCommand),
    /// Run a scenario at a sweep of concurrencies on a sample dataset and plan the capacity of
    /// a dataset size: requests, recommended concurrency, wall time, the binding limit. With
    /// --rates, sweep arrival rates instead: the highest sustainable rate and the bound that
    /// binds above it (latency, errors, contract, a documented limit, the generator)
    Plan(PlanCommand),
    /// Load, compile and check specs; exit 0 when clean, 2 with located errors otherwise (a
    /// cite that cannot be checked for want of its document is one)
    Lint {
        /// API names or spec folders [default: every spec]
        targets: Vec<String>,
        /// Where the vendor documents are, to check every cite is verbatim
        /// [default: ../shared/docs]
        #[arg(long, value_name = "DIR", conflicts_with = "no_cite_check")]
        docs: Option<PathBuf>,
        /// Do not check cites against the documents (when they are not at hand)
        #[arg(long)]
        no_cite_check: bool,
    },
}

/// Notes go to stderr as the command goes.
fn note(note: Note<'_>) {
    eprintln!("{note}");
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let root = specgate::cli::specs_root(cli.specs);
    // The one runtime of the process: commands that do not need it (specs, lint) run in it
    // unawares.
    let ended = specgate::cli::runtime().and_then(|rt| rt.block_on(run(&root, cli.command)));
    match ended {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e}");
            e.exit_code()
        }
    }
    .into()
}

async fn run(root: &specgate::spec::SpecsRoot, command: Command) -> Result<ExitCode, CliError> {
    match command {
        Command::Specs { api } => {
            let specs = specgate::cli::specs::specs(root, api.as_deref())?;
            report::specs_table::print(&specs, api.is_some());
            Ok(ExitCode::Ok)
        }
        Command::Lint {
            targets,
            docs,
            no_cite_check,
        } => {
            let cites = specgate::cli::lint::Cites::of(docs, no_cite_check)?;
            let outcomes = specgate::cli::lint::lint(root, &targets, &cites)?;
            report::lint::print(&outcomes);
            Ok(specgate::cli::lint::exit_code(&outcomes))
        }
        Command::Mock(args) if args.lists() => {
            for m in specgate::cli::mock::listed(&args)? {
                if args.list_faults {
                    report::outln(report::faults_table(
                        m.name(),
                        &specgate::mock::faults_of(m),
                    ));
                }
                if args.list_variants {
                    report::outln(report::variants_table(m.name(), m.variants()));
                }
            }
            Ok(ExitCode::Ok)
        }
        Command::Mock(args) => {
            let mock = specgate::cli::mock::start(&args, &mut note).await?;
            report::outln(report::mock_banner(&mock));
            let _ = tokio::signal::ctrl_c().await;
            eprintln!("stopping");
            mock.shutdown().await;
            Ok(ExitCode::Ok)
        }
        Command::Check(args) => {
            let baseline = specgate::cli::check::read_baseline(&args)?;
            let (halt, interrupter) = Halt::new(args.run_timeout);
            stop_on_signals(interrupter);
            let reporters: Vec<Box<dyn Reporter>> = vec![
                Box::new(report::progress::ProgressBar::new()),
                Box::new(
                    report::check::TerminalSummary::new(args.strict)
                        .with_baseline(baseline.clone()),
                ),
            ];
            specgate::cli::check::check_against(root, &args, baseline, halt, reporters, &mut note)
                .await
        }
        Command::Diff(args) => {
            let diff = specgate::cli::diff::diff(&args)?;
            report::out(specgate::cli::diff::render(&diff, args.format));
            Ok(specgate::cli::diff::exit_code(&diff))
        }
        Command::Load(command) => specgate::cli::load::load(root, &command, &mut note).await,
        Command::Merge(command) => specgate::cli::merge::merge(&command),
        Command::Plan(command) => specgate::cli::load::plan(root, &command, &mut note).await,
    }
}

/// Listen for SIGINT and SIGTERM: the first stops the run (unfinished rules are reported as
/// not run, the reports are written, and the exit code says which signal); a second exits at
/// once.
fn stop_on_signals(interrupter: Interrupter) {
    tokio::spawn(async move {
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
                std::process::exit(i32::from(ExitCode::of_signal(signal).code()));
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
