//! Building and running the application: database, migrations, router, listener, shutdown.
//!
//! [`Application::build`] does everything up to a bound listener, so tests can start the real
//! application on port 0 and ask which port it got.

use crate::config::Config;
use crate::routes::health;
use crate::state::AppState;
use anyhow::Context;
use app::{shell, App};
use axum::http::{HeaderName, StatusCode};
use axum::middleware::from_fn;
use axum::routing::{get, post};
use axum::Router;
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::provide_context;
use leptos_axum::{file_and_error_handler_with_context, generate_route_list, LeptosRoutes};
use sea_orm::DatabaseConnection;
use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::PropagateRequestIdLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// A migrated database and a bound listener, ready to serve.
pub struct Application {
    listener: TcpListener,
    router: Router,
    db: DatabaseConnection,
    grace: Duration,
    /// The sharing worker, stopped before the pool closes.
    worker: Option<tokio::task::JoinHandle<()>>,
    /// Background jobs, and the sweep that fails dead ones and deletes old ones.
    jobs: crate::services::jobs::Runner,
    jobs_sweeper: tokio::task::JoinHandle<()>,
}

impl Application {
    /// Connects, migrates, builds the router and binds the listener.
    ///
    /// # Errors
    /// When the database cannot be reached or migrated, or the address cannot be bound.
    pub async fn build(config: &Config) -> anyhow::Result<Application> {
        Application::build_with_clock(config, config.clock()).await
    }

    /// [`Application::build`] on a clock of the caller's (tests choose the instant).
    ///
    /// # Errors
    /// As [`Application::build`].
    pub async fn build_with_clock(
        config: &Config,
        clock: crate::clock::Clock,
    ) -> anyhow::Result<Application> {
        if !clock.is_system() {
            // Never silent (logged at the default level): demo and test runs only (see
            // `Config::validate`).
            tracing::info!(?clock, "running on a chosen clock, not the system's");
        }
        let db = crate::db::connect(config).await?;
        let applied = crate::db::migrate(&db).await?;
        if applied > 0 {
            tracing::info!(applied, "database migrations applied");
        }
        crate::catalogue::sync(&db).await?;
        let store = crate::auth::sessions::Store::new(&db).await?;
        // Hourly is plenty: expired sessions are refused on read anyway; this only reclaims space.
        crate::auth::sessions::spawn_purge(store.clone(), Duration::from_secs(3600));
        let oidc = Arc::new(crate::auth::oidc::Providers::new(config.providers())?);
        let limits = crate::rate_limit::Limits::new(config, &db)?;
        if config.rate_limit_store() == crate::config::RateLimitStore::Database {
            crate::rate_limit::spawn_purge(db.clone(), Duration::from_secs(3600));
        }
        let listener = TcpListener::bind(config.addr())
            .await
            .with_context(|| format!("binding {}", config.addr()))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        let worker = crate::worker::spawn(
            db.clone(),
            crate::services::disclosures::Connector::new(config.delivery_policy()),
            Duration::from_secs(config.sharing_interval_seconds),
            clock.clone(),
        );
        let jobs = crate::services::jobs::Runner::new(db.clone(), clock.clone());
        let jobs_sweeper = crate::services::jobs::spawn_sweeper(db.clone(), clock.clone());
        let router = router(
            config,
            addr,
            db.clone(),
            store,
            oidc,
            limits,
            jobs.clone(),
            clock.clone(),
        );
        Ok(Application {
            listener,
            router,
            db,
            grace: Duration::from_secs(config.shutdown_grace_seconds),
            worker,
            jobs,
            jobs_sweeper,
        })
    }

    /// The address actually bound (useful with port 0).
    ///
    /// # Errors
    /// When the socket has no local address (never after a successful bind).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The database pool, for tests and CLI commands that run beside the server.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The job runner, for tests that wait until a job's task has ended.
    pub fn jobs(&self) -> &crate::services::jobs::Runner {
        &self.jobs
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish within the grace
    /// period and closes the database pool.
    ///
    /// # Errors
    /// When serving fails, or in-flight requests outlive the grace period.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        let server = axum::serve(
            self.listener,
            // The peer address is the key of the sign-in rate limit.
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            shutdown.await;
            let _receiver_may_be_gone = stopping_tx.send(());
        });
        let mut server = std::pin::pin!(server.into_future());
        tokio::select! {
            result = &mut server => result.context("serving HTTP")?,
            _ = stopping_rx => {
                tracing::info!(grace_seconds = self.grace.as_secs(), "shutting down, finishing in-flight requests");
                tokio::time::timeout(self.grace, &mut server)
                    .await
                    .context("in-flight requests did not finish within the grace period")?
                    .context("serving HTTP")?;
            }
        }
        if let Some(worker) = self.worker {
            // A cycle cut short loses nothing: what it committed stays, the rest is redone.
            worker.abort();
        }
        self.jobs_sweeper.abort();
        // Jobs cannot outlive the process: say so now rather than after the heartbeat times out.
        if let Err(e) = self.jobs.stop().await {
            tracing::warn!("marking unfinished jobs failed: {e:#}");
        }
        self.db.close().await.context("closing the database pool")?;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

// Each argument is one part the router is made of; a struct would only rename them.
#[allow(clippy::too_many_arguments)]
fn router(
    config: &Config,
    addr: SocketAddr,
    db: DatabaseConnection,
    store: crate::auth::sessions::Store,
    oidc: Arc<crate::auth::oidc::Providers>,
    limits: crate::rate_limit::Limits,
    jobs: crate::services::jobs::Runner,
    clock: crate::clock::Clock,
) -> Router {
    // A build that hashed its bundle files: the page names those (cached for a year).
    let fingerprints = crate::assets::Fingerprints::read(&config.site_root);
    let leptos_options = LeptosOptions::builder()
        .output_name(app::OUTPUT_NAME)
        .site_root(config.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .hash_files(fingerprints.bundle_hashed())
        .hash_file(std::sync::Arc::<str>::from(
            crate::assets::hash_file(&config.site_root).to_string_lossy(),
        ))
        .site_addr(addr)
        .env(if cfg!(debug_assertions) {
            Env::DEV
        } else {
            Env::PROD
        })
        .build();
    let services = crate::services::build(db.clone(), config, jobs.clone(), clock.clone());
    let page_services = services.clone();
    let flags = app::auth::SiteFlags {
        demo_mode: config.demo_mode,
        oidc_enabled: !oidc.is_empty(),
        sign_in: crate::auth::oidc::sign_in_options(&oidc),
    };
    let page_clock = clock.clone();
    let context = move || {
        provide_context(page_services.clone());
        provide_context(flags.clone());
        // The instant this page is rendered at: relative dates and `<html data-now>` read it.
        provide_context(app::components::time::RenderedAt(page_clock.now_ms()));
        crate::security::provide_nonce();
    };
    let routes = generate_route_list(App);
    let request_id = HeaderName::from_static("x-request-id");
    let hardening = crate::security::Hardening::new(config, db.clone(), limits.sign_in);
    let state = AppState {
        leptos_options: leptos_options.clone(),
        db,
        config: Arc::new(config.clone()),
        services,
        oidc,
        jobs,
        limiter: Arc::new(limits.api),
        body_limit: config.api_body_limit_bytes,
        clock,
    };

    Router::new()
        .route("/healthz", get(health::healthz))
        // The bundle, precompressed, cached as long as its name holds (see `assets`).
        .nest_service(
            "/pkg",
            ServiceBuilder::new()
                .layer(from_fn(crate::assets::cache_policy))
                .service(crate::assets::pkg_service(&config.site_root)),
        )
        .route("/readyz", get(health::readyz))
        // Downloads are links (GET) that write audit events: only this site may start one.
        .route(
            "/users/{id}/export",
            get(crate::routes::export::download).layer(from_fn(crate::auth::csrf::this_site_only)),
        )
        .route(
            "/sharing/report.csv",
            get(crate::routes::sharing::report_csv).layer(from_fn(crate::auth::csrf::this_site_only)),
        )
        .route(
            "/audit-log/export",
            get(crate::routes::audit_log::download).layer(from_fn(crate::auth::csrf::this_site_only)),
        )
        .route(
            "/jobs/{id}/download",
            get(crate::routes::jobs::download).layer(from_fn(crate::auth::csrf::this_site_only)),
        )
        .route(
            "/jobs/import",
            post(crate::routes::jobs::import).layer(axum::extract::DefaultBodyLimit::max(
                crate::security::IMPORT_BODY_LIMIT,
            )),
        )
        .route("/auth/demo", post(crate::auth::demo::demo_sign_in))
        .route("/auth/sign-out", post(crate::auth::demo::sign_out))
        .route("/auth/oidc/start", get(crate::auth::oidc::start))
        .route("/auth/oidc/callback", get(crate::auth::oidc::callback))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(file_and_error_handler_with_context::<AppState, _>(context, shell))
        // Forms posted without the browser bundle come back with their confirmation.
        .layer(axum::middleware::from_fn(crate::flash::confirm_form_posts))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::auth::resolve))
        .layer(crate::auth::sessions::layer(store, config))
        .layer(axum::middleware::from_fn(crate::auth::csrf::same_origin))
        // The REST API authenticates by bearer token only: merged after the session and CSRF
        // layers, so it neither reads cookies nor needs a CSRF token.
        .merge(crate::api::routes(&state))
        .with_state(state)
        .layer(
            ServiceBuilder::new()
                .layer(axum::middleware::from_fn(crate::request_id::scope))
                .layer(axum::middleware::from_fn(crate::request_language::scope))
                .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
                    let id = request
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("unknown");
                    // Bounded, and logged escaped: the client chose it.
                    let client_id = request
                        .extensions()
                        .get::<crate::request_id::ClientRequestId>()
                        .map(|c| c.0.as_str());
                    // The path can hold ids but never personal-data values: those travel in bodies.
                    tracing::info_span!("request", request_id = %id, client_request_id = ?client_id, method = %request.method(), path = %request.uri().path())
                }))
                .layer(PropagateRequestIdLayer::new(request_id))
                // Inside the request-id scope (its problems quote the id), outside panic and
                // timeout handling (their answers get the security headers too).
                .layer(axum::middleware::from_fn_with_state(hardening, crate::security::harden))
                // Inside the hardening (its headers go on every answer, compressed or not).
                .layer(axum::middleware::from_fn(crate::assets::no_compression_across_sites))
                .layer(CompressionLayer::new())
                .layer(CatchPanicLayer::custom(crate::error::panic_response))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    Duration::from_secs(config.request_timeout_seconds),
                )),
        )
}
