//! [`Outbox`] on a SQL store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kohero_core::domain::*;
use kohero_core::ports::{Outbox, StoreError, StoreResult};

use super::{SqlTx, count, limit_of, not_found};
use crate::exec::{Conn, How, Value};
use crate::statements::outbox as sql;
use crate::{get, ms, outbox_form};

fn encoded(new: &NewOutgoing) -> StoreResult<String> {
    outbox_form::encode(&new.to, &new.payload, new.about)
        .map_err(|e| StoreError::Backend(Box::new(e)))
}

#[async_trait]
impl<C: Conn> Outbox for SqlTx<C> {
    async fn enqueue(&mut self, new: &NewOutgoing) -> StoreResult<i64> {
        let body = encoded(new)?;
        let chat = new.to.chat_key();
        // A key already there is no row rather than a broken constraint (no
        // savepoint needed around the insert: PostgreSQL would otherwise
        // abort the transaction).
        let ids = self
            .rows_how(
                sql::ENQUEUE,
                &values![
                    &new.network,
                    &chat,
                    new.recipient.map(|a| a.0),
                    &body,
                    new.priority.rank(),
                    &new.key,
                    ms(new.at),
                    outbox_form::FORMAT
                ],
                How::PLAIN,
                |r| get(r, "id"),
            )
            .await?;
        ids.into_iter()
            .next()
            .ok_or_else(|| StoreError::Duplicate(format!("outbox key {}", new.key)))
    }

    async fn enqueue_many(&mut self, messages: &[NewOutgoing]) -> StoreResult<()> {
        if messages.is_empty() {
            return Ok(());
        }
        let mut rows = Vec::with_capacity(messages.len());
        for m in messages {
            rows.push(serde_json::json!([
                m.network,
                m.to.chat_key(),
                m.recipient.map(|a| a.0),
                encoded(m)?,
                m.priority.rank(),
                m.key,
                ms(m.at)
            ]));
        }
        let rows = serde_json::Value::Array(rows).to_string();
        self.run(
            sql::ENQUEUE_MANY,
            &[outbox_form::FORMAT.into(), Value::Json(rows)],
            How {
                guarded: true,
                heavy: true,
            },
        )
        .await
        .map(drop)
    }

    async fn pending_to(&mut self, to: &Address) -> StoreResult<Vec<Outgoing>> {
        self.all(sql::PENDING_TO, &values![&to.network, &to.chat], |r| {
            crate::outgoing(r)
        })
        .await
    }

    async fn pending_for(&mut self, recipient: ActorId) -> StoreResult<Vec<Outgoing>> {
        self.all(sql::PENDING_FOR, &values![recipient.0], |r| {
            crate::outgoing(r)
        })
        .await
    }

    async fn claim(
        &mut self,
        network: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<Outgoing>> {
        let rows = self
            .all(
                sql::CLAIM,
                &values![
                    ms(lease_until),
                    network,
                    ms(now),
                    limit_of(limit),
                    limit_of(kohero_core::ports::CLAIM_PER_CHAT),
                    // The rows looked at: enough for `limit` from many chats.
                    limit_of(limit.saturating_mul(16).max(256))
                ],
                |r| Ok((get::<i64>(r, "id")?, crate::outgoing(r))),
            )
            .await?;
        // A row that cannot be read is failed with the reason: it must not
        // hold up every other message of the network.
        let mut claimed = Vec::with_capacity(rows.len());
        for (id, row) in rows {
            match row {
                Ok(o) => claimed.push(o),
                Err(e) => {
                    tracing::error!(id, error = %e, "an outbox row cannot be read: failed");
                    let why = format!("unreadable: {e}");
                    self.changes(sql::MARK_FAILED, &values![why.as_str(), ms(now), id])
                        .await?;
                }
            }
        }
        // RETURNING gives no order guarantee.
        claimed.sort_by_key(|o| (o.priority, o.id));
        Ok(claimed)
    }

    async fn rewrite(&mut self, before: &Outgoing, payload: &Payload) -> StoreResult<bool> {
        let encode = |p: &Payload| {
            outbox_form::encode(&before.to, p, before.about)
                .map_err(|e| StoreError::Backend(Box::new(e)))
        };
        let (old, body) = (encode(&before.payload)?, encode(payload)?);
        let n = self
            .changes(
                sql::REWRITE,
                &values![&body, outbox_form::FORMAT, before.id, &old],
            )
            .await?;
        Ok(n > 0)
    }

    async fn withdraw(&mut self, id: i64) -> StoreResult<bool> {
        Ok(self.changes(sql::WITHDRAW, &values![id]).await? > 0)
    }

    async fn pending_relays(&mut self) -> StoreResult<Vec<Outgoing>> {
        self.all(sql::PENDING_RELAYS, &[], |r| crate::outgoing(r))
            .await
    }

    async fn outgoing(&mut self, id: i64) -> StoreResult<Option<Outgoing>> {
        self.opt(sql::OUTGOING, &values![id], |r| crate::outgoing(r))
            .await
    }

    async fn mark_sent(&mut self, ids: &[i64], at: DateTime<Utc>) -> StoreResult<()> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(());
        }
        let wanted = ids.len() as u64;
        self.open_savepoint(super::Savepoint::Method).await?;
        let r = self
            .changes(sql::MARK_SENT, &[Value::from(ms(at)), Value::Ints(ids)])
            .await
            .and_then(|n| {
                if n == wanted {
                    Ok(())
                } else {
                    Err(kohero_core::ports::StoreError::NotFound(
                        "outbox row".into(),
                    ))
                }
            });
        self.settle(super::Savepoint::Method, r).await
    }

    async fn mark_retry(
        &mut self,
        id: i64,
        next_at: DateTime<Utc>,
        error: &str,
    ) -> StoreResult<()> {
        let n = self
            .changes(sql::MARK_RETRY, &values![ms(next_at), error, id])
            .await?;
        not_found("outbox row", n)
    }

    async fn mark_failed(&mut self, id: i64, error: &str, at: DateTime<Utc>) -> StoreResult<()> {
        let n = self
            .changes(sql::MARK_FAILED, &values![error, ms(at), id])
            .await?;
        not_found("outbox row", n)
    }

    async fn unclaim(&mut self, id: i64) -> StoreResult<()> {
        let n = self.changes(sql::UNCLAIM, &values![id]).await?;
        not_found("outbox row", n)
    }

    async fn unclaim_network(&mut self, network: &str) -> StoreResult<u64> {
        self.changes(sql::UNCLAIM_NETWORK, &values![network]).await
    }

    async fn set_unreachable(
        &mut self,
        to: &Address,
        reason: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<usize> {
        self.changes(
            sql::SET_UNREACHABLE,
            &values![&to.network, &to.chat, ms(at), reason],
        )
        .await?;
        let n = self
            .changes(
                sql::SET_UNREACHABLE_2,
                &values![reason, ms(at), &to.network, &to.chat],
            )
            .await?;
        Ok(count(n))
    }

    async fn is_unreachable(&mut self, to: &Address) -> StoreResult<bool> {
        Ok(self
            .opt(sql::IS_UNREACHABLE, &values![&to.network, &to.chat], |_| {
                Ok(())
            })
            .await?
            .is_some())
    }

    async fn clear_unreachable(&mut self, to: &Address) -> StoreResult<()> {
        self.run(
            sql::CLEAR_UNREACHABLE,
            &values![&to.network, &to.chat],
            How::PLAIN,
        )
        .await
        .map(drop)
    }

    async fn outbox_stats(&mut self, network: &str) -> StoreResult<OutboxStats> {
        self.one(sql::OUTBOX_STATS, &values![network], |r| {
            let n: i64 = get(r, "n")?;
            let oldest: Option<i64> = get(r, "oldest")?;
            Ok(OutboxStats {
                pending: u64::try_from(n).unwrap_or(0),
                oldest: oldest.map(crate::time).transpose()?,
            })
        })
        .await
    }
}

impl<C: Conn> SqlTx<C> {
    /// Whether outbox rows of an earlier format wait to be converted (a read,
    /// through a partial index: no write lock for the opens with nothing to do).
    pub async fn outbox_to_upgrade(&mut self) -> StoreResult<bool> {
        Ok(self
            .opt(sql::ANY_OLD_FORMAT, &[], |r| get::<i64>(r, "id"))
            .await?
            .is_some())
    }

    /// Converts the outbox rows of an earlier format (see migration 12), in
    /// this transaction (a writer's: two processes opening at once convert
    /// each row once). A row that cannot be read is failed with the reason.
    /// Returns how many rows it looked at.
    pub async fn upgrade_outbox(&mut self) -> StoreResult<usize> {
        use outbox_form::{FORMAT, upgrade_v1};
        let old = self
            .all(sql::OLD_FORMAT_ROWS, &[], |r| {
                Ok((
                    get::<i64>(r, "id")?,
                    get::<String>(r, "chat")?,
                    get::<String>(r, "body")?,
                ))
            })
            .await?;
        for (id, chat, body) in &old {
            match upgrade_v1(chat, body) {
                Ok(rows) => {
                    for (n, (chat, body)) in rows.iter().enumerate() {
                        if n == 0 {
                            self.changes(sql::CONVERTED, &values![chat, body, FORMAT, *id])
                                .await?;
                        } else {
                            let suffix = n.to_string();
                            self.changes(
                                sql::CONVERTED_SPLIT,
                                &values![chat, body, &suffix, FORMAT, *id],
                            )
                            .await?;
                        }
                    }
                }
                Err(why) => {
                    let why = format!("not converted to format {FORMAT}: {why}");
                    self.changes(sql::NOT_CONVERTED, &values![FORMAT, &why, *id])
                        .await?;
                }
            }
        }
        if !old.is_empty() {
            tracing::info!(rows = old.len(), "outbox rows converted to format {FORMAT}");
        }
        Ok(old.len())
    }
}
