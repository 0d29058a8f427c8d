-- A forum supergroup linked to a commune by its verified municipality: each
-- project launched in the commune gets a topic there.
CREATE TABLE commune_forums (
    network    TEXT    NOT NULL,
    chat       TEXT    NOT NULL,
    insee      TEXT    NOT NULL,
    linked_by  BIGINT REFERENCES actors (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (network, chat)
);
CREATE INDEX commune_forums_insee ON commune_forums (insee);
