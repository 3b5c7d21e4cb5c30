//! Reporters: they turn what the library found into text. Only they and `main.rs` print.
//!
//! A check run feeds its reporters through [`Reporter`]: the progress bar, the terminal summary
//! and the report files are all consumers of the engine's events. Report files are written one
//! way, by [`files`].

pub mod baseline;
pub mod check;
pub mod coverage;
pub mod document;
pub mod files;
pub mod html;
pub mod lint;
pub mod load;
pub mod plan_rates;
pub mod progress;
pub mod specs_table;

use std::path::Path;

use tabled::settings::Style;
use tabled::{Table, Tabled};

use crate::load::plan::PlanPoint;
use crate::load::plan_rates::RateStep;
use crate::mock::{FaultInfo, RunningMock, VariantInfo};
use crate::results::Event;

/// A report file's format: what `--report KIND=PATH` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportFormat {
    Json,
    Junit,
    Markdown,
    Html,
}

impl ReportFormat {
    /// The name `--report` takes: json, junit, md, html.
    pub fn name(self) -> &'static str {
        match self {
            ReportFormat::Json => "json",
            ReportFormat::Junit => "junit",
            ReportFormat::Markdown => "md",
            ReportFormat::Html => "html",
        }
    }

    /// The format of a name in `formats`, if it is one of them.
    pub fn named(name: &str, formats: &[ReportFormat]) -> Option<ReportFormat> {
        formats.iter().copied().find(|f| f.name() == name)
    }

    /// The names of `formats`, for a message: `json, md, html`.
    pub fn names(formats: &[ReportFormat]) -> String {
        formats
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl std::fmt::Display for ReportFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A report that could not be written, or whose path would not take it.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A `--report` or `--goose-report` path refused before the run starts.
    #[error("{0}")]
    Path(String),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

/// A consumer of a check run. The runner feeds it every event of the engine as it happens (the
/// last of each API is `Event::ApiDone`, with its whole redacted result); `finish` is called
/// once, when the run has ended (completed or halted), in the order the reporters were given. A
/// run that fails before its end (a mock that does not start) drops its reporters unfinished.
pub trait Reporter {
    fn event(&mut self, _event: &Event<'_>) {}
    fn finish(&mut self) -> Result<(), ReportError> {
        Ok(())
    }
}

/// What a command says on stderr as it goes, before its result.
#[derive(Debug)]
pub enum Note<'a> {
    /// A profile's credential whose environment variable is not set.
    UnsetCredential {
        profile: &'a Path,
        credential: &'a str,
    },
    /// APIs of a check of every mock that the selection leaves no rule of: not checked.
    NothingSelected { apis: &'a [String] },
    /// `specgate mock --cert-out` of a mock served over plain HTTP.
    NoCertificate { api: &'a str },
    /// One concurrency of a plan's sweep, measured.
    PlanPoint(&'a PlanPoint),
    /// One rate of a plan's sweep (`plan --rates`), measured and judged.
    RateStep(&'a RateStep),
}

impl std::fmt::Display for Note<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::UnsetCredential {
                profile,
                credential,
            } => write!(
                f,
                "note: {}: credential {credential}: rules that need it are skipped",
                profile.display()
            ),
            Note::NothingSelected { apis } => write!(
                f,
                "note: the selection leaves no rule of {}: not checked",
                apis.join(", ")
            ),
            Note::NoCertificate { api } => write!(
                f,
                "note: {api} is served over plain HTTP: no certificate to write"
            ),
            Note::PlanPoint(p) => write!(
                f,
                "  {:>3} load users: {:>8.0} requests/s, p95 {:.2} ms ({})",
                p.concurrency,
                p.throughput_rps,
                p.p95_ms,
                p.ended.describe()
            ),
            Note::RateStep(s) => write!(
                f,
                "  {:>8}/s: achieved {:.1}/s, corrected p99 {:.2} ms, errors {:.2}%, {} contract violations in {} judged: {}",
                s.rate_per_s,
                s.achieved_rps,
                s.corrected.p99_ms,
                s.error_share * 100.0,
                s.violation_count(),
                s.judged,
                if s.held() {
                    "held".to_string()
                } else {
                    format!(
                        "broke {}",
                        s.broken.iter().map(|b| b.name()).collect::<Vec<_>>().join(", ")
                    )
                }
            ),
        }
    }
}

/// Write `text` to stdout; a closed pipe (`specgate ... | head`) ends the output quietly instead
/// of panicking as `print!` does.
pub fn out(text: impl std::fmt::Display) {
    use std::io::Write as _;
    let _ = write!(std::io::stdout().lock(), "{text}");
}

/// [`out`] with a newline.
pub fn outln(text: impl std::fmt::Display) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

#[derive(Tabled)]
struct FaultRow {
    fault: &'static str,
    breaks: &'static str,
    #[tabled(rename = "caught by")]
    rules: String,
}

/// `specgate mock --list-faults`: one row per fault.
pub fn faults_table(api: &str, faults: &[FaultInfo]) -> String {
    let rows: Vec<FaultRow> = faults
        .iter()
        .map(|f| FaultRow {
            fault: f.name,
            breaks: f.breaks,
            rules: f.rules.join("\n"),
        })
        .collect();
    let mut t = Table::new(rows);
    t.with(Style::rounded());
    let unstated: Vec<String> = faults
        .iter()
        .filter_map(|f| f.unstated.map(|why| format!("  {}: {why}", f.name)))
        .collect();
    let mut out = format!("{api}: {} faults\n{t}", faults.len());
    if !unstated.is_empty() {
        out.push_str(&format!(
            "\n{} of them break what the document does not state, and are caught as warnings only:\n{}",
            unstated.len(),
            unstated.join("\n")
        ));
    }
    out
}

#[derive(Tabled)]
struct VariantRow {
    variant: &'static str,
    chooses: &'static str,
}

/// What `specgate mock --list-variants` prints: each faithful variant and what it chooses where
/// the document is silent.
pub fn variants_table(api: &str, variants: &[VariantInfo]) -> String {
    if variants.is_empty() {
        return format!("{api}: no variants");
    }
    let rows: Vec<VariantRow> = variants
        .iter()
        .map(|v| VariantRow {
            variant: v.name,
            chooses: v.chooses,
        })
        .collect();
    let mut t = Table::new(rows);
    t.with(Style::rounded());
    format!("{api}: {} faithful variants\n{t}", variants.len())
}

/// What `specgate mock` prints once serving: where, with which credentials, and how to reach a
/// documented host that the mock serves on loopback.
pub fn mock_banner(mock: &RunningMock) -> String {
    let t = &mock.target;
    let mut out = format!("{} mock serving at {}\n", t.api, t.base_url);
    if let Some(f) = mock.fault {
        out.push_str(&format!("fault: {f}\n"));
    }
    if let Some(v) = mock.variant {
        out.push_str(&format!("variant: {v}\n"));
    }
    if let Some(c) = &mock.capacity {
        out.push_str(&format!("{}\n", c.describe()));
    }
    if let Some(p) = &t.plain_url {
        out.push_str(&format!("plain HTTP (refused, as documented): {p}\n"));
    }
    for (host, addr) in &t.resolve {
        out.push_str(&format!(
            "resolve: {host} -> {addr}  (curl: --resolve {host}:{}:{} -k)\n",
            addr.port(),
            addr.ip()
        ));
    }
    out.push_str(&format!(
        "credentials (mock values, not secrets), as targets/{}.yaml reads them:\n",
        t.api
    ));
    for (k, v) in &t.credentials.values {
        out.push_str(&format!("  export {}={v}\n", env_name(&t.api, None, k)));
    }
    for (role, values) in &t.credentials.roles {
        for (k, v) in values {
            out.push_str(&format!(
                "  export {}={v}\n",
                env_name(&t.api, Some(role), k)
            ));
        }
    }
    if !t.fixtures.is_empty() {
        out.push_str(
            "fixtures (what no request can discover), as a profile's `fixtures:` names them:\n",
        );
        for (k, v) in &t.fixtures {
            out.push_str(&format!("  {k}: {v}\n"));
        }
    }
    out.push_str("Ctrl-C stops it.");
    out
}

/// A DER certificate as PEM, for `specgate mock --cert-out`.
pub fn pem_certificate(der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or(""))
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

/// The environment variable the example profiles read a credential from:
/// `CHECKTICK_OWNER_API_KEY`, `OPTACHECK_PASSWORD`.
pub fn env_name(api: &str, role: Option<&str>, name: &str) -> String {
    crate::target::env_var_name(api, role, name)
}
