//! `kohero serve`: every configured network's intake and delivery worker, the
//! outbox pruner and the HTTP endpoints, in one process, until told to stop.
//!
//! Stopping: intakes stop taking updates, workers finish the sends in flight and
//! hand their other claimed messages back, then the process exits, within
//! [`DRAIN_LIMIT`].

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use chrono::Utc;
use kohero_core::inbox::{Intake as Handled, event_key};
use kohero_core::limiter::Limits;
use kohero_core::ports::{Sender, Store};
use kohero_core::{Engine, Incoming};
use tokio::sync::{Notify, watch};

use crate::delivery::{self, Worker};
use crate::http::{Http, HttpNetwork, router};
use crate::lease;
use crate::metrics::{Metrics, NetworkCounters};
use crate::supervise::Supervisor;

/// How long stopping may take before the process gives up on in-flight work.
pub const DRAIN_LIMIT: Duration = Duration::from_secs(10);

/// How often the scheduler looks for due digests, alerts and reminders: a
/// digest goes out within this time of its minute.
pub const SCHEDULER_EVERY: Duration = Duration::from_secs(5);

/// Where a network adapter hands its incoming updates: exactly-once intake in
/// core, counters, and a nudge to the delivery worker so replies leave at once.
#[derive(Clone)]
pub struct IntakeHandle {
    engine: Arc<Engine>,
    counters: Arc<NetworkCounters>,
    wake: Arc<Notify>,
    held: watch::Receiver<bool>,
}

/// Its parts hold connections, clients or closures: shown by name only.
impl std::fmt::Debug for IntakeHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntakeHandle").finish_non_exhaustive()
    }
}

impl IntakeHandle {
    /// Whether this process holds the network's lease: only the holder polls
    /// the network (webhooks are served by every process).
    pub fn lease(&self) -> watch::Receiver<bool> {
        self.held.clone()
    }
}

#[async_trait::async_trait]
impl kohero_core::inbox::Inbox for IntakeHandle {
    /// Hands one update to core. `Err` only for failures not the person's (the
    /// adapter should retry the update later: it was not recorded).
    async fn accept(&self, incoming: Incoming) -> Result<Handled, kohero_core::EngineError> {
        let mut r = self.accept_batch(vec![incoming]).await?;
        r.pop().ok_or(kohero_core::EngineError::NoEventId)
    }

    /// Links the room in core, and wakes the delivery worker for what that
    /// queued (its people let in).
    async fn room_made(
        &self,
        room: kohero_core::domain::Address,
        initiative: kohero_core::domain::InitiativeId,
    ) -> Result<(), kohero_core::EngineError> {
        self.engine.room_made(room, initiative).await?;
        self.wake.notify_one();
        Ok(())
    }

    /// Keeps the posts in core; wakes the worker for what that queued (a
    /// post of something hidden meanwhile is taken back at once).
    async fn posted(
        &self,
        about: kohero_core::domain::Target,
        room: kohero_core::domain::Address,
        messages: Vec<String>,
    ) -> Result<(), kohero_core::EngineError> {
        self.engine.posted(about, room, messages).await?;
        self.wake.notify_one();
        Ok(())
    }

    /// Keeps the copies of a relay in core; wakes the worker for what that
    /// queued.
    async fn relayed(
        &self,
        relayed: kohero_core::inbox::Relayed,
    ) -> Result<(), kohero_core::EngineError> {
        self.engine.relayed(relayed).await?;
        // A message taken back meanwhile is taken back now.
        self.wake.notify_one();
        Ok(())
    }

    /// A batch in transactions of at most [`GROUP_COMMIT`] updates (group
    /// commit), the delivery workers woken after each: the replies to the
    /// first updates of a long batch need not wait for the last. Where the
    /// store runs writers side by side (PostgreSQL), the batch is split into
    /// lanes by chat, each lane in its own transactions, the lanes at once: a
    /// chat's updates keep their order, other chats need not wait. `Err` when
    /// a transaction failed: the updates committed before it are recognised
    /// when the adapter hands the batch again.
    async fn accept_batch(
        &self,
        batch: Vec<Incoming>,
    ) -> Result<Vec<Handled>, kohero_core::EngineError> {
        let lanes = self.engine.concurrent_writers().min(MAX_LANES);
        if lanes <= 1 || batch.len() <= GROUP_COMMIT {
            return self.accept_lane(batch).await;
        }
        let total = batch.len();
        let mut split: Vec<(Vec<usize>, Vec<Incoming>)> = vec![(Vec::new(), Vec::new()); lanes];
        for (n, incoming) in batch.into_iter().enumerate() {
            let lane = &mut split[lane_of(&incoming, lanes)];
            lane.0.push(n);
            lane.1.push(incoming);
        }
        let mut running = Vec::new();
        for (positions, updates) in split.into_iter().filter(|l| !l.1.is_empty()) {
            let me = self.clone();
            running.push((
                positions,
                tokio::spawn(async move { me.accept_lane(updates).await }),
            ));
        }
        let mut all: Vec<Option<Handled>> = vec![None; total];
        let mut failed = None;
        for (positions, task) in running {
            match task.await {
                Ok(Ok(results)) => {
                    for (n, r) in positions.into_iter().zip(results) {
                        all[n] = Some(r);
                    }
                }
                Ok(Err(e)) => failed = failed.or(Some(e)),
                Err(e) => {
                    failed = failed.or(Some(kohero_core::EngineError::Failed(format!(
                        "an intake lane ended: {e}"
                    ))))
                }
            }
        }
        if let Some(e) = failed {
            return Err(e);
        }
        all.into_iter()
            .map(|r| r.ok_or(kohero_core::EngineError::NoEventId))
            .collect()
    }
}

/// The most lanes a batch is split into (see `accept_batch`).
const MAX_LANES: usize = 4;

/// The lane of an update: by its chat (its sender's private chat when it
/// names none), so that a chat's updates stay in one lane, in order.
fn lane_of(incoming: &Incoming, lanes: usize) -> usize {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    incoming.identity.network.hash(&mut h);
    incoming
        .chat
        .as_ref()
        .unwrap_or(&incoming.identity.id)
        .hash(&mut h);
    usize::try_from(h.finish() % lanes as u64).unwrap_or(0)
}

impl IntakeHandle {
    /// One lane of a batch: transactions of at most [`GROUP_COMMIT`] updates.
    async fn accept_lane(
        &self,
        mut batch: Vec<Incoming>,
    ) -> Result<Vec<Handled>, kohero_core::EngineError> {
        use std::sync::atomic::Ordering::Relaxed;
        let arrived = std::time::Instant::now();
        let mut all = Vec::with_capacity(batch.len());
        while !batch.is_empty() {
            let rest = batch.split_off(batch.len().min(GROUP_COMMIT));
            let n = batch.len();
            let keys: Vec<Option<String>> = batch.iter().map(event_key).collect();
            for k in keys.iter().flatten() {
                self.counters.arrived(k.clone(), arrived);
            }
            let results = match self.engine.handle_events(batch).await {
                Ok(r) => r,
                Err(e) => {
                    tracing::error!(error = %e, updates = n, "batch not handled");
                    return Err(e);
                }
            };
            let mut queued = 0;
            for (h, key) in results.iter().zip(&keys) {
                let replied = match h {
                    // A failed update is answered with an apology (counted
                    // by the engine's own failure counter too).
                    Handled::Queued(q) | Handled::Refused(q) | Handled::Failed(q) => {
                        self.counters.updates_in.fetch_add(1, Relaxed);
                        queued += q;
                        *q > 0
                    }
                    Handled::Duplicate => {
                        self.counters.duplicates_in.fetch_add(1, Relaxed);
                        false
                    }
                };
                if let (false, Some(k)) = (replied, key) {
                    self.counters.forget(k, arrived);
                }
            }
            if queued > 0 {
                self.wake.notify_one();
            }
            all.extend(results);
            batch = rest;
        }
        Ok(all)
    }
}

/// The most updates handled in one transaction.
pub const GROUP_COMMIT: usize = 16;

/// A network adapter's receiving side: runs until `stop` turns true. Called
/// again when it ended or panicked before that (see [`crate::supervise`]).
pub type IntakeTask = Arc<
    dyn Fn(
            IntakeHandle,
            watch::Receiver<bool>,
        ) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>>
        + Send
        + Sync,
>;

/// HTTP routes a network adapter adds to the listener (webhooks), given the inbox.
pub type Routes = Box<dyn FnOnce(Arc<dyn kohero_core::inbox::Inbox>) -> Router + Send>;

/// One network to serve.
pub struct Network {
    /// Routes for the HTTP listener (Telegram's webhook), if any.
    pub routes: Option<Routes>,
    pub sender: Arc<dyn Sender>,
    pub limits: Limits,
    pub delivery: delivery::Options,
    pub intake: IntakeTask,
    /// Whether the adapter is connected (for `/readyz`).
    pub connected: Arc<std::sync::atomic::AtomicBool>,
}

/// Its parts hold connections, clients or closures: shown by name only.
impl std::fmt::Debug for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Network").finish_non_exhaustive()
    }
}

pub struct ServeOptions {
    pub http: Option<SocketAddr>,
    /// The public pages and open data (`KOHERO_PUBLIC_ADDR`).
    pub public: Option<crate::web::PublicOptions>,
    /// Sent and failed messages and seen update ids are kept this long.
    pub retention: Duration,
    /// Woken when another process wrote an initiative (PostgreSQL
    /// notifications): the nearby index catches up at once, not at the next
    /// [`CATCH_UP_EVERY`].
    pub initiative_changes: Option<Arc<Notify>>,
    /// The store's exchanges with its database server so far
    /// (`kohero_store_round_trips_total`; PostgreSQL only).
    pub round_trips: Option<fn() -> u64>,
}

/// Its parts hold connections, clients or closures: shown by name only.
impl std::fmt::Debug for ServeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeOptions").finish_non_exhaustive()
    }
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            http: None,
            public: None,
            retention: Duration::from_secs(7 * 24 * 3600),
            initiative_changes: None,
            round_trips: None,
        }
    }
}

/// How often the nearby index catches up with initiatives written by other
/// processes, notified or not.
pub const CATCH_UP_EVERY: Duration = Duration::from_secs(5);

/// Serves until `shutdown` completes, then drains. Returns the HTTP address
/// bound (for tests that ask for port 0) through `bound`. `Err` when a task
/// could not be kept running (see [`crate::supervise`]): the process should
/// exit non-zero.
pub async fn run(
    engine: Arc<Engine>,
    store: Arc<dyn Store>,
    networks: Vec<Network>,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send,
    bound: Option<tokio::sync::oneshot::Sender<SocketAddr>>,
) -> anyhow::Result<()> {
    let metrics = Arc::new(Metrics::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = Supervisor::new(stop_rx.clone());
    let mut http_networks = Vec::new();
    let mut extra_routes = Vec::new();
    let mut wakes = Vec::new();

    let holder = lease::holder_id();
    let mut leased = Vec::new();
    for n in networks {
        let name = n.sender.network().to_owned();
        let counters = metrics.network(&name);
        let wake = Arc::new(Notify::new());
        let (held_tx, held) = watch::channel(false);
        {
            let (store, name, holder, stop) =
                (store.clone(), name.clone(), holder.clone(), stop_rx.clone());
            tasks.spawn(format!("lease/{name}"), move || {
                lease::keep(
                    store.clone(),
                    name.clone(),
                    holder.clone(),
                    held_tx.clone(),
                    stop.clone(),
                )
            });
        }
        leased.push(name.clone());
        http_networks.push(HttpNetwork {
            name: name.clone(),
            connected: n.connected.clone(),
            held: held.clone(),
        });
        let handle = IntakeHandle {
            engine: engine.clone(),
            counters: counters.clone(),
            wake: wake.clone(),
            held: held.clone(),
        };
        {
            let (store, sender, limits, options, counters, wake) = (
                store.clone(),
                n.sender.clone(),
                n.limits,
                n.delivery,
                counters.clone(),
                wake.clone(),
            );
            let (stop, held) = (stop_rx.clone(), held.clone());
            let inbox: Arc<dyn kohero_core::inbox::Inbox> = Arc::new(handle.clone());
            tasks.spawn(format!("delivery/{name}"), move || {
                Worker::new(
                    store.clone(),
                    sender.clone(),
                    limits,
                    options,
                    counters.clone(),
                    wake.clone(),
                )
                .reporting_to(inbox.clone())
                .run(stop.clone(), held.clone())
            });
        }
        wakes.push(wake.clone());
        if let Some(routes) = n.routes {
            extra_routes.push(routes(Arc::new(handle.clone())));
        }
        let (intake, stop) = (n.intake, stop_rx.clone());
        tasks.spawn(format!("intake/{name}"), move || {
            intake(handle.clone(), stop.clone())
        });
        tracing::info!(network = %name, "serving");
    }

    // The scheduler: digests, batches of alerts, reminders.
    {
        let (engine, stop) = (engine.clone(), stop_rx.clone());
        let wakes = Arc::new(wakes);
        tasks.spawn("scheduler", move || {
            scheduler(engine.clone(), wakes.clone(), stop.clone())
        });
    }

    // The nearby index follows other processes' writes.
    {
        let (engine, stop) = (engine.clone(), stop_rx.clone());
        let notified = options.initiative_changes.clone();
        tasks.spawn("index-follower", move || {
            follow_index(engine.clone(), notified.clone(), stop.clone())
        });
    }

    // The pruner: once an hour.
    {
        let (store, stop) = (store.clone(), stop_rx.clone());
        let retention = chrono::Duration::from_std(options.retention).unwrap_or_default();
        tasks.spawn("pruner", move || {
            pruner(store.clone(), retention, stop.clone())
        });
    }

    if let Some(addr) = options.http {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        tracing::info!(%local, "HTTP listening");
        if let Some(b) = bound {
            let _ = b.send(local);
        }
        let mut app = router(Http {
            store: store.clone(),
            engine: engine.clone(),
            metrics: metrics.clone(),
            networks: http_networks,
            tasks: tasks.health(),
            round_trips: options.round_trips,
        });
        for r in extra_routes {
            app = app.merge(r);
        }
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        keep_serving(&mut tasks, "http", listener, app, stop_rx.clone())?;
    }

    if let Some(public) = options.public {
        let addr = public.addr;
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        tracing::info!(%local, "public pages listening");
        let visitors = crate::web::VisitorKey::of_store(store.clone()).await?;
        let app = crate::web::router(engine.clone(), public, visitors)
            .into_make_service_with_connect_info::<SocketAddr>();
        keep_serving(&mut tasks, "public", listener, app, stop_rx.clone())?;
    }

    // Every listener is bound and every task started: systemd may order
    // what depends on Kohero after it, and watch it.
    let notifier = Arc::new(crate::notify::Notifier::from_env());
    notifier.ready(&format!(
        "serving {}",
        if leased.is_empty() {
            "no network".to_owned()
        } else {
            leased.join(", ")
        }
    ));
    notifier.keep_watchdog(store.clone(), stop_rx.clone());

    let mut gave_up = tasks.gave_up();
    tokio::pin!(shutdown);
    let failure = tokio::select! {
        () = &mut shutdown => None,
        r = gave_up.wait_for(Option::is_some) => r.ok().and_then(|v| v.clone()),
    };
    match &failure {
        None => tracing::info!("stopping: finishing the sends in flight"),
        Some(why) => tracing::error!(task = %why, "stopping: a task cannot be kept running"),
    }
    notifier.stopping(match &failure {
        None => "stopping: finishing the sends in flight",
        Some(_) => "stopping: a task cannot be kept running",
    });
    let _ = stop_tx.send(true);
    let drained = tokio::time::timeout(DRAIN_LIMIT, tasks.join_all()).await;
    if drained.is_err() {
        tracing::warn!("some work did not stop in time; its messages will be sent again");
        tasks.abort_all();
    }
    // Work drained: another process may take the networks over at once.
    for network in &leased {
        lease::give_up(store.as_ref(), network, &holder).await;
    }
    tracing::info!("stopped");
    match failure {
        None => Ok(()),
        Some(why) => Err(anyhow::anyhow!(
            "stopped because a task keeps failing ({why}); see the log above"
        )),
    }
}

/// Serves `app` on `listener` as the task `name` until `stop`; after a
/// failure, on the same address bound again.
fn keep_serving(
    tasks: &mut Supervisor,
    name: &'static str,
    listener: tokio::net::TcpListener,
    app: axum::extract::connect_info::IntoMakeServiceWithConnectInfo<Router, SocketAddr>,
    stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let local = listener.local_addr()?;
    let first = Arc::new(std::sync::Mutex::new(Some(listener)));
    tasks.spawn(name, move || {
        let (app, first, mut stop) = (app.clone(), first.clone(), stop.clone());
        async move {
            let taken = first
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take();
            let listener = match taken {
                Some(l) => l,
                None => match tokio::net::TcpListener::bind(local).await {
                    Ok(l) => l,
                    Err(e) => {
                        tracing::error!(error = %e, %local, listener = name, "cannot listen again");
                        return;
                    }
                },
            };
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop.changed().await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, listener = name, "HTTP server failed");
            }
        }
    });
    Ok(())
}

/// The scheduler: one pass every [`SCHEDULER_EVERY`] until `stop`.
async fn scheduler(
    engine: Arc<Engine>,
    wakes: Arc<Vec<Arc<Notify>>>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        match engine.run_schedules().await {
            Ok(t) => {
                if t != kohero_core::Tick::default() {
                    tracing::info!(
                        digests = t.digests,
                        digest_messages = t.digest_messages,
                        alert_batches = t.alert_batches,
                        reminders = t.reminders,
                        "scheduled work queued"
                    );
                    for w in wakes.iter() {
                        w.notify_one();
                    }
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "scheduled work failed; retried at the next pass")
            }
        }
        tokio::select! {
            _ = stop.changed() => break,
            _ = tokio::time::sleep(SCHEDULER_EVERY) => {}
        }
    }
}

/// The nearby index catching up with other processes' writes until `stop`.
async fn follow_index(
    engine: Arc<Engine>,
    notified: Option<Arc<Notify>>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let woken = async {
            match &notified {
                Some(n) => n.notified().await,
                None => std::future::pending().await,
            }
        };
        let notified = tokio::select! {
            _ = stop.changed() => break,
            () = woken => true,
            _ = tokio::time::sleep(CATCH_UP_EVERY) => false,
        };
        catch_up(&engine).await;
        // A change is read once every transaction older than it has ended
        // (PostgreSQL): one a short write still running held back is read
        // a moment later, not at the next pass.
        if notified {
            tokio::select! {
                _ = stop.changed() => break,
                _ = tokio::time::sleep(CATCH_UP_AGAIN) => catch_up(&engine).await,
            }
        }
    }
}

/// After a notified catch-up, the next one (see [`follow_index`]).
const CATCH_UP_AGAIN: Duration = Duration::from_millis(200);

async fn catch_up(engine: &Engine) {
    match engine.catch_up().await {
        Ok(0) => {}
        Ok(n) => tracing::debug!(initiatives = n, "nearby index caught up"),
        Err(e) => tracing::warn!(error = %e, "nearby index catch-up failed; retried"),
    }
}

/// How long a button stays valid after it was last given out.
pub const BUTTONS_KEPT: chrono::Duration = chrono::Duration::days(90);

/// The pruner: once an hour until `stop`.
async fn pruner(
    store: Arc<dyn Store>,
    retention: chrono::Duration,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let now = Utc::now();
        let pruned = kohero_core::retry::on_conflict("pruning", || {
            prune(
                store.as_ref(),
                now - retention,
                now - BUTTONS_KEPT.max(retention),
                now,
            )
        })
        .await;
        match pruned {
            Ok(n) if n > 0 => {
                tracing::info!(
                    rows = n,
                    "pruned old outbox rows, update ids, buttons, reports, moderation log, ended bans, posts, link codes and failed attempts"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "pruning failed"),
        }
        tokio::select! {
            _ = stop.changed() => break,
            _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
        }
    }
}

async fn prune(
    store: &dyn Store,
    before: chrono::DateTime<Utc>,
    buttons_before: chrono::DateTime<Utc>,
    now: chrono::DateTime<Utc>,
) -> Result<u64, kohero_core::ports::StoreError> {
    use kohero_core::domain::{ENDED_BANS_KEPT, LOG_KEPT, POSTS_KEPT, RESOLVED_REPORTS_KEPT};
    let mut tx = store.begin().await?;
    let n = tx.prune(before).await?
        + tx.prune_buttons(buttons_before).await?
        + tx.prune_moderation(
            now - RESOLVED_REPORTS_KEPT,
            now - LOG_KEPT,
            now - ENDED_BANS_KEPT,
        )
        .await?
        + tx.prune_posts(now - POSTS_KEPT).await?
        // The copies of relayed messages go with the messages that carried them.
        + tx.prune_relays(before).await?
        + tx.prune_links(
            now - chrono::Duration::days(1),
            now - chrono::Duration::days(1),
        )
        .await?;
    tx.commit().await?;
    Ok(n)
}

/// Completes on SIGTERM or SIGINT.
pub async fn signals() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
