//! The SQLite store's part of [`kohero_core::ports::Rooms`].

use super::*;

#[async_trait]
impl Rooms for SqliteTx {
    async fn link_room(
        &mut self,
        room: &Address,
        initiative: InitiativeId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.changes(
            sql::rooms::LINK_ROOM,
            params![room.network, room.chat, initiative.0, ms(at)],
        )
        .map(drop)
    }

    async fn room_initiative(&mut self, room: &Address) -> StoreResult<Option<InitiativeId>> {
        self.opt(
            sql::rooms::ROOM_INITIATIVE,
            params![room.network, room.chat],
            |r| Ok(InitiativeId(get(r, "initiative_id")?)),
        )
    }

    async fn rooms_of(&mut self, initiative: InitiativeId) -> StoreResult<Vec<Address>> {
        self.all(sql::rooms::ROOMS_OF, [initiative.0], rows::address)
    }

    async fn initiatives_within(&mut self, forum: &Address) -> StoreResult<Vec<InitiativeId>> {
        self.all(
            "SELECT DISTINCT initiative_id FROM rooms
             WHERE network = ?1 AND substr(chat, 1, length(?2) + 1) = ?2 || '/'
             ORDER BY initiative_id",
            params![forum.network, forum.chat],
            |r| Ok(InitiativeId(get(r, "initiative_id")?)),
        )
    }

    async fn move_room(&mut self, from: &Address, to: &Address) -> StoreResult<()> {
        self.changes(
            "UPDATE OR REPLACE rooms SET network = ?, chat = ? WHERE network = ? AND chat = ?",
            params![to.network, to.chat, from.network, from.chat],
        )
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
            sql::rooms::LINK_FORUM,
            params![forum.network, forum.chat, commune.as_str(), by.0, ms(at)],
        )
        .map(drop)
    }

    async fn forums_of(&mut self, commune: &InseeCode) -> StoreResult<Vec<Address>> {
        self.all(sql::rooms::FORUMS_OF, [commune.as_str()], rows::address)
    }

    async fn forum_commune(&mut self, forum: &Address) -> StoreResult<Option<InseeCode>> {
        self.opt(
            sql::rooms::FORUM_COMMUNE,
            params![forum.network, forum.chat],
            |r| commune_code(&get::<String>(r, "insee")?),
        )
    }
}
