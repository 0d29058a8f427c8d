//! [`Democracy`] on a SQL store.

use async_trait::async_trait;
use kohero_core::domain::*;
use kohero_core::ports::{Democracy, StoreResult};

use super::SqlTx;
use crate::exec::{Conn, Value};
use crate::statements::democracy as sql;
use crate::{corrupt_value, get, ms};

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

    async fn support_threshold(&mut self, municipality: ActorId) -> StoreResult<Option<u32>> {
        self.opt(sql::SUPPORT_THRESHOLD, &values![municipality.0], |r| {
            let n: i64 = get(r, "threshold")?;
            u32::try_from(n).map_err(|_| corrupt_value("threshold", n))
        })
        .await
    }

    async fn set_support_threshold(
        &mut self,
        municipality: ActorId,
        threshold: Option<u32>,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        match threshold {
            Some(n) => {
                self.changes(
                    sql::SET_SUPPORT_THRESHOLD,
                    &values![municipality.0, i64::from(n), ms(at)],
                )
                .await?
            }
            None => {
                self.changes(sql::CLEAR_SUPPORT_THRESHOLD, &values![municipality.0])
                    .await?
            }
        };
        Ok(())
    }

    async fn flag_initiative(
        &mut self,
        municipality: ActorId,
        initiative: InitiativeId,
        supporters: u32,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<bool> {
        Ok(self
            .changes(
                sql::FLAG_INITIATIVE,
                &values![municipality.0, initiative.0, i64::from(supporters), ms(at)],
            )
            .await?
            > 0)
    }

    async fn flags_since(
        &mut self,
        municipalities: &[ActorId],
        since: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Vec<ThresholdFlag>> {
        self.all(
            sql::FLAGS_SINCE,
            &[
                Value::Ints(municipalities.iter().map(|m| m.0).collect()),
                ms(since).into(),
            ],
            |r| {
                let n: i64 = get(r, "supporters")?;
                Ok(ThresholdFlag {
                    municipality: ActorId(get(r, "municipality_id")?),
                    initiative: InitiativeId(get(r, "initiative_id")?),
                    supporters: u32::try_from(n).map_err(|_| corrupt_value("supporters", n))?,
                    at: crate::time(get(r, "flagged_at")?)?,
                })
            },
        )
        .await
    }
}
