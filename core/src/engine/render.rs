//! Shared pieces of replies: labels, distances, dates, initiative lines.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::Ctx;
use crate::domain::*;
use crate::i18n::Arg;
use crate::reply::{Action, ListItem};

pub fn category(ctx: &Ctx<'_>, c: Category) -> String {
    ctx.t(&format!("cat-{}", c.key()), &[])
}

pub fn kind_status(ctx: &Ctx<'_>, i: &Initiative) -> String {
    ctx.t(&format!("status-{}-{}", i.kind.key(), i.status.key()), &[])
}

pub fn role(ctx: &Ctx<'_>, r: Role) -> String {
    ctx.t(&format!("role-{}", r.key()), &[])
}

/// "350 m", "2,4 km" (French) or "2.4 km" (English), "12 km".
pub fn distance(lang: Lang, metres: f64) -> String {
    if metres < 1000.0 {
        let m = ((metres / 10.0).round() * 10.0).max(0.0);
        return format!("{m:.0} m");
    }
    let km = metres / 1000.0;
    let s = if km < 10.0 && (km * 10.0).round() % 10.0 != 0.0 {
        format!("{km:.1}")
    } else {
        format!("{km:.0}")
    };
    let s = match lang {
        Lang::Fr => s.replace('.', ","),
        Lang::En => s,
    };
    format!("{s} km")
}

pub fn tz_of(name: &str) -> Tz {
    name.parse::<Tz>().unwrap_or(chrono_tz::Europe::Paris)
}

/// A date and time in a time zone, in the person's language.
pub fn datetime(lang: Lang, at: DateTime<Utc>, tz: &str) -> String {
    let local = at.with_timezone(&tz_of(tz));
    match lang {
        Lang::Fr => local.format("%d/%m/%Y %H:%M").to_string(),
        Lang::En => local.format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// A duration in minutes as people say it: `2 h`, `1 h 30`, `45 min`, `2 j`
/// (`2 h`, `1 h 30`, `45 min`, `2 d` in English).
pub fn duration(lang: Lang, minutes: u32) -> String {
    let day = match lang {
        Lang::Fr => "j",
        Lang::En => "d",
    };
    let (d, h, m) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d} {day}"));
    }
    match (h, m) {
        (0, 0) => {}
        (0, m) if d == 0 => parts.push(format!("{m} min")),
        (h, 0) => parts.push(format!("{h} h")),
        (h, m) => parts.push(format!("{h} h {m:02}")),
    }
    if parts.is_empty() {
        parts.push("0 min".to_owned());
    }
    parts.join(" ")
}

/// A date alone in a time zone, in the person's language.
pub fn date(lang: Lang, at: DateTime<Utc>, tz: &str) -> String {
    let local = at.with_timezone(&tz_of(tz));
    match lang {
        Lang::Fr => local.format("%d/%m/%Y").to_string(),
        Lang::En => local.format("%Y-%m-%d").to_string(),
    }
}

/// The first instant after `day` in `tz`: the midnight that follows it (or,
/// where a change of time skips that midnight, the first instant after).
pub fn after_day(day: chrono::NaiveDate, tz: &str) -> Option<DateTime<Utc>> {
    use chrono::TimeZone;
    let next = day.succ_opt()?.and_hms_opt(0, 0, 0)?;
    let tz = tz_of(tz);
    tz.from_local_datetime(&next)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(next + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

/// A person's name as others see it: a verified actor's with a badge.
pub fn name(a: &Actor) -> String {
    if a.verified {
        format!("{} ✓", a.display_name)
    } else {
        a.display_name.clone()
    }
}

/// `#42 Title`.
pub fn label(i: &Initiative) -> String {
    format!("#{} {}", i.id, i.title)
}

/// The short name of an initiative's buttons where they stand apart from it.
pub fn tag(i: &Initiative) -> Option<String> {
    Some(format!("#{}", i.id))
}

/// The actions that fit an initiative for someone with `role` in it.
pub fn actions(ctx: &Ctx<'_>, i: &Initiative, role: Option<Role>) -> Vec<Action> {
    let id = i.id;
    let mut v = vec![Action::new(
        ctx.t("action-show", &[]),
        format!("/voir {id}"),
    )];
    match (i.kind, i.status, role) {
        (_, _, Some(Role::Organiser)) => {}
        (InitiativeKind::Idea, Status::Open, None | Some(Role::Follower)) => {
            v.push(Action::new(
                ctx.t("action-support", &[]),
                format!("/soutenir {id}"),
            ));
        }
        (
            InitiativeKind::Project,
            Status::Active,
            None | Some(Role::Follower | Role::Supporter),
        ) => {
            v.push(Action::new(
                ctx.t("action-join", &[]),
                format!("/rejoindre {id}"),
            ));
        }
        _ => {}
    }
    if role.is_none() && i.status.is_live() {
        v.push(Action::new(
            ctx.t("action-follow", &[]),
            format!("/suivre {id}"),
        ));
    }
    v
}

/// A message in some person's language (not always the sender's).
pub(crate) type Tr<'a> = &'a dyn Fn(&str, &[(&str, Arg)]) -> String;

/// `Bénévoles 3/5 — samedi 9h` as a line in the reader's language.
pub(crate) fn need_line(t: Tr<'_>, n: &Need) -> String {
    let kind = t(&format!("need-kind-{}", n.kind.key()), &[]);
    let amount = match (n.kind, n.quantity) {
        (NeedKind::Funding, Some(q)) => format!(" · {q} €"),
        (k, _) if k.counts() => format!(" · {}/{}", n.filled, n.wanted()),
        _ => String::new(),
    };
    let status = match n.status {
        NeedStatus::Open => String::new(),
        NeedStatus::Filled => format!(" · {}", t("need-filled", &[])),
        NeedStatus::Closed => format!(" · {}", t("need-closed", &[])),
    };
    let detail = n
        .detail
        .as_deref()
        .map(|d| format!(" — {d}"))
        .unwrap_or_default();
    // The day it is for, in Paris time (the date was typed in the
    // organiser's zone, whose day ends at 23:59:59: shown as that day).
    let until = n
        .until
        .map(|u| {
            let day = u
                .with_timezone(&chrono_tz::Europe::Paris)
                .format("%d/%m/%Y")
                .to_string();
            format!(" · {}", t("need-until", &[("date", day.into())]))
        })
        .unwrap_or_default();
    format!("B{} {kind}{amount}{status}{until}{detail}", n.id)
}

/// « Réponse de la mairie de Villeurbanne, 12/03/2027 : retenue — … » in a
/// reader's language.
pub(crate) fn answer_line(
    t: Tr<'_>,
    a: &TownAnswer,
    by: Option<&Actor>,
    lang: Lang,
    tz: &str,
    max: Option<usize>,
) -> String {
    let status = t(&format!("answer-status-{}", a.status.key()), &[]);
    // Whole on the card; an excerpt where many gather (alerts).
    let text = match max {
        Some(max) => crate::text::excerpt(&a.text, max),
        None => a.text.clone(),
    };
    let date = date(lang, a.updated_at, tz);
    t(
        "answer-line",
        &[
            (
                "by",
                by.map_or_else(|| t("answer-by-unknown", &[]), name).into(),
            ),
            ("date", Arg::from(date)),
            ("status", status.into()),
            ("text", text.into()),
        ],
    )
}

/// A list line for an initiative, with an optional distance.
pub fn item(
    ctx: &Ctx<'_>,
    i: &Initiative,
    distance_m: Option<f64>,
    counts: (usize, usize),
    role: Option<Role>,
) -> ListItem {
    let mut first = Vec::new();
    if let Some(d) = distance_m {
        first.push(distance(ctx.lang(), d));
    }
    first.push(category(ctx, i.category));
    first.push(kind_status(ctx, i));
    let (supporters, members) = counts;
    let count = match i.kind {
        InitiativeKind::Idea => ctx.t("count-supporters", &[("n", Arg::from(supporters))]),
        InitiativeKind::Project => ctx.t("count-members", &[("n", Arg::from(members))]),
    };
    first.push(count);
    ListItem {
        tag: tag(i),
        title: label(i),
        details: vec![first.join(" · ")],
        actions: actions(ctx, i, role),
    }
}

/// (supporters, members including organisers) of an initiative.
pub async fn counts(ctx: &mut Ctx<'_>, id: InitiativeId) -> Result<(usize, usize), super::Fail> {
    let me = ctx.actor.id;
    let t = ctx
        .tx
        .member_tallies(&[id], me)
        .await?
        .into_iter()
        .next()
        .map(|(_, t)| t)
        .unwrap_or_default();
    Ok((t.supporters, t.members))
}

/// List lines for initiatives (with distances when given), fetching counts and roles.
pub async fn items(
    ctx: &mut Ctx<'_>,
    list: &[(Initiative, Option<f64>)],
) -> Result<Vec<ListItem>, super::Fail> {
    // One read gives every line's counts and the person's role.
    let ids: Vec<InitiativeId> = list.iter().map(|(i, _)| i.id).collect();
    let tallies: std::collections::HashMap<InitiativeId, MemberTally> = ctx
        .tx
        .member_tallies(&ids, ctx.actor.id)
        .await?
        .into_iter()
        .collect();
    Ok(list
        .iter()
        .map(|(i, d)| {
            let t = tallies.get(&i.id).copied().unwrap_or_default();
            item(ctx, i, *d, (t.supporters, t.members), t.role)
        })
        .collect())
}

/// The last day votes are taken: the day before the end (an end is the
/// midnight that follows the day named), in `tz`.
pub(crate) fn last_day(lang: Lang, c: &Consultation, tz: &str) -> String {
    date(lang, c.ends_at - chrono::Duration::seconds(1), tz)
}

/// A consultation as its readers get it: the question, how to answer, and
/// the options as its first actions, in order (the reader's own choices
/// marked); then the results and, with a vote, taking it back.
pub(crate) fn consultation_card(
    t: Tr<'_>,
    lang: Lang,
    c: &Consultation,
    from: &str,
    tz: &str,
    vote: Option<Choices>,
) -> crate::reply::Reply {
    let id = format!("C{}", c.id);
    let mut r = crate::reply::Reply::default()
        .heading(t(
            "consultation-title",
            &[("id", id.clone().into()), ("from", from.into())],
        ))
        .para(c.question.clone())
        .para(t(
            if c.multiple {
                "consultation-how-several"
            } else {
                "consultation-how-one"
            },
            &[("until", last_day(lang, c, tz).into())],
        ));
    r = match vote {
        Some(v) => r.para(t(
            "consultation-your-vote",
            &[("choices", chosen(c, v).into())],
        )),
        None => r.para(t("consultation-vote-hint", &[("id", id.clone().into())])),
    };
    r = r.para(t("consultation-secret", &[]));
    let mut actions: Vec<Action> = c
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let mark = if vote.is_some_and(|v| v.contains(i)) {
                "✅ "
            } else {
                ""
            };
            let command = if c.multiple {
                format!("/voter {id} +{}", i + 1)
            } else {
                format!("/voter {id} {}", i + 1)
            };
            Action::new(format!("{mark}{o}"), command)
        })
        .collect();
    actions.push(Action::new(
        t("action-results", &[]),
        format!("/resultats {id}"),
    ));
    if vote.is_some() {
        actions.push(Action::new(
            t("action-withdraw-vote", &[]),
            format!("/voter {id} retirer"),
        ));
    }
    r.actions(actions)
}

/// The options of a vote, by name: « Oui, Seulement l'été ».
pub(crate) fn chosen(c: &Consultation, v: Choices) -> String {
    v.iter()
        .filter_map(|i| c.options.get(i).cloned())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line an option: `Oui : 12 (48 %)`.
pub(crate) fn result_lines(t: Tr<'_>, c: &Consultation, tally: &Tally) -> Vec<String> {
    c.options
        .iter()
        .enumerate()
        .map(|(i, o)| {
            t(
                "consultation-result-line",
                &[
                    ("option", o.clone().into()),
                    ("count", tally.counts.get(i).copied().unwrap_or(0).into()),
                    ("percent", tally.percent(i).into()),
                ],
            )
        })
        .collect()
}

/// A consultation's results: open (so far) or closed (final).
pub(crate) fn consultation_results(
    t: Tr<'_>,
    lang: Lang,
    c: &Consultation,
    from: &str,
    tz: &str,
    tally: &Tally,
) -> crate::reply::Reply {
    let id = format!("C{}", c.id);
    let state = match c.closed_at {
        Some(at) => t(
            "consultation-closed-on",
            &[("date", date(lang, at, tz).into())],
        ),
        None => t(
            "consultation-open-until",
            &[("until", last_day(lang, c, tz).into())],
        ),
    };
    crate::reply::Reply::default()
        .heading(t(
            "consultation-results-title",
            &[("id", id.clone().into()), ("from", from.into())],
        ))
        .para(c.question.clone())
        .para(result_lines(t, c, tally).join("\n"))
        .para(t(
            "consultation-voters",
            &[("n", tally.voters.into()), ("state", state.into())],
        ))
        .para(t("consultation-indicative", &[]))
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_as_people_say_them() {
        use super::{Lang, duration};
        assert_eq!(duration(Lang::Fr, 120), "2 h");
        assert_eq!(duration(Lang::Fr, 90), "1 h 30");
        assert_eq!(duration(Lang::Fr, 45), "45 min");
        assert_eq!(duration(Lang::Fr, 1440 + 65), "1 j 1 h 05");
        assert_eq!(duration(Lang::En, 2880), "2 d");
        assert_eq!(duration(Lang::En, 1441), "1 d 0 h 01");
    }

    use super::*;

    #[test]
    fn distances_are_rounded() {
        assert_eq!(distance(Lang::Fr, 349.0), "350 m");
        assert_eq!(distance(Lang::Fr, 2420.0), "2,4 km");
        assert_eq!(distance(Lang::En, 2420.0), "2.4 km");
        assert_eq!(distance(Lang::En, 12_600.0), "13 km");
        assert_eq!(distance(Lang::Fr, 0.0), "0 m");
        assert_eq!(distance(Lang::Fr, 5000.0), "5 km");
        assert_eq!(distance(Lang::Fr, 4990.0), "5 km");
    }
}
