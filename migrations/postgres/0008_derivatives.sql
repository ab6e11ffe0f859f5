-- H19: masked derivative entries (脱敏衍生目录). The providing agency of a published, not-shared
-- entry proposes a derivative: a catalog entry of its own with a shareable share type, whose
-- data is the source entry's current committed version seen through masking rules (no copy).
-- The authority approves the rules by approving the derivative's revision in the normal
-- catalog review.
CREATE TABLE catalog_derivatives (
    entry_id        TEXT PRIMARY KEY REFERENCES catalog_entries(id),
    source_entry_id TEXT NOT NULL REFERENCES catalog_entries(id),
    created_by      TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX catalog_derivatives_source ON catalog_derivatives (source_entry_id);

-- The masking rule of each masked item of a derivative's revision, in the JSON wire form of
-- gongshu_privacy::MaskingRule. Rules belong to a revision, so the rules in force are always
-- the ones the authority approved with the published revision.
CREATE TABLE derivative_rules (
    entry_id  TEXT NOT NULL,
    revision  BIGINT NOT NULL,
    item_code TEXT NOT NULL,
    rule      TEXT NOT NULL,
    PRIMARY KEY (entry_id, revision, item_code),
    FOREIGN KEY (entry_id, revision) REFERENCES catalog_revisions(entry_id, revision)
);
