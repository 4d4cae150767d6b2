//! Writing the report to a directory, each file atomically and `report.json` last.

use crate::document::build;
use crate::model::Report;
use crate::{html, markdown};
use std::io;
use std::path::{Path, PathBuf};

/// A failure to write the report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be created, written, renamed or removed.
    #[error("{path}: {source}")]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The report could not be serialized.
    #[error("serializing report.json: {0}")]
    Json(#[from] serde_json::Error),
}

/// The files [`write()`] produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// `report.json`: the data, written last.
    pub json: PathBuf,
    /// `report.md`.
    pub markdown: PathBuf,
    /// `index.html`: self-contained, charts inlined.
    pub html: PathBuf,
    /// `charts/*.svg`, in report order.
    pub charts: Vec<PathBuf>,
}

impl Written {
    /// Every path written, in writing order (`report.json` last).
    pub fn paths(&self) -> Vec<&Path> {
        let mut out: Vec<&Path> = self.charts.iter().map(PathBuf::as_path).collect();
        out.extend([self.markdown.as_path(), self.html.as_path(), self.json.as_path()]);
        out
    }
}

/// Writes `report.json`, `report.md`, `charts/*.svg` and `index.html` into `dir` (created if
/// missing). Each file goes to a temporary name and is renamed into place; an existing
/// `report.json` is removed first and the new one written last, so an interrupted run never
/// leaves a directory that looks complete.
pub fn write(report: &Report, dir: &Path) -> Result<Written, Error> {
    let json = serde_json::to_string_pretty(report)? + "\n";
    let doc = build(report);
    let charts_dir = dir.join("charts");
    create_dir(&charts_dir)?;
    let json_path = dir.join("report.json");
    match std::fs::remove_file(&json_path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(io_error(&json_path)(e)),
        _ => {}
    }
    let mut charts = Vec::new();
    for fig in doc.scenarios.iter().chain(&doc.sweeps).flat_map(|s| &s.figures) {
        let path = dir.join(&fig.file);
        write_atomic(&path, &fig.svg)?;
        charts.push(path);
    }
    let written = Written {
        markdown: dir.join("report.md"),
        html: dir.join("index.html"),
        json: json_path,
        charts,
    };
    write_atomic(&written.markdown, &markdown::render(&doc))?;
    write_atomic(&written.html, &html::render(&doc))?;
    write_atomic(&written.json, &json)?;
    Ok(written)
}

fn create_dir(path: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(path).map_err(io_error(path))
}

/// Writes `contents` to `.<name>.tmp` beside `path`, then renames it over `path`.
fn write_atomic(path: &Path, contents: &str) -> Result<(), Error> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&tmp, contents).map_err(io_error(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io_error(path))
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |source| Error::Io { path: path.to_path_buf(), source }
}
