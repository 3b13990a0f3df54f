//! Token budgets: how much `additional_context` fits in a call, and how many output tokens to ask
//! for, without ever exceeding the model's context window. Pure arithmetic, no I/O.
//!
//! With a known context window the room for context is
//! `window − reserved output − estimated prompt tokens − safety margin`, and text is measured with a
//! conservative estimate (3 ASCII characters per token, 1 token per other character, so code and
//! CJK text do not overflow). When the window is unknown (a custom server's model), seed 001's
//! formula is the fallback: `remaining = (M − 30% of M) − tokens_used − 100`, `chars = remaining × 3.5`,
//! and 1000 characters when no `M` is known either.

/// Tokens kept free on top of every estimate (seed 001's buffer).
pub const SAFETY_MARGIN_TOKENS: u64 = 100;
/// Framing tokens per message (role markers and separators).
pub const MESSAGE_OVERHEAD_TOKENS: u64 = 8;
/// The least output a call may be left with before it is pointless to send.
pub const MIN_OUTPUT_TOKENS: u32 = 256;
/// Seed 001: characters per token when converting a token room to characters.
pub const SEED_CHARS_PER_TOKEN: f64 = 3.5;
/// Seed 001: the limit when no token information is available.
pub const SEED_FALLBACK_CHARS: usize = 1000;
/// Appended where context was cut, so the model knows it is incomplete.
pub const TRUNCATION_MARKER: &str = "\n[… truncated]";

/// Conservative token estimate of a text (over-counts English prose by about a quarter).
pub fn estimate_tokens(text: &str) -> u64 {
    let (ascii, other) = text.chars().fold((0u64, 0u64), |(a, o), c| {
        if c.is_ascii() { (a + 1, o) } else { (a, o + 1) }
    });
    ascii.div_ceil(3) + other
}

/// Seed 001's character limit for `additional_context`, given the output budget `max_tokens` and the
/// tokens the system and base prompt already use.
pub fn seed_char_limit(max_tokens: Option<u32>, used_tokens: u64) -> usize {
    let Some(max_tokens) = max_tokens else {
        return SEED_FALLBACK_CHARS;
    };
    let max_tokens = u64::from(max_tokens);
    let reserve = max_tokens * 3 / 10;
    let remaining = (max_tokens - reserve)
        .saturating_sub(used_tokens)
        .saturating_sub(SAFETY_MARGIN_TOKENS);
    (remaining as f64 * SEED_CHARS_PER_TOKEN) as usize
}

/// How much context fits, measured the way the limit was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextRoom {
    /// Estimated tokens (known context window).
    Tokens(u64),
    /// Characters (seed 001 fallback).
    Chars(usize),
}

/// The room for `additional_context` in a call.
pub fn context_room(
    context_window: Option<u32>,
    reserved_output: u32,
    base_prompt_tokens: u64,
) -> ContextRoom {
    match context_window {
        Some(window) => ContextRoom::Tokens(
            u64::from(window)
                .saturating_sub(u64::from(reserved_output))
                .saturating_sub(base_prompt_tokens)
                .saturating_sub(SAFETY_MARGIN_TOKENS),
        ),
        None => ContextRoom::Chars(seed_char_limit(Some(reserved_output), base_prompt_tokens)),
    }
}

/// Context cut to its room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FittedContext {
    pub text: String,
    pub truncated: bool,
    pub original_chars: usize,
}

/// Cuts `text` to `room`, at the last sentence boundary (or, failing that, word boundary) that fits,
/// and marks the cut.
pub fn fit_context(text: &str, room: ContextRoom) -> FittedContext {
    let original_chars = text.chars().count();
    let fits_whole = match room {
        ContextRoom::Tokens(t) => estimate_tokens(text) <= t,
        ContextRoom::Chars(c) => original_chars <= c,
    };
    if fits_whole {
        return FittedContext {
            text: text.to_owned(),
            truncated: false,
            original_chars,
        };
    }
    // Room for the marker comes off the top.
    let end = match room {
        ContextRoom::Tokens(t) => {
            let mut budget = t.saturating_sub(estimate_tokens(TRUNCATION_MARKER)) * 3;
            let mut end = 0;
            for (i, c) in text.char_indices() {
                let cost = if c.is_ascii() { 1 } else { 3 };
                if cost > budget {
                    break;
                }
                budget -= cost;
                end = i + c.len_utf8();
            }
            end
        }
        ContextRoom::Chars(c) => {
            let keep = c.saturating_sub(TRUNCATION_MARKER.chars().count());
            text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i)
        }
    };
    let prefix = &text[..end];
    let cut = sentence_boundary(prefix).unwrap_or(prefix.len());
    let kept = prefix[..cut].trim_end();
    FittedContext {
        text: if kept.is_empty() {
            String::new()
        } else {
            format!("{kept}{TRUNCATION_MARKER}")
        },
        truncated: true,
        original_chars,
    }
}

/// The end of the last complete sentence (or word) in the second half of `prefix`.
fn sentence_boundary(prefix: &str) -> Option<usize> {
    let half = prefix.len() / 2;
    let sentence = prefix
        .char_indices()
        .filter(|(i, c)| {
            matches!(c, '。' | '\n')
                || (matches!(c, '.' | '!' | '?')
                    && prefix[i + c.len_utf8()..]
                        .chars()
                        .next()
                        .is_none_or(char::is_whitespace))
        })
        .map(|(i, c)| i + c.len_utf8())
        .rfind(|end| *end >= half);
    sentence.or_else(|| prefix.rfind(char::is_whitespace).filter(|i| *i >= half))
}

/// The output budget could not be met within the context window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the prompt (~{prompt_tokens} tokens) leaves less than {MIN_OUTPUT_TOKENS} output tokens in the model's {context_window}-token window; shorten the input or choose a model with a larger window"
)]
pub struct ContextOverflow {
    pub prompt_tokens: u64,
    pub context_window: u32,
}

/// The output tokens to ask for: the wanted budget, capped by the model's output limit and by what
/// the window leaves after the prompt.
pub fn output_tokens(
    wanted: u32,
    model_max_output: Option<u32>,
    context_window: Option<u32>,
    prompt_tokens: u64,
) -> Result<u32, ContextOverflow> {
    let mut tokens = model_max_output.map_or(wanted, |cap| wanted.min(cap));
    if let Some(window) = context_window {
        let left = u64::from(window)
            .saturating_sub(prompt_tokens)
            .saturating_sub(SAFETY_MARGIN_TOKENS);
        if left < u64::from(MIN_OUTPUT_TOKENS) {
            return Err(ContextOverflow {
                prompt_tokens,
                context_window: window,
            });
        }
        tokens = tokens.min(u32::try_from(left).unwrap_or(u32::MAX));
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_examples() {
        // Large: 20k budget, 500 system + 3,000 base → ~10,400 tokens → ~36,400 characters.
        assert_eq!(seed_char_limit(Some(20_000), 500 + 3_000), 36_400);
        // Medium: 8k budget, 500 + 2,000 → ~3,000 tokens → ~10,500 characters.
        assert_eq!(seed_char_limit(Some(8_000), 500 + 2_000), 10_500);
        // Small: 2k budget, 500 + 1,000 → no room → 0 characters.
        assert_eq!(seed_char_limit(Some(2_000), 500 + 1_000), 0);
        // No token information at all.
        assert_eq!(seed_char_limit(None, 123), 1000);
    }

    #[test]
    fn unknown_window_uses_the_seed_formula() {
        assert_eq!(
            context_room(None, 20_000, 3_500),
            ContextRoom::Chars(36_400)
        );
    }

    #[test]
    fn known_window_room_never_exceeds_it() {
        let room = context_room(Some(8_192), 4_000, 1_000);
        assert_eq!(room, ContextRoom::Tokens(8_192 - 4_000 - 1_000 - 100));
        let text = "word ".repeat(50_000);
        let fitted = fit_context(&text, room);
        assert!(fitted.truncated);
        let ContextRoom::Tokens(t) = room else {
            unreachable!()
        };
        assert!(estimate_tokens(&fitted.text) <= t);
        assert!(fitted.text.ends_with(TRUNCATION_MARKER));
        assert_eq!(context_room(Some(1_000), 900, 500), ContextRoom::Tokens(0));
    }

    #[test]
    fn non_ascii_text_is_counted_conservatively() {
        let cjk = "需求文档。".repeat(1000);
        let fitted = fit_context(&cjk, ContextRoom::Tokens(100));
        assert!(
            estimate_tokens(&fitted.text) <= 100,
            "{}",
            estimate_tokens(&fitted.text)
        );
        assert!(
            fitted
                .text
                .trim_end_matches(TRUNCATION_MARKER)
                .ends_with('。')
        );
    }

    #[test]
    fn cuts_at_sentence_boundaries() {
        let text = "First sentence here. Second sentence is here. Third one is long and goes on";
        let fitted = fit_context(text, ContextRoom::Chars(70));
        assert_eq!(
            fitted.text,
            format!("First sentence here. Second sentence is here.{TRUNCATION_MARKER}")
        );
        let short = fit_context("fits", ContextRoom::Chars(10));
        assert_eq!((short.text.as_str(), short.truncated), ("fits", false));
        let none = fit_context("anything at all", ContextRoom::Chars(0));
        assert_eq!((none.text.as_str(), none.truncated), ("", true));
    }

    #[test]
    fn output_budget_respects_model_and_window() {
        assert_eq!(output_tokens(16_000, Some(8_192), None, 0), Ok(8_192));
        assert_eq!(
            output_tokens(8_000, Some(8_192), Some(8_192), 3_000),
            Ok(8_192 - 3_000 - 100)
        );
        assert!(output_tokens(8_000, None, Some(8_192), 8_000).is_err());
        assert_eq!(output_tokens(4_096, None, None, 1_000_000), Ok(4_096));
    }

    proptest::proptest! {
        #[test]
        fn fitted_context_is_a_marked_prefix_within_its_room(
            text in "[a-zA-Z .,!?\n需求文档。]{0,400}",
            room in 0u64..200,
        ) {
            let fitted = fit_context(&text, ContextRoom::Tokens(room));
            proptest::prop_assert!(estimate_tokens(&fitted.text) <= room);
            let kept = fitted.text.strip_suffix(TRUNCATION_MARKER).unwrap_or(&fitted.text);
            proptest::prop_assert!(text.starts_with(kept));
            proptest::prop_assert_eq!(fitted.truncated, estimate_tokens(&text) > room);
            let chars = fit_context(&text, ContextRoom::Chars(room as usize));
            proptest::prop_assert!(chars.text.chars().count() <= room as usize);
        }
    }
}
