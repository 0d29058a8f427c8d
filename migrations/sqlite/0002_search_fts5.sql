-- Full-text search over the normalised text of initiatives (FTS5, external content).
-- The text is normalised in core (kohero_core::text::search_document): lower case,
-- no accents, words separated by spaces; queries match word prefixes.
CREATE VIRTUAL TABLE initiatives_fts USING fts5(
    search_text,
    content = 'initiatives',
    content_rowid = 'id'
);

CREATE TRIGGER initiatives_fts_insert AFTER INSERT ON initiatives BEGIN
    INSERT INTO initiatives_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE TRIGGER initiatives_fts_delete AFTER DELETE ON initiatives BEGIN
    INSERT INTO initiatives_fts (initiatives_fts, rowid, search_text)
    VALUES ('delete', old.id, old.search_text);
END;

CREATE TRIGGER initiatives_fts_update AFTER UPDATE OF search_text ON initiatives BEGIN
    INSERT INTO initiatives_fts (initiatives_fts, rowid, search_text)
    VALUES ('delete', old.id, old.search_text);
    INSERT INTO initiatives_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;

INSERT INTO initiatives_fts (initiatives_fts) VALUES ('rebuild');
