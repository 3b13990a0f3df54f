//! Validation against the official ADF JSON schema: the same schema file that
//! crates/markup/tests/support/mod.rs validates against, compiled once per fuzzing process.

use std::sync::OnceLock;

use markup::AdfDoc;

const SCHEMA_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/specs/adf.schema.json"
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

/// Panics, listing the violations, when `doc` does not satisfy the ADF schema.
pub fn assert_valid(doc: &AdfDoc, input: &str) {
    let json = doc.to_json();
    let errors: Vec<String> = validator()
        .iter_errors(&json)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "ADF from {input:?} violates the schema:\n{}\n{json}",
        errors.join("\n")
    );
}
