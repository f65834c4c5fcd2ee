//! The demo tenants' people: the directory users (the data subjects) and the portal accounts
//! with their roles that the demo sign-in offers.

use super::{
    ADELE, BEN, CHEN, CONTOSO, DEMO_ISSUER, DIEGO, FABRIKAM, FAB_ADMIN, FAB_USER, IRVIN, LEE, MEGAN,
};
use crate::db::insert_all;
use crate::entities::{account, directory_user, role_assignment};
use crate::seed::rows;
use sea_orm::{ActiveModelTrait, ConnectionTrait, IntoActiveModel, NotSet, Set};

fn with_phone(
    mut user: directory_user::Model,
    phone: &str,
    department: &str,
) -> directory_user::Model {
    user.phone = Some(phone.into());
    user.department = Some(department.into());
    user
}

/// Contoso's seven directory users.
pub(super) async fn contoso_users<C: ConnectionTrait>(txn: &C, now: i64) -> anyhow::Result<()> {
    let t = CONTOSO;
    let users = vec![
        with_phone(
            rows::user(t, ADELE, "adele.vance@contoso.com", "Adele Vance", now),
            "+14255550101",
            "Retail",
        ),
        with_phone(
            rows::user(t, BEN, "ben.okafor@contoso.com", "Ben Okafor", now),
            "+14255550102",
            "Field Service",
        ),
        with_phone(
            rows::user(t, CHEN, "chen.li@contoso.com", "Chen Li", now),
            "+14255550133",
            "Engineering",
        ),
        with_phone(
            rows::user(
                t,
                DIEGO,
                "diego.siciliani@contoso.com",
                "Diego Siciliani",
                now,
            ),
            "+14255550104",
            "Finance",
        ),
        with_phone(
            rows::user(t, MEGAN, "megan.bowen@contoso.com", "Megan Bowen", now),
            "+14255550105",
            "IT",
        ),
        with_phone(
            rows::user(t, LEE, "lee.gu@contoso.com", "Lee Gu", now),
            "+14255550106",
            "Support",
        ),
        with_phone(
            rows::user(t, IRVIN, "irvin.sayers@contoso.com", "Irvin Sayers", now),
            "+14255550107",
            "Compliance",
        ),
    ];
    insert_all(
        txn,
        users
            .into_iter()
            .map(IntoActiveModel::into_active_model)
            .collect(),
    )
    .await?;
    Ok(())
}

/// Contoso's accounts: an admin, a support reviewer, an auditor and two end users. Returns
/// Ben's account, which files the demo's open correction request.
pub(super) async fn contoso_accounts<C: ConnectionTrait>(
    txn: &C,
    now: i64,
) -> anyhow::Result<Option<i64>> {
    let t = CONTOSO;
    let accounts = [
        (
            MEGAN,
            "Megan Bowen",
            "megan.bowen@contoso.com",
            "tenant_admin",
        ),
        (LEE, "Lee Gu", "lee.gu@contoso.com", "support_reviewer"),
        (IRVIN, "Irvin Sayers", "irvin.sayers@contoso.com", "auditor"),
        (ADELE, "Adele Vance", "adele.vance@contoso.com", "end_user"),
        (BEN, "Ben Okafor", "ben.okafor@contoso.com", "end_user"),
    ];
    let mut ben_account = None;
    for (user_id, name, email, role) in accounts {
        let id = demo_account(txn, t, user_id, name, email, role, now).await?;
        if user_id == BEN {
            ben_account = Some(id);
        }
    }
    Ok(ben_account)
}

/// Fabrikam's two directory users.
pub(super) async fn fabrikam_users<C: ConnectionTrait>(txn: &C, now: i64) -> anyhow::Result<()> {
    let t = FABRIKAM;
    let users = vec![
        with_phone(
            rows::user(t, FAB_ADMIN, "alex.wilber@fabrikam.com", "Alex Wilber", now),
            "+12065550111",
            "IT",
        ),
        with_phone(
            rows::user(
                t,
                FAB_USER,
                "nestor.wilke@fabrikam.com",
                "Nestor Wilke",
                now,
            ),
            "+12065550112",
            "Sales",
        ),
    ];
    insert_all(
        txn,
        users
            .into_iter()
            .map(IntoActiveModel::into_active_model)
            .collect(),
    )
    .await?;
    Ok(())
}

/// Fabrikam's admin and end user.
pub(super) async fn fabrikam_accounts<C: ConnectionTrait>(txn: &C, now: i64) -> anyhow::Result<()> {
    let t = FABRIKAM;
    demo_account(
        txn,
        t,
        FAB_ADMIN,
        "Alex Wilber",
        "alex.wilber@fabrikam.com",
        "tenant_admin",
        now,
    )
    .await?;
    demo_account(
        txn,
        t,
        FAB_USER,
        "Nestor Wilke",
        "nestor.wilke@fabrikam.com",
        "end_user",
        now,
    )
    .await?;
    Ok(())
}

async fn demo_account<C: ConnectionTrait>(
    txn: &C,
    tenant_id: &str,
    user_id: &str,
    name: &str,
    email: &str,
    role: &str,
    now: i64,
) -> anyhow::Result<i64> {
    let account = account::ActiveModel {
        id: NotSet,
        tenant_id: Set(tenant_id.into()),
        issuer: Set(DEMO_ISSUER.into()),
        subject: Set(format!("{tenant_id}:{user_id}")),
        display_name: Set(name.into()),
        email: Set(Some(email.into())),
        directory_user_id: Set(Some(user_id.into())),
        created_at: Set(now),
        last_sign_in_at: Set(None),
    }
    .insert(txn)
    .await?;
    role_assignment::ActiveModel {
        account_id: Set(account.id),
        role: Set(role.into()),
        tenant_id: Set(tenant_id.into()),
        granted_by: Set("demo data".into()),
        granted_at: Set(now),
        from_provider: Set(false),
    }
    .insert(txn)
    .await?;
    Ok(account.id)
}
