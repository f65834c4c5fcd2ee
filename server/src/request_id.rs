//! The id of the request being handled, reachable from anywhere inside it.
//!
//! The server always makes the id itself (a UUID): an id chosen by the client would become the
//! support reference of its errors and part of audit events, where an overlong or crafted one
//! could make writes fail or forge a reference. An id the client sent is kept beside it, bounded,
//! for the request's log span only ([`ClientRequestId`]). [`scope`] stores the id in a
//! task-local so that errors can quote it and logs can carry it without every function taking
//! it as an argument; `tower-http` copies it onto the response.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The header both ways.
pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");
/// The most of a client's own id that is kept (in the log only).
const CLIENT_ID_MAX: usize = 64;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The `x-request-id` a client sent, cut to 64 characters: logged beside the server's id so a
/// caller can find their request, never used as the reference.
#[derive(Clone, Debug)]
pub struct ClientRequestId(pub String);

/// Gives the request a new id (replacing any the client sent) and makes it available to
/// [`current`] while the request is handled.
pub async fn scope(mut request: Request, next: Next) -> Response {
    if let Some(sent) = request
        .headers()
        .get(&HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(CLIENT_ID_MAX).collect::<String>())
    {
        request.extensions_mut().insert(ClientRequestId(sent));
    }
    let id = uuid::Uuid::new_v4().to_string();
    if let Ok(value) = HeaderValue::from_str(&id) {
        request.headers_mut().insert(HEADER, value);
    }
    REQUEST_ID.scope(id, next.run(request)).await
}

/// The current request's id, or `"none"` outside a request (start-up, CLI).
pub fn current() -> String {
    REQUEST_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| "none".to_owned())
}
