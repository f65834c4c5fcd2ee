//! Starting the real application against a fresh database, and a client that keeps cookies
//! and does not follow redirects.

use sea_orm::{ConnectionTrait, Database, Statement};
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
    (@tests $demo:literal; $( $(#[$meta:meta])* async fn $name:ident($app:ident) $body:block )*) => {
        $(
            $(#[$meta])*
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                #[tokio::test]
                async fn on_sqlite() {
                    let $app = $crate::helpers::TestApp::spawn_sqlite_with($demo).await;
                    $body
                }

                #[tokio::test]
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

/// A running application and what it needs to be torn down.
pub struct TestApp {
    pub addr: SocketAddr,
    /// A handle on the application's own pool, for arranging and inspecting data.
    pub db: sea_orm::DatabaseConnection,
    pub client: reqwest::Client,
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
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/portal.db?mode=rwc", dir.path().display());
        TestApp::spawn(url, TestDatabase::Sqlite(dir), configure).await
    }

    /// Starts the application on a fresh PostgreSQL database, in demo mode with demo data if
    /// `demo`. Returns `None` (and says so) when PostgreSQL is unreachable outside CI; in CI an
    /// unreachable PostgreSQL fails the test.
    pub async fn spawn_postgres_with(demo: bool) -> Option<TestApp> {
        let database = match PostgresDatabase::create().await {
            Ok(database) => database,
            Err(e) if std::env::var_os("CI").is_none() => {
                eprintln!("PostgreSQL unavailable, test skipped outside CI: {e:#}");
                return None;
            }
            Err(e) => panic!("PostgreSQL is required in CI: {e:#}"),
        };
        let url = database.url.clone();
        Some(
            TestApp::spawn(url, TestDatabase::Postgres(database), |config| {
                config.demo_mode = demo
            })
            .await,
        )
    }

    async fn spawn(
        database_url: String,
        database: TestDatabase,
        configure: impl FnOnce(&mut Config),
    ) -> TestApp {
        let mut config = test_config(database_url);
        configure(&mut config);
        server::telemetry::init(&config);
        let application = Application::build(&config).await.unwrap();
        if config.demo_mode && !matches!(database, TestDatabase::Shared) {
            server::seed::demo::load(application.db()).await.unwrap();
        }
        let addr = application.local_addr().unwrap();
        let db = application.db().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(application.run_until(async move {
            let _ = stopped.await;
        }));
        TestApp {
            addr,
            db,
            client: client(),
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
        TestApp::spawn(self.database_url(), TestDatabase::Shared, |config| {
            // The demo data is already loaded; demo mode is only for the demo sign-in.
            config.demo_mode = demo;
        })
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
