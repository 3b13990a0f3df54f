//! ADF -> Markdown: a direct renderer producing CommonMark + GFM that
//! [`markdown_to_adf`](super::markdown_to_adf) parses back to the same ADF.
//!
//! Nodes Markdown cannot express degrade to readable text instead of disappearing: panels become
//! a quote with a bold type label, mentions `@Name`, emoji their character or short name, media
//! `[attachment: name]`, cards their URL, status `[TEXT]`, dates `YYYY-MM-DD`, expands a bold
//! title followed by their content, unknown nodes their children or `[type]`.

use std::cmp::Reverse;

use crate::adf::{AdfDoc, Mark, Node, Text};
use crate::plain_text::{atom_label, node_plain_text};

/// Renders an ADF document as Markdown (ending with a newline unless empty).
pub fn adf_to_markdown(doc: &AdfDoc) -> String {
    let mut markdown = render_blocks(&doc.content);
    if !markdown.is_empty() {
        markdown.push('\n');
    }
    markdown
}

/// How inline content is written, which depends on where it sits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum InlineContext {
    /// A paragraph: hard breaks are `\` + newline; line starts need escaping.
    Paragraph,
    /// An ATX heading: a single line, `#` always escaped.
    Heading,
    /// A GFM table cell: a single line, hard breaks are `<br>`, pipes escaped everywhere.
    TableCell,
}

/// Renders a block sequence separated by blank lines. Consecutive inline nodes (invalid at block
/// level but seen in the wild) are grouped into a paragraph. Adjacent lists of the same kind
/// alternate their marker character, otherwise Markdown would merge them into one list.
fn render_blocks(nodes: &[Node]) -> String {
    render_block_sequence(nodes, false)
}

/// Inside a list item, a nested list that can interrupt a paragraph (bullets, or numbering from
/// 1) follows it on the next line, keeping the list tight and readable.
fn render_block_sequence(nodes: &[Node], in_list_item: bool) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut tight_before: Vec<bool> = Vec::new();
    let mut previous_bullet: Option<char> = None;
    let mut previous_delimiter: Option<char> = None;
    let mut i = 0;
    while i < nodes.len() {
        if nodes[i].is_inline() {
            let end = nodes[i..]
                .iter()
                .position(|n| !n.is_inline())
                .map_or(nodes.len(), |offset| i + offset);
            let text = render_inline(&nodes[i..end], InlineContext::Paragraph);
            if !text.is_empty() {
                parts.push(text);
                tight_before.push(false);
                previous_bullet = None;
                previous_delimiter = None;
            }
            i = end;
            continue;
        }
        let node = &nodes[i];
        let bullet = if previous_bullet == Some('-') {
            '*'
        } else {
            '-'
        };
        let delimiter = if previous_delimiter == Some('.') {
            ')'
        } else {
            '.'
        };
        let text = render_block(node, bullet, delimiter);
        if !text.is_empty() {
            let interrupts_paragraph = match node {
                Node::BulletList(_) | Node::TaskList(_) => true,
                Node::OrderedList(list) => list.start() == 1,
                _ => false,
            };
            let after_paragraph = matches!(nodes.get(i.wrapping_sub(1)), Some(Node::Paragraph(_)));
            // An empty first item cannot interrupt a paragraph (CommonMark): a bare `-` would
            // read back as a setext underline, a bare `*` as more paragraph text.
            let starts_empty = text.lines().next().is_some_and(is_bare_marker);
            tight_before
                .push(in_list_item && interrupts_paragraph && after_paragraph && !starts_empty);
            parts.push(text);
            previous_bullet = None;
            previous_delimiter = None;
            match node {
                Node::BulletList(_) | Node::TaskList(_) | Node::DecisionList(_) => {
                    previous_bullet = Some(bullet)
                }
                Node::OrderedList(_) => previous_delimiter = Some(delimiter),
                _ => {}
            }
        }
        i += 1;
    }
    let mut out = String::new();
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            out.push_str(if tight_before[index] { "\n" } else { "\n\n" });
        }
        out.push_str(part);
    }
    out
}

fn render_block(node: &Node, bullet: char, delimiter: char) -> String {
    match node {
        Node::Paragraph(p) => render_inline(&p.content, InlineContext::Paragraph),
        Node::Heading(h) => {
            let hashes = "#".repeat(usize::from(h.attrs.level.clamp(1, 6)));
            let text = render_inline(&h.content, InlineContext::Heading);
            if text.is_empty() {
                hashes
            } else {
                format!("{hashes} {text}")
            }
        }
        Node::CodeBlock(code) => {
            let text: String = code
                .content
                .iter()
                .map(|n| match n {
                    Node::Text(t) => t.text.clone(),
                    other => node_plain_text(other),
                })
                .collect();
            let fence = "`".repeat((longest_run(&text, '`') + 1).max(3));
            let language: String = code
                .language()
                .and_then(|l| l.split_whitespace().next())
                .unwrap_or("")
                .chars()
                .filter(|c| *c != '`')
                .collect();
            if text.is_empty() {
                format!("{fence}{language}\n{fence}")
            } else {
                format!("{fence}{language}\n{text}\n{fence}")
            }
        }
        Node::BulletList(list) => render_list(&list.content, |_| format!("{bullet} ")),
        Node::OrderedList(list) => {
            let start = list.start().min(999_999_999);
            render_list(&list.content, |index| {
                format!("{}{delimiter} ", start + index as u64)
            })
        }
        Node::TaskList(list) | Node::DecisionList(list) => render_task_list(&list.content, bullet),
        Node::ListItem(item) => render_list_item(&format!("{bullet} "), &item.content),
        Node::Blockquote(quote) => quote_lines(&render_blocks(&quote.content)),
        Node::Rule => "---".to_owned(),
        Node::Table(table) => render_table(&table.content),
        Node::Panel(panel) => {
            let label = capitalize(&panel.attrs.panel_type);
            let body = render_blocks(&panel.content);
            let text = if body.is_empty() {
                format!("**{label}**")
            } else {
                format!("**{label}**\n\n{body}")
            };
            quote_lines(&text)
        }
        Node::Expand(expand) | Node::NestedExpand(expand) => {
            let title = expand
                .attrs
                .title
                .as_deref()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or("Details");
            let mut heading = String::from("**");
            escape_text(title, &mut heading, InlineContext::Paragraph);
            heading.push_str("**");
            let body = render_blocks(&expand.content);
            if body.is_empty() {
                heading
            } else {
                format!("{heading}\n\n{body}")
            }
        }
        Node::MediaSingle(b) => render_inline(&b.content, InlineContext::Paragraph),
        Node::MediaGroup(group) => group
            .content
            .iter()
            .map(|media| render_inline(std::slice::from_ref(media), InlineContext::Paragraph))
            .filter(|line| !line.is_empty())
            .collect::<Vec<_>>()
            .join("\\\n"),
        Node::BlockCard(_) | Node::EmbedCard(_) | Node::Extension(_) | Node::TaskItem(_) => {
            render_inline(std::slice::from_ref(node), InlineContext::Paragraph)
        }
        Node::DecisionItem(item) => render_inline(&item.content, InlineContext::Paragraph),
        Node::TableRow(_) => render_table(std::slice::from_ref(node)),
        other => {
            let children = other.children();
            if children.is_empty() {
                render_inline(std::slice::from_ref(other), InlineContext::Paragraph)
            } else {
                render_blocks(&children)
            }
        }
    }
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Note".to_owned(),
    }
}

fn longest_run(text: &str, needle: char) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for c in text.chars() {
        if c == needle {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    longest
}

/// Prefixes every line: `first` on the first, `rest` on the others (trimmed on blank lines so
/// no trailing whitespace is produced).
fn prefix_lines(text: &str, first: &str, rest: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let prefix = if index == 0 { first } else { rest };
        if line.is_empty() {
            out.push_str(prefix.trim_end());
        } else {
            out.push_str(prefix);
            out.push_str(line);
        }
    }
    out
}

fn quote_lines(text: &str) -> String {
    if text.is_empty() {
        return ">".to_owned();
    }
    prefix_lines(text, "> ", "> ")
}

/// Whether `line` is a list marker alone (`-`, `*`, `+`, `1.`, `1)`): an empty list item.
fn is_bare_marker(line: &str) -> bool {
    let line = line.trim();
    matches!(line, "-" | "*" | "+")
        || line
            .strip_suffix(['.', ')'])
            .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

fn render_list(items: &[Node], marker: impl Fn(usize) -> String) -> String {
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let marker = marker(index);
            match item {
                Node::ListItem(item) => render_list_item(&marker, &item.content),
                other => render_list_item(&marker, std::slice::from_ref(other)),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One list item: the marker on the first line, continuation lines indented to the content
/// column. An item whose first paragraph is empty (ADF requires one before a nested list) puts
/// the marker alone on its line.
fn render_list_item(marker: &str, blocks: &[Node]) -> String {
    let indent = " ".repeat(marker.len());
    let leading_empty = matches!(blocks.first(), Some(Node::Paragraph(p)) if p.content.is_empty());
    let body = if leading_empty {
        render_block_sequence(&blocks[1..], true)
    } else {
        render_block_sequence(blocks, true)
    };
    if body.is_empty() {
        marker.trim_end().to_owned()
    } else if leading_empty {
        format!(
            "{}\n{}",
            marker.trim_end(),
            prefix_lines(&body, &indent, &indent)
        )
    } else {
        prefix_lines(&body, marker, &indent)
    }
}

fn render_task_list(items: &[Node], bullet: char) -> String {
    let mut lines: Vec<String> = Vec::new();
    for item in items {
        match item {
            Node::TaskItem(task) => {
                let state = match task.attrs.state.as_str() {
                    "DONE" => "[x] ",
                    "TODO" => "[ ] ",
                    // Decisions have no Markdown checkbox; a plain bullet keeps the text.
                    _ => "",
                };
                let text = render_inline(&task.content, InlineContext::Paragraph);
                let marker = format!("{bullet} {state}");
                if text.is_empty() {
                    lines.push(marker.trim_end().to_owned());
                } else {
                    lines.push(prefix_lines(&text, &marker, "  "));
                }
            }
            Node::TaskList(nested) | Node::DecisionList(nested) => {
                let text = render_task_list(&nested.content, bullet);
                lines.push(prefix_lines(&text, "  ", "  "));
            }
            other => lines.push(render_list_item(
                &format!("{bullet} "),
                std::slice::from_ref(other),
            )),
        }
    }
    lines.join("\n")
}

/// A GFM table. The first ADF row becomes the header row (GFM requires one); cells spanning
/// several columns are followed by empty cells so columns stay aligned; cell blocks are joined
/// with `<br>` because a GFM cell is a single line.
fn render_table(rows: &[Node]) -> String {
    let mut grid: Vec<Vec<String>> = Vec::new();
    for row in rows {
        let mut cells = Vec::new();
        for cell in row.children().iter() {
            cells.push(render_cell(cell));
            if let Node::TableCell(c) | Node::TableHeader(c) = cell {
                for _ in 1..c.colspan() {
                    cells.push(String::new());
                }
            }
        }
        grid.push(cells);
    }
    if grid.is_empty() {
        return String::new();
    }
    let columns = grid.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let line = |cells: &[String]| {
        let mut out = String::from("|");
        for index in 0..columns {
            let cell = cells.get(index).map_or("", String::as_str);
            out.push(' ');
            out.push_str(cell);
            out.push_str(" |");
        }
        out
    };
    let mut out = line(&grid[0]);
    out.push('\n');
    out.push('|');
    for _ in 0..columns {
        out.push_str(" --- |");
    }
    for row in &grid[1..] {
        out.push('\n');
        out.push_str(&line(row));
    }
    out
}

fn render_cell(cell: &Node) -> String {
    let mut pieces = Vec::new();
    for block in cell.children().iter() {
        let piece = match block {
            Node::Paragraph(p) => render_inline(&p.content, InlineContext::TableCell),
            Node::Heading(h) => render_inline(&h.content, InlineContext::TableCell),
            inline if inline.is_inline() => {
                render_inline(std::slice::from_ref(inline), InlineContext::TableCell)
            }
            other => {
                let mut out = String::new();
                escape_text(&node_plain_text(other), &mut out, InlineContext::TableCell);
                out
            }
        };
        if !piece.is_empty() {
            pieces.push(piece);
        }
    }
    pieces.join("<br>")
}

/// A formatting span Markdown can express with delimiters.
#[derive(Clone, PartialEq, Eq)]
enum Span {
    Link { href: String, title: Option<String> },
    Strong,
    Em,
    Strike,
}

fn spans_of(node: &Node) -> Vec<Span> {
    let Node::Text(text) = node else {
        return Vec::new();
    };
    text.marks
        .iter()
        .filter_map(|mark| match mark {
            Mark::Link { attrs } => Some(Span::Link {
                href: attrs.href.clone(),
                title: attrs.title.clone(),
            }),
            Mark::Strong => Some(Span::Strong),
            Mark::Em => Some(Span::Em),
            Mark::Strike => Some(Span::Strike),
            _ => None,
        })
        .collect()
}

fn is_code(text: &Text) -> bool {
    text.marks.iter().any(|m| matches!(m, Mark::Code))
}

fn is_emphasis_mark(mark: &Mark) -> bool {
    matches!(mark, Mark::Strong | Mark::Em | Mark::Strike)
}

/// Moves whitespace at the edge of an emphasis span outside it (`**bold **` is not bold in
/// Markdown), splitting text nodes where needed. Jira's editor often produces such marks.
pub(super) fn hoist_edge_whitespace(nodes: &[Node]) -> Vec<Node> {
    let emphasis = |node: Option<&Node>| -> Vec<Mark> {
        match node {
            Some(Node::Text(t)) => t
                .marks
                .iter()
                .filter(|m| is_emphasis_mark(m))
                .cloned()
                .collect(),
            _ => Vec::new(),
        }
    };
    let mut out = Vec::with_capacity(nodes.len());
    for (index, node) in nodes.iter().enumerate() {
        let Node::Text(text) = node else {
            out.push(node.clone());
            continue;
        };
        if is_code(text) {
            out.push(node.clone());
            continue;
        }
        let own = emphasis(Some(node));
        let before = emphasis(index.checked_sub(1).and_then(|i| nodes.get(i)));
        let after = emphasis(nodes.get(index + 1));
        let starting: Vec<&Mark> = own.iter().filter(|m| !before.contains(m)).collect();
        let ending: Vec<&Mark> = own.iter().filter(|m| !after.contains(m)).collect();
        let without = |drop: &[&Mark]| -> Vec<Mark> {
            text.marks
                .iter()
                .filter(|m| !drop.contains(m))
                .cloned()
                .collect()
        };
        let body = text.text.as_str();
        let lead = if starting.is_empty() {
            0
        } else {
            body.len() - body.trim_start().len()
        };
        let trail = if ending.is_empty() {
            0
        } else {
            body.len() - body.trim_end().len()
        };
        if lead == 0 && trail == 0 {
            out.push(node.clone());
        } else if lead == body.len() {
            let drop: Vec<&Mark> = starting.iter().chain(ending.iter()).copied().collect();
            out.push(Node::marked_text(body, without(&drop)));
        } else {
            if lead > 0 {
                out.push(Node::marked_text(&body[..lead], without(&starting)));
            }
            out.push(Node::marked_text(
                &body[lead..body.len() - trail],
                text.marks.clone(),
            ));
            if trail > 0 {
                out.push(Node::marked_text(
                    &body[body.len() - trail..],
                    without(&ending),
                ));
            }
        }
    }
    out
}

/// An opened delimiter and the text that closes it.
struct OpenSpan {
    span: Span,
    closer: String,
}

fn render_inline(nodes: &[Node], context: InlineContext) -> String {
    // Leading/trailing hard breaks and blank text have no Markdown form (a trailing `\` is
    // literal and edge whitespace is stripped), so they are dropped up front.
    let blank = |n: &Node| match n {
        Node::HardBreak(_) => true,
        Node::Text(t) => !is_code(t) && t.text.trim().is_empty(),
        _ => false,
    };
    let start = nodes.iter().position(|n| !blank(n)).unwrap_or(nodes.len());
    let end = nodes
        .iter()
        .rposition(|n| !blank(n))
        .map_or(start, |i| i + 1);
    let nodes = hoist_edge_whitespace(&nodes[start..end]);
    let spans: Vec<Vec<Span>> = nodes.iter().map(spans_of).collect();
    let run_length = |from: usize, span: &Span| {
        spans[from..]
            .iter()
            .take_while(|node_spans| node_spans.contains(span))
            .count()
    };

    let mut out = String::new();
    let mut open: Vec<OpenSpan> = Vec::new();
    for (index, node) in nodes.iter().enumerate() {
        let wanted = &spans[index];
        if let Some(first_stale) = open.iter().position(|o| !wanted.contains(&o.span)) {
            while open.len() > first_stale {
                if let Some(closing) = open.pop() {
                    out.push_str(&closing.closer);
                }
            }
        }
        let mut opening: Vec<&Span> = wanted
            .iter()
            .filter(|span| !open.iter().any(|o| &o.span == *span))
            .collect();
        // Spans that last longer go outside so nesting stays proper.
        opening.sort_by_key(|span| Reverse(run_length(index, span)));
        for span in opening {
            let after_star = out.ends_with('*');
            let (opener, closer) = match span {
                Span::Strong if after_star => ("__", "__".to_owned()),
                Span::Strong => ("**", "**".to_owned()),
                Span::Em if after_star => ("_", "_".to_owned()),
                Span::Em => ("*", "*".to_owned()),
                Span::Strike => ("~~", "~~".to_owned()),
                Span::Link { href, title } => ("[", link_target(href, title.as_deref(), context)),
            };
            out.push_str(opener);
            open.push(OpenSpan {
                span: span.clone(),
                closer,
            });
        }
        render_inline_node(node, &mut out, context);
    }
    while let Some(closing) = open.pop() {
        out.push_str(&closing.closer);
    }
    out
}

fn render_inline_node(node: &Node, out: &mut String, context: InlineContext) {
    match node {
        Node::Text(text) if is_code(text) => render_code_span(&text.text, out, context),
        Node::Text(text) => escape_text(&text.text, out, context),
        Node::HardBreak(_) => push_line_break(out, context),
        Node::InlineCard(card) | Node::BlockCard(card) | Node::EmbedCard(card) => {
            match card.attrs.url.as_deref().filter(|u| !u.is_empty()) {
                Some(url) if is_autolink_safe(url) => {
                    out.push('<');
                    out.push_str(url);
                    out.push('>');
                }
                Some(url) => {
                    out.push('[');
                    escape_text(url, out, context);
                    out.push_str(&link_target(url, None, context));
                }
                None => escape_text("[link]", out, context),
            }
        }
        Node::Media(media) | Node::MediaInline(media)
            if media.attrs.media_type.as_deref() == Some("external")
                && media.attrs.url.as_deref().is_some_and(|u| !u.is_empty()) =>
        {
            let url = media.attrs.url.as_deref().unwrap_or_default();
            out.push_str("![");
            escape_text(media.attrs.alt.as_deref().unwrap_or(""), out, context);
            out.push_str(&link_target(url, None, context));
        }
        other => {
            let text = atom_label(other).unwrap_or_else(|| node_plain_text(other));
            escape_text(&text, out, context);
        }
    }
}

fn push_line_break(out: &mut String, context: InlineContext) {
    match context {
        InlineContext::Paragraph => {
            // Spaces before a line break are not content in Markdown; drop them so the output
            // is what a re-parse yields.
            while out.ends_with([' ', '\t']) {
                out.pop();
            }
            out.push_str("\\\n");
        }
        InlineContext::Heading => out.push(' '),
        InlineContext::TableCell => out.push_str("<br>"),
    }
}

/// URLs safe to write as `<url>`: an absolute URI with no spaces or angle brackets.
fn is_autolink_safe(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once(':') else {
        return false;
    };
    (2..=32).contains(&scheme.len())
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
        && !rest.is_empty()
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '|'))
}

/// `](destination "title")`, using the `<...>` destination form whenever the URL has characters
/// the bare form cannot hold.
fn link_target(href: &str, title: Option<&str>, context: InlineContext) -> String {
    let mut out = String::from("](");
    let needs_angle = href.is_empty()
        || href
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '(' | ')'));
    if needs_angle {
        out.push('<');
    }
    for (index, c) in href.char_indices() {
        match c {
            '\n' => out.push_str("%0A"),
            '\r' => out.push_str("%0D"),
            '\\' | '<' | '>' => {
                out.push('\\');
                out.push(c);
            }
            '|' if context == InlineContext::TableCell => out.push_str("\\|"),
            '&' if looks_like_entity(&href[index + 1..]) => out.push_str("\\&"),
            _ => out.push(c),
        }
    }
    if needs_angle {
        out.push('>');
    }
    if let Some(title) = title {
        out.push_str(" \"");
        for (index, c) in title.char_indices() {
            match c {
                '"' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                '|' if context == InlineContext::TableCell => out.push_str("\\|"),
                '&' if looks_like_entity(&title[index + 1..]) => out.push_str("\\&"),
                '\n' => out.push(' '),
                _ => out.push(c),
            }
        }
        out.push('"');
    }
    out.push(')');
    out
}

fn render_code_span(code: &str, out: &mut String, context: InlineContext) {
    let mut content = code.replace(['\n', '\r'], " ");
    if context == InlineContext::TableCell {
        content = content.replace('|', "\\|");
    }
    let fence = "`".repeat(longest_run(&content, '`') + 1);
    let pad = content.starts_with('`')
        || content.ends_with('`')
        || (content.starts_with(' ') && content.ends_with(' ') && !content.trim().is_empty());
    out.push_str(&fence);
    if pad {
        out.push(' ');
    }
    out.push_str(&content);
    if pad {
        out.push(' ');
    }
    out.push_str(&fence);
}

/// Whether text after `&` would be read as an HTML entity or numeric character reference.
fn looks_like_entity(rest: &str) -> bool {
    let body = rest.strip_prefix('#').map_or(rest, |numeric| {
        numeric.strip_prefix(['x', 'X']).unwrap_or(numeric)
    });
    let name_len = body
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    name_len > 0 && body[name_len..].starts_with(';')
}

/// Writes literal text, backslash-escaping exactly what Markdown would otherwise interpret.
fn escape_text(text: &str, out: &mut String, context: InlineContext) {
    let chars: Vec<char> = text.chars().collect();
    let mut byte_index = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at_line_start =
            context == InlineContext::Paragraph && (out.is_empty() || out.ends_with('\n'));
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        match c {
            // Leading whitespace on a line is not content (and could indent into a code block).
            ' ' | '\t' if at_line_start => {}
            '\n' => push_line_break(out, context),
            '\r' => {}
            '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '_' => {
                // Intraword underscores cannot open or close emphasis; keep snake_case readable.
                let intraword = prev.is_some_and(char::is_alphanumeric)
                    && next.is_some_and(char::is_alphanumeric);
                if !intraword {
                    out.push('\\');
                }
                out.push('_');
            }
            '!' if next.is_none() || next == Some('[') => out.push_str("\\!"),
            '&' if looks_like_entity(&text[byte_index + 1..]) => out.push_str("\\&"),
            '#' if at_line_start || context == InlineContext::Heading => out.push_str("\\#"),
            '-' | '+' | '=' if at_line_start => {
                out.push('\\');
                out.push(c);
            }
            '0'..='9' if at_line_start => {
                // "1. " / "1) " at a line start would begin an ordered list.
                let digits = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                for digit in &chars[i..i + digits] {
                    out.push(*digit);
                    byte_index += 1;
                }
                i += digits;
                if let Some(&delimiter @ ('.' | ')')) = chars.get(i) {
                    out.push('\\');
                    out.push(delimiter);
                    byte_index += 1;
                    i += 1;
                }
                continue;
            }
            _ => out.push(c),
        }
        byte_index += c.len_utf8();
        i += 1;
    }
}
