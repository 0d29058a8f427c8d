//! What people follow: subscriptions to places, municipalities' digests,
//! alerts and their preferences, reminders, and an initiative's activity.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::*;
use crate::geo::GeoPoint;

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

/// A digest a municipality sent, as one of its communes' public page shows
/// it.
#[derive(Debug, Clone, PartialEq)]
pub struct SentDigest {
    pub id: i64,
    pub commune: InseeCode,
    pub municipality: ActorId,
    pub at: DateTime<Utc>,
    /// The start of the period it covered.
    pub since: DateTime<Utc>,
    pub announcement: Option<String>,
    /// The commune's initiatives it told of, in its order.
    pub initiatives: Vec<InitiativeId>,
}

/// A digest sent, to record for one of its communes.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSentDigest {
    pub commune: InseeCode,
    pub municipality: ActorId,
    pub at: DateTime<Utc>,
    pub since: DateTime<Utc>,
    pub announcement: Option<String>,
    pub initiatives: Vec<InitiativeId>,
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
    /// A need nearby that matches the person's skills (`ref_id`: the need).
    Need,
    /// The town hall answered an initiative the person follows.
    Answer,
}

impl AlertKind {
    pub fn key(self) -> &'static str {
        match self {
            Self::NewInitiative => "new",
            Self::Update => "update",
            Self::Event => "event",
            Self::NewMember => "member",
            Self::Need => "need",
            Self::Answer => "answer",
        }
    }
    pub fn parse_key(s: &str) -> Option<Self> {
        [
            Self::NewInitiative,
            Self::Update,
            Self::Event,
            Self::NewMember,
            Self::Need,
            Self::Answer,
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
