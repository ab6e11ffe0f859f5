-- The reason an entry's share or open type departs from the one its grade's rule suggests
-- (偏离理由, 第七条, 第三十六条), kept with the revision for the reviewer. Revisions written
-- before the reason was asked have none.
ALTER TABLE catalog_revisions ADD COLUMN departure_reason TEXT NOT NULL DEFAULT '';
