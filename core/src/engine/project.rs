//! What a project's group records: progress updates, events and RSVPs.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::{Ctx, Fail, Outcome, geo_refusal, refuse, render, text_refusal};
use crate::command::EventChange;
use crate::domain::*;
use crate::geo::GeoPoint;
use crate::i18n::Arg;
use crate::reply::{Action, ListItem, Reply};
use crate::text;

async fn active_project(ctx: &mut Ctx<'_>, id: InitiativeId) -> Result<Initiative, Fail> {
    let i = ctx.initiative(id).await?;
    ctx.require_organiser(&i).await?;
    if i.kind != InitiativeKind::Project || i.status != Status::Active {
        return Err(refuse!("project-not-active", "id" => id.0));
    }
    Ok(i)
}

pub async fn update(ctx: &mut Ctx<'_>, id: InitiativeId, body: &str) -> Outcome {
    let i = active_project(ctx, id).await?;
    let body = text::description(body).map_err(|e| text_refusal("update", e))?;
    let me = ctx.actor.id;
    let u = ctx.tx.insert_update(id, me, &body, ctx.now).await?;
    ctx.tx
        .insert_activity(&NewActivity {
            initiative: id,
            kind: ActivityKind::Updated,
            ref_id: Some(u.id.0),
            at: ctx.now,
        })
        .await?;
    let author = ctx.actor.display_name.clone();
    let mirror = update_mirror(ctx, &i, &author, &u);
    super::rooms::post(ctx, id, &mirror, Some(Target::Update(u.id))).await?;
    super::alerts::to_followers(ctx, id, AlertKind::Update, u.id.0).await?;
    Ok(vec![Reply::text(ctx.t(
        "update-posted",
        &[("id", id.0.into()), ("title", i.title.into())],
    ))])
}

/// What a project's chats show of an update.
fn update_mirror(ctx: &Ctx<'_>, i: &Initiative, author: &str, u: &ProgressUpdate) -> Reply {
    Reply::text(ctx.t(
        "update-mirror",
        &[
            ("id", i.id.0.into()),
            ("title", i.title.clone().into()),
            ("author", author.to_owned().into()),
            ("text", u.text.clone().into()),
        ],
    ))
}

/// What a project's chats show of an event.
async fn event_mirror(ctx: &mut Ctx<'_>, i: &Initiative, e: &Event) -> Result<Reply, Fail> {
    let item = event_item(ctx, e).await?;
    Ok(Reply::text(ctx.t(
        "event-mirror",
        &[("id", i.id.0.into()), ("title", i.title.clone().into())],
    ))
    .list(vec![item]))
}

/// Posts an update or an event shown again (a moderator kept it) into every
/// chat of its project, as when it was made.
pub async fn post_again(ctx: &mut Ctx<'_>, target: Target) -> Result<(), Fail> {
    let (initiative, mirror) = match target {
        Target::Update(id) => {
            let Some(u) = ctx.tx.update_by_id(id).await? else {
                return Ok(());
            };
            let i = ctx.initiative(u.initiative).await?;
            let author = match u.author {
                Some(a) => ctx.tx.actor(a).await?.map(|a| a.display_name),
                None => None,
            }
            .unwrap_or_default();
            (i.id, update_mirror(ctx, &i, &author, &u))
        }
        Target::Event(id) => {
            let Some(e) = ctx.tx.event(id).await? else {
                return Ok(());
            };
            let i = ctx.initiative(e.initiative).await?;
            (i.id, event_mirror(ctx, &i, &e).await?)
        }
        Target::Initiative(_) | Target::Actor(_) => return Ok(()),
    };
    super::rooms::post(ctx, initiative, &mirror, Some(target)).await
}

/// Parses a local date and time, with an optional IANA zone at the end.
pub fn parse_when(s: &str, default_tz: &str) -> Result<(DateTime<Utc>, String), Fail> {
    let mut words: Vec<&str> = s.split_whitespace().collect();
    let tz_name = match words.last() {
        Some(w) if w.contains('/') && w.parse::<Tz>().is_ok() => {
            let w = (*w).to_owned();
            words.pop();
            w
        }
        Some(w) if w.eq_ignore_ascii_case("utc") => {
            words.pop();
            "UTC".to_owned()
        }
        _ => default_tz.to_owned(),
    };
    let local = words.join(" ").replace('h', ":").replace('T', " ");
    // "18h" is 18:00.
    let local = match local.trim_end().strip_suffix(':') {
        Some(hour) => format!("{hour}:00"),
        None => local,
    };
    let formats = ["%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S"];
    let naive = formats
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(local.trim(), f).ok())
        .ok_or_else(|| refuse!("event-when-syntax"))?;
    let tz = render::tz_of(&tz_name);
    let at = match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => t,
        // A time that occurs twice (clocks go back): the first one.
        LocalResult::Ambiguous(first, _) => first,
        LocalResult::None => return Err(refuse!("event-when-gap")),
    };
    Ok((at.with_timezone(&Utc), tz_name))
}

/// What `TITRE | DATE | LIEU [| DURÉE]` says of an event.
struct EventSpec {
    title: String,
    starts_at: DateTime<Utc>,
    tz: String,
    place: Option<GeoPoint>,
    minutes: u32,
}

/// Parses `TITRE | DATE [| LIEU] [| DURÉE]` (a place `-` or empty is none);
/// a date without a zone is in `tz`.
fn event_spec(ctx: &Ctx<'_>, spec: &str, tz: &str) -> Result<EventSpec, Fail> {
    let parts: Vec<&str> = spec.split('|').map(str::trim).collect();
    if !(2..=4).contains(&parts.len()) {
        return Err(refuse!("usage-event"));
    }
    let title = text::title(parts[0]).map_err(|e| text_refusal("title", e))?;
    let (starts_at, tz) = parse_when(parts[1], tz)?;
    if starts_at <= ctx.now {
        return Err(refuse!("event-in-past"));
    }
    let latest = crate::domain::latest_date(ctx.now);
    if starts_at > latest {
        let max = render::datetime(ctx.lang(), latest, &tz);
        return Err(refuse!("event-too-far", "max" => max));
    }
    let place = match parts.get(2) {
        Some(p) if !p.is_empty() && *p != "-" => Some(GeoPoint::parse_uri(p).map_err(geo_refusal)?),
        _ => None,
    };
    let minutes = match parts.get(3) {
        None => EVENT_MINUTES_DEFAULT,
        Some(d) => parse_minutes(d)
            .filter(|m| *m <= EVENT_MINUTES_MAX)
            .ok_or_else(|| refuse!("event-duration"))?,
    };
    Ok(EventSpec {
        title,
        starts_at,
        tz,
        place,
        minutes,
    })
}

pub async fn event(ctx: &mut Ctx<'_>, id: InitiativeId, spec: Option<&str>) -> Outcome {
    let i = active_project(ctx, id).await?;
    let Some(spec) = spec else {
        return Err(refuse!("usage-event"));
    };
    let EventSpec {
        title,
        starts_at,
        tz,
        place,
        minutes,
    } = event_spec(ctx, spec, &ctx.actor.tz)?;
    let me = ctx.actor.id;
    let e = ctx
        .tx
        .insert_event(&NewEvent {
            initiative: id,
            title,
            starts_at,
            tz,
            place,
            minutes,
            created_by: me,
            created_at: ctx.now,
        })
        .await?;
    ctx.tx
        .insert_activity(&NewActivity {
            initiative: id,
            kind: ActivityKind::Event,
            ref_id: Some(e.id.0),
            at: ctx.now,
        })
        .await?;
    let when = render::datetime(ctx.lang(), e.starts_at, &e.tz);
    let mirror = event_mirror(ctx, &i, &e).await?;
    super::rooms::post(ctx, id, &mirror, Some(Target::Event(e.id))).await?;
    super::alerts::to_followers(ctx, id, AlertKind::Event, e.id.0).await?;
    Ok(vec![
        Reply::text(ctx.t(
            "event-created",
            &[
                ("event", e.id.0.into()),
                ("title", e.title.clone().into()),
                ("when", when.into()),
                ("tz", e.tz.clone().into()),
                ("id", id.0.into()),
                ("project", i.title.into()),
            ],
        ))
        .actions(rsvp_actions(ctx, e.id)),
    ])
}

fn rsvp_actions(ctx: &Ctx<'_>, e: EventId) -> Vec<Action> {
    vec![
        Action::new(
            ctx.t("action-rsvp-yes", &[]),
            format!("/participer E{e} oui"),
        ),
        Action::new(
            ctx.t("action-rsvp-maybe", &[]),
            format!("/participer E{e} peutetre"),
        ),
        Action::new(
            ctx.t("action-rsvp-no", &[]),
            format!("/participer E{e} non"),
        ),
    ]
}

/// A list line for an event: when, where, answers so far, RSVP buttons.
pub async fn event_item(ctx: &mut Ctx<'_>, e: &Event) -> Result<ListItem, Fail> {
    let rsvps = ctx.tx.rsvps(e.id).await?;
    let n = |a: RsvpAnswer| rsvps.iter().filter(|r| r.answer == a).count();
    let mine = rsvps
        .iter()
        .find(|r| r.actor == ctx.actor.id)
        .map(|r| r.answer);
    let mut details = vec![format!(
        "{} ({}), {}",
        render::datetime(ctx.lang(), e.starts_at, &e.tz),
        e.tz,
        render::duration(ctx.lang(), e.minutes)
    )];
    if let Some(p) = e.place {
        details.push(p.to_uri());
    }
    details.push(ctx.t(
        "rsvp-counts",
        &[
            ("yes", n(RsvpAnswer::Yes).into()),
            ("maybe", n(RsvpAnswer::Maybe).into()),
            ("no", n(RsvpAnswer::No).into()),
        ],
    ));
    if let Some(a) = mine {
        details.push(ctx.t(
            "rsvp-yours",
            &[("answer", ctx.t(&format!("rsvp-{}", a.key()), &[]).into())],
        ));
    }
    Ok(ListItem {
        tag: Some(format!("E{}", e.id)),
        title: format!("E{} {}", e.id, e.title),
        details,
        actions: rsvp_actions(ctx, e.id),
    })
}

pub async fn rsvp(ctx: &mut Ctx<'_>, id: EventId, answer: RsvpAnswer) -> Outcome {
    let e = ctx
        .tx
        .event(id)
        .await?
        .filter(|e| !e.hidden)
        .ok_or_else(|| refuse!("unknown-event", "event" => id.0))?;
    if e.is_cancelled() {
        return Err(refuse!("event-cancelled", "event" => id.0));
    }
    if e.starts_at <= ctx.now {
        return Err(refuse!("event-in-past"));
    }
    let i = ctx.initiative(e.initiative).await?;
    if i.status != Status::Active {
        return Err(refuse!("initiative-closed", "id" => i.id.0));
    }
    let me = ctx.actor.id;
    ctx.tx
        .set_rsvp(&Rsvp {
            event: id,
            actor: me,
            answer,
            at: ctx.now,
        })
        .await?;
    let item = event_item(ctx, &e).await?;
    Ok(vec![
        Reply::text(ctx.t(
            "rsvp-recorded",
            &[
                (
                    "answer",
                    ctx.t(&format!("rsvp-{}", answer.key()), &[]).into(),
                ),
                ("title", e.title.clone().into()),
            ],
        ))
        .list(vec![item]),
    ])
}

/// `/evenement E7 annuler` or `/evenement E7 TITRE | DATE | LIEU [| DURÉE]`:
/// an organiser of its project cancels or changes an event that has not
/// begun; its project's chats and everyone who answered are told.
pub async fn change_event(ctx: &mut Ctx<'_>, id: EventId, change: EventChange) -> Outcome {
    let before = ctx
        .tx
        .event(id)
        .await?
        .filter(|e| !e.hidden)
        .ok_or_else(|| refuse!("unknown-event", "event" => id.0))?;
    let i = ctx.initiative(before.initiative).await?;
    ctx.require_organiser(&i).await?;
    // Out of sight by moderation: its events change no more (they would
    // reach those who answered).
    if i.hidden {
        return Err(refuse!("unknown-event", "event" => id.0));
    }
    // An event is cancelled whatever became of its project; only an active
    // project's events change.
    if matches!(change, EventChange::Edit(_))
        && (i.kind != InitiativeKind::Project || i.status != Status::Active)
    {
        return Err(refuse!("project-not-active", "id" => i.id.0));
    }
    if before.is_cancelled() {
        return Err(refuse!("event-cancelled", "event" => id.0));
    }
    if before.starts_at <= ctx.now {
        return Err(refuse!("event-in-past"));
    }
    let mut after = before.clone();
    match &change {
        EventChange::Cancel => after.cancelled_at = Some(ctx.now),
        EventChange::Edit(spec) => {
            // A date without a zone is in the event's zone, not the
            // organiser's.
            let s = event_spec(ctx, spec, &before.tz)?;
            after.title = s.title;
            after.starts_at = s.starts_at;
            after.tz = s.tz;
            after.place = s.place;
            after.minutes = s.minutes;
            if after == before {
                return Ok(vec![Reply::text(
                    ctx.t("event-unchanged", &[("event", id.0.into())]),
                )]);
            }
        }
    }
    after.sequence = before.sequence.saturating_add(1);
    after.updated_at = Some(ctx.now);
    ctx.tx.change_event(&after).await?;
    let key = if after.is_cancelled() {
        "event-cancelled-mirror"
    } else {
        "event-changed-mirror"
    };
    let mut mirror = Reply::text(ctx.t(
        key,
        &[
            ("event", id.0.into()),
            ("id", i.id.0.into()),
            ("title", i.title.clone().into()),
        ],
    ));
    if !after.is_cancelled() {
        mirror = mirror.list(vec![event_item(ctx, &after).await?]);
    }
    super::rooms::post(ctx, i.id, &mirror, Some(Target::Event(id))).await?;
    let told = tell_answerers(ctx, &i, &before, &after).await?;
    let done = if after.is_cancelled() {
        "event-cancel-done"
    } else {
        "event-change-done"
    };
    Ok(vec![Reply::text(ctx.t(
        done,
        &[
            ("event", id.0.into()),
            ("title", after.title.clone().into()),
            ("told", told.into()),
        ],
    ))])
}

/// Tells everyone who answered an event (but the organiser who changed it)
/// that it was cancelled or changed, in their language and time zone of the
/// event. Returns how many could be reached.
async fn tell_answerers(
    ctx: &mut Ctx<'_>,
    i: &Initiative,
    before: &Event,
    after: &Event,
) -> Result<usize, Fail> {
    let mut told = 0;
    for r in ctx.tx.rsvps(after.id).await? {
        if r.actor == ctx.actor.id {
            continue;
        }
        let Some(person) = ctx.tx.actor(r.actor).await? else {
            continue;
        };
        let lang = person.lang;
        let t = |id: &str, args: &[(&str, Arg)]| ctx.cat.get(lang, id, args);
        let when = |e: &Event| render::datetime(lang, e.starts_at, &e.tz);
        let reply = if after.is_cancelled() {
            Reply::text(t(
                "event-cancelled-notice",
                &[
                    ("event", after.id.0.into()),
                    ("title", after.title.clone().into()),
                    ("when", when(after).into()),
                    ("tz", after.tz.clone().into()),
                    ("id", i.id.0.into()),
                    ("project", i.title.clone().into()),
                ],
            ))
        } else {
            let mut details = vec![format!("{} ({})", when(after), after.tz)];
            if after.starts_at != before.starts_at {
                details.push(t(
                    "event-was",
                    &[("when", format!("{} ({})", when(before), before.tz).into())],
                ));
            }
            details.push(t(
                "event-lasts",
                &[("duration", render::duration(lang, after.minutes).into())],
            ));
            if let Some(p) = after.place {
                details.push(p.to_uri());
            }
            Reply::text(t(
                "event-changed-notice",
                &[
                    ("event", after.id.0.into()),
                    ("id", i.id.0.into()),
                    ("project", i.title.clone().into()),
                ],
            ))
            .list(vec![ListItem {
                tag: Some(format!("E{}", after.id)),
                title: format!("E{} {}", after.id, after.title),
                details,
                actions: vec![Action::new(
                    t("action-rsvp-no", &[]),
                    format!("/participer E{} non", after.id),
                )],
            }])
        };
        if ctx
            .notify_with(r.actor, reply, Priority::Interactive)
            .await?
        {
            told += 1;
        }
    }
    Ok(told)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_with_zones() {
        let (t, tz) = parse_when("2026-12-05 14:00", "Europe/Paris").unwrap();
        assert_eq!(tz, "Europe/Paris");
        assert_eq!(t.to_rfc3339(), "2026-12-05T13:00:00+00:00");
        let (t, _) = parse_when("05/12/2026 14h30 UTC", "Europe/Paris").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-12-05T14:30:00+00:00");
        let (_, tz) = parse_when("2026-12-05 14:00 America/Montreal", "Europe/Paris").unwrap();
        assert_eq!(tz, "America/Montreal");
        // 29 March 2026, 02:30 does not exist in Paris.
        assert!(parse_when("2026-03-29 02:30", "Europe/Paris").is_err());
        // 25 October 2026, 02:30 happens twice: the first one (summer time).
        let (t, _) = parse_when("2026-10-25 02:30", "Europe/Paris").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-10-25T00:30:00+00:00");
        assert!(parse_when("demain", "Europe/Paris").is_err());
        assert!(parse_when("2026-13-45 25:00", "Europe/Paris").is_err());
        // The hour alone, as people write it.
        let (t, _) = parse_when("31/12/2026 18h", "UTC").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-12-31T18:00:00+00:00");
    }
}
