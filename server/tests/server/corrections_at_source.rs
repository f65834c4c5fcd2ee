//! Corrections of fields owned elsewhere: recorded as a task for the source, they change
//! nothing (no value, no version, no follow-up) until the source's own data, brought by an
//! import, shows the new value; then the task is applied, the version moves on with the import
//! as the one who changed it, the audit trail records the change, the recipients that received
//! the field are told, and the end user whose request it was learns that it is done.

use crate::helpers::{graph_user, import_records, on_both_databases, TestApp};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::Value;
use server::entities::{audit_event, correction_request, follow_up_task};
use server::seed::demo;

const DIEGO_UPN: &str = "diego.siciliani@contoso.com";
const BEN_UPN: &str = "ben.okafor@contoso.com";

fn field<'a>(record: &'a Value, name: &str) -> &'a Value {
    record["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == name)
        .unwrap_or_else(|| panic!("no field {name}"))
}

async fn tasks_for(app: &TestApp, record: &str, name: &str) -> Vec<String> {
    follow_up_task::Entity::find()
        .filter(follow_up_task::Column::RecordId.eq(record))
        .filter(follow_up_task::Column::Field.eq(name))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.recipient_id)
        .collect()
}

async fn route_diegos_name(app: &TestApp, admin: &reqwest::Client, value: &str) -> (u16, Value) {
    let form = [
        ("user_id", demo::DIEGO),
        ("record_id", demo::DIEGO),
        ("field", "display_name"),
        ("value", value),
        ("base_version", "0"),
        ("reason", "Name changed after marriage"),
    ];
    app.call(admin, "users/route", &form).await
}

on_both_databases! { demo;
    async fn a_routed_correction_is_applied_only_when_the_import_shows_the_new_value(app) {
        let admin = app.client_as("Megan Bowen").await;
        let (status, outcome) = route_diegos_name(&app, &admin, "Diego Siciliani-Rossi").await;
        assert_eq!(status, 200, "{outcome}");
        assert!(tasks_for(&app, demo::DIEGO, "display_name").await.is_empty());

        // The directory brings another name: the task stays open; the directory's own change
        // is audited and told like any change of a disclosed value, once.
        import_records(&app, demo::CONTOSO, &[graph_user(demo::DIEGO, DIEGO_UPN, "Diego S.")]).await;
        let (_, diego) = app.call(&admin, "users/data", &[("user_id", demo::DIEGO)]).await;
        assert_eq!(diego["routed"][0]["status"], "routed");
        assert_eq!(tasks_for(&app, demo::DIEGO, "display_name").await, ["teamviewer"]);
        assert_eq!(field(&diego["user"], "display_name")["version"], 1);

        // The directory shows the corrected name: applied, versioned, audited, told.
        let report = import_records(&app, demo::CONTOSO, &[graph_user(demo::DIEGO, DIEGO_UPN, "Diego Siciliani-Rossi")]).await;
        assert_eq!(report.users_updated, 1);
        let (_, diego) = app.call(&admin, "users/data", &[("user_id", demo::DIEGO)]).await;
        assert_eq!(diego["routed"][0]["status"], "applied");
        let name = field(&diego["user"], "display_name");
        assert_eq!(name["value"], "Diego Siciliani-Rossi");
        assert_eq!(name["version"], 2);
        assert_eq!(name["changed_by"], "bulk import", "the source changed it, not the admin");
        assert_eq!(tasks_for(&app, demo::DIEGO, "display_name").await, ["teamviewer", "teamviewer"], "one per change");
        let event = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("correction.applied"))
            .one(&app.db).await.unwrap().unwrap();
        assert_eq!(event.target_id, demo::DIEGO);
        assert!(event.changes.contains("Diego S.") && event.changes.contains("Diego Siciliani-Rossi"), "{}", event.changes);

        // The same data again completes nothing a second time.
        import_records(&app, demo::CONTOSO, &[graph_user(demo::DIEGO, DIEGO_UPN, "Diego Siciliani-Rossi")]).await;
        assert_eq!(tasks_for(&app, demo::DIEGO, "display_name").await.len(), 2);
        let applied = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("correction.applied"))
            .count(&app.db).await.unwrap();
        assert_eq!(applied, 1);
        assert!(server::services::audit::verify_chain(&app.db, demo::CONTOSO).await.unwrap().is_intact());
    }

    async fn an_approved_request_for_a_directory_field_waits_for_entra_id_and_its_requester_learns_when_it_is_done(app) {
        // Ben's open request (demo): his display name should be "Benjamin Okafor".
        let lee = app.client_as("Lee Gu").await;
        let (_, queue) = app.call(&lee, "review/queue", &[]).await;
        let id = queue["items"].as_array().unwrap().iter()
            .find(|r| r["subject_user_id"] == demo::BEN && r["field"] == "display_name")
            .unwrap_or_else(|| panic!("{queue}"))["id"].as_i64().unwrap();
        let id_text = id.to_string();
        let (status, review) = app.call(&lee, "review/request", &[("id", &id_text)]).await;
        assert_eq!(status, 200, "{review}");
        let form = [
            ("id", id_text.as_str()),
            ("request_version", &review["request"]["version"].to_string()),
            ("field_version", &review["field_version"].to_string()),
        ];
        let (status, outcome) = app.call(&lee, "review/approve", &form).await;
        assert_eq!(status, 200, "{outcome}");
        assert_eq!(outcome["waiting_for"], "directory");
        assert_eq!(outcome["informed_recipients"], serde_json::json!([]));

        let ben = app.client_as("Ben Okafor").await;
        let (_, mine) = app.call(&ben, "requests/mine", &[]).await;
        let request = mine.as_array().unwrap().iter().find(|r| r["id"] == id).unwrap().clone();
        assert_eq!(request["status"], "approved");
        assert_eq!(request["at_source"]["status"], "routed");
        assert_eq!(request["at_source"]["route"], "directory");
        let (_, me) = app.call(&ben, "me/data", &[]).await;
        assert_eq!(field(&me["data"]["user"], "display_name")["value"], "Ben Okafor", "nothing changed yet");
        assert_eq!(field(&me["data"]["user"], "display_name")["version"], 0, "the approver did not change the value");
        let megan = app.client_as("Megan Bowen").await;
        let (_, board) = app.call(&megan, "dashboard", &[]).await;
        assert_eq!(board["waiting_for_source"], 1, "{board}");

        import_records(&app, demo::CONTOSO, &[graph_user(demo::BEN, BEN_UPN, "Benjamin Okafor")]).await;
        let (_, mine) = app.call(&ben, "requests/mine", &[]).await;
        let request = mine.as_array().unwrap().iter().find(|r| r["id"] == id).unwrap().clone();
        assert_eq!(request["at_source"]["status"], "applied");
        assert!(request["at_source"]["applied_at"].is_i64());
        let told = tasks_for(&app, demo::BEN, "display_name").await;
        assert_eq!(request["informed_recipients"].as_array().unwrap().len(), told.len(), "{request}");
        let (_, notes) = app.call(&ben, "notifications/list", &[]).await;
        assert_eq!(notes[0]["kind"], "correction.applied", "{notes}");
        let (_, me) = app.call(&ben, "me/data", &[]).await;
        assert_eq!(field(&me["data"]["user"], "display_name")["value"], "Benjamin Okafor");
        assert_eq!(field(&me["data"]["user"], "display_name")["changed_by"], "bulk import");
        let (_, board) = app.call(&megan, "dashboard", &[]).await;
        assert_eq!(board["waiting_for_source"], 0, "{board}");
    }

    async fn an_admin_cannot_route_a_value_the_field_already_holds_or_a_field_corrected_here(app) {
        let admin = app.client_as("Megan Bowen").await;
        let (status, body) = route_diegos_name(&app, &admin, "Diego Siciliani").await;
        assert_eq!(status, 422, "{body}");
        let iphone = "d1000000-0000-4000-8000-0000000000d1";
        let form = [("user_id", demo::ADELE), ("record_id", iphone), ("field", "management_name"), ("value", "Adele phone"), ("base_version", "0"), ("reason", "Naming")];
        let (status, body) = app.call(&admin, "users/route", &form).await;
        assert_eq!(status, 422, "{body}");
        let routed = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("correction.routed"))
            .order_by_desc(audit_event::Column::Id)
            .count(&app.db).await.unwrap();
        assert_eq!(routed, 0, "a refusal writes nothing");
    }

    async fn approving_a_request_for_a_value_the_source_already_holds_completes_it_at_once(app) {
        // Entra ID was corrected before the reviewer got to Ben's request.
        import_records(&app, demo::CONTOSO, &[graph_user(demo::BEN, BEN_UPN, "Benjamin Okafor")]).await;
        let lee = app.client_as("Lee Gu").await;
        let id = bens_request(&app, &lee).await;
        let (status, outcome) = approve(&app, &lee, id).await;
        assert_eq!(status, 200, "{outcome}");
        assert_eq!(outcome["waiting_for"], Value::Null, "nothing left to wait for");
        let ben = app.client_as("Ben Okafor").await;
        let (_, mine) = app.call(&ben, "requests/mine", &[]).await;
        let request = mine.as_array().unwrap().iter().find(|r| r["id"] == id).unwrap().clone();
        assert_eq!(request["at_source"]["status"], "applied", "{request}");
    }

    async fn a_task_routed_while_an_import_ran_is_completed_by_the_next_import_of_the_same_data(app) {
        let admin = app.client_as("Megan Bowen").await;
        assert_eq!(route_diegos_name(&app, &admin, "Diego Siciliani-Rossi").await.0, 200);
        let task = || correction_request::Entity::find()
            .filter(correction_request::Column::SubjectUserId.eq(demo::DIEGO))
            .filter(correction_request::Column::Field.eq("display_name"))
            .one(&app.db);
        // The race: the batch that brought the value did not see the task yet.
        let set_status = |status: &'static str| {
            let db = app.db.clone();
            async move {
                correction_request::Entity::update_many()
                    .col_expr(correction_request::Column::Status, Expr::value(status))
                    .filter(correction_request::Column::SubjectUserId.eq(demo::DIEGO))
                    .exec(&db).await.unwrap();
            }
        };
        set_status("superseded").await;
        let record = graph_user(demo::DIEGO, DIEGO_UPN, "Diego Siciliani-Rossi");
        import_records(&app, demo::CONTOSO, std::slice::from_ref(&record)).await;
        set_status("routed").await;
        let version = || server::entities::field_version::Entity::find_by_id((demo::DIEGO.to_owned(), "display_name".to_owned())).one(&app.db);
        let before = version().await.unwrap().map(|v| v.version);
        let follow_ups = follow_up_task::Entity::find().count(&app.db).await.unwrap();
        // The file of the next run is the same: nothing changes, and the task is done.
        import_records(&app, demo::CONTOSO, &[record]).await;
        assert_eq!(task().await.unwrap().unwrap().status.as_str(), "applied");
        assert_eq!(version().await.unwrap().map(|v| v.version), before, "the change was versioned once, by the import that brought it");
        assert_eq!(follow_up_task::Entity::find().count(&app.db).await.unwrap(), follow_ups, "and its recipients were told once");
    }

    async fn a_newer_correction_of_a_field_replaces_the_one_still_waiting(app) {
        let admin = app.client_as("Megan Bowen").await;
        assert_eq!(route_diegos_name(&app, &admin, "Diego Rossi").await.0, 200);
        assert_eq!(route_diegos_name(&app, &admin, "Diego Siciliani-Rossi").await.0, 200);
        let (_, diego) = app.call(&admin, "users/data", &[("user_id", demo::DIEGO)]).await;
        let states: Vec<&str> = diego["routed"].as_array().unwrap().iter().filter_map(|r| r["status"].as_str()).collect();
        assert_eq!(states, ["routed", "superseded"], "newest first: {diego}");
        // The older value arriving later completes nothing.
        import_records(&app, demo::CONTOSO, &[graph_user(demo::DIEGO, DIEGO_UPN, "Diego Rossi")]).await;
        let applied = || audit_event::Entity::find().filter(audit_event::Column::Action.eq("correction.applied")).count(&app.db);
        assert_eq!(applied().await.unwrap(), 0);
        import_records(&app, demo::CONTOSO, &[graph_user(demo::DIEGO, DIEGO_UPN, "Diego Siciliani-Rossi")]).await;
        assert_eq!(applied().await.unwrap(), 1);
    }

    async fn a_restriction_holds_while_the_approved_correction_waits_for_its_source(app) {
        let adele = app.client_as("Adele Vance").await;
        let iphone = "d1000000-0000-4000-8000-0000000000d1";
        let kinds = || async {
            follow_up_task::Entity::find()
                .filter(follow_up_task::Column::Field.eq("asset_tag"))
                .order_by_asc(follow_up_task::Column::Id)
                .all(&app.db).await.unwrap()
                .into_iter().map(|t| t.kind.as_str().to_owned()).collect::<Vec<_>>()
        };
        let form = [("record_id", iphone), ("field", "asset_tag"), ("value", "CONTOSO-0042"), ("reason", "The tag says otherwise"), ("restrict_sharing", "on")];
        let (status, request) = app.call(&adele, "requests/create", &form).await;
        assert_eq!(status, 200, "{request}");
        let lee = app.client_as("Lee Gu").await;
        let (status, outcome) = approve(&app, &lee, request["id"].as_i64().unwrap()).await;
        assert_eq!(status, 200, "{outcome}");
        assert_eq!(kinds().await, ["notify_restriction"], "the value is still wrong at the partner: the restriction stays");
        let routed = server::entities::correction_request::Entity::find()
            .filter(server::entities::correction_request::Column::OriginRequestId.eq(request["id"].as_i64().unwrap()))
            .one(&app.db).await.unwrap().unwrap();
        assert!(routed.restrict_sharing);
        // A newer correction without a restriction replaces it: the end is told.
        let megan = app.client_as("Megan Bowen").await;
        let form = [("user_id", demo::ADELE), ("record_id", iphone), ("field", "asset_tag"), ("value", "CONTOSO-0043"), ("base_version", "0"), ("reason", "Relabelled")];
        assert_eq!(app.call(&megan, "users/route", &form).await.0, 200);
        assert_eq!(kinds().await, ["notify_restriction", "notify_restriction_lifted"]);
    }
}

async fn bens_request(app: &TestApp, lee: &reqwest::Client) -> i64 {
    let (_, queue) = app.call(lee, "review/queue", &[]).await;
    queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["subject_user_id"] == demo::BEN && r["field"] == "display_name")
        .unwrap_or_else(|| panic!("{queue}"))["id"]
        .as_i64()
        .unwrap()
}

/// Approves with the versions the review page shows.
async fn approve(app: &TestApp, lee: &reqwest::Client, id: i64) -> (u16, Value) {
    let id_text = id.to_string();
    let (status, review) = app.call(lee, "review/request", &[("id", &id_text)]).await;
    assert_eq!(status, 200, "{review}");
    let form = [
        ("id", id_text.as_str()),
        ("request_version", &review["request"]["version"].to_string()),
        ("field_version", &review["field_version"].to_string()),
    ];
    app.call(lee, "review/approve", &form).await
}
