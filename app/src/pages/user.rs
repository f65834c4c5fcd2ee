//! The personal-data page of one user: identity, devices and apps, each field with its value
//! (masked per the visibility rules), source, last change and recipients; corrections, routed
//! corrections and audited reveals; follow-ups and history. Every form also works without the
//! browser bundle (it posts, and the server sends the browser back here).

use crate::components::access_log::{AccessLog, Whose};
use crate::components::error_view::ErrorAlert;
use crate::components::time::{Time, TimeIn};
use crate::components::toast::toast_when;
use crate::domain::catalogue::FieldId;
use crate::domain::enums::CorrectionRoute;
use crate::domain::visibility::Visibility;
use crate::error::AppError;
use crate::i18n::{plural, Key, Locale};
use crate::locale::use_locale;
use crate::personal_data::{
    get_user_data, CorrectField, DeviceView, FieldView, RecordView, RevealSecret, RouteCorrection,
    UserDataView,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// Actions shared by every field row of the page.
#[derive(Clone, Copy)]
struct Actions {
    correct: ServerAction<CorrectField>,
    route: ServerAction<RouteCorrection>,
    user_id: Signal<String>,
    recipient: RwSignal<String>,
}

/// The personal-data page.
#[component]
pub fn UserPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let user_id = Signal::derive(move || params.with(|p| p.get("id").unwrap_or_default()));
    let correct = ServerAction::<CorrectField>::new();
    let route = ServerAction::<RouteCorrection>::new();
    let data = Resource::new(
        move || {
            (
                user_id.get(),
                correct.version().get(),
                route.version().get(),
            )
        },
        |(id, _, _)| get_user_data(id),
    );
    let actions = Actions {
        correct,
        route,
        user_id,
        recipient: RwSignal::new(String::new()),
    };
    // A correction's confirmation names the recipients that follow-ups will inform.
    toast_when(correct, move |outcome| {
        Some(
            Key::ToastCorrected.text(locale).to_owned()
                + &inform(&outcome.follow_up_recipients, locale),
        )
    });
    // A routed correction tells nobody yet: the source has not changed the value.
    toast_when(route, move |_| {
        Some(Key::ToastRouted.text(locale).to_owned())
    });

    view! {
        <Title text=Key::UserPageTitle.text(locale)/>
        <section class="page">
            <Transition fallback=move || view! { <p class="muted">{Key::Loading.text(locale)}</p> }>
                {move || data.get().map(|result| match result {
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    Ok(view) => view! { <UserData view actions/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn UserData(view: UserDataView, actions: Actions) -> impl IntoView {
    let locale = use_locale();
    let id = view.user.id.clone();
    let upn = view
        .user
        .fields
        .iter()
        .find(|f| f.field == FieldId::Upn)
        .and_then(|f| f.value.clone())
        .unwrap_or_default();
    let mut recipients: Vec<(String, String)> = view
        .user
        .fields
        .iter()
        .chain(view.devices.iter().flat_map(|d| d.record.fields.iter()))
        .flat_map(|f| {
            f.received_by
                .iter()
                .map(|r| (r.recipient_id.clone(), r.recipient_name.clone()))
        })
        .collect();
    recipients.sort();
    recipients.dedup();
    let lang = locale.code();
    view! {
        <header class="page__header">
            <h1>{view.user.title.clone()}</h1>
            <p class="lead">{upn}</p>
            <p class="form-actions">
                <a class="button button--secondary" href=format!("/users/{id}/export?format=json") download="">{Key::UserExportJson.text(locale)}</a>
                <a class="button button--secondary" href=format!("/users/{id}/export?format=csv&lang={lang}") download="">{Key::UserExportCsv.text(locale)}</a>
            </p>
            <crate::pages::jobs::BackgroundExport user_id=id.clone()/>
        </header>
        <div class="field">
            <label for="recipient-filter">{Key::UserFilterRecipient.text(locale)}</label>
            <select id="recipient-filter" on:change=move |ev| actions.recipient.set(event_target_value(&ev))>
                <option value="">{Key::UserFilterAll.text(locale)}</option>
                {recipients.into_iter().map(|(rid, name)| view! { <option value=rid>{name}</option> }).collect_view()}
            </select>
        </div>
        <CorrectionResult actions/>
        <section aria-labelledby="identity-title">
            <h2 id="identity-title">{Key::UserIdentity.text(locale)}</h2>
            <FieldTable record=view.user.clone() actions/>
        </section>
        <section aria-labelledby="devices-title">
            <h2 id="devices-title">{Key::UserDevices.text(locale)}</h2>
            {view.devices.is_empty().then(|| view! { <p class="muted">{Key::UserNoDevices.text(locale)}</p> })}
            {view.devices.clone().into_iter().map(|device| view! { <Device device actions/> }).collect_view()}
        </section>
        <Followups view=view.clone()/>
        <History view/>
        <AccessLog whose=Whose::Person(id)/>
    }
}

/// Why the last correction or routed correction was refused, next to the forms; success is
/// confirmed by the shell's toast.
#[component]
fn CorrectionResult(actions: Actions) -> impl IntoView {
    let locale = use_locale();
    let refusal = move || {
        let correct = actions.correct.value().get().and_then(Result::err);
        let route = actions.route.value().get().and_then(Result::err);
        correct.or(route).map(|error| error.message(locale))
    };
    view! {
        <div data-testid="correction-result">
            {move || refusal().map(|text| view! { <p class="alert alert--error" role="alert">{text}</p> })}
        </div>
    }
}

fn inform(recipients: &[String], locale: Locale) -> String {
    if recipients.is_empty() {
        String::new()
    } else {
        format!(
            " {}",
            Key::SavedInform
                .format(locale, &[("recipients", &recipients.join(", "))])
                .replacen(Key::Saved.text(locale), "", 1)
                .trim()
        )
    }
}

#[component]
fn Device(device: DeviceView, actions: Actions) -> impl IntoView {
    let locale = use_locale();
    let title = device.record.title.clone();
    let heading_id = format!("device-{}", device.record.id);
    let labelled_by = heading_id.clone();
    view! {
        <section class="card device-card" aria-labelledby=labelled_by>
            <h3 id=heading_id class="card__title">{title.clone()}</h3>
            <FieldTable record=device.record.clone() actions/>
            <div class="table-wrap" tabindex="0">
                <table class="table">
                    <caption>{Key::UserApps.format(locale, &[("device", &title)])}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{Key::ColApp.text(locale)}</th>
                            <th scope="col">{Key::ColVersion.text(locale)}</th>
                            <th scope="col">{Key::ColManaged.text(locale)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {device.apps.is_empty().then(|| view! { <tr><td colspan="3" class="muted">{Key::UserNoApps.text(locale)}</td></tr> })}
                        {device.apps.into_iter().map(|app| view! {
                            <tr>
                                <th scope="row">{app.name}<span class="muted">{format!(" · {}", app.app_id)}</span></th>
                                <td>{app.version}</td>
                                <td>{if app.managed { Key::Yes.text(locale) } else { Key::No.text(locale) }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {(device.apps_withheld > 0).then(|| view! {
                <p class="muted">{plural(locale, u64::from(device.apps_withheld)).choose(Key::UserAppsWithheldOne, Key::UserAppsWithheld).format(locale, &[("count", &device.apps_withheld.to_string())])}</p>
            })}
        </section>
    }
}

#[component]
fn FieldTable(record: RecordView, actions: Actions) -> impl IntoView {
    let locale = use_locale();
    let caption = record.title.clone();
    let record_id = record.id.clone();
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table field-table">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">{Key::ColField.text(locale)}</th>
                        <th scope="col">{Key::ColValue.text(locale)}</th>
                        <th scope="col">{Key::ColSource.text(locale)}</th>
                        <th scope="col">{Key::ColChanged.text(locale)}</th>
                        <th scope="col">{Key::ColReceivedBy.text(locale)}</th>
                        <th scope="col">{Key::ColAction.text(locale)}</th>
                    </tr>
                </thead>
                <tbody>
                    {record.fields.into_iter().map(|field| {
                        let recipients: Vec<String> = field.received_by.iter().map(|r| r.recipient_id.clone()).collect();
                        let shown = move || {
                            let filter = actions.recipient.get();
                            filter.is_empty() || recipients.contains(&filter)
                        };
                        let record_id = record_id.clone();
                        view! { <FieldRow field record_id actions shown=Signal::derive(shown)/> }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn FieldRow(
    field: FieldView,
    record_id: String,
    actions: Actions,
    shown: Signal<bool>,
) -> impl IntoView {
    let locale = use_locale();
    let spec = field.field.spec();
    let label = field.field.label().text(locale);
    let value_cell = match (&field.value, field.held) {
        (Some(value), _) => {
            let note = field
                .visibility
                .note()
                .map(|k| view! { <span class="field__hint">{k.text(locale)}</span> });
            view! { <span data-testid=format!("value-{}", field.field.as_str())>{value.clone()}</span> {note} }.into_any()
        }
        (None, true) => {
            let note = field.visibility.note().map_or(Key::NotHeld, |k| k);
            view! { <span class="muted">{note.text(locale)}</span> }.into_any()
        }
        (None, false) => view! { <span class="muted">"—"</span> }.into_any(),
    };
    let changed = view! {
        <TimeIn key=Key::ChangedByOn ms=field.changed_at args=vec![
            ("who", crate::personal_data::author_name(&field.changed_by, field.version, locale)),
            ("version", field.version.to_string()),
        ]/>
    };
    let receipts = if field.received_by.is_empty() {
        view! { <span class="muted">{Key::NobodyReceived.text(locale)}</span> }.into_any()
    } else {
        view! {
            <ul class="receipt-list">
                {field.received_by.iter().map(|r| {
                    let tag = if r.is_agent { Key::AgentTag.text(locale).to_owned() } else { Key::ThirdPartyTag.text(locale).to_owned() };
                    let consent = r.consent_id.map(|id| format!(", {}", Key::ConsentTag.format(locale, &[("id", &id.to_string())]))).unwrap_or_default();
                    // The catalogue names this time {last}; pointing it at {when} places the <time>.
                    let args = vec![
                        ("recipient", r.recipient_name.clone()),
                        ("feature", r.feature_id.clone()),
                        ("count", r.count.to_string()),
                        ("last", "{when}".to_owned()),
                    ];
                    view! { <li><TimeIn key=Key::ReceiptLine ms=r.last_at args/><span class="muted">{format!(" ({tag}{consent})")}</span></li> }
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    let action = field_action(&field, record_id, actions, locale, spec.route);
    view! {
        <tr style:display=move || if shown.get() { "" } else { "none" } data-field=field.field.as_str()>
            <th scope="row">{label}</th>
            <td>{value_cell}</td>
            <td>{spec.source.label().text(locale)}</td>
            <td>{changed}</td>
            <td>{receipts}</td>
            <td>{action}</td>
        </tr>
    }
}

fn field_action(
    field: &FieldView,
    record_id: String,
    actions: Actions,
    locale: Locale,
    route: CorrectionRoute,
) -> AnyView {
    if field.visibility == Visibility::Secret && field.held {
        return view! { <RevealForm field=field.field record_id actions/> }.into_any();
    }
    // Not collected from this device: nothing is held to correct (the server refuses it too).
    if matches!(field.visibility, Visibility::Hidden(_)) {
        return view! { <span class="muted">{Key::ReadOnly.text(locale)}</span> }.into_any();
    }
    if field.correctable {
        return view! {
            <details class="inline-editor">
                <summary class="button button--secondary">{Key::ActionCorrect.text(locale)}</summary>
                <CorrectionForm field=field.clone() record_id actions routed=false/>
            </details>
        }
        .into_any();
    }
    let explain = match route {
        CorrectionRoute::Directory => Key::RouteExplainDirectory,
        CorrectionRoute::Device => Key::RouteExplainDevice,
        CorrectionRoute::Partner => Key::RouteExplainPartner,
        CorrectionRoute::Portal | CorrectionRoute::Never => {
            return view! { <span class="muted">{Key::ReadOnly.text(locale)}</span> }.into_any();
        }
    };
    view! {
        <details class="inline-editor">
            <summary class="button button--ghost">{Key::ActionRoute.text(locale)}</summary>
            <p>{explain.text(locale)}</p>
            <CorrectionForm field=field.clone() record_id actions routed=true/>
        </details>
    }
    .into_any()
}

/// Correction (or routed correction) of one field, checked in the browser by the same parser
/// the server decides with.
#[component]
fn CorrectionForm(
    field: FieldView,
    record_id: String,
    actions: Actions,
    routed: bool,
) -> impl IntoView {
    let locale = use_locale();
    let name = field.field.as_str();
    let value_id = format!("value-{record_id}-{name}");
    let reason_id = format!("reason-{record_id}-{name}");
    let error_id = format!("error-{record_id}-{name}");
    let check = RwSignal::new(None::<String>);
    let id = field.field;
    let on_input = move |ev: leptos::ev::Event| {
        let raw = event_target_value(&ev);
        check.set(if raw.trim().is_empty() {
            None
        } else {
            id.parse_value(&raw).err().map(|e| e.message(locale))
        });
    };
    let initial = if field.visibility == Visibility::Visible {
        field.value.clone().unwrap_or_default()
    } else {
        String::new()
    };
    let fields = view! {
        <input type="hidden" name="user_id" value=move || actions.user_id.get()/>
        <input type="hidden" name="record_id" value=record_id.clone()/>
        <input type="hidden" name="field" value=name/>
        <input type="hidden" name="base_version" value=field.version.to_string()/>
        <div class="field">
            <label for=value_id.clone()>{if routed { Key::ProposedValue.text(locale) } else { Key::NewValue.text(locale) }}</label>
            <input id=value_id name="value" value=initial on:input=on_input
                aria-invalid=move || if check.get().is_some() { "true" } else { "false" }
                aria-describedby=error_id.clone() required/>
            <p id=error_id class="field__error" aria-live="polite">{move || check.get()}</p>
        </div>
        <div class="field">
            <label for=reason_id.clone()>{Key::Reason.text(locale)}</label>
            <textarea id=reason_id name="reason" required rows="2"></textarea>
            <p class="field__hint">{Key::ReasonHint.text(locale)}</p>
        </div>
    };
    if routed {
        view! {
            <ActionForm action=actions.route>
                {fields}
                <button type="submit" class="button" disabled=move || check.get().is_some()>{Key::RecordRouted.text(locale)}</button>
            </ActionForm>
        }
        .into_any()
    } else {
        view! {
            <ActionForm action=actions.correct>
                {fields}
                <button type="submit" class="button" disabled=move || check.get().is_some()>{Key::SaveCorrection.text(locale)}</button>
            </ActionForm>
        }
        .into_any()
    }
}

/// An audited reveal of a secret, with a reason.
#[component]
fn RevealForm(field: FieldId, record_id: String, actions: Actions) -> impl IntoView {
    let locale = use_locale();
    let reveal = ServerAction::<RevealSecret>::new();
    let reason_id = format!("reveal-{record_id}-{}", field.as_str());
    view! {
        <details class="inline-editor">
            <summary class="button button--secondary">{Key::ActionReveal.text(locale)}</summary>
            <ActionForm action=reveal>
                <input type="hidden" name="user_id" value=move || actions.user_id.get()/>
                <input type="hidden" name="device_id" value=record_id.clone()/>
                <input type="hidden" name="field" value=field.as_str()/>
                <div class="field">
                    <label for=reason_id.clone()>{Key::RevealReason.text(locale)}</label>
                    <input id=reason_id name="reason" required/>
                </div>
                <button type="submit" class="button button--danger">{Key::RevealSubmit.text(locale)}</button>
            </ActionForm>
            <div aria-live="polite">
                {move || reveal.value().get().map(|result: Result<String, AppError>| match result {
                    Ok(secret) => view! { <p>{Key::RevealedValue.text(locale)}": "<code data-testid="revealed-secret">{secret}</code></p> }.into_any(),
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                })}
            </div>
        </details>
    }
}

#[component]
fn Followups(view: UserDataView) -> impl IntoView {
    let locale = use_locale();
    view! {
        <section aria-labelledby="followups-title">
            <h2 id="followups-title">{Key::UserFollowUps.text(locale)}</h2>
            {if view.follow_ups.is_empty() {
                view! { <p class="muted">{Key::UserNoFollowUps.text(locale)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0"><table class="table" data-testid="follow-ups">
                        <caption class="visually-hidden">{Key::UserFollowUps.text(locale)}</caption>
                        <thead><tr>
                            <th scope="col">{Key::ColRecipient.text(locale)}</th>
                            <th scope="col">{Key::ColField.text(locale)}</th>
                            <th scope="col">{Key::ColStatus.text(locale)}</th>
                            <th scope="col">{Key::ColCreated.text(locale)}</th>
                        </tr></thead>
                        <tbody>
                            {view.follow_ups.into_iter().map(|t| view! {
                                <tr>
                                    <th scope="row">{t.recipient_name}</th>
                                    <td>{t.field.as_deref().and_then(|f| FieldId::parse(f).ok()).map_or_else(String::new, |f| f.label().text(locale).to_owned())}</td>
                                    <td>{t.status.label().text(locale)}</td>
                                    <td><Time ms=t.created_at/></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
            <h2>{Key::UserRouted.text(locale)}</h2>
            {if view.routed.is_empty() {
                view! { <p class="muted">{Key::UserNoRouted.text(locale)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0"><table class="table" data-testid="routed">
                        <caption class="visually-hidden">{Key::UserRouted.text(locale)}</caption>
                        <thead><tr>
                            <th scope="col">{Key::ColField.text(locale)}</th>
                            <th scope="col">{Key::ColProposed.text(locale)}</th>
                            <th scope="col">{Key::ColReason.text(locale)}</th>
                            <th scope="col">{Key::ColCreated.text(locale)}</th>
                            <th scope="col">{Key::ColStatus.text(locale)}</th>
                        </tr></thead>
                        <tbody>
                            {view.routed.into_iter().map(|r| view! {
                                <tr>
                                    <th scope="row">{FieldId::parse(&r.field).map_or(r.field.clone(), |f| f.label().text(locale).to_owned())}</th>
                                    <td>{r.proposed_value}</td>
                                    <td>{r.reason}</td>
                                    <td><Time ms=r.received_at/></td>
                                    <td>{r.status.label().text(locale)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn History(view: UserDataView) -> impl IntoView {
    let locale = use_locale();
    view! {
        <section aria-labelledby="history-title">
            <h2 id="history-title">{Key::UserHistory.text(locale)}</h2>
            {if view.history.is_empty() {
                view! { <p class="muted">{Key::UserNoHistory.text(locale)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0"><table class="table" data-testid="history">
                        <caption class="visually-hidden">{Key::UserHistory.text(locale)}</caption>
                        <thead><tr>
                            <th scope="col">{Key::ColWhen.text(locale)}</th>
                            <th scope="col">{Key::ColWho.text(locale)}</th>
                            <th scope="col">{Key::ColWhat.text(locale)}</th>
                            <th scope="col">{Key::ColReason.text(locale)}</th>
                        </tr></thead>
                        <tbody>
                            {view.history.into_iter().map(|e| {
                                let changes = e.changes.iter().map(|c| format!(
                                    "{}: {} → {}",
                                    FieldId::parse(&c.field).map_or(c.field.clone(), |f| f.label().text(locale).to_owned()),
                                    c.before.clone().unwrap_or_else(|| "—".into()),
                                    c.after.clone().unwrap_or_else(|| "—".into()),
                                )).collect::<Vec<_>>().join("; ");
                                view! {
                                    <tr>
                                        <td><Time ms=e.occurred_at/></td>
                                        <td>{e.actor}</td>
                                        <th scope="row">{e.action}<span class="muted">{if changes.is_empty() { String::new() } else { format!(" · {changes}") }}</span></th>
                                        <td>{e.reason.unwrap_or_default()}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
        </section>
    }
}
