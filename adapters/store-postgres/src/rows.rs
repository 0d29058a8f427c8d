//! Reading PostgreSQL rows back into the domain: the column reader; the parsing
//! is core's (`kohero_sql`), shared with the SQLite store.

use kohero_core::domain::*;
use kohero_core::ports::StoreResult;
use kohero_sql::{self as stored, Columns};
use sqlx::Row;
use sqlx::postgres::PgRow;

use crate::backend;

pub use kohero_sql::{categories_to_text, commune_code, lat_lon, ms, time};

pub fn get<'r, T>(row: &'r PgRow, col: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    row.try_get::<T, _>(col).map_err(backend)
}

struct Cols<'a>(&'a PgRow);

impl Columns for Cols<'_> {
    fn int(&self, col: &str) -> StoreResult<Option<i64>> {
        get(self.0, col)
    }
    fn real(&self, col: &str) -> StoreResult<Option<f64>> {
        get(self.0, col)
    }
    fn text(&self, col: &str) -> StoreResult<Option<String>> {
        get(self.0, col)
    }
}

pub fn actor(row: &PgRow, communes: Vec<InseeCode>) -> StoreResult<Actor> {
    stored::actor(&Cols(row), communes)
}

pub fn initiative(row: &PgRow) -> StoreResult<Initiative> {
    stored::initiative(&Cols(row))
}

pub fn membership(row: &PgRow) -> StoreResult<Membership> {
    stored::membership(&Cols(row))
}

pub fn update(row: &PgRow) -> StoreResult<ProgressUpdate> {
    stored::update(&Cols(row))
}

pub fn event(row: &PgRow) -> StoreResult<Event> {
    stored::event(&Cols(row))
}

pub fn rsvp(row: &PgRow) -> StoreResult<Rsvp> {
    stored::rsvp(&Cols(row))
}

pub fn subscription(row: &PgRow) -> StoreResult<Subscription> {
    stored::subscription(&Cols(row))
}

pub fn activity(row: &PgRow) -> StoreResult<Activity> {
    stored::activity(&Cols(row))
}

pub fn digest_plan(row: &PgRow) -> StoreResult<DigestPlan> {
    stored::digest_plan(&Cols(row))
}

pub fn alert(row: &PgRow) -> StoreResult<Alert> {
    stored::alert(&Cols(row))
}

pub fn alert_prefs(row: &PgRow) -> StoreResult<AlertPrefs> {
    stored::alert_prefs(&Cols(row))
}

pub fn located(row: &PgRow) -> StoreResult<kohero_core::places::Located> {
    stored::located(&Cols(row))
}

pub fn change(
    row: &PgRow,
) -> StoreResult<(i64, InitiativeId, Option<kohero_core::places::Located>)> {
    stored::change(&Cols(row))
}

pub fn outgoing(row: &PgRow) -> StoreResult<Outgoing> {
    stored::outgoing(&Cols(row))
}

pub fn address(row: &PgRow) -> StoreResult<Address> {
    stored::address(&Cols(row))
}

pub fn identity(row: &PgRow) -> StoreResult<Identity> {
    stored::identity(&Cols(row))
}

pub fn actor_commune(row: &PgRow) -> StoreResult<(i64, InseeCode)> {
    stored::actor_commune(&Cols(row))
}

pub fn reachable(row: &PgRow) -> StoreResult<(ActorId, Lang, Identity)> {
    stored::reachable(&Cols(row))
}
