//! "My requests": the end user's own correction requests with status, deadline, the
//! reviewer's answer (rejection reason, extension reason) and, once approved, the recipients
//! who were told about the correction; a pending request can be withdrawn.

use crate::components::error_view::ErrorAlert;
use crate::components::time::Time;
use crate::components::toast::toast_on_success;
use crate::i18n::{Key, Locale};
use crate::locale::use_locale;
use crate::requests::{my_requests, AtSource, RequestStatus, RequestView, WithdrawRequest};
use leptos::prelude::*;
use leptos_meta::Title;

/// The end user's requests.
#[component]
pub fn MyRequestsPage() -> impl IntoView {
    let locale = use_locale();
    let withdraw = ServerAction::<WithdrawRequest>::new();
    let list = Resource::new(move || withdraw.version().get(), |_| my_requests());
    toast_on_success(withdraw);
    view! {
        <Title text=Key::MyRequestsTitle.text(locale)/>
        <section class="page">
            <header class="page__header">
                <h1>{Key::MyRequestsTitle.text(locale)}</h1>
            </header>
            {move || withdraw.value().get().and_then(Result::err).map(|error| view! { <ErrorAlert error/> })}
            <Transition fallback=move || view! { <p class="muted">{Key::Loading.text(locale)}</p> }>
                {move || list.get().map(|result| match result {
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    Ok(items) if items.is_empty() => view! { <p class="muted">{Key::MyRequestsNone.text(locale)}</p> }.into_any(),
                    Ok(items) => view! {
                        <div class="table-wrap" tabindex="0"><table class="table request-table" data-testid="my-requests">
                            <caption class="visually-hidden">{Key::MyRequestsTitle.text(locale)}</caption>
                            <thead><tr>
                                <th scope="col">{Key::ColField.text(locale)}</th>
                                <th scope="col">{Key::ColProposed.text(locale)}</th>
                                <th scope="col">{Key::ColStatus.text(locale)}</th>
                                <th scope="col">{Key::ColDue.text(locale)}</th>
                                <th scope="col">{Key::ColAnswer.text(locale)}</th>
                                <th scope="col">{Key::ColAction.text(locale)}</th>
                            </tr></thead>
                            <tbody>
                                {items.into_iter().map(|r| view! { <Row request=r withdraw/> }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Row(request: RequestView, withdraw: ServerAction<WithdrawRequest>) -> impl IntoView {
    let locale = use_locale();
    let pending = request.status == RequestStatus::Pending;
    let answer = answer_lines(&request, locale);
    view! {
        <tr data-request=request.id.to_string() class:row--overdue=request.overdue>
            <th scope="row">
                {request.field.label().text(locale)}
                <span class="field__hint">{request.record_title.clone()}</span>
            </th>
            <td>{request.proposed_value.clone()}<span class="field__hint">{request.reason.clone()}</span></td>
            <td>
                <StatusBadge status=request.status/>
                {request.overdue.then(|| view! { <span class="badge badge--danger">{Key::ReqOverdue.text(locale)}</span> })}
                {(pending && request.restrict_sharing).then(|| view! { <span class="field__hint">{Key::ReqRestricted.text(locale)}</span> })}
            </td>
            <td><Time ms=request.due_at/></td>
            <td data-testid="answer">
                {answer.into_iter().map(|line| view! { <p class="answer-line">{line}</p> }).collect_view()}
            </td>
            <td>
                {pending.then(|| view! {
                    <ActionForm action=withdraw>
                        <input type="hidden" name="id" value=request.id.to_string()/>
                        <button type="submit" class="button button--secondary">{Key::ReqWithdraw.text(locale)}</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}

/// What the requester is told: extension, pause, rejection reason, informed recipients.
pub fn answer_lines(request: &RequestView, locale: Locale) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(reason) = &request.extension_reason {
        lines.push(Key::ReqExtended.format(locale, &[("reason", reason)]));
    }
    if request.paused {
        lines.push(Key::ReqPaused.text(locale).to_owned());
    }
    match request.status {
        RequestStatus::Rejected => lines.push(Key::ReqRejectedBecause.format(
            locale,
            &[("reason", request.decision_reason.as_deref().unwrap_or(""))],
        )),
        // Approved, but the source has not shown the new value yet: nobody has been told.
        RequestStatus::Approved
            if request
                .at_source
                .is_some_and(|a| a.status == RequestStatus::Routed) =>
        {
            if let Some(a) = request.at_source {
                lines.push(AtSource::waiting_text(a.route).text(locale).to_owned());
            }
        }
        RequestStatus::Approved if request.informed_recipients.is_empty() => {
            if request.at_source.is_some() {
                lines.push(Key::ReqAppliedAtSource.text(locale).to_owned());
            }
            lines.push(Key::ReqInformedNone.text(locale).to_owned());
        }
        RequestStatus::Approved => {
            if request.at_source.is_some() {
                lines.push(Key::ReqAppliedAtSource.text(locale).to_owned());
            }
            lines.push(Key::ReqInformed.format(
                locale,
                &[("recipients", &request.informed_recipients.join(", "))],
            ));
        }
        _ => {}
    }
    lines
}

/// A request's status as a badge.
#[component]
pub fn StatusBadge(status: RequestStatus) -> impl IntoView {
    let locale = use_locale();
    let class = format!("badge badge--{}", status.as_str());
    view! { <span class=class data-testid="request-status">{status.label().text(locale)}</span> }
}
