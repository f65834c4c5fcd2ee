//! The user directory: tenant admins search, filter, sort and page through their tenant's data
//! subjects to reach one user's personal data.
//!
//! The page keeps its whole state in the query string ([`DirectoryParams`]: shareable, and the
//! search form works as a plain GET form without the browser bundle). The server parses those
//! raw strings into a [`DirectoryQuery`] (search text, filters, sort, [`PageCursor`]) before
//! any service sees them. Pages are keyset-paginated: the cursor carries the last row's sort
//! key and id, never an offset, so page 4,000 costs what page 1 costs.
//!
//! What the page and the server share lives in one module each: `page` (the rows a page
//! shows), `cursor` (the sort order and where a page ends), `params` (the query string and
//! its links), `query` (the parsed request: search text and filters); here are the port the
//! server implements and the server functions.

mod cursor;
mod page;
mod params;
mod query;

pub use cursor::{DirectorySort, PageCursor};
pub use page::{DirectoryPage, DirectoryRow, RecipientOption};
pub use params::{user_href, DirectoryParams};
pub use query::{DirectoryQuery, RecipientId, SearchText};

use crate::error::AppError;
use leptos::prelude::*;

/// Rows per page.
pub const PAGE_SIZE: u64 = 25;
/// Longest search text accepted (the longest field searched, a display name, has 256).
pub const SEARCH_MAX: usize = 256;

/// What the directory asks of the server.
#[cfg(feature = "ssr")]
pub trait DirectoryPort: Send + Sync {
    /// Up to `page_size` users of the principal's tenant matching `query`, after its cursor,
    /// and the cursor of the next page.
    ///
    /// Fails with [`AppError::Internal`] when the database fails.
    fn search<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        query: &'a DirectoryQuery,
        page_size: u64,
    ) -> crate::services::BoxFuture<'a, Result<DirectoryPage, AppError>>;

    /// The parties the tenant's data can be shared with, by name.
    ///
    /// Fails with [`AppError::Internal`] when the database fails.
    fn recipients<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
    ) -> crate::services::BoxFuture<'a, Result<Vec<RecipientOption>, AppError>>;
}

/// A page of the admin's tenant's directory. Every parameter is optional text, as the page's
/// query string carries it.
///
/// # Errors
/// 401/403 unless a tenant admin is signed in; 422 naming the parameter that could not be read.
#[server(prefix = "/api", endpoint = "directory/search")]
pub async fn search_directory(
    q: Option<String>,
    platform: Option<String>,
    ownership: Option<String>,
    open: Option<String>,
    recipient: Option<String>,
    sort: Option<String>,
    after: Option<String>,
) -> Result<DirectoryPage, AppError> {
    use crate::error::respond_with;
    let principal = crate::auth::require(&[crate::auth::Role::TenantAdmin])?;
    let params = DirectoryParams {
        q,
        platform,
        ownership,
        open,
        recipient,
        sort,
        after,
    };
    let query = DirectoryQuery::parse(&params).map_err(respond_with)?;
    let services = crate::services::use_services()?;
    services
        .directory
        .search(&principal, &query, PAGE_SIZE)
        .await
        .map_err(respond_with)
}

/// The recipients offered by the "data shared with" filter.
///
/// # Errors
/// 401/403 unless a tenant admin is signed in.
#[server(prefix = "/api", endpoint = "directory/recipients")]
pub async fn directory_recipients() -> Result<Vec<RecipientOption>, AppError> {
    let principal = crate::auth::require(&[crate::auth::Role::TenantAdmin])?;
    let services = crate::services::use_services()?;
    services
        .directory
        .recipients(&principal)
        .await
        .map_err(crate::error::respond_with)
}

#[cfg(test)]
mod tests;
