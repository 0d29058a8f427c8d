//! Chats that belong to a project: linking a group, and posting what happens
//! elsewhere into them.

use super::{Ctx, Fail, Outcome, refuse};
use crate::domain::*;
use crate::reply::Reply;

/// `/lier 42` in a group: only an organiser of #42, and only for an active project.
pub async fn link(ctx: &mut Ctx<'_>, room: &Address, id: InitiativeId) -> Outcome {
    let i = ctx.initiative(id).await?;
    ctx.require_organiser(&i).await?;
    if i.kind != InitiativeKind::Project || i.status != Status::Active {
        return Err(refuse!("project-not-active", "id" => id.0));
    }
    ctx.tx.link_room(room, id, ctx.now).await?;
    Ok(vec![Reply::text(ctx.t(
        "room-linked",
        &[("id", id.0.into()), ("title", i.title.into())],
    ))])
}

/// Posts a message into every chat of the initiative but the one it came from.
pub async fn post(ctx: &mut Ctx<'_>, id: InitiativeId, reply: &Reply) -> Result<(), Fail> {
    for room in ctx.tx.rooms_of(id).await? {
        if ctx.room.as_ref() == Some(&room) || ctx.tx.is_unreachable(&room).await? {
            continue;
        }
        let key = ctx.next_key("g");
        ctx.tx
            .enqueue(&NewOutgoing {
                to: room,
                recipient: None,
                reply: reply.clone(),
                priority: Priority::Interactive,
                key,
                at: ctx.now,
            })
            .await?;
    }
    Ok(())
}
