//! The recipients' endpoints on the sharing page: where deliveries go, and the form that sets
//! or removes an endpoint and its secret. The current URL is shown masked and never pre-filled;
//! an empty URL keeps it, and removing is its own explicit checkbox.

use crate::components::error_view::ErrorAlert;
use crate::components::time::Time;
use crate::i18n::Key;
use crate::locale::use_locale;
use crate::sharing::{SetEndpoint, SharingOverview};
use leptos::prelude::*;

#[component]
pub(super) fn Endpoints(
    data: SharingOverview,
    endpoint: ServerAction<SetEndpoint>,
) -> impl IntoView {
    let locale = use_locale();
    let can_manage = data.can_manage;
    let feedback = move || {
        endpoint
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| view! { <ErrorAlert error/> })
    };
    view! {
        <section aria-labelledby="endpoints-title">
            <h2 id="endpoints-title">{Key::SharingEndpointsTitle.text(locale)}</h2>
            <p class="muted">{Key::SharingEndpointsIntro.text(locale)}</p>
            {feedback}
            <ul class="endpoint-list">
                {data.endpoints.into_iter().map(|e| {
                    let url_id = format!("endpoint-url-{}", e.recipient_id);
                    let secret_id = format!("endpoint-secret-{}", e.recipient_id);
                    let remove_id = format!("endpoint-remove-{}", e.recipient_id);
                    let hint_id = format!("endpoint-hint-{}", e.recipient_id);
                    let test_id = format!("endpoint-{}", e.recipient_id);
                    let configured = e.url.is_some();
                    // The URL arrives masked (its keys hidden), so it is shown as text and never
                    // put into the input: saving the form must not store the masked form.
                    let current = e.url.clone().map_or_else(
                        || Key::SharingEndpointNone.text(locale).into_any(),
                        |url| view! {
                            {Key::SharingEndpointCurrent.text(locale)}": "
                            <code class="endpoint__url">{url}</code>
                            {e.updated_at.map(|ms| view! { " · "<Time ms/> })}
                        }.into_any(),
                    );
                    view! {
                        <li class="card endpoint" data-testid=test_id>
                            <h3>{e.recipient_name.clone()}</h3>
                            <p class="muted">{current}</p>
                            {can_manage.then(|| view! {
                                <ActionForm action=endpoint attr:class="endpoint__form">
                                    <input type="hidden" name="recipient_id" value=e.recipient_id.clone()/>
                                    <div class="field">
                                        <label for=url_id.clone()>{Key::SharingEndpointUrl.text(locale)}</label>
                                        <input id=url_id type="url" name="url" value=""
                                            maxlength="2048" autocomplete="off" inputmode="url"
                                            aria-describedby=hint_id.clone()/>
                                        <p class="field__hint" id=hint_id>{Key::SharingEndpointRemoveHint.text(locale)}</p>
                                    </div>
                                    <div class="field">
                                        <label for=secret_id.clone()>{Key::SharingEndpointSecret.text(locale)}</label>
                                        <input id=secret_id type="password" name="secret" maxlength="256" autocomplete="new-password"/>
                                    </div>
                                    {configured.then(|| view! {
                                        <div class="field field--checkbox">
                                            <input id=remove_id.clone() type="checkbox" name="remove" value="on"/>
                                            <label for=remove_id>{Key::SharingEndpointRemove.text(locale)}</label>
                                        </div>
                                    })}
                                    <button type="submit" class="button button--secondary">{Key::SharingEndpointSave.text(locale)}</button>
                                </ActionForm>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
