//! The catalog against the real sandbox over loopback: sync (full, delta, 304, interrupted),
//! Vietnamese search, filters, code lookup, and offline reads.

use std::sync::Arc;

use smarthd_core::catalog::model::{Level, OnlineLevel, ProcedureStatus};
use smarthd_core::{ErrorKind, Event, EventListener, PageRequest, SearchFilters, SyncOutcome};
use smarthd_tests::{Recorder, World};
use unicode_normalization::UnicodeNormalization;

const SIZE: usize = 1_900;

fn names(core: &smarthd_core::SmartHd, query: &str) -> Vec<String> {
    core.catalog()
        .search(query, &SearchFilters::default(), PageRequest { offset: 0, limit: 10 })
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.name)
        .collect()
}

fn codes(core: &smarthd_core::SmartHd, query: &str, limit: u32) -> Vec<String> {
    core.catalog()
        .search(query, &SearchFilters::default(), PageRequest { offset: 0, limit })
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.code)
        .collect()
}

/// A pasted 100 KB query used to take minutes and hundreds of MB: the search box takes at most
/// 200 characters and 16 words, and says so.
#[tokio::test]
async fn overlong_search_input_is_a_validation_error() {
    let world = World::new(300).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let search = |query: &str| core.catalog().search(query, &SearchFilters::default(), PageRequest::default());
    let many_words = vec!["khai"; 17].join(" ");
    let pasted = "đăng ký khai sinh ".repeat(100_000 / 18);
    for (query, says) in [("a".repeat(201), "200"), (many_words, "16 words"), (pasted, "200")] {
        let err = search(&query).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);
        assert!(err.to_string().contains(says), "{err}");
    }
    assert!(search(&vec!["khai"; 16].join(" ")).is_ok(), "16 words are within the cap");
    assert_eq!(search("dang ky khai sinh").unwrap().hits[0].name, "Đăng ký khai sinh");
}

#[tokio::test]
async fn full_sync_then_vietnamese_search_finds_the_exact_name_first() {
    let world = World::new(SIZE).await;
    let recorder = Arc::new(Recorder::default());
    let core = world.core_with(recorder.clone());
    let report = core.sync().catalog().await.unwrap();
    assert_eq!(report.outcome, SyncOutcome::Updated);
    assert_eq!(report.upserted, SIZE as u64);
    assert_eq!(report.pages, SIZE.div_ceil(smarthd_core::sync::PAGE_SIZE as usize) as u32);

    let events = recorder.0.lock().unwrap().clone();
    assert_eq!(events.len(), report.pages as usize, "one progress event per page");
    assert_eq!(events.last(), Some(&Event::CatalogSyncProgress { done: SIZE as u64, total: SIZE as u64 }));

    let nfd: String = "Đăng ký khai sinh".nfd().collect();
    for query in ["dang ky khai sinh", "Đăng ký khai sinh", "ĐĂNG KÝ KHAI SINH", "dang ki khai sinh", nfd.as_str()]
    {
        let found = names(&core, query);
        assert_eq!(found.first().map(String::as_str), Some("Đăng ký khai sinh"), "query {query:?} gave {found:?}");
    }
    // Longer names that contain the query come after it.
    let found = names(&core, "dang ky khai sinh");
    assert!(found.iter().any(|n| n == "Đăng ký khai sinh có yếu tố nước ngoài"), "{found:?}");

    let freshness = core.catalog().freshness().unwrap();
    assert!(freshness.complete && freshness.last_success_at.is_some());
    // Folded as the pages came (beside the writes), the WAL is emptied when the sync ends.
    let wal = std::fs::metadata(world.data_dir().join("catalog.db-wal")).unwrap();
    assert_eq!(wal.len(), 0, "the WAL is folded when the sync ends");
}

#[tokio::test]
async fn every_spelling_of_a_query_finds_the_same_procedures() {
    let world = World::new(SIZE).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let groups: &[&[&str]] = &[
        &["hoà giải", "hòa giải", "hoa giai", "HOÀ GIẢI"],
        &["thuỷ sản", "thủy sản", "thuy san", "thui san"],
        &["sức khoẻ", "sức khỏe", "suc khoe"],
        &["lý lịch tư pháp", "lí lịch tư pháp", "ly lich tu phap", "li lich tu phap"],
        &["đất đai", "dat dai", "Đất Đai"],
    ];
    for group in groups {
        let first = codes(&core, group[0], 200);
        assert!(!first.is_empty(), "{:?} finds something", group[0]);
        for spelling in &group[1..] {
            assert_eq!(codes(&core, spelling, 200), first, "{spelling:?} vs {:?}", group[0]);
        }
        let nfd: String = group[0].nfd().collect();
        assert_eq!(codes(&core, &nfd, 200), first, "NFD {:?}", group[0]);
    }
    // Names stored in NFD by the portal are found and displayed in NFC.
    let hits =
        core.catalog().search("a", &SearchFilters::default(), PageRequest { offset: 0, limit: 200 }).unwrap().hits;
    assert!(hits.iter().all(|h| h.name.nfc().eq(h.name.chars())), "display names are NFC");
}

#[tokio::test]
async fn code_lookup_exact_with_suffix_and_prefix() {
    let world = World::new(SIZE).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let birth =
        &core.catalog().search("Đăng ký khai sinh", &SearchFilters::default(), PageRequest::default()).unwrap().hits[0];
    let national = birth.code.rsplit_once('.').unwrap().0.to_owned();
    assert_eq!(codes(&core, &national, 5)[0], birth.code, "national code without the local suffix");
    assert_eq!(codes(&core, &birth.code, 5)[0], birth.code, "code with the suffix");
    assert_eq!(codes(&core, &birth.code.to_lowercase(), 5)[0], birth.code, "suffix in lower case");
    let prefix = &national[..5];
    let found = codes(&core, prefix, 50);
    assert!(!found.is_empty());
    assert!(found.iter().all(|c| c.starts_with(prefix)), "{found:?}");
    assert_eq!(core.catalog().procedure(&national).unwrap().code, birth.code);
}

#[tokio::test]
async fn filters_narrow_results() {
    let world = World::new(SIZE).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let all = PageRequest { offset: 0, limit: 200 };
    let commune = SearchFilters { level: Some(Level::Commune), ..Default::default() };
    let hits = core.catalog().search("dang ky", &commune, all).unwrap().hits;
    assert!(!hits.is_empty() && hits.iter().all(|h| h.level == Level::Commune));
    let full_online = SearchFilters { online_level: Some(OnlineLevel::Full), ..Default::default() };
    let hits = core.catalog().search("cap", &full_online, all).unwrap().hits;
    assert!(!hits.is_empty() && hits.iter().all(|h| h.online == OnlineLevel::Full));
    let field = core.catalog().fields().unwrap().into_iter().find(|f| f.name == "Hộ tịch").expect("field Hộ tịch");
    let by_field = SearchFilters { field: Some(field.name.clone()), ..Default::default() };
    let mut browsed = Vec::new();
    let mut offset = 0;
    loop {
        let page = core.catalog().search("", &by_field, PageRequest { offset, limit: 100 }).unwrap();
        browsed.extend(page.hits);
        if !page.has_more {
            break;
        }
        offset += 100;
    }
    assert_eq!(browsed.len() as u32, field.count, "browsing a field pages through all of it");
    assert!(browsed.iter().all(|h| h.field == "Hộ tịch"));
    let nothing = SearchFilters { agency: Some("Không có cơ quan này".into()), ..Default::default() };
    assert!(core.catalog().search("dang ky", &nothing, all).unwrap().hits.is_empty());
}

#[tokio::test]
async fn no_user_input_makes_search_fail() {
    let world = World::new(200).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    for input in [
        "\"",
        "\"\"",
        "*",
        "dang*",
        "NEAR(dang ky)",
        "name:dang",
        "dang OR",
        "AND",
        "(",
        ")",
        "-",
        "^a",
        "'",
        "1.",
        "1..2",
        ".",
        "đ\"ăng",
        "{}",
        "[]",
        "%",
        "_",
        "\\",
        "\u{0}",
        "   ",
        "",
        "🙂",
        "a\u{301}\u{301}",
        "dang\" OR name MATCH \"x",
        // The longest search allowed (longer is a validation error, tested below).
        &"đ".repeat(smarthd_core::catalog::search::MAX_QUERY_CHARS),
    ] {
        assert!(
            core.catalog().search(input, &SearchFilters::default(), PageRequest::default()).is_ok(),
            "input {input:?} made search fail"
        );
    }
}

#[tokio::test]
async fn delta_sync_applies_changes_removals_and_replacements_then_304() {
    let world = World::new(SIZE).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let portal = world.sandbox.portal();

    let changed = portal.mutate(50).unwrap();
    assert_eq!(changed.len(), 50);
    let delta = core.sync().catalog().await.unwrap();
    assert_eq!((delta.outcome, delta.upserted, delta.removed, delta.pages), (SyncOutcome::Updated, 50, 0, 1));
    for code in &changed {
        let served: serde_json::Value = serde_json::from_str(&portal.procedure(code).unwrap().unwrap()).unwrap();
        let cached = serde_json::to_value(core.catalog().procedure(code).unwrap()).unwrap();
        assert_eq!(cached["updated_at"], served["updated_at"], "{code} is current");
        assert_eq!(cached["processing_time"], served["processing_time"], "{code} is current");
    }
    // The changed procedures are in the search index again, under each of their columns.
    let raw = rusqlite::Connection::open(world.data_dir().join("catalog.db")).unwrap();
    for code in &changed {
        let procedure = core.catalog().procedure(code).unwrap();
        let columns = [
            ("name", Some(procedure.name.as_str())),
            ("name_en", procedure.name_en.as_deref()),
            ("field", Some(procedure.field.as_str())),
            ("agency", Some(procedure.processing_agency.as_str())),
            ("code", Some(code.as_str())),
        ];
        for (column, text) in columns {
            let Some(text) = text else { continue };
            let key = smarthd_core::catalog::search::name_key(text);
            let words: Vec<String> = key.split(' ').map(|t| format!("\"{t}\"")).collect();
            let indexed: i64 = raw
                .query_row(
                    "SELECT count(*) FROM procedure_fts f JOIN procedure p ON p.fts_rowid = f.rowid
                     WHERE procedure_fts MATCH ?1 AND p.code = ?2",
                    [format!("{column}: ({})", words.join(" ")), code.clone()],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(indexed, 1, "{code} is found by its {column}");
        }
    }

    // A removal and a replacement.
    let [gone, old, new] = [&changed[0], &changed[1], &changed[2]];
    portal.remove(gone).unwrap().unwrap();
    portal.replace(old, new).unwrap().unwrap();
    let delta = core.sync().catalog().await.unwrap();
    assert_eq!((delta.upserted, delta.removed), (1, 1));
    assert_eq!(core.catalog().procedure(gone).unwrap_err().kind(), ErrorKind::NotFound);
    let replaced = core.catalog().procedure(old).unwrap();
    assert_eq!(replaced.status, ProcedureStatus::Replaced);
    assert_eq!(replaced.replaced_by.as_deref(), Some(new.as_str()));
    let all = PageRequest { offset: 0, limit: 200 };
    let hits = core.catalog().search(&replaced.name, &SearchFilters::default(), all).unwrap().hits;
    assert!(hits.iter().all(|h| h.code != *old), "a replaced procedure is hidden from residents");
    assert!(core.catalog().search(old, &SearchFilters::default(), all).unwrap().hits.iter().all(|h| h.code != *old));

    // An unchanged catalog notes both feeds as checked (the freshness the app shows).
    raw.execute("UPDATE sync_state SET last_success_at = '2020-01-01T00:00:00Z'", []).unwrap();
    let again = core.sync().catalog().await.unwrap();
    assert_eq!(again.outcome, SyncOutcome::NotModified);
    assert_eq!(again.upserted, 0);
    let stale: Vec<String> = raw
        .prepare("SELECT feed FROM sync_state WHERE last_success_at < '2021'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(stale, Vec::<String>::new(), "every unchanged feed is noted");
    assert_eq!(raw.query_row("SELECT count(*) FROM sync_state", [], |r| r.get::<_, i64>(0)).unwrap(), 2);
}

#[tokio::test]
async fn generated_replaced_and_expired_records_are_hidden() {
    let world = World::new(SIZE).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let in_force = core.catalog().freshness().unwrap().procedures as usize;
    assert!(in_force < SIZE, "the generator makes some replaced or expired records");
    let mut seen = 0;
    let mut offset = 0;
    loop {
        let page = core.catalog().search("", &SearchFilters::default(), PageRequest { offset, limit: 200 }).unwrap();
        for hit in &page.hits {
            assert_eq!(core.catalog().procedure(&hit.code).unwrap().status, ProcedureStatus::InForce);
        }
        seen += page.hits.len();
        if !page.has_more {
            break;
        }
        offset += 200;
    }
    assert_eq!(seen, in_force);
}

/// Tells the test when the first page is committed, so it can drop the sync there, as an app
/// killed or cancelled mid-sync would stop.
struct FirstPage(tokio::sync::Notify);

impl EventListener for FirstPage {
    fn on_event(&self, _event: Event) {
        self.0.notify_one();
    }
}

#[tokio::test]
async fn an_interrupted_sync_resumes_where_it_stopped() {
    let world = World::new(SIZE).await;
    let stored_before = {
        let first_page = Arc::new(FirstPage(tokio::sync::Notify::new()));
        let core = world.core_with(first_page.clone());
        // Dropping the sync's future is how it is cancelled: it stops at its next await.
        let sync = core.sync();
        tokio::select! {
            biased;
            () = first_page.0.notified() => {}
            result = sync.catalog() => panic!("the sync was not stopped: {result:?}"),
        }
        let freshness = core.catalog().freshness().unwrap();
        assert!(!freshness.complete);
        assert!(freshness.procedures > 0 && (freshness.procedures as usize) < SIZE);
        core.catalog().search("", &SearchFilters::default(), PageRequest { offset: 0, limit: 1 }).unwrap().hits[0]
            .clone()
    };
    // The app restarts: a new core on the same data dir.
    let recorder = Arc::new(Recorder::default());
    let core = world.core_with(recorder.clone());
    let report = core.sync().catalog().await.unwrap();
    let page = smarthd_core::sync::PAGE_SIZE as usize;
    assert_eq!(report.upserted, (SIZE - page) as u64, "only what was not committed is fetched again");
    let first = recorder.0.lock().unwrap()[0].clone();
    assert_eq!(first, Event::CatalogSyncProgress { done: page as u64, total: (SIZE - page) as u64 });
    let freshness = core.catalog().freshness().unwrap();
    assert!(freshness.complete);
    let hits = core.catalog().search("", &SearchFilters::default(), PageRequest { offset: 0, limit: 1 }).unwrap();
    assert!(!hits.hits.is_empty());
    // The search index, built once at the end of the first fill, covers the pages stored
    // before the stop as well as those after it.
    let found_by_part_of_its_name =
        |code: &str| finds(&core, &part_of_name(&core.catalog().procedure(code).unwrap().name), code);
    assert!(found_by_part_of_its_name(&stored_before.code), "{stored_before:?}");
    let browsed = all_pages(&core, "", &SearchFilters::default(), 100);
    let last = browsed.last().unwrap().0.last().unwrap();
    assert!(found_by_part_of_its_name(last), "{last}");
    assert_eq!(core.sync().catalog().await.unwrap().outcome, SyncOutcome::NotModified);
}

/// The index of a first fill is built in chunks of rows (in the order of `fts_rowid`: shortest
/// names first); the procedures at both ends of that order are found, so no chunk is left out.
#[tokio::test]
async fn the_first_fill_indexes_every_procedure() {
    let world = World::new(SIZE).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let raw = rusqlite::Connection::open(world.data_dir().join("catalog.db")).unwrap();
    for order in ["ASC", "DESC"] {
        let (code, name): (String, String) = raw
            .query_row(&format!("SELECT code, name FROM procedure ORDER BY fts_rowid {order} LIMIT 1"), [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        let part = part_of_name(&name);
        assert!(finds(&core, &part, &code), "{code} ({name}) is found by {part:?}");
    }
}

/// The last page of a first fill is committed before the search index is built (in
/// transactions of its own, to keep the sync's memory small). An app stopped in between finds
/// an incomplete copy with every procedure and no index; the next sync builds the index.
#[tokio::test]
async fn a_sync_stopped_before_the_index_is_built_builds_it_next_time() {
    let world = World::new(SIZE).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let code = core.catalog().search("", &SearchFilters::default(), PageRequest { offset: 0, limit: 1 }).unwrap().hits
        [0]
    .code
    .clone();
    let part = part_of_name(&core.catalog().procedure(&code).unwrap().name);
    drop(core);
    // What the last page's commit leaves: every procedure, the cursor at the end, no index.
    let raw = rusqlite::Connection::open(world.data_dir().join("catalog.db")).unwrap();
    raw.execute("INSERT INTO procedure_fts (procedure_fts) VALUES ('delete-all')", []).unwrap();
    raw.execute("UPDATE sync_state SET complete = 0, etag = NULL WHERE feed = 'procedures'", []).unwrap();
    drop(raw);

    let core = world.core();
    assert!(!finds(&core, &part, &code), "the index was emptied");
    let report = core.sync().catalog().await.unwrap();
    assert_eq!((report.outcome, report.upserted), (SyncOutcome::Updated, 0), "nothing is fetched again");
    assert!(core.catalog().freshness().unwrap().complete);
    assert!(finds(&core, &part, &code), "{code} is found by {part:?} again");
    assert_eq!(core.sync().catalog().await.unwrap().outcome, SyncOutcome::NotModified);
}

/// What the file looked like at each page of a sync: its journal mode (byte 18 of the header:
/// 1 for a rollback journal, 2 for WAL), the WAL's length, and the procedures a reader sees.
/// A read transaction another connection holds, if any, ends at the first page.
struct FileAtEachPage {
    dir: std::path::PathBuf,
    seen: std::sync::Mutex<Vec<(u8, u64, i64)>>,
    reading: std::sync::Mutex<Option<rusqlite::Connection>>,
}

impl FileAtEachPage {
    fn new(dir: std::path::PathBuf) -> Arc<FileAtEachPage> {
        Arc::new(FileAtEachPage { dir, seen: Default::default(), reading: Default::default() })
    }
}

impl EventListener for FileAtEachPage {
    fn on_event(&self, _event: Event) {
        if let Some(other) = self.reading.lock().unwrap().take() {
            other.execute_batch("COMMIT").unwrap();
        }
        let db = self.dir.join("catalog.db");
        let mode = std::fs::read(&db).unwrap()[18];
        let wal = std::fs::metadata(self.dir.join("catalog.db-wal")).map_or(0, |m| m.len());
        let reader = rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let stored = reader.query_row("SELECT count(*) FROM procedure", [], |r| r.get(0)).unwrap();
        self.seen.lock().unwrap().push((mode, wal, stored));
    }
}

/// A first fill writes each page once, into the file (a rollback journal, no WAL), and is
/// readable page by page; the complete copy is back in WAL mode, so later syncs never make a
/// search wait. While another connection reads the file the fill goes through the WAL.
#[tokio::test]
async fn a_first_fill_writes_the_file_without_the_wal_and_ends_in_wal() {
    let world = World::new(SIZE).await;
    let pages = SIZE.div_ceil(smarthd_core::sync::PAGE_SIZE as usize);
    let watch = FileAtEachPage::new(world.data_dir());
    let core = world.core_with(watch.clone());
    assert_eq!(core.sync().catalog().await.unwrap().upserted, SIZE as u64);
    let seen = watch.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), pages);
    for (page, &(mode, wal, stored)) in seen.iter().enumerate() {
        // The last page's event comes once the copy is complete, and back in WAL mode.
        let expected = if page + 1 < pages { 1 } else { 2 };
        assert_eq!((mode, wal), (expected, 0), "page {page} was written into the file, not the WAL");
        let page_size = smarthd_core::sync::PAGE_SIZE as i64;
        assert_eq!(stored, ((page as i64 + 1) * page_size).min(SIZE as i64), "each page is seen once committed");
    }
    assert_eq!(std::fs::read(world.data_dir().join("catalog.db")).unwrap()[18], 2, "the copy is in WAL mode");
    assert!(core.catalog().freshness().unwrap().complete);
    assert_eq!(names(&core, "dang ky khai sinh").first().map(String::as_str), Some("Đăng ký khai sinh"));
    drop(core);

    // Another process reads the file as the next fill starts: the fill cannot leave WAL, and
    // its first page goes through it; the second, once the read is over, does not.
    let world = World::new(300).await;
    let watch = FileAtEachPage::new(world.data_dir());
    let core = world.core_with(watch.clone());
    let other = rusqlite::Connection::open(world.data_dir().join("catalog.db")).unwrap();
    other.execute_batch("BEGIN; SELECT count(*) FROM sqlite_master;").unwrap();
    *watch.reading.lock().unwrap() = Some(other);
    assert_eq!(core.sync().catalog().await.unwrap().upserted, 300);
    let seen = watch.seen.lock().unwrap().clone();
    assert_eq!(seen.iter().map(|s| s.0).collect::<Vec<_>>(), [2, 1, 2], "WAL while the other read, then not");
    assert!(seen[0].1 > 0, "the first page went into the WAL");
    assert!(core.catalog().freshness().unwrap().complete);
    assert_eq!(codes(&core, "khai sinh", 1).len(), 1);
}

/// A fill is synced only when it completes. After an unclean stop of the app alone (the marker
/// written in this boot) the journal has kept the file whole and the fill resumes; after a stop
/// of the system (another boot) what the fill wrote may be lost in any order, so it starts
/// over. A complete copy is kept either way.
#[tokio::test]
async fn a_fill_cut_by_a_system_stop_starts_over_one_cut_by_the_app_resumes() {
    let world = World::new(SIZE).await;
    let marker = world.data_dir().join("catalog.db.open");
    let this_boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap();
    let page = smarthd_core::sync::PAGE_SIZE as u64;
    let stored = || {
        let raw = rusqlite::Connection::open(world.data_dir().join("catalog.db")).unwrap();
        raw.query_row("SELECT count(*) FROM procedure", [], |r| r.get::<_, i64>(0)).unwrap() as u64
    };
    let first_page = Arc::new(FirstPage(tokio::sync::Notify::new()));
    let core = world.core_with(first_page.clone());
    stop_after_first_page(&core, &first_page).await;
    drop(core);
    // The app was killed after the first page's commit (this boot's marker is left behind).
    std::fs::write(&marker, &this_boot).unwrap();
    let core = world.core_with(first_page.clone());
    assert_eq!(stored(), page, "the first page is kept");
    stop_after_first_page(&core, &first_page).await;
    drop(core);
    assert_eq!(stored(), 2 * page, "the fill resumed after it");
    // The system went down after the second page's commit.
    std::fs::write(&marker, "another boot").unwrap();
    let core = world.core();
    assert_eq!(stored(), 0, "the unsynced fill is dropped");
    assert_eq!(core.sync().catalog().await.unwrap().upserted, SIZE as u64, "the fill starts over");
    drop(core);
    std::fs::write(&marker, "another boot").unwrap();
    let core = world.core();
    assert_eq!(stored(), SIZE as u64, "a complete copy is kept");
    assert_eq!(core.sync().catalog().await.unwrap().outcome, SyncOutcome::NotModified);
}

/// Syncs until the first page is committed, then stops the sync (drops its future).
/// While the sync stores a page, the next one is made ready and the one after it is asked for:
/// never more (at most three pages in memory), never less (the portal's answer travels while
/// a page is made ready). Checked at the portal's door, with the sync held inside its first
/// page's progress event.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sync_asks_for_the_page_after_next_and_no_further() {
    struct HeldAtFirstPage {
        held: std::sync::Mutex<Option<(std::sync::mpsc::Sender<()>, std::sync::mpsc::Receiver<()>)>>,
    }
    impl EventListener for HeldAtFirstPage {
        fn on_event(&self, _event: Event) {
            if let Some((held, go)) = self.held.lock().unwrap().take() {
                held.send(()).unwrap();
                go.recv().unwrap();
            }
        }
    }
    let world = World::new(SIZE).await;
    let (asked, base) = counting_proxy(&world.sandbox.base_url(), b"GET /api/v1/catalog/changes?").await;
    let ((held_tx, held_rx), (go_tx, go_rx)) = (std::sync::mpsc::channel(), std::sync::mpsc::channel());
    let listener = Arc::new(HeldAtFirstPage { held: std::sync::Mutex::new(Some((held_tx, go_rx))) });
    let core = smarthd_core::SmartHd::open(
        smarthd_core::Config::new(&base, world.data_dir()).unwrap(),
        smarthd_core::Services::with_key_dir(world.data_dir().join("keys")).events(listener),
    )
    .unwrap();
    // The sync runs on this thread, held in the event; the runtime's two workers serve the page
    // requests, the proxy and the sandbox, and another thread watches the door.
    let counter = asked.clone();
    let watcher = std::thread::spawn(move || {
        held_rx.recv().unwrap();
        let pages_asked = || counter.load(std::sync::atomic::Ordering::SeqCst);
        for _ in 0..200 {
            if pages_asked() >= 3 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        let when_held = pages_asked();
        // Given time, it asks for nothing more while the first page is not done with.
        std::thread::sleep(std::time::Duration::from_millis(500));
        let later = pages_asked();
        go_tx.send(()).unwrap();
        (when_held, later)
    });
    let report = core.sync().catalog().await.unwrap();
    let (when_held, later) = watcher.join().unwrap();
    assert_eq!(when_held, 3, "the page stored, the next one and the one after it");
    assert_eq!(later, 3, "no further while a page is stored");
    assert_eq!(report.upserted, SIZE as u64);
    let pages_asked = || asked.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(pages_asked(), SIZE.div_ceil(smarthd_core::sync::PAGE_SIZE as usize), "each page asked for once");
}

/// A loopback proxy in front of `base` that counts the requests starting with `request_start`;
/// its own base URL.
async fn counting_proxy(base: &str, request_start: &'static [u8]) -> (Arc<std::sync::atomic::AtomicUsize>, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let target = url::Url::parse(base).unwrap().socket_addrs(|| None).unwrap()[0];
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    let asked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = asked.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let server = tokio::net::TcpStream::connect(target).await.unwrap();
            let (mut client_read, mut client_write) = client.into_split();
            let (mut server_read, mut server_write) = server.into_split();
            tokio::spawn(async move { tokio::io::copy(&mut server_read, &mut client_write).await });
            let counter = counter.clone();
            tokio::spawn(async move {
                // Requests are counted where a read starts with one: a client sends each whole,
                // and the next only after the answer before.
                let mut buf = vec![0; 64 * 1024];
                while let Ok(n @ 1..) = client_read.read(&mut buf).await {
                    if buf[..n].starts_with(request_start) {
                        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                    if server_write.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (asked, base)
}

async fn stop_after_first_page(core: &smarthd_core::SmartHd, first_page: &FirstPage) {
    let sync = core.sync();
    tokio::select! {
        biased;
        () = first_page.0.notified() => {}
        result = sync.catalog() => panic!("the sync was not stopped: {result:?}"),
    }
}

#[tokio::test]
async fn reads_keep_working_after_the_portal_stops() {
    let world = World::new(SIZE).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let before = names(&core, "chung thuc ban sao");
    let World { dir, sandbox } = world;
    sandbox.stop().await;
    let err = core.sync().catalog().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Offline, "{err}");
    assert_eq!(names(&core, "chung thuc ban sao"), before);
    assert!(!before.is_empty());
    let code = codes(&core, "chung thuc ban sao", 1).remove(0);
    assert_eq!(core.catalog().procedure(&code).unwrap().code, code);
    assert!(core.catalog().freshness().unwrap().last_success_at.is_some(), "freshness says how old the copy is");
    drop(dir);
}

#[tokio::test]
async fn the_sandbox_keeps_its_catalog_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = smarthd_tests::sandbox_in(dir.path(), 300).await;
    sandbox.portal().mutate(7).unwrap();
    let head = sandbox.portal().head().unwrap();
    sandbox.stop().await;
    let sandbox = smarthd_tests::sandbox_in(dir.path(), 300).await;
    assert_eq!(sandbox.portal().head().unwrap(), head);
}

#[tokio::test]
async fn favorites_and_recently_viewed_live_in_user_db() {
    let world = World::new(300).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let codes = codes(&core, "", 3);
    core.catalog().add_favorite(&codes[0]).unwrap();
    core.catalog().add_favorite(&codes[1]).unwrap();
    core.catalog().add_favorite(&codes[1]).unwrap();
    assert_eq!(core.catalog().add_favorite("9.999999").unwrap_err().kind(), ErrorKind::NotFound);
    core.catalog().remove_favorite(&codes[0]).unwrap();
    assert_eq!(
        core.catalog().favorites().unwrap().iter().map(|h| h.code.clone()).collect::<Vec<_>>(),
        [codes[1].clone()]
    );
    for code in &codes {
        core.catalog().procedure(code).unwrap();
    }
    let recent: Vec<String> = core.catalog().recently_viewed(10).unwrap().into_iter().map(|h| h.code).collect();
    assert_eq!(recent, codes.iter().rev().cloned().collect::<Vec<_>>());
    // Both survive reopening.
    drop(core);
    let core = world.core();
    assert_eq!(core.catalog().favorites().unwrap().len(), 1);
    assert_eq!(core.catalog().recently_viewed(10).unwrap().len(), 3);
}

#[tokio::test]
async fn administrative_units_and_the_legacy_mapping_are_cached() {
    let world = World::new(100).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let units = core.catalog().units().unwrap();
    assert!(units.units.len() > 10);
    assert!(!units.legacy.is_empty());
    let codes: std::collections::HashSet<_> = units.units.iter().map(|u| u.code.as_str()).collect();
    assert!(units.legacy.iter().all(|l| codes.contains(l.new_code.as_str())), "every old unit maps to a new one");
}

#[tokio::test]
async fn a_broad_query_ranks_its_most_specific_matches() {
    let world = World::new(SIZE).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    // "giấy" is in a large part of the catalog: its first page is the shortest matching names.
    let page = core.catalog().search("giấy", &SearchFilters::default(), PageRequest { offset: 0, limit: 20 }).unwrap();
    assert_eq!(page.hits.len(), 20);
    assert!(page.has_more);
    for hit in &page.hits {
        let key = smarthd_core::text::fold(&format!("{} {} {}", hit.name, hit.field, hit.agency));
        assert!(key.contains("giai"), "{} matches the query", hit.name);
    }
    // With a filter too.
    let commune = SearchFilters { level: Some(Level::Commune), ..Default::default() };
    assert!(!core.catalog().search("giấy", &commune, PageRequest::default()).unwrap().hits.is_empty());
}

/// Part of a procedure's name, which only the search index finds (a B-tree finds the exact
/// name): its words after the first, at most six (a search holds at most sixteen).
fn part_of_name(name: &str) -> String {
    name.split_whitespace().skip(1).take(6).collect::<Vec<_>>().join(" ")
}

/// Whether paging through the results of `query` reaches `code`.
fn finds(core: &smarthd_core::SmartHd, query: &str, code: &str) -> bool {
    all_pages(core, query, &SearchFilters::default(), 100).into_iter().any(|(codes, _)| codes.iter().any(|c| c == code))
}

/// Every page of `query`, walked with `limit`, with the `has_more` of each.
fn all_pages(
    core: &smarthd_core::SmartHd,
    query: &str,
    filters: &SearchFilters,
    limit: u32,
) -> Vec<(Vec<String>, bool)> {
    let mut pages = Vec::new();
    let mut offset = 0;
    loop {
        let page = core.catalog().search(query, filters, PageRequest { offset, limit }).unwrap();
        let more = page.has_more;
        pages.push((page.hits.into_iter().map(|h| h.code).collect(), more));
        if !more {
            return pages;
        }
        offset += limit;
        assert!(pages.len() < 10_000, "paging ends");
    }
}

/// A broad query used to stop at its 400th match, `has_more` turning false there: every match
/// is now reachable by paging, once each, in the same order whatever the page size, and
/// `has_more` is true exactly while a further page holds something.
#[tokio::test]
async fn paging_reaches_the_last_of_more_than_400_matches() {
    let world = World::new(SIZE).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let raw = rusqlite::Connection::open(world.data_dir().join("catalog.db")).unwrap();
    for (query, broad) in [("giấy", true), ("cap", true), ("dang", false)] {
        let pages = all_pages(&core, query, &SearchFilters::default(), 200);
        let walked: Vec<String> = pages.iter().flat_map(|(codes, _)| codes.clone()).collect();
        // The same matches counted straight from the index.
        let smarthd_core::catalog::search::Query::Words { fts, .. } = smarthd_core::catalog::search::parse(query)
        else {
            panic!("{query} is words")
        };
        let expected: i64 = raw
            .query_row(
                "SELECT count(*) FROM procedure_fts f JOIN procedure p ON p.fts_rowid = f.rowid
                 WHERE procedure_fts MATCH ?1 AND p.status = 'in_force'",
                [&fts],
                |r| r.get(0),
            )
            .unwrap();
        let expected = expected as usize;
        assert!(!broad || expected > 400, "{query}: {expected} matches, more than the old bound");
        assert_eq!(walked.len(), expected, "{query}: every match reached");
        let distinct: std::collections::HashSet<&String> = walked.iter().collect();
        assert_eq!(distinct.len(), walked.len(), "{query}: no match twice");
        assert!(pages[..pages.len() - 1].iter().all(|(codes, more)| *more && codes.len() == 200), "{query}");
        assert!(!pages.last().unwrap().1 && !pages.last().unwrap().0.is_empty(), "{query}: has_more false at the end");
        // Smaller pages (crossing the tiers at other places) give the same order.
        let small: Vec<String> =
            all_pages(&core, query, &SearchFilters::default(), 37).into_iter().flat_map(|(codes, _)| codes).collect();
        assert_eq!(small, walked, "{query}: page size does not change the order");
        // Past the end: nothing, and nothing more.
        let past = core
            .catalog()
            .search(query, &SearchFilters::default(), PageRequest { offset: expected as u32, limit: 20 })
            .unwrap();
        assert!(past.hits.is_empty() && !past.has_more);
    }
    // An exact page boundary: a page that ends on the last match says there is no more.
    let total = all_pages(&core, "dang ky", &SearchFilters::default(), 200).iter().map(|(c, _)| c.len()).sum::<usize>();
    let last = core
        .catalog()
        .search("dang ky", &SearchFilters::default(), PageRequest { offset: total as u32 - 5, limit: 5 })
        .unwrap();
    assert_eq!(last.hits.len(), 5);
    assert!(!last.has_more);
}

/// `--limit 100000` used to give 200 rows and claim more: a limit beyond a page is refused.
#[tokio::test]
async fn a_page_limit_beyond_the_cap_is_a_validation_error() {
    let world = World::new(300).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    for limit in [0, smarthd_core::catalog::MAX_PAGE_LIMIT + 1, 100_000] {
        let err =
            core.catalog().search("giay", &SearchFilters::default(), PageRequest { offset: 0, limit }).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation, "{limit}");
        assert!(err.to_string().contains("200"), "{err}");
    }
    let max = PageRequest { offset: 0, limit: smarthd_core::catalog::MAX_PAGE_LIMIT };
    assert!(core.catalog().search("giay", &SearchFilters::default(), max).is_ok());
}

#[tokio::test]
async fn english_names_are_searched_beside_vietnamese() {
    let world = World::new(SIZE).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    for query in ["birth registration", "Birth Registration", "birth regist"] {
        let hits = core.catalog().search(query, &SearchFilters::default(), PageRequest::default()).unwrap().hits;
        assert!(hits.first().is_some_and(|h| h.code.starts_with("1.001193")), "{query}: {hits:?}");
        assert_eq!(hits[0].name, "Đăng ký khai sinh");
    }
    // Vietnamese still first for a Vietnamese query, and English never displaces an exact name.
    assert_eq!(names(&core, "dang ky khai sinh")[0], "Đăng ký khai sinh");
}

#[tokio::test]
async fn field_and_agency_filters_fold_like_queries() {
    let world = World::new(SIZE).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let field = core.catalog().fields().unwrap().into_iter().find(|f| f.name == "Hộ tịch").expect("field Hộ tịch");
    let exact = all_pages(&core, "", &SearchFilters { field: Some(field.name.clone()), ..Default::default() }, 200);
    let exact: Vec<String> = exact.into_iter().flat_map(|(c, _)| c).collect();
    assert_eq!(exact.len() as u32, field.count);
    for spelling in ["ho tich", "HỘ TỊCH", "  hộ   tịch ", "ho tịch"] {
        let filters = SearchFilters { field: Some(spelling.into()), ..Default::default() };
        let folded: Vec<String> = all_pages(&core, "", &filters, 200).into_iter().flat_map(|(c, _)| c).collect();
        assert_eq!(folded, exact, "--field {spelling:?} is the field Hộ tịch");
        let hits = core.catalog().search("dang ky", &filters, PageRequest::default()).unwrap().hits;
        assert!(!hits.is_empty() && hits.iter().all(|h| h.field == "Hộ tịch"), "{spelling:?}");
    }
    // Every agency `agencies()` lists is found by its folded spelling, with its count.
    for agency in core.catalog().agencies().unwrap().into_iter().take(5) {
        let folded = smarthd_core::text::fold(&agency.name).to_uppercase();
        let filters = SearchFilters { agency: Some(folded.clone()), ..Default::default() };
        let found = all_pages(&core, "", &filters, 200).into_iter().map(|(c, _)| c.len() as u32).sum::<u32>();
        assert_eq!(found, agency.count, "--agency {folded:?}");
    }
    // A part of a name is not the name.
    let part = SearchFilters { field: Some("ho".into()), ..Default::default() };
    assert!(core.catalog().search("", &part, PageRequest::default()).unwrap().hits.is_empty());
}

#[tokio::test]
async fn suggestions_complete_what_is_typed_from_the_index() {
    let world = World::new(SIZE).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let found = core.catalog().suggest("dang k", 8).unwrap();
    assert!(found.iter().any(|n| n == "Đăng ký khai sinh"), "{found:?}");
    assert!(!found.is_empty() && found.len() <= 8);
    let keys: Vec<String> = found.iter().map(|n| smarthd_core::catalog::search::name_key(n)).collect();
    assert!(keys.iter().all(|k| k.starts_with("dang k")), "names starting with the typed text first: {found:?}");
    let distinct: std::collections::HashSet<&String> = keys.iter().collect();
    assert_eq!(distinct.len(), keys.len(), "no name twice");
    // Tone marks or not, the same completions; a finished word completes to longer names.
    assert_eq!(core.catalog().suggest("Đăng K", 8).unwrap(), found);
    let after = core.catalog().suggest("dang ky khai ", 5).unwrap();
    assert!(after.iter().all(|n| smarthd_core::catalog::search::name_key(n).contains("dang ki khai ")), "{after:?}");
    // Words anywhere in a name.
    let inside = core.catalog().suggest("giay phep xay", 5).unwrap();
    assert!(
        !inside.is_empty()
            && inside.iter().all(|n| {
                let folded = smarthd_core::text::fold(n);
                ["giai", "phep", "xai"].iter().all(|w| folded.contains(w))
            }),
        "{inside:?}"
    );
    assert!(core.catalog().suggest("  ", 5).unwrap().is_empty());
    assert!(core.catalog().suggest("zzzzqx", 5).unwrap().is_empty());
    for limit in [0, 21] {
        assert_eq!(core.catalog().suggest("dang", limit).unwrap_err().kind(), ErrorKind::Validation);
    }
}

/// The specific before the generic: the exact name, then names holding every word (shortest
/// first), then procedures found only through their field, agency or code.
#[tokio::test]
async fn name_matches_come_before_field_and_agency_matches() {
    let world = World::new(SIZE).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let mut hits = Vec::new();
    let mut offset = 0;
    loop {
        let page =
            core.catalog().search("tu phap", &SearchFilters::default(), PageRequest { offset, limit: 50 }).unwrap();
        hits.extend(page.hits);
        if !page.has_more {
            break;
        }
        offset += 50;
    }
    let in_name = |h: &smarthd_core::SearchHit| {
        let names =
            smarthd_core::catalog::search::name_key(&format!("{} {}", h.name, h.name_en.as_deref().unwrap_or("")));
        let words: Vec<&str> = names.split(' ').collect();
        words.contains(&"tu") && words.iter().any(|w| w.starts_with("phap"))
    };
    let first_other = hits.iter().position(|h| !in_name(h)).expect("some match only by field or agency");
    assert!(first_other > 0, "some names hold the words");
    assert!(hits[first_other..].iter().all(|h| !in_name(h)), "no name match after the others");
    let lengths: Vec<usize> = hits[..first_other].iter().map(|h| h.name.chars().count()).collect();
    assert!(lengths.windows(2).all(|w| w[0] <= w[1]), "shortest names first: {lengths:?}");
}

/// Filling a form reads its procedure at every field, so the last one read is kept parsed: but
/// never past a sync that changed it, in this process or another.
#[tokio::test]
async fn a_procedure_read_again_after_its_change_is_the_new_record() {
    let world = World::new(SIZE).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let changed = world.sandbox.portal().mutate(3).unwrap();
    let before = core.catalog().procedure(&changed[0]).unwrap();
    assert_eq!(core.catalog().procedure(&changed[0]).unwrap(), before, "read twice, the same");
    // Another process on the same data dir brings the copy up to date.
    world.core().sync().catalog().await.unwrap();
    let after = core.catalog().procedure(&changed[0]).unwrap();
    assert_ne!(after, before, "the change is seen");
    let raw = rusqlite::Connection::open(world.data_dir().join("catalog.db")).unwrap();
    let stored: String =
        raw.query_row("SELECT record FROM procedure WHERE code = ?1", [&changed[0]], |r| r.get(0)).unwrap();
    assert_eq!(after, serde_json::from_str(&stored).unwrap());
}

/// Records are stored as the portal sent them, byte for byte, unless storing changes them: a
/// name sent in NFD, or a code in lower case, is stored NFC and upper case, read back that way.
/// (The sandbox serializes as the core would, so storing every record serialized again also
/// passes the first check; the full sync's benchmark is what tells the two apart.)
#[tokio::test]
async fn records_are_stored_as_sent_unless_storing_normalizes_them() {
    use smarthd_core::catalog::model::{ChangesPage, Procedure};
    let world = World::new(SIZE).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let http = reqwest::Client::new();
    let mut sent: Vec<Box<serde_json::value::RawValue>> = Vec::new();
    let mut since = 0;
    loop {
        let url = format!("{}api/v1/catalog/changes?since={since}&limit=500", world.sandbox.base_url());
        let page: ChangesPage<Box<serde_json::value::RawValue>> =
            http.get(url).send().await.unwrap().json().await.unwrap();
        sent.extend(page.items.into_iter().filter_map(|c| c.procedure));
        if !page.has_more {
            break;
        }
        since = page.next_since;
    }
    assert_eq!(sent.len(), SIZE);
    let raw = rusqlite::Connection::open(world.data_dir().join("catalog.db")).unwrap();
    let mut stored_record = raw.prepare("SELECT record FROM procedure WHERE code = ?1").unwrap();
    let (mut as_sent, mut normalized) = (0, 0);
    for json in &sent {
        let procedure: Procedure = serde_json::from_str(json.get()).unwrap();
        let stored: String = stored_record.query_row([procedure.code.to_uppercase()], |r| r.get(0)).unwrap();
        let display =
            |p: &Procedure| [p.name.clone(), p.field.clone(), p.processing_agency.clone(), p.deciding_agency.clone()];
        let is_nfc = |p: &Procedure| display(p).iter().all(|t| t.nfc().eq(t.chars()));
        if is_nfc(&procedure) && procedure.code == procedure.code.to_uppercase() {
            assert_eq!(stored, json.get(), "{} is stored as sent", procedure.code);
            as_sent += 1;
        } else {
            let read: Procedure = serde_json::from_str(&stored).unwrap();
            assert!(
                is_nfc(&read) && read.code == procedure.code.to_uppercase(),
                "{} is stored normalized",
                procedure.code
            );
            let nfd = |p: &Procedure| display(p).map(|t| t.nfd().collect::<String>());
            assert_eq!(nfd(&read), nfd(&procedure), "{} keeps its text", procedure.code);
            assert_eq!(core.catalog().procedure(&read.code).unwrap(), read);
            normalized += 1;
        }
    }
    assert!(as_sent > 0 && normalized >= 40, "{as_sent} stored as sent, {normalized} normalized");
}

/// After a full sync the WAL is folded into the file; a copy closed cleanly is read at the next
/// start through its reader alone (the writer opens at the first write): the read sees
/// everything, and a later sync writes and is seen.
#[tokio::test]
async fn a_copy_closed_cleanly_is_read_at_once_and_synced_later() {
    let world = World::new(SIZE).await;
    let core = world.core();
    core.sync().catalog().await.unwrap();
    let before = codes(&core, "khai sinh", 20);
    assert!(!before.is_empty());
    let wal = world.data_dir().join("catalog.db-wal");
    // A start after the app is killed here has no long WAL to read back.
    assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0, "a sync of several pages folds the WAL into the file");
    drop(core);
    assert!(!wal.exists(), "the last connection to close removed the WAL");

    let core = world.core();
    assert_eq!(codes(&core, "khai sinh", 20), before);
    let changed = world.sandbox.portal().mutate(5).unwrap();
    let delta = core.sync().catalog().await.unwrap();
    assert_eq!((delta.outcome, delta.upserted), (SyncOutcome::Updated, 5));
    for code in &changed {
        let served: serde_json::Value =
            serde_json::from_str(&world.sandbox.portal().procedure(code).unwrap().unwrap()).unwrap();
        let cached = serde_json::to_value(core.catalog().procedure(code).unwrap()).unwrap();
        assert_eq!(cached["updated_at"], served["updated_at"], "{code} is read as synced");
    }
    assert_eq!(core.sync().catalog().await.unwrap().outcome, SyncOutcome::NotModified);
}
