//! How the CLI shows dossiers and forms.

use smarthd_core::catalog::model::{FieldKind, Procedure};
use smarthd_core::dossier::{ActionKind, ResultPayload};
use smarthd_core::sync::outbox::WAITING_FOR_OWNER;
use smarthd_core::{Dossier, DossierSyncReport, FieldProblem, ForPerson, PublicStatus};

use crate::output::{printable, when};

pub fn form(p: &Procedure, dossier: &Dossier, json: bool) {
    if json {
        crate::output::json(&serde_json::json!({"dossier": dossier, "form": p.form}));
        return;
    }
    out!("Hồ sơ mới / new dossier: {}", dossier.id);
    out!("Thủ tục / procedure: {} ({})", printable(&p.name), printable(&p.code));
    for_person(dossier);
    out!("Biểu mẫu / form (smarthd dossier set {} FIELD VALUE):", dossier.id);
    for f in &p.form.fields {
        let kind = match f.kind {
            FieldKind::Text => "văn bản / text",
            FieldKind::Textarea => "đoạn văn / long text",
            FieldKind::Number => "số / number",
            FieldKind::Date => "ngày YYYY-MM-DD hoặc DD/MM/YYYY / date",
            FieldKind::Cccd => "số CCCD 12 chữ số / 12-digit citizen ID",
            FieldKind::Phone => "điện thoại / phone",
            FieldKind::Email => "email",
            FieldKind::Select => "chọn / choice",
            FieldKind::Checkbox => "true | false",
        };
        let required = if f.required { " *" } else { "" };
        let en = f.label_en.as_deref().map(|e| format!(" / {}", printable(e))).unwrap_or_default();
        out!("  {}{required}: {}{en} [{kind}]", printable(&f.key), printable(&f.label));
        if let Some(value) = dossier.fields.get(&f.key).filter(|_| dossier.prefilled.contains(&f.key)) {
            out!("      = {} ({PREFILLED})", printable(value));
        }
        for o in &f.options {
            out!("      - {} = {}", printable(&o.value), printable(&o.label));
        }
    }
}

const PREFILLED: &str = "điền sẵn từ định danh điện tử / prefilled from your e-identity";

fn for_person(d: &Dossier) {
    if d.for_person != ForPerson::Myself {
        let (vi, en) = d.for_person.labels();
        out!("Nộp cho / applying for: {vi} / {en}");
    }
}

/// What `dossier set` kept, and what is wrong with it.
pub fn field_set(field: &str, stored: &str, problem: Option<&FieldProblem>, json: bool) {
    if json {
        let answer = serde_json::json!({
            "field": field,
            "value": stored,
            "problem": problem,
            "message": problem.map(FieldProblem::message),
        });
        crate::output::json(&answer);
        return;
    }
    match problem {
        None => out!("{} = {}", printable(field), printable(stored)),
        Some(problem) => out!("{} = {}  ⚠ {}", printable(field), printable(stored), problem.message()),
    }
}

pub fn show(d: &Dossier, json: bool) {
    if json {
        crate::output::json(d);
        return;
    }
    out!("Hồ sơ / dossier {}", d.id);
    out!("Thủ tục / procedure: {} ({})", printable(&d.procedure_name), printable(&d.procedure_code));
    out!("Trạng thái / status: {}", d.status.label());
    for_person(d);
    if let Some(code) = &d.code {
        out!("Mã hồ sơ / dossier code: {}", printable(code));
    }
    if let Some(receipt) = &d.receipt {
        out!("Biên nhận / receipt: {} ({})", printable(&receipt.number), when(&receipt.received_at));
        if let Some(due) = &receipt.expected_result_at {
            out!("Hẹn trả kết quả / result expected: {}", when(due));
        }
    }
    if let Some(fee) = d.fee_vnd {
        out!("Lệ phí / fee: {}", crate::output::vnd(fee));
    }
    if let Some(problem) = &d.problem {
        out!("Lưu ý / note: {}", printable(problem));
    }
    if let Some(request) = &d.supplement {
        out!(
            "Yêu cầu bổ sung lần {} (hạn {}) / supplement {} requested (by {}): {}",
            request.round,
            when(&request.deadline),
            request.round,
            when(&request.deadline),
            printable(&request.message)
        );
        for document in &request.documents {
            let attached = d.attachments.iter().any(|a| a.document.as_deref() == Some(document.as_str()));
            let mark = if attached { "✔" } else { "·" };
            out!("  {mark} {}", printable(document));
        }
        out!("  (smarthd dossier attach {} FILE --document \"…\", then smarthd dossier submit {})", d.id, d.id);
    }
    match d.queued_action {
        Some(ActionKind::Supplement) => out!("Hồ sơ bổ sung đang chờ gửi / supplement queued for sending"),
        Some(ActionKind::Withdrawal) => out!("Yêu cầu rút hồ sơ đang chờ gửi / withdrawal queued for sending"),
        Some(ActionKind::Rating) => out!("Đánh giá đang chờ gửi / rating queued for sending"),
        None => {}
    }
    if let Some(verdict) = d.rating {
        let (vi, en) = verdict.labels();
        out!("Đánh giá / rating: {vi} / {en}");
    }
    if let Some(result) = &d.result {
        out!(
            "Kết quả / result: {} ({}, {}) — smarthd dossier result {} --out FILE",
            printable(&result.name),
            printable(&result.result_id),
            when(&result.issued_at),
            d.id
        );
    }
    for (key, value) in &d.fields {
        let mark = if d.prefilled.contains(key) { " ✓" } else { "" };
        out!("  {} = {}{mark}", printable(key), printable(value));
    }
    if !d.prefilled.is_empty() {
        let keys: Vec<String> = d.prefilled.iter().map(|k| printable(k)).collect();
        out!("✓ {PREFILLED}: {}", keys.join(", "));
    }
    for a in &d.attachments {
        let answers = a.document.as_deref().map(|doc| format!(" → {}", printable(doc))).unwrap_or_default();
        out!("  📎 {} ({} byte, {}){answers}", printable(&a.name), a.size, printable(&a.content_type));
    }
    if !d.timeline.is_empty() {
        out!("Tiến trình / timeline:");
        for e in &d.timeline {
            let message = e.message.as_deref().map(|m| format!(": {}", printable(m))).unwrap_or_default();
            out!("  {}  {}{message}", when(&e.at), e.status.label());
        }
    }
}

pub fn list(dossiers: &[Dossier], json: bool) {
    if json {
        crate::output::json(dossiers);
        return;
    }
    if dossiers.is_empty() {
        out!("Chưa có hồ sơ nào / no dossiers yet");
        return;
    }
    let header = ["Mã / id", "Trạng thái / status", "Mã hồ sơ / code", "Thủ tục / procedure"];
    let rows: Vec<[String; 4]> = dossiers
        .iter()
        .map(|d| {
            // The id's first 8 characters are enough for every command (a unique start of it).
            let id: String = d.id.chars().take(8).collect();
            [id, d.status.label().to_owned(), printable(d.code.as_deref().unwrap_or("-")), printable(&d.procedure_name)]
        })
        .collect();
    for line in table(&header, &rows) {
        out!("{line}");
    }
}

/// Rows in columns as wide as their widest cell, by display width (Vietnamese letters with
/// combining marks take one column, wide characters two); the last column is not padded.
pub fn table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let mut widths = header.map(UnicodeWidthStr::width);
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut line = String::new();
        for (i, cell) in cells.enumerate() {
            line.push_str(cell);
            if i + 1 < N {
                line.push_str(&" ".repeat(widths[i] - cell.width() + 2));
            }
        }
        line
    };
    let mut lines = vec![line(&mut header.iter().copied())];
    lines.extend(rows.iter().map(|row| line(&mut row.iter().map(String::as_str))));
    lines
}

pub fn sync_report(r: &DossierSyncReport, json: bool) {
    if json {
        crate::output::json(r);
        return;
    }
    out!(
        "Đã gửi / sent: {}, bị từ chối / refused: {}, còn chờ / pending: {}, thay đổi trạng thái / status changes: {}",
        r.outbox.sent,
        r.outbox.failed,
        r.outbox.pending,
        r.status_changes
    );
    let reports = &r.reports;
    if reports.sent + reports.failed + reports.pending + reports.status_changes > 0 {
        out!(
            "Phản ánh / reports: đã gửi / sent: {}, bị từ chối / refused: {}, còn chờ / pending: {}, thay đổi / changes: {}",
            reports.sent,
            reports.failed,
            reports.pending,
            reports.status_changes
        );
    }
    if r.outbox.needs_login || reports.needs_login {
        out!("Cần đăng nhập để gửi / log in to send: smarthd login");
    }
    if r.outbox.waiting_for_owner > 0 {
        out!("{} hồ sơ của người khác / dossiers of another resident: {WAITING_FOR_OWNER}", r.outbox.waiting_for_owner);
    }
    if r.outbox.waiting_for_level2 > 0 {
        out!(
            "{} hồ sơ cần đăng nhập VNeID mức 2 / need a level 2 login: smarthd login --level 2",
            r.outbox.waiting_for_level2
        );
    }
}

pub fn public_status(s: &PublicStatus, json: bool) {
    if json {
        crate::output::json(s);
        return;
    }
    let (code, name, at) = (printable(&s.code), printable(&s.procedure_name), when(&s.updated_at));
    out!("{code}  {}  {name}  ({at})", s.status.label());
}

/// A result the phone verified (the portal's signature, the PDF's digest).
pub fn result(r: &ResultPayload, written_to: Option<&std::path::Path>, json: bool) {
    if json {
        crate::output::json(&serde_json::json!({
            "result": r, "verified": true, "written_to": written_to.map(|p| p.display().to_string()),
        }));
        return;
    }
    out!("Kết quả / result {}: {} ✔ chữ ký hợp lệ / signature valid", printable(&r.result_id), printable(&r.name));
    out!("Hồ sơ / dossier: {} — {}", printable(&r.dossier_code), printable(&r.procedure_name));
    out!("Cấp ngày / issued: {} — {}", when(&r.issued_at), printable(&r.issuer));
    out!("SHA-256: {} ({} bytes)", r.sha256, r.size);
    if let Some(path) = written_to {
        out!("Đã lưu / saved: {}", path.display());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_line_up_by_display_width() {
        let rows = [
            ["a1".to_owned(), "Đã tiếp nhận / received".to_owned(), "x".to_owned()],
            ["b2".to_owned(), "Nháp / draft".to_owned(), "Đăng ký khai sinh".to_owned()],
        ];
        let lines = super::table(&["id", "trạng thái", "tên"], &rows);
        use unicode_width::UnicodeWidthStr;
        fn column(line: &str, n: usize) -> Vec<&str> {
            line.split("  ").map(str::trim).filter(|c| !c.is_empty()).take(n).collect()
        }
        assert_eq!(column(&lines[2], 3), ["b2", "Nháp / draft", "Đăng ký khai sinh"]);
        // The third column starts at the same display column on every line.
        let starts: Vec<usize> = lines
            .iter()
            .map(|l| {
                let last = column(l, 3)[2];
                l[..l.rfind(last).unwrap()].width()
            })
            .collect();
        assert!(starts.windows(2).all(|w| w[0] == w[1]), "{lines:#?}");
        // Decomposed tone marks (NFD) take no column of their own.
        assert_eq!("Nha\u{300}p".width(), 4);
    }
}
