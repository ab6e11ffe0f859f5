-- H41: closures (暂时关闭访问权限). The source agency, or an authority over it (a county
-- authority in its county, the city authority in the city), temporarily closes one data
-- user's access to the provider's data and demands a correction (督促改正); when the user has
-- corrected, the closer reopens it with a note on the correction. Unlike a revocation, the
-- grants are untouched. An open closure has reopened_at NULL; every read checks the open
-- closures of the reader's account and organisation.
CREATE TABLE access_closures (
    id               TEXT PRIMARY KEY,
    -- account | organisation: an agency's user or unit today; an open-data user's account and
    -- application units use the same kinds.
    subject_kind     TEXT NOT NULL,
    subject_id       TEXT NOT NULL,
    -- The organisation whose data is closed.
    provider_org_id  TEXT NOT NULL REFERENCES organisations(id),
    -- entry (entry_id set) | provider (every entry of provider_org_id; entry_id NULL)
    scope_kind       TEXT NOT NULL,
    entry_id         TEXT REFERENCES catalog_entries(id),
    -- The misuse found, and what the user must correct.
    reason           TEXT NOT NULL,
    correction       TEXT NOT NULL,
    closed_by        TEXT NOT NULL,
    -- Who closed: the provider itself or an authority over it, with its name at the time.
    closing_org_id   TEXT NOT NULL REFERENCES organisations(id),
    closing_org_name TEXT NOT NULL,
    closed_at        INTEGER NOT NULL,
    reopened_by      TEXT,
    reopened_at      INTEGER,
    correction_note  TEXT
);
CREATE INDEX access_closures_subject ON access_closures (subject_kind, subject_id, reopened_at);
CREATE INDEX access_closures_closer ON access_closures (closing_org_id, closed_at);
-- One open closure per subject and scope: closing the same access twice is refused.
CREATE UNIQUE INDEX access_closures_one_open
    ON access_closures (subject_kind, subject_id, provider_org_id, scope_kind, COALESCE(entry_id, ''))
    WHERE reopened_at IS NULL;
