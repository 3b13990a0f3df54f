//! Properties of link write-back on generated PRD pages (story tables with or without a ticket
//! column, at the start or the end, short rows, section rows, macros, other tables and code
//! blocks around): no byte outside the filled cells (and the added column) changes, the page
//! reads back as the same stories with the new keys, and writing again changes nothing.

use prd_table::{LinkStatus, RowLink, find_story_table, write_links};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct RowSpec {
    title: usize,
    description: Option<String>,
    criteria: Vec<String>,
    /// 0 `<p></p>`, 1 empty `<td></td>`, 2 Jira macro, 3 link, 4 bare key as text.
    ticket: u8,
    short: bool,
    section: bool,
}

#[derive(Debug, Clone)]
struct PageSpec {
    /// None: no ticket column; Some(true): first; Some(false): last.
    ticket_first: Option<bool>,
    priority: bool,
    colgroup: bool,
    rows: Vec<RowSpec>,
}

fn words() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "cart",
            "pay",
            "ship",
            "&amp;",
            "refund",
            "coupon",
            "e-mail",
            "<strong>fast</strong>",
            "&lt;b&gt;",
            "café",
        ]),
        1..5,
    )
    .prop_map(|w| w.join(" "))
}

fn row_spec() -> impl Strategy<Value = RowSpec> {
    (
        0usize..12,
        prop::option::of(words()),
        prop::collection::vec(words(), 0..3),
        0u8..5,
        prop::bool::weighted(0.15),
        prop::bool::weighted(0.1),
    )
        .prop_map(
            |(title, description, criteria, ticket, short, section)| RowSpec {
                title,
                description,
                criteria,
                ticket,
                short,
                section,
            },
        )
}

fn page_spec() -> impl Strategy<Value = PageSpec> {
    (
        prop::option::of(any::<bool>()),
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(row_spec(), 1..12),
    )
        .prop_map(|(ticket_first, priority, colgroup, rows)| PageSpec {
            ticket_first,
            priority,
            colgroup,
            rows,
        })
}

fn ticket_cell(kind: u8, index: usize) -> String {
    match kind {
        0 => "<td><p></p></td>".into(),
        1 => "<td></td>".into(),
        2 => format!(
            "<td><p><ac:structured-macro ac:name=\"jira\" ac:schema-version=\"1\"><ac:parameter ac:name=\"key\">OLD-{}</ac:parameter><ac:parameter ac:name=\"server\">System Jira</ac:parameter></ac:structured-macro></p></td>",
            index + 1
        ),
        3 => format!(
            "<td><p><a href=\"https://old.example/browse/OLD-{0}\">OLD-{0}</a></p></td>",
            index + 1
        ),
        _ => format!("<td><p>OLD-{}</p></td>", index + 1),
    }
}

fn render(spec: &PageSpec) -> String {
    let mut headers = vec!["Title", "Description", "Acceptance Criteria"];
    if spec.priority {
        headers.push("Priority");
    }
    match spec.ticket_first {
        Some(true) => headers.insert(0, "JIRA Ticket"),
        Some(false) => headers.push("Ticket"),
        None => {}
    }
    let width = headers.len();
    let mut page = String::from(
        "<h1>PRD</h1>\n<ac:structured-macro ac:name=\"info\" ac:schema-version=\"1\"><ac:rich-text-body><p>Draft &amp; <em>open</em>.</p></ac:rich-text-body></ac:structured-macro>\n<h2>Owners</h2><table><tbody><tr><th>Name</th><th>Team</th></tr><tr><td>Ana</td><td>Web</td></tr></tbody></table>\n<h2>Story Ticket List</h2>\n<table data-layout=\"default\">",
    );
    if spec.colgroup {
        page.push_str("<colgroup>");
        for _ in 0..width {
            page.push_str("<col style=\"width: 100.0px;\" />");
        }
        page.push_str("</colgroup>");
    }
    page.push_str("<tbody>\n<tr>");
    for header in &headers {
        page.push_str(&format!("<th><p><strong>{header}</strong></p></th>"));
    }
    page.push_str("</tr>\n");
    for (index, row) in spec.rows.iter().enumerate() {
        if row.section {
            page.push_str(&format!(
                "<tr><td colspan=\"{width}\"><p><strong>Phase {index}</strong></p></td></tr>\n"
            ));
            continue;
        }
        let mut cells = Vec::new();
        for header in &headers {
            cells.push(match *header {
                "Title" => format!("<td><p>Story {} {}</p></td>", row.title, "cart"),
                "Description" => match &row.description {
                    Some(text) => format!("<td><p>{text}</p></td>"),
                    None => "<td><p></p></td>".into(),
                },
                "Acceptance Criteria" => {
                    let items: String = row
                        .criteria
                        .iter()
                        .map(|c| format!("<li><p>{c}</p></li>"))
                        .collect();
                    format!("<td><ul>{items}</ul></td>")
                }
                "Priority" => "<td><p>High</p></td>".into(),
                _ => ticket_cell(row.ticket, index),
            });
        }
        if row.short {
            cells.pop();
        }
        page.push_str(&format!("<tr>{}</tr>\n", cells.concat()));
    }
    page.push_str("</tbody></table>\n<h2>Error codes</h2>\n<ac:structured-macro ac:name=\"code\" ac:schema-version=\"1\"><ac:plain-text-body><![CDATA[if (a < b && c) { return \"<td>\"; }]]></ac:plain-text-body></ac:structured-macro>\n<p>End.</p>");
    page
}

/// Undoes exactly the expected edits: cells added to each row (the ticket column, padding),
/// one `<col />` per added column, and the content of the filled ticket cells.
fn revert(original: &str, edited: &str, filled_rows: &[usize], added_column: bool) -> String {
    let before = find_story_table(original).unwrap();
    let after = find_story_table(edited).unwrap();
    // Table offsets are relative to the table's start in its page.
    let (old_base, new_base) = (before.range.start, after.range.start);
    let shift = |range: &std::ops::Range<usize>, base: usize| range.start + base..range.end + base;
    let mut cuts: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for (row_index, (old_row, new_row)) in
        before.table.rows.iter().zip(&after.table.rows).enumerate()
    {
        for (cell_index, cell) in new_row.cells.iter().enumerate() {
            match old_row.cells.get(cell_index) {
                None => cuts.push((shift(&cell.range, new_base), String::new())),
                Some(old) => {
                    let is_ticket = before
                        .columns
                        .ticket
                        .as_ref()
                        .is_some_and(|c| c.index == old.column);
                    if is_ticket && row_index > 0 && filled_rows.contains(&(row_index - 1)) {
                        cuts.push((
                            shift(&cell.content_range, new_base),
                            original[shift(&old.content_range, old_base)].to_owned(),
                        ));
                    }
                }
            }
        }
    }
    let mut out = edited.to_owned();
    cuts.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    for (range, text) in cuts {
        out.replace_range(range, &text);
    }
    if added_column && original.contains("</colgroup>") {
        out = out.replacen("<col /></colgroup>", "</colgroup>", 1);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn write_back_changes_only_the_filled_cells_and_reads_back(spec in page_spec()) {
        let page = render(&spec);
        let table = find_story_table(&page).unwrap();
        let links: Vec<RowLink> = table
            .rows
            .iter()
            .filter(|row| row.ticket.as_ref().is_none_or(|t| t.is_bare_text()))
            .map(|row| {
                // Empty cells get a new issue; a bare key typed as text, a link to itself.
                let key = row.ticket.as_ref().map_or_else(|| format!("NEW-{}", row.row + 1), |t| t.key.clone());
                RowLink::new(&row.row_id, &row.title, &key, &format!("https://acme.atlassian.net/browse/{key}"))
            })
            .collect();
        let written = write_links(&page, &links).unwrap();
        let filled: Vec<usize> = written
            .outcomes
            .iter()
            .filter(|o| o.status == LinkStatus::Written)
            .filter_map(|o| o.row)
            .collect();
        prop_assert_eq!(written.changed, !filled.is_empty());
        prop_assert_eq!(revert(&page, &written.page, &filled, written.added_column), page.clone());

        // The same stories read back, with the new keys where they were written.
        let reread = find_story_table(&written.page).unwrap();
        prop_assert_eq!(reread.rows.len(), table.rows.len());
        prop_assert_eq!(&reread.skipped, &table.skipped);
        for (old, new) in table.rows.iter().zip(&reread.rows) {
            prop_assert_eq!(&old.row_id, &new.row_id);
            prop_assert_eq!(&old.title, &new.title);
            prop_assert_eq!(&old.description, &new.description);
            prop_assert_eq!(&old.acceptance_criteria, &new.acceptance_criteria);
            prop_assert_eq!(&old.priority, &new.priority);
            if filled.contains(&old.row) {
                let expected = old.ticket.as_ref().map_or_else(|| format!("NEW-{}", old.row + 1), |t| t.key.clone());
                prop_assert_eq!(new.ticket.as_ref().map(|t| t.key.clone()), Some(expected));
                prop_assert_eq!(new.ticket.as_ref().map(|t| t.source), Some(prd_table::TicketSource::Link));
            } else {
                prop_assert_eq!(&old.ticket, &new.ticket);
            }
        }
        // Writing again is a no-op.
        let again = write_links(&written.page, &links).unwrap();
        prop_assert!(!again.changed);
        prop_assert_eq!(again.written(), 0);
    }
}
