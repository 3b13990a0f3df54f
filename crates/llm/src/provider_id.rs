//! The closed set of language-model providers Planwright can talk to, and their public names.
//!
//! The public API (seed 000) names providers `openai`, `claude`, `gemini` and `kimi`; Planwright adds
//! `openai-compatible` (any server speaking OpenAI chat completions: Ollama, llama.cpp, vLLM, LiteLLM)
//! and `offline` (the deterministic generator that needs no key). The vendor names a user might type
//! instead (`anthropic`, `google`, `moonshot`) are accepted as aliases of the public names.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One language-model provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ProviderId {
    #[serde(rename = "openai")]
    OpenAi,
    #[serde(rename = "claude", alias = "anthropic")]
    Claude,
    #[serde(rename = "gemini", alias = "google")]
    Gemini,
    #[serde(rename = "kimi", alias = "moonshot")]
    Kimi,
    #[serde(rename = "openai-compatible")]
    OpenAiCompatible,
    #[serde(rename = "offline")]
    Offline,
}

/// The wire protocol a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireProtocol {
    /// OpenAI chat completions (OpenAI, Moonshot, and every OpenAI-compatible server).
    OpenAiChat,
    /// Anthropic messages.
    AnthropicMessages,
    /// Google Gemini generateContent.
    GeminiGenerateContent,
    /// No network: the deterministic offline generator.
    Offline,
}

impl ProviderId {
    /// Every provider, in the order `GET /models` lists them.
    pub const ALL: [ProviderId; 6] = [
        ProviderId::OpenAi,
        ProviderId::Claude,
        ProviderId::Gemini,
        ProviderId::Kimi,
        ProviderId::OpenAiCompatible,
        ProviderId::Offline,
    ];

    /// The public name used in requests and responses.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderId::OpenAi => "openai",
            ProviderId::Claude => "claude",
            ProviderId::Gemini => "gemini",
            ProviderId::Kimi => "kimi",
            ProviderId::OpenAiCompatible => "openai-compatible",
            ProviderId::Offline => "offline",
        }
    }

    /// Parses a public name or a vendor alias, ignoring case and surrounding spaces.
    pub fn parse(name: &str) -> Option<ProviderId> {
        match name.trim().to_ascii_lowercase().as_str() {
            "openai" => Some(ProviderId::OpenAi),
            "claude" | "anthropic" => Some(ProviderId::Claude),
            "gemini" | "google" => Some(ProviderId::Gemini),
            "kimi" | "moonshot" => Some(ProviderId::Kimi),
            "openai-compatible" | "openai_compatible" => Some(ProviderId::OpenAiCompatible),
            "offline" => Some(ProviderId::Offline),
            _ => None,
        }
    }

    /// The wire protocol this provider speaks.
    pub fn protocol(self) -> WireProtocol {
        match self {
            ProviderId::OpenAi | ProviderId::Kimi | ProviderId::OpenAiCompatible => {
                WireProtocol::OpenAiChat
            }
            ProviderId::Claude => WireProtocol::AnthropicMessages,
            ProviderId::Gemini => WireProtocol::GeminiGenerateContent,
            ProviderId::Offline => WireProtocol::Offline,
        }
    }

    /// The environment variable holding this provider's API key, for messages telling a user what to set.
    pub fn key_variable(self) -> Option<&'static str> {
        match self {
            ProviderId::OpenAi => Some("OPENAI_API_KEY"),
            ProviderId::Claude => Some("ANTHROPIC_API_KEY"),
            ProviderId::Gemini => Some("GOOGLE_API_KEY"),
            ProviderId::Kimi => Some("MOONSHOT_API_KEY"),
            ProviderId::OpenAiCompatible => Some("OPENAI_COMPATIBLE_API_KEY"),
            ProviderId::Offline => None,
        }
    }

    /// The environment variable naming a file that holds this provider's API key instead
    /// (`OPENAI_API_KEY_FILE`, …), re-read when the file changes.
    pub fn key_file_variable(self) -> Option<&'static str> {
        match self {
            ProviderId::OpenAi => Some("OPENAI_API_KEY_FILE"),
            ProviderId::Claude => Some("ANTHROPIC_API_KEY_FILE"),
            ProviderId::Gemini => Some("GOOGLE_API_KEY_FILE"),
            ProviderId::Kimi => Some("MOONSHOT_API_KEY_FILE"),
            ProviderId::OpenAiCompatible => Some("OPENAI_COMPATIBLE_API_KEY_FILE"),
            ProviderId::Offline => None,
        }
    }
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_aliases_parse() {
        for id in ProviderId::ALL {
            assert_eq!(ProviderId::parse(id.as_str()), Some(id));
            let json = serde_json::to_value(id).unwrap();
            assert_eq!(json, serde_json::Value::String(id.as_str().to_owned()));
        }
        assert_eq!(ProviderId::parse(" Anthropic "), Some(ProviderId::Claude));
        assert_eq!(ProviderId::parse("google"), Some(ProviderId::Gemini));
        assert_eq!(ProviderId::parse("moonshot"), Some(ProviderId::Kimi));
        assert_eq!(ProviderId::parse("mistral"), None);
        for id in ProviderId::ALL {
            assert_eq!(
                id.key_file_variable().map(str::to_owned),
                id.key_variable().map(|v| format!("{v}_FILE")),
                "{id}"
            );
        }
    }
}
