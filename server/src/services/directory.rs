//! The user directory behind the admin's search page.
//! (Skeleton: filled in by the directory work of issue 5.)

use app::auth::Principal;
use app::directory::{DirectoryPage, DirectoryPort};
use app::error::AppError;
use app::services::BoxFuture;
use sea_orm::DatabaseConnection;

pub struct DirectoryService {
    pub db: DatabaseConnection,
}

impl DirectoryPort for DirectoryService {
    fn search<'a>(&'a self, _principal: &'a Principal, _query: &'a str) -> BoxFuture<'a, Result<DirectoryPage, AppError>> {
        Box::pin(async move { Ok(DirectoryPage { rows: vec![], next: None }) })
    }
}
