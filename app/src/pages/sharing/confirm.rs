//! The confirmation step of turning a feature on or off: what the change reaches, the terms to
//! agree to where consent is needed, and confirm or cancel, with focus kept in place.

use super::Pending;
use crate::components::error_view::ErrorAlert;
use crate::domain::catalogue::field_label;
use crate::i18n::Key;
use crate::locale::use_locale;
use crate::sharing::{preview_feature, DisableFeature, EnableFeature};
use leptos::prelude::*;

/// The confirmation step: impact preview, the terms and "I agree" where needed, confirm or
/// cancel. Escape cancels.
#[component]
pub(super) fn Confirm(
    feature_id: String,
    on: bool,
    pending: RwSignal<Pending>,
    enable: ServerAction<EnableFeature>,
    disable: ServerAction<DisableFeature>,
) -> impl IntoView {
    let locale = use_locale();
    let opener = format!("{}-{}", if on { "on" } else { "off" }, feature_id);
    let preview = Resource::new(
        move || (feature_id.clone(), on),
        |(feature_id, on)| preview_feature(feature_id, on),
    );
    let error = move || {
        let result = if on {
            enable.value().get()
        } else {
            disable.value().get()
        };
        result
            .and_then(Result::err)
            .map(|error| view! { <ErrorAlert error/> })
    };
    // Focus moves into the step when it opens, and back to the button that opened it when it
    // closes, so keyboard users never lose their place.
    let panel = NodeRef::<leptos::html::Section>::new();
    Effect::new(move |_| {
        if let Some(panel) = panel.get() {
            let _focus_is_best_effort = panel.focus();
        }
    });
    let close = move || {
        pending.set(None);
        #[cfg(feature = "hydrate")]
        if let Some(button) = document().get_element_by_id(&opener) {
            use wasm_bindgen::JsCast;
            if let Ok(button) = button.dyn_into::<web_sys::HtmlElement>() {
                let _focus_is_best_effort = button.focus();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &opener;
    };
    let close = Callback::new(move |()| close());
    view! {
        <section class="confirm" role="dialog" aria-modal="false" aria-labelledby="confirm-title"
            data-testid="confirm" tabindex="-1" node_ref=panel
            on:keydown=move |ev| if ev.key() == "Escape" { close.run(()) }>
            <Suspense fallback=move || view! { <p class="muted">{Key::Loading.text(locale)}</p> }>
                {move || preview.get().map(|result| match result {
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    Ok(p) => {
                        let title = if on {
                            Key::SharingPreviewOn.format(locale, &[("feature", &p.feature_name)])
                        } else {
                            Key::SharingPreviewOff.format(locale, &[("feature", &p.feature_name)])
                        };
                        let fields_intro = if on { Key::SharingPreviewStart } else { Key::SharingPreviewStop };
                        let terms = p.terms.clone();
                        let form = if on {
                            view! {
                                <ActionForm action=enable attr:class="confirm__form">
                                    <input type="hidden" name="feature_id" value=p.feature_id.clone()/>
                                    <input type="hidden" name="base_version" value=p.version.to_string()/>
                                    <input type="hidden" name="terms_version" value=terms.as_ref().map_or(0, |t| t.version).to_string()/>
                                    {terms.map(|t| view! {
                                        <h4>{Key::SharingTermsTitle.format(locale, &[("version", &t.version.to_string())])}</h4>
                                        <div class="terms" tabindex="0" data-testid="terms">{t.text}</div>
                                        <div class="field field--checkbox">
                                            <input type="checkbox" id="consent" name="consent" value="on" required=true/>
                                            <label for="consent">{Key::SharingAgree.text(locale)}</label>
                                        </div>
                                    })}
                                    <div class="confirm__buttons">
                                        <button type="submit" class="button button--primary" data-testid="confirm-on">
                                            {Key::SharingConfirmOn.text(locale)}
                                        </button>
                                        <button type="button" class="button button--ghost" on:click=move |_| close.run(())>
                                            {Key::SharingCancel.text(locale)}
                                        </button>
                                    </div>
                                </ActionForm>
                            }.into_any()
                        } else {
                            view! {
                                <p>{Key::SharingOffExplained.text(locale)}</p>
                                <ActionForm action=disable attr:class="confirm__form">
                                    <input type="hidden" name="feature_id" value=p.feature_id.clone()/>
                                    <input type="hidden" name="base_version" value=p.version.to_string()/>
                                    <div class="confirm__buttons">
                                        <button type="submit" class="button button--danger" data-testid="confirm-off">
                                            {Key::SharingConfirmOff.text(locale)}
                                        </button>
                                        <button type="button" class="button button--ghost" on:click=move |_| close.run(())>
                                            {Key::SharingCancel.text(locale)}
                                        </button>
                                    </div>
                                </ActionForm>
                            }.into_any()
                        };
                        view! {
                            <h4 id="confirm-title">{title}</h4>
                            <p data-testid="preview-scope">{Key::SharingPreviewScope.format(locale, &[
                                ("users", &p.users.to_string()),
                                ("devices", &p.devices.to_string()),
                                ("apps", &p.apps.to_string()),
                            ])}</p>
                            <p>{fields_intro.text(locale)}</p>
                            <ul>
                                {p.flows.iter().map(|flow| {
                                    let fields: Vec<String> = flow.fields.iter().map(|f| field_label(f, locale)).collect();
                                    let kind = if flow.is_agent { Key::SharingAgent } else { Key::SharingThirdParty };
                                    view! {
                                        <li><strong>{flow.recipient_name.clone()}</strong>" ("{kind.text(locale)}"): "{fields.join(", ")}</li>
                                    }
                                }).collect_view()}
                            </ul>
                            {form}
                        }.into_any()
                    }
                })}
            </Suspense>
            {error}
        </section>
    }
}
