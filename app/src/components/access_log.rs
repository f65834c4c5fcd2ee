//! "Who looked at this data": the access log of one person, on the person page and the audit log
//! for staff (with readers' names), and on the subject's own page (with the kind of reader).
//! Older entries load below with a button, page by page.

use crate::access_log::{get_access_log, get_my_access_log, AccessEntry, AccessPage};
use crate::components::error_view::ErrorAlert;
use crate::components::time::Time;
use crate::domain::states::ReaderKind;
use crate::error::AppError;
use crate::i18n::Key;
use crate::locale::use_locale;
use leptos::prelude::*;

/// Whose access log to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Whose {
    /// A person of the tenant, by directory id or UPN (staff).
    Person(String),
    /// The signed-in end user's own.
    Mine,
}

async fn page_of(whose: Whose, before: Option<i64>) -> Result<AccessPage, AppError> {
    match whose {
        Whose::Person(user_id) => get_access_log(user_id, before).await,
        Whose::Mine => get_my_access_log(before).await,
    }
}

/// The access log as a section with its own heading.
#[component]
pub fn AccessLog(whose: Whose) -> impl IntoView {
    let locale = use_locale();
    let mine = whose == Whose::Mine;
    let (title, intro) = if mine {
        (Key::AccessMineTitle, Key::AccessMineIntro)
    } else {
        (Key::AccessTitle, Key::AccessIntro)
    };
    // The cursor of the page being asked for; loaded pages accumulate below the first.
    let before = RwSignal::new(None::<i64>);
    let shown = RwSignal::new(Vec::<AccessEntry>::new());
    let next = RwSignal::new(None::<i64>);
    let asked = whose.clone();
    let page = Resource::new(
        move || before.get(),
        move |cursor| page_of(asked.clone(), cursor),
    );
    Effect::new(move |_| {
        if let Some(Ok(loaded)) = page.get() {
            shown.update(|entries| {
                if before.get_untracked().is_none() {
                    entries.clear();
                }
                entries.extend(loaded.entries.iter().cloned());
            });
            next.set(loaded.next);
        }
    });
    view! {
        <section aria-labelledby="access-title" data-testid="access-log">
            <h2 id="access-title">{title.text(locale)}</h2>
            <p class="muted">{intro.text(locale)}</p>
            <Transition fallback=move || view! { <p class="muted">{Key::Loading.text(locale)}</p> }>
                {move || page.get().map(|result| match result {
                    // No such person (a filter that names nobody): nothing to show, no alarm.
                    Err(AppError::NotFound) => view! { <p class="muted">{Key::AccessNoPerson.text(locale)}</p> }.into_any(),
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    Ok(first) => {
                        // Rendered from the resource on the server, from the accumulated
                        // pages once more were loaded in the browser.
                        let entries = if before.get().is_none() { first.entries } else { shown.get() };
                        view! { <Entries entries mine/> }.into_any()
                    }
                })}
            </Transition>
            {move || next.get().map(|cursor| view! {
                <button type="button" class="button button--secondary" on:click=move |_| before.set(Some(cursor))>
                    {Key::AccessOlder.text(locale)}
                </button>
            })}
        </section>
    }
}

#[component]
fn Entries(entries: Vec<AccessEntry>, mine: bool) -> impl IntoView {
    let locale = use_locale();
    if entries.is_empty() {
        let empty = if mine {
            Key::AccessMineEmpty
        } else {
            Key::AccessEmpty
        };
        return view! { <p class="muted">{empty.text(locale)}</p> }.into_any();
    }
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table">
                <caption class="visually-hidden">{Key::AccessTitle.text(locale)}</caption>
                <thead><tr>
                    <th scope="col">{Key::ColWhen.text(locale)}</th>
                    <th scope="col">{Key::AccessColReader.text(locale)}</th>
                    <th scope="col">{Key::AccessColView.text(locale)}</th>
                </tr></thead>
                <tbody>
                    {entries.into_iter().map(|entry| {
                        let reader = match &entry.reader {
                            // A token's name is free text: say that a token read, not who it names.
                            Some(name) if entry.reader_kind == ReaderKind::Token => {
                                Key::AccessReaderToken.format(locale, &[("name", name.as_str())])
                            }
                            Some(name) => name.clone(),
                            None => entry.view.reader(entry.reader_kind).text(locale).to_owned(),
                        };
                        view! {
                            <tr>
                                <td><Time ms=entry.at/></td>
                                <th scope="row">{reader}</th>
                                <td>{entry.view.label().text(locale)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
