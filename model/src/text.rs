//! Vietnamese text folding for search: pure functions, used on the index and the query path.
//!
//! SQLite's `unicode61` tokenizer cannot do this: `remove_diacritics 2` keeps `đ` (U+0111 has no
//! decomposition), so "dang ky" would never find "Đăng ký". Folding here makes every spelling a
//! resident may type meet the same key:
//! - NFC or NFD input, any case;
//! - tone and vowel marks removed, so old and new tone placement ("hoà"/"hòa") agree;
//! - `đ`/`Đ` -> `d`;
//! - `y` -> `i`, so the i/y spellings ("kí"/"ký", "lí"/"lý") agree.
//!
//! The original text is kept for display; [`fold_with_offsets`] maps folded bytes back to it so
//! search results can carry highlight spans.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds `text` to its search key (see the module comment).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfd() {
        push_folded(c, &mut out);
    }
    out
}

fn push_folded(c: char, out: &mut String) {
    if c.is_ascii() {
        match c.to_ascii_lowercase() {
            'y' => out.push('i'),
            l => out.push(l),
        }
        return;
    }
    for l in c.to_lowercase() {
        match l {
            l if is_combining_mark(l) => {}
            'đ' => out.push('d'),
            'y' => out.push('i'),
            l => out.push(l),
        }
    }
}

/// The folded form of `text` and, for each byte of it, the char index in `text` it came from.
///
/// Char indices (Unicode scalar values) count into `text` as given; callers display NFC text, so
/// they pass NFC text here.
pub fn fold_with_offsets(text: &str) -> (String, Vec<u32>) {
    let mut folded = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len());
    let mut buf = String::new();
    for (index, c) in text.chars().enumerate() {
        buf.clear();
        for d in std::iter::once(c).nfd() {
            push_folded(d, &mut buf);
        }
        folded.push_str(&buf);
        origin.extend(std::iter::repeat_n(index as u32, buf.len()));
    }
    (folded, origin)
}

/// Splits folded text into search tokens: runs of letters and digits.
pub fn tokens(folded: &str) -> impl Iterator<Item = &str> {
    folded.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty())
}

/// NFC, the form the core stores and displays.
pub fn nfc(text: &str) -> String {
    let mut text = text.to_owned();
    make_nfc(&mut text);
    text
}

/// [`nfc`] in place. Text already in NFC (nearly all of it) is left as it is: the quick check
/// costs a fraction of normalizing.
pub fn make_nfc(text: &mut String) {
    if unicode_normalization::is_nfc_quick(text.chars()) != unicode_normalization::IsNormalized::Yes {
        *text = text.nfc().collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfc_composes_decomposed_text_and_keeps_composed_text() {
        let composed = "Đăng ký khai sinh";
        let decomposed: String = composed.nfd().collect();
        assert_ne!(decomposed, composed);
        assert_eq!(nfc(&decomposed), composed);
        assert_eq!(nfc(composed), composed);
    }

    #[test]
    fn vietnamese_spellings_fold_to_one_key() {
        let cases: &[(&str, &str)] = &[
            ("Đăng ký khai sinh", "dang ki khai sinh"),
            ("dang ky khai sinh", "dang ki khai sinh"),
            ("ĐĂNG KÝ KHAI SINH", "dang ki khai sinh"),
            // NFD input: base letters followed by combining marks.
            ("\u{110}a\u{306}ng ky\u{301} khai sinh", "dang ki khai sinh"),
            // old and new tone placement
            ("Hoà giải", "hoa giai"),
            ("Hòa giải", "hoa giai"),
            ("thuỷ sản", "thui san"),
            ("thủy sản", "thui san"),
            ("sức khoẻ", "suc khoe"),
            ("sức khỏe", "suc khoe"),
            // i/y spellings
            ("Đăng kí", "dang ki"),
            ("lí lịch", "li lich"),
            ("lý lịch", "li lich"),
            // two-mark letters, which unicode61 remove_diacritics 1 would keep
            ("chứng nhận", "chung nhan"),
            ("Phiếu lý lịch tư pháp", "phieu li lich tu phap"),
            ("Giao thông vận tải", "giao thong van tai"),
            ("1.012783.H19", "1.012783.h19"),
        ];
        for (input, expected) in cases {
            assert_eq!(fold(input), *expected, "folding {input:?}");
        }
    }

    #[test]
    fn offsets_point_back_into_the_original() {
        let text = "Đăng ký khai sinh";
        let (folded, origin) = fold_with_offsets(text);
        assert_eq!(folded, "dang ki khai sinh");
        assert_eq!(origin.len(), folded.len());
        let start = folded.find("khai").unwrap();
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(chars[origin[start] as usize], 'k');
        assert_eq!(origin[folded.find("ki").unwrap()], 5);
    }

    #[test]
    fn tokens_split_on_punctuation() {
        let folded = fold("Chứng thực bản sao từ bản chính giấy tờ, văn bản");
        let toks: Vec<&str> = tokens(&folded).collect();
        assert_eq!(toks, ["chung", "thuc", "ban", "sao", "tu", "ban", "chinh", "giai", "to", "van", "ban"]);
    }

    proptest::proptest! {
        #[test]
        fn folding_is_idempotent_and_form_independent(s in "\\PC{0,40}") {
            let once = fold(&s);
            proptest::prop_assert_eq!(fold(&once), once.clone());
            let nfd: String = s.nfd().collect();
            proptest::prop_assert_eq!(fold(&nfd), once);
        }
    }
}
