//! `prompt_resubmit`: rerun a ticket description, a story's task plan or a story's coverage
//! analysis with edited prompts, beside the same operation on its default prompts
//! (docs/reference-behaviour.md §1.9). The reference echoed the prompts back for `plan_tasks`; here every operation runs.
//!
//! The edited run goes through `llm::LlmService::complete_structured` with the task's own output
//! schema, so both results have the same shape. The offline generator takes no prompts: with it
//! both runs come from the same input, and the notes say so.

use generation::TaskInput;
use generation::task::{IssueType, StoryTasksInput, TicketDescription, TicketDescriptionInput};
use job_types::UsageRecord;
use job_types::prompt_resubmit::{
    PromptResubmit, PromptResubmitResponse, PromptsUsed, ResubmitOperation,
};
use jobs::JobContext;
use llm::{ProviderId, ResolvedModel, StructuredCall};
use serde_json::{Value, json};

use crate::coverage_analysis::extract_requirements;
use crate::env::JobEnv;
use crate::failure::Failure;
use crate::job::BackgroundJob;
use crate::story_coverage::{
    COVERAGE_SYSTEM_PROMPT, coverage_user_prompt, deterministic_response, read_story_tasks,
    run_coverage_model,
};
use crate::test_dedupe::title_similarity;
use crate::tickets::load_ticket;

/// What the notes say when the offline generator answered.
pub const OFFLINE_NOTE: &str = "The offline generator does not read prompts: both results were produced from the same input, so they are identical. Choose a model provider (GET /models) to see the effect of the edited prompts.";

/// One run's result.
struct Run {
    output: Value,
    system_prompt: Option<String>,
    user_prompt: Option<String>,
    usage: UsageRecord,
}

fn usage_of(generation: &llm::Generation) -> UsageRecord {
    UsageRecord {
        provider: generation.provider.to_string(),
        model: generation.model.clone(),
        calls: generation.attempts,
        input_tokens: generation.usage.input_tokens,
        output_tokens: generation.usage.output_tokens,
        cost_usd: generation.cost_usd,
    }
}

fn offline_usage(model: &ResolvedModel) -> UsageRecord {
    UsageRecord {
        provider: model.provider.to_string(),
        model: model.model.clone(),
        calls: 0,
        input_tokens: 0,
        output_tokens: 0,
        cost_usd: Some(0.0),
    }
}

/// Runs `input` on its default prompts, then on the edited ones (or, offline, again on the
/// offline generator).
async fn both_runs<I>(
    env: &JobEnv,
    ctx: &JobContext,
    model: &ResolvedModel,
    input: &I,
    request: &PromptResubmit,
) -> Result<(Run, Run), Failure>
where
    I: TaskInput + generation::offline::OfflineTask,
    I::Output: serde::de::DeserializeOwned,
{
    let original = env
        .generate(input, model, ctx.cancellation().clone())
        .await?;
    let original_output = serde_json::to_value(&original.output)
        .map_err(|e| Failure::internal(format!("cannot encode the result: {e}")))?;
    let original_run = Run {
        output: original_output,
        system_prompt: Some(original.system_prompt.clone()),
        user_prompt: Some(original.user_prompt.clone()),
        usage: original.usage.clone(),
    };
    if model.provider == ProviderId::Offline {
        let output = generation::offline::generate_typed(input)?;
        let output = serde_json::to_value(&output)
            .map_err(|e| Failure::internal(format!("cannot encode the result: {e}")))?;
        let new_run = Run {
            output,
            system_prompt: None,
            user_prompt: None,
            usage: offline_usage(model),
        };
        return Ok((original_run, new_run));
    }
    let system_prompt = request
        .modified_system_prompt
        .clone()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or(original.system_prompt);
    let generation = env
        .llm
        .complete_structured(StructuredCall {
            model: model.clone(),
            system_prompt,
            user_prompt: request.modified_user_prompt.clone(),
            schema_name: I::KIND.as_str().to_owned(),
            schema: generation::output_schema(I::KIND),
            cancel: ctx.cancellation().clone(),
        })
        .await?;
    // Same shape as the default run: parsed into the task's output type.
    let parsed = generation::parse_output::<I>(&generation.output)?;
    let output = serde_json::to_value(&parsed)
        .map_err(|e| Failure::internal(format!("cannot encode the result: {e}")))?;
    let new_run = Run {
        output,
        system_prompt: Some(generation.system_prompt.clone()),
        user_prompt: Some(generation.user_prompt.clone()),
        usage: usage_of(&generation),
    };
    Ok((original_run, new_run))
}

fn result_json(key_field: &str, key: &str, run: &Run, extra: Value) -> Value {
    let mut result = json!({
        key_field: key,
        "system_prompt": run.system_prompt,
        "user_prompt": run.user_prompt,
        "llm_provider": run.usage.provider,
        "llm_model": run.usage.model,
        "usage": run.usage,
    });
    if let (Some(result), Some(extra)) = (result.as_object_mut(), extra.as_object()) {
        for (name, value) in extra {
            result.insert(name.clone(), value.clone());
        }
    }
    result
}

fn description_markdown_of(output: &Value) -> Option<String> {
    serde_json::from_value::<TicketDescription>(output.clone())
        .ok()
        .map(|description| description.to_markdown())
}

impl BackgroundJob for PromptResubmit {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<PromptResubmitResponse, Failure> {
        let model = env.resolve_model(self.llm_provider.as_deref(), self.llm_model.as_deref())?;
        let offline = model.provider == ProviderId::Offline;
        let (original_result, new_result) = match self.operation_type {
            ResubmitOperation::GenerateSingle => {
                let ticket = load_ticket(env, &self.key, true).await?;
                let input = TicketDescriptionInput {
                    ticket_key: Some(ticket.key.clone()),
                    summary: ticket.summary.clone(),
                    issue_type: IssueType::from_name(&ticket.issue_type_name),
                    description: ticket.description.clone(),
                    parent: ticket.parent_context(),
                    documents: ticket.documents.documents.clone(),
                    additional_context: self.additional_context.clone(),
                    linked_changes: Vec::new(),
                    labels: ticket.issue.fields.labels.clone(),
                    components: Vec::new(),
                };
                let (original, new) = both_runs(env, ctx, &model, &input, &self).await?;
                let wrap = |run: &Run| {
                    result_json(
                        "ticket_key",
                        &ticket.key,
                        run,
                        json!({
                            "generated_description": description_markdown_of(&run.output),
                            "output": run.output,
                        }),
                    )
                };
                (wrap(&original), wrap(&new))
            }
            ResubmitOperation::PlanTasks => {
                let story = load_ticket(env, &self.key, true).await?;
                let input = StoryTasksInput {
                    story_key: Some(story.key.clone()),
                    summary: story.summary.clone(),
                    description: story.description.clone(),
                    acceptance_criteria: Vec::new(),
                    parent: story.parent_context(),
                    documents: story.documents.documents.clone(),
                    additional_context: self.additional_context.clone(),
                    max_tasks: 10,
                    max_task_cycle_days: 3.0,
                    include_test_cases: false,
                    coverage_level: Default::default(),
                };
                let (original, new) = both_runs(env, ctx, &model, &input, &self).await?;
                let wrap = |run: &Run| {
                    result_json(
                        "story_key",
                        &story.key,
                        run,
                        json!({ "tasks": run.output.get("tasks"), "output": run.output }),
                    )
                };
                (wrap(&original), wrap(&new))
            }
            ResubmitOperation::AnalyzeCoverage => {
                let story = read_story_tasks(env, &self.key, true).await?;
                let requirements =
                    extract_requirements(story.story.summary(), story.description.as_deref());
                let (original, new) = if offline {
                    let analysis =
                        serde_json::to_value(deterministic_response(&story, &requirements))
                            .map_err(|e| {
                                Failure::internal(format!("cannot encode the result: {e}"))
                            })?;
                    let run = |output: Value| Run {
                        output,
                        system_prompt: None,
                        user_prompt: None,
                        usage: offline_usage(&model),
                    };
                    (run(analysis.clone()), run(analysis))
                } else {
                    let default_user = coverage_user_prompt(
                        &story,
                        &requirements,
                        self.additional_context.as_deref(),
                    );
                    let original = run_coverage_model(
                        env,
                        &model,
                        COVERAGE_SYSTEM_PROMPT.to_owned(),
                        default_user,
                        ctx.cancellation().clone(),
                    )
                    .await?;
                    let system = self
                        .modified_system_prompt
                        .clone()
                        .filter(|p| !p.trim().is_empty())
                        .unwrap_or_else(|| COVERAGE_SYSTEM_PROMPT.to_owned());
                    let new = run_coverage_model(
                        env,
                        &model,
                        system,
                        self.modified_user_prompt.clone(),
                        ctx.cancellation().clone(),
                    )
                    .await?;
                    let run = |model_run: crate::story_coverage::ModelRun| Run {
                        output: model_run.output,
                        system_prompt: Some(model_run.system_prompt),
                        user_prompt: Some(model_run.user_prompt),
                        usage: model_run.usage,
                    };
                    (run(original), run(new))
                };
                let wrap = |run: &Run| {
                    result_json(
                        "story_key",
                        &story.story.key,
                        run,
                        json!({ "analysis_result": run.output }),
                    )
                };
                (wrap(&original), wrap(&new))
            }
        };
        let comparison_notes = if offline {
            OFFLINE_NOTE.to_owned()
        } else {
            compare(self.operation_type, &original_result, &new_result)
        };
        Ok(PromptResubmitResponse {
            success: true,
            operation_type: self.operation_type.as_str().to_owned(),
            original_result,
            new_result,
            prompts_used: PromptsUsed {
                modified_system_prompt: self
                    .modified_system_prompt
                    .clone()
                    .filter(|p| !p.trim().is_empty())
                    .unwrap_or_else(|| "Using default system prompt".to_owned()),
                modified_user_prompt: self.modified_user_prompt.clone(),
                llm_provider: self
                    .llm_provider
                    .clone()
                    .unwrap_or_else(|| "default".to_owned()),
                llm_model: self
                    .llm_model
                    .clone()
                    .unwrap_or_else(|| "default".to_owned()),
            },
            comparison_notes: Some(comparison_notes),
            error: None,
        })
    }
}

/// Words of a text, lower-cased, for overlap measures.
fn word_set(text: &str) -> std::collections::BTreeSet<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
        .map(str::to_owned)
        .collect()
}

fn overlap_percent(a: &str, b: &str) -> f64 {
    let (a, b) = (word_set(a), word_set(b));
    if a.is_empty() && b.is_empty() {
        return 100.0;
    }
    let shared = a.intersection(&b).count() as f64;
    (shared / a.union(&b).count() as f64 * 100.0).round()
}

/// Plain-language differences between two results of `operation` (each shaped as
/// [`PromptResubmitResponse::original_result`]).
pub fn compare(operation: ResubmitOperation, original: &Value, new: &Value) -> String {
    match operation {
        ResubmitOperation::GenerateSingle => {
            let text = |result: &Value| {
                result["generated_description"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            };
            let (a, b) = (text(original), text(new));
            let scopes = |result: &Value| {
                result
                    .pointer("/output/scopes")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len)
            };
            format!(
                "Description length {} -> {} words; scopes {} -> {}; {}% of the words are shared.",
                a.split_whitespace().count(),
                b.split_whitespace().count(),
                scopes(original),
                scopes(new),
                overlap_percent(&a, &b)
            )
        }
        ResubmitOperation::PlanTasks => {
            let summaries = |result: &Value| -> Vec<String> {
                result["tasks"]
                    .as_array()
                    .map(|tasks| {
                        tasks
                            .iter()
                            .filter_map(|t| t["summary"].as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let (a, b) = (summaries(original), summaries(new));
            let only = |from: &[String], other: &[String]| -> Vec<String> {
                from.iter()
                    .filter(|s| !other.iter().any(|o| title_similarity(s, o) >= 0.75))
                    .cloned()
                    .collect()
            };
            let added = only(&b, &a);
            let dropped = only(&a, &b);
            let mut notes = format!("Tasks {} -> {}.", a.len(), b.len());
            if !added.is_empty() {
                notes.push_str(&format!(" Only in the new plan: {}.", added.join("; ")));
            }
            if !dropped.is_empty() {
                notes.push_str(&format!(
                    " Only in the original plan: {}.",
                    dropped.join("; ")
                ));
            }
            if added.is_empty() && dropped.is_empty() {
                notes.push_str(" The same tasks appear in both plans.");
            }
            notes
        }
        ResubmitOperation::AnalyzeCoverage => {
            let analysis = |result: &Value| result["analysis_result"].clone();
            let (a, b) = (analysis(original), analysis(new));
            let count = |value: &Value, field: &str| value[field].as_array().map_or(0, Vec::len);
            let percentage = |value: &Value| {
                value
                    .get("coverage_percentage")
                    .cloned()
                    .unwrap_or_default()
            };
            format!(
                "Coverage {}% -> {}%; gaps {} -> {}; suggested new tasks {} -> {}; suggested task updates {} -> {}.",
                percentage(&a),
                percentage(&b),
                count(&a, "gaps"),
                count(&b, "gaps"),
                count(&a, "suggestions_for_new_tasks"),
                count(&b, "suggestions_for_new_tasks"),
                count(&a, "suggestions_for_updates"),
                count(&b, "suggestions_for_updates"),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_notes_name_tasks_only_in_one_plan() {
        let original = json!({"tasks": [{"summary": "[BE] Create orders endpoint"}, {"summary": "[QA] Test export"}]});
        let new = json!({"tasks": [{"summary": "[BE] Create the orders endpoint"}, {"summary": "[FE] Export button"}]});
        let notes = compare(ResubmitOperation::PlanTasks, &original, &new);
        assert!(notes.starts_with("Tasks 2 -> 2."), "{notes}");
        assert!(
            notes.contains("Only in the new plan: [FE] Export button."),
            "{notes}"
        );
        assert!(
            notes.contains("Only in the original plan: [QA] Test export."),
            "{notes}"
        );
    }

    #[test]
    fn coverage_and_description_notes_compare_numbers() {
        let original = json!({"analysis_result": {"coverage_percentage": 50.0, "gaps": [1, 2]}});
        let new = json!({"analysis_result": {"coverage_percentage": 75.0, "gaps": [1]}});
        let notes = compare(ResubmitOperation::AnalyzeCoverage, &original, &new);
        assert!(
            notes.starts_with("Coverage 50.0% -> 75.0%; gaps 2 -> 1"),
            "{notes}"
        );
        let a = json!({"generated_description": "Purpose alpha beta", "output": {"scopes": ["a"]}});
        let b = json!({"generated_description": "Purpose alpha gamma delta", "output": {"scopes": ["a", "b"]}});
        let notes = compare(ResubmitOperation::GenerateSingle, &a, &b);
        assert!(
            notes.contains("3 -> 4 words; scopes 1 -> 2; 40% of the words"),
            "{notes}"
        );
    }
}
