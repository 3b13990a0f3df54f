//! Markdown -> ADF: a stack walker over pulldown-cmark events (CommonMark + GFM tables,
//! strikethrough and task lists).
//!
//! The output always satisfies the official ADF JSON schema, so constructs ADF cannot nest
//! (a heading inside a list item, a table inside a quote, ...) are degraded to the closest
//! allowed shape instead of being dropped; see [`fit_blocks`].

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use crate::adf::{
    AdfDoc, CodeBlock, CodeBlockAttrs, Container, HardBreak, LocalIdAttrs, Mark, Node, OrderedList,
    OrderedListAttrs, Table, TableCell, TaskItem, TaskItemAttrs, TaskList, Text,
};

/// Converts Markdown to an ADF document that validates against the ADF schema.
///
/// Supported: headings, paragraphs, strong/em/strike/inline code, links, fenced and indented
/// code blocks (with language), bullet/ordered/nested lists, task lists, GFM tables (first row
/// becomes header cells), blockquotes, rules and hard breaks. Images become a link whose text
/// is the alt text; `<br>` becomes a hard break; any other HTML is kept as literal text.
pub fn markdown_to_adf(markdown: &str) -> AdfDoc {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut builder = Builder::default();
    for event in Parser::new_ext(markdown, options) {
        builder.event(event);
    }
    builder.finish()
}

/// What an open frame on the builder stack is collecting.
enum FrameKind {
    Root,
    Paragraph,
    Heading(u8),
    Blockquote,
    List {
        start: Option<u64>,
    },
    Item {
        task: Option<bool>,
    },
    CodeBlock {
        language: Option<String>,
        text: String,
    },
    HtmlBlock {
        html: String,
    },
    Table,
    TableRow {
        header: bool,
    },
    TableCell {
        header: bool,
    },
}

struct Frame {
    kind: FrameKind,
    /// Finished block children.
    blocks: Vec<Node>,
    /// Inline content not yet wrapped in a block (tight list items put text directly here).
    inline: Vec<Node>,
    /// For lists: each finished item's blocks and task-marker state.
    items: Vec<(Vec<Node>, Option<bool>)>,
}

impl Frame {
    fn new(kind: FrameKind) -> Self {
        Self {
            kind,
            blocks: Vec::new(),
            inline: Vec::new(),
            items: Vec::new(),
        }
    }

    /// Wraps pending inline content in a paragraph so block order is preserved.
    fn flush_inline(&mut self) {
        if !self.inline.is_empty() {
            let inline = std::mem::take(&mut self.inline);
            self.blocks.push(Node::paragraph(finish_inline(inline)));
        }
    }
}

/// A block's inline content in the form the renderer writes it, so that rendering and parsing
/// it again gives it back: no hard breaks at its edges, and whitespace at the edge of an
/// emphasis run outside it (`*p `b`*` ends the emphasis at `p ` because code cannot carry it,
/// and `*p *` is not emphasis), adjacent text with the same marks merged.
fn finish_inline(inline: Vec<Node>) -> Vec<Node> {
    let mut out = Vec::new();
    for node in super::render::hoist_edge_whitespace(&without_edge_breaks(inline)) {
        match node {
            Node::Text(text) => push_merged_text(&mut out, &text.text, text.marks),
            other => out.push(other),
        }
    }
    out
}

/// Drops hard breaks at the start and end of a block's inline content. Markdown can write one
/// at the start (`\` alone on the first line) but not at the end, and the renderer writes
/// neither (see `render_inline`), so keeping them would break the round trip; they carry no text.
fn without_edge_breaks(mut inline: Vec<Node>) -> Vec<Node> {
    let leading = inline
        .iter()
        .take_while(|node| matches!(node, Node::HardBreak(_)))
        .count();
    inline.drain(..leading);
    while matches!(inline.last(), Some(Node::HardBreak(_))) {
        inline.pop();
    }
    inline
}

/// Where a block sequence ends up; decides which ADF children are allowed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BlockContext {
    ListItem,
    Blockquote,
}

/// An open inline span that contributes a mark to text inside it.
struct OpenMark {
    mark: Mark,
    /// Count of characters emitted when the span opened; links and images that end up with no
    /// text get their URL as text so they do not vanish.
    emitted_at_open: usize,
}

struct Builder {
    /// The document's own frame, below every open one.
    root: Frame,
    /// The open frames above the root, innermost last.
    stack: Vec<Frame>,
    marks: Vec<OpenMark>,
    emitted_chars: usize,
    next_local_id: u32,
    /// Set by a hard break: spaces starting the next text go, as they do after `\` + newline,
    /// the only way the renderer writes a break in a paragraph.
    after_break: bool,
}

impl Default for Builder {
    fn default() -> Self {
        Self {
            root: Frame::new(FrameKind::Root),
            stack: Vec::new(),
            marks: Vec::new(),
            emitted_chars: 0,
            next_local_id: 0,
            after_break: false,
        }
    }
}

impl Builder {
    fn top(&mut self) -> &mut Frame {
        self.stack.last_mut().unwrap_or(&mut self.root)
    }

    fn push(&mut self, kind: FrameKind) {
        self.stack.push(Frame::new(kind));
    }

    fn pop(&mut self) -> Frame {
        self.after_break = false;
        // An unbalanced end event (pulldown-cmark never emits one) pops nothing; collecting
        // goes on at the root.
        self.stack
            .pop()
            .unwrap_or_else(|| Frame::new(FrameKind::Paragraph))
    }

    fn add_block(&mut self, node: Node) {
        let top = self.top();
        top.flush_inline();
        top.blocks.push(node);
    }

    fn local_id(&mut self, prefix: &str) -> String {
        self.next_local_id += 1;
        format!("{prefix}-{}", self.next_local_id)
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => {
                if let Some(frame) = self.code_or_html_frame() {
                    match &mut frame.kind {
                        FrameKind::CodeBlock { text: code, .. } => code.push_str(&text),
                        FrameKind::HtmlBlock { html } => html.push_str(&text),
                        _ => {}
                    }
                } else {
                    self.push_text(&text, false);
                }
            }
            Event::Code(code) => self.push_text(&code, true),
            Event::Html(html) => {
                if let Some(FrameKind::HtmlBlock { html: buffer }) =
                    self.code_or_html_frame().map(|f| &mut f.kind)
                {
                    buffer.push_str(&html);
                } else {
                    self.push_inline_html(&html);
                }
            }
            Event::InlineHtml(html) => self.push_inline_html(&html),
            Event::SoftBreak => self.push_text(" ", false),
            Event::HardBreak => self.push_hard_break(),
            Event::Rule => self.add_block(Node::Rule),
            Event::TaskListMarker(checked) => {
                if let Some(frame) = self
                    .stack
                    .iter_mut()
                    .rev()
                    .find(|f| matches!(f.kind, FrameKind::Item { .. }))
                {
                    frame.kind = FrameKind::Item {
                        task: Some(checked),
                    };
                }
            }
            // Not enabled in the parser options; keep their source text if they ever appear.
            Event::InlineMath(text) | Event::DisplayMath(text) => self.push_text(&text, false),
            Event::FootnoteReference(label) => self.push_text(&format!("[^{label}]"), false),
        }
    }

    fn code_or_html_frame(&mut self) -> Option<&mut Frame> {
        let top = self.top();
        matches!(
            top.kind,
            FrameKind::CodeBlock { .. } | FrameKind::HtmlBlock { .. }
        )
        .then_some(top)
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => self.push(FrameKind::Paragraph),
            Tag::Heading { level, .. } => self.push(FrameKind::Heading(level as u8)),
            Tag::BlockQuote(_) => self.push(FrameKind::Blockquote),
            Tag::CodeBlock(kind) => {
                let language = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split_whitespace()
                        .next()
                        .map(str::to_owned)
                        .filter(|l| !l.is_empty()),
                    CodeBlockKind::Indented => None,
                };
                self.push(FrameKind::CodeBlock {
                    language,
                    text: String::new(),
                });
            }
            Tag::HtmlBlock => self.push(FrameKind::HtmlBlock {
                html: String::new(),
            }),
            Tag::List(start) => self.push(FrameKind::List { start }),
            Tag::Item => self.push(FrameKind::Item { task: None }),
            Tag::Table(_) => self.push(FrameKind::Table),
            Tag::TableHead => self.push(FrameKind::TableRow { header: true }),
            Tag::TableRow => self.push(FrameKind::TableRow { header: false }),
            Tag::TableCell => {
                let header = self
                    .stack
                    .iter()
                    .rev()
                    .find_map(|f| match f.kind {
                        FrameKind::TableRow { header } => Some(header),
                        _ => None,
                    })
                    .unwrap_or(false);
                self.push(FrameKind::TableCell { header });
            }
            Tag::Emphasis => self.open_mark(Mark::Em),
            Tag::Strong => self.open_mark(Mark::Strong),
            Tag::Strikethrough => self.open_mark(Mark::Strike),
            Tag::Link {
                dest_url, title, ..
            }
            | Tag::Image {
                dest_url, title, ..
            } => {
                let mut mark = Mark::link(dest_url.to_string());
                if let Mark::Link { attrs } = &mut mark
                    && !title.is_empty()
                {
                    attrs.title = Some(title.to_string());
                }
                self.open_mark(mark);
            }
            // Extensions that are not enabled: their content simply flows into the parent.
            Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Superscript
            | Tag::Subscript
            | Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                let frame = self.pop();
                self.add_block(Node::paragraph(finish_inline(frame.inline)));
            }
            TagEnd::Heading(_) => {
                let frame = self.pop();
                let level = match frame.kind {
                    FrameKind::Heading(level) => level,
                    _ => 1,
                };
                // A heading is one line: the renderer writes a break in it (only `<br>` makes
                // one) as a space, so it is one here too.
                let mut inline = Vec::new();
                for node in finish_inline(frame.inline) {
                    match node {
                        Node::HardBreak(_) => push_merged_text(&mut inline, " ", Vec::new()),
                        Node::Text(text) => push_merged_text(&mut inline, &text.text, text.marks),
                        other => inline.push(other),
                    }
                }
                self.add_block(Node::heading(level, inline));
            }
            TagEnd::BlockQuote(_) => {
                let mut frame = self.pop();
                frame.flush_inline();
                let mut content = fit_blocks(frame.blocks, BlockContext::Blockquote);
                if content.is_empty() {
                    content.push(Node::paragraph(Vec::new()));
                }
                self.add_block(Node::Blockquote(Container::new(content)));
            }
            TagEnd::CodeBlock => {
                let frame = self.pop();
                if let FrameKind::CodeBlock { language, mut text } = frame.kind {
                    // pulldown-cmark ends the last code line with '\n'; ADF stores lines joined.
                    if text.ends_with('\n') {
                        text.pop();
                    }
                    let content = if text.is_empty() {
                        Vec::new()
                    } else {
                        vec![Node::text(text)]
                    };
                    self.add_block(Node::CodeBlock(CodeBlock {
                        attrs: language.map(|language| CodeBlockAttrs {
                            language: Some(language),
                            extra: Default::default(),
                        }),
                        content,
                    }));
                }
            }
            TagEnd::HtmlBlock => {
                let frame = self.pop();
                if let FrameKind::HtmlBlock { html } = frame.kind {
                    let mut inline = Vec::new();
                    for line in html.lines().map(str::trim).filter(|l| !l.is_empty()) {
                        if !inline.is_empty() {
                            inline.push(Node::HardBreak(HardBreak::default()));
                        }
                        inline.push(Node::text(line));
                    }
                    if !inline.is_empty() {
                        self.add_block(Node::paragraph(inline));
                    }
                }
            }
            TagEnd::Item => {
                let mut frame = self.pop();
                frame.flush_inline();
                let task = match frame.kind {
                    FrameKind::Item { task } => task,
                    _ => None,
                };
                let blocks = frame.blocks;
                self.top().items.push((blocks, task));
            }
            TagEnd::List(_) => {
                let frame = self.pop();
                let start = match frame.kind {
                    FrameKind::List { start } => start,
                    _ => None,
                };
                let list = self.finish_list(start, frame.items);
                self.add_block(list);
            }
            TagEnd::TableCell => {
                let frame = self.pop();
                let header = matches!(frame.kind, FrameKind::TableCell { header: true });
                let cell = TableCell {
                    attrs: None,
                    content: vec![Node::paragraph(finish_inline(frame.inline))],
                };
                let node = if header {
                    Node::TableHeader(cell)
                } else {
                    Node::TableCell(cell)
                };
                self.top().blocks.push(node);
            }
            TagEnd::TableHead | TagEnd::TableRow => {
                let frame = self.pop();
                if !frame.blocks.is_empty() {
                    self.top()
                        .blocks
                        .push(Node::TableRow(Container::new(frame.blocks)));
                }
            }
            TagEnd::Table => {
                let frame = self.pop();
                if !frame.blocks.is_empty() {
                    self.add_block(Node::Table(Table {
                        attrs: None,
                        content: frame.blocks,
                    }));
                }
            }
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => {
                self.marks.pop();
            }
            TagEnd::Link | TagEnd::Image => {
                if let Some(open) = self.marks.pop()
                    && open.emitted_at_open == self.emitted_chars
                    && let Mark::Link { attrs } = &open.mark
                    && !attrs.href.is_empty()
                {
                    // `[](url)` or `![](img)`: show the URL rather than losing the link.
                    let href = attrs.href.clone();
                    self.marks.push(open);
                    self.push_text(&href, false);
                    self.marks.pop();
                }
            }
            TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::MetadataBlock(_) => {}
        }
    }

    fn open_mark(&mut self, mark: Mark) {
        self.marks.push(OpenMark {
            mark,
            emitted_at_open: self.emitted_chars,
        });
    }

    /// The marks a text node gets from the open spans: one of each kind (the innermost link
    /// wins), code combined only with link as ADF requires, in canonical order.
    fn current_marks(&self, code: bool) -> Vec<Mark> {
        let mut marks: Vec<Mark> = Vec::new();
        for open in self.marks.iter().rev() {
            if code && !matches!(open.mark, Mark::Link { .. }) {
                continue;
            }
            if !marks.iter().any(|m| m.rank() == open.mark.rank()) {
                marks.push(open.mark.clone());
            }
        }
        if code {
            marks.push(Mark::Code);
        }
        marks.sort_by_key(Mark::rank);
        marks
    }

    fn push_text(&mut self, text: &str, code: bool) {
        let text = if std::mem::take(&mut self.after_break) && !code {
            text.trim_start_matches([' ', '\t'])
        } else {
            text
        };
        if text.is_empty() {
            return;
        }
        self.emitted_chars += text.len();
        let marks = self.current_marks(code);
        push_merged_text(&mut self.top().inline, text, marks);
    }

    /// A hard break drops the spaces around it (an inline `<br>` keeps them in pulldown-cmark's
    /// events), as the renderer's `\` + newline cannot carry them.
    fn push_hard_break(&mut self) {
        let inline = &mut self.top().inline;
        if let Some(Node::Text(last)) = inline.last_mut()
            && !last.marks.contains(&Mark::Code)
        {
            let kept = last.text.trim_end_matches([' ', '\t']).len();
            last.text.truncate(kept);
            if last.text.is_empty() {
                inline.pop();
            }
        }
        inline.push(Node::HardBreak(HardBreak::default()));
        self.after_break = true;
    }

    fn push_inline_html(&mut self, html: &str) {
        let tag = html.trim().to_ascii_lowercase();
        if matches!(tag.as_str(), "<br>" | "<br/>" | "<br />") {
            self.push_hard_break();
        } else {
            self.push_text(html, false);
        }
    }

    /// Builds the ADF list for finished items: a `taskList` when every item is a one-paragraph
    /// task, otherwise a bullet/ordered list whose task items keep a readable `[ ]`/`[x]` prefix.
    fn finish_list(&mut self, start: Option<u64>, items: Vec<(Vec<Node>, Option<bool>)>) -> Node {
        let all_simple_tasks = start.is_none()
            && !items.is_empty()
            && items.iter().all(|(blocks, task)| {
                task.is_some()
                    && blocks.len() == 1
                    && matches!(&blocks[0], Node::Paragraph(p) if !p.content.is_empty())
            });
        if all_simple_tasks {
            let list_id = self.local_id("task-list");
            let mut content = Vec::with_capacity(items.len());
            for (mut blocks, task) in items {
                let inline = match blocks.pop() {
                    Some(Node::Paragraph(p)) => p.content,
                    _ => Vec::new(),
                };
                let state = if task == Some(true) { "DONE" } else { "TODO" };
                content.push(Node::TaskItem(TaskItem {
                    attrs: TaskItemAttrs {
                        local_id: self.local_id("task"),
                        state: state.to_owned(),
                    },
                    content: inline,
                }));
            }
            return Node::TaskList(TaskList {
                attrs: LocalIdAttrs { local_id: list_id },
                content,
            });
        }
        let content = items
            .into_iter()
            .map(|(blocks, task)| {
                let mut blocks = fit_blocks(blocks, BlockContext::ListItem);
                if let Some(done) = task {
                    let prefix = if done { "[x] " } else { "[ ] " };
                    prepend_text(&mut blocks, prefix);
                }
                Node::ListItem(Container::new(blocks))
            })
            .collect();
        match start {
            Some(order) => Node::OrderedList(OrderedList {
                attrs: Some(OrderedListAttrs {
                    order: Some(order),
                    extra: Default::default(),
                }),
                content,
            }),
            None => Node::BulletList(Container::new(content)),
        }
    }

    fn finish(mut self) -> AdfDoc {
        // Close anything left open (pulldown-cmark balances its events, so normally only root).
        while !self.stack.is_empty() {
            let mut frame = self.pop();
            frame.flush_inline();
            for block in frame.blocks {
                self.add_block(block);
            }
        }
        let mut root = self.pop_root();
        root.flush_inline();
        AdfDoc::new(root.blocks)
    }

    fn pop_root(&mut self) -> Frame {
        std::mem::replace(&mut self.root, Frame::new(FrameKind::Root))
    }
}

/// Appends text to an inline sequence, merging with the previous text node when the marks are
/// identical so equal content always produces identical ADF.
pub(crate) fn push_merged_text(inline: &mut Vec<Node>, text: &str, marks: Vec<Mark>) {
    if text.is_empty() {
        return;
    }
    if let Some(Node::Text(last)) = inline.last_mut()
        && last.marks == marks
    {
        last.text.push_str(text);
        return;
    }
    inline.push(Node::Text(Text {
        text: text.to_owned(),
        marks,
    }));
}

/// Puts unmarked `prefix` text at the start of the first paragraph (adding one if needed).
fn prepend_text(blocks: &mut Vec<Node>, prefix: &str) {
    if let Some(Node::Paragraph(p)) = blocks.first_mut() {
        if p.content.is_empty() {
            // Markdown drops trailing spaces, so an empty item keeps just the checkbox.
            p.content.push(Node::text(prefix.trim_end()));
            return;
        }
        let mut inline = Vec::with_capacity(p.content.len() + 1);
        push_merged_text(&mut inline, prefix, Vec::new());
        for node in p.content.drain(..) {
            match node {
                Node::Text(t) => push_merged_text(&mut inline, &t.text, t.marks),
                other => inline.push(other),
            }
        }
        p.content = inline;
    } else {
        blocks.insert(0, Node::paragraph_text(prefix.trim_end()));
    }
}

/// Rewrites blocks so each is allowed in `context` by the ADF schema, keeping their text:
/// headings become bold paragraphs, nested quotes are unwrapped, rules become `---` text,
/// tables become one ` | `-joined paragraph per row, task lists inside quotes become bullet
/// lists. A list item additionally must start with a paragraph or code block.
fn fit_blocks(blocks: Vec<Node>, context: BlockContext) -> Vec<Node> {
    let mut out = Vec::with_capacity(blocks.len());
    for block in blocks {
        match block {
            Node::Paragraph(_)
            | Node::BulletList(_)
            | Node::OrderedList(_)
            | Node::CodeBlock(_) => out.push(block),
            Node::TaskList(list) if context == BlockContext::ListItem => {
                out.push(Node::TaskList(list))
            }
            Node::TaskList(list) => out.push(task_list_as_bullets(list)),
            // An empty paragraph has no Markdown form, so an empty heading leaves nothing.
            Node::Heading(heading) if heading.content.is_empty() => {}
            Node::Heading(heading) => out.push(Node::paragraph(emphasize(heading.content))),
            // An empty nested quote holds only a placeholder paragraph, which has no Markdown
            // form once unwrapped.
            Node::Blockquote(quote) => out.extend(
                fit_blocks(quote.content, context)
                    .into_iter()
                    .filter(|block| !matches!(block, Node::Paragraph(p) if p.content.is_empty())),
            ),
            Node::Rule => out.push(Node::paragraph_text("---")),
            Node::Table(table) => out.extend(table_as_paragraphs(table)),
            other => out.push(Node::paragraph_text(
                crate::plain_text::node_plain_text(&other).trim(),
            )),
        }
    }
    if context == BlockContext::ListItem
        && !matches!(
            out.first(),
            Some(Node::Paragraph(_) | Node::CodeBlock(_) | Node::MediaSingle(_))
        )
    {
        out.insert(0, Node::paragraph(Vec::new()));
    }
    out
}

/// Adds a strong mark to text (not to code text, which may only carry a link).
fn emphasize(inline: Vec<Node>) -> Vec<Node> {
    inline
        .into_iter()
        .map(|node| match node {
            Node::Text(mut text)
                if !text
                    .marks
                    .iter()
                    .any(|m| matches!(m, Mark::Code | Mark::Strong)) =>
            {
                text.marks.push(Mark::Strong);
                text.marks.sort_by_key(Mark::rank);
                Node::Text(text)
            }
            other => other,
        })
        .collect()
}

fn table_as_paragraphs(table: Table) -> Vec<Node> {
    let mut paragraphs = Vec::new();
    for row in table.content {
        let mut inline: Vec<Node> = Vec::new();
        for cell in row.children().iter() {
            let cell_inline: Vec<Node> = cell
                .children()
                .iter()
                .flat_map(|block| block.children().into_owned())
                .collect();
            if cell_inline.is_empty() {
                continue;
            }
            if !inline.is_empty() {
                push_merged_text(&mut inline, " | ", Vec::new());
            }
            for node in cell_inline {
                match node {
                    Node::Text(t) => push_merged_text(&mut inline, &t.text, t.marks),
                    other => inline.push(other),
                }
            }
        }
        if !inline.is_empty() {
            paragraphs.push(Node::paragraph(inline));
        }
    }
    paragraphs
}

fn task_list_as_bullets(list: TaskList) -> Node {
    let items = list
        .content
        .into_iter()
        .map(|item| match item {
            Node::TaskItem(task) => {
                let prefix = if task.is_done() { "[x] " } else { "[ ] " };
                let mut blocks = vec![Node::paragraph(task.content)];
                prepend_text(&mut blocks, prefix);
                Node::ListItem(Container::new(blocks))
            }
            Node::TaskList(nested) => Node::ListItem(Container::new(vec![
                Node::paragraph(Vec::new()),
                task_list_as_bullets(nested),
            ])),
            other => Node::ListItem(Container::new(vec![Node::paragraph_text(
                crate::plain_text::node_plain_text(&other).trim(),
            )])),
        })
        .collect();
    Node::BulletList(Container::new(items))
}
