//! Lenient parsing of Atlassian timestamps: RFC 3339 (`…+10:00`, agile and Confluence) and Jira's
//! platform form without a colon in the offset (`2021-01-17T12:34:00.000+0000`).

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Deserializer};

/// Parse either timestamp form.
pub fn parse_timestamp(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
}

/// Serde helper: an optional timestamp; unparseable values become `None` rather than failing the
/// whole response (Atlassian has changed these formats before).
pub(crate) fn lenient_timestamp<'de, D>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error>
where
    D: Deserializer<'de>,
{
    let text: Option<String> = Option::deserialize(deserializer)?;
    Ok(text
        .as_deref()
        .and_then(parse_timestamp)
        .map(|t| t.with_timezone(&Utc)))
}

/// The form Jira Software accepts for sprint dates.
pub(crate) fn format_timestamp(at: &DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_offset_forms_parse() {
        let a = parse_timestamp("2015-04-11T15:22:00.000+10:00").unwrap();
        let b = parse_timestamp("2015-04-11T15:22:00.000+1000").unwrap();
        assert_eq!(a, b);
        assert!(parse_timestamp("2025-01-01T00:00:00.000Z").is_some());
        assert!(parse_timestamp("yesterday").is_none());
    }
}
