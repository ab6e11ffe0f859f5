-- Issue 5 item 7 (H34): grantees report, per grant and calendar month, how shared data was
-- used. A month of a grant's period that has ended without a report shows on the
-- responsibility list (责任清单).
CREATE TABLE usage_reports (
    id          TEXT PRIMARY KEY,
    grant_id    TEXT NOT NULL REFERENCES grants(id),
    -- YYYY-MM (China time)
    period      TEXT NOT NULL,
    summary     TEXT NOT NULL,
    reported_by TEXT NOT NULL,
    reported_at BIGINT NOT NULL,
    UNIQUE (grant_id, period)
);
