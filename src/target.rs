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
}

#[derive(Debug, Clone, Default)]
pub struct Target {
    pub api: String,
    /// The base URL requests are sent to (the documented one, or a mock's).
    pub base_url: String,
    pub credentials: Credentials,
    /// Host names to resolve to a local address: a mock serves its documented host on loopback.
    pub resolve: Vec<(String, SocketAddr)>,
    /// Extra root certificates to trust, DER: a mock's self-signed certificate.
    pub root_certs: Vec<Vec<u8>>,
    /// The same API over plain HTTP, where the target serves one (to see it refused).
    pub plain_url: Option<String>,
}
