-- Issue 13 item 4 (H11, H12, B11, B17): quality tickets (质量问题工单). A quality finding —
-- a committed version whose scores fall short, data older than its update frequency allows,
-- a person's report, a disagreement with an element's source department (一数一源) — is
-- addressed to the providing agency, which answers with a correction (a new version) or an
-- explanation within 5 working days; its reviewing authority closes or reopens it.
CREATE TABLE quality_tickets (
    id              TEXT PRIMARY KEY,
    entry_id        TEXT NOT NULL REFERENCES catalog_entries(id),
    -- The providing agency the ticket is addressed to.
    org_id          TEXT NOT NULL REFERENCES organisations(id),
    -- failed_rules | overdue_update | report | cross_source (also inside the evidence).
    kind            TEXT NOT NULL,
    -- What was found, per entry: one active ticket per finding (see the index below).
    finding         TEXT NOT NULL,
    -- open | explained | corrected | closed
    state           TEXT NOT NULL,
    summary         TEXT NOT NULL,
    description     TEXT NOT NULL,
    -- JSON: {kind, ...} the rule or dimension, row numbers, versions; never a cell's value.
    evidence        TEXT NOT NULL,
    -- The version the finding is about, if any.
    version         INTEGER,
    -- The reporting account and its organisation; NULL for the platform's own findings.
    reporter_id     TEXT,
    reporter_org_id TEXT,
    -- The last day (China time, inclusive) the provider may answer; reset on reopening.
    due_date        TEXT NOT NULL,
    -- The version the provider's last correction named.
    fixed_version   INTEGER,
    -- JSON array of steps: {at, by, action, note, version}.
    history         TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
-- No second active ticket for the same finding on the same entry, however the findings race.
CREATE UNIQUE INDEX quality_tickets_active_finding ON quality_tickets (entry_id, finding)
    WHERE state <> 'closed';
CREATE INDEX quality_tickets_org ON quality_tickets (org_id, state, due_date);
CREATE INDEX quality_tickets_reporter ON quality_tickets (reporter_id, created_at);
