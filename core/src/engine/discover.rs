//! Finding initiatives: nearby, by text, in the news feed; subscriptions.

use std::collections::HashMap;

use super::{Ctx, Fail, Outcome, refuse, render};
use crate::command::{Area, PlaceArg};
use crate::domain::*;
use crate::geo::{DEFAULT_RADIUS_M, GeoPoint};
use crate::reply::{Action, ListItem, Reply};
use crate::text::search_words;

/// Items per page of a list.
pub const PAGE: usize = 5;
/// Feed entries per page.
pub const FEED_PAGE: usize = 10;

/// The point an area is about: given, or the person's last shared location.
fn point_of(ctx: &Ctx<'_>, place: Option<&PlaceArg>) -> Result<Option<GeoPoint>, Fail> {
    match place {
        Some(PlaceArg::Point(p)) => Ok(Some(*p)),
        Some(PlaceArg::Name(n)) => Err(refuse!("place-names-unavailable", "place" => n.clone())),
        None => Ok(ctx.actor.location),
    }
}

/// Live initiatives within `radius_m` of `center`, nearest first.
pub(crate) async fn nearby(
    ctx: &mut Ctx<'_>,
    center: GeoPoint,
    radius_m: u32,
    categories: &[Category],
) -> Result<Vec<(Initiative, f64)>, Fail> {
    let r = f64::from(radius_m);
    let mut found: Vec<(Initiative, f64)> = ctx
        .tx
        .initiatives_in_box(&center.bounding_box(r))
        .await?
        .into_iter()
        .filter(|i| i.status.is_live())
        .filter(|i| categories.is_empty() || categories.contains(&i.category))
        .filter_map(|i| {
            let d = center.distance_m(i.place?);
            (d <= r).then_some((i, d))
        })
        .collect();
    found.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.id.cmp(&b.0.id)));
    Ok(found)
}

fn area_command(
    cmd: &str,
    center: GeoPoint,
    radius_m: u32,
    cats: &[Category],
    page: u32,
) -> String {
    let mut s = format!("{cmd} {} {}m", center.to_uri(), radius_m);
    if !cats.is_empty() {
        let keys: Vec<_> = cats.iter().map(|c| c.key()).collect();
        s.push(' ');
        s.push_str(&keys.join(","));
    }
    s.push_str(&format!(" p{}", page + 1));
    s
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
    let Some(center) = point_of(ctx, area.place.as_ref())? else {
        return Err(refuse!("need-location"));
    };
    let radius = area.radius_m.unwrap_or(DEFAULT_RADIUS_M);
    let found = nearby(ctx, center, radius, &area.categories).await?;
    let dist = render::distance(ctx.lang(), f64::from(radius));
    if found.is_empty() {
        return Ok(vec![
            Reply::text(ctx.t("near-none", &[("radius", dist.into())]))
                .actions(vec![Action::new(ctx.t("action-propose", &[]), "/proposer")]),
        ]);
    }
    let total = found.len();
    let page = area.page as usize;
    let slice: Vec<(Initiative, Option<f64>)> = found
        .into_iter()
        .skip(page * PAGE)
        .take(PAGE)
        .map(|(i, d)| (i, Some(d)))
        .collect();
    if slice.is_empty() {
        return Err(refuse!("page-empty"));
    }
    let items = render::items(ctx, &slice).await?;
    let mut more = Vec::new();
    if (page + 1) * PAGE < total {
        more.push(Action::new(
            ctx.t("action-next-page", &[]),
            area_command("/pres", center, radius, &area.categories, area.page + 1),
        ));
    }
    Ok(vec![
        Reply::text(ctx.t(
            "near-found",
            &[("n", total.into()), ("radius", dist.into())],
        ))
        .list(items)
        .actions(more),
    ])
}

pub async fn search(ctx: &mut Ctx<'_>, text: &str, page: u32) -> Outcome {
    let words = search_words(text);
    if words.is_empty() {
        return Err(refuse!("usage-search"));
    }
    let found = ctx.tx.search_initiatives(&words, 500).await?;
    let mut ranked: Vec<(usize, Initiative)> = found
        .into_iter()
        .filter(|i| i.status.is_live())
        .map(|i| {
            let title = search_words(&i.title);
            let score = words
                .iter()
                .map(|w| {
                    if title.iter().any(|t| t.starts_with(w.as_str())) {
                        2
                    } else {
                        1
                    }
                })
                .sum();
            (score, i)
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
            ctx.t("search-none", &[("text", text.into())]),
        )]);
    }
    let page_us = page as usize;
    let slice: Vec<(Initiative, Option<f64>)> = ranked
        .into_iter()
        .skip(page_us * PAGE)
        .take(PAGE)
        .map(|(_, i)| (i, None))
        .collect();
    if slice.is_empty() {
        return Err(refuse!("page-empty"));
    }
    let items = render::items(ctx, &slice).await?;
    let mut more = Vec::new();
    if (page_us + 1) * PAGE < total {
        more.push(Action::new(
            ctx.t("action-next-page", &[]),
            format!("/chercher {} p{}", words.join(" "), page + 2),
        ));
    }
    Ok(vec![
        Reply::text(ctx.t(
            "search-found",
            &[("n", total.into()), ("text", text.into())],
        ))
        .list(items)
        .actions(more),
    ])
}

pub async fn feed(ctx: &mut Ctx<'_>, area: Area) -> Outcome {
    let me = ctx.actor.id;
    let (ids, around) = match area.place {
        Some(_) => {
            let center =
                point_of(ctx, area.place.as_ref())?.ok_or_else(|| refuse!("need-location"))?;
            let radius = area.radius_m.unwrap_or(DEFAULT_RADIUS_M);
            let near = nearby(ctx, center, radius, &area.categories).await?;
            (
                near.into_iter().map(|(i, _)| i.id).collect::<Vec<_>>(),
                Some((center, radius)),
            )
        }
        None => {
            let followed: Vec<InitiativeId> = ctx
                .tx
                .memberships_of(me)
                .await?
                .into_iter()
                .map(|m| m.initiative)
                .collect();
            if followed.is_empty() {
                match ctx.actor.location {
                    Some(center) => {
                        let near = nearby(ctx, center, DEFAULT_RADIUS_M, &area.categories).await?;
                        (
                            near.into_iter().map(|(i, _)| i.id).collect(),
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
        let Some(i) = titles.get(&a.initiative) else {
            continue;
        };
        items.push(feed_item(ctx, &a, i).await?);
    }
    let mut more = Vec::new();
    if has_more {
        let next = match around {
            Some((c, r)) => area_command("/fil", c, r, &area.categories, area.page + 1),
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

async fn feed_item(ctx: &mut Ctx<'_>, a: &Activity, i: &Initiative) -> Result<ListItem, Fail> {
    let when = render::datetime(ctx.lang(), a.at, &ctx.actor.tz);
    let what = match a.kind {
        ActivityKind::Created => ctx.t("feed-created", &[]),
        ActivityKind::Launched => ctx.t("feed-launched", &[]),
        ActivityKind::Done => ctx.t("feed-done", &[]),
        ActivityKind::Updated => {
            let text = match a.ref_id {
                Some(u) => ctx.tx.update_by_id(UpdateId(u)).await?.map(|u| u.text),
                None => None,
            };
            ctx.t("feed-updated", &[("text", text.unwrap_or_default().into())])
        }
        ActivityKind::Event => {
            let e = match a.ref_id {
                Some(e) => ctx.tx.event(EventId(e)).await?,
                None => None,
            };
            match e {
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
    Ok(ListItem {
        title: format!("{when} · {}", render::label(i)),
        details: vec![what],
        actions: vec![Action::new(
            ctx.t("action-show", &[]),
            format!("/voir {}", i.id),
        )],
    })
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
    let place = match (&s.center, &s.commune) {
        (Some(p), _) => p.to_uri(),
        (None, Some(c)) => c.to_string(),
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
    let Some(center) = point_of(ctx, area.place.as_ref())? else {
        let subs = ctx.tx.subscriptions_of(me).await?;
        let mut reply = Reply::text(ctx.t("usage-subscribe", &[]));
        if !subs.is_empty() {
            reply = reply.para(ctx.t("subscriptions-current", &[])).list(
                subs.iter()
                    .map(|s| ListItem {
                        title: describe_subscription(ctx, s),
                        details: vec![],
                        actions: vec![],
                    })
                    .collect(),
            );
        }
        return Ok(vec![reply]);
    };
    let s = ctx
        .tx
        .insert_subscription(&NewSubscription {
            actor: me,
            center: Some(center),
            radius_m: area.radius_m.unwrap_or(DEFAULT_RADIUS_M),
            commune: None,
            categories: area.categories,
            created_at: ctx.now,
        })
        .await?;
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
    let n = ctx.tx.delete_subscriptions_of(me).await?;
    if n == 0 {
        return Err(refuse!("unsubscribe-none"));
    }
    Ok(vec![Reply::text(ctx.t("unsubscribed", &[("n", n.into())]))])
}
