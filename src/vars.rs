//! Variables of a run and the `{{name}}` templates that use them. Secrets are known by value so
//! that every text can be redacted where results leave the engine (see [`super::redact`]).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use serde_json::Value;

use crate::redact::{Origin, Redactor, Secrets};

/// `{{ name }}` in a template string.
pub static TEMPLATE_VAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s*\}\}").unwrap());

/// A template named a variable that has no value (yet).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no value for `{{{{{0}}}}}`")]
pub struct MissingVar(pub String);

#[derive(Debug, Clone, Default)]
pub struct Vars {
    values: BTreeMap<String, Value>,
    /// Every secret value seen, by the name reports show for it.
    secrets: Secrets,
}

impl Vars {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set(&mut self, name: &str, value: Value) {
        self.values.insert(name.to_string(), value);
    }

    /// A credential that must never be shown: reports show `${NAME}` instead.
    pub fn set_secret(&mut self, name: &str, value: &str) {
        self.values
            .insert(name.to_string(), Value::String(value.to_string()));
        self.secrets.add(name, value, Origin::Credential);
    }

    /// A captured value that must never be shown (a token the login or a rule obtained).
    pub fn capture_secret(&mut self, name: &str, value: &str) {
        self.values
            .insert(name.to_string(), Value::String(value.to_string()));
        self.secrets.add(name, value, Origin::Capture);
    }

    /// Say how a shell gets the captured secret `name` (of `value`) again: `pipeline` prints
    /// it. A repro that uses it runs that first.
    pub fn source_secret(&mut self, name: &str, value: &str, pipeline: &str) {
        self.secrets.add_source(name, value, pipeline);
    }

    /// Redact `value` wherever it appears, without making it a variable (another role's key,
    /// a Basic pair, a value derived from a credential).
    pub fn hide(&mut self, name: &str, value: &str) {
        self.secrets.add(name, value, Origin::Credential);
    }

    /// Redact `value`, found where the contract says responses hand out secrets.
    pub fn hide_field(&mut self, name: &str, value: &str) {
        self.secrets.add(name, value, Origin::Field);
    }

    /// Every secret known to these variables.
    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// A redactor of every secret known to these variables.
    pub fn redactor(&self) -> Redactor {
        self.secrets.redactor()
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values
            .get(name.strip_prefix("fixtures.").unwrap_or(name))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Substitute every `{{name}}` in `template` with its value as text.
    pub fn render(&self, template: &str) -> Result<String, MissingVar> {
        let mut missing = None;
        let out = TEMPLATE_VAR.replace_all(template, |c: &regex::Captures| match self.get(&c[1]) {
            Some(v) => scalar_text(v),
            None => {
                missing.get_or_insert_with(|| c[1].to_string());
                String::new()
            }
        });
        match missing {
            Some(m) => Err(MissingVar(m)),
            None => Ok(out.into_owned()),
        }
    }

    /// Render every string inside `value`. A string that is exactly `{{name}}` takes the
    /// variable's JSON value with its type (a captured id stays a number).
    pub fn render_value(&self, value: &Value) -> Result<Value, MissingVar> {
        Ok(match value {
            Value::String(s) => match exact_var(s) {
                Some(name) => self
                    .get(name)
                    .cloned()
                    .ok_or_else(|| MissingVar(name.to_string()))?,
                None => Value::String(self.render(s)?),
            },
            Value::Array(a) => Value::Array(
                a.iter()
                    .map(|v| self.render_value(v))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| Ok((k.clone(), self.render_value(v)?)))
                    .collect::<Result<_, MissingVar>>()?,
            ),
            other => other.clone(),
        })
    }
}

/// The name when `s` is exactly one `{{name}}`.
fn exact_var(s: &str) -> Option<&str> {
    let c = TEMPLATE_VAR.captures(s)?;
    let whole = c.get(0)?;
    (whole.start() == 0 && whole.end() == s.len()).then(|| c.get(1).map(|m| m.as_str()))?
}

/// A JSON value as the text a URL, header or form carries.
pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_text_and_keeps_types_of_exact_references() {
        let mut v = Vars::new();
        v.set("id", json!(45));
        v.set("name", json!("Smith"));
        assert_eq!(
            v.render("/users/{{id}}?q={{ name }}").unwrap(),
            "/users/45?q=Smith"
        );
        assert_eq!(
            v.render_value(&json!({"ids": ["{{id}}", "x{{id}}"]}))
                .unwrap(),
            json!({"ids": [45, "x45"]})
        );
        assert_eq!(v.render("{{nope}}"), Err(MissingVar("nope".into())));
        assert_eq!(
            v.render_value(&json!("{{nope}}")),
            Err(MissingVar("nope".into()))
        );
    }

    #[test]
    fn secrets_are_variables_and_redacted_to_their_name() {
        let mut v = Vars::new();
        v.set_secret("api_key", "ct_live_abc123");
        v.capture_secret("token", "tok-0123456789");
        v.hide("owner_api_key", "ct_live_owner99");
        assert_eq!(
            v.render("{{api_key}} {{token}}").unwrap(),
            "ct_live_abc123 tok-0123456789"
        );
        assert!(!v.contains("owner_api_key"));
        let text =
            "curl -H 'Authorization: Bearer ct_live_abc123' ?t=tok-0123456789&o=ct_live_owner99";
        assert_eq!(
            v.redactor().redact(text),
            "curl -H 'Authorization: Bearer ${API_KEY}' ?t=${TOKEN}&o=${OWNER_API_KEY}"
        );
    }
}
