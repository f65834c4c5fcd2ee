//! The page for addresses that match no route; answered with HTTP 404.

use crate::i18n::Key;
use crate::locale::use_locale;
use leptos::prelude::*;
use leptos_meta::Title;

/// "Page not found", with a way back.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(http::StatusCode::NOT_FOUND);
    }
    let locale = use_locale();
    view! {
        <Title text=Key::NotFoundTitle.text(locale)/>
        <section class="page page--message">
            <p class="page__code" aria-hidden="true">"404"</p>
            <h1>{Key::NotFoundTitle.text(locale)}</h1>
            <p>{Key::NotFoundText.text(locale)}</p>
            <a class="button" href="/">{Key::BackHome.text(locale)}</a>
        </section>
    }
}
