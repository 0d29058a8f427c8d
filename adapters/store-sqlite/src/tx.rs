//! One SQLite transaction implementing the store port.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kohero_core::domain::*;
use kohero_core::geo::BoundingBox;
use kohero_core::places::Located;
use kohero_core::ports::{StoreError, StoreResult, Tx};
use kohero_core::text::search_document;
use rusqlite::{Connection, Params, Row, params};
use tokio::sync::OwnedMutexGuard;

use std::sync::Arc;

use crate::backend;
use crate::checkpoint::Checkpointer;
use crate::rows::{self, commune_code, get, lat_lon, ms};

/// A transaction holds the store's one connection until it commits or is
/// dropped; dropped uncommitted, it is rolled back at once.
pub struct SqliteTx {
    /// The store's connection (always `Some`: `begin` checked), inside a
    /// transaction.
    conn: OwnedMutexGuard<Option<Connection>>,
    open: bool,
    /// Told of each commit.
    checkpointer: Option<Arc<Checkpointer>>,
}

impl SqliteTx {
    pub(crate) fn new(
        conn: OwnedMutexGuard<Option<Connection>>,
        checkpointer: Option<Arc<Checkpointer>>,
    ) -> Self {
        Self {
            conn,
            open: true,
            checkpointer,
        }
    }
}

impl Drop for SqliteTx {
    fn drop(&mut self) {
        if self.open
            && let Some(db) = self.conn.as_ref()
            && let Err(e) = db.execute_batch("ROLLBACK")
        {
            tracing::warn!(error = %e, "rolling back a SQLite transaction");
        }
    }
}

/// Runs a statement that reads or writes a large part of the database: on a
/// multi-threaded runtime the thread's other tasks move elsewhere meanwhile.
/// (Ordinary statements take microseconds and run in place.)
pub(crate) fn heavy<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

/// A list bound as one JSON array (read back with `json_each`): one statement
/// whatever the number of values.
fn json_list<T: Into<serde_json::Value>>(values: impl Iterator<Item = T>) -> String {
    serde_json::Value::Array(values.map(Into::into).collect()).to_string()
}

fn not_found(what: &str, n: u64) -> StoreResult<()> {
    if n == 0 {
        Err(StoreError::NotFound(what.to_owned()))
    } else {
        Ok(())
    }
}

fn limit_of(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl SqliteTx {
    fn db(&self) -> StoreResult<&Connection> {
        self.conn
            .as_ref()
            .ok_or_else(|| StoreError::Backend("the store is closed".into()))
    }

    /// Every row of a query, read back with `f`.
    fn all<T>(
        &self,
        sql: &str,
        params: impl Params,
        mut f: impl FnMut(&Row<'_>) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        let mut stmt = self.db()?.prepare_cached(sql).map_err(backend)?;
        let mut rows = stmt.query(params).map_err(backend)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(backend)? {
            out.push(f(r)?);
        }
        Ok(out)
    }

    /// The first row of a query, if any, read back with `f`.
    fn opt<T>(
        &self,
        sql: &str,
        params: impl Params,
        f: impl FnOnce(&Row<'_>) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        let mut stmt = self.db()?.prepare_cached(sql).map_err(backend)?;
        let mut rows = stmt.query(params).map_err(backend)?;
        match rows.next().map_err(backend)? {
            Some(r) => f(r).map(Some),
            None => Ok(None),
        }
    }

    /// The row a statement must return (`RETURNING`), read back with `f`.
    fn one<T>(
        &self,
        sql: &str,
        params: impl Params,
        f: impl FnOnce(&Row<'_>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.opt(sql, params, f)?
            .ok_or_else(|| StoreError::Backend("the statement returned no row".into()))
    }

    /// Runs a write; returns how many rows it changed.
    fn changes(&self, sql: &str, params: impl Params) -> StoreResult<u64> {
        let mut stmt = self.db()?.prepare_cached(sql).map_err(backend)?;
        let n = stmt.execute(params).map_err(backend)?;
        Ok(u64::try_from(n).unwrap_or(u64::MAX))
    }

    fn communes(&self, actor: i64) -> StoreResult<Vec<InseeCode>> {
        self.all(
            "SELECT insee FROM actor_communes WHERE actor_id = ? ORDER BY insee",
            [actor],
            |r| commune_code(&get::<String>(r, "insee")?),
        )
    }

    /// Actors read by `sql`, with the communes of those who speak for some.
    fn actors(&self, sql: &str, params: impl Params) -> StoreResult<Vec<Actor>> {
        let mut actors = self.all(sql, params, |r| rows::actor(r, Vec::new()))?;
        for a in &mut actors {
            // Citizens (nearly everyone who writes) speak for no commune: no query.
            if a.kind != ActorKind::Citizen {
                a.communes = self.communes(a.id.0)?;
            }
        }
        Ok(actors)
    }
}

#[async_trait]
impl Tx for SqliteTx {
    async fn commit(mut self: Box<Self>) -> StoreResult<()> {
        // A failed COMMIT leaves the transaction open: the drop rolls it back.
        self.db()?.execute_batch("COMMIT").map_err(backend)?;
        self.open = false;
        if let Some(c) = &self.checkpointer {
            c.nudge();
        }
        Ok(())
    }

    async fn savepoint(&mut self) -> StoreResult<()> {
        self.db()?
            .execute_batch("SAVEPOINT kohero_event")
            .map_err(backend)
    }

    async fn rollback_to_savepoint(&mut self) -> StoreResult<()> {
        self.db()?
            .execute_batch("ROLLBACK TO kohero_event")
            .map_err(backend)
    }

    async fn release_savepoint(&mut self) -> StoreResult<()> {
        self.db()?
            .execute_batch("RELEASE kohero_event")
            .map_err(backend)
    }

    async fn actor_by_identity(&mut self, identity: &Identity) -> StoreResult<Option<Actor>> {
        Ok(self
            .actors(
                "SELECT a.* FROM actors a JOIN identities i ON i.actor_id = a.id
                 WHERE i.network = ? AND i.external_id = ?",
                params![identity.network, identity.id],
            )?
            .pop())
    }

    async fn insert_actor(&mut self, new: &NewActor) -> StoreResult<Actor> {
        let actor = self.one(
            "INSERT INTO actors (kind, display_name, lang, tz, verified, created_at)
             VALUES ('citizen', ?, ?, 'Europe/Paris', 0, ?) RETURNING *",
            params![new.display_name, new.lang.code(), ms(new.created_at)],
            |r| rows::actor(r, Vec::new()),
        )?;
        self.changes(
            "INSERT INTO identities (network, external_id, actor_id) VALUES (?, ?, ?)",
            params![new.identity.network, new.identity.id, actor.id.0],
        )?;
        Ok(actor)
    }

    async fn actor(&mut self, id: ActorId) -> StoreResult<Option<Actor>> {
        Ok(self
            .actors("SELECT * FROM actors WHERE id = ?", [id.0])?
            .pop())
    }

    async fn update_actor(&mut self, a: &Actor) -> StoreResult<()> {
        let (lat, lon) = lat_lon(a.location);
        let n = self.changes(
            "UPDATE actors SET kind = ?, display_name = ?, lang = ?, tz = ?, verified = ?,
                lat = ?, lon = ? WHERE id = ?",
            params![
                a.kind.key(),
                a.display_name,
                a.lang.code(),
                a.tz,
                i64::from(a.verified),
                lat,
                lon,
                a.id.0
            ],
        )?;
        not_found("actor", n)?;
        self.changes("DELETE FROM actor_communes WHERE actor_id = ?", [a.id.0])?;
        if a.kind == ActorKind::Citizen {
            // Citizens speak for no commune.
            return Ok(());
        }
        for c in &a.communes {
            self.changes(
                "INSERT INTO actor_communes (actor_id, insee) VALUES (?, ?)",
                params![a.id.0, c.as_str()],
            )?;
        }
        Ok(())
    }

    async fn identities_of(&mut self, id: ActorId) -> StoreResult<Vec<Identity>> {
        self.all(
            "SELECT network, external_id FROM identities WHERE actor_id = ?
             ORDER BY network, external_id",
            [id.0],
            rows::identity,
        )
    }

    async fn delete_actor(&mut self, id: ActorId) -> StoreResult<()> {
        // Authored rows keep their content: the foreign keys set the author to NULL;
        // everything that is only theirs cascades.
        let n = self.changes("DELETE FROM actors WHERE id = ?", [id.0])?;
        // Other people's alerts that name them ("X joined your project").
        self.changes(
            "DELETE FROM alerts WHERE kind = ? AND ref_id = ?",
            params![AlertKind::NewMember.key(), id.0],
        )?;
        not_found("actor", n)
    }

    async fn insert_initiative(&mut self, new: &NewInitiative) -> StoreResult<Initiative> {
        let (lat, lon) = lat_lon(new.place);
        self.one(
            "INSERT INTO initiatives (kind, title, description, category, lat, lon, commune, status,
                created_by, search_text, created_at, updated_at)
             VALUES ('idea', ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?) RETURNING *",
            params![
                new.title,
                new.description,
                new.category.key(),
                lat,
                lon,
                new.commune.as_ref().map(InseeCode::as_str),
                new.created_by.0,
                search_document(&new.title, &new.description),
                ms(new.created_at),
                ms(new.created_at)
            ],
            rows::initiative,
        )
    }

    async fn initiative(&mut self, id: InitiativeId) -> StoreResult<Option<Initiative>> {
        self.opt(
            "SELECT * FROM initiatives WHERE id = ?",
            [id.0],
            rows::initiative,
        )
    }

    async fn update_initiative(&mut self, i: &Initiative) -> StoreResult<()> {
        let (lat, lon) = lat_lon(i.place);
        let n = self.changes(
            "UPDATE initiatives SET kind = ?, title = ?, description = ?, category = ?, lat = ?,
                lon = ?, commune = ?, status = ?, created_by = ?, offered_to = ?, search_text = ?,
                updated_at = ?
             WHERE id = ?",
            params![
                i.kind.key(),
                i.title,
                i.description,
                i.category.key(),
                lat,
                lon,
                i.commune.as_ref().map(InseeCode::as_str),
                i.status.key(),
                i.created_by.map(|a| a.0),
                i.offered_to.map(|a| a.0),
                search_document(&i.title, &i.description),
                ms(i.updated_at),
                i.id.0
            ],
        )?;
        not_found("initiative", n)
    }

    async fn initiatives_in_box(&mut self, b: &BoundingBox) -> StoreResult<Vec<Initiative>> {
        self.all(
            "SELECT * FROM initiatives WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?",
            params![b.min_lat, b.max_lat, b.min_lon, b.max_lon],
            rows::initiative,
        )
    }

    async fn search_initiatives(
        &mut self,
        words: &[String],
        limit: usize,
    ) -> StoreResult<Vec<Initiative>> {
        if words.is_empty() {
            return Ok(Vec::new());
        }
        // Each word is a quoted prefix query; words hold only letters and digits.
        let query = words
            .iter()
            .map(|w| format!("\"{}\"*", w.replace('"', "")))
            .collect::<Vec<_>>()
            .join(" AND ");
        self.all(
            "SELECT i.* FROM initiatives_fts f JOIN initiatives i ON i.id = f.rowid
             WHERE initiatives_fts MATCH ? ORDER BY bm25(initiatives_fts), i.id LIMIT ?",
            params![query, limit_of(limit)],
            rows::initiative,
        )
    }

    async fn located_initiatives(&mut self) -> StoreResult<Vec<Located>> {
        heavy(|| {
            self.all(
                "SELECT id, lat, lon, category, kind FROM initiatives
                 WHERE lat IS NOT NULL AND lon IS NOT NULL AND status IN ('open', 'active', 'done')",
                [],
                rows::located,
            )
        })
    }

    async fn initiative_changes_cursor(&mut self) -> StoreResult<i64> {
        self.one(
            "SELECT COALESCE(MAX(seq), 0) AS seq FROM initiative_changes",
            [],
            |r| get(r, "seq"),
        )
    }

    async fn initiative_changes(
        &mut self,
        cursor: i64,
        limit: usize,
    ) -> StoreResult<(i64, Vec<(InitiativeId, Option<Located>)>)> {
        let rows = self.all(
            "SELECT c.seq, c.initiative_id AS id, i.category, i.kind,
                    CASE WHEN i.status IN ('open', 'active', 'done') THEN i.lat END AS lat,
                    CASE WHEN i.status IN ('open', 'active', 'done') THEN i.lon END AS lon
             FROM initiative_changes c LEFT JOIN initiatives i ON i.id = c.initiative_id
             WHERE c.seq > ? ORDER BY c.seq LIMIT ?",
            params![cursor, limit_of(limit)],
            rows::change,
        )?;
        Ok(kohero_core::stored::changes_after(cursor, rows))
    }

    async fn initiatives_created_by(&mut self, actor: ActorId) -> StoreResult<Vec<Initiative>> {
        self.all(
            "SELECT * FROM initiatives WHERE created_by = ? ORDER BY id",
            [actor.0],
            rows::initiative,
        )
    }

    async fn membership(
        &mut self,
        initiative: InitiativeId,
        actor: ActorId,
    ) -> StoreResult<Option<Membership>> {
        self.opt(
            "SELECT * FROM memberships WHERE initiative_id = ? AND actor_id = ?",
            [initiative.0, actor.0],
            rows::membership,
        )
    }

    async fn set_membership(&mut self, m: &Membership) -> StoreResult<()> {
        self.changes(
            "INSERT INTO memberships (initiative_id, actor_id, role, since) VALUES (?, ?, ?, ?)
             ON CONFLICT (initiative_id, actor_id) DO UPDATE SET role = excluded.role,
                since = excluded.since",
            params![m.initiative.0, m.actor.0, m.role.key(), ms(m.since)],
        )
        .map(drop)
    }

    async fn remove_membership(
        &mut self,
        initiative: InitiativeId,
        actor: ActorId,
    ) -> StoreResult<()> {
        let n = self.changes(
            "DELETE FROM memberships WHERE initiative_id = ? AND actor_id = ?",
            [initiative.0, actor.0],
        )?;
        not_found("membership", n)
    }

    async fn members(&mut self, initiative: InitiativeId) -> StoreResult<Vec<Membership>> {
        self.all(
            "SELECT * FROM memberships WHERE initiative_id = ? ORDER BY since, actor_id",
            [initiative.0],
            rows::membership,
        )
    }

    async fn memberships_of(&mut self, actor: ActorId) -> StoreResult<Vec<Membership>> {
        self.all(
            "SELECT * FROM memberships WHERE actor_id = ? ORDER BY since, initiative_id",
            [actor.0],
            rows::membership,
        )
    }

    async fn insert_update(
        &mut self,
        initiative: InitiativeId,
        author: ActorId,
        text: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<ProgressUpdate> {
        self.one(
            "INSERT INTO updates (initiative_id, author_id, body, created_at) VALUES (?, ?, ?, ?)
             RETURNING *",
            params![initiative.0, author.0, text, ms(at)],
            rows::update,
        )
    }

    async fn update_by_id(&mut self, id: UpdateId) -> StoreResult<Option<ProgressUpdate>> {
        self.opt("SELECT * FROM updates WHERE id = ?", [id.0], rows::update)
    }

    async fn updates_of(
        &mut self,
        initiative: InitiativeId,
        limit: usize,
    ) -> StoreResult<Vec<ProgressUpdate>> {
        self.all(
            "SELECT * FROM updates WHERE initiative_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
            [initiative.0, limit_of(limit)],
            rows::update,
        )
    }

    async fn updates_by(&mut self, author: ActorId) -> StoreResult<Vec<ProgressUpdate>> {
        self.all(
            "SELECT * FROM updates WHERE author_id = ? ORDER BY id",
            [author.0],
            rows::update,
        )
    }

    async fn insert_event(&mut self, new: &NewEvent) -> StoreResult<Event> {
        let (lat, lon) = lat_lon(new.place);
        self.one(
            "INSERT INTO events (initiative_id, title, starts_at, tz, lat, lon, created_by, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
            params![
                new.initiative.0,
                new.title,
                ms(new.starts_at),
                new.tz,
                lat,
                lon,
                new.created_by.0,
                ms(new.created_at)
            ],
            rows::event,
        )
    }

    async fn event(&mut self, id: EventId) -> StoreResult<Option<Event>> {
        self.opt("SELECT * FROM events WHERE id = ?", [id.0], rows::event)
    }

    async fn events_of(
        &mut self,
        initiative: InitiativeId,
        from: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>> {
        self.all(
            "SELECT * FROM events WHERE initiative_id = ? AND starts_at >= ? ORDER BY starts_at, id",
            [initiative.0, ms(from)],
            rows::event,
        )
    }

    async fn set_rsvp(&mut self, r: &Rsvp) -> StoreResult<()> {
        self.changes(
            "INSERT INTO rsvps (event_id, actor_id, answer, at) VALUES (?, ?, ?, ?)
             ON CONFLICT (event_id, actor_id) DO UPDATE SET answer = excluded.answer,
                at = excluded.at",
            params![r.event.0, r.actor.0, r.answer.key(), ms(r.at)],
        )
        .map(drop)
    }

    async fn rsvps(&mut self, event: EventId) -> StoreResult<Vec<Rsvp>> {
        self.all(
            "SELECT * FROM rsvps WHERE event_id = ? ORDER BY at, actor_id",
            [event.0],
            rows::rsvp,
        )
    }

    async fn rsvps_of(&mut self, actor: ActorId) -> StoreResult<Vec<Rsvp>> {
        self.all(
            "SELECT * FROM rsvps WHERE actor_id = ? ORDER BY event_id",
            [actor.0],
            rows::rsvp,
        )
    }

    async fn insert_subscription(&mut self, new: &NewSubscription) -> StoreResult<Subscription> {
        let (lat, lon) = lat_lon(new.center);
        self.one(
            "INSERT INTO subscriptions (actor_id, lat, lon, radius_m, commune, categories, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *",
            params![
                new.actor.0,
                lat,
                lon,
                i64::from(new.radius_m),
                new.commune.as_ref().map(InseeCode::as_str),
                rows::categories_to_text(&new.categories),
                ms(new.created_at)
            ],
            rows::subscription,
        )
    }

    async fn subscriptions_of(&mut self, actor: ActorId) -> StoreResult<Vec<Subscription>> {
        self.all(
            "SELECT * FROM subscriptions WHERE actor_id = ? ORDER BY id",
            [actor.0],
            rows::subscription,
        )
    }

    async fn delete_subscriptions_of(&mut self, actor: ActorId) -> StoreResult<usize> {
        let n = self.changes("DELETE FROM subscriptions WHERE actor_id = ?", [actor.0])?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    async fn dialogue(&mut self, actor: ActorId) -> StoreResult<Option<String>> {
        self.opt(
            "SELECT state FROM dialogues WHERE actor_id = ?",
            [actor.0],
            |r| get(r, "state"),
        )
    }

    async fn set_dialogue(&mut self, actor: ActorId, state: Option<&str>) -> StoreResult<()> {
        match state {
            Some(s) => self.changes(
                "INSERT INTO dialogues (actor_id, state, updated_at) VALUES (?, ?, ?)
                 ON CONFLICT (actor_id) DO UPDATE SET state = excluded.state,
                    updated_at = excluded.updated_at",
                params![actor.0, s, ms(Utc::now())],
            ),
            None => self.changes("DELETE FROM dialogues WHERE actor_id = ?", [actor.0]),
        }
        .map(drop)
    }

    async fn insert_activity(&mut self, new: &NewActivity) -> StoreResult<Activity> {
        self.one(
            "INSERT INTO activity (initiative_id, kind, ref_id, at) VALUES (?, ?, ?, ?) RETURNING *",
            params![new.initiative.0, new.kind.key(), new.ref_id, ms(new.at)],
            rows::activity,
        )
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
        self.all(
            "SELECT * FROM activity WHERE initiative_id IN (SELECT value FROM json_each(?))
             ORDER BY at DESC, id DESC LIMIT ? OFFSET ?",
            params![
                json_list(initiatives.iter().map(|i| i.0)),
                limit_of(limit),
                limit_of(offset)
            ],
            rows::activity,
        )
    }

    async fn enqueue(&mut self, new: &NewOutgoing) -> StoreResult<i64> {
        let body =
            serde_json::to_string(&new.reply).map_err(|e| StoreError::Backend(Box::new(e)))?;
        self.changes(
            "INSERT INTO outbox (network, chat, recipient_id, body, priority, idem_key,
                next_attempt_at, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            params![
                new.to.network,
                new.to.chat,
                new.recipient.map(|a| a.0),
                body,
                new.priority.rank(),
                new.key,
                ms(new.at),
                ms(new.at)
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
            let body =
                serde_json::to_string(&m.reply).map_err(|e| StoreError::Backend(Box::new(e)))?;
            rows.push(serde_json::json!([
                m.to.network,
                m.to.chat,
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
                    next_attempt_at, created_at)
                 SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),
                        json_extract(value, '$[2]'), json_extract(value, '$[3]'),
                        json_extract(value, '$[4]'), json_extract(value, '$[5]'),
                        json_extract(value, '$[6]'), json_extract(value, '$[6]')
                 FROM json_each(?)",
                [rows],
            )
        })
        .map(drop)
    }

    async fn pending_to(&mut self, to: &Address) -> StoreResult<Vec<Outgoing>> {
        self.all(
            "SELECT * FROM outbox WHERE network = ? AND chat = ? AND status = 'pending' ORDER BY id",
            params![to.network, to.chat],
            rows::outgoing,
        )
    }

    async fn pending_for(&mut self, recipient: ActorId) -> StoreResult<Vec<Outgoing>> {
        self.all(
            "SELECT * FROM outbox WHERE recipient_id = ? AND status = 'pending' ORDER BY id",
            [recipient.0],
            rows::outgoing,
        )
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
            rows::outgoing,
        )?;
        // RETURNING gives no order guarantee.
        out.sort_by_key(|o| (o.priority, o.id));
        Ok(out)
    }

    async fn mark_sent(&mut self, id: i64, at: DateTime<Utc>) -> StoreResult<()> {
        let n = self.changes(
            "UPDATE outbox SET status = 'sent', attempts = attempts + 1, claimed_until = NULL,
                done_at = ? WHERE id = ?",
            [ms(at), id],
        )?;
        not_found("outbox row", n)
    }

    async fn mark_retry(
        &mut self,
        id: i64,
        next_at: DateTime<Utc>,
        error: &str,
    ) -> StoreResult<()> {
        let n = self.changes(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, claimed_until = NULL,
                last_error = ? WHERE id = ?",
            params![ms(next_at), error, id],
        )?;
        not_found("outbox row", n)
    }

    async fn mark_failed(&mut self, id: i64, error: &str, at: DateTime<Utc>) -> StoreResult<()> {
        let n = self.changes(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, claimed_until = NULL,
                last_error = ?, done_at = ? WHERE id = ?",
            params![error, ms(at), id],
        )?;
        not_found("outbox row", n)
    }

    async fn release(&mut self, id: i64) -> StoreResult<()> {
        let n = self.changes("UPDATE outbox SET claimed_until = NULL WHERE id = ?", [id])?;
        not_found("outbox row", n)
    }

    async fn release_claims(&mut self, network: &str) -> StoreResult<u64> {
        self.changes(
            "UPDATE outbox SET claimed_until = NULL
             WHERE status = 'pending' AND network = ? AND claimed_until IS NOT NULL",
            [network],
        )
    }

    async fn acquire_lease(
        &mut self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n = self.changes(
            "INSERT INTO leases (name, holder, expires_at) VALUES (?1, ?2, ?4)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,
                 expires_at = excluded.expires_at
             WHERE leases.holder = excluded.holder OR leases.expires_at <= ?3",
            params![name, holder, ms(now), ms(until)],
        )?;
        Ok(n == 1)
    }

    async fn release_lease(&mut self, name: &str, holder: &str) -> StoreResult<()> {
        self.changes(
            "DELETE FROM leases WHERE name = ? AND holder = ?",
            [name, holder],
        )?;
        Ok(())
    }

    async fn lease_holder(&mut self, name: &str) -> StoreResult<Option<(String, DateTime<Utc>)>> {
        self.opt(
            "SELECT holder, expires_at FROM leases WHERE name = ?",
            [name],
            |r| Ok((get(r, "holder")?, rows::time(get(r, "expires_at")?)?)),
        )
    }

    async fn take_lease_from(
        &mut self,
        name: &str,
        from: &str,
        holder: &str,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n = self.changes(
            "UPDATE leases SET holder = ?, expires_at = ? WHERE name = ? AND holder = ?",
            params![holder, ms(until), name, from],
        )?;
        Ok(n == 1)
    }

    async fn set_unreachable(
        &mut self,
        to: &Address,
        reason: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<usize> {
        self.changes(
            "INSERT INTO unreachable (network, chat, since, reason) VALUES (?, ?, ?, ?)
             ON CONFLICT (network, chat) DO UPDATE SET since = excluded.since,
                reason = excluded.reason",
            params![to.network, to.chat, ms(at), reason],
        )?;
        let n = self.changes(
            "UPDATE outbox SET status = 'failed', claimed_until = NULL, last_error = ?, done_at = ?
             WHERE network = ? AND chat = ? AND status = 'pending'",
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
        self.changes(
            "DELETE FROM unreachable WHERE network = ? AND chat = ?",
            params![to.network, to.chat],
        )
        .map(drop)
    }

    async fn outbox_stats(&mut self, network: &str) -> StoreResult<OutboxStats> {
        self.one(
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox
             WHERE network = ? AND status = 'pending'",
            [network],
            |r| {
                let n: i64 = get(r, "n")?;
                let oldest: Option<i64> = get(r, "oldest")?;
                Ok(OutboxStats {
                    pending: u64::try_from(n).unwrap_or(0),
                    oldest: oldest.map(rows::time).transpose()?,
                })
            },
        )
    }

    async fn link_room(
        &mut self,
        room: &Address,
        initiative: InitiativeId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.changes(
            "INSERT INTO rooms (network, chat, initiative_id, created_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (network, chat) DO UPDATE SET initiative_id = excluded.initiative_id,
                created_at = excluded.created_at",
            params![room.network, room.chat, initiative.0, ms(at)],
        )
        .map(drop)
    }

    async fn room_initiative(&mut self, room: &Address) -> StoreResult<Option<InitiativeId>> {
        self.opt(
            "SELECT initiative_id FROM rooms WHERE network = ? AND chat = ?",
            params![room.network, room.chat],
            |r| Ok(InitiativeId(get(r, "initiative_id")?)),
        )
    }

    async fn rooms_of(&mut self, initiative: InitiativeId) -> StoreResult<Vec<Address>> {
        self.all(
            "SELECT network, chat FROM rooms WHERE initiative_id = ? ORDER BY network, chat",
            [initiative.0],
            rows::address,
        )
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
            "INSERT INTO commune_forums (network, chat, insee, linked_by, created_at)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (network, chat) DO UPDATE SET insee = excluded.insee,
                linked_by = excluded.linked_by, created_at = excluded.created_at",
            params![forum.network, forum.chat, commune.as_str(), by.0, ms(at)],
        )
        .map(drop)
    }

    async fn forums_of(&mut self, commune: &InseeCode) -> StoreResult<Vec<Address>> {
        self.all(
            "SELECT network, chat FROM commune_forums WHERE insee = ? ORDER BY network, chat",
            [commune.as_str()],
            rows::address,
        )
    }

    async fn forum_commune(&mut self, forum: &Address) -> StoreResult<Option<InseeCode>> {
        self.opt(
            "SELECT insee FROM commune_forums WHERE network = ? AND chat = ?",
            params![forum.network, forum.chat],
            |r| commune_code(&get::<String>(r, "insee")?),
        )
    }

    async fn network_state(&mut self, network: &str, key: &str) -> StoreResult<Option<String>> {
        self.opt(
            "SELECT value FROM network_state WHERE network = ? AND key = ?",
            [network, key],
            |r| get(r, "value"),
        )
    }

    async fn set_network_state(
        &mut self,
        network: &str,
        key: &str,
        value: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        match value {
            Some(v) => self.changes(
                "INSERT INTO network_state (network, key, value, updated_at) VALUES (?, ?, ?, ?)
                 ON CONFLICT (network, key) DO UPDATE SET value = excluded.value,
                    updated_at = excluded.updated_at, temporary = 0",
                params![network, key, v, ms(at)],
            ),
            None => self.changes(
                "DELETE FROM network_state WHERE network = ? AND key = ?",
                [network, key],
            ),
        }
        .map(drop)
    }

    async fn set_network_state_for_a_while(
        &mut self,
        network: &str,
        key: &str,
        value: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.changes(
            "INSERT INTO network_state (network, key, value, updated_at, temporary)
             VALUES (?, ?, ?, ?, 1)
             ON CONFLICT (network, key) DO UPDATE SET value = excluded.value,
                updated_at = excluded.updated_at, temporary = 1",
            params![network, key, value, ms(at)],
        )
        .map(drop)
    }

    async fn forget_network_state(&mut self, network: &str, who: &str) -> StoreResult<u64> {
        // Keys end in `:who`; compared with substr, not LIKE, so that `%` or `_`
        // in an id match nothing else.
        self.changes(
            "DELETE FROM network_state WHERE network = ?1
             AND (value = ?2 OR substr(key, -length(?2) - 1) = ':' || ?2)",
            [network, who],
        )
    }

    async fn remember_action(&mut self, command: &str, at: DateTime<Utc>) -> StoreResult<i64> {
        self.one(
            "INSERT INTO actions (command, created_at, used_at) VALUES (?1, ?2, ?2)
             ON CONFLICT (command) DO UPDATE SET used_at = max(coalesce(used_at, 0), excluded.used_at)
             RETURNING id",
            params![command, ms(at)],
            |r| get(r, "id"),
        )
    }

    async fn recall_action(&mut self, id: i64) -> StoreResult<Option<String>> {
        self.opt("SELECT command FROM actions WHERE id = ?", [id], |r| {
            get(r, "command")
        })
    }

    async fn record_event(
        &mut self,
        network: &str,
        event_id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let n = self.changes(
            "INSERT INTO seen_events (network, event_id, seen_at) VALUES (?, ?, ?)
             ON CONFLICT (network, event_id) DO NOTHING",
            params![network, event_id, ms(at)],
        )?;
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
            "INSERT INTO seen_events (network, event_id, seen_at, failure) VALUES (?, ?, ?, ?)
             ON CONFLICT (network, event_id) DO UPDATE SET failure = excluded.failure",
            params![network, event_id, ms(at), why],
        )?;
        Ok(())
    }

    async fn municipalities_of(&mut self, commune: &InseeCode) -> StoreResult<Vec<Actor>> {
        self.actors(
            "SELECT a.* FROM actors a JOIN actor_communes c ON c.actor_id = a.id
             WHERE c.insee = ? AND a.kind = 'municipality' AND a.verified = 1 ORDER BY a.id",
            [commune.as_str()],
        )
    }

    async fn digest_plan(&mut self, municipality: ActorId) -> StoreResult<Option<DigestPlan>> {
        self.opt(
            "SELECT * FROM digest_plans WHERE municipality_id = ?",
            [municipality.0],
            rows::digest_plan,
        )
    }

    async fn due_digest_plans(&mut self, now: DateTime<Utc>) -> StoreResult<Vec<DigestPlan>> {
        self.all(
            "SELECT * FROM digest_plans WHERE next_at IS NOT NULL AND next_at <= ?
             ORDER BY next_at, municipality_id",
            [ms(now)],
            rows::digest_plan,
        )
    }

    async fn claim_digest_ticks(
        &mut self,
        ticks: &[(ActorId, DateTime<Utc>)],
    ) -> StoreResult<Vec<ActorId>> {
        let list = serde_json::Value::Array(
            ticks
                .iter()
                .map(|(m, t)| serde_json::json!([m.0, ms(*t)]))
                .collect(),
        )
        .to_string();
        self.all(
            "INSERT INTO digest_ticks (municipality_id, tick)
             SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)
             WHERE true
             ON CONFLICT DO NOTHING RETURNING municipality_id",
            [list],
            |r| Ok(ActorId(get(r, "municipality_id")?)),
        )
    }

    async fn save_digest_plans(&mut self, plans: &[DigestPlan]) -> StoreResult<()> {
        let list = serde_json::Value::Array(
            plans
                .iter()
                .map(|p| {
                    serde_json::json!([
                        p.municipality.0,
                        p.schedule,
                        p.tz,
                        p.next_at.map(ms),
                        p.last_at.map(ms),
                        p.announcement
                    ])
                })
                .collect(),
        )
        .to_string();
        self.changes(
            "INSERT INTO digest_plans (municipality_id, schedule, tz, next_at, last_at, announcement)
             SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),
                    json_extract(value, '$[2]'), json_extract(value, '$[3]'),
                    json_extract(value, '$[4]'), json_extract(value, '$[5]')
             FROM json_each(?) WHERE true
             ON CONFLICT (municipality_id) DO UPDATE SET schedule = excluded.schedule,
                tz = excluded.tz, next_at = excluded.next_at, last_at = excluded.last_at,
                announcement = excluded.announcement",
            [list],
        )
        .map(drop)
    }

    async fn initiatives_in_communes(
        &mut self,
        communes: &[InseeCode],
    ) -> StoreResult<Vec<Initiative>> {
        let codes = json_list(communes.iter().map(InseeCode::as_str));
        heavy(|| {
            self.all(
                "SELECT * FROM initiatives WHERE commune IN (SELECT value FROM json_each(?))
                 ORDER BY id",
                [codes],
                rows::initiative,
            )
        })
    }

    async fn activity_since(
        &mut self,
        initiatives: &[InitiativeId],
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<Activity>> {
        let ids = json_list(initiatives.iter().map(|i| i.0));
        heavy(|| {
            self.all(
                "SELECT * FROM activity WHERE initiative_id IN (SELECT value FROM json_each(?))
                 AND at >= ? ORDER BY at, id",
                params![ids, ms(since)],
                rows::activity,
            )
        })
    }

    async fn events_between(
        &mut self,
        initiatives: &[InitiativeId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>> {
        let ids = json_list(initiatives.iter().map(|i| i.0));
        heavy(|| {
            self.all(
                "SELECT * FROM events WHERE initiative_id IN (SELECT value FROM json_each(?))
                 AND starts_at >= ? AND starts_at < ? ORDER BY starts_at, id",
                params![ids, ms(from), ms(to)],
                rows::event,
            )
        })
    }

    async fn subscriptions_near(
        &mut self,
        communes: &[InseeCode],
        bbox: &BoundingBox,
    ) -> StoreResult<Vec<Subscription>> {
        let codes = json_list(communes.iter().map(InseeCode::as_str));
        heavy(|| {
            self.all(
                "SELECT * FROM subscriptions WHERE commune IN (SELECT value FROM json_each(?))
                 UNION
                 SELECT * FROM subscriptions
                 WHERE commune IS NULL AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?
                 ORDER BY id",
                params![
                    codes,
                    bbox.min_lat,
                    bbox.max_lat,
                    bbox.min_lon,
                    bbox.max_lon
                ],
                rows::subscription,
            )
        })
    }

    async fn actors_by_ids(&mut self, ids: &[ActorId]) -> StoreResult<Vec<Actor>> {
        let list = json_list(ids.iter().map(|a| a.0));
        heavy(|| {
            let mut by_actor: std::collections::HashMap<i64, Vec<InseeCode>> =
                std::collections::HashMap::new();
            for (actor, code) in self.all(
                "SELECT actor_id, insee FROM actor_communes
                 WHERE actor_id IN (SELECT value FROM json_each(?)) ORDER BY actor_id, insee",
                [&list],
                rows::actor_commune,
            )? {
                by_actor.entry(actor).or_default().push(code);
            }
            self.all(
                "SELECT * FROM actors WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
                [&list],
                |r| {
                    let id: i64 = get(r, "id")?;
                    rows::actor(r, by_actor.remove(&id).unwrap_or_default())
                },
            )
        })
    }

    async fn digest_plans_of(&mut self, ids: &[ActorId]) -> StoreResult<Vec<DigestPlan>> {
        self.all(
            "SELECT * FROM digest_plans
             WHERE municipality_id IN (SELECT value FROM json_each(?)) ORDER BY municipality_id",
            [json_list(ids.iter().map(|a| a.0))],
            rows::digest_plan,
        )
    }

    async fn updates_by_ids(&mut self, ids: &[i64]) -> StoreResult<Vec<ProgressUpdate>> {
        self.all(
            "SELECT * FROM updates WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
            [json_list(ids.iter().copied())],
            rows::update,
        )
    }

    async fn reachable_identities(
        &mut self,
        ids: &[ActorId],
    ) -> StoreResult<Vec<(ActorId, Lang, Identity)>> {
        let list = json_list(ids.iter().map(|a| a.0));
        heavy(|| {
            self.all(
                "SELECT i.actor_id, a.lang, i.network, i.external_id
                 FROM identities i JOIN actors a ON a.id = i.actor_id
                 WHERE i.actor_id IN (SELECT value FROM json_each(?))
                   AND NOT EXISTS (SELECT 1 FROM unreachable u
                                   WHERE u.network = i.network AND u.chat = i.external_id)
                 ORDER BY i.actor_id, i.network, i.external_id",
                [list],
                rows::reachable,
            )
        })
    }

    async fn queue_alert(&mut self, a: &NewAlert) -> StoreResult<()> {
        self.changes(
            "INSERT INTO alerts (actor_id, initiative_id, kind, ref_id, at) VALUES (?, ?, ?, ?, ?)",
            params![a.actor.0, a.initiative.0, a.kind.key(), a.ref_id, ms(a.at)],
        )
        .map(drop)
    }

    async fn alerted_actors(&mut self, now: DateTime<Utc>) -> StoreResult<Vec<ActorId>> {
        self.all(
            "SELECT DISTINCT a.actor_id FROM alerts a
             LEFT JOIN alert_prefs p ON p.actor_id = a.actor_id
             WHERE p.hold_until IS NULL OR p.hold_until <= ?
             ORDER BY a.actor_id",
            [ms(now)],
            |r| Ok(ActorId(get(r, "actor_id")?)),
        )
    }

    async fn alerts_of(&mut self, actor: ActorId) -> StoreResult<Vec<Alert>> {
        self.all(
            "SELECT * FROM alerts WHERE actor_id = ? ORDER BY id",
            [actor.0],
            rows::alert,
        )
    }

    async fn delete_alerts(&mut self, actor: ActorId, upto: i64) -> StoreResult<()> {
        self.changes(
            "DELETE FROM alerts WHERE actor_id = ? AND id <= ?",
            [actor.0, upto],
        )
        .map(drop)
    }

    async fn alert_prefs(&mut self, actor: ActorId) -> StoreResult<AlertPrefs> {
        Ok(self
            .opt(
                "SELECT * FROM alert_prefs WHERE actor_id = ?",
                [actor.0],
                rows::alert_prefs,
            )?
            .unwrap_or_default())
    }

    async fn set_alert_prefs(&mut self, actor: ActorId, p: &AlertPrefs) -> StoreResult<()> {
        self.changes(
            "INSERT INTO alert_prefs (actor_id, enabled, quiet_from, quiet_to, last_sent_at,
                hold_until)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (actor_id) DO UPDATE SET enabled = excluded.enabled,
                quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to,
                last_sent_at = excluded.last_sent_at, hold_until = excluded.hold_until",
            params![
                actor.0,
                i64::from(p.enabled),
                i64::from(p.quiet_from),
                i64::from(p.quiet_to),
                p.last_sent_at.map(ms),
                p.hold_until.map(ms)
            ],
        )
        .map(drop)
    }

    async fn events_starting(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>> {
        self.all(
            "SELECT * FROM events WHERE starts_at >= ? AND starts_at < ? ORDER BY starts_at, id",
            [ms(from), ms(to)],
            rows::event,
        )
    }

    async fn claim_reminder(&mut self, event: EventId, which: Reminder) -> StoreResult<bool> {
        let n = self.changes(
            "INSERT INTO event_reminders (event_id, which) VALUES (?, ?) ON CONFLICT DO NOTHING",
            params![event.0, which.key()],
        )?;
        Ok(n == 1)
    }

    async fn prune(&mut self, before: DateTime<Utc>) -> StoreResult<u64> {
        let before = ms(before);
        heavy(|| {
            let mut n = 0;
            for sql in [
                "DELETE FROM outbox WHERE status <> 'pending' AND done_at < ?",
                "DELETE FROM seen_events WHERE seen_at < ?",
                "DELETE FROM network_state WHERE temporary = 1 AND updated_at < ?",
                "DELETE FROM digest_ticks WHERE tick < ?",
                "DELETE FROM initiative_changes WHERE at < ?",
            ] {
                n += self.changes(sql, [before])?;
            }
            Ok(n)
        })
    }

    async fn prune_actions(&mut self, before: DateTime<Utc>) -> StoreResult<u64> {
        self.changes("DELETE FROM actions WHERE used_at < ?", [ms(before)])
    }
}
