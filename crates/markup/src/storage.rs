//! Confluence storage-format tables: find a table under a section heading, read its cells as
//! plain text, and edit cells, columns and rows without changing any other byte of the page.
//!
//! Storage format is XHTML with `ac:`/`ri:` namespaced macros, CDATA code bodies and HTML named
//! entities. It is read with quick-xml (the fragment wrapped in a root that declares the
//! namespaces; entities resolved with the HTML5 table) into a small element tree that records
//! every element's byte range in the page. Edits are byte-range splices into the original
//! string, so macros, CDATA, entities, attributes and whitespace outside the edited cells stay
//! byte-identical. HTML5 parsers (html5ever/scraper) are deliberately not used: they turn CDATA
//! sections into comments and corrupt code macros.
//!
//! ## Spans
//! Cells are addressed by *logical* column, as a reader sees the grid. A cell with `colspan=n`
//! occupies `n` logical columns starting at its own; a cell with `rowspan=m` also occupies its
//! columns in the next `m - 1` rows. Reading any logical position returns the cell covering it.
//! Writing to any column of a colspan cell writes that cell; writing to a position covered by a
//! rowspan from an earlier row is rejected with [`StorageError::CoveredBySpan`], because it
//! would silently edit a different row. Added columns go after the last logical column; rows
//! shorter than the grid are padded with empty cells first so the new cell lands in the new
//! column.
//!
//! Spans are honoured within bounds, so a hostile page cannot make the grid huge: each span is
//! at most 1000, no span reaches past the last row or past as many columns as the table has
//! real cells, and spans together add at most a few grid positions per real cell.

use std::collections::BTreeMap;
use std::ops::Range;

use quick_xml::escape::{partial_escape, resolve_html5_entity};
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

/// Failures reading or editing storage format; each names what the caller should fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    /// The page is not well-formed XHTML (unclosed or mismatched tags, bad entity syntax).
    #[error("page storage format is malformed at byte {position}: {message}")]
    Malformed { position: usize, message: String },
    /// No h1-h6 heading on the page has the requested text.
    #[error("no heading \"{heading}\" on the page (headings found: {})", format_headings(.available))]
    SectionNotFound {
        heading: String,
        available: Vec<String>,
    },
    /// The heading exists but no table follows it before the next heading of its level.
    #[error(
        "section \"{heading}\" has no table before the next heading of the same or higher level"
    )]
    TableNotFound { heading: String },
    /// The table has no rows at all, so there is no header to address or extend.
    #[error("the table has no rows")]
    EmptyTable,
    /// No header cell has the requested text.
    #[error("the table has no column \"{name}\" (columns: {})", format_headings(.columns))]
    ColumnNotFound { name: String, columns: Vec<String> },
    /// A column index past the last column.
    #[error("column {column} is out of range: the table has {columns} columns")]
    ColumnOutOfRange { column: usize, columns: usize },
    /// A data-row index past the last row (header row excluded, 0-based).
    #[error("row {row} is out of range: the table has {rows} data rows")]
    RowOutOfRange { row: usize, rows: usize },
    /// The position belongs to a cell that starts in an earlier row (rowspan).
    #[error("row {row}, column {column} is covered by a cell spanning down from an earlier row")]
    CoveredBySpan { row: usize, column: usize },
    /// More values than columns (or data rows) were supplied.
    #[error("{given} values given but only {expected} fit")]
    TooManyValues { given: usize, expected: usize },
}

fn format_headings(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One table cell as read from the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageCell {
    /// Plain text: link bodies or page titles for links, the issue key for Jira macros,
    /// entities resolved, whitespace collapsed.
    pub text: String,
    /// `th` rather than `td`.
    pub is_header: bool,
    /// First logical column the cell occupies.
    pub column: usize,
    /// Columns the cell occupies, as honoured (see "Spans" in the module docs).
    pub colspan: usize,
    /// Rows the cell occupies, as honoured (see "Spans" in the module docs).
    pub rowspan: usize,
    /// Byte range of the whole element (`<td ...>...</td>`) in the page.
    pub range: Range<usize>,
    /// Byte range of the cell's content (between the start and end tags) in the page.
    pub content_range: Range<usize>,
    /// Whether the content is wrapped in `<p>` (replacement text is wrapped the same way).
    wraps_paragraph: bool,
}

/// One `<tr>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageRow {
    /// Byte range of `<tr ...>...</tr>`.
    pub range: Range<usize>,
    /// Where the row's content ends (the start of `</tr>`): new cells are inserted here.
    pub content_end: usize,
    pub cells: Vec<StorageCell>,
}

/// A table read from a page. Row 0 is the header row (its `th` cells, or simply the first row
/// when the table has no `th`); data rows are numbered from 0 after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageTable {
    /// Text of the nearest heading before the table, if any.
    pub heading: Option<String>,
    /// Level (1-6) of that heading.
    pub heading_level: Option<u8>,
    /// Byte range of `<table ...>...</table>`.
    pub range: Range<usize>,
    /// All rows, header row first.
    pub rows: Vec<StorageRow>,
    column_count: usize,
    /// `grid[row][column]` = (row index, cell index) of the cell covering that position.
    grid: Vec<Vec<Option<(usize, usize)>>>,
    /// Insertion point for a new `<col />` when the table declares a `<colgroup>`.
    colgroup_end: Option<usize>,
}

impl StorageTable {
    /// Number of logical columns.
    pub fn column_count(&self) -> usize {
        self.column_count
    }

    /// Header text for each logical column (a colspan header repeats for every column it covers).
    pub fn headers(&self) -> Vec<String> {
        (0..self.column_count)
            .map(|column| {
                self.covering(0, column)
                    .map(|cell| cell.text.clone())
                    .unwrap_or_default()
            })
            .collect()
    }

    /// Data rows (header row excluded).
    pub fn data_rows(&self) -> &[StorageRow] {
        self.rows.get(1..).unwrap_or(&[])
    }

    /// Logical column whose header matches `name` (case-insensitive, whitespace collapsed).
    pub fn column_index(&self, name: &str) -> Option<usize> {
        let wanted = normalize_label(name);
        self.headers()
            .iter()
            .position(|header| normalize_label(header) == wanted)
    }

    /// Resolves a column reference to a logical index.
    pub fn resolve_column(&self, column: &ColumnRef) -> Result<usize, StorageError> {
        match column {
            ColumnRef::Index(index) if *index < self.column_count => Ok(*index),
            ColumnRef::Index(index) => Err(StorageError::ColumnOutOfRange {
                column: *index,
                columns: self.column_count,
            }),
            ColumnRef::Header(name) => {
                self.column_index(name)
                    .ok_or_else(|| StorageError::ColumnNotFound {
                        name: name.clone(),
                        columns: self.headers(),
                    })
            }
        }
    }

    /// The cell covering data row `row`, logical column `column`.
    pub fn cell(&self, row: usize, column: usize) -> Option<&StorageCell> {
        self.covering(row + 1, column)
    }

    /// Text of every data row by logical column (spanned positions repeat the spanning text).
    pub fn row_texts(&self) -> Vec<Vec<String>> {
        (1..self.rows.len())
            .map(|row| {
                (0..self.column_count)
                    .map(|column| {
                        self.covering(row, column)
                            .map(|cell| cell.text.clone())
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .collect()
    }

    fn covering(&self, row: usize, column: usize) -> Option<&StorageCell> {
        let (r, c) = (*self.grid.get(row)?.get(column)?)?;
        self.rows.get(r)?.cells.get(c)
    }
}

/// A column addressed by logical index or by header text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnRef {
    Index(usize),
    Header(String),
}

impl From<usize> for ColumnRef {
    fn from(index: usize) -> Self {
        ColumnRef::Index(index)
    }
}

impl From<&str> for ColumnRef {
    fn from(name: &str) -> Self {
        ColumnRef::Header(name.to_owned())
    }
}

impl From<String> for ColumnRef {
    fn from(name: String) -> Self {
        ColumnRef::Header(name)
    }
}

/// Storage markup for a Jira issue macro showing `key`, for use with
/// [`TableEditor::set_cell_storage`].
pub fn jira_issue_macro(key: &str) -> String {
    format!(
        "<ac:structured-macro ac:name=\"jira\" ac:schema-version=\"1\"><ac:parameter ac:name=\"key\">{}</ac:parameter></ac:structured-macro>",
        partial_escape(key)
    )
}

/// Every top-level table on the page (tables nested in table cells are part of their cell),
/// each with the nearest heading before it.
pub fn list_tables(page: &str) -> Result<Vec<StorageTable>, StorageError> {
    let root = parse(page)?;
    let mut landmarks = Vec::new();
    collect_landmarks(&root, &mut landmarks);
    let mut tables = Vec::new();
    let mut current: Option<(u8, String)> = None;
    for landmark in landmarks {
        match landmark {
            Landmark::Heading { level, text } => current = Some((level, text)),
            Landmark::Table(element) => {
                let (level, text) = current.clone().unzip();
                tables.push(read_table(element, text, level));
            }
        }
    }
    Ok(tables)
}

/// The first table after the heading (any of h1-h6) whose text matches `heading`
/// case-insensitively (whitespace collapsed, a trailing colon ignored), and before the next
/// heading of the same or higher level. The table may be wrapped in `div`s or layout macros.
/// Rows inside `<thead>` are read like any other; appended rows go after the last row.
pub fn find_table_under_heading(page: &str, heading: &str) -> Result<StorageTable, StorageError> {
    let root = parse(page)?;
    let mut landmarks = Vec::new();
    collect_landmarks(&root, &mut landmarks);
    let wanted = normalize_label(heading);
    let mut matched = false;
    // If several headings carry the text, the first one with a table in its section wins.
    for (start, landmark) in landmarks.iter().enumerate() {
        let Landmark::Heading { level, text } = landmark else {
            continue;
        };
        if normalize_label(text) != wanted {
            continue;
        }
        matched = true;
        for following in &landmarks[start + 1..] {
            match following {
                Landmark::Heading { level: next, .. } if next <= level => break,
                Landmark::Heading { .. } => {}
                Landmark::Table(element) => {
                    return Ok(read_table(element, Some(text.clone()), Some(*level)));
                }
            }
        }
    }
    if !matched {
        return Err(StorageError::SectionNotFound {
            heading: heading.to_owned(),
            available: landmarks
                .iter()
                .filter_map(|l| match l {
                    Landmark::Heading { text, .. } => Some(text.clone()),
                    Landmark::Table(_) => None,
                })
                .collect(),
        });
    }
    Err(StorageError::TableNotFound {
        heading: heading.to_owned(),
    })
}

/// Content of a new or replaced cell.
#[derive(Debug, Clone)]
enum CellContent {
    /// Plain text, escaped and wrapped like the surrounding cells.
    Text(String),
    /// Storage markup inserted verbatim.
    Storage(String),
}

impl CellContent {
    fn markup(&self, wrap_paragraph: bool) -> String {
        match self {
            CellContent::Text(text) if text.is_empty() => String::new(),
            CellContent::Text(text) if wrap_paragraph => format!("<p>{}</p>", partial_escape(text)),
            CellContent::Text(text) => partial_escape(text).into_owned(),
            CellContent::Storage(markup) => markup.clone(),
        }
    }
}

struct NewColumn {
    header: CellContent,
    /// One value per existing data row.
    values: Vec<CellContent>,
}

/// Collects edits to one table and applies them as byte splices, leaving every other byte of
/// the page unchanged. Row indices are data rows (0 = first row after the header); rows
/// appended with [`append_row`](Self::append_row) continue the numbering and columns added with
/// [`add_column`](Self::add_column) continue the column numbering, so they can be edited too.
pub struct TableEditor<'page> {
    page: &'page str,
    table: StorageTable,
    /// Replaced content of existing cells, keyed by (row index incl. header, cell index).
    cell_edits: BTreeMap<(usize, usize), CellContent>,
    new_columns: Vec<NewColumn>,
    new_rows: Vec<Vec<CellContent>>,
}

impl<'page> TableEditor<'page> {
    /// Starts editing `table`, which must have been read from this same `page`.
    pub fn new(page: &'page str, table: StorageTable) -> Self {
        Self {
            page,
            table,
            cell_edits: BTreeMap::new(),
            new_columns: Vec::new(),
            new_rows: Vec::new(),
        }
    }

    /// Finds the table under `heading` (see [`find_table_under_heading`]) and starts editing it.
    pub fn for_section(page: &'page str, heading: &str) -> Result<Self, StorageError> {
        Ok(Self::new(page, find_table_under_heading(page, heading)?))
    }

    /// The table as originally read.
    pub fn table(&self) -> &StorageTable {
        &self.table
    }

    fn total_columns(&self) -> usize {
        self.table.column_count + self.new_columns.len()
    }

    fn resolve_column(&self, column: ColumnRef) -> Result<usize, StorageError> {
        if let ColumnRef::Header(name) = &column {
            let wanted = normalize_label(name);
            if let Some(added) = self.new_columns.iter().position(
                |c| matches!(&c.header, CellContent::Text(t) if normalize_label(t) == wanted),
            ) && self.table.column_index(name).is_none()
            {
                return Ok(self.table.column_count + added);
            }
        }
        match column {
            ColumnRef::Index(index) if index < self.total_columns() => Ok(index),
            ColumnRef::Index(index) => Err(StorageError::ColumnOutOfRange {
                column: index,
                columns: self.total_columns(),
            }),
            header => self.table.resolve_column(&header),
        }
    }

    /// Replaces a cell's content with `text` (XML-escaped; wrapped in `<p>` when the cell's
    /// content was a paragraph, so inner formatting of that cell is replaced).
    pub fn set_cell_text(
        &mut self,
        row: usize,
        column: impl Into<ColumnRef>,
        text: &str,
    ) -> Result<&mut Self, StorageError> {
        self.set_cell(row, column.into(), CellContent::Text(text.to_owned()))
    }

    /// Replaces a cell's content with raw storage markup (e.g. [`jira_issue_macro`]), inserted
    /// verbatim; the caller is responsible for it being well-formed.
    pub fn set_cell_storage(
        &mut self,
        row: usize,
        column: impl Into<ColumnRef>,
        markup: &str,
    ) -> Result<&mut Self, StorageError> {
        self.set_cell(row, column.into(), CellContent::Storage(markup.to_owned()))
    }

    fn set_cell(
        &mut self,
        row: usize,
        column: ColumnRef,
        content: CellContent,
    ) -> Result<&mut Self, StorageError> {
        let column = self.resolve_column(column)?;
        let existing_rows = self.table.data_rows().len();
        let total_rows = existing_rows + self.new_rows.len();
        if row >= total_rows {
            return Err(StorageError::RowOutOfRange {
                row,
                rows: total_rows,
            });
        }
        if row >= existing_rows {
            self.new_rows[row - existing_rows][column] = content;
        } else if column >= self.table.column_count {
            self.new_columns[column - self.table.column_count].values[row] = content;
        } else {
            let grid_row = row + 1;
            match self.table.grid[grid_row].get(column).copied().flatten() {
                Some((origin_row, cell_index)) if origin_row == grid_row => {
                    self.cell_edits.insert((origin_row, cell_index), content);
                }
                Some(_) => return Err(StorageError::CoveredBySpan { row, column }),
                None => {
                    // A ragged row without a cell here: there is nothing to edit in place.
                    return Err(StorageError::ColumnOutOfRange {
                        column,
                        columns: self.table.rows[grid_row]
                            .cells
                            .last()
                            .map_or(0, |c| c.column + c.colspan),
                    });
                }
            }
        }
        Ok(self)
    }

    /// Adds a column after the last one: a header cell plus one value per existing data row
    /// (missing values are left empty). Rows appended later get a cell for it too.
    pub fn add_column(&mut self, header: &str, values: &[&str]) -> Result<&mut Self, StorageError> {
        if self.table.rows.is_empty() {
            return Err(StorageError::EmptyTable);
        }
        let rows = self.table.data_rows().len();
        if values.len() > rows {
            return Err(StorageError::TooManyValues {
                given: values.len(),
                expected: rows,
            });
        }
        let mut cells: Vec<CellContent> = values
            .iter()
            .map(|v| CellContent::Text((*v).to_owned()))
            .collect();
        cells.resize(rows, CellContent::Text(String::new()));
        self.new_columns.push(NewColumn {
            header: CellContent::Text(header.to_owned()),
            values: cells,
        });
        for new_row in &mut self.new_rows {
            new_row.push(CellContent::Text(String::new()));
        }
        Ok(self)
    }

    /// Appends a data row after the last row; values fill columns from the left (including
    /// added columns), the rest stay empty.
    pub fn append_row(&mut self, values: &[&str]) -> Result<&mut Self, StorageError> {
        if self.table.rows.is_empty() {
            return Err(StorageError::EmptyTable);
        }
        let columns = self.total_columns();
        if values.len() > columns {
            return Err(StorageError::TooManyValues {
                given: values.len(),
                expected: columns,
            });
        }
        let mut cells: Vec<CellContent> = values
            .iter()
            .map(|v| CellContent::Text((*v).to_owned()))
            .collect();
        cells.resize(columns, CellContent::Text(String::new()));
        self.new_rows.push(cells);
        Ok(self)
    }

    /// Applies all edits and returns the new page.
    pub fn finish(self) -> String {
        let table = &self.table;
        // (position, end of replaced range, inserted text); insertions have end == position.
        let mut splices: Vec<(usize, usize, String)> = Vec::new();
        for (&(row, cell), content) in &self.cell_edits {
            let cell = &table.rows[row].cells[cell];
            splices.push(fill(
                self.page,
                &cell.range,
                cell.content_range.clone(),
                if cell.is_header { "th" } else { "td" },
                content.markup(cell.wraps_paragraph),
            ));
        }
        let wrap_new = table
            .rows
            .iter()
            .flat_map(|r| r.cells.iter())
            .any(|c| c.wraps_paragraph);
        if !self.new_columns.is_empty() {
            if let Some(position) = table.colgroup_end {
                splices.push((position, position, "<col />".repeat(self.new_columns.len())));
            }
            for (row_index, row) in table.rows.iter().enumerate() {
                let tag = if row_index == 0 && row.cells.iter().any(|c| c.is_header) {
                    "th"
                } else {
                    "td"
                };
                let width = table.grid[row_index]
                    .iter()
                    .rposition(Option::is_some)
                    .map_or(0, |last| last + 1);
                let mut markup = String::new();
                for _ in width..table.column_count {
                    markup.push_str(&format!("<{tag}></{tag}>"));
                }
                for column in &self.new_columns {
                    let content = if row_index == 0 {
                        &column.header
                    } else {
                        &column.values[row_index - 1]
                    };
                    markup.push_str(&format!("<{tag}>{}</{tag}>", content.markup(wrap_new)));
                }
                splices.push(fill(
                    self.page,
                    &row.range,
                    row.content_end..row.content_end,
                    "tr",
                    markup,
                ));
            }
        }
        if !self.new_rows.is_empty()
            && let Some(last) = table.rows.last()
        {
            let mut markup = String::new();
            for values in &self.new_rows {
                markup.push_str("<tr>");
                for value in values {
                    markup.push_str(&format!("<td>{}</td>", value.markup(wrap_new)));
                }
                markup.push_str("</tr>");
            }
            splices.push((last.range.end, last.range.end, markup));
        }
        // Stable sort keeps same-position insertions in the order they were recorded.
        splices.sort_by_key(|(start, _, _)| *start);
        let mut out = String::with_capacity(self.page.len() + 256);
        let mut cursor = 0;
        for (start, end, text) in splices {
            out.push_str(&self.page[cursor..start]);
            out.push_str(&text);
            cursor = end;
        }
        out.push_str(&self.page[cursor..]);
        out
    }
}

/// The splice that puts `content` inside the element at `range` named `name`: replacing its
/// `content` range, or, for a self-closing element (`<td/>`, `<tr/>`), whose content range is
/// the empty range after `/>`, rewriting it as a start tag, the content and an end tag, since
/// text spliced after `/>` would land outside the element.
fn fill(
    page: &str,
    range: &Range<usize>,
    content: Range<usize>,
    name: &str,
    markup: String,
) -> (usize, usize, String) {
    if content.start == range.end
        && let Some(open) = page[range.clone()].strip_suffix("/>")
    {
        let open = open.trim_end();
        // A stray `/` left at the end of the tag (`<td a="1" / />`) would make the rewritten
        // start tag self-closing again; a space keeps it a start tag.
        let gap = if open.ends_with('/') { " " } else { "" };
        return (
            range.start,
            range.end,
            format!("{open}{gap}>{markup}</{name}>"),
        );
    }
    (content.start, content.end, markup)
}

/// An element of the page with its byte ranges (relative to the page, not the wrapper).
#[derive(Debug)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    range: Range<usize>,
    content_range: Range<usize>,
    children: Vec<Child>,
}

#[derive(Debug)]
enum Child {
    Element(Element),
    /// Character data with entities resolved (CDATA included).
    Text(String),
}

impl Element {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn child_elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|c| match c {
            Child::Element(e) => Some(e),
            Child::Text(_) => None,
        })
    }
}

const ROOT_OPEN: &str = "<planwright-storage-root xmlns:ac=\"http://atlassian.com/content\" xmlns:ri=\"http://atlassian.com/resource/identifier\" xmlns:at=\"http://atlassian.com/template\">";
const ROOT_CLOSE: &str = "</planwright-storage-root>";

/// Parses a storage-format fragment into an element tree with page byte offsets.
fn parse(page: &str) -> Result<Element, StorageError> {
    let wrapped = format!("{ROOT_OPEN}{page}{ROOT_CLOSE}");
    let offset = ROOT_OPEN.len();
    let to_page = |position: u64| (position as usize).saturating_sub(offset).min(page.len());
    let mut reader = Reader::from_str(&wrapped);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let before = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|error| StorageError::Malformed {
                position: to_page(reader.error_position()),
                message: error.to_string(),
            })?;
        let after = reader.buffer_position();
        match event {
            Event::Start(start) => stack.push(Element {
                name: start.name().as_ref().to_owned(),
                attributes: read_attributes(&start),
                range: to_page(before)..to_page(before),
                content_range: to_page(after)..to_page(after),
                children: Vec::new(),
            }),
            Event::End(_) => {
                let Some(mut element) = stack.pop() else {
                    return Err(StorageError::Malformed {
                        position: to_page(before),
                        message: "closing tag without an opening tag".to_owned(),
                    });
                };
                element.content_range.end = to_page(before);
                element.range.end = to_page(after);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Child::Element(element)),
                    None => root = Some(element),
                }
            }
            Event::Empty(empty) => {
                let element = Element {
                    name: empty.name().as_ref().to_owned(),
                    attributes: read_attributes(&empty),
                    range: to_page(before)..to_page(after),
                    content_range: to_page(after)..to_page(after),
                    children: Vec::new(),
                };
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Child::Element(element));
                }
            }
            Event::Text(text) => push_text(&mut stack, &text.xml10_content()),
            Event::CData(cdata) => push_text(&mut stack, &cdata.xml10_content()),
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = reference.xml10_content();
                        resolve_html5_entity(&name)
                            .map(str::to_owned)
                            .unwrap_or_else(|| format!("&{name};"))
                    }
                    Err(error) => {
                        return Err(StorageError::Malformed {
                            position: to_page(before),
                            message: error.to_string(),
                        });
                    }
                };
                push_text(&mut stack, &resolved);
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(StorageError::Malformed {
            position: open.range.start,
            message: format!("<{}> is never closed", open.name),
        });
    }
    root.ok_or_else(|| StorageError::Malformed {
        position: 0,
        message: "empty document".to_owned(),
    })
}

fn read_attributes(start: &quick_xml::events::BytesStart<'_>) -> Vec<(String, String)> {
    start
        .attributes()
        .filter_map(Result::ok)
        .map(|attribute| {
            let value = attribute
                .normalized_value_with(XmlVersion::Implicit1_0, 16, resolve_html5_entity)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| attribute.value.clone().into_owned());
            (attribute.key.as_ref().to_owned(), value)
        })
        .collect()
}

fn push_text(stack: &mut [Element], text: &str) {
    if let Some(parent) = stack.last_mut() {
        if let Some(Child::Text(previous)) = parent.children.last_mut() {
            previous.push_str(text);
        } else {
            parent.children.push(Child::Text(text.to_owned()));
        }
    }
}

enum Landmark<'a> {
    Heading { level: u8, text: String },
    Table(&'a Element),
}

fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

/// Headings and top-level tables in document order, looking through wrappers and macros.
fn collect_landmarks<'a>(element: &'a Element, out: &mut Vec<Landmark<'a>>) {
    for child in element.child_elements() {
        if let Some(level) = heading_level(&child.name) {
            out.push(Landmark::Heading {
                level,
                text: element_text(child),
            });
        } else if child.name == "table" {
            out.push(Landmark::Table(child));
        } else {
            collect_landmarks(child, out);
        }
    }
}

fn collect_rows<'a>(element: &'a Element, out: &mut Vec<&'a Element>) {
    for child in element.child_elements() {
        match child.name.as_str() {
            "tr" => out.push(child),
            "table" => {}
            _ => collect_rows(child, out),
        }
    }
}

/// The largest `colspan`/`rowspan` honoured (the HTML limit for `colspan`).
const MAX_SPAN: usize = 1000;

/// Grid positions that spans may add beyond one per real cell, per real cell (with a floor for
/// small tables). Real tables merge a few cells; a page of `<td colspan="1000"
/// rowspan="1000">` would otherwise ask for a million positions per 40 bytes of input.
const SPAN_SLOTS_PER_CELL: usize = 4;
const MIN_SPAN_SLOTS: usize = 4096;

fn span_attribute(element: &Element, name: &str) -> usize {
    element
        .attribute(name)
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, MAX_SPAN)
}

/// The spans a cell at `column` really gets, so the grid stays proportional to the real cells:
/// no span reaches past `width_limit` columns (the number of real cells, as no real table is
/// wider than its cell count, less the row's cells still to place) or past the last row, and the
/// positions the cell adds to the grid beyond its own come out of the table-wide `spare` budget;
/// once it is spent, further spans shrink (the vertical part first). `covered` holds the grid
/// rows from the cell's own to the last. A covered row grows to the cell's last column, gaps
/// before the cell included, so that growth is what is charged: a cell far right spanning down
/// over short rows costs its column times its rowspan, not just its rowspan.
fn fit_spans(
    colspan: usize,
    rowspan: usize,
    column: usize,
    width_limit: usize,
    covered: &[Vec<Option<(usize, usize)>>],
    spare: &mut usize,
) -> (usize, usize) {
    let colspan = colspan.min(width_limit.saturating_sub(column)).max(1);
    let rowspan = rowspan.min(covered.len()).max(1);
    let extra = |colspan: usize, rowspan: usize| {
        covered[..rowspan]
            .iter()
            .map(|row| (column + colspan).saturating_sub(row.len()))
            .sum::<usize>()
            .saturating_sub(1)
    };
    let wanted = extra(colspan, rowspan);
    if wanted <= *spare {
        *spare -= wanted;
        return (colspan, rowspan);
    }
    // In its own row the cell starts at or before the row's end, so this adds at most
    // `colspan - 1 <= spare` positions beyond its own.
    let colspan = colspan.min(*spare + 1);
    *spare -= extra(colspan, 1);
    (colspan, 1)
}

fn read_table(
    element: &Element,
    heading: Option<String>,
    heading_level: Option<u8>,
) -> StorageTable {
    let mut row_elements = Vec::new();
    collect_rows(element, &mut row_elements);
    let colgroup_end = element
        .child_elements()
        .find(|e| e.name == "colgroup" && e.range != e.content_range)
        .map(|colgroup| colgroup.content_range.end);

    let is_cell = |e: &&Element| e.name == "td" || e.name == "th";
    let real_cells: usize = row_elements
        .iter()
        .map(|tr| tr.child_elements().filter(is_cell).count())
        .sum();
    let width_limit = real_cells.max(1);
    let mut spare = (SPAN_SLOTS_PER_CELL * real_cells).max(MIN_SPAN_SLOTS);

    let mut rows: Vec<StorageRow> = Vec::with_capacity(row_elements.len());
    // Rows are ragged (each only as long as its last covered position): padding every row to
    // the widest would make the grid rows × columns even without any span.
    let mut grid: Vec<Vec<Option<(usize, usize)>>> = vec![Vec::new(); row_elements.len()];
    for (row_index, tr) in row_elements.iter().enumerate() {
        let mut cells = Vec::new();
        let mut column = 0;
        let row_cells: Vec<&Element> = tr.child_elements().filter(is_cell).collect();
        for (position, cell) in row_cells.iter().enumerate() {
            // Leave a column for each later cell of the row, so spans cannot push them out.
            let cells_after = row_cells.len() - position - 1;
            while grid[row_index].get(column).copied().flatten().is_some() {
                column += 1;
            }
            let (colspan, rowspan) = fit_spans(
                span_attribute(cell, "colspan"),
                span_attribute(cell, "rowspan"),
                column,
                width_limit.saturating_sub(cells_after),
                &grid[row_index..],
                &mut spare,
            );
            let cell_index = cells.len();
            for covered_row in grid.iter_mut().skip(row_index).take(rowspan) {
                if covered_row.len() < column + colspan {
                    covered_row.resize(column + colspan, None);
                }
                for slot in &mut covered_row[column..column + colspan] {
                    *slot = Some((row_index, cell_index));
                }
            }
            cells.push(StorageCell {
                text: element_text(cell),
                is_header: cell.name == "th",
                column,
                colspan,
                rowspan,
                range: cell.range.clone(),
                content_range: cell.content_range.clone(),
                wraps_paragraph: cell
                    .child_elements()
                    .next()
                    .is_some_and(|first| first.name == "p"),
            });
            column += colspan;
        }
        rows.push(StorageRow {
            range: tr.range.clone(),
            content_end: tr.content_range.end,
            cells,
        });
    }
    let column_count = grid.iter().map(Vec::len).max().unwrap_or(0);
    StorageTable {
        heading,
        heading_level,
        range: element.range.clone(),
        rows,
        column_count,
        grid,
        colgroup_end,
    }
}

/// Plain text of an element, whitespace collapsed.
fn element_text(element: &Element) -> String {
    let mut raw = String::new();
    write_text(element, &mut raw);
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn macro_parameter(element: &Element, name: &str) -> Option<String> {
    element
        .child_elements()
        .find(|e| e.name == "ac:parameter" && e.attribute("ac:name") == Some(name))
        .map(|parameter| {
            // The parameter element itself is skipped by `write_text`; read its children.
            let mut raw = String::new();
            write_children(parameter, &mut raw);
            raw.split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .filter(|t| !t.is_empty())
}

fn write_children(element: &Element, out: &mut String) {
    for child in &element.children {
        match child {
            Child::Text(text) => out.push_str(text),
            Child::Element(e) => write_text(e, out),
        }
    }
}

fn write_text(element: &Element, out: &mut String) {
    match element.name.as_str() {
        "ac:structured-macro" => match element.attribute("ac:name") {
            Some("jira") => {
                if let Some(key) = macro_parameter(element, "key") {
                    out.push_str(&key);
                }
            }
            Some("status") => {
                if let Some(title) = macro_parameter(element, "title") {
                    out.push_str(&title);
                }
            }
            _ => {
                for child in &element.children {
                    match child {
                        Child::Element(e) if e.name == "ac:parameter" => {}
                        Child::Element(e) => write_text(e, out),
                        Child::Text(text) => out.push_str(text),
                    }
                }
            }
        },
        "ac:parameter" | "ac:placeholder" => {}
        "ac:link" => {
            let body = element
                .child_elements()
                .find(|e| e.name == "ac:link-body" || e.name == "ac:plain-text-link-body")
                .map(element_text)
                .filter(|t| !t.is_empty());
            let target = || {
                element
                    .child_elements()
                    .find_map(|resource| match resource.name.as_str() {
                        "ri:page" | "ri:blog-post" => {
                            resource.attribute("ri:content-title").map(str::to_owned)
                        }
                        "ri:attachment" => resource.attribute("ri:filename").map(str::to_owned),
                        "ri:url" => resource.attribute("ri:value").map(str::to_owned),
                        "ri:space" => resource.attribute("ri:space-key").map(str::to_owned),
                        "ri:user" => resource
                            .attribute("ri:username")
                            .or(resource.attribute("ri:account-id"))
                            .or(resource.attribute("ri:userkey"))
                            .map(|user| format!("@{user}")),
                        _ => None,
                    })
            };
            if let Some(text) = body.or_else(target) {
                out.push_str(&text);
            } else if let Some(anchor) = element.attribute("ac:anchor") {
                out.push_str(anchor);
            }
        }
        "ac:emoticon" => {
            if let Some(text) = element
                .attribute("ac:emoji-fallback")
                .or(element.attribute("ac:name"))
            {
                out.push_str(text);
            }
        }
        "time" => {
            if let Some(datetime) = element.attribute("datetime") {
                out.push_str(datetime);
            }
        }
        "br" => out.push(' '),
        "p" | "div" | "li" | "ul" | "ol" | "tr" | "td" | "th" | "h1" | "h2" | "h3" | "h4"
        | "h5" | "h6" | "blockquote" | "pre" => {
            out.push(' ');
            write_children(element, out);
            out.push(' ');
        }
        _ => write_children(element, out),
    }
}

/// Comparison form of a heading or column label: whitespace collapsed, trailing colon dropped,
/// lower-cased.
fn normalize_label(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches(':')
        .trim_end()
        .to_lowercase()
}
