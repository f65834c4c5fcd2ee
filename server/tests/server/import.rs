//! `server import`: a Graph export's users and devices are validated, upserted by id within
//! one tenant, reported line by line when refused, and written batch by batch.

use crate::helpers::on_both_databases;
use app::i18n::Locale;
use sea_orm::{ColumnTrait, QueryFilter};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait};
use serde_json::{json, Value};
use server::entities::{audit_event, device, directory_user, field_version};
use server::seed::demo::{self, ADELE, BEN, CONTOSO, FABRIKAM, FAB_USER};
use server::services::import::{import_file, BatchFailed, ImportReport, Rejection};
use std::path::{Path, PathBuf};

const NEW_USER: &str = "c0000000-0000-4000-8000-000000000001";
const OTHER_NEW_USER: &str = "c0000000-0000-4000-8000-000000000002";
const NEW_PHONE: &str = "dd000000-0000-4000-8000-000000000001";
const SHARED_SCANNER: &str = "dd000000-0000-4000-8000-000000000002";
const ADELES_TABLET: &str = "dd000000-0000-4000-8000-000000000003";
const FABRIKAM_PHONE: &str = "f1000000-0000-4000-8000-0000000000f1";
const AFTER_FAILURE: &str = "c0000000-0000-4000-8000-000000000005";
const BAD_IMEI: &str = "356938035643808";
const BAD_MAC: &str = "AA:BB:CC:DD:EE";

/// A valid IMEI: 14 digits and their Luhn check digit.
fn imei(payload: &str) -> String {
    format!("{payload}{}", server::seed::rows::luhn_digit(payload))
}

fn graph_user(id: &str, upn: &str, name: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.user",
        "id": id,
        "userPrincipalName": upn,
        "displayName": name,
        "mail": null,
        "mobilePhone": null,
        "businessPhones": [],
        "department": "",
        "jobTitle": null
    })
}

/// A Graph `managedDevice` in the shape an export has it, without `@odata.type` (the kind is
/// then read from `deviceName`).
fn graph_device(id: &str, user_id: Option<&str>, name: &str) -> Value {
    json!({
        "id": id,
        "userId": user_id.unwrap_or(""),
        "userPrincipalName": "",
        "deviceName": name,
        "managedDeviceName": "",
        "serialNumber": "F2LXK0ZZZZ99",
        "imei": imei("35693803564381"),
        "meid": "",
        "udid": "",
        "wiFiMacAddress": "021a2b3c4d99",
        "ethernetMacAddress": null,
        "phoneNumber": "+1 (425) 555-0199",
        "iccid": "",
        "subscriberCarrier": "Contoso Mobile",
        "manufacturer": "Apple",
        "model": "iPhone 15",
        "operatingSystem": "iOS",
        "osVersion": "17.5",
        "managedDeviceOwnerType": "company",
        "deviceEnrollmentType": "appleBulkWithUser",
        "complianceState": "compliant",
        "enrolledDateTime": "2025-01-05T09:30:00Z",
        "lastSyncDateTime": "2025-06-01T12:00:00.1234567+02:00",
        "isSupervised": true,
        "isEncrypted": true,
        "azureADDeviceId": "00000000-0000-0000-0000-000000000000",
        "deviceCategoryDisplayName": "Unknown"
    })
}

fn with(mut value: Value, key: &str, field: Value) -> Value {
    value[key] = field;
    value
}

/// Writes JSON Lines, each record on its own line and the file ending in a newline.
fn jsonl(dir: &Path, lines: &[String]) -> PathBuf {
    let path = dir.join("export.jsonl");
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(&path, text).unwrap();
    path
}

fn lines(values: &[Value]) -> Vec<String> {
    values.iter().map(Value::to_string).collect()
}

async fn user(db: &DatabaseConnection, id: &str) -> Option<directory_user::Model> {
    directory_user::Entity::find_by_id(id.to_owned())
        .one(db)
        .await
        .unwrap()
}

async fn device(db: &DatabaseConnection, id: &str) -> Option<device::Model> {
    device::Entity::find_by_id(id.to_owned())
        .one(db)
        .await
        .unwrap()
}

async fn all_rows(db: &DatabaseConnection) -> (Vec<directory_user::Model>, Vec<device::Model>) {
    (
        directory_user::Entity::find().all(db).await.unwrap(),
        device::Entity::find().all(db).await.unwrap(),
    )
}

fn lines_fields(report: &ImportReport) -> Vec<(u64, Option<&str>)> {
    report
        .rejected
        .iter()
        .map(|r| (r.line, r.field.as_deref()))
        .collect()
}

fn the_good_file() -> Vec<String> {
    lines(&[
        with(
            graph_user(NEW_USER, "Grady.Archie@CONTOSO.com", " Grady Archie "),
            "businessPhones",
            json!(["+1 425 555 0150"]),
        ),
        with(
            graph_device(NEW_PHONE, Some(NEW_USER), "Grady's iPhone"),
            "@odata.type",
            json!("#microsoft.graph.managedDevice"),
        ),
        with(
            graph_user(OTHER_NEW_USER, "joni.sherman@contoso.com", "Joni Sherman"),
            "mail",
            json!("Joni.Sherman@Contoso.COM"),
        ),
        graph_device(SHARED_SCANNER, None, "Warehouse TC57 #9"),
        graph_device(ADELES_TABLET, Some(ADELE), "Adele's iPad"),
    ])
}

on_both_databases! {
    async fn a_good_file_of_users_and_devices_imports_and_importing_it_again_changes_nothing(app) {
        demo::load(&app.db, app.clock.now_ms()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = jsonl(dir.path(), &the_good_file());

        let first = import_file(&app.db, CONTOSO, &path, 2, &app.clock).await.unwrap();
        assert_eq!(first.rejected, Vec::<Rejection>::new());
        assert_eq!((first.users_inserted, first.devices_inserted), (2, 3));
        assert_eq!((first.users_updated, first.devices_updated, first.unchanged), (0, 0, 0));

        let grady = user(&app.db, NEW_USER).await.unwrap();
        assert_eq!(grady.tenant_id, CONTOSO);
        assert_eq!(grady.upn, "Grady.Archie@contoso.com", "the domain is lowercased");
        assert_eq!(grady.display_name, "Grady Archie");
        assert_eq!(grady.search_name, "grady archie");
        assert_eq!(grady.email.as_deref(), Some("Grady.Archie@contoso.com"), "no mail: the UPN");
        assert_eq!(grady.phone.as_deref(), Some("+14255550150"));
        assert_eq!(grady.department, None);
        assert_eq!(grady.version, 0);
        let joni = user(&app.db, OTHER_NEW_USER).await.unwrap();
        assert_eq!(joni.email.as_deref(), Some("Joni.Sherman@contoso.com"));

        let phone = device(&app.db, NEW_PHONE).await.unwrap();
        assert_eq!(phone.primary_user_id.as_deref(), Some(NEW_USER));
        assert_eq!(phone.wifi_mac.as_deref(), Some("02:1A:2B:3C:4D:99"));
        assert_eq!(phone.phone_number.as_deref(), Some("+14255550199"));
        assert_eq!(phone.imei.as_deref(), Some(imei("35693803564381").as_str()));
        assert_eq!(phone.entra_device_id, None, "Graph's all-zero GUID is no id");
        assert_eq!(phone.device_category, None);
        assert_eq!(
            (phone.platform.as_str(), phone.ownership.as_str(), phone.enrollment_type.as_deref()),
            ("ios", "corporate", Some("apple_ade"))
        );
        assert_eq!(phone.enrolled_at, 1_736_069_400_000);
        assert_eq!(phone.last_check_in_at, 1_748_772_000_123, "12:00:00.123 at +02:00");
        assert_eq!(phone.version, 0);
        let scanner = device(&app.db, SHARED_SCANNER).await.unwrap();
        assert_eq!(scanner.primary_user_id, None, "a shared device");
        let tablet = device(&app.db, ADELES_TABLET).await.unwrap();
        assert_eq!(tablet.primary_user_id.as_deref(), Some(ADELE));

        let before = all_rows(&app.db).await;
        let second = import_file(&app.db, CONTOSO, &path, 2, &app.clock).await.unwrap();
        assert_eq!(
            second,
            ImportReport { unchanged: 5, ..ImportReport::default() },
            "nothing inserted or updated the second time"
        );
        assert_eq!(all_rows(&app.db).await, before, "not a version or a time moved");
    }

    async fn bad_records_are_reported_by_line_field_and_reason_and_the_good_ones_are_kept(app) {
        demo::load(&app.db, app.clock.now_ms()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let stranger = "c0000000-0000-4000-8000-0000000000ff";
        let mut file = lines(&[
            graph_user(NEW_USER, "grady.archie@contoso.com", "Grady Archie"),
            with(
                graph_device("dd000000-0000-4000-8000-0000000000a2", Some(NEW_USER), "A2"),
                "imei",
                json!(BAD_IMEI),
            ),
            with(
                graph_device("dd000000-0000-4000-8000-0000000000a3", Some(NEW_USER), "A3"),
                "wiFiMacAddress",
                json!(BAD_MAC),
            ),
            graph_device("dd000000-0000-4000-8000-0000000000a4", Some(stranger), "A4"),
        ]);
        let not_json = r#"{"id": "dd000000-0000-4000-8000-0000000000a5", "deviceName": "A5",, }"#;
        file.push(not_json.to_owned());
        file.extend(lines(&[
            graph_device(NEW_PHONE, Some(NEW_USER), "Grady's iPhone"),
            graph_device("dd000000-0000-4000-8000-0000000000a7", Some(OTHER_NEW_USER), "A7"),
            graph_user(OTHER_NEW_USER, "joni.sherman@contoso.com", "Joni Sherman"),
            graph_user(NEW_USER, "grady.archie2@contoso.com", "Grady Again"),
        ]));
        let path = jsonl(dir.path(), &file);

        let report = import_file(&app.db, CONTOSO, &path, 1000, &app.clock).await.unwrap();
        assert_eq!(
            lines_fields(&report),
            vec![
                (2, Some("imei")),
                (3, Some("wiFiMacAddress")),
                (4, Some("userId")),
                (5, None),
                (7, Some("userId")),
                (9, Some("id")),
            ],
            "{:#?}",
            report.rejected
        );
        let reasons: Vec<String> = report.rejected.iter().map(|r| r.reason.message(Locale::En)).collect();
        assert_eq!(reasons[0], "The check digit is wrong. Check the number for typing errors.");
        assert_eq!(reasons[1], "Enter a MAC address such as 02:1A:2B:3C:4D:01.");
        assert!(reasons[2].contains("not a user of this tenant"), "{}", reasons[2]);
        assert!(reasons[3].contains("not valid JSON"), "{}", reasons[3]);
        assert!(reasons[4].contains("earlier in the file"), "a user on a later line is too late");
        assert!(reasons[5].contains("line 1"), "{}", reasons[5]);
        for rejection in &report.rejected {
            let shown = rejection.describe(app::i18n::Locale::En);
            for value in [BAD_IMEI, BAD_MAC, stranger, "A5"] {
                assert!(!shown.contains(value), "a value leaked: {shown}");
            }
        }

        assert_eq!((report.users_inserted, report.devices_inserted), (2, 1));
        assert!(device(&app.db, NEW_PHONE).await.is_some());
        let grady = user(&app.db, NEW_USER).await.unwrap();
        assert_eq!(grady.display_name, "Grady Archie", "the repeat was refused");
        for refused in ["a2", "a3", "a4", "a5", "a7"] {
            let id = format!("dd000000-0000-4000-8000-0000000000{refused}");
            assert!(device(&app.db, &id).await.is_none(), "{id} was stored");
        }
    }

    async fn a_truncated_last_line_is_rejected_without_affecting_the_rest(app) {
        demo::load(&app.db, app.clock.now_ms()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.jsonl");
        let mut text = lines(&[
            graph_user(NEW_USER, "grady.archie@contoso.com", "Grady Archie"),
            graph_device(NEW_PHONE, Some(NEW_USER), "Grady's iPhone"),
        ])
        .join("\n");
        let whole = graph_device(SHARED_SCANNER, None, "Warehouse TC57 #9").to_string();
        text.push('\n');
        text.push_str(&whole[..whole.len() / 2]);
        std::fs::write(&path, text).unwrap();

        let report = import_file(&app.db, CONTOSO, &path, 1000, &app.clock).await.unwrap();
        assert_eq!(lines_fields(&report), vec![(3, None)]);
        assert!(report.rejected[0].reason.message(Locale::En).contains("cut off"), "{:?}", report.rejected);
        assert_eq!((report.users_inserted, report.devices_inserted), (1, 1));
        assert!(device(&app.db, NEW_PHONE).await.is_some());
        assert!(device(&app.db, SHARED_SCANNER).await.is_none());
    }

    async fn what_the_platform_never_collects_is_not_stored_even_when_the_file_carries_it(app) {
        demo::load(&app.db, app.clock.now_ms()).await.unwrap();
        let personal = [
            ("operatingSystem", json!("Android")),
            ("osVersion", json!("14")),
            ("manufacturer", json!("Google")),
            ("model", json!("Pixel 8")),
            ("managedDeviceOwnerType", json!("personal")),
            ("deviceEnrollmentType", json!("android_work_profile_personal")),
        ]
        .into_iter()
        .fold(graph_device(NEW_PHONE, None, "Personal Pixel"), |d, (k, v)| with(d, k, v));
        let dir = tempfile::tempdir().unwrap();
        let path = jsonl(dir.path(), &lines(&[personal, graph_device(SHARED_SCANNER, None, "Warehouse iPhone")]));
        let report = import_file(&app.db, CONTOSO, &path, 1000, &app.clock).await.unwrap();
        assert_eq!(report.devices_inserted, 2, "{:?}", report.rejected);
        let pixel = device(&app.db, NEW_PHONE).await.unwrap();
        // Android 12 and later do not report hardware ids of a personal work profile.
        assert_eq!((pixel.serial_number, pixel.imei, pixel.wifi_mac), (None, None, None));
        assert!(pixel.phone_number.is_some(), "collected, and shown to the tenant masked");
        let corporate = device(&app.db, SHARED_SCANNER).await.unwrap();
        assert!(corporate.serial_number.is_some() && corporate.imei.is_some());
    }

    async fn an_import_audits_each_changed_field_under_its_visibility_rule_and_versions_it(app) {
        demo::load(&app.db, app.clock.now_ms()).await.unwrap();
        const PIXEL: &str = "d2000000-0000-4000-8000-0000000000d2";
        let pixel = [
            ("operatingSystem", json!("Android")),
            ("osVersion", json!("14")),
            ("manufacturer", json!("Google")),
            ("model", json!("Pixel 8")),
            ("managedDeviceOwnerType", json!("personal")),
            ("deviceEnrollmentType", json!("android_work_profile_personal")),
            ("phoneNumber", json!("+1 425 555 0199")),
        ]
        .into_iter()
        .fold(graph_device(PIXEL, Some(BEN), "Ben's Pixel"), |d, (k, v)| with(d, k, v));
        let dir = tempfile::tempdir().unwrap();
        let path = jsonl(dir.path(), &lines(&[pixel]));
        let report = import_file(&app.db, CONTOSO, &path, 1000, &app.clock).await.unwrap();
        assert_eq!(report.devices_updated, 1, "{:?}", report.rejected);
        let event = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("import.changed"))
            .filter(audit_event::Column::TargetId.eq(PIXEL))
            .one(&app.db).await.unwrap().expect("the change is audited");
        assert_eq!(event.subject_user_id.as_deref(), Some(BEN));
        assert!(event.changes.contains("phone_number"), "{}", event.changes);
        assert!(event.changes.contains("0199") && !event.changes.contains("4255550199"), "the number is masked as on the page: {}", event.changes);
        assert!(!event.changes.contains("4255550122"), "{}", event.changes);
        let version = field_version::Entity::find_by_id((PIXEL.to_owned(), "phone_number".to_owned()))
            .one(&app.db).await.unwrap().expect("versioned");
        assert_eq!((version.version, version.changed_by.as_str()), (1, "bulk import"));
        assert!(server::services::audit::verify_chain(&app.db, CONTOSO).await.unwrap().is_intact());
    }

    async fn importing_a_changed_user_updates_it_and_bumps_its_version_once(app) {
        demo::load(&app.db, app.clock.now_ms()).await.unwrap();
        let adele_before = user(&app.db, ADELE).await.unwrap();
        let ben_before = user(&app.db, BEN).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = jsonl(dir.path(), &lines(&[
            json!({
                "id": ADELE,
                "userPrincipalName": "adele.vance@contoso.com",
                "displayName": "Adele Vance",
                "mobilePhone": "+1 425 555 0101",
                "department": "Sales"
            }),
            json!({
                "id": BEN,
                "userPrincipalName": "ben.okafor@contoso.com",
                "displayName": "Ben Okafor",
                "businessPhones": ["+1 425 555 0102"],
                "department": "Field Service"
            }),
        ]));

        let report = import_file(&app.db, CONTOSO, &path, 1000, &app.clock).await.unwrap();
        assert_eq!((report.users_updated, report.unchanged, report.users_inserted), (1, 1, 0));
        let adele = user(&app.db, ADELE).await.unwrap();
        assert_eq!(adele.department.as_deref(), Some("Sales"));
        assert_eq!(adele.version, adele_before.version + 1);
        assert_eq!(adele.created_at, adele_before.created_at);
        assert!(adele.updated_at >= adele_before.updated_at);
        assert_eq!(user(&app.db, BEN).await.unwrap(), ben_before, "same values: untouched");

        let again = import_file(&app.db, CONTOSO, &path, 1000, &app.clock).await.unwrap();
        assert_eq!((again.users_updated, again.unchanged), (0, 2));
        assert_eq!(user(&app.db, ADELE).await.unwrap(), adele, "bumped once, not per import");
    }

    async fn an_id_from_another_tenant_is_rejected_and_that_tenants_rows_are_unchanged(app) {
        demo::load(&app.db, app.clock.now_ms()).await.unwrap();
        let nestor = user(&app.db, FAB_USER).await.unwrap();
        let nestors_phone = device(&app.db, FABRIKAM_PHONE).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = jsonl(dir.path(), &lines(&[
            graph_user(FAB_USER, "nestor.wilke@contoso.com", "Nestor Wilke"),
            graph_device(FABRIKAM_PHONE, Some(ADELE), "Moved Galaxy"),
            graph_device(NEW_PHONE, Some(FAB_USER), "Borrowed phone"),
            graph_user(NEW_USER, "grady.archie@contoso.com", "Grady Archie"),
        ]));

        let report = import_file(&app.db, CONTOSO, &path, 1000, &app.clock).await.unwrap();
        assert_eq!(
            lines_fields(&report),
            vec![(1, Some("id")), (2, Some("id")), (3, Some("userId"))]
        );
        assert!(report.rejected[0].reason.message(Locale::En).contains("another tenant"));
        assert_eq!(report.users_inserted, 1, "the rest of the file is kept");
        assert_eq!(user(&app.db, FAB_USER).await.unwrap(), nestor);
        assert_eq!(nestor.tenant_id, FABRIKAM);
        assert_eq!(device(&app.db, FABRIKAM_PHONE).await.unwrap(), nestors_phone);
        assert!(device(&app.db, NEW_PHONE).await.is_none());
    }

    async fn a_batch_the_database_refuses_is_rolled_back_whole_and_stops_the_import(app) {
        demo::load(&app.db, app.clock.now_ms()).await.unwrap();
        let refused = "c0000000-0000-4000-8000-0000000000bd";
        refuse_inserting_user(&app.db, refused).await;
        let adele_before = user(&app.db, ADELE).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = jsonl(dir.path(), &lines(&[
            graph_user(NEW_USER, "grady.archie@contoso.com", "Grady Archie"),
            graph_user(OTHER_NEW_USER, "joni.sherman@contoso.com", "Joni Sherman"),
            // The second batch: an update, written first, then the insert the database refuses.
            with(
                graph_user(ADELE, "adele.vance@contoso.com", "Adele Vance"),
                "department",
                json!("Sales"),
            ),
            graph_user(refused, "refused@contoso.com", "Refused User"),
            graph_user(AFTER_FAILURE, "after@contoso.com", "After Failure"),
        ]));

        let error = import_file(&app.db, CONTOSO, &path, 2, &app.clock).await.unwrap_err();
        let failed = error.downcast_ref::<BatchFailed>().unwrap_or_else(|| panic!("{error:#}"));
        assert_eq!((failed.first_line, failed.last_line), (3, 4));
        assert!(error.to_string().contains("lines 3–4"), "{error}");
        assert_eq!(failed.saved.users_inserted, 2, "the first batch is saved");

        assert!(user(&app.db, NEW_USER).await.is_some());
        assert!(user(&app.db, OTHER_NEW_USER).await.is_some());
        assert_eq!(user(&app.db, ADELE).await.unwrap(), adele_before, "the update was rolled back");
        assert!(user(&app.db, refused).await.is_none());
        assert!(
            user(&app.db, AFTER_FAILURE).await.is_none(),
            "the import stopped"
        );
    }

    async fn an_unknown_tenant_or_an_unreadable_file_is_an_error(app) {
        demo::load(&app.db, app.clock.now_ms()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = jsonl(dir.path(), &the_good_file());
        let unknown = "99999999-0000-4000-8000-000000000000";
        let error = import_file(&app.db, unknown, &path, 1000, &app.clock).await.unwrap_err();
        assert!(error.to_string().contains("no tenant"), "{error:#}");
        let missing = dir.path().join("missing.jsonl");
        let error = import_file(&app.db, CONTOSO, &missing, 1000, &app.clock).await.unwrap_err();
        assert!(format!("{error:#}").contains("opening the import file"), "{error:#}");
        assert!(user(&app.db, NEW_USER).await.is_none());
    }
}

/// Makes the database refuse to insert one user id, as a stand-in for any failure in the
/// middle of a batch (the importer checks everything it can before writing, so a real
/// refusal cannot be provoked through the file alone).
async fn refuse_inserting_user(db: &DatabaseConnection, id: &str) {
    let statements = match db.get_database_backend() {
        DatabaseBackend::Sqlite => vec![format!(
            "CREATE TRIGGER refuse_user BEFORE INSERT ON directory_users \
             WHEN NEW.id = '{id}' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )],
        _ => vec![
            format!(
                "CREATE FUNCTION refuse_user() RETURNS trigger AS $$ BEGIN \
                 IF NEW.id = '{id}' THEN RAISE EXCEPTION 'refused by the test'; END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql"
            ),
            "CREATE TRIGGER refuse_user BEFORE INSERT ON directory_users \
             FOR EACH ROW EXECUTE FUNCTION refuse_user()"
                .to_owned(),
        ],
    };
    for sql in statements {
        db.execute_unprepared(&sql).await.unwrap();
    }
}

/// The binary: a summary and the refused lines on stdout, a non-zero exit when the file
/// cannot be read.
#[test]
fn the_import_command_prints_a_summary_and_fails_when_the_file_cannot_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/portal.db?mode=rwc", dir.path().display());
    let server = || {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
        for (key, _) in std::env::vars() {
            if key.starts_with("PORTAL_") || key == "DATABASE_URL" {
                command.env_remove(key);
            }
        }
        command.env("DATABASE_URL", &url).env("RUST_LOG", "warn");
        command
    };
    let seeded = server().arg("seed-demo").output().unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let path = jsonl(
        dir.path(),
        &lines(&[
            graph_user(NEW_USER, "grady.archie@contoso.com", "Grady Archie"),
            with(
                graph_device(NEW_PHONE, Some(NEW_USER), "Grady's iPhone"),
                "imei",
                json!(BAD_IMEI),
            ),
        ]),
    );

    let output = server()
        .args(["import", "--tenant", CONTOSO, "--batch", "10"])
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("users: 1 inserted"), "{stdout}");
    assert!(stdout.contains("1 rejected"), "{stdout}");
    assert!(
        stdout.contains("line 2: imei: The check digit is wrong"),
        "{stdout}"
    );
    assert!(!stdout.contains(BAD_IMEI), "{stdout}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains('\r'),
        "no progress bar when stderr is not a terminal"
    );

    let missing = server()
        .args(["import", "--tenant", CONTOSO])
        .arg(dir.path().join("missing.jsonl"))
        .output()
        .unwrap();
    assert!(!missing.status.success());
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("opening the import file"), "{stderr}");
}
