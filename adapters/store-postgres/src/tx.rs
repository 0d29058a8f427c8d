//! One PostgreSQL transaction implementing the store port.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kohero_core::domain::*;
use kohero_core::geo::BoundingBox;
use kohero_core::places::Located;
use kohero_core::ports::{StoreError, StoreResult, Tx};
use kohero_core::text::search_document;
use sqlx::Postgres;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;

use crate::backend;
use crate::rows::{self, commune_code, get, lat_lon, ms};

/// One transaction on one of the pool's connections; dropped uncommitted, it is
/// rolled back when the connection goes back to the pool.
pub struct PgTx {
    tx: sqlx::Transaction<'static, Postgres>,
}

impl PgTx {
    pub(crate) fn new(tx: sqlx::Transaction<'static, Postgres>) -> Self {
        Self { tx }
    }
}

fn id_list(values: impl Iterator<Item = i64>) -> Vec<i64> {
    values.collect()
}

fn codes(communes: &[InseeCode]) -> Vec<String> {
    communes.iter().map(|c| c.as_str().to_owned()).collect()
}

fn limit_of(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn not_found(what: &str, n: u64) -> StoreResult<()> {
    if n == 0 {
        Err(StoreError::NotFound(what.to_owned()))
    } else {
        Ok(())
    }
}

impl PgTx {
    async fn communes(&mut self, actor: i64) -> StoreResult<Vec<InseeCode>> {
        self.all(
            sqlx::query("SELECT insee FROM actor_communes WHERE actor_id = $1 ORDER BY insee")
                .bind(actor),
            |r| commune_code(&get::<String>(r, "insee")?),
        )
        .await
    }

    /// Actors read by `q`, with the communes of those who speak for some.
    async fn actors(&mut self, q: Query<'_, Postgres, PgArguments>) -> StoreResult<Vec<Actor>> {
        let mut actors = self.all(q, |r| rows::actor(r, Vec::new())).await?;
        for a in &mut actors {
            // Citizens (nearly everyone who writes) speak for no commune: no query.
            if a.kind != ActorKind::Citizen {
                a.communes = self.communes(a.id.0).await?;
            }
        }
        Ok(actors)
    }

    /// Every row of a query, read back with `f`.
    async fn all<T>(
        &mut self,
        q: Query<'_, Postgres, PgArguments>,
        f: impl FnMut(&PgRow) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        q.fetch_all(&mut *self.tx)
            .await
            .map_err(backend)?
            .iter()
            .map(f)
            .collect()
    }

    /// The row of a query, if any, read back with `f`.
    async fn opt<T>(
        &mut self,
        q: Query<'_, Postgres, PgArguments>,
        f: impl FnOnce(&PgRow) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        q.fetch_optional(&mut *self.tx)
            .await
            .map_err(backend)?
            .as_ref()
            .map(f)
            .transpose()
    }

    /// Runs a write in a savepoint of its own, so that a broken constraint
    /// (`Duplicate`, `NotFound`) leaves the transaction usable, as on SQLite
    /// (PostgreSQL otherwise aborts the whole transaction). Returns how many
    /// rows it changed.
    async fn changes(&mut self, q: Query<'_, Postgres, PgArguments>) -> StoreResult<u64> {
        self.run("SAVEPOINT kohero_statement").await?;
        let r = q.execute(&mut *self.tx).await;
        self.settle(r).await.map(|done| done.rows_affected())
    }

    /// A write returning one row (`RETURNING`), in a savepoint like `changes`.
    async fn write_one<T>(
        &mut self,
        q: Query<'_, Postgres, PgArguments>,
        f: fn(&PgRow) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.run("SAVEPOINT kohero_statement").await?;
        let r = q.fetch_one(&mut *self.tx).await;
        f(&self.settle(r).await?)
    }

    /// A write returning one value, in a savepoint like `changes`.
    async fn write_scalar(&mut self, q: Query<'_, Postgres, PgArguments>) -> StoreResult<i64> {
        self.write_one(q, |r| get(r, "id")).await
    }

    /// Ends the statement's savepoint: kept on success, undone on failure.
    async fn settle<T>(&mut self, r: Result<T, sqlx::Error>) -> StoreResult<T> {
        match r {
            Ok(v) => {
                self.run("RELEASE kohero_statement").await?;
                Ok(v)
            }
            Err(e) => {
                self.run("ROLLBACK TO kohero_statement").await?;
                self.run("RELEASE kohero_statement").await?;
                Err(backend(e))
            }
        }
    }

    /// Runs a statement that returns nothing.
    async fn run(&mut self, sql: &'static str) -> StoreResult<()> {
        sqlx::query(sql)
            .execute(&mut *self.tx)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl Tx for PgTx {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        self.tx.commit().await.map_err(backend)
    }

    async fn savepoint(&mut self) -> StoreResult<()> {
        self.run("SAVEPOINT kohero_event").await
    }

    async fn rollback_to_savepoint(&mut self) -> StoreResult<()> {
        self.run("ROLLBACK TO kohero_event").await
    }

    async fn release_savepoint(&mut self) -> StoreResult<()> {
        self.run("RELEASE kohero_event").await
    }

    async fn actor_by_identity(&mut self, identity: &Identity) -> StoreResult<Option<Actor>> {
        Ok(self
            .actors(
                sqlx::query(
                    "SELECT a.* FROM actors a JOIN identities i ON i.actor_id = a.id
                     WHERE i.network = $1 AND i.external_id = $2",
                )
                .bind(&identity.network)
                .bind(&identity.id),
            )
            .await?
            .pop())
    }

    async fn insert_actor(&mut self, new: &NewActor) -> StoreResult<Actor> {
        // Both rows or neither (a taken identity leaves no actor behind).
        self.run("SAVEPOINT kohero_statement").await?;
        let r = sqlx::query(
            "WITH a AS (
                INSERT INTO actors (kind, display_name, lang, tz, verified, created_at)
                VALUES ('citizen', $1, $2, 'Europe/Paris', 0, $3) RETURNING *),
             i AS (INSERT INTO identities (network, external_id, actor_id)
                   SELECT $4, $5, id FROM a)
             SELECT * FROM a",
        )
        .bind(&new.display_name)
        .bind(new.lang.code())
        .bind(ms(new.created_at))
        .bind(&new.identity.network)
        .bind(&new.identity.id)
        .fetch_one(&mut *self.tx)
        .await;
        let row = self.settle(r).await?;
        rows::actor(&row, Vec::new())
    }

    async fn actor(&mut self, id: ActorId) -> StoreResult<Option<Actor>> {
        Ok(self
            .actors(sqlx::query("SELECT * FROM actors WHERE id = $1").bind(id.0))
            .await?
            .pop())
    }

    async fn update_actor(&mut self, a: &Actor) -> StoreResult<()> {
        let (lat, lon) = lat_lon(a.location);
        let n = self
            .changes(
                sqlx::query(
                    "UPDATE actors SET kind = $1, display_name = $2, lang = $3, tz = $4, verified = $5,
             lat = $6, lon = $7 WHERE id = $8",
                )
                .bind(a.kind.key())
                .bind(&a.display_name)
                .bind(a.lang.code())
                .bind(&a.tz)
                .bind(i64::from(a.verified))
                .bind(lat)
                .bind(lon)
                .bind(a.id.0),
            )
            .await?;
        not_found("actor", n)?;
        sqlx::query("DELETE FROM actor_communes WHERE actor_id = $1")
            .bind(a.id.0)
            .execute(&mut *self.tx)
            .await
            .map_err(backend)?;
        let communes = if a.kind == ActorKind::Citizen {
            &[][..]
        } else {
            &a.communes[..]
        };
        for c in communes {
            self.changes(
                sqlx::query("INSERT INTO actor_communes (actor_id, insee) VALUES ($1, $2)")
                    .bind(a.id.0)
                    .bind(c.as_str()),
            )
            .await?;
        }
        Ok(())
    }

    async fn identities_of(&mut self, id: ActorId) -> StoreResult<Vec<Identity>> {
        self.all(
            sqlx::query(
                "SELECT network, external_id FROM identities WHERE actor_id = $1
                 ORDER BY network, external_id",
            )
            .bind(id.0),
            rows::identity,
        )
        .await
    }

    async fn delete_actor(&mut self, id: ActorId) -> StoreResult<()> {
        // Authored rows keep their content: the foreign keys set the author to NULL;
        // everything that is only theirs cascades.
        let n = self
            .changes(sqlx::query("DELETE FROM actors WHERE id = $1").bind(id.0))
            .await?;
        // Other people's alerts that name them ("X joined your project").
        self.changes(
            sqlx::query("DELETE FROM alerts WHERE kind = $1 AND ref_id = $2")
                .bind(AlertKind::NewMember.key())
                .bind(id.0),
        )
        .await?;
        not_found("actor", n)
    }

    async fn insert_initiative(&mut self, new: &NewInitiative) -> StoreResult<Initiative> {
        let (lat, lon) = lat_lon(new.place);
        self.write_one(sqlx::query(
            "INSERT INTO initiatives (kind, title, description, category, lat, lon, commune, status,
                created_by, search_text, created_at, updated_at)
             VALUES ('idea', $1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $10) RETURNING *",
        )
        .bind(&new.title)
        .bind(&new.description)
        .bind(new.category.key())
        .bind(lat)
        .bind(lon)
        .bind(new.commune.as_ref().map(InseeCode::as_str))
        .bind(new.created_by.0)
        .bind(search_document(&new.title, &new.description))
        .bind(ms(new.created_at))
        .bind(ms(new.created_at)), rows::initiative)
        .await
    }

    async fn initiative(&mut self, id: InitiativeId) -> StoreResult<Option<Initiative>> {
        self.opt(
            sqlx::query("SELECT * FROM initiatives WHERE id = $1").bind(id.0),
            rows::initiative,
        )
        .await
    }

    async fn update_initiative(&mut self, i: &Initiative) -> StoreResult<()> {
        let (lat, lon) = lat_lon(i.place);
        let n = self.changes(sqlx::query(
            "UPDATE initiatives SET kind = $1, title = $2, description = $3, category = $4, lat = $5,
                lon = $6, commune = $7, status = $8, created_by = $9, offered_to = $10, search_text = $11,
                updated_at = $12
             WHERE id = $13",
        )
        .bind(i.kind.key())
        .bind(&i.title)
        .bind(&i.description)
        .bind(i.category.key())
        .bind(lat)
        .bind(lon)
        .bind(i.commune.as_ref().map(InseeCode::as_str))
        .bind(i.status.key())
        .bind(i.created_by.map(|a| a.0))
        .bind(i.offered_to.map(|a| a.0))
        .bind(search_document(&i.title, &i.description))
        .bind(ms(i.updated_at))
        .bind(i.id.0)).await?;
        not_found("initiative", n)
    }

    async fn initiatives_in_box(&mut self, b: &BoundingBox) -> StoreResult<Vec<Initiative>> {
        let q = sqlx::query(
            "SELECT * FROM initiatives WHERE lat BETWEEN $1 AND $2 AND lon BETWEEN $3 AND $4",
        )
        .bind(b.min_lat)
        .bind(b.max_lat)
        .bind(b.min_lon)
        .bind(b.max_lon);
        self.all(q, rows::initiative).await
    }

    async fn search_initiatives(
        &mut self,
        words: &[String],
        limit: usize,
    ) -> StoreResult<Vec<Initiative>> {
        if words.is_empty() {
            return Ok(Vec::new());
        }
        // Each word a prefix (`:*`); words hold only letters and digits, quoted
        // all the same. The normalised text is matched word for word
        // ('simple' configuration), as FTS5 does on SQLite.
        let query = words
            .iter()
            .map(|w| format!("'{}':*", w.replace(['\'', '\\'], "")))
            .collect::<Vec<_>>()
            .join(" & ");
        let q = sqlx::query(
            "SELECT * FROM initiatives
             WHERE to_tsvector('simple', search_text) @@ to_tsquery('simple', $1)
             ORDER BY ts_rank(to_tsvector('simple', search_text), to_tsquery('simple', $1)) DESC, id
             LIMIT $2",
        )
        .bind(query)
        .bind(limit_of(limit));
        self.all(q, rows::initiative).await
    }

    async fn located_initiatives(&mut self) -> StoreResult<Vec<Located>> {
        self.all(
            sqlx::query(
                "SELECT id, lat, lon, category, kind FROM initiatives
             WHERE lat IS NOT NULL AND lon IS NOT NULL AND status IN ('open', 'active', 'done')",
            ),
            rows::located,
        )
        .await
    }

    async fn initiative_changes_cursor(&mut self) -> StoreResult<i64> {
        self.opt(
            sqlx::query("SELECT COALESCE(MAX(seq), 0) AS seq FROM initiative_changes"),
            |r| get(r, "seq"),
        )
        .await
        .map(Option::unwrap_or_default)
    }

    async fn initiative_changes(
        &mut self,
        cursor: i64,
        limit: usize,
    ) -> StoreResult<(i64, Vec<(InitiativeId, Option<Located>)>)> {
        let rows = self
            .all(
                sqlx::query(
                    "SELECT c.seq, c.initiative_id AS id, i.category, i.kind,
                            CASE WHEN i.status IN ('open', 'active', 'done') THEN i.lat END AS lat,
                            CASE WHEN i.status IN ('open', 'active', 'done') THEN i.lon END AS lon
                     FROM initiative_changes c LEFT JOIN initiatives i ON i.id = c.initiative_id
                     WHERE c.seq > $1 ORDER BY c.seq LIMIT $2",
                )
                .bind(cursor)
                .bind(limit_of(limit)),
                rows::change,
            )
            .await?;
        Ok(kohero_core::stored::changes_after(cursor, rows))
    }

    async fn initiatives_created_by(&mut self, actor: ActorId) -> StoreResult<Vec<Initiative>> {
        let q = sqlx::query("SELECT * FROM initiatives WHERE created_by = $1 ORDER BY id")
            .bind(actor.0);
        self.all(q, rows::initiative).await
    }

    async fn membership(
        &mut self,
        initiative: InitiativeId,
        actor: ActorId,
    ) -> StoreResult<Option<Membership>> {
        self.opt(
            sqlx::query("SELECT * FROM memberships WHERE initiative_id = $1 AND actor_id = $2")
                .bind(initiative.0)
                .bind(actor.0),
            rows::membership,
        )
        .await
    }

    async fn set_membership(&mut self, m: &Membership) -> StoreResult<()> {
        self.changes(sqlx::query(
            "INSERT INTO memberships (initiative_id, actor_id, role, since) VALUES ($1, $2, $3, $4)
             ON CONFLICT (initiative_id, actor_id) DO UPDATE SET role = excluded.role, since = excluded.since",
        )
        .bind(m.initiative.0)
        .bind(m.actor.0)
        .bind(m.role.key())
        .bind(ms(m.since)))
        .await?;
        Ok(())
    }

    async fn remove_membership(
        &mut self,
        initiative: InitiativeId,
        actor: ActorId,
    ) -> StoreResult<()> {
        let n = self
            .changes(
                sqlx::query("DELETE FROM memberships WHERE initiative_id = $1 AND actor_id = $2")
                    .bind(initiative.0)
                    .bind(actor.0),
            )
            .await?;
        not_found("membership", n)
    }

    async fn members(&mut self, initiative: InitiativeId) -> StoreResult<Vec<Membership>> {
        self.all(
            sqlx::query(
                "SELECT * FROM memberships WHERE initiative_id = $1 ORDER BY since, actor_id",
            )
            .bind(initiative.0),
            rows::membership,
        )
        .await
    }

    async fn memberships_of(&mut self, actor: ActorId) -> StoreResult<Vec<Membership>> {
        self.all(
            sqlx::query(
                "SELECT * FROM memberships WHERE actor_id = $1 ORDER BY since, initiative_id",
            )
            .bind(actor.0),
            rows::membership,
        )
        .await
    }

    async fn insert_update(
        &mut self,
        initiative: InitiativeId,
        author: ActorId,
        text: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<ProgressUpdate> {
        self.write_one(sqlx::query(
            "INSERT INTO updates (initiative_id, author_id, body, created_at) VALUES ($1, $2, $3, $4) RETURNING *",
        )
        .bind(initiative.0)
        .bind(author.0)
        .bind(text)
        .bind(ms(at)), rows::update)
        .await
    }

    async fn update_by_id(&mut self, id: UpdateId) -> StoreResult<Option<ProgressUpdate>> {
        self.opt(
            sqlx::query("SELECT * FROM updates WHERE id = $1").bind(id.0),
            rows::update,
        )
        .await
    }

    async fn updates_of(
        &mut self,
        initiative: InitiativeId,
        limit: usize,
    ) -> StoreResult<Vec<ProgressUpdate>> {
        self.all(sqlx::query(
            "SELECT * FROM updates WHERE initiative_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(initiative.0)
        .bind(limit_of(limit)), rows::update).await
    }

    async fn updates_by(&mut self, author: ActorId) -> StoreResult<Vec<ProgressUpdate>> {
        self.all(
            sqlx::query("SELECT * FROM updates WHERE author_id = $1 ORDER BY id").bind(author.0),
            rows::update,
        )
        .await
    }

    async fn insert_event(&mut self, new: &NewEvent) -> StoreResult<Event> {
        let (lat, lon) = lat_lon(new.place);
        self.write_one(sqlx::query(
            "INSERT INTO events (initiative_id, title, starts_at, tz, lat, lon, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
        )
        .bind(new.initiative.0)
        .bind(&new.title)
        .bind(ms(new.starts_at))
        .bind(&new.tz)
        .bind(lat)
        .bind(lon)
        .bind(new.created_by.0)
        .bind(ms(new.created_at)), rows::event)
        .await
    }

    async fn event(&mut self, id: EventId) -> StoreResult<Option<Event>> {
        self.opt(
            sqlx::query("SELECT * FROM events WHERE id = $1").bind(id.0),
            rows::event,
        )
        .await
    }

    async fn events_of(
        &mut self,
        initiative: InitiativeId,
        from: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>> {
        self.all(sqlx::query(
            "SELECT * FROM events WHERE initiative_id = $1 AND starts_at >= $2 ORDER BY starts_at, id",
        )
        .bind(initiative.0)
        .bind(ms(from)), rows::event).await
    }

    async fn set_rsvp(&mut self, r: &Rsvp) -> StoreResult<()> {
        self.changes(sqlx::query(
            "INSERT INTO rsvps (event_id, actor_id, answer, at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (event_id, actor_id) DO UPDATE SET answer = excluded.answer, at = excluded.at",
        )
        .bind(r.event.0)
        .bind(r.actor.0)
        .bind(r.answer.key())
        .bind(ms(r.at)))
        .await?;
        Ok(())
    }

    async fn rsvps(&mut self, event: EventId) -> StoreResult<Vec<Rsvp>> {
        self.all(
            sqlx::query("SELECT * FROM rsvps WHERE event_id = $1 ORDER BY at, actor_id")
                .bind(event.0),
            rows::rsvp,
        )
        .await
    }

    async fn rsvps_of(&mut self, actor: ActorId) -> StoreResult<Vec<Rsvp>> {
        self.all(
            sqlx::query("SELECT * FROM rsvps WHERE actor_id = $1 ORDER BY event_id").bind(actor.0),
            rows::rsvp,
        )
        .await
    }

    async fn insert_subscription(&mut self, new: &NewSubscription) -> StoreResult<Subscription> {
        let (lat, lon) = lat_lon(new.center);
        self.write_one(sqlx::query(
            "INSERT INTO subscriptions (actor_id, lat, lon, radius_m, commune, categories, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
        )
        .bind(new.actor.0)
        .bind(lat)
        .bind(lon)
        .bind(i64::from(new.radius_m))
        .bind(new.commune.as_ref().map(InseeCode::as_str))
        .bind(rows::categories_to_text(&new.categories))
        .bind(ms(new.created_at)), rows::subscription)
        .await
    }

    async fn subscriptions_of(&mut self, actor: ActorId) -> StoreResult<Vec<Subscription>> {
        self.all(
            sqlx::query("SELECT * FROM subscriptions WHERE actor_id = $1 ORDER BY id")
                .bind(actor.0),
            rows::subscription,
        )
        .await
    }

    async fn delete_subscriptions_of(&mut self, actor: ActorId) -> StoreResult<usize> {
        let n = self
            .changes(sqlx::query("DELETE FROM subscriptions WHERE actor_id = $1").bind(actor.0))
            .await?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    async fn dialogue(&mut self, actor: ActorId) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT state FROM dialogues WHERE actor_id = $1")
            .bind(actor.0)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(backend)
    }

    async fn set_dialogue(&mut self, actor: ActorId, state: Option<&str>) -> StoreResult<()> {
        let q = match state {
            Some(s) => sqlx::query(
                "INSERT INTO dialogues (actor_id, state, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (actor_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            )
            .bind(actor.0)
            .bind(s)
            .bind(ms(Utc::now())),
            None => sqlx::query("DELETE FROM dialogues WHERE actor_id = $1").bind(actor.0),
        };
        self.changes(q).await.map(drop)
    }

    async fn insert_activity(&mut self, new: &NewActivity) -> StoreResult<Activity> {
        self.write_one(sqlx::query(
            "INSERT INTO activity (initiative_id, kind, ref_id, at) VALUES ($1, $2, $3, $4) RETURNING *",
        )
        .bind(new.initiative.0)
        .bind(new.kind.key())
        .bind(new.ref_id)
        .bind(ms(new.at)), rows::activity)
        .await
    }

    async fn activity_of(
        &mut self,
        initiatives: &[InitiativeId],
        offset: usize,
        limit: usize,
    ) -> StoreResult<Vec<Activity>> {
        if initiatives.is_empty() {
            return Ok(Vec::new());
        }
        let ids = id_list(initiatives.iter().map(|i| i.0));
        self.all(
            sqlx::query(
                "SELECT * FROM activity WHERE initiative_id = ANY($1)
             ORDER BY at DESC, id DESC LIMIT $2 OFFSET $3",
            )
            .bind(ids)
            .bind(limit_of(limit))
            .bind(limit_of(offset)),
            rows::activity,
        )
        .await
    }

    async fn enqueue(&mut self, new: &NewOutgoing) -> StoreResult<i64> {
        let body =
            serde_json::to_string(&new.reply).map_err(|e| StoreError::Backend(Box::new(e)))?;
        self.write_scalar(
            sqlx::query(
                "INSERT INTO outbox (network, chat, recipient_id, body, priority, idem_key,
                next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(&new.to.network)
            .bind(&new.to.chat)
            .bind(new.recipient.map(|a| a.0))
            .bind(body)
            .bind(new.priority.rank())
            .bind(&new.key)
            .bind(ms(new.at))
            .bind(ms(new.at)),
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
                serde_json::to_string(&m.reply).map_err(|e| StoreError::Backend(Box::new(e)))?,
            );
        }
        // One statement for them all: each column travels as one array.
        self.changes(
            sqlx::query(
                "INSERT INTO outbox (network, chat, recipient_id, body, priority, idem_key,
                    next_attempt_at, created_at)
                 SELECT network, chat, recipient_id, body, priority, idem_key, at, at
                 FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bigint[],
                             $6::text[], $7::bigint[])
                      AS m (network, chat, recipient_id, body, priority, idem_key, at)",
            )
            .bind(
                messages
                    .iter()
                    .map(|m| m.to.network.clone())
                    .collect::<Vec<_>>(),
            )
            .bind(
                messages
                    .iter()
                    .map(|m| m.to.chat.clone())
                    .collect::<Vec<_>>(),
            )
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
            .bind(messages.iter().map(|m| ms(m.at)).collect::<Vec<_>>()),
        )
        .await
        .map(drop)
    }

    async fn pending_to(&mut self, to: &Address) -> StoreResult<Vec<Outgoing>> {
        self.all(sqlx::query(
            "SELECT * FROM outbox WHERE network = $1 AND chat = $2 AND status = 'pending' ORDER BY id",
        )
        .bind(&to.network)
        .bind(&to.chat), rows::outgoing).await
    }

    async fn pending_for(&mut self, recipient: ActorId) -> StoreResult<Vec<Outgoing>> {
        self.all(
            sqlx::query(
                "SELECT * FROM outbox WHERE recipient_id = $1 AND status = 'pending' ORDER BY id",
            )
            .bind(recipient.0),
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
        let mut out = self.all(q, rows::outgoing).await?;
        // RETURNING gives no order guarantee.
        out.sort_by_key(|o| (o.priority, o.id));
        Ok(out)
    }

    async fn mark_sent(&mut self, id: i64, at: DateTime<Utc>) -> StoreResult<()> {
        let n = self.changes(sqlx::query(
            "UPDATE outbox SET status = 'sent', attempts = attempts + 1, claimed_until = NULL,
                done_at = $1 WHERE id = $2",
        )
        .bind(ms(at))
        .bind(id)).await?;
        not_found("outbox row", n)
    }

    async fn mark_retry(
        &mut self,
        id: i64,
        next_at: DateTime<Utc>,
        error: &str,
    ) -> StoreResult<()> {
        let n = self.changes(sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, claimed_until = NULL,
                last_error = $2 WHERE id = $3",
        )
        .bind(ms(next_at))
        .bind(error)
        .bind(id)).await?;
        not_found("outbox row", n)
    }

    async fn mark_failed(&mut self, id: i64, error: &str, at: DateTime<Utc>) -> StoreResult<()> {
        let n = self.changes(sqlx::query(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, claimed_until = NULL,
                last_error = $1, done_at = $2 WHERE id = $3",
        )
        .bind(error)
        .bind(ms(at))
        .bind(id)).await?;
        not_found("outbox row", n)
    }

    async fn release(&mut self, id: i64) -> StoreResult<()> {
        let n = self
            .changes(sqlx::query("UPDATE outbox SET claimed_until = NULL WHERE id = $1").bind(id))
            .await?;
        not_found("outbox row", n)
    }

    async fn release_claims(&mut self, network: &str) -> StoreResult<u64> {
        self.changes(
            sqlx::query(
                "UPDATE outbox SET claimed_until = NULL
                 WHERE status = 'pending' AND network = $1 AND claimed_until IS NOT NULL",
            )
            .bind(network),
        )
        .await
    }

    async fn acquire_lease(
        &mut self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n = self
            .changes(
                sqlx::query(
                    "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $4)
                     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,
                         expires_at = excluded.expires_at
                     WHERE leases.holder = excluded.holder OR leases.expires_at <= $3",
                )
                .bind(name)
                .bind(holder)
                .bind(ms(now))
                .bind(ms(until)),
            )
            .await?;
        Ok(n == 1)
    }

    async fn release_lease(&mut self, name: &str, holder: &str) -> StoreResult<()> {
        self.changes(
            sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
                .bind(name)
                .bind(holder),
        )
        .await?;
        Ok(())
    }

    async fn lease_holder(&mut self, name: &str) -> StoreResult<Option<(String, DateTime<Utc>)>> {
        self.opt(
            sqlx::query("SELECT holder, expires_at FROM leases WHERE name = $1").bind(name),
            |r| Ok((get(r, "holder")?, rows::time(get(r, "expires_at")?)?)),
        )
        .await
    }

    async fn take_lease_from(
        &mut self,
        name: &str,
        from: &str,
        holder: &str,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n = self
            .changes(
                sqlx::query(
                    "UPDATE leases SET holder = $1, expires_at = $2 WHERE name = $3 AND holder = $4",
                )
                .bind(holder)
                .bind(ms(until))
                .bind(name)
                .bind(from),
            )
            .await?;
        Ok(n == 1)
    }

    async fn set_unreachable(
        &mut self,
        to: &Address,
        reason: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<usize> {
        self.changes(sqlx::query(
            "INSERT INTO unreachable (network, chat, since, reason) VALUES ($1, $2, $3, $4)
             ON CONFLICT (network, chat) DO UPDATE SET since = excluded.since, reason = excluded.reason",
        )
        .bind(&to.network)
        .bind(&to.chat)
        .bind(ms(at))
        .bind(reason))
        .await?;
        let n = self.changes(sqlx::query(
            "UPDATE outbox SET status = 'failed', claimed_until = NULL, last_error = $1, done_at = $2
             WHERE network = $3 AND chat = $4 AND status = 'pending'",
        )
        .bind(reason)
        .bind(ms(at))
        .bind(&to.network)
        .bind(&to.chat)).await?;
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
        sqlx::query("DELETE FROM unreachable WHERE network = $1 AND chat = $2")
            .bind(&to.network)
            .bind(&to.chat)
            .execute(&mut *self.tx)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn outbox_stats(&mut self, network: &str) -> StoreResult<OutboxStats> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox
             WHERE network = $1 AND status = 'pending'",
        )
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

    async fn link_room(
        &mut self,
        room: &Address,
        initiative: InitiativeId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.changes(sqlx::query(
            "INSERT INTO rooms (network, chat, initiative_id, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (network, chat) DO UPDATE SET initiative_id = excluded.initiative_id,
                created_at = excluded.created_at",
        )
        .bind(&room.network)
        .bind(&room.chat)
        .bind(initiative.0)
        .bind(ms(at)))
        .await?;
        Ok(())
    }

    async fn room_initiative(&mut self, room: &Address) -> StoreResult<Option<InitiativeId>> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT initiative_id FROM rooms WHERE network = $1 AND chat = $2")
                .bind(&room.network)
                .bind(&room.chat)
                .fetch_optional(&mut *self.tx)
                .await
                .map_err(backend)?;
        Ok(id.map(InitiativeId))
    }

    async fn rooms_of(&mut self, initiative: InitiativeId) -> StoreResult<Vec<Address>> {
        self.all(
            sqlx::query(
                "SELECT network, chat FROM rooms WHERE initiative_id = $1 ORDER BY network, chat",
            )
            .bind(initiative.0),
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
            sqlx::query(
                "INSERT INTO commune_forums (network, chat, insee, linked_by, created_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (network, chat) DO UPDATE SET insee = excluded.insee,
                linked_by = excluded.linked_by, created_at = excluded.created_at",
            )
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
            sqlx::query(
                "SELECT network, chat FROM commune_forums WHERE insee = $1 ORDER BY network, chat",
            )
            .bind(commune.as_str()),
            rows::address,
        )
        .await
    }

    async fn forum_commune(&mut self, forum: &Address) -> StoreResult<Option<InseeCode>> {
        let insee: Option<String> =
            sqlx::query_scalar("SELECT insee FROM commune_forums WHERE network = $1 AND chat = $2")
                .bind(&forum.network)
                .bind(&forum.chat)
                .fetch_optional(&mut *self.tx)
                .await
                .map_err(backend)?;
        insee.as_deref().map(commune_code).transpose()
    }

    async fn network_state(&mut self, network: &str, key: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT value FROM network_state WHERE network = $1 AND key = $2")
            .bind(network)
            .bind(key)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(backend)
    }

    async fn set_network_state(
        &mut self,
        network: &str,
        key: &str,
        value: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let q = match value {
            Some(v) => sqlx::query(
                "INSERT INTO network_state (network, key, value, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (network, key) DO UPDATE SET value = excluded.value,
                    updated_at = excluded.updated_at, temporary = 0",
            )
            .bind(network)
            .bind(key)
            .bind(v)
            .bind(ms(at)),
            None => sqlx::query("DELETE FROM network_state WHERE network = $1 AND key = $2")
                .bind(network)
                .bind(key),
        };
        self.changes(q).await?;
        Ok(())
    }

    async fn set_network_state_for_a_while(
        &mut self,
        network: &str,
        key: &str,
        value: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.changes(
            sqlx::query(
                "INSERT INTO network_state (network, key, value, updated_at, temporary)
             VALUES ($1, $2, $3, $4, 1)
             ON CONFLICT (network, key) DO UPDATE SET value = excluded.value,
                updated_at = excluded.updated_at, temporary = 1",
            )
            .bind(network)
            .bind(key)
            .bind(value)
            .bind(ms(at)),
        )
        .await?;
        Ok(())
    }

    async fn forget_network_state(&mut self, network: &str, who: &str) -> StoreResult<u64> {
        // Keys end in `:who`; compared with right(), not LIKE, so that `%` or `_`
        // in an id match nothing else.
        let r = sqlx::query(
            "DELETE FROM network_state WHERE network = $1
             AND (value = $2 OR right(key, length($2) + 1) = ':' || $2)",
        )
        .bind(network)
        .bind(who)
        .execute(&mut *self.tx)
        .await
        .map_err(backend)?;
        Ok(r.rows_affected())
    }

    async fn remember_action(&mut self, command: &str, at: DateTime<Utc>) -> StoreResult<i64> {
        self.write_scalar(
            sqlx::query(
                "INSERT INTO actions (command, created_at, used_at) VALUES ($1, $2, $2)
                 ON CONFLICT (command) DO UPDATE
                 SET used_at = greatest(coalesce(actions.used_at, 0), excluded.used_at)
                 RETURNING id",
            )
            .bind(command)
            .bind(ms(at)),
        )
        .await
    }

    async fn recall_action(&mut self, id: i64) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT command FROM actions WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(backend)
    }

    async fn record_event(
        &mut self,
        network: &str,
        event_id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n = self
            .changes(
                sqlx::query(
                    "INSERT INTO seen_events (network, event_id, seen_at) VALUES ($1, $2, $3)
             ON CONFLICT (network, event_id) DO NOTHING",
                )
                .bind(network)
                .bind(event_id)
                .bind(ms(at)),
            )
            .await?;
        Ok(n == 1)
    }

    async fn record_failed_event(
        &mut self,
        network: &str,
        event_id: &str,
        why: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.changes(
            sqlx::query(
                "INSERT INTO seen_events (network, event_id, seen_at, failure) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (network, event_id) DO UPDATE SET failure = excluded.failure",
            )
            .bind(network)
            .bind(event_id)
            .bind(ms(at))
            .bind(why),
        )
        .await?;
        Ok(())
    }

    async fn municipalities_of(&mut self, commune: &InseeCode) -> StoreResult<Vec<Actor>> {
        self.actors(
            sqlx::query(
                "SELECT a.* FROM actors a JOIN actor_communes c ON c.actor_id = a.id
                 WHERE c.insee = $1 AND a.kind = 'municipality' AND a.verified = 1 ORDER BY a.id",
            )
            .bind(commune.as_str()),
        )
        .await
    }

    async fn digest_plan(&mut self, municipality: ActorId) -> StoreResult<Option<DigestPlan>> {
        self.opt(
            sqlx::query("SELECT * FROM digest_plans WHERE municipality_id = $1")
                .bind(municipality.0),
            rows::digest_plan,
        )
        .await
    }

    async fn due_digest_plans(&mut self, now: DateTime<Utc>) -> StoreResult<Vec<DigestPlan>> {
        self.all(
            sqlx::query(
                "SELECT * FROM digest_plans WHERE next_at IS NOT NULL AND next_at <= $1
                 ORDER BY next_at, municipality_id",
            )
            .bind(ms(now)),
            rows::digest_plan,
        )
        .await
    }

    async fn claim_digest_ticks(
        &mut self,
        ticks: &[(ActorId, DateTime<Utc>)],
    ) -> StoreResult<Vec<ActorId>> {
        let claimed: Vec<i64> = sqlx::query_scalar(
            "INSERT INTO digest_ticks (municipality_id, tick)
             SELECT * FROM unnest($1::bigint[], $2::bigint[])
             ON CONFLICT DO NOTHING RETURNING municipality_id",
        )
        .bind(ticks.iter().map(|(m, _)| m.0).collect::<Vec<_>>())
        .bind(ticks.iter().map(|(_, t)| ms(*t)).collect::<Vec<_>>())
        .fetch_all(&mut *self.tx)
        .await
        .map_err(backend)?;
        Ok(claimed.into_iter().map(ActorId).collect())
    }

    async fn save_digest_plans(&mut self, plans: &[DigestPlan]) -> StoreResult<()> {
        self.changes(
            sqlx::query(
                "INSERT INTO digest_plans (municipality_id, schedule, tz, next_at, last_at, announcement)
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[],
                                      $5::bigint[], $6::text[])
                 ON CONFLICT (municipality_id) DO UPDATE SET schedule = excluded.schedule,
                    tz = excluded.tz, next_at = excluded.next_at, last_at = excluded.last_at,
                    announcement = excluded.announcement",
            )
            .bind(plans.iter().map(|p| p.municipality.0).collect::<Vec<_>>())
            .bind(plans.iter().map(|p| p.schedule.clone()).collect::<Vec<_>>())
            .bind(plans.iter().map(|p| p.tz.clone()).collect::<Vec<_>>())
            .bind(plans.iter().map(|p| p.next_at.map(ms)).collect::<Vec<_>>())
            .bind(plans.iter().map(|p| p.last_at.map(ms)).collect::<Vec<_>>())
            .bind(plans.iter().map(|p| p.announcement.clone()).collect::<Vec<_>>()),
        )
        .await
        .map(drop)
    }

    async fn initiatives_in_communes(
        &mut self,
        communes: &[InseeCode],
    ) -> StoreResult<Vec<Initiative>> {
        let codes = codes(communes);
        self.all(
            sqlx::query(
                "SELECT * FROM initiatives WHERE commune = ANY($1)
                 ORDER BY id",
            )
            .bind(codes),
            rows::initiative,
        )
        .await
    }

    async fn activity_since(
        &mut self,
        initiatives: &[InitiativeId],
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<Activity>> {
        let ids = id_list(initiatives.iter().map(|i| i.0));
        self.all(
            sqlx::query(
                "SELECT * FROM activity WHERE initiative_id = ANY($1)
                 AND at >= $2 ORDER BY at, id",
            )
            .bind(ids)
            .bind(ms(since)),
            rows::activity,
        )
        .await
    }

    async fn events_between(
        &mut self,
        initiatives: &[InitiativeId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>> {
        let ids = id_list(initiatives.iter().map(|i| i.0));
        self.all(
            sqlx::query(
                "SELECT * FROM events WHERE initiative_id = ANY($1)
                 AND starts_at >= $2 AND starts_at < $3 ORDER BY starts_at, id",
            )
            .bind(ids)
            .bind(ms(from))
            .bind(ms(to)),
            rows::event,
        )
        .await
    }

    async fn subscriptions_near(
        &mut self,
        communes: &[InseeCode],
        bbox: &BoundingBox,
    ) -> StoreResult<Vec<Subscription>> {
        let codes = codes(communes);
        self.all(
            sqlx::query(
                "SELECT * FROM subscriptions WHERE commune = ANY($1)
                 UNION
                 SELECT * FROM subscriptions
                 WHERE commune IS NULL AND lat BETWEEN $2 AND $3 AND lon BETWEEN $4 AND $5
                 ORDER BY id",
            )
            .bind(codes)
            .bind(bbox.min_lat)
            .bind(bbox.max_lat)
            .bind(bbox.min_lon)
            .bind(bbox.max_lon),
            rows::subscription,
        )
        .await
    }

    async fn actors_by_ids(&mut self, ids: &[ActorId]) -> StoreResult<Vec<Actor>> {
        let list = id_list(ids.iter().map(|a| a.0));
        let mut by_actor: std::collections::HashMap<i64, Vec<InseeCode>> =
            std::collections::HashMap::new();
        for (actor, code) in self
            .all(
                sqlx::query(
                    "SELECT actor_id, insee FROM actor_communes
                     WHERE actor_id = ANY($1) ORDER BY actor_id, insee",
                )
                .bind(&list),
                rows::actor_commune,
            )
            .await?
        {
            by_actor.entry(actor).or_default().push(code);
        }
        self.all(
            sqlx::query("SELECT * FROM actors WHERE id = ANY($1) ORDER BY id").bind(&list),
            |r| {
                let id: i64 = get(r, "id")?;
                rows::actor(r, by_actor.remove(&id).unwrap_or_default())
            },
        )
        .await
    }

    async fn digest_plans_of(&mut self, ids: &[ActorId]) -> StoreResult<Vec<DigestPlan>> {
        self.all(
            sqlx::query(
                "SELECT * FROM digest_plans
                 WHERE municipality_id = ANY($1) ORDER BY municipality_id",
            )
            .bind(id_list(ids.iter().map(|a| a.0))),
            rows::digest_plan,
        )
        .await
    }

    async fn updates_by_ids(&mut self, ids: &[i64]) -> StoreResult<Vec<ProgressUpdate>> {
        self.all(
            sqlx::query("SELECT * FROM updates WHERE id = ANY($1) ORDER BY id").bind(ids.to_vec()),
            rows::update,
        )
        .await
    }

    async fn reachable_identities(
        &mut self,
        ids: &[ActorId],
    ) -> StoreResult<Vec<(ActorId, Lang, Identity)>> {
        self.all(
            sqlx::query(
                "SELECT i.actor_id, a.lang, i.network, i.external_id
                 FROM identities i JOIN actors a ON a.id = i.actor_id
                 WHERE i.actor_id = ANY($1)
                   AND NOT EXISTS (SELECT 1 FROM unreachable u
                                   WHERE u.network = i.network AND u.chat = i.external_id)
                 ORDER BY i.actor_id, i.network, i.external_id",
            )
            .bind(id_list(ids.iter().map(|a| a.0))),
            rows::reachable,
        )
        .await
    }

    async fn queue_alert(&mut self, a: &NewAlert) -> StoreResult<()> {
        self.changes(
            sqlx::query(
                "INSERT INTO alerts (actor_id, initiative_id, kind, ref_id, at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(a.actor.0)
            .bind(a.initiative.0)
            .bind(a.kind.key())
            .bind(a.ref_id)
            .bind(ms(a.at)),
        )
        .await
        .map(drop)
    }

    async fn alerted_actors(&mut self, now: DateTime<Utc>) -> StoreResult<Vec<ActorId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT a.actor_id FROM alerts a
             LEFT JOIN alert_prefs p ON p.actor_id = a.actor_id
             WHERE p.hold_until IS NULL OR p.hold_until <= $1
             ORDER BY a.actor_id",
        )
        .bind(ms(now))
        .fetch_all(&mut *self.tx)
        .await
        .map_err(backend)?;
        Ok(ids.into_iter().map(ActorId).collect())
    }

    async fn alerts_of(&mut self, actor: ActorId) -> StoreResult<Vec<Alert>> {
        self.all(
            sqlx::query("SELECT * FROM alerts WHERE actor_id = $1 ORDER BY id").bind(actor.0),
            rows::alert,
        )
        .await
    }

    async fn delete_alerts(&mut self, actor: ActorId, upto: i64) -> StoreResult<()> {
        self.changes(
            sqlx::query("DELETE FROM alerts WHERE actor_id = $1 AND id <= $2")
                .bind(actor.0)
                .bind(upto),
        )
        .await
        .map(drop)
    }

    async fn alert_prefs(&mut self, actor: ActorId) -> StoreResult<AlertPrefs> {
        Ok(self
            .opt(
                sqlx::query("SELECT * FROM alert_prefs WHERE actor_id = $1").bind(actor.0),
                rows::alert_prefs,
            )
            .await?
            .unwrap_or_default())
    }

    async fn set_alert_prefs(&mut self, actor: ActorId, p: &AlertPrefs) -> StoreResult<()> {
        self.changes(
            sqlx::query(
                "INSERT INTO alert_prefs (actor_id, enabled, quiet_from, quiet_to, last_sent_at,
                    hold_until)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (actor_id) DO UPDATE SET enabled = excluded.enabled,
                    quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to,
                    last_sent_at = excluded.last_sent_at, hold_until = excluded.hold_until",
            )
            .bind(actor.0)
            .bind(i64::from(p.enabled))
            .bind(i64::from(p.quiet_from))
            .bind(i64::from(p.quiet_to))
            .bind(p.last_sent_at.map(ms))
            .bind(p.hold_until.map(ms)),
        )
        .await
        .map(drop)
    }

    async fn events_starting(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>> {
        self.all(
            sqlx::query(
                "SELECT * FROM events WHERE starts_at >= $1 AND starts_at < $2 ORDER BY starts_at, id",
            )
            .bind(ms(from))
            .bind(ms(to)),
            rows::event,
        )
        .await
    }

    async fn claim_reminder(&mut self, event: EventId, which: Reminder) -> StoreResult<bool> {
        let n = self
            .changes(
                sqlx::query(
                    "INSERT INTO event_reminders (event_id, which) VALUES ($1, $2)
                     ON CONFLICT DO NOTHING",
                )
                .bind(event.0)
                .bind(which.key()),
            )
            .await?;
        Ok(n == 1)
    }

    async fn prune(&mut self, before: DateTime<Utc>) -> StoreResult<u64> {
        let a = self
            .changes(
                sqlx::query("DELETE FROM outbox WHERE status <> 'pending' AND done_at < $1")
                    .bind(ms(before)),
            )
            .await?;
        let b = self
            .changes(sqlx::query("DELETE FROM seen_events WHERE seen_at < $1").bind(ms(before)))
            .await?;
        let c = self
            .changes(
                sqlx::query("DELETE FROM network_state WHERE temporary = 1 AND updated_at < $1")
                    .bind(ms(before)),
            )
            .await?;
        let d = self
            .changes(sqlx::query("DELETE FROM digest_ticks WHERE tick < $1").bind(ms(before)))
            .await?;
        let e = self
            .changes(sqlx::query("DELETE FROM initiative_changes WHERE at < $1").bind(ms(before)))
            .await?;
        Ok(a + b + c + d + e)
    }

    async fn prune_actions(&mut self, before: DateTime<Utc>) -> StoreResult<u64> {
        self.changes(sqlx::query("DELETE FROM actions WHERE used_at < $1").bind(ms(before)))
            .await
    }
}
