-- H21: verification key budgets (核验限额). One token bucket of keys per verification grant
-- (or per owner checking its own entry), see crates/domain/src/key_bucket.rs, here rather than
-- in memory so that a grant's limit holds across every replica sharing the database and
-- survives a restart. A bucket untouched for a minute is full again and is deleted, so the
-- table holds only the grants that verified in the last minute.
CREATE TABLE verify_buckets (
    -- The grant id, or '<entry code>:<account id>' for an owner.
    bucket TEXT PRIMARY KEY,
    -- The level in key-microseconds-per-minute (one key = 60,000,000).
    units  BIGINT NOT NULL,
    -- When the level was computed (UTC microseconds).
    at     BIGINT NOT NULL
);
CREATE INDEX verify_buckets_at ON verify_buckets (at);
