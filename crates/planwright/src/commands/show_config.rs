//! `planwright config`: print the effective configuration with every secret redacted, and, when
//! a Jira site is configured, which custom fields features will use on it (docs/custom-fields.md).

use std::time::Duration;

use config::Settings;
use features::custom_fields::{FieldRole, resolve};

pub fn run(settings: &Settings) {
    print!("{}", config::redacted_yaml(settings));
}

/// Prints the custom fields as resolved on the configured site, as YAML comments.
pub async fn custom_fields(settings: &Settings) {
    let Some(site) = app::wiring::JiraSite::configured(settings) else {
        println!("# custom fields: resolved on the Jira site once JIRA_* are set");
        return;
    };
    let fields = async {
        let client = site.probe_client(settings).await?;
        client.fields().await
    };
    let fields = match tokio::time::timeout(Duration::from_secs(10), fields).await {
        Ok(Ok(fields)) => fields,
        Ok(Err(error)) => {
            println!(
                "# custom fields: not checked, Jira answered: {}",
                error.hint()
            );
            return;
        }
        Err(_) => {
            println!("# custom fields: not checked, Jira did not answer within 10 s");
            return;
        }
    };
    let site_fields: Vec<(String, String)> = fields
        .iter()
        .map(|field| (field.id.clone(), field.name.clone()))
        .collect();
    let resolution = resolve(&app::wiring::field_settings(settings), &site_fields);
    println!("# custom fields on {}:", site.url);
    for role in FieldRole::ALL {
        match resolution.get(role) {
            Some(field) => println!(
                "#   {}: {} (\"{}\", {})",
                role.setting(),
                field.id,
                field.name,
                field.source.replace('_', " ")
            ),
            None => println!("#   {}: none on this site", role.setting()),
        }
    }
    for warning in &resolution.warnings {
        println!("# warning: {warning}");
    }
}
