//! The things Kohero talks about: actors, initiatives, memberships, updates, events,
//! subscriptions. Values here are valid once built: parsing happens at the edges
//! (`text`, `geo`, `command`).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::geo::GeoPoint;
use crate::text::fold;

/// The latest date an event may start (and, later, a consultation end): two
/// years after `now` (INTERFACE.md).
pub fn latest_date(now: DateTime<Utc>) -> DateTime<Utc> {
    now.checked_add_months(chrono::Months::new(24))
        .unwrap_or(now)
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A person or an organisation known to Kohero.
    ActorId
);
id_type!(
    /// An idea or a project, written `#42` in chat.
    InitiativeId
);
id_type!(
    /// An event of a project.
    EventId
);
id_type!(
    /// A progress update of a project.
    UpdateId
);
id_type!(
    /// A subscription to a place.
    SubscriptionId
);

/// The languages Kohero answers in. French is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
        }
    }

    /// Accepts `fr`, `en`, region tags (`en-GB`) and the languages' names.
    pub fn parse(s: &str) -> Option<Self> {
        let s = fold(s);
        let primary = s.split(['-', '_']).next().unwrap_or_default();
        match primary {
            "fr" | "francais" | "french" => Some(Self::Fr),
            "en" | "anglais" | "english" => Some(Self::En),
            _ => None,
        }
    }
}

/// What kind of actor someone is. Anything but `Citizen` is set by an operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActorKind {
    Citizen,
    Association,
    Municipality,
    Company,
}

impl ActorKind {
    pub fn key(self) -> &'static str {
        match self {
            Self::Citizen => "citizen",
            Self::Association => "association",
            Self::Municipality => "municipality",
            Self::Company => "company",
        }
    }
}

impl FromStr for ActorKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match fold(s).as_str() {
            "citizen" | "citoyen" | "citoyenne" => Ok(Self::Citizen),
            "association" => Ok(Self::Association),
            "municipality" | "mairie" | "municipalite" | "commune" => Ok(Self::Municipality),
            "company" | "entreprise" => Ok(Self::Company),
            _ => Err(()),
        }
    }
}

/// An identity on one network, written `NETWORK:ID` (`telegram:12345`,
/// `matrix:@alice:example.org`, `console:alice`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identity {
    pub network: String,
    pub id: String,
}

impl Identity {
    pub fn new(network: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            network: network.into(),
            id: id.into(),
        }
    }

    /// Parses `NETWORK:ID`; the network is lower-case ASCII, the id non-empty.
    pub fn parse(s: &str) -> Option<Self> {
        let (network, id) = s.trim().split_once(':')?;
        let network_ok = !network.is_empty()
            && network
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        let id_ok = !id.is_empty() && !id.chars().any(char::is_control) && id.len() <= 255;
        (network_ok && id_ok).then(|| Self::new(network, id))
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.network, self.id)
    }
}

/// An INSEE commune code: five characters, digits or `2A`/`2B` for Corsica.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InseeCode(String);

impl InseeCode {
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        let ok = b.len() == 5
            && (b[..2].iter().all(u8::is_ascii_digit) || &b[..2] == b"2A" || &b[..2] == b"2B")
            && b[2..].iter().all(u8::is_ascii_digit);
        ok.then_some(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InseeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Actor {
    pub id: ActorId,
    pub kind: ActorKind,
    pub display_name: String,
    pub lang: Lang,
    /// IANA time zone, `Europe/Paris` unless the person changes it.
    pub tz: String,
    /// Set by an operator (`kohero admin verify`).
    pub verified: bool,
    /// Communes a verified municipality speaks for.
    pub communes: Vec<InseeCode>,
    /// The last location the person shared, rounded to about 100 m. Never shown to others.
    pub location: Option<GeoPoint>,
    pub created_at: DateTime<Utc>,
}

impl Actor {
    /// A town hall an operator verified: it speaks for its communes (forums,
    /// digests, announcements).
    pub fn is_verified_municipality(&self) -> bool {
        self.kind == ActorKind::Municipality && self.verified
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewActor {
    pub identity: Identity,
    pub display_name: String,
    pub lang: Lang,
    pub created_at: DateTime<Utc>,
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgressUpdate {
    pub id: UpdateId,
    pub initiative: InitiativeId,
    pub author: Option<ActorId>,
    pub text: String,
    pub created_at: DateTime<Utc>,
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
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub initiative: InitiativeId,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub tz: String,
    pub place: Option<GeoPoint>,
    pub created_by: ActorId,
    pub created_at: DateTime<Utc>,
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    pub id: SubscriptionId,
    pub actor: ActorId,
    pub center: Option<GeoPoint>,
    pub radius_m: u32,
    pub commune: Option<InseeCode>,
    /// Empty means every category.
    pub categories: Vec<Category>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewSubscription {
    pub actor: ActorId,
    pub center: Option<GeoPoint>,
    pub radius_m: u32,
    pub commune: Option<InseeCode>,
    pub categories: Vec<Category>,
    pub created_at: DateTime<Utc>,
}

/// A municipality's digest: when it goes out, and what is waiting for the next one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DigestPlan {
    pub municipality: ActorId,
    /// A 5-field crontab expression, `None` when the digest goes out only on demand.
    pub schedule: Option<String>,
    /// IANA time zone of the schedule.
    pub tz: String,
    /// The next scheduled run, `None` without a schedule.
    pub next_at: Option<DateTime<Utc>>,
    /// When the last digest was queued: the next one covers what happened since.
    pub last_at: Option<DateTime<Utc>>,
    /// An announcement to put at the top of the next digest.
    pub announcement: Option<String>,
}

impl DigestPlan {
    pub fn new(municipality: ActorId, tz: &str) -> Self {
        Self {
            municipality,
            schedule: None,
            tz: tz.to_owned(),
            next_at: None,
            last_at: None,
            announcement: None,
        }
    }
}

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A new initiative matching one of the person's subscriptions.
    NewInitiative,
    /// A progress update of a project the person follows (`ref_id`: the update).
    Update,
    /// An event of a project the person follows (`ref_id`: the event).
    Event,
    /// Someone joined a project the person organises (`ref_id`: the newcomer).
    NewMember,
}

impl AlertKind {
    pub fn key(self) -> &'static str {
        match self {
            Self::NewInitiative => "new",
            Self::Update => "update",
            Self::Event => "event",
            Self::NewMember => "member",
        }
    }
    pub fn parse_key(s: &str) -> Option<Self> {
        [
            Self::NewInitiative,
            Self::Update,
            Self::Event,
            Self::NewMember,
        ]
        .into_iter()
        .find(|k| k.key() == s)
    }
}

/// Something a person will hear about in their next batch of alerts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: i64,
    pub actor: ActorId,
    pub initiative: InitiativeId,
    pub kind: AlertKind,
    pub ref_id: Option<i64>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAlert {
    pub actor: ActorId,
    pub initiative: InitiativeId,
    pub kind: AlertKind,
    pub ref_id: Option<i64>,
    pub at: DateTime<Utc>,
}

/// A person's alert settings. Quiet hours are minutes after local midnight;
/// `quiet_from > quiet_to` spans midnight (22:00 to 08:00, the default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertPrefs {
    pub enabled: bool,
    pub quiet_from: u32,
    pub quiet_to: u32,
    /// When the last batch went out (at most one an hour).
    pub last_sent_at: Option<DateTime<Utc>>,
    /// Alerts wait until then (the hour since the last batch, quiet hours):
    /// the scheduler does not look at the person before.
    pub hold_until: Option<DateTime<Utc>>,
}

impl Default for AlertPrefs {
    fn default() -> Self {
        Self {
            enabled: true,
            quiet_from: 22 * 60,
            quiet_to: 8 * 60,
            last_sent_at: None,
            hold_until: None,
        }
    }
}

impl AlertPrefs {
    /// Whether `minute` (after local midnight) is inside the quiet hours.
    pub fn is_quiet(&self, minute: u32) -> bool {
        match self.quiet_from.cmp(&self.quiet_to) {
            std::cmp::Ordering::Equal => false,
            std::cmp::Ordering::Less => (self.quiet_from..self.quiet_to).contains(&minute),
            std::cmp::Ordering::Greater => minute >= self.quiet_from || minute < self.quiet_to,
        }
    }
}

/// Which reminder of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reminder {
    /// 24 hours before.
    Day,
    /// One hour before.
    Hour,
}

impl Reminder {
    pub fn key(self) -> &'static str {
        match self {
            Self::Day => "24h",
            Self::Hour => "1h",
        }
    }
    /// How long before the start it goes out.
    pub fn lead(self) -> chrono::Duration {
        match self {
            Self::Day => chrono::Duration::hours(24),
            Self::Hour => chrono::Duration::hours(1),
        }
    }
}

/// What happened to an initiative, for the news feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActivityKind {
    Created,
    Launched,
    Updated,
    Event,
    Done,
}

impl ActivityKind {
    pub fn key(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Launched => "launched",
            Self::Updated => "updated",
            Self::Event => "event",
            Self::Done => "done",
        }
    }
    pub fn parse_key(s: &str) -> Option<Self> {
        [
            Self::Created,
            Self::Launched,
            Self::Updated,
            Self::Event,
            Self::Done,
        ]
        .into_iter()
        .find(|k| k.key() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub id: i64,
    pub initiative: InitiativeId,
    pub kind: ActivityKind,
    /// The update or event this is about, when there is one.
    pub ref_id: Option<i64>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewActivity {
    pub initiative: InitiativeId,
    pub kind: ActivityKind,
    pub ref_id: Option<i64>,
    pub at: DateTime<Utc>,
}

/// Where a message goes: a network and a conversation on it (a Telegram chat id,
/// a Matrix user or room, a console name).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Address {
    pub network: String,
    pub chat: String,
}

impl Address {
    pub fn new(network: impl Into<String>, chat: impl Into<String>) -> Self {
        Self {
            network: network.into(),
            chat: chat.into(),
        }
    }

    /// The private conversation with an identity.
    pub fn of(identity: &Identity) -> Self {
        Self::new(identity.network.clone(), identity.id.clone())
    }
}

/// Which messages go first when a network's limits hold them back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    /// Someone is waiting in front of the bot: replies, notices.
    Interactive,
    /// Digests and announcements.
    Bulk,
}

impl Priority {
    pub fn rank(self) -> i64 {
        match self {
            Self::Interactive => 0,
            Self::Bulk => 1,
        }
    }
    pub fn from_rank(r: i64) -> Self {
        if r <= 0 {
            Self::Interactive
        } else {
            Self::Bulk
        }
    }
}

/// A message to write to the outbox, in the transaction of the change that causes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutgoing {
    pub to: Address,
    /// The person it is for, when known (erased with them).
    pub recipient: Option<ActorId>,
    pub reply: crate::reply::Reply,
    pub priority: Priority,
    /// Stable and unique: networks that deduplicate use it (Matrix transaction id).
    pub key: String,
    pub at: DateTime<Utc>,
}

/// A message in the outbox, waiting to be sent (or claimed by a delivery worker).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outgoing {
    pub id: i64,
    pub to: Address,
    pub recipient: Option<ActorId>,
    pub reply: crate::reply::Reply,
    pub priority: Priority,
    pub key: String,
    /// Attempts already made.
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
}

/// How the outbox of a network stands (for metrics).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OutboxStats {
    pub pending: u64,
    pub oldest: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_by_key_and_names() {
        assert_eq!(Category::parse("compost"), Some(Category::Compost));
        assert_eq!(Category::parse("Réparation"), Some(Category::Repair));
        assert_eq!(Category::parse("ÉNERGIE"), Some(Category::Energy));
        assert_eq!(Category::parse("Solidarity"), Some(Category::Solidarity));
        assert_eq!(
            Category::parse("anti-gaspillage"),
            Some(Category::Antiwaste)
        );
        assert_eq!(Category::parse("pizza"), None);
    }

    #[test]
    fn identities() {
        let i = Identity::parse("matrix:@a:example.org").unwrap();
        assert_eq!(i.network, "matrix");
        assert_eq!(i.id, "@a:example.org");
        assert!(Identity::parse("nocolon").is_none());
        assert!(Identity::parse("Tele gram:1").is_none());
        assert!(Identity::parse("console:").is_none());
    }

    #[test]
    fn insee_codes() {
        assert!(InseeCode::parse("69266").is_some());
        assert_eq!(InseeCode::parse("2a004").unwrap().as_str(), "2A004");
        assert!(InseeCode::parse("6926").is_none());
        assert!(InseeCode::parse("69X66").is_none());
    }

    #[test]
    fn rsvp_answers() {
        assert_eq!(RsvpAnswer::parse("peut-être"), Some(RsvpAnswer::Maybe));
        assert_eq!(RsvpAnswer::parse("Oui"), Some(RsvpAnswer::Yes));
        assert_eq!(RsvpAnswer::parse("nope"), None);
    }
}
