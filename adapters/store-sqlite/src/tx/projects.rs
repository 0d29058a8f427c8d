//! The SQLite store's part of [`kohero_core::ports::Projects`].

use super::*;

#[async_trait]
impl Projects for SqliteTx {
    async fn membership(
        &mut self,
        initiative: InitiativeId,
        actor: ActorId,
    ) -> StoreResult<Option<Membership>> {
        self.opt(
            sql::projects::MEMBERSHIP,
            [initiative.0, actor.0],
            rows::membership,
        )
    }

    async fn set_membership(&mut self, m: &Membership) -> StoreResult<()> {
        self.changes(
            sql::projects::SET_MEMBERSHIP,
            params![m.initiative.0, m.actor.0, m.role.key(), ms(m.since)],
        )
        .map(drop)
    }

    async fn remove_membership(
        &mut self,
        initiative: InitiativeId,
        actor: ActorId,
    ) -> StoreResult<()> {
        let n = self.changes(sql::projects::REMOVE_MEMBERSHIP, [initiative.0, actor.0])?;
        not_found("membership", n)
    }

    async fn members(&mut self, initiative: InitiativeId) -> StoreResult<Vec<Membership>> {
        self.all(sql::projects::MEMBERS, [initiative.0], rows::membership)
    }

    async fn memberships_of(&mut self, actor: ActorId) -> StoreResult<Vec<Membership>> {
        self.all(sql::projects::MEMBERSHIPS_OF, [actor.0], rows::membership)
    }

    async fn insert_update(
        &mut self,
        initiative: InitiativeId,
        author: ActorId,
        text: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<ProgressUpdate> {
        self.one(
            sql::projects::INSERT_UPDATE,
            params![initiative.0, author.0, text, ms(at)],
            rows::update,
        )
    }

    async fn update_by_id(&mut self, id: UpdateId) -> StoreResult<Option<ProgressUpdate>> {
        self.opt(sql::projects::UPDATE_BY_ID, [id.0], rows::update)
    }

    async fn updates_of(
        &mut self,
        initiative: InitiativeId,
        limit: usize,
    ) -> StoreResult<Vec<ProgressUpdate>> {
        self.all(
            sql::projects::UPDATES_OF,
            [initiative.0, limit_of(limit)],
            rows::update,
        )
    }

    async fn updates_by(&mut self, author: ActorId) -> StoreResult<Vec<ProgressUpdate>> {
        self.all(sql::projects::UPDATES_BY, [author.0], rows::update)
    }

    async fn updates_by_ids(&mut self, ids: &[i64]) -> StoreResult<Vec<ProgressUpdate>> {
        self.all(
            "SELECT * FROM updates WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
            [json_list(ids.iter().copied())],
            rows::update,
        )
    }

    async fn insert_event(&mut self, new: &NewEvent) -> StoreResult<Event> {
        let (lat, lon) = lat_lon(new.place);
        self.one(
            sql::projects::INSERT_EVENT,
            params![
                new.initiative.0,
                new.title,
                ms(new.starts_at),
                new.tz,
                lat,
                lon,
                new.created_by.0,
                ms(new.created_at)
            ],
            rows::event,
        )
    }

    async fn event(&mut self, id: EventId) -> StoreResult<Option<Event>> {
        self.opt(sql::projects::EVENT, [id.0], rows::event)
    }

    async fn events_of(
        &mut self,
        initiative: InitiativeId,
        from: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>> {
        self.all(
            sql::projects::EVENTS_OF,
            [initiative.0, ms(from)],
            rows::event,
        )
    }

    async fn events_between(
        &mut self,
        initiatives: &[InitiativeId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>> {
        let ids = json_list(initiatives.iter().map(|i| i.0));
        heavy(|| {
            self.all(
                "SELECT * FROM events WHERE initiative_id IN (SELECT value FROM json_each(?))
                 AND starts_at >= ? AND starts_at < ? ORDER BY starts_at, id",
                params![ids, ms(from), ms(to)],
                rows::event,
            )
        })
    }

    async fn events_starting(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>> {
        self.all(
            sql::projects::EVENTS_STARTING,
            [ms(from), ms(to)],
            rows::event,
        )
    }

    async fn set_rsvp(&mut self, r: &Rsvp) -> StoreResult<()> {
        self.changes(
            sql::projects::SET_RSVP,
            params![r.event.0, r.actor.0, r.answer.key(), ms(r.at)],
        )
        .map(drop)
    }

    async fn rsvps(&mut self, event: EventId) -> StoreResult<Vec<Rsvp>> {
        self.all(sql::projects::RSVPS, [event.0], rows::rsvp)
    }

    async fn rsvps_of(&mut self, actor: ActorId) -> StoreResult<Vec<Rsvp>> {
        self.all(sql::projects::RSVPS_OF, [actor.0], rows::rsvp)
    }
}
