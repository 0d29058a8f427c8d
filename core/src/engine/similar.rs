//! Before a duplicate: the open initiatives like a new one nearby (a
//! significant title word in common, accents folded, one word a prefix of
//! the other, within 1 km), found through the nearby index and the search,
//! never by a scan.

use super::{Ctx, Fail, render};
use crate::domain::*;
use crate::geo::GeoPoint;
use crate::reply::{Action, ListItem, Reply};

/// How far an initiative may be and still be "the same one nearby".
pub const SIMILAR_RADIUS_M: u32 = 1_000;
/// Most similar initiatives shown.
const SHOWN: usize = 3;
/// Most title words looked up.
const WORDS: usize = 6;
/// Shortest word that says something, and the prefix the search looks up.
const MIN_WORD: usize = 4;
const STEM: usize = 5;
/// Most initiatives the search says for a word.
const SEARCHED: usize = 200;
/// Most nearby initiatives read by id when the search was not complete.
const NEAREST_READ: usize = 60;
/// So few nearby that reading them beats searching.
const FEW: usize = 20;

/// Words too common in titles to make two initiatives alike (folded).
const COMMON: &[&str] = &[
    "pour",
    "dans",
    "avec",
    "sans",
    "sous",
    "entre",
    "chez",
    "notre",
    "votre",
    "leur",
    "leurs",
    "projet",
    "projets",
    "idee",
    "idees",
    "collectif",
    "collective",
    "partage",
    "partagee",
    "partages",
    "partagees",
    "commun",
    "commune",
    "communs",
    "quartier",
    "quartiers",
    "ville",
    "atelier",
    "ateliers",
    "groupe",
    "tous",
    "toutes",
    "ensemble",
    "petit",
    "petite",
    "grand",
    "grande",
    "solidaire",
    "solidaires",
    "habitants",
    "local",
    "locale",
    "nouveau",
    "nouvelle",
    "with",
    "from",
    "this",
    "that",
    "your",
    "ours",
    "project",
    "projects",
    "idea",
    "ideas",
    "shared",
    "community",
    "group",
    "neighbourhood",
    "neighborhood",
    "street",
    "together",
    "small",
    "great",
    "workshop",
];

/// A title's significant words: folded, long enough, not numbers, not too
/// common, each once.
pub fn significant(title: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in crate::text::search_words(title) {
        if w.chars().count() >= MIN_WORD
            && !w.chars().all(|c| c.is_ascii_digit())
            && !COMMON.contains(&w.as_str())
            && !out.contains(&w)
        {
            out.push(w);
        }
    }
    out
}

/// Whether two folded words are one: the same, or one a prefix of the other
/// when the shorter says enough (« compost » and « composteur », but not
/// « bois » and « boissons »).
fn alike(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short == long || (short.chars().count() >= STEM && long.starts_with(short))
}

/// Whether an initiative is open to newcomers: an idea still gathering
/// support, or an active project.
fn open(i: &Initiative) -> bool {
    i.is_shown()
        && matches!(
            (i.kind, i.status),
            (InitiativeKind::Idea, Status::Open) | (InitiativeKind::Project, Status::Active)
        )
}

/// The open initiatives like `title` within [`SIMILAR_RADIUS_M`] of
/// `place` (but `except`), nearest first, at most three.
pub async fn similar(
    ctx: &mut Ctx<'_>,
    title: &str,
    place: GeoPoint,
    except: Option<InitiativeId>,
) -> Result<Vec<(Initiative, f64)>, Fail> {
    let words = significant(title);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let near: std::collections::HashMap<InitiativeId, f64> = ctx
        .nearby(place, SIMILAR_RADIUS_M, &[], None)
        .into_iter()
        .filter(|(id, _)| Some(*id) != except)
        .collect();
    if near.is_empty() {
        return Ok(Vec::new());
    }
    let mut found: Vec<(Initiative, f64)> = Vec::new();
    let me = ctx.actor.id;
    let fits = |i: &Initiative| {
        let theirs = significant(&i.title);
        open(i)
            && i.created_by != Some(me)
            && words.iter().any(|m| theirs.iter().any(|t| alike(m, t)))
    };
    // Few nearby: read them (by id); many: ask the search for each word.
    let mut complete = near.len() > FEW;
    if complete {
        let mut stems: Vec<String> = Vec::new();
        for w in words.iter().take(WORDS) {
            // The search finds word prefixes: a stem finds « compost » from
            // « composteur »; the titles are compared after.
            let stem: String = w.chars().take(STEM).collect();
            if !stems.contains(&stem) {
                stems.push(stem);
            }
        }
        for stem in stems {
            let hits = ctx.tx.search_initiatives(&[stem], SEARCHED).await?;
            // As many as asked: others, nearby, may be left out.
            complete &= hits.len() < SEARCHED;
            for i in hits {
                let Some(d) = near.get(&i.id).copied() else {
                    continue;
                };
                if !found.iter().any(|(f, _)| f.id == i.id) && fits(&i) {
                    found.push((i, d));
                }
            }
        }
    }
    if !complete {
        // Few nearby, or a word so common everywhere that the search could
        // not say them all: the nearest ones are read by id.
        let mut nearest: Vec<(InitiativeId, f64)> = near.into_iter().collect();
        nearest.sort_by(|a, b| a.1.total_cmp(&b.1));
        for (id, d) in nearest.into_iter().take(NEAREST_READ) {
            if found.iter().any(|(f, _)| f.id == id) {
                continue;
            }
            if let Some(i) = ctx.tx.initiative(id).await?
                && fits(&i)
            {
                found.push((i, d));
            }
        }
    }
    found.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.id.cmp(&b.0.id)));
    found.truncate(SHOWN);
    Ok(found)
}

/// The similar initiatives as a list: each with « Rejoindre » (a project)
/// or « Soutenir » (an idea), then `last` (« Proposer quand même », or
/// « Retirer la mienne » once published).
pub fn list(ctx: &Ctx<'_>, found: &[(Initiative, f64)], heading: &str, last: Action) -> Reply {
    let items = found
        .iter()
        .map(|(i, d)| {
            let action = if i.kind == InitiativeKind::Project {
                Action::new(ctx.t("action-join", &[]), format!("/rejoindre {}", i.id))
            } else {
                Action::new(ctx.t("action-support", &[]), format!("/soutenir {}", i.id))
            };
            ListItem {
                tag: Some(format!("#{}", i.id)),
                title: render::label(i),
                details: vec![render::distance(ctx.lang(), *d)],
                actions: vec![
                    action,
                    Action::new(ctx.t("action-show", &[]), format!("/voir {}", i.id)),
                ],
            }
        })
        .collect();
    Reply::default()
        .heading(heading)
        .list(items)
        .actions(vec![last])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_words_are_folded_long_and_not_common() {
        assert_eq!(
            significant("Un composteur partagé pour l'école Pasteur 🌱"),
            vec!["composteur", "ecole", "pasteur"]
        );
        assert!(significant("Le projet du quartier").is_empty());
        assert!(alike("composteur", "compost"));
        assert!(!alike("composition", "composteur"));
        assert!(!alike("bois", "boissons"));
        assert!(alike("bois", "bois"));
        assert!(
            significant("Fête 2025 des voisins")
                .iter()
                .all(|w| w != "2025")
        );
    }
}
