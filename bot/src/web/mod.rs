//! The public listener of `kohero serve` (`KOHERO_PUBLIC_ADDR`, issue 21):
//! pages of initiatives and communes, and their data as GeoJSON, iCalendar
//! and Atom. What is shown is decided in core (`kohero_core::engine::public`);
//! this module renders it, negotiates the language, answers conditional
//! requests (`ETag`, `Last-Modified`), limits each address, and keeps the
//! last answers a few seconds.

mod data;
mod pages;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use kohero_core::Engine;
use kohero_core::domain::{InitiativeId, InseeCode, Lang};
use kohero_core::limiter::{Limiter, Limits, Rate};

/// How the public listener runs.
#[derive(Debug, Clone)]
pub struct PublicOptions {
    pub addr: SocketAddr,
    /// `KOHERO_PUBLIC_URL`: the address people reach the pages at, without
    /// a trailing slash (links in pages, feeds, calendars and chat cards).
    pub url: Option<String>,
    /// `KOHERO_TRUSTED_PROXIES`: peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpNet>,
    /// `KOHERO_MAP_TILES`: a tile URL template (`{z}/{x}/{y}`).
    pub map_tiles: Option<String>,
    /// `KOHERO_PUBLIC_RATE`: requests per client address (default 20/s:100).
    pub rate: Rate,
    /// `KOHERO_PUBLIC_CACHE_SECONDS`: how long an answer is kept and served
    /// again without reading the store (default 5; 0: never).
    pub cache: Duration,
    /// The Telegram bot's username, for « Rejoindre sur Telegram ».
    pub telegram_bot: Option<String>,
    /// The Matrix bot's user id, for « Rejoindre sur Matrix ».
    pub matrix_bot: Option<String>,
}

impl PublicOptions {
    pub const DEFAULT_RATE: Rate = Rate::per_second(20, 100);
    pub const DEFAULT_CACHE: Duration = Duration::from_secs(5);
}

/// An address or a network of them (`10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    pub fn parse(s: &str) -> Option<Self> {
        let (a, p) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s.trim(), None),
        };
        let addr: IpAddr = a.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max)?,
            None => max,
        };
        Some(Self { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The address a request comes from: the peer, or, when the peer is a
/// trusted proxy, the last address of `X-Forwarded-For` that is not one.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let trusts = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !trusts(peer) {
        return peer;
    }
    // From the right: each address the proxies added, until one that is
    // not a proxy (the client) or one that cannot be read (then the last
    // good one: a proxy that writes garbage is not believed further).
    let entries: Vec<String> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|a| a.trim().to_owned())
        .collect();
    let mut client = peer;
    for entry in entries.iter().rev() {
        let Some(ip) = forwarded_address(entry) else {
            break;
        };
        client = ip;
        if !trusts(ip) {
            break;
        }
    }
    client
}

/// Takes a lock; one poisoned by a panic elsewhere still holds usable
/// state (a limiter, a cache).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// An address as proxies write it: `203.0.113.7`, `203.0.113.7:4711`,
/// `2001:db8::1`, `[2001:db8::1]:4711`.
fn forwarded_address(entry: &str) -> Option<IpAddr> {
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(sock) = entry.parse::<SocketAddr>() {
        return Some(sock.ip());
    }
    entry
        .strip_prefix('[')
        .and_then(|e| e.strip_suffix(']'))
        .and_then(|e| e.parse().ok())
}

/// The bucket of an address: itself for IPv4, its /64 for IPv6 (one
/// household or server holds a whole /64).
fn bucket_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The secret visitors' addresses are keyed with: made at random once,
/// kept in the store with the adapters' state, so that the same address is
/// the same reporter after a restart and in every process, and so that
/// nobody who reads the database can tell an address from its key.
#[derive(Clone, Copy)]
pub struct VisitorKey(u64, u64);

impl VisitorKey {
    /// The installation's key, made the first time.
    pub async fn of_store(store: Arc<dyn kohero_core::ports::Store>) -> anyhow::Result<Self> {
        use kohero_core::ports::{AdapterStore, StateKey};
        let state = AdapterStore::new(store, "web");
        if state.get(&StateKey::VisitorKey).await?.is_none() {
            let fresh = Self::random();
            state
                .set(
                    &StateKey::VisitorKey,
                    Some(&format!("{:016x}{:016x}", fresh.0, fresh.1)),
                )
                .await?;
        }
        // What is stored, should another process have made one meanwhile.
        let kept = state.get(&StateKey::VisitorKey).await?.unwrap_or_default();
        match (
            kept.get(..16).and_then(|h| u64::from_str_radix(h, 16).ok()),
            kept.get(16..).and_then(|h| u64::from_str_radix(h, 16).ok()),
        ) {
            (Some(a), Some(b)) => Ok(Self(a, b)),
            _ => anyhow::bail!(
                "the public pages' visitor key in the store is not 32 hexadecimal digits"
            ),
        }
    }

    /// 128 bits from the operating system's randomness (through the
    /// standard library's randomly seeded hasher).
    fn random() -> Self {
        use std::hash::BuildHasher;
        let seed = std::collections::hash_map::RandomState::new();
        let at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Self(seed.hash_one((1u8, at)), seed.hash_one((2u8, at)))
    }

    /// The key of one address's bucket: SipHash-2-4 under the secret, the
    /// same in every build.
    fn of(self, bucket: &str) -> String {
        use std::hash::Hasher;
        #[allow(deprecated)]
        let mut h = std::hash::SipHasher::new_with_keys(self.0, self.1);
        h.write(bucket.as_bytes());
        format!("v{:016x}", h.finish())
    }
}

/// One answer kept for a few seconds.
#[derive(Clone)]
struct Kept {
    at: Instant,
    answer: Answer,
    /// A request is making it again: the others are served this one
    /// meanwhile (no stampede when a heavy answer expires).
    remaking: bool,
}

/// An expired answer is served while another request remakes it, at most
/// this long after it expired.
const STALE_MAX: Duration = Duration::from_secs(30);

/// A rendered answer, before conditional handling.
#[derive(Clone)]
pub(crate) struct Answer {
    content_type: &'static str,
    body: axum::body::Bytes,
    etag: String,
    last_modified: Option<DateTime<Utc>>,
    /// `Cache-Control`'s `max-age`.
    max_age: u32,
    /// Data endpoints may be read by any site's scripts.
    cors: bool,
    /// A `Link: <…>; rel="next"` for the next page.
    next: Option<String>,
    vary_language: bool,
}

impl Answer {
    pub(crate) fn new(content_type: &'static str, body: String) -> Self {
        let etag = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            body.hash(&mut h);
            format!("\"{:016x}-{:x}\"", h.finish(), body.len())
        };
        Self {
            content_type,
            body: body.into(),
            etag,
            last_modified: None,
            max_age: 60,
            cors: false,
            next: None,
            vary_language: false,
        }
    }
}

#[derive(Clone)]
pub(crate) struct Web {
    engine: Arc<Engine>,
    options: Arc<PublicOptions>,
    limiter: Arc<Mutex<Limiter>>,
    started: Instant,
    /// When idle buckets were last forgotten (seconds since `started`).
    swept: Arc<std::sync::atomic::AtomicU64>,
    cache: Arc<Mutex<Cache>>,
    /// Per answer (path, query, language): the last `ETag` sent and since
    /// when this process has sent it. `Last-Modified` is never earlier, so a
    /// removal (a hidden update, a cancelled event) that no timestamp of the
    /// content shows still moves it.
    validators: Arc<Mutex<Validators>>,
    /// Reports from the form, per address (`REPORTS_PER_ADDRESS`).
    reports: Arc<Mutex<Limiter>>,
    /// Keys visitors' addresses (never stored): the installation's secret.
    visitors: VisitorKey,
    /// Map data is heavy: at most two pages are made at once.
    heavy: Arc<tokio::sync::Semaphore>,
}

/// Reports one address may file: 10 an hour, 5 at once; and all visitors
/// together 120 an hour.
const REPORTS_PER_ADDRESS: Rate = Rate::new(10, Duration::from_secs(3600), 5);
const REPORTS_IN_ALL: Rate = Rate::new(120, Duration::from_secs(3600), 20);

/// Who posts the report form, as the guard saw them.
#[derive(Clone)]
struct Visitor {
    client: IpAddr,
}

/// Per answer: its `ETag` and since when it is sent.
type Validators = HashMap<String, (String, DateTime<Utc>)>;

#[derive(Default)]
struct Cache {
    kept: HashMap<String, Kept>,
    bytes: usize,
}

/// At most this many bytes of answers kept; an answer larger than
/// [`KEPT_ONE_MAX`] (a full page of map data is about 2 MB) is not kept.
const CACHE_BYTES: usize = 64 * 1024 * 1024;
const KEPT_ONE_MAX: usize = 4 * 1024 * 1024;
/// At most this many answers kept.
const CACHE_ENTRIES: usize = 10_000;
/// At most this many validators remembered (then forgotten at once: every
/// answer is then new to this process, which only costs 304s).
const VALIDATORS_MAX: usize = 100_000;

pub fn router(engine: Arc<Engine>, options: PublicOptions, visitors: VisitorKey) -> Router {
    let limiter = Limiter::new(Limits {
        per_chat: Some(options.rate),
        per_group: None,
        global: None,
    });
    let web = Web {
        engine,
        options: Arc::new(options),
        limiter: Arc::new(Mutex::new(limiter)),
        started: Instant::now(),
        swept: Arc::default(),
        cache: Arc::default(),
        validators: Arc::default(),
        heavy: Arc::new(tokio::sync::Semaphore::new(2)),
        reports: Arc::new(Mutex::new(Limiter::new(Limits {
            per_chat: Some(REPORTS_PER_ADDRESS),
            per_group: None,
            global: Some(REPORTS_IN_ALL),
        }))),
        visitors,
    };
    Router::new()
        .route("/", get(home))
        .route("/i/{id}", get(initiative_page))
        .route("/i/{id}/events.ics", get(initiative_calendar))
        .route("/i/{id}/signaler", get(report_form).post(report_post))
        .route("/c/{code}", get(commune_page))
        .route("/c/{code}/events.ics", get(commune_calendar))
        .route("/c/{code}/feed.atom", get(commune_feed))
        .route("/c/{code}/initiatives.geojson", get(commune_map))
        .route("/api/initiatives.geojson", get(map))
        .route("/robots.txt", get(robots))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(web.clone(), guard))
        .with_state(web)
}

/// Limits each address, answers `OPTIONS` (CORS preflight) and refuses other
/// methods than reads.
async fn guard(State(web): State<Web>, request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
    let client = client_address(peer, request.headers(), &web.options.trusted_proxies);
    let now = web.started.elapsed();
    let waited = {
        let mut limiter = lock(&web.limiter);
        let swept = web.swept.load(std::sync::atomic::Ordering::Relaxed);
        if now.as_secs() >= swept + 10 {
            web.swept
                .store(now.as_secs(), std::sync::atomic::Ordering::Relaxed);
            limiter.forget_idle(now);
            lock(&web.reports).forget_idle(now);
        }
        limiter.check(&bucket_of(client), false, now)
    };
    if let Err(wait) = waited {
        let mut r = (
            StatusCode::TOO_MANY_REQUESTS,
            "Trop de requêtes depuis cette adresse : réessayez dans un instant.\n\
             Too many requests from this address: try again in a moment.\n",
        )
            .into_response();
        r.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(wait.as_secs().max(1)),
        );
        return r;
    }
    let form = request.uri().path().ends_with("/signaler");
    match *request.method() {
        Method::GET | Method::HEAD => next.run(request).await,
        Method::POST if form => {
            let mut request = request;
            request.extensions_mut().insert(Visitor { client });
            next.run(request).await
        }
        Method::OPTIONS => {
            let mut r = StatusCode::NO_CONTENT.into_response();
            let h = r.headers_mut();
            h.insert(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, HEAD, OPTIONS"),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("If-None-Match, If-Modified-Since"),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("86400"),
            );
            r
        }
        _ => {
            let mut r = (StatusCode::METHOD_NOT_ALLOWED, "GET, HEAD\n").into_response();
            r.headers_mut().insert(
                header::ALLOW,
                HeaderValue::from_static("GET, HEAD, OPTIONS"),
            );
            r
        }
    }
}

/// The language of a page: `?lang=`, else the first of French and English
/// in `Accept-Language` by preference, else French.
pub(crate) fn negotiate(query: Option<&str>, headers: &HeaderMap) -> Lang {
    if let Some(l) = query.and_then(Lang::parse) {
        return l;
    }
    let Some(accept) = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
    else {
        return Lang::Fr;
    };
    let mut best: Option<(f32, usize, Lang)> = None;
    for (n, part) in accept.split(',').enumerate() {
        let mut bits = part.split(';');
        let tag = bits.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = bits
            .find_map(|b| b.trim().strip_prefix("q=").map(str::to_owned))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or_default();
        let lang = match primary {
            "fr" => Lang::Fr,
            "en" => Lang::En,
            _ => continue,
        };
        if q <= 0.0 {
            continue;
        }
        // Higher quality wins; at equal quality, the first listed.
        if best.is_none_or(|(bq, _, _)| q > bq) {
            best = Some((q, n, lang));
        }
    }
    best.map_or(Lang::Fr, |(_, _, l)| l)
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct PageQuery {
    lang: Option<String>,
}

/// What went wrong with a request, said plainly.
pub(crate) enum WebError {
    BadRequest(String),
    NotFound(String),
    Internal,
}

impl From<kohero_core::EngineError> for WebError {
    fn from(e: kohero_core::EngineError) -> Self {
        tracing::error!(error = %e, "public page failed");
        Self::Internal
    }
}

impl WebError {
    /// No such initiative to show (or moderation hid it).
    pub(crate) fn no_initiative(id: InitiativeId) -> Self {
        Self::NotFound(format!(
            "Il n'y a pas d'initiative #{id} (ou elle a été masquée). / There is no initiative #{id} (or it was hidden)."
        ))
    }

    /// No commune has this code.
    pub(crate) fn no_commune(code: &InseeCode) -> Self {
        let code = code.as_str();
        Self::NotFound(format!(
            "Il n'y a pas de commune de code INSEE {code}. / There is no commune with INSEE code {code}."
        ))
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (code, text) = match self {
            Self::BadRequest(t) => (StatusCode::BAD_REQUEST, t),
            Self::NotFound(t) => (StatusCode::NOT_FOUND, t),
            Self::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Erreur interne, réessayez plus tard. / Internal error, try again later."
                    .to_owned(),
            ),
        };
        let mut r = (code, format!("{text}\n")).into_response();
        r.headers_mut().insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        r
    }
}

/// `42` or `i42`; anything else is a 400 that says how ids are written.
fn initiative_id(raw: &str) -> Result<InitiativeId, WebError> {
    kohero_core::command::parse_initiative_id(raw)
        .ok_or_else(|| {
            WebError::BadRequest(format!(
                "« {} » n'est pas un numéro d'initiative (par exemple /i/42). / Not an initiative number (e.g. /i/42).",
                pages::clip(raw)
            ))
        })
}

fn commune_code(raw: &str) -> Result<InseeCode, WebError> {
    InseeCode::parse(raw).ok_or_else(|| {
        WebError::BadRequest(format!(
            "« {} » n'est pas un code INSEE de commune (cinq caractères, par exemple /c/69123). / Not a commune's INSEE code (five characters, e.g. /c/69123).",
            pages::clip(raw)
        ))
    })
}

impl Web {
    /// Serves `key`'s answer from the last few seconds, or makes it; its
    /// `Last-Modified` is never before this process first sent this body.
    async fn kept<F, Fut>(&self, key: String, make: F) -> Result<Answer, WebError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Answer, WebError>>,
    {
        let ttl = self.options.cache;
        if !ttl.is_zero() {
            let mut cache = lock(&self.cache);
            if let Some(k) = cache.kept.get_mut(&key) {
                let age = k.at.elapsed();
                if age < ttl || (k.remaking && age < ttl + STALE_MAX) {
                    return Ok(k.answer.clone());
                }
                // This request remakes it; the others keep the old one.
                k.remaking = true;
            }
        }
        let made = make().await;
        if made.is_err() && !ttl.is_zero() {
            let mut cache = lock(&self.cache);
            // Gone (hidden, deleted) or failing: the old answer goes too.
            if let Some(old) = cache.kept.remove(&key) {
                cache.bytes -= old.answer.body.len();
            }
        }
        let mut answer = made?;
        {
            // Whole seconds, rounded up: HTTP dates have no fraction, and a
            // change within the second must not look older.
            let now = Utc::now();
            let now = DateTime::from_timestamp(now.timestamp() + 1, 0).unwrap_or(now);
            let mut validators = lock(&self.validators);
            if validators.len() >= VALIDATORS_MAX && !validators.contains_key(&key) {
                validators.clear();
            }
            let since = match validators.get(&key) {
                Some((etag, since)) if *etag == answer.etag => *since,
                _ => {
                    validators.insert(key.clone(), (answer.etag.clone(), now));
                    now
                }
            };
            answer.last_modified = Some(answer.last_modified.map_or(since, |m| m.max(since)));
        }
        let size = answer.body.len();
        if !ttl.is_zero() && size <= KEPT_ONE_MAX {
            let mut cache = lock(&self.cache);
            if cache.bytes + size > CACHE_BYTES || cache.kept.len() >= CACHE_ENTRIES {
                cache.kept.retain(|_, k| k.at.elapsed() < ttl);
                cache.bytes = cache.kept.values().map(|k| k.answer.body.len()).sum();
                if cache.bytes + size > CACHE_BYTES || cache.kept.len() >= CACHE_ENTRIES {
                    // Fresh answers fill it: keep this one out rather than
                    // drop the others.
                    return Ok(answer);
                }
            }
            if let Some(old) = cache.kept.insert(
                key,
                Kept {
                    at: Instant::now(),
                    answer: answer.clone(),
                    remaking: false,
                },
            ) {
                cache.bytes -= old.answer.body.len();
            }
            cache.bytes += size;
        }
        Ok(answer)
    }

    /// A visitor's key: their address's bucket, hashed with the
    /// installation's secret (the address itself is kept nowhere).
    fn visitor_key(&self, client: IpAddr) -> String {
        self.visitors.of(&bucket_of(client))
    }

    /// The public address of a path, if one is configured.
    pub(crate) fn link(&self, path: &str) -> Option<String> {
        self.options.url.as_ref().map(|u| format!("{u}{path}"))
    }
}

/// Sends an answer, or `304 Not Modified` when the client holds it already.
fn respond(method: &Method, headers: &HeaderMap, a: Answer) -> Response {
    let fresh = match headers.get(header::IF_NONE_MATCH) {
        Some(tags) => tags.to_str().is_ok_and(|t| {
            t.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == a.etag || t == "*")
        }),
        None => match (
            headers
                .get(header::IF_MODIFIED_SINCE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| DateTime::parse_from_rfc2822(v).ok()),
            a.last_modified,
        ) {
            (Some(since), Some(modified)) => modified.timestamp() <= since.timestamp(),
            _ => false,
        },
    };
    let mut r = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else if method == Method::HEAD {
        Response::new(Body::empty())
    } else {
        Response::new(Body::from(a.body.clone()))
    };
    let h = r.headers_mut();
    if !fresh {
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(a.content_type),
        );
        if method == Method::HEAD {
            h.insert(header::CONTENT_LENGTH, HeaderValue::from(a.body.len()));
        }
    }
    if let Ok(v) = HeaderValue::from_str(&a.etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(m) = a.last_modified
        && let Ok(v) = HeaderValue::from_str(&m.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
    {
        h.insert(header::LAST_MODIFIED, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={}", a.max_age)) {
        h.insert(header::CACHE_CONTROL, v);
    }
    if a.vary_language {
        h.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    }
    if a.cors {
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("ETag, Last-Modified, Link"),
        );
    }
    if let Some(next) = &a.next
        && let Ok(v) = HeaderValue::from_str(&format!("<{next}>; rel=\"next\""))
    {
        h.insert(header::LINK, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if a.content_type.starts_with("text/html") {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: https:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            ),
        );
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        );
    }
    r
}

async fn home(State(web): State<Web>, headers: HeaderMap, q: Query<PageQuery>) -> Response {
    let lang = negotiate(q.lang.as_deref(), &headers);
    let cat = web.engine.catalog();
    let body = cat.get(lang, "web-home", &[]);
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{body}\n"),
    )
        .into_response()
}

async fn robots() -> &'static str {
    "User-agent: *\nAllow: /\n"
}

async fn not_found() -> WebError {
    WebError::NotFound(
        "Cette page n'existe pas : les pages sont /i/NUMÉRO et /c/CODE-INSEE. / No such page: pages are /i/NUMBER and /c/INSEE-CODE.".to_owned(),
    )
}

async fn initiative_page(
    State(web): State<Web>,
    Path(raw): Path<String>,
    q: Query<PageQuery>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let id = initiative_id(&raw)?;
    let lang = negotiate(q.lang.as_deref(), &headers);
    let key = format!("i/{id}/{}", lang.code());
    let a = web.kept(key, || pages::initiative(&web, id, lang)).await?;
    Ok(respond(&method, &headers, a))
}

async fn commune_page(
    State(web): State<Web>,
    Path(raw): Path<String>,
    q: Query<PageQuery>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let code = commune_code(&raw)?;
    let lang = negotiate(q.lang.as_deref(), &headers);
    let key = format!("c/{}/{}", code.as_str(), lang.code());
    let a = web.kept(key, || pages::commune(&web, code, lang)).await?;
    Ok(respond(&method, &headers, a))
}

async fn initiative_calendar(
    State(web): State<Web>,
    Path(raw): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let id = initiative_id(&raw)?;
    let a = web
        .kept(format!("i/{id}/ics"), || {
            data::initiative_calendar(&web, id)
        })
        .await?;
    Ok(respond(&method, &headers, a))
}

async fn commune_calendar(
    State(web): State<Web>,
    Path(raw): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let code = commune_code(&raw)?;
    let a = web
        .kept(format!("c/{}/ics", code.as_str()), || {
            data::commune_calendar(&web, code)
        })
        .await?;
    Ok(respond(&method, &headers, a))
}

async fn commune_feed(
    State(web): State<Web>,
    Path(raw): Path<String>,
    q: Query<PageQuery>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let code = commune_code(&raw)?;
    let lang = negotiate(q.lang.as_deref(), &headers);
    let a = web
        .kept(format!("c/{}/atom/{}", code.as_str(), lang.code()), || {
            data::commune_feed(&web, code, lang)
        })
        .await?;
    Ok(respond(&method, &headers, a))
}

async fn commune_map(
    State(web): State<Web>,
    Path(raw): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let code = commune_code(&raw)?;
    let query = data::map_query(&q, Some(code))?;
    let a = web
        .kept(format!("map/{query:?}"), || data::map(&web, query))
        .await?;
    Ok(respond(&method, &headers, a))
}

async fn map(
    State(web): State<Web>,
    Query(q): Query<HashMap<String, String>>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let query = data::map_query(&q, None)?;
    let a = web
        .kept(format!("map/{query:?}"), || data::map(&web, query))
        .await?;
    Ok(respond(&method, &headers, a))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_client_behind_trusted_proxies() {
        let trusted = vec![
            IpNet::parse("10.0.0.0/8").unwrap(),
            IpNet::parse("::1").unwrap(),
        ];
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "203.0.113.7, 10.1.2.3".parse().unwrap());
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // From a trusted proxy: the last address that is not a proxy.
        assert_eq!(
            client_address(ip("10.0.0.1"), &h, &trusted),
            ip("203.0.113.7")
        );
        assert_eq!(client_address(ip("::1"), &h, &trusted), ip("203.0.113.7"));
        // From anyone else, the header is not believed.
        assert_eq!(
            client_address(ip("198.51.100.1"), &h, &trusted),
            ip("198.51.100.1")
        );
        // A forged first entry does not hide the address the proxy saw.
        let mut forged = HeaderMap::new();
        forged.insert("x-forwarded-for", "1.2.3.4, 203.0.113.9".parse().unwrap());
        assert_eq!(
            client_address(ip("10.0.0.1"), &forged, &trusted),
            ip("203.0.113.9")
        );
        // Garbage: the peer.
        let mut bad = HeaderMap::new();
        bad.insert("x-forwarded-for", "pas une adresse".parse().unwrap());
        assert_eq!(
            client_address(ip("10.0.0.1"), &bad, &trusted),
            ip("10.0.0.1")
        );
        // Proxies that write ports, brackets, or garbage.
        let mut ports = HeaderMap::new();
        ports.insert(
            "x-forwarded-for",
            "203.0.113.7:4711, [2001:db8::1]:443".parse().unwrap(),
        );
        assert_eq!(
            client_address(ip("10.0.0.1"), &ports, &trusted),
            ip("2001:db8::1")
        );
        let mut junk = HeaderMap::new();
        junk.insert("x-forwarded-for", "203.0.113.7, unknown".parse().unwrap());
        assert_eq!(
            client_address(ip("10.0.0.1"), &junk, &trusted),
            ip("10.0.0.1")
        );
        let mut tail = HeaderMap::new();
        tail.insert("x-forwarded-for", "x, 203.0.113.8".parse().unwrap());
        assert_eq!(
            client_address(ip("10.0.0.1"), &tail, &trusted),
            ip("203.0.113.8")
        );
        // One bucket per IPv6 /64.
        assert_eq!(
            bucket_of(ip("2001:db8:1:2:aaaa::1")),
            bucket_of(ip("2001:db8:1:2:bbbb::9"))
        );
        assert_ne!(
            bucket_of(ip("2001:db8:1:3::1")),
            bucket_of(ip("2001:db8:1:2::1"))
        );
        assert_eq!(bucket_of(ip("::ffff:192.0.2.1")), "192.0.2.1");
        assert_eq!(IpNet::parse("10.0.0.0/33"), None);
        assert_eq!(IpNet::parse("nope"), None);
        assert!(IpNet::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(
            IpNet::parse("127.0.0.1")
                .unwrap()
                .contains(ip("::ffff:127.0.0.1"))
        );
    }

    /// An expired answer is remade by one request while the others get the
    /// previous one; a failure takes it out of the cache.
    #[tokio::test]
    async fn one_request_remakes_an_expired_answer() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let store = Arc::new(kohero_store_sqlite::SqliteStore::in_memory().await.unwrap());
        let engine = Arc::new(
            Engine::new(store, Arc::new(kohero_core::ports::SystemClock))
                .await
                .unwrap(),
        );
        let web = Web {
            engine,
            options: Arc::new(PublicOptions {
                addr: "127.0.0.1:0".parse().unwrap(),
                url: None,
                trusted_proxies: Vec::new(),
                map_tiles: None,
                rate: PublicOptions::DEFAULT_RATE,
                cache: Duration::from_millis(200),
                telegram_bot: None,
                matrix_bot: None,
            }),
            limiter: Arc::new(Mutex::new(Limiter::new(Limits::default()))),
            started: Instant::now(),
            swept: Arc::default(),
            cache: Arc::default(),
            validators: Arc::default(),
            heavy: Arc::new(tokio::sync::Semaphore::new(2)),
            reports: Arc::new(Mutex::new(Limiter::new(Limits::default()))),
            visitors: VisitorKey(1, 2),
        };
        let made = Arc::new(AtomicUsize::new(0));
        let make = |text: &'static str, slow: bool| {
            let made = made.clone();
            move || async move {
                made.fetch_add(1, Ordering::SeqCst);
                if slow {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
                Ok(Answer::new("text/plain", text.to_owned()))
            }
        };
        let body = |a: &Answer| String::from_utf8_lossy(&a.body).into_owned();
        let a = web.kept("k".into(), make("un", false)).await.ok().unwrap();
        assert_eq!(body(&a), "un");
        // Fresh: served without making it.
        let a = web
            .kept("k".into(), make("deux", false))
            .await
            .ok()
            .unwrap();
        assert_eq!((body(&a).as_str(), made.load(Ordering::SeqCst)), ("un", 1));
        tokio::time::sleep(Duration::from_millis(250)).await;
        // Expired: one request remakes it (slowly); meanwhile another gets
        // the previous answer at once.
        let remaking = {
            let web = web.clone();
            let make = make("trois", true);
            tokio::spawn(async move { web.kept("k".into(), make).await.ok().map(|a| body(&a)) })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let meanwhile = web
            .kept("k".into(), make("quatre", false))
            .await
            .ok()
            .unwrap();
        assert_eq!(body(&meanwhile), "un");
        assert_eq!(remaking.await.unwrap().as_deref(), Some("trois"));
        assert_eq!(made.load(Ordering::SeqCst), 2);
        // A failure removes the kept answer.
        tokio::time::sleep(Duration::from_millis(250)).await;
        let failed = web
            .kept("k".into(), || async {
                Err(WebError::NotFound("gone".into()))
            })
            .await;
        assert!(failed.is_err());
        assert!(web.cache.lock().unwrap().kept.is_empty());
        assert_eq!(web.cache.lock().unwrap().bytes, 0);
    }

    #[test]
    fn languages_by_query_then_preference() {
        let h = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_LANGUAGE, v.parse().unwrap());
            h
        };
        assert_eq!(negotiate(None, &HeaderMap::new()), Lang::Fr);
        assert_eq!(negotiate(None, &h("en-GB,en;q=0.9,fr;q=0.8")), Lang::En);
        assert_eq!(negotiate(None, &h("de-DE,fr;q=0.5,en;q=0.7")), Lang::En);
        assert_eq!(negotiate(None, &h("de, es")), Lang::Fr);
        assert_eq!(negotiate(None, &h("en;q=0, fr-CA")), Lang::Fr);
        assert_eq!(negotiate(Some("en"), &h("fr")), Lang::En);
        assert_eq!(negotiate(Some("xx"), &h("en")), Lang::En);
    }
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct ReportQuery {
    lang: Option<String>,
    cible: Option<String>,
}

#[derive(serde::Deserialize)]
pub(crate) struct ReportForm {
    cible: Option<String>,
    raison: Option<String>,
    texte: Option<String>,
}

/// What a report names: the initiative, or one of its updates or events
/// (`U15`, `E7`); anything else is the initiative.
fn report_target(id: InitiativeId, cible: Option<&str>) -> kohero_core::domain::Target {
    use kohero_core::domain::Target;
    match cible.and_then(Target::parse) {
        Some(t @ (Target::Update(_) | Target::Event(_))) => t,
        _ => Target::Initiative(id),
    }
}

fn html(body: String, status: StatusCode) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    r
}

async fn report_form(
    State(web): State<Web>,
    Path(raw): Path<String>,
    Query(q): Query<ReportQuery>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let id = initiative_id(&raw)?;
    let lang = negotiate(q.lang.as_deref(), &headers);
    let target = report_target(id, q.cible.as_deref());
    // Kept like any page: the form costs one read of the initiative at most
    // every few seconds.
    let key = format!("i/{id}/signaler/{target}/{}", lang.code());
    let a = web
        .kept(key, || async {
            if web.engine.public_calendar_of(id).await?.is_none() {
                return Err(WebError::no_initiative(id));
            }
            Ok(Answer::new(
                "text/html; charset=utf-8",
                pages::report_form(&web, id, target, lang, None, true)?,
            ))
        })
        .await?;
    Ok(html(
        String::from_utf8_lossy(&a.body).into_owned(),
        StatusCode::OK,
    ))
}

/// Whether a form post comes from this site: no `Origin`, or one whose host
/// is the request's `Host` or the public URL's.
fn same_origin(web: &Web, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return true;
    };
    let host_of = |u: &str| {
        u.split("://")
            .nth(1)
            .map(|r| r.split('/').next().unwrap_or_default().to_ascii_lowercase())
    };
    let origin_host = host_of(origin);
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_ascii_lowercase);
    origin_host.is_some()
        && (origin_host == host || web.options.url.as_deref().and_then(host_of) == origin_host)
}

async fn report_post(
    State(web): State<Web>,
    Path(raw): Path<String>,
    Query(q): Query<ReportQuery>,
    headers: HeaderMap,
    visitor: Option<axum::Extension<Visitor>>,
    form: Result<axum::Form<ReportForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let form = form.ok();
    let id = initiative_id(&raw)?;
    let lang = negotiate(q.lang.as_deref(), &headers);
    let cat = web.engine.catalog();
    let Some(axum::Extension(visitor)) = visitor else {
        return Err(WebError::Internal);
    };
    let target = report_target(
        id,
        form.as_ref()
            .and_then(|f| f.cible.as_deref())
            .or(q.cible.as_deref()),
    );
    let answer = |message: String, status: StatusCode, again: bool| -> Result<Response, WebError> {
        Ok(html(
            pages::report_form(&web, id, target, lang, Some(message), again)?,
            status,
        ))
    };
    if !same_origin(&web, &headers) {
        return answer(
            cat.get(lang, "web-report-foreign", &[]),
            StatusCode::FORBIDDEN,
            false,
        );
    }
    let allowed =
        lock(&web.reports).check(&bucket_of(visitor.client), false, web.started.elapsed());
    if allowed.is_err() {
        return answer(
            cat.get(lang, "web-report-limited", &[]),
            StatusCode::TOO_MANY_REQUESTS,
            false,
        );
    }
    let Some(axum::Form(form)) = form else {
        return answer(
            cat.get(lang, "web-report-bad", &[]),
            StatusCode::BAD_REQUEST,
            true,
        );
    };
    let Some(reason) = form
        .raison
        .as_deref()
        .and_then(kohero_core::domain::Reason::parse_key)
        .filter(|r| kohero_core::domain::Reason::CHOICES.contains(r))
    else {
        return answer(
            cat.get(lang, "web-report-bad", &[]),
            StatusCode::BAD_REQUEST,
            true,
        );
    };
    let note = form
        .texte
        .map(|t| t.chars().take(500).collect::<String>())
        .filter(|t| !t.trim().is_empty());
    match web
        .engine
        .report_from_web(
            id,
            target,
            reason,
            note,
            &web.visitor_key(visitor.client),
            lang,
        )
        .await?
    {
        Ok(thanks) => answer(thanks, StatusCode::OK, false),
        Err(why) => answer(why, StatusCode::UNPROCESSABLE_ENTITY, false),
    }
}
