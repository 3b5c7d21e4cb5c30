//! specgate: checks that HTTP APIs keep the promises their documents make.
//!
//! The library loads specs (`spec`), compiles their schemas (`openapi`), and defines the
//! catalogue of check kinds (`check`). Reporters (`report`) turn results into text; only they
//! and the binary print.

pub mod check;
pub mod cli;
pub mod error;
pub mod jsonpath;
pub mod lint;
pub mod locate;
pub mod mock;
pub mod openapi;
pub mod report;
pub mod spec;
pub mod target;

pub use error::{SpecError, SpecErrorKind, SpecErrors};
pub use spec::{load_spec, Level, Spec};
pub mod load;
pub mod run;
