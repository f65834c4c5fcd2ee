//! Reading one page of the directory: the arms' ids, then the page's rows by primary key,
//! the next page's cursor and the per-user counts; and the same statements explained by the
//! database, for the tests that hold every shape to an index.

use super::plan::Plan;
use super::{DRIVER_LIMIT, PREFIX_SCAN_LIMIT};
use crate::services::error::ServiceResult;
use anyhow::Context;
use app::directory::{DirectoryPage, DirectoryQuery, DirectoryRow, PageCursor};
use sea_orm::sea_query::SelectStatement;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;

/// Up to `page_size` users of `tenant_id` matching `query` after its cursor, with the cursor of
/// the next page. Public so that tests and the command line can page through a tenant
/// without a session.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(name = "directory.search", skip_all, fields(tenant = %tenant_id, sort = query.sort.as_str()))]
pub async fn search<C: ConnectionTrait>(
    db: &C,
    tenant_id: &str,
    query: &DirectoryQuery,
    page_size: u64,
) -> ServiceResult<DirectoryPage> {
    search_tuned(db, tenant_id, query, page_size, DRIVER_LIMIT).await
}

/// [`search`] with another bound than [`DRIVER_LIMIT`] for starting from a rare filter: `0`
/// never does, a bound above the tenant's row counts always does. Both ways must give the same pages; tests use this to
/// check that on small tenants, where every filter value is rare. Keep it far below `i64::MAX`
/// (it is bound as a `LIMIT`).
///
/// # Errors
/// When the database fails.
pub async fn search_tuned<C: ConnectionTrait>(
    db: &C,
    tenant_id: &str,
    query: &DirectoryQuery,
    page_size: u64,
    driver_limit: u64,
) -> ServiceResult<DirectoryPage> {
    search_bounded(
        db,
        tenant_id,
        query,
        page_size,
        driver_limit,
        PREFIX_SCAN_LIMIT,
    )
    .await
}

/// [`search_tuned`] with another bound than [`PREFIX_SCAN_LIMIT`], so that tests can reach it
/// on a small tenant. Keep it at least 1 and far below `i64::MAX` (it is bound as a `LIMIT`).
///
/// # Errors
/// When the database fails.
pub async fn search_bounded<C: ConnectionTrait>(
    db: &C,
    tenant_id: &str,
    query: &DirectoryQuery,
    page_size: u64,
    driver_limit: u64,
    prefix_limit: u64,
) -> ServiceResult<DirectoryPage> {
    let page_size = page_size.clamp(1, 500);
    let mut plan = Plan {
        tenant: tenant_id,
        query,
        fetch: page_size + 1,
        driver_limit,
        prefix_limit: prefix_limit.max(1),
        device_users: Vec::new(),
    };
    plan.resolve_device_users(db).await?;
    let driver = plan.rare_driver(db).await?;
    let partial = driver.is_none() && plan.prefix_scan_capped(db).await?;
    let mut ids: Vec<String> = Vec::new();
    for arm in plan.arms(driver.as_ref()) {
        let statement = db.get_database_backend().build(&arm);
        for row in db
            .query_all(statement)
            .await
            .context("reading a directory arm")?
        {
            let id: String = row.try_get("", "id")?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    if ids.is_empty() {
        return Ok(DirectoryPage {
            rows: Vec::new(),
            next: None,
            partial,
        });
    }
    let statement = db.get_database_backend().build(&plan.page(&ids));
    let mut rows = Vec::new();
    let mut keys = Vec::new();
    for row in db
        .query_all(statement)
        .await
        .context("reading the directory page")?
    {
        keys.push(row.try_get::<String>("", "sort_key")?);
        rows.push(DirectoryRow {
            id: row.try_get("", "id")?,
            display_name: row.try_get("", "display_name")?,
            upn: row.try_get("", "upn")?,
            email: row.try_get("", "email")?,
            department: row.try_get("", "department")?,
            device_count: 0,
            open_requests: 0,
        });
    }
    let limit = usize::try_from(page_size).unwrap_or(usize::MAX);
    let next = if rows.len() > limit {
        rows.truncate(limit);
        match (rows.last(), limit.checked_sub(1).and_then(|i| keys.get(i))) {
            (Some(last), Some(key)) => {
                Some(PageCursor::new(query.sort, key.clone(), last.id.clone()).encode())
            }
            _ => None,
        }
    } else {
        None
    };
    let shown: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let devices = counts(db, plan.device_counts(&shown)).await?;
    let requests = counts(db, plan.request_counts(&shown)).await?;
    for row in &mut rows {
        row.device_count = devices.get(&row.id).copied().unwrap_or(0);
        row.open_requests = requests.get(&row.id).copied().unwrap_or(0);
    }
    Ok(DirectoryPage {
        rows,
        next,
        partial,
    })
}

/// The statements a page of `query` runs (`driver_limit` as in [`search_tuned`]), each with
/// the database's plan for it (`EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN` on PostgreSQL), for
/// tests and for checking a production-size database. The page and count statements are
/// planned for one made-up id. Bound values are not part of the text (they can be personal
/// data).
///
/// # Errors
/// When the database fails.
pub async fn query_plans<C: ConnectionTrait>(
    db: &C,
    tenant_id: &str,
    query: &DirectoryQuery,
    page_size: u64,
    driver_limit: u64,
) -> ServiceResult<Vec<(String, String)>> {
    let mut plan = Plan {
        tenant: tenant_id,
        query,
        fetch: page_size.clamp(1, 500) + 1,
        driver_limit,
        prefix_limit: PREFIX_SCAN_LIMIT,
        device_users: Vec::new(),
    };
    plan.resolve_device_users(db).await?;
    let driver = plan.rare_driver(db).await?;
    let probe = ["00000000-0000-0000-0000-000000000000".to_owned()];
    let mut statements: Vec<SelectStatement> = plan
        .wanted_drivers()
        .into_iter()
        .map(|d| plan.driver_size(d))
        .collect();
    if driver.is_none() {
        statements.extend(plan.capped_sources().iter().map(|s| plan.capped_size(s)));
    }
    statements.extend(plan.device_lookups());
    statements.extend(plan.arms(driver.as_ref()));
    statements.push(plan.page(&probe));
    statements.push(plan.device_counts(&probe));
    statements.push(plan.request_counts(&probe));
    let backend = db.get_database_backend();
    let (explain, column) = match backend {
        sea_orm::DatabaseBackend::Sqlite => ("EXPLAIN QUERY PLAN", "detail"),
        _ => ("EXPLAIN", "QUERY PLAN"),
    };
    let mut out = Vec::new();
    for statement in statements {
        let built = backend.build(&statement);
        let explained = sea_orm::Statement {
            sql: format!("{explain} {}", built.sql),
            ..built.clone()
        };
        let mut lines = Vec::new();
        for row in db
            .query_all(explained)
            .await
            .context("explaining a directory query")?
        {
            lines.push(row.try_get::<String>("", column)?);
        }
        out.push((built.sql, lines.join("\n")));
    }
    Ok(out)
}

/// Reads `(id, n)` pairs of a grouped count.
async fn counts<C: ConnectionTrait>(
    db: &C,
    statement: SelectStatement,
) -> ServiceResult<HashMap<String, u64>> {
    let statement = db.get_database_backend().build(&statement);
    let mut out = HashMap::new();
    for row in db.query_all(statement).await.context("counting per user")? {
        let id: String = row.try_get("", "id")?;
        let n: i64 = row.try_get("", "n")?;
        out.insert(id, u64::try_from(n).unwrap_or(0));
    }
    Ok(out)
}
