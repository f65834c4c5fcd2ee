//! Accounts and roles of the tenant (tenant admins only; the server enforces it).

use crate::accounts::{list_accounts, GrantRole, RevokeRole};
use crate::auth::Role;
use crate::components::error_view::ErrorAlert;
use crate::components::toast::toast_on_success;
use crate::i18n::Key;
use crate::locale::use_locale;
use leptos::prelude::*;
use leptos_meta::Title;

/// The accounts page.
#[component]
pub fn AccountsPage() -> impl IntoView {
    let locale = use_locale();
    let grant = ServerAction::<GrantRole>::new();
    let revoke = ServerAction::<RevokeRole>::new();
    let accounts = Resource::new(
        move || (grant.version().get(), revoke.version().get()),
        |_| list_accounts(),
    );
    toast_on_success(grant);
    toast_on_success(revoke);
    let action_error = move || {
        grant
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| revoke.value().get().and_then(Result::err))
    };
    view! {
        <Title text=Key::AccountsTitle.text(locale)/>
        <section class="page">
            <header class="page__header">
                <h1>{Key::AccountsTitle.text(locale)}</h1>
                <p class="lead">{Key::AccountsIntro.text(locale)}</p>
            </header>
            {move || action_error().map(|error| view! { <ErrorAlert error/> })}
            <Transition fallback=move || view! { <p class="muted">{Key::Loading.text(locale)}</p> }>
                {move || accounts.get().map(|result| match result {
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="card">{Key::NoAccounts.text(locale)}</p> }.into_any(),
                    Ok(list) => {
                        // Said once in words, not only in a tooltip: phones and screen readers
                        // get no tooltip, and the missing revoke button needs its reason.
                        let any_from_provider = list.iter().any(|a| !a.provider_roles.is_empty());
                        view! {
                        {any_from_provider.then(|| view! { <p class="muted" data-testid="provider-roles-hint">{Key::RoleFromProviderHint.text(locale)}</p> })}
                        <div class="table-wrap" tabindex="0">
                            <table class="table" data-testid="accounts-table">
                                <caption>{Key::AccountsTitle.text(locale)}</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">{Key::ColName.text(locale)}</th>
                                        <th scope="col">{Key::ColEmail.text(locale)}</th>
                                        <th scope="col">{Key::ColRoles.text(locale)}</th>
                                        <th scope="col">{Key::Grant.text(locale)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list.into_iter().map(|account| {
                                        let id = account.id;
                                        let missing: Vec<Role> = Role::ALL.into_iter().filter(|r| !account.roles.contains(r)).collect();
                                        view! {
                                            <tr>
                                                <th scope="row">{account.display_name.clone()}</th>
                                                <td>{account.email.clone().unwrap_or_default()}</td>
                                                <td>
                                                    <ul class="role-list">
                                                        {account.roles.iter().map(|&role| {
                                                            let own_admin = account.is_self && role == Role::TenantAdmin;
                                                            let from_provider = account.provider_roles.contains(&role);
                                                            let label = Key::Revoke.format(locale, &[("role", role.label().text(locale))]);
                                                            view! {
                                                                <li>
                                                                    <span class="badge badge--neutral">{role.label().text(locale)}</span>
                                                                    {from_provider.then(|| view! {
                                                                        <span class="muted" title=Key::RoleFromProviderHint.text(locale)>{Key::RoleFromProvider.text(locale)}</span>
                                                                    })}
                                                                    {(!own_admin && !from_provider).then(|| view! {
                                                                        <ActionForm action=revoke attr:class="inline-form">
                                                                            <input type="hidden" name="account_id" value=id.to_string()/>
                                                                            <input type="hidden" name="role" value=role.as_str()/>
                                                                            <button type="submit" class="button button--ghost" aria-label=label.clone()>"×"</button>
                                                                        </ActionForm>
                                                                    })}
                                                                </li>
                                                            }
                                                        }).collect_view()}
                                                    </ul>
                                                </td>
                                                <td>
                                                    {(!missing.is_empty()).then(|| {
                                                        let select_id = format!("grant-{id}");
                                                        view! {
                                                            <ActionForm action=grant attr:class="inline-form">
                                                                <input type="hidden" name="account_id" value=id.to_string()/>
                                                                <label for=select_id.clone() class="visually-hidden">{Key::RoleToGrant.text(locale)}</label>
                                                                <select id=select_id name="role">
                                                                    {missing.iter().map(|r| view! { <option value=r.as_str()>{r.label().text(locale)}</option> }).collect_view()}
                                                                </select>
                                                                <button type="submit" class="button button--secondary">{Key::Grant.text(locale)}</button>
                                                            </ActionForm>
                                                        }
                                                    })}
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}
