-- Issue 5: sharing between agencies (共享, H17–H21, H41).
--
-- A share request (共享申请) asks for a published entry of another agency: items, modes, scenario,
-- purpose, using unit, end date and the requester's commitments (H20). Its decision is final
-- and written once (the state column is the compare-and-set guard).
CREATE TABLE share_requests (
    id               TEXT PRIMARY KEY,
    entry_id         TEXT NOT NULL REFERENCES catalog_entries(id),
    source_org_id    TEXT NOT NULL REFERENCES organisations(id),
    requester_org_id TEXT NOT NULL REFERENCES organisations(id),
    requested_by     TEXT NOT NULL,
    -- The share type of the published revision when asked: unconditional | conditional | not_shared.
    share_type       TEXT NOT NULL,
    -- JSON arrays of item codes and of share mode codes.
    items            TEXT NOT NULL,
    modes            TEXT NOT NULL,
    scenario         TEXT NOT NULL,
    purpose          TEXT NOT NULL,
    using_unit       TEXT NOT NULL,
    -- Last day of use, inclusive (YYYY-MM-DD, China time).
    until_date       TEXT NOT NULL,
    -- JSON: {purpose_bound, no_onward_transfer, security}.
    commitments      TEXT NOT NULL,
    -- pending | preparing | granted | refused
    state            TEXT NOT NULL,
    -- JSON of the decision: approved items, end date, row filter, or the refusal's reason and
    -- legal basis. NULL while pending.
    decision         TEXT,
    decided_by       TEXT,
    decided_at       INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX share_requests_requester ON share_requests (requester_org_id, created_at);
CREATE INDEX share_requests_source ON share_requests (source_org_id, state);

-- The timeline of a request: every step, done or open. An open step has an assignee
-- organisation and a due date from the working-day calendar; the scheduler reminds one
-- working day before and marks it overdue (督办) after.
CREATE TABLE share_steps (
    request_id      TEXT NOT NULL REFERENCES share_requests(id),
    seq             INTEGER NOT NULL,
    -- submit | decide | deliver | grant | refuse
    kind            TEXT NOT NULL,
    assignee_org_id TEXT,
    due_date        TEXT,
    due_provisional INTEGER NOT NULL DEFAULT 0,
    done_at         INTEGER,
    done_by         TEXT,
    note            TEXT NOT NULL DEFAULT '',
    reminded_at     INTEGER,
    overdue_at      INTEGER,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (request_id, seq)
);
CREATE INDEX share_steps_open ON share_steps (done_at, due_date);

-- A grant (授权): what one approval allows one organisation to read, for a period. Every read
-- of another agency's data goes through an active one.
CREATE TABLE grants (
    id             TEXT PRIMARY KEY,
    request_id     TEXT NOT NULL UNIQUE REFERENCES share_requests(id),
    entry_id       TEXT NOT NULL REFERENCES catalog_entries(id),
    source_org_id  TEXT NOT NULL REFERENCES organisations(id),
    grantee_org_id TEXT NOT NULL REFERENCES organisations(id),
    -- JSON arrays: item codes, share mode codes, and the row filter as [[item, "op.value"]].
    items          TEXT NOT NULL,
    modes          TEXT NOT NULL,
    row_filter     TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    -- [valid_from, valid_until) in microseconds since the epoch.
    valid_from     INTEGER NOT NULL,
    valid_until    INTEGER NOT NULL,
    -- active | suspended | revoked (expiry is computed from valid_until)
    state          TEXT NOT NULL,
    -- Hex salt of this grant's keyed pseudonyms: unlinkable across grants.
    salt           TEXT NOT NULL,
    state_reason   TEXT NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX grants_reader ON grants (grantee_org_id, entry_id);

-- Suspensions by the authority (H41): a user or an organisation loses access at once, until
-- reinstated. An open suspension has lifted_at NULL.
CREATE TABLE suspensions (
    id           TEXT PRIMARY KEY,
    -- account | organisation
    subject_kind TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    reason       TEXT NOT NULL,
    suspended_by TEXT NOT NULL,
    suspended_at INTEGER NOT NULL,
    lifted_by    TEXT,
    lifted_at    INTEGER,
    lift_reason  TEXT
);
CREATE INDEX suspensions_open ON suspensions (subject_kind, subject_id, lifted_at);

-- In-app notifications (站内通知) to an organisation: reminders before a due date, decisions.
CREATE TABLE notifications (
    id               TEXT PRIMARY KEY,
    recipient_org_id TEXT NOT NULL REFERENCES organisations(id),
    kind             TEXT NOT NULL,
    subject_kind     TEXT NOT NULL,
    subject_id       TEXT NOT NULL,
    message          TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    read_at          INTEGER
);
CREATE INDEX notifications_recipient ON notifications (recipient_org_id, created_at);
