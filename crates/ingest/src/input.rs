//! Input files: format by extension, path checks, display names, byte counting for progress.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::invalid_input_err;
use crate::stats::FileKind;
use crate::{Error, Result};

/// The extensions `load` accepts, for messages.
pub const ACCEPTED_EXTENSIONS: &str =
    ".jsonl, .ndjson, .jsonl.gz, .ndjson.gz, .csv, .csv.gz, .parquet";

/// An input file's format, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// JSON Lines (`.jsonl`, `.ndjson`), gzip-compressed when `gzip`.
    Jsonl {
        /// `.gz` on top.
        gzip: bool,
    },
    /// CSV with a header row (`.csv`), gzip-compressed when `gzip`.
    Csv {
        /// `.gz` on top.
        gzip: bool,
    },
    /// Parquet (`.parquet`).
    Parquet,
}

impl InputFormat {
    /// The format of `path`, from its extension (case-insensitive).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the accepted extensions.
    pub fn of(path: &Path) -> Result<Self> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let (stem, gzip) = match name.strip_suffix(".gz") {
            Some(s) => (s, true),
            None => (name.as_str(), false),
        };
        let f = if stem.ends_with(".jsonl") || stem.ends_with(".ndjson") {
            InputFormat::Jsonl { gzip }
        } else if stem.ends_with(".csv") {
            InputFormat::Csv { gzip }
        } else if stem.ends_with(".parquet") && !gzip {
            InputFormat::Parquet
        } else {
            let shown = path
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            let what = match shown.find('.') {
                Some(i) if i > 0 => format!("unknown file extension `{}`", &shown[i..]),
                _ => "no file extension".to_owned(),
            };
            return Err(invalid_input_err!(
                "{}: {what}; lockstep tells a file's format from its name and accepts \
                 {ACCEPTED_EXTENSIONS}",
                path.display()
            ));
        };
        Ok(f)
    }

    /// The name shown in stats: `jsonl`, `jsonl.gz`, `csv`, `csv.gz` or `parquet`.
    pub fn name(&self) -> &'static str {
        match self {
            InputFormat::Jsonl { gzip: false } => "jsonl",
            InputFormat::Jsonl { gzip: true } => "jsonl.gz",
            InputFormat::Csv { gzip: false } => "csv",
            InputFormat::Csv { gzip: true } => "csv.gz",
            InputFormat::Parquet => "parquet",
        }
    }
}

/// One file to read, checked.
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    pub(crate) path: PathBuf,
    pub(crate) name: String,
    pub(crate) kind: FileKind,
    pub(crate) format: InputFormat,
    pub(crate) bytes: u64,
}

/// Checks that `path` is a readable regular file and returns its size.
fn check_file(path: &Path) -> Result<u64> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(invalid_input_err!(
            "{} is a directory; give the files in it (accepted extensions: {ACCEPTED_EXTENSIONS})",
            path.display()
        )),
        Ok(m) => Ok(m.len()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            Err(invalid_input_err!("{}: no such file", path.display()))
        }
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Checks every input and names it: the base name, or the path as given when two inputs share
/// a base name.
pub(crate) fn plan(files: &[(PathBuf, FileKind)]) -> Result<Vec<Planned>> {
    let base = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.to_string_lossy().into_owned())
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (p, _) in files {
        *seen.entry(base(p)).or_default() += 1;
    }
    files
        .iter()
        .map(|(path, kind)| {
            // Whether it is there and a file first: a directory or a missing path is the
            // mistake to name, whatever its name ends in.
            let bytes = check_file(path)?;
            let format = InputFormat::of(path)?;
            let b = base(path);
            let name = if seen[&b] > 1 {
                path.to_string_lossy().into_owned()
            } else {
                b
            };
            Ok(Planned {
                path: path.clone(),
                name,
                kind: *kind,
                format,
                bytes,
            })
        })
        .collect()
}

/// The progress callback: cumulative bytes consumed.
pub(crate) type ProgressFn = Arc<dyn Fn(u64) + Send + Sync>;

/// Reports bytes read from the file underneath (compressed bytes for gzip) to the progress
/// callback, as a running total over the whole load, at most once per MiB.
pub(crate) struct Counting<R> {
    inner: R,
    cb: Option<ProgressFn>,
    base: u64,
    n: u64,
    reported: u64,
}

impl<R: Read> Counting<R> {
    pub(crate) fn new(inner: R, cb: Option<ProgressFn>, base: u64) -> Self {
        Counting {
            inner,
            cb,
            base,
            n: 0,
            reported: 0,
        }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n += k as u64;
        if let Some(cb) = &self.cb
            && (self.n - self.reported >= 1 << 20 || k == 0)
        {
            self.reported = self.n;
            cb(self.base + self.n);
        }
        Ok(k)
    }
}

/// Opens `path` for streaming, through gzip when `gzip`.
pub(crate) fn open_text(
    path: &Path,
    gzip: bool,
    cb: Option<ProgressFn>,
    base: u64,
) -> Result<Box<dyn Read + Send>> {
    let f = File::open(path).map_err(|e| Error::io(path, e))?;
    let r = Counting::new(f, cb, base);
    Ok(if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(
            io::BufReader::with_capacity(1 << 16, r),
        ))
    } else {
        Box::new(r)
    })
}

/// How a read error in the middle of a file is reported.
pub(crate) enum ReadFailure {
    /// The gzip stream ends early or is corrupt: a rejected line, and the rest of the file is
    /// lost.
    Gzip(crate::Reason, String),
    /// The file cannot be read: the load stops.
    Fatal(Error),
}

/// Classifies a read error on `path`.
pub(crate) fn classify(path: &Path, gzip: bool, e: io::Error) -> ReadFailure {
    use crate::Reason;
    match e.kind() {
        io::ErrorKind::UnexpectedEof if gzip => ReadFailure::Gzip(
            Reason::TruncatedGzip,
            format!("the gzip stream ends early ({e}); the rest of the file is lost"),
        ),
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData if gzip => ReadFailure::Gzip(
            Reason::BadGzip,
            format!("the gzip stream is corrupt ({e}); the rest of the file is lost"),
        ),
        _ => ReadFailure::Fatal(Error::io(path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension() {
        let f = |s: &str| InputFormat::of(Path::new(s));
        assert_eq!(f("a.jsonl").unwrap(), InputFormat::Jsonl { gzip: false });
        assert_eq!(
            f("dir/A.NDJSON.GZ").unwrap(),
            InputFormat::Jsonl { gzip: true }
        );
        assert_eq!(f("a.csv.gz").unwrap(), InputFormat::Csv { gzip: true });
        assert_eq!(f("a.parquet").unwrap(), InputFormat::Parquet);
        let e = f("a.json").unwrap_err().to_string();
        assert!(e.contains("a.json") && e.contains(".ndjson.gz"), "{e}");
        assert!(f("a.parquet.gz").is_err());
        assert!(f("jsonl").is_err());
    }
}
