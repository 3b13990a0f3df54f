//! Turns a schemars-derived schema into the strict subset structured-output providers accept.
//!
//! schemars describes what serde would accept; providers want something narrower: every object
//! closed (`additionalProperties: false`) with every property required, no `$ref` (Gemini's
//! schema dialect has none), and no annotation keywords OpenAI strict mode rejects (`format`,
//! `default`, `title`, `$schema`). `oneOf` becomes `anyOf`, which strict mode supports.

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value};

/// Keywords dropped from every schema node.
const DROPPED_KEYWORDS: [&str; 6] = ["$schema", "title", "format", "default", "examples", "$id"];

/// The strict, self-contained schema of `T`.
pub(crate) fn strict_schema_for<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::draft2020_12().into_generator();
    let mut root = generator.into_root_schema_for::<T>().to_value();
    let definitions = root
        .as_object_mut()
        .and_then(|object| object.remove("$defs"))
        .and_then(|defs| match defs {
            Value::Object(map) => Some(map),
            _ => None,
        })
        .unwrap_or_default();
    inline_and_tighten(&mut root, &definitions, 0);
    root
}

/// Rewrites `anyOf` of documented string constants (how schemars renders an enum whose
/// variants have doc comments) as one `enum`, moving the variant docs into the description:
/// shorter for the model to read, and the form every provider supports.
fn collapse_constant_choices(object: &mut Map<String, Value>) {
    let Some(Value::Array(choices)) = object.get("anyOf") else {
        return;
    };
    let mut names = Vec::with_capacity(choices.len());
    let mut explanations = Vec::with_capacity(choices.len());
    for choice in choices {
        let Some(Value::String(name)) = choice.get("const") else {
            return;
        };
        if let Some(Value::String(doc)) = choice.get("description") {
            explanations.push(format!("`{name}`: {}", doc.trim_end_matches('.')));
        }
        names.push(Value::String(name.clone()));
    }
    object.remove("anyOf");
    object.insert("type".to_owned(), Value::String("string".to_owned()));
    object.insert("enum".to_owned(), Value::Array(names));
    if !explanations.is_empty() {
        let lead = match object.get("description") {
            Some(Value::String(text)) => format!("{text} "),
            _ => String::new(),
        };
        let text = format!("{lead}One of: {}.", explanations.join("; "));
        object.insert("description".to_owned(), Value::String(text));
    }
}

/// Our output types are not recursive, so a deep chain of references means a bug.
const MAX_DEPTH: usize = 64;

fn inline_and_tighten(node: &mut Value, definitions: &Map<String, Value>, depth: usize) {
    assert!(
        depth < MAX_DEPTH,
        "output schema nests too deeply; is a type recursive?"
    );
    match node {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.remove("$ref") {
                let name = reference.trim_start_matches("#/$defs/");
                let definition = definitions
                    .get(name)
                    .unwrap_or_else(|| panic!("schemars emitted an unknown $ref {reference}"));
                if let Value::Object(definition) = definition {
                    for (key, value) in definition {
                        // A field's own description beats the type's.
                        object.entry(key.clone()).or_insert_with(|| value.clone());
                    }
                }
            }
            for keyword in DROPPED_KEYWORDS {
                object.remove(keyword);
            }
            if let Some(one_of) = object.remove("oneOf") {
                object.insert("anyOf".to_owned(), one_of);
            }
            collapse_constant_choices(object);
            if let Some(Value::Object(properties)) = object.get("properties") {
                let required = properties.keys().cloned().map(Value::String).collect();
                object.insert("required".to_owned(), Value::Array(required));
                object.insert("additionalProperties".to_owned(), Value::Bool(false));
            }
            for (key, value) in object.iter_mut() {
                match (key.as_str(), value) {
                    // A map from property names to schemas: the names are data (a property may
                    // be called "title" or "default"), only the values are schemas.
                    ("properties", Value::Object(properties)) => {
                        for property in properties.values_mut() {
                            inline_and_tighten(property, definitions, depth + 1);
                        }
                    }
                    (_, value) => inline_and_tighten(value, definitions, depth + 1),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                inline_and_tighten(item, definitions, depth + 1);
            }
        }
        _ => {}
    }
}
