//! Races (issue 10): many clients acting on the same thing at the same moment. Versions decide
//! between concurrent corrections and decisions, on one instance and across two instances that
//! share one PostgreSQL database and its sessions.

use crate::helpers::{on_both_databases, TestApp};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;
use server::entities::{audit_event, correction_request, device};
use server::seed::demo;

const IPHONE: &str = "d1000000-0000-4000-8000-0000000000d1";
/// Enough to overlap on 2 cores, few enough to stay quick.
const CONTENDERS: usize = 8;

async fn count_actions(app: &TestApp, action: &str) -> u64 {
    audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq(action))
        .count(&app.db)
        .await
        .unwrap()
}

/// Fires `CONTENDERS` corrections of the iPhone's category, all based on version 0, each with
/// its own value, through the given instances in turn; returns (status, value) per attempt.
async fn race_corrections(instances: &[&TestApp], client: &reqwest::Client) -> Vec<(u16, String)> {
    let attempts = (0..CONTENDERS).map(|i| {
        let url = instances[i % instances.len()].url("/api/users/correct");
        let client = client.clone();
        async move {
            let value = format!("Category {i}");
            let form = [
                ("user_id", demo::ADELE),
                ("record_id", IPHONE),
                ("field", "device_category"),
                ("value", value.as_str()),
                ("base_version", "0"),
                ("reason", "race"),
            ];
            let response = client.post(&url).form(&form).send().await.unwrap();
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            assert!(
                status == 200 || status == 409,
                "only success or conflict, not {status}: {body}"
            );
            (status, value)
        }
    });
    futures_join_all(attempts).await
}

/// Runs futures concurrently on the test's runtime (spawned, so they truly overlap).
async fn futures_join_all<T: Send + 'static>(
    futures: impl IntoIterator<Item = impl std::future::Future<Output = T> + Send + 'static>,
) -> Vec<T> {
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}

/// Checks that exactly one attempt won and that the stored value and audit trail are the winner's.
async fn exactly_one_correction_won(app: &TestApp, results: &[(u16, String)]) {
    let winners: Vec<&String> = results
        .iter()
        .filter(|(s, _)| *s == 200)
        .map(|(_, v)| v)
        .collect();
    assert_eq!(
        winners.len(),
        1,
        "exactly one correction from version 0 succeeds: {results:?}"
    );
    assert_eq!(
        results.iter().filter(|(s, _)| *s == 409).count(),
        CONTENDERS - 1,
        "the others conflict"
    );
    let stored = device::Entity::find_by_id(IPHONE.to_owned())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.device_category.as_deref(),
        Some(winners[0].as_str()),
        "the winner's value is stored"
    );
    assert_eq!(
        count_actions(app, "field.corrected").await,
        1,
        "one audit event, the winner's"
    );
    assert!(
        server::services::audit::verify_chain(&app.db, demo::CONTOSO)
            .await
            .unwrap()
            .is_intact()
    );
}

on_both_databases! {
    demo;

    async fn concurrent_corrections_of_one_field_from_one_version_let_exactly_one_through(app) {
        let megan = app.client_as("Megan Bowen").await;
        let results = race_corrections(&[&app], &megan).await;
        exactly_one_correction_won(&app, &results).await;
    }

    async fn concurrent_corrections_of_different_fields_all_succeed(app) {
        let megan = app.client_as("Megan Bowen").await;
        let fields = [(demo::ADELE, IPHONE, "management_name"), (demo::ADELE, IPHONE, "device_category"), (demo::BEN, "d2000000-0000-4000-8000-0000000000d2", "management_name"), (demo::BEN, "d2000000-0000-4000-8000-0000000000d2", "device_category")];
        let attempts = fields.into_iter().map(|(user, record, field)| {
            let (client, url) = (megan.clone(), app.url("/api/users/correct"));
            async move {
                let form = [("user_id", user), ("record_id", record), ("field", field), ("value", "Concurrent"), ("base_version", "0"), ("reason", "race")];
                let response = client.post(&url).form(&form).send().await.unwrap();
                (response.status().as_u16(), response.text().await.unwrap_or_default())
            }
        });
        for (status, body) in futures_join_all(attempts).await {
            assert_eq!(status, 200, "no false conflict between different fields: {body}");
        }
        assert_eq!(count_actions(&app, "field.corrected").await, 4);
    }

    async fn concurrent_approvals_and_rejections_of_one_request_make_exactly_one_decision(app) {
        let adele = app.client_as("Adele Vance").await;
        let form = [("record_id", IPHONE), ("field", "device_category"), ("value", "Field staff"), ("reason", "I work outside")];
        let (status, request) = app.call(&adele, "requests/create", &form).await;
        assert_eq!(status, 200, "{request}");
        let id = request["id"].to_string();
        let lee = app.client_as("Lee Gu").await;
        let (status, review) = app.call(&lee, "review/request", &[("id", id.as_str())]).await;
        assert_eq!(status, 200, "{review}");
        let field_version = review["field_version"].to_string();
        let megan = app.client_as("Megan Bowen").await;
        let attempts = (0..CONTENDERS).map(|i| {
            let client = if i % 2 == 0 { lee.clone() } else { megan.clone() };
            let (id, field_version) = (id.clone(), field_version.clone());
            let url = app.url(if i % 4 < 2 { "/api/review/approve" } else { "/api/review/reject" });
            async move {
                let approve = url.ends_with("approve");
                let form: Vec<(&str, &str)> = if approve {
                    vec![("id", &id), ("request_version", "0"), ("field_version", &field_version)]
                } else {
                    vec![("id", &id), ("request_version", "0"), ("reason", "Not what HR holds")]
                };
                let response = client.post(&url).form(&form).send().await.unwrap();
                let status = response.status().as_u16();
                let body: Value = response.json().await.unwrap_or(Value::Null);
                (approve, status, body)
            }
        });
        let results = futures_join_all(attempts).await;
        for (approve, status, body) in &results {
            assert!(*status == 200 || *status == 409, "approve={approve}: {status} {body}");
        }
        let decisions = count_actions(&app, "request.approved").await + count_actions(&app, "request.rejected").await;
        assert_eq!(decisions, 1, "exactly one decision is recorded: {results:?}");
        let stored = correction_request::Entity::find_by_id(id.parse::<i64>().unwrap()).one(&app.db).await.unwrap().unwrap();
        let approved = match stored.status.as_str() {
            "approved" => true,
            "rejected" => false,
            other => panic!("the request is decided, not {other}"),
        };
        for (approve, status, body) in &results {
            if *status == 200 {
                assert_eq!(*approve, approved, "only the winning decision is answered 200: {body}");
                assert_eq!(body["status"], stored.status.as_str(), "{body}");
            }
        }
        let corrected = count_actions(&app, "field.corrected").await;
        assert_eq!(corrected, u64::from(approved), "an approval corrects the field once, a rejection never");
        assert!(server::services::audit::verify_chain(&app.db, demo::CONTOSO).await.unwrap().is_intact());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgresql_share_sessions_and_refuse_each_others_stale_versions() {
    let Some(first) = TestApp::spawn_postgres_with(true).await else {
        return;
    };
    let second = first.spawn_second(true).await;
    assert_ne!(first.addr, second.addr);
    // Signed in on the first instance, acting on the second: the session lives in the database.
    let megan = first.client_as("Megan Bowen").await;
    let (status, data) = second
        .call(&megan, "users/data", &[("user_id", demo::ADELE)])
        .await;
    assert_eq!(status, 200, "the second instance knows the session: {data}");
    // Corrections raced across both instances: the version check holds across processes.
    let results = race_corrections(&[&first, &second], &megan).await;
    exactly_one_correction_won(&first, &results).await;
    // Signing out on one instance ends the session on both.
    let info: Value = megan
        .post(first.url("/api/session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let csrf = info["user"]["csrf_token"].as_str().unwrap().to_owned();
    let response = megan
        .post(second.url("/auth/sign-out"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_redirection() || response.status().is_success(),
        "{}",
        response.status()
    );
    assert_eq!(
        first
            .call(&megan, "users/data", &[("user_id", demo::ADELE)])
            .await
            .0,
        401,
        "signed out everywhere"
    );
}
