-- Change logs read in transaction order (issue 23): on PostgreSQL each
-- change now carries its transaction's id, since writers run side by side
-- there. SQLite has one writer at a time: a change's sequence number is its
-- commit order already, and nothing changes here (the version keeps both
-- stores' migrations in step).
SELECT 1;
