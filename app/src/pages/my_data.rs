//! "My data": the signed-in end user's own identity, devices and apps (with the visibility
//! rules of their devices and the source of each field), who received which of it, who in the
//! organisation looked at it, and a correction request per field. The request form is checked in the browser by the field's own
//! parser for instant feedback; the server decides with the same parser.

use crate::components::access_log::{AccessLog, Whose};
use crate::components::error_view::ErrorAlert;
use crate::components::time::TimeIn;
use crate::components::toast::toast_on_success;
use crate::domain::catalogue::FieldId;
use crate::domain::enums::CorrectionRoute;
use crate::domain::visibility::{DeviceContext, Visibility};
use crate::i18n::{plural, Key};
use crate::locale::use_locale;
use crate::personal_data::{FieldView, RecordView};
use crate::requests::{get_my_data, CreateRequest, MyDataView, ReceivedView};
use leptos::prelude::*;
use leptos_meta::Title;

/// The end user's own page.
#[component]
pub fn MyDataPage() -> impl IntoView {
    let locale = use_locale();
    let create = ServerAction::<CreateRequest>::new();
    let data = Resource::new(move || create.version().get(), |_| get_my_data());
    toast_on_success(create);
    view! {
        <Title text=Key::MyDataTitle.text(locale)/>
        <section class="page">
            <header class="page__header">
                <h1>{Key::MyDataTitle.text(locale)}</h1>
                <p class="lead">{Key::MyDataIntro.text(locale)}</p>
            </header>
            <div data-testid="request-result">
                {move || create.value().get().and_then(Result::err).map(|error| view! { <ErrorAlert error/> })}
            </div>
            <Transition fallback=move || view! { <p class="muted">{Key::Loading.text(locale)}</p> }>
                {move || data.get().map(|result| match result {
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    Ok(view) => view! { <MyData view create/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn MyData(view: MyDataView, create: ServerAction<CreateRequest>) -> impl IntoView {
    let locale = use_locale();
    view! {
        <section aria-labelledby="my-identity">
            <h2 id="my-identity">{Key::UserIdentity.text(locale)}</h2>
            <Fields record=view.data.user.clone() context=None create/>
        </section>
        <section aria-labelledby="my-devices">
            <h2 id="my-devices">{Key::UserDevices.text(locale)}</h2>
            {view.data.devices.is_empty().then(|| view! { <p class="muted">{Key::UserNoDevices.text(locale)}</p> })}
            {view.data.devices.into_iter().map(|device| {
                let title = device.record.title.clone();
                let withheld = device.apps_withheld;
                view! {
                    <section class="card device-card">
                        <h3 class="card__title">{title.clone()}</h3>
                        <Fields record=device.record context=Some(device.context) create/>
                        <div class="table-wrap" tabindex="0">
                            <table class="table">
                                <caption>{Key::UserApps.format(locale, &[("device", &title)])}</caption>
                                <thead><tr>
                                    <th scope="col">{Key::ColApp.text(locale)}</th>
                                    <th scope="col">{Key::ColVersion.text(locale)}</th>
                                    <th scope="col">{Key::ColManaged.text(locale)}</th>
                                </tr></thead>
                                <tbody>
                                    {device.apps.is_empty().then(|| view! { <tr><td colspan="3" class="muted">{Key::UserNoApps.text(locale)}</td></tr> })}
                                    {device.apps.into_iter().map(|app| view! {
                                        <tr>
                                            <th scope="row">{app.name}</th>
                                            <td>{app.version}</td>
                                            <td>{if app.managed { Key::Yes.text(locale) } else { Key::No.text(locale) }}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        {(withheld > 0).then(|| view! {
                            <p class="muted">{plural(locale, u64::from(withheld)).choose(Key::UserAppsWithheldOne, Key::UserAppsWithheld).format(locale, &[("count", &withheld.to_string())])}</p>
                        })}
                    </section>
                }
            }).collect_view()}
        </section>
        <Received received=view.received/>
        <AccessLog whose=Whose::Mine/>
    }
}

/// The fields of one record, each with its source and a correction request where possible.
#[component]
fn Fields(
    record: RecordView,
    context: Option<DeviceContext>,
    create: ServerAction<CreateRequest>,
) -> impl IntoView {
    let locale = use_locale();
    let record_id = record.id.clone();
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table field-table">
                <caption class="visually-hidden">{record.title.clone()}</caption>
                <thead><tr>
                    <th scope="col">{Key::ColField.text(locale)}</th>
                    <th scope="col">{Key::ColValue.text(locale)}</th>
                    <th scope="col">{Key::ColSource.text(locale)}</th>
                    <th scope="col">{Key::ColAction.text(locale)}</th>
                </tr></thead>
                <tbody>
                    {record.fields.into_iter().map(|field| {
                        let spec = match &context {
                            Some(ctx) => field.field.spec_for(ctx),
                            None => field.field.spec(),
                        };
                        let value = match (&field.value, field.held) {
                            (Some(v), _) => {
                                let note = field.visibility.note().map(|k| view! { <span class="field__hint">{k.text(locale)}</span> });
                                view! { <span data-testid=format!("my-{}", field.field.as_str())>{v.clone()}</span>{note} }.into_any()
                            }
                            (None, true) => view! { <span class="muted">{field.visibility.note().map_or(Key::NotHeld, |k| k).text(locale)}</span> }.into_any(),
                            (None, false) => view! { <span class="muted">"—"</span> }.into_any(),
                        };
                        // Nothing to ask for where nothing is held: the platform does not
                        // collect a hidden field from this device (the server refuses it too).
                        let action = if spec.route == CorrectionRoute::Never
                            || field.visibility == Visibility::Secret
                            || matches!(field.visibility, Visibility::Hidden(_))
                        {
                            view! { <span class="muted">{Key::ReqNotCorrectable.text(locale)}</span> }.into_any()
                        } else {
                            view! { <RequestForm field=field.clone() record_id=record_id.clone() create/> }.into_any()
                        };
                        view! {
                            <tr data-field=field.field.as_str()>
                                <th scope="row">{field.field.label().text(locale)}</th>
                                <td>{value}</td>
                                <td>{spec.source.label().text(locale)}</td>
                                <td>{action}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A correction request for one field.
#[component]
fn RequestForm(
    field: FieldView,
    record_id: String,
    create: ServerAction<CreateRequest>,
) -> impl IntoView {
    let locale = use_locale();
    let name = field.field.as_str();
    let base = format!("req-{record_id}-{name}");
    let value_id = format!("{base}-value");
    let reason_id = format!("{base}-reason");
    let restrict_id = format!("{base}-restrict");
    let error_id = format!("{base}-error");
    let check = RwSignal::new(None::<String>);
    let id: FieldId = field.field;
    let on_input = move |ev: leptos::ev::Event| {
        let raw = event_target_value(&ev);
        check.set(if raw.trim().is_empty() {
            None
        } else {
            id.parse_value(&raw).err().map(|e| e.message(locale))
        });
    };
    view! {
        <details class="inline-editor">
            <summary class="button button--secondary">{Key::ReqAction.text(locale)}</summary>
            <ActionForm action=create>
                <input type="hidden" name="record_id" value=record_id.clone()/>
                <input type="hidden" name="field" value=name/>
                <div class="field">
                    <label for=value_id.clone()>{Key::ReqProposed.text(locale)}</label>
                    <input id=value_id name="value" required on:input=on_input
                        aria-invalid=move || if check.get().is_some() { "true" } else { "false" }
                        aria-describedby=error_id.clone()/>
                    <p id=error_id class="field__error" aria-live="polite">{move || check.get()}</p>
                </div>
                <div class="field">
                    <label for=reason_id.clone()>{Key::ReqReason.text(locale)}</label>
                    <textarea id=reason_id name="reason" required rows="2"></textarea>
                </div>
                <div class="field field--checkbox">
                    <input type="checkbox" id=restrict_id.clone() name="restrict_sharing" value="on"/>
                    <label for=restrict_id>{Key::ReqRestrict.text(locale)}</label>
                </div>
                <button type="submit" class="button" disabled=move || check.get().is_some()>
                    {Key::ReqSubmit.text(locale)}
                </button>
            </ActionForm>
        </details>
    }
}

/// Who received the user's data: per record, recipient and feature.
#[component]
fn Received(received: Vec<ReceivedView>) -> impl IntoView {
    let locale = use_locale();
    view! {
        <section aria-labelledby="my-received">
            <h2 id="my-received">{Key::MyDataReceivedTitle.text(locale)}</h2>
            {if received.is_empty() {
                view! { <p class="muted">{Key::MyDataReceivedNone.text(locale)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0"><table class="table request-table" data-testid="received">
                        <caption class="visually-hidden">{Key::MyDataReceivedTitle.text(locale)}</caption>
                        <thead><tr>
                            <th scope="col">{Key::ColRecipient.text(locale)}</th>
                            <th scope="col">{Key::ColAbout.text(locale)}</th>
                            <th scope="col">{Key::ColCategories.text(locale)}</th>
                            <th scope="col">{Key::ColFeature.text(locale)}</th>
                            <th scope="col">{Key::ColWhen.text(locale)}</th>
                        </tr></thead>
                        <tbody>
                            {received.into_iter().map(|r| {
                                let tag = if r.is_agent { Key::AgentTag } else { Key::ThirdPartyTag };
                                let categories = r.categories.iter().map(|c| c.label().text(locale)).collect::<Vec<_>>().join(", ");
                                let fields = r.fields.iter().map(|f| FieldId::parse(f).map_or_else(|_| f.clone(), |f| f.label().text(locale).to_owned())).collect::<Vec<_>>().join(", ");
                                view! {
                                    <tr>
                                        <th scope="row">{r.recipient_name}<span class="muted">{format!(" ({})", tag.text(locale))}</span></th>
                                        <td>
                                            {r.record_title}
                                            {r.former_device.then(|| view! { " " <span class="muted">{Key::FormerDevice.text(locale)}</span> })}
                                        </td>
                                        <td>{categories}<span class="field__hint">{fields}</span></td>
                                        <td>{r.feature_name}<span class="field__hint">{r.purpose}</span></td>
                                        <td>
                                            <TimeIn key=plural(locale, u64::from(r.count)).choose(Key::ReqReceivedWhenOne, Key::ReqReceivedWhen) ms=r.last_at args=vec![("count", r.count.to_string())]/>
                                        </td>
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
