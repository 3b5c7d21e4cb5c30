//! `specgate mock`: serve the reference mock of an API, or list the faults and variants.

use std::path::PathBuf;

use super::CliError;
use crate::mock::{Capacity, MockApi, MockOptions, OverCapacity, Rate, RunningMock};
use crate::report::Note;

#[derive(clap::Args, Debug, Clone)]
pub struct MockArgs {
    /// The API to serve
    #[arg(long, required_unless_present_any = ["list_faults", "list_variants"])]
    pub api: Option<String>,
    /// Address to listen on (loopback by default)
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Port (0: an ephemeral one; the chosen URL is printed)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Break exactly one documented behaviour (see --list-faults)
    #[arg(long, value_name = "NAME")]
    pub fault: Option<String>,
    /// A faithful variant: another choice where the document is silent (see --list-variants)
    #[arg(long, value_name = "NAME")]
    pub variant: Option<String>,
    /// Seed of the synthetic data and credentials
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Size of the main collection (e.g. Checklick users)
    #[arg(long, alias = "users", value_name = "N")]
    pub size: Option<usize>,
    #[command(flatten)]
    pub capacity: CapacityArgs,
    /// Write the mock's TLS certificate (PEM) here, for a profile's `ca_cert`
    #[arg(long, value_name = "FILE")]
    pub cert_out: Option<PathBuf>,
    /// List the faults (of --api, or of every mock) and exit
    #[arg(long)]
    pub list_faults: bool,
    /// List the faithful variants (of --api, or of every mock) and exit
    #[arg(long)]
    pub list_variants: bool,
}

/// A mock that breaks under load: its capacity and what it does above it. Shared by every
/// command that can start a built-in mock.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct CapacityArgs {
    /// Serve at most this many requests a second, all routes together (e.g. 3000/s); without
    /// it, no limit
    #[arg(long, value_name = "RATE")]
    pub capacity: Option<Rate>,
    /// What the mock does with requests above --capacity: `queue` (they wait, at most 1 s,
    /// then 503), `503` (Service Unavailable at once, with Retry-After), `break-schema` (a
    /// normal status with a JSON body that breaks the operation's schema)
    #[arg(
        long,
        value_name = "BEHAVIOUR",
        requires = "capacity",
        default_value = "503"
    )]
    pub over_capacity: OverCapacity,
}

/// The behaviours by the names the mock kit gives them (the kit knows nothing of clap).
impl clap::ValueEnum for OverCapacity {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            OverCapacity::Queue,
            OverCapacity::Unavailable,
            OverCapacity::BreakSchema,
        ]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()))
    }
}

impl CapacityArgs {
    /// The capacity the mock is started with, if any.
    pub fn capacity(&self) -> Option<Capacity> {
        self.capacity.map(|rate| Capacity {
            rate,
            over: self.over_capacity,
        })
    }
}

impl MockArgs {
    /// Whether the command lists faults or variants rather than serving.
    pub fn lists(&self) -> bool {
        self.list_faults || self.list_variants
    }
}

/// The mocks to list: the one of `--api`, or every mock.
pub fn listed(args: &MockArgs) -> Result<Vec<&'static dyn MockApi>, CliError> {
    let api = args.api.as_deref();
    let mocks: Vec<_> = crate::mock::apis()
        .into_iter()
        .filter(|m| api.is_none_or(|a| a == m.name()))
        .collect();
    if mocks.is_empty() {
        let names: Vec<&str> = crate::mock::apis().iter().map(|m| m.name()).collect();
        return Err(CliError::Usage(format!(
            "no mock of `{}`; mocks: {}",
            api.unwrap_or(""),
            names.join(", ")
        )));
    }
    Ok(mocks)
}

/// Start the mock, and write its certificate where `--cert-out` says.
pub async fn start(
    args: &MockArgs,
    notes: &mut dyn FnMut(Note<'_>),
) -> Result<RunningMock, CliError> {
    let api = args.api.as_deref().unwrap_or_default();
    let options = MockOptions {
        bind: args.bind,
        port: args.port,
        fault: args.fault.clone(),
        variant: args.variant.clone(),
        seed: args.seed,
        size: args.size,
        capacity: args.capacity.capacity(),
    };
    let mock = crate::mock::start(api, options).await?;
    if let Some(path) = &args.cert_out {
        match mock.target.root_certs.first() {
            Some(der) => {
                if let Err(source) = std::fs::write(path, crate::report::pem_certificate(der)) {
                    return Err(crate::report::ReportError::Write {
                        path: path.clone(),
                        source,
                    }
                    .into());
                }
            }
            None => notes(Note::NoCertificate { api }),
        }
    }
    Ok(mock)
}
