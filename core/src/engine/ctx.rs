//! The state of handling one message ([`Ctx`]), and how handling stops: a
//! refusal the person gets as an answer, or a failure that is not theirs.

use std::sync::RwLock;

use chrono::{DateTime, Utc};

use crate::command::ParseError;
use crate::domain::*;
use crate::geo::{GeoError, GeoPoint};
use crate::i18n::{Arg, Catalog};
use crate::places::{Gazetteer, NearbyIndex};
use crate::ports::{StoreError, Tx};
use crate::reply::Reply;
use crate::text::TextError;

use super::{MAX_NEARBY, Touched, alerts};

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
    /// Initiatives with open needs, by place.
    pub needs_index: &'a RwLock<NearbyIndex>,
    /// Verified actors by place.
    pub actors: &'a RwLock<NearbyIndex<ActorId>>,
    /// Set when the message writes what the indexes follow through the
    /// store's change logs (an actor's profile, a need).
    pub index_dirty: &'a std::sync::atomic::AtomicBool,
    /// Where the public pages are (`KOHERO_PUBLIC_URL`), for the links cards carry.
    pub public_url: Option<&'a str>,
    /// Initiatives written in this transaction (before, after), for the nearby
    /// index once committed.
    pub touched: Vec<Touched>,
    /// The shared chat (group, room) the message came from, if not a private one.
    pub room: Option<Address>,
    /// The identity the message came from (none for the operator's command
    /// line and the scheduler).
    pub identity: Option<Identity>,
    /// The network's id of the message in that shared chat, when it says (what
    /// it shows can then be taken back).
    pub message: Option<String>,
    /// What the network says of that chat and of the sender in it, when the
    /// command changes what the chat is.
    pub chat_check: Option<crate::inbox::ChatCheck>,
    /// The prefix of the outbox keys of this message's effects.
    pub key_base: String,
    pub sent: usize,
    /// Networks where the bot creates a room for each launched project.
    pub room_networks: &'a [String],
    /// What one person may hold (ideas, subscriptions) and be sent at once.
    pub fair_use: crate::fair_use::FairUse,
    /// The person was erased by this message (`/oublier`): replies to their
    /// chat are no longer theirs.
    pub forgotten: bool,
    /// How moderation runs on this instance.
    pub moderation: ModerationPolicy,
    /// The sender's ban, when one is in force.
    pub banned: Option<Ban>,
    /// The operator's command line acts (no moderator is named in the log).
    pub operator: bool,
    /// The network's id of the bot's message whose button the person
    /// pressed, in their private chat, when the network says.
    pub pressed: Option<String>,
    /// Set by a command whose answer takes the place of that message (a
    /// consultation's card showing the vote just cast).
    pub edit_pressed: bool,
    /// Added to the outbox keys of the answers, so that they can be found
    /// again (`/vote/3`: the answers that show a person's vote, deleted
    /// when the consultation closes).
    pub reply_tag: Option<String>,
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

    /// The message wrote what the indexes follow through the store's change
    /// logs (an actor's profile, a need): they catch up once the transaction
    /// commits.
    pub fn indexes_changed(&self) {
        self.index_dirty
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Initiatives with open needs within `radius_m` of `centre` that `mask`
    /// keeps.
    pub fn nearby_needs(
        &self,
        centre: GeoPoint,
        radius_m: u32,
        mask: crate::places::Mask,
        limit: usize,
    ) -> Vec<(InitiativeId, f64)> {
        self.needs_index
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .nearby(centre, f64::from(radius_m), mask, limit)
    }

    /// Verified actors within `radius_m` of `centre`, nearest first.
    pub fn nearby_actors(
        &self,
        centre: GeoPoint,
        radius_m: u32,
        mask: crate::places::Mask,
        limit: usize,
    ) -> Vec<(ActorId, f64)> {
        self.actors
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .nearby(centre, f64::from(radius_m), mask, limit)
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
                priority,
                ..NewOutgoing::message(&address, reply, key, self.now).for_person(Some(to))
            })
            .await?;
        Ok(true)
    }

    /// Queues a message for one identity of a person (not where their notices
    /// go: an invitation that only makes sense on that network, a word to the
    /// identity that asked); dropped if it cannot be reached.
    pub async fn notify_identity(
        &mut self,
        to: &Identity,
        person: ActorId,
        reply: Reply,
    ) -> Result<(), Fail> {
        let address = Address::of(to);
        if self.tx.is_unreachable(&address).await? {
            return Ok(());
        }
        let key = self.next_key("n");
        self.tx
            .enqueue(&NewOutgoing::message(&address, reply, key, self.now).for_person(Some(person)))
            .await?;
        Ok(())
    }

    /// The verified actor the person acts for: their own account when an
    /// operator verified it, else the actor whose team they are on (while
    /// that actor is verified).
    pub async fn organisation(&mut self) -> Result<Option<Actor>, Fail> {
        if self.actor.verified && self.actor.kind != ActorKind::Citizen {
            return Ok(Some(self.actor.clone()));
        }
        let me = self.actor.id;
        let Some(org) = self.tx.acts_for(me).await? else {
            return Ok(None);
        };
        Ok(self
            .tx
            .actor(org)
            .await?
            .filter(|a| a.verified && a.kind != ActorKind::Citizen))
    }

    /// Whether something by `author` is the person's own, or their actor's:
    /// written by them, by the actor they act for, or by someone else who
    /// acts for it (nobody moderates what their own side wrote).
    pub async fn is_own(&mut self, author: Option<ActorId>) -> Result<bool, Fail> {
        let Some(author) = author else {
            return Ok(false);
        };
        if author == self.actor.id {
            return Ok(true);
        }
        let Some(org) = self.organisation().await? else {
            return Ok(false);
        };
        Ok(author == org.id || self.tx.acts_for(author).await? == Some(org.id))
    }

    /// The verified municipality the person acts for, with communes.
    pub async fn municipality(&mut self) -> Result<Option<Actor>, Fail> {
        Ok(self
            .organisation()
            .await?
            .filter(|a| a.is_verified_municipality() && !a.communes.is_empty()))
    }

    /// Where the person moderates, if anywhere: as named by the operator, and
    /// for their communes as a verified municipality when the instance allows
    /// it. The operator's command line moderates everywhere.
    pub async fn moderator_scope(&mut self) -> Result<Option<ModeratorScope>, Fail> {
        if self.operator {
            return Ok(Some(ModeratorScope::Everywhere));
        }
        let named = self.tx.moderator_scope(self.actor.id).await?;
        let town = if self.moderation.municipalities_moderate {
            self.municipality().await?.map(|m| m.communes)
        } else {
            None
        };
        Ok(match (named, town) {
            (Some(ModeratorScope::Everywhere), _) => Some(ModeratorScope::Everywhere),
            (Some(ModeratorScope::Communes(mut mine)), Some(town)) => {
                mine.extend(town);
                mine.sort();
                mine.dedup();
                Some(ModeratorScope::Communes(mine))
            }
            (Some(s), None) => Some(s),
            (None, Some(town)) => Some(ModeratorScope::Communes(town)),
            (None, None) => None,
        })
    }

    /// Whether the person moderates content of these communes.
    pub async fn moderates(&mut self, communes: &[InseeCode]) -> Result<bool, Fail> {
        Ok(self
            .moderator_scope()
            .await?
            .is_some_and(|s| s.covers(communes)))
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

pub(crate) fn parse_refusal(e: ParseError) -> Fail {
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
