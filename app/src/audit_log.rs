//! The audit log as tenant admins and auditors read it: filters (actor, action, target user,
//! date range), each event with its before and after, pages by keyset (the last sequence
//! number shown, never an offset), a CSV download (a plain server route with the same filters)
//! and the integrity check of the tenant's hash chain.

use crate::error::AppError;
use crate::personal_data::ChangeView;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Events per page.
pub const PAGE_SIZE: u64 = 50;

/// The filters; empty strings mean "any".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// The beginning of the actor's name, without case.
    pub actor: String,
    /// An exact action, e.g. `request.approved`.
    pub action: String,
    /// A directory user (id or UPN): events about that data subject.
    pub user: String,
    /// First day included, `YYYY-MM-DD` (UTC).
    pub from: String,
    /// Last day included, `YYYY-MM-DD` (UTC).
    pub to: String,
    /// Show events older than this sequence number (the cursor of the next page).
    pub before: Option<i64>,
}

impl AuditFilter {
    /// The query string of these filters (without the cursor), for links to the next page and
    /// the CSV download.
    pub fn query(&self) -> String {
        let pairs = [
            ("actor", &self.actor),
            ("action", &self.action),
            ("user", &self.user),
            ("from", &self.from),
            ("to", &self.to),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Percent-encodes a query value (unreserved characters stay).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// One audit event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEventView {
    pub seq: i64,
    pub occurred_at: i64,
    pub actor_kind: String,
    pub actor_name: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub subject_user_id: Option<String>,
    pub subject_name: Option<String>,
    pub changes: Vec<ChangeView>,
    pub reason: Option<String>,
    pub request_id: String,
}

/// One page of events, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub events: Vec<AuditEventView>,
    /// The cursor of the next (older) page, if there is one.
    pub next_before: Option<i64>,
    /// The actions recorded in the tenant, for the action filter.
    pub actions: Vec<String>,
}

/// The result of an integrity check of the tenant's chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityView {
    pub events: u64,
    /// The first sequence number at which the chain is broken.
    pub first_broken_seq: Option<i64>,
    pub checked_at: i64,
}

/// What the audit-log page asks of the server.
#[cfg(feature = "ssr")]
pub trait AuditLogPort: Send + Sync {
    /// A page of the tenant's events matching the filter.
    fn events<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        filter: AuditFilter,
    ) -> crate::services::BoxFuture<'a, Result<AuditPage, AppError>>;
    /// Verifies the tenant's chain (the check itself is an audit event).
    fn verify<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
    ) -> crate::services::BoxFuture<'a, Result<IntegrityView, AppError>>;
}

/// A page of the audit log.
///
/// # Errors
/// 422 for a malformed date; 401/403 unless a tenant admin or auditor.
#[server(prefix = "/api", endpoint = "audit/events")]
pub async fn audit_events(
    actor: Option<String>,
    action: Option<String>,
    user: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<i64>,
) -> Result<AuditPage, AppError> {
    use crate::auth::Role;
    let principal = crate::auth::require(&[Role::TenantAdmin, Role::Auditor])?;
    let services = crate::services::use_services()?;
    let filter = AuditFilter {
        actor: actor.unwrap_or_default(),
        action: action.unwrap_or_default(),
        user: user.unwrap_or_default(),
        from: from.unwrap_or_default(),
        to: to.unwrap_or_default(),
        before,
    };
    services
        .audit_log
        .events(&principal, filter)
        .await
        .map_err(crate::error::respond_with)
}

/// Verifies the hash chain of the principal's tenant.
///
/// # Errors
/// 401/403 unless a tenant admin or auditor.
#[server(prefix = "/api", endpoint = "audit/verify")]
pub async fn verify_audit() -> Result<IntegrityView, AppError> {
    use crate::auth::Role;
    let principal = crate::auth::require(&[Role::TenantAdmin, Role::Auditor])?;
    let services = crate::services::use_services()?;
    services
        .audit_log
        .verify(&principal)
        .await
        .map_err(crate::error::respond_with)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_query_string_encodes_values_and_skips_empty_ones() {
        let filter = AuditFilter {
            actor: "Lee Gu".into(),
            action: "request.approved".into(),
            from: "2026-11-01".into(),
            ..AuditFilter::default()
        };
        assert_eq!(
            filter.query(),
            "actor=Lee%20Gu&action=request.approved&from=2026-11-01"
        );
    }
}
