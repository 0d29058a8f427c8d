//! [`Projects`] on a SQL store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kohero_core::domain::*;
use kohero_core::ports::{Projects, StoreResult};

use super::{SqlTx, limit_of, not_found};
use crate::exec::{Conn, Value};
use crate::ms;
use crate::statements::projects as sql;

#[async_trait]
impl<C: Conn> Projects for SqlTx<C> {
    async fn membership(
        &mut self,
        initiative: InitiativeId,
        actor: ActorId,
    ) -> StoreResult<Option<Membership>> {
        self.opt(sql::MEMBERSHIP, &values![initiative.0, actor.0], |r| {
            crate::membership(r)
        })
        .await
    }

    async fn set_membership(&mut self, m: &Membership) -> StoreResult<()> {
        self.changes(
            sql::SET_MEMBERSHIP,
            &values![m.initiative.0, m.actor.0, m.role.key(), ms(m.since)],
        )
        .await
        .map(drop)
    }

    async fn remove_membership(
        &mut self,
        initiative: InitiativeId,
        actor: ActorId,
    ) -> StoreResult<()> {
        let n = self
            .changes(sql::REMOVE_MEMBERSHIP, &values![initiative.0, actor.0])
            .await?;
        not_found("membership", n)
    }

    async fn members(&mut self, initiative: InitiativeId) -> StoreResult<Vec<Membership>> {
        self.all(sql::MEMBERS, &values![initiative.0], |r| {
            crate::membership(r)
        })
        .await
    }

    async fn member_tallies(
        &mut self,
        initiatives: &[InitiativeId],
        actor: ActorId,
    ) -> StoreResult<Vec<(InitiativeId, MemberTally)>> {
        if initiatives.is_empty() {
            return Ok(Vec::new());
        }
        self.all(
            sql::MEMBER_TALLIES,
            &[
                Value::Ints(initiatives.iter().map(|i| i.0).collect()),
                actor.0.into(),
            ],
            |r| crate::member_tally(r),
        )
        .await
    }

    async fn memberships_of(&mut self, actor: ActorId) -> StoreResult<Vec<Membership>> {
        self.all(sql::MEMBERSHIPS_OF, &values![actor.0], |r| {
            crate::membership(r)
        })
        .await
    }

    async fn insert_update(
        &mut self,
        initiative: InitiativeId,
        author: ActorId,
        text: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<ProgressUpdate> {
        self.write_one(
            sql::INSERT_UPDATE,
            &values![initiative.0, author.0, text, ms(at)],
            |r| crate::update(r),
        )
        .await
    }

    async fn update_by_id(&mut self, id: UpdateId) -> StoreResult<Option<ProgressUpdate>> {
        self.opt(sql::UPDATE_BY_ID, &values![id.0], |r| crate::update(r))
            .await
    }

    async fn updates_of(
        &mut self,
        initiative: InitiativeId,
        limit: usize,
    ) -> StoreResult<Vec<ProgressUpdate>> {
        self.all(
            sql::UPDATES_OF,
            &values![initiative.0, limit_of(limit)],
            |r| crate::update(r),
        )
        .await
    }

    async fn updates_by(&mut self, author: ActorId) -> StoreResult<Vec<ProgressUpdate>> {
        self.all(sql::UPDATES_BY, &values![author.0], |r| crate::update(r))
            .await
    }

    async fn updates_by_ids(&mut self, ids: &[i64]) -> StoreResult<Vec<ProgressUpdate>> {
        self.all(sql::UPDATES_BY_IDS, &[Value::Ints(ids.to_vec())], |r| {
            crate::update(r)
        })
        .await
    }
}
