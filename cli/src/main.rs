//! `smarthd`: the command line over the Smart-Hải Dương core.

mod demo;
mod output;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use smarthd_core::catalog::model::{Level, OnlineLevel};
use smarthd_core::{CancelToken, Config, Error, ErrorKind, PageRequest, SearchFilters, Services, SmartHd};
use smarthd_sandbox::{Sandbox, SandboxConfig};

#[derive(Parser)]
#[command(
    name = "smarthd",
    version,
    about = "Smart-Hải Dương: dịch vụ công trên dòng lệnh / public services on the command line"
)]
struct Cli {
    /// Where catalog.db and user.db live (default: the per-user data dir).
    #[arg(long, global = true, env = "SMARTHD_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The portal's base URL (https, or http on loopback only).
    #[arg(long, global = true, env = "SMARTHD_PORTAL", default_value = "http://127.0.0.1:8787/")]
    portal: String,
    /// Machine-readable output.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The sandbox portal (the province's systems, for tests and testers).
    Sandbox {
        #[command(subcommand)]
        command: SandboxCommand,
    },
    /// The service catalog (thủ tục hành chính).
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// A guided tour against an embedded sandbox, in a fresh temporary data dir.
    Demo,
}

#[derive(Subcommand)]
enum SandboxCommand {
    /// Serve the sandbox portal until Ctrl-C.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8787")]
        addr: SocketAddr,
        /// Procedures to generate when the database is new.
        #[arg(long, default_value_t = smarthd_sandbox::DEFAULT_CATALOG_SIZE)]
        catalog_size: usize,
        /// The sandbox's SQLite file (default: sandbox.db in the data dir).
        #[arg(long)]
        db: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// Bring the offline catalog up to date.
    Sync,
    /// Search procedures, with or without tone marks.
    Search {
        query: String,
        #[arg(long)]
        field: Option<String>,
        #[arg(long)]
        agency: Option<String>,
        #[arg(long, value_enum)]
        level: Option<LevelArg>,
        #[arg(long, value_enum)]
        online: Option<OnlineArg>,
        #[arg(long, default_value_t = 10)]
        limit: u32,
    },
    /// Show a procedure's whole record.
    Show { code: String },
}

#[derive(Clone, Copy, ValueEnum)]
enum LevelArg {
    Province,
    Commune,
}

#[derive(Clone, Copy, ValueEnum)]
enum OnlineArg {
    Full,
    Partial,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("SMARTHD_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lỗi / error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn data_dir(cli: &Cli) -> PathBuf {
    cli.data_dir.clone().unwrap_or_else(|| {
        directories::ProjectDirs::from("vn.gov", "haiduong", "smarthd")
            .map(|d| d.data_dir().to_owned())
            .unwrap_or_else(|| PathBuf::from(".smarthd"))
    })
}

fn open_core(cli: &Cli, listener: Arc<dyn smarthd_core::EventListener>) -> Result<SmartHd, Error> {
    let dir = data_dir(cli);
    SmartHd::open(Config::new(&cli.portal, &dir)?, Services::with_key_dir(dir.join("keys")).events(listener))
}

async fn run(cli: Cli) -> Result<(), Error> {
    match &cli.command {
        Command::Demo => demo::run().await,
        Command::Sandbox { command: SandboxCommand::Serve { addr, catalog_size, db } } => {
            let dir = data_dir(&cli);
            std::fs::create_dir_all(&dir)?;
            let config = SandboxConfig {
                addr: *addr,
                db_path: db.clone().unwrap_or_else(|| dir.join("sandbox.db")),
                catalog_size: *catalog_size,
                seed: smarthd_sandbox::DEFAULT_SEED,
            };
            let sandbox = Sandbox::start(config).await.map_err(|e| Error::Internal(e.to_string()))?;
            eprintln!("Cổng thử nghiệm / sandbox portal: {}  (Ctrl-C to stop)", sandbox.base_url());
            sandbox.serve_until_ctrl_c().await;
            Ok(())
        }
        Command::Catalog { command } => catalog(&cli, command).await,
    }
}

async fn catalog(cli: &Cli, command: &CatalogCommand) -> Result<(), Error> {
    match command {
        CatalogCommand::Sync => {
            let progress = output::SyncProgressBar::new(!cli.json);
            let core = open_core(cli, progress.clone())?;
            match core.sync_catalog(&CancelToken::new()).await {
                Ok(report) => {
                    progress.finish();
                    output::sync_report(&report, &core.freshness()?, cli.json);
                    Ok(())
                }
                Err(e) => {
                    progress.finish();
                    if e.kind() == ErrorKind::Offline {
                        output::offline_notice(&core.freshness()?);
                    }
                    Err(e)
                }
            }
        }
        CatalogCommand::Search { query, field, agency, level, online, limit } => {
            let core = open_core(cli, Arc::new(smarthd_core::NoEvents))?;
            ensure_first_sync(&core).await;
            let filters = SearchFilters {
                field: field.clone(),
                agency: agency.clone(),
                level: level.map(|l| match l {
                    LevelArg::Province => Level::Province,
                    LevelArg::Commune => Level::Commune,
                }),
                online_level: online.map(|o| match o {
                    OnlineArg::Full => OnlineLevel::Full,
                    OnlineArg::Partial => OnlineLevel::Partial,
                }),
                subject: None,
            };
            let page = core.search(query, &filters, PageRequest { offset: 0, limit: *limit })?;
            output::search_results(query, &page, &core.freshness()?, cli.json);
            Ok(())
        }
        CatalogCommand::Show { code } => {
            let core = open_core(cli, Arc::new(smarthd_core::NoEvents))?;
            ensure_first_sync(&core).await;
            let procedure = core.procedure(code)?;
            output::procedure(&procedure, cli.json);
            Ok(())
        }
    }
}

/// A cache that was never filled is filled first; if the portal is down, say so and go on with
/// what the cache has.
async fn ensure_first_sync(core: &SmartHd) {
    let Ok(freshness) = core.freshness() else { return };
    if freshness.last_success_at.is_some() {
        return;
    }
    if let Err(e) = core.sync_catalog(&CancelToken::new()).await {
        eprintln!("{e}");
        output::offline_notice(&freshness);
    }
}
