//! The plan of one page: the query, the page size and the bounds, and the statements built
//! from them: the arms (each from one index, in the page's sort order, after the cursor), the
//! page read by primary key and the per-user counts. Where an arm starts is in
//! [`super::sources`] and [`super::filters`].

use super::filters::Driver;
use super::sources::{is_prefix, Source};
use super::PENDING;
use crate::entities::{correction_request, device, directory_user};
use app::directory::{DirectoryQuery, DirectorySort};
use sea_orm::sea_query::{Alias, BinOper, Expr, Func, Order, Query, SelectStatement, SimpleExpr};

pub(super) struct Plan<'q> {
    pub(super) tenant: &'q str,
    pub(super) query: &'q DirectoryQuery,
    /// Rows per arm: a page and one.
    pub(super) fetch: u64,
    /// See [`DRIVER_LIMIT`](super::DRIVER_LIMIT).
    pub(super) driver_limit: u64,
    /// See [`PREFIX_SCAN_LIMIT`](super::PREFIX_SCAN_LIMIT).
    pub(super) prefix_limit: u64,
    /// The users of devices that the search's identifier finds and shows in full, resolved
    /// before the arms are built ([`Plan::resolve_device_users`]).
    pub(super) device_users: Vec<String>,
}

pub(super) fn u() -> Alias {
    Alias::new("u")
}

pub(super) fn ucol(column: directory_user::Column) -> Expr {
    Expr::col((u(), column))
}

/// `expr || ''`: the same value and order, but no index can serve a condition on it, so the
/// planner starts from the index we mean it to.
pub(super) fn opaque(expr: SimpleExpr) -> SimpleExpr {
    Expr::expr(expr).binary(BinOper::Custom("||"), Expr::cust("''"))
}

impl Plan<'_> {
    /// The sort key as stored in the sort index.
    pub(super) fn key(&self) -> SimpleExpr {
        match self.query.sort {
            DirectorySort::Name => ucol(directory_user::Column::SearchName).into(),
            DirectorySort::Upn => Func::lower(ucol(directory_user::Column::Upn)).into(),
        }
    }

    pub(super) fn tenant_is(&self, column: impl sea_orm::sea_query::IntoColumnRef) -> SimpleExpr {
        Expr::col(column).eq(self.tenant)
    }

    /// The arms of this page.
    pub(super) fn arms(&self, driver: Option<&Driver>) -> Vec<SelectStatement> {
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

    /// One arm: the ids of up to `fetch` users of `source` after the cursor, in sort order.
    ///
    /// Exactly one range serves as the index bound: an aligned arm starts at the cursor (so a
    /// deep page starts where the previous one ended, not at the start of the prefix) unless
    /// the cursor lies before the prefix; every other condition is written opaque. Both
    /// conditions are always there, so the choice only decides speed, never the rows.
    pub(super) fn arm(&self, source: &Source, driver: Option<Driver>) -> SelectStatement {
        let aligned = self.aligned(source);
        // Outside a rare filter's arm, a prefix arm out of the page's order starts from its
        // capped rows (see `PREFIX_SCAN_LIMIT`).
        let capped = driver.is_none() && is_prefix(source) && !aligned;
        let starts_from_subquery =
            capped || matches!(source, Source::DeviceUsers | Source::Driver(_));
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
    pub(super) fn page(&self, ids: &[String]) -> SelectStatement {
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
    pub(super) fn device_counts(&self, ids: &[String]) -> SelectStatement {
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
    pub(super) fn request_counts(&self, ids: &[String]) -> SelectStatement {
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
