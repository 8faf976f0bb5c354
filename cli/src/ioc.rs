//! `smarthd officer reports …`: the operations centre's (IOC) part of field reports, for testers,
//! over the sandbox console's JSON API (`/officer/api/reports…`) with the officer's session and
//! CSRF token, as the other `officer` commands. Proof photos are cleaned (metadata removed,
//! scaled) by the core's photo normaliser before they leave, as the app does with residents'.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use serde_json::Value;
use smarthd_core::Error;
use smarthd_core::report::RejectReason;
use smarthd_sandbox::robot::{OfficerConsole, RobotError};

use crate::failure::{self, Failure};
use crate::output;

#[derive(Subcommand)]
pub enum ReportsCommand {
    /// The newest field reports (at most 500), with their deadlines and the overdue flag.
    #[command(
        after_help = "Ví dụ / Example:\n  smarthd officer reports list\n  smarthd officer reports list --status waiting"
    )]
    List {
        /// Only the reports in this status.
        #[arg(long, value_enum)]
        status: Option<StatusArg>,
    },
    /// One report whole: text, photos, place, the reporter, the answer, the timeline.
    #[command(after_help = "Ví dụ / Example:\n  smarthd officer reports show PA-2026-000001")]
    Show {
        /// The report's code (PA-YYYY-NNNNNN).
        code: String,
    },
    /// Accept a waiting report: its handling deadline starts, in working hours.
    #[command(after_help = "Ví dụ / Example:\n  smarthd officer reports accept PA-2026-000001")]
    Accept {
        /// The report's code (PA-YYYY-NNNNNN).
        code: String,
    },
    /// Reject a waiting report, for a reason from the published list.
    #[command(after_help = "Ví dụ / Example:\n  smarthd officer reports reject PA-2026-000002 --reason unclear\n  \
                            smarthd officer reports reject PA-2026-000003 --reason duplicate --note PA-2026-000001")]
    Reject {
        /// The report's code (PA-YYYY-NNNNNN).
        code: String,
        /// Why it is refused.
        #[arg(long, value_enum)]
        reason: ReasonArg,
        /// A note for the reporter; with `--reason duplicate`, the code of the report it repeats.
        #[arg(long)]
        note: Option<String>,
    },
    /// Assign an accepted report to the agency that handles it (again: to another agency).
    #[command(
        after_help = "Ví dụ / Example:\n  smarthd officer reports assign PA-2026-000001 --agency \"Công ty Chiếu sáng đô thị\""
    )]
    Assign {
        /// The report's code (PA-YYYY-NNNNNN).
        code: String,
        /// The handling agency, by name, as the published categories name it ("Sở Xây dựng"...).
        #[arg(long)]
        agency: String,
    },
    /// Answer an assigned report: what was done, with one to five proof photos.
    #[command(
        after_help = "Ví dụ / Example:\n  smarthd officer reports answer PA-2026-000001 --message \"Đã thay bóng đèn\" \
                            --photo truoc.jpg sau.jpg"
    )]
    Answer {
        /// The report's code (PA-YYYY-NNNNNN).
        code: String,
        /// What was done, for the reporter and the public feed.
        #[arg(long)]
        message: String,
        /// A proof photo, JPEG or PNG (one or more; metadata removed and scaled before sending).
        #[arg(long = "photo", value_name = "FILE", required = true, num_args = 1..)]
        photos: Vec<PathBuf>,
    },
}

/// A report's status at the IOC.
#[derive(Clone, Copy, ValueEnum)]
pub enum StatusArg {
    /// Chờ tiếp nhận / not yet checked.
    Waiting,
    /// Đã tiếp nhận / checked and eligible.
    Accepted,
    /// Đang xử lý / with the handling agency.
    Assigned,
    /// Đã xử lý / answered with proof.
    Handled,
    /// Từ chối / refused.
    Rejected,
}

/// Why the IOC refuses a report.
#[derive(Clone, Copy, ValueEnum)]
pub enum ReasonArg {
    /// Không thuộc phạm vi tiếp nhận / not a field report (complaints go elsewhere).
    OutOfScope,
    /// Nội dung không rõ ràng / what or where cannot be told.
    Unclear,
    /// Trùng với phản ánh khác / another report says the same (name it with --note).
    Duplicate,
    /// Ngôn từ không phù hợp / abusive.
    Abusive,
}

impl StatusArg {
    fn as_str(self) -> &'static str {
        match self {
            StatusArg::Waiting => "waiting",
            StatusArg::Accepted => "accepted",
            StatusArg::Assigned => "assigned",
            StatusArg::Handled => "handled",
            StatusArg::Rejected => "rejected",
        }
    }
}

impl ReasonArg {
    fn as_str(self) -> &'static str {
        match self {
            ReasonArg::OutOfScope => "out_of_scope",
            ReasonArg::Unclear => "unclear",
            ReasonArg::Duplicate => "duplicate",
            ReasonArg::Abusive => "abusive",
        }
    }
}

/// The report a command acts on, for the error messages.
pub fn code(command: &ReportsCommand) -> Option<&String> {
    match command {
        ReportsCommand::List { .. } => None,
        ReportsCommand::Show { code }
        | ReportsCommand::Accept { code }
        | ReportsCommand::Reject { code, .. }
        | ReportsCommand::Assign { code, .. }
        | ReportsCommand::Answer { code, .. } => Some(code),
    }
}

/// Runs `command` at the console; the console's answer (`fail` words its refusals).
pub async fn run(
    console: &OfficerConsole,
    command: &ReportsCommand,
    fail: impl Fn(RobotError) -> Failure,
) -> Result<Value, Failure> {
    let answer = match command {
        ReportsCommand::List { status } => console.reports(status.map(StatusArg::as_str)).await,
        ReportsCommand::Show { code } => console.report(code).await,
        ReportsCommand::Accept { code } => console.accept_report(code).await,
        ReportsCommand::Reject { code, reason, note } => {
            console.reject_report(code, reason.as_str(), note.as_deref()).await
        }
        ReportsCommand::Assign { code, agency } => console.assign_report(code, agency).await,
        ReportsCommand::Answer { code, message, photos } => {
            let mut proof = Vec::with_capacity(photos.len());
            for path in photos {
                let bytes = std::fs::read(path).map_err(|e| failure::at_file(path)(e.into()))?;
                let clean = smarthd_core::report::photo::normalize(&bytes).map_err(|e| {
                    failure::at_file(path)(Error::Validation {
                        field: "photo".into(),
                        reason: format!("{}: {e}", path.display()),
                    })
                })?;
                proof.push(clean.jpeg);
            }
            console.answer_report(code, message, &proof).await
        }
    };
    answer.map_err(fail)
}

/// The answer: as JSON, or a few lines for a person.
pub fn print(command: &ReportsCommand, answer: &Value, json: bool) {
    if json {
        output::json(answer);
        return;
    }
    match command {
        ReportsCommand::List { .. } => {
            let items = answer["items"].as_array().map(Vec::as_slice).unwrap_or_default();
            if items.is_empty() {
                out!("Không có phản ánh nào / no reports");
            }
            for report in items {
                out!("{}", summary(report));
            }
        }
        _ => details(answer),
    }
}

/// What the portal says, made printable (a resident's text may hold terminal escapes).
fn text(value: &Value) -> String {
    value.as_str().map_or_else(|| "—".to_owned(), output::printable)
}

/// A time the portal gives, as a resident reads it ("03/12/2026 08:00").
fn at(value: &Value) -> String {
    value.as_str().map_or_else(|| "—".to_owned(), output::when)
}

/// Vietnamese / English for a status.
fn status_label(status: &str) -> String {
    let (vi, en) = match status {
        "waiting" => ("Chờ tiếp nhận", "Waiting"),
        "accepted" => ("Đã tiếp nhận", "Accepted"),
        "assigned" => ("Đang xử lý", "Assigned to an agency"),
        "handled" => ("Đã xử lý", "Handled"),
        "rejected" => ("Từ chối", "Rejected"),
        other => (other, other),
    };
    format!("{vi} / {en}")
}

/// The deadline the report waits for, and whether it has passed.
fn deadline(report: &Value) -> String {
    let due = match report["status"].as_str() {
        Some("waiting") => format!("tiếp nhận trước / accept by {}", at(&report["accept_by"])),
        Some("accepted" | "assigned") => format!("xử lý trước / handle by {}", at(&report["handle_by"])),
        _ => return String::new(),
    };
    let overdue = if report["overdue"] == true { "  QUÁ HẠN / OVERDUE" } else { "" };
    format!("  {due}{overdue}")
}

fn summary(report: &Value) -> String {
    format!(
        "{}  {}  {}  {}{}",
        text(&report["code"]),
        status_label(&text(&report["status"])),
        text(&report["category"]),
        text(&report["commune_code"]),
        deadline(report)
    )
}

fn details(report: &Value) {
    out!("{}", summary(report));
    out!("  {}", text(&report["text"]));
    if let Some(name) = report["reporter_name"].as_str() {
        out!("  Người phản ánh / reporter: {}", output::printable(name));
    }
    if let Some(agency) = report["agency"].as_str() {
        out!("  Cơ quan xử lý / agency: {}", output::printable(agency));
    }
    if let Some(reason) = report["reject_reason"].as_str() {
        let reason = match RejectReason::parse(reason) {
            Some(reason) => format!("{} / {}", reason.labels().0, reason.labels().1),
            None => output::printable(reason),
        };
        out!("  Lý do từ chối / rejected because: {reason}");
    }
    if let Some(message) = report["answer"]["message"].as_str() {
        let proof = report["answer"]["photos"].as_array().map_or(0, Vec::len);
        out!("  Trả lời / answer: {} ({proof} ảnh minh chứng / proof photos)", output::printable(message));
    }
    for step in report["timeline"].as_array().map(Vec::as_slice).unwrap_or_default() {
        let by = step["officer"].as_str().map(|o| format!(" — {}", output::printable(o))).unwrap_or_default();
        let detail = step["detail"].as_str().map(|d| format!(": {}", output::printable(d))).unwrap_or_default();
        out!("  {} {}{detail}{by}", at(&step["at"]), status_label(&text(&step["status"])));
    }
}
