//! API tokens: the tenant's (tenant admins only; the server enforces it) and an end user's own
//! (`/me/api-tokens`). Create one, see its secret once, list and revoke them. Both pages share
//! the secret's one-time display and the table, so the two cannot drift apart.

use crate::api_tokens::{
    list_api_tokens, list_my_api_tokens, ApiTokenView, CreateApiToken, CreateMyApiToken,
    CreatedToken, RevokeApiToken, TokenState, EXPIRY_CHOICES,
};
use crate::auth::Role;
use crate::components::error_view::ErrorAlert;
use crate::components::time::Time;
use crate::components::toast::toast_on_success;
use crate::error::AppError;
use crate::i18n::Key;
use crate::locale::use_locale;
use leptos::prelude::*;
use leptos_meta::Title;

/// The tenant's API tokens page (admins).
#[component]
pub fn ApiTokensPage() -> impl IntoView {
    let locale = use_locale();
    let create = ServerAction::<CreateApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_api_tokens(),
    );
    let created = Signal::derive(move || create.value().get().and_then(Result::ok));
    let error = Signal::derive(move || {
        create
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| revoke.value().get().and_then(Result::err))
    });
    toast_on_success(create);
    toast_on_success(revoke);
    // End-user tokens are not offered: each end user makes their own (`/me/api-tokens`).
    let staff_roles = Role::ALL.into_iter().filter(|r| *r != Role::EndUser);
    view! {
        <Title text=Key::ApiTokensTitle.text(locale)/>
        <section class="page">
            <header class="page__header">
                <h1>{Key::ApiTokensTitle.text(locale)}</h1>
                <p class="lead">{Key::ApiTokensIntro.text(locale)}</p>
            </header>
            <TokenOutcome created error/>
            <section class="card" aria-labelledby="api-token-new">
                <h2 id="api-token-new">{Key::ApiTokenNew.text(locale)}</h2>
                <ActionForm action=create attr:class="api-token-form">
                    <NameField/>
                    <div class="field">
                        <label for="api-token-role">{Key::ApiTokenRole.text(locale)}</label>
                        <select id="api-token-role" name="role">
                            {staff_roles.map(|r| view! { <option value=r.as_str()>{r.label().text(locale)}</option> }).collect_view()}
                        </select>
                    </div>
                    <ExpiryField/>
                    <p class="form-actions">
                        <button type="submit" class="button">{Key::ApiTokenCreate.text(locale)}</button>
                    </p>
                </ActionForm>
            </section>
            <TokensTable tokens revoke empty=Key::ApiTokensEmpty/>
        </section>
    }
}

/// An end user's own API tokens (`/me/api-tokens`): each acts as them and nobody else.
#[component]
pub fn MyApiTokensPage() -> impl IntoView {
    let locale = use_locale();
    let create = ServerAction::<CreateMyApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_my_api_tokens(),
    );
    let created = Signal::derive(move || create.value().get().and_then(Result::ok));
    let error = Signal::derive(move || {
        create
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| revoke.value().get().and_then(Result::err))
    });
    toast_on_success(create);
    toast_on_success(revoke);
    view! {
        <Title text=Key::NavMyApiTokens.text(locale)/>
        <section class="page">
            <header class="page__header">
                <h1>{Key::NavMyApiTokens.text(locale)}</h1>
                <p class="lead">{Key::MyApiTokensIntro.text(locale)}</p>
            </header>
            <TokenOutcome created error/>
            <section class="card" aria-labelledby="api-token-new">
                <h2 id="api-token-new">{Key::ApiTokenNew.text(locale)}</h2>
                <ActionForm action=create attr:class="api-token-form">
                    <NameField/>
                    <ExpiryField/>
                    <p class="form-actions">
                        <button type="submit" class="button">{Key::ApiTokenCreate.text(locale)}</button>
                    </p>
                </ActionForm>
            </section>
            <TokensTable tokens revoke empty=Key::MyApiTokensEmpty/>
        </section>
    }
}

/// The error of the last action, or the secret of the token just created (shown this once).
#[component]
fn TokenOutcome(
    created: Signal<Option<CreatedToken>>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let locale = use_locale();
    view! {
        {move || error.get().map(|error| view! { <ErrorAlert error/> })}
        {move || created.get().map(|token| view! {
            <div class="alert alert--warning api-token-secret" role="status" data-testid="api-token-secret">
                <p>{Key::ApiTokenCreated.format(locale, &[("name", &token.token.name)])}</p>
                <label for="api-token-secret">{Key::ApiTokenSecretLabel.text(locale)}</label>
                <input id="api-token-secret" class="api-token-secret__value" type="text" readonly value=token.secret/>
            </div>
        })}
    }
}

/// The token's name.
#[component]
fn NameField() -> impl IntoView {
    let locale = use_locale();
    view! {
        <div class="field">
            <label for="api-token-name">{Key::ApiTokenName.text(locale)}</label>
            <input id="api-token-name" name="name" type="text" required maxlength="100" aria-describedby="api-token-name-hint"/>
            <p id="api-token-name-hint" class="muted">{Key::ApiTokenNameHint.text(locale)}</p>
        </div>
    }
}

/// How long the token lives (90 days unless chosen otherwise).
#[component]
fn ExpiryField() -> impl IntoView {
    let locale = use_locale();
    view! {
        <div class="field">
            <label for="api-token-expiry">{Key::ApiTokenExpiry.text(locale)}</label>
            <select id="api-token-expiry" name="expires_in_days">
                {EXPIRY_CHOICES.into_iter().map(|days| {
                    let label = Key::ApiTokenDays.format(locale, &[("days", &days.to_string())]);
                    view! { <option value=days.to_string() selected=days == 90>{label}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// The tokens, each active one with a revoke button that asks for confirmation first.
#[component]
fn TokensTable(
    tokens: Resource<Result<Vec<ApiTokenView>, AppError>>,
    revoke: ServerAction<RevokeApiToken>,
    empty: Key,
) -> impl IntoView {
    let locale = use_locale();
    // The token whose revocation awaits confirmation.
    let confirming = RwSignal::new(None::<i64>);
    view! {
        <Transition fallback=move || view! { <p class="muted">{Key::Loading.text(locale)}</p> }>
            {move || tokens.get().map(|result| match result {
                Err(error) => view! { <ErrorAlert error/> }.into_any(),
                Ok(list) if list.is_empty() => view! { <p class="card">{empty.text(locale)}</p> }.into_any(),
                Ok(list) => view! {
                    <div class="table-wrap" tabindex="0">
                        <table class="table" data-testid="api-tokens-table">
                            <caption>{Key::ApiTokensTitle.text(locale)}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">{Key::ApiTokenName.text(locale)}</th>
                                    <th scope="col">{Key::ApiTokenRole.text(locale)}</th>
                                    <th scope="col">{Key::ColTokenPrefix.text(locale)}</th>
                                    <th scope="col">{Key::ColCreatedBy.text(locale)}</th>
                                    <th scope="col">{Key::ColExpires.text(locale)}</th>
                                    <th scope="col">{Key::ColLastUsed.text(locale)}</th>
                                    <th scope="col">{Key::ColState.text(locale)}</th>
                                    <th scope="col"><span class="visually-hidden">{Key::ApiTokenRevoke.text(locale)}</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|token| view! { <TokenRow token revoke confirming/> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            })}
        </Transition>
    }
}

/// One token of [`TokensTable`].
#[component]
fn TokenRow(
    token: ApiTokenView,
    revoke: ServerAction<RevokeApiToken>,
    confirming: RwSignal<Option<i64>>,
) -> impl IntoView {
    let locale = use_locale();
    let id = token.id;
    let name = token.name.clone();
    let badge = if token.state == TokenState::Active {
        "badge badge--success"
    } else {
        "badge badge--neutral"
    };
    view! {
        <tr>
            <th scope="row">{token.name.clone()}</th>
            <td>
                {token.role.label().text(locale)}
                {token.end_user.clone().map(|upn| view! { <br/><span class="muted small">{upn}</span> })}
            </td>
            <td><code>{token.prefix.clone()}"…"</code></td>
            <td>{token.created_by.clone()}</td>
            <td><Time ms=token.expires_at/></td>
            <td>{token.last_used_at.map_or_else(|| Key::Never.text(locale).into_any(), |ms| view! { <Time ms/> }.into_any())}</td>
            <td><span class=badge>{token.state.label().text(locale)}</span></td>
            <td>
                {(token.state == TokenState::Active).then(|| view! {
                    <Show
                        when=move || confirming.get() == Some(id)
                        fallback=move || view! {
                            <button type="button" class="button button--secondary" on:click=move |_| confirming.set(Some(id))>
                                {Key::ApiTokenRevoke.text(locale)}
                            </button>
                        }
                    >
                        <div class="api-token-confirm" role="alertdialog" aria-label=Key::ApiTokenRevoke.text(locale)>
                            <p>{Key::ApiTokenRevokeConfirm.format(locale, &[("name", &name)])}</p>
                            <ActionForm action=revoke attr:class="inline-form">
                                <input type="hidden" name="token_id" value=id.to_string()/>
                                <button type="submit" class="button button--danger">
                                    {Key::ApiTokenRevokeYes.text(locale)}
                                </button>
                            </ActionForm>
                            <button type="button" class="button button--ghost" on:click=move |_| confirming.set(None)>
                                {Key::ApiTokenCancel.text(locale)}
                            </button>
                        </div>
                    </Show>
                })}
            </td>
        </tr>
    }
}
