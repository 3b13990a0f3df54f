//! Field discovery (custom field ids differ per site, so names are mapped at runtime) and create
//! metadata (which fields a project + issue type requires).

use std::sync::Arc;

use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::JiraClient;
use crate::error::{Error, Result};
use crate::models::{CreateMetaField, CreateMetaIssueType, Field};
use crate::transport::ApiRequest;

impl JiraClient {
    /// All fields of the site (cached per client; see [`JiraClient::refresh_fields`]).
    pub async fn fields(&self) -> Result<Arc<Vec<Field>>> {
        if let Some(cached) = self
            .inner
            .fields
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
        {
            return Ok(cached);
        }
        self.refresh_fields().await
    }

    /// Re-read the fields from Jira (e.g. after an admin added a custom field).
    pub async fn refresh_fields(&self) -> Result<Arc<Vec<Field>>> {
        let request = ApiRequest::new(
            Method::GET,
            "GET /rest/api/3/field",
            self.flavour().platform(&["field"]),
        );
        let fields: Arc<Vec<Field>> = Arc::new(self.transport().json(&request).await?);
        *self.inner.fields.lock().unwrap_or_else(|e| e.into_inner()) = Some(fields.clone());
        Ok(fields)
    }

    /// The field id for a name users know: a field id (`customfield_10016`, `summary`) or a JQL
    /// clause (`cf[10016]`) is returned as the id; otherwise the name is matched case-insensitively.
    pub async fn field_id(&self, name_or_id: &str) -> Result<String> {
        let fields = self.fields().await?;
        resolve_field_id(&fields, name_or_id)
    }

    /// The issue types a project can create.
    pub async fn create_meta_issue_types(
        &self,
        project_key_or_id: &str,
    ) -> Result<Vec<CreateMetaIssueType>> {
        self.offset_paged_meta(
            "GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes",
            &["issue", "createmeta", project_key_or_id, "issuetypes"],
        )
        .await
    }

    /// The fields of the create screen of a project + issue type, `required` ones included.
    pub async fn create_meta_fields(
        &self,
        project_key_or_id: &str,
        issue_type_id: &str,
    ) -> Result<Vec<CreateMetaField>> {
        self.offset_paged_meta(
            "GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}",
            &[
                "issue",
                "createmeta",
                project_key_or_id,
                "issuetypes",
                issue_type_id,
            ],
        )
        .await
    }

    /// Create-meta endpoints page with `startAt`/`maxResults`/`total` and name the list
    /// `issueTypes`, `fields` or `results`.
    async fn offset_paged_meta<T: DeserializeOwned>(
        &self,
        endpoint: &'static str,
        rest: &[&str],
    ) -> Result<Vec<T>> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase", bound = "T: DeserializeOwned")]
        struct Wire<T> {
            #[serde(default)]
            issue_types: Option<Vec<T>>,
            #[serde(default)]
            fields: Option<Vec<T>>,
            #[serde(default)]
            results: Option<Vec<T>>,
            #[serde(default)]
            total: Option<usize>,
        }
        const PAGE: usize = 50;
        let mut all = Vec::new();
        loop {
            let request = ApiRequest::new(Method::GET, endpoint, self.flavour().platform(rest))
                .query("startAt", all.len().to_string())
                .query("maxResults", PAGE.to_string());
            let page: Wire<T> = self.transport().json(&request).await?;
            let items = page
                .issue_types
                .or(page.fields)
                .or(page.results)
                .unwrap_or_default();
            let got = items.len();
            all.extend(items);
            let more = page.total.map_or(got == PAGE, |total| all.len() < total);
            if got == 0 || !more {
                return Ok(all);
            }
        }
    }
}

fn resolve_field_id(fields: &[Field], name_or_id: &str) -> Result<String> {
    let wanted = name_or_id.trim();
    if let Some(number) = wanted
        .strip_prefix("cf[")
        .and_then(|rest| rest.strip_suffix(']'))
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    {
        return Ok(format!("customfield_{number}"));
    }
    if let Some(field) = fields.iter().find(|f| f.id == wanted) {
        return Ok(field.id.clone());
    }
    if wanted.starts_with("customfield_") {
        return Ok(wanted.to_string());
    }
    let matches: Vec<&Field> = fields
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case(wanted))
        .collect();
    match matches.as_slice() {
        [] => Err(Error::FieldNotFound {
            name: wanted.to_string(),
        }),
        [only] => Ok(only.id.clone()),
        several => Err(Error::AmbiguousField {
            name: wanted.to_string(),
            ids: several.iter().map(|f| f.id.clone()).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Vec<Field> {
        serde_json::from_value(serde_json::json!([
            {"id":"summary","name":"Summary","custom":false},
            {"id":"customfield_10020","key":"customfield_10020","name":"Sprint","custom":true,
             "clauseNames":["cf[10020]","Sprint"],"schema":{"type":"array","items":"json","custom":"com.pyxis.greenhopper.jira:gh-sprint","customId":10020}},
            {"id":"customfield_10100","name":"Story Points","custom":true},
            {"id":"customfield_10101","name":"Story points","custom":true}
        ]))
        .unwrap()
    }

    #[test]
    fn ids_names_and_clauses_resolve() {
        let fields = fields();
        assert_eq!(
            resolve_field_id(&fields, "sprint").unwrap(),
            "customfield_10020"
        );
        assert_eq!(resolve_field_id(&fields, "summary").unwrap(), "summary");
        assert_eq!(
            resolve_field_id(&fields, "cf[123]").unwrap(),
            "customfield_123"
        );
        assert_eq!(
            resolve_field_id(&fields, "customfield_999").unwrap(),
            "customfield_999"
        );
        assert!(matches!(
            resolve_field_id(&fields, "Nope"),
            Err(Error::FieldNotFound { .. })
        ));
        assert!(matches!(
            resolve_field_id(&fields, "story points"),
            Err(Error::AmbiguousField { ids, .. }) if ids.len() == 2
        ));
    }
}
