//! The JSON report checked against its published schema (`docs/report.schema.json`), as a
//! consumer of the report would check it.

use serde_json::Value;

/// Every way `report` breaks the schema, each with where (empty when it matches).
pub fn schema_errors(report: &Value) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
        .expect("the report schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the report schema compiles");
    validator
        .iter_errors(report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// Fails the test, listing each error, unless `report` matches the schema.
pub fn assert_matches_schema(report: &Value) {
    let errors = schema_errors(report);
    assert!(errors.is_empty(), "{errors:#?}");
}
