//! What the portal checks on every report photo, the reporter's and the answer's proof alike,
//! independently of the app: a JPEG that carries pixels only, named by its SHA-256.

pub fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// A report photo is a JPEG that carries pixels only. APP1..APP15 (EXIF, XMP, ICC, IPTC, maker
/// data) and comments are refused, so a phone that forgot to clean a photo cannot publish where
/// its owner lives.
pub fn metadata_free_jpeg(bytes: &[u8]) -> Result<(), &'static str> {
    if bytes.len() < 4 || bytes[..2] != [0xFF, 0xD8] {
        return Err("ảnh phải là JPEG / photos must be JPEG");
    }
    let mut at = 2;
    loop {
        let (Some(&0xFF), Some(&marker)) = (bytes.get(at), bytes.get(at + 1)) else {
            return Err("ảnh JPEG bị hỏng / the JPEG is damaged");
        };
        if marker == 0xDA {
            return Ok(()); // start of scan: the pixels follow
        }
        if (0xE1..=0xEF).contains(&marker) || marker == 0xFE {
            return Err("ảnh còn siêu dữ liệu (EXIF, GPS...) / the photo still carries metadata (EXIF, GPS...)");
        }
        let len = bytes.get(at + 2..at + 4).map(|l| u16::from_be_bytes([l[0], l[1]]) as usize);
        match len {
            Some(len) if len >= 2 => at += 2 + len,
            _ => return Err("ảnh JPEG bị hỏng / the JPEG is damaged"),
        }
    }
}
