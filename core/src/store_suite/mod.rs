//! The store conformance suite, written once: every store crate runs it with
//! `kohero_core::store_suite!(make_store_expression);` in its tests. A store
//! that passes behaves like the others.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, TimeZone, Utc};

use crate::domain::*;
use crate::geo::GeoPoint;
use crate::ports::{ChangeCursor, Store};
use crate::reply::Reply;

pub mod adapter_state;
pub mod consultations;
pub mod democracy;
pub mod events;
pub mod initiatives;
pub mod intake;
pub mod leases;
pub mod moderation;
pub mod needs;
pub mod organisations;
pub mod outbox;
pub mod people;
pub mod projects;
pub mod rooms;
pub mod schedules;
pub mod transactions;

/// Generates one `#[tokio::test]` per suite function, each on a fresh store,
/// in a module per port.
#[macro_export]
macro_rules! store_suite {
    ($make:expr) => {
        mod store_suite {
            #[allow(unused_imports)]
            use super::*;
            mod people {
                #[allow(unused_imports)]
                use super::*;
                $crate::store_suite!(@tests people, $make; actors_and_identities, subscriptions_and_dialogues, forgetting_an_actor, actors_by_id_and_their_reachable_identities, linked_identities);
            }
            mod initiatives {
                #[allow(unused_imports)]
                use super::*;
                $crate::store_suite!(@tests initiatives, $make; initiatives, search_by_word_prefix, located_initiatives_for_the_index, activity_feed, commune_pages);
            }
            mod projects {
                #[allow(unused_imports)]
                use super::*;
                $crate::store_suite!(@tests projects, $make; memberships, updates_events_rsvps, updates_by_id);
            }
            mod outbox {
                #[allow(unused_imports)]
                use super::*;
                $crate::store_suite!(@tests outbox, $make; outbox, a_claim_takes_a_few_of_each_chat);
            }
            mod leases {
                #[allow(unused_imports)]
                use super::*;
                $crate::store_suite!(@tests leases, $make; leases_and_claims);
            }
            mod intake {
                #[allow(unused_imports)]
                use super::*;
                $crate::store_suite!(@tests intake, $make; exactly_once_intake);
            }
            mod schedules {
                #[allow(unused_imports)]
                use super::*;
                $crate::store_suite!(@tests schedules, $make; digests_alerts_and_reminders, sent_digests_for_pages);
            }
            mod rooms {
                #[allow(unused_imports)]
                use super::*;
                $crate::store_suite!(@tests rooms, $make; rooms, posts_kept_to_be_taken_back, relays_and_their_copies);
            }
            mod moderation {
                #[allow(unused_imports)]
                use super::*;
                $crate::store_suite!(@tests moderation, $make; reports_and_hiding, moderators_bans_and_the_log);
            }
            mod events {
                #[allow(unused_imports)]
                use super::*;
                $crate::store_suite!(@tests events, $make; changes_cancellations_and_calendars);
            }
            mod consultations {
                #[allow(unused_imports)]
                use super::*;
                $crate::store_suite!(@tests consultations, $make; votes_counts_and_the_close);
            }
            mod democracy {
                #[allow(unused_imports)]
                use super::*;
                $crate::store_suite!(@tests democracy, $make; town_answers);
            }
            mod needs {
                #[allow(unused_imports)]
                use super::*;
                $crate::store_suite!(@tests needs, $make; needs_offers_and_partners, open_needs_in_the_index_feed_and_skilled_people);
            }
            mod organisations {
                #[allow(unused_imports)]
                use super::*;
                $crate::store_suite!(@tests organisations, $make; profiles_teams_and_carried_initiatives, the_actors_index_feed);
            }
            mod adapter_state {
                #[allow(unused_imports)]
                use super::*;
                $crate::store_suite!(@tests adapter_state, $make; button_actions, network_state, what_adapters_keep_for_a_while_and_about_people);
            }
            mod transactions {
                #[allow(unused_imports)]
                use super::*;
                $crate::store_suite!(@tests transactions, $make; rollback_leaves_nothing, savepoints_undo_part_of_a_transaction, missing_rows_are_not_found, reads_wait_for_no_writer_and_write_nothing, row_transactions_claim_and_commit);
            }
        }
    };
    (@tests $module:ident, $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test]
            async fn $name() {
                let store = $make;
                $crate::store_suite::$module::$name(&store).await;
            }
        )*
    };
}

pub(crate) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 10, 0, 0).unwrap()
}

pub(crate) fn p(lat: f64, lon: f64) -> GeoPoint {
    GeoPoint::new(lat, lon).unwrap()
}

/// The initiative changes after `cursor`, read (in a read transaction of
/// their own) until `done` holds of them, for at most 5 s, then once more
/// for the caller's assertions to say what is missing. A change log is read
/// up to the oldest transaction still running: on PostgreSQL another
/// test's transaction on the same server may hold a committed change back
/// for a moment.
pub(crate) async fn initiative_changes_seen(
    store: &dyn Store,
    cursor: &ChangeCursor,
    done: impl Fn(
        &(
            ChangeCursor,
            Vec<(InitiativeId, Option<crate::places::Located>)>,
        ),
    ) -> bool,
) -> (
    ChangeCursor,
    Vec<(InitiativeId, Option<crate::places::Located>)>,
) {
    let read = || async {
        let mut r = store.read().await.unwrap();
        r.initiative_changes(cursor, 100).await.unwrap()
    };
    until(read, done).await
}

/// The actor changes after `cursor`, as [`initiative_changes_seen`].
pub(crate) async fn actor_changes_seen(
    store: &dyn Store,
    cursor: &ChangeCursor,
    done: impl Fn(&(ChangeCursor, Vec<(ActorId, Option<LocatedActor>)>)) -> bool,
) -> (ChangeCursor, Vec<(ActorId, Option<LocatedActor>)>) {
    let read = || async {
        let mut r = store.read().await.unwrap();
        r.actor_changes(cursor, 100).await.unwrap()
    };
    until(read, done).await
}

async fn until<T, F, Fut>(mut read: F, done: impl Fn(&T) -> bool) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    for _ in 0..200 {
        let v = read().await;
        if done(&v) {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    read().await
}

pub(crate) async fn actor(store: &dyn Store, name: &str) -> Actor {
    let mut tx = store.begin().await.unwrap();
    let a = tx
        .insert_actor(&NewActor {
            identity: Identity::new("test", name),
            display_name: name.to_owned(),
            lang: Lang::Fr,
            created_at: t0(),
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    a
}

pub(crate) async fn initiative(
    store: &dyn Store,
    by: ActorId,
    title: &str,
    place: Option<GeoPoint>,
) -> Initiative {
    let mut tx = store.begin().await.unwrap();
    let i = tx
        .insert_initiative(&NewInitiative {
            title: title.to_owned(),
            description: "Une description".to_owned(),
            category: Category::Compost,
            place,
            commune: InseeCode::parse("69266"),
            created_by: by,
            created_at: t0(),
            carried_by: None,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    i
}

pub(crate) fn out(
    to: &Address,
    recipient: Option<ActorId>,
    text: &str,
    key: &str,
    priority: Priority,
    at: DateTime<Utc>,
) -> NewOutgoing {
    NewOutgoing {
        priority,
        ..NewOutgoing::message(to, Reply::text(text), key.to_owned(), at).for_person(recipient)
    }
}
