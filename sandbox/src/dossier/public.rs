//! `GET /lookup?code=…`: the public dossier lookup as a page (the same answer as
//! `GET /api/v1/dossiers/lookup/{code}`: a status, never who applied).

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::state::Shared;
use crate::html::{self, Theme, both, escape};

#[derive(Deserialize)]
pub struct LookupQuery {
    code: Option<String>,
}

pub async fn lookup_page(State(s): Shared, Query(q): Query<LookupQuery>) -> Response {
    let code = q.code.as_deref().map(str::trim).filter(|c| !c.is_empty() && c.len() <= 64);
    let (status, answer) = match code.map(|c| s.api.store.lookup(c)) {
        None => (StatusCode::OK, String::new()),
        Some(Ok(Some(found))) => {
            let (vi, en) = found.status.labels();
            (
                StatusCode::OK,
                format!(
                    "<section class=\"card\" aria-labelledby=\"found-title\"><h2 id=\"found-title\">{title}</h2><dl>\
                     <dt>{code_label}</dt><dd class=\"code\">{code}</dd>\
                     <dt>{procedure_label}</dt><dd>{procedure}</dd>\
                     <dt>{status_label}</dt><dd id=\"lookup-status\">{status}</dd>\
                     <dt>{updated_label}</dt><dd>{updated}</dd></dl></section>",
                    title = both("Kết quả tra cứu", "Lookup result"),
                    code_label = both("Mã hồ sơ", "Dossier code"),
                    code = escape(&found.code),
                    procedure_label = both("Thủ tục", "Procedure"),
                    procedure = escape(&found.procedure_name),
                    status_label = both("Trạng thái", "Status"),
                    status = both(vi, en),
                    updated_label = both("Cập nhật", "Updated"),
                    updated = escape(&found.updated_at),
                ),
            )
        }
        Some(Ok(None)) => (
            StatusCode::NOT_FOUND,
            format!(
                "<p class=\"error\" role=\"alert\" id=\"lookup-error\">{}</p>",
                both("Không có hồ sơ nào mang mã này.", "No dossier has this code.")
            ),
        ),
        Some(Err(e)) => {
            tracing::error!("public lookup: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!(
                    "<p class=\"error\" role=\"alert\">{}</p>",
                    both("Tra cứu đang gặp lỗi, hãy thử lại.", "The lookup failed; please try again.")
                ),
            )
        }
    };
    let body = format!(
        "<main><div class=\"top\"><a class=\"brand\" href=\"/\">Smart-Hải Dương</a></div>\
         <form class=\"card\" method=\"get\" action=\"/lookup\"><h1>{title}</h1>\
         <label for=\"code\">{label}</label>\
         <input id=\"code\" name=\"code\" type=\"text\" required autocomplete=\"off\" value=\"{value}\" \
         aria-describedby=\"code-hint\"><span class=\"hint\" id=\"code-hint\">{hint}</span>\
         <button type=\"submit\" id=\"lookup\">{search}</button></form>{answer}</main>",
        title = both("Tra cứu hồ sơ", "Look up a dossier"),
        label = both("Mã hồ sơ", "Dossier code"),
        value = escape(code.unwrap_or("")),
        hint = both(
            "Mã in trên giấy biên nhận, ví dụ H19.25-261128-0001.",
            "The code on the receipt, e.g. H19.25-261128-0001."
        ),
        search = both("Tra cứu", "Look up"),
    );
    let page = html::document("vi", Theme::Home, "Tra cứu hồ sơ / Dossier lookup", &body);
    (status, [(header::CACHE_CONTROL, "no-store")], Html(page)).into_response()
}
