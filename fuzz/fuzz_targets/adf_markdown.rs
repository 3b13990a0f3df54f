//! Fuzz target: arbitrary bytes as ADF JSON, as Jira or Confluence might send it. Whatever
//! deserializes renders to Markdown and plain text without panicking, and the Markdown converts
//! back to schema-valid ADF.

#![no_main]

use libfuzzer_sys::fuzz_target;
use markup::{AdfDoc, adf_to_markdown, adf_to_plain_text, markdown_to_adf};
use planwright_fuzz::schema;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(doc) = AdfDoc::from_json(value) else {
        return;
    };
    // Unknown nodes are kept verbatim, so the document re-serializes to what it read.
    let again = AdfDoc::from_json(doc.to_json()).expect("a read document reads back");
    assert_eq!(again, doc, "ADF changes through to_json");
    let markdown = adf_to_markdown(&doc);
    let _ = adf_to_plain_text(&doc);
    schema::assert_valid(&markdown_to_adf(&markdown), &markdown);
});
