//! Bans: what they do, what a banned person still may, and what they are told.

use super::*;

/// Bans a person: every identity of theirs, for `days` (`None`: for good);
/// the item (if any) and their open ideas are hidden, their reports resolved.
pub(crate) async fn ban(
    ctx: &mut Ctx<'_>,
    who: ActorId,
    days: Option<u32>,
    reason: Option<&str>,
    target: Option<Target>,
) -> Result<(), Fail> {
    if who == ctx.actor.id && !ctx.operator {
        return Err(refuse!("mod-ban-self"));
    }
    if ctx.tx.moderator_scope(who).await?.is_some() {
        return Err(refuse!("mod-ban-moderator"));
    }
    let mut until = days.map(|d| ctx.now + Duration::days(i64::from(d)));
    let identities = ctx.tx.identities_of(who).await?;
    // A ban in force is never shortened by another (for good wins).
    for identity in &identities {
        if let Some(b) = ctx.tx.ban_of(identity).await?
            && b.in_force(ctx.now)
        {
            until = match (until, b.until) {
                (Some(new), Some(old)) => Some(new.max(old)),
                _ => None,
            };
        }
    }
    let reason = reason.unwrap_or("").to_owned();
    // Out of every project chat (their memberships in Kohero stay unless a
    // moderator takes them out): they would otherwise go on posting there.
    for m in ctx.tx.memberships_of(who).await? {
        crate::engine::rooms::remove_from_rooms(ctx, m.initiative, who).await?;
    }
    for identity in identities {
        ctx.tx
            .set_ban(&Ban {
                identity,
                until,
                reason: reason.clone(),
                at: ctx.now,
            })
            .await?;
    }
    if let Some(t) = target.filter(|t| !matches!(t, Target::Actor(_))) {
        hide(ctx, t, Some(who)).await?;
        ctx.tx.resolve_reports(t, ctx.now).await?;
    }
    for mut i in ctx.tx.initiatives_created_by(who).await? {
        if i.kind == InitiativeKind::Idea && i.status == Status::Open && !i.hidden {
            ctx.tx
                .set_hidden(Target::Initiative(i.id), Some(ctx.now))
                .await?;
            i.hidden = true;
            ctx.touched.push(i);
        }
    }
    // Their own reports no longer count towards hiding anything.
    ctx.tx.resolve_reports_by(who, ctx.now).await?;
    log(ctx, Some(who), ModAction::Ban, target, &reason).await?;
    let (lang, tz) = ctx.tx.actor(who).await?.map_or_else(
        || (Lang::default(), DEFAULT_TZ.to_owned()),
        |a| (a.lang, a.tz),
    );
    let reply = Reply::text(banned_message(ctx.cat, lang, &tz, until, &reason));
    ctx.notify(who, reply).await?;
    Ok(())
}

/// The time zone of a person Kohero no longer knows.
const DEFAULT_TZ: &str = "Europe/Paris";

/// What a banned person is told: why and until when.
pub(crate) fn banned_message(
    cat: &crate::i18n::Catalog,
    lang: Lang,
    tz: &str,
    until: Option<chrono::DateTime<chrono::Utc>>,
    reason: &str,
) -> String {
    let reason = if reason.is_empty() {
        cat.get(lang, "mod-no-reason", &[])
    } else {
        reason.to_owned()
    };
    match until {
        Some(u) => cat.get(
            lang,
            "banned",
            &[
                ("until", render::datetime(lang, u, tz).into()),
                ("reason", reason.into()),
            ],
        ),
        None => cat.get(lang, "banned-forever", &[("reason", reason.into())]),
    }
}

/// A message from a banned identity Kohero does not know (never seen, or
/// erased since): told why in a private chat, nothing created; silence in a
/// shared one. `None` when the identity is not banned or is known.
pub(crate) fn stranger_reply(
    cat: &crate::i18n::Catalog,
    ban: &Ban,
    lang: Lang,
    private: bool,
) -> Option<Reply> {
    private.then(|| {
        Reply::text(banned_message(
            cat,
            lang,
            DEFAULT_TZ,
            ban.until,
            &ban.reason,
        ))
    })
}

/// What a banned person may still do: see and erase their data, cancel,
/// read the help, change language. Everything else is answered with the ban.
pub(crate) fn allowed_while_banned(content: &crate::inbox::Content, forgetting: bool) -> bool {
    use crate::command::{Command as C, Parsed, parse};
    use crate::inbox::Content;
    match content {
        Content::Text(t) | Content::Button(t) => {
            forgetting
                || matches!(
                    parse(t),
                    Ok(Parsed::Command(
                        C::MyData | C::Forget { .. } | C::Cancel | C::Help | C::Language(_)
                    ))
                )
        }
        Content::Moved(_) | Content::ChatMoved(_) | Content::JoinRequest => true,
        Content::Location(_)
        | Content::Said { .. }
        | Content::Edited { .. }
        | Content::Retracted { .. } => false,
    }
}

/// The person's moderation history for `/mesdonnees`: what was done, when
/// and why, by « the moderation team »; and their ban, if one is in force.
pub(crate) async fn my_record(ctx: &mut Ctx<'_>) -> Result<serde_json::Value, Fail> {
    let me = ctx.actor.id;
    let team = ctx.t("mod-team", &[]);
    let log: Vec<serde_json::Value> = ctx
        .tx
        .log_about(me)
        .await?
        .into_iter()
        .map(|e| {
            serde_json::json!({
                "at": e.at,
                "action": e.action.key(),
                "target": e.target.map(|t| t.to_string()),
                "reason": e.reason,
                "by": if e.action == ModAction::Appeal { None } else { Some(team.clone()) },
            })
        })
        .collect();
    let mut bans = Vec::new();
    for identity in ctx.tx.identities_of(me).await? {
        if let Some(b) = ctx.tx.ban_of(&identity).await?
            && b.in_force(ctx.now)
        {
            bans.push(serde_json::json!({
                "identity": identity.to_string(),
                "until": b.until,
                "reason": b.reason,
            }));
        }
    }
    Ok(serde_json::json!({ "log": log, "bans": bans }))
}

/// The operator bans an identity directly (`kohero admin ban IDENTITY`): a
/// known person as from `/moderation`, every identity of theirs; an identity
/// Kohero does not know (never seen, or erased) is kept out all the same.
pub(crate) async fn ban_identity(
    ctx: &mut Ctx<'_>,
    identity: &Identity,
    days: Option<u32>,
    reason: Option<String>,
) -> Outcome {
    let reason = reason
        .map(|n| text::note(&n))
        .transpose()
        .map_err(|e| text_refusal("reason", e))?;
    match ctx.tx.actor_by_identity(identity).await? {
        Some(a) => ban(ctx, a.id, days, reason.as_deref(), None).await?,
        None => {
            let until = days.map(|d| ctx.now + Duration::days(i64::from(d)));
            ctx.tx
                .set_ban(&Ban {
                    identity: identity.clone(),
                    until,
                    reason: reason.clone().unwrap_or_default(),
                    at: ctx.now,
                })
                .await?;
            log(
                ctx,
                None,
                ModAction::Ban,
                None,
                reason.as_deref().unwrap_or(""),
            )
            .await?;
        }
    }
    Ok(vec![Reply::text(ctx.t(
        "mod-done-ban-identity",
        &[("identity", identity.to_string().into())],
    ))])
}

/// The operator lifts an identity's ban (and the person's other identities').
pub(crate) async fn unban_identity(ctx: &mut Ctx<'_>, identity: &Identity) -> Outcome {
    let known = ctx.tx.actor_by_identity(identity).await?;
    let identities = match &known {
        Some(a) => ctx.tx.identities_of(a.id).await?,
        None => vec![identity.clone()],
    };
    let mut lifted = false;
    for i in &identities {
        lifted |= ctx.tx.lift_ban(i).await?;
    }
    if !lifted {
        return Err(refuse!("mod-not-banned", "target" => identity.to_string()));
    }
    log(
        ctx,
        known.as_ref().map(|a| a.id),
        ModAction::Unban,
        None,
        "",
    )
    .await?;
    if let Some(a) = known {
        let reply = Reply::text(ctx.cat.get(a.lang, "mod-unbanned-notice", &[]));
        ctx.notify(a.id, reply).await?;
    }
    Ok(vec![Reply::text(ctx.t(
        "mod-done-unban-identity",
        &[("identity", identity.to_string().into())],
    ))])
}
