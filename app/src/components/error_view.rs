//! How a failed server call is shown inside a page: an alert with a translated message.

use crate::error::AppError;
use crate::locale::use_locale;
use leptos::prelude::*;

/// An inline, announced error message for a failed action.
#[component]
pub fn ErrorAlert(error: AppError) -> impl IntoView {
    let locale = use_locale();
    view! {
        <div class="alert alert--error" role="alert">
            {error.message(locale)}
        </div>
    }
}
