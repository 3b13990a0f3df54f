//! Fuzz target: arbitrary UTF-8 as a Confluence storage-format page. Reading its tables never
//! panics and the grid stays proportional to the real cells however large the colspan/rowspan
//! attributes (crates/markup/src/storage.rs, "Spans"); editing the first table (a cell, an added
//! column, an appended row) never panics, leaves every byte outside the table unchanged, and
//! gives a page that reads back with the edits in place.

#![no_main]

use libfuzzer_sys::fuzz_target;
use markup::storage::{StorageTable, TableEditor, find_table_under_heading, list_tables};

const VALUE: &str = "PAY-1 <&> ]]>";
const HEADER: &str = "Fuzz Added";
const APPENDED: &str = "appended & row";

/// Grid positions the table holds: each row is as long as the furthest column any cell
/// covering it reaches, gaps before that column included.
fn grid_positions(table: &StorageTable) -> usize {
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

fn check_shape(table: &StorageTable) {
    let real_cells: usize = table.rows.iter().map(|row| row.cells.len()).sum();
    // One position per real cell, plus the spare positions spans may take (storage.rs:
    // SPAN_SLOTS_PER_CELL per cell, at least MIN_SPAN_SLOTS).
    let bound = real_cells + (4 * real_cells).max(4096);
    let positions = grid_positions(table);
    assert!(
        positions <= bound,
        "{positions} grid positions from {real_cells} real cells"
    );
    assert!(table.column_count() <= positions.max(1));
    assert_eq!(table.headers().len(), table.column_count());
    for (row, texts) in table.row_texts().iter().enumerate() {
        assert_eq!(texts.len(), table.column_count());
        for column in 0..table.column_count() {
            if let Some(cell) = table.cell(row, column) {
                assert!(cell.column <= column && column < cell.column + cell.colspan);
                assert!(cell.colspan >= 1 && cell.rowspan >= 1);
            }
        }
    }
    for row in &table.rows {
        for cell in &row.cells {
            assert!(cell.range.start <= cell.content_range.start);
            assert!(cell.content_range.start <= cell.content_range.end);
            assert!(cell.content_range.end <= cell.range.end);
        }
    }
}

fuzz_target!(|page: &str| {
    let Ok(tables) = list_tables(page) else {
        return;
    };
    for table in &tables {
        check_shape(table);
        if let Some(heading) = &table.heading {
            assert!(
                find_table_under_heading(page, heading).is_ok(),
                "{heading:?}"
            );
        }
    }
    let Some(table) = tables.first().cloned() else {
        return;
    };
    let range = table.range.clone();
    let rows = table.data_rows().len();
    let mut editor = TableEditor::new(page, table);
    let set = editor.set_cell_text(0, 0, VALUE).is_ok();
    let added = editor.add_column(HEADER, &["x"]).is_ok();
    let appended = editor.append_row(&[APPENDED]).is_ok();
    // Writing into the appended row exercises edits of added rows too.
    let _ = editor.set_cell_text(rows, 0, "last");
    let edited = editor.finish();

    assert_eq!(
        &edited[..range.start],
        &page[..range.start],
        "bytes before the table changed"
    );
    let tail = page.len() - range.end;
    assert_eq!(
        &edited[edited.len() - tail..],
        &page[range.end..],
        "bytes after the table changed"
    );
    let reread = list_tables(&edited)
        .unwrap_or_else(|error| panic!("edited page does not parse: {error}\n{edited}"));
    assert_eq!(reread.len(), tables.len(), "the number of tables changed");
    let after = &reread[0];
    if set {
        assert!(
            after.rows[1].cells.iter().any(|cell| cell.text == VALUE),
            "the written cell does not read back"
        );
    }
    if added {
        assert!(
            after.column_index(HEADER).is_some(),
            "the added column is missing"
        );
    }
    if appended {
        assert_eq!(
            after.data_rows().len(),
            rows + 1,
            "the appended row is missing"
        );
    }
});
