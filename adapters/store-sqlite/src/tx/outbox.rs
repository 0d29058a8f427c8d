//! The SQLite store's part of [`kohero_core::ports::Outbox`].

use super::*;
use kohero_sql::outbox_form;

#[async_trait]
impl Outbox for SqliteTx {
    async fn enqueue(&mut self, new: &NewOutgoing) -> StoreResult<i64> {
        let body = outbox_form::encode(&new.to, &new.payload)
            .map_err(|e| StoreError::Backend(Box::new(e)))?;
        self.changes(
            "INSERT INTO outbox (network, chat, recipient_id, body, priority, idem_key,
                next_attempt_at, created_at, format)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params![
                new.network,
                new.to.chat_key(),
                new.recipient.map(|a| a.0),
                body,
                new.priority.rank(),
                new.key,
                ms(new.at),
                ms(new.at),
                outbox_form::FORMAT
            ],
        )?;
        Ok(self.db()?.last_insert_rowid())
    }

    async fn enqueue_many(&mut self, messages: &[NewOutgoing]) -> StoreResult<()> {
        if messages.is_empty() {
            return Ok(());
        }
        let mut rows = Vec::with_capacity(messages.len());
        for m in messages {
            let body = outbox_form::encode(&m.to, &m.payload)
                .map_err(|e| StoreError::Backend(Box::new(e)))?;
            rows.push(serde_json::json!([
                m.network,
                m.to.chat_key(),
                m.recipient.map(|a| a.0),
                body,
                m.priority.rank(),
                m.key,
                ms(m.at)
            ]));
        }
        let rows = serde_json::Value::Array(rows).to_string();
        // One statement for them all: the rows travel as one JSON array.
        heavy(|| {
            self.changes(
                "INSERT INTO outbox (network, chat, recipient_id, body, priority, idem_key,
                    next_attempt_at, created_at, format)
                 SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),
                        json_extract(value, '$[2]'), json_extract(value, '$[3]'),
                        json_extract(value, '$[4]'), json_extract(value, '$[5]'),
                        json_extract(value, '$[6]'), json_extract(value, '$[6]'), ?1
                 FROM json_each(?2)",
                params![outbox_form::FORMAT, rows],
            )
        })
        .map(drop)
    }

    async fn pending_to(&mut self, to: &Address) -> StoreResult<Vec<Outgoing>> {
        self.all(
            sql::outbox::PENDING_TO,
            params![to.network, to.chat],
            rows::outgoing,
        )
    }

    async fn pending_for(&mut self, recipient: ActorId) -> StoreResult<Vec<Outgoing>> {
        self.all(sql::outbox::PENDING_FOR, [recipient.0], rows::outgoing)
    }

    async fn claim(
        &mut self,
        network: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<Outgoing>> {
        let mut out = self.all(
            "UPDATE outbox SET claimed_until = ?
             WHERE id IN (
                SELECT id FROM outbox
                WHERE status = 'pending' AND network = ? AND next_attempt_at <= ?
                  AND (claimed_until IS NULL OR claimed_until <= ?)
                ORDER BY priority, id LIMIT ?)
             RETURNING *",
            params![ms(lease_until), network, ms(now), ms(now), limit_of(limit)],
            |r| Ok((get::<i64>(r, "id")?, rows::outgoing(r))),
        )?;
        // A row that cannot be read is failed with the reason: it must not
        // hold up every other message of the network.
        let mut claimed = Vec::with_capacity(out.len());
        for (id, row) in out.drain(..) {
            match row {
                Ok(o) => claimed.push(o),
                Err(e) => {
                    tracing::error!(id, error = %e, "an outbox row cannot be read: failed");
                    self.changes(
                        sql::outbox::MARK_FAILED,
                        params![format!("unreadable: {e}"), ms(now), id],
                    )?;
                }
            }
        }
        // RETURNING gives no order guarantee.
        claimed.sort_by_key(|o| (o.priority, o.id));
        Ok(claimed)
    }

    async fn mark_sent(&mut self, id: i64, at: DateTime<Utc>) -> StoreResult<()> {
        let n = self.changes(sql::outbox::MARK_SENT, [ms(at), id])?;
        not_found("outbox row", n)
    }

    async fn mark_retry(
        &mut self,
        id: i64,
        next_at: DateTime<Utc>,
        error: &str,
    ) -> StoreResult<()> {
        let n = self.changes(sql::outbox::MARK_RETRY, params![ms(next_at), error, id])?;
        not_found("outbox row", n)
    }

    async fn mark_failed(&mut self, id: i64, error: &str, at: DateTime<Utc>) -> StoreResult<()> {
        let n = self.changes(sql::outbox::MARK_FAILED, params![error, ms(at), id])?;
        not_found("outbox row", n)
    }

    async fn unclaim(&mut self, id: i64) -> StoreResult<()> {
        let n = self.changes(sql::outbox::UNCLAIM, [id])?;
        not_found("outbox row", n)
    }

    async fn unclaim_network(&mut self, network: &str) -> StoreResult<u64> {
        self.changes(sql::outbox::UNCLAIM_NETWORK, [network])
    }

    async fn set_unreachable(
        &mut self,
        to: &Address,
        reason: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<usize> {
        self.changes(
            sql::outbox::SET_UNREACHABLE,
            params![to.network, to.chat, ms(at), reason],
        )?;
        let n = self.changes(
            sql::outbox::SET_UNREACHABLE_2,
            params![reason, ms(at), to.network, to.chat],
        )?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    async fn is_unreachable(&mut self, to: &Address) -> StoreResult<bool> {
        Ok(self
            .opt(
                "SELECT 1 FROM unreachable WHERE network = ? AND chat = ?",
                params![to.network, to.chat],
                |_| Ok(()),
            )?
            .is_some())
    }

    async fn clear_unreachable(&mut self, to: &Address) -> StoreResult<()> {
        self.changes(sql::outbox::CLEAR_UNREACHABLE, params![to.network, to.chat])
            .map(drop)
    }

    async fn outbox_stats(&mut self, network: &str) -> StoreResult<OutboxStats> {
        self.one(sql::outbox::OUTBOX_STATS, [network], |r| {
            let n: i64 = get(r, "n")?;
            let oldest: Option<i64> = get(r, "oldest")?;
            Ok(OutboxStats {
                pending: u64::try_from(n).unwrap_or(0),
                oldest: oldest.map(rows::time).transpose()?,
            })
        })
    }
}
