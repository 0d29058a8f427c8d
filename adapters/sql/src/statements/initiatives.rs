//! Statements of [`Initiatives`](kohero_core::ports::Initiatives) (both stores).

use crate::exec::Sql;

/// The `?2` most recently changed initiatives of commune `?1` with one
/// status, not hidden, as summaries.
macro_rules! commune_latest {
    ($status:literal, $alias:literal) => {
        concat!(
            "SELECT * FROM (SELECT id, kind, status, category, title, lat, lon, commune,
            updated_at, hidden_at FROM initiatives WHERE commune = ?1 AND status = '",
            $status,
            "' AND hidden_at IS NULL ORDER BY updated_at DESC, id DESC LIMIT ?2) ",
            $alias
        )
    };
}

/// [`Initiatives::insert_initiative`](kohero_core::ports::Initiatives::insert_initiative).
pub const INSERT_INITIATIVE: &str =
    "INSERT INTO initiatives (kind, title, description, category, lat, lon, commune, status,
    created_by, search_text, created_at, updated_at, carried_by)
    VALUES ('idea', ?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7, ?8, ?9, ?10, ?11) RETURNING *";

/// [`Initiatives::initiative`](kohero_core::ports::Initiatives::initiative).
pub const INITIATIVE: &str = "SELECT * FROM initiatives WHERE id = ?1";

/// [`Initiatives::initiatives_by_ids`](kohero_core::ports::Initiatives::initiatives_by_ids).
pub const INITIATIVES_BY_IDS: &str =
    "SELECT * FROM initiatives WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id";

/// [`Initiatives::update_initiative`](kohero_core::ports::Initiatives::update_initiative).
pub const UPDATE_INITIATIVE: &str =
    "UPDATE initiatives SET kind = ?1, title = ?2, description = ?3, category = ?4, lat = ?5,
    lon = ?6, commune = ?7, status = ?8, created_by = ?9, offered_to = ?10, search_text = ?11,
    updated_at = ?12
    WHERE id = ?13";

/// [`Initiatives::search_initiatives`](kohero_core::ports::Initiatives::search_initiatives):
/// each word a prefix, all words required. SQLite's FTS5 index, PostgreSQL's
/// text search over the normalised text ('simple' configuration: matched word
/// for word, as FTS5 does).
pub const SEARCH_INITIATIVES: Sql = Sql::Each {
    sqlite: "SELECT i.* FROM initiatives_fts f JOIN initiatives i ON i.id = f.rowid
        WHERE initiatives_fts MATCH ?1 ORDER BY bm25(initiatives_fts), i.id LIMIT ?2",
    postgres: "SELECT * FROM initiatives
        WHERE to_tsvector('simple', search_text) @@ to_tsquery('simple', $1)
        ORDER BY ts_rank(to_tsvector('simple', search_text), to_tsquery('simple', $1)) DESC, id
        LIMIT $2",
};

/// [`Initiatives::located_initiatives`](kohero_core::ports::Initiatives::located_initiatives).
/// `needs`: the kinds of its open needs, one bit each (`NeedKind::bit`).
pub const LOCATED_INITIATIVES: &str = "SELECT i.id, i.lat, i.lon, i.category, i.kind,
        CASE WHEN i.status IN ('open', 'active') THEN COALESCE(n.needs, 0) ELSE 0 END AS needs
    FROM initiatives i LEFT JOIN (SELECT initiative_id, SUM(DISTINCT CASE kind
            WHEN 'volunteers' THEN 1 WHEN 'material' THEN 2 WHEN 'skill' THEN 4
            WHEN 'place' THEN 8 ELSE 16 END) AS needs
        FROM needs WHERE status = 'open' GROUP BY initiative_id) n ON n.initiative_id = i.id
    WHERE i.lat IS NOT NULL AND i.lon IS NOT NULL AND i.status IN ('open', 'active', 'done')
    AND i.hidden_at IS NULL";

/// [`Initiatives::initiative_changes_cursor`](kohero_core::ports::Initiatives::initiative_changes_cursor).
pub const INITIATIVE_CHANGES_CURSOR: &str =
    "SELECT COALESCE(MAX(seq), 0) AS seq FROM initiative_changes";

/// What a change-log row of an initiative gives the nearby index (its
/// columns after the cursor's and the tables they come from), one text for
/// both ways of reading the log.
macro_rules! initiative_change_rows {
    () => {
        " c.initiative_id AS id, i.category, i.kind,
        CASE WHEN i.status IN ('open', 'active', 'done') AND i.hidden_at IS NULL
            THEN i.lat END AS lat,
        CASE WHEN i.status IN ('open', 'active', 'done') AND i.hidden_at IS NULL
            THEN i.lon END AS lon,
        (SELECT COALESCE(SUM(DISTINCT CASE n.kind
            WHEN 'volunteers' THEN 1 WHEN 'material' THEN 2 WHEN 'skill' THEN 4
            WHEN 'place' THEN 8 ELSE 16 END), 0)
         FROM needs n WHERE n.initiative_id = c.initiative_id AND n.status = 'open'
            AND i.status IN ('open', 'active')) AS needs
    FROM initiative_changes c LEFT JOIN initiatives i ON i.id = c.initiative_id"
    };
}

/// Where a PostgreSQL reader of the change logs is: the horizon of its
/// snapshot, below which every transaction has ended (migration 22).
pub const CHANGES_HORIZON: &str =
    "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS seq";

/// The transactions at or above a horizon (`?1`) whose initiative changes
/// this transaction sees (they have committed).
pub const INITIATIVE_CHANGES_ABOVE: &str =
    "SELECT DISTINCT xid AS seq FROM initiative_changes WHERE xid >= ?1";

/// [`Initiatives::initiative_changes`](kohero_core::ports::Initiatives::initiative_changes)
/// on PostgreSQL: the changes of the transactions from `?1` to below `?2`
/// but those read already (`?3`), in transaction order (`seq` is the
/// transaction's id). Those this transaction sees have all committed.
pub const INITIATIVE_CHANGES_BY_TRANSACTION: &str = concat!(
    "SELECT c.xid AS seq,",
    initiative_change_rows!(),
    " WHERE c.xid >= ?1 AND c.xid < ?2 AND NOT (c.xid = ANY(?3))
    ORDER BY c.xid, c.seq LIMIT ?4"
);

/// [`Initiatives::initiative_changes`](kohero_core::ports::Initiatives::initiative_changes).
pub const INITIATIVE_CHANGES: &str = concat!(
    "SELECT c.seq,",
    initiative_change_rows!(),
    " WHERE c.seq > ?1 ORDER BY c.seq LIMIT ?2"
);

/// [`Initiatives::initiatives_created_by`](kohero_core::ports::Initiatives::initiatives_created_by).
pub const INITIATIVES_CREATED_BY: &str =
    "SELECT * FROM initiatives WHERE created_by = ?1 ORDER BY id";

/// [`Initiatives::initiatives_in_communes`](kohero_core::ports::Initiatives::initiatives_in_communes).
pub const INITIATIVES_IN_COMMUNES: &str =
    "SELECT * FROM initiatives WHERE commune IN (SELECT value FROM json_each(?1)) ORDER BY id";

/// [`Initiatives::initiative_summaries`](kohero_core::ports::Initiatives::initiative_summaries):
/// the columns a summary needs, not the description nor its search text.
pub const INITIATIVE_SUMMARIES: &str =
    "SELECT id, kind, status, category, title, lat, lon, commune, updated_at, hidden_at
    FROM initiatives WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id";

/// [`Initiatives::initiative_summaries_in`](kohero_core::ports::Initiatives::initiative_summaries_in).
pub const INITIATIVE_SUMMARIES_IN: &str =
    "SELECT id, kind, status, category, title, lat, lon, commune, updated_at, hidden_at
    FROM initiatives WHERE commune = ?1 ORDER BY id LIMIT ?2";

/// [`Initiatives::commune_overview`](kohero_core::ports::Initiatives::commune_overview):
/// the counts, from the index on commune, status and change (migration 23).
pub const COMMUNE_COUNTS: &str =
    "SELECT status, COUNT(*) AS n, MAX(updated_at) AS at FROM initiatives
    WHERE commune = ?1 AND hidden_at IS NULL GROUP BY status";

/// [`Initiatives::commune_overview`](kohero_core::ports::Initiatives::commune_overview):
/// the latest of each live status ([`Status::is_live`]), each a backward
/// walk of the same index.
///
/// [`Status::is_live`]: kohero_core::domain::Status::is_live
pub const COMMUNE_LATEST: &str = concat!(
    commune_latest!("open", "o"),
    " UNION ALL ",
    commune_latest!("active", "a"),
    " UNION ALL ",
    commune_latest!("done", "d"),
);

/// [`Initiatives::activity_in`](kohero_core::ports::Initiatives::activity_in).
pub const ACTIVITY_IN: &str = "SELECT * FROM activity WHERE initiative_id IN
    (SELECT id FROM initiatives WHERE commune = ?1 AND hidden_at IS NULL)
    ORDER BY at DESC, id DESC LIMIT ?2";

/// [`Initiatives::insert_activity`](kohero_core::ports::Initiatives::insert_activity).
pub const INSERT_ACTIVITY: &str =
    "INSERT INTO activity (initiative_id, kind, ref_id, at) VALUES (?1, ?2, ?3, ?4) RETURNING *";

/// [`Initiatives::activity_of`](kohero_core::ports::Initiatives::activity_of).
pub const ACTIVITY_OF: &str =
    "SELECT * FROM activity WHERE initiative_id IN (SELECT value FROM json_each(?1))
    ORDER BY at DESC, id DESC LIMIT ?2 OFFSET ?3";

/// [`Initiatives::activity_since`](kohero_core::ports::Initiatives::activity_since).
pub const ACTIVITY_SINCE: &str =
    "SELECT * FROM activity WHERE initiative_id IN (SELECT value FROM json_each(?1))
    AND at >= ?2 ORDER BY at, id";

/// Every statement of this file (tests).
#[cfg(test)]
pub(crate) const ALL: &[&str] = &[
    INSERT_INITIATIVE,
    INITIATIVE,
    UPDATE_INITIATIVE,
    LOCATED_INITIATIVES,
    INITIATIVE_CHANGES_CURSOR,
    INITIATIVE_CHANGES,
    INITIATIVES_CREATED_BY,
    INITIATIVES_IN_COMMUNES,
    INITIATIVES_BY_IDS,
    INITIATIVE_SUMMARIES,
    INITIATIVE_SUMMARIES_IN,
    COMMUNE_COUNTS,
    COMMUNE_LATEST,
    ACTIVITY_IN,
    INSERT_ACTIVITY,
    ACTIVITY_OF,
    ACTIVITY_SINCE,
];
