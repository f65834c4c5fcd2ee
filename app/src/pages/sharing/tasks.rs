//! The follow-ups owed to recipients (deletions and corrections to pass on), with their
//! delivery state and the button that marks one done.

use crate::components::error_view::ErrorAlert;
use crate::components::time::Time;
use crate::domain::catalogue::field_label;
use crate::domain::states::{TaskKind, TaskStatus};
use crate::i18n::{plural, Key};
use crate::locale::use_locale;
use crate::sharing::{CompleteTask, SharingOverview};
use leptos::prelude::*;

fn task_status(status: TaskStatus) -> (Key, &'static str) {
    let class = match status {
        TaskStatus::Sent => "badge--info",
        TaskStatus::Acknowledged | TaskStatus::Done => "badge--success",
        TaskStatus::Failed => "badge--danger",
        TaskStatus::Open => "badge--warning",
    };
    (status.label(), class)
}

#[component]
pub(super) fn Tasks(data: SharingOverview, task: ServerAction<CompleteTask>) -> impl IntoView {
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
                                    let field = || t.field.as_deref().map(|f| field_label(f, locale)).unwrap_or_default();
                                    let what = match t.kind {
                                        TaskKind::DeleteAtRecipient => {
                                            let feature = t.feature_id.as_ref().and_then(|f| features.get(f)).cloned().unwrap_or_default();
                                            Key::SharingTaskDelete.format(locale, &[("feature", &feature)])
                                        }
                                        TaskKind::NotifyRestriction => Key::SharingTaskRestrict.format(locale, &[("field", &field())]),
                                        TaskKind::NotifyRestrictionLifted => Key::SharingTaskRestrictLifted.format(locale, &[("field", &field())]),
                                        TaskKind::NotifyCorrection => Key::SharingTaskNotify.format(locale, &[("field", &field())]),
                                    };
                                    let (status, class) = task_status(t.status);
                                    let open = !t.status.is_settled();
                                    view! {
                                        <tr>
                                            <td>{what}{t.record_id.clone().map(|r| view! { <br/><span class="muted small mono">{r}</span> })}</td>
                                            <td>{t.recipient_name.clone()}</td>
                                            <td>
                                                <span class=format!("badge {class}")>{status.text(locale)}</span>
                                                {(t.attempts > 0).then(|| view! { " "<span class="muted small">{plural(locale, u64::from(t.attempts.unsigned_abs())).choose(Key::SharingTaskAttemptsOne, Key::SharingTaskAttempts).format(locale, &[("count", &t.attempts.to_string())])}</span> })}
                                                {(!t.deliverable && t.status == TaskStatus::Open).then(|| view! { <br/><span class="muted small">{Key::SharingTaskManual.text(locale)}</span> })}
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
