//! A photo comes from the camera or the gallery, or from anyone who sends the resident a file:
//! normalising it must never panic, and what comes out is a JPEG of at most 1,600 px on the long
//! edge with no metadata segment (APP1-APP15, comments) left.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smarthd_core::report::photo::{MAX_LONG_EDGE, normalize};

fuzz_target!(|data: &[u8]| {
    if let Ok(photo) = normalize(data) {
        assert!(photo.width >= 1 && photo.height >= 1);
        assert!(photo.width.max(photo.height) <= MAX_LONG_EDGE);
        let jpeg = &photo.jpeg;
        assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "not a JPEG");
        let mut at = 2;
        while jpeg[at] == 0xFF && jpeg[at + 1] != 0xDA {
            let marker = jpeg[at + 1];
            assert!(!(0xE1..=0xEF).contains(&marker) && marker != 0xFE, "segment {marker:#x} in the output");
            at += 2 + u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]) as usize;
        }
    }
});
