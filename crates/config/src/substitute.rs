//! `${VAR}` and `${VAR:default}` substitution in the YAML text, before it is parsed.
//!
//! This mirrors the reference implementation's config.yaml convention so existing files keep
//! working: substitution is textual, `${VAR}` with `VAR` unset becomes an empty string, and
//! `$${` escapes a literal `${`.

/// Expands every `${NAME}` / `${NAME:default}` using `lookup`. An unterminated `${` is an error
/// naming the line, because silently keeping it would hide a typo.
pub fn substitute(
    text: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<String, SubstitutionError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        if rest[..start].ends_with('$') {
            // `$${` is an escaped literal `${`.
            out.push_str(&rest[..start - 1]);
            out.push_str("${");
            rest = &rest[start + 2..];
            continue;
        }
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            let consumed = text.len() - rest.len() + start;
            let line = text[..consumed].matches('\n').count() + 1;
            return Err(SubstitutionError::Unterminated { line });
        };
        let inner = &after[..end];
        let (name, default) = match inner.split_once(':') {
            Some((name, default)) => (name.trim(), Some(default)),
            None => (inner.trim(), None),
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            let consumed = text.len() - rest.len() + start;
            let line = text[..consumed].matches('\n').count() + 1;
            return Err(SubstitutionError::BadName {
                line,
                name: inner.to_owned(),
            });
        }
        match lookup(name).filter(|v| !v.is_empty()) {
            Some(value) => out.push_str(&value),
            None => out.push_str(default.unwrap_or("")),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubstitutionError {
    #[error("line {line}: `${{` is never closed; write `${{NAME}}` or `${{NAME:default}}`")]
    Unterminated { line: usize },
    #[error(
        "line {line}: `${{{name}}}` is not a valid variable reference; names use A-Z, 0-9 and _"
    )]
    BadName { line: usize, name: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "SET" => Some("value".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn expands_variables_and_defaults() {
        let cases = [
            ("a: ${SET}", "a: value"),
            ("a: ${UNSET}", "a: "),
            ("a: ${UNSET:fallback}", "a: fallback"),
            ("a: ${SET:fallback}", "a: value"),
            ("a: ${EMPTY:fallback}", "a: fallback"),
            ("a: ${UNSET:http://x:1/y}", "a: http://x:1/y"),
            ("a: $${SET}", "a: ${SET}"),
            ("a: ${SET}-${SET}", "a: value-value"),
            ("no vars", "no vars"),
        ];
        for (input, want) in cases {
            assert_eq!(substitute(input, env).unwrap(), want, "{input}");
        }
    }

    #[test]
    fn reports_the_line_of_a_broken_reference() {
        assert_eq!(
            substitute("a: 1\nb: ${OOPS\n", env),
            Err(SubstitutionError::Unterminated { line: 2 })
        );
        assert!(matches!(
            substitute("a: ${BAD NAME}", env),
            Err(SubstitutionError::BadName { line: 1, .. })
        ));
    }
}
