//! The disclosure report of the sharing page: a filter form that works without JavaScript,
//! the chart and the CSV download.

use crate::components::chart::Chart;
use crate::components::error_view::ErrorAlert;
use crate::i18n::Key;
use crate::locale::use_locale;
use crate::sharing::{disclosure_report, get_sharing, ReportFilter};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The report: a GET form (shareable, works without JavaScript), the chart, a table of totals
/// and the CSV download.
#[component]
pub(super) fn ReportSection() -> impl IntoView {
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
