//! Users: the directory with its search, filters and cursor pagination; one user's personal
//! data (visibility rules applied, as on the page); the export for access and portability
//! requests. Tenant admins only, as in the portal.

use super::problem::{ApiError, Problem};
use super::{Auth, Params};

use crate::services::export::{export_recorded, to_csv, ExportFormat};
use crate::state::AppState;
use app::auth::Role;
use app::directory::{DirectoryParams, DirectoryQuery};
use app::domain::visibility::Visibility;
use app::personal_data::{FieldView, RecordView, UserDataView};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users))
        .routes(routes!(get_user))
        .routes(routes!(export))
}

/// One user of the directory.
#[derive(Serialize, ToSchema)]
pub struct UserSummary {
    pub id: String,
    pub display_name: String,
    pub upn: String,
    pub email: Option<String>,
    pub department: Option<String>,
    /// Devices whose primary user this is.
    pub device_count: u64,
    /// Correction requests about this user still waiting for a decision.
    pub open_requests: u64,
}

/// A page of users.
#[derive(Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<UserSummary>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
    /// True when so many UPNs or email addresses start with `q` that only the first 1,000 of
    /// them were considered (every display-name match is listed); a longer `q` finds the rest.
    pub partial: bool,
}

/// The directory's search and filters.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Describes the query string only; `Params` reads it.
pub struct UserQuery {
    /// Prefix of name, UPN or email; or an exact IMEI, serial number or phone number.
    #[param(max_length = 256, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$")]
    q: Option<String>,
    /// Only users with a device of this platform (`ios`, `ipados`, `macos`, `android`, `windows`, `linux`).
    #[param(pattern = "^(ios|ipados|macos|android|windows|linux)$")]
    platform: Option<String>,
    /// Only users with a device of this ownership (`corporate`, `personal`, `unknown`).
    #[param(pattern = "^(corporate|personal|unknown)$")]
    ownership: Option<String>,
    /// `1`: only users with open correction requests.
    #[param(pattern = "^[01]$")]
    open: Option<String>,
    /// Only users whose data went to this recipient id.
    #[param(min_length = 1, max_length = 40, pattern = "^[a-z0-9_]+$")]
    recipient: Option<String>,
    /// `name` (default) or `upn`; a cursor belongs to the sort it was made with.
    #[param(pattern = "^(name|upn)$")]
    sort: Option<String>,
    /// The `next` cursor of the previous page (same `sort`).
    #[param(pattern = "^(name|upn)\\.([0-9a-f]{2})*\\.[A-Za-z0-9-]{1,64}$")]
    after: Option<String>,
    /// Page size, 1 to 100 (default 25).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

/// Lists and searches the tenant's users.
#[utoipa::path(get, path = "/users", tag = "users", params(UserQuery),
    responses((status = 200, description = "A page of users", body = UserPage)))]
pub async fn list_users(
    State(state): State<AppState>,
    auth: Auth,
    params: Params,
) -> Result<Json<UserPage>, ApiError> {
    let principal = auth.require(&[Role::TenantAdmin])?;
    let limit = params.limit()?;
    // The portal's form sends blank selects and padded values; the API takes them as documented.
    for name in [
        "platform",
        "ownership",
        "open",
        "recipient",
        "sort",
        "after",
    ] {
        if params
            .raw(name)
            .is_some_and(|v| v.is_empty() || v.trim() != v)
        {
            return Err(ApiError::because(name, app::i18n::Key::ErrEmptyOrPadded));
        }
    }
    let raw = DirectoryParams::read(|name| params.get(name).map(str::to_owned));
    let query =
        DirectoryQuery::read(&raw).map_err(|(field, reason)| ApiError::refused(field, &reason))?;
    let page = state
        .services
        .directory
        .search(principal, &query, limit)
        .await?;
    Ok(Json(UserPage {
        items: page
            .rows
            .into_iter()
            .map(|r| UserSummary {
                id: r.id,
                display_name: r.display_name,
                upn: r.upn,
                email: r.email,
                department: r.department,
                device_count: r.device_count,
                open_requests: r.open_requests,
            })
            .collect(),
        next: page.next,
        partial: page.partial,
    }))
}

/// A recipient that received a field.
#[derive(Serialize, ToSchema)]
pub struct Receipt {
    pub recipient_id: String,
    pub recipient_name: String,
    /// Whether the recipient processes the data on the tenant's behalf (an agent).
    pub is_agent: bool,
    pub feature_id: String,
    pub consent_id: Option<i64>,
    /// Epoch milliseconds.
    pub first_at: i64,
    pub last_at: i64,
    pub count: u32,
}

/// One field of a record.
#[derive(Serialize, ToSchema)]
pub struct Field {
    pub field: String,
    /// The value as it may be shown; absent when withheld or not held.
    pub value: Option<String>,
    /// Whether a value is held at all.
    pub held: bool,
    /// `visible`, `last_digits`, `hidden` or `secret`.
    pub shown: String,
    /// Send this in `If-Match` to correct the field.
    pub version: i64,
    pub changed_at: i64,
    pub changed_by: String,
    /// Whether it is corrected in this portal (otherwise a routed correction goes to its source).
    pub correctable: bool,
    pub received_by: Vec<Receipt>,
}

/// The user or a device, with its fields.
#[derive(Serialize, ToSchema)]
pub struct Record {
    /// `user` or `device`.
    pub kind: String,
    pub id: String,
    pub title: String,
    pub fields: Vec<Field>,
}

/// An app on a device.
#[derive(Serialize, ToSchema)]
pub struct DeviceApp {
    pub app_id: String,
    pub name: String,
    pub version: String,
    pub managed: bool,
}

/// A device with its apps.
#[derive(Serialize, ToSchema)]
pub struct Device {
    pub record: Record,
    pub apps: Vec<DeviceApp>,
    /// Apps withheld by the visibility rules.
    pub apps_withheld: u32,
}

/// A correction recorded for the field's source to make.
#[derive(Serialize, ToSchema)]
pub struct RoutedCorrection {
    pub id: i64,
    pub record_id: String,
    pub field: String,
    pub proposed_value: String,
    pub reason: String,
    /// `routed` while waiting for the source, `applied` once its data showed the new value.
    pub status: String,
    pub received_at: i64,
}

/// Everything shown about one user.
#[derive(Serialize, ToSchema)]
pub struct UserData {
    pub user: Record,
    pub devices: Vec<Device>,
    pub routed: Vec<RoutedCorrection>,
}

fn shown(visibility: &Visibility) -> &'static str {
    match visibility {
        Visibility::Visible => "visible",
        Visibility::LastDigits(_) => "last_digits",
        Visibility::Hidden(_) => "hidden",
        Visibility::Secret => "secret",
    }
}

fn field(f: FieldView) -> Field {
    Field {
        field: f.field.as_str().to_owned(),
        shown: shown(&f.visibility).to_owned(),
        value: f.value,
        held: f.held,
        version: f.version,
        changed_at: f.changed_at,
        changed_by: f.changed_by,
        correctable: f.correctable,
        received_by: f
            .received_by
            .into_iter()
            .map(|r| Receipt {
                recipient_id: r.recipient_id,
                recipient_name: r.recipient_name,
                is_agent: r.is_agent,
                feature_id: r.feature_id,
                consent_id: r.consent_id,
                first_at: r.first_at,
                last_at: r.last_at,
                count: r.count,
            })
            .collect(),
    }
}

fn record(r: RecordView) -> Record {
    Record {
        kind: r.kind.as_str().to_owned(),
        id: r.id,
        title: r.title,
        fields: r.fields.into_iter().map(field).collect(),
    }
}

impl From<UserDataView> for UserData {
    fn from(view: UserDataView) -> Self {
        UserData {
            user: record(view.user),
            devices: view
                .devices
                .into_iter()
                .map(|d| Device {
                    record: record(d.record),
                    apps: d
                        .apps
                        .into_iter()
                        .map(|a| DeviceApp {
                            app_id: a.app_id,
                            name: a.name,
                            version: a.version,
                            managed: a.managed,
                        })
                        .collect(),
                    apps_withheld: d.apps_withheld,
                })
                .collect(),
            routed: view
                .routed
                .into_iter()
                .map(|r| RoutedCorrection {
                    id: r.id,
                    record_id: r.record_id,
                    field: r.field,
                    proposed_value: r.proposed_value,
                    reason: r.reason,
                    status: r.status.as_str().to_owned(),
                    received_at: r.received_at,
                })
                .collect(),
        }
    }
}

/// One user's personal data, with the visibility rules applied.
#[utoipa::path(get, path = "/users/{user_id}", tag = "users",
    params(("user_id" = String, Path, description = "The directory user id")),
    responses(
        (status = 200, description = "The user's data", body = UserData),
        (status = 404, description = "No such user in this tenant", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_user(
    State(state): State<AppState>,
    auth: Auth,
    Path(user_id): Path<String>,
) -> Result<Json<UserData>, ApiError> {
    let principal = auth.require(&[Role::TenantAdmin])?;
    let view = state
        .services
        .personal_data
        .user_data(principal, &user_id)
        .await?;
    Ok(Json(view.into()))
}

/// Export format and language.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Describes the query string only; `Params` reads it.
pub struct ExportQuery {
    /// `json` (default) or `csv`.
    #[param(pattern = "^(json|csv)$")]
    format: Option<String>,
    /// Language of CSV headers and labels: `en` (default) or `nl`.
    #[param(pattern = "^(en|nl)$")]
    lang: Option<String>,
}

/// Everything held about one user, for access and portability requests; an audit event.
#[utoipa::path(get, path = "/users/{user_id}/export", tag = "users",
    params(("user_id" = String, Path, description = "The directory user id"), ExportQuery),
    responses(
        (status = 200, description = "The export", content(
            (serde_json::Value = "application/json"),
            (String = "text/csv"),
        )),
        (status = 404, description = "No such user in this tenant", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Path(user_id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let principal = auth.require(&[Role::TenantAdmin])?;
    let csv = match params.raw("format") {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(ApiError::not_one_of("format", &["json", "csv"])),
    };
    let locale = ApiError::language("lang", params.raw("lang"))?;
    let format = if csv {
        ExportFormat::Csv
    } else {
        ExportFormat::Json
    };
    let export = export_recorded(
        &state.db,
        &principal.tenant_id,
        auth.actor(),
        &user_id,
        format,
        locale,
        state.clock.now_ms(),
    )
    .await?;
    if csv {
        Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            to_csv(&export, locale),
        )
            .into_response())
    } else {
        Ok(([(header::CACHE_CONTROL, "no-store")], Json(export)).into_response())
    }
}
