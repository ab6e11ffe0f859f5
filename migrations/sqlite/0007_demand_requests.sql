-- Issue 5 item 5 (H22, H23): demand requests (需求申请) for data no catalog lists yet. The
-- authority reviews and names a source department (or asks upward for national, regional or
-- other-city data); the source answers: share directly (catalog it, deliver within 7 WD),
-- needs processing (by a stated date), held upstream (upward request), or refuse with a legal
-- basis. The open step is the row's assignee and due date; the scheduler reminds and escalates.
CREATE TABLE demand_requests (
    id               TEXT PRIMARY KEY,
    requester_org_id TEXT NOT NULL REFERENCES organisations(id),
    requested_by     TEXT NOT NULL,
    title            TEXT NOT NULL,
    description      TEXT NOT NULL,
    scenario         TEXT NOT NULL,
    -- submitted | assigned | delivering | processing | upward | delivered | refused
    state            TEXT NOT NULL,
    source_org_id    TEXT REFERENCES organisations(id),
    -- The organisation that must act next and by when (China-time date, inclusive).
    assignee_org_id  TEXT,
    due_date         TEXT,
    reminded_at      INTEGER,
    overdue_at       INTEGER,
    -- The catalog entry the data was delivered as, once delivered.
    entry_code       TEXT,
    -- JSON array of steps: {at, by, action, note}.
    history          TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX demand_requests_requester ON demand_requests (requester_org_id, created_at);
CREATE INDEX demand_requests_open ON demand_requests (assignee_org_id, due_date);
