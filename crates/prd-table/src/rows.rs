//! Finding the story table on a page and reading its rows as stories.
//!
//! The table is the first one under a heading like "Story Ticket List", "Story Tickets",
//! "Story List" or "User Stories" whose header row names a story column; failing that, the most
//! story-like table on the page (the most recognised columns, at least two, one naming the
//! story). Rows are read by logical column (markup's grid), so merged (colspan) cells, short
//! rows and cells spanning rows read as a person sees them; a row that is one cell across the
//! whole table is a section label, not a story.

use std::collections::HashMap;
use std::sync::LazyLock;

use markup::{StorageCell, StorageTable};
use regex::Regex;
use serde::Serialize;

use crate::PrdError;
use crate::columns::{Column, ColumnMap, words};
use crate::scan::scan_tables;
use crate::text::{acceptance_criteria, collapse, split_user_story, stable_uuid, title_key};

// A literal pattern; `patterns_compile` compiles it in a unit test.
#[allow(clippy::expect_used)]
static ISSUE_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)[A-Z][A-Z0-9_]+-[1-9][0-9]*(?-u:\b)").expect("a valid pattern")
});

// A literal pattern; `patterns_compile` compiles it in a unit test.
#[allow(clippy::expect_used)]
static BROWSE_LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"href="[^"]*/browse/([A-Z][A-Z0-9_]+-[1-9][0-9]*)[^"]*""#)
        .expect("a valid pattern")
});

// A literal pattern; `patterns_compile` compiles it in a unit test.
#[allow(clippy::expect_used)]
static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"TEMP-([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9]{8,})",
    )
    .expect("a valid pattern")
});

/// Where a row's Jira key was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketSource {
    /// A Jira issue macro.
    JiraMacro,
    /// A link to `…/browse/KEY`.
    Link,
    /// The key written as text, among other text.
    Text,
    /// The key written as text, alone in the cell (not clickable yet).
    BareText,
}

/// The Jira issue a row names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketRef {
    pub key: String,
    pub source: TicketSource,
}

impl TicketRef {
    /// Whether the cell holds the key as plain text and nothing else: write-back turns such a
    /// cell into a link (a cell with more text is left as the person wrote it).
    pub fn is_bare_text(&self) -> bool {
        self.source == TicketSource::BareText
    }
}

/// One story read from a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoryRow {
    /// Data row index in the table (0 = the first row after the header).
    pub row: usize,
    /// The row's id (`prd_row_uuid`): the `TEMP-<uuid>` placeholder an earlier sync wrote into
    /// the ticket cell, else a stable id from the row's title (and its occurrence, when titles
    /// repeat), so the same row has the same id on every read without writing anything.
    pub row_id: String,
    /// The summary: the title cell without its user-story sentence, at most 255 characters.
    pub title: String,
    /// Markdown: the user-story sentence, then the description cell.
    pub description: String,
    /// "As a … I want … so that …", from the title or a User Story column.
    pub user_story: Option<String>,
    pub acceptance_criteria: Vec<String>,
    pub priority: Option<String>,
    /// The issue the ticket cell names, if any.
    pub ticket: Option<TicketRef>,
    /// A placeholder id found in the ticket cell (reference syncs wrote `[TEMP-<uuid>](placeholder)`).
    pub placeholder: Option<String>,
    /// Peculiarities of the row (merged cells, a short row), for the report.
    pub notes: Vec<String>,
}

impl StoryRow {
    /// The description a Jira story made from this row gets: the description, then the
    /// acceptance criteria under "## Acceptance Criteria" (each a bullet; Given/When/Then steps
    /// on continuation lines).
    pub fn jira_description(&self) -> String {
        let mut out = self.description.trim().to_owned();
        if !self.acceptance_criteria.is_empty() {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str("## Acceptance Criteria\n");
            for criterion in &self.acceptance_criteria {
                out.push_str("\n- ");
                out.push_str(&criterion.replace('\n', "\n  "));
            }
        }
        out
    }

    /// Whether the row carries any description or criteria (an update never blanks a story's
    /// description because its row has none).
    pub fn has_content(&self) -> bool {
        !self.description.trim().is_empty() || !self.acceptance_criteria.is_empty()
    }
}

/// A row that is not a story, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedRow {
    pub row: usize,
    pub reason: String,
}

/// The story table of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryTable {
    /// The heading the table is under, if any.
    pub heading: Option<String>,
    /// Position among the page's top-level tables (from 0).
    pub table_index: usize,
    /// Header text per logical column.
    pub headers: Vec<String>,
    pub columns: ColumnMap,
    pub rows: Vec<StoryRow>,
    pub skipped: Vec<SkippedRow>,
    /// Byte range of the table in the page.
    pub range: std::ops::Range<usize>,
    /// Length of the page the table was read from.
    pub page_len: usize,
    /// The table as markup read it from the page's `range` (its byte offsets are relative to
    /// `range.start`), for editing.
    pub table: StorageTable,
}

impl StoryTable {
    /// The row with id `row_id`.
    pub fn row_by_id(&self, row_id: &str) -> Option<&StoryRow> {
        self.rows.iter().find(|row| row.row_id == row_id)
    }

    /// The first row whose title matches `title` (case-insensitive, whitespace collapsed).
    pub fn row_by_title(&self, title: &str) -> Option<&StoryRow> {
        let wanted = title_key(title);
        self.rows.iter().find(|row| title_key(&row.title) == wanted)
    }
}

/// Whether a heading names a story list.
pub(crate) fn is_story_heading(heading: &str) -> bool {
    let words = words(heading);
    let has = |word: &str| words.split(' ').any(|w| w == word);
    let story = has("story") || has("stories");
    (story && (has("list") || has("ticket") || has("tickets")))
        || words == "user stories"
        || words == "stories"
}

/// Finds the story table of `page` and reads its rows.
pub fn find_story_table(page: &str) -> Result<StoryTable, PrdError> {
    read_story_table(page, true)
}

/// Finds the story table; `full` reads descriptions, criteria and priorities too (write-back
/// needs only titles, ids and tickets).
pub(crate) fn read_story_table(page: &str, full: bool) -> Result<StoryTable, PrdError> {
    let spans = scan_tables(page);
    let detected: Vec<ColumnMap> = spans
        .iter()
        .map(|span| ColumnMap::detect(&span.header))
        .collect();
    let under_heading = spans.iter().zip(&detected).position(|(span, columns)| {
        columns.has_story_column() && span.heading.as_deref().is_some_and(is_story_heading)
    });
    let chosen = under_heading.or_else(|| {
        // The most story-like table: most roles, the first of equals.
        let mut best: Option<(usize, usize)> = None;
        for (index, columns) in detected.iter().enumerate() {
            let score = columns.score();
            if columns.has_story_column()
                && score >= 2
                && best.is_none_or(|(_, best_score)| score > best_score)
            {
                best = Some((index, score));
            }
        }
        best.map(|(index, _)| index)
    });
    let no_table = || PrdError::NoStoryTable {
        tables: spans.len(),
        headings: spans
            .iter()
            .map(|span| format!("[{}]", span.header.join(", ")))
            .collect(),
    };
    let Some(span) = chosen.and_then(|index| spans.get(index)) else {
        return Err(no_table());
    };
    let fragment = page.get(span.range.clone()).unwrap_or_default();
    let Some(table) = markup::list_tables(fragment)?.into_iter().next() else {
        return Err(no_table());
    };
    let headers = table.headers();
    let columns = ColumnMap::detect(&headers);
    let (rows, skipped) = read_rows(fragment, &table, &columns, full);
    Ok(StoryTable {
        heading: span.heading.clone(),
        table_index: chosen.unwrap_or_default(),
        headers,
        columns,
        rows,
        skipped,
        range: span.range.clone(),
        page_len: page.len(),
        table,
    })
}

/// The id of a row with `title` (its raw title cell text) that is the `occurrence`-th row
/// (from 0) with that title: what [`StoryRow::row_id`] is when no placeholder is present.
pub fn row_id_for(title: &str, occurrence: usize) -> String {
    stable_uuid(&format!(
        "prd-row\u{0}{}\u{0}{occurrence}",
        title_key(title)
    ))
}

fn read_rows(
    page: &str,
    table: &StorageTable,
    columns: &ColumnMap,
    full: bool,
) -> (Vec<StoryRow>, Vec<SkippedRow>) {
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    let mut seen_titles: HashMap<String, usize> = HashMap::new();
    let width = table.column_count();
    for (index, row) in table.data_rows().iter().enumerate() {
        let skip = |reason: &str| SkippedRow {
            row: index,
            reason: reason.to_owned(),
        };
        // A row starting inside this row's range: cells spanning down from earlier rows are
        // read but are not this row's own.
        let own = |cell: &&StorageCell| {
            cell.range.start >= row.range.start && cell.range.end <= row.range.end
        };
        let cell_at = |column: &Option<Column>| {
            column
                .as_ref()
                .and_then(|column| table.cell(index, column.index))
        };
        if width > 1 && is_section_label(row) {
            skipped.push(skip(
                "a merged row (one cell across the table), read as a section label",
            ));
            continue;
        }
        if row.cells.iter().all(|cell| cell.text.trim().is_empty()) {
            skipped.push(skip("an empty row"));
            continue;
        }
        let mut notes = Vec::new();
        if row.cells.iter().map(|c| c.colspan).sum::<usize>() < width
            && !row.cells.iter().any(|c| c.rowspan > 1)
        {
            notes.push("a short row: missing cells read as empty".to_owned());
        }
        let title_cell = cell_at(&columns.title).filter(own);
        let story_cell = cell_at(&columns.user_story);
        // The cell the story's name comes from.
        let name_cell = title_cell.or(story_cell.filter(own));
        let raw_title = name_cell
            .map(|cell| cell.text.trim().to_owned())
            .unwrap_or_default();
        if raw_title.is_empty() {
            skipped.push(skip("no title: the story column is empty"));
            continue;
        }
        let split = split_user_story(&raw_title);
        let mut user_story = split.user_story;
        if full
            && let (Some(story), Some(title)) = (story_cell, title_cell)
            && story.range != title.range
            && !story.text.trim().is_empty()
        {
            let from_column = split_user_story(&story.text);
            user_story = from_column
                .user_story
                .or_else(|| Some(collapse(&story.text)));
        }
        let text_of = |cell: &StorageCell| {
            page.get(cell.content_range.clone())
                .map(markup::storage_to_text)
                .unwrap_or_default()
        };
        // A description cell merged with the title cell (colspan) repeats the title.
        let description_cell = cell_at(&columns.description)
            .filter(|_| full)
            .filter(|cell| {
                let merged = name_cell.is_some_and(|name| name.range == cell.range)
                    || story_cell.is_some_and(|story| story.range == cell.range);
                if merged {
                    notes.push("merged cells: the description shares the title's cell".to_owned());
                }
                !merged
            });
        let description_text = description_cell.map(text_of).unwrap_or_default();
        let body = description_text.trim();
        let description = match &user_story {
            Some(sentence) if body.contains(sentence.trim_end_matches('.')) => body.to_owned(),
            Some(sentence) if !body.is_empty() => format!("{sentence}\n\n{body}"),
            Some(sentence) => sentence.clone(),
            None => body.to_owned(),
        };
        let criteria = cell_at(&columns.acceptance_criteria)
            .filter(|_| full)
            .filter(|cell| name_cell.is_none_or(|name| name.range != cell.range))
            .map(|cell| acceptance_criteria(&text_of(cell)))
            .unwrap_or_default();
        let priority = cell_at(&columns.priority)
            .filter(|_| full)
            .filter(|cell| name_cell.is_none_or(|name| name.range != cell.range))
            .map(|cell| collapse(&cell.text))
            .filter(|p| !p.is_empty());
        let ticket_cell = cell_at(&columns.ticket)
            .filter(own)
            .filter(|cell| name_cell.is_none_or(|name| name.range != cell.range));
        let (ticket, placeholder) = match ticket_cell {
            Some(cell) => ticket_in(cell, page.get(cell.content_range.clone()).unwrap_or("")),
            None => (None, None),
        };
        let occurrence = seen_titles.entry(title_key(&raw_title)).or_insert(0);
        let row_id = placeholder
            .clone()
            .unwrap_or_else(|| row_id_for(&raw_title, *occurrence));
        *occurrence += 1;
        rows.push(StoryRow {
            row: index,
            row_id,
            title: split.summary,
            description,
            user_story,
            acceptance_criteria: criteria,
            priority,
            ticket,
            placeholder,
            notes,
        });
    }
    (rows, skipped)
}

/// A row that is one cell across the table ("Phase 2"): its first cell spans two or more
/// columns and every other cell is empty. An empty cell after a cell spanning three or more
/// columns is allowed, as adding a ticket column pads such a row with one.
fn is_section_label(row: &markup::StorageRow) -> bool {
    let Some((first, rest)) = row.cells.split_first() else {
        return false;
    };
    first.column == 0
        && first.colspan >= 2
        && !first.text.trim().is_empty()
        && rest.iter().all(|cell| cell.text.trim().is_empty())
        && (rest.is_empty() || first.colspan >= 3)
}

/// The issue and the placeholder a ticket cell holds.
fn ticket_in(cell: &StorageCell, raw: &str) -> (Option<TicketRef>, Option<String>) {
    // Cheap substring tests first: capture groups run on the slow regex engine.
    let placeholder = raw
        .contains("TEMP-")
        .then(|| {
            PLACEHOLDER
                .captures(&cell.text)
                .or_else(|| PLACEHOLDER.captures(raw))
        })
        .flatten()
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_lowercase());
    let key_in = |text: &str| {
        ISSUE_KEY
            .find_iter(text)
            .map(|m| m.as_str().to_owned())
            .find(|key| !key.starts_with("TEMP-"))
    };
    let ticket = if raw.contains("ac:name=\"jira\"") {
        // markup reads a Jira macro as its key parameter.
        key_in(&cell.text).map(|key| TicketRef {
            key,
            source: TicketSource::JiraMacro,
        })
    } else {
        None
    }
    .or_else(|| {
        raw.contains("/browse/")
            .then(|| BROWSE_LINK.captures(raw))
            .flatten()
            .and_then(|c| c.get(1))
            .map(|m| TicketRef {
                key: m.as_str().to_owned(),
                source: TicketSource::Link,
            })
    })
    .or_else(|| {
        key_in(&cell.text).map(|key| TicketRef {
            source: if cell.text.trim() == key {
                TicketSource::BareText
            } else {
                TicketSource::Text
            },
            key,
        })
    });
    (ticket, placeholder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        LazyLock::force(&ISSUE_KEY);
        LazyLock::force(&BROWSE_LINK);
        LazyLock::force(&PLACEHOLDER);
    }

    #[test]
    fn story_headings() {
        for heading in [
            "Story Ticket List",
            "Story Tickets",
            "Story List",
            "User Stories",
            "story-list:",
        ] {
            assert!(is_story_heading(heading), "{heading}");
        }
        assert!(!is_story_heading("History"));
        assert!(!is_story_heading("Goals"));
    }
}
