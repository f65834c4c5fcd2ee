//! The audit log (tenant admins and auditors): filters in a plain GET form (the state is in
//! the address), events newest first with before and after, keyset pages, the CSV download
//! of the same filters, and the integrity check of the tenant's hash chain.

use crate::audit_log::{audit_events, AuditEventView, AuditFilter, VerifyAudit};
use crate::components::access_log::{AccessLog, Whose};
use crate::components::error_view::ErrorAlert;
use crate::components::time::Time;
use crate::domain::catalogue::FieldId;
use crate::i18n::{plural, Key};
use crate::locale::use_locale;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The audit-log page.
#[component]
pub fn AuditLogPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| {
            let text = |name: &str| q.get(name).unwrap_or_default();
            AuditFilter {
                actor: text("actor"),
                action: text("action"),
                user: text("user"),
                from: text("from"),
                to: text("to"),
                before: q.get("before").and_then(|b| b.parse().ok()),
            }
        })
    });
    let page = Resource::new(
        move || filter.get(),
        |f| {
            let some = |s: String| (!s.is_empty()).then_some(s);
            audit_events(
                some(f.actor),
                some(f.action),
                some(f.user),
                some(f.from),
                some(f.to),
                f.before,
            )
        },
    );
    let value = move |pick: fn(&AuditFilter) -> String| move || filter.with(pick);
    view! {
        <Title text=Key::AuditTitle.text(locale)/>
        <section class="page">
            <header class="page__header">
                <h1>{Key::AuditTitle.text(locale)}</h1>
                <p class="lead">{Key::AuditIntro.text(locale)}</p>
            </header>
            <form method="get" action="/audit-log" class="filters audit-filters">
                <div class="field">
                    <label for="a-actor">{Key::AuditActor.text(locale)}</label>
                    <input id="a-actor" name="actor" value=value(|f| f.actor.clone())/>
                </div>
                <div class="field">
                    <label for="a-action">{Key::AuditAction.text(locale)}</label>
                    <select id="a-action" name="action">
                        <option value="">{Key::DirectoryAny.text(locale)}</option>
                        <Transition fallback=|| ()>
                            {move || page.get().and_then(Result::ok).map(|p| p.actions.into_iter().map(|a| {
                                let chosen = filter.with(|f| f.action == a);
                                view! { <option value=a.clone() selected=chosen>{a.clone()}</option> }
                            }).collect_view())}
                        </Transition>
                    </select>
                </div>
                <div class="field">
                    <label for="a-user">{Key::AuditUser.text(locale)}</label>
                    <input id="a-user" name="user" value=value(|f| f.user.clone())/>
                </div>
                <div class="field">
                    <label for="a-from">{Key::AuditFrom.text(locale)}</label>
                    <input id="a-from" name="from" type="date" value=value(|f| f.from.clone())/>
                </div>
                <div class="field">
                    <label for="a-to">{Key::AuditTo.text(locale)}</label>
                    <input id="a-to" name="to" type="date" value=value(|f| f.to.clone())/>
                </div>
                <button type="submit" class="button">{Key::AuditApply.text(locale)}</button>
                <a class="button button--secondary" rel="external" download=""
                    href=move || filter.with(|f| format!("/audit-log/export?{}", f.query()))>
                    {Key::AuditCsv.text(locale)}
                </a>
            </form>
            <crate::pages::jobs::BackgroundAuditExport filter/>
            <Transition fallback=move || view! { <p class="muted">{Key::Loading.text(locale)}</p> }>
                {move || page.get().map(|result| match result {
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    Ok(p) if p.events.is_empty() => view! { <p class="muted">{Key::AuditNone.text(locale)}</p> }.into_any(),
                    Ok(p) => {
                        let base = filter.with_untracked(AuditFilter::query);
                        let sep = if base.is_empty() { "" } else { "&" };
                        let older = p.next_before.map(|b| format!("/audit-log?{base}{sep}before={b}"));
                        let newest = filter.with_untracked(|f| f.before.is_some()).then(|| format!("/audit-log?{base}"));
                        view! {
                            <Events events=p.events/>
                            <nav class="pager" aria-label=Key::DirectoryPages.text(locale)>
                                {newest.map(|href| view! { <a class="button button--secondary" href=href>{Key::AuditNewest.text(locale)}</a> })}
                                {older.map(|href| view! { <a class="button button--secondary" href=href data-testid="older">{Key::AuditOlder.text(locale)}</a> })}
                            </nav>
                        }.into_any()
                    }
                })}
            </Transition>
            // With a person chosen, who read their data: the reads beside the changes.
            {move || {
                let user = filter.with(|f| f.user.trim().to_owned());
                (!user.is_empty()).then(|| view! { <AccessLog whose=Whose::Person(user)/> })
            }}
            <Integrity/>
        </section>
    }
}

#[component]
fn Events(events: Vec<AuditEventView>) -> impl IntoView {
    let locale = use_locale();
    view! {
        <div class="table-wrap" tabindex="0"><table class="table request-table" data-testid="audit-events">
            <caption class="visually-hidden">{Key::AuditTitle.text(locale)}</caption>
            <thead><tr>
                <th scope="col">"#"</th>
                <th scope="col">{Key::ColWhen.text(locale)}</th>
                <th scope="col">{Key::ColWho.text(locale)}</th>
                <th scope="col">{Key::AuditAction.text(locale)}</th>
                <th scope="col">{Key::ColTarget.text(locale)}</th>
                <th scope="col">{Key::ColBeforeAfter.text(locale)}</th>
                <th scope="col">{Key::ColReason.text(locale)}</th>
            </tr></thead>
            <tbody>
                {events.into_iter().map(|e| view! {
                    <tr>
                        <td>{e.seq}</td>
                        <td><Time ms=e.occurred_at/></td>
                        <td>{e.actor_name}<span class="field__hint">{e.actor_kind}</span></td>
                        <th scope="row">{e.action}</th>
                        <td>
                            {e.subject_name.unwrap_or_default()}
                            <span class="field__hint">{format!("{} {}", e.target_kind, e.target_id)}</span>
                        </td>
                        <td>
                            <ul class="change-list">
                                {e.changes.into_iter().map(|c| {
                                    let label = FieldId::parse(&c.field).map_or(c.field.clone(), |f| f.label().text(locale).to_owned());
                                    view! {
                                        <li>
                                            <span class="change-list__field">{label}": "</span>
                                            <del>{c.before.unwrap_or_else(|| "—".into())}</del>
                                            " → "
                                            <ins>{c.after.unwrap_or_else(|| "—".into())}</ins>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        </td>
                        <td>{e.reason.unwrap_or_default()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

/// The integrity check of the tenant's chain.
#[component]
fn Integrity() -> impl IntoView {
    let locale = use_locale();
    let verify = ServerAction::<VerifyAudit>::new();
    view! {
        <section class="card integrity" aria-labelledby="integrity-title">
            <h2 id="integrity-title" class="card__title">{Key::AuditIntegrityTitle.text(locale)}</h2>
            <p>{Key::AuditIntegrityIntro.text(locale)}</p>
            <ActionForm action=verify>
                <button type="submit" class="button">{Key::AuditVerify.text(locale)}</button>
            </ActionForm>
            <div aria-live="polite" data-testid="integrity-result">
                {move || verify.value().get().map(|result| match result {
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    Ok(report) => match report.first_broken_seq {
                        None => view! {
                            <p class="alert alert--success" role="status">
                                {plural(locale, report.events).choose(Key::AuditIntactOne, Key::AuditIntact).format(locale, &[("count", &report.events.to_string())])}
                            </p>
                        }.into_any(),
                        Some(seq) => view! {
                            <p class="alert alert--error" role="alert">
                                {Key::AuditBroken.format(locale, &[("seq", &seq.to_string())])}
                            </p>
                        }.into_any(),
                    },
                })}
            </div>
        </section>
    }
}
