//! [`People`] on a SQL store.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::Utc;
use kohero_core::domain::*;
use kohero_core::geo::BoundingBox;
use kohero_core::ports::{People, StoreResult};

use super::{Savepoint, SqlTx, count, not_found};
use crate::exec::{Conn, How, Value};
use crate::statements::people as sql;
use crate::{get, lat_lon, ms};

#[async_trait]
impl<C: Conn> People for SqlTx<C> {
    async fn actor_by_identity(&mut self, identity: &Identity) -> StoreResult<Option<Actor>> {
        Ok(self
            .actors(
                sql::ACTOR_BY_IDENTITY,
                &values![&identity.network, &identity.id],
            )
            .await?
            .pop())
    }

    async fn insert_actor(&mut self, new: &NewActor) -> StoreResult<Actor> {
        // Both rows or neither (a taken identity leaves no actor behind).
        self.open_savepoint(Savepoint::Method).await?;
        let r = async {
            let actor = self
                .write_one(
                    sql::INSERT_ACTOR,
                    &values![&new.display_name, new.lang.code(), ms(new.created_at)],
                    |r| crate::actor(r, Vec::new()),
                )
                .await?;
            self.changes(
                sql::INSERT_ACTOR_2,
                &values![&new.identity.network, &new.identity.id, actor.id.0],
            )
            .await?;
            Ok(actor)
        }
        .await;
        self.settle(Savepoint::Method, r).await
    }

    async fn actor(&mut self, id: ActorId) -> StoreResult<Option<Actor>> {
        Ok(self.actors(sql::ACTOR, &values![id.0]).await?.pop())
    }

    async fn update_actor(&mut self, a: &Actor) -> StoreResult<()> {
        let (lat, lon) = lat_lon(a.location);
        let n = self
            .changes(
                sql::UPDATE_ACTOR,
                &values![
                    a.kind.key(),
                    &a.display_name,
                    a.lang.code(),
                    &a.tz,
                    a.verified,
                    lat,
                    lon,
                    a.id.0,
                    &a.notify_network
                ],
            )
            .await?;
        not_found("actor", n)?;
        self.changes(sql::UPDATE_ACTOR_2, &values![a.id.0]).await?;
        if a.kind == ActorKind::Citizen {
            // Citizens speak for no commune.
            return Ok(());
        }
        for c in &a.communes {
            self.changes(sql::UPDATE_ACTOR_3, &values![a.id.0, c.as_str()])
                .await?;
        }
        Ok(())
    }

    async fn identities_of(&mut self, id: ActorId) -> StoreResult<Vec<Identity>> {
        self.all(sql::IDENTITIES_OF, &values![id.0], |r| crate::identity(r))
            .await
    }

    async fn delete_actor(&mut self, id: ActorId) -> StoreResult<()> {
        // Authored rows keep their content: the foreign keys set the author to NULL;
        // everything that is only theirs cascades.
        self.changes(sql::DELETE_ACTOR_FAILURES, &values![id.0])
            .await?;
        self.changes(sql::DELETE_ACTOR_OFFERS, &values![id.0])
            .await?;
        self.changes(sql::DELETE_ACTOR_OFFER_WORDS, &values![id.0])
            .await?;
        let n = self.changes(sql::DELETE_ACTOR, &values![id.0]).await?;
        // Other people's alerts that name them ("X joined your project").
        self.changes(
            sql::DELETE_ACTOR_2,
            &values![AlertKind::NewMember.key(), id.0],
        )
        .await?;
        not_found("actor", n)
    }

    async fn actors_by_ids(&mut self, ids: &[ActorId]) -> StoreResult<Vec<Actor>> {
        let list = [Value::Ints(ids.iter().map(|a| a.0).collect())];
        let mut by_actor: HashMap<i64, Vec<InseeCode>> = HashMap::new();
        for (actor, code) in self
            .all_heavy(sql::ACTORS_BY_IDS, &list, |r| crate::actor_commune(r))
            .await?
        {
            by_actor.entry(actor).or_default().push(code);
        }
        self.all_heavy(sql::ACTORS_BY_IDS_2, &list, |r| {
            let id: i64 = get(r, "id")?;
            crate::actor(r, by_actor.remove(&id).unwrap_or_default())
        })
        .await
    }

    async fn reachable_identities(
        &mut self,
        ids: &[ActorId],
    ) -> StoreResult<Vec<(ActorId, Lang, Identity)>> {
        self.all_heavy(
            sql::REACHABLE_IDENTITIES,
            &[Value::Ints(ids.iter().map(|a| a.0).collect())],
            |r| crate::reachable(r),
        )
        .await
    }

    async fn municipalities_of(&mut self, commune: &InseeCode) -> StoreResult<Vec<Actor>> {
        self.actors(sql::MUNICIPALITIES_OF, &values![commune.as_str()])
            .await
    }

    async fn verified_names(&mut self) -> StoreResult<Vec<(ActorId, String)>> {
        self.all(sql::VERIFIED_NAMES, &values![], |r| {
            Ok((ActorId(get(r, "id")?), get(r, "display_name")?))
        })
        .await
    }

    async fn dialogue(&mut self, actor: ActorId) -> StoreResult<Option<String>> {
        self.opt(sql::DIALOGUE, &values![actor.0], |r| get(r, "state"))
            .await
    }

    async fn set_dialogue(&mut self, actor: ActorId, state: Option<&str>) -> StoreResult<()> {
        match state {
            Some(s) => {
                self.changes(sql::SET_DIALOGUE, &values![actor.0, s, ms(Utc::now())])
                    .await
            }
            None => self.changes(sql::SET_DIALOGUE_2, &values![actor.0]).await,
        }
        .map(drop)
    }

    async fn insert_subscription(&mut self, new: &NewSubscription) -> StoreResult<Subscription> {
        let (lat, lon) = lat_lon(new.center);
        let categories = crate::categories_to_text(&new.categories);
        self.write_one(
            sql::INSERT_SUBSCRIPTION,
            &values![
                new.actor.0,
                lat,
                lon,
                new.radius_m,
                new.commune.as_ref().map(InseeCode::as_str),
                &categories,
                ms(new.created_at)
            ],
            |r| crate::subscription(r),
        )
        .await
    }

    async fn subscriptions_of(&mut self, actor: ActorId) -> StoreResult<Vec<Subscription>> {
        self.all(sql::SUBSCRIPTIONS_OF, &values![actor.0], |r| {
            crate::subscription(r)
        })
        .await
    }

    async fn delete_subscriptions_of(&mut self, actor: ActorId) -> StoreResult<usize> {
        let n = self
            .changes(sql::DELETE_SUBSCRIPTIONS_OF, &values![actor.0])
            .await?;
        Ok(count(n))
    }

    async fn subscriptions_near(
        &mut self,
        communes: &[InseeCode],
        bbox: &BoundingBox,
    ) -> StoreResult<Vec<Subscription>> {
        self.all_heavy(
            sql::SUBSCRIPTIONS_NEAR,
            &[
                Value::Texts(communes.iter().map(InseeCode::as_str).collect()),
                bbox.min_lat.into(),
                bbox.max_lat.into(),
                bbox.min_lon.into(),
                bbox.max_lon.into(),
            ],
            |r| crate::subscription(r),
        )
        .await
    }

    async fn touch_identity(
        &mut self,
        identity: &Identity,
        at: chrono::DateTime<Utc>,
    ) -> StoreResult<()> {
        let stale = at - chrono::Duration::minutes(1);
        // A time on an existing row breaks no constraint: no savepoint.
        self.run(
            sql::TOUCH_IDENTITY,
            &values![&identity.network, &identity.id, ms(at), ms(stale)],
            How::PLAIN,
        )
        .await
        .map(drop)
    }

    async fn save_link_code(&mut self, c: &LinkCode) -> StoreResult<()> {
        let (by_network, by_id, by_at) = match &c.claimed {
            Some((who, at)) => (
                Some(who.network.as_str()),
                Some(who.id.as_str()),
                Some(ms(*at)),
            ),
            None => (None, None, None),
        };
        let typed = self
            .changes(
                sql::CLAIM_LINK_CODE,
                &values![
                    &c.code,
                    &c.issuer.network,
                    &c.issuer.id,
                    by_network,
                    by_id,
                    by_at
                ],
            )
            .await?;
        if typed > 0 {
            return Ok(());
        }
        self.open_savepoint(Savepoint::Method).await?;
        let r = async {
            self.changes(
                sql::DROP_ISSUER_CODES,
                &values![&c.issuer.network, &c.issuer.id],
            )
            .await?;
            self.changes(
                sql::INSERT_LINK_CODE,
                &values![
                    &c.code,
                    c.actor.0,
                    &c.issuer.network,
                    &c.issuer.id,
                    ms(c.created_at),
                    ms(c.expires_at),
                    by_network,
                    by_id,
                    by_at
                ],
            )
            .await
            .map(drop)
        }
        .await;
        self.settle(Savepoint::Method, r).await
    }

    async fn link_code(&mut self, code: &str) -> StoreResult<Option<LinkCode>> {
        self.opt(sql::LINK_CODE, &values![code], |r| crate::link_code(r))
            .await
    }

    async fn link_code_of(&mut self, issuer: &Identity) -> StoreResult<Option<LinkCode>> {
        self.opt(
            sql::LINK_CODE_OF,
            &values![&issuer.network, &issuer.id],
            |r| crate::link_code(r),
        )
        .await
    }

    async fn delete_link_code(&mut self, code: &str) -> StoreResult<()> {
        self.changes(sql::DELETE_LINK_CODE, &values![code])
            .await
            .map(drop)
    }

    async fn record_link_failure(
        &mut self,
        identity: &Identity,
        at: chrono::DateTime<Utc>,
    ) -> StoreResult<()> {
        self.changes(
            sql::RECORD_LINK_FAILURE,
            &values![&identity.network, &identity.id, ms(at)],
        )
        .await
        .map(drop)
    }

    async fn link_failures_since(
        &mut self,
        identity: Option<&Identity>,
        since: chrono::DateTime<Utc>,
    ) -> StoreResult<u64> {
        let n: i64 = match identity {
            Some(i) => {
                self.one(
                    sql::LINK_FAILURES_OF,
                    &values![&i.network, &i.id, ms(since)],
                    |r| get(r, "n"),
                )
                .await?
            }
            None => {
                self.one(sql::LINK_FAILURES_ALL, &values![ms(since)], |r| get(r, "n"))
                    .await?
            }
        };
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn prune_links(
        &mut self,
        codes_before: chrono::DateTime<Utc>,
        failures_before: chrono::DateTime<Utc>,
    ) -> StoreResult<u64> {
        Ok(self
            .changes(sql::PRUNE_LINK_CODES, &values![ms(codes_before)])
            .await?
            + self
                .changes(sql::PRUNE_LINK_FAILURES, &values![ms(failures_before)])
                .await?)
    }

    async fn merge_actors(&mut self, into: ActorId, from: ActorId) -> StoreResult<()> {
        if into == from {
            return Ok(());
        }
        self.open_savepoint(Savepoint::Method).await?;
        let r = async {
            for statement in sql::MERGE_ACTORS {
                self.changes(*statement, &values![into.0, from.0]).await?;
            }
            let n = self.changes(sql::DELETE_ACTOR, &values![from.0]).await?;
            not_found("actor", n)
        }
        .await;
        self.settle(Savepoint::Method, r).await
    }

    async fn detach_identity(
        &mut self,
        identity: &Identity,
        name: &str,
        lang: Lang,
        at: chrono::DateTime<Utc>,
    ) -> StoreResult<Actor> {
        self.open_savepoint(Savepoint::Method).await?;
        let r = async {
            let actor = self
                .write_one(
                    sql::INSERT_ACTOR,
                    &values![name, lang.code(), ms(at)],
                    |r| crate::actor(r, Vec::new()),
                )
                .await?;
            let n = self
                .changes(
                    sql::DETACH_IDENTITY,
                    &values![&identity.network, &identity.id, actor.id.0],
                )
                .await?;
            not_found("identity", n)?;
            self.changes(
                sql::DETACH_IDENTITY_CODES,
                &values![&identity.network, &identity.id],
            )
            .await?;
            Ok(actor)
        }
        .await;
        self.settle(Savepoint::Method, r).await
    }
}
