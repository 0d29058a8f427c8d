//! An in-memory store, for tests of the engine. Transactions work on a copy of the
//! state and replace it on commit, one at a time.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::domain::*;
use crate::geo::BoundingBox;
use crate::ports::{Store, StoreError, StoreResult, Tx};
use crate::text::search_document;

#[derive(Debug, Clone, Default)]
struct State {
    next_id: i64,
    actors: BTreeMap<ActorId, Actor>,
    identities: Vec<(Identity, ActorId)>,
    initiatives: BTreeMap<InitiativeId, Initiative>,
    memberships: Vec<Membership>,
    updates: BTreeMap<UpdateId, ProgressUpdate>,
    events: BTreeMap<EventId, Event>,
    rsvps: Vec<Rsvp>,
    subscriptions: BTreeMap<SubscriptionId, Subscription>,
    dialogues: BTreeMap<ActorId, String>,
    activity: Vec<Activity>,
    outbox: Vec<Row>,
    seen: BTreeMap<(String, String), DateTime<Utc>>,
    actions: Vec<String>,
    rooms: BTreeMap<(String, String), InitiativeId>,
    forums: BTreeMap<(String, String), InseeCode>,
    network_state: BTreeMap<(String, String), StateValue>,
    unreachable: BTreeMap<(String, String), DateTime<Utc>>,
    digest_plans: BTreeMap<ActorId, DigestPlan>,
    digest_ticks: BTreeMap<(ActorId, DateTime<Utc>), ()>,
    alerts: Vec<Alert>,
    alert_prefs: BTreeMap<ActorId, AlertPrefs>,
    reminders: BTreeMap<(EventId, &'static str), ()>,
    /// Lease name → (holder, expires at).
    leases: BTreeMap<String, (String, DateTime<Utc>)>,
    /// Initiative writes in order (the change with sequence number n is at n - 1).
    initiative_changes: Vec<InitiativeId>,
}

/// An adapter's value, with its time when it is temporary.
type StateValue = (String, Option<DateTime<Utc>>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowStatus {
    Pending,
    Sent,
    Failed,
}

#[derive(Debug, Clone)]
struct Row {
    out: Outgoing,
    status: RowStatus,
    next_at: DateTime<Utc>,
    claimed_until: Option<DateTime<Utc>>,
    last_error: Option<String>,
    done_at: Option<DateTime<Utc>>,
}

impl State {
    fn next(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }
}

#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
}

struct MemoryTx {
    guard: OwnedMutexGuard<State>,
    work: State,
    saved: Option<State>,
}

impl MemoryTx {
    fn row(&mut self, id: i64) -> StoreResult<&mut Row> {
        self.work
            .outbox
            .iter_mut()
            .find(|r| r.out.id == id)
            .ok_or_else(|| missing("outbox row"))
    }

    /// The events that pass `keep`, soonest first.
    fn events_where(&self, keep: impl Fn(&Event) -> bool) -> Vec<Event> {
        let mut v: Vec<_> = self
            .work
            .events
            .values()
            .filter(|e| keep(e))
            .cloned()
            .collect();
        v.sort_by_key(|e| (e.starts_at, e.id));
        v
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn begin(&self) -> StoreResult<Box<dyn Tx>> {
        let guard = self.state.clone().lock_owned().await;
        let work = guard.clone();
        Ok(Box::new(MemoryTx {
            guard,
            work,
            saved: None,
        }))
    }
}

fn missing(what: &str) -> StoreError {
    StoreError::NotFound(what.to_owned())
}

#[async_trait]
impl Tx for MemoryTx {
    async fn commit(mut self: Box<Self>) -> StoreResult<()> {
        *self.guard = std::mem::take(&mut self.work);
        Ok(())
    }

    async fn savepoint(&mut self) -> StoreResult<()> {
        self.saved = Some(self.work.clone());
        Ok(())
    }

    async fn rollback_to_savepoint(&mut self) -> StoreResult<()> {
        let saved = self.saved.clone().ok_or_else(|| missing("savepoint"))?;
        self.work = saved;
        Ok(())
    }

    async fn release_savepoint(&mut self) -> StoreResult<()> {
        self.saved.take().ok_or_else(|| missing("savepoint"))?;
        Ok(())
    }

    async fn actor_by_identity(&mut self, identity: &Identity) -> StoreResult<Option<Actor>> {
        let s = &self.work;
        Ok(s.identities
            .iter()
            .find(|(i, _)| i == identity)
            .and_then(|(_, a)| s.actors.get(a).cloned()))
    }

    async fn insert_actor(&mut self, new: &NewActor) -> StoreResult<Actor> {
        if self.work.identities.iter().any(|(i, _)| *i == new.identity) {
            return Err(StoreError::Duplicate(new.identity.to_string()));
        }
        let id = ActorId(self.work.next());
        let actor = Actor {
            id,
            kind: ActorKind::Citizen,
            display_name: new.display_name.clone(),
            lang: new.lang,
            tz: "Europe/Paris".to_owned(),
            verified: false,
            communes: Vec::new(),
            location: None,
            created_at: new.created_at,
        };
        self.work.actors.insert(id, actor.clone());
        self.work.identities.push((new.identity.clone(), id));
        Ok(actor)
    }

    async fn actor(&mut self, id: ActorId) -> StoreResult<Option<Actor>> {
        Ok(self.work.actors.get(&id).cloned())
    }

    async fn update_actor(&mut self, actor: &Actor) -> StoreResult<()> {
        let slot = self
            .work
            .actors
            .get_mut(&actor.id)
            .ok_or_else(|| missing("actor"))?;
        *slot = actor.clone();
        if actor.kind == ActorKind::Citizen {
            slot.communes.clear();
        }
        Ok(())
    }

    async fn identities_of(&mut self, id: ActorId) -> StoreResult<Vec<Identity>> {
        let mut v: Vec<Identity> = self
            .work
            .identities
            .iter()
            .filter(|(_, a)| *a == id)
            .map(|(i, _)| i.clone())
            .collect();
        // As the SQLite store orders them.
        v.sort_by(|x, y| (&x.network, &x.id).cmp(&(&y.network, &y.id)));
        Ok(v)
    }

    async fn delete_actor(&mut self, id: ActorId) -> StoreResult<()> {
        let s = &mut self.work;
        s.actors.remove(&id).ok_or_else(|| missing("actor"))?;
        s.identities.retain(|(_, a)| *a != id);
        s.memberships.retain(|m| m.actor != id);
        s.rsvps.retain(|r| r.actor != id);
        s.subscriptions.retain(|_, x| x.actor != id);
        s.dialogues.remove(&id);
        s.outbox.retain(|r| r.out.recipient != Some(id));
        s.digest_plans.remove(&id);
        s.digest_ticks.retain(|(a, _), ()| *a != id);
        s.alerts.retain(|a| a.actor != id);
        s.alert_prefs.remove(&id);
        for i in s.initiatives.values_mut() {
            if i.created_by == Some(id) {
                i.created_by = None;
            }
            if i.offered_to == Some(id) {
                i.offered_to = None;
            }
        }
        for u in s.updates.values_mut() {
            if u.author == Some(id) {
                u.author = None;
            }
        }
        for e in s.events.values_mut() {
            if e.created_by == Some(id) {
                e.created_by = None;
            }
        }
        Ok(())
    }

    async fn insert_initiative(&mut self, new: &NewInitiative) -> StoreResult<Initiative> {
        let id = InitiativeId(self.work.next());
        let i = Initiative {
            id,
            kind: InitiativeKind::Idea,
            title: new.title.clone(),
            description: new.description.clone(),
            category: new.category,
            place: new.place,
            commune: new.commune.clone(),
            status: Status::Open,
            created_by: Some(new.created_by),
            offered_to: None,
            created_at: new.created_at,
            updated_at: new.created_at,
        };
        self.work.initiatives.insert(id, i.clone());
        self.work.initiative_changes.push(id);
        Ok(i)
    }

    async fn initiative(&mut self, id: InitiativeId) -> StoreResult<Option<Initiative>> {
        Ok(self.work.initiatives.get(&id).cloned())
    }

    async fn update_initiative(&mut self, initiative: &Initiative) -> StoreResult<()> {
        let slot = self
            .work
            .initiatives
            .get_mut(&initiative.id)
            .ok_or_else(|| missing("initiative"))?;
        *slot = initiative.clone();
        self.work.initiative_changes.push(initiative.id);
        Ok(())
    }

    async fn initiatives_in_box(&mut self, b: &BoundingBox) -> StoreResult<Vec<Initiative>> {
        Ok(self
            .work
            .initiatives
            .values()
            .filter(|i| {
                i.place.is_some_and(|p| {
                    (b.min_lat..=b.max_lat).contains(&p.lat())
                        && (b.min_lon..=b.max_lon).contains(&p.lon())
                })
            })
            .cloned()
            .collect())
    }

    async fn search_initiatives(
        &mut self,
        words: &[String],
        limit: usize,
    ) -> StoreResult<Vec<Initiative>> {
        if words.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .work
            .initiatives
            .values()
            .filter(|i| {
                let doc = search_document(&i.title, &i.description);
                words.iter().all(|w| doc.contains(&format!(" {w}")))
            })
            .take(limit)
            .cloned()
            .collect())
    }

    async fn located_initiatives(&mut self) -> StoreResult<Vec<crate::places::Located>> {
        Ok(self
            .work
            .initiatives
            .values()
            .filter_map(crate::places::Located::of)
            .collect())
    }

    async fn initiative_changes_cursor(&mut self) -> StoreResult<i64> {
        Ok(i64::try_from(self.work.initiative_changes.len()).unwrap_or(i64::MAX))
    }

    async fn initiative_changes(
        &mut self,
        cursor: i64,
        limit: usize,
    ) -> StoreResult<(i64, Vec<(InitiativeId, Option<crate::places::Located>)>)> {
        let from = usize::try_from(cursor.max(0)).unwrap_or(usize::MAX);
        let rows = self
            .work
            .initiative_changes
            .iter()
            .enumerate()
            .skip(from)
            .take(limit)
            .map(|(n, id)| {
                let located = self
                    .work
                    .initiatives
                    .get(id)
                    .and_then(crate::places::Located::of);
                (i64::try_from(n + 1).unwrap_or(i64::MAX), *id, located)
            })
            .collect();
        Ok(crate::stored::changes_after(cursor, rows))
    }

    async fn initiatives_created_by(&mut self, actor: ActorId) -> StoreResult<Vec<Initiative>> {
        Ok(self
            .work
            .initiatives
            .values()
            .filter(|i| i.created_by == Some(actor))
            .cloned()
            .collect())
    }

    async fn membership(
        &mut self,
        initiative: InitiativeId,
        actor: ActorId,
    ) -> StoreResult<Option<Membership>> {
        Ok(self
            .work
            .memberships
            .iter()
            .find(|m| m.initiative == initiative && m.actor == actor)
            .cloned())
    }

    async fn set_membership(&mut self, m: &Membership) -> StoreResult<()> {
        if !self.work.initiatives.contains_key(&m.initiative) {
            return Err(missing("initiative"));
        }
        if !self.work.actors.contains_key(&m.actor) {
            return Err(missing("actor"));
        }
        match self
            .work
            .memberships
            .iter_mut()
            .find(|x| x.initiative == m.initiative && x.actor == m.actor)
        {
            Some(slot) => *slot = m.clone(),
            None => self.work.memberships.push(m.clone()),
        }
        Ok(())
    }

    async fn remove_membership(
        &mut self,
        initiative: InitiativeId,
        actor: ActorId,
    ) -> StoreResult<()> {
        let before = self.work.memberships.len();
        self.work
            .memberships
            .retain(|m| !(m.initiative == initiative && m.actor == actor));
        if before == self.work.memberships.len() {
            return Err(missing("membership"));
        }
        Ok(())
    }

    async fn members(&mut self, initiative: InitiativeId) -> StoreResult<Vec<Membership>> {
        let mut v: Vec<_> = self
            .work
            .memberships
            .iter()
            .filter(|m| m.initiative == initiative)
            .cloned()
            .collect();
        v.sort_by_key(|m| (m.since, m.actor));
        Ok(v)
    }

    async fn memberships_of(&mut self, actor: ActorId) -> StoreResult<Vec<Membership>> {
        let mut v: Vec<_> = self
            .work
            .memberships
            .iter()
            .filter(|m| m.actor == actor)
            .cloned()
            .collect();
        v.sort_by_key(|m| (m.since, m.initiative));
        Ok(v)
    }

    async fn insert_update(
        &mut self,
        initiative: InitiativeId,
        author: ActorId,
        text: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<ProgressUpdate> {
        if !self.work.initiatives.contains_key(&initiative) {
            return Err(missing("initiative"));
        }
        let u = ProgressUpdate {
            id: UpdateId(self.work.next()),
            initiative,
            author: Some(author),
            text: text.to_owned(),
            created_at: at,
        };
        self.work.updates.insert(u.id, u.clone());
        Ok(u)
    }

    async fn update_by_id(&mut self, id: UpdateId) -> StoreResult<Option<ProgressUpdate>> {
        Ok(self.work.updates.get(&id).cloned())
    }

    async fn updates_of(
        &mut self,
        initiative: InitiativeId,
        limit: usize,
    ) -> StoreResult<Vec<ProgressUpdate>> {
        let mut v: Vec<_> = self
            .work
            .updates
            .values()
            .filter(|u| u.initiative == initiative)
            .cloned()
            .collect();
        v.sort_by_key(|u| std::cmp::Reverse((u.created_at, u.id)));
        v.truncate(limit);
        Ok(v)
    }

    async fn updates_by(&mut self, author: ActorId) -> StoreResult<Vec<ProgressUpdate>> {
        Ok(self
            .work
            .updates
            .values()
            .filter(|u| u.author == Some(author))
            .cloned()
            .collect())
    }

    async fn insert_event(&mut self, new: &NewEvent) -> StoreResult<Event> {
        if !self.work.initiatives.contains_key(&new.initiative) {
            return Err(missing("initiative"));
        }
        let e = Event {
            id: EventId(self.work.next()),
            initiative: new.initiative,
            title: new.title.clone(),
            starts_at: new.starts_at,
            tz: new.tz.clone(),
            place: new.place,
            created_by: Some(new.created_by),
            created_at: new.created_at,
        };
        self.work.events.insert(e.id, e.clone());
        Ok(e)
    }

    async fn event(&mut self, id: EventId) -> StoreResult<Option<Event>> {
        Ok(self.work.events.get(&id).cloned())
    }

    async fn events_of(
        &mut self,
        initiative: InitiativeId,
        from: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>> {
        Ok(self.events_where(|e| e.initiative == initiative && e.starts_at >= from))
    }

    async fn set_rsvp(&mut self, r: &Rsvp) -> StoreResult<()> {
        if !self.work.events.contains_key(&r.event) {
            return Err(missing("event"));
        }
        match self
            .work
            .rsvps
            .iter_mut()
            .find(|x| x.event == r.event && x.actor == r.actor)
        {
            Some(slot) => *slot = r.clone(),
            None => self.work.rsvps.push(r.clone()),
        }
        Ok(())
    }

    async fn rsvps(&mut self, event: EventId) -> StoreResult<Vec<Rsvp>> {
        Ok(self
            .work
            .rsvps
            .iter()
            .filter(|r| r.event == event)
            .cloned()
            .collect())
    }

    async fn rsvps_of(&mut self, actor: ActorId) -> StoreResult<Vec<Rsvp>> {
        Ok(self
            .work
            .rsvps
            .iter()
            .filter(|r| r.actor == actor)
            .cloned()
            .collect())
    }

    async fn insert_subscription(&mut self, new: &NewSubscription) -> StoreResult<Subscription> {
        let s = Subscription {
            id: SubscriptionId(self.work.next()),
            actor: new.actor,
            center: new.center,
            radius_m: new.radius_m,
            commune: new.commune.clone(),
            categories: new.categories.clone(),
            created_at: new.created_at,
        };
        self.work.subscriptions.insert(s.id, s.clone());
        Ok(s)
    }

    async fn subscriptions_of(&mut self, actor: ActorId) -> StoreResult<Vec<Subscription>> {
        Ok(self
            .work
            .subscriptions
            .values()
            .filter(|s| s.actor == actor)
            .cloned()
            .collect())
    }

    async fn delete_subscriptions_of(&mut self, actor: ActorId) -> StoreResult<usize> {
        let before = self.work.subscriptions.len();
        self.work.subscriptions.retain(|_, s| s.actor != actor);
        Ok(before - self.work.subscriptions.len())
    }

    async fn dialogue(&mut self, actor: ActorId) -> StoreResult<Option<String>> {
        Ok(self.work.dialogues.get(&actor).cloned())
    }

    async fn set_dialogue(&mut self, actor: ActorId, state: Option<&str>) -> StoreResult<()> {
        match state {
            Some(s) => {
                self.work.dialogues.insert(actor, s.to_owned());
            }
            None => {
                self.work.dialogues.remove(&actor);
            }
        }
        Ok(())
    }

    async fn insert_activity(&mut self, new: &NewActivity) -> StoreResult<Activity> {
        let a = Activity {
            id: self.work.next(),
            initiative: new.initiative,
            kind: new.kind,
            ref_id: new.ref_id,
            at: new.at,
        };
        self.work.activity.push(a.clone());
        Ok(a)
    }

    async fn activity_of(
        &mut self,
        initiatives: &[InitiativeId],
        offset: usize,
        limit: usize,
    ) -> StoreResult<Vec<Activity>> {
        let mut v: Vec<_> = self
            .work
            .activity
            .iter()
            .filter(|a| initiatives.contains(&a.initiative))
            .cloned()
            .collect();
        v.sort_by_key(|a| std::cmp::Reverse((a.at, a.id)));
        Ok(v.into_iter().skip(offset).take(limit).collect())
    }

    async fn enqueue(&mut self, new: &NewOutgoing) -> StoreResult<i64> {
        if self.work.outbox.iter().any(|r| r.out.key == new.key) {
            return Err(StoreError::Duplicate(new.key.clone()));
        }
        let id = self.work.next();
        self.work.outbox.push(Row {
            out: Outgoing {
                id,
                to: new.to.clone(),
                recipient: new.recipient,
                reply: new.reply.clone(),
                priority: new.priority,
                key: new.key.clone(),
                attempts: 0,
                created_at: new.at,
            },
            status: RowStatus::Pending,
            next_at: new.at,
            claimed_until: None,
            last_error: None,
            done_at: None,
        });
        Ok(id)
    }

    async fn enqueue_many(&mut self, messages: &[NewOutgoing]) -> StoreResult<()> {
        let keys: std::collections::HashSet<&str> =
            messages.iter().map(|m| m.key.as_str()).collect();
        if keys.len() < messages.len()
            || self
                .work
                .outbox
                .iter()
                .any(|r| keys.contains(r.out.key.as_str()))
        {
            return Err(StoreError::Duplicate("outbox key".into()));
        }
        for m in messages {
            self.enqueue(m).await?;
        }
        Ok(())
    }

    async fn pending_to(&mut self, to: &Address) -> StoreResult<Vec<Outgoing>> {
        Ok(self
            .work
            .outbox
            .iter()
            .filter(|r| r.status == RowStatus::Pending && r.out.to == *to)
            .map(|r| r.out.clone())
            .collect())
    }

    async fn pending_for(&mut self, recipient: ActorId) -> StoreResult<Vec<Outgoing>> {
        Ok(self
            .work
            .outbox
            .iter()
            .filter(|r| r.status == RowStatus::Pending && r.out.recipient == Some(recipient))
            .map(|r| r.out.clone())
            .collect())
    }

    async fn claim(
        &mut self,
        network: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<Outgoing>> {
        let mut due: Vec<&mut Row> = self
            .work
            .outbox
            .iter_mut()
            .filter(|r| {
                r.status == RowStatus::Pending
                    && r.out.to.network == network
                    && r.next_at <= now
                    && r.claimed_until.is_none_or(|c| c <= now)
            })
            .collect();
        due.sort_by_key(|r| (r.out.priority, r.out.id));
        Ok(due
            .into_iter()
            .take(limit)
            .map(|r| {
                r.claimed_until = Some(lease_until);
                r.out.clone()
            })
            .collect())
    }

    async fn mark_sent(&mut self, id: i64, at: DateTime<Utc>) -> StoreResult<()> {
        let r = self.row(id)?;
        r.status = RowStatus::Sent;
        r.out.attempts += 1;
        r.claimed_until = None;
        r.done_at = Some(at);
        Ok(())
    }

    async fn mark_retry(
        &mut self,
        id: i64,
        next_at: DateTime<Utc>,
        error: &str,
    ) -> StoreResult<()> {
        let r = self.row(id)?;
        r.out.attempts += 1;
        r.next_at = next_at;
        r.claimed_until = None;
        r.last_error = Some(error.to_owned());
        Ok(())
    }

    async fn mark_failed(&mut self, id: i64, error: &str, at: DateTime<Utc>) -> StoreResult<()> {
        let r = self.row(id)?;
        r.out.attempts += 1;
        r.status = RowStatus::Failed;
        r.claimed_until = None;
        r.last_error = Some(error.to_owned());
        r.done_at = Some(at);
        Ok(())
    }

    async fn release(&mut self, id: i64) -> StoreResult<()> {
        self.row(id)?.claimed_until = None;
        Ok(())
    }

    async fn release_claims(&mut self, network: &str) -> StoreResult<u64> {
        let mut n = 0;
        for r in &mut self.work.outbox {
            if r.status == RowStatus::Pending
                && r.out.to.network == network
                && r.claimed_until.take().is_some()
            {
                n += 1;
            }
        }
        Ok(n)
    }

    async fn acquire_lease(
        &mut self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let free = match self.work.leases.get(name) {
            None => true,
            Some((h, expires)) => h == holder || *expires <= now,
        };
        if free {
            self.work
                .leases
                .insert(name.to_owned(), (holder.to_owned(), until));
        }
        Ok(free)
    }

    async fn release_lease(&mut self, name: &str, holder: &str) -> StoreResult<()> {
        if self.work.leases.get(name).is_some_and(|(h, _)| h == holder) {
            self.work.leases.remove(name);
        }
        Ok(())
    }

    async fn lease_holder(&mut self, name: &str) -> StoreResult<Option<(String, DateTime<Utc>)>> {
        Ok(self.work.leases.get(name).cloned())
    }

    async fn take_lease_from(
        &mut self,
        name: &str,
        from: &str,
        holder: &str,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        match self.work.leases.get_mut(name) {
            Some(l) if l.0 == from => {
                *l = (holder.to_owned(), until);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn set_unreachable(
        &mut self,
        to: &Address,
        reason: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<usize> {
        self.work
            .unreachable
            .insert((to.network.clone(), to.chat.clone()), at);
        let mut n = 0;
        for r in &mut self.work.outbox {
            if r.status == RowStatus::Pending && r.out.to == *to {
                r.status = RowStatus::Failed;
                r.last_error = Some(reason.to_owned());
                r.claimed_until = None;
                r.done_at = Some(at);
                n += 1;
            }
        }
        Ok(n)
    }

    async fn is_unreachable(&mut self, to: &Address) -> StoreResult<bool> {
        Ok(self
            .work
            .unreachable
            .contains_key(&(to.network.clone(), to.chat.clone())))
    }

    async fn clear_unreachable(&mut self, to: &Address) -> StoreResult<()> {
        self.work
            .unreachable
            .remove(&(to.network.clone(), to.chat.clone()));
        Ok(())
    }

    async fn outbox_stats(&mut self, network: &str) -> StoreResult<OutboxStats> {
        let pending = self
            .work
            .outbox
            .iter()
            .filter(|r| r.status == RowStatus::Pending && r.out.to.network == network);
        let (mut n, mut oldest) = (0u64, None::<DateTime<Utc>>);
        for r in pending {
            n += 1;
            oldest = Some(oldest.map_or(r.out.created_at, |o| o.min(r.out.created_at)));
        }
        Ok(OutboxStats { pending: n, oldest })
    }

    async fn link_room(
        &mut self,
        room: &Address,
        initiative: InitiativeId,
        _at: DateTime<Utc>,
    ) -> StoreResult<()> {
        if !self.work.initiatives.contains_key(&initiative) {
            return Err(missing("initiative"));
        }
        self.work
            .rooms
            .insert((room.network.clone(), room.chat.clone()), initiative);
        Ok(())
    }

    async fn room_initiative(&mut self, room: &Address) -> StoreResult<Option<InitiativeId>> {
        Ok(self
            .work
            .rooms
            .get(&(room.network.clone(), room.chat.clone()))
            .copied())
    }

    async fn rooms_of(&mut self, initiative: InitiativeId) -> StoreResult<Vec<Address>> {
        Ok(self
            .work
            .rooms
            .iter()
            .filter(|(_, i)| **i == initiative)
            .map(|((n, c), _)| Address::new(n.clone(), c.clone()))
            .collect())
    }

    async fn move_room(&mut self, from: &Address, to: &Address) -> StoreResult<()> {
        if let Some(i) = self
            .work
            .rooms
            .remove(&(from.network.clone(), from.chat.clone()))
        {
            self.work
                .rooms
                .insert((to.network.clone(), to.chat.clone()), i);
        }
        Ok(())
    }

    async fn link_forum(
        &mut self,
        forum: &Address,
        commune: &InseeCode,
        _by: ActorId,
        _at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.work
            .forums
            .insert((forum.network.clone(), forum.chat.clone()), commune.clone());
        Ok(())
    }

    async fn forums_of(&mut self, commune: &InseeCode) -> StoreResult<Vec<Address>> {
        Ok(self
            .work
            .forums
            .iter()
            .filter(|(_, c)| *c == commune)
            .map(|((n, c), _)| Address::new(n.clone(), c.clone()))
            .collect())
    }

    async fn network_state(&mut self, network: &str, key: &str) -> StoreResult<Option<String>> {
        Ok(self
            .work
            .network_state
            .get(&(network.to_owned(), key.to_owned()))
            .map(|(v, _)| v.clone()))
    }

    async fn set_network_state(
        &mut self,
        network: &str,
        key: &str,
        value: Option<&str>,
        _at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let k = (network.to_owned(), key.to_owned());
        match value {
            Some(v) => self.work.network_state.insert(k, (v.to_owned(), None)),
            None => self.work.network_state.remove(&k),
        };
        Ok(())
    }

    async fn set_network_state_for_a_while(
        &mut self,
        network: &str,
        key: &str,
        value: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.work.network_state.insert(
            (network.to_owned(), key.to_owned()),
            (value.to_owned(), Some(at)),
        );
        Ok(())
    }

    async fn forget_network_state(&mut self, network: &str, who: &str) -> StoreResult<u64> {
        let suffix = format!(":{who}");
        let before = self.work.network_state.len();
        self.work
            .network_state
            .retain(|(n, k), (v, _)| !(n == network && (v == who || k.ends_with(&suffix))));
        Ok((before - self.work.network_state.len()) as u64)
    }

    async fn remember_action(&mut self, command: &str, _at: DateTime<Utc>) -> StoreResult<i64> {
        let a = &mut self.work.actions;
        let i = match a.iter().position(|c| c == command) {
            Some(i) => i,
            None => {
                a.push(command.to_owned());
                a.len() - 1
            }
        };
        Ok(i as i64 + 1)
    }

    async fn recall_action(&mut self, id: i64) -> StoreResult<Option<String>> {
        Ok(usize::try_from(id - 1)
            .ok()
            .and_then(|i| self.work.actions.get(i).cloned()))
    }

    async fn record_event(
        &mut self,
        network: &str,
        event_id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let key = (network.to_owned(), event_id.to_owned());
        if self.work.seen.contains_key(&key) {
            return Ok(false);
        }
        self.work.seen.insert(key, at);
        Ok(true)
    }

    async fn municipalities_of(&mut self, commune: &InseeCode) -> StoreResult<Vec<Actor>> {
        Ok(self
            .work
            .actors
            .values()
            .filter(|a| {
                a.kind == ActorKind::Municipality && a.verified && a.communes.contains(commune)
            })
            .cloned()
            .collect())
    }

    async fn digest_plan(&mut self, municipality: ActorId) -> StoreResult<Option<DigestPlan>> {
        Ok(self.work.digest_plans.get(&municipality).cloned())
    }

    async fn due_digest_plans(&mut self, now: DateTime<Utc>) -> StoreResult<Vec<DigestPlan>> {
        Ok(self
            .work
            .digest_plans
            .values()
            .filter(|p| p.next_at.is_some_and(|t| t <= now))
            .cloned()
            .collect())
    }

    async fn claim_digest_ticks(
        &mut self,
        ticks: &[(ActorId, DateTime<Utc>)],
    ) -> StoreResult<Vec<ActorId>> {
        Ok(ticks
            .iter()
            .filter(|(m, t)| self.work.digest_ticks.insert((*m, *t), ()).is_none())
            .map(|(m, _)| *m)
            .collect())
    }

    async fn save_digest_plans(&mut self, plans: &[DigestPlan]) -> StoreResult<()> {
        if plans
            .iter()
            .any(|p| !self.work.actors.contains_key(&p.municipality))
        {
            return Err(missing("actor"));
        }
        for p in plans {
            self.work.digest_plans.insert(p.municipality, p.clone());
        }
        Ok(())
    }

    async fn initiatives_in_communes(
        &mut self,
        communes: &[InseeCode],
    ) -> StoreResult<Vec<Initiative>> {
        Ok(self
            .work
            .initiatives
            .values()
            .filter(|i| i.commune.as_ref().is_some_and(|c| communes.contains(c)))
            .cloned()
            .collect())
    }

    async fn activity_since(
        &mut self,
        initiatives: &[InitiativeId],
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<Activity>> {
        let mut v: Vec<_> = self
            .work
            .activity
            .iter()
            .filter(|a| initiatives.contains(&a.initiative) && a.at >= since)
            .cloned()
            .collect();
        v.sort_by_key(|a| (a.at, a.id));
        Ok(v)
    }

    async fn events_between(
        &mut self,
        initiatives: &[InitiativeId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>> {
        Ok(self.events_where(|e| {
            initiatives.contains(&e.initiative) && e.starts_at >= from && e.starts_at < to
        }))
    }

    async fn subscriptions_near(
        &mut self,
        communes: &[InseeCode],
        bbox: &BoundingBox,
    ) -> StoreResult<Vec<Subscription>> {
        Ok(self
            .work
            .subscriptions
            .values()
            .filter(|s| {
                s.commune.as_ref().is_some_and(|c| communes.contains(c))
                    || s.commune.is_none()
                        && s.center.is_some_and(|p| {
                            (bbox.min_lat..=bbox.max_lat).contains(&p.lat())
                                && (bbox.min_lon..=bbox.max_lon).contains(&p.lon())
                        })
            })
            .cloned()
            .collect())
    }

    async fn actors_by_ids(&mut self, ids: &[ActorId]) -> StoreResult<Vec<Actor>> {
        Ok(ids
            .iter()
            .filter_map(|id| self.work.actors.get(id).cloned())
            .collect())
    }

    async fn digest_plans_of(&mut self, ids: &[ActorId]) -> StoreResult<Vec<DigestPlan>> {
        Ok(ids
            .iter()
            .filter_map(|id| self.work.digest_plans.get(id).cloned())
            .collect())
    }

    async fn updates_by_ids(&mut self, ids: &[i64]) -> StoreResult<Vec<ProgressUpdate>> {
        Ok(ids
            .iter()
            .filter_map(|id| self.work.updates.get(&UpdateId(*id)).cloned())
            .collect())
    }

    async fn reachable_identities(
        &mut self,
        ids: &[ActorId],
    ) -> StoreResult<Vec<(ActorId, Lang, Identity)>> {
        let mut out = Vec::new();
        for id in ids {
            let Some(a) = self.work.actors.get(id) else {
                continue;
            };
            let mut identities: Vec<&Identity> = self
                .work
                .identities
                .iter()
                .filter(|(_, x)| x == id)
                .map(|(i, _)| i)
                .collect();
            identities.sort_by(|x, y| (&x.network, &x.id).cmp(&(&y.network, &y.id)));
            for i in identities {
                let key = (i.network.clone(), i.id.clone());
                if !self.work.unreachable.contains_key(&key) {
                    out.push((*id, a.lang, i.clone()));
                }
            }
        }
        Ok(out)
    }

    async fn queue_alert(&mut self, alert: &NewAlert) -> StoreResult<()> {
        if !self.work.actors.contains_key(&alert.actor) {
            return Err(missing("actor"));
        }
        let id = self.work.next();
        self.work.alerts.push(Alert {
            id,
            actor: alert.actor,
            initiative: alert.initiative,
            kind: alert.kind,
            ref_id: alert.ref_id,
            at: alert.at,
        });
        Ok(())
    }

    async fn alerted_actors(&mut self, now: DateTime<Utc>) -> StoreResult<Vec<ActorId>> {
        let held = |a: &ActorId| {
            self.work
                .alert_prefs
                .get(a)
                .and_then(|p| p.hold_until)
                .is_some_and(|t| t > now)
        };
        let mut v: Vec<_> = self
            .work
            .alerts
            .iter()
            .map(|a| a.actor)
            .filter(|a| !held(a))
            .collect();
        v.sort();
        v.dedup();
        Ok(v)
    }

    async fn alerts_of(&mut self, actor: ActorId) -> StoreResult<Vec<Alert>> {
        Ok(self
            .work
            .alerts
            .iter()
            .filter(|a| a.actor == actor)
            .cloned()
            .collect())
    }

    async fn delete_alerts(&mut self, actor: ActorId, upto: i64) -> StoreResult<()> {
        self.work.alerts.retain(|a| a.actor != actor || a.id > upto);
        Ok(())
    }

    async fn alert_prefs(&mut self, actor: ActorId) -> StoreResult<AlertPrefs> {
        Ok(self
            .work
            .alert_prefs
            .get(&actor)
            .cloned()
            .unwrap_or_default())
    }

    async fn set_alert_prefs(&mut self, actor: ActorId, prefs: &AlertPrefs) -> StoreResult<()> {
        if !self.work.actors.contains_key(&actor) {
            return Err(missing("actor"));
        }
        self.work.alert_prefs.insert(actor, prefs.clone());
        Ok(())
    }

    async fn events_starting(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>> {
        Ok(self.events_where(|e| e.starts_at >= from && e.starts_at < to))
    }

    async fn claim_reminder(&mut self, event: EventId, which: Reminder) -> StoreResult<bool> {
        if !self.work.events.contains_key(&event) {
            return Err(missing("event"));
        }
        Ok(self
            .work
            .reminders
            .insert((event, which.key()), ())
            .is_none())
    }

    async fn prune(&mut self, before: DateTime<Utc>) -> StoreResult<u64> {
        let s = &mut self.work;
        let (o, e, n) = (s.outbox.len(), s.seen.len(), s.network_state.len());
        s.outbox
            .retain(|r| r.status == RowStatus::Pending || r.done_at.is_none_or(|d| d >= before));
        s.seen.retain(|_, at| *at >= before);
        s.digest_ticks.retain(|(_, tick), ()| *tick >= before);
        s.network_state
            .retain(|_, (_, temporary)| temporary.is_none_or(|at| at >= before));
        Ok((o - s.outbox.len() + e - s.seen.len() + n - s.network_state.len()) as u64)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::MemoryStore;

    crate::store_suite!(MemoryStore::new());
}
