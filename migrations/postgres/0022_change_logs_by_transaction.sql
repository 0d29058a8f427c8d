-- Change logs read in transaction order (issue 23). Writers no longer take
-- one lock for the whole database, so a change's sequence number is not its
-- commit order: a transaction may take number 10 and commit after number 11
-- was read, and a reader that followed numbers would never see it. Each
-- change now carries the id of the transaction that wrote it; a reader
-- takes the changes of the transactions below its snapshot's horizon
-- (`pg_snapshot_xmin`: every one of them has ended, none can add rows), and
-- keeps that horizon as its cursor.
ALTER TABLE initiative_changes
    ADD COLUMN xid BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX initiative_changes_xid ON initiative_changes (xid, seq);
ALTER TABLE actor_changes
    ADD COLUMN xid BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX actor_changes_xid ON actor_changes (xid, seq);
