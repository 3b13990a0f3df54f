//! The chat tables on SQLite and (when `PLANWRIGHT_TEST_POSTGRES_URL` is set) PostgreSQL: a
//! message and its job are written together, checkpoints are fenced by version (a stale writer
//! changes nothing, not even the step log), and an answer is accepted once.

use serde_json::json;
use store::{
    ChatCheckpoint, ChatError, ChatOutcome, ChatStatus, NewChatTask, NewJob, TestDatabase,
};

fn message(task: &str, conversation: &str, user: &str) -> NewChatTask {
    NewChatTask {
        task_id: task.into(),
        conversation_id: conversation.into(),
        user_id: user.into(),
        message: "Find open bugs".into(),
        output_format: "markdown".into(),
        step: "classify".into(),
        state: json!({}),
        max_active_per_user: 2,
    }
}

fn job(task: &str) -> NewJob {
    NewJob::new("chat_turn", json!({ "task_id": task }))
}

fn step(version: i64, step: &str) -> ChatCheckpoint {
    ChatCheckpoint {
        version,
        step: step.into(),
        state: json!({ "at": step }),
        event: Some((step.into(), json!({ "step": step }))),
    }
}

#[tokio::test]
async fn checkpoints_are_fenced_by_version_and_log_each_step_once() {
    for tdb in TestDatabase::all().await.unwrap() {
        let label = tdb.label();
        tdb.start_chat_task(&message("t1", "c1", "ana"), &job("t1"))
            .await
            .unwrap();
        let task = tdb.chat_task("t1").await.unwrap().unwrap();
        assert_eq!((task.seq, task.version), (1, 1), "{label}");
        let v2 = tdb
            .chat_checkpoint("t1", &step(task.version, "plan"), &ChatOutcome::Continue)
            .await
            .unwrap();
        // A second run that read the same version is refused and writes nothing.
        let stale = tdb
            .chat_checkpoint("t1", &step(task.version, "act"), &ChatOutcome::Continue)
            .await;
        assert!(
            matches!(stale, Err(ChatError::Stale(_))),
            "{label}: {stale:?}"
        );
        let events = tdb.chat_events("t1", 0).await.unwrap();
        assert_eq!(
            events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
            ["plan"],
            "{label}"
        );
        let outcome = ChatOutcome::Completed {
            result: json!({ "type": "answer" }),
            reply: "done".into(),
        };
        tdb.chat_checkpoint("t1", &step(v2, "done"), &outcome)
            .await
            .unwrap();
        let stored = tdb.chat_task("t1").await.unwrap().unwrap();
        assert_eq!(stored.status, ChatStatus::Completed, "{label}");
        assert_eq!(stored.reply.as_deref(), Some("done"));
        assert_eq!(stored.state, json!({ "at": "done" }));
        assert_eq!(tdb.chat_events("t1", 1).await.unwrap().len(), 1, "{label}");
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn a_refused_message_writes_neither_conversation_nor_job() {
    for tdb in TestDatabase::all().await.unwrap() {
        let label = tdb.label();
        tdb.start_chat_task(&message("t1", "c1", "ana"), &job("t1"))
            .await
            .unwrap();
        tdb.start_chat_task(&message("t2", "c2", "ana"), &job("t2"))
            .await
            .unwrap();
        let third = job("t3");
        let refused = tdb
            .start_chat_task(&message("t3", "c3", "ana"), &third)
            .await;
        assert!(
            matches!(
                refused,
                Err(ChatError::UserBusy {
                    active: 2,
                    limit: 2
                })
            ),
            "{label}"
        );
        assert!(
            tdb.get(third.id).await.unwrap().is_none(),
            "{label}: no job"
        );
        let (conversations, total) = tdb.chat_conversations("ana", 10, 0).await.unwrap();
        assert_eq!((conversations.len(), total), (2, 2), "{label}");
        // Another user's conversation is not found; a busy conversation refuses a second message.
        let other = tdb
            .start_chat_task(&message("t4", "c1", "bob"), &job("t4"))
            .await;
        assert!(
            matches!(other, Err(ChatError::ConversationNotFound(_))),
            "{label}"
        );
        let busy = tdb
            .start_chat_task(&message("t5", "c1", "ana"), &job("t5"))
            .await;
        assert!(
            matches!(busy, Err(ChatError::ConversationBusy { .. })),
            "{label}"
        );
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn messages_sent_at_once_respect_the_users_limit_exactly() {
    for tdb in TestDatabase::all().await.unwrap() {
        let label = tdb.label();
        let sends = (0..10).map(|n| {
            let db = tdb.db().clone();
            tokio::spawn(async move {
                let task = format!("t{n}");
                db.start_chat_task(&message(&task, &format!("c{n}"), "ana"), &job(&task))
                    .await
            })
        });
        let mut written = 0;
        let mut refused = 0;
        for send in sends.collect::<Vec<_>>() {
            match send.await.unwrap() {
                Ok(_) => written += 1,
                Err(ChatError::UserBusy { .. }) => refused += 1,
                Err(other) => panic!("{label}: {other}"),
            }
        }
        // `message` sets the limit to 2.
        assert_eq!((written, refused), (2, 8), "{label}");
        let jobs = tdb.list(&store::JobFilter::default()).await.unwrap();
        assert_eq!(jobs.total, 2, "{label}: one job per message written");
        tdb.cleanup().await;
    }
}
