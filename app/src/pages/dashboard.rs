//! The admin dashboard (tenant admins; the server enforces it): open correction requests and
//! their deadlines, follow-ups owed to recipients, sharing features on and off, and
//! disclosures per recipient over the last 30 days.

use crate::components::chart::Chart;
use crate::components::error_view::ErrorAlert;
use crate::components::time::{use_now, TimeIn};
use crate::dashboard::{get_dashboard, DashboardView};
use crate::domain::catalogue::field_label;
use crate::i18n::{plural, Key};
use crate::locale::use_locale;
use leptos::prelude::*;
use leptos_meta::Title;

/// The dashboard page.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let locale = use_locale();
    let data = Resource::new(|| (), |_| get_dashboard());
    view! {
        <Title text=Key::DashboardTitle.text(locale)/>
        <section class="page dashboard">
            <header class="page__header">
                <h1>{Key::DashboardTitle.text(locale)}</h1>
                <p class="lead">{Key::DashboardIntro.text(locale)}</p>
            </header>
            <Transition fallback=move || view! { <p class="muted">{Key::Loading.text(locale)}</p> }>
                {move || data.get().map(|result| match result {
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    Ok(view) => view! { <Board data=view/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Board(data: DashboardView) -> impl IntoView {
    let locale = use_locale();
    // The page's shared "now" (the server's render time while hydrating), so the wording of a
    // deadline is the same on both sides.
    let now = use_now().get_untracked();
    let on = data.features.iter().filter(|f| f.enabled).count();
    let total = data.features.len();
    let outdated = data.features.iter().filter(|f| f.consent_outdated).count();
    let note = |alert: bool| {
        if alert {
            "tile__note tile__note--alert"
        } else {
            "tile__note"
        }
    };
    let request_note = note(data.overdue_requests > 0);
    let task_note = note(data.overdue_follow_ups > 0);
    view! {
        <div class="dashboard__tiles">
            <section class="card tile" aria-labelledby="tile-requests" data-testid="tile-requests">
                <h2 id="tile-requests" class="card__title">{Key::DashRequests.text(locale)}</h2>
                <p class="tile__figure">{data.open_requests.to_string()}</p>
                <p class=request_note>
                    {plural(locale, data.overdue_requests).choose(Key::DashOverdueCountOne, Key::DashOverdueCount).format(locale, &[("count", &data.overdue_requests.to_string())])}
                </p>
                <p class=note(data.overdue_at_source > 0) data-testid="at-source">
                    {plural(locale, data.waiting_for_source).choose(Key::DashAtSourceOne, Key::DashAtSource).format(locale, &[
                        ("count", &data.waiting_for_source.to_string()),
                        ("overdue", &data.overdue_at_source.to_string()),
                    ])}
                </p>
                <a href="/review">{Key::DashViewQueue.text(locale)}</a>
            </section>
            <section class="card tile" aria-labelledby="tile-follow-ups" data-testid="tile-follow-ups">
                <h2 id="tile-follow-ups" class="card__title">{Key::DashFollowUps.text(locale)}</h2>
                <p class="tile__figure">{data.open_follow_ups.to_string()}</p>
                <p class=task_note>
                    {Key::DashFollowUpsLine.format(locale, &[
                        ("overdue", &data.overdue_follow_ups.to_string()),
                        ("failed", &data.failed_follow_ups.to_string()),
                    ])}
                </p>
                <a href="/sharing#tasks-title">{Key::DashViewSharing.text(locale)}</a>
            </section>
            <section class="card tile" aria-labelledby="tile-features" data-testid="tile-features">
                <h2 id="tile-features" class="card__title">{Key::DashFeatures.text(locale)}</h2>
                <p class="tile__figure">{Key::DashFeaturesLine.format(locale, &[("on", &on.to_string()), ("total", &total.to_string())])}</p>
                {(outdated > 0).then(|| view! {
                    <p class="tile__note tile__note--alert">{Key::DashConsentOutdated.format(locale, &[("count", &outdated.to_string())])}</p>
                })}
                <ul class="tile__list">
                    {data.features.iter().map(|f| {
                        let (label, class) = if f.enabled {
                            (Key::SharingOn, "badge badge--success")
                        } else {
                            (Key::SharingOff, "badge badge--neutral")
                        };
                        view! { <li>{f.name.clone()}" "<span class=class>{label.text(locale)}</span></li> }
                    }).collect_view()}
                </ul>
            </section>
        </div>
        <section aria-labelledby="due-title">
            <h2 id="due-title">{Key::DashNextDue.text(locale)}</h2>
            {if data.next_due.is_empty() {
                view! { <p class="card">{Key::DashNoOpenRequests.text(locale)}</p> }.into_any()
            } else {
                view! {
                    <ul class="due-list" data-testid="next-due">
                        {data.next_due.iter().map(|r| {
                            let when = if r.paused {
                                Key::DashPaused.text(locale).into_any()
                            } else if r.due_at < now {
                                view! { <TimeIn key=Key::DashWasDue ms=r.due_at/> }.into_any()
                            } else {
                                view! { <TimeIn key=Key::DashDueWhen ms=r.due_at/> }.into_any()
                            };
                            let class = if r.overdue { "badge badge--danger" } else if r.paused { "badge badge--neutral" } else { "badge badge--warning" };
                            let field = field_label(&r.field, locale);
                            view! {
                                <li class="card due">
                                    <a href=format!("/review/{}", r.id)>{r.subject_name.clone()}" · "{field}</a>
                                    " "
                                    <span class=class>{when}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section aria-labelledby="dash-disclosures">
            <h2 id="dash-disclosures">{Key::DashDisclosures.text(locale)}</h2>
            {if data.disclosures.total == 0 {
                view! { <p class="card">{Key::ReportEmpty.text(locale)}</p> }.into_any()
            } else {
                view! { <Chart report=data.disclosures.clone()/> }.into_any()
            }}
        </section>
    }
}
