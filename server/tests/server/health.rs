//! Liveness, readiness, request ids and shutdown.

use crate::helpers::on_both_databases;

on_both_databases! {
    async fn the_liveness_probe_answers_ok(app) {
        let response = app.client.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], "ok");
    }

    async fn the_readiness_probe_checks_the_database(app) {
        let response = app.client.get(app.url("/readyz")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["database"], "ok");
    }

    async fn every_response_carries_a_request_id_the_server_made_whatever_the_client_sent(app) {
        let response = app.client.get(app.url("/healthz")).send().await.unwrap();
        let generated = response.headers().get("x-request-id").unwrap().to_str().unwrap();
        assert_eq!(generated.len(), 36, "a UUID is generated: {generated}");
        let response = app
            .client
            .get(app.url("/healthz"))
            .header("x-request-id", "trace-me-123")
            .send()
            .await
            .unwrap();
        let answered = response.headers().get("x-request-id").unwrap().to_str().unwrap();
        assert_ne!(answered, "trace-me-123", "a client's id is never the reference");
        assert_eq!(answered.len(), 36);
    }

    async fn stopping_the_server_finishes_cleanly_and_closes_the_port(app) {
        let addr = app.addr;
        app.stop().await.unwrap();
        let refused = crate::helpers::client().get(format!("http://{addr}/healthz")).send().await;
        assert!(refused.is_err(), "the port still answers after shutdown");
    }
}

on_both_databases! { demo;
    async fn an_overlong_client_request_id_neither_fails_a_sign_in_nor_reaches_its_audit_event(app) {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let signed_in = || async {
            server::entities::audit_event::Entity::find()
                .filter(server::entities::audit_event::Column::Action.eq("sign_in.succeeded"))
                .count(&app.db)
                .await
                .unwrap()
        };
        let before = signed_in().await;
        // Over the 64 characters PostgreSQL keeps for an audit event's request id.
        let long = "r".repeat(65);
        let response = crate::helpers::client()
            .post(app.url("/auth/demo"))
            .header("x-request-id", &long)
            .form(&[("account", app.account_id("Megan Bowen").await.to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        assert_eq!(signed_in().await, before + 1, "the sign-in is on the record");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readiness_probe_fails_when_the_database_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/portal.db?mode=rwc", dir.path().display());
    let application = server::startup::Application::build(&crate::helpers::test_config(url))
        .await
        .unwrap();
    // Closing the shared pool under the running server stands in for a lost database.
    application.db().clone().close().await.unwrap();
    let addr = application.local_addr().unwrap();
    let task = tokio::spawn(application.run_until(std::future::pending()));
    let response = crate::helpers::client()
        .get(format!("http://{addr}/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(
        response.headers().get("content-type").unwrap(),
        "application/problem+json"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], 503);
    assert!(body["reference"].as_str().is_some_and(|r| r.len() == 36));
    task.abort();
}
