//! Property tests starting from ADF as Jira/Confluence send it (panels, mentions, emoji,
//! status, dates, cards, media, expands, task lists, unknown nodes, marks Markdown lacks):
//! rendering to Markdown and converting back must give schema-valid ADF that keeps every word
//! of the original text in order, and from there Markdown <-> ADF is a fixed point.

mod support;

use markup::{AdfDoc, adf_to_markdown, adf_to_plain_text, markdown_to_adf};
use proptest::prelude::*;
use serde_json::{Value, json};

const WORDS: &[&str] = &[
    "alpha",
    "beta",
    "PAY-7",
    "a*b",
    "snake_case",
    "#1",
    "1.",
    "x<y",
    "[x]",
    "50%",
    "AT&T",
    "done!",
    "~",
    "---",
    "naïve",
    "`q`",
    "|",
];

fn word() -> impl Strategy<Value = &'static str> {
    prop::sample::select(WORDS)
}

fn text_node() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(word(), 1..3),
        prop::sample::subsequence(
            vec!["strong", "em", "strike", "underline", "textColor"],
            0..3,
        ),
        prop::option::weighted(0.2, Just("https://example.com/x")),
        prop::bool::weighted(0.15),
    )
        .prop_map(|(words, marks, link, code)| {
            let mut mark_values: Vec<Value> = Vec::new();
            if let Some(href) = link {
                mark_values.push(json!({"type": "link", "attrs": {"href": href}}));
            }
            if code {
                mark_values.push(json!({"type": "code"}));
            } else {
                for mark in marks {
                    mark_values.push(match mark {
                        "textColor" => json!({"type": "textColor", "attrs": {"color": "#ff5630"}}),
                        other => json!({"type": other}),
                    });
                }
            }
            let mut node = json!({"type": "text", "text": words.join(" ")});
            if !mark_values.is_empty() {
                node["marks"] = Value::Array(mark_values);
            }
            node
        })
}

fn atom_node() -> impl Strategy<Value = Value> {
    prop_oneof![
        word().prop_map(|w| json!({"type": "mention", "attrs": {"id": "5b10ac8d82e05b22cc7d4ef5", "text": format!("@{w}")}})),
        Just(json!({"type": "emoji", "attrs": {"shortName": ":tada:", "text": "🎉"}})),
        word().prop_map(|w| json!({"type": "status", "attrs": {"text": w, "color": "green"}})),
        Just(json!({"type": "date", "attrs": {"timestamp": "1700000000000"}})),
        Just(json!({"type": "inlineCard", "attrs": {"url": "https://jira.example.com/browse/PAY-1"}})),
        Just(json!({"type": "hardBreak"})),
    ]
}

/// Inline content: text and atoms separated by plain spaces, as editors produce between words.
fn inline() -> impl Strategy<Value = Vec<Value>> {
    prop::collection::vec(prop_oneof![4 => text_node(), 1 => atom_node()], 1..5).prop_map(|nodes| {
        let mut out = Vec::new();
        for node in nodes {
            if !out.is_empty() {
                out.push(json!({"type": "text", "text": " "}));
            }
            out.push(node);
        }
        out
    })
}

fn paragraph() -> impl Strategy<Value = Value> {
    inline().prop_map(|content| json!({"type": "paragraph", "content": content}))
}

fn code_block() -> impl Strategy<Value = Value> {
    (prop::collection::vec(word(), 1..6), prop::option::of(Just("java"))).prop_map(|(words, lang)| {
        let mut node = json!({"type": "codeBlock", "content": [{"type": "text", "text": words.join("\n")}]});
        if let Some(lang) = lang {
            node["attrs"] = json!({"language": lang});
        }
        node
    })
}

fn list() -> impl Strategy<Value = Value> {
    (prop::collection::vec(paragraph(), 1..4), any::<bool>()).prop_map(|(items, ordered)| {
        let items: Vec<Value> = items
            .into_iter()
            .map(|p| json!({"type": "listItem", "content": [p]}))
            .collect();
        if ordered {
            json!({"type": "orderedList", "attrs": {"order": 1}, "content": items})
        } else {
            json!({"type": "bulletList", "content": items})
        }
    })
}

fn block() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => paragraph(),
        1 => (1u8..=6, inline()).prop_map(|(level, content)| json!({"type": "heading", "attrs": {"level": level}, "content": content})),
        1 => code_block(),
        2 => list(),
        1 => (prop::sample::select(vec!["info", "note", "warning", "success", "error"]), prop::collection::vec(paragraph(), 1..3))
            .prop_map(|(kind, content)| json!({"type": "panel", "attrs": {"panelType": kind}, "content": content})),
        1 => (word(), prop::collection::vec(prop_oneof![paragraph(), code_block()], 1..3))
            .prop_map(|(title, content)| json!({"type": "expand", "attrs": {"title": title}, "content": content})),
        1 => prop::collection::vec(paragraph(), 1..3).prop_map(|content| json!({"type": "blockquote", "content": content})),
        1 => (1usize..4).prop_flat_map(|columns| prop::collection::vec(prop::collection::vec(inline(), columns), 2..4))
            .prop_map(|rows| {
                let rows: Vec<Value> = rows.into_iter().enumerate().map(|(index, cells)| {
                    let kind = if index == 0 { "tableHeader" } else { "tableCell" };
                    let cells: Vec<Value> = cells.into_iter()
                        .map(|content| json!({"type": kind, "content": [{"type": "paragraph", "content": content}]}))
                        .collect();
                    json!({"type": "tableRow", "content": cells})
                }).collect();
                json!({"type": "table", "content": rows})
            }),
        1 => prop::collection::vec((any::<bool>(), inline()), 1..3).prop_map(|items| {
            let items: Vec<Value> = items.into_iter().enumerate().map(|(index, (done, content))| json!({
                "type": "taskItem",
                "attrs": {"localId": format!("t{index}"), "state": if done { "DONE" } else { "TODO" }},
                "content": content
            })).collect();
            json!({"type": "taskList", "attrs": {"localId": "tl"}, "content": items})
        }),
        1 => word().prop_map(|alt| json!({"type": "mediaSingle", "attrs": {"layout": "center"}, "content": [
            {"type": "media", "attrs": {"type": "file", "id": "f-1", "collection": "c", "alt": alt}}
        ]})),
        1 => Just(json!({"type": "blockCard", "attrs": {"url": "https://docs.example.com/prd"}})),
        1 => Just(json!({"type": "rule"})),
        1 => paragraph().prop_map(|p| json!({"type": "someFutureNode", "content": [p]})),
    ]
}

fn words_of(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

/// Whether `needle` occurs in `haystack` in order (extra words such as panel labels allowed).
fn is_subsequence(needle: &[String], haystack: &[String]) -> bool {
    let mut rest = haystack.iter();
    needle
        .iter()
        .all(|word| rest.any(|candidate| candidate == word))
}

proptest! {
    #![proptest_config(ProptestConfig {
        // PROPTEST_CASES raises the count for a deeper local run.
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
        // Integration tests have no lib.rs next to them for the default persistence file.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn atlassian_adf_survives_markdown_and_reaches_a_fixed_point(
        blocks in prop::collection::vec(block(), 1..6)
    ) {
        let original = AdfDoc::from_json(json!({"type": "doc", "version": 1, "content": blocks})).unwrap();
        // Apart from the deliberately unknown node type, the generator must produce valid ADF.
        let has_unknown = original.to_json().to_string().contains("someFutureNode");
        prop_assert!(has_unknown || support::validate(&original).is_ok(), "generator produced invalid ADF: {:?}", support::validate(&original));

        let markdown = adf_to_markdown(&original);
        let converted = markdown_to_adf(&markdown);
        if let Err(violations) = support::validate(&converted) {
            prop_assert!(false, "markdown:\n{}\n{}", markdown, violations);
        }

        let before = words_of(&adf_to_plain_text(&original));
        let after = words_of(&adf_to_plain_text(&converted));
        prop_assert!(
            is_subsequence(&before, &after),
            "words lost\nbefore: {:?}\nafter:  {:?}\nmarkdown:\n{}", before, after, markdown
        );

        let again = adf_to_markdown(&converted);
        prop_assert_eq!(&markdown_to_adf(&again), &converted, "not a fixed point; markdown:\n{}", again);
    }
}
