//! Reading the disclosure ledger: which recipient received which fields of which record, when,
//! under which feature and consent, filtered and keyset-paginated on the ledger id (newest
//! first), so a page never shifts while disclosures are recorded. One use case for every door
//! that lists disclosures; it decides who may read them and keeps the read inside the reader's
//! tenant.

use crate::entities::disclosure;
use crate::services::error::ServiceError;
use anyhow::Context;
use app::auth::{Principal, Role};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// Which disclosures to list: every filter is optional; `after` is the id the previous page
/// ended at, `limit` the page size (the door bounds it).
#[derive(Clone, Debug, Default)]
pub struct LedgerQuery {
    /// Only disclosures about this directory user.
    pub user_id: Option<String>,
    /// Only disclosures of this record (a user or device id).
    pub record_id: Option<String>,
    pub recipient_id: Option<String>,
    pub feature_id: Option<String>,
    /// Disclosed at or after (epoch milliseconds).
    pub since: Option<i64>,
    /// Disclosed before (epoch milliseconds).
    pub until: Option<i64>,
    pub after: Option<i64>,
    pub limit: u64,
}

/// One disclosure: values are never stored, only which fields went where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerEntry {
    pub id: i64,
    /// `user` or `device`.
    pub record_kind: String,
    pub record_id: String,
    pub subject_user_id: Option<String>,
    pub recipient_id: String,
    /// The recipient's name, or its id when the recipient is no longer in the catalogue.
    pub recipient_name: String,
    /// Whether the recipient processes the data on the tenant's behalf (an agent).
    pub recipient_is_agent: bool,
    pub feature_id: String,
    pub fields: Vec<String>,
    /// Epoch milliseconds.
    pub disclosed_at: i64,
    pub consent_id: Option<i64>,
    pub purpose: String,
}

/// A page of the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerPage {
    pub entries: Vec<LedgerEntry>,
    /// The id to pass as `after` for the next page; absent on the last page.
    pub next: Option<i64>,
}

/// The disclosures of the actor's tenant that match `query`, newest first. Tenant admins only,
/// as on the portal's pages.
///
/// # Errors
/// [`ServiceError::Forbidden`] for any other role; database failures.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    query: &LedgerQuery,
) -> Result<LedgerPage, ServiceError> {
    if !actor.has(Role::TenantAdmin) {
        return Err(ServiceError::Forbidden);
    }
    let mut select =
        disclosure::Entity::find().filter(disclosure::Column::TenantId.eq(&actor.tenant_id));
    if let Some(user) = &query.user_id {
        select = select.filter(disclosure::Column::SubjectUserId.eq(user));
    }
    if let Some(record) = &query.record_id {
        select = select.filter(disclosure::Column::RecordId.eq(record));
    }
    if let Some(recipient) = &query.recipient_id {
        select = select.filter(disclosure::Column::RecipientId.eq(recipient));
    }
    if let Some(feature) = &query.feature_id {
        select = select.filter(disclosure::Column::FeatureId.eq(feature));
    }
    if let Some(since) = query.since {
        select = select.filter(disclosure::Column::DisclosedAt.gte(since));
    }
    if let Some(until) = query.until {
        select = select.filter(disclosure::Column::DisclosedAt.lt(until));
    }
    if let Some(after) = query.after {
        select = select.filter(disclosure::Column::Id.lt(after));
    }
    let mut rows = select
        .order_by_desc(disclosure::Column::Id)
        .limit(query.limit.saturating_add(1))
        .all(db)
        .await
        .context("reading the disclosure ledger")?;
    let next = next_cursor(&mut rows, query.limit, |d| d.id);
    let recipients = crate::services::personal_data::recipients(db).await?;
    let entries = rows
        .into_iter()
        .map(|d| {
            let to = recipients.get(&d.recipient_id);
            LedgerEntry {
                id: d.id,
                record_kind: d.record_kind,
                record_id: d.record_id,
                subject_user_id: d.subject_user_id,
                recipient_name: to.map_or_else(|| d.recipient_id.clone(), |r| r.name.clone()),
                recipient_is_agent: to.is_some_and(|r| r.is_agent),
                recipient_id: d.recipient_id,
                feature_id: d.feature_id,
                fields: d
                    .fields
                    .split(',')
                    .filter(|f| !f.is_empty())
                    .map(str::to_owned)
                    .collect(),
                disclosed_at: d.disclosed_at,
                consent_id: d.consent_id,
                purpose: d.purpose,
            }
        })
        .collect();
    Ok(LedgerPage { entries, next })
}

/// Cuts off the one row read beyond `limit` (read only to learn whether another page exists)
/// and returns the id the next page starts after, if there is one.
pub fn next_cursor<T>(rows: &mut Vec<T>, limit: u64, id: impl Fn(&T) -> i64) -> Option<i64> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(id)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::next_cursor;

    #[test]
    fn the_probe_row_is_cut_off_and_the_last_kept_id_is_the_cursor() {
        let mut rows = vec![9, 8, 7];
        assert_eq!(next_cursor(&mut rows, 2, |r| *r), Some(8));
        assert_eq!(rows, vec![9, 8]);
        let mut last_page = vec![3, 2];
        assert_eq!(next_cursor(&mut last_page, 2, |r| *r), None);
        assert_eq!(last_page, vec![3, 2]);
    }
}
