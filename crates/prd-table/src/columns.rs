//! Which header cell is which: the title, user story, description, acceptance criteria,
//! priority and Jira ticket columns, recognised case-insensitively by their words, anywhere in
//! the header row (a ticket column first is as good as a ticket column last).

use serde::Serialize;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnRole {
    /// The story's title: Title, Summary, Name, Story, Feature.
    Title,
    /// An "As a … I want … so that …" sentence: User Story.
    UserStory,
    /// Description, Details, Notes.
    Description,
    /// Acceptance Criteria, AC.
    AcceptanceCriteria,
    /// Priority, Importance, MoSCoW.
    Priority,
    /// JIRA Ticket, Ticket, Jira, Story Key, Jira Link, Issue.
    Ticket,
}

/// A recognised column: its logical index and header text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    pub index: usize,
    pub header: String,
}

/// The recognised columns of a table (the first column of each role wins).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ColumnMap {
    pub title: Option<Column>,
    pub user_story: Option<Column>,
    pub description: Option<Column>,
    pub acceptance_criteria: Option<Column>,
    pub priority: Option<Column>,
    pub ticket: Option<Column>,
}

impl ColumnMap {
    /// Classifies every header.
    pub fn detect(headers: &[String]) -> Self {
        let mut map = ColumnMap::default();
        for (index, header) in headers.iter().enumerate() {
            let Some(role) = classify(header) else {
                continue;
            };
            let slot = map.slot(role);
            if slot.is_none() {
                *slot = Some(Column {
                    index,
                    header: header.clone(),
                });
            }
        }
        map
    }

    fn slot(&mut self, role: ColumnRole) -> &mut Option<Column> {
        match role {
            ColumnRole::Title => &mut self.title,
            ColumnRole::UserStory => &mut self.user_story,
            ColumnRole::Description => &mut self.description,
            ColumnRole::AcceptanceCriteria => &mut self.acceptance_criteria,
            ColumnRole::Priority => &mut self.priority,
            ColumnRole::Ticket => &mut self.ticket,
        }
    }

    /// Whether the table can be read as stories: it has a column naming them.
    pub fn has_story_column(&self) -> bool {
        self.title.is_some() || self.user_story.is_some()
    }

    /// How story-like the table looks: the number of roles found.
    pub fn score(&self) -> usize {
        [
            &self.title,
            &self.user_story,
            &self.description,
            &self.acceptance_criteria,
            &self.priority,
            &self.ticket,
        ]
        .iter()
        .filter(|column| column.is_some())
        .count()
    }
}

/// Header text as words: lower case, punctuation as spaces, whitespace collapsed.
pub(crate) fn words(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The role of one header, if any. Order matters: "Story Ticket" is a ticket column, "User
/// Story" a user story, "Story" alone a title.
pub fn classify(header: &str) -> Option<ColumnRole> {
    let words = words(header);
    let has = |word: &str| words.split(' ').any(|w| w == word);
    if words.is_empty() {
        return None;
    }
    if has("jira")
        || has("ticket")
        || has("tickets")
        || matches!(
            words.as_str(),
            "key" | "issue" | "issue key" | "story key" | "jira key" | "link" | "issue link"
        )
    {
        return Some(ColumnRole::Ticket);
    }
    if has("acceptance") || matches!(words.as_str(), "ac" | "acs" | "criteria") {
        return Some(ColumnRole::AcceptanceCriteria);
    }
    if has("priority") || has("importance") || has("moscow") || words == "prio" {
        return Some(ColumnRole::Priority);
    }
    if words.contains("user story") || words.contains("user stories") || words == "as a" {
        return Some(ColumnRole::UserStory);
    }
    if has("description") || has("details") || has("detail") || has("notes") || has("note") {
        return Some(ColumnRole::Description);
    }
    if has("title")
        || has("summary")
        || has("name")
        || has("story")
        || has("stories")
        || has("feature")
    {
        return Some(ColumnRole::Title);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn headers_are_recognised_case_insensitively() {
        for (header, role) in [
            ("Title", ColumnRole::Title),
            ("SUMMARY", ColumnRole::Title),
            ("Story name", ColumnRole::Title),
            ("Story", ColumnRole::Title),
            ("User Story", ColumnRole::UserStory),
            ("user-story", ColumnRole::UserStory),
            ("Description", ColumnRole::Description),
            ("Notes", ColumnRole::Description),
            ("Acceptance Criteria", ColumnRole::AcceptanceCriteria),
            ("AC", ColumnRole::AcceptanceCriteria),
            ("Priority", ColumnRole::Priority),
            ("Importance", ColumnRole::Priority),
            ("JIRA Ticket", ColumnRole::Ticket),
            ("Ticket", ColumnRole::Ticket),
            ("Story Ticket", ColumnRole::Ticket),
            ("Jira", ColumnRole::Ticket),
            ("Story Key", ColumnRole::Ticket),
        ] {
            assert_eq!(classify(header), Some(role), "{header}");
        }
        assert_eq!(classify("#"), None);
        assert_eq!(classify("Mockup"), None);
        assert_eq!(classify(""), None);
    }

    #[test]
    fn a_ticket_column_first_is_found_and_the_first_of_a_role_wins() {
        let map = ColumnMap::detect(&headers(&["Ticket", "Story", "Notes", "Summary"]));
        assert_eq!(map.ticket.as_ref().map(|c| c.index), Some(0));
        assert_eq!(map.title.as_ref().map(|c| c.index), Some(1));
        assert_eq!(map.description.as_ref().map(|c| c.index), Some(2));
        assert_eq!(map.score(), 3);
        assert!(map.has_story_column());
        assert!(!ColumnMap::detect(&headers(&["Owner", "Date"])).has_story_column());
    }
}
