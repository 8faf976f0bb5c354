//! The core's records and enums, exported as they are (no copies, no conversion code).
//!
//! `#[uniffi::remote(...)]` restates a type defined in `smarthd-core` so that UniFFI exports it
//! from *this* crate: the bindings are then one module per language (`smarthd`,
//! `vn.gov.haiduong.smarthd`, `SmartHDCore`) instead of two. The restatement is checked by the
//! compiler: a field or variant added to, removed from or renamed in the core makes this file
//! fail to build until it is updated. Docs here become the generated code's docs.
//!
//! The core's own optional `uniffi` feature (derives on the same types) is not used: it would
//! export them from a second component, `smarthd_core`.

use std::collections::{BTreeMap, HashMap};

use smarthd_core::appointment::client::SlotQuery;
use smarthd_core::appointment::{Appointment, AppointmentStatus, Counter, Slot, VerifiedTicket};
use smarthd_core::catalog::Span;
use smarthd_core::catalog::model::{
    AdminUnit, AdminUnits, Channel, DocumentCase, DocumentItem, Fee, FieldKind, FormField, FormOption, FormPerson,
    FormRef, FormSchema, LegacyUnit, Level, OnlineLevel, Procedure, ProcedureStatus, ProfileClaim, Subject, UnitKind,
};
use smarthd_core::documents::{DocumentKind, MyDocument, ProfileCard};
use smarthd_core::dossier::{
    ActionKind, Attachment, Dossier, DossierStatus, FieldError, FieldProblem, ForPerson, Rating, RatingVerdict,
    ReceptionReceipt, ResultPayload, ResultSummary, SupplementRequest, TimelineEntry,
};
use smarthd_core::inbox::{InboxItem, InboxKind, Severity};
use smarthd_core::payment::vietqr::{QrMatrix, VietQr};
use smarthd_core::payment::{PaymentMethod, PaymentOrder, PaymentStatus, Receipt};
use smarthd_core::report::ReportState;
use smarthd_core::session::PortalProfile;
use smarthd_core::{
    DossierSyncReport, Event, FacetCount, Freshness, OutboxReport, PageRequest, Profile, PublicStatus,
    ReportSyncReport, SearchFilters, SearchHit, SearchPage, SessionState, SyncOutcome, SyncReport,
};

/// Implementing level since the two-tier reform of 1 July 2025.
#[uniffi::remote(Enum)]
pub enum Level {
    Province,
    Commune,
}

/// Online service level (Decree 42/2022/NĐ-CP): toàn trình (full) or một phần (partial).
#[uniffi::remote(Enum)]
pub enum OnlineLevel {
    Full,
    Partial,
}

/// Who may apply: công dân (citizen) or tổ chức / doanh nghiệp (organisation).
#[uniffi::remote(Enum)]
pub enum Subject {
    Citizen,
    Organization,
}

#[uniffi::remote(Enum)]
pub enum Channel {
    Online,
    Paper,
}

/// In force, expired, or replaced by another procedure.
#[uniffi::remote(Enum)]
pub enum ProcedureStatus {
    InForce,
    Expired,
    Replaced,
}

/// A fee line: amounts are whole đồng (VND has no minor unit).
#[uniffi::remote(Record)]
pub struct Fee {
    pub subject: Subject,
    pub channel: Channel,
    pub amount_vnd: i64,
    pub description: String,
}

#[uniffi::remote(Record)]
pub struct FormRef {
    /// Template code, e.g. "TK-KS-01".
    pub code: String,
    pub name: String,
    pub url: Option<String>,
}

#[uniffi::remote(Record)]
pub struct DocumentItem {
    pub name: String,
    pub originals: u32,
    pub copies: u32,
    pub form: Option<FormRef>,
}

/// The documents asked for in one case (trường hợp) of a procedure.
#[uniffi::remote(Record)]
pub struct DocumentCase {
    pub case_name: String,
    pub items: Vec<DocumentItem>,
}

#[uniffi::remote(Enum)]
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

/// Whose data a field holds: the person the dossier is about (the default), the applicant
/// (người yêu cầu, always the resident), or the father or mother of the person registered.
#[uniffi::remote(Enum)]
pub enum FormPerson {
    Subject,
    Applicant,
    Father,
    Mother,
}

/// The e-identity claim a field is prefilled from.
#[uniffi::remote(Enum)]
pub enum ProfileClaim {
    Name,
    Cccd,
    Birthdate,
    /// The permanent address.
    Address,
}

#[uniffi::remote(Record)]
pub struct FormOption {
    pub value: String,
    pub label: String,
    pub label_en: Option<String>,
}

/// One field of an e-form; dossiers validate drafts offline against these rules.
#[uniffi::remote(Record)]
pub struct FormField {
    pub key: String,
    pub label: String,
    pub label_en: Option<String>,
    pub kind: FieldKind,
    pub required: bool,
    pub min_length: Option<u32>,
    pub max_length: Option<u32>,
    /// A regular expression the whole value must match.
    pub pattern: Option<String>,
    pub options: Vec<FormOption>,
    /// A date that cannot be after today (a date of birth).
    pub past_only: bool,
    /// Whose data the field holds.
    pub person: FormPerson,
    /// The profile claim that fills the field when that person is the resident logged in.
    pub prefill: Option<ProfileClaim>,
}

#[uniffi::remote(Record)]
pub struct FormSchema {
    pub version: u32,
    pub fields: Vec<FormField>,
}

/// A procedure's whole record (thủ tục hành chính), with its e-form schema.
#[uniffi::remote(Record)]
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

/// Kind of administrative unit after the reform: the province, and xã, phường, đặc khu.
#[uniffi::remote(Enum)]
pub enum UnitKind {
    Province,
    Ward,
    Commune,
    SpecialZone,
}

#[uniffi::remote(Record)]
pub struct AdminUnit {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_code: Option<String>,
}

/// A pre-2025 unit (district or commune) and the unit that took it over.
#[uniffi::remote(Record)]
pub struct LegacyUnit {
    pub old_code: String,
    pub old_name: String,
    /// "district" or "commune" (old three-tier levels).
    pub old_level: String,
    pub new_code: String,
}

/// The administrative units now, and the old ones mapped to them.
#[uniffi::remote(Record)]
pub struct AdminUnits {
    pub units: Vec<AdminUnit>,
    pub legacy: Vec<LegacyUnit>,
}

/// Filters a resident can combine with a query; every one is optional.
#[uniffi::remote(Record)]
pub struct SearchFilters {
    #[uniffi(default)]
    pub field: Option<String>,
    #[uniffi(default)]
    pub agency: Option<String>,
    #[uniffi(default)]
    pub level: Option<Level>,
    #[uniffi(default)]
    pub online_level: Option<OnlineLevel>,
    #[uniffi(default)]
    pub subject: Option<Subject>,
}

/// A page of results: keep calls coarse (one page per call).
#[uniffi::remote(Record)]
pub struct PageRequest {
    #[uniffi(default = 0)]
    pub offset: u32,
    #[uniffi(default = 20)]
    pub limit: u32,
}

/// A highlighted range of a display string, in Unicode scalar values (chars), end exclusive.
#[uniffi::remote(Record)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

/// A search result: what a result row shows, with highlight spans over `name`.
#[uniffi::remote(Record)]
pub struct SearchHit {
    pub code: String,
    pub name: String,
    pub name_en: Option<String>,
    pub field: String,
    pub agency: String,
    pub level: Level,
    pub online: OnlineLevel,
    pub highlights: Vec<Span>,
}

#[uniffi::remote(Record)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    pub has_more: bool,
}

/// A value of a facet (field or agency) and how many in-force procedures have it.
#[uniffi::remote(Record)]
pub struct FacetCount {
    pub name: String,
    pub count: u32,
}

/// How fresh the offline copy is.
#[uniffi::remote(Record)]
pub struct Freshness {
    /// RFC 3339 time of the last successful sync, if any.
    pub last_success_at: Option<String>,
    /// The copy is a complete snapshot (no sync left half done).
    pub complete: bool,
    pub procedures: u32,
}

#[uniffi::remote(Enum)]
pub enum SyncOutcome {
    /// The portal said 304: the copy was already current.
    NotModified,
    Updated,
}

#[uniffi::remote(Record)]
pub struct SyncReport {
    pub outcome: SyncOutcome,
    pub upserted: u64,
    pub removed: u64,
    pub pages: u32,
    /// The feed position the copy now holds.
    pub cursor: u64,
}

/// What the core tells the app as it happens: catalog sync progress, session changes, dossier
/// status changes and payment updates.
#[uniffi::remote(Enum)]
pub enum Event {
    /// Catalog sync progress: `done` of `total` changes applied.
    CatalogSyncProgress { done: u64, total: u64 },
    /// The login session changed (logged in, refreshing, expired, logged out).
    SessionChanged { state: SessionState },
    /// A dossier's status changed (queued, received, processing, result ready...): the shells
    /// turn this into a local notification.
    DossierStatusChanged { dossier_id: String, code: Option<String>, status: DossierStatus },
    /// A dossier changed without a new status (an action queued or delivered): read it again;
    /// nothing to notify.
    DossierUpdated { dossier_id: String },
    /// A field report moved (sent, refused, accepted, assigned, handled...).
    ReportStatusChanged { report_id: String, code: Option<String>, state: ReportState },
    /// An announcement or alert for the resident's commune arrived: notify, an emergency at once.
    AlertReceived { alert_id: String, title: String, severity: Severity },
    /// A payment moved (issued, being confirmed, paid, failed...).
    PaymentUpdated { order_id: String, status: PaymentStatus },
    /// An appointment at a one-stop counter starts within 24 hours (once per booking).
    AppointmentReminder { booking_id: String, counter_name: String, starts_at: String, number: u32 },
}

/// Where a fee payment stands.
#[uniffi::remote(Enum)]
pub enum PaymentStatus {
    /// Asked for on the phone, not yet at the portal.
    Created,
    /// The portal issued a pay URL or a VietQR.
    AwaitingPayment,
    /// Back from the gateway; the portal has not confirmed yet.
    Processing,
    Succeeded,
    Failed,
    Cancelled,
    Expired,
}

/// Whom a dossier is about: the resident applying (`Myself`, "self" on the wire) or a family
/// member they apply for.
#[uniffi::remote(Enum)]
pub enum ForPerson {
    Myself,
    Child,
    Parent,
    Spouse,
    Other,
}

/// Where a dossier (hồ sơ) stands, from the draft on the phone to the returned result.
#[uniffi::remote(Enum)]
pub enum DossierStatus {
    /// Nháp: on the phone, editable.
    Draft,
    /// Đang chờ gửi: in the outbox, sent when the network allows.
    Queued,
    /// Gửi không thành công: the portal refused it for good; the reason is kept.
    Failed,
    /// Đã tiếp nhận, with a receipt and a dossier code.
    Received,
    Processing,
    NeedMoreDocuments,
    AwaitingPayment,
    Rejected,
    ResultReady,
    Returned,
    /// Đã rút hồ sơ: the resident withdrew it.
    Withdrawn,
}

/// The login session as the app shows it.
#[uniffi::remote(Enum)]
pub enum SessionState {
    LoggedOut,
    /// Logged in at VNeID `level` (1 or 2) until `expires_at` (Unix seconds).
    LoggedIn {
        level: u8,
        expires_at: i64,
    },
    Refreshing,
    /// The provider ended the session (refresh refused): log in again.
    Expired,
}

// --- identity ---

/// Who is logged in. Show `mask_cccd(cccd)` on screens, never the whole number.
#[uniffi::remote(Record)]
pub struct Profile {
    /// The provider's opaque subject identifier.
    pub subject: String,
    pub name: String,
    /// The 12-digit CCCD (personal data: mask it with `mask_cccd` before showing or logging).
    pub cccd: String,
    /// VNeID level of this login: 1 or 2.
    pub level: u8,
    /// Unix seconds when the current access token expires (the core refreshes it).
    pub access_expires_at: i64,
    /// Unix seconds until which the session renews itself (the refresh token's expiry, when the
    /// provider says it); after that the resident logs in again.
    pub refresh_expires_at: Option<i64>,
}

/// The resident as the portal knows them (`session().profile()`): personal data, never logged.
#[uniffi::remote(Record)]
pub struct PortalProfile {
    /// The provider's opaque subject identifier.
    pub sub: String,
    pub name: String,
    /// The 12-digit CCCD (mask it with `mask_cccd` before showing it in passing).
    pub cccd: String,
    /// The VNeID level of the current login: 1 or 2.
    pub level: u8,
    /// `vneid:level1` or `vneid:level2`.
    pub acr: String,
    /// YYYY-MM-DD.
    pub birthdate: String,
    pub gender: String,
    pub address: String,
    pub phone: String,
}

/// One of the resident's personal papers as VNeID lists them (`session().documents()`, level 2).
#[uniffi::remote(Record)]
pub struct ProfileCard {
    /// `cccd`, `birth_certificate`, `driving_licence`, ...
    pub kind: String,
    pub name: String,
    pub name_en: String,
    pub number: String,
    pub issued_by: String,
    /// YYYY-MM-DD.
    pub issued_on: String,
}

// --- dossiers ---

/// A file attached to a dossier, kept sealed in the data dir until sent.
#[uniffi::remote(Record)]
pub struct Attachment {
    pub sha256: String,
    pub name: String,
    pub size: u64,
    /// `application/pdf`, `image/jpeg` or `image/png` (sniffed from the content).
    pub content_type: String,
    /// For an attachment added in a supplement round: the requested document it answers.
    pub document: Option<String>,
    /// The supplement round it was attached in; 0 for the dossier as first submitted.
    pub round: u32,
}

/// What the officer asks the resident to supplement ("Yêu cầu bổ sung"), one round.
#[uniffi::remote(Record)]
pub struct SupplementRequest {
    /// 1 for the first request, then 2, ...
    pub round: u32,
    pub message: String,
    /// The documents asked for, by name; each must be attached (`attach_document`).
    pub documents: Vec<String>,
    /// The last day to supplement (YYYY-MM-DD).
    pub deadline: String,
}

/// An action on a dossier the portal holds, queued until delivered.
#[uniffi::remote(Enum)]
pub enum ActionKind {
    Supplement,
    Withdrawal,
    Rating,
}

/// The resident's overall verdict on how a dossier was handled.
#[uniffi::remote(Enum)]
pub enum RatingVerdict {
    NotSatisfied,
    Satisfied,
    VerySatisfied,
}

/// A rating: once per dossier, after its result. `scores` maps criteria keys
/// (`rating_criteria()`) to 0, 1 or 2; any subset.
#[uniffi::remote(Record)]
pub struct Rating {
    pub verdict: RatingVerdict,
    pub scores: RatingScores,
    pub comment: Option<String>,
}

/// Criteria scores by key (a sorted map in Rust, a plain map elsewhere).
pub type RatingScores = BTreeMap<String, u8>;

uniffi::custom_type!(RatingScores, HashMap<String, u8>, {
    remote,
    lower: |values| values.into_iter().collect(),
    try_lift: |values| Ok(values.into_iter().collect()),
});

/// A result the phone holds, verified when it was kept.
#[uniffi::remote(Record)]
pub struct ResultSummary {
    pub result_id: String,
    /// The result document's name ("Phiếu lý lịch tư pháp số 1").
    pub name: String,
    /// RFC 3339.
    pub issued_at: String,
}

/// Where an inbox item comes from.
#[uniffi::remote(Enum)]
pub enum InboxKind {
    Alert,
    Dossier,
    Payment,
    Report,
}

/// An alert's severity: an emergency is shown at once, quiet hours or not.
#[uniffi::remote(Enum)]
pub enum Severity {
    Info,
    Warning,
    Emergency,
}

/// One item of the inbox.
#[uniffi::remote(Record)]
pub struct InboxItem {
    pub item_id: String,
    pub kind: InboxKind,
    pub title: String,
    pub body: String,
    pub severity: Severity,
    pub valid_until: Option<String>,
    pub at: String,
    pub read: bool,
}

/// What kind of paper an entry of My documents is.
#[uniffi::remote(Enum)]
pub enum DocumentKind {
    /// A dossier's result.
    Result,
    /// A fee's e-receipt.
    Receipt,
    /// A personal paper VNeID lists (CCCD, GPLX, BHYT...).
    Card,
}

/// One entry of My documents.
#[uniffi::remote(Record)]
pub struct MyDocument {
    /// `result:…`, `receipt:…` or `card:…`: what `export` takes.
    pub id: String,
    pub kind: DocumentKind,
    pub title: String,
    pub detail: String,
    pub issued_at: String,
    /// The portal's signature checks (results and receipts).
    pub verified: bool,
}

/// What a verified result says of itself.
#[uniffi::remote(Record)]
pub struct ResultPayload {
    pub result_id: String,
    pub dossier_id: String,
    pub dossier_code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub name: String,
    /// Lowercase hex SHA-256 of the PDF.
    pub sha256: String,
    pub size: u64,
    /// RFC 3339.
    pub issued_at: String,
    pub issuer: String,
}

/// The reception receipt (biên nhận) the portal gives when it receives a dossier; not a
/// payment's e-receipt (biên lai, `Receipt`).
#[uniffi::remote(Record)]
pub struct ReceptionReceipt {
    pub number: String,
    /// RFC 3339.
    pub received_at: String,
    /// RFC 3339, when the portal promises the result.
    pub expected_result_at: Option<String>,
}

/// One step of a dossier's history.
#[uniffi::remote(Record)]
pub struct TimelineEntry {
    pub status: DossierStatus,
    /// RFC 3339.
    pub at: String,
    /// What the officer said (what to add, why rejected...).
    pub message: Option<String>,
}

/// The form values of a dossier, by field key (a sorted map in Rust, a plain map elsewhere).
pub type FieldValues = BTreeMap<String, String>;

uniffi::custom_type!(FieldValues, HashMap<String, String>, {
    remote,
    lower: |values| values.into_iter().collect(),
    try_lift: |values| Ok(values.into_iter().collect()),
});

/// A dossier (hồ sơ): a draft on the phone, queued in the outbox, or held by the portal.
#[uniffi::remote(Record)]
pub struct Dossier {
    /// Permanent id made on the phone; the portal deduplicates on it.
    pub id: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub applicant: Subject,
    /// Whom the dossier is about: the resident, or the family member they apply for.
    pub for_person: ForPerson,
    pub fields: FieldValues,
    /// The fields filled from the e-identity profile and not changed since (show them as such).
    pub prefilled: Vec<String>,
    pub attachments: Vec<Attachment>,
    pub status: DossierStatus,
    /// Mã hồ sơ, once the portal has received it (for `lookup`).
    pub code: Option<String>,
    pub receipt: Option<ReceptionReceipt>,
    /// The fees to pay (whole đồng), when the procedure has any.
    pub fee_vnd: Option<i64>,
    /// Its fee can be paid now: the portal received it, it has a fee, and it was not withdrawn
    /// or rejected. Offer "Thanh toán" on this (whether it is paid already, the payment says).
    pub payable: bool,
    /// Why the portal refused it (a failed dossier), or why it still waits (a queued one).
    pub problem: Option<String>,
    pub timeline: Vec<TimelineEntry>,
    /// What the officer asked for, while the dossier waits for the resident's supplement.
    pub supplement: Option<SupplementRequest>,
    /// The documents of the open round no attachment of this round answers yet: the app ticks
    /// the others; the supplement goes once this is empty.
    pub missing_documents: Vec<String>,
    /// An action queued and not yet delivered (a supplement or a withdrawal).
    pub queued_action: Option<ActionKind>,
    /// The result, once the phone holds it verified.
    pub result: Option<ResultSummary>,
    /// The resident's verdict, once the portal has their rating.
    pub rating: Option<RatingVerdict>,
    /// RFC 3339.
    pub created_at: String,
    pub updated_at: String,
}

/// Why one field's value is not acceptable; `field_problem_message` says it in Vietnamese and
/// English.
#[uniffi::remote(Enum)]
pub enum FieldProblem {
    Required,
    UnknownField,
    /// A CCCD is exactly 12 digits (spaces and dots are ignored).
    Cccd,
    /// A Vietnamese mobile number: 0 or +84, then 9 digits starting with 3, 5, 7, 8 or 9.
    Phone,
    Email,
    /// Not a date as YYYY-MM-DD (or DD/MM/YYYY).
    Date,
    /// Written as a date, but no such day exists (30 February).
    NoSuchDate,
    /// A date of birth after today.
    FutureDate,
    Number,
    /// Not one of the field's options, which are listed.
    Option {
        options: Vec<FormOption>,
    },
    /// "true" or "false".
    Checkbox,
    TooShort {
        min: u32,
    },
    TooLong {
        max: u32,
    },
    Pattern,
}

/// A field of a draft and what is wrong with it.
#[uniffi::remote(Record)]
pub struct FieldError {
    pub field: String,
    pub problem: FieldProblem,
}

/// What one flush of the outbox did.
#[uniffi::remote(Record)]
pub struct OutboxReport {
    /// Received by the portal in this flush.
    pub sent: u32,
    /// Refused for good (kept, with the reason, as failed dossiers).
    pub failed: u32,
    /// The resident's entries still in the outbox (to retry later, or waiting for level 2).
    pub pending: u32,
    /// Nothing could be sent: the resident must log in.
    pub needs_login: bool,
    /// Entries that wait for a VNeID level 2 login.
    pub waiting_for_level2: u32,
    /// Entries another resident queued on this phone: they wait for their owner to log in.
    pub waiting_for_owner: u32,
}

/// What `sync` did: the outbox, dossier statuses, payments.
#[uniffi::remote(Record)]
pub struct DossierSyncReport {
    pub outbox: OutboxReport,
    /// Dossiers whose status the portal changed.
    pub status_changes: u32,
    /// Payments whose status changed (orders sent, outcomes settled).
    pub payments_updated: u32,
    /// Results the portal issued that are now on the phone, verified.
    pub results_kept: u32,
    /// Field reports and ratings sent, and reports whose progress changed.
    pub reports: ReportSyncReport,
}

/// What the portal's public lookup tells anyone who has a dossier code: nothing personal.
#[uniffi::remote(Record)]
pub struct PublicStatus {
    pub code: String,
    pub procedure_name: String,
    pub status: DossierStatus,
    /// RFC 3339.
    pub updated_at: String,
}

// --- payments ---

#[uniffi::remote(Enum)]
pub enum PaymentMethod {
    /// A VNPay-compatible gateway page opened in the browser (`pay_url`).
    Gateway,
    /// A bank transfer from any banking app, by scanning a VietQR (`vietqr`).
    Vietqr,
}

/// A payment as the app shows it. Only the portal's word makes it `Succeeded`.
#[uniffi::remote(Record)]
pub struct PaymentOrder {
    pub order_id: String,
    pub dossier_id: String,
    pub amount_vnd: i64,
    pub status: PaymentStatus,
    pub method: PaymentMethod,
    /// Open this in the browser (gateway).
    pub pay_url: Option<String>,
    /// Show this as a QR code (VietQR): `vietqr_matrix(payload)` gives the modules to draw.
    pub vietqr: Option<String>,
    /// RFC 3339.
    pub expires_at: Option<String>,
    /// The gateway's response code of a failed attempt, and what it means.
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub receipt_id: Option<String>,
}

/// A payment's e-receipt (biên lai điện tử), signed by the portal and verified on the phone.
#[uniffi::remote(Record)]
pub struct Receipt {
    pub receipt_id: String,
    pub order_id: String,
    pub dossier_id: String,
    pub dossier_code: Option<String>,
    pub amount_vnd: i64,
    /// "gateway" or "vietqr".
    pub method: String,
    pub txn_ref: String,
    pub bank_tran_no: Option<String>,
    /// RFC 3339.
    pub paid_at: String,
    pub issuer: String,
}

/// A VietQR (NAPAS EMVCo merchant-presented QR) payload's content.
#[uniffi::remote(Record)]
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

/// A QR code as modules for the shells to draw: `width` rows of `width`, row by row, `true` is
/// dark.
#[uniffi::remote(Record)]
pub struct QrMatrix {
    pub width: u32,
    pub modules: Vec<bool>,
}

/// A commune's one-stop counter (Bộ phận một cửa).
#[uniffi::remote(Record)]
pub struct Counter {
    pub counter_id: String,
    pub unit_code: String,
    pub unit_name: String,
    pub name: String,
    pub address: String,
    /// Opening hours as shown.
    pub hours: String,
}

/// A 30-minute slot at a counter, with the places left.
#[uniffi::remote(Record)]
pub struct Slot {
    pub slot_id: String,
    pub counter_id: String,
    pub unit_code: String,
    /// RFC 3339, Vietnam time.
    pub starts_at: String,
    pub ends_at: String,
    pub capacity: u32,
    pub available: u32,
}

/// Which slots to list: a counter, or a unit's counter; for a procedure.
#[uniffi::remote(Record)]
pub struct SlotQuery {
    #[uniffi(default = None)]
    pub unit_code: Option<String>,
    #[uniffi(default = None)]
    pub counter_id: Option<String>,
    #[uniffi(default = None)]
    pub procedure_code: Option<String>,
}

/// Booked (Đã đặt), cancelling (Đang huỷ: cancelled on the phone, the portal not told yet; the
/// next `sync().now()` sends it) or cancelled (Đã huỷ).
#[uniffi::remote(Enum)]
pub enum AppointmentStatus {
    Booked,
    Cancelling,
    Cancelled,
}

/// A booking at a one-stop counter, kept on the phone.
#[uniffi::remote(Record)]
pub struct Appointment {
    pub booking_id: String,
    pub slot_id: String,
    pub counter_id: String,
    pub counter_name: String,
    pub unit_code: String,
    pub procedure_code: Option<String>,
    pub starts_at: String,
    pub ends_at: String,
    pub status: AppointmentStatus,
    /// The place in the slot's queue.
    pub number: u32,
}

/// A booking's ticket, verified offline: draw `qr_text` as a QR code (`vietqrMatrix` draws any
/// text) for the counter to scan.
#[uniffi::remote(Record)]
pub struct VerifiedTicket {
    pub booking_id: String,
    pub qr_text: String,
    pub key_id: String,
    pub counter_id: String,
    pub counter_name: String,
    pub starts_at: String,
    pub number: u32,
    pub status: AppointmentStatus,
}
