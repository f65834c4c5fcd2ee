//! One user's personal data for the admin page, and corrections.
//! (Skeleton: filled in by the personal-data work of issue 5.)

use app::error::AppError;
use app::personal_data::PersonalDataPort;
use app::services::BoxFuture;
use sea_orm::DatabaseConnection;

pub struct PersonalDataService {
    pub db: DatabaseConnection,
}

impl PersonalDataPort for PersonalDataService {
    fn ping(&self) -> BoxFuture<'_, Result<(), AppError>> {
        Box::pin(async move { Ok(()) })
    }
}
