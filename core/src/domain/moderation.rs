//! Moderation: what can be reported (an initiative, an update, an event, a
//! verified actor), reports and their reasons, moderators and their scope,
//! bans, and the log of what moderators did.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::*;
use crate::text::fold;

/// What a report, a hiding or a log entry is about: `#42`, `U15`, `E7`, `A12`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Target {
    Initiative(InitiativeId),
    Update(UpdateId),
    Event(EventId),
    Actor(ActorId),
}

impl Target {
    /// The kind as stored (`initiative`, `update`, `event`, `actor`).
    pub fn kind_key(self) -> &'static str {
        match self {
            Self::Initiative(_) => "initiative",
            Self::Update(_) => "update",
            Self::Event(_) => "event",
            Self::Actor(_) => "actor",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            Self::Initiative(i) => i.0,
            Self::Update(u) => u.0,
            Self::Event(e) => e.0,
            Self::Actor(a) => a.0,
        }
    }

    /// Back from the stored kind and id.
    pub fn from_parts(kind: &str, id: i64) -> Option<Self> {
        match kind {
            "initiative" => Some(Self::Initiative(InitiativeId(id))),
            "update" => Some(Self::Update(UpdateId(id))),
            "event" => Some(Self::Event(EventId(id))),
            "actor" => Some(Self::Actor(ActorId(id))),
            _ => None,
        }
    }

    /// `#42`, `42`, `U15`, `E7`, `A12` (letters in either case).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let number = |n: &str| -> Option<i64> {
            if n.is_empty() || n.len() > 15 || !n.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            n.parse::<i64>().ok().filter(|n| *n > 0)
        };
        let (first, rest) = s.split_at(s.chars().next().map_or(0, char::len_utf8));
        match first {
            "#" => number(rest).map(|n| Self::Initiative(InitiativeId(n))),
            "u" | "U" => number(rest).map(|n| Self::Update(UpdateId(n))),
            "e" | "E" => number(rest).map(|n| Self::Event(EventId(n))),
            "a" | "A" => number(rest).map(|n| Self::Actor(ActorId(n))),
            _ => number(s).map(|n| Self::Initiative(InitiativeId(n))),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Initiative(i) => write!(f, "#{i}"),
            Self::Update(u) => write!(f, "U{u}"),
            Self::Event(e) => write!(f, "E{e}"),
            Self::Actor(a) => write!(f, "A{a}"),
        }
    }
}

/// Why something is reported. `Appeal` is its author asking for a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Reason {
    Spam,
    Offensive,
    OffTopic,
    PersonalData,
    Other,
    Appeal,
}

impl Reason {
    /// The reasons a person chooses from, in the order they are offered.
    pub const CHOICES: [Self; 5] = [
        Self::Spam,
        Self::Offensive,
        Self::OffTopic,
        Self::PersonalData,
        Self::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Spam => "spam",
            Self::Offensive => "offensive",
            Self::OffTopic => "off-topic",
            Self::PersonalData => "personal-data",
            Self::Other => "other",
            Self::Appeal => "appeal",
        }
    }

    pub fn parse_key(s: &str) -> Option<Self> {
        Self::CHOICES
            .into_iter()
            .chain([Self::Appeal])
            .find(|r| r.key() == s)
    }

    /// What a person types: the French or English word, any case or accent.
    pub fn parse(s: &str) -> Option<Self> {
        match fold(s).replace('_', "-").as_str() {
            "spam" | "pub" | "publicite" => Some(Self::Spam),
            "offensant" | "offensante" | "offensive" | "insultant" | "haineux" => {
                Some(Self::Offensive)
            }
            "hors-sujet" | "horssujet" | "off-topic" | "offtopic" => Some(Self::OffTopic),
            "donnees-personnelles" | "donnees" | "personal-data" | "privacy" | "vie-privee" => {
                Some(Self::PersonalData)
            }
            "autre" | "other" => Some(Self::Other),
            _ => None,
        }
    }

    /// The word typed in French, for buttons (`/signaler 42 hors-sujet`).
    pub fn command_word(self) -> &'static str {
        match self {
            Self::Spam => "spam",
            Self::Offensive => "offensant",
            Self::OffTopic => "hors-sujet",
            Self::PersonalData => "donnees-personnelles",
            Self::Other | Self::Appeal => "autre",
        }
    }
}

/// A report, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub id: i64,
    pub target: Target,
    pub reporter: ActorId,
    pub reason: Reason,
    pub text: Option<String>,
    pub at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewReport {
    pub target: Target,
    pub reporter: ActorId,
    pub reason: Reason,
    pub text: Option<String>,
    pub at: DateTime<Utc>,
}

/// Where a moderator moderates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModeratorScope {
    Everywhere,
    Communes(Vec<InseeCode>),
}

impl ModeratorScope {
    /// Whether content of these communes (none: no commune) is within the scope.
    pub fn covers(&self, communes: &[InseeCode]) -> bool {
        match self {
            Self::Everywhere => true,
            Self::Communes(mine) => communes.iter().any(|c| mine.contains(c)),
        }
    }
}

/// How long resolved reports are kept (INTERFACE.md).
pub const RESOLVED_REPORTS_KEPT: chrono::Duration = chrono::Duration::days(180);
/// How long the moderation log is kept.
pub const LOG_KEPT: chrono::Duration = chrono::Duration::days(365);
/// How long a ban is kept once it has ended.
pub const ENDED_BANS_KEPT: chrono::Duration = chrono::Duration::days(90);

/// How moderation runs on this instance (INTERFACE.md's defaults unless told).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModerationPolicy {
    /// Distinct people whose reports hide an item pending review (0: never).
    pub auto_hide_reports: usize,
    /// Whether a verified municipality moderates what is in its communes.
    pub municipalities_moderate: bool,
}

impl Default for ModerationPolicy {
    fn default() -> Self {
        Self {
            auto_hide_reports: 3,
            municipalities_moderate: false,
        }
    }
}

/// An identity kept out: until an end, or for good.
#[derive(Debug, Clone, PartialEq)]
pub struct Ban {
    pub identity: Identity,
    /// `None`: for good.
    pub until: Option<DateTime<Utc>>,
    pub reason: String,
    pub at: DateTime<Utc>,
}

impl Ban {
    pub fn in_force(&self, now: DateTime<Utc>) -> bool {
        self.until.is_none_or(|u| u > now)
    }
}

/// What a moderator (or Kohero itself, on enough reports) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModAction {
    Hide,
    AutoHide,
    Keep,
    Warn,
    Ban,
    Unban,
    Appeal,
    /// The author was taken out of a project.
    Remove,
}

impl ModAction {
    pub fn key(self) -> &'static str {
        match self {
            Self::Hide => "hide",
            Self::AutoHide => "auto-hide",
            Self::Keep => "keep",
            Self::Warn => "warn",
            Self::Ban => "ban",
            Self::Unban => "unban",
            Self::Appeal => "appeal",
            Self::Remove => "remove",
        }
    }

    pub fn parse_key(s: &str) -> Option<Self> {
        [
            Self::Hide,
            Self::AutoHide,
            Self::Keep,
            Self::Warn,
            Self::Ban,
            Self::Unban,
            Self::Appeal,
            Self::Remove,
        ]
        .into_iter()
        .find(|a| a.key() == s)
    }
}

/// One line of the moderation log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// `None`: the operator's command line, or Kohero itself.
    pub moderator: Option<ActorId>,
    /// The person concerned (the author), while they exist.
    pub subject: Option<ActorId>,
    pub action: ModAction,
    pub target: Option<Target>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewLogEntry {
    pub at: DateTime<Utc>,
    pub moderator: Option<ActorId>,
    pub subject: Option<ActorId>,
    pub action: ModAction,
    pub target: Option<Target>,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_as_typed() {
        assert_eq!(
            Target::parse("#42"),
            Some(Target::Initiative(InitiativeId(42)))
        );
        assert_eq!(
            Target::parse("42"),
            Some(Target::Initiative(InitiativeId(42)))
        );
        assert_eq!(Target::parse("u15"), Some(Target::Update(UpdateId(15))));
        assert_eq!(Target::parse("E7"), Some(Target::Event(EventId(7))));
        assert_eq!(Target::parse("A12"), Some(Target::Actor(ActorId(12))));
        for bad in [
            "",
            "#",
            "U",
            "X3",
            "#-1",
            "0",
            "é7",
            "U1.5",
            "🙂",
            "A99999999999999999",
        ] {
            assert_eq!(Target::parse(bad), None, "{bad}");
        }
        for t in [
            Target::Initiative(InitiativeId(3)),
            Target::Update(UpdateId(4)),
            Target::Event(EventId(5)),
            Target::Actor(ActorId(6)),
        ] {
            assert_eq!(Target::parse(&t.to_string()), Some(t));
            assert_eq!(Target::from_parts(t.kind_key(), t.id()), Some(t));
        }
    }

    #[test]
    fn reasons_in_both_languages() {
        assert_eq!(Reason::parse("Hors-Sujet"), Some(Reason::OffTopic));
        assert_eq!(
            Reason::parse("données-personnelles"),
            Some(Reason::PersonalData)
        );
        assert_eq!(Reason::parse("offensive"), Some(Reason::Offensive));
        assert_eq!(Reason::parse("appeal"), None);
        for r in Reason::CHOICES {
            assert_eq!(Reason::parse(r.command_word()), Some(r));
            assert_eq!(Reason::parse_key(r.key()), Some(r));
        }
    }
}
