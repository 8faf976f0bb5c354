//! Reading a file the resident attaches: only a regular file, opened so that a named pipe or a
//! device never blocks, read in chunks and hashed as it is read, never past the size cap.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// A file read for attaching: its bytes and their SHA-256.
#[derive(Debug)]
pub struct ReadFile {
    pub bytes: Vec<u8>,
    pub sha256: ring::digest::Digest,
}

fn refused(file: &str, reason: &str) -> Error {
    Error::Validation { field: "attachment".into(), reason: format!("{file}: {reason}") }
}

fn not_regular(file: &str) -> Error {
    refused(file, "không phải tệp thông thường / not a regular file (a folder, device or pipe)")
}

fn too_large(file: &str, limit: u64) -> Error {
    refused(file, &format!("tệp lớn hơn {} MiB / the file is larger than {} MiB", limit >> 20, limit >> 20))
}

/// Reads `path` if it is a regular file of at most `limit` bytes. The type is checked before
/// opening and again on the opened file (it may have been swapped in between); the read stops
/// one byte past the limit, so a file that grows meanwhile is refused, not read on.
pub fn read_regular_file(path: &Path, limit: u64) -> Result<ReadFile> {
    let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "tệp / file".into());
    // The caller's file, not the app's storage: what is wrong with it is said of it.
    let unreadable = |source: std::io::Error| Error::InputFile { file: file.clone(), source };
    let before = std::fs::metadata(path).map_err(unreadable)?;
    if !before.is_file() {
        return Err(not_regular(&file));
    }
    if before.len() > limit {
        return Err(too_large(&file, limit));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let opened = options.open(path).map_err(unreadable)?;
    if !opened.metadata().map_err(unreadable)?.is_file() {
        return Err(not_regular(&file));
    }
    let mut digest = ring::digest::Context::new(&ring::digest::SHA256);
    let mut bytes = Vec::with_capacity(before.len() as usize);
    let mut chunk = vec![0u8; 64 * 1024];
    let mut reader = opened.take(limit + 1);
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(unreadable(e)),
        };
        if (bytes.len() + n) as u64 > limit {
            return Err(too_large(&file, limit));
        }
        digest.update(&chunk[..n]);
        bytes.extend_from_slice(&chunk[..n]);
    }
    Ok(ReadFile { bytes, sha256: digest.finish() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_said_of_the_file_not_of_the_phones_storage() {
        let dir = tempfile::tempdir().unwrap();
        let missing = read_regular_file(&dir.path().join("khong-co.pdf"), 16).unwrap_err();
        assert_eq!(missing.kind(), crate::ErrorKind::NotFound, "{missing}");
        assert!(missing.to_string().starts_with("khong-co.pdf: "), "{missing}");
    }

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let ok = dir.path().join("to-khai.pdf");
        std::fs::write(&ok, b"%PDF-1.4\n").unwrap();
        let read = read_regular_file(&ok, 16).unwrap();
        assert_eq!(read.bytes, b"%PDF-1.4\n");
        assert_eq!(read.sha256.as_ref(), ring::digest::digest(&ring::digest::SHA256, b"%PDF-1.4\n").as_ref());

        let big = dir.path().join("big.pdf");
        std::fs::write(&big, [b'x'; 17]).unwrap();
        let err = read_regular_file(&big, 16).unwrap_err();
        assert!(matches!(&err, Error::Validation { reason, .. } if reason.starts_with("big.pdf: ")), "{err}");

        let err = read_regular_file(dir.path(), 16).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }
}
