-- Foundation: organisations, accounts, sessions, tokens, settings, calendar, audit log.
-- Times are UTC microseconds since the Unix epoch (BIGINT) so both backends compare them alike.

CREATE TABLE organisations (
    id            TEXT PRIMARY KEY,
    parent_id     TEXT REFERENCES organisations(id),
    kind          TEXT NOT NULL,
    level         TEXT NOT NULL,
    name          TEXT NOT NULL UNIQUE,
    credit_code   TEXT NOT NULL UNIQUE,
    liaison_name  TEXT NOT NULL,
    liaison_phone TEXT NOT NULL,
    liaison_email TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX organisations_parent ON organisations(parent_id);

CREATE TABLE accounts (
    id                  TEXT PRIMARY KEY,
    username            TEXT NOT NULL UNIQUE,
    display_name        TEXT NOT NULL,
    org_id              TEXT REFERENCES organisations(id),
    subject_kind        TEXT NOT NULL,
    subject_id          TEXT,
    phone               TEXT NOT NULL DEFAULT '',
    password_hash       TEXT NOT NULL,
    status              TEXT NOT NULL,
    failed_logins       INTEGER NOT NULL DEFAULT 0,
    locked_until        INTEGER,
    password_changed_at INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX accounts_org ON accounts(org_id);

CREATE TABLE account_roles (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    role       TEXT NOT NULL,
    granted_by TEXT,
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, role)
);

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id),
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    client_addr  TEXT NOT NULL,
    ended_at     INTEGER
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    expires_at   INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_tokens_account ON api_tokens(account_id);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT
);

CREATE TABLE calendar_years (
    year        INTEGER PRIMARY KEY,
    definition  TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    imported_by TEXT NOT NULL
);

-- The chain head serialises appends: every writer updates this one row first.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_events (
    seq            INTEGER PRIMARY KEY,
    occurred_at    INTEGER NOT NULL,
    actor_id       TEXT,
    actor_name     TEXT NOT NULL,
    org_id         TEXT,
    action         TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    target_kind    TEXT NOT NULL,
    target_id      TEXT NOT NULL,
    request_id     TEXT NOT NULL,
    client_addr    TEXT NOT NULL,
    payload        TEXT NOT NULL,
    payload_digest TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE INDEX audit_events_time ON audit_events(occurred_at);
CREATE INDEX audit_events_actor ON audit_events(actor_id);
CREATE INDEX audit_events_action ON audit_events(action);
CREATE INDEX audit_events_target ON audit_events(target_kind, target_id);

-- Append-only: the log refuses edits and deletions from any client, not only from our code.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
