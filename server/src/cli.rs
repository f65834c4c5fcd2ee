//! The command line: `server` (serve, the default), `server migrate`, `server config`, the
//! seeding commands, `server import` and `server verify-audit`.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Privacy Portal server.
#[derive(Debug, Parser)]
#[command(name = "server", version, about)]
pub struct Cli {
    /// TOML configuration file; `PORTAL_*` environment variables override it.
    #[arg(long, short, env = "PORTAL_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the portal (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the effective configuration (secrets masked) and exit.
    Config,
    /// Load the demo tenants (Contoso and Fabrikam) unless they are already there.
    SeedDemo,
    /// Generate a realistic, deterministic tenant of N users (reused if it exists).
    Seed {
        /// Number of users; devices, apps, disclosures, requests and audit history follow.
        #[arg(long)]
        users: u64,
        /// The same seed always generates the same tenant.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Users written per transaction.
        #[arg(long, default_value_t = 5000)]
        batch: u64,
    },
    /// Import users and managed devices of one tenant from a Microsoft Graph export (JSON
    /// Lines); refused records are listed, the rest is saved.
    Import {
        /// The tenant the records belong to, by id or exact name; it must exist.
        #[arg(long)]
        tenant: String,
        /// JSON Lines file: one Graph `user` or `managedDevice` object per line.
        file: PathBuf,
        /// Good records written per transaction.
        #[arg(long, default_value_t = 1000)]
        batch: usize,
    },
    /// Verify the audit chain of every tenant; exits non-zero if any is broken.
    VerifyAudit,
    /// Run one sharing cycle for every tenant (what the background worker does on its
    /// interval): record due disclosures, deliver them and follow-ups, print the counts.
    ShareOnce,
    /// Manage API tokens of the REST API.
    ApiToken {
        #[command(subcommand)]
        command: ApiTokenCommand,
    },
    /// Make someone the first tenant admin of a tenant: they get the role at their first
    /// OpenID Connect sign-in as the person with this object id at the provider (Entra ID: the
    /// user's object id, the `oid` claim; a provider without one: the `sub` claim). Never an
    /// e-mail: the person may be able to choose theirs.
    BootstrapAdmin {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        object_id: String,
        /// Display name until their first sign-in.
        #[arg(long, default_value = "Tenant admin")]
        name: String,
    },
    /// Write everything held about one user (visibility rules applied) as JSON or CSV to stdout.
    Export {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        user: String,
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// Language of the CSV headers and field labels: en or nl.
        #[arg(long, default_value = "en")]
        lang: String,
    },
}

/// Output format of `export`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Json,
    Csv,
}

/// `server api-token …`.
#[derive(Debug, Subcommand)]
pub enum ApiTokenCommand {
    /// Create a token and print its secret (only) on stdout; the creation is audited.
    Create {
        /// The tenant: its id or exact name.
        #[arg(long)]
        tenant: String,
        /// tenant_admin, support_reviewer, auditor or end_user.
        #[arg(long)]
        role: String,
        /// What uses the token.
        #[arg(long)]
        name: String,
        /// Lifetime in days, 1 to 365.
        #[arg(long, default_value_t = 30)]
        days: u32,
        /// For end_user tokens: the sign-in name (UPN) of the user the token acts as.
        #[arg(long)]
        end_user: Option<String>,
    },
}

/// A use case's error as the command line says it: refusals in English (the command line's
/// language) with the field, failures with their whole cause.
/// The id of the tenant a command names by its id or its exact name, as an operator would
/// type it (`--tenant "Contoso Ltd"`).
///
/// # Errors
/// When no tenant has that id or name, or the database fails.
pub async fn tenant_id(
    db: &sea_orm::DatabaseConnection,
    id_or_name: &str,
) -> anyhow::Result<String> {
    use anyhow::Context;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let tenant = crate::entities::tenant::Entity::find()
        .filter(
            crate::entities::tenant::Column::Id
                .eq(id_or_name)
                .or(crate::entities::tenant::Column::Name.eq(id_or_name)),
        )
        .one(db)
        .await
        .context("reading the tenant")?
        .with_context(|| format!("no tenant with id or name {id_or_name:?}"))?;
    Ok(tenant.id)
}

pub fn service_error(error: crate::services::error::ServiceError) -> anyhow::Error {
    use crate::services::error::ServiceError as E;
    match error {
        E::Invalid { field, reason } => {
            anyhow::anyhow!("{field}: {}", reason.message(app::i18n::Locale::En))
        }
        E::Forbidden => anyhow::anyhow!("not allowed"),
        E::NotFound => anyhow::anyhow!("not found"),
        E::Conflict => anyhow::anyhow!("changed by someone else; try again"),
        E::Internal(cause) => cause,
        E::Answered(answer) => anyhow::anyhow!("{}", answer.message(app::i18n::Locale::En)),
    }
}
