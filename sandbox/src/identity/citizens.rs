//! The sandbox's test citizens (documented in `docs/identity.md`). Every one logs in with OTP
//! `123456`. The CCCD digits follow the real layout: province of birth registration (030, Hải
//! Dương), century and gender (0 male / 1 female, 1900s), year of birth, then a serial number.

use serde::Serialize;

/// The OTP every test citizen receives "by SMS" in the sandbox.
pub const SANDBOX_OTP: &str = "123456";

#[derive(Debug, Clone, Serialize)]
pub struct Document {
    pub kind: &'static str,
    pub name: &'static str,
    pub name_en: &'static str,
    pub number: &'static str,
    pub issued_by: &'static str,
    pub issued_on: &'static str,
}

/// The business a business account acts for (VNeID's organisation accounts): its legal
/// representative signs in with their own number.
#[derive(Debug, Clone, Copy)]
pub struct Organisation {
    pub name: &'static str,
    /// Mã số thuế: the enterprise code.
    pub tax_code: &'static str,
}

pub struct Citizen {
    /// The stable subject identifier: not the CCCD, which is personal data.
    pub sub: &'static str,
    pub cccd: &'static str,
    pub password: &'static str,
    pub level: u8,
    pub family_name: &'static str,
    pub given_name: &'static str,
    pub name: &'static str,
    pub birthdate: &'static str,
    pub gender: &'static str,
    pub address: &'static str,
    pub phone: &'static str,
    pub documents: &'static [Document],
    /// Set for the business account.
    pub organisation: Option<Organisation>,
}

pub const CITIZENS: &[Citizen] = &[
    Citizen {
        sub: "9f2c4e1a-5b7d-4c3e-8a10-030095001234",
        cccd: "030095001234",
        password: "Matkhau@123",
        level: 2,
        family_name: "Nguyễn",
        given_name: "Văn An",
        name: "Nguyễn Văn An",
        birthdate: "1995-03-14",
        gender: "male",
        address: "Số 12 Trần Hưng Đạo, Phường Hải Dương, Thành phố Hải Phòng",
        phone: "+84912345678",
        documents: &[
            Document {
                kind: "cccd",
                name: "Căn cước công dân",
                name_en: "Citizen identity card",
                number: "030095001234",
                issued_by: "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
                issued_on: "2021-04-20",
            },
            Document {
                kind: "birth_certificate",
                name: "Giấy khai sinh",
                name_en: "Birth certificate",
                number: "125/1995",
                issued_by: "UBND phường Trần Hưng Đạo, thành phố Hải Dương",
                issued_on: "1995-03-20",
            },
            Document {
                kind: "driving_licence",
                name: "Giấy phép lái xe hạng B",
                name_en: "Driving licence, class B",
                number: "300195012345",
                issued_by: "Sở Giao thông vận tải tỉnh Hải Dương",
                issued_on: "2019-08-05",
            },
        ],
        organisation: None,
    },
    Citizen {
        sub: "4b8e7d20-1c6f-4f9a-9e32-030198005678",
        cccd: "030198005678",
        password: "Matkhau@123",
        level: 1,
        family_name: "Trần",
        given_name: "Thị Bình",
        name: "Trần Thị Bình",
        birthdate: "1998-11-02",
        gender: "female",
        address: "Thôn Đông, Xã Thanh Hà, Thành phố Hải Phòng",
        phone: "+84987654321",
        documents: &[Document {
            kind: "cccd",
            name: "Căn cước công dân",
            name_en: "Citizen identity card",
            number: "030198005678",
            issued_by: "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
            issued_on: "2022-01-10",
        }],
        organisation: None,
    },
    Citizen {
        sub: "c3a5e9b2-7d41-4e8f-b6a0-030088003456",
        cccd: "030088003456",
        password: "Doanhnghiep@123",
        level: 2,
        family_name: "Lê",
        given_name: "Văn Cường",
        name: "Lê Văn Cường",
        birthdate: "1988-07-21",
        gender: "male",
        address: "Lô 5 Khu công nghiệp Nam Sách, Xã Nam Sách, Thành phố Hải Phòng",
        phone: "+84903456789",
        documents: &[Document {
            kind: "cccd",
            name: "Căn cước công dân",
            name_en: "Citizen identity card",
            number: "030088003456",
            issued_by: "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
            issued_on: "2021-09-15",
        }],
        organisation: Some(Organisation { name: "Công ty TNHH Gốm sứ Chu Đậu", tax_code: "0800123456" }),
    },
];

pub fn by_sub(sub: &str) -> Option<&'static Citizen> {
    CITIZENS.iter().find(|c| c.sub == sub)
}

/// The citizen with this CCCD and password. Both are compared through their digests, so the
/// time taken says nothing about how much of a guess was right.
pub fn authenticate(cccd: &str, password: &str) -> Option<&'static Citizen> {
    let digest = |s: &str| ring::digest::digest(&ring::digest::SHA256, s.as_bytes());
    let (cccd_d, password_d) = (digest(cccd), digest(password));
    CITIZENS.iter().find(|c| {
        let same_cccd = digest(c.cccd).as_ref() == cccd_d.as_ref();
        let same_password = digest(c.password).as_ref() == password_d.as_ref();
        same_cccd & same_password
    })
}
