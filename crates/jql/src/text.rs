//! Text search for `~` and `!~`: an approximation of Jira's Lucene analysis that is good enough
//! for an emulator. Text is split into words at non-alphanumeric characters; a query term
//! matches a word case-insensitively, ignoring simple English endings (`logins` ~ `login`);
//! `term*` matches by prefix and `?` matches one character; `"exact phrase"` inside the value
//! must match consecutive words; stop words such as `the` are ignored. Every term must match.
//!
//! Needles are lower-cased once when the query is compiled; matching walks the haystack
//! without allocating for ASCII text.

/// Lucene's English stop words, which Jira's text index ignores.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// One word of a text query, lower-cased.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Term {
    /// The word without wildcards.
    text: String,
    /// The word and the stems it may reduce to (`pages`: `pages`, `page`, `pag`).
    stems: Vec<String>,
    /// `text*`: match any word starting with `text`.
    prefix: bool,
    /// Contains `?` (each matches any one character); matched without stemming.
    single_wildcards: bool,
}

/// A part of a text query: a word, or a phrase of consecutive words.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Part {
    Word(Term),
    Phrase(Vec<Term>),
}

/// A compiled text query: all parts must match.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TextQuery {
    pub parts: Vec<Part>,
}

/// Why a text query is not allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TextQueryError {
    LeadingWildcard,
}

impl TextQuery {
    /// Compiles the value of a `~` clause.
    pub fn parse(value: &str) -> Result<TextQuery, TextQueryError> {
        let mut parts = Vec::new();
        let mut rest = value;
        while !rest.is_empty() {
            if let Some(after_quote) = rest.strip_prefix('"') {
                let (phrase, remainder) = match after_quote.find('"') {
                    Some(end) => (&after_quote[..end], &after_quote[end + 1..]),
                    None => (after_quote, ""),
                };
                let terms = terms_of(phrase)?;
                match terms.len() {
                    0 => {}
                    1 => parts.extend(terms.into_iter().map(Part::Word)),
                    _ => parts.push(Part::Phrase(terms)),
                }
                rest = remainder;
            } else {
                let end = rest.find('"').unwrap_or(rest.len());
                parts.extend(terms_of(&rest[..end])?.into_iter().map(Part::Word));
                rest = &rest[end..];
            }
        }
        Ok(TextQuery { parts })
    }

    /// True if every part matches somewhere in `texts` (each text is searched separately, so a
    /// phrase never spans two comments).
    pub fn matches<'t>(&self, texts: impl Iterator<Item = &'t str> + Clone) -> bool {
        !self.parts.is_empty()
            && self
                .parts
                .iter()
                .all(|part| texts.clone().any(|text| part_matches(part, text)))
    }
}

fn terms_of(text: &str) -> Result<Vec<Term>, TextQueryError> {
    let mut terms = Vec::new();
    for raw in text.split(|c: char| !(c.is_alphanumeric() || c == '*' || c == '?')) {
        if raw.is_empty() || raw.chars().all(|c| c == '*' || c == '?') {
            continue;
        }
        if raw.starts_with(['*', '?']) {
            return Err(TextQueryError::LeadingWildcard);
        }
        let lower = raw.to_lowercase();
        if STOP_WORDS.contains(&lower.as_str()) {
            continue;
        }
        // Only a trailing `*` is a prefix search; a `*` inside a word splits it like Lucene's
        // tokenizer would and is dropped.
        let prefix = lower.ends_with('*');
        let word: String = lower.chars().filter(|&c| c != '*').collect();
        let single_wildcards = word.contains('?');
        let stems = stems(&word).map(str::to_string).collect();
        terms.push(Term {
            text: word,
            stems,
            prefix,
            single_wildcards,
        });
    }
    Ok(terms)
}

/// English endings a word may drop to reach its stem: a tiny stand-in for Lucene's stemmer.
/// Two words match when their candidate stems overlap (`logging` and `logged` share `logg`).
const ENDINGS: [&str; 4] = ["ing", "ed", "es", "s"];

/// `word` and each stem left by dropping one ending, keeping at least three characters.
/// Endings are compared ASCII case-insensitively, so `word` need not be lower-cased.
fn stems(word: &str) -> impl Iterator<Item = &str> {
    std::iter::once(word).chain(ENDINGS.iter().filter_map(move |ending| {
        let cut = word.len().checked_sub(ending.len())?;
        (word.is_char_boundary(cut)
            && word[cut..].eq_ignore_ascii_case(ending)
            && word[..cut].chars().count() >= 3)
            .then(|| &word[..cut])
    }))
}

fn part_matches(part: &Part, text: &str) -> bool {
    match part {
        Part::Word(term) => words(text).any(|word| term_matches(term, word)),
        Part::Phrase(terms) => {
            // Slide a window of consecutive words; the phrase is short, so rescanning is cheap.
            let mut starts = words(text);
            loop {
                let mut window = starts.clone();
                if terms
                    .iter()
                    .all(|term| window.next().is_some_and(|word| term_matches(term, word)))
                {
                    return true;
                }
                if starts.next().is_none() {
                    return false;
                }
            }
        }
    }
}

/// The words of `text`: maximal runs of alphanumeric characters.
fn words(text: &str) -> impl Iterator<Item = &str> + Clone {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
}

fn term_matches(term: &Term, word: &str) -> bool {
    // Every way of matching keeps the first character (leading wildcards are refused), so a
    // cheap first-byte test rejects most words before any stemming.
    let (Some(&first), Some(&wanted)) = (word.as_bytes().first(), term.text.as_bytes().first())
    else {
        return false;
    };
    if first.is_ascii() && wanted.is_ascii() && !first.eq_ignore_ascii_case(&wanted) {
        return false;
    }
    if word.is_ascii() {
        return term_matches_lower(term, word, true);
    }
    term_matches_lower(term, &word.to_lowercase(), false)
}

/// Matches `word`, which is lower-case unless `ascii_any_case` says to compare ASCII
/// case-insensitively.
fn term_matches_lower(term: &Term, word: &str, ascii_any_case: bool) -> bool {
    let equal = |a: &str, b: &str| {
        if ascii_any_case {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    if term.single_wildcards {
        return wildcard_matches(&term.text, word, term.prefix);
    }
    if term.prefix {
        return word.len() >= term.text.len()
            && word.is_char_boundary(term.text.len())
            && equal(&word[..term.text.len()], &term.text);
    }
    stems(word).any(|candidate| term.stems.iter().any(|stem| equal(candidate, stem)))
}

/// Matches a pattern with `?` wildcards against a word, optionally as a prefix.
fn wildcard_matches(pattern: &str, word: &str, prefix: bool) -> bool {
    let mut word_chars = word.chars().flat_map(char::to_lowercase);
    for expected in pattern.chars() {
        match word_chars.next() {
            Some(actual) if expected == '?' || expected == actual => {}
            _ => return false,
        }
    }
    prefix || word_chars.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(query: &str, text: &str) -> bool {
        TextQuery::parse(query)
            .unwrap()
            .matches(std::iter::once(text))
    }

    #[test]
    fn word_prefix_phrase_and_stemming() {
        let cases: &[(&str, &str, bool)] = &[
            ("login", "Login page", true),
            ("LOGIN", "the login page", true),
            ("login", "Logins are slow", true),
            ("logging", "Logged errors", true),
            ("log", "Login page", false),
            ("pages", "Login page", true),
            ("page", "Paging", false),
            ("log*", "Login page", true),
            ("pag?", "Login page", true),
            ("pag?", "Login pages", false),
            ("login page", "Page for login", true),
            ("login page", "Login form", false),
            ("\"login page\"", "The login page broke", true),
            ("\"login page\"", "Page of login", false),
            ("\"page broke\" login", "The login page broke", true),
            ("the", "the login page", false),
            ("ünïcode", "ÜNÏCODE text", true),
            ("demo", "See DEMO-5 for details", true),
            ("5", "See DEMO-5 for details", true),
        ];
        for (query, text, expected) in cases {
            assert_eq!(matches(query, text), *expected, "{query:?} ~ {text:?}");
        }
    }

    #[test]
    fn leading_wildcards_are_rejected() {
        assert_eq!(
            TextQuery::parse("*gin"),
            Err(TextQueryError::LeadingWildcard)
        );
    }

    #[test]
    fn every_part_may_match_a_different_text() {
        let query = TextQuery::parse("login crash").unwrap();
        assert!(query.matches(["Login page", "it crashed"].into_iter()));
        assert!(!query.matches(["Login page", "slow"].into_iter()));
    }
}
