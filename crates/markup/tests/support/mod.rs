//! Shared test support: validation of ADF against the official JSON schema in shared/specs.
// Each test binary compiles this module and uses only part of it.
#![allow(dead_code)]

use std::sync::OnceLock;

use markup::AdfDoc;

const SCHEMA_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/specs/adf.schema.json"
);

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let text = std::fs::read_to_string(SCHEMA_PATH)
            .unwrap_or_else(|e| panic!("cannot read the ADF schema at {SCHEMA_PATH}: {e}"));
        let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
        jsonschema::validator_for(&schema).expect("ADF schema compiles")
    })
}

/// Validates the document's JSON against the ADF schema; the error lists every violation.
pub fn validate(doc: &AdfDoc) -> Result<(), String> {
    let json = doc.to_json();
    let errors: Vec<String> = validator()
        .iter_errors(&json)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} schema violation(s):\n{}\ndocument: {}",
            errors.len(),
            errors.join("\n"),
            serde_json::to_string_pretty(&json).unwrap_or_default()
        ))
    }
}

/// Panics with the violations when the document does not validate.
#[track_caller]
pub fn assert_valid(doc: &AdfDoc) {
    if let Err(message) = validate(doc) {
        panic!("{message}");
    }
}
