-- Responsibility for data security (第三十三条): the head of each organisation (主要负责人) is
-- the first person responsible (第一责任人), and each names a security lead (安全管理责任人,
-- 第三十四条) — an account of the organisation, who signs its confidentiality reviews.
ALTER TABLE organisations ADD COLUMN head_name TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN security_lead_id TEXT REFERENCES accounts(id);

-- Confidentiality reviews (保密审查, 第三十四条) signed before an entry is opened or a share
-- of sensitive items approved. Only passed reviews are recorded: a security lead who cannot
-- affirm every point does not sign, and the step stays refused.
CREATE TABLE confidentiality_reviews (
    id                             TEXT PRIMARY KEY,
    org_id                         TEXT NOT NULL REFERENCES organisations(id),
    -- 'entry_revision' (subject_id: the entry id) or 'share_request' (the request id).
    subject_kind                   TEXT NOT NULL,
    subject_id                     TEXT NOT NULL,
    -- For an entry: the revision reviewed and when it was submitted, so a revision returned,
    -- edited and submitted again calls for a new review.
    revision                       INTEGER,
    revision_submitted_at          INTEGER,
    no_state_secret                INTEGER NOT NULL,
    personal_information_protected INTEGER NOT NULL,
    legal_basis_checked            INTEGER NOT NULL,
    opinion                        TEXT NOT NULL,
    signed_by                      TEXT NOT NULL REFERENCES accounts(id),
    signed_by_name                 TEXT NOT NULL,
    signed_at                      INTEGER NOT NULL
);
CREATE INDEX confidentiality_reviews_subject
    ON confidentiality_reviews (subject_kind, subject_id, signed_at);
