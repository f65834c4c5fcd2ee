//! The REST API's endpoints, per role: what each role's token may call, and that each call
//! does what the portal does through the same ports (corrections, exports, follow-ups, audit,
//! sharing features, correction requests), with token actions audited under the token's name.

use crate::api::{get, send, token, IPHONE};
use crate::helpers::{graph_user, import_records, on_both_databases};
use app::auth::Role;
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};
use server::entities::{audit_event, correction_request, follow_up_task};
use server::seed::demo;

/// The latest audit event with this action.
async fn last_event(app: &crate::helpers::TestApp, action: &str) -> audit_event::Model {
    audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq(action))
        .order_by_desc(audit_event::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no {action} event"))
}

on_both_databases! { demo;
    async fn each_role_reaches_exactly_what_it_may_in_the_portal(app) {
        let admin = token(&app, demo::CONTOSO, Role::TenantAdmin, None).await;
        let reviewer = token(&app, demo::CONTOSO, Role::SupportReviewer, None).await;
        let auditor = token(&app, demo::CONTOSO, Role::Auditor, None).await;
        let end_user = token(&app, demo::CONTOSO, Role::EndUser, Some("adele.vance@contoso.com")).await;
        let user = format!("/users/{}", demo::ADELE);
        let export = format!("/users/{}/export", demo::ADELE);
        // (path, admin, reviewer, auditor, end user)
        let table: [(&str, u16, u16, u16, u16); 10] = [
            ("/me", 200, 200, 200, 200),
            ("/users", 200, 403, 403, 403),
            (&user, 200, 403, 403, 403),
            (&export, 200, 403, 403, 403),
            ("/disclosures", 200, 403, 403, 403),
            ("/follow-ups", 200, 403, 403, 403),
            ("/audit/events", 200, 403, 200, 403),
            ("/sharing/features", 200, 403, 200, 403),
            ("/sharing/features/teamviewer/preview", 200, 403, 403, 403),
            ("/requests", 200, 200, 403, 200),
        ];
        for (path, a, r, au, e) in table {
            for (secret, expected, role) in [(&admin, a, "admin"), (&reviewer, r, "reviewer"), (&auditor, au, "auditor"), (&end_user, e, "end user")] {
                let (status, body) = get(&app, path, secret).await;
                assert_eq!(status, expected, "{role} GET {path}: {body}");
            }
        }
        let body = json!({"record_id": IPHONE, "field": "device_category", "value": "Retail", "reason": "naming"});
        for secret in [&reviewer, &auditor, &end_user] {
            let (status, _, _) = send(&app, Method::POST, &format!("{user}/corrections"), secret, Some(body.clone()), &[("if-match", "0")]).await;
            assert_eq!(status, 403);
        }
        let (status, _, _) = send(&app, Method::POST, "/audit/verify", &end_user, None, &[]).await;
        assert_eq!(status, 403);
    }

    async fn a_users_data_keeps_the_visibility_rules_and_the_list_applies_the_filters(app) {
        let admin = token(&app, demo::CONTOSO, Role::TenantAdmin, None).await;
        let (status, ben) = get(&app, &format!("/users/{}", demo::BEN), &admin).await;
        assert_eq!(status, 200, "{ben}");
        let pixel = &ben["devices"][0]["record"]["fields"];
        let imei = pixel.as_array().unwrap().iter().find(|f| f["field"] == "imei").unwrap();
        assert_eq!(imei["shown"], "hidden");
        assert_eq!(imei["value"], Value::Null);
        assert!(!ben.to_string().contains("354826110432176"), "the hidden IMEI never leaves");
        let (_, open) = get(&app, "/users?open=1", &admin).await;
        let names: Vec<&str> = open["items"].as_array().unwrap().iter().map(|u| u["display_name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Ben Okafor"]);
        let (_, adele) = get(&app, "/users?q=adele", &admin).await;
        assert_eq!(adele["items"][0]["id"], demo::ADELE);
        let (_, android) = get(&app, "/users?platform=android", &admin).await;
        assert!(android["items"].as_array().unwrap().iter().any(|u| u["id"] == demo::BEN));
    }

    async fn an_export_is_json_or_csv_masks_secrets_and_is_audited_as_the_token(app) {
        let admin = token(&app, demo::CONTOSO, Role::TenantAdmin, None).await;
        let (status, json) = get(&app, &format!("/users/{}/export", demo::ADELE), &admin).await;
        assert_eq!(status, 200);
        assert_eq!(json["tenant_id"], demo::CONTOSO);
        assert!(!json.to_string().contains("K2Q7M-9XRTA"), "the bypass code stays masked");
        let (status, headers, csv) = send(&app, Method::GET, &format!("/users/{}/export?format=csv&lang=nl", demo::ADELE), &admin, None, &[]).await;
        assert_eq!(status, 200);
        assert!(headers.get("content-type").unwrap().to_str().unwrap().starts_with("text/csv"));
        assert!(csv.as_str().unwrap().contains("adele.vance@contoso.com"));
        let event = last_event(&app, "user.exported").await;
        assert_eq!((event.actor_kind.as_str(), event.actor_name.as_str()), ("token", "test tenant_admin"));
        assert_eq!(event.reason.as_deref(), Some("csv"));
        assert_eq!(get(&app, &format!("/users/{}/export?format=pdf", demo::ADELE), &admin).await.0, 422);
    }

    async fn a_correction_through_the_api_is_recorded_under_the_tokens_name_with_follow_ups(app) {
        let admin = token(&app, demo::CONTOSO, Role::TenantAdmin, None).await;
        let (_, adele) = get(&app, &format!("/users/{}", demo::ADELE), &admin).await;
        let iphone = &adele["devices"][0]["record"];
        let version = iphone["fields"].as_array().unwrap().iter().find(|f| f["field"] == "management_name").unwrap()["version"].to_string();
        let body = json!({"record_id": IPHONE, "field": "management_name", "value": "Adele iPhone (Retail)", "reason": "Naming convention"});
        let (status, _, outcome) = send(&app, Method::POST, &format!("/users/{}/corrections", demo::ADELE), &admin, Some(body), &[("if-match", &format!("\"{version}\""))]).await;
        assert_eq!(status, 200, "{outcome}");
        assert_eq!(outcome["version"], 1);
        let event = last_event(&app, "field.corrected").await;
        assert_eq!(event.actor_name, "test tenant_admin");
        assert_eq!(event.reason.as_deref(), Some("Naming convention"));
        let routed = json!({"record_id": demo::DIEGO, "field": "display_name", "value": "Diego Siciliani-Rossi", "reason": "Name changed"});
        let (status, _, outcome) = send(&app, Method::POST, &format!("/users/{}/routed-corrections", demo::DIEGO), &admin, Some(routed), &[("if-match", "0")]).await;
        assert_eq!(status, 200, "{outcome}");
        assert_eq!(outcome["follow_up_recipients"], json!([]), "nobody is told before the source shows it");
        let (_, diego) = get(&app, &format!("/users/{}", demo::DIEGO), &admin).await;
        assert_eq!(diego["routed"][0]["proposed_value"], "Diego Siciliani-Rossi");
    }

    async fn follow_ups_are_listed_with_filters_and_marked_done_through_the_sharing_port(app) {
        let admin = token(&app, demo::CONTOSO, Role::TenantAdmin, None).await;
        let routed = json!({"record_id": demo::DIEGO, "field": "display_name", "value": "Diego S.", "reason": "Name changed"});
        let (status, _, _) = send(&app, Method::POST, &format!("/users/{}/routed-corrections", demo::DIEGO), &admin, Some(routed), &[("if-match", "0")]).await;
        assert_eq!(status, 200);
        import_records(&app, demo::CONTOSO, &[graph_user(demo::DIEGO, "diego.siciliani@contoso.com", "Diego S.")]).await;
        let (status, tasks) = get(&app, "/follow-ups?recipient_id=teamviewer", &admin).await;
        assert_eq!(status, 200, "{tasks}");
        let task = &tasks["items"][0];
        assert_eq!(task["recipient_name"], "TeamViewer");
        let id = task["id"].as_i64().unwrap();
        let (status, _, body) = send(&app, Method::POST, &format!("/follow-ups/{id}/done"), &admin, None, &[]).await;
        assert_eq!(status, 204, "{body}");
        let stored = follow_up_task::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(stored.status.as_str(), "done");
        let (_, done) = get(&app, "/follow-ups?status=done", &admin).await;
        assert!(done["items"].as_array().unwrap().iter().any(|t| t["id"] == id));
        let fabrikam = token(&app, demo::FABRIKAM, Role::TenantAdmin, None).await;
        assert_eq!(send(&app, Method::POST, &format!("/follow-ups/{id}/done"), &fabrikam, None, &[]).await.0, 404);
        assert_eq!(send(&app, Method::POST, "/follow-ups/0/done", &admin, None, &[]).await.0, 422);
    }

    async fn the_audit_log_filters_pages_and_verifies_its_chain(app) {
        let auditor = token(&app, demo::CONTOSO, Role::Auditor, None).await;
        let (status, page) = get(&app, "/audit/events", &auditor).await;
        assert_eq!(status, 200, "{page}");
        let items = page["items"].as_array().unwrap();
        assert!(!items.is_empty());
        let seqs: Vec<i64> = items.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert!(seqs.windows(2).all(|w| w[0] > w[1]), "newest first");
        let (_, filtered) = get(&app, "/audit/events?action=api_token.created", &auditor).await;
        assert!(filtered["items"].as_array().unwrap().iter().all(|e| e["action"] == "api_token.created"));
        assert!(!filtered["items"].as_array().unwrap().is_empty());
        let (status, _, check) = send(&app, Method::POST, "/audit/verify", &auditor, None, &[]).await;
        assert_eq!(status, 200, "{check}");
        assert_eq!(check["intact"], true);
        assert!(check["events"].as_u64().unwrap() > 0);
        if let Some(next) = page["next"].as_str() {
            let (status, older) = get(&app, &format!("/audit/events?after={next}"), &auditor).await;
            assert_eq!(status, 200);
            assert!(older["items"][0]["seq"].as_i64().unwrap() < *seqs.last().unwrap());
        }
    }

    async fn sharing_features_are_previewed_enabled_with_consent_and_disabled_with_if_match(app) {
        let admin = token(&app, demo::CONTOSO, Role::TenantAdmin, None).await;
        let (_, features) = get(&app, "/sharing/features", &admin).await;
        let teamviewer = features["items"].as_array().unwrap().iter().find(|f| f["id"] == "teamviewer").unwrap().clone();
        assert!(!teamviewer["flows"].as_array().unwrap().is_empty());
        let (status, preview) = get(&app, "/sharing/features/teamviewer/preview?enable=true", &admin).await;
        assert_eq!(status, 200, "{preview}");
        let version = format!("\"{}\"", preview["version"]);
        let terms = preview["terms"]["version"].clone();
        let path = "/sharing/features/teamviewer/enable";
        let (status, _, refused) = send(&app, Method::POST, path, &admin, Some(json!({"terms_version": terms})), &[("if-match", &version)]).await;
        assert_eq!(status, 422, "{refused}");
        assert_eq!(refused["errors"][0]["field"], "consent");
        let (status, _, _) = send(&app, Method::POST, path, &admin, Some(json!({"terms_version": terms, "consent": true})), &[]).await;
        assert_eq!(status, 428);
        let (status, _, body) = send(&app, Method::POST, path, &admin, Some(json!({"terms_version": terms, "consent": true})), &[("if-match", &version)]).await;
        assert_eq!(status, 204, "{body}");
        let event = last_event(&app, "feature.enabled").await;
        assert_eq!(event.actor_name, "test tenant_admin");
        let (_, features) = get(&app, "/sharing/features", &admin).await;
        let on = features["items"].as_array().unwrap().iter().find(|f| f["id"] == "teamviewer").unwrap().clone();
        assert_eq!(on["enabled"], true);
        assert_eq!(on["consent"]["granted_by"], "test tenant_admin");
        let stale = send(&app, Method::POST, "/sharing/features/teamviewer/disable", &admin, None, &[("if-match", &version)]).await;
        assert_eq!(stale.0, 412, "{}", stale.2);
        let current = format!("\"{}\"", on["version"]);
        let (status, _, body) = send(&app, Method::POST, "/sharing/features/teamviewer/disable", &admin, None, &[("if-match", &current)]).await;
        assert_eq!(status, 204, "{body}");
        let auditor = token(&app, demo::CONTOSO, Role::Auditor, None).await;
        assert_eq!(send(&app, Method::POST, "/sharing/features/teamviewer/disable", &auditor, None, &[("if-match", &current)]).await.0, 403);
    }

    async fn an_end_user_token_files_and_withdraws_its_own_requests_and_reviewers_decide(app) {
        let adele = token(&app, demo::CONTOSO, Role::EndUser, Some("adele.vance@contoso.com")).await;
        let reviewer = token(&app, demo::CONTOSO, Role::SupportReviewer, None).await;
        let file = |value: &str| json!({"record_id": IPHONE, "field": "management_name", "value": value, "reason": "That is not my phone's name"});
        let (status, _, created) = send(&app, Method::POST, "/requests", &adele, Some(file("Adele work phone")), &[("idempotency-key", "req-1")]).await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(created["status"], "pending");
        let id = created["id"].as_i64().unwrap();
        let (status, _, again) = send(&app, Method::POST, "/requests", &adele, Some(file("Adele work phone")), &[("idempotency-key", "req-1")]).await;
        assert_eq!((status, again["id"].as_i64()), (201, Some(id)), "a retried filing is not filed twice");
        let (_, mine) = get(&app, "/requests", &adele).await;
        assert!(mine["items"].as_array().unwrap().iter().all(|r| r["subject_user_id"] == demo::ADELE));
        assert_eq!(get(&app, &format!("/requests/{id}"), &adele).await.0, 200);
        let ben = correction_request::Entity::find().filter(correction_request::Column::SubjectUserId.eq(demo::BEN)).one(&app.db).await.unwrap().unwrap();
        assert_eq!(get(&app, &format!("/requests/{}", ben.id), &adele).await.0, 404, "not her request");
        assert_eq!(send(&app, Method::POST, "/requests", &reviewer, Some(file("x")), &[]).await.0, 403, "staff do not file");

        let (_, queue) = get(&app, "/requests", &reviewer).await;
        assert!(queue["items"].as_array().unwrap().iter().any(|r| r["id"] == id));
        let (status, request) = get(&app, &format!("/requests/{id}"), &reviewer).await;
        assert_eq!(status, 200, "{request}");
        let version = format!("\"{}\"", request["version"]);
        let (status, _, extended) = send(&app, Method::POST, &format!("/requests/{id}/extend"), &reviewer, Some(json!({"months": 1, "reason": "Waiting for the device"})), &[("if-match", &version)]).await;
        assert_eq!(status, 200, "{extended}");
        assert!(extended["due_at"].as_i64() > request["due_at"].as_i64());
        let stale = send(&app, Method::POST, &format!("/requests/{id}/reject"), &reviewer, Some(json!({"reason": "no"})), &[("if-match", &version)]).await;
        assert_eq!(stale.0, 412, "{}", stale.2);
        let current = format!("\"{}\"", extended["version"]);
        let (status, _, decision) = send(&app, Method::POST, &format!("/requests/{id}/approve"), &reviewer, Some(json!({"field_version": 0})), &[("if-match", &current)]).await;
        assert_eq!(status, 200, "{decision}");
        assert_eq!(decision["status"], "approved");
        assert_eq!(decision["waiting_for"], Value::Null, "a portal field is corrected at once");
        assert_eq!(last_event(&app, "request.approved").await.actor_name, "test support_reviewer");
        // Ben's name is Entra ID's: approved, it waits there, and the API says so.
        let (_, bens) = get(&app, &format!("/requests/{}", ben.id), &reviewer).await;
        let bens_version = format!("\"{}\"", bens["version"]);
        let (status, _, decision) = send(&app, Method::POST, &format!("/requests/{}/approve", ben.id), &reviewer, Some(json!({"field_version": 0})), &[("if-match", &bens_version)]).await;
        assert_eq!(status, 200, "{decision}");
        assert_eq!(decision["waiting_for"], "directory", "{decision}");
        let (_, bens) = get(&app, &format!("/requests/{}", ben.id), &reviewer).await;
        assert_eq!(bens["at_source"]["source"], "directory", "{bens}");
        assert_eq!(bens["at_source"]["status"], "routed", "{bens}");

        let (status, _, second) = send(&app, Method::POST, "/requests", &adele, Some(json!({"record_id": demo::ADELE, "field": "phone", "value": "+14255550199", "reason": "new number"})), &[]).await;
        assert_eq!(status, 201, "{second}");
        let second_id = second["id"].as_i64().unwrap();
        let (status, _, withdrawn) = send(&app, Method::POST, &format!("/requests/{second_id}/withdraw"), &adele, None, &[]).await;
        assert_eq!(status, 200, "{withdrawn}");
        assert_eq!(withdrawn["status"], "withdrawn");
        let fabrikam = token(&app, demo::FABRIKAM, Role::TenantAdmin, None).await;
        assert_eq!(get(&app, &format!("/requests/{id}"), &fabrikam).await.0, 404);
    }
}
