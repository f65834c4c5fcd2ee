//! The directory's filters (open requests, platform, ownership, recipient): checked per user
//! by one index probe each, or, when a value is rare, the start of the page's only arm, so a
//! rare value never becomes a walk over the whole tenant.

use super::plan::{opaque, u, Plan};
use super::PENDING;
use crate::entities::{correction_request, device, directory_user, disclosure};
use crate::services::error::ServiceResult;
use anyhow::Context;
use app::domain::enums::{Ownership, Platform};
use sea_orm::sea_query::{Alias, Expr, Query, SelectStatement, SimpleExpr};
use sea_orm::ConnectionTrait;

/// A filter whose few rows an arm can start from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Driver {
    Pending,
    Platform,
    Ownership,
    Recipient,
}

impl Plan<'_> {
    /// The rarest filter to start from, if one has fewer than `driver_limit` rows.
    pub(super) async fn rare_driver<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> ServiceResult<Option<Driver>> {
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

    /// How many rows carry a filter value, counted up to `driver_limit` only.
    pub(super) fn driver_size(&self, driver: Driver) -> SelectStatement {
        let capped = self.driver_rows(driver).limit(self.driver_limit).to_owned();
        Query::select()
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .from_subquery(capped, Alias::new("capped"))
            .to_owned()
    }

    /// The filters an arm could start from.
    pub(super) fn wanted_drivers(&self) -> Vec<Driver> {
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
    pub(super) fn driver_rows(&self, driver: Driver) -> SelectStatement {
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
    pub(super) fn filters(&self, driver: Option<Driver>) -> Vec<SimpleExpr> {
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
}
