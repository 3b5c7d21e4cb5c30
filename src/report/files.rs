//! The one way report files are written, for `check`, `load` and `plan`: where they go by
//! default, the check of their paths before a run starts, and the writing.

use std::path::{Path, PathBuf};

use super::{ReportError, ReportFormat};

/// A report to write: its format and its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFile {
    pub format: ReportFormat,
    pub path: PathBuf,
}

/// `reports/<name>`, with `<name>` stamped with the time now: `20260102T030405Z`.
pub fn stamped_dir(prefix: Option<&str>) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    PathBuf::from("reports").join(match prefix {
        Some(p) => format!("{p}-{stamp}"),
        None => stamp,
    })
}

/// Make sure every report can be written before the run starts, so a long run never ends in
/// "cannot write": each path names a file (not a directory), its directory exists or can be
/// created (the nearest existing ancestor is a directory we can write in), the file can be
/// opened for writing, and no two reports share a file (one would silently overwrite the
/// other). Nothing is left behind: an existing file is opened without truncating, and a probe
/// file is removed at once; directories are created only when the reports are written.
/// `goose` are goose's own reports of a load run, checked with ours.
pub fn prepare(files: &[ReportFile], goose: &[PathBuf]) -> Result<(), ReportError> {
    let all = files
        .iter()
        .map(|f| (f.format.name(), &f.path))
        .chain(goose.iter().map(|p| ("goose", p)));
    let refuse = |message: String| ReportError::Path(message);
    let mut seen: Vec<(PathBuf, &str)> = Vec::new();
    for (kind, path) in all {
        let shown = path.display();
        let given = if kind == "goose" {
            format!("--goose-report {shown}")
        } else {
            format!("--report {kind}={shown}")
        };
        let Some(name) = path.file_name() else {
            return Err(refuse(format!(
                "{given}: not a file path; give one such as reports/report.{kind}"
            )));
        };
        if path.is_dir() {
            return Err(refuse(format!(
                "{given}: a directory, not a file; give one such as {}",
                path.join(format!("report.{kind}")).display()
            )));
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        // The nearest ancestor that exists: the directory is created below it.
        let existing = dir
            .ancestors()
            .find(|a| !a.as_os_str().is_empty() && a.exists())
            .unwrap_or(Path::new("."));
        if !existing.is_dir() {
            return Err(refuse(format!(
                "{given}: cannot create the directory {}: {} is a file",
                dir.display(),
                existing.display()
            )));
        }
        // Open the file itself where it exists or could be made, else a probe beside it.
        let probe = if dir.exists() {
            path.to_path_buf()
        } else {
            existing.join(format!(".specgate-probe-{}", std::process::id()))
        };
        let existed = probe.exists();
        let opened = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&probe);
        match opened {
            Ok(_) if !existed => {
                let _ = std::fs::remove_file(&probe);
            }
            Ok(_) => {}
            Err(e) => {
                return Err(refuse(format!(
                    "{given}: cannot write in {}: {e}",
                    if dir.exists() { dir } else { existing }.display()
                )))
            }
        }
        // The same file however it is written: `a.json`, `./a.json`, `d/../a.json`, a link.
        let same_file = if path.exists() {
            std::fs::canonicalize(path).unwrap_or_else(|_| path.clone())
        } else {
            let mut p = std::fs::canonicalize(existing).unwrap_or_else(|_| existing.into());
            let rest = dir.strip_prefix(existing).unwrap_or(Path::new(""));
            for c in rest.components() {
                match c {
                    std::path::Component::ParentDir => {
                        p.pop();
                    }
                    std::path::Component::Normal(n) => p.push(n),
                    _ => {}
                }
            }
            p.join(name)
        };
        if let Some((_, other)) = seen.iter().find(|(p, _)| *p == same_file) {
            return Err(refuse(format!(
                "{given}: the {other} report is written there too; give each \
                 report its own file"
            )));
        }
        seen.push((same_file, kind));
    }
    refuse_where_pages_go(files)
}

/// The annotated documents are written beside the HTML report as `document-<api>.html`: a
/// report of that name in the same folder would be overwritten by one of them.
fn refuse_where_pages_go(files: &[ReportFile]) -> Result<(), ReportError> {
    let folder = |f: &ReportFile| f.path.parent().map(Path::to_path_buf).unwrap_or_default();
    for html in files.iter().filter(|f| f.format == ReportFormat::Html) {
        for other in files.iter().filter(|f| folder(f) == folder(html)) {
            let name = other
                .path
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            if name.starts_with("document-") && name.ends_with(".html") {
                return Err(ReportError::Path(format!(
                    "--report {}={}: the annotated documents are written beside the html \
                     report as document-<api>.html; give this report another name",
                    other.format,
                    other.path.display()
                )));
            }
        }
    }
    Ok(())
}

/// Write each report as `render` gives it (creating its directory), then say on stdout where
/// they are. The first file that cannot be written ends the writing.
pub fn write_all(
    files: &[ReportFile],
    render: &dyn Fn(ReportFormat) -> String,
) -> Result<(), ReportError> {
    write_all_with_pages(files, render, &|_| vec![])
}

/// A page written beside a report and linked from it (the HTML report's annotated
/// documents): its file name in the report's directory, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub file_name: String,
    pub text: String,
}

/// [`write_all`], and beside each report the pages `pages` gives for it.
pub fn write_all_with_pages(
    files: &[ReportFile],
    render: &dyn Fn(ReportFormat) -> String,
    pages: &dyn Fn(&ReportFile) -> Vec<Page>,
) -> Result<(), ReportError> {
    let mut written_pages: Vec<PathBuf> = Vec::new();
    for file in files {
        let path = &file.path;
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        write_one(dir, path, &render(file.format))?;
        for page in pages(file) {
            let beside = dir.map_or_else(
                || PathBuf::from(&page.file_name),
                |d| d.join(&page.file_name),
            );
            write_one(dir, &beside, &page.text)?;
            written_pages.push(beside);
        }
    }
    let mut shown: Vec<String> = files
        .iter()
        .map(|f| format!("{}: {}", f.format, f.path.display()))
        .collect();
    if !written_pages.is_empty() {
        let pages: Vec<String> = written_pages
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        shown.push(format!("annotated documents: {}", pages.join(", ")));
    }
    super::outln(format_args!("reports: {}", shown.join(", ")));
    Ok(())
}

/// Write `text` to `path`, creating `dir` (its directory) first.
fn write_one(dir: Option<&Path>, path: &Path, text: &str) -> Result<(), ReportError> {
    dir.map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|_| std::fs::write(path, text))
        .map_err(|source| ReportError::Write {
            path: path.to_path_buf(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "specgate-report-files-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn file(format: ReportFormat, path: PathBuf) -> ReportFile {
        ReportFile { format, path }
    }

    fn refusal(files: &[ReportFile], goose: &[PathBuf]) -> String {
        match prepare(files, goose) {
            Err(e) => e.to_string(),
            Ok(()) => panic!("{files:?} {goose:?} was accepted"),
        }
    }

    #[test]
    fn two_reports_in_one_file_are_refused_however_the_path_is_written() {
        let dir = scratch("same");
        let json = file(ReportFormat::Json, dir.join("a.json"));
        let md = file(ReportFormat::Markdown, dir.join("sub/../a.json"));
        let e = refusal(&[json.clone(), md], &[]);
        assert!(e.contains("the json report is written there too"), "{e}");
        let e = refusal(&[json], &[dir.join("./a.json")]);
        assert!(e.starts_with("--goose-report "), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_report_named_as_an_annotated_document_beside_the_html_report_is_refused() {
        let dir = scratch("pages");
        let html = file(ReportFormat::Html, dir.join("report.html"));
        let json = file(ReportFormat::Json, dir.join("document-checklick.html"));
        let e = refusal(&[html.clone(), json], &[]);
        assert!(e.contains("annotated documents are written beside"), "{e}");
        let e = refusal(
            &[file(ReportFormat::Html, dir.join("document-a.html"))],
            &[],
        );
        assert!(e.starts_with("--report html="), "{e}");
        // Elsewhere, the name is free.
        let json = file(ReportFormat::Json, dir.join("sub/document-checklick.html"));
        prepare(&[html, json], &[]).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_directory_or_a_file_in_the_way_is_refused() {
        let dir = scratch("dir");
        let e = refusal(&[file(ReportFormat::Html, dir.clone())], &[]);
        assert!(e.contains("a directory, not a file"), "{e}");
        std::fs::write(dir.join("plain"), "").unwrap();
        let e = refusal(&[file(ReportFormat::Junit, dir.join("plain/x.xml"))], &[]);
        assert!(e.contains("is a file"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn preparing_leaves_nothing_behind_and_writing_creates_the_directory() {
        let dir = scratch("write");
        let files = [
            file(ReportFormat::Json, dir.join("new/r.json")),
            file(ReportFormat::Markdown, dir.join("r.md")),
        ];
        prepare(&files, &[]).unwrap();
        assert!(!dir.join("new").exists());
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        write_all(&files, &|f| format!("the {f} report")).unwrap();
        let json = std::fs::read_to_string(dir.join("new/r.json")).unwrap();
        assert_eq!(json, "the json report");
        let md = std::fs::read_to_string(dir.join("r.md")).unwrap();
        assert_eq!(md, "the md report");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
