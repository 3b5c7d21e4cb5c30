//! `timestamp-format`: timestamps are written as documented.

use serde::Deserialize;

use super::{given_requests, validate_given_request, KindParams};
use crate::locate::Pointer;
use crate::spec::context::LintCx;
use crate::spec::step::{Request, Step};

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
    pub fields: Vec<String>,
    #[serde(default)]
    pub xml_fields: Vec<String>,
    pub format: Format,
    pub strftime: Option<String>,
    #[serde(default)]
    pub utc: bool,
    #[serde(default)]
    pub allow_empty: bool,
}

impl KindParams for Params {
    fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        validate_given_request(&self.given, &self.request, cx, at);
        if self.fields.is_empty() && self.xml_fields.is_empty() {
            cx.invalid(at, "no field to check".into(), "add `fields: [\"$[*].updated_at\"]` or `xml_fields: [tasks/task/updated_at]`".into());
        }
        for (i, f) in self.fields.iter().enumerate() {
            cx.jsonpath(&at.key("fields").index(i), f);
        }
        for (i, f) in self.xml_fields.iter().enumerate() {
            cx.xml_path(&at.key("xml_fields").index(i), f);
        }
        match (self.format, &self.strftime) {
            (Format::Strftime, None) => cx.invalid(at, "format `strftime` needs the pattern in `strftime`".into(), "e.g. `strftime: \"%Y/%m/%d %H:%M:%S %z\"`".into()),
            (Format::Strftime, Some(p)) if !p.contains('%') => cx.invalid(&at.key("strftime"), format!("`{p}` has no strftime field"), "use `%Y`, `%m`, `%d`, `%H`, `%M`, `%S`, `%z`".into()),
            (f, Some(_)) if f != Format::Strftime => cx.invalid(&at.key("strftime"), "`strftime` is only read with `format: strftime`".into(), "remove it, or set `format: strftime`".into()),
            _ => {}
        }
    }
    fn requests(&self) -> Vec<&Request> {
        given_requests(&self.given, [&self.request])
    }
}
