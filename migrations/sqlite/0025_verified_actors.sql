-- The verified actors (their names are theirs alone: every newcomer's name is
-- checked against them) read from an index of their own instead of the whole
-- actors table. On PostgreSQL a serializable read of the whole table is a
-- lock on all of it: every newcomer's row then conflicted with every
-- transaction that had checked a name (issue 23).
CREATE INDEX actors_verified ON actors (id) WHERE verified = 1;
