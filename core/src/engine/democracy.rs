//! Local democracy: the town hall's answer to citizens' initiatives
//! (`/reponse 42 retenue|etude|non-retenue TEXTE`).

use super::{Ctx, Fail, Outcome, refuse, render, text_refusal};
use crate::domain::*;
use crate::reply::{Action, Reply};
use crate::text;

/// How long after an answer a changed decision alerts followers again.
const ANSWER_ALERT_GAP: chrono::Duration = chrono::Duration::hours(1);

/// `/reponse ID STATUT TEXTE`: a verified municipality (or its team), for
/// an initiative of its communes; a second answer replaces the first. The
/// supporters, members and followers hear it with their alerts; the card
/// and the next digest show it.
pub async fn answer(
    ctx: &mut Ctx<'_>,
    id: InitiativeId,
    status: AnswerStatus,
    body: &str,
) -> Outcome {
    let Some(m) = ctx.municipality().await? else {
        return Err(refuse!("answer-not-municipality"));
    };
    let i = ctx.initiative(id).await?;
    if i.hidden {
        return Err(refuse!("initiative-hidden", "id" => id.0));
    }
    if !i.status.is_live() {
        return Err(refuse!("initiative-closed", "id" => id.0));
    }
    if !i.commune.as_ref().is_some_and(|c| m.communes.contains(c)) {
        let communes: Vec<String> = m
            .communes
            .iter()
            .map(|c| super::places::commune_name(ctx, Some(c)).unwrap_or_else(|| c.to_string()))
            .collect();
        return Err(
            refuse!("answer-not-your-commune", "id" => id.0, "communes" => communes.join(", ")),
        );
    }
    let body = text::description(body).map_err(|e| text_refusal("answer", e))?;
    let before = ctx.tx.town_answer(id).await?;
    // Two town halls of one commune: each keeps its own word.
    if let Some(b) = &before
        && b.municipality.is_some_and(|other| other != m.id)
    {
        return Err(refuse!("answer-by-other", "id" => id.0));
    }
    let answer = TownAnswer {
        initiative: id,
        municipality: Some(m.id),
        status,
        text: body,
        answered_at: before.as_ref().map_or(ctx.now, |b| b.answered_at),
        updated_at: ctx.now,
    };
    ctx.tx.save_town_answer(&answer).await?;
    // Followers hear of a first answer, and of a changed decision; a
    // correction of the words, or a change within the hour, alerts nobody
    // again (no flood from a town hall typing in a loop).
    let news = match &before {
        None => true,
        Some(b) => b.status != status && ctx.now - b.updated_at >= ANSWER_ALERT_GAP,
    };
    if news {
        super::alerts::to_followers(ctx, id, AlertKind::Answer, id.0).await?;
    }
    let told = ctx
        .tx
        .members(id)
        .await?
        .iter()
        .filter(|m| m.actor != ctx.actor.id)
        .count();
    Ok(vec![
        Reply::text(ctx.t(
            if before.is_some() {
                "answer-updated"
            } else {
                "answer-saved"
            },
            &[
                ("id", id.0.into()),
                ("title", i.title.clone().into()),
                ("n", told.into()),
            ],
        ))
        .actions(vec![Action::new(
            ctx.t("action-show", &[]),
            format!("/voir {id}"),
        )]),
    ])
}

/// The answer on an initiative's card.
pub(crate) async fn on_card(
    ctx: &mut Ctx<'_>,
    i: &Initiative,
    reply: Reply,
) -> Result<Reply, Fail> {
    let Some(a) = ctx.tx.town_answer(i.id).await? else {
        return Ok(reply);
    };
    let by = match a.municipality {
        Some(m) => ctx.tx.actor(m).await?,
        None => None,
    };
    let text = render::answer_line(
        &|id, args| ctx.t(id, args),
        &a,
        by.as_ref(),
        ctx.lang(),
        &ctx.actor.tz,
        None,
    );
    Ok(reply.para(text))
}

/// After a support: the town halls of the idea's commune whose threshold it
/// reaches hear of it, once (a notice now, a line in the next digest).
pub(crate) async fn check_threshold(
    ctx: &mut Ctx<'_>,
    i: &Initiative,
    supporters: usize,
) -> Result<(), Fail> {
    let Some(commune) = i.commune.clone() else {
        return Ok(());
    };
    let n = u32::try_from(supporters).unwrap_or(u32::MAX);
    for m in ctx.tx.municipalities_of(&commune).await? {
        let Some(threshold) = ctx.tx.support_threshold(m.id).await? else {
            continue;
        };
        if n < threshold || !ctx.tx.flag_initiative(m.id, i.id, n, ctx.now).await? {
            continue;
        }
        let t = |id: &str, args: &[(&str, crate::i18n::Arg)]| ctx.cat.get(m.lang, id, args);
        let notice = Reply::text(t(
            "threshold-reached",
            &[
                ("id", i.id.0.into()),
                ("title", i.title.clone().into()),
                ("n", n.into()),
            ],
        ))
        .actions(vec![Action::new(
            t("action-show", &[]),
            format!("/voir {}", i.id),
        )]);
        ctx.notify(m.id, notice).await?;
    }
    Ok(())
}
