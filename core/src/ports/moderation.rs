//! Moderation: reports, hidden content, moderators, bans and the log.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::*;

use super::StoreResult;

/// Moderation: reports, hidden content, moderators, bans and the log.
#[async_trait]
pub trait Moderation: Send {
    /// Records a report. `Duplicate` if this person already reported this
    /// target (an appeal is its author's report: one per item).
    async fn insert_report(&mut self, new: &NewReport) -> StoreResult<Report>;

    /// Reports not yet resolved, oldest first, at most `limit`.
    async fn open_reports(&mut self, limit: usize) -> StoreResult<Vec<Report>>;

    /// The reports on one target not yet resolved, oldest first.
    async fn open_reports_on(&mut self, target: Target) -> StoreResult<Vec<Report>>;

    /// How many reports (appeals aside) the person made that are still open.
    async fn open_reports_by(&mut self, reporter: ActorId) -> StoreResult<usize>;

    /// Resolves every open report the person made (a banned reporter's
    /// reports no longer count); returns how many there were.
    async fn resolve_reports_by(
        &mut self,
        reporter: ActorId,
        at: DateTime<Utc>,
    ) -> StoreResult<u64>;

    /// Forgets the author's decided appeal on a target (it is hidden again:
    /// they may appeal once more); `false` if there was none.
    async fn reopen_appeal(&mut self, target: Target, author: ActorId) -> StoreResult<bool>;

    /// Resolves every open report on a target; returns how many there were.
    async fn resolve_reports(&mut self, target: Target, at: DateTime<Utc>) -> StoreResult<u64>;

    /// Hides (`Some(when)`) or shows again (`None`) an initiative, an update or
    /// an event. `NotFound` if there is no such item (actors are not hidden).
    async fn set_hidden(&mut self, target: Target, at: Option<DateTime<Utc>>) -> StoreResult<()>;

    /// Makes the actor a moderator everywhere (`None`) or for a commune; doing
    /// it again changes nothing.
    async fn add_moderator(
        &mut self,
        actor: ActorId,
        commune: Option<&InseeCode>,
    ) -> StoreResult<()>;

    /// Takes every scope from the actor; returns how many there were.
    async fn remove_moderator(&mut self, actor: ActorId) -> StoreResult<u64>;

    /// Where the actor moderates, if anywhere (everywhere wins over communes).
    async fn moderator_scope(&mut self, actor: ActorId) -> StoreResult<Option<ModeratorScope>>;

    /// Every moderator with their scope, by actor.
    async fn moderators(&mut self) -> StoreResult<Vec<(ActorId, ModeratorScope)>>;

    /// Bans an identity, replacing an earlier ban of it.
    async fn set_ban(&mut self, ban: &Ban) -> StoreResult<()>;

    /// The identity's ban, ended or not.
    async fn ban_of(&mut self, identity: &Identity) -> StoreResult<Option<Ban>>;

    /// The bans in force at `now`, newest first, at most `limit`.
    async fn bans_in_force(&mut self, now: DateTime<Utc>, limit: usize) -> StoreResult<Vec<Ban>>;

    /// Lifts the identity's ban; `false` if there was none.
    async fn lift_ban(&mut self, identity: &Identity) -> StoreResult<bool>;

    async fn insert_log(&mut self, new: &NewLogEntry) -> StoreResult<LogEntry>;

    /// The log entries about one person, oldest first.
    async fn log_about(&mut self, subject: ActorId) -> StoreResult<Vec<LogEntry>>;

    /// The newest log entries, newest first, at most `limit`.
    async fn recent_log(&mut self, limit: usize) -> StoreResult<Vec<LogEntry>>;

    /// Deletes reports resolved before `reports_before`, log entries before
    /// `log_before`, and bans that ended before `bans_before`; returns how
    /// many rows went.
    async fn prune_moderation(
        &mut self,
        reports_before: DateTime<Utc>,
        log_before: DateTime<Utc>,
        bans_before: DateTime<Utc>,
    ) -> StoreResult<u64>;
}
