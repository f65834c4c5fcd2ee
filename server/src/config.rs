//! Typed, layered configuration: built-in defaults, then an optional TOML file, then
//! `PORTAL_*` environment variables (and the conventional `DATABASE_URL`), each layer
//! overriding the one before. The result is validated once at start-up; a bad value stops the
//! process with a message naming the key. Secrets (the database password, later OIDC client
//! secrets) are never printed: [`Config::redacted`] is what logs and `server config` show.

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

/// Default SQLite file, relative to the working directory: no setup needed.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/portal.db?mode=rwc";

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable, for a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Where the counts of the sign-in and API rate limits are kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RateLimitStore {
    /// In this process: enough for one instance; each of several would apply the limit alone.
    #[default]
    Memory,
    /// In the portal's database, shared by every instance on it.
    Database,
    /// In Redis at `redis_url`, shared by every instance using it.
    Redis,
}

/// Everything the server can be configured with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on.
    pub host: IpAddr,
    /// Port to listen on; 0 picks a free one (tests).
    pub port: u16,
    /// `sqlite://PATH?mode=rwc` or `postgres://USER:PASSWORD@HOST/DB`. Secret: may hold a password.
    pub database_url: String,
    /// Size of the database connection pool.
    pub database_max_connections: u32,
    /// Folder with the built site (`pkg/` with the browser bundle and stylesheet).
    pub site_root: PathBuf,
    /// Demo mode: demo data and demo sign-in. Never on unless configured explicitly.
    pub demo_mode: bool,
    /// `info`, `debug`, or any `tracing` filter such as `server=debug,sea_orm=warn`.
    pub log_level: String,
    /// `pretty` or `json`.
    pub log_format: LogFormat,
    /// How long in-flight requests may take to finish after SIGINT/SIGTERM.
    pub shutdown_grace_seconds: u64,
    /// Requests taking longer than this are answered with 503.
    pub request_timeout_seconds: u64,
    /// Mark the session cookie `Secure` (set whenever the portal is served over HTTPS).
    pub cookie_secure: bool,
    /// A session ends after this long without a request.
    pub session_idle_minutes: u64,
    /// A session ends this long after sign-in, active or not.
    pub session_absolute_hours: u64,
    /// OpenID Connect sign-in with one provider; absent means none (see also `oidc_providers`).
    pub oidc: Option<OidcConfig>,
    /// Further OpenID Connect providers, each with its own `id` and tenants; the sign-in page
    /// finds the right one from the e-mail domain or the tenant.
    pub oidc_providers: Vec<OidcConfig>,
    /// REST API: requests a minute each API token may make (bursts up to this many).
    pub api_rate_per_minute: u32,
    /// REST API: the largest request body accepted, in bytes.
    pub api_body_limit_bytes: usize,
    /// Sign-in attempts (`/auth/demo`, `/auth/oidc/*`) a minute from one client address
    /// (bursts up to this many); more are answered 429 with `Retry-After`.
    pub sign_in_rate_per_minute: u32,
    /// Where rate-limit counts live: `memory`, `database` or `redis`; unset means `redis` when
    /// `redis_url` is set and `memory` otherwise (see [`Config::rate_limit_store`]).
    pub rate_limit_store: Option<RateLimitStore>,
    /// `redis://[:PASSWORD@]HOST[:PORT][/DB]` for `rate_limit_store = "redis"`. Secret: may hold a
    /// password.
    pub redis_url: Option<String>,
    /// What every Redis key of this portal starts with, so several portals (or test runs) can
    /// share one Redis.
    pub redis_key_prefix: String,
    /// The largest request body any page route or server function accepts, in bytes; larger
    /// ones are answered 413.
    pub request_body_limit_bytes: usize,
    /// Seconds between runs of the sharing worker (record and deliver disclosures and
    /// follow-ups); 0 turns the worker off (admins can still run a cycle from the page).
    pub sharing_interval_seconds: u64,
    /// Delay before the first retry of a failed delivery, doubled for each further retry.
    pub sharing_retry_base_seconds: u64,
    /// Attempts before a delivery is marked failed for good.
    pub sharing_max_attempts: u32,
    /// Timeout of one delivery attempt, from connecting to the last byte of the answer.
    pub sharing_timeout_seconds: u64,
    /// Networks (CIDR, e.g. `10.20.0.0/16`) recipient endpoints may be in although they are
    /// loopback, private, link-local or otherwise internal; empty: only public addresses.
    pub outbound_allow_networks: Vec<String>,
    /// Allow plain `http://` recipient endpoints; off: https only.
    pub outbound_allow_http: bool,
    /// The instant (RFC 3339, e.g. `2028-02-29T12:00:00Z`) the server's clock shows when the
    /// process starts; it runs at the normal rate from there. For demo runs and tests at a
    /// chosen date only: refused unless demo mode is on. Absent: the system clock.
    pub clock_start: Option<String>,
}

/// An OpenID Connect provider (Entra ID, Keycloak, any issuer with discovery).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// The provider's short name in sign-in addresses (`/auth/oidc/start?provider=…`); unique
    /// among the configured providers.
    #[serde(default = "default_provider_id")]
    pub id: String,
    /// What the sign-in page's button says (e.g. `Contoso (Entra ID)`); absent: a generic text.
    #[serde(default)]
    pub label: Option<String>,
    /// Issuer URL; `/.well-known/openid-configuration` is read from it. For a multi-tenant
    /// Entra ID application write `{tenant}` where the tenant id goes
    /// (`https://login.microsoftonline.com/{tenant}/v2.0`): the issuer is then each tenant's own,
    /// checked per tenant, and a sign-in must first name its tenant (by e-mail domain or tenant).
    pub issuer: String,
    pub client_id: String,
    /// Secret: never printed.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// This portal's callback, e.g. `https://portal.example/auth/oidc/callback`.
    pub redirect_url: String,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// Claim holding the tenant id (Entra ID: `tid`).
    #[serde(default = "default_tenant_claim")]
    pub tenant_claim: String,
    /// Claim holding the roles (Entra ID app roles: `roles`).
    #[serde(default = "default_roles_claim")]
    pub roles_claim: String,
    /// Claim holding the person's sign-in name (UPN or e-mail): shown as the account's name
    /// and address, never used to link or bootstrap an account (its holder can often set it).
    #[serde(default = "default_username_claim")]
    pub username_claim: String,
    /// The tenants (ids) this provider signs people into. A token whose tenant claim names
    /// another tenant is refused and recorded on that tenant's audit log: a tenant is bound to
    /// the provider that lists it, so no other provider can speak for it. Required.
    #[serde(default)]
    pub tenants: Vec<String>,
    /// Claim holding the person's immutable object id at the provider (Entra ID: `oid`, the
    /// directory user's object id). End users are linked to the directory user with this id,
    /// and `bootstrap-admin --object-id` waits for it (or, where the provider sends no such
    /// claim, for the token's `sub`).
    #[serde(default = "default_object_id_claim")]
    pub object_id_claim: String,
    /// Also link a first sign-in to the directory user whose UPN equals the token's `email`,
    /// but only when the token asserts `email_verified: true`. Off by default: turn it on only
    /// for a provider whose users cannot choose their e-mail address.
    #[serde(default)]
    pub link_verified_email: bool,
    /// Role claim values and the portal role each grants (`tenant_admin`, `support_reviewer`,
    /// `auditor`, `end_user`). Only values listed here grant anything. Default: the portal's
    /// own role names, each granting itself.
    #[serde(default = "default_role_map")]
    pub role_map: std::collections::BTreeMap<String, String>,
    /// E-mail domains (`contoso.com`) and the tenant (one of `tenants`) each signs into: the
    /// sign-in page sends an address at that domain to this provider, for that tenant.
    #[serde(default)]
    pub domains: std::collections::BTreeMap<String, String>,
}

impl OidcConfig {
    /// A provider for `tenants` with every claim and mapping at its default.
    pub fn new(
        issuer: &str,
        client_id: &str,
        client_secret: Option<&str>,
        redirect_url: &str,
        tenants: &[&str],
    ) -> OidcConfig {
        OidcConfig {
            id: default_provider_id(),
            label: None,
            issuer: issuer.into(),
            client_id: client_id.into(),
            client_secret: client_secret.map(str::to_owned),
            redirect_url: redirect_url.into(),
            scopes: default_scopes(),
            tenant_claim: default_tenant_claim(),
            roles_claim: default_roles_claim(),
            username_claim: default_username_claim(),
            tenants: tenants.iter().map(|t| (*t).to_owned()).collect(),
            object_id_claim: default_object_id_claim(),
            link_verified_email: false,
            role_map: default_role_map(),
            domains: std::collections::BTreeMap::new(),
        }
    }

    /// Whether the issuer is a template with the tenant id in it (a multi-tenant application).
    pub fn per_tenant_issuer(&self) -> bool {
        self.issuer.contains(TENANT_PLACEHOLDER)
    }

    /// The issuer a sign-in for `tenant` is verified against: the configured one, or the
    /// template filled with the tenant (which must be one this provider lists). `None` for a
    /// template without a tenant, or a tenant the provider does not serve.
    pub fn issuer_for(&self, tenant: Option<&str>) -> Option<String> {
        if !self.per_tenant_issuer() {
            return Some(self.issuer.clone());
        }
        let tenant = tenant?;
        self.serves(tenant).then(|| {
            self.issuer
                .replace(TENANT_PLACEHOLDER, &tenant.to_lowercase())
        })
    }

    /// Whether this provider is bound to `tenant`.
    pub fn serves(&self, tenant: &str) -> bool {
        self.tenants
            .iter()
            .any(|t| t.trim().eq_ignore_ascii_case(tenant.trim()))
    }

    /// The tenant an e-mail address at `domain` signs into through this provider.
    pub fn tenant_of_domain(&self, domain: &str) -> Option<&str> {
        self.domains
            .iter()
            .find(|(d, _)| d.trim().eq_ignore_ascii_case(domain.trim()))
            .map(|(_, tenant)| tenant.trim())
    }

    /// The portal role a role claim value grants, through [`OidcConfig::role_map`] only.
    pub fn role_for(&self, claim: &str) -> Option<app::auth::Role> {
        let role = self.role_map.get(claim);
        if role.is_none() && self.role_map.keys().any(|k| k.eq_ignore_ascii_case(claim)) {
            // Exact match only (spellings are not guessed), but say why a listed role failed:
            // keys given as environment variables arrive lower-cased.
            tracing::warn!(
                provider = %self.id,
                claim = ?claim.chars().take(64).collect::<String>(),
                "a role claim matches the role_map only ignoring case and grants nothing; \
                 environment variable keys are lower-cased, so list mixed-case values in the TOML file"
            );
        }
        role.and_then(|role| app::auth::Role::parse(role))
    }
}

/// Where a multi-tenant issuer holds the tenant id.
pub const TENANT_PLACEHOLDER: &str = "{tenant}";

fn default_provider_id() -> String {
    "default".into()
}
fn default_scopes() -> Vec<String> {
    vec!["openid".into(), "profile".into(), "email".into()]
}
fn default_tenant_claim() -> String {
    "tid".into()
}
fn default_roles_claim() -> String {
    "roles".into()
}
fn default_username_claim() -> String {
    "preferred_username".into()
}
/// Claims that hold a name or an address, which people (or their directory's admins) can
/// change: never the link between an account and a directory user.
const MUTABLE_CLAIMS: [&str; 9] = [
    "email",
    "emails",
    "preferred_username",
    "upn",
    "unique_name",
    "name",
    "given_name",
    "family_name",
    "nickname",
];

fn default_object_id_claim() -> String {
    "oid".into()
}
fn default_role_map() -> std::collections::BTreeMap<String, String> {
    app::auth::Role::ALL
        .into_iter()
        .map(|role| (role.as_str().to_owned(), role.as_str().to_owned()))
        .collect()
}

impl std::fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcConfig")
            .field("id", &self.id)
            .field("label", &self.label)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "********"),
            )
            .field("redirect_url", &self.redirect_url)
            .field("scopes", &self.scopes)
            .field("tenant_claim", &self.tenant_claim)
            .field("roles_claim", &self.roles_claim)
            .field("username_claim", &self.username_claim)
            .field("tenants", &self.tenants)
            .field("object_id_claim", &self.object_id_claim)
            .field("link_verified_email", &self.link_verified_email)
            .field("role_map", &self.role_map)
            .field("domains", &self.domains)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 3000,
            database_url: DEFAULT_DATABASE_URL.to_owned(),
            database_max_connections: 10,
            site_root: PathBuf::from("target/site"),
            demo_mode: false,
            log_level: "info".to_owned(),
            log_format: LogFormat::Pretty,
            shutdown_grace_seconds: 10,
            request_timeout_seconds: 30,
            cookie_secure: false,
            session_idle_minutes: 60,
            session_absolute_hours: 12,
            oidc: None,
            oidc_providers: Vec::new(),
            api_rate_per_minute: 600,
            api_body_limit_bytes: 64 * 1024,
            sign_in_rate_per_minute: 60,
            rate_limit_store: None,
            redis_url: None,
            redis_key_prefix: "portal".to_owned(),
            request_body_limit_bytes: 256 * 1024,
            sharing_interval_seconds: 60,
            sharing_retry_base_seconds: 30,
            sharing_max_attempts: 8,
            sharing_timeout_seconds: 10,
            outbound_allow_networks: Vec::new(),
            outbound_allow_http: false,
            clock_start: None,
        }
    }
}

/// A configuration value that was refused, with the key it came from.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration error: {0}")]
    Source(#[from] Box<figment::Error>),
    #[error("configuration error in `{key}`: {message}")]
    Invalid { key: &'static str, message: String },
    #[error("configuration file {path} does not exist")]
    MissingFile { path: PathBuf },
}

/// Which database engine a URL points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Config {
    /// Loads defaults, then `file` (if given; it must exist), then the environment.
    ///
    /// # Errors
    /// [`ConfigError`] naming the key when a value has the wrong type, is unknown, or is
    /// out of range.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError::MissingFile {
                    path: path.to_owned(),
                });
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        figment = figment
            .merge(Env::raw().only(&["DATABASE_URL"]))
            .merge(Env::prefixed("PORTAL_").ignore(&["CONFIG"]).split("__"));
        let config: Config = figment.extract().map_err(Box::new)?;
        config.validate()?;
        Ok(config)
    }

    /// Checks the values serde cannot check by type.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming the first bad key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.backend().is_none() {
            return Err(ConfigError::Invalid {
                key: "database_url",
                message: "must start with sqlite:, postgres: or postgresql:".into(),
            });
        }
        if self.database_max_connections == 0 {
            return Err(ConfigError::Invalid {
                key: "database_max_connections",
                message: "must be at least 1".into(),
            });
        }
        if self.request_timeout_seconds == 0 {
            return Err(ConfigError::Invalid {
                key: "request_timeout_seconds",
                message: "must be at least 1".into(),
            });
        }
        if self.session_idle_minutes == 0 || self.session_absolute_hours == 0 {
            return Err(ConfigError::Invalid {
                key: "session_idle_minutes",
                message: "session lifetimes must be at least 1".into(),
            });
        }
        for oidc in self.providers() {
            if oidc.id.is_empty()
                || !oidc
                    .id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(ConfigError::Invalid {
                    key: "oidc.id",
                    message: format!(
                        "{:?} must be letters, digits, - or _ (it is part of the sign-in address)",
                        oidc.id
                    ),
                });
            }
            for (key, value) in [
                ("oidc.issuer", &oidc.issuer),
                ("oidc.redirect_url", &oidc.redirect_url),
            ] {
                if !(value.starts_with("https://") || value.starts_with("http://")) {
                    return Err(ConfigError::Invalid {
                        key,
                        message: "must be an http(s) URL".into(),
                    });
                }
            }
            if oidc.client_id.trim().is_empty() {
                return Err(ConfigError::Invalid {
                    key: "oidc.client_id",
                    message: "must not be empty".into(),
                });
            }
            if oidc.tenants.is_empty() || oidc.tenants.iter().any(|t| t.trim().is_empty()) {
                return Err(ConfigError::Invalid {
                    key: "oidc.tenants",
                    message: "name the tenants (ids) this provider signs people into".into(),
                });
            }
            if oidc.object_id_claim.trim().is_empty() {
                return Err(ConfigError::Invalid {
                    key: "oidc.object_id_claim",
                    message: "must not be empty".into(),
                });
            }
            // The link to a data subject must be something its holder cannot choose: a name
            // or an address here would bring back the takeover the object id closes.
            if MUTABLE_CLAIMS.contains(&oidc.object_id_claim.trim().to_ascii_lowercase().as_str()) {
                return Err(ConfigError::Invalid {
                    key: "oidc.object_id_claim",
                    message: format!(
                        "{:?} can be changed by the person or their admin; name an immutable \
                         id such as oid (Entra ID) or sub",
                        oidc.object_id_claim
                    ),
                });
            }
            if let Some((claim, role)) = oidc
                .role_map
                .iter()
                .find(|(_, role)| app::auth::Role::parse(role).is_none())
            {
                return Err(ConfigError::Invalid {
                    key: "oidc.role_map",
                    message: format!(
                        "{claim} maps to {role}, which is not one of tenant_admin, support_reviewer, auditor, end_user"
                    ),
                });
            }
            if oidc.per_tenant_issuer() && oidc.issuer.matches(TENANT_PLACEHOLDER).count() != 1 {
                return Err(ConfigError::Invalid {
                    key: "oidc.issuer",
                    message: format!("{} holds {TENANT_PLACEHOLDER} more than once", oidc.id),
                });
            }
            if let Some((domain, tenant)) = oidc
                .domains
                .iter()
                .find(|(domain, tenant)| domain.trim().is_empty() || !oidc.serves(tenant))
            {
                return Err(ConfigError::Invalid {
                    key: "oidc.domains",
                    message: format!(
                        "{domain:?} of provider {} names tenant {tenant:?}, which the provider does not list in tenants",
                        oidc.id
                    ),
                });
            }
        }
        self.validate_providers_apart()?;
        if self.sharing_max_attempts == 0 || self.sharing_timeout_seconds == 0 {
            return Err(ConfigError::Invalid {
                key: "sharing_max_attempts",
                message: "delivery attempts and timeout must be at least 1".into(),
            });
        }
        for network in &self.outbound_allow_networks {
            if network.trim().parse::<ipnet::IpNet>().is_err() {
                return Err(ConfigError::Invalid {
                    key: "outbound_allow_networks",
                    message: format!(
                        "{network:?} is not a network in CIDR form such as 10.0.0.0/8"
                    ),
                });
            }
        }
        if self.api_rate_per_minute == 0 {
            return Err(ConfigError::Invalid {
                key: "api_rate_per_minute",
                message: "must be at least 1".into(),
            });
        }
        if self.api_body_limit_bytes < 1024 {
            return Err(ConfigError::Invalid {
                key: "api_body_limit_bytes",
                message: "must be at least 1024".into(),
            });
        }
        if self.rate_limit_store() == RateLimitStore::Redis {
            match self.redis_url.as_deref() {
                None => {
                    return Err(ConfigError::Invalid {
                        key: "redis_url",
                        message: "rate_limit_store = \"redis\" needs redis_url".into(),
                    })
                }
                // The client is built without TLS (no second TLS stack in the tree): a
                // `rediss://` address would fail at first use, so it is refused at start.
                Some(url) if !url.starts_with("redis://") => {
                    return Err(ConfigError::Invalid {
                        key: "redis_url",
                        message: "must start with redis:// (TLS to Redis is not built in: use a private network or a local TLS tunnel)".into(),
                    })
                }
                Some(_) => {}
            }
        }
        if self.sign_in_rate_per_minute == 0 {
            return Err(ConfigError::Invalid {
                key: "sign_in_rate_per_minute",
                message: "must be at least 1".into(),
            });
        }
        if self.request_body_limit_bytes < 1024 {
            return Err(ConfigError::Invalid {
                key: "request_body_limit_bytes",
                message: "must be at least 1024".into(),
            });
        }
        if let Some(start) = &self.clock_start {
            if !self.demo_mode {
                return Err(ConfigError::Invalid {
                    key: "clock_start",
                    message: "a chosen time is for demo and test runs only: turn demo_mode on or remove the key".into(),
                });
            }
            if let Err(message) = crate::clock::parse_rfc3339(start) {
                return Err(ConfigError::Invalid {
                    key: "clock_start",
                    message,
                });
            }
        }
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log_level) {
            return Err(ConfigError::Invalid {
                key: "log_level",
                message: e.to_string(),
            });
        }
        Ok(())
    }

    /// Every configured OpenID Connect provider: `oidc`, then `oidc_providers`.
    pub fn providers(&self) -> impl Iterator<Item = &OidcConfig> {
        self.oidc.iter().chain(self.oidc_providers.iter())
    }

    /// Providers must be told apart: by id (the sign-in address names it), by tenant (a tenant
    /// is bound to one provider, so no other can speak for it) and by e-mail domain.
    fn validate_providers_apart(&self) -> Result<(), ConfigError> {
        let providers: Vec<&OidcConfig> = self.providers().collect();
        for (i, a) in providers.iter().enumerate() {
            for b in &providers[i + 1..] {
                if a.id.trim().eq_ignore_ascii_case(b.id.trim()) {
                    return Err(ConfigError::Invalid {
                        key: "oidc_providers",
                        message: format!("two providers have the id {:?}: give each its own", a.id),
                    });
                }
                if let Some(tenant) = a.tenants.iter().find(|t| b.serves(t)) {
                    return Err(ConfigError::Invalid {
                        key: "oidc.tenants",
                        message: format!(
                            "tenant {tenant} is listed by providers {} and {}: a tenant is bound to one provider",
                            a.id, b.id
                        ),
                    });
                }
                if let Some(domain) = a.domains.keys().find(|d| b.tenant_of_domain(d).is_some()) {
                    return Err(ConfigError::Invalid {
                        key: "oidc.domains",
                        message: format!(
                            "the domain {domain} is listed by providers {} and {}",
                            a.id, b.id
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// How the sharing connector retries deliveries.
    pub fn delivery_policy(&self) -> crate::services::disclosures::DeliveryPolicy {
        crate::services::disclosures::DeliveryPolicy {
            retry_base_ms: i64::try_from(self.sharing_retry_base_seconds.saturating_mul(1000))
                .unwrap_or(i64::MAX),
            max_attempts: i32::try_from(self.sharing_max_attempts).unwrap_or(i32::MAX),
            timeout: std::time::Duration::from_secs(self.sharing_timeout_seconds),
            outbound: self.outbound_policy(),
        }
    }

    /// Where recipient endpoints may be (networks were checked by [`Config::validate`]).
    pub fn outbound_policy(&self) -> crate::outbound::OutboundPolicy {
        crate::outbound::OutboundPolicy::new(
            self.outbound_allow_networks
                .iter()
                .filter_map(|n| n.trim().parse().ok())
                .collect(),
            self.outbound_allow_http,
        )
    }

    /// The clock this configuration asks for: the system clock, or one started at
    /// `clock_start` (which [`Config::validate`] admits only in demo mode).
    pub fn clock(&self) -> crate::clock::Clock {
        match self.clock_start.as_deref().map(crate::clock::parse_rfc3339) {
            Some(Ok(start)) if self.demo_mode => crate::clock::Clock::starting_at(start),
            _ => crate::clock::Clock::system(),
        }
    }

    /// The socket address to bind.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.host, self.port)
    }

    /// The database engine, from the URL scheme.
    pub fn backend(&self) -> Option<Backend> {
        let scheme = self.database_url.split(':').next()?;
        match scheme {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            _ => None,
        }
    }

    /// Where rate-limit counts live: as configured, else Redis when `redis_url` is set, else this
    /// process's memory.
    pub fn rate_limit_store(&self) -> RateLimitStore {
        match (self.rate_limit_store, &self.redis_url) {
            (Some(store), _) => store,
            (None, Some(_)) => RateLimitStore::Redis,
            (None, None) => RateLimitStore::Memory,
        }
    }

    /// A copy safe to print or log: the database password is masked.
    pub fn redacted(&self) -> Config {
        Config {
            database_url: redact_url(&self.database_url),
            redis_url: self.redis_url.as_deref().map(redact_url),
            ..self.clone()
        }
    }
}

/// Masks the password of `scheme://user:password@host/...`.
fn redact_url(url: &str) -> String {
    // A query may carry a password too (`?password=…`, which sqlx reads): such values are
    // masked, the rest (`mode=rwc`) stays readable.
    let (url, query) = match url.split_once('?') {
        Some((base, query)) => {
            let pairs: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if is_secret_key(key) => format!("{key}=********"),
                    _ => pair.to_owned(),
                })
                .collect();
            (base, format!("?{}", pairs.join("&")))
        }
        None => (url, String::new()),
    };
    let Some((scheme, rest)) = url.split_once("://") else {
        return format!("{url}{query}");
    };
    // The last `@` ends the userinfo, as URL parsers read it: a password may hold a bare `@`
    // or `/`.
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return format!("{url}{query}");
    };
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:********@{host}{query}"),
        None => format!("{url}{query}"),
    }
}

/// A query parameter that may hold a secret (`password`, `sslpassword`, `token`, `key`…).
fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["pass", "secret", "token", "key"]
        .iter()
        .any(|word| key.contains(word))
}

#[cfg(test)]
// figment's Jail API fixes the closure's error type; its size does not matter in a test.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid_and_use_a_local_sqlite_file() {
        let config = Config::default();
        assert!(config.validate().is_ok());
        assert_eq!(config.backend(), Some(Backend::Sqlite));
        assert!(!config.demo_mode, "demo mode must never be on by default");
    }

    #[test]
    fn the_oidc_client_secret_is_never_printed() {
        let config = Config {
            oidc: Some(OidcConfig::new(
                "https://login.example/tenant/v2.0",
                "portal",
                Some("s3cr3t-value"),
                "https://portal.example/auth/oidc/callback",
                &["11111111-2222-3333-4444-555555555555"],
            )),
            ..Config::default()
        };
        let shown = format!("{config:?} {:?}", config.redacted());
        assert!(!shown.contains("s3cr3t-value"), "{shown}");
    }

    #[test]
    fn a_provider_must_name_its_tenants_and_map_roles_only_to_portal_roles() {
        let provider = OidcConfig::new(
            "https://login.example/tenant/v2.0",
            "portal",
            None,
            "https://portal.example/auth/oidc/callback",
            &["11111111-2222-3333-4444-555555555555"],
        );
        let with = |oidc: OidcConfig| Config {
            oidc: Some(oidc),
            ..Config::default()
        };
        assert!(with(provider.clone()).validate().is_ok());
        let no_tenants = OidcConfig {
            tenants: vec![],
            ..provider.clone()
        };
        assert!(matches!(
            with(no_tenants).validate(),
            Err(ConfigError::Invalid {
                key: "oidc.tenants",
                ..
            })
        ));
        let mut unknown_role = provider.clone();
        unknown_role
            .role_map
            .insert("Crm.Auditor".into(), "global_admin".into());
        assert!(matches!(
            with(unknown_role).validate(),
            Err(ConfigError::Invalid {
                key: "oidc.role_map",
                ..
            })
        ));
        assert_eq!(provider.role_for("auditor"), Some(app::auth::Role::Auditor));
        assert_eq!(provider.role_for("Crm.Auditor"), None, "no prefix matching");
        assert_eq!(provider.role_for("Auditor"), None, "only listed values");
    }

    #[test]
    fn several_providers_are_told_apart_by_id_tenant_and_domain() {
        const CONTOSO: &str = "11111111-2222-3333-4444-555555555555";
        const FABRIKAM: &str = "22222222-3333-4444-5555-666666666666";
        let mut keycloak = OidcConfig::new(
            "https://sso.contoso.example/realms/staff",
            "portal",
            None,
            "https://portal.example/auth/oidc/callback",
            &[CONTOSO],
        );
        keycloak.id = "contoso".into();
        keycloak
            .domains
            .insert("contoso.com".into(), CONTOSO.into());
        let mut entra = OidcConfig::new(
            "https://login.microsoftonline.com/{tenant}/v2.0",
            "portal",
            None,
            "https://portal.example/auth/oidc/callback",
            &[FABRIKAM],
        );
        entra.id = "entra".into();
        entra.domains.insert("fabrikam.com".into(), FABRIKAM.into());
        let with = |providers: Vec<OidcConfig>| Config {
            oidc_providers: providers,
            ..Config::default()
        };
        assert!(with(vec![keycloak.clone(), entra.clone()])
            .validate()
            .is_ok());
        assert_eq!(
            entra.issuer_for(Some(FABRIKAM)).as_deref(),
            Some("https://login.microsoftonline.com/22222222-3333-4444-5555-666666666666/v2.0"),
            "a multi-tenant issuer is each tenant's own"
        );
        assert_eq!(entra.issuer_for(Some(CONTOSO)), None, "only its tenants");
        assert_eq!(entra.issuer_for(None), None, "a template needs a tenant");
        assert_eq!(
            keycloak.issuer_for(None).as_deref(),
            Some("https://sso.contoso.example/realms/staff")
        );

        let same_id = OidcConfig {
            id: "contoso".into(),
            ..entra.clone()
        };
        let same_tenant = OidcConfig {
            tenants: vec![CONTOSO.into()],
            domains: Default::default(),
            ..entra.clone()
        };
        let mut same_domain = entra.clone();
        same_domain
            .domains
            .insert("CONTOSO.com".into(), FABRIKAM.into());
        let mut foreign_domain = entra.clone();
        foreign_domain
            .domains
            .insert("example.org".into(), CONTOSO.into());
        let bad_id = OidcConfig {
            id: "a b".into(),
            ..entra.clone()
        };
        let by_email = OidcConfig {
            object_id_claim: "Email".into(),
            ..entra.clone()
        };
        for (second, key) in [
            (same_id, "oidc_providers"),
            (same_tenant, "oidc.tenants"),
            (same_domain, "oidc.domains"),
            (foreign_domain, "oidc.domains"),
            (bad_id, "oidc.id"),
            (by_email, "oidc.object_id_claim"),
        ] {
            match with(vec![keycloak.clone(), second]).validate() {
                Err(ConfigError::Invalid { key: got, .. }) => assert_eq!(got, key),
                other => panic!("expected {key} to be refused, got {other:?}"),
            }
        }
    }

    #[test]
    fn passwords_never_appear_in_the_redacted_copy() {
        let config = Config {
            database_url: "postgres://portal:hunter2@db.internal:5432/portal".into(),
            ..Config::default()
        };
        let config = Config {
            redis_url: Some("redis://:hun@ter2@cache.internal:6379/0".into()),
            ..config
        };
        let shown = format!("{:?}", config.redacted());
        assert!(
            !shown.contains("hunter2") && !shown.contains("ter2"),
            "{shown}"
        );
        assert!(shown.contains("postgres://portal:********@db.internal:5432/portal"));
        let in_query = Config {
            database_url: "postgres://db.internal/portal?user=portal&password=s3cret".into(),
            ..Config::default()
        };
        let shown = format!("{:?}", in_query.redacted());
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("postgres://db.internal/portal?user=portal&password=********"),
            "{shown}"
        );
    }

    #[test]
    fn bad_values_are_refused_with_the_key_named() {
        let cases: [(Config, &str); 6] = [
            (
                Config {
                    database_url: "mysql://x".into(),
                    ..Config::default()
                },
                "database_url",
            ),
            (
                Config {
                    database_max_connections: 0,
                    ..Config::default()
                },
                "database_max_connections",
            ),
            (
                Config {
                    request_timeout_seconds: 0,
                    ..Config::default()
                },
                "request_timeout_seconds",
            ),
            (
                Config {
                    log_level: "info,=[".into(),
                    ..Config::default()
                },
                "log_level",
            ),
            (
                Config {
                    rate_limit_store: Some(RateLimitStore::Redis),
                    ..Config::default()
                },
                "redis_url",
            ),
            (
                Config {
                    rate_limit_store: Some(RateLimitStore::Redis),
                    redis_url: Some("rediss://cache.internal:6380".into()),
                    ..Config::default()
                },
                "redis_url",
            ),
        ];
        for (config, key) in cases {
            let message = config
                .validate()
                .map(|_| String::new())
                .unwrap_or_else(|e| e.to_string());
            assert!(
                message.contains(key),
                "expected {key} to be named in {message:?}"
            );
        }
    }

    #[test]
    fn a_chosen_time_is_refused_outside_demo_mode_and_must_be_an_instant() {
        let production = Config {
            clock_start: Some("2028-02-29T12:00:00Z".into()),
            ..Config::default()
        };
        let message = production
            .validate()
            .map(|_| String::new())
            .unwrap_or_else(|e| e.to_string());
        assert!(
            message.contains("clock_start") && message.contains("demo"),
            "{message}"
        );
        assert!(
            production.clock().is_system(),
            "production never runs on a chosen clock"
        );

        let demo = Config {
            demo_mode: true,
            ..production.clone()
        };
        assert!(demo.validate().is_ok());
        let now = demo.clock().now_ms();
        let start = crate::clock::parse_rfc3339("2028-02-29T12:00:00Z").unwrap_or_default();
        assert!((start..start + 60_000).contains(&now), "{now}");

        let garbled = Config {
            clock_start: Some("29/02/2028".into()),
            ..demo
        };
        let message = garbled
            .validate()
            .map(|_| String::new())
            .unwrap_or_else(|e| e.to_string());
        assert!(
            message.contains("clock_start") && message.contains("RFC 3339"),
            "{message}"
        );
    }

    #[test]
    fn the_file_layer_overrides_defaults_and_unknown_keys_are_named(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let good = dir.path().join("good.toml");
        std::fs::write(&good, "port = 8080\ndemo_mode = true\n")?;
        figment::Jail::expect_with(|_jail| {
            let config = Config::load(Some(&good)).map_err(|e| e.to_string())?;
            assert_eq!(config.port, 8080);
            assert!(config.demo_mode);
            Ok(())
        });
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "prot = 8080\n")?;
        let message = Config::load(Some(&bad))
            .map(|_| String::new())
            .unwrap_or_else(|e| e.to_string());
        assert!(message.contains("prot"), "{message}");
        Ok(())
    }

    #[test]
    fn allowed_networks_come_from_the_environment_as_a_list_and_bad_ones_name_the_key() {
        figment::Jail::expect_with(|jail| {
            jail.set_env(
                "PORTAL_OUTBOUND_ALLOW_NETWORKS",
                "[10.20.0.0/16, \"fd00::/8\"]",
            );
            jail.set_env("PORTAL_OUTBOUND_ALLOW_HTTP", "true");
            let config = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(config.outbound_allow_networks, ["10.20.0.0/16", "fd00::/8"]);
            assert!(config.outbound_allow_http);
            let policy = config.outbound_policy();
            assert!(policy.permits("10.20.1.2".parse().map_err(|_| "ip")?));
            assert!(!policy.permits("10.21.1.2".parse().map_err(|_| "ip")?));
            jail.set_env("PORTAL_OUTBOUND_ALLOW_NETWORKS", "[10.20.0.0]");
            let message = Config::load(None)
                .map(|_| String::new())
                .unwrap_or_else(|e| e.to_string());
            assert!(message.contains("outbound_allow_networks"), "{message}");
            Ok(())
        });
    }

    #[test]
    fn environment_variables_override_the_file_and_bad_types_name_the_key() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("portal.toml", "port = 8080")?;
            jail.set_env("PORTAL_PORT", "9090");
            let config = Config::load(Some(Path::new("portal.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(config.port, 9090);
            jail.set_env("PORTAL_PORT", "not-a-port");
            let message = Config::load(None)
                .map(|_| String::new())
                .unwrap_or_else(|e| e.to_string());
            assert!(message.contains("port"), "{message}");
            Ok(())
        });
    }
}
