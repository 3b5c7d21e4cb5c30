//! From a spec's `Request` to the bytes on the wire: the operation's method and path, the
//! contract's defaults, the auth scheme (with the role's credentials), the rule's variables.
//! The result is also what reports show (redacted where results leave the engine), with a
//! `curl` line that reproduces it.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::Value;

use crate::contract::step::Request;
use crate::contract::{AuthScheme, Contract};
use crate::openapi::ApiDoc;
use crate::target::Target;
use crate::vars::{scalar_text, MissingVar, Vars};

/// A request ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub operation: Option<String>,
}

impl Prepared {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn set_header(&mut self, name: &str, value: &str) {
        self.remove_header(name);
        self.headers.push((name.to_string(), value.to_string()));
    }

    pub fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    }

    /// A shell command that sends the same request (and prints the answer's head). It holds
    /// the request's credentials: it is redacted, with everything else a result carries, where
    /// results leave the engine, into a line that still runs (`Redactor::redact_shell`).
    pub fn curl(&self) -> String {
        self.curl_with(&["-sS", "-i"], &[])
    }

    /// [`Prepared::curl`] reaching `target` as the run did: its host names resolved where the
    /// profile says (`--resolve`), its certificate trusted (`--cacert`).
    pub fn curl_at(&self, target: &Target) -> String {
        self.curl_with(&["-sS", "-i"], &connection_flags(&self.url, target))
    }

    /// A shell pipeline that sends the same request and prints the value `path` selects in its
    /// JSON answer: how a repro gets a captured token again. `path` is `$.name` (extracted
    /// with a POSIX `sed`, for a string) or a longer path of names and indexes (`jq`); `None`
    /// for any other path.
    pub fn capture_pipeline(&self, path: &str, target: &Target) -> Option<String> {
        let extract = extractor(path)?;
        let curl = self.curl_with(&["-sS"], &connection_flags(&self.url, target));
        Some(format!("{curl} | {extract}"))
    }

    fn curl_with(&self, flags: &[&str], connection: &[String]) -> String {
        let mut parts = vec!["curl".to_string()];
        parts.extend(flags.iter().map(|f| f.to_string()));
        parts.extend(connection.iter().cloned());
        if self.method != "GET" {
            let bare = self.method.chars().all(|c| c.is_ascii_alphanumeric());
            parts.push(if bare {
                format!("-X {}", self.method)
            } else {
                format!("-X {}", shell_quote(&self.method))
            });
        }
        let basic = self.basic_pair().filter(|(pair, _)| curl_can_send(pair));
        for (k, v) in &self.headers {
            match &basic {
                // As `-u user:password`: curl encodes it, so a redacted password still works
                // where a redacted base64 could not.
                Some((pair, _)) if k.eq_ignore_ascii_case("authorization") => {
                    parts.push(format!("-u {}", shell_quote(pair)));
                }
                _ => parts.push(format!("-H {}", shell_quote(&format!("{k}: {v}")))),
            }
        }
        if let Some(b) = &self.body {
            parts.push(format!(
                "--data-binary {}",
                shell_quote(&String::from_utf8_lossy(b))
            ));
        }
        parts.push(shell_quote(&self.url));
        parts.join(" ")
    }

    /// The `user:password` pair of a Basic `Authorization` header, decoded.
    pub fn basic_pair(&self) -> Option<(String, String)> {
        let value = self.header("authorization")?.trim();
        let (scheme, encoded) = value.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let encoded = encoded.trim();
        let pair = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()?;
        Some((
            String::from_utf8_lossy(&pair).into_owned(),
            encoded.to_string(),
        ))
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The curl options that reach `url` as the client of `target` does: each host name it
/// resolves itself that the URL names, and the certificate file it trusts.
fn connection_flags(url: &str, target: &Target) -> Vec<String> {
    let mut flags = Vec::new();
    if let Ok(u) = reqwest::Url::parse(url) {
        let port = u.port_or_known_default().unwrap_or(443);
        for (host, addr) in &target.resolve {
            if u.host_str() == Some(host.as_str()) {
                flags.push(format!(
                    "--resolve {}",
                    shell_quote(&format!("{host}:{port}:{}", addr.ip()))
                ));
            }
        }
        if u.scheme() == "https" {
            if let Some(ca) = &target.ca_cert {
                flags.push(format!(
                    "--cacert {}",
                    shell_quote(&ca.display().to_string())
                ));
            }
        }
    }
    flags
}

/// Whether `curl -u PAIR` sends `Basic base64(PAIR)`: a pair with its colon (without one curl
/// would ask for a password), without control characters.
fn curl_can_send(pair: &str) -> bool {
    pair.contains(':') && !pair.chars().any(char::is_control)
}

/// The shell command that prints the value at `path` of a JSON document read on its input.
fn extractor(path: &str) -> Option<String> {
    let rest = path.strip_prefix('$')?;
    let name_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let single = rest
        .strip_prefix('.')
        .filter(|n| !n.is_empty() && n.chars().all(name_char));
    if let Some(name) = single {
        // A string member on one line of the answer: what a token is.
        return Some(format!(
            r#"sed -n 's/.*"{name}"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p'"#
        ));
    }
    let jq_path = !rest.is_empty()
        && rest
            .chars()
            .all(|c| name_char(c) || matches!(c, '.' | '[' | ']'))
        && rest.starts_with(['.', '[']);
    jq_path.then(|| format!("jq -r '{rest}'"))
}

/// Everything a request is built from besides itself.
pub struct Context<'a> {
    pub contract: &'a Contract,
    pub api: &'a ApiDoc,
    pub target: &'a Target,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrepareError {
    #[error(transparent)]
    Missing(#[from] MissingVar),
    #[error("unknown operation `{0}`")]
    UnknownOperation(String),
    #[error("role `{0}` has no credentials in this target")]
    MissingRole(String),
    #[error("unknown auth scheme `{0}`")]
    UnknownScheme(String),
}

impl Context<'_> {
    /// The variables a request as `role` sees: the rule's, over the role's credentials.
    pub fn vars_for(&self, vars: &Vars, role: Option<&str>) -> Result<Vars, PrepareError> {
        let Some(role) = role.filter(|r| *r != "anonymous") else {
            return Ok(vars.clone());
        };
        let creds = self
            .target
            .credentials
            .roles
            .get(role)
            .ok_or_else(|| PrepareError::MissingRole(role.to_string()))?;
        let mut v = vars.clone();
        for (name, value) in creds {
            if self
                .contract
                .credentials
                .iter()
                .any(|c| c.name == *name && c.secret)
            {
                // Shown as the variable the role's value was read from.
                let shown = self
                    .target
                    .credentials
                    .shown_name(&self.target.api, Some(role), name);
                v.hide(&shown, value);
                v.set(name, Value::String(value.clone()));
            } else {
                v.set(name, Value::String(value.clone()));
            }
        }
        Ok(v)
    }

    fn scheme(&self, name: Option<&str>) -> Result<Option<&AuthScheme>, PrepareError> {
        match name {
            None => Ok(self.contract.auth.first()),
            Some(n) => self
                .contract
                .auth
                .iter()
                .find(|a| a.name == n)
                .map(Some)
                .ok_or_else(|| PrepareError::UnknownScheme(n.to_string())),
        }
    }

    /// The auth scheme a request presents: none for `anonymous`, else the named one or the
    /// contract's first.
    fn scheme_for(&self, req: &Request) -> Result<Option<&AuthScheme>, PrepareError> {
        if req.role.as_deref() == Some("anonymous") {
            return Ok(None);
        }
        self.scheme(req.auth.as_deref())
    }

    /// Build the request. `vars` holds the rule's variables and the target's credentials.
    pub fn prepare(&self, req: &Request, vars: &Vars) -> Result<Prepared, PrepareError> {
        let vars = self.vars_for(vars, req.role.as_deref())?;
        let op = match &req.operation {
            Some(id) => Some(
                self.api
                    .operations
                    .get(id)
                    .ok_or_else(|| PrepareError::UnknownOperation(id.clone()))?,
            ),
            None => None,
        };
        let method = req
            .method
            .clone()
            .or_else(|| op.map(|o| o.method.clone()))
            .unwrap_or_else(|| "GET".into())
            .to_ascii_uppercase();
        let template = req
            .path
            .clone()
            .or_else(|| op.map(|o| o.path.clone()))
            .unwrap_or_default();
        let path = render_path(&template, req, &vars)?;
        let mut url = format!("{}{}", self.target.base_url.trim_end_matches('/'), path);
        let scheme = self.scheme_for(req)?;
        let query = self.query_string(req, scheme, &vars)?;
        if !query.is_empty() {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&query);
        }
        let mut p = Prepared {
            method,
            url,
            headers: Vec::new(),
            body: None,
            operation: req.operation.clone(),
        };
        self.set_headers(&mut p, req, scheme, &vars)?;
        set_body(&mut p, req, &vars)?;
        for h in &req.omit_headers {
            p.remove_header(h);
        }
        Ok(p)
    }

    /// The query string: the contract's defaults (unless the request sets the same name), the
    /// scheme's parameters, the request's own. Empty when there are none.
    fn query_string(
        &self,
        req: &Request,
        scheme: Option<&AuthScheme>,
        vars: &Vars,
    ) -> Result<String, MissingVar> {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.contract.defaults.query {
            if !req.query.contains_key(k) {
                append_query(&mut query, k, v, vars)?;
            }
        }
        if let Some(s) = scheme {
            for (k, v) in &s.query {
                append_query(&mut query, k, &Value::String(v.clone()), vars)?;
            }
        }
        for (k, v) in &req.query {
            append_query(&mut query, k, v, vars)?;
        }
        Ok(query.finish())
    }

    /// The headers, later ones over earlier ones of the same name: the contract's defaults, the
    /// scheme's (a Basic pair as `Authorization`), the request's own.
    fn set_headers(
        &self,
        p: &mut Prepared,
        req: &Request,
        scheme: Option<&AuthScheme>,
        vars: &Vars,
    ) -> Result<(), MissingVar> {
        for (k, v) in &self.contract.defaults.headers {
            p.set_header(k, &scalar_text(&vars.render_value(v)?));
        }
        if let Some(s) = scheme {
            for (k, v) in &s.headers {
                p.set_header(k, &vars.render(v)?);
            }
            if let Some(b) = &s.basic {
                let pair = format!(
                    "{}:{}",
                    vars.render(&b.username)?,
                    vars.render(&b.password)?
                );
                p.set_header(
                    "Authorization",
                    &format!(
                        "Basic {}",
                        base64::engine::general_purpose::STANDARD.encode(pair)
                    ),
                );
            }
        }
        for (k, v) in &req.headers {
            p.set_header(k, &scalar_text(&vars.render_value(v)?));
        }
        Ok(())
    }
}

/// One query parameter, rendered: a list becomes the parameter repeated.
fn append_query(
    query: &mut form_urlencoded::Serializer<String>,
    k: &str,
    v: &Value,
    vars: &Vars,
) -> Result<(), MissingVar> {
    match vars.render_value(v)? {
        Value::Array(items) => {
            for i in items {
                query.append_pair(k, &scalar_text(&i));
            }
        }
        other => {
            query.append_pair(k, &scalar_text(&other));
        }
    }
    Ok(())
}

/// The body, with its Content-Type: a JSON value, a form, or raw text.
fn set_body(p: &mut Prepared, req: &Request, vars: &Vars) -> Result<(), MissingVar> {
    if let Some(json) = &req.json {
        p.body = Some(serde_json::to_vec(&vars.render_value(json)?).unwrap_or_default());
        if p.header("content-type").is_none() {
            p.set_header("Content-Type", "application/json");
        }
    } else if let Some(form) = &req.form {
        p.body = Some(form_body(form, vars)?.into_bytes());
        // A form body is a form, whatever the default Content-Type of the API.
        p.set_header("Content-Type", "application/x-www-form-urlencoded");
    } else if let Some(raw) = &req.body {
        p.body = Some(vars.render(raw)?.into_bytes());
    }
    Ok(())
}

/// A form, urlencoded: a list becomes `name[]` repeated.
fn form_body(form: &BTreeMap<String, Value>, vars: &Vars) -> Result<String, MissingVar> {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form {
        match vars.render_value(v)? {
            Value::Array(items) => {
                for i in items {
                    s.append_pair(&format!("{k}[]"), &scalar_text(&i));
                }
            }
            other => {
                s.append_pair(k, &scalar_text(&other));
            }
        }
    }
    Ok(s.finish())
}

/// Fill `{name}` path parameters: from `path_params`, else the variable of the same name.
fn render_path(template: &str, req: &Request, vars: &Vars) -> Result<String, MissingVar> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        if rest[start..].starts_with("{{") {
            // A `{{var}}` template, rendered below with the rest.
            let end = rest[start..]
                .find("}}")
                .map(|e| start + e + 2)
                .unwrap_or(rest.len());
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        let name = &rest[start + 1..start + len];
        let value = match req.path_params.get(name) {
            Some(v) => scalar_text(&vars.render_value(v)?),
            None => scalar_text(vars.get(name).ok_or_else(|| MissingVar(name.to_string()))?),
        };
        out.extend(form_urlencoded::byte_serialize(value.as_bytes()).map(|s| {
            if s == "+" {
                "%20"
            } else {
                s
            }
        }));
        rest = &rest[start + len + 1..];
    }
    // `{{var}}` templates in a literal path are rendered too.
    out.push_str(rest);
    vars.render(&out)
}

/// Redact the Basic pair `p` sends, whatever username it carries, under the name of the secret
/// inside it (`${REMOTE_KEY}`): a Basic header is a credential even when the contract marks
/// neither half secret. A pair with no known secret in it is hidden whole, decoded too (a
/// repro shows it as `-u user:password`); one with a secret shows its username.
pub fn hide_basic_pair(vars: &mut Vars, p: &Prepared) {
    if let Some((pair, encoded)) = p.basic_pair() {
        let name = match vars.secrets().name_within(&pair) {
            Some((n, _)) => n.to_string(),
            None => {
                vars.hide("basic_credentials", &pair);
                "basic_credentials".into()
            }
        };
        vars.hide(&name, &encoded);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepared(headers: &[(&str, &str)]) -> Prepared {
        Prepared {
            method: "POST".into(),
            url: "http://127.0.0.1:1/auth/login.json?version=2".into(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: Some(b"username=u%40x&remote_key=k3y".to_vec()),
            operation: None,
        }
    }

    fn basic(pair: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }

    #[test]
    fn a_basic_pair_is_sent_as_curl_u() {
        let p = prepared(&[("Authorization", &basic("user1@x.example:k3y'12345"))]);
        let curl = p.curl();
        assert!(
            curl.contains(r"-u 'user1@x.example:k3y'\''12345'"),
            "{curl}"
        );
        assert!(!curl.contains("Authorization"), "{curl}");
        // Without a colon curl would ask for a password: the header is sent as it is.
        let p = prepared(&[("Authorization", &basic("no-colon"))]);
        assert!(
            p.curl().contains("-H 'Authorization: Basic "),
            "{}",
            p.curl()
        );
    }

    #[test]
    fn a_capture_pipeline_prints_the_captured_value() {
        let p = prepared(&[("Content-Type", "application/x-www-form-urlencoded")]);
        let target = Target::default();
        let line = p.capture_pipeline("$.token", &target).unwrap();
        assert!(line.starts_with("curl -sS -X POST "), "{line}");
        assert!(!line.contains(" -i "), "{line}");
        let sed = line.rsplit_once(" | ").unwrap().1;
        // The sed reads the token of a JSON answer, pretty-printed or not.
        for answer in [
            r#"{"token":"tok-0123456789","user":1}"#,
            "{\n  \"id\": 1,\n  \"token\" : \"tok-0123456789\"\n}",
        ] {
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("printf '%s\\n' '{answer}' | {sed}"))
                .output()
                .unwrap();
            assert_eq!(String::from_utf8_lossy(&out.stdout), "tok-0123456789\n");
        }
        assert!(p
            .capture_pipeline("$.data.token", &target)
            .unwrap()
            .ends_with("| jq -r '.data.token'"));
        assert_eq!(p.capture_pipeline("$[?@.id == 1].token", &target), None);
    }
}
