//! Pure query logic: from what a resident typed to a safe FTS5 expression, and highlight spans.

use crate::text;

/// How the search box input is understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// Nothing searchable: list procedures (filters still apply).
    Browse,
    /// A procedure code or a prefix of one, e.g. "1.012783" or "1.012783.H19" or "1.01".
    Code(String),
    /// Words: a sanitized FTS5 MATCH expression, and the folded key for exact-name ranking.
    Words { fts: String, key: String, tokens: Vec<String> },
}

/// The most a search box takes. Names of procedures are a few words; a pasted page would cost
/// minutes of ranking and hundreds of megabytes.
pub const MAX_QUERY_CHARS: usize = 200;
pub const MAX_QUERY_WORDS: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("từ khóa dài quá {MAX_QUERY_CHARS} ký tự / the search is longer than {MAX_QUERY_CHARS} characters")]
    TooLong,
    #[error("từ khóa có quá {MAX_QUERY_WORDS} từ / the search has more than {MAX_QUERY_WORDS} words")]
    TooManyWords,
}

/// Refuses input beyond the caps, before any folding or matching of the whole of it.
pub fn check(input: &str) -> Result<(), QueryError> {
    if input.chars().nth(MAX_QUERY_CHARS).is_some() {
        return Err(QueryError::TooLong);
    }
    if text::tokens(&text::fold(input)).nth(MAX_QUERY_WORDS).is_some() {
        return Err(QueryError::TooManyWords);
    }
    Ok(())
}

/// Sanitizes user input. FTS5 syntax in the input (quotes, `*`, `NEAR`, `AND`, parentheses,
/// column filters) never reaches MATCH as syntax: every token is quoted, and only letters and
/// digits make tokens. The last token is a prefix (from two letters on), for
/// search-as-you-type.
pub fn parse(input: &str) -> Query {
    let trimmed = input.trim();
    if looks_like_code(trimmed) {
        return Query::Code(trimmed.to_ascii_uppercase());
    }
    let folded = text::fold(trimmed);
    let tokens: Vec<String> = text::tokens(&folded).map(str::to_owned).collect();
    if tokens.is_empty() {
        return Query::Browse;
    }
    let mut fts = String::with_capacity(folded.len() + tokens.len() * 3);
    for (i, token) in tokens.iter().enumerate() {
        if i > 0 {
            fts.push(' ');
        }
        // Tokens hold only alphanumerics, so quoting needs no escaping.
        fts.push('"');
        fts.push_str(token);
        fts.push('"');
    }
    // A one-letter prefix matches nearly the whole catalog and costs a ranking of all of it;
    // prefixes start at two letters (a single letter is matched as a word).
    if tokens.last().is_some_and(|t| t.chars().count() >= 2) {
        fts.push('*');
    }
    let key = tokens.join(" ");
    Query::Words { fts, key, tokens }
}

/// For completions: the MATCH expression with every word quoted and the last one a prefix,
/// even of one letter, and the folded text typed so far (a trailing space kept: a finished
/// word). `None` when there is nothing to complete or the input is a code.
pub fn completion(input: &str) -> Option<(String, String)> {
    let trimmed = input.trim_start();
    if looks_like_code(trimmed.trim_end()) {
        return None;
    }
    let folded = text::fold(trimmed);
    let tokens: Vec<&str> = text::tokens(&folded).collect();
    let last = tokens.last()?;
    let mut fts: Vec<String> = tokens.iter().map(|t| format!("\"{t}\"")).collect();
    if !trimmed.ends_with(char::is_whitespace) {
        fts.pop();
        fts.push(format!("\"{last}\"*"));
    }
    let mut typed = tokens.join(" ");
    if trimmed.ends_with(char::is_whitespace) {
        typed.push(' ');
    }
    Some((fts.join(" "), typed))
}

/// National codes look like `1.012783`; local variants add a suffix like `.H19`.
fn looks_like_code(s: &str) -> bool {
    let mut parts = s.split('.');
    let head_ok = parts.next().is_some_and(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()));
    let Some(number) = parts.next() else { return false };
    let number_ok = number.len() <= 6 && number.bytes().all(|b| b.is_ascii_digit());
    let suffix_ok = match parts.next() {
        None => true,
        Some(suffix) => number.len() == 6 && suffix.len() <= 4 && suffix.bytes().all(|b| b.is_ascii_alphanumeric()),
    };
    head_ok && number_ok && suffix_ok && parts.next().is_none()
}

/// The folded search key of a name: its tokens joined by single spaces.
pub fn name_key(name: &str) -> String {
    let folded = text::fold(name);
    let mut key = String::with_capacity(folded.len());
    for token in text::tokens(&folded) {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(token);
    }
    key
}

/// A highlighted range of a display string, in Unicode scalar values (chars), end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

/// Where the query's tokens match word starts in `display` (NFC), merged and sorted.
pub fn highlights(display: &str, tokens: &[String]) -> Vec<Span> {
    let (folded, origin) = text::fold_with_offsets(display);
    let mut spans: Vec<Span> = Vec::new();
    let bytes = folded.as_bytes();
    for token in tokens {
        let mut from = 0;
        while let Some(found) = folded[from..].find(token.as_str()) {
            let start = from + found;
            let end = start + token.len();
            let at_word_start = start == 0 || !folded[..start].chars().next_back().is_some_and(char::is_alphanumeric);
            if at_word_start {
                spans.push(Span { start: origin[start], end: origin[end - 1] + 1 });
            }
            from = start + 1;
            while from < bytes.len() && !folded.is_char_boundary(from) {
                from += 1;
            }
        }
    }
    spans.sort_by_key(|s| (s.start, s.end));
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_input_beyond_the_caps_is_refused() {
        assert_eq!(check(&"a".repeat(MAX_QUERY_CHARS)), Ok(()));
        assert_eq!(check(&"đ".repeat(MAX_QUERY_CHARS + 1)), Err(QueryError::TooLong));
        assert_eq!(check(&vec!["khai"; MAX_QUERY_WORDS].join(" ")), Ok(()));
        assert_eq!(check(&vec!["khai"; MAX_QUERY_WORDS + 1].join(" ")), Err(QueryError::TooManyWords));
        assert_eq!(
            check(&vec!["a"; MAX_QUERY_WORDS + 1].join(".")),
            Err(QueryError::TooManyWords),
            "punctuation splits"
        );
    }

    #[test]
    fn fts_syntax_in_input_is_neutralised() {
        for input in [
            "\"",
            "dang\" OR \"x",
            "NEAR(a b)",
            "name: ky",
            "a AND",
            "*",
            "(((",
            "-x",
            "^dang",
            "ký*\"",
            "đăng ký khai sinh'; DROP TABLE procedure; --",
        ] {
            match parse(input) {
                Query::Browse => {}
                Query::Words { fts, .. } => {
                    let inner: String = fts.chars().filter(|c| !matches!(c, '"' | ' ' | '*')).collect();
                    assert!(inner.chars().all(char::is_alphanumeric), "{input:?} -> {fts:?}");
                    assert!(fts.ends_with('"') || fts.ends_with("\"*"), "{fts}");
                }
                Query::Code(c) => panic!("{input:?} taken as code {c}"),
            }
        }
    }

    #[test]
    fn codes_are_recognised() {
        assert_eq!(parse("1.012783"), Query::Code("1.012783".into()));
        assert_eq!(parse(" 1.012783.h19 "), Query::Code("1.012783.H19".into()));
        assert_eq!(parse("1.01"), Query::Code("1.01".into()));
        assert!(matches!(parse("1.0127834"), Query::Words { .. }));
        assert!(matches!(parse("khai sinh 1.01"), Query::Words { .. }));
    }

    #[test]
    fn words_fold_and_last_token_is_a_prefix() {
        let Query::Words { fts, key, .. } = parse("Đăng KÝ khai sin") else { panic!() };
        assert_eq!(fts, r#""dang" "ki" "khai" "sin"*"#);
        assert_eq!(key, "dang ki khai sin");
        assert_eq!(parse("  ,.; "), Query::Browse);
        let Query::Words { fts, .. } = parse("dang k") else { panic!() };
        assert_eq!(fts, r#""dang" "k""#, "a one-letter last word is a word, not a prefix");
    }

    #[test]
    fn completion_makes_the_last_word_a_prefix_even_of_one_letter() {
        assert_eq!(completion("Đăng k"), Some((r#""dang" "k"*"#.into(), "dang k".into())));
        assert_eq!(completion("đăng "), Some((r#""dang""#.into(), "dang ".into())), "a finished word");
        assert_eq!(completion("  "), None);
        assert_eq!(completion("1.0012"), None);
        let (fts, _) = completion("a\" OR x*").unwrap();
        assert_eq!(fts, r#""a" "or" "x"*"#);
    }

    #[test]
    fn highlight_spans_cover_the_matched_words_in_the_display_text() {
        let name = "Đăng ký khai sinh có yếu tố nước ngoài";
        let spans = highlights(name, &["dang".into(), "ki".into(), "sinh".into()]);
        let chars: Vec<char> = name.chars().collect();
        let texts: Vec<String> =
            spans.iter().map(|s| chars[s.start as usize..s.end as usize].iter().collect()).collect();
        assert_eq!(texts, ["Đăng", "ký", "sinh"]);
        // a token inside a word ("ki" in "khai") is not highlighted
        assert!(highlights("khai", &["ha".into()]).is_empty());
    }
}
