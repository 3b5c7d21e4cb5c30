//! The runner's evaluation core: variables and templates, recorded responses, and the
//! evaluation of an `expect` against a response. Pure functions over recorded data, so every
//! kind (and the mocks' tests, and load runs) judges answers the same way.

pub mod client;
pub mod engine;
pub mod expect;
pub mod halt;
pub mod redact;
pub mod request;
pub mod response;
pub mod rule;
pub mod vars;
pub mod xml;

pub use expect::{evaluate, Failure};
pub use response::Response;
pub use vars::{MissingVar, Vars};
