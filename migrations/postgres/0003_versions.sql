-- Data versions (issue 4 item 2): the manifest of each committed version of an entry's data.
-- The Parquet file is written under the lake root first; this row is committed last, so a
-- version without its row is an orphan, removed at start.

CREATE TABLE data_versions (
    entry_id         TEXT NOT NULL REFERENCES catalog_entries(id),
    version          BIGINT NOT NULL,
    catalog_revision BIGINT NOT NULL,
    rows             BIGINT NOT NULL,
    bad_rows         BIGINT NOT NULL,
    source_name      TEXT NOT NULL,
    source_format    TEXT NOT NULL,
    source_encoding  TEXT,
    source_bytes     BIGINT NOT NULL,
    source_sm3       TEXT NOT NULL,
    data_bytes       BIGINT NOT NULL,
    data_sm3         TEXT NOT NULL,
    -- Path of the Parquet file relative to the lake root, '/'-separated.
    data_file        TEXT NOT NULL,
    -- JSON array of {code, data_type} as written.
    schema           TEXT NOT NULL,
    uploaded_by      TEXT NOT NULL,
    uploaded_at      BIGINT NOT NULL,
    withdrawn_at     BIGINT,
    withdrawn_reason TEXT,
    PRIMARY KEY (entry_id, version)
);
