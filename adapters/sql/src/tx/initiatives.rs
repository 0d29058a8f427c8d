//! [`Initiatives`] on a SQL store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kohero_core::domain::*;
use kohero_core::places::Located;
use kohero_core::ports::{ChangeCursor, Initiatives, StoreResult};
use kohero_core::text::search_document;

use super::{SqlTx, limit_of, not_found};
use crate::exec::{Conn, Dialect, Value};
use crate::statements::initiatives as sql;
use crate::{lat_lon, ms};

#[async_trait]
impl<C: Conn> Initiatives for SqlTx<C> {
    async fn insert_initiative(&mut self, new: &NewInitiative) -> StoreResult<Initiative> {
        let (lat, lon) = lat_lon(new.place);
        let document = search_document(&new.title, &new.description);
        self.write_one(
            sql::INSERT_INITIATIVE,
            &values![
                &new.title,
                &new.description,
                new.category.key(),
                lat,
                lon,
                new.commune.as_ref().map(InseeCode::as_str),
                new.created_by.0,
                &document,
                ms(new.created_at),
                ms(new.created_at),
                new.carried_by.map(|a| a.0)
            ],
            |r| crate::initiative(r),
        )
        .await
    }

    async fn initiative(&mut self, id: InitiativeId) -> StoreResult<Option<Initiative>> {
        self.opt(sql::INITIATIVE, &values![id.0], |r| crate::initiative(r))
            .await
    }

    async fn initiatives_by_ids(&mut self, ids: &[InitiativeId]) -> StoreResult<Vec<Initiative>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.all(
            sql::INITIATIVES_BY_IDS,
            &[Value::Ints(ids.iter().map(|i| i.0).collect())],
            |r| crate::initiative(r),
        )
        .await
    }

    async fn update_initiative(&mut self, i: &Initiative) -> StoreResult<()> {
        let (lat, lon) = lat_lon(i.place);
        let document = search_document(&i.title, &i.description);
        let n = self
            .changes(
                sql::UPDATE_INITIATIVE,
                &values![
                    i.kind.key(),
                    &i.title,
                    &i.description,
                    i.category.key(),
                    lat,
                    lon,
                    i.commune.as_ref().map(InseeCode::as_str),
                    i.status.key(),
                    i.created_by.map(|a| a.0),
                    i.offered_to.map(|a| a.0),
                    &document,
                    ms(i.updated_at),
                    i.id.0
                ],
            )
            .await?;
        not_found("initiative", n)
    }

    async fn search_initiatives(
        &mut self,
        words: &[String],
        limit: usize,
    ) -> StoreResult<Vec<Initiative>> {
        if words.is_empty() {
            return Ok(Vec::new());
        }
        // Each word a prefix; words hold only letters and digits, quoted all
        // the same.
        let query = match Self::dialect() {
            Dialect::Sqlite => words
                .iter()
                .map(|w| format!("\"{}\"*", w.replace('"', "")))
                .collect::<Vec<_>>()
                .join(" AND "),
            Dialect::Postgres => words
                .iter()
                .map(|w| format!("'{}':*", w.replace(['\'', '\\'], "")))
                .collect::<Vec<_>>()
                .join(" & "),
        };
        self.all(
            sql::SEARCH_INITIATIVES,
            &values![query.as_str(), limit_of(limit)],
            |r| crate::initiative(r),
        )
        .await
    }

    async fn located_initiatives(&mut self) -> StoreResult<Vec<Located>> {
        self.all_heavy(sql::LOCATED_INITIATIVES, &[], |r| crate::located(r))
            .await
    }

    async fn initiative_changes_cursor(&mut self) -> StoreResult<ChangeCursor> {
        self.change_cursor(
            sql::INITIATIVE_CHANGES_CURSOR,
            sql::INITIATIVE_CHANGES_ABOVE,
        )
        .await
    }

    async fn initiative_changes(
        &mut self,
        cursor: &ChangeCursor,
        limit: usize,
    ) -> StoreResult<(ChangeCursor, Vec<(InitiativeId, Option<Located>)>)> {
        self.change_page(
            sql::INITIATIVE_CHANGES,
            sql::INITIATIVE_CHANGES_BY_TRANSACTION,
            cursor,
            limit,
            |r| crate::change(r),
        )
        .await
    }

    async fn initiatives_created_by(&mut self, actor: ActorId) -> StoreResult<Vec<Initiative>> {
        self.all(sql::INITIATIVES_CREATED_BY, &values![actor.0], |r| {
            crate::initiative(r)
        })
        .await
    }

    async fn initiative_summaries(
        &mut self,
        ids: &[InitiativeId],
    ) -> StoreResult<Vec<InitiativeSummary>> {
        self.all_heavy(
            sql::INITIATIVE_SUMMARIES,
            &[Value::Ints(ids.iter().map(|i| i.0).collect())],
            |r| crate::initiative_summary(r),
        )
        .await
    }

    async fn initiative_summaries_in(
        &mut self,
        commune: &InseeCode,
        limit: usize,
    ) -> StoreResult<Vec<InitiativeSummary>> {
        self.all_heavy(
            sql::INITIATIVE_SUMMARIES_IN,
            &values![commune.as_str(), limit_of(limit)],
            |r| crate::initiative_summary(r),
        )
        .await
    }

    async fn commune_overview(
        &mut self,
        commune: &InseeCode,
        per_status: usize,
    ) -> StoreResult<CommuneOverview> {
        let rows = self
            .all_heavy(sql::COMMUNE_COUNTS, &values![commune.as_str()], |r| {
                crate::status_count(r)
            })
            .await?;
        let latest = if per_status == 0 {
            Vec::new()
        } else {
            self.all(
                sql::COMMUNE_LATEST,
                &values![commune.as_str(), limit_of(per_status)],
                |r| crate::initiative_summary(r),
            )
            .await?
        };
        Ok(CommuneOverview {
            changed_at: rows.iter().filter_map(|(_, _, at)| *at).max(),
            counts: rows.into_iter().map(|(s, n, _)| (s, n)).collect(),
            latest,
        })
    }

    async fn initiatives_in_communes(
        &mut self,
        communes: &[InseeCode],
    ) -> StoreResult<Vec<Initiative>> {
        self.all_heavy(
            sql::INITIATIVES_IN_COMMUNES,
            &[Value::Texts(
                communes.iter().map(InseeCode::as_str).collect(),
            )],
            |r| crate::initiative(r),
        )
        .await
    }

    async fn insert_activity(&mut self, new: &NewActivity) -> StoreResult<Activity> {
        self.write_one(
            sql::INSERT_ACTIVITY,
            &values![new.initiative.0, new.kind.key(), new.ref_id, ms(new.at)],
            |r| crate::activity(r),
        )
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
        self.all(
            sql::ACTIVITY_OF,
            &[
                Value::Ints(initiatives.iter().map(|i| i.0).collect()),
                limit_of(limit).into(),
                limit_of(offset).into(),
            ],
            |r| crate::activity(r),
        )
        .await
    }

    async fn activity_in(
        &mut self,
        commune: &InseeCode,
        limit: usize,
    ) -> StoreResult<Vec<Activity>> {
        self.all_heavy(
            sql::ACTIVITY_IN,
            &values![commune.as_str(), limit_of(limit)],
            |r| crate::activity(r),
        )
        .await
    }

    async fn activity_since(
        &mut self,
        initiatives: &[InitiativeId],
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<Activity>> {
        self.all_heavy(
            sql::ACTIVITY_SINCE,
            &[
                Value::Ints(initiatives.iter().map(|i| i.0).collect()),
                ms(since).into(),
            ],
            |r| crate::activity(r),
        )
        .await
    }
}
