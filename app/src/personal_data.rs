//! One user's personal data as the admin page shows it, and its correction.
//! (Skeleton: filled in by the personal-data work of issue 5.)

use crate::error::AppError;

/// What the personal-data page asks of the server.
#[cfg(feature = "ssr")]
pub trait PersonalDataPort: Send + Sync {
    /// Placeholder until the page lands.
    fn ping(&self) -> crate::services::BoxFuture<'_, Result<(), AppError>>;
}
