-- Every write of an initiative, in commit order: each process's nearby index
-- reads the changes after its cursor (other processes' writes, the command
-- line's). Kept as long as sent messages are (pruned by `at`, Unix ms).
CREATE TABLE initiative_changes (
    seq           INTEGER PRIMARY KEY,
    initiative_id INTEGER NOT NULL,
    at            INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER))
);
CREATE INDEX initiative_changes_at ON initiative_changes (at);

CREATE TRIGGER initiative_changes_insert AFTER INSERT ON initiatives BEGIN
    INSERT INTO initiative_changes (initiative_id) VALUES (new.id);
END;

CREATE TRIGGER initiative_changes_update AFTER UPDATE ON initiatives BEGIN
    INSERT INTO initiative_changes (initiative_id) VALUES (new.id);
END;
