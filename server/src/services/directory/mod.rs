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
//!
//! The modules: `page` reads a page (and explains its statements), `plan` builds the arms
//! and the page's statements, `sources` says where an arm can start for a search, `filters`
//! checks the filters and starts from a rare one; `recipients` lists the options of the
//! "data shared with" filter.

mod filters;
mod page;
mod plan;
mod recipients;
mod sources;

pub use page::{query_plans, search, search_bounded, search_tuned};
pub use recipients::recipients;
pub use sources::successor;

use crate::services::error::finish;
use app::auth::Principal;
use app::directory::{DirectoryPage, DirectoryPort, DirectoryQuery, RecipientOption};
use app::error::AppError;
use app::services::BoxFuture;
use sea_orm::DatabaseConnection;

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
    pub clock: crate::clock::Clock,
}

impl DirectoryPort for DirectoryService {
    fn search<'a>(
        &'a self,
        principal: &'a Principal,
        query: &'a DirectoryQuery,
        page_size: u64,
    ) -> BoxFuture<'a, Result<DirectoryPage, AppError>> {
        Box::pin(async move {
            let page = search(&self.db, &principal.tenant_id, query, page_size).await;
            finish(match page {
                Ok(page) => self.record_listed(principal, page).await,
                Err(e) => Err(e),
            })
        })
    }

    fn recipients<'a>(
        &'a self,
        _principal: &'a Principal,
    ) -> BoxFuture<'a, Result<Vec<RecipientOption>, AppError>> {
        Box::pin(async move { finish(recipients(&self.db).await) })
    }
}

impl DirectoryService {
    /// A script's page of people is a read of each of them (it is how a whole directory can be
    /// copied, a hundred at a time): one access-log entry per person listed, or no page. A
    /// person at the search box is not logged per name listed: the list shows what the
    /// visibility rules allow of each, and every person they open is logged.
    async fn record_listed(
        &self,
        principal: &Principal,
        page: DirectoryPage,
    ) -> Result<DirectoryPage, crate::services::error::ServiceError> {
        if principal.api_token_id.is_some() {
            let listed: Vec<&str> = page.rows.iter().map(|row| row.id.as_str()).collect();
            crate::services::access_log::record_many(
                &self.db,
                &principal.tenant_id,
                &crate::services::audit::Actor::of(principal),
                &listed,
                crate::entities::access_log::AccessView::Search,
                self.clock.now_ms(),
            )
            .await?;
        }
        Ok(page)
    }
}
