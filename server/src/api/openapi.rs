//! The OpenAPI 3.1 document: the API's description generated from the handlers'
//! `#[utoipa::path]` annotations, completed here with what every operation shares (the bearer
//! scheme, the problem answers every operation can give, `Idempotency-Key` on `POST`s).

use super::problem::{FieldProblem, Problem, PROBLEM_JSON};
use utoipa::openapi::content::Content;
use utoipa::openapi::header::Header;
use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, Ref, RefOr, Required};
use utoipa::OpenApi;

/// Name of the bearer scheme in the document.
pub const SCHEME: &str = "api_token";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Privacy Portal API",
        version = "1",
        description = "Everything a person can do in the portal, for scripts: the same access rules, with an API token created by a tenant admin (`Authorization: Bearer ppt_…`). Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `type`; list endpoints page with an opaque `after` cursor; `POST`s accept an `Idempotency-Key`."
    ),
    servers((url = "/api/v1")),
    components(schemas(Problem, FieldProblem))
)]
struct Base;

/// The document before any route is added.
pub fn base() -> Document {
    Base::openapi()
}

fn problem_response(
    description: &str,
    retry_after: bool,
) -> RefOr<utoipa::openapi::response::Response> {
    let mut builder = ResponseBuilder::new().description(description).content(
        PROBLEM_JSON,
        Content::new(Some(Ref::from_schema_name("Problem"))),
    );
    if retry_after {
        builder = builder.header(
            "Retry-After",
            Header::new(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1)),
            ),
        );
    }
    RefOr::T(builder.build())
}

fn complete(operation: &mut Operation, post: bool) {
    let mut shared = vec![
        (
            "400",
            "Malformed request (query string, header or JSON syntax)",
            false,
        ),
        (
            "401",
            "No valid API token: missing, unknown, expired or revoked",
            false,
        ),
        ("403", "The token's role does not allow this", false),
        (
            "422",
            "Invalid input; `errors` names each refused field",
            false,
        ),
        (
            "429",
            "Rate limit of the token reached; retry after `Retry-After` seconds",
            true,
        ),
    ];
    if post {
        shared.extend([
            (
                "409",
                "Conflict, or a request with this Idempotency-Key is still running",
                false,
            ),
            ("413", "Request body too large", false),
            ("415", "The body must be application/json", false),
        ]);
    }
    for (status, description, retry_after) in shared {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| problem_response(description, retry_after));
    }
    operation.security = Some(vec![SecurityRequirement::new::<_, [&str; 0], &str>(
        SCHEME,
        [],
    )]);
    if post {
        let mut key = Parameter::new(super::idempotency::HEADER);
        key.parameter_in = ParameterIn::Header;
        key.required = Required::False;
        key.description = Some(
            "Makes the request safe to retry: the same key and request get the first answer again."
                .into(),
        );
        key.schema = Some(RefOr::T(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(super::idempotency::KEY_MAX))
                .pattern(Some("^[!-~]+$"))
                .into(),
        ));
        operation.parameters.get_or_insert_with(Vec::new).push(key);
    }
}

/// Adds the shared parts to every operation of `document`.
pub fn finish(mut document: Document) -> Document {
    for item in document.paths.paths.values_mut() {
        for (operation, post) in [
            (&mut item.get, false),
            (&mut item.put, false),
            (&mut item.delete, false),
            (&mut item.patch, false),
            (&mut item.post, true),
        ] {
            if let Some(operation) = operation {
                complete(operation, post);
            }
        }
    }
    let components = document.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        SCHEME,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("An API token created on the portal's API tokens page"))
                .build(),
        ),
    );
    document
}
