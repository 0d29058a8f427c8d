//! Reading stored rows back into the domain, shared by the SQL stores: each
//! store says how to read one column of its rows ([`Columns`]); parsing keys,
//! times and places, and refusing what does not parse (a corrupt row, never a
//! panic), is written once here.

use chrono::{DateTime, Utc};

use kohero_core::domain::*;
use kohero_core::geo::GeoPoint;
use kohero_core::ports::{StoreError, StoreResult};

/// A row as a store reads it: each column by name, as an integer, a real or a
/// text, `None` for NULL.
pub trait Columns {
    fn int(&self, col: &str) -> StoreResult<Option<i64>>;
    fn real(&self, col: &str) -> StoreResult<Option<f64>>;
    fn text(&self, col: &str) -> StoreResult<Option<String>>;
}

/// A value one column holds.
pub trait FromColumn: Sized {
    fn from_column(row: &(impl Columns + ?Sized), col: &str) -> StoreResult<Self>;
}

fn required<T>(v: Option<T>, col: &str) -> StoreResult<T> {
    v.ok_or_else(|| StoreError::Corrupt(format!("{col} is NULL")))
}

impl FromColumn for i64 {
    fn from_column(row: &(impl Columns + ?Sized), col: &str) -> StoreResult<Self> {
        required(row.int(col)?, col)
    }
}

impl FromColumn for Option<i64> {
    fn from_column(row: &(impl Columns + ?Sized), col: &str) -> StoreResult<Self> {
        row.int(col)
    }
}

impl FromColumn for Option<f64> {
    fn from_column(row: &(impl Columns + ?Sized), col: &str) -> StoreResult<Self> {
        row.real(col)
    }
}

impl FromColumn for String {
    fn from_column(row: &(impl Columns + ?Sized), col: &str) -> StoreResult<Self> {
        required(row.text(col)?, col)
    }
}

impl FromColumn for Option<String> {
    fn from_column(row: &(impl Columns + ?Sized), col: &str) -> StoreResult<Self> {
        row.text(col)
    }
}

pub fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn time(v: i64) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp_millis(v).ok_or_else(|| StoreError::Corrupt(format!("time {v}")))
}

fn corrupt(what: &str, v: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {v:?}"))
}

/// One column of a row, read as `T`: NULL only where `T` is an `Option`.
pub fn get<T: FromColumn>(row: &(impl Columns + ?Sized), col: &str) -> StoreResult<T> {
    T::from_column(row, col)
}

pub fn point(row: &(impl Columns + ?Sized)) -> StoreResult<Option<GeoPoint>> {
    let lat: Option<f64> = get(row, "lat")?;
    let lon: Option<f64> = get(row, "lon")?;
    match (lat, lon) {
        (Some(lat), Some(lon)) => GeoPoint::new(lat, lon)
            .map(Some)
            .map_err(|_| corrupt("point", &format!("{lat},{lon}"))),
        _ => Ok(None),
    }
}

pub fn lat_lon(p: Option<GeoPoint>) -> (Option<f64>, Option<f64>) {
    (p.map(GeoPoint::lat), p.map(GeoPoint::lon))
}

pub fn commune_code(c: &str) -> StoreResult<InseeCode> {
    InseeCode::parse(c).ok_or_else(|| corrupt("commune", c))
}

fn commune(v: Option<String>) -> StoreResult<Option<InseeCode>> {
    v.as_deref().map(commune_code).transpose()
}

/// A `network`, `chat` pair.
pub fn address(row: &(impl Columns + ?Sized)) -> StoreResult<Address> {
    Ok(Address::new(
        get::<String>(row, "network")?,
        get::<String>(row, "chat")?,
    ))
}

/// A `network`, `external_id` pair.
pub fn identity(row: &(impl Columns + ?Sized)) -> StoreResult<Identity> {
    Ok(Identity::new(
        get::<String>(row, "network")?,
        get::<String>(row, "external_id")?,
    ))
}

/// An `actor_communes` row.
pub fn actor_commune(row: &(impl Columns + ?Sized)) -> StoreResult<(i64, InseeCode)> {
    Ok((
        get(row, "actor_id")?,
        commune_code(&get::<String>(row, "insee")?)?,
    ))
}

/// An identity with its actor and their language (`actor_id`, `lang`,
/// `network`, `external_id`).
pub fn reachable(row: &(impl Columns + ?Sized)) -> StoreResult<(ActorId, Lang, Identity)> {
    let lang: String = get(row, "lang")?;
    Ok((
        ActorId(get(row, "actor_id")?),
        Lang::parse(&lang).ok_or_else(|| corrupt("lang", &lang))?,
        identity(row)?,
    ))
}

pub fn actor(row: &(impl Columns + ?Sized), communes: Vec<InseeCode>) -> StoreResult<Actor> {
    let kind: String = get(row, "kind")?;
    let lang: String = get(row, "lang")?;
    Ok(Actor {
        id: ActorId(get(row, "id")?),
        kind: kind.parse().map_err(|()| corrupt("kind", &kind))?,
        display_name: get(row, "display_name")?,
        lang: Lang::parse(&lang).ok_or_else(|| corrupt("lang", &lang))?,
        tz: get(row, "tz")?,
        verified: get::<i64>(row, "verified")? != 0,
        communes,
        location: point(row)?,
        created_at: time(get(row, "created_at")?)?,
        notify_network: get(row, "notify_network")?,
    })
}

pub fn initiative(row: &(impl Columns + ?Sized)) -> StoreResult<Initiative> {
    let s = initiative_summary(row)?;
    Ok(Initiative {
        id: s.id,
        kind: s.kind,
        title: s.title,
        description: get(row, "description")?,
        category: s.category,
        place: s.place,
        commune: s.commune,
        status: s.status,
        created_by: get::<Option<i64>>(row, "created_by")?.map(ActorId),
        offered_to: get::<Option<i64>>(row, "offered_to")?.map(ActorId),
        created_at: time(get(row, "created_at")?)?,
        updated_at: s.updated_at,
        hidden: s.hidden,
        carried_by: get::<Option<i64>>(row, "carried_by")?.map(ActorId),
    })
}

/// The columns of a summary, read from a summary's row or an initiative's.
pub fn initiative_summary(row: &(impl Columns + ?Sized)) -> StoreResult<InitiativeSummary> {
    let kind: String = get(row, "kind")?;
    let status: String = get(row, "status")?;
    let category: String = get(row, "category")?;
    Ok(InitiativeSummary {
        id: InitiativeId(get(row, "id")?),
        kind: InitiativeKind::parse_key(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        status: Status::parse_key(&status).ok_or_else(|| corrupt("status", &status))?,
        category: Category::parse(&category).ok_or_else(|| corrupt("category", &category))?,
        title: get(row, "title")?,
        place: point(row)?,
        commune: commune(get(row, "commune")?)?,
        updated_at: time(get(row, "updated_at")?)?,
        hidden: get::<Option<i64>>(row, "hidden_at")?.is_some(),
    })
}

/// A row of [`COMMUNE_COUNTS`](crate::statements::initiatives::COMMUNE_COUNTS):
/// a status, how many have it, their latest change.
pub fn status_count(
    row: &(impl Columns + ?Sized),
) -> StoreResult<(Status, usize, Option<DateTime<Utc>>)> {
    let status: String = get(row, "status")?;
    let n: i64 = get(row, "n")?;
    Ok((
        Status::parse_key(&status).ok_or_else(|| corrupt("status", &status))?,
        usize::try_from(n).map_err(|_| corrupt_value("count", n))?,
        get::<Option<i64>>(row, "at")?.map(time).transpose()?,
    ))
}

pub fn sent_digest(row: &(impl Columns + ?Sized)) -> StoreResult<SentDigest> {
    let ids: String = get(row, "initiatives")?;
    let ids: Vec<i64> =
        serde_json::from_str(&ids).map_err(|_| corrupt("digest's initiatives", &ids))?;
    Ok(SentDigest {
        id: get(row, "id")?,
        commune: commune_code(&get::<String>(row, "commune")?)?,
        municipality: ActorId(get(row, "municipality_id")?),
        at: time(get(row, "at")?)?,
        since: time(get(row, "since")?)?,
        announcement: get(row, "announcement")?,
        initiatives: ids.into_iter().map(InitiativeId).collect(),
    })
}

pub fn membership(row: &(impl Columns + ?Sized)) -> StoreResult<Membership> {
    let role: String = get(row, "role")?;
    Ok(Membership {
        initiative: InitiativeId(get(row, "initiative_id")?),
        actor: ActorId(get(row, "actor_id")?),
        role: Role::parse_key(&role).ok_or_else(|| corrupt("role", &role))?,
        since: time(get(row, "since")?)?,
    })
}

/// A row of `MEMBER_TALLIES`: the initiative and its tally.
pub fn member_tally(row: &(impl Columns + ?Sized)) -> StoreResult<(InitiativeId, MemberTally)> {
    let count = |col: &str| -> StoreResult<usize> {
        let n: i64 = get(row, col)?;
        usize::try_from(n).map_err(|_| corrupt_value(col, n))
    };
    let role = match get::<Option<String>>(row, "mine")? {
        Some(k) => Some(Role::parse_key(&k).ok_or_else(|| corrupt("role", &k))?),
        None => None,
    };
    Ok((
        InitiativeId(get(row, "initiative_id")?),
        MemberTally {
            supporters: count("supporters")?,
            members: count("members")?,
            role,
        },
    ))
}

pub fn update(row: &(impl Columns + ?Sized)) -> StoreResult<ProgressUpdate> {
    Ok(ProgressUpdate {
        id: UpdateId(get(row, "id")?),
        initiative: InitiativeId(get(row, "initiative_id")?),
        author: get::<Option<i64>>(row, "author_id")?.map(ActorId),
        text: get(row, "body")?,
        created_at: time(get(row, "created_at")?)?,
        hidden: get::<Option<i64>>(row, "hidden_at")?.is_some(),
    })
}

pub fn event(row: &(impl Columns + ?Sized)) -> StoreResult<Event> {
    Ok(Event {
        id: EventId(get(row, "id")?),
        initiative: InitiativeId(get(row, "initiative_id")?),
        title: get(row, "title")?,
        starts_at: time(get(row, "starts_at")?)?,
        tz: get(row, "tz")?,
        place: point(row)?,
        created_by: get::<Option<i64>>(row, "created_by")?.map(ActorId),
        created_at: time(get(row, "created_at")?)?,
        hidden: get::<Option<i64>>(row, "hidden_at")?.is_some(),
        minutes: u32::try_from(get::<i64>(row, "duration_minutes")?)
            .map_err(|_| corrupt("duration_minutes", "out of range"))?,
        sequence: u32::try_from(get::<i64>(row, "sequence")?)
            .map_err(|_| corrupt("sequence", "out of range"))?,
        updated_at: get::<Option<i64>>(row, "updated_at")?
            .map(time)
            .transpose()?,
        cancelled_at: get::<Option<i64>>(row, "cancelled_at")?
            .map(time)
            .transpose()?,
    })
}

/// A `reports` row.
pub fn report(row: &(impl Columns + ?Sized)) -> StoreResult<Report> {
    let reason: String = get(row, "reason")?;
    Ok(Report {
        id: get(row, "id")?,
        target: target(row)?.ok_or_else(|| corrupt("target_kind", "null"))?,
        reporter: ActorId(get(row, "reporter_id")?),
        reason: Reason::parse_key(&reason).ok_or_else(|| corrupt("reason", &reason))?,
        text: get(row, "body")?,
        at: time(get(row, "created_at")?)?,
        resolved_at: get::<Option<i64>>(row, "resolved_at")?
            .map(time)
            .transpose()?,
    })
}

/// A `link_codes` row.
pub fn link_code(row: &(impl Columns + ?Sized)) -> StoreResult<LinkCode> {
    let claimed_network: Option<String> = get(row, "claimed_network")?;
    let claimed_id: Option<String> = get(row, "claimed_external_id")?;
    let claimed_at: Option<i64> = get(row, "claimed_at")?;
    let claimed = match (claimed_network, claimed_id, claimed_at) {
        (Some(n), Some(id), Some(at)) => Some((Identity::new(n, id), time(at)?)),
        _ => None,
    };
    Ok(LinkCode {
        code: get(row, "code")?,
        actor: ActorId(get(row, "actor_id")?),
        issuer: Identity::new(
            get::<String>(row, "network")?,
            get::<String>(row, "external_id")?,
        ),
        created_at: time(get(row, "created_at")?)?,
        expires_at: time(get(row, "expires_at")?)?,
        claimed,
    })
}

/// A `posts` row.
pub fn post(row: &(impl Columns + ?Sized)) -> StoreResult<Post> {
    Ok(Post {
        about: target(row)?.ok_or_else(|| corrupt("target_kind", "null"))?,
        room: address(row)?,
        message: get(row, "message_id")?,
        at: time(get(row, "posted_at")?)?,
    })
}

/// `target_kind` and `target_id`, if set.
fn target(row: &(impl Columns + ?Sized)) -> StoreResult<Option<Target>> {
    let kind: Option<String> = get(row, "target_kind")?;
    let id: Option<i64> = get(row, "target_id")?;
    match (kind, id) {
        (Some(k), Some(id)) => Target::from_parts(&k, id)
            .map(Some)
            .ok_or_else(|| corrupt("target_kind", &k)),
        _ => Ok(None),
    }
}

/// A `bans` row.
pub fn ban(row: &(impl Columns + ?Sized)) -> StoreResult<Ban> {
    Ok(Ban {
        identity: identity(row)?,
        until: get::<Option<i64>>(row, "until_at")?.map(time).transpose()?,
        reason: get(row, "reason")?,
        at: time(get(row, "created_at")?)?,
    })
}

/// A `moderation_log` row.
pub fn log_entry(row: &(impl Columns + ?Sized)) -> StoreResult<LogEntry> {
    let action: String = get(row, "action")?;
    Ok(LogEntry {
        id: get(row, "id")?,
        at: time(get(row, "at")?)?,
        moderator: get::<Option<i64>>(row, "moderator_id")?.map(ActorId),
        subject: get::<Option<i64>>(row, "subject_id")?.map(ActorId),
        action: ModAction::parse_key(&action).ok_or_else(|| corrupt("action", &action))?,
        target: target(row)?,
        reason: get(row, "reason")?,
    })
}

pub fn rsvp(row: &(impl Columns + ?Sized)) -> StoreResult<Rsvp> {
    let answer: String = get(row, "answer")?;
    Ok(Rsvp {
        event: EventId(get(row, "event_id")?),
        actor: ActorId(get(row, "actor_id")?),
        answer: RsvpAnswer::parse(&answer).ok_or_else(|| corrupt("answer", &answer))?,
        at: time(get(row, "at")?)?,
    })
}

pub fn categories_to_text(c: &[Category]) -> String {
    c.iter().map(|c| c.key()).collect::<Vec<_>>().join(",")
}

pub fn subscription(row: &(impl Columns + ?Sized)) -> StoreResult<Subscription> {
    let cats: String = get(row, "categories")?;
    let categories = cats
        .split(',')
        .filter(|c| !c.is_empty())
        .map(|c| Category::parse(c).ok_or_else(|| corrupt("category", c)))
        .collect::<StoreResult<Vec<_>>>()?;
    let radius: i64 = get(row, "radius_m")?;
    Ok(Subscription {
        id: SubscriptionId(get(row, "id")?),
        actor: ActorId(get(row, "actor_id")?),
        center: point(row)?,
        radius_m: u32::try_from(radius).map_err(|_| corrupt("radius", &radius.to_string()))?,
        commune: commune(get(row, "commune")?)?,
        categories,
        created_at: time(get(row, "created_at")?)?,
    })
}

pub fn activity(row: &(impl Columns + ?Sized)) -> StoreResult<Activity> {
    let kind: String = get(row, "kind")?;
    Ok(Activity {
        id: get(row, "id")?,
        initiative: InitiativeId(get(row, "initiative_id")?),
        kind: ActivityKind::parse_key(&kind).ok_or_else(|| corrupt("activity", &kind))?,
        ref_id: get(row, "ref_id")?,
        at: time(get(row, "at")?)?,
    })
}

fn opt_time(v: Option<i64>) -> StoreResult<Option<DateTime<Utc>>> {
    v.map(time).transpose()
}

pub fn digest_plan(row: &(impl Columns + ?Sized)) -> StoreResult<DigestPlan> {
    Ok(DigestPlan {
        municipality: ActorId(get(row, "municipality_id")?),
        schedule: get(row, "schedule")?,
        tz: get(row, "tz")?,
        next_at: opt_time(get(row, "next_at")?)?,
        last_at: opt_time(get(row, "last_at")?)?,
        announcement: get(row, "announcement")?,
    })
}

pub fn alert(row: &(impl Columns + ?Sized)) -> StoreResult<Alert> {
    let kind: String = get(row, "kind")?;
    Ok(Alert {
        id: get(row, "id")?,
        actor: ActorId(get(row, "actor_id")?),
        initiative: InitiativeId(get(row, "initiative_id")?),
        kind: AlertKind::parse_key(&kind).ok_or_else(|| corrupt("alert", &kind))?,
        ref_id: get(row, "ref_id")?,
        at: time(get(row, "at")?)?,
    })
}

pub fn alert_prefs(row: &(impl Columns + ?Sized)) -> StoreResult<AlertPrefs> {
    let minute = |col: &str| -> StoreResult<u32> {
        let v: i64 = get(row, col)?;
        u32::try_from(v)
            .ok()
            .filter(|m| *m < 24 * 60)
            .ok_or_else(|| corrupt(col, &v.to_string()))
    };
    Ok(AlertPrefs {
        enabled: get::<i64>(row, "enabled")? != 0,
        quiet_from: minute("quiet_from")?,
        quiet_to: minute("quiet_to")?,
        last_sent_at: opt_time(get(row, "last_sent_at")?)?,
        hold_until: opt_time(get(row, "hold_until")?)?,
    })
}

pub fn located(row: &(impl Columns + ?Sized)) -> StoreResult<kohero_core::places::Located> {
    let kind: String = get(row, "kind")?;
    let category: String = get(row, "category")?;
    Ok(kohero_core::places::Located {
        id: InitiativeId(get(row, "id")?),
        place: point(row)?.ok_or_else(|| corrupt("place", "NULL"))?,
        category: Category::parse(&category).ok_or_else(|| corrupt("category", &category))?,
        kind: InitiativeKind::parse_key(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        needs: u8::try_from(get::<i64>(row, "needs")? & 0x1f).unwrap_or(0),
    })
}

/// One initiative change: its sequence number, and the initiative's index row
/// now (`lat`/`lon` NULL when it is not live or has no place).
pub fn change(
    row: &(impl Columns + ?Sized),
) -> StoreResult<(i64, InitiativeId, Option<kohero_core::places::Located>)> {
    let seq: i64 = get(row, "seq")?;
    let id = InitiativeId(get(row, "id")?);
    let located = match row.real("lat")? {
        Some(_) => Some(located(row)?),
        None => None,
    };
    Ok((seq, id, located))
}

/// The cursor after a page of changes, and each changed thing once (its
/// last state in the page).
pub fn changes_after<I: Copy + Eq + std::hash::Hash, L>(
    cursor: i64,
    rows: Vec<(i64, I, L)>,
) -> (i64, Vec<(I, L)>) {
    let next = rows.last().map_or(cursor, |r| r.0);
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<_> = rows
        .into_iter()
        .rev()
        .filter(|r| seen.insert(r.1))
        .map(|(_, id, l)| (id, l))
        .collect();
    out.reverse();
    (next, out)
}

pub fn outgoing(row: &(impl Columns + ?Sized)) -> StoreResult<Outgoing> {
    let body: String = get(row, "body")?;
    let attempts: i64 = get(row, "attempts")?;
    let (to, payload, about) =
        crate::outbox_form::decode(get(row, "format")?, &body).map_err(StoreError::Corrupt)?;
    Ok(Outgoing {
        id: get(row, "id")?,
        network: get(row, "network")?,
        to,
        recipient: get::<Option<i64>>(row, "recipient_id")?.map(ActorId),
        payload,
        priority: Priority::from_rank(get(row, "priority")?),
        key: get(row, "idem_key")?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        created_at: time(get(row, "created_at")?)?,
        about,
    })
}

/// One value of a table as `kohero copy-db` moves it, whatever the store.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A whole table as `kohero copy-db` moves it: its columns and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct TableData {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// copy-db fills an empty database only: refuses a table that has rows.
pub fn must_be_empty(table: &str, filled: bool) -> StoreResult<()> {
    if filled {
        return Err(StoreError::Backend(
            format!(
                "the target database already has data (table {table}); copy-db fills an empty database"
            )
            .into(),
        ));
    }
    Ok(())
}

/// Orders tables so that every table comes after the tables its foreign keys
/// refer to (`tables`: name and the tables it refers to; a table referring to
/// itself is fine). Names sort within one level, so the order is stable.
pub fn parents_first(mut tables: Vec<(String, Vec<String>)>) -> StoreResult<Vec<String>> {
    tables.sort();
    let mut done: Vec<String> = Vec::with_capacity(tables.len());
    while !tables.is_empty() {
        let (ready, rest): (Vec<_>, Vec<_>) = tables
            .into_iter()
            .partition(|(name, parents)| parents.iter().all(|p| p == name || done.contains(p)));
        if ready.is_empty() {
            let left: Vec<String> = rest.into_iter().map(|t| t.0).collect();
            return Err(StoreError::Backend(
                format!("foreign keys form a cycle between tables {left:?}").into(),
            ));
        }
        done.extend(ready.into_iter().map(|t| t.0));
        tables = rest;
    }
    Ok(done)
}

/// Column or table names as SQL identifiers, double-quoted (standard SQL, so
/// both stores), comma-separated.
pub fn quoted_identifiers(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("\"{}\"", n.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn categories_of(text: &str) -> StoreResult<Vec<Category>> {
    text.split(',')
        .filter(|c| !c.is_empty())
        .map(|c| Category::parse(c).ok_or_else(|| corrupt("category", c)))
        .collect()
}

pub fn actor_profile(row: &(impl Columns + ?Sized)) -> StoreResult<ActorProfile> {
    let skills: String = get(row, "skills")?;
    let radius: Option<i64> = get(row, "skills_radius_m")?;
    Ok(ActorProfile {
        actor: ActorId(get(row, "actor_id")?),
        description: get(row, "description")?,
        categories: categories_of(&get::<String>(row, "categories")?)?,
        place: point(row)?,
        commune: commune(get(row, "commune")?)?,
        site: get(row, "site")?,
        contact: get(row, "contact")?,
        skills: skills
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        skills_radius_m: radius
            .map(|r| u32::try_from(r).map_err(|_| corrupt("skills_radius_m", &r.to_string())))
            .transpose()?,
        updated_at: time(get(row, "updated_at")?)?,
    })
}

pub fn team_member(row: &(impl Columns + ?Sized)) -> StoreResult<TeamMember> {
    Ok(TeamMember {
        actor: ActorId(get(row, "actor_id")?),
        member: ActorId(get(row, "member_id")?),
        added_by: get::<Option<i64>>(row, "added_by")?.map(ActorId),
        since: time(get(row, "since")?)?,
        confirmed_at: get::<Option<i64>>(row, "confirmed_at")?
            .map(time)
            .transpose()?,
    })
}

/// A verified actor as its index needs it (`kind` NULL: no longer one).
pub fn located_actor(row: &(impl Columns + ?Sized)) -> StoreResult<Option<LocatedActor>> {
    let Some(kind) = get::<Option<String>>(row, "kind")? else {
        return Ok(None);
    };
    let kind: ActorKind = kind.parse().map_err(|()| corrupt("kind", &kind))?;
    Ok(Some(LocatedActor {
        id: ActorId(get(row, "id")?),
        kind,
        categories: categories_of(&get::<Option<String>>(row, "categories")?.unwrap_or_default())?,
        place: point(row)?,
        commune: commune(get(row, "commune")?)?,
    }))
}

pub fn need(row: &(impl Columns + ?Sized)) -> StoreResult<Need> {
    let kind: String = get(row, "kind")?;
    let status: String = get(row, "status")?;
    let count = |col: &str, v: i64| u32::try_from(v).map_err(|_| corrupt(col, &v.to_string()));
    Ok(Need {
        id: NeedId(get(row, "id")?),
        initiative: InitiativeId(get(row, "initiative_id")?),
        kind: NeedKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        quantity: get::<Option<i64>>(row, "quantity")?
            .map(|q| count("quantity", q))
            .transpose()?,
        detail: get(row, "detail")?,
        filled: count("filled", get(row, "filled")?)?,
        status: NeedStatus::parse_key(&status).ok_or_else(|| corrupt("status", &status))?,
        created_by: get::<Option<i64>>(row, "created_by")?.map(ActorId),
        created_at: time(get(row, "created_at")?)?,
        closed_at: get::<Option<i64>>(row, "closed_at")?
            .map(time)
            .transpose()?,
        until: get::<Option<i64>>(row, "until_at")?.map(time).transpose()?,
    })
}

pub fn offer(row: &(impl Columns + ?Sized)) -> StoreResult<Offer> {
    let status: String = get(row, "status")?;
    Ok(Offer {
        id: OfferId(get(row, "id")?),
        initiative: InitiativeId(get(row, "initiative_id")?),
        need: get::<Option<i64>>(row, "need_id")?.map(NeedId),
        person: get::<Option<i64>>(row, "person_id")?.map(ActorId),
        as_actor: get::<Option<i64>>(row, "as_actor")?.map(ActorId),
        message: get(row, "message")?,
        status: OfferStatus::parse_key(&status).ok_or_else(|| corrupt("status", &status))?,
        created_at: time(get(row, "created_at")?)?,
        answered_at: get::<Option<i64>>(row, "answered_at")?
            .map(time)
            .transpose()?,
        answered_by: get::<Option<i64>>(row, "answered_by")?.map(ActorId),
    })
}

/// A person who offers skills, at their last shared location.
pub fn skilled(row: &(impl Columns + ?Sized)) -> StoreResult<(ActorId, GeoPoint, ActorProfile)> {
    let profile = actor_profile(row)?;
    let lat: Option<f64> = get(row, "person_lat")?;
    let lon: Option<f64> = get(row, "person_lon")?;
    let (Some(lat), Some(lon)) = (lat, lon) else {
        return Err(corrupt("point", "NULL"));
    };
    let at = GeoPoint::new(lat, lon).map_err(|_| corrupt("point", &format!("{lat},{lon}")))?;
    Ok((profile.actor, at, profile))
}

pub fn town_answer(row: &(impl Columns + ?Sized)) -> StoreResult<TownAnswer> {
    let status: String = get(row, "status")?;
    Ok(TownAnswer {
        initiative: InitiativeId(get(row, "initiative_id")?),
        municipality: get::<Option<i64>>(row, "municipality_id")?.map(ActorId),
        status: match status.as_str() {
            "accepted" => AnswerStatus::Accepted,
            "studying" => AnswerStatus::Studying,
            "declined" => AnswerStatus::Declined,
            _ => return Err(corrupt("status", &status)),
        },
        text: get(row, "text")?,
        answered_at: time(get(row, "answered_at")?)?,
        updated_at: time(get(row, "updated_at")?)?,
    })
}

/// A number a column holds that does not fit what it counts.
pub fn corrupt_value(what: &str, v: i64) -> StoreError {
    corrupt(what, &v.to_string())
}

/// A list of text kept as a JSON array.
pub fn texts_to_json(v: &[impl AsRef<str>]) -> String {
    serde_json::Value::Array(
        v.iter()
            .map(|s| serde_json::Value::String(s.as_ref().to_owned()))
            .collect(),
    )
    .to_string()
}

fn json_texts(col: &str, text: &str) -> StoreResult<Vec<String>> {
    serde_json::from_str(text).map_err(|_| corrupt(col, text))
}

pub fn consultation(row: &(impl Columns + ?Sized)) -> StoreResult<Consultation> {
    let communes = json_texts("communes", &get::<String>(row, "communes")?)?
        .into_iter()
        .map(|c| InseeCode::parse(&c).ok_or_else(|| corrupt("communes", &c)))
        .collect::<StoreResult<Vec<_>>>()?;
    let options = json_texts("options", &get::<String>(row, "options")?)?;
    let results = match get::<Option<String>>(row, "counts")? {
        None => None,
        Some(text) => {
            let counts: Vec<u32> =
                serde_json::from_str(&text).map_err(|_| corrupt("counts", &text))?;
            let voters: i64 = get::<Option<i64>>(row, "voters")?.unwrap_or(0);
            Some(Tally {
                counts,
                voters: u32::try_from(voters).map_err(|_| corrupt_value("voters", voters))?,
            })
        }
    };
    Ok(Consultation {
        id: ConsultationId(get(row, "id")?),
        municipality: ActorId(get(row, "municipality_id")?),
        communes,
        question: get(row, "question")?,
        options,
        multiple: get::<i64>(row, "multiple")? != 0,
        ends_at: time(get(row, "ends_at")?)?,
        created_at: time(get(row, "created_at")?)?,
        sent_at: get::<Option<i64>>(row, "sent_at")?.map(time).transpose()?,
        closed_at: get::<Option<i64>>(row, "closed_at")?
            .map(time)
            .transpose()?,
        results,
    })
}

/// A vote, with its consultation's options (to check its choices).
pub fn vote(row: &(impl Columns + ?Sized)) -> StoreResult<Vote> {
    let options = json_texts("options", &get::<String>(row, "options")?)?;
    let bits: i64 = get(row, "choices")?;
    let choices = u16::try_from(bits)
        .ok()
        .and_then(|b| Choices::from_bits(b, options.len()))
        .ok_or_else(|| corrupt_value("choices", bits))?;
    Ok(Vote {
        consultation: ConsultationId(get(row, "consultation_id")?),
        choices,
        at: time(get(row, "voted_at")?)?,
    })
}
