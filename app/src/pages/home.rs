//! The overview page: what the portal does, and a live check of the system status.

use crate::components::error_view::ErrorAlert;
use crate::i18n::Key;
use crate::locale::use_locale;
use crate::status::{PortalStatus, StatusReport};
use leptos::prelude::*;
use leptos_meta::Title;

/// The landing page.
#[component]
pub fn HomePage() -> impl IntoView {
    let locale = use_locale();
    let features = [
        (Key::HomeFeatureDataTitle, Key::HomeFeatureDataText),
        (Key::HomeFeatureCorrectTitle, Key::HomeFeatureCorrectText),
        (Key::HomeFeatureSharingTitle, Key::HomeFeatureSharingText),
    ];
    view! {
        <Title text=Key::HomeTitle.text(locale)/>
        <section class="page">
            <header class="page__header">
                <h1>{Key::HomeTitle.text(locale)}</h1>
                <p class="lead">{Key::AppTagline.text(locale)}</p>
            </header>
            <p>{Key::HomeIntro.text(locale)}</p>
            <ul class="feature-grid">
                {features
                    .into_iter()
                    .map(|(title, text)| {
                        view! {
                            <li class="card">
                                <h2 class="card__title">{title.text(locale)}</h2>
                                <p>{text.text(locale)}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <StatusCard/>
        </section>
    }
}

/// Calls the status server function on demand and shows the answer.
#[component]
fn StatusCard() -> impl IntoView {
    let locale = use_locale();
    let check = ServerAction::<PortalStatus>::new();
    let pending = check.pending();
    let result = check.value();

    view! {
        <section class="card status-card" aria-labelledby="status-title">
            <h2 id="status-title" class="card__title">{Key::StatusTitle.text(locale)}</h2>
            <p>{Key::StatusIntro.text(locale)}</p>
            <button
                type="button"
                class="button"
                data-testid="status-check"
                disabled=move || pending.get()
                on:click=move |_| {
                    check.dispatch(PortalStatus {});
                }
            >
                {move || {
                    if pending.get() {
                        Key::StatusChecking.text(locale)
                    } else {
                        Key::StatusCheck.text(locale)
                    }
                }}
            </button>
            <div class="status-card__result" aria-live="polite" data-testid="status-result">
                {move || match result.get() {
                    None => view! { <p class="muted">{Key::StatusNotChecked.text(locale)}</p> }.into_any(),
                    Some(Ok(status)) => view! { <p class="alert alert--success">{describe(&status, locale)}</p> }.into_any(),
                    Some(Err(error)) => view! { <ErrorAlert error/> }.into_any(),
                }}
            </div>
        </section>
    }
}

fn describe(status: &StatusReport, locale: crate::i18n::Locale) -> String {
    Key::StatusOk.format(
        locale,
        &[
            ("backend", &status.backend),
            ("migrations", &status.migrations_applied.to_string()),
            ("millis", &status.elapsed_ms.to_string()),
        ],
    )
}
