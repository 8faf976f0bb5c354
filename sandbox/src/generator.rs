//! Deterministic sample data for the sandbox portal: the procedure catalog, a tester's "mutate"
//! edit, and Hải Phòng's administrative units after the 2025 merger.
//!
//! The catalog is a search test bed, so it carries the spellings real catalogs carry: NFC and NFD
//! text, old and new tone placement ("hoà"/"hòa"), i/y variants ("kí"/"ký"), names that contain
//! other names ("Đăng ký khai sinh" inside "Đăng ký lại khai sinh"), and a few duplicates.
//!
//! Determinism: one hand-written PRNG (splitmix64), integer arithmetic only, no hash-map iteration
//! order, so the same `(count, seed)` gives byte-identical output everywhere. Each record draws
//! from its own stream (`seed` forked by index), so a smaller catalog is a prefix of a larger one
//! with the same seed (up to ~75,000 records, where the code spacing starts to tighten).

use chrono::{DateTime, FixedOffset, SecondsFormat, TimeDelta, TimeZone};
use smarthd_model::catalog::*;
use unicode_normalization::UnicodeNormalization;

/// Suffix of the province's local variant of a national code (domain.md: `1.012783.H19`).
const LOCAL_SUFFIX: &str = ".H19";

// ---------------------------------------------------------------------------------------------
// PRNG
// ---------------------------------------------------------------------------------------------

/// splitmix64: tiny, fast, and fully specified, so output never changes with a crate upgrade.
#[derive(Clone)]
struct Rng(u64);

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(mix(seed ^ GOLDEN))
    }

    /// An independent stream for `stream` (a record index), without advancing `self`.
    fn fork(&self, stream: u64) -> Rng {
        Rng(mix(self.0 ^ mix(stream.wrapping_add(1).wrapping_mul(GOLDEN))))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    /// Uniform in `0..n` (multiply-shift; `n` must be > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }
}

/// FNV-1a, to turn a procedure code into a stream for [`mutate_procedure`].
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xCBF2_9CE4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3))
}

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

/// What kind of work a procedure is; drives documents, fees, steps and the form's select.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    Issue,
    Register,
    Review,
    Benefit,
    Notice,
    Award,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Verb {
    Cap,
    CapLai,
    CapDoi,
    GiaHan,
    DieuChinh,
    ThuHoi,
    DangKy,
    DangKyLai,
    DangKyThayDoi,
    XoaDangKy,
    ChamDut,
    XacNhan,
    ThamDinh,
    PheDuyet,
    ChungThuc,
    CongNhan,
    CongNhanLai,
    ThoiLam,
    ThanhToan,
    GiaiQuyet,
    ThongBao,
    KhaiBao,
    TamDung,
    ChuyenNoi,
    ChapThuan,
    ThucHien,
    ThoiHuong,
    XacDinh,
    XacDinhLai,
    TiepNhan,
    DiChuyen,
    ChoPhep,
    ChinhSua,
    CongBo,
    XetTang,
    Tang,
    ThayDoi,
    KhoiPhuc,
    ThanhLap,
    DinhChinh,
    CungCap,
}

use Verb as V;

impl Verb {
    /// Vietnamese verb, English noun phrase ("Issuance of"), and the kind of work.
    fn parts(self) -> (&'static str, &'static str, Class) {
        use Class::*;
        match self {
            V::Cap => ("Cấp", "Issuance of", Issue),
            V::CapLai => ("Cấp lại", "Re-issuance of", Issue),
            V::CapDoi => ("Cấp đổi", "Replacement of", Issue),
            V::GiaHan => ("Gia hạn", "Extension of", Issue),
            V::DieuChinh => ("Điều chỉnh", "Amendment of", Issue),
            V::ThuHoi => ("Thu hồi", "Revocation of", Notice),
            V::DangKy => ("Đăng ký", "Registration of", Register),
            V::DangKyLai => ("Đăng ký lại", "Re-registration of", Register),
            V::DangKyThayDoi => ("Đăng ký thay đổi", "Registration of changes to", Register),
            V::XoaDangKy => ("Xóa đăng ký", "Deregistration of", Register),
            V::ChamDut => ("Chấm dứt", "Termination of", Register),
            V::XacNhan => ("Xác nhận", "Certification of", Notice),
            V::ThamDinh => ("Thẩm định", "Appraisal of", Review),
            V::PheDuyet => ("Phê duyệt", "Approval of", Review),
            V::ChungThuc => ("Chứng thực", "Authentication of", Issue),
            V::CongNhan => ("Công nhận", "Recognition of", Award),
            V::CongNhanLai => ("Công nhận lại", "Re-recognition of", Award),
            V::ThoiLam => ("Thôi làm", "Removal of", Notice),
            V::ThanhToan => ("Thanh toán", "Payment of", Benefit),
            V::GiaiQuyet => ("Giải quyết", "Settlement of", Benefit),
            V::ThongBao => ("Thông báo", "Notification of", Notice),
            V::KhaiBao => ("Khai báo", "Declaration of", Notice),
            V::TamDung => ("Tạm dừng", "Suspension of", Benefit),
            V::ChuyenNoi => ("Chuyển nơi", "Transfer of", Benefit),
            V::ChapThuan => ("Chấp thuận", "Approval of", Review),
            V::ThucHien => ("Thực hiện", "Granting of", Benefit),
            V::ThoiHuong => ("Thôi hưởng", "Termination of", Benefit),
            V::XacDinh => ("Xác định", "Determination of", Notice),
            V::XacDinhLai => ("Xác định lại", "Re-determination of", Notice),
            V::TiepNhan => ("Tiếp nhận", "Admission of", Benefit),
            V::DiChuyen => ("Di chuyển", "Transfer of", Notice),
            V::ChoPhep => ("Cho phép", "Permission for", Review),
            V::ChinhSua => ("Chỉnh sửa", "Correction of", Notice),
            V::CongBo => ("Công bố", "Announcement of", Register),
            V::XetTang => ("Xét tặng", "Award of", Award),
            V::Tang => ("Tặng", "Award of", Award),
            V::ThayDoi => ("Thay đổi", "Change of", Register),
            V::KhoiPhuc => ("Khôi phục", "Reactivation of", Register),
            V::ThanhLap => ("Thành lập", "Establishment of", Register),
            V::DinhChinh => ("Đính chính", "Correction of", Notice),
            V::CungCap => ("Cung cấp", "Provision of", Notice),
        }
    }
}

const ISSUE_FULL: &[Verb] = &[V::Cap, V::CapLai, V::GiaHan, V::DieuChinh, V::ThuHoi];
const CERT: &[Verb] = &[V::Cap, V::CapLai, V::CapDoi, V::ThuHoi];
const REVIEW: &[Verb] = &[V::ThamDinh, V::PheDuyet, V::DieuChinh];

/// The object of a procedure name: "giấy phép kinh doanh vận tải bằng xe ô tô" and the verbs
/// that make sense with it.
struct Obj {
    vi: &'static str,
    en: &'static str,
    verbs: &'static [Verb],
    /// Set when the object itself fixes the level ("Giấy khen của Chủ tịch UBND cấp xã").
    level: Option<Level>,
    /// Set when the object itself fixes who applies (a practice certificate is personal).
    who: Option<Bias>,
}

const fn o(vi: &'static str, en: &'static str, verbs: &'static [Verb]) -> Obj {
    Obj { vi, en, verbs, level: None, who: None }
}

const fn at(level: Level, obj: Obj) -> Obj {
    Obj { level: Some(level), ..obj }
}

const fn person(obj: Obj) -> Obj {
    Obj { who: Some(Bias::Citizens), ..obj }
}

const fn org(obj: Obj) -> Obj {
    Obj { who: Some(Bias::Orgs), ..obj }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Bias {
    Citizens,
    Orgs,
    Mixed,
}

/// A lĩnh vực with its agency, how often it sits at commune level, and its templates.
struct FieldDef {
    vi: &'static str,
    en: &'static str,
    /// Provincial department (deciding and processing agency at province level).
    dept: &'static str,
    commune_pct: u64,
    bias: Bias,
    /// (deciding, processing) at commune level when not the commune People's Committee.
    commune_agency: Option<(&'static str, &'static str)>,
    /// The main law first; 1–3 of these go on each record.
    legal: &'static [&'static str],
    objects: &'static [Obj],
}

const COMMUNE_DECIDING: &str = "Ủy ban nhân dân cấp xã";
const COMMUNE_PROCESSING: &str = "UBND xã, phường, đặc khu";
const CITY_COMMITTEE: &str = "Ủy ban nhân dân thành phố Hải Phòng";

const LAW_HO_TICH: &str = "Luật Hộ tịch số 60/2014/QH13";
const ND_HO_TICH: &str = "Nghị định 123/2015/NĐ-CP";
const ND_ONLINE: &str = "Nghị định 42/2022/NĐ-CP";

const FIELDS: &[FieldDef] = &[
    FieldDef {
        vi: "Hộ tịch",
        en: "Civil status",
        dept: "Sở Tư pháp",
        commune_pct: 100,
        bias: Bias::Citizens,
        commune_agency: None,
        legal: &[LAW_HO_TICH, ND_HO_TICH, "Thông tư 04/2020/TT-BTP", "Thông tư 85/2019/TT-BTC"],
        objects: &[
            o("giám hộ", "guardianship", &[V::DangKy, V::DangKyThayDoi, V::ChamDut]),
            o("nuôi con nuôi trong nước", "domestic adoption", &[V::DangKy, V::DangKyLai]),
            o("kết hôn có yếu tố nước ngoài", "marriage with foreign elements", &[V::DangKy, V::DangKyLai]),
            o("khai tử có yếu tố nước ngoài", "death with foreign elements", &[V::DangKy, V::DangKyLai]),
            o("giám sát việc giám hộ", "supervision of guardianship", &[V::DangKy, V::ChamDut]),
            o("thông tin hộ tịch của cá nhân", "personal civil status information", &[V::XacNhan]),
            o(
                "khai sinh cho người đã có hồ sơ, giấy tờ cá nhân",
                "birth of persons who already hold personal records",
                &[V::DangKy],
            ),
            o("khai tử lưu động", "death on a mobile basis", &[V::DangKy]),
            o("kết hôn lưu động", "marriage on a mobile basis", &[V::DangKy]),
            o("giám hộ có yếu tố nước ngoài", "guardianship with foreign elements", &[V::DangKy, V::ChamDut]),
        ],
    },
    FieldDef {
        vi: "Chứng thực",
        en: "Authentication",
        dept: "Sở Tư pháp",
        commune_pct: 90,
        bias: Bias::Mixed,
        commune_agency: None,
        legal: &["Nghị định 23/2015/NĐ-CP", "Thông tư 01/2020/TT-BTP", "Thông tư 226/2016/TT-BTC"],
        objects: &[
            o(
                "hợp đồng, giao dịch liên quan đến tài sản là động sản",
                "contracts and transactions concerning movable property",
                &[V::ChungThuc],
            ),
            o("di chúc", "wills", &[V::ChungThuc]),
            o("văn bản ủy quyền", "powers of attorney", &[V::ChungThuc]),
            o(
                "hợp đồng, giao dịch liên quan đến nhà ở",
                "contracts and transactions concerning housing",
                &[V::ChungThuc],
            ),
            o("văn bản thỏa thuận phân chia di sản", "agreements dividing an estate", &[V::ChungThuc]),
            o("văn bản khai nhận di sản", "declarations of inheritance", &[V::ChungThuc]),
            o("văn bản từ chối nhận di sản", "renunciations of inheritance", &[V::ChungThuc]),
            o("chữ ký người dịch", "translators' signatures", &[V::ChungThuc]),
            o(
                "hợp đồng, giao dịch liên quan đến quyền của người sử dụng đất",
                "contracts and transactions concerning land use rights",
                &[V::ChungThuc],
            ),
            o(
                "việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch",
                "amendments to and cancellation of contracts",
                &[V::ChungThuc],
            ),
        ],
    },
    FieldDef {
        vi: "Hòa giải ở cơ sở",
        en: "Grassroots mediation",
        dept: "Sở Tư pháp",
        commune_pct: 100,
        bias: Bias::Citizens,
        commune_agency: None,
        legal: &["Luật Hòa giải ở cơ sở số 35/2013/QH13", "Nghị định 15/2014/NĐ-CP"],
        objects: &[
            o("hòa giải viên", "mediators", &[V::ThoiLam]),
            o("tổ trưởng tổ hòa giải", "mediation team leaders", &[V::CongNhan, V::ThoiLam]),
            o("tổ hòa giải", "mediation teams", &[V::ThanhLap]),
            o("thù lao cho hòa giải viên", "remuneration for mediators", &[V::ThanhToan]),
            o(
                "chi phí cho hòa giải viên bị tai nạn khi thực hiện hoạt động hòa giải",
                "costs for mediators injured while mediating",
                &[V::ThanhToan],
            ),
        ],
    },
    FieldDef {
        vi: "Lý lịch tư pháp",
        en: "Judicial records",
        dept: "Sở Tư pháp",
        commune_pct: 0,
        bias: Bias::Mixed,
        commune_agency: None,
        legal: &["Luật Lý lịch tư pháp số 28/2009/QH12", "Nghị định 111/2010/NĐ-CP", "Thông tư 244/2016/TT-BTC"],
        objects: &[
            o(
                "Phiếu lý lịch tư pháp cho cơ quan tiến hành tố tụng",
                "criminal record certificates for procedural authorities",
                &[V::Cap],
            ),
            o(
                "Phiếu lý lịch tư pháp cho công dân Việt Nam cư trú ở nước ngoài",
                "criminal record certificates for Vietnamese citizens abroad",
                &[V::Cap],
            ),
            o("thông tin lý lịch tư pháp về án tích", "judicial record entries on convictions", &[V::ChinhSua]),
            o(
                "thông tin lý lịch tư pháp về cấm đảm nhiệm chức vụ",
                "judicial record entries on bans from office",
                &[V::ChinhSua],
            ),
        ],
    },
    FieldDef {
        vi: "Đăng ký, quản lý cư trú",
        en: "Residence registration and management",
        dept: "Công an thành phố Hải Phòng",
        commune_pct: 100,
        bias: Bias::Citizens,
        commune_agency: Some(("Công an cấp xã", "Công an xã, phường, đặc khu")),
        legal: &[
            "Luật Cư trú số 68/2020/QH14",
            "Nghị định 154/2024/NĐ-CP",
            "Thông tư 55/2021/TT-BCA",
            "Thông tư 75/2022/TT-BTC",
        ],
        objects: &[
            o("tạm trú", "temporary residence", &[V::DangKy, V::GiaHan, V::XoaDangKy]),
            o("thường trú", "permanent residence", &[V::XoaDangKy]),
            o("lưu trú", "overnight stays", &[V::ThongBao]),
            o("tạm vắng", "temporary absence", &[V::KhaiBao]),
            o("thông tin về cư trú", "residence information", &[V::XacNhan]),
            o(
                "thông tin về hộ gia đình trong Cơ sở dữ liệu về cư trú",
                "household information in the residence database",
                &[V::DieuChinh],
            ),
        ],
    },
    FieldDef {
        vi: "Đất đai",
        en: "Land",
        dept: "Sở Nông nghiệp và Môi trường",
        commune_pct: 35,
        bias: Bias::Mixed,
        commune_agency: None,
        legal: &[
            "Luật Đất đai số 31/2024/QH15",
            "Nghị định 101/2024/NĐ-CP",
            "Nghị định 102/2024/NĐ-CP",
            "Nghị định 151/2025/NĐ-CP",
        ],
        objects: &[
            o(
                "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
                "certificates of land use rights and ownership of land-attached assets",
                CERT,
            ),
            o("tranh chấp đất đai", "land disputes", &[V::GiaiQuyet]),
            o("phương án sử dụng đất", "land use plans", REVIEW),
            o(
                "thế chấp quyền sử dụng đất, tài sản gắn liền với đất",
                "mortgages of land use rights and land-attached assets",
                &[V::DangKy, V::XoaDangKy],
            ),
            o("quyết định giao đất, cho thuê đất", "decisions on land allocation and lease", &[V::DieuChinh]),
            o("thời hạn sử dụng đất", "land use terms", &[V::GiaHan]),
            o("chuyển mục đích sử dụng đất", "land use conversion", &[V::ChoPhep]),
            o(
                "đất đai, tài sản gắn liền với đất lần đầu",
                "land and land-attached assets for the first time",
                &[V::DangKy],
            ),
            o(
                "quyền sử dụng hạn chế thửa đất liền kề",
                "easements over adjacent land plots",
                &[V::DangKy, V::XoaDangKy],
            ),
            o("Giấy chứng nhận đã cấp", "issued land certificates", &[V::DinhChinh]),
            o("thông tin, dữ liệu đất đai", "land information and data", &[V::CungCap]),
            o("tách thửa, hợp thửa đất", "splitting and merging land plots", &[V::DangKy]),
            at(Level::Province, o("giá đất cụ thể", "specific land prices", &[V::ThamDinh, V::PheDuyet])),
        ],
    },
    FieldDef {
        vi: "Xây dựng",
        en: "Construction",
        dept: "Sở Xây dựng",
        commune_pct: 30,
        bias: Bias::Mixed,
        commune_agency: None,
        legal: &[
            "Luật Xây dựng số 50/2014/QH13",
            "Luật số 62/2020/QH14 sửa đổi, bổ sung một số điều của Luật Xây dựng",
            "Nghị định 175/2024/NĐ-CP",
            "Thông tư 06/2021/TT-BXD",
        ],
        objects: &[
            o(
                "giấy phép xây dựng công trình cấp III, cấp IV",
                "building permits for grade III and IV works",
                ISSUE_FULL,
            ),
            o("giấy phép xây dựng có thời hạn", "temporary building permits", &[V::Cap, V::GiaHan, V::DieuChinh]),
            o("giấy phép di dời công trình", "permits to relocate works", &[V::Cap]),
            o("giấy phép xây dựng công trình quảng cáo", "permits for advertising structures", &[V::Cap, V::GiaHan]),
            org(at(
                Level::Province,
                o("chủ trương đầu tư dự án nhà ở", "investment policy for housing projects", &[V::ChapThuan]),
            )),
            person(o(
                "điều kiện được mua, thuê mua nhà ở xã hội",
                "eligibility to buy or lease-purchase social housing",
                &[V::XacNhan],
            )),
            o(
                "giấy phép xây dựng sửa chữa, cải tạo công trình",
                "permits for repair and renovation works",
                &[V::Cap, V::DieuChinh],
            ),
            person(o(
                "chứng chỉ hành nghề hoạt động xây dựng hạng II, hạng III",
                "construction practice certificates, classes II and III",
                CERT,
            )),
            org(o(
                "chứng chỉ năng lực hoạt động xây dựng",
                "construction capacity certificates",
                &[V::Cap, V::CapLai, V::DieuChinh, V::ThuHoi],
            )),
            at(
                Level::Province,
                o(
                    "báo cáo nghiên cứu khả thi đầu tư xây dựng",
                    "construction investment feasibility reports",
                    &[V::ThamDinh],
                ),
            ),
            at(
                Level::Province,
                o("nhiệm vụ quy hoạch chi tiết xây dựng", "detailed construction planning briefs", REVIEW),
            ),
            o(
                "báo cáo kinh tế - kỹ thuật đầu tư xây dựng",
                "economic-technical reports for construction investment",
                &[V::ThamDinh, V::PheDuyet],
            ),
            o(
                "thiết kế xây dựng triển khai sau thiết kế cơ sở",
                "construction designs following the basic design",
                &[V::ThamDinh],
            ),
        ],
    },
    FieldDef {
        vi: "Đường bộ",
        en: "Road transport",
        dept: "Sở Xây dựng",
        commune_pct: 0,
        bias: Bias::Mixed,
        commune_agency: None,
        legal: &[
            "Luật Đường bộ số 35/2024/QH15",
            "Luật Trật tự, an toàn giao thông đường bộ số 36/2024/QH15",
            "Nghị định 158/2024/NĐ-CP",
        ],
        objects: &[
            o("giấy phép kinh doanh vận tải bằng xe ô tô", "licences for road transport business by car", ISSUE_FULL),
            o(
                "phù hiệu xe ô tô kinh doanh vận tải",
                "badges for commercial transport vehicles",
                &[V::Cap, V::CapLai, V::ThuHoi],
            ),
            o(
                "giấy phép lưu hành xe quá tải trọng, xe quá khổ giới hạn",
                "circulation permits for overweight and oversized vehicles",
                &[V::Cap, V::GiaHan],
            ),
            o(
                "giấy phép thi công công trình trên đường bộ đang khai thác",
                "permits for works on roads in service",
                &[V::Cap, V::GiaHan],
            ),
            person(o("giấy phép lái xe quốc tế", "international driving permits", &[V::Cap])),
            person(o(
                "giấy chứng nhận giáo viên dạy thực hành lái xe",
                "certificates for practical driving instructors",
                &[V::Cap, V::CapLai, V::ThuHoi],
            )),
            org(o("giấy phép đào tạo lái xe ô tô", "car driver training licences", &[V::Cap, V::CapLai, V::ThuHoi])),
            o(
                "biển hiệu xe ô tô vận chuyển khách du lịch",
                "signs for tourist transport vehicles",
                &[V::Cap, V::CapLai],
            ),
            o(
                "giấy chứng nhận đăng ký xe máy chuyên dùng",
                "registration certificates for special-use machinery",
                &[V::Cap, V::CapLai, V::ThuHoi],
            ),
            o("giấy phép xe tập lái", "learner vehicle permits", &[V::Cap, V::CapLai]),
            org(o("giấy phép liên vận quốc tế", "cross-border transport permits", &[V::Cap, V::CapLai, V::GiaHan])),
            o("thiết kế kỹ thuật xe cơ giới cải tạo", "technical designs for modified motor vehicles", &[V::ThamDinh]),
        ],
    },
    FieldDef {
        vi: "Đường thủy nội địa",
        en: "Inland waterways",
        dept: "Sở Xây dựng",
        commune_pct: 10,
        bias: Bias::Mixed,
        commune_agency: None,
        legal: &[
            "Luật Giao thông đường thủy nội địa số 23/2004/QH11",
            "Luật số 48/2014/QH13",
            "Nghị định 08/2021/NĐ-CP",
        ],
        objects: &[
            o("phương tiện thủy nội địa", "inland waterway vessels", &[V::DangKy, V::DangKyLai, V::XoaDangKy]),
            o(
                "giấy phép hoạt động bến thủy nội địa",
                "operating licences for inland waterway wharves",
                &[V::Cap, V::CapLai, V::GiaHan],
            ),
            person(o(
                "chứng chỉ chuyên môn người lái phương tiện thủy nội địa",
                "certificates for inland waterway vessel operators",
                CERT,
            )),
            o("hoạt động cảng, bến thủy nội địa", "operation of inland ports and wharves", &[V::CongBo]),
            o(
                "phương án bảo đảm an toàn giao thông đường thủy nội địa",
                "inland waterway traffic safety plans",
                &[V::PheDuyet],
            ),
            o(
                "giấy chứng nhận an toàn kỹ thuật và bảo vệ môi trường phương tiện thủy nội địa",
                "safety and environmental certificates for inland vessels",
                &[V::Cap, V::CapLai],
            ),
        ],
    },
    FieldDef {
        vi: "Thành lập và hoạt động của hộ kinh doanh",
        en: "Household business establishment and operation",
        dept: "Sở Tài chính",
        commune_pct: 100,
        bias: Bias::Citizens,
        commune_agency: None,
        legal: &["Nghị định 168/2025/NĐ-CP", "Thông tư 85/2019/TT-BTC"],
        objects: &[
            o("thay đổi nội dung đăng ký hộ kinh doanh", "changes to household business registration", &[V::DangKy]),
            o("tạm ngừng kinh doanh của hộ kinh doanh", "suspension of a household business", &[V::ThongBao]),
            o(
                "tiếp tục kinh doanh trước thời hạn của hộ kinh doanh",
                "early resumption of a household business",
                &[V::ThongBao],
            ),
            o("chấm dứt hoạt động của hộ kinh doanh", "closure of a household business", &[V::ThongBao]),
            o("địa điểm kinh doanh của hộ kinh doanh", "household business locations", &[V::ThongBao]),
            o("Giấy chứng nhận đăng ký hộ kinh doanh", "household business registration certificates", &[V::CapLai]),
        ],
    },
    FieldDef {
        vi: "Thành lập và hoạt động doanh nghiệp",
        en: "Enterprise establishment and operation",
        dept: "Sở Tài chính",
        commune_pct: 0,
        bias: Bias::Orgs,
        commune_agency: None,
        legal: &["Luật Doanh nghiệp số 59/2020/QH14", "Nghị định 168/2025/NĐ-CP", "Thông tư 47/2019/TT-BTC"],
        objects: &[
            o("thành lập doanh nghiệp tư nhân", "establishment of private enterprises", &[V::DangKy]),
            o(
                "thành lập công ty trách nhiệm hữu hạn một thành viên",
                "establishment of single-member limited liability companies",
                &[V::DangKy],
            ),
            o("thành lập công ty cổ phần", "establishment of joint-stock companies", &[V::DangKy]),
            o("thành lập công ty hợp danh", "establishment of partnerships", &[V::DangKy]),
            o("thay đổi vốn điều lệ", "changes of charter capital", &[V::DangKy]),
            o("thành lập hợp tác xã", "establishment of cooperatives", &[V::DangKy]),
            o("thay đổi ngành, nghề kinh doanh", "changes of business lines", &[V::ThongBao]),
            o("tạm ngừng kinh doanh", "business suspension", &[V::ThongBao]),
            o("thay đổi người đại diện theo pháp luật", "changes of legal representative", &[V::DangKy]),
            o(
                "hoạt động chi nhánh, văn phòng đại diện, địa điểm kinh doanh",
                "branches, representative offices and business locations",
                &[V::DangKy, V::ChamDut],
            ),
            o("Giấy chứng nhận đăng ký doanh nghiệp", "enterprise registration certificates", &[V::CapLai]),
            o("giải thể doanh nghiệp", "dissolution of enterprises", &[V::DangKy, V::ThongBao]),
        ],
    },
    FieldDef {
        vi: "Việc làm",
        en: "Employment",
        dept: "Sở Nội vụ",
        commune_pct: 0,
        bias: Bias::Mixed,
        commune_agency: None,
        legal: &[
            "Luật Việc làm số 38/2013/QH13",
            "Nghị định 28/2015/NĐ-CP",
            "Nghị định 152/2020/NĐ-CP",
            "Nghị định 23/2021/NĐ-CP",
        ],
        objects: &[
            org(o("giấy phép lao động cho người lao động nước ngoài", "work permits for foreign workers", ISSUE_FULL)),
            org(o("giấy phép hoạt động dịch vụ việc làm", "employment service licences", ISSUE_FULL)),
            person(o("tìm kiếm việc làm hằng tháng", "monthly job searches", &[V::ThongBao])),
            org(o("nội quy lao động", "workplace regulations", &[V::DangKy])),
            org(o(
                "hợp đồng đưa người lao động đi làm việc ở nước ngoài",
                "contracts sending workers abroad",
                &[V::DangKy],
            )),
            o("hưởng trợ cấp thất nghiệp", "unemployment benefits", &[V::TamDung, V::ChuyenNoi]),
            o("hỗ trợ học nghề", "vocational training support", &[V::GiaiQuyet]),
            o("nhu cầu sử dụng người lao động nước ngoài", "demand for foreign workers", &[V::ChapThuan]),
            o(
                "người lao động nước ngoài không thuộc diện cấp giấy phép lao động",
                "foreign workers exempt from work permits",
                &[V::XacNhan],
            ),
        ],
    },
    FieldDef {
        vi: "Bảo trợ xã hội",
        en: "Social protection",
        dept: "Sở Y tế",
        commune_pct: 70,
        bias: Bias::Citizens,
        commune_agency: None,
        legal: &[
            "Nghị định 20/2021/NĐ-CP",
            "Luật Người khuyết tật số 51/2010/QH12",
            "Luật Người cao tuổi số 39/2009/QH12",
        ],
        objects: &[
            o("trợ cấp xã hội hằng tháng", "monthly social allowances", &[V::ThucHien, V::DieuChinh, V::ThoiHuong]),
            o("hỗ trợ chi phí mai táng", "funeral cost support", &[V::GiaiQuyet]),
            o("mức độ khuyết tật", "disability level", &[V::XacDinh, V::XacDinhLai]),
            o("giấy xác nhận khuyết tật", "disability certificates", &[V::CapLai, V::CapDoi]),
            o("hộ nghèo, hộ cận nghèo", "poor and near-poor households", &[V::XacNhan]),
            o(
                "đối tượng bảo trợ xã hội vào cơ sở trợ giúp xã hội",
                "social protection beneficiaries into care facilities",
                &[V::TiepNhan],
            ),
            o("hỗ trợ khẩn cấp khi bị thiệt hại về nhà ở", "emergency housing support", &[V::GiaiQuyet]),
            o(
                "trẻ em có hoàn cảnh đặc biệt vào cơ sở nuôi dưỡng",
                "children in special circumstances into care",
                &[V::TiepNhan],
            ),
            o("hỗ trợ kinh phí chăm sóc, nuôi dưỡng", "care and upbringing allowances", &[V::ThucHien, V::ThoiHuong]),
            org(o(
                "giấy phép hoạt động cơ sở trợ giúp xã hội",
                "operating licences for social assistance facilities",
                &[V::Cap, V::CapLai, V::DieuChinh],
            )),
        ],
    },
    FieldDef {
        vi: "Người có công",
        en: "People with meritorious services",
        dept: "Sở Nội vụ",
        commune_pct: 40,
        bias: Bias::Citizens,
        commune_agency: None,
        legal: &["Pháp lệnh Ưu đãi người có công với cách mạng số 02/2020/UBTVQH14", "Nghị định 131/2021/NĐ-CP"],
        objects: &[
            o(
                "trợ cấp một lần đối với thân nhân người có công",
                "one-off allowances for relatives of people with meritorious services",
                &[V::GiaiQuyet],
            ),
            o("chế độ ưu đãi trong giáo dục đào tạo", "education and training benefits", &[V::GiaiQuyet, V::ThoiHuong]),
            o("Bằng Tổ quốc ghi công", "Fatherland Gratitude certificates", &[V::CapLai, V::CapDoi]),
            o("hồ sơ người có công", "files of people with meritorious services", &[V::DiChuyen]),
            o("chế độ điều dưỡng phục hồi sức khỏe", "health rehabilitation care", &[V::GiaiQuyet]),
            o("giấy chứng nhận thương binh", "war invalid certificates", &[V::CapLai, V::CapDoi]),
            o(
                "người hoạt động kháng chiến bị nhiễm chất độc hóa học",
                "resistance fighters exposed to toxic chemicals",
                &[V::CongNhan],
            ),
            o("thân nhân liệt sĩ", "martyrs' relatives", &[V::XacNhan]),
            o(
                "trợ cấp mai táng đối với thân nhân người có công",
                "funeral allowances for families of people with meritorious services",
                &[V::GiaiQuyet],
            ),
        ],
    },
    FieldDef {
        vi: "Giáo dục và Đào tạo",
        en: "Education and training",
        dept: "Sở Giáo dục và Đào tạo",
        commune_pct: 25,
        bias: Bias::Mixed,
        commune_agency: None,
        legal: &["Luật Giáo dục số 43/2019/QH14", "Nghị định 125/2024/NĐ-CP", "Nghị định 46/2017/NĐ-CP"],
        objects: &[
            org(o("trường mầm non đạt chuẩn quốc gia", "national-standard preschools", &[V::CongNhan, V::CongNhanLai])),
            org(o(
                "trường tiểu học đạt chuẩn quốc gia",
                "national-standard primary schools",
                &[V::CongNhan, V::CongNhanLai],
            )),
            org(o(
                "trường trung học cơ sở đạt chuẩn quốc gia",
                "national-standard lower secondary schools",
                &[V::CongNhan, V::CongNhanLai],
            )),
            org(o("trường mầm non tư thục hoạt động giáo dục", "private preschools to operate", &[V::ChoPhep])),
            org(o("hoạt động giáo dục nghề nghiệp", "vocational education activities", &[V::DangKy])),
            org(at(Level::Commune, o("trung tâm học tập cộng đồng", "community learning centres", &[V::ThanhLap]))),
            o(
                "bản sao văn bằng, chứng chỉ từ sổ gốc",
                "copies of diplomas and certificates from the master register",
                &[V::Cap],
            ),
            o("nội dung văn bằng, chứng chỉ", "diploma and certificate details", &[V::ChinhSua]),
            o(
                "giấy phép hoạt động trung tâm ngoại ngữ, tin học",
                "licences for foreign language and IT centres",
                &[V::Cap, V::GiaHan, V::ThuHoi],
            ),
            org(o(
                "xã đạt chuẩn phổ cập giáo dục, xóa mù chữ",
                "communes meeting universal education and literacy standards",
                &[V::CongNhan],
            )),
        ],
    },
    FieldDef {
        vi: "Y tế",
        en: "Health",
        dept: "Sở Y tế",
        commune_pct: 0,
        bias: Bias::Mixed,
        commune_agency: None,
        legal: &["Luật Khám bệnh, chữa bệnh số 15/2023/QH15", "Nghị định 96/2023/NĐ-CP", "Luật Dược số 105/2016/QH13"],
        objects: &[
            person(o("giấy phép hành nghề khám bệnh, chữa bệnh", "medical practice licences", ISSUE_FULL)),
            person(o("chứng chỉ hành nghề khám bệnh, chữa bệnh", "medical practice certificates", CERT)),
            org(o("giấy phép hoạt động khám bệnh, chữa bệnh", "operating licences for medical facilities", ISSUE_FULL)),
            org(o("cơ sở đủ điều kiện khám sức khỏe", "facilities qualified for health checks", &[V::CongBo])),
            org(o("cơ sở đủ điều kiện tiêm chủng", "facilities qualified for vaccination", &[V::CongBo])),
            org(o("danh mục kỹ thuật chuyên môn", "lists of clinical techniques", &[V::PheDuyet])),
            person(o("chứng chỉ hành nghề dược", "pharmacy practice certificates", CERT)),
            o("nội dung quảng cáo mỹ phẩm", "cosmetics advertisement content", &[V::XacNhan]),
            org(o(
                "giấy chứng nhận đủ điều kiện sản xuất mỹ phẩm",
                "cosmetics manufacturing eligibility certificates",
                &[V::Cap, V::CapLai, V::DieuChinh],
            )),
            o(
                "giấy chứng nhận đủ điều kiện kinh doanh dược",
                "pharmaceutical business eligibility certificates",
                &[V::Cap, V::CapLai, V::DieuChinh, V::ThuHoi],
            ),
        ],
    },
    FieldDef {
        vi: "An toàn thực phẩm",
        en: "Food safety",
        dept: "Sở Y tế",
        commune_pct: 15,
        bias: Bias::Mixed,
        commune_agency: None,
        legal: &["Luật An toàn thực phẩm số 55/2010/QH12", "Nghị định 15/2018/NĐ-CP", "Thông tư 67/2021/TT-BTC"],
        objects: &[
            o(
                "giấy chứng nhận đủ điều kiện an toàn thực phẩm",
                "food safety eligibility certificates",
                &[V::Cap, V::CapLai, V::ThuHoi],
            ),
            o("bản công bố sản phẩm", "product declarations", &[V::DangKy]),
            o(
                "giấy chứng nhận đủ điều kiện sản xuất thực phẩm bảo vệ sức khỏe",
                "eligibility certificates for health supplement production",
                &[V::Cap, V::CapLai],
            ),
            o("giấy xác nhận nội dung quảng cáo thực phẩm", "food advertisement approvals", &[V::Cap]),
            o("giấy xác nhận kiến thức về an toàn thực phẩm", "food safety knowledge certificates", &[V::Cap]),
            o(
                "giấy chứng nhận lưu hành tự do đối với thực phẩm xuất khẩu",
                "free sale certificates for exported food",
                &[V::Cap],
            ),
        ],
    },
    FieldDef {
        vi: "Tài nguyên và Môi trường",
        en: "Natural resources and environment",
        dept: "Sở Nông nghiệp và Môi trường",
        commune_pct: 0,
        bias: Bias::Mixed,
        commune_agency: None,
        legal: &[
            "Luật Bảo vệ môi trường số 72/2020/QH14",
            "Nghị định 08/2022/NĐ-CP",
            "Nghị định 05/2025/NĐ-CP",
            "Luật Tài nguyên nước số 28/2023/QH15",
        ],
        objects: &[
            o("giấy phép môi trường", "environmental permits", &[V::Cap, V::CapLai, V::CapDoi, V::DieuChinh]),
            org(at(
                Level::Province,
                o("báo cáo đánh giá tác động môi trường", "environmental impact assessment reports", &[V::ThamDinh]),
            )),
            o("giấy phép xả nước thải vào nguồn nước", "wastewater discharge licences", ISSUE_FULL),
            org(o("giấy phép xử lý chất thải nguy hại", "hazardous waste treatment licences", ISSUE_FULL)),
            o(
                "giấy phép khai thác, sử dụng nước mặt",
                "surface water use licences",
                &[V::Cap, V::GiaHan, V::DieuChinh],
            ),
            o(
                "phương án cải tạo, phục hồi môi trường",
                "environmental rehabilitation plans",
                &[V::ThamDinh, V::PheDuyet],
            ),
            o("giấy phép khai thác nước dưới đất", "groundwater extraction licences", ISSUE_FULL),
            o(
                "giấy phép khai thác khoáng sản làm vật liệu xây dựng thông thường",
                "licences to mine common construction minerals",
                &[V::Cap, V::GiaHan, V::ThuHoi],
            ),
            at(Level::Commune, o("môi trường", "environmental particulars", &[V::DangKy])),
        ],
    },
    FieldDef {
        vi: "Thủy sản",
        en: "Fisheries",
        dept: "Sở Nông nghiệp và Môi trường",
        commune_pct: 10,
        bias: Bias::Mixed,
        commune_agency: None,
        legal: &["Luật Thủy sản số 18/2017/QH14", "Nghị định 26/2019/NĐ-CP", "Nghị định 37/2024/NĐ-CP"],
        objects: &[
            o("giấy phép khai thác thủy sản", "fishing licences", &[V::Cap, V::CapLai, V::GiaHan, V::ThuHoi]),
            o(
                "giấy chứng nhận cơ sở đủ điều kiện sản xuất, ương dưỡng giống thủy sản",
                "eligibility certificates for aquatic breed production",
                &[V::Cap, V::CapLai],
            ),
            o("tàu cá", "fishing vessels", &[V::DangKy, V::XoaDangKy]),
            o(
                "giấy phép nuôi trồng thủy sản trên biển",
                "marine aquaculture licences",
                &[V::Cap, V::CapLai, V::GiaHan],
            ),
            o(
                "văn bản chấp thuận đóng mới, cải hoán tàu cá",
                "approvals for building or converting fishing vessels",
                &[V::Cap],
            ),
            o("đăng ký nuôi trồng thủy sản lồng bè", "cage aquaculture registration", &[V::XacNhan]),
            o(
                "giấy chứng nhận an toàn kỹ thuật tàu cá",
                "fishing vessel technical safety certificates",
                &[V::Cap, V::CapLai],
            ),
        ],
    },
    FieldDef {
        vi: "Thú y",
        en: "Veterinary",
        dept: "Sở Nông nghiệp và Môi trường",
        commune_pct: 10,
        bias: Bias::Mixed,
        commune_agency: None,
        legal: &["Luật Thú y số 79/2015/QH13", "Nghị định 35/2016/NĐ-CP", "Thông tư 25/2016/TT-BNNPTNT"],
        objects: &[
            o(
                "giấy chứng nhận kiểm dịch động vật, sản phẩm động vật vận chuyển ra khỏi địa bàn cấp tỉnh",
                "quarantine certificates for animals and animal products leaving the province",
                &[V::Cap],
            ),
            person(o(
                "chứng chỉ hành nghề thú y",
                "veterinary practice certificates",
                &[V::Cap, V::CapLai, V::GiaHan, V::ThuHoi],
            )),
            o(
                "giấy chứng nhận kiểm dịch thủy sản, sản phẩm thủy sản vận chuyển ra khỏi địa bàn cấp tỉnh",
                "quarantine certificates for aquatic animals and products leaving the province",
                &[V::Cap],
            ),
            o(
                "giấy chứng nhận cơ sở an toàn dịch bệnh động vật",
                "animal disease-free facility certificates",
                &[V::Cap, V::CapLai],
            ),
            o("giấy chứng nhận đủ điều kiện vệ sinh thú y", "veterinary hygiene certificates", &[V::Cap, V::CapLai]),
            org(o(
                "giấy chứng nhận đủ điều kiện buôn bán thuốc thú y",
                "veterinary drug trading certificates",
                &[V::Cap, V::CapLai],
            )),
        ],
    },
    FieldDef {
        vi: "Lưu thông hàng hóa trong nước",
        en: "Domestic trade",
        dept: "Sở Công Thương",
        commune_pct: 20,
        bias: Bias::Mixed,
        commune_agency: None,
        legal: &[
            "Luật Thương mại số 36/2005/QH11",
            "Nghị định 105/2017/NĐ-CP",
            "Nghị định 98/2020/NĐ-CP",
            "Nghị định 83/2014/NĐ-CP",
        ],
        objects: &[
            o("giấy phép bán lẻ sản phẩm rượu", "liquor retail licences", &[V::Cap, V::CapLai, V::DieuChinh]),
            at(
                Level::Province,
                o("giấy phép bán buôn sản phẩm rượu", "liquor wholesale licences", &[V::Cap, V::CapLai, V::DieuChinh]),
            ),
            o(
                "giấy chứng nhận đủ điều kiện kinh doanh khí",
                "gas trading eligibility certificates",
                &[V::Cap, V::CapLai, V::DieuChinh],
            ),
            o("giấy phép bán lẻ sản phẩm thuốc lá", "tobacco retail licences", &[V::Cap, V::CapLai, V::DieuChinh]),
            o(
                "giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu",
                "petrol retail eligibility certificates",
                &[V::Cap, V::CapLai, V::DieuChinh],
            ),
            o(
                "giấy phép sản xuất rượu thủ công nhằm mục đích kinh doanh",
                "licences for artisanal liquor production",
                &[V::Cap, V::CapLai],
            ),
            at(
                Level::Province,
                o(
                    "giấy chứng nhận đủ điều kiện sản xuất, kinh doanh hóa chất",
                    "chemical production and trading certificates",
                    &[V::Cap, V::CapLai, V::DieuChinh],
                ),
            ),
        ],
    },
    FieldDef {
        vi: "Văn hóa - Thể thao và Du lịch",
        en: "Culture, sports and tourism",
        dept: "Sở Văn hóa, Thể thao và Du lịch",
        commune_pct: 20,
        bias: Bias::Mixed,
        commune_agency: None,
        legal: &["Luật Du lịch số 09/2017/QH14", "Nghị định 168/2017/NĐ-CP", "Nghị định 144/2020/NĐ-CP"],
        objects: &[
            at(
                Level::Province,
                o(
                    "giấy phép kinh doanh dịch vụ lữ hành nội địa",
                    "domestic travel service licences",
                    &[V::Cap, V::CapLai, V::CapDoi, V::ThuHoi],
                ),
            ),
            person(at(
                Level::Province,
                o("thẻ hướng dẫn viên du lịch", "tour guide cards", &[V::Cap, V::CapLai, V::CapDoi]),
            )),
            at(
                Level::Province,
                o(
                    "giấy chứng nhận đủ điều kiện kinh doanh hoạt động thể thao",
                    "sports business eligibility certificates",
                    &[V::Cap, V::DieuChinh],
                ),
            ),
            org(o("hạng cơ sở lưu trú du lịch", "tourist accommodation ratings", &[V::CongNhan])),
            at(Level::Province, o("dự án tu bổ, phục hồi di tích", "monument restoration projects", &[V::ThamDinh])),
            o(
                "giấy phép đủ điều kiện kinh doanh dịch vụ karaoke",
                "karaoke business licences",
                &[V::Cap, V::DieuChinh],
            ),
            at(Level::Commune, o("danh hiệu Gia đình văn hóa", "the Cultured Family title", &[V::XetTang])),
            o("tổ chức lễ hội", "festival organisation", &[V::DangKy, V::ThongBao]),
            o("tổ chức biểu diễn nghệ thuật", "performing arts events", &[V::ThongBao]),
            org(at(Level::Province, o("giấy phép xuất bản bản tin", "newsletter publishing permits", &[V::Cap]))),
            at(Level::Province, o("giấy phép tổ chức triển lãm", "exhibition permits", &[V::Cap])),
        ],
    },
    FieldDef {
        vi: "Quản lý thuế",
        en: "Tax administration",
        dept: "Thuế thành phố Hải Phòng",
        commune_pct: 0,
        bias: Bias::Mixed,
        commune_agency: None,
        legal: &["Luật Quản lý thuế số 38/2019/QH14", "Nghị định 126/2020/NĐ-CP", "Thông tư 86/2024/TT-BTC"],
        objects: &[
            o("thuế lần đầu", "tax for the first time", &[V::DangKy]),
            o("thông tin đăng ký thuế", "tax registration details", &[V::ThayDoi]),
            o("mã số thuế", "tax identification numbers", &[V::KhoiPhuc]),
            o("hồ sơ hoàn thuế", "tax refund claims", &[V::GiaiQuyet]),
            o("hồ sơ miễn, giảm thuế", "tax exemption and reduction claims", &[V::GiaiQuyet]),
            person(o("người phụ thuộc giảm trừ gia cảnh", "dependants for family deductions", &[V::DangKy])),
            o("sử dụng hóa đơn điện tử", "use of e-invoices", &[V::DangKy]),
        ],
    },
    FieldDef {
        vi: "Thi đua - Khen thưởng",
        en: "Emulation and commendation",
        dept: "Sở Nội vụ",
        commune_pct: 30,
        bias: Bias::Mixed,
        commune_agency: None,
        legal: &["Luật Thi đua, khen thưởng số 06/2022/QH15", "Nghị định 98/2023/NĐ-CP"],
        objects: &[
            at(
                Level::Commune,
                o(
                    "Giấy khen của Chủ tịch Ủy ban nhân dân cấp xã",
                    "Certificates of Merit from the commune chair",
                    &[V::Tang],
                ),
            ),
            at(
                Level::Province,
                o(
                    "Bằng khen của Chủ tịch Ủy ban nhân dân thành phố",
                    "Certificates of Merit from the city chair",
                    &[V::Tang],
                ),
            ),
            person(o("danh hiệu Lao động tiên tiến", "the Advanced Worker title", &[V::XetTang])),
            org(o("danh hiệu Tập thể lao động tiên tiến", "the Advanced Collective title", &[V::XetTang])),
            at(
                Level::Province,
                o("Giấy khen của Giám đốc Sở", "Certificates of Merit from a department director", &[V::Tang]),
            ),
            person(o("danh hiệu Chiến sĩ thi đua cơ sở", "the Grassroots Emulation Fighter title", &[V::XetTang])),
        ],
    },
];

fn field_index(name: &str) -> usize {
    FIELDS.iter().position(|f| f.vi == name).unwrap_or_else(|| panic!("unknown field {name}"))
}

/// When a qualifier may be added to a verb × object pair.
enum Rule {
    Always,
    /// Fixes the level; only for fields that exist at both levels.
    Level(Level),
    /// Fixes the applicant; only for fields open to both.
    Subject(Subject),
    Verbs(&'static [Verb]),
    Class(Class),
    /// Organisation-only permits.
    ForeignOrg,
    /// Permits and appraisals handled for industrial parks; organisations only.
    IndustrialZone,
    /// Household-business variant of a permit or registration.
    Household,
    /// Civil status, authentication, land and residence matters of overseas Vietnamese.
    Overseas,
    /// Registrations and notices that can be done wholly online.
    Online,
    /// First issue or registration ("... lần đầu").
    FirstTime,
    /// Commune-level procedures run by a special zone.
    SpecialZone,
    /// Schools, clinics and other establishments outside the public sector.
    NonPublic,
    /// Small food, trade and veterinary businesses.
    SmallBusiness,
    /// Appraisals of publicly funded projects.
    PublicInvestment,
}

struct Qual {
    vi: &'static str,
    en: &'static str,
    rule: Rule,
}

const QUALS: &[Qual] = &[
    Qual { vi: "", en: "", rule: Rule::Always },
    Qual { vi: " (cấp tỉnh)", en: " (provincial level)", rule: Rule::Level(Level::Province) },
    Qual { vi: " (cấp xã)", en: " (commune level)", rule: Rule::Level(Level::Commune) },
    Qual { vi: " đối với tổ chức", en: " for organisations", rule: Rule::Subject(Subject::Organization) },
    Qual { vi: " đối với cá nhân", en: " for individuals", rule: Rule::Subject(Subject::Citizen) },
    Qual { vi: " do bị mất, hư hỏng", en: " after loss or damage", rule: Rule::Verbs(&[V::CapLai, V::CapDoi]) },
    Qual {
        vi: " do thay đổi thông tin", en: " after a change of details", rule: Rule::Verbs(&[V::CapLai, V::CapDoi])
    },
    Qual { vi: " do hết hạn", en: " on expiry", rule: Rule::Verbs(&[V::CapDoi]) },
    Qual {
        vi: " cho doanh nghiệp có vốn đầu tư nước ngoài",
        en: " for foreign-invested enterprises",
        rule: Rule::ForeignOrg,
    },
    Qual {
        vi: " trong khu công nghiệp, khu kinh tế",
        en: " in industrial parks and economic zones",
        rule: Rule::IndustrialZone,
    },
    Qual { vi: " đối với hộ kinh doanh", en: " for household businesses", rule: Rule::Household },
    Qual {
        vi: " cho người Việt Nam định cư ở nước ngoài", en: " for overseas Vietnamese", rule: Rule::Overseas
    },
    Qual {
        vi: " theo thủ tục rút gọn", en: " under the simplified procedure", rule: Rule::Class(Class::Review)
    },
    Qual { vi: " trên môi trường điện tử", en: " online", rule: Rule::Online },
    Qual { vi: " lần đầu", en: " for the first time", rule: Rule::FirstTime },
    Qual { vi: " tại đặc khu", en: " in special zones", rule: Rule::SpecialZone },
    Qual {
        vi: " đối với cơ sở ngoài công lập", en: " for non-public establishments", rule: Rule::NonPublic
    },
    Qual {
        vi: " đối với cơ sở sản xuất, kinh doanh nhỏ lẻ", en: " for small businesses", rule: Rule::SmallBusiness
    },
    Qual {
        vi: " đối với dự án sử dụng vốn đầu tư công",
        en: " for public investment projects",
        rule: Rule::PublicInvestment,
    },
];

/// Scopes appended once the verb × object × qualifier space is used up (large catalogs only), so
/// 10,000 and 50,000 records stay mostly distinct instead of repeating the same few thousand.
const AREAS: &[(&str, &str)] = &[
    (" trong khu công nghiệp", " in industrial parks"),
    (" trong khu kinh tế", " in economic zones"),
    (" tại đặc khu Cát Hải", " in Cát Hải special zone"),
    (" trong khu công nghệ cao", " in high-tech parks"),
    (" tại khu vực cảng biển", " in seaport areas"),
    (" theo cơ chế liên thông", " under the inter-agency mechanism"),
    (" đối với đơn vị sự nghiệp công lập", " for public service units"),
    (" tại đặc khu Bạch Long Vĩ", " in Bạch Long Vĩ special zone"),
    (" tại khu bảo tồn thiên nhiên", " in nature reserves"),
    (" tại vùng ven biển", " in coastal areas"),
    (" trong cụm công nghiệp", " in industrial clusters"),
    (" tại khu kinh tế Đình Vũ - Cát Hải", " in Đình Vũ - Cát Hải economic zone"),
    (" tại khu đô thị mới", " in new urban areas"),
    (" tại khu vực nông thôn", " in rural areas"),
    (" trong khu chế xuất", " in export processing zones"),
    (" tại khu du lịch Đồ Sơn", " in Đồ Sơn tourist area"),
    (" tại cảng hàng không Cát Bi", " at Cát Bi airport"),
    (" tại các xã ven sông", " in riverside communes"),
    (" trong vùng bảo vệ đê điều", " in dyke protection zones"),
    (" tại khu vực biên giới biển", " in maritime border areas"),
];

/// New-placement syllables and their old-placement spelling ("hòa" -> "hoà").
const OLD_TONE: &[(&str, &str)] = &[
    ("hòa", "hoà"),
    ("Hòa", "Hoà"),
    ("thủy", "thuỷ"),
    ("Thủy", "Thuỷ"),
    ("khỏe", "khoẻ"),
    ("hóa", "hoá"),
    ("xóa", "xoá"),
    ("Xóa", "Xoá"),
    ("thỏa", "thoả"),
    ("Ủy", "Uỷ"),
    ("ủy", "uỷ"),
];

fn has_new_tone(s: &str) -> bool {
    OLD_TONE.iter().any(|(new, _)| s.contains(new))
}

fn old_tone(s: &str) -> String {
    OLD_TONE.iter().fold(s.to_owned(), |acc, (new, old)| acc.replace(new, old))
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Forms
// ---------------------------------------------------------------------------------------------

struct SelectDef {
    key: &'static str,
    label: &'static str,
    label_en: &'static str,
    options: &'static [(&'static str, &'static str, &'static str)],
}

const SEL_DELIVERY: SelectDef = SelectDef {
    key: "hinh_thuc_nhan_ket_qua",
    label: "Hình thức nhận kết quả",
    label_en: "How to receive the result",
    options: &[
        ("truc_tiep", "Nhận trực tiếp", "In person"),
        ("buu_chinh", "Qua bưu chính", "By post"),
        ("ban_dien_tu", "Bản điện tử", "Electronic copy"),
    ],
};

const SEL_REASON: SelectDef = SelectDef {
    key: "ly_do_de_nghi",
    label: "Lý do đề nghị",
    label_en: "Reason for the request",
    options: &[
        ("cap_moi", "Cấp mới", "New issuance"),
        ("het_han", "Hết hạn", "Expired"),
        ("mat_hong", "Bị mất, hư hỏng", "Lost or damaged"),
        ("thay_doi", "Thay đổi thông tin", "Change of details"),
    ],
};

const SEL_BENEFICIARY: SelectDef = SelectDef {
    key: "doi_tuong",
    label: "Đối tượng",
    label_en: "Category of applicant",
    options: &[
        ("nguoi_cao_tuoi", "Người cao tuổi", "Older person"),
        ("nguoi_khuyet_tat", "Người khuyết tật", "Person with disability"),
        ("tre_em", "Trẻ em có hoàn cảnh đặc biệt", "Child in special circumstances"),
        ("khac", "Đối tượng khác", "Other"),
    ],
};

const SEL_APPLICANT: SelectDef = SelectDef {
    key: "loai_hinh",
    label: "Loại hình",
    label_en: "Type of applicant",
    options: &[
        ("ca_nhan", "Cá nhân", "Individual"),
        ("ho_gia_dinh", "Hộ gia đình", "Household"),
        ("to_chuc", "Tổ chức", "Organisation"),
        ("doanh_nghiep", "Doanh nghiệp", "Enterprise"),
    ],
};

const SEL_RELATION: SelectDef = SelectDef {
    key: "quan_he",
    label: "Quan hệ với người được đăng ký",
    label_en: "Relationship to the person registered",
    options: &[
        ("cha", "Cha", "Father"),
        ("me", "Mẹ", "Mother"),
        ("ong_ba", "Ông, bà", "Grandparent"),
        ("nguoi_than", "Người thân thích khác", "Other relative"),
    ],
};

const SEL_EXTRACT: SelectDef = SelectDef {
    key: "loai_trich_luc",
    label: "Loại trích lục",
    label_en: "Type of extract",
    options: &[
        ("khai_sinh", "Trích lục khai sinh", "Birth extract"),
        ("ket_hon", "Trích lục kết hôn", "Marriage extract"),
        ("khai_tu", "Trích lục khai tử", "Death extract"),
    ],
};

const SEL_LICENCE_CLASS: SelectDef = SelectDef {
    key: "hang_giay_phep",
    label: "Hạng giấy phép lái xe",
    label_en: "Driving licence class",
    options: &[
        ("a1", "Hạng A1", "Class A1"),
        ("a", "Hạng A", "Class A"),
        ("b", "Hạng B", "Class B"),
        ("c1", "Hạng C1", "Class C1"),
    ],
};

const SEL_PURPOSE: SelectDef = SelectDef {
    key: "muc_dich",
    label: "Mục đích sử dụng",
    label_en: "Purpose",
    options: &[
        ("xin_viec", "Xin việc làm", "Employment"),
        ("ket_hon", "Đăng ký kết hôn", "Marriage registration"),
        ("di_nuoc_ngoai", "Học tập, làm việc ở nước ngoài", "Study or work abroad"),
        ("khac", "Mục đích khác", "Other"),
    ],
};

fn form_field(key: &str, label: &str, label_en: &str, kind: FieldKind, required: bool) -> FormField {
    FormField {
        key: key.to_owned(),
        label: label.to_owned(),
        label_en: Some(label_en.to_owned()),
        kind,
        required,
        min_length: None,
        max_length: None,
        pattern: None,
        options: Vec::new(),
    }
}

/// An e-form of 3–8 fields: identity first, one select, the commitment last.
fn build_form(rng: &mut Rng, subjects: &[Subject], select: &SelectDef, all_options: bool) -> FormSchema {
    let mut fields = vec![
        FormField {
            max_length: Some(100), ..form_field("ho_ten", "Họ và tên", "Full name", FieldKind::Text, true)
        },
        form_field("so_cccd", "Số CCCD", "Citizen ID number", FieldKind::Cccd, true),
    ];
    if rng.percent(25) {
        fields.push(form_field("ngay_sinh", "Ngày sinh", "Date of birth", FieldKind::Date, true));
    }
    if rng.percent(45) {
        let required = rng.percent(60);
        fields.push(form_field("so_dien_thoai", "Số điện thoại", "Phone number", FieldKind::Phone, required));
    }
    if rng.percent(15) {
        fields.push(form_field("email", "Thư điện tử", "Email", FieldKind::Email, false));
    }
    // Organisations name themselves; where individuals may apply too, only some forms ask.
    if subjects.contains(&Subject::Organization) && (subjects.len() == 1 || rng.percent(40)) {
        let required = subjects.len() == 1;
        fields.push(FormField {
            max_length: Some(200),
            ..form_field("ten_to_chuc", "Tên tổ chức", "Organisation name", FieldKind::Text, required)
        });
    }
    // Mostly two or three choices; sometimes the whole list.
    let len = select.options.len();
    let shown = if all_options || rng.percent(15) { len } else { 2 + rng.index(len.min(3) - 1) };
    fields.push(FormField {
        options: select.options[..shown]
            .iter()
            .map(|(value, label, label_en)| FormOption {
                value: (*value).to_owned(),
                label: (*label).to_owned(),
                label_en: Some((*label_en).to_owned()),
            })
            .collect(),
        ..form_field(select.key, select.label, select.label_en, FieldKind::Select, true)
    });
    if rng.percent(10) {
        fields.push(form_field("so_ban", "Số bản đề nghị cấp", "Number of copies requested", FieldKind::Number, false));
    }
    if rng.percent(15) {
        fields.push(FormField {
            max_length: Some(2000),
            ..form_field("noi_dung", "Nội dung đề nghị", "Details of the request", FieldKind::Textarea, false)
        });
    }
    if rng.percent(35) {
        fields.push(form_field(
            "cam_ket",
            "Tôi cam đoan những nội dung khai trên là đúng sự thật",
            "I declare that the information above is true",
            FieldKind::Checkbox,
            true,
        ));
    }
    // Trim optional extras, least useful first, never identity, select or commitment.
    for key in ["so_ban", "noi_dung", "email", "ngay_sinh"] {
        if fields.len() <= 8 {
            break;
        }
        fields.retain(|f| f.key != key);
    }
    FormSchema { version: 1, fields }
}

fn default_select(rng: &mut Rng, class: Class, subjects: &[Subject]) -> &'static SelectDef {
    if rng.percent(40) {
        return &SEL_DELIVERY;
    }
    match class {
        Class::Issue => &SEL_REASON,
        Class::Benefit => &SEL_BENEFICIARY,
        Class::Register | Class::Review if subjects.len() > 1 => &SEL_APPLICANT,
        _ => &SEL_DELIVERY,
    }
}

// ---------------------------------------------------------------------------------------------
// Record parts shared by hand-written and template records
// ---------------------------------------------------------------------------------------------

/// Published time limits and their day counts; "Trong ngày" counts as one day.
const TIMES: &[(&str, Option<u32>)] = &[
    ("Trong ngày", Some(1)),
    ("01 ngày làm việc", Some(1)),
    ("02 ngày làm việc", Some(2)),
    ("03 ngày làm việc", Some(3)),
    ("05 ngày làm việc", Some(5)),
    ("07 ngày làm việc", Some(7)),
    ("10 ngày làm việc", Some(10)),
    ("12 ngày làm việc", Some(12)),
    ("15 ngày làm việc", Some(15)),
    ("15 ngày", Some(15)),
    ("20 ngày làm việc", Some(20)),
    ("30 ngày", Some(30)),
    ("45 ngày", Some(45)),
    ("Theo quy định của pháp luật chuyên ngành", None),
];

fn processing_time(rng: &mut Rng, level: Level, class: Class) -> (String, Option<u32>) {
    let (lo, hi) = match (level, class) {
        (Level::Commune, _) => (0, 7),
        (_, Class::Review) => (6, 14),
        _ => (2, 13),
    };
    let (text, days) = TIMES[lo + rng.index(hi - lo)];
    (text.to_owned(), days)
}

fn documents_pool(class: Class) -> &'static [(&'static str, u32, u32)] {
    match class {
        Class::Issue => &[
            ("Bản sao giấy chứng nhận đăng ký doanh nghiệp hoặc đăng ký hộ kinh doanh", 0, 1),
            ("Bản kê khai cơ sở vật chất, trang thiết bị", 1, 0),
            ("Danh sách nhân sự kèm bản sao văn bằng, chứng chỉ chuyên môn", 1, 0),
            ("Giấy phép, chứng chỉ đã được cấp (trường hợp cấp lại, cấp đổi, gia hạn)", 1, 0),
            ("Ảnh chân dung cỡ 4x6 cm chụp trong thời gian không quá 06 tháng", 2, 0),
        ],
        Class::Register => &[
            ("Giấy tờ chứng minh quyền sử dụng hợp pháp địa điểm", 0, 1),
            ("Bản sao hợp đồng hoặc văn bản thỏa thuận có liên quan", 0, 1),
            ("Danh sách thành viên có liên quan", 1, 0),
            ("Giấy tờ chứng minh nội dung đăng ký", 0, 1),
        ],
        Class::Review => &[
            ("Tờ trình đề nghị thẩm định", 1, 0),
            ("Báo cáo thuyết minh dự án, phương án", 1, 2),
            ("Bản vẽ, hồ sơ thiết kế kèm theo", 0, 2),
            ("Văn bản ý kiến của cơ quan, tổ chức có liên quan", 0, 1),
            ("Quyết định phê duyệt trước đó (trường hợp điều chỉnh)", 0, 1),
        ],
        Class::Benefit => &[
            ("Giấy tờ chứng minh thuộc đối tượng được hưởng chính sách", 0, 1),
            ("Giấy xác nhận của cơ quan, tổ chức có thẩm quyền", 1, 0),
            ("Bản sao quyết định hưởng chế độ trước đó (nếu có)", 0, 1),
            ("Đơn đề nghị có xác nhận của Ủy ban nhân dân cấp xã", 1, 0),
        ],
        Class::Notice => &[
            ("Văn bản thông báo hoặc đơn đề nghị theo mẫu", 1, 0),
            ("Giấy tờ chứng minh nội dung đề nghị", 0, 1),
            ("Bản sao quyết định hoặc giấy tờ đã được cấp có liên quan", 0, 1),
        ],
        Class::Award => &[
            ("Tờ trình đề nghị của cơ quan, đơn vị", 1, 0),
            ("Báo cáo thành tích hoặc báo cáo tự đánh giá", 1, 0),
            ("Biên bản họp xét của hội đồng", 1, 0),
            ("Văn bản chứng minh kết quả đạt được", 0, 1),
        ],
    }
}

fn item(name: &str, originals: u32, copies: u32) -> DocumentItem {
    DocumentItem { name: name.to_owned(), originals, copies, form: None }
}

/// 1–2 cases of 1–4 items; the second case, when present, is the online submission, where the
/// e-form replaces the paper declaration and the rest are electronic copies.
fn build_documents(rng: &mut Rng, class: Class, declaration: Option<FormRef>) -> Vec<DocumentCase> {
    let pool = documents_pool(class);
    let mut items = Vec::with_capacity(4);
    if let Some(form) = declaration {
        items.push(DocumentItem {
            name: format!("Tờ khai theo mẫu {}", form.code),
            originals: 1,
            copies: 0,
            form: Some(form),
        });
    }
    let extra = (1 + rng.index(if items.is_empty() { 3 } else { 2 })).min(pool.len());
    let start = rng.index(pool.len());
    for k in 0..extra {
        let (name, originals, copies) = pool[(start + k) % pool.len()];
        items.push(item(name, originals, copies));
    }
    if items.len() < 4 && rng.percent(10) {
        items.push(item("Văn bản ủy quyền (trường hợp nộp hồ sơ thay)", 1, 0));
    }
    if rng.percent(12) {
        let online = items.iter().filter(|i| i.form.is_none()).take(3).map(|i| item(&i.name, 0, 1)).collect();
        vec![
            DocumentCase {
                case_name: "Trường hợp nộp trực tiếp hoặc qua dịch vụ bưu chính".into(), items
            },
            DocumentCase { case_name: "Trường hợp nộp trực tuyến".into(), items: online },
        ]
    } else {
        vec![DocumentCase { case_name: "Thành phần hồ sơ".into(), items }]
    }
}

/// 3–5 steps: submit, receive, (examine), (pay), collect.
fn build_steps(
    rng: &mut Rng,
    level: Level,
    online: OnlineLevel,
    class: Class,
    processing: &str,
    paid: bool,
    always_examine: bool,
) -> Vec<String> {
    let desk = match level {
        Level::Commune => "Bộ phận Một cửa cấp xã",
        Level::Province => "Trung tâm Phục vụ hành chính công",
    };
    let mut steps = vec![match online {
        OnlineLevel::Full => "Nộp hồ sơ trên Cổng Dịch vụ công quốc gia (đăng nhập bằng VNeID)".to_owned(),
        OnlineLevel::Partial => format!("Nộp hồ sơ trực tuyến, qua bưu chính hoặc tại {desk}"),
    }];
    steps.push("Tiếp nhận, kiểm tra hồ sơ".to_owned());
    if always_examine || rng.percent(50) {
        let work = match class {
            Class::Issue => "thẩm định hồ sơ",
            Class::Register => "ghi vào sổ, cập nhật cơ sở dữ liệu",
            Class::Review => "tổ chức thẩm định, lấy ý kiến cơ quan liên quan",
            Class::Benefit => "xem xét, quyết định giải quyết chế độ",
            Class::Notice => "xác minh nội dung",
            Class::Award => "họp xét, trình cấp có thẩm quyền",
        };
        steps.push(format!("{processing} {work}"));
    }
    if paid {
        steps.push("Nộp phí, lệ phí trực tuyến hoặc tại nơi nộp hồ sơ".into());
    }
    steps.push("Nhận kết quả trực tiếp, qua bưu chính hoặc bản điện tử".into());
    steps.into_iter().enumerate().map(|(n, s)| format!("Bước {}: {s}.", n + 1)).collect()
}

fn build_conditions(rng: &mut Rng, class: Class, online: OnlineLevel) -> Vec<String> {
    let specific = match class {
        Class::Issue => "Đáp ứng đủ điều kiện về cơ sở vật chất, nhân lực theo quy định của pháp luật chuyên ngành",
        Class::Register => "Thông tin đăng ký trung thực, đầy đủ và chưa được đăng ký trước đó",
        Class::Review => "Dự án, phương án phù hợp với quy hoạch đã được cấp có thẩm quyền phê duyệt",
        Class::Benefit => "Thuộc đối tượng được hưởng chính sách theo quy định",
        Class::Notice => "Nội dung đề nghị có căn cứ và giấy tờ chứng minh hợp lệ",
        Class::Award => "Đạt tiêu chuẩn xét tặng theo quy định của Luật Thi đua, khen thưởng",
    };
    let mut pool = vec![specific];
    if online == OnlineLevel::Full {
        pool.push("Người nộp hồ sơ trực tuyến có tài khoản định danh điện tử mức độ 2");
    }
    // Half the records list no condition, as many real ones do.
    let n = match rng.below(20) {
        0..10 => 0,
        10..17 => 1,
        _ => 2,
    }
    .min(pool.len());
    pool[..n].iter().map(|s| (*s).to_owned()).collect()
}

fn build_legal(rng: &mut Rng, field: &FieldDef, online: OnlineLevel) -> Vec<String> {
    let mut legal = vec![field.legal[0].to_owned()];
    for law in &field.legal[1..] {
        if legal.len() < 3 && rng.percent(55) {
            legal.push((*law).to_owned());
        }
    }
    if online == OnlineLevel::Full && legal.len() < 3 && rng.percent(25) {
        legal.push(ND_ONLINE.to_owned());
    }
    legal
}

/// Fees by applicant and channel. Many procedures are free (no lines); online is often cheaper
/// (95 % or half) or free. Amounts are multiples of 10,000 đ, so the discounts stay whole đồng.
fn build_fees(rng: &mut Rng, class: Class, subjects: &[Subject], online: OnlineLevel) -> Vec<Fee> {
    let (paid_pct, amounts, kind): (u64, &[i64], &str) = match class {
        Class::Issue => {
            (65, &[20_000, 50_000, 100_000, 150_000, 200_000, 300_000, 500_000, 810_000, 1_000_000], "Lệ phí")
        }
        Class::Register => (45, &[10_000, 20_000, 30_000, 50_000, 100_000, 200_000], "Lệ phí đăng ký"),
        Class::Review => {
            (80, &[500_000, 810_000, 1_000_000, 1_500_000, 2_000_000, 3_000_000, 5_000_000], "Phí thẩm định")
        }
        Class::Notice => (10, &[10_000, 20_000, 50_000], "Phí"),
        Class::Benefit | Class::Award => (0, &[0], ""),
    };
    if !rng.percent(paid_pct) {
        return Vec::new();
    }
    let base = *rng.pick(amounts);
    let org_factor = if rng.percent(50) { 2 } else { 1 };
    let online_rule = match (online, rng.below(10)) {
        (OnlineLevel::Full, 0..=3) | (OnlineLevel::Partial, 0) => 0,
        (_, 4..=6) => 95,
        (_, 7..=8) => 50,
        _ => 100,
    };
    let mut fees = Vec::with_capacity(subjects.len() * 2);
    for &subject in subjects {
        let paper = if subject == Subject::Organization && subjects.len() > 1 { base * org_factor } else { base };
        fees.push(Fee {
            subject,
            channel: Channel::Paper,
            amount_vnd: paper,
            description: format!("{kind} (nộp trực tiếp, qua bưu chính)"),
        });
        let description = if online_rule == 0 {
            format!("Miễn {} khi nộp trực tuyến", lower_first(kind))
        } else {
            format!("{kind} (nộp trực tuyến)")
        };
        fees.push(Fee { subject, channel: Channel::Online, amount_vnd: paper * online_rule / 100, description });
    }
    fees
}

fn national_code(number: u64) -> String {
    format!("1.{number:06}")
}

// ---------------------------------------------------------------------------------------------
// Hand-written records
// ---------------------------------------------------------------------------------------------

type DocSpec = (&'static str, u32, u32, Option<&'static str>);

/// A real procedure (domain.md), written out in full.
struct Known {
    name: &'static str,
    name_en: &'static str,
    national: u64,
    field: &'static str,
    class: Class,
    agencies: (&'static str, &'static str),
    level: Level,
    /// Was a district-level procedure; the record predates the reform.
    legacy: bool,
    online: OnlineLevel,
    subjects: &'static [Subject],
    time: (&'static str, Option<u32>),
    fees: &'static [(Subject, Channel, i64, &'static str)],
    documents: &'static [(&'static str, &'static [DocSpec])],
    conditions: &'static [&'static str],
    legal: &'static [&'static str],
    select: &'static SelectDef,
}

const CITIZEN: &[Subject] = &[Subject::Citizen];
const BOTH: &[Subject] = &[Subject::Citizen, Subject::Organization];
const COMMUNE: (&str, &str) = (COMMUNE_DECIDING, COMMUNE_PROCESSING);
const SAME_DAY: (&str, Option<u32>) = ("Trong ngày", Some(1));
const SINGLE_CASE: &str = "Thành phần hồ sơ";

const KNOWN: &[Known] = &[
    Known {
        name: "Đăng ký khai sinh",
        name_en: "Birth registration",
        national: 1193,
        field: "Hộ tịch",
        class: Class::Register,
        agencies: COMMUNE,
        level: Level::Commune,
        legacy: false,
        online: OnlineLevel::Full,
        subjects: CITIZEN,
        time: SAME_DAY,
        fees: &[],
        documents: &[
            (
                "Trường hợp trẻ em sinh tại cơ sở y tế",
                &[("Tờ khai đăng ký khai sinh", 1, 0, Some("TK-KS-01")), ("Giấy chứng sinh", 1, 0, None)],
            ),
            (
                "Trường hợp trẻ em sinh ngoài cơ sở y tế",
                &[
                    ("Tờ khai đăng ký khai sinh", 1, 0, Some("TK-KS-01")),
                    ("Văn bản xác nhận của người làm chứng về việc sinh", 1, 0, None),
                ],
            ),
        ],
        conditions: &[],
        legal: &[LAW_HO_TICH, ND_HO_TICH, "Thông tư 04/2020/TT-BTP"],
        select: &SEL_RELATION,
    },
    Known {
        name: "Đăng ký kết hôn",
        name_en: "Marriage registration",
        national: 894,
        field: "Hộ tịch",
        class: Class::Register,
        agencies: COMMUNE,
        level: Level::Commune,
        legacy: false,
        online: OnlineLevel::Partial,
        subjects: CITIZEN,
        time: SAME_DAY,
        fees: &[],
        documents: &[(
            SINGLE_CASE,
            &[
                ("Tờ khai đăng ký kết hôn", 1, 0, Some("TK-KH-01")),
                ("Giấy xác nhận tình trạng hôn nhân (trường hợp không đăng ký tại nơi thường trú)", 1, 0, None),
            ],
        )],
        conditions: &["Nam từ đủ 20 tuổi, nữ từ đủ 18 tuổi trở lên", "Việc kết hôn do nam và nữ tự nguyện quyết định"],
        legal: &[LAW_HO_TICH, "Luật Hôn nhân và gia đình số 52/2014/QH13", ND_HO_TICH],
        select: &SEL_DELIVERY,
    },
    Known {
        name: "Đăng ký khai tử",
        name_en: "Death registration",
        national: 656,
        field: "Hộ tịch",
        class: Class::Register,
        agencies: COMMUNE,
        level: Level::Commune,
        legacy: false,
        online: OnlineLevel::Full,
        subjects: CITIZEN,
        time: SAME_DAY,
        fees: &[],
        documents: &[(
            SINGLE_CASE,
            &[
                ("Tờ khai đăng ký khai tử", 1, 0, Some("TK-KT-01")),
                ("Giấy báo tử hoặc giấy tờ thay thế Giấy báo tử", 1, 0, None),
            ],
        )],
        conditions: &[],
        legal: &[LAW_HO_TICH, ND_HO_TICH],
        select: &SEL_RELATION,
    },
    Known {
        name: "Đăng ký thường trú",
        name_en: "Permanent residence registration",
        national: 4194,
        field: "Đăng ký, quản lý cư trú",
        class: Class::Register,
        agencies: ("Công an cấp xã", "Công an xã, phường, đặc khu"),
        level: Level::Commune,
        legacy: false,
        online: OnlineLevel::Full,
        subjects: CITIZEN,
        time: ("07 ngày làm việc", Some(7)),
        fees: &[
            (Subject::Citizen, Channel::Paper, 20_000, "Lệ phí đăng ký cư trú: nộp hồ sơ trực tiếp"),
            (Subject::Citizen, Channel::Online, 10_000, "Lệ phí đăng ký cư trú: nộp hồ sơ trực tuyến"),
        ],
        documents: &[(
            SINGLE_CASE,
            &[
                ("Tờ khai thay đổi thông tin cư trú", 1, 0, Some("CT01")),
                ("Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp", 0, 1, None),
            ],
        )],
        conditions: &["Có chỗ ở hợp pháp thuộc quyền sở hữu của mình hoặc được chủ hộ đồng ý cho đăng ký"],
        legal: &["Luật Cư trú số 68/2020/QH14", "Nghị định 154/2024/NĐ-CP", "Thông tư 55/2021/TT-BCA"],
        select: &SEL_DELIVERY,
    },
    Known {
        name: "Cấp bản sao trích lục hộ tịch",
        name_en: "Issuance of copies of civil status extracts",
        national: 4884,
        field: "Hộ tịch",
        class: Class::Issue,
        agencies: COMMUNE,
        level: Level::Commune,
        legacy: false,
        online: OnlineLevel::Full,
        subjects: CITIZEN,
        time: SAME_DAY,
        fees: &[
            (Subject::Citizen, Channel::Paper, 8_000, "Phí cấp bản sao trích lục: 8.000 đồng/bản"),
            (Subject::Citizen, Channel::Online, 4_000, "Phí cấp bản sao trích lục: nộp hồ sơ trực tuyến"),
        ],
        documents: &[(SINGLE_CASE, &[("Tờ khai cấp bản sao trích lục hộ tịch", 1, 0, Some("TK-TL-01"))])],
        conditions: &[],
        legal: &[LAW_HO_TICH, ND_HO_TICH, "Thông tư 281/2016/TT-BTC"],
        select: &SEL_EXTRACT,
    },
    Known {
        name: "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        name_en: "Certification of copies from originals",
        national: 2315,
        field: "Chứng thực",
        class: Class::Issue,
        agencies: COMMUNE,
        level: Level::Commune,
        legacy: false,
        online: OnlineLevel::Partial,
        subjects: BOTH,
        time: SAME_DAY,
        fees: &[
            (
                Subject::Citizen,
                Channel::Paper,
                2_000,
                "2.000 đồng/trang; từ trang thứ ba trở lên 1.000 đồng/trang, tối đa 200.000 đồng/bản",
            ),
            (
                Subject::Organization,
                Channel::Paper,
                2_000,
                "2.000 đồng/trang; từ trang thứ ba trở lên 1.000 đồng/trang, tối đa 200.000 đồng/bản",
            ),
        ],
        documents: &[(
            SINGLE_CASE,
            &[
                ("Bản chính giấy tờ, văn bản làm cơ sở để chứng thực bản sao", 1, 0, None),
                ("Bản sao cần chứng thực", 0, 1, None),
            ],
        )],
        conditions: &[],
        legal: &["Nghị định 23/2015/NĐ-CP", "Thông tư 01/2020/TT-BTP", "Thông tư 226/2016/TT-BTC"],
        select: &SEL_DELIVERY,
    },
    Known {
        name: "Chứng thực chữ ký trong giấy tờ, văn bản",
        name_en: "Authentication of signatures on papers and documents",
        national: 2306,
        field: "Chứng thực",
        class: Class::Issue,
        agencies: COMMUNE,
        level: Level::Commune,
        legacy: false,
        online: OnlineLevel::Partial,
        subjects: CITIZEN,
        time: SAME_DAY,
        fees: &[(Subject::Citizen, Channel::Paper, 10_000, "10.000 đồng/trường hợp")],
        documents: &[(
            SINGLE_CASE,
            &[
                ("Giấy tờ, văn bản cần chứng thực chữ ký", 1, 0, None),
                ("Giấy tờ tùy thân còn giá trị sử dụng của người yêu cầu chứng thực", 1, 0, None),
            ],
        )],
        conditions: &["Người yêu cầu chứng thực phải ký trước mặt người thực hiện chứng thực"],
        legal: &["Nghị định 23/2015/NĐ-CP", "Thông tư 01/2020/TT-BTP", "Thông tư 226/2016/TT-BTC"],
        select: &SEL_DELIVERY,
    },
    Known {
        name: "Cấp giấy phép xây dựng đối với nhà ở riêng lẻ",
        name_en: "Building permit for detached houses",
        national: 9794,
        field: "Xây dựng",
        class: Class::Issue,
        agencies: COMMUNE,
        level: Level::Commune,
        legacy: true,
        online: OnlineLevel::Partial,
        subjects: CITIZEN,
        time: ("15 ngày", Some(15)),
        fees: &[
            (Subject::Citizen, Channel::Paper, 75_000, "Lệ phí cấp giấy phép xây dựng nhà ở riêng lẻ"),
            (Subject::Citizen, Channel::Online, 37_500, "Lệ phí cấp giấy phép xây dựng: nộp hồ sơ trực tuyến"),
        ],
        documents: &[(
            SINGLE_CASE,
            &[
                ("Đơn đề nghị cấp giấy phép xây dựng", 1, 0, Some("TK-GPXD-01")),
                ("Bản sao giấy tờ chứng minh quyền sử dụng đất", 0, 1, None),
                ("Bản vẽ thiết kế xây dựng", 2, 0, None),
            ],
        )],
        conditions: &["Phù hợp với quy hoạch chi tiết xây dựng hoặc quy chế quản lý kiến trúc đã được phê duyệt"],
        legal: &[
            "Luật Xây dựng số 50/2014/QH13",
            "Luật số 62/2020/QH14 sửa đổi, bổ sung một số điều của Luật Xây dựng",
            "Nghị định 175/2024/NĐ-CP",
        ],
        select: &SEL_DELIVERY,
    },
    Known {
        name: "Cấp Phiếu lý lịch tư pháp",
        name_en: "Issuance of criminal record certificates",
        national: 488,
        field: "Lý lịch tư pháp",
        class: Class::Issue,
        agencies: ("Sở Tư pháp", "Sở Tư pháp"),
        level: Level::Province,
        legacy: false,
        online: OnlineLevel::Full,
        subjects: CITIZEN,
        time: ("10 ngày làm việc", Some(10)),
        fees: &[
            (Subject::Citizen, Channel::Paper, 200_000, "Phí cấp Phiếu lý lịch tư pháp: 200.000 đồng/lần/người"),
            (Subject::Citizen, Channel::Online, 100_000, "Phí cấp Phiếu lý lịch tư pháp: nộp hồ sơ trực tuyến"),
        ],
        documents: &[(
            SINGLE_CASE,
            &[
                ("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", 1, 0, Some("TK-LLTP-01")),
                ("Văn bản ủy quyền (trường hợp ủy quyền)", 1, 0, None),
            ],
        )],
        conditions: &[],
        legal: &["Luật Lý lịch tư pháp số 28/2009/QH12", "Nghị định 111/2010/NĐ-CP", "Thông tư 244/2016/TT-BTC"],
        select: &SEL_PURPOSE,
    },
    Known {
        name: "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
        name_en: "Registration of changes in land use rights and ownership of land-attached assets",
        national: 12783,
        field: "Đất đai",
        class: Class::Register,
        agencies: ("Văn phòng đăng ký đất đai thành phố Hải Phòng", "Chi nhánh Văn phòng đăng ký đất đai"),
        level: Level::Province,
        legacy: false,
        online: OnlineLevel::Partial,
        subjects: BOTH,
        time: ("10 ngày làm việc", Some(10)),
        fees: &[
            (Subject::Citizen, Channel::Paper, 500_000, "Phí thẩm định hồ sơ: nộp hồ sơ trực tiếp"),
            (Subject::Citizen, Channel::Online, 475_000, "Phí thẩm định hồ sơ: nộp hồ sơ trực tuyến"),
            (Subject::Organization, Channel::Paper, 810_000, "Phí thẩm định hồ sơ: nộp hồ sơ trực tiếp"),
            (Subject::Organization, Channel::Online, 769_500, "Phí thẩm định hồ sơ: nộp hồ sơ trực tuyến"),
        ],
        documents: &[(
            SINGLE_CASE,
            &[
                ("Đơn đăng ký biến động đất đai, tài sản gắn liền với đất", 1, 0, Some("TK-DD-11")),
                ("Bản gốc Giấy chứng nhận đã cấp", 1, 0, None),
                ("Hợp đồng, văn bản về việc chuyển quyền", 1, 0, None),
            ],
        )],
        conditions: &[],
        legal: &["Luật Đất đai số 31/2024/QH15", "Nghị định 101/2024/NĐ-CP", "Nghị định 102/2024/NĐ-CP"],
        select: &SEL_APPLICANT,
    },
    Known {
        name: "Cấp đổi giấy phép lái xe",
        name_en: "Renewal of driving licences",
        national: 2809,
        field: "Đường bộ",
        class: Class::Issue,
        agencies: ("Công an thành phố Hải Phòng", "Phòng Cảnh sát giao thông Công an thành phố Hải Phòng"),
        level: Level::Province,
        legacy: false,
        online: OnlineLevel::Full,
        subjects: CITIZEN,
        time: ("05 ngày làm việc", Some(5)),
        fees: &[
            (Subject::Citizen, Channel::Paper, 135_000, "Lệ phí cấp giấy phép lái xe"),
            (Subject::Citizen, Channel::Online, 115_000, "Lệ phí cấp giấy phép lái xe: nộp hồ sơ trực tuyến"),
        ],
        documents: &[(
            SINGLE_CASE,
            &[
                ("Đơn đề nghị đổi giấy phép lái xe", 1, 0, Some("TK-GPLX-01")),
                ("Giấy khám sức khỏe của người lái xe do cơ sở y tế có thẩm quyền cấp", 1, 0, None),
            ],
        )],
        conditions: &[],
        legal: &[
            "Luật Trật tự, an toàn giao thông đường bộ số 36/2024/QH15",
            "Thông tư 12/2025/TT-BCA",
            "Thông tư 37/2023/TT-BTC",
        ],
        select: &SEL_LICENCE_CLASS,
    },
    Known {
        name: "Đăng ký thành lập hộ kinh doanh",
        name_en: "Household business registration",
        national: 1612,
        field: "Thành lập và hoạt động của hộ kinh doanh",
        class: Class::Register,
        agencies: COMMUNE,
        level: Level::Commune,
        legacy: true,
        online: OnlineLevel::Full,
        subjects: CITIZEN,
        time: ("03 ngày làm việc", Some(3)),
        fees: &[
            (Subject::Citizen, Channel::Paper, 100_000, "Lệ phí đăng ký hộ kinh doanh"),
            (Subject::Citizen, Channel::Online, 0, "Miễn lệ phí khi đăng ký trực tuyến"),
        ],
        documents: &[(
            SINGLE_CASE,
            &[
                ("Giấy đề nghị đăng ký hộ kinh doanh", 1, 0, Some("TK-HKD-01")),
                ("Bản sao biên bản họp thành viên hộ gia đình (trường hợp các thành viên cùng đăng ký)", 0, 1, None),
            ],
        )],
        conditions: &[],
        legal: &["Nghị định 168/2025/NĐ-CP", "Thông tư 85/2019/TT-BTC"],
        select: &SEL_DELIVERY,
    },
    Known {
        name: "Xác nhận tình trạng hôn nhân",
        name_en: "Certification of marital status",
        national: 4873,
        field: "Hộ tịch",
        class: Class::Notice,
        agencies: COMMUNE,
        level: Level::Commune,
        legacy: false,
        online: OnlineLevel::Full,
        subjects: CITIZEN,
        time: ("03 ngày làm việc", Some(3)),
        fees: &[
            (Subject::Citizen, Channel::Paper, 15_000, "Lệ phí cấp Giấy xác nhận tình trạng hôn nhân"),
            (Subject::Citizen, Channel::Online, 0, "Miễn lệ phí khi nộp hồ sơ trực tuyến"),
        ],
        documents: &[(SINGLE_CASE, &[("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân", 1, 0, Some("TK-XNHN-01"))])],
        conditions: &[],
        legal: &[LAW_HO_TICH, ND_HO_TICH, "Thông tư 04/2020/TT-BTP"],
        select: &SEL_PURPOSE,
    },
    Known {
        name: "Đăng ký nhận cha, mẹ, con",
        name_en: "Registration of recognition of parents and children",
        national: 1022,
        field: "Hộ tịch",
        class: Class::Register,
        agencies: COMMUNE,
        level: Level::Commune,
        legacy: false,
        online: OnlineLevel::Partial,
        subjects: CITIZEN,
        time: ("03 ngày làm việc", Some(3)),
        fees: &[(Subject::Citizen, Channel::Paper, 15_000, "Lệ phí đăng ký nhận cha, mẹ, con")],
        documents: &[(
            SINGLE_CASE,
            &[
                ("Tờ khai đăng ký nhận cha, mẹ, con", 1, 0, Some("TK-NCMC-01")),
                ("Văn bản của cơ quan y tế hoặc cơ quan giám định xác nhận quan hệ cha, mẹ, con", 1, 0, None),
            ],
        )],
        conditions: &["Bên nhận và bên được nhận còn sống và không có tranh chấp"],
        legal: &[LAW_HO_TICH, ND_HO_TICH],
        select: &SEL_RELATION,
    },
    Known {
        name: "Giải quyết trợ cấp thất nghiệp",
        name_en: "Unemployment benefit settlement",
        national: 1978,
        field: "Việc làm",
        class: Class::Benefit,
        agencies: ("Sở Nội vụ", "Trung tâm Dịch vụ việc làm thành phố Hải Phòng"),
        level: Level::Province,
        legacy: false,
        online: OnlineLevel::Partial,
        subjects: CITIZEN,
        time: ("20 ngày", Some(20)),
        fees: &[],
        documents: &[(
            SINGLE_CASE,
            &[
                ("Đề nghị hưởng trợ cấp thất nghiệp", 1, 0, Some("TK-TCTN-03")),
                ("Quyết định thôi việc hoặc văn bản chấm dứt hợp đồng lao động", 0, 1, None),
                ("Sổ bảo hiểm xã hội", 1, 0, None),
            ],
        )],
        conditions: &[
            "Đã đóng bảo hiểm thất nghiệp từ đủ 12 tháng trở lên trong 24 tháng trước khi chấm dứt hợp đồng lao động",
            "Nộp hồ sơ trong thời hạn 03 tháng kể từ ngày chấm dứt hợp đồng lao động",
        ],
        legal: &["Luật Việc làm số 38/2013/QH13", "Nghị định 28/2015/NĐ-CP", "Thông tư 28/2015/TT-BLĐTBXH"],
        select: &SEL_DELIVERY,
    },
    Known {
        name: "Đăng ký khai sinh có yếu tố nước ngoài",
        name_en: "Birth registration with foreign elements",
        national: 1695,
        field: "Hộ tịch",
        class: Class::Register,
        agencies: COMMUNE,
        level: Level::Commune,
        legacy: true,
        online: OnlineLevel::Partial,
        subjects: CITIZEN,
        time: ("03 ngày làm việc", Some(3)),
        fees: &[(Subject::Citizen, Channel::Paper, 75_000, "Lệ phí đăng ký khai sinh có yếu tố nước ngoài")],
        documents: &[(
            SINGLE_CASE,
            &[
                ("Tờ khai đăng ký khai sinh", 1, 0, Some("TK-KS-01")),
                ("Giấy chứng sinh", 1, 0, None),
                ("Văn bản thỏa thuận của cha, mẹ về việc chọn quốc tịch cho con", 1, 0, None),
            ],
        )],
        conditions: &[],
        legal: &[LAW_HO_TICH, ND_HO_TICH, "Luật Quốc tịch Việt Nam số 24/2008/QH12"],
        select: &SEL_RELATION,
    },
    Known {
        name: "Đăng ký lại khai sinh",
        name_en: "Re-registration of birth",
        national: 4772,
        field: "Hộ tịch",
        class: Class::Register,
        agencies: COMMUNE,
        level: Level::Commune,
        legacy: false,
        online: OnlineLevel::Partial,
        subjects: CITIZEN,
        time: ("05 ngày làm việc", Some(5)),
        fees: &[],
        documents: &[(
            SINGLE_CASE,
            &[
                ("Tờ khai đăng ký lại khai sinh", 1, 0, Some("TK-KS-02")),
                ("Bản sao giấy tờ, tài liệu có nội dung liên quan đến việc khai sinh", 0, 1, None),
            ],
        )],
        conditions: &[],
        legal: &[LAW_HO_TICH, ND_HO_TICH],
        select: &SEL_RELATION,
    },
];

/// Hand-picked spelling variants placed right after the real names, so even a small catalog
/// has every variant the search tests look for.
struct Extra {
    name: &'static str,
    name_en: &'static str,
    field: &'static str,
    class: Class,
    level: Level,
    nfd: bool,
}

const EXTRAS: &[Extra] = &[
    Extra {
        name: "Đăng ký khai sinh lưu động",
        name_en: "Mobile birth registration",
        field: "Hộ tịch",
        class: Class::Register,
        level: Level::Commune,
        nfd: true,
    },
    Extra {
        name: "Đăng ký khai sinh cho trẻ em bị bỏ rơi",
        name_en: "Birth registration for abandoned children",
        field: "Hộ tịch",
        class: Class::Register,
        level: Level::Commune,
        nfd: false,
    },
    Extra {
        name: "Đăng kí khai sinh kết hợp nhận cha, mẹ, con",
        name_en: "Birth registration combined with recognition of parents and children",
        field: "Hộ tịch",
        class: Class::Register,
        level: Level::Commune,
        nfd: false,
    },
    Extra {
        name: "Đăng kí giám hộ",
        name_en: "Guardianship registration",
        field: "Hộ tịch",
        class: Class::Register,
        level: Level::Commune,
        nfd: false,
    },
    Extra {
        name: "Đăng ký lại kết hôn",
        name_en: "Re-registration of marriage",
        field: "Hộ tịch",
        class: Class::Register,
        level: Level::Commune,
        nfd: false,
    },
    Extra {
        name: "Thay đổi, cải chính, bổ sung thông tin hộ tịch",
        name_en: "Change, correction and supplementation of civil status information",
        field: "Hộ tịch",
        class: Class::Register,
        level: Level::Commune,
        nfd: false,
    },
    Extra {
        name: "Cấp Phiếu lí lịch tư pháp số 2 cho cá nhân",
        name_en: "Issuance of Criminal Record Certificate No. 2 to individuals",
        field: "Lý lịch tư pháp",
        class: Class::Issue,
        level: Level::Province,
        nfd: false,
    },
    Extra {
        name: "Hòa giải tranh chấp đất đai",
        name_en: "Mediation of land disputes",
        field: "Đất đai",
        class: Class::Notice,
        level: Level::Commune,
        nfd: false,
    },
    Extra {
        name: "Hoà giải tranh chấp đất đai tại Ủy ban nhân dân cấp xã",
        name_en: "Land dispute mediation at the commune People's Committee",
        field: "Đất đai",
        class: Class::Notice,
        level: Level::Commune,
        nfd: false,
    },
    Extra {
        name: "Công nhận hòa giải viên",
        name_en: "Recognition of mediators",
        field: "Hòa giải ở cơ sở",
        class: Class::Award,
        level: Level::Commune,
        nfd: false,
    },
    Extra {
        name: "Thôi làm hoà giải viên",
        name_en: "Removal of mediators",
        field: "Hòa giải ở cơ sở",
        class: Class::Notice,
        level: Level::Commune,
        nfd: false,
    },
    Extra {
        name: "Cấp giấy phép khai thác thuỷ sản",
        name_en: "Issuance of fishing licences",
        field: "Thủy sản",
        class: Class::Issue,
        level: Level::Province,
        nfd: false,
    },
    Extra {
        name: "Cấp giấy xác nhận nguyên liệu thủy sản khai thác",
        name_en: "Certification of caught aquatic raw materials",
        field: "Thủy sản",
        class: Class::Issue,
        level: Level::Province,
        nfd: false,
    },
    Extra {
        name: "Công bố cơ sở đủ điều kiện khám sức khoẻ",
        name_en: "Announcement of facilities qualified for health checks",
        field: "Y tế",
        class: Class::Register,
        level: Level::Province,
        nfd: false,
    },
    Extra {
        name: "Hỗ trợ hòa giải viên gặp tai nạn hoặc rủi ro ảnh hưởng đến sức khỏe, tính mạng",
        name_en: "Support for mediators injured or endangered while mediating",
        field: "Hòa giải ở cơ sở",
        class: Class::Benefit,
        level: Level::Commune,
        nfd: false,
    },
];

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
struct Combo {
    field: u16,
    obj: u16,
    verb: Verb,
    qual: u16,
}

fn qual_allowed(field: &FieldDef, obj: &Obj, verb: Verb, qual: &Qual) -> bool {
    let class = verb.parts().2;
    let bias = obj.who.unwrap_or(field.bias);
    let permit = class == Class::Issue && verb != V::ChungThuc;
    match qual.rule {
        Rule::Always => true,
        Rule::Level(_) => obj.level.is_none() && (1..100).contains(&field.commune_pct),
        Rule::Subject(_) => bias == Bias::Mixed && !matches!(class, Class::Benefit | Class::Award),
        Rule::Verbs(verbs) => verbs.contains(&verb),
        Rule::Class(c) => c == class,
        Rule::ForeignOrg => bias != Bias::Citizens && permit,
        Rule::IndustrialZone => {
            bias != Bias::Citizens
                && (permit || class == Class::Review)
                && ["Xây dựng", "Tài nguyên và Môi trường", "Việc làm", "Đất đai", "Lưu thông hàng hóa trong nước"]
                    .contains(&field.vi)
        }
        Rule::Household => {
            bias == Bias::Mixed
                && permit
                && ["Lưu thông hàng hóa trong nước", "An toàn thực phẩm", "Thủy sản", "Đường bộ", "Thú y"]
                    .contains(&field.vi)
        }
        Rule::Overseas => {
            bias != Bias::Orgs
                && ["Hộ tịch", "Chứng thực", "Đất đai", "Đăng ký, quản lý cư trú", "Lý lịch tư pháp"]
                    .contains(&field.vi)
        }
        Rule::Online => matches!(verb, V::DangKy | V::DangKyThayDoi | V::ThongBao | V::KhaiBao | V::XacNhan),
        Rule::FirstTime => {
            matches!(verb, V::Cap | V::DangKy) && !obj.vi.contains("lần đầu") && !obj.vi.starts_with("thành lập")
        }
        Rule::SpecialZone => field.commune_pct > 0 && obj.level != Some(Level::Province),
        Rule::NonPublic => {
            bias != Bias::Citizens
                && matches!(class, Class::Issue | Class::Award | Class::Review)
                && ["Giáo dục và Đào tạo", "Y tế", "Văn hóa - Thể thao và Du lịch", "Bảo trợ xã hội"]
                    .contains(&field.vi)
        }
        Rule::SmallBusiness => {
            bias != Bias::Citizens
                && permit
                && ["An toàn thực phẩm", "Lưu thông hàng hóa trong nước", "Thú y"].contains(&field.vi)
        }
        Rule::PublicInvestment => {
            class == Class::Review && ["Xây dựng", "Đất đai", "Tài nguyên và Môi trường"].contains(&field.vi)
        }
    }
}

/// Every sensible verb × object × qualifier, shuffled by `seed` so fields interleave.
fn combos(seed: u64) -> Vec<Combo> {
    let mut all = Vec::new();
    for (f, field) in FIELDS.iter().enumerate() {
        for (o, obj) in field.objects.iter().enumerate() {
            for &verb in obj.verbs {
                for (q, qual) in QUALS.iter().enumerate() {
                    if qual_allowed(field, obj, verb, qual) {
                        all.push(Combo { field: f as u16, obj: o as u16, verb, qual: q as u16 });
                    }
                }
            }
        }
    }
    let mut rng = Rng::new(seed ^ 0xC0DE_C0DE);
    for i in (1..all.len()).rev() {
        let j = rng.index(i + 1);
        all.swap(i, j);
    }
    all
}

// ---------------------------------------------------------------------------------------------
// Generator
// ---------------------------------------------------------------------------------------------

struct Clock {
    start: DateTime<FixedOffset>,
    reform: DateTime<FixedOffset>,
    end: DateTime<FixedOffset>,
}

impl Clock {
    fn new() -> Self {
        let tz = FixedOffset::east_opt(7 * 3600).expect("valid offset");
        let at = |y, m, d| tz.with_ymd_and_hms(y, m, d, 0, 0, 0).single().expect("valid date");
        Clock { start: at(2023, 1, 1), reform: at(2025, 7, 1), end: at(2026, 10, 31) }
    }

    /// An office-hours timestamp on a day in `[from, to)`.
    fn stamp(rng: &mut Rng, from: DateTime<FixedOffset>, to: DateTime<FixedOffset>) -> String {
        let days = (to - from).num_days().max(1) as u64;
        let day = rng.below(days) as i64;
        let second = (7 * 3600 + 1800 + rng.below(10 * 3600)) as i64;
        (from + TimeDelta::days(day) + TimeDelta::seconds(second)).to_rfc3339_opts(SecondsFormat::Secs, false)
    }
}

/// What a generic record needs besides the shared builders.
struct Draft {
    /// NFC, new tone placement: used for the declaration form's title.
    plain: String,
    /// As stored: may use old tone placement, "kí", or NFD.
    name: String,
    name_en: Option<String>,
    field: usize,
    class: Class,
    /// Who may apply when `subjects` is not fixed.
    bias: Bias,
    level: Option<Level>,
    subjects: Option<Vec<Subject>>,
    online: Option<OnlineLevel>,
    may_retire: bool,
}

struct Generator {
    root: Rng,
    clock: Clock,
    out: Vec<Procedure>,
    last_number: u64,
    max_gap: u64,
    /// Latest in-force record of each field, the successor for a replaced one.
    in_force_by_field: Vec<Option<usize>>,
}

impl Generator {
    fn new(count: usize, seed: u64) -> Self {
        Generator {
            root: Rng::new(seed),
            clock: Clock::new(),
            out: Vec::with_capacity(count),
            last_number: 100,
            // Real codes run 1.000xxx–1.013xxx; spread like that, but stay within six digits.
            max_gap: (900_000 / count.max(1) as u64).clamp(1, 12),
            in_force_by_field: vec![None; FIELDS.len()],
        }
    }

    fn next_number(&mut self, rng: &mut Rng) -> u64 {
        loop {
            self.last_number += 1 + rng.below(self.max_gap);
            if !KNOWN.iter().any(|k| k.national == self.last_number) {
                return self.last_number;
            }
        }
    }

    fn push(&mut self, field: usize, procedure: Procedure) {
        if procedure.status == ProcedureStatus::InForce {
            self.in_force_by_field[field] = Some(self.out.len());
        }
        self.out.push(procedure);
    }

    fn known(&mut self, index: usize, k: &Known) -> Procedure {
        let mut rng = self.root.fork(index as u64);
        let field = &FIELDS[field_index(k.field)];
        let updated_at = if k.legacy {
            Clock::stamp(&mut rng, self.clock.start, self.clock.reform)
        } else {
            Clock::stamp(&mut rng, self.clock.reform, self.clock.end)
        };
        let steps = build_steps(&mut rng, k.level, k.online, k.class, k.agencies.1, !k.fees.is_empty(), true);
        let form = build_form(&mut rng, k.subjects, k.select, true);
        Procedure {
            code: format!("{}{LOCAL_SUFFIX}", national_code(k.national)),
            national_code: national_code(k.national),
            name: k.name.to_owned(),
            name_en: Some(k.name_en.to_owned()),
            field: field.vi.to_owned(),
            field_en: Some(field.en.to_owned()),
            deciding_agency: k.agencies.0.to_owned(),
            processing_agency: k.agencies.1.to_owned(),
            level: k.level,
            legacy_level: k.legacy.then(|| "district".to_owned()),
            online_level: k.online,
            subjects: k.subjects.to_vec(),
            processing_time: k.time.0.to_owned(),
            processing_days: k.time.1,
            fees: k
                .fees
                .iter()
                .map(|&(subject, channel, amount_vnd, description)| Fee {
                    subject,
                    channel,
                    amount_vnd,
                    description: description.to_owned(),
                })
                .collect(),
            documents: k
                .documents
                .iter()
                .map(|(case_name, items)| DocumentCase {
                    case_name: (*case_name).to_owned(),
                    items: items
                        .iter()
                        .map(|&(name, originals, copies, form)| DocumentItem {
                            name: name.to_owned(),
                            originals,
                            copies,
                            form: form.map(|code| FormRef { code: code.to_owned(), name: name.to_owned(), url: None }),
                        })
                        .collect(),
                })
                .collect(),
            steps,
            conditions: k.conditions.iter().map(|c| (*c).to_owned()).collect(),
            legal_basis: k.legal.iter().map(|l| (*l).to_owned()).collect(),
            status: ProcedureStatus::InForce,
            replaced_by: None,
            updated_at,
            form,
        }
    }

    fn generic(&mut self, rng: &mut Rng, d: Draft) -> Procedure {
        let field = &FIELDS[d.field];
        let number = self.next_number(rng);
        let level =
            d.level.unwrap_or_else(|| if rng.percent(field.commune_pct) { Level::Commune } else { Level::Province });
        let subjects = d.subjects.unwrap_or_else(|| match d.bias {
            Bias::Citizens => vec![Subject::Citizen],
            Bias::Orgs => vec![Subject::Organization],
            Bias::Mixed => match rng.below(100) {
                0..40 => vec![Subject::Citizen, Subject::Organization],
                40..75 => vec![Subject::Citizen],
                _ => vec![Subject::Organization],
            },
        });
        let online = d.online.unwrap_or_else(|| if rng.percent(30) { OnlineLevel::Full } else { OnlineLevel::Partial });
        let legacy = rng.percent(18);
        let (deciding, processing) = match level {
            Level::Commune => field.commune_agency.unwrap_or((COMMUNE_DECIDING, COMMUNE_PROCESSING)),
            Level::Province if d.class == Class::Review && rng.percent(50) => (CITY_COMMITTEE, field.dept),
            Level::Province => (field.dept, field.dept),
        };
        let (processing_time, processing_days) = processing_time(rng, level, d.class);
        let fees = build_fees(rng, d.class, &subjects, online);
        let declaration = rng.percent(65).then(|| {
            let title = match d.class {
                Class::Register | Class::Notice => format!("Tờ khai {}", lower_first(&d.plain)),
                _ => format!("Tờ khai đề nghị {}", lower_first(&d.plain)),
            };
            FormRef { code: format!("TK-{number}"), name: title, url: None }
        });
        let documents = build_documents(rng, d.class, declaration);
        let steps = build_steps(rng, level, online, d.class, processing, !fees.is_empty(), false);
        let conditions = build_conditions(rng, d.class, online);
        let legal_basis = build_legal(rng, field, online);
        let select = default_select(rng, d.class, &subjects);
        let form = build_form(rng, &subjects, select, false);

        let roll = rng.below(1000);
        let successor =
            self.in_force_by_field[d.field].or(self.in_force_by_field.iter().flatten().next_back().copied());
        let (status, replaced_by) = match (d.may_retire, roll, successor) {
            (true, 0..20, Some(j)) => (ProcedureStatus::Replaced, Some(self.out[j].code.clone())),
            (true, 20..30, _) => (ProcedureStatus::Expired, None),
            _ => (ProcedureStatus::InForce, None),
        };
        let updated_at = if legacy {
            Clock::stamp(rng, self.clock.start, self.clock.reform)
        } else {
            Clock::stamp(rng, self.clock.start, self.clock.end)
        };

        Procedure {
            code: format!("{}{LOCAL_SUFFIX}", national_code(number)),
            national_code: national_code(number),
            name: d.name,
            name_en: d.name_en,
            field: field.vi.to_owned(),
            field_en: Some(field.en.to_owned()),
            deciding_agency: deciding.to_owned(),
            processing_agency: processing.to_owned(),
            level,
            legacy_level: legacy.then(|| "district".to_owned()),
            online_level: online,
            subjects,
            processing_time,
            processing_days,
            fees,
            documents,
            steps,
            conditions,
            legal_basis,
            status,
            replaced_by,
            updated_at,
            form,
        }
    }

    fn extra(&mut self, index: usize, e: &Extra) -> (usize, Procedure) {
        let mut rng = self.root.fork(index as u64);
        let field = field_index(e.field);
        let draft = Draft {
            plain: e.name.to_owned(),
            name: if e.nfd { e.name.nfd().collect() } else { e.name.to_owned() },
            name_en: Some(e.name_en.to_owned()),
            field,
            class: e.class,
            bias: FIELDS[field].bias,
            level: Some(e.level),
            subjects: None,
            online: None,
            may_retire: false,
        };
        (field, self.generic(&mut rng, draft))
    }

    /// Template record number `g` (0-based among template records).
    fn template(&mut self, index: usize, g: usize, combos: &[Combo]) -> (usize, Procedure) {
        let mut rng = self.root.fork(index as u64);
        let c = combos[g % combos.len()];
        let field = &FIELDS[usize::from(c.field)];
        let obj = &field.objects[usize::from(c.obj)];
        let qual = &QUALS[usize::from(c.qual)];
        let (verb_vi, verb_en, class) = c.verb.parts();
        let wrap = g / combos.len();
        let (area_vi, area_en) = if wrap == 0 { ("", "") } else { AREAS[(wrap - 1) % AREAS.len()] };

        let plain = format!("{verb_vi} {}{}{area_vi}", obj.vi, qual.vi);
        let mut name = plain.clone();
        if has_new_tone(&name) && rng.percent(35) {
            name = old_tone(&name);
        }
        if name.starts_with("Đăng ký ") && rng.percent(4) {
            name = name.replacen("Đăng ký", "Đăng kí", 1);
        }
        if g % 37 == 36 {
            name = name.nfd().collect();
        }
        // A few records without an English name, as on the real portal.
        let name_en = (!rng.percent(5)).then(|| format!("{verb_en} {}{}{area_en}", obj.en, qual.en));

        let level = match qual.rule {
            Rule::Level(level) => Some(level),
            Rule::SpecialZone => Some(Level::Commune),
            _ => obj.level,
        };
        let subjects = match qual.rule {
            Rule::Subject(s) => Some(vec![s]),
            Rule::ForeignOrg | Rule::IndustrialZone => Some(vec![Subject::Organization]),
            Rule::Household | Rule::Overseas => Some(vec![Subject::Citizen]),
            _ => None,
        };
        let online = matches!(qual.rule, Rule::Online).then_some(OnlineLevel::Full);
        let draft = Draft {
            plain,
            name,
            name_en,
            field: usize::from(c.field),
            class,
            bias: obj.who.unwrap_or(field.bias),
            level,
            subjects,
            online,
            may_retire: true,
        };
        (usize::from(c.field), self.generic(&mut rng, draft))
    }
}

/// Deterministic: the same (count, seed) always gives byte-identical output, on every platform
/// and every crate version (own splitmix64, no `rand`).
///
/// Layout: the 17 real procedures first (the 15 of domain.md, then "Đăng ký khai sinh có yếu tố
/// nước ngoài" and "Đăng ký lại khai sinh"), then hand-picked spelling variants, then template
/// records. A `count` below that simply truncates.
pub fn generate_catalog(count: usize, seed: u64) -> Vec<Procedure> {
    let mut g = Generator::new(count, seed);
    for (i, k) in KNOWN.iter().enumerate().take(count) {
        let p = g.known(i, k);
        g.push(field_index(k.field), p);
    }
    for (j, e) in EXTRAS.iter().enumerate() {
        let index = KNOWN.len() + j;
        if index >= count {
            break;
        }
        let (field, p) = g.extra(index, e);
        g.push(field, p);
    }
    let first_template = KNOWN.len() + EXTRAS.len();
    if count > first_template {
        let combos = combos(seed);
        for index in first_template..count {
            let (field, p) = g.template(index, index - first_template, &combos);
            g.push(field, p);
        }
    }
    g.out
}

/// A procedure made for a tester's "mutate" command: a changed copy of `base` (e.g. new
/// processing_time/fee/updated_at), deterministic on `salt`.
///
/// The code, name and form stay, so the change feed shows an edit of the same procedure; the
/// time limit always changes, fees move by a few percent (or appear on a free procedure), and
/// `updated_at` becomes `now_rfc3339` as given.
pub fn mutate_procedure(base: &Procedure, salt: u64, now_rfc3339: &str) -> Procedure {
    let mut rng = Rng::new(salt ^ fnv1a(base.code.as_bytes()));
    let mut p = base.clone();

    let current = TIMES.iter().position(|(text, _)| *text == p.processing_time);
    let mut pick = rng.index(TIMES.len());
    if Some(pick) == current {
        pick = (pick + 1) % TIMES.len();
    }
    p.processing_time = TIMES[pick].0.to_owned();
    p.processing_days = TIMES[pick].1;

    if p.fees.is_empty() {
        if rng.percent(50) {
            let subject = p.subjects.first().copied().unwrap_or(Subject::Citizen);
            p.fees = vec![
                Fee {
                    subject,
                    channel: Channel::Paper,
                    amount_vnd: 20_000,
                    description: "Lệ phí: nộp hồ sơ trực tiếp hoặc qua dịch vụ bưu chính".into(),
                },
                Fee {
                    subject,
                    channel: Channel::Online,
                    amount_vnd: 10_000,
                    description: "Lệ phí: nộp hồ sơ trực tuyến".into(),
                },
            ];
        }
    } else {
        let percent = *rng.pick(&[90_i64, 105, 110, 120]);
        for fee in &mut p.fees {
            // Round to 500 đ, like published tariffs; a free line stays free.
            fee.amount_vnd = (fee.amount_vnd * percent / 100 + 250) / 500 * 500;
        }
    }
    p.updated_at = now_rfc3339.to_owned();
    p
}

// ---------------------------------------------------------------------------------------------
// Administrative units
// ---------------------------------------------------------------------------------------------

/// Sample units of Hải Phòng after the merger (names real, codes sample): former Hải Dương
/// wards and communes first, then a few of old Hải Phòng's.
const NEW_UNITS: &[(&str, UnitKind)] = &[
    ("Phường Hải Dương", UnitKind::Ward),
    ("Phường Lê Thanh Nghị", UnitKind::Ward),
    ("Phường Việt Hòa", UnitKind::Ward),
    ("Phường Thành Đông", UnitKind::Ward),
    ("Phường Nam Đồng", UnitKind::Ward),
    ("Phường Tân Hưng", UnitKind::Ward),
    ("Phường Thạch Khôi", UnitKind::Ward),
    ("Phường Tứ Minh", UnitKind::Ward),
    ("Phường Ái Quốc", UnitKind::Ward),
    ("Phường Chu Văn An", UnitKind::Ward),
    ("Phường Chí Linh", UnitKind::Ward),
    ("Phường Trần Hưng Đạo", UnitKind::Ward),
    ("Phường Nguyễn Trãi", UnitKind::Ward),
    ("Phường Kinh Môn", UnitKind::Ward),
    ("Phường Nguyễn Đại Năng", UnitKind::Ward),
    ("Phường Phạm Sư Mạnh", UnitKind::Ward),
    ("Phường Nhị Chiểu", UnitKind::Ward),
    ("Xã Nam Sách", UnitKind::Commune),
    ("Xã Thái Tân", UnitKind::Commune),
    ("Xã An Phú", UnitKind::Commune),
    ("Xã Thanh Hà", UnitKind::Commune),
    ("Xã Hà Tây", UnitKind::Commune),
    ("Xã Hà Đông", UnitKind::Commune),
    ("Xã Cẩm Giang", UnitKind::Commune),
    ("Xã Cẩm Giàng", UnitKind::Commune),
    ("Xã Tuệ Tĩnh", UnitKind::Commune),
    ("Xã Kẻ Sặt", UnitKind::Commune),
    ("Xã Bình Giang", UnitKind::Commune),
    ("Xã Đường An", UnitKind::Commune),
    ("Xã Gia Lộc", UnitKind::Commune),
    ("Xã Yết Kiêu", UnitKind::Commune),
    ("Xã Gia Phúc", UnitKind::Commune),
    ("Xã Tứ Kỳ", UnitKind::Commune),
    ("Xã Tân Kỳ", UnitKind::Commune),
    ("Xã Ninh Giang", UnitKind::Commune),
    ("Xã Vĩnh Lại", UnitKind::Commune),
    ("Xã Hồng Châu", UnitKind::Commune),
    ("Xã Thanh Miện", UnitKind::Commune),
    ("Xã Nguyễn Lương Bằng", UnitKind::Commune),
    ("Xã Kim Thành", UnitKind::Commune),
    ("Xã Lai Khê", UnitKind::Commune),
    ("Xã Phú Thái", UnitKind::Commune),
    ("Phường Hồng Bàng", UnitKind::Ward),
    ("Phường Lê Chân", UnitKind::Ward),
    ("Phường Ngô Quyền", UnitKind::Ward),
    ("Đặc khu Cát Hải", UnitKind::SpecialZone),
    ("Đặc khu Bạch Long Vĩ", UnitKind::SpecialZone),
];

/// Old Hải Dương (province "30") districts with their GSO codes, and the new unit that took over
/// their seat. A district was split among several new units; the seat is the one kept here.
const OLD_DISTRICTS: &[(&str, &str, &str)] = &[
    ("288", "Thành phố Hải Dương", "Phường Hải Dương"),
    ("290", "Thành phố Chí Linh", "Phường Chí Linh"),
    ("291", "Huyện Nam Sách", "Xã Nam Sách"),
    ("292", "Thị xã Kinh Môn", "Phường Kinh Môn"),
    ("293", "Huyện Kim Thành", "Xã Kim Thành"),
    ("294", "Huyện Thanh Hà", "Xã Thanh Hà"),
    ("295", "Huyện Cẩm Giàng", "Xã Cẩm Giàng"),
    ("296", "Huyện Bình Giang", "Xã Bình Giang"),
    ("297", "Huyện Gia Lộc", "Xã Gia Lộc"),
    ("298", "Huyện Tứ Kỳ", "Xã Tứ Kỳ"),
    ("299", "Huyện Ninh Giang", "Xã Ninh Giang"),
    ("300", "Huyện Thanh Miện", "Xã Thanh Miện"),
];

/// Sample old communes (names plausible, codes sample) and where they went.
const OLD_COMMUNES: &[(&str, &str)] = &[
    ("Phường Quang Trung", "Phường Hải Dương"),
    ("Phường Trần Hưng Đạo", "Phường Hải Dương"),
    ("Phường Nguyễn Trãi", "Phường Hải Dương"),
    ("Phường Phạm Ngũ Lão", "Phường Hải Dương"),
    ("Phường Lê Thanh Nghị", "Phường Lê Thanh Nghị"),
    ("Phường Hải Tân", "Phường Lê Thanh Nghị"),
    ("Phường Cẩm Thượng", "Phường Việt Hòa"),
    ("Phường Việt Hòa", "Phường Việt Hòa"),
    ("Phường Thanh Bình", "Phường Thành Đông"),
    ("Phường Ngọc Châu", "Phường Thành Đông"),
    ("Phường Sao Đỏ", "Phường Chí Linh"),
    ("Phường Cộng Hòa", "Phường Chu Văn An"),
    ("Phường An Lưu", "Phường Kinh Môn"),
    ("Thị trấn Nam Sách", "Xã Nam Sách"),
    ("Thị trấn Thanh Hà", "Xã Thanh Hà"),
    ("Thị trấn Cẩm Giang", "Xã Cẩm Giang"),
    ("Thị trấn Lai Cách", "Xã Tuệ Tĩnh"),
    ("Thị trấn Kẻ Sặt", "Xã Kẻ Sặt"),
    ("Thị trấn Gia Lộc", "Xã Gia Lộc"),
    ("Thị trấn Tứ Kỳ", "Xã Tứ Kỳ"),
    ("Thị trấn Ninh Giang", "Xã Ninh Giang"),
    ("Thị trấn Thanh Miện", "Xã Thanh Miện"),
    ("Thị trấn Phú Thái", "Xã Phú Thái"),
];

/// Hải Phòng city (code "31") with its communes/wards (sample: ~40 units, several real names of
/// former Hải Dương wards/communes) and a legacy mapping of old units (old Hải Dương province
/// "30" districts and some old communes) to new unit codes.
///
/// Sample codes: new units 10507 + 6k, old communes 10510 + 6k, so the two never collide.
pub fn admin_units() -> AdminUnits {
    let city = "31";
    let new_code = |i: usize| format!("{}", 10_507 + 6 * i);
    let mut units = vec![AdminUnit {
        code: city.to_owned(),
        name: "Thành phố Hải Phòng".to_owned(),
        kind: UnitKind::Province,
        parent_code: None,
    }];
    units.extend(NEW_UNITS.iter().enumerate().map(|(i, &(name, kind))| AdminUnit {
        code: new_code(i),
        name: name.to_owned(),
        kind,
        parent_code: Some(city.to_owned()),
    }));
    let code_of = |name: &str| {
        let i = NEW_UNITS.iter().position(|(n, _)| *n == name).unwrap_or_else(|| panic!("no unit {name}"));
        new_code(i)
    };
    let mut legacy: Vec<LegacyUnit> = OLD_DISTRICTS
        .iter()
        .map(|&(code, name, to)| LegacyUnit {
            old_code: code.to_owned(),
            old_name: name.to_owned(),
            old_level: "district".to_owned(),
            new_code: code_of(to),
        })
        .collect();
    legacy.extend(OLD_COMMUNES.iter().enumerate().map(|(i, &(name, to))| LegacyUnit {
        old_code: format!("{}", 10_510 + 6 * i),
        old_name: name.to_owned(),
        old_level: "commune".to_owned(),
        new_code: code_of(to),
    }));
    AdminUnits { units, legacy }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use unicode_normalization::{UnicodeNormalization, is_nfc};

    use super::*;

    const REAL: [&str; 17] = [
        "Đăng ký khai sinh",
        "Đăng ký kết hôn",
        "Đăng ký khai tử",
        "Đăng ký thường trú",
        "Cấp bản sao trích lục hộ tịch",
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        "Chứng thực chữ ký trong giấy tờ, văn bản",
        "Cấp giấy phép xây dựng đối với nhà ở riêng lẻ",
        "Cấp Phiếu lý lịch tư pháp",
        "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
        "Cấp đổi giấy phép lái xe",
        "Đăng ký thành lập hộ kinh doanh",
        "Xác nhận tình trạng hôn nhân",
        "Đăng ký nhận cha, mẹ, con",
        "Giải quyết trợ cấp thất nghiệp",
        "Đăng ký khai sinh có yếu tố nước ngoài",
        "Đăng ký lại khai sinh",
    ];

    fn nfc_names(catalog: &[Procedure]) -> Vec<String> {
        catalog.iter().map(|p| p.name.nfc().collect()).collect()
    }

    #[test]
    fn same_input_same_bytes() {
        let a = generate_catalog(1900, 7);
        let b = generate_catalog(1900, 7);
        assert_eq!(a, b);
        assert_eq!(serde_json::to_vec(&a).unwrap(), serde_json::to_vec(&b).unwrap());
        assert_ne!(a, generate_catalog(1900, 8));
    }

    #[test]
    fn smaller_catalog_is_a_prefix() {
        let big = generate_catalog(3000, 11);
        let small = generate_catalog(1900, 11);
        assert_eq!(&big[..1900], &small[..]);
    }

    #[test]
    fn small_counts_truncate() {
        assert!(generate_catalog(0, 1).is_empty());
        assert_eq!(generate_catalog(5, 1).len(), 5);
        assert_eq!(generate_catalog(20, 1).len(), 20);
        let c = generate_catalog(40, 1);
        assert_eq!(c.len(), 40);
        let names: Vec<&str> = c.iter().map(|p| p.name.as_str()).collect();
        for real in REAL {
            assert!(names.contains(&real), "{real} missing at count 40");
        }
    }

    #[test]
    fn codes_unique_and_well_formed() {
        for count in [1900, 10_000] {
            let c = generate_catalog(count, 3);
            assert_eq!(c.len(), count);
            let codes: HashSet<&str> = c.iter().map(|p| p.code.as_str()).collect();
            assert_eq!(codes.len(), count);
            for p in &c {
                assert_eq!(p.code, format!("{}.H19", p.national_code));
                let digits = p.national_code.strip_prefix("1.").unwrap();
                assert_eq!(digits.len(), 6, "{}", p.national_code);
                assert!(digits.bytes().all(|b| b.is_ascii_digit()));
            }
        }
    }

    #[test]
    fn real_names_first_verbatim_nfc_in_force() {
        let c = generate_catalog(1900, 42);
        for (p, real) in c.iter().zip(REAL) {
            assert_eq!(p.name, real);
            assert!(is_nfc(&p.name));
            assert_eq!(p.status, ProcedureStatus::InForce);
            assert!(p.name_en.is_some());
        }
        let ks = &c[0];
        assert_eq!(ks.code, "1.001193.H19");
        assert_eq!(ks.level, Level::Commune);
        assert_eq!(ks.online_level, OnlineLevel::Full);
        assert_eq!(ks.subjects, vec![Subject::Citizen]);
        assert!(ks.fees.is_empty());
        let lltp = c.iter().find(|p| p.name == "Cấp Phiếu lý lịch tư pháp").unwrap();
        let paper = lltp.fees.iter().find(|f| f.channel == Channel::Paper).unwrap();
        let online = lltp.fees.iter().find(|f| f.channel == Channel::Online).unwrap();
        assert_eq!(paper.amount_vnd, 200_000);
        assert!(online.amount_vnd < paper.amount_vnd);
        // Names containing the birth-registration phrase, for ranking tests.
        let containing = nfc_names(&c).iter().filter(|n| n.to_lowercase().contains("đăng ký khai sinh")).count();
        assert!(containing >= 4, "{containing}");
    }

    #[test]
    fn spelling_variants_present() {
        let c = generate_catalog(1900, 42);
        assert!(c.iter().any(|p| !is_nfc(&p.name)), "no NFD names");
        let nfd = c[KNOWN.len() + EXTRAS.len()..].iter().filter(|p| !is_nfc(&p.name)).count();
        assert!(nfd >= 40, "{nfd} NFD template names");
        let names = nfc_names(&c);
        let has = |s: &str| names.iter().any(|n| n.contains(s));
        for (old, new) in [("Hoà giải", "Hòa giải"), ("thuỷ sản", "thủy sản"), ("sức khoẻ", "sức khỏe")]
        {
            assert!(has(old), "{old}");
            assert!(has(new), "{new}");
        }
        assert!(has("Đăng kí"));
        assert!(has("Đăng ký"));
        assert!(has("lí lịch"));
        assert!(has("lý lịch"));
        // Variants reach template records too, not only the hand-written ones.
        let templates = &names[KNOWN.len() + EXTRAS.len()..];
        assert!(templates.iter().any(|n| n.contains("hoà") || n.contains("thuỷ") || n.contains("xoá")));
        assert!(templates.iter().any(|n| n.starts_with("Đăng kí")));
    }

    #[test]
    fn names_mostly_distinct() {
        let c = generate_catalog(1900, 5);
        let distinct: HashSet<&str> = c.iter().map(|p| p.name.as_str()).collect();
        assert!(distinct.len() * 100 >= c.len() * 98, "{} distinct of {}", distinct.len(), c.len());
    }

    #[test]
    fn statuses_and_successors() {
        let c = generate_catalog(10_000, 9);
        let by_code: HashMap<&str, &Procedure> = c.iter().map(|p| (p.code.as_str(), p)).collect();
        let replaced: Vec<&Procedure> = c.iter().filter(|p| p.status == ProcedureStatus::Replaced).collect();
        let expired = c.iter().filter(|p| p.status == ProcedureStatus::Expired).count();
        assert!((120..=300).contains(&replaced.len()), "{} replaced", replaced.len());
        assert!((50..=160).contains(&expired), "{expired} expired");
        for p in replaced {
            let to = by_code[p.replaced_by.as_deref().unwrap()];
            assert_eq!(to.status, ProcedureStatus::InForce);
            assert_ne!(to.code, p.code);
        }
        assert!(c.iter().filter(|p| p.status != ProcedureStatus::Replaced).all(|p| p.replaced_by.is_none()));
    }

    #[test]
    fn levels_dates_and_online_mix() {
        let c = generate_catalog(1900, 13);
        let clock = Clock::new();
        let full = c.iter().filter(|p| p.online_level == OnlineLevel::Full).count();
        assert!((400..=800).contains(&full), "{full} toàn trình");
        let legacy = c.iter().filter(|p| p.legacy_level.is_some()).count();
        assert!(legacy > 150, "{legacy} legacy");
        assert!(c.iter().any(|p| p.level == Level::Commune));
        assert!(c.iter().any(|p| p.level == Level::Province));
        for p in &c {
            let t = DateTime::parse_from_rfc3339(&p.updated_at).unwrap();
            assert!(p.updated_at.ends_with("+07:00"), "{}", p.updated_at);
            assert!(t >= clock.start && t < clock.end + TimeDelta::days(1), "{}", p.updated_at);
            if let Some(l) = &p.legacy_level {
                assert_eq!(l, "district");
                assert!(t < clock.reform, "{} legacy after reform", p.updated_at);
            }
            assert!(!p.subjects.is_empty());
            assert!(p.field_en.is_some());
        }
    }

    #[test]
    fn record_parts_in_bounds() {
        let c = generate_catalog(1900, 21);
        let mut with_form_ref = 0;
        for p in &c {
            assert!((1..=2).contains(&p.documents.len()), "{}", p.name);
            for case in &p.documents {
                assert!((1..=4).contains(&case.items.len()), "{}: {}", p.name, case.case_name);
            }
            if p.documents.iter().flat_map(|d| &d.items).any(|i| i.form.is_some()) {
                with_form_ref += 1;
            }
            assert!((3..=5).contains(&p.steps.len()), "{}", p.name);
            assert!(p.conditions.len() <= 2);
            assert!((1..=3).contains(&p.legal_basis.len()));
            assert!(p.processing_days.is_some() || p.processing_time.starts_with("Theo"));
            for fee in &p.fees {
                assert!(fee.amount_vnd >= 0);
                if fee.channel == Channel::Online {
                    let paper = p
                        .fees
                        .iter()
                        .find(|f| f.subject == fee.subject && f.channel == Channel::Paper)
                        .map_or(i64::MAX, |f| f.amount_vnd);
                    assert!(fee.amount_vnd <= paper, "{}", p.name);
                }
            }

            let form = &p.form;
            assert_eq!(form.version, 1);
            assert!((3..=8).contains(&form.fields.len()), "{} fields", form.fields.len());
            assert_eq!(form.fields[0].key, "ho_ten");
            assert_eq!(form.fields[0].max_length, Some(100));
            assert_eq!(form.fields[1].kind, FieldKind::Cccd);
            let keys: HashSet<&str> = form.fields.iter().map(|f| f.key.as_str()).collect();
            assert_eq!(keys.len(), form.fields.len());
            for f in &form.fields {
                assert!(f.key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{}", f.key);
                assert!(f.label_en.is_some());
            }
            let selects: Vec<&FormField> = form.fields.iter().filter(|f| f.kind == FieldKind::Select).collect();
            assert_eq!(selects.len(), 1);
            assert!((2..=4).contains(&selects[0].options.len()));
        }
        assert!(with_form_ref > c.len() / 2);
        let free = c.iter().filter(|p| p.fees.is_empty()).count();
        assert!(free > c.len() / 4 && free < c.len() * 3 / 4, "{free} free");
    }

    #[test]
    fn serialized_size_is_modest() {
        let c = generate_catalog(1900, 1);
        let bytes = serde_json::to_vec(&c).unwrap().len();
        let average = bytes / c.len();
        assert!((1500..=3000).contains(&average), "{average} bytes per record");
    }

    #[test]
    fn fifty_thousand() {
        let started = std::time::Instant::now();
        let c = generate_catalog(50_000, 2);
        let elapsed = started.elapsed();
        assert_eq!(c.len(), 50_000);
        let codes: HashSet<&str> = c.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes.len(), 50_000);
        let distinct: HashSet<&str> = c.iter().map(|p| p.name.as_str()).collect();
        eprintln!("50,000 records in {elapsed:?}, {} distinct names", distinct.len());
        if !cfg!(debug_assertions) {
            assert!(elapsed.as_secs_f64() < 2.0, "{elapsed:?}");
        }
    }

    #[test]
    fn mutate_changes_and_is_deterministic() {
        let c = generate_catalog(100, 4);
        for base in &c {
            let now = "2026-11-02T09:00:00+07:00";
            let m = mutate_procedure(base, 77, now);
            assert_eq!(m, mutate_procedure(base, 77, now));
            assert_ne!(&m, base);
            assert_ne!(m.processing_time, base.processing_time);
            assert_eq!(m.code, base.code);
            assert_eq!(m.name, base.name);
            assert_eq!(m.updated_at, now);
            for fee in &m.fees {
                assert!(fee.amount_vnd >= 0 && fee.amount_vnd % 500 == 0);
            }
        }
        let base = &c[8];
        let differs = (0..20).any(|salt| mutate_procedure(base, salt, "x") != mutate_procedure(base, 0, "x"));
        assert!(differs);
    }

    #[test]
    fn admin_units_cover_hai_duong() {
        let a = admin_units();
        let codes: HashSet<&str> = a.units.iter().map(|u| u.code.as_str()).collect();
        assert_eq!(codes.len(), a.units.len());
        let city = a.units.iter().find(|u| u.code == "31").unwrap();
        assert_eq!(city.kind, UnitKind::Province);
        assert!(a.units.len() >= 40);
        for u in a.units.iter().filter(|u| u.code != "31") {
            assert_eq!(u.parent_code.as_deref(), Some("31"));
        }
        let names: HashSet<&str> = a.units.iter().map(|u| u.name.as_str()).collect();
        for n in ["Phường Hải Dương", "Phường Lê Thanh Nghị", "Xã Thanh Hà", "Xã Kim Thành", "Đặc khu Cát Hải"]
        {
            assert!(names.contains(n), "{n}");
        }
        let old: HashSet<&str> = a.legacy.iter().map(|l| l.old_code.as_str()).collect();
        assert_eq!(old.len(), a.legacy.len());
        for l in &a.legacy {
            assert!(codes.contains(l.new_code.as_str()), "{} -> {}", l.old_name, l.new_code);
            assert!(l.old_level == "district" || l.old_level == "commune");
        }
        assert!(a.legacy.iter().any(|l| l.old_name == "Thành phố Hải Dương" && l.old_level == "district"));
        assert!(a.legacy.iter().any(|l| l.old_name == "Huyện Thanh Hà"));
        assert!(a.legacy.iter().filter(|l| l.old_level == "commune").count() >= 10);
    }
}
