//! Sharing features of a tenant: the overview with flows, states and consents; the impact
//! preview; turning a feature on (with a consent record where a recipient is not our agent) and
//! off (consent ends, pending deliveries are cancelled, and each recipient gets a follow-up to
//! delete what it holds); recipients' endpoints; follow-ups done by hand; the disclosure report.
//!
//! Every change is one transaction with its audit event, and carries the feature state's
//! version, so two admins deciding at once cannot both win silently.
//!
//! One module per use case: `overview` (the page), `preview` (what turning a feature on or
//! off would touch), `features` (turning one on or off), `endpoints` (where a recipient's
//! deliveries go), `tasks` (a follow-up done by hand) and `report` (disclosures per day).

mod endpoints;
mod features;
mod overview;
mod preview;
mod report;
mod tasks;

pub(crate) use report::build_report;
pub use report::report_range;

use crate::clock::Clock;
use crate::entities::{sharing_feature, tenant_feature};
use crate::services::audit::Actor;
use crate::services::disclosures::{self, Connector};
use crate::services::error::{finish, ServiceError};
use anyhow::Context;
use app::auth::Principal;
use app::error::AppError;
use app::i18n::Locale;
use app::services::BoxFuture;
use app::sharing::{
    CycleSummary, FeatureChange, Preview, Report, ReportFilter, SharingOverview, SharingPort,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};

pub struct SharingService {
    pub db: DatabaseConnection,
    pub connector: Connector,
    pub clock: Clock,
}

pub(super) fn actor(principal: &Principal) -> Actor {
    Actor::of(principal)
}

impl SharingPort for SharingService {
    fn overview<'a>(
        &'a self,
        principal: &'a Principal,
    ) -> BoxFuture<'a, Result<SharingOverview, AppError>> {
        Box::pin(async move { finish(self.load_overview(principal).await) })
    }

    fn preview<'a>(
        &'a self,
        principal: &'a Principal,
        feature_id: &'a str,
        enable: bool,
        locale: Locale,
    ) -> BoxFuture<'a, Result<Preview, AppError>> {
        Box::pin(async move {
            finish(
                self.build_preview(principal, feature_id, enable, locale)
                    .await,
            )
        })
    }

    fn enable<'a>(
        &'a self,
        principal: &'a Principal,
        change: FeatureChange,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move { finish(self.turn_on(principal, &change).await) })
    }

    fn disable<'a>(
        &'a self,
        principal: &'a Principal,
        feature_id: &'a str,
        base_version: i64,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move { finish(self.turn_off(principal, feature_id, base_version).await) })
    }

    fn set_endpoint<'a>(
        &'a self,
        principal: &'a Principal,
        recipient_id: &'a str,
        url: &'a str,
        secret: &'a str,
        remove: bool,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            finish(
                self.save_endpoint(principal, recipient_id, url, secret, remove)
                    .await,
            )
        })
    }

    fn run_now<'a>(
        &'a self,
        principal: &'a Principal,
    ) -> BoxFuture<'a, Result<CycleSummary, AppError>> {
        Box::pin(async move {
            disclosures::run_tenant(
                &self.db,
                &self.connector,
                &principal.tenant_id,
                self.clock.now_ms(),
            )
            .await
            .map_err(|e| crate::error::internal(&e))
        })
    }

    fn complete_task<'a>(
        &'a self,
        principal: &'a Principal,
        task_id: i64,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move { finish(self.finish_task(principal, task_id).await) })
    }

    fn report<'a>(
        &'a self,
        principal: &'a Principal,
        filter: ReportFilter,
    ) -> BoxFuture<'a, Result<Report, AppError>> {
        Box::pin(async move {
            finish(build_report(&self.db, principal, &filter, self.clock.now_ms()).await)
        })
    }
}

/// The tenant's state of a feature; a feature never touched in the tenant is off at version 0.
pub(super) async fn state_of<C: ConnectionTrait>(
    db: &C,
    tenant_id: &str,
    feature_id: &str,
) -> Result<Option<tenant_feature::Model>, ServiceError> {
    Ok(
        tenant_feature::Entity::find_by_id((tenant_id.to_owned(), feature_id.to_owned()))
            .one(db)
            .await
            .context("reading a feature state")?,
    )
}

/// A feature of the catalogue; `NotFound` for an unknown id.
pub(super) async fn feature<C: ConnectionTrait>(
    db: &C,
    feature_id: &str,
) -> Result<sharing_feature::Model, ServiceError> {
    sharing_feature::Entity::find_by_id(feature_id.to_owned())
        .one(db)
        .await
        .context("reading a feature")?
        .ok_or(ServiceError::NotFound)
}
