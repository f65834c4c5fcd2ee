//! The id of the request being handled, reachable from anywhere inside it.
//!
//! `tower-http` assigns (or keeps) an `x-request-id` header; this middleware stores it in a
//! task-local so that errors can quote it as their support reference and logs can carry it
//! without every function taking it as an argument.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Makes the request's id available to [`current`] while the request is handled.
pub async fn scope(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown")
        .to_owned();
    REQUEST_ID.scope(id, next.run(request)).await
}

/// The current request's id, or `"none"` outside a request (start-up, CLI).
pub fn current() -> String {
    REQUEST_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| "none".to_owned())
}
