//! The migration list applies cleanly, is idempotent and can be rolled back, on SQLite.
//! PostgreSQL runs the same list in the server's integration tests.

use migration::{Migrator, MigratorTrait};
use sea_orm_migration::sea_orm::Database;

#[tokio::test]
async fn every_migration_applies_and_rolls_back_on_an_empty_sqlite_database(
) -> Result<(), Box<dyn std::error::Error>> {
    let db = Database::connect("sqlite::memory:").await?;
    Migrator::up(&db, None).await?;
    assert!(Migrator::get_pending_migrations(&db).await?.is_empty());
    // Running again is a no-op, as it is at every start-up.
    Migrator::up(&db, None).await?;
    Migrator::down(&db, None).await?;
    assert_eq!(
        Migrator::get_pending_migrations(&db).await?.len(),
        Migrator::migrations().len()
    );
    Ok(())
}
