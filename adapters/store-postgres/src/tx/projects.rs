//! The PostgreSQL store's part of [`kohero_core::ports::Projects`].

use super::*;

#[async_trait]
impl Projects for PgTx {
    async fn membership(
        &mut self,
        initiative: InitiativeId,
        actor: ActorId,
    ) -> StoreResult<Option<Membership>> {
        self.opt(
            sqlx::query(pg(sql::projects::MEMBERSHIP))
                .bind(initiative.0)
                .bind(actor.0),
            rows::membership,
        )
        .await
    }

    async fn set_membership(&mut self, m: &Membership) -> StoreResult<()> {
        self.changes(
            sqlx::query(pg(sql::projects::SET_MEMBERSHIP))
                .bind(m.initiative.0)
                .bind(m.actor.0)
                .bind(m.role.key())
                .bind(ms(m.since)),
        )
        .await?;
        Ok(())
    }

    async fn remove_membership(
        &mut self,
        initiative: InitiativeId,
        actor: ActorId,
    ) -> StoreResult<()> {
        let n = self
            .changes(
                sqlx::query(pg(sql::projects::REMOVE_MEMBERSHIP))
                    .bind(initiative.0)
                    .bind(actor.0),
            )
            .await?;
        not_found("membership", n)
    }

    async fn members(&mut self, initiative: InitiativeId) -> StoreResult<Vec<Membership>> {
        self.all(
            sqlx::query(pg(sql::projects::MEMBERS)).bind(initiative.0),
            rows::membership,
        )
        .await
    }

    async fn memberships_of(&mut self, actor: ActorId) -> StoreResult<Vec<Membership>> {
        self.all(
            sqlx::query(pg(sql::projects::MEMBERSHIPS_OF)).bind(actor.0),
            rows::membership,
        )
        .await
    }

    async fn insert_update(
        &mut self,
        initiative: InitiativeId,
        author: ActorId,
        text: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<ProgressUpdate> {
        self.write_one(
            sqlx::query(pg(sql::projects::INSERT_UPDATE))
                .bind(initiative.0)
                .bind(author.0)
                .bind(text)
                .bind(ms(at)),
            rows::update,
        )
        .await
    }

    async fn update_by_id(&mut self, id: UpdateId) -> StoreResult<Option<ProgressUpdate>> {
        self.opt(
            sqlx::query(pg(sql::projects::UPDATE_BY_ID)).bind(id.0),
            rows::update,
        )
        .await
    }

    async fn updates_of(
        &mut self,
        initiative: InitiativeId,
        limit: usize,
    ) -> StoreResult<Vec<ProgressUpdate>> {
        self.all(
            sqlx::query(pg(sql::projects::UPDATES_OF))
                .bind(initiative.0)
                .bind(limit_of(limit)),
            rows::update,
        )
        .await
    }

    async fn updates_by(&mut self, author: ActorId) -> StoreResult<Vec<ProgressUpdate>> {
        self.all(
            sqlx::query(pg(sql::projects::UPDATES_BY)).bind(author.0),
            rows::update,
        )
        .await
    }

    async fn updates_by_ids(&mut self, ids: &[i64]) -> StoreResult<Vec<ProgressUpdate>> {
        self.all(
            sqlx::query("SELECT * FROM updates WHERE id = ANY($1) ORDER BY id").bind(ids.to_vec()),
            rows::update,
        )
        .await
    }

    async fn insert_event(&mut self, new: &NewEvent) -> StoreResult<Event> {
        let (lat, lon) = lat_lon(new.place);
        self.write_one(
            sqlx::query(pg(sql::projects::INSERT_EVENT))
                .bind(new.initiative.0)
                .bind(&new.title)
                .bind(ms(new.starts_at))
                .bind(&new.tz)
                .bind(lat)
                .bind(lon)
                .bind(new.created_by.0)
                .bind(ms(new.created_at)),
            rows::event,
        )
        .await
    }

    async fn event(&mut self, id: EventId) -> StoreResult<Option<Event>> {
        self.opt(
            sqlx::query(pg(sql::projects::EVENT)).bind(id.0),
            rows::event,
        )
        .await
    }

    async fn events_of(
        &mut self,
        initiative: InitiativeId,
        from: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>> {
        self.all(
            sqlx::query(pg(sql::projects::EVENTS_OF))
                .bind(initiative.0)
                .bind(ms(from)),
            rows::event,
        )
        .await
    }

    async fn events_between(
        &mut self,
        initiatives: &[InitiativeId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>> {
        let ids = id_list(initiatives.iter().map(|i| i.0));
        self.all(
            sqlx::query(
                "SELECT * FROM events WHERE initiative_id = ANY($1)
                 AND starts_at >= $2 AND starts_at < $3 ORDER BY starts_at, id",
            )
            .bind(ids)
            .bind(ms(from))
            .bind(ms(to)),
            rows::event,
        )
        .await
    }

    async fn events_starting(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>> {
        self.all(
            sqlx::query(pg(sql::projects::EVENTS_STARTING))
                .bind(ms(from))
                .bind(ms(to)),
            rows::event,
        )
        .await
    }

    async fn set_rsvp(&mut self, r: &Rsvp) -> StoreResult<()> {
        self.changes(
            sqlx::query(pg(sql::projects::SET_RSVP))
                .bind(r.event.0)
                .bind(r.actor.0)
                .bind(r.answer.key())
                .bind(ms(r.at)),
        )
        .await?;
        Ok(())
    }

    async fn rsvps(&mut self, event: EventId) -> StoreResult<Vec<Rsvp>> {
        self.all(
            sqlx::query(pg(sql::projects::RSVPS)).bind(event.0),
            rows::rsvp,
        )
        .await
    }

    async fn rsvps_of(&mut self, actor: ActorId) -> StoreResult<Vec<Rsvp>> {
        self.all(
            sqlx::query(pg(sql::projects::RSVPS_OF)).bind(actor.0),
            rows::rsvp,
        )
        .await
    }
}
