//! `pagination`: one aspect of a paginated list (default size, size honoured, cap, links, walk).
//! One aspect per rule, because the document gives each its own level ("may be capped").

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{given_requests, validate_given_request, KindParams};
use crate::locate::Pointer;
use crate::spec::context::LintCx;
use crate::spec::step::{Request, Step};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Aspect {
    /// With no size asked for, a page holds `default_size` items (fewer only on the last page).
    DefaultSize,
    /// Asked for `request_size`, a page holds that many.
    Size,
    /// Asked for more than `max_size`, a page holds at most `max_size`.
    Cap,
    /// The named links are present and lead to pages of the same list.
    Links,
    /// Following the pages returns every item exactly once, in ceil(total/size) pages.
    Walk,
}

pub const LINK_NAMES: &[&str] = &["next", "last", "first", "prev", "self"];

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default)]
    pub given: Vec<Step>,
    pub request: Request,
    pub aspect: Aspect,
    pub items: String,
    pub size_param: Option<String>,
    pub page_param: Option<String>,
    pub default_size: Option<usize>,
    pub request_size: Option<usize>,
    pub max_size: Option<usize>,
    #[serde(default)]
    pub links: BTreeMap<String, String>,
    pub total: Option<String>,
    pub last_page: Option<String>,
    pub item_id: Option<String>,
    pub max_pages: Option<usize>,
}

impl KindParams for Params {
    fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        validate_given_request(&self.given, &self.request, cx, at);
        cx.jsonpath(&at.key("items"), &self.items);
        for (name, path) in [("total", &self.total), ("last_page", &self.last_page), ("item_id", &self.item_id)] {
            if let Some(p) = path {
                cx.jsonpath(&at.key(name), p);
            }
        }
        for (name, path) in &self.links {
            if !LINK_NAMES.contains(&name.as_str()) {
                cx.invalid(&at.key("links").key(name), format!("unknown link `{name}`"), crate::error::suggest(name, LINK_NAMES.iter().copied()));
            }
            cx.jsonpath(&at.key("links").key(name), path);
        }
        let mut need = |ok: bool, what: &str, hint: &str| {
            if !ok {
                cx.invalid(at, format!("aspect `{:?}` needs {what}", self.aspect).to_lowercase(), hint.to_string());
            }
        };
        match self.aspect {
            Aspect::DefaultSize => need(self.default_size.is_some(), "`default_size`", "add `default_size: 10`"),
            Aspect::Size => {
                need(self.size_param.is_some(), "`size_param`", "add `size_param: \"page[size]\"`");
                need(self.request_size.is_some(), "`request_size`", "add `request_size: 5`");
            }
            Aspect::Cap => {
                need(self.size_param.is_some(), "`size_param`", "add `size_param: \"page[size]\"`");
                need(self.max_size.is_some(), "`max_size`", "add `max_size: 20`");
                need(
                    matches!((self.request_size, self.max_size), (Some(r), Some(m)) if r > m),
                    "a `request_size` above `max_size`",
                    "ask for more than the cap, e.g. `request_size: 50`",
                );
            }
            Aspect::Links => need(!self.links.is_empty(), "`links`", "add `links: { next: \"$.links.next\" }`"),
            Aspect::Walk => {
                need(
                    self.links.contains_key("next") || (self.page_param.is_some() && self.last_page.is_some()),
                    "a way to the next page: `links.next`, or `page_param` with `last_page`",
                    "add `links: { next: \"$.links.next\" }`",
                );
                need(self.item_id.is_some(), "`item_id`", "add `item_id: \"$.id\"` (inside one item)");
            }
        }
        if let Some(0) = self.max_pages {
            cx.invalid(&at.key("max_pages"), "`max_pages` must be at least 1".into(), "leave it out for the default of 1000".into());
        }
    }
    fn requests(&self) -> Vec<&Request> {
        given_requests(&self.given, [&self.request])
    }
}
