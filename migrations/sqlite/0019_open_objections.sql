-- Issue 14 item 4 (H27, 第二十七条): objections and risks that suspend an opening at once.
-- Anyone objects to an open dataset (contact required), or the source agency flags a risk;
-- from the commit of the row the dataset's open reads are refused. The source verifies and ends
-- the case: withdrawn (the entry leaves the open list until a later revision is published),
-- restored, or reopened after processing (a new version replaced the data). The objector is
-- told: a notification when signed in, and the answer kept for the receipt number and contact.
CREATE TABLE open_objections (
    id             TEXT PRIMARY KEY,
    entry_id       TEXT NOT NULL REFERENCES catalog_entries(id),
    -- The providing agency, which verifies and answers.
    org_id         TEXT NOT NULL REFERENCES organisations(id),
    -- The published revision when the case was opened.
    revision       INTEGER NOT NULL,
    -- objection | risk
    kind           TEXT NOT NULL,
    reason         TEXT NOT NULL,
    item_code      TEXT,
    objector_name  TEXT,
    -- A telephone number or e-mail address (required of an objection).
    contact        TEXT,
    -- The signed-in objector or the agency user who flagged the risk.
    account_id     TEXT,
    -- The address the case came from: objections per address are limited.
    client_addr    TEXT NOT NULL,
    filed_at       INTEGER NOT NULL,
    -- The last day (China time, inclusive) the source should have verified.
    due_date       TEXT NOT NULL,
    -- NULL while being verified; withdrawn | restored | reopened once ended.
    outcome        TEXT,
    answer         TEXT,
    resolved_by    TEXT,
    resolved_at    INTEGER,
    -- For a re-opening: the version that replaced the data.
    version        INTEGER
);
-- Every open read asks for the cases of its entry.
CREATE INDEX open_objections_entry ON open_objections (entry_id, filed_at);
CREATE INDEX open_objections_org ON open_objections (org_id, outcome, due_date);
CREATE INDEX open_objections_addr ON open_objections (client_addr, filed_at);
