//! A project's events and the answers to them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::*;

use super::StoreResult;

/// A project's events and the answers to them.
#[async_trait]
pub trait Events: Send {
    async fn insert_event(&mut self, new: &NewEvent) -> StoreResult<Event>;

    async fn event(&mut self, id: EventId) -> StoreResult<Option<Event>>;

    /// Events not cancelled starting at or after `from`, soonest first.
    async fn events_of(
        &mut self,
        initiative: InitiativeId,
        from: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>>;

    /// Events not cancelled of these initiatives starting in `[from, to)`,
    /// soonest first.
    async fn events_between(
        &mut self,
        initiatives: &[InitiativeId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>>;

    /// Events neither cancelled nor hidden of a commune's initiatives not
    /// hidden, starting in `[from, to)`, soonest first, at most `limit`.
    async fn events_in(
        &mut self,
        commune: &InseeCode,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<Event>>;

    /// Events not cancelled starting in `[from, to)`, soonest first.
    async fn events_starting(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>>;

    /// Inserts or replaces the actor's answer.
    async fn set_rsvp(&mut self, rsvp: &Rsvp) -> StoreResult<()>;

    async fn rsvps(&mut self, event: EventId) -> StoreResult<Vec<Rsvp>>;

    async fn rsvps_of(&mut self, actor: ActorId) -> StoreResult<Vec<Rsvp>>;

    /// Writes an event's title, start, zone, place, duration, sequence,
    /// change time and cancellation. When the start moved, its reminders
    /// are due again. MUST return `NotFound` for an unknown event.
    async fn change_event(&mut self, event: &Event) -> StoreResult<()>;

    /// Events of these initiatives, cancelled ones included (calendars show
    /// them as cancelled), hidden ones left out, ending after `from`, soonest
    /// first, at most `limit`.
    async fn calendar_events(
        &mut self,
        initiatives: &[InitiativeId],
        from: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<Event>>;
}
