//! Search over 10,000 procedures: the core's `search` beside the floor (a hand-written raw
//! rusqlite FTS5 statement on the same database) and a naive `LIKE` scan; and the cold open of
//! the store to the first page of results, beside a raw open and query.
//!
//! Besides criterion's means, prints p50 and p99 per query (criterion reports no percentiles).

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::Criterion;
use rusqlite::Connection;
use smarthd_core::{PageRequest, SearchFilters, SmartHd, text};
use smarthd_tests::World;

const QUERIES: &[&str] = &[
    "dang ky khai sinh",
    "Đăng ký kết hôn",
    "chung thuc ban sao",
    "ly lich tu phap",
    "cap giay phep xay dung",
    "hoa giai",
    "dat dai",
    "giay",
    "d",
    "1.001193",
];

fn raw_fts(conn: &Connection, query: &str) -> usize {
    // The floor: the same FTS5 table and ranking, no sanitizing, filters, exact-name ordering or
    // highlights.
    let folded = text::fold(query);
    let expr = text::tokens(&folded).map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" ") + "*";
    let mut stmt = conn
        .prepare_cached(
            "SELECT p.code, p.name, p.field, p.agency FROM procedure_fts f JOIN procedure p ON p.fts_rowid = f.rowid
             WHERE procedure_fts MATCH ?1 ORDER BY bm25(procedure_fts, 10.0, 2.0, 2.0, 1.0) LIMIT 20",
        )
        .unwrap();
    let rows = stmt
        .query_map([expr], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
        })
        .unwrap();
    rows.count()
}

fn like_scan(conn: &Connection, query: &str) -> usize {
    let mut stmt = conn
        .prepare_cached("SELECT code, name, field, agency FROM procedure WHERE name_key LIKE '%' || ?1 || '%' LIMIT 20")
        .unwrap();
    let key = text::tokens(&text::fold(query)).collect::<Vec<_>>().join(" ");
    stmt.query_map([key], |r| r.get::<_, String>(0)).unwrap().count()
}

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    (at(0.50), at(0.99))
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn main() {
    let full_run = std::env::args().any(|a| a == "--bench");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let world = runtime.block_on(World::new(10_000));
    let core = world.core();
    runtime.block_on(core.sync().catalog()).unwrap();
    let db_path = world.data_dir().join("catalog.db");
    let raw = Connection::open(&db_path).unwrap();
    let filters = SearchFilters::default();
    let page = PageRequest { offset: 0, limit: 20 };

    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("search_10k");
    for query in QUERIES {
        group.bench_function(format!("core/{query}"), |b| {
            b.iter(|| core.catalog().search(black_box(query), &filters, page).unwrap())
        });
        group.bench_function(format!("raw_fts5/{query}"), |b| b.iter(|| raw_fts(&raw, black_box(query))));
        group.bench_function(format!("like_scan/{query}"), |b| b.iter(|| like_scan(&raw, black_box(query))));
    }
    group.finish();
    criterion.bench_function("cold_open_to_first_page", |b| {
        b.iter(|| cold_open_first_page(&world.sandbox.base_url(), &world.data_dir()))
    });
    criterion.bench_function("cold_open_to_first_page/raw_rusqlite", |b| b.iter(|| raw_open_first_page(&db_path)));

    // Percentiles, which criterion does not give.
    let rounds = if full_run { 500 } else { 5 };
    println!("\nsearch over 10,000 procedures, {rounds} runs per query (µs)");
    println!(
        "| query | core p50 | core p99 | raw FTS5 p50 | raw FTS5 p99 | p99 ratio core/raw | LIKE p50 | LIKE p99 |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut all = (Vec::new(), Vec::new());
    for query in QUERIES {
        let mut core_t = Vec::with_capacity(rounds);
        let mut raw_t = Vec::with_capacity(rounds);
        let mut like_t = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let t = Instant::now();
            black_box(core.catalog().search(query, &filters, page).unwrap());
            core_t.push(t.elapsed());
            let t = Instant::now();
            black_box(raw_fts(&raw, query));
            raw_t.push(t.elapsed());
            let t = Instant::now();
            black_box(like_scan(&raw, query));
            like_t.push(t.elapsed());
        }
        all.0.extend(&core_t);
        all.1.extend(&raw_t);
        let (c50, c99) = percentiles(core_t);
        let (r50, r99) = percentiles(raw_t);
        let (l50, l99) = percentiles(like_t);
        println!(
            "| {query} | {:.0} | {:.0} | {:.0} | {:.0} | {:.2} | {:.0} | {:.0} |",
            micros(c50),
            micros(c99),
            micros(r50),
            micros(r99),
            micros(c99) / micros(r99),
            micros(l50),
            micros(l99)
        );
    }
    let (c50, c99) = percentiles(all.0);
    let (r50, r99) = percentiles(all.1);
    println!(
        "| all queries | {:.0} | {:.0} | {:.0} | {:.0} | {:.2} | | |",
        micros(c50),
        micros(c99),
        micros(r50),
        micros(r99),
        micros(c99) / micros(r99)
    );
    criterion.final_summary();
}

fn cold_open_first_page(portal: &str, data_dir: &Path) -> usize {
    let config = smarthd_core::Config::new(portal, data_dir).unwrap();
    let core = SmartHd::open(config, smarthd_core::Services::with_key_dir(data_dir.join("keys"))).unwrap();
    core.catalog().search("dang ky khai sinh", &SearchFilters::default(), PageRequest::default()).unwrap().hits.len()
}

fn raw_open_first_page(db_path: &Path) -> usize {
    let conn = Connection::open(db_path).unwrap();
    raw_fts(&conn, "dang ky khai sinh")
}
