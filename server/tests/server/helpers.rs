//! Starting the real application against a fresh database, and a client that keeps cookies
//! and does not follow redirects.

use sea_orm::{ConnectionTrait, Database, Statement};
use server::clock::Clock;
use server::config::Config;
use server::startup::Application;
use std::net::SocketAddr;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Runs a test body once per database backend, as `<name>::on_sqlite` and `<name>::on_postgres`.
/// With `demo;` first, the application runs in demo mode with the demo tenants loaded.
macro_rules! on_both_databases {
    (demo; $( $(#[$meta:meta])* async fn $name:ident($app:ident) $body:block )*) => {
        $crate::helpers::on_both_databases!(@tests true; $( $(#[$meta])* async fn $name($app) $body )*);
    };
    ($( $(#[$meta:meta])* async fn $name:ident($app:ident) $body:block )*) => {
        $crate::helpers::on_both_databases!(@tests false; $( $(#[$meta])* async fn $name($app) $body )*);
    };
    // Every test app runs on a multi-thread runtime, as the server does in production: on
    // tokio::test's default single thread, a server-rendered page under load now and then
    // never completed (the request timed out after 30 s; leptos-rs/leptos#4647 reports the
    // same stall on one worker thread).
    (@tests $demo:literal; $( $(#[$meta:meta])* async fn $name:ident($app:ident) $body:block )*) => {
        $(
            $(#[$meta])*
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn on_sqlite() {
                    let $app = $crate::helpers::TestApp::spawn_sqlite_with($demo).await;
                    $body
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn on_postgres() {
                    let Some($app) = $crate::helpers::TestApp::spawn_postgres_with($demo).await else {
                        return;
                    };
                    $body
                }
            }
        )*
    };
}
pub(crate) use on_both_databases;

/// The instant every test starts at unless it chooses one: never today, so no test depends on
/// the day it runs. The clock runs from there at the normal rate.
pub const TEST_START: &str = "2026-06-15T10:00:00Z";

/// The instants the calendar-sensitive tests run at (issue 16): month ends of 31, 28 and 29
/// days, a 30-day month, an ordinary December day and the last minute of a year.
pub const INSTANTS: [&str; 6] = [
    "2027-01-31T12:00:00Z",
    "2027-02-28T12:00:00Z",
    "2028-02-29T12:00:00Z",
    "2027-04-30T12:00:00Z",
    "2026-12-02T12:00:00Z",
    "2026-12-31T23:59:00Z",
];

/// Epoch milliseconds of an RFC 3339 instant written in a test.
pub fn at(instant: &str) -> i64 {
    server::clock::parse_rfc3339(instant).unwrap()
}

/// Runs a test body once per instant of [`INSTANTS`] and per database backend, on a frozen
/// clock set to that instant (the body moves it with `app.clock.advance`), as
/// `<name>::at_<n>::on_sqlite` and `…::on_postgres`; the demo tenants are loaded at the
/// instant. The body reads the instant as `app.clock.now_ms()` and its index in [`INSTANTS`]
/// as its second argument.
macro_rules! at_every_instant {
    (@instant $index:literal, $label:ident) => {
        mod $label {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                let clock = server::clock::Clock::frozen($crate::helpers::at($crate::helpers::INSTANTS[$index]));
                super::body($crate::helpers::TestApp::spawn_sqlite_at(true, clock).await, $index).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                let clock = server::clock::Clock::frozen($crate::helpers::at($crate::helpers::INSTANTS[$index]));
                let Some(app) = $crate::helpers::TestApp::spawn_postgres_at(true, clock).await else {
                    return;
                };
                super::body(app, $index).await;
            }
        }
    };
    ($( $(#[$meta:meta])* async fn $name:ident($app:ident, $instant:ident) $body:block )*) => {
        $(
            $(#[$meta])*
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn body($app: $crate::helpers::TestApp, $instant: usize) $body

                $crate::helpers::at_every_instant!(@instant 0, at_2027_01_31);
                $crate::helpers::at_every_instant!(@instant 1, at_2027_02_28);
                $crate::helpers::at_every_instant!(@instant 2, at_2028_02_29);
                $crate::helpers::at_every_instant!(@instant 3, at_2027_04_30);
                $crate::helpers::at_every_instant!(@instant 4, at_2026_12_02);
                $crate::helpers::at_every_instant!(@instant 5, at_2026_12_31_23_59);
            }
        )*
    };
}
pub(crate) use at_every_instant;

/// A running application and what it needs to be torn down.
pub struct TestApp {
    pub addr: SocketAddr,
    /// A handle on the application's own pool, for arranging and inspecting data.
    pub db: sea_orm::DatabaseConnection,
    pub client: reqwest::Client,
    /// The application's clock: tests read it, and move it when it is a chosen one.
    pub clock: Clock,
    /// The application's job runner, to see when a job's task has ended.
    pub jobs: server::services::jobs::Runner,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
    // Dropped last: the database outlives the server using it.
    _database: TestDatabase,
}

// Each variant is held only for its Drop, which removes the database.
#[allow(dead_code)]
enum TestDatabase {
    Sqlite(tempfile::TempDir),
    Postgres(PostgresDatabase),
    /// A second instance on another test's database, which that test removes.
    Shared,
}

impl TestApp {
    /// Starts the application on a fresh SQLite file.
    pub async fn spawn_sqlite() -> TestApp {
        TestApp::spawn_sqlite_with(false).await
    }

    /// Starts the application on a fresh SQLite file, in demo mode with demo data if `demo`.
    pub async fn spawn_sqlite_with(demo: bool) -> TestApp {
        TestApp::spawn_sqlite_configured(|config| config.demo_mode = demo).await
    }

    /// Starts the application on a fresh SQLite file with a configuration of the test's own;
    /// demo data is loaded when the configuration turns demo mode on.
    pub async fn spawn_sqlite_configured(configure: impl FnOnce(&mut Config)) -> TestApp {
        TestApp::spawn_sqlite_clocked(configure, default_clock()).await
    }

    /// Starts the application on a fresh SQLite file with demo data if `demo`, on `clock`.
    pub async fn spawn_sqlite_at(demo: bool, clock: Clock) -> TestApp {
        TestApp::spawn_sqlite_clocked(|config| config.demo_mode = demo, clock).await
    }

    async fn spawn_sqlite_clocked(configure: impl FnOnce(&mut Config), clock: Clock) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/portal.db?mode=rwc", dir.path().display());
        TestApp::spawn(url, TestDatabase::Sqlite(dir), configure, clock).await
    }

    /// Starts the application on a fresh PostgreSQL database, in demo mode with demo data if
    /// `demo`. Returns `None` (and says so) when PostgreSQL is unreachable outside CI; in CI an
    /// unreachable PostgreSQL fails the test.
    pub async fn spawn_postgres_with(demo: bool) -> Option<TestApp> {
        TestApp::spawn_postgres_at(demo, default_clock()).await
    }

    /// [`TestApp::spawn_postgres_with`] on `clock`.
    pub async fn spawn_postgres_at(demo: bool, clock: Clock) -> Option<TestApp> {
        TestApp::spawn_postgres_clocked(move |config| config.demo_mode = demo, clock).await
    }

    /// Starts the application on a fresh PostgreSQL database with a configuration of the
    /// test's own (`None` as [`TestApp::spawn_postgres_with`]).
    pub async fn spawn_postgres_configured(configure: impl FnOnce(&mut Config)) -> Option<TestApp> {
        TestApp::spawn_postgres_clocked(configure, default_clock()).await
    }

    async fn spawn_postgres_clocked(
        configure: impl FnOnce(&mut Config),
        clock: Clock,
    ) -> Option<TestApp> {
        let database = match PostgresDatabase::create().await {
            Ok(database) => database,
            Err(e) if std::env::var_os("CI").is_none() => {
                eprintln!("PostgreSQL unavailable, test skipped outside CI: {e:#}");
                return None;
            }
            Err(e) => panic!("PostgreSQL is required in CI: {e:#}"),
        };
        let url = database.url.clone();
        Some(TestApp::spawn(url, TestDatabase::Postgres(database), configure, clock).await)
    }

    async fn spawn(
        database_url: String,
        database: TestDatabase,
        configure: impl FnOnce(&mut Config),
        clock: Clock,
    ) -> TestApp {
        let mut config = test_config(database_url);
        configure(&mut config);
        server::telemetry::init(&config);
        let application = Application::build_with_clock(&config, clock.clone())
            .await
            .unwrap();
        if config.demo_mode && !matches!(database, TestDatabase::Shared) {
            server::seed::demo::load(application.db(), clock.now_ms())
                .await
                .unwrap();
        }
        let addr = application.local_addr().unwrap();
        let db = application.db().clone();
        let jobs = application.jobs().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(application.run_until(async move {
            let _ = stopped.await;
        }));
        TestApp {
            addr,
            db,
            client: client(),
            clock,
            jobs,
            stop: Some(stop),
            task: Some(task),
            _database: database,
        }
    }

    /// A new cookie-keeping client signed in as the demo account called `name`.
    pub async fn client_as(&self, name: &str) -> reqwest::Client {
        let client = client();
        self.sign_in(&client, name).await;
        client
    }

    /// Signs `client` in as the demo account called `name`.
    pub async fn sign_in(&self, client: &reqwest::Client, name: &str) {
        let response = client
            .post(self.url("/auth/demo"))
            .form(&[("account", self.account_id(name).await.to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "demo sign-in as {name}");
    }

    /// The id of the account called `name`.
    pub async fn account_id(&self, name: &str) -> i64 {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        server::entities::account::Entity::find()
            .filter(server::entities::account::Column::DisplayName.eq(name))
            .one(&self.db)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no account {name}"))
            .id
    }

    /// Calls a server function with a form body and returns status and JSON.
    pub async fn call(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> (u16, serde_json::Value) {
        let response = client
            .post(self.url(&format!("/api/{endpoint}")))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(serde_json::Value::Null);
        (status, body)
    }

    /// The URL of this application's database (SQLite file or PostgreSQL database).
    pub fn database_url(&self) -> String {
        match &self._database {
            TestDatabase::Sqlite(dir) => {
                format!("sqlite://{}/portal.db?mode=rwc", dir.path().display())
            }
            TestDatabase::Postgres(database) => database.url.clone(),
            TestDatabase::Shared => panic!("ask the first instance"),
        }
    }

    /// The PostgreSQL database's name, to cut it off in an outage test; `None` on SQLite.
    pub fn database_name(&self) -> Option<String> {
        match &self._database {
            TestDatabase::Postgres(database) => Some(database.name.clone()),
            _ => None,
        }
    }

    /// An administrator's URL on the PostgreSQL server holding this application's database.
    pub fn admin_url(&self) -> Option<String> {
        match &self._database {
            TestDatabase::Postgres(database) => Some(database.admin_url.clone()),
            _ => None,
        }
    }

    /// A second instance of the application on this one's database (as behind a load balancer),
    /// with its own pool and its own in-memory state; the first instance owns the database.
    pub async fn spawn_second(&self, demo: bool) -> TestApp {
        TestApp::spawn(
            self.database_url(),
            TestDatabase::Shared,
            |config| {
                // The demo data is already loaded; demo mode is only for the demo sign-in.
                config.demo_mode = demo;
            },
            // One clock, as two instances on one machine would read.
            self.clock.clone(),
        )
        .await
    }

    /// [`TestApp::spawn_second`] with a configuration of the test's own.
    pub async fn spawn_second_configured(&self, configure: impl FnOnce(&mut Config)) -> TestApp {
        TestApp::spawn(
            self.database_url(),
            TestDatabase::Shared,
            configure,
            self.clock.clone(),
        )
        .await
    }

    /// An absolute URL on the running application.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Asks the server to stop and waits until it has.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await?,
            None => Ok(()),
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The clock of a test that does not choose one: running, from [`TEST_START`].
pub fn default_clock() -> Clock {
    Clock::starting_at(at(TEST_START))
}

/// Polls `check` every 20 ms until it holds, failing with `what` after `seconds`.
pub async fn eventually<F, Fut>(seconds: u64, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while !check().await {
        assert!(
            std::time::Instant::now() < deadline,
            "{what} within {seconds} s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Configuration of a test server: port 0, the given database, quiet logs.
pub fn test_config(database_url: String) -> Config {
    Config {
        port: 0,
        database_url,
        database_max_connections: 5,
        log_level: "warn".into(),
        shutdown_grace_seconds: 5,
        // Tests run sharing cycles themselves, when they want them.
        sharing_interval_seconds: 0,
        // Test receivers listen on plain http on loopback, which the outbound policy refuses
        // by default; `outbound.rs` tests a portal without this allowance.
        outbound_allow_networks: vec!["127.0.0.1/32".into()],
        outbound_allow_http: true,
        ..Config::default()
    }
}

/// A client that keeps cookies and never follows redirects, so tests see each answer. A request
/// that gets no answer within a minute fails its test instead of holding the suite forever.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap()
}

/// A PostgreSQL database created for one test and dropped (even after a panic) when done.
struct PostgresDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PostgresDatabase {
    async fn create() -> anyhow::Result<PostgresDatabase> {
        let admin_url = std::env::var("TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("portal_test_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(&admin_url).await?;
        admin
            .execute(Statement::from_string(
                admin.get_database_backend(),
                format!("CREATE DATABASE {name}"),
            ))
            .await?;
        admin.close().await?;
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url.as_str(), |(base, _)| base);
        let url = format!("{base}/{name}");
        Ok(PostgresDatabase {
            admin_url,
            name,
            url,
        })
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime, which cannot be blocked on; a short-lived
        // runtime on its own thread does the clean-up.
        let dropped = std::thread::spawn(move || -> anyhow::Result<()> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let admin = Database::connect(&admin_url).await?;
                admin
                    .execute(Statement::from_string(
                        admin.get_database_backend(),
                        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    ))
                    .await?;
                admin.close().await?;
                Ok(())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}

/// Imports `records` (Graph users and devices, one JSON object each) into `tenant`, as the
/// directory's or Intune's export would bring them, and returns the report.
pub async fn import_records(
    app: &TestApp,
    tenant: &str,
    records: &[serde_json::Value],
) -> server::services::import::ImportReport {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.jsonl");
    let mut text: String = records.iter().map(|r| format!("{r}\n")).collect();
    if text.is_empty() {
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    server::services::import::import_file(&app.db, tenant, &path, 1000, &app.clock)
        .await
        .unwrap()
}

/// A Graph user record with the fields the import reads.
pub fn graph_user(id: &str, upn: &str, name: &str) -> serde_json::Value {
    serde_json::json!({
        "@odata.type": "#microsoft.graph.user",
        "id": id,
        "userPrincipalName": upn,
        "displayName": name,
        "mail": upn,
        "mobilePhone": null,
        "businessPhones": [],
        "department": "Finance",
        "jobTitle": null
    })
}
