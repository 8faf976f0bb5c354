//! `smarthd`: the command line over the Smart-Hải Dương core.

/// `println!` for everything the CLI prints, except that a closed stdout (`smarthd … | head`)
/// ends the program quietly instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::print_line(format_args!($($arg)*))
    };
}

mod appointment;
mod demo;
mod dossier;
mod login;
mod loopback;
mod output;
mod pay;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use smarthd_core::catalog::model::{Level, OnlineLevel, Subject};
use smarthd_core::payment::PaymentMethod;
use smarthd_core::{Config, Error, ErrorKind, ForPerson, LocalData, PageRequest, SearchFilters, Services, SmartHd};
use smarthd_sandbox::{Sandbox, SandboxConfig};

use crate::output::printable;

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
    /// The portal's receipt-signing key, KEY_ID:PUBLIC_KEY (base64url), pinned: receipts verify
    /// only with it. Without it the key is fetched from the portal on first use and kept sealed.
    #[arg(long, global = true, env = "SMARTHD_RECEIPT_KEY", value_name = "KEY_ID:PUBLIC_KEY")]
    receipt_key: Option<String>,
    /// The portal's appointment-ticket key, KEY_ID:PUBLIC_KEY (base64url), pinned the same way.
    #[arg(long, global = true, env = "SMARTHD_TICKET_KEY", value_name = "KEY_ID:PUBLIC_KEY")]
    ticket_key: Option<String>,
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
    /// Dossiers (hồ sơ): drafts, attachments, submission, tracking.
    Dossier {
        #[command(subcommand)]
        command: DossierCommand,
    },
    /// Send queued dossiers and refresh their statuses and payments.
    Sync,
    /// Pay a received dossier's fees (gateway page or VietQR), then wait for the outcome.
    Pay {
        dossier_id: String,
        #[arg(long, value_enum, default_value = "gateway")]
        method: MethodArg,
    },
    /// Your payments.
    Payments,
    /// Your e-receipts, each verified with the portal's key.
    Receipts,
    /// The sandbox's officer console, as a sandbox officer (docs/identity.md): list, show,
    /// supplement, result, status. Answers JSON.
    Officer {
        #[arg(long, env = "SMARTHD_OFFICER", default_value = "canbo.motcua")]
        user: String,
        #[arg(long, env = "SMARTHD_OFFICER_PASSWORD", default_value = "Canbo@123", hide_env_values = true)]
        password: String,
        #[command(subcommand)]
        command: OfficerCommand,
    },
    /// My documents: results, e-receipts and personal papers, offline; QUERY filters (with or
    /// without tone marks); `--export ID --out FILE` writes one.
    Documents {
        query: Option<String>,
        #[arg(long, requires = "out")]
        export: Option<String>,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// One e-receipt.
    Receipt {
        #[command(subcommand)]
        command: ReceiptCommand,
    },
    /// Your appointments at one-stop counters (lịch hẹn), offline.
    Appointments,
    /// An appointment at a commune's one-stop counter (Bộ phận một cửa).
    Appointment {
        #[command(subcommand)]
        command: AppointmentCommand,
    },
    /// Encode or decode VietQR payloads.
    Vietqr {
        #[command(subcommand)]
        command: VietqrCommand,
    },
    /// Log in with VNeID through the OpenID provider (loopback redirect, system browser).
    Login {
        /// VNeID level: 2 for fee-paying services and documents.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2))]
        level: u8,
        /// The OpenID provider's issuer (default: the portal's realm, or the one used last).
        #[arg(long)]
        issuer: Option<String>,
        #[arg(long)]
        client_id: Option<String>,
        /// Open the authorization URL in the default browser.
        #[arg(long)]
        open: bool,
    },
    /// Who is logged in (name, masked CCCD, level, token expiry).
    Whoami,
    /// Log out: revoke, wipe the local session, print the provider's end-session URL. Your
    /// dossiers, payments and receipts stay on this device, sealed and yours, unless --wipe.
    Logout {
        /// Also delete your dossiers, payments and receipts from this device.
        #[arg(long)]
        wipe: bool,
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
        /// Inject a fault from the start (repeatable): ROUTE submit|attachments|dossiers|book|*, KIND
        /// error_500|delay|drop|commit_then_drop|malformed, PROBABILITY 0..1, DELAY_MS for delay.
        #[arg(long = "fault", value_name = "ROUTE:KIND:PROBABILITY[:DELAY_MS]")]
        faults: Vec<smarthd_sandbox::faults::Fault>,
        /// The token `/admin/…` routes require (a random one, printed at start, by default), so a
        /// test harness can set faults without scraping the output.
        #[arg(long, env = "SMARTHD_SANDBOX_ADMIN_TOKEN", hide_env_values = true)]
        admin_token: Option<String>,
    },
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// Bring the offline catalog up to date.
    Sync,
    /// Search procedures, with or without tone marks, one page at a time (every match is
    /// reachable with --page).
    Search {
        query: String,
        /// A field as `catalog fields` lists it, with or without tone marks ("ho tich").
        #[arg(long)]
        field: Option<String>,
        /// An agency as `catalog agencies` lists it, with or without tone marks.
        #[arg(long)]
        agency: Option<String>,
        #[arg(long, value_enum)]
        level: Option<LevelArg>,
        #[arg(long, value_enum)]
        online: Option<OnlineArg>,
        /// Results per page (1 to 200).
        #[arg(long, default_value_t = 10,
              value_parser = clap::value_parser!(u32).range(1..=i64::from(smarthd_core::catalog::MAX_PAGE_LIMIT)))]
        limit: u32,
        /// Which page, from 1.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
        page: u32,
    },
    /// Completions of a search being typed, from the offline copy ("dang k").
    Suggest {
        prefix: String,
        /// How many (1 to 20).
        #[arg(long, default_value_t = 8,
              value_parser = clap::value_parser!(u32).range(1..=i64::from(smarthd_core::catalog::MAX_SUGGESTIONS)))]
        limit: u32,
    },
    /// Show a procedure's whole record.
    Show { code: String },
    /// The fields (lĩnh vực) of the procedures in force, with how many each: what `search
    /// --field` takes.
    Fields,
    /// The agencies (cơ quan thực hiện) of the procedures in force, with how many each: what
    /// `search --agency` takes.
    Agencies,
}

#[derive(Subcommand)]
enum DossierCommand {
    /// Start a draft for a procedure and print its form.
    New {
        code: String,
        /// Apply as an organisation instead of a citizen.
        #[arg(long)]
        organization: bool,
        /// Whom the dossier is about: yourself (default) or a family member you apply for.
        #[arg(long = "for", value_enum, default_value = "self")]
        for_person: ForArg,
    },
    /// Set a field of a draft.
    Set { id: String, field: String, value: String },
    /// Attach a file (JPEG, PNG or PDF, at most 10 MiB).
    Attach {
        id: String,
        file: PathBuf,
        /// In a supplement round: the requested document this file is (default: the first one
        /// not attached yet).
        #[arg(long)]
        document: Option<String>,
    },
    /// Queue the dossier (or its supplement) for sending (works offline), then try to send it.
    Submit { id: String },
    /// Your dossiers.
    List,
    /// One dossier with its timeline. ID is the dossier's id (or a unique start of it) or its
    /// code.
    Show { id: String },
    /// Delete a draft (never a dossier the portal holds: withdraw that).
    Delete { id: String },
    /// Withdraw a dossier the portal received and has not begun processing.
    Withdraw {
        id: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Rate how the dossier was handled, once, after its result (delivered by the next sync).
    Rate {
        id: String,
        #[arg(long, value_enum)]
        verdict: VerdictArg,
        /// A criterion's score, 0 to 2 (repeatable): KEY=N, KEY one of cong_khai, huong_dan,
        /// thanh_phan, dung_han, so_lan, chi_phi, thai_do, truc_tuyen, phan_hoi.
        #[arg(long = "score", value_name = "KEY=N")]
        scores: Vec<String>,
        #[arg(long)]
        comment: Option<String>,
    },
    /// The dossier's result, verified offline; `--out` writes its PDF.
    Result {
        id: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Look a dossier up by its code, without logging in.
    Track { code: String },
}

/// The sandbox officer console's actions (testers scripting the officer's part).
#[derive(Subcommand)]
enum OfficerCommand {
    /// The newest dossiers.
    List,
    /// One dossier whole: form values, attachments, supplement rounds, timeline, rating.
    Show { code: String },
    /// Ask for more documents (a new round).
    Supplement {
        code: String,
        #[arg(long)]
        message: String,
        /// A document asked for (repeatable).
        #[arg(long = "document")]
        documents: Vec<String>,
        /// The last day to supplement, YYYY-MM-DD (default: 15 days).
        #[arg(long)]
        deadline: Option<String>,
    },
    /// Attach the result: the officer's PDF (`--file`), or one the portal draws (`--name` only).
    Result {
        code: String,
        #[arg(long)]
        file: Option<PathBuf>,
        /// The result document's name (default: the file's name).
        #[arg(long)]
        name: Option<String>,
    },
    /// Move the dossier to STATUS (received, processing, awaiting_payment, rejected,
    /// result_ready, returned; need_more_documents through `supplement`).
    Status {
        code: String,
        status: String,
        #[arg(long)]
        message: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum VerdictArg {
    NotSatisfied,
    Satisfied,
    VerySatisfied,
}

#[derive(Subcommand)]
enum AppointmentCommand {
    /// The one-stop counters, of a unit or all.
    Counters {
        #[arg(long)]
        unit: Option<String>,
    },
    /// Free slots (now to 6 days ahead) at a unit's counter for a procedure.
    Slots {
        #[arg(long)]
        procedure: String,
        /// The commune-level unit's code (see `smarthd appointment counters`).
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        counter: Option<String>,
    },
    /// Book a slot (at most 6 days ahead, at most 2 a day).
    Book {
        slot_id: String,
        #[arg(long)]
        procedure: Option<String>,
    },
    /// Cancel a booking.
    Cancel { id: String },
    /// The booking's ticket: its QR code, verified offline with the portal's key.
    Ticket { id: String },
}

#[derive(Subcommand)]
enum ReceiptCommand {
    /// Verify a kept receipt's signature offline.
    Verify { id: String },
}

#[derive(Subcommand)]
enum VietqrCommand {
    /// Print the payload for an account (or card) and optional amount, bill number, purpose.
    Encode {
        #[arg(long)]
        bin: String,
        #[arg(long)]
        account: String,
        #[arg(long)]
        amount: Option<u64>,
        #[arg(long)]
        bill: Option<String>,
        #[arg(long)]
        purpose: Option<String>,
        /// The account is a card number.
        #[arg(long)]
        card: bool,
        /// Also write the QR code as a PNG image.
        #[arg(long)]
        png: Option<PathBuf>,
    },
    /// Read a payload: every field, or a clear error.
    Decode { payload: String },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ForArg {
    #[value(name = "self")]
    Myself,
    Child,
    Parent,
    Spouse,
    Other,
}

impl From<ForArg> for ForPerson {
    fn from(arg: ForArg) -> ForPerson {
        match arg {
            ForArg::Myself => ForPerson::Myself,
            ForArg::Child => ForPerson::Child,
            ForArg::Parent => ForPerson::Parent,
            ForArg::Spouse => ForPerson::Spouse,
            ForArg::Other => ForPerson::Other,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MethodArg {
    Gateway,
    Vietqr,
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
    let json = cli.json;
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let kind = e.kind();
            // A portal's refusal carries its message: printed like any portal text.
            let message = output::printable(&e.to_string());
            if json {
                let field = match &e {
                    Error::Validation { field, .. } => Some(field.as_str()),
                    _ => None,
                };
                let error = serde_json::json!({"error": {"kind": kind_name(kind), "message": message, "field": field}});
                eprintln!("{error}");
            } else {
                eprintln!("lỗi / error: {message}");
            }
            ExitCode::from(exit_code(kind))
        }
    }
}

/// The stable name of an error's kind in `--json` errors (docs/cli.md).
fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Offline => "offline",
        ErrorKind::Network => "network",
        ErrorKind::NeedsLogin => "needs_login",
        ErrorKind::NeedsLevel2 => "needs_level2",
        ErrorKind::Validation => "validation",
        ErrorKind::Conflict => "conflict",
        ErrorKind::NotFound => "not_found",
        ErrorKind::Storage => "storage",
        ErrorKind::UserDataUnreadable => "user_data_unreadable",
        ErrorKind::UpdateNeeded => "update_needed",
        ErrorKind::Cancelled => "cancelled",
        ErrorKind::Other => "other",
    }
}

/// The exit status for an error's kind, so scripts can branch on it (docs/cli.md); 2 stays
/// clap's, for a command line it cannot read.
fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Validation => 10,
        ErrorKind::NotFound => 11,
        ErrorKind::NeedsLogin => 12,
        ErrorKind::NeedsLevel2 => 13,
        ErrorKind::Offline | ErrorKind::Network => 14,
        ErrorKind::Conflict => 15,
        ErrorKind::Storage | ErrorKind::UserDataUnreadable => 16,
        ErrorKind::UpdateNeeded => 17,
        ErrorKind::Cancelled | ErrorKind::Other => 1,
    }
}

fn data_dir(cli: &Cli) -> PathBuf {
    cli.data_dir.clone().unwrap_or_else(|| {
        directories::ProjectDirs::from("vn.gov", "haiduong", "smarthd")
            .map(|d| d.data_dir().to_owned())
            .unwrap_or_else(|| PathBuf::from(".smarthd"))
    })
}

fn config(cli: &Cli) -> Result<Config, Error> {
    let mut config = Config::new(&cli.portal, data_dir(cli))?;
    login::apply_provider(&mut config, None, None);
    if let Some(pin) = &cli.receipt_key {
        config.receipt_keys = vec![smarthd_core::ReceiptKeyPin::parse(pin)?];
    }
    if let Some(pin) = &cli.ticket_key {
        config.ticket_keys = vec![smarthd_core::ReceiptKeyPin::parse(pin)?];
    }
    Ok(config)
}

fn open_with(config: Config, listener: Arc<dyn smarthd_core::EventListener>) -> Result<SmartHd, Error> {
    let keys = config.data_dir.join("keys");
    SmartHd::open(config, Services::with_key_dir(keys).events(listener))
}

fn open_core(cli: &Cli, listener: Arc<dyn smarthd_core::EventListener>) -> Result<SmartHd, Error> {
    open_with(config(cli)?, listener)
}

async fn run(cli: Cli) -> Result<(), Error> {
    match &cli.command {
        Command::Demo => demo::run().await,
        Command::Sandbox { command: SandboxCommand::Serve { addr, catalog_size, db, faults, admin_token } } => {
            let dir = data_dir(&cli);
            std::fs::create_dir_all(&dir)?;
            let config = SandboxConfig {
                addr: *addr,
                catalog_size: *catalog_size,
                faults: faults.clone(),
                admin_token: admin_token.clone(),
                ..SandboxConfig::ephemeral(db.clone().unwrap_or_else(|| dir.join("sandbox.db")))
            };
            let sandbox = Sandbox::start(config).await.map_err(|e| Error::Internal(e.to_string()))?;
            eprintln!("Cổng thử nghiệm / sandbox portal: {}  (Ctrl-C to stop)", sandbox.base_url());
            eprintln!(
                "Mã quản trị / admin token (header {}): {}",
                smarthd_sandbox::ADMIN_TOKEN_HEADER,
                sandbox.admin_token()
            );
            sandbox.serve_until_ctrl_c().await;
            Ok(())
        }
        Command::Catalog { command } => catalog(&cli, command).await,
        Command::Dossier { command } => dossiers(&cli, command).await,
        Command::Sync => {
            let core = open_core(&cli, Arc::new(smarthd_core::NoEvents))?;
            let report = core.sync().now().await?;
            dossier::sync_report(&report, cli.json);
            Ok(())
        }
        Command::Pay { dossier_id, method } => {
            let core = open_core(&cli, Arc::new(smarthd_core::NoEvents))?;
            let method = match method {
                MethodArg::Gateway => PaymentMethod::Gateway,
                MethodArg::Vietqr => PaymentMethod::Vietqr,
            };
            let order = pay::pay(&core, dossier_id, method, cli.json).await?;
            pay::show_order(&order, cli.json);
            if let Some(receipt) = &order.receipt_id {
                pay::show_receipt(&core.payments().verify_receipt(receipt)?, cli.json);
            }
            Ok(())
        }
        Command::Payments => {
            let core = open_core(&cli, Arc::new(smarthd_core::NoEvents))?;
            let payments = core.payments().list()?;
            if cli.json {
                out!("{}", serde_json::to_string_pretty(&payments).expect("serializable"));
            } else if payments.is_empty() {
                out!("Chưa có khoản thanh toán nào / no payments yet");
            }
            if !cli.json {
                payments.iter().for_each(|p| pay::show_order(p, false));
            }
            Ok(())
        }
        Command::Receipts => {
            let core = open_core(&cli, Arc::new(smarthd_core::NoEvents))?;
            let receipts = core.payments().receipts()?;
            if cli.json {
                out!("{}", serde_json::to_string_pretty(&receipts).expect("serializable"));
            } else if receipts.is_empty() {
                out!("Chưa có biên lai nào / no receipts yet");
            } else {
                receipts.iter().for_each(|r| pay::show_receipt(r, false));
            }
            Ok(())
        }
        Command::Officer { user, password, command } => {
            let console = smarthd_sandbox::robot::OfficerConsole::log_in_as(&cli.portal, user, password)
                .await
                .map_err(|e| Error::Validation { field: "officer".into(), reason: e.to_string() })?;
            let fail = |e: smarthd_sandbox::robot::RobotError| Error::Internal(e.to_string());
            let answer = match command {
                OfficerCommand::List => console.list().await.map_err(fail)?,
                OfficerCommand::Show { code } => console.dossier(code).await.map_err(fail)?,
                OfficerCommand::Supplement { code, message, documents, deadline } => {
                    let documents: Vec<&str> = documents.iter().map(String::as_str).collect();
                    console.request_supplement_by(code, message, &documents, deadline.as_deref()).await.map_err(fail)?
                }
                OfficerCommand::Result { code, file, name } => {
                    let named = |path: &PathBuf| path.file_stem().map(|s| s.to_string_lossy().into_owned());
                    let name =
                        name.clone().or_else(|| file.as_ref().and_then(named)).ok_or_else(|| Error::Validation {
                            field: "name".into(),
                            reason: "--file or --name / cần --file hoặc --name".into(),
                        })?;
                    match file {
                        Some(file) => {
                            console.attach_result_file(code, &name, &std::fs::read(file)?).await.map_err(fail)?
                        }
                        None => console.attach_result(code, &name).await.map_err(fail)?,
                    }
                }
                OfficerCommand::Status { code, status, message } => {
                    console.set_status(code, status, message.as_deref()).await.map_err(fail)?
                }
            };
            out!("{}", serde_json::to_string_pretty(&answer).expect("serializable"));
            Ok(())
        }
        Command::Documents { query, export, out: file } => {
            let core = open_core(&cli, Arc::new(smarthd_core::NoEvents))?;
            let documents = match (export, file) {
                (Some(id), Some(file)) => vec![core.documents().export(id, file)?],
                _ => core.documents().list(query.as_deref().unwrap_or(""))?,
            };
            output::documents(&documents, cli.json);
            Ok(())
        }
        Command::Receipt { command: ReceiptCommand::Verify { id } } => {
            let core = open_core(&cli, Arc::new(smarthd_core::NoEvents))?;
            pay::show_receipt(&core.payments().verify_receipt(id)?, cli.json);
            Ok(())
        }
        Command::Appointments => {
            let core = open_core(&cli, Arc::new(smarthd_core::NoEvents))?;
            appointment::list(&core.appointments().list()?, cli.json);
            Ok(())
        }
        Command::Appointment { command } => appointments(&cli, command).await,
        Command::Vietqr { command } => vietqr_command(command, cli.json),
        Command::Login { level, issuer, client_id, open } => {
            let mut config = Config::new(&cli.portal, data_dir(&cli))?;
            login::apply_provider(&mut config, issuer.as_deref(), client_id.as_deref());
            let profile =
                login::login(config, |c| open_with(c, Arc::new(smarthd_core::NoEvents)), *level, *open).await?;
            output::profile(&profile, cli.json);
            Ok(())
        }
        Command::Whoami => {
            let core = open_core(&cli, Arc::new(smarthd_core::NoEvents))?;
            match core.session().whoami().await? {
                Some(profile) => output::profile(&profile, cli.json),
                None if cli.json => out!("null"),
                None => out!("Chưa đăng nhập / not logged in"),
            }
            Ok(())
        }
        Command::Logout { wipe } => {
            let core = open_core(&cli, Arc::new(smarthd_core::NoEvents))?;
            let local_data = if *wipe { LocalData::Wipe } else { LocalData::Keep };
            let end_session = core.session().logout(local_data).await?;
            if cli.json {
                let kept = if *wipe { "wiped" } else { "kept" };
                out!("{}", serde_json::json!({"logged_out": true, "end_session_url": end_session, "local_data": kept}));
                return Ok(());
            }
            match end_session {
                Some(url) => {
                    out!("Đã đăng xuất / logged out. Kết thúc phiên trên trình duyệt / end the browser session:\n{url}")
                }
                None => out!("Đã đăng xuất / logged out"),
            }
            if *wipe {
                out!("Đã xoá dữ liệu của bạn trên máy này / your data on this device was deleted");
            } else {
                out!(
                    "Dữ liệu của bạn được giữ lại, mã hoá, chỉ bạn xem được (xoá: smarthd logout --wipe) / your data \
                     stays on this device, sealed, for you only (to delete it: smarthd logout --wipe)"
                );
            }
            Ok(())
        }
    }
}

async fn catalog(cli: &Cli, command: &CatalogCommand) -> Result<(), Error> {
    match command {
        CatalogCommand::Sync => {
            let progress = output::SyncProgressBar::new(!cli.json);
            let core = open_core(cli, progress.clone())?;
            match core.sync().catalog().await {
                Ok(report) => {
                    progress.finish();
                    output::sync_report(&report, &core.catalog().freshness()?, cli.json);
                    Ok(())
                }
                Err(e) => {
                    progress.finish();
                    if e.kind() == ErrorKind::Offline {
                        output::offline_notice(&core.catalog().freshness()?);
                    }
                    Err(e)
                }
            }
        }
        CatalogCommand::Search { query, field, agency, level, online, limit, page } => {
            let core = open_core(cli, Arc::new(smarthd_core::NoEvents))?;
            ensure_first_sync(&core, cli.json).await;
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
            let Some(offset) = (page - 1).checked_mul(*limit) else {
                return Err(Error::Validation {
                    field: "page".into(),
                    reason: "trang quá xa / the page is out of range".into(),
                });
            };
            let found = core.catalog().search(query, &filters, PageRequest { offset, limit: *limit })?;
            output::search_results(query, &found, *page, offset, &core.catalog().freshness()?, cli.json);
            Ok(())
        }
        CatalogCommand::Suggest { prefix, limit } => {
            let core = open_core(cli, Arc::new(smarthd_core::NoEvents))?;
            ensure_first_sync(&core, cli.json).await;
            output::suggestions(&core.catalog().suggest(prefix, *limit)?, cli.json);
            Ok(())
        }
        CatalogCommand::Show { code } => {
            let core = open_core(cli, Arc::new(smarthd_core::NoEvents))?;
            ensure_first_sync(&core, cli.json).await;
            let procedure = core.catalog().procedure(code)?;
            output::procedure(&procedure, cli.json);
            Ok(())
        }
        CatalogCommand::Fields | CatalogCommand::Agencies => {
            let core = open_core(cli, Arc::new(smarthd_core::NoEvents))?;
            ensure_first_sync(&core, cli.json).await;
            let facets = match command {
                CatalogCommand::Fields => core.catalog().fields()?,
                _ => core.catalog().agencies()?,
            };
            output::facets(&facets, cli.json);
            Ok(())
        }
    }
}

/// A dossier named by its id, a unique start of its id, or its code (any case).
fn resolve_dossier(core: &SmartHd, given: &str) -> Result<String, Error> {
    let given = given.trim();
    let dossiers = core.dossiers().list()?;
    if let Some(d) = dossiers.iter().find(|d| d.id == given) {
        return Ok(d.id.clone());
    }
    if let Some(d) = dossiers.iter().find(|d| d.code.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(given))) {
        return Ok(d.id.clone());
    }
    let matching: Vec<&str> =
        dossiers.iter().filter(|d| given.len() >= 4 && d.id.starts_with(given)).map(|d| d.id.as_str()).collect();
    match matching.as_slice() {
        [one] => Ok((*one).to_owned()),
        [] => Err(Error::NotFound(format!("dossier {given}"))),
        _ => Err(Error::Validation {
            field: "id".into(),
            reason: format!("nhiều hồ sơ bắt đầu bằng {given} / several dossiers start with {given}"),
        }),
    }
}

async fn dossiers(cli: &Cli, command: &DossierCommand) -> Result<(), Error> {
    let core = open_core(cli, Arc::new(smarthd_core::NoEvents))?;
    let resolve = |given: &str| resolve_dossier(&core, given);
    match command {
        DossierCommand::New { code, organization, for_person } => {
            ensure_first_sync(&core, cli.json).await;
            let applicant = if *organization { Subject::Organization } else { Subject::Citizen };
            let draft = core.dossiers().new_draft_for(code, applicant, (*for_person).into())?;
            let procedure = core.catalog().procedure(&draft.procedure_code)?;
            dossier::form(&procedure, &draft, cli.json);
        }
        DossierCommand::Set { id, field, value } => {
            let id = resolve(id)?;
            let problem = core.dossiers().set_field(&id, field, value)?;
            // What was kept: the value normalized ("0912 345 678" -> "0912345678", "Cha" -> "cha").
            let stored = core.dossiers().get(&id)?.fields.get(field).cloned().unwrap_or_default();
            dossier::field_set(field, &stored, problem.as_ref(), cli.json);
        }
        DossierCommand::Attach { id, file, document } => {
            let id = resolve(id)?;
            let attachment = match document {
                Some(document) => core.dossiers().attach_document(&id, file, document)?,
                None => core.dossiers().attach(&id, file)?,
            };
            if cli.json {
                out!("{}", serde_json::to_string_pretty(&attachment).expect("serializable"));
            } else {
                let answers =
                    attachment.document.as_deref().map(|d| format!(" → {}", printable(d))).unwrap_or_default();
                out!(
                    "📎 {} ({} bytes, {}, sha256 {}){answers}",
                    printable(&attachment.name),
                    attachment.size,
                    attachment.content_type,
                    attachment.sha256
                );
            }
        }
        DossierCommand::Submit { id } => {
            let id = &resolve(id)?;
            let queued = core.dossiers().submit(id)?;
            // With --json, stdout holds the dossier only.
            let sent = core.sync().now().await;
            if !cli.json {
                out!("Đã đưa vào hàng đợi gửi / queued for sending: {}", queued.id);
                match sent {
                    Ok(report) => dossier::sync_report(&report, false),
                    Err(e) => out!(
                        "Chưa gửi được, sẽ gửi lại sau / not sent yet, will retry: {}",
                        output::printable(&e.to_string())
                    ),
                }
            }
            dossier::show(&core.dossiers().get(id)?, cli.json);
        }
        DossierCommand::List => dossier::list(&core.dossiers().list()?, cli.json),
        DossierCommand::Show { id } => dossier::show(&core.dossiers().get(&resolve(id)?)?, cli.json),
        DossierCommand::Delete { id } => {
            let id = resolve(id)?;
            core.dossiers().delete_draft(&id)?;
            if cli.json {
                out!("{}", serde_json::json!({"deleted": id}));
            } else {
                out!("Đã xoá bản nháp / draft deleted: {id}");
            }
        }
        DossierCommand::Withdraw { id, reason } => {
            let id = resolve(id)?;
            core.dossiers().withdraw(&id, reason.as_deref())?;
            if !cli.json {
                out!("Đã đưa yêu cầu rút hồ sơ vào hàng đợi / withdrawal queued: {id}");
            }
            if let Err(e) = core.sync().now().await
                && !cli.json
            {
                out!("Chưa gửi được, sẽ gửi lại sau / not sent yet, will retry: {e}");
            }
            dossier::show(&core.dossiers().get(&id)?, cli.json);
        }
        DossierCommand::Rate { id, verdict, scores, comment } => {
            use smarthd_core::dossier::{Rating, RatingVerdict};
            let id = resolve(id)?;
            let verdict = match verdict {
                VerdictArg::NotSatisfied => RatingVerdict::NotSatisfied,
                VerdictArg::Satisfied => RatingVerdict::Satisfied,
                VerdictArg::VerySatisfied => RatingVerdict::VerySatisfied,
            };
            let mut parsed = std::collections::BTreeMap::new();
            for score in scores {
                let bad = || Error::Validation { field: "score".into(), reason: format!("KEY=0..2, not {score}") };
                let (key, value) = score.split_once('=').ok_or_else(bad)?;
                parsed.insert(key.trim().to_owned(), value.trim().parse::<u8>().map_err(|_| bad())?);
            }
            core.dossiers().rate(&id, Rating { verdict, scores: parsed, comment: comment.clone() })?;
            if !cli.json {
                out!("Cảm ơn bạn đã đánh giá / thank you for rating: {}", verdict.labels().0);
            }
            if let Err(e) = core.sync().now().await
                && !cli.json
            {
                out!("Chưa gửi được, sẽ gửi lại sau / not sent yet, will retry: {e}");
            }
            dossier::show(&core.dossiers().get(&id)?, cli.json);
        }
        DossierCommand::Result { id, out: file } => {
            let id = resolve(id)?;
            let result = match file {
                Some(file) => core.dossiers().export_result(&id, file)?,
                None => core.dossiers().result(&id)?,
            };
            dossier::result(&result, file.as_deref(), cli.json);
        }
        DossierCommand::Track { code } => dossier::public_status(&core.dossiers().lookup(code).await?, cli.json),
    }
    Ok(())
}

async fn appointments(cli: &Cli, command: &AppointmentCommand) -> Result<(), Error> {
    let core = open_core(cli, Arc::new(smarthd_core::NoEvents))?;
    let handle = core.appointments();
    match command {
        AppointmentCommand::Counters { unit } => {
            appointment::counters(&handle.counters(unit.as_deref()).await?, cli.json)
        }
        AppointmentCommand::Slots { procedure, unit, counter } => {
            let query = smarthd_core::appointment::client::SlotQuery {
                unit_code: unit.clone(),
                counter_id: counter.clone(),
                procedure_code: Some(procedure.clone()),
            };
            appointment::slots(&handle.slots(&query).await?, cli.json);
        }
        AppointmentCommand::Book { slot_id, procedure } => {
            appointment::show(&handle.book(slot_id, procedure.as_deref()).await?, cli.json)
        }
        AppointmentCommand::Cancel { id } => appointment::show(&handle.cancel(id).await?, cli.json),
        AppointmentCommand::Ticket { id } => appointment::ticket(&handle.ticket(id)?, cli.json)?,
    }
    Ok(())
}

fn vietqr_command(command: &VietqrCommand, json: bool) -> Result<(), Error> {
    use smarthd_core::payment::vietqr;
    match command {
        VietqrCommand::Encode { bin, account, amount, bill, purpose, card, png } => {
            let qr = vietqr::VietQr {
                bin: bin.clone(),
                account: account.clone(),
                to_card: *card,
                amount: *amount,
                bill_number: bill.clone(),
                purpose: purpose.clone(),
            };
            let payload = vietqr::encode(&qr);
            // What we write must read back: the same checks a bank's app makes.
            vietqr::decode(&payload)
                .map_err(|e| Error::Validation { field: "vietqr".into(), reason: e.to_string() })?;
            if let Some(path) = png {
                let matrix = vietqr::matrix(&payload).map_err(|e| Error::Internal(e.to_string()))?;
                pay::write_png(&matrix, path)?;
            }
            out!("{payload}");
            Ok(())
        }
        VietqrCommand::Decode { payload } => {
            let qr = vietqr::decode(payload)
                .map_err(|e| Error::Validation { field: "vietqr".into(), reason: e.to_string() })?;
            pay::show_vietqr(&qr, json);
            Ok(())
        }
    }
}

/// A cache that was never filled is filled first; if the portal is down, say so and go on with
/// what the cache has.
/// With `--json` the notice is left out: stderr then holds nothing but a JSON error, if any.
async fn ensure_first_sync(core: &SmartHd, json: bool) {
    let Ok(freshness) = core.catalog().freshness() else { return };
    if freshness.last_success_at.is_some() {
        return;
    }
    if let Err(e) = core.sync().catalog().await
        && !json
    {
        eprintln!("lỗi / error: {}", output::printable(&e.to_string()));
        output::offline_notice(&freshness);
    }
}
