//! The schema, the partner catalogue, the demo tenants and the generator, on both backends.

use crate::helpers::on_both_databases;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use server::catalogue;
use server::entities::{
    account, data_flow, device, directory_user, disclosure, recipient, sharing_feature, tenant,
    tenant_feature,
};
use server::seed::{demo, generator};

on_both_databases! {
    async fn the_catalogue_is_written_at_start_up_and_syncing_again_changes_nothing(app) {
        let flows = data_flow::Entity::find().count(&app.db).await.unwrap();
        assert!(flows > 30, "{flows} flows");
        catalogue::sync(&app.db).await.unwrap();
        assert_eq!(data_flow::Entity::find().count(&app.db).await.unwrap(), flows);
        let features = sharing_feature::Entity::find().count(&app.db).await.unwrap();
        assert_eq!(features, catalogue::FEATURES.len() as u64);
        let cm = recipient::Entity::find_by_id("configuration_manager".to_owned()).one(&app.db).await.unwrap().unwrap();
        assert!(cm.is_agent);
        let cm_flows = data_flow::Entity::find()
            .filter(data_flow::Column::RecipientId.eq("configuration_manager"))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(cm_flows, 0, "Configuration Manager receives nothing");
    }

    async fn the_demo_tenants_load_once_with_the_contoso_fixtures(app) {
        assert!(demo::load(&app.db, app.clock.now_ms()).await.unwrap());
        assert!(!demo::load(&app.db, app.clock.now_ms()).await.unwrap(), "a second load keeps the data");
        assert_eq!(tenant::Entity::find().count(&app.db).await.unwrap(), 2);
        let adele = directory_user::Entity::find_by_id(demo::ADELE.to_owned()).one(&app.db).await.unwrap().unwrap();
        assert_eq!(adele.upn, "adele.vance@contoso.com");
        let d1 = device::Entity::find_by_id("d1000000-0000-4000-8000-0000000000d1".to_owned()).one(&app.db).await.unwrap().unwrap();
        assert_eq!(d1.imei.as_deref(), Some("356938035643809"));
        assert_eq!(d1.ownership, "corporate");
        let shared = device::Entity::find_by_id("d4000000-0000-4000-8000-0000000000d4".to_owned()).one(&app.db).await.unwrap().unwrap();
        assert!(shared.primary_user_id.is_none(), "the Zebra device is shared");
        let google = disclosure::Entity::find()
            .filter(disclosure::Column::RecipientId.eq("google"))
            .all(&app.db)
            .await
            .unwrap();
        assert!(google.iter().all(|d| d.subject_user_id.as_deref() == Some(demo::BEN)));
        assert!(google.iter().all(|d| d.fingerprint.len() == 64 && d.consent_id.is_some()));
        let fabrikam_features = tenant_feature::Entity::find()
            .filter(tenant_feature::Column::TenantId.eq(demo::FABRIKAM))
            .filter(tenant_feature::Column::Enabled.eq(true))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(fabrikam_features, 0);
        let accounts = account::Entity::find().count(&app.db).await.unwrap();
        assert_eq!(accounts, 7);
    }

    async fn a_bulk_load_builds_the_same_indexes_again_and_writes_the_same_rows(app) {
        use sea_orm::ConnectionTrait;
        let indexes = |db: sea_orm::DatabaseConnection| async move {
            let sql = match db.get_database_backend() {
                sea_orm::DatabaseBackend::Sqlite => "SELECT name AS n, sql AS d FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
                _ => "SELECT indexname AS n, indexdef AS d FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname",
            };
            db.query_all(sea_orm::Statement::from_string(db.get_database_backend(), sql)).await.unwrap()
                .into_iter()
                .map(|r| (r.try_get::<String>("", "n").unwrap(), r.try_get::<String>("", "d").unwrap()))
                .collect::<Vec<_>>()
        };
        let before = indexes(app.db.clone()).await;
        assert!(before.iter().any(|(n, _)| n == "ix_users_tenant_search"), "{before:?}");
        let plan = generator::Plan { users: 80, seed: 43, batch: 30, now: app.clock.now_ms() };
        let loaded = server::seed::bulk::generate(&app.db, &plan, |_| {}).await.unwrap();
        assert!(loaded.report.created);
        assert_eq!(indexes(app.db.clone()).await, before, "every index is back, defined as before");
        let users = directory_user::Entity::find()
            .filter(directory_user::Column::TenantId.eq(loaded.report.tenant_id.clone()))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(users, 80);
        let again = server::seed::bulk::generate(&app.db, &plan, |_| {}).await.unwrap();
        assert!(!again.report.created, "an existing tenant is kept");
        let report = server::services::audit::verify_chain(&app.db, &loaded.report.tenant_id).await.unwrap();
        assert!(report.is_intact());
    }

    async fn the_generator_is_deterministic_and_reuses_an_existing_tenant(app) {
        let plan = generator::Plan { users: 120, seed: 42, batch: 50, now: app.clock.now_ms() };
        let mut batches = 0;
        let first = generator::generate(&app.db, &plan, |_| batches += 1).await.unwrap();
        assert!(first.created);
        assert_eq!(batches, 3);
        assert_eq!(first.users, 120);
        assert!(first.devices >= 120 && first.devices <= 480, "{first:?}");
        assert_eq!(first.tenant_id, generator::tenant_id_for(42));
        let users = directory_user::Entity::find()
            .filter(directory_user::Column::TenantId.eq(first.tenant_id.clone()))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(users, 120);
        let again = generator::generate(&app.db, &plan, |_| {}).await.unwrap();
        assert!(!again.created, "an existing tenant is reused, not duplicated");
        let report = server::services::audit::verify_chain(&app.db, &first.tenant_id).await.unwrap();
        assert!(report.is_intact());
        assert_eq!(report.events, first.audit_events);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_generates_the_same_data_in_two_databases() {
    let a = crate::helpers::TestApp::spawn_sqlite().await;
    let b = crate::helpers::TestApp::spawn_sqlite().await;
    let plan = generator::Plan {
        users: 30,
        seed: 9,
        batch: 100,
        now: crate::helpers::at(crate::helpers::TEST_START),
    };
    let ra = generator::generate(&a.db, &plan, |_| {}).await.unwrap();
    let rb = generator::generate(&b.db, &plan, |_| {}).await.unwrap();
    assert_eq!(
        (ra.users, ra.devices, ra.apps, ra.disclosures),
        (rb.users, rb.devices, rb.apps, rb.disclosures)
    );
    let names = |db| async move {
        directory_user::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|u| (u.id, u.upn))
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(names(&a.db).await, names(&b.db).await);
}
