//! Typed model of the Atlassian Document Format (ADF), the JSON rich-text format of Jira Cloud
//! descriptions/comments and Confluence Cloud pages.
//!
//! Every node type the converters understand has a typed variant. Anything else — a node type
//! Atlassian adds later, or a known type whose attributes do not fit the typed shape — is kept as
//! raw JSON in [`Node::Unknown`] so a document always deserializes and re-serializes losslessly
//! instead of failing the whole request.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The root of an ADF document: `{"type":"doc","version":1,"content":[...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "doc")]
pub struct AdfDoc {
    /// Format version; Atlassian only defines version 1.
    pub version: u32,
    /// Top-level block nodes.
    #[serde(default)]
    pub content: Vec<Node>,
}

impl Default for AdfDoc {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

impl AdfDoc {
    /// A version-1 document with the given top-level blocks.
    pub fn new(content: Vec<Node>) -> Self {
        Self {
            version: 1,
            content,
        }
    }

    /// A document holding one paragraph per line of `text` (blank lines are skipped), the usual
    /// shape for plain text written into a Jira field.
    pub fn paragraph_text(text: &str) -> Self {
        Self::new(
            text.lines()
                .filter(|line| !line.trim().is_empty())
                .map(Node::paragraph_text)
                .collect(),
        )
    }

    /// Parses ADF JSON; unknown node types are kept as [`Node::Unknown`].
    pub fn from_json(value: Value) -> serde_json::Result<Self> {
        serde_json::from_value(value)
    }

    /// Serializes to a JSON value ready to be sent to Jira or Confluence.
    pub fn to_json(&self) -> Value {
        // Serializing plain data structures with string keys cannot fail.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// One ADF node. Variants carry the node's fields; the `type` tag is implied by the variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Node {
    Paragraph(Paragraph),
    Heading(Heading),
    Text(Text),
    HardBreak(HardBreak),
    CodeBlock(CodeBlock),
    BulletList(Container),
    OrderedList(OrderedList),
    ListItem(Container),
    Blockquote(Container),
    Rule,
    Table(Table),
    TableRow(Container),
    TableHeader(TableCell),
    TableCell(TableCell),
    Panel(Panel),
    Mention(Mention),
    Emoji(Emoji),
    InlineCard(Card),
    BlockCard(Card),
    EmbedCard(Card),
    // Boxed: media attributes are large and rare; keeping them inline would make every node
    // (mostly text and paragraphs) nearly twice as big.
    Media(Box<Media>),
    MediaInline(Box<Media>),
    MediaSingle(Bodied),
    MediaGroup(Container),
    Expand(Expand),
    NestedExpand(Expand),
    Status(Status),
    Date(Date),
    TaskList(TaskList),
    TaskItem(TaskItem),
    DecisionList(TaskList),
    DecisionItem(TaskItem),
    LayoutSection(Bodied),
    LayoutColumn(Bodied),
    Placeholder(Placeholder),
    Extension(Extension),
    BodiedExtension(Extension),
    InlineExtension(Extension),
    /// Any node this model does not know (or whose shape did not fit), kept verbatim.
    #[serde(untagged)]
    Unknown(Value),
}

impl Node {
    /// A text node without marks.
    pub fn text(text: impl Into<String>) -> Self {
        Node::Text(Text {
            text: text.into(),
            marks: Vec::new(),
        })
    }

    /// A text node with marks.
    pub fn marked_text(text: impl Into<String>, marks: Vec<Mark>) -> Self {
        Node::Text(Text {
            text: text.into(),
            marks,
        })
    }

    /// A paragraph holding `text` as a single unmarked text node (empty text gives an empty
    /// paragraph, because ADF forbids empty text nodes).
    pub fn paragraph_text(text: &str) -> Self {
        let content = if text.is_empty() {
            Vec::new()
        } else {
            vec![Node::text(text)]
        };
        Node::Paragraph(Paragraph {
            content,
            ..Paragraph::default()
        })
    }

    /// A paragraph with the given inline content.
    pub fn paragraph(content: Vec<Node>) -> Self {
        Node::Paragraph(Paragraph {
            content,
            ..Paragraph::default()
        })
    }

    /// A heading (level is clamped to ADF's 1..=6).
    pub fn heading(level: u8, content: Vec<Node>) -> Self {
        Node::Heading(Heading {
            attrs: HeadingAttrs {
                level: level.clamp(1, 6),
                extra: Map::new(),
            },
            content,
            marks: None,
        })
    }

    /// The `type` string this node serializes with.
    pub fn type_name(&self) -> &str {
        match self {
            Node::Paragraph(_) => "paragraph",
            Node::Heading(_) => "heading",
            Node::Text(_) => "text",
            Node::HardBreak(_) => "hardBreak",
            Node::CodeBlock(_) => "codeBlock",
            Node::BulletList(_) => "bulletList",
            Node::OrderedList(_) => "orderedList",
            Node::ListItem(_) => "listItem",
            Node::Blockquote(_) => "blockquote",
            Node::Rule => "rule",
            Node::Table(_) => "table",
            Node::TableRow(_) => "tableRow",
            Node::TableHeader(_) => "tableHeader",
            Node::TableCell(_) => "tableCell",
            Node::Panel(_) => "panel",
            Node::Mention(_) => "mention",
            Node::Emoji(_) => "emoji",
            Node::InlineCard(_) => "inlineCard",
            Node::BlockCard(_) => "blockCard",
            Node::EmbedCard(_) => "embedCard",
            Node::Media(_) => "media",
            Node::MediaInline(_) => "mediaInline",
            Node::MediaSingle(_) => "mediaSingle",
            Node::MediaGroup(_) => "mediaGroup",
            Node::Expand(_) => "expand",
            Node::NestedExpand(_) => "nestedExpand",
            Node::Status(_) => "status",
            Node::Date(_) => "date",
            Node::TaskList(_) => "taskList",
            Node::TaskItem(_) => "taskItem",
            Node::DecisionList(_) => "decisionList",
            Node::DecisionItem(_) => "decisionItem",
            Node::LayoutSection(_) => "layoutSection",
            Node::LayoutColumn(_) => "layoutColumn",
            Node::Placeholder(_) => "placeholder",
            Node::Extension(_) => "extension",
            Node::BodiedExtension(_) => "bodiedExtension",
            Node::InlineExtension(_) => "inlineExtension",
            Node::Unknown(value) => value
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("unknown"),
        }
    }

    /// Whether the node sits inside a paragraph (text-level) rather than between blocks.
    pub fn is_inline(&self) -> bool {
        match self {
            Node::Text(_)
            | Node::HardBreak(_)
            | Node::Mention(_)
            | Node::Emoji(_)
            | Node::InlineCard(_)
            | Node::MediaInline(_)
            | Node::Status(_)
            | Node::Date(_)
            | Node::Placeholder(_)
            | Node::InlineExtension(_) => true,
            Node::Unknown(value) => value.get("text").is_some_and(Value::is_string),
            _ => false,
        }
    }

    /// Child nodes of container nodes (empty for leaves). Children of unknown nodes are parsed
    /// from their raw `content` array so converters can still reach the text inside them.
    pub fn children(&self) -> std::borrow::Cow<'_, [Node]> {
        use std::borrow::Cow;
        match self {
            Node::Paragraph(p) => Cow::Borrowed(&p.content),
            Node::Heading(h) => Cow::Borrowed(&h.content),
            Node::CodeBlock(c) => Cow::Borrowed(&c.content),
            Node::BulletList(c)
            | Node::ListItem(c)
            | Node::Blockquote(c)
            | Node::TableRow(c)
            | Node::MediaGroup(c) => Cow::Borrowed(&c.content),
            Node::OrderedList(o) => Cow::Borrowed(&o.content),
            Node::Table(t) => Cow::Borrowed(&t.content),
            Node::TableHeader(c) | Node::TableCell(c) => Cow::Borrowed(&c.content),
            Node::Panel(p) => Cow::Borrowed(&p.content),
            Node::MediaSingle(b) | Node::LayoutSection(b) | Node::LayoutColumn(b) => {
                Cow::Borrowed(&b.content)
            }
            Node::Expand(e) | Node::NestedExpand(e) => Cow::Borrowed(&e.content),
            Node::TaskList(t) | Node::DecisionList(t) => Cow::Borrowed(&t.content),
            Node::TaskItem(t) | Node::DecisionItem(t) => Cow::Borrowed(&t.content),
            Node::Extension(e) | Node::BodiedExtension(e) | Node::InlineExtension(e) => {
                Cow::Borrowed(&e.content)
            }
            Node::Unknown(value) => Cow::Owned(
                value
                    .get("content")
                    .and_then(Value::as_array)
                    .map(|items| {
                        items
                            .iter()
                            .map(|item| {
                                serde_json::from_value(item.clone())
                                    .unwrap_or_else(|_| Node::Unknown(item.clone()))
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
            Node::Text(_)
            | Node::HardBreak(_)
            | Node::Rule
            | Node::Mention(_)
            | Node::Emoji(_)
            | Node::InlineCard(_)
            | Node::BlockCard(_)
            | Node::EmbedCard(_)
            | Node::Media(_)
            | Node::MediaInline(_)
            | Node::Status(_)
            | Node::Date(_)
            | Node::Placeholder(_) => Cow::Borrowed(&[]),
        }
    }
}

/// `paragraph`: inline content; `attrs`/`marks` (alignment, indentation, localId) kept raw.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paragraph {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<Node>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attrs: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marks: Option<Vec<Value>>,
}

/// `heading` with its level (1-6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heading {
    pub attrs: HeadingAttrs,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<Node>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marks: Option<Vec<Value>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadingAttrs {
    pub level: u8,
    /// Attributes this model does not interpret (e.g. `localId`), kept for round-trips.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `text` with its formatting marks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub marks: Vec<Mark>,
}

/// `hardBreak` (a line break inside a paragraph).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HardBreak {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attrs: Option<Value>,
}

/// `codeBlock`: plain (unmarked) text nodes plus an optional language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeBlock {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attrs: Option<CodeBlockAttrs>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<Node>,
}

impl CodeBlock {
    /// The language attribute, if set and non-empty.
    pub fn language(&self) -> Option<&str> {
        self.attrs
            .as_ref()
            .and_then(|a| a.language.as_deref())
            .filter(|l| !l.is_empty())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeBlockAttrs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Nodes that are just a list of children (`bulletList`, `listItem`, `blockquote`, `tableRow`,
/// `mediaGroup`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Container {
    #[serde(default)]
    pub content: Vec<Node>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attrs: Option<Value>,
}

impl Container {
    pub fn new(content: Vec<Node>) -> Self {
        Self {
            content,
            attrs: None,
        }
    }
}

/// `orderedList` with its starting number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderedList {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attrs: Option<OrderedListAttrs>,
    #[serde(default)]
    pub content: Vec<Node>,
}

impl OrderedList {
    /// The first item's number (ADF defaults to 1).
    pub fn start(&self) -> u64 {
        self.attrs.as_ref().and_then(|a| a.order).unwrap_or(1)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderedListAttrs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<u64>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `table`: rows; layout attributes kept raw.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attrs: Option<Value>,
    #[serde(default)]
    pub content: Vec<Node>,
}

/// `tableHeader` / `tableCell`: block content plus spans.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableCell {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attrs: Option<TableCellAttrs>,
    #[serde(default)]
    pub content: Vec<Node>,
}

impl TableCell {
    /// Number of columns the cell spans (at least 1).
    pub fn colspan(&self) -> usize {
        self.attrs
            .as_ref()
            .and_then(|a| a.colspan)
            .map_or(1, |c| c.max(1) as usize)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableCellAttrs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colspan: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rowspan: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colwidth: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<String>,
}

/// `panel` (info/note/tip/warning/error/success/custom callout).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Panel {
    pub attrs: PanelAttrs,
    #[serde(default)]
    pub content: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelAttrs {
    #[serde(rename = "panelType")]
    pub panel_type: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `mention` of a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    pub attrs: MentionAttrs,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentionAttrs {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `emoji`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Emoji {
    pub attrs: EmojiAttrs,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmojiAttrs {
    #[serde(rename = "shortName")]
    pub short_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// `inlineCard` / `blockCard` / `embedCard` (smart links).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub attrs: CardAttrs,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardAttrs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `media` / `mediaInline` (an attachment or external image).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Media {
    pub attrs: MediaAttrs,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marks: Option<Vec<Value>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaAttrs {
    /// `file`, `link` or `external`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Nodes with raw attributes and block children (`mediaSingle`, layout sections and columns).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bodied {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attrs: Option<Value>,
    #[serde(default)]
    pub content: Vec<Node>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marks: Option<Vec<Value>>,
}

/// `expand` / `nestedExpand` (collapsible section with a title).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expand {
    #[serde(default)]
    pub attrs: ExpandAttrs,
    #[serde(default)]
    pub content: Vec<Node>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marks: Option<Vec<Value>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpandAttrs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// `status` lozenge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub attrs: StatusAttrs,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusAttrs {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `date` (a UTC day given as epoch milliseconds in a string).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Date {
    pub attrs: DateAttrs,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateAttrs {
    pub timestamp: String,
}

/// `taskList` / `decisionList`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskList {
    #[serde(default)]
    pub attrs: LocalIdAttrs,
    #[serde(default)]
    pub content: Vec<Node>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalIdAttrs {
    #[serde(rename = "localId", default)]
    pub local_id: String,
}

/// `taskItem` (`TODO`/`DONE`) / `decisionItem` (`DECIDED`/`UNDECIDED`): inline content.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskItem {
    pub attrs: TaskItemAttrs,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<Node>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskItemAttrs {
    #[serde(rename = "localId", default)]
    pub local_id: String,
    #[serde(default)]
    pub state: String,
}

impl TaskItem {
    /// Whether a task is done (or a decision decided).
    pub fn is_done(&self) -> bool {
        matches!(self.attrs.state.as_str(), "DONE" | "DECIDED")
    }
}

/// `placeholder` (template hint text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placeholder {
    pub attrs: PlaceholderAttrs,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceholderAttrs {
    pub text: String,
}

/// `extension` / `bodiedExtension` / `inlineExtension` (app macros).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    #[serde(default)]
    pub attrs: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<Node>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marks: Option<Vec<Value>>,
}

impl Extension {
    /// The extension key (macro name), if present.
    pub fn key(&self) -> Option<&str> {
        self.attrs.get("extensionKey").and_then(Value::as_str)
    }
}

/// A formatting mark on a text node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Mark {
    Strong,
    Em,
    Strike,
    Code,
    Underline,
    Link {
        attrs: LinkAttrs,
    },
    Subsup {
        attrs: SubsupAttrs,
    },
    TextColor {
        attrs: TextColorAttrs,
    },
    /// A mark this model does not know (annotation, backgroundColor, ...), kept verbatim.
    #[serde(untagged)]
    Unknown(Value),
}

impl Mark {
    /// A link mark to `href`.
    pub fn link(href: impl Into<String>) -> Self {
        Mark::Link {
            attrs: LinkAttrs {
                href: href.into(),
                title: None,
                extra: Map::new(),
            },
        }
    }

    /// Canonical nesting rank: marks on a text node are kept sorted by it so that equal
    /// formatting always serializes identically.
    pub(crate) fn rank(&self) -> u8 {
        match self {
            Mark::Link { .. } => 0,
            Mark::Strong => 1,
            Mark::Em => 2,
            Mark::Strike => 3,
            Mark::Underline => 4,
            Mark::Subsup { .. } => 5,
            Mark::TextColor { .. } => 6,
            Mark::Code => 7,
            Mark::Unknown(_) => 8,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkAttrs {
    pub href: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubsupAttrs {
    /// `sub` or `sup`.
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextColorAttrs {
    pub color: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_node_types_and_marks_survive_a_round_trip() {
        let raw = json!({
            "type": "doc", "version": 1,
            "content": [
                {"type": "futureWidget", "attrs": {"x": 1}, "content": [{"type": "text", "text": "hi"}]},
                {"type": "paragraph", "content": [
                    {"type": "text", "text": "note", "marks": [{"type": "annotation", "attrs": {"id": "a1", "annotationType": "inlineComment"}}]}
                ]}
            ]
        });
        let doc = AdfDoc::from_json(raw.clone()).expect("unknown types must deserialize");
        assert!(matches!(doc.content[0], Node::Unknown(_)));
        assert_eq!(doc.content[0].type_name(), "futureWidget");
        assert_eq!(doc.content[0].children().len(), 1);
        assert_eq!(doc.to_json(), raw);
    }

    #[test]
    fn known_type_with_unexpected_shape_falls_back_to_raw_json() {
        let raw = json!({"type": "doc", "version": 1, "content": [
            {"type": "heading", "attrs": {"level": "not a number"}}
        ]});
        let doc = AdfDoc::from_json(raw.clone()).unwrap();
        assert!(matches!(doc.content[0], Node::Unknown(_)));
        assert_eq!(doc.to_json(), raw);
    }

    #[test]
    fn typed_nodes_parse_with_their_attributes() {
        let raw = json!({"type": "doc", "version": 1, "content": [
            {"type": "heading", "attrs": {"level": 2, "localId": "h1"}, "content": [{"type": "text", "text": "T"}]},
            {"type": "panel", "attrs": {"panelType": "info"}, "content": [{"type": "paragraph"}]},
            {"type": "codeBlock", "attrs": {"language": "rust"}, "content": [{"type": "text", "text": "fn x() {}"}]},
            {"type": "paragraph", "content": [
                {"type": "mention", "attrs": {"id": "123", "text": "@Ann"}},
                {"type": "text", "text": "x", "marks": [{"type": "link", "attrs": {"href": "https://e.x"}}, {"type": "strong"}]}
            ]}
        ]});
        let doc = AdfDoc::from_json(raw.clone()).unwrap();
        let Node::Heading(h) = &doc.content[0] else {
            panic!("heading expected, got {:?}", doc.content[0])
        };
        assert_eq!(h.attrs.level, 2);
        assert!(matches!(&doc.content[1], Node::Panel(p) if p.attrs.panel_type == "info"));
        assert!(matches!(&doc.content[2], Node::CodeBlock(c) if c.language() == Some("rust")));
        assert_eq!(doc.to_json(), raw);
    }

    #[test]
    fn paragraph_text_builds_one_paragraph_per_line() {
        let doc = AdfDoc::paragraph_text("first\n\nsecond");
        assert_eq!(
            doc.to_json(),
            json!({"type": "doc", "version": 1, "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": "first"}]},
                {"type": "paragraph", "content": [{"type": "text", "text": "second"}]}
            ]})
        );
    }
}
