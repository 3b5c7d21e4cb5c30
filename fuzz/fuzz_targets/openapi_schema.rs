//! The OpenAPI half of a spec on arbitrary text: parsed, `$ref`s checked, every schema
//! converted from OpenAPI 3.0 to JSON Schema and compiled (`ApiDoc::load`). An input that is
//! itself a JSON or YAML value is also converted as one schema, both ways, and the result
//! compiled as the loader does.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use specgate::openapi::{to_json_schema, ApiDoc, Direction};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = ApiDoc::load(Path::new("openapi.yaml"), text);
    let value: Option<serde_json::Value> = serde_json::from_str(text)
        .ok()
        .or_else(|| serde_yaml::from_str(text).ok());
    if let Some(schema) = value {
        for dir in [Direction::Request, Direction::Response] {
            let converted = to_json_schema(&schema, dir);
            let _ = specgate::openapi::compile_json_schema(&converted);
        }
    }
});
