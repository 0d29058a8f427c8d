//! [`Democracy`] on a SQL store.

use async_trait::async_trait;
use kohero_core::domain::*;
use kohero_core::ports::{Democracy, StoreResult};

use super::SqlTx;
use crate::exec::{Conn, Value};
use crate::ms;
use crate::statements::democracy as sql;

#[async_trait]
impl<C: Conn> Democracy for SqlTx<C> {
    async fn town_answer(&mut self, initiative: InitiativeId) -> StoreResult<Option<TownAnswer>> {
        self.opt(sql::TOWN_ANSWER, &values![initiative.0], |r| {
            crate::town_answer(r)
        })
        .await
    }

    async fn save_town_answer(&mut self, a: &TownAnswer) -> StoreResult<()> {
        self.changes(
            sql::SAVE_TOWN_ANSWER,
            &values![
                a.initiative.0,
                a.municipality.map(|m| m.0),
                a.status.key(),
                &a.text,
                ms(a.answered_at),
                ms(a.updated_at)
            ],
        )
        .await
        .map(drop)
    }

    async fn town_answers_since(
        &mut self,
        initiatives: &[InitiativeId],
        since: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Vec<TownAnswer>> {
        self.all(
            sql::TOWN_ANSWERS_SINCE,
            &[
                Value::Ints(initiatives.iter().map(|i| i.0).collect()),
                ms(since).into(),
            ],
            |r| crate::town_answer(r),
        )
        .await
    }
}
