//! `timestamp-format`: timestamps are written as documented.

use serde::Deserialize;
use serde_json::Value;

use super::Check;
use crate::exchange::xml;
use crate::expect::select_json;
use crate::jsonpath::Query;
use crate::results::Failure;
use crate::rule_context::{RuleCx, Stop};

use super::{given_requests, validate_given_request};
use crate::contract::context::LintCx;
use crate::contract::step::{Request, Step};
use crate::locate::Pointer;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// RFC 3339 date-time, any offset.
    Rfc3339,
    /// ISO 8601 in UTC with a `Z`: `2009-05-16T11:20:31Z`.
    Iso8601Utc,
    /// Seconds since the UNIX epoch.
    Unix,
    /// A strftime pattern given in `strftime`.
    Strftime,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default)]
    pub given: Vec<Step>,
    pub request: Request,
    #[serde(default)]
    pub fields: Vec<Query>,
    #[serde(default)]
    pub xml_fields: Vec<String>,
    pub format: Format,
    pub strftime: Option<String>,
    #[serde(default)]
    pub utc: bool,
    #[serde(default)]
    pub allow_empty: bool,
}

impl Params {
    /// Why `text` is not a timestamp of the documented format, if it is not.
    pub fn problem(&self, text: &str) -> Option<String> {
        if text.is_empty() {
            return (!self.allow_empty).then(|| "an empty value".to_string());
        }
        let offset = match self.format {
            Format::Rfc3339 => chrono::DateTime::parse_from_rfc3339(text)
                .map(|d| d.offset().local_minus_utc())
                .map_err(|e| e.to_string()),
            Format::Iso8601Utc => {
                if !text.ends_with('Z') {
                    return Some("no `Z` (UTC) at the end".into());
                }
                chrono::DateTime::parse_from_rfc3339(text)
                    .map(|_| 0)
                    .map_err(|e| e.to_string())
            }
            Format::Unix => text.parse::<f64>().map(|_| 0).map_err(|e| e.to_string()),
            Format::Strftime => {
                let fmt = self.strftime.as_deref().unwrap_or("");
                chrono::DateTime::parse_from_str(text, fmt)
                    .map(|d| d.offset().local_minus_utc())
                    .or_else(|_| chrono::NaiveDateTime::parse_from_str(text, fmt).map(|_| 0))
                    .map_err(|e| format!("not `{fmt}`: {e}"))
            }
        };
        match offset {
            Err(e) => Some(e),
            Ok(o) if self.utc && o != 0 => Some(format!("an offset of {o}s, not UTC")),
            Ok(_) => None,
        }
    }
}

impl Check for Params {
    fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        validate_given_request(&self.given, &self.request, cx, at);
        if self.fields.is_empty() && self.xml_fields.is_empty() {
            cx.invalid(
                at,
                "no field to check".into(),
                "add `fields: [\"$[*].updated_at\"]` or `xml_fields: [tasks/task/updated_at]`"
                    .into(),
            );
        }
        for (i, f) in self.fields.iter().enumerate() {
            cx.jsonpath(&at.key("fields").index(i), f);
        }
        for (i, f) in self.xml_fields.iter().enumerate() {
            cx.xml_path(&at.key("xml_fields").index(i), f);
        }
        match (self.format, &self.strftime) {
            (Format::Strftime, None) => cx.invalid(
                at,
                "format `strftime` needs the pattern in `strftime`".into(),
                "e.g. `strftime: \"%Y/%m/%d %H:%M:%S %z\"`".into(),
            ),
            (Format::Strftime, Some(p)) if !p.contains('%') => cx.invalid(
                &at.key("strftime"),
                format!("`{p}` has no strftime field"),
                "use `%Y`, `%m`, `%d`, `%H`, `%M`, `%S`, `%z`".into(),
            ),
            (f, Some(_)) if f != Format::Strftime => cx.invalid(
                &at.key("strftime"),
                "`strftime` is only read with `format: strftime`".into(),
                "remove it, or set `format: strftime`".into(),
            ),
            _ => {}
        }
    }
    fn requests(&self) -> Vec<&Request> {
        given_requests(&self.given, [&self.request])
    }

    async fn check(&self, cx: &mut RuleCx<'_>) -> Result<(), Stop> {
        cx.given(&self.given).await?;
        let (i, r) = cx.send(&self.request, None).await?;
        let mut values: Vec<(String, Value)> = Vec::new();
        // A body that is not of the representation the fields are read from is a failure, not
        // a missing timestamp.
        if !self.fields.is_empty() {
            match r.json() {
                Ok(body) => {
                    for f in &self.fields {
                        values.extend(
                            select_json(&body, f, &cx.vars)
                                .unwrap_or_default()
                                .into_iter()
                                .map(|v| (f.to_string(), v)),
                        );
                    }
                }
                Err(e) => {
                    cx.fail(
                        None,
                        Failure::new("body", "a JSON body holding the timestamps", e),
                        Some(i),
                    );
                    return Ok(());
                }
            }
        }
        if !self.xml_fields.is_empty() {
            match r.text().and_then(xml::parse) {
                Ok(root) => {
                    for f in &self.xml_fields {
                        values.extend(
                            xml::select(&root, f)
                                .into_iter()
                                .map(|v| (f.clone(), Value::String(v))),
                        );
                    }
                }
                Err(e) => {
                    cx.fail(
                        None,
                        Failure::new("body", "an XML body holding the timestamps", e),
                        Some(i),
                    );
                    return Ok(());
                }
            }
        }
        if values.is_empty() {
            return Err(Stop::Skip(
                "the answer holds none of these timestamps".into(),
            ));
        }
        for (field, v) in values {
            let text = match &v {
                Value::String(s) => s.clone(),
                Value::Number(n) if self.format == Format::Unix => n.to_string(),
                Value::Null if self.allow_empty => continue,
                other => {
                    cx.fail(
                        None,
                        Failure::new(
                            field,
                            format!("a {:?} timestamp", self.format).to_lowercase(),
                            other.to_string(),
                        ),
                        Some(i),
                    );
                    continue;
                }
            };
            if let Some(why) = self.problem(&text) {
                cx.fail(
                    None,
                    Failure::new(
                        field,
                        format!("a {:?} timestamp", self.format).to_lowercase(),
                        format!("\"{text}\": {why}"),
                    ),
                    Some(i),
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(yaml: &str) -> Params {
        serde_yaml::from_str(&format!("request: {{operation: x}}\nfields: [$.t]\n{yaml}")).unwrap()
    }

    #[test]
    fn formats_are_told_apart() {
        let checkvist = params("format: strftime\nstrftime: \"%Y/%m/%d %H:%M:%S %z\"\nutc: true");
        assert_eq!(checkvist.problem("2005/02/01 15:15:10 +0000"), None);
        assert!(checkvist.problem("2005-02-01T15:15:10Z").is_some());
        assert!(
            checkvist.problem("2005/02/01 15:15:10 +0100").is_some(),
            "not UTC"
        );
        assert!(checkvist.problem("").is_some());
        let iso = params("format: iso8601-utc");
        assert_eq!(iso.problem("2009-05-16T11:20:31Z"), None);
        assert!(iso.problem("2009-05-16T11:20:31+02:00").is_some());
        let rfc = params("format: rfc3339\nallow_empty: true");
        assert_eq!(rfc.problem("2025-12-10T04:34:02.227-05:00"), None);
        assert_eq!(rfc.problem(""), None);
        assert!(rfc.problem("yesterday").is_some());
    }
}
