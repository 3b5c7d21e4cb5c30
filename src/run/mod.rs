//! The engine: running one spec's rules against one target, then judging every exchange of
//! the run with the cross-cutting rules and the conformance checks.

pub mod engine;
