-- Catalog: classification scheme versions, entries with revisions and items, update duties,
-- the registry of basic data elements (一数一源).

CREATE TABLE classification_schemes (
    version    INTEGER PRIMARY KEY,
    definition TEXT NOT NULL,
    note       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL
);

-- Next sequence number per category, locked by UPDATE … RETURNING when a code is handed out.
CREATE TABLE catalog_sequences (
    category_code TEXT PRIMARY KEY,
    next_seq      INTEGER NOT NULL
);

CREATE TABLE catalog_entries (
    id                 TEXT PRIMARY KEY,
    code               TEXT NOT NULL UNIQUE,
    org_id             TEXT NOT NULL REFERENCES organisations(id),
    published_revision INTEGER,
    latest_revision    INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX catalog_entries_org ON catalog_entries(org_id);

CREATE TABLE catalog_revisions (
    entry_id          TEXT NOT NULL REFERENCES catalog_entries(id),
    revision          INTEGER NOT NULL,
    state             TEXT NOT NULL,
    scheme_version    INTEGER NOT NULL REFERENCES classification_schemes(version),
    name              TEXT NOT NULL,
    summary           TEXT NOT NULL,
    category_code     TEXT NOT NULL,
    grade             TEXT NOT NULL,
    data_form         TEXT NOT NULL,
    share_type        TEXT NOT NULL,
    share_conditions  TEXT NOT NULL,
    share_scope       TEXT NOT NULL,
    share_modes       TEXT NOT NULL,
    open_type         TEXT NOT NULL,
    open_conditions   TEXT NOT NULL,
    not_open_reason   TEXT,
    legal_bases       TEXT NOT NULL,
    update_frequency  TEXT NOT NULL,
    source_org_id     TEXT REFERENCES organisations(id),
    collecting_dept   TEXT NOT NULL,
    approving_dept    TEXT NOT NULL,
    providing_dept    TEXT NOT NULL,
    related_codes     TEXT NOT NULL,
    change_note       TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    submitted_at      INTEGER,
    due_date          TEXT,
    due_provisional   INTEGER NOT NULL DEFAULT 0,
    reviewer_org_id   TEXT REFERENCES organisations(id),
    reviewed_at       INTEGER,
    reviewed_by       TEXT,
    review_reasons    TEXT NOT NULL DEFAULT '',
    published_at      INTEGER,
    PRIMARY KEY (entry_id, revision)
);
CREATE INDEX catalog_revisions_state ON catalog_revisions(state, reviewer_org_id);

CREATE TABLE catalog_items (
    entry_id       TEXT NOT NULL,
    revision       INTEGER NOT NULL,
    position       INTEGER NOT NULL,
    code           TEXT NOT NULL,
    name           TEXT NOT NULL,
    data_type      TEXT NOT NULL,
    description    TEXT NOT NULL,
    grade          TEXT NOT NULL,
    personal       INTEGER NOT NULL,
    sensitive_kind TEXT,
    masked         INTEGER NOT NULL,
    element_code   TEXT,
    PRIMARY KEY (entry_id, revision, position),
    FOREIGN KEY (entry_id, revision) REFERENCES catalog_revisions(entry_id, revision)
);
CREATE INDEX catalog_items_element ON catalog_items(element_code);

CREATE TABLE update_duties (
    id              TEXT PRIMARY KEY,
    entry_id        TEXT NOT NULL REFERENCES catalog_entries(id),
    reason_kind     TEXT NOT NULL,
    reason          TEXT NOT NULL,
    opened_at       INTEGER NOT NULL,
    opened_by       TEXT NOT NULL,
    due_date        TEXT NOT NULL,
    due_provisional INTEGER NOT NULL,
    closed_at       INTEGER,
    closed_revision INTEGER
);
CREATE INDEX update_duties_entry ON update_duties(entry_id);

CREATE TABLE data_elements (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    subject       TEXT NOT NULL,
    source_kind   TEXT NOT NULL,
    source_org_id TEXT REFERENCES organisations(id),
    legal_basis   TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
