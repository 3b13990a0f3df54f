//! Teams, team members, memberships and boards (soft-deleted, never removed), team and role
//! capacity for sprint planning, and the latest computed sprint timeline per epic and board.
//!
//! Every change runs in one write transaction that first checks what it depends on (the record
//! exists and is active, the ids it links to exist, no other active record holds its unique
//! value), so a refusal names every offending id. A concurrent create that slips past the check
//! meets the partial unique index instead (migration 0004), which is mapped to the same
//! duplicate error.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::database::Database;
use crate::error::StoreError;
use crate::row::{from_ms, now_ms, to_json};
use crate::team_records::{
    BoardInput, BoardRecord, BoardSummary, Entity, MemberFilter, MemberInput, MemberRecord,
    MemberTeam, MembershipInput, Role, RoleCapacity, RoleTeamCapacity, StoredTimeline,
    TeamCapacity, TeamError, TeamInput, TeamMemberEntry, TeamRecord, TeamSummary,
    role_for_team_name,
};

/// How many computed timelines are kept per epic and board (the latest is the one answered).
const TIMELINES_KEPT: i64 = 10;

const MEMBER_COLUMNS: &str = "id, name, email, level, capacity_days_per_sprint, is_active, \
                              created_at, updated_at, deleted_at";

impl Database {
    // ----- members -----

    /// Creates a member with its memberships. Fails with [`TeamError::DuplicateEmail`] when an
    /// active member has the address, [`TeamError::UnknownIds`] when a team does not exist or was
    /// deleted. A membership listed twice for one team counts once (the first).
    pub async fn create_member(&self, input: &MemberInput) -> Result<MemberRecord, TeamError> {
        let mut tx = self.begin_write().await?;
        ensure_email_free(&mut tx, &input.email, None).await?;
        let memberships = match &input.memberships {
            Some(memberships) => resolve_memberships(&mut tx, memberships).await?,
            None => Vec::new(),
        };
        let id = next_id(&mut tx, "team_members").await?;
        let now = now_ms();
        let inserted = sqlx::query(
            "INSERT INTO team_members (id, name, email, email_key, level, \
             capacity_days_per_sprint, is_active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)",
        )
        .bind(id)
        .bind(input.name.clone())
        .bind(input.email.trim().to_owned())
        .bind(email_key(&input.email))
        .bind(input.level.clone())
        .bind(input.capacity_days_per_sprint)
        .bind(now)
        .execute(&mut *tx)
        .await;
        unique_as(inserted, || {
            TeamError::DuplicateEmail(input.email.trim().to_owned())
        })?;
        insert_memberships(&mut tx, id, &memberships, now).await?;
        tx.commit().await?;
        self.existing_member(id).await
    }

    /// Replaces a member's fields (and, when `input.memberships` is set, its memberships).
    /// Fails with [`TeamError::NotFound`] for an unknown or deleted member.
    pub async fn update_member(
        &self,
        id: i64,
        input: &MemberInput,
    ) -> Result<MemberRecord, TeamError> {
        let mut tx = self.begin_write().await?;
        lock_active(&mut tx, self.row_lock(), Entity::Member, id).await?;
        ensure_email_free(&mut tx, &input.email, Some(id)).await?;
        let memberships = match &input.memberships {
            Some(memberships) => Some(resolve_memberships(&mut tx, memberships).await?),
            None => None,
        };
        let now = now_ms();
        let updated = sqlx::query(
            "UPDATE team_members SET name = $2, email = $3, email_key = $4, level = $5, \
             capacity_days_per_sprint = $6, updated_at = $7 WHERE id = $1",
        )
        .bind(id)
        .bind(input.name.clone())
        .bind(input.email.trim().to_owned())
        .bind(email_key(&input.email))
        .bind(input.level.clone())
        .bind(input.capacity_days_per_sprint)
        .bind(now)
        .execute(&mut *tx)
        .await;
        unique_as(updated, || {
            TeamError::DuplicateEmail(input.email.trim().to_owned())
        })?;
        if let Some(memberships) = memberships {
            sqlx::query("DELETE FROM team_memberships WHERE member_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            insert_memberships(&mut tx, id, &memberships, now).await?;
        }
        tx.commit().await?;
        self.existing_member(id).await
    }

    /// Soft-deletes a member: it stops counting towards capacity and its e-mail address becomes
    /// free; the row and its memberships stay. [`TeamError::NotFound`] if unknown or already
    /// deleted.
    pub async fn delete_member(&self, id: i64) -> Result<(), TeamError> {
        self.soft_delete("team_members", Entity::Member, id).await
    }

    /// A member by id, deleted ones included (`is_active` false).
    pub async fn get_member(&self, id: i64) -> Result<Option<MemberRecord>, StoreError> {
        let sql = format!("SELECT {MEMBER_COLUMNS} FROM team_members WHERE id = $1");
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let mut teams = self.memberships_of(&[id]).await?;
        Ok(Some(decode_member(
            &row,
            teams.remove(&id).unwrap_or_default(),
        )?))
    }

    /// Members matching `filter`, by id.
    pub async fn list_members(
        &self,
        filter: &MemberFilter,
    ) -> Result<Vec<MemberRecord>, StoreError> {
        let mut sql = format!("SELECT {MEMBER_COLUMNS} FROM team_members WHERE 1 = 1");
        let mut next = 1;
        if filter.active_only {
            sql.push_str(" AND is_active = 1");
        }
        if filter.team_id.is_some() {
            sql.push_str(&format!(
                " AND id IN (SELECT member_id FROM team_memberships WHERE team_id = ${next})"
            ));
            next += 1;
        }
        if filter.level.is_some() {
            sql.push_str(&format!(" AND level = ${next}"));
        }
        sql.push_str(" ORDER BY id");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(team_id) = filter.team_id {
            query = query.bind(team_id);
        }
        if let Some(level) = &filter.level {
            query = query.bind(level.clone());
        }
        let rows = query.fetch_all(self.pool()).await?;
        let ids = rows
            .iter()
            .map(|row| row.try_get::<i64, _>("id"))
            .collect::<Result<Vec<_>, _>>()?;
        let mut teams = self.memberships_of(&ids).await?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get("id")?;
                decode_member(row, teams.remove(&id).unwrap_or_default())
            })
            .collect()
    }

    async fn existing_member(&self, id: i64) -> Result<MemberRecord, TeamError> {
        self.get_member(id).await?.ok_or(TeamError::NotFound {
            entity: Entity::Member,
            id,
        })
    }

    /// The memberships of `member_ids`, by member.
    async fn memberships_of(
        &self,
        member_ids: &[i64],
    ) -> Result<BTreeMap<i64, Vec<MemberTeam>>, StoreError> {
        let mut by_member: BTreeMap<i64, Vec<MemberTeam>> = BTreeMap::new();
        for chunk in member_ids.chunks(500) {
            let sql = format!(
                "SELECT m.member_id, m.team_id, m.role, m.capacity_allocation, t.name, \
                 t.description, t.is_active FROM team_memberships m \
                 JOIN teams t ON t.id = m.team_id WHERE m.member_id IN ({}) \
                 ORDER BY m.member_id, m.team_id",
                placeholders(1, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(self.pool()).await? {
                let member_id: i64 = row.try_get("member_id")?;
                by_member.entry(member_id).or_default().push(MemberTeam {
                    id: row.try_get("team_id")?,
                    name: row.try_get("name")?,
                    description: row.try_get("description")?,
                    role: row.try_get("role")?,
                    capacity_allocation: row.try_get("capacity_allocation")?,
                    team_active: row.try_get::<i64, _>("is_active")? != 0,
                });
            }
        }
        Ok(by_member)
    }

    // ----- teams -----

    /// Creates a team linked to `input.board_ids`. [`TeamError::DuplicateTeamName`] when an
    /// active team has the name; [`TeamError::UnknownIds`] for unknown or deleted boards.
    pub async fn create_team(&self, input: &TeamInput) -> Result<TeamRecord, TeamError> {
        let mut tx = self.begin_write().await?;
        ensure_team_name_free(&mut tx, &input.name, None).await?;
        let boards = match &input.board_ids {
            Some(ids) => existing_ids(&mut tx, "boards", Entity::Board, ids).await?,
            None => Vec::new(),
        };
        let id = next_id(&mut tx, "teams").await?;
        let now = now_ms();
        let inserted = sqlx::query(
            "INSERT INTO teams (id, name, name_key, description, is_active, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, 1, $5, $5)",
        )
        .bind(id)
        .bind(input.name.trim().to_owned())
        .bind(name_key(&input.name))
        .bind(input.description.clone())
        .bind(now)
        .execute(&mut *tx)
        .await;
        unique_as(inserted, || {
            TeamError::DuplicateTeamName(input.name.trim().to_owned())
        })?;
        for board_id in boards {
            link(&mut tx, id, board_id, now).await?;
        }
        tx.commit().await?;
        self.existing_team(id).await
    }

    /// Replaces a team's name and description (and, when `input.board_ids` is set, its boards).
    pub async fn update_team(&self, id: i64, input: &TeamInput) -> Result<TeamRecord, TeamError> {
        let mut tx = self.begin_write().await?;
        lock_active(&mut tx, self.row_lock(), Entity::Team, id).await?;
        ensure_team_name_free(&mut tx, &input.name, Some(id)).await?;
        let boards = match &input.board_ids {
            Some(ids) => Some(existing_ids(&mut tx, "boards", Entity::Board, ids).await?),
            None => None,
        };
        let now = now_ms();
        let updated = sqlx::query(
            "UPDATE teams SET name = $2, name_key = $3, description = $4, updated_at = $5 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(input.name.trim().to_owned())
        .bind(name_key(&input.name))
        .bind(input.description.clone())
        .bind(now)
        .execute(&mut *tx)
        .await;
        unique_as(updated, || {
            TeamError::DuplicateTeamName(input.name.trim().to_owned())
        })?;
        if let Some(boards) = boards {
            sqlx::query("DELETE FROM team_boards WHERE team_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            for board_id in boards {
                link(&mut tx, id, board_id, now).await?;
            }
        }
        tx.commit().await?;
        self.existing_team(id).await
    }

    /// Soft-deletes a team: its memberships and board links stop counting; its name becomes free.
    pub async fn delete_team(&self, id: i64) -> Result<(), TeamError> {
        self.soft_delete("teams", Entity::Team, id).await
    }

    /// A team by id, deleted ones included, with its active members and boards.
    pub async fn get_team(&self, id: i64) -> Result<Option<TeamRecord>, StoreError> {
        let Some(row) = sqlx::query(
            "SELECT id, name, description, is_active, created_at, updated_at, deleted_at \
             FROM teams WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        self.decode_team(&row).await.map(Some)
    }

    /// Teams by id; deleted ones only when `active_only` is false.
    pub async fn list_teams(&self, active_only: bool) -> Result<Vec<TeamRecord>, StoreError> {
        let sql = format!(
            "SELECT id, name, description, is_active, created_at, updated_at, deleted_at \
             FROM teams{} ORDER BY id",
            if active_only {
                " WHERE is_active = 1"
            } else {
                ""
            }
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        let mut teams = Vec::with_capacity(rows.len());
        for row in &rows {
            teams.push(self.decode_team(row).await?);
        }
        Ok(teams)
    }

    async fn existing_team(&self, id: i64) -> Result<TeamRecord, TeamError> {
        self.get_team(id).await?.ok_or(TeamError::NotFound {
            entity: Entity::Team,
            id,
        })
    }

    async fn decode_team(&self, row: &AnyRow) -> Result<TeamRecord, StoreError> {
        let id: i64 = row.try_get("id")?;
        let members = self.team_member_entries(id).await?;
        let boards = sqlx::query(
            "SELECT b.id, b.name, b.jira_board_id, b.project_key FROM team_boards tb \
             JOIN boards b ON b.id = tb.board_id WHERE tb.team_id = $1 AND b.is_active = 1 \
             ORDER BY b.id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(BoardSummary {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                jira_board_id: jira_id_of(row)?,
                project_key: row.try_get("project_key")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(TeamRecord {
            id,
            name: row.try_get("name")?,
            description: row.try_get("description")?,
            is_active: row.try_get::<i64, _>("is_active")? != 0,
            members,
            boards,
            created_at: from_ms(row.try_get("created_at")?),
            updated_at: from_ms(row.try_get("updated_at")?),
            deleted_at: row.try_get::<Option<i64>, _>("deleted_at")?.map(from_ms),
        })
    }

    /// The active members of a team, by member id.
    async fn team_member_entries(&self, team_id: i64) -> Result<Vec<TeamMemberEntry>, StoreError> {
        sqlx::query(
            "SELECT tm.id, tm.name, tm.email, tm.level, tm.capacity_days_per_sprint, m.role, \
             m.capacity_allocation FROM team_memberships m \
             JOIN team_members tm ON tm.id = m.member_id \
             WHERE m.team_id = $1 AND tm.is_active = 1 ORDER BY tm.id",
        )
        .bind(team_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(TeamMemberEntry {
                member_id: row.try_get("id")?,
                name: row.try_get("name")?,
                email: row.try_get("email")?,
                level: row.try_get("level")?,
                role: row.try_get("role")?,
                capacity_allocation: row.try_get("capacity_allocation")?,
                capacity_days_per_sprint: row.try_get("capacity_days_per_sprint")?,
            })
        })
        .collect()
    }

    // ----- boards -----

    /// Creates a board record linked to `input.team_ids`. [`TeamError::DuplicateBoard`] when an
    /// active record names the same Jira board; [`TeamError::UnknownIds`] for unknown teams.
    pub async fn create_board(&self, input: &BoardInput) -> Result<BoardRecord, TeamError> {
        let jira_id = jira_board_id(input.jira_board_id)?;
        let mut tx = self.begin_write().await?;
        ensure_board_free(&mut tx, input.jira_board_id, None).await?;
        let teams = match &input.team_ids {
            Some(ids) => existing_ids(&mut tx, "teams", Entity::Team, ids).await?,
            None => Vec::new(),
        };
        let id = next_id(&mut tx, "boards").await?;
        let now = now_ms();
        let inserted = sqlx::query(
            "INSERT INTO boards (id, name, jira_board_id, project_key, board_type, is_active, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $6)",
        )
        .bind(id)
        .bind(input.name.trim().to_owned())
        .bind(jira_id)
        .bind(input.project_key.clone())
        .bind(input.board_type.clone())
        .bind(now)
        .execute(&mut *tx)
        .await;
        unique_as(inserted, || TeamError::DuplicateBoard(input.jira_board_id))?;
        for team_id in teams {
            link(&mut tx, team_id, id, now).await?;
        }
        tx.commit().await?;
        self.existing_board(id).await
    }

    /// Replaces a board record's fields (and, when `input.team_ids` is set, its teams).
    pub async fn update_board(
        &self,
        id: i64,
        input: &BoardInput,
    ) -> Result<BoardRecord, TeamError> {
        let jira_id = jira_board_id(input.jira_board_id)?;
        let mut tx = self.begin_write().await?;
        lock_active(&mut tx, self.row_lock(), Entity::Board, id).await?;
        ensure_board_free(&mut tx, input.jira_board_id, Some(id)).await?;
        let teams = match &input.team_ids {
            Some(ids) => Some(existing_ids(&mut tx, "teams", Entity::Team, ids).await?),
            None => None,
        };
        let now = now_ms();
        let updated = sqlx::query(
            "UPDATE boards SET name = $2, jira_board_id = $3, project_key = $4, board_type = $5, \
             updated_at = $6 WHERE id = $1",
        )
        .bind(id)
        .bind(input.name.trim().to_owned())
        .bind(jira_id)
        .bind(input.project_key.clone())
        .bind(input.board_type.clone())
        .bind(now)
        .execute(&mut *tx)
        .await;
        unique_as(updated, || TeamError::DuplicateBoard(input.jira_board_id))?;
        if let Some(teams) = teams {
            sqlx::query("DELETE FROM team_boards WHERE board_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            for team_id in teams {
                link(&mut tx, team_id, id, now).await?;
            }
        }
        tx.commit().await?;
        self.existing_board(id).await
    }

    /// Soft-deletes a board record: its team links stop counting.
    pub async fn delete_board(&self, id: i64) -> Result<(), TeamError> {
        self.soft_delete("boards", Entity::Board, id).await
    }

    /// A board record by id, deleted ones included.
    pub async fn get_board(&self, id: i64) -> Result<Option<BoardRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, jira_board_id, project_key, board_type, is_active, created_at, \
             updated_at, deleted_at FROM boards WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(row) => self.decode_board(&row).await.map(Some),
            None => Ok(None),
        }
    }

    /// The active record of a Jira board.
    pub async fn board_by_jira_id(
        &self,
        jira_board_id: u64,
    ) -> Result<Option<BoardRecord>, StoreError> {
        let Ok(jira_id) = i64::try_from(jira_board_id) else {
            return Ok(None);
        };
        let row = sqlx::query(
            "SELECT id, name, jira_board_id, project_key, board_type, is_active, created_at, \
             updated_at, deleted_at FROM boards WHERE jira_board_id = $1 AND is_active = 1",
        )
        .bind(jira_id)
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(row) => self.decode_board(&row).await.map(Some),
            None => Ok(None),
        }
    }

    /// Board records by id; deleted ones only when `active_only` is false.
    pub async fn list_boards(&self, active_only: bool) -> Result<Vec<BoardRecord>, StoreError> {
        let sql = format!(
            "SELECT id, name, jira_board_id, project_key, board_type, is_active, created_at, \
             updated_at, deleted_at FROM boards{} ORDER BY id",
            if active_only {
                " WHERE is_active = 1"
            } else {
                ""
            }
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        let mut boards = Vec::with_capacity(rows.len());
        for row in &rows {
            boards.push(self.decode_board(row).await?);
        }
        Ok(boards)
    }

    async fn existing_board(&self, id: i64) -> Result<BoardRecord, TeamError> {
        self.get_board(id).await?.ok_or(TeamError::NotFound {
            entity: Entity::Board,
            id,
        })
    }

    async fn decode_board(&self, row: &AnyRow) -> Result<BoardRecord, StoreError> {
        let id: i64 = row.try_get("id")?;
        let teams = sqlx::query(
            "SELECT t.id, t.name FROM team_boards tb JOIN teams t ON t.id = tb.team_id \
             WHERE tb.board_id = $1 AND t.is_active = 1 ORDER BY t.id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(TeamSummary {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(BoardRecord {
            id,
            name: row.try_get("name")?,
            jira_board_id: jira_id_of(row)?,
            project_key: row.try_get("project_key")?,
            board_type: row.try_get("board_type")?,
            is_active: row.try_get::<i64, _>("is_active")? != 0,
            teams,
            created_at: from_ms(row.try_get("created_at")?),
            updated_at: from_ms(row.try_get("updated_at")?),
            deleted_at: row.try_get::<Option<i64>, _>("deleted_at")?.map(from_ms),
        })
    }

    // ----- capacity -----

    /// A team's capacity per sprint: the sum over its active members of
    /// `capacity_days_per_sprint × capacity_allocation`, in total and per role. `None` when the
    /// team does not exist or was deleted.
    ///
    /// With `jira_board_id`, the capacity is still the team's whole capacity (a team plans its
    /// work on whichever board it is asked about); [`TeamCapacity::board_linked`] says whether
    /// the team is linked to an active record of that board, so a planner can warn.
    pub async fn team_capacity(
        &self,
        team_id: i64,
        jira_board_id: Option<u64>,
    ) -> Result<Option<TeamCapacity>, StoreError> {
        let team: Option<String> =
            sqlx::query_scalar("SELECT name FROM teams WHERE id = $1 AND is_active = 1")
                .bind(team_id)
                .fetch_optional(self.pool())
                .await?;
        let Some(team_name) = team else {
            return Ok(None);
        };
        let members = self.team_member_entries(team_id).await?;
        let mut per_role: BTreeMap<String, f64> = BTreeMap::new();
        let mut total_days = 0.0;
        for member in &members {
            let days = member.effective_days();
            total_days += days;
            *per_role.entry(member.role.clone()).or_insert(0.0) += days;
        }
        let board_linked = match jira_board_id {
            None => None,
            Some(jira_board_id) => match i64::try_from(jira_board_id) {
                Err(_) => Some(false),
                Ok(jira_id) => {
                    let linked: Option<i64> = sqlx::query_scalar(
                        "SELECT b.id FROM team_boards tb JOIN boards b ON b.id = tb.board_id \
                         WHERE tb.team_id = $1 AND b.jira_board_id = $2 AND b.is_active = 1",
                    )
                    .bind(team_id)
                    .bind(jira_id)
                    .fetch_optional(self.pool())
                    .await?;
                    Some(linked.is_some())
                }
            },
        };
        Ok(Some(TeamCapacity {
            team_id,
            team_name,
            total_days,
            active_members: u32::try_from(members.len()).unwrap_or(u32::MAX),
            per_role,
            board_linked,
        }))
    }

    /// The capacity of `role` across active teams (only teams linked to the active record of
    /// `jira_board_id`, when given).
    pub async fn role_capacity(
        &self,
        role: Role,
        jira_board_id: Option<u64>,
    ) -> Result<RoleCapacity, StoreError> {
        let mut sql = "SELECT m.team_id, t.name, m.member_id, tm.capacity_days_per_sprint, \
                       m.capacity_allocation FROM team_memberships m \
                       JOIN teams t ON t.id = m.team_id \
                       JOIN team_members tm ON tm.id = m.member_id \
                       WHERE m.role = $1 AND t.is_active = 1 AND tm.is_active = 1"
            .to_owned();
        let board = match jira_board_id {
            Some(jira_board_id) => {
                let Ok(jira_id) = i64::try_from(jira_board_id) else {
                    return Ok(RoleCapacity {
                        role,
                        total_days: 0.0,
                        active_members: 0,
                        per_team: Vec::new(),
                    });
                };
                sql.push_str(
                    " AND m.team_id IN (SELECT tb.team_id FROM team_boards tb \
                     JOIN boards b ON b.id = tb.board_id \
                     WHERE b.jira_board_id = $2 AND b.is_active = 1)",
                );
                Some(jira_id)
            }
            None => None,
        };
        sql.push_str(" ORDER BY m.team_id, m.member_id");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(role.name.to_owned());
        if let Some(jira_id) = board {
            query = query.bind(jira_id);
        }
        let mut per_team: Vec<RoleTeamCapacity> = Vec::new();
        let mut members = BTreeSet::new();
        let mut total_days = 0.0;
        for row in query.fetch_all(self.pool()).await? {
            let team_id: i64 = row.try_get("team_id")?;
            let member_id: i64 = row.try_get("member_id")?;
            let days_per_sprint: f64 = row.try_get("capacity_days_per_sprint")?;
            let allocation: f64 = row.try_get("capacity_allocation")?;
            let days = days_per_sprint * allocation;
            total_days += days;
            members.insert(member_id);
            match per_team.last_mut() {
                Some(last) if last.team_id == team_id => {
                    last.days += days;
                    last.members += 1;
                }
                _ => per_team.push(RoleTeamCapacity {
                    team_id,
                    team_name: row.try_get("name")?,
                    days,
                    members: 1,
                }),
            }
        }
        Ok(RoleCapacity {
            role,
            total_days,
            active_members: u32::try_from(members.len()).unwrap_or(u32::MAX),
            per_team,
        })
    }

    // ----- sprint timelines -----

    /// Stores a computed timeline of an epic on a Jira board; it becomes the one
    /// [`Database::latest_timeline`] answers. Older ones beyond the last few are pruned.
    pub async fn save_timeline(
        &self,
        epic_key: &str,
        jira_board_id: u64,
        timeline: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let board = i64::try_from(jira_board_id).map_err(|_| StoreError::Corrupt {
            job_id: epic_key.to_owned(),
            column: "sprint_timelines.board_id",
            reason: format!("board id {jira_board_id} is above 2^63 - 1"),
        })?;
        let mut tx = self.begin_write().await?;
        // The latest earlier timeline, so a save within the same millisecond still sorts after it.
        let previous: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(computed_at) FROM sprint_timelines WHERE epic_key = $1 AND board_id = $2",
        )
        .bind(epic_key.to_owned())
        .bind(board)
        .fetch_one(&mut *tx)
        .await?;
        let computed_at = previous.map_or(now_ms(), |previous| now_ms().max(previous + 1));
        sqlx::query(
            "INSERT INTO sprint_timelines (id, epic_key, board_id, computed_at, timeline) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(epic_key.to_owned())
        .bind(board)
        .bind(computed_at)
        .bind(to_json(timeline))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM sprint_timelines WHERE epic_key = $1 AND board_id = $2 AND id NOT IN \
             (SELECT id FROM sprint_timelines WHERE epic_key = $1 AND board_id = $2 \
              ORDER BY computed_at DESC LIMIT $3)",
        )
        .bind(epic_key.to_owned())
        .bind(board)
        .bind(TIMELINES_KEPT)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The latest timeline stored for an epic on a Jira board.
    pub async fn latest_timeline(
        &self,
        epic_key: &str,
        jira_board_id: u64,
    ) -> Result<Option<StoredTimeline>, StoreError> {
        let Ok(board) = i64::try_from(jira_board_id) else {
            return Ok(None);
        };
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT timeline, computed_at FROM sprint_timelines \
             WHERE epic_key = $1 AND board_id = $2 ORDER BY computed_at DESC LIMIT 1",
        )
        .bind(epic_key.to_owned())
        .bind(board)
        .fetch_optional(self.pool())
        .await?;
        row.map(|(text, computed_at)| {
            let timeline = serde_json::from_str(&text).map_err(|error| StoreError::Corrupt {
                job_id: epic_key.to_owned(),
                column: "sprint_timelines.timeline",
                reason: error.to_string(),
            })?;
            Ok(StoredTimeline {
                timeline,
                computed_at: from_ms(computed_at),
            })
        })
        .transpose()
    }

    // ----- shared -----

    async fn soft_delete(
        &self,
        table: &'static str,
        entity: Entity,
        id: i64,
    ) -> Result<(), TeamError> {
        let _slot = self.writer_slot().await;
        let now = now_ms();
        // `table` is one of three constants, never input.
        let sql = format!(
            "UPDATE {table} SET is_active = 0, deleted_at = $2, updated_at = $2 \
             WHERE id = $1 AND is_active = 1"
        );
        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(now)
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(TeamError::NotFound { entity, id });
        }
        Ok(())
    }
}

/// A membership resolved against its (active) team: the role decided.
struct ResolvedMembership {
    team_id: i64,
    role: String,
    capacity_allocation: f64,
}

/// Checks that every team exists and is active (naming all that do not) and settles each role:
/// the one given, lower-cased, else the one the team's name suggests.
async fn resolve_memberships(
    tx: &mut AnyConnection,
    memberships: &[MembershipInput],
) -> Result<Vec<ResolvedMembership>, TeamError> {
    let mut seen = BTreeSet::new();
    let unique: Vec<&MembershipInput> = memberships
        .iter()
        .filter(|membership| seen.insert(membership.team_id))
        .collect();
    let ids: Vec<i64> = unique.iter().map(|membership| membership.team_id).collect();
    let names = active_names(tx, "teams", &ids).await?;
    let unknown: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| !names.contains_key(id))
        .collect();
    if !unknown.is_empty() {
        return Err(unknown_ids(Entity::Team, unknown));
    }
    Ok(unique
        .into_iter()
        .map(|membership| ResolvedMembership {
            team_id: membership.team_id,
            role: match &membership.role {
                Some(role) => role.trim().to_lowercase(),
                None => names
                    .get(&membership.team_id)
                    .map_or(crate::team_records::UNASSIGNED_ROLE, |name| {
                        role_for_team_name(name)
                    })
                    .to_owned(),
            },
            capacity_allocation: membership.capacity_allocation,
        })
        .collect())
}

async fn insert_memberships(
    tx: &mut AnyConnection,
    member_id: i64,
    memberships: &[ResolvedMembership],
    now: i64,
) -> Result<(), TeamError> {
    for membership in memberships {
        sqlx::query(
            "INSERT INTO team_memberships (member_id, team_id, role, capacity_allocation, \
             created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(member_id)
        .bind(membership.team_id)
        .bind(membership.role.clone())
        .bind(membership.capacity_allocation)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// The ids among `ids` (deduplicated, in order) that name active rows of `table`, or
/// [`TeamError::UnknownIds`] naming every other one.
async fn existing_ids(
    tx: &mut AnyConnection,
    table: &'static str,
    entity: Entity,
    ids: &[i64],
) -> Result<Vec<i64>, TeamError> {
    let mut seen = BTreeSet::new();
    let unique: Vec<i64> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
    let names = active_names(tx, table, &unique).await?;
    let unknown: Vec<i64> = unique
        .iter()
        .copied()
        .filter(|id| !names.contains_key(id))
        .collect();
    if unknown.is_empty() {
        Ok(unique)
    } else {
        Err(unknown_ids(entity, unknown))
    }
}

fn unknown_ids(entity: Entity, mut ids: Vec<i64>) -> TeamError {
    ids.sort_unstable();
    TeamError::UnknownIds { entity, ids }
}

/// The names of the active rows of `table` (`teams` or `boards`) among `ids`.
async fn active_names(
    tx: &mut AnyConnection,
    table: &'static str,
    ids: &[i64],
) -> Result<BTreeMap<i64, String>, StoreError> {
    let mut names = BTreeMap::new();
    for chunk in ids.chunks(500) {
        // `table` is a constant of this module, never input.
        let sql = format!(
            "SELECT id, name FROM {table} WHERE is_active = 1 AND id IN ({})",
            placeholders(1, chunk.len())
        );
        let mut query = sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            query = query.bind(*id);
        }
        names.extend(query.fetch_all(&mut *tx).await?);
    }
    Ok(names)
}

/// Locks an active row of the entity's table for the rest of the transaction, or
/// [`TeamError::NotFound`].
async fn lock_active(
    tx: &mut AnyConnection,
    row_lock: &str,
    entity: Entity,
    id: i64,
) -> Result<(), TeamError> {
    let table = match entity {
        Entity::Member => "team_members",
        Entity::Team => "teams",
        Entity::Board => "boards",
    };
    let sql = format!("SELECT id FROM {table} WHERE id = $1 AND is_active = 1{row_lock}");
    let found: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    found.map(drop).ok_or(TeamError::NotFound { entity, id })
}

async fn ensure_email_free(
    tx: &mut AnyConnection,
    email: &str,
    except: Option<i64>,
) -> Result<(), TeamError> {
    let holder: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM team_members WHERE email_key = $1 AND is_active = 1 AND id <> $2",
    )
    .bind(email_key(email))
    .bind(except.unwrap_or(-1))
    .fetch_optional(&mut *tx)
    .await?;
    match holder {
        Some(_) => Err(TeamError::DuplicateEmail(email.trim().to_owned())),
        None => Ok(()),
    }
}

async fn ensure_team_name_free(
    tx: &mut AnyConnection,
    name: &str,
    except: Option<i64>,
) -> Result<(), TeamError> {
    let holder: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM teams WHERE name_key = $1 AND is_active = 1 AND id <> $2",
    )
    .bind(name_key(name))
    .bind(except.unwrap_or(-1))
    .fetch_optional(&mut *tx)
    .await?;
    match holder {
        Some(_) => Err(TeamError::DuplicateTeamName(name.trim().to_owned())),
        None => Ok(()),
    }
}

async fn ensure_board_free(
    tx: &mut AnyConnection,
    jira_board_id: u64,
    except: Option<i64>,
) -> Result<(), TeamError> {
    let holder: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM boards WHERE jira_board_id = $1 AND is_active = 1 AND id <> $2",
    )
    .bind(self::jira_board_id(jira_board_id)?)
    .bind(except.unwrap_or(-1))
    .fetch_optional(&mut *tx)
    .await?;
    match holder {
        Some(_) => Err(TeamError::DuplicateBoard(jira_board_id)),
        None => Ok(()),
    }
}

async fn link(
    tx: &mut AnyConnection,
    team_id: i64,
    board_id: i64,
    now: i64,
) -> Result<(), TeamError> {
    sqlx::query("INSERT INTO team_boards (team_id, board_id, created_at) VALUES ($1, $2, $3)")
        .bind(team_id)
        .bind(board_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// The next id of `table`, from `id_sequences` (migration 0004 says why).
async fn next_id(tx: &mut AnyConnection, table: &'static str) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "UPDATE id_sequences SET last_id = last_id + 1 WHERE name = $1 RETURNING last_id",
    )
    .bind(table.to_owned())
    .fetch_one(&mut *tx)
    .await?;
    Ok(id)
}

/// Maps a unique-index violation of a statement to `duplicate` (a concurrent writer took the
/// value between the check and the write).
fn unique_as<T>(
    result: Result<T, sqlx::Error>,
    duplicate: impl FnOnce() -> TeamError,
) -> Result<T, TeamError> {
    match result {
        Ok(value) => Ok(value),
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => Err(duplicate()),
        Err(error) => Err(error.into()),
    }
}

fn decode_member(row: &AnyRow, teams: Vec<MemberTeam>) -> Result<MemberRecord, StoreError> {
    Ok(MemberRecord {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        level: row.try_get("level")?,
        capacity_days_per_sprint: row.try_get("capacity_days_per_sprint")?,
        is_active: row.try_get::<i64, _>("is_active")? != 0,
        teams,
        created_at: from_ms(row.try_get("created_at")?),
        updated_at: from_ms(row.try_get("updated_at")?),
        deleted_at: row.try_get::<Option<i64>, _>("deleted_at")?.map(from_ms),
    })
}

fn jira_id_of(row: &AnyRow) -> Result<u64, StoreError> {
    let id: i64 = row.try_get("jira_board_id")?;
    u64::try_from(id).map_err(|_| StoreError::Corrupt {
        job_id: format!("board {id}"),
        column: "boards.jira_board_id",
        reason: "negative".to_owned(),
    })
}

fn jira_board_id(id: u64) -> Result<i64, TeamError> {
    i64::try_from(id).map_err(|_| TeamError::OutOfRange {
        field: "jira_board_id",
        value: id.to_string(),
    })
}

fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// `$first, $first+1, ...` for `count` values.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
