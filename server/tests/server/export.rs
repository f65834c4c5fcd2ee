//! Exports of everything held about one user, with the visibility rules applied.

use crate::helpers::on_both_databases;
use app::domain::catalogue::FieldId;
use app::i18n::Locale;
use sea_orm::EntityTrait;
use server::entities::{device, directory_user};
use server::seed::demo;
use server::services::error::ServiceError;
use server::services::{export, records};

fn field<'a>(record: &'a export::RecordExport, name: &str) -> &'a export::FieldValue {
    record
        .fields
        .iter()
        .find(|f| f.field == name)
        .unwrap_or_else(|| panic!("no field {name}"))
}

on_both_databases! {
    async fn a_corporate_iphone_is_exported_in_full_but_its_bypass_code_stays_masked(app) {
        demo::load(&app.db, app.clock.now_ms()).await.unwrap();
        let export = export::export_user(&app.db, demo::CONTOSO, demo::ADELE, Locale::En, 0).await.unwrap();
        assert_eq!(field(&export.user, "upn").value.as_deref(), Some("adele.vance@contoso.com"));
        let iphone = &export.devices[0];
        assert_eq!(field(&iphone.record, "imei").value.as_deref(), Some("356938035643809"));
        assert_eq!(field(&iphone.record, "phone_number").value.as_deref(), Some("+14255550111"));
        let code = field(&iphone.record, "activation_lock_bypass_code");
        assert_eq!(code.shown, "secret");
        let json = serde_json::to_string(&export).unwrap();
        let csv = export::to_csv(&export, Locale::En);
        for text in [&json, &csv] {
            assert!(!text.contains("K2Q7M-9XRTA"), "the bypass code leaked");
        }
        assert_eq!(iphone.apps.len(), 3, "corporate devices show every app");
        assert!(export.disclosures.iter().any(|d| d.recipient == "Apple"));
        assert!(export.disclosures.iter().any(|d| d.recipient == "Lookout for Work" && !d.recipient_is_agent));
        assert!(export.audit.iter().any(|e| e.action == "device.ownership_changed"));
    }

    async fn a_personal_android_work_profile_hides_hardware_ids_and_unmanaged_apps(app) {
        demo::load(&app.db, app.clock.now_ms()).await.unwrap();
        let export = export::export_user(&app.db, demo::CONTOSO, demo::BEN, Locale::En, 0).await.unwrap();
        let pixel = &export.devices[0];
        // An Android 14 personal work profile never reports its hardware ids: they are not
        // held, and the subject's export says so instead of calling them hidden.
        for hidden in ["imei", "serial_number", "wifi_mac"] {
            let f = field(&pixel.record, hidden);
            assert_eq!(f.shown, "not_collected", "{hidden}");
            assert_eq!(f.value, None, "{hidden}");
        }
        let phone = field(&pixel.record, "phone_number");
        assert_eq!(phone.shown, "last_digits");
        assert_eq!(phone.value.as_deref(), Some("••• 0122"));
        assert_eq!(pixel.apps.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["Microsoft Outlook"]);
        assert_eq!(pixel.apps_withheld, 0, "WhatsApp is personal: never inventoried, so nothing is withheld");
        let csv = export::to_csv(&export, Locale::En);
        assert!(!csv.contains("354826110432176"), "the hidden IMEI leaked into the CSV");
        assert!(!csv.contains("WhatsApp"));
        assert_eq!(export.correction_requests.len(), 1);
        assert!(export.disclosures.iter().all(|d| d.recipient == "Google"));
    }

    async fn the_export_lists_what_recipients_have_and_what_is_on_its_way_but_not_what_never_left(app) {
        use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
        use sea_orm::sea_query::Expr;
        use server::entities::disclosure;
        demo::load(&app.db, app.clock.now_ms()).await.unwrap();
        let adele = || disclosure::Entity::find().filter(disclosure::Column::SubjectUserId.eq(demo::ADELE)).order_by_asc(disclosure::Column::Id);
        let rows = adele().all(&app.db).await.unwrap();
        assert!(rows.len() >= 3, "Adele's data went to several recipients");
        let set = |id: i64, status: &'static str| {
            let db = app.db.clone();
            async move {
                disclosure::Entity::update_many()
                    .col_expr(disclosure::Column::DeliveryStatus, Expr::value(status))
                    .filter(disclosure::Column::Id.eq(id))
                    .exec(&db).await.unwrap();
            }
        };
        set(rows[0].id, "pending").await;
        set(rows[1].id, "failed").await;
        let export = export::export_user(&app.db, demo::CONTOSO, demo::ADELE, Locale::En, 0).await.unwrap();
        assert_eq!(export.disclosures.len(), rows.len() - 1, "the failed delivery reached nobody");
        assert_eq!(export.disclosures.iter().filter(|d| d.state == "pending").count(), 1);
        assert!(export.disclosures.iter().filter(|d| d.state != "pending").all(|d| d.state == "received"));
    }

    async fn a_user_of_another_tenant_cannot_be_exported(app) {
        demo::load(&app.db, app.clock.now_ms()).await.unwrap();
        let refused = export::export_user(&app.db, demo::CONTOSO, demo::FAB_USER, Locale::En, 0).await;
        assert!(matches!(refused, Err(ServiceError::NotFound)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csv_export_has_translated_headers_and_one_row_per_item() {
    let app = crate::helpers::TestApp::spawn_sqlite().await;
    demo::load(&app.db, app.clock.now_ms()).await.unwrap();
    let export = export::export_user(&app.db, demo::CONTOSO, demo::ADELE, Locale::Nl, 0)
        .await
        .unwrap();
    let csv = export::to_csv(&export, Locale::Nl);
    let mut lines = csv.split("\r\n").filter(|l| !l.is_empty());
    assert!(lines
        .next()
        .unwrap()
        .starts_with("onderdeel,soort gegeven,id van het gegeven,veld,waarde"));
    let rows = lines.count();
    let expected = export.user.fields.len()
        + export
            .devices
            .iter()
            .map(|d| d.record.fields.len() + d.apps.len())
            .sum::<usize>()
        + export.disclosures.len()
        + export.correction_requests.len()
        + export.audit.len();
    assert_eq!(rows, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_demo_value_passes_its_fields_parser() {
    let app = crate::helpers::TestApp::spawn_sqlite().await;
    demo::load(&app.db, app.clock.now_ms()).await.unwrap();
    let users = directory_user::Entity::find().all(&app.db).await.unwrap();
    for user in &users {
        for &f in FieldId::ALL {
            if let Some(value) = records::user_field(user, f) {
                assert!(
                    f.parse_value(&value).is_ok(),
                    "{} of {}: {:?}",
                    f.as_str(),
                    user.id,
                    f.parse_value(&value)
                );
            }
        }
    }
    for d in device::Entity::find().all(&app.db).await.unwrap() {
        let owner = users
            .iter()
            .find(|u| Some(&u.id) == d.primary_user_id.as_ref())
            .unwrap_or(&users[0]);
        for &f in FieldId::ALL {
            if let Some(value) = records::device_field(&d, owner, f) {
                assert!(
                    f.parse_value(&value).is_ok(),
                    "{} of {}: {:?}",
                    f.as_str(),
                    d.id,
                    f.parse_value(&value)
                );
            }
        }
    }
}

crate::helpers::on_both_databases! { demo;
    async fn every_way_of_exporting_a_user_records_the_same_audit_event(app) {
        use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
        let admin = app.client_as("Megan Bowen").await;
        // The download behind the page's buttons.
        let page = admin.get(app.url(&format!("/users/{}/export?format=csv", demo::ADELE))).send().await.unwrap();
        assert_eq!(page.status(), 200);
        // The REST API.
        let token = crate::api::token(&app, demo::CONTOSO, app::auth::Role::TenantAdmin, None).await;
        assert_eq!(crate::api::get(&app, &format!("/users/{}/export", demo::ADELE), &token).await.0, 200);
        // A background job.
        let (status, job) = app.call(&admin, "jobs/export", &[("kind", "export_user_json"), ("user_id", demo::ADELE)]).await;
        assert_eq!(status, 200, "{job}");
        let exported = || {
            server::entities::audit_event::Entity::find()
                .filter(server::entities::audit_event::Column::Action.eq("user.exported"))
                .filter(server::entities::audit_event::Column::SubjectUserId.eq(demo::ADELE))
                .order_by_asc(server::entities::audit_event::Column::Seq)
        };
        crate::helpers::eventually(30, "the job's export is recorded", || {
            let db = app.db.clone();
            let query = exported();
            async move { query.all(&db).await.unwrap().len() == 3 }
        })
        .await;
        // The command line, on the same database.
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .env_remove("PORTAL_DEMO_MODE")
            .env_remove("PORTAL_CLOCK_START")
            .env("DATABASE_URL", app.database_url())
            .env("PORTAL_LOG_LEVEL", "warn")
            .args(["export", "--tenant", demo::CONTOSO, "--user", demo::ADELE])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let events = exported().all(&app.db).await.unwrap();
        let seen: Vec<(String, String, Option<String>)> = events
            .iter()
            .map(|e| (e.actor_name.clone(), e.target_id.clone(), e.reason.clone()))
            .collect();
        let megan = "Megan Bowen".to_owned();
        let adele = demo::ADELE.to_owned();
        assert_eq!(seen.len(), 4, "{seen:?}");
        assert_eq!(seen[0], (megan.clone(), adele.clone(), Some("csv".into())));
        assert_eq!(seen[1].1, adele, "the API's export names the user");
        assert_eq!(seen[1].2.as_deref(), Some("json"));
        assert_eq!(seen[2], (megan, adele.clone(), Some("json".into())), "the job records its starter");
        assert_eq!(seen[3], ("command line".to_owned(), adele, Some("json".into())));
    }
}
