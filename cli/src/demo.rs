//! `smarthd demo`: the main job. An embedded sandbox on an ephemeral loopback port, a fresh
//! temporary data dir, and a resident's path through the catalog, online then offline.

use smarthd_core::{CancelToken, Config, Error, PageRequest, SearchFilters, Services, SmartHd};
use smarthd_sandbox::{Sandbox, SandboxConfig};

use crate::output;

fn step(title: &str) {
    println!("\n━━ {title}");
}

fn search(core: &SmartHd, query: &str) -> Result<(), Error> {
    println!("\n» tìm / search: «{query}»");
    let page = core.search(query, &SearchFilters::default(), PageRequest { offset: 0, limit: 3 })?;
    for (i, hit) in page.hits.iter().enumerate() {
        println!("  {}. {}  [{}]", i + 1, hit.name, hit.code);
    }
    if page.hits.is_empty() {
        println!("  (không có kết quả / no results)");
    }
    Ok(())
}

pub async fn run() -> Result<(), Error> {
    let temp = tempfile::tempdir()?;
    let data_dir = temp.path().join("data");
    step("1. Khởi động cổng thử nghiệm / starting the embedded sandbox portal");
    let sandbox = Sandbox::start(SandboxConfig::ephemeral(temp.path().join("sandbox.db")))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
    println!("Sandbox: {}   data dir: {}", sandbox.base_url(), data_dir.display());

    let progress = output::SyncProgressBar::new(true);
    let services = Services::with_key_dir(data_dir.join("keys")).events(progress.clone());
    let core = SmartHd::open(Config::new(&sandbox.base_url(), &data_dir)?, services)?;

    step("2. Đồng bộ danh mục thủ tục / first full catalog sync");
    let report = core.sync_catalog(&CancelToken::new()).await?;
    progress.finish();
    output::sync_report(&report, &core.freshness()?, false);

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
    let fields = core.fields()?;
    println!(
        "\nLĩnh vực / fields: {}",
        fields.iter().map(|f| format!("{} ({})", f.name, f.count)).collect::<Vec<_>>().join(", ")
    );

    step("4. Chi tiết thủ tục / a procedure in full");
    let birth = core.search("dang ky khai sinh", &SearchFilters::default(), PageRequest::default())?;
    let code = birth.hits.first().map(|h| h.code.clone()).ok_or_else(|| Error::NotFound("Đăng ký khai sinh".into()))?;
    output::procedure(&core.procedure(&code)?, false);

    step("5. Đồng bộ thay đổi / delta sync after the portal changes 5 procedures, then 304");
    let changed = sandbox.portal().mutate(5).map_err(|e| Error::Internal(e.to_string()))?;
    println!("Cổng đã sửa / the portal changed: {}", changed.join(", "));
    let delta = core.sync_catalog(&CancelToken::new()).await?;
    output::sync_report(&delta, &core.freshness()?, false);
    let again = core.sync_catalog(&CancelToken::new()).await?;
    output::sync_report(&again, &core.freshness()?, false);

    step("6. Mất mạng / the portal goes away: search keeps working offline");
    sandbox.stop().await;
    match core.sync_catalog(&CancelToken::new()).await {
        Err(e) => println!("Đồng bộ thất bại như dự kiến / sync fails as expected: {e}"),
        Ok(_) => println!("(unexpected: sync succeeded with the sandbox stopped)"),
    }
    search(&core, "dang ky khai sinh")?;
    search(&core, "xac nhan tinh trang hon nhan")?;
    println!("\nXong / done.");
    Ok(())
}
