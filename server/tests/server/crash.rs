//! Crash safety (issue 10): the real server binary, killed with SIGKILL in the middle of
//! concurrent corrections, loses no acknowledged write and keeps no half-written one, and its
//! audit chain still verifies after the restart.
//!
//! The binary is the one Cargo built for these tests (debug); set `PORTAL_CRASH_TEST_BINARY` to
//! run the same test against another build, e.g. `target/release/server` in CI.

use serde_json::Value;
use server::seed::demo;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const IPHONE: &str = "d1000000-0000-4000-8000-0000000000d1";
const PIXEL: &str = "d2000000-0000-4000-8000-0000000000d2";

/// One writer per field: each corrects its field again and again, each time from the version
/// its previous correction produced, so at most one of its writes is in flight at the kill.
const WRITERS: [(&str, &str, &str); 4] = [
    (demo::ADELE, IPHONE, "management_name"),
    (demo::ADELE, IPHONE, "device_category"),
    (demo::BEN, PIXEL, "management_name"),
    (demo::BEN, PIXEL, "device_category"),
];

fn binary() -> PathBuf {
    std::env::var_os("PORTAL_CRASH_TEST_BINARY").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_server")),
        PathBuf::from,
    )
}

fn command(database_url: &str, args: &[&str]) -> Command {
    let mut command = Command::new(binary());
    command
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("PORTAL_DEMO_MODE", "true")
        .env("PORTAL_PORT", "0")
        .env("PORTAL_LOG_LEVEL", "error")
        .env("PORTAL_SHARING_INTERVAL_SECONDS", "0")
        .env_remove("PORTAL_CONFIG")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// Starts `server serve` and waits for the address it prints.
fn serve(database_url: &str) -> (Child, String) {
    let mut child = command(database_url, &["serve"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("Privacy Portal listening on ") {
                let _ = tx.send(url.trim().to_owned());
            }
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the server prints its address");
    (child, url)
}

async fn signed_in(url: &str, name: &str, database: &Path) -> reqwest::Client {
    let client = crate::helpers::client();
    let db = sea_orm::Database::connect(format!("sqlite://{}?mode=ro", database.display()))
        .await
        .unwrap();
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let account = server::entities::account::Entity::find()
        .filter(server::entities::account::Column::DisplayName.eq(name))
        .one(&db)
        .await
        .unwrap()
        .unwrap()
        .id;
    db.close().await.unwrap();
    let response = client
        .post(format!("{url}/auth/demo"))
        .form(&[("account", account.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    client
}

/// The stored value and version of a field, read through the page's own server function;
/// `None` when the server does not answer.
async fn field_state(
    client: &reqwest::Client,
    url: &str,
    user: &str,
    record: &str,
    field: &str,
) -> Option<(Option<String>, i64)> {
    let response = client
        .post(format!("{url}/api/users/data"))
        .form(&[("user_id", user)])
        .send()
        .await
        .ok()?;
    assert_eq!(response.status(), 200);
    let data: Value = response.json().await.ok()?;
    let device = data["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["record"]["id"] == record)
        .unwrap();
    let found = device["record"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == field)
        .unwrap();
    Some((
        found["value"].as_str().map(str::to_owned),
        found["version"].as_i64().unwrap(),
    ))
}

/// What one writer saw before the kill.
#[derive(Debug, Default)]
struct Outcome {
    /// The values of the acknowledged corrections, in order (version 1, 2, …).
    acknowledged: Vec<String>,
    /// The value sent when the connection broke, if one was in flight.
    in_flight: Option<String>,
    /// Corrections refused (and checked as not stored) before the kill.
    refused: usize,
}

/// Corrects one field again and again until the server goes away, each time from the version
/// the previous acknowledged correction produced.
async fn write_until_killed(
    client: reqwest::Client,
    url: String,
    index: usize,
    stop: Arc<AtomicBool>,
    total: Arc<AtomicI64>,
) -> Outcome {
    let (user, record, field) = WRITERS[index];
    let mut outcome = Outcome::default();
    let mut attempt = 0;
    while !stop.load(Ordering::Relaxed) {
        attempt += 1;
        let value = format!("W{index} try {attempt}");
        let base = outcome.acknowledged.len().to_string();
        let form = [
            ("user_id", user),
            ("record_id", record),
            ("field", field),
            ("value", value.as_str()),
            ("base_version", base.as_str()),
            ("reason", "crash test"),
        ];
        match client
            .post(format!("{url}/api/users/correct"))
            .form(&form)
            .timeout(Duration::from_secs(10))
            .send()
            .await
        {
            Ok(response) if response.status() == 200 => {
                outcome.acknowledged.push(value);
                total.fetch_add(1, Ordering::Relaxed);
            }
            Ok(response) => {
                // Refused (on SQLite, contention between writers can refuse a write): the refusal
                // must have stored nothing.
                outcome.refused += 1;
                let status = response.status();
                match tokio::time::timeout(
                    Duration::from_secs(5),
                    field_state(&client, &url, user, record, field),
                )
                .await
                {
                    Ok(Some((_, version))) => assert_eq!(
                        usize::try_from(version).unwrap(),
                        outcome.acknowledged.len(),
                        "writer {index}: a refused write ({status}) was stored"
                    ),
                    // The server died while we looked.
                    _ => break,
                }
            }
            // The server is gone: this write is unacknowledged; it may or may not be there.
            Err(_) => {
                outcome.in_flight = Some(value);
                break;
            }
        }
    }
    outcome
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_load_keeps_every_acknowledged_correction_and_no_half_written_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("portal.db");
    let url_of_db = format!("sqlite://{}?mode=rwc", file.display());
    let seeded = command(&url_of_db, &["seed-demo"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(seeded.success(), "seed-demo");

    let (mut child, url) = serve(&url_of_db);
    let megan = signed_in(&url, "Megan Bowen", &file).await;
    // Each field's value before the load: what a writer none of whose corrections was
    // acknowledged must find (SQLite's busy handler is not fair, so one writer can wait out
    // the whole load while the others commit).
    let mut originals = Vec::new();
    for (user, record, field) in WRITERS {
        let (value, _) = field_state(&megan, &url, user, record, field)
            .await
            .expect("the server answers");
        originals.push(value);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let total = Arc::new(AtomicI64::new(0));
    let writers: Vec<_> = (0..WRITERS.len())
        .map(|index| {
            tokio::spawn(write_until_killed(
                megan.clone(),
                url.clone(),
                index,
                Arc::clone(&stop),
                Arc::clone(&total),
            ))
        })
        .collect();
    // Kill once a good number of writes were acknowledged, while every writer is mid-write.
    let deadline = Instant::now() + Duration::from_secs(60);
    while total.load(Ordering::Relaxed) < 24 {
        assert!(Instant::now() < deadline, "the writers made no progress");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().unwrap(); // SIGKILL: no shutdown, no flush, no chance to finish anything.
    child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    let mut outcomes = Vec::new();
    for writer in writers {
        outcomes.push(writer.await.unwrap());
    }
    eprintln!(
        "crash test ({}): {} acknowledged, {} refused under contention, {} in flight at the kill",
        binary().display(),
        outcomes.iter().map(|o| o.acknowledged.len()).sum::<usize>(),
        outcomes.iter().map(|o| o.refused).sum::<usize>(),
        outcomes.iter().filter(|o| o.in_flight.is_some()).count()
    );

    assert_eq!(
        outcomes.iter().map(|o| o.refused).sum::<usize>(),
        0,
        "corrections of different fields never refuse each other"
    );

    let (mut child, url) = serve(&url_of_db);
    // The old session still works: sessions live in the database, not the process.
    let mut committed_total = 0;
    for (index, (user, record, field)) in WRITERS.into_iter().enumerate() {
        let (value, version) = field_state(&megan, &url, user, record, field)
            .await
            .expect("the restarted server answers");
        let outcome = &outcomes[index];
        let acked = outcome.acknowledged.len();
        let version = usize::try_from(version).unwrap();
        let expected = if version == acked {
            outcome.acknowledged.last().or(originals[index].as_ref())
        } else {
            assert_eq!(
                version,
                acked + 1,
                "writer {index}: {acked} acknowledged but version {version} stored"
            );
            outcome.in_flight.as_ref()
        };
        assert_eq!(
            value.as_ref(),
            expected,
            "writer {index}: the stored value is the last committed one, whole"
        );
        committed_total += version;
    }
    let db = sea_orm::Database::connect(format!("sqlite://{}?mode=ro", file.display()))
        .await
        .unwrap();
    {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let corrected = server::entities::audit_event::Entity::find()
            .filter(server::entities::audit_event::Column::Action.eq("field.corrected"))
            .count(&db)
            .await
            .unwrap();
        assert_eq!(
            usize::try_from(corrected).unwrap(),
            committed_total,
            "one audit event per committed correction, and none without one"
        );
    }
    db.close().await.unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let verified = command(&url_of_db, &["verify-audit"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(
        verified.success(),
        "server verify-audit passes after the crash"
    );
}
