//! Property test for storage-table edits: on random tables full of macros, CDATA and entities,
//! random cell edits plus an added column and appended row must (a) read back exactly as
//! written and (b) leave every byte outside the edited cells and inserted cells untouched.

use std::ops::Range;

use markup::storage::{TableEditor, find_table_under_heading};
use proptest::prelude::*;

/// Cell bodies as Confluence writes them, each with the plain text a reader should see.
const CELLS: &[(&str, &str)] = &[
    ("<p>plain</p>", "plain"),
    ("<p>a &amp; b&nbsp;c</p>", "a & b c"),
    ("", ""),
    ("<p><strong>Bold</strong> <em>it</em></p>", "Bold it"),
    (
        "<ac:structured-macro ac:name=\"jira\" ac:schema-version=\"1\"><ac:parameter ac:name=\"server\">System JIRA</ac:parameter><ac:parameter ac:name=\"key\">PAY-9</ac:parameter></ac:structured-macro>",
        "PAY-9",
    ),
    (
        "<ac:structured-macro ac:name=\"code\"><ac:plain-text-body><![CDATA[if a < b && c > d ]] {}]]></ac:plain-text-body></ac:structured-macro>",
        "if a < b && c > d ]] {}",
    ),
    (
        "<p><a href=\"https://x.example/?a=1&amp;b=2\">link &lt;text&gt;</a></p>",
        "link <text>",
    ),
    (
        "<p><ac:link><ri:page ri:content-title=\"Spec &quot;v2&quot;\" /></ac:link></p>",
        "Spec \"v2\"",
    ),
];

/// Values written by the editor: characters that must be escaped and entity look-alikes.
const VALUES: &[&str] = &[
    "PAY-1",
    "a < b",
    "x & y",
    "]]>",
    "&nbsp;",
    "\"q\" 'r'",
    "",
    "  spaced   out  ",
];

const PAGE_HEAD: &str = "<h1>PRD</h1><ac:structured-macro ac:name=\"code\"><ac:plain-text-body><![CDATA[<table> ]]]]><![CDATA[> not a table]]></ac:plain-text-body></ac:structured-macro>\n<h2>Story Ticket List</h2>\n<div class=\"table-wrap\"><table data-layout=\"default\"><colgroup>";
const PAGE_TAIL: &str =
    "</tbody></table></div>\n<p>After&nbsp;the table &mdash; done.</p><h2>Next</h2>";

fn page(columns: usize, rows: &[Vec<usize>]) -> String {
    let mut page = String::from(PAGE_HEAD);
    for _ in 0..columns {
        page.push_str("<col style=\"width: 90.0px;\" />");
    }
    page.push_str("</colgroup><tbody><tr>");
    for column in 0..columns {
        page.push_str(&format!("<th><p><strong>H{column}</strong></p></th>"));
    }
    page.push_str("</tr>\n");
    for row in rows {
        page.push_str("<tr>");
        for cell in row {
            page.push_str(&format!("<td>{}</td>", CELLS[*cell].0));
        }
        page.push_str("</tr>\n");
    }
    page.push_str(PAGE_TAIL);
    page
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn without_ranges(text: &str, mut ranges: Vec<Range<usize>>) -> String {
    ranges.sort_by_key(|r| r.start);
    let mut out = String::new();
    let mut cursor = 0;
    for range in ranges {
        out.push_str(&text[cursor..range.start]);
        cursor = range.end;
    }
    out.push_str(&text[cursor..]);
    out
}

fn table_case() -> impl Strategy<Value = (usize, Vec<Vec<usize>>)> {
    (1usize..5, 1usize..5).prop_flat_map(|(columns, rows)| {
        (
            Just(columns),
            prop::collection::vec(prop::collection::vec(0..CELLS.len(), columns), rows),
        )
    })
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
    fn edits_read_back_and_touch_no_other_byte(
        (columns, rows) in table_case(),
        edits in prop::collection::vec((0usize..8, 0usize..8, prop::sample::select(VALUES)), 0..6),
        add_column in any::<bool>(),
        append_row in any::<bool>(),
    ) {
        let original = page(columns, &rows);
        let table = find_table_under_heading(&original, "Story Ticket List").unwrap();
        let mut expected: Vec<Vec<String>> = rows
            .iter()
            .map(|row| row.iter().map(|cell| CELLS[*cell].1.to_owned()).collect())
            .collect();
        prop_assert_eq!(table.row_texts(), expected.clone());

        let mut editor = TableEditor::new(&original, table.clone());
        let mut edited_positions = Vec::new();
        for (row, column, value) in &edits {
            let (row, column) = (row % rows.len(), column % columns);
            editor.set_cell_text(row, column, value).unwrap();
            expected[row][column] = collapse(value);
            edited_positions.push((row, column));
        }
        let mut headers: Vec<String> = (0..columns).map(|c| format!("H{c}")).collect();
        if add_column {
            let values: Vec<&str> = (0..rows.len()).map(|r| VALUES[r % VALUES.len()]).collect();
            editor.add_column("New <col>", &values).unwrap();
            headers.push("New <col>".to_owned());
            for (row, value) in expected.iter_mut().zip(&values) {
                row.push(collapse(value));
            }
        }
        if append_row {
            editor.append_row(&["x & y"]).unwrap();
            let mut row = vec![String::new(); headers.len()];
            row[0] = "x & y".to_owned();
            expected.push(row);
        }
        let edited = editor.finish();

        let reread = find_table_under_heading(&edited, "Story Ticket List").unwrap();
        prop_assert_eq!(reread.headers(), headers);
        prop_assert_eq!(reread.row_texts(), expected);

        // Byte preservation: cut the edited cells' contents and every inserted element from the
        // edited page, and the same cells' contents from the original; the rest must match.
        let mut original_cuts = Vec::new();
        let mut edited_cuts = Vec::new();
        edited_positions.sort_unstable();
        edited_positions.dedup();
        for (row, column) in &edited_positions {
            original_cuts.push(table.cell(*row, *column).unwrap().content_range.clone());
            edited_cuts.push(reread.cell(*row, *column).unwrap().content_range.clone());
        }
        if add_column {
            for row in &reread.rows[..=rows.len()] {
                edited_cuts.push(row.cells[columns].range.clone());
            }
            let col_tag = "<col />";
            let col_at = edited.find("</colgroup>").unwrap() - col_tag.len();
            prop_assert_eq!(&edited[col_at..col_at + col_tag.len()], col_tag);
            edited_cuts.push(col_at..col_at + col_tag.len());
        }
        if append_row {
            edited_cuts.push(reread.rows.last().unwrap().range.clone());
        }
        prop_assert_eq!(without_ranges(&edited, edited_cuts), without_ranges(&original, original_cuts));
        prop_assert!(edited.starts_with(PAGE_HEAD));
        prop_assert!(edited.ends_with(PAGE_TAIL));
    }
}
