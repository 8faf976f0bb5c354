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
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
            return Ok(self.url(&target));
        }
    }
}

/// A small bilingual page telling the resident to go back to the terminal.
pub fn back_to_terminal(title_vi: &str, title_en: &str) -> String {
    format!(
        "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>Smart-Hải Dương</title>\
         <body style=\"font-family:sans-serif;margin:3em\"><h1>{title_vi}</h1>\
         <p>Bạn có thể đóng cửa sổ này và quay lại cửa sổ dòng lệnh.</p>\
         <p lang=\"en\">{title_en}: you can close this window and return to the terminal.</p></body></html>"
    )
}
