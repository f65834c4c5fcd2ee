//! The sharing page (tenant admins change, auditors read; the server enforces both): every
//! feature with its recipients, exact fields, state and consent; the data-flow matrix; the
//! confirmation step with the impact preview and, where needed, the consent terms; recipients'
//! endpoints; follow-ups owed to recipients; and the disclosure report with its chart.

mod confirm;
mod endpoints;
mod feature;
mod matrix;
mod report;
mod tasks;

use crate::components::error_view::ErrorAlert;
use crate::components::toast::toast_on_success;
use crate::i18n::Key;
use crate::locale::use_locale;
use crate::sharing::{
    get_sharing, CompleteTask, DisableFeature, EnableFeature, RunSharingNow, SetEndpoint,
    SharingOverview,
};
use endpoints::Endpoints;
use feature::FeatureCard;
use leptos::prelude::*;
use leptos_meta::Title;
use matrix::Matrix;
use report::ReportSection;
use tasks::Tasks;

/// The change being confirmed: a feature and whether it is turned on.
type Pending = Option<(String, bool)>;

/// The sharing page.
#[component]
pub fn SharingPage() -> impl IntoView {
    let locale = use_locale();
    let enable = ServerAction::<EnableFeature>::new();
    let disable = ServerAction::<DisableFeature>::new();
    let endpoint = ServerAction::<SetEndpoint>::new();
    let task = ServerAction::<CompleteTask>::new();
    let run = ServerAction::<RunSharingNow>::new();
    let overview = Resource::new(
        move || {
            (
                enable.version().get(),
                disable.version().get(),
                endpoint.version().get(),
                task.version().get(),
                run.version().get(),
            )
        },
        |_| get_sharing(),
    );
    toast_on_success(enable);
    toast_on_success(disable);
    toast_on_success(endpoint);
    toast_on_success(task);
    let pending: RwSignal<Pending> = RwSignal::new(None);
    // A successful change closes the confirmation step.
    Effect::new(move |_| {
        if matches!(enable.value().get(), Some(Ok(())))
            || matches!(disable.value().get(), Some(Ok(())))
        {
            pending.set(None);
        }
    });

    view! {
        <Title text=Key::SharingTitle.text(locale)/>
        <section class="page sharing">
            <header class="page__header">
                <h1>{Key::SharingTitle.text(locale)}</h1>
                <p class="lead">{Key::SharingIntro.text(locale)}</p>
            </header>
            <Transition fallback=move || view! { <p class="muted">{Key::Loading.text(locale)}</p> }>
                {move || overview.get().map(|result| match result {
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    Ok(data) => view! {
                        <Overview data pending enable disable endpoint task run/>
                    }.into_any(),
                })}
            </Transition>
            <ReportSection/>
        </section>
    }
}

#[component]
fn Overview(
    data: SharingOverview,
    pending: RwSignal<Pending>,
    enable: ServerAction<EnableFeature>,
    disable: ServerAction<DisableFeature>,
    endpoint: ServerAction<SetEndpoint>,
    task: ServerAction<CompleteTask>,
    run: ServerAction<RunSharingNow>,
) -> impl IntoView {
    let locale = use_locale();
    let can_manage = data.can_manage;
    let run_result = move || {
        run.value().get().map(|result| match result {
            Ok(s) => view! {
                <p class="alert alert--success" role="status">
                    {Key::SharingRunResult.format(locale, &[
                        ("recorded", &s.recorded.to_string()),
                        ("delivered", &s.delivered.to_string()),
                        ("failed", &s.failed.to_string()),
                        ("follow_ups", &s.follow_ups_sent.to_string()),
                        ("restricted", &s.restricted_fields.to_string()),
                    ])}
                </p>
            }
            .into_any(),
            Err(error) => view! { <ErrorAlert error/> }.into_any(),
        })
    };
    let features = data.features.clone();
    view! {
        {(!can_manage).then(|| view! { <p class="alert alert--info">{Key::SharingReadOnly.text(locale)}</p> })}
        {can_manage.then(|| view! {
            <div class="sharing__toolbar">
                <ActionForm action=run attr:class="inline-form">
                    <button type="submit" class="button button--secondary" data-testid="run-sharing">
                        {Key::SharingRunNow.text(locale)}
                    </button>
                </ActionForm>
                {run_result}
            </div>
        })}
        <h2>{Key::SharingFeaturesTitle.text(locale)}</h2>
        <div class="feature-list">
            {features.into_iter().map(|feature| view! {
                <FeatureCard feature can_manage pending enable disable/>
            }).collect_view()}
        </div>
        <Matrix features=data.features.clone()/>
        <Endpoints data=data.clone() endpoint/>
        <Tasks data task/>
    }
}
