//! The validation context: what a rule may refer to (operations, schemas, roles, auth schemes,
//! variables in scope) and the place its errors are collected, each located by its pointer.

use regex::Regex;
use serde_json::Value;

use super::step::Request;
use crate::error::{suggest, SpecError, SpecErrorKind, SpecErrors};
use crate::locate::{Locator, Pointer};
use crate::openapi::{ApiDoc, OperationInfo};
pub use crate::vars::TEMPLATE_VAR;

/// Variables every run defines.
pub const BUILTIN_VARS: &[&str] = &["run_id", "unix_now"];

pub struct LintCx<'a> {
    pub loc: &'a Locator,
    pub api: &'a ApiDoc,
    pub roles: Vec<String>,
    pub schemes: Vec<String>,
    /// Names of the target's credentials.
    pub credentials: Vec<String>,
    /// Header names sent by `defaults`, lowercased.
    pub default_headers: Vec<String>,
    /// Auth scheme name → the header names it sends, lowercased.
    pub scheme_headers: Vec<(String, Vec<String>)>,
    /// Credentials, login captures and built-ins: in scope everywhere.
    pub base_vars: Vec<String>,
    /// Captured so far in the current rule.
    pub vars: Vec<String>,
    /// Every name any step of the contract captures into.
    pub captured: std::collections::BTreeSet<String>,
    pub errors: &'a mut SpecErrors,
}

impl<'a> LintCx<'a> {
    pub fn push(&mut self, at: &Pointer, kind: SpecErrorKind, hint: String) {
        let e = self.loc.error(at, kind).with_hint(hint);
        self.errors.push(e);
    }

    pub fn push_error(&mut self, e: SpecError) {
        self.errors.push(e);
    }

    pub fn invalid(&mut self, at: &Pointer, message: String, hint: String) {
        self.push(at, SpecErrorKind::Invalid(message), hint);
    }

    pub fn begin_rule(&mut self) {
        self.vars.clear();
    }

    pub fn define_var(&mut self, name: &str) {
        self.vars.push(name.to_string());
        self.captured.insert(name.to_string());
    }

    pub fn has_var(&self, name: &str) -> bool {
        let name = name.strip_prefix("fixtures.").unwrap_or(name);
        self.vars
            .iter()
            .chain(self.base_vars.iter())
            .any(|v| v == name)
            || BUILTIN_VARS.contains(&name)
    }

    pub fn operation(&mut self, at: &Pointer, id: &str) -> Option<&'a OperationInfo> {
        let api = self.api;
        match api.operations.get(id) {
            Some(op) => Some(op),
            None => {
                let hint = suggest(id, api.operations.keys().map(String::as_str));
                self.push(at, SpecErrorKind::UnknownOperation(id.to_string()), hint);
                None
            }
        }
    }

    pub fn schema(&mut self, at: &Pointer, name: &str) {
        let api = self.api;
        if !api.schema_names.contains(name) {
            let hint = suggest(name, api.schema_names.iter().map(String::as_str));
            self.push(at, SpecErrorKind::UnknownSchema(name.to_string()), hint);
        }
    }

    pub fn role(&mut self, at: &Pointer, role: &str) {
        if role != "anonymous" && !self.roles.iter().any(|r| r == role) {
            let mut names: Vec<&str> = self.roles.iter().map(String::as_str).collect();
            names.push("anonymous");
            let hint = suggest(role, names);
            self.push(
                at,
                SpecErrorKind::UnknownName {
                    what: "role",
                    name: role.to_string(),
                },
                hint,
            );
        }
    }

    pub fn auth_scheme(&mut self, at: &Pointer, scheme: &str) {
        if !self.schemes.iter().any(|s| s == scheme) {
            let hint = suggest(scheme, self.schemes.iter().map(String::as_str));
            self.push(
                at,
                SpecErrorKind::UnknownName {
                    what: "auth scheme",
                    name: scheme.to_string(),
                },
                hint,
            );
        }
    }

    pub fn operation_ids(&self) -> impl Iterator<Item = &str> + Clone {
        self.api.operations.keys().map(String::as_str)
    }

    pub fn jsonpath(&mut self, at: &Pointer, path: &str) {
        // A path may hold `{{name}}` (in a filter); it is rendered before it is parsed, so
        // check its variables and parse it with a stand-in value.
        self.template(at, path);
        let stand_in = TEMPLATE_VAR.replace_all(path, "0");
        if let Err(reason) = crate::jsonpath::parse(&stand_in) {
            let hint = if path.starts_with('$') {
                "see RFC 9535: e.g. `$.data[0].id`, `$.data[*].attributes['last-name']`"
            } else {
                "a JSONPath starts with `$`, e.g. `$.data[0].id`"
            };
            self.push(
                at,
                SpecErrorKind::BadJsonPath {
                    path: path.to_string(),
                    reason,
                },
                hint.to_string(),
            );
        }
    }

    pub fn xml_path(&mut self, at: &Pointer, path: &str) {
        let ok = !path.is_empty()
            && path.split('/').all(|seg| {
                let seg = seg.strip_prefix('@').unwrap_or(seg);
                seg == "*"
                    || (!seg.is_empty()
                        && seg
                            .chars()
                            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')))
            });
        if !ok {
            self.invalid(
                at,
                format!("`{path}` is not an element path"),
                "element names from the root separated by `/`, `*` for any, `@name` for an attribute: `tasks/task/id`".into(),
            );
        }
    }

    pub fn regex(&mut self, at: &Pointer, pattern: &str) {
        if let Err(e) = Regex::new(pattern) {
            self.push(
                at,
                SpecErrorKind::BadRegex {
                    pattern: pattern.to_string(),
                    reason: e.to_string().lines().last().unwrap_or("").trim().to_string(),
                },
                "escape regex metacharacters (`.` `+` `(`) with `\\\\` in YAML double quotes, or use single quotes".into(),
            );
        }
    }

    /// Every `{{var}}` in `text` must be in scope.
    pub fn template(&mut self, at: &Pointer, text: &str) {
        let names: Vec<String> = TEMPLATE_VAR
            .captures_iter(text)
            .map(|c| c[1].to_string())
            .collect();
        for name in names {
            if !self.has_var(&name) {
                let scope: Vec<String> = self
                    .vars
                    .iter()
                    .chain(self.base_vars.iter())
                    .cloned()
                    .chain(BUILTIN_VARS.iter().map(|s| s.to_string()))
                    .collect();
                let hint = format!(
                    "{} (in scope: credentials, login captures, built-ins, and captures of earlier steps)",
                    suggest(&name, scope.iter().map(String::as_str))
                );
                self.push(at, SpecErrorKind::UnknownVariable(name), hint);
            }
        }
    }

    /// Every template string inside a JSON value.
    pub fn template_value(&mut self, at: &Pointer, v: &Value) {
        match v {
            Value::String(s) => self.template(at, s),
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    self.template_value(&at.index(i), x);
                }
            }
            Value::Object(m) => {
                for (k, x) in m {
                    self.template_value(&at.key(k), x);
                }
            }
            _ => {}
        }
    }
}

impl LintCx<'_> {
    /// Whether `request` would send `header` (from defaults, its auth scheme, or itself).
    pub fn sends_header(&self, request: &Request, header: &str) -> bool {
        let h = header.to_ascii_lowercase();
        if request
            .omit_headers
            .iter()
            .any(|o| o.eq_ignore_ascii_case(&h))
        {
            return false;
        }
        if request.headers.keys().any(|k| k.eq_ignore_ascii_case(&h))
            || self.default_headers.contains(&h)
        {
            return true;
        }
        if request.role.as_deref() == Some("anonymous") {
            return false;
        }
        let scheme = request
            .auth
            .as_deref()
            .or_else(|| self.scheme_headers.first().map(|(n, _)| n.as_str()));
        self.scheme_headers
            .iter()
            .any(|(n, hs)| Some(n.as_str()) == scheme && hs.contains(&h))
    }
}
