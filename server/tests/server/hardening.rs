//! Hardening at the HTTP boundary (issue 10): security headers and the page's script nonce,
//! body limits, the sign-in rate limit, a table of hostile inputs against the forms and the API
//! (always a 4xx naming the field, nothing stored), HTML payloads rendered as text in pages and
//! exports, and 503 during a database outage with recovery when it returns.

use crate::helpers::{client, on_both_databases, TestApp};
use app::auth::Role;
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, Statement};
use serde_json::{json, Value};
use server::entities::{audit_event, correction_request, device};
use server::seed::demo;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const IPHONE: &str = "d1000000-0000-4000-8000-0000000000d1";

/// The nonce of a Content-Security-Policy header value.
fn csp_nonce(policy: &str) -> String {
    let start = policy.find("'nonce-").expect("the policy has a nonce") + "'nonce-".len();
    let end = start + policy[start..].find('\'').unwrap();
    policy[start..end].to_owned()
}

/// Every `nonce="…"` attribute value in a page.
fn nonce_attributes(html: &str) -> Vec<String> {
    html.match_indices("nonce=\"")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
}

/// One row of the hostile-input table: who sends it, to which server function, the form, the
/// field the answer must name (`None`: any 4xx with a body), and why it must fail.
type HostileCase<'a> = (
    &'a reqwest::Client,
    &'a str,
    Vec<(String, String)>,
    Option<&'a str>,
    &'a str,
);

/// Counts what a refused input must not have changed: audit events, correction requests, and
/// the iPhone's stored name.
async fn footprint(app: &TestApp) -> (u64, u64, Option<String>) {
    let events = audit_event::Entity::find().count(&app.db).await.unwrap();
    let requests = correction_request::Entity::find()
        .count(&app.db)
        .await
        .unwrap();
    let name = device::Entity::find_by_id(IPHONE.to_owned())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .management_name;
    (events, requests, name)
}

/// Sends raw bytes as a form body to a server function.
async fn post_raw(
    app: &TestApp,
    client: &reqwest::Client,
    endpoint: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, String) {
    let response = client
        .post(app.url(&format!("/api/{endpoint}")))
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

on_both_databases! {
    demo;

    async fn every_answer_carries_the_security_headers_and_pages_stamp_the_policy_nonce_on_their_scripts(app) {
        let megan = app.client_as("Megan Bowen").await;
        for path in ["/sign-in", "/", "/users", &format!("/users/{}", demo::ADELE), "/healthz", "/no-such-page", "/pkg/privacy-portal.css"] {
            let response = megan.get(app.url(path)).send().await.unwrap();
            let headers = response.headers().clone();
            let policy = headers.get("content-security-policy").unwrap_or_else(|| panic!("{path}: no CSP")).to_str().unwrap().to_owned();
            assert!(policy.contains("frame-ancestors 'none'"), "{path}: {policy}");
            assert!(policy.contains("script-src 'self' 'nonce-"), "{path}: {policy}");
            assert!(!policy.contains("unsafe-eval'") || policy.contains("'wasm-unsafe-eval'"), "{path}: {policy}");
            assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
            assert_eq!(headers["x-frame-options"], "DENY", "{path}");
            assert!(headers.get("strict-transport-security").is_none(), "{path}: no HSTS over plain HTTP");
            // A file of the bundle that is found may be cached; a missing one is the not-found
            // page (the test site may not hold the styles), which may not.
            if path.starts_with("/pkg/") && response.status().is_success() {
                assert_ne!(headers.get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"), "{path}: the bundle may be cached");
            } else {
                assert_eq!(headers["cache-control"], "no-store", "{path}: no cache keeps a copy");
            }
            let is_html = headers.get("content-type").is_some_and(|v| v.to_str().unwrap().starts_with("text/html"));
            if is_html && path != "/no-such-page" {
                let html = response.text().await.unwrap();
                let nonces = nonce_attributes(&html);
                assert!(!nonces.is_empty(), "{path}: the hydration scripts carry a nonce");
                let expected = csp_nonce(&policy);
                assert!(nonces.iter().all(|n| *n == expected), "{path}: every script nonce is the header's");
                for (i, _) in html.match_indices("<script") {
                    let tag = &html[i..i + html[i..].find('>').unwrap()];
                    assert!(tag.contains("nonce=") || tag.contains(" src="), "{path}: an inline script without the nonce: {tag}");
                }
            }
        }
        let first = app.client.get(app.url("/sign-in")).send().await.unwrap();
        let second = app.client.get(app.url("/sign-in")).send().await.unwrap();
        assert_ne!(first.headers()["content-security-policy"], second.headers()["content-security-policy"], "a fresh nonce per response");
        let (status, _) = app.call(&megan, "users/data", &[("user_id", demo::ADELE)]).await;
        assert_eq!(status, 200);
        let api = megan.post(app.url("/api/users/data")).form(&[("user_id", demo::ADELE)]).send().await.unwrap();
        assert!(api.headers().get("content-security-policy").is_some(), "server functions too");
        assert_eq!(api.headers()["cache-control"], "no-store", "server functions hold personal data");
    }

    async fn another_site_cannot_set_off_a_download_in_a_signed_in_browser(app) {
        use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
        let megan = app.client_as("Megan Bowen").await;
        let exported = || async {
            <server::entities::audit_event::Entity as sea_orm::EntityTrait>::find()
                .filter(server::entities::audit_event::Column::Action.eq("user.exported"))
                .count(&app.db)
                .await
                .unwrap()
        };
        let export = format!("/users/{}/export?format=csv", demo::ADELE);
        for path in [export.as_str(), "/audit-log/export", "/sharing/report.csv"] {
            let response = megan.get(app.url(path)).header("sec-fetch-site", "cross-site").send().await.unwrap();
            assert_eq!(response.status(), 403, "{path} from another site");
        }
        // A browser without Sec-Fetch-Site: another site's page as referrer.
        let response = megan.get(app.url(&export)).header("referer", "https://evil.example/page").send().await.unwrap();
        assert_eq!(response.status(), 403, "another site's link, told by its referrer");
        assert_eq!(exported().await, 0, "nothing was exported or recorded");
        let response = megan.get(app.url(&export)).header("sec-fetch-site", "same-origin").send().await.unwrap();
        assert_eq!(response.status(), 200, "a link on the portal's own page works");
        assert_eq!(exported().await, 1);
    }

    async fn a_body_over_the_limit_is_refused_with_413_and_a_sentence_saying_so(app) {
        let megan = app.client_as("Megan Bowen").await;
        let before = footprint(&app).await;
        let huge = "x".repeat(300 * 1024);
        let form = [("user_id", demo::ADELE), ("record_id", IPHONE), ("field", "management_name"), ("value", huge.as_str()), ("base_version", "0"), ("reason", "big")];
        let response = megan.post(app.url("/api/users/correct")).form(&form).send().await.unwrap();
        assert_eq!(response.status(), 413);
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        let body: Value = response.json().await.unwrap();
        assert!(body["detail"].as_str().unwrap().contains("262144 bytes"), "{body}");
        // A chunked body has no length to check up front; it is cut off at the limit instead.
        let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
        let chunk = "a".repeat(64 * 1024);
        let mut request = format!("POST /api/users/correct HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n", app.addr).into_bytes();
        for _ in 0..5 {
            request.extend_from_slice(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes());
        }
        request.extend_from_slice(b"0\r\n\r\n");
        stream.write_all(&request).await.unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{}", &answer[..answer.len().min(200)]);
        assert_eq!(footprint(&app).await, before, "nothing stored");
    }

    async fn hostile_inputs_to_every_form_are_refused_with_a_4xx_naming_the_field_and_store_nothing(app) {
        let megan = app.client_as("Megan Bowen").await;
        let adele = app.client_as("Adele Vance").await;
        let lee = app.client_as("Lee Gu").await;
        let before = footprint(&app).await;
        let long = "n".repeat(257);
        let long_reason = "r".repeat(2001);
        // (who, endpoint, form, field the answer must name (None: a 4xx is enough), why it must fail)
        let correct = |field: &'static str, value: &str, reason: &str| -> Vec<(String, String)> {
            [("user_id", demo::ADELE), ("record_id", IPHONE), ("field", field), ("value", value), ("base_version", "0"), ("reason", reason)]
                .iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
        };
        let file = |field: &'static str, value: &str, reason: &str| -> Vec<(String, String)> {
            [("record_id", IPHONE), ("field", field), ("value", value), ("reason", reason)]
                .iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
        };
        let cases: Vec<HostileCase> = vec![
            (&megan, "users/correct", correct("management_name", &long, "naming"), Some("value"), "a name over 256 characters"),
            (&megan, "users/correct", correct("management_name", "ok name", &long_reason), Some("reason"), "a reason over the limit"),
            (&megan, "users/correct", correct("management_name", "bad\u{0}name", "naming"), Some("value"), "a NUL byte"),
            (&megan, "users/correct", correct("management_name", "line\nbreak", "naming"), Some("value"), "a line break in a one-line value"),
            (&megan, "users/correct", correct("management_name", "evil\u{202E}gpj.exe", "naming"), Some("value"), "a right-to-left override (Trojan Source)"),
            (&megan, "users/correct", correct("management_name", "isolate\u{2066}x\u{2069}", "naming"), Some("value"), "a directional isolate"),
            (&megan, "users/correct", correct("management_name", "ok name", "why\u{202E}txt"), Some("reason"), "a direction override in the reason"),
            (&megan, "users/correct", correct("management_name", "ok name", "bell\u{7}"), Some("reason"), "a control character in the reason"),
            (&megan, "users/correct", correct("management_name", "ok name", "   "), Some("reason"), "a blank reason"),
            (&megan, "users/correct", correct("ownership", "<script>alert(1)</script>", "naming"), Some("value"), "markup is not an ownership"),
            (&megan, "users/correct", correct("ownership", "' OR 1=1 --", "naming"), Some("value"), "SQL is not an ownership"),
            (&megan, "users/correct", correct("no_such_field", "x", "naming"), None, "an unknown field"),
            (&megan, "users/correct", correct("management_name", "ok", "naming").into_iter().map(|(k, v)| if k == "base_version" { (k, "abc".to_owned()) } else { (k, v) }).collect(), None, "a version that is no number"),
            (&megan, "users/correct", correct("management_name", "ok", "naming").into_iter().map(|(k, v)| if k == "base_version" { (k, "99999999999999999999999".to_owned()) } else { (k, v) }).collect(), None, "a version beyond 64 bits"),
            (&megan, "users/correct", correct("management_name", "ok", "naming").into_iter().filter(|(k, _)| k != "reason").collect(), None, "the reason is missing"),
            (&megan, "users/correct", vec![], None, "every field is missing"),
            (&adele, "requests/create", file("management_name", &long, "too long"), Some("value"), "a requested value over 256 characters"),
            (&adele, "requests/create", file("imei", "356938035643809", "mine"), None, "a hardware id cannot be requested"),
            (&lee, "review/reject", vec![("id".into(), "abc".into()), ("request_version".into(), "0".into()), ("reason".into(), "x".into())], None, "an id that is no number"),
            (&lee, "review/reject", vec![("id".into(), "-1".into()), ("request_version".into(), "0".into()), ("reason".into(), "x".into())], None, "a negative id"),
        ];
        for (who, endpoint, form, field, why) in cases {
            let response = who.post(app.url(&format!("/api/{endpoint}"))).form(&form).send().await.unwrap();
            let status = response.status().as_u16();
            let text = response.text().await.unwrap();
            assert!((400..500).contains(&status), "{why}: {status} {text}");
            assert!(!text.trim().is_empty(), "{why}: a 4xx says why");
            if let Some(field) = field {
                let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{why}: {text}"));
                assert_eq!(body["Invalid"]["field"], field, "{why}: {body}");
                assert!(body["Invalid"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{why}: {body}");
            }
        }
        // Bodies no form can produce: invalid UTF-8 (raw and percent-encoded), JSON where a form
        // is expected, and deeply nested JSON.
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let raw_cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("application/x-www-form-urlencoded", b"user_id=x&record_id=y&field=management_name&value=\xff\xfe&base_version=0&reason=r".to_vec(), "raw invalid UTF-8"),
            ("application/x-www-form-urlencoded", format!("user_id={}&record_id={IPHONE}&field=management_name&value=%FF%FE&base_version=0&reason=r", demo::ADELE).into_bytes(), "percent-encoded invalid UTF-8"),
            ("application/json", json!({"user_id": demo::ADELE, "record_id": IPHONE, "field": "management_name", "value": 5, "base_version": "0", "reason": []}).to_string().into_bytes(), "JSON with wrong types"),
            ("application/json", deep.clone().into_bytes(), "10 000 levels of nesting"),
            ("application/x-www-form-urlencoded", format!("value={deep}").into_bytes(), "nesting inside a form value"),
        ];
        for (content_type, body, why) in raw_cases {
            let (status, text) = post_raw(&app, &megan, "users/correct", content_type, body).await;
            assert!((400..500).contains(&status), "{why}: {status} {text}");
            assert!(!text.trim().is_empty(), "{why}: a 4xx says why");
        }
        assert_eq!(footprint(&app).await, before, "nothing was stored");
    }

    async fn control_and_direction_characters_in_the_reasons_of_requests_and_decisions_are_refused(app) {
        let adele = app.client_as("Adele Vance").await;
        let lee = app.client_as("Lee Gu").await;
        let before = footprint(&app).await;
        for (reason, why) in [("rlo\u{202E}", "a right-to-left override"), ("\u{1b}[31m", "a terminal escape"), ("a\u{2066}b", "a directional isolate")] {
            let form = [("record_id", IPHONE), ("field", "management_name"), ("value", "fine"), ("reason", reason)];
            let (status, body) = app.call(&adele, "requests/create", &form).await;
            assert_eq!(status, 422, "{why}: {body}");
            assert_eq!(body["Invalid"]["field"], "reason", "{why}: {body}");
        }
        assert_eq!(footprint(&app).await, before, "nothing was stored");
        let form = [("record_id", IPHONE), ("field", "management_name"), ("value", "fine"), ("reason", "my phone's name")];
        let (status, request) = app.call(&adele, "requests/create", &form).await;
        assert_eq!(status, 200, "{request}");
        let id = request["id"].to_string();
        let reject = [("id", id.as_str()), ("request_version", "0"), ("reason", "no\u{202E}")];
        let (status, body) = app.call(&lee, "review/reject", &reject).await;
        assert_eq!(status, 422, "a direction override in a decision's reason: {body}");
        assert_eq!(body["Invalid"]["field"], "reason", "{body}");
    }

    async fn sql_metacharacters_are_stored_as_plain_text_and_harm_nothing(app) {
        let megan = app.client_as("Megan Bowen").await;
        let value = "x'); DROP TABLE device; --";
        let form = [("user_id", demo::ADELE), ("record_id", IPHONE), ("field", "management_name"), ("value", value), ("base_version", "0"), ("reason", "Robert'); DELETE FROM audit_event; --")];
        let (status, body) = app.call(&megan, "users/correct", &form).await;
        assert_eq!(status, 200, "{body}");
        let stored = device::Entity::find_by_id(IPHONE.to_owned()).one(&app.db).await.unwrap().unwrap();
        assert_eq!(stored.management_name.as_deref(), Some(value));
        assert!(device::Entity::find().count(&app.db).await.unwrap() > 1, "the table is still there");
        assert!(server::services::audit::verify_chain(&app.db, demo::CONTOSO).await.unwrap().is_intact());
    }

    async fn markup_and_formulas_in_stored_text_are_shown_as_text_in_pages_and_defused_in_csv(app) {
        let megan = app.client_as("Megan Bowen").await;
        let payload = "<script>alert(1)</script>";
        let formula = "=HYPERLINK(\"http://evil.example\",\"x\")";
        let form = [("user_id", demo::ADELE), ("record_id", IPHONE), ("field", "management_name"), ("value", formula), ("base_version", "0"), ("reason", payload)];
        let (status, body) = app.call(&megan, "users/correct", &form).await;
        assert_eq!(status, 200, "{body}");
        let html = megan.get(app.url(&format!("/users/{}", demo::ADELE))).send().await.unwrap().text().await.unwrap();
        assert!(!html.contains(payload), "the reason is never markup in the page");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || html.contains("\\u003cscript\\u003e") || html.contains("<\\/script>"), "the reason is in the page as text");
        let csv = megan.get(app.url(&format!("/users/{}/export?format=csv", demo::ADELE))).send().await.unwrap();
        assert_eq!(csv.status(), 200);
        let csv = csv.text().await.unwrap();
        assert!(csv.contains("'=HYPERLINK"), "the formula is defused: {csv}");
        assert!(!csv.lines().any(|l| l.starts_with('=') || l.contains(",=") || l.contains(",\"=")), "no cell starts with =");
        let irvin = app.client_as("Irvin Sayers").await;
        let log = irvin.get(app.url("/audit-log/export?format=csv")).send().await.unwrap();
        if log.status() == 200 {
            let log = log.text().await.unwrap();
            assert!(!log.lines().any(|l| l.contains(",=") || l.contains(",\"=")), "no audit cell starts with =");
        }
        let audit_page = irvin.get(app.url("/audit-log")).send().await.unwrap().text().await.unwrap();
        assert!(!audit_page.contains(payload), "the audit log shows the reason as text");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_floods_from_one_address_are_answered_429_with_retry_after_and_other_routes_still_work(
) {
    let app = TestApp::spawn_sqlite_configured(|config| {
        config.demo_mode = true;
        config.sign_in_rate_per_minute = 3;
    })
    .await;
    let account = app.account_id("Adele Vance").await.to_string();
    for attempt in 1..=3 {
        let response = client()
            .post(app.url("/auth/demo"))
            .form(&[("account", account.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            303,
            "attempt {attempt} is within the limit"
        );
    }
    let refused = client()
        .post(app.url("/auth/demo"))
        .form(&[("account", account.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 429);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert!(refused.headers().get("content-security-policy").is_some());
    let body: Value = refused.json().await.unwrap();
    assert!(
        body["detail"].as_str().unwrap().contains("Try again"),
        "{body}"
    );
    let oidc = client()
        .get(app.url("/auth/oidc/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        oidc.status(),
        429,
        "the OpenID Connect routes share the limit"
    );
    assert_eq!(
        client()
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "other routes are not limited"
    );
    assert_eq!(
        client()
            .get(app.url("/sign-in"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsts_is_sent_only_when_the_portal_is_configured_for_https() {
    let app = TestApp::spawn_sqlite_configured(|config| config.cookie_secure = true).await;
    let response = client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgresql_outage_is_answered_503_and_the_portal_recovers_by_itself() {
    let Some(app) = TestApp::spawn_postgres_with(true).await else {
        return;
    };
    let megan = app.client_as("Megan Bowen").await;
    assert_eq!(
        app.call(&megan, "users/data", &[("user_id", demo::ADELE)])
            .await
            .0,
        200
    );
    let name = app.database_name().unwrap();
    let admin = sea_orm::Database::connect(app.admin_url().unwrap())
        .await
        .unwrap();
    let sql = |s: String| Statement::from_string(admin.get_database_backend(), s);
    // The outage: no new connections, and every existing one cut.
    admin
        .execute(sql(format!(
            "ALTER DATABASE {name} ALLOW_CONNECTIONS false"
        )))
        .await
        .unwrap();
    admin.execute(sql(format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"))).await.unwrap();
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503, "readiness fails");
    let (status, body) = app
        .call(&megan, "users/data", &[("user_id", demo::ADELE)])
        .await;
    assert_eq!(
        status, 503,
        "a server function answers 503, not 500: {body}"
    );
    let form = [
        ("user_id", demo::ADELE),
        ("record_id", IPHONE),
        ("field", "device_category"),
        ("value", "Retail"),
        ("base_version", "0"),
        ("reason", "during the outage"),
    ];
    let response = megan
        .post(app.url("/api/users/correct"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert!(response.headers().get("retry-after").is_some());
    let page = megan
        .get(app.url(&format!("/users/{}", demo::ADELE)))
        .send()
        .await
        .unwrap();
    assert!(
        page.status() == 503 || page.status() == 200,
        "a page never panics: {}",
        page.status()
    );
    // The database returns; the portal needs no restart.
    admin
        .execute(sql(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ready = app
            .client
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status();
        if ready == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "still not ready: {ready}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, body) = app.call(&megan, "users/correct", &form).await;
    assert_eq!(
        status, 200,
        "the session survived the outage and writes work again: {body}"
    );
    admin.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_token_cannot_push_hostile_json_past_the_rest_api() {
    let app = TestApp::spawn_sqlite_with(true).await;
    let secret = crate::api::token(&app, demo::CONTOSO, Role::TenantAdmin, None).await;
    let path = app.url(&format!("/api/v1/users/{}/corrections", demo::ADELE));
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (deep.into_bytes(), "10 000 levels of nesting"),
        (b"{\"record_id\": \"\xff\xfe\"}".to_vec(), "invalid UTF-8"),
        (json!({"record_id": IPHONE, "field": "management_name", "value": 12, "reason": true}).to_string().into_bytes(), "wrong types"),
        (json!({"record_id": IPHONE, "field": "management_name", "value": "x\u{202E}y", "reason": "r"}).to_string().into_bytes(), "a direction override"),
        (json!({"record_id": IPHONE, "field": "management_name", "value": "<b>bold</b>\u{0}", "reason": "r"}).to_string().into_bytes(), "a NUL byte"),
        (json!({"record_id": IPHONE}).to_string().into_bytes(), "missing fields"),
    ];
    let before = footprint(&app).await;
    for (body, why) in cases {
        let response = client()
            .post(&path)
            .bearer_auth(&secret)
            .header("content-type", "application/json")
            .header("if-match", "\"0\"")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        assert!((400..500).contains(&status), "{why}: {status} {text}");
        assert!(
            text.contains("\"title\""),
            "{why}: a problem document says why: {text}"
        );
    }
    assert_eq!(footprint(&app).await, before, "nothing was stored");
}

/// A Graph user as an export has it.
fn graph_user(id: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.user",
        "id": id,
        "userPrincipalName": "fuzz.user@contoso.com",
        "displayName": "Fuzz User",
        "mail": "fuzz.user@contoso.com",
        "mobilePhone": "+14255550100",
        "businessPhones": [],
        "department": "Sales",
        "jobTitle": "Seller"
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_import_reader_refuses_hostile_fields_by_name_and_never_panics_on_broken_lines() {
    let app = TestApp::spawn_sqlite_with(true).await;
    let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    let hostile: Vec<(Value, &str)> = vec![
        (json!("x".repeat(300)), "overlong"),
        (json!("a\u{202E}b"), "direction override"),
        (json!("a\u{0}b"), "NUL"),
        (json!("a\u{1b}[31mb"), "terminal escape"),
        (json!("a\u{FFFD}b"), "damaged UTF-8"),
        (json!(12), "a number"),
        (json!(true), "a flag"),
        (json!({"nested": {"deeper": []}}), "an object"),
        (
            serde_json::from_str::<Value>("[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]").unwrap(),
            "nested arrays",
        ),
    ];
    let fields = [
        "userPrincipalName",
        "displayName",
        "mail",
        "mobilePhone",
        "department",
        "jobTitle",
    ];
    let mut lines = Vec::new();
    let mut expected = Vec::new();
    for field in fields {
        for (value, why) in &hostile {
            let mut user = graph_user(&uuid::Uuid::new_v4().to_string());
            user[field] = value.clone();
            lines.push(user.to_string());
            expected.push((field, *why));
        }
    }
    let with_hostile = lines.len();
    // Lines no exporter writes: cut off anywhere, not JSON, not UTF-8, absurdly nested.
    let whole = graph_user(&uuid::Uuid::new_v4().to_string()).to_string();
    for cut in (1..whole.len()).step_by(9) {
        lines.push(whole[..cut].to_owned());
    }
    lines.push(deep);
    lines.push("<script>alert(1)</script>".to_owned());
    lines.push("'; DROP TABLE directory_user; --".to_owned());
    let mut input = lines.join("\n").into_bytes();
    input.extend_from_slice(
        b"\n{\"@odata.type\": \"#microsoft.graph.user\", \"displayName\": \"\xff\xfe\"}\n",
    );
    let report = server::services::import::import_reader(
        &app.db,
        demo::CONTOSO,
        std::io::Cursor::new(input),
        50,
        &app.clock,
        |_| {},
    )
    .await
    .unwrap();
    for (index, (field, why)) in expected.iter().enumerate() {
        let line = u64::try_from(index + 1).unwrap();
        if let Some(rejection) = report.rejected.iter().find(|r| r.line == line) {
            assert_eq!(
                rejection.field.as_deref(),
                Some(*field),
                "line {line} ({field}: {why}): {}",
                rejection.describe(app::i18n::Locale::En)
            );
            assert!(!rejection
                .reason
                .message(app::i18n::Locale::En)
                .trim()
                .is_empty());
        } else {
            assert!(
                matches!(*why, "overlong") && matches!(*field, "department" | "jobTitle"),
                "line {line}: {field} with {why} was accepted"
            );
        }
    }
    let broken = report
        .rejected
        .iter()
        .filter(|r| r.line > u64::try_from(with_hostile).unwrap())
        .count();
    assert_eq!(
        broken,
        lines.len() - with_hostile + 1,
        "every broken line is refused: {report}"
    );
    assert!(
        server::services::audit::verify_chain(&app.db, demo::CONTOSO)
            .await
            .unwrap()
            .is_intact()
    );
}
