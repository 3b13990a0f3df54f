//! Tests for reading and byte-preserving editing of Confluence storage-format tables, against a
//! realistic PRD page fixture (layout macros, info panel, jira/status/code macros, CDATA with
//! `<`, `>` and `]]`, `&nbsp;` and other named entities).

use markup::storage::{
    ColumnRef, StorageError, TableEditor, find_table_under_heading, jira_issue_macro, list_tables,
};

const PAGE: &str = include_str!("fixtures/prd_page.xml");

/// Removes the given byte ranges (sorted, disjoint) from `text`.
fn without_ranges(text: &str, mut ranges: Vec<std::ops::Range<usize>>) -> String {
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

/// Asserts the two pages differ only inside `original_range` of the original page.
#[track_caller]
fn assert_only_changed_within(
    original: &str,
    edited: &str,
    original_range: std::ops::Range<usize>,
) {
    let suffix_len = original.len() - original_range.end;
    assert_eq!(
        &edited[..original_range.start],
        &original[..original_range.start],
        "prefix changed"
    );
    assert_eq!(
        &edited[edited.len() - suffix_len..],
        &original[original_range.end..],
        "suffix changed"
    );
}

#[test]
fn reads_the_story_table_under_its_heading() {
    let table = find_table_under_heading(PAGE, "story ticket list").unwrap();
    assert_eq!(table.heading.as_deref(), Some("Story Ticket List"));
    assert_eq!(table.heading_level, Some(2));
    assert_eq!(
        table.headers(),
        ["#", "Story", "Description", "Jira Ticket", "Status"]
    );
    assert_eq!(table.column_index("JIRA ticket"), Some(3));
    let rows = table.row_texts();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0],
        [
            "1",
            "Idempotency keys",
            "Add an idempotency key to every POST /charges request & persist it for 24 hours.",
            "PAY-101",
            "In progress"
        ]
    );
    assert_eq!(
        rows[1][2],
        "Drop events already seen, keyed by event id. Details in the webhook design."
    );
    assert_eq!(rows[1][3], "", "&nbsp; alone collapses to an empty cell");
    assert!(rows[2][2].starts_with("Re-check charges flagged by the audit script: SELECT id FROM charges WHERE amount > 0 AND a < b"));
    assert!(rows[2][2].contains("<tags> stay literal"));
    assert_eq!(rows[2][3], "PAY-103");

    let cell = table.cell(0, 3).unwrap();
    assert!(PAGE[cell.range.clone()].starts_with("<td><p><ac:structured-macro ac:name=\"jira\""));
    assert!(PAGE[cell.content_range.clone()].ends_with("</ac:structured-macro></p>"));
    assert!(PAGE[table.range.clone()].starts_with("<table data-layout=\"wide\""));
}

#[test]
fn lists_every_table_with_its_heading() {
    let tables = list_tables(PAGE).unwrap();
    let headings: Vec<Option<&str>> = tables.iter().map(|t| t.heading.as_deref()).collect();
    assert_eq!(headings, [Some("Context"), Some("Story Ticket List")]);
    assert_eq!(tables[0].headers(), ["Term", "Meaning"]);
}

#[test]
fn heading_match_resolves_entities_and_ignores_case_and_colon() {
    let table = find_table_under_heading(PAGE, "payments reliability prd:").unwrap();
    assert_eq!(table.heading.as_deref(), Some("Payments Reliability PRD"));
    assert_eq!(
        table.headers(),
        ["Term", "Meaning"],
        "first table after the h1"
    );
}

#[test]
fn missing_section_is_a_clear_error_naming_the_heading() {
    let error = find_table_under_heading(PAGE, "Rollout Plan").unwrap_err();
    assert!(
        matches!(&error, StorageError::SectionNotFound { heading, .. } if heading == "Rollout Plan")
    );
    let message = error.to_string();
    assert!(message.contains("\"Rollout Plan\""), "{message}");
    assert!(
        message.contains("\"Story Ticket List\""),
        "lists the headings that exist: {message}"
    );
}

#[test]
fn section_without_a_table_before_the_next_heading_is_an_error() {
    assert_eq!(
        find_table_under_heading(PAGE, "Purpose").unwrap_err(),
        StorageError::TableNotFound {
            heading: "Purpose".to_owned()
        }
    );
    // h3 followed by an h2 without a table in between.
    assert!(matches!(
        find_table_under_heading(PAGE, "Notes on stories"),
        Err(StorageError::TableNotFound { .. })
    ));
}

#[test]
fn setting_a_cell_changes_only_that_cell() {
    let table = find_table_under_heading(PAGE, "Story Ticket List").unwrap();
    let target = table.cell(1, 3).unwrap().content_range.clone();
    let mut editor = TableEditor::new(PAGE, table);
    editor
        .set_cell_text(1, "Jira Ticket", "PAY-102 <draft> & co")
        .unwrap();
    let edited = editor.finish();

    assert_only_changed_within(PAGE, &edited, target.clone());
    assert_eq!(
        &edited[target.start..target.start + "<p>PAY-102 &lt;draft&gt; &amp; co</p>".len()],
        "<p>PAY-102 &lt;draft&gt; &amp; co</p>"
    );
    let reread = find_table_under_heading(&edited, "Story Ticket List").unwrap();
    assert_eq!(reread.row_texts()[1][3], "PAY-102 <draft> & co");
    assert_eq!(
        reread.row_texts()[0],
        find_table_under_heading(PAGE, "Story Ticket List")
            .unwrap()
            .row_texts()[0]
    );
}

#[test]
fn cdata_and_entities_survive_edits_byte_for_byte() {
    let mut editor = TableEditor::for_section(PAGE, "Story Ticket List").unwrap();
    editor.set_cell_text(2, 4, "Verified").unwrap();
    editor
        .set_cell_storage(1, ColumnRef::Index(3), &jira_issue_macro("PAY-102"))
        .unwrap();
    let edited = editor.finish();
    for fragment in [
        "<![CDATA[SELECT id FROM charges WHERE amount > 0 AND a < b AND tags @> '{\"x]]\"}';\n-- nested ]] brackets and <tags> stay literal]]>",
        "// <not a tag> ]]]]><![CDATA[> edge]]>",
        "<![CDATA[the webhook design]]>",
        "24&nbsp;hours",
        "&mdash;",
        "Payments Reliability&nbsp;PRD",
        "ac:macro-id=\"0d9f8e7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f\"",
    ] {
        assert!(edited.contains(fragment), "lost {fragment:?}");
    }
    let reread = find_table_under_heading(&edited, "Story Ticket List").unwrap();
    assert_eq!(reread.row_texts()[1][3], "PAY-102");
    assert_eq!(reread.row_texts()[2][4], "Verified");
    // Removing the two edited cells' contents from both pages leaves identical text.
    let before = find_table_under_heading(PAGE, "Story Ticket List").unwrap();
    let original_rest = without_ranges(
        PAGE,
        vec![
            before.cell(1, 3).unwrap().content_range.clone(),
            before.cell(2, 4).unwrap().content_range.clone(),
        ],
    );
    let edited_rest = without_ranges(
        &edited,
        vec![
            reread.cell(1, 3).unwrap().content_range.clone(),
            reread.cell(2, 4).unwrap().content_range.clone(),
        ],
    );
    assert_eq!(original_rest, edited_rest);
}

#[test]
fn adding_a_column_inserts_only_the_new_cells() {
    let mut editor = TableEditor::for_section(PAGE, "Story Ticket List").unwrap();
    editor.add_column("Owner", &["ann", "bob & co"]).unwrap();
    let edited = editor.finish();

    let table = find_table_under_heading(&edited, "Story Ticket List").unwrap();
    assert_eq!(
        table.headers(),
        [
            "#",
            "Story",
            "Description",
            "Jira Ticket",
            "Status",
            "Owner"
        ]
    );
    let column: Vec<String> = table.row_texts().iter().map(|r| r[5].clone()).collect();
    assert_eq!(column, ["ann", "bob & co", ""]);
    assert!(table.rows[0].cells[5].is_header, "header row gets a th");
    assert!(edited.contains("<th><p>Owner</p></th></tr>"));

    // Deleting the new cells and the new <col /> gives back the original page exactly.
    let mut inserted: Vec<_> = table
        .rows
        .iter()
        .map(|r| r.cells[5].range.clone())
        .collect();
    let col = edited
        .find("<col style=\"width: 120.0px;\" /><col />")
        .unwrap()
        + "<col style=\"width: 120.0px;\" />".len();
    inserted.push(col..col + "<col />".len());
    assert_eq!(without_ranges(&edited, inserted), PAGE);
}

#[test]
fn appending_a_row_inserts_only_the_new_row() {
    let original = find_table_under_heading(PAGE, "Story Ticket List").unwrap();
    let mut editor = TableEditor::new(PAGE, original.clone());
    editor
        .append_row(&["4", "Refund flow", "Refund <partial> charges"])
        .unwrap();
    let edited = editor.finish();
    let table = find_table_under_heading(&edited, "Story Ticket List").unwrap();
    assert_eq!(table.data_rows().len(), 4);
    assert_eq!(
        table.row_texts()[3],
        ["4", "Refund flow", "Refund <partial> charges", "", ""]
    );
    let new_row = table.rows[4].range.clone();
    assert_eq!(
        new_row.start, original.rows[3].range.end,
        "right after the last row"
    );
    assert_eq!(without_ranges(&edited, vec![new_row]), PAGE);
}

#[test]
fn added_columns_and_rows_can_be_edited_together() {
    let mut editor = TableEditor::for_section(PAGE, "Story Ticket List").unwrap();
    editor
        .add_column("Owner", &["ann"])
        .unwrap()
        .append_row(&["4", "Refund flow"])
        .unwrap()
        .set_cell_text(3, "Owner", "cy")
        .unwrap()
        .set_cell_text(1, 5, "bob")
        .unwrap()
        .set_cell_storage(3, "Jira Ticket", &jira_issue_macro("PAY-104"))
        .unwrap();
    let edited = editor.finish();
    let rows = find_table_under_heading(&edited, "Story Ticket List")
        .unwrap()
        .row_texts();
    assert_eq!(rows[0][5], "ann");
    assert_eq!(rows[1][5], "bob");
    assert_eq!(rows[3], ["4", "Refund flow", "", "PAY-104", "", "cy"]);
}

#[test]
fn edit_errors_are_classified() {
    let mut editor = TableEditor::for_section(PAGE, "Story Ticket List").unwrap();
    assert!(matches!(
        editor.set_cell_text(0, "Owner", "x"),
        Err(StorageError::ColumnNotFound { name, .. }) if name == "Owner"
    ));
    assert_eq!(
        editor.set_cell_text(9, 0, "x").err(),
        Some(StorageError::RowOutOfRange { row: 9, rows: 3 })
    );
    assert_eq!(
        editor.set_cell_text(0, 7, "x").err(),
        Some(StorageError::ColumnOutOfRange {
            column: 7,
            columns: 5
        })
    );
    assert_eq!(
        editor.append_row(&["1", "2", "3", "4", "5", "6"]).err(),
        Some(StorageError::TooManyValues {
            given: 6,
            expected: 5
        })
    );
}

const SPANS: &str = "<h2>Spans</h2><table><tbody>\
<tr><th>A</th><th colspan=\"2\">BC</th><th>D</th></tr>\
<tr><td rowspan=\"2\">a1</td><td>b1</td><td>c1</td><td>d1</td></tr>\
<tr><td>b2</td><td>c2</td><td>d2</td></tr>\
<tr><td>a3</td><td colspan=\"2\">bc3</td></tr>\
</tbody></table><p>after</p>";

#[test]
fn spans_map_to_logical_columns() {
    let table = find_table_under_heading(SPANS, "Spans").unwrap();
    assert_eq!(table.column_count(), 4);
    assert_eq!(table.headers(), ["A", "BC", "BC", "D"]);
    assert_eq!(table.column_index("bc"), Some(1));
    let rows = table.row_texts();
    assert_eq!(rows[0], ["a1", "b1", "c1", "d1"]);
    assert_eq!(
        rows[1],
        ["a1", "b2", "c2", "d2"],
        "rowspan covers the next row"
    );
    assert_eq!(
        rows[2],
        ["a3", "bc3", "bc3", ""],
        "ragged row leaves the last column empty"
    );
    assert_eq!(table.cell(1, 1).unwrap().column, 1);
}

#[test]
fn span_edits_follow_the_documented_rule() {
    let mut editor = TableEditor::for_section(SPANS, "Spans").unwrap();
    assert_eq!(
        editor.set_cell_text(1, 0, "x").err(),
        Some(StorageError::CoveredBySpan { row: 1, column: 0 })
    );
    editor.set_cell_text(2, 2, "BC-3").unwrap(); // any column of a colspan cell edits it
    editor.add_column("E", &["e1", "e2", "e3"]).unwrap();
    let edited = editor.finish();
    assert!(
        edited.contains("<td colspan=\"2\">BC-3</td>"),
        "unwrapped cells stay unwrapped: {edited}"
    );
    let table = find_table_under_heading(&edited, "Spans").unwrap();
    assert_eq!(table.headers(), ["A", "BC", "BC", "D", "E"]);
    let rows = table.row_texts();
    assert_eq!(rows[0], ["a1", "b1", "c1", "d1", "e1"]);
    assert_eq!(rows[1], ["a1", "b2", "c2", "d2", "e2"]);
    assert_eq!(
        rows[2],
        ["a3", "BC-3", "BC-3", "", "e3"],
        "ragged row padded before the new cell"
    );
    assert!(edited.ends_with("</tbody></table><p>after</p>"));
}

#[test]
fn links_and_resources_read_as_their_text() {
    let page = "<h1>Links</h1><table><tr><th>k</th></tr>\
<tr><td><ac:link><ri:page ri:content-title=\"Design &amp; Plan\" /></ac:link></td></tr>\
<tr><td><ac:link><ri:user ri:account-id=\"557058:abc\" /></ac:link> and <a href=\"https://x\">x&#39;s site</a></td></tr>\
<tr><td><ac:link><ri:attachment ri:filename=\"flow.png\" /><ac:link-body>the <em>flow</em></ac:link-body></ac:link></td></tr>\
<tr><td><time datetime=\"2024-05-01\" /> <ac:emoticon ac:name=\"tick\" /></td></tr>\
</table>";
    let table = find_table_under_heading(page, "links").unwrap();
    let texts: Vec<String> = table
        .row_texts()
        .into_iter()
        .map(|mut r| r.remove(0))
        .collect();
    assert_eq!(
        texts,
        [
            "Design & Plan",
            "@557058:abc and x's site",
            "the flow",
            "2024-05-01 tick"
        ]
    );
}

#[test]
fn malformed_storage_is_reported_with_a_position() {
    let error = list_tables("<h1>T</h1><table><tr><td>x</table>").unwrap_err();
    assert!(matches!(error, StorageError::Malformed { .. }), "{error:?}");
    assert!(error.to_string().contains("malformed"));
}

#[test]
fn repeated_heading_uses_the_first_section_that_has_a_table() {
    let page = "<h2>Stories</h2><p>draft, no table yet</p><h2>Other</h2>\
<h2>Stories</h2><table><tbody><tr><th>S</th></tr><tr><td>one</td></tr></tbody></table>";
    let table = find_table_under_heading(page, "Stories").unwrap();
    assert_eq!(table.row_texts(), [["one"]]);
}

#[test]
fn huge_spans_cannot_make_the_grid_wider_than_the_real_cells() {
    let page = "<h2>T</h2><table><tbody>\
<tr><th colspan=\"1000000\">A</th></tr>\
<tr><td rowspan=\"99999\" colspan=\"999\">a</td><td>b</td></tr>\
</tbody></table>";
    let table = find_table_under_heading(page, "T").unwrap();
    // Three real cells: no span may make the table wider than three columns.
    assert_eq!(table.column_count(), 3);
    assert_eq!(table.headers(), ["A", "A", "A"]);
    assert_eq!(table.row_texts(), [["a", "a", "b"]]);
    let spanning = table.cell(0, 0).unwrap();
    assert_eq!(
        (spanning.colspan, spanning.rowspan),
        (2, 1),
        "rowspan stops at the last row"
    );
}

#[test]
fn a_page_of_maximal_spans_builds_a_grid_proportional_to_its_cells() {
    // 200 rows of 50 cells, each asking for 1000 × 1000 positions: unbounded, that is
    // 10^10 grid positions (and a dense grid of 200 × 50 000); bounded, a few per cell.
    let cell = "<td colspan=\"1000\" rowspan=\"1000\">x</td>";
    let row = format!("<tr>{}</tr>", cell.repeat(50));
    let page = format!(
        "<h2>T</h2><table><tbody>{}</tbody></table>",
        row.repeat(200)
    );
    let table = find_table_under_heading(&page, "T").unwrap();
    let real_cells = 200 * 50;
    let positions: usize = table
        .rows
        .iter()
        .flat_map(|row| &row.cells)
        .map(|cell| cell.colspan * cell.rowspan)
        .sum();
    assert!(positions <= 5 * real_cells, "{positions} grid positions");
    assert!(table.column_count() <= positions);
    assert_eq!(table.row_texts().len(), 199);
}

/// Grid positions the table holds: each row is as long as the furthest column any cell
/// covering it reaches, gaps before that column included.
fn grid_positions(table: &markup::StorageTable) -> usize {
    let mut extents = vec![0; table.rows.len()];
    for (index, row) in table.rows.iter().enumerate() {
        for cell in &row.cells {
            for extent in extents.iter_mut().skip(index).take(cell.rowspan) {
                *extent = (*extent).max(cell.column + cell.colspan);
            }
        }
    }
    extents.iter().sum()
}

#[test]
fn a_rowspan_far_right_does_not_widen_the_rows_below_it() {
    // Found while fuzzing the storage_table target (fuzz/): one wide row whose last cell spans
    // down over many empty rows made every covered row as long as the wide one, so 2 000 cells
    // in 13 KB of page asked for 2 000 000 grid positions.
    let wide = format!(
        "<tr>{}<td rowspan=\"1000\">x</td></tr>",
        "<td/>".repeat(1999)
    );
    let page = format!(
        "<h2>T</h2><table><tbody>{wide}{}</tbody></table>",
        "<tr/>".repeat(999)
    );
    let table = find_table_under_heading(&page, "T").unwrap();
    let real_cells = 2000;
    let positions = grid_positions(&table);
    assert!(positions <= 5 * real_cells, "{positions} grid positions");
    assert_eq!(table.column_count(), 2000);
    assert_eq!(table.rows.len(), 1000);
}

#[test]
fn maximal_spans_grid_positions_include_the_gaps() {
    let cell = "<td colspan=\"1000\" rowspan=\"1000\">x</td>";
    let row = format!("<tr><td>a</td>{}</tr>", cell.repeat(20));
    let page = format!(
        "<h2>T</h2><table><tbody>{}</tbody></table>",
        row.repeat(300)
    );
    let table = find_table_under_heading(&page, "T").unwrap();
    let positions = grid_positions(&table);
    assert!(positions <= 5 * 300 * 21, "{positions} grid positions");
}

#[test]
fn self_closing_cells_and_rows_are_filled_in_place() {
    // Found by the storage_table fuzz target (fuzz/): an edit of `<th/>` was spliced after the
    // `/>`, outside the cell, and new cells for a `<tr/>` landed outside the row.
    let page = "<h2>T</h2><table><tr><th>A</th></tr><tr/><tr><td colspan=\"1\" /></tr></table>";
    let mut editor = TableEditor::for_section(page, "T").unwrap();
    editor.set_cell_text(1, 0, "x & y").unwrap();
    editor.add_column("B", &["b1", "b2"]).unwrap();
    let edited = editor.finish();
    assert_eq!(
        edited,
        "<h2>T</h2><table><tr><th>A</th><th>B</th></tr><tr><td></td><td>b1</td></tr>\
<tr><td colspan=\"1\">x &amp; y</td><td>b2</td></tr></table>"
    );
    let table = find_table_under_heading(&edited, "T").unwrap();
    assert_eq!(table.row_texts(), [["", "b1"], ["x & y", "b2"]]);
}

/// Fuzz regression (storage_table): a row with an unquoted attribute fragment and trailing
/// garbage before `/>` must still give a page that parses after editing.
#[test]
fn editing_a_table_with_odd_attribute_syntax_keeps_the_page_parseable() {
    let page = "<h2>T</h2><table><tr><th>A</th></tr><tr!\0\0\0\0\0\0\0/><tr><td colspan=\"3\"1 / />\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0!\0\0</tr></table>";
    let Ok(tables) = list_tables(page) else {
        return;
    };
    let table = tables[0].clone();
    let rows = table.data_rows().len();
    let mut editor = TableEditor::new(page, table);
    editor.set_cell_text(0, 0, "PAY-1 <&> ]]>").unwrap();
    let _ = editor.add_column("Fuzz Added", &["x"]);
    let _ = editor.append_row(&["appended & row"]);
    let _ = editor.set_cell_text(rows, 0, "last");
    let edited = editor.finish();
    let reread = list_tables(&edited)
        .unwrap_or_else(|error| panic!("edited page does not parse: {error}\n{edited:?}"));
    assert_eq!(reread[0].rows[1].cells[0].text, "PAY-1 <&> ]]>");
}
