//! Finding initiatives: nearby, by text, in the news feed; subscriptions.

use std::collections::HashMap;

use super::places::{self, Place};
use super::{Ctx, Fail, Outcome, refuse, render};
use crate::command::{Area, PlaceArg};
use crate::domain::*;
use crate::geo::{DEFAULT_RADIUS_M, GeoPoint, MAX_RADIUS_M, parse_radius};
use crate::reply::{Action, ListItem, Reply};
use crate::text::search_words;

/// Items per page of a list.
pub const PAGE: usize = 5;
/// Feed entries per page.
pub const FEED_PAGE: usize = 10;

/// The place an area is about: given (a point or a commune), or the person's last
/// shared location. `cmd` rebuilds the command for a choice between homonyms.
pub(crate) fn place_of(ctx: &Ctx<'_>, area: &Area, cmd: &str) -> Result<Option<Place>, Fail> {
    let suffix = area_suffix(area.radius_m, area);
    match &area.place {
        Some(p) => places::resolve(ctx, p, &|choice| format!("{cmd} {choice}{suffix}")).map(Some),
        None => Ok(ctx.actor.location.map(|point| Place {
            point,
            commune: None,
        })),
    }
}

/// The filters of an area as command words: ` 3000m compost,food projects`.
fn area_suffix(radius_m: Option<u32>, area: &Area) -> String {
    let mut s = String::new();
    if let Some(r) = radius_m {
        s.push_str(&format!(" {r}m"));
    }
    if !area.categories.is_empty() {
        let keys: Vec<_> = area.categories.iter().map(|c| c.key()).collect();
        s.push(' ');
        s.push_str(&keys.join(","));
    }
    match area.kind {
        Some(InitiativeKind::Idea) => s.push_str(" ideas"),
        Some(InitiativeKind::Project) => s.push_str(" projects"),
        None => {}
    }
    s
}

/// The command for the next page of an area around a point.
fn area_command(cmd: &str, center: GeoPoint, radius_m: u32, area: &Area) -> String {
    format!(
        "{cmd} {}{} p{}",
        center.to_uri(),
        area_suffix(Some(radius_m), area),
        area.page + 2
    )
}

/// « Page suivante » for an area around a point, when more results follow.
pub(crate) fn next_page(
    ctx: &Ctx<'_>,
    has_more: bool,
    cmd: &str,
    center: GeoPoint,
    radius_m: u32,
    area: &Area,
) -> Vec<Action> {
    if !has_more {
        return Vec::new();
    }
    vec![Action::new(
        ctx.t("action-next-page", &[]),
        area_command(cmd, center, radius_m, area),
    )]
}

/// Page `page` (from 0) of a list, and whether more follow; a page past the end
/// is refused.
pub(crate) fn page_of<T>(all: Vec<T>, page: u32) -> Result<(Vec<T>, bool), Fail> {
    let start = (page as usize).saturating_mul(PAGE);
    let has_more = all.len() > start.saturating_add(PAGE);
    let items: Vec<T> = all.into_iter().skip(start).take(PAGE).collect();
    if items.is_empty() {
        return Err(refuse!("page-empty"));
    }
    Ok((items, has_more))
}

/// Loads the initiatives of a page of index results, with their distances; an
/// entry the store no longer agrees with (changed by another process) is skipped.
async fn load(
    ctx: &mut Ctx<'_>,
    found: &[(InitiativeId, f64)],
) -> Result<Vec<(Initiative, Option<f64>)>, Fail> {
    let ids: Vec<InitiativeId> = found.iter().map(|(id, _)| *id).collect();
    let mut read: HashMap<InitiativeId, Initiative> = ctx
        .tx
        .initiatives_by_ids(&ids)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    Ok(found
        .iter()
        .filter_map(|(id, d)| Some((read.remove(id)?, Some(*d))))
        .filter(|(i, _)| i.is_shown() && i.place.is_some())
        .collect())
}

pub async fn shared_location(ctx: &mut Ctx<'_>, p: GeoPoint) -> Outcome {
    ctx.actor.location = Some(p.rounded());
    let actor = ctx.actor.clone();
    ctx.tx.update_actor(&actor).await?;
    near(
        ctx,
        Area {
            place: Some(PlaceArg::Point(p)),
            ..Area::default()
        },
    )
    .await
}

pub async fn near(ctx: &mut Ctx<'_>, area: Area) -> Outcome {
    let Some(place) = place_of(ctx, &area, "/pres")? else {
        return Err(refuse!("need-location"));
    };
    let center = place.point;
    let radius = area.radius_m.unwrap_or(DEFAULT_RADIUS_M);
    let found = ctx.nearby(center, radius, &area.categories, area.kind);
    let dist = render::distance(ctx.lang(), f64::from(radius));
    let commune = places::commune_name(ctx, place.commune.as_ref())
        .filter(|_| matches!(area.place, Some(PlaceArg::Name(_))));
    if found.is_empty() {
        let text = match &commune {
            Some(c) => ctx.t(
                "near-none-commune",
                &[("radius", dist.into()), ("commune", c.into())],
            ),
            None => ctx.t("near-none", &[("radius", dist.into())]),
        };
        return Ok(vec![Reply::text(text).actions(vec![Action::new(
            ctx.t("action-propose", &[]),
            "/proposer",
        )])]);
    }
    let total = found.len();
    let (page_ids, has_more) = page_of(found, area.page)?;
    let slice = load(ctx, &page_ids).await?;
    let items = render::items(ctx, &slice).await?;
    let more = next_page(ctx, has_more, "/pres", center, radius, &area);
    let heading = match commune {
        Some(c) => ctx.t(
            "near-found-commune",
            &[
                ("n", total.into()),
                ("radius", dist.into()),
                ("commune", c.into()),
            ],
        ),
        _ => ctx.t(
            "near-found",
            &[("n", total.into()), ("radius", dist.into())],
        ),
    };
    Ok(vec![Reply::text(heading).list(items).actions(more)])
}

/// `/chercher TEXT [geo:LAT,LON] [RADIUS]`: ranked full-text search, optionally near a point.
pub async fn search(ctx: &mut Ctx<'_>, text: &str, page: u32) -> Outcome {
    let mut near: Option<GeoPoint> = None;
    let mut radius: Option<u32> = None;
    let mut kept = Vec::new();
    for token in text.split_whitespace() {
        if token
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("geo:"))
        {
            near = Some(GeoPoint::parse_uri(token).map_err(super::geo_refusal)?);
        } else if let Some(r) = parse_radius(token) {
            if r > f64::from(MAX_RADIUS_M) {
                return Err(refuse!("radius-too-large"));
            }
            radius = Some(r.round() as u32);
        } else {
            kept.push(token);
        }
    }
    let shown = kept.join(" ");
    let words = search_words(&shown);
    if words.is_empty() {
        return Err(refuse!("usage-search"));
    }
    let found = ctx.tx.search_initiatives(&words, 500).await?;
    let within = near.map(|c| (c, f64::from(radius.unwrap_or(DEFAULT_RADIUS_M))));
    let mut ranked: Vec<(usize, Initiative, Option<f64>)> = found
        .into_iter()
        .filter(Initiative::is_shown)
        .filter_map(|i| {
            let distance = match within {
                Some((c, r)) => Some(i.place.map(|p| c.distance_m(p)).filter(|d| *d <= r)?),
                None => None,
            };
            let title = search_words(&i.title);
            let score = words
                .iter()
                .map(|w| usize::from(title.iter().any(|t| t.starts_with(w.as_str()))) + 1)
                .sum();
            Some((score, i, distance))
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(b.1.updated_at.cmp(&a.1.updated_at))
            .then(a.1.id.cmp(&b.1.id))
    });
    let total = ranked.len();
    if total == 0 {
        return Ok(vec![Reply::text(
            ctx.t("search-none", &[("text", shown.into())]),
        )]);
    }
    let ranked: Vec<(Initiative, Option<f64>)> =
        ranked.into_iter().map(|(_, i, d)| (i, d)).collect();
    let (slice, has_more) = page_of(ranked, page)?;
    let items = render::items(ctx, &slice).await?;
    let mut more = Vec::new();
    if has_more {
        let mut next = format!("/chercher {}", words.join(" "));
        if let Some((c, r)) = within {
            next.push_str(&format!(" {} {}m", c.to_uri(), r));
        }
        next.push_str(&format!(" p{}", page + 2));
        more.push(Action::new(ctx.t("action-next-page", &[]), next));
    }
    Ok(vec![
        Reply::text(ctx.t(
            "search-found",
            &[("n", total.into()), ("text", shown.into())],
        ))
        .list(items)
        .actions(more),
    ])
}

pub async fn feed(ctx: &mut Ctx<'_>, area: Area) -> Outcome {
    let me = ctx.actor.id;
    let (ids, around) = match area.place {
        Some(_) => {
            let center = place_of(ctx, &area, "/fil")?
                .ok_or_else(|| refuse!("need-location"))?
                .point;
            let radius = area.radius_m.unwrap_or(DEFAULT_RADIUS_M);
            let near = ctx.nearby(center, radius, &area.categories, area.kind);
            (
                near.into_iter().map(|(i, _)| i).collect::<Vec<_>>(),
                Some((center, radius)),
            )
        }
        None => {
            let mut followed: Vec<InitiativeId> = ctx
                .tx
                .memberships_of(me)
                .await?
                .into_iter()
                .map(|m| m.initiative)
                .collect();
            // And what the actors they follow carry.
            for a in ctx.tx.actors_followed_by(me).await? {
                followed.extend(
                    ctx.tx
                        .initiatives_carried_by(a, 50)
                        .await?
                        .into_iter()
                        .map(|i| i.id),
                );
            }
            followed.sort_unstable();
            followed.dedup();
            if followed.is_empty() {
                match ctx.actor.location {
                    Some(center) => {
                        let near =
                            ctx.nearby(center, DEFAULT_RADIUS_M, &area.categories, area.kind);
                        (
                            near.into_iter().map(|(i, _)| i).collect(),
                            Some((center, DEFAULT_RADIUS_M)),
                        )
                    }
                    None => return Err(refuse!("feed-nothing-followed")),
                }
            } else {
                (followed, None)
            }
        }
    };
    let page = area.page as usize;
    let entries = ctx
        .tx
        .activity_of(&ids, page * FEED_PAGE, FEED_PAGE + 1)
        .await?;
    if entries.is_empty() {
        return if page == 0 {
            Ok(vec![Reply::text(ctx.t("feed-empty", &[]))])
        } else {
            Err(refuse!("page-empty"))
        };
    }
    let has_more = entries.len() > FEED_PAGE;
    let mut titles: HashMap<InitiativeId, Initiative> = HashMap::new();
    let mut items = Vec::new();
    for a in entries.into_iter().take(FEED_PAGE) {
        if !titles.contains_key(&a.initiative)
            && let Some(i) = ctx.tx.initiative(a.initiative).await?
        {
            titles.insert(i.id, i);
        }
        let Some(i) = titles.get(&a.initiative).filter(|i| !i.hidden) else {
            continue;
        };
        if let Some(item) = feed_item(ctx, &a, i).await? {
            items.push(item);
        }
    }
    let mut more = Vec::new();
    if has_more {
        let next = match around {
            Some((c, r)) => area_command("/fil", c, r, &area),
            None => format!("/fil p{}", page + 2),
        };
        more.push(Action::new(ctx.t("action-next-page", &[]), next));
    }
    let heading = match around {
        Some((_, r)) => ctx.t(
            "feed-around",
            &[("radius", render::distance(ctx.lang(), f64::from(r)).into())],
        ),
        None => ctx.t("feed-followed", &[]),
    };
    Ok(vec![
        Reply::default().heading(heading).list(items).actions(more),
    ])
}

/// One line of the feed; `None` for an update or event hidden by moderation.
async fn feed_item(
    ctx: &mut Ctx<'_>,
    a: &Activity,
    i: &Initiative,
) -> Result<Option<ListItem>, Fail> {
    let when = render::datetime(ctx.lang(), a.at, &ctx.actor.tz);
    let what = match a.kind {
        ActivityKind::Created => ctx.t("feed-created", &[]),
        ActivityKind::Launched => ctx.t("feed-launched", &[]),
        ActivityKind::Done => ctx.t("feed-done", &[]),
        ActivityKind::Updated => {
            let update = match a.ref_id {
                Some(u) => ctx.tx.update_by_id(UpdateId(u)).await?,
                None => None,
            };
            if update.as_ref().is_some_and(|u| u.hidden) {
                return Ok(None);
            }
            let text = update.map(|u| crate::text::excerpt(&u.text, crate::text::EXCERPT_MAX));
            ctx.t("feed-updated", &[("text", text.unwrap_or_default().into())])
        }
        ActivityKind::Event => {
            let e = match a.ref_id {
                Some(e) => ctx.tx.event(EventId(e)).await?,
                None => None,
            };
            match e {
                Some(e) if e.hidden => return Ok(None),
                Some(e) => ctx.t(
                    "feed-event",
                    &[
                        ("event", e.id.0.into()),
                        ("title", e.title.clone().into()),
                        (
                            "when",
                            render::datetime(ctx.lang(), e.starts_at, &e.tz).into(),
                        ),
                    ],
                ),
                None => ctx.t("feed-event-gone", &[]),
            }
        }
    };
    Ok(Some(ListItem {
        tag: None,
        title: format!("{when} · {}", render::label(i)),
        details: vec![what],
        actions: vec![Action::new(
            ctx.t("action-show", &[]),
            format!("/voir {}", i.id),
        )],
    }))
}

fn describe_subscription(ctx: &Ctx<'_>, s: &Subscription) -> String {
    let cats = if s.categories.is_empty() {
        ctx.t("all-categories", &[])
    } else {
        s.categories
            .iter()
            .map(|c| render::category(ctx, *c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let place = match (places::commune_name(ctx, s.commune.as_ref()), &s.center) {
        (Some(c), _) => c,
        (None, Some(p)) => p.to_uri(),
        (None, None) => "?".to_owned(),
    };
    ctx.t(
        "subscription-line",
        &[
            (
                "radius",
                render::distance(ctx.lang(), f64::from(s.radius_m)).into(),
            ),
            ("place", place.into()),
            ("categories", cats.into()),
        ],
    )
}

pub async fn subscribe(ctx: &mut Ctx<'_>, area: Area) -> Outcome {
    let me = ctx.actor.id;
    let Some(place) = place_of(ctx, &area, "/abonner")? else {
        let subs = ctx.tx.subscriptions_of(me).await?;
        let mut reply = Reply::text(ctx.t("usage-subscribe", &[]));
        if !subs.is_empty() {
            reply = reply.para(ctx.t("subscriptions-current", &[])).list(
                subs.iter()
                    .map(|s| ListItem {
                        tag: None,
                        title: describe_subscription(ctx, s),
                        details: vec![],
                        actions: vec![],
                    })
                    .collect(),
            );
        }
        return Ok(vec![reply]);
    };
    let new = NewSubscription {
        actor: me,
        // Where someone wants news from says where they live: kept rounded
        // to about 100 m, like a shared location.
        center: Some(place.point.rounded()),
        radius_m: area.radius_m.unwrap_or(DEFAULT_RADIUS_M),
        // A commune named is a subscription to that commune; a point is an area.
        commune: place
            .commune
            .filter(|_| matches!(area.place, Some(PlaceArg::Name(_)))),
        categories: area.categories,
        created_at: ctx.now,
    };
    // Fair use: the same subscription once, and so many at most.
    let held = ctx.tx.subscriptions_of(me).await?;
    if let Some(same) = held.iter().find(|s| {
        s.center == new.center
            && s.radius_m == new.radius_m
            && s.commune == new.commune
            && s.categories == new.categories
    }) {
        let what = describe_subscription(ctx, same);
        return Err(refuse!("already-subscribed", "what" => what));
    }
    if held.len() >= ctx.fair_use.subscriptions {
        return Err(refuse!("too-many-subscriptions", "n" => held.len()));
    }
    let s = ctx.tx.insert_subscription(&new).await?;
    if let Some(c) = super::digest::subscription_commune(ctx, &s) {
        super::digest::announcement_membership(ctx, &[c], true).await?;
    }
    Ok(vec![
        Reply::text(ctx.t(
            "subscribed",
            &[("what", describe_subscription(ctx, &s).into())],
        ))
        .actions(vec![Action::new(
            ctx.t("action-unsubscribe", &[]),
            "/desabonner",
        )]),
    ])
}

pub async fn unsubscribe(ctx: &mut Ctx<'_>) -> Outcome {
    let me = ctx.actor.id;
    let mut communes: Vec<InseeCode> = ctx
        .tx
        .subscriptions_of(me)
        .await?
        .iter()
        .filter_map(|s| super::digest::subscription_commune(ctx, s))
        .collect();
    communes.sort();
    communes.dedup();
    let n = ctx.tx.delete_subscriptions_of(me).await?;
    super::digest::announcement_membership(ctx, &communes, false).await?;
    if n == 0 {
        return Err(refuse!("unsubscribe-none"));
    }
    Ok(vec![Reply::text(ctx.t("unsubscribed", &[("n", n.into())]))])
}
