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
//!
//! Data as data: the names, fields, objects, qualifiers, forms, hand-written records and
//! administrative units live in `sandbox/data/` (JSON where records nest, TSV where they do not;
//! UTF-8, NFC). They are embedded at compile time and parsed once; this file holds the rules.

use std::fmt::Display;
use std::str::FromStr;
use std::sync::LazyLock;

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
// Vocabulary (sandbox/data/)
// ---------------------------------------------------------------------------------------------

/// What kind of work a procedure is; drives documents, fees, steps and the form's select.
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Class {
    Issue,
    Register,
    Review,
    Benefit,
    Notice,
    Award,
}

/// Who usually applies in a field, or for one object.
#[derive(Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Bias {
    Citizens,
    #[serde(rename = "organizations")]
    Orgs,
    Mixed,
}

/// The verb of a procedure name (verbs.tsv): "Cấp", its English noun phrase ("Issuance of"),
/// and the kind of work. The Vietnamese verb is its key in the other files.
struct VerbDef {
    vi: String,
    en: String,
    class: Class,
}

/// Certifies a copy or a signature: "issue" work, but not a permit.
const AUTHENTICATE: &str = "Chứng thực";

/// The object of a procedure name (objects.tsv): "giấy phép kinh doanh vận tải bằng xe ô tô" and
/// the verbs that make sense with it.
struct Obj {
    vi: String,
    en: String,
    /// Indices into [`Data::verbs`].
    verbs: Vec<usize>,
    /// Set when the object itself fixes the level ("Giấy khen của Chủ tịch UBND cấp xã").
    level: Option<Level>,
    /// Set when the object itself fixes who applies (a practice certificate is personal).
    who: Option<Bias>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Agencies {
    deciding: String,
    processing: String,
}

/// A lĩnh vực (fields.json) with its agency, how often it sits at commune level, and its objects.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldDef {
    #[serde(rename = "field")]
    vi: String,
    #[serde(rename = "field_en")]
    en: String,
    /// Provincial department (deciding and processing agency at province level).
    #[serde(rename = "department")]
    dept: String,
    #[serde(rename = "commune_percent")]
    commune_pct: u64,
    #[serde(rename = "applicants")]
    bias: Bias,
    /// At commune level, when not the commune People's Committee.
    #[serde(default)]
    commune_agency: Option<Agencies>,
    /// The main law first; 1–3 of these go on each record.
    #[serde(rename = "legal_basis")]
    legal: Vec<String>,
    /// From objects.tsv.
    #[serde(skip)]
    objects: Vec<Obj>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldsFile {
    commune_agency: Agencies,
    city_committee: String,
    online_decree: String,
    fields: Vec<FieldDef>,
}

/// When a qualifier may be added to a verb × object pair (qualifiers.json: `rule`, with the
/// `verbs` or `fields` it applies to where it has them).
#[derive(serde::Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
enum Rule {
    Always,
    /// Fixes the level; only for fields that exist at both levels.
    Level {
        level: Level,
    },
    /// Fixes the applicant; only for fields open to both.
    Subject {
        subject: Subject,
    },
    Verbs {
        verbs: Vec<String>,
    },
    Class {
        class: Class,
    },
    /// Organisation-only permits.
    ForeignOrg,
    /// Permits and appraisals handled for industrial parks; organisations only.
    IndustrialZone {
        fields: Vec<String>,
    },
    /// Household-business variant of a permit or registration.
    Household {
        fields: Vec<String>,
    },
    /// Civil status, authentication, land and residence matters of overseas Vietnamese.
    Overseas {
        fields: Vec<String>,
    },
    /// Registrations and notices that can be done wholly online.
    Online {
        verbs: Vec<String>,
    },
    /// First issue or registration ("... lần đầu").
    FirstTime {
        verbs: Vec<String>,
    },
    /// Commune-level procedures run by a special zone.
    SpecialZone,
    /// Schools, clinics and other establishments outside the public sector.
    NonPublic {
        fields: Vec<String>,
    },
    /// Small food, trade and veterinary businesses.
    SmallBusiness {
        fields: Vec<String>,
    },
    /// Appraisals of publicly funded projects.
    PublicInvestment {
        fields: Vec<String>,
    },
}

impl Rule {
    fn verbs(&self) -> &[String] {
        match self {
            Rule::Verbs { verbs } | Rule::Online { verbs } | Rule::FirstTime { verbs } => verbs,
            _ => &[],
        }
    }

    fn fields(&self) -> &[String] {
        match self {
            Rule::IndustrialZone { fields }
            | Rule::Household { fields }
            | Rule::Overseas { fields }
            | Rule::NonPublic { fields }
            | Rule::SmallBusiness { fields }
            | Rule::PublicInvestment { fields } => fields,
            _ => &[],
        }
    }
}

/// A qualifier (qualifiers.json) such as "đối với tổ chức"; held with a leading space, ready to
/// append to a name.
#[derive(serde::Deserialize)]
struct Qual {
    #[serde(rename = "text")]
    vi: String,
    #[serde(rename = "text_en")]
    en: String,
    #[serde(flatten)]
    rule: Rule,
}

/// A published time limit (processing_times.tsv), its day count ("Trong ngày" counts as one),
/// and where it is drawn from.
struct TimeDef {
    text: String,
    days: Option<u32>,
    commune: bool,
    province_review: bool,
    province_other: bool,
}

impl TimeDef {
    /// Whether records at `level` doing `class` work may get this time limit.
    fn offered(&self, level: Level, class: Class) -> bool {
        match (level, class) {
            (Level::Commune, _) => self.commune,
            (_, Class::Review) => self.province_review,
            _ => self.province_other,
        }
    }
}

/// A standard e-form field (forms.json); `required` is decided per form.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldTemplate {
    key: String,
    label: String,
    label_en: String,
    kind: FieldKind,
    #[serde(default)]
    max_length: Option<u32>,
    /// A select's own options (the form's main select comes from `selects`).
    #[serde(default)]
    options: Vec<OptionDef>,
    #[serde(default)]
    past_only: bool,
    #[serde(default)]
    person: FormPerson,
    #[serde(default)]
    prefill: Option<ProfileClaim>,
}

/// The one select of an e-form (forms.json).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SelectDef {
    key: String,
    label: String,
    label_en: String,
    options: Vec<OptionDef>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionDef {
    value: String,
    label: String,
    label_en: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FormsFile {
    fields: Vec<FieldTemplate>,
    selects: Vec<SelectDef>,
}

/// What one kind of work asks for (classes.json, documents.tsv).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassDef {
    /// The examination step: "{processing agency} {examination}".
    examination: String,
    /// The condition specific to this kind of work.
    condition: String,
    /// None: always free.
    #[serde(default)]
    fees: Option<FeeSchedule>,
    /// (name, originals, copies), from documents.tsv.
    #[serde(skip)]
    documents: Vec<(String, u32, u32)>,
}

/// Many procedures are free; the rest charge one of `amounts_vnd` (multiples of 10,000 đ, so the
/// online discounts stay whole đồng).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FeeSchedule {
    percent_paid: u64,
    kind: String,
    amounts_vnd: Vec<i64>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Classes {
    issue: ClassDef,
    register: ClassDef,
    review: ClassDef,
    benefit: ClassDef,
    notice: ClassDef,
    award: ClassDef,
}

impl Classes {
    fn get(&self, class: Class) -> &ClassDef {
        match class {
            Class::Issue => &self.issue,
            Class::Register => &self.register,
            Class::Review => &self.review,
            Class::Benefit => &self.benefit,
            Class::Notice => &self.notice,
            Class::Award => &self.award,
        }
    }

    fn get_mut(&mut self, class: Class) -> &mut ClassDef {
        match class {
            Class::Issue => &mut self.issue,
            Class::Register => &mut self.register,
            Class::Review => &mut self.review,
            Class::Benefit => &mut self.benefit,
            Class::Notice => &mut self.notice,
            Class::Award => &mut self.award,
        }
    }
}

/// A real procedure (domain.md), written out in full (known.json).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Known {
    name: String,
    name_en: String,
    national_number: u64,
    field: String,
    class: Class,
    deciding_agency: String,
    processing_agency: String,
    level: Level,
    /// Was a district-level procedure; the record predates the reform.
    legacy_district: bool,
    online_level: OnlineLevel,
    subjects: Vec<Subject>,
    processing_time: String,
    #[serde(default)]
    processing_days: Option<u32>,
    fees: Vec<Fee>,
    documents: Vec<KnownCase>,
    conditions: Vec<String>,
    legal_basis: Vec<String>,
    /// The key of a select in forms.json.
    select: String,
    /// The standard identity fields are the requester's (người yêu cầu), not the subject's.
    #[serde(default)]
    requester_form: bool,
    /// Fields of forms.json this form asks for besides the standard ones, after the select.
    #[serde(default)]
    extra_fields: Vec<KnownField>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct KnownField {
    key: String,
    required: bool,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct KnownCase {
    case_name: String,
    items: Vec<KnownItem>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct KnownItem {
    name: String,
    originals: u32,
    copies: u32,
    /// The declaration form's code, when the item is one.
    #[serde(default)]
    form: Option<String>,
}

/// A hand-picked spelling variant (variants.tsv), placed right after the real names so even a
/// small catalog has every variant the search tests look for. Held in NFC; `nfd` says how the
/// record stores it.
struct Variant {
    name: String,
    name_en: String,
    field: String,
    class: Class,
    level: Level,
    nfd: bool,
}

/// Everything under `sandbox/data/`, parsed.
struct Data {
    verbs: Vec<VerbDef>,
    fields: Vec<FieldDef>,
    /// Deciding and processing agency at commune level, unless the field names its own.
    commune_agency: Agencies,
    /// Decides half of the provincial appraisals.
    city_committee: String,
    /// The decree on online public services, cited by some fully online procedures.
    online_decree: String,
    quals: Vec<Qual>,
    /// Scopes appended once the verb × object × qualifier space is used up (large catalogs
    /// only), so 10,000 and 50,000 records stay mostly distinct; with a leading space.
    areas: Vec<(String, String)>,
    /// New-placement syllables and their old-placement spelling ("hòa" -> "hoà").
    old_tones: Vec<(String, String)>,
    times: Vec<TimeDef>,
    form_fields: Vec<FieldTemplate>,
    selects: Vec<SelectDef>,
    classes: Classes,
    known: Vec<Known>,
    variants: Vec<Variant>,
    /// Units of Hải Phòng after the merger.
    units: Vec<(String, UnitKind)>,
    /// Old Hải Dương districts: (GSO code, name, the new unit that took over the seat).
    old_districts: Vec<(String, String, String)>,
    /// Sample old communes and the new unit they went to.
    old_communes: Vec<(String, String)>,
}

/// A data file: its name under `sandbox/data/` and its text.
type DataFile = (&'static str, &'static str);

macro_rules! data_file {
    ($name:literal) => {
        ($name, include_str!(concat!("../data/", $name)))
    };
}

const VERBS: DataFile = data_file!("verbs.tsv");
const FIELDS: DataFile = data_file!("fields.json");
const OBJECTS: DataFile = data_file!("objects.tsv");
const QUALIFIERS: DataFile = data_file!("qualifiers.json");
const AREAS: DataFile = data_file!("areas.tsv");
const TONE_MARKS: DataFile = data_file!("tone_marks.tsv");
const TIMES: DataFile = data_file!("processing_times.tsv");
const FORMS: DataFile = data_file!("forms.json");
const CLASSES: DataFile = data_file!("classes.json");
const DOCUMENTS: DataFile = data_file!("documents.tsv");
const KNOWN: DataFile = data_file!("known.json");
const VARIANTS: DataFile = data_file!("variants.tsv");
const UNITS: DataFile = data_file!("units.tsv");
const OLD_DISTRICTS: DataFile = data_file!("old_districts.tsv");
const OLD_COMMUNES: DataFile = data_file!("old_communes.tsv");

/// Select keys the generator picks by itself (see [`default_select`]).
const SEL_DELIVERY: &str = "hinh_thuc_nhan_ket_qua";
const SEL_REASON: &str = "ly_do_de_nghi";
const SEL_BENEFICIARY: &str = "doi_tuong";
const SEL_APPLICANT: &str = "loai_hinh";

static DATA: LazyLock<Data> = LazyLock::new(Data::load);

fn data() -> &'static Data {
    &DATA
}

/// Panics naming the file: data errors are build errors that show up on first use.
fn json<T: serde::de::DeserializeOwned>((file, text): (&str, &str)) -> T {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("sandbox/data/{file}: {e}"))
}

/// One record of a TSV file.
struct Row<'a> {
    file: &'a str,
    line: usize,
    cells: Vec<&'a str>,
}

impl<'a> Row<'a> {
    fn fail(&self, message: impl Display) -> ! {
        panic!("sandbox/data/{} line {}: {message}", self.file, self.line)
    }

    fn text(&self, column: usize) -> String {
        self.cells[column].to_owned()
    }

    fn number<T: FromStr<Err: Display>>(&self, column: usize) -> T {
        let cell = self.cells[column];
        cell.parse().unwrap_or_else(|e| self.fail(format!("{cell:?}: {e}")))
    }

    /// A snake_case name such as `province` or `special_zone`, read as its enum.
    fn name<T: serde::de::DeserializeOwned>(&self, column: usize) -> T {
        serde_json::from_value(serde_json::Value::from(self.cells[column])).unwrap_or_else(|e| self.fail(e))
    }

    fn optional_name<T: serde::de::DeserializeOwned>(&self, column: usize) -> Option<T> {
        (!self.cells[column].is_empty()).then(|| self.name(column))
    }

    /// `x` or nothing.
    fn flag(&self, column: usize) -> bool {
        match self.cells[column] {
            "x" => true,
            "" => false,
            other => self.fail(format!("expected \"x\" or nothing, found {other:?}")),
        }
    }
}

/// The records of a TSV file whose first line names `columns`; blank lines are skipped.
fn tsv<'a>((file, text): (&'a str, &'a str), columns: &[&str]) -> Vec<Row<'a>> {
    let mut lines = text.lines().enumerate().filter(|(_, line)| !line.is_empty());
    let header = lines.next().map_or("", |(_, line)| line);
    if !header.split('\t').eq(columns.iter().copied()) {
        panic!("sandbox/data/{file}: the first line should be {:?}, found {header:?}", columns.join("\t"));
    }
    lines
        .map(|(i, line)| {
            let row = Row { file, line: i + 1, cells: line.split('\t').collect() };
            if row.cells.len() != columns.len() {
                row.fail(format!("{} columns, expected {}", row.cells.len(), columns.len()));
            }
            if let Some(cell) = row.cells.iter().find(|c| c.trim() != **c) {
                row.fail(format!("spaces around {cell:?}"));
            }
            row
        })
        .collect()
}

/// " text" for a suffix, "" for none.
fn spaced(text: &str) -> String {
    if text.is_empty() { String::new() } else { format!(" {text}") }
}

fn parse_verbs(file: (&str, &str)) -> Vec<VerbDef> {
    let rows = tsv(file, &["verb", "verb_en", "class"]);
    let verbs: Vec<VerbDef> = rows.iter().map(|r| VerbDef { vi: r.text(0), en: r.text(1), class: r.name(2) }).collect();
    for (row, verb) in rows.iter().zip(&verbs) {
        if verbs.iter().filter(|v| v.vi == verb.vi).count() > 1 {
            row.fail(format!("{:?} listed twice", verb.vi));
        }
    }
    verbs
}

fn parse_objects(file: (&str, &str), fields: &mut [FieldDef], verbs: &[VerbDef]) {
    for row in tsv(file, &["field", "object", "object_en", "verbs", "level", "applicants"]) {
        let field = fields
            .iter()
            .position(|f| f.vi == row.cells[0])
            .unwrap_or_else(|| row.fail(format!("no field {:?} in fields.json", row.cells[0])));
        let verbs = row.cells[3]
            .split("; ")
            .map(|v| {
                verbs.iter().position(|d| d.vi == v).unwrap_or_else(|| row.fail(format!("no verb {v:?} in verbs.tsv")))
            })
            .collect();
        let obj =
            Obj { vi: row.text(1), en: row.text(2), verbs, level: row.optional_name(4), who: row.optional_name(5) };
        fields[field].objects.push(obj);
    }
}

fn parse_times(file: (&str, &str)) -> Vec<TimeDef> {
    let rows = tsv(file, &["processing_time", "days", "commune", "province_review", "province_other"]);
    let times: Vec<TimeDef> = rows
        .iter()
        .map(|r| TimeDef {
            text: r.text(0),
            days: (!r.cells[1].is_empty()).then(|| r.number(1)),
            commune: r.flag(2),
            province_review: r.flag(3),
            province_other: r.flag(4),
        })
        .collect();
    for (level, class) in
        [(Level::Commune, Class::Issue), (Level::Province, Class::Review), (Level::Province, Class::Issue)]
    {
        if !times.iter().any(|t| t.offered(level, class)) {
            panic!("sandbox/data/{}: no time marked for {level:?} {class:?}", file.0);
        }
    }
    times
}

impl Data {
    fn load() -> Data {
        let verbs = parse_verbs(VERBS);
        let FieldsFile { commune_agency, city_committee, online_decree, mut fields } = json(FIELDS);
        parse_objects(OBJECTS, &mut fields, &verbs);
        let mut quals: Vec<Qual> = json(QUALIFIERS);
        for q in &mut quals {
            if q.vi.trim() != q.vi || q.en.trim() != q.en {
                panic!("sandbox/data/{}: spaces around {:?}; the generator adds the leading one", QUALIFIERS.0, q.vi);
            }
            q.vi = spaced(&q.vi);
            q.en = spaced(&q.en);
        }
        let pairs = |file, columns: &[&str]| -> Vec<(String, String)> {
            tsv(file, columns).iter().map(|r| (r.text(0), r.text(1))).collect()
        };
        let areas = pairs(AREAS, &["area", "area_en"]).iter().map(|(vi, en)| (spaced(vi), spaced(en))).collect();
        let FormsFile { fields: form_fields, selects } = json(FORMS);
        let mut classes: Classes = json(CLASSES);
        for row in tsv(DOCUMENTS, &["class", "document", "originals", "copies"]) {
            classes.get_mut(row.name(0)).documents.push((row.text(1), row.number(2), row.number(3)));
        }
        let variants = tsv(VARIANTS, &["name", "name_en", "field", "class", "level", "normalization"])
            .iter()
            .map(|r| Variant {
                name: r.text(0),
                name_en: r.text(1),
                field: r.text(2),
                class: r.name(3),
                level: r.name(4),
                nfd: match r.cells[5] {
                    "NFC" => false,
                    "NFD" => true,
                    other => r.fail(format!("normalization should be NFC or NFD, found {other:?}")),
                },
            })
            .collect();
        let data = Data {
            verbs,
            fields,
            commune_agency,
            city_committee,
            online_decree,
            quals,
            areas,
            old_tones: pairs(TONE_MARKS, &["new_placement", "old_placement"]),
            times: parse_times(TIMES),
            form_fields,
            selects,
            classes,
            known: json(KNOWN),
            variants,
            units: tsv(UNITS, &["name", "kind"]).iter().map(|r| (r.text(0), r.name(1))).collect(),
            old_districts: tsv(OLD_DISTRICTS, &["code", "name", "seat_now_in"])
                .iter()
                .map(|r| (r.text(0), r.text(1), r.text(2)))
                .collect(),
            old_communes: pairs(OLD_COMMUNES, &["name", "merged_into"]),
        };
        data.check();
        data
    }

    /// Names one file uses that another must define.
    fn check(&self) {
        let field = |file: &str, name: &str| {
            if self.field_index(name).is_none() {
                panic!("sandbox/data/{file}: no field {name:?} in fields.json");
            }
        };
        let twice = |file: &str, names: Vec<&str>| {
            if let Some(name) = names.iter().enumerate().find_map(|(i, n)| names[..i].contains(n).then_some(n)) {
                panic!("sandbox/data/{file}: {name:?} listed twice");
            }
        };
        twice(FIELDS.0, self.fields.iter().map(|f| f.vi.as_str()).collect());
        twice(
            FORMS.0,
            self.selects
                .iter()
                .map(|s| s.key.as_str())
                .chain(self.form_fields.iter().map(|f| f.key.as_str()))
                .collect(),
        );
        twice(UNITS.0, self.units.iter().map(|(name, _)| name.as_str()).collect());
        for f in &self.fields {
            if f.legal.is_empty() {
                panic!("sandbox/data/{}: {:?} needs a legal basis", FIELDS.0, f.vi);
            }
        }
        for q in &self.quals {
            for f in q.rule.fields() {
                field(QUALIFIERS.0, f);
            }
            for v in q.rule.verbs() {
                if !self.verbs.iter().any(|d| d.vi == *v) {
                    panic!("sandbox/data/{}: no verb {v:?} in verbs.tsv", QUALIFIERS.0);
                }
            }
        }
        for k in &self.known {
            field(KNOWN.0, &k.field);
            self.select_in(KNOWN.0, &k.select);
        }
        for v in &self.variants {
            field(VARIANTS.0, &v.field);
        }
        for key in [SEL_DELIVERY, SEL_REASON, SEL_BENEFICIARY, SEL_APPLICANT] {
            self.select_in("generator.rs", key);
        }
        for s in &self.selects {
            if s.options.len() < 2 {
                panic!("sandbox/data/{}: select {:?} needs two options or more", FORMS.0, s.key);
            }
        }
        for class in [Class::Issue, Class::Register, Class::Review, Class::Benefit, Class::Notice, Class::Award] {
            let def = self.classes.get(class);
            if def.documents.is_empty() {
                panic!("sandbox/data/{}: no documents for {class:?}", DOCUMENTS.0);
            }
            if def.fees.as_ref().is_some_and(|f| f.amounts_vnd.is_empty() || f.percent_paid > 100) {
                panic!("sandbox/data/{}: {class:?} fees need amounts and a percentage up to 100", CLASSES.0);
            }
        }
        for (file, name) in self
            .old_districts
            .iter()
            .map(|(_, _, to)| (OLD_DISTRICTS.0, to))
            .chain(self.old_communes.iter().map(|(_, to)| (OLD_COMMUNES.0, to)))
        {
            if !self.units.iter().any(|(n, _)| n == name) {
                panic!("sandbox/data/{file}: no unit {name:?} in units.tsv");
            }
        }
    }

    fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.vi == name)
    }

    fn field_of(&self, name: &str) -> usize {
        self.field_index(name).unwrap_or_else(|| panic!("unknown field {name}"))
    }

    fn select_in(&self, file: &str, key: &str) -> &SelectDef {
        self.selects
            .iter()
            .find(|s| s.key == key)
            .unwrap_or_else(|| panic!("{file}: no select {key:?} in sandbox/data/forms.json"))
    }

    fn select(&self, key: &str) -> &SelectDef {
        self.select_in("generator.rs", key)
    }

    fn form_field(&self, key: &str) -> &FieldTemplate {
        self.form_fields
            .iter()
            .find(|f| f.key == key)
            .unwrap_or_else(|| panic!("no field {key:?} in sandbox/data/forms.json"))
    }
}

fn has_new_tone(s: &str) -> bool {
    data().old_tones.iter().any(|(new, _)| s.contains(new.as_str()))
}

fn old_tone(s: &str) -> String {
    data().old_tones.iter().fold(s.to_owned(), |acc, (new, old)| acc.replace(new.as_str(), old))
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

/// A standard field from forms.json.
fn form_field(key: &str, required: bool) -> FormField {
    let t = data().form_field(key);
    FormField {
        key: t.key.clone(),
        label: t.label.clone(),
        label_en: Some(t.label_en.clone()),
        kind: t.kind,
        required,
        min_length: None,
        max_length: t.max_length,
        pattern: None,
        options: t
            .options
            .iter()
            .map(|o| FormOption { value: o.value.clone(), label: o.label.clone(), label_en: Some(o.label_en.clone()) })
            .collect(),
        past_only: t.past_only,
        person: t.person,
        prefill: t.prefill,
    }
}

/// A known procedure's own form: the standard identity fields named as the requester's, and
/// its extra fields (the child and the parents, for a birth registration) before the
/// commitment.
fn known_form(mut form: FormSchema, k: &Known) -> FormSchema {
    if k.requester_form {
        for field in form.fields.iter_mut().filter(|f| f.prefill.is_some() && f.person == FormPerson::Subject) {
            field.person = FormPerson::Applicant;
            field.label = format!("{} người yêu cầu", field.label);
            field.label_en = field.label_en.as_ref().map(|en| format!("{en} of the requester"));
        }
    }
    let at = form.fields.iter().position(|f| f.key == "cam_ket").unwrap_or(form.fields.len());
    let extra = k.extra_fields.iter().map(|f| form_field(&f.key, f.required));
    form.fields.splice(at..at, extra);
    form
}

/// An e-form of 3–8 fields: identity first, one select, the commitment last.
fn build_form(rng: &mut Rng, subjects: &[Subject], select: &SelectDef, all_options: bool) -> FormSchema {
    let mut fields = vec![form_field("ho_ten", true), form_field("so_cccd", true)];
    if rng.percent(25) {
        fields.push(form_field("ngay_sinh", true));
    }
    if rng.percent(45) {
        let required = rng.percent(60);
        fields.push(form_field("so_dien_thoai", required));
    }
    if rng.percent(15) {
        fields.push(form_field("email", false));
    }
    // Organisations name themselves; where individuals may apply too, only some forms ask.
    if subjects.contains(&Subject::Organization) && (subjects.len() == 1 || rng.percent(40)) {
        fields.push(form_field("ten_to_chuc", subjects.len() == 1));
    }
    // Mostly two or three choices; sometimes the whole list.
    let len = select.options.len();
    let shown = if all_options || rng.percent(15) { len } else { 2 + rng.index(len.min(3) - 1) };
    fields.push(FormField {
        key: select.key.clone(),
        label: select.label.clone(),
        label_en: Some(select.label_en.clone()),
        kind: FieldKind::Select,
        required: true,
        min_length: None,
        max_length: None,
        pattern: None,
        options: select.options[..shown]
            .iter()
            .map(|o| FormOption { value: o.value.clone(), label: o.label.clone(), label_en: Some(o.label_en.clone()) })
            .collect(),
        past_only: false,
        person: FormPerson::Subject,
        prefill: None,
    });
    if rng.percent(10) {
        fields.push(form_field("so_ban", false));
    }
    if rng.percent(15) {
        fields.push(form_field("noi_dung", false));
    }
    if rng.percent(35) {
        fields.push(form_field("cam_ket", true));
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
    let key = if rng.percent(40) {
        SEL_DELIVERY
    } else {
        match class {
            Class::Issue => SEL_REASON,
            Class::Benefit => SEL_BENEFICIARY,
            Class::Register | Class::Review if subjects.len() > 1 => SEL_APPLICANT,
            _ => SEL_DELIVERY,
        }
    };
    data().select(key)
}

// ---------------------------------------------------------------------------------------------
// Record parts shared by hand-written and template records
// ---------------------------------------------------------------------------------------------

fn processing_time(rng: &mut Rng, level: Level, class: Class) -> (String, Option<u32>) {
    let pool: Vec<&TimeDef> = data().times.iter().filter(|t| t.offered(level, class)).collect();
    let t = pool[rng.index(pool.len())];
    (t.text.clone(), t.days)
}

fn item(name: &str, originals: u32, copies: u32) -> DocumentItem {
    DocumentItem { name: name.to_owned(), originals, copies, form: None }
}

/// 1–2 cases of 1–4 items; the second case, when present, is the online submission, where the
/// e-form replaces the paper declaration and the rest are electronic copies.
fn build_documents(rng: &mut Rng, class: Class, declaration: Option<FormRef>) -> Vec<DocumentCase> {
    let pool = &data().classes.get(class).documents;
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
        let (name, originals, copies) = &pool[(start + k) % pool.len()];
        items.push(item(name, *originals, *copies));
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
        steps.push(format!("{processing} {}", data().classes.get(class).examination));
    }
    if paid {
        steps.push("Nộp phí, lệ phí trực tuyến hoặc tại nơi nộp hồ sơ".into());
    }
    steps.push("Nhận kết quả trực tiếp, qua bưu chính hoặc bản điện tử".into());
    steps.into_iter().enumerate().map(|(n, s)| format!("Bước {}: {s}.", n + 1)).collect()
}

fn build_conditions(rng: &mut Rng, class: Class, online: OnlineLevel) -> Vec<String> {
    let mut pool = vec![data().classes.get(class).condition.as_str()];
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
    let mut legal = vec![field.legal[0].clone()];
    for law in &field.legal[1..] {
        if legal.len() < 3 && rng.percent(55) {
            legal.push(law.clone());
        }
    }
    if online == OnlineLevel::Full && legal.len() < 3 && rng.percent(25) {
        legal.push(data().online_decree.clone());
    }
    legal
}

/// Fees by applicant and channel (classes.json). Many procedures are free (no lines); online is
/// often cheaper (95 % or half) or free.
fn build_fees(rng: &mut Rng, class: Class, subjects: &[Subject], online: OnlineLevel) -> Vec<Fee> {
    let schedule = data().classes.get(class).fees.as_ref();
    // Drawn even for a class that is always free, so every class uses the stream alike.
    let paid = rng.percent(schedule.map_or(0, |s| s.percent_paid));
    let Some(FeeSchedule { kind, amounts_vnd, .. }) = schedule.filter(|_| paid) else {
        return Vec::new();
    };
    let base = *rng.pick(amounts_vnd);
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
// Templates
// ---------------------------------------------------------------------------------------------

/// Indices into the data: field, object within the field, verb, qualifier.
#[derive(Clone, Copy)]
struct Combo {
    field: u16,
    obj: u16,
    verb: u16,
    qual: u16,
}

fn qual_allowed(field: &FieldDef, obj: &Obj, verb: &VerbDef, qual: &Qual) -> bool {
    let class = verb.class;
    let bias = obj.who.unwrap_or(field.bias);
    let permit = class == Class::Issue && verb.vi != AUTHENTICATE;
    let listed_field = qual.rule.fields().contains(&field.vi);
    let listed_verb = qual.rule.verbs().contains(&verb.vi);
    match qual.rule {
        Rule::Always => true,
        Rule::Level { .. } => obj.level.is_none() && (1..100).contains(&field.commune_pct),
        Rule::Subject { .. } => bias == Bias::Mixed && !matches!(class, Class::Benefit | Class::Award),
        Rule::Verbs { .. } | Rule::Online { .. } => listed_verb,
        Rule::Class { class: c } => c == class,
        Rule::ForeignOrg => bias != Bias::Citizens && permit,
        Rule::IndustrialZone { .. } => bias != Bias::Citizens && (permit || class == Class::Review) && listed_field,
        Rule::Household { .. } => bias == Bias::Mixed && permit && listed_field,
        Rule::Overseas { .. } => bias != Bias::Orgs && listed_field,
        Rule::FirstTime { .. } => listed_verb && !obj.vi.contains("lần đầu") && !obj.vi.starts_with("thành lập"),
        Rule::SpecialZone => field.commune_pct > 0 && obj.level != Some(Level::Province),
        Rule::NonPublic { .. } => {
            bias != Bias::Citizens && matches!(class, Class::Issue | Class::Award | Class::Review) && listed_field
        }
        Rule::SmallBusiness { .. } => bias != Bias::Citizens && permit && listed_field,
        Rule::PublicInvestment { .. } => class == Class::Review && listed_field,
    }
}

/// Every sensible verb × object × qualifier, shuffled by `seed` so fields interleave.
fn combos(seed: u64) -> Vec<Combo> {
    let d = data();
    let mut all = Vec::new();
    for (f, field) in d.fields.iter().enumerate() {
        for (o, obj) in field.objects.iter().enumerate() {
            for &v in &obj.verbs {
                for (q, qual) in d.quals.iter().enumerate() {
                    if qual_allowed(field, obj, &d.verbs[v], qual) {
                        all.push(Combo { field: f as u16, obj: o as u16, verb: v as u16, qual: q as u16 });
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
            in_force_by_field: vec![None; data().fields.len()],
        }
    }

    fn next_number(&mut self, rng: &mut Rng) -> u64 {
        loop {
            self.last_number += 1 + rng.below(self.max_gap);
            if !data().known.iter().any(|k| k.national_number == self.last_number) {
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
        let field = &data().fields[data().field_of(&k.field)];
        let updated_at = if k.legacy_district {
            Clock::stamp(&mut rng, self.clock.start, self.clock.reform)
        } else {
            Clock::stamp(&mut rng, self.clock.reform, self.clock.end)
        };
        let paid = !k.fees.is_empty();
        let steps = build_steps(&mut rng, k.level, k.online_level, k.class, &k.processing_agency, paid, true);
        let form = known_form(build_form(&mut rng, &k.subjects, data().select(&k.select), true), k);
        let item = |i: &KnownItem| DocumentItem {
            name: i.name.clone(),
            originals: i.originals,
            copies: i.copies,
            form: i.form.as_ref().map(|code| FormRef { code: code.clone(), name: i.name.clone(), url: None }),
        };
        Procedure {
            code: format!("{}{LOCAL_SUFFIX}", national_code(k.national_number)),
            national_code: national_code(k.national_number),
            name: k.name.clone(),
            name_en: Some(k.name_en.clone()),
            field: field.vi.clone(),
            field_en: Some(field.en.clone()),
            deciding_agency: k.deciding_agency.clone(),
            processing_agency: k.processing_agency.clone(),
            level: k.level,
            legacy_level: k.legacy_district.then(|| "district".to_owned()),
            online_level: k.online_level,
            subjects: k.subjects.clone(),
            processing_time: k.processing_time.clone(),
            processing_days: k.processing_days,
            fees: k.fees.clone(),
            documents: k
                .documents
                .iter()
                .map(|case| DocumentCase {
                    case_name: case.case_name.clone(),
                    items: case.items.iter().map(item).collect(),
                })
                .collect(),
            steps,
            conditions: k.conditions.clone(),
            legal_basis: k.legal_basis.clone(),
            status: ProcedureStatus::InForce,
            replaced_by: None,
            updated_at,
            form,
        }
    }

    fn generic(&mut self, rng: &mut Rng, d: Draft) -> Procedure {
        let tables = data();
        let field = &tables.fields[d.field];
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
            Level::Commune => {
                let agencies = field.commune_agency.as_ref().unwrap_or(&tables.commune_agency);
                (&agencies.deciding, &agencies.processing)
            }
            Level::Province if d.class == Class::Review && rng.percent(50) => (&tables.city_committee, &field.dept),
            Level::Province => (&field.dept, &field.dept),
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
            field: field.vi.clone(),
            field_en: Some(field.en.clone()),
            deciding_agency: deciding.clone(),
            processing_agency: processing.clone(),
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

    fn variant(&mut self, index: usize, v: &Variant) -> (usize, Procedure) {
        let mut rng = self.root.fork(index as u64);
        let field = data().field_of(&v.field);
        let draft = Draft {
            plain: v.name.clone(),
            name: if v.nfd { v.name.nfd().collect() } else { v.name.clone() },
            name_en: Some(v.name_en.clone()),
            field,
            class: v.class,
            bias: data().fields[field].bias,
            level: Some(v.level),
            subjects: None,
            online: None,
            may_retire: false,
        };
        (field, self.generic(&mut rng, draft))
    }

    /// Template record number `g` (0-based among template records).
    fn template(&mut self, index: usize, g: usize, combos: &[Combo]) -> (usize, Procedure) {
        let mut rng = self.root.fork(index as u64);
        let tables = data();
        let c = combos[g % combos.len()];
        let field = &tables.fields[usize::from(c.field)];
        let obj = &field.objects[usize::from(c.obj)];
        let qual = &tables.quals[usize::from(c.qual)];
        let verb = &tables.verbs[usize::from(c.verb)];
        let wrap = g / combos.len();
        let (area_vi, area_en) = match wrap {
            0 => ("", ""),
            _ => {
                let (vi, en) = &tables.areas[(wrap - 1) % tables.areas.len()];
                (vi.as_str(), en.as_str())
            }
        };

        let plain = format!("{} {}{}{area_vi}", verb.vi, obj.vi, qual.vi);
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
        let name_en = (!rng.percent(5)).then(|| format!("{} {}{}{area_en}", verb.en, obj.en, qual.en));

        let level = match qual.rule {
            Rule::Level { level } => Some(level),
            Rule::SpecialZone => Some(Level::Commune),
            _ => obj.level,
        };
        let subjects = match qual.rule {
            Rule::Subject { subject } => Some(vec![subject]),
            Rule::ForeignOrg | Rule::IndustrialZone { .. } => Some(vec![Subject::Organization]),
            Rule::Household { .. } | Rule::Overseas { .. } => Some(vec![Subject::Citizen]),
            _ => None,
        };
        let online = matches!(qual.rule, Rule::Online { .. }).then_some(OnlineLevel::Full);
        let draft = Draft {
            plain,
            name,
            name_en,
            field: usize::from(c.field),
            class: verb.class,
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
    let tables = data();
    let mut g = Generator::new(count, seed);
    for (i, k) in tables.known.iter().enumerate().take(count) {
        let p = g.known(i, k);
        g.push(tables.field_of(&k.field), p);
    }
    for (j, v) in tables.variants.iter().enumerate() {
        let index = tables.known.len() + j;
        if index >= count {
            break;
        }
        let (field, p) = g.variant(index, v);
        g.push(field, p);
    }
    let first_template = tables.known.len() + tables.variants.len();
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

    let times = &data().times;
    let current = times.iter().position(|t| t.text == p.processing_time);
    let mut pick = rng.index(times.len());
    if Some(pick) == current {
        pick = (pick + 1) % times.len();
    }
    p.processing_time = times[pick].text.clone();
    p.processing_days = times[pick].days;

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
    let d = data();
    units.extend(d.units.iter().enumerate().map(|(i, (name, kind))| AdminUnit {
        code: new_code(i),
        name: name.clone(),
        kind: *kind,
        parent_code: Some(city.to_owned()),
    }));
    let code_of = |name: &str| {
        let i = d.units.iter().position(|(n, _)| n == name).unwrap_or_else(|| panic!("no unit {name}"));
        new_code(i)
    };
    let mut legacy: Vec<LegacyUnit> = d
        .old_districts
        .iter()
        .map(|(code, name, to)| LegacyUnit {
            old_code: code.clone(),
            old_name: name.clone(),
            old_level: "district".to_owned(),
            new_code: code_of(to),
        })
        .collect();
    legacy.extend(d.old_communes.iter().enumerate().map(|(i, (name, to))| LegacyUnit {
        old_code: format!("{}", 10_510 + 6 * i),
        old_name: name.clone(),
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

    fn first_template() -> usize {
        data().known.len() + data().variants.len()
    }

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
        let nfd = c[first_template()..].iter().filter(|p| !is_nfc(&p.name)).count();
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
        let templates = &names[first_template()..];
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

            let mut form = p.form.clone();
            assert_eq!(form.version, 1);
            // The birth registration's child and parents are checked in their own test.
            let extra = |key: &str| ["dia_chi", "tre_", "me_", "cha_"].iter().any(|k| key.starts_with(k));
            form.fields.retain(|f| !extra(&f.key));
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
    fn birth_registration_asks_for_the_child_and_the_parents() {
        let c = generate_catalog(40, 1);
        let ks = c.iter().find(|p| p.code == "1.001193.H19").unwrap();
        let field = |key: &str| ks.form.fields.iter().find(|f| f.key == key).unwrap_or_else(|| panic!("{key}"));
        for key in ["tre_ho_ten", "tre_ngay_sinh", "tre_noi_sinh", "tre_gioi_tinh", "me_ho_ten"] {
            assert!(field(key).required, "{key}");
            assert_eq!(
                field(key).person,
                if key.starts_with("me_") { FormPerson::Mother } else { FormPerson::Subject }
            );
        }
        assert!(field("tre_ngay_sinh").past_only);
        assert_eq!(field("tre_gioi_tinh").options.len(), 2);
        assert_eq!(field("cha_so_cccd").person, FormPerson::Father);
        assert_eq!(field("cha_so_cccd").prefill, Some(ProfileClaim::Cccd));
        assert_eq!(field("me_ho_ten").label_en.as_deref(), Some("Mother's full name"));
        // The identity fields are the requester's, filled from the resident's profile.
        assert_eq!(field("ho_ten").person, FormPerson::Applicant);
        assert_eq!(field("ho_ten").label, "Họ và tên người yêu cầu");
        assert_eq!(field("dia_chi").prefill, Some(ProfileClaim::Address));
        let keys: Vec<&str> = ks.form.fields.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(&keys[..3], ["ho_ten", "so_cccd", "quan_he"], "{keys:?}");
        // Other forms keep their subject's fields, prefilled for the resident applying for themself.
        let other = c.iter().find(|p| p.code != ks.code && p.form.fields[0].key == "ho_ten").unwrap();
        assert_eq!(other.form.fields[0].person, FormPerson::Subject);
        assert_eq!(other.form.fields[0].prefill, Some(ProfileClaim::Name));
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
        let c = generate_catalog(50_000, 2);
        assert_eq!(c.len(), 50_000);
        let codes: HashSet<&str> = c.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes.len(), 50_000);
        let distinct: HashSet<&str> = c.iter().map(|p| p.name.as_str()).collect();
        assert!(distinct.len() >= 40_000, "{} distinct names", distinct.len());
        // Past the verb × object × qualifier space, names take the area scopes of areas.tsv.
        let (area, area_en) = &data().areas[0];
        assert!(c.iter().any(|p| p.name.ends_with(area.as_str())), "{area}");
        assert!(c.iter().any(|p| p.name_en.as_deref().is_some_and(|n| n.ends_with(area_en.as_str()))));
        assert_eq!(c[..10_000], generate_catalog(10_000, 2)[..], "10,000 records are a prefix of 50,000");
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

    const DATA_FILES: [DataFile; 15] = [
        VERBS,
        FIELDS,
        OBJECTS,
        QUALIFIERS,
        AREAS,
        TONE_MARKS,
        TIMES,
        FORMS,
        CLASSES,
        DOCUMENTS,
        KNOWN,
        VARIANTS,
        UNITS,
        OLD_DISTRICTS,
        OLD_COMMUNES,
    ];

    #[test]
    fn data_files_load_and_are_nfc() {
        let d = data();
        assert_eq!(d.known.len(), REAL.len());
        assert!(d.fields.iter().all(|f| !f.objects.is_empty()), "a field without objects");
        assert!(!d.quals.is_empty() && !d.areas.is_empty() && !d.variants.is_empty());
        for (name, text) in DATA_FILES.iter().chain(&crate::report::DATA_FILES) {
            assert!(is_nfc(text), "sandbox/data/{name} is not NFC");
            assert!(!text.contains('\r') && text.ends_with('\n'), "sandbox/data/{name}: line endings");
        }
        let on_disk = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/data"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.ends_with(".json") || name.ends_with(".tsv"))
            .count();
        let read = DATA_FILES.len() + crate::report::DATA_FILES.len();
        assert_eq!(on_disk, read, "a file in sandbox/data/ nothing reads");
    }

    #[test]
    #[should_panic(expected = "sandbox/data/known.json: EOF while parsing")]
    fn malformed_json_names_the_file() {
        json::<Vec<Known>>(("known.json", r#"[{"name": "Đăng ký khai sinh""#));
    }

    #[test]
    #[should_panic(expected = "sandbox/data/verbs.tsv line 3: 2 columns, expected 3")]
    fn short_tsv_row_names_file_and_line() {
        parse_verbs(("verbs.tsv", "verb\tverb_en\tclass\nCấp\tIssuance of\tissue\nCấp lại\tRe-issuance of\n"));
    }

    #[test]
    #[should_panic(expected = "sandbox/data/verbs.tsv line 2: unknown variant `isue`")]
    fn unknown_name_in_tsv_names_file_and_line() {
        parse_verbs(("verbs.tsv", "verb\tverb_en\tclass\nCấp\tIssuance of\tisue\n"));
    }

    #[test]
    #[should_panic(expected = "sandbox/data/objects.tsv line 2: no verb \"Đăng kí\" in verbs.tsv")]
    fn dangling_reference_names_file_and_line() {
        let mut fields = json::<FieldsFile>(FIELDS).fields;
        let header = "field\tobject\tobject_en\tverbs\tlevel\tapplicants\n";
        let text = format!("{header}Hộ tịch\tgiám hộ\tguardianship\tĐăng kí\t\t\n");
        parse_objects(("objects.tsv", &text), &mut fields, &parse_verbs(VERBS));
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
