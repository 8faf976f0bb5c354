//! A field report's photo, made safe to send: decoded (JPEG or PNG only), shrunk to at most
//! [`MAX_LONG_EDGE`] pixels on the long edge, turned upright by its EXIF orientation, and
//! re-encoded as a fresh JPEG. The new file carries pixels only: no EXIF, XMP, GPS position,
//! maker notes, serial numbers or comments survive, because nothing of the original file but its
//! pixels is copied. The place of a report travels as data beside the photo, never inside it.
//!
//! Pure: bytes in, bytes out, no I/O.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// The long edge of a normalised photo, in pixels: enough to read a street sign, small enough
/// (~300-600 KB) to upload on a weak connection.
pub const MAX_LONG_EDGE: u32 = 1600;
/// The largest photo file accepted before decoding.
pub const MAX_INPUT_BYTES: usize = 40 * 1024 * 1024;
/// Decoding is refused above this many pixels on a side (a 108-megapixel phone camera is
/// 12,000 x 9,000) or this many bytes of pixels: a small file must not expand into gigabytes.
const MAX_SIDE: u32 = 16_384;
const MAX_DECODED_BYTES: u64 = 512 * 1024 * 1024;
const JPEG_QUALITY: u8 = 85;

/// A photo ready to upload: a JPEG with no metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedPhoto {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Why a photo cannot be used; each message says it in Vietnamese and English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("ảnh rỗng / the photo is empty")]
    Empty,
    #[error("ảnh quá lớn (tối đa {max_mb} MB) / the photo is too large (at most {max_mb} MB)", max_mb = MAX_INPUT_BYTES / (1024 * 1024))]
    FileTooLarge,
    #[error("ảnh quá nhiều điểm ảnh / the photo has too many pixels")]
    TooManyPixels,
    #[error("chỉ nhận ảnh JPEG hoặc PNG / only JPEG or PNG photos are accepted (this one is {0})")]
    Unsupported(&'static str),
    #[error("ảnh bị hỏng, không đọc được / the photo is damaged and cannot be read")]
    Damaged,
}

/// Normalises one photo (see the module text).
pub fn normalize(bytes: &[u8]) -> Result<NormalizedPhoto, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(PhotoError::FileTooLarge);
    }
    let format = match image::guess_format(bytes) {
        Ok(format @ (ImageFormat::Jpeg | ImageFormat::Png)) => format,
        Ok(other) => return Err(PhotoError::Unsupported(other.extensions_str().first().copied().unwrap_or("?"))),
        Err(_) if is_heif(bytes) => return Err(PhotoError::Unsupported("heic")),
        Err(_) => return Err(PhotoError::Unsupported("?")),
    };
    let scaled = match format {
        ImageFormat::Jpeg => decode_jpeg_scaled(bytes)?,
        _ => None,
    };
    let (decoded, orientation) = match scaled {
        Some(decoded) => decoded,
        None => decode(bytes, format)?,
    };

    // Shrink before turning: rotating the small image is cheaper, and the long edge is the same.
    let mut photo = shrink(decoded);
    photo.apply_orientation(orientation);
    let (width, height) = (photo.width(), photo.height());

    let mut jpeg = Vec::with_capacity((width * height / 4) as usize);
    let pixels = match photo {
        // JPEG has no alpha: a PNG's transparency is dropped; grey stays grey.
        DynamicImage::ImageLuma8(_) => photo,
        other => DynamicImage::ImageRgb8(other.into_rgb8()),
    };
    JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY).encode_image(&pixels).map_err(|_| PhotoError::Damaged)?;
    Ok(NormalizedPhoto { jpeg, width, height })
}

/// Any photo, every pixel, through `image`.
fn decode(bytes: &[u8], format: ImageFormat) -> Result<(DynamicImage, Orientation), PhotoError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(classify)?;
    // A damaged or absent EXIF block only loses the rotation, never the photo.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    Ok((DynamicImage::from_decoder(decoder).map_err(classify)?, orientation))
}

/// A JPEG decoded at the smallest of 1/1, 1/2, 1/4 or 1/8 of its size that is still at least
/// the size [`shrink`] makes: the scaling happens in the IDCT, so a 12-megapixel photo costs
/// what 3 megapixels do. `None` for a JPEG this decoder does not support (`image` decodes it).
fn decode_jpeg_scaled(bytes: &[u8]) -> Result<Option<(DynamicImage, Orientation)>, PhotoError> {
    use jpeg_decoder::{Decoder, Error, PixelFormat};
    let refuse = |error: Error| match error {
        Error::Unsupported(_) => Ok(None),
        _ => Err(PhotoError::Damaged),
    };
    let mut decoder = Decoder::new(Cursor::new(bytes));
    decoder.set_max_decoding_buffer_size(MAX_DECODED_BYTES as usize);
    if let Err(error) = decoder.read_info() {
        return refuse(error);
    }
    let Some(info) = decoder.info() else { return Err(PhotoError::Damaged) };
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) * 3 > MAX_DECODED_BYTES {
        return Err(PhotoError::TooManyPixels);
    }
    let (target_width, target_height) = shrunk_size(width, height);
    if let Err(error) = decoder.scale(target_width as u16, target_height as u16) {
        return refuse(error);
    }
    let pixels = match decoder.decode() {
        Ok(pixels) => pixels,
        Err(error) => return refuse(error),
    };
    let Some(info) = decoder.info() else { return Err(PhotoError::Damaged) };
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    let image = match info.pixel_format {
        PixelFormat::RGB24 => image::RgbImage::from_raw(width, height, pixels).map(DynamicImage::ImageRgb8),
        PixelFormat::L8 => image::GrayImage::from_raw(width, height, pixels).map(DynamicImage::ImageLuma8),
        // Rare in phone photos: let `image` take them whole.
        PixelFormat::L16 | PixelFormat::CMYK32 => return Ok(None),
    };
    let Some(image) = image else { return Err(PhotoError::Damaged) };
    // A damaged or absent EXIF block only loses the rotation, never the photo.
    let orientation = decoder.exif_data().and_then(Orientation::from_exif_chunk).unwrap_or(Orientation::NoTransforms);
    Ok(Some((image, orientation)))
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    limits
}

/// The size a photo `width` x `height` is shrunk to: at most [`MAX_LONG_EDGE`] on the long edge.
fn shrunk_size(width: u32, height: u32) -> (u32, u32) {
    let long_edge = width.max(height);
    if long_edge <= MAX_LONG_EDGE {
        return (width, height);
    }
    let scale = f64::from(MAX_LONG_EDGE) / f64::from(long_edge);
    (((f64::from(width) * scale).round() as u32).max(1), ((f64::from(height) * scale).round() as u32).max(1))
}

fn shrink(image: DynamicImage) -> DynamicImage {
    let (width, height) = shrunk_size(image.width(), image.height());
    if (width, height) == (image.width(), image.height()) {
        return image;
    }
    // `thumbnail` averages every source pixel into its target (an area filter): the right
    // filter for a large reduction, and several times faster than Lanczos.
    image.thumbnail_exact(width, height)
}

fn classify(error: image::ImageError) -> PhotoError {
    match error {
        image::ImageError::Limits(_) => PhotoError::TooManyPixels,
        image::ImageError::Unsupported(_) => PhotoError::Unsupported("?"),
        _ => PhotoError::Damaged,
    }
}

/// HEIC/HEIF (an ISO-BMFF `ftyp` box with a HEIF brand): what iPhones take by default. Named in
/// the error so the app knows to convert it to JPEG first.
fn is_heif(bytes: &[u8]) -> bool {
    bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && matches!(&bytes[8..12], b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"mif1" | b"msf1" | b"avif")
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{SECRETS, camera_jpeg, segments};
    use super::*;
    use image::{Rgba, RgbaImage};

    #[test]
    fn the_camera_fixture_carries_what_must_be_removed() {
        let original = camera_jpeg(64, 32, 6);
        for secret in SECRETS {
            assert!(original.windows(secret.len()).any(|w| w == secret));
        }
        let decoder = ImageReader::new(Cursor::new(&original)).with_guessed_format().unwrap();
        assert_eq!(decoder.into_decoder().unwrap().orientation().unwrap(), image::metadata::Orientation::Rotate90);
    }

    #[test]
    fn every_metadata_block_is_removed_and_the_photo_turned_upright() {
        let photo = normalize(&camera_jpeg(64, 32, 6)).unwrap();
        for secret in SECRETS {
            assert!(
                !photo.jpeg.windows(secret.len()).any(|w| w == secret),
                "{:?} survived",
                String::from_utf8_lossy(secret)
            );
        }
        for (marker, _) in segments(&photo.jpeg) {
            assert!(!(0xE1..=0xEF).contains(&marker) && marker != 0xFE, "segment {marker:#x} survived");
        }
        // Orientation 6 is "turn 90° clockwise": the red left half becomes the top half.
        assert_eq!((photo.width, photo.height), (32, 64));
        let upright = image::load_from_memory(&photo.jpeg).unwrap().into_rgb8();
        assert_eq!(upright.dimensions(), (32, 64));
        let [r, _, b] = upright.get_pixel(16, 8).0;
        assert!(r > 150 && b < 80, "top is red, found {r},{b}");
        let [r, _, b] = upright.get_pixel(16, 56).0;
        assert!(b > 150 && r < 80, "bottom is blue, found {r},{b}");
    }

    #[test]
    fn large_photos_shrink_to_the_long_edge_and_small_ones_keep_their_size() {
        let big = normalize(&camera_jpeg(2400, 1000, 1)).unwrap();
        assert_eq!((big.width, big.height), (1600, 667));
        let tall = normalize(&camera_jpeg(1000, 2400, 8)).unwrap();
        assert_eq!((tall.width, tall.height), (1600, 667), "turned 90° after shrinking");
        let small = normalize(&camera_jpeg(300, 200, 1)).unwrap();
        assert_eq!((small.width, small.height), (300, 200));
    }

    #[test]
    fn a_large_jpeg_is_decoded_at_a_fraction_of_its_size_with_its_orientation() {
        // 3,400 px wide: half (1,700) is still at least the 1,600 kept, a quarter is not.
        let (image, orientation) = decode_jpeg_scaled(&camera_jpeg(3400, 200, 6)).unwrap().expect("decoded here");
        assert_eq!((image.width(), image.height()), (1700, 100));
        assert_eq!(orientation, Orientation::Rotate90);
        let photo = normalize(&camera_jpeg(3400, 200, 1)).unwrap();
        assert_eq!((photo.width, photo.height), (1600, 94));
    }

    #[test]
    fn png_with_transparency_becomes_an_opaque_jpeg() {
        let mut png = Vec::new();
        DynamicImage::ImageRgba8(RgbaImage::from_pixel(40, 20, Rgba([10, 200, 10, 128])))
            .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .unwrap();
        let photo = normalize(&png).unwrap();
        assert_eq!(image::guess_format(&photo.jpeg).unwrap(), ImageFormat::Jpeg);
        assert_eq!((photo.width, photo.height), (40, 20));
    }

    #[test]
    fn what_is_not_a_usable_photo_is_refused_by_name() {
        assert_eq!(normalize(b""), Err(PhotoError::Empty));
        let heic = [&[0, 0, 0, 0x18][..], b"ftypheic", &[0; 16]].concat();
        assert_eq!(normalize(&heic), Err(PhotoError::Unsupported("heic")));
        assert_eq!(normalize(b"GIF89a\x01\x00\x01\x00"), Err(PhotoError::Unsupported("gif")));
        assert_eq!(normalize(b"plain text, not a photo"), Err(PhotoError::Unsupported("?")));
        let cut = &camera_jpeg(64, 32, 1)[..400];
        assert_eq!(normalize(cut), Err(PhotoError::Damaged));
        assert!(normalize(&vec![0xFF; MAX_INPUT_BYTES + 1]) == Err(PhotoError::FileTooLarge));
    }

    #[test]
    fn a_small_file_claiming_huge_dimensions_is_refused_before_decoding() {
        // A valid PNG header and IHDR for 100,000 x 100,000 pixels, and nothing else.
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend(100_000u32.to_be_bytes());
        ihdr.extend(100_000u32.to_be_bytes());
        ihdr.extend([8, 2, 0, 0, 0]);
        png.extend(13u32.to_be_bytes());
        png.extend(&ihdr);
        png.extend(crc32(&ihdr).to_be_bytes());
        assert_eq!(normalize(&png), Err(PhotoError::TooManyPixels));
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
}
