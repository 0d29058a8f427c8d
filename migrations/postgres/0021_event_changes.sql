-- Events that change (issue 21): a duration (two hours unless told), a
-- cancellation, and a sequence that grows with each change, so that
-- calendars that subscribed (iCalendar SEQUENCE) take the change. Times are
-- Unix milliseconds.
ALTER TABLE events ADD COLUMN duration_minutes BIGINT NOT NULL DEFAULT 120;
ALTER TABLE events ADD COLUMN sequence BIGINT NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN updated_at BIGINT;
ALTER TABLE events ADD COLUMN cancelled_at BIGINT;
