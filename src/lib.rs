//! specgate: checks that HTTP APIs keep the promises their documents make.
//!
//! The modules form layers; each imports only from the layers below it (`tests/layers.rs`
//! holds the table and checks it):
//!
//! 1. foundations: `error`, `locate`, `jsonpath`;
//! 2. what knows nothing of kinds: what a contract says (`contract`: its terms, steps,
//!    requests and expectations, and their validation context), `basis`, `openapi` (compiled
//!    schemas), `target`, variables and templates (`vars`), the HTTP exchange (`exchange`),
//!    `redact`, deadlines (`halt`), expectation evaluation (`expect`), what a run covered of
//!    the API and its document (`coverage`), results and events (`results`), and the context
//!    one rule runs in (`rule_context`);
//! 3. `check`: the catalogue of kinds, each owning its behaviour through the `Check` trait;
//! 4. `spec`: the loader of spec files, and `lint`;
//! 5. `run`: the engine;
//! 6. `mock`, `load`, `report`;
//! 7. `cli`: the commands (`check`, `load`, `plan`, `lint`, `specs`, `mock`) as functions the
//!    thin binary (`main.rs`: clap and dispatch) calls.
//!
//! Reporters (`report`) turn results into text; only they and the binary print.

pub mod basis;
pub mod check;
pub mod cli;
pub mod contract;
pub mod coverage;
pub mod error;
pub mod exchange;
pub mod expect;
pub mod halt;
pub mod jsonpath;
pub mod lint;
pub mod load;
pub mod locate;
pub mod mock;
pub mod openapi;
pub mod redact;
pub mod report;
pub mod results;
pub mod rule_context;
pub mod run;
pub mod spec;
pub mod target;
pub mod vars;

pub use contract::Level;
pub use error::{SpecError, SpecErrorKind, SpecErrors};
pub use spec::{load_spec, Spec};
