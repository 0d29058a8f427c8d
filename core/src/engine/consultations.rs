//! Consultations (`C3`): a verified municipality asks the readers of its
//! communes a question (`/consultation`), they answer with the card's
//! buttons or `/voter C3 2`, anyone reads the counts (`/resultats C3`), and
//! at the end the counts stay and who chose what is dropped.
//!
//! Secrecy: no command shows anyone's vote but to that person; the
//! municipality, like everyone, sees counts only.

use chrono::{Duration, NaiveDate};

use super::{Ctx, Fail, Outcome, digest, refuse, render, text_refusal};
use crate::command::ConsultationArg;
use crate::domain::*;
use crate::i18n::Arg;
use crate::reply::{Action, Reply};
use crate::text;

/// Consultations a town hall's `/consultation` lists.
const LIST_MAX: u32 = 10;
/// Consultations a town hall may start in a week (each goes to all its
/// readers, and its results too), closed ones included.
const WEEK_MAX: usize = 10;

/// `/consultation …`.
pub async fn command(ctx: &mut Ctx<'_>, arg: ConsultationArg) -> Outcome {
    match arg {
        ConsultationArg::Show(id) => show(ctx, id).await,
        ConsultationArg::List => list(ctx).await,
        ConsultationArg::Close(id) => close_now(ctx, id).await,
        ConsultationArg::New {
            question,
            options,
            multiple,
            until,
            now,
        } => create(ctx, &question, &options, multiple, until, now).await,
    }
}

/// The consultation, or a refusal that names the id.
async fn load(ctx: &mut Ctx<'_>, id: ConsultationId) -> Result<Consultation, Fail> {
    ctx.tx
        .consultation(id)
        .await?
        .ok_or_else(|| refuse!("consultation-unknown", "id" => format!("C{id}")))
}

/// Its town hall's name and time zone, from the town hall read (`None`: a
/// town hall no longer there).
fn town_names(ctx: &Ctx<'_>, town: Option<&Actor>) -> (String, String) {
    match town {
        Some(m) => (render::name(m), m.tz.clone()),
        None => (ctx.t("answer-by-unknown", &[]), ctx.actor.tz.clone()),
    }
}

/// Its town hall's name and time zone.
async fn town_of(ctx: &mut Ctx<'_>, c: &Consultation) -> Result<(String, String), Fail> {
    let town = ctx.tx.actor(c.municipality).await?;
    Ok(town_names(ctx, town.as_ref()))
}

/// The counts: final once closed, so far while open.
async fn tally_of(ctx: &mut Ctx<'_>, c: &Consultation) -> Result<Tally, Fail> {
    Ok(match &c.results {
        Some(t) => t.clone(),
        None => ctx.tx.tally(c.id, c.options.len()).await?,
    })
}

async fn create(
    ctx: &mut Ctx<'_>,
    question: &str,
    options: &[String],
    multiple: bool,
    until: NaiveDate,
    now: bool,
) -> Outcome {
    let Some(m) = ctx.municipality().await? else {
        return Err(refuse!("consultation-not-municipality"));
    };
    let question = text::line(question, QUESTION_MAX).map_err(|e| text_refusal("question", e))?;
    if !(OPTIONS_MIN..=OPTIONS_MAX).contains(&options.len()) {
        return Err(refuse!(
            "consultation-options-count",
            "n" => options.len(),
            "min" => OPTIONS_MIN,
            "max" => OPTIONS_MAX
        ));
    }
    let mut kept: Vec<String> = Vec::with_capacity(options.len());
    for o in options {
        let o = text::line(o, OPTION_MAX).map_err(|e| text_refusal("option", e))?;
        if kept.iter().any(|k| text::fold(k) == text::fold(&o)) {
            return Err(refuse!("consultation-option-twice", "option" => o));
        }
        kept.push(o);
    }
    // The end of the day named, in the town hall's time zone.
    let ends_at = render::after_day(until, &m.tz).ok_or_else(|| refuse!("need-until-bad"))?;
    if ends_at <= ctx.now {
        return Err(refuse!("consultation-end-past"));
    }
    let latest = latest_date(ctx.now);
    if ends_at > latest {
        // The last day whose end is within the limit.
        let max = render::date(ctx.lang(), latest - Duration::days(1), &m.tz);
        return Err(refuse!("consultation-end-far", "max" => max));
    }
    let at = ctx.now;
    let recent = ctx.tx.consultations_of(m.id, 50).await?;
    if recent.iter().filter(|c| c.is_open(at)).count() >= OPEN_MAX {
        return Err(refuse!("consultation-too-many", "max" => OPEN_MAX));
    }
    if recent
        .iter()
        .filter(|c| at - c.created_at < Duration::days(7))
        .count()
        >= WEEK_MAX
    {
        return Err(refuse!("consultation-too-many-week", "max" => WEEK_MAX));
    }
    // Nothing would send it before its end: it goes now.
    let next = digest::plan_of(ctx, &m).await?.next_at;
    let forced = !now && next.is_none_or(|n| n >= ends_at);
    let now = now || forced;
    let c = ctx
        .tx
        .insert_consultation(&NewConsultation {
            municipality: m.id,
            communes: m.communes.clone(),
            question,
            options: kept,
            multiple,
            ends_at,
            created_at: at,
            sent_at: now.then_some(at),
        })
        .await?;
    let id = format!("C{}", c.id);
    let when = if now {
        let g = digest::gather(ctx, std::slice::from_ref(&m), at, false).await?;
        let mut out = Vec::new();
        let n = digest::queue_consultation(ctx, &m, &c, &g, &mut out);
        ctx.tx.enqueue_many(&out).await?;
        let sent = ctx.t("consultation-sent", &[("n", n.into())]);
        if forced {
            format!("{} {sent}", ctx.t("consultation-no-digest", &[]))
        } else {
            sent
        }
    } else {
        ctx.t(
            "consultation-with-digest",
            &[(
                "next",
                next.map(|n| render::datetime(ctx.lang(), n, &m.tz))
                    .unwrap_or_default()
                    .into(),
            )],
        )
    };
    Ok(vec![
        Reply::text(ctx.t(
            "consultation-created",
            &[
                ("id", id.clone().into()),
                ("until", render::last_day(ctx.lang(), &c, &m.tz).into()),
            ],
        ))
        .para(when)
        .actions(vec![
            Action::new(ctx.t("action-show", &[]), format!("/consultation {id}")),
            Action::new(ctx.t("action-results", &[]), format!("/resultats {id}")),
        ]),
    ])
}

/// `/voir C3`: the card with the person's own vote, or the results once
/// closed.
pub async fn show(ctx: &mut Ctx<'_>, id: ConsultationId) -> Outcome {
    let c = load(ctx, id).await?;
    let (from, tz) = town_of(ctx, &c).await?;
    let lang = ctx.lang();
    if let Some(tally) = &c.results {
        let t = |id: &str, args: &[(&str, Arg)]| ctx.t(id, args);
        return Ok(vec![render::consultation_results(
            &t, lang, &c, &from, &tz, tally,
        )]);
    }
    let vote = ctx.tx.vote_of(id, ctx.actor.id).await?.map(|v| v.choices);
    if vote.is_some() {
        // It shows the vote: it goes when the consultation closes.
        ctx.reply_tag = Some(vote_tag(id));
    }
    let t = |id: &str, args: &[(&str, Arg)]| ctx.t(id, args);
    let mut card = render::consultation_card(&t, lang, &c, &from, &tz, vote);
    if !c.is_open(ctx.now) {
        // Over, not yet counted (the scheduler closes it within seconds).
        card = card.para(ctx.t("consultation-over", &[]));
    }
    Ok(vec![card])
}

/// `/voter C3 …`: a reader of its communes votes, changes or takes back
/// their vote. Pressed on the card's button (Telegram), the card itself
/// changes to show it.
pub async fn vote(ctx: &mut Ctx<'_>, id: ConsultationId, arg: VoteArg) -> Outcome {
    let c = load(ctx, id).await?;
    let cid = format!("C{id}");
    if !c.is_open(ctx.now) {
        return Err(Fail::Reply(
            Reply::text(ctx.t("consultation-closed", &[("id", cid.clone().into())])).actions(vec![
                Action::new(ctx.t("action-results", &[]), format!("/resultats {cid}")),
            ]),
        ));
    }
    let me = ctx.actor.id;
    let acts_for = ctx.organisation().await?.map(|a| a.id);
    if me == c.municipality || acts_for == Some(c.municipality) {
        return Err(refuse!("consultation-town-votes"));
    }
    // A town hall no longer verified: its consultations take no votes.
    let town = ctx.tx.actor(c.municipality).await?;
    if !town.as_ref().is_some_and(Actor::is_verified_municipality) {
        return Err(refuse!("consultation-closed", "id" => cid.clone()));
    }
    let subscriptions = ctx.tx.subscriptions_of(me).await?;
    if !digest::reads(ctx, &subscriptions, &c.communes) {
        let names: Vec<String> = c
            .communes
            .iter()
            .map(|k| super::places::commune_name(ctx, Some(k)).unwrap_or_else(|| k.to_string()))
            .collect();
        let first = names.first().cloned().unwrap_or_default();
        return Err(Fail::Reply(
            Reply::text(ctx.t(
                "consultation-not-reader",
                &[
                    ("id", cid.clone().into()),
                    ("communes", names.join(", ").into()),
                ],
            ))
            .actions(vec![Action::new(
                ctx.t(
                    "action-subscribe-commune",
                    &[("commune", first.clone().into())],
                ),
                format!("/abonner {first}"),
            )]),
        ));
    }
    let before = ctx.tx.vote_of(id, me).await?.map(|v| v.choices);
    let after = c.choices(&arg, before).map_err(|e| match e {
        VoteError::NoSuchOption(n) => refuse!(
            "consultation-no-option",
            "n" => n,
            "max" => c.options.len()
        ),
        VoteError::OnlyOne => refuse!("consultation-only-one"),
    })?;
    match after {
        Some(choices) => ctx.tx.cast_vote(id, me, choices, ctx.now).await?,
        None => {
            ctx.tx.withdraw_vote(id, me).await?;
        }
    }
    // The answer shows the vote: it goes when the consultation closes.
    ctx.reply_tag = Some(vote_tag(id));
    let (from, tz) = town_names(ctx, town.as_ref());
    let lang = ctx.lang();
    let t = |id: &str, args: &[(&str, Arg)]| ctx.t(id, args);
    let card = render::consultation_card(&t, lang, &c, &from, &tz, after);
    let said = match after {
        Some(v) => ctx.t(
            "consultation-voted",
            &[("choices", render::chosen(&c, v).into())],
        ),
        None => ctx.t("consultation-withdrawn", &[]),
    };
    // The card the person pressed shows their vote; typed (or a numbered
    // answer on Matrix), a new card that says it first.
    if ctx.pressed.is_some() {
        ctx.edit_pressed = true;
        return Ok(vec![card]);
    }
    let mut reply = Reply::text(said);
    reply.blocks.extend(card.blocks);
    Ok(vec![reply])
}

/// The end of the outbox keys of the answers that show a vote on `id`
/// ([`crate::ports::Consultations::close_consultation`] deletes them).
pub(crate) fn vote_tag(id: ConsultationId) -> String {
    format!("/vote/{id}/")
}

/// `/resultats C3`: the counts, so far or final, for anyone.
pub async fn results(ctx: &mut Ctx<'_>, id: ConsultationId) -> Outcome {
    let c = load(ctx, id).await?;
    results_of(ctx, &c).await
}

/// [`results`] of a consultation read.
async fn results_of(ctx: &mut Ctx<'_>, c: &Consultation) -> Outcome {
    let tally = tally_of(ctx, c).await?;
    let (from, tz) = town_of(ctx, c).await?;
    let lang = ctx.lang();
    let t = |id: &str, args: &[(&str, Arg)]| ctx.t(id, args);
    Ok(vec![render::consultation_results(
        &t, lang, c, &from, &tz, &tally,
    )])
}

/// `/consultation`: the town hall's consultations, newest first.
async fn list(ctx: &mut Ctx<'_>) -> Outcome {
    let Some(m) = ctx.municipality().await? else {
        return Err(refuse!("consultation-not-municipality"));
    };
    let all = ctx.tx.consultations_of(m.id, LIST_MAX).await?;
    if all.is_empty() {
        return Ok(vec![Reply::text(ctx.t("consultation-none", &[]))]);
    }
    let lang = ctx.lang();
    let items = all
        .iter()
        .map(|c| {
            let id = format!("C{}", c.id);
            let state = match (&c.results, c.is_open(ctx.now), c.sent_at) {
                (Some(t), _, _) => ctx.t("consultation-state-closed", &[("n", t.voters.into())]),
                (None, true, None) => ctx.t("consultation-state-waiting", &[]),
                (None, true, Some(_)) => ctx.t(
                    "consultation-state-open",
                    &[("until", render::last_day(lang, c, &m.tz).into())],
                ),
                (None, false, _) => ctx.t("consultation-over", &[]),
            };
            crate::reply::ListItem {
                tag: Some(id.clone()),
                title: format!("{id} · {}", text::excerpt(&c.question, 80)),
                details: vec![state],
                actions: vec![
                    Action::new(ctx.t("action-show", &[]), format!("/consultation {id}")),
                    Action::new(ctx.t("action-results", &[]), format!("/resultats {id}")),
                ],
            }
        })
        .collect();
    Ok(vec![
        Reply::default()
            .heading(ctx.t("consultation-list-title", &[]))
            .list(items),
    ])
}

/// `/consultation C3 clore`: its town hall closes it before its end.
async fn close_now(ctx: &mut Ctx<'_>, id: ConsultationId) -> Outcome {
    let Some(m) = ctx.municipality().await? else {
        return Err(refuse!("consultation-not-municipality"));
    };
    let c = load(ctx, id).await?;
    if c.municipality != m.id {
        return Err(refuse!("consultation-not-yours", "id" => format!("C{id}")));
    }
    if c.closed_at.is_some() {
        return Err(refuse!("consultation-closed", "id" => format!("C{id}")));
    }
    match close(ctx, &m, &c).await? {
        Some(closed) => results_of(ctx, &closed).await,
        // Closed meanwhile (its end came): as it stands.
        None => results(ctx, id).await,
    }
}

/// Closes a consultation (its end came, or its town hall closed it): the
/// counts are kept and the votes dropped, the results go to its readers,
/// to each commune's announcement room and to the town hall, and into the
/// next digest. Returns it closed (`None` if another process closed it
/// first).
pub(crate) async fn close(
    ctx: &mut Ctx<'_>,
    m: &Actor,
    c: &Consultation,
) -> Result<Option<Consultation>, Fail> {
    let tally = ctx.tx.tally(c.id, c.options.len()).await?;
    let at = ctx.now;
    if !ctx.tx.close_consultation(c.id, &tally, at).await? {
        return Ok(None);
    }
    let mut closed = c.clone();
    closed.closed_at = Some(at);
    closed.results = Some(tally.clone());
    // Never sent, or its town hall no longer verified: nobody is told (only
    // the town hall itself, of a consultation it never sent).
    if c.sent_at.is_none() || !m.is_verified_municipality() {
        return Ok(Some(closed));
    }
    let g = digest::gather(ctx, std::slice::from_ref(m), at, false).await?;
    let mut out = Vec::new();
    digest::queue_results(ctx, m, &closed, &tally, &g, &mut out);
    ctx.tx.enqueue_many(&out).await?;
    let from = render::name(m);
    let t = |id: &str, args: &[(&str, Arg)]| ctx.cat.get(m.lang, id, args);
    let notice = render::consultation_results(&t, m.lang, &closed, &from, &m.tz, &tally);
    // The town hall's own notice, unless it is the one who closed it (it
    // reads the results in the answer).
    if ctx.actor.id != m.id {
        ctx.notify(m.id, notice).await?;
    }
    Ok(Some(closed))
}

/// `kohero consultation C3 --csv`: the counts as CSV (RFC 4180), one row an
/// option, then the number of voters; `None` if there is no such
/// consultation.
pub(crate) async fn csv(ctx: &mut Ctx<'_>, id: ConsultationId) -> Result<Option<String>, Fail> {
    let Some(c) = ctx.tx.consultation(id).await? else {
        return Ok(None);
    };
    let tally = tally_of(ctx, &c).await?;
    let field = |s: &str| {
        // A cell a spreadsheet would read as a formula is kept as text.
        let s = if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_owned()
        };
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    };
    let mut out = String::from("option,choice,count,percent\r\n");
    for (i, o) in c.options.iter().enumerate() {
        out.push_str(&format!(
            "{},{},{},{}\r\n",
            i + 1,
            field(o),
            tally.counts.get(i).copied().unwrap_or(0),
            tally.percent(i)
        ));
    }
    out.push_str(&format!(",voters,{},\r\n", tally.voters));
    Ok(Some(out))
}
