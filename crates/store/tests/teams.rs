//! Teams, members, boards, capacity and stored sprint timelines against SQLite and (when
//! `PLANWRIGHT_TEST_POSTGRES_URL` is set) PostgreSQL.

use serde_json::json;
use store::{
    BoardInput, Entity, MemberFilter, MemberInput, MembershipInput, TeamError, TeamInput,
    TestDatabase, role_named,
};

async fn databases() -> Vec<TestDatabase> {
    TestDatabase::all().await.expect("test databases")
}

fn team(name: &str) -> TeamInput {
    TeamInput {
        name: name.to_owned(),
        description: Some(format!("{name} people")),
        board_ids: None,
    }
}

fn member(name: &str, email: &str, days: f64, teams: Vec<MembershipInput>) -> MemberInput {
    MemberInput {
        name: name.to_owned(),
        email: email.to_owned(),
        level: "senior".to_owned(),
        capacity_days_per_sprint: days,
        memberships: Some(teams),
    }
}

fn seat(team_id: i64, role: Option<&str>, allocation: f64) -> MembershipInput {
    MembershipInput {
        team_id,
        role: role.map(str::to_owned),
        capacity_allocation: allocation,
    }
}

fn board(name: &str, jira: u64, teams: Option<Vec<i64>>) -> BoardInput {
    BoardInput {
        name: name.to_owned(),
        jira_board_id: jira,
        project_key: Some("PW".to_owned()),
        board_type: Some("scrum".to_owned()),
        team_ids: teams,
    }
}

#[tokio::test]
async fn members_round_trip_with_their_teams_and_soft_delete() {
    for tdb in databases().await {
        let label = tdb.label();
        let backend = tdb.create_team(&team("Backend")).await.unwrap();
        let payments = tdb.create_team(&team("Payments")).await.unwrap();
        assert_ne!(backend.id, payments.id, "{label}");
        let ada = tdb
            .create_member(&member(
                "Ada",
                "Ada@Example.com",
                8.0,
                vec![
                    seat(backend.id, None, 0.5),
                    seat(payments.id, Some("QA"), 0.5),
                ],
            ))
            .await
            .unwrap();
        assert_eq!(ada.email, "Ada@Example.com");
        assert!(ada.is_active);
        let roles: Vec<(&str, &str, f64)> = ada
            .teams
            .iter()
            .map(|t| (t.name.as_str(), t.role.as_str(), t.capacity_allocation))
            .collect();
        // No role given: the team's name names one. "QA" is stored lower-case.
        assert_eq!(
            roles,
            vec![("Backend", "backend", 0.5), ("Payments", "qa", 0.5)],
            "{label}"
        );
        assert_eq!(tdb.get_member(ada.id).await.unwrap().as_ref(), Some(&ada));

        // Update replaces fields and, when given, memberships; None keeps them.
        let mut change = member("Ada L.", "ada@example.com", 6.0, vec![]);
        change.memberships = None;
        let updated = tdb.update_member(ada.id, &change).await.unwrap();
        assert_eq!(updated.name, "Ada L.");
        assert_eq!(updated.capacity_days_per_sprint, 6.0);
        assert_eq!(updated.teams.len(), 2, "{label}: memberships kept");
        change.memberships = Some(vec![seat(payments.id, Some("backend"), 1.0)]);
        let moved = tdb.update_member(ada.id, &change).await.unwrap();
        assert_eq!(moved.teams.len(), 1);
        assert_eq!(moved.teams[0].id, payments.id);
        assert!(moved.updated_at >= moved.created_at);

        // Soft delete: GET still shows it inactive; lists leave it out unless asked; the second
        // delete and any update are 404s.
        tdb.delete_member(ada.id).await.unwrap();
        let gone = tdb.get_member(ada.id).await.unwrap().unwrap();
        assert!(!gone.is_active && gone.deleted_at.is_some(), "{label}");
        let active = tdb
            .list_members(&MemberFilter {
                active_only: true,
                ..MemberFilter::default()
            })
            .await
            .unwrap();
        assert!(active.is_empty(), "{label}");
        let all = tdb.list_members(&MemberFilter::default()).await.unwrap();
        assert_eq!(all.len(), 1);
        assert!(matches!(
            tdb.delete_member(ada.id).await,
            Err(TeamError::NotFound {
                entity: Entity::Member,
                ..
            })
        ));
        assert!(matches!(
            tdb.update_member(ada.id, &change).await,
            Err(TeamError::NotFound { .. })
        ));
        assert!(tdb.get_member(999).await.unwrap().is_none());
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn emails_are_unique_among_active_members_and_reusable_after_delete() {
    for tdb in databases().await {
        let label = tdb.label();
        let first = tdb
            .create_member(&member("Bo", "bo@example.com", 5.0, vec![]))
            .await
            .unwrap();
        let duplicate = tdb
            .create_member(&member("Bo 2", " BO@example.com ", 5.0, vec![]))
            .await
            .unwrap_err();
        assert_eq!(
            duplicate.to_string(),
            "Member with email BO@example.com already exists",
            "{label}"
        );
        let other = tdb
            .create_member(&member("Cy", "cy@example.com", 5.0, vec![]))
            .await
            .unwrap();
        // Taking another active member's address by update is refused too; keeping one's own is
        // not a conflict.
        assert!(matches!(
            tdb.update_member(other.id, &member("Cy", "bo@example.com", 5.0, vec![]))
                .await,
            Err(TeamError::DuplicateEmail(_))
        ));
        tdb.update_member(other.id, &member("Cy", "CY@example.com", 4.0, vec![]))
            .await
            .unwrap();
        tdb.delete_member(first.id).await.unwrap();
        let again = tdb
            .create_member(&member("Bo again", "bo@example.com", 5.0, vec![]))
            .await
            .unwrap();
        assert!(again.id > other.id, "{label}: ids are never reused");
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn concurrent_creates_with_one_email_leave_one_member() {
    for tdb in databases().await {
        let label = tdb.label();
        let other = tdb.connect_another().await.unwrap();
        let input = member("Dee", "dee@example.com", 5.0, vec![]);
        let (a, b) = tokio::join!(tdb.create_member(&input), other.create_member(&input));
        let outcomes = [a.is_ok(), b.is_ok()];
        assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "{label}");
        for result in [a, b] {
            if let Err(error) = result {
                assert!(matches!(error, TeamError::DuplicateEmail(_)), "{error}");
            }
        }
        other.close().await;
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn unknown_team_and_board_ids_are_named() {
    for tdb in databases().await {
        let label = tdb.label();
        let real = tdb.create_team(&team("Web")).await.unwrap();
        let deleted = tdb.create_team(&team("Old")).await.unwrap();
        tdb.delete_team(deleted.id).await.unwrap();
        let error = tdb
            .create_member(&member(
                "Eve",
                "eve@example.com",
                5.0,
                vec![
                    seat(77, None, 1.0),
                    seat(real.id, None, 1.0),
                    seat(deleted.id, None, 1.0),
                ],
            ))
            .await
            .unwrap_err();
        match error {
            TeamError::UnknownIds { entity, ids } => {
                assert_eq!(entity, Entity::Team);
                assert_eq!(ids, vec![deleted.id, 77], "{label}");
            }
            other => panic!("{label}: {other}"),
        }
        // Nothing was written.
        assert!(
            tdb.list_members(&MemberFilter::default())
                .await
                .unwrap()
                .is_empty()
        );
        let error = tdb
            .create_team(&TeamInput {
                board_ids: Some(vec![5]),
                ..team("Mobile")
            })
            .await
            .unwrap_err();
        assert!(matches!(
            error,
            TeamError::UnknownIds {
                entity: Entity::Board,
                ..
            }
        ));
        assert!(matches!(
            tdb.create_board(&board("B", 1, Some(vec![404]))).await,
            Err(TeamError::UnknownIds {
                entity: Entity::Team,
                ..
            })
        ));
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn teams_and_boards_link_both_ways_and_names_are_unique() {
    for tdb in databases().await {
        let label = tdb.label();
        let web = tdb.create_team(&team("Web")).await.unwrap();
        assert!(matches!(
            tdb.create_team(&team(" web ")).await,
            Err(TeamError::DuplicateTeamName(name)) if name == "web"
        ));
        let b1 = tdb
            .create_board(&board("PW board", 12, Some(vec![web.id])))
            .await
            .unwrap();
        assert_eq!(b1.teams.len(), 1, "{label}");
        assert!(matches!(
            tdb.create_board(&board("again", 12, None)).await,
            Err(TeamError::DuplicateBoard(12))
        ));
        let web = tdb.get_team(web.id).await.unwrap().unwrap();
        assert_eq!(web.boards.len(), 1);
        assert_eq!(web.boards[0].jira_board_id, 12);
        assert_eq!(
            tdb.board_by_jira_id(12).await.unwrap().map(|b| b.id),
            Some(b1.id)
        );

        // Relinking from the team side replaces the team's links.
        let b2 = tdb.create_board(&board("Other", 13, None)).await.unwrap();
        let web = tdb
            .update_team(
                web.id,
                &TeamInput {
                    board_ids: Some(vec![b2.id]),
                    ..team("Web")
                },
            )
            .await
            .unwrap();
        assert_eq!(
            web.boards.iter().map(|b| b.id).collect::<Vec<_>>(),
            vec![b2.id]
        );
        assert!(
            tdb.get_board(b1.id)
                .await
                .unwrap()
                .unwrap()
                .teams
                .is_empty()
        );

        // A deleted board frees its Jira id and drops out of the team's boards.
        tdb.delete_board(b2.id).await.unwrap();
        assert!(tdb.board_by_jira_id(13).await.unwrap().is_none());
        assert!(
            tdb.get_team(web.id)
                .await
                .unwrap()
                .unwrap()
                .boards
                .is_empty()
        );
        tdb.create_board(&board("Reborn", 13, None)).await.unwrap();
        assert_eq!(tdb.list_boards(true).await.unwrap().len(), 2, "{label}");
        assert_eq!(tdb.list_boards(false).await.unwrap().len(), 3, "{label}");

        // A deleted team frees its name.
        tdb.delete_team(web.id).await.unwrap();
        assert!(matches!(
            tdb.update_team(web.id, &team("Web")).await,
            Err(TeamError::NotFound {
                entity: Entity::Team,
                ..
            })
        ));
        tdb.create_team(&team("Web")).await.unwrap();
        assert_eq!(tdb.list_teams(true).await.unwrap().len(), 1);
        assert_eq!(tdb.list_teams(false).await.unwrap().len(), 2);
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn team_and_role_capacity_count_active_members_in_active_teams() {
    for tdb in databases().await {
        let label = tdb.label();
        let squad = tdb.create_team(&team("Squad")).await.unwrap();
        let other = tdb.create_team(&team("Other")).await.unwrap();
        let b = tdb
            .create_board(&board("Squad board", 7, Some(vec![squad.id])))
            .await
            .unwrap();
        let be = tdb
            .create_member(&member(
                "Be",
                "be@example.com",
                8.0,
                vec![
                    seat(squad.id, Some("backend"), 0.5),
                    seat(other.id, Some("backend"), 0.5),
                ],
            ))
            .await
            .unwrap();
        tdb.create_member(&member(
            "Fe",
            "fe@example.com",
            5.0,
            vec![seat(squad.id, Some("frontend"), 1.0)],
        ))
        .await
        .unwrap();
        let qa = tdb
            .create_member(&member(
                "Qa",
                "qa@example.com",
                10.0,
                vec![seat(squad.id, Some("qa"), 0.25)],
            ))
            .await
            .unwrap();

        let capacity = tdb.team_capacity(squad.id, None).await.unwrap().unwrap();
        assert_eq!(capacity.team_name, "Squad");
        assert_eq!(capacity.total_days, 4.0 + 5.0 + 2.5, "{label}");
        assert_eq!(capacity.active_members, 3);
        assert_eq!(
            capacity.per_role.into_iter().collect::<Vec<_>>(),
            vec![
                ("backend".to_owned(), 4.0),
                ("frontend".to_owned(), 5.0),
                ("qa".to_owned(), 2.5)
            ]
        );
        assert_eq!(capacity.board_linked, None);
        let on_board = tdb.team_capacity(squad.id, Some(7)).await.unwrap().unwrap();
        assert_eq!(on_board.board_linked, Some(true));
        assert_eq!(on_board.total_days, 11.5);
        let elsewhere = tdb.team_capacity(other.id, Some(7)).await.unwrap().unwrap();
        assert_eq!(elsewhere.board_linked, Some(false), "{label}");
        assert_eq!(elsewhere.total_days, 4.0, "capacity regardless of the link");

        // Role capacity across teams, and restricted to the board's teams.
        let backend = role_named("backend").unwrap();
        let all = tdb.role_capacity(backend, None).await.unwrap();
        assert_eq!(all.total_days, 8.0, "{label}");
        assert_eq!(all.active_members, 1, "one person in two teams");
        assert_eq!(all.per_team.len(), 2);
        let on_board = tdb.role_capacity(backend, Some(7)).await.unwrap();
        assert_eq!(on_board.total_days, 4.0);
        assert_eq!(on_board.per_team[0].team_id, squad.id);
        let nowhere = tdb.role_capacity(backend, Some(999)).await.unwrap();
        assert_eq!(nowhere.total_days, 0.0);

        // Deleting a member or unlinking drops it; deleting the team makes it unknown.
        tdb.delete_member(qa.id).await.unwrap();
        let capacity = tdb.team_capacity(squad.id, Some(7)).await.unwrap().unwrap();
        assert_eq!(capacity.total_days, 9.0, "{label}");
        assert!(!capacity.per_role.contains_key("qa"));
        tdb.delete_board(b.id).await.unwrap();
        let capacity = tdb.team_capacity(squad.id, Some(7)).await.unwrap().unwrap();
        assert_eq!(capacity.board_linked, Some(false));
        tdb.delete_team(squad.id).await.unwrap();
        assert!(tdb.team_capacity(squad.id, None).await.unwrap().is_none());
        assert!(tdb.team_capacity(4242, None).await.unwrap().is_none());
        let all = tdb.role_capacity(backend, None).await.unwrap();
        assert_eq!(all.total_days, 4.0, "{label}: only Other counts now");
        let be = tdb.get_member(be.id).await.unwrap().unwrap();
        assert!(be.teams.iter().any(|t| t.id == squad.id && !t.team_active));
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn member_lists_filter_by_team_and_level() {
    for tdb in databases().await {
        let label = tdb.label();
        let a = tdb.create_team(&team("A")).await.unwrap();
        let b = tdb.create_team(&team("B")).await.unwrap();
        let mut junior = member("J", "j@example.com", 5.0, vec![seat(a.id, None, 1.0)]);
        junior.level = "junior".to_owned();
        tdb.create_member(&junior).await.unwrap();
        tdb.create_member(&member(
            "S",
            "s@example.com",
            5.0,
            vec![seat(a.id, None, 0.5), seat(b.id, None, 0.5)],
        ))
        .await
        .unwrap();
        let names = |members: Vec<store::MemberRecord>| {
            members.into_iter().map(|m| m.name).collect::<Vec<_>>()
        };
        let in_b = tdb
            .list_members(&MemberFilter {
                team_id: Some(b.id),
                active_only: true,
                ..MemberFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(names(in_b), vec!["S"], "{label}");
        let seniors_in_a = tdb
            .list_members(&MemberFilter {
                team_id: Some(a.id),
                level: Some("senior".to_owned()),
                active_only: true,
            })
            .await
            .unwrap();
        assert_eq!(names(seniors_in_a), vec!["S"]);
        let in_a = tdb
            .list_members(&MemberFilter {
                team_id: Some(a.id),
                ..MemberFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(names(in_a.clone()), vec!["J", "S"]);
        assert_eq!(in_a[1].teams.len(), 2, "{label}: every team of a member");
        tdb.cleanup().await;
    }
}

#[tokio::test]
async fn the_latest_timeline_per_epic_and_board_is_returned() {
    for tdb in databases().await {
        let label = tdb.label();
        assert!(tdb.latest_timeline("PW-1", 3).await.unwrap().is_none());
        for n in 0..13 {
            tdb.save_timeline("PW-1", 3, &json!({ "run": n }))
                .await
                .unwrap();
        }
        tdb.save_timeline("PW-1", 4, &json!({ "board": 4 }))
            .await
            .unwrap();
        tdb.save_timeline("PW-2", 3, &json!({ "epic": 2 }))
            .await
            .unwrap();
        let latest = tdb.latest_timeline("PW-1", 3).await.unwrap().unwrap();
        assert_eq!(latest.timeline, json!({ "run": 12 }), "{label}");
        assert!(latest.computed_at <= chrono::Utc::now() + chrono::Duration::seconds(1));
        assert_eq!(
            tdb.latest_timeline("PW-1", 4)
                .await
                .unwrap()
                .unwrap()
                .timeline,
            json!({ "board": 4 })
        );
        assert_eq!(
            tdb.latest_timeline("PW-2", 3)
                .await
                .unwrap()
                .unwrap()
                .timeline,
            json!({ "epic": 2 })
        );
        let kept: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sprint_timelines WHERE epic_key = 'PW-1' AND board_id = 3",
        )
        .fetch_one(tdb.pool())
        .await
        .unwrap();
        assert_eq!(kept, 10, "{label}: older timelines are pruned");
        tdb.cleanup().await;
    }
}
