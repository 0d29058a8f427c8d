//! Reading SQLite rows back into the domain: the column reader; the parsing is
//! core's (`kohero_sql`), shared with the PostgreSQL store.

use kohero_core::domain::*;
use kohero_core::ports::StoreResult;
use kohero_sql::{self as stored, Columns};
use rusqlite::Row;
use rusqlite::types::FromSql;

use crate::backend;

pub use kohero_sql::{categories_to_text, commune_code, lat_lon, ms, time};

pub fn get<T: FromSql>(row: &Row<'_>, col: &str) -> StoreResult<T> {
    row.get::<_, T>(col).map_err(backend)
}

struct Cols<'a, 'r>(&'a Row<'r>);

impl Columns for Cols<'_, '_> {
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

pub fn actor(row: &Row<'_>, communes: Vec<InseeCode>) -> StoreResult<Actor> {
    stored::actor(&Cols(row), communes)
}

pub fn initiative(row: &Row<'_>) -> StoreResult<Initiative> {
    stored::initiative(&Cols(row))
}

pub fn membership(row: &Row<'_>) -> StoreResult<Membership> {
    stored::membership(&Cols(row))
}

pub fn update(row: &Row<'_>) -> StoreResult<ProgressUpdate> {
    stored::update(&Cols(row))
}

pub fn event(row: &Row<'_>) -> StoreResult<Event> {
    stored::event(&Cols(row))
}

pub fn rsvp(row: &Row<'_>) -> StoreResult<Rsvp> {
    stored::rsvp(&Cols(row))
}

pub fn subscription(row: &Row<'_>) -> StoreResult<Subscription> {
    stored::subscription(&Cols(row))
}

pub fn activity(row: &Row<'_>) -> StoreResult<Activity> {
    stored::activity(&Cols(row))
}

pub fn digest_plan(row: &Row<'_>) -> StoreResult<DigestPlan> {
    stored::digest_plan(&Cols(row))
}

pub fn alert(row: &Row<'_>) -> StoreResult<Alert> {
    stored::alert(&Cols(row))
}

pub fn alert_prefs(row: &Row<'_>) -> StoreResult<AlertPrefs> {
    stored::alert_prefs(&Cols(row))
}

pub fn located(row: &Row<'_>) -> StoreResult<kohero_core::places::Located> {
    stored::located(&Cols(row))
}

pub fn change(
    row: &Row<'_>,
) -> StoreResult<(i64, InitiativeId, Option<kohero_core::places::Located>)> {
    stored::change(&Cols(row))
}

pub fn outgoing(row: &Row<'_>) -> StoreResult<Outgoing> {
    stored::outgoing(&Cols(row))
}

pub fn address(row: &Row<'_>) -> StoreResult<Address> {
    stored::address(&Cols(row))
}

pub fn identity(row: &Row<'_>) -> StoreResult<Identity> {
    stored::identity(&Cols(row))
}

pub fn actor_commune(row: &Row<'_>) -> StoreResult<(i64, InseeCode)> {
    stored::actor_commune(&Cols(row))
}

pub fn reachable(row: &Row<'_>) -> StoreResult<(ActorId, Lang, Identity)> {
    stored::reachable(&Cols(row))
}
