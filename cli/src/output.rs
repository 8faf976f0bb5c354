//! How the CLI prints: Vietnamese first with English beside it, or JSON with `--json`.

use std::io::IsTerminal;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};
use smarthd_core::catalog::model::{Channel, Level, OnlineLevel, Procedure, ProcedureStatus, Subject};
use smarthd_core::{Event, EventListener, Freshness, Profile, SearchPage, SyncOutcome, SyncReport};

/// A progress bar on a terminal; silent elsewhere.
pub struct SyncProgressBar(Option<ProgressBar>);

impl SyncProgressBar {
    pub fn new(enabled: bool) -> Arc<Self> {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("Đồng bộ / syncing {bar:40} {pos}/{len} thủ tục")
                    .expect("a valid template"),
            );
            bar
        });
        Arc::new(SyncProgressBar(bar))
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

impl EventListener for SyncProgressBar {
    fn on_event(&self, event: Event) {
        if let (Some(bar), Event::CatalogSyncProgress { done, total }) = (&self.0, event) {
            bar.set_length(total);
            bar.set_position(done);
        }
    }
}

pub fn level(l: Level) -> &'static str {
    match l {
        Level::Province => "cấp tỉnh / province",
        Level::Commune => "cấp xã / commune",
    }
}

pub fn online(o: OnlineLevel) -> &'static str {
    match o {
        OnlineLevel::Full => "toàn trình / full",
        OnlineLevel::Partial => "một phần / partial",
    }
}

fn freshness_line(f: &Freshness) -> String {
    match &f.last_success_at {
        Some(at) => format!("Dữ liệu cập nhật / data as of {at} ({} thủ tục / procedures)", f.procedures),
        None => "Chưa có dữ liệu ngoại tuyến / no offline data yet".to_owned(),
    }
}

pub fn offline_notice(f: &Freshness) {
    eprintln!(
        "Không kết nối được cổng dịch vụ công; dùng dữ liệu đã lưu. / The portal is unreachable; using cached data.\n{}",
        freshness_line(f)
    );
}

pub fn sync_report(report: &SyncReport, f: &Freshness, json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(report).expect("serializable"));
        return;
    }
    match report.outcome {
        SyncOutcome::NotModified => println!("Danh mục đã mới nhất / catalog already up to date (304)"),
        SyncOutcome::Updated => println!(
            "Đã cập nhật {} thủ tục, gỡ {} / updated {}, removed {} ({} pages)",
            report.upserted, report.removed, report.upserted, report.removed, report.pages
        ),
    }
    println!("{}", freshness_line(f));
}

/// Bold highlight spans on a terminal.
fn highlighted(name: &str, spans: &[smarthd_core::catalog::Span]) -> String {
    if !std::io::stdout().is_terminal() || spans.is_empty() {
        return name.to_owned();
    }
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        let i = i as u32;
        if spans.iter().any(|s| s.start == i) {
            out.push_str("\x1b[1m");
        }
        out.push(c);
        if spans.iter().any(|s| s.end == i + 1) {
            out.push_str("\x1b[0m");
        }
    }
    out
}

pub fn search_results(query: &str, page: &SearchPage, f: &Freshness, json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(&page.hits).expect("serializable"));
        return;
    }
    if page.hits.is_empty() {
        println!("Không tìm thấy thủ tục nào cho «{query}» / nothing found");
    }
    for (i, hit) in page.hits.iter().enumerate() {
        println!("{:>2}. {}", i + 1, highlighted(&hit.name, &hit.highlights));
        if let Some(en) = &hit.name_en {
            println!("    {en}");
        }
        println!("    {} · {} · {} · {}", hit.code, hit.field, level(hit.level), online(hit.online));
    }
    if page.has_more {
        println!("    … còn nữa / more results (--limit)");
    }
    println!("{}", freshness_line(f));
}

pub fn vnd(amount: i64) -> String {
    let digits = amount.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    format!("{}{out} đ", if amount < 0 { "-" } else { "" })
}

pub fn procedure(p: &Procedure, json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(p).expect("serializable"));
        return;
    }
    println!("{}", p.name);
    if let Some(en) = &p.name_en {
        println!("{en}");
    }
    println!("Mã thủ tục / code: {} (quốc gia / national {})", p.code, p.national_code);
    match p.status {
        ProcedureStatus::InForce => {}
        ProcedureStatus::Expired => println!("HẾT HIỆU LỰC / EXPIRED"),
        ProcedureStatus::Replaced => {
            println!("ĐÃ ĐƯỢC THAY THẾ / REPLACED by {}", p.replaced_by.as_deref().unwrap_or("?"))
        }
    }
    println!("Lĩnh vực / field: {}", p.field);
    println!("Cơ quan có thẩm quyền / deciding agency: {}", p.deciding_agency);
    println!("Cơ quan thực hiện / processing agency: {}", p.processing_agency);
    println!("Cấp thực hiện / level: {}", level(p.level));
    println!("Mức độ / online: {}", online(p.online_level));
    let subjects: Vec<&str> = p
        .subjects
        .iter()
        .map(|s| match s {
            Subject::Citizen => "công dân / citizen",
            Subject::Organization => "tổ chức / organisation",
        })
        .collect();
    println!("Đối tượng / who: {}", subjects.join(", "));
    println!("Thời hạn giải quyết / processing time: {}", p.processing_time);
    if p.fees.is_empty() {
        println!("Phí, lệ phí / fees: không / none");
    } else {
        println!("Phí, lệ phí / fees:");
        for fee in &p.fees {
            let channel = match fee.channel {
                Channel::Online => "trực tuyến / online",
                Channel::Paper => "trực tiếp / on paper",
            };
            println!("  - {} ({channel}): {}", fee.description, vnd(fee.amount_vnd));
        }
    }
    println!("Thành phần hồ sơ / documents:");
    for case in &p.documents {
        println!("  {}:", case.case_name);
        for item in &case.items {
            let form = item.form.as_ref().map(|f| format!(" [mẫu / form {}]", f.code)).unwrap_or_default();
            println!("    - {} (bản chính {}, bản sao {}){form}", item.name, item.originals, item.copies);
        }
    }
    println!("Trình tự thực hiện / steps:");
    for (i, step) in p.steps.iter().enumerate() {
        println!("  {}. {step}", i + 1);
    }
    if !p.conditions.is_empty() {
        println!("Yêu cầu, điều kiện / conditions:");
        for c in &p.conditions {
            println!("  - {c}");
        }
    }
    println!("Căn cứ pháp lý / legal basis:");
    for l in &p.legal_basis {
        println!("  - {l}");
    }
    println!("Biểu mẫu điện tử / e-form: {} trường / fields", p.form.fields.len());
    println!("Cập nhật / updated: {}", p.updated_at);
}

/// Who is logged in; the CCCD is masked on screen and in JSON alike.
pub fn profile(p: &Profile, json: bool) {
    let expires = chrono::DateTime::from_timestamp(p.access_expires_at, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default();
    if json {
        let value = serde_json::json!({
            "name": p.name,
            "cccd": p.masked_cccd(),
            "level": p.level,
            "access_token_expires_at": expires,
        });
        println!("{}", serde_json::to_string_pretty(&value).expect("serializable"));
        return;
    }
    println!("Họ tên / name: {}", p.name);
    println!("Số CCCD / citizen ID: {}", p.masked_cccd());
    println!("Mức định danh / VNeID level: {}", p.level);
    println!("Phiên hết hạn / access token expires: {expires}");
}

#[cfg(test)]
mod tests {
    #[test]
    fn vnd_groups_thousands_with_dots() {
        assert_eq!(super::vnd(769_500), "769.500 đ");
        assert_eq!(super::vnd(0), "0 đ");
        assert_eq!(super::vnd(1_000_000), "1.000.000 đ");
    }
}
