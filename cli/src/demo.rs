//! `smarthd demo`: the main job. An embedded sandbox on an ephemeral loopback port, a fresh
//! temporary data dir, and a resident's path: find a procedure (online, then offline), log in,
//! fill and submit a dossier, follow it to the result, pay a fee and keep the verified receipt,
//! submit another dossier while the portal is down.
//!
//! The demo plays the resident's and the officer's parts with the sandbox's robot, which fills
//! the login and gateway pages and calls the officer console over HTTP, as a person would in a
//! browser.

use std::sync::Arc;

use smarthd_core::catalog::model::Subject;
use smarthd_core::payment::PaymentMethod;
use smarthd_core::{Config, Error, Event, EventListener, PageRequest, ReceiptKeyPin, SearchFilters, Services, SmartHd};
use smarthd_sandbox::payment::{GatewayAction, pay_at_gateway};
use smarthd_sandbox::robot::{self, LEVEL2_CITIZEN};
use smarthd_sandbox::{Sandbox, SandboxConfig};

use crate::output::printable;
use crate::{dossier, output};

fn step(title: &str) {
    out!("\n━━ {title}");
}

fn fail(e: impl std::fmt::Display) -> Error {
    Error::Internal(e.to_string())
}

/// Prints what a phone would show as notifications, and drives the progress bar.
struct DemoEvents(Arc<output::SyncProgressBar>);

impl EventListener for DemoEvents {
    fn on_event(&self, event: Event) {
        match &event {
            Event::CatalogSyncProgress { .. } => self.0.on_event(event),
            Event::DossierStatusChanged { code, status, .. } => {
                out!(
                    "  🔔 hồ sơ / dossier {}: {}",
                    printable(code.as_deref().unwrap_or("(chưa có mã / no code yet)")),
                    status.label()
                )
            }
            Event::ReportStatusChanged { code, state, .. } => {
                let (vi, en) = state.labels();
                out!("  🔔 phản ánh / report {}: {vi} / {en}", printable(code.as_deref().unwrap_or("")))
            }
            Event::AlertReceived { title, severity, .. } => {
                let (vi, en) = severity.labels();
                out!("  🔔 [{vi} / {en}] {}", printable(title))
            }
            Event::PaymentUpdated { order_id, status } => {
                out!("  🔔 thanh toán / payment {}: {}", printable(order_id), status.label())
            }
            Event::AppointmentReminder { counter_name, starts_at, number, .. } => {
                out!(
                    "  🔔 lịch hẹn / appointment {}: {} (số / number {number})",
                    output::when(starts_at),
                    printable(counter_name)
                )
            }
            // Nothing a phone would notify.
            Event::SessionChanged { .. } | Event::DossierUpdated { .. } => {}
        }
    }
}

fn search(core: &SmartHd, query: &str) -> Result<(), Error> {
    out!("\n» tìm / search: «{query}»");
    let page = core.catalog().search(query, &SearchFilters::default(), PageRequest { offset: 0, limit: 3 })?;
    for (i, hit) in page.hits.iter().enumerate() {
        out!("  {}. {}  [{}]", i + 1, printable(&hit.name), printable(&hit.code));
    }
    if page.hits.is_empty() {
        out!("  (không có kết quả / no results)");
    }
    Ok(())
}

/// A draft of `code`, filled in as the resident would, with a scanned form attached.
fn filled_draft(core: &SmartHd, code: &str, files: &std::path::Path) -> Result<String, Error> {
    let draft = core.dossiers().new_draft(code, Subject::Citizen)?;
    let procedure = core.catalog().procedure(code)?;
    for field in &procedure.form.fields {
        core.dossiers().set_field(&draft.id, &field.key, &robot::sample_value(field))?;
    }
    let scan = files.join(format!("to-khai-{}.pdf", &draft.id[..8]));
    std::fs::write(&scan, format!("%PDF-1.4\n% Tờ khai {}\n", procedure.name))?;
    core.dossiers().attach(&draft.id, &scan)?;
    Ok(draft.id)
}

/// The tour; with `--json`, what it printed comes as one JSON document at the end
/// (`{"transcript": [lines]}`).
pub async fn run(json: bool) -> Result<(), Error> {
    if !json {
        return tour(false).await;
    }
    output::capture(true);
    let done = tour(true).await;
    let transcript = output::capture(false);
    done?;
    output::json(&serde_json::json!({ "transcript": transcript }));
    Ok(())
}

/// A resident reports a street light out with a photo of it; the operations centre accepts it,
/// assigns it and the agency answers with a photo of the repair; the resident rates the answer.
async fn field_report(core: &SmartHd, base: &str, files: &std::path::Path) -> Result<(), Error> {
    use smarthd_core::report::{GeoPoint, ReportVerdict, Urgency};
    core.reports().refresh_published().await?;
    let draft = smarthd_core::ReportDraft {
        category: "chieu_sang".into(),
        text: "Đèn đường trước chợ Hải Dương hỏng cả tuần nay, buổi tối rất tối.".into(),
        location: GeoPoint { lat: 20.8215, lon: 106.2207 },
        address_note: Some("Trước cổng chợ".into()),
        urgency: Urgency::Normal,
        share_identity: false,
    };
    let report = core.reports().create(&draft)?;
    let photo = files.join("den-duong.png");
    std::fs::write(&photo, street_light_png(false))?;
    core.reports().add_photo(&report.id, &photo)?;
    core.reports().submit(&report.id)?;
    core.sync().now().await?;
    let code = core.reports().get(&report.id)?.code.ok_or_else(|| Error::Internal("no report code".into()))?;
    out!("Đã gửi phản ánh / report sent: {code} (ảnh đã xoá siêu dữ liệu / the photo's metadata removed)");
    let ioc = robot::OfficerConsole::log_in(base, &smarthd_sandbox::OFFICERS[0]).await.map_err(fail)?;
    ioc.accept_report(&code).await.map_err(fail)?;
    ioc.assign_report(&code, "Công ty Chiếu sáng đô thị").await.map_err(fail)?;
    let proof = smarthd_core::report::photo::normalize(&street_light_png(true)).map_err(fail)?.jpeg;
    ioc.answer_report(&code, "Đã thay bóng đèn mới ngày hôm nay.", &[proof]).await.map_err(fail)?;
    core.sync().now().await?;
    core.reports().rate(&report.id, ReportVerdict::Satisfied)?;
    core.sync().now().await?;
    let done = core.reports().get(&report.id)?;
    let answer = done.answer.as_ref().map(|a| a.message.as_str()).unwrap_or("");
    out!(
        "Trả lời / answer: {}  ({} ảnh kết quả / proof photos)",
        printable(answer),
        done.answer.map_or(0, |a| a.photos.len())
    );
    if let Some(verdict) = done.verdict {
        out!("Đánh giá / rating: {} / {}", verdict.labels().0, verdict.labels().1);
    }
    Ok(())
}

/// A 64 x 48 picture of a street at night, its lamp dark, or lit once repaired.
fn street_light_png(lit: bool) -> Vec<u8> {
    let (width, height) = (64u32, 48u32);
    let mut pixels = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            let lamp = (x as i32 - 32).pow(2) + (y as i32 - 12).pow(2) < 30;
            let pixel = match (lamp, lit) {
                (true, true) => [255, 230, 140],
                (true, false) => [60, 60, 70],
                _ if y > 36 => [70, 70, 70],
                _ => [15, 20, 45],
            };
            pixels.extend(pixel);
        }
    }
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.write_header().and_then(|mut w| w.write_image_data(&pixels)).expect("encoding to memory");
    png
}

async fn tour(json: bool) -> Result<(), Error> {
    let temp = tempfile::tempdir()?;
    let data_dir = temp.path().join("data");
    step("1. Khởi động cổng thử nghiệm / starting the embedded sandbox portal");
    let sandbox_config = SandboxConfig::ephemeral(temp.path().join("sandbox.db"));
    let sandbox = Sandbox::start(sandbox_config.clone()).await.map_err(fail)?;
    let base = sandbox.base_url();
    out!("Sandbox: {base}   data dir: {}", data_dir.display());

    let progress = output::SyncProgressBar::new(!json);
    let services = Services::with_key_dir(data_dir.join("keys")).events(Arc::new(DemoEvents(progress.clone())));
    let mut config = Config::new(&base, &data_dir)?;
    // The embedded sandbox's receipt key is known here: pinned, never fetched.
    config.receipt_keys = vec![ReceiptKeyPin::parse(&sandbox.payments().receipt_key_pin())?];
    let core = SmartHd::open(config, services)?;

    step("2. Đồng bộ danh mục thủ tục / first full catalog sync");
    let report = core.sync().catalog().await?;
    progress.finish();
    output::sync_report(&report, &core.catalog().freshness()?, false);

    step("3. Tìm kiếm có dấu và không dấu / search with and without tone marks");
    for query in [
        "Đăng ký khai sinh",
        "dang ky khai sinh",
        "DANG KI KHAI SINH",
        "ly lich tu phap",
        "chung thuc ban sao",
        "hoa giai",
        "1.001193",
    ] {
        search(&core, query)?;
    }
    let fields = core.catalog().fields()?;
    let fields: Vec<String> = fields.iter().map(|f| format!("{} ({})", f.name, f.count)).collect();
    out!("\nLĩnh vực / fields: {}", fields.join(", "));

    step("4. Chi tiết thủ tục / a procedure in full");
    let birth = core.catalog().search("dang ky khai sinh", &SearchFilters::default(), PageRequest::default())?;
    let birth =
        birth.hits.first().map(|h| h.code.clone()).ok_or_else(|| Error::NotFound("Đăng ký khai sinh".into()))?;
    output::procedure(&core.catalog().procedure(&birth)?, false);

    step("5. Đồng bộ thay đổi / delta sync after the portal changes 5 procedures, then 304");
    let changed = sandbox.portal().mutate(5).map_err(fail)?;
    out!("Cổng đã sửa / the portal changed: {}", changed.join(", "));
    output::sync_report(&core.sync().catalog().await?, &core.catalog().freshness()?, false);
    output::sync_report(&core.sync().catalog().await?, &core.catalog().freshness()?, false);

    step("6. Đăng nhập VNeID / logging in (the demo's robot fills the sandbox's login page over HTTP)");
    let url = core
        .session()
        .begin_login(&smarthd_core::LoginOptions { level: 2, locale: Some("vi".into()), prompt: None })
        .await?;
    out!("Địa chỉ đăng nhập / authorization URL: {}…", &url[..url.len().min(90)]);
    let callback = robot::log_in(&url, &LEVEL2_CITIZEN).await.map_err(fail)?;
    let profile = core.session().complete_login(&callback).await?;
    output::profile(&profile, output::SessionCheck::Valid, false);

    step("7. Nộp hồ sơ / filling and submitting a birth registration dossier");
    let files = temp.path().join("files");
    std::fs::create_dir_all(&files)?;
    let id = filled_draft(&core, &birth, &files)?;
    core.dossiers().submit(&id)?;
    dossier::sync_report(&core.sync().now().await?, false);
    let code = core.dossiers().get(&id)?.code.ok_or_else(|| Error::Internal("no dossier code".into()))?;

    step("8. Cán bộ xử lý / the officer moves the dossier on; the resident is notified");
    robot::officer_set_status(&base, &code, "processing", None).await.map_err(fail)?;
    robot::officer_set_status(&base, &code, "result_ready", Some("Mời nhận kết quả tại Bộ phận Một cửa"))
        .await
        .map_err(fail)?;
    core.sync().now().await?;
    dossier::show(&core.dossiers().get(&id)?, false);
    let public = core.dossiers().lookup(&code).await?;
    out!("Tra cứu công khai / public lookup: {} — {}", printable(&public.code), public.status.label());

    step("9. Thanh toán lệ phí / paying a fee through the gateway (the robot clicks the gateway page)");
    let criminal_record =
        core.catalog().search("ly lich tu phap", &SearchFilters::default(), PageRequest::default())?;
    let paid_code = criminal_record
        .hits
        .iter()
        .map(|h| core.catalog().procedure(&h.code))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .find(|p| !p.fees.is_empty())
        .ok_or_else(|| Error::NotFound("a fee-paying procedure".into()))?;
    out!("Thủ tục có lệ phí / a procedure with a fee: {} ({})", printable(&paid_code.name), printable(&paid_code.code));
    let fee_dossier = filled_draft(&core, &paid_code.code, &files)?;
    core.dossiers().submit(&fee_dossier)?;
    core.sync().now().await?;
    let order =
        core.payments().pay(&fee_dossier, PaymentMethod::Gateway, "vn.gov.haiduong.smarthd:/payment-return").await?;
    out!("Cổng thanh toán / gateway URL: {}…", order.pay_url.as_deref().map(|u| &u[..u.len().min(90)]).unwrap_or(""));
    let landed =
        pay_at_gateway(order.pay_url.as_deref().unwrap_or_default(), &GatewayAction::Pay { bank: "NCB".into() })
            .await
            .map_err(fail)?;
    let paid = core.payments().handle_return(&landed).await?;
    crate::pay::show_order(&paid, false);
    let receipt_id = paid.receipt_id.clone().ok_or_else(|| Error::Internal("no receipt".into()))?;
    crate::pay::show_receipt(&core.payments().verify_receipt(&receipt_id)?, false);

    step("10. Phản ánh hiện trường / a field report: a broken street light, answered with proof, rated once");
    field_report(&core, &base, &files).await?;

    step("11. Mất mạng / the portal goes away: search works, the receipt verifies, a dossier waits");
    let addr = sandbox.addr();
    sandbox.stop().await;
    search(&core, "xac nhan tinh trang hon nhan")?;
    out!("\nBiên lai kiểm tra ngoại tuyến / the receipt, verified offline with the portal's cached key:");
    crate::pay::show_receipt(&core.payments().verify_receipt(&receipt_id)?, false);
    let offline = filled_draft(&core, &birth, &files)?;
    core.dossiers().submit(&offline)?;
    let report = core.sync().now().await?;
    out!("Hồ sơ chờ gửi / dossiers waiting: {}", report.outbox.pending);

    step("12. Có mạng lại / the portal is back: the queued dossier is delivered, once");
    let sandbox = Sandbox::start(SandboxConfig { addr, ..sandbox_config }).await.map_err(fail)?;
    dossier::sync_report(&core.sync().now().await?, false);
    dossier::show(&core.dossiers().get(&offline)?, false);
    sandbox.stop().await;
    out!("\nXong / done.");
    Ok(())
}
