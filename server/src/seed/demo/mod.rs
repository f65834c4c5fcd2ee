//! The demo tenants: Contoso (the fixtures of `shared/domain.md` section 5) and Fabrikam (a
//! second tenant that proves isolation). Loaded once, in one transaction, by `seed-demo` (the
//! run command calls it); a marker in `portal_settings` makes later runs keep existing data.
//!
//! One module per concern, each with the part of both tenants' story it tells: `people`
//! (directory users and accounts), `devices` (devices and apps), `sharing` (feature states
//! and disclosures) and `history` (requests and audit events). [`load`] writes them in that
//! order.

mod devices;
mod history;
mod people;
mod sharing;

use crate::entities::{portal_setting, tenant};
use anyhow::Context;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set, TransactionTrait,
};

pub const CONTOSO: &str = "11111111-2222-3333-4444-555555555555";
pub const FABRIKAM: &str = "22222222-3333-4444-5555-666666666666";
pub const DEMO_ISSUER: &str = "demo";
const MARKER: &str = "demo_data_version";
const VERSION: &str = "1";

pub const ADELE: &str = "a1b2c3d4-0001-4000-8000-000000000001";
pub const BEN: &str = "a1b2c3d4-0002-4000-8000-000000000002";
pub const CHEN: &str = "a1b2c3d4-0003-4000-8000-000000000003";
pub const DIEGO: &str = "a1b2c3d4-0004-4000-8000-000000000004";
pub const MEGAN: &str = "a1b2c3d4-0005-4000-8000-000000000005";
pub const LEE: &str = "a1b2c3d4-0006-4000-8000-000000000006";
pub const IRVIN: &str = "a1b2c3d4-0007-4000-8000-000000000007";
pub const FAB_ADMIN: &str = "b1b2c3d4-0001-4000-8000-000000000001";
pub const FAB_USER: &str = "b1b2c3d4-0002-4000-8000-000000000002";

/// Whether the demo data is already present.
///
/// # Errors
/// When the database fails.
pub async fn is_loaded<C: ConnectionTrait>(db: &C) -> anyhow::Result<bool> {
    Ok(portal_setting::Entity::find_by_id(MARKER.to_owned())
        .one(db)
        .await
        .context("reading the demo-data marker")?
        .is_some())
}

/// Loads the demo tenants unless they are there, with `now` (the server's clock) as the
/// instant the story is told from: "received 3 days ago" is three days before it. Returns
/// whether it loaded them.
///
/// # Errors
/// When the database fails; nothing is written then.
pub async fn load<C: ConnectionTrait + TransactionTrait>(db: &C, now: i64) -> anyhow::Result<bool> {
    crate::catalogue::sync(db).await?;
    if is_loaded(db).await? {
        return Ok(false);
    }
    let txn = db.begin().await.context("starting the demo-data load")?;
    contoso(&txn, now).await.context("loading Contoso")?;
    fabrikam(&txn, now).await.context("loading Fabrikam")?;
    portal_setting::ActiveModel {
        key: Set(MARKER.into()),
        value: Set(VERSION.into()),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .context("writing the demo-data marker")?;
    txn.commit().await.context("committing the demo data")?;
    Ok(true)
}

fn tenant_row(id: &str, name: &str, domain: &str, region: &str, now: i64) -> tenant::ActiveModel {
    tenant::Model {
        id: id.into(),
        name: name.into(),
        primary_domain: domain.into(),
        data_region: region.into(),
        created_at: now,
        updated_at: now,
    }
    .into_active_model()
}

async fn contoso<C: ConnectionTrait>(txn: &C, now: i64) -> anyhow::Result<()> {
    let t = CONTOSO;
    tenant_row(t, "Contoso Ltd", "contoso.com", "europe", now)
        .insert(txn)
        .await?;
    people::contoso_users(txn, now).await?;
    devices::contoso_devices(txn, now).await?;
    devices::contoso_apps(txn, now).await?;
    sharing::contoso_sharing(txn, now).await?;
    let ben_account = people::contoso_accounts(txn, now).await?;
    history::contoso_history(txn, now, ben_account).await?;
    Ok(())
}

async fn fabrikam<C: ConnectionTrait>(txn: &C, now: i64) -> anyhow::Result<()> {
    let t = FABRIKAM;
    tenant_row(t, "Fabrikam Inc", "fabrikam.com", "north_america", now)
        .insert(txn)
        .await?;
    people::fabrikam_users(txn, now).await?;
    devices::fabrikam_devices(txn, now).await?;
    sharing::fabrikam_sharing(txn, now).await?;
    people::fabrikam_accounts(txn, now).await?;
    history::fabrikam_history(txn, now).await?;
    Ok(())
}
