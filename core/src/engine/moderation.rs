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

use super::{Ctx, Fail, Outcome, refuse, render, text_refusal};
use crate::command::ModArg;
use crate::domain::*;
use crate::i18n::Arg;
use crate::ports::StoreError;
use crate::reply::{Action, ListItem, Reply};
use crate::text;

/// Targets listed at once in the queue (the rest wait for the next look).
const QUEUE_SHOWN: usize = 10;
/// Open reports read to build the queue.
const QUEUE_READ: usize = 500;
/// Reports one person may have waiting at once.
pub const MAX_OPEN_REPORTS: usize = 10;
/// Log entries `/moderation journal` shows.
const LOG_SHOWN: usize = 20;

/// What a report or an action is about, as moderation sees it.
pub(crate) struct Subject {
    pub author: Option<ActorId>,
    /// Where it is (an initiative's commune, an actor's communes).
    pub communes: Vec<InseeCode>,
    pub hidden: bool,
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
    let threshold = ctx.moderation.auto_hide_reports;
    if threshold > 0
        && reporters.len() >= threshold
        && !s.hidden
        && !matches!(target, Target::Actor(_))
    {
        set_hidden(ctx, target, true).await?;
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

/// Hides or shows again; an initiative's place in the nearby index follows.
/// Hidden again, its author may appeal once more.
async fn set_hidden(ctx: &mut Ctx<'_>, target: Target, hidden: bool) -> Result<(), Fail> {
    ctx.tx.set_hidden(target, hidden.then_some(ctx.now)).await?;
    if hidden {
        reopen_appeal(ctx, target).await?;
    }
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
        ModArg::List => queue(ctx, &scope).await,
        ModArg::Log => journal(ctx, &scope).await,
        ModArg::Hide(t, reason) => act(ctx, &scope, t, Act::Hide(reason)).await,
        ModArg::Keep(t) => act(ctx, &scope, t, Act::Keep).await,
        ModArg::Warn(t, message) => act(ctx, &scope, t, Act::Warn(message)).await,
        ModArg::Ban(t, days, reason) => act(ctx, &scope, t, Act::Ban(days, reason)).await,
        ModArg::Unban(t) => act(ctx, &scope, t, Act::Unban).await,
        ModArg::Remove(t) => act(ctx, &scope, t, Act::Remove).await,
    }
}

/// The open reports, grouped by item, oldest first, within the scope.
async fn queue(ctx: &mut Ctx<'_>, scope: &ModeratorScope) -> Outcome {
    let reports = ctx.tx.open_reports(QUEUE_READ).await?;
    let mut order: Vec<Target> = Vec::new();
    for r in &reports {
        if !order.contains(&r.target) {
            order.push(r.target);
        }
    }
    let mut items = Vec::new();
    let mut waiting: usize = 0;
    for target in order {
        let s = match subject(ctx, target, true).await {
            Ok(s) => s,
            // Gone since (an actor erased): nothing left to moderate.
            Err(Fail::User(_)) => {
                ctx.tx.resolve_reports(target, ctx.now).await?;
                continue;
            }
            Err(e) => return Err(e),
        };
        // Nobody judges their own content: it goes to the others.
        if !scope.covers(&s.communes) || (s.author == Some(ctx.actor.id) && !ctx.operator) {
            continue;
        }
        waiting += 1;
        if items.len() >= QUEUE_SHOWN {
            continue;
        }
        let on: Vec<&Report> = reports.iter().filter(|r| r.target == target).collect();
        items.push(queue_item(ctx, target, &s, &on));
    }
    if items.is_empty() {
        return Ok(vec![Reply::text(ctx.t("mod-queue-empty", &[]))]);
    }
    Ok(vec![
        Reply::default()
            .heading(ctx.t("mod-queue-title", &[("n", waiting.into())]))
            .list(items)
            .actions(vec![Action::new(
                ctx.t("action-mod-log", &[]),
                "/moderation journal",
            )]),
    ])
}

fn queue_item(ctx: &Ctx<'_>, target: Target, s: &Subject, on: &[&Report]) -> ListItem {
    let mut details = Vec::new();
    let mut reasons: Vec<(Reason, usize)> = Vec::new();
    for r in on {
        match reasons.iter_mut().find(|(k, _)| *k == r.reason) {
            Some((_, n)) => *n += 1,
            None => reasons.push((r.reason, 1)),
        }
    }
    let summary: Vec<String> = reasons
        .iter()
        .map(|(r, n)| format!("{} ×{n}", ctx.t(&format!("reason-{}", r.key()), &[])))
        .collect();
    details.push(summary.join(" · "));
    if let Some(first) = on.first() {
        details.push(ctx.t(
            "mod-queue-since",
            &[(
                "at",
                render::datetime(ctx.lang(), first.at, &ctx.actor.tz).into(),
            )],
        ));
    }
    if s.hidden {
        details.push(ctx.t("mod-queue-hidden", &[]));
    }
    for r in on.iter().filter(|r| r.text.is_some()).take(3) {
        if let Some(t) = &r.text {
            details.push(format!("« {} »", text::excerpt(t, 200)));
        }
    }
    let mut actions = Vec::new();
    if !matches!(target, Target::Actor(_)) {
        actions.push(Action::new(
            ctx.t("action-mod-hide", &[]),
            format!("/moderation masquer {target}"),
        ));
    }
    actions.push(Action::new(
        ctx.t("action-mod-keep", &[]),
        format!("/moderation garder {target}"),
    ));
    if s.author.is_some() {
        actions.push(Action::new(
            ctx.t("action-mod-warn", &[]),
            format!("/moderation avertir {target}"),
        ));
        actions.push(Action::new(
            ctx.t("action-mod-ban", &[]),
            format!("/moderation bannir {target} 30"),
        ));
    }
    ListItem {
        tag: Some(target.to_string()),
        title: s.label.clone(),
        details,
        actions,
    }
}

/// `/moderation journal`: the newest log entries within the scope.
async fn journal(ctx: &mut Ctx<'_>, scope: &ModeratorScope) -> Outcome {
    let entries = ctx.tx.recent_log(LOG_SHOWN * 5).await?;
    let mut lines = Vec::new();
    for e in entries {
        if lines.len() >= LOG_SHOWN {
            break;
        }
        // What was done about a moderator is not theirs to read here.
        if e.subject == Some(ctx.actor.id) && !ctx.operator {
            continue;
        }
        if let (ModeratorScope::Communes(_), Some(t)) = (scope, e.target) {
            match subject(ctx, t, true).await {
                Ok(s) if scope.covers(&s.communes) => {}
                _ => continue,
            }
        } else if matches!(scope, ModeratorScope::Communes(_)) {
            continue;
        }
        let by = match e.moderator {
            Some(m) => ctx
                .tx
                .actor(m)
                .await?
                .map_or_else(|| ctx.t("someone", &[]), |a| a.display_name),
            None => ctx.t("mod-by-kohero", &[]),
        };
        lines.push(ctx.t(
            "mod-log-line",
            &[
                (
                    "at",
                    render::datetime(ctx.lang(), e.at, &ctx.actor.tz).into(),
                ),
                (
                    "action",
                    ctx.t(&format!("mod-action-{}", e.action.key()), &[]).into(),
                ),
                (
                    "target",
                    e.target.map_or_else(String::new, |t| t.to_string()).into(),
                ),
                ("by", by.into()),
                ("reason", e.reason.clone().into()),
            ],
        ));
    }
    if lines.is_empty() {
        return Ok(vec![Reply::text(ctx.t("mod-log-empty", &[]))]);
    }
    Ok(vec![
        Reply::default()
            .heading(ctx.t("mod-log-title", &[]))
            .para(lines.join("\n")),
    ])
}

enum Act {
    Hide(Option<String>),
    Keep,
    Warn(Option<String>),
    Ban(Option<u32>, Option<String>),
    Unban,
    Remove,
}

/// One moderator action on an item.
async fn act(ctx: &mut Ctx<'_>, scope: &ModeratorScope, target: Target, what: Act) -> Outcome {
    let s = subject(ctx, target, true).await?;
    if !scope.covers(&s.communes) {
        return Err(refuse!("not-moderator-here", "target" => target.to_string()));
    }
    if s.author == Some(ctx.actor.id) && !ctx.operator {
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
                set_hidden(ctx, target, true).await?;
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
                set_hidden(ctx, target, false).await?;
            }
            log(ctx, s.author, ModAction::Keep, Some(target), "").await?;
            if let Some(author) = s.author.filter(|_| s.hidden || appealed) {
                let lang = lang_of(ctx, author).await?;
                let reply = Reply::text(ctx.cat.get(
                    lang,
                    "mod-kept-notice",
                    &[("target", target_arg(target))],
                ));
                ctx.notify(author, reply).await?;
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
            ban(ctx, author, days, reason.as_deref(), Some(target)).await?;
            done(ctx, "mod-done-ban", target)
        }
        Act::Remove => {
            let author = s.author.ok_or_else(|| refuse!("mod-no-author"))?;
            let project = match target {
                Target::Initiative(id) => id,
                Target::Update(u) => match ctx.tx.update_by_id(u).await? {
                    Some(u) => u.initiative,
                    None => return Err(refuse!("report-unknown", "target" => target.to_string())),
                },
                Target::Event(e) => match ctx.tx.event(e).await? {
                    Some(e) => e.initiative,
                    None => return Err(refuse!("report-unknown", "target" => target.to_string())),
                },
                Target::Actor(_) => return Err(refuse!("mod-remove-needs-item")),
            };
            let Some(m) = ctx.tx.membership(project, author).await? else {
                return Err(refuse!("mod-not-member", "target" => target.to_string()));
            };
            super::initiatives::remove_member(ctx, &m).await?;
            log(ctx, Some(author), ModAction::Remove, Some(target), "").await?;
            let lang = lang_of(ctx, author).await?;
            let reply = Reply::text(ctx.cat.get(
                lang,
                "mod-removed-notice",
                &[("id", project.0.into())],
            ));
            ctx.notify(author, reply).await?;
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
            let lang = lang_of(ctx, author).await?;
            let reply = Reply::text(ctx.cat.get(lang, "mod-unbanned-notice", &[]));
            ctx.notify(author, reply).await?;
            done(ctx, "mod-done-unban", target)
        }
    }
}

/// Forgets the author's decided appeal on a target hidden again.
async fn reopen_appeal(ctx: &mut Ctx<'_>, target: Target) -> Result<(), Fail> {
    let author = match target {
        Target::Initiative(id) => ctx.tx.initiative(id).await?.and_then(|i| i.created_by),
        Target::Update(id) => ctx.tx.update_by_id(id).await?.and_then(|u| u.author),
        Target::Event(id) => ctx.tx.event(id).await?.and_then(|e| e.created_by),
        Target::Actor(_) => None,
    };
    if let Some(author) = author {
        ctx.tx.reopen_appeal(target, author).await?;
    }
    Ok(())
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
    // A ban in force is never shortened by another (for good wins).
    for identity in ctx.tx.identities_of(who).await? {
        if let Some(b) = ctx.tx.ban_of(&identity).await?
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
        super::rooms::remove_from_rooms(ctx, m.initiative, who).await?;
    }
    for identity in ctx.tx.identities_of(who).await? {
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
        ctx.tx.set_hidden(t, Some(ctx.now)).await?;
        reopen_appeal(ctx, t).await?;
        if let Target::Initiative(id) = t {
            let i = ctx.initiative(id).await?;
            ctx.touched.push(i);
        }
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
    let lang = lang_of(ctx, who).await?;
    let tz = ctx
        .tx
        .actor(who)
        .await?
        .map_or_else(|| DEFAULT_TZ.to_owned(), |a| a.tz);
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
        Content::Location(_) => false,
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
