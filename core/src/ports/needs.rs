//! What projects need and the offers made to them; the people whose skills
//! a new need may match.

use async_trait::async_trait;

use crate::domain::*;
use crate::geo::BoundingBox;

use super::StoreResult;

/// Needs (`B5`) and offers (`O7`).
#[async_trait]
pub trait Needs: Send {
    /// Adds an open need. `NotFound` if the initiative does not exist.
    async fn insert_need(&mut self, new: &NewNeed) -> StoreResult<Need>;

    async fn need(&mut self, id: NeedId) -> StoreResult<Option<Need>>;

    /// Writes its quantity, detail, count, status and closing time.
    /// `NotFound` if it does not exist.
    async fn update_need(&mut self, need: &Need) -> StoreResult<()>;

    /// The needs of these initiatives (only open ones with `open_only`), by
    /// initiative then id.
    async fn needs_of(
        &mut self,
        initiatives: &[InitiativeId],
        open_only: bool,
    ) -> StoreResult<Vec<Need>>;

    /// Adds a pending offer. `NotFound` if the initiative, the need or a
    /// person does not exist.
    async fn insert_offer(&mut self, new: &NewOffer) -> StoreResult<Offer>;

    async fn offer(&mut self, id: OfferId) -> StoreResult<Option<Offer>>;

    /// Writes its status and who answered when. `NotFound` if it does not exist.
    async fn update_offer(&mut self, offer: &Offer) -> StoreResult<()>;

    /// The offers a person made, oldest first.
    async fn offers_by(&mut self, person: ActorId) -> StoreResult<Vec<Offer>>;

    /// The offers made to an initiative, oldest first.
    async fn offers_for(&mut self, initiative: InitiativeId) -> StoreResult<Vec<Offer>>;

    /// The verified actors whose offers an initiative accepted (its
    /// partners), by first acceptance.
    async fn partners_of(&mut self, initiative: InitiativeId) -> StoreResult<Vec<ActorId>>;

    /// People who said what they can offer and whose last shared location
    /// lies in the box (callers check the distance against their radius),
    /// with that location and their profile.
    async fn skilled_people_in(
        &mut self,
        bbox: &BoundingBox,
    ) -> StoreResult<Vec<(ActorId, crate::geo::GeoPoint, ActorProfile)>>;

    /// The people with a skills alert about this initiative still waiting
    /// for their next batch, by id.
    async fn need_alerts_waiting(&mut self, initiative: InitiativeId) -> StoreResult<Vec<ActorId>>;
}
