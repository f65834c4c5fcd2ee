//! The "done" message for forms posted without the browser bundle.
//!
//! With the bundle, a page shows a toast when its server action succeeds. Without it, the
//! browser posts the form to the server function, and Leptos answers a plain form post with a
//! redirect back to the page it came from (the `Referer`, same-origin only by our referrer
//! policy). This layer adds `done=<server function>` to that redirect when the call
//! succeeded, and the page's toast region shows the same message from it
//! (`app::components::toast`). Only the function's name travels, never a value.
//!
//! A refused call comes back the same way with Leptos' `__path` and `__err` in the address,
//! and the page shows that error. Any link could carry those two, so a page would show text
//! of an attacker's choosing in our error box; this layer therefore binds each such redirect
//! to a short-lived, same-site cookie holding a hash of its `__err`, and a page address with
//! an `__err` the cookie does not vouch for is sent to the same page without it.

use app::components::toast::{confirmation, DONE_PARAMETER};
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};

/// The cookie that vouches for the error of the last refused form post.
const ERROR_COOKIE: &str = "portal_form_error";
/// How long a refusal stays on its page (seconds): a reload right after still shows it.
const ERROR_COOKIE_SECONDS: u32 = 120;

/// Adds `done=<function>` to the redirect that answers a successful plain form post to a
/// server function that earns a confirmation.
pub async fn confirm_form_posts(request: Request, next: Next) -> Response {
    if request.method() == Method::GET {
        if let Some(clean) = unvouched_error(&request) {
            return Redirect::to(&clean).into_response();
        }
    }
    let path = request.uri().path().to_owned();
    let plain_form_post =
        request.method() == Method::POST && app::error::accepts_html(request.headers());
    let mut response = next.run(request).await;
    if !plain_form_post || !response.status().is_redirection() {
        return response;
    }
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(error) = location.as_deref().and_then(|l| parameter(l, "__err")) {
        let cookie = format!(
            "{ERROR_COOKIE}={}; Path=/; Max-Age={ERROR_COOKIE_SECONDS}; HttpOnly; SameSite=Strict",
            digest(error)
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
        return response;
    }
    if confirmation(&path).is_none() {
        return response;
    }
    let endpoint = path.trim_start_matches("/api/");
    if let Some(location) = location {
        if let Ok(value) = HeaderValue::from_str(&with_done(&location, endpoint)) {
            response.headers_mut().insert(header::LOCATION, value);
        }
    }
    response
}

/// For a page address with an `__err` that the request's cookie does not vouch for: the same
/// address without `__err` and `__path`.
fn unvouched_error(request: &Request) -> Option<String> {
    let query = request.uri().query()?;
    let error = parameter(query, "__err")?;
    let vouched = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .any(|(name, value)| name == ERROR_COOKIE && value == digest(error));
    if vouched {
        return None;
    }
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("__err=") && !p.starts_with("__path="))
        .collect();
    let path = request.uri().path();
    Some(if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", kept.join("&"))
    })
}

/// The raw (still percent-encoded) value of `name` in an address or a query string.
fn parameter<'a>(address: &'a str, name: &str) -> Option<&'a str> {
    let query = address.split_once('?').map_or(address, |(_, q)| q);
    query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A hash of an `__err` value, as its cookie holds it.
fn digest(error: &str) -> String {
    Sha256::digest(error.as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The address with `done=<endpoint>` in place of any earlier one.
fn with_done(location: &str, endpoint: &str) -> String {
    let (path, query) = location.split_once('?').unwrap_or((location, ""));
    let prefix = format!("{DONE_PARAMETER}=");
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with(&prefix))
        .collect();
    let done = format!("{prefix}{}", endpoint.replace('/', "%2F"));
    pairs.push(&done);
    format!("{path}?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::{parameter, with_done};

    #[test]
    fn a_parameter_is_read_from_an_address_or_a_query_without_decoding() {
        assert_eq!(
            parameter("http://h/p?a=1&__err=x%3D&b", "__err"),
            Some("x%3D")
        );
        assert_eq!(parameter("__path=/api/f&__err=y", "__err"), Some("y"));
        assert_eq!(parameter("http://h/p", "__err"), None);
    }

    #[test]
    fn the_redirect_names_the_last_action_only() {
        assert_eq!(
            with_done("http://h/users/1", "users/correct"),
            "http://h/users/1?done=users%2Fcorrect"
        );
        assert_eq!(
            with_done("/review?status=open&done=review%2Freject", "review/approve"),
            "/review?status=open&done=review%2Fapprove"
        );
    }
}
