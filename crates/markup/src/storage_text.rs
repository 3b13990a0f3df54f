//! Confluence storage format (XHTML with `ac:`/`ri:` macros) read as Markdown-ish text for
//! prompts: headings become `#` lines, list items `- ` lines, table rows ` | `-joined cells,
//! everything else its text. Lenient by design: pages are often not well-formed XML.

/// The text of a storage-format page.
pub fn storage_to_text(storage: &str) -> String {
    let mut out = String::with_capacity(storage.len() / 2);
    let mut rest = storage;
    let mut in_cdata_skip = false;
    while let Some(start) = rest.find('<') {
        if !in_cdata_skip {
            push_text(&mut out, &rest[..start]);
        }
        let after = &rest[start..];
        if let Some(body) = after.strip_prefix("<![CDATA[") {
            let end = body.find("]]>").unwrap_or(body.len());
            push_text_raw(&mut out, &body[..end]);
            rest = body.get(end + 3..).unwrap_or("");
            continue;
        }
        let Some(end) = after.find('>') else {
            rest = "";
            break;
        };
        let tag = &after[1..end];
        rest = &after[end + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == ':' || *c == '-')
            .collect::<String>()
            .to_ascii_lowercase();
        // Macro parameters (e.g. a Jira macro's server id) are not page text.
        if name == "ac:parameter" {
            in_cdata_skip = !closing && !tag.ends_with('/');
            continue;
        }
        match (name.as_str(), closing) {
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", false) => {
                let level = name[1..].parse::<usize>().unwrap_or(2);
                new_line(&mut out);
                out.push('\n');
                out.push_str(&"#".repeat(level));
                out.push(' ');
            }
            ("li", false) => {
                new_line(&mut out);
                out.push_str("- ");
            }
            ("td" | "th", false)
                if !out.ends_with('\n') && !out.is_empty() && !out.ends_with("| ") =>
            {
                out.push_str(" | ");
            }
            ("br", _)
            | (
                "p" | "tr" | "div" | "ul" | "ol" | "table" | "h1" | "h2" | "h3" | "h4" | "h5"
                | "h6" | "li",
                true,
            ) => new_line(&mut out),
            _ => {}
        }
    }
    if !in_cdata_skip {
        push_text(&mut out, rest);
    }
    let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    let mut text = String::with_capacity(out.len());
    let mut blank = 0;
    for line in lines {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        text.push_str(line);
        text.push('\n');
    }
    text.trim().to_owned()
}

fn new_line(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

fn push_text_raw(out: &mut String, text: &str) {
    out.push_str(text);
}

fn push_text(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        push_collapsed(out, &rest[..amp]);
        let after = &rest[amp + 1..];
        match after.find(';').filter(|end| *end <= 10) {
            Some(end) => {
                let entity = &after[..end];
                match decode_entity(entity) {
                    Some(c) => out.push(c),
                    None => {
                        out.push('&');
                        out.push_str(entity);
                        out.push(';');
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    push_collapsed(out, rest);
}

fn push_collapsed(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_whitespace() {
            if !out.ends_with(' ') && !out.ends_with('\n') && !out.is_empty() {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
}

fn decode_entity(entity: &str) -> Option<char> {
    match entity {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        "ndash" => Some('–'),
        "mdash" => Some('—'),
        "rsquo" | "lsquo" => Some('\''),
        "rdquo" | "ldquo" => Some('"'),
        "hellip" => Some('…'),
        _ => {
            let number = entity.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_lists_tables_and_entities_become_text() {
        let page = "<h1>Checkout PRD</h1><p>Shoppers abandon&nbsp;carts &amp; leave.</p>\
            <h2>User Problems</h2><ul><li><p>Too many steps</p></li><li>No Apple Pay</li></ul>\
            <table><tbody><tr><th>Story</th><th>Priority</th></tr><tr><td>Guest checkout</td><td>High</td></tr></tbody></table>\
            <ac:structured-macro ac:name=\"jira\"><ac:parameter ac:name=\"key\">DEMO-1</ac:parameter></ac:structured-macro>\
            <p>Code: <![CDATA[a < b]]></p>";
        let text = storage_to_text(page);
        assert!(
            text.starts_with("# Checkout PRD\nShoppers abandon carts & leave."),
            "{text}"
        );
        assert!(
            text.contains("## User Problems\n- Too many steps\n- No Apple Pay"),
            "{text}"
        );
        assert!(
            text.contains("Story | Priority\nGuest checkout | High"),
            "{text}"
        );
        assert!(!text.contains("DEMO-1"), "{text}");
        assert!(text.contains("Code: a < b"), "{text}");
    }

    #[test]
    fn broken_markup_never_panics() {
        for page in [
            "<",
            "<p",
            "&",
            "&#xZZ;",
            "<h9>x</h9>",
            "<![CDATA[x",
            "a &amp b",
            "<ac:parameter>x",
        ] {
            let _ = storage_to_text(page);
        }
    }
}
