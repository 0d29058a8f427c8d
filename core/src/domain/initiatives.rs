//! Initiatives (ideas and projects), their categories and statuses, who is in
//! them, their updates and events, and the answers to events.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::*;
use crate::geo::GeoPoint;
use crate::text::fold;

/// The latest date an event may start (and, later, a consultation end): two
/// years after `now` (INTERFACE.md).
pub fn latest_date(now: DateTime<Utc>) -> DateTime<Utc> {
    now.checked_add_months(chrono::Months::new(24))
        .unwrap_or(now)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InitiativeKind {
    Idea,
    Project,
}

impl InitiativeKind {
    pub fn key(self) -> &'static str {
        match self {
            Self::Idea => "idea",
            Self::Project => "project",
        }
    }
    pub fn parse_key(s: &str) -> Option<Self> {
        match s {
            "idea" => Some(Self::Idea),
            "project" => Some(Self::Project),
            _ => None,
        }
    }
}

/// Idea: open, launched, dropped. Project: active, done, archived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Open,
    Launched,
    Dropped,
    Active,
    Done,
    Archived,
}

impl Status {
    pub fn key(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Launched => "launched",
            Self::Dropped => "dropped",
            Self::Active => "active",
            Self::Done => "done",
            Self::Archived => "archived",
        }
    }
    pub fn parse_key(s: &str) -> Option<Self> {
        [
            Self::Open,
            Self::Launched,
            Self::Dropped,
            Self::Active,
            Self::Done,
            Self::Archived,
        ]
        .into_iter()
        .find(|v| v.key() == s)
    }
    /// Whether the initiative still shows in discovery.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Open | Self::Active | Self::Done)
    }
}

/// The category keys of INTERFACE.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Cleanup,
    Compost,
    Food,
    Repair,
    Antiwaste,
    Mobility,
    Nature,
    Energy,
    Solidarity,
    Culture,
    Other,
}

impl Category {
    pub const ALL: [Self; 11] = [
        Self::Cleanup,
        Self::Compost,
        Self::Food,
        Self::Repair,
        Self::Antiwaste,
        Self::Mobility,
        Self::Nature,
        Self::Energy,
        Self::Solidarity,
        Self::Culture,
        Self::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Cleanup => "cleanup",
            Self::Compost => "compost",
            Self::Food => "food",
            Self::Repair => "repair",
            Self::Antiwaste => "antiwaste",
            Self::Mobility => "mobility",
            Self::Nature => "nature",
            Self::Energy => "energy",
            Self::Solidarity => "solidarity",
            Self::Culture => "culture",
            Self::Other => "other",
        }
    }

    /// The key, or the French or English name, case- and accent-insensitive.
    pub fn parse(s: &str) -> Option<Self> {
        let f = fold(s);
        let f = f.trim();
        let names: &[(&str, Self)] = &[
            ("nettoyage", Self::Cleanup),
            ("clean up", Self::Cleanup),
            ("clean-up", Self::Cleanup),
            ("compostage", Self::Compost),
            ("alimentation", Self::Food),
            ("nourriture", Self::Food),
            ("reparation", Self::Repair),
            ("anti-gaspillage", Self::Antiwaste),
            ("antigaspillage", Self::Antiwaste),
            ("anti-waste", Self::Antiwaste),
            ("anti gaspillage", Self::Antiwaste),
            ("mobilite", Self::Mobility),
            ("energie", Self::Energy),
            ("solidarite", Self::Solidarity),
            ("autre", Self::Other),
        ];
        Self::ALL
            .into_iter()
            .find(|c| c.key() == f)
            .or_else(|| names.iter().find(|(n, _)| *n == f).map(|(_, c)| *c))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Initiative {
    pub id: InitiativeId,
    pub kind: InitiativeKind,
    pub title: String,
    pub description: String,
    pub category: Category,
    pub place: Option<GeoPoint>,
    pub commune: Option<InseeCode>,
    pub status: Status,
    /// Who proposed it; `None` once that person has asked to be forgotten.
    pub created_by: Option<ActorId>,
    /// The member offered the organiser role after the last organiser left.
    pub offered_to: Option<ActorId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Hidden by moderation: shown to nobody but its organisers and moderators.
    #[serde(default)]
    pub hidden: bool,
    /// The verified actor it was proposed in the name of, if any.
    #[serde(default)]
    pub carried_by: Option<ActorId>,
}

impl Initiative {
    /// Whether the initiative shows in discovery: live and not hidden.
    pub fn is_shown(&self) -> bool {
        self.status.is_live() && !self.hidden
    }
}

/// An initiative as lists, maps and calendars name it: all but its
/// description and the people behind it (what the public pages read by the
/// thousand).
#[derive(Debug, Clone, PartialEq)]
pub struct InitiativeSummary {
    pub id: InitiativeId,
    pub kind: InitiativeKind,
    pub status: Status,
    pub category: Category,
    pub title: String,
    pub place: Option<GeoPoint>,
    pub commune: Option<InseeCode>,
    pub updated_at: DateTime<Utc>,
    pub hidden: bool,
}

impl InitiativeSummary {
    /// As [`Initiative::is_shown`].
    pub fn is_shown(&self) -> bool {
        self.status.is_live() && !self.hidden
    }
}

/// What a commune's page lists, read from the store without reading every
/// initiative of a large commune.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CommuneOverview {
    /// The commune's initiatives not hidden, counted by status (each status
    /// they have, any order).
    pub counts: Vec<(Status, usize)>,
    /// The latest change of one of them.
    pub changed_at: Option<DateTime<Utc>>,
    /// The shown ones (live, not hidden): of each live status, the most
    /// recently changed first, as many as asked; any order.
    pub latest: Vec<InitiativeSummary>,
}

impl CommuneOverview {
    /// What the store gives for a commune whose initiatives not hidden are
    /// `all` (the same: counts, latest change, and the `per_status` most
    /// recently changed of each live status).
    pub fn of(all: &[InitiativeSummary], per_status: usize) -> Self {
        let mut kept: Vec<&InitiativeSummary> = all.iter().filter(|s| !s.hidden).collect();
        kept.sort_by_key(|s| (s.status.key(), std::cmp::Reverse((s.updated_at, s.id.0))));
        let by_status: Vec<&[&InitiativeSummary]> =
            kept.chunk_by(|a, b| a.status == b.status).collect();
        Self {
            counts: by_status.iter().map(|c| (c[0].status, c.len())).collect(),
            changed_at: kept.iter().map(|s| s.updated_at).max(),
            latest: by_status
                .iter()
                .filter(|c| c[0].status.is_live())
                .flat_map(|c| c.iter().take(per_status).map(|s| (*s).clone()))
                .collect(),
        }
    }

    /// How many of them have this status.
    pub fn count(&self, status: Status) -> usize {
        self.counts
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n)
    }

    /// How many are shown (live statuses).
    pub fn shown(&self) -> usize {
        self.counts
            .iter()
            .filter(|(s, _)| s.is_live())
            .map(|(_, n)| n)
            .sum()
    }
}

impl From<&Initiative> for InitiativeSummary {
    fn from(i: &Initiative) -> Self {
        Self {
            id: i.id,
            kind: i.kind,
            status: i.status,
            category: i.category,
            title: i.title.clone(),
            place: i.place,
            commune: i.commune.clone(),
            updated_at: i.updated_at,
            hidden: i.hidden,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewInitiative {
    pub title: String,
    pub description: String,
    pub category: Category,
    pub place: Option<GeoPoint>,
    pub commune: Option<InseeCode>,
    pub created_by: ActorId,
    pub created_at: DateTime<Utc>,
    /// Proposed in a verified actor's name by one of its people.
    pub carried_by: Option<ActorId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Organiser,
    Member,
    Supporter,
    Follower,
}

impl Role {
    pub fn key(self) -> &'static str {
        match self {
            Self::Organiser => "organiser",
            Self::Member => "member",
            Self::Supporter => "supporter",
            Self::Follower => "follower",
        }
    }
    pub fn parse_key(s: &str) -> Option<Self> {
        [
            Self::Organiser,
            Self::Member,
            Self::Supporter,
            Self::Follower,
        ]
        .into_iter()
        .find(|r| r.key() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Membership {
    pub initiative: InitiativeId,
    pub actor: ActorId,
    pub role: Role,
    pub since: DateTime<Utc>,
}

/// How many stand behind an initiative, and one person's place among them
/// (what a list shows of each line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemberTally {
    pub supporters: usize,
    /// Members, organisers included.
    pub members: usize,
    /// The person's role, if they have one.
    pub role: Option<Role>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgressUpdate {
    pub id: UpdateId,
    pub initiative: InitiativeId,
    pub author: Option<ActorId>,
    pub text: String,
    pub created_at: DateTime<Utc>,
    /// Hidden by moderation.
    #[serde(default)]
    pub hidden: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    pub initiative: InitiativeId,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    /// IANA time zone the start was given in; times are shown in it.
    pub tz: String,
    pub place: Option<GeoPoint>,
    pub created_by: Option<ActorId>,
    pub created_at: DateTime<Utc>,
    /// Hidden by moderation.
    #[serde(default)]
    pub hidden: bool,
    /// How long it lasts, in minutes ([`EVENT_MINUTES_DEFAULT`] unless told).
    #[serde(default = "default_minutes")]
    pub minutes: u32,
    /// Grows by one at each change (iCalendar's `SEQUENCE`).
    #[serde(default)]
    pub sequence: u32,
    /// The last change (title, time, place, duration or cancellation).
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub cancelled_at: Option<DateTime<Utc>>,
}

/// An event's length when none is given: two hours (INTERFACE.md).
pub const EVENT_MINUTES_DEFAULT: u32 = 120;
/// The longest event: a week.
pub const EVENT_MINUTES_MAX: u32 = 7 * 24 * 60;

fn default_minutes() -> u32 {
    EVENT_MINUTES_DEFAULT
}

impl Event {
    pub fn ends_at(&self) -> DateTime<Utc> {
        self.starts_at + chrono::Duration::minutes(i64::from(self.minutes))
    }
    pub fn is_cancelled(&self) -> bool {
        self.cancelled_at.is_some()
    }
    /// When it last changed: its creation if never.
    pub fn changed_at(&self) -> DateTime<Utc> {
        self.updated_at.unwrap_or(self.created_at)
    }
}

/// Parses a duration as people write it: `3h`, `1h30`, `90min`, `2 h`,
/// `45 minutes`, `1j` / `1d`. `None` for anything else or zero.
pub fn parse_minutes(s: &str) -> Option<u32> {
    let s: String = fold(s).chars().filter(|c| !c.is_whitespace()).collect();
    let number_then = |s: &str| -> Option<(u32, String)> {
        let end = s.find(|c: char| !c.is_ascii_digit())?;
        let n = s.get(..end)?.parse::<u32>().ok()?;
        Some((n, s.get(end..)?.to_owned()))
    };
    let (n, unit) = number_then(&s)?;
    let minutes = match unit.as_str() {
        "min" | "mn" | "m" | "minute" | "minutes" => Some(n),
        "h" | "heure" | "heures" | "hour" | "hours" => n.checked_mul(60),
        "j" | "jour" | "jours" | "d" | "day" | "days" => n.checked_mul(24 * 60),
        u => {
            // 1h30, 1h30min
            let rest = u.strip_prefix('h')?;
            let rest = ["min", "mn", ""]
                .iter()
                .find_map(|suffix| rest.strip_suffix(suffix).filter(|r| !r.is_empty()))?;
            let m: u32 = rest.parse().ok().filter(|m| *m < 60)?;
            n.checked_mul(60)?.checked_add(m)
        }
    }?;
    (minutes > 0).then_some(minutes)
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub initiative: InitiativeId,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub tz: String,
    pub place: Option<GeoPoint>,
    pub minutes: u32,
    pub created_by: ActorId,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod duration_tests {
    use super::parse_minutes;

    #[test]
    fn durations_as_people_write_them() {
        assert_eq!(parse_minutes("3h"), Some(180));
        assert_eq!(parse_minutes("2 h"), Some(120));
        assert_eq!(parse_minutes("1h30"), Some(90));
        assert_eq!(parse_minutes("1h30min"), Some(90));
        assert_eq!(parse_minutes("90min"), Some(90));
        assert_eq!(parse_minutes("45 minutes"), Some(45));
        assert_eq!(parse_minutes("2 heures"), Some(120));
        assert_eq!(parse_minutes("1j"), Some(1440));
        assert_eq!(parse_minutes("1 Jour"), Some(1440));
        assert_eq!(parse_minutes("0h"), None);
        assert_eq!(parse_minutes("1h75"), None);
        assert_eq!(parse_minutes("h"), None);
        assert_eq!(parse_minutes("3"), None);
        assert_eq!(parse_minutes("3 semaines"), None);
        assert_eq!(parse_minutes("99999999999h"), None);
        assert_eq!(parse_minutes("4294967295j"), None);
        assert_eq!(parse_minutes("é😀"), None);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RsvpAnswer {
    Yes,
    No,
    Maybe,
}

impl RsvpAnswer {
    pub fn key(self) -> &'static str {
        match self {
            Self::Yes => "yes",
            Self::No => "no",
            Self::Maybe => "maybe",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match fold(s).replace(['-', ' ', '\''], "").as_str() {
            "oui" | "yes" | "y" | "o" => Some(Self::Yes),
            "non" | "no" | "n" => Some(Self::No),
            "peutetre" | "maybe" | "pe" => Some(Self::Maybe),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rsvp {
    pub event: EventId,
    pub actor: ActorId,
    pub answer: RsvpAnswer,
    pub at: DateTime<Utc>,
}
