//! The two plain routes of background jobs: `POST /jobs/import` takes the import form's file
//! (multipart, at most [`app::jobs::IMPORT_MAX_BYTES`]) and starts an import job;
//! `GET /jobs/{id}/download` hands out a finished export. Both check the session, the tenant
//! admin role and the tenant before anything else, and both work without the browser bundle:
//! the form posts and is sent back to `/jobs` (with `?import=…` naming a refusal).

use crate::error::problem;
use crate::services::jobs::JobsService;
use crate::state::AppState;
use app::auth::{Principal, Role};
use app::error::AppError;
use app::jobs::IMPORT_MAX_BYTES;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;

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

/// The principal when it is a tenant admin; otherwise the status and title to answer with.
fn admin(principal: Option<Extension<Principal>>) -> Result<Principal, (StatusCode, &'static str)> {
    let Some(Extension(principal)) = principal else {
        return Err((StatusCode::UNAUTHORIZED, "Sign in first"));
    };
    if !principal.has(Role::TenantAdmin) {
        return Err((StatusCode::FORBIDDEN, "Forbidden"));
    }
    Ok(principal)
}

fn refuse((status, title): (StatusCode, &'static str)) -> Response {
    problem(status, title, &crate::request_id::current())
}

/// Serves the file of a finished export of the principal's tenant.
pub async fn download(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    Path(id): Path<String>,
) -> Response {
    let principal = match admin(principal) {
        Ok(principal) => principal,
        Err(refusal) => return refuse(refusal),
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
        Err(AppError::NotFound) => problem(StatusCode::NOT_FOUND, "Not found", &reference),
        Err(_) => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The file could not be read",
            &reference,
        ),
    }
}

/// Takes the uploaded JSON Lines file and starts an import job, then sends the browser to the
/// jobs page.
pub async fn import(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let principal = match admin(principal) {
        Ok(principal) => principal,
        Err(refusal) => return refuse(refusal),
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
        Err(AppError::Invalid { .. }) => refused(IMPORT_TOO_MANY),
        Err(_) => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The import could not be started",
            &crate::request_id::current(),
        ),
    }
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
