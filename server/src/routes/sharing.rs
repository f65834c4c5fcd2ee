//! `GET /sharing/report.csv?feature=&from=&to=&lang=`: the disclosure report as CSV, one row
//! per day and recipient, headers in the reader's language. Tenant admins and auditors only.

use crate::auth::SessionPrincipal;
use crate::services::csv_file::CsvFile;
use crate::state::AppState;
use app::auth::Role;
use app::i18n::{Key, Locale};
use app::sharing::ReportFilter;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    feature: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    lang: Option<String>,
}

/// Streams the report as a CSV file.
pub async fn report_csv(
    State(state): State<AppState>,
    Query(query): Query<ReportQuery>,
    session: SessionPrincipal,
) -> Response {
    let principal = match session.require(&[Role::TenantAdmin, Role::Auditor]) {
        Ok(principal) => principal,
        Err(refusal) => return refusal.into_response(),
    };
    let locale = query
        .lang
        .as_deref()
        .and_then(Locale::from_tag)
        .unwrap_or_default();
    let filter = ReportFilter {
        feature: query.feature,
        from: query.from,
        to: query.to,
    };
    let report = match crate::services::sharing::build_report(
        &state.db,
        &principal,
        &filter,
        state.clock.now_ms(),
    )
    .await
    {
        Ok(report) => report,
        Err(error) => return crate::error::service_problem(error),
    };
    let mut out = CsvFile::new();
    out.row([Key::CsvDay, Key::CsvRecipient, Key::CsvDisclosures].map(|k| k.text(locale)));
    for (i, day) in report.days.iter().enumerate() {
        for series in &report.series {
            let n = series.counts.get(i).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            let date = crate::clock::to_rfc3339(*day);
            let date = date.get(..10).unwrap_or(&date);
            out.row([date, series.recipient_name.as_str(), &n.to_string()]);
        }
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"disclosures.csv\"".to_owned(),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        out.finish(),
    )
        .into_response()
}
