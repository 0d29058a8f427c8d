//! What a moderator does with a reported item.

use super::*;

pub(super) enum Act {
    Hide(Option<String>),
    Keep,
    Warn(Option<String>),
    Ban(Option<u32>, Option<String>),
    Unban,
    Remove,
}

/// One moderator action on an item.
pub(super) async fn act(
    ctx: &mut Ctx<'_>,
    scope: &ModeratorScope,
    target: Target,
    what: Act,
) -> Outcome {
    let s = subject(ctx, target, true).await?;
    if !scope.covers(&s.communes) {
        return Err(refuse!("not-moderator-here", "target" => target.to_string()));
    }
    if !ctx.operator && ctx.is_own(s.author).await? {
        return Err(refuse!("mod-own", "target" => target.to_string()));
    }
    let everywhere = *scope == ModeratorScope::Everywhere;
    let note = |n: Option<String>| -> Result<Option<String>, Fail> {
        n.map(|n| text::note(&n))
            .transpose()
            .map_err(|e| text_refusal("reason", e))
    };
    match what {
        Act::Hide(reason) => {
            if matches!(target, Target::Actor(_)) {
                return Err(refuse!("mod-actor-not-hidden"));
            }
            let reason = note(reason)?;
            if !s.hidden {
                hide(ctx, target, s.author).await?;
            }
            ctx.tx.resolve_reports(target, ctx.now).await?;
            log(
                ctx,
                s.author,
                ModAction::Hide,
                Some(target),
                reason.as_deref().unwrap_or(""),
            )
            .await?;
            if let Some(author) = s.author.filter(|a| *a != ctx.actor.id) {
                let notice =
                    contest_notice(ctx, author, "mod-hidden-notice", target, reason.as_deref())
                        .await?;
                ctx.notify(author, notice).await?;
            }
            done(ctx, "mod-done-hide", target)
        }
        Act::Keep => {
            // What a ban hid is for those who ban to show again.
            if s.hidden && !everywhere && author_banned(ctx, s.author).await? {
                return Err(refuse!("mod-instance-only"));
            }
            let open = ctx.tx.open_reports_on(target).await?;
            let appealed = open.iter().any(|r| r.reason == Reason::Appeal);
            ctx.tx.resolve_reports(target, ctx.now).await?;
            if s.hidden {
                show(ctx, target).await?;
            }
            log(ctx, s.author, ModAction::Keep, Some(target), "").await?;
            if let Some(author) = s.author.filter(|_| s.hidden || appealed) {
                tell(
                    ctx,
                    author,
                    "mod-kept-notice",
                    &[("target", target_arg(target))],
                )
                .await?;
            }
            done(ctx, "mod-done-keep", target)
        }
        Act::Warn(message) => {
            let author = s.author.ok_or_else(|| refuse!("mod-no-author"))?;
            let message = note(message)?;
            ctx.tx.resolve_reports(target, ctx.now).await?;
            log(
                ctx,
                Some(author),
                ModAction::Warn,
                Some(target),
                message.as_deref().unwrap_or(""),
            )
            .await?;
            let lang = lang_of(ctx, author).await?;
            let why = message.unwrap_or_else(|| ctx.cat.get(lang, "mod-warn-default", &[]));
            let reply = Reply::text(ctx.cat.get(
                lang,
                "mod-warn-notice",
                &[("target", target_arg(target)), ("reason", why.into())],
            ));
            ctx.notify(author, reply).await?;
            done(ctx, "mod-done-warn", target)
        }
        Act::Ban(days, reason) => {
            if !everywhere {
                return Err(refuse!("mod-ban-instance-only"));
            }
            let author = s.author.ok_or_else(|| refuse!("mod-no-author"))?;
            let reason = note(reason)?;
            super::bans::ban(ctx, author, days, reason.as_deref(), Some(target)).await?;
            done(ctx, "mod-done-ban", target)
        }
        Act::Remove => {
            let author = s.author.ok_or_else(|| refuse!("mod-no-author"))?;
            let project = s
                .initiative
                .ok_or_else(|| refuse!("mod-remove-needs-item"))?;
            let Some(m) = ctx.tx.membership(project, author).await? else {
                return Err(refuse!("mod-not-member", "target" => target.to_string()));
            };
            crate::engine::initiatives::remove_member(ctx, &m).await?;
            log(ctx, Some(author), ModAction::Remove, Some(target), "").await?;
            tell(
                ctx,
                author,
                "mod-removed-notice",
                &[("id", project.0.into())],
            )
            .await?;
            done(ctx, "mod-done-remove", target)
        }
        Act::Unban => {
            if !everywhere {
                return Err(refuse!("mod-instance-only"));
            }
            let author = s.author.ok_or_else(|| refuse!("mod-no-author"))?;
            let in_force = author_banned(ctx, Some(author)).await?;
            let mut lifted = false;
            for identity in ctx.tx.identities_of(author).await? {
                lifted |= ctx.tx.lift_ban(&identity).await?;
            }
            if !lifted || !in_force {
                return Err(refuse!("mod-not-banned", "target" => target.to_string()));
            }
            log(ctx, Some(author), ModAction::Unban, Some(target), "").await?;
            tell(ctx, author, "mod-unbanned-notice", &[]).await?;
            done(ctx, "mod-done-unban", target)
        }
    }
}
