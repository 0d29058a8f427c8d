//! The PostgreSQL store's part of [`kohero_core::ports::Rooms`].

use super::*;

#[async_trait]
impl Rooms for PgTx {
    async fn link_room(
        &mut self,
        room: &Address,
        initiative: InitiativeId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.changes(
            sqlx::query(pg(sql::rooms::LINK_ROOM))
                .bind(&room.network)
                .bind(&room.chat)
                .bind(initiative.0)
                .bind(ms(at)),
        )
        .await?;
        Ok(())
    }

    async fn room_initiative(&mut self, room: &Address) -> StoreResult<Option<InitiativeId>> {
        let id: Option<i64> = sqlx::query_scalar(pg(sql::rooms::ROOM_INITIATIVE))
            .bind(&room.network)
            .bind(&room.chat)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(backend)?;
        Ok(id.map(InitiativeId))
    }

    async fn rooms_of(&mut self, initiative: InitiativeId) -> StoreResult<Vec<Address>> {
        self.all(
            sqlx::query(pg(sql::rooms::ROOMS_OF)).bind(initiative.0),
            rows::address,
        )
        .await
    }

    async fn initiatives_within(&mut self, forum: &Address) -> StoreResult<Vec<InitiativeId>> {
        self.all(
            sqlx::query(
                "SELECT DISTINCT initiative_id FROM rooms
                 WHERE network = $1 AND left(chat, length($2) + 1) = $2 || '/'
                 ORDER BY initiative_id",
            )
            .bind(&forum.network)
            .bind(&forum.chat),
            |r| Ok(InitiativeId(get(r, "initiative_id")?)),
        )
        .await
    }

    async fn move_room(&mut self, from: &Address, to: &Address) -> StoreResult<()> {
        if from == to {
            return Ok(());
        }
        // The new address replaces any room already there.
        sqlx::query("DELETE FROM rooms WHERE network = $1 AND chat = $2")
            .bind(&to.network)
            .bind(&to.chat)
            .execute(&mut *self.tx)
            .await
            .map_err(backend)?;
        self.changes(
            sqlx::query(
                "UPDATE rooms SET network = $1, chat = $2 WHERE network = $3 AND chat = $4",
            )
            .bind(&to.network)
            .bind(&to.chat)
            .bind(&from.network)
            .bind(&from.chat),
        )
        .await?;
        Ok(())
    }

    async fn link_forum(
        &mut self,
        forum: &Address,
        commune: &InseeCode,
        by: ActorId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.changes(
            sqlx::query(pg(sql::rooms::LINK_FORUM))
                .bind(&forum.network)
                .bind(&forum.chat)
                .bind(commune.as_str())
                .bind(by.0)
                .bind(ms(at)),
        )
        .await?;
        Ok(())
    }

    async fn forums_of(&mut self, commune: &InseeCode) -> StoreResult<Vec<Address>> {
        self.all(
            sqlx::query(pg(sql::rooms::FORUMS_OF)).bind(commune.as_str()),
            rows::address,
        )
        .await
    }

    async fn forum_commune(&mut self, forum: &Address) -> StoreResult<Option<InseeCode>> {
        let insee: Option<String> = sqlx::query_scalar(pg(sql::rooms::FORUM_COMMUNE))
            .bind(&forum.network)
            .bind(&forum.chat)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(backend)?;
        insee.as_deref().map(commune_code).transpose()
    }
}
