//! Statements of [`Moderation`](kohero_core::ports::Moderation) (both stores).

/// [`Moderation::insert_report`](kohero_core::ports::Moderation::insert_report).
pub const INSERT_REPORT: &str = "INSERT INTO reports
    (target_kind, target_id, reporter_id, reason, body, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING *";

/// [`Moderation::open_reports`](kohero_core::ports::Moderation::open_reports).
pub const OPEN_REPORTS: &str =
    "SELECT * FROM reports WHERE resolved_at IS NULL ORDER BY created_at, id LIMIT ?1";

/// [`Moderation::open_reports_on`](kohero_core::ports::Moderation::open_reports_on).
pub const OPEN_REPORTS_ON: &str = "SELECT * FROM reports
    WHERE target_kind = ?1 AND target_id = ?2 AND resolved_at IS NULL ORDER BY created_at, id";

/// [`Moderation::open_reports_by`](kohero_core::ports::Moderation::open_reports_by).
pub const OPEN_REPORTS_BY: &str = "SELECT COUNT(*) AS n FROM reports
    WHERE reporter_id = ?1 AND resolved_at IS NULL AND reason <> 'appeal'";

/// [`Moderation::resolve_reports_by`](kohero_core::ports::Moderation::resolve_reports_by).
pub const RESOLVE_REPORTS_BY: &str =
    "UPDATE reports SET resolved_at = ?2 WHERE reporter_id = ?1 AND resolved_at IS NULL";

/// [`Moderation::reopen_appeal`](kohero_core::ports::Moderation::reopen_appeal).
pub const REOPEN_APPEAL: &str = "DELETE FROM reports WHERE target_kind = ?1 AND target_id = ?2
    AND reporter_id = ?3 AND reason = 'appeal' AND resolved_at IS NOT NULL";

/// [`Moderation::resolve_reports`](kohero_core::ports::Moderation::resolve_reports).
pub const RESOLVE_REPORTS: &str = "UPDATE reports SET resolved_at = ?3
    WHERE target_kind = ?1 AND target_id = ?2 AND resolved_at IS NULL";

/// [`Moderation::set_hidden`](kohero_core::ports::Moderation::set_hidden) of an initiative.
pub const HIDE_INITIATIVE: &str = "UPDATE initiatives SET hidden_at = ?2 WHERE id = ?1";

/// [`Moderation::set_hidden`](kohero_core::ports::Moderation::set_hidden) of an update.
pub const HIDE_UPDATE: &str = "UPDATE updates SET hidden_at = ?2 WHERE id = ?1";

/// [`Moderation::set_hidden`](kohero_core::ports::Moderation::set_hidden) of an event.
pub const HIDE_EVENT: &str = "UPDATE events SET hidden_at = ?2 WHERE id = ?1";

/// [`Moderation::add_moderator`](kohero_core::ports::Moderation::add_moderator).
pub const ADD_MODERATOR: &str =
    "INSERT INTO moderators (actor_id, scope) VALUES (?1, ?2) ON CONFLICT DO NOTHING";

/// [`Moderation::remove_moderator`](kohero_core::ports::Moderation::remove_moderator).
pub const REMOVE_MODERATOR: &str = "DELETE FROM moderators WHERE actor_id = ?1";

/// [`Moderation::moderator_scope`](kohero_core::ports::Moderation::moderator_scope).
pub const MODERATOR_SCOPE: &str =
    "SELECT actor_id, scope FROM moderators WHERE actor_id = ?1 ORDER BY scope";

/// [`Moderation::moderators`](kohero_core::ports::Moderation::moderators).
pub const MODERATORS: &str = "SELECT actor_id, scope FROM moderators ORDER BY actor_id, scope";

/// [`Moderation::set_ban`](kohero_core::ports::Moderation::set_ban).
pub const SET_BAN: &str = "INSERT INTO bans (network, external_id, until_at, reason, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5)
    ON CONFLICT (network, external_id) DO UPDATE SET until_at = excluded.until_at,
    reason = excluded.reason, created_at = excluded.created_at";

/// [`Moderation::ban_of`](kohero_core::ports::Moderation::ban_of).
pub const BAN_OF: &str = "SELECT * FROM bans WHERE network = ?1 AND external_id = ?2";

/// [`Moderation::bans_in_force`](kohero_core::ports::Moderation::bans_in_force).
pub const BANS_IN_FORCE: &str = "SELECT * FROM bans WHERE until_at IS NULL OR until_at > ?1
    ORDER BY created_at DESC, network, external_id LIMIT ?2";

/// [`Moderation::lift_ban`](kohero_core::ports::Moderation::lift_ban).
pub const LIFT_BAN: &str = "DELETE FROM bans WHERE network = ?1 AND external_id = ?2";

/// [`Moderation::insert_log`](kohero_core::ports::Moderation::insert_log).
pub const INSERT_LOG: &str = "INSERT INTO moderation_log
    (at, moderator_id, subject_id, action, target_kind, target_id, reason)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING *";

/// [`Moderation::log_about`](kohero_core::ports::Moderation::log_about).
pub const LOG_ABOUT: &str = "SELECT * FROM moderation_log WHERE subject_id = ?1 ORDER BY at, id";

/// [`Moderation::recent_log`](kohero_core::ports::Moderation::recent_log).
pub const RECENT_LOG: &str = "SELECT * FROM moderation_log ORDER BY at DESC, id DESC LIMIT ?1";

/// [`Moderation::prune_moderation`](kohero_core::ports::Moderation::prune_moderation): reports.
pub const PRUNE_REPORTS: &str =
    "DELETE FROM reports WHERE resolved_at IS NOT NULL AND resolved_at < ?1";

/// [`Moderation::prune_moderation`](kohero_core::ports::Moderation::prune_moderation): the log.
pub const PRUNE_LOG: &str = "DELETE FROM moderation_log WHERE at < ?1";

/// [`Moderation::prune_moderation`](kohero_core::ports::Moderation::prune_moderation): bans.
pub const PRUNE_BANS: &str = "DELETE FROM bans WHERE until_at IS NOT NULL AND until_at < ?1";

/// Every statement of this file (tests).
#[cfg(test)]
pub(crate) const ALL: &[&str] = &[
    INSERT_REPORT,
    OPEN_REPORTS,
    OPEN_REPORTS_ON,
    OPEN_REPORTS_BY,
    RESOLVE_REPORTS_BY,
    REOPEN_APPEAL,
    RESOLVE_REPORTS,
    HIDE_INITIATIVE,
    HIDE_UPDATE,
    HIDE_EVENT,
    ADD_MODERATOR,
    REMOVE_MODERATOR,
    MODERATOR_SCOPE,
    MODERATORS,
    SET_BAN,
    BAN_OF,
    BANS_IN_FORCE,
    LIFT_BAN,
    INSERT_LOG,
    LOG_ABOUT,
    RECENT_LOG,
    PRUNE_REPORTS,
    PRUNE_LOG,
    PRUNE_BANS,
];
