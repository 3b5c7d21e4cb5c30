//! The contract loader on arbitrary text. An input holding a NUL byte is `openapi.yaml`, NUL,
//! `contract.yaml`; any other input is a `contract.yaml` beside the mini fixture's OpenAPI
//! document (so the contract's references into it are checked too). Errors are expected;
//! panics are not.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

const MINI_OPENAPI: &str = include_str!("../../tests/fixtures/valid/mini/openapi.yaml");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (openapi, contract) = match text.split_once('\0') {
        Some((o, c)) => (o, c),
        None => (MINI_OPENAPI, text),
    };
    let _ = specgate::spec::load_spec_from_str(Path::new("specs/mini"), openapi, contract);
});
