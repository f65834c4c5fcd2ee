//! Cross-site request forgery defence for every state-changing request.
//!
//! Browsers label each request with where it came from (`Sec-Fetch-Site`, and `Origin` on
//! POST); anything not from this site is refused before it reaches a handler. Clients that send
//! neither header (scripts, curl) carry no ambient browser cookies for another site's page to
//! abuse, so they pass here and meet authentication instead. Forms of a signed-in session also
//! echo a per-session token, checked by the handlers that receive them.

use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// Refuses unsafe methods whose origin is another site.
pub async fn same_origin(request: Request, next: Next) -> Response {
    if is_safe_method(request.method()) || comes_from_this_site(&request) {
        next.run(request).await
    } else {
        refused(&request, "cross-site request refused")
    }
}

/// Refuses any request, GET too, whose origin is another site: for the downloads, which are
/// GETs (a link, so they work without the bundle) but write an audit event and carry personal
/// data, so another site must not be able to set one off in a signed-in browser (its cookie is
/// `SameSite=Lax`, which top-level GETs from other sites still carry).
pub async fn this_site_only(request: Request, next: Next) -> Response {
    // Browsers without `Sec-Fetch-Site` send no `Origin` on a top-level GET either; their
    // `Referer` (the portal's policy is `same-origin`, so another site's page sends its own
    // origin or nothing) tells another site's link apart.
    if from_this_site(&request) {
        next.run(request).await
    } else {
        refused(&request, "cross-site download refused")
    }
}

/// Whether a request, GET too, came from this site's own pages (or from no page: the address
/// bar, a bookmark, a script), judged as strictly as for the downloads.
pub fn from_this_site(request: &Request) -> bool {
    comes_from_this_site(request) && !referred_by_another_site(request)
}

/// The one answer to a request from another site: 403, logged with its path (never a body).
fn refused(request: &Request, what: &'static str) -> Response {
    tracing::warn!(path = %request.uri().path(), "{what}");
    crate::error::problem(
        StatusCode::FORBIDDEN,
        "Cross-site request refused",
        &crate::request_id::current(),
    )
}

/// Whether the request names another site's page as its referrer (only asked when the browser
/// sent no `Sec-Fetch-Site`, which decides on its own when present).
fn referred_by_another_site(request: &Request) -> bool {
    let headers = request.headers();
    if headers.contains_key("sec-fetch-site") {
        return false;
    }
    let Some(referer) = headers.get(header::REFERER).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let authority = referer
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or_default());
    !authority.is_some_and(|a| a.eq_ignore_ascii_case(host))
}

fn is_safe_method(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn comes_from_this_site(request: &Request) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        // `none`: typed in the address bar or a bookmark, not another site's page.
        return site == "same-origin" || site == "none";
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    origin
        .split_once("://")
        .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
}
