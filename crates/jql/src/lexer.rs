//! Splits JQL text into tokens, following the lexical rules of Atlassian's JQL grammar:
//! unquoted strings stop at whitespace and operator characters, quoted strings take backslash
//! escapes, `&`/`&&`/`|`/`||` are AND/OR, and reserved characters must be quoted.
//!
//! Keywords are not decided here: an unquoted word is a [`TokenKind::Word`] and the parser
//! decides from context whether `and`, `in` or `empty` is a keyword, as Jira does.

use crate::error::JqlError;

/// One lexical unit of a query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenKind {
    LParen,
    RParen,
    Comma,
    LBracket,
    RBracket,
    Equals,
    NotEquals,
    Like,
    NotLike,
    Less,
    Greater,
    LessOrEqual,
    GreaterOrEqual,
    Bang,
    /// `&` or `&&`.
    AndSymbol,
    /// `|` or `||`.
    OrSymbol,
    /// An unquoted string, escapes already resolved.
    Word(String),
    /// A `"…"` or `'…'` string, escapes resolved.
    Quoted(String),
    End,
}

/// A token and the byte range of its source text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

/// Characters Jira reserves for future use; they must be quoted or escaped.
pub(crate) fn is_reserved_char(c: char) -> bool {
    matches!(
        c,
        '{' | '}' | '*' | '/' | '%' | '+' | '^' | '$' | '#' | '@' | '?' | ';'
    )
}

/// Control characters JQL refuses even inside quotes (the `JqlStringSupportImpl` list).
pub(crate) fn is_control_char(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{9}' | '\u{b}'..='\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{fdd0}'..='\u{fdef}' | '\u{fffe}'..='\u{ffff}')
}

/// Whether `c` may appear in an unquoted string without an escape.
pub(crate) fn is_unquoted_char(c: char) -> bool {
    !(c.is_whitespace()
        || is_control_char(c)
        || is_reserved_char(c)
        || matches!(
            c,
            '\\' | '"'
                | '\''
                | '='
                | '!'
                | '<'
                | '>'
                | '('
                | ')'
                | '~'
                | ','
                | '['
                | ']'
                | '|'
                | '&'
        ))
}

/// Checks that all of `query` lexes, without keeping the tokens.
///
/// Jira reports a lexical error anywhere in the query before any grammar error, so the parser
/// runs this first; it then pulls tokens one at a time from a fresh [`Lexer`], which keeps memory
/// flat however long the query is (a 10 MB `((((…` must not become 10 M stored tokens).
pub(crate) fn check(query: &str) -> Result<(), JqlError> {
    let mut lexer = Lexer::new(query);
    while lexer.next_token()?.kind != TokenKind::End {}
    Ok(())
}

/// Tokenizes all of `query`. The last token is always [`TokenKind::End`].
#[cfg(test)]
pub(crate) fn tokenize(query: &str) -> Result<Vec<Token>, JqlError> {
    let mut lexer = Lexer::new(query);
    let mut tokens = Vec::new();
    loop {
        let token = lexer.next_token()?;
        let end = token.kind == TokenKind::End;
        tokens.push(token);
        if end {
            return Ok(tokens);
        }
    }
}

/// A pull lexer: yields one token per call, then [`TokenKind::End`] forever.
pub(crate) struct Lexer<'q> {
    query: &'q str,
    chars: CharStream<'q>,
}

impl<'q> Lexer<'q> {
    pub(crate) fn new(query: &'q str) -> Self {
        Self {
            query,
            chars: query.char_indices().peekable(),
        }
    }

    /// The next token, or the first lexical error.
    pub(crate) fn next_token(&mut self) -> Result<Token, JqlError> {
        let query = self.query;
        let bytes = query.as_bytes();
        let chars = &mut self.chars;
        while let Some(&(start, c)) = chars.peek() {
            if c.is_whitespace() {
                chars.next();
                continue;
            }
            let next_byte = bytes.get(start + 1).copied();
            let (kind, len) = match c {
                '(' => (TokenKind::LParen, 1),
                ')' => (TokenKind::RParen, 1),
                ',' => (TokenKind::Comma, 1),
                '[' => (TokenKind::LBracket, 1),
                ']' => (TokenKind::RBracket, 1),
                '=' => (TokenKind::Equals, 1),
                '~' => (TokenKind::Like, 1),
                '!' => match next_byte {
                    Some(b'=') => (TokenKind::NotEquals, 2),
                    Some(b'~') => (TokenKind::NotLike, 2),
                    _ => (TokenKind::Bang, 1),
                },
                '<' => match next_byte {
                    Some(b'=') => (TokenKind::LessOrEqual, 2),
                    _ => (TokenKind::Less, 1),
                },
                '>' => match next_byte {
                    Some(b'=') => (TokenKind::GreaterOrEqual, 2),
                    _ => (TokenKind::Greater, 1),
                },
                '&' => match next_byte {
                    Some(b'&') => (TokenKind::AndSymbol, 2),
                    _ => (TokenKind::AndSymbol, 1),
                },
                '|' => match next_byte {
                    Some(b'|') => (TokenKind::OrSymbol, 2),
                    _ => (TokenKind::OrSymbol, 1),
                },
                '"' | '\'' => {
                    chars.next();
                    let (text, end) = quoted(query, start, c, chars)?;
                    return Ok(Token {
                        kind: TokenKind::Quoted(text),
                        start,
                        end,
                    });
                }
                c if is_reserved_char(c) => {
                    return Err(JqlError::syntax(
                        format!(
                            "The character '{c}' is a reserved JQL character. You must enclose it in a string or use the escape '\\u{:04x}' instead.",
                            c as u32
                        ),
                        query,
                        Some(start),
                    ));
                }
                c if is_control_char(c) => {
                    return Err(JqlError::syntax(
                        format!("Illegal character '\\u{:04x}' in the query.", c as u32),
                        query,
                        Some(start),
                    ));
                }
                _ => {
                    let (text, end) = unquoted(query, chars)?;
                    return Ok(Token {
                        kind: TokenKind::Word(text),
                        start,
                        end,
                    });
                }
            };
            for _ in 0..len {
                chars.next();
            }
            return Ok(Token {
                kind,
                start,
                end: start + len,
            });
        }
        Ok(Token {
            kind: TokenKind::End,
            start: query.len(),
            end: query.len(),
        })
    }
}

type CharStream<'q> = std::iter::Peekable<std::str::CharIndices<'q>>;

/// Reads an unquoted string starting at the current character.
fn unquoted(query: &str, chars: &mut CharStream<'_>) -> Result<(String, usize), JqlError> {
    let mut text = String::new();
    let mut end = query.len();
    while let Some(&(index, c)) = chars.peek() {
        if c == '\\' {
            chars.next();
            text.push(escape(query, index, chars)?);
        } else if is_unquoted_char(c) {
            chars.next();
            text.push(c);
        } else {
            end = index;
            break;
        }
    }
    Ok((text, end))
}

/// Reads a quoted string whose opening `quote` at byte `start` was consumed.
fn quoted(
    query: &str,
    start: usize,
    quote: char,
    chars: &mut CharStream<'_>,
) -> Result<(String, usize), JqlError> {
    let mut text = String::new();
    while let Some((index, c)) = chars.next() {
        if c == quote {
            return Ok((text, index + 1));
        }
        if c == '\\' {
            text.push(escape(query, index, chars)?);
        } else if c == '\n' || c == '\r' || c == '\t' || !is_control_char(c) {
            text.push(c);
        } else {
            return Err(JqlError::syntax(
                format!("Illegal character '\\u{:04x}' in the query.", c as u32),
                query,
                Some(index),
            ));
        }
    }
    Err(JqlError::syntax(
        format!(
            "The quoted string '{}' has not been completed.",
            &query[start + 1..]
        ),
        query,
        Some(start),
    ))
}

/// Resolves the escape sequence whose backslash at byte `at` was consumed.
fn escape(query: &str, at: usize, chars: &mut CharStream<'_>) -> Result<char, JqlError> {
    let illegal = |len: usize| {
        let end = (at + len).min(query.len());
        let end = (end..=query.len())
            .find(|&i| query.is_char_boundary(i))
            .unwrap_or(query.len());
        JqlError::syntax(
            format!("The escape sequence '{}' is illegal.", &query[at..end]),
            query,
            Some(at),
        )
    };
    let Some((_, c)) = chars.next() else {
        return Err(illegal(1));
    };
    let resolved = match c {
        't' => '\t',
        'n' => '\n',
        'r' => '\r',
        '"' | '\'' | '\\' | ' ' => c,
        'u' => {
            let mut value = 0u32;
            for consumed in 0..4 {
                match chars.peek().and_then(|&(_, digit)| digit.to_digit(16)) {
                    Some(digit) => {
                        chars.next();
                        value = value * 16 + digit;
                    }
                    _ => return Err(illegal(2 + consumed)),
                }
            }
            char::from_u32(value).ok_or_else(|| illegal(6))?
        }
        _ => return Err(illegal(1 + c.len_utf8())),
    };
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(query: &str) -> Vec<TokenKind> {
        tokenize(query)
            .unwrap()
            .into_iter()
            .map(|token| token.kind)
            .collect()
    }

    #[test]
    fn relative_dates_and_keys_are_single_words() {
        assert_eq!(
            kinds("created>=-7d AND key<DEMO-5"),
            vec![
                TokenKind::Word("created".into()),
                TokenKind::GreaterOrEqual,
                TokenKind::Word("-7d".into()),
                TokenKind::Word("AND".into()),
                TokenKind::Word("key".into()),
                TokenKind::Less,
                TokenKind::Word("DEMO-5".into()),
                TokenKind::End,
            ]
        );
    }

    #[test]
    fn quoted_strings_resolve_escapes() {
        assert_eq!(
            kinds(r#""a \"b\" \\ \u0041" 'it\'s'"#),
            vec![
                TokenKind::Quoted("a \"b\" \\ A".into()),
                TokenKind::Quoted("it's".into()),
                TokenKind::End
            ]
        );
    }

    #[test]
    fn symbols_for_and_or_not() {
        assert_eq!(
            kinds("a=1&&b=2||!c!=3 & d !~ e | f"),
            vec![
                TokenKind::Word("a".into()),
                TokenKind::Equals,
                TokenKind::Word("1".into()),
                TokenKind::AndSymbol,
                TokenKind::Word("b".into()),
                TokenKind::Equals,
                TokenKind::Word("2".into()),
                TokenKind::OrSymbol,
                TokenKind::Bang,
                TokenKind::Word("c".into()),
                TokenKind::NotEquals,
                TokenKind::Word("3".into()),
                TokenKind::AndSymbol,
                TokenKind::Word("d".into()),
                TokenKind::NotLike,
                TokenKind::Word("e".into()),
                TokenKind::OrSymbol,
                TokenKind::Word("f".into()),
                TokenKind::End,
            ]
        );
    }

    #[test]
    fn reserved_characters_are_rejected_with_their_escape() {
        let error = tokenize("summary ~ log*").unwrap_err();
        assert_eq!(
            error.to_string(),
            "Error in the JQL Query: The character '*' is a reserved JQL character. You must enclose it in a string or use the escape '\\u002a' instead. (line 1, character 14)"
        );
    }

    #[test]
    fn unclosed_quote_is_reported_at_its_start() {
        let error = tokenize("summary ~ \"abc").unwrap_err();
        assert_eq!(
            error.to_string(),
            "Error in the JQL Query: The quoted string 'abc' has not been completed. (line 1, character 11)"
        );
    }

    #[test]
    fn illegal_escape_is_reported() {
        let error = tokenize(r#"summary ~ "a\qb""#).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Error in the JQL Query: The escape sequence '\\q' is illegal. (line 1, character 13)"
        );
    }
}
