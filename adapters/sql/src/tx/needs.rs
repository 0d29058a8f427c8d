//! [`Needs`] on a SQL store.

use async_trait::async_trait;
use kohero_core::domain::*;
use kohero_core::geo::{BoundingBox, GeoPoint};
use kohero_core::ports::{Needs, StoreResult};

use super::{SqlTx, not_found};
use crate::exec::{Conn, Value};
use crate::statements::needs as sql;
use crate::{get, ms};

#[async_trait]
impl<C: Conn> Needs for SqlTx<C> {
    async fn insert_need(&mut self, n: &NewNeed) -> StoreResult<Need> {
        self.write_one(
            sql::INSERT_NEED,
            &values![
                n.initiative.0,
                n.kind.key(),
                n.quantity.map(i64::from),
                &n.detail,
                n.created_by.0,
                ms(n.created_at),
                n.until.map(ms)
            ],
            |r| crate::need(r),
        )
        .await
    }

    async fn need(&mut self, id: NeedId) -> StoreResult<Option<Need>> {
        self.opt(sql::NEED, &values![id.0], |r| crate::need(r))
            .await
    }

    async fn update_need(&mut self, n: &Need) -> StoreResult<()> {
        let changed = self
            .changes(
                sql::UPDATE_NEED,
                &values![
                    n.id.0,
                    n.quantity.map(i64::from),
                    &n.detail,
                    i64::from(n.filled),
                    n.status.key(),
                    n.closed_at.map(ms)
                ],
            )
            .await?;
        not_found("need", changed)
    }

    async fn needs_of(
        &mut self,
        initiatives: &[InitiativeId],
        open_only: bool,
    ) -> StoreResult<Vec<Need>> {
        self.all(
            sql::NEEDS_OF,
            &[
                Value::Ints(initiatives.iter().map(|i| i.0).collect()),
                i64::from(open_only).into(),
            ],
            |r| crate::need(r),
        )
        .await
    }

    async fn insert_offer(&mut self, o: &NewOffer) -> StoreResult<Offer> {
        self.write_one(
            sql::INSERT_OFFER,
            &values![
                o.initiative.0,
                o.need.map(|n| n.0),
                o.person.0,
                o.as_actor.map(|a| a.0),
                &o.message,
                ms(o.created_at)
            ],
            |r| crate::offer(r),
        )
        .await
    }

    async fn offer(&mut self, id: OfferId) -> StoreResult<Option<Offer>> {
        self.opt(sql::OFFER, &values![id.0], |r| crate::offer(r))
            .await
    }

    async fn update_offer(&mut self, o: &Offer) -> StoreResult<()> {
        let changed = self
            .changes(
                sql::UPDATE_OFFER,
                &values![
                    o.id.0,
                    o.status.key(),
                    o.answered_at.map(ms),
                    o.answered_by.map(|a| a.0)
                ],
            )
            .await?;
        not_found("offer", changed)
    }

    async fn offers_by(&mut self, person: ActorId) -> StoreResult<Vec<Offer>> {
        self.all(sql::OFFERS_BY, &values![person.0], |r| crate::offer(r))
            .await
    }

    async fn offers_for(&mut self, initiative: InitiativeId) -> StoreResult<Vec<Offer>> {
        self.all(sql::OFFERS_FOR, &values![initiative.0], |r| crate::offer(r))
            .await
    }

    async fn partners_of(&mut self, initiative: InitiativeId) -> StoreResult<Vec<ActorId>> {
        self.all(sql::PARTNERS_OF, &values![initiative.0], |r| {
            Ok(ActorId(get(r, "as_actor")?))
        })
        .await
    }

    async fn skilled_people_in(
        &mut self,
        bbox: &BoundingBox,
    ) -> StoreResult<Vec<(ActorId, GeoPoint, ActorProfile)>> {
        self.all_heavy(
            sql::SKILLED_PEOPLE_IN,
            &values![bbox.min_lat, bbox.max_lat, bbox.min_lon, bbox.max_lon],
            |r| crate::skilled(r),
        )
        .await
    }

    async fn need_alerts_waiting(&mut self, initiative: InitiativeId) -> StoreResult<Vec<ActorId>> {
        self.all(sql::NEED_ALERTS_WAITING, &values![initiative.0], |r| {
            Ok(ActorId(get(r, "actor_id")?))
        })
        .await
    }
}
