//! The checks a recorded disclosure passes again at the moment it is sent.
//!
//! A disclosure is recorded by one cycle and delivered by the same or a later run, and retries
//! stretch that over hours. Whatever changed in between wins: a feature turned off, a consent
//! withdrawn or replaced, terms that no longer cover a field, a flow removed from the catalogue,
//! or a field put under restriction (GDPR Art. 18) all stop the delivery. Values that changed or
//! became hidden are caught by the fingerprint ([`super::current_values`]).
//!
//! Status changes are conditional on the state the deliverer last saw (`pending`), so a
//! cancellation written while a delivery was being prepared is never overwritten by a retry.
//! The one allowed exception is a delivery already in flight when it was stopped: the
//! recipient has it, so the ledger says `delivered` and notes that it was in flight.

use super::*;
use crate::entities::data_flow::FlowDirection;
use sea_orm::PaginatorTrait;

/// Why a recorded disclosure may not leave any more.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stop {
    /// The feature is off in the tenant.
    FeatureOff,
    /// The recipient is not our agent and the consent the disclosure was recorded under is no
    /// longer the one in force, is withdrawn, or its terms do not cover every field.
    NotConsented,
    /// A field of it is no longer in the feature's flow to this recipient.
    NotInFlow,
    /// A field of it is under restriction (an open request that asked to restrict sharing).
    Restricted,
}

impl Stop {
    /// For the log: which rule stopped it (never a value).
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Stop::FeatureOff => "feature off",
            Stop::NotConsented => "consent not in force",
            Stop::NotInFlow => "field no longer in the flow",
            Stop::Restricted => "field under restriction",
        }
    }
}

/// The note stored with a delivery that went out while it was being stopped.
pub(super) const IN_FLIGHT_NOTE: &str =
    "delivered while in flight: sharing was stopped after the payload had been sent";

/// Checks `row` against the feature state, the consent in force, the catalogue's flows and open
/// restrictions as they are now. `None` when it may be sent.
///
/// # Errors
/// When the database fails (then nothing is sent).
pub(super) async fn stop_reason<C: ConnectionTrait>(
    db: &C,
    row: &disclosure::Model,
) -> anyhow::Result<Option<Stop>> {
    let state = tenant_feature::Entity::find_by_id((row.tenant_id.clone(), row.feature_id.clone()))
        .one(db)
        .await
        .context("reading a feature state")?;
    let Some(state) = state.filter(|s| s.enabled) else {
        return Ok(Some(Stop::FeatureOff));
    };
    let fields: Vec<&str> = row.fields.split(',').filter(|f| !f.is_empty()).collect();
    let flows = data_flow::Entity::find()
        .filter(data_flow::Column::FeatureId.eq(row.feature_id.clone()))
        .filter(data_flow::Column::RecipientId.eq(row.recipient_id.clone()))
        .filter(data_flow::Column::Direction.eq(FlowDirection::Outbound))
        .all(db)
        .await
        .context("reading data flows")?;
    if !fields
        .iter()
        .all(|f| flows.iter().any(|flow| flow.field == *f))
    {
        return Ok(Some(Stop::NotInFlow));
    }
    let is_agent = recipient::Entity::find_by_id(row.recipient_id.clone())
        .one(db)
        .await
        .context("reading a recipient")?
        .is_some_and(|r| r.is_agent);
    if !is_agent {
        let consent = match (row.consent_id, state.consent_id) {
            (Some(recorded), Some(in_force)) if recorded == in_force => {
                crate::entities::consent::Entity::find_by_id(in_force)
                    .one(db)
                    .await
                    .context("reading the consent in force")?
                    .filter(|c| c.withdrawn_at.is_none() && c.tenant_id == row.tenant_id)
            }
            _ => None,
        };
        let Some(consent) = consent else {
            return Ok(Some(Stop::NotConsented));
        };
        let covered = fields.iter().all(|f| {
            flows
                .iter()
                .any(|flow| flow.field == *f && flow.since_terms_version <= consent.terms_version)
        });
        if !covered {
            return Ok(Some(Stop::NotConsented));
        }
    }
    let restricted = correction_request::Entity::find()
        .filter(correction_request::Column::TenantId.eq(row.tenant_id.clone()))
        .filter(correction_request::Column::RecordId.eq(row.record_id.clone()))
        .filter(correction_request::Column::Field.is_in(fields))
        .filter(correction_request::Column::RestrictSharing.eq(true))
        .filter(correction_request::Column::Status.is_in(RequestStatus::RESTRICTING))
        .count(db)
        .await
        .context("reading restrictions")?;
    Ok((restricted > 0).then_some(Stop::Restricted))
}
