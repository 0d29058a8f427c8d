-- Search over the normalised text of initiatives. The text is normalised in core
-- (kohero_core::text::search_document): lower case, no accents, words separated
-- by spaces; queries match word prefixes (`to_tsquery('simple', 'cafe:* & repar:*')`),
-- as SQLite's FTS5 table does.
CREATE INDEX initiatives_search ON initiatives USING gin (to_tsvector('simple', search_text));
