//! Verified actors: their public profiles (`/voir A12`, `/profil description…`),
//! who acts for them (`/equipe`), the actors nearby (`/acteurs`); and the
//! skills a person offers (`/profil competences`).

use super::discover::{next_page, page_of, place_of};
use super::places;
use super::{Ctx, Fail, Outcome, refuse, render, text_refusal};
use crate::command::{Area, PlaceArg, ProfileField, TeamArg};
use crate::domain::*;
use crate::geo::{DEFAULT_RADIUS_M, GeoPoint, MAX_RADIUS_M, parse_radius};
use crate::i18n::Arg;
use crate::places::{Gazetteer, Mask, Row, actor_kind_code, category_bits};
use crate::reply::{Action, ListItem, Reply};
use crate::text;

/// The initiatives an actor's card shows.
const CARRIED_SHOWN: usize = 5;
/// Most actors `/acteurs` counts.
const ACTORS_MAX: usize = 500;

/// An actor's row in the actors' index: where its profile puts it, else at
/// its first commune's centre; none without either.
pub fn index_row(places: &Gazetteer, a: &LocatedActor) -> Option<Row<ActorId>> {
    let place = a.place.or_else(|| {
        a.commune
            .as_ref()
            .and_then(|c| places.by_code(c))
            .and_then(|c| c.centre)
    })?;
    Some(Row {
        id: a.id,
        place,
        categories: category_bits(&a.categories),
        kind: actor_kind_code(a.kind),
        needs: 0,
    })
}

fn profile_refusal(field: &'static str, e: ProfileError) -> Fail {
    match e {
        ProfileError::Text(e) => text_refusal(field, e),
        ProfileError::BadSite => refuse!("profile-bad-site"),
        ProfileError::BadCategory(word) => refuse!("profile-bad-category", "word" => word),
        ProfileError::TooMany { max } => refuse!("profile-too-many", "max" => max),
    }
}

/// `/profil FIELD VALUE`: skills are the person's; the other fields are the
/// verified actor's they act for. `-` clears a field.
pub async fn set(ctx: &mut Ctx<'_>, field: ProfileField, value: &str) -> Outcome {
    let clear = text::is_skip(value);
    if field == ProfileField::Skills {
        return set_skills(ctx, value, clear).await;
    }
    let Some(org) = ctx.organisation().await? else {
        return Err(refuse!("profile-not-actor"));
    };
    let mut p = ctx
        .tx
        .actor_profile(org.id)
        .await?
        .unwrap_or_else(|| ActorProfile::empty(org.id, ctx.now));
    match field {
        ProfileField::Description if clear => p.description = None,
        ProfileField::Description => {
            p.description =
                Some(text::description(value).map_err(|e| text_refusal("description", e))?);
        }
        ProfileField::Place if clear => {
            p.place = None;
            p.commune = None;
        }
        ProfileField::Place => {
            let v = value.trim();
            let arg = if v.get(..4).is_some_and(|s| s.eq_ignore_ascii_case("geo:")) {
                PlaceArg::Point(GeoPoint::parse_uri(v).map_err(super::geo_refusal)?)
            } else {
                PlaceArg::Name(v.to_owned())
            };
            let place = places::resolve(ctx, &arg, &|choice| format!("/profil lieu {choice}"))?;
            // Rounded like a shared location: an address is not asked for.
            p.place = Some(place.point.rounded());
            p.commune = place.commune;
        }
        ProfileField::Site if clear => p.site = None,
        ProfileField::Site => {
            p.site = Some(parse_site(value).map_err(|e| profile_refusal("site", e))?);
        }
        ProfileField::Contact if clear => p.contact = None,
        ProfileField::Contact => {
            p.contact = Some(parse_contact(value).map_err(|e| profile_refusal("contact", e))?);
        }
        ProfileField::Categories if clear => p.categories.clear(),
        ProfileField::Categories => {
            p.categories = parse_categories(value).map_err(|e| profile_refusal("categories", e))?;
        }
        // Handled above.
        ProfileField::Skills => {}
    }
    p.updated_at = ctx.now;
    ctx.tx.save_actor_profile(&p).await?;
    ctx.indexes_changed();
    let mut replies = vec![Reply::text(ctx.t(
        "profile-actor-saved",
        &[("name", org.display_name.clone().into())],
    ))];
    replies.push(card(ctx, &org, Some(p)).await?);
    Ok(replies)
}

/// `/profil competences jardinage, bricolage [5km]`.
async fn set_skills(ctx: &mut Ctx<'_>, value: &str, clear: bool) -> Outcome {
    let me = ctx.actor.id;
    let mut p = ctx
        .tx
        .actor_profile(me)
        .await?
        .unwrap_or_else(|| ActorProfile::empty(me, ctx.now));
    if clear {
        p.skills.clear();
        p.skills_radius_m = None;
    } else {
        // A radius at the end: how far they would go (alone, it changes
        // only the radius).
        let value = value.trim_end();
        let last = value.split_whitespace().last().unwrap_or_default();
        let (list, radius) = match parse_radius(last) {
            Some(r) if r > f64::from(MAX_RADIUS_M) => return Err(refuse!("radius-too-large")),
            Some(r) if r < 1.0 => return Err(refuse!("usage-profile")),
            Some(r) => (&value[..value.len() - last.len()], Some(r.round() as u32)),
            None => (value, None),
        };
        if !(list.trim().is_empty() && radius.is_some() && !p.skills.is_empty()) {
            p.skills = parse_skills(list).map_err(|e| profile_refusal("skills", e))?;
        }
        if radius.is_some() {
            p.skills_radius_m = radius;
        }
    }
    p.updated_at = ctx.now;
    ctx.tx.save_actor_profile(&p).await?;
    if p.skills.is_empty() {
        return Ok(vec![Reply::text(ctx.t("skills-cleared", &[]))]);
    }
    let radius = render::distance(
        ctx.lang(),
        f64::from(p.skills_radius_m.unwrap_or(DEFAULT_RADIUS_M)),
    );
    Ok(vec![Reply::text(ctx.t(
        "skills-saved",
        &[
            ("skills", p.skills.join(", ").into()),
            ("radius", radius.into()),
        ],
    ))])
}

/// A verified actor by id, or the refusal every other id gets (a citizen's
/// id included: citizens have no public profile).
async fn verified(ctx: &mut Ctx<'_>, id: ActorId) -> Result<Actor, Fail> {
    ctx.tx
        .actor(id)
        .await?
        .filter(|a| a.verified && a.kind != ActorKind::Citizen)
        .ok_or_else(|| refuse!("unknown-actor", "id" => id.0))
}

/// Actors one person may follow.
pub const FOLLOWS_MAX: usize = 100;

/// `/suivre A12` or `/quitter A12`: the initiatives it carries come in the
/// person's feed and alerts.
pub async fn follow(ctx: &mut Ctx<'_>, id: ActorId, on: bool) -> Outcome {
    let me = ctx.actor.id;
    if !on {
        let name = ctx
            .tx
            .actor(id)
            .await?
            .map_or_else(|| format!("A{id}"), |a| a.display_name);
        if !ctx.tx.unfollow_actor(me, id).await? {
            return Err(refuse!("actor-not-followed", "name" => name));
        }
        return Ok(vec![Reply::text(
            ctx.t("actor-unfollowed", &[("name", name.into())]),
        )]);
    }
    let a = verified(ctx, id).await?;
    if ctx.tx.actors_followed_by(me).await?.len() >= FOLLOWS_MAX {
        return Err(refuse!("actor-follows-too-many", "max" => FOLLOWS_MAX));
    }
    let key = if ctx.tx.follow_actor(me, id, ctx.now).await? {
        "actor-followed"
    } else {
        "actor-already-followed"
    };
    Ok(vec![Reply::text(
        ctx.t(key, &[("name", render::name(&a).into())]),
    )])
}

/// `/voir A12`.
pub async fn show(ctx: &mut Ctx<'_>, id: ActorId) -> Outcome {
    let a = verified(ctx, id).await?;
    let p = ctx.tx.actor_profile(id).await?;
    Ok(vec![card(ctx, &a, p).await?])
}

fn kind_label(ctx: &Ctx<'_>, k: ActorKind) -> String {
    ctx.t(&format!("kind-{}", k.key()), &[])
}

/// An actor's public card: who, where, what, how to reach them, and the
/// initiatives they carry.
async fn card(ctx: &mut Ctx<'_>, a: &Actor, p: Option<ActorProfile>) -> Result<Reply, Fail> {
    let p = p.unwrap_or_else(|| ActorProfile::empty(a.id, ctx.now));
    let mut first = vec![format!("A{}", a.id), kind_label(ctx, a.kind)];
    let communes: Vec<String> = a
        .communes
        .iter()
        .map(|c| places::commune_name(ctx, Some(c)).unwrap_or_else(|| c.to_string()))
        .collect();
    if !communes.is_empty() {
        first.push(communes.join(", "));
    }
    let mut reply = Reply::default()
        .heading(render::name(a))
        .para(first.join(" · "));
    if let Some(d) = &p.description {
        reply = reply.para(d.clone());
    }
    if !p.categories.is_empty() {
        let cats: Vec<String> = p
            .categories
            .iter()
            .map(|c| render::category(ctx, *c))
            .collect();
        reply = reply.para(ctx.t("actor-categories", &[("list", cats.join(", ").into())]));
    }
    if let Some(c) = places::commune_name(ctx, p.commune.as_ref()) {
        reply = reply.para(ctx.t("actor-place", &[("commune", c.into())]));
    }
    if let Some(site) = &p.site {
        reply = reply.para(ctx.t("actor-site", &[("site", site.clone().into())]));
    }
    if let Some(contact) = &p.contact {
        reply = reply.para(ctx.t("actor-contact", &[("contact", contact.clone().into())]));
    }
    let carried: Vec<(Initiative, Option<f64>)> = ctx
        .tx
        .initiatives_carried_by(a.id, CARRIED_SHOWN * 4)
        .await?
        .into_iter()
        .filter(Initiative::is_shown)
        .take(CARRIED_SHOWN)
        .map(|i| (i, None))
        .collect();
    if carried.is_empty() {
        reply = reply.para(ctx.t("actor-no-initiatives", &[]));
    } else {
        let items = render::items(ctx, &carried).await?;
        reply = reply.para(ctx.t("actor-initiatives", &[])).list(items);
        // Its needs: those of the live initiatives it carries.
        let live: Vec<InitiativeId> = carried
            .iter()
            .filter(|(i, _)| matches!(i.status, Status::Open | Status::Active))
            .map(|(i, _)| i.id)
            .collect();
        let mut needs = ctx.tx.needs_of(&live, true).await?;
        let now = ctx.now;
        needs.retain(|n| n.is_current(now));
        if !needs.is_empty() {
            let t = |id: &str, args: &[(&str, Arg)]| ctx.t(id, args);
            let lines: Vec<String> = needs
                .iter()
                .map(|n| format!("#{} · {}", n.initiative, render::need_line(&t, n)))
                .collect();
            reply = reply.para(ctx.t("actor-needs", &[("list", lines.join("\n").into())]));
        }
    }
    let me = ctx.actor.id;
    let following = ctx.tx.actors_followed_by(me).await?.contains(&a.id);
    let follow = if following {
        Action::new(ctx.t("action-unfollow", &[]), format!("/quitter A{}", a.id))
    } else {
        Action::new(ctx.t("action-follow", &[]), format!("/suivre A{}", a.id))
    };
    Ok(reply.actions(vec![
        follow,
        Action::new(ctx.t("action-report", &[]), format!("/signaler A{}", a.id)),
    ]))
}

/// `/acteurs [lieu] [rayon] [type] [catégorie]`: verified actors near a
/// place, nearest first.
pub async fn near(ctx: &mut Ctx<'_>, area: Area, kind: Option<ActorKind>) -> Outcome {
    let cmd = match kind {
        Some(ActorKind::Association) => "/acteurs associations",
        Some(ActorKind::Company) => "/acteurs entreprises",
        Some(ActorKind::Municipality) => "/acteurs mairies",
        _ => "/acteurs",
    };
    let Some(place) = place_of(ctx, &area, cmd)? else {
        return Err(refuse!("need-location"));
    };
    let radius = area.radius_m.unwrap_or(DEFAULT_RADIUS_M);
    let mask = Mask {
        categories: category_bits(&area.categories),
        kind: kind.map(actor_kind_code),
        needs: 0,
    };
    let found = ctx.nearby_actors(place.point, radius, mask, ACTORS_MAX);
    let dist = render::distance(ctx.lang(), f64::from(radius));
    if found.is_empty() {
        return Ok(vec![Reply::text(
            ctx.t("actors-none", &[("radius", dist.into())]),
        )]);
    }
    let total = found.len();
    let (page, has_more) = page_of(found, area.page)?;
    let ids: Vec<ActorId> = page.iter().map(|(id, _)| *id).collect();
    let actors = ctx.tx.actors_by_ids(&ids).await?;
    let profiles = ctx.tx.actor_profiles(&ids).await?;
    let mut items = Vec::with_capacity(page.len());
    for (id, d) in &page {
        // The index may be a moment behind the store: what is no longer a
        // verified actor is left out.
        let Some(a) = actors
            .iter()
            .find(|a| a.id == *id && a.verified && a.kind != ActorKind::Citizen)
        else {
            continue;
        };
        let p = profiles.iter().find(|p| p.actor == *id);
        let carried: Vec<InitiativeId> = ctx
            .tx
            .initiatives_carried_by(*id, 50)
            .await?
            .iter()
            .filter(|i| !i.hidden && matches!(i.status, Status::Open | Status::Active))
            .map(|i| i.id)
            .collect();
        let open = carried.len();
        let now = ctx.now;
        let needs = ctx
            .tx
            .needs_of(&carried, true)
            .await?
            .iter()
            .filter(|n| n.is_current(now))
            .count();
        let mut first = vec![render::distance(ctx.lang(), *d), kind_label(ctx, a.kind)];
        if let Some(p) = p
            && !p.categories.is_empty()
        {
            let cats: Vec<String> = p
                .categories
                .iter()
                .map(|c| render::category(ctx, *c))
                .collect();
            first.push(cats.join(", "));
        }
        first.push(ctx.t("actor-open-initiatives", &[("n", Arg::from(open))]));
        if needs > 0 {
            first.push(ctx.t("actor-open-needs", &[("n", Arg::from(needs))]));
        }
        let mut details = vec![first.join(" · ")];
        if let Some(desc) = p.and_then(|p| p.description.as_deref()) {
            details.push(text::excerpt(desc, 140));
        }
        items.push(ListItem {
            tag: Some(format!("A{id}")),
            title: render::name(a),
            details,
            actions: vec![Action::new(
                ctx.t("action-show", &[]),
                format!("/voir A{id}"),
            )],
        });
    }
    let more = next_page(ctx, has_more, cmd, place.point, radius, &area);
    Ok(vec![
        Reply::text(ctx.t(
            "actors-found",
            &[("n", total.into()), ("radius", dist.into())],
        ))
        .list(items)
        .actions(more),
    ])
}

/// `/equipe [ajouter|retirer IDENTITÉ | accepter|refuser A12]`.
pub async fn team(ctx: &mut Ctx<'_>, arg: TeamArg) -> Outcome {
    match arg {
        TeamArg::Accept(id) => return answer_invitation(ctx, &id, true).await,
        TeamArg::Refuse(id) => return answer_invitation(ctx, &id, false).await,
        _ => {}
    }
    let Some(org) = ctx.organisation().await? else {
        return Err(refuse!("team-not-actor"));
    };
    match arg {
        TeamArg::Add(who) => invite(ctx, &org, &who).await,
        TeamArg::Remove(who) => remove(ctx, &org, &who).await,
        _ => show_team(ctx, &org).await,
    }
}

/// Invites a person to act for the actor: nothing is theirs to do for it
/// until they accept (nobody is put on a team, or has ideas carried in an
/// actor's name, without saying so).
async fn invite(ctx: &mut Ctx<'_>, org: &Actor, who: &str) -> Outcome {
    let person = person_of(ctx, who).await?;
    let team = ctx.tx.team_of(org.id).await?;
    if person.id == org.id || team.iter().any(|m| m.member == person.id) {
        return Err(refuse!("team-already", "who" => who));
    }
    if person.verified && person.kind != ActorKind::Citizen {
        return Err(refuse!("team-verified", "who" => who));
    }
    if team.len() >= TEAM_MAX {
        return Err(refuse!("team-full", "max" => TEAM_MAX));
    }
    let me = ctx.actor.id;
    let added = ctx
        .tx
        .add_team_member(&TeamMember {
            actor: org.id,
            member: person.id,
            added_by: Some(me),
            since: ctx.now,
            confirmed_at: None,
        })
        .await;
    match added {
        Ok(()) => {}
        // On another actor's team, or invited to it.
        Err(crate::ports::StoreError::Duplicate(_)) => {
            return Err(refuse!("team-elsewhere", "who" => who));
        }
        Err(e) => return Err(e.into()),
    }
    let id = format!("A{}", org.id);
    let told = Reply::text(ctx.cat.get(
        person.lang,
        "team-invited-you",
        &[
            ("actor", render::name(org).into()),
            ("by", ctx.actor.display_name.clone().into()),
        ],
    ))
    .actions(vec![
        Action::new(
            ctx.cat.get(person.lang, "action-accept", &[]),
            format!("/equipe accepter {id}"),
        ),
        Action::new(
            ctx.cat.get(person.lang, "action-refuse", &[]),
            format!("/equipe refuser {id}"),
        ),
    ]);
    ctx.notify(person.id, told).await?;
    Ok(vec![Reply::text(ctx.t(
        "team-invited",
        &[
            ("who", person.display_name.clone().into()),
            ("actor", org.display_name.clone().into()),
        ],
    ))])
}

/// `/equipe retirer IDENTITÉ|N`: the actor's account, whoever added the
/// person, or the person themselves.
async fn remove(ctx: &mut Ctx<'_>, org: &Actor, who: &str) -> Outcome {
    let team = ctx.tx.team_of(org.id).await?;
    let member = match who.trim_start_matches('#').parse::<usize>() {
        Ok(n) => team
            .get(n.wrapping_sub(1))
            .cloned()
            .ok_or_else(|| refuse!("team-not-member", "who" => who))?,
        Err(_) => {
            let person = person_of(ctx, who).await?;
            team.iter()
                .find(|m| m.member == person.id)
                .cloned()
                .ok_or_else(|| refuse!("team-not-member", "who" => who))?
        }
    };
    let me = ctx.actor.id;
    if me != org.id && me != member.member && member.added_by != Some(me) {
        return Err(refuse!("team-remove-not-yours"));
    }
    ctx.tx.remove_team_member(org.id, member.member).await?;
    let person = ctx.tx.actor(member.member).await?;
    let name = person
        .as_ref()
        .map(|p| p.display_name.clone())
        .unwrap_or_default();
    if let Some(person) = person
        && person.id != me
    {
        let told = Reply::text(ctx.cat.get(
            person.lang,
            "team-removed-you",
            &[("actor", render::name(org).into())],
        ));
        ctx.notify(person.id, told).await?;
    }
    Ok(vec![Reply::text(ctx.t(
        "team-removed",
        &[
            ("who", name.into()),
            ("actor", org.display_name.clone().into()),
        ],
    ))])
}

/// `/equipe accepter|refuser A12`: the invited person answers.
async fn answer_invitation(ctx: &mut Ctx<'_>, id: &str, yes: bool) -> Outcome {
    let usage = || refuse!("usage-team");
    let org_id = crate::command::parse_actor_id(id).ok_or_else(usage)?;
    let me = ctx.actor.id;
    let invitation = ctx
        .tx
        .team_of(org_id)
        .await?
        .into_iter()
        .find(|m| m.member == me && m.confirmed_at.is_none())
        .ok_or_else(|| refuse!("team-no-invitation", "id" => org_id.0))?;
    let org = verified(ctx, org_id).await?;
    ctx.tx.remove_team_member(org_id, me).await?;
    if !yes {
        return Ok(vec![Reply::text(ctx.t(
            "team-refused",
            &[("actor", org.display_name.clone().into())],
        ))]);
    }
    ctx.tx
        .add_team_member(&TeamMember {
            confirmed_at: Some(ctx.now),
            ..invitation.clone()
        })
        .await?;
    if let Some(by) = invitation.added_by
        && let Some(them) = ctx.tx.actor(by).await?
    {
        let told = Reply::text(ctx.cat.get(
            them.lang,
            "team-accepted",
            &[
                ("who", ctx.actor.display_name.clone().into()),
                ("actor", org.display_name.clone().into()),
            ],
        ));
        ctx.notify(by, told).await?;
    }
    Ok(vec![Reply::text(ctx.t(
        "team-joined",
        &[("actor", render::name(&org).into())],
    ))])
}

/// The person behind an identity typed in `/equipe`: someone who wrote to
/// Kohero at least once (nobody is created from another person's command).
async fn person_of(ctx: &mut Ctx<'_>, who: &str) -> Result<Actor, Fail> {
    let identity =
        Identity::parse(who).ok_or_else(|| refuse!("team-bad-identity", "who" => who))?;
    ctx.tx
        .actor_by_identity(&identity)
        .await?
        .ok_or_else(|| refuse!("team-unknown-identity", "who" => who))
}

/// The team by number, names only (their identities are theirs).
async fn show_team(ctx: &mut Ctx<'_>, org: &Actor) -> Outcome {
    let team = ctx.tx.team_of(org.id).await?;
    let ids: Vec<ActorId> = team.iter().map(|m| m.member).collect();
    let people = ctx.tx.actors_by_ids(&ids).await?;
    let mut lines = vec![ctx.t("team-account", &[("name", render::name(org).into())])];
    for (n, m) in team.iter().enumerate() {
        let name = people
            .iter()
            .find(|p| p.id == m.member)
            .map(|p| p.display_name.clone())
            .unwrap_or_default();
        let state = match m.confirmed_at {
            Some(at) => ctx.t(
                "team-since",
                &[(
                    "date",
                    render::datetime(ctx.lang(), at, &ctx.actor.tz).into(),
                )],
            ),
            None => ctx.t("team-pending", &[]),
        };
        lines.push(format!("{}. {name} · {state}", n + 1));
    }
    let confirmed = team.iter().filter(|m| m.confirmed_at.is_some()).count();
    Ok(vec![
        Reply::default()
            .heading(ctx.t(
                "team-title",
                &[
                    ("actor", org.display_name.clone().into()),
                    ("n", confirmed.into()),
                ],
            ))
            .para(lines.join("\n"))
            .para(ctx.t("usage-team", &[])),
    ])
}
