//! The life of an initiative: card, edits, support, launch, membership, organisers.

use super::{Ctx, Fail, Outcome, refuse, render, text_refusal};
use crate::command::EditField;
use crate::domain::*;
use crate::i18n::Arg;
use crate::reply::{Action, ListItem, Reply};
use crate::text;

/// Names of the organisers among an initiative's members.
async fn organiser_names(ctx: &mut Ctx<'_>, members: &[Membership]) -> Result<Vec<String>, Fail> {
    let mut names = Vec::new();
    for m in members {
        if m.role == Role::Organiser
            && let Some(a) = ctx.tx.actor(m.actor).await?
        {
            names.push(render::name(&a));
        }
    }
    Ok(names)
}

pub async fn show(ctx: &mut Ctx<'_>, id: InitiativeId) -> Outcome {
    let i = ctx.initiative(id).await?;
    let role = ctx.my_role(id).await?;
    // Hidden by moderation: only its organisers and its moderators still see
    // it, and are told.
    let communes: Vec<InseeCode> = i.commune.clone().into_iter().collect();
    if i.hidden && role != Some(Role::Organiser) && !ctx.moderates(&communes).await? {
        return Err(refuse!("initiative-hidden", "id" => id.0));
    }
    let members = ctx.tx.members(id).await?;
    let n = |r: Role| members.iter().filter(|m| m.role == r).count();
    let organisers = organiser_names(ctx, &members).await?;

    let mut reply = Reply::default().heading(render::label(&i)).para(format!(
        "{} · {}",
        render::kind_status(ctx, &i),
        render::category(ctx, i.category)
    ));
    if i.hidden {
        reply = reply.para(ctx.t("card-hidden", &[]));
    }
    if !i.description.is_empty() {
        reply = reply.para(i.description.clone());
    }
    if let Some(p) = i.place {
        let line = match super::places::commune_name(ctx, i.commune.as_ref()) {
            Some(c) => ctx.t(
                "card-place-commune",
                &[("commune", c.into()), ("place", p.to_uri().into())],
            ),
            None => ctx.t("card-place", &[("place", p.to_uri().into())]),
        };
        reply = reply.para(line);
    }
    let who = if organisers.is_empty() {
        ctx.t("card-no-organiser", &[])
    } else {
        organisers.join(", ")
    };
    reply = reply.para(ctx.t("card-organisers", &[("names", who.into())]));
    if let Some(carrier) = i.carried_by
        && let Some(a) = ctx.tx.actor(carrier).await?
        && a.verified
    {
        reply = reply.para(ctx.t(
            "card-carried-by",
            &[("name", render::name(&a).into()), ("id", carrier.0.into())],
        ));
    }
    reply = super::needs::on_card(ctx, &i, reply).await?;
    reply = super::democracy::on_card(ctx, &i, reply).await?;
    // Its public page, to share where people are not in the chat yet.
    if let Some(url) = ctx.public_url
        && !i.hidden
    {
        reply = reply.para(ctx.t("card-page", &[("url", format!("{url}/i/{id}").into())]));
    }
    reply = reply.para(ctx.t(
        "card-counts",
        &[
            ("supporters", n(Role::Supporter).into()),
            ("members", (n(Role::Member) + n(Role::Organiser)).into()),
            ("followers", n(Role::Follower).into()),
        ],
    ));
    if let Some(r) = role {
        reply = reply.para(ctx.t("card-your-role", &[("role", render::role(ctx, r).into())]));
    }

    let mut updates = ctx.tx.updates_of(id, 3).await?;
    updates.retain(|u| !u.hidden);
    if !updates.is_empty() {
        reply = reply.para(ctx.t("card-updates", &[]));
        let lang = ctx.lang();
        let tz = ctx.actor.tz.clone();
        let me = ctx.actor.id;
        let in_room = ctx.room.is_some();
        let report = ctx.t("action-report", &[]);
        reply = reply.list(
            updates
                .into_iter()
                .map(|u| ListItem {
                    tag: Some(format!("U{}", u.id)),
                    title: format!("U{} · {}", u.id, render::datetime(lang, u.created_at, &tz)),
                    details: vec![u.text],
                    actions: if u.author == Some(me) || in_room {
                        vec![]
                    } else {
                        vec![Action::new(report.clone(), format!("/signaler U{}", u.id))]
                    },
                })
                .collect(),
        );
    }
    let mut events = ctx.tx.events_of(id, ctx.now).await?;
    events.retain(|e| !e.hidden);
    if !events.is_empty() {
        reply = reply.para(ctx.t("card-events", &[]));
        let mut items = Vec::new();
        for e in events.into_iter().take(5) {
            let mut item = super::project::event_item(ctx, &e).await?;
            if ctx.room.is_none() && e.created_by != Some(ctx.actor.id) {
                item.actions.push(Action::new(
                    ctx.t("action-report", &[]),
                    format!("/signaler E{}", e.id),
                ));
            }
            items.push(item);
        }
        reply = reply.list(items);
    }

    let mut actions = render::actions(ctx, &i, role);
    actions.remove(0); // "show" is this very card
    if i.offered_to == Some(ctx.actor.id) {
        reply = reply.para(ctx.t("card-offer", &[("id", id.0.into())]));
        actions.push(Action::new(
            ctx.t("action-accept", &[]),
            format!("/accepter {id}"),
        ));
        actions.push(Action::new(
            ctx.t("action-decline", &[]),
            format!("/decliner {id}"),
        ));
    }
    if role == Some(Role::Organiser) {
        match (i.kind, i.status) {
            (InitiativeKind::Idea, Status::Open) => {
                actions.push(Action::new(
                    ctx.t("action-launch", &[]),
                    format!("/lancer {id}"),
                ));
            }
            (InitiativeKind::Project, Status::Active) => {
                actions.push(Action::new(
                    ctx.t("action-members", &[]),
                    format!("/membres {id}"),
                ));
            }
            _ => {}
        }
    }
    // « Je peux aider »: an offer for the project, in the person's own chat.
    if ctx.room.is_none()
        && role != Some(Role::Organiser)
        && matches!(i.status, Status::Open | Status::Active)
        && !i.hidden
    {
        actions.push(Action::new(
            ctx.t("action-can-help", &[]),
            format!("/contribuer {id}"),
        ));
    }
    if role.is_some() {
        actions.push(Action::new(
            ctx.t("action-leave", &[]),
            format!("/quitter {id}"),
        ));
    }
    if ctx.room.is_none() && role != Some(Role::Organiser) && i.created_by != Some(ctx.actor.id) {
        actions.push(Action::new(
            ctx.t("action-report", &[]),
            format!("/signaler {id}"),
        ));
    }
    Ok(vec![reply.actions(actions)])
}

fn refuse_if_closed(i: &Initiative) -> Result<(), Fail> {
    if i.status.is_live() && i.status != Status::Done {
        Ok(())
    } else {
        Err(refuse!("initiative-closed", "id" => i.id.0))
    }
}

pub async fn edit(
    ctx: &mut Ctx<'_>,
    id: InitiativeId,
    change: Option<(EditField, String)>,
) -> Outcome {
    let mut i = ctx.initiative(id).await?;
    ctx.require_organiser(&i).await?;
    let Some((field, value)) = change else {
        return Ok(vec![Reply::text(ctx.t("usage-edit", &[]))]);
    };
    refuse_if_closed(&i)?;
    match field {
        EditField::Title => i.title = text::title(&value).map_err(|e| text_refusal("title", e))?,
        EditField::Description => {
            i.description =
                text::description(&value).map_err(|e| text_refusal("description", e))?;
        }
        EditField::Category => {
            i.category = Category::parse(&value)
                .ok_or_else(|| refuse!("category-unknown", "category" => value.clone()))?;
        }
        EditField::Place => {
            let cmd = format!("/modifier {id} lieu");
            i.place =
                super::places::place_answer(ctx, &value, &|choice| format!("{cmd} {choice}"))?;
            i.commune = i
                .place
                .and_then(|p| ctx.places.commune_at(p))
                .map(|c| c.code.clone());
        }
    }
    i.updated_at = ctx.now;
    ctx.save_initiative(&i).await?;
    Ok(vec![
        Reply::text(ctx.t("edited", &[("id", id.0.into())])).actions(vec![Action::new(
            ctx.t("action-show", &[]),
            format!("/voir {id}"),
        )]),
    ])
}

async fn set_role(ctx: &mut Ctx<'_>, id: InitiativeId, role: Role) -> Result<(), Fail> {
    let me = ctx.actor.id;
    let since = match ctx.tx.membership(id, me).await? {
        Some(m) => m.since,
        None => ctx.now,
    };
    ctx.tx
        .set_membership(&Membership {
            initiative: id,
            actor: me,
            role,
            since,
        })
        .await?;
    Ok(())
}

fn already(ctx: &Ctx<'_>, id: InitiativeId, role: Role) -> Fail {
    refuse!("already-role", "id" => id.0, "role" => render::role(ctx, role))
}

pub async fn support(ctx: &mut Ctx<'_>, id: InitiativeId) -> Outcome {
    let i = ctx.initiative(id).await?;
    if i.hidden {
        return Err(refuse!("initiative-hidden", "id" => id.0));
    }
    if i.kind == InitiativeKind::Project {
        return Err(refuse!("support-project", "id" => id.0));
    }
    if i.status != Status::Open {
        return Err(refuse!("initiative-closed", "id" => id.0));
    }
    match ctx.my_role(id).await? {
        Some(r @ (Role::Organiser | Role::Supporter | Role::Member)) => Err(already(ctx, id, r)),
        None | Some(Role::Follower) => {
            set_role(ctx, id, Role::Supporter).await?;
            let (n, _) = render::counts(ctx, id).await?;
            super::democracy::check_threshold(ctx, &i, n).await?;
            Ok(vec![Reply::text(ctx.t(
                "supported",
                &[
                    ("id", id.0.into()),
                    ("title", i.title.into()),
                    ("n", n.into()),
                ],
            ))])
        }
    }
}

pub async fn launch(ctx: &mut Ctx<'_>, id: InitiativeId) -> Outcome {
    let mut i = ctx.initiative(id).await?;
    ctx.require_organiser(&i).await?;
    if i.kind != InitiativeKind::Idea || i.status != Status::Open {
        return Err(refuse!("launch-not-open", "id" => id.0));
    }
    i.kind = InitiativeKind::Project;
    i.status = Status::Active;
    i.updated_at = ctx.now;
    ctx.save_initiative(&i).await?;
    let mut followers = 0usize;
    for mut m in ctx.tx.members(id).await? {
        if m.role == Role::Supporter {
            m.role = Role::Follower;
            ctx.tx.set_membership(&m).await?;
            followers += 1;
        }
    }
    super::rooms::open_topics(ctx, &i).await?;
    super::rooms::open_rooms(ctx, &i).await?;
    ctx.tx
        .insert_activity(&NewActivity {
            initiative: id,
            kind: ActivityKind::Launched,
            ref_id: None,
            at: ctx.now,
        })
        .await?;
    Ok(vec![
        Reply::text(ctx.t(
            "launched",
            &[
                ("id", id.0.into()),
                ("title", i.title.into()),
                ("n", followers.into()),
            ],
        ))
        .actions(vec![
            Action::new(ctx.t("action-show", &[]), format!("/voir {id}")),
            Action::new(ctx.t("action-event", &[]), format!("/evenement {id}")),
        ])
        .ask_group(ctx.t("action-add-to-group", &[]), format!("l{id}")),
    ])
}

pub async fn join(ctx: &mut Ctx<'_>, id: InitiativeId) -> Outcome {
    let i = ctx.initiative(id).await?;
    if i.hidden {
        return Err(refuse!("initiative-hidden", "id" => id.0));
    }
    if i.kind == InitiativeKind::Idea {
        return Err(refuse!("join-idea", "id" => id.0));
    }
    if i.status != Status::Active {
        return Err(refuse!("initiative-closed", "id" => id.0));
    }
    match ctx.my_role(id).await? {
        Some(r @ (Role::Organiser | Role::Member)) => Err(already(ctx, id, r)),
        None | Some(Role::Follower | Role::Supporter) => {
            set_role(ctx, id, Role::Member).await?;
            super::alerts::new_member(ctx, id).await?;
            let mut reply =
                Reply::text(ctx.t("joined", &[("id", id.0.into()), ("title", i.title.into())]))
                    .actions(vec![Action::new(
                        ctx.t("action-show", &[]),
                        format!("/voir {id}"),
                    )]);
            // The project's chats: an invitation into each.
            super::rooms::invite(ctx, id, &mut reply).await?;
            Ok(vec![reply])
        }
    }
}

pub async fn follow(ctx: &mut Ctx<'_>, id: InitiativeId) -> Outcome {
    let i = ctx.initiative(id).await?;
    if i.hidden {
        return Err(refuse!("initiative-hidden", "id" => id.0));
    }
    if !i.status.is_live() {
        return Err(refuse!("initiative-closed", "id" => id.0));
    }
    if let Some(r) = ctx.my_role(id).await? {
        return Err(already(ctx, id, r));
    }
    set_role(ctx, id, Role::Follower).await?;
    Ok(vec![Reply::text(ctx.t(
        "followed",
        &[("id", id.0.into()), ("title", i.title.into())],
    ))])
}

/// After an organiser left: if none is left, offer the role to the
/// longest-standing member after `after` (who declined), and tell them.
pub(crate) async fn offer_if_orphaned(
    ctx: &mut Ctx<'_>,
    mut i: Initiative,
    after: Option<ActorId>,
) -> Result<(), Fail> {
    let members = ctx.tx.members(i.id).await?;
    if members.iter().any(|m| m.role == Role::Organiser) {
        return Ok(());
    }
    let start = after
        .and_then(|a| members.iter().position(|m| m.actor == a).map(|p| p + 1))
        .unwrap_or(0);
    let next = members
        .iter()
        .skip(start)
        .find(|m| Some(m.actor) != after && m.actor != ctx.actor.id)
        .map(|m| m.actor);
    i.offered_to = next;
    ctx.save_initiative(&i).await?;
    if let Some(to) = next
        && let Some(person) = ctx.tx.actor(to).await?
    {
        let id = i.id;
        let t = |key: &str, args: &[(&str, Arg)]| ctx.cat.get(person.lang, key, args);
        let msg = Reply::text(t(
            "offer-notice",
            &[("id", id.0.into()), ("title", i.title.clone().into())],
        ))
        .actions(vec![
            Action::new(t("action-accept", &[]), format!("/accepter {id}")),
            Action::new(t("action-decline", &[]), format!("/decliner {id}")),
        ]);
        ctx.notify(to, msg).await?;
    }
    Ok(())
}

/// Removes the person from an initiative, handing the organiser role on if needed.
pub(crate) async fn remove_member(ctx: &mut Ctx<'_>, m: &Membership) -> Result<(), Fail> {
    ctx.tx.remove_membership(m.initiative, m.actor).await?;
    super::rooms::remove_from_rooms(ctx, m.initiative, m.actor).await?;
    let Some(mut i) = ctx.tx.initiative(m.initiative).await? else {
        return Ok(());
    };
    if i.offered_to == Some(m.actor) {
        i.offered_to = None;
        ctx.save_initiative(&i).await?;
        return offer_if_orphaned(ctx, i, Some(m.actor)).await;
    }
    if m.role == Role::Organiser && i.status.is_live() {
        offer_if_orphaned(ctx, i, None).await?;
    }
    Ok(())
}

pub async fn leave(ctx: &mut Ctx<'_>, id: InitiativeId) -> Outcome {
    let i = ctx.initiative(id).await?;
    let me = ctx.actor.id;
    let Some(m) = ctx.tx.membership(id, me).await? else {
        return Err(refuse!("not-member", "id" => id.0));
    };
    remove_member(ctx, &m).await?;
    Ok(vec![Reply::text(ctx.t(
        "left",
        &[("id", id.0.into()), ("title", i.title.into())],
    ))])
}

/// `/membres N`: who is in an initiative. Its organisers and members see
/// everyone's name in their private chat; anyone else, and any shared chat
/// (whoever is in it sees the answer), sees the organisers' (as on the
/// card) and how many members and supporters there are.
pub async fn members(ctx: &mut Ctx<'_>, id: InitiativeId) -> Outcome {
    let i = ctx.initiative(id).await?;
    let sees_names = ctx.room.is_none()
        && matches!(ctx.my_role(id).await?, Some(Role::Organiser | Role::Member));
    let mut items = Vec::new();
    let (mut hidden_members, mut hidden_supporters) = (0usize, 0usize);
    let mut n = 0usize;
    for m in ctx.tx.members(id).await? {
        if m.role == Role::Follower {
            continue;
        }
        n += 1;
        if !sees_names && m.role != Role::Organiser {
            match m.role {
                Role::Member => hidden_members += 1,
                _ => hidden_supporters += 1,
            }
            continue;
        }
        let name = match ctx.tx.actor(m.actor).await? {
            Some(a) => render::name(&a),
            None => continue,
        };
        items.push(ListItem {
            tag: None,
            title: name,
            details: vec![render::role(ctx, m.role)],
            actions: vec![],
        });
    }
    let mut reply = Reply::default()
        .heading(render::label(&i))
        .para(ctx.t("members-count", &[("n", n.into())]))
        .list(items);
    if hidden_members + hidden_supporters > 0 {
        reply = reply.para(ctx.t(
            "members-private",
            &[
                ("members", hidden_members.into()),
                ("supporters", hidden_supporters.into()),
            ],
        ));
    }
    Ok(vec![reply])
}

pub async fn co_organise(ctx: &mut Ctx<'_>, id: InitiativeId, who: &str) -> Outcome {
    let i = ctx.initiative(id).await?;
    ctx.require_organiser(&i).await?;
    refuse_if_closed(&i)?;
    let wanted = text::fold(who.trim());
    let mut found = Vec::new();
    for m in ctx.tx.members(id).await? {
        let Some(a) = ctx.tx.actor(m.actor).await? else {
            continue;
        };
        let by_identity = ctx
            .tx
            .identities_of(a.id)
            .await?
            .iter()
            .any(|x| x.to_string() == who.trim());
        if by_identity || text::fold(&a.display_name) == wanted {
            found.push((m, a));
        }
    }
    let (mut m, person) = match found.len() {
        0 => return Err(refuse!("coorganise-unknown", "id" => id.0, "name" => who)),
        1 => found.remove(0),
        _ => return Err(refuse!("coorganise-ambiguous", "name" => who)),
    };
    if m.role == Role::Organiser {
        return Err(refuse!("coorganise-already", "name" => person.display_name));
    }
    m.role = Role::Organiser;
    ctx.tx.set_membership(&m).await?;
    super::rooms::promote_in_rooms(ctx, id, person.id).await?;
    let notice = Reply::text(ctx.cat.get(
        person.lang,
        "coorganise-notice",
        &[
            ("id", id.0.into()),
            ("title", i.title.clone().into()),
            ("by", ctx.actor.display_name.clone().into()),
        ],
    ));
    ctx.notify(person.id, notice).await?;
    Ok(vec![Reply::text(ctx.t(
        "coorganised",
        &[("id", id.0.into()), ("name", person.display_name.into())],
    ))])
}

pub async fn accept(ctx: &mut Ctx<'_>, id: InitiativeId) -> Outcome {
    let mut i = ctx.initiative(id).await?;
    if i.offered_to != Some(ctx.actor.id) {
        return Err(refuse!("no-offer", "id" => id.0));
    }
    i.offered_to = None;
    ctx.save_initiative(&i).await?;
    set_role(ctx, id, Role::Organiser).await?;
    let me = ctx.actor.id;
    super::rooms::promote_in_rooms(ctx, id, me).await?;
    Ok(vec![Reply::text(ctx.t(
        "offer-accepted",
        &[("id", id.0.into()), ("title", i.title.into())],
    ))])
}

pub async fn decline(ctx: &mut Ctx<'_>, id: InitiativeId) -> Outcome {
    let i = ctx.initiative(id).await?;
    if i.offered_to != Some(ctx.actor.id) {
        return Err(refuse!("no-offer", "id" => id.0));
    }
    let me = ctx.actor.id;
    offer_if_orphaned(ctx, i, Some(me)).await?;
    Ok(vec![Reply::text(
        ctx.t("offer-declined", &[("id", id.0.into())]),
    )])
}

/// Drop an idea, mark a project done, archive a project.
pub async fn set_status(ctx: &mut Ctx<'_>, id: InitiativeId, to: Status) -> Outcome {
    let mut i = ctx.initiative(id).await?;
    ctx.require_organiser(&i).await?;
    let allowed = match to {
        Status::Dropped => i.kind == InitiativeKind::Idea && i.status == Status::Open,
        Status::Done => i.kind == InitiativeKind::Project && i.status == Status::Active,
        Status::Archived => {
            i.kind == InitiativeKind::Project && matches!(i.status, Status::Active | Status::Done)
        }
        _ => false,
    };
    if !allowed {
        return Err(refuse!(
            "status-not-allowed",
            "id" => id.0,
            "status" => render::kind_status(ctx, &i),
        ));
    }
    i.status = to;
    i.updated_at = ctx.now;
    ctx.save_initiative(&i).await?;
    super::rooms::mark_rooms(ctx, &i).await?;
    if to == Status::Done {
        ctx.tx
            .insert_activity(&NewActivity {
                initiative: id,
                kind: ActivityKind::Done,
                ref_id: None,
                at: ctx.now,
            })
            .await?;
    }
    Ok(vec![Reply::text(ctx.t(
        "status-changed",
        &[
            ("id", id.0.into()),
            ("status", render::kind_status(ctx, &i).into()),
        ],
    ))])
}
