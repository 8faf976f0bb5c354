//! A one-shot HTTP listener on an ephemeral loopback port: where the browser comes back to the
//! CLI after a login (RFC 8252 section 7.3) or a payment.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub struct Loopback {
    listener: TcpListener,
    port: u16,
}

impl Loopback {
    pub async fn bind() -> std::io::Result<Loopback> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        Ok(Loopback { listener, port })
    }

    /// `http://127.0.0.1:{port}{path}`
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Serves until the browser asks for `path` (with any query); answers with `page` (HTML)
    /// and returns the full URL the browser was sent to.
    pub async fn wait_for(&self, path: &str, page: &str) -> std::io::Result<String> {
        loop {
            let (mut stream, _) = self.listener.accept().await?;
            let mut buffer = vec![0u8; 16 * 1024];
            let mut read = 0;
            while read < buffer.len() {
                let n = stream.read(&mut buffer[read..]).await?;
                read += n;
                if n == 0 || buffer[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
            let request = String::from_utf8_lossy(&buffer[..read]);
            let target = request.lines().next().and_then(|line| line.split(' ').nth(1)).unwrap_or("").to_owned();
            if target.split('?').next() != Some(path) {
                let _ =
                    stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").await;
                continue;
            }
            // The browser only carries the answer: the terminal completes (or refuses) the login or
            // payment. A redirect that already says it failed must not read as a success.
            let query = target.split_once('?').map_or("", |(_, q)| q);
            let page = if redirect_failed(query) { failed_page() } else { page.to_owned() };
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
                 Cache-Control: no-store\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
            return Ok(self.url(&target));
        }
    }
}

/// OAuth's `error` (RFC 6749 section 4.1.2.1) or a VNPay response code other than `00`.
fn redirect_failed(query: &str) -> bool {
    query
        .split('&')
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .any(|(k, v)| k == "error" || (k == "vnp_ResponseCode" && v != "00"))
}

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:24px 16px;max-width:560px;\
margin-inline:auto;background:#fff;color:#1c2430}h1{font-size:1.4rem}.en{color:#4f5b69}\
@media (prefers-color-scheme:dark){body{background:#121418;color:#e9edf2}.en{color:#b4bdc8}}";

fn page(title_vi: &str, text_vi: &str, title_en: &str, text_en: &str) -> String {
    format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"color-scheme\" content=\"light dark\"><title>Smart-Hải Dương — {title_vi}</title>\
         <style>{STYLE}</style></head><body><main><h1>{title_vi}</h1><p>{text_vi}</p>\
         <h2 lang=\"en\" class=\"en\">{title_en}</h2><p lang=\"en\" class=\"en\">{text_en}</p></main></body></html>"
    )
}

/// A small bilingual page telling the resident that the terminal finishes the work (it may
/// still fail there: this page does not claim success).
pub fn back_to_terminal(title_vi: &str, title_en: &str) -> String {
    page(
        title_vi,
        "Cửa sổ dòng lệnh đang hoàn tất và sẽ báo kết quả. Bạn có thể đóng cửa sổ này và quay lại cửa sổ dòng lệnh.",
        title_en,
        "The terminal is completing this and will show the result. You can close this window and return to the terminal.",
    )
}

/// The page for a redirect that carries an error.
fn failed_page() -> String {
    page(
        "Không thành công",
        "Yêu cầu đã bị từ chối hoặc hủy. Hãy quay lại cửa sổ dòng lệnh để xem lý do và thử lại.",
        "Not completed",
        "The request was refused or cancelled. Return to the terminal to see why and try again.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_in_the_redirect_is_not_shown_as_success() {
        assert!(redirect_failed("error=access_denied&state=x"));
        assert!(redirect_failed("vnp_ResponseCode=24&vnp_TxnRef=1"));
        assert!(!redirect_failed("code=abc&state=x"));
        assert!(!redirect_failed("vnp_ResponseCode=00"));
        let page = back_to_terminal("Đang hoàn tất đăng nhập", "Completing the login");
        assert!(page.contains("name=\"viewport\"") && page.contains("lang=\"en\""));
        assert!(failed_page().contains("Không thành công"));
    }
}
