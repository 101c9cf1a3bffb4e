//! Verifying a bundle: recompute every hash and name every file changed, missing or added.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::bundle::{NOT_A_FILE, list_files};
use crate::error::{Result, invalid_input_err};
use crate::manifest::{
    FileEntry, MANIFEST_FILE, Manifest, SUMS_FILE, bundle_sha256, is_safe_path, sums_text,
};

/// One difference between a bundle and its manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Difference {
    /// `manifest.json` is missing or cannot be read as a manifest; nothing else could be
    /// checked.
    ManifestUnreadable(String),
    /// A file's contents differ from the manifest's.
    Changed {
        /// The file.
        path: String,
        /// What the manifest recorded.
        expected: FileEntry,
        /// What is there now.
        found: FileEntry,
    },
    /// A file the manifest lists is not there.
    Missing(String),
    /// A file is there that the manifest does not list.
    Extra(FileEntry),
    /// The manifest lists a path outside the bundle (`..`, absolute): not read.
    UnsafePath(String),
    /// `SHA256SUMS` is missing or does not match the manifest's list.
    SumsChanged,
    /// The manifest's `bundle_sha256` is not the hash of its own file list: the manifest was
    /// edited.
    ManifestHashMismatch {
        /// `bundle_sha256` as recorded.
        recorded: String,
        /// The hash of the manifest's `files`.
        computed: String,
    },
    /// A field of the manifest disagrees with `provenance.json` (which the hash covers).
    ManifestField {
        /// The field.
        field: &'static str,
        /// The manifest's value.
        manifest: String,
        /// `provenance.json`'s value.
        provenance: String,
    },
    /// The bundle hash is not the one the caller expected (published or recorded earlier).
    UnexpectedBundleHash {
        /// What the caller expected.
        expected: String,
        /// The bundle's hash, from the files as they are.
        found: String,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::ManifestUnreadable(why) => write!(f, "{MANIFEST_FILE}: {why}"),
            Difference::Changed {
                path,
                expected,
                found,
            } => {
                write!(f, "changed: {path}: ")?;
                if found.sha256 == NOT_A_FILE {
                    return write!(f, "now a symbolic link or another non-regular file");
                }
                if expected.bytes != found.bytes {
                    write!(f, "{} bytes, was {}; ", found.bytes, expected.bytes)?;
                }
                write!(
                    f,
                    "sha256 {}, was {}",
                    short(&found.sha256),
                    short(&expected.sha256)
                )
            }
            Difference::Missing(p) => write!(f, "missing: {p}"),
            Difference::Extra(e) if e.sha256 == NOT_A_FILE => {
                write!(
                    f,
                    "added: {} (a symbolic link or another non-regular file)",
                    e.path
                )
            }
            Difference::Extra(e) => write!(f, "added: {} ({} bytes)", e.path, e.bytes),
            Difference::UnsafePath(p) => {
                write!(f, "{MANIFEST_FILE} lists {p:?}, a path outside the bundle")
            }
            Difference::SumsChanged => write!(
                f,
                "changed: {SUMS_FILE}: it does not list the files of {MANIFEST_FILE}"
            ),
            Difference::ManifestHashMismatch { recorded, computed } => write!(
                f,
                "changed: {MANIFEST_FILE}: its bundle_sha256 {} is not the hash of its file list ({})",
                short(recorded),
                short(computed)
            ),
            Difference::ManifestField {
                field,
                manifest,
                provenance,
            } => write!(
                f,
                "changed: {MANIFEST_FILE}: {field} is {manifest:?}, provenance.json says {provenance:?}"
            ),
            Difference::UnexpectedBundleHash { expected, found } => {
                write!(f, "the bundle hash is {found}, not the expected {expected}")
            }
        }
    }
}

/// The first 16 hex digits of a hash.
fn short(h: &str) -> &str {
    h.get(..16).unwrap_or(h)
}

/// What [`verify`] found.
#[derive(Debug, Clone)]
pub struct Verification {
    /// The bundle directory.
    pub bundle: PathBuf,
    /// The manifest, when it could be read.
    pub manifest: Option<Manifest>,
    /// Every difference found, in the order: manifest problems, then files by path.
    pub differences: Vec<Difference>,
    /// The files checked (listed by the manifest).
    pub files_checked: usize,
    /// The bundle hash of the files as they are now.
    pub bundle_sha256: String,
}

impl Verification {
    /// No difference at all.
    pub fn is_intact(&self) -> bool {
        self.differences.is_empty()
    }
}

/// Verifies the bundle at `dir` against its `manifest.json`; with `expected`, also requires
/// the bundle hash to be that one (e.g. the hash published when the bundle was written).
///
/// # Errors
/// [`crate::Error::InvalidInput`] when `dir` is not a directory; [`crate::Error::Io`] when a
/// file cannot be read. Everything else — a missing or edited manifest included — is a
/// [`Difference`].
pub fn verify(dir: &Path, expected: Option<&str>) -> Result<Verification> {
    if !dir.is_dir() {
        return Err(invalid_input_err!(
            "{}: not a directory (an evidence bundle is the directory `lockstep evidence` wrote)",
            dir.display()
        ));
    }
    let on_disk = list_files(dir)?;
    let now_hash = bundle_sha256(&on_disk);
    let mut v = Verification {
        bundle: dir.to_path_buf(),
        manifest: None,
        differences: Vec::new(),
        files_checked: 0,
        bundle_sha256: now_hash.clone(),
    };
    let manifest = match read_manifest(dir) {
        Ok(m) => m,
        Err(why) => {
            v.differences.push(Difference::ManifestUnreadable(why));
            return Ok(v);
        }
    };
    // The manifest against itself.
    let mut listed = manifest.files.clone();
    listed.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    let computed = bundle_sha256(&listed);
    if computed != manifest.bundle_sha256 {
        v.differences.push(Difference::ManifestHashMismatch {
            recorded: manifest.bundle_sha256.clone(),
            computed,
        });
    }
    let sums_ok =
        std::fs::read(dir.join(SUMS_FILE)).is_ok_and(|b| b == sums_text(&listed).as_bytes());
    if !sums_ok {
        v.differences.push(Difference::SumsChanged);
    }
    // Files: the manifest's list against the directory.
    let mut disk: BTreeMap<&str, &FileEntry> =
        on_disk.iter().map(|e| (e.path.as_str(), e)).collect();
    let mut by_path: Vec<Difference> = Vec::new();
    for e in &listed {
        if !is_safe_path(&e.path) {
            v.differences.push(Difference::UnsafePath(e.path.clone()));
            continue;
        }
        v.files_checked += 1;
        match disk.remove(e.path.as_str()) {
            None => by_path.push(Difference::Missing(e.path.clone())),
            Some(found) if found.sha256 != e.sha256 || found.bytes != e.bytes => {
                by_path.push(Difference::Changed {
                    path: e.path.clone(),
                    expected: e.clone(),
                    found: found.clone(),
                })
            }
            Some(_) => {}
        }
    }
    by_path.extend(disk.into_values().map(|e| Difference::Extra(e.clone())));
    by_path.sort_by(|a, b| diff_path(a).cmp(diff_path(b)));
    v.differences.extend(by_path);
    // The manifest's own fields against provenance.json, which the hash covers.
    if let Ok(bytes) = std::fs::read(dir.join("provenance.json"))
        && let Ok(p) = serde_json::from_slice::<Value>(&bytes)
    {
        let fields: [(&'static str, &str); 5] = [
            ("operation", &manifest.operation),
            ("operation_kind", &manifest.operation_kind),
            ("policy_version", &manifest.policy_version),
            ("tool", &manifest.tool),
            ("created", &manifest.created),
        ];
        for (field, value) in fields {
            let prov = p.get(field).and_then(Value::as_str).unwrap_or_default();
            if prov != value {
                v.differences.push(Difference::ManifestField {
                    field,
                    manifest: value.to_owned(),
                    provenance: prov.to_owned(),
                });
            }
        }
    }
    if let Some(expected) = expected
        && !expected.eq_ignore_ascii_case(&now_hash)
    {
        v.differences.push(Difference::UnexpectedBundleHash {
            expected: expected.to_owned(),
            found: now_hash,
        });
    }
    v.manifest = Some(manifest);
    Ok(v)
}

fn diff_path(d: &Difference) -> &str {
    match d {
        Difference::Changed { path, .. } | Difference::Missing(path) => path,
        Difference::Extra(e) => &e.path,
        _ => "",
    }
}

/// Reads `manifest.json`; the error is a sentence for [`Difference::ManifestUnreadable`].
fn read_manifest(dir: &Path) -> std::result::Result<Manifest, String> {
    let path = dir.join(MANIFEST_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err("missing: nothing can be verified without it".to_owned());
        }
        Err(e) => return Err(format!("cannot be read ({e})")),
    };
    serde_json::from_slice::<Manifest>(&bytes).map_err(|e| format!("not a bundle manifest ({e})"))
}
