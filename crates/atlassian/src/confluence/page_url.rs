//! Finding the page id in the URL forms users paste from their browser, and refusing URLs of
//! other hosts so a pasted link can never steer requests (or credentials) elsewhere.

use url::Url;

use crate::error::{Error, Result};

/// The page id in `input`: a bare numeric id, or a URL on `site` of one of these forms:
/// `/wiki/spaces/KEY/pages/ID[/Title]`, `/wiki/spaces/KEY/pages/edit-v2/ID`,
/// `…?pageId=ID` (e.g. `/wiki/pages/viewpage.action?pageId=ID`).
pub fn page_id_from_url(site: &Url, input: &str) -> Result<String> {
    let input = input.trim();
    if is_numeric(input) {
        return Ok(input.to_string());
    }
    let fail = |reason: &str| Error::PageUrl {
        url: input.to_string(),
        reason: reason.to_string(),
    };
    let url = Url::parse(input).map_err(|_| fail("it is neither a page id nor a URL"))?;
    if url.scheme() != site.scheme()
        || url.host_str() != site.host_str()
        || url.port_or_known_default() != site.port_or_known_default()
    {
        return Err(Error::ForeignHost {
            url: input.to_string(),
            site: site.origin().ascii_serialization(),
        });
    }
    if let Some((_, id)) = url
        .query_pairs()
        .find(|(name, value)| name == "pageId" && is_numeric(value))
    {
        return Ok(id.into_owned());
    }
    let segments: Vec<&str> = url
        .path_segments()
        .map(Iterator::collect)
        .unwrap_or_default();
    if let Some(position) = segments.iter().position(|s| *s == "pages") {
        let mut rest = segments.iter().skip(position + 1);
        let id = match rest.next() {
            Some(&"edit-v2") | Some(&"edit") => rest.next(),
            other => other,
        };
        if let Some(id) = id.filter(|id| is_numeric(id)) {
            return Ok((*id).to_string());
        }
    }
    if segments.contains(&"x") {
        return Err(fail(
            "short links (/wiki/x/…) do not contain the page id; open the page and copy the full URL",
        ));
    }
    if segments.contains(&"display") {
        return Err(fail(
            "legacy /display/ links do not contain the page id; open the page and copy the full URL",
        ));
    }
    Err(fail("no /pages/ID path segment or pageId parameter"))
}

fn is_numeric(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Url {
        Url::parse("https://acme.atlassian.net/").unwrap()
    }

    #[test]
    fn every_pasted_form_yields_the_id() {
        for input in [
            "123456789",
            "https://acme.atlassian.net/wiki/spaces/ENG/pages/123456789/Checkout+PRD",
            "https://acme.atlassian.net/wiki/spaces/ENG/pages/123456789",
            "https://acme.atlassian.net/wiki/spaces/ENG/pages/edit-v2/123456789",
            "https://acme.atlassian.net/wiki/pages/viewpage.action?pageId=123456789",
            "https://ACME.atlassian.net/wiki/spaces/ENG/pages/123456789/T?focusedCommentId=5#x",
        ] {
            assert_eq!(
                page_id_from_url(&site(), input).unwrap(),
                "123456789",
                "{input}"
            );
        }
    }

    #[test]
    fn other_hosts_are_refused() {
        for input in [
            "https://evil.example.com/wiki/spaces/ENG/pages/123",
            "https://acme.atlassian.net.evil.com/wiki/spaces/ENG/pages/123",
            "http://acme.atlassian.net/wiki/spaces/ENG/pages/123",
            "https://acme.atlassian.net:8443/wiki/spaces/ENG/pages/123",
        ] {
            assert!(
                matches!(
                    page_id_from_url(&site(), input),
                    Err(Error::ForeignHost { .. })
                ),
                "{input}"
            );
        }
    }

    #[test]
    fn urls_without_an_id_say_why() {
        let Err(Error::PageUrl { reason, .. }) =
            page_id_from_url(&site(), "https://acme.atlassian.net/wiki/x/AbCdEf")
        else {
            panic!("tiny links carry no id")
        };
        assert!(reason.contains("short links"));
        assert!(page_id_from_url(&site(), "not a url").is_err());
        assert!(page_id_from_url(&site(), "https://acme.atlassian.net/wiki/spaces/ENG").is_err());
    }
}
