//! The sign-in page: the organisation's OpenID Connect provider when one is configured, and in
//! demo mode a list of demo identities. A refused sign-in comes back here with a reason code.
//!
//! With several providers the page asks for the work e-mail address (its domain finds the
//! provider and tenant, `/auth/oidc/start?email=…`) and offers a button per provider that needs
//! no tenant first. Both are plain links and a plain GET form: they work without JavaScript.

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
                "choose" => Key::SignInErrChoose,
                "domain" => Key::SignInErrDomain,
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
                        let options = info.sign_in.clone();
                        let several = options.buttons.len() > 1;
                        let oidc = info.oidc_enabled.then(|| {
                            let by_email = options.by_email.then(|| view! {
                                // A plain GET form to a server route: the router leaves it to the browser.
                                <form method="get" action="/auth/oidc/start" data-testid="oidc-email-form">
                                    <input type="hidden" name="return_to" value=return_to()/>
                                    <div class="field">
                                        <label for="sign-in-email">{Key::SignInEmailLabel.text(locale)}</label>
                                        <p id="sign-in-email-hint" class="field__hint">{Key::SignInEmailHint.text(locale)}</p>
                                        <input id="sign-in-email" name="email" type="email" autocomplete="username" required=true
                                            maxlength="254" aria-describedby="sign-in-email-hint"/>
                                    </div>
                                    <button type="submit" class="button">{Key::SignInContinue.text(locale)}</button>
                                </form>
                            });
                            let or = (options.by_email && !options.buttons.is_empty())
                                .then(|| view! { <p class="muted">{Key::SignInOr.text(locale)}</p> });
                            let buttons = options.buttons.iter().map(|button| {
                                let provider = if several { format!("&provider={}", encode(&button.id)) } else { String::new() };
                                let href = format!("/auth/oidc/start?return_to={}{provider}", encode(&return_to()));
                                let text = match &button.label {
                                    Some(name) => Key::SignInWithNamed.format(locale, &[("name", name)]),
                                    None => Key::SignInWithProvider.text(locale).to_owned(),
                                };
                                let testid = if several { format!("oidc-sign-in-{}", button.id) } else { "oidc-sign-in".to_owned() };
                                view! {
                                    // `rel="external"`: a server route, not a page; the router must let the browser go there.
                                    <a class="button" href=href rel="external" data-testid=testid>{text}</a>
                                }
                            }).collect_view();
                            view! {
                                <div class="card">
                                    {by_email}
                                    {or}
                                    <div class="form-actions">{buttons}</div>
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
