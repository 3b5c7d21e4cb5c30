//! Load and capacity planning: documented workloads (`scenarios/*.yaml`) run through goose
//! against a mock or a live target, their request counts predicted before they run and
//! compared after, and a sweep of concurrencies turned into a capacity plan.

pub mod formula;
pub mod judge;
pub mod latency;
pub mod merge;
pub mod open;
pub mod plan;
pub mod plan_rates;
pub mod run;
pub mod scenario;
pub mod shard;
pub mod work;

pub use open::{run_open_load, OpenOptions, OpenStats, Rate};
pub use run::{check_destination, run_load, Ended, LoadError, LoadErrorKind, LoadOptions, LoadRun};
pub use scenario::{load_scenario, Scenario};
