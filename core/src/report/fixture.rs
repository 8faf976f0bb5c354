//! A photo as a phone camera writes it, for tests (the core's, the integration tests', the
//! benchmarks'): pixels plus every kind of metadata a normalised photo must lose.

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};

/// Byte strings the camera photo carries in its metadata, none of which may survive.
pub const SECRETS: [&[u8]; 6] =
    [b"SN-98765-SECRET", b"MAKERNOTE-SECRET", b"PhoneMaker", b"Exif", b"ns.adobe.com/xap", b"a comment"];

/// A JPEG `width` x `height`, left half red and right half blue, carrying an EXIF block
/// (orientation, maker, model, serial number, maker note, GPS position), an XMP block, a
/// Photoshop/IPTC block and a comment: what a phone camera writes.
pub fn camera_jpeg(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let pixels =
        RgbImage::from_fn(width, height, |x, _| if x < width / 2 { Rgb([220, 0, 0]) } else { Rgb([0, 0, 220]) });
    let mut plain = Vec::new();
    JpegEncoder::new_with_quality(&mut plain, 95).encode_image(&pixels).unwrap();
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend(tiff(orientation));
    let mut xmp = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    xmp.extend(b"<x:xmpmeta><exif:GPSLatitude>20,56.0N</exif:GPSLatitude></x:xmpmeta>");
    let mut out = plain[..2].to_vec(); // SOI
    for (marker, body) in
        [(0xE1, exif), (0xE1, xmp), (0xED, b"Photoshop 3.0\0IPTC".to_vec()), (0xFE, b"a comment".to_vec())]
    {
        out.extend([0xFF, marker]);
        out.extend(((body.len() + 2) as u16).to_be_bytes());
        out.extend(body);
    }
    out.extend(&plain[2..]);
    out
}

/// A little-endian TIFF block: IFD0 (make, model, orientation, pointers to the EXIF and GPS
/// IFDs), the EXIF IFD (body serial number, maker note) and the GPS IFD (latitude).
fn tiff(orientation: u16) -> Vec<u8> {
    struct Entry(u16, u16, u32, Vec<u8>); // tag, type, count, value bytes
    fn ifd(out: &mut Vec<u8>, entries: Vec<Entry>) {
        let start = out.len();
        let data_start = start + 2 + entries.len() * 12 + 4;
        let mut data = Vec::new();
        out.extend((entries.len() as u16).to_le_bytes());
        for Entry(tag, kind, count, mut value) in entries {
            out.extend(tag.to_le_bytes());
            out.extend(kind.to_le_bytes());
            out.extend(count.to_le_bytes());
            if value.len() <= 4 {
                value.resize(4, 0);
                out.extend(value);
            } else {
                out.extend(((data_start + data.len()) as u32).to_le_bytes());
                data.extend(value);
            }
        }
        out.extend(0u32.to_le_bytes());
        out.extend(data);
    }
    let ascii = |text: &str| Entry(0, 2, text.len() as u32 + 1, [text.as_bytes(), b"\0"].concat());
    let with_tag = |tag, Entry(_, kind, count, value)| Entry(tag, kind, count, value);
    let mut out = b"II*\0".to_vec();
    out.extend(8u32.to_le_bytes());
    // IFD0 at 8: 5 entries (2 + 60 + 4 = 66 bytes) and its data ("PhoneMaker\0" 11 + "X1" inline).
    let exif_ifd_at = 8 + 66 + 11;
    let exif_ifd_len = 2 + 2 * 12 + 4 + 16 + 16;
    let gps_ifd_at = exif_ifd_at + exif_ifd_len;
    ifd(
        &mut out,
        vec![
            with_tag(0x010F, ascii("PhoneMaker")),
            with_tag(0x0110, ascii("X1")),
            Entry(0x0112, 3, 1, orientation.to_le_bytes().to_vec()),
            Entry(0x8769, 4, 1, (exif_ifd_at as u32).to_le_bytes().to_vec()),
            Entry(0x8825, 4, 1, (gps_ifd_at as u32).to_le_bytes().to_vec()),
        ],
    );
    assert_eq!(out.len(), exif_ifd_at);
    ifd(&mut out, vec![with_tag(0xA431, ascii("SN-98765-SECRET")), Entry(0x927C, 7, 16, b"MAKERNOTE-SECRET".to_vec())]);
    assert_eq!(out.len(), gps_ifd_at);
    let rational = |n: u32| [n.to_le_bytes(), 1u32.to_le_bytes()].concat();
    ifd(&mut out, vec![with_tag(1, ascii("N")), Entry(2, 5, 3, [rational(20), rational(56), rational(0)].concat())]);
    out
}

/// The segments between SOI and the image data: (marker, body).
pub fn segments(jpeg: &[u8]) -> Vec<(u8, Vec<u8>)> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let mut at = 2;
    let mut found = Vec::new();
    while jpeg[at] == 0xFF && jpeg[at + 1] != 0xDA {
        let marker = jpeg[at + 1];
        let len = u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]) as usize;
        found.push((marker, jpeg[at + 4..at + 2 + len].to_vec()));
        at += 2 + len;
    }
    found
}
