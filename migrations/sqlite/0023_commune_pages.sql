-- A commune's page without reading all its initiatives (issue 21): the
-- counts by status and each status's most recently changed initiatives come
-- from this index (initiatives not hidden only, as the page shows).
CREATE INDEX initiatives_commune_status ON initiatives (commune, status, updated_at)
    WHERE hidden_at IS NULL;
