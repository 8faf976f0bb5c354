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
mod failure;
mod ioc;
mod login;
mod loopback;
mod output;
mod pay;
mod report;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use smarthd_core::catalog::model::{Level, OnlineLevel, Subject};
use smarthd_core::payment::PaymentMethod;
use smarthd_core::{Config, Error, ErrorKind, ForPerson, LocalData, PageRequest, SearchFilters, Services, SmartHd};
use smarthd_sandbox::{Sandbox, SandboxConfig};

use crate::failure::Failure;
use crate::output::printable;

#[derive(Parser)]
#[command(
    name = "smarthd",
    version,
    about = "Smart-Hải Dương: dịch vụ công trên dòng lệnh / public services on the command line",
    after_help = "Ví dụ / Example:\n  smarthd catalog search \"khai sinh\"\n  smarthd --json dossier list\n  \
                  smarthd sandbox serve & smarthd login"
)]
struct Cli {
    /// Where catalog.db and user.db live (default: the per-user data dir).
    #[arg(long, global = true, env = "SMARTHD_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// The portal's base URL (https, or http on loopback only).
    #[arg(long, global = true, env = "SMARTHD_PORTAL", default_value = "http://127.0.0.1:8787/", value_name = "URL")]
    portal: String,
    /// Machine-readable output: one JSON document on stdout; errors as JSON on stderr (docs/cli.md).
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
    #[command(after_help = "Ví dụ / Example:\n  smarthd sandbox serve --addr 127.0.0.1:8787")]
    Sandbox {
        #[command(subcommand)]
        command: SandboxCommand,
    },
    /// The service catalog (thủ tục hành chính).
    #[command(after_help = "Ví dụ / Example:\n  smarthd catalog sync\n  smarthd catalog search \"khai sinh\"")]
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// Dossiers (hồ sơ): drafts, attachments, submission, tracking.
    #[command(after_help = "Ví dụ / Example:\n  smarthd dossier new 1.001193.H19\n  smarthd dossier list")]
    Dossier {
        #[command(subcommand)]
        command: DossierCommand,
    },
    /// Send queued dossiers and refresh their statuses and payments; fails (offline) when the
    /// portal cannot be reached.
    #[command(after_help = "Ví dụ / Example:\n  smarthd sync\n  smarthd --json sync")]
    Sync,
    /// Pay a received dossier's fees (gateway page or VietQR), then wait for the outcome; fails
    /// (payment_not_completed) unless it was paid.
    #[command(
        after_help = "Ví dụ / Example:\n  smarthd pay 5f0c1a2b\n  smarthd pay H19.05-261202-0001 --method vietqr"
    )]
    Pay {
        /// The dossier: its id (or a unique start of it) or its code.
        dossier_id: String,
        /// How to pay: the gateway's page in a browser, or a VietQR for a banking app.
        #[arg(long, value_enum, default_value = "gateway")]
        method: MethodArg,
    },
    /// Your payments.
    #[command(after_help = "Ví dụ / Example:\n  smarthd payments")]
    Payments,
    /// Your e-receipts, each verified with the portal's key.
    #[command(after_help = "Ví dụ / Example:\n  smarthd receipts")]
    Receipts,
    /// The sandbox's officer console, as a sandbox officer (docs/identity.md): list, show,
    /// supplement, result, status, alert, and the IOC's field reports. Answers JSON.
    #[command(
        after_help = "Ví dụ / Example:\n  smarthd officer list\n  smarthd officer --user canbo.motcua show H19.05-261202-0001"
    )]
    Officer {
        /// The officer's user name.
        #[arg(long, env = "SMARTHD_OFFICER", default_value = "canbo.motcua")]
        user: String,
        /// The officer's password.
        #[arg(long, env = "SMARTHD_OFFICER_PASSWORD", default_value = "Canbo@123", hide_env_values = true)]
        password: String,
        #[command(subcommand)]
        command: OfficerCommand,
    },
    /// My documents: results, e-receipts and personal papers, offline; QUERY filters (with or
    /// without tone marks); `--export ID --out FILE` writes one.
    #[command(
        after_help = "Ví dụ / Example:\n  smarthd documents \"giay khai sinh\"\n  smarthd documents --export ID --out giay.pdf"
    )]
    Documents {
        /// Words to look for in the documents' titles (with or without tone marks).
        query: Option<String>,
        /// The document to write out (its id, from the list).
        #[arg(long, requires = "out", value_name = "ID")]
        export: Option<String>,
        /// Where to write the exported document.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// One e-receipt.
    #[command(after_help = "Ví dụ / Example:\n  smarthd receipt verify BL-0001")]
    Receipt {
        #[command(subcommand)]
        command: ReceiptCommand,
    },
    /// Your appointments at one-stop counters (lịch hẹn), offline.
    #[command(after_help = "Ví dụ / Example:\n  smarthd appointments")]
    Appointments,
    /// Your inbox (hộp thư): the city's alerts for your commune, fetched when online, readable
    /// offline; `inbox read ID` marks one read.
    #[command(after_help = "Ví dụ / Example:\n  smarthd inbox\n  smarthd inbox read TB-000001")]
    Inbox {
        #[command(subcommand)]
        command: Option<InboxCommand>,
    },
    /// A field report (phản ánh hiện trường): draft with photos and the place, submit, follow,
    /// rate the answer.
    #[command(
        after_help = "Ví dụ / Example:\n  smarthd report categories\n  smarthd report new --category chieu_sang --lat 20.82 \
                      --lon 106.22 --text \"Đèn đường hỏng\" --photo den.jpg"
    )]
    Report {
        #[command(subcommand)]
        command: report::ReportCommand,
    },
    /// Your field reports and how far each has gone, refreshed when online.
    #[command(after_help = "Ví dụ / Example:\n  smarthd reports")]
    Reports,
    /// Handled reports the city publishes (no login): what, where, the answer; never who.
    #[command(
        after_help = "Ví dụ / Example:\n  smarthd feed --near 20.82,106.22 --radius 1000\n  smarthd feed --commune 10507"
    )]
    Feed {
        /// Around this point, "LAT,LON" in degrees.
        #[arg(long, value_name = "LAT,LON", allow_hyphen_values = true)]
        near: Option<String>,
        /// Metres around `--near` (default 2,000).
        #[arg(long, value_name = "METRES", requires = "near")]
        radius: Option<f64>,
        /// Only this commune or ward (its code).
        #[arg(long, value_name = "CODE")]
        commune: Option<String>,
    },
    /// An appointment at a commune's one-stop counter (Bộ phận một cửa).
    #[command(
        after_help = "Ví dụ / Example:\n  smarthd appointment counters\n  smarthd appointment slots --procedure 1.001193.H19 --unit 10507"
    )]
    Appointment {
        #[command(subcommand)]
        command: AppointmentCommand,
    },
    /// Encode or decode VietQR payloads.
    #[command(
        after_help = "Ví dụ / Example:\n  smarthd vietqr encode --bin 970436 --account 0011001234567 --amount 50000"
    )]
    Vietqr {
        #[command(subcommand)]
        command: VietqrCommand,
    },
    /// Log in with VNeID through the OpenID provider (loopback redirect, system browser).
    #[command(after_help = "Ví dụ / Example:\n  smarthd login --open\n  smarthd login --level 2")]
    Login {
        /// VNeID level: 2 for fee-paying services and documents.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2))]
        level: u8,
        /// The OpenID provider's issuer (default: the portal's realm, or the one used last).
        #[arg(long, value_name = "URL")]
        issuer: Option<String>,
        /// The client id registered with the provider (default: smarthd-app, or the one used last).
        #[arg(long)]
        client_id: Option<String>,
        /// Open the authorization URL in the default browser.
        #[arg(long)]
        open: bool,
    },
    /// Who is logged in (name, masked CCCD, level) and whether the session is valid, until when.
    #[command(after_help = "Ví dụ / Example:\n  smarthd whoami\n  smarthd --json whoami")]
    Whoami,
    /// Log out: revoke, wipe the local session, print the provider's end-session URL. Your
    /// dossiers, payments and receipts stay on this device, sealed and yours, unless --wipe.
    #[command(after_help = "Ví dụ / Example:\n  smarthd logout\n  smarthd logout --wipe")]
    Logout {
        /// Also delete your dossiers, payments and receipts from this device (refused while
        /// something is not sent to the portal yet).
        #[arg(long)]
        wipe: bool,
        /// With --wipe: delete what is not sent yet too.
        #[arg(long, requires = "wipe")]
        discard_unsent: bool,
    },
    /// A guided tour against an embedded sandbox, in a fresh temporary data dir.
    #[command(after_help = "Ví dụ / Example:\n  smarthd demo")]
    Demo,
    /// Shell completions, generated from these definitions, on stdout.
    #[command(
        after_help = "Ví dụ / Example:\n  smarthd completions bash > ~/.local/share/bash-completion/completions/smarthd\n  \
                            smarthd completions zsh > ~/.zfunc/_smarthd"
    )]
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The manual page (roff), generated from these definitions: on stdout, or one page a
    /// command (smarthd.1, smarthd-dossier-new.1 …) in --dir.
    #[command(after_help = "Ví dụ / Example:\n  smarthd man | man -l -\n  smarthd man --dir target/man")]
    Man {
        /// Write a page for every command into this folder instead.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum SandboxCommand {
    /// Serve the sandbox portal until Ctrl-C.
    #[command(
        after_help = "Ví dụ / Example:\n  smarthd sandbox serve\n  smarthd sandbox serve --fault submit:error_500:0.5"
    )]
    Serve {
        /// The address to listen on (loopback by default).
        #[arg(long, default_value = "127.0.0.1:8787")]
        addr: SocketAddr,
        /// Procedures to generate when the database is new.
        #[arg(long, default_value_t = smarthd_sandbox::DEFAULT_CATALOG_SIZE)]
        catalog_size: usize,
        /// The sandbox's SQLite file (default: sandbox.db in the data dir).
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// Inject a fault from the start (repeatable): ROUTE submit|attachments|dossiers|book|cancel|reports|*, KIND
        /// error_500|delay|answer_late|drop|commit_then_drop|malformed|offset_mismatch, PROBABILITY 0..1,
        /// DELAY_MS for delay and answer_late.
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
    #[command(after_help = "Ví dụ / Example:\n  smarthd catalog sync")]
    Sync,
    /// Search procedures, with or without tone marks, one page at a time (every match is
    /// reachable with --page).
    #[command(after_help = "Ví dụ / Example:\n  smarthd catalog search \"dang ky khai sinh\"\n  \
                            smarthd catalog search giay --page 2 --limit 20\n  \
                            smarthd catalog search \"birth registration\"\n  \
                            smarthd catalog search cap --field \"ho tich\" --level province --online partial")]
    Search {
        /// Words of the procedure's name, or its code.
        query: String,
        /// A field as `catalog fields` lists it, with or without tone marks ("ho tich").
        #[arg(long)]
        field: Option<String>,
        /// An agency as `catalog agencies` lists it, with or without tone marks.
        #[arg(long)]
        agency: Option<String>,
        /// Only procedures of this level.
        #[arg(long, value_enum)]
        level: Option<LevelArg>,
        /// Only procedures done online fully or partly.
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
    #[command(
        after_help = "Ví dụ / Example:\n  smarthd catalog suggest \"dang k\"\n  smarthd catalog suggest giay --limit 5"
    )]
    Suggest {
        /// What has been typed so far; its last word is completed.
        prefix: String,
        /// How many (1 to 20).
        #[arg(long, default_value_t = 8,
              value_parser = clap::value_parser!(u32).range(1..=i64::from(smarthd_core::catalog::MAX_SUGGESTIONS)))]
        limit: u32,
    },
    /// Show a procedure's whole record, by its code or its exact name.
    #[command(
        after_help = "Ví dụ / Example:\n  smarthd catalog show 1.001193.H19\n  smarthd catalog show \"Đăng ký khai sinh\""
    )]
    Show {
        /// The procedure's code (or national code), or its exact name.
        code: String,
    },
    /// The fields (lĩnh vực) of the procedures in force, with how many each: what `search
    /// --field` takes.
    #[command(after_help = "Ví dụ / Example:\n  smarthd catalog fields")]
    Fields,
    /// The agencies (cơ quan thực hiện) of the procedures in force, with how many each: what
    /// `search --agency` takes.
    #[command(after_help = "Ví dụ / Example:\n  smarthd catalog agencies")]
    Agencies,
}

#[derive(Subcommand)]
enum DossierCommand {
    /// Start a draft for a procedure and print its form.
    #[command(
        after_help = "Ví dụ / Example:\n  smarthd dossier new 1.001193.H19\n  smarthd dossier new 1.001193.H19 --for child"
    )]
    New {
        /// The procedure's code (see `smarthd catalog search`).
        code: String,
        /// Apply as an organisation instead of a citizen.
        #[arg(long)]
        organization: bool,
        /// Whom the dossier is about: yourself (default) or a family member you apply for.
        #[arg(long = "for", value_enum, default_value = "self")]
        for_person: ForArg,
    },
    /// Set a field of a draft.
    #[command(after_help = "Ví dụ / Example:\n  smarthd dossier set 5f0c1a2b tre_ngay_sinh 01/02/2026")]
    Set {
        /// The draft: its id or a unique start of it.
        id: String,
        /// The field's key, as `dossier new` lists them.
        field: String,
        /// The value (dates as YYYY-MM-DD or DD/MM/YYYY).
        value: String,
    },
    /// Attach a file (JPEG, PNG or PDF, at most 10 MiB).
    #[command(after_help = "Ví dụ / Example:\n  smarthd dossier attach 5f0c1a2b to-khai.pdf\n  \
                            smarthd dossier attach 5f0c1a2b cccd.jpg --document \"Bản sao CCCD\"")]
    Attach {
        /// The dossier: its id (or a unique start of it) or its code.
        id: String,
        /// The file to attach.
        file: PathBuf,
        /// In a supplement round: the requested document this file is (default: the first one
        /// not attached yet).
        #[arg(long)]
        document: Option<String>,
    },
    /// Queue the dossier (or its supplement) for sending (works offline), then try to send it.
    #[command(after_help = "Ví dụ / Example:\n  smarthd dossier submit 5f0c1a2b")]
    Submit {
        /// The dossier: its id (or a unique start of it) or its code.
        id: String,
    },
    /// Your dossiers.
    #[command(after_help = "Ví dụ / Example:\n  smarthd dossier list\n  smarthd --json dossier list")]
    List,
    /// One dossier with its timeline.
    #[command(
        after_help = "Ví dụ / Example:\n  smarthd dossier show 5f0c1a2b\n  smarthd dossier show H19.05-261202-0001"
    )]
    Show {
        /// The dossier: its id (or a unique start of it) or its code.
        id: String,
    },
    /// Delete a draft (never a dossier the portal holds: withdraw that).
    #[command(after_help = "Ví dụ / Example:\n  smarthd dossier delete 5f0c1a2b")]
    Delete {
        /// The draft: its id or a unique start of it.
        id: String,
    },
    /// Withdraw a dossier the portal received and has not begun processing.
    #[command(after_help = "Ví dụ / Example:\n  smarthd dossier withdraw H19.05-261202-0001 --reason \"Nộp nhầm\"")]
    Withdraw {
        /// The dossier: its id (or a unique start of it) or its code.
        id: String,
        /// Why, for the officer.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Rate how the dossier was handled, once, after its result (delivered by the next sync).
    #[command(
        after_help = "Ví dụ / Example:\n  smarthd dossier rate H19.05-261202-0001 --verdict satisfied --score dung_han=2"
    )]
    Rate {
        /// The dossier: its id (or a unique start of it) or its code.
        id: String,
        /// Your overall verdict.
        #[arg(long, value_enum)]
        verdict: VerdictArg,
        /// A criterion's score, 0 to 2 (repeatable): KEY=N, KEY one of cong_khai, huong_dan,
        /// thanh_phan, dung_han, so_lan, chi_phi, thai_do, truc_tuyen, phan_hoi.
        #[arg(long = "score", value_name = "KEY=N")]
        scores: Vec<String>,
        /// A comment for the agency.
        #[arg(long)]
        comment: Option<String>,
    },
    /// The dossier's result, verified offline; `--out` writes its PDF.
    #[command(after_help = "Ví dụ / Example:\n  smarthd dossier result H19.05-261202-0001 --out ket-qua.pdf")]
    Result {
        /// The dossier: its id (or a unique start of it) or its code.
        id: String,
        /// Where to write the result's PDF.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Look a dossier up by its code, without logging in.
    #[command(after_help = "Ví dụ / Example:\n  smarthd dossier track H19.05-261202-0001")]
    Track {
        /// The dossier's code, as on its receipt.
        code: String,
    },
}

/// The sandbox officer console's actions (testers scripting the officer's part).
#[derive(Subcommand)]
enum OfficerCommand {
    /// The newest dossiers.
    #[command(after_help = "Ví dụ / Example:\n  smarthd officer list")]
    List,
    /// One dossier whole: form values, attachments, supplement rounds, timeline, rating.
    #[command(after_help = "Ví dụ / Example:\n  smarthd officer show H19.05-261202-0001")]
    Show {
        /// The dossier's code.
        code: String,
    },
    /// Ask for more documents (a new round).
    #[command(after_help = "Ví dụ / Example:\n  smarthd officer supplement H19.05-261202-0001 --message \"Bổ sung\" \
                            --document \"Bản sao CCCD\" --deadline 2026-12-31")]
    Supplement {
        /// The dossier's code.
        code: String,
        /// What is needed, for the resident.
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
    #[command(after_help = "Ví dụ / Example:\n  smarthd officer result H19.05-261202-0001 --file giay-khai-sinh.pdf")]
    Result {
        /// The dossier's code.
        code: String,
        /// The result's PDF.
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
        /// The result document's name (default: the file's name).
        #[arg(long)]
        name: Option<String>,
    },
    /// Move the dossier to STATUS (received, processing, awaiting_payment, rejected,
    /// result_ready, returned; need_more_documents through `supplement`).
    #[command(
        after_help = "Ví dụ / Example:\n  smarthd officer status H19.05-261202-0001 processing --message \"Đang xử lý\""
    )]
    Status {
        /// The dossier's code.
        code: String,
        /// The new status.
        status: String,
        /// A message for the resident.
        #[arg(long)]
        message: Option<String>,
    },
    /// Publish an announcement or alert to residents' inboxes (the operations centre).
    #[command(after_help = "Ví dụ / Example:\n  smarthd officer alert --severity emergency --commune 10507 \
                            --title \"Cảnh báo bão số 3\" --body \"Người dân ở trong nhà\"")]
    Alert {
        /// How serious it is.
        #[arg(long, value_enum, default_value = "info")]
        severity: SeverityArg,
        /// A commune's code (repeatable; none: the whole city).
        #[arg(long = "commune")]
        communes: Vec<String>,
        /// The title residents see first.
        #[arg(long)]
        title: String,
        /// The text.
        #[arg(long)]
        body: String,
    },
    /// Field reports at the operations centre (IOC): list, show, accept, reject, assign, answer.
    #[command(after_help = "Ví dụ / Example:\n  smarthd officer reports list --status waiting")]
    Reports {
        #[command(subcommand)]
        command: ioc::ReportsCommand,
    },
}

#[derive(Subcommand)]
enum InboxCommand {
    /// Mark an item read.
    #[command(after_help = "Ví dụ / Example:\n  smarthd inbox read TB-000001")]
    Read {
        /// The item's id, as `smarthd inbox` shows it.
        id: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum SeverityArg {
    /// Thông báo / an announcement.
    Info,
    /// Cảnh báo / a warning.
    Warning,
    /// Khẩn cấp / an emergency: shown at once, quiet hours or not.
    Emergency,
}

#[derive(Clone, Copy, ValueEnum)]
enum VerdictArg {
    /// Không hài lòng / not satisfied.
    NotSatisfied,
    /// Hài lòng / satisfied.
    Satisfied,
    /// Rất hài lòng / very satisfied.
    VerySatisfied,
}

#[derive(Subcommand)]
enum AppointmentCommand {
    /// The one-stop counters, of a unit or all.
    #[command(after_help = "Ví dụ / Example:\n  smarthd appointment counters --unit 10507")]
    Counters {
        /// The commune-level unit's code.
        #[arg(long)]
        unit: Option<String>,
    },
    /// Free slots (now to 6 days ahead) at a unit's counter for a procedure.
    #[command(after_help = "Ví dụ / Example:\n  smarthd appointment slots --procedure 1.001193.H19 --unit 10507")]
    Slots {
        /// The procedure's code.
        #[arg(long)]
        procedure: String,
        /// The commune-level unit's code (see `smarthd appointment counters`).
        #[arg(long)]
        unit: Option<String>,
        /// The counter's id (see `smarthd appointment counters`).
        #[arg(long)]
        counter: Option<String>,
    },
    /// Book a slot (at most 6 days ahead, at most 2 a day).
    #[command(after_help = "Ví dụ / Example:\n  smarthd appointment book SLOT_ID --procedure 1.001193.H19")]
    Book {
        /// The slot's id, from `smarthd appointment slots`.
        slot_id: String,
        /// The procedure the visit is for.
        #[arg(long)]
        procedure: Option<String>,
    },
    /// Cancel a booking.
    #[command(after_help = "Ví dụ / Example:\n  smarthd appointment cancel BOOKING_ID")]
    Cancel {
        /// The booking's id, from `smarthd appointments`.
        id: String,
    },
    /// The booking's ticket: its QR code, verified offline with the portal's key.
    #[command(after_help = "Ví dụ / Example:\n  smarthd appointment ticket BOOKING_ID")]
    Ticket {
        /// The booking's id, from `smarthd appointments`.
        id: String,
    },
}

#[derive(Subcommand)]
enum ReceiptCommand {
    /// Verify a kept receipt's signature offline.
    #[command(after_help = "Ví dụ / Example:\n  smarthd receipt verify BL-0001")]
    Verify {
        /// The receipt's id, from `smarthd receipts`.
        id: String,
    },
}

#[derive(Subcommand)]
enum VietqrCommand {
    /// Print the payload for an account (or card) and optional amount, bill number, purpose.
    #[command(
        after_help = "Ví dụ / Example:\n  smarthd vietqr encode --bin 970436 --account 0011001234567 --amount 50000 \
                            --png qr.png"
    )]
    Encode {
        /// The bank's BIN (6 digits, e.g. 970436).
        #[arg(long)]
        bin: String,
        /// The account (or card) number.
        #[arg(long)]
        account: String,
        /// The amount in đồng.
        #[arg(long)]
        amount: Option<u64>,
        /// A bill number.
        #[arg(long)]
        bill: Option<String>,
        /// The transfer's purpose (nội dung).
        #[arg(long)]
        purpose: Option<String>,
        /// The account is a card number.
        #[arg(long)]
        card: bool,
        /// Also write the QR code as a PNG image.
        #[arg(long, value_name = "FILE")]
        png: Option<PathBuf>,
    },
    /// Read a payload: every field, or a clear error.
    #[command(after_help = "Ví dụ / Example:\n  smarthd vietqr decode \"00020101021138…6304ABCD\"")]
    Decode {
        /// The payload, as a QR code holds it.
        payload: String,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ForArg {
    /// Yourself.
    #[value(name = "self")]
    Myself,
    /// Your child (con).
    Child,
    /// Your parent (cha, mẹ).
    Parent,
    /// Your spouse (vợ, chồng).
    Spouse,
    /// Someone else you may apply for.
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
    /// The payment gateway's page, in a browser.
    Gateway,
    /// A VietQR code to scan with a banking app.
    Vietqr,
}

#[derive(Clone, Copy, ValueEnum)]
enum LevelArg {
    /// Cấp tỉnh / province.
    Province,
    /// Cấp xã / commune.
    Commune,
}

#[derive(Clone, Copy, ValueEnum)]
enum OnlineArg {
    /// Toàn trình / fully online.
    Full,
    /// Một phần / partly online.
    Partial,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("SMARTHD_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    let json = cli.json;
    let ctx = context(&cli);
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let message = failure.message(&ctx);
            if json {
                let error = serde_json::json!({"error": {"kind": failure.kind(), "message": message, "field": failure.field()}});
                eprintln!("{error}");
            } else {
                eprintln!("lỗi / error: {message}");
            }
            ExitCode::from(failure.exit_code())
        }
    }
}

/// A command line clap cannot read: its own message (status 2), or with `--json` a JSON error
/// of kind `usage`; `--help` and `--version` print as usual.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind as Clap;
    let json = std::env::args_os().any(|a| a == "--json");
    if !json || matches!(e.kind(), Clap::DisplayHelp | Clap::DisplayVersion) {
        e.exit();
    }
    // A command without its subcommand: clap's answer is the whole help, not one message.
    let rendered = if e.kind() == Clap::DisplayHelpOnMissingArgumentOrSubcommand {
        "thiếu lệnh con / a subcommand is missing".to_owned()
    } else {
        e.render().to_string()
    };
    // clap's message, without its usage lines: "unexpected argument '--x' found".
    let said: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:"))
        .filter(|l| !l.is_empty() && !l.starts_with("tip:"))
        .collect();
    let said = said.join(" ");
    let said = said.trim_start_matches("error: ");
    let message = format!("Dòng lệnh không đọc được / the command line cannot be read: {said} (smarthd --help)");
    eprintln!("{}", serde_json::json!({"error": {"kind": "usage", "message": message, "field": null}}));
    ExitCode::from(2)
}

/// What a failing command was about, for its message.
fn context(cli: &Cli) -> failure::Context {
    let thing = match &cli.command {
        Command::Dossier { command: DossierCommand::Track { code } } => Some(("hồ sơ mã", "dossier", code.clone())),
        Command::Dossier {
            command:
                DossierCommand::Set { id, .. }
                | DossierCommand::Attach { id, .. }
                | DossierCommand::Submit { id }
                | DossierCommand::Show { id }
                | DossierCommand::Delete { id }
                | DossierCommand::Withdraw { id, .. }
                | DossierCommand::Rate { id, .. }
                | DossierCommand::Result { id, .. },
        } => Some(("hồ sơ", "dossier", id.clone())),
        Command::Pay { dossier_id, .. } => Some(("hồ sơ", "dossier", dossier_id.clone())),
        Command::Appointment { command: AppointmentCommand::Counters { unit: Some(unit) } } => {
            Some(("đơn vị", "unit", unit.clone()))
        }
        // Not found may be the unit, the counter or the procedure: all three are named.
        Command::Appointment { command: AppointmentCommand::Slots { procedure, unit, counter } } => {
            let place = counter.as_ref().or(unit.as_ref()).map(|p| format!("{p}, ")).unwrap_or_default();
            Some((
                "khung giờ (đơn vị hoặc quầy, thủ tục)",
                "slots (unit or counter, procedure)",
                format!("{place}{procedure}"),
            ))
        }
        Command::Appointment { command: AppointmentCommand::Book { slot_id, .. } } => {
            Some(("khung giờ", "slot", slot_id.clone()))
        }
        Command::Appointment { command: AppointmentCommand::Cancel { id } | AppointmentCommand::Ticket { id } } => {
            Some(("lịch hẹn", "appointment", id.clone()))
        }
        Command::Officer {
            command:
                OfficerCommand::Show { code }
                | OfficerCommand::Supplement { code, .. }
                | OfficerCommand::Result { code, .. }
                | OfficerCommand::Status { code, .. },
            ..
        } => Some(("hồ sơ mã", "dossier", code.clone())),
        Command::Officer { command: OfficerCommand::Reports { command }, .. } => {
            ioc::code(command).map(|code| ("phản ánh mã", "report", code.clone()))
        }
        Command::Inbox { command: Some(InboxCommand::Read { id }) } => Some(("mục hộp thư", "inbox item", id.clone())),
        Command::Report {
            command:
                report::ReportCommand::Photo { id, .. }
                | report::ReportCommand::Submit { id }
                | report::ReportCommand::Show { id }
                | report::ReportCommand::Rate { id, .. },
        } => Some(("phản ánh", "report", id.clone())),
        _ => None,
    };
    failure::Context { portal: cli.portal.clone(), data_dir: data_dir(cli), thing }
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

/// `login` may recover: after a lost data key, logging in again is the way on.
fn open_for_login(config: Config, recover: bool) -> Result<SmartHd, Error> {
    let services = Services::with_key_dir(config.data_dir.join("keys"));
    if recover { SmartHd::open_recovering(config, services) } else { SmartHd::open(config, services) }
}

fn open_core(cli: &Cli, listener: Arc<dyn smarthd_core::EventListener>) -> Result<SmartHd, Error> {
    open_with(config(cli)?, listener)
}

async fn run(cli: Cli) -> Result<(), Failure> {
    match &cli.command {
        Command::Demo => Ok(demo::run(cli.json).await?),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "smarthd", &mut script);
            let script = String::from_utf8_lossy(&script);
            if cli.json {
                output::json(&serde_json::json!({"shell": shell.to_string(), "script": script}));
            } else {
                out!("{}", script.trim_end());
            }
            Ok(())
        }
        Command::Man { dir } => man(dir.as_deref(), cli.json),
        Command::Sandbox { command: SandboxCommand::Serve { addr, catalog_size, db, faults, admin_token } } => {
            let dir = data_dir(&cli);
            std::fs::create_dir_all(&dir).map_err(|e| failure::at_file(&dir)(e.into()))?;
            let db = db.clone().unwrap_or_else(|| dir.join("sandbox.db"));
            let config = SandboxConfig {
                addr: *addr,
                catalog_size: *catalog_size,
                faults: faults.clone(),
                admin_token: admin_token.clone(),
                ..SandboxConfig::ephemeral(db.clone())
            };
            let sandbox = Sandbox::start(config).await.map_err(|e| {
                tracing::debug!("sandbox: {e}");
                // The address, when the listener could not bind it; else the database file.
                let (field, vi, en) = match &e {
                    smarthd_sandbox::SandboxError::Io(io) if io.kind() == std::io::ErrorKind::AddrInUse => (
                        "addr",
                        format!("địa chỉ {addr} đã có chương trình khác dùng"),
                        format!("the address {addr} is in use"),
                    ),
                    smarthd_sandbox::SandboxError::Io(io) if io.kind() == std::io::ErrorKind::AddrNotAvailable => (
                        "addr",
                        format!("máy này không có địa chỉ {addr}"),
                        format!("this machine has no address {addr}"),
                    ),
                    _ => (
                        "db",
                        format!("không mở được tệp dữ liệu {}", db.display()),
                        format!("cannot open the sandbox's database {}", db.display()),
                    ),
                };
                Error::Validation {
                    field: field.into(),
                    reason: format!("không mở được cổng thử nghiệm: {vi} / cannot start the sandbox: {en}"),
                }
            })?;
            if cli.json {
                // One line, so a harness reads it as soon as the sandbox serves.
                out!(
                    "{}",
                    serde_json::json!({
                        "base_url": sandbox.base_url(),
                        "admin_token": sandbox.admin_token(),
                        "admin_token_header": smarthd_sandbox::ADMIN_TOKEN_HEADER,
                    })
                );
            } else {
                eprintln!("Cổng thử nghiệm / sandbox portal: {}  (Ctrl-C: dừng / stop)", sandbox.base_url());
                eprintln!(
                    "Mã quản trị / admin token (header {}): {}",
                    smarthd_sandbox::ADMIN_TOKEN_HEADER,
                    sandbox.admin_token()
                );
            }
            sandbox.serve_until_ctrl_c().await;
            Ok(())
        }
        Command::Catalog { command } => Ok(catalog(&cli, command).await?),
        Command::Dossier { command } => dossiers(&cli, command).await,
        Command::Sync => {
            let core = open_core(&cli, Arc::new(smarthd_core::NoEvents))?;
            let report = core.sync().now().await?;
            // A report of nothing sent says nothing of why: a script must tell "the portal is
            // down" from "nothing to do".
            if let Some(offline) = unreachable(&core, &report).await {
                return Err(offline.into());
            }
            dossier::sync_report(&report, cli.json);
            Ok(())
        }
        Command::Pay { dossier_id, method } => {
            let core = open_core(&cli, Arc::new(smarthd_core::NoEvents))?;
            let method = match method {
                MethodArg::Gateway => PaymentMethod::Gateway,
                MethodArg::Vietqr => PaymentMethod::Vietqr,
            };
            let dossier_id = resolve_dossier(&core, dossier_id)?;
            let order = pay::pay(&core, &dossier_id, method, cli.json).await?;
            if order.status != smarthd_core::payment::PaymentStatus::Succeeded {
                return Err(Failure::PaymentNotCompleted(Box::new(order)));
            }
            let receipt = match &order.receipt_id {
                Some(receipt) => Some(core.payments().verify_receipt(receipt)?),
                None => None,
            };
            if cli.json {
                output::json(&serde_json::json!({"order": order, "receipt": receipt}));
            } else {
                pay::show_order(&order, false);
                if let Some(receipt) = &receipt {
                    pay::show_receipt(receipt, false);
                }
            }
            Ok(())
        }
        Command::Payments => {
            let core = open_core(&cli, Arc::new(smarthd_core::NoEvents))?;
            let payments = core.payments().list()?;
            if cli.json {
                output::json(&payments);
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
                output::json(&receipts);
            } else if receipts.is_empty() {
                out!("Chưa có biên lai nào / no receipts yet");
            } else {
                receipts.iter().for_each(|r| pay::show_receipt(r, false));
            }
            Ok(())
        }
        Command::Officer { user, password, command } => {
            use smarthd_sandbox::robot::RobotError;
            // The console not reachable is the portal offline, said as for any command.
            let officer = |kind: ErrorKind| {
                move |e: RobotError| match e {
                    RobotError::Http(e) if e.is_connect() => {
                        Failure::Core(smarthd_core::error::PortalError::Unreachable(e).into())
                    }
                    // The console's own words, and a kind by its status (not the number).
                    RobotError::Refused { status, message } => Failure::Officer {
                        kind: match status {
                            401 | 403 => ErrorKind::NeedsLogin,
                            404 => ErrorKind::NotFound,
                            409 => ErrorKind::Conflict,
                            400..=499 => ErrorKind::Validation,
                            _ => ErrorKind::Network,
                        },
                        detail: message.unwrap_or_else(|| "không rõ lý do / no reason given".into()),
                    },
                    e => Failure::Officer { kind, detail: e.to_string() },
                }
            };
            // The portal as every command takes it: https, or http to loopback only (the password
            // goes out), and the base the console's paths join to.
            let mut portal = smarthd_core::config::checked_url(&cli.portal)?.to_string();
            if !portal.ends_with('/') {
                portal.push('/');
            }
            let console = smarthd_sandbox::robot::OfficerConsole::log_in_as(&portal, user, password)
                .await
                .map_err(officer(ErrorKind::Validation))?;
            let fail = officer(ErrorKind::Other);
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
                            let bytes = std::fs::read(file).map_err(|e| failure::at_file(file)(e.into()))?;
                            console.attach_result_file(code, &name, &bytes).await.map_err(fail)?
                        }
                        None => console.attach_result(code, &name).await.map_err(fail)?,
                    }
                }
                OfficerCommand::Status { code, status, message } => {
                    console.set_status(code, status, message.as_deref()).await.map_err(fail)?
                }
                OfficerCommand::Alert { severity, communes, title, body } => {
                    let severity = match severity {
                        SeverityArg::Info => "info",
                        SeverityArg::Warning => "warning",
                        SeverityArg::Emergency => "emergency",
                    };
                    console.publish_alert(severity, communes, title, body).await.map_err(fail)?
                }
                OfficerCommand::Reports { command } => {
                    ioc::print(command, &ioc::run(&console, command, fail).await?, cli.json);
                    return Ok(());
                }
            };
            output::json(&answer);
            Ok(())
        }
        Command::Documents { query, export, out: file } => {
            let core = open_core(&cli, Arc::new(smarthd_core::NoEvents))?;
            let documents = match (export, file) {
                (Some(id), Some(file)) => vec![core.documents().export(id, file).map_err(failure::at_file(file))?],
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
        Command::Inbox { command } => {
            let core = open_core(&cli, Arc::new(smarthd_core::NoEvents))?;
            match command {
                Some(InboxCommand::Read { id }) => core.inbox().mark_read(id)?,
                None => {
                    // Offline, or logged out: what was kept is shown all the same.
                    if let Err(error) = core.inbox().sync().await {
                        tracing::debug!("inbox not refreshed: {error}");
                    }
                }
            }
            output::inbox(&core.inbox().list()?, cli.json);
            Ok(())
        }
        Command::Report { command } => {
            let core = open_core(&cli, Arc::new(smarthd_core::NoEvents))?;
            report::run(&core, command, cli.json).await
        }
        Command::Reports => report::list(&open_core(&cli, Arc::new(smarthd_core::NoEvents))?, cli.json).await,
        Command::Feed { near, radius, commune } => {
            let core = open_core(&cli, Arc::new(smarthd_core::NoEvents))?;
            report::feed(&core, near.as_deref(), *radius, commune.as_deref(), cli.json).await
        }
        Command::Appointments => {
            let core = open_core(&cli, Arc::new(smarthd_core::NoEvents))?;
            appointment::list(&core.appointments().list()?, cli.json);
            Ok(())
        }
        Command::Appointment { command } => Ok(appointments(&cli, command).await?),
        Command::Vietqr { command } => vietqr_command(command, cli.json),
        Command::Login { level, issuer, client_id, open } => {
            let mut config = Config::new(&cli.portal, data_dir(&cli))?;
            login::apply_provider(&mut config, issuer.as_deref(), client_id.as_deref());
            let profile = login::login(config, open_for_login, *level, *open, cli.json).await?;
            output::profile(&profile, output::SessionCheck::Valid, cli.json);
            Ok(())
        }
        Command::Whoami => {
            let core = open_core(&cli, Arc::new(smarthd_core::NoEvents))?;
            let Some(profile) = core.session().whoami().await? else {
                if cli.json {
                    output::json(&serde_json::json!({"logged_in": false, "session": "logged_out"}));
                } else {
                    out!("Chưa đăng nhập / not logged in (smarthd login)");
                }
                return Ok(());
            };
            // Asked of the portal, which refreshes the access token if it has to: a session
            // is valid when it still works, whatever the access token's own expiry.
            let check = match core.session().profile().await {
                Ok(_) => output::SessionCheck::Valid,
                Err(e) if matches!(e.kind(), ErrorKind::NeedsLogin) => output::SessionCheck::Ended,
                Err(e) if matches!(e.kind(), ErrorKind::Offline | ErrorKind::Network) => {
                    output::SessionCheck::Unchecked
                }
                Err(e) => return Err(e.into()),
            };
            // What the check did to the session (a refresh) shows in the profile read after it.
            let profile = core.session().whoami().await?.unwrap_or(profile);
            output::profile(&profile, check, cli.json);
            Ok(())
        }
        Command::Logout { wipe, discard_unsent } => {
            let core = open_core(&cli, Arc::new(smarthd_core::NoEvents))?;
            let local_data = LocalData::chosen(*wipe, *discard_unsent);
            let end_session = core.session().logout(local_data).await?;
            if cli.json {
                let kept = if *wipe { "wiped" } else { "kept" };
                output::json(
                    &serde_json::json!({"logged_out": true, "end_session_url": end_session, "local_data": kept}),
                );
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
                    // With --json, stderr holds the JSON error only.
                    if e.kind() == ErrorKind::Offline && !cli.json {
                        output::offline_notice(&core.catalog().freshness()?);
                    }
                    Err(e)
                }
            }
        }
        CatalogCommand::Search { query, field, agency, level, online, limit, page } => {
            let core = open_core(cli, Arc::new(smarthd_core::NoEvents))?;
            ensure_first_sync(&core, cli).await;
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
            ensure_first_sync(&core, cli).await;
            output::suggestions(&core.catalog().suggest(prefix, *limit)?, cli.json);
            Ok(())
        }
        CatalogCommand::Show { code } => {
            let core = open_core(cli, Arc::new(smarthd_core::NoEvents))?;
            ensure_first_sync(&core, cli).await;
            let procedure = match core.catalog().procedure(code) {
                Err(Error::NotFound(what)) => by_exact_name(&core, code)?.ok_or(Error::NotFound(what))?,
                found => found?,
            };
            output::procedure(&procedure, cli.json);
            Ok(())
        }
        CatalogCommand::Fields | CatalogCommand::Agencies => {
            let core = open_core(cli, Arc::new(smarthd_core::NoEvents))?;
            ensure_first_sync(&core, cli).await;
            let facets = match command {
                CatalogCommand::Fields => core.catalog().fields()?,
                _ => core.catalog().agencies()?,
            };
            output::facets(&facets, cli.json);
            Ok(())
        }
    }
}

/// The procedure whose name is `name` (tone marks and case aside), if there is exactly one.
fn by_exact_name(core: &SmartHd, name: &str) -> Result<Option<smarthd_core::catalog::model::Procedure>, Error> {
    use smarthd_core::text::fold;
    let page = core.catalog().search(name, &SearchFilters::default(), PageRequest { offset: 0, limit: 5 })?;
    let mut named = page.hits.iter().filter(|hit| fold(&hit.name) == fold(name));
    match (named.next(), named.next()) {
        (Some(hit), None) => Ok(Some(core.catalog().procedure(&hit.code)?)),
        _ => Ok(None),
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

async fn dossiers(cli: &Cli, command: &DossierCommand) -> Result<(), Failure> {
    let core = open_core(cli, Arc::new(smarthd_core::NoEvents))?;
    let resolve = |given: &str| resolve_dossier(&core, given);
    match command {
        DossierCommand::New { code, organization, for_person } => {
            ensure_first_sync(&core, cli).await;
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
                Some(document) => core.dossiers().attach_document(&id, file, document),
                None => core.dossiers().attach(&id, file),
            }
            .map_err(failure::at_file(file))?;
            if cli.json {
                output::json(&attachment);
            } else {
                let answers =
                    attachment.document.as_deref().map(|d| format!(" → {}", printable(d))).unwrap_or_default();
                out!(
                    "📎 {} ({} byte, {}, sha256 {}){answers}",
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
                        Failure::from(e).message(&context(cli))
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
                output::json(&serde_json::json!({"deleted": id}));
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
                out!(
                    "Chưa gửi được, sẽ gửi lại sau / not sent yet, will retry: {}",
                    Failure::from(e).message(&context(cli))
                );
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
                let bad = || Error::Validation {
                    field: "score".into(),
                    reason: format!("cần KEY=0..2, không phải «{score}» / KEY=0..2 expected, not «{score}»"),
                };
                let (key, value) = score.split_once('=').ok_or_else(bad)?;
                parsed.insert(key.trim().to_owned(), value.trim().parse::<u8>().map_err(|_| bad())?);
            }
            core.dossiers().rate(&id, Rating { verdict, scores: parsed, comment: comment.clone() })?;
            if !cli.json {
                let (vi, en) = verdict.labels();
                out!("Cảm ơn bạn đã đánh giá / thank you for rating: {vi} / {en}");
            }
            if let Err(e) = core.sync().now().await
                && !cli.json
            {
                out!(
                    "Chưa gửi được, sẽ gửi lại sau / not sent yet, will retry: {}",
                    Failure::from(e).message(&context(cli))
                );
            }
            dossier::show(&core.dossiers().get(&id)?, cli.json);
        }
        DossierCommand::Result { id, out: file } => {
            let id = resolve(id)?;
            let result = match file {
                Some(file) => core.dossiers().export_result(&id, file).map_err(failure::at_file(file))?,
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

fn vietqr_command(command: &VietqrCommand, json: bool) -> Result<(), Failure> {
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
            vietqr::decode(&payload).map_err(|e| failure::vietqr(&e))?;
            if let Some(path) = png {
                let matrix = vietqr::matrix(&payload).map_err(|e| Error::Internal(e.to_string()))?;
                pay::write_png(&matrix, path).map_err(failure::at_file(path))?;
            }
            if json {
                output::json(&serde_json::json!({"payload": payload, "png": png}));
            } else {
                out!("{payload}");
            }
            Ok(())
        }
        VietqrCommand::Decode { payload } => {
            let qr = vietqr::decode(payload).map_err(|e| failure::vietqr(&e))?;
            pay::show_vietqr(&qr, json);
            Ok(())
        }
    }
}

/// A cache that was never filled is filled first; if the portal is down, say so and go on with
/// what the cache has.
/// With `--json` the notice is left out: stderr then holds nothing but a JSON error, if any.
async fn ensure_first_sync(core: &SmartHd, cli: &Cli) {
    let Ok(freshness) = core.catalog().freshness() else { return };
    if freshness.last_success_at.is_some() {
        return;
    }
    if let Err(e) = core.sync().catalog().await
        && !cli.json
    {
        eprintln!("lỗi / error: {}", Failure::from(e).message(&context(cli)));
        output::offline_notice(&freshness);
    }
}

/// `Some(offline)` when the portal could not be reached during a sync that reported nothing
/// sent: the core keeps the work queued and says so only in its log, so the portal is asked
/// once, cheaply (the catalog's conditional request).
async fn unreachable(core: &SmartHd, report: &smarthd_core::DossierSyncReport) -> Option<Error> {
    if report.outbox.sent > 0
        || report.status_changes > 0
        || report.payments_updated > 0
        || report.results_kept > 0
        || report.reports.sent > 0
        || report.reports.status_changes > 0
    {
        return None;
    }
    match core.sync().catalog().await {
        Err(e) if matches!(e.kind(), ErrorKind::Offline | ErrorKind::Network) => Some(e),
        _ => None,
    }
}

/// The manual page on stdout, or a page a command (`smarthd-dossier-new.1` …) in `dir`.
fn man(dir: Option<&std::path::Path>, json: bool) -> Result<(), Failure> {
    let render = |command: clap::Command, title: &str| -> Vec<u8> {
        let mut page = Vec::new();
        clap_mangen::Man::new(command).title(title.to_uppercase()).render(&mut page).expect("writing to memory");
        page
    };
    let Some(dir) = dir else {
        let page = String::from_utf8_lossy(&render(Cli::command(), "smarthd")).into_owned();
        if json {
            output::json(&serde_json::json!({"man": page}));
        } else {
            out!("{}", page.trim_end());
        }
        return Ok(());
    };
    std::fs::create_dir_all(dir).map_err(|e| failure::at_file(dir)(e.into()))?;
    let mut written = Vec::new();
    let mut pending = vec![(String::from("smarthd"), Cli::command())];
    while let Some((name, command)) = pending.pop() {
        for sub in command.get_subcommands().filter(|c| c.get_name() != "help") {
            pending.push((format!("{name}-{}", sub.get_name()), sub.clone()));
        }
        let path = dir.join(format!("{name}.1"));
        // Each page titled by its whole command, as `git-commit(1)` is.
        let command = command.clone().display_name(name.clone()).bin_name(name.replace('-', " "));
        std::fs::write(&path, render(command, &name)).map_err(|e| failure::at_file(&path)(e.into()))?;
        written.push(path.display().to_string());
    }
    written.sort();
    if json {
        output::json(&serde_json::json!({"written": written}));
    } else {
        written.iter().for_each(|path| out!("{path}"));
    }
    Ok(())
}

#[cfg(test)]
#[path = "../tests/common/every_command.rs"]
mod every_command;

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every command below `command`, with its path ("dossier new"); clap's own `help` left out.
    fn walk(command: &clap::Command, path: &str, into: &mut Vec<(String, clap::Command)>) {
        into.push((path.to_owned(), command.clone()));
        for sub in command.get_subcommands().filter(|c| c.get_name() != "help") {
            let path = if path.is_empty() { sub.get_name().to_owned() } else { format!("{path} {}", sub.get_name()) };
            walk(sub, &path, into);
        }
    }

    fn every_command() -> Vec<(String, clap::Command)> {
        let mut command = super::Cli::command();
        command.build();
        let mut all = Vec::new();
        walk(&command, "", &mut all);
        all
    }

    #[test]
    fn every_argument_has_help_and_every_command_an_example() {
        let mut missing = Vec::new();
        for (path, command) in every_command() {
            if command.get_about().is_none() {
                missing.push(format!("smarthd {path}: no description"));
            }
            let examples = command.get_after_help().map(|h| h.to_string()).unwrap_or_default();
            let example = examples.split_once("Ví dụ / Example:\n").map(|(_, e)| e.trim());
            if !example.is_some_and(|e| e.lines().all(|l| l.trim().starts_with("smarthd "))) {
                missing.push(format!("smarthd {path}: no \"Ví dụ / Example:\" with smarthd command lines"));
            }
            for arg in command.get_arguments().filter(|a| !a.is_global_set() || path.is_empty()) {
                if arg.get_help().is_none_or(|h| h.to_string().trim().is_empty()) {
                    missing.push(format!("smarthd {path}: {} has no help", arg.get_id()));
                }
            }
        }
        assert!(missing.is_empty(), "{missing:#?}");
    }

    /// A command that does something: a leaf, or one whose subcommand is optional (`inbox`).
    fn runs_by_itself(command: &clap::Command) -> bool {
        !command.has_subcommands() || !command.is_subcommand_required_set()
    }

    /// docs/cli.md lists every command.
    #[test]
    fn the_documentation_lists_every_command() {
        let page = include_str!("../../docs/cli.md");
        let missing: Vec<String> = every_command()
            .into_iter()
            .filter(|(path, command)| !path.is_empty() && runs_by_itself(command))
            .map(|(path, _)| format!("`smarthd {path}`"))
            .filter(|listed| !page.contains(listed.as_str()))
            .collect();
        assert!(missing.is_empty(), "not in docs/cli.md: {missing:?}");
    }

    /// The table `tests/json.rs` runs with `--json` holds every command there is.
    #[test]
    fn the_json_test_covers_every_command() {
        let leaves: std::collections::BTreeSet<String> = every_command()
            .into_iter()
            .filter(|(path, command)| !path.is_empty() && runs_by_itself(command))
            .map(|(path, _)| path)
            .collect();
        let table: std::collections::BTreeSet<String> =
            super::every_command::EVERY_COMMAND.iter().map(|(path, _, _)| (*path).to_owned()).collect();
        let untested: Vec<&String> = leaves.difference(&table).collect();
        let unknown: Vec<&String> = table.difference(&leaves).collect();
        assert!(untested.is_empty(), "commands missing from tests/common/every_command.rs: {untested:?}");
        assert!(unknown.is_empty(), "not commands: {unknown:?}");
    }
}
