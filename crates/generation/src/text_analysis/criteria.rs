//! Acceptance criteria parsing: Given/When/Then blocks (one line or several), bullet lists and
//! plain lines, from an "Acceptance Criteria" section or from an explicit list.

/// One acceptance criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    /// The criterion as one line.
    pub text: String,
    /// The "Given" part, when written in Gherkin.
    pub given: Option<String>,
    /// The "When" part.
    pub when: Option<String>,
    /// The "Then" part.
    pub then: Option<String>,
}

impl Criterion {
    fn plain(text: &str) -> Self {
        let text = text.trim().trim_end_matches('.').to_owned();
        let mut criterion = Criterion {
            text: text.clone(),
            given: None,
            when: None,
            then: None,
        };
        criterion.split_inline_gherkin();
        criterion
    }

    /// "Given a, when b, then c" on one line.
    fn split_inline_gherkin(&mut self) {
        let lower = self.text.to_ascii_lowercase();
        if !lower.starts_with("given") {
            return;
        }
        let (Some(when_at), Some(then_at)) = (lower.find("when "), lower.find("then ")) else {
            return;
        };
        if when_at >= then_at {
            return;
        }
        let clean = |part: &str| part.trim().trim_matches([',', ':', ';']).trim().to_owned();
        self.given = Some(clean(&self.text["given".len()..when_at]));
        self.when = Some(clean(&self.text[when_at + "when".len()..then_at]));
        self.then = Some(clean(&self.text[then_at + "then".len()..]));
    }

    /// Whether it is written as Given/When/Then.
    pub fn is_gherkin(&self) -> bool {
        self.then.is_some()
    }
}

/// Parses criteria from `text`. With `section_only`, only lines under an "Acceptance
/// Criteria" heading and Given/When/Then blocks anywhere count (the text is a whole
/// description); otherwise every line is a criterion (the text is a criteria field).
pub fn parse_criteria(text: &str, section_only: bool) -> Vec<Criterion> {
    let mut criteria = Vec::new();
    let mut in_section = !section_only;
    let mut gherkin: Option<GherkinBlock> = None;
    for raw_line in text.lines() {
        let line = raw_line.trim();
        if line.is_empty() {
            continue;
        }
        let heading = heading_text(line);
        if let Some(heading) = &heading {
            flush(&mut gherkin, &mut criteria);
            if section_only {
                in_section = heading.to_ascii_lowercase().contains("acceptance criteria");
            }
            continue;
        }
        let item = strip_bullet(line);
        let lower = item.to_ascii_lowercase();
        let keyword = ["given", "when", "then", "and", "but"]
            .into_iter()
            .find(|kw| lower.starts_with(kw) && lower[kw.len()..].starts_with([' ', ':']));
        match keyword {
            Some("given") if !(lower.contains(" then ") || lower.contains(", then")) => {
                flush(&mut gherkin, &mut criteria);
                gherkin = Some(GherkinBlock::start(rest_after(item, "given")));
            }
            Some(keyword @ ("when" | "then" | "and" | "but")) if gherkin.is_some() => {
                if let Some(block) = gherkin.as_mut() {
                    block.push(keyword, rest_after(item, keyword));
                }
            }
            _ if in_section => {
                flush(&mut gherkin, &mut criteria);
                criteria.push(Criterion::plain(item));
            }
            _ => flush(&mut gherkin, &mut criteria),
        }
    }
    flush(&mut gherkin, &mut criteria);
    criteria.retain(|criterion| criterion.text.len() > 3);
    criteria.dedup_by(|a, b| a.text == b.text);
    criteria
}

/// A multi-line Given/When/Then block being collected.
struct GherkinBlock {
    given: Vec<String>,
    when: Vec<String>,
    then: Vec<String>,
    last: &'static str,
}

impl GherkinBlock {
    fn start(given: String) -> Self {
        GherkinBlock {
            given: vec![given],
            when: Vec::new(),
            then: Vec::new(),
            last: "given",
        }
    }

    fn push(&mut self, keyword: &str, text: String) {
        let target = match keyword {
            "when" => "when",
            "then" => "then",
            _ => self.last,
        };
        self.last = target;
        match target {
            "given" => self.given.push(text),
            "when" => self.when.push(text),
            _ => self.then.push(text),
        }
    }

    fn finish(self) -> Option<Criterion> {
        if self.then.is_empty() {
            return None;
        }
        let given = self.given.join(" and ");
        let when = (!self.when.is_empty()).then(|| self.when.join(" and "));
        let then = self.then.join(" and ");
        let text = match &when {
            Some(when) => format!("Given {given}, when {when}, then {then}"),
            None => format!("Given {given}, then {then}"),
        };
        Some(Criterion {
            text,
            given: Some(given),
            when,
            then: Some(then),
        })
    }
}

fn flush(block: &mut Option<GherkinBlock>, criteria: &mut Vec<Criterion>) {
    if let Some(criterion) = block.take().and_then(GherkinBlock::finish) {
        criteria.push(criterion);
    }
}

fn rest_after(item: &str, keyword: &str) -> String {
    item[keyword.len()..]
        .trim_start_matches([':', ' '])
        .trim()
        .trim_end_matches(['.', ','])
        .to_owned()
}

/// The text of a heading line: Markdown `#`, Jira wiki `h3.`, `*Bold*` alone on a line, or a
/// short line ending in a colon.
pub(crate) fn heading_text(line: &str) -> Option<String> {
    let trimmed = line.trim();
    if let Some(rest) = trimmed.strip_prefix('#') {
        return Some(rest.trim_start_matches('#').trim().to_owned());
    }
    if let Some(rest) = trimmed
        .strip_prefix('h')
        .and_then(|rest| rest.strip_prefix(|c: char| c.is_ascii_digit()))
        .and_then(|rest| rest.strip_prefix('.'))
        && !rest.is_empty()
    {
        return Some(rest.trim().to_owned());
    }
    for marker in ["**", "*", "__"] {
        if let Some(inner) = trimmed.strip_prefix(marker).and_then(|rest| {
            rest.strip_suffix(marker)
                .or_else(|| rest.strip_suffix(&format!("{marker}:")[..]))
        }) && !inner.is_empty()
            && !inner.contains(marker)
            && inner.len() <= 60
        {
            return Some(inner.trim_end_matches(':').trim().to_owned());
        }
    }
    let is_bullet = strip_bullet(trimmed).len() != trimmed.len();
    if !is_bullet && trimmed.ends_with(':') && trimmed.len() <= 40 {
        return Some(trimmed.trim_end_matches(':').trim().to_owned());
    }
    None
}

/// Removes a leading `-`, `*`, `•`, `1.`, `1)` or `[ ]` marker.
pub(crate) fn strip_bullet(line: &str) -> &str {
    let trimmed = line.trim_start();
    for marker in ["- [ ] ", "- [x] ", "* [ ] ", "- ", "* ", "• ", "+ ", "– "] {
        if let Some(rest) = trimmed.strip_prefix(marker) {
            return rest.trim();
        }
    }
    let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && digits <= 3 {
        let rest = &trimmed[digits..];
        if let Some(rest) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return rest.trim();
        }
    }
    trimmed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_multi_line_gherkin() {
        let text = "Some intro.\n\nGiven: the user is logged in\nWhen: they click submit\nAnd the form is valid\nThen: the form is submitted";
        let criteria = parse_criteria(text, true);
        assert_eq!(criteria.len(), 1);
        assert_eq!(criteria[0].given.as_deref(), Some("the user is logged in"));
        assert_eq!(
            criteria[0].when.as_deref(),
            Some("they click submit and the form is valid")
        );
        assert_eq!(criteria[0].then.as_deref(), Some("the form is submitted"));
    }

    #[test]
    fn parses_bullets_under_heading_only() {
        let text = "## Context\n- not a criterion\n\n## Acceptance Criteria\n- User can submit form\n- Validation errors are shown\n\n## Notes\n- also not";
        let criteria: Vec<String> = parse_criteria(text, true)
            .into_iter()
            .map(|c| c.text)
            .collect();
        assert_eq!(
            criteria,
            ["User can submit form", "Validation errors are shown"]
        );
    }

    #[test]
    fn parses_inline_gherkin_bullets() {
        let criteria = parse_criteria(
            "- Given a cart, when I check out, then I see a receipt",
            false,
        );
        assert_eq!(criteria[0].when.as_deref(), Some("I check out"));
        assert_eq!(criteria[0].then.as_deref(), Some("I see a receipt"));
    }
}
