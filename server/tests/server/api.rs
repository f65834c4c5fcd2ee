//! The REST API's infrastructure: tokens made in the portal (shown once, stored as a hash,
//! revocable, expiring), bearer authentication, problem documents, the body cap, the rate
//! limit, idempotency keys, tenant isolation, cursor pagination under inserts, and the OpenAPI
//! document matching the routes.

use crate::helpers::{client, on_both_databases, TestApp};
use app::api_tokens::NewToken;
use app::auth::Role;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, NotSet, PaginatorTrait, QueryFilter, Set,
};
use serde_json::{json, Value};
use server::entities::{api_token, audit_event, directory_user, disclosure};
use server::seed::demo;
use server::services::api_tokens::{self, Creator};
use server::services::audit::Actor;

pub const IPHONE: &str = "d1000000-0000-4000-8000-0000000000d1";

/// A token of `role` in `tenant` made directly through the service; its secret.
pub async fn token(app: &TestApp, tenant: &str, role: Role, end_user: Option<&str>) -> String {
    // An end-user token is made as its end user, the only one who may make it.
    let directory_user_id = match end_user {
        Some(upn) => Some(
            directory_user::Entity::find()
                .filter(directory_user::Column::Upn.eq(upn))
                .one(&app.db)
                .await
                .unwrap()
                .expect("the end user exists")
                .id,
        ),
        None => None,
    };
    let creator = Creator {
        account_id: 0,
        name: "test setup".into(),
        actor: Actor::system("test setup"),
        directory_user_id,
    };
    let name = format!("test {}", role.as_str());
    let new = NewToken::parse(&name, role, 30, end_user).unwrap();
    api_tokens::create(&app.db, tenant, &creator, new, app.clock.now_ms())
        .await
        .unwrap()
        .secret
}

/// Sends a request with the bearer token; status, headers and the body as JSON (or a string).
pub async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    secret: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = client()
        .request(method, app.url(&format!("/api/v1{path}")))
        .header(AUTHORIZATION, format!("Bearer {secret}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, headers, body)
}

pub async fn get(app: &TestApp, path: &str, secret: &str) -> (u16, Value) {
    let (status, _, body) = send(app, reqwest::Method::GET, path, secret, None, &[]).await;
    (status, body)
}

/// Asserts an RFC 9457 problem document of the given status and type slug.
pub fn assert_problem(
    status: u16,
    headers: &reqwest::header::HeaderMap,
    body: &Value,
    expected: u16,
    slug: &str,
) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(
        headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()),
        Some("application/problem+json"),
        "{body}"
    );
    assert_eq!(
        body["type"],
        format!("urn:privacy-portal:problem:{slug}"),
        "{body}"
    );
    assert_eq!(body["status"], expected);
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(body["reference"].as_str().is_some_and(|r| !r.is_empty()));
}

on_both_databases! { demo;
    async fn a_token_created_in_the_portal_is_shown_once_stored_as_a_hash_and_works_at_once(app) {
        let admin = app.client_as("Megan Bowen").await;
        let form = [("name", "nightly export"), ("role", "auditor"), ("expires_in_days", "30"), ("end_user", "")];
        let (status, created) = app.call(&admin, "api-tokens/create", &form).await;
        assert_eq!(status, 200, "{created}");
        let secret = created["secret"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("ppt_") && secret.len() > 60, "{secret}");
        let stored = api_token::Entity::find().one(&app.db).await.unwrap().unwrap();
        assert_eq!(stored.token_hash, api_tokens::hash_secret(&secret));
        assert_ne!(stored.token_hash, secret);
        assert_eq!(stored.created_by_name, "Megan Bowen");
        let (status, listed) = app.call(&admin, "api-tokens/list", &[]).await;
        assert_eq!(status, 200);
        assert_eq!(listed[0]["name"], "nightly export");
        assert_eq!(listed[0]["state"], "active");
        assert!(!listed.to_string().contains(&secret[8..]), "the list never shows the secret");
        let (status, me) = get(&app, "/me", &secret).await;
        assert_eq!(status, 200, "{me}");
        assert_eq!(me["name"], "nightly export");
        assert_eq!(me["role"], "auditor");
        assert_eq!(me["tenant_id"], demo::CONTOSO);
        let event = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("api_token.created"))
            .one(&app.db).await.unwrap().unwrap();
        assert_eq!(event.actor_name, "Megan Bowen");
        assert!(!event.changes.contains(&secret[4..]), "the secret never enters the audit log");
    }

    async fn the_token_page_offers_the_form_and_lists_tokens_without_their_secrets(app) {
        let secret = token(&app, demo::CONTOSO, Role::Auditor, None).await;
        let admin = app.client_as("Megan Bowen").await;
        let response = admin.get(app.url("/admin/api-tokens")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let html = response.text().await.unwrap();
        assert!(html.contains("Create token"), "{html}");
        assert!(html.contains("test auditor"), "the token is listed");
        assert!(html.contains(&secret[..8]), "its prefix is shown");
        assert!(!html.contains(&secret[8..]), "its secret is not");
        assert!(html.contains("href=\"/admin/api-tokens\""), "admins see the navigation link");
        let reviewer = app.client_as("Lee Gu").await;
        let html = reviewer.get(app.url("/admin/api-tokens")).send().await.unwrap().text().await.unwrap();
        assert!(!html.contains("test auditor"), "other roles see no tokens");
    }

    async fn only_a_tenant_admin_manages_tokens(app) {
        let form = [("name", "x"), ("role", "auditor"), ("expires_in_days", "30")];
        for name in ["Lee Gu", "Irvin Sayers", "Adele Vance"] {
            let user = app.client_as(name).await;
            assert_eq!(app.call(&user, "api-tokens/create", &form).await.0, 403, "{name}");
            assert_eq!(app.call(&user, "api-tokens/list", &[]).await.0, 403, "{name}");
        }
        assert_eq!(app.call(&client(), "api-tokens/create", &form).await.0, 401);
        let admin = app.client_as("Megan Bowen").await;
        let bad = [("name", " "), ("role", "auditor"), ("expires_in_days", "30")];
        let (status, body) = app.call(&admin, "api-tokens/create", &bad).await;
        assert_eq!(status, 422);
        assert_eq!(body["Invalid"]["field"], "name");
        let no_user = [("name", "x"), ("role", "end_user"), ("expires_in_days", "30"), ("end_user", "nobody@contoso.com")];
        let (status, body) = app.call(&admin, "api-tokens/create", &no_user).await;
        assert_eq!(status, 422);
        assert_eq!(body["Invalid"]["field"], "end_user");
    }

    async fn an_end_user_token_is_made_only_by_its_end_user_and_acts_as_them(app) {
        // An admin cannot mint a token that acts as an end user, nor is one offered.
        let admin = app.client_as("Megan Bowen").await;
        let for_adele = [("name", "as adele"), ("role", "end_user"), ("expires_in_days", "30"), ("end_user", "adele.vance@contoso.com")];
        let (status, body) = app.call(&admin, "api-tokens/create", &for_adele).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["Invalid"]["field"], "end_user");
        assert_eq!(api_token::Entity::find().count(&app.db).await.unwrap(), 0, "nothing was stored");
        let page = admin.get(app.url("/admin/api-tokens")).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("value=\"end_user\""), "the admin page offers no end-user role");
        assert_eq!(app.call(&admin, "me/api-tokens/create", &[("name", "x"), ("expires_in_days", "30")]).await.0, 403, "an admin is no end user");

        // Adele makes her own on her token page; it acts as her, and it was made by her.
        let adele = app.client_as("Adele Vance").await;
        let page = adele.get(app.url("/me/api-tokens")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("You have no API tokens."), "an empty state first");
        let (status, created) = app.call(&adele, "me/api-tokens/create", &[("name", "my script"), ("expires_in_days", "7")]).await;
        assert_eq!(status, 200, "{created}");
        let secret = created["secret"].as_str().unwrap().to_owned();
        assert_eq!(created["token"]["role"], "end_user");
        assert_eq!(created["token"]["created_by"], "Adele Vance");
        let (status, _, me) = send(&app, reqwest::Method::GET, "/me", &secret, None, &[]).await;
        assert_eq!(status, 200);
        assert_eq!(me["user_id"], demo::ADELE);
        let (status, body) = app.call(&adele, "me/api-tokens/create", &[("name", " "), ("expires_in_days", "7")]).await;
        assert_eq!((status, body["Invalid"]["field"].as_str()), (422, Some("name")), "a bad name is refused by field");

        // She sees only her own; the admin sees every token of the tenant.
        let staff = token(&app, demo::CONTOSO, Role::Auditor, None).await;
        let (_, mine) = app.call(&adele, "me/api-tokens/list", &[]).await;
        assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
        assert_eq!(mine[0]["name"], "my script");
        let (_, all) = app.call(&admin, "api-tokens/list", &[]).await;
        assert_eq!(all.as_array().unwrap().len(), 2, "{all}");

        // Nobody else's token is hers to revoke, and hers is nobody else's but an admin's.
        let staff_id = api_token::Entity::find().filter(api_token::Column::Role.eq("auditor")).one(&app.db).await.unwrap().unwrap().id.to_string();
        let own_id = created["token"]["id"].to_string();
        assert_eq!(app.call(&adele, "api-tokens/revoke", &[("token_id", &staff_id)]).await.0, 404, "a staff token");
        let ben = app.client_as("Ben Okafor").await;
        assert_eq!(app.call(&ben, "api-tokens/revoke", &[("token_id", &own_id)]).await.0, 404, "another end user's token");
        let (_, bens) = app.call(&ben, "me/api-tokens/list", &[]).await;
        assert_eq!(bens, json!([]), "Ben sees none of Adele's");
        assert_eq!(get(&app, "/me", &staff).await.0, 200, "the staff token still works");
        assert_eq!(app.call(&adele, "api-tokens/revoke", &[("token_id", &own_id)]).await.0, 200);
        assert_eq!(get(&app, "/me", &secret).await.0, 401, "revoked at once");
    }

    async fn the_command_line_makes_end_user_tokens_only_for_demo_data(app) {
        use server::api::tokens::CliToken;
        let now = app.clock.now_ms();
        let as_adele = CliToken { tenant: demo::CONTOSO, role: "end_user", name: "cli", days: 30, end_user: Some("adele.vance@contoso.com") };
        let refused = server::api::tokens::create_from_cli(&app.db, as_adele, false, now).await;
        let message = refused.expect_err("outside demo mode").to_string();
        assert!(message.contains("/me/api-tokens"), "{message}");
        let demo_token = server::api::tokens::create_from_cli(&app.db, as_adele, true, now).await.unwrap();
        let (status, _, me) = send(&app, reqwest::Method::GET, "/me", &demo_token, None, &[]).await;
        assert_eq!((status, me["user_id"].as_str()), (200, Some(demo::ADELE)));
        let staff = server::api::tokens::create_from_cli(&app.db, CliToken { role: "auditor", end_user: None, ..as_adele }, false, now).await;
        assert!(staff.is_ok(), "staff tokens as before");
    }

    async fn a_revoked_token_is_refused_at_once_and_the_revocation_is_audited(app) {
        let admin = app.client_as("Megan Bowen").await;
        let secret = token(&app, demo::CONTOSO, Role::TenantAdmin, None).await;
        assert_eq!(get(&app, "/me", &secret).await.0, 200);
        let id = api_token::Entity::find().one(&app.db).await.unwrap().unwrap().id.to_string();
        let (status, body) = app.call(&admin, "api-tokens/revoke", &[("token_id", &id)]).await;
        assert_eq!(status, 200, "{body}");
        let (status, headers, body) = send(&app, reqwest::Method::GET, "/me", &secret, None, &[]).await;
        assert_problem(status, &headers, &body, 401, "unauthenticated");
        let (_, listed) = app.call(&admin, "api-tokens/list", &[]).await;
        assert_eq!(listed[0]["state"], "revoked");
        let revoked = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("api_token.revoked"))
            .count(&app.db).await.unwrap();
        assert_eq!(revoked, 1);
        let fabrikam = app.client_as("Alex Wilber").await;
        assert_eq!(app.call(&fabrikam, "api-tokens/revoke", &[("token_id", &id)]).await.0, 404, "another tenant's token");
    }

    async fn an_expired_token_is_refused(app) {
        let secret = token(&app, demo::CONTOSO, Role::TenantAdmin, None).await;
        let stored = api_token::Entity::find().one(&app.db).await.unwrap().unwrap();
        let mut expired: api_token::ActiveModel = stored.into();
        expired.expires_at = Set(app.clock.now_ms() - 1);
        expired.update(&app.db).await.unwrap();
        let (status, headers, body) = send(&app, reqwest::Method::GET, "/me", &secret, None, &[]).await;
        assert_problem(status, &headers, &body, 401, "unauthenticated");
    }

    async fn requests_without_a_valid_bearer_token_get_a_problem_document(app) {
        for (authorization, why) in [
            (None, "no header"),
            (Some("Basic dXNlcjpwYXNz"), "another scheme"),
            (Some("Bearer "), "an empty token"),
            (Some("Bearer ppt_0000000000000000000000000000000000000000000000000000000000000000"), "an unknown token"),
        ] {
            let mut request = client().get(app.url("/api/v1/users"));
            if let Some(value) = authorization {
                request = request.header(AUTHORIZATION, value);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body: Value = response.json().await.unwrap();
            assert_problem(status, &headers, &body, 401, "unauthenticated");
            assert!(headers.get("www-authenticate").is_some(), "{why}");
        }
        let admin = app.client_as("Megan Bowen").await;
        let response = admin.get(app.url("/api/v1/users")).send().await.unwrap();
        assert_eq!(response.status(), 401, "a portal session cookie is not an API credential");
    }

    async fn each_use_of_a_token_records_when_it_was_last_used(app) {
        let secret = token(&app, demo::CONTOSO, Role::Auditor, None).await;
        assert_eq!(api_token::Entity::find().one(&app.db).await.unwrap().unwrap().last_used_at, None);
        assert_eq!(get(&app, "/me", &secret).await.0, 200);
        assert!(api_token::Entity::find().one(&app.db).await.unwrap().unwrap().last_used_at.is_some());
    }

    async fn a_token_of_one_tenant_never_reaches_another(app) {
        let fabrikam = token(&app, demo::FABRIKAM, Role::TenantAdmin, None).await;
        let (status, headers, body) = send(&app, reqwest::Method::GET, &format!("/users/{}", demo::ADELE), &fabrikam, None, &[]).await;
        assert_problem(status, &headers, &body, 404, "not-found");
        assert_eq!(get(&app, &format!("/users/{}/export", demo::ADELE), &fabrikam).await.0, 404);
        let (_, users) = get(&app, "/users?limit=100", &fabrikam).await;
        let ids: Vec<&str> = users["items"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
        assert!(!ids.is_empty());
        assert!(ids.iter().all(|id| id.starts_with('b')), "only Fabrikam users: {ids:?}");
        let (_, disclosures) = get(&app, &format!("/disclosures?user_id={}", demo::ADELE), &fabrikam).await;
        assert_eq!(disclosures["items"], json!([]));
        let (_, audit) = get(&app, "/audit/events", &fabrikam).await;
        assert!(audit["items"].as_array().unwrap().iter().all(|e| e["subject_user_id"].as_str().is_none_or(|s| s.starts_with('b'))));
        let body = json!({"record_id": IPHONE, "field": "device_category", "value": "Retail", "reason": "cross-tenant"});
        let (status, _, _) = send(&app, reqwest::Method::POST, &format!("/users/{}/corrections", demo::ADELE), &fabrikam, Some(body), &[("if-match", "\"0\"")]).await;
        assert_eq!(status, 404);
    }

    async fn validation_and_protocol_errors_are_problem_documents_with_stable_types(app) {
        let secret = token(&app, demo::CONTOSO, Role::TenantAdmin, None).await;
        let path = format!("/users/{}/corrections", demo::ADELE);
        let good = json!({"record_id": IPHONE, "field": "device_category", "value": "Retail", "reason": "naming"});
        let post = reqwest::Method::POST;
        let (s, h, b) = send(&app, post.clone(), &path, &secret, Some(json!({"record_id": IPHONE, "field": "ownership", "value": "banana", "reason": "typo"})), &[("if-match", "0")]).await;
        assert_problem(s, &h, &b, 422, "validation");
        assert_eq!(b["errors"][0]["field"], "value", "{b}");
        assert!(b["errors"][0]["message"].as_str().is_some_and(|m| !m.is_empty()));
        let (s, h, b) = send(&app, post.clone(), &path, &secret, Some(json!({"record_id": IPHONE, "field": "no_such_field", "value": "x", "reason": "typo"})), &[("if-match", "0")]).await;
        assert_problem(s, &h, &b, 422, "validation");
        assert_eq!(b["errors"][0]["field"], "field");
        let (s, h, b) = send(&app, post.clone(), &path, &secret, Some(json!({"record_id": IPHONE})), &[("if-match", "0")]).await;
        assert_problem(s, &h, &b, 422, "validation");
        let (s, h, b) = send(&app, post.clone(), &path, &secret, Some(good.clone()), &[]).await;
        assert_problem(s, &h, &b, 428, "if-match-required");
        let (s, h, b) = send(&app, post.clone(), &path, &secret, Some(good.clone()), &[("if-match", "\"seven\"")]).await;
        assert_problem(s, &h, &b, 400, "bad-request");
        let (s, h, b) = send(&app, post.clone(), &path, &secret, Some(good.clone()), &[("if-match", "\"0\"")]).await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(h.get("etag").unwrap(), "\"1\"");
        let (s, h, b) = send(&app, post.clone(), &path, &secret, Some(good.clone()), &[("if-match", "\"0\"")]).await;
        assert_problem(s, &h, &b, 412, "version-mismatch");
        let raw = client().post(app.url(&format!("/api/v1{path}"))).header(AUTHORIZATION, format!("Bearer {secret}"))
            .header("if-match", "1").header(CONTENT_TYPE, "application/json").body("{not json").send().await.unwrap();
        assert_eq!(raw.status(), 400);
        let raw = client().post(app.url(&format!("/api/v1{path}"))).header(AUTHORIZATION, format!("Bearer {secret}"))
            .header("if-match", "1").body(good.to_string()).send().await.unwrap();
        assert_eq!(raw.status(), 415);
        assert_eq!(raw.headers().get(CONTENT_TYPE).unwrap(), "application/problem+json");
        let (s, h, b) = send(&app, reqwest::Method::GET, "/no/such/route", &secret, None, &[]).await;
        assert_problem(s, &h, &b, 404, "no-such-route");
        let (s, h, b) = send(&app, reqwest::Method::DELETE, "/users", &secret, None, &[]).await;
        assert_problem(s, &h, &b, 405, "method-not-allowed");
        let (s, h, b) = send(&app, reqwest::Method::GET, "/users?limit=0", &secret, None, &[]).await;
        assert_problem(s, &h, &b, 422, "validation");
        assert_eq!(b["errors"][0]["field"], "limit");
        let (s, h, b) = send(&app, reqwest::Method::GET, "/users?platform=amiga", &secret, None, &[]).await;
        assert_problem(s, &h, &b, 422, "validation");
        assert_eq!(b["errors"][0]["field"], "platform");
        let (s, h, b) = send(&app, reqwest::Method::GET, "/disclosures?after=abc", &secret, None, &[]).await;
        assert_problem(s, &h, &b, 422, "validation");
        assert_eq!(b["errors"][0]["field"], "after");
        // Worded for the reader, like every other refusal.
        let (s, h, b) = send(&app, reqwest::Method::GET, "/users?limit=0", &secret, None, &[("accept-language", "nl")]).await;
        assert_problem(s, &h, &b, 422, "validation");
        assert!(b["errors"][0]["message"].as_str().unwrap().starts_with("Geef een geheel getal van 1 tot en met"), "{b}");
        let (_, _, b) = send(&app, reqwest::Method::GET, &format!("/users/{}/export?format=xml", demo::ADELE), &secret, None, &[("accept-language", "nl")]).await;
        assert_eq!(b["errors"][0]["message"], "Gebruik een van: `json`, `csv`.", "{b}");
    }

    async fn a_body_over_the_cap_is_refused_with_413(app) {
        let secret = token(&app, demo::CONTOSO, Role::TenantAdmin, None).await;
        let huge = json!({"record_id": IPHONE, "field": "device_category", "value": "x".repeat(70 * 1024), "reason": "big"});
        let (s, h, b) = send(&app, reqwest::Method::POST, &format!("/users/{}/corrections", demo::ADELE), &secret, Some(huge.clone()), &[("if-match", "0")]).await;
        assert_problem(s, &h, &b, 413, "payload-too-large");
        let (s, h, b) = send(&app, reqwest::Method::POST, &format!("/users/{}/corrections", demo::ADELE), &secret, Some(huge), &[("if-match", "0"), ("idempotency-key", "big-1")]).await;
        assert_problem(s, &h, &b, 413, "payload-too-large");
    }

    async fn a_retried_post_with_the_same_idempotency_key_acts_once_and_gets_the_same_answer(app) {
        let secret = token(&app, demo::CONTOSO, Role::TenantAdmin, None).await;
        let path = format!("/users/{}/corrections", demo::ADELE);
        let body = json!({"record_id": IPHONE, "field": "device_category", "value": "Retail", "reason": "naming"});
        let headers = [("if-match", "\"0\""), ("idempotency-key", "4b1d-retry-1")];
        let (s1, h1, b1) = send(&app, reqwest::Method::POST, &path, &secret, Some(body.clone()), &headers).await;
        assert_eq!(s1, 200, "{b1}");
        assert!(h1.get("idempotency-replayed").is_none());
        let (s2, h2, b2) = send(&app, reqwest::Method::POST, &path, &secret, Some(body.clone()), &headers).await;
        assert_eq!((s2, &b2), (200, &b1), "the retry gets the first answer");
        assert_eq!(h2.get("idempotency-replayed").unwrap(), "true");
        let corrected = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("field.corrected"))
            .count(&app.db).await.unwrap();
        assert_eq!(corrected, 1, "the correction happened once");
        let other = json!({"record_id": IPHONE, "field": "device_category", "value": "Warehouse", "reason": "naming"});
        let (s, h, b) = send(&app, reqwest::Method::POST, &path, &secret, Some(other), &headers).await;
        assert_problem(s, &h, &b, 422, "idempotency-key-reused");
        let other_token = token(&app, demo::CONTOSO, Role::TenantAdmin, None).await;
        let (s, _, b) = send(&app, reqwest::Method::POST, &path, &other_token, Some(body.clone()), &headers).await;
        assert_eq!(s, 412, "keys are per token, so this is a new request with a stale version: {b}");
        let (s, _, _) = send(&app, reqwest::Method::POST, &path, &secret, Some(body), &[("if-match", "\"0\"")]).await;
        assert_eq!(s, 412, "without a key, a retry is a new request");
        let (s, h, b) = send(&app, reqwest::Method::POST, &path, &secret, None, &[("idempotency-key", "bad key with spaces")]).await;
        assert_problem(s, &h, &b, 400, "bad-request");
    }

    async fn disclosure_pages_neither_repeat_nor_skip_when_disclosures_are_recorded_meanwhile(app) {
        let secret = token(&app, demo::CONTOSO, Role::TenantAdmin, None).await;
        let (_, all) = get(&app, "/disclosures?limit=100", &secret).await;
        let all: Vec<i64> = all["items"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect();
        assert!(all.len() >= 4, "the demo has disclosures: {all:?}");
        let (_, first) = get(&app, "/disclosures?limit=2", &secret).await;
        let cursor = first["next"].as_str().unwrap().to_owned();
        let template = disclosure::Entity::find().one(&app.db).await.unwrap().unwrap();
        let mut newer: disclosure::ActiveModel = template.into();
        newer.id = NotSet;
        newer.disclosed_at = Set(app.clock.now_ms());
        newer.delivery_id = Set(None);
        newer.insert(&app.db).await.unwrap();
        let mut seen: Vec<i64> = first["items"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect();
        let mut next = Some(cursor);
        while let Some(after) = next {
            let (status, page) = get(&app, &format!("/disclosures?limit=2&after={after}"), &secret).await;
            assert_eq!(status, 200, "{page}");
            seen.extend(page["items"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()));
            next = page["next"].as_str().map(str::to_owned);
        }
        assert_eq!(seen, all, "every disclosure once, in order, the new one not mixed in");
    }

    async fn user_pages_neither_repeat_nor_skip_when_users_are_added_meanwhile(app) {
        let secret = token(&app, demo::CONTOSO, Role::TenantAdmin, None).await;
        let (_, all) = get(&app, "/users?limit=100", &secret).await;
        let all: Vec<String> = all["items"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap().to_owned()).collect();
        let (_, first) = get(&app, "/users?limit=2", &secret).await;
        let cursor = first["next"].as_str().unwrap().to_owned();
        let now = app.clock.now_ms();
        // Sorts before everyone already seen: it must not push anyone onto the next page twice.
        directory_user::ActiveModel {
            id: Set("a1b2c3d4-0099-4000-8000-000000000099".into()),
            tenant_id: Set(demo::CONTOSO.into()),
            upn: Set("aaron.abel@contoso.com".into()),
            display_name: Set("Aaron Abel".into()),
            search_name: Set("aaron abel".into()),
            email: Set(None),
            phone: Set(None),
            department: Set(None),
            job_title: Set(None),
            version: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&app.db).await.unwrap();
        let mut seen: Vec<String> = first["items"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap().to_owned()).collect();
        let mut next = Some(cursor);
        while let Some(after) = next {
            let (status, page) = get(&app, &format!("/users?limit=2&after={after}"), &secret).await;
            assert_eq!(status, 200, "{page}");
            seen.extend(page["items"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap().to_owned()));
            next = page["next"].as_str().map(str::to_owned);
        }
        assert_eq!(seen, all);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_answers_429_with_retry_after_per_token() {
    let app = TestApp::spawn_sqlite_configured(|config| {
        config.demo_mode = true;
        config.api_rate_per_minute = 3;
    })
    .await;
    let busy = token(&app, demo::CONTOSO, Role::Auditor, None).await;
    let quiet = token(&app, demo::CONTOSO, Role::Auditor, None).await;
    for _ in 0..3 {
        assert_eq!(get(&app, "/me", &busy).await.0, 200);
    }
    let (status, headers, body) = send(&app, reqwest::Method::GET, "/me", &busy, None, &[]).await;
    assert_problem(status, &headers, &body, 429, "rate-limited");
    let retry: u64 = headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
    assert_eq!(
        get(&app, "/me", &quiet).await.0,
        200,
        "another token has its own budget"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_is_described_and_every_described_route_exists() {
    let app = TestApp::spawn_sqlite_with(true).await;
    let secret = token(&app, demo::CONTOSO, Role::TenantAdmin, None).await;
    let document: Value = client()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["servers"][0]["url"], "/api/v1");
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.len() >= 15, "{:?}", paths.keys());
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            assert!(
                operation["responses"]["401"].is_object(),
                "{method} {path} documents 401"
            );
            assert!(
                operation["security"].is_array(),
                "{method} {path} needs a token"
            );
            let concrete = path
                .split('/')
                .map(|segment| {
                    if segment.starts_with('{') {
                        "1"
                    } else {
                        segment
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let (status, _, body) = send(&app, method.clone(), &concrete, &secret, None, &[]).await;
            assert_ne!(status, 405, "{method} {path} is routed");
            assert_ne!(
                body["type"], "urn:privacy-portal:problem:no-such-route",
                "{method} {path} is routed"
            );
        }
    }
    // The other direction: routes can only enter the API through `utoipa_axum::routes!`, which
    // describes each one; no module adds an undescribed route by hand.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name == "mod.rs" {
            assert_eq!(
                source.matches(".route(").count(),
                1,
                "mod.rs routes only the document itself"
            );
            continue;
        }
        assert!(
            !source.contains(".route("),
            "{name} adds a route without describing it"
        );
        let handlers = source.matches("#[utoipa::path(").count();
        let routed: usize = source
            .split("routes!(")
            .skip(1)
            .map(|rest| rest.split(')').next().unwrap_or("").split(',').count())
            .sum();
        assert_eq!(
            handlers, routed,
            "{name}: every described handler is routed"
        );
    }
    let served = serde_json::to_value(server::api::document()).unwrap();
    assert_eq!(served, document, "the served document is the generated one");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_creates_a_working_token_and_prints_only_its_secret() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/portal.db?mode=rwc", dir.path().display());
    let run = |args: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
        for (key, _) in std::env::vars() {
            if key.starts_with("PORTAL_") || key == "DATABASE_URL" {
                command.env_remove(key);
            }
        }
        command
            .env("DATABASE_URL", &url)
            .env("PORTAL_LOG_LEVEL", "warn")
            // Honoured by seed-demo; ignored by api-token, which always runs on the system clock.
            .env("PORTAL_DEMO_MODE", "true")
            .env("PORTAL_CLOCK_START", crate::helpers::TEST_START)
            .args(args)
            .output()
            .unwrap()
    };
    assert!(run(&["seed-demo"]).status.success());
    let created = run(&[
        "api-token",
        "create",
        "--tenant",
        "Contoso Ltd",
        "--role",
        "auditor",
        "--name",
        "ci",
    ]);
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let secret = String::from_utf8(created.stdout).unwrap().trim().to_owned();
    assert!(
        secret.starts_with("ppt_") && !secret.contains(char::is_whitespace),
        "{secret}"
    );
    let refused = run(&[
        "api-token",
        "create",
        "--tenant",
        "Nowhere",
        "--role",
        "auditor",
        "--name",
        "ci",
    ]);
    assert!(!refused.status.success());
    let db = sea_orm::Database::connect(&url).await.unwrap();
    // The command line makes tokens on the system clock whatever `clock_start` says: the token
    // (30 days) works now and not after its last day by that clock.
    let system = server::clock::Clock::system().now_ms();
    let expired = api_tokens::authenticate(&db, &secret, system + 31 * 86_400_000)
        .await
        .unwrap();
    assert!(
        expired.is_err(),
        "a token made on the command line counts from the real date"
    );
    let caller = api_tokens::authenticate(&db, &secret, system)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(caller.principal.tenant_id, demo::CONTOSO);
    assert_eq!(caller.principal.roles, [Role::Auditor]);
    let event = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("api_token.created"))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (event.actor_kind.as_str(), event.actor_name.as_str()),
        ("system", "command line")
    );
}
