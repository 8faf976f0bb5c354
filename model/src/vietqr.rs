//! VietQR (NAPAS EMVCo merchant-presented QR, `protocols.md` section 3): encoder and decoder,
//! pure, byte-exact with the protocol's vectors. The decoder checks the CRC, every TLV length and
//! the required fields, with typed errors.

use serde::{Deserialize, Serialize};

pub const NAPAS_GUID: &str = "A000000727";
const TO_ACCOUNT: &str = "QRIBFTTA";
const TO_CARD: &str = "QRIBFTTC";
/// Payloads are short; anything longer is not a VietQR.
const MAX_PAYLOAD: usize = 512;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VietQr {
    /// The acquirer bank's 6-digit BIN (e.g. 970403).
    pub bin: String,
    /// Account number, or card number when `to_card`.
    pub account: String,
    pub to_card: bool,
    /// Whole đồng; a dynamic QR carries it, a static one does not.
    pub amount: Option<u64>,
    pub bill_number: Option<String>,
    pub purpose: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VietQrError {
    #[error("không phải mã VietQR (rỗng, quá dài hoặc có ký tự lạ) / the payload is empty, too long or not ASCII")]
    NotAPayload,
    #[error("mã bị cắt ngắn / the payload is cut short")]
    Truncated,
    #[error("trường {id} sai độ dài / field {id}: bad length")]
    BadLength { id: String },
    #[error("mã kiểm tra không khớp / the checksum does not match (expected {expected}, found {found})")]
    Crc { expected: String, found: String },
    #[error("thiếu trường {0} / field {0} is missing")]
    Missing(&'static str),
    #[error("trường / field {id}: {reason}")]
    BadValue { id: &'static str, reason: &'static str },
}

/// CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, xorout 0.
pub fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &byte in data {
        crc ^= (byte as u16) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
        }
    }
    crc
}

fn tlv(id: &str, value: &str) -> String {
    format!("{id}{:02}{value}", value.len())
}

pub fn encode(qr: &VietQr) -> String {
    let account_info = tlv("00", &qr.bin) + &tlv("01", &qr.account);
    let beneficiary =
        tlv("00", NAPAS_GUID) + &tlv("01", &account_info) + &tlv("02", if qr.to_card { TO_CARD } else { TO_ACCOUNT });
    let mut out = tlv("00", "01") + &tlv("01", if qr.amount.is_some() { "12" } else { "11" });
    out += &tlv("38", &beneficiary);
    out += &tlv("53", "704");
    if let Some(amount) = qr.amount {
        out += &tlv("54", &amount.to_string());
    }
    out += &tlv("58", "VN");
    let mut additional = String::new();
    if let Some(bill) = &qr.bill_number {
        additional += &tlv("01", bill);
    }
    if let Some(purpose) = &qr.purpose {
        additional += &tlv("08", purpose);
    }
    if !additional.is_empty() {
        out += &tlv("62", &additional);
    }
    out += "6304";
    let crc = crc16(out.as_bytes());
    out + &format!("{crc:04X}")
}

/// Splits `data` into (id, value) pairs, checking every length.
fn fields(data: &str) -> Result<Vec<(&str, &str)>, VietQrError> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        if rest.len() < 4 {
            return Err(VietQrError::Truncated);
        }
        let (id, after) = rest.split_at(2);
        let (len, after) = after.split_at(2);
        if !id.bytes().all(|b| b.is_ascii_digit()) || !len.bytes().all(|b| b.is_ascii_digit()) {
            return Err(VietQrError::BadLength { id: id.to_owned() });
        }
        let len: usize = len.parse().map_err(|_| VietQrError::BadLength { id: id.to_owned() })?;
        if after.len() < len {
            return Err(VietQrError::Truncated);
        }
        let (value, after) = after.split_at(len);
        out.push((id, value));
        rest = after;
    }
    Ok(out)
}

fn find<'a>(fields: &[(&str, &'a str)], id: &'static str) -> Option<&'a str> {
    fields.iter().find(|(i, _)| *i == id).map(|(_, v)| *v)
}

pub fn decode(payload: &str) -> Result<VietQr, VietQrError> {
    let payload = payload.trim();
    if payload.is_empty() || payload.len() > MAX_PAYLOAD || !payload.is_ascii() {
        return Err(VietQrError::NotAPayload);
    }
    if payload.len() < 8 {
        return Err(VietQrError::Truncated);
    }
    // The CRC covers everything up to and including "6304".
    let (body, crc) = payload.split_at(payload.len() - 4);
    if !body.ends_with("6304") {
        return Err(VietQrError::Missing("63"));
    }
    let expected = format!("{:04X}", crc16(body.as_bytes()));
    if !crc.eq_ignore_ascii_case(&expected) {
        return Err(VietQrError::Crc { expected, found: crc.to_owned() });
    }
    let top = fields(&body[..body.len() - 4])?;
    if find(&top, "00") != Some("01") {
        return Err(VietQrError::BadValue {
            id: "00", reason: "định dạng phải là 01 / payload format must be 01"
        });
    }
    let initiation = find(&top, "01").ok_or(VietQrError::Missing("01"))?;
    if initiation != "11" && initiation != "12" {
        return Err(VietQrError::BadValue {
            id: "01",
            reason: "phương thức khởi tạo phải là 11 hoặc 12 / point of initiation must be 11 or 12",
        });
    }
    let beneficiary = fields(find(&top, "38").ok_or(VietQrError::Missing("38"))?)?;
    if find(&beneficiary, "00") != Some(NAPAS_GUID) {
        return Err(VietQrError::BadValue {
            id: "38", reason: "không phải VietQR của NAPAS / not a NAPAS VietQR"
        });
    }
    let account_info = fields(find(&beneficiary, "01").ok_or(VietQrError::Missing("38.01"))?)?;
    let bin = find(&account_info, "00").ok_or(VietQrError::Missing("38.01.00"))?;
    if bin.len() != 6 || !bin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VietQrError::BadValue {
            id: "38.01.00",
            reason: "mã BIN ngân hàng gồm 6 chữ số / the bank BIN is 6 digits",
        });
    }
    let account = find(&account_info, "01").ok_or(VietQrError::Missing("38.01.01"))?;
    if account.is_empty() || !account.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(VietQrError::BadValue {
            id: "38.01.01",
            reason: "số tài khoản hoặc số thẻ không hợp lệ / bad account or card number",
        });
    }
    let to_card = match find(&beneficiary, "02") {
        Some(TO_ACCOUNT) => false,
        Some(TO_CARD) => true,
        Some(_) => {
            return Err(VietQrError::BadValue {
                id: "38.02",
                reason: "mã dịch vụ không xác định / unknown service code",
            });
        }
        None => return Err(VietQrError::Missing("38.02")),
    };
    if find(&top, "53") != Some("704") {
        return Err(VietQrError::BadValue {
            id: "53",
            reason: "tiền tệ phải là 704 (VND) / currency must be 704 (VND)",
        });
    }
    if find(&top, "58") != Some("VN") {
        return Err(VietQrError::BadValue { id: "58", reason: "quốc gia phải là VN / country must be VN" });
    }
    let amount = match find(&top, "54") {
        None => None,
        Some(a) if !a.is_empty() && a.len() <= 13 && a.bytes().all(|b| b.is_ascii_digit()) => Some(
            a.parse()
                .map_err(|_| VietQrError::BadValue { id: "54", reason: "số tiền quá lớn / amount too large" })?,
        ),
        Some(_) => {
            return Err(VietQrError::BadValue {
                id: "54",
                reason: "số tiền phải là số đồng nguyên / the amount must be whole đồng in digits",
            });
        }
    };
    if initiation == "12" && amount.is_none() {
        return Err(VietQrError::Missing("54"));
    }
    let (bill_number, purpose) = match find(&top, "62") {
        Some(additional) => {
            let additional = fields(additional)?;
            (find(&additional, "01").map(str::to_owned), find(&additional, "08").map(str::to_owned))
        }
        None => (None, None),
    };
    Ok(VietQr { bin: bin.to_owned(), account: account.to_owned(), to_card, amount, bill_number, purpose })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DYNAMIC: &str = "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN62340107NPS68690819thanh toan don hang63042E2E";
    const STATIC_CARD: &str =
        "00020101021138600010A00000072701300006970403011697040311012345670208QRIBFTTC53037045802VN63044F52";

    #[test]
    fn crc_check_value() {
        assert_eq!(crc16(b"123456789"), 0x29B1);
    }

    #[test]
    fn vectors_encode_byte_for_byte() {
        let dynamic = VietQr {
            bin: "970403".into(),
            account: "0011012345678".into(),
            to_card: false,
            amount: Some(180_000),
            bill_number: Some("NPS6869".into()),
            purpose: Some("thanh toan don hang".into()),
        };
        assert_eq!(encode(&dynamic), DYNAMIC);
        let card = VietQr {
            bin: "970403".into(),
            account: "9704031101234567".into(),
            to_card: true,
            amount: None,
            bill_number: None,
            purpose: None,
        };
        assert_eq!(encode(&card), STATIC_CARD);
        assert_eq!(decode(DYNAMIC).unwrap(), dynamic);
        assert_eq!(decode(STATIC_CARD).unwrap(), card);
    }

    #[test]
    fn malformed_payloads_are_typed_errors() {
        let bad_crc = DYNAMIC.replace("2E2E", "2E2F");
        assert!(matches!(decode(&bad_crc), Err(VietQrError::Crc { .. })));
        assert!(decode(&DYNAMIC[..40]).is_err());
        assert_eq!(decode(""), Err(VietQrError::NotAPayload));
        assert_eq!(decode("Đ"), Err(VietQrError::NotAPayload));
        // A wrong length inside, CRC recomputed so only the length is wrong.
        let recrc = |body: &str| format!("{body}{:04X}", crc16(body.as_bytes()));
        let long_len = recrc(&DYNAMIC.replace("5406180000", "5407180000")[..DYNAMIC.len() - 4]);
        assert!(decode(&long_len).is_err());
        let letters = recrc(&DYNAMIC.replace("5406180000", "54061800x0")[..DYNAMIC.len() - 4]);
        assert_eq!(
            decode(&letters),
            Err(VietQrError::BadValue {
                id: "54",
                reason: "số tiền phải là số đồng nguyên / the amount must be whole đồng in digits"
            })
        );
        let no_amount = recrc(&DYNAMIC.replace("5406180000", "")[..DYNAMIC.len() - 14]);
        assert_eq!(decode(&no_amount), Err(VietQrError::Missing("54")));
        let dollars = recrc(&DYNAMIC.replace("5303704", "5303840")[..DYNAMIC.len() - 4]);
        assert!(matches!(decode(&dollars), Err(VietQrError::BadValue { id: "53", .. })));
    }

    proptest::proptest! {
        #[test]
        fn the_decoder_never_panics(s in "\\PC{0,200}") {
            let _ = decode(&s);
        }

        #[test]
        fn the_decoder_never_panics_on_digit_soup(s in "[0-9A-Z]{0,160}") {
            let _ = decode(&s);
            let body = format!("{s}6304");
            let _ = decode(&format!("{body}{:04X}", crc16(body.as_bytes())));
        }

        #[test]
        fn encode_then_decode_round_trips(
            bin in "[0-9]{6}", account in "[0-9]{6,19}", card: bool,
            amount in proptest::option::of(1u64..10_000_000_000),
            bill in proptest::option::of("[A-Z0-9]{1,25}"), purpose in proptest::option::of("[a-z ]{1,25}"),
        ) {
            let qr = VietQr { bin, account, to_card: card, amount, bill_number: bill, purpose };
            proptest::prop_assert_eq!(decode(&encode(&qr)).unwrap(), qr);
        }
    }
}

/// A QR code as modules, for the shells to draw (row by row, `true` is dark).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QrMatrix {
    pub width: u32,
    pub modules: Vec<bool>,
}

/// The QR code of a payload (medium error correction, as banking apps expect).
pub fn matrix(payload: &str) -> Result<QrMatrix, VietQrError> {
    let code = qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M)
        .map_err(|_| VietQrError::NotAPayload)?;
    let width = code.width() as u32;
    let modules = code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
    Ok(QrMatrix { width, modules })
}

/// The QR code as an SVG document.
pub fn svg(payload: &str) -> Result<String, VietQrError> {
    let code = qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M)
        .map_err(|_| VietQrError::NotAPayload)?;
    Ok(code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(256, 256).build())
}

#[cfg(test)]
mod qr_tests {
    use super::*;

    #[test]
    fn a_payload_becomes_a_square_matrix_and_an_svg() {
        let payload =
            "00020101021138600010A00000072701300006970403011697040311012345670208QRIBFTTC53037045802VN63044F52";
        let qr = matrix(payload).unwrap();
        assert_eq!(qr.modules.len() as u32, qr.width * qr.width);
        assert!(qr.width >= 21 && (qr.width - 17).is_multiple_of(4), "a QR version's width");
        // The finder pattern's top-left corner is dark.
        assert!(qr.modules[0]);
        assert!(svg(payload).unwrap().starts_with("<?xml"));
    }
}
