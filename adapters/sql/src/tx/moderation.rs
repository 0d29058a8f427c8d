//! [`Moderation`] on a SQL store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kohero_core::domain::*;
use kohero_core::ports::{Moderation, StoreResult};

use super::{SqlTx, limit_of, not_found};
use crate::exec::Conn;
use crate::statements::moderation as sql;
use crate::{commune_code, get, ms};

/// The scope of everywhere as stored.
const EVERYWHERE: &str = "*";

#[async_trait]
impl<C: Conn> Moderation for SqlTx<C> {
    async fn insert_report(&mut self, new: &NewReport) -> StoreResult<Report> {
        self.write_one(
            sql::INSERT_REPORT,
            &values![
                new.target.kind_key(),
                new.target.id(),
                new.reporter.0,
                new.reason.key(),
                &new.text,
                ms(new.at)
            ],
            |r| crate::report(r),
        )
        .await
    }

    async fn open_reports(&mut self, limit: usize) -> StoreResult<Vec<Report>> {
        self.all(sql::OPEN_REPORTS, &values![limit_of(limit)], |r| {
            crate::report(r)
        })
        .await
    }

    async fn open_reports_on(&mut self, target: Target) -> StoreResult<Vec<Report>> {
        self.all(
            sql::OPEN_REPORTS_ON,
            &values![target.kind_key(), target.id()],
            |r| crate::report(r),
        )
        .await
    }

    async fn open_reports_by(&mut self, reporter: ActorId) -> StoreResult<usize> {
        let n: i64 = self
            .one(sql::OPEN_REPORTS_BY, &values![reporter.0], |r| get(r, "n"))
            .await?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    async fn resolve_reports_by(
        &mut self,
        reporter: ActorId,
        at: DateTime<Utc>,
    ) -> StoreResult<u64> {
        self.changes(sql::RESOLVE_REPORTS_BY, &values![reporter.0, ms(at)])
            .await
    }

    async fn reopen_appeal(&mut self, target: Target, author: ActorId) -> StoreResult<bool> {
        let n = self
            .changes(
                sql::REOPEN_APPEAL,
                &values![target.kind_key(), target.id(), author.0],
            )
            .await?;
        Ok(n > 0)
    }

    async fn resolve_reports(&mut self, target: Target, at: DateTime<Utc>) -> StoreResult<u64> {
        self.changes(
            sql::RESOLVE_REPORTS,
            &values![target.kind_key(), target.id(), ms(at)],
        )
        .await
    }

    async fn set_hidden(&mut self, target: Target, at: Option<DateTime<Utc>>) -> StoreResult<()> {
        let statement = match target {
            Target::Initiative(_) => sql::HIDE_INITIATIVE,
            Target::Update(_) => sql::HIDE_UPDATE,
            Target::Event(_) => sql::HIDE_EVENT,
            Target::Actor(_) => return not_found(&target.to_string(), 0),
        };
        let n = self
            .changes(statement, &values![target.id(), at.map(ms)])
            .await?;
        not_found(&target.to_string(), n)
    }

    async fn add_moderator(
        &mut self,
        actor: ActorId,
        commune: Option<&InseeCode>,
    ) -> StoreResult<()> {
        let scope = commune.map_or(EVERYWHERE, InseeCode::as_str);
        self.changes(sql::ADD_MODERATOR, &values![actor.0, scope])
            .await
            .map(drop)
    }

    async fn remove_moderator(&mut self, actor: ActorId) -> StoreResult<u64> {
        self.changes(sql::REMOVE_MODERATOR, &values![actor.0]).await
    }

    async fn moderator_scope(&mut self, actor: ActorId) -> StoreResult<Option<ModeratorScope>> {
        let rows = self
            .all(sql::MODERATOR_SCOPE, &values![actor.0], |r| {
                get::<String>(r, "scope")
            })
            .await?;
        scope_of(rows)
    }

    async fn moderators(&mut self) -> StoreResult<Vec<(ActorId, ModeratorScope)>> {
        let rows = self
            .all(sql::MODERATORS, &values![], |r| {
                Ok((ActorId(get(r, "actor_id")?), get::<String>(r, "scope")?))
            })
            .await?;
        let mut out: Vec<(ActorId, Vec<String>)> = Vec::new();
        for (actor, scope) in rows {
            match out.last_mut() {
                Some((a, scopes)) if *a == actor => scopes.push(scope),
                _ => out.push((actor, vec![scope])),
            }
        }
        out.into_iter()
            .filter_map(|(a, scopes)| scope_of(scopes).transpose().map(|s| s.map(|s| (a, s))))
            .collect()
    }

    async fn set_ban(&mut self, ban: &Ban) -> StoreResult<()> {
        self.changes(
            sql::SET_BAN,
            &values![
                &ban.identity.network,
                &ban.identity.id,
                ban.until.map(ms),
                &ban.reason,
                ms(ban.at)
            ],
        )
        .await
        .map(drop)
    }

    async fn ban_of(&mut self, identity: &Identity) -> StoreResult<Option<Ban>> {
        self.opt(
            sql::BAN_OF,
            &values![&identity.network, &identity.id],
            |r| crate::ban(r),
        )
        .await
    }

    async fn bans_in_force(&mut self, now: DateTime<Utc>, limit: usize) -> StoreResult<Vec<Ban>> {
        self.all(
            sql::BANS_IN_FORCE,
            &values![ms(now), limit_of(limit)],
            |r| crate::ban(r),
        )
        .await
    }

    async fn lift_ban(&mut self, identity: &Identity) -> StoreResult<bool> {
        let n = self
            .changes(sql::LIFT_BAN, &values![&identity.network, &identity.id])
            .await?;
        Ok(n > 0)
    }

    async fn insert_log(&mut self, new: &NewLogEntry) -> StoreResult<LogEntry> {
        self.write_one(
            sql::INSERT_LOG,
            &values![
                ms(new.at),
                new.moderator.map(|a| a.0),
                new.subject.map(|a| a.0),
                new.action.key(),
                new.target.map(Target::kind_key),
                new.target.map(Target::id),
                &new.reason
            ],
            |r| crate::log_entry(r),
        )
        .await
    }

    async fn log_about(&mut self, subject: ActorId) -> StoreResult<Vec<LogEntry>> {
        self.all(sql::LOG_ABOUT, &values![subject.0], |r| crate::log_entry(r))
            .await
    }

    async fn recent_log(&mut self, limit: usize) -> StoreResult<Vec<LogEntry>> {
        self.all(sql::RECENT_LOG, &values![limit_of(limit)], |r| {
            crate::log_entry(r)
        })
        .await
    }

    async fn prune_moderation(
        &mut self,
        reports_before: DateTime<Utc>,
        log_before: DateTime<Utc>,
        bans_before: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let mut n = self
            .changes(sql::PRUNE_REPORTS, &values![ms(reports_before)])
            .await?;
        n += self
            .changes(sql::PRUNE_LOG, &values![ms(log_before)])
            .await?;
        n += self
            .changes(sql::PRUNE_BANS, &values![ms(bans_before)])
            .await?;
        Ok(n)
    }
}

/// A moderator's stored scopes as one (none: not a moderator).
fn scope_of(rows: Vec<String>) -> StoreResult<Option<ModeratorScope>> {
    if rows.is_empty() {
        return Ok(None);
    }
    if rows.iter().any(|s| s == EVERYWHERE) {
        return Ok(Some(ModeratorScope::Everywhere));
    }
    let communes = rows
        .iter()
        .map(|s| commune_code(s))
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Some(ModeratorScope::Communes(communes)))
}
