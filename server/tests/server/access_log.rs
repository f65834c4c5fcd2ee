//! The access log: every door that hands a person's data to a reader (the person page, the
//! review page, the REST API, an export) leaves an entry; staff read them with names, the
//! person reads their own without; nobody reads another tenant's or another person's.

use crate::api::{send, token, IPHONE};
use crate::helpers::{on_both_databases, TestApp};
use app::auth::Role;
use serde_json::Value;
use server::seed::demo;

/// The views of a page of entries, newest first.
fn views(page: &Value, list: &str) -> Vec<String> {
    page[list]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .iter()
        .map(|e| e["view"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Ben's open request (demo), as a reviewer opens it.
async fn review_bens_request(app: &TestApp, lee: &reqwest::Client) {
    let (_, queue) = app.call(lee, "review/queue", &[]).await;
    let id = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["subject_user_id"] == demo::BEN)
        .unwrap_or_else(|| panic!("{queue}"))["id"]
        .to_string();
    let (status, review) = app.call(lee, "review/request", &[("id", &id)]).await;
    assert_eq!(status, 200, "{review}");
}

on_both_databases! { demo;
    async fn every_read_of_a_persons_data_is_logged_and_shown_to_staff_by_name_and_to_the_person_without(app) {
        let megan = app.client_as("Megan Bowen").await;
        let (status, _) = app.call(&megan, "users/data", &[("user_id", demo::BEN)]).await;
        assert_eq!(status, 200);
        review_bens_request(&app, &app.client_as("Lee Gu").await).await;
        let script = token(&app, demo::CONTOSO, Role::TenantAdmin, None).await;
        let path = format!("/users/{}", demo::BEN);
        assert_eq!(send(&app, reqwest::Method::GET, &path, &script, None, &[]).await.0, 200);
        let download = megan
            .get(app.url(&format!("/users/{}/export?format=json", demo::BEN)))
            .send()
            .await
            .unwrap();
        assert_eq!(download.status(), 200);

        let irvin = app.client_as("Irvin Sayers").await;
        let (status, page) = app.call(&irvin, "access-log/user", &[("user_id", "ben.okafor@contoso.com")]).await;
        assert_eq!(status, 200, "an auditor reads it, by UPN too: {page}");
        assert_eq!(views(&page, "entries"), ["export", "api", "review", "user_page"]);
        let readers: Vec<&str> = page["entries"].as_array().unwrap().iter().map(|e| e["reader"].as_str().unwrap()).collect();
        assert_eq!(readers, ["Megan Bowen", "test tenant_admin", "Lee Gu", "Megan Bowen"]);
        assert_eq!(page["next"], Value::Null);

        let auditor = token(&app, demo::CONTOSO, Role::Auditor, None).await;
        let (status, _, rest) = send(&app, reqwest::Method::GET, &format!("/users/{}/access-log", demo::BEN), &auditor, None, &[]).await;
        assert_eq!(status, 200, "{rest}");
        assert_eq!(views(&rest, "items"), ["export", "api", "review", "user_page"], "reading the log is not a read of the data");

        let ben = app.client_as("Ben Okafor").await;
        let (status, mine) = app.call(&ben, "me/access-log", &[]).await;
        assert_eq!(status, 200, "{mine}");
        assert_eq!(views(&mine, "entries"), ["export", "api", "review", "user_page"]);
        assert!(mine["entries"].as_array().unwrap().iter().all(|e| e["reader"].is_null()), "staff are not named to the subject: {mine}");
        let (_, me) = app.call(&ben, "me/data", &[]).await;
        assert!(me.is_object());
        let (_, again) = app.call(&ben, "me/access-log", &[]).await;
        assert_eq!(views(&again, "entries").len(), 4, "the person's own reads are not others' reads of them");

        let adele = app.client_as("Adele Vance").await;
        let (_, hers) = app.call(&adele, "me/access-log", &[]).await;
        assert_eq!(hers["entries"], serde_json::json!([]), "another person's log is not hers: {hers}");
        assert_eq!(app.call(&adele, "access-log/user", &[("user_id", demo::BEN)]).await.0, 403);

        let alex = app.client_as("Alex Wilber").await;
        assert_eq!(app.call(&alex, "access-log/user", &[("user_id", demo::BEN)]).await.0, 404, "another tenant's person");
    }

    async fn a_revealed_secret_and_every_download_of_an_export_job_are_reads_of_the_person(app) {
        let megan = app.client_as("Megan Bowen").await;
        let (status, secret) = app.call(&megan, "users/reveal", &[
            ("user_id", demo::ADELE),
            ("device_id", IPHONE),
            ("field", "activation_lock_bypass_code"),
            ("reason", "Adele is locked out of her phone"),
        ]).await;
        assert_eq!(status, 200, "{secret}");

        let (status, job) = app.call(&megan, "jobs/export", &[("kind", "export_user_json"), ("user_id", demo::ADELE)]).await;
        assert_eq!(status, 200, "{job}");
        let id = job.as_i64().unwrap_or_else(|| panic!("{job}"));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let download = loop {
            let response = megan.get(app.url(&format!("/jobs/{id}/download"))).send().await.unwrap();
            if response.status() == 200 {
                break response;
            }
            assert!(std::time::Instant::now() < deadline, "the export job did not finish");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        assert!(download.text().await.unwrap().contains("Adele"));
        assert_eq!(megan.get(app.url(&format!("/jobs/{id}/download"))).send().await.unwrap().status(), 200);

        let (status, page) = app.call(&megan, "access-log/user", &[("user_id", demo::ADELE)]).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(
            views(&page, "entries"),
            ["export", "export", "export", "reveal"],
            "the reveal, the job's own export, and each of the two downloads: {page}"
        );
        assert!(page["entries"].as_array().unwrap().iter().all(|e| e["reader"] == "Megan Bowen" && e["reader_kind"] == "account"), "{page}");

        let adele = app.client_as("Adele Vance").await;
        let (_, mine) = app.call(&adele, "me/access-log", &[]).await;
        assert_eq!(views(&mine, "entries"), ["export", "export", "export", "reveal"], "{mine}");
    }

    async fn a_script_is_named_to_staff_as_a_token_and_to_the_person_as_a_script(app) {
        let script = token(&app, demo::CONTOSO, Role::TenantAdmin, None).await;
        let path = format!("/users/{}", demo::BEN);
        assert_eq!(send(&app, reqwest::Method::GET, &path, &script, None, &[]).await.0, 200);
        let megan = app.client_as("Megan Bowen").await;
        let (_, page) = app.call(&megan, "access-log/user", &[("user_id", demo::BEN)]).await;
        assert_eq!(page["entries"][0]["reader_kind"], "token", "{page}");
        let ben = app.client_as("Ben Okafor").await;
        let (_, mine) = app.call(&ben, "me/access-log", &[]).await;
        assert_eq!(mine["entries"][0]["reader_kind"], "token", "{mine}");
        assert!(mine["entries"][0]["reader"].is_null(), "{mine}");

        // A script's page of people is a read of each person on it; an admin's search is not.
        let (status, _) = app.call(&megan, "directory/search", &[("q", "ben")]).await;
        assert_eq!(status, 200);
        let (status, _, listed) = send(&app, reqwest::Method::GET, "/users?q=ben", &script, None, &[]).await;
        assert_eq!(status, 200, "{listed}");
        assert!(listed["items"].as_array().unwrap().iter().any(|u| u["id"] == demo::BEN), "{listed}");
        let (_, mine) = app.call(&ben, "me/access-log", &[]).await;
        assert_eq!(views(&mine, "entries"), ["search", "api"], "{mine}");
        let adele = app.client_as("Adele Vance").await;
        let (_, hers) = app.call(&adele, "me/access-log", &[]).await;
        assert_eq!(hers["entries"], serde_json::json!([]), "not on the page, not logged: {hers}");
    }

    async fn the_access_log_pages_back_fifty_entries_at_a_time(app) {
        let reader = server::services::audit::Actor::system("bulk reader");
        for i in 0..60 {
            server::services::access_log::record(
                &app.db,
                demo::CONTOSO,
                &reader,
                demo::ADELE,
                app::domain::states::AccessView::Api,
                1_000 + i,
            )
            .await
            .unwrap();
        }
        let megan = app.client_as("Megan Bowen").await;
        let (_, first) = app.call(&megan, "access-log/user", &[("user_id", demo::ADELE)]).await;
        assert_eq!(first["entries"].as_array().unwrap().len(), 50);
        assert_eq!(first["entries"][0]["at"], 1_059, "newest first");
        let next = first["next"].as_i64().unwrap_or_else(|| panic!("{first}")).to_string();
        let (_, second) = app.call(&megan, "access-log/user", &[("user_id", demo::ADELE), ("before", &next)]).await;
        let at: Vec<i64> = second["entries"].as_array().unwrap().iter().map(|e| e["at"].as_i64().unwrap()).collect();
        assert_eq!(at, (1_000..1_010).rev().collect::<Vec<_>>());
        assert_eq!(second["next"], Value::Null);
    }
}
