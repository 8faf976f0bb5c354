//! A field report's photo: normalising a 12-megapixel camera JPEG (decode, shrink to 1,600 px,
//! turn upright, re-encode without metadata) beside decoding it alone, the floor every
//! normaliser pays. Time per run and the peak heap of one run (counted by the allocator below).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::Criterion;
use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use smarthd_core::report::photo;

/// The system allocator, counting the bytes in use and their high-water mark.
struct Counting;
static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        ptr
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Peak heap above what was in use before `work`, in MiB.
fn peak_mib(work: impl FnOnce()) -> f64 {
    let before = IN_USE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    work();
    (PEAK.load(Ordering::Relaxed) - before) as f64 / (1024.0 * 1024.0)
}

/// A 4,000 x 3,000 photo with detail everywhere (gradients and noise), as a camera writes it at
/// quality 92: about the size and decoding cost of a real phone photo.
fn camera_photo() -> Vec<u8> {
    let mut seed = 0x2545_F491u32;
    let pixels = RgbImage::from_fn(4000, 3000, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = (seed % 48) as u8;
        Rgb([(x / 16) as u8 ^ noise, (y / 12) as u8 ^ noise, ((x + y) / 28) as u8 ^ noise])
    });
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 92).encode_image(&pixels).unwrap();
    jpeg
}

fn median(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1e3
}

fn main() {
    let full_run = std::env::args().any(|a| a == "--bench");
    let original = camera_photo();
    let decode = || image::load_from_memory_with_format(&original, image::ImageFormat::Jpeg).unwrap();

    let mut criterion = Criterion::default().configure_from_args().sample_size(10);
    let mut group = criterion.benchmark_group("photo_12mp");
    group.bench_function("normalize", |b| b.iter(|| photo::normalize(black_box(&original)).unwrap()));
    group.bench_function("decode_alone", |b| b.iter(|| black_box(decode())));
    group.finish();

    let rounds = if full_run { 15 } else { 1 };
    let (mut ours, mut floor) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        black_box(photo::normalize(&original).unwrap());
        ours.push(t.elapsed());
        let t = Instant::now();
        black_box(decode());
        floor.push(t.elapsed());
    }
    let (ours, floor) = (median(ours), median(floor));
    let ours_heap = peak_mib(|| drop(black_box(photo::normalize(&original).unwrap())));
    let floor_heap = peak_mib(|| drop(black_box(decode())));
    let size = photo::normalize(&original).unwrap().jpeg.len();
    println!(
        "\nnormalise a 12-megapixel JPEG ({:.1} MB) to {:.0} KB: {ours:.0} ms median, peak heap {ours_heap:.0} MiB; \
         decode alone: {floor:.0} ms, peak heap {floor_heap:.0} MiB",
        original.len() as f64 / 1e6,
        size as f64 / 1e3
    );
    println!("ratio photo_normalize_to_decode: {:.2} (target none: the floor)", ours / floor);
    println!("target photo_normalize_ms: {ours:.0} (target 400)");
    println!("target photo_normalize_peak_mib: {ours_heap:.0} (target 150)");
    criterion.final_summary();
}
