//! The JQL functions Jira Cloud knows, which of them this crate can evaluate, and how many
//! arguments each takes.

use crate::datetime::DateFunction;
use crate::field::SprintState;

/// A function this crate evaluates, or one Jira has that it cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JqlFunction {
    /// `currentUser()`
    CurrentUser,
    /// `now()`, `startOfDay()` … `endOfYear()`
    Date(DateFunction),
    /// `openSprints()`, `closedSprints()`, `futureSprints()`
    Sprints(SprintState),
    /// A real Jira function that needs data an emulator does not keep (`membersOf`,
    /// `linkedIssues`, `releasedVersions`…): accepted by validation, refused by compilation.
    Unevaluated,
}

/// Jira Cloud's other JQL functions, lower-case.
const UNEVALUATED: &[&str] = &[
    "membersof",
    "currentlogin",
    "lastlogin",
    "releasedversions",
    "unreleasedversions",
    "latestreleasedversion",
    "earliestunreleasedversion",
    "issuehistory",
    "linkedissues",
    "watchedissues",
    "votedissues",
    "updatedby",
    "componentsleadbyuser",
    "projectsleadbyuser",
    "projectswhereuserhaspermission",
    "projectswhereuserhasrole",
    "cascadeoption",
    "issueswithremotelinksbyglobalid",
    "standardissuetypes",
    "subtaskissuetypes",
    "approved",
    "approver",
    "breached",
    "completed",
    "elapsed",
    "everbreached",
    "myapproval",
    "mypending",
    "paused",
    "pending",
    "pendingby",
    "remaining",
    "running",
    "withincalendarhours",
    "issuefieldvalue",
    "attributes",
    "aqlfunction",
];

impl JqlFunction {
    /// The function called `name` (case-insensitive), or `None` if Jira has no such function.
    pub fn from_name(name: &str) -> Option<JqlFunction> {
        if let Some(date) = DateFunction::from_name(name) {
            return Some(JqlFunction::Date(date));
        }
        let lower = name.to_ascii_lowercase();
        let function = match lower.as_str() {
            "currentuser" => JqlFunction::CurrentUser,
            "opensprints" => JqlFunction::Sprints(SprintState::Active),
            "closedsprints" => JqlFunction::Sprints(SprintState::Closed),
            "futuresprints" => JqlFunction::Sprints(SprintState::Future),
            other if UNEVALUATED.contains(&other) => JqlFunction::Unevaluated,
            _ => return None,
        };
        Some(function)
    }

    /// The most arguments the function accepts, if this crate knows it.
    pub fn max_args(self) -> Option<usize> {
        match self {
            JqlFunction::CurrentUser | JqlFunction::Sprints(_) => Some(0),
            JqlFunction::Date(date) => Some(date.max_args()),
            JqlFunction::Unevaluated => None,
        }
    }
}

/// Jira's message for a call with too many arguments.
pub(crate) fn arity_message(name: &str, max: usize, received: usize) -> String {
    if max == 0 {
        format!("Function '{name}' expected '0' arguments but received '{received}'.")
    } else {
        format!(
            "Function '{name}' expected between '0' and '{max}' arguments but received '{received}'."
        )
    }
}
