//! [`Consultations`] on a SQL store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kohero_core::domain::*;
use kohero_core::ports::{Consultations, StoreResult};

use super::{SqlTx, not_found};
use crate::exec::{Conn, Value};
use crate::statements::consultations as sql;
use crate::{corrupt_value, get, ms};

#[async_trait]
impl<C: Conn> Consultations for SqlTx<C> {
    async fn insert_consultation(&mut self, c: &NewConsultation) -> StoreResult<Consultation> {
        let communes =
            crate::texts_to_json(&c.communes.iter().map(InseeCode::as_str).collect::<Vec<_>>());
        let options = crate::texts_to_json(&c.options);
        self.write_one(
            sql::INSERT_CONSULTATION,
            &values![
                c.municipality.0,
                &communes,
                &c.question,
                &options,
                c.multiple,
                ms(c.ends_at),
                ms(c.created_at),
                c.sent_at.map(ms)
            ],
            |r| crate::consultation(r),
        )
        .await
    }

    async fn consultation(&mut self, id: ConsultationId) -> StoreResult<Option<Consultation>> {
        self.opt(sql::CONSULTATION, &values![id.0], |r| {
            crate::consultation(r)
        })
        .await
    }

    async fn consultations_of(
        &mut self,
        municipality: ActorId,
        limit: u32,
    ) -> StoreResult<Vec<Consultation>> {
        self.all(
            sql::CONSULTATIONS_OF,
            &values![municipality.0, limit],
            |r| crate::consultation(r),
        )
        .await
    }

    async fn consultations_to_send(
        &mut self,
        municipalities: &[ActorId],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Consultation>> {
        self.all(
            sql::CONSULTATIONS_TO_SEND,
            &[
                Value::Ints(municipalities.iter().map(|m| m.0).collect()),
                ms(now).into(),
            ],
            |r| crate::consultation(r),
        )
        .await
    }

    async fn mark_consultation_sent(
        &mut self,
        id: ConsultationId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let n = self
            .changes(sql::MARK_CONSULTATION_SENT, &values![id.0, ms(at)])
            .await?;
        not_found("consultation", n)
    }

    async fn consultations_due(
        &mut self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Consultation>> {
        self.all(sql::CONSULTATIONS_DUE, &values![ms(now), limit], |r| {
            crate::consultation(r)
        })
        .await
    }

    async fn close_consultation(
        &mut self,
        id: ConsultationId,
        results: &Tally,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let counts = serde_json::to_string(&results.counts)
            .map_err(|e| kohero_core::ports::StoreError::Corrupt(e.to_string()))?;
        let n = self
            .changes(
                sql::CLOSE_CONSULTATION,
                &values![id.0, ms(at), &counts, results.voters],
            )
            .await?;
        if n == 0 {
            let exists = self
                .opt(sql::CONSULTATION_EXISTS, &values![id.0], |r| {
                    get::<i64>(r, "id")
                })
                .await?;
            return match exists {
                Some(_) => Ok(false),
                None => not_found("consultation", 0).map(|()| false),
            };
        }
        self.run(sql::DELETE_VOTES, &values![id.0], crate::exec::How::PLAIN)
            .await?;
        let tag = format!("/vote/{id}/");
        self.run(
            sql::DELETE_VOTE_MESSAGES,
            &values![tag.as_str()],
            crate::exec::How::PLAIN,
        )
        .await?;
        Ok(true)
    }

    async fn consultations_closed_since(
        &mut self,
        municipalities: &[ActorId],
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<Consultation>> {
        self.all(
            sql::CONSULTATIONS_CLOSED_SINCE,
            &[
                Value::Ints(municipalities.iter().map(|m| m.0).collect()),
                ms(since).into(),
            ],
            |r| crate::consultation(r),
        )
        .await
    }

    async fn cast_vote(
        &mut self,
        id: ConsultationId,
        person: ActorId,
        choices: Choices,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.changes(
            sql::CAST_VOTE,
            &values![id.0, person.0, i64::from(choices.bits()), ms(at)],
        )
        .await
        .map(drop)
    }

    async fn withdraw_vote(&mut self, id: ConsultationId, person: ActorId) -> StoreResult<bool> {
        Ok(self
            .changes(sql::WITHDRAW_VOTE, &values![id.0, person.0])
            .await?
            > 0)
    }

    async fn vote_of(&mut self, id: ConsultationId, person: ActorId) -> StoreResult<Option<Vote>> {
        self.opt(sql::VOTE_OF, &values![id.0, person.0], |r| crate::vote(r))
            .await
    }

    async fn votes_of(&mut self, person: ActorId) -> StoreResult<Vec<Vote>> {
        self.all(sql::VOTES_OF, &values![person.0], |r| crate::vote(r))
            .await
    }

    async fn tally(&mut self, id: ConsultationId, options: usize) -> StoreResult<Tally> {
        self.one(sql::TALLY, &values![id.0], |r| {
            let count = |col: &str| -> StoreResult<u32> {
                let n: i64 = get(r, col)?;
                u32::try_from(n).map_err(|_| corrupt_value(col, n))
            };
            let counts = (0..options.min(OPTIONS_MAX))
                .map(|i| count(&format!("c{i}")))
                .collect::<StoreResult<Vec<u32>>>()?;
            Ok(Tally {
                counts,
                voters: count("voters")?,
            })
        })
        .await
    }
}
