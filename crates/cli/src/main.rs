//! The `clearinghouse` binary. Only this crate reads arguments, environment variables,
//! configuration files and signals; it wires them into the library crates.

mod admin;
mod backup;
mod config;
mod demo;
mod extractcmd;
mod health;
mod linkall;
mod linkcmd;
mod resourcescmd;
mod triagecmd;
mod world;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use config::{Config, ConfigArgs};
use service::{Clock, Services};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "clearinghouse",
    version,
    about = "Clearinghouse: reports, missing-child cases, link analysis and recovery services for the organisations that fight child sex trafficking.",
    after_help = "Configuration comes from defaults, then a TOML file (--config), then CLEARINGHOUSE_* environment variables (nested settings with a double underscore, e.g. CLEARINGHOUSE_SECURITY__SESSION_IDLE_MINUTES), then flags.\n\nOrganisation kinds: hotline, law-enforcement, child-welfare, provider, service-provider, partner.\nRoles: administrator, supervisor, analyst, investigator, caseworker, recovery-specialist, volunteer, provider-api."
)]
struct Cli {
    #[command(flatten)]
    config: ConfigArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (applies pending database migrations first).
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080.
        #[arg(long, env = "CLEARINGHOUSE_LISTEN", value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Run the product on a fresh SQLite data directory with a small synthetic world and a user per role; the second factor is off.
    Demo {
        /// Address to listen on.
        #[arg(long, env = "CLEARINGHOUSE_LISTEN", value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Apply pending database migrations and list them.
    Migrate,
    /// Accounts, organisations and the audit log, from the command line.
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// Write a deterministic synthetic world (cases, reports, tips, ads, ground truth) for demos, tests and benchmarks.
    Synth(world::SynthArgs),
    /// Load CyberTipline XML reports, tips, ads and missing-child cases; importing twice adds nothing.
    Import(world::ImportArgs),
    /// The recovery resource directory: import and export Open Referral (HSDS 3) data packages.
    #[command(subcommand)]
    Resources(resourcescmd::ResourcesCommand),
    /// Report priorities: reassess them all after the indicator catalogue changed.
    #[command(subcommand)]
    Triage(triagecmd::TriageCommand),
    /// Recompute every link between reports, cases and ads (shared identifiers, the same child, ad templates) from scratch.
    Link,
    // The help of these two comes from the doc comments in linkcmd.rs (a doc comment here
    // would replace their longer description).
    Dedupe(linkcmd::DedupeArgs),
    ClusterAds(linkcmd::ClusterAdsArgs),
    Extract(extractcmd::ExtractArgs),
    /// Copy the database (consistently, while the server runs) and the uploaded files into a new directory, with a manifest of hashes. The file key is not copied: back it up apart.
    Backup(backup::BackupArgs),
    /// Restore a backup into a fresh data directory or an empty database: refuses a backup whose hashes do not match, then checks the rows, the audit chain and the files.
    Restore(backup::RestoreArgs),
    /// Ask a running server whether it is ready (GET /readyz); exit 0 only if it is. For container health checks.
    Health(health::HealthArgs),
}

/// A failure with its own exit code, so that scripts can tell them apart: 2 for input to
/// fix (as for a bad command line), 3 for an import that left rows out, 4 for a broken
/// audit chain; anything else exits 1.
#[derive(Debug)]
pub enum Exit {
    BadInput(String),
    Partial(String),
    AuditBroken(String),
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exit::BadInput(m) | Exit::Partial(m) | Exit::AuditBroken(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Exit {}

impl Exit {
    fn code(err: &anyhow::Error) -> u8 {
        match err.downcast_ref::<Exit>() {
            Some(Exit::BadInput(_)) => 2,
            Some(Exit::Partial(_)) => 3,
            Some(Exit::AuditBroken(_)) => 4,
            None => 1,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    store::install_tls_provider();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(Exit::code(&e))
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve { listen } => {
            let config = Config::load(&cli.config, listen)?;
            init_logging(&config);
            // Before anything records a metric, so nothing before the first scrape is lost.
            web::ops::prometheus();
            for warning in config.start_warnings(false) {
                tracing::warn!("{warning}");
            }
            serve(config, false).await
        }
        Command::Demo { listen } => {
            let config = demo::config(&cli.config, listen)?;
            init_logging(&config);
            web::ops::prometheus();
            let mut services = connect(&config).await?;
            // The demo sends no mail: learners' confirmation links go to the log.
            services.log_outbox = true;
            demo::populate(&services, &config).await?;
            demo::print_welcome(&config);
            serve_with(config, services, true).await
        }
        Command::Migrate => {
            let config = Config::load(&cli.config, None)?;
            let services = connect(&config).await?;
            for (version, description) in services.store.migration_versions() {
                println!("{version:04} {description}");
            }
            println!(
                "The database at {} is up to date.",
                config.redacted_database_url()
            );
            Ok(())
        }
        Command::Admin(admin::AdminCommand::NewKey) => {
            // No configuration or database: a key is just random bytes.
            println!("{}", blob::Key::generate().to_base64());
            Ok(())
        }
        Command::Admin(cmd) => {
            let config = Config::load(&cli.config, None)?;
            let services = connect(&config).await?;
            admin::run(&services, cmd).await
        }
        Command::Triage(cmd) => {
            let config = Config::load(&cli.config, None)?;
            let services = connect(&config).await?;
            let outcome = triagecmd::run(&services, cmd).await;
            services.store.close().await;
            outcome
        }
        Command::Resources(cmd) => {
            let config = Config::load(&cli.config, None)?;
            let services = connect(&config).await?;
            let outcome = resourcescmd::run(&services, cmd).await;
            services.store.close().await;
            outcome
        }
        Command::Link => {
            let config = Config::load(&cli.config, None)?;
            let services = connect(&config).await?;
            let outcome = linkall::run(&services).await;
            services.store.close().await;
            outcome
        }
        Command::Synth(args) => world::synth(&args),
        Command::Dedupe(args) => linkcmd::dedupe(&args),
        Command::ClusterAds(args) => linkcmd::cluster_ads(&args),
        Command::Extract(args) => extractcmd::run(&args),
        Command::Health(args) => health::run(&args),
        Command::Backup(args) => {
            let config = Config::load(&cli.config, None)?;
            backup::backup(&config, &args).await
        }
        Command::Restore(args) => {
            let config = Config::load(&cli.config, None)?;
            backup::restore(&config, &args).await
        }
        Command::Import(args) => {
            let config = Config::load(&cli.config, None)?;
            let services = connect(&config).await?;
            let start = std::time::Instant::now();
            let outcome = world::import(&services, "operator (command line)", &args.paths).await;
            services.store.close().await;
            let outcome = outcome?;
            eprintln!("Imported in {:.1} s.", start.elapsed().as_secs_f64());
            world::report(&outcome)
        }
    }
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CLEARINGHOUSE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Opens (and creates, for SQLite) the database and applies migrations.
async fn connect(config: &Config) -> Result<Services> {
    let url = config.database_url()?;
    let store = store::Store::connect(&url)
        .await
        .with_context(|| format!("opening the database at {}", config.redacted_database_url()))?;
    store
        .migrate()
        .await
        .context("applying database migrations")?;
    let mut services = Services::new(
        store,
        config.security.clone(),
        Clock::system(),
        config.file_store().await?,
        config.sealer()?,
    );
    services.hotline = config.hotline.clone();
    services.watchlists = config.watchlists.clone();
    services.retention = config.retention;
    let sealed = services
        .seal_plaintext_secrets()
        .await
        .context("sealing second-factor secrets stored in plain text or under a previous key")?;
    if sealed > 0 {
        tracing::info!(
            count = sealed,
            "sealed second-factor secrets stored in plain text or under a previous key"
        );
    }
    services
        .load_catalogue()
        .await
        .context("loading the indicator catalogue")?;
    Ok(services)
}

async fn serve(config: Config, demo: bool) -> Result<()> {
    let services = connect(&config).await?;
    serve_with(config, services, demo).await
}

async fn serve_with(config: Config, services: Services, demo: bool) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}: is another program using it? Choose another with --listen",
                config.listen
            )
        })?;
    // Public statistics: the next monthly release is scheduled; the demo publishes one at
    // start so that /statistics has numbers.
    services
        .start_statistics(demo)
        .await
        .context("scheduling the public statistics")?;
    // Retention (issue 25): the daily purge (and sweep of files no record needs).
    services
        .start_retention()
        .await
        .context("scheduling the daily purge")?;
    let state = web::AppState::new(
        services.clone(),
        web::WebConfig {
            demo,
            secure_cookies: config.secure_cookies,
            trust_forwarded_for: config.trust_forwarded_for,
            trusted_proxies: config.trusted_proxies.clone(),
            metrics_token: config.metrics.token.clone(),
            csrf_key: config.csrf_key()?,
        },
    );
    // The worker stops with the server: on a signal it finishes (or gives back) the job
    // in hand while the server finishes the requests in flight.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = if config.jobs.worker {
        let services = services.clone();
        Some(tokio::spawn(async move {
            services.run_job_worker(stopped).await;
        }))
    } else {
        tracing::warn!("the background worker is off (jobs.worker = false): reports and tips wait in the database to be linked");
        None
    };
    tracing::info!(address = %config.listen, demo, "listening");
    let stop_on_signal = stop.clone();
    let limits = web::ServeLimits {
        header_read_timeout: std::time::Duration::from_secs(
            config.http.header_read_timeout_seconds,
        ),
        body_read_timeout: std::time::Duration::from_secs(config.http.body_read_timeout_seconds),
        max_connections: config.http.max_connections,
    };
    let served = web::serve(listener, state, limits, async move {
        shutdown_signal().await;
        let _ = stop_on_signal.send(true);
    })
    .await;
    let _ = stop.send(true);
    if let Some(worker) = worker {
        if let Err(e) = worker.await {
            tracing::error!(error = %e, "the background worker ended abnormally");
        }
    }
    served.context("serving HTTP")?;
    services.store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM; the server then finishes the requests in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
