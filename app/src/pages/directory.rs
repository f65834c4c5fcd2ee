//! The user directory (tenant admins only; the server enforces it): search as you type,
//! filters, sort, and keyset pages, with the whole state in the query string.
//!
//! The search form is a plain `GET /users` form, so it works before (or without) the browser
//! bundle. Once hydrated, submitting it (and typing, after a short pause) navigates on the
//! client instead, to the same address a link to that state would have.

use crate::components::error_view::ErrorAlert;
use crate::directory::{
    directory_recipients, search_directory, DirectoryPage as Page, DirectoryParams, DirectoryRow,
    DirectorySort,
};
use crate::domain::enums::{Ownership, Platform};
use crate::error::AppError;
use crate::i18n::{Key, Locale};
use crate::locale::use_locale;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use std::time::Duration;

/// How long typing must pause before the results follow.
const SEARCH_DEBOUNCE: Duration = Duration::from_millis(250);

/// The directory page.
#[component]
pub fn DirectoryPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let params = Memo::new(move |_| query.with(|map| DirectoryParams::read(|name| map.get(name))));
    let results = Resource::new(
        move || params.get(),
        |p| {
            search_directory(
                p.q,
                p.platform,
                p.ownership,
                p.open,
                p.recipient,
                p.sort,
                p.after,
            )
        },
    );
    // Read with `try_get`: under streaming SSR the Transition can still render these
    // attributes after the page's owner is gone (leptos-rs/leptos#3595), and a plain `get`
    // would turn that race into a 500.
    let (pending, set_pending) = signal(false);
    let busy = move || pending.try_get().unwrap_or(false);

    view! {
        <Title text=Key::DirectoryTitle.text(locale)/>
        <section class="page">
            <header class="page__header">
                <h1>{Key::DirectoryTitle.text(locale)}</h1>
                <p class="lead">{Key::DirectoryIntro.text(locale)}</p>
            </header>
            <SearchForm params/>
            <section class="directory-results" aria-busy=move || busy().to_string()>
                <p class="muted directory-results__loading" aria-hidden="true">
                    {move || busy().then(|| Key::Loading.text(locale))}
                </p>
                <Transition
                    fallback=move || view! { <p class="muted">{Key::Loading.text(locale)}</p> }
                    set_pending
                >
                    {move || {
                        results
                            .get()
                            .map(|result| match result {
                                Err(error) => {
                                    view! { <ErrorAlert error=labelled(error, locale)/> }.into_any()
                                }
                                Ok(page) => view! { <Results page params=params.get_untracked()/> }.into_any(),
                            })
                    }}
                </Transition>
            </section>
        </section>
    }
}

/// The search box, filters and sort: a GET form that navigates on the client once hydrated.
#[component]
fn SearchForm(params: Memo<DirectoryParams>) -> impl IntoView {
    let locale = use_locale();
    let form = NodeRef::<leptos::html::Form>::new();
    let navigate = use_navigate();
    let recipients = Resource::new(|| (), |_| directory_recipients());
    let waiting = StoredValue::new(None::<TimeoutHandle>);
    let cancel_wait = move || {
        if let Some(handle) = waiting.get_value() {
            handle.clear();
        }
        waiting.set_value(None);
    };
    // Reads the form and goes to the address of its state, replacing the history entry so
    // that typing does not fill the back button with every prefix.
    let go = move || {
        cancel_wait();
        let Some(element) = form.get_untracked() else {
            return;
        };
        let Ok(data) = leptos::web_sys::FormData::new_with_form(&element) else {
            return;
        };
        let state = DirectoryParams::read(|name| data.get(name).as_string());
        let state = DirectoryParams {
            // The default order needs no parameter.
            sort: state.sort.filter(|s| s != DirectorySort::Name.as_str()),
            ..state
        };
        navigate(
            &state.href(),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..NavigateOptions::default()
            },
        );
    };
    let on_submit = {
        let go = go.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            go();
        }
    };
    let on_type = {
        let go = go.clone();
        move |_| {
            cancel_wait();
            let handle = set_timeout_with_handle(go.clone(), SEARCH_DEBOUNCE).ok();
            waiting.set_value(handle);
        }
    };
    let on_pick = move |_| go();
    let text = move || params.with(|p| p.q.clone().unwrap_or_default());
    let chosen = move |pick: fn(&DirectoryParams) -> Option<String>| {
        move || params.with(|p| pick(p).unwrap_or_default())
    };
    let platform = chosen(|p| p.platform.clone());
    let ownership = chosen(|p| p.ownership.clone());
    let recipient = chosen(|p| p.recipient.clone());
    let sort = chosen(|p| {
        p.sort
            .clone()
            .or_else(|| Some(DirectorySort::Name.as_str().into()))
    });
    let open = move || params.with(DirectoryParams::open_only);

    view! {
        <form
            class="card directory-search"
            method="get"
            action="/users"
            role="search"
            node_ref=form
            on:submit=on_submit
        >
            <div class="field directory-search__query">
                <label for="directory-q">{Key::DirectorySearchLabel.text(locale)}</label>
                <p class="field__hint" id="directory-q-hint">{Key::DirectorySearchHint.text(locale)}</p>
                <div class="directory-search__row">
                    <input
                        type="search"
                        id="directory-q"
                        name="q"
                        autocomplete="off"
                        spellcheck="false"
                        aria-describedby="directory-q-hint"
                        value=text
                        prop:value=text
                        on:input=on_type
                    />
                    <button type="submit" class="button">{Key::DirectorySearchButton.text(locale)}</button>
                </div>
            </div>
            <fieldset class="directory-search__filters">
                <legend>{Key::DirectoryFilters.text(locale)}</legend>
                <div class="field">
                    <label for="directory-platform">{Key::DirectoryPlatform.text(locale)}</label>
                    <select id="directory-platform" name="platform" prop:value=platform on:change=on_pick.clone()>
                        <option value="" selected=move || platform().is_empty()>{Key::DirectoryAny.text(locale)}</option>
                        {Platform::ALL
                            .iter()
                            .map(|&p| {
                                view! {
                                    <option value=p.as_str() selected=move || platform() == p.as_str()>
                                        {p.label().text(locale)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="directory-ownership">{Key::DirectoryOwnership.text(locale)}</label>
                    <select id="directory-ownership" name="ownership" prop:value=ownership on:change=on_pick.clone()>
                        <option value="" selected=move || ownership().is_empty()>{Key::DirectoryAny.text(locale)}</option>
                        {Ownership::ALL
                            .iter()
                            .map(|&o| {
                                view! {
                                    <option value=o.as_str() selected=move || ownership() == o.as_str()>
                                        {o.label().text(locale)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="directory-recipient">{Key::DirectoryRecipient.text(locale)}</label>
                    <select id="directory-recipient" name="recipient" prop:value=recipient on:change=on_pick.clone()>
                        <option value="" selected=move || recipient().is_empty()>{Key::DirectoryAny.text(locale)}</option>
                        <Transition fallback=|| ()>
                            {move || {
                                recipients
                                    .get()
                                    .and_then(Result::ok)
                                    .unwrap_or_default()
                                    .into_iter()
                                    .map(|r| {
                                        let id = r.id.clone();
                                        view! {
                                            <option value=r.id selected=move || recipient() == id>{r.name}</option>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </Transition>
                    </select>
                </div>
                <div class="field">
                    <label for="directory-sort">{Key::DirectorySort.text(locale)}</label>
                    <select id="directory-sort" name="sort" prop:value=sort on:change=on_pick.clone()>
                        {DirectorySort::ALL
                            .iter()
                            .map(|&s| {
                                view! {
                                    <option value=s.as_str() selected=move || sort() == s.as_str()>
                                        {s.label().text(locale)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field directory-search__check">
                    <input
                        type="checkbox"
                        id="directory-open"
                        name="open"
                        value="1"
                        checked=open
                        prop:checked=open
                        on:change=on_pick
                    />
                    <label for="directory-open">{Key::DirectoryOpenOnly.text(locale)}</label>
                </div>
            </fieldset>
            <p class="directory-search__clear">
                <A href="/users">{Key::DirectoryClear.text(locale)}</A>
            </p>
        </form>
    }
}

/// A page of results, or why there is none, with its count announced to screen readers.
#[component]
fn Results(page: Page, params: DirectoryParams) -> impl IntoView {
    let locale = use_locale();
    let count = page.rows.len();
    let status = match count {
        1 => Key::DirectoryCountOne.text(locale).to_owned(),
        n => Key::DirectoryCountMany.format(locale, &[("count", &n.to_string())]),
    };
    let status = if page.next.is_some() {
        format!("{status} {}", Key::DirectoryMorePages.text(locale))
    } else {
        status
    };
    // Only the first UPNs and email addresses with this prefix were considered: say so.
    let status = if page.partial {
        format!("{status} {}", Key::DirectoryPartial.text(locale))
    } else {
        status
    };
    let sort = params
        .sort
        .as_deref()
        .and_then(|s| DirectorySort::parse(s).ok())
        .unwrap_or_default();
    let body = if page.rows.is_empty() {
        let message = if params.after.is_some() {
            Key::DirectoryPastEnd.text(locale).to_owned()
        } else if let Some(q) = &params.q {
            Key::DirectoryNoResults.format(locale, &[("query", q)])
        } else if params.is_narrowed() {
            Key::DirectoryNoResultsFiltered.text(locale).to_owned()
        } else {
            Key::DirectoryEmpty.text(locale).to_owned()
        };
        view! { <p class="card" data-testid="directory-empty">{message}</p> }.into_any()
    } else {
        let caption = Key::DirectoryCaption.format(locale, &[("sort", sort.label().text(locale))]);
        view! {
            <div class="table-wrap" tabindex="0">
                <table class="table" data-testid="directory-table">
                    <caption>{caption}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{Key::ColName.text(locale)}</th>
                            <th scope="col">{Key::FieldUpn.text(locale)}</th>
                            <th scope="col">{Key::FieldEmail.text(locale)}</th>
                            <th scope="col">{Key::FieldDepartment.text(locale)}</th>
                            <th scope="col" class="num">{Key::DirectoryColDevices.text(locale)}</th>
                            <th scope="col" class="num">{Key::DirectoryColOpenRequests.text(locale)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {page.rows.into_iter().map(|row| view! { <Row row/> }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    let first = params.after.is_some().then(|| params.first_page().href());
    let next = page
        .next
        .as_deref()
        .map(|cursor| params.page_after(cursor).href());
    view! {
        <p role="status" class="directory-results__count" data-testid="directory-count">{status}</p>
        {body}
        {(first.is_some() || next.is_some()).then(|| view! {
            <nav class="directory-pages" aria-label=Key::DirectoryPages.text(locale)>
                {first.map(|href| view! { <A href=href>{Key::DirectoryFirstPage.text(locale)}</A> })}
                {next.map(|href| view! { <A href=href attr:rel="next">{Key::DirectoryNextPage.text(locale)}</A> })}
            </nav>
        })}
    }
}

/// One user: the name leads to their personal data.
#[component]
fn Row(row: DirectoryRow) -> impl IntoView {
    let href = crate::directory::user_href(&row.id);
    view! {
        <tr>
            <th scope="row"><A href=href>{row.display_name}</A></th>
            <td>{row.upn}</td>
            <td>{row.email.unwrap_or_default()}</td>
            <td>{row.department.unwrap_or_default()}</td>
            <td class="num">{row.device_count}</td>
            <td class="num">
                {if row.open_requests > 0 {
                    view! { <span class="badge badge--warning">{row.open_requests}</span> }.into_any()
                } else {
                    view! { <span>"0"</span> }.into_any()
                }}
            </td>
        </tr>
    }
}

/// A refused parameter names its form field; people read the field's label instead.
fn labelled(error: AppError, locale: Locale) -> AppError {
    match error {
        AppError::Invalid { field, message } => {
            let label = match field.as_str() {
                "q" => Key::DirectorySearchLabel,
                "platform" => Key::DirectoryPlatform,
                "ownership" => Key::DirectoryOwnership,
                "recipient" => Key::DirectoryRecipient,
                "open" => Key::DirectoryOpenOnly,
                "sort" => Key::DirectorySort,
                _ => Key::DirectoryPageLink,
            };
            AppError::Invalid {
                field: label.text(locale).into(),
                message,
            }
        }
        other => other,
    }
}
