//! The frame of every page: demo banner, skip link, header with navigation, the signed-in
//! person and the language switch, main region, footer.

use crate::auth::{get_session_info, Role, SessionInfo};
use crate::components::toast::{provide_toaster, ToastRegion};
use crate::i18n::{Key, Locale};
use crate::locale::{use_locale, SetLocale};
use leptos::prelude::*;
use leptos_router::components::A;

/// The session as the layout loaded it, shared with pages through context.
pub type SessionResource = Resource<Result<SessionInfo, crate::error::AppError>>;

/// Wraps a page in the portal's header, navigation and footer.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let locale = use_locale();
    let session: SessionResource = Resource::new(|| (), |_| get_session_info());
    provide_context(session);
    let toaster = provide_toaster();
    let main_ref = NodeRef::<leptos::html::Main>::new();
    // The router would treat "#main" as a navigation and leave focus where it was; keyboard
    // users need focus inside the content, so the click moves it there explicitly.
    let skip_to_main = move |ev: leptos::ev::MouseEvent| {
        if let Some(main) = main_ref.get() {
            ev.prevent_default();
            let _focus_is_best_effort = main.focus();
        }
    };
    // Every part of the frame awaits the session inside `Suspend` instead of reading it with
    // `get`: five Transitions reading one Resource reactively can leave a streamed page unfinished
    // for good under SSR (leptos-rs/leptos#4578, seen here as a home page that never completed);
    // awaiting the Resource as a future cannot lose its wake-up.
    let info = move || async move { session.await.ok() };
    view! {
        <a class="skip-link" href="#main" on:click=skip_to_main>
            {Key::SkipToContent.text(locale)}
        </a>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                info().await
                    .filter(|i| i.demo_mode)
                    .map(|_| {
                        view! {
                            <div class="banner banner--demo" role="status" data-testid="demo-banner">
                                {Key::DemoBanner.text(locale)}
                            </div>
                        }
                    })
            })}
        </Transition>
        <header class="site-header">
            <div class="site-header__inner">
                <a class="brand" href="/">
                    <span class="brand__mark" aria-hidden="true">"PP"</span>
                    <span class="brand__name">{Key::AppName.text(locale)}</span>
                </a>
                <nav class="site-nav" aria-label=Key::NavMain.text(locale)>
                    <A href="/">{Key::NavHome.text(locale)}</A>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            info().await
                                .and_then(|i| i.user)
                                .filter(|u| u.roles.contains(&Role::TenantAdmin))
                                .map(|_| view! {
                                    <A href="/dashboard">{Key::NavDashboard.text(locale)}</A>
                                    <A href="/users">{Key::NavDirectory.text(locale)}</A>
                                    <A href="/admin/accounts">{Key::NavAccounts.text(locale)}</A>
                                    <A href="/admin/api-tokens">{Key::NavApiTokens.text(locale)}</A>
                                    <A href="/jobs">{Key::NavJobs.text(locale)}</A>
                                })
                        })}
                    </Transition>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            info().await
                                .and_then(|i| i.user)
                                .filter(|u| u.roles.contains(&Role::TenantAdmin) || u.roles.contains(&Role::Auditor))
                                .map(|_| view! { <A href="/sharing">{Key::NavSharing.text(locale)}</A> })
                        })}
                    </Transition>
                    // --- requests ---
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            info().await.and_then(|i| i.user).map(|u| {
                                let has = |r: Role| u.roles.contains(&r);
                                view! {
                                    {has(Role::EndUser).then(|| view! {
                                        <A href="/me">{Key::NavMyData.text(locale)}</A>
                                        <A href="/me/requests">{Key::NavMyRequests.text(locale)}</A>
                                        <A href="/me/api-tokens">{Key::NavMyApiTokens.text(locale)}</A>
                                    })}
                                    {(has(Role::SupportReviewer) || has(Role::TenantAdmin)).then(|| view! {
                                        <A href="/review">{Key::NavReview.text(locale)}</A>
                                    })}
                                    {(has(Role::Auditor) || has(Role::TenantAdmin)).then(|| view! {
                                        <A href="/audit-log">{Key::NavAuditLog.text(locale)}</A>
                                    })}
                                    <A href="/notifications">{Key::NavNotifications.text(locale)}</A>
                                }
                            })
                        })}
                    </Transition>
                </nav>
                <div class="site-header__tools">
                    <LanguageSwitch/>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move { info().await.map(|i| view! { <SessionControls info=i/> }) })}
                    </Transition>
                </div>
            </div>
        </header>
        <main id="main" class="site-main" tabindex="-1" node_ref=main_ref>
            {children()}
        </main>
        <ToastRegion toaster/>
        <footer class="site-footer">
            <p>{Key::FooterText.text(locale)}</p>
        </footer>
    }
}

/// The signed-in person and a sign-out button, or a sign-in link.
#[component]
fn SessionControls(info: SessionInfo) -> impl IntoView {
    let locale = use_locale();
    match info.user {
        Some(user) => view! {
            <span class="session-user" data-testid="signed-in-as">
                {Key::SignedInAs.format(locale, &[("name", &user.display_name), ("tenant", &user.tenant_name)])}
            </span>
            // A plain form: sign-out works without the browser bundle and deletes the session
            // on the server.
            <form method="post" action="/auth/sign-out" class="inline-form">
                <input type="hidden" name="csrf" value=user.csrf_token/>
                <button type="submit" class="button button--secondary">{Key::SignOut.text(locale)}</button>
            </form>
        }
        .into_any(),
        None => view! {
            <a class="button button--secondary" href="/sign-in">{Key::NavSignIn.text(locale)}</a>
        }
        .into_any(),
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
