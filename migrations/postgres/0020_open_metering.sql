-- H26 (issue 14 items 1–2): metering of open data (开放数据计量). Every download and API
-- data read of open data adds to one counter row per day (China time), dataset, channel and
-- reader, in the transaction that writes the read's `deliver_data` audit event, so the
-- counters never disagree with the audit log and the hot path costs one upsert. The portal's
-- figures (downloads, API calls) are sums over this table; a per-key daily quota can read
-- the day's row of its key.
CREATE TABLE open_usage (
    -- YYYY-MM-DD in Asia/Shanghai.
    day      TEXT NOT NULL,
    entry_id TEXT NOT NULL REFERENCES catalog_entries(id),
    -- download (批量下载) | api (接口调用)
    channel  TEXT NOT NULL CHECK (channel IN ('download', 'api')),
    -- Who read: 'account:<id>' (a session), 'token:<id>' (an API token) or
    -- 'address:<ip>' (anonymous).
    reader   TEXT NOT NULL,
    requests BIGINT NOT NULL,
    rows     BIGINT NOT NULL,
    bytes    BIGINT NOT NULL,
    PRIMARY KEY (day, entry_id, channel, reader)
);
CREATE INDEX open_usage_entry ON open_usage (entry_id, channel);
