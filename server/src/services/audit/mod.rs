//! The tamper-evident audit log.
//!
//! Events are only ever appended. Each carries a per-tenant sequence number and a SHA-256 hash
//! over its own content and the previous event's hash, so that changing, removing or reordering
//! any stored event breaks the chain from that point on, which [`verify_chain`] reports. There is
//! deliberately no function here that updates or deletes an event.

mod kinds;

pub use kinds::{ActorKind, AuditAction, TargetKind};

use crate::entities::{audit_event, tenant};
use anyhow::Context;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Hash that the first event of each tenant chains to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: String,
    pub name: String,
}

impl Actor {
    /// Who acts for a request: the signed-in account, or the API token (by its name).
    pub fn of(principal: &app::auth::Principal) -> Actor {
        match principal.api_token_id {
            Some(token) => Actor {
                kind: ActorKind::Token,
                id: token.to_string(),
                name: principal.actor_name(),
            },
            None => Actor {
                kind: ActorKind::Account,
                id: principal.account_id.to_string(),
                name: principal.actor_name(),
            },
        }
    }

    /// The portal itself (migrations, seeding, background work).
    pub fn system(name: &str) -> Actor {
        Actor {
            kind: ActorKind::System,
            id: "system".into(),
            name: name.into(),
        }
    }
}

/// One changed property: its value before and after (absent when there was none).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// An event to append.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub actor: Actor,
    /// What happened, e.g. `field.corrected`, `feature.enabled`, `secret.revealed`.
    pub action: AuditAction,
    pub target_kind: TargetKind,
    pub target_id: String,
    /// The data subject the event concerns, if any (for the per-user history).
    pub subject_user_id: Option<String>,
    pub changes: Vec<Change>,
    pub reason: Option<String>,
    /// When it happened, epoch milliseconds.
    pub occurred_at: i64,
}

/// Appends an event to the tenant's chain inside the caller's transaction and returns its id.
///
/// # Errors
/// When the database fails; the caller's transaction then rolls back with everything else.
pub async fn append<C: ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
    event: NewEvent,
) -> anyhow::Result<i64> {
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        // Serialise appends per tenant so two transactions cannot both take the same `seq`;
        // SQLite already serialises writers.
        tenant::Entity::find_by_id(tenant_id.to_owned())
            .lock_exclusive()
            .one(conn)
            .await
            .context("locking the tenant for an audit append")?;
    }
    let last = audit_event::Entity::find()
        .filter(audit_event::Column::TenantId.eq(tenant_id))
        .order_by_desc(audit_event::Column::Seq)
        .one(conn)
        .await
        .context("reading the last audit event")?;
    let (seq, prev_hash) = match last {
        Some(last) => (last.seq + 1, last.hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let changes = serde_json::to_string(&event.changes).context("encoding audit changes")?;
    let request_id = crate::request_id::current();
    let mut model = audit_event::Model {
        id: 0,
        tenant_id: tenant_id.to_owned(),
        seq,
        occurred_at: event.occurred_at,
        actor_kind: event.actor.kind.as_str().to_owned(),
        actor_id: event.actor.id,
        actor_name: event.actor.name,
        action: event.action.as_str().to_owned(),
        target_kind: event.target_kind.as_str().to_owned(),
        target_id: event.target_id,
        subject_user_id: event.subject_user_id,
        changes,
        reason: event.reason,
        request_id,
        prev_hash,
        hash: String::new(),
    };
    model.hash = hash_event(&model);
    let active = audit_event::ActiveModel {
        id: sea_orm::NotSet,
        tenant_id: Set(model.tenant_id),
        seq: Set(model.seq),
        occurred_at: Set(model.occurred_at),
        actor_kind: Set(model.actor_kind),
        actor_id: Set(model.actor_id),
        actor_name: Set(model.actor_name),
        action: Set(model.action),
        target_kind: Set(model.target_kind),
        target_id: Set(model.target_id),
        subject_user_id: Set(model.subject_user_id),
        changes: Set(model.changes),
        reason: Set(model.reason),
        request_id: Set(model.request_id),
        prev_hash: Set(model.prev_hash),
        hash: Set(model.hash),
    };
    let inserted = active
        .insert(conn)
        .await
        .context("appending an audit event")?;
    Ok(inserted.id)
}

/// The hash of an event: SHA-256 over the previous hash and every content field, each
/// length-prefixed so that no two different events share an encoding.
pub fn hash_event(event: &audit_event::Model) -> String {
    let mut hasher = Sha256::new();
    let seq = event.seq.to_string();
    let occurred = event.occurred_at.to_string();
    let parts: [&str; 14] = [
        &event.prev_hash,
        &event.tenant_id,
        &seq,
        &occurred,
        &event.actor_kind,
        &event.actor_id,
        &event.actor_name,
        &event.action,
        &event.target_kind,
        &event.target_id,
        event.subject_user_id.as_deref().unwrap_or("\u{0}"),
        &event.changes,
        event.reason.as_deref().unwrap_or("\u{0}"),
        &event.request_id,
    ];
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    to_hex(&hasher.finalize())
}

/// Lower-case hexadecimal of bytes.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// What a chain verification found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// Events checked.
    pub events: u64,
    /// The first sequence number at which the chain is broken, if any.
    pub first_broken_seq: Option<i64>,
}

impl ChainReport {
    pub fn is_intact(&self) -> bool {
        self.first_broken_seq.is_none()
    }
}

/// Recomputes the tenant's chain from the first event, a page at a time.
///
/// # Errors
/// When the database fails.
pub async fn verify_chain<C: ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
) -> anyhow::Result<ChainReport> {
    const PAGE: u64 = 1000;
    let mut expected_prev = GENESIS_HASH.to_owned();
    let mut expected_seq = 1_i64;
    let mut events = 0_u64;
    loop {
        let page = audit_event::Entity::find()
            .filter(audit_event::Column::TenantId.eq(tenant_id))
            .filter(audit_event::Column::Seq.gte(expected_seq))
            .order_by_asc(audit_event::Column::Seq)
            .limit(PAGE)
            .all(conn)
            .await
            .context("reading audit events")?;
        let count = page.len();
        for event in page {
            events += 1;
            // A gap in `seq` means an event was removed; a wrong link or hash means one was
            // altered, inserted or reordered.
            if event.seq != expected_seq
                || event.prev_hash != expected_prev
                || hash_event(&event) != event.hash
            {
                return Ok(ChainReport {
                    events,
                    first_broken_seq: Some(expected_seq.min(event.seq)),
                });
            }
            expected_prev = event.hash;
            expected_seq += 1;
        }
        if count < usize::try_from(PAGE).unwrap_or(usize::MAX) {
            return Ok(ChainReport {
                events,
                first_broken_seq: None,
            });
        }
    }
}
