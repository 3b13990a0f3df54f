//! A quick pass over the whole page that finds every top-level table (its byte range, the
//! heading before it and its header row's text) without building an element tree, so only the
//! chosen story table is parsed in full (docs/benchmarks.md: a 1 MB page is mostly prose,
//! macros and other tables, which a full parse would spend most of its time on).
//!
//! It understands as much XML as finding tables needs: tags (quoted attribute values may hold
//! `>`), self-closing tags, CDATA sections and comments (a `<table>` inside a code macro's
//! CDATA is text). A table left open at the end of the page runs to the end, so the full parse
//! of that range reports the page as malformed.

use std::ops::Range;

/// A top-level table found by the scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableSpan {
    /// `<table ...>...</table>` in the page.
    pub range: Range<usize>,
    /// The nearest heading (h1-h6 outside tables) before the table.
    pub heading: Option<String>,
    /// Text of the cells of the table's first row.
    pub header: Vec<String>,
}

struct Tag<'a> {
    name: &'a str,
    closing: bool,
    self_closing: bool,
    /// Byte after the tag's `>`.
    end: usize,
}

/// Reads the tag starting at `start` (a `<`), if it is one.
fn tag_at(page: &str, start: usize) -> Option<Tag<'_>> {
    let bytes = page.as_bytes();
    let mut position = start + 1;
    let closing = bytes.get(position) == Some(&b'/');
    if closing {
        position += 1;
    }
    let name_start = position;
    while bytes
        .get(position)
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b':' || *b == b'-' || *b == b'_')
    {
        position += 1;
    }
    let name = page.get(name_start..position)?;
    if name.is_empty() {
        return None;
    }
    let mut quote: Option<u8> = None;
    while let Some(&byte) = bytes.get(position) {
        match (quote, byte) {
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(byte),
            (None, b'>') => {
                let self_closing = position > start && bytes.get(position - 1) == Some(&b'/');
                return Some(Tag {
                    name,
                    closing,
                    self_closing,
                    end: position + 1,
                });
            }
            _ => {}
        }
        position += 1;
    }
    None
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// Plain text of a fragment: tags dropped (macro parameters too), a few entities resolved,
/// whitespace collapsed. Good enough to recognise headings and header cells.
fn fragment_text(fragment: &str) -> String {
    markup::storage_to_text(fragment)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every top-level table of `page`.
pub(crate) fn scan_tables(page: &str) -> Vec<TableSpan> {
    let mut tables = Vec::new();
    let mut heading: Option<String> = None;
    // Open heading: (name, content start).
    let mut open_heading: Option<(String, usize)> = None;
    let mut depth = 0usize;
    let mut table_start = 0usize;
    // While in the first row of the current top-level table: its cells' text.
    let mut header: Vec<String> = Vec::new();
    let mut header_done = false;
    let mut in_header_row = false;
    let mut cell_start: Option<usize> = None;
    let mut position = 0usize;
    while let Some(offset) = page.get(position..).and_then(|rest| rest.find('<')) {
        let start = position + offset;
        let rest = page.get(start..).unwrap_or_default();
        if rest.starts_with("<![CDATA[") {
            position = rest.find("]]>").map_or(page.len(), |end| start + end + 3);
            continue;
        }
        if rest.starts_with("<!--") {
            position = rest.find("-->").map_or(page.len(), |end| start + end + 3);
            continue;
        }
        let Some(tag) = tag_at(page, start) else {
            position = start + 1;
            continue;
        };
        position = tag.end;
        match (tag.name, tag.closing) {
            ("table", false) if !tag.self_closing => {
                if depth == 0 {
                    table_start = start;
                    header.clear();
                    header_done = false;
                    in_header_row = false;
                }
                depth += 1;
            }
            ("table", true) if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    tables.push(TableSpan {
                        range: table_start..tag.end,
                        heading: heading.clone(),
                        header: std::mem::take(&mut header),
                    });
                }
            }
            ("tr", false) if depth == 1 && !header_done => in_header_row = !tag.self_closing,
            ("tr", true) if depth == 1 && in_header_row => {
                in_header_row = false;
                header_done = true;
            }
            ("td" | "th", false) if depth == 1 && in_header_row => {
                if tag.self_closing {
                    header.push(String::new());
                } else {
                    cell_start = Some(tag.end);
                }
            }
            ("td" | "th", true) if depth == 1 && in_header_row => {
                if let Some(content) = cell_start.take() {
                    header.push(fragment_text(page.get(content..start).unwrap_or_default()));
                }
            }
            (name, false) if depth == 0 && is_heading(name) && !tag.self_closing => {
                open_heading = Some((name.to_owned(), tag.end));
            }
            (name, true) if depth == 0 && is_heading(name) => {
                if let Some((open, content)) = open_heading.take()
                    && open == name
                {
                    heading = Some(fragment_text(page.get(content..start).unwrap_or_default()));
                }
            }
            _ => {}
        }
    }
    if depth > 0 {
        // Unclosed: the full parse of this range reports where.
        tables.push(TableSpan {
            range: table_start..page.len(),
            heading,
            header,
        });
    }
    tables
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_headings_and_header_rows_are_found_outside_cdata() {
        let page = r#"<h2>Intro</h2><p>a > b</p><ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[<table><tr><th>fake</th></tr></table>]]></ac:plain-text-body></ac:structured-macro>
<!-- <table> -->
<h2>Story <em>Ticket</em> List</h2><div><table data-x="a>b"><colgroup><col /></colgroup><tbody><tr><th><p><strong>Title</strong></p></th><th><p>Jira</p></th></tr><tr><td><table><tr><td>nested</td></tr></table></td><td/></tr></tbody></table></div>
<table><tr><td>Name</td></tr></table>"#;
        let tables = scan_tables(page);
        assert_eq!(tables.len(), 2, "{tables:?}");
        assert_eq!(tables[0].heading.as_deref(), Some("Story Ticket List"));
        assert_eq!(tables[0].header, ["Title", "Jira"]);
        assert!(page[tables[0].range.clone()].starts_with("<table data-x"));
        assert!(page[tables[0].range.clone()].ends_with("</tbody></table>"));
        assert_eq!(tables[1].header, ["Name"]);
        let open = scan_tables("<table><tr><td>x</td></tr>");
        assert_eq!(open[0].range, 0..26);
    }
}
