-- Issue 4 items 1 and 5: what a version keeps besides its Parquet file, and the quality rules
-- an owner agency adds to its items.
--
-- The rejects file holds the rows dropped for bad cells (only when the uploader asked to drop
-- them), as UTF-8 CSV with a BOM, next to the Parquet file; NULL when nothing was dropped.
-- Like the data file it is written first and named here last, so an unnamed one is an orphan.
ALTER TABLE data_versions ADD COLUMN rejects_file TEXT;
ALTER TABLE data_versions ADD COLUMN rejects_bytes INTEGER;
ALTER TABLE data_versions ADD COLUMN rejects_sm3 TEXT;
-- JSON: the scores and per-item tallies computed while the version was ingested, and its
-- worst rows (H11, B17). NULL for versions ingested before scoring existed.
ALTER TABLE data_versions ADD COLUMN quality TEXT;

-- Quality rules beyond the automatic ones (types, ID checksums), per data item, by item code
-- so they outlive catalog revisions. One rule of each kind per item.
CREATE TABLE quality_rules (
    id         TEXT PRIMARY KEY,
    entry_id   TEXT NOT NULL REFERENCES catalog_entries(id),
    item_code  TEXT NOT NULL,
    -- required | unique | enum | range | pattern
    kind       TEXT NOT NULL,
    -- JSON parameters of the kind, as validated by the domain rules.
    params     TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (entry_id, item_code, kind)
);
