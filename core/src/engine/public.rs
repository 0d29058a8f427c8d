//! What the public web shows (issue 21): initiatives, communes, maps,
//! calendars and feeds, read for anyone, signed in or not. Decided here, not
//! in the web adapter: only initiatives that moderation has not hidden, their
//! updates and events that are not hidden, and the public profiles of the
//! verified actors that carry them or answered them. No person's name (an
//! organiser's included), no shared location, no internal id of a person.
//! Every read is one snapshot that waits for no writer.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::Engine;
use crate::domain::*;
use crate::geo::GeoPoint;
use crate::places::{GeoBox, Mask};
use crate::ports::Tx;

/// At most this many initiatives in one page of map data.
pub const MAP_PAGE_MAX: usize = 5_000;
/// Initiatives read from the store at once for a page of map data.
const MAP_READ: usize = 1_000;
/// At most this many candidates examined for one page: a page that finds
/// fewer than asked ends there, with a `next` to go on from.
const MAP_SCAN_MAX: usize = 20_000;
/// Calendars keep events that ended up to this many days ago.
pub const CALENDAR_PAST_DAYS: i64 = 30;
/// At most this many events in one calendar.
pub const CALENDAR_MAX: usize = 1_000;
/// A commune's page and feed show this many recent items.
pub const NEWS_MAX: usize = 30;
/// A commune's page lists this many initiatives of each status at most (the
/// most recently changed): the rest is in its data.
pub const COMMUNE_LIST_MAX: usize = 100;
/// A commune with at most this many initiatives has its page chosen from
/// all of them, read at once; a larger one, from the store's counts and
/// choices.
pub const SMALL_COMMUNE: usize = 2 * COMMUNE_LIST_MAX;
/// A commune's page shows this many of its town hall's digests at most.
pub const DIGESTS_MAX: usize = 3;
/// A commune's page shows this many upcoming events at most.
pub const COMMUNE_EVENTS_MAX: usize = 20;

/// An initiative as a list, a map or a calendar names it: the store's
/// summary, of a visible initiative only (`hidden` is always false here).
pub type PublicSummary = InitiativeSummary;

/// A verified association, company or town hall, as its public profile
/// shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicActor {
    pub id: ActorId,
    pub kind: ActorKind,
    pub name: String,
    pub description: Option<String>,
    pub site: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PublicUpdate {
    pub id: UpdateId,
    pub text: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PublicNeed {
    pub id: NeedId,
    pub kind: NeedKind,
    pub quantity: Option<u32>,
    pub filled: u32,
    pub detail: Option<String>,
    pub until: Option<DateTime<Utc>>,
}

/// A town hall's answer to an initiative.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicAnswer {
    pub by: Option<PublicActor>,
    pub status: AnswerStatus,
    pub text: String,
    pub at: DateTime<Utc>,
}

/// An initiative's page.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicInitiative {
    pub summary: PublicSummary,
    pub description: String,
    pub commune_name: Option<String>,
    pub carrier: Option<PublicActor>,
    pub updates: Vec<PublicUpdate>,
    /// Upcoming, not cancelled, soonest first.
    pub events: Vec<Event>,
    pub needs: Vec<PublicNeed>,
    pub answer: Option<PublicAnswer>,
    pub supporters: usize,
    pub members: usize,
    /// The latest change of anything the page shows.
    pub changed_at: DateTime<Utc>,
}

/// One line of a commune's news (its page and its Atom feed).
#[derive(Debug, Clone, PartialEq)]
pub struct PublicNews {
    pub id: i64,
    pub initiative: PublicSummary,
    pub kind: ActivityKind,
    /// An update's text, or an event's title.
    pub text: Option<String>,
    pub event: Option<Event>,
    pub at: DateTime<Utc>,
}

/// A digest its town hall sent, as a commune's page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicDigest {
    pub at: DateTime<Utc>,
    /// The town hall (a digest shows while it is verified as this
    /// commune's: one whose verification was taken back, or moved to other
    /// communes, no longer speaks for it).
    pub from: PublicActor,
    pub announcement: Option<String>,
    /// The commune's initiatives it told of that are still shown, in its
    /// order.
    pub initiatives: Vec<PublicSummary>,
}

/// A commune's page.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicCommune {
    pub code: InseeCode,
    pub name: String,
    pub department: String,
    pub centre: Option<GeoPoint>,
    /// How many initiatives are shown, by live status (see
    /// [`Status::is_live`]); each status has its count, zero or not.
    pub counts: Vec<(Status, usize)>,
    /// Shown initiatives: the [`COMMUNE_LIST_MAX`] most recently changed
    /// of each status at most, by status (projects, ideas, done), category,
    /// then the most recently changed first.
    pub initiatives: Vec<PublicSummary>,
    /// Upcoming events, not cancelled, soonest first, with their initiative.
    pub events: Vec<(Event, PublicSummary)>,
    /// Newest first.
    pub news: Vec<PublicNews>,
    /// The latest digests of its town hall, newest first.
    pub digests: Vec<PublicDigest>,
    pub changed_at: DateTime<Utc>,
}

/// What a page of map data asks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapQuery {
    /// `None`: the whole world.
    pub bbox: Option<GeoBox>,
    /// Only this commune's initiatives.
    pub commune: Option<InseeCode>,
    /// Any of these (none: all).
    pub categories: Vec<Category>,
    /// Any of these (none: all shown ones).
    pub statuses: Vec<Status>,
    /// Ids after this one (the previous page's `next`).
    pub after: Option<InitiativeId>,
    /// At most [`MAP_PAGE_MAX`].
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MapPage {
    /// By id.
    pub features: Vec<PublicSummary>,
    /// Where the next page starts, if there may be one.
    pub next: Option<InitiativeId>,
}

/// A calendar: its events (cancelled ones included), with their initiative.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicCalendar {
    pub name: String,
    pub events: Vec<(Event, PublicSummary)>,
}

/// Whether a visitor may see an initiative: anything moderation has not hidden.
fn public(i: &Initiative) -> bool {
    !i.hidden
}

async fn public_actor(
    tx: &mut Box<dyn Tx>,
    id: Option<ActorId>,
) -> Result<Option<PublicActor>, crate::ports::StoreError> {
    let Some(id) = id else { return Ok(None) };
    match tx.actor(id).await? {
        Some(a) => public_profile(tx, a).await,
        None => Ok(None),
    }
}

/// An actor's public profile: verified organisations only.
async fn public_profile(
    tx: &mut Box<dyn Tx>,
    a: Actor,
) -> Result<Option<PublicActor>, crate::ports::StoreError> {
    if !a.verified || a.kind == ActorKind::Citizen {
        return Ok(None);
    }
    let profile = tx.actor_profile(a.id).await?;
    Ok(Some(PublicActor {
        id: a.id,
        kind: a.kind,
        name: a.display_name,
        description: profile.as_ref().and_then(|p| p.description.clone()),
        site: profile.and_then(|p| p.site),
    }))
}

impl Engine {
    /// An initiative's page; `None` if there is none or moderation hid it.
    pub async fn public_initiative(
        &self,
        id: InitiativeId,
    ) -> Result<Option<PublicInitiative>, super::EngineError> {
        let now = self.clock.now();
        let mut tx = self.store.read().await?;
        let Some(i) = tx.initiative(id).await?.filter(public) else {
            return Ok(None);
        };
        let mut changed_at = i.updated_at;
        let mut updates = tx.updates_of(id, 5).await?;
        updates.retain(|u| !u.hidden);
        let updates: Vec<PublicUpdate> = updates
            .into_iter()
            .map(|u| PublicUpdate {
                id: u.id,
                text: u.text,
                at: u.created_at,
            })
            .collect();
        let mut events = tx.events_of(id, now).await?;
        events.retain(|e| !e.hidden);
        events.truncate(10);
        let needs: Vec<PublicNeed> = tx
            .needs_of(&[id], true)
            .await?
            .into_iter()
            .filter(|n| n.is_current(now))
            .map(|n| {
                changed_at = changed_at.max(n.created_at);
                PublicNeed {
                    id: n.id,
                    kind: n.kind,
                    quantity: n.quantity,
                    filled: n.filled,
                    detail: n.detail,
                    until: n.until,
                }
            })
            .collect();
        let members = tx.members(id).await?;
        let count = |roles: &[Role]| members.iter().filter(|m| roles.contains(&m.role)).count();
        let answer = match tx.town_answer(id).await? {
            Some(a) => {
                changed_at = changed_at.max(a.updated_at);
                Some(PublicAnswer {
                    by: public_actor(&mut tx, a.municipality).await?,
                    status: a.status,
                    text: a.text,
                    at: a.updated_at,
                })
            }
            None => None,
        };
        let carrier = public_actor(&mut tx, i.carried_by).await?;
        changed_at = updates
            .iter()
            .map(|u| u.at)
            .chain(events.iter().map(Event::changed_at))
            .chain(members.iter().map(|m| m.since))
            .fold(changed_at, DateTime::max);
        let commune_name = i
            .commune
            .as_ref()
            .and_then(|c| self.places.by_code(c))
            .map(|c| c.name.clone());
        Ok(Some(PublicInitiative {
            summary: InitiativeSummary::from(&i),
            description: i.description,
            commune_name,
            carrier,
            updates,
            events,
            needs,
            answer,
            supporters: count(&[Role::Supporter]),
            members: count(&[Role::Member, Role::Organiser]),
            changed_at,
        }))
    }

    /// A commune's page; `None` for a code no commune has.
    pub async fn public_commune(
        &self,
        code: &InseeCode,
    ) -> Result<Option<PublicCommune>, super::EngineError> {
        let Some(c) = self.places.by_code(code) else {
            return Ok(None);
        };
        let now = self.clock.now();
        let mut tx = self.store.read().await?;
        let until = crate::domain::latest_date(now);
        // A small commune is read whole, in one statement, and chosen from
        // here; a large one is counted and chosen by the store, so that its
        // page costs a few indexed reads rather than a row per initiative
        // (each way is the faster for its size; both show the same).
        let first = tx.initiative_summaries_in(code, SMALL_COMMUNE + 1).await?;
        let (overview, events, activity, mut summaries) = if first.len() <= SMALL_COMMUNE {
            let all: Vec<PublicSummary> = first.into_iter().filter(|s| !s.hidden).collect();
            let overview = CommuneOverview::of(&all, COMMUNE_LIST_MAX);
            let ids: Vec<InitiativeId> = all.iter().map(|s| s.id).collect();
            let (mut events, activity) = if ids.is_empty() {
                (Vec::new(), Vec::new())
            } else {
                (
                    tx.events_between(&ids, now, until).await?,
                    tx.activity_of(&ids, 0, NEWS_MAX).await?,
                )
            };
            events.retain(|e| !e.hidden);
            events.truncate(COMMUNE_EVENTS_MAX);
            let summaries: HashMap<InitiativeId, PublicSummary> =
                all.into_iter().map(|s| (s.id, s)).collect();
            (overview, events, activity, summaries)
        } else {
            let overview = tx.commune_overview(code, COMMUNE_LIST_MAX).await?;
            let events = tx.events_in(code, now, until, COMMUNE_EVENTS_MAX).await?;
            let activity = tx.activity_in(code, NEWS_MAX).await?;
            (overview, events, activity, HashMap::new())
        };
        // Read a few more than shown: those of a town hall no longer
        // verified for this commune are left out.
        let sent = tx.sent_digests(code, DIGESTS_MAX * 4).await?;
        let named: Vec<InitiativeId> = events
            .iter()
            .map(|e| e.initiative)
            .chain(activity.iter().map(|a| a.initiative))
            .chain(sent.iter().flat_map(|d| d.initiatives.iter().copied()))
            .filter(|i| !summaries.contains_key(i))
            .collect();
        summaries.extend(summaries_of(&mut tx, named).await?);
        let mut changed_at = overview.changed_at.unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        let counts = LIVE_BY_RANK
            .into_iter()
            .map(|s| (s, overview.count(s)))
            .collect();
        let mut initiatives = overview.latest;
        initiatives.sort_by_key(|s| {
            (
                status_rank(s.status),
                s.category as u8,
                std::cmp::Reverse((s.updated_at, s.id.0)),
            )
        });
        let events: Vec<(Event, PublicSummary)> = events
            .into_iter()
            .filter_map(|e| {
                changed_at = changed_at.max(e.changed_at());
                let s = summaries.get(&e.initiative)?.clone();
                Some((e, s))
            })
            .collect();
        let news = news(&mut tx, activity, &summaries).await?;
        if let Some(n) = news.first() {
            changed_at = changed_at.max(n.at);
        }
        let digests = letters(&mut tx, code, sent, &summaries).await?;
        if let Some(d) = digests.iter().map(|d| d.at).max() {
            changed_at = changed_at.max(d);
        }
        Ok(Some(PublicCommune {
            code: c.code.clone(),
            name: c.name.clone(),
            department: c.department.clone(),
            centre: c.centre,
            counts,
            initiatives,
            events,
            news,
            digests,
            changed_at,
        }))
    }

    /// A commune's news for its feed (newest first), with its name; `None`
    /// for a code no commune has.
    pub async fn public_news(
        &self,
        code: &InseeCode,
        limit: usize,
    ) -> Result<Option<(String, Vec<PublicNews>)>, super::EngineError> {
        let Some(c) = self.places.by_code(code) else {
            return Ok(None);
        };
        let mut tx = self.store.read().await?;
        let activity = tx.activity_in(code, limit).await?;
        let named = activity.iter().map(|a| a.initiative).collect();
        let summaries = summaries_of(&mut tx, named).await?;
        let news = news(&mut tx, activity, &summaries).await?;
        Ok(Some((c.name.clone(), news)))
    }

    /// One page of map data: shown initiatives with a place (from the
    /// nearby index) in the box, or of a commune (with or without a place),
    /// by id.
    pub async fn public_map(&self, q: &MapQuery) -> Result<MapPage, super::EngineError> {
        let limit = q.limit.clamp(1, MAP_PAGE_MAX);
        let after = q.after.map_or(0, |a| a.0);
        let keep = |i: &InitiativeSummary| {
            i.is_shown()
                && (q.categories.is_empty() || q.categories.contains(&i.category))
                && (q.statuses.is_empty() || q.statuses.contains(&i.status))
                && q.bbox
                    .is_none_or(|b| i.place.is_some_and(|p| b.contains(p)))
        };
        let mut tx = self.store.read().await?;
        if let Some(code) = &q.commune {
            // A commune's initiatives come in one read, by id.
            let mut features = Vec::new();
            let mut next = None;
            for i in tx.initiative_summaries_in(code, usize::MAX).await? {
                if i.id.0 <= after || !keep(&i) {
                    continue;
                }
                if features.len() == limit {
                    next = features.last().map(|f: &PublicSummary| f.id);
                    break;
                }
                features.push(i);
            }
            return Ok(MapPage { features, next });
        }
        let world = GeoBox {
            west: -180.0,
            south: -90.0,
            east: 180.0,
            north: 90.0,
        };
        // The index knows kinds, not statuses: an open initiative is an idea,
        // an active or done one a project.
        let kind = if !q.statuses.is_empty() && q.statuses.iter().all(|s| *s == Status::Open) {
            Some(InitiativeKind::Idea)
        } else if !q.statuses.is_empty()
            && q.statuses
                .iter()
                .all(|s| matches!(s, Status::Active | Status::Done))
        {
            Some(InitiativeKind::Project)
        } else {
            None
        };
        let mask = Mask::from(&crate::places::Filter {
            categories: q.categories.clone(),
            kind,
        });
        let candidates: Vec<InitiativeId> = {
            let index = self.index.read().unwrap_or_else(|p| p.into_inner());
            index
                .within_box(q.bbox.as_ref().unwrap_or(&world), mask)
                .into_iter()
                .map(|(id, _)| id)
                .filter(|i| i.0 > after)
                .collect()
        };
        let mut features = Vec::new();
        let mut next = None;
        let scanned = candidates.len().min(MAP_SCAN_MAX);
        'chunks: for chunk in candidates[..scanned].chunks(MAP_READ) {
            for i in tx.initiative_summaries(chunk).await? {
                let id = i.id;
                if keep(&i) {
                    features.push(i);
                }
                if features.len() == limit {
                    // More may follow if any candidate comes after.
                    next = candidates.last().filter(|c| c.0 > id.0).map(|_| id);
                    break 'chunks;
                }
            }
        }
        // Too many candidates for one page: the next page goes on after the
        // last one examined.
        if next.is_none() && features.len() < limit && scanned < candidates.len() {
            next = candidates.get(scanned - 1).copied();
        }
        Ok(MapPage { features, next })
    }

    /// An initiative's calendar; `None` if there is none or it is hidden.
    pub async fn public_calendar_of(
        &self,
        id: InitiativeId,
    ) -> Result<Option<PublicCalendar>, super::EngineError> {
        let mut tx = self.store.read().await?;
        let Some(i) = tx.initiative(id).await?.filter(public) else {
            return Ok(None);
        };
        let s = InitiativeSummary::from(&i);
        let from = self.clock.now() - Duration::days(CALENDAR_PAST_DAYS);
        let events = tx
            .calendar_events(&[id], from, CALENDAR_MAX)
            .await?
            .into_iter()
            .map(|e| (e, s.clone()))
            .collect();
        Ok(Some(PublicCalendar {
            name: i.title,
            events,
        }))
    }

    /// A commune's calendar; `None` for a code no commune has.
    pub async fn public_calendar_in(
        &self,
        code: &InseeCode,
    ) -> Result<Option<PublicCalendar>, super::EngineError> {
        let Some(c) = self.places.by_code(code) else {
            return Ok(None);
        };
        let mut tx = self.store.read().await?;
        let Holdings { ids, summaries, .. } = holdings(&mut tx, code).await?;
        let from = self.clock.now() - Duration::days(CALENDAR_PAST_DAYS);
        let events = tx
            .calendar_events(&ids, from, CALENDAR_MAX)
            .await?
            .into_iter()
            .filter_map(|e| {
                let s = summaries.get(&e.initiative)?.clone();
                Some((e, s))
            })
            .collect();
        Ok(Some(PublicCalendar {
            name: c.name.clone(),
            events,
        }))
    }
}

impl Engine {
    /// A report filed from a public page's form by a visitor (`visitor`: a
    /// key the web adapter derives from their address; no account). As
    /// `/signaler`: one report per visitor and item, moderators alerted at
    /// the first; but a visitor's report never counts towards hiding an item
    /// by itself. `Ok(Ok(thanks))`, or `Ok(Err(why not))` in `lang`;
    /// nothing is written when refused.
    pub async fn report_from_web(
        &self,
        page: InitiativeId,
        target: Target,
        reason: Reason,
        note: Option<String>,
        visitor: &str,
        lang: Lang,
    ) -> Result<Result<String, String>, super::EngineError> {
        crate::retry::on_conflict("web report", || {
            self.report_from_web_once(page, target, reason, note.clone(), visitor, lang)
        })
        .await
    }

    async fn report_from_web_once(
        &self,
        page: InitiativeId,
        target: Target,
        reason: Reason,
        note: Option<String>,
        visitor: &str,
        lang: Lang,
    ) -> Result<Result<String, String>, super::EngineError> {
        use super::moderation::WEB_VISITORS;
        let mut tx = self.store.begin().await?;
        // Only what the page shows: the initiative, or one of its updates or
        // events, none hidden; anything else gets the same answer, so that
        // nobody learns what exists out of sight.
        let shown = match target {
            Target::Initiative(i) => i == page,
            Target::Update(u) => tx
                .update_by_id(u)
                .await?
                .is_some_and(|u| u.initiative == page && !u.hidden),
            Target::Event(e) => tx
                .event(e)
                .await?
                .is_some_and(|e| e.initiative == page && !e.hidden),
            Target::Actor(_) => false,
        } && tx.initiative(page).await?.is_some_and(|i| public(&i));
        if !shown {
            return Ok(Err(self.cat.get(lang, "web-report-unknown", &[])));
        }
        let identity = Identity::new(WEB_VISITORS, visitor);
        let name = self.cat.get(lang, "web-visitor", &[]);
        let actor = self
            .actor_for(&mut tx, &identity, Some(&name), Some(lang))
            .await?;
        // Nothing is ever sent to a visitor: no network carries it.
        let address = Address::of(&identity);
        if !tx.is_unreachable(&address).await? {
            tx.set_unreachable(&address, "a visitor of the public pages", self.clock.now())
                .await?;
        }
        let mut ctx = self.ctx(tx, actor, self.local_key("web"));
        match super::moderation::report(&mut ctx, target, Some(reason), note).await {
            Ok(replies) => {
                let super::Ctx { tx, touched, .. } = ctx;
                tx.commit().await?;
                self.apply_to_index(&touched);
                Ok(Ok(replies
                    .iter()
                    .map(crate::reply::Reply::plain)
                    .collect::<Vec<_>>()
                    .join("\n")))
            }
            Err(fail) => Ok(Err(self.refusal(lang, fail)?.plain())),
        }
    }
}

/// What a commune holds that visitors may see (its calendar): its
/// initiatives moderation has not hidden, their ids, and their summaries by
/// id.
struct Holdings {
    ids: Vec<InitiativeId>,
    summaries: HashMap<InitiativeId, PublicSummary>,
}

async fn holdings(
    tx: &mut Box<dyn Tx>,
    code: &InseeCode,
) -> Result<Holdings, crate::ports::StoreError> {
    let mut all = tx.initiative_summaries_in(code, usize::MAX).await?;
    all.retain(|i| !i.hidden);
    let ids = all.iter().map(|i| i.id).collect();
    let summaries = all.into_iter().map(|i| (i.id, i)).collect();
    Ok(Holdings { ids, summaries })
}

/// The first [`DIGESTS_MAX`] of these digests sent for `commune` whose
/// town hall still speaks for it (verified, and for that commune), each
/// naming the initiatives `summaries` has that are still shown.
async fn letters(
    tx: &mut Box<dyn Tx>,
    commune: &InseeCode,
    sent: Vec<SentDigest>,
    summaries: &HashMap<InitiativeId, PublicSummary>,
) -> Result<Vec<PublicDigest>, crate::ports::StoreError> {
    let mut town_halls: HashMap<ActorId, Option<PublicActor>> = HashMap::new();
    let mut out = Vec::new();
    for d in sent {
        if out.len() == DIGESTS_MAX {
            break;
        }
        let from = match town_halls.get(&d.municipality) {
            Some(from) => from.clone(),
            None => {
                let from = match tx.actor(d.municipality).await? {
                    Some(a) if a.is_verified_municipality() && a.communes.contains(commune) => {
                        public_profile(tx, a).await?
                    }
                    _ => None,
                };
                town_halls.insert(d.municipality, from.clone());
                from
            }
        };
        let Some(from) = from else { continue };
        out.push(PublicDigest {
            at: d.at,
            from,
            announcement: d.announcement,
            initiatives: d
                .initiatives
                .iter()
                .filter_map(|i| summaries.get(i))
                .filter(|s| s.is_shown())
                .cloned()
                .collect(),
        });
    }
    Ok(out)
}

/// The summaries of these initiatives (repeats allowed) by id.
async fn summaries_of(
    tx: &mut Box<dyn Tx>,
    mut ids: Vec<InitiativeId>,
) -> Result<HashMap<InitiativeId, PublicSummary>, crate::ports::StoreError> {
    ids.sort_unstable_by_key(|i| i.0);
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(tx
        .initiative_summaries(&ids)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect())
}

/// The live statuses ([`Status::is_live`]), as a commune's page lists them.
const LIVE_BY_RANK: [Status; 3] = [Status::Active, Status::Open, Status::Done];

/// Active projects first, then open ideas, then done ones.
fn status_rank(s: Status) -> u8 {
    match s {
        Status::Active => 0,
        Status::Open => 1,
        Status::Done => 2,
        Status::Launched => 3,
        Status::Dropped => 4,
        Status::Archived => 5,
    }
}

/// This activity as news (its order kept), what moderation hid left out;
/// `summaries` names its initiatives (one not there is left out).
async fn news(
    tx: &mut Box<dyn Tx>,
    activity: Vec<Activity>,
    summaries: &HashMap<InitiativeId, PublicSummary>,
) -> Result<Vec<PublicNews>, crate::ports::StoreError> {
    let mut out = Vec::new();
    for a in activity {
        let Some(s) = summaries.get(&a.initiative).filter(|s| !s.hidden) else {
            continue;
        };
        let (text, event) = match (a.kind, a.ref_id) {
            (ActivityKind::Updated, Some(u)) => {
                match tx.update_by_id(UpdateId(u)).await?.filter(|u| !u.hidden) {
                    Some(u) => (Some(u.text), None),
                    None => continue,
                }
            }
            (ActivityKind::Event, Some(e)) => {
                // A cancelled event is no news.
                match tx
                    .event(EventId(e))
                    .await?
                    .filter(|e| !e.hidden && !e.is_cancelled())
                {
                    Some(e) => (Some(e.title.clone()), Some(e)),
                    None => continue,
                }
            }
            _ => (None, None),
        };
        out.push(PublicNews {
            id: a.id,
            initiative: s.clone(),
            kind: a.kind,
            text,
            event,
            at: a.at,
        });
    }
    Ok(out)
}
