//! Recursive-descent parser from tokens to a [`Query`], with Jira's error wording.
//!
//! Grammar (after Atlassian's JQL ANTLR grammar):
//! ```text
//! query    := or? (ORDER BY sort (',' sort)*)? END
//! or       := and ((OR | '|' | '||') and)*
//! and      := not ((AND | '&' | '&&') not)*
//! not      := (NOT | '!') not | '(' or ')' | terminal
//! terminal := field operator operand? predicate*
//! field    := string | cf '[' number ']'
//! operand  := EMPTY | NULL | string | number | function | '(' operand (',' operand)* ')'
//! function := word '(' (string (',' string)*)? ')'
//! ```

use crate::ast::{
    Clause, Field, FunctionCall, Operand, Operator, OrderBy, Predicate, PredicateKind, Query,
    SortDirection, Terminal, is_keyword, is_reserved_word, looks_numeric,
};
use crate::error::JqlError;
use crate::lexer::{Lexer, Token, TokenKind};

const VALID_OPERATORS: &str = "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'.";

/// How deeply `NOT`, `!` and `(` may nest. The parser, and every walk over the tree it builds
/// (compile, display, evaluation, drop), recurses once per level, so this bound is what keeps a
/// hostile query from overflowing the stack. Real queries rarely nest beyond a handful of levels.
pub const MAX_NESTING_DEPTH: usize = 100;

/// Tokens the parser can see past the current one (`WAS NOT IN` needs two).
const LOOKAHEAD: usize = 3;

/// Parses a whole query.
pub(crate) fn parse_query(query: &str) -> Result<Query, JqlError> {
    // Lexical errors anywhere win over grammar errors, as in Jira; tokens are then pulled lazily
    // so that a huge query costs no more memory than its text.
    crate::lexer::check(query)?;
    let mut lexer = Lexer::new(query);
    let lookahead = std::array::from_fn(|_| next_checked(&mut lexer, query));
    let mut parser = Parser {
        query,
        lexer,
        lookahead,
        depth: 0,
    };
    parser.query()
}

/// The next token of a query [`crate::lexer::check`] accepted. The same lexer over the same
/// text cannot fail the second time; should it ever, the query simply ends there.
fn next_checked(lexer: &mut Lexer<'_>, query: &str) -> Token {
    lexer.next_token().unwrap_or(Token {
        kind: TokenKind::End,
        start: query.len(),
        end: query.len(),
    })
}

struct Parser<'q> {
    query: &'q str,
    lexer: Lexer<'q>,
    /// The current token and the next `LOOKAHEAD - 1`; always full (the lexer repeats `End`).
    lookahead: [Token; LOOKAHEAD],
    /// How many `NOT`/`(` levels enclose the current position.
    depth: usize,
}

impl<'q> Parser<'q> {
    fn peek(&self) -> &Token {
        &self.lookahead[0]
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        let [.., last] = &self.lookahead;
        self.lookahead.get(ahead).unwrap_or(last)
    }

    fn advance(&mut self) -> Token {
        let next = next_checked(&mut self.lexer, self.query);
        // The current token moves to the back and is swapped for the next one.
        self.lookahead.rotate_left(1);
        let [.., last] = &mut self.lookahead;
        std::mem::replace(last, next)
    }

    /// True if the current token is the unquoted word `keyword` (case-insensitive).
    fn at_word(&self, keyword: &str) -> bool {
        self.word_at(0, keyword)
    }

    fn word_at(&self, ahead: usize, keyword: &str) -> bool {
        matches!(&self.peek_at(ahead).kind, TokenKind::Word(word) if word.eq_ignore_ascii_case(keyword))
    }

    fn at_end(&self) -> bool {
        self.peek().kind == TokenKind::End
    }

    fn at_order_by(&self) -> bool {
        self.at_word("order") && self.word_at(1, "by")
    }

    fn source(&self, token: &Token) -> &'q str {
        &self.query[token.start..token.end]
    }

    /// "Expecting X but got 'y'." or "Expecting X before the end of the query."
    fn expecting(&self, what: &str, suffix: &str) -> JqlError {
        let token = self.peek();
        let suffix = if suffix.is_empty() {
            String::new()
        } else {
            format!(" {suffix}")
        };
        if token.kind == TokenKind::End {
            JqlError::syntax(
                format!("Expecting {what} before the end of the query.{suffix}"),
                self.query,
                None,
            )
        } else {
            JqlError::syntax(
                format!("Expecting {what} but got '{}'.{suffix}", self.source(token)),
                self.query,
                Some(token.start),
            )
        }
    }

    fn reserved_word_error(&self, token: &Token) -> JqlError {
        JqlError::syntax(
            format!(
                "'{}' is a reserved JQL word. You must surround it in quotation marks to use it in a query.",
                self.source(token)
            ),
            self.query,
            Some(token.start),
        )
    }

    fn query(&mut self) -> Result<Query, JqlError> {
        let clause = if self.at_end() || self.at_order_by() {
            None
        } else {
            Some(self.or_clause()?)
        };
        let mut order_by = Vec::new();
        if self.at_word("order") {
            self.advance();
            if !self.at_word("by") {
                return Err(self.expecting("'by'", ""));
            }
            self.advance();
            loop {
                let field = self.field("a field name")?;
                let direction = if self.at_word("asc") {
                    self.advance();
                    Some(SortDirection::Asc)
                } else if self.at_word("desc") {
                    self.advance();
                    Some(SortDirection::Desc)
                } else {
                    None
                };
                order_by.push(OrderBy { field, direction });
                if self.peek().kind == TokenKind::Comma {
                    self.advance();
                } else {
                    break;
                }
            }
            if !self.at_end() {
                return Err(self.expecting("either ',', 'ASC' or 'DESC'", ""));
            }
        } else if !self.at_end() {
            return Err(self.expecting("either 'OR' or 'AND'", ""));
        }
        Ok(Query { clause, order_by })
    }

    fn at_or(&self) -> bool {
        self.peek().kind == TokenKind::OrSymbol || self.at_word("or")
    }

    fn at_and(&self) -> bool {
        self.peek().kind == TokenKind::AndSymbol || self.at_word("and")
    }

    fn or_clause(&mut self) -> Result<Clause, JqlError> {
        let mut children = vec![self.and_clause()?];
        while self.at_or() {
            self.advance();
            children.push(self.and_clause()?);
        }
        Ok(match <[Clause; 1]>::try_from(children) {
            Ok([only]) => only,
            Err(children) => Clause::Or(children),
        })
    }

    fn and_clause(&mut self) -> Result<Clause, JqlError> {
        let mut children = vec![self.not_clause()?];
        while self.at_and() {
            self.advance();
            children.push(self.not_clause()?);
        }
        Ok(match <[Clause; 1]>::try_from(children) {
            Ok([only]) => only,
            Err(children) => Clause::And(children),
        })
    }

    fn not_clause(&mut self) -> Result<Clause, JqlError> {
        // `NOT IN` never starts a clause, so a leading NOT is always negation.
        let negation = self.peek().kind == TokenKind::Bang || self.at_word("not");
        if !negation && self.peek().kind != TokenKind::LParen {
            return self.terminal().map(Clause::Terminal);
        }
        if self.depth >= MAX_NESTING_DEPTH {
            let token = self.peek();
            return Err(JqlError::syntax(
                format!(
                    "The query is nested too deeply at '{}'. At most {MAX_NESTING_DEPTH} levels of 'NOT' and parentheses are allowed.",
                    self.source(token)
                ),
                self.query,
                Some(token.start),
            ));
        }
        self.depth += 1;
        let clause = if negation {
            self.advance();
            self.not_clause().map(|inner| Clause::Not(Box::new(inner)))
        } else {
            self.parenthesized()
        };
        self.depth -= 1;
        clause
    }

    /// `'(' or ')'`; the current token is the `(`.
    fn parenthesized(&mut self) -> Result<Clause, JqlError> {
        self.advance();
        let inner = self.or_clause()?;
        if self.peek().kind != TokenKind::RParen {
            return Err(if self.at_end() {
                JqlError::syntax(
                    "Expecting ')' before the end of the query.",
                    self.query,
                    None,
                )
            } else {
                self.expecting("either 'OR', 'AND' or ')'", "")
            });
        }
        self.advance();
        Ok(inner)
    }

    /// Parses a field name; `what` names it in errors.
    fn field(&mut self, what: &str) -> Result<Field, JqlError> {
        let token = self.peek().clone();
        match &token.kind {
            TokenKind::Quoted(name) => {
                self.advance();
                Ok(Field::Name(name.clone()))
            }
            TokenKind::Word(word)
                if word.eq_ignore_ascii_case("cf")
                    && self.peek_at(1).kind == TokenKind::LBracket =>
            {
                self.advance();
                self.advance();
                let id_token = self.peek().clone();
                let id = match &id_token.kind {
                    TokenKind::Word(digits) if digits.bytes().all(|b| b.is_ascii_digit()) => {
                        digits.parse::<u64>().ok()
                    }
                    _ => None,
                };
                let Some(id) = id else {
                    return Err(self.expecting("a custom field id", ""));
                };
                self.advance();
                if self.peek().kind != TokenKind::RBracket {
                    return Err(self.expecting("']'", ""));
                }
                self.advance();
                Ok(Field::CustomId(id))
            }
            TokenKind::Word(word) => {
                if is_keyword(word) {
                    return Err(self.expecting(
                        what,
                        &format!(
                            "You must surround '{}' in quotation marks to use it as a field name.",
                            self.source(&token)
                        ),
                    ));
                }
                if is_reserved_word(word) {
                    return Err(self.reserved_word_error(&token));
                }
                self.advance();
                Ok(Field::Name(word.clone()))
            }
            _ => Err(self.expecting(what, "")),
        }
    }

    fn terminal(&mut self) -> Result<Terminal, JqlError> {
        let field = self.field("a field name")?;
        let operator = self.operator()?;
        let operand = match operator {
            Operator::Changed => None,
            Operator::Is | Operator::IsNot => {
                if self.at_word("empty") || self.at_word("null") {
                    self.advance();
                    Some(Operand::Empty)
                } else {
                    return Err(self.expecting("'EMPTY'", ""));
                }
            }
            _ => Some(self.operand()?),
        };
        let mut predicates = Vec::new();
        if operator.is_history() {
            while let TokenKind::Word(word) = &self.peek().kind {
                let Some(kind) = PredicateKind::from_word(word) else {
                    break;
                };
                self.advance();
                let operand = self.operand()?;
                predicates.push(Predicate { kind, operand });
            }
        }
        Ok(Terminal {
            field,
            operator,
            operand,
            predicates,
        })
    }

    fn operator(&mut self) -> Result<Operator, JqlError> {
        let operator = match &self.peek().kind {
            TokenKind::Equals => Operator::Equals,
            TokenKind::NotEquals => Operator::NotEquals,
            TokenKind::Like => Operator::Like,
            TokenKind::NotLike => Operator::NotLike,
            TokenKind::Less => Operator::Less,
            TokenKind::Greater => Operator::Greater,
            TokenKind::LessOrEqual => Operator::LessOrEqual,
            TokenKind::GreaterOrEqual => Operator::GreaterOrEqual,
            TokenKind::Word(word) => match word.to_ascii_lowercase().as_str() {
                "in" => Operator::In,
                "not" => {
                    if !self.word_at(1, "in") {
                        self.advance();
                        return Err(self.expecting("'IN'", ""));
                    }
                    self.advance();
                    Operator::NotIn
                }
                "is" => {
                    if self.word_at(1, "not") {
                        self.advance();
                        Operator::IsNot
                    } else {
                        Operator::Is
                    }
                }
                "was" => {
                    if self.word_at(1, "not") {
                        self.advance();
                        if self.word_at(1, "in") {
                            self.advance();
                            Operator::WasNotIn
                        } else {
                            Operator::WasNot
                        }
                    } else if self.word_at(1, "in") {
                        self.advance();
                        Operator::WasIn
                    } else {
                        Operator::Was
                    }
                }
                "changed" => Operator::Changed,
                _ => return Err(self.expecting("operator", VALID_OPERATORS)),
            },
            _ => return Err(self.expecting("operator", VALID_OPERATORS)),
        };
        self.advance();
        Ok(operator)
    }

    fn operand(&mut self) -> Result<Operand, JqlError> {
        if self.peek().kind == TokenKind::LParen {
            self.advance();
            let mut items = Vec::new();
            loop {
                let item = self.single_operand("a value or function")?;
                items.push(item);
                match self.peek().kind {
                    TokenKind::Comma => {
                        self.advance();
                    }
                    TokenKind::RParen => {
                        self.advance();
                        break;
                    }
                    TokenKind::End => {
                        return Err(JqlError::syntax(
                            "Expecting ')' before the end of the query.",
                            self.query,
                            None,
                        ));
                    }
                    _ => return Err(self.expecting("either ',' or ')'", "")),
                }
            }
            return Ok(Operand::List(items));
        }
        self.single_operand("either a value, list or function")
    }

    /// A value, `EMPTY` or a function call.
    fn single_operand(&mut self, what: &str) -> Result<Operand, JqlError> {
        let token = self.peek().clone();
        match &token.kind {
            TokenKind::Quoted(text) => {
                self.advance();
                Ok(Operand::String(text.clone()))
            }
            TokenKind::Word(word) => {
                if word.eq_ignore_ascii_case("empty") || word.eq_ignore_ascii_case("null") {
                    self.advance();
                    return Ok(Operand::Empty);
                }
                if self.peek_at(1).kind == TokenKind::LParen {
                    return self.function(word.clone()).map(Operand::Function);
                }
                if is_keyword(word) {
                    return Err(self.expecting(
                        what,
                        &format!(
                            "You must surround '{}' in quotation marks to use it as a value.",
                            self.source(&token)
                        ),
                    ));
                }
                if is_reserved_word(word) {
                    return Err(self.reserved_word_error(&token));
                }
                self.advance();
                if looks_numeric(word)
                    && let Ok(number) = word.parse::<i64>()
                {
                    return Ok(Operand::Number(number));
                }
                Ok(Operand::String(word.clone()))
            }
            _ => Err(self.expecting(what, "")),
        }
    }

    /// A function call; the current token is its name and the next is `(`.
    fn function(&mut self, name: String) -> Result<FunctionCall, JqlError> {
        self.advance();
        self.advance();
        let mut args = Vec::new();
        if self.peek().kind == TokenKind::RParen {
            self.advance();
            return Ok(FunctionCall { name, args });
        }
        loop {
            match &self.peek().kind {
                TokenKind::Word(arg) | TokenKind::Quoted(arg) => {
                    args.push(arg.clone());
                    self.advance();
                }
                _ => return Err(self.expecting("a function argument", "")),
            }
            match self.peek().kind {
                TokenKind::Comma => {
                    self.advance();
                }
                TokenKind::RParen => {
                    self.advance();
                    return Ok(FunctionCall { name, args });
                }
                _ => return Err(self.expecting("either ',' or ')'", "")),
            }
        }
    }
}
