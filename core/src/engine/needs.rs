//! What projects need (`/besoin`, `/besoins`) and the help people and actors
//! offer them (`/contribuer`, `/accepter O7`, `/decliner O7`).

use super::discover::{next_page, page_of, place_of};
use super::{Ctx, Fail, Outcome, refuse, render, text_refusal};
use crate::command::{Area, ContributeTo};
use crate::domain::*;
use crate::geo::{DEFAULT_RADIUS_M, MAX_RADIUS_M};
use crate::i18n::Arg;
use crate::places::Mask;
use crate::reply::{Action, ListItem, Reply};
use crate::text;

/// Projects `/besoins` reads needs from, nearest first.
const PROJECTS_READ: usize = 200;
/// People one new need alerts at most, nearest first.
const SKILL_ALERTS_MAX: usize = 500;

fn line(ctx: &Ctx<'_>, n: &Need) -> String {
    render::need_line(&|id, args| ctx.t(id, args), n)
}

/// A project the person may state needs of, or offer help to: shown and live.
async fn live(ctx: &mut Ctx<'_>, id: InitiativeId) -> Result<Initiative, Fail> {
    let i = ctx.initiative(id).await?;
    if i.hidden {
        return Err(refuse!("initiative-hidden", "id" => id.0));
    }
    if !matches!(i.status, Status::Open | Status::Active) {
        return Err(refuse!("initiative-closed", "id" => id.0));
    }
    Ok(i)
}

/// `/besoin ID TYPE [QUANTITÉ] [| détail]`: organisers only.
pub async fn add(
    ctx: &mut Ctx<'_>,
    id: InitiativeId,
    kind: NeedKind,
    quantity: Option<u32>,
    detail: Option<String>,
    until: Option<chrono::NaiveDate>,
) -> Outcome {
    let i = live(ctx, id).await?;
    ctx.require_organiser(&i).await?;
    let until = match until {
        Some(day) => Some(end_of_day(ctx, day)?),
        None => None,
    };
    let detail = match detail {
        Some(d) => Some(limited_detail(&d)?),
        None => None,
    };
    let open = ctx.tx.needs_of(&[id], true).await?.len();
    if open >= OPEN_NEEDS_MAX {
        return Err(refuse!("need-too-many", "max" => OPEN_NEEDS_MAX));
    }
    let me = ctx.actor.id;
    let need = ctx
        .tx
        .insert_need(&NewNeed {
            initiative: id,
            kind,
            quantity,
            detail,
            created_by: me,
            created_at: ctx.now,
            until,
        })
        .await?;
    ctx.indexes_changed();
    skills_alerts(ctx, &i, &need).await?;
    Ok(vec![
        Reply::text(ctx.t(
            "need-added",
            &[("id", id.0.into()), ("line", line(ctx, &need).into())],
        ))
        .actions(vec![Action::new(
            ctx.t("action-show", &[]),
            format!("/voir {id}"),
        )]),
    ])
}

/// The end of a day in the person's time zone: not past, at most two years
/// ahead.
fn end_of_day(
    ctx: &Ctx<'_>,
    day: chrono::NaiveDate,
) -> Result<chrono::DateTime<chrono::Utc>, Fail> {
    // Its last second.
    let last = render::after_day(day, &ctx.actor.tz).ok_or_else(|| refuse!("need-until-bad"))?
        - chrono::Duration::seconds(1);
    if last <= ctx.now {
        return Err(refuse!("need-until-past"));
    }
    let latest = crate::domain::latest_date(ctx.now);
    if last > latest {
        let max = render::datetime(ctx.lang(), latest, &ctx.actor.tz);
        return Err(refuse!("need-until-far", "max" => max));
    }
    Ok(last)
}

fn limited_detail(d: &str) -> Result<String, Fail> {
    let d = text::note(d).map_err(|e| text_refusal("detail", e))?;
    let len = d.chars().count();
    if len > NEED_DETAIL_MAX {
        return Err(text_refusal(
            "detail",
            text::TextError::TooLong {
                max: NEED_DETAIL_MAX,
                len,
            },
        ));
    }
    Ok(d)
}

/// People nearby whose skills the need names hear of it with their alerts.
async fn skills_alerts(ctx: &mut Ctx<'_>, i: &Initiative, need: &Need) -> Result<(), Fail> {
    let Some(place) = i.place else {
        return Ok(());
    };
    // What the need says of itself (not the project's title: a bike
    // workshop's funding is no call to mechanics).
    let words = text::fold(&format!(
        "{} {}",
        need.detail.as_deref().unwrap_or_default(),
        ctx.t(&format!("need-kind-{}", need.kind.key()), &[])
    ));
    let members = ctx.tx.members(i.id).await?;
    let bbox = place.bounding_box(f64::from(MAX_RADIUS_M));
    let mut matched: Vec<(f64, ActorId)> = Vec::new();
    for (person, at, profile) in ctx.tx.skilled_people_in(&bbox).await? {
        let reach = f64::from(profile.skills_radius_m.unwrap_or(DEFAULT_RADIUS_M));
        let organises = members
            .iter()
            .any(|m| m.actor == person && m.role == Role::Organiser);
        let matches = profile.skills.iter().any(|s| contains_words(&words, s));
        let d = at.distance_m(place);
        if person == ctx.actor.id || organises || !matches || d > reach {
            continue;
        }
        matched.push((d, person));
    }
    // The nearest first, so many at most; one waiting need alert per person
    // and project (a need stated and closed in a loop alerts nobody twice).
    matched.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let waiting = ctx.tx.need_alerts_waiting(i.id).await?;
    for (_, person) in matched
        .into_iter()
        .filter(|(_, p)| !waiting.contains(p))
        .take(SKILL_ALERTS_MAX)
    {
        ctx.tx
            .queue_alert(&NewAlert {
                actor: person,
                initiative: i.id,
                kind: AlertKind::Need,
                ref_id: Some(need.id.0),
                at: ctx.now,
            })
            .await?;
    }
    Ok(())
}

/// Whether `hay` (folded) holds `skill` (folded) as whole words.
fn contains_words(hay: &str, skill: &str) -> bool {
    let words: Vec<&str> = hay
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .collect();
    let wanted: Vec<&str> = skill.split(' ').filter(|w| !w.is_empty()).collect();
    !wanted.is_empty() && words.windows(wanted.len()).any(|w| w == wanted.as_slice())
}

/// A need closed or filled: the offers still waiting for it are declined,
/// and their people told (nobody waits for an answer that cannot come).
async fn decline_waiting(ctx: &mut Ctx<'_>, i: &Initiative, need: NeedId) -> Result<(), Fail> {
    for mut o in ctx.tx.offers_for(i.id).await? {
        if o.need != Some(need) || o.status != OfferStatus::Pending {
            continue;
        }
        o.status = OfferStatus::Declined;
        o.answered_at = Some(ctx.now);
        o.answered_by = Some(ctx.actor.id);
        ctx.tx.update_offer(&o).await?;
        if let Some(p) = o.person
            && let Some(person) = ctx.tx.actor(p).await?
        {
            let told = Reply::text(ctx.cat.get(
                person.lang,
                "offer-need-closed-you",
                &[
                    ("offer", o.id.0.into()),
                    ("need", need.0.into()),
                    ("id", i.id.0.into()),
                    ("title", i.title.clone().into()),
                ],
            ));
            ctx.notify(p, told).await?;
        }
    }
    Ok(())
}

/// `/besoin B5 fermer`: organisers only.
pub async fn close(ctx: &mut Ctx<'_>, id: NeedId) -> Outcome {
    let mut need = need(ctx, id).await?;
    let i = ctx.initiative(need.initiative).await?;
    ctx.require_organiser(&i).await?;
    if need.status != NeedStatus::Open {
        return Err(refuse!("need-not-open", "id" => id.0));
    }
    need.status = NeedStatus::Closed;
    need.closed_at = Some(ctx.now);
    ctx.tx.update_need(&need).await?;
    ctx.indexes_changed();
    decline_waiting(ctx, &i, id).await?;
    Ok(vec![Reply::text(ctx.t(
        "need-closed-done",
        &[("line", line(ctx, &need).into())],
    ))])
}

async fn need(ctx: &mut Ctx<'_>, id: NeedId) -> Result<Need, Fail> {
    ctx.tx
        .need(id)
        .await?
        .ok_or_else(|| refuse!("unknown-need", "id" => id.0))
}

/// `/besoins [lieu] [rayon] [type]`: open needs of live projects nearby,
/// nearest project first.
pub async fn near(ctx: &mut Ctx<'_>, area: Area, kind: Option<NeedKind>) -> Outcome {
    let cmd = match kind {
        Some(k) => format!("/besoins {}", k.key()),
        None => "/besoins".to_owned(),
    };
    let Some(place) = place_of(ctx, &area, &cmd)? else {
        return Err(refuse!("need-location"));
    };
    let radius = area.radius_m.unwrap_or(DEFAULT_RADIUS_M);
    let bits = kind.map_or(0x1f, NeedKind::bit);
    let mask = Mask {
        categories: crate::places::category_bits(&area.categories),
        kind: None,
        needs: bits,
    };
    let found = ctx.nearby_needs(place.point, radius, mask, PROJECTS_READ);
    let ids: Vec<InitiativeId> = found.iter().map(|(id, _)| *id).collect();
    let mut needs = ctx.tx.needs_of(&ids, true).await?;
    let now = ctx.now;
    needs.retain(|n| kind.is_none_or(|k| n.kind == k) && n.is_current(now));
    // Nearest project first, then by need.
    let order = |n: &Need| {
        ids.iter()
            .position(|i| *i == n.initiative)
            .unwrap_or(usize::MAX)
    };
    needs.sort_by_key(|n| (order(n), n.id));
    let dist = render::distance(ctx.lang(), f64::from(radius));
    if needs.is_empty() {
        return Ok(vec![Reply::text(
            ctx.t("needs-none", &[("radius", dist.into())]),
        )]);
    }
    let total = needs.len();
    let (page, has_more) = page_of(needs, area.page)?;
    let mut items = Vec::with_capacity(page.len());
    for n in &page {
        let Some(i) = ctx
            .tx
            .initiative(n.initiative)
            .await?
            .filter(Initiative::is_shown)
        else {
            continue;
        };
        let d = found
            .iter()
            .find(|(id, _)| *id == i.id)
            .map(|(_, d)| render::distance(ctx.lang(), *d))
            .unwrap_or_default();
        items.push(ListItem {
            tag: Some(format!("B{}", n.id)),
            title: line(ctx, n),
            details: vec![format!("{} · {d}", render::label(&i))],
            actions: vec![
                Action::new(
                    ctx.t("action-can-help", &[]),
                    format!("/contribuer B{}", n.id),
                ),
                Action::new(ctx.t("action-show", &[]), format!("/voir {}", i.id)),
            ],
        });
    }
    let more = next_page(ctx, has_more, &cmd, place.point, radius, &area);
    Ok(vec![
        Reply::text(ctx.t(
            "needs-found",
            &[("n", total.into()), ("radius", dist.into())],
        ))
        .list(items)
        .actions(more),
    ])
}

/// `/contribuer B5|ID [message]`: an offer, as the actor the person acts for
/// if any; the organisers are told.
pub async fn contribute(ctx: &mut Ctx<'_>, to: ContributeTo, message: Option<String>) -> Outcome {
    let (id, need) = match to {
        ContributeTo::Need(b) => {
            let n = need(ctx, b).await?;
            if !n.is_current(ctx.now) {
                return Err(refuse!("need-not-open", "id" => b.0));
            }
            (n.initiative, Some(n))
        }
        ContributeTo::Initiative(i) => (i, None),
    };
    let i = live(ctx, id).await?;
    if ctx.my_role(id).await? == Some(Role::Organiser) {
        return Err(refuse!("offer-own-project", "id" => id.0));
    }
    let message = match message {
        Some(m) => Some(text::note(&m).map_err(|e| text_refusal("message", e))?),
        None => None,
    };
    let me = ctx.actor.id;
    let mine = ctx.tx.offers_by(me).await?;
    let need_id = need.as_ref().map(|n| n.id);
    if let Some(o) = mine
        .iter()
        .find(|o| o.status == OfferStatus::Pending && o.initiative == id && o.need == need_id)
    {
        return Err(refuse!("offer-already", "offer" => o.id.0));
    }
    let pending = mine
        .iter()
        .filter(|o| o.status == OfferStatus::Pending)
        .count();
    if pending >= PENDING_OFFERS_MAX {
        return Err(refuse!("offer-too-many", "max" => PENDING_OFFERS_MAX));
    }
    let as_actor = ctx.organisation().await?;
    let offer = ctx
        .tx
        .insert_offer(&NewOffer {
            initiative: id,
            need: need_id,
            person: me,
            as_actor: as_actor.as_ref().map(|a| a.id),
            message: message.clone(),
            created_at: ctx.now,
        })
        .await?;
    // The organisers, each in their language.
    let who = match &as_actor {
        Some(a) if a.id != me => format!("{} ({})", ctx.actor.display_name, render::name(a)),
        Some(a) => render::name(a),
        None => ctx.actor.display_name.clone(),
    };
    for m in ctx.tx.members(id).await? {
        if m.role != Role::Organiser {
            continue;
        }
        let Some(org) = ctx.tx.actor(m.actor).await? else {
            continue;
        };
        let t = |key: &str, args: &[(&str, Arg)]| ctx.cat.get(org.lang, key, args);
        let what = match &need {
            Some(n) => render::need_line(&t, n),
            None => t("offer-general", &[]),
        };
        let mut notice = Reply::text(t(
            "offer-received",
            &[
                ("who", who.clone().into()),
                ("id", id.0.into()),
                ("title", i.title.clone().into()),
                ("what", what.into()),
                ("offer", offer.id.0.into()),
            ],
        ));
        if let Some(msg) = &message {
            notice = notice.para(format!("« {msg} »"));
        }
        let notice = notice.actions(vec![
            Action::new(t("action-accept", &[]), format!("/accepter O{}", offer.id)),
            Action::new(t("action-decline", &[]), format!("/decliner O{}", offer.id)),
        ]);
        ctx.notify(m.actor, notice).await?;
    }
    Ok(vec![Reply::text(ctx.t(
        "offer-sent",
        &[
            ("offer", offer.id.0.into()),
            ("id", id.0.into()),
            ("title", i.title.into()),
        ],
    ))])
}

/// `/accepter O7` or `/decliner O7`: the project's organisers answer once.
/// An accepted person becomes a member, an accepted actor a partner; a need
/// closes when enough offers are accepted.
pub async fn answer(ctx: &mut Ctx<'_>, id: OfferId, accept: bool) -> Outcome {
    let mut offer = ctx
        .tx
        .offer(id)
        .await?
        .ok_or_else(|| refuse!("unknown-offer", "id" => id.0))?;
    let i = ctx.initiative(offer.initiative).await?;
    ctx.require_organiser(&i).await?;
    if offer.status != OfferStatus::Pending {
        return Err(refuse!("offer-answered", "id" => id.0));
    }
    // Nobody lets themselves, or their own actor, in.
    let mine = offer.person == Some(ctx.actor.id)
        || match offer.as_actor {
            Some(a) => ctx.organisation().await?.is_some_and(|o| o.id == a),
            None => false,
        };
    if mine {
        return Err(refuse!("offer-own"));
    }
    if accept {
        live(ctx, i.id).await?;
    }
    let need_now = match offer.need {
        Some(b) => Some(need(ctx, b).await?),
        None => None,
    };
    if accept
        && let Some(n) = &need_now
        && !n.is_current(ctx.now)
    {
        return Err(refuse!("need-not-open", "id" => n.id.0));
    }
    offer.status = if accept {
        OfferStatus::Accepted
    } else {
        OfferStatus::Declined
    };
    offer.answered_at = Some(ctx.now);
    offer.answered_by = Some(ctx.actor.id);
    // The need is written first: organisers answering offers for it at the
    // same time then queue on its row, each after the other, instead of
    // each holding an offer another one's closing must decline (a deadlock
    // the database breaks only after a second).
    let mut filled = None;
    let mut closes = false;
    if accept && let Some(mut n) = need_now {
        n.filled = n.filled.saturating_add(1);
        // Volunteers, material and skills are counted; a place or funding
        // stays open until an organiser closes it (one offer of 5 € is not
        // 500 €).
        if n.kind.counts() && n.filled >= n.wanted() {
            n.status = NeedStatus::Filled;
            n.closed_at = Some(ctx.now);
            ctx.indexes_changed();
            closes = true;
        }
        ctx.tx.update_need(&n).await?;
        filled = Some(n);
    }
    ctx.tx.update_offer(&offer).await?;
    if closes && let Some(n) = &filled {
        decline_waiting(ctx, &i, n.id).await?;
    }
    let person = match offer.person {
        Some(p) => ctx.tx.actor(p).await?,
        None => None,
    };
    if let Some(p) = &person {
        if accept {
            admit_member(ctx, &i, p).await?;
        }
        let t = |key: &str, args: &[(&str, Arg)]| ctx.cat.get(p.lang, key, args);
        let words = Reply::text(t(
            if accept {
                "offer-accepted-you"
            } else {
                "offer-declined-you"
            },
            &[
                ("offer", id.0.into()),
                ("id", i.id.0.into()),
                ("title", i.title.clone().into()),
            ],
        ));
        if accept {
            super::rooms::invite_other(ctx, i.id, p, words).await?;
        } else {
            ctx.notify(p.id, words).await?;
        }
    }
    let mut reply = Reply::text(ctx.t(
        if accept {
            "help-offer-accepted"
        } else {
            "help-offer-declined"
        },
        &[("offer", id.0.into())],
    ));
    if let Some(n) = &filled {
        reply = reply.para(line(ctx, n));
    }
    Ok(vec![reply])
}

/// Someone an organiser let in (an accepted offer): a member of a project,
/// a supporter of an idea, unless they already hold as much.
async fn admit_member(ctx: &mut Ctx<'_>, i: &Initiative, person: &Actor) -> Result<(), Fail> {
    let role = match i.kind {
        InitiativeKind::Project => Role::Member,
        InitiativeKind::Idea => Role::Supporter,
    };
    let now = ctx.tx.membership(i.id, person.id).await?;
    let rank = |r: Role| match r {
        Role::Organiser => 0,
        Role::Member => 1,
        Role::Supporter => 2,
        Role::Follower => 3,
    };
    if now.as_ref().is_some_and(|m| rank(m.role) <= rank(role)) {
        return Ok(());
    }
    ctx.tx
        .set_membership(&Membership {
            initiative: i.id,
            actor: person.id,
            role,
            since: now.map_or(ctx.now, |m| m.since),
        })
        .await?;
    Ok(())
}

/// The open needs and the partners of an initiative, for its card.
pub(crate) async fn on_card(
    ctx: &mut Ctx<'_>,
    i: &Initiative,
    mut reply: Reply,
) -> Result<Reply, Fail> {
    let live = matches!(i.status, Status::Open | Status::Active);
    let mut needs = ctx.tx.needs_of(&[i.id], true).await?;
    let now = ctx.now;
    needs.retain(|n| n.is_current(now));
    if live && !needs.is_empty() {
        let lines: Vec<String> = needs.iter().map(|n| line(ctx, n)).collect();
        reply = reply.para(ctx.t("card-needs", &[("list", lines.join("\n").into())]));
    }
    let partners = ctx.tx.partners_of(i.id).await?;
    if !partners.is_empty() {
        let names: Vec<String> = ctx
            .tx
            .actors_by_ids(&partners)
            .await?
            .iter()
            .filter(|a| a.verified)
            .map(render::name)
            .collect();
        if !names.is_empty() {
            reply = reply.para(ctx.t("card-partners", &[("names", names.join(", ").into())]));
        }
    }
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::contains_words;

    #[test]
    fn skills_match_whole_words() {
        assert!(contains_words(
            "besoin d'un electricien pour la salle",
            "electricien"
        ));
        assert!(contains_words(
            "jardinage partage le samedi",
            "jardinage partage"
        ));
        assert!(!contains_words("electricienne", "electricien"));
        assert!(!contains_words("rien", ""));
    }
}
