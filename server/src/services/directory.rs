//! The user directory behind the admin's search page: search, filters, sort and keyset
//! pagination over a tenant's directory users, built to stay fast at a million users.
//!
//! # How a page is read
//!
//! A page is assembled from *arms*: queries that each start from one index and return at most
//! a page and one ids after the cursor, in the page's sort order (`ORDER BY key, id LIMIT
//! n+1`). One last query reads the arms' ids by primary key, orders them again and keeps n+1
//! (the extra row says whether there is a next page; the n-th becomes the cursor). The first
//! n+1 rows of a union are always among the first n+1 of its parts, so the page is exact, and
//! all ordering happens in the database, under its collation, never in Rust.
//!
//! Which arms a page uses:
//! - No search and no rare filter: one arm that walks the sort index (`search_name`, or
//!   `lower(upn)`) from the cursor, filters checked per user by one index lookup each; it
//!   stops after n+1 users.
//! - A search: one arm per way the text can match, each on its own index: name prefix
//!   (`ix_users_tenant_search`), UPN and email prefix (`lower(…)` expression indexes), the
//!   user's phone, a device's serial number, IMEI or phone number. The prefix arm of the sort
//!   column walks its index in order and stops after n+1; the other arms read all their matches
//!   (a handful for an identifier; for a one-letter UPN or email prefix, a good part of the
//!   tenant, read from the index alone; see the README).
//! - A filter value that few rows carry (fewer than [`DRIVER_LIMIT`], counted with a capped
//!   index range first): one arm that starts from that filter's index (pending requests,
//!   devices of a platform or an ownership, disclosures to a recipient), the search and the
//!   other filters checked per user. A rare value thus never becomes a walk over the whole
//!   tenant in search of the few users that have it.
//!
//! SQLite plans without statistics, by fixed rules that prefer a covering index or an index
//! that spares a sort even when it only narrows to the tenant. So every condition that is not
//! the arm's chosen start is written so that no index can serve it (`x || ''`, same value and
//! order): the tenant check of an arm that starts from a subquery, the cursor of an arm whose
//! index is not the sort index, the status of a request. `EXPLAIN QUERY PLAN` of every shape is
//! checked by the tests in `server/tests/server/directory.rs`; PostgreSQL plans by its
//! statistics and is checked there to have an index for every statement.

use crate::entities::{
    correction_request, data_flow, device, directory_user, disclosure, recipient,
};
use anyhow::Context;
use app::auth::Principal;
use app::directory::{
    DirectoryPage, DirectoryPort, DirectoryQuery, DirectoryRow, DirectorySort, PageCursor,
    RecipientOption,
};
use app::domain::enums::{Ownership, Platform};
use app::error::AppError;
use app::services::BoxFuture;
use sea_orm::sea_query::{
    Alias, BinOper, Cond, Expr, Func, Order, Query, SelectStatement, SimpleExpr,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use std::collections::HashMap;

/// A filter value carried by fewer rows than this is read from its own index (see the module
/// documentation). The bound trades the cost of reading the rare rows (at most this many) against
/// the rows the sort-order walk skips when a value is common (about page size × users / this).
pub const DRIVER_LIMIT: u64 = 2000;

/// A search prefix's UPN or email arm (when the page is not sorted by that column) considers at
/// most this many users, the first in that column's order: such an arm cannot stop after a page
/// (its index does not hand out rows in the page's order), so without a bound a one-letter
/// prefix read a tenth of a million-user tenant. Every name match is still listed (the sort
/// index serves them in order); the page says when the bound was reached (`partial`), and a
/// longer text narrows the range below it.
pub const PREFIX_SCAN_LIMIT: u64 = 1000;

/// The status of a correction request still waiting for a decision, as the raw queries
/// compare it.
const PENDING: &str = crate::entities::correction_request::RequestStatus::Pending.as_str();

pub struct DirectoryService {
    pub db: DatabaseConnection,
}

impl DirectoryPort for DirectoryService {
    fn search<'a>(
        &'a self,
        principal: &'a Principal,
        query: &'a DirectoryQuery,
        page_size: u64,
    ) -> BoxFuture<'a, Result<DirectoryPage, AppError>> {
        Box::pin(async move {
            search(&self.db, &principal.tenant_id, query, page_size)
                .await
                .map_err(|e| crate::error::internal(&e))
        })
    }

    fn recipients<'a>(
        &'a self,
        _principal: &'a Principal,
    ) -> BoxFuture<'a, Result<Vec<RecipientOption>, AppError>> {
        Box::pin(async move {
            recipients(&self.db)
                .await
                .map_err(|e| crate::error::internal(&e))
        })
    }
}

/// The recipients any data flow of the partner catalogue goes to (the catalogue is the same
/// for every tenant), by name.
///
/// # Errors
/// When the database fails.
pub async fn recipients<C: ConnectionTrait>(db: &C) -> anyhow::Result<Vec<RecipientOption>> {
    let flows = Query::select()
        .column(data_flow::Column::RecipientId)
        .from(data_flow::Entity)
        .to_owned();
    Ok(recipient::Entity::find()
        .filter(recipient::Column::Id.in_subquery(flows))
        .order_by_asc(recipient::Column::Name)
        .all(db)
        .await
        .context("listing recipients")?
        .into_iter()
        .map(|r| RecipientOption {
            id: r.id,
            name: r.name,
        })
        .collect())
}

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
) -> anyhow::Result<DirectoryPage> {
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
) -> anyhow::Result<DirectoryPage> {
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
) -> anyhow::Result<DirectoryPage> {
    let page_size = page_size.clamp(1, 500);
    let plan = Plan {
        tenant: tenant_id,
        query,
        fetch: page_size + 1,
        driver_limit,
        prefix_limit: prefix_limit.max(1),
    };
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
) -> anyhow::Result<Vec<(String, String)>> {
    let plan = Plan {
        tenant: tenant_id,
        query,
        fetch: page_size.clamp(1, 500) + 1,
        driver_limit,
        prefix_limit: PREFIX_SCAN_LIMIT,
    };
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
) -> anyhow::Result<HashMap<String, u64>> {
    let statement = db.get_database_backend().build(&statement);
    let mut out = HashMap::new();
    for row in db.query_all(statement).await.context("counting per user")? {
        let id: String = row.try_get("", "id")?;
        let n: i64 = row.try_get("", "n")?;
        out.insert(id, u64::try_from(n).unwrap_or(0));
    }
    Ok(out)
}

/// A filter whose few rows an arm can start from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Driver {
    Pending,
    Platform,
    Ownership,
    Recipient,
}

/// The index an arm starts from.
enum Source {
    /// Every user of the tenant, in sort order.
    All,
    /// Users whose lower-cased display name, UPN or email address lies in `[from, to)`.
    NamePrefix(Prefix),
    UpnPrefix(Prefix),
    EmailPrefix(Prefix),
    /// Users whose own phone number is this one.
    UserPhone(String),
    /// Users who are the primary user of a device with this value in this column.
    DeviceValue(device::Column, String),
    /// Users found through a rare filter value.
    Driver(Driver),
}

/// Whether a source is a prefix range on some column.
fn is_prefix(source: &Source) -> bool {
    matches!(
        source,
        Source::NamePrefix(_) | Source::UpnPrefix(_) | Source::EmailPrefix(_)
    )
}

/// A prefix as an index range: every string that starts with `from` sorts in `[from, to)`.
struct Prefix {
    from: String,
    /// `None` when no string sorts after every string with the prefix.
    to: Option<String>,
}

impl Prefix {
    fn new(prefix: &str) -> Self {
        Prefix {
            from: prefix.to_owned(),
            to: successor(prefix),
        }
    }
}

/// The smallest string greater than every string that starts with `prefix`: its last character
/// incremented (dropped and carried when it is the largest). Code point order is byte order in
/// UTF-8, the order of SQLite's `BINARY` and PostgreSQL's `C` collations.
pub fn successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut code = u32::from(last) + 1;
        // Surrogates are not characters; the next one after U+D7FF is U+E000.
        if (0xD800..=0xDFFF).contains(&code) {
            code = 0xE000;
        }
        if let Some(next) = char::from_u32(code) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

struct Plan<'q> {
    tenant: &'q str,
    query: &'q DirectoryQuery,
    /// Rows per arm: a page and one.
    fetch: u64,
    /// See [`DRIVER_LIMIT`].
    driver_limit: u64,
    /// See [`PREFIX_SCAN_LIMIT`].
    prefix_limit: u64,
}

fn u() -> Alias {
    Alias::new("u")
}

fn ucol(column: directory_user::Column) -> Expr {
    Expr::col((u(), column))
}

/// `expr || ''`: the same value and order, but no index can serve a condition on it, so the
/// planner starts from the index we mean it to.
fn opaque(expr: SimpleExpr) -> SimpleExpr {
    Expr::expr(expr).binary(BinOper::Custom("||"), Expr::cust("''"))
}

impl Plan<'_> {
    /// The sort key as stored in the sort index.
    fn key(&self) -> SimpleExpr {
        match self.query.sort {
            DirectorySort::Name => ucol(directory_user::Column::SearchName).into(),
            DirectorySort::Upn => Func::lower(ucol(directory_user::Column::Upn)).into(),
        }
    }

    fn tenant_is(&self, column: impl sea_orm::sea_query::IntoColumnRef) -> SimpleExpr {
        Expr::col(column).eq(self.tenant)
    }

    /// The rarest filter to start from, if one has fewer than `driver_limit` rows.
    async fn rare_driver<C: ConnectionTrait>(&self, db: &C) -> anyhow::Result<Option<Driver>> {
        if self.driver_limit == 0 {
            return Ok(None);
        }
        let mut best: Option<(u64, Driver)> = None;
        for driver in self.wanted_drivers() {
            let statement = db.get_database_backend().build(&self.driver_size(driver));
            let n: i64 = match db.query_one(statement).await.context("sizing a filter")? {
                Some(row) => row.try_get("", "n")?,
                None => 0,
            };
            let n = u64::try_from(n).unwrap_or(0);
            if n < self.driver_limit && best.is_none_or(|(m, _)| n < m) {
                best = Some((n, driver));
            }
        }
        Ok(best.map(|(_, driver)| driver))
    }

    /// The search's prefix sources whose index does not follow the page's order, each read
    /// only up to [`PREFIX_SCAN_LIMIT`] users.
    fn capped_sources(&self) -> Vec<Source> {
        self.search_sources()
            .unwrap_or_default()
            .into_iter()
            .filter(|source| is_prefix(source) && !self.aligned(source))
            .collect()
    }

    /// Whether a capped prefix source has more users than it reads.
    async fn prefix_scan_capped<C: ConnectionTrait>(&self, db: &C) -> anyhow::Result<bool> {
        for source in self.capped_sources() {
            let statement = db.get_database_backend().build(&self.capped_size(&source));
            let n: i64 = match db.query_one(statement).await.context("sizing a prefix")? {
                Some(row) => row.try_get("", "n")?,
                None => 0,
            };
            if u64::try_from(n).unwrap_or(0) > self.prefix_limit {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// How many users a capped prefix source matches, counted up to one past the cap, from
    /// its index alone.
    fn capped_size(&self, source: &Source) -> SelectStatement {
        let capped = Query::select()
            .expr(Expr::val(1))
            .from_as(directory_user::Entity, u())
            .and_where(self.tenant_is((u(), directory_user::Column::TenantId)))
            .cond_where(self.source_condition(source, true))
            .limit(self.prefix_limit + 1)
            .to_owned();
        Query::select()
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .from_subquery(capped, Alias::new("capped"))
            .to_owned()
    }

    /// The first [`PREFIX_SCAN_LIMIT`] users of a capped prefix source in its column's order,
    /// with the columns an arm's conditions read, as the table the arm starts from.
    fn capped_rows(&self, source: &Source) -> SelectStatement {
        let order: SimpleExpr = match source {
            Source::NamePrefix(_) => ucol(directory_user::Column::SearchName).into(),
            Source::EmailPrefix(_) => Func::lower(ucol(directory_user::Column::Email)).into(),
            _ => Func::lower(ucol(directory_user::Column::Upn)).into(),
        };
        Query::select()
            .columns([
                (u(), directory_user::Column::Id),
                (u(), directory_user::Column::TenantId),
                (u(), directory_user::Column::SearchName),
                (u(), directory_user::Column::Upn),
                (u(), directory_user::Column::Email),
            ])
            .from_as(directory_user::Entity, u())
            .and_where(self.tenant_is((u(), directory_user::Column::TenantId)))
            .cond_where(self.source_condition(source, true))
            .order_by_expr(order, Order::Asc)
            .limit(self.prefix_limit)
            .to_owned()
    }

    /// How many rows carry a filter value, counted up to `driver_limit` only.
    fn driver_size(&self, driver: Driver) -> SelectStatement {
        let capped = self.driver_rows(driver).limit(self.driver_limit).to_owned();
        Query::select()
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .from_subquery(capped, Alias::new("capped"))
            .to_owned()
    }

    /// The filters an arm could start from.
    fn wanted_drivers(&self) -> Vec<Driver> {
        let mut out = Vec::new();
        if self.query.open_requests {
            out.push(Driver::Pending);
        }
        if self.query.platform.is_some() {
            out.push(Driver::Platform);
        }
        if self.query.ownership.is_some() {
            out.push(Driver::Ownership);
        }
        if self.query.recipient.is_some() {
            out.push(Driver::Recipient);
        }
        out
    }

    /// The ids of the users a driver's rows belong to, read from the driver's own index.
    fn driver_rows(&self, driver: Driver) -> SelectStatement {
        match driver {
            Driver::Pending => Query::select()
                .expr_as(
                    Expr::col(correction_request::Column::SubjectUserId),
                    Alias::new("user_id"),
                )
                .from(correction_request::Entity)
                .and_where(self.tenant_is(correction_request::Column::TenantId))
                .and_where(Expr::col(correction_request::Column::Status).eq(PENDING))
                .to_owned(),
            // One column each, so that each reads one index range; a platform and ownership
            // together start from the rarer and check the other per user.
            Driver::Platform | Driver::Ownership => {
                let (column, value) = if driver == Driver::Platform {
                    (
                        device::Column::Platform,
                        self.query.platform.map(Platform::as_str),
                    )
                } else {
                    (
                        device::Column::Ownership,
                        self.query.ownership.map(Ownership::as_str),
                    )
                };
                Query::select()
                    .expr_as(
                        Expr::col(device::Column::PrimaryUserId),
                        Alias::new("user_id"),
                    )
                    .from(device::Entity)
                    .and_where(self.tenant_is(device::Column::TenantId))
                    .and_where(Expr::col(column).eq(value.unwrap_or_default()))
                    .to_owned()
            }
            Driver::Recipient => Query::select()
                .expr_as(
                    Expr::col(disclosure::Column::SubjectUserId),
                    Alias::new("user_id"),
                )
                .from(disclosure::Entity)
                .and_where(self.tenant_is(disclosure::Column::TenantId))
                .and_where(
                    Expr::col(disclosure::Column::RecipientId).eq(self
                        .query
                        .recipient
                        .as_ref()
                        .map_or("", |r| r.as_str())),
                )
                .to_owned(),
        }
    }

    /// The filters checked per row, except what the arm's start already ensures. Each is one
    /// probe of an index that holds the tenant, the filter value and the user.
    fn filters(&self, driver: Option<Driver>) -> Vec<SimpleExpr> {
        let mut out = Vec::new();
        if self.query.open_requests && driver != Some(Driver::Pending) {
            out.push(Expr::exists(
                Query::select()
                    .expr(Expr::val(1))
                    .from(correction_request::Entity)
                    .and_where(self.tenant_is(correction_request::Column::TenantId))
                    .and_where(
                        Expr::col(correction_request::Column::SubjectUserId)
                            .equals((u(), directory_user::Column::Id)),
                    )
                    // Opaque: the status index would read every pending request per user.
                    .and_where(
                        Expr::expr(opaque(Expr::col(correction_request::Column::Status).into()))
                            .eq(PENDING),
                    )
                    .to_owned(),
            ));
        }
        let devices_ensured = match driver {
            Some(Driver::Platform) => self.query.ownership.is_none(),
            Some(Driver::Ownership) => self.query.platform.is_none(),
            _ => false,
        };
        if (self.query.platform.is_some() || self.query.ownership.is_some()) && !devices_ensured {
            // Both on the same device: "a personal iOS device", not "an iOS device and a
            // personal one".
            let mut probe = Query::select();
            probe
                .expr(Expr::val(1))
                .from(device::Entity)
                .and_where(self.tenant_is(device::Column::TenantId))
                .and_where(
                    Expr::col(device::Column::PrimaryUserId)
                        .equals((u(), directory_user::Column::Id)),
                );
            if let Some(platform) = self.query.platform {
                probe.and_where(Expr::col(device::Column::Platform).eq(platform.as_str()));
            }
            if let Some(ownership) = self.query.ownership {
                probe.and_where(Expr::col(device::Column::Ownership).eq(ownership.as_str()));
            }
            out.push(Expr::exists(probe.to_owned()));
        }
        if let Some(recipient) = &self.query.recipient {
            if driver != Some(Driver::Recipient) {
                out.push(Expr::exists(
                    Query::select()
                        .expr(Expr::val(1))
                        .from(disclosure::Entity)
                        .and_where(self.tenant_is(disclosure::Column::TenantId))
                        .and_where(
                            Expr::col(disclosure::Column::SubjectUserId)
                                .equals((u(), directory_user::Column::Id)),
                        )
                        .and_where(
                            Expr::col(disclosure::Column::RecipientId).eq(recipient.as_str()),
                        )
                        .to_owned(),
                ));
            }
        }
        out
    }

    /// The arms of this page.
    fn arms(&self, driver: Option<&Driver>) -> Vec<SelectStatement> {
        if let Some(&driver) = driver {
            let mut arm = self.arm(&Source::Driver(driver), Some(driver));
            if let Some(matches) = self.search_condition() {
                arm.cond_where(matches);
            }
            return vec![arm];
        }
        self.search_sources()
            .unwrap_or_else(|| vec![Source::All])
            .iter()
            .map(|source| self.arm(source, None))
            .collect()
    }

    /// One source per way the search text can match; `None` without a search.
    fn search_sources(&self) -> Option<Vec<Source>> {
        let search = self.query.search.as_ref()?;
        let prefix = search.prefix();
        let mut sources = vec![Source::NamePrefix(Prefix::new(prefix))];
        // UPNs and email addresses are ASCII: other text cannot begin one.
        if prefix.is_ascii() {
            sources.push(Source::UpnPrefix(Prefix::new(prefix)));
            sources.push(Source::EmailPrefix(Prefix::new(prefix)));
        }
        if let Some(phone) = search.phone() {
            sources.push(Source::UserPhone(phone.as_str().to_owned()));
            sources.push(Source::DeviceValue(
                device::Column::PhoneNumber,
                phone.as_str().to_owned(),
            ));
        }
        if let Some(imei) = search.imei() {
            sources.push(Source::DeviceValue(
                device::Column::Imei,
                imei.as_str().to_owned(),
            ));
        }
        if let Some(serial) = search.serial() {
            sources.push(Source::DeviceValue(
                device::Column::SerialNumber,
                serial.as_str().to_owned(),
            ));
        }
        Some(sources)
    }

    /// The search as one per-row condition, for an arm that starts from a rare filter.
    fn search_condition(&self) -> Option<Cond> {
        let sources = self.search_sources()?;
        let mut any = Cond::any();
        for source in &sources {
            any = any.add(self.source_condition(source, false));
        }
        Some(any)
    }

    /// The condition that selects a source's users; `indexed` writes it so that its index can
    /// serve it (only the condition an arm starts from should be).
    fn source_condition(&self, source: &Source, indexed: bool) -> Cond {
        let shape = |e: SimpleExpr| if indexed { e } else { opaque(e) };
        let range = |column: SimpleExpr, prefix: &Prefix| {
            let mut cond =
                Cond::all().add(Expr::expr(shape(column.clone())).gte(prefix.from.clone()));
            if let Some(to) = &prefix.to {
                cond = cond.add(Expr::expr(shape(column)).lt(to.clone()));
            }
            cond
        };
        match source {
            Source::All => Cond::all(),
            Source::NamePrefix(p) => range(ucol(directory_user::Column::SearchName).into(), p),
            Source::UpnPrefix(p) => range(Func::lower(ucol(directory_user::Column::Upn)).into(), p),
            Source::EmailPrefix(p) => {
                range(Func::lower(ucol(directory_user::Column::Email)).into(), p)
            }
            Source::UserPhone(phone) => {
                Cond::all().add(ucol(directory_user::Column::Phone).eq(phone.clone()))
            }
            Source::DeviceValue(column, value) => {
                let devices = Query::select()
                    .column(device::Column::PrimaryUserId)
                    .from(device::Entity)
                    .and_where(self.tenant_is(device::Column::TenantId))
                    .and_where(Expr::col(*column).eq(value.clone()))
                    .to_owned();
                Cond::all().add(ucol(directory_user::Column::Id).in_subquery(devices))
            }
            Source::Driver(driver) => {
                let rows = self.driver_rows(*driver);
                Cond::all().add(ucol(directory_user::Column::Id).in_subquery(rows))
            }
        }
    }

    /// The search's prefix source that follows the sort index, if any.
    fn aligned_prefix(&self) -> Option<Source> {
        let prefix = Prefix::new(self.query.search.as_ref()?.prefix());
        Some(match self.query.sort {
            DirectorySort::Name => Source::NamePrefix(prefix),
            DirectorySort::Upn if prefix.from.is_ascii() => Source::UpnPrefix(prefix),
            DirectorySort::Upn => return None,
        })
    }

    /// Whether a source's index hands out rows in the page's sort order.
    fn aligned(&self, source: &Source) -> bool {
        matches!(
            (source, self.query.sort),
            (Source::All, _)
                | (Source::NamePrefix(_), DirectorySort::Name)
                | (Source::UpnPrefix(_), DirectorySort::Upn)
        )
    }

    /// One arm: the ids of up to `fetch` users of `source` after the cursor, in sort order.
    ///
    /// Exactly one range serves as the index bound: an aligned arm starts at the cursor (so a
    /// deep page starts where the previous one ended, not at the start of the prefix) unless
    /// the cursor lies before the prefix; every other condition is written opaque. Both
    /// conditions are always there, so the choice only decides speed, never the rows.
    fn arm(&self, source: &Source, driver: Option<Driver>) -> SelectStatement {
        let aligned = self.aligned(source);
        // Outside a rare filter's arm, a prefix arm out of the page's order starts from its
        // capped rows (see `PREFIX_SCAN_LIMIT`).
        let capped = driver.is_none() && is_prefix(source) && !aligned;
        let starts_from_subquery =
            capped || matches!(source, Source::DeviceValue(..) | Source::Driver(_));
        let tenant: SimpleExpr = ucol(directory_user::Column::TenantId).into();
        let tenant = if starts_from_subquery {
            opaque(tenant)
        } else {
            tenant
        };
        let mut arm = Query::select();
        arm.column((u(), directory_user::Column::Id));
        if capped {
            arm.from_subquery(self.capped_rows(source), u());
        } else {
            arm.from_as(directory_user::Entity, u());
        }
        arm.and_where(Expr::expr(tenant).eq(self.tenant));
        let cursor = self.query.after.as_ref();
        let mut cursor_is_bound = aligned;
        match source {
            Source::NamePrefix(p) | Source::UpnPrefix(p) if aligned => {
                let column = self.key();
                cursor_is_bound = cursor.is_some_and(|c| c.key() >= p.from.as_str());
                let from = if cursor_is_bound {
                    opaque(column.clone())
                } else {
                    column.clone()
                };
                arm.and_where(Expr::expr(from).gte(p.from.clone()));
                if let Some(to) = &p.to {
                    arm.and_where(Expr::expr(column).lt(to.clone()));
                }
            }
            _ => {
                if !capped {
                    arm.cond_where(self.source_condition(source, true));
                }
                // Rows of the prefix arm that follows the sort index come from that arm; left
                // out here, they need not be sorted twice.
                if let Some(aligned) = self.aligned_prefix().filter(|_| is_prefix(source)) {
                    arm.cond_where(self.source_condition(&aligned, false).not());
                }
            }
        }
        if let Some(cursor) = cursor {
            let key = if cursor_is_bound {
                self.key()
            } else {
                opaque(self.key())
            };
            arm.and_where(
                Expr::tuple([key, ucol(directory_user::Column::Id).into()]).gt(Expr::tuple([
                    Expr::val(cursor.key()).into(),
                    Expr::val(cursor.id()).into(),
                ])),
            );
        }
        for filter in self.filters(driver) {
            arm.and_where(filter);
        }
        let order = if aligned {
            self.key()
        } else {
            opaque(self.key())
        };
        arm.order_by_expr(order, Order::Asc)
            .order_by((u(), directory_user::Column::Id), Order::Asc)
            .limit(self.fetch)
            .to_owned()
    }

    /// The page: the arms' users, ordered, with what a row shows and its sort key. Starts from
    /// the ids (primary key), hence the opaque tenant check and order.
    fn page(&self, ids: &[String]) -> SelectStatement {
        Query::select()
            .columns([
                (u(), directory_user::Column::Id),
                (u(), directory_user::Column::DisplayName),
                (u(), directory_user::Column::Upn),
                (u(), directory_user::Column::Email),
                (u(), directory_user::Column::Department),
            ])
            .expr_as(self.key(), Alias::new("sort_key"))
            .from_as(directory_user::Entity, u())
            .and_where(
                Expr::expr(opaque(ucol(directory_user::Column::TenantId).into())).eq(self.tenant),
            )
            .and_where(ucol(directory_user::Column::Id).is_in(ids.iter().cloned()))
            .order_by_expr(opaque(self.key()), Order::Asc)
            .order_by((u(), directory_user::Column::Id), Order::Asc)
            .limit(self.fetch)
            .to_owned()
    }

    /// Devices per shown user.
    fn device_counts(&self, ids: &[String]) -> SelectStatement {
        Query::select()
            .expr_as(Expr::col(device::Column::PrimaryUserId), Alias::new("id"))
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .from(device::Entity)
            .and_where(self.tenant_is(device::Column::TenantId))
            .and_where(Expr::col(device::Column::PrimaryUserId).is_in(ids.iter().cloned()))
            .group_by_col(device::Column::PrimaryUserId)
            .to_owned()
    }

    /// Open correction requests per shown user.
    fn request_counts(&self, ids: &[String]) -> SelectStatement {
        Query::select()
            .expr_as(
                Expr::col(correction_request::Column::SubjectUserId),
                Alias::new("id"),
            )
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .from(correction_request::Entity)
            .and_where(self.tenant_is(correction_request::Column::TenantId))
            .and_where(
                Expr::col(correction_request::Column::SubjectUserId).is_in(ids.iter().cloned()),
            )
            .and_where(
                Expr::expr(opaque(Expr::col(correction_request::Column::Status).into()))
                    .eq(PENDING),
            )
            .group_by_col(correction_request::Column::SubjectUserId)
            .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::successor;

    #[test]
    fn the_successor_of_a_prefix_bounds_every_string_that_starts_with_it() {
        assert_eq!(successor("ade").as_deref(), Some("adf"));
        assert_eq!(successor("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(successor("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(successor("\u{10FFFF}"), None);
        assert_eq!(successor(""), None);
        let bound = successor("zoë").unwrap();
        for s in ["zoë", "zoë anders", "zoë\u{10FFFF}"] {
            assert!(s >= "zoë" && s < bound.as_str(), "{s}");
        }
        assert!("zoëa" < bound.as_str() && "zoí" >= bound.as_str());
    }
}
