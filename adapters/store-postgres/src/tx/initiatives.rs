//! The PostgreSQL store's part of [`kohero_core::ports::Initiatives`].

use super::*;

#[async_trait]
impl Initiatives for PgTx {
    async fn insert_initiative(&mut self, new: &NewInitiative) -> StoreResult<Initiative> {
        let (lat, lon) = lat_lon(new.place);
        self.write_one(
            sqlx::query(pg(sql::initiatives::INSERT_INITIATIVE))
                .bind(&new.title)
                .bind(&new.description)
                .bind(new.category.key())
                .bind(lat)
                .bind(lon)
                .bind(new.commune.as_ref().map(InseeCode::as_str))
                .bind(new.created_by.0)
                .bind(search_document(&new.title, &new.description))
                .bind(ms(new.created_at))
                .bind(ms(new.created_at)),
            rows::initiative,
        )
        .await
    }

    async fn initiative(&mut self, id: InitiativeId) -> StoreResult<Option<Initiative>> {
        self.opt(
            sqlx::query(pg(sql::initiatives::INITIATIVE)).bind(id.0),
            rows::initiative,
        )
        .await
    }

    async fn update_initiative(&mut self, i: &Initiative) -> StoreResult<()> {
        let (lat, lon) = lat_lon(i.place);
        let n = self
            .changes(
                sqlx::query(pg(sql::initiatives::UPDATE_INITIATIVE))
                    .bind(i.kind.key())
                    .bind(&i.title)
                    .bind(&i.description)
                    .bind(i.category.key())
                    .bind(lat)
                    .bind(lon)
                    .bind(i.commune.as_ref().map(InseeCode::as_str))
                    .bind(i.status.key())
                    .bind(i.created_by.map(|a| a.0))
                    .bind(i.offered_to.map(|a| a.0))
                    .bind(search_document(&i.title, &i.description))
                    .bind(ms(i.updated_at))
                    .bind(i.id.0),
            )
            .await?;
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
        // Each word a prefix (`:*`); words hold only letters and digits, quoted
        // all the same. The normalised text is matched word for word
        // ('simple' configuration), as FTS5 does on SQLite.
        let query = words
            .iter()
            .map(|w| format!("'{}':*", w.replace(['\'', '\\'], "")))
            .collect::<Vec<_>>()
            .join(" & ");
        let q = sqlx::query(
            "SELECT * FROM initiatives
             WHERE to_tsvector('simple', search_text) @@ to_tsquery('simple', $1)
             ORDER BY ts_rank(to_tsvector('simple', search_text), to_tsquery('simple', $1)) DESC, id
             LIMIT $2",
        )
        .bind(query)
        .bind(limit_of(limit));
        self.all(q, rows::initiative).await
    }

    async fn located_initiatives(&mut self) -> StoreResult<Vec<Located>> {
        self.all(
            sqlx::query(
                "SELECT id, lat, lon, category, kind FROM initiatives
             WHERE lat IS NOT NULL AND lon IS NOT NULL AND status IN ('open', 'active', 'done')",
            ),
            rows::located,
        )
        .await
    }

    async fn initiative_changes_cursor(&mut self) -> StoreResult<i64> {
        self.opt(
            sqlx::query("SELECT COALESCE(MAX(seq), 0) AS seq FROM initiative_changes"),
            |r| get(r, "seq"),
        )
        .await
        .map(Option::unwrap_or_default)
    }

    async fn initiative_changes(
        &mut self,
        cursor: i64,
        limit: usize,
    ) -> StoreResult<(i64, Vec<(InitiativeId, Option<Located>)>)> {
        let rows = self
            .all(
                sqlx::query(
                    "SELECT c.seq, c.initiative_id AS id, i.category, i.kind,
                            CASE WHEN i.status IN ('open', 'active', 'done') THEN i.lat END AS lat,
                            CASE WHEN i.status IN ('open', 'active', 'done') THEN i.lon END AS lon
                     FROM initiative_changes c LEFT JOIN initiatives i ON i.id = c.initiative_id
                     WHERE c.seq > $1 ORDER BY c.seq LIMIT $2",
                )
                .bind(cursor)
                .bind(limit_of(limit)),
                rows::change,
            )
            .await?;
        Ok(kohero_sql::changes_after(cursor, rows))
    }

    async fn initiatives_created_by(&mut self, actor: ActorId) -> StoreResult<Vec<Initiative>> {
        let q = sqlx::query("SELECT * FROM initiatives WHERE created_by = $1 ORDER BY id")
            .bind(actor.0);
        self.all(q, rows::initiative).await
    }

    async fn initiatives_in_communes(
        &mut self,
        communes: &[InseeCode],
    ) -> StoreResult<Vec<Initiative>> {
        let codes = codes(communes);
        self.all(
            sqlx::query(
                "SELECT * FROM initiatives WHERE commune = ANY($1)
                 ORDER BY id",
            )
            .bind(codes),
            rows::initiative,
        )
        .await
    }

    async fn insert_activity(&mut self, new: &NewActivity) -> StoreResult<Activity> {
        self.write_one(sqlx::query(
            "INSERT INTO activity (initiative_id, kind, ref_id, at) VALUES ($1, $2, $3, $4) RETURNING *",
        )
        .bind(new.initiative.0)
        .bind(new.kind.key())
        .bind(new.ref_id)
        .bind(ms(new.at)), rows::activity)
        .await
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
        let ids = id_list(initiatives.iter().map(|i| i.0));
        self.all(
            sqlx::query(
                "SELECT * FROM activity WHERE initiative_id = ANY($1)
             ORDER BY at DESC, id DESC LIMIT $2 OFFSET $3",
            )
            .bind(ids)
            .bind(limit_of(limit))
            .bind(limit_of(offset)),
            rows::activity,
        )
        .await
    }

    async fn activity_since(
        &mut self,
        initiatives: &[InitiativeId],
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<Activity>> {
        let ids = id_list(initiatives.iter().map(|i| i.0));
        self.all(
            sqlx::query(
                "SELECT * FROM activity WHERE initiative_id = ANY($1)
                 AND at >= $2 ORDER BY at, id",
            )
            .bind(ids)
            .bind(ms(since)),
            rows::activity,
        )
        .await
    }
}
