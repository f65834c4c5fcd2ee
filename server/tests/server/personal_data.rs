//! The personal-data page's server side: what an admin sees, corrections with their version
//! check, audit and follow-ups, routed corrections, secret reveals and the export download.

use crate::helpers::{client, on_both_databases};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;
use server::entities::{audit_event, device, follow_up_task};
use server::seed::demo;

const IPHONE: &str = "d1000000-0000-4000-8000-0000000000d1";
const PIXEL: &str = "d2000000-0000-4000-8000-0000000000d2";

fn field<'a>(record: &'a Value, name: &str) -> &'a Value {
    record["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == name)
        .unwrap_or_else(|| panic!("no field {name}"))
}

on_both_databases! { demo;
    async fn an_admin_sees_each_field_with_its_visibility_source_and_recipients(app) {
        let admin = app.client_as("Megan Bowen").await;
        let (status, adele) = app.call(&admin, "users/data", &[("user_id", demo::ADELE)]).await;
        assert_eq!(status, 200, "{adele}");
        let iphone = &adele["devices"][0]["record"];
        assert_eq!(field(iphone, "imei")["value"], "356938035643809");
        let code = field(iphone, "activation_lock_bypass_code");
        assert_eq!(code["visibility"], "secret");
        assert_ne!(code["value"], "K2Q7M-9XRTA-4MZP-88LA-CD3F-7GHJ", "a secret is masked until revealed");
        let serial_recipients: Vec<&str> = field(iphone, "serial_number")["received_by"].as_array().unwrap().iter().filter_map(|r| r["recipient_name"].as_str()).collect();
        assert!(serial_recipients.contains(&"Apple"), "{serial_recipients:?}");
        assert_eq!(field(iphone, "management_name")["correctable"], true);
        assert_eq!(field(&adele["user"], "display_name")["correctable"], false, "identity is corrected in the directory");
        let (_, ben) = app.call(&admin, "users/data", &[("user_id", demo::BEN)]).await;
        let pixel = &ben["devices"][0]["record"];
        assert_eq!(field(pixel, "imei")["value"], Value::Null);
        assert_eq!(field(pixel, "imei")["held"], false, "an Android 14 personal work profile never reports it");
        assert_eq!(field(pixel, "phone_number")["value"], "••• 0122");
    }

    async fn only_a_tenant_admin_of_the_same_tenant_reads_a_users_data(app) {
        for name in ["Lee Gu", "Irvin Sayers", "Adele Vance"] {
            let client = app.client_as(name).await;
            assert_eq!(app.call(&client, "users/data", &[("user_id", demo::ADELE)]).await.0, 403, "{name}");
        }
        assert_eq!(app.call(&client(), "users/data", &[("user_id", demo::ADELE)]).await.0, 401);
        let fabrikam = app.client_as("Alex Wilber").await;
        assert_eq!(app.call(&fabrikam, "users/data", &[("user_id", demo::ADELE)]).await.0, 404);
    }

    async fn a_correction_writes_value_version_and_audit_together_and_shows_in_history(app) {
        let admin = app.client_as("Megan Bowen").await;
        let form = [("user_id", demo::ADELE), ("record_id", IPHONE), ("field", "management_name"), ("value", "Adele iPhone (Retail)"), ("base_version", "0"), ("reason", "Naming convention")];
        let (status, outcome) = app.call(&admin, "users/correct", &form).await;
        assert_eq!(status, 200, "{outcome}");
        assert_eq!(outcome["version"], 1);
        let stored = device::Entity::find_by_id(IPHONE.to_owned()).one(&app.db).await.unwrap().unwrap();
        assert_eq!(stored.management_name.as_deref(), Some("Adele iPhone (Retail)"));
        let (_, adele) = app.call(&admin, "users/data", &[("user_id", demo::ADELE)]).await;
        let iphone = &adele["devices"][0]["record"];
        assert_eq!(field(iphone, "management_name")["version"], 1);
        assert_eq!(field(iphone, "management_name")["changed_by"], "Megan Bowen");
        let entry = adele["history"].as_array().unwrap().iter().find(|e| e["action"] == "field.corrected").unwrap();
        assert_eq!(entry["changes"][0]["before"], "AdeleVance_iPhone_1/5/2025");
        assert_eq!(entry["changes"][0]["after"], "Adele iPhone (Retail)");
        assert_eq!(entry["reason"], "Naming convention");
        assert!(server::services::audit::verify_chain(&app.db, demo::CONTOSO).await.unwrap().is_intact());
    }

    async fn a_refused_correction_posted_without_the_browser_bundle_comes_back_with_its_message(app) {
        let admin = app.client_as("Megan Bowen").await;
        let page = app.url(&format!("/users/{}", demo::ADELE));
        // A plain HTML form post, as a browser without JavaScript sends it: no reason given.
        let form = [("user_id", demo::ADELE), ("record_id", IPHONE), ("field", "management_name"), ("value", "Adele iPhone"), ("base_version", "0"), ("reason", "")];
        let response = admin
            .post(app.url("/api/users/correct"))
            .header("accept", "text/html")
            .header("referer", page.clone())
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 302, "a form post goes back to its page");
        let location = response.headers().get("location").unwrap().to_str().unwrap().to_owned();
        assert!(location.starts_with(&page) && location.contains("__err"), "{location}");
        let html = admin.get(&location).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Give a reason for this change."), "the refusal is on the re-rendered page: {html}");
        assert!(html.contains(r#"role="alert""#), "announced as an alert: {html}");
        let stored = device::Entity::find_by_id(IPHONE.to_owned()).one(&app.db).await.unwrap().unwrap();
        assert_ne!(stored.management_name.as_deref(), Some("Adele iPhone"), "nothing changed");
        // The same address opened by anyone else (a link): the error is not theirs to see, and a
        // made-up one is never shown.
        let other = app.client_as("Megan Bowen").await;
        let response = other.get(&location).send().await.unwrap();
        assert_eq!(response.status(), 303, "an error the browser did not earn is dropped");
        assert_eq!(response.headers().get("location").unwrap().to_str().unwrap(), format!("/users/{}", demo::ADELE));
        let forged = format!("{page}?__path=%2Fapi%2Fusers%2Fcorrect&__err=eyJJbnZhbGlkIjp7ImZpZWxkIjoieCIsIm1lc3NhZ2UiOiJDYWxsIDEyMyJ9fQ%3D%3D");
        let response = admin.get(&forged).send().await.unwrap();
        assert_eq!(response.status(), 303, "a forged error is dropped");
    }

    async fn a_correction_based_on_an_old_version_is_refused_and_overwrites_nothing(app) {
        let admin = app.client_as("Megan Bowen").await;
        let first = [("user_id", demo::ADELE), ("record_id", IPHONE), ("field", "device_category"), ("value", "Retail"), ("base_version", "0"), ("reason", "first")];
        assert_eq!(app.call(&admin, "users/correct", &first).await.0, 200);
        let stale = [("user_id", demo::ADELE), ("record_id", IPHONE), ("field", "device_category"), ("value", "Warehouse"), ("base_version", "0"), ("reason", "second")];
        assert_eq!(app.call(&admin, "users/correct", &stale).await.0, 409);
        let stored = device::Entity::find_by_id(IPHONE.to_owned()).one(&app.db).await.unwrap().unwrap();
        assert_eq!(stored.device_category.as_deref(), Some("Retail"));
        let fresh = [("user_id", demo::ADELE), ("record_id", IPHONE), ("field", "device_category"), ("value", "Warehouse"), ("base_version", "1"), ("reason", "after seeing the newer value")];
        assert_eq!(app.call(&admin, "users/correct", &fresh).await.0, 200);
    }

    async fn a_refusal_is_worded_in_the_language_of_the_request_through_the_page_and_the_api(app) {
        let admin = app.client_as("Megan Bowen").await;
        let form = [("user_id", demo::ADELE), ("record_id", IPHONE), ("field", "management_name"), ("value", "New name"), ("base_version", "0"), ("reason", " ")];
        for (language, expected) in [("nl-NL,nl;q=0.9", "Geef een reden voor deze wijziging."), ("en-GB", "Give a reason for this change.")] {
            let response = admin.post(app.url("/api/users/correct")).header("accept-language", language).form(&form).send().await.unwrap();
            assert_eq!(response.status(), 422);
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["Invalid"]["message"], expected, "the server function answers in {language}");
        }
        let secret = crate::api::token(&app, demo::CONTOSO, app::auth::Role::TenantAdmin, None).await;
        let body = serde_json::json!({"record_id": IPHONE, "field": "management_name", "value": "New name", "reason": " "});
        for (language, expected) in [("nl", "Geef een reden voor deze wijziging."), ("en", "Give a reason for this change.")] {
            let (status, _, problem) = crate::api::send(&app, reqwest::Method::POST, &format!("/users/{}/corrections", demo::ADELE), &secret, Some(body.clone()), &[("if-match", "\"0\""), ("accept-language", language)]).await;
            assert_eq!(status, 422, "{problem}");
            assert_eq!(problem["errors"][0]["field"], "reason", "{problem}");
            assert_eq!(problem["errors"][0]["message"], expected, "the REST API answers in {language}: {problem}");
        }
        let refusal = |headers: Vec<(&'static str, &'static str)>| {
            let (app, secret) = (&app, &secret);
            async move {
                let (status, _, problem) = crate::api::send(app, reqwest::Method::GET, "/users?platform=symbian", secret, None, &headers).await;
                assert_eq!(status, 422, "{problem}");
                assert_eq!(problem["errors"][0]["field"], "platform", "{problem}");
                problem["errors"][0]["message"].as_str().unwrap_or_default().to_owned()
            }
        };
        let english = refusal(vec![("accept-language", "en")]).await;
        let dutch = refusal(vec![("accept-language", "nl")]).await;
        assert_ne!(english, dutch, "a refused query parameter is worded in the request's language too");
        let with_cookie = refusal(vec![("accept-language", "en"), ("cookie", "portal_lang=nl")]).await;
        assert_eq!(with_cookie, english, "the REST API reads Accept-Language only, never the page's cookie");
    }

    async fn refused_corrections_name_the_field_and_change_nothing(app) {
        let admin = app.client_as("Megan Bowen").await;
        let audit_before = audit_event::Entity::find().count(&app.db).await.unwrap();
        let cases: [(&str, &str, &str, &str, &str, &str); 5] = [
            ("management_name", IPHONE, "New name", "  ", "reason", "a reason is required"),
            ("ownership", IPHONE, "banana", "typo", "value", "not an ownership"),
            ("imei", IPHONE, "356938035643809", "typo", "field", "hardware ids are never corrected"),
            ("display_name", demo::ADELE, "Adele V.", "typo", "field", "identity is corrected in the directory"),
            ("management_name", IPHONE, "bad\u{0007}name", "typo", "value", "control characters are refused"),
        ];
        for (name, record, value, reason, expected_field, why) in cases {
            let form = [("user_id", demo::ADELE), ("record_id", record), ("field", name), ("value", value), ("base_version", "0"), ("reason", reason)];
            let (status, body) = app.call(&admin, "users/correct", &form).await;
            assert_eq!(status, 422, "{why}: {body}");
            assert_eq!(body["Invalid"]["field"], expected_field, "{why}: {body}");
            assert!(body["Invalid"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{why}");
        }
        assert_eq!(audit_event::Entity::find().count(&app.db).await.unwrap(), audit_before, "nothing was recorded");
        let stored = device::Entity::find_by_id(IPHONE.to_owned()).one(&app.db).await.unwrap().unwrap();
        assert_eq!(stored.management_name.as_deref(), Some("AdeleVance_iPhone_1/5/2025"));
    }

    async fn a_routed_correction_of_a_disclosed_field_changes_nothing_and_tells_nobody_yet(app) {
        let admin = app.client_as("Megan Bowen").await;
        let form = [("user_id", demo::DIEGO), ("record_id", demo::DIEGO), ("field", "display_name"), ("value", "Diego Siciliani-Rossi"), ("base_version", "0"), ("reason", "Name changed after marriage")];
        let (status, outcome) = app.call(&admin, "users/route", &form).await;
        assert_eq!(status, 200, "{outcome}");
        assert_eq!(outcome["follow_up_recipients"], serde_json::json!([]), "the value is still wrong: nobody is told");
        assert_eq!(outcome["version"], 0, "no value changed, so no version either");
        let (_, diego) = app.call(&admin, "users/data", &[("user_id", demo::DIEGO)]).await;
        assert_eq!(diego["routed"][0]["proposed_value"], "Diego Siciliani-Rossi");
        assert_eq!(diego["routed"][0]["status"], "routed");
        assert_eq!(field(&diego["user"], "display_name")["value"], "Diego Siciliani", "the directory's value is not overwritten");
        assert_eq!(field(&diego["user"], "display_name")["version"], 0);
        let tasks = follow_up_task::Entity::find().filter(follow_up_task::Column::RecipientId.eq("teamviewer")).count(&app.db).await.unwrap();
        assert_eq!(tasks, 0);
    }

    async fn revealing_a_secret_needs_a_reason_and_is_audited_without_the_secret(app) {
        let admin = app.client_as("Megan Bowen").await;
        let without = [("user_id", demo::ADELE), ("device_id", IPHONE), ("field", "activation_lock_bypass_code"), ("reason", "")];
        assert_eq!(app.call(&admin, "users/reveal", &without).await.0, 422);
        let with = [("user_id", demo::ADELE), ("device_id", IPHONE), ("field", "activation_lock_bypass_code"), ("reason", "Device returned, must be reset")];
        let (status, code) = app.call(&admin, "users/reveal", &with).await;
        assert_eq!(status, 200);
        assert_eq!(code, "K2Q7M-9XRTA-4MZP-88LA-CD3F-7GHJ");
        let event = audit_event::Entity::find().filter(audit_event::Column::Action.eq("secret.revealed")).one(&app.db).await.unwrap().unwrap();
        assert_eq!(event.reason.as_deref(), Some("Device returned, must be reset"));
        assert!(!event.changes.contains("K2Q7M"), "the secret leaked into the audit log");
        let not_secret = [("user_id", demo::ADELE), ("device_id", IPHONE), ("field", "imei"), ("reason", "curious")];
        assert_eq!(app.call(&admin, "users/reveal", &not_secret).await.0, 422);
        let support = app.client_as("Lee Gu").await;
        assert_eq!(app.call(&support, "users/reveal", &with).await.0, 403);
    }

    async fn the_export_download_is_for_admins_applies_visibility_and_is_audited(app) {
        let admin = app.client_as("Megan Bowen").await;
        let response = admin.get(app.url(&format!("/users/{}/export?format=csv&lang=nl", demo::BEN))).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
        let csv = response.text().await.unwrap();
        assert!(csv.starts_with("onderdeel,"));
        assert!(!csv.contains("354826110432176"), "a hidden IMEI was exported");
        let json: Value = admin.get(app.url(&format!("/users/{}/export", demo::ADELE))).send().await.unwrap().json().await.unwrap();
        assert_eq!(json["user"]["id"], demo::ADELE);
        let exported = audit_event::Entity::find().filter(audit_event::Column::Action.eq("user.exported")).count(&app.db).await.unwrap();
        assert_eq!(exported, 2);
        let support = app.client_as("Lee Gu").await;
        assert_eq!(support.get(app.url(&format!("/users/{}/export", demo::ADELE))).send().await.unwrap().status(), 403);
        let fabrikam = app.client_as("Alex Wilber").await;
        assert_eq!(fabrikam.get(app.url(&format!("/users/{}/export", demo::ADELE))).send().await.unwrap().status(), 404);
        assert_eq!(client().get(app.url(&format!("/users/{}/export", demo::ADELE))).send().await.unwrap().status(), 401);
        let _ = PIXEL;
    }

    async fn a_routed_correction_of_a_hidden_or_masked_field_keeps_the_value_out_of_the_audit_trail(app) {
        let admin = app.client_as("Megan Bowen").await;
        // Ben's personal Android 14 work-profile phone: its phone number and IMEI are hidden
        // from the organisation; corrections still go to the device.
        for (field, old, new) in [("phone_number", "5550122", "+14255550199"), ("imei", "354826110432176", "490154203237518")] {
            let form = [("user_id", demo::BEN), ("record_id", PIXEL), ("field", field), ("value", new), ("base_version", "0"), ("reason", "Wrong number on file")];
            let (status, outcome) = app.call(&admin, "users/route", &form).await;
            if status != 200 {
                // A field the portal never corrects is refused before anything is written.
                assert_eq!(status, 422, "{outcome}");
                continue;
            }
            let events = audit_event::Entity::find().filter(audit_event::Column::TargetId.eq(PIXEL)).all(&app.db).await.unwrap();
            assert!(!events.is_empty());
            for e in &events {
                assert!(!e.changes.contains(old), "{field}: the hidden value before leaked: {}", e.changes);
                let new_digits: String = new.chars().filter(char::is_ascii_digit).collect();
                assert!(!e.changes.contains(&new_digits), "{field}: the hidden proposal leaked: {}", e.changes);
            }
            let (_, ben) = app.call(&admin, "users/data", &[("user_id", demo::BEN)]).await;
            assert!(!ben["routed"].to_string().contains(&new[new.len() - 7..]), "{field}: the routed list shows the proposal");
            let history = ben["history"].to_string();
            assert!(!history.contains(old), "{field}: the page's history shows it: {history}");
            let (_, log) = app.call(&admin, "audit/events", &[]).await;
            assert!(!log.to_string().contains(old), "{field}: the audit log shows it");
        }
    }
}
