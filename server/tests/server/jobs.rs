//! Background jobs: exports and imports started from the portal run to their end with their
//! progress in the database, their files can be downloaded by the tenant's admins only, imports
//! report refused lines by number and keep the good records, and jobs can be cancelled.

use crate::helpers::{client, on_both_databases, TestApp};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};
use server::entities::{audit_event, directory_user, job};
use server::seed::demo;
use std::time::{Duration, Instant};

const ADMIN: &str = "Megan Bowen";
const AUDITOR: &str = "Irvin Sayers";
const OTHER_ADMIN: &str = "Alex Wilber";
const NEW_USER: &str = "c0000000-0000-4000-8000-0000000000a1";
const OTHER_NEW_USER: &str = "c0000000-0000-4000-8000-0000000000a2";

/// Starts an export as `client` and returns the job's id.
async fn start_export(app: &TestApp, client: &reqwest::Client, form: &[(&str, &str)]) -> i64 {
    let (status, body) = app.call(client, "jobs/export", form).await;
    assert_eq!(status, 200, "{body}");
    body.as_i64().expect("the job's id")
}

/// The tenant's jobs as `client` sees them.
async fn jobs(app: &TestApp, client: &reqwest::Client) -> Vec<Value> {
    let (status, body) = app.call(client, "jobs/list", &[]).await;
    assert_eq!(status, 200, "{body}");
    body["jobs"].as_array().cloned().unwrap_or_default()
}

fn find(jobs: &[Value], id: i64) -> Option<Value> {
    jobs.iter().find(|j| j["id"] == id).cloned()
}

/// Polls the list until job `id` has ended; returns it and every (done, total) seen on the way.
async fn until_ended(app: &TestApp, client: &reqwest::Client, id: i64) -> (Value, Vec<(u64, u64)>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    loop {
        let job = find(&jobs(app, client).await, id).expect("the job is listed");
        seen.push((
            job["progress_done"].as_u64().unwrap(),
            job["progress_total"].as_u64().unwrap(),
        ));
        if !matches!(job["state"].as_str(), Some("queued" | "running")) {
            return (job, seen);
        }
        assert!(Instant::now() < deadline, "job {id} did not end: {job}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn graph_user(id: &str, upn: &str, name: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.user",
        "id": id,
        "userPrincipalName": upn,
        "displayName": name,
        "mail": null,
        "mobilePhone": null,
        "businessPhones": [],
        "department": "",
        "jobTitle": null
    })
}

/// Posts `file` as the import form does (multipart, field `file`).
async fn upload(app: &TestApp, client: &reqwest::Client, file: &str) -> reqwest::Response {
    try_upload(app, client, file).await.unwrap()
}

/// [`upload`], with the client's error: a server that answers from the headers may close the
/// connection while a large body is still being written.
async fn try_upload(
    app: &TestApp,
    client: &reqwest::Client,
    file: &str,
) -> reqwest::Result<reqwest::Response> {
    let boundary = "----portal-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"users.jsonl\"\r\n\
         Content-Type: application/x-ndjson\r\n\r\n{file}\r\n--{boundary}--\r\n"
    );
    client
        .post(app.url("/jobs/import"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// A job row as a test arranges it, in `state`, last heard of at `updated_at`.
async fn stored_job(app: &TestApp, state: &str, updated_at: i64, finished_at: Option<i64>) -> i64 {
    job::ActiveModel {
        tenant_id: Set(demo::CONTOSO.into()),
        kind: Set("export_audit_csv".into()),
        owner_account_id: Set(app.account_id(ADMIN).await),
        owner_name: Set(ADMIN.into()),
        params: Set("{}".into()),
        state: Set(state.into()),
        progress_done: Set(0),
        progress_total: Set(2),
        created_at: Set(updated_at),
        updated_at: Set(updated_at),
        finished_at: Set(finished_at),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap()
    .id
}

/// The jobs page as a reader of `language` gets it.
async fn jobs_page(app: &TestApp, client: &reqwest::Client, language: &str) -> String {
    let response = client
        .get(app.url("/jobs"))
        .header("accept-language", language)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

/// The JSON export without its time of making.
fn comparable(mut export: Value) -> Value {
    export.as_object_mut().unwrap().remove("exported_at");
    export
}

on_both_databases! { demo;
    async fn a_user_export_job_runs_to_done_and_its_file_equals_the_direct_export(app) {
        let admin = app.client_as(ADMIN).await;
        let id = start_export(&app, &admin, &[("kind", "export_user_json"), ("user_id", demo::ADELE)]).await;
        let (job, seen) = until_ended(&app, &admin, id).await;
        assert_eq!(job["state"], "done", "{job}");
        assert_eq!(job["kind"], "export_user_json");
        assert_eq!(job["subject_name"], "Adele Vance");
        assert_eq!(job["owner_name"], ADMIN);
        assert!(job["finished_at"].as_i64().is_some());
        assert_eq!(job["progress_done"], job["progress_total"]);
        assert!(job["progress_total"].as_u64().unwrap() > 0);
        assert!(seen.iter().all(|(done, total)| done <= total), "{seen:?}");

        let from_job = admin.get(app.url(&format!("/jobs/{id}/download"))).send().await.unwrap();
        assert_eq!(from_job.status(), 200);
        assert_eq!(from_job.headers()["content-type"], "application/json");
        let disposition = from_job.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert!(disposition.contains(&format!("personal-data-{}.json", demo::ADELE)), "{disposition}");
        let from_job: Value = from_job.json().await.unwrap();
        let direct: Value = admin
            .get(app.url(&format!("/users/{}/export?format=json", demo::ADELE)))
            .send().await.unwrap().json().await.unwrap();
        // The direct export, made later, also lists the events since (the download itself).
        let job_audit = from_job["audit"].as_array().unwrap().clone();
        let direct_audit = direct["audit"].as_array().unwrap().clone();
        assert!(direct_audit.starts_with(&job_audit), "the job's audit trail is not a prefix");
        assert!(job_audit.iter().any(|e| e["action"] == "job.export_started"));
        let strip = |mut v: Value| { v.as_object_mut().unwrap().remove("audit"); comparable(v) };
        assert_eq!(strip(from_job), strip(direct));

        // The CSV export, in the page's language (Dutch here).
        let response = admin
            .post(app.url("/api/jobs/export"))
            .header("accept-language", "nl")
            .form(&[("kind", "export_user_csv"), ("user_id", demo::ADELE)])
            .send().await.unwrap();
        assert_eq!(response.status(), 200);
        let csv: i64 = response.json().await.unwrap();
        let (job, _) = until_ended(&app, &admin, csv).await;
        assert_eq!(job["state"], "done", "{job}");
        let body = admin.get(app.url(&format!("/jobs/{csv}/download"))).send().await.unwrap().text().await.unwrap();
        assert!(body.starts_with("onderdeel,soort gegeven"), "{body:.200}");
    }

    async fn an_audit_log_export_job_has_the_filtered_csv_and_a_bad_date_is_refused_at_once(app) {
        let admin = app.client_as(ADMIN).await;
        let (status, body) = app.call(&admin, "jobs/export", &[("kind", "export_audit_csv"), ("from", "yesterday")]).await;
        assert_eq!(status, 422, "{body}");
        let id = start_export(&app, &admin, &[("kind", "export_audit_csv"), ("action", "job.export_started")]).await;
        let (job, _) = until_ended(&app, &admin, id).await;
        assert_eq!(job["state"], "done", "{job}");
        let csv = admin.get(app.url(&format!("/jobs/{id}/download"))).send().await.unwrap().text().await.unwrap();
        assert!(csv.starts_with("seq,occurred_at"), "{csv:.200}");
        assert!(csv.lines().skip(1).all(|l| l.contains("job.export_started")), "{csv}");
        assert!(csv.lines().count() >= 2, "{csv}");
    }

    async fn another_tenant_or_role_can_neither_see_nor_download_a_job(app) {
        let admin = app.client_as(ADMIN).await;
        let id = start_export(&app, &admin, &[("kind", "export_user_csv"), ("user_id", demo::ADELE)]).await;
        until_ended(&app, &admin, id).await;
        let download = format!("/jobs/{id}/download");

        let other = app.client_as(OTHER_ADMIN).await;
        assert!(find(&jobs(&app, &other).await, id).is_none(), "Fabrikam sees Contoso's job");
        assert_eq!(other.get(app.url(&download)).send().await.unwrap().status(), 404);
        let (status, _) = app.call(&other, "jobs/cancel", &[("id", &id.to_string())]).await;
        assert_eq!(status, 404);
        // Nor can it export a Contoso user.
        let (status, _) = app.call(&other, "jobs/export", &[("kind", "export_user_json"), ("user_id", demo::ADELE)]).await;
        assert_eq!(status, 404);

        let auditor = app.client_as(AUDITOR).await;
        assert_eq!(app.call(&auditor, "jobs/list", &[]).await.0, 403);
        assert_eq!(auditor.get(app.url(&download)).send().await.unwrap().status(), 403);
        let end_user = app.client_as("Adele Vance").await;
        assert_eq!(end_user.get(app.url(&download)).send().await.unwrap().status(), 403);
        assert_eq!(client().get(app.url(&download)).send().await.unwrap().status(), 401);
        assert_eq!(upload(&app, &auditor, "{}").await.status(), 403);
        assert_eq!(upload(&app, &client(), "{}").await.status(), 401);
        assert_eq!(admin.get(app.url("/jobs/nonsense/download")).send().await.unwrap().status(), 404);
    }

    async fn an_import_job_reports_counts_and_numbered_rejections_and_keeps_the_good_records(app) {
        let admin = app.client_as(ADMIN).await;
        let bad_upn = "not an address";
        let file = [
            graph_user(NEW_USER, "new.person@contoso.com", "New Person").to_string(),
            graph_user(OTHER_NEW_USER, bad_upn, "Other Person").to_string(),
            String::new(),
            "{\"id\": ".to_owned(),
            graph_user(demo::ADELE, "adele.vance@contoso.com", "Adele Vance").to_string(),
        ]
        .join("\n");
        let response = upload(&app, &admin, &file).await;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), "/jobs");
        let id = jobs(&app, &admin).await[0]["id"].as_i64().unwrap();
        let (job, seen) = until_ended(&app, &admin, id).await;
        assert_eq!(job["state"], "done", "{job}");
        assert_eq!(job["kind"], "import_directory");
        assert_eq!(job["accepted"], 2, "{job}");
        assert_eq!(job["rejected"], 2, "{job}");
        assert_eq!(job["progress_total"].as_u64(), Some(file.len() as u64));
        assert_eq!(job["progress_done"], job["progress_total"]);
        assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "progress went back: {seen:?}");
        let rejections = job["rejections"].as_array().unwrap();
        assert_eq!(rejections.iter().map(|r| r["line"].as_u64().unwrap()).collect::<Vec<_>>(), [2, 4]);
        assert_eq!(rejections[0]["field"], "userPrincipalName");
        let reason: Option<app::jobs::RejectionReason> = serde_json::from_value(rejections[0]["reason"].clone()).ok();
        assert!(reason.is_some(), "the reason is stored as its code: {job}");
        assert!(!job.to_string().contains(bad_upn), "a rejected value reached the page");
        assert!(job["result_size"].is_null(), "an import has no file");

        let kept = directory_user::Entity::find_by_id(NEW_USER).one(&app.db).await.unwrap().expect("the good record is kept");
        assert_eq!(kept.tenant_id, demo::CONTOSO);
        assert!(directory_user::Entity::find_by_id(OTHER_NEW_USER).one(&app.db).await.unwrap().is_none());
        let events = audit_event::Entity::find()
            .filter(audit_event::Column::TenantId.eq(demo::CONTOSO))
            .filter(audit_event::Column::Action.is_in(["job.import_started", "job.import_finished", "import.batch"]))
            .all(&app.db).await.unwrap();
        for action in ["job.import_started", "job.import_finished", "import.batch"] {
            assert!(events.iter().any(|e| e.action == action), "no {action} event");
        }
        assert!(events.iter().all(|e| !e.changes.contains(bad_upn)));
    }

    async fn the_reasons_of_refused_lines_are_shown_in_the_language_of_the_reader(app) {
        let admin = app.client_as(ADMIN).await;
        let bad_imei = "356938035643808";
        let stranger = "c0000000-0000-4000-8000-0000000000ff";
        let device = |id: &str, user: &str, imei: &str| json!({
            "@odata.type": "#microsoft.graph.managedDevice",
            "id": id,
            "userId": user,
            "deviceName": "Refused Phone",
            "operatingSystem": "iOS",
            "imei": imei
        });
        let file = [
            graph_user(NEW_USER, "new.person@contoso.com", "New Person").to_string(),
            device("dd000000-0000-4000-8000-0000000000b1", NEW_USER, bad_imei).to_string(),
            device("dd000000-0000-4000-8000-0000000000b2", stranger, "").to_string(),
            "{\"id\": ".to_owned(),
        ]
        .join("\n");
        // Started from a Dutch page: the stored reasons do not depend on it.
        let response = admin
            .post(app.url("/jobs/import"))
            .header("accept-language", "nl")
            .header("content-type", "multipart/form-data; boundary=----portal-test-nl")
            .body(format!(
                "------portal-test-nl\r\nContent-Disposition: form-data; name=\"file\"; filename=\"nl.jsonl\"\r\n\r\n{file}\r\n------portal-test-nl--\r\n"
            ))
            .send().await.unwrap();
        assert_eq!(response.status(), 303);
        let id = jobs(&app, &admin).await[0]["id"].as_i64().unwrap();
        let (job, _) = until_ended(&app, &admin, id).await;
        assert_eq!(job["state"], "done", "{job}");
        assert_eq!(job["rejected"], 3, "{job}");

        let dutch = jobs_page(&app, &admin, "nl").await;
        for reason in [
            "Het controlecijfer klopt niet.",
            "Dit is geen gebruiker van deze tenant (in de database of eerder in het bestand).",
            "De JSON houdt te vroeg op: de regel is afgebroken.",
        ] {
            assert!(dutch.contains(reason), "no Dutch reason {reason:?} on the Dutch page");
        }
        for english in ["The check digit is wrong", "not a user of this tenant", "The JSON ends early"] {
            assert!(!dutch.contains(english), "English {english:?} on the Dutch page");
        }
        let english = jobs_page(&app, &admin, "en").await;
        assert!(english.contains("The check digit is wrong."), "the same job reads in English too");
        assert!(english.contains("This is not a user of this tenant"));
        for page in [&dutch, &english] {
            assert!(!page.contains(bad_imei) && !page.contains(stranger), "a refused value reached the page");
        }
    }

    async fn the_import_form_refuses_an_empty_file_and_sends_the_browser_back(app) {
        let admin = app.client_as(ADMIN).await;
        let response = upload(&app, &admin, "\n  \n").await;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), "/jobs?import=empty");
        assert!(jobs(&app, &admin).await.is_empty());
    }

    async fn an_oversized_import_goes_back_to_the_page_and_other_roles_cannot_import_at_all(app) {
        let admin = app.client_as(ADMIN).await;
        // Declared too large: answered from the headers, before the body is read.
        let big = "x".repeat(server::security::IMPORT_BODY_LIMIT + 1);
        match try_upload(&app, &admin, &big).await {
            Ok(response) => {
                assert_eq!(response.status(), 303);
                assert_eq!(location(&response), "/jobs?import=too_large");
            }
            // The answer came before the body was sent, and the server closed the connection
            // then (on several threads it often does): the client cannot read it, but nothing
            // may have been queued either way.
            Err(e) => assert!(e.is_request(), "{e}"),
        }
        assert!(jobs(&app, &admin).await.is_empty());
        let line = r#"{"id":"x"}"#;
        for name in ["Lee Gu", "Irvin Sayers", "Adele Vance"] {
            let client = app.client_as(name).await;
            let response = upload(&app, &client, line).await;
            assert!(matches!(response.status().as_u16(), 403 | 404), "{name}: {}", response.status());
        }
        let anonymous = crate::helpers::client();
        let response = upload(&app, &anonymous, line).await;
        assert!(matches!(response.status().as_u16(), 401 | 303), "signed out: {}", response.status());
        assert!(jobs(&app, &admin).await.is_empty(), "nothing was queued");
    }

    async fn cancelling_stops_a_queued_job_and_an_ended_job_cannot_be_cancelled(app) {
        let admin = app.client_as(ADMIN).await;
        // Stored, not started: it stays queued until cancelled, whatever the timing.
        let queued = stored_job(&app, "queued", app.clock.now_ms(), None).await;
        // A plain form (no browser bundle) is sent back to the page.
        let response = admin
            .post(app.url("/api/jobs/cancel"))
            .header("accept", "text/html")
            .form(&[("id", queued.to_string())])
            .send().await.unwrap();
        assert_eq!(response.status(), 302);
        assert_eq!(location(&response), "/jobs?done=jobs%2Fcancel", "back to the page, with its confirmation");
        let job = find(&jobs(&app, &admin).await, queued).unwrap();
        assert_eq!(job["state"], "cancelled");
        assert!(job["finished_at"].as_i64().is_some());
        let cancelled = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("job.cancelled"))
            .filter(audit_event::Column::TargetId.eq(queued.to_string()))
            .one(&app.db).await.unwrap();
        assert!(cancelled.is_some(), "no audit event for the cancellation");
        let (status, _) = app.call(&admin, "jobs/cancel", &[("id", &queued.to_string())]).await;
        assert_eq!(status, 409);

        let done = start_export(&app, &admin, &[("kind", "export_user_json"), ("user_id", demo::BEN)]).await;
        until_ended(&app, &admin, done).await;
        let (status, _) = app.call(&admin, "jobs/cancel", &[("id", &done.to_string())]).await;
        assert_eq!(status, 409);
        assert_eq!(app.call(&admin, "jobs/cancel", &[("id", "999999")]).await.0, 404);
    }

    async fn a_running_import_that_is_cancelled_stays_cancelled(app) {
        let admin = app.client_as(ADMIN).await;
        let lines: Vec<String> = (0..4000)
            .map(|i| graph_user(&format!("c1000000-0000-4000-8000-{i:012}"), &format!("bulk{i}@contoso.com"), &format!("Bulk {i}")).to_string())
            .collect();
        assert_eq!(upload(&app, &admin, &lines.join("\n")).await.status(), 303);
        let id = jobs(&app, &admin).await[0]["id"].as_i64().unwrap();
        let (status, body) = app.call(&admin, "jobs/cancel", &[("id", &id.to_string())]).await;
        if status == 409 {
            // It finished first, on a fast machine: nothing left to check.
            return;
        }
        assert_eq!(status, 200, "{body}");
        // Once its task has ended (it notices at its next heartbeat), it did not overwrite it.
        crate::helpers::eventually(30, "the cancelled import's task ends", || {
            let ended = !app.jobs.is_active(id);
            async move { ended }
        })
        .await;
        let job = find(&jobs(&app, &admin).await, id).unwrap();
        assert_eq!(job["state"], "cancelled", "{job}");
    }

    async fn a_job_whose_server_stopped_is_marked_failed_and_old_jobs_are_deleted(app) {
        let admin = app.client_as(ADMIN).await;
        let now = app.clock.now_ms();
        let stale = stored_job(&app, "running", now - 120_000, None).await;
        let alive = stored_job(&app, "running", now, None).await;
        let old = stored_job(&app, "done", now - 8 * 86_400_000, Some(now - 8 * 86_400_000)).await;
        // Half the retention ago: the runner's own sweep (every 15 s, with its own clock) keeps it too.
        let recent = stored_job(&app, "done", now - 43_200_000, Some(now - 43_200_000)).await;
        // The server's own sweeper may get there first (it runs at start and every 15 s), so
        // what is checked is the state afterwards, not which sweep did the work.
        let (failed, purged) = server::services::jobs::sweep(&app.db, now).await.unwrap();
        assert!(failed <= 1 && purged <= 1, "{failed} failed, {purged} purged");
        let listed = jobs(&app, &admin).await;
        let stale = find(&listed, stale).unwrap();
        assert_eq!(stale["state"], "failed");
        assert_eq!(stale["error"], "server_stopped");
        assert_eq!(find(&listed, alive).unwrap()["state"], "running");
        assert!(find(&listed, old).is_none());
        assert!(find(&listed, recent).is_some());
    }

    async fn a_tenant_cannot_queue_more_than_a_handful_of_jobs(app) {
        let admin = app.client_as(ADMIN).await;
        let now = app.clock.now_ms();
        for _ in 0..app::jobs::MAX_ACTIVE_JOBS {
            stored_job(&app, "queued", now, None).await;
        }
        let (status, body) = app.call(&admin, "jobs/export", &[("kind", "export_user_json"), ("user_id", demo::ADELE)]).await;
        assert_eq!(status, 422, "{body}");
        let response = upload(&app, &admin, &graph_user(NEW_USER, "new.person@contoso.com", "New Person").to_string()).await;
        assert_eq!(location(&response), "/jobs?import=too_many");
    }
}

on_both_databases! { demo;
    async fn the_jobs_page_renders_for_an_admin_and_refuses_others(app) {
        let admin = app.client_as(ADMIN).await;
        let id = start_export(&app, &admin, &[("kind", "export_user_json"), ("user_id", demo::ADELE)]).await;
        until_ended(&app, &admin, id).await;
        let page = admin.get(app.url("/jobs")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("Exports and imports"));
        assert!(html.contains(&format!("/jobs/{id}/download")), "no download link");
        assert!(html.contains("<progress"), "no progress bar");
        let auditor = app.client_as(AUDITOR).await;
        let html = auditor.get(app.url("/jobs")).send().await.unwrap().text().await.unwrap();
        assert!(!html.contains(&format!("/jobs/{id}/download")));
    }
}
