//! The PostgreSQL store's part of [`kohero_core::ports::Outbox`].

use super::*;
use kohero_sql::outbox_form;

#[async_trait]
impl Outbox for PgTx {
    async fn enqueue(&mut self, new: &NewOutgoing) -> StoreResult<i64> {
        let body = outbox_form::encode(&new.to, &new.payload)
            .map_err(|e| StoreError::Backend(Box::new(e)))?;
        self.write_scalar(
            sqlx::query(
                "INSERT INTO outbox (network, chat, recipient_id, body, priority, idem_key,
                next_attempt_at, created_at, format)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(&new.network)
            .bind(new.to.chat_key())
            .bind(new.recipient.map(|a| a.0))
            .bind(body)
            .bind(new.priority.rank())
            .bind(&new.key)
            .bind(ms(new.at))
            .bind(ms(new.at))
            .bind(outbox_form::FORMAT),
        )
        .await
    }

    async fn enqueue_many(&mut self, messages: &[NewOutgoing]) -> StoreResult<()> {
        if messages.is_empty() {
            return Ok(());
        }
        let mut bodies = Vec::with_capacity(messages.len());
        for m in messages {
            bodies.push(
                outbox_form::encode(&m.to, &m.payload)
                    .map_err(|e| StoreError::Backend(Box::new(e)))?,
            );
        }
        // One statement for them all: each column travels as one array.
        self.changes(
            sqlx::query(
                "INSERT INTO outbox (network, chat, recipient_id, body, priority, idem_key,
                    next_attempt_at, created_at, format)
                 SELECT network, chat, recipient_id, body, priority, idem_key, at, at, $8
                 FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bigint[],
                             $6::text[], $7::bigint[])
                      AS m (network, chat, recipient_id, body, priority, idem_key, at)",
            )
            .bind(
                messages
                    .iter()
                    .map(|m| m.network.clone())
                    .collect::<Vec<_>>(),
            )
            .bind(messages.iter().map(|m| m.to.chat_key()).collect::<Vec<_>>())
            .bind(
                messages
                    .iter()
                    .map(|m| m.recipient.map(|a| a.0))
                    .collect::<Vec<_>>(),
            )
            .bind(bodies)
            .bind(
                messages
                    .iter()
                    .map(|m| m.priority.rank())
                    .collect::<Vec<_>>(),
            )
            .bind(messages.iter().map(|m| m.key.clone()).collect::<Vec<_>>())
            .bind(messages.iter().map(|m| ms(m.at)).collect::<Vec<_>>())
            .bind(outbox_form::FORMAT),
        )
        .await
        .map(drop)
    }

    async fn pending_to(&mut self, to: &Address) -> StoreResult<Vec<Outgoing>> {
        self.all(
            sqlx::query(pg(sql::outbox::PENDING_TO))
                .bind(&to.network)
                .bind(&to.chat),
            rows::outgoing,
        )
        .await
    }

    async fn pending_for(&mut self, recipient: ActorId) -> StoreResult<Vec<Outgoing>> {
        self.all(
            sqlx::query(pg(sql::outbox::PENDING_FOR)).bind(recipient.0),
            rows::outgoing,
        )
        .await
    }

    async fn claim(
        &mut self,
        network: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<Outgoing>> {
        let q = sqlx::query(
            "UPDATE outbox SET claimed_until = $1
             WHERE id IN (
                SELECT id FROM outbox
                WHERE status = 'pending' AND network = $2 AND next_attempt_at <= $3
                  AND (claimed_until IS NULL OR claimed_until <= $4)
                ORDER BY priority, id LIMIT $5
                FOR UPDATE SKIP LOCKED)
             RETURNING *",
        )
        .bind(ms(lease_until))
        .bind(network)
        .bind(ms(now))
        .bind(ms(now))
        .bind(limit_of(limit));
        let rows = self
            .all(q, |r| Ok((get::<i64>(r, "id")?, rows::outgoing(r))))
            .await?;
        // A row that cannot be read is failed with the reason: it must not
        // hold up every other message of the network.
        let mut out = Vec::with_capacity(rows.len());
        for (id, row) in rows {
            match row {
                Ok(o) => out.push(o),
                Err(e) => {
                    tracing::error!(id, error = %e, "an outbox row cannot be read: failed");
                    self.changes(
                        sqlx::query(pg(sql::outbox::MARK_FAILED))
                            .bind(format!("unreadable: {e}"))
                            .bind(ms(now))
                            .bind(id),
                    )
                    .await?;
                }
            }
        }
        // RETURNING gives no order guarantee.
        out.sort_by_key(|o| (o.priority, o.id));
        Ok(out)
    }

    async fn mark_sent(&mut self, id: i64, at: DateTime<Utc>) -> StoreResult<()> {
        let n = self
            .changes(
                sqlx::query(pg(sql::outbox::MARK_SENT))
                    .bind(ms(at))
                    .bind(id),
            )
            .await?;
        not_found("outbox row", n)
    }

    async fn mark_retry(
        &mut self,
        id: i64,
        next_at: DateTime<Utc>,
        error: &str,
    ) -> StoreResult<()> {
        let n = self
            .changes(
                sqlx::query(pg(sql::outbox::MARK_RETRY))
                    .bind(ms(next_at))
                    .bind(error)
                    .bind(id),
            )
            .await?;
        not_found("outbox row", n)
    }

    async fn mark_failed(&mut self, id: i64, error: &str, at: DateTime<Utc>) -> StoreResult<()> {
        let n = self
            .changes(
                sqlx::query(pg(sql::outbox::MARK_FAILED))
                    .bind(error)
                    .bind(ms(at))
                    .bind(id),
            )
            .await?;
        not_found("outbox row", n)
    }

    async fn unclaim(&mut self, id: i64) -> StoreResult<()> {
        let n = self
            .changes(sqlx::query(pg(sql::outbox::UNCLAIM)).bind(id))
            .await?;
        not_found("outbox row", n)
    }

    async fn unclaim_network(&mut self, network: &str) -> StoreResult<u64> {
        self.changes(sqlx::query(pg(sql::outbox::UNCLAIM_NETWORK)).bind(network))
            .await
    }

    async fn set_unreachable(
        &mut self,
        to: &Address,
        reason: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<usize> {
        self.changes(
            sqlx::query(pg(sql::outbox::SET_UNREACHABLE))
                .bind(&to.network)
                .bind(&to.chat)
                .bind(ms(at))
                .bind(reason),
        )
        .await?;
        let n = self
            .changes(
                sqlx::query(pg(sql::outbox::SET_UNREACHABLE_2))
                    .bind(reason)
                    .bind(ms(at))
                    .bind(&to.network)
                    .bind(&to.chat),
            )
            .await?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    async fn is_unreachable(&mut self, to: &Address) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*)::bigint FROM unreachable WHERE network = $1 AND chat = $2",
        )
        .bind(&to.network)
        .bind(&to.chat)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(backend)?;
        Ok(n > 0)
    }

    async fn clear_unreachable(&mut self, to: &Address) -> StoreResult<()> {
        sqlx::query(pg(sql::outbox::CLEAR_UNREACHABLE))
            .bind(&to.network)
            .bind(&to.chat)
            .execute(&mut *self.tx)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn outbox_stats(&mut self, network: &str) -> StoreResult<OutboxStats> {
        let row = sqlx::query(pg(sql::outbox::OUTBOX_STATS))
            .bind(network)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(backend)?;
        let n: i64 = get(&row, "n")?;
        let oldest: Option<i64> = get(&row, "oldest")?;
        Ok(OutboxStats {
            pending: u64::try_from(n).unwrap_or(0),
            oldest: oldest.map(rows::time).transpose()?,
        })
    }
}
