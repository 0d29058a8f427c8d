//! The person: help, profile, language, their data and its erasure.

use serde_json::json;

use super::dialogue::Dialogue;
use super::{Ctx, Outcome, refuse, render, text_refusal};
use crate::command::parse_initiative_id;
use crate::domain::*;
use crate::ports::StoreError;
use crate::reply::{Action, Reply};
use crate::text;

pub fn help(ctx: &Ctx<'_>) -> Reply {
    Reply::default()
        .heading(ctx.t("help-title", &[]))
        .para(ctx.t("help-body", &[]))
}

/// `/start`, with a deep-link payload `i42` opening initiative #42.
pub async fn start(ctx: &mut Ctx<'_>, payload: Option<String>) -> Outcome {
    // `a12`: a verified actor's profile.
    if let Some(id) = payload.as_deref().and_then(crate::command::parse_actor_id) {
        return super::actors::show(ctx, id).await;
    }
    // `c3`: a consultation.
    if let Some(id) = payload
        .as_deref()
        .and_then(crate::command::parse_consultation_id)
    {
        return super::consultations::show(ctx, id).await;
    }
    if let Some(id) = payload
        .as_deref()
        .and_then(|p| p.strip_prefix('i'))
        .and_then(parse_initiative_id)
    {
        return super::initiatives::show(ctx, id).await;
    }
    Ok(vec![
        Reply::default()
            .heading(ctx.t(
                "welcome-title",
                &[("name", ctx.actor.display_name.clone().into())],
            ))
            .para(ctx.t("welcome-body", &[]))
            .para(ctx.t("welcome-privacy", &[]))
            .ask_location(ctx.t("action-share-location", &[])),
        help(ctx),
    ])
}

pub async fn profile(ctx: &mut Ctx<'_>, new_name: Option<String>) -> Outcome {
    if let Some(name) = new_name {
        let name = text::display_name(&name).map_err(|e| text_refusal("name", e))?;
        if imitates_verified(ctx, &name, ctx.actor.id).await? {
            return Err(refuse!("name-taken-verified"));
        }
        ctx.actor.display_name = name;
        let actor = ctx.actor.clone();
        ctx.tx.update_actor(&actor).await?;
    }
    let me = ctx.actor.id;
    let identities: Vec<String> = ctx
        .tx
        .identities_of(me)
        .await?
        .iter()
        .map(ToString::to_string)
        .collect();
    let memberships = ctx.tx.memberships_of(me).await?;
    let subs = ctx.tx.subscriptions_of(me).await?.len();
    let kind = ctx.t(&format!("kind-{}", ctx.actor.kind.key()), &[]);
    let verified = if ctx.actor.verified {
        let communes: Vec<String> = ctx.actor.communes.iter().map(ToString::to_string).collect();
        ctx.t(
            "profile-verified",
            &[("communes", communes.join(", ").into())],
        )
    } else {
        ctx.t("profile-not-verified", &[])
    };
    let mut reply = Reply::default()
        .heading(ctx.actor.display_name.clone())
        .para(format!("{kind} · {verified}"))
        .para(
            ctx.t(
                "profile-details",
                &[
                    ("lang", ctx.actor.lang.code().into()),
                    ("identities", identities.join(", ").into()),
                    ("subscriptions", subs.into()),
                    (
                        "location",
                        ctx.t(
                            if ctx.actor.location.is_some() {
                                "profile-location-known"
                            } else {
                                "profile-location-unknown"
                            },
                            &[],
                        )
                        .into(),
                    ),
                ],
            ),
        );
    let mut items = Vec::new();
    for m in memberships {
        if let Some(i) = ctx.tx.initiative(m.initiative).await? {
            items.push(crate::reply::ListItem {
                tag: render::tag(&i),
                title: render::label(&i),
                details: vec![format!(
                    "{} · {}",
                    render::role(ctx, m.role),
                    render::kind_status(ctx, &i)
                )],
                actions: vec![Action::new(
                    ctx.t("action-show", &[]),
                    format!("/voir {}", i.id),
                )],
            });
        }
    }
    if !items.is_empty() {
        reply = reply.para(ctx.t("profile-initiatives", &[])).list(items);
    }
    Ok(vec![reply.actions(vec![
        Action::new(ctx.t("action-my-data", &[]), "/mesdonnees"),
        Action::new(ctx.t("action-forget", &[]), "/oublier"),
    ])])
}

/// Whether a name folds to a verified actor's other than `me`: nobody else
/// may take « Mairie de Villeurbanne ».
pub(crate) async fn imitates_verified(
    ctx: &mut Ctx<'_>,
    name: &str,
    me: ActorId,
) -> Result<bool, crate::engine::Fail> {
    let wanted = text::name_key(name);
    Ok(ctx
        .tx
        .verified_names()
        .await?
        .iter()
        .any(|(id, n)| *id != me && text::name_key(n) == wanted))
}

pub async fn language(ctx: &mut Ctx<'_>, lang: Option<Lang>) -> Outcome {
    let Some(lang) = lang else {
        return Ok(vec![
            Reply::text(ctx.t(
                "language-current",
                &[("lang", ctx.actor.lang.code().into())],
            ))
            .actions(vec![
                Action::new("Français", "/langue fr"),
                Action::new("English", "/language en"),
            ]),
        ]);
    };
    ctx.actor.lang = lang;
    let actor = ctx.actor.clone();
    ctx.tx.update_actor(&actor).await?;
    Ok(vec![Reply::text(ctx.t("language-set", &[]))])
}

/// Everything stored about the person, as JSON.
pub async fn my_data(ctx: &mut Ctx<'_>) -> Outcome {
    let me = ctx.actor.id;
    let identities = ctx.tx.identities_of(me).await?;
    let memberships = ctx.tx.memberships_of(me).await?;
    let created: Vec<_> = ctx
        .tx
        .initiatives_created_by(me)
        .await?
        .into_iter()
        .map(|i| json!({"id": i.id, "title": i.title, "created_at": i.created_at}))
        .collect();
    let updates = ctx.tx.updates_by(me).await?;
    let rsvps = ctx.tx.rsvps_of(me).await?;
    let subscriptions = ctx.tx.subscriptions_of(me).await?;
    let dialogue = ctx.tx.dialogue(me).await?;
    let pending = ctx.tx.pending_for(me).await?.len();
    let alert_settings = ctx.tx.alert_prefs(me).await?;
    let alerts_waiting = ctx.tx.alerts_of(me).await?;
    let digest_plan = ctx.tx.digest_plan(me).await?;
    let profile = ctx.tx.actor_profile(me).await?;
    let acts_for = ctx.tx.acts_for(me).await?;
    let offers = ctx.tx.offers_by(me).await?;
    // Votes on open consultations (none is kept once they close).
    let votes: Vec<serde_json::Value> = ctx
        .tx
        .votes_of(me)
        .await?
        .iter()
        .map(|v| {
            json!({
                "consultation": format!("C{}", v.consultation),
                "choices": v.choices.iter().map(|i| i + 1).collect::<Vec<_>>(),
                "at": v.at,
            })
        })
        .collect();
    // The export shows these votes: it goes when their consultations close.
    let voted: String = ctx
        .tx
        .votes_of(me)
        .await?
        .iter()
        .map(|v| super::consultations::vote_tag(v.consultation))
        .collect();
    if !voted.is_empty() {
        ctx.reply_tag = Some(voted);
    }
    let data = json!({
        "actor": ctx.actor,
        "identities": identities.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "memberships": memberships,
        "initiatives_proposed": created,
        "updates": updates,
        "rsvps": rsvps,
        "subscriptions": subscriptions,
        "dialogue": dialogue,
        "undelivered_messages": pending,
        "alert_settings": alert_settings,
        "alerts_waiting": alerts_waiting,
        "digest_plan": digest_plan,
        "profile": profile,
        "acts_for": acts_for,
        "offers": offers,
        "votes": votes,
        "moderation": super::moderation::my_record(ctx).await?,
    });
    let text = serde_json::to_string_pretty(&data)
        .map_err(|e| StoreError::Corrupt(format!("export: {e}")))?;
    Ok(vec![Reply::text(ctx.t("my-data-intro", &[])).data(text)])
}

pub async fn forget_ask(ctx: &mut Ctx<'_>) -> Outcome {
    let state = Dialogue::Forget;
    let raw = serde_json::to_string(&state).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let me = ctx.actor.id;
    ctx.tx.set_dialogue(me, Some(&raw)).await?;
    Ok(vec![super::dialogue::prompt(ctx, &state)])
}

/// Erases the person: memberships (handing organiser roles on), answers,
/// subscriptions, identities. Initiatives, updates and events stay, anonymised.
pub async fn forget_now(ctx: &mut Ctx<'_>) -> Outcome {
    let me = ctx.actor.id;
    super::relay::forget(ctx).await?;
    for m in ctx.tx.memberships_of(me).await? {
        super::initiatives::remove_member(ctx, &m).await?;
    }
    for id in ctx.tx.identities_of(me).await? {
        ctx.tx.forget_network_state(&id.network, &id.id).await?;
        // Whether their chat could be reached says who they were.
        ctx.tx.clear_unreachable(&Address::of(&id)).await?;
    }
    ctx.tx.delete_actor(me).await?;
    ctx.forgotten = true;
    Ok(vec![Reply::text(ctx.t("forgotten", &[]))])
}
