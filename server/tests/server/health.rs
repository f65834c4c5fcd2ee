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

    async fn every_response_carries_a_request_id_and_an_incoming_one_is_kept(app) {
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
        assert_eq!(response.headers().get("x-request-id").unwrap(), "trace-me-123");
    }

    async fn stopping_the_server_finishes_cleanly_and_closes_the_port(app) {
        let addr = app.addr;
        app.stop().await.unwrap();
        let refused = crate::helpers::client().get(format!("http://{addr}/healthz")).send().await;
        assert!(refused.is_err(), "the port still answers after shutdown");
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
