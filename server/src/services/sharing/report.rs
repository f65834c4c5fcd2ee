//! The disclosure report: disclosures per recipient and day over a bounded range of days,
//! optionally of one feature.

use crate::clock::DAY_MS;
use crate::entities::{disclosure, recipient};
use crate::services::error::ServiceError;
use anyhow::Context;
use app::auth::Principal;
use app::i18n::Key;
use app::sharing::{Report, ReportFilter, ReportSeries, REPORT_MAX_DAYS};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::{BTreeMap, HashMap};

/// The report's day range: `[from, to]` as UTC day starts.
pub fn report_range(filter: &ReportFilter, now: i64) -> Result<(i64, i64), ServiceError> {
    let bad = |field: &str, key: Key| ServiceError::invalid(field, key);
    let today = now.div_euclid(DAY_MS) * DAY_MS;
    let to = if filter.to.trim().is_empty() {
        today
    } else {
        app::time::parse_day(&filter.to).ok_or_else(|| bad("to", Key::ReportDateInvalid))?
    };
    let from = if filter.from.trim().is_empty() {
        to - 29 * DAY_MS
    } else {
        app::time::parse_day(&filter.from).ok_or_else(|| bad("from", Key::ReportDateInvalid))?
    };
    if from > to || (to - from) / DAY_MS >= REPORT_MAX_DAYS {
        return Err(bad("from", Key::ReportRangeInvalid));
    }
    Ok((from, to))
}

/// Disclosures per recipient and day in the range, optionally of one feature.
///
/// # Errors
/// 422 for bad dates or range; 500 when the database fails.
pub(crate) async fn build_report<C: ConnectionTrait>(
    db: &C,
    principal: &Principal,
    filter: &ReportFilter,
    now: i64,
) -> Result<Report, ServiceError> {
    let (from, to) = report_range(filter, now)?;
    // A literal, not a bound parameter: PostgreSQL only matches the SELECT and GROUP BY
    // expressions when they are the same text.
    let day_expr = Expr::cust(format!("disclosed_at / {DAY_MS}"));
    let mut query = disclosure::Entity::find()
        .select_only()
        .column(disclosure::Column::RecipientId)
        .column_as(day_expr.clone(), "day")
        .column_as(disclosure::Column::Id.count(), "n")
        .filter(disclosure::Column::TenantId.eq(principal.tenant_id.clone()))
        .filter(disclosure::Column::DisclosedAt.gte(from))
        .filter(disclosure::Column::DisclosedAt.lt(to + DAY_MS));
    let feature = filter.feature.trim();
    if !feature.is_empty() {
        query = query.filter(disclosure::Column::FeatureId.eq(feature));
    }
    let rows: Vec<(String, i64, i64)> = query
        .group_by(disclosure::Column::RecipientId)
        .group_by(day_expr)
        .into_tuple()
        .all(db)
        .await
        .context("counting disclosures per day")?;
    let names: HashMap<String, String> = recipient::Entity::find()
        .all(db)
        .await
        .context("reading recipients")?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let first_day = from / DAY_MS;
    let days: Vec<i64> = (first_day..=to / DAY_MS).map(|d| d * DAY_MS).collect();
    let mut series: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut total = 0;
    for (recipient_id, day, n) in rows {
        let counts = series
            .entry(recipient_id)
            .or_insert_with(|| vec![0; days.len()]);
        let n = u64::try_from(n).unwrap_or(0);
        if let Some(slot) = usize::try_from(day - first_day)
            .ok()
            .and_then(|i| counts.get_mut(i))
        {
            *slot += n;
            total += n;
        }
    }
    let mut series: Vec<ReportSeries> = series
        .into_iter()
        .map(|(recipient_id, counts)| ReportSeries {
            recipient_name: names
                .get(&recipient_id)
                .cloned()
                .unwrap_or_else(|| recipient_id.clone()),
            total: counts.iter().sum(),
            recipient_id,
            counts,
        })
        .collect();
    series.sort_by(|a, b| {
        b.total
            .cmp(&a.total)
            .then(a.recipient_name.cmp(&b.recipient_name))
    });
    Ok(Report {
        days,
        series,
        total,
    })
}
