-- H19: the yearly assessment of conditionally shared entries (有条件共享定期评估). The agency
-- keeps the conditions, with its reason, or converts the entry to unconditional sharing, which
-- submits a new revision for the authority's review. The latest assessment restarts the year.
CREATE TABLE share_assessments (
    id             TEXT PRIMARY KEY,
    entry_id       TEXT NOT NULL REFERENCES catalog_entries(id),
    -- The published revision that was assessed.
    revision       INTEGER NOT NULL,
    -- keep | convert
    outcome        TEXT NOT NULL,
    reason         TEXT NOT NULL,
    -- For convert: the revision submitted for review with unconditional sharing.
    draft_revision INTEGER,
    assessed_by    TEXT NOT NULL,
    -- The working day of the assessment (YYYY-MM-DD, China time): the year runs from it.
    assessed_on    TEXT NOT NULL,
    assessed_at    INTEGER NOT NULL
);
CREATE INDEX share_assessments_entry ON share_assessments (entry_id, assessed_at);
