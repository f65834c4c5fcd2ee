//! Which language the current page is rendered in.
//!
//! The server decides per request (cookie, then `Accept-Language`) and writes the choice into
//! `<html lang>`; the browser reads it back from there while hydrating, so both sides render
//! the same text and hydration never sees a mismatch.

use crate::i18n::Locale;
use leptos::prelude::*;

/// Determines the page language and provides it as context; returns it for convenience.
pub fn provide_locale() -> Locale {
    let locale = current_request_locale();
    provide_context(locale);
    locale
}

/// The language of the current request (for server functions wording their refusals).
pub fn request_locale() -> Locale {
    current_request_locale()
}

/// The language of the current page (English outside a page, e.g. in unit tests).
pub fn use_locale() -> Locale {
    use_context::<Locale>().unwrap_or_default()
}

#[cfg(feature = "ssr")]
fn current_request_locale() -> Locale {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Locale::default();
    };
    let header = |name: http::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    Locale::negotiate(
        header(http::header::COOKIE).as_deref(),
        header(http::header::ACCEPT_LANGUAGE).as_deref(),
    )
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
fn current_request_locale() -> Locale {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|html| html.get_attribute("lang"))
        .and_then(|tag| Locale::from_tag(&tag))
        .unwrap_or_default()
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn current_request_locale() -> Locale {
    Locale::default()
}

/// Remembers the visitor's language choice in a cookie. Submitted by a plain HTML form, so it
/// works before (or without) the browser bundle; the server then sends the browser back to the
/// page it came from.
///
/// # Errors
/// [`crate::error::AppError::Invalid`] for a language the portal does not speak.
#[server(prefix = "/api", endpoint = "locale")]
pub async fn set_locale(lang: String) -> Result<(), crate::error::AppError> {
    use crate::error::{respond_with, AppError};
    use crate::i18n::LOCALE_COOKIE;

    let locale = Locale::from_tag(&lang).ok_or_else(|| {
        respond_with(AppError::invalid(
            "lang",
            crate::i18n::Key::ErrUnsupportedLanguage,
        ))
    })?;
    let cookie = format!(
        "{LOCALE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        locale.code()
    );
    if let (Some(options), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&cookie),
    ) {
        options.append_header(http::header::SET_COOKIE, value);
    }
    Ok(())
}
