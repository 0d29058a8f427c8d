//! Alerts: what a person follows or subscribed to, batched to at most one
//! message an hour outside their quiet hours; and event reminders, sent on time.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Timelike, Utc};

use super::{Ctx, Fail, Outcome, render};
use crate::command::AlertsArg;
use crate::domain::*;
use crate::geo::MAX_RADIUS_M;
use crate::i18n::Arg;
use crate::reply::{Action, ListItem, Reply};

/// At most one batch of alerts per person in this time.
pub const BATCH_EVERY: Duration = Duration::hours(1);

/// Queues an alert for everyone following the initiative, or the actor
/// that carries it, but the person acting.
pub(crate) async fn to_followers(
    ctx: &mut Ctx<'_>,
    initiative: InitiativeId,
    kind: AlertKind,
    ref_id: i64,
) -> Result<(), Fail> {
    let me = ctx.actor.id;
    let mut who: Vec<ActorId> = ctx
        .tx
        .members(initiative)
        .await?
        .into_iter()
        .map(|m| m.actor)
        .collect();
    if let Some(carrier) = ctx
        .tx
        .initiative(initiative)
        .await?
        .and_then(|i| i.carried_by)
    {
        who.extend(ctx.tx.followers_of_actor(carrier).await?);
    }
    let mut told = std::collections::BTreeSet::new();
    for actor in who {
        if actor == me || !told.insert(actor) {
            continue;
        }
        ctx.tx
            .queue_alert(&NewAlert {
                actor,
                initiative,
                kind,
                ref_id: Some(ref_id),
                at: ctx.now,
            })
            .await?;
    }
    Ok(())
}

/// Someone joined: the organisers hear about it.
pub(crate) async fn new_member(ctx: &mut Ctx<'_>, initiative: InitiativeId) -> Result<(), Fail> {
    let me = ctx.actor.id;
    for m in ctx.tx.members(initiative).await? {
        if m.role != Role::Organiser || m.actor == me {
            continue;
        }
        ctx.tx
            .queue_alert(&NewAlert {
                actor: m.actor,
                initiative,
                kind: AlertKind::NewMember,
                ref_id: Some(me.0),
                at: ctx.now,
            })
            .await?;
    }
    Ok(())
}

/// A new initiative: everyone whose subscription it matches (place, radius,
/// categories) hears about it.
pub(crate) async fn new_initiative(ctx: &mut Ctx<'_>, i: &Initiative) -> Result<(), Fail> {
    let mut told = std::collections::BTreeSet::new();
    // Those who follow the actor that carries it.
    if let Some(carrier) = i.carried_by {
        for f in ctx.tx.followers_of_actor(carrier).await? {
            if f != ctx.actor.id && told.insert(f) {
                ctx.tx
                    .queue_alert(&NewAlert {
                        actor: f,
                        initiative: i.id,
                        kind: AlertKind::NewInitiative,
                        ref_id: None,
                        at: ctx.now,
                    })
                    .await?;
            }
        }
    }
    let communes: Vec<InseeCode> = i.commune.iter().cloned().collect();
    let bbox = match i.place {
        Some(p) => p.bounding_box(f64::from(MAX_RADIUS_M)),
        None if communes.is_empty() => return Ok(()),
        // No place: only subscriptions to its commune.
        None => crate::geo::BoundingBox {
            min_lat: 1.0,
            max_lat: -1.0,
            min_lon: 1.0,
            max_lon: -1.0,
        },
    };
    for s in ctx.tx.subscriptions_near(&communes, &bbox).await? {
        let place_matches = match (&s.commune, s.center, i.place) {
            (Some(c), _, _) => i.commune.as_ref() == Some(c),
            (None, Some(centre), Some(p)) => centre.distance_m(p) <= f64::from(s.radius_m),
            _ => false,
        };
        let category_matches = s.categories.is_empty() || s.categories.contains(&i.category);
        if !place_matches || !category_matches || s.actor == ctx.actor.id || !told.insert(s.actor) {
            continue;
        }
        ctx.tx
            .queue_alert(&NewAlert {
                actor: s.actor,
                initiative: i.id,
                kind: AlertKind::NewInitiative,
                ref_id: None,
                at: ctx.now,
            })
            .await?;
    }
    Ok(())
}

fn hhmm(minute: u32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// `/alertes [on | off | calme HH-HH | calme non]`.
pub async fn command(ctx: &mut Ctx<'_>, arg: AlertsArg) -> Outcome {
    let me = ctx.actor.id;
    let mut prefs = ctx.tx.alert_prefs(me).await?;
    match arg {
        AlertsArg::Show => {}
        AlertsArg::On => prefs.enabled = true,
        AlertsArg::Off => prefs.enabled = false,
        AlertsArg::Quiet(Some((from, to))) => {
            prefs.quiet_from = from;
            prefs.quiet_to = to;
        }
        AlertsArg::Quiet(None) => {
            prefs.quiet_from = 0;
            prefs.quiet_to = 0;
        }
    }
    if arg != AlertsArg::Show {
        // New settings: the next pass works out the hold again.
        prefs.hold_until = None;
        ctx.tx.set_alert_prefs(me, &prefs).await?;
    }
    let state = if !prefs.enabled {
        ctx.t("alerts-off", &[])
    } else if prefs.quiet_from == prefs.quiet_to {
        ctx.t("alerts-on-no-quiet", &[])
    } else {
        ctx.t(
            "alerts-on",
            &[
                ("from", hhmm(prefs.quiet_from).into()),
                ("to", hhmm(prefs.quiet_to).into()),
                ("tz", ctx.actor.tz.clone().into()),
            ],
        )
    };
    Ok(vec![Reply::text(state).para(ctx.t("usage-alerts", &[]))])
}

/// When the person's next batch may go, at or after `now`: an hour after the
/// last one, and outside their quiet hours (in their time zone).
pub(crate) fn next_batch_at(prefs: &AlertPrefs, tz: &str, now: DateTime<Utc>) -> DateTime<Utc> {
    let at = prefs
        .last_sent_at
        .map_or(now, |last| (last + BATCH_EVERY).max(now));
    let zone = render::tz_of(tz);
    let local = at.with_timezone(&zone);
    let minute = local.hour() * 60 + local.minute();
    if !prefs.is_quiet(minute) {
        return at;
    }
    // The end of the quiet hours: today, or tomorrow when they span midnight
    // and it is still evening.
    let day = if prefs.quiet_from > prefs.quiet_to && minute >= prefs.quiet_from {
        local.date_naive() + Duration::days(1)
    } else {
        local.date_naive()
    };
    day.and_hms_opt(prefs.quiet_to / 60, prefs.quiet_to % 60, 0)
        .and_then(|t| t.and_local_timezone(zone).earliest())
        .map_or(at + BATCH_EVERY, |t| t.with_timezone(&Utc))
}

/// Sends `ctx.actor`'s waiting alerts as one message, if the time is right.
/// Returns whether a message was queued.
pub(crate) async fn flush(ctx: &mut Ctx<'_>) -> Result<bool, Fail> {
    let me = ctx.actor.id;
    let alerts = ctx.tx.alerts_of(me).await?;
    let Some(upto) = alerts.iter().map(|a| a.id).max() else {
        return Ok(false);
    };
    let mut prefs = ctx.tx.alert_prefs(me).await?;
    if !prefs.enabled {
        ctx.tx.delete_alerts(me, upto).await?;
        return Ok(false);
    }
    let next = next_batch_at(&prefs, &ctx.actor.tz, ctx.now);
    if next > ctx.now {
        // Not before then: the scheduler leaves the person alone until it comes.
        prefs.hold_until = Some(next);
        ctx.tx.set_alert_prefs(me, &prefs).await?;
        return Ok(false);
    }
    // Grouped by initiative, in the order they happened.
    let mut by_initiative: BTreeMap<InitiativeId, Vec<&Alert>> = BTreeMap::new();
    for a in &alerts {
        by_initiative.entry(a.initiative).or_default().push(a);
    }
    let mut items = Vec::new();
    for (id, list) in by_initiative {
        let Some(i) = ctx.tx.initiative(id).await?.filter(|i| !i.hidden) else {
            continue;
        };
        let mut details = Vec::new();
        for a in list {
            if let Some(line) = alert_line(ctx, a).await? {
                details.push(line);
            }
        }
        if details.is_empty() {
            continue;
        }
        items.push(ListItem {
            tag: render::tag(&i),
            title: render::label(&i),
            details,
            actions: vec![Action::new(
                ctx.t("action-show", &[]),
                format!("/voir {id}"),
            )],
        });
    }
    ctx.tx.delete_alerts(me, upto).await?;
    if items.is_empty() {
        return Ok(false);
    }
    let n = items.len();
    // Fair use: so many initiatives in one message; the rest are counted.
    let more = n.saturating_sub(ctx.fair_use.alert_items);
    items.truncate(ctx.fair_use.alert_items);
    let mut reply = Reply::text(ctx.t("alerts-title", &[("n", n.into())])).list(items);
    if more > 0 {
        reply = reply.para(ctx.t("alerts-more", &[("n", more.into())]));
    }
    let reply = reply.para(ctx.t("alerts-footer", &[]));
    let queued = ctx.notify_with(me, reply, Priority::Bulk).await?;
    prefs.last_sent_at = Some(ctx.now);
    prefs.hold_until = None;
    ctx.tx.set_alert_prefs(me, &prefs).await?;
    Ok(queued)
}

async fn alert_line(ctx: &mut Ctx<'_>, a: &Alert) -> Result<Option<String>, Fail> {
    let lang = ctx.lang();
    Ok(match (a.kind, a.ref_id) {
        (AlertKind::NewInitiative, _) => Some(ctx.t("alert-new-initiative", &[])),
        // What moderation hid since it was queued is left out.
        (AlertKind::Update, Some(u)) => ctx
            .tx
            .update_by_id(UpdateId(u))
            .await?
            .filter(|u| !u.hidden)
            .map(|u| {
                let text = crate::text::excerpt(&u.text, crate::text::EXCERPT_MAX);
                ctx.t("alert-update", &[("text", text.into())])
            }),
        (AlertKind::Event, Some(e)) => {
            ctx.tx
                .event(EventId(e))
                .await?
                .filter(|e| !e.hidden)
                .map(|e| {
                    ctx.t(
                        "alert-event",
                        &[
                            ("title", e.title.clone().into()),
                            ("when", render::datetime(lang, e.starts_at, &e.tz).into()),
                            ("event", e.id.0.into()),
                        ],
                    )
                })
        }
        (AlertKind::NewMember, Some(who)) => ctx
            .tx
            .actor(ActorId(who))
            .await?
            .map(|p| ctx.t("alert-new-member", &[("name", p.display_name.into())])),
        // The town hall's answer, as it stands now.
        (AlertKind::Answer, _) => match ctx.tx.town_answer(a.initiative).await? {
            Some(answer) => {
                let by = match answer.municipality {
                    Some(m) => ctx.tx.actor(m).await?,
                    None => None,
                };
                Some(render::answer_line(
                    &|id, args| ctx.t(id, args),
                    &answer,
                    by.as_ref(),
                    lang,
                    &ctx.actor.tz,
                    Some(crate::text::EXCERPT_MAX),
                ))
            }
            None => None,
        },
        // A need still open, that their skills match.
        (AlertKind::Need, Some(n)) => ctx
            .tx
            .need(NeedId(n))
            .await?
            .filter(|n| n.status == NeedStatus::Open)
            .map(|n| {
                let line = render::need_line(&|id, args| ctx.t(id, args), &n);
                ctx.t(
                    "alert-need",
                    &[("line", line.into()), ("need", n.id.0.into())],
                )
            }),
        _ => None,
    })
}

/// The reminder due for an event at `now`, if any: one hour before, or a day
/// before for events announced more than a day ahead.
pub(crate) fn reminder_due(e: &Event, now: DateTime<Utc>) -> Option<Reminder> {
    if now >= e.starts_at {
        return None;
    }
    let left = e.starts_at - now;
    if left <= Reminder::Hour.lead() {
        Some(Reminder::Hour)
    } else if left <= Reminder::Day.lead() && e.starts_at - e.created_at > Reminder::Day.lead() {
        Some(Reminder::Day)
    } else {
        None
    }
}

/// Reminds those who answered yes or maybe. Returns how many were reminded.
pub(crate) async fn remind(ctx: &mut Ctx<'_>, e: &Event, which: Reminder) -> Result<usize, Fail> {
    if !ctx.tx.record_reminder(e.id, which).await? {
        return Ok(0);
    }
    if which == Reminder::Hour {
        // A day's reminder not sent by now would come too late.
        ctx.tx.record_reminder(e.id, Reminder::Day).await?;
    }
    if e.hidden {
        return Ok(0);
    }
    let Some(i) = ctx.tx.initiative(e.initiative).await? else {
        return Ok(0);
    };
    let mut n = 0;
    for r in ctx.tx.rsvps(e.id).await? {
        if r.answer == RsvpAnswer::No {
            continue;
        }
        let Some(person) = ctx.tx.actor(r.actor).await? else {
            continue;
        };
        let t = |id: &str, args: &[(&str, Arg)]| ctx.cat.get(person.lang, id, args);
        let reply = Reply::text(t(
            &format!("reminder-{}", which.key()),
            &[
                ("title", e.title.clone().into()),
                ("project", i.title.clone().into()),
                ("id", i.id.0.into()),
                (
                    "when",
                    render::datetime(person.lang, e.starts_at, &e.tz).into(),
                ),
                ("tz", e.tz.clone().into()),
            ],
        ))
        .actions(vec![Action::new(
            t("action-rsvp-no", &[]),
            format!("/participer {} non", e.id),
        )]);
        if ctx
            .notify_with(r.actor, reply, Priority::Interactive)
            .await?
        {
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chrono::TimeZone;

    use super::*;

    fn paris(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        chrono_tz::Europe::Paris
            .with_ymd_and_hms(2026, 11, d, h, m, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn the_next_batch_waits_for_the_hour_and_the_end_of_quiet_hours() {
        let mut p = AlertPrefs::default();
        let tz = "Europe/Paris";
        // Daytime, nothing sent yet: now.
        assert_eq!(next_batch_at(&p, tz, paris(20, 10, 0)), paris(20, 10, 0));
        // An hour after the last batch.
        p.last_sent_at = Some(paris(20, 9, 30));
        assert_eq!(next_batch_at(&p, tz, paris(20, 10, 0)), paris(20, 10, 30));
        // In the evening, the next morning at 08:00; after midnight, the same morning.
        assert_eq!(next_batch_at(&p, tz, paris(20, 23, 0)), paris(21, 8, 0));
        assert_eq!(next_batch_at(&p, tz, paris(21, 2, 0)), paris(21, 8, 0));
        // The hour since the last batch ends in the quiet hours: their end.
        p.last_sent_at = Some(paris(20, 21, 30));
        assert_eq!(next_batch_at(&p, tz, paris(20, 21, 45)), paris(21, 8, 0));
        // Quiet hours within a day (13:00–14:00), and none at all.
        p.quiet_from = 13 * 60;
        p.quiet_to = 14 * 60;
        p.last_sent_at = None;
        assert_eq!(next_batch_at(&p, tz, paris(20, 13, 20)), paris(20, 14, 0));
        p.quiet_to = p.quiet_from;
        assert_eq!(next_batch_at(&p, tz, paris(20, 13, 20)), paris(20, 13, 20));
    }
}
