-- H8 (第八条): a county's catalog is reviewed twice. The county authority's approval of a
-- county revision is kept here while the city authority reviews it (state 'county_approved',
-- reviewer_org_id then names the city authority); the three columns are NULL for every older
-- revision and for the city's own agencies, whose entries have one review.
ALTER TABLE catalog_revisions ADD COLUMN county_reviewer_org_id TEXT REFERENCES organisations(id);
ALTER TABLE catalog_revisions ADD COLUMN county_reviewed_at INTEGER;
ALTER TABLE catalog_revisions ADD COLUMN county_reviewed_by TEXT;
CREATE INDEX catalog_revisions_county ON catalog_revisions(state, county_reviewer_org_id);

-- The city catalog's submissions to the autonomous region's authority: the package as sent
-- (a ZIP of the JSON and Excel exports of every published entry) with its SM3 digest, and the
-- region's answer as the city authority records it. The package is kept whole, so the digest
-- can be checked against it at any time.
CREATE TABLE region_submissions (
    id              TEXT PRIMARY KEY,
    -- 'submitted' (awaiting the answer), 'accepted' or 'returned'.
    state           TEXT NOT NULL,
    -- How the package travelled: 'manual' (downloaded and sent by the authority).
    connector       TEXT NOT NULL,
    entry_count     INTEGER NOT NULL,
    package         BLOB NOT NULL,
    package_sm3     TEXT NOT NULL,
    package_bytes   INTEGER NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    -- The date of the submission (YYYY-MM-DD, China time).
    submitted_on    TEXT NOT NULL,
    submitted_at    INTEGER NOT NULL,
    submitted_by    TEXT NOT NULL,
    answered_on     TEXT,
    answered_at     INTEGER,
    answered_by     TEXT,
    answer_reasons  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX region_submissions_submitted ON region_submissions(submitted_at);
