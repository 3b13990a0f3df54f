//! Splits a ticket summary into its action and object ("Add password reset via email" → verb
//! "add", object "password reset via email", topic "password reset"), reads user-story
//! summaries ("As a buyer, I want ...") and bug symptoms ("Login fails when ...").

/// The parts of a summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryParts {
    /// The summary without Jira keys, team prefixes or "Bug:" labels.
    pub clean: String,
    /// The leading action verb in its base form ("add", "set up"), when there is one.
    pub verb: Option<String>,
    /// What the verb acts on; the whole summary when there is no verb.
    pub object: String,
    /// The object's core noun phrase, without "via/for/with/when ..." qualifiers.
    pub topic: String,
    /// For symptom-style summaries ("Login fails with 500 when ..."): the failing thing.
    pub failing_subject: Option<String>,
    /// ... and what goes wrong ("fails with 500").
    pub problem: Option<String>,
    /// ... and when ("email contains a plus sign").
    pub trigger: Option<String>,
    /// The benefit of a user-story summary ("so that ...").
    pub benefit: Option<String>,
}

impl SummaryParts {
    /// The topic as an identifier: `password_reset`.
    pub fn slug(&self) -> String {
        let words: Vec<String> = super::lexicon::words(&self.topic)
            .filter(|word| !STOPWORDS.contains(&word.as_str()))
            .take(3)
            .collect();
        if words.is_empty() {
            "feature".to_owned()
        } else {
            words.join("_")
        }
    }

    /// "adds password reset via email", or "delivers <object>" when there is no verb.
    pub fn action_phrase_third_person(&self) -> String {
        match &self.verb {
            Some(verb) => format!("{} {}", third_person(verb), self.object),
            None => format!("delivers {}", lower_first(&self.object)),
        }
    }

    /// "add password reset via email", or "deliver <object>" when there is no verb.
    pub fn action_phrase(&self) -> String {
        match &self.verb {
            Some(verb) => format!("{verb} {}", self.object),
            None => format!("deliver {}", lower_first(&self.object)),
        }
    }
}

/// Words too general to name a module or to match files by.
pub(crate) const STOPWORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "to", "for", "in", "on", "with", "via", "by", "from",
    "at", "as", "is", "be", "new", "all", "our", "their", "its", "it", "this", "that", "when",
    "into", "per", "some", "users", "user", "ability", "support", "feature", "option", "able",
    "can", "should", "not",
];

/// Base forms of verbs that start summaries. Phrasal verbs are listed with their particle.
const VERBS: &[&str] = &[
    "add",
    "implement",
    "create",
    "build",
    "support",
    "allow",
    "enable",
    "fix",
    "resolve",
    "update",
    "improve",
    "refactor",
    "migrate",
    "remove",
    "delete",
    "deprecate",
    "replace",
    "integrate",
    "export",
    "import",
    "investigate",
    "research",
    "explore",
    "evaluate",
    "optimize",
    "optimise",
    "upgrade",
    "introduce",
    "extend",
    "rename",
    "move",
    "handle",
    "show",
    "display",
    "send",
    "validate",
    "restrict",
    "document",
    "automate",
    "expose",
    "sync",
    "redesign",
    "prevent",
    "set up",
    "clean up",
    "speed up",
    "roll out",
    "make",
    "provide",
    "store",
    "track",
    "log",
    "audit",
    "notify",
    "generate",
    "calculate",
    "cache",
    "split",
    "merge",
    "limit",
    "block",
    "hide",
    "enforce",
    "encrypt",
    "configure",
    "schedule",
    "retry",
    "reduce",
    "convert",
    "archive",
    "publish",
    "launch",
    "enhance",
    "consolidate",
    "standardize",
    "standardise",
    "verify",
    "test",
    "monitor",
    "measure",
    "let",
    "design",
    "define",
    "write",
    "backfill",
    "deduplicate",
    "paginate",
    "persist",
    "surface",
    "expand",
    "rework",
    "revamp",
    "harden",
    "secure",
    "translate",
    "localize",
    "localise",
    "disable",
    "save",
    "view",
    "see",
    "receive",
    "filter",
    "search",
    "pay",
    "download",
    "upload",
    "share",
    "edit",
    "manage",
    "invite",
    "reset",
    "cancel",
    "approve",
    "subscribe",
    "compare",
    "review",
    "access",
    "choose",
    "select",
    "change",
    "connect",
    "sign in",
    "sign up",
    "log in",
    "opt out",
    "check out",
    "get",
    "find",
    "keep",
    "use",
    "bulk",
    "undo",
    "restore",
    "reconcile",
    "charge",
    "refund",
    "process",
    "ingest",
    "index",
    "release",
    "deploy",
    "provision",
    "tune",
    "apply",
    "force",
    "answer",
    "respond",
    "return",
    "reject",
    "mark",
    "enqueue",
    "request",
    "submit",
    "open",
    "close",
    "book",
    "buy",
    "sell",
    "list",
    "lock",
    "unlock",
    "sort",
    "group",
    "notify",
    "warn",
    "detect",
    "prevent",
    "fetch",
    "load",
    "render",
    "redirect",
    "publish",
    "emit",
];

/// [`VERBS`] as a set, for the look-ups done once per word of long texts.
static VERB_SET: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
    std::sync::LazyLock::new(|| VERBS.iter().copied().collect());

/// True when `word` (any case) is the base form of a known verb or the first word of a phrasal
/// one ("set" of "set up"): the test for an imperative sentence.
pub fn is_base_verb(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    VERB_SET.contains(lower.as_str())
        || matches!(
            lower.as_str(),
            "set" | "clean" | "speed" | "roll" | "sign" | "check"
        )
}

/// Words that mark a symptom in bug summaries.
const FAILURE_MARKERS: &[&str] = &[
    " fails",
    " failing",
    " failed",
    " breaks",
    " broken",
    " crashes",
    " crash",
    " returns",
    " throws",
    " shows",
    " doesn't",
    " does not",
    " don't",
    " is not",
    " are not",
    " cannot",
    " can't",
    " not ",
    " hangs",
    " times out",
    " missing",
    " error",
];

/// Parses a summary.
pub fn parse_summary(summary: &str) -> SummaryParts {
    let clean = normalise_case(&strip_labels(summary));
    if let Some(parts) = parse_user_story(&clean) {
        return parts;
    }
    let lower = clean.to_ascii_lowercase();
    let mut verb = None;
    let mut object = clean.clone();
    for (candidate, consumed) in verb_candidates(&lower) {
        if let Some(base) = base_verb(&candidate) {
            let rest = clean.get(consumed..).unwrap_or("").trim();
            if !rest.is_empty() {
                verb = Some(base.to_owned());
                object = rest.to_owned();
            }
            break;
        }
    }
    let (failing_subject, problem, trigger) = if verb.is_none() {
        parse_symptom(&clean)
    } else {
        (None, None, None)
    };
    let topic = topic_of(failing_subject.as_deref().unwrap_or(&object));
    SummaryParts {
        clean,
        verb,
        object,
        topic,
        failing_subject,
        problem,
        trigger,
        benefit: None,
    }
}

/// Drops "PROJ-12:", "[BE]", "Bug:", "Story -" and similar labels from the start.
fn strip_labels(summary: &str) -> String {
    let mut text = summary.trim();
    loop {
        let before = text;
        if text.starts_with('[')
            && let Some(end) = text.find(']')
        {
            text = text[end + 1..].trim_start();
        }
        let first = text.split_whitespace().next().unwrap_or("");
        let bare = first.trim_end_matches([':', '-']);
        let is_key = bare.contains('-')
            && bare
                .split('-')
                .next()
                .is_some_and(|p| p.chars().all(|c| c.is_ascii_uppercase()))
            && bare
                .rsplit('-')
                .next()
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        let is_label = matches!(
            bare.to_ascii_lowercase().as_str(),
            "bug" | "story" | "task" | "feature" | "spike" | "epic" | "chore" | "fe" | "be" | "qa"
        ) && (first.ends_with(':')
            || text[first.len()..].trim_start().starts_with(['-', ':']));
        if is_key || is_label {
            text = text[first.len()..]
                .trim_start()
                .trim_start_matches(['-', ':'])
                .trim_start();
        }
        if text == before {
            break;
        }
    }
    text.trim_end_matches(['.', ' ']).to_owned()
}

/// Title Case Summaries Read Oddly Inside A Sentence, so they are lower-cased, keeping
/// acronyms (CSV, API) intact.
fn normalise_case(text: &str) -> String {
    let long_words: Vec<&str> = text.split_whitespace().filter(|w| w.len() >= 4).collect();
    let capitalised = long_words
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count();
    if long_words.len() < 3 || capitalised * 10 < long_words.len() * 7 {
        return text.to_owned();
    }
    let mut out: Vec<String> = Vec::new();
    for (index, word) in text.split_whitespace().enumerate() {
        let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
        let acronym = letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase());
        if index == 0 || acronym {
            out.push(word.to_owned());
        } else {
            out.push(word.to_ascii_lowercase());
        }
    }
    out.join(" ")
}

/// The first one or two lower-cased words (a verb may be phrasal), with the byte length of the
/// summary they cover.
fn verb_candidates(lower: &str) -> Vec<(String, usize)> {
    let mut words = lower.split(' ').filter(|w| !w.is_empty());
    let Some(first) = words.next() else {
        return Vec::new();
    };
    let first_end = lower.find(first).map_or(0, |start| start + first.len());
    let mut candidates = Vec::new();
    if let Some(second) = words.next()
        && matches!(second, "up" | "out" | "in")
    {
        let end = lower[first_end..]
            .find(second)
            .map_or(first_end, |at| first_end + at + second.len());
        candidates.push((format!("{first} {second}"), end));
    }
    candidates.push((first.trim_end_matches([':', ',']).to_owned(), first_end));
    candidates
}

/// Maps "adding", "adds", "added", "sets up" to their base form from [`VERBS`].
fn base_verb(word: &str) -> Option<&'static str> {
    let (head, particle) = match word.split_once(' ') {
        Some((head, particle)) => (head, Some(particle)),
        None => (word, None),
    };
    let mut forms = vec![head.to_owned()];
    for suffix in ["ing", "es", "s", "ed", "d"] {
        if let Some(stem) = head.strip_suffix(suffix) {
            forms.push(stem.to_owned());
            forms.push(format!("{stem}e"));
            // "setting" → "set", "logged" → "log"
            let mut chars = stem.chars();
            if let (Some(last), Some(before)) = (chars.next_back(), chars.next_back())
                && last == before
            {
                forms.push(stem[..stem.len() - 1].to_owned());
            }
        }
    }
    if let Some(stem) = head.strip_suffix("ies") {
        forms.push(format!("{stem}y"));
    }
    forms.into_iter().find_map(|form| {
        let full = match particle {
            Some(particle) => format!("{form} {particle}"),
            None => form,
        };
        VERB_SET.get(full.as_str()).copied()
    })
}

/// "As a buyer, I want to save my cart so that I can finish later."
fn parse_user_story(clean: &str) -> Option<SummaryParts> {
    let lower = clean.to_ascii_lowercase();
    if !(lower.starts_with("as a ") || lower.starts_with("as an ")) {
        return None;
    }
    let want_at = lower.find("i want")?;
    let mut want_start = want_at + "i want".len();
    if lower[want_start..].starts_with(" to ") {
        want_start += " to".len();
    }
    let (want_end, benefit) = match lower.find("so that") {
        Some(at) if at > want_start => (at, Some(clean[at + "so that".len()..].trim().to_owned())),
        _ => (clean.len(), None),
    };
    let want = clean[want_start..want_end]
        .trim()
        .trim_end_matches([',', '.'])
        .to_owned();
    if want.is_empty() {
        return None;
    }
    let mut parts = parse_summary(&want);
    if parts.verb.is_none() {
        // "I want to <verb> ..." always starts with a verb, known or not.
        if let Some((verb, object)) = want.split_once(' ') {
            parts.verb = Some(verb.to_ascii_lowercase());
            parts.object = object.trim().to_owned();
            parts.topic = topic_of(object.trim());
            parts.failing_subject = None;
            parts.problem = None;
            parts.trigger = None;
        }
    }
    parts.clean = clean.to_owned();
    parts.benefit = benefit.filter(|b| !b.is_empty());
    Some(parts)
}

/// "Login fails with 500 when email contains a plus sign" → ("Login", "fails with 500",
/// "email contains a plus sign").
fn parse_symptom(clean: &str) -> (Option<String>, Option<String>, Option<String>) {
    let lower = format!(" {}", clean.to_ascii_lowercase());
    let marker_at = FAILURE_MARKERS
        .iter()
        .filter_map(|marker| lower.find(marker))
        .min();
    let Some(at) = marker_at else {
        return (None, None, None);
    };
    // `lower` has one extra leading space, so `at` is the index in `clean` of the space
    // before the marker word.
    let subject = clean[..at.min(clean.len())].trim();
    let rest = clean[at.min(clean.len())..].trim();
    let (problem, trigger) = split_trigger(rest);
    let subject = (!subject.is_empty()).then(|| subject.to_owned());
    (subject, Some(problem), trigger)
}

fn split_trigger(rest: &str) -> (String, Option<String>) {
    let lower = rest.to_ascii_lowercase();
    for marker in [" when ", " if ", " after ", " while ", " for ", " on "] {
        if let Some(at) = lower.find(marker) {
            let trigger = rest[at + marker.len()..].trim();
            if !trigger.is_empty() {
                return (rest[..at].trim().to_owned(), Some(trigger.to_owned()));
            }
        }
    }
    (rest.to_owned(), None)
}

/// The noun phrase before any qualifier.
fn topic_of(object: &str) -> String {
    let lower = object.to_ascii_lowercase();
    let mut end = object.len();
    for marker in [
        " via ",
        " for ",
        " with ",
        " when ",
        " in ",
        " on ",
        " to ",
        " from ",
        " using ",
        " by ",
        " after ",
        " so that ",
        " because ",
        " without ",
        " into ",
        ",",
        " - ",
        ":",
        " (",
    ] {
        if let Some(at) = lower.find(marker)
            && at > 0
        {
            end = end.min(at);
        }
    }
    let mut topic = object[..end].trim();
    for article in ["the ", "a ", "an ", "new ", "users to ", "user to "] {
        if topic.to_ascii_lowercase().starts_with(article) && topic.len() > article.len() {
            topic = topic[article.len()..].trim_start();
        }
    }
    topic.to_owned()
}

/// "add" → "adds", "fix" → "fixes", "set up" → "sets up".
pub fn third_person(verb: &str) -> String {
    let (head, tail) = match verb.split_once(' ') {
        Some((head, tail)) => (head, format!(" {tail}")),
        None => (verb, String::new()),
    };
    let inflected =
        if head.ends_with(['s', 'x', 'z']) || head.ends_with("ch") || head.ends_with("sh") {
            format!("{head}es")
        } else if head.len() > 1
            && head.ends_with('y')
            && !head[..head.len() - 1].ends_with(['a', 'e', 'i', 'o', 'u'])
        {
            format!("{}ies", &head[..head.len() - 1])
        } else {
            format!("{head}s")
        };
    format!("{inflected}{tail}")
}

/// Lower-cases the first letter unless the first word is an acronym or a name with inner
/// capitals ("CSV", "iOS", "GitHub").
pub fn lower_first(text: &str) -> String {
    let first_word = text.split_whitespace().next().unwrap_or("");
    if super::entities::is_known_name(first_word) {
        return text.to_owned();
    }
    let capitals = first_word.chars().filter(|c| c.is_uppercase()).count();
    if capitals != 1 || !first_word.chars().next().is_some_and(char::is_uppercase) {
        return text.to_owned();
    }
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Upper-cases the first letter.
pub fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_verb_and_object() {
        let parts = parse_summary("Add password reset via email");
        assert_eq!(parts.verb.as_deref(), Some("add"));
        assert_eq!(parts.object, "password reset via email");
        assert_eq!(parts.topic, "password reset");
        assert_eq!(parts.slug(), "password_reset");
    }

    #[test]
    fn strips_labels_and_inflections() {
        let parts = parse_summary("[BE] PROJ-12: Setting up nightly CSV export for orders");
        assert_eq!(parts.verb.as_deref(), Some("set up"));
        assert_eq!(parts.object, "nightly CSV export for orders");
        assert_eq!(parts.topic, "nightly CSV export");
    }

    #[test]
    fn reads_bug_symptoms() {
        let parts = parse_summary("Login fails with 500 when email contains a plus sign");
        assert_eq!(parts.verb, None);
        assert_eq!(parts.failing_subject.as_deref(), Some("Login"));
        assert_eq!(parts.problem.as_deref(), Some("fails with 500"));
        assert_eq!(parts.trigger.as_deref(), Some("email contains a plus sign"));
    }

    #[test]
    fn reads_user_story_summaries() {
        let parts = parse_summary("As a buyer, I want to save my cart so that I can finish later");
        assert_eq!(parts.verb.as_deref(), Some("save"));
        assert_eq!(parts.object, "my cart");
        assert_eq!(parts.benefit.as_deref(), Some("I can finish later"));
    }

    #[test]
    fn lowers_title_case() {
        let parts = parse_summary("Export Order History To CSV File");
        assert_eq!(parts.object, "order history to CSV file");
        assert_eq!(third_person("fix"), "fixes");
        assert_eq!(third_person("verify"), "verifies");
        assert_eq!(lower_first("CSV export"), "CSV export");
        assert_eq!(lower_first("Orders list"), "orders list");
    }
}
