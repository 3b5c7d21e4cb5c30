//! A target: one API at a base URL with the credentials to use it. A running mock produces one;
//! so will a profile file of a live target.

use std::collections::BTreeMap;
use std::net::SocketAddr;

/// The values a target supplies, by the names its contract declares; per role where the API
/// has several keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    pub values: BTreeMap<String, String>,
    pub roles: BTreeMap<String, BTreeMap<String, String>>,
    /// The environment variable a profile read each credential from (`api_key` →
    /// `OPTACHECK_API_KEY`): a report shows a secret as `${THAT_VARIABLE}`, so that its repro
    /// works where the profile's variables are set. Empty for a target not read from a profile.
    pub env: BTreeMap<String, String>,
    /// The same, per role.
    pub role_env: BTreeMap<String, BTreeMap<String, String>>,
}

impl Credentials {
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.values.insert(name.to_string(), value.into());
        self
    }

    pub fn with_role(mut self, role: &str, name: &str, value: impl Into<String>) -> Self {
        self.roles
            .entry(role.to_string())
            .or_default()
            .insert(name.to_string(), value.into());
        self
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub fn role(&self, role: &str, name: &str) -> Option<&str> {
        self.roles
            .get(role)
            .and_then(|r| r.get(name))
            .map(String::as_str)
    }

    /// The name a report shows the secret `name` (of `role`) under, as `${NAME}`: the variable
    /// the profile read it from; for a target given in-process (a built-in mock), the variable
    /// the mock's banner exports and the example profile reads, [`env_var_name`].
    pub fn shown_name(&self, api: &str, role: Option<&str>, name: &str) -> String {
        let read_from = match role {
            None => self.env.get(name),
            Some(r) => self.role_env.get(r).and_then(|e| e.get(name)),
        };
        read_from
            .cloned()
            .unwrap_or_else(|| env_var_name(api, role, name))
    }
}

/// The environment variable the example profiles (and a mock's banner) read a credential
/// from: `CHECKTICK_OWNER_API_KEY`, `OPTACHECK_PASSWORD`; without an API, `API_KEY`.
pub fn env_var_name(api: &str, role: Option<&str>, name: &str) -> String {
    let parts: Vec<&str> = [Some(api), role, Some(name)]
        .into_iter()
        .flatten()
        .filter(|p| !p.is_empty())
        .collect();
    parts
        .join("_")
        .to_ascii_uppercase()
        .replace(['-', '.'], "_")
}

#[derive(Debug, Clone, Default)]
pub struct Target {
    pub api: String,
    /// The base URL requests are sent to (the documented one, or a mock's).
    pub base_url: String,
    pub credentials: Credentials,
    /// Host names to resolve to a local address: a mock serves its documented host on loopback.
    pub resolve: Vec<(String, SocketAddr)>,
    /// Extra root certificates to trust, DER: a mock's self-signed certificate, or a profile's
    /// `ca_cert` once read from PEM.
    pub root_certs: Vec<Vec<u8>>,
    /// The PEM file of a profile's `ca_cert`, as reached from where the profile was read: what
    /// a repro's curl trusts (`--cacert`).
    pub ca_cert: Option<std::path::PathBuf>,
    /// The same API over plain HTTP, where the target serves one (to see it refused).
    pub plain_url: Option<String>,
    /// Values the rules would otherwise discover (ids of existing data), as variables.
    pub fixtures: BTreeMap<String, serde_json::Value>,
}

/// A live target, as a profile file names it:
///
/// ```yaml
/// api: checklick
/// base_url: https://staging.example.com
/// credentials:
///   token: ${CHECKLICK_TOKEN}          # secrets only as ${ENV_VAR} references
///   organization_id: "42"
/// roles:                                # where the API has several keys
///   owner: { api_key: "${CT_OWNER_KEY}" }
///   free: { api_key: { value: "${CT_FREE_KEY}", optional: true } }   # unset: its rules skip
/// fixtures: { user_id: 14 }             # optional ids the rules would otherwise discover
/// skip:
///   - { rule: checklick.transport.https-only, reason: "staging is served over http" }
/// ```
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    api: String,
    base_url: String,
    #[serde(default)]
    credentials: BTreeMap<String, CredentialValue>,
    #[serde(default)]
    roles: BTreeMap<String, BTreeMap<String, CredentialValue>>,
    #[serde(default)]
    fixtures: BTreeMap<String, serde_yaml::Value>,
    #[serde(default)]
    skip: Vec<SkipEntry>,
    /// Host → `IP:PORT`: reach a documented host at a local address (a mock on loopback).
    #[serde(default)]
    resolve: BTreeMap<String, String>,
    /// A PEM certificate to trust (a mock's self-signed one, from `specgate mock --cert-out`).
    ca_cert: Option<std::path::PathBuf>,
    /// Where the same API answers plain HTTP, to see it refused (default: port 80).
    plain_url: Option<String>,
}

/// A credential's value: a scalar (a literal, or a `${ENV_VAR}` reference), or the long form
/// `{ value: "${ENV_VAR}", optional: true }` of a credential the target may lack: an unset
/// variable is an error unless its credential is marked optional, when the rules that need it
/// are skipped instead.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(untagged)]
enum CredentialValue {
    Long(LongCredential),
    Scalar(serde_yaml::Value),
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct LongCredential {
    value: serde_yaml::Value,
    #[serde(default)]
    optional: bool,
}

impl CredentialValue {
    /// (the value, whether the credential is optional)
    fn parts(&self) -> (&serde_yaml::Value, bool) {
        match self {
            CredentialValue::Long(l) => (&l.value, l.optional),
            CredentialValue::Scalar(v) => (v, false),
        }
    }
}

/// What the API's contract declares, which a profile is read against: each credential (and
/// whether it is a secret), the roles, the fixtures. A name a profile gives that the contract
/// does not declare is a mistake (a misspelt key would otherwise skip every rule needing it).
#[derive(Debug, Clone, Default)]
pub struct Declared {
    /// (name, secret)
    pub credentials: Vec<(String, bool)>,
    pub roles: Vec<String>,
    pub fixtures: Vec<String>,
}

impl Declared {
    fn is_secret(&self, name: &str) -> bool {
        self.credentials.iter().any(|(n, s)| n == name && *s)
    }

    fn credential_names(&self) -> impl Iterator<Item = &str> + Clone {
        self.credentials.iter().map(|(n, _)| n.as_str())
    }
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SkipEntry {
    rule: String,
    reason: String,
}

/// A loaded profile: the target, the fixtures, and the rules it skips with why.
#[derive(Debug, Clone)]
pub struct Profile {
    pub target: Target,
    pub fixtures: BTreeMap<String, serde_json::Value>,
    pub skips: Vec<(String, String)>,
    /// Optional credentials whose environment variable is not set: rules that need them are
    /// skipped.
    pub unset: Vec<String>,
}

/// Whether `url` has a `user[:password]@` part: it would be printed in every report.
fn base_url_has_userinfo(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| !u.username().is_empty() || u.password().is_some())
}

/// `${NAME}` → (NAME, whole match).
fn env_reference(s: &str) -> Option<&str> {
    s.strip_prefix("${")
        .and_then(|r| r.strip_suffix('}'))
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// The environment variable a credential's value is read from, when it is a `${ENV_VAR}`
/// reference.
fn read_from(v: &CredentialValue) -> Option<String> {
    match v.parts().0 {
        serde_yaml::Value::String(s) => env_reference(s).map(str::to_string),
        _ => None,
    }
}

/// Read and parse a profile file: a clear, located error when it is missing, a directory, not
/// text, not YAML (aliases bounded, see [`crate::locate`]) or not a profile.
fn read_profile_file(
    path: &std::path::Path,
) -> Result<(crate::locate::Locator, ProfileFile), crate::error::SpecErrors> {
    use crate::error::{Location, SpecError, SpecErrorKind, SpecErrors};
    use crate::locate::{pointer_of, Locator, Pointer};
    let whole_file = |why: String| {
        SpecErrors(vec![SpecError::new(
            Location {
                file: path.to_path_buf(),
                line: 1,
                column: 1,
            },
            SpecErrorKind::Io(why),
        )
        .with_hint(
            "give the path of a profile file, such as targets/checklick.yaml",
        )])
    };
    if path.is_dir() {
        return Err(whole_file("this is a directory, not a profile file".into()));
    }
    let bytes = std::fs::read(path).map_err(|e| whole_file(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        whole_file(format!(
            "not a text file: the byte at offset {} is not UTF-8",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let loc = Locator::new(path, &text).map_err(|e| SpecErrors(vec![*e]))?;
    let value: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| {
        SpecErrors(vec![SpecError::new(
            crate::openapi::yaml_error_location(&loc, &e),
            SpecErrorKind::Syntax(e.to_string()),
        )])
    })?;
    let file: ProfileFile = serde_path_to_error::deserialize(value).map_err(|e| {
        let at = pointer_of(&Pointer::root(), e.path());
        SpecErrors(vec![loc
            .error(&at, SpecErrorKind::Shape(e.inner().to_string()))
            .with_hint(
                "a profile has api, base_url, credentials, roles, fixtures, skip",
            )])
    })?;
    Ok((loc, file))
}

/// A PEM file of certificates, as DER, each checked to be one the TLS stack accepts as a
/// root; `Err` says what is wrong with it.
fn read_pem_certificates(pem: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    use rustls_pki_types::pem::PemObject as _;
    use rustls_pki_types::CertificateDer;
    let mut out = vec![];
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| format!("not a PEM certificate: {e}"))?;
        webpki::anchor_from_trusted_cert(&cert)
            .map_err(|e| format!("the certificate cannot be a root certificate: {e}"))?;
        out.push(cert.as_ref().to_vec());
    }
    if out.is_empty() {
        return Err(
            "not a PEM certificate: no `-----BEGIN CERTIFICATE-----` block in the file".into(),
        );
    }
    Ok(out)
}

impl Profile {
    /// The API a profile names, and where, read before its spec (which decides the secrets).
    pub fn read_api(
        path: &std::path::Path,
    ) -> Result<(String, crate::error::Location), crate::error::SpecErrors> {
        let (loc, file) = read_profile_file(path)?;
        let at = loc.value(&crate::locate::Pointer::root().key("api"));
        Ok((file.api, at))
    }

    /// Read a profile against what its API's contract `declared`: every credential, role and
    /// fixture it names must be declared (else an error with the nearest name); secrets must
    /// be `${ENV_VAR}` references, never literal values; a variable that `env` does not have
    /// is an error unless its credential is marked optional.
    pub fn load(
        path: &std::path::Path,
        declared: &Declared,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Profile, crate::error::SpecErrors> {
        let (loc, file) = read_profile_file(path)?;
        let mut reader = CredentialReader {
            loc: &loc,
            declared,
            env,
            errors: crate::error::SpecErrors::default(),
            unset: Vec::new(),
        };
        let credentials = reader.credentials(&file);
        let CredentialReader {
            mut errors, unset, ..
        } = reader;
        check_fixture_names(&loc, &file, declared, &mut errors);
        check_base_url(&loc, &file.base_url, &mut errors);
        let resolve = parse_resolve(&loc, &file.resolve, &mut errors);
        let root_certs = match &file.ca_cert {
            Some(ca) => read_ca_cert(&loc, path, ca, &mut errors),
            None => Vec::new(),
        };
        let ca_cert = file.ca_cert.as_deref().map(|ca| relative_to(path, ca));
        if !errors.is_empty() {
            return Err(errors);
        }
        let fixtures: BTreeMap<String, serde_json::Value> = file
            .fixtures
            .into_iter()
            .map(|(k, v)| {
                (
                    k,
                    serde_json::to_value(v).unwrap_or(serde_json::Value::Null),
                )
            })
            .collect();
        Ok(Profile {
            target: Target {
                api: file.api,
                base_url: file.base_url,
                credentials,
                fixtures: fixtures.clone(),
                resolve,
                root_certs,
                ca_cert,
                plain_url: file.plain_url,
            },
            fixtures,
            skips: file.skip.into_iter().map(|s| (s.rule, s.reason)).collect(),
            unset,
        })
    }
}

/// Reads a profile's credential values: literals, or `${ENV_VAR}` references looked up in
/// `env`; secrets only as references, and long enough to redact.
struct CredentialReader<'a> {
    loc: &'a crate::locate::Locator,
    declared: &'a Declared,
    env: &'a dyn Fn(&str) -> Option<String>,
    errors: crate::error::SpecErrors,
    /// Optional credentials whose environment variable is not set, described.
    unset: Vec<String>,
}

impl CredentialReader<'_> {
    /// The profile's `credentials` and per-role values, each that can be read.
    fn credentials(&mut self, file: &ProfileFile) -> Credentials {
        use crate::locate::Pointer;
        let mut credentials = Credentials::default();
        for (name, v) in &file.credentials {
            let at = Pointer::root().key("credentials").key(name);
            if !self.declared_credential(&at, name) {
                continue;
            }
            if let Some(value) = self.value(at, name, v) {
                credentials.values.insert(name.clone(), value);
                if let Some(var) = read_from(v) {
                    credentials.env.insert(name.clone(), var);
                }
            }
        }
        for (role, values) in &file.roles {
            let at = Pointer::root().key("roles").key(role);
            if !self.declared.roles.iter().any(|r| r == role) {
                self.errors.push(unknown_name(
                    self.loc,
                    &at,
                    "role",
                    role,
                    self.declared.roles.iter().map(String::as_str),
                ));
                continue;
            }
            for (name, v) in values {
                let at = at.key(name);
                if !self.declared_credential(&at, name) {
                    continue;
                }
                if let Some(value) = self.value(at, name, v) {
                    credentials
                        .roles
                        .entry(role.clone())
                        .or_default()
                        .insert(name.clone(), value);
                    if let Some(var) = read_from(v) {
                        credentials
                            .role_env
                            .entry(role.clone())
                            .or_default()
                            .insert(name.clone(), var);
                    }
                }
            }
        }
        credentials
    }

    /// Whether the contract declares the credential `name`; an error at `at` when not.
    fn declared_credential(&mut self, at: &crate::locate::Pointer, name: &str) -> bool {
        let known = self.declared.credential_names().any(|n| n == name);
        if !known {
            self.errors.push(unknown_name(
                self.loc,
                at,
                "credential",
                name,
                self.declared.credential_names(),
            ));
        }
        known
    }

    /// One credential's value; `None` (with an error, or noted as unset when optional) when
    /// it has none.
    fn value(
        &mut self,
        at: crate::locate::Pointer,
        name: &str,
        v: &CredentialValue,
    ) -> Option<String> {
        use crate::error::SpecErrorKind;
        let loc = self.loc;
        let (v, optional) = v.parts();
        let text = match v {
            serde_yaml::Value::String(s) => s.clone(),
            serde_yaml::Value::Number(n) => n.to_string(),
            serde_yaml::Value::Bool(b) => b.to_string(),
            _ => {
                self.errors.push(
                    loc.error(
                        &at,
                        SpecErrorKind::Shape(format!("`{name}` is not a scalar")),
                    )
                    .with_hint("write a string, a ${ENV_VAR} reference, or `{ value: \"${ENV_VAR}\", optional: true }`"),
                );
                return None;
            }
        };
        match env_reference(&text) {
            Some(var) => match (self.env)(var) {
                Some(value)
                    if self.declared.is_secret(name)
                        && value.chars().count() < crate::redact::MIN_SECRET_LEN =>
                {
                    // The value itself is never shown, only its length.
                    self.errors.push(
                        loc.error(
                            &at,
                            SpecErrorKind::Invalid(format!(
                                "the secret `{name}` (${{{var}}}) is {} characters long: a secret shorter than {} characters cannot be redacted safely",
                                value.chars().count(),
                                crate::redact::MIN_SECRET_LEN
                            )),
                        )
                        .with_hint(format!(
                            "set {var} to the full credential; a value this short would be hidden wherever its letters appear in a report, which tells what it is"
                        )),
                    );
                    None
                }
                Some(value) => Some(value),
                None if optional => {
                    self.unset.push(format!("{name} (${{{var}}} is not set)"));
                    None
                }
                None => {
                    // A run without it would skip every rule that needs it and could still
                    // exit 0: a green run that checked little.
                    self.errors.push(
                        loc.error(
                            &at,
                            SpecErrorKind::Invalid(format!(
                                "`{name}` reads ${{{var}}}, which is not set"
                            )),
                        )
                        .with_hint(format!(
                            "export {var} (a mock's banner prints its export lines); or, if the target has no such credential, mark it optional: `{name}: {{ value: \"${{{var}}}\", optional: true }}` and the rules that need it are skipped"
                        )),
                    );
                    None
                }
            },
            None if self.declared.is_secret(name) => {
                self.errors.push(
                    loc.error(
                        &at,
                        SpecErrorKind::Invalid(format!(
                            "the secret `{name}` is written in the profile"
                        )),
                    )
                    .with_hint(format!(
                        "secrets come from the environment: write `{name}: ${{{}}}` and export it",
                        name.to_ascii_uppercase()
                    )),
                );
                None
            }
            None => Some(text),
        }
    }
}

/// "unknown credential `apikey`", at its key, with the nearest declared name.
fn unknown_name<'a>(
    loc: &crate::locate::Locator,
    at: &crate::locate::Pointer,
    what: &'static str,
    name: &str,
    declared: impl Iterator<Item = &'a str> + Clone,
) -> crate::error::SpecError {
    use crate::error::SpecErrorKind;
    let hint = if declared.clone().next().is_none() {
        format!("the API's contract declares no {what}")
    } else {
        crate::error::suggest(name, declared)
    };
    crate::error::SpecError::new(
        loc.key(at),
        SpecErrorKind::UnknownName {
            what,
            name: name.to_string(),
        },
    )
    .with_hint(hint)
}

/// Every fixture the profile gives is one the contract declares.
fn check_fixture_names(
    loc: &crate::locate::Locator,
    file: &ProfileFile,
    declared: &Declared,
    errors: &mut crate::error::SpecErrors,
) {
    use crate::locate::Pointer;
    for name in file.fixtures.keys() {
        if !declared.fixtures.iter().any(|f| f == name) {
            errors.push(unknown_name(
                loc,
                &Pointer::root().key("fixtures").key(name),
                "fixture",
                name,
                declared.fixtures.iter().map(String::as_str),
            ));
        }
    }
}

/// The base URL: http(s), and without a `user:password@` part.
fn check_base_url(
    loc: &crate::locate::Locator,
    base_url: &str,
    errors: &mut crate::error::SpecErrors,
) {
    use crate::error::SpecErrorKind;
    use crate::locate::Pointer;
    if base_url_has_userinfo(base_url) {
        errors.push(
            loc.error(
                &Pointer::root().key("base_url"),
                SpecErrorKind::Invalid(
                    "the base URL carries credentials (`user:password@`)".into(),
                ),
            )
            .with_hint("remove them from the URL: credentials go under `credentials`, as ${ENV_VAR} references"),
        );
    }
    if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
        errors.push(
            loc.error(
                &Pointer::root().key("base_url"),
                SpecErrorKind::Invalid(format!("`{base_url}` is not an http(s) URL")),
            )
            .with_hint("e.g. `base_url: https://staging.example.com`"),
        );
    }
}

/// The `resolve` entries, each `IP:PORT`.
fn parse_resolve(
    loc: &crate::locate::Locator,
    entries: &BTreeMap<String, String>,
    errors: &mut crate::error::SpecErrors,
) -> Vec<(String, SocketAddr)> {
    use crate::error::SpecErrorKind;
    use crate::locate::Pointer;
    let mut resolve = Vec::new();
    for (host, addr) in entries {
        match addr.parse::<SocketAddr>() {
            Ok(a) => resolve.push((host.clone(), a)),
            Err(_) => errors.push(
                loc.error(
                    &Pointer::root().key("resolve").key(host),
                    SpecErrorKind::Invalid(format!("`{addr}` is not IP:PORT")),
                )
                .with_hint("e.g. `api.checklick.com: 127.0.0.1:8443`"),
            ),
        }
    }
    resolve
}

/// A path a profile names, relative to the profile, as a person writing it would expect.
fn relative_to(profile: &std::path::Path, path: &std::path::Path) -> std::path::PathBuf {
    profile
        .parent()
        .map(|d| d.join(path))
        .unwrap_or_else(|| path.to_path_buf())
}

/// The certificates of the profile's `ca_cert`, as DER; none (with an error) when it cannot be
/// read or is not a PEM root certificate.
fn read_ca_cert(
    loc: &crate::locate::Locator,
    profile: &std::path::Path,
    ca: &std::path::Path,
    errors: &mut crate::error::SpecErrors,
) -> Vec<Vec<u8>> {
    use crate::error::SpecErrorKind;
    use crate::locate::Pointer;
    let ca = relative_to(profile, ca);
    match std::fs::read(&ca) {
        Ok(pem) => match read_pem_certificates(&pem) {
            Ok(ders) => ders,
            Err(why) => {
                errors.push(
                    loc.error(
                        &Pointer::root().key("ca_cert"),
                        SpecErrorKind::Invalid(format!("{}: {why}", ca.display())),
                    )
                    .with_hint(
                        "give a PEM certificate: `specgate mock --cert-out FILE` writes one",
                    ),
                );
                Vec::new()
            }
        },
        Err(e) => {
            errors.push(
                loc.error(
                    &Pointer::root().key("ca_cert"),
                    SpecErrorKind::Io(format!("{}: {e}", ca.display())),
                )
                .with_hint("write the mock's certificate with `specgate mock --cert-out FILE`"),
            );
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A contract's declarations: `secret` credentials, then others.
    fn declared(secret: &[&str], others: &[&str]) -> Declared {
        Declared {
            credentials: secret
                .iter()
                .map(|n| (n.to_string(), true))
                .chain(others.iter().map(|n| (n.to_string(), false)))
                .collect(),
            roles: vec!["owner".into()],
            fixtures: vec!["user_id".into()],
        }
    }

    fn write(text: &str) -> tempfile_path::Path {
        tempfile_path::Path::new(text)
    }

    /// A file under the OS temp dir, removed when dropped.
    mod tempfile_path {
        pub struct Path(pub std::path::PathBuf);
        impl Path {
            pub fn new(text: &str) -> Self {
                use std::sync::atomic::{AtomicUsize, Ordering};
                static N: AtomicUsize = AtomicUsize::new(0);
                let p = std::env::temp_dir().join(format!(
                    "specgate-profile-{}-{}.yaml",
                    std::process::id(),
                    N.fetch_add(1, Ordering::SeqCst)
                ));
                std::fs::write(&p, text).unwrap();
                Path(p)
            }
        }
        impl Drop for Path {
            fn drop(&mut self) {
                let _ = std::fs::remove_file(&self.0);
            }
        }
    }

    #[test]
    fn secrets_come_from_the_environment() {
        let f = write("api: checklick\nbase_url: http://127.0.0.1:1\ncredentials:\n  token: ${TOKEN_VAR}\n  organization_id: 42\nroles:\n  owner: { api_key: { value: \"${OWNER}\", optional: true } }\nskip:\n  - { rule: checklick.transport.https-only, reason: staging is http }\n");
        let env = |v: &str| (v == "TOKEN_VAR").then(|| "s3cr3t-token".to_string());
        let p = Profile::load(
            &f.0,
            &declared(&["token", "api_key"], &["organization_id"]),
            &env,
        )
        .unwrap();
        assert_eq!(p.target.credentials.get("token"), Some("s3cr3t-token"));
        assert_eq!(p.target.credentials.get("organization_id"), Some("42"));
        // A secret is shown as the variable it was read from; a literal, or a target given
        // in-process, as the variable a mock's banner exports.
        let c = &p.target.credentials;
        assert_eq!(c.shown_name("checklick", None, "token"), "TOKEN_VAR");
        assert_eq!(
            c.shown_name("checklick", None, "organization_id"),
            "CHECKLICK_ORGANIZATION_ID"
        );
        assert_eq!(
            c.shown_name("checklick", Some("owner"), "api_key"),
            "CHECKLICK_OWNER_API_KEY"
        );
        assert_eq!(p.unset, vec!["api_key (${OWNER} is not set)".to_string()]);
        assert_eq!(
            p.skips,
            vec![(
                "checklick.transport.https-only".to_string(),
                "staging is http".to_string()
            )]
        );
    }

    #[test]
    fn resolve_ca_and_plain_url_reach_the_target() {
        let cert = rcgen::generate_simple_self_signed(vec!["api.checklick.com".into()]).unwrap();
        let ca = write(&cert.cert.pem());
        let ca_name = ca.0.file_name().unwrap().to_string_lossy().into_owned();
        let f = write(&format!(
            "api: checklick\nbase_url: https://api.checklick.com:8441\nresolve:\n  api.checklick.com: 127.0.0.1:8441\nca_cert: {ca_name}\nplain_url: http://api.checklick.com:8080\nfixtures: {{ user_id: 14 }}\n"
        ));
        let p = Profile::load(&f.0, &declared(&[], &[]), &|_| None).unwrap();
        assert_eq!(
            p.target.resolve,
            vec![(
                "api.checklick.com".to_string(),
                "127.0.0.1:8441".parse().unwrap()
            )]
        );
        // Read from PEM into the DER the TLS client takes.
        assert_eq!(p.target.root_certs, vec![cert.cert.der().to_vec()]);
        assert_eq!(p.target.ca_cert.as_deref(), Some(ca.0.as_path()));
        assert_eq!(
            p.target.plain_url.as_deref(),
            Some("http://api.checklick.com:8080")
        );
        assert_eq!(p.target.fixtures["user_id"], serde_json::json!(14));
    }

    #[test]
    fn a_short_secret_is_refused_without_showing_it() {
        let f = write(
            "api: checklick\nbase_url: http://127.0.0.1:1\ncredentials:\n  token: ${TOKEN_VAR}\nroles:\n  owner: { token: \"${OWNER_VAR}\" }\n",
        );
        let env = |v: &str| match v {
            "TOKEN_VAR" => Some("k".to_string()),
            "OWNER_VAR" => Some("s3cr3t7".to_string()),
            _ => None,
        };
        let e = Profile::load(&f.0, &declared(&["token"], &[]), &env).unwrap_err();
        assert_eq!(e.0.len(), 2, "{e}");
        let first = &e.0[0];
        assert_eq!(
            (first.location.line, first.location.column),
            (4, 10),
            "{first}"
        );
        let text = e.to_string();
        assert!(text.contains("is 1 characters long"), "{text}");
        assert!(text.contains("shorter than 8 characters"), "{text}");
        assert!(text.contains("set TOKEN_VAR"), "{text}");
        assert!(!text.contains("s3cr3t7"), "{text}");
        // Eight characters are enough; a non-secret may be as short as it likes.
        let env = |v: &str| match v {
            "TOKEN_VAR" => Some("12345678".to_string()),
            "OWNER_VAR" => Some("abcdefgh".to_string()),
            _ => None,
        };
        let p = Profile::load(&f.0, &declared(&["token"], &[]), &env).unwrap();
        assert_eq!(p.target.credentials.get("token"), Some("12345678"));
        let p = Profile::load(&f.0, &declared(&[], &["token"]), &|_| Some("k".into())).unwrap();
        assert_eq!(p.target.credentials.get("token"), Some("k"));
    }

    #[test]
    fn credentials_in_the_base_url_are_refused() {
        let f = write("api: checklick\nbase_url: https://user:pa55word@api.example.com\n");
        let e = Profile::load(&f.0, &declared(&[], &[]), &|_| None).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("carries credentials"), "{text}");
        assert_eq!(e.0[0].location.line, 2, "{text}");
    }

    #[test]
    fn a_literal_secret_is_refused_at_its_place() {
        let f =
            write("api: checklick\nbase_url: http://127.0.0.1:1\ncredentials:\n  token: abc123\n");
        let e = Profile::load(&f.0, &declared(&["token"], &[]), &|_| None).unwrap_err();
        let e = &e.0[0];
        assert_eq!((e.location.line, e.location.column), (4, 10), "{e}");
        assert!(e.to_string().contains("${TOKEN}"), "{e}");
    }

    /// A `ca_cert` that is not a PEM certificate is refused at the profile's line, before any
    /// request (it used to fail the run with "builder error", exit 3).
    #[test]
    fn a_ca_cert_that_is_not_pem_is_refused_at_its_line() {
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        let not_pem = write("this is not a certificate\n");
        let der = write("");
        std::fs::write(&der.0, cert.cert.der()).unwrap();
        let garbage_block = write("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        for (ca, why) in [
            (&not_pem, "no `-----BEGIN CERTIFICATE-----` block"),
            (&der, "no `-----BEGIN CERTIFICATE-----` block"),
            (&garbage_block, "cannot be a root certificate"),
        ] {
            let name = ca.0.file_name().unwrap().to_string_lossy().into_owned();
            let f = write(&format!(
                "api: checklick\nbase_url: https://127.0.0.1:1\nca_cert: {name}\n"
            ));
            let e = Profile::load(&f.0, &declared(&[], &[]), &|_| None).unwrap_err();
            let e = &e.0[0];
            assert_eq!((e.location.line, e.location.column), (3, 10), "{e}");
            assert!(e.to_string().contains(why), "{name}: {e}");
            assert!(e.hint.as_deref().unwrap().contains("--cert-out"), "{e}");
        }
    }

    /// An unset variable is an error at its line, naming it, unless its credential is marked
    /// optional; a credential, role or fixture the contract does not declare is an error with
    /// the nearest declared name.
    #[test]
    fn unset_variables_and_unknown_names_are_errors_at_their_line() {
        let f = write("api: checklick\nbase_url: http://127.0.0.1:1\ncredentials:\n  token: ${UNSET_TOKEN}\n  apikey: ${SET}\nroles:\n  owner: { token: { value: \"${UNSET_OWNER}\", optional: true } }\n  ownr: { token: \"${SET}\" }\nfixtures: { user_ide: 1 }\n");
        let env = |v: &str| (v == "SET").then(|| "0123456789".to_string());
        let e = Profile::load(&f.0, &declared(&["token"], &["api_key"]), &env).unwrap_err();
        let found: Vec<(usize, String, String)> = e
            .iter()
            .map(|e| {
                (
                    e.location.line,
                    e.kind.to_string(),
                    e.hint.clone().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(found.len(), 4, "{e}");
        assert_eq!(found[0].0, 5, "{e}");
        assert_eq!(found[0].1, "unknown credential `apikey`");
        assert_eq!(found[0].2, "did you mean `api_key`?");
        assert_eq!(found[1].0, 4, "{e}");
        assert_eq!(
            found[1].1,
            "invalid parameter: `token` reads ${UNSET_TOKEN}, which is not set"
        );
        assert!(found[1].2.starts_with("export UNSET_TOKEN"), "{e}");
        assert!(found[1].2.contains("optional: true"), "{e}");
        assert_eq!(found[2].0, 8, "{e}");
        assert_eq!(found[2].1, "unknown role `ownr`");
        assert_eq!(found[2].2, "did you mean `owner`?");
        assert_eq!(found[3].0, 9, "{e}");
        assert_eq!(found[3].1, "unknown fixture `user_ide`");
        // Set, the same profile's optional credential may still be unset: it is only noted.
        let f = write("api: checklick\nbase_url: http://127.0.0.1:1\ncredentials:\n  token: ${SET}\nroles:\n  owner: { token: { value: \"${UNSET_OWNER}\", optional: true } }\n");
        let p = Profile::load(&f.0, &declared(&["token"], &[]), &env).unwrap();
        assert_eq!(p.unset, ["token (${UNSET_OWNER} is not set)"]);
        assert_eq!(p.target.credentials.role("owner", "token"), None);
        // A typo in the long form is refused, saying what a credential may be.
        let f = write("api: checklick\nbase_url: http://127.0.0.1:1\ncredentials:\n  token: { value: \"${SET}\", optinal: true }\n");
        let e = Profile::load(&f.0, &declared(&["token"], &[]), &env).unwrap_err();
        assert_eq!(e.0[0].location.line, 4, "{e}");
        assert!(e.to_string().contains("optional: true"), "{e}");
    }

    /// A missing file, a directory and a binary file each say what they are, located at the
    /// file; the API a profile names is read with its place.
    #[test]
    fn unreadable_profiles_say_why() {
        let dir = std::env::temp_dir();
        let e = Profile::read_api(&dir).unwrap_err();
        assert!(
            e.to_string().contains("a directory, not a profile file"),
            "{e}"
        );
        let missing = dir.join(format!(
            "specgate-no-such-profile-{}.yaml",
            std::process::id()
        ));
        let e = Profile::read_api(&missing).unwrap_err();
        assert!(e.to_string().contains("No such file"), "{e}");
        let binary = write("");
        std::fs::write(&binary.0, [b'a', b'p', b'i', 0xff, 0xfe, 0]).unwrap();
        let e = Profile::read_api(&binary.0).unwrap_err();
        assert!(
            e.to_string()
                .contains("not a text file: the byte at offset 3"),
            "{e}"
        );
        let f = write("# a target\napi: checklick\nbase_url: https://127.0.0.1:1\n");
        let (api, at) = Profile::read_api(&f.0).unwrap();
        assert_eq!((api.as_str(), at.line, at.column), ("checklick", 2, 6));
        let no_api = write("base_url: https://127.0.0.1:1\n");
        let e = Profile::read_api(&no_api.0).unwrap_err();
        assert!(e.to_string().contains("missing field `api`"), "{e}");
    }
}
