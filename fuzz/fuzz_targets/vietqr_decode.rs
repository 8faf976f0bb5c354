//! A VietQR payload is whatever QR code is stuck on the wall: the decoder must never panic, and
//! what it accepts must survive the encoder unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smarthd_model::vietqr::{decode, encode, matrix};

fuzz_target!(|data: &[u8]| {
    let Ok(payload) = std::str::from_utf8(data) else { return };
    let Ok(qr) = decode(payload) else { return };
    let again = encode(&qr);
    assert_eq!(decode(&again).as_ref(), Ok(&qr), "decode(encode(x)) != x for {payload:?}");
    // What decodes is short enough to draw.
    assert!(matrix(&again).is_ok(), "an accepted payload cannot be drawn: {again:?}");
});
