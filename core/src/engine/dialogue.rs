//! Multi-step conversations, stored between messages (they survive a restart):
//! proposing an initiative, confirming erasure.

use serde::{Deserialize, Serialize};

use super::{Ctx, Fail, Outcome, refuse, render, text_refusal};
use crate::domain::*;
use crate::geo::GeoPoint;
use crate::reply::{Action, Reply};
use crate::text;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dialogue", rename_all = "snake_case")]
pub enum Dialogue {
    /// `/proposer`: each field is asked in turn.
    Propose {
        title: Option<String>,
        category: Option<Category>,
        place: Option<Spot>,
        /// Similar initiatives nearby were shown (once per proposal).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        checked: bool,
        /// Waiting for « Proposer quand même » (or the description).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        waiting: bool,
    },
    /// `/oublier`: waiting for a confirmation.
    Forget,
}

/// The place answer: none wanted, or a point. (Not `Option<Option<_>>`, which
/// JSON cannot tell apart from "not answered yet".)
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Spot {
    Nowhere,
    At(GeoPoint),
}

impl Spot {
    fn from_option(p: Option<GeoPoint>) -> Self {
        p.map_or(Self::Nowhere, Self::At)
    }
    fn point(self) -> Option<GeoPoint> {
        match self {
            Self::Nowhere => None,
            Self::At(p) => Some(p),
        }
    }
}

#[derive(Debug)]
pub enum Answer {
    Text(String),
    Location(GeoPoint),
}

/// « Proposer quand même »: go on with the proposal after seeing what is
/// alike.
pub fn is_go_on(s: &str) -> bool {
    matches!(
        text::fold(s.trim()).as_str(),
        "continuer" | "continue" | "proposer quand meme" | "propose anyway"
    )
}

/// Ends the dialogue without a word (a button of its own reply ran a command).
pub async fn end(ctx: &mut Ctx<'_>) -> Result<(), Fail> {
    save(ctx, None).await
}

/// Words that confirm (the erasure's question).
pub fn is_yes(s: &str) -> bool {
    matches!(
        text::fold(s.trim()).as_str(),
        "oui" | "yes" | "confirmer" | "confirm"
    )
}

async fn save(ctx: &mut Ctx<'_>, d: Option<&Dialogue>) -> Result<(), Fail> {
    let raw = match d {
        Some(d) => Some(
            serde_json::to_string(d)
                .map_err(|e| crate::ports::StoreError::Corrupt(format!("dialogue: {e}")))?,
        ),
        None => None,
    };
    let me = ctx.actor.id;
    ctx.tx.set_dialogue(me, raw.as_deref()).await?;
    Ok(())
}

/// The question the dialogue is waiting on.
pub fn prompt(ctx: &Ctx<'_>, d: &Dialogue) -> Reply {
    match d {
        Dialogue::Propose { title: None, .. } => Reply::text(ctx.t("propose-ask-title", &[])),
        Dialogue::Propose { category: None, .. } => Reply::text(ctx.t("propose-ask-category", &[]))
            .actions(
                Category::ALL
                    .iter()
                    .map(|c| Action::new(render::category(ctx, *c), c.key()))
                    .collect(),
            ),
        Dialogue::Propose { waiting: true, .. } => Reply::text(ctx.t("similar-waiting", &[]))
            .actions(vec![Action::new(
                ctx.t("action-propose-anyway", &[]),
                "continuer",
            )]),
        Dialogue::Propose { place: None, .. } => Reply::text(ctx.t("propose-ask-place", &[]))
            .actions(vec![Action::new(ctx.t("action-no-place", &[]), "-")]),
        Dialogue::Propose { .. } => Reply::text(ctx.t("propose-ask-description", &[]))
            .actions(vec![Action::new(ctx.t("action-no-description", &[]), "-")]),
        Dialogue::Forget => Reply::text(ctx.t("forget-ask", &[])).actions(vec![
            Action::new(ctx.t("action-forget-confirm", &[]), "/oublier confirmer"),
            Action::new(ctx.t("action-cancel", &[]), "/annuler"),
        ]),
    }
}

pub async fn cancel(ctx: &mut Ctx<'_>) -> Outcome {
    save(ctx, None).await?;
    Ok(vec![Reply::text(ctx.t("cancelled", &[]))])
}

/// `/proposer`, with 0 to 4 `|`-separated parts.
pub async fn propose(ctx: &mut Ctx<'_>, parts: Vec<String>) -> Outcome {
    let mut it = parts.into_iter();
    let title = it
        .next()
        .map(|t| text::title(&t).map_err(|e| text_refusal("title", e)))
        .transpose()?;
    let category = it
        .next()
        .map(|c| Category::parse(&c).ok_or_else(|| refuse!("category-unknown", "category" => c)))
        .transpose()?;
    let place = it
        .next()
        .map(|p| {
            // A choice between homonyms answers the dialogue's place question.
            super::places::place_answer(ctx, &p, &|choice| choice.to_owned()).map(Spot::from_option)
        })
        .transpose()?;
    let description = it.next();
    let state = Dialogue::Propose {
        title,
        category,
        place,
        checked: false,
        waiting: false,
    };
    match (state, description) {
        (
            Dialogue::Propose {
                title: Some(t),
                category: Some(c),
                place: Some(p),
                ..
            },
            Some(d),
        ) => {
            // The one-line form publishes at once, then shows what is alike.
            let (id, mut replies) = create(ctx, t.clone(), c, p.point(), &d).await?;
            if let Some(place) = p.point() {
                let found = super::similar::similar(ctx, &t, place, Some(id)).await?;
                if !found.is_empty() {
                    let last = Action::new(
                        ctx.t("action-withdraw-mine", &[]),
                        format!("/abandonner {id}"),
                    );
                    let heading = ctx.t("similar-after", &[]);
                    replies.push(super::similar::list(ctx, &found, &heading, last));
                }
            }
            Ok(replies)
        }
        // Title, category and place given: what is alike, before the
        // description.
        (
            Dialogue::Propose {
                title: Some(t),
                category: Some(c),
                place: Some(p @ Spot::At(at)),
                ..
            },
            None,
        ) => {
            let found = super::similar::similar(ctx, &t, at, None).await?;
            let waiting = !found.is_empty();
            let state = Dialogue::Propose {
                title: Some(t),
                category: Some(c),
                place: Some(p),
                checked: true,
                waiting,
            };
            save(ctx, Some(&state)).await?;
            if waiting {
                let last = Action::new(ctx.t("action-propose-anyway", &[]), "continuer");
                let heading = ctx.t("similar-before", &[]);
                return Ok(vec![super::similar::list(ctx, &found, &heading, last)]);
            }
            Ok(vec![prompt(ctx, &state)])
        }
        (state, _) => {
            save(ctx, Some(&state)).await?;
            Ok(vec![prompt(ctx, &state)])
        }
    }
}

/// An answer to the current question; a wrong answer asks again and changes nothing.
pub async fn answer(ctx: &mut Ctx<'_>, state: Dialogue, answer: Answer) -> Outcome {
    match state {
        // Answered by the dispatcher (yes erases); a location cancels.
        Dialogue::Forget => cancel(ctx).await,
        Dialogue::Propose {
            title,
            category,
            place,
            checked,
            waiting,
        } => {
            // « Proposer quand même »: on to the description.
            if waiting
                && let Answer::Text(t) = &answer
                && is_go_on(t)
            {
                let next = Dialogue::Propose {
                    title,
                    category,
                    place,
                    checked,
                    waiting: false,
                };
                save(ctx, Some(&next)).await?;
                return Ok(vec![prompt(ctx, &next)]);
            }
            let next = match (title, category, place, answer) {
                (None, _, _, Answer::Text(t)) => Dialogue::Propose {
                    title: Some(text::title(&t).map_err(|e| text_refusal("title", e))?),
                    category: None,
                    place: None,
                    checked,
                    waiting: false,
                },
                (None, ..) => return Err(refuse!("propose-title-first")),
                (Some(t), None, _, Answer::Text(c)) => Dialogue::Propose {
                    title: Some(t),
                    category: Some(
                        Category::parse(&c)
                            .ok_or_else(|| refuse!("category-unknown", "category" => c))?,
                    ),
                    place: None,
                    checked,
                    waiting: false,
                },
                (Some(_), None, ..) => return Err(refuse!("propose-category-first")),
                (Some(t), Some(c), None, a) => {
                    let p = match a {
                        // Shared in answer to « Où ? »: the initiative's place,
                        // given to be published (a person's own position,
                        // shared outside a question, is kept to 100 m and
                        // never shown).
                        Answer::Location(p) => Spot::At(p),
                        Answer::Text(s) => {
                            Spot::from_option(super::places::place_answer(ctx, &s, &|choice| {
                                choice.to_owned()
                            })?)
                        }
                    };
                    // Before publishing: what is alike nearby, once.
                    if !checked && let Some(at) = p.point() {
                        let found = super::similar::similar(ctx, &t, at, None).await?;
                        if !found.is_empty() {
                            let next = Dialogue::Propose {
                                title: Some(t),
                                category: Some(c),
                                place: Some(p),
                                checked: true,
                                waiting: true,
                            };
                            save(ctx, Some(&next)).await?;
                            let last =
                                Action::new(ctx.t("action-propose-anyway", &[]), "continuer");
                            let heading = ctx.t("similar-before", &[]);
                            return Ok(vec![super::similar::list(ctx, &found, &heading, last)]);
                        }
                    }
                    Dialogue::Propose {
                        title: Some(t),
                        category: Some(c),
                        place: Some(p),
                        checked: true,
                        waiting: false,
                    }
                }
                (Some(t), Some(c), Some(p), Answer::Text(d)) => {
                    save(ctx, None).await?;
                    return Ok(create(ctx, t, c, p.point(), &d).await?.1);
                }
                (Some(_), Some(_), Some(_), Answer::Location(_)) => {
                    return Err(refuse!("propose-description-expected"));
                }
            };
            save(ctx, Some(&next)).await?;
            Ok(vec![prompt(ctx, &next)])
        }
    }
}

async fn create(
    ctx: &mut Ctx<'_>,
    title: String,
    category: Category,
    place: Option<GeoPoint>,
    description: &str,
) -> Result<(InitiativeId, Vec<Reply>), Fail> {
    let description = if text::is_skip(description) {
        String::new()
    } else {
        text::description(description).map_err(|e| text_refusal("description", e))?
    };
    let me = ctx.actor.id;
    let now = ctx.now;
    // Fair use: so many open ideas at once, no more.
    let open = ctx
        .tx
        .initiatives_created_by(me)
        .await?
        .iter()
        .filter(|i| i.kind == InitiativeKind::Idea && i.status == Status::Open)
        .count();
    if open >= ctx.fair_use.open_ideas {
        return Err(refuse!("too-many-ideas", "n" => open));
    }
    // Proposed by one of a verified actor's people: in its name.
    let carried_by = ctx.organisation().await?.map(|o| o.id);
    let i = ctx
        .insert_initiative(&NewInitiative {
            title,
            description,
            category,
            place,
            commune: place
                .and_then(|p| ctx.places.commune_at(p))
                .map(|c| c.code.clone()),
            created_by: me,
            created_at: now,
            carried_by,
        })
        .await?;
    ctx.tx
        .set_membership(&Membership {
            initiative: i.id,
            actor: me,
            role: Role::Organiser,
            since: now,
        })
        .await?;
    ctx.tx
        .insert_activity(&NewActivity {
            initiative: i.id,
            kind: ActivityKind::Created,
            ref_id: None,
            at: now,
        })
        .await?;
    save(ctx, None).await?;
    let id = i.id;
    let reply = Reply::text(ctx.t(
        "propose-created",
        &[("id", id.0.into()), ("title", i.title.clone().into())],
    ))
    .actions(vec![
        Action::new(ctx.t("action-show", &[]), format!("/voir {id}")),
        Action::new(ctx.t("action-launch", &[]), format!("/lancer {id}")),
    ]);
    Ok((id, vec![reply]))
}
