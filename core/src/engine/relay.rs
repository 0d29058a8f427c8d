//! One conversation across a project's chats: what people write in one of
//! them (not to the bot) is relayed into the others, through the outbox.
//!
//! A relay to a chat is an outbox message of [`Payload::Relay`], keyed
//! `relay/…`. While the destination's limit holds it back (Telegram: 20
//! messages a minute in a group), what follows is gathered into it
//! ([`Outbox::rewrite`](crate::ports::Outbox::rewrite), only while no worker
//! holds it), so a burst arrives complete, in order, as one message. Once
//! sent, its copies are kept ([`Rooms::record_relay`](crate::ports::Rooms::record_relay))
//! to relay edits and redactions (in place where the copy is whole, as a new
//! message otherwise) and to show replies as replies.

use chrono::{DateTime, Utc};

use super::{Ctx, Engine, EngineError, Incoming, Intake, Outcome, refuse};
use crate::domain::*;
use crate::inbox::{Content, Relayed as Sent};
use crate::ports::{StoreError, Tx};
use crate::reply::Reply;

/// What one person's messages in a project's chat may be relayed at: a
/// burst of 60, then one a second (faster than anyone types).
const RELAY_RATE: crate::limiter::Rate = crate::limiter::Rate::per_second(1, 60);

/// Most relays waiting for one chat; past that, lines are dropped.
const PENDING_MAX: usize = 30;

/// Longest author name shown.
const AUTHOR_CHARS: usize = 64;

impl Engine {
    /// A message for the people of a shared chat (see
    /// [`Content::is_relayed`]): relayed into the other chats of the chat's
    /// project, when it has some and relaying is on. Nothing is stored of a
    /// chat that is no project's, and nobody is created.
    pub(super) async fn relay_event(
        &self,
        tx: &mut Box<dyn Tx>,
        incoming: &Incoming,
        key_base: &str,
        now: DateTime<Utc>,
        admitted: &crate::fair_use::Admitted,
    ) -> Result<Intake, StoreError> {
        let Some(chat) = incoming
            .chat
            .as_ref()
            .filter(|c| **c != incoming.identity.id)
        else {
            return Ok(Intake::Queued(0));
        };
        let room = Address::new(incoming.identity.network.clone(), chat.clone());
        let Some(id) = tx.room_initiative(&room).await? else {
            return Ok(Intake::Queued(0));
        };
        if !tx.relaying(id).await? || tx.initiative(id).await?.is_none_or(|i| i.hidden) {
            return Ok(Intake::Queued(0));
        }
        // A banned person's words stay where they wrote them.
        if tx
            .ban_of(&incoming.identity)
            .await?
            .is_some_and(|b| b.in_force(now))
        {
            return Ok(Intake::Refused(0));
        }
        // A flood is not relayed past what a person can type (quietly: the
        // chat is not told). A bucket of its own: chatting does not use up
        // what one may ask the bot.
        let bucket = format!("relay:{}", incoming.identity);
        let admit = admitted.once(format!("{key_base}/relay"), || {
            self.buckets.admit(Some(RELAY_RATE), &bucket, now)
        });
        if admit != crate::fair_use::Admit::Yes {
            return Ok(Intake::Refused(0));
        }
        let others: Vec<Address> = tx
            .rooms_of(id)
            .await?
            .into_iter()
            .filter(|r| *r != room)
            .collect();
        if others.is_empty() {
            return Ok(Intake::Queued(0));
        }
        let person = tx.actor_by_identity(&incoming.identity).await?;
        let author = author_name(incoming, person.as_ref());
        let mut queued = 0;
        for (n, to) in others.iter().enumerate() {
            if tx.is_unreachable(to).await? {
                continue;
            }
            let key = format!("relay/{key_base}/{n}");
            let wrote = match &incoming.content {
                Content::Said { said, reply } => {
                    let Some(message) = incoming.message_id.clone() else {
                        continue;
                    };
                    let quote = match reply {
                        Some(r) => Some(quote(tx, &room, r, to).await?),
                        None => None,
                    };
                    let line = Relayed {
                        source: MessageRef::new(&room, message),
                        author: author.clone(),
                        sender: incoming.identity.id.clone(),
                        person: person.as_ref().map(|p| p.id),
                        said: said.clone(),
                        quote,
                        edited: false,
                    };
                    put_line(tx, to, line, key, now).await?
                }
                Content::Edited { message, said } => {
                    let line = Relayed {
                        source: MessageRef::new(&room, message.clone()),
                        author: author.clone(),
                        sender: incoming.identity.id.clone(),
                        person: person.as_ref().map(|p| p.id),
                        said: said.clone(),
                        quote: None,
                        edited: true,
                    };
                    edit_line(tx, to, line, key, now).await?
                }
                Content::Retracted { message } => {
                    // The author, or whoever the network lets take others'
                    // messages back (a room's moderators).
                    let moderates = incoming.chat_check.is_some_and(|c| {
                        matches!(
                            c.role,
                            crate::inbox::ChatRole::Owner | crate::inbox::ChatRole::Admin
                        )
                    });
                    let who = incoming.identity.id.as_str();
                    let may = |l: &Relayed| moderates || l.sender == who;
                    retract_line(
                        tx,
                        to,
                        &MessageRef::new(&room, message.clone()),
                        &may,
                        key,
                        now,
                    )
                    .await?
                }
                _ => false,
            };
            queued += usize::from(wrote);
        }
        Ok(Intake::Queued(queued))
    }

    /// A relay went out (see [`crate::inbox::Inbox::relayed`]): its copies are
    /// kept, each source's newest copy replacing an older one.
    pub async fn relayed(&self, sent: Sent) -> Result<(), EngineError> {
        crate::retry::on_conflict("relay", || self.relayed_once(&sent)).await
    }

    async fn relayed_once(&self, sent: &Sent) -> Result<(), EngineError> {
        let Some(first) = sent.messages.first() else {
            return Ok(());
        };
        let mut tx = self.store.begin().await?;
        let whole = sent.messages.len() == 1;
        // A copy in several messages (one long message cut by the network)
        // keeps them all, to take them all back.
        let copy = RelayCopy {
            row: sent.row,
            room: sent.room.clone(),
            message: if whole {
                first.clone()
            } else {
                sent.messages.join(" ")
            },
        };
        let now = self.clock.now();
        for source in &sent.sources {
            // Taken back while its relay was on its way: taken back now.
            let retracted = tx
                .relay_copy(source, &sent.room)
                .await?
                .is_some_and(|(c, _)| c.message.is_empty());
            tx.record_relay(source, &copy, whole, now).await?;
            if retracted {
                let key = format!(
                    "relay/late/{}/{}/{}/{}",
                    sent.room.network, sent.room.chat, source.chat, source.message
                );
                match retract_copy(&mut tx, &sent.room, source, &|_| true, key, now).await {
                    // Told twice (a retried report): queued the first time.
                    Err(StoreError::Duplicate(_)) => {}
                    other => {
                        other?;
                    }
                }
            }
        }
        Ok(tx.commit().await?)
    }
}

/// The name a relayed message is signed with: the network's, else Kohero's,
/// else the identity; one line, nothing hidden, not too long.
fn author_name(incoming: &Incoming, person: Option<&Actor>) -> String {
    let name = incoming
        .display_name
        .clone()
        .filter(|n| !clean_name(n, AUTHOR_CHARS).is_empty())
        .or_else(|| person.map(|p| p.display_name.clone()))
        .unwrap_or_else(|| incoming.identity.id.clone());
    clean_name(&name, AUTHOR_CHARS)
}

/// The quote a relayed reply carries into `to`: the message it answers
/// there when Kohero knows it (the copy of the original, or the original of
/// a copy), and its start.
async fn quote(
    tx: &mut Box<dyn Tx>,
    room: &Address,
    reply: &ReplyTo,
    to: &Address,
) -> Result<Quote, StoreError> {
    let answered = MessageRef::new(room, reply.message.clone());
    let message = match tx.relay_copy(&answered, to).await? {
        Some((copy, _)) if !copy.message.is_empty() => {
            copy.message.split(' ').next().map(str::to_owned)
        }
        _ => tx
            .relay_source(room, &reply.message)
            .await?
            .filter(|source| source.room() == *to)
            .map(|source| source.message),
    };
    let flat: String = reply
        .text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    Ok(Quote {
        message,
        author: reply
            .author
            .as_deref()
            .map(|a| clean_name(a, AUTHOR_CHARS))
            .filter(|a| !a.is_empty()),
        excerpt: crate::text::excerpt(flat.trim(), QUOTE_CHARS),
    })
}

/// The relay lines of a pending outbox message open to changes (no worker
/// holds or tried it: checked again by the store when rewritten).
fn open_relay(m: &Outgoing) -> Option<&Relay> {
    match &m.payload {
        Payload::Relay(r) if m.attempts == 0 => Some(r),
        _ => None,
    }
}

/// Relays a line into `to`: gathered into the chat's last pending message
/// when that is a relay still waiting (a burst), else a message of its own.
/// Returns whether a message was added.
async fn put_line(
    tx: &mut Box<dyn Tx>,
    to: &Address,
    line: Relayed,
    key: String,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let pending = tx.pending_to(to).await?;
    // A chat far behind (a flood, a network down) takes no more: what it
    // would get could only arrive too late.
    let waiting = pending
        .iter()
        .filter(|m| matches!(m.payload, Payload::Relay(_)))
        .count();
    if waiting >= PENDING_MAX {
        tracing::warn!(network = %to.network, chat = %to.chat, waiting, "relay dropped: the chat is too far behind");
        return Ok(false);
    }
    // Only the last of the chat's pending messages: what follows it stays after it.
    if let Some(last) = pending.last()
        && let Some(relay) = open_relay(last)
        && relay.can_gather(&line)
    {
        let mut more = relay.clone();
        more.lines.push(line.clone());
        if tx.rewrite(last, &Payload::Relay(more)).await? {
            return Ok(false);
        }
    }
    enqueue(
        tx,
        to,
        Relay {
            lines: vec![line],
            edit: None,
        },
        key,
        now,
    )
    .await?;
    Ok(true)
}

async fn enqueue(
    tx: &mut Box<dyn Tx>,
    to: &Address,
    relay: Relay,
    key: String,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    tx.enqueue(&NewOutgoing {
        network: to.network.clone(),
        to: Destination::chat(to),
        recipient: None,
        payload: Payload::Relay(relay),
        priority: Priority::Interactive,
        key,
        at: now,
        about: None,
    })
    .await
}

/// What the relays waiting for a chat held of a message.
#[derive(Default)]
struct Waiting {
    /// Changed in a relay still open to changes.
    changed: bool,
    /// In a relay on its way (a worker holds it, or tried it): it goes as
    /// it is.
    held: bool,
}

/// Changes the lines of `source` (those `may` change) in the relays still
/// waiting for `to`; says what was found.
async fn change_pending(
    tx: &mut Box<dyn Tx>,
    to: &Address,
    source: &MessageRef,
    may: &(dyn Fn(&Relayed) -> bool + Sync),
    change: impl Fn(&mut Vec<Relayed>),
) -> Result<Waiting, StoreError> {
    let mut found = Waiting::default();
    for m in tx.pending_to(to).await? {
        let Payload::Relay(relay) = &m.payload else {
            continue;
        };
        if !relay.lines.iter().any(|l| l.source == *source && may(l)) {
            continue;
        }
        if open_relay(&m).is_none() {
            found.held = true;
            continue;
        }
        let mut after = relay.clone();
        change(&mut after.lines);
        let done = match (after.lines.is_empty(), &relay.edit) {
            // An edit of a copy, emptied (its message taken back): the copy
            // goes.
            (true, Some(copy)) => {
                let delete = Payload::Room(deletes([copy.clone()]));
                tx.rewrite(&m, &delete).await?
            }
            (true, None) => tx.withdraw(m.id).await?,
            (false, _) => tx.rewrite(&m, &Payload::Relay(after)).await?,
        };
        if done {
            found.changed = true;
        } else {
            found.held = true;
        }
    }
    Ok(found)
}

/// Taking these messages of a chat back.
fn deletes(messages: impl IntoIterator<Item = String>) -> Vec<RoomOp> {
    messages
        .into_iter()
        .map(|message| RoomOp::Delete {
            message,
            reason: String::new(),
        })
        .collect()
}

/// The lines of an outbox message that carried a relay (until it is pruned).
async fn row_lines(tx: &mut Box<dyn Tx>, row: i64) -> Result<Option<Vec<Relayed>>, StoreError> {
    Ok(match tx.outgoing(row).await? {
        Some(Outgoing {
            payload: Payload::Relay(r),
            ..
        }) => Some(r.lines),
        _ => None,
    })
}

/// The lines of the message that carried a copy, when the copy shows all
/// of them (then it can be edited in place).
async fn whole_copy(
    tx: &mut Box<dyn Tx>,
    source: &MessageRef,
    to: &Address,
) -> Result<Option<(RelayCopy, Vec<Relayed>)>, StoreError> {
    let Some((copy, true)) = tx.relay_copy(source, to).await? else {
        return Ok(None);
    };
    Ok(row_lines(tx, copy.row).await?.map(|lines| (copy, lines)))
}

/// A message changed (only its author changes it): its line in a relay
/// still waiting changes; a copy already sent is edited in place where it
/// is whole and still fits one message (the network shows it edited);
/// otherwise the new text goes as a message of its own, marked as changed.
async fn edit_line(
    tx: &mut Box<dyn Tx>,
    to: &Address,
    line: Relayed,
    key: String,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let source = line.source.clone();
    let said = line.said.clone();
    let editor = line.sender.clone();
    let may = |l: &Relayed| l.sender == editor;
    let waiting = change_pending(tx, to, &source, &may, |lines| {
        for l in lines.iter_mut().filter(|l| l.source == source) {
            l.said = said.clone();
        }
    })
    .await?;
    if waiting.changed {
        return Ok(false);
    }
    // An image's caption changed: told as a line (its copy is no text to edit).
    let in_place = if matches!(line.said, Said::Media(_)) {
        None
    } else {
        whole_copy(tx, &source, to).await?
    };
    if let Some((copy, mut lines)) = in_place {
        if !lines.iter().any(|l| l.source == source && may(l)) {
            // Someone else's message: not theirs to change.
            return Ok(false);
        }
        for l in lines.iter_mut().filter(|l| l.source == source) {
            l.said = line.said.clone();
        }
        let relay = Relay {
            lines,
            edit: Some(copy.message),
        };
        if relay.units() <= RELAY_UNITS_MAX {
            enqueue(tx, to, relay, key, now).await?;
            return Ok(true);
        }
    }
    put_line(tx, to, line, key, now).await
}

/// A message taken back: out of a relay still waiting (remembered when that
/// relay is on its way); a copy already sent is taken back by
/// [`retract_copy`].
async fn retract_line(
    tx: &mut Box<dyn Tx>,
    to: &Address,
    source: &MessageRef,
    may: &(dyn Fn(&Relayed) -> bool + Sync),
    key: String,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let waiting = change_pending(tx, to, source, may, |lines: &mut Vec<Relayed>| {
        lines.retain(|l| l.source != *source);
    })
    .await?;
    if waiting.held {
        // On its way: remembered, and taken back once its copy is reported
        // (`Engine::relayed`).
        remember_retracted(tx, to, source, now).await?;
    }
    if waiting.held || waiting.changed {
        return Ok(false);
    }
    retract_copy(tx, to, source, may, key, now).await
}

/// A message taken back whose copy in `to` was sent: deleted where it
/// shows that message alone (every part of a long one), edited without it
/// where it shows others too.
async fn retract_copy(
    tx: &mut Box<dyn Tx>,
    to: &Address,
    source: &MessageRef,
    may: &(dyn Fn(&Relayed) -> bool + Sync),
    key: String,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    // One long message the network took in several: all of them go.
    if let Some((copy, false)) = tx.relay_copy(source, to).await?
        && !copy.message.is_empty()
    {
        let lines = row_lines(tx, copy.row).await?.unwrap_or_default();
        let alone = matches!(&lines[..], [l] if l.source == *source && may(l));
        if alone {
            let parts = copy.message.split(' ').map(str::to_owned);
            let out =
                NewOutgoing::room(&to.network, Destination::chat(to), deletes(parts), key, now);
            tx.enqueue(&out).await?;
        }
        return Ok(alone);
    }
    let Some((copy, mut lines)) = whole_copy(tx, source, to).await? else {
        return Ok(false);
    };
    if !lines.iter().any(|l| l.source == *source && may(l)) {
        // Someone else's message, and no right to take it back.
        return Ok(false);
    }
    lines.retain(|l| l.source != *source);
    if lines.is_empty() {
        let out = NewOutgoing::room(
            &to.network,
            Destination::chat(to),
            deletes([copy.message]),
            key,
            now,
        );
        tx.enqueue(&out).await?;
    } else {
        let relay = Relay {
            lines,
            edit: Some(copy.message),
        };
        enqueue(tx, to, relay, key, now).await?;
    }
    Ok(true)
}

/// Keeps that `source` was taken back before its copy in `to` was
/// reported: an empty copy, which `Engine::relayed` recognises.
async fn remember_retracted(
    tx: &mut Box<dyn Tx>,
    to: &Address,
    source: &MessageRef,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mark = RelayCopy {
        row: 0,
        room: to.clone(),
        message: String::new(),
    };
    tx.record_relay(source, &mark, false, now).await
}

/// `/oublier`: the person's lines leave the relays that still wait (what
/// was already relayed stays in the chats, as anything they wrote there).
pub async fn forget(ctx: &mut Ctx<'_>) -> Result<(), super::Fail> {
    let me = ctx.actor.id;
    for m in ctx.tx.pending_relays().await? {
        let Some(relay) = open_relay(&m) else {
            continue;
        };
        if !relay.lines.iter().any(|l| l.person == Some(me)) {
            continue;
        }
        let mut after = relay.clone();
        after.lines.retain(|l| l.person != Some(me));
        let done = if after.lines.is_empty() {
            ctx.tx.withdraw(m.id).await?
        } else {
            ctx.tx.rewrite(&m, &Payload::Relay(after)).await?
        };
        if !done {
            tracing::debug!(
                outbox = m.id,
                "a relay being sent keeps an erased person's line"
            );
        }
    }
    Ok(())
}

/// `/relais [ID] [oui|non]`: organisers turn relaying between the
/// project's chats on or off; without a choice, says how it stands.
pub async fn command(ctx: &mut Ctx<'_>, id: InitiativeId, on: Option<bool>) -> Outcome {
    let i = ctx.initiative(id).await?;
    let rooms = ctx.tx.rooms_of(id).await?;
    let Some(on) = on else {
        let state = ctx.tx.relaying(id).await?;
        let msg = match (state, rooms.len() >= 2) {
            (_, false) => "relay-needs-two",
            (true, true) => "relay-state-on",
            (false, true) => "relay-state-off",
        };
        return Ok(vec![Reply::text(ctx.t(msg, &[("id", id.0.into())]))]);
    };
    ctx.require_organiser(&i).await?;
    if i.kind != InitiativeKind::Project {
        return Err(refuse!("project-not-active", "id" => id.0));
    }
    ctx.tx.set_relaying(id, on, ctx.now).await?;
    let (said, posted) = if on {
        ("relay-on", "relay-turned-on")
    } else {
        ("relay-off", "relay-turned-off")
    };
    let line = ctx.t(posted, &[("name", ctx.actor.display_name.clone().into())]);
    super::rooms::post(ctx, id, &Reply::text(line), None).await?;
    let mut reply = ctx.t(said, &[("id", id.0.into())]);
    if rooms.len() < 2 {
        reply.push('\n');
        reply.push_str(&ctx.t("relay-needs-two", &[("id", id.0.into())]));
    }
    Ok(vec![Reply::text(reply)])
}
