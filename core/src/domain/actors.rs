//! Verified actors as the public sees them: an association's, a company's or a
//! town hall's profile (`A12`), the people who act for it (its team), and the
//! skills a person offers.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::*;
use crate::geo::GeoPoint;
use crate::text::{self, TextError, fold};

/// What a person (skills) or a verified actor (everything) says of itself
/// beyond its name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorProfile {
    pub actor: ActorId,
    pub description: Option<String>,
    pub categories: Vec<Category>,
    /// Where the actor is (a point, or a commune's centre), and its commune.
    pub place: Option<GeoPoint>,
    pub commune: Option<InseeCode>,
    /// A `http(s)` address.
    pub site: Option<String>,
    pub contact: Option<String>,
    /// What the person can offer (`jardinage`), folded for matching.
    pub skills: Vec<String>,
    /// How far from their last shared location they would help, in metres.
    pub skills_radius_m: Option<u32>,
    pub updated_at: DateTime<Utc>,
}

impl ActorProfile {
    pub fn empty(actor: ActorId, at: DateTime<Utc>) -> Self {
        Self {
            actor,
            description: None,
            categories: Vec::new(),
            place: None,
            commune: None,
            site: None,
            contact: None,
            skills: Vec::new(),
            skills_radius_m: None,
            updated_at: at,
        }
    }
}

/// A person who acts for a verified actor, besides the actor's own account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub actor: ActorId,
    pub member: ActorId,
    /// Who added them (none when that person was erased).
    pub added_by: Option<ActorId>,
    pub since: DateTime<Utc>,
    /// When they accepted; `None`: invited, acting for nobody yet.
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// A verified actor as the actors' index reads it from the store.
#[derive(Debug, Clone, PartialEq)]
pub struct LocatedActor {
    pub id: ActorId,
    pub kind: ActorKind,
    pub categories: Vec<Category>,
    /// The place of its profile, if it gave one.
    pub place: Option<GeoPoint>,
    /// Its first commune, whose centre stands for it without a place.
    pub commune: Option<InseeCode>,
}

/// People who may act for one actor besides its own account.
pub const TEAM_MAX: usize = 20;
/// Longest website address.
pub const SITE_MAX: usize = 200;
/// Longest contact line.
pub const CONTACT_MAX: usize = 200;
/// Most skills a person lists, and the longest one.
pub const SKILLS_MAX: usize = 10;
pub const SKILL_MAX: usize = 40;
/// Most categories an actor lists.
pub const ACTOR_CATEGORIES_MAX: usize = 5;

/// Why a profile value was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileError {
    Text(TextError),
    /// Not an `http(s)` address.
    BadSite,
    /// A word that is no category.
    BadCategory(String),
    TooMany {
        max: usize,
    },
}

/// A website: `https://…` or `http://…` (`www.…` gets `https://`), one word,
/// with a host.
pub fn parse_site(s: &str) -> Result<String, ProfileError> {
    let s = s.trim();
    if s.chars().count() > SITE_MAX {
        return Err(ProfileError::Text(TextError::TooLong {
            max: SITE_MAX,
            len: s.chars().count(),
        }));
    }
    let full = if s.to_ascii_lowercase().starts_with("www.") {
        format!("https://{s}")
    } else {
        s.to_owned()
    };
    let lower = full.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or(ProfileError::BadSite)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // ASCII hosts only (an international name in its `xn--` form): no
    // look-alike letters in an address a town hall's card shows.
    let host_ok = host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && !host.ends_with(':')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    if !host_ok
        || full.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || text::is_invisible(c)
                || matches!(c, '<' | '>' | '"')
        })
    {
        return Err(ProfileError::BadSite);
    }
    Ok(full)
}

/// A contact line: one line, 1 to 200 characters.
pub fn parse_contact(s: &str) -> Result<String, ProfileError> {
    let s = text::strip_controls(s).replace('\n', " ");
    let s = s.trim();
    let len = s.chars().count();
    if len == 0 {
        return Err(ProfileError::Text(TextError::Empty));
    }
    if len > CONTACT_MAX {
        return Err(ProfileError::Text(TextError::TooLong {
            max: CONTACT_MAX,
            len,
        }));
    }
    Ok(s.to_owned())
}

/// `compost, food` or `compost food`: known categories, at most five.
pub fn parse_categories(s: &str) -> Result<Vec<Category>, ProfileError> {
    let mut out = Vec::new();
    for word in s.split([',', ' ', ';']).filter(|w| !w.trim().is_empty()) {
        let c = Category::parse(word.trim())
            .ok_or_else(|| ProfileError::BadCategory(word.trim().to_owned()))?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    if out.is_empty() {
        return Err(ProfileError::Text(TextError::Empty));
    }
    if out.len() > ACTOR_CATEGORIES_MAX {
        return Err(ProfileError::TooMany {
            max: ACTOR_CATEGORIES_MAX,
        });
    }
    Ok(out)
}

/// `jardinage, bricolage`: comma-separated skills, kept folded (accents and
/// case left out, so « Jardinage » matches « jardinage »), at most ten of
/// forty characters each.
pub fn parse_skills(s: &str) -> Result<Vec<String>, ProfileError> {
    let mut out: Vec<String> = Vec::new();
    for part in text::strip_controls(s).split([',', ';', '\n']) {
        let words: Vec<String> = fold(part)
            .split(|c: char| !c.is_alphanumeric() && c != '-')
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        let skill = words.join(" ");
        if skill.is_empty() {
            continue;
        }
        let len = skill.chars().count();
        if len > SKILL_MAX {
            return Err(ProfileError::Text(TextError::TooLong {
                max: SKILL_MAX,
                len,
            }));
        }
        if !out.contains(&skill) {
            out.push(skill);
        }
    }
    if out.is_empty() {
        return Err(ProfileError::Text(TextError::Empty));
    }
    if out.len() > SKILLS_MAX {
        return Err(ProfileError::TooMany { max: SKILLS_MAX });
    }
    Ok(out)
}

/// `associations`, `entreprises`, `mairies` (singular too, English too).
pub fn parse_actor_kind_plural(s: &str) -> Option<ActorKind> {
    match fold(s).as_str() {
        "association" | "associations" | "asso" | "assos" => Some(ActorKind::Association),
        "entreprise" | "entreprises" | "company" | "companies" => Some(ActorKind::Company),
        "mairie" | "mairies" | "municipality" | "municipalities" | "townhall" | "townhalls" => {
            Some(ActorKind::Municipality)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites() {
        assert_eq!(
            parse_site("www.compost-lyon.fr").unwrap(),
            "https://www.compost-lyon.fr"
        );
        assert!(parse_site("https://exemple.org/a?b=c").is_ok());
        for bad in [
            "javascript:alert(1)",
            "https://",
            "https://localhost",
            "ftp://x.org",
            "https://a b.org",
            "https://x.org/\"><script>",
            "https://user@evil.org",
            "exemple.org",
            "https://exаmple.org",
            "https://x.org/\u{202E}gpj.exe",
            "https://x.org:",
        ] {
            assert!(parse_site(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn skills_and_categories() {
        assert_eq!(
            parse_skills("Jardinage, bricolage ; Électricité").unwrap(),
            vec!["jardinage", "bricolage", "electricite"]
        );
        assert!(parse_skills(" , ;").is_err());
        assert_eq!(
            parse_categories("compost, Réparation").unwrap(),
            vec![Category::Compost, Category::Repair]
        );
        assert_eq!(
            parse_categories("pizza"),
            Err(ProfileError::BadCategory("pizza".into()))
        );
        assert_eq!(
            parse_actor_kind_plural("Mairies"),
            Some(ActorKind::Municipality)
        );
    }
}
