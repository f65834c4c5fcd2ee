//! The sign-in page. Until an OpenID Connect provider is configured it explains that sign-in
//! is not available rather than showing a form that cannot work.

use crate::i18n::Key;
use crate::locale::use_locale;
use leptos::prelude::*;
use leptos_meta::Title;

/// Sign-in entry point.
#[component]
pub fn SignInPage() -> impl IntoView {
    let locale = use_locale();
    view! {
        <Title text=Key::SignInTitle.text(locale)/>
        <section class="page page--narrow">
            <h1>{Key::SignInTitle.text(locale)}</h1>
            <div class="card">
                <p>{Key::SignInNotConfigured.text(locale)}</p>
                <a class="button button--secondary" href="/">{Key::BackHome.text(locale)}</a>
            </div>
        </section>
    }
}
