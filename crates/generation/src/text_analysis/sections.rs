//! Splits planning documents into titled sections and bullet items, so that PRD requirements
//! become stories and "Out of scope" lists do not.

use super::criteria::{heading_text, strip_bullet};

/// A titled part of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The heading, empty for text before the first heading.
    pub heading: String,
    /// Top-level items: bullets, numbered lines or table rows' first cells.
    pub items: Vec<SectionItem>,
    /// Paragraph text that is not a list item.
    pub prose: Vec<String>,
}

impl Section {
    fn titled(heading: String) -> Self {
        Section {
            heading,
            items: Vec::new(),
            prose: Vec::new(),
        }
    }
}

/// A list item with its nested sub-items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionItem {
    /// The item's text.
    pub text: String,
    /// Indented items under it, or a table row's acceptance-criteria cells.
    pub children: Vec<String>,
    /// A table row's description cell.
    pub note: Option<String>,
}

/// Splits `text` into sections at Markdown, Jira wiki, bold or colon headings.
pub fn split_sections(text: &str) -> Vec<Section> {
    let mut sections = Vec::new();
    let mut current = Section::titled(String::new());
    for raw_line in text.lines() {
        if raw_line.trim().is_empty() {
            continue;
        }
        if let Some(heading) = heading_text(raw_line) {
            sections.push(std::mem::replace(&mut current, Section::titled(heading)));
            continue;
        }
        let indent = raw_line.len() - raw_line.trim_start().len();
        let trimmed = raw_line.trim();
        if let Some(cells) = table_row(trimmed) {
            if let Some(first) = cells.first() {
                current.items.push(SectionItem {
                    text: first.clone(),
                    children: cells
                        .iter()
                        .skip(2)
                        .filter(|c| !c.is_empty())
                        .cloned()
                        .collect(),
                    note: cells.get(1).filter(|c| !c.is_empty()).cloned(),
                });
            }
            continue;
        }
        let item = strip_bullet(trimmed);
        let is_bullet = item.len() != trimmed.len();
        if is_bullet && indent >= 2 && !current.items.is_empty() {
            if let Some(parent) = current.items.last_mut() {
                parent.children.push(item.to_owned());
            }
        } else if is_bullet {
            current.items.push(SectionItem {
                text: item.to_owned(),
                children: Vec::new(),
                note: None,
            });
        } else {
            current.prose.push(trimmed.to_owned());
        }
    }
    sections.push(current);
    sections.retain(|section| !section.items.is_empty() || !section.prose.is_empty());
    sections
}

/// The cells of a Markdown or Jira table row; `None` for separator and header rows.
fn table_row(line: &str) -> Option<Vec<String>> {
    if !line.starts_with('|') {
        return None;
    }
    if line.starts_with("||") || line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) {
        return None;
    }
    let cells: Vec<String> = line
        .trim_matches('|')
        .split('|')
        .map(|cell| cell.trim().to_owned())
        .collect();
    let header_words = [
        "title",
        "summary",
        "name",
        "story",
        "description",
        "acceptance criteria",
    ];
    if cells
        .first()
        .is_some_and(|first| header_words.contains(&first.to_lowercase().as_str()))
    {
        return None;
    }
    Some(cells)
}

/// All top-level bullet items of a text, ignoring headings.
pub fn bullet_items(text: &str) -> Vec<String> {
    split_sections(text)
        .into_iter()
        .flat_map(|section| section.items.into_iter().map(|item| item.text))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_prd_into_sections() {
        let prd = "# Goals\nReduce churn.\n\n## Requirements\n- Users can export orders\n  - CSV format\n- Admins can schedule exports\n\n## Out of scope\n- PDF export";
        let sections = split_sections(prd);
        assert_eq!(sections.len(), 3);
        assert_eq!(sections[1].heading, "Requirements");
        assert_eq!(sections[1].items[0].children, ["CSV format"]);
        assert_eq!(sections[2].items[0].text, "PDF export");
    }
}
