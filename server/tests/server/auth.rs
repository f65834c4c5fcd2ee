//! Sign-in, sessions, roles, tenant isolation and CSRF.

use crate::helpers::{client, on_both_databases};

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("portal_session="))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
}

/// Signs in as `name` with a bare client; returns the session cookie and its CSRF token.
async fn signed_in_cookie(app: &crate::helpers::TestApp, name: &str) -> (String, String) {
    let account = app.account_id(name).await.to_string();
    let response = client()
        .post(app.url("/auth/demo"))
        .form(&[("account", account.as_str())])
        .send()
        .await
        .unwrap();
    let cookie = session_cookie(&response).unwrap();
    let info: serde_json::Value = client()
        .post(app.url("/api/session"))
        .header("cookie", cookie.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let csrf = info["user"]["csrf_token"].as_str().unwrap().to_owned();
    (cookie, csrf)
}

on_both_databases! { demo;
    async fn each_role_reaches_the_accounts_list_only_as_tenant_admin(app) {
        let anonymous = client();
        assert_eq!(app.call(&anonymous, "accounts/list", &[]).await.0, 401);
        for (name, expected) in [("Megan Bowen", 200), ("Lee Gu", 403), ("Irvin Sayers", 403), ("Adele Vance", 403)] {
            let client = app.client_as(name).await;
            let (status, body) = app.call(&client, "accounts/list", &[]).await;
            assert_eq!(status, expected, "{name}: {body}");
        }
        let admin = app.client_as("Megan Bowen").await;
        let (_, body) = app.call(&admin, "accounts/list", &[]).await;
        let names: Vec<&str> = body.as_array().unwrap().iter().filter_map(|a| a["display_name"].as_str()).collect();
        assert!(names.contains(&"Adele Vance"));
        assert!(!names.contains(&"Nestor Wilke"), "another tenant's account was listed");
    }

    async fn an_admin_grants_and_revokes_a_role_and_each_change_is_audited(app) {
        let admin = app.client_as("Megan Bowen").await;
        let adele = app.account_id("Adele Vance").await.to_string();
        let (status, body) = app.call(&admin, "accounts/grant", &[("account_id", &adele), ("role", "auditor")]).await;
        assert_eq!(status, 200, "{body}");
        let adele_client = app.client_as("Adele Vance").await;
        let (_, info) = app.call(&adele_client, "session", &[]).await;
        assert!(info["user"]["roles"].as_array().unwrap().iter().any(|r| r == "auditor"));
        let (status, _) = app.call(&admin, "accounts/revoke", &[("account_id", &adele), ("role", "auditor")]).await;
        assert_eq!(status, 200);
        let (_, info) = app.call(&adele_client, "session", &[]).await;
        assert!(!info["user"]["roles"].as_array().unwrap().iter().any(|r| r == "auditor"), "a revoked role works no more");
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let events = server::entities::audit_event::Entity::find()
            .filter(server::entities::audit_event::Column::Action.is_in(["role.granted", "role.revoked"]))
            .filter(server::entities::audit_event::Column::TargetId.eq(adele.clone()))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(events, 2);
    }

    async fn an_account_of_another_tenant_answers_not_found(app) {
        let fabrikam_admin = app.client_as("Alex Wilber").await;
        let adele = app.account_id("Adele Vance").await.to_string();
        let (status, _) = app.call(&fabrikam_admin, "accounts/grant", &[("account_id", &adele), ("role", "tenant_admin")]).await;
        assert_eq!(status, 404);
        let (status, _) = app.call(&fabrikam_admin, "accounts/grant", &[("account_id", "999999"), ("role", "tenant_admin")]).await;
        assert_eq!(status, 404, "a missing id answers exactly like another tenant's");
    }

    async fn an_admin_cannot_revoke_their_own_admin_role(app) {
        let admin = app.client_as("Megan Bowen").await;
        let megan = app.account_id("Megan Bowen").await.to_string();
        let (status, _) = app.call(&admin, "accounts/revoke", &[("account_id", &megan), ("role", "tenant_admin")]).await;
        assert_eq!(status, 403);
    }

    async fn signing_in_replaces_a_planted_session_id(app) {
        let planted = "portal_session=AAAAAAAAAAAAAAAAAAAAAA";
        let account = app.account_id("Megan Bowen").await.to_string();
        let response = client()
            .post(app.url("/auth/demo"))
            .header("cookie", planted)
            .form(&[("account", account.as_str())])
            .send()
            .await
            .unwrap();
        let issued = session_cookie(&response).expect("a session cookie is issued");
        assert_ne!(issued, planted);
        let cookie = response.headers().get("set-cookie").unwrap().to_str().unwrap().to_ascii_lowercase();
        assert!(cookie.contains("httponly") && cookie.contains("samesite=lax"), "{cookie}");
        assert!(!cookie.contains("domain="), "the cookie must be host-only: {cookie}");
    }

    async fn signing_out_deletes_the_session_so_a_copied_cookie_is_useless(app) {
        let (cookie, csrf) = signed_in_cookie(&app, "Megan Bowen").await;
        let with_cookie = |path: &str| client().post(app.url(path)).header("cookie", cookie.clone());
        let refused = with_cookie("/auth/sign-out").form(&[("csrf", "wrong")]).send().await.unwrap();
        assert_eq!(refused.status(), 403, "a sign-out without the session's token is refused");
        let out = with_cookie("/auth/sign-out").form(&[("csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(out.status(), 303);
        let info: serde_json::Value = with_cookie("/api/session").send().await.unwrap().json().await.unwrap();
        assert!(info["user"].is_null(), "the copied cookie still works: {info}");
    }

    async fn signing_out_minutes_after_the_last_request_still_ends_the_session_for_good(app) {
        // The sign-out request is the first one in minutes, so the session's last-request time is
        // due to be written in that same request: the session must not be stored again.
        let (cookie, csrf) = signed_in_cookie(&app, "Megan Bowen").await;
        let with_cookie = |path: &str| client().post(app.url(path)).header("cookie", cookie.clone());
        app.clock.advance(std::time::Duration::from_secs(120));
        let out = with_cookie("/auth/sign-out").form(&[("csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(out.status(), 303);
        let sent_again = session_cookie(&out).is_some_and(|c| c != "portal_session=");
        assert!(!sent_again, "the sign-out answer hands the session back: {:?}", session_cookie(&out));
        app.clock.advance(std::time::Duration::from_secs(120));
        let info: serde_json::Value = with_cookie("/api/session").send().await.unwrap().json().await.unwrap();
        assert!(info["user"].is_null(), "the copied cookie still works: {info}");
    }

    async fn a_cross_site_request_is_refused_before_it_acts(app) {
        let admin = app.client_as("Megan Bowen").await;
        let adele = app.account_id("Adele Vance").await.to_string();
        for (header, value) in [("origin", "https://evil.example"), ("sec-fetch-site", "cross-site")] {
            let response = admin
                .post(app.url("/api/accounts/grant"))
                .header(header, value)
                .form(&[("account_id", adele.as_str()), ("role", "tenant_admin")])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 403, "{header}: {value}");
        }
        let (_, body) = app.call(&admin, "accounts/list", &[]).await;
        let adele_roles = body.as_array().unwrap().iter().find(|a| a["display_name"] == "Adele Vance").unwrap()["roles"].clone();
        assert_eq!(adele_roles, serde_json::json!(["end_user"]), "nothing changed");
        let same_site = admin
            .post(app.url("/api/accounts/list"))
            .header("origin", format!("http://{}", app.addr))
            .header("sec-fetch-site", "same-origin")
            .form(&[("x", "y")])
            .send()
            .await
            .unwrap();
        assert_eq!(same_site.status(), 200);
    }

    async fn the_return_path_after_sign_in_stays_on_this_site(app) {
        let account = app.account_id("Lee Gu").await.to_string();
        for (asked, landed) in [("/admin/accounts", "/admin/accounts"), ("//evil.example/x", "/"), ("https://evil.example", "/")] {
            let response = client()
                .post(app.url("/auth/demo"))
                .form(&[("account", account.as_str()), ("return_to", asked)])
                .send()
                .await
                .unwrap();
            assert_eq!(response.headers().get("location").unwrap(), landed, "{asked}");
        }
    }

    async fn the_demo_banner_and_identities_show_in_demo_mode(app) {
        let (status, identities) = app.call(&client(), "demo_identities", &[]).await;
        assert_eq!(status, 200);
        assert_eq!(identities.as_array().unwrap().len(), 7);
        let (_, info) = app.call(&client(), "session", &[]).await;
        assert_eq!(info["demo_mode"], true);
    }
}

on_both_databases! {
    async fn demo_sign_in_does_not_exist_outside_demo_mode(app) {
        server::seed::demo::load(&app.db, app.clock.now_ms()).await.unwrap();
        let account = app.account_id("Megan Bowen").await.to_string();
        let response = client().post(app.url("/auth/demo")).form(&[("account", account.as_str())]).send().await.unwrap();
        assert_eq!(response.status(), 404);
        let (_, identities) = app.call(&client(), "demo_identities", &[]).await;
        assert_eq!(identities, serde_json::json!([]));
        let (_, info) = app.call(&client(), "session", &[]).await;
        assert_eq!(info["demo_mode"], false);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_survives_a_restart_of_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/portal.db?mode=rwc", dir.path().display());
    let mut config = crate::helpers::test_config(url);
    config.demo_mode = true;
    let start = |config: server::config::Config| async move {
        let application = server::startup::Application::build(&config).await.unwrap();
        let addr = application.local_addr().unwrap();
        let db = application.db().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(application.run_until(async move {
            let _ = stopped.await;
        }));
        (addr, db, stop, task)
    };
    let (addr, db, stop, task) = start(config.clone()).await;
    server::seed::demo::load(&db, crate::helpers::at(crate::helpers::TEST_START))
        .await
        .unwrap();
    let client = client();
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let megan = server::entities::account::Entity::find()
        .filter(server::entities::account::Column::DisplayName.eq("Megan Bowen"))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let response = client
        .post(format!("http://{addr}/auth/demo"))
        .form(&[("account", megan.id.to_string())])
        .send()
        .await
        .unwrap();
    let cookie = session_cookie(&response).unwrap();
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
    let (addr, _db, _stop, _task) = start(config).await;
    let info: serde_json::Value = crate::helpers::client()
        .post(format!("http://{addr}/api/session"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["user"]["display_name"], "Megan Bowen");
}
