//! The sharing page (tenant admins change, auditors read; the server enforces both): every
//! feature with its recipients, exact fields, state and consent; the data-flow matrix; the
//! confirmation step with the impact preview and, where needed, the consent terms; recipients'
//! endpoints; follow-ups owed to recipients; and the disclosure report with its chart.

use crate::components::error_view::ErrorAlert;
use crate::components::time::{Time, TimeIn};
use crate::components::toast::toast_on_success;
use crate::i18n::{plural, Key, Locale};
use crate::locale::use_locale;
use crate::sharing::{
    disclosure_report, get_sharing, preview_feature, CompleteTask, DisableFeature, EnableFeature,
    FeatureView, Report, ReportFilter, RunSharingNow, SetEndpoint, SharingOverview,
};
use crate::time::format_date;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Colours of the chart's series; each series also has a dash pattern and a legend row, so
/// colour is never the only way to tell them apart.
const SERIES_COLOURS: [&str; 8] = [
    "#2563eb", "#d97706", "#059669", "#db2777", "#7c3aed", "#0891b2", "#65a30d", "#dc2626",
];
const SERIES_DASHES: [&str; 4] = ["", "6 3", "2 3", "8 3 2 3"];

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

#[component]
fn FeatureCard(
    feature: FeatureView,
    can_manage: bool,
    pending: RwSignal<Pending>,
    enable: ServerAction<EnableFeature>,
    disable: ServerAction<DisableFeature>,
) -> impl IntoView {
    let locale = use_locale();
    let id = feature.id.clone();
    let heading_id = format!("feature-{}", feature.id);
    let state = if feature.enabled {
        view! { <span class="badge badge--success">{Key::SharingOn.text(locale)}</span> }.into_any()
    } else {
        view! { <span class="badge badge--neutral">{Key::SharingOff.text(locale)}</span> }
            .into_any()
    };
    let since = match (&feature.changed_at, &feature.changed_by) {
        (Some(at), Some(by)) => view! {
            <TimeIn key=Key::SharingChangedWhen ms=*at args=vec![("who", by.clone())]/>
        }
        .into_any(),
        _ => Key::SharingNeverOn.text(locale).into_any(),
    };
    let consent_line = match (&feature.consent, feature.needs_consent) {
        (_, false) => Key::SharingNoConsentNeeded.text(locale).into_any(),
        (Some(c), true) => view! {
            <TimeIn key=Key::SharingConsentGiven ms=c.granted_at args=vec![
                ("version", c.terms_version.to_string()),
                ("locale", c.locale.clone()),
                ("who", c.granted_by.clone()),
            ]/>
        }
        .into_any(),
        (None, true) => Key::SharingConsentNeeded.text(locale).into_any(),
    };
    let outdated = feature.consent_outdated.then(|| view! {
        <p class="alert alert--warning">{Key::SharingConsentOutdated.format(locale, &[("version", &feature.terms_version.to_string())])}</p>
    });
    let (on_id, off_id, renew_id) = (id.clone(), id.clone(), id.clone());
    let enabled = feature.enabled;
    let outdated_flag = feature.consent_outdated;
    let confirm_id = id.clone();
    view! {
        <article class="card feature" aria-labelledby=heading_id.clone() data-testid=format!("feature-{id}")>
            <header class="feature__header">
                <h3 id=heading_id.clone()>{feature.name.clone()}</h3>
                {state}
            </header>
            <p class="muted">{since}</p>
            <p><strong>{Key::SharingPurpose.text(locale)}": "</strong>{feature.purpose.clone()}</p>
            <p>{consent_line}</p>
            {outdated}
            <ul class="flow-list">
                {feature.flows.iter().map(|flow| {
                    let heading = if flow.direction == "outbound" {
                        Key::SharingOutbound.format(locale, &[("recipient", &flow.recipient_name)])
                    } else {
                        Key::SharingInbound.format(locale, &[("recipient", &flow.recipient_name)])
                    };
                    let kind = if flow.is_agent {
                        view! { <span class="badge badge--info">{Key::SharingAgent.text(locale)}</span> }.into_any()
                    } else {
                        view! { <span class="badge badge--warning">{Key::SharingThirdParty.text(locale)}</span> }.into_any()
                    };
                    view! {
                        <li class="flow">
                            <p class="flow__heading"><strong>{heading}</strong>" "{kind}</p>
                            <ul class="chips">
                                {flow.fields.iter().map(|field| {
                                    let label = field_label(&field.name, locale);
                                    let note = if !field.covered {
                                        Some(Key::SharingNotCovered.text(locale))
                                    } else if !field.personal_data {
                                        Some(Key::SharingSystemData.text(locale))
                                    } else {
                                        None
                                    };
                                    let class = if field.covered { "chip" } else { "chip chip--warning" };
                                    view! {
                                        <li class=class title=note.unwrap_or_default()>
                                            {label}
                                            {note.map(|n| view! { <span class="visually-hidden">" ("{n}")"</span> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            <p class="muted small">{Key::SharingContract.text(locale)}": "{flow.contract_ref.clone()}</p>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="muted">{plural(locale, feature.disclosures_30d).choose(Key::SharingRecentOne, Key::SharingRecent).format(locale, &[("count", &feature.disclosures_30d.to_string())])}</p>
            {can_manage.then(|| view! {
                <div class="feature__actions">
                    {(!enabled).then(|| view! {
                        <button type="button" class="button button--primary" data-testid="turn-on"
                            id=format!("on-{id}") on:click=move |_| pending.set(Some((on_id.clone(), true)))>
                            {Key::SharingTurnOn.text(locale)}
                        </button>
                    })}
                    {(enabled && outdated_flag).then(|| view! {
                        <button type="button" class="button button--secondary" id=format!("on-{id}")
                            on:click=move |_| pending.set(Some((renew_id.clone(), true)))>
                            {Key::SharingRenew.text(locale)}
                        </button>
                    })}
                    {enabled.then(|| view! {
                        <button type="button" class="button button--danger" data-testid="turn-off"
                            id=format!("off-{id}") on:click=move |_| pending.set(Some((off_id.clone(), false)))>
                            {Key::SharingTurnOff.text(locale)}
                        </button>
                    })}
                </div>
            })}
            {move || pending.get().filter(|(f, _)| *f == confirm_id).map(|(feature_id, on)| view! {
                <Confirm feature_id on pending enable disable/>
            })}
        </article>
    }
}

/// The confirmation step: impact preview, the terms and "I agree" where needed, confirm or
/// cancel. Escape cancels.
#[component]
fn Confirm(
    feature_id: String,
    on: bool,
    pending: RwSignal<Pending>,
    enable: ServerAction<EnableFeature>,
    disable: ServerAction<DisableFeature>,
) -> impl IntoView {
    let locale = use_locale();
    let opener = format!("{}-{}", if on { "on" } else { "off" }, feature_id);
    let preview = Resource::new(
        move || (feature_id.clone(), on),
        |(feature_id, on)| preview_feature(feature_id, on),
    );
    let error = move || {
        let result = if on {
            enable.value().get()
        } else {
            disable.value().get()
        };
        result
            .and_then(Result::err)
            .map(|error| view! { <ErrorAlert error/> })
    };
    // Focus moves into the step when it opens, and back to the button that opened it when it
    // closes, so keyboard users never lose their place.
    let panel = NodeRef::<leptos::html::Section>::new();
    Effect::new(move |_| {
        if let Some(panel) = panel.get() {
            let _focus_is_best_effort = panel.focus();
        }
    });
    let close = move || {
        pending.set(None);
        #[cfg(feature = "hydrate")]
        if let Some(button) = document().get_element_by_id(&opener) {
            use wasm_bindgen::JsCast;
            if let Ok(button) = button.dyn_into::<web_sys::HtmlElement>() {
                let _focus_is_best_effort = button.focus();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &opener;
    };
    let close = Callback::new(move |()| close());
    view! {
        <section class="confirm" role="dialog" aria-modal="false" aria-labelledby="confirm-title"
            data-testid="confirm" tabindex="-1" node_ref=panel
            on:keydown=move |ev| if ev.key() == "Escape" { close.run(()) }>
            <Suspense fallback=move || view! { <p class="muted">{Key::Loading.text(locale)}</p> }>
                {move || preview.get().map(|result| match result {
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    Ok(p) => {
                        let title = if on {
                            Key::SharingPreviewOn.format(locale, &[("feature", &p.feature_name)])
                        } else {
                            Key::SharingPreviewOff.format(locale, &[("feature", &p.feature_name)])
                        };
                        let fields_intro = if on { Key::SharingPreviewStart } else { Key::SharingPreviewStop };
                        let terms = p.terms.clone();
                        let form = if on {
                            view! {
                                <ActionForm action=enable attr:class="confirm__form">
                                    <input type="hidden" name="feature_id" value=p.feature_id.clone()/>
                                    <input type="hidden" name="base_version" value=p.version.to_string()/>
                                    <input type="hidden" name="terms_version" value=terms.as_ref().map_or(0, |t| t.version).to_string()/>
                                    {terms.map(|t| view! {
                                        <h4>{Key::SharingTermsTitle.format(locale, &[("version", &t.version.to_string())])}</h4>
                                        <div class="terms" tabindex="0" data-testid="terms">{t.text}</div>
                                        <div class="field field--checkbox">
                                            <input type="checkbox" id="consent" name="consent" value="on" required=true/>
                                            <label for="consent">{Key::SharingAgree.text(locale)}</label>
                                        </div>
                                    })}
                                    <div class="confirm__buttons">
                                        <button type="submit" class="button button--primary" data-testid="confirm-on">
                                            {Key::SharingConfirmOn.text(locale)}
                                        </button>
                                        <button type="button" class="button button--ghost" on:click=move |_| close.run(())>
                                            {Key::SharingCancel.text(locale)}
                                        </button>
                                    </div>
                                </ActionForm>
                            }.into_any()
                        } else {
                            view! {
                                <p>{Key::SharingOffExplained.text(locale)}</p>
                                <ActionForm action=disable attr:class="confirm__form">
                                    <input type="hidden" name="feature_id" value=p.feature_id.clone()/>
                                    <input type="hidden" name="base_version" value=p.version.to_string()/>
                                    <div class="confirm__buttons">
                                        <button type="submit" class="button button--danger" data-testid="confirm-off">
                                            {Key::SharingConfirmOff.text(locale)}
                                        </button>
                                        <button type="button" class="button button--ghost" on:click=move |_| close.run(())>
                                            {Key::SharingCancel.text(locale)}
                                        </button>
                                    </div>
                                </ActionForm>
                            }.into_any()
                        };
                        view! {
                            <h4 id="confirm-title">{title}</h4>
                            <p data-testid="preview-scope">{Key::SharingPreviewScope.format(locale, &[
                                ("users", &p.users.to_string()),
                                ("devices", &p.devices.to_string()),
                                ("apps", &p.apps.to_string()),
                            ])}</p>
                            <p>{fields_intro.text(locale)}</p>
                            <ul>
                                {p.flows.iter().map(|flow| {
                                    let fields: Vec<String> = flow.fields.iter().map(|f| field_label(f, locale)).collect();
                                    let kind = if flow.is_agent { Key::SharingAgent } else { Key::SharingThirdParty };
                                    view! {
                                        <li><strong>{flow.recipient_name.clone()}</strong>" ("{kind.text(locale)}"): "{fields.join(", ")}</li>
                                    }
                                }).collect_view()}
                            </ul>
                            {form}
                        }.into_any()
                    }
                })}
            </Suspense>
            {error}
        </section>
    }
}

/// The catalogue label of a field, or its stable name for service data.
pub fn field_label(name: &str, locale: Locale) -> String {
    crate::domain::catalogue::FieldId::parse(name).map_or_else(
        |_| name.replace('_', " "),
        |f| f.label().text(locale).to_owned(),
    )
}

/// Features × recipients × fields.
#[component]
fn Matrix(features: Vec<FeatureView>) -> impl IntoView {
    let locale = use_locale();
    // Columns: each feature with each recipient it exchanges data with.
    let mut columns: Vec<(String, String, String)> = Vec::new();
    let mut rows: Vec<String> = Vec::new();
    let mut cells: std::collections::HashMap<(usize, String), (bool, bool)> =
        std::collections::HashMap::new();
    for f in &features {
        for flow in &f.flows {
            let column = match columns
                .iter()
                .position(|(id, r, _)| *id == f.id && *r == flow.recipient_id)
            {
                Some(i) => i,
                None => {
                    columns.push((
                        f.id.clone(),
                        flow.recipient_id.clone(),
                        format!("{} → {}", f.name, flow.recipient_name),
                    ));
                    columns.len() - 1
                }
            };
            for field in &flow.fields {
                if !rows.contains(&field.name) {
                    rows.push(field.name.clone());
                }
                let cell = cells.entry((column, field.name.clone())).or_default();
                if flow.direction == "outbound" {
                    cell.0 = true;
                } else {
                    cell.1 = true;
                }
            }
        }
    }
    // Personal data first, in catalogue order; then service data alphabetically.
    let position = |name: &str| {
        crate::domain::catalogue::FieldId::ALL
            .iter()
            .position(|f| f.as_str() == name)
            .unwrap_or(usize::MAX)
    };
    rows.sort_by(|a, b| position(a).cmp(&position(b)).then(a.cmp(b)));
    view! {
        <section class="matrix" aria-labelledby="matrix-title">
            <h2 id="matrix-title">{Key::SharingMatrixTitle.text(locale)}</h2>
            <p class="muted">{Key::SharingMatrixIntro.text(locale)}</p>
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="matrix-title">
                <table class="table table--matrix" data-testid="matrix">
                    <caption>{Key::SharingMatrixCaption.text(locale)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{Key::ColField.text(locale)}</th>
                            {columns.iter().map(|(_, _, label)| view! { <th scope="col" class="matrix__col">{label.clone()}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {rows.iter().map(|name| view! {
                            <tr>
                                <th scope="row">{field_label(name, locale)}</th>
                                {(0..columns.len()).map(|c| {
                                    let (sent, received) = cells.get(&(c, name.clone())).copied().unwrap_or_default();
                                    let mut text = Vec::new();
                                    if sent { text.push(Key::SharingSent.text(locale)); }
                                    if received { text.push(Key::SharingReceived.text(locale)); }
                                    let symbol = match (sent, received) {
                                        (true, true) => "⇄",
                                        (true, false) => "→",
                                        (false, true) => "←",
                                        _ => "",
                                    };
                                    view! {
                                        <td class="matrix__cell">
                                            <span aria-hidden="true">{symbol}</span>
                                            <span class="visually-hidden">{text.join(", ")}</span>
                                        </td>
                                    }
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn Endpoints(data: SharingOverview, endpoint: ServerAction<SetEndpoint>) -> impl IntoView {
    let locale = use_locale();
    let can_manage = data.can_manage;
    let feedback = move || {
        endpoint
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| view! { <ErrorAlert error/> })
    };
    view! {
        <section aria-labelledby="endpoints-title">
            <h2 id="endpoints-title">{Key::SharingEndpointsTitle.text(locale)}</h2>
            <p class="muted">{Key::SharingEndpointsIntro.text(locale)}</p>
            {feedback}
            <ul class="endpoint-list">
                {data.endpoints.into_iter().map(|e| {
                    let url_id = format!("endpoint-url-{}", e.recipient_id);
                    let secret_id = format!("endpoint-secret-{}", e.recipient_id);
                    let test_id = format!("endpoint-{}", e.recipient_id);
                    let current = e.url.clone().map_or_else(
                        || Key::SharingEndpointNone.text(locale).into_any(),
                        |url| view! { {url}{e.updated_at.map(|ms| view! { " · "<Time ms/> })} }.into_any(),
                    );
                    view! {
                        <li class="card endpoint" data-testid=test_id>
                            <h3>{e.recipient_name.clone()}</h3>
                            <p class="muted">{current}</p>
                            {can_manage.then(|| view! {
                                <ActionForm action=endpoint attr:class="endpoint__form">
                                    <input type="hidden" name="recipient_id" value=e.recipient_id.clone()/>
                                    <div class="field">
                                        <label for=url_id.clone()>{Key::SharingEndpointUrl.text(locale)}</label>
                                        <input id=url_id type="url" name="url" value=e.url.clone().unwrap_or_default()
                                            maxlength="2048" autocomplete="off" inputmode="url"/>
                                        <p class="field__hint">{Key::SharingEndpointRemoveHint.text(locale)}</p>
                                    </div>
                                    <div class="field">
                                        <label for=secret_id.clone()>{Key::SharingEndpointSecret.text(locale)}</label>
                                        <input id=secret_id type="password" name="secret" maxlength="256" autocomplete="new-password"/>
                                    </div>
                                    <button type="submit" class="button button--secondary">{Key::SharingEndpointSave.text(locale)}</button>
                                </ActionForm>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

fn task_status(status: &str) -> (Key, &'static str) {
    match status {
        "sent" => (Key::TaskStatusSent, "badge--info"),
        "acknowledged" => (Key::TaskStatusAcknowledged, "badge--success"),
        "failed" => (Key::TaskStatusFailed, "badge--danger"),
        "done" => (Key::TaskStatusDone, "badge--success"),
        _ => (Key::TaskStatusOpen, "badge--warning"),
    }
}

#[component]
fn Tasks(data: SharingOverview, task: ServerAction<CompleteTask>) -> impl IntoView {
    let locale = use_locale();
    let can_manage = data.can_manage;
    let features: std::collections::HashMap<String, String> = data
        .features
        .iter()
        .map(|f| (f.id.clone(), f.name.clone()))
        .collect();
    view! {
        <section aria-labelledby="tasks-title">
            <h2 id="tasks-title">{Key::SharingTasksTitle.text(locale)}</h2>
            {move || task.value().get().and_then(Result::err).map(|error| view! { <ErrorAlert error/> })}
            {if data.tasks.is_empty() {
                view! { <p class="card">{Key::SharingTasksEmpty.text(locale)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0">
                        <table class="table" data-testid="tasks">
                            <caption>{Key::SharingTasksCaption.text(locale)}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">{Key::ColWhat.text(locale)}</th>
                                    <th scope="col">{Key::ColRecipient.text(locale)}</th>
                                    <th scope="col">{Key::ColStatus.text(locale)}</th>
                                    <th scope="col">{Key::ColCreated.text(locale)}</th>
                                    <th scope="col">{Key::ColAction.text(locale)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {data.tasks.into_iter().map(|t| {
                                    let what = if t.kind == "delete_at_recipient" {
                                        let feature = t.feature_id.as_ref().and_then(|f| features.get(f)).cloned().unwrap_or_default();
                                        Key::SharingTaskDelete.format(locale, &[("feature", &feature)])
                                    } else {
                                        let field = t.field.as_deref().map(|f| field_label(f, locale)).unwrap_or_default();
                                        Key::SharingTaskNotify.format(locale, &[("field", &field)])
                                    };
                                    let (status, class) = task_status(&t.status);
                                    let open = !matches!(t.status.as_str(), "done" | "acknowledged");
                                    view! {
                                        <tr>
                                            <td>{what}{t.record_id.clone().map(|r| view! { <br/><span class="muted small mono">{r}</span> })}</td>
                                            <td>{t.recipient_name.clone()}</td>
                                            <td>
                                                <span class=format!("badge {class}")>{status.text(locale)}</span>
                                                {(t.attempts > 0).then(|| view! { " "<span class="muted small">{plural(locale, u64::from(t.attempts.unsigned_abs())).choose(Key::SharingTaskAttemptsOne, Key::SharingTaskAttempts).format(locale, &[("count", &t.attempts.to_string())])}</span> })}
                                                {(!t.deliverable && t.status == "open").then(|| view! { <br/><span class="muted small">{Key::SharingTaskManual.text(locale)}</span> })}
                                            </td>
                                            <td><Time ms=t.created_at/></td>
                                            <td>
                                                {(can_manage && open).then(|| view! {
                                                    <ActionForm action=task attr:class="inline-form">
                                                        <input type="hidden" name="task_id" value=t.id.to_string()/>
                                                        <button type="submit" class="button button--ghost">{Key::SharingTaskDone.text(locale)}</button>
                                                    </ActionForm>
                                                })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// The report: a GET form (shareable, works without JavaScript), the chart, a table of totals
/// and the CSV download.
#[component]
fn ReportSection() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| ReportFilter {
            feature: q.get("feature").unwrap_or_default(),
            from: q.get("from").unwrap_or_default(),
            to: q.get("to").unwrap_or_default(),
        })
    });
    let report = Resource::new(move || filter.get(), disclosure_report);
    let csv_href = move || {
        let f = filter.get();
        format!(
            "/sharing/report.csv?feature={}&from={}&to={}&lang={}",
            urlencode(&f.feature),
            urlencode(&f.from),
            urlencode(&f.to),
            locale.code()
        )
    };
    let features = Resource::new(|| (), |_| get_sharing());
    view! {
        <section class="report" aria-labelledby="report-title">
            <h2 id="report-title">{Key::ReportTitle.text(locale)}</h2>
            <form method="get" action="/sharing" class="report__filters">
                <div class="field">
                    <label for="report-feature">{Key::ReportFeature.text(locale)}</label>
                    <select id="report-feature" name="feature">
                        <option value="">{Key::ReportFeatureAll.text(locale)}</option>
                        <Transition>
                            {move || features.get().and_then(Result::ok).map(|data| data.features.into_iter().map(|f| {
                                let selected = filter.get_untracked().feature == f.id;
                                view! { <option value=f.id.clone() selected=selected>{f.name}</option> }
                            }).collect_view())}
                        </Transition>
                    </select>
                </div>
                <div class="field">
                    <label for="report-from">{Key::ReportFrom.text(locale)}</label>
                    <input id="report-from" type="date" name="from" prop:value=move || filter.get().from/>
                </div>
                <div class="field">
                    <label for="report-to">{Key::ReportTo.text(locale)}</label>
                    <input id="report-to" type="date" name="to" prop:value=move || filter.get().to/>
                </div>
                <button type="submit" class="button button--secondary">{Key::ReportApply.text(locale)}</button>
                <a class="button button--ghost" rel="external" href=csv_href data-testid="report-csv">{Key::ReportCsv.text(locale)}</a>
            </form>
            <Transition fallback=move || view! { <p class="muted">{Key::Loading.text(locale)}</p> }>
                {move || report.get().map(|result| match result {
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    Ok(r) if r.total == 0 => view! { <p class="card" data-testid="report-empty">{Key::ReportEmpty.text(locale)}</p> }.into_any(),
                    Ok(r) => view! { <Chart report=r/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

fn urlencode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The chart: one polyline per recipient over the days, drawn as SVG by the app itself.
#[component]
pub fn Chart(report: Report) -> impl IntoView {
    let locale = use_locale();
    let (width, height, pad) = (720.0_f64, 240.0_f64, 36.0_f64);
    let max = report
        .series
        .iter()
        .flat_map(|s| s.counts.iter().copied())
        .max()
        .unwrap_or(1)
        .max(1);
    let days = report.days.len().max(2);
    let x = move |i: usize| pad + (width - 2.0 * pad) * (i as f64) / ((days - 1) as f64);
    let y = move |n: u64| height - pad - (height - 2.0 * pad) * (n as f64) / (max as f64);
    let first = report
        .days
        .first()
        .copied()
        .map(format_date)
        .unwrap_or_default();
    let last = report
        .days
        .last()
        .copied()
        .map(format_date)
        .unwrap_or_default();
    view! {
        <p data-testid="report-total">{plural(locale, report.total).choose(Key::ReportTotalOne, Key::ReportTotal).format(locale, &[("count", &report.total.to_string())])}</p>
        <figure class="chart">
            <svg viewBox=format!("0 0 {width} {height}") role="img" aria-label=Key::ReportChartLabel.text(locale) class="chart__svg">
                <line x1=pad y1=height - pad x2=width - pad y2=height - pad class="chart__axis"/>
                <line x1=pad y1=pad x2=pad y2=height - pad class="chart__axis"/>
                <text x=pad - 6.0 y=pad + 4.0 text-anchor="end" class="chart__label">{max.to_string()}</text>
                <text x=pad - 6.0 y=height - pad + 4.0 text-anchor="end" class="chart__label">"0"</text>
                <text x=pad y=height - 10.0 class="chart__label">{first}</text>
                <text x=width - pad y=height - 10.0 text-anchor="end" class="chart__label">{last}</text>
                {report.series.iter().enumerate().map(|(i, s)| {
                    let points: Vec<String> = s.counts.iter().enumerate().map(|(d, n)| format!("{:.1},{:.1}", x(d), y(*n))).collect();
                    view! {
                        <polyline points=points.join(" ") fill="none" stroke=SERIES_COLOURS[i % SERIES_COLOURS.len()]
                            stroke-width="2" stroke-dasharray=SERIES_DASHES[i % SERIES_DASHES.len()]/>
                    }
                }).collect_view()}
            </svg>
            <figcaption>
                <table class="table table--compact">
                    <caption>{Key::ReportCaption.text(locale)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{Key::ColRecipient.text(locale)}</th>
                            <th scope="col">{Key::CsvDisclosures.text(locale)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {report.series.iter().enumerate().map(|(i, s)| view! {
                            <tr>
                                <th scope="row">
                                    <svg width="28" height="10" aria-hidden="true" class="chart__key">
                                        <line x1="0" y1="5" x2="28" y2="5" stroke=SERIES_COLOURS[i % SERIES_COLOURS.len()]
                                            stroke-width="2" stroke-dasharray=SERIES_DASHES[i % SERIES_DASHES.len()]/>
                                    </svg>
                                    " "{s.recipient_name.clone()}
                                </th>
                                <td>{s.total.to_string()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </figcaption>
        </figure>
    }
}
