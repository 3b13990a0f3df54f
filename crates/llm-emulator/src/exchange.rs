//! A request reduced to what the emulator's rules need, whatever protocol carried it.

use serde_json::Value;

use crate::instance;
use crate::script::Reply;

/// What one request asked for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Exchange {
    pub model: String,
    /// The first user message (the task prompt).
    pub first_user_text: String,
    /// Every text of the request, for the input token count and a schema written in the prompt.
    pub all_text: String,
    /// The response schema and its name, when the request carries one.
    pub schema: Option<Value>,
    pub schema_name: Option<String>,
    /// A tool the request forces the model to call, with its parameter schema.
    pub forced_tool: Option<(String, Value)>,
    pub stream: bool,
    pub include_usage: bool,
}

impl Exchange {
    /// The rule-based reply: a forced tool call, a schema-valid answer, or a plain sentence.
    pub fn rule_reply(&self) -> Reply {
        if let Some((name, parameters)) = &self.forced_tool {
            return Reply::ToolCall {
                name: name.clone(),
                arguments: instance::answer_for(Some(name), parameters, &self.first_user_text),
            };
        }
        let schema = self
            .schema
            .clone()
            .or_else(|| instance::schema_in_prompt(&self.all_text));
        let text = match schema {
            Some(schema) => {
                instance::answer_for(self.schema_name.as_deref(), &schema, &self.first_user_text)
                    .to_string()
            }
            None => "This is the LLM emulator's answer.".to_owned(),
        };
        Reply::Text {
            text,
            truncated: false,
        }
    }

    pub fn input_tokens(&self) -> u64 {
        crate::tokens(self.all_text.chars().count())
    }
}

/// Text of a message `content` that is a string or an array of `{type: text, text}` blocks.
pub(crate) fn content_text(content: &Value) -> String {
    match content {
        Value::String(text) => text.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .filter_map(|b| b.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(""),
        _ => String::new(),
    }
}
