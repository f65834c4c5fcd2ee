//! One feature's card on the sharing page: its state, purpose and consent, the fields each
//! recipient gets or sends, and the buttons that open the confirmation step.

use super::confirm::Confirm;
use super::Pending;
use crate::components::time::TimeIn;
use crate::domain::catalogue::field_label;
use crate::domain::states::FlowDirection;
use crate::i18n::{plural, Key};
use crate::locale::use_locale;
use crate::sharing::{DisableFeature, EnableFeature, FeatureView};
use leptos::prelude::*;

#[component]
pub(super) fn FeatureCard(
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
                    let heading = if flow.direction == FlowDirection::Outbound {
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
