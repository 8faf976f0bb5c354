//! The operations centre's (IOC) rules, in one copy for its JSON API (`/officer/api/reports…`,
//! `smarthd officer reports`) and its console pages (`/officer/reports…`): which reports it
//! lists, what each step checks, the deadline an acceptance sets, and the push each step sends
//! the reporter.

use chrono::Utc;
use smarthd_model::report::{MAX_REPORT_PHOTOS, MAX_REPORT_TEXT, RejectReason, ReportStatus, Urgency};

use super::photos::{metadata_free_jpeg, sha256_hex};
use super::published::categories;
use super::state::Reports;
use super::store::{Action, IocReport};
use crate::api_error::ApiError;
use crate::push::PushKind;

/// Working hours to handle an urgent report (others: their category's target).
const URGENT_HOURS: u32 = 4;
/// The size of each proof photo, at most.
pub const MAX_PROOF_BYTES: usize = 5 * 1024 * 1024;
/// The IOC sees this many of the newest reports.
const LIST_LIMIT: u32 = 500;

/// The newest reports first, those in `status` only when it is given (`""`: all).
pub fn list(r: &Reports, status: Option<&str>) -> Result<Vec<IocReport>, ApiError> {
    let status = match status {
        None | Some("") => None,
        Some(text) => Some(ReportStatus::parse(text).ok_or_else(|| ApiError::validation("status", "unknown status"))?),
    };
    Ok(r.store.ioc_list(status, LIST_LIMIT, Utc::now())?)
}

/// One report; `for_agency`: as the handling agency sees it (the reporter only if allowed).
pub fn show(r: &Reports, code: &str, for_agency: bool) -> Result<IocReport, ApiError> {
    r.store.ioc_report(code, for_agency, Utc::now())?.ok_or_else(|| ApiError::not_found("report"))
}

/// The agencies the published categories name, each once, in the list's order.
pub fn agencies() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    for category in categories() {
        if !names.contains(&category.agency.as_str()) {
            names.push(&category.agency);
        }
    }
    names
}

/// One step; the reporter's devices get one push saying the report changed.
fn act(r: &Reports, code: &str, action: Action<'_>, officer: &str) -> Result<IocReport, ApiError> {
    let report = r.store.act(code, action, officer, Utc::now())?;
    if let Some(reporter) = r.store.reporter(&report.view.report_id)? {
        r.push.notify(&[&reporter], PushKind::Report, &report.view.report_id)?;
    }
    Ok(report)
}

/// Checked and eligible: the handling deadline starts, in working hours.
pub fn accept(r: &Reports, code: &str, officer: &str) -> Result<IocReport, ApiError> {
    let report = show(r, code, false)?;
    let hours = match report.view.urgency {
        Urgency::Urgent => URGENT_HOURS,
        Urgency::Normal => r.published.category(&report.view.category).map_or(40, |c| c.target_hours),
    };
    let handle_by = r.published.calendar().add_working_hours(Utc::now(), hours);
    act(r, code, Action::Accept { handle_by }, officer)
}

/// Refused for `reason` (`out_of_scope`, `unclear`, `duplicate`, `abusive`); a duplicate names
/// the report it repeats in `note`.
pub fn reject(r: &Reports, code: &str, reason: &str, note: Option<&str>, officer: &str) -> Result<IocReport, ApiError> {
    let reason = RejectReason::parse(reason)
        .ok_or_else(|| ApiError::validation("reason", "out_of_scope, unclear, duplicate or abusive"))?;
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if reason == RejectReason::Duplicate {
        let original = note.ok_or_else(|| {
            ApiError::validation("note", "ghi mã phản ánh bị trùng / name the report it repeats (its code)")
        })?;
        if original == code || r.store.ioc_report(original, false, Utc::now())?.is_none() {
            return Err(ApiError::validation(
                "note",
                "không có phản ánh khác mang mã này / no other report has this code",
            ));
        }
    }
    act(r, code, Action::Reject { reason, note }, officer)
}

/// Handed to `agency` (again, to move it to another).
pub fn assign(r: &Reports, code: &str, agency: &str, officer: &str) -> Result<IocReport, ApiError> {
    let agency = agency.trim();
    if agency.is_empty() || agency.chars().count() > 200 {
        return Err(ApiError::validation("agency", "chọn cơ quan xử lý / name the agency (at most 200 characters)"));
    }
    act(r, code, Action::Assign { agency }, officer)
}

/// The agency's answer: what was done, and proof photos (JPEG without metadata).
pub fn answer(
    r: &Reports,
    code: &str,
    message: &str,
    photos: Vec<Vec<u8>>,
    officer: &str,
) -> Result<IocReport, ApiError> {
    let message = message.trim();
    if message.is_empty() || message.chars().count() > MAX_REPORT_TEXT {
        return Err(ApiError::validation("message", "nêu việc đã xử lý / say what was done"));
    }
    // Residents' first complaint is an answer without proof: one photo at least.
    if photos.is_empty() || photos.len() > MAX_REPORT_PHOTOS {
        return Err(ApiError::validation(
            "photos_base64",
            format!("1 đến {MAX_REPORT_PHOTOS} ảnh minh chứng / 1 to {MAX_REPORT_PHOTOS} proof photos"),
        ));
    }
    let mut proof = Vec::with_capacity(photos.len());
    for bytes in photos {
        if bytes.len() > MAX_PROOF_BYTES {
            return Err(ApiError::validation("photos_base64", "mỗi ảnh tối đa 5 MiB / at most 5 MiB a photo"));
        }
        metadata_free_jpeg(&bytes).map_err(|why| ApiError::unprocessable("photos_base64", why))?;
        proof.push((sha256_hex(&bytes), bytes));
    }
    act(r, code, Action::Answer { message, photos: proof }, officer)
}

/// A photo of the report `code` (its own or its answer's), for the IOC whatever its status.
pub fn photo(r: &Reports, code: &str, sha256: &str) -> Result<Vec<u8>, ApiError> {
    r.store.ioc_photo(code, &sha256.to_ascii_lowercase())?.ok_or_else(|| ApiError::not_found("photo"))
}
