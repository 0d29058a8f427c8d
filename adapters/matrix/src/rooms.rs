//! Spaces and rooms: one Space per commune, created on first use; a room per
//! launched project inside it, linked to the project in Kohero's store; and the
//! commune's announcement room, where its municipality's digests go.

use kohero_core::domain::{InitiativeId, InseeCode, RoomSetup};
use kohero_core::ports::{SendError, StateKey};
use matrix_sdk::Room;
use matrix_sdk::ruma::api::client::room::Visibility;
use matrix_sdk::ruma::api::client::room::create_room::RoomPowerLevelsContentOverride;
use matrix_sdk::ruma::api::client::room::create_room::v3::{
    CreationContent, Request as CreateRoomRequest, RoomPreset,
};
use matrix_sdk::ruma::events::InitialStateEvent;
use matrix_sdk::ruma::events::room::history_visibility::{
    HistoryVisibility, RoomHistoryVisibilityEventContent,
};
use matrix_sdk::ruma::events::room::join_rules::{JoinRule, RoomJoinRulesEventContent};
use matrix_sdk::ruma::events::space::child::SpaceChildEventContent;
use matrix_sdk::ruma::events::space::parent::SpaceParentEventContent;
use matrix_sdk::ruma::room::RoomType;
use matrix_sdk::ruma::serde::Raw;
use matrix_sdk::ruma::{Int, OwnedRoomId, OwnedServerName, OwnedUserId, RoomId, UserId};

use crate::{Shared, send_error, temporary};

/// The power level of a project's organisers in its room (the bot has 100).
const ORGANISER_LEVEL: i64 = 50;

fn permanent(e: impl std::fmt::Display) -> SendError {
    SendError::Permanent(e.to_string())
}

/// A room request with what every room of the bot sets: name, topic, preset,
/// who reads the history, who may join. Not in the public room directory.
fn request(
    name: &str,
    topic: &str,
    preset: RoomPreset,
    history: HistoryVisibility,
    join: JoinRule,
) -> CreateRoomRequest {
    let mut req = CreateRoomRequest::new();
    req.name = Some(name.to_owned());
    req.topic = Some(topic.to_owned());
    req.preset = Some(preset);
    req.visibility = Visibility::Private;
    req.initial_state = vec![
        InitialStateEvent::with_empty_state_key(RoomHistoryVisibilityEventContent::new(history))
            .to_raw_any(),
        InitialStateEvent::with_empty_state_key(RoomJoinRulesEventContent::new(join)).to_raw_any(),
    ];
    req
}

async fn create_room(shared: &Shared, req: CreateRoomRequest) -> Result<Room, SendError> {
    shared
        .client
        .create_room(req)
        .await
        .map_err(|e| send_error(&e))
}

/// The level of an organiser, as the homeserver writes it.
fn organiser_level() -> Int {
    Int::from(ORGANISER_LEVEL as i32)
}

/// The room kept under `key` in the adapter's state, if the client knows it.
async fn known_room(shared: &Shared, key: &StateKey) -> Result<Option<Room>, SendError> {
    let known = shared.store.get(key).await.map_err(temporary)?;
    Ok(known
        .and_then(|r| RoomId::parse(r).ok())
        .and_then(|id| shared.client.get_room(&id)))
}

/// Keeps a room the bot made under `key`.
async fn remember_room(shared: &Shared, key: &StateKey, room: &RoomId) -> Result<(), SendError> {
    shared
        .store
        .set(key, Some(room.as_str()))
        .await
        .map_err(temporary)
}

/// The commune's Space, created on first use: public, so that anyone can find
/// the projects of the commune in it.
async fn space(shared: &Shared, commune: &InseeCode, name: &str) -> Result<Room, SendError> {
    let key = StateKey::CommuneSpace(commune.clone());
    if let Some(room) = known_room(shared, &key).await? {
        return Ok(room);
    }
    let mut cc = CreationContent::new();
    cc.room_type = Some(RoomType::Space);
    let mut req = request(
        name,
        name,
        RoomPreset::PublicChat,
        HistoryVisibility::WorldReadable,
        JoinRule::Public,
    );
    req.creation_content = Some(Raw::new(&cc).map_err(permanent)?);
    let room = create_room(shared, req).await?;
    remember_room(shared, &key, room.room_id()).await?;
    tracing::info!(%commune, space = %room.room_id(), "created a commune's Space");
    Ok(room)
}

/// A project's room as core asks for it: its people are Matrix ids.
pub(crate) struct ProjectRoom<'a> {
    pub initiative: InitiativeId,
    pub name: &'a str,
    pub topic: &'a str,
    /// The commune and the name of its Space, when the project has a commune.
    pub space: Option<(&'a InseeCode, &'a str)>,
    pub organisers: &'a [String],
    pub members: &'a [String],
}

/// Creates the room of a launched project (once: a retry finds it kept),
/// inside its commune's Space, with its organisers and members invited.
/// Returns the room, for core to link.
pub(crate) async fn create_project_room(
    shared: &Shared,
    p: ProjectRoom<'_>,
) -> Result<OwnedRoomId, SendError> {
    let key = StateKey::ProjectRoom(p.initiative);
    let made = shared.store.get(&key).await.map_err(temporary)?;
    let via = vec![shared.me.server_name().to_owned()];
    let space = match p.space {
        Some((c, n)) => Some(space(shared, c, n).await?),
        None => None,
    };
    let room_id = match made.map(RoomId::parse) {
        // A retry: the room was made before.
        Some(r) => r.map_err(permanent)?,
        None => create(shared, &p, space.as_ref(), &via).await?,
    };
    if let Some(sp) = &space {
        sp.send_state_event_for_key(&room_id, SpaceChildEventContent::new(via))
            .await
            .map_err(|e| send_error(&e))?;
    }
    Ok(room_id)
}

/// Matrix user ids among `ids`, but the bot's own.
fn users(shared: &Shared, ids: &[String]) -> Vec<OwnedUserId> {
    ids.iter()
        .filter_map(|u| UserId::parse(u).ok())
        .filter(|u| *u != shared.me)
        .collect()
}

/// Creates and keeps the room.
async fn create(
    shared: &Shared,
    p: &ProjectRoom<'_>,
    space: Option<&Room>,
    via: &[OwnedServerName],
) -> Result<OwnedRoomId, SendError> {
    let organisers = users(shared, p.organisers);
    let members = users(shared, p.members);
    let mut pl = RoomPowerLevelsContentOverride::new();
    for o in &organisers {
        pl.users.insert(o.clone(), organiser_level());
    }
    // Who is in the room follows Kohero's membership: only the bot invites,
    // kicks and bans, or changes the room's rules (join rules, history);
    // organisers may still remove messages.
    let bot_only = Some(Int::from(BOT_LEVEL));
    pl.invite = bot_only;
    pl.kick = bot_only;
    pl.ban = bot_only;
    pl.state_default = bot_only;
    let mut req = request(
        p.name,
        p.topic,
        RoomPreset::PrivateChat,
        HistoryVisibility::Shared,
        JoinRule::Invite,
    );
    req.invite = organisers.iter().chain(members.iter()).cloned().collect();
    req.power_level_content_override = Some(Raw::new(&pl).map_err(permanent)?);
    if let Some(sp) = space {
        let mut parent = SpaceParentEventContent::new(via.to_vec());
        parent.canonical = true;
        req.initial_state
            .push(InitialStateEvent::new(sp.room_id().to_owned(), parent).to_raw_any());
    }
    let room = create_room(shared, req).await?;
    // Kept at once: a retry of this message finds the room and stops above.
    remember_room(shared, &StateKey::ProjectRoom(p.initiative), room.room_id()).await?;
    tracing::info!(initiative = p.initiative.0, room = %room.room_id(), "created a project room");
    Ok(room.room_id().to_owned())
}

/// The level only the bot has in its project rooms: inviting, kicking,
/// banning, changing the power levels or the room's rules.
const BOT_LEVEL: i32 = 100;

/// Brings every project room the bot made back to Kohero's rules (only the
/// bot lets people in or out, or changes the room's rules): a room made by an
/// earlier build, or whose levels were lowered since, is repaired; people keep
/// their levels. Direct chats, Spaces and announcement rooms are left alone.
/// Returns how many rooms were repaired.
pub(crate) async fn repair_project_rooms(shared: &Shared) -> usize {
    let mut repaired = 0;
    for room in shared.client.joined_rooms() {
        let made_by_bot = room.creators().is_some_and(|c| c.contains(&shared.me));
        if !made_by_bot
            || room.is_space()
            || !matches!(room.join_rule(), Some(JoinRule::Invite))
            || room.is_direct().await.unwrap_or(true)
        {
            continue;
        }
        match repair(&room).await {
            Ok(true) => {
                repaired += 1;
                tracing::info!(room = %room.room_id(), "repaired a project room's power levels");
            }
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(room = %room.room_id(), error = %e, "cannot repair a project room's power levels");
            }
        }
    }
    repaired
}

/// Raises what others could do in `room` to the bot's level; `false` when
/// nothing was below it. The levels are read from the homeserver (what the
/// client keeps may lag behind a change made while the bot was away).
async fn repair(room: &Room) -> Result<bool, String> {
    use matrix_sdk::ruma::api::client::state::get_state_event_for_key;
    use matrix_sdk::ruma::events::room::power_levels::RoomPowerLevelsEventContent;
    use matrix_sdk::ruma::events::{StateEventType, TimelineEventType};
    let bot = Int::from(BOT_LEVEL);
    let req = get_state_event_for_key::v3::Request::new(
        room.room_id().to_owned(),
        StateEventType::RoomPowerLevels,
        String::new(),
    );
    let got = room.client().send(req).await.map_err(|e| e.to_string())?;
    let mut pl: RoomPowerLevelsEventContent =
        serde_json::from_str(got.event_or_content.get()).map_err(|e| e.to_string())?;
    let levels_event = pl
        .events
        .get(&TimelineEventType::RoomPowerLevels)
        .copied()
        .unwrap_or(pl.state_default);
    if [pl.invite, pl.kick, pl.ban, pl.state_default, levels_event]
        .iter()
        .all(|l| *l >= bot)
    {
        return Ok(false);
    }
    pl.invite = bot;
    pl.kick = bot;
    pl.ban = bot;
    pl.state_default = bot;
    pl.events.insert(TimelineEventType::RoomPowerLevels, bot);
    room.send_state_event(pl).await.map_err(|e| e.to_string())?;
    Ok(true)
}

/// Gives an organiser their power level in a project room.
pub(crate) async fn promote(room: &Room, user: &str) -> Result<(), SendError> {
    let uid = UserId::parse(user).map_err(permanent)?;
    if room.get_user_power_level(&uid).await.ok().is_some_and(|l| {
        matches!(l, matrix_sdk::ruma::events::room::power_levels::UserPowerLevel::Int(n) if i64::from(n) >= ORGANISER_LEVEL)
    }) {
        return Ok(());
    }
    room.update_power_levels(vec![(&uid, organiser_level())])
        .await
        .map_err(|e| send_error(&e))?;
    Ok(())
}

/// The commune's announcement room, created on first use inside the commune's
/// Space: anyone may join and read, only the bot posts.
pub(crate) async fn announcement_room(
    shared: &Shared,
    commune: &InseeCode,
    setup: &RoomSetup,
) -> Result<Room, SendError> {
    let key = StateKey::Announcements(commune.clone());
    if let Some(room) = known_room(shared, &key).await? {
        return Ok(room);
    }
    let space = space(shared, commune, &setup.space_name).await?;
    let via = vec![shared.me.server_name().to_owned()];
    let mut pl = RoomPowerLevelsContentOverride::new();
    pl.events_default = Some(Int::from(100));
    let mut req = request(
        &setup.name,
        &setup.topic,
        RoomPreset::PublicChat,
        HistoryVisibility::Shared,
        JoinRule::Public,
    );
    req.power_level_content_override = Some(Raw::new(&pl).map_err(permanent)?);
    let mut parent = SpaceParentEventContent::new(via.clone());
    parent.canonical = true;
    req.initial_state
        .push(InitialStateEvent::new(space.room_id().to_owned(), parent).to_raw_any());
    let room = create_room(shared, req).await?;
    // Kept at once: a retry finds the room instead of making another.
    remember_room(shared, &key, room.room_id()).await?;
    space
        .send_state_event_for_key(room.room_id(), SpaceChildEventContent::new(via))
        .await
        .map_err(|e| send_error(&e))?;
    tracing::info!(%commune, room = %room.room_id(), "created a commune's announcement room");
    Ok(room)
}
