//! The sign-in page: the organisation's OpenID Connect provider when one is configured, and in
//! demo mode a list of demo identities. A refused sign-in comes back here with a reason code.

use crate::auth::{demo_identities, get_session_info};
use crate::i18n::Key;
use crate::locale::use_locale;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Sign-in entry point.
#[component]
pub fn SignInPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let error = move || {
        query.with(|q| q.get("error")).map(|code| {
            let reason = match code.as_str() {
                "expired" => Key::SignInErrExpired,
                "state" => Key::SignInErrState,
                "token" => Key::SignInErrToken,
                "tenant" => Key::SignInErrTenant,
                "taken" => Key::SignInErrTaken,
                _ => Key::SignInErrProvider,
            };
            Key::SignInFailed.format(locale, &[("reason", reason.text(locale))])
        })
    };
    let return_to = move || {
        query
            .with(|q| q.get("return_to"))
            .unwrap_or_else(|| "/".into())
    };
    let info = Resource::new(|| (), |_| get_session_info());
    let identities = Resource::new(|| (), |_| demo_identities());
    view! {
        <Title text=Key::SignInTitle.text(locale)/>
        <section class="page page--narrow">
            <h1>{Key::SignInTitle.text(locale)}</h1>
            {move || error().map(|message| view! { <div class="alert alert--error" role="alert" data-testid="sign-in-error">{message}</div> })}
            <Suspense fallback=move || view! { <p class="muted">{Key::Loading.text(locale)}</p> }>
                {move || {
                    info.get().and_then(Result::ok).map(|info| {
                        let oidc = info.oidc_enabled.then(|| {
                            let href = format!("/auth/oidc/start?return_to={}", encode(&return_to()));
                            view! {
                                <div class="card">
                                    // `rel="external"`: a server route, not a page; the router must let the browser go there.
                                    <a class="button" href=href rel="external" data-testid="oidc-sign-in">{Key::SignInWithProvider.text(locale)}</a>
                                </div>
                            }
                        });
                        let none = (!info.oidc_enabled && !info.demo_mode)
                            .then(|| view! { <div class="card"><p>{Key::SignInNoMethod.text(locale)}</p></div> });
                        view! { {oidc} {none} }
                    })
                }}
                {move || {
                    identities.get().and_then(Result::ok).filter(|list| !list.is_empty()).map(|list| {
                        view! {
                            <section class="card" aria-labelledby="demo-title">
                                <h2 id="demo-title" class="card__title">{Key::DemoSignInTitle.text(locale)}</h2>
                                <p>{Key::DemoSignInIntro.text(locale)}</p>
                                <ul class="identity-list">
                                    {list.into_iter().map(|identity| {
                                        let roles = identity.roles.iter().map(|r| r.label().text(locale)).collect::<Vec<_>>().join(", ");
                                        let label = Key::DemoSignInAs.format(locale, &[("name", &identity.display_name)]);
                                        view! {
                                            <li>
                                                <form method="post" action="/auth/demo" class="identity">
                                                    <input type="hidden" name="account" value=identity.account_id.to_string()/>
                                                    <input type="hidden" name="return_to" value=return_to()/>
                                                    <button type="submit" class="button button--secondary" aria-label=label.clone()>
                                                        {identity.display_name.clone()}
                                                    </button>
                                                    <span class="identity__meta">{format!("{roles} · {}", identity.tenant_name)}</span>
                                                </form>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            </section>
                        }
                    })
                }}
            </Suspense>
            <p><a href="/">{Key::BackHome.text(locale)}</a></p>
        </section>
    }
}

/// Percent-encodes a path for use in a query string.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
