//! The engine: one incoming message in, replies out, all its effects in one
//! transaction. Adapters call [`Engine::handle`] and render the [`Reply`]s.

mod alerts;
mod dialogue;
mod digest;
mod discover;
mod initiatives;
mod intake;
mod places;
mod profile;
mod project;
mod render;
mod rooms;
mod scheduler;

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::command::{self, Command, ParseError, Parsed};
use crate::domain::*;
use crate::geo::{GeoError, GeoPoint};
use crate::i18n::{Arg, Catalog, CatalogError};
use crate::places::{Gazetteer, NearbyIndex, gazetteer::DataError};
use crate::ports::{Clock, Store, StoreError, Tx};
use crate::reply::Reply;
use crate::text::TextError;

pub use dialogue::Dialogue;
pub use scheduler::Tick;

/// A message from a person, as an adapter hands it to core.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    pub identity: Identity,
    /// The conversation to answer in; the private chat with the identity when
    /// `None` or equal to the identity's id. Any other chat is a shared one (a
    /// group, a room), where only the project commands are served.
    pub chat: Option<String>,
    /// The network's id of this event (Telegram `update_id`, Matrix event id), for
    /// exactly-once intake.
    pub event_id: Option<String>,
    /// The name the network shows for the person; used when they are first seen.
    pub display_name: Option<String>,
    /// The language the network reports (Telegram's `language_code`), for a first contact.
    pub lang_hint: Option<Lang>,
    pub content: Content,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// Typed text: a command, an answer in a dialogue, or chatter.
    Text(String),
    /// A shared location.
    Location(GeoPoint),
    /// The command carried by a button the person pressed.
    Button(String),
    /// A live location moved: the stored position follows, nothing is answered.
    Moved(GeoPoint),
    /// The chat changed its id (a Telegram group became a supergroup `to`).
    ChatMoved(String),
    /// The person asks to enter this shared chat (Telegram join request).
    JoinRequest,
}

/// A failure that is not the person's doing. Adapters log it and answer with
/// [`Engine::internal_error_reply`].
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Places(#[from] &'static DataError),
    /// `handle_event` needs the network's event id.
    #[error("an event from a network must carry its id")]
    NoEventId,
    /// Handling panicked (a bug): nothing of it was written.
    #[error("handling failed: {0}")]
    Failed(String),
    /// Scheduled work was refused as if someone had typed something wrong (a
    /// bug: nobody typed anything); the catalogue's message id.
    #[error("scheduled work refused: {0}")]
    ScheduledRefusal(String),
}

/// What a refused command answers: a message id of the catalogue and its arguments.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Msg {
    pub id: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

/// Why handling stopped: the person's doing (answered, nothing written) or not.
#[derive(Debug)]
pub(crate) enum Fail {
    User(Msg),
    /// A refusal that needs more than a sentence (a choice between communes).
    Reply(Reply),
    Store(StoreError),
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

macro_rules! refuse {
    ($id:literal $(, $k:literal => $v:expr)* $(,)?) => {
        $crate::engine::Fail::User($crate::engine::Msg {
            id: $id,
            args: vec![$(($k, $crate::i18n::Arg::from($v))),*],
        })
    };
}
pub(crate) use refuse;

pub(crate) type Outcome = Result<Vec<Reply>, Fail>;

/// The state of handling one message.
pub(crate) struct Ctx<'a> {
    pub tx: Box<dyn Tx>,
    pub actor: Actor,
    pub now: DateTime<Utc>,
    pub cat: &'a Catalog,
    pub places: &'a Gazetteer,
    pub index: &'a RwLock<NearbyIndex>,
    /// Initiatives written in this transaction (before, after), for the nearby
    /// index once committed.
    pub touched: Vec<Touched>,
    /// The shared chat (group, room) the message came from, if not a private one.
    pub room: Option<Address>,
    /// The prefix of the outbox keys of this message's effects.
    pub key_base: String,
    pub sent: usize,
    /// Networks where the bot creates a room for each launched project.
    pub room_networks: &'a [String],
    /// The person was erased by this message (`/oublier`): replies to their
    /// chat are no longer theirs.
    pub forgotten: bool,
}

impl Ctx<'_> {
    pub fn lang(&self) -> Lang {
        self.actor.lang
    }

    /// A message in the person's language.
    pub fn t(&self, id: &str, args: &[(&str, Arg)]) -> String {
        self.cat.get(self.actor.lang, id, args)
    }

    pub async fn initiative(&mut self, id: InitiativeId) -> Result<Initiative, Fail> {
        self.tx
            .initiative(id)
            .await?
            .ok_or_else(|| refuse!("unknown-initiative", "id" => id.0))
    }

    pub async fn my_role(&mut self, id: InitiativeId) -> Result<Option<Role>, Fail> {
        let me = self.actor.id;
        Ok(self.tx.membership(id, me).await?.map(|m| m.role))
    }

    pub async fn insert_initiative(&mut self, new: &NewInitiative) -> Result<Initiative, Fail> {
        let i = self.tx.insert_initiative(new).await?;
        self.touched.push(i.clone());
        alerts::new_initiative(self, &i).await?;
        Ok(i)
    }

    /// Writes an initiative; the nearby index follows once the transaction commits.
    pub async fn save_initiative(&mut self, i: &Initiative) -> Result<(), Fail> {
        self.tx.update_initiative(i).await?;
        self.touched.push(i.clone());
        Ok(())
    }

    /// Initiatives within `radius_m` of `centre` in the nearby index, nearest first.
    pub fn nearby(
        &self,
        centre: GeoPoint,
        radius_m: u32,
        categories: &[Category],
        kind: Option<InitiativeKind>,
    ) -> Vec<(InitiativeId, f64)> {
        let filter = crate::places::Filter {
            categories: categories.to_vec(),
            kind,
        };
        let index = self
            .index
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        index.nearby(centre, f64::from(radius_m), &filter, MAX_NEARBY)
    }

    /// The next outbox key of this message.
    pub fn next_key(&mut self, tag: &str) -> String {
        self.sent += 1;
        format!("{}/{tag}{}", self.key_base, self.sent)
    }

    /// Queues a message for another person, on the first of their identities that
    /// can still be reached; dropped if none can.
    pub async fn notify(&mut self, to: ActorId, reply: Reply) -> Result<(), Fail> {
        self.notify_with(to, reply, Priority::Interactive)
            .await
            .map(drop)
    }

    /// [`Ctx::notify`] with a priority; `false` if nobody could be reached.
    pub async fn notify_with(
        &mut self,
        to: ActorId,
        reply: Reply,
        priority: Priority,
    ) -> Result<bool, Fail> {
        let mut address = None;
        for identity in self.tx.identities_of(to).await? {
            let a = Address::of(&identity);
            if !self.tx.is_unreachable(&a).await? {
                address = Some(a);
                break;
            }
        }
        let Some(address) = address else {
            tracing::debug!(actor = %to, "notice dropped: no reachable identity");
            return Ok(false);
        };
        let key = self.next_key("n");
        self.tx
            .enqueue(&NewOutgoing {
                to: address,
                recipient: Some(to),
                reply,
                priority,
                key,
                at: self.now,
            })
            .await?;
        Ok(true)
    }

    /// Refuses unless the person organises the initiative.
    pub async fn require_organiser(&mut self, i: &Initiative) -> Result<(), Fail> {
        if self.my_role(i.id).await? == Some(Role::Organiser) {
            Ok(())
        } else {
            Err(refuse!("not-organiser", "id" => i.id.0))
        }
    }
}

pub(crate) fn text_refusal(field: &'static str, e: TextError) -> Fail {
    let field = Arg::from(field);
    match e {
        TextError::Empty => Fail::User(Msg {
            id: "text-empty",
            args: vec![("field", field)],
        }),
        TextError::TooLong { max, len } => Fail::User(Msg {
            id: "text-too-long",
            args: vec![("field", field), ("max", max.into()), ("len", len.into())],
        }),
    }
}

pub(crate) fn geo_refusal(e: GeoError) -> Fail {
    match e {
        GeoError::Syntax => refuse!("location-syntax"),
        GeoError::OutOfRange => refuse!("location-range"),
    }
}

fn parse_refusal(e: ParseError) -> Fail {
    match e {
        ParseError::UnknownCommand(word) => refuse!("unknown-command", "command" => word),
        ParseError::Usage(name) => Fail::User(Msg {
            id: name.usage_id(),
            args: vec![],
        }),
        ParseError::BadLocation(g) => geo_refusal(g),
        ParseError::RadiusTooLarge => refuse!("radius-too-large"),
        ParseError::BadRadius(r) => refuse!("radius-bad", "radius" => r),
    }
}

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
    changes_cursor: tokio::sync::Mutex<i64>,
    /// Makes outbox keys unique for messages without a network event id.
    local_seq: std::sync::atomic::AtomicU64,
    /// Networks where every launched project gets a room the bot creates (Matrix).
    room_networks: Vec<String>,
    /// Events that failed for a reason not the person's (see `intake`).
    failed_updates: std::sync::atomic::AtomicU64,
    /// Pieces of scheduled work that failed (see `scheduler`).
    scheduled_failures: std::sync::atomic::AtomicU64,
}

/// An initiative written by a transaction, as written, for the nearby index.
pub(crate) type Touched = Initiative;

/// What became of an incoming event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intake {
    /// Handled; this many messages were queued.
    Queued(usize),
    /// Refused (the person's doing: a bad command, no right to do it): nothing
    /// of it was written but the event id and these answers.
    Refused(usize),
    /// Seen before (a redelivery after a restart or a crash): nothing done again.
    Duplicate,
    /// Failed for a reason not the person's (a store error, a bug): recorded as
    /// failed, never handed again; this many apologies were queued (0 or 1).
    Failed(usize),
}

/// Proof that the caller is an operator (the `kohero admin` command line): chat
/// commands never build one, so no chat message can verify anyone.
#[derive(Debug)]
pub struct Operator(());

impl Operator {
    /// For the operator's command line only.
    pub fn command_line() -> Self {
        Self(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum VerifyError {
    /// A municipality needs at least one commune.
    NoCommune,
    /// Only organisations are verified.
    Citizen,
}

impl Engine {
    /// Loads the catalogues and the gazetteer, and builds the nearby index from the store.
    pub async fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Result<Self, EngineError> {
        let mut tx = store.begin().await?;
        let located = tx.located_initiatives().await?;
        let cursor = tx.initiative_changes_cursor().await?;
        drop(tx);
        let index = NearbyIndex::bulk_load(located);
        tracing::info!(initiatives = index.len(), "nearby index loaded");
        Ok(Self {
            store,
            clock,
            cat: Catalog::load()?,
            places: Gazetteer::shipped()?,
            index: RwLock::new(index),
            changes_cursor: tokio::sync::Mutex::new(cursor),
            local_seq: std::sync::atomic::AtomicU64::new(0),
            room_networks: Vec::new(),
            failed_updates: std::sync::atomic::AtomicU64::new(0),
            scheduled_failures: std::sync::atomic::AtomicU64::new(0),
        })
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
        let name = match display_name {
            Some(n) => {
                let one_line = crate::text::strip_controls(n).replace('\n', " ");
                let cut: String = one_line
                    .trim()
                    .chars()
                    .take(crate::text::NAME_MAX)
                    .collect();
                crate::text::display_name(&cut)
                    .unwrap_or_else(|_| self.cat.get(lang.unwrap_or_default(), "someone", &[]))
            }
            None => identity.id.chars().take(crate::text::NAME_MAX).collect(),
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
        self.actor_for(
            tx,
            &incoming.identity,
            incoming.display_name.as_deref(),
            incoming.lang_hint,
        )
        .await
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
            touched: Vec::new(),
            room: None,
            key_base,
            sent: 0,
            room_networks: &self.room_networks,
            forgotten: false,
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
        const PAGE: usize = 1000;
        let mut cursor = self.changes_cursor.lock().await;
        let mut n = 0;
        loop {
            let mut tx = self.store.begin().await?;
            let (next, changed) = tx.initiative_changes(*cursor, PAGE).await?;
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
    }

    /// Handles one message: every effect and every message for others is committed
    /// together, or nothing is when the message is refused.
    /// A panic while handling is an error (`EngineError::Failed`), and nothing of
    /// the message is written.
    #[tracing::instrument(skip_all, fields(identity = %incoming.identity))]
    pub async fn handle(&self, incoming: Incoming) -> Result<Vec<Reply>, EngineError> {
        match crate::unwind::CatchUnwind::new(self.handle_unguarded(incoming)).await {
            Ok(r) => r,
            Err(panic) => {
                self.failed_updates
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Err(EngineError::Failed(format!(
                    "panic: {}",
                    crate::unwind::panic_message(panic.as_ref())
                )))
            }
        }
    }

    async fn handle_unguarded(&self, incoming: Incoming) -> Result<Vec<Reply>, EngineError> {
        let mut tx = self.store.begin().await?;
        let actor = self.actor_of(&mut tx, &incoming).await?;
        let lang = actor.lang;
        let mut ctx = self.ctx(tx, actor, self.key_base(&incoming));
        match self.dispatch(&mut ctx, incoming.content).await {
            Ok(replies) => {
                let Ctx { tx, touched, .. } = ctx;
                tx.commit().await?;
                self.apply_to_index(&touched);
                Ok(replies)
            }
            Err(fail) => {
                // Dropping the transaction rolls back whatever was written.
                drop(ctx);
                Ok(vec![self.refusal(lang, fail)?])
            }
        }
    }

    async fn dispatch(&self, ctx: &mut Ctx<'_>, content: Content) -> Outcome {
        let state = match ctx.tx.dialogue(ctx.actor.id).await? {
            Some(raw) => Some(serde_json::from_str::<Dialogue>(&raw).map_err(|e| {
                StoreError::Corrupt(format!("dialogue of actor {}: {e}", ctx.actor.id))
            })?),
            None => None,
        };
        if let Some(room) = ctx.room.clone() {
            return self.in_room(ctx, room, content).await;
        }
        if let Content::Moved(p) = content {
            ctx.actor.location = Some(p.rounded());
            let actor = ctx.actor.clone();
            ctx.tx.update_actor(&actor).await?;
            return Ok(Vec::new());
        }
        let is_command = |s: &str| {
            let s = s.trim_start();
            s.starts_with('/') || s.starts_with('!')
        };
        if let Some(state) = state {
            return match content {
                Content::Text(t) | Content::Button(t) if !is_command(&t) => {
                    dialogue::answer(ctx, state, dialogue::Answer::Text(t)).await
                }
                Content::Location(p) => {
                    dialogue::answer(ctx, state, dialogue::Answer::Location(p)).await
                }
                Content::Moved(_) | Content::ChatMoved(_) | Content::JoinRequest => Ok(Vec::new()),
                Content::Text(t) | Content::Button(t) => {
                    match command::parse(&t).map_err(parse_refusal)? {
                        Parsed::Command(Command::Cancel) => dialogue::cancel(ctx).await,
                        Parsed::Command(Command::Help) => {
                            Ok(vec![profile::help(ctx), dialogue::prompt(ctx, &state)])
                        }
                        Parsed::Command(Command::Forget { confirmed: true })
                            if state == Dialogue::Forget =>
                        {
                            profile::forget_now(ctx).await
                        }
                        _ => Err(refuse!("dialogue-in-progress")),
                    }
                }
            };
        }
        let parsed = match content {
            Content::Location(p) => return discover::shared_location(ctx, p).await,
            Content::Moved(_) | Content::ChatMoved(_) | Content::JoinRequest => {
                return Ok(Vec::new());
            }
            Content::Text(t) => command::parse(&t).map_err(parse_refusal)?,
            Content::Button(t) => match command::parse(&t) {
                Ok(Parsed::Command(c)) => Parsed::Command(c),
                _ => return Err(refuse!("button-invalid")),
            },
        };
        match parsed {
            Parsed::Text(_) => Err(refuse!("not-a-command")),
            Parsed::Command(c) => self.run(ctx, c).await,
        }
    }

    /// A message in a shared chat: only commands about the chat's project are
    /// served; other messages are neither stored nor answered.
    async fn in_room(&self, ctx: &mut Ctx<'_>, room: Address, content: Content) -> Outcome {
        let text = match content {
            Content::Text(t) | Content::Button(t) => t,
            Content::ChatMoved(to) => {
                ctx.tx
                    .move_room(&room, &Address::new(room.network.clone(), to))
                    .await?;
                return Ok(Vec::new());
            }
            Content::JoinRequest => return rooms::admit(ctx, &room).await,
            Content::Location(_) | Content::Moved(_) => return Ok(Vec::new()),
        };
        let t = text.trim_start();
        if !(t.starts_with('/') || t.starts_with('!')) {
            return Ok(Vec::new());
        }
        let linked = ctx.tx.room_initiative(&room).await?;
        let text = match linked {
            Some(id) => command::with_default_id(&text, id),
            None => text,
        };
        match command::parse(&text) {
            Ok(Parsed::Command(Command::Link(id))) => rooms::link(ctx, &room, id).await,
            // The bot was added with an "add to group" link for #N.
            Ok(Parsed::Command(Command::Start(Some(p)))) => {
                match p.strip_prefix('l').and_then(command::parse_initiative_id) {
                    Some(id) => rooms::link(ctx, &room, id).await,
                    None => Err(refuse!("room-commands")),
                }
            }
            Ok(Parsed::Command(Command::LinkCommune(insee))) => {
                rooms::link_commune(ctx, &room, insee.as_deref()).await
            }
            Ok(Parsed::Command(
                c @ (Command::Update(..)
                | Command::Event(..)
                | Command::Members(_)
                | Command::Show(_)
                // An event's RSVP buttons (reactions on Matrix) are posted in the room.
                | Command::Rsvp(..)),
            )) => self.run(ctx, c).await,
            Ok(Parsed::Command(Command::Help)) | Ok(Parsed::Command(_)) => {
                Err(refuse!("room-commands"))
            }
            Ok(Parsed::Text(_)) => Ok(Vec::new()),
            Err(ParseError::UnknownCommand(_)) => Err(refuse!("room-commands")),
            Err(e) => Err(parse_refusal(e)),
        }
    }

    async fn run(&self, ctx: &mut Ctx<'_>, c: Command) -> Outcome {
        use Command as C;
        match c {
            C::Help => Ok(vec![profile::help(ctx)]),
            C::Start(payload) => profile::start(ctx, payload).await,
            C::Near(area) => discover::near(ctx, area).await,
            C::Search { text, page } => discover::search(ctx, &text, page).await,
            C::Feed(area) => discover::feed(ctx, area).await,
            C::Subscribe(area) => discover::subscribe(ctx, area).await,
            C::Unsubscribe => discover::unsubscribe(ctx).await,
            C::Propose(parts) => dialogue::propose(ctx, parts).await,
            C::Show(id) => initiatives::show(ctx, id).await,
            C::Edit(id, change) => initiatives::edit(ctx, id, change).await,
            C::Support(id) => initiatives::support(ctx, id).await,
            C::Launch(id) => initiatives::launch(ctx, id).await,
            C::Join(id) => initiatives::join(ctx, id).await,
            C::Follow(id) => initiatives::follow(ctx, id).await,
            C::Leave(id) => initiatives::leave(ctx, id).await,
            C::Members(id) => initiatives::members(ctx, id).await,
            C::CoOrganise(id, who) => initiatives::co_organise(ctx, id, &who).await,
            C::Accept(id) => initiatives::accept(ctx, id).await,
            C::Decline(id) => initiatives::decline(ctx, id).await,
            C::Drop(id) => initiatives::set_status(ctx, id, Status::Dropped).await,
            C::Done(id) => initiatives::set_status(ctx, id, Status::Done).await,
            C::Archive(id) => initiatives::set_status(ctx, id, Status::Archived).await,
            C::Update(id, text) => project::update(ctx, id, &text).await,
            C::Event(id, spec) => project::event(ctx, id, spec.as_deref()).await,
            C::Rsvp(event, answer) => project::rsvp(ctx, event, answer).await,
            C::Profile(name) => profile::profile(ctx, name).await,
            C::Language(lang) => profile::language(ctx, lang).await,
            C::MyData => profile::my_data(ctx).await,
            C::Forget { .. } => profile::forget_ask(ctx).await,
            C::Cancel => Err(refuse!("nothing-to-cancel")),
            C::Link(_) | C::LinkCommune(_) => Err(refuse!("link-in-group")),
            C::Digest(arg) => digest::command(ctx, arg).await,
            C::Announce { now, text } => digest::announce(ctx, now, &text).await,
            C::Alerts(arg) => alerts::command(ctx, arg).await,
        }
    }

    /// Sets a person's language (console `--lang`), creating them if never seen.
    pub async fn set_language(&self, identity: &Identity, lang: Lang) -> Result<(), EngineError> {
        let mut tx = self.store.begin().await?;
        let mut actor = self.actor_for(&mut tx, identity, None, Some(lang)).await?;
        if actor.lang != lang {
            actor.lang = lang;
            tx.update_actor(&actor).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Verifies an organisation (operators only: see [`Operator`]).
    pub async fn verify(
        &self,
        _operator: &Operator,
        identity: &Identity,
        kind: ActorKind,
        communes: Vec<InseeCode>,
    ) -> Result<Result<Actor, VerifyError>, EngineError> {
        if kind == ActorKind::Citizen {
            return Ok(Err(VerifyError::Citizen));
        }
        if kind == ActorKind::Municipality && communes.is_empty() {
            return Ok(Err(VerifyError::NoCommune));
        }
        let mut tx = self.store.begin().await?;
        let mut actor = self.actor_for(&mut tx, identity, None, None).await?;
        actor.kind = kind;
        actor.verified = true;
        let mut communes = communes;
        communes.sort();
        communes.dedup();
        actor.communes = communes;
        tx.update_actor(&actor).await?;
        tx.commit().await?;
        Ok(Ok(actor))
    }

    /// Revokes a verification; the actor becomes a citizen again. `None` if unknown.
    pub async fn unverify(
        &self,
        _operator: &Operator,
        identity: &Identity,
    ) -> Result<Option<Actor>, EngineError> {
        let mut tx = self.store.begin().await?;
        let Some(mut actor) = tx.actor_by_identity(identity).await? else {
            return Ok(None);
        };
        actor.kind = ActorKind::Citizen;
        actor.verified = false;
        actor.communes.clear();
        tx.update_actor(&actor).await?;
        tx.commit().await?;
        Ok(Some(actor))
    }

    /// Messages waiting in the outbox for this identity's private chat (the console
    /// delivers these itself).
    pub async fn pending(&self, identity: &Identity) -> Result<Vec<Outgoing>, EngineError> {
        let mut tx = self.store.begin().await?;
        Ok(tx.pending_to(&Address::of(identity)).await?)
    }

    /// Marks a message delivered, once the network has taken it.
    pub async fn delivered(&self, outgoing_id: i64) -> Result<(), EngineError> {
        let mut tx = self.store.begin().await?;
        tx.mark_sent(outgoing_id, self.clock.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether an identity was ever seen.
    pub async fn knows(&self, identity: &Identity) -> Result<bool, EngineError> {
        let mut tx = self.store.begin().await?;
        Ok(tx.actor_by_identity(identity).await?.is_some())
    }
}

/// The key of a network event (`network/event id`): the outbox keys of the
/// replies to it are this key, a slash and the reply's tag (`…/r0`), so each
/// reply is written once however often the event is handed in.
pub fn event_key(incoming: &Incoming) -> Option<String> {
    let e = incoming.event_id.as_ref()?;
    Some(format!("{}/{e}", incoming.identity.network))
}

/// The event key an outbox key belongs to (see [`event_key`]), if it is a reply's.
pub fn event_key_of(outbox_key: &str) -> Option<&str> {
    outbox_key.rsplit_once('/').map(|(event, _)| event)
}

impl Engine {
    /// The operator's command line acting for a commune's verified
    /// municipalities (`kohero digest INSEE --schedule …`, `--stop`,
    /// `--announce …`): the digest or announcement command runs as each of them,
    /// exactly as if they had typed it, and is committed unless refused. Returns
    /// each municipality with its answer; none if the commune has no verified
    /// municipality.
    pub async fn digest_for_commune(
        &self,
        _operator: &Operator,
        commune: &InseeCode,
        command: Command,
    ) -> Result<Vec<(Actor, Reply)>, EngineError> {
        let municipalities = self.store.begin().await?.municipalities_of(commune).await?;
        let mut out = Vec::new();
        for m in municipalities {
            let tx = self.store.begin().await?;
            let mut ctx = self.ctx(tx, m.clone(), self.local_key("cli"));
            let outcome = match command.clone() {
                Command::Digest(arg) => digest::command(&mut ctx, arg).await,
                Command::Announce { now, text } => digest::announce(&mut ctx, now, &text).await,
                _ => Err(refuse!("digest-not-municipality")),
            };
            let reply = match outcome {
                Ok(replies) => {
                    ctx.tx.commit().await?;
                    replies.into_iter().next().unwrap_or_default()
                }
                Err(fail) => self.refusal(m.lang, fail)?,
            };
            out.push((m, reply));
        }
        Ok(out)
    }

    /// `kohero digest INSEE --now`: queues the digest of every verified
    /// municipality of the commune at once. Returns each municipality with the
    /// number of messages queued; none if the commune has no verified municipality.
    pub async fn queue_digest_now(
        &self,
        commune: &InseeCode,
    ) -> Result<Vec<(Actor, usize)>, EngineError> {
        let now = self.clock.now();
        let municipalities = self.store.begin().await?.municipalities_of(commune).await?;
        let mut out = Vec::new();
        for m in municipalities {
            let mut tx = self.store.begin().await?;
            let mut plan = tx
                .digest_plan(m.id)
                .await?
                .unwrap_or_else(|| DigestPlan::new(m.id, &m.tz));
            let key_base = self.local_key(&format!("digest/{}/now", m.id));
            let mut ctx = self.ctx(tx, m.clone(), key_base);
            ctx.now = now;
            let n = digest::queue(&mut ctx, &mut plan, now, None, false)
                .await
                .map_err(Self::scheduled)?;
            ctx.tx.save_digest_plan(&plan).await?;
            ctx.tx.commit().await?;
            out.push((m, n));
        }
        Ok(out)
    }
}
