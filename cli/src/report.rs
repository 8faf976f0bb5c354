//! `smarthd report new|photo|submit|show|rate|categories`, `reports`, `feed`: field reports
//! (phản ánh hiện trường) from the terminal. Drafting works offline; `smarthd sync` sends.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use smarthd_core::report::{GeoPoint, PublicReport, ReportCategory, ReportVerdict, Urgency};
use smarthd_core::{Error, FeedQuery, Report, ReportDraft, SmartHd};

use crate::failure::{self, Failure};
use crate::output::{printable, when};

#[derive(Subcommand)]
pub enum ReportCommand {
    /// Draft a report: what, where (GPS), the category, and photos; `report submit` queues it.
    #[command(after_help = "Ví dụ / Example:\n  smarthd report new --category chieu_sang --lat 20.82 --lon 106.22 \
                            --text \"Đèn đường hỏng\" --photo den.jpg")]
    New {
        /// The category's code, as `smarthd report categories` lists them.
        #[arg(long)]
        category: String,
        /// Latitude of the place, degrees (WGS 84).
        #[arg(long, allow_negative_numbers = true)]
        lat: f64,
        /// Longitude of the place, degrees (WGS 84).
        #[arg(long, allow_negative_numbers = true)]
        lon: f64,
        /// What is wrong, in your words (1 to 2,000 characters).
        #[arg(long)]
        text: String,
        /// A photo of the place (JPEG or PNG; up to 5; metadata such as GPS is removed).
        #[arg(long, value_name = "FILE")]
        photo: Vec<PathBuf>,
        /// Helps the agency find the place ("trước số nhà 12"); never published.
        #[arg(long, value_name = "NOTE")]
        address_note: Option<String>,
        /// Urgent (khẩn cấp): danger to people or property.
        #[arg(long)]
        urgent: bool,
        /// Let the handling agency see who reported (the operations centre always can).
        #[arg(long)]
        share_identity: bool,
    },
    /// Add a photo to a draft.
    #[command(after_help = "Ví dụ / Example:\n  smarthd report photo 3f2a den-2.jpg")]
    Photo {
        /// The report's id (or its first characters).
        id: String,
        /// The photo (JPEG or PNG).
        file: PathBuf,
    },
    /// Queue a draft for sending (durable; `smarthd sync` sends it, now or when online).
    #[command(after_help = "Ví dụ / Example:\n  smarthd report submit 3f2a")]
    Submit {
        /// The report's id (or its first characters).
        id: String,
    },
    /// One report: its progress, deadlines, the answer and its proof.
    #[command(after_help = "Ví dụ / Example:\n  smarthd report show PA-2026-000001")]
    Show {
        /// The report's code, id, or the id's first characters.
        id: String,
    },
    /// Rate the answer, once (queued and sent like a report).
    #[command(after_help = "Ví dụ / Example:\n  smarthd report rate PA-2026-000001 --verdict satisfied")]
    Rate {
        /// The report's code, id, or the id's first characters.
        id: String,
        /// Your verdict on the answer.
        #[arg(long, value_enum)]
        verdict: VerdictArg,
    },
    /// The categories the portal takes (fetched when online), each with its agency.
    #[command(after_help = "Ví dụ / Example:\n  smarthd report categories")]
    Categories,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum VerdictArg {
    /// Hài lòng / satisfied.
    Satisfied,
    /// Chấp nhận được / acceptable.
    Acceptable,
    /// Không hài lòng / not satisfied.
    NotSatisfied,
}

impl From<VerdictArg> for ReportVerdict {
    fn from(verdict: VerdictArg) -> ReportVerdict {
        match verdict {
            VerdictArg::Satisfied => ReportVerdict::Satisfied,
            VerdictArg::Acceptable => ReportVerdict::Acceptable,
            VerdictArg::NotSatisfied => ReportVerdict::NotSatisfied,
        }
    }
}

/// The report `given` names: its id, its portal code, or the first characters (at least 4) of
/// its id.
fn resolve(core: &SmartHd, given: &str) -> Result<String, Error> {
    let given = given.trim();
    let reports = core.reports().list()?;
    if let Some(r) =
        reports.iter().find(|r| r.id == given || r.code.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(given)))
    {
        return Ok(r.id.clone());
    }
    let matching: Vec<&str> =
        reports.iter().filter(|r| given.len() >= 4 && r.id.starts_with(given)).map(|r| r.id.as_str()).collect();
    match matching.as_slice() {
        [one] => Ok((*one).to_owned()),
        [] => Err(Error::NotFound(format!("report {given}"))),
        _ => Err(Error::Validation {
            field: "id".into(),
            reason: format!("nhiều phản ánh bắt đầu bằng {given} / several reports start with {given}"),
        }),
    }
}

pub async fn run(core: &SmartHd, command: &ReportCommand, json: bool) -> Result<(), Failure> {
    let reports = core.reports();
    match command {
        ReportCommand::New { category, lat, lon, text, photo, address_note, urgent, share_identity } => {
            let location = GeoPoint { lat: *lat, lon: *lon };
            // Fetched when never fetched, or when the place is in no commune kept (the
            // boundaries missing, or older than a new commune).
            if (reports.categories()?.is_empty() || reports.commune_at(location)?.is_none())
                && let Err(error) = reports.refresh_published().await
            {
                tracing::debug!("report categories not fetched: {error}");
            }
            let draft = ReportDraft {
                category: category.clone(),
                text: text.clone(),
                location,
                address_note: address_note.clone(),
                urgency: if *urgent { Urgency::Urgent } else { Urgency::Normal },
                share_identity: *share_identity,
            };
            let mut report = reports.create(&draft)?;
            for file in photo {
                report = match reports.add_photo(&report.id, file) {
                    Ok(report) => report,
                    Err(error) => {
                        // A draft that lost a photo is not what the resident asked for.
                        let _ = reports.delete_draft(&report.id);
                        return Err(failure::at_file(file)(error));
                    }
                };
            }
            show(&report, json);
        }
        ReportCommand::Photo { id, file } => {
            let id = resolve(core, id)?;
            show(&reports.add_photo(&id, file).map_err(failure::at_file(file))?, json);
        }
        ReportCommand::Submit { id } => show(&reports.submit(&resolve(core, id)?)?, json),
        ReportCommand::Show { id } => {
            // Online, the latest progress first; offline, what was kept.
            if let Err(error) = reports.sync().await {
                tracing::debug!("reports not refreshed: {error}");
            }
            show(&reports.get(&resolve(core, id)?)?, json);
        }
        ReportCommand::Rate { id, verdict } => show(&reports.rate(&resolve(core, id)?, (*verdict).into())?, json),
        ReportCommand::Categories => {
            if let Err(error) = reports.refresh_published().await {
                tracing::debug!("report categories not refreshed: {error}");
            }
            categories(&reports.categories()?, json);
        }
    }
    Ok(())
}

/// `smarthd reports`: the resident's reports, refreshed when online.
pub async fn list(core: &SmartHd, json: bool) -> Result<(), Failure> {
    if let Err(error) = core.reports().sync().await {
        tracing::debug!("reports not refreshed: {error}");
    }
    let reports = core.reports().list()?;
    if json {
        crate::output::json(&reports);
        return Ok(());
    }
    if reports.is_empty() {
        out!("Chưa có phản ánh nào / no reports yet");
    }
    for r in &reports {
        let (vi, en) = r.state.labels();
        let code = r.code.as_deref().map_or_else(|| "-".into(), printable);
        out!("{:<16} {:<8} {}  [{vi} / {en}]  {}", code, &r.id[..8], when(&r.created_at), printable(&excerpt(&r.text)));
    }
    Ok(())
}

/// `smarthd feed`: handled reports the city publishes.
pub async fn feed(
    core: &SmartHd,
    near: Option<&str>,
    radius: Option<f64>,
    commune: Option<&str>,
    json: bool,
) -> Result<(), Failure> {
    let near = match near {
        None => None,
        Some(text) => Some(
            text.split_once(',')
                .and_then(|(lat, lon)| Some(GeoPoint { lat: lat.trim().parse().ok()?, lon: lon.trim().parse().ok()? }))
                .ok_or_else(|| Error::Validation {
                    field: "near".into(),
                    reason: format!("{text}: cần dạng VĨ_ĐỘ,KINH_ĐỘ / expected LAT,LON"),
                })?,
        ),
    };
    let query = FeedQuery { near, radius_m: radius, commune_code: commune.map(str::to_owned), limit: None };
    let items = core.reports().feed(&query).await?;
    public(&items, json);
    Ok(())
}

fn excerpt(text: &str) -> String {
    let mut short: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        short.push('…');
    }
    short
}

fn show(r: &Report, json: bool) {
    if json {
        return crate::output::json(r);
    }
    let (vi, en) = r.state.labels();
    out!(
        "Phản ánh / report {}  {}",
        r.code.as_deref().map_or_else(|| "(chưa có mã / no code yet)".into(), printable),
        r.id
    );
    out!("  Trạng thái / status: {vi} / {en}");
    if let Some(problem) = &r.problem {
        out!("  Lưu ý / note: {}", printable(problem));
    }
    out!("  Lĩnh vực / category: {}", printable(&r.category));
    out!("  Nội dung / text: {}", printable(&r.text));
    out!(
        "  Vị trí / place: {:.5}, {:.5}{}",
        r.location.lat,
        r.location.lon,
        r.commune_code.as_deref().map(|c| format!(" (xã, phường / commune {c})")).unwrap_or_default()
    );
    out!("  Ảnh / photos: {}", r.photos.len());
    if let Some(by) = &r.accept_by {
        out!("  Hạn tiếp nhận / to be checked by: {}", when(by));
    }
    if let Some(by) = &r.handle_by {
        out!("  Hạn xử lý / to be handled by: {}", when(by));
    }
    if let Some(agency) = &r.agency {
        out!("  Đơn vị xử lý / agency: {}", printable(agency));
    }
    if let Some(reason) = r.reject_reason {
        let (vi, en) = reason.labels();
        out!("  Lý do từ chối / refused because: {vi} / {en}");
    }
    if let Some(answer) = &r.answer {
        out!(
            "  Trả lời / answer ({}, {}): {}",
            printable(&answer.agency),
            when(&answer.at),
            printable(&answer.message)
        );
        out!("  Ảnh kết quả / proof photos: {}", answer.photos.len());
    }
    match (r.verdict, r.rating_queued) {
        (Some(v), _) => out!("  Đánh giá / rating: {} / {}", v.labels().0, v.labels().1),
        (None, Some(v)) => out!("  Đánh giá (chờ gửi) / rating (to be sent): {} / {}", v.labels().0, v.labels().1),
        (None, None) => {}
    }
}

fn categories(list: &[ReportCategory], json: bool) {
    if json {
        return crate::output::json(list);
    }
    if list.is_empty() {
        out!("Chưa tải danh mục, hãy kết nối mạng / the categories are not downloaded yet: connect once");
    }
    for c in list {
        out!("{:<18} {} / {}  — {}", c.code, printable(&c.name), printable(&c.name_en), printable(&c.agency));
        if let Some(goes_to) = c.goes_to.as_deref().filter(|_| !c.in_scope) {
            out!("{:<18} không nhận qua phản ánh / not a field report: {}", "", printable(goes_to));
        }
    }
}

fn public(items: &[PublicReport], json: bool) {
    if json {
        return crate::output::json(items);
    }
    if items.is_empty() {
        out!("Chưa có phản ánh đã xử lý ở đây / no handled reports here yet");
    }
    for r in items {
        let place = r.commune_name.as_deref().unwrap_or("-");
        out!(
            "{}  {}  {}  [{}]",
            printable(&r.code),
            when(&r.created_at),
            printable(place),
            printable(&r.category_name)
        );
        out!("    {}", printable(&excerpt(&r.text)));
        out!("    ↳ {}: {}", printable(&r.answer.agency), printable(&excerpt(&r.answer.message)));
    }
}
