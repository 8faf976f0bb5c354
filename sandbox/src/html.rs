//! What the sandbox's web pages (index, login, gateway, bank, officer console, lookup) share:
//! one layout and one stylesheet, so every page is readable at 360 px, keeps 4.5:1 contrast in
//! light and dark mode (`prefers-color-scheme`), and looks like one site.

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

/// Which part of the sandbox a page belongs to: only the accent colour differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// The index and the public lookup.
    Home,
    /// The identity provider (VNeID-like red).
    Identity,
    /// The payment gateway and the bank (VNPay-like blue).
    Payment,
    /// The one-stop desk's officer console.
    Officer,
}

impl Theme {
    fn class(self) -> &'static str {
        match self {
            Theme::Home => "home",
            Theme::Identity => "idp",
            Theme::Payment => "pay",
            Theme::Officer => "officer",
        }
    }
}

/// Every colour pair below keeps at least 4.5:1 (WCAG AA) in both schemes; the browser tests
/// run axe-core on every page in both. Tables stack into cards below 700 px.
const STYLE: &str = "
:root{color-scheme:light dark;--bg:#f3f5f8;--card:#fff;--ink:#1c2430;--muted:#4f5b69;--line:#8c96a3;
--soft-line:#d5dbe3;--accent:#0b5cad;--on-accent:#fff;--soft:#e7f0fb;--link:#0b57a4;--warn-bg:#fff6d6;
--warn-ink:#5c4300;--err-bg:#fdecea;--err-ink:#8a1020;--ok-bg:#e6f4ea;--ok-ink:#0f5f2f}
body.idp{--accent:#b0102a}body.officer{--accent:#a3191b}
@media (prefers-color-scheme:dark){
:root{--bg:#121418;--card:#1e232a;--ink:#e9edf2;--muted:#b4bdc8;--line:#7d8794;--soft-line:#3a424d;
--accent:#8fc3ff;--on-accent:#0d1b2a;--soft:#1f3550;--link:#9ccbff;--warn-bg:#3a300c;--warn-ink:#ffe7a3;
--err-bg:#3d1519;--err-ink:#ffd7d9;--ok-bg:#173323;--ok-ink:#b5ecc8}
body.idp,body.officer{--accent:#ffb3ba;--on-accent:#3b0a10}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);
font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',Arial,sans-serif}
a{color:var(--link)}
:focus-visible{outline:3px solid var(--link);outline-offset:2px}
.bar{background:var(--accent);color:var(--on-accent);padding:12px 16px}
.bar a,.bar .en,.bar .alt{color:inherit}
.bar h1{margin:0;font-size:1.25rem}.bar p{margin:4px 0 0}
.bar form{margin:8px 0 0}.bar button{width:auto;margin:0;background:var(--on-accent);color:var(--accent)}
main{max-width:560px;margin:0 auto;padding:16px}
main.wide{max-width:1200px}
.top{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:8px;margin:8px 0 16px}
.brand{font-weight:800;font-size:1.15rem}
.tag{font-size:.8rem;background:var(--warn-bg);color:var(--warn-ink);border-radius:999px;padding:2px 10px}
.lang a{color:var(--ink);padding:6px 8px;border-radius:8px;text-decoration:none;font-size:.9rem}
.lang a[aria-current]{background:var(--card);font-weight:700;box-shadow:0 0 0 1px var(--line)}
.card{background:var(--card);border-radius:14px;box-shadow:0 1px 4px rgba(0,0,0,.12);padding:20px;margin:0 0 16px;
overflow-wrap:anywhere}
h1{font-size:1.35rem;line-height:1.3;margin:0 0 8px}h2{font-size:1.1rem;margin:20px 0 8px}
.card h2:first-child{margin-top:0}
.en{display:block}.en,.alt{color:var(--muted);font-weight:400;font-size:.875em}
button .alt,button .en{color:inherit;font-size:1em;display:inline}
.sub,.hint,.sandbox,dt{color:var(--muted)}
.hint{display:block;font-size:.875rem;margin-top:4px}
.sandbox{font-size:.85rem;text-align:center}
.note{background:var(--warn-bg);color:var(--warn-ink);border-left:4px solid currentColor;padding:10px 12px;
border-radius:8px;margin:0 0 16px}
.error{background:var(--err-bg);color:var(--err-ink);border-left:4px solid currentColor;padding:10px 12px;
border-radius:8px;margin:0 0 16px;font-weight:600}
.error .alt,.error .en,.note .alt,.note .en,.done .alt,.done .en{color:inherit}
.done{background:var(--ok-bg);color:var(--ok-ink);border-left:4px solid currentColor;padding:10px 12px;
border-radius:8px;margin:0 0 16px;font-weight:600}
label{display:block;font-weight:600;margin:16px 0 4px}
input,select,textarea{font:inherit;width:100%;max-width:100%;padding:10px 12px;border:1px solid var(--line);
border-radius:10px;background:var(--card);color:var(--ink)}
input[type=radio],input[type=checkbox]{width:auto}
input[aria-invalid=true]{border-color:var(--err-ink)}
textarea{min-height:110px}
.mono,textarea.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.875rem}
button{font:inherit;font-weight:700;width:100%;margin-top:12px;padding:12px 16px;border:1px solid var(--accent);
border-radius:10px;cursor:pointer;background:var(--accent);color:var(--on-accent)}
button:hover{filter:brightness(1.08)}
button.secondary{background:var(--card);color:var(--ink);border-color:var(--line)}
button.danger{background:var(--card);color:var(--err-ink);border-color:var(--err-ink)}
dl{display:grid;grid-template-columns:minmax(0,1fr);gap:2px 12px;margin:0}
dd{margin:0 0 8px;font-weight:600;overflow-wrap:anywhere}
@media (min-width:520px){dl{grid-template-columns:minmax(0,14em) minmax(0,1fr);gap:6px 12px}dd{margin:0}}
.amount{font-size:1.35rem}
fieldset{border:0;padding:0;margin:0 0 16px;min-width:0}legend{font-weight:600;margin-bottom:8px}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(130px,1fr));gap:8px}
.tile{display:flex;gap:8px;align-items:center;border:1px solid var(--line);border-radius:10px;padding:10px;margin:0;
cursor:pointer;min-width:0}
.tile:has(input:checked){border-color:var(--link);background:var(--soft)}
.tile small{display:block;color:var(--muted);font-weight:400}
img{max-width:100%;height:auto;display:block;background:#fff;padding:8px;border-radius:8px}
.photos{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:8px;margin:0 0 8px}
ul.links{padding-left:20px}ul.links li{margin:6px 0}ul.plain{list-style:none;padding:0;margin:0}
.persona{border-top:1px solid var(--soft-line);padding-top:12px;margin-top:12px}
.persona form{margin:0}
table{width:100%;border-collapse:collapse}
th,td{padding:8px 10px;text-align:left;vertical-align:top;border-bottom:1px solid var(--soft-line);font-size:.9rem}
th{font-weight:600}
.code{font-family:ui-monospace,Menlo,Consolas,monospace;overflow-wrap:anywhere}
.badge{display:inline-block;padding:2px 8px;border-radius:10px;background:var(--soft);color:var(--ink);font-size:.85rem}
.badge.rejected,.badge.overdue{background:var(--err-bg);color:var(--err-ink)}
.badge.result_ready,.badge.returned,.badge.handled{background:var(--ok-bg);color:var(--ok-ink)}
.badge.need_more_documents,.badge.awaiting_payment{background:var(--warn-bg);color:var(--warn-ink)}
form.row{display:flex;flex-wrap:wrap;gap:6px;margin:0 0 8px}
form.row>*{flex:1 1 150px;width:auto;margin:0;padding:6px 8px;font-size:.9rem}
form.row>textarea{min-height:0}
.empty{padding:24px;text-align:center;color:var(--muted)}
@media (max-width:700px){
table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:100%}
table.stack tr{background:var(--card);border-radius:10px;padding:8px 12px;margin:0 0 12px}
table.stack td{border:0;padding:4px 0}
table.stack td[data-label]::before{content:attr(data-label);display:block;font-size:.8rem;color:var(--muted)}}
";

/// A whole page: `lang` is the page's language (`vi` or `en`), `body` everything inside
/// `<body>` (already escaped).
pub fn document(lang: &str, theme: Theme, title: &str, body: &str) -> String {
    format!("{}{body}\n{END}", head(lang, theme, title))
}

/// The start of a page up to and including `<body>`, for pages built piece by piece; end them
/// with [`END`].
pub fn head(lang: &str, theme: Theme, title: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n<meta name=\"color-scheme\" content=\"light dark\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body class=\"{class}\">\n",
        title = escape(title),
        class = theme.class(),
    )
}

pub const END: &str = "</body>\n</html>\n";

/// English beside Vietnamese: `<span class="en" lang="en">…</span>` (escaped), on its own line.
pub fn en(text: &str) -> String {
    format!("<span class=\"en\" lang=\"en\">{}</span>", escape(text))
}

/// `vi / en` on one line, the English part marked as English (escaped).
pub fn both(vi: &str, en: &str) -> String {
    format!("{} / <span lang=\"en\">{}</span>", escape(vi), escape(en))
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_is_neutralised() {
        assert_eq!(super::escape(r#"<a href="x">Đ&'</a>"#), "&lt;a href=&quot;x&quot;&gt;Đ&amp;&#39;&lt;/a&gt;");
    }

    #[test]
    fn a_page_has_its_language_viewport_and_the_shared_style() {
        let page = super::document("en", super::Theme::Payment, "<T>", "<main>x</main>");
        assert!(page.contains("<html lang=\"en\">") && page.contains("name=\"viewport\""));
        assert!(page.contains("<title>&lt;T&gt;</title>") && page.contains("prefers-color-scheme:dark"));
        assert!(page.contains("<body class=\"pay\">"));
    }
}
