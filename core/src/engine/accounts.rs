//! One person across networks: `/lier_compte` gives a code on one network,
//! the code typed on another asks the first identity to confirm, and only
//! that confirmation joins them; `/delier_compte` takes an identity away
//! again; `/profil reseau` says where notices go.

use std::hash::{BuildHasher, Hasher};

use super::{Ctx, Fail, Outcome, refuse};
use crate::command::LinkArg;
use crate::domain::*;
use crate::i18n::Arg;
use crate::ports::StoreError;
use crate::reply::{Action, Block, Reply};

pub async fn link(ctx: &mut Ctx<'_>, arg: LinkArg) -> Outcome {
    match arg {
        LinkArg::Ask => ask(ctx).await,
        LinkArg::Code(code) => claim(ctx, &code).await,
        LinkArg::Confirm => confirm(ctx).await,
        LinkArg::Refuse => turn_down(ctx).await,
    }
}

/// The identity the message came from.
fn me(ctx: &Ctx<'_>) -> Result<Identity, Fail> {
    ctx.identity
        .clone()
        .ok_or_else(|| refuse!("link-no-identity"))
}

/// Six digits nobody can foresee: SipHash keyed from the system's randomness
/// (a new key for each code), over the time.
fn six_digits(now: chrono::DateTime<chrono::Utc>) -> String {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_i64(now.timestamp_nanos_opt().unwrap_or_default());
    format!("{:06}", h.finish() % 1_000_000)
}

/// `/lier_compte`: a new code (the identity's earlier one goes).
async fn ask(ctx: &mut Ctx<'_>) -> Outcome {
    let me = me(ctx)?;
    for _ in 0..8 {
        let code = LinkCode {
            code: six_digits(ctx.now),
            actor: ctx.actor.id,
            issuer: me.clone(),
            created_at: ctx.now,
            expires_at: ctx.now + LINK_CODE_VALID,
            claimed: None,
        };
        match ctx.tx.save_link_code(&code).await {
            Ok(()) => {
                return Ok(vec![Reply::text(ctx.t(
                    "link-code",
                    &[
                        ("code", code.code.into()),
                        ("minutes", LINK_CODE_VALID.num_minutes().into()),
                    ],
                ))]);
            }
            // Someone else holds these digits now: draw again.
            Err(StoreError::Duplicate(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Corrupt("no free link code after 8 draws".into()).into())
}

/// Answers a wrong code without telling why (expired, typed already, never
/// given): the attempt is counted, and kept although the answer is a
/// refusal.
async fn wrong_code(ctx: &mut Ctx<'_>, me: &Identity) -> Outcome {
    ctx.tx.record_link_failure(me, ctx.now).await?;
    Ok(vec![Reply::text(ctx.t("link-code-invalid", &[]))])
}

/// Refuses two people who cannot become one: both verified actors, or both
/// with an identity on one network (one identity per network and person);
/// either banned on any identity (a ban is by identity: joining would carry
/// the banned person's things to an identity the ban does not cover); or a
/// moderator on either side (their scope is the operator's to give).
async fn compatible(ctx: &mut Ctx<'_>, a: &Actor, b: &Actor) -> Result<(), Fail> {
    if a.verified && b.verified {
        return Err(refuse!("link-two-verified"));
    }
    let theirs = ctx.tx.identities_of(b.id).await?;
    let mine = ctx.tx.identities_of(a.id).await?;
    for m in &mine {
        if theirs.iter().any(|t| t.network == m.network) {
            return Err(refuse!("link-network-taken", "network" => m.network.clone()));
        }
    }
    for identity in mine.iter().chain(&theirs) {
        if ctx
            .tx
            .ban_of(identity)
            .await?
            .is_some_and(|ban| ban.in_force(ctx.now))
        {
            return Err(refuse!("link-banned"));
        }
    }
    for who in [a.id, b.id] {
        if ctx.tx.moderator_scope(who).await?.is_some() {
            return Err(refuse!("link-moderator"));
        }
    }
    Ok(())
}

/// `/lier_compte CODE`, typed on another network: the identity that asked for
/// the code is asked to confirm.
async fn claim(ctx: &mut Ctx<'_>, code: &str) -> Outcome {
    let me = me(ctx)?;
    let hour_ago = ctx.now - chrono::Duration::hours(1);
    if ctx.tx.link_failures_since(Some(&me), hour_ago).await? >= LINK_FAILURES_PER_IDENTITY {
        return Err(refuse!("link-too-many-tries"));
    }
    if ctx.tx.link_failures_since(None, hour_ago).await? >= LINK_FAILURES_OVERALL {
        return Err(refuse!("link-busy"));
    }
    let Some(mut c) = ctx
        .tx
        .link_code(code)
        .await?
        .filter(|c| c.claimed.is_none() && c.expires_at > ctx.now)
    else {
        return wrong_code(ctx, &me).await;
    };
    if c.actor == ctx.actor.id {
        return Err(refuse!("link-already-one"));
    }
    if c.issuer.network == me.network {
        return Err(refuse!("link-same-network", "network" => me.network));
    }
    let Some(them) = ctx.tx.actor(c.actor).await? else {
        return wrong_code(ctx, &me).await;
    };
    let mine = ctx.actor.clone();
    compatible(ctx, &mine, &them).await?;
    c.claimed = Some((me.clone(), ctx.now));
    ctx.tx.save_link_code(&c).await?;
    let ask = Reply::text(ctx.cat.get(
        them.lang,
        "link-confirm-ask",
        &[
            ("who", me.to_string().into()),
            ("name", mine.display_name.clone().into()),
            ("minutes", LINK_CODE_VALID.num_minutes().into()),
        ],
    ))
    .actions(vec![
        Action::new(
            ctx.cat.get(them.lang, "action-confirm", &[]),
            "/lier_compte oui",
        ),
        Action::new(
            ctx.cat.get(them.lang, "action-refuse", &[]),
            "/lier_compte non",
        ),
    ]);
    ctx.notify_identity(&c.issuer, them.id, ask).await?;
    Ok(vec![Reply::text(ctx.t(
        "link-asked",
        &[
            ("network", c.issuer.network.into()),
            ("minutes", LINK_CODE_VALID.num_minutes().into()),
        ],
    ))])
}

/// The code this identity asked for, typed on another network within the
/// time allowed, and who typed it.
async fn typed_code(ctx: &mut Ctx<'_>, me: &Identity) -> Result<(LinkCode, Identity), Fail> {
    let Some(c) = ctx.tx.link_code_of(me).await? else {
        return Err(refuse!("link-nothing-to-confirm"));
    };
    match c.claimed.clone() {
        Some((other, at)) if at + LINK_CODE_VALID > ctx.now => Ok((c, other)),
        _ => Err(refuse!("link-nothing-to-confirm")),
    }
}

/// `/lier_compte oui`: the two identities become one person.
async fn confirm(ctx: &mut Ctx<'_>) -> Outcome {
    let me = me(ctx)?;
    let (c, other) = typed_code(ctx, &me).await?;
    ctx.tx.delete_link_code(&c.code).await?;
    let Some(them) = ctx.tx.actor_by_identity(&other).await? else {
        return Err(refuse!("link-nothing-to-confirm"));
    };
    if them.id == ctx.actor.id {
        return Err(refuse!("link-already-one"));
    }
    let mine = ctx.actor.clone();
    compatible(ctx, &mine, &them).await?;
    // A verified actor stays who they are; otherwise the one who asked.
    let (into, from) = if them.verified && !mine.verified {
        (them, mine)
    } else {
        (mine, them)
    };
    let joining = ctx.tx.identities_of(from.id).await?;
    ctx.tx.merge_actors(into.id, from.id).await?;
    let mut person = ctx
        .tx
        .actor(into.id)
        .await?
        .ok_or(StoreError::NotFound("actor".into()))?;
    if person.location.is_none() && from.location.is_some() {
        person.location = from.location;
        ctx.tx.update_actor(&person).await?;
    }
    ctx.actor = person.clone();
    let all: Vec<String> = ctx
        .tx
        .identities_of(person.id)
        .await?
        .iter()
        .map(ToString::to_string)
        .collect();
    let done = |ctx: &Ctx<'_>, lang: Lang| {
        Reply::text(ctx.cat.get(
            lang,
            "link-done",
            &[("identities", Arg::from(all.join(", ")))],
        ))
    };
    // Both are told; an identity new to the person gets the invitations
    // into the chats of the person's projects on its network.
    let mut told = done(ctx, person.lang);
    if joining.contains(&other) {
        told.blocks
            .extend(room_invitations(ctx, person.id, &other).await?);
    }
    ctx.notify_identity(&other, person.id, told).await?;
    let mut reply = done(ctx, person.lang);
    if joining.contains(&me) {
        reply
            .blocks
            .extend(room_invitations(ctx, person.id, &me).await?);
    }
    Ok(vec![reply])
}

/// Invitations into the chats, on `identity`'s network, of the projects the
/// person organises or is a member of.
async fn room_invitations(
    ctx: &mut Ctx<'_>,
    person: ActorId,
    identity: &Identity,
) -> Result<Vec<Block>, Fail> {
    let mut out = Vec::new();
    for m in ctx.tx.memberships_of(person).await? {
        if matches!(m.role, Role::Organiser | Role::Member) {
            out.extend(super::rooms::invitations_on(ctx, m.initiative, &identity.network).await?);
        }
    }
    Ok(out)
}

/// `/lier_compte non`: the identity that typed the code is turned away.
async fn turn_down(ctx: &mut Ctx<'_>) -> Outcome {
    let me = me(ctx)?;
    let (c, other) = typed_code(ctx, &me).await?;
    ctx.tx.delete_link_code(&c.code).await?;
    if let Some(them) = ctx.tx.actor_by_identity(&other).await? {
        let reply = Reply::text(ctx.cat.get(them.lang, "link-refused", &[]));
        ctx.notify_identity(&other, them.id, reply).await?;
    }
    Ok(vec![Reply::text(ctx.t("link-refused-done", &[]))])
}

/// `/delier_compte [réseau]`, sent from the identity that leaves: it
/// becomes a new person with nothing; what was joined stays with the person,
/// who leaves the rooms of their projects on that network. An identity never
/// sends another away (one who joined could otherwise push out the one an
/// operator verified).
pub async fn unlink(ctx: &mut Ctx<'_>, network: Option<String>) -> Outcome {
    let me = me(ctx)?;
    let person = ctx.actor.clone();
    let mine = ctx.tx.identities_of(person.id).await?;
    if mine.len() < 2 {
        return Err(refuse!("unlink-only-one"));
    }
    if let Some(n) = network
        && n != me.network
    {
        return Err(if mine.iter().any(|i| i.network == n) {
            refuse!("unlink-from-there", "network" => n)
        } else {
            refuse!("unlink-no-such", "network" => n)
        });
    }
    let target = me.clone();
    // A verified actor's name stays theirs alone.
    let name = if person.verified {
        ctx.t("someone", &[])
    } else {
        person.display_name.clone()
    };
    let fresh = ctx
        .tx
        .detach_identity(&target, &name, person.lang, ctx.now)
        .await?;
    // Out of the chats of the person's projects on its network (the fresh
    // person has only this identity).
    for m in ctx.tx.memberships_of(person.id).await? {
        if matches!(m.role, Role::Organiser | Role::Member) {
            super::rooms::remove_from_rooms(ctx, m.initiative, fresh.id).await?;
        }
    }
    if person.notify_network.as_deref() == Some(target.network.as_str()) {
        let mut p = person.clone();
        p.notify_network = None;
        ctx.tx.update_actor(&p).await?;
    }
    let args = [("identity", Arg::from(target.to_string()))];
    // This chat is the new person's now; the person's other identities are told.
    ctx.actor = fresh;
    for other in mine.iter().filter(|i| **i != target) {
        let told = Reply::text(ctx.cat.get(person.lang, "unlink-done", &args));
        ctx.notify_identity(other, person.id, told).await?;
    }
    Ok(vec![Reply::text(ctx.t("unlink-done-self", &args))])
}

/// `/profil reseau telegram|matrix|auto`: notices go to that network (or
/// to the one used last).
pub async fn notify_network(ctx: &mut Ctx<'_>, network: &str) -> Outcome {
    let mine = ctx.tx.identities_of(ctx.actor.id).await?;
    let choice = if matches!(network, "auto" | "dernier" | "last") {
        None
    } else if mine.iter().any(|i| i.network == network) {
        Some(network.to_owned())
    } else {
        let networks: Vec<&str> = mine.iter().map(|i| i.network.as_str()).collect();
        return Err(refuse!(
            "network-unknown",
            "network" => network.to_owned(),
            "networks" => networks.join(", ")
        ));
    };
    ctx.actor.notify_network = choice.clone();
    let actor = ctx.actor.clone();
    ctx.tx.update_actor(&actor).await?;
    Ok(vec![Reply::text(match choice {
        Some(n) => ctx.t("network-set", &[("network", n.into())]),
        None => ctx.t("network-auto", &[]),
    })])
}
