//! Municipality digests: `/digest` and `/annonce` in chat, the scheduler's runs,
//! and the queueing of one digest to every reader (each in their language) and
//! to the commune's announcement room on networks that have one (Matrix).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};

use super::{Ctx, Fail, Outcome, refuse, render, text_refusal};
use crate::command::DigestArg;
use crate::cron::Schedule;
use crate::digest::{self, EVENTS_AHEAD_DAYS, FIRST_PERIOD_DAYS, MAX_SECTIONS, News, Section};
use crate::domain::*;
use crate::geo::{BoundingBox, MAX_RADIUS_M};
use crate::i18n::Arg;
use crate::reply::{Action, ListItem, Reply};
use crate::text;

/// The verified municipality (with communes) the person acts for, or a refusal.
async fn require_municipality(ctx: &mut Ctx<'_>) -> Result<Actor, Fail> {
    ctx.municipality()
        .await?
        .ok_or_else(|| refuse!("digest-not-municipality"))
}

pub(crate) async fn plan_of(ctx: &mut Ctx<'_>, m: &Actor) -> Result<DigestPlan, Fail> {
    Ok(ctx
        .tx
        .digest_plan(m.id)
        .await?
        .unwrap_or_else(|| DigestPlan::new(m.id, &m.tz)))
}

/// `/digest [SCHEDULE [ZONE] | off | maintenant]`.
pub async fn command(ctx: &mut Ctx<'_>, arg: DigestArg) -> Outcome {
    let m = require_municipality(ctx).await?;
    let mut plan = plan_of(ctx, &m).await?;
    match arg {
        DigestArg::Show => {
            let mut r = show(ctx, &plan);
            if let Some(n) = ctx.tx.support_threshold(m.id).await? {
                r = r.para(ctx.t("digest-threshold-set", &[("n", n.into())]));
            }
            Ok(vec![r])
        }
        DigestArg::Threshold(n) => {
            let now = ctx.now;
            ctx.tx.set_support_threshold(m.id, n, now).await?;
            Ok(vec![Reply::text(match n {
                Some(n) => ctx.t("digest-threshold-set", &[("n", n.into())]),
                None => ctx.t("digest-threshold-off", &[]),
            })])
        }
        DigestArg::Off => {
            plan.schedule = None;
            plan.next_at = None;
            ctx.tx.save_digest_plan(&plan).await?;
            Ok(vec![Reply::text(ctx.t("digest-stopped", &[]))])
        }
        DigestArg::Set(spec) => {
            let mut words: Vec<&str> = spec.split_whitespace().collect();
            let tz = match words.last() {
                Some(w) if w.contains('/') || w.eq_ignore_ascii_case("utc") => {
                    let tz = (*w).to_owned();
                    words.pop();
                    tz
                }
                _ => plan.tz.clone(),
            };
            let expr = words.join(" ");
            let schedule = Schedule::parse(&expr, &tz).map_err(|e| {
                refuse!("digest-bad-schedule", "schedule" => expr.clone(), "error" => e.to_string())
            })?;
            let next = schedule
                .next_after(ctx.now)
                .ok_or_else(|| refuse!("digest-never", "schedule" => expr.clone()))?;
            plan.schedule = Some(expr);
            plan.tz = tz;
            plan.next_at = Some(next);
            ctx.tx.save_digest_plan(&plan).await?;
            Ok(vec![show(ctx, &plan)])
        }
        DigestArg::Now => {
            let now = ctx.now;
            let (n, published) = queue(ctx, &m, &mut plan, now, None, false).await?;
            ctx.tx.save_digest_plan(&plan).await?;
            if n == 0 && !published {
                return Ok(vec![Reply::text(ctx.t("digest-empty", &[]))]);
            }
            let r = Reply::text(ctx.t("digest-queued", &[("n", n.into())]));
            Ok(vec![on_page(ctx, &m, published, r)])
        }
    }
}

fn show(ctx: &Ctx<'_>, plan: &DigestPlan) -> Reply {
    let mut r = Reply::text(match (&plan.schedule, plan.next_at) {
        (Some(s), Some(next)) => ctx.t(
            "digest-scheduled",
            &[
                ("schedule", s.clone().into()),
                ("tz", plan.tz.clone().into()),
                ("next", render::datetime(ctx.lang(), next, &plan.tz).into()),
            ],
        ),
        _ => ctx.t("digest-unscheduled", &[]),
    });
    if let Some(a) = &plan.announcement {
        r = r.para(ctx.t("digest-announcement-waiting", &[("text", a.clone().into())]));
    }
    r.para(ctx.t("usage-digest", &[]))
}

/// `/annonce TEXT` (with the next digest) or `/annonce maintenant TEXT` (alone, now).
pub async fn announce(ctx: &mut Ctx<'_>, now: bool, body: &str) -> Outcome {
    let m = require_municipality(ctx).await?;
    let body = text::description(body).map_err(|e| text_refusal("announcement", e))?;
    let mut plan = plan_of(ctx, &m).await?;
    if now {
        let at = ctx.now;
        // An announcement alone leaves the digest's period as it was.
        let last = plan.last_at;
        let (n, published) = queue(ctx, &m, &mut plan, at, Some(body), false).await?;
        plan.last_at = last;
        ctx.tx.save_digest_plan(&plan).await?;
        let r = Reply::text(ctx.t("announcement-sent", &[("n", n.into())]));
        return Ok(vec![on_page(ctx, &m, published, r)]);
    }
    plan.announcement = Some(body);
    ctx.tx.save_digest_plan(&plan).await?;
    Ok(vec![Reply::text(ctx.t("announcement-saved", &[]))])
}

/// Tells the town hall where its communes' pages show what it just
/// published (when the public pages have an address).
fn on_page(ctx: &Ctx<'_>, m: &Actor, published: bool, r: Reply) -> Reply {
    match (published, ctx.public_url) {
        (true, Some(url)) => m.communes.iter().fold(r, |r, c| {
            r.para(ctx.t(
                "digest-on-page",
                &[("url", format!("{url}/c/{}", c.as_str()).into())],
            ))
        }),
        _ => r,
    }
}

/// What the store holds for the digests of some municipalities, read in a few
/// statements whatever their number (the scheduler runs many at once).
#[derive(Default)]
pub(crate) struct Gathered {
    initiatives: Vec<Initiative>,
    activity: Vec<Activity>,
    updates: HashMap<i64, String>,
    upcoming: Vec<Event>,
    /// Needs stated since the period's start, still open.
    needs: Vec<Need>,
    /// Town halls' answers given or changed since the period's start.
    answers: Vec<TownAnswer>,
    /// The ideas flagged to each municipality since the period's start.
    flags: Vec<ThresholdFlag>,
    /// Subscribers to each commune.
    by_commune: HashMap<InseeCode, Vec<ActorId>>,
    /// Subscriptions to an area: (centre, radius in metres, subscriber).
    areas: Vec<(crate::geo::GeoPoint, u32, ActorId)>,
    /// Each reader's private address and language, for digests (none for
    /// those who read them in an announcement room).
    contacts: HashMap<ActorId, (Lang, Address)>,
    /// Each reader's private address and language on any network: where a
    /// consultation goes (Matrix included, in the person's direct chat).
    pub(crate) direct: HashMap<ActorId, (Lang, Address)>,
    /// Consultations waiting for this digest.
    to_send: Vec<Consultation>,
    /// Consultations closed since the period's start.
    closed: Vec<Consultation>,
}

fn centres(ctx: &Ctx<'_>, communes: &[InseeCode]) -> Vec<crate::geo::GeoPoint> {
    communes
        .iter()
        .filter_map(|c| ctx.places.by_code(c)?.centre)
        .collect()
}

/// Reads what the digests of `municipalities` need: with `news`, the activity of
/// their communes since `since` and the coming events; always, their readers.
pub(crate) async fn gather(
    ctx: &mut Ctx<'_>,
    municipalities: &[Actor],
    since: DateTime<Utc>,
    news: bool,
) -> Result<Gathered, Fail> {
    let mut communes: Vec<InseeCode> = municipalities
        .iter()
        .flat_map(|m| m.communes.iter().cloned())
        .collect();
    communes.sort();
    communes.dedup();
    let mut g = Gathered::default();
    if news {
        g.initiatives = ctx.tx.initiatives_in_communes(&communes).await?;
        // Hidden by moderation: in no digest.
        g.initiatives.retain(|i| !i.hidden);
        let ids: Vec<InitiativeId> = g.initiatives.iter().map(|i| i.id).collect();
        // The period is [since, now): what happens at the very instant of a
        // digest belongs to the next one.
        g.activity = ctx.tx.activity_since(&ids, since).await?;
        g.activity.retain(|a| a.at < ctx.now);
        let update_ids: Vec<i64> = g
            .activity
            .iter()
            .filter(|a| a.kind == ActivityKind::Updated)
            .filter_map(|a| a.ref_id)
            .collect();
        let updates = ctx.tx.updates_by_ids(&update_ids).await?;
        let hidden: std::collections::HashSet<i64> = updates
            .iter()
            .filter(|u| u.hidden)
            .map(|u| u.id.0)
            .collect();
        g.activity.retain(|a| {
            a.kind != ActivityKind::Updated || a.ref_id.is_none_or(|u| !hidden.contains(&u))
        });
        g.updates = updates
            .into_iter()
            .filter(|u| !u.hidden)
            .map(|u| {
                (
                    u.id.0,
                    crate::text::excerpt(&u.text, crate::text::EXCERPT_MAX),
                )
            })
            .collect();
        g.upcoming = ctx
            .tx
            .events_between(&ids, ctx.now, ctx.now + Duration::days(EVENTS_AHEAD_DAYS))
            .await?;
        g.upcoming.retain(|e| !e.hidden);
        g.needs = ctx.tx.needs_of(&ids, true).await?;
        let now = ctx.now;
        g.needs
            .retain(|n| n.created_at >= since && n.created_at < now && n.is_current(now));
        g.answers = ctx.tx.town_answers_since(&ids, since).await?;
        g.answers.retain(|a| a.updated_at < now);
        let towns: Vec<ActorId> = municipalities.iter().map(|m| m.id).collect();
        g.flags = ctx.tx.flags_since(&towns, since).await?;
        g.flags.retain(|f| f.at < now);
        g.to_send = ctx.tx.consultations_to_send(&towns, now).await?;
        g.closed = ctx.tx.consultations_closed_since(&towns, since).await?;
        g.closed.retain(|c| c.closed_at.is_some_and(|at| at < now));
    }
    let mut bbox = BoundingBox {
        min_lat: 90.0,
        max_lat: -90.0,
        min_lon: 180.0,
        max_lon: -180.0,
    };
    for c in centres(ctx, &communes) {
        let b = c.bounding_box(f64::from(MAX_RADIUS_M));
        bbox.min_lat = bbox.min_lat.min(b.min_lat);
        bbox.max_lat = bbox.max_lat.max(b.max_lat);
        bbox.min_lon = bbox.min_lon.min(b.min_lon);
        bbox.max_lon = bbox.max_lon.max(b.max_lon);
    }
    let subscriptions = ctx.tx.subscriptions_near(&communes, &bbox).await?;
    let mut people: Vec<ActorId> = subscriptions.iter().map(|s| s.actor).collect();
    for s in subscriptions {
        match (s.commune, s.center) {
            (Some(c), _) => g.by_commune.entry(c).or_default().push(s.actor),
            (None, Some(p)) => g.areas.push((p, s.radius_m, s.actor)),
            (None, None) => {}
        }
    }
    people.sort();
    people.dedup();
    // Each reader once, on their first identity that can be reached (the
    // network they chose, else the one used last); one whose network sends
    // digests to an announcement room reads them there.
    let mut placed = BTreeSet::new();
    for (who, lang, identity) in ctx.tx.reachable_identities(&people).await? {
        if !placed.insert(who) {
            continue;
        }
        g.direct.insert(who, (lang, Address::of(&identity)));
        if ctx.room_networks.contains(&identity.network) {
            continue;
        }
        g.contacts.insert(who, (lang, Address::of(&identity)));
    }
    Ok(g)
}

/// People subscribed to one of the municipality's communes, or to an area that
/// contains one of its communes' centres.
fn readers(ctx: &Ctx<'_>, m: &Actor, g: &Gathered) -> BTreeSet<ActorId> {
    readers_in(ctx, &m.communes, m.id, g)
}

/// People subscribed to one of `communes`, or to an area that contains one of
/// their centres; `town` (the municipality) left out.
pub(crate) fn readers_in(
    ctx: &Ctx<'_>,
    communes: &[InseeCode],
    town: ActorId,
    g: &Gathered,
) -> BTreeSet<ActorId> {
    let mut out: BTreeSet<ActorId> = communes
        .iter()
        .filter_map(|c| g.by_commune.get(c))
        .flatten()
        .copied()
        .collect();
    for centre in centres(ctx, communes) {
        for (p, radius, who) in &g.areas {
            if area_covers(*p, *radius, centre) {
                out.insert(*who);
            }
        }
    }
    out.remove(&town);
    out
}

/// Whether an area (centre, radius in metres) holds `point`.
pub(crate) fn area_covers(
    centre: crate::geo::GeoPoint,
    radius: u32,
    point: crate::geo::GeoPoint,
) -> bool {
    // A degree of latitude is 111 km: most areas are ruled out at once.
    (centre.lat() - point.lat()).abs() * 111_000.0 <= f64::from(radius)
        && point.distance_m(centre) <= f64::from(radius)
}

/// Whether a person's subscriptions make them a reader of `communes` (the
/// rule of [`readers_in`], for one person).
pub(crate) fn reads(ctx: &Ctx<'_>, subscriptions: &[Subscription], communes: &[InseeCode]) -> bool {
    let centres = centres(ctx, communes);
    subscriptions.iter().any(|s| match (&s.commune, s.center) {
        (Some(c), _) => communes.contains(c),
        (None, Some(p)) => centres.iter().any(|c| area_covers(p, s.radius_m, *c)),
        (None, None) => false,
    })
}

/// The news of one municipality's communes in what was gathered.
fn sections_of(m: &Actor, since: DateTime<Utc>, g: &Gathered) -> Vec<Section> {
    let initiatives: Vec<Initiative> = g
        .initiatives
        .iter()
        .filter(|i| i.commune.as_ref().is_some_and(|c| m.communes.contains(c)))
        .cloned()
        .collect();
    let ids: std::collections::HashSet<InitiativeId> = initiatives.iter().map(|i| i.id).collect();
    let activity: Vec<Activity> = g
        .activity
        .iter()
        .filter(|a| a.at >= since && ids.contains(&a.initiative))
        .cloned()
        .collect();
    let upcoming: Vec<Event> = g
        .upcoming
        .iter()
        .filter(|e| ids.contains(&e.initiative))
        .cloned()
        .collect();
    let needs: Vec<Need> = g
        .needs
        .iter()
        .filter(|n| n.created_at >= since && ids.contains(&n.initiative))
        .cloned()
        .collect();
    let answers: Vec<TownAnswer> = g
        .answers
        .iter()
        .filter(|a| a.updated_at >= since && ids.contains(&a.initiative))
        .cloned()
        .collect();
    // Each municipality's own period (the scheduler gathers from the
    // earliest start of a chunk).
    let flags: Vec<(InitiativeId, u32)> = g
        .flags
        .iter()
        .filter(|f| f.municipality == m.id && f.at >= since)
        .map(|f| (f.initiative, f.supporters))
        .collect();
    digest::sections(
        &initiatives,
        &activity,
        &g.updates,
        &upcoming,
        &needs,
        &answers,
        &flags,
    )
}

/// The start of a plan's next period.
pub(crate) fn period_start(plan: &DigestPlan, now: DateTime<Utc>) -> DateTime<Utc> {
    plan.last_at
        .unwrap_or(now - Duration::days(FIRST_PERIOD_DAYS))
}

/// Queues the digest of `m` (a municipality) for `tick`: to every
/// reader in their language, and to each commune's announcement room. With
/// `alone`, an announcement without the period's news. Returns how many
/// messages were queued (none for an empty period) and whether its
/// communes' pages show it (something was said, read by anyone or not);
/// `plan` records the run.
pub(crate) async fn queue(
    ctx: &mut Ctx<'_>,
    m: &Actor,
    plan: &mut DigestPlan,
    tick: DateTime<Utc>,
    alone: Option<String>,
    scheduled: bool,
) -> Result<(usize, bool), Fail> {
    let m = m.clone();
    let since = period_start(plan, ctx.now);
    let g = gather(ctx, std::slice::from_ref(&m), since, alone.is_none()).await?;
    let mut out = Queued::default();
    let n = queue_gathered(ctx, &m, plan, tick, alone, scheduled, &g, &mut out);
    out.write(&mut ctx.tx).await?;
    for c in sent_with(m.id, &g) {
        ctx.tx.mark_consultation_sent(c, ctx.now).await?;
    }
    Ok((n, !out.sent.is_empty()))
}

/// What queueing digests writes, in one statement each
/// ([`Queued::write`]): the messages, and each digest as its communes'
/// pages show it.
#[derive(Default)]
pub(crate) struct Queued {
    pub(crate) messages: Vec<NewOutgoing>,
    pub(crate) sent: Vec<NewSentDigest>,
}

impl Queued {
    pub(crate) async fn write(
        &self,
        tx: &mut Box<dyn crate::ports::Tx>,
    ) -> Result<(), crate::ports::StoreError> {
        tx.enqueue_many(&self.messages).await?;
        tx.record_sent_digests(&self.sent).await
    }
}

/// [`queue`] for municipality `m`, from what [`gather`] read for it (and
/// perhaps others), into `out` for the caller to write. Returns how many
/// messages.
#[allow(clippy::too_many_arguments)]
pub(crate) fn queue_gathered(
    ctx: &mut Ctx<'_>,
    m: &Actor,
    plan: &mut DigestPlan,
    tick: DateTime<Utc>,
    alone: Option<String>,
    scheduled: bool,
    g: &Gathered,
    out: &mut Queued,
) -> usize {
    let since = period_start(plan, ctx.now);
    let (sections, announcement) = match alone {
        Some(text) => (Vec::new(), Some(text)),
        None => (sections_of(m, since, g), plan.announcement.take()),
    };
    plan.last_at = Some(ctx.now);
    // Consultations closed in the period (their results), and those waiting
    // for this digest (each its own message, after it).
    let results: Vec<Consultation> = g
        .closed
        .iter()
        .filter(|c| c.municipality == m.id && c.closed_at.is_some_and(|at| at >= since))
        .cloned()
        .collect();
    if sections.is_empty() && announcement.is_none() && results.is_empty() {
        return queue_waiting(ctx, m, g, &mut out.messages);
    }
    // Each commune's page shows the digest: its announcement and what it
    // told of that commune.
    for commune in &m.communes {
        let initiatives: Vec<InitiativeId> = sections
            .iter()
            .filter(|s| s.initiative.commune.as_ref() == Some(commune))
            .map(|s| s.initiative.id)
            .collect();
        if announcement.is_some() || !initiatives.is_empty() {
            out.sent.push(NewSentDigest {
                commune: commune.clone(),
                municipality: m.id,
                at: ctx.now,
                since,
                announcement: announcement.clone(),
                initiatives,
            });
        }
    }
    let content = Content {
        communes: &m.communes,
        since,
        until: ctx.now,
        announcement: announcement.as_deref(),
        sections: &sections,
        results: &results,
        from: &m.display_name,
    };
    // A scheduled tick runs once: its keys are its own. On demand, the keys of
    // the message (or command line) that asked.
    let key = if scheduled {
        format!("digest/{}/{}", m.id, tick.timestamp_millis())
    } else {
        ctx.next_key("digest")
    };
    let render = |lang: Lang| render_digest(ctx, lang, &content);
    let messages = &mut out.messages;
    let queued = to_readers(
        ctx,
        readers(ctx, m, g),
        &g.contacts,
        &key,
        &render,
        messages,
    ) + to_rooms(ctx, m, &m.communes, &render(m.lang), &key, messages);
    queued + queue_waiting(ctx, m, g, messages)
}

/// One message each reader, at the address `contacts` gives (readers
/// without one are left out), in their language (each language rendered
/// once), keyed `{key}/{reader}`. Returns how many.
fn to_readers(
    ctx: &Ctx<'_>,
    readers: BTreeSet<ActorId>,
    contacts: &HashMap<ActorId, (Lang, Address)>,
    key: &str,
    render: &dyn Fn(Lang) -> Reply,
    out: &mut Vec<NewOutgoing>,
) -> usize {
    let mut rendered: HashMap<Lang, Reply> = HashMap::new();
    let mut queued = 0;
    for reader in readers {
        let Some((lang, to)) = contacts.get(&reader) else {
            continue;
        };
        let reply = rendered
            .entry(*lang)
            .or_insert_with(|| render(*lang))
            .clone();
        out.push(
            NewOutgoing::message(to, reply, format!("{key}/{reader}"), ctx.now)
                .for_person(Some(reader))
                .bulk(),
        );
        queued += 1;
    }
    queued
}

/// `body` once in each commune's announcement room, on the networks that
/// have them (in the municipality's language), keyed
/// `{key}/{network}/{commune}`. Returns how many.
fn to_rooms(
    ctx: &Ctx<'_>,
    m: &Actor,
    communes: &[InseeCode],
    body: &Reply,
    key: &str,
    out: &mut Vec<NewOutgoing>,
) -> usize {
    let mut queued = 0;
    for network in ctx.room_networks {
        for c in communes {
            out.push(NewOutgoing {
                network: network.clone(),
                to: announcements(ctx, m.lang, c),
                recipient: None,
                payload: Payload::Message(body.clone()),
                priority: Priority::Bulk,
                key: format!("{key}/{network}/{c}"),
                at: ctx.now,
                about: None,
            });
            queued += 1;
        }
    }
    queued
}

/// The consultations of `m` that wait for its digest, each to its readers
/// (see [`queue_consultation`]). Returns how many messages.
fn queue_waiting(ctx: &Ctx<'_>, m: &Actor, g: &Gathered, out: &mut Vec<NewOutgoing>) -> usize {
    g.to_send
        .iter()
        .filter(|c| c.municipality == m.id)
        .map(|c| queue_consultation(ctx, m, c, g, out))
        .sum()
}

/// The consultations [`queue_gathered`] sent with `m`'s digest (to be
/// marked sent).
pub(crate) fn sent_with(m: ActorId, g: &Gathered) -> Vec<ConsultationId> {
    g.to_send
        .iter()
        .filter(|c| c.municipality == m)
        .map(|c| c.id)
        .collect()
}

/// A consultation to each reader of its communes, in their direct chat (on
/// every network: the announcement room only gets the results), in their
/// language. Returns how many messages.
pub(crate) fn queue_consultation(
    ctx: &Ctx<'_>,
    m: &Actor,
    c: &Consultation,
    g: &Gathered,
    out: &mut Vec<NewOutgoing>,
) -> usize {
    let from = render::name(m);
    let card = |lang: Lang| {
        let t = |id: &str, args: &[(&str, Arg)]| ctx.cat.get(lang, id, args);
        render::consultation_card(&t, lang, c, &from, &m.tz, None)
    };
    let readers = readers_in(ctx, &c.communes, m.id, g);
    let key = format!("consultation/{}", c.id);
    to_readers(ctx, readers, &g.direct, &key, &card, out)
}

/// A closed consultation's results: to its readers (where they read
/// digests) and to each commune's announcement room.
pub(crate) fn queue_results(
    ctx: &Ctx<'_>,
    m: &Actor,
    c: &Consultation,
    tally: &Tally,
    g: &Gathered,
    out: &mut Vec<NewOutgoing>,
) {
    let from = render::name(m);
    let render = |lang: Lang| {
        let t = |id: &str, args: &[(&str, Arg)]| ctx.cat.get(lang, id, args);
        render::consultation_results(&t, lang, c, &from, &m.tz, tally)
    };
    let readers = readers_in(ctx, &c.communes, m.id, g);
    let key = format!("results/{}", c.id);
    to_readers(ctx, readers, &g.contacts, &key, &render, out);
    to_rooms(ctx, m, &c.communes, &render(m.lang), &key, out);
}

/// A commune's announcement room, with how to make it on first use.
pub(crate) fn announcements(ctx: &Ctx<'_>, lang: Lang, commune: &InseeCode) -> Destination {
    let name = ctx
        .places
        .by_code(commune)
        .map_or_else(|| commune.to_string(), |c| c.name.clone());
    let room = RoomSetup {
        name: ctx.cat.get(
            lang,
            "announcement-room-name",
            &[("commune", name.clone().into())],
        ),
        topic: ctx.cat.get(
            lang,
            "announcement-room-topic",
            &[("commune", name.clone().into())],
        ),
        space_name: ctx.cat.get(lang, "space-name", &[("commune", name.into())]),
    };
    Destination::Announcements {
        commune: commune.clone(),
        room,
    }
}

/// What one digest says, before it is put in a language.
pub(crate) struct Content<'a> {
    pub communes: &'a [InseeCode],
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub announcement: Option<&'a str>,
    pub sections: &'a [Section],
    /// Consultations closed in the period, with their results.
    pub results: &'a [Consultation],
    /// The municipality's name.
    pub from: &'a str,
}

/// The digest in one language.
pub(crate) fn render_digest(ctx: &Ctx<'_>, lang: Lang, c: &Content<'_>) -> Reply {
    let t = |id: &str, args: &[(&str, Arg)]| ctx.cat.get(lang, id, args);
    let names: Vec<String> = c
        .communes
        .iter()
        .map(|code| {
            ctx.places
                .by_code(code)
                .map_or_else(|| code.to_string(), |x| x.name.clone())
        })
        .collect();
    let day = |at: DateTime<Utc>| match lang {
        Lang::Fr => at.format("%d/%m").to_string(),
        Lang::En => at.format("%m-%d").to_string(),
    };
    let mut r = Reply::default()
        .heading(t(
            "digest-title",
            &[
                ("from", c.from.into()),
                ("communes", names.join(", ").into()),
            ],
        ))
        .para(if c.sections.is_empty() && c.results.is_empty() {
            t("digest-announcement-only", &[])
        } else {
            t(
                "digest-period",
                &[("from", day(c.since).into()), ("to", day(c.until).into())],
            )
        });
    if let Some(a) = c.announcement {
        r = r.para(t("digest-announcement", &[("text", a.into())]));
    }
    for k in c.results {
        let Some(tally) = &k.results else {
            continue;
        };
        let mut lines = vec![t(
            "digest-consultation-results",
            &[
                ("id", format!("C{}", k.id).into()),
                ("question", k.question.clone().into()),
                ("n", tally.voters.into()),
            ],
        )];
        lines.extend(render::result_lines(&t, k, tally));
        r = r.para(lines.join("\n"));
    }
    if c.sections.is_empty() {
        return r;
    }
    let items = c
        .sections
        .iter()
        .take(MAX_SECTIONS)
        .map(|s| section_item(ctx, lang, s))
        .collect();
    r = r.list(items);
    if c.sections.len() > MAX_SECTIONS {
        r = r.para(t(
            "digest-more",
            &[("n", (c.sections.len() - MAX_SECTIONS).into())],
        ));
    }
    r
}

fn section_item(ctx: &Ctx<'_>, lang: Lang, s: &Section) -> ListItem {
    let t = |id: &str, args: &[(&str, Arg)]| ctx.cat.get(lang, id, args);
    let i = &s.initiative;
    let id = i.id;
    let mut details = vec![format!(
        "{} · {}",
        t(&format!("cat-{}", i.category.key()), &[]),
        t(&format!("status-{}-{}", i.kind.key(), i.status.key()), &[])
    )];
    let mut actions = vec![Action::new(t("action-show", &[]), format!("/voir {id}"))];
    if i.status.is_live() {
        actions.push(Action::new(
            t("action-follow", &[]),
            format!("/suivre {id}"),
        ));
    }
    if i.kind == InitiativeKind::Project && i.status == Status::Active {
        actions.push(Action::new(
            t("action-join", &[]),
            format!("/rejoindre {id}"),
        ));
    }
    for n in &s.news {
        details.push(match n {
            News::Proposed => t("digest-news-proposed", &[]),
            News::Launched => t("digest-news-launched", &[]),
            News::Done => t("digest-news-done", &[]),
            News::Update(text) => t("digest-news-update", &[("text", text.clone().into())]),
            News::Threshold(n) => t("digest-news-threshold", &[("n", (*n).into())]),
            News::Answer(a) => t(
                "digest-news-answer",
                &[
                    (
                        "status",
                        t(&format!("answer-status-{}", a.status.key()), &[]).into(),
                    ),
                    (
                        "text",
                        crate::text::excerpt(&a.text, crate::text::EXCERPT_MAX).into(),
                    ),
                ],
            ),
            News::Need(n) => {
                actions.push(Action::new(
                    t("action-can-help", &[]),
                    format!("/contribuer B{}", n.id),
                ));
                t(
                    "digest-news-need",
                    &[("line", render::need_line(&t, n).into())],
                )
            }
            News::Event(e) => {
                actions.push(Action::new(
                    t("digest-action-rsvp", &[("title", e.title.clone().into())]),
                    format!("/participer {} oui", e.id),
                ));
                t(
                    "digest-news-event",
                    &[
                        ("title", e.title.clone().into()),
                        ("when", render::datetime(lang, e.starts_at, &e.tz).into()),
                    ],
                )
            }
        });
    }
    ListItem {
        tag: render::tag(i),
        title: render::label(i),
        details,
        actions,
    }
}

/// The commune a subscription reads digests from in an announcement room: the
/// one it names, or the one at the centre of its area.
pub(crate) fn subscription_commune(ctx: &Ctx<'_>, s: &Subscription) -> Option<InseeCode> {
    s.commune.clone().or_else(|| {
        s.center
            .and_then(|p| ctx.places.commune_at(p))
            .map(|c| c.code.clone())
    })
}

/// Lets the person into (`join`) or out of the announcement rooms of these
/// communes, on each room network where they have an identity.
pub(crate) async fn announcement_membership(
    ctx: &mut Ctx<'_>,
    communes: &[InseeCode],
    join: bool,
) -> Result<(), Fail> {
    let me = ctx.actor.id;
    let identities = ctx.tx.identities_of(me).await?;
    for network in ctx.room_networks {
        let Some(user) = identities.iter().find(|i| &i.network == network) else {
            continue;
        };
        for c in communes {
            // The room is named in the language of the commune's town hall.
            let lang = ctx
                .tx
                .municipalities_of(c)
                .await?
                .first()
                .map_or_else(Lang::default, |m| m.lang);
            let op = if join {
                RoomOp::Admit {
                    user: user.id.clone(),
                    approve: true,
                }
            } else {
                RoomOp::Remove {
                    user: user.id.clone(),
                }
            };
            let key = ctx.next_key("a");
            let to = announcements(ctx, lang, c);
            ctx.tx
                .enqueue(
                    &NewOutgoing::room(network, to, vec![op], key, ctx.now).for_person(Some(me)),
                )
                .await?;
        }
    }
    Ok(())
}
