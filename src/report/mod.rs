//! Reporters: they turn what the library found into text. Only they and `main.rs` print.

pub mod specs_table;
