//! Finding and opening a data set's files, with errors that say what was expected.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use crate::error::{Error, Result, invalid_input_err};

/// The file `name` inside the data set directory `path`, or `path` itself when it is a file
/// called `name`.
///
/// # Errors
/// [`Error::InvalidInput`] naming the data set and the file it expected.
pub(crate) fn file_in(path: &Path, name: &str, data_set: &str) -> Result<PathBuf> {
    if path.is_file() && path.file_name().is_some_and(|n| n == name) {
        return Ok(path.to_path_buf());
    }
    if !path.exists() {
        return Err(invalid_input_err!(
            "{}: no such file or directory",
            path.display()
        ));
    }
    let p = path.join(name);
    if p.is_file() {
        Ok(p)
    } else {
        Err(invalid_input_err!(
            "{}: not a {data_set} directory (no {name} in it)",
            path.display()
        ))
    }
}

/// Files in `dir` whose names start with `prefix` and end with `suffix`, sorted by name.
///
/// # Errors
/// [`Error::InvalidInput`] when `dir` is not a directory or holds none.
pub(crate) fn files_matching(
    dir: &Path,
    prefix: &str,
    suffix: &str,
    data_set: &str,
) -> Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        return Err(invalid_input_err!(
            "{}: not a {data_set} directory (not a directory)",
            dir.display()
        ));
    }
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(prefix) && name.ends_with(suffix) && entry.path().is_file() {
            out.push(entry.path());
        }
    }
    out.sort();
    if out.is_empty() {
        return Err(invalid_input_err!(
            "{}: not a {data_set} directory (no {prefix}*{suffix} files in it)",
            dir.display()
        ));
    }
    Ok(out)
}

/// Opens `path` for reading, through gzip when its name ends in `.gz`.
pub(crate) fn open(path: &Path) -> Result<Box<dyn BufRead>> {
    let f = File::open(path).map_err(|e| Error::io(path, e))?;
    let r: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(MultiGzDecoder::new(f))
    } else {
        Box::new(f)
    };
    Ok(Box::new(BufReader::new(r)))
}

/// Reads all of `path` as UTF-8 text.
pub(crate) fn read_text(path: &Path) -> Result<String> {
    let mut s = String::new();
    open(path)?
        .read_to_string(&mut s)
        .map_err(|e| Error::io(path, e))?;
    Ok(s)
}

/// The file name of `path`, for messages and rejected rows.
pub(crate) fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A 64-bit mix of `x` (splitmix64's finaliser): a fixed, label-blind order for rows and folds.
pub(crate) fn mix64(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// FNV-1a of `s`, mixed: a stable hash of a string id.
pub(crate) fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    mix64(h)
}
