//! Links named in a request (`links: [{link_type, target_key, direction}]`): the type is found
//! on the site by name (renamed types too, through `KnownLinkType`), and the direction reads
//! from the ticket that names the link (api-decisions: `Blocks` outward on X to Y means X blocks
//! Y). "Work item split" always reads story split to task, whichever side names it.

use atlassian::KnownLinkType;
use atlassian::models::{Issue, LinkType};
use generation::task::IssueType;
use job_types::jira_ops::{LinkDirection, LinkResult, LinkSpec};
use serde_json::Value;

use super::{IssueCache, ItemError, issue_type, loc_with};
use crate::env::JobEnv;
use crate::failure::Failure;
use crate::writes::{IssueRef, Write};

const KNOWN: [KnownLinkType; 5] = [
    KnownLinkType::Blocks,
    KnownLinkType::WorkItemSplit,
    KnownLinkType::Relates,
    KnownLinkType::Duplicate,
    KnownLinkType::Cloners,
];

/// A link ready to plan: the write and how to report it.
#[derive(Debug, Clone)]
pub(crate) struct PlannedLink {
    pub write: Write,
    pub result: LinkResult,
    /// A stable step-name fragment: `<type>:<inward>:<outward>`.
    pub step: String,
}

/// The link types Planwright can create on this site (names as the site spells them).
async fn creatable(env: &JobEnv) -> Result<Vec<(KnownLinkType, LinkType)>, Failure> {
    let mut out = Vec::new();
    for known in KNOWN {
        match env.jira.known_link_type(known).await {
            Ok(link_type) => out.push((known, link_type)),
            Err(atlassian::Error::LinkTypeNotFound { .. }) => {}
            Err(error) => return Err(Failure::jira("link types", error)),
        }
    }
    Ok(out)
}

/// Finds the link type named `name`; an unknown name is a 422 naming the valid ones.
pub(crate) async fn link_type(
    env: &JobEnv,
    name: &str,
    at: Vec<Value>,
) -> Result<(KnownLinkType, LinkType), ItemError> {
    let types = creatable(env)
        .await
        .map_err(|failure| ItemError::from_failure(failure, at.clone()))?;
    let wanted = match env.jira.link_type_by_name(name).await {
        Ok(found) => Some(found),
        Err(atlassian::Error::LinkTypeNotFound { .. }) => None,
        Err(error) => {
            return Err(ItemError::from_failure(
                Failure::jira("link types", error),
                at,
            ));
        }
    };
    wanted
        .and_then(|wanted| types.iter().find(|(_, t)| t.name == wanted.name).cloned())
        .ok_or_else(|| {
            let valid: Vec<&str> = types.iter().map(|(_, t)| t.name.as_str()).collect();
            ItemError::new(
                422,
                at,
                format!(
                    "Unknown link type {name:?}; use one of: {}",
                    valid.join(", ")
                ),
            )
        })
}

/// Plans the link `spec` (the `index`th of the request, at body location `base`) from
/// `ticket`: checks the target exists and the type is known, and orients it.
pub(crate) async fn plan_link(
    env: &JobEnv,
    cache: &mut IssueCache,
    ticket: &Issue,
    spec: &LinkSpec,
    index: usize,
    base: &[Value],
) -> Result<PlannedLink, ItemError> {
    let at = |field: &str| loc_with(base, &[Value::from("links"), index.into(), field.into()]);
    let target_key = domain::IssueKey::parse(&spec.target_key)
        .map(|key| key.to_string())
        .map_err(|error| ItemError::new(422, at("target_key"), error.to_string()))?;
    let (known, link_type) = link_type(env, &spec.link_type, at("link_type")).await?;
    if target_key == ticket.key {
        return Err(ItemError::new(
            422,
            at("target_key"),
            format!("{target_key} cannot be linked to itself"),
        ));
    }
    let target = cache
        .require(env, &target_key, "Link target", at("target_key"))
        .await?;
    let mut outward_from_ticket = spec.direction == LinkDirection::Outward;
    if known == KnownLinkType::WorkItemSplit {
        let (mine, _) = issue_type(ticket);
        let (theirs, _) = issue_type(&target);
        let is_work = |t: IssueType| !matches!(t, IssueType::Story | IssueType::Epic);
        if mine == IssueType::Story && is_work(theirs) {
            outward_from_ticket = true;
        } else if theirs == IssueType::Story && is_work(mine) {
            outward_from_ticket = false;
        }
    }
    let (inward, outward) = if outward_from_ticket {
        (ticket.key.clone(), target_key.clone())
    } else {
        (target_key.clone(), ticket.key.clone())
    };
    Ok(PlannedLink {
        step: format!("{}:{inward}:{outward}", link_type.name),
        write: Write::CreateLink {
            link: known,
            inward: IssueRef::Existing(inward),
            outward: IssueRef::Existing(outward),
        },
        result: LinkResult {
            link_type: link_type.name,
            source_key: Some(ticket.key.clone()),
            target_key,
            direction: Some(if outward_from_ticket {
                LinkDirection::Outward
            } else {
                LinkDirection::Inward
            }),
            status: "planned".into(),
            error: None,
        },
    })
}

/// The reported status of a link write.
pub(crate) fn link_status(outcome: &job_types::WriteOutcome) -> (&'static str, Option<String>) {
    match outcome.status.as_str() {
        "written" => ("created", None),
        "already_written" => ("already_exists", None),
        _ => ("failed", outcome.error.clone()),
    }
}
