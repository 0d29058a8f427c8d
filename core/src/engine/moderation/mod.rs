//! Moderation in chat: `/signaler` (reports, and hiding on enough of them),
//! `/moderation` (the moderators' queue, their actions and the log),
//! `/contester` (the author's one review), and bans.
//!
//! Who moderates is decided here: moderators named by the operator (everywhere
//! or for communes), and verified municipalities for their communes when the
//! instance allows it. A moderator never appears by name to the people
//! concerned: they hear from « l'équipe de modération ».

use std::collections::HashSet;

use chrono::Duration;

mod actions;
mod bans;
mod queue;

pub(crate) use bans::{
    allowed_while_banned, ban_identity, banned_message, my_record, stranger_reply, unban_identity,
};

use super::{Ctx, Fail, Outcome, refuse, render, text_refusal};
use crate::command::ModArg;
use crate::domain::*;
use crate::i18n::Arg;
use crate::ports::StoreError;
use crate::reply::{Action, ListItem, Reply};
use crate::text;

/// Reports one person may have waiting at once.
pub const MAX_OPEN_REPORTS: usize = 10;

/// What a report or an action is about, as moderation sees it.
pub(crate) struct Subject {
    pub author: Option<ActorId>,
    /// Where it is (an initiative's commune, an actor's communes).
    pub communes: Vec<InseeCode>,
    pub hidden: bool,
    /// The initiative it is, or belongs to (none for an actor).
    pub initiative: Option<InitiativeId>,
    /// How moderators see it: `#42 Title`, an update's first words.
    pub label: String,
}

/// The item a target names. Only verified actors can be reported as such
/// (`any_actor` is for moderators lifting a ban): other people are reported
/// through what they wrote.
async fn subject(ctx: &mut Ctx<'_>, target: Target, any_actor: bool) -> Result<Subject, Fail> {
    let unknown = || refuse!("report-unknown", "target" => target.to_string());
    Ok(match target {
        Target::Initiative(id) => {
            let i = ctx.tx.initiative(id).await?.ok_or_else(unknown)?;
            Subject {
                author: i.created_by,
                communes: i.commune.clone().into_iter().collect(),
                hidden: i.hidden,
                initiative: Some(i.id),
                label: render::label(&i),
            }
        }
        Target::Update(id) => {
            let u = ctx.tx.update_by_id(id).await?.ok_or_else(unknown)?;
            let i = ctx.tx.initiative(u.initiative).await?.ok_or_else(unknown)?;
            Subject {
                author: u.author,
                communes: i.commune.clone().into_iter().collect(),
                hidden: u.hidden,
                initiative: Some(i.id),
                label: format!(
                    "{target} · {} · {}",
                    render::label(&i),
                    text::excerpt(&u.text, 200)
                ),
            }
        }
        Target::Event(id) => {
            let e = ctx.tx.event(id).await?.ok_or_else(unknown)?;
            let i = ctx.tx.initiative(e.initiative).await?.ok_or_else(unknown)?;
            Subject {
                author: e.created_by,
                communes: i.commune.clone().into_iter().collect(),
                hidden: e.hidden,
                initiative: Some(i.id),
                label: format!("{target} · {} · {}", render::label(&i), e.title),
            }
        }
        Target::Actor(id) => {
            let a = ctx
                .tx
                .actor(id)
                .await?
                .filter(|a| any_actor || a.verified)
                .ok_or_else(unknown)?;
            Subject {
                author: Some(a.id),
                communes: a.communes.clone(),
                hidden: false,
                initiative: None,
                label: format!("{target} {}", a.display_name),
            }
        }
    })
}

fn target_arg(target: Target) -> Arg {
    Arg::from(target.to_string())
}

/// `/signaler TARGET [raison] [texte]`.
pub async fn report(
    ctx: &mut Ctx<'_>,
    target: Target,
    reason: Option<Reason>,
    note: Option<String>,
) -> Outcome {
    let s = subject(ctx, target, false).await?;
    if s.author == Some(ctx.actor.id) {
        return Err(refuse!("report-own", "target" => target.to_string()));
    }
    // Already out of sight: nothing to add, nobody to alert again.
    if s.hidden {
        return Err(refuse!("report-hidden", "target" => target.to_string()));
    }
    // One person's reports wait in so many at once: a flood alerts nobody.
    if ctx.tx.open_reports_by(ctx.actor.id).await? >= MAX_OPEN_REPORTS {
        return Err(refuse!("report-too-many", "n" => MAX_OPEN_REPORTS));
    }
    let Some(reason) = reason else {
        let actions = Reason::CHOICES
            .iter()
            .map(|r| {
                Action::new(
                    ctx.t(&format!("reason-{}", r.key()), &[]),
                    format!("/signaler {target} {}", r.command_word()),
                )
            })
            .collect();
        return Ok(vec![
            Reply::text(ctx.t("report-why", &[("target", target_arg(target))])).actions(actions),
        ]);
    };
    let note = note
        .map(|n| text::note(&n))
        .transpose()
        .map_err(|e| text_refusal("report", e))?;
    if !insert_report(ctx, target, reason, note).await? {
        return Err(refuse!("report-already", "target" => target.to_string()));
    }
    let reporters: HashSet<ActorId> = ctx
        .tx
        .open_reports_on(target)
        .await?
        .iter()
        .filter(|r| r.reason != Reason::Appeal)
        .map(|r| r.reporter)
        .collect();
    // Visitors of the public pages report without an account: their reports
    // alert moderators but never hide anything by their number (a few
    // addresses would do).
    let threshold = ctx.moderation.auto_hide_reports;
    let mut counted = 0;
    if threshold > 0 && reporters.len() >= threshold {
        for r in &reporters {
            let web_only = ctx
                .tx
                .identities_of(*r)
                .await?
                .iter()
                .all(|i| i.network == WEB_VISITORS);
            if !web_only {
                counted += 1;
                if counted >= threshold {
                    break;
                }
            }
        }
    }
    if threshold > 0 && counted >= threshold && !s.hidden && !matches!(target, Target::Actor(_)) {
        hide(ctx, target, s.author).await?;
        log(ctx, s.author, ModAction::AutoHide, Some(target), "").await?;
        if let Some(author) = s.author {
            let notice = contest_notice(ctx, author, "mod-autohidden-notice", target, None).await?;
            ctx.notify(author, notice).await?;
        }
        tell_moderators(ctx, &s, target, "mod-alert-autohidden").await?;
    } else if reporters.len() == 1 {
        tell_moderators(ctx, &s, target, "mod-alert-report").await?;
    }
    Ok(vec![Reply::text(ctx.t("report-thanks", &[]))])
}

/// The network of the public pages' visitors (`web:` identities): they may
/// report, and nothing else.
pub(crate) const WEB_VISITORS: &str = "web";

/// Records the person's report (or appeal); `false` if they made one on this
/// target already.
async fn insert_report(
    ctx: &mut Ctx<'_>,
    target: Target,
    reason: Reason,
    text: Option<String>,
) -> Result<bool, Fail> {
    let new = NewReport {
        target,
        reporter: ctx.actor.id,
        reason,
        text,
        at: ctx.now,
    };
    match ctx.tx.insert_report(&new).await {
        Ok(_) => Ok(true),
        Err(StoreError::Duplicate(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Hides an item; an initiative leaves the nearby index. Hidden again after
/// an appeal was decided, its author may appeal once more.
async fn hide(ctx: &mut Ctx<'_>, target: Target, author: Option<ActorId>) -> Result<(), Fail> {
    ctx.tx.set_hidden(target, Some(ctx.now)).await?;
    if let Some(author) = author {
        ctx.tx.reopen_appeal(target, author).await?;
    }
    crate::engine::rooms::take_back(ctx, target).await?;
    touch(ctx, target).await
}

/// Shows an item again; an initiative comes back to the nearby index, an
/// update or an event is posted again in its project's chats (what showed
/// it there was taken back).
async fn show(ctx: &mut Ctx<'_>, target: Target) -> Result<(), Fail> {
    ctx.tx.set_hidden(target, None).await?;
    crate::engine::project::post_again(ctx, target).await?;
    touch(ctx, target).await
}

/// An initiative written: the nearby index follows once committed.
async fn touch(ctx: &mut Ctx<'_>, target: Target) -> Result<(), Fail> {
    if let Target::Initiative(id) = target {
        let i = ctx.initiative(id).await?;
        ctx.touched.push(i);
    }
    Ok(())
}

async fn log(
    ctx: &mut Ctx<'_>,
    subject: Option<ActorId>,
    action: ModAction,
    target: Option<Target>,
    reason: &str,
) -> Result<(), Fail> {
    // Kohero's own hiding has no moderator; the command line's neither.
    let moderator = (action != ModAction::AutoHide && action != ModAction::Appeal)
        .then_some(ctx.actor.id)
        .filter(|_| !ctx.operator);
    ctx.tx
        .insert_log(&NewLogEntry {
            at: ctx.now,
            moderator,
            subject,
            action,
            target,
            reason: reason.to_owned(),
        })
        .await?;
    Ok(())
}

/// A notice to an item's author, in their language, with the way to ask for a
/// review.
async fn contest_notice(
    ctx: &mut Ctx<'_>,
    author: ActorId,
    id: &str,
    target: Target,
    reason: Option<&str>,
) -> Result<Reply, Fail> {
    let lang = lang_of(ctx, author).await?;
    let mut args = vec![("target", target_arg(target))];
    args.push((
        "reason",
        Arg::from(reason.map_or_else(|| ctx.cat.get(lang, "mod-no-reason", &[]), str::to_owned)),
    ));
    Ok(
        Reply::text(ctx.cat.get(lang, id, &args)).actions(vec![Action::new(
            ctx.cat.get(lang, "action-appeal", &[]),
            format!("/contester {target}"),
        )]),
    )
}

async fn lang_of(ctx: &mut Ctx<'_>, who: ActorId) -> Result<Lang, Fail> {
    Ok(ctx.tx.actor(who).await?.map_or(Lang::default(), |a| a.lang))
}

/// Tells a person a message of the catalogue, in their language.
async fn tell(ctx: &mut Ctx<'_>, who: ActorId, id: &str, args: &[(&str, Arg)]) -> Result<(), Fail> {
    let lang = lang_of(ctx, who).await?;
    let reply = Reply::text(ctx.cat.get(lang, id, args));
    ctx.notify(who, reply).await
}

/// Tells every moderator of the item (but the person acting) that it waits
/// for them.
async fn tell_moderators(
    ctx: &mut Ctx<'_>,
    s: &Subject,
    target: Target,
    id: &str,
) -> Result<(), Fail> {
    let mut who: Vec<ActorId> = ctx
        .tx
        .moderators()
        .await?
        .into_iter()
        .filter(|(_, scope)| scope.covers(&s.communes))
        .map(|(a, _)| a)
        .collect();
    if ctx.moderation.municipalities_moderate {
        for c in &s.communes {
            who.extend(ctx.tx.municipalities_of(c).await?.iter().map(|m| m.id));
        }
    }
    who.sort();
    who.dedup();
    for m in who {
        if m == ctx.actor.id || Some(m) == s.author {
            continue;
        }
        let lang = lang_of(ctx, m).await?;
        let reply =
            Reply::text(ctx.cat.get(lang, id, &[("target", target_arg(target))])).actions(vec![
                Action::new(ctx.cat.get(lang, "action-moderation", &[]), "/moderation"),
            ]);
        ctx.notify(m, reply).await?;
    }
    Ok(())
}

/// `/contester TARGET`: the author asks once for a review of a hidden item.
pub async fn appeal(ctx: &mut Ctx<'_>, target: Target) -> Outcome {
    let s = subject(ctx, target, false).await?;
    if s.author != Some(ctx.actor.id) {
        return Err(refuse!("appeal-not-yours", "target" => target.to_string()));
    }
    if !s.hidden {
        return Err(refuse!("appeal-not-hidden", "target" => target.to_string()));
    }
    if !insert_report(ctx, target, Reason::Appeal, None).await? {
        return Err(refuse!("appeal-once", "target" => target.to_string()));
    }
    let me = ctx.actor.id;
    log(ctx, Some(me), ModAction::Appeal, Some(target), "").await?;
    tell_moderators(ctx, &s, target, "mod-alert-appeal").await?;
    Ok(vec![Reply::text(
        ctx.t("appeal-sent", &[("target", target_arg(target))]),
    )])
}

/// `/moderation …`: moderators only.
pub async fn command(ctx: &mut Ctx<'_>, arg: ModArg) -> Outcome {
    let Some(scope) = ctx.moderator_scope().await? else {
        return Err(refuse!("not-moderator"));
    };
    match arg {
        ModArg::List => queue::queue(ctx, &scope).await,
        ModArg::Log => queue::journal(ctx, &scope).await,
        ModArg::Hide(t, reason) => actions::act(ctx, &scope, t, actions::Act::Hide(reason)).await,
        ModArg::Keep(t) => actions::act(ctx, &scope, t, actions::Act::Keep).await,
        ModArg::Warn(t, message) => actions::act(ctx, &scope, t, actions::Act::Warn(message)).await,
        ModArg::Ban(t, days, reason) => {
            actions::act(ctx, &scope, t, actions::Act::Ban(days, reason)).await
        }
        ModArg::Unban(t) => actions::act(ctx, &scope, t, actions::Act::Unban).await,
        ModArg::Remove(t) => actions::act(ctx, &scope, t, actions::Act::Remove).await,
    }
}

/// Whether a ban is in force on any identity of the person.
async fn author_banned(ctx: &mut Ctx<'_>, author: Option<ActorId>) -> Result<bool, Fail> {
    let Some(author) = author else {
        return Ok(false);
    };
    for identity in ctx.tx.identities_of(author).await? {
        if ctx
            .tx
            .ban_of(&identity)
            .await?
            .is_some_and(|b| b.in_force(ctx.now))
        {
            return Ok(true);
        }
    }
    Ok(false)
}

fn done(ctx: &Ctx<'_>, id: &str, target: Target) -> Outcome {
    Ok(vec![Reply::text(
        ctx.t(id, &[("target", target_arg(target))]),
    )])
}
