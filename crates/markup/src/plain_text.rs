//! ADF -> plain text for search indexes, prompts and summaries, plus the readable labels
//! (`@Name`, `[attachment: file]`, ...) that every text output uses for nodes with no text of
//! their own, so mentions, media and lozenges never silently disappear.

use crate::adf::{AdfDoc, Node};

/// The document's text: one line per paragraph/heading/list item/code line, table cells joined
/// with ` | `, inline atoms replaced by readable labels; blank lines removed.
pub fn adf_to_plain_text(doc: &AdfDoc) -> String {
    let mut out = String::new();
    for node in &doc.content {
        write_node(node, &mut out);
    }
    tidy_lines(&out)
}

/// Plain text of a single node (block or inline), same rules as [`adf_to_plain_text`].
pub fn node_plain_text(node: &Node) -> String {
    let mut out = String::new();
    write_node(node, &mut out);
    tidy_lines(&out)
}

fn tidy_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines().map(str::trim_end) {
        if line.trim().is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

fn end_line(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

fn write_node(node: &Node, out: &mut String) {
    if let Some(label) = atom_label(node) {
        // Block-level atoms (cards, media, extensions) sit on their own line.
        let block = !node.is_inline();
        if block {
            end_line(out);
        }
        out.push_str(&label);
        if block {
            end_line(out);
        }
        return;
    }
    match node {
        Node::Text(text) => out.push_str(&text.text),
        Node::HardBreak(_) => out.push('\n'),
        Node::TableRow(row) => {
            end_line(out);
            let cells: Vec<String> = row
                .content
                .iter()
                .map(|cell| node_plain_text(cell).replace('\n', " "))
                .collect();
            out.push_str(&cells.join(" | "));
            out.push('\n');
        }
        Node::Expand(expand) | Node::NestedExpand(expand) => {
            end_line(out);
            if let Some(title) = expand.attrs.title.as_deref().filter(|t| !t.is_empty()) {
                out.push_str(title);
                out.push('\n');
            }
            for child in &expand.content {
                write_node(child, out);
            }
            end_line(out);
        }
        other => {
            let block = !other.is_inline();
            if block {
                end_line(out);
            }
            for child in other.children().iter() {
                write_node(child, out);
            }
            if block {
                end_line(out);
            }
        }
    }
}

/// Readable text for nodes that carry no text content of their own (mentions, emoji, status
/// lozenges, dates, cards, media, placeholders, extensions, unknown text-bearing nodes).
/// Returns `None` for nodes whose text lives in their children.
pub(crate) fn atom_label(node: &Node) -> Option<String> {
    match node {
        Node::Mention(m) => {
            let name = m
                .attrs
                .text
                .as_deref()
                .unwrap_or("")
                .trim_start_matches('@');
            Some(if name.is_empty() {
                format!("@{}", m.attrs.id)
            } else {
                format!("@{name}")
            })
        }
        Node::Emoji(e) => Some(
            e.attrs
                .text
                .clone()
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| e.attrs.short_name.clone()),
        ),
        Node::Status(s) => Some(format!("[{}]", s.attrs.text)),
        Node::Date(d) => Some(format_timestamp(&d.attrs.timestamp)),
        Node::InlineCard(c) | Node::BlockCard(c) | Node::EmbedCard(c) => {
            Some(c.attrs.url.clone().unwrap_or_else(|| "[link]".to_owned()))
        }
        Node::Media(m) | Node::MediaInline(m) => {
            let name = m
                .attrs
                .alt
                .as_deref()
                .filter(|a| !a.is_empty())
                .or(m.attrs.extra.get("name").and_then(|v| v.as_str()))
                .or(m.attrs.url.as_deref())
                .or(m.attrs.id.as_deref())
                .unwrap_or("file");
            Some(format!("[attachment: {name}]"))
        }
        Node::Placeholder(p) => Some(p.attrs.text.clone()),
        Node::Extension(e) | Node::InlineExtension(e) => {
            Some(format!("[extension: {}]", e.key().unwrap_or("unknown")))
        }
        Node::Unknown(value) => value
            .get("text")
            .and_then(|t| t.as_str())
            .map(str::to_owned)
            .or_else(|| {
                let has_content = value.get("content").is_some_and(|c| c.is_array());
                (!has_content).then(|| format!("[{}]", node.type_name()))
            }),
        _ => None,
    }
}

/// Formats an ADF date timestamp (milliseconds since the Unix epoch, as a string) as
/// `YYYY-MM-DD` in UTC; anything unparsable is returned unchanged.
pub(crate) fn format_timestamp(timestamp: &str) -> String {
    let Ok(millis) = timestamp.trim().parse::<i64>() else {
        return timestamp.to_owned();
    };
    let days = millis.div_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_format_as_utc_days() {
        assert_eq!(format_timestamp("0"), "1970-01-01");
        assert_eq!(format_timestamp("1700000000000"), "2023-11-14");
        assert_eq!(format_timestamp("951782400000"), "2000-02-29");
        assert_eq!(format_timestamp("not-a-number"), "not-a-number");
    }

    #[test]
    fn plain_text_keeps_atoms_and_table_cells() {
        let doc = AdfDoc::from_json(json!({"type": "doc", "version": 1, "content": [
            {"type": "heading", "attrs": {"level": 1}, "content": [{"type": "text", "text": "Title"}]},
            {"type": "paragraph", "content": [
                {"type": "text", "text": "Ping "},
                {"type": "mention", "attrs": {"id": "u1", "text": "@Ann Lee"}},
                {"type": "text", "text": " "},
                {"type": "emoji", "attrs": {"shortName": ":tada:", "text": "🎉"}},
                {"type": "hardBreak"},
                {"type": "status", "attrs": {"text": "IN PROGRESS", "color": "blue"}},
                {"type": "text", "text": " due "},
                {"type": "date", "attrs": {"timestamp": "1700000000000"}}
            ]},
            {"type": "table", "content": [
                {"type": "tableRow", "content": [
                    {"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "A"}]}]},
                    {"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "B"}]}]}
                ]}
            ]},
            {"type": "mediaSingle", "attrs": {"layout": "center"}, "content": [
                {"type": "media", "attrs": {"type": "file", "id": "abc", "collection": "c", "alt": "diagram.png"}}
            ]},
            {"type": "someFutureBlock", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "inside"}]}]}
        ]}))
        .unwrap();
        assert_eq!(
            adf_to_plain_text(&doc),
            "Title\nPing @Ann Lee 🎉\n[IN PROGRESS] due 2023-11-14\nA | B\n[attachment: diagram.png]\ninside"
        );
    }
}
