//! How the CLI shows dossiers and forms.

use smarthd_core::catalog::model::{FieldKind, Procedure};
use smarthd_core::sync::outbox::WAITING_FOR_OWNER;
use smarthd_core::{Dossier, DossierSyncReport, PublicStatus};

pub fn form(p: &Procedure, dossier: &Dossier, json: bool) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"dossier": dossier, "form": p.form}))
                .expect("serializable")
        );
        return;
    }
    println!("Hồ sơ mới / new dossier: {}", dossier.id);
    println!("Thủ tục / procedure: {} ({})", p.name, p.code);
    println!("Biểu mẫu / form (smarthd dossier set {} FIELD VALUE):", dossier.id);
    for f in &p.form.fields {
        let kind = match f.kind {
            FieldKind::Text => "văn bản / text",
            FieldKind::Textarea => "đoạn văn / long text",
            FieldKind::Number => "số / number",
            FieldKind::Date => "ngày YYYY-MM-DD / date",
            FieldKind::Cccd => "số CCCD 12 chữ số / 12-digit citizen ID",
            FieldKind::Phone => "điện thoại / phone",
            FieldKind::Email => "email",
            FieldKind::Select => "chọn / choice",
            FieldKind::Checkbox => "true | false",
        };
        let required = if f.required { " *" } else { "" };
        let en = f.label_en.as_deref().map(|e| format!(" / {e}")).unwrap_or_default();
        println!("  {}{required}: {}{en} [{kind}]", f.key, f.label);
        for o in &f.options {
            println!("      - {} = {}", o.value, o.label);
        }
    }
}

pub fn show(d: &Dossier, json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(d).expect("serializable"));
        return;
    }
    println!("Hồ sơ / dossier {}", d.id);
    println!("Thủ tục / procedure: {} ({})", d.procedure_name, d.procedure_code);
    println!("Trạng thái / status: {}", d.status.label());
    if let Some(code) = &d.code {
        println!("Mã hồ sơ / dossier code: {code}");
    }
    if let Some(receipt) = &d.receipt {
        println!("Biên nhận / receipt: {} ({})", receipt.number, receipt.received_at);
        if let Some(due) = &receipt.expected_result_at {
            println!("Hẹn trả kết quả / result expected: {due}");
        }
    }
    if let Some(fee) = d.fee_vnd {
        println!("Lệ phí / fee: {}", crate::output::vnd(fee));
    }
    if let Some(problem) = &d.problem {
        println!("Lưu ý / note: {problem}");
    }
    for (key, value) in &d.fields {
        println!("  {key} = {value}");
    }
    for a in &d.attachments {
        println!("  📎 {} ({} bytes, {})", a.name, a.size, a.content_type);
    }
    if !d.timeline.is_empty() {
        println!("Tiến trình / timeline:");
        for e in &d.timeline {
            let message = e.message.as_deref().map(|m| format!(": {m}")).unwrap_or_default();
            println!("  {}  {}{message}", e.at, e.status.label());
        }
    }
}

pub fn list(dossiers: &[Dossier], json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(dossiers).expect("serializable"));
        return;
    }
    if dossiers.is_empty() {
        println!("Chưa có hồ sơ nào / no dossiers yet");
    }
    for d in dossiers {
        println!("{}  {:<28} {}  {}", d.id, d.status.label(), d.code.as_deref().unwrap_or("-"), d.procedure_name);
    }
}

pub fn sync_report(r: &DossierSyncReport, json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(r).expect("serializable"));
        return;
    }
    println!(
        "Đã gửi / sent: {}, bị từ chối / refused: {}, còn chờ / pending: {}, thay đổi trạng thái / status changes: {}",
        r.outbox.sent, r.outbox.failed, r.outbox.pending, r.status_changes
    );
    if r.outbox.needs_login {
        println!("Cần đăng nhập để gửi / log in to send: smarthd login");
    }
    if r.outbox.waiting_for_owner > 0 {
        println!("{} hồ sơ của người khác: {WAITING_FOR_OWNER}", r.outbox.waiting_for_owner);
    }
    if r.outbox.waiting_for_level2 > 0 {
        println!(
            "{} hồ sơ cần đăng nhập VNeID mức 2 / need a level 2 login: smarthd login --level 2",
            r.outbox.waiting_for_level2
        );
    }
}

pub fn public_status(s: &PublicStatus, json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(s).expect("serializable"));
        return;
    }
    println!("{}  {}  {}  ({})", s.code, s.status.label(), s.procedure_name, s.updated_at);
}
