//! Privacy Portal's user interface: pages, components, server-function declarations and the
//! translation catalogue, compiled twice: with `ssr` into the server (which renders pages and
//! runs server functions) and with `hydrate` into the browser bundle (which takes over the
//! server-rendered page). Nothing here touches the database or the network directly; server
//! functions reach the server through the ports in [`services`].

// Built without `erase_components` (as `cargo leptos build --release` does), the nested view
// types of the larger pages need more than the default 128 levels to lay out.
#![recursion_limit = "256"]

pub mod access_log;
pub mod accounts;
pub mod api_tokens;
pub mod audit_log;
pub mod auth;
pub mod components;
pub mod dashboard;
pub mod directory;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod jobs;
pub mod locale;
pub mod pages;
pub mod personal_data;
pub mod requests;
#[cfg(feature = "ssr")]
pub mod services;
pub mod sharing;
pub mod status;
pub mod time;

use components::layout::Layout;
use i18n::Key;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Html, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use leptos_router::SsrMode;
use pages::api_tokens::ApiTokensPage;
use pages::directory::DirectoryPage;
use pages::user::UserPage;
use pages::{
    accounts::AccountsPage, error::ErrorPage, home::HomePage, not_found::NotFoundPage,
    sign_in::SignInPage,
};

/// File name (without extension) of the browser bundle and stylesheet under `/pkg`.
pub const OUTPUT_NAME: &str = "privacy-portal";

/// The HTML document around the application, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                // In the document the server writes, not in the app: its name is the build's
                // (hashed, from hash.txt), which the browser bundle does not know.
                <HashedStylesheet options=options.clone() id="leptos"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The application: routes inside the common layout.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let locale = locale::provide_locale();
    // The render time travels in `<html data-now>` so the browser hydrates relative dates
    // ("3 days ago") with the same instant the server used.
    let now = components::time::provide_now();

    view! {
        <Html {..} lang=locale.code() data-now=now.get_untracked().to_string()/>
        <Title formatter=move |page: String| {
            if page.is_empty() {
                Key::AppName.text(locale).to_owned()
            } else {
                format!("{page} · {}", Key::AppName.text(locale))
            }
        }/>
        <Router>
            <Layout>
                <ErrorBoundary fallback=|_errors| view! { <ErrorPage/> }>
                    // Every page is rendered whole before it is sent (`SsrMode::Async`): with
                    // the default out-of-order streaming, data that is not ready at the first
                    // flush arrives later in <template>s that only the browser bundle moves into
                    // place, so a browser without JavaScript saw a page without it (signed out,
                    // no rows) whenever the server was busy.
                    <Routes fallback=NotFoundPage>
                        <Route path=path!("") view=HomePage ssr=SsrMode::Async/>
                        <Route path=path!("sign-in") view=SignInPage ssr=SsrMode::Async/>
                        <Route path=path!("admin/accounts") view=AccountsPage ssr=SsrMode::Async/>
                        <Route path=path!("admin/api-tokens") view=ApiTokensPage ssr=SsrMode::Async/>
                        <Route path=path!("users") view=DirectoryPage ssr=SsrMode::Async/>
                        <Route path=path!("sharing") view=pages::sharing::SharingPage ssr=SsrMode::Async/>
                        <Route path=path!("dashboard") view=pages::dashboard::DashboardPage ssr=SsrMode::Async/>
                        <Route path=path!("users/:id") view=UserPage ssr=SsrMode::Async/>
                        <Route path=path!("me") view=pages::my_data::MyDataPage ssr=SsrMode::Async/>
                        <Route path=path!("me/api-tokens") view=pages::api_tokens::MyApiTokensPage ssr=SsrMode::Async/>
                        <Route path=path!("me/requests") view=pages::requests::MyRequestsPage ssr=SsrMode::Async/>
                        <Route path=path!("review") view=pages::review::ReviewQueuePage ssr=SsrMode::Async/>
                        <Route path=path!("review/:id") view=pages::review::ReviewRequestPage ssr=SsrMode::Async/>
                        <Route path=path!("notifications") view=pages::notifications::NotificationsPage ssr=SsrMode::Async/>
                        <Route path=path!("audit-log") view=pages::audit_log::AuditLogPage ssr=SsrMode::Async/>
                        <Route path=path!("jobs") view=pages::jobs::JobsPage ssr=SsrMode::Async/>
                    </Routes>
                </ErrorBoundary>
            </Layout>
        </Router>
    }
}

/// Entry point of the browser bundle: takes over the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
