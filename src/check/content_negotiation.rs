//! `content-negotiation`: the same resource in several representations (`.json` / `.xml`).

use serde::Deserialize;
use std::collections::BTreeSet;

use serde_json::Value;

use super::Check;
use crate::exchange::xml;
use crate::expect::select_json;
use crate::jsonpath::Query;
use crate::results::Failure;
use crate::rule_context::{Expecting, RuleCx, Stop, Want};

use super::{given_requests, validate_given_request};
use crate::contract::context::LintCx;
use crate::contract::step::{Expect, Request, Step};
use crate::locate::Pointer;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    pub value: String,
    pub expect: Expect,
}

/// Both representations list the same ids.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SameIds {
    pub json: Query,
    pub xml: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default)]
    pub given: Vec<Step>,
    pub request: Request,
    pub param: String,
    pub variants: Vec<Variant>,
    pub same_ids: Option<SameIds>,
}

impl Check for Params {
    fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        // The selecting parameter is set per variant, so it is in scope for the request.
        cx.define_var(&self.param);
        validate_given_request(&self.given, &self.request, cx, at);
        let params = match (&self.request.operation, &self.request.path) {
            (Some(op), _) => cx
                .api
                .operations
                .get(op)
                .map(|o| o.path_params.clone())
                .unwrap_or_default(),
            (None, Some(p)) => crate::openapi::path_params(p),
            _ => vec![],
        };
        if !params.contains(&self.param) {
            cx.invalid(
                &at.key("param"),
                format!("`{}` is not a path parameter of the request", self.param),
                format!("path parameters: {}", params.join(", ")),
            );
        }
        if self.variants.len() < 2 {
            cx.invalid(
                &at.key("variants"),
                "negotiation needs at least two variants".into(),
                "add `{ value: xml, expect: ... }`".into(),
            );
        }
        for (i, v) in self.variants.iter().enumerate() {
            v.expect
                .validate(cx, &at.key("variants").index(i).key("expect"));
        }
        if let Some(s) = &self.same_ids {
            cx.jsonpath(&at.key("same_ids").key("json"), &s.json);
            cx.xml_path(&at.key("same_ids").key("xml"), &s.xml);
        }
    }
    fn requests(&self) -> Vec<&Request> {
        given_requests(&self.given, [&self.request])
    }

    async fn check(&self, cx: &mut RuleCx<'_>) -> Result<(), Stop> {
        cx.given(&self.given).await?;
        let mut json_ids: Option<BTreeSet<String>> = None;
        let mut xml_ids: Option<BTreeSet<String>> = None;
        for v in &self.variants {
            cx.vars.set(&self.param, Value::String(v.value.clone()));
            let label = format!("as {}", v.value);
            let p = cx.prepare(&self.request)?;
            let expecting = Expecting::new(Some(&label), Want::Expect(&v.expect));
            let (_, r) = cx.send_expecting(&p, expecting).await.answered()?;
            if let Some(same) = &self.same_ids {
                if let Ok(body) = r.json() {
                    json_ids = Some(
                        select_json(&body, &same.json, &cx.vars)
                            .unwrap_or_default()
                            .iter()
                            .map(crate::vars::scalar_text)
                            .collect(),
                    );
                } else if let Ok(root) = r.text().and_then(xml::parse) {
                    xml_ids = Some(xml::select(&root, &same.xml).into_iter().collect());
                }
            }
        }
        if let (Some(j), Some(x)) = (&json_ids, &xml_ids) {
            if j != x {
                let only_json: Vec<&String> = j.difference(x).take(5).collect();
                let only_xml: Vec<&String> = x.difference(j).take(5).collect();
                cx.fail(
                    None,
                    Failure::new(
                        "ids",
                        "the same ids in every representation",
                        format!("only in JSON: {only_json:?}; only in XML: {only_xml:?}"),
                    ),
                    None,
                );
            }
        }
        Ok(())
    }
}
