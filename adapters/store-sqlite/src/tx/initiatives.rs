//! The SQLite store's part of [`kohero_core::ports::Initiatives`].

use super::*;

#[async_trait]
impl Initiatives for SqliteTx {
    async fn insert_initiative(&mut self, new: &NewInitiative) -> StoreResult<Initiative> {
        let (lat, lon) = lat_lon(new.place);
        self.one(
            sql::initiatives::INSERT_INITIATIVE,
            params![
                new.title,
                new.description,
                new.category.key(),
                lat,
                lon,
                new.commune.as_ref().map(InseeCode::as_str),
                new.created_by.0,
                search_document(&new.title, &new.description),
                ms(new.created_at),
                ms(new.created_at)
            ],
            rows::initiative,
        )
    }

    async fn initiative(&mut self, id: InitiativeId) -> StoreResult<Option<Initiative>> {
        self.opt(sql::initiatives::INITIATIVE, [id.0], rows::initiative)
    }

    async fn update_initiative(&mut self, i: &Initiative) -> StoreResult<()> {
        let (lat, lon) = lat_lon(i.place);
        let n = self.changes(
            sql::initiatives::UPDATE_INITIATIVE,
            params![
                i.kind.key(),
                i.title,
                i.description,
                i.category.key(),
                lat,
                lon,
                i.commune.as_ref().map(InseeCode::as_str),
                i.status.key(),
                i.created_by.map(|a| a.0),
                i.offered_to.map(|a| a.0),
                search_document(&i.title, &i.description),
                ms(i.updated_at),
                i.id.0
            ],
        )?;
        not_found("initiative", n)
    }

    async fn search_initiatives(
        &mut self,
        words: &[String],
        limit: usize,
    ) -> StoreResult<Vec<Initiative>> {
        if words.is_empty() {
            return Ok(Vec::new());
        }
        // Each word is a quoted prefix query; words hold only letters and digits.
        let query = words
            .iter()
            .map(|w| format!("\"{}\"*", w.replace('"', "")))
            .collect::<Vec<_>>()
            .join(" AND ");
        self.all(
            "SELECT i.* FROM initiatives_fts f JOIN initiatives i ON i.id = f.rowid
             WHERE initiatives_fts MATCH ? ORDER BY bm25(initiatives_fts), i.id LIMIT ?",
            params![query, limit_of(limit)],
            rows::initiative,
        )
    }

    async fn located_initiatives(&mut self) -> StoreResult<Vec<Located>> {
        heavy(|| {
            self.all(
                "SELECT id, lat, lon, category, kind FROM initiatives
                 WHERE lat IS NOT NULL AND lon IS NOT NULL AND status IN ('open', 'active', 'done')",
                [],
                rows::located,
            )
        })
    }

    async fn initiative_changes_cursor(&mut self) -> StoreResult<i64> {
        self.one(
            "SELECT COALESCE(MAX(seq), 0) AS seq FROM initiative_changes",
            [],
            |r| get(r, "seq"),
        )
    }

    async fn initiative_changes(
        &mut self,
        cursor: i64,
        limit: usize,
    ) -> StoreResult<(i64, Vec<(InitiativeId, Option<Located>)>)> {
        let rows = self.all(
            "SELECT c.seq, c.initiative_id AS id, i.category, i.kind,
                    CASE WHEN i.status IN ('open', 'active', 'done') THEN i.lat END AS lat,
                    CASE WHEN i.status IN ('open', 'active', 'done') THEN i.lon END AS lon
             FROM initiative_changes c LEFT JOIN initiatives i ON i.id = c.initiative_id
             WHERE c.seq > ? ORDER BY c.seq LIMIT ?",
            params![cursor, limit_of(limit)],
            rows::change,
        )?;
        Ok(kohero_sql::changes_after(cursor, rows))
    }

    async fn initiatives_created_by(&mut self, actor: ActorId) -> StoreResult<Vec<Initiative>> {
        self.all(
            "SELECT * FROM initiatives WHERE created_by = ? ORDER BY id",
            [actor.0],
            rows::initiative,
        )
    }

    async fn initiatives_in_communes(
        &mut self,
        communes: &[InseeCode],
    ) -> StoreResult<Vec<Initiative>> {
        let codes = json_list(communes.iter().map(InseeCode::as_str));
        heavy(|| {
            self.all(
                "SELECT * FROM initiatives WHERE commune IN (SELECT value FROM json_each(?))
                 ORDER BY id",
                [codes],
                rows::initiative,
            )
        })
    }

    async fn insert_activity(&mut self, new: &NewActivity) -> StoreResult<Activity> {
        self.one(
            "INSERT INTO activity (initiative_id, kind, ref_id, at) VALUES (?, ?, ?, ?) RETURNING *",
            params![new.initiative.0, new.kind.key(), new.ref_id, ms(new.at)],
            rows::activity,
        )
    }

    async fn activity_of(
        &mut self,
        initiatives: &[InitiativeId],
        offset: usize,
        limit: usize,
    ) -> StoreResult<Vec<Activity>> {
        if initiatives.is_empty() {
            return Ok(Vec::new());
        }
        self.all(
            "SELECT * FROM activity WHERE initiative_id IN (SELECT value FROM json_each(?))
             ORDER BY at DESC, id DESC LIMIT ? OFFSET ?",
            params![
                json_list(initiatives.iter().map(|i| i.0)),
                limit_of(limit),
                limit_of(offset)
            ],
            rows::activity,
        )
    }

    async fn activity_since(
        &mut self,
        initiatives: &[InitiativeId],
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<Activity>> {
        let ids = json_list(initiatives.iter().map(|i| i.0));
        heavy(|| {
            self.all(
                "SELECT * FROM activity WHERE initiative_id IN (SELECT value FROM json_each(?))
                 AND at >= ? ORDER BY at, id",
                params![ids, ms(since)],
                rows::activity,
            )
        })
    }
}
