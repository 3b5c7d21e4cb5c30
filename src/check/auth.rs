//! `auth`: a missing, invalid, revoked or expired credential gets the documented answer. The
//! request with valid credentials is sent first as the control.

use serde::Deserialize;

use super::{control, Check};
use crate::rule_context::{Expecting, Probe, RuleCx, Silence, Stop, Want};

use super::{given_requests, validate_given_request};
use crate::contract::context::LintCx;
use crate::contract::step::{Expect, Request, Step};
use crate::error::{suggest, SpecErrorKind};
use crate::locate::Pointer;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseKind {
    Missing,
    Invalid,
    Revoked,
    Expired,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub case: CaseKind,
    /// For revoked/expired: the target credential that holds such a value; for invalid: the
    /// credential to replace (default: every credential of the scheme).
    pub credential: Option<String>,
    /// For invalid: the value to send instead (default: a well-formed wrong value).
    pub value: Option<String>,
    pub expect: Expect,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default)]
    pub given: Vec<Step>,
    pub request: Request,
    pub scheme: Option<String>,
    pub cases: Vec<Case>,
}

/// A value of the same shape as `v` that is not `v`: letters and digits shifted by one.
pub fn mangle(v: &str) -> String {
    // Keep a documented prefix (`ct_live_`) so the value still looks like a key.
    let keep = v.rfind('_').map(|i| i + 1).unwrap_or(0);
    let (prefix, rest) = v.split_at(keep);
    let shifted: String = rest
        .chars()
        .map(|c| match c {
            'z' => 'a',
            'Z' => 'A',
            '9' => '0',
            c if c.is_ascii_alphanumeric() => (c as u8 + 1) as char,
            c => c,
        })
        .collect();
    let shifted = if shifted.is_empty() || shifted == rest {
        format!("{rest}x")
    } else {
        shifted
    };
    format!("{prefix}{shifted}")
}

/// A shell pipeline that prints `mangle(v)` from `v` (which a repro's redaction then shows as
/// its variable): `sed` shifts what follows the last `_`. `None` where `mangle` does otherwise
/// (nothing to shift) or `v` is not one line.
pub fn mangle_pipeline(v: &str) -> Option<String> {
    const FROM: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    const TO: &str = "bcdefghijklmnopqrstuvwxyzaBCDEFGHIJKLMNOPQRSTUVWXYZA1234567890";
    let rest = &v[v.rfind('_').map(|i| i + 1).unwrap_or(0)..];
    if !rest.chars().any(|c| c.is_ascii_alphanumeric()) || v.contains(['\n', '\r']) {
        return None;
    }
    Some(format!(
        "printf '%s\\n' '{}' | sed 'h;s/.*_//;y/{FROM}/{TO}/;x;s/[^_]*$//;G;s/\\n//'",
        v.replace('\'', r"'\''")
    ))
}

impl Params {
    /// The secret credentials the tested scheme presents.
    fn scheme_credentials(&self, cx: &RuleCx<'_>) -> Vec<String> {
        let contract = cx.contract;
        let scheme = match &self.scheme {
            Some(n) => contract.auth.iter().find(|a| &a.name == n),
            None => contract.auth.first(),
        };
        let Some(scheme) = scheme else { return vec![] };
        let mut texts: Vec<&str> = scheme
            .headers
            .values()
            .chain(scheme.query.values())
            .map(String::as_str)
            .collect();
        if let Some(b) = &scheme.basic {
            texts.push(&b.username);
            texts.push(&b.password);
        }
        let mut names = Vec::new();
        for t in texts {
            for c in crate::contract::context::TEMPLATE_VAR.captures_iter(t) {
                let n = c[1].to_string();
                let secret = contract.credentials.iter().any(|k| k.name == n && k.secret)
                    || !contract.credentials.iter().any(|k| k.name == n);
                if secret && !names.contains(&n) {
                    names.push(n);
                }
            }
        }
        names
    }
}

impl Check for Params {
    fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        validate_given_request(&self.given, &self.request, cx, at);
        if let Some(s) = &self.scheme {
            cx.auth_scheme(&at.key("scheme"), s);
        }
        if self.cases.is_empty() {
            cx.invalid(
                &at.key("cases"),
                "no case to check".into(),
                "add `- { case: missing, expect: { status: 401 } }`".into(),
            );
        }
        for (i, c) in self.cases.iter().enumerate() {
            let at = at.key("cases").index(i);
            c.expect.validate(cx, &at.key("expect"));
            if let Some(name) = &c.credential {
                if !cx.credentials.iter().any(|n| n == name) {
                    let hint = suggest(name, cx.credentials.iter().map(String::as_str));
                    cx.push(
                        &at.key("credential"),
                        SpecErrorKind::UnknownName {
                            what: "credential",
                            name: name.clone(),
                        },
                        hint,
                    );
                }
            } else if matches!(c.case, CaseKind::Revoked | CaseKind::Expired) {
                cx.invalid(
                    &at,
                    "a revoked or expired case needs `credential`: the target credential that holds such a key".into(),
                    "declare e.g. `revoked_api_key` under `credentials` and name it here".into(),
                );
            }
        }
    }
    fn requests(&self) -> Vec<&Request> {
        given_requests(&self.given, [&self.request])
    }

    async fn check(&self, cx: &mut RuleCx<'_>) -> Result<(), Stop> {
        cx.given(&self.given).await?;
        let mut request = self.request.clone();
        if self.scheme.is_some() {
            request.auth = self.scheme.clone();
        }
        control(cx, &request).await?;
        let presented = self.scheme_credentials(cx);
        let mut saved = cx.vars.clone();
        let mut ran = 0;
        for case in &self.cases {
            let label = format!("{:?} credential", case.case).to_lowercase();
            let mut req = request.clone();
            // A mangled secret is the secret shifted by one: whoever reads it reads the secret.
            let mut mangled: Vec<(String, String, Option<String>)> = Vec::new();
            match case.case {
                CaseKind::Missing => req.role = Some("anonymous".into()),
                CaseKind::Invalid => {
                    let names = match &case.credential {
                        Some(c) => vec![c.clone()],
                        None => presented.clone(),
                    };
                    for n in names {
                        let current = crate::vars::scalar_text(
                            cx.vars.get(&n).unwrap_or(&serde_json::Value::Null),
                        );
                        let wrong = match &case.value {
                            // A literal wrong value may name the run (`{{run_id}}`), so two
                            // runs' wrong keys differ; a name it cannot render stays as written.
                            Some(v) => cx.vars.render(v).unwrap_or_else(|_| v.clone()),
                            None => {
                                let wrong = mangle(&current);
                                mangled.push((
                                    format!("invalid_{n}"),
                                    wrong.clone(),
                                    mangle_pipeline(&current),
                                ));
                                wrong
                            }
                        };
                        cx.vars.set(&n, serde_json::Value::String(wrong));
                    }
                }
                CaseKind::Revoked | CaseKind::Expired => {
                    let Some(source) = case.credential.as_deref() else {
                        continue;
                    };
                    let Some(value) = cx.target.credentials.get(source).map(str::to_string) else {
                        cx.observations.push(format!(
                            "case {label} not run: the target has no `{source}`"
                        ));
                        continue;
                    };
                    for n in &presented {
                        cx.vars.set_secret(n, &value);
                    }
                }
            }
            // The replaced credential must win over the role's own (a role would put its valid
            // key back), so a case that replaces a credential sends it without a role.
            if matches!(
                case.case,
                CaseKind::Invalid | CaseKind::Revoked | CaseKind::Expired
            ) {
                req.role = None;
            }
            ran += 1;
            let outcome = cx.prepare(&req);
            cx.vars = saved.clone();
            for (name, value, pipeline) in &mangled {
                cx.vars.hide(name, value);
                // A repro gets it again from the secret it was made of.
                if let Some(pipeline) = pipeline {
                    cx.vars.source_secret(name, value, pipeline);
                }
            }
            let p = outcome?;
            let expecting = Expecting::new(Some(&label), Want::Expect(&case.expect))
                .probe(Probe::No)
                .silence(Silence::NotA("a refusal"));
            cx.send_expecting(&p, expecting).await;
            // The values are the saved ones again; keep the secrets this case met.
            saved = cx.vars.clone();
        }
        if ran == 0 {
            return Err(Stop::NoCredential(
                "the target has none of the credentials these cases need".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_mangle_pipeline_prints_the_mangled_value() {
        for v in [
            "ct_live_abc9z",
            "mock-api-key-Zz09",
            "a_b_c_xyz",
            "no-underscore-1",
            "it's_k3y",
        ] {
            let pipeline = super::mangle_pipeline(v).unwrap();
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(&pipeline)
                .output()
                .unwrap();
            let got = String::from_utf8(out.stdout).unwrap();
            assert_eq!(got.trim_end_matches('\n'), super::mangle(v), "{pipeline}");
        }
        assert_eq!(super::mangle_pipeline("key_"), None);
    }

    #[test]
    fn mangled_values_keep_their_shape() {
        assert_eq!(super::mangle("ct_live_abc9z"), "ct_live_bcd0a");
        assert_eq!(super::mangle("token"), "uplfo");
        assert_ne!(super::mangle("___"), "___");
    }
}
