//! [`Rooms`] on a SQL store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kohero_core::domain::*;
use kohero_core::ports::{Rooms, StoreResult};

use super::SqlTx;
use crate::exec::Conn;
use crate::statements::rooms as sql;
use crate::{commune_code, get, ms};

#[async_trait]
impl<C: Conn> Rooms for SqlTx<C> {
    async fn link_room(
        &mut self,
        room: &Address,
        initiative: InitiativeId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.changes(
            sql::LINK_ROOM,
            &values![&room.network, &room.chat, initiative.0, ms(at)],
        )
        .await
        .map(drop)
    }

    async fn room_initiative(&mut self, room: &Address) -> StoreResult<Option<InitiativeId>> {
        self.opt(
            sql::ROOM_INITIATIVE,
            &values![&room.network, &room.chat],
            |r| Ok(InitiativeId(get(r, "initiative_id")?)),
        )
        .await
    }

    async fn rooms_of(&mut self, initiative: InitiativeId) -> StoreResult<Vec<Address>> {
        self.all(sql::ROOMS_OF, &values![initiative.0], |r| crate::address(r))
            .await
    }

    async fn initiatives_within(&mut self, forum: &Address) -> StoreResult<Vec<InitiativeId>> {
        self.all(
            sql::INITIATIVES_WITHIN,
            &values![&forum.network, &forum.chat],
            |r| Ok(InitiativeId(get(r, "initiative_id")?)),
        )
        .await
    }

    async fn move_room(&mut self, from: &Address, to: &Address) -> StoreResult<()> {
        if from == to {
            return Ok(());
        }
        self.changes(sql::MOVE_ROOM, &values![&to.network, &to.chat])
            .await?;
        self.changes(
            sql::MOVE_ROOM_2,
            &values![&to.network, &to.chat, &from.network, &from.chat],
        )
        .await
        .map(drop)
    }

    async fn link_forum(
        &mut self,
        forum: &Address,
        commune: &InseeCode,
        by: ActorId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.changes(
            sql::LINK_FORUM,
            &values![&forum.network, &forum.chat, commune.as_str(), by.0, ms(at)],
        )
        .await
        .map(drop)
    }

    async fn forums_of(&mut self, commune: &InseeCode) -> StoreResult<Vec<Address>> {
        self.all(sql::FORUMS_OF, &values![commune.as_str()], |r| {
            crate::address(r)
        })
        .await
    }

    async fn forum_commune(&mut self, forum: &Address) -> StoreResult<Option<InseeCode>> {
        self.opt(
            sql::FORUM_COMMUNE,
            &values![&forum.network, &forum.chat],
            |r| commune_code(&get::<String>(r, "insee")?),
        )
        .await
    }

    async fn record_post(
        &mut self,
        about: Target,
        room: &Address,
        message: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.changes(
            sql::RECORD_POST,
            &values![
                &room.network,
                &room.chat,
                message,
                about.kind_key(),
                about.id(),
                ms(at)
            ],
        )
        .await
        .map(drop)
    }

    async fn posts_of(&mut self, about: Target) -> StoreResult<Vec<Post>> {
        self.all(sql::POSTS_OF, &values![about.kind_key(), about.id()], |r| {
            crate::post(r)
        })
        .await
    }

    async fn forget_posts(&mut self, about: Target) -> StoreResult<u64> {
        self.changes(sql::FORGET_POSTS, &values![about.kind_key(), about.id()])
            .await
    }

    async fn prune_posts(&mut self, before: DateTime<Utc>) -> StoreResult<u64> {
        self.changes(sql::PRUNE_POSTS, &values![ms(before)]).await
    }

    async fn record_relay(
        &mut self,
        source: &MessageRef,
        copy: &RelayCopy,
        whole: bool,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.changes(
            sql::RECORD_RELAY,
            &values![
                &source.network,
                &source.chat,
                &source.message,
                &copy.room.network,
                &copy.room.chat,
                &copy.message,
                copy.row,
                whole,
                ms(at)
            ],
        )
        .await
        .map(drop)
    }

    async fn relay_copy(
        &mut self,
        source: &MessageRef,
        room: &Address,
    ) -> StoreResult<Option<(RelayCopy, bool)>> {
        self.opt(
            sql::RELAY_COPY,
            &values![
                &source.network,
                &source.chat,
                &source.message,
                &room.network,
                &room.chat
            ],
            |r| {
                Ok((
                    RelayCopy {
                        row: get(r, "outbox_id")?,
                        room: crate::address(r)?,
                        message: get(r, "copy_message")?,
                    },
                    get::<i64>(r, "whole")? != 0,
                ))
            },
        )
        .await
    }

    async fn relay_source(
        &mut self,
        room: &Address,
        message: &str,
    ) -> StoreResult<Option<MessageRef>> {
        self.opt(
            sql::RELAY_SOURCE,
            &values![&room.network, &room.chat, message],
            |r| {
                Ok(MessageRef {
                    network: get(r, "network")?,
                    chat: get(r, "chat")?,
                    message: get(r, "message_id")?,
                })
            },
        )
        .await
    }

    async fn prune_relays(&mut self, before: DateTime<Utc>) -> StoreResult<u64> {
        self.changes(sql::PRUNE_RELAYS, &values![ms(before)]).await
    }

    async fn set_relaying(
        &mut self,
        initiative: InitiativeId,
        on: bool,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        if on {
            self.changes(sql::RELAY_ON, &values![initiative.0]).await
        } else {
            self.changes(sql::RELAY_OFF, &values![initiative.0, ms(at)])
                .await
        }
        .map(drop)
    }

    async fn relaying(&mut self, initiative: InitiativeId) -> StoreResult<bool> {
        Ok(self
            .opt(sql::RELAYING, &values![initiative.0], |_| Ok(()))
            .await?
            .is_none())
    }
}
