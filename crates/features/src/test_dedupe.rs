//! Near-duplicate test removal: two tests are the same test when their titles, normalized to
//! their salient word stems, overlap almost entirely (token Jaccard similarity). The reference
//! kept the first test per exact lower-cased title, so "Verify the user can pay with a valid
//! card" and "User pays with valid card" both survived; this catches such rewordings while
//! keeping tests whose titles differ in what they check ("expired card" vs "valid card").

use std::collections::BTreeSet;

/// Titles at least this similar are duplicates.
pub const DUPLICATE_SIMILARITY: f64 = 0.75;

/// Words that do not tell tests apart.
const FILLER: [&str; 32] = [
    "a", "an", "the", "and", "or", "of", "to", "for", "in", "on", "with", "is", "are", "be", "can",
    "should", "must", "that", "this", "it", "its", "verify", "verifies", "check", "checks",
    "ensure", "ensures", "test", "tests", "case", "when", "then",
];

/// The salient word stems of a title: lower-cased alphanumeric words, filler removed, common
/// English suffixes stripped so "pays"/"pay" and "declined"/"decline" meet.
pub fn title_tokens(title: &str) -> BTreeSet<String> {
    title
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty() && !FILLER.contains(word))
        .map(stem)
        .collect()
}

/// A word's stem: "countries" -> "country", "pays" -> "pay", "declined"/"decline" -> "declin".
pub fn stem(word: &str) -> String {
    if let Some(root) = word.strip_suffix("ies")
        && root.chars().count() >= 3
    {
        return format!("{root}y");
    }
    for suffix in ["ing", "ed", "es", "s"] {
        if let Some(root) = word.strip_suffix(suffix)
            && root.chars().count() >= 3
            && !(suffix == "s" && root.ends_with('s'))
        {
            // "declined" -> "declin", "decline" -> "declin": drop a trailing e as well.
            return root.trim_end_matches('e').to_owned();
        }
    }
    if word.chars().count() > 3 {
        word.trim_end_matches('e').to_owned()
    } else {
        word.to_owned()
    }
}

/// Jaccard similarity of two titles' salient stems (1.0 for identical sets; titles with no
/// salient words compare by their trimmed lower-case text).
pub fn title_similarity(a: &str, b: &str) -> f64 {
    let (left, right) = (title_tokens(a), title_tokens(b));
    if left.is_empty() || right.is_empty() {
        let same = a.trim().to_lowercase() == b.trim().to_lowercase();
        return if same { 1.0 } else { 0.0 };
    }
    let shared = left.intersection(&right).count() as f64;
    let all = left.union(&right).count() as f64;
    shared / all
}

/// Whether `title` duplicates one of `existing`.
pub fn is_duplicate<'a>(title: &str, existing: impl IntoIterator<Item = &'a str>) -> bool {
    existing
        .into_iter()
        .any(|other| title_similarity(title, other) >= DUPLICATE_SIMILARITY)
}

/// Keeps the first of every group of near-duplicate items (by `title`), in order; returns the
/// kept items and how many were dropped.
pub fn dedupe_by_title<T>(items: Vec<T>, title: impl Fn(&T) -> &str) -> (Vec<T>, usize) {
    let mut kept: Vec<T> = Vec::with_capacity(items.len());
    let mut dropped = 0;
    for item in items {
        if is_duplicate(title(&item), kept.iter().map(&title)) {
            dropped += 1;
        } else {
            kept.push(item);
        }
    }
    (kept, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewordings_of_one_test_are_duplicates() {
        assert!(
            title_similarity(
                "Verify that the user can pay with a valid card",
                "User pays with valid card"
            ) >= DUPLICATE_SIMILARITY
        );
        assert_eq!(title_similarity("Guest checkout", "guest  CHECKOUT!"), 1.0);
        assert!(
            title_similarity(
                "Card declined is shown inline",
                "Declined card is shown inline"
            ) >= DUPLICATE_SIMILARITY
        );
    }

    #[test]
    fn tests_of_different_behaviour_are_kept() {
        assert!(
            title_similarity(
                "Payment fails with an expired card",
                "Payment succeeds with a valid card"
            ) < DUPLICATE_SIMILARITY
        );
        assert!(
            title_similarity(
                "Performance: checkout under load",
                "Security: checkout access"
            ) < DUPLICATE_SIMILARITY
        );
    }

    #[test]
    fn titles_without_salient_words_compare_by_text() {
        assert_eq!(title_similarity("Test", "test "), 1.0);
        assert_eq!(title_similarity("Test", "The test"), 0.0);
    }

    #[test]
    fn dedupe_keeps_the_first_of_each_group_in_order() {
        let titles = vec![
            "User pays with valid card",
            "Payment fails with an expired card",
            "Verify the user can pay with a valid card",
            "Payment fails with expired cards",
            "Address autocomplete suggests matches",
        ];
        let (kept, dropped) = dedupe_by_title(titles, |title| title);
        assert_eq!(
            kept,
            vec![
                "User pays with valid card",
                "Payment fails with an expired card",
                "Address autocomplete suggests matches",
            ]
        );
        assert_eq!(dropped, 2);
    }

    #[test]
    fn stems_meet_across_inflections() {
        assert_eq!(title_tokens("pays declined"), title_tokens("pay decline"));
        assert_eq!(stem("countries"), stem("country"));
        assert!(title_tokens("the user can log in").contains("user"));
        assert!(!title_tokens("the user can log in").contains("the"));
    }
}
