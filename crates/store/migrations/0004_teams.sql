-- Teams, their members and the Jira boards they plan on, plus the stored sprint timelines.
-- Portable between SQLite and PostgreSQL like 0001: TEXT, BIGINT and DOUBLE PRECISION columns
-- (timestamps unix milliseconds, booleans 0/1, JSON as TEXT).
--
-- Ids are small integers, as the API's paths (`/teams/3`) and the reference's clients expect. The
-- two engines spell auto-increment differently, so ids come from `id_sequences`, advanced inside
-- the inserting transaction (`UPDATE ... RETURNING`): the row lock (PostgreSQL) or the write lock
-- (SQLite) makes concurrent creates take distinct ids, and an id is never reused.
CREATE TABLE id_sequences (
    name    TEXT PRIMARY KEY,                 -- the table the ids are for
    last_id BIGINT NOT NULL
);
INSERT INTO id_sequences (name, last_id) VALUES ('teams', 0);
INSERT INTO id_sequences (name, last_id) VALUES ('team_members', 0);
INSERT INTO id_sequences (name, last_id) VALUES ('boards', 0);

-- Soft delete everywhere: DELETE sets is_active = 0 and deleted_at; the row stays for history
-- (GET by id still shows it, inactive), and lists leave it out unless asked.
CREATE TABLE teams (
    id          BIGINT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,                -- lower-cased, trimmed name: uniqueness
    description TEXT,
    is_active   BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    deleted_at  BIGINT
);
-- One active team per name; a deleted team's name can be taken again.
CREATE UNIQUE INDEX teams_active_name ON teams (name_key) WHERE is_active = 1;

CREATE TABLE team_members (
    id                       BIGINT PRIMARY KEY,
    name                     TEXT NOT NULL,
    email                    TEXT NOT NULL,   -- as entered
    email_key                TEXT NOT NULL,   -- lower-cased, trimmed: uniqueness
    level                    TEXT NOT NULL,   -- junior|mid|senior|... (the API's level list)
    capacity_days_per_sprint DOUBLE PRECISION NOT NULL,
    is_active                BIGINT NOT NULL DEFAULT 1,
    created_at               BIGINT NOT NULL,
    updated_at               BIGINT NOT NULL,
    deleted_at               BIGINT
);
-- One active member per e-mail address. A soft-deleted member's address may be used again by a
-- new member (someone who left and came back, or an address handed on): the old row keeps its
-- history and no longer counts.
CREATE UNIQUE INDEX team_members_active_email ON team_members (email_key) WHERE is_active = 1;
CREATE INDEX team_members_level ON team_members (level);

-- A member's place in a team: the role they play there and the share of their sprint capacity
-- the team gets (0 < capacity_allocation <= 1). A membership counts while both its member and its
-- team are active; reassigning a member's teams replaces these rows.
CREATE TABLE team_memberships (
    member_id           BIGINT NOT NULL REFERENCES team_members (id),
    team_id             BIGINT NOT NULL REFERENCES teams (id),
    role                TEXT NOT NULL,        -- lower-case role name (backend, frontend, qa, ...)
    capacity_allocation DOUBLE PRECISION NOT NULL,
    created_at          BIGINT NOT NULL,
    PRIMARY KEY (member_id, team_id)
);
CREATE INDEX team_memberships_team ON team_memberships (team_id);

-- Our record of a Jira (Software) board: the sprint routes name boards by jira_board_id.
CREATE TABLE boards (
    id            BIGINT PRIMARY KEY,
    name          TEXT NOT NULL,
    jira_board_id BIGINT NOT NULL,
    project_key   TEXT,
    board_type    TEXT,                        -- scrum|kanban|simple, as Jira says
    is_active     BIGINT NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    deleted_at    BIGINT
);
-- One active record per Jira board.
CREATE UNIQUE INDEX boards_active_jira ON boards (jira_board_id) WHERE is_active = 1;

-- Which teams plan on which boards.
CREATE TABLE team_boards (
    team_id    BIGINT NOT NULL REFERENCES teams (id),
    board_id   BIGINT NOT NULL REFERENCES boards (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, board_id)
);
CREATE INDEX team_boards_board ON team_boards (board_id);

-- Computed sprint timelines of an epic on a Jira board; GET /sprint/timeline/{epic_key} answers
-- the latest. A few earlier ones are kept per epic and board (pruned on save).
CREATE TABLE sprint_timelines (
    id          TEXT PRIMARY KEY,             -- UUIDv7
    epic_key    TEXT NOT NULL,
    board_id    BIGINT NOT NULL,              -- the Jira board id
    computed_at BIGINT NOT NULL,
    timeline    TEXT NOT NULL                 -- JSON
);
CREATE INDEX sprint_timelines_latest ON sprint_timelines (epic_key, board_id, computed_at);
