//! The data-flow matrix of the sharing page: which fields go to (or come from) which
//! recipient under which feature, at a glance.

use crate::domain::catalogue::field_label;
use crate::domain::states::FlowDirection;
use crate::i18n::Key;
use crate::locale::use_locale;
use crate::sharing::FeatureView;
use leptos::prelude::*;

/// Features × recipients × fields.
#[component]
pub(super) fn Matrix(features: Vec<FeatureView>) -> impl IntoView {
    let locale = use_locale();
    // Columns: each feature with each recipient it exchanges data with.
    let mut columns: Vec<(String, String, String)> = Vec::new();
    let mut rows: Vec<String> = Vec::new();
    let mut cells: std::collections::HashMap<(usize, String), (bool, bool)> =
        std::collections::HashMap::new();
    for f in &features {
        for flow in &f.flows {
            let column = match columns
                .iter()
                .position(|(id, r, _)| *id == f.id && *r == flow.recipient_id)
            {
                Some(i) => i,
                None => {
                    columns.push((
                        f.id.clone(),
                        flow.recipient_id.clone(),
                        format!("{} → {}", f.name, flow.recipient_name),
                    ));
                    columns.len() - 1
                }
            };
            for field in &flow.fields {
                if !rows.contains(&field.name) {
                    rows.push(field.name.clone());
                }
                let cell = cells.entry((column, field.name.clone())).or_default();
                if flow.direction == FlowDirection::Outbound {
                    cell.0 = true;
                } else {
                    cell.1 = true;
                }
            }
        }
    }
    // Personal data first, in catalogue order; then service data alphabetically.
    let position = |name: &str| {
        crate::domain::catalogue::FieldId::ALL
            .iter()
            .position(|f| f.as_str() == name)
            .unwrap_or(usize::MAX)
    };
    rows.sort_by(|a, b| position(a).cmp(&position(b)).then(a.cmp(b)));
    view! {
        <section class="matrix" aria-labelledby="matrix-title">
            <h2 id="matrix-title">{Key::SharingMatrixTitle.text(locale)}</h2>
            <p class="muted">{Key::SharingMatrixIntro.text(locale)}</p>
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="matrix-title">
                <table class="table table--matrix" data-testid="matrix">
                    <caption>{Key::SharingMatrixCaption.text(locale)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{Key::ColField.text(locale)}</th>
                            {columns.iter().map(|(_, _, label)| view! { <th scope="col" class="matrix__col">{label.clone()}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {rows.iter().map(|name| view! {
                            <tr>
                                <th scope="row">{field_label(name, locale)}</th>
                                {(0..columns.len()).map(|c| {
                                    let (sent, received) = cells.get(&(c, name.clone())).copied().unwrap_or_default();
                                    let mut text = Vec::new();
                                    if sent { text.push(Key::SharingSent.text(locale)); }
                                    if received { text.push(Key::SharingReceived.text(locale)); }
                                    let symbol = match (sent, received) {
                                        (true, true) => "⇄",
                                        (true, false) => "→",
                                        (false, true) => "←",
                                        _ => "",
                                    };
                                    view! {
                                        <td class="matrix__cell">
                                            <span aria-hidden="true">{symbol}</span>
                                            <span class="visually-hidden">{text.join(", ")}</span>
                                        </td>
                                    }
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
