//! The "done" message for forms posted without the browser bundle.
//!
//! With the bundle, a page shows a toast when its server action succeeds. Without it, the
//! browser posts the form to the server function, and Leptos answers a plain form post with a
//! redirect back to the page it came from (the `Referer`, same-origin only by our referrer
//! policy). This layer adds `done=<server function>` to that redirect when the call
//! succeeded, and the page's toast region shows the same message from it
//! (`app::components::toast`). Only the function's name travels, never a value.

use app::components::toast::{confirmation, DONE_PARAMETER};
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;

/// Adds `done=<function>` to the redirect that answers a successful plain form post to a
/// server function that earns a confirmation.
pub async fn confirm_form_posts(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let plain_form_post = request.method() == Method::POST
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    let mut response = next.run(request).await;
    if !plain_form_post || !response.status().is_redirection() || confirmation(&path).is_none() {
        return response;
    }
    let endpoint = path.trim_start_matches("/api/");
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // A refused call carries its error in the address instead (Leptos' `__err`), and the page
    // shows that.
    if let Some(location) = location.filter(|l| !l.contains("__err=")) {
        if let Ok(value) = HeaderValue::from_str(&with_done(&location, endpoint)) {
            response.headers_mut().insert(header::LOCATION, value);
        }
    }
    response
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
    use super::with_done;

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
