-- The role an admin case was opened under. With it the timeline's "created"
-- entry is derived from the case row (event 0, docs/case-svc.md) instead of
-- being a row of case_events: one statement less per CreateCase. '' for
-- cases stored before this migration: their "created" entry is the stored
-- event, as before.
ALTER TABLE cases
  ADD COLUMN IF NOT EXISTS opened_by_role VARCHAR(16) NOT NULL DEFAULT '' AFTER opened_by;
