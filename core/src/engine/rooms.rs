//! Chats that belong to a project: linking a group, and posting what happens
//! elsewhere into them.

use super::{Ctx, Fail, Outcome, refuse};
use crate::domain::*;
use crate::reply::{Block, Reply};

/// `/lier 42` in a group: only an organiser of #42, and only for an active
/// project. A chat that is another project's changes hands only when the
/// sender organises that project too; a commune's forum and its topics are the
/// commune's and Kohero's, never linked by hand.
pub async fn link(ctx: &mut Ctx<'_>, room: &Address, id: InitiativeId) -> Outcome {
    let made_by_kohero = chat_rights(ctx)?;
    let linked = ctx.tx.room_initiative(room).await?;
    // A room Kohero made keeps its project (linking it again to that one is
    // harmless).
    if made_by_kohero && linked != Some(id) {
        return Err(refuse!("room-made-by-kohero"));
    }
    let i = ctx.initiative(id).await?;
    ctx.require_organiser(&i).await?;
    if i.kind != InitiativeKind::Project || i.status != Status::Active {
        return Err(refuse!("project-not-active", "id" => id.0));
    }
    if ctx.tx.forum_commune(room).await?.is_some() || is_topic(room) {
        return Err(refuse!("room-is-forum"));
    }
    if let Some(other) = linked
        && other != id
        && ctx.my_role(other).await? != Some(Role::Organiser)
    {
        return Err(refuse!("room-taken", "id" => other.0));
    }
    ctx.tx.link_room(room, id, ctx.now).await?;
    let mut text = ctx.t(
        "room-linked",
        &[("id", id.0.into()), ("title", i.title.into())],
    );
    if ctx.tx.relaying(id).await? {
        text.push('\n');
        text.push_str(&ctx.t("room-linked-relay", &[]));
    }
    Ok(vec![Reply::text(text)])
}

/// Who may change what a shared chat is: its owner and administrators, as the
/// network says (an anonymous administrator cannot be checked: they are asked
/// to write as themselves). Returns whether Kohero made the chat.
fn chat_rights(ctx: &Ctx<'_>) -> Result<bool, Fail> {
    use crate::inbox::ChatRole;
    let Some(check) = ctx.chat_check else {
        // The network did not say (it cannot): nothing changes hands.
        return Err(refuse!("chat-rights-unknown"));
    };
    match check.role {
        ChatRole::Owner | ChatRole::Admin => Ok(check.made_by_kohero),
        ChatRole::Member => Err(refuse!("chat-not-admin")),
        ChatRole::Anonymous => Err(refuse!("chat-anonymous-admin")),
        ChatRole::Unknown => Err(refuse!("chat-rights-unknown")),
    }
}

/// A topic of a forum (`FORUM/THREAD`): made by Kohero for one project.
fn is_topic(room: &Address) -> bool {
    room.chat.contains('/')
}

/// Posts a message into every chat of the initiative but the one it came from.
/// A message that shows something (`about`: an update, an event) is kept
/// with the network's ids once sent, and so is the command that made it when
/// it was written in one of the chats, so that both can be taken back.
pub async fn post(
    ctx: &mut Ctx<'_>,
    id: InitiativeId,
    reply: &Reply,
    about: Option<Target>,
) -> Result<(), Fail> {
    if let (Some(about), Some(room), Some(message)) = (about, ctx.room.clone(), ctx.message.clone())
    {
        ctx.tx.record_post(about, &room, &message, ctx.now).await?;
    }
    for room in ctx.tx.rooms_of(id).await? {
        if ctx.room.as_ref() == Some(&room) || ctx.tx.is_unreachable(&room).await? {
            continue;
        }
        let key = ctx.next_key("g");
        let mut m = NewOutgoing::message(&room, reply.clone(), key, ctx.now);
        m.about = about;
        ctx.tx.enqueue(&m).await?;
    }
    Ok(())
}

/// A message showing `about` went out in `room` as `messages`: kept; taken
/// back at once if `about` was hidden meanwhile.
pub async fn posted(
    ctx: &mut Ctx<'_>,
    about: Target,
    room: &Address,
    messages: &[String],
) -> Result<(), Fail> {
    for m in messages {
        ctx.tx.record_post(about, room, m, ctx.now).await?;
    }
    let hidden = match about {
        Target::Update(u) => ctx.tx.update_by_id(u).await?.is_none_or(|u| u.hidden),
        Target::Event(e) => ctx.tx.event(e).await?.is_none_or(|e| e.hidden),
        Target::Initiative(i) => ctx.tx.initiative(i).await?.is_none_or(|i| i.hidden),
        Target::Actor(_) => false,
    };
    if hidden {
        take_back(ctx, about).await?;
    }
    Ok(())
}

/// Takes back every message kept as showing `about` (it was hidden): one
/// room change per chat, deleting them; they are then forgotten.
pub async fn take_back(ctx: &mut Ctx<'_>, about: Target) -> Result<(), Fail> {
    let posts = ctx.tx.posts_of(about).await?;
    if posts.is_empty() {
        return Ok(());
    }
    // Shown to the room's people, whoever hid it: in the default language.
    let reason = ctx.cat.get(
        Lang::default(),
        "mod-redact-reason",
        &[] as &[(&str, crate::i18n::Arg)],
    );
    let mut by_room: Vec<(Address, Vec<RoomOp>)> = Vec::new();
    for p in posts {
        let op = RoomOp::Delete {
            message: p.message,
            reason: reason.clone(),
        };
        match by_room.iter_mut().find(|(r, _)| *r == p.room) {
            Some((_, ops)) => ops.push(op),
            None => by_room.push((p.room, vec![op])),
        }
    }
    for (room, ops) in by_room {
        if ctx.tx.is_unreachable(&room).await? {
            continue;
        }
        let key = ctx.next_key("d");
        ctx.tx
            .enqueue(&NewOutgoing::room(
                &room.network,
                Destination::chat(&room),
                ops,
                key,
                ctx.now,
            ))
            .await?;
    }
    ctx.tx.forget_posts(about).await?;
    Ok(())
}

/// The person's id on a network, if they have an identity there.
async fn id_on(ctx: &mut Ctx<'_>, actor: ActorId, network: &str) -> Result<Option<String>, Fail> {
    Ok(ctx
        .tx
        .identities_of(actor)
        .await?
        .into_iter()
        .find(|i| i.network == network)
        .map(|i| i.id))
}

/// Invitations into the initiative's chats on one network.
pub async fn invitations_on(
    ctx: &mut Ctx<'_>,
    id: InitiativeId,
    network: &str,
) -> Result<Vec<Block>, Fail> {
    let label = ctx.t("action-enter-room", &[]);
    Ok(ctx
        .tx
        .rooms_of(id)
        .await?
        .into_iter()
        .filter(|r| r.network == network)
        .map(|r| Block::RoomInvite {
            room: r.chat,
            label: label.clone(),
        })
        .collect())
}

/// Invitations into the initiative's chats for the person who just joined,
/// each on its own network (Matrix invites the identity it delivers to,
/// Telegram gives a link; neither can do anything with the other's rooms):
/// those of the network they wrote from go in `reply`; those of their other
/// networks go to their identity there, with the same words.
pub async fn invite(ctx: &mut Ctx<'_>, id: InitiativeId, reply: &mut Reply) -> Result<(), Fail> {
    let here = ctx.identity.as_ref().map(|i| i.network.clone());
    let me = ctx.actor.id;
    let words = reply.clone();
    for identity in ctx.tx.identities_of(me).await? {
        let blocks = invitations_on(ctx, id, &identity.network).await?;
        if blocks.is_empty() {
            continue;
        }
        if here.as_deref() == Some(identity.network.as_str()) {
            reply.blocks.extend(blocks);
        } else {
            let mut there = words.clone();
            there.blocks.extend(blocks);
            ctx.notify_identity(&identity, me, there).await?;
        }
    }
    Ok(())
}

/// Someone an organiser let in hears it (`words`) on each of their networks
/// that has a chat of the initiative to enter, with its invitations, or
/// where their notices go when none has.
pub async fn invite_other(
    ctx: &mut Ctx<'_>,
    id: InitiativeId,
    person: &Actor,
    words: Reply,
) -> Result<(), Fail> {
    let label = ctx.cat.get(person.lang, "action-enter-room", &[]);
    let rooms = ctx.tx.rooms_of(id).await?;
    let mut told = false;
    for identity in ctx.tx.identities_of(person.id).await? {
        let blocks: Vec<Block> = rooms
            .iter()
            .filter(|r| r.network == identity.network)
            .map(|r| Block::RoomInvite {
                room: r.chat.clone(),
                label: label.clone(),
            })
            .collect();
        if blocks.is_empty() {
            continue;
        }
        let mut there = words.clone();
        there.blocks.extend(blocks);
        ctx.notify_identity(&identity, person.id, there).await?;
        told = true;
    }
    if !told {
        ctx.notify(person.id, words).await?;
    }
    Ok(())
}

/// A join request in a project's chat: members of the project get in, others
/// not. A commune's forum, whose topics are projects' chats, lets in the members
/// of those projects.
pub async fn admit(ctx: &mut Ctx<'_>, room: &Address) -> Outcome {
    let projects = match ctx.tx.room_initiative(room).await? {
        Some(id) => vec![id],
        None => ctx.tx.initiatives_within(room).await?,
    };
    if projects.is_empty() {
        return Ok(Vec::new());
    }
    let mut approve = false;
    for id in projects {
        approve |= matches!(ctx.my_role(id).await?, Some(Role::Organiser | Role::Member));
    }
    // A banned person's requests are declined, memberships or not.
    approve &= ctx.banned.is_none();
    let user = match id_on(ctx, ctx.actor.id, &room.network).await? {
        Some(u) => u,
        None => return Ok(Vec::new()),
    };
    let key = ctx.next_key("a");
    ctx.tx
        .enqueue(&NewOutgoing::room(
            &room.network,
            Destination::chat(room),
            vec![RoomOp::Admit { user, approve }],
            key,
            ctx.now,
        ))
        .await?;
    Ok(Vec::new())
}

/// Takes a person who left out of the initiative's chats.
pub async fn remove_from_rooms(
    ctx: &mut Ctx<'_>,
    id: InitiativeId,
    actor: ActorId,
) -> Result<(), Fail> {
    about_person(ctx, id, actor, "x", |user| RoomOp::Remove { user }).await
}

/// Tells the initiative's chats that a person became an organiser.
pub async fn promote_in_rooms(
    ctx: &mut Ctx<'_>,
    id: InitiativeId,
    actor: ActorId,
) -> Result<(), Fail> {
    about_person(ctx, id, actor, "p", |user| RoomOp::Promote { user }).await
}

/// Sends each chat of the initiative a change about `actor`, on the networks
/// where they have an identity.
async fn about_person(
    ctx: &mut Ctx<'_>,
    id: InitiativeId,
    actor: ActorId,
    key: &str,
    op: impl Fn(String) -> RoomOp,
) -> Result<(), Fail> {
    for room in ctx.tx.rooms_of(id).await? {
        let Some(user) = id_on(ctx, actor, &room.network).await? else {
            continue;
        };
        let key = ctx.next_key(key);
        ctx.tx
            .enqueue(&NewOutgoing::room(
                &room.network,
                Destination::chat(&room),
                vec![op(user)],
                key,
                ctx.now,
            ))
            .await?;
    }
    Ok(())
}

/// `/lier_commune [INSEE]` in a forum supergroup: only a verified municipality,
/// for one of its communes.
pub async fn link_commune(ctx: &mut Ctx<'_>, forum: &Address, insee: Option<&str>) -> Outcome {
    if chat_rights(ctx)? {
        return Err(refuse!("room-made-by-kohero"));
    }
    let Some(a) = ctx.organisation().await? else {
        return Err(refuse!("forum-not-municipality"));
    };
    if !a.is_verified_municipality() {
        return Err(refuse!("forum-not-municipality"));
    }
    let commune = match insee {
        Some(code) => {
            let c = InseeCode::parse(code)
                .ok_or_else(|| refuse!("forum-not-yours", "commune" => code))?;
            if !a.communes.contains(&c) {
                return Err(refuse!("forum-not-yours", "commune" => code));
            }
            c
        }
        None => match a.communes.as_slice() {
            [one] => one.clone(),
            _ => return Err(refuse!("forum-which-commune")),
        },
    };
    // A project's chat, or a forum that is another commune's, stays what it is
    // (a municipality of that commune may move its own forum).
    if ctx.tx.room_initiative(forum).await?.is_some() || is_topic(forum) {
        return Err(refuse!("forum-is-project-room"));
    }
    if let Some(current) = ctx.tx.forum_commune(forum).await?
        && current != commune
        && !a.communes.contains(&current)
    {
        return Err(refuse!("forum-taken", "commune" => current.to_string()));
    }
    let me = a.id;
    ctx.tx.link_forum(forum, &commune, me, ctx.now).await?;
    let name =
        super::places::commune_name(ctx, Some(&commune)).unwrap_or_else(|| commune.to_string());
    Ok(vec![Reply::text(
        ctx.t("forum-linked", &[("commune", name.into())]),
    )])
}

/// A project launched in a commune with a forum gets a topic there.
pub async fn open_topics(ctx: &mut Ctx<'_>, i: &Initiative) -> Result<(), Fail> {
    let Some(commune) = i.commune.clone() else {
        return Ok(());
    };
    for forum in ctx.tx.forums_of(&commune).await? {
        let key = ctx.next_key("t");
        ctx.tx
            .enqueue(&NewOutgoing::room(
                &forum.network,
                Destination::chat(&forum),
                vec![RoomOp::CreateTopic {
                    initiative: i.id,
                    name: super::render::label(i),
                }],
                key,
                ctx.now,
            ))
            .await?;
    }
    Ok(())
}

/// The topic of a project's room: its number, category and the start of its
/// description.
fn room_topic(ctx: &Ctx<'_>, i: &Initiative) -> String {
    const MAX: usize = 300;
    let mut d: String = i.description.chars().take(MAX).collect();
    if i.description.chars().count() > MAX {
        d.push('…');
    }
    let category = super::render::category(ctx, i.category);
    if d.is_empty() {
        format!("#{} · {category}", i.id)
    } else {
        format!("#{} · {category} · {d}", i.id)
    }
}

/// A project just launched gets a room on each network where the bot creates
/// them, inside its commune's Space.
pub async fn open_rooms(ctx: &mut Ctx<'_>, i: &Initiative) -> Result<(), Fail> {
    if ctx.room_networks.is_empty() {
        return Ok(());
    }
    let space_name = i
        .commune
        .as_ref()
        .and_then(|c| ctx.places.by_code(c))
        .map(|c| ctx.t("space-name", &[("commune", c.name.clone().into())]));
    let topic = room_topic(ctx, i);
    let networks = ctx.room_networks;
    for network in networks {
        let (organisers, members) = people_on(ctx, i.id, network).await?;
        let key = ctx.next_key("r");
        ctx.tx
            .enqueue(&NewOutgoing::room(
                network,
                Destination::CommuneSpace(i.commune.clone()),
                vec![RoomOp::CreateRoom {
                    initiative: i.id,
                    name: super::render::label(i),
                    topic: topic.clone(),
                    space_name: space_name.clone(),
                    organisers,
                    members,
                }],
                key,
                ctx.now,
            ))
            .await?;
    }
    Ok(())
}

/// A project done or archived: its rooms' names and topics say so, and a line
/// tells the group.
pub async fn mark_rooms(ctx: &mut Ctx<'_>, i: &Initiative) -> Result<(), Fail> {
    let (name_id, topic_id) = match i.status {
        Status::Done => ("room-name-done", "room-topic-done"),
        Status::Archived => ("room-name-archived", "room-topic-archived"),
        _ => return Ok(()),
    };
    let name = ctx.t(name_id, &[("label", super::render::label(i).into())]);
    let topic = ctx.t(topic_id, &[("topic", room_topic(ctx, i).into())]);
    for room in ctx.tx.rooms_of(i.id).await? {
        if ctx.tx.is_unreachable(&room).await? {
            continue;
        }
        let key = ctx.next_key("n");
        ctx.tx
            .enqueue(&NewOutgoing::room(
                &room.network,
                Destination::chat(&room),
                vec![RoomOp::Rename {
                    name: name.clone(),
                    topic: topic.clone(),
                }],
                key,
                ctx.now,
            ))
            .await?;
        let key = ctx.next_key("n");
        ctx.tx
            .enqueue(&NewOutgoing::message(
                &room,
                Reply::text(name.clone()),
                key,
                ctx.now,
            ))
            .await?;
    }
    Ok(())
}

/// The ids on `network` of a project's organisers and of its members.
async fn people_on(
    ctx: &mut Ctx<'_>,
    id: InitiativeId,
    network: &str,
) -> Result<(Vec<String>, Vec<String>), Fail> {
    let (mut organisers, mut members) = (Vec::new(), Vec::new());
    for m in ctx.tx.members(id).await? {
        let list = match m.role {
            Role::Organiser => &mut organisers,
            Role::Member => &mut members,
            _ => continue,
        };
        if let Some(user) = id_on(ctx, m.actor, network).await? {
            list.push(user);
        }
    }
    Ok((organisers, members))
}

/// A network made `room` for project `id` (see
/// [`Inbox::room_made`](crate::inbox::Inbox::room_made)): the room is linked,
/// and where the bot keeps the room's people (networks where it makes rooms)
/// the organisers and members are let in and the organisers promoted, in case
/// they changed since the room was asked for (done again, it changes nothing).
pub async fn room_made(ctx: &mut Ctx<'_>, room: &Address, id: InitiativeId) -> Result<(), Fail> {
    if ctx.tx.initiative(id).await?.is_none() {
        return Ok(());
    }
    ctx.tx.link_room(room, id, ctx.now).await?;
    if !ctx.room_networks.iter().any(|n| n == &room.network) {
        return Ok(());
    }
    let (organisers, members) = people_on(ctx, id, &room.network).await?;
    let mut ops: Vec<RoomOp> = organisers
        .iter()
        .chain(&members)
        .map(|user| RoomOp::Admit {
            user: user.clone(),
            approve: true,
        })
        .collect();
    ops.extend(organisers.into_iter().map(|user| RoomOp::Promote { user }));
    if ops.is_empty() {
        return Ok(());
    }
    let key = ctx.next_key("m");
    ctx.tx
        .enqueue(&NewOutgoing::room(
            &room.network,
            Destination::chat(room),
            ops,
            key,
            ctx.now,
        ))
        .await?;
    Ok(())
}
