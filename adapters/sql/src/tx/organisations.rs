//! [`Organisations`] on a SQL store.

use async_trait::async_trait;
use kohero_core::domain::*;
use kohero_core::ports::{ChangeCursor, Organisations, StoreResult};

use super::{SqlTx, limit_of, not_found};
use crate::exec::{Conn, Value};
use crate::statements::organisations as sql;
use crate::{categories_to_text, get, lat_lon, ms};

#[async_trait]
impl<C: Conn> Organisations for SqlTx<C> {
    async fn actor_profile(&mut self, actor: ActorId) -> StoreResult<Option<ActorProfile>> {
        self.opt(sql::ACTOR_PROFILE, &values![actor.0], |r| {
            crate::actor_profile(r)
        })
        .await
    }

    async fn save_actor_profile(&mut self, p: &ActorProfile) -> StoreResult<()> {
        let (lat, lon) = lat_lon(p.place);
        let skills = p.skills.join(",");
        self.changes(
            sql::SAVE_ACTOR_PROFILE,
            &values![
                p.actor.0,
                &p.description,
                categories_to_text(&p.categories).as_str(),
                lat,
                lon,
                p.commune.as_ref().map(InseeCode::as_str),
                &p.site,
                &p.contact,
                skills.as_str(),
                p.skills_radius_m.map(i64::from),
                ms(p.updated_at)
            ],
        )
        .await
        .map(drop)
    }

    async fn actor_profiles(&mut self, ids: &[ActorId]) -> StoreResult<Vec<ActorProfile>> {
        self.all(
            sql::ACTOR_PROFILES,
            &[Value::Ints(ids.iter().map(|a| a.0).collect())],
            |r| crate::actor_profile(r),
        )
        .await
    }

    async fn team_of(&mut self, actor: ActorId) -> StoreResult<Vec<TeamMember>> {
        self.all(sql::TEAM_OF, &values![actor.0], |r| crate::team_member(r))
            .await
    }

    async fn acts_for(&mut self, member: ActorId) -> StoreResult<Option<ActorId>> {
        self.opt(sql::ACTS_FOR, &values![member.0], |r| {
            Ok(ActorId(get(r, "actor_id")?))
        })
        .await
    }

    async fn add_team_member(&mut self, m: &TeamMember) -> StoreResult<()> {
        self.changes(
            sql::ADD_TEAM_MEMBER,
            &values![
                m.actor.0,
                m.member.0,
                m.added_by.map(|a| a.0),
                ms(m.since),
                m.confirmed_at.map(ms)
            ],
        )
        .await
        .map(drop)
    }

    async fn remove_team_member(&mut self, actor: ActorId, member: ActorId) -> StoreResult<bool> {
        Ok(self
            .changes(sql::REMOVE_TEAM_MEMBER, &values![actor.0, member.0])
            .await?
            > 0)
    }

    async fn initiatives_carried_by(
        &mut self,
        actor: ActorId,
        limit: usize,
    ) -> StoreResult<Vec<Initiative>> {
        self.all(
            sql::INITIATIVES_CARRIED_BY,
            &values![actor.0, limit_of(limit)],
            |r| crate::initiative(r),
        )
        .await
    }

    async fn set_carried_by(
        &mut self,
        initiative: InitiativeId,
        actor: Option<ActorId>,
    ) -> StoreResult<()> {
        let n = self
            .changes(
                sql::SET_CARRIED_BY,
                &values![initiative.0, actor.map(|a| a.0)],
            )
            .await?;
        not_found("initiative", n)
    }

    async fn follow_actor(
        &mut self,
        follower: ActorId,
        actor: ActorId,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<bool> {
        Ok(self
            .changes(sql::FOLLOW_ACTOR, &values![follower.0, actor.0, ms(at)])
            .await?
            > 0)
    }

    async fn unfollow_actor(&mut self, follower: ActorId, actor: ActorId) -> StoreResult<bool> {
        Ok(self
            .changes(sql::UNFOLLOW_ACTOR, &values![follower.0, actor.0])
            .await?
            > 0)
    }

    async fn followers_of_actor(&mut self, actor: ActorId) -> StoreResult<Vec<ActorId>> {
        self.all(sql::FOLLOWERS_OF_ACTOR, &values![actor.0], |r| {
            Ok(ActorId(get(r, "follower_id")?))
        })
        .await
    }

    async fn actors_followed_by(&mut self, follower: ActorId) -> StoreResult<Vec<ActorId>> {
        self.all(sql::ACTORS_FOLLOWED_BY, &values![follower.0], |r| {
            Ok(ActorId(get(r, "actor_id")?))
        })
        .await
    }

    async fn located_actors(&mut self) -> StoreResult<Vec<LocatedActor>> {
        Ok(self
            .all_heavy(sql::LOCATED_ACTORS, &[], |r| crate::located_actor(r))
            .await?
            .into_iter()
            .flatten()
            .collect())
    }

    async fn actor_changes_cursor(&mut self) -> StoreResult<ChangeCursor> {
        self.change_cursor(sql::ACTOR_CHANGES_CURSOR, sql::ACTOR_CHANGES_ABOVE)
            .await
    }

    async fn actor_changes(
        &mut self,
        cursor: &ChangeCursor,
        limit: usize,
    ) -> StoreResult<(ChangeCursor, Vec<(ActorId, Option<LocatedActor>)>)> {
        self.change_page(
            sql::ACTOR_CHANGES,
            sql::ACTOR_CHANGES_BY_TRANSACTION,
            cursor,
            limit,
            |r| {
                Ok((
                    get::<i64>(r, "seq")?,
                    ActorId(get(r, "id")?),
                    crate::located_actor(r)?,
                ))
            },
        )
        .await
    }
}
