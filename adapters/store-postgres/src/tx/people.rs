//! The PostgreSQL store's part of [`kohero_core::ports::People`].

use super::*;

#[async_trait]
impl People for PgTx {
    async fn actor_by_identity(&mut self, identity: &Identity) -> StoreResult<Option<Actor>> {
        Ok(self
            .actors(
                sqlx::query(pg(sql::people::ACTOR_BY_IDENTITY))
                    .bind(&identity.network)
                    .bind(&identity.id),
            )
            .await?
            .pop())
    }

    async fn insert_actor(&mut self, new: &NewActor) -> StoreResult<Actor> {
        // Both rows or neither (a taken identity leaves no actor behind).
        self.run("SAVEPOINT kohero_statement").await?;
        let r = sqlx::query(
            "WITH a AS (
                INSERT INTO actors (kind, display_name, lang, tz, verified, created_at)
                VALUES ('citizen', $1, $2, 'Europe/Paris', 0, $3) RETURNING *),
             i AS (INSERT INTO identities (network, external_id, actor_id)
                   SELECT $4, $5, id FROM a)
             SELECT * FROM a",
        )
        .bind(&new.display_name)
        .bind(new.lang.code())
        .bind(ms(new.created_at))
        .bind(&new.identity.network)
        .bind(&new.identity.id)
        .fetch_one(&mut *self.tx)
        .await;
        let row = self.settle(r).await?;
        rows::actor(&row, Vec::new())
    }

    async fn actor(&mut self, id: ActorId) -> StoreResult<Option<Actor>> {
        Ok(self
            .actors(sqlx::query(pg(sql::people::ACTOR)).bind(id.0))
            .await?
            .pop())
    }

    async fn update_actor(&mut self, a: &Actor) -> StoreResult<()> {
        let (lat, lon) = lat_lon(a.location);
        let n = self
            .changes(
                sqlx::query(pg(sql::people::UPDATE_ACTOR))
                    .bind(a.kind.key())
                    .bind(&a.display_name)
                    .bind(a.lang.code())
                    .bind(&a.tz)
                    .bind(i64::from(a.verified))
                    .bind(lat)
                    .bind(lon)
                    .bind(a.id.0),
            )
            .await?;
        not_found("actor", n)?;
        sqlx::query(pg(sql::people::UPDATE_ACTOR_2))
            .bind(a.id.0)
            .execute(&mut *self.tx)
            .await
            .map_err(backend)?;
        let communes = if a.kind == ActorKind::Citizen {
            &[][..]
        } else {
            &a.communes[..]
        };
        for c in communes {
            self.changes(
                sqlx::query(pg(sql::people::UPDATE_ACTOR_3))
                    .bind(a.id.0)
                    .bind(c.as_str()),
            )
            .await?;
        }
        Ok(())
    }

    async fn identities_of(&mut self, id: ActorId) -> StoreResult<Vec<Identity>> {
        self.all(
            sqlx::query(pg(sql::people::IDENTITIES_OF)).bind(id.0),
            rows::identity,
        )
        .await
    }

    async fn delete_actor(&mut self, id: ActorId) -> StoreResult<()> {
        // Authored rows keep their content: the foreign keys set the author to NULL;
        // everything that is only theirs cascades.
        let n = self
            .changes(sqlx::query(pg(sql::people::DELETE_ACTOR)).bind(id.0))
            .await?;
        // Other people's alerts that name them ("X joined your project").
        self.changes(
            sqlx::query(pg(sql::people::DELETE_ACTOR_2))
                .bind(AlertKind::NewMember.key())
                .bind(id.0),
        )
        .await?;
        not_found("actor", n)
    }

    async fn actors_by_ids(&mut self, ids: &[ActorId]) -> StoreResult<Vec<Actor>> {
        let list = id_list(ids.iter().map(|a| a.0));
        let mut by_actor: std::collections::HashMap<i64, Vec<InseeCode>> =
            std::collections::HashMap::new();
        for (actor, code) in self
            .all(
                sqlx::query(
                    "SELECT actor_id, insee FROM actor_communes
                     WHERE actor_id = ANY($1) ORDER BY actor_id, insee",
                )
                .bind(&list),
                rows::actor_commune,
            )
            .await?
        {
            by_actor.entry(actor).or_default().push(code);
        }
        self.all(
            sqlx::query("SELECT * FROM actors WHERE id = ANY($1) ORDER BY id").bind(&list),
            |r| {
                let id: i64 = get(r, "id")?;
                rows::actor(r, by_actor.remove(&id).unwrap_or_default())
            },
        )
        .await
    }

    async fn reachable_identities(
        &mut self,
        ids: &[ActorId],
    ) -> StoreResult<Vec<(ActorId, Lang, Identity)>> {
        self.all(
            sqlx::query(
                "SELECT i.actor_id, a.lang, i.network, i.external_id
                 FROM identities i JOIN actors a ON a.id = i.actor_id
                 WHERE i.actor_id = ANY($1)
                   AND NOT EXISTS (SELECT 1 FROM unreachable u
                                   WHERE u.network = i.network AND u.chat = i.external_id)
                 ORDER BY i.actor_id, i.network, i.external_id",
            )
            .bind(id_list(ids.iter().map(|a| a.0))),
            rows::reachable,
        )
        .await
    }

    async fn municipalities_of(&mut self, commune: &InseeCode) -> StoreResult<Vec<Actor>> {
        self.actors(sqlx::query(pg(sql::people::MUNICIPALITIES_OF)).bind(commune.as_str()))
            .await
    }

    async fn dialogue(&mut self, actor: ActorId) -> StoreResult<Option<String>> {
        sqlx::query_scalar(pg(sql::people::DIALOGUE))
            .bind(actor.0)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(backend)
    }

    async fn set_dialogue(&mut self, actor: ActorId, state: Option<&str>) -> StoreResult<()> {
        let q = match state {
            Some(s) => sqlx::query(pg(sql::people::SET_DIALOGUE))
                .bind(actor.0)
                .bind(s)
                .bind(ms(Utc::now())),
            None => sqlx::query(pg(sql::people::SET_DIALOGUE_2)).bind(actor.0),
        };
        self.changes(q).await.map(drop)
    }

    async fn insert_subscription(&mut self, new: &NewSubscription) -> StoreResult<Subscription> {
        let (lat, lon) = lat_lon(new.center);
        self.write_one(
            sqlx::query(pg(sql::people::INSERT_SUBSCRIPTION))
                .bind(new.actor.0)
                .bind(lat)
                .bind(lon)
                .bind(i64::from(new.radius_m))
                .bind(new.commune.as_ref().map(InseeCode::as_str))
                .bind(rows::categories_to_text(&new.categories))
                .bind(ms(new.created_at)),
            rows::subscription,
        )
        .await
    }

    async fn subscriptions_of(&mut self, actor: ActorId) -> StoreResult<Vec<Subscription>> {
        self.all(
            sqlx::query(pg(sql::people::SUBSCRIPTIONS_OF)).bind(actor.0),
            rows::subscription,
        )
        .await
    }

    async fn delete_subscriptions_of(&mut self, actor: ActorId) -> StoreResult<usize> {
        let n = self
            .changes(sqlx::query(pg(sql::people::DELETE_SUBSCRIPTIONS_OF)).bind(actor.0))
            .await?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    async fn subscriptions_near(
        &mut self,
        communes: &[InseeCode],
        bbox: &BoundingBox,
    ) -> StoreResult<Vec<Subscription>> {
        let codes = codes(communes);
        self.all(
            sqlx::query(
                "SELECT * FROM subscriptions WHERE commune = ANY($1)
                 UNION
                 SELECT * FROM subscriptions
                 WHERE commune IS NULL AND lat BETWEEN $2 AND $3 AND lon BETWEEN $4 AND $5
                 ORDER BY id",
            )
            .bind(codes)
            .bind(bbox.min_lat)
            .bind(bbox.max_lat)
            .bind(bbox.min_lon)
            .bind(bbox.max_lon),
            rows::subscription,
        )
        .await
    }
}
