//! What happened in the demo tenants before the demo starts: Ben's open correction request and
//! the first events of each tenant's audit trail.

use super::devices::D1_ID;
use super::{ADELE, BEN, CONTOSO, FABRIKAM};
use crate::clock::DAY_MS;
use crate::entities::correction_request;
use crate::services::audit::{self, Actor, ActorKind, AuditAction, Change, NewEvent, TargetKind};
use sea_orm::{ActiveModelTrait, ConnectionTrait, NotSet, Set};

/// Contoso's open correction request (filed by `ben_account`) and its audit trail.
pub(super) async fn contoso_history<C: ConnectionTrait>(
    txn: &C,
    now: i64,
    ben_account: Option<i64>,
) -> anyhow::Result<()> {
    let t = CONTOSO;
    // Ben's display name is wrong in the directory: an open request, routed to Entra ID.
    correction_request::ActiveModel {
        id: NotSet,
        tenant_id: Set(t.into()),
        requester_account_id: Set(ben_account),
        subject_user_id: Set(BEN.into()),
        record_kind: Set("user".into()),
        record_id: Set(BEN.into()),
        field: Set("display_name".into()),
        proposed_value: Set("Benjamin Okafor".into()),
        base_version: Set(0),
        reason: Set("My legal first name is Benjamin.".into()),
        restrict_sharing: Set(false),
        status: Set(crate::entities::correction_request::RequestStatus::Pending),
        received_at: Set(now - 5 * DAY_MS),
        // One calendar month after receipt, as every request (Art. 12(3)).
        due_at: Set(app::time::add_months(now - 5 * DAY_MS, 1)),
        extension_reason: Set(None),
        paused_at: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_reason: Set(None),
        version: Set(0),
        created_at: Set(now - 5 * DAY_MS),
        updated_at: Set(now - 5 * DAY_MS),
        origin_request_id: Set(None),
    }
    .insert(txn)
    .await?;

    let helpdesk = Actor {
        kind: ActorKind::Account,
        id: "helpdesk1".into(),
        name: "helpdesk1@contoso.com".into(),
    };
    audit::append(
        txn,
        t,
        NewEvent {
            actor: Actor::system("demo data"),
            action: AuditAction::TenantCreated,
            target_kind: TargetKind::Tenant,
            target_id: t.into(),
            subject_user_id: None,
            changes: vec![],
            reason: Some("Demo tenant loaded".into()),
            occurred_at: now - 400 * DAY_MS,
        },
    )
    .await?;
    audit::append(
        txn,
        t,
        NewEvent {
            actor: helpdesk,
            action: AuditAction::DeviceOwnershipChanged,
            target_kind: TargetKind::Device,
            target_id: D1_ID.into(),
            subject_user_id: Some(ADELE.into()),
            changes: vec![Change {
                field: "ownership".into(),
                before: Some("personal".into()),
                after: Some("corporate".into()),
            }],
            reason: Some("Device bought by Contoso; registered as personal by mistake.".into()),
            occurred_at: now - 199 * DAY_MS,
        },
    )
    .await?;
    Ok(())
}

/// Fabrikam's audit trail: the tenant's creation.
pub(super) async fn fabrikam_history<C: ConnectionTrait>(txn: &C, now: i64) -> anyhow::Result<()> {
    let t = FABRIKAM;
    audit::append(
        txn,
        t,
        NewEvent {
            actor: Actor::system("demo data"),
            action: AuditAction::TenantCreated,
            target_kind: TargetKind::Tenant,
            target_id: t.into(),
            subject_user_id: None,
            changes: vec![],
            reason: Some("Demo tenant loaded".into()),
            occurred_at: now,
        },
    )
    .await?;
    Ok(())
}
