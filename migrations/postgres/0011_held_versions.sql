-- Issue 11 item 4 (H11, H12, B17): a version that is empty, or whose row count falls below
-- half of the current version's, is stored but held: it never becomes the current version
-- (what readers, grantees and the quality bookkeeping see) until the owner agency confirms
-- it. Versions stored before this migration stay committed.
--
-- committed | held
ALTER TABLE data_versions ADD COLUMN state TEXT NOT NULL DEFAULT 'committed'
    CHECK (state IN ('committed', 'held'));
-- Why the version was held (empty | sharp_drop); NULL if it never was. Kept after
-- confirmation, so the history says the drop was confirmed.
ALTER TABLE data_versions ADD COLUMN hold_reason TEXT;
-- The current version's row count when this one was uploaded; NULL when there was none.
ALTER TABLE data_versions ADD COLUMN rows_before BIGINT;
-- Who confirmed a held version, and when (microseconds since the epoch).
ALTER TABLE data_versions ADD COLUMN confirmed_by TEXT;
ALTER TABLE data_versions ADD COLUMN confirmed_at BIGINT;
