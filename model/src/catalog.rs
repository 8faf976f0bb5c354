//! The procedure record and the catalog wire types, shared by the core and the sandbox portal.
//!
//! Field names follow the national procedure database (see `docs/portal-api.md`); Vietnamese
//! text keeps its diacritics, English names sit beside it where the portal has them.

use serde::{Deserialize, Serialize};

/// Implementing level since the two-tier reform of 1 July 2025.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Province,
    Commune,
}

/// Online service level (Decree 42/2022/NĐ-CP): toàn trình (full) or một phần (partial).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OnlineLevel {
    Full,
    Partial,
}

/// Who may apply: công dân (citizen) or tổ chức / doanh nghiệp (organisation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Citizen,
    Organization,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Online,
    Paper,
}

/// In force, expired, or replaced by another procedure. Only in-force records reach residents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProcedureStatus {
    InForce,
    Expired,
    Replaced,
}

/// A fee line: amounts are whole đồng (VND has no minor unit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fee {
    pub subject: Subject,
    pub channel: Channel,
    pub amount_vnd: i64,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormRef {
    /// Template code, e.g. "TK-KS-01".
    pub code: String,
    pub name: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentItem {
    pub name: String,
    pub originals: u32,
    pub copies: u32,
    pub form: Option<FormRef>,
}

/// The documents asked for in one case (trường hợp) of a procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentCase {
    pub case_name: String,
    pub items: Vec<DocumentItem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Textarea,
    Number,
    Date,
    /// 12-digit citizen identity number (CCCD).
    Cccd,
    Phone,
    Email,
    Select,
    Checkbox,
}

/// Whose data a field holds. Most fields are about the person the dossier concerns (the
/// resident, or the child, parent or spouse they apply for); some forms also ask for the
/// applicant (người yêu cầu) and the parents of the person registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FormPerson {
    #[default]
    Subject,
    Applicant,
    Father,
    Mother,
}

impl FormPerson {
    fn is_subject(&self) -> bool {
        *self == FormPerson::Subject
    }
}

/// A claim of the e-identity profile (userinfo, the ID token) a field can be prefilled from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProfileClaim {
    Name,
    Cccd,
    Birthdate,
    /// The permanent address (nơi thường trú).
    Address,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormOption {
    pub value: String,
    pub label: String,
    pub label_en: Option<String>,
}

/// One field of an e-form; dossiers validate drafts offline against these rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormField {
    pub key: String,
    pub label: String,
    pub label_en: Option<String>,
    pub kind: FieldKind,
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// A regular expression the whole value must match, when the kind alone does not say enough.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<FormOption>,
    /// A date that cannot be after today (a date of birth).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub past_only: bool,
    /// Whose data the field holds.
    #[serde(default, skip_serializing_if = "FormPerson::is_subject")]
    pub person: FormPerson,
    /// The profile claim that fills the field when that person is the resident logged in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<ProfileClaim>,
}

impl FormField {
    /// A field labelled by its key, with no limits beyond its kind.
    pub fn new(key: &str, kind: FieldKind, required: bool) -> FormField {
        FormField {
            key: key.into(),
            label: key.into(),
            label_en: None,
            kind,
            required,
            min_length: None,
            max_length: None,
            pattern: None,
            options: Vec::new(),
            past_only: false,
            person: FormPerson::Subject,
            prefill: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormSchema {
    pub version: u32,
    pub fields: Vec<FormField>,
}

/// A procedure record as the national database holds it, with the province's local variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Procedure {
    /// Code with the local suffix, e.g. "1.012783.H19"; unique in the catalog.
    pub code: String,
    /// National code, e.g. "1.012783".
    pub national_code: String,
    pub name: String,
    pub name_en: Option<String>,
    /// Lĩnh vực, e.g. "Hộ tịch".
    pub field: String,
    pub field_en: Option<String>,
    /// Cơ quan có thẩm quyền.
    pub deciding_agency: String,
    /// Cơ quan thực hiện.
    pub processing_agency: String,
    pub level: Level,
    /// "district" on records created before 2025-07-01, when that level still existed.
    pub legacy_level: Option<String>,
    pub online_level: OnlineLevel,
    pub subjects: Vec<Subject>,
    /// Thời hạn giải quyết as published, e.g. "05 ngày làm việc".
    pub processing_time: String,
    pub processing_days: Option<u32>,
    pub fees: Vec<Fee>,
    pub documents: Vec<DocumentCase>,
    pub steps: Vec<String>,
    pub conditions: Vec<String>,
    pub legal_basis: Vec<String>,
    pub status: ProcedureStatus,
    pub replaced_by: Option<String>,
    /// RFC 3339.
    pub updated_at: String,
    pub form: FormSchema,
}

/// Kind of administrative unit after the reform: the city/province, and xã, phường, đặc khu.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Province,
    Ward,
    Commune,
    SpecialZone,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminUnit {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_code: Option<String>,
}

/// A pre-2025 unit (district or commune) and the unit that took it over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LegacyUnit {
    pub old_code: String,
    pub old_name: String,
    /// "district" or "commune" (old three-tier levels).
    pub old_level: String,
    pub new_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminUnits {
    pub units: Vec<AdminUnit>,
    pub legacy: Vec<LegacyUnit>,
}

/// One entry of the change feed: a procedure as it is now, or a tombstone. `P` is how the
/// record is held: parsed, or (the core's sync) parsed beside the JSON it came as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogChange<P = Procedure> {
    pub seq: u64,
    pub code: String,
    pub removed: bool,
    pub procedure: Option<P>,
}

/// A page of `GET /api/v1/catalog/changes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangesPage<P = Procedure> {
    pub items: Vec<CatalogChange<P>>,
    /// Cursor to ask with next (the last `seq` in this page, or `since` when empty).
    pub next_since: u64,
    pub has_more: bool,
    /// Changes after `since`, this page included: the client's progress total.
    pub remaining: u64,
    /// The newest change the portal has.
    pub head: u64,
}
