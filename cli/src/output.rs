//! How the CLI prints: Vietnamese first with English beside it, or JSON with `--json`.

use std::io::IsTerminal;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};
use smarthd_core::catalog::model::{Channel, Level, OnlineLevel, Procedure, ProcedureStatus, Subject};
use smarthd_core::{Event, EventListener, Freshness, Profile, SearchPage, SyncOutcome, SyncReport};

/// Text from the portal (names, officer messages, errors) as it may reach a terminal: control
/// characters, escape sequences among them, and bidirectional overrides are dropped, line breaks
/// and tabs become spaces. Everything the portal says goes through here before it is printed.
pub fn printable(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if c.is_control() || is_bidi_control(c) => None,
            c => Some(c),
        })
        .collect()
}

/// Marks that reorder what a terminal shows (a name could read backwards).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The exit status of a program whose output pipe was closed: what a shell reports for one ended
/// by SIGPIPE (128 + 13).
const CLOSED_PIPE_STATUS: i32 = 141;

/// Lines held back instead of printed (`capture`).
static CAPTURED: std::sync::Mutex<Option<Vec<String>>> = std::sync::Mutex::new(None);

/// From `capture(true)` on, lines are kept instead of printed; `capture(false)` stops that and
/// gives them back (the demo's transcript, one JSON document with `--json`).
pub fn capture(on: bool) -> Vec<String> {
    let mut captured = CAPTURED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let lines = captured.take().unwrap_or_default();
    if on {
        *captured = Some(Vec::new());
    }
    lines
}

/// Writes one line to stdout (see `out!`). When the reader has gone, the rest of the output has
/// nowhere to go: the program ends quietly; anything already committed stays committed.
pub fn print_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    if let Some(captured) = CAPTURED.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_mut() {
        captured.push(line.to_string());
        return;
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_fmt(line).and_then(|()| stdout.write_all(b"\n")) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(CLOSED_PIPE_STATUS),
        Err(e) => {
            eprintln!("lỗi / error: không ghi được ra stdout / cannot write to stdout: {e}");
            std::process::exit(1);
        }
    }
}

/// Vietnam's offset from UTC, all year (no daylight saving time): no tz database needed.
const VIETNAM_SECONDS_EAST: i32 = 7 * 3600;

fn vietnam() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(VIETNAM_SECONDS_EAST).expect("a valid offset")
}

/// An RFC 3339 time (whatever its offset) in Vietnam's time, +07:00.
pub fn local(rfc3339: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    // Only full timestamps: a date ("2026-12-31") or a form value stays as it is.
    if rfc3339.len() < 20 || !rfc3339.as_bytes().get(10).is_some_and(|b| *b == b'T' || *b == b't') {
        return None;
    }
    chrono::DateTime::parse_from_rfc3339(rfc3339).ok().map(|t| t.with_timezone(&vietnam()))
}

/// Unix seconds in Vietnam's time.
pub fn local_unix(seconds: i64) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::from_timestamp(seconds, 0).map(|t| t.with_timezone(&vietnam()))
}

/// A time as a resident reads it, in Vietnam's time: "03/12/2026 08:00"; a date as
/// "31/12/2026"; anything else as it came.
pub fn when(text: &str) -> String {
    if let Some(t) = local(text) {
        return t.format("%d/%m/%Y %H:%M").to_string();
    }
    match chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) => date.format("%d/%m/%Y").to_string(),
        Err(_) => printable(text),
    }
}

/// Every RFC 3339 time in a JSON value, rewritten in Vietnam's time (+07:00).
fn localize(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => {
            if let Some(t) = local(s) {
                *s = t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(localize),
        serde_json::Value::Object(map) => map.values_mut().for_each(localize),
        _ => {}
    }
}

/// The one JSON document a command prints with `--json`: times in +07:00.
pub fn json<T: serde::Serialize + ?Sized>(value: &T) {
    let mut value = serde_json::to_value(value).expect("serializable");
    localize(&mut value);
    out!("{}", serde_json::to_string_pretty(&value).expect("serializable"));
}

/// With `--json`, stderr holds JSON lines only: a notice a script may need to act on (the URL
/// to open to log in or pay), and the error, if any.
pub fn notice(value: serde_json::Value) {
    let mut value = serde_json::json!({ "notice": value });
    localize(&mut value);
    eprintln!("{value}");
}

/// A progress bar on a terminal; silent elsewhere.
pub struct SyncProgressBar(Option<ProgressBar>);

impl SyncProgressBar {
    pub fn new(enabled: bool) -> Arc<Self> {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("Đồng bộ / syncing {bar:40} {pos}/{len} thủ tục / procedures")
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
        Some(at) => format!("Dữ liệu cập nhật / data as of {} ({} thủ tục / procedures)", when(at), f.procedures),
        None => "Chưa có dữ liệu ngoại tuyến / no offline data yet".to_owned(),
    }
}

pub fn offline_notice(f: &Freshness) {
    eprintln!(
        "Không kết nối được cổng dịch vụ công; dùng dữ liệu đã lưu. / The portal is unreachable; using cached data.\n{}",
        freshness_line(f)
    );
}

pub fn sync_report(report: &SyncReport, f: &Freshness, as_json: bool) {
    if as_json {
        json(report);
        return;
    }
    match report.outcome {
        SyncOutcome::NotModified => out!("Danh mục đã mới nhất / the catalog is already up to date"),
        SyncOutcome::Updated => out!(
            "Đã cập nhật {} thủ tục, gỡ {} / {} procedures updated, {} removed",
            report.upserted,
            report.removed,
            report.upserted,
            report.removed,
        ),
    }
    out!("{}", freshness_line(f));
}

/// Bold highlight spans on a terminal.
fn highlighted(name: &str, spans: &[smarthd_core::catalog::Span]) -> String {
    if !std::io::stdout().is_terminal() || spans.is_empty() {
        return printable(name);
    }
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        let i = i as u32;
        if spans.iter().any(|s| s.start == i) {
            out.push_str("\x1b[1m");
        }
        out.push_str(&printable(c.encode_utf8(&mut [0; 4])));
        if spans.iter().any(|s| s.end == i + 1) {
            out.push_str("\x1b[0m");
        }
    }
    out
}

/// One page of results, numbered from `offset + 1` across pages.
pub fn search_results(query: &str, page: &SearchPage, number: u32, offset: u32, f: &Freshness, as_json: bool) {
    if as_json {
        json(&serde_json::json!({ "hits": page.hits, "page": number, "has_more": page.has_more }));
        return;
    }
    if page.hits.is_empty() {
        out!("Không tìm thấy thủ tục nào cho «{}» / nothing found", printable(query));
    }
    for (i, hit) in page.hits.iter().enumerate() {
        out!("{:>2}. {}", u64::from(offset) + i as u64 + 1, highlighted(&hit.name, &hit.highlights));
        if let Some(en) = &hit.name_en {
            out!("    {}", printable(en));
        }
        let (code, field) = (printable(&hit.code), printable(&hit.field));
        out!("    {code} · {field} · {} · {}", level(hit.level), online(hit.online));
    }
    if page.has_more {
        out!("    … còn nữa: --page {} / more results: --page {}", number + 1, number + 1);
    }
    out!("{}", freshness_line(f));
}

/// Completions, one a line (most likely first).
pub fn suggestions(names: &[String], as_json: bool) {
    if as_json {
        json(names);
        return;
    }
    for name in names {
        out!("{}", printable(name));
    }
}

pub use smarthd_core::payment::vnd;

/// A facet's values (fields or agencies) with their counts, most procedures first.
pub fn facets(facets: &[smarthd_core::FacetCount], as_json: bool) {
    if as_json {
        json(facets);
        return;
    }
    let mut sorted: Vec<&smarthd_core::FacetCount> = facets.iter().collect();
    sorted.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    for facet in sorted {
        out!("{:>5}  {}", facet.count, printable(&facet.name));
    }
}

pub fn procedure(p: &Procedure, as_json: bool) {
    if as_json {
        json(p);
        return;
    }
    out!("{}", printable(&p.name));
    if let Some(en) = &p.name_en {
        out!("{}", printable(en));
    }
    out!("Mã thủ tục / code: {} (quốc gia / national {})", printable(&p.code), printable(&p.national_code));
    match p.status {
        ProcedureStatus::InForce => {}
        ProcedureStatus::Expired => out!("HẾT HIỆU LỰC / EXPIRED"),
        ProcedureStatus::Replaced => {
            out!("ĐÃ ĐƯỢC THAY THẾ / REPLACED by {}", printable(p.replaced_by.as_deref().unwrap_or("?")))
        }
    }
    out!("Lĩnh vực / field: {}", printable(&p.field));
    out!("Cơ quan có thẩm quyền / deciding agency: {}", printable(&p.deciding_agency));
    out!("Cơ quan thực hiện / processing agency: {}", printable(&p.processing_agency));
    out!("Cấp thực hiện / level: {}", level(p.level));
    out!("Mức độ / online: {}", online(p.online_level));
    let subjects: Vec<&str> = p
        .subjects
        .iter()
        .map(|s| match s {
            Subject::Citizen => "công dân / citizen",
            Subject::Organization => "tổ chức / organisation",
        })
        .collect();
    out!("Đối tượng / who: {}", subjects.join(", "));
    out!("Thời hạn giải quyết / processing time: {}", printable(&p.processing_time));
    if p.fees.is_empty() {
        out!("Phí, lệ phí / fees: không / none");
    } else {
        out!("Phí, lệ phí / fees:");
        for fee in &p.fees {
            let channel = match fee.channel {
                Channel::Online => "trực tuyến / online",
                Channel::Paper => "trực tiếp / on paper",
            };
            out!("  - {} ({channel}): {}", printable(&fee.description), vnd(fee.amount_vnd));
        }
    }
    out!("Thành phần hồ sơ / documents:");
    for case in &p.documents {
        out!("  {}:", printable(&case.case_name));
        for item in &case.items {
            let form = item.form.as_ref().map(|f| format!(" [mẫu / form {}]", printable(&f.code))).unwrap_or_default();
            out!(
                "    - {} (bản chính / originals {}, bản sao / copies {}){form}",
                printable(&item.name),
                item.originals,
                item.copies
            );
        }
    }
    out!("Trình tự thực hiện / steps:");
    for (i, step) in p.steps.iter().enumerate() {
        out!("  {}. {}", i + 1, printable(step));
    }
    if !p.conditions.is_empty() {
        out!("Yêu cầu, điều kiện / conditions:");
        for c in &p.conditions {
            out!("  - {}", printable(c));
        }
    }
    out!("Căn cứ pháp lý / legal basis:");
    for l in &p.legal_basis {
        out!("  - {}", printable(l));
    }
    out!("Biểu mẫu điện tử / e-form: {} trường / fields", p.form.fields.len());
    out!("Cập nhật / updated: {}", when(&p.updated_at));
}

/// What the portal said of the session when asked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SessionCheck {
    /// It works (the access token was refreshed if it had to be).
    Valid,
    /// The provider ended it: log in again.
    Ended,
    /// The portal could not be reached: valid as far as this device knows.
    Unchecked,
}

/// Who is logged in, whether the session works and until when it can be renewed without logging
/// in again; the CCCD is masked on screen and in JSON alike.
pub fn profile(p: &Profile, check: SessionCheck, as_json: bool) {
    let refreshable_until = p.refresh_expires_at.and_then(local_unix);
    if as_json {
        let session = match check {
            SessionCheck::Valid => "valid",
            SessionCheck::Ended => "ended",
            SessionCheck::Unchecked => "unchecked",
        };
        json(&serde_json::json!({
            "logged_in": check != SessionCheck::Ended,
            "session": session,
            "name": p.name,
            "cccd": p.masked_cccd(),
            "level": p.level,
            "refreshable_until": refreshable_until.map(|t| t.to_rfc3339()),
        }));
        return;
    }
    out!("Họ tên / name: {}", printable(&p.name));
    out!("Số CCCD / citizen ID: {}", p.masked_cccd());
    out!("Mức định danh / VNeID level: {}", p.level);
    match check {
        SessionCheck::Valid => out!("Phiên đăng nhập / session: còn hiệu lực / valid"),
        SessionCheck::Unchecked => out!(
            "Phiên đăng nhập / session: chưa kiểm tra được (không kết nối được cổng) / not checked (the portal cannot \
             be reached)"
        ),
        SessionCheck::Ended => {
            out!("Phiên đăng nhập / session: đã hết, hãy đăng nhập lại / ended, log in again: smarthd login")
        }
    }
    if check != SessionCheck::Ended
        && let Some(until) = refreshable_until
    {
        let until = until.format("%d/%m/%Y %H:%M");
        out!("Tự gia hạn được đến / renews itself until: {until} (sau đó đăng nhập lại / then log in again)");
    }
}

/// My documents, newest first, with their verification.
pub fn documents(documents: &[smarthd_core::documents::MyDocument], as_json: bool) {
    if as_json {
        json(documents);
        return;
    }
    if documents.is_empty() {
        out!("Chưa có giấy tờ nào / no documents yet");
    }
    for d in documents {
        let mark = match d.kind {
            smarthd_core::documents::DocumentKind::Card => "·",
            _ if d.verified => "✔",
            _ => "✘ chữ ký không hợp lệ / signature invalid",
        };
        out!("{mark} {}  {}", printable(&d.title), when(&d.issued_at));
        out!("    {}  ({})", printable(&d.detail), printable(&d.id));
    }
}

pub fn inbox(items: &[smarthd_core::InboxItem], as_json: bool) {
    if as_json {
        json(items);
        return;
    }
    if items.is_empty() {
        out!("Hộp thư trống / the inbox is empty");
    }
    for item in items {
        let (vi, en) = item.severity.labels();
        let unread = if item.read { " " } else { "•" };
        out!("{unread} [{vi} / {en}] {}  {}", printable(&item.title), when(&item.at));
        out!("    {}  ({})", printable(&item.body), printable(&item.item_id));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn portal_text_reaches_the_terminal_without_control_characters() {
        let officer = "Bổ sung\x1b[2J\x1b]0;pwned\x07 giấy tờ\r\nngay\u{9b}31m\u{202e}abc";
        assert_eq!(super::printable(officer), "Bổ sung[2J]0;pwned giấy tờ  ngay31mabc");
        assert_eq!(super::printable("Đăng ký khai sinh"), "Đăng ký khai sinh");
    }
}
