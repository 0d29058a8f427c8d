//! The ports: what core needs from the outside world. Stores implement [`Store`]
//! (SQLite and PostgreSQL, in their own crates; both pass the conformance suite
//! in `store_suite`); time comes from a [`Clock`].
//!
//! Every change the engine makes for one incoming message happens inside one
//! [`Tx`]: dropping it without [`Tx::commit`] rolls everything back, so a refusal
//! or a failure never leaves a partial write.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::*;
use crate::geo::BoundingBox;

/// The error a database driver (or the store itself) gave, kept whole as the
/// source of a [`StoreError::Backend`].
pub type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong inside a store. Users never see these details.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or answered with an error (the
    /// driver's error is the source).
    #[error("database error: {0}")]
    Backend(#[source] Source),
    /// A row the caller said exists does not (a bug or a concurrent delete).
    #[error("not found: {0}")]
    NotFound(String),
    /// A unique constraint refused the write (e.g. an identity already taken).
    #[error("duplicate: {0}")]
    Duplicate(String),
    /// A stored value could not be read back into the domain (corrupt row).
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A database of Kohero's state.
#[async_trait]
pub trait Store: Send + Sync {
    /// Starts a transaction. Stores serialise writers so that a transaction sees a
    /// consistent state from its first read to its commit.
    async fn begin(&self) -> StoreResult<Box<dyn Tx>>;
}

/// One transaction. Methods that write return [`StoreError::NotFound`] when the row
/// they change does not exist; reads return `None` or an empty list instead.
#[async_trait]
pub trait Tx: Send {
    async fn commit(self: Box<Self>) -> StoreResult<()>;

    /// Marks a point this transaction can come back to (one level).
    async fn savepoint(&mut self) -> StoreResult<()>;
    /// Undoes everything since the savepoint, which stays in place.
    async fn rollback_to_savepoint(&mut self) -> StoreResult<()>;
    /// Forgets the savepoint, keeping what was done since.
    async fn release_savepoint(&mut self) -> StoreResult<()>;

    // Actors and identities
    /// The actor behind an identity, if it was ever seen.
    async fn actor_by_identity(&mut self, identity: &Identity) -> StoreResult<Option<Actor>>;
    /// Creates a citizen with this identity. `Duplicate` if the identity is taken.
    async fn insert_actor(&mut self, new: &NewActor) -> StoreResult<Actor>;
    async fn actor(&mut self, id: ActorId) -> StoreResult<Option<Actor>>;
    /// Writes every field of the actor (kind, name, language, verification,
    /// location, communes). Only organisations speak for communes: a citizen's
    /// communes are not kept.
    async fn update_actor(&mut self, actor: &Actor) -> StoreResult<()>;
    async fn identities_of(&mut self, id: ActorId) -> StoreResult<Vec<Identity>>;
    /// Deletes the actor and everything that is only theirs: identities,
    /// memberships, RSVPs, subscriptions, dialogue, undelivered messages, and
    /// other people's alerts that name them. What they wrote for others
    /// (initiatives, updates, events) stays, without author.
    async fn delete_actor(&mut self, id: ActorId) -> StoreResult<()>;

    // Initiatives
    async fn insert_initiative(&mut self, new: &NewInitiative) -> StoreResult<Initiative>;
    async fn initiative(&mut self, id: InitiativeId) -> StoreResult<Option<Initiative>>;
    async fn update_initiative(&mut self, initiative: &Initiative) -> StoreResult<()>;
    /// Initiatives with a place inside the box (any status), unordered.
    async fn initiatives_in_box(&mut self, bbox: &BoundingBox) -> StoreResult<Vec<Initiative>>;
    /// Initiatives whose normalised title and description contain every word as a
    /// word prefix ([`crate::text::search_document`]); at most `limit`, any order;
    /// none for no words.
    async fn search_initiatives(
        &mut self,
        words: &[String],
        limit: usize,
    ) -> StoreResult<Vec<Initiative>>;
    /// Every live initiative with a place, for the nearby index.
    async fn located_initiatives(&mut self) -> StoreResult<Vec<crate::places::Located>>;
    /// The newest initiative change (0 if none): where a nearby index loaded now
    /// starts following changes.
    async fn initiative_changes_cursor(&mut self) -> StoreResult<i64>;
    /// Initiatives written after change `cursor` (at most `limit` changes, in
    /// commit order), each with its index row now (`None`: not live or no place),
    /// and the cursor after them.
    async fn initiative_changes(
        &mut self,
        cursor: i64,
        limit: usize,
    ) -> StoreResult<(i64, Vec<(InitiativeId, Option<crate::places::Located>)>)>;
    async fn initiatives_created_by(&mut self, actor: ActorId) -> StoreResult<Vec<Initiative>>;

    // Memberships
    async fn membership(
        &mut self,
        initiative: InitiativeId,
        actor: ActorId,
    ) -> StoreResult<Option<Membership>>;
    /// Inserts or replaces the actor's one membership of the initiative.
    async fn set_membership(&mut self, membership: &Membership) -> StoreResult<()>;
    async fn remove_membership(
        &mut self,
        initiative: InitiativeId,
        actor: ActorId,
    ) -> StoreResult<()>;
    /// Members of an initiative, longest-standing first.
    async fn members(&mut self, initiative: InitiativeId) -> StoreResult<Vec<Membership>>;
    async fn memberships_of(&mut self, actor: ActorId) -> StoreResult<Vec<Membership>>;

    // Progress updates
    async fn insert_update(
        &mut self,
        initiative: InitiativeId,
        author: ActorId,
        text: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<ProgressUpdate>;
    async fn update_by_id(&mut self, id: UpdateId) -> StoreResult<Option<ProgressUpdate>>;
    /// Newest first.
    async fn updates_of(
        &mut self,
        initiative: InitiativeId,
        limit: usize,
    ) -> StoreResult<Vec<ProgressUpdate>>;
    async fn updates_by(&mut self, author: ActorId) -> StoreResult<Vec<ProgressUpdate>>;

    // Events and RSVPs
    async fn insert_event(&mut self, new: &NewEvent) -> StoreResult<Event>;
    async fn event(&mut self, id: EventId) -> StoreResult<Option<Event>>;
    /// Events starting at or after `from`, soonest first.
    async fn events_of(
        &mut self,
        initiative: InitiativeId,
        from: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>>;
    /// Inserts or replaces the actor's answer.
    async fn set_rsvp(&mut self, rsvp: &Rsvp) -> StoreResult<()>;
    async fn rsvps(&mut self, event: EventId) -> StoreResult<Vec<Rsvp>>;
    async fn rsvps_of(&mut self, actor: ActorId) -> StoreResult<Vec<Rsvp>>;

    // Subscriptions
    async fn insert_subscription(&mut self, new: &NewSubscription) -> StoreResult<Subscription>;
    async fn subscriptions_of(&mut self, actor: ActorId) -> StoreResult<Vec<Subscription>>;
    /// Deletes all of the actor's subscriptions; returns how many there were.
    async fn delete_subscriptions_of(&mut self, actor: ActorId) -> StoreResult<usize>;

    // Dialogue state (one per actor, opaque to the store)
    async fn dialogue(&mut self, actor: ActorId) -> StoreResult<Option<String>>;
    /// Stores the state, or clears it with `None`.
    async fn set_dialogue(&mut self, actor: ActorId, state: Option<&str>) -> StoreResult<()>;

    // News feed
    async fn insert_activity(&mut self, new: &NewActivity) -> StoreResult<Activity>;
    /// Activity of these initiatives, newest first.
    async fn activity_of(
        &mut self,
        initiatives: &[InitiativeId],
        offset: usize,
        limit: usize,
    ) -> StoreResult<Vec<Activity>>;

    // Outbox: every message to send, written with the change that causes it
    /// Adds a message. `Duplicate` if its key is already in the outbox.
    async fn enqueue(&mut self, new: &NewOutgoing) -> StoreResult<i64>;
    /// Adds many messages (a digest). `Duplicate`, and none added, if a key is
    /// already in the outbox.
    async fn enqueue_many(&mut self, messages: &[NewOutgoing]) -> StoreResult<()>;
    /// Pending messages to one address, oldest first (the console delivers these).
    async fn pending_to(&mut self, to: &Address) -> StoreResult<Vec<Outgoing>>;
    /// Pending messages for a person, oldest first.
    async fn pending_for(&mut self, recipient: ActorId) -> StoreResult<Vec<Outgoing>>;
    /// Takes up to `limit` due messages of a network (interactive first, then
    /// oldest), not claimed by another worker, and claims them until `lease_until`.
    async fn claim(
        &mut self,
        network: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<Outgoing>>;
    /// The network accepted the message.
    async fn mark_sent(&mut self, id: i64, at: DateTime<Utc>) -> StoreResult<()>;
    /// A failure worth retrying: counts the attempt, keeps the error, releases the
    /// claim and makes the message due again at `next_at`.
    async fn mark_retry(&mut self, id: i64, next_at: DateTime<Utc>, error: &str)
    -> StoreResult<()>;
    /// A failure that will not heal: counts the attempt and stops retrying.
    async fn mark_failed(&mut self, id: i64, error: &str, at: DateTime<Utc>) -> StoreResult<()>;
    /// Releases a claim without counting an attempt (a worker stopping).
    async fn release(&mut self, id: i64) -> StoreResult<()>;
    /// Releases every claim on a network's pending messages (a process taking
    /// over the network's lease: the claims were the previous holder's). Returns
    /// how many.
    async fn release_claims(&mut self, network: &str) -> StoreResult<u64>;
    /// Takes the lease `name` for `holder` until `until`, or renews it: only if
    /// nobody holds it, it expired by `now`, or `holder` already holds it.
    /// Returns whether `holder` holds it now.
    async fn acquire_lease(
        &mut self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Gives the lease up, if `holder` holds it (a process stopping).
    async fn release_lease(&mut self, name: &str, holder: &str) -> StoreResult<()>;
    /// Who holds (or last held) the lease `name`, and until when.
    async fn lease_holder(&mut self, name: &str) -> StoreResult<Option<(String, DateTime<Utc>)>>;
    /// Takes the lease `name` from `from` (known dead) for `holder` until
    /// `until`, only if `from` still holds it. Returns whether it was taken.
    async fn take_lease_from(
        &mut self,
        name: &str,
        from: &str,
        holder: &str,
        until: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Nobody can be reached there any more (blocked the bot, chat gone): records it
    /// and fails its pending messages. Returns how many were failed.
    async fn set_unreachable(
        &mut self,
        to: &Address,
        reason: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<usize>;
    /// Whether an address was found unreachable (and has not written since).
    async fn is_unreachable(&mut self, to: &Address) -> StoreResult<bool>;
    /// The address wrote again: it is reachable.
    async fn clear_unreachable(&mut self, to: &Address) -> StoreResult<()>;
    async fn outbox_stats(&mut self, network: &str) -> StoreResult<OutboxStats>;

    // Rooms: chats that belong to an initiative
    /// Makes a chat the initiative's (replacing what it belonged to).
    async fn link_room(
        &mut self,
        room: &Address,
        initiative: InitiativeId,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The initiative a chat belongs to.
    async fn room_initiative(&mut self, room: &Address) -> StoreResult<Option<InitiativeId>>;
    /// The chats of an initiative.
    async fn rooms_of(&mut self, initiative: InitiativeId) -> StoreResult<Vec<Address>>;
    /// The initiatives whose chat lies inside this one (the topics of a forum,
    /// written `FORUM/THREAD`), by id.
    async fn initiatives_within(&mut self, forum: &Address) -> StoreResult<Vec<InitiativeId>>;
    /// A chat changed its id (a Telegram group became a supergroup).
    async fn move_room(&mut self, from: &Address, to: &Address) -> StoreResult<()>;

    /// Makes a forum chat the commune's (replacing what it was).
    async fn link_forum(
        &mut self,
        forum: &Address,
        commune: &InseeCode,
        by: ActorId,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The forum chats of a commune.
    async fn forums_of(&mut self, commune: &InseeCode) -> StoreResult<Vec<Address>>;
    /// The commune a forum chat belongs to, if it is one.
    async fn forum_commune(&mut self, forum: &Address) -> StoreResult<Option<InseeCode>>;

    // Buttons
    /// Keeps a button's command for a network whose buttons carry only a short id;
    /// the same command always gets the same id, and `at` is when it was last
    /// given out (see [`Tx::prune_actions`]).
    async fn remember_action(&mut self, command: &str, at: DateTime<Utc>) -> StoreResult<i64>;
    /// The command behind a button id, if it was ever given out.
    async fn recall_action(&mut self, id: i64) -> StoreResult<Option<String>>;

    // Network adapters' own state
    /// A value an adapter keeps for itself (Matrix session, sync position,
    /// the Space of a commune, the numbered choices last shown in a room).
    async fn network_state(&mut self, network: &str, key: &str) -> StoreResult<Option<String>>;
    /// Sets (`Some`) or removes (`None`) an adapter's value.
    async fn set_network_state(
        &mut self,
        network: &str,
        key: &str,
        value: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Sets an adapter's value that may go once it is older than the retention
    /// time: [`Tx::prune`] removes it with sent messages (the choices of a
    /// message, answered by reactions).
    async fn set_network_state_for_a_while(
        &mut self,
        network: &str,
        key: &str,
        value: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Removes what adapters keep about a person (`who`, their id on `network`):
    /// values equal to it and keys ending in `:who`. Returns how many went.
    async fn forget_network_state(&mut self, network: &str, who: &str) -> StoreResult<u64>;

    // Digests
    /// The verified municipalities that speak for a commune.
    async fn municipalities_of(&mut self, commune: &InseeCode) -> StoreResult<Vec<Actor>>;
    async fn digest_plan(&mut self, municipality: ActorId) -> StoreResult<Option<DigestPlan>>;
    /// Inserts or replaces the municipality's plan.
    async fn save_digest_plan(&mut self, plan: &DigestPlan) -> StoreResult<()> {
        self.save_digest_plans(std::slice::from_ref(plan)).await
    }
    /// Plans whose next run is at or before `now`.
    async fn due_digest_plans(&mut self, now: DateTime<Utc>) -> StoreResult<Vec<DigestPlan>>;
    /// Records that the municipality's digest of `tick` was queued; `false` if it
    /// already was (another process, or a run repeated after a crash).
    async fn claim_digest_tick(
        &mut self,
        municipality: ActorId,
        tick: DateTime<Utc>,
    ) -> StoreResult<bool> {
        Ok(!self
            .claim_digest_ticks(&[(municipality, tick)])
            .await?
            .is_empty())
    }
    /// [`Tx::claim_digest_tick`] for many; returns the municipalities whose tick
    /// this call claimed.
    async fn claim_digest_ticks(
        &mut self,
        ticks: &[(ActorId, DateTime<Utc>)],
    ) -> StoreResult<Vec<ActorId>>;
    /// [`Tx::save_digest_plan`] for many (one statement).
    async fn save_digest_plans(&mut self, plans: &[DigestPlan]) -> StoreResult<()>;
    /// Initiatives of these communes (any status), by id.
    async fn initiatives_in_communes(
        &mut self,
        communes: &[InseeCode],
    ) -> StoreResult<Vec<Initiative>>;
    /// Activity of these initiatives at or after `since`, oldest first.
    async fn activity_since(
        &mut self,
        initiatives: &[InitiativeId],
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<Activity>>;
    /// Events of these initiatives starting in `[from, to)`, soonest first.
    async fn events_between(
        &mut self,
        initiatives: &[InitiativeId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>>;
    /// Subscriptions to one of these communes, or to an area (no commune) whose
    /// centre lies in the box (callers check the distance).
    async fn subscriptions_near(
        &mut self,
        communes: &[InseeCode],
        bbox: &BoundingBox,
    ) -> StoreResult<Vec<Subscription>>;

    /// These actors (with their communes), by id; unknown ids left out.
    async fn actors_by_ids(&mut self, ids: &[ActorId]) -> StoreResult<Vec<Actor>>;
    /// The plans of these municipalities (those that have one).
    async fn digest_plans_of(&mut self, ids: &[ActorId]) -> StoreResult<Vec<DigestPlan>>;
    /// These progress updates, by id; unknown ids left out.
    async fn updates_by_ids(&mut self, ids: &[i64]) -> StoreResult<Vec<ProgressUpdate>>;
    /// The identities of these actors that can still be reached (not marked
    /// unreachable), each with its actor's language, by actor then in the order
    /// of [`Tx::identities_of`].
    async fn reachable_identities(
        &mut self,
        ids: &[ActorId],
    ) -> StoreResult<Vec<(ActorId, Lang, Identity)>>;

    // Alerts and reminders
    async fn queue_alert(&mut self, alert: &NewAlert) -> StoreResult<()>;
    /// People with alerts waiting whose batch is not held past `now`.
    async fn alerted_actors(&mut self, now: DateTime<Utc>) -> StoreResult<Vec<ActorId>>;
    /// The person's waiting alerts, oldest first.
    async fn alerts_of(&mut self, actor: ActorId) -> StoreResult<Vec<Alert>>;
    /// Deletes the person's alerts up to and including id `upto`.
    async fn delete_alerts(&mut self, actor: ActorId, upto: i64) -> StoreResult<()>;
    /// The person's settings (the defaults if never set).
    async fn alert_prefs(&mut self, actor: ActorId) -> StoreResult<AlertPrefs>;
    async fn set_alert_prefs(&mut self, actor: ActorId, prefs: &AlertPrefs) -> StoreResult<()>;
    /// Events starting in `[from, to)`, soonest first.
    async fn events_starting(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>>;
    /// Records that an event's reminder went out; `false` if it already had.
    async fn claim_reminder(&mut self, event: EventId, which: Reminder) -> StoreResult<bool>;

    // Exactly-once intake
    /// Records a network's event id; `false` if it was already recorded.
    async fn record_event(
        &mut self,
        network: &str,
        event_id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Records that handling a network's event failed for a reason not the
    /// person's (`why`), so that it is not handed again; replaces a record of
    /// the same event.
    async fn record_failed_event(
        &mut self,
        network: &str,
        event_id: &str,
        why: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Deletes sent or failed messages, seen event ids and temporary network
    /// state older than `before`; returns how many rows went.
    async fn prune(&mut self, before: DateTime<Utc>) -> StoreResult<u64>;
    /// Deletes button actions not given out since `before` (a button older than
    /// that says it is no longer valid); returns how many went.
    async fn prune_actions(&mut self, before: DateTime<Utc>) -> StoreResult<u64>;
}

/// The time. Tests use a fixed or stepped clock.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Why a network did not take a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Too many requests: the network says when to try again (Telegram 429
    /// `retry_after`, Matrix `M_LIMIT_EXCEEDED` `retry_after_ms`).
    #[error("rate limited: retry after {after:?}")]
    RetryAfter {
        after: std::time::Duration,
        /// The limit is this chat's only (not the whole bot's).
        chat_only: bool,
    },
    /// Worth retrying later: a 5xx, a dropped connection.
    #[error("temporary failure: {0}")]
    Temporary(String),
    /// The message itself is refused (malformed, too long): retrying cannot help.
    #[error("refused: {0}")]
    Permanent(String),
    /// Nobody can be reached at this address (the person blocked the bot, the
    /// chat is gone): stop sending there.
    #[error("unreachable: {0}")]
    Unreachable(String),
}

/// A network's way of delivering outbox messages (the messaging port). Adapters
/// render the [`crate::reply::Reply`] their own way.
#[async_trait]
pub trait Sender: Send + Sync {
    /// The network's name in identities and addresses (`telegram`, `matrix`).
    fn network(&self) -> &str;
    /// Whether a chat is a group (group limits apply).
    fn is_group(&self, chat: &str) -> bool;
    /// Delivers one message; `Ok` once the network accepted it.
    async fn send(&self, message: &Outgoing) -> Result<(), SendError>;
    /// How many network messages `send` makes of it (a long reply on
    /// Telegram): the worker gives each the send timeout.
    fn parts(&self, _message: &Outgoing) -> usize {
        1
    }
    /// Whether it can send now (a network connected only while this process
    /// holds its lease may not be yet): the delivery worker waits meanwhile.
    fn ready(&self) -> bool {
        true
    }
    /// Whether the network no longer limits the bot (the limiter steps aside).
    fn unlimited(&self) -> bool {
        false
    }
}

/// For a network adapter's polling loop: waits until this process holds the
/// network's lease (`held` true; only the holder polls, see `kohero serve`).
/// Returns false when `stop` turns true first.
pub async fn until_held(
    held: &mut tokio::sync::watch::Receiver<bool>,
    stop: &mut tokio::sync::watch::Receiver<bool>,
) -> bool {
    loop {
        if *stop.borrow() {
            return false;
        }
        if *held.borrow_and_update() {
            return true;
        }
        tokio::select! {
            r = stop.changed() => if r.is_err() { return false },
            r = held.changed() => if r.is_err() { return false },
        }
    }
}
