//! Deserializers that accept both YAML-typed values and the strings environment variables carry.
//!
//! `WORKER_MAX_JOBS=10` arrives as the string "10", while `max_jobs: 10` in YAML is a number;
//! both must land in the same `u32`. Empty strings (an unset `${VAR}`) mean "use the default".

use std::fmt::Display;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, de::Error};

#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

fn parse<'de, D, T>(d: D, what: &str) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: Display,
{
    let value = Option::<Scalar>::deserialize(d)?;
    let text = match value {
        None => return Ok(None),
        Some(Scalar::Bool(b)) => b.to_string(),
        Some(Scalar::Int(i)) => i.to_string(),
        Some(Scalar::Float(f)) => f.to_string(),
        Some(Scalar::Text(s)) => s,
    };
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<T>()
        .map(Some)
        .map_err(|e| D::Error::custom(format!("expected {what}, got {text:?} ({e})")))
}

/// A number given as a number or a string.
pub fn number<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr + Default,
    T::Err: Display,
{
    Ok(parse(d, "a number")?.unwrap_or_default())
}

/// An optional number; empty means absent.
pub fn optional_number<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: Display,
{
    parse(d, "a number")
}

/// A boolean given as `true`/`false` (any case), `1`/`0`, `yes`/`no`.
pub fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let value = Option::<Scalar>::deserialize(d)?;
    let text = match value {
        None => return Ok(false),
        Some(Scalar::Bool(b)) => return Ok(b),
        Some(Scalar::Int(i)) => i.to_string(),
        Some(Scalar::Float(f)) => f.to_string(),
        Some(Scalar::Text(s)) => s,
    };
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" | "" => Ok(false),
        other => Err(D::Error::custom(format!(
            "expected true or false, got {other:?}"
        ))),
    }
}

/// An optional string; empty or whitespace means absent.
pub fn optional_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let raw = Option::<Scalar>::deserialize(d)?;
    Ok(match raw {
        None => None,
        Some(Scalar::Text(s)) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Some(Scalar::Int(i)) => Some(i.to_string()),
        Some(Scalar::Float(f)) => Some(f.to_string()),
        Some(Scalar::Bool(b)) => Some(b.to_string()),
    })
}

/// A list given as a YAML sequence or as one comma-separated string.
pub fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ListOrText {
        List(Vec<String>),
        Text(String),
    }
    Ok(match Option::<ListOrText>::deserialize(d)? {
        None => Vec::new(),
        Some(ListOrText::List(items)) => items
            .into_iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        Some(ListOrText::Text(text)) => text
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
    })
}
