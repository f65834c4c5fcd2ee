//! The review queue (support reviewers and tenant admins) and one request under review: the
//! requested change beside the current value and its source, the requester's reason, the
//! recipients who already got the current value; approve, reject, extend, pause or resume.
//! The filters are a plain GET form, so the queue's state is in its address. Four-eyes is
//! decided by the server; the page only explains it up front.

use crate::components::error_view::ErrorAlert;
use crate::components::time::{Time, TimeIn};
use crate::components::toast::{toast_on_success, toast_when};
use crate::domain::catalogue::RecordKind;
use crate::domain::enums::Category;
use crate::i18n::Key;
use crate::locale::use_locale;
use crate::pages::requests::{answer_lines, StatusBadge};
use crate::requests::{
    review_queue, review_request, ApproveRequest, AtSource, ExtendRequest, PauseRequest,
    RejectRequest, RequestStatus, RequestView, ReviewView,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The queue.
#[component]
pub fn ReviewQueuePage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let get = move |name: &'static str| query.with(|q| q.get(name).filter(|v| !v.is_empty()));
    let queue = Resource::new(
        move || {
            (
                get("status"),
                get("due"),
                get("category"),
                get("user"),
                get("age"),
                get("after"),
            )
        },
        |(status, due, category, user, age, after)| {
            review_queue(status, due, category, user, age, after)
        },
    );
    // The next page keeps the filters: the same address with another cursor.
    let next_href = move |cursor: String| {
        let mut pairs: Vec<(String, String)> = query.with(|q| {
            ["status", "due", "category", "user", "age"]
                .into_iter()
                .filter_map(|name| {
                    q.get(name)
                        .filter(|v| !v.is_empty())
                        .map(|v| (name.to_owned(), v))
                })
                .collect()
        });
        pairs.push(("after".to_owned(), cursor));
        let encoded: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={}", crate::audit_log::encode(&v)))
            .collect();
        format!("/review?{}", encoded.join("&"))
    };
    let selected =
        move |name: &'static str, value: &'static str| get(name).as_deref() == Some(value);
    view! {
        <Title text=Key::ReviewTitle.text(locale)/>
        <section class="page">
            <header class="page__header">
                <h1>{Key::ReviewTitle.text(locale)}</h1>
                <p class="lead">{Key::ReviewIntro.text(locale)}</p>
            </header>
            <form method="get" action="/review" class="filters review-filters">
                <div class="field">
                    <label for="f-status">{Key::ColStatus.text(locale)}</label>
                    <select id="f-status" name="status">
                        <option value="">{Key::ReqStatusPending.text(locale)}</option>
                        <option value="all" selected=move || selected("status", "all")>{Key::ReviewFilterAll.text(locale)}</option>
                        {[RequestStatus::Approved, RequestStatus::Rejected, RequestStatus::Withdrawn].into_iter().map(|s| view! {
                            <option value=s.as_str() selected=move || selected("status", s.as_str())>{s.label().text(locale)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="f-due">{Key::ReviewFilterDue.text(locale)}</label>
                    <select id="f-due" name="due">
                        <option value="">{Key::DirectoryAny.text(locale)}</option>
                        <option value="overdue" selected=move || selected("due", "overdue")>{Key::ReviewDueOverdue.text(locale)}</option>
                        <option value="week" selected=move || selected("due", "week")>{Key::ReviewDueWeek.text(locale)}</option>
                    </select>
                </div>
                <div class="field">
                    <label for="f-category">{Key::ReviewFilterCategory.text(locale)}</label>
                    <select id="f-category" name="category">
                        <option value="">{Key::DirectoryAny.text(locale)}</option>
                        {Category::ALL.iter().map(|c| view! {
                            <option value=c.as_str() selected=move || selected("category", c.as_str())>{c.label().text(locale)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="f-age">{Key::ReviewFilterAge.text(locale)}</label>
                    <select id="f-age" name="age">
                        <option value="">{Key::DirectoryAny.text(locale)}</option>
                        {["7", "14", "28"].into_iter().map(|d| view! {
                            <option value=d selected=move || selected("age", d)>{Key::ReviewAgeDays.format(locale, &[("days", d)])}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="f-user">{Key::ColUser.text(locale)}</label>
                    <select id="f-user" name="user">
                        <option value="">{Key::DirectoryAny.text(locale)}</option>
                        <Transition fallback=|| ()>
                            {move || queue.get().and_then(Result::ok).map(|q| q.users.into_iter().map(|(id, name)| {
                                let chosen = get("user").as_deref() == Some(id.as_str());
                                view! { <option value=id selected=chosen>{name}</option> }
                            }).collect_view())}
                        </Transition>
                    </select>
                </div>
                <button type="submit" class="button">{Key::ReviewApply.text(locale)}</button>
            </form>
            <Transition fallback=move || view! { <p class="muted">{Key::Loading.text(locale)}</p> }>
                {move || queue.get().map(|result| match result {
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    Ok(q) if q.items.is_empty() => view! { <p class="muted">{Key::ReviewNone.text(locale)}</p> }.into_any(),
                    Ok(q) => view! {
                        <QueueTable items=q.items/>
                        {q.next.map(|cursor| view! {
                            <nav class="directory-pages" aria-label=Key::DirectoryPages.text(locale)>
                                <a href=next_href(cursor) rel="next" data-testid="queue-next">{Key::DirectoryNextPage.text(locale)}</a>
                            </nav>
                        })}
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn QueueTable(items: Vec<RequestView>) -> impl IntoView {
    let locale = use_locale();
    view! {
        <div class="table-wrap" tabindex="0"><table class="table request-table" data-testid="queue">
            <caption class="visually-hidden">{Key::ReviewTitle.text(locale)}</caption>
            <thead><tr>
                <th scope="col">{Key::ColUser.text(locale)}</th>
                <th scope="col">{Key::ColField.text(locale)}</th>
                <th scope="col">{Key::ColStatus.text(locale)}</th>
                <th scope="col">{Key::ColReceived.text(locale)}</th>
                <th scope="col">{Key::ColDue.text(locale)}</th>
                <th scope="col">{Key::ColAction.text(locale)}</th>
            </tr></thead>
            <tbody>
                {items.into_iter().map(|r| view! {
                    <tr class:row--overdue=r.overdue data-request=r.id.to_string()>
                        <th scope="row">{r.subject_name.clone()}</th>
                        <td>{r.field.label().text(locale)}<span class="field__hint">{r.field.spec().category.label().text(locale)}</span></td>
                        <td><StatusBadge status=r.status/></td>
                        <td><Time ms=r.received_at/></td>
                        <td>
                            <Time ms=r.due_at/>
                            {r.overdue.then(|| view! { <span class="badge badge--danger">{Key::ReqOverdue.text(locale)}</span> })}
                            {r.paused.then(|| view! { <span class="field__hint">{Key::ReviewPause.text(locale)}</span> })}
                        </td>
                        <td><a class="button button--secondary" href=format!("/review/{}", r.id)>{Key::ReviewOpen.text(locale)}</a></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

/// Actions of the review page.
#[derive(Clone, Copy)]
struct Actions {
    approve: ServerAction<ApproveRequest>,
    reject: ServerAction<RejectRequest>,
    extend: ServerAction<ExtendRequest>,
    pause: ServerAction<PauseRequest>,
}

/// One request under review.
#[component]
pub fn ReviewRequestPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let actions = Actions {
        approve: ServerAction::new(),
        reject: ServerAction::new(),
        extend: ServerAction::new(),
        pause: ServerAction::new(),
    };
    let review = Resource::new(
        move || {
            (
                id(),
                actions.approve.version().get(),
                actions.reject.version().get(),
                actions.extend.version().get(),
                actions.pause.version().get(),
            )
        },
        |(id, ..)| review_request(id),
    );
    // Confirmations go to the shell's toast (an approval names who will be informed); a
    // refusal stays next to the forms.
    toast_when(actions.approve, move |o| {
        Some(if let Some(route) = o.waiting_for {
            Key::ToastRequestApprovedAtSource.format(
                locale,
                &[("source", AtSource::source_name(route).text(locale))],
            )
        } else if o.informed_recipients.is_empty() {
            Key::ToastRequestApproved.text(locale).to_owned()
        } else {
            format!(
                "{} {}",
                Key::ToastRequestApproved.text(locale),
                Key::ReqInformed
                    .format(locale, &[("recipients", &o.informed_recipients.join(", "))])
            )
        })
    });
    toast_on_success(actions.reject);
    toast_on_success(actions.extend);
    toast_on_success(actions.pause);
    let refusal = move || {
        actions
            .approve
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| actions.reject.value().get().and_then(Result::err))
            .or_else(|| actions.extend.value().get().and_then(Result::err))
            .or_else(|| actions.pause.value().get().and_then(Result::err))
    };
    view! {
        <Title text=Key::ReviewTitle.text(locale)/>
        <section class="page">
            <p><a href="/review">{Key::ReviewBack.text(locale)}</a></p>
            <div data-testid="review-result">
                {move || refusal().map(|error| view! { <ErrorAlert error/> })}
            </div>
            <Transition fallback=move || view! { <p class="muted">{Key::Loading.text(locale)}</p> }>
                {move || review.get().map(|result| match result {
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    Ok(view) => view! { <Review view actions/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Review(view: ReviewView, actions: Actions) -> impl IntoView {
    let locale = use_locale();
    let r = view.request.clone();
    let id = r.id.to_string();
    let version = r.version.to_string();
    let pending = r.status == RequestStatus::Pending;
    let answer = answer_lines(&r, locale);
    let received = if view.received_by.is_empty() {
        view! { <p class="muted">{Key::NobodyReceived.text(locale)}</p> }.into_any()
    } else {
        view! {
            <ul class="receipt-list">
                {view.received_by.iter().map(|rc| view! {
                    <li><TimeIn key=Key::ReceiptLine ms=rc.last_at args=vec![
                        ("recipient", rc.recipient_name.clone()),
                        ("feature", rc.feature_id.clone()),
                        ("count", rc.count.to_string()),
                        ("last", "{when}".to_owned()),
                    ]/></li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <header class="page__header">
            <h1>{Key::ReviewRequestTitle.format(locale, &[("id", &id)])}</h1>
            <p class="lead">
                {if r.record_kind == RecordKind::User {
                    format!("{} · {}", r.subject_name, r.field.label().text(locale))
                } else {
                    format!("{} · {} · {}", r.subject_name, r.record_title, r.field.label().text(locale))
                }}
            </p>
            <p>
                <StatusBadge status=r.status/>
                " "{Key::ColDue.text(locale)}": "<Time ms=r.due_at/>
                {r.overdue.then(|| view! { " " <span class="badge badge--danger">{Key::ReqOverdue.text(locale)}</span> })}
                " "<span class="field__hint"><TimeIn key=Key::ReviewReceivedDue ms=r.received_at/></span>
            </p>
            {answer.into_iter().map(|line| view! { <p class="answer-line">{line}</p> }).collect_view()}
            {r.decided_at.map(|at| view! {
                <p class="muted"><TimeIn key=Key::ReviewDecidedWhen ms=at args=vec![("who", r.decided_by.clone().unwrap_or_default())]/></p>
            })}
        </header>
        <div class="compare">
            <section class="card compare__side">
                <h2 class="card__title">{Key::ReviewCurrent.text(locale)}</h2>
                <p class="compare__value" data-testid="current-value">{view.current_value.clone().unwrap_or_else(|| "—".into())}</p>
                <p class="field__hint">{Key::ColSource.text(locale)}": "{view.source.label().text(locale)}</p>
                <p class="field__hint"><TimeIn key=Key::ChangedByOn ms=view.changed_at args=vec![("who", crate::personal_data::author_name(&view.changed_by, view.field_version, locale)), ("version", view.field_version.to_string())]/></p>
                <p class="field__hint">{Key::ReviewRoute.text(locale)}": "{view.route.label().text(locale)}</p>
            </section>
            <section class="card compare__side compare__side--proposed">
                <h2 class="card__title">{Key::ColProposed.text(locale)}</h2>
                <p class="compare__value" data-testid="proposed-value">{r.proposed_value.clone()}</p>
                <h3>{Key::ReviewRequesterReason.text(locale)}</h3>
                <p>{r.reason.clone()}</p>
                {r.restrict_sharing.then(|| view! { <p class="field__hint">{Key::ReqRestricted.text(locale)}</p> })}
            </section>
        </div>
        <section>
            <h2>{Key::ReviewAlreadyReceived.text(locale)}</h2>
            {received}
        </section>
        {view.refusal.map(|why| view! { <p class="alert alert--warning" role="note" data-testid="four-eyes">{why.label().text(locale)}</p> })}
        {pending.then(|| {
            let can_approve = view.refusal.is_none();
            let (id2, id3, id4) = (id.clone(), id.clone(), id.clone());
            let (v2, v3, v4) = (version.clone(), version.clone(), version.clone());
            let paused = r.paused;
            let extended = r.extension_reason.is_some();
            // Past its deadline an extension can no longer be decided (Art. 12(3)).
            let late = r.overdue;
            view! {
                <section class="review-actions">
                    <ActionForm action=actions.approve>
                        <input type="hidden" name="id" value=id.clone()/>
                        <input type="hidden" name="request_version" value=version.clone()/>
                        <input type="hidden" name="field_version" value=view.field_version.to_string()/>
                        <button type="submit" class="button" disabled=!can_approve data-testid="approve">{Key::ReviewApprove.text(locale)}</button>
                    </ActionForm>
                    <details class="inline-editor">
                        <summary class="button button--secondary">{Key::ReviewReject.text(locale)}</summary>
                        <ActionForm action=actions.reject>
                            <input type="hidden" name="id" value=id2/>
                            <input type="hidden" name="request_version" value=v2/>
                            <div class="field">
                                <label for="reject-reason">{Key::ReviewReasonShown.text(locale)}</label>
                                <textarea id="reject-reason" name="reason" required rows="2"></textarea>
                            </div>
                            <button type="submit" class="button button--danger">{Key::ReviewReject.text(locale)}</button>
                        </ActionForm>
                    </details>
                    {(!extended && !late).then(|| view! {
                        <details class="inline-editor">
                            <summary class="button button--secondary">{Key::ReviewExtend.text(locale)}</summary>
                            <ActionForm action=actions.extend>
                                <input type="hidden" name="id" value=id3/>
                                <input type="hidden" name="request_version" value=v3/>
                                <div class="field">
                                    <label for="extend-months">{Key::ReviewExtendBy.text(locale)}</label>
                                    <select id="extend-months" name="months">
                                        <option value="1">{Key::ReviewMonthsOne.text(locale)}</option>
                                        <option value="2">{Key::ReviewMonthsTwo.text(locale)}</option>
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="extend-reason">{Key::ReviewReasonShown.text(locale)}</label>
                                    <textarea id="extend-reason" name="reason" required rows="2"></textarea>
                                </div>
                                <button type="submit" class="button">{Key::ReviewExtend.text(locale)}</button>
                            </ActionForm>
                        </details>
                    })}
                    <ActionForm action=actions.pause>
                        <input type="hidden" name="id" value=id4/>
                        <input type="hidden" name="request_version" value=v4/>
                        <input type="hidden" name="pause" value=if paused { "false" } else { "true" }/>
                        <button type="submit" class="button button--ghost">
                            {if paused { Key::ReviewResume.text(locale) } else { Key::ReviewPause.text(locale) }}
                        </button>
                    </ActionForm>
                </section>
            }
        })}
    }
}
