-- An event whose handling failed for a reason not the person's (a store error,
-- a bug) is recorded with why: it is not handed again, and an operator finds it.
ALTER TABLE seen_events ADD COLUMN failure TEXT;
CREATE INDEX seen_events_failed ON seen_events (seen_at) WHERE failure IS NOT NULL;

-- Button actions remember when they were last given out, and go once unused
-- for long enough.
ALTER TABLE actions ADD COLUMN used_at BIGINT;
UPDATE actions SET used_at = created_at;
CREATE INDEX actions_used ON actions (used_at);
