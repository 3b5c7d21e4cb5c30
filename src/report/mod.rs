//! Reporters: they turn what the library found into text. Only they and `main.rs` print.

pub mod check;
pub mod load;
pub mod specs_table;

use tabled::settings::Style;
use tabled::{Table, Tabled};

use crate::mock::{FaultInfo, RunningMock, VariantInfo};

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
    let parts: Vec<&str> = [Some(api), role, Some(name)]
        .into_iter()
        .flatten()
        .collect();
    parts
        .join("_")
        .to_ascii_uppercase()
        .replace(['-', '.'], "_")
}
