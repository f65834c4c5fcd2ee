//! The frame of every page: skip link, header with navigation and language switch, main
//! region, footer.

use crate::i18n::{Key, Locale};
use crate::locale::{use_locale, SetLocale};
use leptos::prelude::*;
use leptos_router::components::A;

/// Wraps a page in the portal's header, navigation and footer.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let locale = use_locale();
    let main_ref = NodeRef::<leptos::html::Main>::new();
    // The router would treat "#main" as a navigation and leave focus where it was; keyboard
    // users need focus inside the content, so the click moves it there explicitly.
    let skip_to_main = move |ev: leptos::ev::MouseEvent| {
        if let Some(main) = main_ref.get() {
            ev.prevent_default();
            let _focus_is_best_effort = main.focus();
        }
    };
    view! {
        <a class="skip-link" href="#main" on:click=skip_to_main>
            {Key::SkipToContent.text(locale)}
        </a>
        <header class="site-header">
            <div class="site-header__inner">
                <a class="brand" href="/">
                    <span class="brand__mark" aria-hidden="true">"PP"</span>
                    <span class="brand__name">{Key::AppName.text(locale)}</span>
                </a>
                <nav class="site-nav" aria-label=Key::NavMain.text(locale)>
                    <A href="/">{Key::NavHome.text(locale)}</A>
                </nav>
                <div class="site-header__tools">
                    <LanguageSwitch/>
                    <a class="button button--secondary" href="/sign-in">
                        {Key::NavSignIn.text(locale)}
                    </a>
                </div>
            </div>
        </header>
        <main id="main" class="site-main" tabindex="-1" node_ref=main_ref>
            {children()}
        </main>
        <footer class="site-footer">
            <p>{Key::FooterText.text(locale)}</p>
        </footer>
    }
}

/// A small form that posts the chosen language; works without the browser bundle.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let locale = use_locale();
    let action = <SetLocale as leptos::server_fn::ServerFn>::url();
    view! {
        <form class="language-switch" method="post" action=action>
            <label for="language-select" class="visually-hidden">
                {Key::LanguageLabel.text(locale)}
            </label>
            <select id="language-select" name="lang">
                {Locale::ALL
                    .into_iter()
                    .map(|l| {
                        view! {
                            <option value=l.code() selected=l == locale lang=l.code()>
                                {l.endonym()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <button type="submit" class="button button--ghost">
                {Key::LanguageApply.text(locale)}
            </button>
        </form>
    }
}
