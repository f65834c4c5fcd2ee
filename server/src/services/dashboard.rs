//! The admin dashboard's figures: a handful of counting queries, each on an index that leads
//! with the tenant, plus the sharing report of the last 30 days.

use crate::clock::{Clock, DAY_MS};
use crate::entities::correction_request::RequestStatus;
use crate::entities::follow_up_task::TaskStatus;
use crate::entities::{correction_request, directory_user, follow_up_task};
use crate::services::error::{finish, ServiceError};
use anyhow::Context;
use app::auth::Principal;
use app::dashboard::{DashboardPort, DashboardView, DueRequest, FeatureState};
use app::error::AppError;
use app::services::BoxFuture;
use app::sharing::{ReportFilter, SharingPort};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::collections::HashMap;
use std::sync::Arc;

/// Open requests listed by deadline.
const NEXT_DUE: u64 = 5;

pub struct DashboardService {
    pub db: DatabaseConnection,
    pub sharing: Arc<dyn SharingPort>,
    pub clock: Clock,
}

impl DashboardPort for DashboardService {
    fn dashboard<'a>(
        &'a self,
        principal: &'a Principal,
    ) -> BoxFuture<'a, Result<DashboardView, AppError>> {
        Box::pin(async move { finish(self.load(principal).await) })
    }
}

impl DashboardService {
    async fn load(&self, principal: &Principal) -> Result<DashboardView, ServiceError> {
        let db = &self.db;
        let tenant = principal.tenant_id.clone();
        let now = self.clock.now_ms();
        let pending = || {
            correction_request::Entity::find()
                .filter(correction_request::Column::TenantId.eq(tenant.clone()))
                .filter(correction_request::Column::Status.eq(RequestStatus::Pending))
        };
        let open_requests = pending()
            .count(db)
            .await
            .context("counting open requests")?;
        let overdue_requests = pending()
            .filter(correction_request::Column::DueAt.lt(now))
            .filter(correction_request::Column::PausedAt.is_null())
            .count(db)
            .await
            .context("counting overdue requests")?;
        let at_source = || {
            correction_request::Entity::find()
                .filter(correction_request::Column::TenantId.eq(tenant.clone()))
                .filter(correction_request::Column::Status.eq(RequestStatus::Routed))
        };
        let waiting_for_source = at_source()
            .count(db)
            .await
            .context("counting corrections waiting for their source")?;
        let overdue_at_source = at_source()
            .filter(correction_request::Column::DueAt.lt(now))
            .count(db)
            .await
            .context("counting overdue corrections at the source")?;
        let due = pending()
            .order_by_asc(correction_request::Column::DueAt)
            .order_by_asc(correction_request::Column::Id)
            .limit(NEXT_DUE)
            .all(db)
            .await
            .context("reading the next requests due")?;
        let names: HashMap<String, String> = directory_user::Entity::find()
            .select_only()
            .column(directory_user::Column::Id)
            .column(directory_user::Column::DisplayName)
            .filter(directory_user::Column::TenantId.eq(tenant.clone()))
            .filter(directory_user::Column::Id.is_in(due.iter().map(|r| r.subject_user_id.clone())))
            .into_tuple::<(String, String)>()
            .all(db)
            .await
            .context("reading requesters' names")?
            .into_iter()
            .collect();
        let next_due = due
            .into_iter()
            .map(|r| DueRequest {
                subject_name: names
                    .get(&r.subject_user_id)
                    .cloned()
                    .unwrap_or_else(|| r.subject_user_id.clone()),
                overdue: r.due_at < now && r.paused_at.is_none(),
                paused: r.paused_at.is_some(),
                id: r.id,
                subject_user_id: r.subject_user_id,
                field: r.field,
                due_at: r.due_at,
            })
            .collect();
        let tasks = || {
            follow_up_task::Entity::find()
                .filter(follow_up_task::Column::TenantId.eq(tenant.clone()))
        };
        let open_follow_ups = tasks()
            .filter(follow_up_task::Column::Status.eq(TaskStatus::Open))
            .count(db)
            .await
            .context("counting open follow-ups")?;
        let failed_follow_ups = tasks()
            .filter(follow_up_task::Column::Status.eq(TaskStatus::Failed))
            .count(db)
            .await
            .context("counting failed follow-ups")?;
        let overdue_follow_ups = tasks()
            .filter(
                Condition::any()
                    .add(follow_up_task::Column::Status.eq(TaskStatus::Failed))
                    .add(
                        Condition::all()
                            .add(follow_up_task::Column::Status.eq(TaskStatus::Open))
                            .add(follow_up_task::Column::CreatedAt.lt(now - 30 * DAY_MS)),
                    ),
            )
            .count(db)
            .await
            .context("counting overdue follow-ups")?;
        let overview = self
            .sharing
            .overview(principal)
            .await
            .map_err(ServiceError::from)?;
        let features = overview
            .features
            .into_iter()
            .map(|f| FeatureState {
                id: f.id,
                name: f.name,
                enabled: f.enabled,
                consent_outdated: f.consent_outdated,
            })
            .collect();
        let disclosures = self
            .sharing
            .report(principal, ReportFilter::default())
            .await
            .map_err(ServiceError::from)?;
        Ok(DashboardView {
            open_requests,
            overdue_requests,
            waiting_for_source,
            overdue_at_source,
            next_due,
            open_follow_ups,
            overdue_follow_ups,
            failed_follow_ups,
            features,
            disclosures,
        })
    }
}
