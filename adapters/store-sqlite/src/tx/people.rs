//! The SQLite store's part of [`kohero_core::ports::People`].

use super::*;

#[async_trait]
impl People for SqliteTx {
    async fn actor_by_identity(&mut self, identity: &Identity) -> StoreResult<Option<Actor>> {
        Ok(self
            .actors(
                sql::people::ACTOR_BY_IDENTITY,
                params![identity.network, identity.id],
            )?
            .pop())
    }

    async fn insert_actor(&mut self, new: &NewActor) -> StoreResult<Actor> {
        let actor = self.one(
            "INSERT INTO actors (kind, display_name, lang, tz, verified, created_at)
             VALUES ('citizen', ?, ?, 'Europe/Paris', 0, ?) RETURNING *",
            params![new.display_name, new.lang.code(), ms(new.created_at)],
            |r| rows::actor(r, Vec::new()),
        )?;
        self.changes(
            "INSERT INTO identities (network, external_id, actor_id) VALUES (?, ?, ?)",
            params![new.identity.network, new.identity.id, actor.id.0],
        )?;
        Ok(actor)
    }

    async fn actor(&mut self, id: ActorId) -> StoreResult<Option<Actor>> {
        Ok(self.actors(sql::people::ACTOR, [id.0])?.pop())
    }

    async fn update_actor(&mut self, a: &Actor) -> StoreResult<()> {
        let (lat, lon) = lat_lon(a.location);
        let n = self.changes(
            sql::people::UPDATE_ACTOR,
            params![
                a.kind.key(),
                a.display_name,
                a.lang.code(),
                a.tz,
                i64::from(a.verified),
                lat,
                lon,
                a.id.0
            ],
        )?;
        not_found("actor", n)?;
        self.changes(sql::people::UPDATE_ACTOR_2, [a.id.0])?;
        if a.kind == ActorKind::Citizen {
            // Citizens speak for no commune.
            return Ok(());
        }
        for c in &a.communes {
            self.changes(sql::people::UPDATE_ACTOR_3, params![a.id.0, c.as_str()])?;
        }
        Ok(())
    }

    async fn identities_of(&mut self, id: ActorId) -> StoreResult<Vec<Identity>> {
        self.all(sql::people::IDENTITIES_OF, [id.0], rows::identity)
    }

    async fn delete_actor(&mut self, id: ActorId) -> StoreResult<()> {
        // Authored rows keep their content: the foreign keys set the author to NULL;
        // everything that is only theirs cascades.
        let n = self.changes(sql::people::DELETE_ACTOR, [id.0])?;
        // Other people's alerts that name them ("X joined your project").
        self.changes(
            sql::people::DELETE_ACTOR_2,
            params![AlertKind::NewMember.key(), id.0],
        )?;
        not_found("actor", n)
    }

    async fn actors_by_ids(&mut self, ids: &[ActorId]) -> StoreResult<Vec<Actor>> {
        let list = json_list(ids.iter().map(|a| a.0));
        heavy(|| {
            let mut by_actor: std::collections::HashMap<i64, Vec<InseeCode>> =
                std::collections::HashMap::new();
            for (actor, code) in self.all(
                "SELECT actor_id, insee FROM actor_communes
                 WHERE actor_id IN (SELECT value FROM json_each(?)) ORDER BY actor_id, insee",
                [&list],
                rows::actor_commune,
            )? {
                by_actor.entry(actor).or_default().push(code);
            }
            self.all(
                "SELECT * FROM actors WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
                [&list],
                |r| {
                    let id: i64 = get(r, "id")?;
                    rows::actor(r, by_actor.remove(&id).unwrap_or_default())
                },
            )
        })
    }

    async fn reachable_identities(
        &mut self,
        ids: &[ActorId],
    ) -> StoreResult<Vec<(ActorId, Lang, Identity)>> {
        let list = json_list(ids.iter().map(|a| a.0));
        heavy(|| {
            self.all(
                "SELECT i.actor_id, a.lang, i.network, i.external_id
                 FROM identities i JOIN actors a ON a.id = i.actor_id
                 WHERE i.actor_id IN (SELECT value FROM json_each(?))
                   AND NOT EXISTS (SELECT 1 FROM unreachable u
                                   WHERE u.network = i.network AND u.chat = i.external_id)
                 ORDER BY i.actor_id, i.network, i.external_id",
                [list],
                rows::reachable,
            )
        })
    }

    async fn municipalities_of(&mut self, commune: &InseeCode) -> StoreResult<Vec<Actor>> {
        self.actors(sql::people::MUNICIPALITIES_OF, [commune.as_str()])
    }

    async fn dialogue(&mut self, actor: ActorId) -> StoreResult<Option<String>> {
        self.opt(sql::people::DIALOGUE, [actor.0], |r| get(r, "state"))
    }

    async fn set_dialogue(&mut self, actor: ActorId, state: Option<&str>) -> StoreResult<()> {
        match state {
            Some(s) => self.changes(
                sql::people::SET_DIALOGUE,
                params![actor.0, s, ms(Utc::now())],
            ),
            None => self.changes(sql::people::SET_DIALOGUE_2, [actor.0]),
        }
        .map(drop)
    }

    async fn insert_subscription(&mut self, new: &NewSubscription) -> StoreResult<Subscription> {
        let (lat, lon) = lat_lon(new.center);
        self.one(
            sql::people::INSERT_SUBSCRIPTION,
            params![
                new.actor.0,
                lat,
                lon,
                i64::from(new.radius_m),
                new.commune.as_ref().map(InseeCode::as_str),
                rows::categories_to_text(&new.categories),
                ms(new.created_at)
            ],
            rows::subscription,
        )
    }

    async fn subscriptions_of(&mut self, actor: ActorId) -> StoreResult<Vec<Subscription>> {
        self.all(sql::people::SUBSCRIPTIONS_OF, [actor.0], rows::subscription)
    }

    async fn delete_subscriptions_of(&mut self, actor: ActorId) -> StoreResult<usize> {
        let n = self.changes(sql::people::DELETE_SUBSCRIPTIONS_OF, [actor.0])?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    async fn subscriptions_near(
        &mut self,
        communes: &[InseeCode],
        bbox: &BoundingBox,
    ) -> StoreResult<Vec<Subscription>> {
        let codes = json_list(communes.iter().map(InseeCode::as_str));
        heavy(|| {
            self.all(
                "SELECT * FROM subscriptions WHERE commune IN (SELECT value FROM json_each(?))
                 UNION
                 SELECT * FROM subscriptions
                 WHERE commune IS NULL AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?
                 ORDER BY id",
                params![
                    codes,
                    bbox.min_lat,
                    bbox.max_lat,
                    bbox.min_lon,
                    bbox.max_lon
                ],
                rows::subscription,
            )
        })
    }
}
