//! The language of the request being handled, for the doors that word messages outside a page.
//!
//! Pages choose their language themselves (cookie, then `Accept-Language`). The REST API, the
//! plain download routes and their RFC 9457 problems have no page to ask, and an error is
//! often built far from the handler; like the request id, the language is kept in a task-local
//! so that any door can word a service's refusal in its reader's language.

use app::i18n::Locale;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

tokio::task_local! {
    static LANGUAGE: Locale;
}

/// Makes the request's language available to [`current`] while the request is handled. The
/// REST API speaks `Accept-Language` only (it never reads cookies); pages and their routes
/// also honour the remembered choice.
pub async fn scope(request: Request, next: Next) -> Response {
    let locale = {
        let headers = request.headers();
        let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
        let cookie = if request.uri().path().starts_with(crate::api::BASE) {
            None
        } else {
            header(header::COOKIE)
        };
        Locale::negotiate(cookie, header(header::ACCEPT_LANGUAGE))
    };
    LANGUAGE.scope(locale, next.run(request)).await
}

/// The current request's language. Inside a page being rendered, Leptos runs resources on
/// tasks of their own, where the task-local is absent; the page's request context is there,
/// so the page's language is read from it. English outside a request (start-up, jobs, CLI).
pub fn current() -> Locale {
    LANGUAGE
        .try_with(|l| *l)
        .unwrap_or_else(|_| app::locale::request_locale())
}
