//! The page shown when a page fails to render: a generic, translated message with a way back.
//! The cause is logged on the server; nothing of it is shown here.

use crate::i18n::Key;
use crate::locale::use_locale;
use leptos::prelude::*;
use leptos_meta::Title;

/// "Something went wrong", answered with HTTP 500.
#[component]
pub fn ErrorPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(http::StatusCode::INTERNAL_SERVER_ERROR);
    }
    let locale = use_locale();
    view! {
        <Title text=Key::ErrorTitle.text(locale)/>
        <section class="page page--message" role="alert">
            <p class="page__code" aria-hidden="true">"500"</p>
            <h1>{Key::ErrorTitle.text(locale)}</h1>
            <p>{Key::ErrorText.text(locale)}</p>
            <a class="button" href="/">{Key::BackHome.text(locale)}</a>
        </section>
    }
}
