//! Fuzz target: arbitrary UTF-8 as Markdown. `markdown_to_adf` never panics and its output is a
//! version-1 `doc` that satisfies the official ADF schema and survives JSON text round trips;
//! `adf_to_markdown` of it parses back to the same ADF (the fixed point the markdown module
//! promises: Markdown -> ADF -> Markdown -> ADF).

#![no_main]

use libfuzzer_sys::fuzz_target;
use markup::{AdfDoc, adf_to_markdown, adf_to_plain_text, markdown_to_adf};
use planwright_fuzz::schema;

fuzz_target!(|markdown: &str| {
    let doc = markdown_to_adf(markdown);
    let json = doc.to_json();
    assert_eq!(json["type"], "doc");
    assert_eq!(json["version"], 1);
    schema::assert_valid(&doc, markdown);
    let text = serde_json::to_string(&json).expect("ADF serializes");
    let parsed: serde_json::Value = serde_json::from_str(&text).expect("ADF text is JSON");
    let back = AdfDoc::from_json(parsed).expect("ADF reads back");
    assert_eq!(back, doc, "ADF changes through JSON text");

    let rendered = adf_to_markdown(&doc);
    let again = markdown_to_adf(&rendered);
    assert_eq!(
        again, doc,
        "Markdown -> ADF -> Markdown -> ADF is not a fixed point; rendered Markdown: {rendered:?}"
    );
    let _ = adf_to_plain_text(&doc);
});
