//! `manifest.json` and `SHA256SUMS`: what every file of a bundle hashes to, and the hash of
//! the whole.
//!
//! The **bundle hash** is the SHA-256 of the text of `SHA256SUMS`: one line
//! `<sha256>  <path>\n` (lowercase hex, two spaces, `/`-separated path relative to the bundle)
//! per file of the bundle other than `manifest.json` and `SHA256SUMS`, sorted by path
//! bytewise. So `sha256sum -c SHA256SUMS` checks every file and `sha256sum SHA256SUMS` prints
//! the bundle hash, without lockstep.

use std::fs::File;
use std::io::Read;
use std::path::{Component, Path};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Result, io};

/// The manifest's file name.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The checksum list's file name (`sha256sum -c` format).
pub const SUMS_FILE: &str = "SHA256SUMS";
/// The version of the bundle layout and of `manifest.json`.
pub const BUNDLE_SCHEMA_VERSION: u32 = 1;
/// What `manifest.json`'s `format` field says.
pub const BUNDLE_FORMAT: &str = "lockstep-evidence";

/// One file of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Relative to the bundle, `/`-separated.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Lowercase hex SHA-256 of the contents.
    pub sha256: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`BUNDLE_FORMAT`].
    pub format: String,
    /// [`BUNDLE_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The operation id.
    pub operation: String,
    /// Its kind (`like-farm`, …), empty when the findings give none.
    pub operation_kind: String,
    /// The policy version that judged it.
    pub policy_version: String,
    /// The writer, e.g. `lockstep 0.1.0`.
    pub tool: String,
    /// When the bundle was written (RFC 3339 UTC).
    pub created: String,
    /// How the bundle hash is defined, in words.
    pub bundle_hash_definition: String,
    /// The hash of the whole (see the module docs).
    pub bundle_sha256: String,
    /// Every file but `manifest.json` and `SHA256SUMS`, sorted by path.
    pub files: Vec<FileEntry>,
}

/// The definition recorded in every manifest.
pub const BUNDLE_HASH_DEFINITION: &str = "SHA-256 of SHA256SUMS: one line `<sha256>  <path>\\n` per file listed in `files` (every file of the bundle except manifest.json and SHA256SUMS), sorted by path bytewise";

/// The text of `SHA256SUMS` for `files` (which must be sorted by path).
pub fn sums_text(files: &[FileEntry]) -> String {
    let mut s = String::with_capacity(files.len() * 80);
    for f in files {
        s.push_str(&f.sha256);
        s.push_str("  ");
        s.push_str(&f.path);
        s.push('\n');
    }
    s
}

/// The bundle hash of `files` (sorted by path).
pub fn bundle_sha256(files: &[FileEntry]) -> String {
    hex(&Sha256::digest(sums_text(files).as_bytes()))
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// The size and SHA-256 of a file, read in 1 MiB chunks.
///
/// # Errors
/// [`crate::Error::Io`] when it cannot be read.
pub fn hash_file(path: &Path) -> Result<(u64, String)> {
    let mut f = File::open(path).map_err(io(path))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io(path)(e)),
        };
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((n, hex(&h.finalize())))
}

/// Whether a manifest path is a plain relative path inside the bundle (no `..`, no root, not
/// empty), so that verifying never reads outside it.
pub(crate) fn is_safe_path(p: &str) -> bool {
    !p.is_empty()
        && !p.contains('\\')
        && Path::new(p)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_of_the_whole_is_the_hash_of_the_sums_text() {
        let files = vec![
            FileEntry {
                path: "a.csv".into(),
                bytes: 0,
                sha256: hex(&Sha256::digest(b"")),
            },
            FileEntry {
                path: "plots/x.svg".into(),
                bytes: 3,
                sha256: hex(&Sha256::digest(b"abc")),
            },
        ];
        let text = sums_text(&files);
        assert_eq!(
            text,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a.csv\n\
             ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  plots/x.svg\n"
        );
        assert_eq!(bundle_sha256(&files), hex(&Sha256::digest(text.as_bytes())));
    }

    #[test]
    fn unsafe_paths_are_refused() {
        for p in ["", "../x", "/etc/passwd", "a/../../b", "a\\b", "./a"] {
            assert!(!is_safe_path(p), "{p}");
        }
        for p in ["a.csv", "plots/lockstep.svg"] {
            assert!(is_safe_path(p), "{p}");
        }
    }
}
