//! The `server` binary: parse the command line, load the configuration, run the command.

use clap::Parser;
use server::cli::{Cli, Command};
use server::config::Config;
use server::startup::{shutdown_signal, Application};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    server::telemetry::init(&config);
    match run(cli.command.unwrap_or(Command::Serve), config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn migrated(config: &Config) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let db = server::db::connect(config).await?;
    server::db::migrate(&db).await?;
    Ok(db)
}

fn rate(rows: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        // Display only: precision loss above 2^53 rows is irrelevant.
        #[allow(clippy::cast_precision_loss)]
        let rows = rows as f64;
        rows / seconds
    } else {
        0.0
    }
}

/// The summary, then every refused line (line, Graph field, reason; never a value).
fn print_import_report(report: &server::services::import::ImportReport) {
    println!("{report}");
    for rejection in &report.rejected {
        println!("  {}", rejection.describe(app::i18n::Locale::En));
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    // One clock per process. A chosen start (`clock_start`, demo mode only) moves the server
    // and the demo and generated data; the other commands change or read real records (tokens,
    // imports, exports, audit events, deliveries), so they always run on the system clock.
    let chosen = matches!(
        command,
        Command::Serve | Command::SeedDemo | Command::Seed { .. }
    );
    let clock = if chosen {
        config.clock()
    } else {
        if config.clock_start.is_some() {
            tracing::warn!("clock_start applies to serve and the seed commands only; this command runs on the system clock");
        }
        server::clock::Clock::system()
    };
    match command {
        Command::Serve => {
            let application = Application::build_with_clock(&config, clock).await?;
            let addr = application.local_addr()?;
            // Printed on stdout, unadorned, so scripts and the browser-test harness can read
            // the port chosen when `port = 0`.
            println!("Privacy Portal listening on http://{addr}");
            tracing::info!(%addr, demo_mode = config.demo_mode, "serving");
            application.run_until(shutdown_signal()).await
        }
        Command::Migrate => {
            let db = server::db::connect(&config).await?;
            let applied = server::db::migrate(&db).await?;
            println!("{applied} migration(s) applied");
            db.close().await?;
            Ok(())
        }
        Command::ShareOnce => {
            let db = migrated(&config).await?;
            let connector = server::services::disclosures::Connector::new(config.delivery_policy());
            let summary =
                server::services::disclosures::run_cycle(&db, &connector, clock.now_ms()).await?;
            println!(
                "{} disclosures recorded, {} delivered, {} failed, {} follow-ups sent, {} restricted fields left out",
                summary.recorded,
                summary.delivered,
                summary.failed,
                summary.follow_ups_sent,
                summary.restricted_fields
            );
            db.close().await?;
            Ok(())
        }
        Command::Config => {
            println!("{:#?}", config.redacted());
            Ok(())
        }
        Command::SeedDemo => {
            let db = migrated(&config).await?;
            if server::seed::demo::load(&db, clock.now_ms()).await? {
                println!("demo data loaded: Contoso Ltd and Fabrikam Inc");
            } else {
                println!("demo data already present, kept as it is");
            }
            db.close().await?;
            Ok(())
        }
        Command::Seed { users, seed, batch } => {
            // One connection with a 1 GiB page cache: a bulk load inserts into indexes keyed by
            // random ids, and with the default cache most of its time goes to re-reading pages.
            let seed_config = Config {
                database_max_connections: 1,
                ..config.clone()
            };
            let db = migrated(&seed_config).await?;
            if seed_config.backend() == Some(server::config::Backend::Sqlite) {
                use sea_orm::ConnectionTrait;
                db.execute_unprepared("PRAGMA cache_size = -1048576")
                    .await?;
            }
            let plan = server::seed::generator::Plan {
                users,
                seed,
                batch,
                now: clock.now_ms(),
            };
            let loaded = server::seed::bulk::generate(&db, &plan, |r| {
                eprint!(
                    "\r{} / {users} users, {} rows, {:.0} rows/s   ",
                    r.users,
                    r.rows(),
                    rate(r.rows(), r.seconds)
                );
            })
            .await?;
            eprintln!();
            let report = loaded.report;
            if report.created {
                println!(
                    "tenant {} generated: {} users, {} devices, {} apps, {} disclosures, {} requests, {} audit events; {} rows in {:.1} s ({:.0} rows/s)",
                    report.tenant_id, report.users, report.devices, report.apps, report.disclosures,
                    report.requests, report.audit_events, report.rows(), report.seconds,
                    rate(report.rows(), report.seconds)
                );
                println!("indexes built in {:.1} s", loaded.index_seconds);
            } else {
                println!("tenant {} already present, kept as it is", report.tenant_id);
            }
            db.close().await?;
            Ok(())
        }
        Command::Import {
            tenant,
            file,
            batch,
        } => {
            let db = migrated(&config).await?;
            let tenant = server::cli::tenant_id(&db, &tenant).await?;
            let result =
                server::services::import::import_file(&db, &tenant, &file, batch, &clock).await;
            match &result {
                Ok(report) => print_import_report(report),
                // Batches before a refused one are saved: say what they hold.
                Err(e) => {
                    if let Some(failed) = e.downcast_ref::<server::services::import::BatchFailed>()
                    {
                        print_import_report(&failed.saved);
                    }
                }
            }
            db.close().await?;
            result.map(|_| ())
        }
        Command::BootstrapAdmin {
            tenant,
            object_id,
            name,
        } => {
            let db = migrated(&config).await?;
            use server::services::accounts::Bootstrapped;
            let outcome = match server::services::accounts::bootstrap_admin(
                &db,
                &tenant,
                &object_id,
                &name,
                clock.now_ms(),
            )
            .await
            {
                Ok(outcome) => outcome,
                Err(server::services::error::ServiceError::NotFound) => {
                    anyhow::bail!("tenant {tenant} does not exist")
                }
                Err(other) => return Err(server::cli::service_error(other)),
            };
            match outcome {
                Bootstrapped::Waiting => println!(
                    "the person with object id {object_id} becomes tenant admin of {tenant} at their next sign-in (first or not)"
                ),
                Bootstrapped::Unchanged => println!(
                    "the role already waits for the person with object id {object_id} in {tenant}: nothing changed"
                ),
            }
            db.close().await?;
            Ok(())
        }
        Command::Export {
            tenant,
            user,
            format,
            lang,
        } => {
            let db = migrated(&config).await?;
            let locale = app::i18n::Locale::from_tag(&lang).unwrap_or_default();
            let format = match format {
                server::cli::ExportFormat::Json => server::services::export::ExportFormat::Json,
                server::cli::ExportFormat::Csv => server::services::export::ExportFormat::Csv,
            };
            // Recorded like every other export of personal data, with the command line as actor.
            let export = match server::services::export::export_recorded(
                &db,
                &tenant,
                server::services::audit::Actor::system("command line"),
                &user,
                format,
                locale,
                clock.now_ms(),
            )
            .await
            {
                Ok(export) => export,
                Err(server::services::error::ServiceError::NotFound) => {
                    anyhow::bail!("no user {user} in tenant {tenant}")
                }
                Err(other) => return Err(server::cli::service_error(other)),
            };
            match format {
                server::services::export::ExportFormat::Json => {
                    println!("{}", serde_json::to_string_pretty(&export)?)
                }
                server::services::export::ExportFormat::Csv => {
                    print!("{}", server::services::export::to_csv(&export, locale))
                }
            }
            db.close().await?;
            Ok(())
        }
        Command::ApiToken { command } => {
            server::api::tokens::run_cli(command, &config, &clock).await
        }
        Command::VerifyAudit => {
            use sea_orm::EntityTrait;
            let db = migrated(&config).await?;
            let mut broken = 0;
            for tenant in server::entities::tenant::Entity::find().all(&db).await? {
                let report = server::services::audit::verify_chain(&db, &tenant.id).await?;
                match report.first_broken_seq {
                    None => println!("{}: intact, {} events", tenant.id, report.events),
                    Some(seq) => {
                        broken += 1;
                        println!("{}: BROKEN at event {seq}", tenant.id);
                    }
                }
            }
            db.close().await?;
            if broken > 0 {
                anyhow::bail!("{broken} tenant(s) have a broken audit chain");
            }
            Ok(())
        }
    }
}
