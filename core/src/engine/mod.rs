//! The engine: one incoming message in, replies out, all its effects in one
//! transaction. Adapters call [`Engine::handle`] and render the [`Reply`]s.

mod accounts;
mod actors;
mod alerts;
mod consultations;
mod ctx;
mod democracy;
mod dialogue;
mod digest;
mod discover;
mod dispatch;
mod initiatives;
mod intake;
mod moderation;
mod needs;
mod operator;
mod places;
mod profile;
mod project;
pub mod public;
mod relay;
mod render;
mod rooms;
mod scheduler;
mod similar;

use std::sync::{Arc, RwLock};

#[cfg(test)]
use chrono::{DateTime, Utc};

use crate::domain::*;
use crate::i18n::Catalog;
use crate::places::{Gazetteer, NearbyIndex};
use crate::ports::{Clock, Store, StoreError, Tx};
use crate::reply::Reply;

pub use crate::error::EngineError;
pub use crate::inbox::{Content, Incoming, Intake, event_key, event_key_of};
pub(crate) use ctx::{Ctx, Fail, Msg, Outcome, geo_refusal, refuse, text_refusal};
pub use dialogue::Dialogue;
pub use operator::{Operator, OperatorModeration, VerifyError};
pub use render::duration as render_duration;
pub use scheduler::Tick;

/// [`project::parse_when`], for the property tests.
#[cfg(test)]
pub(crate) fn parse_when_for_tests(s: &str, tz: &str) -> Option<DateTime<Utc>> {
    project::parse_when(s, tz).ok().map(|(at, _)| at)
}

/// Most initiatives a nearby search counts.
pub const MAX_NEARBY: usize = 10_000;

/// The engine shared by every network.
pub struct Engine {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    cat: Catalog,
    places: &'static Gazetteer,
    index: RwLock<NearbyIndex>,
    /// The last initiative change the index follows (see [`Engine::catch_up`]).
    changes_cursor: tokio::sync::Mutex<crate::ports::ChangeCursor>,
    /// Initiatives with open needs, by place (`/besoins`): a query walks
    /// only them, not every initiative.
    needs_index: RwLock<NearbyIndex>,
    /// Verified actors by place (`/acteurs`).
    actors: RwLock<NearbyIndex<ActorId>>,
    /// The last actor change the actors' index follows.
    actor_cursor: tokio::sync::Mutex<crate::ports::ChangeCursor>,
    /// A message wrote what the indexes follow through the store's change
    /// logs (a profile, a need): they catch up once it is committed.
    index_dirty: std::sync::atomic::AtomicBool,
    /// Makes outbox keys unique for messages without a network event id.
    local_seq: std::sync::atomic::AtomicU64,
    /// Identities this process has seen to have a person (see
    /// `first_contacts`): their messages skip the first-contact check. Only
    /// a shortcut: one forgotten since is created again by intake itself.
    known: std::sync::Mutex<std::collections::HashSet<Identity>>,
    /// Networks where every launched project gets a room the bot creates (Matrix).
    room_networks: Vec<String>,
    /// Where the public pages are, without a trailing slash.
    public_url: Option<String>,
    /// What one person may ask (INTERFACE.md's defaults unless told).
    fair_use: crate::fair_use::FairUse,
    /// How moderation runs (INTERFACE.md's defaults unless told).
    moderation: ModerationPolicy,
    /// Each person's bucket of messages.
    buckets: crate::fair_use::Buckets,
    /// Events that failed for a reason not the person's (see `intake`).
    failed_updates: std::sync::atomic::AtomicU64,
    /// Pieces of scheduled work that failed (see `scheduler`).
    scheduled_failures: std::sync::atomic::AtomicU64,
}

/// Its parts hold connections, clients or closures: shown by name only.
impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

/// An initiative written by a transaction, as written, for the nearby index.
pub(crate) type Touched = Initiative;

impl Engine {
    /// Loads the catalogues and the gazetteer, and builds the nearby index from the store.
    pub async fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Result<Self, EngineError> {
        let mut tx = store.read().await?;
        let located = tx.located_initiatives().await?;
        let cursor = tx.initiative_changes_cursor().await?;
        let actors = tx.located_actors().await?;
        let actor_cursor = tx.actor_changes_cursor().await?;
        drop(tx);
        let needs_index = NearbyIndex::bulk_load(located.iter().copied().filter(|l| l.needs != 0));
        let index = NearbyIndex::bulk_load(located);
        let places = Gazetteer::shipped()?;
        let actors =
            NearbyIndex::bulk_load(actors.iter().filter_map(|a| actors::index_row(places, a)));
        tracing::info!(
            initiatives = index.len(),
            actors = actors.len(),
            "nearby index loaded"
        );
        Ok(Self {
            store,
            clock,
            cat: Catalog::load()?,
            places,
            index: RwLock::new(index),
            needs_index: RwLock::new(needs_index),
            changes_cursor: tokio::sync::Mutex::new(cursor),
            actors: RwLock::new(actors),
            actor_cursor: tokio::sync::Mutex::new(actor_cursor),
            index_dirty: std::sync::atomic::AtomicBool::new(false),
            local_seq: std::sync::atomic::AtomicU64::new(0),
            known: std::sync::Mutex::new(std::collections::HashSet::new()),
            room_networks: Vec::new(),
            public_url: None,
            fair_use: crate::fair_use::FairUse::default(),
            moderation: ModerationPolicy::default(),
            buckets: crate::fair_use::Buckets::default(),
            failed_updates: std::sync::atomic::AtomicU64::new(0),
            scheduled_failures: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// Cards carry the link to their public page (`KOHERO_PUBLIC_URL`).
    pub fn with_public_url(mut self, url: Option<String>) -> Self {
        self.public_url = url.map(|u| u.trim_end_matches('/').to_owned());
        self
    }

    /// Limits of fair use other than INTERFACE.md's defaults.
    #[must_use]
    pub fn with_fair_use(mut self, fair_use: crate::fair_use::FairUse) -> Self {
        self.fair_use = fair_use;
        self
    }

    /// Moderation other than INTERFACE.md's defaults.
    #[must_use]
    pub fn with_moderation(mut self, policy: ModerationPolicy) -> Self {
        self.moderation = policy;
        self
    }

    /// Gives every project launched from now on a room of its own on these
    /// networks (the bot creates it: Matrix).
    pub fn with_room_networks(mut self, networks: impl IntoIterator<Item = String>) -> Self {
        self.room_networks = networks.into_iter().collect();
        self
    }

    pub fn gazetteer(&self) -> &'static Gazetteer {
        self.places
    }

    pub fn catalog(&self) -> &Catalog {
        &self.cat
    }

    /// How many writing transactions the store runs usefully at once (see
    /// [`Store::concurrent_writers`](crate::ports::Store::concurrent_writers)).
    pub fn concurrent_writers(&self) -> usize {
        self.store.concurrent_writers()
    }

    /// Events that failed for a reason not the person's since the engine
    /// started (`kohero_updates_failed_total`).
    pub fn failed_updates(&self) -> u64 {
        self.failed_updates
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Pieces of scheduled work that failed since the engine started
    /// (`kohero_scheduled_failures_total`).
    pub fn scheduled_failures(&self) -> u64 {
        self.scheduled_failures
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// What adapters answer when [`Engine::handle`] fails for a reason not the person's.
    pub fn internal_error_reply(&self, lang: Lang) -> Reply {
        Reply::text(self.cat.get(lang, "internal-error", &[]))
    }

    async fn actor_for(
        &self,
        tx: &mut Box<dyn Tx>,
        identity: &Identity,
        display_name: Option<&str>,
        lang: Option<Lang>,
    ) -> Result<Actor, StoreError> {
        if let Some(a) = tx.actor_by_identity(identity).await? {
            return Ok(a);
        }
        // The name the network shows, cut to Kohero's length (Telegram's may be
        // twice as long); one that shows nothing gets a neutral name rather
        // than the network's id, which would tell who they are.
        let someone = || self.cat.get(lang.unwrap_or_default(), "someone", &[]);
        let name = match display_name {
            Some(n) => {
                let one_line = crate::text::strip_controls(n).replace('\n', " ");
                let cut: String = one_line
                    .trim()
                    .chars()
                    .take(crate::text::NAME_MAX)
                    .collect();
                crate::text::display_name(&cut).unwrap_or_else(|_| someone())
            }
            None => identity.id.chars().take(crate::text::NAME_MAX).collect(),
        };
        // A verified actor's name is theirs alone.
        let key = crate::text::name_key(&name);
        let name = if tx
            .verified_names()
            .await?
            .iter()
            .any(|(_, n)| crate::text::name_key(n) == key)
        {
            someone()
        } else {
            name
        };
        tx.insert_actor(&NewActor {
            identity: identity.clone(),
            display_name: name,
            lang: lang.unwrap_or_default(),
            created_at: self.clock.now(),
        })
        .await
    }

    /// The person behind an incoming message, created on first contact.
    async fn actor_of(
        &self,
        tx: &mut Box<dyn Tx>,
        incoming: &Incoming,
    ) -> Result<Actor, StoreError> {
        let actor = self
            .actor_for(
                tx,
                &incoming.identity,
                incoming.display_name.as_deref(),
                incoming.lang_hint,
            )
            .await?;
        // Notices go to the identity used last.
        tx.touch_identity(&incoming.identity, self.clock.now())
            .await?;
        Ok(actor)
    }

    /// The state of handling one message.
    fn ctx(&self, tx: Box<dyn Tx>, actor: Actor, key_base: String) -> Ctx<'_> {
        Ctx {
            tx,
            actor,
            now: self.clock.now(),
            cat: &self.cat,
            places: self.places,
            index: &self.index,
            needs_index: &self.needs_index,
            actors: &self.actors,
            index_dirty: &self.index_dirty,
            public_url: self.public_url.as_deref(),
            touched: Vec::new(),
            room: None,
            identity: None,
            message: None,
            chat_check: None,
            key_base,
            sent: 0,
            room_networks: &self.room_networks,
            fair_use: self.fair_use,
            forgotten: false,
            moderation: self.moderation,
            banned: None,
            operator: false,
            pressed: None,
            edit_pressed: false,
            reply_tag: None,
        }
    }

    /// The answer to a refusal, in the person's language; `Err` for a failure
    /// that is not the person's.
    fn refusal(&self, lang: Lang, fail: Fail) -> Result<Reply, EngineError> {
        match fail {
            Fail::User(msg) => Ok(Reply::text(self.cat.get(lang, msg.id, &msg.args))),
            Fail::Reply(r) => Ok(r),
            Fail::Store(e) => Err(e.into()),
        }
    }

    fn key_base(&self, incoming: &Incoming) -> String {
        event_key(incoming).unwrap_or_else(|| self.local_key("local"))
    }

    /// A key base unique to this call, for work no network event carries (the
    /// console, the command line): time, process and a counter.
    fn local_key(&self, prefix: &str) -> String {
        format!(
            "{prefix}/{}/{}/{}",
            self.clock.now().timestamp_micros(),
            std::process::id(),
            self.local_seq
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        )
    }

    /// Follows the initiatives other processes (and the command line) wrote
    /// since the last catch-up: the nearby index moves, adds or drops them.
    /// Returns how many initiatives it looked at. (This process's own writes
    /// reach the index at once, and come back here harmlessly.)
    pub async fn catch_up(&self) -> Result<usize, EngineError> {
        Ok(self.catch_up_initiatives().await? + self.catch_up_actors().await?)
    }

    /// Follows the verified actors other processes (and the command line,
    /// and this process) wrote since the last catch-up.
    pub async fn catch_up_actors(&self) -> Result<usize, EngineError> {
        const PAGE: usize = 1000;
        let mut cursor = self.actor_cursor.lock().await;
        let mut n = 0;
        loop {
            let mut tx = self.store.read().await?;
            let (next, changed) = tx.actor_changes(&cursor, PAGE).await?;
            drop(tx);
            if changed.is_empty() {
                *cursor = next;
                return Ok(n);
            }
            {
                let mut index = self
                    .actors
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                for (id, now) in &changed {
                    let row = now.as_ref().and_then(|a| actors::index_row(self.places, a));
                    index.set(*id, row);
                }
            }
            n += changed.len();
            *cursor = next;
        }
    }

    /// After a commit: the indexes follow what the message wrote through the
    /// change logs. (A flag another message set meanwhile is caught up by
    /// this catch-up or the next; the periodic one follows the rest.)
    async fn after_index_writes(&self) {
        if self
            .index_dirty
            .swap(false, std::sync::atomic::Ordering::Relaxed)
            && let Err(e) = self.catch_up().await
        {
            tracing::warn!(error = %e, "index catch-up failed; retried");
        }
    }

    async fn catch_up_initiatives(&self) -> Result<usize, EngineError> {
        const PAGE: usize = 1000;
        let mut cursor = self.changes_cursor.lock().await;
        let mut n = 0;
        loop {
            let mut tx = self.store.read().await?;
            let (next, changed) = tx.initiative_changes(&cursor, PAGE).await?;
            drop(tx);
            if changed.is_empty() {
                *cursor = next;
                return Ok(n);
            }
            {
                let mut index = self
                    .index
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                for (id, now) in &changed {
                    index.set(*id, *now);
                }
                let mut needs = self
                    .needs_index
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                for (id, now) in &changed {
                    needs.set(*id, now.filter(|l| l.needs != 0));
                }
            }
            n += changed.len();
            *cursor = next;
        }
    }

    fn apply_to_index(&self, touched: &[Touched]) {
        if touched.is_empty() {
            return;
        }
        let mut index = self
            .index
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for written in touched {
            index.update(written);
        }
        drop(index);
        let mut needs = self
            .needs_index
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for written in touched {
            needs.update_if_present(written);
        }
    }
}
