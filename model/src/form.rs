//! Offline validation of a dossier's e-form against the procedure's form schema: pure, typed
//! errors per field, the same rules the portal applies. Values are also normalized (spaces and
//! dots out of numbers, dates as YYYY-MM-DD, an option's label to its key), so the phone stores
//! and sends what the portal expects; and a form can be prefilled from the e-identity profile.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::catalog::{FieldKind, FormField, FormOption, FormPerson, FormSchema, ProfileClaim};
use crate::dossier::ForPerson;
use crate::text::fold;

/// Why one field's value is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
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
    /// A date of birth (or another past-only date) after today.
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub problem: FieldProblem,
}

impl FieldProblem {
    /// What to tell the resident, Vietnamese first.
    pub fn message(&self) -> String {
        match self {
            FieldProblem::Required => "Bắt buộc nhập / required".into(),
            FieldProblem::UnknownField => "Trường không có trong biểu mẫu / not a field of this form".into(),
            FieldProblem::Cccd => "Số CCCD gồm 12 chữ số / a CCCD has 12 digits".into(),
            FieldProblem::Phone => "Số điện thoại di động không hợp lệ / not a Vietnamese mobile number".into(),
            FieldProblem::Email => "Email không hợp lệ / not an email address".into(),
            FieldProblem::Date => {
                "Ngày theo dạng YYYY-MM-DD hoặc DD/MM/YYYY / a date as YYYY-MM-DD or DD/MM/YYYY".into()
            }
            FieldProblem::NoSuchDate => "Ngày này không có trên lịch / this date does not exist".into(),
            FieldProblem::FutureDate => "Ngày không được sau hôm nay / the date cannot be in the future".into(),
            FieldProblem::Number => "Phải là số / must be a number".into(),
            FieldProblem::Option { options } => {
                let vi: Vec<&str> = options.iter().map(|o| o.label.as_str()).collect();
                let en: Vec<&str> = options.iter().map(|o| o.label_en.as_deref().unwrap_or(&o.label)).collect();
                format!("Chọn một trong: {} / choose one of: {}", vi.join(", "), en.join(", "))
            }
            FieldProblem::Checkbox => "Giá trị true hoặc false / true or false".into(),
            FieldProblem::TooShort { min } => format!("Ít nhất {min} ký tự / at least {min} characters"),
            FieldProblem::TooLong { max } => format!("Tối đa {max} ký tự / at most {max} characters"),
            FieldProblem::Pattern => "Không đúng định dạng / wrong format".into(),
        }
    }
}

/// Today in Việt Nam (UTC+7), the day past-only dates are checked against.
pub fn today_in_vietnam() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
}

/// Checks one value against its field; `None` means acceptable.
pub fn check_value(field: &FormField, value: &str) -> Option<FieldProblem> {
    normalize(field, value).err()
}

/// The value as it is stored and sent (trimmed, numbers without spaces or dots, dates as
/// YYYY-MM-DD, an option's key), or what is wrong with it. An empty optional value is `""`.
pub fn normalize(field: &FormField, value: &str) -> Result<String, FieldProblem> {
    normalize_at(field, value, today_in_vietnam())
}

/// [`normalize`] with the day past-only dates are checked against.
pub fn normalize_at(field: &FormField, value: &str, today: NaiveDate) -> Result<String, FieldProblem> {
    let value = value.trim();
    if value.is_empty() {
        return if field.required { Err(FieldProblem::Required) } else { Ok(String::new()) };
    }
    let value = match field.kind {
        FieldKind::Text | FieldKind::Textarea => value.to_owned(),
        FieldKind::Cccd => {
            let digits = without_separators(value);
            if digits.len() != 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(FieldProblem::Cccd);
            }
            digits
        }
        FieldKind::Phone => {
            let number = without_separators(value);
            if !is_vietnamese_mobile(&number) {
                return Err(FieldProblem::Phone);
            }
            number
        }
        FieldKind::Email if is_email(value) => value.to_owned(),
        FieldKind::Email => return Err(FieldProblem::Email),
        FieldKind::Date => {
            let date = parse_date(value)?;
            if field.past_only && date > today {
                return Err(FieldProblem::FutureDate);
            }
            // NaiveDate shows as YYYY-MM-DD (a four-digit year, as parsed).
            date.to_string()
        }
        FieldKind::Number if value.parse::<f64>().is_ok_and(f64::is_finite) => value.to_owned(),
        FieldKind::Number => return Err(FieldProblem::Number),
        FieldKind::Select => match_option(field, value)?,
        // A required commitment checkbox must be ticked.
        FieldKind::Checkbox if value == "true" => value.to_owned(),
        FieldKind::Checkbox if value == "false" && field.required => return Err(FieldProblem::Required),
        FieldKind::Checkbox if value == "false" => value.to_owned(),
        FieldKind::Checkbox => return Err(FieldProblem::Checkbox),
    };
    let chars = value.chars().count() as u32;
    if let Some(min) = field.min_length.filter(|&min| chars < min) {
        return Err(FieldProblem::TooShort { min });
    }
    if let Some(max) = field.max_length.filter(|&max| chars > max) {
        return Err(FieldProblem::TooLong { max });
    }
    if let Some(pattern) = &field.pattern
        && !regex_lite::Regex::new(&format!("^(?:{pattern})$")).is_ok_and(|re| re.is_match(&value))
    {
        return Err(FieldProblem::Pattern);
    }
    Ok(value)
}

/// Residents group digits as they read them: "0912 345 678", "0912.345.678".
fn without_separators(value: &str) -> String {
    value.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '\u{a0}')).collect()
}

/// YYYY-MM-DD, or the Vietnamese order DD/MM/YYYY; a well-formed date that is not on the
/// calendar is told apart from a malformed one.
fn parse_date(value: &str) -> Result<NaiveDate, FieldProblem> {
    let number = |s: &str, len: std::ops::RangeInclusive<usize>| {
        (len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<u32>().ok()).flatten()
    };
    let parts: Vec<&str> = value.split(['-', '/']).collect();
    let (year, month, day) = match parts.as_slice() {
        [y, m, d] if value.contains('-') && !value.contains('/') => {
            (number(y, 4..=4), number(m, 2..=2), number(d, 2..=2))
        }
        [d, m, y] if value.contains('/') && !value.contains('-') => {
            (number(y, 4..=4), number(m, 1..=2), number(d, 1..=2))
        }
        _ => return Err(FieldProblem::Date),
    };
    let (Some(year), Some(month), Some(day)) = (year, month, day) else { return Err(FieldProblem::Date) };
    NaiveDate::from_ymd_opt(year as i32, month, day).ok_or(FieldProblem::NoSuchDate)
}

/// An option by its key or its label (Vietnamese or English), whatever the case or the marks.
fn match_option(field: &FormField, value: &str) -> Result<String, FieldProblem> {
    if let Some(option) = field.options.iter().find(|o| o.value == value) {
        return Ok(option.value.clone());
    }
    let folded = fold(value);
    field
        .options
        .iter()
        .find(|o| {
            [Some(&o.value), Some(&o.label), o.label_en.as_ref()].into_iter().flatten().any(|t| fold(t) == folded)
        })
        .map(|o| o.value.clone())
        .ok_or_else(|| FieldProblem::Option { options: field.options.clone() })
}

/// Every problem of a filled form, in the schema's field order.
pub fn validate(schema: &FormSchema, values: &BTreeMap<String, String>) -> Vec<FieldError> {
    validate_at(schema, values, today_in_vietnam())
}

/// [`validate`] with the day past-only dates are checked against.
pub fn validate_at(schema: &FormSchema, values: &BTreeMap<String, String>, today: NaiveDate) -> Vec<FieldError> {
    check_form_at(schema, values, today, |_, _| {})
}

/// The whole form normalized (empty optional fields left out), or every problem in it.
pub fn normalize_form(
    schema: &FormSchema,
    values: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, Vec<FieldError>> {
    normalize_form_at(schema, values, today_in_vietnam())
}

fn normalize_form_at(
    schema: &FormSchema,
    values: &BTreeMap<String, String>,
    today: NaiveDate,
) -> Result<BTreeMap<String, String>, Vec<FieldError>> {
    let mut normalized = BTreeMap::new();
    let errors = check_form_at(schema, values, today, |field, value| {
        if !value.is_empty() {
            normalized.insert(field.key.clone(), value);
        }
    });
    if errors.is_empty() { Ok(normalized) } else { Err(errors) }
}

/// Every problem in the form; each field's normalized value goes to `keep` (a check alone
/// keeps none: the submit asks only whether the form holds).
fn check_form_at(
    schema: &FormSchema,
    values: &BTreeMap<String, String>,
    today: NaiveDate,
    mut keep: impl FnMut(&FormField, String),
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for field in &schema.fields {
        let value = values.get(&field.key).map(String::as_str).unwrap_or("");
        match normalize_at(field, value, today) {
            Ok(value) => keep(field, value),
            Err(problem) => errors.push(FieldError { field: field.key.clone(), problem }),
        }
    }
    errors.extend(
        values
            .keys()
            .filter(|key| !schema.fields.iter().any(|f| &f.key == *key))
            .map(|key| FieldError { field: key.clone(), problem: FieldProblem::UnknownField }),
    );
    errors
}

/// Every problem on one line, "field: message; ...", for an error that carries them all.
pub fn describe(errors: &[FieldError]) -> String {
    errors.iter().map(|e| format!("{}: {}", e.field, e.problem.message())).collect::<Vec<_>>().join("; ")
}

/// What the e-identity profile holds about the resident logged in (`gender` as in OpenID
/// Connect: "male" or "female").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdentityProfile {
    pub name: Option<String>,
    pub cccd: Option<String>,
    pub birthdate: Option<String>,
    pub address: Option<String>,
    pub gender: Option<String>,
}

impl IdentityProfile {
    fn claim(&self, claim: ProfileClaim) -> Option<&str> {
        match claim {
            ProfileClaim::Name => self.name.as_deref(),
            ProfileClaim::Cccd => self.cccd.as_deref(),
            ProfileClaim::Birthdate => self.birthdate.as_deref(),
            ProfileClaim::Address => self.address.as_deref(),
        }
    }
}

/// The values the profile fills in a new form for `for_person`: the fields about the resident,
/// i.e. the applicant's always, the subject's when the dossier is about the resident, and for a
/// child the father's or the mother's by the resident's gender. Values the field would refuse
/// are left for the resident to type.
pub fn prefill(schema: &FormSchema, for_person: ForPerson, profile: &IdentityProfile) -> BTreeMap<String, String> {
    let gender = profile.gender.as_deref();
    schema
        .fields
        .iter()
        .filter(|field| match field.person {
            FormPerson::Applicant => true,
            FormPerson::Subject => for_person == ForPerson::Myself,
            FormPerson::Father => for_person == ForPerson::Child && gender == Some("male"),
            FormPerson::Mother => for_person == ForPerson::Child && gender == Some("female"),
        })
        .filter_map(|field| {
            let value = profile.claim(field.prefill?)?;
            let value = normalize(field, value).ok().filter(|v| !v.is_empty())?;
            Some((field.key.clone(), value))
        })
        .collect()
}

fn is_vietnamese_mobile(value: &str) -> bool {
    let digits = value.strip_prefix("+84").or_else(|| value.strip_prefix('0'));
    digits.is_some_and(|d| d.len() == 9 && d.bytes().all(|b| b.is_ascii_digit()) && b"35789".contains(&d.as_bytes()[0]))
}

fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !value.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::FormOption;

    #[test]
    fn table_of_values() {
        let mut select = FormField::new("s", FieldKind::Select, true);
        select.options = vec![FormOption { value: "a".into(), label: "A".into(), label_en: None }];
        let mut short = FormField::new("t", FieldKind::Text, false);
        short.min_length = Some(2);
        short.max_length = Some(5);
        let mut patterned = FormField::new("p", FieldKind::Text, false);
        patterned.pattern = Some("[A-Z]{2}[0-9]+".into());
        let cases: Vec<(FormField, &str, Option<FieldProblem>)> = vec![
            (FormField::new("c", FieldKind::Cccd, true), "030095001234", None),
            (FormField::new("c", FieldKind::Cccd, true), "03009500123", Some(FieldProblem::Cccd)),
            (FormField::new("c", FieldKind::Cccd, true), "03009500123a", Some(FieldProblem::Cccd)),
            (FormField::new("c", FieldKind::Cccd, true), "", Some(FieldProblem::Required)),
            (FormField::new("c", FieldKind::Cccd, false), "", None),
            (FormField::new("p", FieldKind::Phone, true), "0912345678", None),
            (FormField::new("p", FieldKind::Phone, true), "+84912345678", None),
            (FormField::new("p", FieldKind::Phone, true), "0212345678", Some(FieldProblem::Phone)),
            (FormField::new("p", FieldKind::Phone, true), "091234567", Some(FieldProblem::Phone)),
            (FormField::new("e", FieldKind::Email, true), "an.nguyen@example.vn", None),
            (FormField::new("e", FieldKind::Email, true), "an.nguyen@", Some(FieldProblem::Email)),
            (FormField::new("e", FieldKind::Email, true), "a b@x.vn", Some(FieldProblem::Email)),
            (FormField::new("d", FieldKind::Date, true), "2024-02-29", None),
            (FormField::new("d", FieldKind::Date, true), "2023-02-29", Some(FieldProblem::NoSuchDate)),
            (FormField::new("d", FieldKind::Date, true), "29/02/2024", None),
            (FormField::new("d", FieldKind::Date, true), "2024-2-29", Some(FieldProblem::Date)),
            (FormField::new("d", FieldKind::Date, true), "29.02.2024", Some(FieldProblem::Date)),
            (FormField::new("n", FieldKind::Number, true), "2", None),
            (FormField::new("n", FieldKind::Number, true), "hai", Some(FieldProblem::Number)),
            (FormField::new("n", FieldKind::Number, true), "NaN", Some(FieldProblem::Number)),
            (select.clone(), "a", None),
            (select.clone(), "b", Some(FieldProblem::Option { options: select.options.clone() })),
            (FormField::new("k", FieldKind::Checkbox, true), "true", None),
            (FormField::new("k", FieldKind::Checkbox, true), "false", Some(FieldProblem::Required)),
            (FormField::new("k", FieldKind::Checkbox, false), "yes", Some(FieldProblem::Checkbox)),
            (short.clone(), "Đ", Some(FieldProblem::TooShort { min: 2 })),
            (short.clone(), "Đăng", None),
            (short.clone(), "Đăng ký", Some(FieldProblem::TooLong { max: 5 })),
            (patterned.clone(), "HD123", None),
            (patterned.clone(), "hd123", Some(FieldProblem::Pattern)),
            (patterned.clone(), "XHD123", Some(FieldProblem::Pattern)),
        ];
        for (field, value, expected) in cases {
            assert_eq!(check_value(&field, value), expected, "{:?} {value:?}", field.kind);
        }
    }

    #[test]
    fn a_whole_form_reports_every_problem_in_order() {
        let schema = FormSchema {
            version: 1,
            fields: vec![
                FormField::new("ho_ten", FieldKind::Text, true),
                FormField::new("so_cccd", FieldKind::Cccd, true),
            ],
        };
        let values: BTreeMap<String, String> =
            [("so_cccd".to_owned(), "12".to_owned()), ("la".to_owned(), "x".to_owned())].into();
        let errors = validate(&schema, &values);
        let problems: Vec<(&str, &FieldProblem)> = errors.iter().map(|e| (e.field.as_str(), &e.problem)).collect();
        assert_eq!(
            problems,
            [
                ("ho_ten", &FieldProblem::Required),
                ("so_cccd", &FieldProblem::Cccd),
                ("la", &FieldProblem::UnknownField)
            ]
        );
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
    }

    fn relation() -> FormField {
        let option = |value: &str, label: &str, en: &str| FormOption {
            value: value.into(),
            label: label.into(),
            label_en: Some(en.into()),
        };
        FormField {
            options: vec![
                option("cha", "Cha", "Father"),
                option("me", "Mẹ", "Mother"),
                option("ong_ba", "Ông, bà", "Grandparent"),
                option("nguoi_than", "Người thân thích khác", "Other relative"),
            ],
            ..FormField::new("quan_he", FieldKind::Select, true)
        }
    }

    #[test]
    fn a_date_that_is_not_on_the_calendar_says_so() {
        let field = FormField::new("ngay_sinh", FieldKind::Date, true);
        let problem = normalize_at(&field, "1995-02-30", today()).unwrap_err();
        assert_eq!(problem, FieldProblem::NoSuchDate);
        let message = problem.message();
        assert!(message.contains("không có trên lịch") && message.contains("does not exist"), "{message}");
        assert!(!message.contains("YYYY-MM-DD"), "not a format problem: {message}");
        assert_eq!(normalize_at(&field, "31/04/2020", today()), Err(FieldProblem::NoSuchDate));
        assert_eq!(normalize_at(&field, "1995-13-01", today()), Err(FieldProblem::NoSuchDate));
        assert_eq!(normalize_at(&field, "hôm qua", today()), Err(FieldProblem::Date));
        // The Vietnamese order is stored as YYYY-MM-DD.
        assert_eq!(normalize_at(&field, "5/3/1995", today()).unwrap(), "1995-03-05");
    }

    #[test]
    fn a_birth_date_cannot_be_in_the_future() {
        let birth = FormField { past_only: true, ..FormField::new("ngay_sinh", FieldKind::Date, true) };
        assert_eq!(normalize_at(&birth, "2026-12-03", today()), Err(FieldProblem::FutureDate));
        assert_eq!(normalize_at(&birth, "2030-01-01", today()), Err(FieldProblem::FutureDate));
        assert!(FieldProblem::FutureDate.message().contains("in the future"));
        // Born today is fine; and a date not marked past-only (an appointment) may be ahead.
        assert_eq!(normalize_at(&birth, "2026-12-02", today()).unwrap(), "2026-12-02");
        let other = FormField::new("ngay_hen", FieldKind::Date, true);
        assert_eq!(normalize_at(&other, "2030-01-01", today()).unwrap(), "2030-01-01");
        // A schema stored before `past_only` existed still parses, as not past-only.
        let old: FormField =
            serde_json::from_str(r#"{"key":"d","label":"Ngày","label_en":null,"kind":"date","required":true}"#)
                .unwrap();
        assert!(!old.past_only && old.prefill.is_none() && old.person == FormPerson::Subject);
    }

    #[test]
    fn options_by_key_or_label_whatever_the_case_and_marks() {
        let field = relation();
        for typed in ["cha", "Cha", "CHA", "Father", "father", " cha "] {
            assert_eq!(normalize_at(&field, typed, today()).unwrap(), "cha", "{typed:?}");
        }
        for typed in ["Mẹ", "me", "ME", "mẹ", "Mother"] {
            assert_eq!(normalize_at(&field, typed, today()).unwrap(), "me", "{typed:?}");
        }
        assert_eq!(
            normalize_at(&field, "ong ba", today()),
            Err(FieldProblem::Option { options: field.options.clone() })
        );
        assert_eq!(normalize_at(&field, "Ông, Bà", today()).unwrap(), "ong_ba");
        assert_eq!(normalize_at(&field, "nguoi than thich khac", today()).unwrap(), "nguoi_than");
    }

    #[test]
    fn a_wrong_option_lists_the_options() {
        let problem = normalize_at(&relation(), "chú", today()).unwrap_err();
        let message = problem.message();
        assert_eq!(
            message,
            "Chọn một trong: Cha, Mẹ, Ông, bà, Người thân thích khác / choose one of: Father, Mother, Grandparent, \
             Other relative"
        );
    }

    #[test]
    fn spaces_and_dots_are_ignored_in_numbers() {
        let cccd = FormField { max_length: Some(12), ..FormField::new("so_cccd", FieldKind::Cccd, true) };
        assert_eq!(normalize_at(&cccd, "0300 9500 1234", today()).unwrap(), "030095001234");
        assert_eq!(normalize_at(&cccd, "030.095.001.234", today()).unwrap(), "030095001234");
        assert_eq!(normalize_at(&cccd, "0300 9500 123", today()), Err(FieldProblem::Cccd));
        let phone = FormField::new("so_dien_thoai", FieldKind::Phone, true);
        for typed in ["0912 345 678", "0912.345.678", "0912-345-678", " 0912345678 "] {
            assert_eq!(normalize_at(&phone, typed, today()).unwrap(), "0912345678", "{typed:?}");
        }
        assert_eq!(normalize_at(&phone, "+84 912 345 678", today()).unwrap(), "+84912345678");
        assert_eq!(normalize_at(&phone, "0912 345 67", today()), Err(FieldProblem::Phone));
        assert_eq!(check_value(&phone, "0912.345.678"), None);
    }

    #[test]
    fn every_problem_of_a_form_at_once() {
        let schema = FormSchema {
            version: 1,
            fields: vec![
                FormField::new("ho_ten", FieldKind::Text, true),
                FormField { past_only: true, ..FormField::new("ngay_sinh", FieldKind::Date, true) },
                relation(),
                FormField::new("so_dien_thoai", FieldKind::Phone, true),
            ],
        };
        let values: BTreeMap<String, String> = [
            ("ngay_sinh".to_owned(), "1995-02-30".to_owned()),
            ("quan_he".to_owned(), "chú".to_owned()),
            ("so_dien_thoai".to_owned(), "12345".to_owned()),
        ]
        .into();
        let errors = validate_at(&schema, &values, today());
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["ho_ten", "ngay_sinh", "quan_he", "so_dien_thoai"]);
        let line = describe(&errors);
        assert!(line.contains("ho_ten: Bắt buộc") && line.contains("so_dien_thoai: Số điện thoại"), "{line}");
        let fixed: BTreeMap<String, String> = [
            ("ho_ten".to_owned(), "Nguyễn Văn An".to_owned()),
            ("ngay_sinh".to_owned(), "14/03/1995".to_owned()),
            ("quan_he".to_owned(), "Cha".to_owned()),
            ("so_dien_thoai".to_owned(), "0912 345 678".to_owned()),
        ]
        .into();
        let normalized = normalize_form_at(&schema, &fixed, today()).unwrap();
        assert_eq!(normalized["ngay_sinh"], "1995-03-14");
        assert_eq!(normalized["quan_he"], "cha");
        assert_eq!(normalized["so_dien_thoai"], "0912345678");
    }

    #[test]
    fn every_message_is_vietnamese_then_english() {
        let problems = [
            FieldProblem::Required,
            FieldProblem::UnknownField,
            FieldProblem::Cccd,
            FieldProblem::Phone,
            FieldProblem::Email,
            FieldProblem::Date,
            FieldProblem::NoSuchDate,
            FieldProblem::FutureDate,
            FieldProblem::Number,
            FieldProblem::Option { options: relation().options },
            FieldProblem::Checkbox,
            FieldProblem::TooShort { min: 2 },
            FieldProblem::TooLong { max: 5 },
            FieldProblem::Pattern,
        ];
        for problem in problems {
            let message = problem.message();
            let (vi, en) = message.split_once(" / ").unwrap_or_else(|| panic!("{message}"));
            assert!(!vi.is_empty() && !en.is_empty() && en.is_ascii(), "{message}");
        }
    }

    #[test]
    fn prefill_fills_the_resident_s_own_fields() {
        let field = |key: &str, kind, person, claim| FormField {
            person,
            prefill: Some(claim),
            ..FormField::new(key, kind, false)
        };
        let schema = FormSchema {
            version: 1,
            fields: vec![
                field("ho_ten", FieldKind::Text, FormPerson::Subject, ProfileClaim::Name),
                field("ngay_sinh", FieldKind::Date, FormPerson::Subject, ProfileClaim::Birthdate),
                field("nguoi_yeu_cau", FieldKind::Text, FormPerson::Applicant, ProfileClaim::Name),
                field("dia_chi", FieldKind::Text, FormPerson::Applicant, ProfileClaim::Address),
                field("cha_ho_ten", FieldKind::Text, FormPerson::Father, ProfileClaim::Name),
                field("cha_so_cccd", FieldKind::Cccd, FormPerson::Father, ProfileClaim::Cccd),
                field("me_ho_ten", FieldKind::Text, FormPerson::Mother, ProfileClaim::Name),
                FormField::new("tre_ho_ten", FieldKind::Text, true),
            ],
        };
        let profile = IdentityProfile {
            name: Some("Nguyễn Văn An".into()),
            cccd: Some("030095001234".into()),
            birthdate: Some("1995-03-14".into()),
            address: Some("Số 12 Trần Hưng Đạo".into()),
            gender: Some("male".into()),
        };
        let keys =
            |p: ForPerson, profile: &IdentityProfile| prefill(&schema, p, profile).into_keys().collect::<Vec<_>>();
        assert_eq!(keys(ForPerson::Myself, &profile), ["dia_chi", "ho_ten", "ngay_sinh", "nguoi_yeu_cau"]);
        assert_eq!(keys(ForPerson::Child, &profile), ["cha_ho_ten", "cha_so_cccd", "dia_chi", "nguoi_yeu_cau"]);
        assert_eq!(keys(ForPerson::Spouse, &profile), ["dia_chi", "nguoi_yeu_cau"]);
        let mother = IdentityProfile { gender: Some("female".into()), ..profile.clone() };
        assert_eq!(keys(ForPerson::Child, &mother), ["dia_chi", "me_ho_ten", "nguoi_yeu_cau"]);
        // A claim the field would refuse is left for the resident.
        let odd = IdentityProfile { cccd: Some("12".into()), ..profile.clone() };
        assert!(!prefill(&schema, ForPerson::Child, &odd).contains_key("cha_so_cccd"));
        assert_eq!(prefill(&schema, ForPerson::Myself, &profile)["ho_ten"], "Nguyễn Văn An");
    }
}
