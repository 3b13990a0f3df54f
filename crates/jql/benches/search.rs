//! Search latency over 10,000 synthetic issues: compile + match + sort of typical multi-clause
//! queries, as the Jira emulator runs them per request. Prints a markdown table of p50/p99.
//!
//! Run with `cargo bench -p jql --bench search`.

use std::borrow::Cow;
use std::hint::black_box;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use jql::{
    FieldRef, FieldValue, IssueValue, JqlIssue, NamedValue, ProjectValue, SprintInfo, SprintState,
    StaticContext, UserValue,
};

const ISSUES: usize = 10_000;
const RUNS: usize = 300;

struct User {
    account_id: String,
    display_name: String,
}

struct Issue {
    id: u64,
    key: String,
    project: usize,
    status: usize,
    priority: usize,
    summary: String,
    description: String,
    comments: Vec<String>,
    labels: Vec<String>,
    assignee: Option<usize>,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
    sprints: Vec<u64>,
    story_points: Option<f64>,
}

const PROJECTS: [(u64, &str, &str); 3] = [
    (10_000, "DEMO", "Demo"),
    (10_001, "OPS", "Operations"),
    (10_002, "WEB", "Web"),
];
const STATUSES: [(&str, &str); 4] = [
    ("To Do", "1"),
    ("In Progress", "3"),
    ("In Review", "10001"),
    ("Done", "10002"),
];
const PRIORITIES: [&str; 5] = ["Lowest", "Low", "Medium", "High", "Highest"];
const LABELS: [&str; 8] = [
    "backend",
    "frontend",
    "auth",
    "infra",
    "docs",
    "ux",
    "api",
    "tech-debt",
];
const WORDS: [&str; 16] = [
    "login", "page", "crash", "timeout", "export", "report", "search", "button", "slow", "error",
    "session", "token", "upload", "billing", "profile", "settings",
];

struct Site {
    users: Vec<User>,
    issues: Vec<Issue>,
}

/// A deterministic xorshift generator, so every run measures the same data.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-01-14T15:30:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn site() -> Site {
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    let users = (0..20)
        .map(|n| User {
            account_id: format!("acc-{n:04}"),
            display_name: format!("User {n}"),
        })
        .collect();
    let mut numbers = [0u64; 3];
    let issues = (0..ISSUES)
        .map(|index| {
            let project = random.below(PROJECTS.len());
            numbers[project] += 1;
            let words: Vec<&str> = (0..4).map(|_| WORDS[random.below(WORDS.len())]).collect();
            let created = now() - Duration::minutes(random.below(90 * 24 * 60) as i64);
            Issue {
                id: 10_000 + index as u64,
                key: format!("{}-{}", PROJECTS[project].1, numbers[project]),
                project,
                status: random.below(STATUSES.len()),
                priority: random.below(PRIORITIES.len()),
                summary: format!("{} {} {} on {}", words[0], words[1], words[2], words[3]),
                description: format!(
                    "When the user opens the {} the {} fails with an {}.",
                    words[1], words[2], words[3]
                ),
                comments: (0..random.below(3))
                    .map(|_| format!("Seen again: {}", WORDS[random.below(WORDS.len())]))
                    .collect(),
                labels: (0..random.below(3))
                    .map(|_| LABELS[random.below(LABELS.len())].to_string())
                    .collect(),
                assignee: (random.below(5) != 0).then(|| random.below(20)),
                created,
                updated: created + Duration::minutes(random.below(60 * 24) as i64),
                sprints: if random.below(3) != 0 {
                    vec![1 + random.below(6) as u64]
                } else {
                    Vec::new()
                },
                story_points: (random.below(4) != 0)
                    .then(|| [1.0, 2.0, 3.0, 5.0, 8.0][random.below(5)]),
            }
        })
        .collect();
    Site { users, issues }
}

/// An issue together with the site that resolves its user index.
struct View<'s> {
    site: &'s Site,
    issue: &'s Issue,
}

impl JqlIssue for View<'_> {
    fn field(&self, field: FieldRef) -> FieldValue<'_> {
        let issue = self.issue;
        match field {
            FieldRef::Project => {
                let (id, key, name) = PROJECTS[issue.project];
                FieldValue::Project(ProjectValue { id, key, name })
            }
            FieldRef::IssueKey => FieldValue::Issue(IssueValue {
                id: issue.id,
                key: &issue.key,
            }),
            FieldRef::IssueType => FieldValue::Named(NamedValue {
                id: "10001",
                name: "Story",
                rank: None,
            }),
            FieldRef::Status => {
                let (name, id) = STATUSES[issue.status];
                FieldValue::Named(NamedValue {
                    id,
                    name,
                    rank: Some(issue.status as i64),
                })
            }
            FieldRef::Priority => FieldValue::Named(NamedValue {
                id: "p",
                name: PRIORITIES[issue.priority],
                rank: Some(issue.priority as i64 + 1),
            }),
            FieldRef::Summary => FieldValue::Text(Cow::Borrowed(&issue.summary)),
            FieldRef::Description => FieldValue::Text(Cow::Borrowed(&issue.description)),
            FieldRef::Comment => FieldValue::Texts(Cow::Borrowed(&issue.comments)),
            FieldRef::Labels => FieldValue::Texts(Cow::Borrowed(&issue.labels)),
            FieldRef::Assignee => match issue.assignee {
                Some(index) => {
                    let user = &self.site.users[index];
                    FieldValue::User(UserValue {
                        account_id: &user.account_id,
                        display_name: &user.display_name,
                        email: None,
                    })
                }
                None => FieldValue::Empty,
            },
            FieldRef::Created => FieldValue::DateTime(issue.created),
            FieldRef::Updated => FieldValue::DateTime(issue.updated),
            FieldRef::Sprint => FieldValue::Ids(Cow::Borrowed(&issue.sprints)),
            FieldRef::Custom(10016) => issue
                .story_points
                .map_or(FieldValue::Empty, FieldValue::Number),
            _ => FieldValue::Empty,
        }
    }
}

fn context() -> StaticContext {
    let mut ctx = StaticContext::at(now());
    ctx.current_user = Some("acc-0003".into());
    ctx.custom_fields = vec![("Story Points".into(), 10016)];
    ctx.sprints = (1..=6)
        .map(|id| SprintInfo {
            id,
            name: format!("Sprint {id}"),
            state: match id {
                1..=4 => SprintState::Closed,
                5 => SprintState::Active,
                _ => SprintState::Future,
            },
        })
        .collect();
    ctx.ranks = PRIORITIES
        .iter()
        .enumerate()
        .map(|(i, name)| (FieldRef::Priority, name.to_string(), i as i64 + 1))
        .collect();
    ctx
}

fn percentile(sorted: &[StdDuration], fraction: f64) -> StdDuration {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index]
}

fn millis(duration: StdDuration) -> String {
    format!("{:.3} ms", duration.as_secs_f64() * 1_000.0)
}

fn main() {
    let site = site();
    let views: Vec<View<'_>> = site
        .issues
        .iter()
        .map(|issue| View { site: &site, issue })
        .collect();
    let ctx = context();
    let queries = [
        (
            "typical multi-clause (brief)",
            "project = DEMO AND status IN (\"To Do\", \"In Progress\") AND labels = backend AND summary ~ \"login\" AND created >= -30d ORDER BY priority DESC, created ASC",
        ),
        (
            "broad, sorts ~3,300 issues",
            "project = DEMO ORDER BY priority DESC, created ASC",
        ),
        (
            "text search over all text fields",
            "text ~ \"session token\" AND assignee != currentUser() ORDER BY updated DESC",
        ),
        (
            "sprints, custom field, NOT IN",
            "sprint in openSprints() AND \"Story Points\" >= 3 AND labels NOT IN (docs, ux) ORDER BY key",
        ),
    ];
    println!("10,000 issues, {RUNS} runs each (parse + compile + match + sort)\n");
    println!("| metric | target | measured |");
    println!("|---|---|---|");
    for (name, jql) in queries {
        let mut timings = Vec::with_capacity(RUNS);
        let mut found = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            let compiled = jql::compile(black_box(jql), &ctx).expect("benchmark query compiles");
            let results = compiled.search(&views);
            found = black_box(results.len());
            timings.push(started.elapsed());
        }
        timings.sort();
        let target = if name.contains("brief") {
            "p50 <= 5 ms"
        } else {
            "-"
        };
        println!(
            "| {name}: p50 ({found} hits) | {target} | {} |",
            millis(percentile(&timings, 0.50))
        );
        println!(
            "| {name}: p99 | - | {} |",
            millis(percentile(&timings, 0.99))
        );
    }
}
