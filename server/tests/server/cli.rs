//! The binary's command line and configuration errors.

use std::process::Command;

fn server() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
    // Start from a clean slate: only what each test sets.
    for (key, _) in std::env::vars() {
        if key.starts_with("PORTAL_") || key == "DATABASE_URL" {
            command.env_remove(key);
        }
    }
    command
}

#[test]
fn a_bad_configuration_value_stops_the_server_with_the_key_named() {
    let output = server().env("PORTAL_PORT", "not-a-port").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("port"), "{stderr}");
}

#[test]
fn an_unknown_configuration_key_is_named() {
    let output = server().env("PORTAL_PROT", "3000").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("prot"), "{stderr}");
}

#[test]
fn the_migrate_subcommand_migrates_a_new_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/sub/portal.db?mode=rwc", dir.path().display());
    let output = server()
        .env("DATABASE_URL", &url)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("migration(s) applied"));
    assert!(dir.path().join("sub/portal.db").exists());
    let again = server()
        .env("DATABASE_URL", &url)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).starts_with("0 migration(s) applied"));
}

#[test]
fn printing_the_configuration_masks_the_database_password() {
    let output = server()
        .env("DATABASE_URL", "postgres://portal:hunter2@localhost/portal")
        .arg("config")
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("hunter2"), "{stdout}");
    assert!(stdout.contains("********"));
}

#[test]
fn an_import_names_its_tenant_by_id_or_by_its_name_and_an_unknown_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/portal.db?mode=rwc", dir.path().display());
    let seeded = server()
        .env("DATABASE_URL", &url)
        .arg("seed-demo")
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let file = dir.path().join("users.jsonl");
    std::fs::write(
        &file,
        r##"{"@odata.type":"#microsoft.graph.user","id":"a1b2c3d4-0004-4000-8000-000000000004","userPrincipalName":"diego.siciliani@contoso.com","displayName":"Diego Siciliani"}"##,
    )
    .unwrap();
    let by_name = server()
        .env("DATABASE_URL", &url)
        .args(["import", "--tenant", "Contoso Ltd"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        by_name.status.success(),
        "{}",
        String::from_utf8_lossy(&by_name.stderr)
    );
    let unknown = server()
        .env("DATABASE_URL", &url)
        .args(["import", "--tenant", "Nobody Inc"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("Nobody Inc"));
}
