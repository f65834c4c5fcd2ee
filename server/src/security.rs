//! The HTTP hardening every response goes through: security headers (a Content-Security-Policy
//! with a per-request nonce for Leptos' hydration scripts), a request body limit, a per-address
//! rate limit on sign-in, and 503 instead of 500 while the database is unreachable.
//!
//! It is one middleware ([`harden`]) outside the session, CSRF and API layers, so pages, server
//! functions, file downloads, the REST API and even panic pages get the same treatment.

use crate::config::Config;
use crate::rate_limit::Limiter;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sea_orm::DatabaseConnection;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// The nonce of one response's Content-Security-Policy, put into the request's extensions so
/// that page rendering stamps the same value on its inline scripts (see [`provide_nonce`]).
#[derive(Clone, Debug)]
pub struct CspNonce(String);

impl CspNonce {
    /// A fresh nonce: 244 random bits (two UUIDv4, from the operating system's generator).
    fn generate() -> CspNonce {
        CspNonce(format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        ))
    }

    /// The nonce as it appears in the header and the `nonce` attribute.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Makes Leptos stamp this request's nonce on the scripts it renders. Called from the context
/// function of the page routes; leptos_axum has already provided a random nonce of its own by
/// then, which this one replaces so the header and the page agree.
pub fn provide_nonce() {
    if let Some(parts) = leptos::prelude::use_context::<http::request::Parts>() {
        if let Some(nonce) = parts.extensions.get::<CspNonce>() {
            leptos::prelude::provide_context(leptos::nonce::Nonce::from_value(nonce.as_str()));
        }
    }
}

/// What [`harden`] needs, built once at start-up.
pub struct Hardening {
    hsts: bool,
    body_limit: usize,
    sign_in: Limiter,
    db: DatabaseConnection,
}

impl Hardening {
    /// The hardening configured by `config`, checking the database `db` when a request fails.
    pub fn new(config: &Config, db: DatabaseConnection, sign_in: Limiter) -> Arc<Hardening> {
        Arc::new(Hardening {
            // HSTS over plain HTTP is ignored by browsers, and on a development machine it would
            // pin localhost to HTTPS; `cookie_secure` is the setting that says "served over HTTPS".
            hsts: config.cookie_secure,
            body_limit: config.request_body_limit_bytes,
            sign_in,
            db,
        })
    }
}

/// The middleware: refuses oversized bodies (413) and sign-in floods (429), turns failures
/// during a database outage into 503, and sets the security headers on every answer.
pub async fn harden(
    State(hardening): State<Arc<Hardening>>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = CspNonce::generate();
    let static_asset = is_static_asset(request.uri().path());
    let mut response = match admit(&hardening, request).await {
        Ok(admitted) => {
            request = admitted;
            request.extensions_mut().insert(nonce.clone());
            let response = next.run(request).await;
            during_outage(&hardening.db, response).await
        }
        Err(refused) => refused,
    };
    set_headers(response.headers_mut(), &nonce, hardening.hsts);
    // Pages, server functions, the REST API and downloads hold personal data: no browser or
    // shared cache may keep a copy (the back button after sign-out, a proxy). Only the bundle,
    // styles and icons, which hold none, may be cached, and only when found (a missing one is
    // answered by the not-found page); an answer that chose its own policy keeps it.
    let cacheable = static_asset && response.status().is_success();
    if !cacheable && !response.headers().contains_key(header::CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The bundle, styles and icons: the same for everybody, with no personal data.
fn is_static_asset(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.ico" || path == "/favicon.svg"
}

/// Checks the body size and the sign-in rate; gives the request back when it may proceed.
async fn admit(hardening: &Hardening, request: Request) -> Result<Request, Response> {
    if is_sign_in(request.uri().path()) {
        let ip = client_ip(&request);
        if let Err(retry_after) = hardening.sign_in.check(&ip.to_string()).await {
            tracing::warn!(client = %ip, "sign-in rate limit reached");
            let mut response = problem(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many sign-in attempts",
                &format!(
                    "Too many sign-in attempts from this address. Try again in {retry_after} seconds."
                ),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            return Err(response);
        }
    }
    // The import form carries a whole file: its route bounds the body while it streams
    // (`DefaultBodyLimit`, and the handler stops at the largest file), so nothing is buffered
    // here before the session is checked, and a file declared too large goes back to the page
    // with a message rather than a bare 413 document.
    if request.uri().path() == IMPORT_PATH {
        return match declared_length(&request) {
            Some(length) if length > u64::try_from(IMPORT_BODY_LIMIT).unwrap_or(u64::MAX) => {
                Err(axum::response::Redirect::to(IMPORT_TOO_LARGE_PAGE).into_response())
            }
            _ => Ok(request),
        };
    }
    limit_body(request, hardening.body_limit).await
}

/// The import form's address, and the page it goes back to when the file is too large.
const IMPORT_PATH: &str = "/jobs/import";
const IMPORT_TOO_LARGE_PAGE: &str = "/jobs?import=too_large";

/// The body length the request declares, if any.
fn declared_length(request: &Request) -> Option<u64> {
    request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

/// The largest body of the import form: the largest file plus room for the form around it.
pub const IMPORT_BODY_LIMIT: usize = app::jobs::IMPORT_MAX_BYTES + 64 * 1024;

/// An RFC 9457 problem document with a sentence saying what to do, and the request id as the
/// reference support staff search the log for.
fn problem(status: StatusCode, title: &str, detail: &str) -> Response {
    let reference = crate::request_id::current();
    let body = serde_json::json!({
        "type": "about:blank",
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
        "reference": reference,
    });
    let mut response = (status, axum::Json(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

/// Sign-in routes: demo sign-in and both legs of OpenID Connect.
fn is_sign_in(path: &str) -> bool {
    path == "/auth/demo" || path.starts_with("/auth/oidc/")
}

/// The peer address. Forwarded-for headers are not trusted: anyone can send them, and no
/// proxy in front of the portal is configured to vouch for them.
fn client_ip(request: &Request) -> IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip())
}

/// Refuses a body over `limit` bytes with 413: at once when `Content-Length` says so, else
/// after reading at most `limit + 1` bytes of a chunked body (which is then handed on whole).
async fn limit_body(request: Request, limit: usize) -> Result<Request, Response> {
    let declared = declared_length(&request);
    let limit_u64 = u64::try_from(limit).unwrap_or(u64::MAX);
    match declared {
        Some(length) if length > limit_u64 => Err(too_large(limit)),
        Some(_) => Ok(request),
        None if request.method() == http::Method::GET || request.method() == http::Method::HEAD => {
            Ok(request)
        }
        None => {
            let (parts, body) = request.into_parts();
            match axum::body::to_bytes(body, limit).await {
                Ok(bytes) => Ok(Request::from_parts(parts, Body::from(bytes))),
                Err(_) => Err(too_large(limit)),
            }
        }
    }
}

fn too_large(limit: usize) -> Response {
    problem(
        StatusCode::PAYLOAD_TOO_LARGE,
        "Request body too large",
        &format!("The request body is larger than the {limit} bytes this portal accepts."),
    )
}

/// A 500 while the database does not answer is an outage, not a bug: answered 503 with
/// `Retry-After`, so clients and load balancers try again instead of reporting an error.
async fn during_outage(db: &DatabaseConnection, mut response: Response) -> Response {
    if response.status() == StatusCode::SERVICE_UNAVAILABLE {
        // Timeouts and failed readiness: tell clients when to try again.
        response
            .headers_mut()
            .entry(header::RETRY_AFTER)
            .or_insert(HeaderValue::from_static("5"));
        return response;
    }
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let answers = matches!(
        tokio::time::timeout(Duration::from_secs(2), db.ping()).await,
        Ok(Ok(()))
    );
    if !answers {
        tracing::warn!("database unreachable: answering 503");
        *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    response
}

/// The Content-Security-Policy of a response with the given nonce.
///
/// Scripts: only this site's files and inline scripts carrying the nonce (Leptos' hydration
/// bootstrap); `'wasm-unsafe-eval'` lets the browser compile the site's own WebAssembly bundle,
/// not evaluate strings. Styles: this site's stylesheet; inline `style` attributes are allowed
/// because the server renders `style:display` toggles as attributes, and an attribute cannot
/// load or run anything.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

fn set_headers(headers: &mut HeaderMap, nonce: &CspNonce, hsts: bool) {
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(nonce.as_str())) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // The legacy twin of `frame-ancestors 'none'`, for browsers without CSP level 2.
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // URLs hold user ids; no other site needs to learn them. Same-origin requests keep the
    // header: a form posted without the browser bundle is sent back to its page by it.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    if hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_scripts_only_from_this_site_or_with_the_nonce() {
        let policy = content_security_policy("abc123");
        assert!(policy.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        let scripts = policy
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap_or_default();
        assert!(
            !scripts.contains("'unsafe-inline'"),
            "no inline scripts without the nonce"
        );
        assert!(!scripts.contains("'unsafe-eval'"), "no eval of strings");
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(policy.contains("object-src 'none'"));
    }

    #[test]
    fn nonces_differ_and_are_safe_in_a_header() {
        let (a, b) = (CspNonce::generate(), CspNonce::generate());
        assert_ne!(a.as_str(), b.as_str());
        assert_eq!(a.as_str().len(), 64);
        assert!(a.as_str().bytes().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn only_the_sign_in_routes_are_rate_limited() {
        assert!(is_sign_in("/auth/demo"));
        assert!(is_sign_in("/auth/oidc/start"));
        assert!(is_sign_in("/auth/oidc/callback"));
        assert!(!is_sign_in("/auth/sign-out"));
        assert!(!is_sign_in("/users"));
    }
}
