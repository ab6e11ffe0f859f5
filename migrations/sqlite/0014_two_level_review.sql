-- H8 (第八条): a county's catalog is reviewed twice. The county authority's approval of a
-- county revision is kept here while the city authority reviews it (state 'county_approved',
-- reviewer_org_id then names the city authority); the three columns are NULL for every older
-- revision and for the city's own agencies, whose entries have one review.
ALTER TABLE catalog_revisions ADD COLUMN county_reviewer_org_id TEXT REFERENCES organisations(id);
ALTER TABLE catalog_revisions ADD COLUMN county_reviewed_at INTEGER;
ALTER TABLE catalog_revisions ADD COLUMN county_reviewed_by TEXT;
CREATE INDEX catalog_revisions_county ON catalog_revisions(state, county_reviewer_org_id);

