//! The audit-log page's server side: who may read it, filters, keyset pages, the CSV download
//! (formula-safe), the integrity check and the `verify-audit` command, including a tampered row.

use crate::helpers::{client, on_both_databases, TestApp};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;
use server::seed::demo;
use server::services::audit::{self, Actor, AuditAction, Change, NewEvent, TargetKind};

const IPHONE: &str = "d1000000-0000-4000-8000-0000000000d1";

async fn exec(app: &TestApp, sql: &str) {
    app.db
        .execute(Statement::from_string(
            app.db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap();
}

fn actions(page: &Value) -> Vec<String> {
    page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

on_both_databases! { demo;
    async fn only_admins_and_auditors_of_the_tenant_read_the_log(app) {
        for name in ["Megan Bowen", "Irvin Sayers"] {
            let c = app.client_as(name).await;
            let (status, page) = app.call(&c, "audit/events", &[]).await;
            assert_eq!(status, 200, "{name}: {page}");
            assert!(!page["events"].as_array().unwrap().is_empty(), "{name}");
        }
        for name in ["Lee Gu", "Adele Vance"] {
            let c = app.client_as(name).await;
            assert_eq!(app.call(&c, "audit/events", &[]).await.0, 403, "{name}");
            assert_eq!(app.call(&c, "audit/verify", &[]).await.0, 403, "{name}");
            assert_eq!(c.get(app.url("/audit-log/export")).send().await.unwrap().status(), 403, "{name}");
        }
        assert_eq!(app.call(&client(), "audit/events", &[]).await.0, 401);
        assert_eq!(client().get(app.url("/audit-log/export")).send().await.unwrap().status(), 401);
        let fabrikam = app.client_as("Alex Wilber").await;
        let (_, page) = app.call(&fabrikam, "audit/events", &[("user", demo::ADELE)]).await;
        assert_eq!(page["events"], serde_json::json!([]), "another tenant's events are not there");
    }

    async fn the_log_filters_by_actor_action_target_user_and_date(app) {
        let megan = app.client_as("Megan Bowen").await;
        let correct = [("user_id", demo::ADELE), ("record_id", IPHONE), ("field", "management_name"), ("value", "Adele phone"), ("base_version", "0"), ("reason", "convention")];
        assert_eq!(app.call(&megan, "users/correct", &correct).await.0, 200);
        let irvin = app.client_as("Irvin Sayers").await;
        let (_, by_megan) = app.call(&irvin, "audit/events", &[("actor", "megan")]).await;
        assert!(actions(&by_megan).contains(&"field.corrected".to_owned()), "{by_megan}");
        assert!(by_megan["events"].as_array().unwrap().iter().all(|e| e["actor_name"] == "Megan Bowen"));
        let (_, corrected) = app.call(&irvin, "audit/events", &[("action", "field.corrected")]).await;
        assert_eq!(actions(&corrected), vec!["field.corrected"]);
        let event = &corrected["events"][0];
        assert_eq!(event["changes"][0]["before"], "AdeleVance_iPhone_1/5/2025");
        assert_eq!(event["changes"][0]["after"], "Adele phone");
        let (_, by_upn) = app.call(&irvin, "audit/events", &[("action", "field.corrected"), ("user", "ADELE.VANCE@contoso.com")]).await;
        assert_eq!(actions(&by_upn), vec!["field.corrected"], "a UPN finds the user without case");
        let (_, other_user) = app.call(&irvin, "audit/events", &[("action", "field.corrected"), ("user", demo::BEN)]).await;
        assert_eq!(actions(&other_user), Vec::<String>::new());
        let (_, old) = app.call(&irvin, "audit/events", &[("action", "field.corrected"), ("to", "2020-01-01")]).await;
        assert_eq!(actions(&old), Vec::<String>::new());
        let (_, recent) = app.call(&irvin, "audit/events", &[("action", "field.corrected"), ("from", "2020-01-01")]).await;
        assert_eq!(actions(&recent), vec!["field.corrected"]);
        let (status, body) = app.call(&irvin, "audit/events", &[("from", "last week")]).await;
        assert_eq!(status, 422);
        assert_eq!(body["Invalid"]["field"], "from");
        let (_, like) = app.call(&irvin, "audit/events", &[("actor", "%")]).await;
        assert_eq!(actions(&like), Vec::<String>::new(), "LIKE wildcards are taken literally");
    }

    async fn pages_follow_the_sequence_without_gaps_or_repeats(app) {
        for n in 0..120 {
            audit::append(&app.db, demo::CONTOSO, NewEvent {
                actor: Actor::system("test"),
                action: AuditAction::FieldCorrected,
                target_kind: TargetKind::User,
                target_id: demo::ADELE.into(),
                subject_user_id: Some(demo::ADELE.into()),
                changes: vec![],
                reason: Some(n.to_string()),
                occurred_at: n,
            }).await.unwrap();
        }
        let irvin = app.client_as("Irvin Sayers").await;
        let mut seen: Vec<i64> = Vec::new();
        let mut before: Option<String> = None;
        loop {
            let mut form = vec![("action", "field.corrected".to_owned())];
            if let Some(b) = &before {
                form.push(("before", b.clone()));
            }
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, page) = app.call(&irvin, "audit/events", &form).await;
            assert_eq!(status, 200, "{page}");
            seen.extend(page["events"].as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()));
            match page["next_before"].as_i64() {
                Some(next) => before = Some(next.to_string()),
                None => break,
            }
        }
        assert_eq!(seen.len(), 120);
        assert!(seen.windows(2).all(|w| w[0] == w[1] + 1), "newest first, consecutive");
    }

    async fn the_csv_download_defuses_formulas_and_is_itself_audited(app) {
        audit::append(&app.db, demo::CONTOSO, NewEvent {
            actor: Actor::system("=cmd|' /C calc'!A0"),
            action: AuditAction::FieldCorrected,
            target_kind: TargetKind::User,
            target_id: demo::ADELE.into(),
            subject_user_id: Some(demo::ADELE.into()),
            changes: vec![Change { field: "department".into(), before: Some("+1".into()), after: Some("@SUM(1,2)".into()) }],
            reason: Some("-2, \"quoted\"".into()),
            occurred_at: 1,
        }).await.unwrap();
        let megan = app.client_as("Megan Bowen").await;
        let response = megan.get(app.url("/audit-log/export?action=field.corrected")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
        let csv = response.text().await.unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 2, "{csv}");
        assert!(lines[0].starts_with("seq,occurred_at"));
        assert!(lines[1].contains("\"'=cmd|' /C calc'!A0\"") || lines[1].contains(",'=cmd|' /C calc'!A0,"), "{csv}");
        assert!(lines[1].contains(",'+1,"), "{csv}");
        assert!(lines[1].contains("\"'@SUM(1,2)\""), "{csv}");
        assert!(lines[1].contains("\"'-2, \"\"quoted\"\"\""), "{csv}");
        let (_, exported) = app.call(&megan, "audit/events", &[("action", "audit.exported")]).await;
        assert_eq!(actions(&exported), vec!["audit.exported"]);
        assert_eq!(megan.get(app.url("/audit-log/export?from=yesterday")).send().await.unwrap().status(), 422);
    }

    async fn the_integrity_check_reports_the_first_broken_link_of_a_tampered_log(app) {
        let irvin = app.client_as("Irvin Sayers").await;
        let (status, report) = app.call(&irvin, "audit/verify", &[]).await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["first_broken_seq"], Value::Null);
        assert!(report["events"].as_u64().unwrap() > 1);
        exec(&app, &format!("UPDATE audit_events SET reason = 'rewritten' WHERE tenant_id = '{}' AND seq = 2", demo::CONTOSO)).await;
        let (_, report) = app.call(&irvin, "audit/verify", &[]).await;
        assert_eq!(report["first_broken_seq"], 2);
        let fabrikam = app.client_as("Alex Wilber").await;
        let (_, theirs) = app.call(&fabrikam, "audit/verify", &[]).await;
        assert_eq!(theirs["first_broken_seq"], Value::Null, "another tenant's chain is unaffected");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_verify_audit_command_names_the_first_broken_link_of_each_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/portal.db?mode=rwc", dir.path().display());
    let server = |args: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
        for (key, _) in std::env::vars() {
            if key.starts_with("PORTAL_") || key == "DATABASE_URL" {
                command.env_remove(key);
            }
        }
        command
            .env("DATABASE_URL", &url)
            .args(args)
            .output()
            .unwrap()
    };
    assert!(server(&["seed-demo"]).status.success());
    let intact = server(&["verify-audit"]);
    assert!(
        intact.status.success(),
        "{}",
        String::from_utf8_lossy(&intact.stdout)
    );
    let db = sea_orm::Database::connect(&url).await.unwrap();
    db.execute(Statement::from_string(
        db.get_database_backend(),
        format!(
            "UPDATE audit_events SET actor_name = 'someone else' WHERE tenant_id = '{}' AND seq = 2",
            demo::CONTOSO
        ),
    ))
    .await
    .unwrap();
    db.close().await.unwrap();
    let broken = server(&["verify-audit"]);
    let stdout = String::from_utf8_lossy(&broken.stdout);
    assert!(!broken.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!("{}: BROKEN at event 2", demo::CONTOSO)),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{}: intact", demo::FABRIKAM)),
        "{stdout}"
    );
}
