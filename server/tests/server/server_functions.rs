//! Server functions answer over HTTP the way the browser bundle calls them.

use crate::helpers::on_both_databases;
use app::status::StatusReport;

on_both_databases! {
    async fn the_status_server_function_reports_the_database_and_its_migrations(app) {
        let response = app
            .client
            .post(app.url("/api/status"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let report: StatusReport = response.json().await.unwrap();
        assert!(["SQLite", "PostgreSQL"].contains(&report.backend.as_str()), "{report:?}");
        assert_eq!(
            report.migrations_applied as usize,
            <migration::Migrator as migration::MigratorTrait>::migrations().len()
        );
    }
}
