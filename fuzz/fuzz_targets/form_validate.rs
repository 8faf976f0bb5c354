//! A procedure's form schema comes from the portal and the values from the resident: validation
//! must never panic (patterns are regular expressions compiled on the phone), must report every
//! field once in the schema's order, and must pass only values whose normalized form (what is
//! stored and sent) fits the field's kind.
//!
//! Input: `{"schema": <FormSchema>, "values": {"key": "value", ...}}`.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use smarthd_model::catalog::{FieldKind, FormSchema};
use smarthd_model::form::{FieldProblem, normalize, validate};

#[derive(serde::Deserialize)]
struct Input {
    schema: FormSchema,
    values: BTreeMap<String, String>,
}

fuzz_target!(|data: &[u8]| {
    let Ok(Input { schema, values }) = serde_json::from_slice(data) else { return };
    let errors = validate(&schema, &values);
    let keys: Vec<&str> = schema.fields.iter().map(|f| f.key.as_str()).collect();
    // Field problems first, in schema order; then one "unknown" per value the schema lacks.
    let (known, unknown): (Vec<_>, Vec<_>) = errors.iter().partition(|e| e.problem != FieldProblem::UnknownField);
    assert!(errors.iter().take(known.len()).all(|e| e.problem != FieldProblem::UnknownField));
    let mut position = 0;
    for error in &known {
        let at = keys[position..].iter().position(|k| *k == error.field).expect("out of schema order");
        position += at + 1;
    }
    let strangers: Vec<&str> = values.keys().map(String::as_str).filter(|k| !keys.contains(k)).collect();
    assert_eq!(unknown.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), strangers);

    for (index, field) in schema.fields.iter().enumerate() {
        let value = values.get(&field.key).map(|v| v.trim()).unwrap_or("");
        let failed = errors.iter().take(known.len()).any(|e| e.field == field.key);
        if failed || value.is_empty() || keys[..index].contains(&field.key.as_str()) {
            continue;
        }
        // What is stored and sent: digits without separators, YYYY-MM-DD, an option's key.
        let normalized = normalize(field, value).expect("validate passed what normalize refuses");
        let value = normalized.as_str();
        let chars = value.chars().count() as u32;
        assert!(field.min_length.is_none_or(|min| chars >= min) && field.max_length.is_none_or(|max| chars <= max));
        match field.kind {
            FieldKind::Cccd => assert!(value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit())),
            FieldKind::Phone => assert!(value.bytes().skip(1).all(|b| b.is_ascii_digit()) && value.len() <= 12),
            FieldKind::Checkbox => assert!(value == "true" || value == "false"),
            FieldKind::Select => assert!(field.options.iter().any(|o| o.value == value)),
            FieldKind::Number => assert!(value.parse::<f64>().is_ok_and(f64::is_finite)),
            FieldKind::Email => assert!(value.contains('@') && !value.contains(char::is_whitespace)),
            FieldKind::Date => {
                let b = value.as_bytes();
                assert!(b.len() == 10 && b[4] == b'-' && b[7] == b'-', "{value}");
                assert!(b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit()), "{value}");
            }
            FieldKind::Text | FieldKind::Textarea => {}
        }
        if field.required {
            assert!(field.kind != FieldKind::Checkbox || value == "true");
        }
    }
});
