//! The custom fields features use (PRD, RFC, test cases, mandays), resolved against the site:
//! a configured id wins when the site has it; otherwise the field is found by its name, with a
//! warning naming the field chosen (docs/custom-fields.md).

use std::sync::Arc;

use serde::Serialize;
use tokio::sync::OnceCell;

use crate::env::FieldSettings;
use crate::failure::Failure;

/// One of the custom fields features use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldRole {
    Prd,
    Rfc,
    TestCases,
    Mandays,
}

impl FieldRole {
    /// Every role.
    pub const ALL: [FieldRole; 4] = [
        FieldRole::Prd,
        FieldRole::Rfc,
        FieldRole::TestCases,
        FieldRole::Mandays,
    ];

    /// Field names that mean this role, most specific first (compared case-insensitively).
    pub fn names(self) -> &'static [&'static str] {
        match self {
            FieldRole::Prd => &[
                "PRD URL",
                "PRD",
                "PRD Link",
                "PRD Page",
                "Product Requirements",
                "Product Requirements Document",
            ],
            FieldRole::Rfc => &[
                "RFC URL",
                "RFC",
                "RFC Link",
                "RFC Page",
                "Technical Design",
                "Tech Design",
            ],
            FieldRole::TestCases => &["Test cases", "Test Case", "Testcases", "Test scenarios"],
            FieldRole::Mandays => &[
                "Mandays",
                "Man-days",
                "Man Days",
                "Mandays Estimate",
                "Effort (days)",
            ],
        }
    }

    /// How configuration names it.
    pub fn setting(self) -> &'static str {
        match self {
            FieldRole::Prd => "JIRA_PRD_CUSTOM_FIELD",
            FieldRole::Rfc => "JIRA_RFC_CUSTOM_FIELD",
            FieldRole::TestCases => "JIRA_TEST_CASE_CUSTOM_FIELD",
            FieldRole::Mandays => "JIRA_MANDAYS_CUSTOM_FIELD",
        }
    }
}

/// A field as resolved on the site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedField {
    pub role: FieldRole,
    /// `customfield_10050`.
    pub id: String,
    /// The field's name on the site.
    pub name: String,
    /// `configured` or `by_name`.
    pub source: &'static str,
}

/// What resolution found: a field per role when the site has one, and warnings for configured
/// ids that the site does not have.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Resolution {
    pub fields: Vec<ResolvedField>,
    pub warnings: Vec<String>,
}

impl Resolution {
    /// The field of `role`, if the site has one.
    pub fn get(&self, role: FieldRole) -> Option<&ResolvedField> {
        self.fields.iter().find(|field| field.role == role)
    }

    /// The id of `role`'s field, if the site has one.
    pub fn id(&self, role: FieldRole) -> Option<&str> {
        self.get(role).map(|field| field.id.as_str())
    }
}

/// Resolves once per process, on first use.
#[derive(Debug)]
pub struct CustomFields {
    settings: FieldSettings,
    resolved: OnceCell<Arc<Resolution>>,
}

impl CustomFields {
    pub(crate) fn new(settings: FieldSettings) -> Self {
        Self {
            settings,
            resolved: OnceCell::new(),
        }
    }

    /// The fields on `jira`'s site (read once; a failure is retried on the next call).
    pub async fn resolve(&self, jira: &atlassian::JiraClient) -> Result<Arc<Resolution>, Failure> {
        self.resolved
            .get_or_try_init(|| async {
                let fields = jira
                    .fields()
                    .await
                    .map_err(|e| Failure::jira("field list", e))?;
                let site: Vec<(String, String)> = fields
                    .iter()
                    .map(|field| (field.id.clone(), field.name.clone()))
                    .collect();
                let resolution = resolve(&self.settings, &site);
                for warning in &resolution.warnings {
                    tracing::warn!("{warning}");
                }
                Ok(Arc::new(resolution))
            })
            .await
            .cloned()
    }
}

/// Resolves every role against the site's `(id, name)` fields. Pure, so it is tested with data.
pub fn resolve(settings: &FieldSettings, site: &[(String, String)]) -> Resolution {
    let mut resolution = Resolution::default();
    for role in FieldRole::ALL {
        let configured = match role {
            FieldRole::Prd => settings.prd.as_deref(),
            FieldRole::Rfc => settings.rfc.as_deref(),
            FieldRole::TestCases => settings.test_cases.as_deref(),
            FieldRole::Mandays => settings.mandays.as_deref(),
        }
        .map(str::trim)
        .filter(|id| !id.is_empty());
        if let Some(id) = configured
            && let Some((id, name)) = site.iter().find(|(site_id, _)| site_id == id)
        {
            resolution.fields.push(ResolvedField {
                role,
                id: id.clone(),
                name: name.clone(),
                source: "configured",
            });
            continue;
        }
        let by_name = role.names().iter().find_map(|wanted| {
            site.iter().find(|(id, name)| {
                id.starts_with("customfield_") && name.eq_ignore_ascii_case(wanted)
            })
        });
        match (configured, by_name) {
            (Some(id), Some((found, name))) => {
                resolution.warnings.push(format!(
                    "{} is set to {id}, which this Jira site does not have; using {found} (\"{name}\") found by name",
                    role.setting()
                ));
            }
            (None, Some((found, name))) => {
                resolution.warnings.push(format!(
                    "{} is not set; using {found} (\"{name}\") found by name",
                    role.setting()
                ));
            }
            (Some(id), None) => {
                resolution.warnings.push(format!(
                    "{} is set to {id}, which this Jira site does not have, and no field named like {:?} exists: features that need it skip it",
                    role.setting(),
                    role.names()
                ));
            }
            (None, None) => {}
        }
        if let Some((id, name)) = by_name {
            resolution.fields.push(ResolvedField {
                role,
                id: id.clone(),
                name: name.clone(),
                source: "by_name",
            });
        }
    }
    resolution
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Vec<(String, String)> {
        [
            ("summary", "Summary"),
            ("customfield_10050", "PRD URL"),
            ("customfield_10052", "Test cases"),
            ("customfield_10053", "Mandays"),
        ]
        .iter()
        .map(|(id, name)| (id.to_string(), name.to_string()))
        .collect()
    }

    #[test]
    fn configured_ids_win_and_missing_ones_are_found_by_name_with_a_warning() {
        let settings = FieldSettings {
            prd: Some("customfield_10001".into()),
            rfc: None,
            test_cases: Some("customfield_10052".into()),
            mandays: None,
        };
        let resolution = resolve(&settings, &site());
        assert_eq!(resolution.id(FieldRole::Prd), Some("customfield_10050"));
        assert_eq!(
            resolution.get(FieldRole::Prd).map(|f| f.source),
            Some("by_name")
        );
        assert_eq!(
            resolution.get(FieldRole::TestCases).map(|f| f.source),
            Some("configured")
        );
        assert_eq!(resolution.id(FieldRole::Mandays), Some("customfield_10053"));
        assert_eq!(resolution.id(FieldRole::Rfc), None);
        assert!(
            resolution
                .warnings
                .iter()
                .any(|w| w.contains("customfield_10001") && w.contains("PRD URL")),
            "{:?}",
            resolution.warnings
        );
    }

    #[test]
    fn system_fields_are_never_chosen_by_name() {
        let site = vec![("summary".to_string(), "PRD".to_string())];
        assert_eq!(
            resolve(&FieldSettings::default(), &site).id(FieldRole::Prd),
            None
        );
    }
}
