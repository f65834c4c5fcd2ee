//! The access matrix: every registered server function, every plain route that needs
//! authorisation (the downloads, the import form and sign-out) and every REST API operation of the OpenAPI document, called as every role
//! (signed out, the four Contoso roles, and Fabrikam's admin for cross-tenant access), against
//! an explicit table of who may call what. The lists of endpoints come from the running
//! application (the server-function inventory and `/api/openapi.json`), so a new endpoint
//! without an entry in the table fails this test.
//!
//! Outcome classes: a role in the entry's set is *allowed* (any status but 401/403: validation
//! errors, conflicts and 404s for dummy ids are fine); a role outside it is refused with 401
//! when signed out and 403 when signed in. The other tenant's admin gets 403 or 404 for anything
//! aimed at a Contoso record, and never sees Contoso data in a tenant-wide answer.

use crate::api::{token, IPHONE};
use crate::helpers::{client, on_both_databases, TestApp};
use app::auth::Role;
use reqwest::header::AUTHORIZATION;
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};
use server::entities::{account, api_token, correction_request, follow_up_task};
use server::seed::demo;
use std::collections::BTreeSet;

/// Who calls: the columns of the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    SignedOut,
    Admin,
    Reviewer,
    Auditor,
    EndUser,
    /// Fabrikam's tenant admin, reaching for Contoso.
    OtherTenant,
}

const WHO: [Who; 6] = [
    Who::SignedOut,
    Who::Admin,
    Who::Reviewer,
    Who::Auditor,
    Who::EndUser,
    Who::OtherTenant,
];

/// The roles allowed, as a bit set; `ANYONE` includes the signed-out visitor.
type Allowed = u8;
const ADMIN: Allowed = 1;
const REVIEWER: Allowed = 2;
const AUDITOR: Allowed = 4;
const END_USER: Allowed = 8;
const SIGNED_IN: Allowed = ADMIN | REVIEWER | AUDITOR | END_USER;
const ANYONE: Allowed = 0x80 | SIGNED_IN;

/// What the other tenant's admin may see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cross {
    /// Public (or about the caller only): no tenant data to guard.
    Public,
    /// Aims at a Contoso record: 403 or 404.
    Record,
    /// Tenant-wide (lists, reports, settings): the caller's own tenant only, never Contoso data.
    OwnTenant,
}

/// Server functions (endpoint without `/api/`) → roles allowed, cross-tenant class.
/// Taken from each `#[server]`'s `require(&[...])` in `app/src/*.rs` and its documentation.
const SERVER_FNS: &[(&str, Allowed, Cross)] = &[
    ("status", ANYONE, Cross::Public),
    ("demo_identities", ANYONE, Cross::Public),
    ("session", ANYONE, Cross::Public),
    ("locale", ANYONE, Cross::Public),
    ("accounts/list", ADMIN, Cross::OwnTenant),
    ("accounts/grant", ADMIN, Cross::Record),
    ("accounts/revoke", ADMIN, Cross::Record),
    ("api-tokens/list", ADMIN, Cross::OwnTenant),
    ("api-tokens/create", ADMIN, Cross::OwnTenant),
    ("api-tokens/revoke", ADMIN | END_USER, Cross::Record),
    ("me/api-tokens/list", END_USER, Cross::Public),
    ("me/api-tokens/create", END_USER, Cross::Public),
    ("audit/events", ADMIN | AUDITOR, Cross::OwnTenant),
    ("audit/verify", ADMIN | AUDITOR, Cross::OwnTenant),
    ("dashboard", ADMIN, Cross::OwnTenant),
    ("directory/search", ADMIN, Cross::OwnTenant),
    ("directory/recipients", ADMIN, Cross::OwnTenant),
    ("users/data", ADMIN, Cross::Record),
    ("users/correct", ADMIN, Cross::Record),
    ("users/route", ADMIN, Cross::Record),
    ("users/reveal", ADMIN, Cross::Record),
    ("me/data", END_USER, Cross::Public),
    ("access-log/user", ADMIN | AUDITOR, Cross::Record),
    ("me/access-log", END_USER, Cross::Public),
    ("requests/create", END_USER, Cross::Record),
    ("requests/mine", END_USER, Cross::Public),
    ("requests/withdraw", END_USER, Cross::Record),
    ("review/queue", REVIEWER | ADMIN, Cross::OwnTenant),
    ("review/request", REVIEWER | ADMIN, Cross::Record),
    ("review/approve", REVIEWER | ADMIN, Cross::Record),
    ("review/reject", REVIEWER | ADMIN, Cross::Record),
    ("review/extend", REVIEWER | ADMIN, Cross::Record),
    ("review/pause", REVIEWER | ADMIN, Cross::Record),
    ("notifications/list", SIGNED_IN, Cross::OwnTenant),
    ("notifications/read", SIGNED_IN, Cross::OwnTenant),
    ("sharing/overview", ADMIN | AUDITOR, Cross::OwnTenant),
    ("sharing/preview", ADMIN, Cross::OwnTenant),
    ("sharing/enable", ADMIN, Cross::OwnTenant),
    ("sharing/disable", ADMIN, Cross::OwnTenant),
    ("sharing/endpoint", ADMIN, Cross::OwnTenant),
    ("sharing/run", ADMIN, Cross::OwnTenant),
    ("sharing/task-done", ADMIN, Cross::Record),
    ("sharing/report", ADMIN | AUDITOR, Cross::OwnTenant),
    ("jobs/list", ADMIN, Cross::OwnTenant),
    ("jobs/export", ADMIN, Cross::Record),
    ("jobs/cancel", ADMIN, Cross::Record),
];

/// Plain routes that need authorisation (GET) → roles allowed, cross-tenant class.
const ROUTES: &[(&str, Allowed, Cross)] = &[
    ("/users/{user_id}/export", ADMIN, Cross::Record),
    ("/sharing/report.csv", ADMIN | AUDITOR, Cross::OwnTenant),
    ("/audit-log/export", ADMIN | AUDITOR, Cross::OwnTenant),
    ("/jobs/{job_id}/download", ADMIN, Cross::Record),
];

/// REST API operations (method, path as in the OpenAPI document) → roles allowed (by token),
/// cross-tenant class. Taken from each handler's `auth.require(...)` in `server/src/api/`.
const API: &[(&str, &str, Allowed, Cross)] = &[
    ("get", "/api/v1/me", SIGNED_IN, Cross::Public),
    ("get", "/api/v1/users", ADMIN, Cross::OwnTenant),
    ("get", "/api/v1/users/{user_id}", ADMIN, Cross::Record),
    (
        "get",
        "/api/v1/users/{user_id}/export",
        ADMIN,
        Cross::Record,
    ),
    (
        "post",
        "/api/v1/users/{user_id}/corrections",
        ADMIN,
        Cross::Record,
    ),
    (
        "post",
        "/api/v1/users/{user_id}/routed-corrections",
        ADMIN,
        Cross::Record,
    ),
    ("get", "/api/v1/disclosures", ADMIN, Cross::OwnTenant),
    ("get", "/api/v1/follow-ups", ADMIN, Cross::OwnTenant),
    (
        "post",
        "/api/v1/follow-ups/{task_id}/done",
        ADMIN,
        Cross::Record,
    ),
    (
        "get",
        "/api/v1/audit/events",
        ADMIN | AUDITOR,
        Cross::OwnTenant,
    ),
    (
        "get",
        "/api/v1/users/{user_id}/access-log",
        ADMIN | AUDITOR,
        Cross::Record,
    ),
    (
        "post",
        "/api/v1/audit/verify",
        ADMIN | AUDITOR,
        Cross::OwnTenant,
    ),
    (
        "get",
        "/api/v1/sharing/features",
        ADMIN | AUDITOR,
        Cross::OwnTenant,
    ),
    (
        "get",
        "/api/v1/sharing/features/{feature_id}/preview",
        ADMIN,
        Cross::OwnTenant,
    ),
    (
        "post",
        "/api/v1/sharing/features/{feature_id}/enable",
        ADMIN,
        Cross::OwnTenant,
    ),
    (
        "post",
        "/api/v1/sharing/features/{feature_id}/disable",
        ADMIN,
        Cross::OwnTenant,
    ),
    // End users see their own, reviewers and admins the queue; auditors are refused.
    (
        "get",
        "/api/v1/requests",
        REVIEWER | ADMIN | END_USER,
        Cross::OwnTenant,
    ),
    ("post", "/api/v1/requests", END_USER, Cross::Record),
    (
        "get",
        "/api/v1/requests/{request_id}",
        REVIEWER | ADMIN | END_USER,
        Cross::Record,
    ),
    (
        "post",
        "/api/v1/requests/{request_id}/withdraw",
        END_USER,
        Cross::Record,
    ),
    (
        "post",
        "/api/v1/requests/{request_id}/approve",
        REVIEWER | ADMIN,
        Cross::Record,
    ),
    (
        "post",
        "/api/v1/requests/{request_id}/reject",
        REVIEWER | ADMIN,
        Cross::Record,
    ),
    (
        "post",
        "/api/v1/requests/{request_id}/extend",
        REVIEWER | ADMIN,
        Cross::Record,
    ),
];

/// Real Contoso ids the calls aim at, so that the other tenant's refusals prove isolation.
struct Ids {
    request: String,
    task: String,
    adele_account: String,
    victim_token: String,
    job: String,
}

/// Minimal arguments of each server function: real Contoso targets, stale versions so that
/// allowed calls change little.
fn server_fn_args(endpoint: &str, ids: &Ids) -> Vec<(&'static str, String)> {
    let s = |v: &str| v.to_owned();
    match endpoint {
        "locale" => vec![("lang", s("en"))],
        "accounts/grant" => vec![
            ("account_id", ids.adele_account.clone()),
            ("role", s("end_user")),
        ],
        "accounts/revoke" => vec![
            ("account_id", ids.adele_account.clone()),
            ("role", s("auditor")),
        ],
        "api-tokens/create" => vec![
            ("name", s("matrix")),
            ("role", s("auditor")),
            ("expires_in_days", s("30")),
            ("end_user", s("")),
        ],
        "api-tokens/revoke" => vec![("token_id", ids.victim_token.clone())],
        "me/api-tokens/create" => vec![("name", s("matrix")), ("expires_in_days", s("30"))],
        "users/data" | "access-log/user" => vec![("user_id", s(demo::ADELE))],
        "users/correct" => vec![
            ("user_id", s(demo::ADELE)),
            ("record_id", s(IPHONE)),
            ("field", s("management_name")),
            ("value", s("Matrix phone")),
            ("base_version", s("99")),
            ("reason", s("matrix")),
        ],
        "users/route" => vec![
            ("user_id", s(demo::DIEGO)),
            ("record_id", s(demo::DIEGO)),
            ("field", s("display_name")),
            ("value", s("Diego Matrix")),
            ("base_version", s("99")),
            ("reason", s("matrix")),
        ],
        "users/reveal" => vec![
            ("user_id", s(demo::ADELE)),
            ("device_id", s(IPHONE)),
            ("field", s("activation_lock_bypass_code")),
            ("reason", s("matrix")),
        ],
        "requests/create" => vec![
            ("record_id", s(IPHONE)),
            ("field", s("management_name")),
            ("value", s("Matrix phone")),
            ("reason", s("matrix")),
        ],
        "requests/withdraw" | "review/request" => vec![("id", ids.request.clone())],
        "review/approve" => vec![
            ("id", ids.request.clone()),
            ("request_version", s("99")),
            ("field_version", s("99")),
        ],
        "review/reject" => vec![
            ("id", ids.request.clone()),
            ("request_version", s("99")),
            ("reason", s("matrix")),
        ],
        "review/extend" => vec![
            ("id", ids.request.clone()),
            ("request_version", s("99")),
            ("months", s("1")),
            ("reason", s("matrix")),
        ],
        "review/pause" => vec![
            ("id", ids.request.clone()),
            ("request_version", s("99")),
            ("pause", s("true")),
        ],
        "sharing/preview" => vec![("feature_id", s("teamviewer")), ("enable", s("true"))],
        "sharing/enable" => vec![
            ("feature_id", s("teamviewer")),
            ("terms_version", s("1")),
            ("base_version", s("99")),
        ],
        "sharing/disable" => vec![("feature_id", s("teamviewer")), ("base_version", s("99"))],
        // Removing the endpoint: nothing is delivered anywhere.
        "sharing/endpoint" => vec![
            ("recipient_id", s("teamviewer")),
            ("url", s("")),
            ("secret", s("")),
            ("remove", s("on")),
        ],
        "sharing/task-done" => vec![("task_id", ids.task.clone())],
        "jobs/export" => vec![("kind", s("export_user_json")), ("user_id", s(demo::ADELE))],
        "jobs/cancel" => vec![("id", ids.job.clone())],
        "sharing/report" => vec![
            ("filter[feature]", s("")),
            ("filter[from]", s("")),
            ("filter[to]", s("")),
        ],
        _ => vec![],
    }
}

/// A valid JSON body (and `If-Match`) for each REST operation, so that a refusal cannot hide
/// behind a body that does not parse.
fn api_body(method: &str, path: &str) -> (Option<Value>, Option<&'static str>) {
    if method != "post" {
        return (None, None);
    }
    let correction = json!({"record_id": IPHONE, "field": "management_name", "value": "Matrix phone", "reason": "matrix"});
    match path.rsplit('/').next().unwrap_or_default() {
        "corrections" => (Some(correction), Some("\"99\"")),
        "routed-corrections" => (
            Some(
                json!({"record_id": demo::DIEGO, "field": "display_name", "value": "Diego Matrix", "reason": "matrix"}),
            ),
            Some("\"99\""),
        ),
        "requests" => (
            Some(
                json!({"record_id": IPHONE, "field": "device_category", "value": "Retail", "reason": "matrix"}),
            ),
            None,
        ),
        "approve" => (Some(json!({"field_version": 99})), Some("\"99\"")),
        "reject" => (Some(json!({"reason": "matrix"})), Some("\"99\"")),
        "extend" => (
            Some(json!({"months": 1, "reason": "matrix"})),
            Some("\"99\""),
        ),
        "enable" => (
            Some(json!({"terms_version": 1, "consent": true})),
            Some("\"99\""),
        ),
        "disable" | "withdraw" => (None, Some("\"99\"")),
        _ => (None, None),
    }
}

/// Whether a body carries Contoso data.
fn has_contoso_data(body: &str) -> bool {
    let lower = body.to_lowercase();
    lower.contains("contoso")
        || lower.contains(demo::ADELE)
        || lower.contains(IPHONE)
        || lower.contains(demo::CONTOSO)
}

fn role_bit(who: Who) -> Allowed {
    match who {
        Who::SignedOut => 0x80,
        Who::Admin => ADMIN,
        Who::Reviewer => REVIEWER,
        Who::Auditor => AUDITOR,
        Who::EndUser => END_USER,
        Who::OtherTenant => ADMIN,
    }
}

/// The verdict on one cell; `None` when it holds.
fn judge(who: Who, allowed: Allowed, cross: Cross, status: u16, body: &str) -> Option<String> {
    let permitted = allowed & role_bit(who) != 0;
    let refused = status == 401 || status == 403;
    match who {
        Who::OtherTenant if permitted && cross == Cross::Public => None,
        Who::OtherTenant if !permitted || cross == Cross::Record => (!matches!(status, 403 | 404))
            .then(|| format!("expected 403 or 404, got {status}: {body:.300}")),
        Who::OtherTenant => {
            if status == 401 {
                Some(format!("a signed-in admin got 401: {body:.300}"))
            } else if has_contoso_data(body) {
                Some(format!(
                    "Contoso data in the other tenant's answer ({status}): {body:.300}"
                ))
            } else {
                None
            }
        }
        _ if permitted => {
            refused.then(|| format!("allowed but refused with {status}: {body:.300}"))
        }
        Who::SignedOut => {
            (status != 401).then(|| format!("expected 401, got {status}: {body:.300}"))
        }
        _ => (status != 403).then(|| format!("expected 403, got {status}: {body:.300}")),
    }
}

on_both_databases! { demo;
    async fn every_endpoint_answers_every_role_as_its_entry_in_the_access_table_says(app) {
        run_matrix(&app).await;
    }
}

async fn run_matrix(app: &TestApp) {
    use leptos::server_fn::axum::server_fn_paths;

    // Contoso targets.
    let request = correction_request::Entity::find()
        .filter(correction_request::Column::TenantId.eq(demo::CONTOSO))
        .order_by_asc(correction_request::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("the demo has a Contoso request");
    let task = follow_up_task::Entity::find()
        .filter(follow_up_task::Column::TenantId.eq(demo::CONTOSO))
        .one(&app.db)
        .await
        .unwrap()
        .map_or_else(|| "999999".to_owned(), |t| t.id.to_string());
    let adele_account = account::Entity::find()
        .filter(account::Column::DisplayName.eq("Adele Vance"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(adele_account.tenant_id, demo::CONTOSO);
    token(app, demo::CONTOSO, Role::Auditor, None).await;
    let victim = api_token::Entity::find()
        .filter(api_token::Column::TenantId.eq(demo::CONTOSO))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let ids = Ids {
        request: request.id.to_string(),
        task,
        adele_account: adele_account.id.to_string(),
        victim_token: victim.id.to_string(),
        job: contoso_job(app).await,
    };

    // The callers: browser sessions and API tokens.
    let sessions = [
        client(),
        app.client_as("Megan Bowen").await,
        app.client_as("Lee Gu").await,
        app.client_as("Irvin Sayers").await,
        app.client_as("Adele Vance").await,
        app.client_as("Alex Wilber").await,
    ];
    let tokens = [
        String::new(),
        token(app, demo::CONTOSO, Role::TenantAdmin, None).await,
        token(app, demo::CONTOSO, Role::SupportReviewer, None).await,
        token(app, demo::CONTOSO, Role::Auditor, None).await,
        token(
            app,
            demo::CONTOSO,
            Role::EndUser,
            Some("adele.vance@contoso.com"),
        )
        .await,
        token(app, demo::FABRIKAM, Role::TenantAdmin, None).await,
    ];

    let mut failures = Vec::new();
    let mut cells = 0;

    // Every registered server function has an entry, and every entry is registered.
    let registered: BTreeSet<(String, String)> = server_fn_paths()
        .map(|(path, method)| (path.to_owned(), method.to_string()))
        .collect();
    for (path, method) in &registered {
        let endpoint = path.strip_prefix("/api/").unwrap_or(path);
        if !SERVER_FNS.iter().any(|(e, _, _)| *e == endpoint) {
            failures.push(format!(
                "server function {method} {path} has no entry in SERVER_FNS"
            ));
        }
    }
    for (endpoint, allowed, cross) in SERVER_FNS {
        let path = format!("/api/{endpoint}");
        let Some((_, method)) = registered.iter().find(|(p, _)| *p == path) else {
            failures.push(format!(
                "SERVER_FNS names {endpoint}, which is not registered"
            ));
            continue;
        };
        assert_eq!(method, "POST", "{endpoint}");
        let args = server_fn_args(endpoint, &ids);
        let form: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        for (who, session) in WHO.iter().zip(&sessions) {
            let response = session
                .post(app.url(&path))
                .form(&form)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            cells += 1;
            if let Some(problem) = judge(*who, *allowed, *cross, status, &body) {
                failures.push(format!("server fn {endpoint} as {who:?}: {problem}"));
            }
        }
    }

    // Plain routes.
    for (route, allowed, cross) in ROUTES {
        let path = route
            .replace("{user_id}", demo::ADELE)
            .replace("{job_id}", &ids.job);
        for (who, session) in WHO.iter().zip(&sessions) {
            let response = session.get(app.url(&path)).send().await.unwrap();
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            cells += 1;
            if let Some(problem) = judge(*who, *allowed, *cross, status, &body) {
                failures.push(format!("GET {route} as {who:?}: {problem}"));
            }
        }
    }

    // The two plain POST routes: the import form (an empty file: nothing is imported, but the
    // door is passed or not) and, last because it ends the sessions, sign-out with each
    // session's own CSRF token.
    let boundary = "----matrix-boundary";
    let empty_import = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"users.jsonl\"\r\n\
         Content-Type: application/x-ndjson\r\n\r\n\r\n--{boundary}--\r\n"
    );
    for (who, session) in WHO.iter().zip(&sessions) {
        let response = session
            .post(app.url("/jobs/import"))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(empty_import.clone())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        cells += 1;
        if let Some(problem) = judge(*who, ADMIN, Cross::OwnTenant, status, &body) {
            failures.push(format!("POST /jobs/import as {who:?}: {problem}"));
        }
    }
    for (who, session) in WHO.iter().zip(&sessions) {
        let (_, info) = app.call(session, "session", &[]).await;
        let csrf = info["user"]["csrf_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let response = session
            .post(app.url("/auth/sign-out"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        cells += 1;
        if let Some(problem) = judge(*who, ANYONE, Cross::Public, status, &body) {
            failures.push(format!("POST /auth/sign-out as {who:?}: {problem}"));
        }
        let (_, after) = app.call(session, "session", &[]).await;
        if !after["user"].is_null() {
            failures.push(format!("POST /auth/sign-out as {who:?}: still signed in"));
        }
    }

    // The REST API, from its own document.
    let document: Value = client()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let base = document["servers"][0]["url"]
        .as_str()
        .unwrap_or("/api/v1")
        .trim_end_matches('/')
        .to_owned();
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        let full = if path.starts_with("/api/") {
            path.clone()
        } else {
            format!("{base}{path}")
        };
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                operations.push((method.clone(), full.clone()));
            }
        }
    }
    assert!(
        !operations.is_empty(),
        "the OpenAPI document lists no operation"
    );
    for (method, path) in &operations {
        if !API.iter().any(|(m, p, _, _)| m == method && p == path) {
            failures.push(format!(
                "REST operation {method} {path} has no entry in API"
            ));
        }
    }
    for (method, path, allowed, cross) in API {
        if !operations.iter().any(|(m, p)| m == method && p == path) {
            failures.push(format!(
                "API names {method} {path}, which the OpenAPI document does not describe"
            ));
            continue;
        }
        let url = path
            .replace("{user_id}", demo::ADELE)
            .replace("{request_id}", &ids.request)
            .replace("{task_id}", &ids.task)
            .replace("{feature_id}", "teamviewer");
        let (body, if_match) = api_body(method, path);
        for (who, secret) in WHO.iter().zip(&tokens) {
            let mut request = client().request(
                method.to_uppercase().parse::<Method>().unwrap(),
                app.url(&url),
            );
            if !secret.is_empty() {
                request = request.header(AUTHORIZATION, format!("Bearer {secret}"));
            }
            if let Some(body) = &body {
                request = request.json(body);
            }
            if let Some(version) = if_match {
                request = request.header("if-match", version);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            cells += 1;
            if let Some(problem) = judge(*who, *allowed, *cross, status, &text) {
                failures.push(format!(
                    "{} {path} as {who:?}: {problem}",
                    method.to_uppercase()
                ));
            }
        }
    }

    eprintln!(
        "access matrix: {cells} cells checked, {} failures",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "access matrix failures:\n{}",
        failures.join("\n")
    );
}

/// A finished Contoso export job with a file, for the download and cancel cells.
async fn contoso_job(app: &TestApp) -> String {
    use sea_orm::{ActiveModelTrait, Set};
    let now = app.clock.now_ms();
    server::entities::job::ActiveModel {
        tenant_id: Set(demo::CONTOSO.into()),
        kind: Set("export_user_json".into()),
        owner_account_id: Set(app.account_id("Megan Bowen").await),
        owner_name: Set("Megan Bowen".into()),
        subject_user_id: Set(Some(demo::ADELE.into())),
        params: Set("{}".into()),
        state: Set("done".into()),
        progress_done: Set(3),
        progress_total: Set(3),
        result: Set(Some(format!("{{\"tenant_id\": \"{}\"}}", demo::CONTOSO))),
        result_name: Set(Some("personal-data.json".into())),
        result_type: Set(Some("application/json".into())),
        result_size: Set(Some(10)),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(Some(now)),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap()
    .id
    .to_string()
}
