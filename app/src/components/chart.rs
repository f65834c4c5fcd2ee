//! The disclosure chart: one line per recipient over the days of a report, drawn as SVG by the
//! app itself, with a legend table that doubles as the accessible form of the data. Shown on
//! the sharing page's report and on the dashboard.

use crate::i18n::{plural, Key};
use crate::locale::use_locale;
use crate::sharing::Report;
use crate::time::format_date;
use leptos::prelude::*;

/// Colours of the chart's series; each series also has a dash pattern and a legend row, so
/// colour is never the only way to tell them apart.
const SERIES_COLOURS: [&str; 8] = [
    "#2563eb", "#d97706", "#059669", "#db2777", "#7c3aed", "#0891b2", "#65a30d", "#dc2626",
];
const SERIES_DASHES: [&str; 4] = ["", "6 3", "2 3", "8 3 2 3"];

/// The chart: one polyline per recipient over the days, drawn as SVG by the app itself.
#[component]
pub fn Chart(report: Report) -> impl IntoView {
    let locale = use_locale();
    let (width, height, pad) = (720.0_f64, 240.0_f64, 36.0_f64);
    let max = report
        .series
        .iter()
        .flat_map(|s| s.counts.iter().copied())
        .max()
        .unwrap_or(1)
        .max(1);
    let days = report.days.len().max(2);
    let x = move |i: usize| pad + (width - 2.0 * pad) * (i as f64) / ((days - 1) as f64);
    let y = move |n: u64| height - pad - (height - 2.0 * pad) * (n as f64) / (max as f64);
    let first = report
        .days
        .first()
        .copied()
        .map(format_date)
        .unwrap_or_default();
    let last = report
        .days
        .last()
        .copied()
        .map(format_date)
        .unwrap_or_default();
    view! {
        <p data-testid="report-total">{plural(locale, report.total).choose(Key::ReportTotalOne, Key::ReportTotal).format(locale, &[("count", &report.total.to_string())])}</p>
        <figure class="chart">
            <svg viewBox=format!("0 0 {width} {height}") role="img" aria-label=Key::ReportChartLabel.text(locale) class="chart__svg">
                <line x1=pad y1=height - pad x2=width - pad y2=height - pad class="chart__axis"/>
                <line x1=pad y1=pad x2=pad y2=height - pad class="chart__axis"/>
                <text x=pad - 6.0 y=pad + 4.0 text-anchor="end" class="chart__label">{max.to_string()}</text>
                <text x=pad - 6.0 y=height - pad + 4.0 text-anchor="end" class="chart__label">"0"</text>
                <text x=pad y=height - 10.0 class="chart__label">{first}</text>
                <text x=width - pad y=height - 10.0 text-anchor="end" class="chart__label">{last}</text>
                {report.series.iter().enumerate().map(|(i, s)| {
                    let points: Vec<String> = s.counts.iter().enumerate().map(|(d, n)| format!("{:.1},{:.1}", x(d), y(*n))).collect();
                    view! {
                        <polyline points=points.join(" ") fill="none" stroke=SERIES_COLOURS[i % SERIES_COLOURS.len()]
                            stroke-width="2" stroke-dasharray=SERIES_DASHES[i % SERIES_DASHES.len()]/>
                    }
                }).collect_view()}
            </svg>
            <figcaption>
                <table class="table table--compact">
                    <caption>{Key::ReportCaption.text(locale)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{Key::ColRecipient.text(locale)}</th>
                            <th scope="col">{Key::CsvDisclosures.text(locale)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {report.series.iter().enumerate().map(|(i, s)| view! {
                            <tr>
                                <th scope="row">
                                    <svg width="28" height="10" aria-hidden="true" class="chart__key">
                                        <line x1="0" y1="5" x2="28" y2="5" stroke=SERIES_COLOURS[i % SERIES_COLOURS.len()]
                                            stroke-width="2" stroke-dasharray=SERIES_DASHES[i % SERIES_DASHES.len()]/>
                                    </svg>
                                    " "{s.recipient_name.clone()}
                                </th>
                                <td>{s.total.to_string()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </figcaption>
        </figure>
    }
}
