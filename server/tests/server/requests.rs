//! Correction requests end to end through the server functions: an end user's own data and
//! recipients, filing and withdrawing requests, the review queue, approval through the admin
//! correction path, rejection, idempotent decisions, four-eyes, deadlines and notifications,
//! and the walls between users and tenants.

use crate::helpers::{on_both_databases, TestApp};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::Value;
use server::entities::{audit_event, correction_request, device, follow_up_task, role_assignment};
use server::seed::demo;

const IPHONE: &str = "d1000000-0000-4000-8000-0000000000d1";
const PIXEL: &str = "d2000000-0000-4000-8000-0000000000d2";
const DAY_MS: i64 = 86_400_000;

/// Files a request as `client` and returns the answer.
async fn file(
    app: &TestApp,
    client: &reqwest::Client,
    record: &str,
    field: &str,
    value: &str,
    reason: &str,
) -> (u16, Value) {
    app.call(
        client,
        "requests/create",
        &[
            ("record_id", record),
            ("field", field),
            ("value", value),
            ("reason", reason),
        ],
    )
    .await
}

/// Files a request as Adele that must succeed, and returns it.
async fn adele_files(app: &TestApp, record: &str, field: &str, value: &str) -> Value {
    let adele = app.client_as("Adele Vance").await;
    let (status, request) = file(app, &adele, record, field, value, "It is wrong").await;
    assert_eq!(status, 200, "{request}");
    request
}

/// Approves with the versions the review page shows.
async fn approve(app: &TestApp, client: &reqwest::Client, id: i64) -> (u16, Value) {
    let (status, review) = app
        .call(client, "review/request", &[("id", &id.to_string())])
        .await;
    assert_eq!(status, 200, "{review}");
    let request_version = review["request"]["version"].to_string();
    let field_version = review["field_version"].to_string();
    app.call(
        client,
        "review/approve",
        &[
            ("id", &id.to_string()),
            ("request_version", &request_version),
            ("field_version", &field_version),
        ],
    )
    .await
}

async fn count_actions(app: &TestApp, action: &str) -> u64 {
    audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq(action))
        .count(&app.db)
        .await
        .unwrap()
}

async fn bens_request(app: &TestApp) -> i64 {
    correction_request::Entity::find()
        .filter(correction_request::Column::SubjectUserId.eq(demo::BEN))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id
}

fn id_of(request: &Value) -> i64 {
    request["id"].as_i64().unwrap()
}

on_both_databases! { demo;
    async fn an_end_user_sees_their_own_data_with_sources_and_who_received_it(app) {
        let adele = app.client_as("Adele Vance").await;
        let (status, mine) = app.call(&adele, "me/data", &[]).await;
        assert_eq!(status, 200, "{mine}");
        assert_eq!(mine["data"]["user"]["id"], demo::ADELE);
        assert_eq!(mine["data"]["devices"][0]["record"]["id"], IPHONE);
        for staff_only in ["history", "follow_ups", "routed"] {
            assert!(mine["data"].get(staff_only).is_none(), "{staff_only} is not part of the end user's page");
        }
        let received = mine["received"].as_array().unwrap();
        let apple = received.iter().find(|r| r["recipient_name"] == "Apple" && r["fields"].as_array().is_some_and(|f| f.contains(&Value::from("managed_apple_id")))).unwrap();
        assert_eq!(apple["categories"], serde_json::json!(["identity"]), "{apple}");
        assert!(received.iter().all(|r| r["categories"].as_array().is_some_and(|c| !c.is_empty())), "every receipt names its categories");
        let (_, ben) = app.call(&app.client_as("Ben Okafor").await, "me/data", &[]).await;
        let pixel = &ben["data"]["devices"][0]["record"];
        let imei = pixel["fields"].as_array().unwrap().iter().find(|f| f["field"] == "imei").unwrap();
        assert_eq!(imei["value"], Value::Null, "the Android 12+ personal work profile rule applies to the user too");
        let phone = pixel["fields"].as_array().unwrap().iter().find(|f| f["field"] == "phone_number").unwrap();
        assert_eq!(phone["value"], "+14255550122", "the employer sees the last digits; Ben sees his own number: {phone}");
        assert_eq!(phone["visibility"], "visible", "{phone}");
        assert_eq!(app.call(&app.client_as("Lee Gu").await, "me/data", &[]).await.0, 403, "staff have no end-user page");
        assert_eq!(app.call(&crate::helpers::client(), "me/data", &[]).await.0, 401);
    }

    async fn filing_a_request_notifies_reviewers_is_audited_and_is_due_a_month_later(app) {
        let adele = app.client_as("Adele Vance").await;
        let form = [("record_id", IPHONE), ("field", "management_name"), ("value", "Adele work phone"), ("reason", "That is not my phone's name"), ("restrict_sharing", "on")];
        let (status, request) = app.call(&adele, "requests/create", &form).await;
        assert_eq!(status, 200, "{request}");
        assert_eq!(request["status"], "pending");
        assert_eq!(request["restrict_sharing"], true);
        let days = (request["due_at"].as_i64().unwrap() - request["received_at"].as_i64().unwrap()) / DAY_MS;
        assert!((28..=31).contains(&days), "due one calendar month later, not {days} days");
        assert_eq!(app.call(&adele, "requests/create", &form).await.0, 409, "a double submit does not file twice");
        for reviewer in ["Lee Gu", "Megan Bowen"] {
            let (_, notes) = app.call(&app.client_as(reviewer).await, "notifications/list", &[]).await;
            assert!(notes.as_array().unwrap().iter().any(|n| n["kind"] == "request.created" && n["request_id"] == request["id"]), "{reviewer}: {notes}");
        }
        let (_, own) = app.call(&adele, "notifications/list", &[]).await;
        assert_eq!(own, serde_json::json!([]), "the requester is not told about their own request");
        assert_eq!(count_actions(&app, "request.created").await, 1);
        let (_, mine) = app.call(&adele, "requests/mine", &[]).await;
        assert_eq!(mine[0]["proposed_value"], "Adele work phone");
    }

    async fn staff_see_a_proposed_number_for_a_personal_device_only_by_its_last_digits(app) {
        // Ben's Pixel is his own device: the organisation sees its phone number's last four
        // digits only, and a proposal for it is no way around that rule.
        let ben = app.client_as("Ben Okafor").await;
        let (status, request) = file(&app, &ben, PIXEL, "phone_number", "+31 6 1234 5678", "A new SIM").await;
        assert_eq!(status, 200, "{request}");
        assert!(request["proposed_value"].as_str().unwrap().contains("1234"), "Ben sees what he proposed: {request}");
        let lee = app.client_as("Lee Gu").await;
        let (_, queue) = app.call(&lee, "review/queue", &[]).await;
        let item = queue["items"].as_array().unwrap().iter().find(|r| r["id"] == request["id"]).unwrap().clone();
        assert_eq!(item["proposed_value"], "••• 5678", "{item}");
        let id = request["id"].to_string();
        let (_, review) = app.call(&lee, "review/request", &[("id", &id)]).await;
        assert_eq!(review["request"]["proposed_value"], "••• 5678", "{review}");
        let created = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("request.created"))
            .one(&app.db).await.unwrap().unwrap();
        assert!(!created.changes.contains("1234"), "the audit trail keeps the masked form: {}", created.changes);
        assert!(created.changes.contains("5678"), "{}", created.changes);
        let export = server::services::export::export_user(&app.db, demo::CONTOSO, demo::BEN, app::i18n::Locale::En, 0).await.unwrap();
        let exported = export.correction_requests.iter().find(|r| r.field == "phone_number").unwrap();
        assert_eq!(exported.proposed_value, "••• 5678", "staff download the export");
    }

    async fn nobody_corrects_a_field_the_platform_does_not_collect_from_the_device(app) {
        // A corporate-owned Android work profile does not report its phone number.
        let mut pixel: device::ActiveModel = device::Entity::find_by_id(PIXEL).one(&app.db).await.unwrap().unwrap().into();
        pixel.ownership = Set("corporate".into());
        pixel.enrollment_type = Set(Some("android_work_profile_corporate".into()));
        pixel.update(&app.db).await.unwrap();
        let ben = app.client_as("Ben Okafor").await;
        let (status, body) = file(&app, &ben, PIXEL, "phone_number", "+31 6 1234 5678", "A new SIM").await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["Invalid"]["field"], "field", "{body}");
        let megan = app.client_as("Megan Bowen").await;
        let form = [("user_id", demo::BEN), ("record_id", PIXEL), ("field", "phone_number"), ("value", "+31612345678"), ("base_version", "0"), ("reason", "New SIM")];
        let (status, body) = app.call(&megan, "users/route", &form).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["Invalid"]["field"], "field", "{body}");
        assert_eq!(count_actions(&app, "request.created").await + count_actions(&app, "correction.routed").await, 0, "nothing is written");
    }

    async fn a_request_is_refused_for_a_bad_value_a_missing_reason_or_a_field_never_corrected(app) {
        let adele = app.client_as("Adele Vance").await;
        let cases = [
            (IPHONE, "ownership", "banana", "because", "value", "the field's own parser refuses it"),
            (demo::ADELE, "email", "not an address", "because", "value", "an email needs an address"),
            (demo::ADELE, "display_name", "Adele V.", "   ", "reason", "a reason is required"),
            (IPHONE, "imei", "356938035643809", "because", "field", "hardware ids are never corrected"),
            (demo::ADELE, "object_id", "a1b2c3d4-0001-4000-8000-000000000009", "because", "field", "ids are never corrected"),
        ];
        for (record, field, value, reason, expected, why) in cases {
            let (status, body) = file(&app, &adele, record, field, value, reason).await;
            assert_eq!(status, 422, "{why}: {body}");
            assert_eq!(body["Invalid"]["field"], expected, "{why}: {body}");
        }
        assert_eq!(count_actions(&app, "request.created").await, 0);
    }

    async fn end_users_cannot_see_or_act_on_anyone_elses_data_or_requests(app) {
        let adele = app.client_as("Adele Vance").await;
        assert_eq!(file(&app, &adele, PIXEL, "device_category", "Retail", "x").await.0, 404, "Ben's device");
        assert_eq!(file(&app, &adele, demo::BEN, "display_name", "Ben O.", "x").await.0, 404, "Ben's identity");
        let ben_request = bens_request(&app).await.to_string();
        assert_eq!(app.call(&adele, "requests/withdraw", &[("id", &ben_request)]).await.0, 404);
        let (_, mine) = app.call(&adele, "requests/mine", &[]).await;
        assert_eq!(mine, serde_json::json!([]), "Ben's request is not listed for Adele");
        for endpoint in ["review/request", "review/approve", "review/reject"] {
            let form = [("id", ben_request.as_str()), ("request_version", "0"), ("field_version", "0"), ("reason", "x")];
            assert_eq!(app.call(&adele, endpoint, &form).await.0, 403, "{endpoint}");
        }
        assert_eq!(app.call(&adele, "review/queue", &[]).await.0, 403);
        let fabrikam = app.client_as("Alex Wilber").await;
        assert_eq!(app.call(&fabrikam, "review/request", &[("id", &ben_request)]).await.0, 404, "another tenant's request does not exist");
        let form = [("id", ben_request.as_str()), ("request_version", "0"), ("field_version", "0")];
        assert_eq!(app.call(&fabrikam, "review/approve", &form).await.0, 404);
        let (_, queue) = app.call(&fabrikam, "review/queue", &[("status", "all")]).await;
        assert_eq!(queue["items"], serde_json::json!([]));
        let stored = correction_request::Entity::find_by_id(ben_request.parse::<i64>().unwrap()).one(&app.db).await.unwrap().unwrap();
        assert_eq!(stored.status.as_str(), "pending");
    }

    async fn a_pending_request_can_be_withdrawn_once(app) {
        let request = adele_files(&app, IPHONE, "device_category", "Field staff").await;
        let adele = app.client_as("Adele Vance").await;
        let id = id_of(&request).to_string();
        let (status, withdrawn) = app.call(&adele, "requests/withdraw", &[("id", &id)]).await;
        assert_eq!(status, 200, "{withdrawn}");
        assert_eq!(withdrawn["status"], "withdrawn");
        assert_eq!(app.call(&adele, "requests/withdraw", &[("id", &id)]).await.0, 409);
        let lee = app.client_as("Lee Gu").await;
        assert_eq!(approve(&app, &lee, id_of(&request)).await.0, 409, "a withdrawn request is not approved");
        assert_eq!(count_actions(&app, "request.withdrawn").await, 1);
    }

    async fn approving_applies_the_correction_through_the_admin_path_in_one_step(app) {
        let request = adele_files(&app, IPHONE, "management_name", "Adele work phone").await;
        let lee = app.client_as("Lee Gu").await;
        let (status, review) = app.call(&lee, "review/request", &[("id", &id_of(&request).to_string())]).await;
        assert_eq!(status, 200);
        assert_eq!(review["current_value"], "AdeleVance_iPhone_1/5/2025");
        assert_eq!(review["request"]["proposed_value"], "Adele work phone");
        assert_eq!(review["route"], "portal");
        assert_eq!(review["refusal"], Value::Null);
        let (status, outcome) = approve(&app, &lee, id_of(&request)).await;
        assert_eq!(status, 200, "{outcome}");
        assert_eq!(outcome["status"], "approved");
        let stored = device::Entity::find_by_id(IPHONE.to_owned()).one(&app.db).await.unwrap().unwrap();
        assert_eq!(stored.management_name.as_deref(), Some("Adele work phone"));
        assert_eq!(count_actions(&app, "field.corrected").await, 1, "the admin correction's own event");
        assert_eq!(count_actions(&app, "request.approved").await, 1);
        let adele = app.client_as("Adele Vance").await;
        let (_, mine) = app.call(&adele, "me/data", &[]).await;
        let name = mine["data"]["devices"][0]["record"]["fields"].as_array().unwrap().iter().find(|f| f["field"] == "management_name").unwrap().clone();
        assert_eq!(name["value"], "Adele work phone");
        assert_eq!(name["changed_by"], "Lee Gu");
        let (_, notes) = app.call(&adele, "notifications/list", &[]).await;
        assert_eq!(notes[0]["kind"], "request.approved");
        assert!(server::services::audit::verify_chain(&app.db, demo::CONTOSO).await.unwrap().is_intact());
    }

    async fn approving_a_field_owned_elsewhere_routes_it_and_tells_the_requester_it_waits_for_the_source(app) {
        let request = adele_files(&app, demo::ADELE, "managed_apple_id", "adele@appleid.contoso.com").await;
        let lee = app.client_as("Lee Gu").await;
        let (status, outcome) = approve(&app, &lee, id_of(&request)).await;
        assert_eq!(status, 200, "{outcome}");
        assert_eq!(outcome["informed_recipients"], serde_json::json!([]), "Apple is told once the partner shows the new value");
        assert_eq!(outcome["waiting_for"], "partner");
        let tasks = follow_up_task::Entity::find().filter(follow_up_task::Column::Field.eq("managed_apple_id")).count(&app.db).await.unwrap();
        assert_eq!(tasks, 0, "no follow-up before the source has changed the value");
        assert_eq!(count_actions(&app, "correction.routed").await, 1);
        assert_eq!(count_actions(&app, "field.corrected").await, 0);
        let adele = app.client_as("Adele Vance").await;
        let (_, mine) = app.call(&adele, "requests/mine", &[]).await;
        assert_eq!(mine[0]["status"], "approved");
        assert_eq!(mine[0]["at_source"]["status"], "routed");
        assert_eq!(mine[0]["at_source"]["route"], "partner");
        assert_eq!(mine[0]["informed_recipients"], serde_json::json!([]));
        assert_eq!(mine[0]["decided_by"], "Lee Gu");
    }

    async fn a_repeated_approval_or_rejection_does_not_act_twice(app) {
        let request = adele_files(&app, demo::ADELE, "managed_apple_id", "adele@appleid.contoso.com").await;
        let lee = app.client_as("Lee Gu").await;
        let id = id_of(&request).to_string();
        let form = [("id", id.as_str()), ("request_version", "0"), ("field_version", "0")];
        let (first_status, first) = app.call(&lee, "review/approve", &form).await;
        let (second_status, second) = app.call(&lee, "review/approve", &form).await;
        assert_eq!((first_status, second_status), (200, 200), "{first} {second}");
        assert_eq!(first, second, "a retry answers with the first outcome");
        assert_eq!(count_actions(&app, "request.approved").await, 1);
        let at_source = correction_request::Entity::find().filter(correction_request::Column::OriginRequestId.eq(id_of(&request))).count(&app.db).await.unwrap();
        assert_eq!(at_source, 1, "one task for the source, not two");
        let reject = [("id", id.as_str()), ("request_version", "1"), ("reason", "changed my mind")];
        assert_eq!(app.call(&lee, "review/reject", &reject).await.0, 409, "an approved request is not rejected");

        let ben = bens_request(&app).await.to_string();
        let reject = [("id", ben.as_str()), ("request_version", "0"), ("reason", "Your legal name in HR is Ben.")];
        let (a, first) = app.call(&lee, "review/reject", &reject).await;
        let (b, second) = app.call(&lee, "review/reject", &reject).await;
        assert_eq!((a, b), (200, 200));
        assert_eq!(first, second);
        assert_eq!(count_actions(&app, "request.rejected").await, 1);
    }

    async fn a_stale_form_is_refused_and_changes_nothing(app) {
        let request = adele_files(&app, IPHONE, "management_name", "Adele work phone").await;
        let lee = app.client_as("Lee Gu").await;
        let id = id_of(&request).to_string();
        let stale_request = [("id", id.as_str()), ("request_version", "7"), ("field_version", "0")];
        assert_eq!(app.call(&lee, "review/approve", &stale_request).await.0, 409);
        let stale_field = [("id", id.as_str()), ("request_version", "0"), ("field_version", "3")];
        assert_eq!(app.call(&lee, "review/approve", &stale_field).await.0, 409);
        let stored = correction_request::Entity::find_by_id(id_of(&request)).one(&app.db).await.unwrap().unwrap();
        assert_eq!(stored.status.as_str(), "pending", "a refused approval leaves the request open");
        assert_eq!(count_actions(&app, "field.corrected").await, 0);
    }

    async fn rejecting_needs_a_reason_that_the_requester_sees(app) {
        let lee = app.client_as("Lee Gu").await;
        let ben = bens_request(&app).await.to_string();
        let (status, body) = app.call(&lee, "review/reject", &[("id", ben.as_str()), ("request_version", "0"), ("reason", " ")]).await;
        assert_eq!(status, 422);
        assert_eq!(body["Invalid"]["field"], "reason");
        assert_eq!(app.call(&lee, "review/reject", &[("id", ben.as_str()), ("request_version", "0"), ("reason", "HR records say Ben.")]).await.0, 200);
        let (_, mine) = app.call(&app.client_as("Ben Okafor").await, "requests/mine", &[]).await;
        assert_eq!(mine[0]["status"], "rejected");
        assert_eq!(mine[0]["decision_reason"], "HR records say Ben.");
    }

    async fn nobody_decides_their_own_request_or_approves_a_field_they_last_changed(app) {
        // Megan corrects the name herself; Adele then asks for another one.
        let megan = app.client_as("Megan Bowen").await;
        let correct = [("user_id", demo::ADELE), ("record_id", IPHONE), ("field", "management_name"), ("value", "Adele phone"), ("base_version", "0"), ("reason", "convention")];
        assert_eq!(app.call(&megan, "users/correct", &correct).await.0, 200);
        let request = adele_files(&app, IPHONE, "management_name", "Adele work phone").await;
        let (_, review) = app.call(&megan, "review/request", &[("id", &id_of(&request).to_string())]).await;
        assert_eq!(review["refusal"], "last_changed_by_reviewer");
        assert_eq!(approve(&app, &megan, id_of(&request)).await.0, 403);
        let lee = app.client_as("Lee Gu").await;
        assert_eq!(approve(&app, &lee, id_of(&request)).await.0, 200, "another reviewer may");

        // Lee is also an end user: he may not decide his own request; Megan may.
        role_assignment::ActiveModel {
            account_id: Set(app.account_id("Lee Gu").await),
            role: Set("end_user".into()),
            tenant_id: Set(demo::CONTOSO.into()),
            granted_by: Set("test".into()),
            granted_at: Set(0),
            from_provider: Set(false),
        }.insert(&app.db).await.unwrap();
        let (status, own) = file(&app, &lee, demo::LEE, "job_title", "Senior support engineer", "promoted").await;
        assert_eq!(status, 200, "{own}");
        let id = id_of(&own).to_string();
        let (_, review) = app.call(&lee, "review/request", &[("id", &id)]).await;
        assert_eq!(review["refusal"], "own_request");
        assert_eq!(approve(&app, &lee, id_of(&own)).await.0, 403);
        assert_eq!(app.call(&lee, "review/reject", &[("id", id.as_str()), ("request_version", "0"), ("reason", "no")]).await.0, 403);
        assert_eq!(approve(&app, &megan, id_of(&own)).await.0, 200);
    }

    async fn a_token_named_after_someone_else_still_acts_for_its_owner_under_the_four_eyes_rule(app) {
        use app::auth::Role;
        use server::services::api_tokens::{self, Creator};
        // Megan corrects the name in the page, then tries to approve Adele's request for the same
        // field through a token she named after Lee.
        let megan = app.client_as("Megan Bowen").await;
        let correct = [("user_id", demo::ADELE), ("record_id", IPHONE), ("field", "management_name"), ("value", "Adele phone"), ("base_version", "0"), ("reason", "convention")];
        assert_eq!(app.call(&megan, "users/correct", &correct).await.0, 200);
        let request = adele_files(&app, IPHONE, "management_name", "Adele work phone").await;
        let creator = Creator {
            account_id: app.account_id("Megan Bowen").await,
            name: "Megan Bowen".into(),
            actor: server::services::audit::Actor::system("test setup"),
            directory_user_id: None,
        };
        let named_lee = app::api_tokens::NewToken::parse("Lee Gu", Role::SupportReviewer, 30, None).unwrap();
        let secret = api_tokens::create(&app.db, demo::CONTOSO, &creator, named_lee, app.clock.now_ms()).await.unwrap().secret;
        let version = format!("\"{}\"", request["version"]);
        let response = crate::helpers::client()
            .post(app.url(&format!("/api/v1/requests/{}/approve", id_of(&request))))
            .bearer_auth(&secret)
            .header("if-match", &version)
            .json(&serde_json::json!({"field_version": 1}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "the token acts for Megan, who last changed the field");
        // The real Lee, whose display name Megan's token borrowed, may.
        let lee = app.client_as("Lee Gu").await;
        assert_eq!(approve(&app, &lee, id_of(&request)).await.0, 200);
    }

    async fn a_deadline_is_extended_once_with_a_reason_and_the_clock_can_be_paused(app) {
        let request = adele_files(&app, IPHONE, "device_category", "Field staff").await;
        let id = id_of(&request).to_string();
        let due = request["due_at"].as_i64().unwrap();
        let lee = app.client_as("Lee Gu").await;
        let three = [("id", id.as_str()), ("request_version", "0"), ("months", "3"), ("reason", "complex")];
        assert_eq!(app.call(&lee, "review/extend", &three).await.0, 422, "at most two further months");
        let two = [("id", id.as_str()), ("request_version", "0"), ("months", "2"), ("reason", "We must ask the device vendor.")];
        let (status, extended) = app.call(&lee, "review/extend", &two).await;
        assert_eq!(status, 200, "{extended}");
        let added = (extended["due_at"].as_i64().unwrap() - due) / DAY_MS;
        assert!((59..=62).contains(&added), "two calendar months, not {added} days");
        let again = [("id", id.as_str()), ("request_version", "1"), ("months", "1"), ("reason", "more")];
        assert_eq!(app.call(&lee, "review/extend", &again).await.0, 409, "only once");
        let adele = app.client_as("Adele Vance").await;
        let (_, mine) = app.call(&adele, "requests/mine", &[]).await;
        assert_eq!(mine[0]["extension_reason"], "We must ask the device vendor.");
        let (_, notes) = app.call(&adele, "notifications/list", &[]).await;
        assert_eq!(notes[0]["kind"], "request.extended");

        let pause = [("id", id.as_str()), ("request_version", "1"), ("pause", "true")];
        let (status, paused) = app.call(&lee, "review/pause", &pause).await;
        assert_eq!(status, 200, "{paused}");
        assert_eq!(paused["paused"], true);
        assert_eq!(app.call(&lee, "review/pause", &[("id", id.as_str()), ("request_version", "2"), ("pause", "true")]).await.0, 409);
        // A paused week later, resuming moves the deadline by that week.
        correction_request::Entity::update_many()
            .col_expr(correction_request::Column::PausedAt, Expr::value(app.clock.now_ms() - 7 * DAY_MS))
            .filter(correction_request::Column::Id.eq(id_of(&request)))
            .exec(&app.db).await.unwrap();
        let resume = [("id", id.as_str()), ("request_version", "2"), ("pause", "false")];
        let (status, resumed) = app.call(&lee, "review/pause", &resume).await;
        assert_eq!(status, 200, "{resumed}");
        assert_eq!(resumed["paused"], false);
        let moved = (resumed["due_at"].as_i64().unwrap() - extended["due_at"].as_i64().unwrap()) / DAY_MS;
        assert_eq!(moved, 7, "the paused time is added");
        for action in ["request.extended", "request.paused", "request.resumed"] {
            assert_eq!(count_actions(&app, action).await, 1, "{action}");
        }
    }

    async fn overdue_requests_stand_out_and_the_queue_filters_by_due_date_category_user_and_age(app) {
        let request = adele_files(&app, IPHONE, "device_category", "Field staff").await;
        correction_request::Entity::update_many()
            .col_expr(correction_request::Column::ReceivedAt, Expr::value(app.clock.now_ms() - 40 * DAY_MS))
            .col_expr(correction_request::Column::DueAt, Expr::value(app.clock.now_ms() - 9 * DAY_MS))
            .filter(correction_request::Column::Id.eq(id_of(&request)))
            .exec(&app.db).await.unwrap();
        let lee = app.client_as("Lee Gu").await;
        let ids = |queue: &Value| -> Vec<i64> { queue["items"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect() };
        let ben = bens_request(&app).await;
        let (status, queue) = app.call(&lee, "review/queue", &[]).await;
        assert_eq!(status, 200, "{queue}");
        assert_eq!(ids(&queue), vec![id_of(&request), ben], "most urgent first");
        assert_eq!(queue["items"][0]["overdue"], true);
        assert_eq!(queue["items"][1]["overdue"], false);
        assert_eq!(ids(&app.call(&lee, "review/queue", &[("due", "overdue")]).await.1), vec![id_of(&request)]);
        assert_eq!(ids(&app.call(&lee, "review/queue", &[("category", "identity")]).await.1), vec![ben]);
        assert_eq!(ids(&app.call(&lee, "review/queue", &[("user", demo::ADELE)]).await.1), vec![id_of(&request)]);
        assert_eq!(ids(&app.call(&lee, "review/queue", &[("age", "30")]).await.1), vec![id_of(&request)]);
        assert_eq!(ids(&app.call(&lee, "review/queue", &[("status", "approved")]).await.1), Vec::<i64>::new());
        assert_eq!(app.call(&lee, "review/queue", &[("status", "lost")]).await.0, 422);
        // A paused request is not overdue: its clock is stopped.
        correction_request::Entity::update_many()
            .col_expr(correction_request::Column::PausedAt, Expr::value(Some(app.clock.now_ms() - 10 * DAY_MS)))
            .filter(correction_request::Column::Id.eq(id_of(&request)))
            .exec(&app.db).await.unwrap();
        assert_eq!(ids(&app.call(&lee, "review/queue", &[("due", "overdue")]).await.1), Vec::<i64>::new());
    }

    async fn the_queue_is_read_a_page_at_a_time_by_deadline_without_gaps_or_repeats(app) {
        let template = correction_request::Entity::find_by_id(bens_request(&app).await).one(&app.db).await.unwrap().unwrap();
        let now = app.clock.now_ms();
        // 120 more pending requests of Ben's; some share a deadline, so the id breaks the tie.
        for n in 0..120_i64 {
            let mut row: correction_request::ActiveModel = template.clone().into();
            row.id = sea_orm::NotSet;
            row.due_at = Set(now + (n % 40) * DAY_MS);
            row.insert(&app.db).await.unwrap();
        }
        let lee = app.client_as("Lee Gu").await;
        let mut seen: Vec<(i64, i64)> = Vec::new();
        let mut after = String::new();
        let mut pages = 0;
        loop {
            let mut form = vec![];
            if !after.is_empty() {
                form.push(("after", after.as_str()));
            }
            let (status, page) = app.call(&lee, "review/queue", &form).await;
            assert_eq!(status, 200, "{page}");
            pages += 1;
            let items = page["items"].as_array().unwrap();
            assert!(items.len() <= 50, "a page holds at most 50");
            seen.extend(items.iter().map(|r| (r["due_at"].as_i64().unwrap(), r["id"].as_i64().unwrap())));
            match page["next"].as_str() {
                Some(next) => {
                    assert_eq!(items.len(), 50, "a short page with a next one");
                    after = next.to_owned();
                }
                None => break,
            }
        }
        assert_eq!(pages, 3, "121 requests in pages of 50");
        assert_eq!(seen.len(), 121);
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(seen, sorted, "by deadline then id, each once");
        // Filters are kept along the pages; the user filter lists Ben.
        let (_, first) = app.call(&lee, "review/queue", &[("user", demo::BEN)]).await;
        assert_eq!(first["items"].as_array().unwrap().len(), 50);
        assert!(first["users"].as_array().unwrap().iter().any(|u| u[0] == demo::BEN), "{}", first["users"]);
        assert_eq!(app.call(&lee, "review/queue", &[("after", "soon")]).await.0, 422, "an unreadable cursor");
        // The REST API pages the same way.
        let token = crate::api::token(&app, demo::CONTOSO, app::auth::Role::SupportReviewer, None).await;
        let (status, body) = crate::api::get(&app, "/requests", &token).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["items"].as_array().unwrap().len(), 50);
        let next = body["next"].as_str().unwrap().to_owned();
        let (_, second) = crate::api::get(&app, &format!("/requests?after={next}"), &token).await;
        assert_eq!(second["items"][0]["id"].as_i64().unwrap(), seen[50].1);
    }

    async fn notifications_are_marked_read(app) {
        adele_files(&app, IPHONE, "device_category", "Field staff").await;
        let lee = app.client_as("Lee Gu").await;
        let (_, notes) = app.call(&lee, "notifications/list", &[]).await;
        assert_eq!(notes[0]["read"], false);
        assert_eq!(app.call(&lee, "notifications/read", &[]).await.0, 200);
        let (_, notes) = app.call(&lee, "notifications/list", &[]).await;
        assert_eq!(notes[0]["read"], true);
        let (_, megans) = app.call(&app.client_as("Megan Bowen").await, "notifications/list", &[]).await;
        assert_eq!(megans[0]["read"], false, "each reviewer reads their own");
    }

    async fn a_restriction_and_its_end_are_told_to_the_recipients_that_have_the_field(app) {
        let adele = app.client_as("Adele Vance").await;
        // Apple received the iPhone's asset tag under automated enrollment (demo ledger).
        let kinds = |app: &TestApp| {
            let db = app.db.clone();
            async move {
                follow_up_task::Entity::find()
                    .filter(follow_up_task::Column::Field.eq("asset_tag"))
                    .all(&db).await.unwrap()
                    .into_iter().map(|t| (t.recipient_id, t.kind.as_str().to_owned())).collect::<Vec<_>>()
            }
        };
        let form = [("record_id", IPHONE), ("field", "asset_tag"), ("value", "CONTOSO-0042"), ("reason", "The tag on the phone says otherwise"), ("restrict_sharing", "on")];
        let (status, request) = app.call(&adele, "requests/create", &form).await;
        assert_eq!(status, 200, "{request}");
        assert_eq!(kinds(&app).await, [("apple".to_owned(), "notify_restriction".to_owned())]);
        let id = request["id"].to_string();
        let (status, withdrawn) = app.call(&adele, "requests/withdraw", &[("id", &id)]).await;
        assert_eq!(status, 200, "{withdrawn}");
        assert_eq!(
            kinds(&app).await,
            [("apple".to_owned(), "notify_restriction".to_owned()), ("apple".to_owned(), "notify_restriction_lifted".to_owned())]
        );
        // A request that did not ask to restrict tells nobody anything yet.
        let plain = [("record_id", IPHONE), ("field", "asset_tag"), ("value", "CONTOSO-0042"), ("reason", "The tag on the phone says otherwise")];
        assert_eq!(app.call(&adele, "requests/create", &plain).await.0, 200);
        assert_eq!(kinds(&app).await.len(), 2);
    }
}
