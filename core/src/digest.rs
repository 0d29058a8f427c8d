//! What a municipality's digest says: the news of its communes over a period,
//! grouped by initiative. Pure: the engine gathers the rows and renders them in
//! each reader's language.

use std::collections::{BTreeMap, HashMap};

use crate::domain::*;

/// A first digest covers this many days.
pub const FIRST_PERIOD_DAYS: i64 = 7;
/// Events of this many days ahead are announced.
pub const EVENTS_AHEAD_DAYS: i64 = 14;
/// Initiatives shown in one digest; the rest are counted and pointed to `/fil`.
pub const MAX_SECTIONS: usize = 20;

/// One piece of news about an initiative.
#[derive(Debug, Clone, PartialEq)]
pub enum News {
    Proposed,
    Launched,
    Done,
    Update(String),
    Event(Event),
    /// A need stated in the period, still open.
    Need(Need),
    /// The town hall answered (or changed its answer) in the period.
    Answer(TownAnswer),
    /// The idea reached the town hall's threshold of supporters (this many).
    Threshold(u32),
}

/// An initiative and its news over the period.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub initiative: Initiative,
    pub news: Vec<News>,
}

/// Groups the period's activity and the coming events by initiative: projects
/// with news first (most news first), then new ideas; dropped initiatives left
/// out. `updates` gives the text of each update by id.
pub fn sections(
    initiatives: &[Initiative],
    activity: &[Activity],
    updates: &HashMap<i64, String>,
    upcoming: &[Event],
    needs: &[Need],
    answers: &[TownAnswer],
    flags: &[(InitiativeId, u32)],
) -> Vec<Section> {
    let by_id: HashMap<InitiativeId, &Initiative> = initiatives.iter().map(|i| (i.id, i)).collect();
    let mut news: BTreeMap<InitiativeId, Vec<News>> = BTreeMap::new();
    for a in activity {
        let item = match a.kind {
            ActivityKind::Created => News::Proposed,
            ActivityKind::Launched => News::Launched,
            ActivityKind::Done => News::Done,
            ActivityKind::Updated => match a.ref_id.and_then(|u| updates.get(&u)) {
                Some(text) => News::Update(text.clone()),
                None => continue,
            },
            // Events are announced from the coming ones below, once each.
            ActivityKind::Event => continue,
        };
        news.entry(a.initiative).or_default().push(item);
    }
    for e in upcoming {
        news.entry(e.initiative)
            .or_default()
            .push(News::Event(e.clone()));
    }
    for n in needs {
        news.entry(n.initiative)
            .or_default()
            .push(News::Need(n.clone()));
    }
    for a in answers {
        news.entry(a.initiative)
            .or_default()
            .push(News::Answer(a.clone()));
    }
    // An idea the town hall answered in the period no longer « awaits » it.
    for (id, n) in flags {
        if !answers.iter().any(|a| a.initiative == *id) {
            news.entry(*id).or_default().push(News::Threshold(*n));
        }
    }
    let mut out: Vec<Section> = news
        .into_iter()
        .filter_map(|(id, news)| {
            let i = by_id.get(&id)?;
            (i.status != Status::Dropped).then(|| Section {
                initiative: (*i).clone(),
                news,
            })
        })
        .collect();
    out.sort_by_key(|s| {
        let idea_only = s.news.iter().all(|n| *n == News::Proposed);
        (idea_only, std::cmp::Reverse(s.news.len()), s.initiative.id)
    });
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chrono::{TimeZone, Utc};

    use super::*;

    fn initiative(id: i64, kind: InitiativeKind, status: Status) -> Initiative {
        let t = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        Initiative {
            id: InitiativeId(id),
            kind,
            title: format!("I{id}"),
            description: String::new(),
            category: Category::Compost,
            place: None,
            commune: InseeCode::parse("69266"),
            status,
            created_by: None,
            offered_to: None,
            created_at: t,
            updated_at: t,
            hidden: false,
            carried_by: None,
        }
    }

    fn activity(id: i64, initiative: i64, kind: ActivityKind, ref_id: Option<i64>) -> Activity {
        Activity {
            id,
            initiative: InitiativeId(initiative),
            kind,
            ref_id,
            at: Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap(),
        }
    }

    #[test]
    fn grouped_by_initiative_projects_first_dropped_left_out() {
        let is = vec![
            initiative(1, InitiativeKind::Idea, Status::Open),
            initiative(2, InitiativeKind::Project, Status::Active),
            initiative(3, InitiativeKind::Idea, Status::Dropped),
        ];
        let acts = vec![
            activity(1, 1, ActivityKind::Created, None),
            activity(2, 2, ActivityKind::Launched, None),
            activity(3, 2, ActivityKind::Updated, Some(7)),
            activity(4, 2, ActivityKind::Updated, Some(8)),
            activity(5, 3, ActivityKind::Created, None),
            activity(6, 2, ActivityKind::Event, Some(1)),
        ];
        let updates = HashMap::from([(7, "Bac livré".to_owned())]);
        let e = Event {
            id: EventId(1),
            initiative: InitiativeId(2),
            title: "Atelier".into(),
            starts_at: Utc.with_ymd_and_hms(2026, 12, 2, 17, 0, 0).unwrap(),
            tz: "Europe/Paris".into(),
            place: None,
            created_by: None,
            created_at: Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap(),
            hidden: false,
            minutes: EVENT_MINUTES_DEFAULT,
            sequence: 0,
            updated_at: None,
            cancelled_at: None,
        };
        let s = sections(
            &is,
            &acts,
            &updates,
            std::slice::from_ref(&e),
            &[],
            &[],
            &[],
        );
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].initiative.id, InitiativeId(2));
        // Update 8 has no text (deleted with its author): left out; the event once.
        assert_eq!(
            s[0].news,
            vec![
                News::Launched,
                News::Update("Bac livré".into()),
                News::Event(e)
            ]
        );
        assert_eq!(s[1].initiative.id, InitiativeId(1));
        assert_eq!(s[1].news, vec![News::Proposed]);
        assert!(sections(&is, &[], &HashMap::new(), &[], &[], &[], &[]).is_empty());
    }
}
