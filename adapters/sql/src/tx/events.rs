//! [`Events`] on a SQL store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kohero_core::domain::*;
use kohero_core::ports::{Events, StoreResult};

use super::{SqlTx, limit_of, not_found};
use crate::exec::{Conn, Value};
use crate::statements::events as sql;
use crate::{lat_lon, ms};

#[async_trait]
impl<C: Conn> Events for SqlTx<C> {
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
                ms(new.created_at),
                i64::from(new.minutes)
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

    async fn events_in(
        &mut self,
        commune: &InseeCode,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<Event>> {
        self.all_heavy(
            sql::EVENTS_IN,
            &values![commune.as_str(), ms(from), ms(to), limit_of(limit)],
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

    async fn change_event(&mut self, e: &Event) -> StoreResult<()> {
        let Some(before) = self.event(e.id).await? else {
            return not_found("event", 0);
        };
        let (lat, lon) = lat_lon(e.place);
        self.changes(
            sql::CHANGE_EVENT,
            &values![
                e.id.0,
                &e.title,
                ms(e.starts_at),
                &e.tz,
                lat,
                lon,
                i64::from(e.minutes),
                i64::from(e.sequence),
                e.updated_at.map(ms),
                e.cancelled_at.map(ms)
            ],
        )
        .await?;
        if before.starts_at != e.starts_at {
            self.changes(sql::FORGET_REMINDERS, &values![e.id.0])
                .await?;
        }
        Ok(())
    }

    async fn calendar_events(
        &mut self,
        initiatives: &[InitiativeId],
        from: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<Event>> {
        let earliest = from - chrono::Duration::minutes(i64::from(EVENT_MINUTES_MAX));
        self.all_heavy(
            sql::CALENDAR_EVENTS,
            &[
                Value::Ints(initiatives.iter().map(|i| i.0).collect()),
                ms(earliest).into(),
                ms(from).into(),
                limit_of(limit).into(),
            ],
            |r| crate::event(r),
        )
        .await
    }
}
