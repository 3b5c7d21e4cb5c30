//! `filter`: a filter narrows a list to the items that match it.

use serde::Deserialize;

use super::Check;
use crate::expect::{loose_eq, select_json};
use crate::jsonpath::Query;
use crate::results::Failure;
use crate::rule_context::{RuleCx, Stop};
use crate::vars::scalar_text;
use serde_json::Value;

use super::{given_requests, validate_given_request};
use crate::contract::context::LintCx;
use crate::contract::step::{Request, Step};
use crate::locate::Pointer;

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
    pub items: Query,
    pub field: Query,
    pub compare: Compare,
    pub value: Value,
    #[serde(default)]
    pub value_format: ValueFormat,
}

/// A timestamp (RFC 3339, or a number of seconds) as a UNIX time.
pub fn unix_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().or_else(|| {
            chrono::DateTime::parse_from_rfc3339(s.trim())
                .ok()
                .map(|d| d.timestamp_millis() as f64 / 1000.0)
        }),
        _ => None,
    }
}

impl Check for Params {
    fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        validate_given_request(&self.given, &self.request, cx, at);
        cx.jsonpath(&at.key("items"), &self.items);
        cx.jsonpath(&at.key("field"), &self.field);
        cx.template_value(&at.key("value"), &self.value);
    }
    fn requests(&self) -> Vec<&Request> {
        given_requests(&self.given, [&self.request])
    }

    async fn check(&self, cx: &mut RuleCx<'_>) -> Result<(), Stop> {
        cx.given(&self.given).await?;
        let value = match cx.vars.render_value(&self.value) {
            Ok(v) => v,
            Err(e) => return Err(Stop::Skip(format!("no value to filter by: {e}"))),
        };
        let (i, r) = cx.send(&self.request, None).await?;
        let body = match r.json() {
            Ok(b) if (200..300).contains(&r.status) => b,
            Ok(_) => {
                cx.fail(
                    None,
                    Failure::new("status", "2xx", r.status.to_string()),
                    Some(i),
                );
                return Ok(());
            }
            Err(e) => {
                cx.fail(None, Failure::new("body", "a JSON list", e), Some(i));
                return Ok(());
            }
        };
        let nodes = select_json(&body, &self.items, &cx.vars).unwrap_or_default();
        let items = match nodes.as_slice() {
            [Value::Array(a)] => a.clone(),
            _ => nodes,
        };
        if items.is_empty() && matches!(self.compare, Compare::Equals | Compare::Contains) {
            cx.fail(
                None,
                Failure::new(
                    "filtered list",
                    format!("the items whose field is {value}"),
                    "no item",
                ),
                Some(i),
            );
        }
        for item in &items {
            let field = select_json(item, &self.field, &cx.vars)
                .ok()
                .and_then(|v| v.into_iter().next())
                .unwrap_or(Value::Null);
            let ok = match (self.compare, self.value_format) {
                (Compare::Equals, _) => loose_eq(&field, &value),
                (Compare::Contains, _) => scalar_text(&field)
                    .to_lowercase()
                    .contains(&scalar_text(&value).to_lowercase()),
                (cmp, ValueFormat::Unix) | (cmp, ValueFormat::Plain) => {
                    let (a, b) = match self.value_format {
                        ValueFormat::Unix => (unix_of(&field), unix_of(&value)),
                        ValueFormat::Plain => (field.as_f64(), value.as_f64()),
                    };
                    match (a, b) {
                        (Some(a), Some(b)) => match cmp {
                            Compare::Gte => a >= b,
                            Compare::Gt => a > b,
                            Compare::Lte => a <= b,
                            _ => a < b,
                        },
                        _ => false,
                    }
                }
            };
            if !ok {
                cx.fail(
                    None,
                    Failure::new(
                        format!("{} of an item", self.field),
                        format!("{:?} {}", self.compare, value).to_lowercase(),
                        field.to_string(),
                    ),
                    Some(i),
                );
                break;
            }
        }
        Ok(())
    }
}
