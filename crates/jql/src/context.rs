//! The [`EvalContext`] trait: everything a query needs to know about the site and the searching
//! user at compile time (the clock, the user, sprints, custom field names, which values exist),
//! plus [`StaticContext`], a plain-data implementation for tests and offline validation.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Offset, Utc, Weekday};

use crate::field::{FieldRef, SprintState};

/// The site and user a query runs for. [`crate::Query::compile`] consults it once; the compiled
/// query keeps the answers (resolved dates, sprint ids, custom field ids), so matching does not
/// call back into the context.
///
/// Only [`now`](EvalContext::now) is required. The defaults describe an open site: UTC, weeks
/// starting on Sunday, an anonymous user, no sprints, no custom field names, and every value
/// accepted. An emulator should override the methods for the data it has, so that a query
/// naming a missing project fails the way Jira fails (`The value 'X' does not exist for the
/// field 'project'.`).
pub trait EvalContext {
    /// The current instant: the base of relative dates (`-7d`) and date functions (`now()`,
    /// `startOfDay()`). Tests pass a fixed instant to stay deterministic.
    fn now(&self) -> DateTime<Utc>;

    /// The searching user's time zone, used for day boundaries (`startOfDay()`, and absolute
    /// dates such as `"2026-01-31"`, which mean midnight in this zone). Defaults to UTC.
    fn time_zone(&self) -> FixedOffset {
        Utc.fix()
    }

    /// The first day of the week for `startOfWeek()` / `endOfWeek()`. Defaults to Sunday, as in
    /// Jira's default locale.
    fn week_start(&self) -> Weekday {
        Weekday::Sun
    }

    /// The account id of the searching user, for `currentUser()`. `None` (anonymous) makes
    /// `assignee = currentUser()` match nothing.
    fn current_user(&self) -> Option<&str> {
        None
    }

    /// The ids of the sprints in `state`, for `openSprints()`, `closedSprints()` and
    /// `futureSprints()`.
    fn sprint_ids(&self, state: SprintState) -> Vec<u64> {
        let _ = state;
        Vec::new()
    }

    /// The ids of the sprints named `name` (case-insensitive), for `sprint = "DEMO Sprint 1"`.
    /// A numeric literal (`sprint = 5`) is matched as an id without asking.
    fn sprint_ids_named(&self, name: &str) -> Vec<u64> {
        let _ = name;
        Vec::new()
    }

    /// The numeric id of the custom field called `name` (case-insensitive), for
    /// `"Story Points" > 3`. System field names are resolved before this is asked. `None` makes
    /// the query fail with `Field 'name' does not exist or you do not have permission to view it.`
    fn custom_field_id(&self, name: &str) -> Option<u64> {
        let _ = name;
        None
    }

    /// Whether custom field `id` exists, for `cf[10016]`. Defaults to true.
    fn custom_field_exists(&self, id: u64) -> bool {
        let _ = id;
        true
    }

    /// Whether `value` (as written in the query: a key, name or id) exists for `field`.
    ///
    /// Asked for literal values used with `=`, `!=`, `IN` and `NOT IN` on [`FieldRef::Project`],
    /// [`FieldRef::IssueType`], [`FieldRef::Status`], [`FieldRef::Priority`],
    /// [`FieldRef::Resolution`], [`FieldRef::Assignee`], [`FieldRef::Reporter`],
    /// [`FieldRef::Creator`], [`FieldRef::IssueKey`], [`FieldRef::Parent`] and
    /// [`FieldRef::Sprint`]. Returning false makes the query fail like Jira:
    /// `The value 'X' does not exist for the field 'project'.` (for keys:
    /// `An issue with key 'X' does not exist for field 'key'.`). Defaults to true.
    ///
    /// The value is whatever the user may write for that field: for projects a key, name or
    /// numeric id; for users an account id, display name or e-mail; for issues a key or id;
    /// for sprints a name or id. `resolution = Unresolved` is handled without asking.
    fn value_exists(&self, field: FieldRef, value: &str) -> bool {
        let _ = (field, value);
        true
    }

    /// The [`crate::NamedValue::rank`] of the value `name` of `field`, so that
    /// `priority >= High` can compare ranks. `None` makes such a comparison a compile error.
    fn rank_of(&self, field: FieldRef, name: &str) -> Option<i64> {
        let _ = (field, name);
        None
    }
}

impl<T: EvalContext + ?Sized> EvalContext for &T {
    fn now(&self) -> DateTime<Utc> {
        (**self).now()
    }
    fn time_zone(&self) -> FixedOffset {
        (**self).time_zone()
    }
    fn week_start(&self) -> Weekday {
        (**self).week_start()
    }
    fn current_user(&self) -> Option<&str> {
        (**self).current_user()
    }
    fn sprint_ids(&self, state: SprintState) -> Vec<u64> {
        (**self).sprint_ids(state)
    }
    fn sprint_ids_named(&self, name: &str) -> Vec<u64> {
        (**self).sprint_ids_named(name)
    }
    fn custom_field_id(&self, name: &str) -> Option<u64> {
        (**self).custom_field_id(name)
    }
    fn custom_field_exists(&self, id: u64) -> bool {
        (**self).custom_field_exists(id)
    }
    fn value_exists(&self, field: FieldRef, value: &str) -> bool {
        (**self).value_exists(field, value)
    }
    fn rank_of(&self, field: FieldRef, name: &str) -> Option<i64> {
        (**self).rank_of(field, name)
    }
}

/// A sprint known to a [`StaticContext`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SprintInfo {
    /// The sprint id.
    pub id: u64,
    /// The sprint name.
    pub name: String,
    /// Whether it is active, closed or future.
    pub state: SprintState,
}

/// An [`EvalContext`] made of plain data: for tests, benchmarks, and validating queries where
/// no live site is at hand. Fields left at their defaults accept everything.
#[derive(Debug, Clone)]
pub struct StaticContext {
    /// The fixed current instant.
    pub now: DateTime<Utc>,
    /// The user's time zone.
    pub time_zone: FixedOffset,
    /// The first day of the week.
    pub week_start: Weekday,
    /// The searching user's account id.
    pub current_user: Option<String>,
    /// The sprints of the site.
    pub sprints: Vec<SprintInfo>,
    /// Custom field names (matched case-insensitively) and their ids. While empty, any
    /// `cf[N]` is accepted; once set, only the listed ids are.
    pub custom_fields: Vec<(String, u64)>,
    /// For each listed field, the values that exist (matched case-insensitively). Fields not
    /// listed accept any value.
    pub known_values: BTreeMap<FieldRef, Vec<String>>,
    /// Ranks of named values, e.g. `(FieldRef::Priority, "High", 4)`.
    pub ranks: Vec<(FieldRef, String, i64)>,
}

impl StaticContext {
    /// A context at the fixed instant `now`, in UTC, weeks starting on Sunday, anonymous, with
    /// nothing else known.
    pub fn at(now: DateTime<Utc>) -> StaticContext {
        StaticContext {
            now,
            time_zone: Utc.fix(),
            week_start: Weekday::Sun,
            current_user: None,
            sprints: Vec::new(),
            custom_fields: Vec::new(),
            known_values: BTreeMap::new(),
            ranks: Vec::new(),
        }
    }

    /// A context at the Unix epoch: enough to validate a query's syntax and field usage when
    /// its dates will be evaluated elsewhere.
    pub fn offline() -> StaticContext {
        StaticContext::at(DateTime::UNIX_EPOCH)
    }
}

impl EvalContext for StaticContext {
    fn now(&self) -> DateTime<Utc> {
        self.now
    }
    fn time_zone(&self) -> FixedOffset {
        self.time_zone
    }
    fn week_start(&self) -> Weekday {
        self.week_start
    }
    fn current_user(&self) -> Option<&str> {
        self.current_user.as_deref()
    }
    fn sprint_ids(&self, state: SprintState) -> Vec<u64> {
        self.sprints
            .iter()
            .filter(|sprint| sprint.state == state)
            .map(|sprint| sprint.id)
            .collect()
    }
    fn sprint_ids_named(&self, name: &str) -> Vec<u64> {
        let wanted = name.to_lowercase();
        self.sprints
            .iter()
            .filter(|sprint| sprint.name.to_lowercase() == wanted)
            .map(|sprint| sprint.id)
            .collect()
    }
    fn custom_field_id(&self, name: &str) -> Option<u64> {
        let wanted = name.to_lowercase();
        self.custom_fields
            .iter()
            .find(|(field_name, _)| field_name.to_lowercase() == wanted)
            .map(|(_, id)| *id)
    }
    fn custom_field_exists(&self, id: u64) -> bool {
        self.custom_fields.is_empty() || self.custom_fields.iter().any(|(_, known)| *known == id)
    }
    fn value_exists(&self, field: FieldRef, value: &str) -> bool {
        match self.known_values.get(&field) {
            None => true,
            Some(values) => {
                let wanted = value.to_lowercase();
                values.iter().any(|known| known.to_lowercase() == wanted)
            }
        }
    }
    fn rank_of(&self, field: FieldRef, name: &str) -> Option<i64> {
        let wanted = name.to_lowercase();
        self.ranks
            .iter()
            .find(|(ranked_field, ranked_name, _)| {
                *ranked_field == field && ranked_name.to_lowercase() == wanted
            })
            .map(|(_, _, rank)| *rank)
    }
}
