//! What a contract says, apart from its rules: the credentials, roles, login flow, auth
//! schemes and defaults every request of an API may use, the steps, requests and expectations
//! rules are made of (`step`), and the context they are validated in (`context`). It knows
//! nothing of kinds: the catalogue (`check`) and the spec loader (`spec`) build on it.

pub mod context;
pub mod step;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::SpecErrors;
use crate::jsonpath::Query;
use crate::locate::Locator;
use crate::openapi::ApiDoc;
use context::LintCx;
use step::Request;

/// How strongly the document promises a behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Stated as fact: a failure fails the run.
    Must,
    /// "should", "recommended": a failure is a warning (fails with `--strict`).
    Should,
    /// "may": an observation the report records.
    May,
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Level::Must => "must",
            Level::Should => "should",
            Level::May => "may",
        })
    }
}

/// A value a target supplies: a key, a token, an id.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    pub name: String,
    /// Secrets are redacted to their variable's name in every report, log and curl line.
    pub secret: bool,
    pub description: Option<String>,
}

/// A value of the target's set-up that no request can discover (an existing parent to write
/// under): a profile's `fixtures` give it, a built-in mock supplies its own. A rule that needs
/// one the target lacks is skipped, saying which.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    pub name: String,
    pub description: Option<String>,
}

/// Values the API hands out that are credentials (tokens): reports never show them. The login's
/// captures always are secrets; these are the others.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SecretValues {
    /// Variables that steps capture secrets into (`old_token`); wherever a step captures into
    /// one of these names, the value is redacted as `${NAME}`.
    #[serde(default)]
    pub captures: Vec<String>,
    /// Name → JSONPath: every value the path selects in any JSON response is redacted as
    /// `${NAME}`, captured or not (a token a rule obtains only to check its shape).
    #[serde(default)]
    pub fields: BTreeMap<String, Query>,
}

/// A named set of credentials (several keys of one API).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub name: String,
    pub description: Option<String>,
}

/// A request that turns credentials into a session token.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub request: Request,
    pub expect: Option<step::Expect>,
    pub capture: BTreeMap<String, Query>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    pub username: String,
    pub password: String,
}

/// One way of presenting credentials.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuthScheme {
    pub name: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    pub basic: Option<BasicAuth>,
}

impl AuthScheme {
    /// The header names this scheme sends, lowercased.
    pub fn header_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .headers
            .keys()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        if self.basic.is_some() {
            names.push("authorization".into());
        }
        names
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    #[serde(default)]
    pub headers: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub query: BTreeMap<String, serde_json::Value>,
}

impl Contract {
    /// Whether a variable of this name holds a secret: a secret credential, a login capture,
    /// or one of `secrets.captures`.
    pub fn is_secret_var(&self, name: &str) -> bool {
        self.credentials.iter().any(|c| c.name == name && c.secret)
            || self
                .login
                .as_ref()
                .is_some_and(|l| l.capture.contains_key(name))
            || self.secrets.captures.iter().any(|c| c == name)
    }

    /// What a request of this API may refer to (operations, roles, auth schemes, credentials
    /// and login captures), for validating rules and load scenarios alike.
    pub fn lint_cx<'a>(
        &self,
        api: &'a ApiDoc,
        loc: &'a Locator,
        errors: &'a mut SpecErrors,
    ) -> LintCx<'a> {
        let credentials: Vec<String> = self.credentials.iter().map(|c| c.name.clone()).collect();
        let mut base_vars = credentials.clone();
        base_vars.extend(self.fixtures.iter().map(|f| f.name.clone()));
        if let Some(login) = &self.login {
            base_vars.extend(login.capture.keys().cloned());
        }
        LintCx {
            loc,
            api,
            roles: self.roles.iter().map(|r| r.name.clone()).collect(),
            schemes: self.auth.iter().map(|a| a.name.clone()).collect(),
            credentials,
            base_vars,
            vars: vec![],
            default_headers: self
                .defaults
                .headers
                .keys()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
            scheme_headers: self
                .auth
                .iter()
                .map(|a| (a.name.clone(), a.header_names()))
                .collect(),
            captured: Default::default(),
            errors,
        }
    }
}

/// The behaviour half of a spec, but for its rules (which `spec::Spec` holds beside it): what
/// every request of the API may use and what it must keep secret.
#[derive(Debug, Clone)]
pub struct Contract {
    pub api: String,
    pub title: String,
    pub document: String,
    pub base_url: String,
    pub credentials: Vec<Credential>,
    pub fixtures: Vec<Fixture>,
    pub roles: Vec<Role>,
    pub login: Option<Login>,
    pub auth: Vec<AuthScheme>,
    pub defaults: Defaults,
    pub secrets: SecretValues,
}

/// Collapse every run of whitespace to one space.
pub fn normalize_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
