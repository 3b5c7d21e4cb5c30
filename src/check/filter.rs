//! `filter`: a filter narrows a list to the items that match it.

use serde::Deserialize;
use serde_json::Value;

use super::{given_requests, validate_given_request, KindParams};
use crate::locate::Pointer;
use crate::spec::context::LintCx;
use crate::spec::step::{Request, Step};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compare {
    Equals,
    Contains,
    Gte,
    Gt,
    Lte,
    Lt,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueFormat {
    #[default]
    Plain,
    /// The item's field is a timestamp; `value` is a UNIX time.
    Unix,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default)]
    pub given: Vec<Step>,
    pub request: Request,
    pub items: String,
    pub field: String,
    pub compare: Compare,
    pub value: Value,
    #[serde(default)]
    pub value_format: ValueFormat,
}

impl KindParams for Params {
    fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        validate_given_request(&self.given, &self.request, cx, at);
        cx.jsonpath(&at.key("items"), &self.items);
        cx.jsonpath(&at.key("field"), &self.field);
        cx.template_value(&at.key("value"), &self.value);
    }
    fn requests(&self) -> Vec<&Request> {
        given_requests(&self.given, [&self.request])
    }
}
