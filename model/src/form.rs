//! Offline validation of a dossier's e-form against the procedure's form schema: pure, typed
//! errors per field, the same rules the portal applies.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::{FieldKind, FormField, FormSchema};

/// Why one field's value is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldProblem {
    Required,
    UnknownField,
    /// A CCCD is exactly 12 digits.
    Cccd,
    /// A Vietnamese mobile number: 0 or +84, then 9 digits starting with 3, 5, 7, 8 or 9.
    Phone,
    Email,
    /// A date as YYYY-MM-DD.
    Date,
    Number,
    /// Not one of the field's options.
    Option,
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
            FieldProblem::Date => "Ngày theo dạng YYYY-MM-DD / a date as YYYY-MM-DD".into(),
            FieldProblem::Number => "Phải là số / must be a number".into(),
            FieldProblem::Option => "Chọn một giá trị trong danh sách / choose one of the options".into(),
            FieldProblem::Checkbox => "Giá trị true hoặc false / true or false".into(),
            FieldProblem::TooShort { min } => format!("Ít nhất {min} ký tự / at least {min} characters"),
            FieldProblem::TooLong { max } => format!("Tối đa {max} ký tự / at most {max} characters"),
            FieldProblem::Pattern => "Không đúng định dạng / wrong format".into(),
        }
    }
}

/// Checks one value (already trimmed) against its field; `None` means acceptable.
pub fn check_value(field: &FormField, value: &str) -> Option<FieldProblem> {
    if value.is_empty() {
        return field.required.then_some(FieldProblem::Required);
    }
    let chars = value.chars().count() as u32;
    if let Some(min) = field.min_length.filter(|&min| chars < min) {
        return Some(FieldProblem::TooShort { min });
    }
    if let Some(max) = field.max_length.filter(|&max| chars > max) {
        return Some(FieldProblem::TooLong { max });
    }
    let kind_ok = match field.kind {
        FieldKind::Text | FieldKind::Textarea => true,
        FieldKind::Cccd => value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()),
        FieldKind::Phone => is_vietnamese_mobile(value),
        FieldKind::Email => is_email(value),
        FieldKind::Date => chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok() && value.len() == 10,
        FieldKind::Number => value.parse::<f64>().is_ok_and(f64::is_finite),
        FieldKind::Select => field.options.iter().any(|o| o.value == value),
        FieldKind::Checkbox => value == "true" || value == "false",
    };
    if !kind_ok {
        return Some(match field.kind {
            FieldKind::Cccd => FieldProblem::Cccd,
            FieldKind::Phone => FieldProblem::Phone,
            FieldKind::Email => FieldProblem::Email,
            FieldKind::Date => FieldProblem::Date,
            FieldKind::Number => FieldProblem::Number,
            FieldKind::Select => FieldProblem::Option,
            _ => FieldProblem::Checkbox,
        });
    }
    // A required commitment checkbox must be ticked.
    if field.kind == FieldKind::Checkbox && field.required && value != "true" {
        return Some(FieldProblem::Required);
    }
    if let Some(pattern) = &field.pattern
        && !regex_lite::Regex::new(&format!("^(?:{pattern})$")).is_ok_and(|re| re.is_match(value))
    {
        return Some(FieldProblem::Pattern);
    }
    None
}

/// Every problem of a filled form, in the schema's field order.
pub fn validate(schema: &FormSchema, values: &BTreeMap<String, String>) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = schema
        .fields
        .iter()
        .filter_map(|field| {
            let value = values.get(&field.key).map(|v| v.trim()).unwrap_or("");
            check_value(field, value).map(|problem| FieldError { field: field.key.clone(), problem })
        })
        .collect();
    errors.extend(
        values
            .keys()
            .filter(|key| !schema.fields.iter().any(|f| &f.key == *key))
            .map(|key| FieldError { field: key.clone(), problem: FieldProblem::UnknownField }),
    );
    errors
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
            (FormField::new("d", FieldKind::Date, true), "2023-02-29", Some(FieldProblem::Date)),
            (FormField::new("d", FieldKind::Date, true), "29/02/2024", Some(FieldProblem::Date)),
            (FormField::new("n", FieldKind::Number, true), "2", None),
            (FormField::new("n", FieldKind::Number, true), "hai", Some(FieldProblem::Number)),
            (FormField::new("n", FieldKind::Number, true), "NaN", Some(FieldProblem::Number)),
            (select.clone(), "a", None),
            (select.clone(), "b", Some(FieldProblem::Option)),
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
}
