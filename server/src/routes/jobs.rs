//! The two plain routes of background jobs: `POST /jobs/import` takes the import form's file
//! (multipart, at most [`app::jobs::IMPORT_MAX_BYTES`]) and starts an import job;
//! `GET /jobs/{id}/download` hands out a finished export. Both check the session, the tenant
//! admin role and the tenant before anything else, and both work without the browser bundle:
//! the form posts and is sent back to `/jobs` (with `?import=…` naming a refusal).

use crate::auth::SessionPrincipal;
use crate::error::problem;
use crate::services::error::ServiceError;
use crate::services::jobs::JobsService;
use crate::state::AppState;
use app::auth::Role;
use app::jobs::IMPORT_MAX_BYTES;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

/// Refusals of the import form, named in the query string of the jobs page.
pub const IMPORT_EMPTY: &str = "empty";
pub const IMPORT_TOO_LARGE: &str = "too_large";
pub const IMPORT_UNREADABLE: &str = "unreadable";
pub const IMPORT_TOO_MANY: &str = "too_many";

fn service(state: &AppState) -> JobsService {
    JobsService {
        db: state.db.clone(),
        runner: state.jobs.clone(),
        clock: state.clock.clone(),
    }
}

/// Serves the file of a finished export of the principal's tenant.
pub async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    session: SessionPrincipal,
) -> Response {
    let principal = match session.require(&[Role::TenantAdmin]) {
        Ok(principal) => principal,
        Err(refusal) => return refusal.into_response(),
    };
    let reference = crate::request_id::current();
    // A malformed id is as unknown as a missing one.
    let Ok(id) = id.parse::<i64>() else {
        return problem(StatusCode::NOT_FOUND, "Not found", &reference);
    };
    match service(&state).download(&principal, id).await {
        Ok(file) => {
            let disposition = format!("attachment; filename=\"{}\"", file.name);
            (
                [
                    (header::CONTENT_TYPE, file.content_type),
                    (header::CONTENT_DISPOSITION, disposition),
                    (header::CACHE_CONTROL, "no-store".to_owned()),
                ],
                file.body,
            )
                .into_response()
        }
        Err(ServiceError::NotFound) => problem(StatusCode::NOT_FOUND, "Not found", &reference),
        Err(other) => {
            logged(&other, &reference);
            problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The file could not be read",
                &reference,
            )
        }
    }
}

/// Takes the uploaded JSON Lines file and starts an import job, then sends the browser to the
/// jobs page.
pub async fn import(
    State(state): State<AppState>,
    session: SessionPrincipal,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let principal = match session.require(&[Role::TenantAdmin]) {
        Ok(principal) => principal,
        Err(refusal) => return refusal.into_response(),
    };
    let refused = |code: &str| Redirect::to(&format!("/jobs?import={code}")).into_response();
    let Ok(multipart) = multipart else {
        return refused(IMPORT_UNREADABLE);
    };
    let bytes = match read_file(multipart).await {
        Ok(bytes) => bytes,
        Err(code) => return refused(code),
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return refused(IMPORT_EMPTY);
    }
    match service(&state).start_import(&principal, bytes).await {
        Ok(_) => Redirect::to("/jobs").into_response(),
        Err(ServiceError::Invalid { .. }) => refused(IMPORT_TOO_MANY),
        Err(other) => {
            let reference = crate::request_id::current();
            logged(&other, &reference);
            problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The import could not be started",
                &reference,
            )
        }
    }
}

/// Logs a use case's failure with its whole cause and the request id; the answer carries
/// only the reference.
fn logged(error: &ServiceError, reference: &str) {
    tracing::error!(request_id = %reference, "request failed: {error:#}");
}

/// The bytes of the form's `file` field, or the refusal code.
async fn read_file(mut multipart: Multipart) -> Result<Vec<u8>, &'static str> {
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|_| IMPORT_UNREADABLE)?
    {
        if field.name() != Some("file") {
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| IMPORT_UNREADABLE)? {
            if bytes.len().saturating_add(chunk.len()) > IMPORT_MAX_BYTES {
                return Err(IMPORT_TOO_LARGE);
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok(bytes);
    }
    Err(IMPORT_EMPTY)
}
