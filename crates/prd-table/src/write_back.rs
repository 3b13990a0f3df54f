//! Writing Jira links into the story table's ticket column, changing no other byte of the page.
//!
//! Each link names its row by id (see [`crate::StoryRow::row_id`]) and, as a fallback, by
//! title, so the edit can be planned again on a page someone changed in between (rows added,
//! moved or edited): [`write_links`] re-reads the table every time it is called. A row whose
//! ticket cell already names an issue keeps it; only empty cells, cells holding a placeholder an
//! earlier sync wrote, and cells holding nothing but the same key as plain text get a link. When the table has no ticket column, a "JIRA Ticket"
//! column is added after the last one (markup pads short rows first and adds a `<col />` when
//! the table declares a `<colgroup>`); those are the only other bytes added.
//!
//! ## Why a link and not a Jira macro
//! The link is `<a href="{site}/browse/KEY">KEY</a>`. A Jira issue macro renders only when the
//! Confluence site has an application link to that Jira site and the macro carries its
//! `server`/`serverId` parameters; without them Confluence shows "Unable to locate Jira server
//! for this macro", not a link. A plain anchor is clickable in every Confluence (Cloud turns it
//! into a smart link when viewed), in exports and in the REST API's view format, and reads back
//! the same way. Cells that already hold a Jira macro for the right issue are left alone.

use markup::{ColumnRef, TableEditor};
use serde::Serialize;

use crate::PrdError;
use crate::rows::{StoryTable, read_story_table};

/// The header of the ticket column added to a table that has none.
pub const TICKET_COLUMN: &str = "JIRA Ticket";

/// A link to write into a row's ticket cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowLink {
    /// The row's id (`prd_row_uuid`).
    pub row_id: String,
    /// The row's title, used when no row has the id any more (someone retitled it).
    pub title: String,
    pub key: String,
    /// The browser URL, `{site}/browse/KEY`.
    pub url: String,
}

impl RowLink {
    pub fn new(row_id: &str, title: &str, key: &str, url: &str) -> Self {
        Self {
            row_id: row_id.to_owned(),
            title: title.to_owned(),
            key: key.to_owned(),
            url: url.to_owned(),
        }
    }
}

/// What happened to one link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkStatus {
    /// The cell now links to the issue.
    Written,
    /// The cell already named the issue: nothing to do.
    AlreadyLinked,
    /// The cell names another issue (someone filled it): it is kept.
    KeptOther,
    /// No row has the id or the title.
    RowNotFound,
    /// The row has no cell in the ticket column to fill (a short row, or a cell spanning down
    /// from an earlier row).
    NotWritable,
}

/// One link's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkOutcome {
    pub row_id: String,
    pub key: String,
    /// The data row, when found.
    pub row: Option<usize>,
    pub status: LinkStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The edited page and what happened to every link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteBack {
    pub page: String,
    pub outcomes: Vec<LinkOutcome>,
    /// Whether a "JIRA Ticket" column was added.
    pub added_column: bool,
    /// Whether `page` differs from the input.
    pub changed: bool,
}

impl WriteBack {
    /// The links written into cells.
    pub fn written(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.status == LinkStatus::Written)
            .count()
    }
}

/// The storage markup of a link to issue `key` at `url`.
pub fn link_markup(key: &str, url: &str) -> String {
    format!("<a href=\"{}\">{}</a>", escape(url), escape(key))
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            other => out.push(other),
        }
    }
    out
}

/// Writes `links` into the story table of `page` (see the module docs). Fails only when the
/// page has no story table or is not well-formed; per-link problems are outcomes.
pub fn write_links(page: &str, links: &[RowLink]) -> Result<WriteBack, PrdError> {
    let story = read_story_table(page, false)?;
    write_links_to(page, &story, links)
}

/// Like [`write_links`], with the story table already read from this same `page` (by
/// [`crate::find_story_table`]), so a page read once is not parsed twice. The caller must pass
/// the page the table was read from, byte for byte (compare the bodies when in doubt); as a
/// guard, a table whose page length or place does not fit `page` is ignored and `page` is read
/// afresh.
pub fn write_links_to(
    page: &str,
    story: &StoryTable,
    links: &[RowLink],
) -> Result<WriteBack, PrdError> {
    let fresh;
    let story = if story.page_len == page.len()
        && page
            .get(story.range.clone())
            .is_some_and(|t| t.starts_with("<table") && t.ends_with("table>"))
    {
        story
    } else {
        fresh = read_story_table(page, false)?;
        &fresh
    };
    let fragment = page.get(story.range.clone()).unwrap_or_default();
    let mut outcomes = Vec::with_capacity(links.len());
    // (data row, link index)
    let mut to_write: Vec<(usize, usize)> = Vec::new();
    for (index, link) in links.iter().enumerate() {
        let outcome =
            |row: Option<usize>, status: LinkStatus, detail: Option<String>| LinkOutcome {
                row_id: link.row_id.clone(),
                key: link.key.clone(),
                row,
                status,
                detail,
            };
        let Some(row) = story
            .row_by_id(&link.row_id)
            .or_else(|| story.row_by_title(&link.title))
        else {
            outcomes.push(outcome(
                None,
                LinkStatus::RowNotFound,
                Some(format!(
                    "no row of the story table has id {} or title \"{}\"",
                    link.row_id, link.title
                )),
            ));
            continue;
        };
        let claimed = to_write
            .iter()
            .find(|(r, _)| *r == row.row)
            .and_then(|(_, other)| links.get(*other));
        match (&row.ticket, claimed) {
            // A key typed as bare text becomes a link to the same issue.
            (Some(ticket), None) if ticket.key == link.key && ticket.is_bare_text() => {
                to_write.push((row.row, index));
                outcomes.push(outcome(Some(row.row), LinkStatus::Written, None));
            }
            (Some(ticket), _) if ticket.key == link.key => {
                outcomes.push(outcome(Some(row.row), LinkStatus::AlreadyLinked, None));
            }
            (Some(ticket), _) => outcomes.push(outcome(
                Some(row.row),
                LinkStatus::KeptOther,
                Some(format!("the row already names {}; it is kept", ticket.key)),
            )),
            (None, Some(other)) if other.key == link.key => {
                outcomes.push(outcome(Some(row.row), LinkStatus::AlreadyLinked, None));
            }
            (None, Some(other)) => outcomes.push(outcome(
                Some(row.row),
                LinkStatus::KeptOther,
                Some(format!("the row gets {} in this same edit", other.key)),
            )),
            (None, None) => {
                to_write.push((row.row, index));
                outcomes.push(outcome(Some(row.row), LinkStatus::Written, None));
            }
        }
    }
    if to_write.is_empty() {
        return Ok(WriteBack {
            page: page.to_owned(),
            outcomes,
            added_column: false,
            changed: false,
        });
    }
    let uses_paragraphs = story
        .table
        .rows
        .iter()
        .flat_map(|row| row.cells.iter())
        .any(|cell| starts_with_paragraph(fragment, cell));
    let ticket_column = story.columns.ticket.as_ref().map(|c| c.index);
    let mut editor = TableEditor::new(fragment, story.table.clone());
    let added_column = ticket_column.is_none();
    if added_column {
        editor.add_column(TICKET_COLUMN, &[])?;
    }
    for (row, index) in to_write {
        let Some(link) = links.get(index) else {
            continue;
        };
        let wrap = match ticket_column {
            Some(column) => story
                .table
                .cell(row, column)
                .is_some_and(|cell| starts_with_paragraph(fragment, cell)),
            None => uses_paragraphs,
        };
        let markup = if wrap {
            format!("<p>{}</p>", link_markup(&link.key, &link.url))
        } else {
            link_markup(&link.key, &link.url)
        };
        let column = match ticket_column {
            Some(column) => ColumnRef::Index(column),
            None => ColumnRef::Header(TICKET_COLUMN.to_owned()),
        };
        if let Err(error) = editor.set_cell_storage(row, column, &markup)
            && let Some(outcome) = outcomes.get_mut(index)
        {
            outcome.status = LinkStatus::NotWritable;
            outcome.detail = Some(format!("the ticket cell cannot be written: {error}"));
        }
    }
    let edited_table = editor.finish();
    let changed = edited_table != fragment;
    let mut edited = String::with_capacity(page.len() + edited_table.len() - fragment.len());
    edited.push_str(page.get(..story.range.start).unwrap_or_default());
    edited.push_str(&edited_table);
    edited.push_str(page.get(story.range.end..).unwrap_or_default());
    Ok(WriteBack {
        page: edited,
        outcomes,
        added_column: added_column && changed,
        changed,
    })
}

fn starts_with_paragraph(page: &str, cell: &markup::StorageCell) -> bool {
    page.get(cell.content_range.clone())
        .is_some_and(|content| content.trim_start().starts_with("<p"))
}
