//! Exports and imports (`/jobs`, tenant admins): the tenant's background jobs with a progress
//! bar, their state and times, the download of a finished export, cancelling one still queued
//! or running, and the import form. Without the browser bundle a reload shows the current state
//! and the forms post and come back here; with it, the page asks for fresh progress every
//! second while a job is queued or running, and stops when none is.
//!
//! Also the "in the background" export buttons that the user page and the audit log embed.

use crate::audit_log::AuditFilter;
use crate::auth::Role;
use crate::components::error_view::ErrorAlert;
use crate::components::layout::SessionResource;
use crate::components::time::Time;
use crate::components::toast::toast_on_success;
use crate::i18n::Key;
use crate::jobs::{
    list_jobs, CancelJob, JobKind, JobList, JobState, JobView, StartExport, IMPORT_MAX_BYTES,
    MAX_ACTIVE_JOBS, POLL_MILLIS,
};
use crate::locale::use_locale;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The jobs page.
#[component]
pub fn JobsPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let cancel = ServerAction::<CancelJob>::new();
    toast_on_success(cancel);
    // The server renders the first list; the browser then replaces it with fresh ones, so a
    // progress update changes numbers in place instead of redrawing the page (and the focus).
    let first = Resource::new(|| (), |_| list_jobs());
    let fresh = RwSignal::new(None::<JobList>);
    let refresh_pending = StoredValue::new(false);
    let refresh = move || {
        leptos::task::spawn_local(async move {
            if let Ok(list) = list_jobs().await {
                fresh.set(Some(list));
            }
            refresh_pending.set_value(false);
        });
    };
    // Poll while something is queued or running; one request in flight at most.
    Effect::new(move |_| {
        let active = match fresh.get() {
            Some(list) => list.any_active(),
            None => first
                .get()
                .and_then(Result::ok)
                .is_some_and(|l| l.any_active()),
        };
        if active && !refresh_pending.get_value() {
            refresh_pending.set_value(true);
            set_timeout(refresh, std::time::Duration::from_millis(POLL_MILLIS));
        }
    });
    // A cancellation shows at once.
    Effect::new(move |previous: Option<usize>| {
        let version = cancel.version().get();
        if previous.is_some_and(|p| p != version) {
            refresh();
        }
        version
    });
    let import_error = move || {
        query.with(|q| match q.get("import").as_deref() {
            Some("empty") => Some(Key::JobsImportEmpty.text(locale).to_owned()),
            Some("too_large") => Some(
                Key::JobsImportTooLarge.format(locale, &[("size", &megabytes(IMPORT_MAX_BYTES))]),
            ),
            Some("unreadable") => Some(Key::JobsImportUnreadable.text(locale).to_owned()),
            Some("too_many") => {
                Some(Key::JobsTooMany.format(locale, &[("count", &MAX_ACTIVE_JOBS.to_string())]))
            }
            _ => None,
        })
    };
    view! {
        <Title text=Key::JobsTitle.text(locale)/>
        <section class="page">
            <header class="page__header">
                <h1>{Key::JobsTitle.text(locale)}</h1>
                <p class="lead">{Key::JobsIntro.text(locale)}</p>
            </header>
            <section aria-labelledby="jobs-title">
                <h2 id="jobs-title">{Key::JobsListTitle.text(locale)}</h2>
                <Transition fallback=move || view! { <p class="muted">{Key::Loading.text(locale)}</p> }>
                    {move || first.get().map(|result| match result {
                        Err(error) => view! { <ErrorAlert error/> }.into_any(),
                        Ok(list) => {
                            let list = Signal::derive(move || fresh.get().unwrap_or_else(|| list.clone()));
                            view! { <JobCards list cancel/> }.into_any()
                        }
                    })}
                </Transition>
            </section>
            <section class="card" aria-labelledby="import-title">
                <h2 id="import-title" class="card__title">{Key::JobsImportTitle.text(locale)}</h2>
                <p>{Key::JobsImportIntro.text(locale)}</p>
                {move || import_error().map(|message| view! {
                    <div class="alert alert--error" role="alert" data-testid="import-error">{message}</div>
                })}
                // A plain multipart form: it works without the browser bundle, and a file does
                // not travel through a server function.
                <form method="post" action="/jobs/import" enctype="multipart/form-data" class="job-import">
                    <div class="field">
                        <label for="import-file">
                            {Key::JobsImportFile.format(locale, &[("size", &megabytes(IMPORT_MAX_BYTES))])}
                        </label>
                        <input id="import-file" name="file" type="file" required
                            accept=".jsonl,.ndjson,.json,.txt,application/x-ndjson,application/json,text/plain"/>
                    </div>
                    <button type="submit" class="button">{Key::JobsImportStart.text(locale)}</button>
                </form>
            </section>
        </section>
    }
}

fn megabytes(bytes: usize) -> String {
    (bytes / (1024 * 1024)).to_string()
}

fn kilobytes(bytes: u64) -> String {
    bytes.div_ceil(1024).to_string()
}

/// The list of jobs, one card each; a card is redrawn when its job changes state, and only its
/// progress changes in place otherwise.
#[component]
fn JobCards(list: Signal<JobList>, cancel: ServerAction<CancelJob>) -> impl IntoView {
    let locale = use_locale();
    view! {
        <Show
            when=move || list.with(|l| !l.jobs.is_empty())
            fallback=move || view! { <p class="muted" data-testid="jobs-empty">{Key::JobsEmpty.text(locale)}</p> }
        >
            <ol class="job-list" data-testid="jobs">
                <For
                    each=move || list.get().jobs
                    key=|job| (job.id, job.state, job.result_size, job.finished_at)
                    let:job
                >
                    <JobCard job list cancel/>
                </For>
            </ol>
        </Show>
    }
}

#[component]
fn JobCard(job: JobView, list: Signal<JobList>, cancel: ServerAction<CancelJob>) -> impl IntoView {
    let locale = use_locale();
    let id = job.id;
    let latest = {
        let job = job.clone();
        Memo::new(move |_| {
            list.with(|l| l.jobs.iter().find(|j| j.id == id).cloned())
                .unwrap_or_else(|| job.clone())
        })
    };
    let title_id = format!("job-{id}-title");
    let labelled_by = title_id.clone();
    let number = Key::JobsNumber.format(locale, &[("id", &id.to_string())]);
    let of_job = Key::JobsOfJob.format(locale, &[("id", &id.to_string())]);
    let subject = job
        .subject_name
        .clone()
        .or_else(|| job.subject_user_id.clone())
        .map(|name| format!(" · {}", Key::JobsAbout.format(locale, &[("name", &name)])));
    let is_import = job.kind == JobKind::ImportDirectory;
    let state = job.state;
    let progress_text = move || {
        let j = latest.get();
        if j.state == JobState::Queued {
            return Key::JobsProgressWaiting.text(locale).to_owned();
        }
        let percent = j.percent().unwrap_or(0).to_string();
        let done = if j.state == JobState::Done {
            j.progress_total
        } else {
            j.progress_done.min(j.progress_total)
        };
        if is_import {
            Key::JobsProgressBytes.format(
                locale,
                &[
                    ("done", &kilobytes(done)),
                    ("total", &kilobytes(j.progress_total)),
                    ("percent", &percent),
                ],
            )
        } else {
            Key::JobsProgressSteps.format(
                locale,
                &[
                    ("done", &done.to_string()),
                    ("total", &j.progress_total.to_string()),
                    ("percent", &percent),
                ],
            )
        }
    };
    // Queued: an indeterminate bar (no value). Otherwise the share done, as a percentage.
    let bar_value = move || {
        let j = latest.get();
        (j.state != JobState::Queued).then(|| j.percent().unwrap_or(0))
    };
    let import_summary = job.accepted.zip(job.rejected).map(|(accepted, rejected)| {
        let more = (usize::try_from(rejected).unwrap_or(usize::MAX) > job.rejections.len())
            .then(|| Key::JobsRejectionsMore.format(locale, &[("count", &job.rejections.len().to_string())]));
        let rejections = job.rejections.clone();
        view! {
            <p data-testid="job-counts">
                {Key::JobsImportCounts.format(locale, &[("accepted", &accepted.to_string()), ("rejected", &rejected.to_string())])}
            </p>
            {(!rejections.is_empty()).then(|| view! {
                <div class="table-wrap" tabindex="0" role="region" aria-label=format!("{}{}", Key::JobsRejectionsTitle.text(locale), of_job.clone())>
                    <table class="table job-rejections" data-testid="job-rejections">
                        <caption>{Key::JobsRejectionsTitle.text(locale)}</caption>
                        <thead><tr>
                            <th scope="col">{Key::JobsColLine.text(locale)}</th>
                            <th scope="col">{Key::JobsColField.text(locale)}</th>
                            <th scope="col">{Key::JobsColReason.text(locale)}</th>
                        </tr></thead>
                        <tbody>
                            {rejections.into_iter().map(|r| view! {
                                <tr>
                                    <th scope="row">{r.line}</th>
                                    <td>{r.field.unwrap_or_else(|| "—".into())}</td>
                                    <td>{r.reason.message(locale)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
            {more.map(|text| view! { <p class="muted">{text}</p> })}
        }
    });
    let download = job.download_href().map(|href| {
        let size = kilobytes(job.result_size.unwrap_or(0));
        view! {
            <a class="button" rel="external" download="" href=href data-testid="job-download">
                {Key::JobsDownload.format(locale, &[("size", &size)])}
                <span class="visually-hidden">{of_job.clone()}</span>
            </a>
        }
    });
    let cancel_form = state.is_active().then(|| {
        view! {
            <ActionForm action=cancel attr:class="inline-form">
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="button button--secondary" data-testid="job-cancel">
                    {Key::JobsCancel.text(locale)}
                    <span class="visually-hidden">{of_job.clone()}</span>
                </button>
            </ActionForm>
        }
    });
    view! {
        <li class="card job" data-testid="job" data-job-id=id data-state=state.as_str() aria-labelledby=labelled_by>
            <h3 id=title_id class="card__title">
                {number}": "{job.kind.label().text(locale)}{subject}
            </h3>
            <dl class="job__facts">
                <div>
                    <dt>{Key::JobsState.text(locale)}</dt>
                    <dd data-testid="job-state">{state.label().text(locale)}</dd>
                </div>
                <div>
                    <dt>{Key::JobsStartedBy.text(locale)}</dt>
                    <dd>{job.owner_name.clone()}</dd>
                </div>
                <div>
                    <dt>{Key::JobsCreated.text(locale)}</dt>
                    <dd><Time ms=job.created_at/></dd>
                </div>
                {job.finished_at.map(|t| view! {
                    <div>
                        <dt>{Key::JobsFinished.text(locale)}</dt>
                        <dd><Time ms=t/></dd>
                    </div>
                })}
            </dl>
            <div class="job__progress">
                <progress
                    max="100"
                    value=bar_value
                    aria-label=Key::JobsProgressLabel.format(locale, &[("id", &id.to_string())])
                    data-testid="job-progress-bar"
                ></progress>
                <span class="job__progress-text" data-testid="job-progress">{progress_text}</span>
            </div>
            {job.error.map(|e| view! { <p class="alert alert--error" data-testid="job-error">{e.message().text(locale)}</p> })}
            {(state == JobState::Cancelled).then(|| view! { <p class="muted">{Key::JobsCancelled.text(locale)}</p> })}
            {import_summary}
            {(download.is_some() || cancel_form.is_some()).then(|| view! {
                <div class="form-actions">{download}{cancel_form}</div>
            })}
        </li>
    }
}

/// "Export … in the background" buttons for one user (the user page).
#[component]
pub fn BackgroundExport(user_id: String) -> impl IntoView {
    let locale = use_locale();
    let start = ServerAction::<StartExport>::new();
    toast_on_success(start);
    let form = move |kind: JobKind, label: Key, user_id: String| {
        view! {
            <ActionForm action=start attr:class="inline-form">
                <input type="hidden" name="kind" value=kind.as_str()/>
                <input type="hidden" name="user_id" value=user_id/>
                <button type="submit" class="button button--secondary">{label.text(locale)}</button>
            </ActionForm>
        }
    };
    view! {
        <div class="form-actions job-start" data-testid="background-export">
            {form(JobKind::ExportUserJson, Key::JobsExportJsonBackground, user_id.clone())}
            {form(JobKind::ExportUserCsv, Key::JobsExportCsvBackground, user_id)}
            <a href="/jobs" class="button button--ghost">{Key::NavJobs.text(locale)}</a>
        </div>
        {move || start.value().get().and_then(Result::err).map(|error| view! { <ErrorAlert error/> })}
    }
}

/// "Export CSV in the background" for the audit log with its current filters; shown to tenant
/// admins only (jobs are theirs).
#[component]
pub fn BackgroundAuditExport(filter: Memo<AuditFilter>) -> impl IntoView {
    let locale = use_locale();
    let start = ServerAction::<StartExport>::new();
    toast_on_success(start);
    let session = use_context::<SessionResource>();
    // Awaited, not read with `get`: the layout's Transitions read the same Resource, and several
    // reactive readers of one Resource can stall a streamed page (see `Layout`).
    let is_admin = move || async move {
        let Some(session) = session else { return false };
        session
            .await
            .ok()
            .and_then(|i| i.user)
            .is_some_and(|u| u.roles.contains(&Role::TenantAdmin))
    };
    let value = move |pick: fn(&AuditFilter) -> String| move || filter.with(pick);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move { is_admin().await.then(|| view! {
                <ActionForm action=start attr:class="inline-form job-start">
                    <input type="hidden" name="kind" value=JobKind::ExportAuditCsv.as_str()/>
                        <input type="hidden" name="actor" value=value(|f| f.actor.clone())/>
                    <input type="hidden" name="action" value=value(|f| f.action.clone())/>
                    <input type="hidden" name="user" value=value(|f| f.user.clone())/>
                    <input type="hidden" name="from" value=value(|f| f.from.clone())/>
                    <input type="hidden" name="to" value=value(|f| f.to.clone())/>
                    <button type="submit" class="button button--secondary">{Key::JobsExportCsvBackground.text(locale)}</button>
                </ActionForm>
            }) })}
        </Transition>
        {move || start.value().get().and_then(Result::err).map(|error| view! { <ErrorAlert error/> })}
    }
}
