//! What the sandbox's web pages (login, gateway, bank, officer console) share.

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_is_neutralised() {
        assert_eq!(super::escape(r#"<a href="x">Đ&'</a>"#), "&lt;a href=&quot;x&quot;&gt;Đ&amp;&#39;&lt;/a&gt;");
    }
}
