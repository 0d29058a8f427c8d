//! [`Projects`] on a SQL store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kohero_core::domain::*;
use kohero_core::ports::{Projects, StoreResult};

use super::{SqlTx, limit_of, not_found};
use crate::exec::{Conn, Value};
use crate::statements::projects as sql;
use crate::{lat_lon, ms};

#[async_trait]
impl<C: Conn> Projects for SqlTx<C> {
    async fn membership(
        &mut self,
        initiative: InitiativeId,
        actor: ActorId,
    ) -> StoreResult<Option<Membership>> {
        self.opt(sql::MEMBERSHIP, &values![initiative.0, actor.0], |r| {
            crate::membership(r)
        })
        .await
    }

    async fn set_membership(&mut self, m: &Membership) -> StoreResult<()> {
        self.changes(
            sql::SET_MEMBERSHIP,
            &values![m.initiative.0, m.actor.0, m.role.key(), ms(m.since)],
        )
        .await
        .map(drop)
    }

    async fn remove_membership(
        &mut self,
        initiative: InitiativeId,
        actor: ActorId,
    ) -> StoreResult<()> {
        let n = self
            .changes(sql::REMOVE_MEMBERSHIP, &values![initiative.0, actor.0])
            .await?;
        not_found("membership", n)
    }

    async fn members(&mut self, initiative: InitiativeId) -> StoreResult<Vec<Membership>> {
        self.all(sql::MEMBERS, &values![initiative.0], |r| {
            crate::membership(r)
        })
        .await
    }

    async fn memberships_of(&mut self, actor: ActorId) -> StoreResult<Vec<Membership>> {
        self.all(sql::MEMBERSHIPS_OF, &values![actor.0], |r| {
            crate::membership(r)
        })
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
            sql::INSERT_UPDATE,
            &values![initiative.0, author.0, text, ms(at)],
            |r| crate::update(r),
        )
        .await
    }

    async fn update_by_id(&mut self, id: UpdateId) -> StoreResult<Option<ProgressUpdate>> {
        self.opt(sql::UPDATE_BY_ID, &values![id.0], |r| crate::update(r))
            .await
    }

    async fn updates_of(
        &mut self,
        initiative: InitiativeId,
        limit: usize,
    ) -> StoreResult<Vec<ProgressUpdate>> {
        self.all(
            sql::UPDATES_OF,
            &values![initiative.0, limit_of(limit)],
            |r| crate::update(r),
        )
        .await
    }

    async fn updates_by(&mut self, author: ActorId) -> StoreResult<Vec<ProgressUpdate>> {
        self.all(sql::UPDATES_BY, &values![author.0], |r| crate::update(r))
            .await
    }

    async fn updates_by_ids(&mut self, ids: &[i64]) -> StoreResult<Vec<ProgressUpdate>> {
        self.all(sql::UPDATES_BY_IDS, &[Value::Ints(ids.to_vec())], |r| {
            crate::update(r)
        })
        .await
    }

    async fn insert_event(&mut self, new: &NewEvent) -> StoreResult<Event> {
        let (lat, lon) = lat_lon(new.place);
        self.write_one(
            sql::INSERT_EVENT,
            &values![
                new.initiative.0,
                &new.title,
                ms(new.starts_at),
                &new.tz,
                lat,
                lon,
                new.created_by.0,
                ms(new.created_at)
            ],
            |r| crate::event(r),
        )
        .await
    }

    async fn event(&mut self, id: EventId) -> StoreResult<Option<Event>> {
        self.opt(sql::EVENT, &values![id.0], |r| crate::event(r))
            .await
    }

    async fn events_of(
        &mut self,
        initiative: InitiativeId,
        from: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>> {
        self.all(sql::EVENTS_OF, &values![initiative.0, ms(from)], |r| {
            crate::event(r)
        })
        .await
    }

    async fn events_between(
        &mut self,
        initiatives: &[InitiativeId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>> {
        self.all_heavy(
            sql::EVENTS_BETWEEN,
            &[
                Value::Ints(initiatives.iter().map(|i| i.0).collect()),
                ms(from).into(),
                ms(to).into(),
            ],
            |r| crate::event(r),
        )
        .await
    }

    async fn events_starting(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>> {
        self.all(sql::EVENTS_STARTING, &values![ms(from), ms(to)], |r| {
            crate::event(r)
        })
        .await
    }

    async fn set_rsvp(&mut self, r: &Rsvp) -> StoreResult<()> {
        self.changes(
            sql::SET_RSVP,
            &values![r.event.0, r.actor.0, r.answer.key(), ms(r.at)],
        )
        .await
        .map(drop)
    }

    async fn rsvps(&mut self, event: EventId) -> StoreResult<Vec<Rsvp>> {
        self.all(sql::RSVPS, &values![event.0], |r| crate::rsvp(r))
            .await
    }

    async fn rsvps_of(&mut self, actor: ActorId) -> StoreResult<Vec<Rsvp>> {
        self.all(sql::RSVPS_OF, &values![actor.0], |r| crate::rsvp(r))
            .await
    }
}
