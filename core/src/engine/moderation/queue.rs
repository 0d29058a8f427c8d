//! The moderators' queue and the log they read.

use super::*;

/// Targets listed at once in the queue (the rest wait for the next look).
const QUEUE_SHOWN: usize = 10;
/// Open reports read to build the queue.
const QUEUE_READ: usize = 500;
/// Log entries `/moderation journal` shows.
const LOG_SHOWN: usize = 20;

/// The open reports, grouped by item, oldest first, within the scope.
pub(super) async fn queue(ctx: &mut Ctx<'_>, scope: &ModeratorScope) -> Outcome {
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
        if !scope.covers(&s.communes) || (!ctx.operator && ctx.is_own(s.author).await?) {
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
pub(super) async fn journal(ctx: &mut Ctx<'_>, scope: &ModeratorScope) -> Outcome {
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
                Ok(_) | Err(Fail::User(_) | Fail::Reply(_)) => continue,
                // The store failed (a conflict to run again): not skipped.
                Err(e) => return Err(e),
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
