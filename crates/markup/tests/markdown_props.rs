//! Property tests: random Markdown documents from a small grammar (headings, paragraphs with
//! marks and breaks, nested lists, task lists, code blocks, tables, quotes, rules) must
//! (a) convert to schema-valid ADF, (b) reach a fixed point after Markdown -> ADF -> Markdown
//! -> ADF, and (c) keep every word of their text.

mod support;

use markup::{adf_to_markdown, adf_to_plain_text, markdown_to_adf};
use proptest::prelude::*;

/// Words, including ones full of Markdown punctuation to exercise escaping.
const WORDS: &[&str] = &[
    "alpha",
    "beta",
    "gamma",
    "delta",
    "ticket",
    "PAY-42",
    "v1.2",
    "a*b",
    "snake_case",
    "#tag",
    "1.",
    "2)",
    "x<y>",
    "[note]",
    "back\\slash",
    "amp&amp;co",
    "AT&T",
    "~tilde~",
    "!bang",
    "end!",
    "50%",
    "C++",
    "don't",
    "\"quoted\"",
    "(paren)",
    "https://example.com/x?a=1&b=2",
    "***",
    "---",
    "+",
    "=",
    "`tick`",
    "__dunder__",
    "<br>",
    "emoji:",
    "naïve",
    "日本",
];

/// Characters allowed inside code (no backticks, no pipes, so spans and tables stay simple).
const CODE_WORDS: &[&str] = &[
    "let",
    "x",
    "=",
    "a < b",
    "*ptr",
    "_private",
    "#[derive]",
    "&mut",
    "]]>",
    "<![CDATA[",
    "fn()",
    "{}",
    "\\n",
    "a->b",
    "~",
];

#[derive(Debug, Clone)]
struct Segment {
    words: Vec<&'static str>,
    code: bool,
    strong: bool,
    em: bool,
    strike: bool,
    link: Option<&'static str>,
}

#[derive(Debug, Clone)]
enum Block {
    Heading(u8, Vec<Segment>),
    /// Lines of segments; `true` joins with a hard break, `false` with a soft break.
    Paragraph(Vec<(Vec<Segment>, bool)>),
    Code(Option<&'static str>, Vec<Vec<&'static str>>),
    List {
        start: Option<u64>,
        items: Vec<Vec<Block>>,
        loose: bool,
    },
    Tasks(Vec<(bool, Vec<Segment>)>),
    Quote(Vec<Block>),
    Table(Vec<Vec<Vec<Segment>>>),
    Rule,
}

fn segment() -> impl Strategy<Value = Segment> {
    (
        prop::collection::vec(prop::sample::select(WORDS), 1..4),
        prop::collection::vec(prop::sample::select(CODE_WORDS), 1..3),
        any::<bool>(),
        any::<(bool, bool, bool)>(),
        prop::option::weighted(
            0.2,
            prop::sample::select(
                &[
                    "https://example.com/a",
                    "/relative/path",
                    "https://e.x/q?x=1&y=(2)",
                ][..],
            ),
        ),
    )
        .prop_map(|(words, code_words, code, (strong, em, strike), link)| {
            let code = code && code_words.len() % 2 == 0;
            Segment {
                words: if code { code_words } else { words },
                code,
                strong: strong && !code,
                em: em && !code,
                strike: strike && !code,
                link,
            }
        })
}

fn inline() -> impl Strategy<Value = Vec<Segment>> {
    prop::collection::vec(segment(), 1..4)
}

fn leaf_block() -> impl Strategy<Value = Block> {
    prop_oneof![
        3 => prop::collection::vec((inline(), any::<bool>()), 1..3).prop_map(Block::Paragraph),
        1 => (
            prop::option::of(prop::sample::select(&["rust", "python", "sql"][..])),
            prop::collection::vec(prop::collection::vec(prop::sample::select(CODE_WORDS), 1..4), 1..4)
        )
            .prop_map(|(lang, lines)| Block::Code(lang, lines)),
    ]
}

fn list(depth: u32) -> BoxedStrategy<Block> {
    let item = if depth == 0 {
        (inline(), Just(None::<Block>)).boxed()
    } else {
        (inline(), prop::option::weighted(0.3, list(depth - 1))).boxed()
    };
    (
        prop::option::of(0u64..12),
        prop::collection::vec(item, 1..4),
        any::<bool>(),
    )
        .prop_map(|(start, items, loose)| Block::List {
            start,
            items: items
                .into_iter()
                .map(|(first, nested)| {
                    let mut blocks = vec![Block::Paragraph(vec![(first, false)])];
                    blocks.extend(nested);
                    blocks
                })
                .collect(),
            loose,
        })
        .boxed()
}

fn block() -> impl Strategy<Value = Block> {
    prop_oneof![
        2 => ((1u8..=6), inline()).prop_map(|(level, text)| Block::Heading(level, text)),
        4 => leaf_block(),
        2 => list(2),
        1 => prop::collection::vec((any::<bool>(), inline()), 1..4).prop_map(Block::Tasks),
        1 => prop::collection::vec(prop_oneof![leaf_block(), list(1)], 1..3).prop_map(Block::Quote),
        1 => (1usize..4).prop_flat_map(|columns| {
            prop::collection::vec(prop::collection::vec(inline(), columns), 2..4)
        }).prop_map(Block::Table),
        1 => Just(Block::Rule),
    ]
}

fn escape(word: &str) -> String {
    let mut out = String::new();
    for c in word.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn segment_markdown(segment: &Segment) -> String {
    let mut text = if segment.code {
        format!("`{}`", segment.words.join(" "))
    } else {
        segment
            .words
            .iter()
            .map(|w| escape(w))
            .collect::<Vec<_>>()
            .join(" ")
    };
    if segment.strike {
        text = format!("~~{text}~~");
    }
    if segment.em {
        text = format!("_{text}_");
    }
    if segment.strong {
        text = format!("**{text}**");
    }
    if let Some(url) = segment.link {
        text = format!("[{text}](<{url}>)");
    }
    text
}

fn inline_markdown(segments: &[Segment]) -> String {
    segments
        .iter()
        .map(segment_markdown)
        .collect::<Vec<_>>()
        .join(" ")
}

fn indent(text: &str, first: &str, rest: &str) -> String {
    text.split('\n')
        .enumerate()
        .map(|(i, line)| {
            let prefix = if i == 0 { first } else { rest };
            if line.is_empty() {
                prefix.trim_end().to_owned()
            } else {
                format!("{prefix}{line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Renders blocks; consecutive lists get different markers so Markdown keeps them apart.
fn blocks_markdown(blocks: &[Block]) -> String {
    let mut parts = Vec::new();
    let mut list_counter = 0usize;
    for block in blocks {
        let is_list = matches!(block, Block::List { .. } | Block::Tasks(_));
        if is_list {
            list_counter += 1;
        } else {
            list_counter = 0;
        }
        parts.push(block_markdown(block, list_counter));
    }
    parts.join("\n\n")
}

fn block_markdown(block: &Block, list_counter: usize) -> String {
    let bullet = ['-', '*', '+'][list_counter % 3];
    let delimiter = ['.', ')'][list_counter % 2];
    match block {
        Block::Heading(level, text) => {
            format!(
                "{} {}",
                "#".repeat(usize::from(*level)),
                inline_markdown(text)
            )
        }
        Block::Paragraph(lines) => {
            let mut out = String::new();
            for (index, (line, hard)) in lines.iter().enumerate() {
                if index > 0 {
                    out.push_str(if *hard { "\\\n" } else { "\n" });
                }
                out.push_str(&inline_markdown(line));
            }
            out
        }
        Block::Code(lang, lines) => {
            let body: Vec<String> = lines.iter().map(|l| l.join(" ")).collect();
            format!("```{}\n{}\n```", lang.unwrap_or(""), body.join("\n"))
        }
        Block::List {
            start,
            items,
            loose,
        } => items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                let marker = match start {
                    Some(n) => format!("{}{delimiter} ", n + index as u64),
                    None => format!("{bullet} "),
                };
                let body = blocks_markdown(item);
                indent(&body, &marker, &" ".repeat(marker.len()))
            })
            .collect::<Vec<_>>()
            .join(if *loose { "\n\n" } else { "\n" }),
        Block::Tasks(items) => items
            .iter()
            .map(|(done, text)| {
                format!(
                    "{bullet} [{}] {}",
                    if *done { "x" } else { " " },
                    inline_markdown(text)
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Block::Quote(blocks) => indent(&blocks_markdown(blocks), "> ", "> "),
        Block::Table(rows) => {
            let columns = rows[0].len();
            let line = |row: &Vec<Vec<Segment>>| {
                format!(
                    "| {} |",
                    row.iter()
                        .map(|c| inline_markdown(c))
                        .collect::<Vec<_>>()
                        .join(" | ")
                )
            };
            let mut out = vec![line(&rows[0]), format!("|{}", " --- |".repeat(columns))];
            out.extend(rows[1..].iter().map(line));
            out.join("\n")
        }
        Block::Rule => "---".to_owned(),
    }
}

/// Whitespace-separated words of the document's text, in order.
fn expected_words(blocks: &[Block], out: &mut Vec<String>) {
    let inline = |segments: &[Segment], out: &mut Vec<String>| {
        for segment in segments {
            for word in &segment.words {
                out.extend(word.split_whitespace().map(str::to_owned));
            }
        }
    };
    for block in blocks {
        match block {
            Block::Heading(_, text) => inline(text, out),
            Block::Paragraph(lines) => lines.iter().for_each(|(line, _)| inline(line, out)),
            Block::Code(_, lines) => {
                for line in lines {
                    for word in line {
                        out.extend(word.split_whitespace().map(str::to_owned));
                    }
                }
            }
            Block::List { items, .. } => items.iter().for_each(|item| expected_words(item, out)),
            Block::Tasks(items) => items.iter().for_each(|(_, text)| inline(text, out)),
            Block::Quote(blocks) => expected_words(blocks, out),
            Block::Table(rows) => rows.iter().flatten().for_each(|cell| inline(cell, out)),
            Block::Rule => {}
        }
    }
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
    fn markdown_converts_to_valid_stable_text_preserving_adf(
        blocks in prop::collection::vec(block(), 0..6)
    ) {
        let markdown = blocks_markdown(&blocks);
        let first = markdown_to_adf(&markdown);
        if let Err(violations) = support::validate(&first) {
            prop_assert!(false, "markdown:\n{}\n{}", markdown, violations);
        }

        let rendered = adf_to_markdown(&first);
        let second = markdown_to_adf(&rendered);
        prop_assert_eq!(
            &first, &second,
            "not a fixed point\n--- source markdown:\n{}\n--- rendered markdown:\n{}", markdown, rendered
        );

        let mut expected = Vec::new();
        expected_words(&blocks, &mut expected);
        let plain = adf_to_plain_text(&first);
        let actual: Vec<&str> = plain.split_whitespace().filter(|w| *w != "|").collect();
        prop_assert_eq!(actual, expected, "plain text changed\n--- markdown:\n{}", markdown);
    }
}
