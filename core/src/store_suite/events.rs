//! The conformance suite of one port (see `ports::events`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;

use super::{actor, initiative, p, t0};
use crate::domain::*;
use crate::ports::{Store, StoreError};

/// An event changes, moves (its reminders due again) and is cancelled: lists
/// for chats leave it out, calendars keep it; a hidden one is in neither.
pub async fn changes_cancellations_and_calendars(store: &dyn Store) {
    let a = actor(store, "a").await;
    let i = initiative(store, a.id, "I", None).await;
    let j = initiative(store, a.id, "J", None).await;
    let mut tx = store.begin().await.unwrap();
    let new = |initiative: InitiativeId, title: &str, h: i64, minutes: u32| NewEvent {
        initiative,
        title: title.into(),
        starts_at: t0() + Duration::hours(h),
        tz: "Europe/Paris".into(),
        place: None,
        minutes,
        created_by: a.id,
        created_at: t0(),
    };
    let e = tx
        .insert_event(&new(i.id, "Atelier « vélo »", 48, 90))
        .await
        .unwrap();
    assert_eq!(
        (e.minutes, e.sequence, e.updated_at, e.cancelled_at),
        (90, 0, None, None)
    );
    assert_eq!(e.ends_at(), e.starts_at + Duration::minutes(90));
    let long = tx
        .insert_event(&new(j.id, "Fête", -30, 2 * 24 * 60))
        .await
        .unwrap();
    let over = tx.insert_event(&new(j.id, "Passé", -30, 60)).await.unwrap();
    let gone = tx.insert_event(&new(j.id, "Caché", 10, 60)).await.unwrap();
    tx.set_hidden(Target::Event(gone.id), Some(t0()))
        .await
        .unwrap();

    // Reminders sent, then the event moves: they are due again.
    assert!(tx.record_reminder(e.id, Reminder::Day).await.unwrap());
    let mut moved = e.clone();
    moved.title = "Atelier vélo & co".into();
    moved.starts_at = e.starts_at + Duration::hours(24);
    moved.place = Some(p(45.5, 4.5));
    moved.minutes = 180;
    moved.sequence = 1;
    moved.updated_at = Some(t0() + Duration::minutes(5));
    tx.change_event(&moved).await.unwrap();
    assert_eq!(tx.event(e.id).await.unwrap().unwrap(), moved);
    assert!(tx.record_reminder(e.id, Reminder::Day).await.unwrap());
    // A change that keeps the start keeps the reminders.
    let mut renamed = moved.clone();
    renamed.title = "Atelier".into();
    renamed.sequence = 2;
    tx.change_event(&renamed).await.unwrap();
    assert!(!tx.record_reminder(e.id, Reminder::Day).await.unwrap());

    let mut cancelled = renamed.clone();
    cancelled.cancelled_at = Some(t0() + Duration::minutes(9));
    cancelled.sequence = 3;
    tx.change_event(&cancelled).await.unwrap();
    assert_eq!(tx.event(e.id).await.unwrap().unwrap(), cancelled);
    assert!(tx.events_of(i.id, t0()).await.unwrap().is_empty());
    assert!(
        tx.events_between(&[i.id], t0(), t0() + Duration::days(9))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        tx.events_starting(t0(), t0() + Duration::days(9))
            .await
            .unwrap()
            .iter()
            .all(|x| x.id != e.id)
    );
    // Calendars: cancelled kept, hidden and ended left out, one still going
    // (started 30 h ago, lasting two days) kept; soonest first; a limit.
    let ids = |v: Vec<Event>| v.into_iter().map(|e| e.id).collect::<Vec<_>>();
    assert_eq!(
        ids(tx.calendar_events(&[i.id, j.id], t0(), 10).await.unwrap()),
        vec![long.id, e.id]
    );
    assert_eq!(
        ids(tx.calendar_events(&[i.id, j.id], t0(), 1).await.unwrap()),
        vec![long.id]
    );
    assert!(
        ids(tx
            .calendar_events(&[j.id], t0() - Duration::days(3), 10)
            .await
            .unwrap())
        .contains(&over.id)
    );
    assert!(tx.calendar_events(&[], t0(), 10).await.unwrap().is_empty());

    let unknown = Event {
        id: EventId(987_654),
        ..cancelled
    };
    assert!(matches!(
        tx.change_event(&unknown).await,
        Err(StoreError::NotFound(_))
    ));
    tx.commit().await.unwrap();
}
