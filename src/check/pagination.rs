//! `pagination`: one aspect of a paginated list (default size, size honoured, cap, links, walk).
//! One aspect per rule, because the document gives each its own level ("may be capped").

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::Check;
use crate::exchange::request::Prepared;
use crate::exchange::response::Response;
use crate::expect::select_json;
use crate::jsonpath::Query;
use crate::results::Failure;
use crate::rule_context::{Expecting, Probe, RuleCx, Silence, Stop, Want};
use crate::vars::Vars;

use super::{given_requests, validate_given_request};
use crate::contract::context::LintCx;
use crate::contract::step::{Request, Step};
use crate::locate::Pointer;

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
    pub items: Query,
    pub size_param: Option<String>,
    pub page_param: Option<String>,
    pub default_size: Option<usize>,
    pub request_size: Option<usize>,
    pub max_size: Option<usize>,
    #[serde(default)]
    pub links: BTreeMap<String, Query>,
    pub total: Option<Query>,
    pub last_page: Option<Query>,
    pub item_id: Option<Query>,
    pub max_pages: Option<usize>,
}

const DEFAULT_MAX_PAGES: usize = 1000;

/// The items of a page: the elements of the array `path` selects in `body`, or the nodes
/// themselves (none when the path cannot be evaluated). What a `pagination` rule counts and
/// walks; public for benches and fuzzing.
pub fn page_items(body: &Value, path: &Query, vars: &Vars) -> Vec<Value> {
    let nodes = select_json(body, path, vars).unwrap_or_default();
    match nodes.as_slice() {
        [Value::Array(a)] => a.clone(),
        _ => nodes,
    }
}

/// The URL of the link `path` selects in `body`: a string, or a JSON:API link object's
/// `href`; None when absent, empty or null. How a `pagination` rule reads `links`; public for
/// benches and fuzzing.
pub fn page_link(body: &Value, path: &Query, vars: &Vars) -> Option<String> {
    match select_json(body, path, vars).ok()?.into_iter().next()? {
        Value::String(s) if !s.is_empty() => Some(s),
        Value::Object(m) => m.get("href").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

/// `scheme://host[:port]` of a URL: a link is only followed within the target's origin.
/// Public for benches and fuzzing.
pub fn origin(url: &str) -> &str {
    let after = url.find("://").map(|i| i + 3).unwrap_or(0);
    let end = url[after..]
        .find('/')
        .map(|i| after + i)
        .unwrap_or(url.len());
    &url[..end]
}

/// The JSON body of page `i`; a body that is not JSON fails the rule.
fn json_page(cx: &mut RuleCx<'_>, label: &str, i: usize, r: &Response) -> Result<Value, Stop> {
    r.json().map_err(|e| {
        cx.fail(Some(label), Failure::new("body", "a JSON page", e), Some(i));
        Stop::Abort
    })
}

impl Params {
    fn request_with_size(&self, size: Option<usize>) -> Request {
        let mut r = self.request.clone();
        if let (Some(param), Some(n)) = (&self.size_param, size) {
            r.query.insert(param.clone(), Value::from(n));
        }
        r
    }

    async fn first_page(
        &self,
        cx: &mut RuleCx<'_>,
        size: Option<usize>,
    ) -> Result<(Prepared, usize, Response, Value), Stop> {
        let p = cx.prepare(&self.request_with_size(size))?;
        let expecting = Expecting::new(Some("page 1"), Want::Success("2xx"));
        let (i, r) = cx.send_expecting(&p, expecting).await.held()?;
        let body = json_page(cx, "page 1", i, &r)?;
        Ok((p, i, r, body))
    }

    /// Follow a link of the list: only within the target's origin (credentials never leave it).
    async fn follow(
        &self,
        cx: &mut RuleCx<'_>,
        first: &Prepared,
        link: &str,
        label: &str,
    ) -> Result<(usize, Value), Stop> {
        let base = cx.target.base_url.clone();
        let url = if link.starts_with('/') {
            format!("{}{link}", origin(&base))
        } else {
            link.to_string()
        };
        if origin(&url) != origin(&base) {
            cx.fail(
                Some(label),
                Failure::new("link", format!("a link within {}", origin(&base)), url),
                None,
            );
            return Err(Stop::Abort);
        }
        let mut p = first.clone();
        p.url = url;
        let expecting = Expecting::new(Some(label), Want::Success("2xx"))
            .probe(Probe::No)
            .silence(Silence::NotA("a page"));
        let (i, r) = cx.send_expecting(&p, expecting).await.held()?;
        Ok((i, json_page(cx, label, i, &r)?))
    }

    fn total(&self, body: &Value, cx: &RuleCx<'_>) -> Option<usize> {
        let path = self.total.as_ref()?;
        select_json(body, path, &cx.vars)
            .ok()?
            .first()?
            .as_u64()
            .map(|n| n as usize)
    }

    /// Whether the page is the last one, when the list says.
    fn is_last(&self, body: &Value, cx: &RuleCx<'_>) -> Option<bool> {
        if let Some(next) = self.links.get("next") {
            return Some(page_link(body, next, &cx.vars).is_none());
        }
        None
    }

    /// A page asked for `want` items holds exactly that many, or fewer on the last page. When
    /// the list says neither its total nor whether more pages follow, a short page cannot be
    /// told from a last one: the rule is skipped rather than passed.
    fn page_holds(
        &self,
        cx: &mut RuleCx<'_>,
        body: &Value,
        i: usize,
        want: usize,
        what: &str,
    ) -> Result<(), Stop> {
        if select_json(body, &self.items, &cx.vars)
            .unwrap_or_default()
            .is_empty()
        {
            cx.fail(
                None,
                Failure::new(
                    format!("items ({})", self.items),
                    "a list of items (empty on an empty list)",
                    "no such member",
                ),
                Some(i),
            );
            return Ok(());
        }
        let got = page_items(body, &self.items, &cx.vars).len();
        let expected = match (self.total(body, cx), self.is_last(body, cx)) {
            (Some(t), _) => t.min(want),
            (None, Some(false)) => want,
            (None, Some(true)) if got <= want => got,
            (None, Some(true)) => want,
            (None, None) if got >= want => want,
            (None, None) => return Err(Stop::Skip(format!("{got} items and no total or next link: a short page cannot be told from the last one"))),
        };
        if got != expected {
            cx.fail(
                None,
                Failure::new(
                    format!("items on the first page ({})", self.items),
                    format!("{expected} ({what})"),
                    got.to_string(),
                ),
                Some(i),
            );
        }
        Ok(())
    }

    /// The item ids of the list, asking for page 1, 2, … by number until a short page.
    async fn walk_by_number(
        &self,
        cx: &mut RuleCx<'_>,
        param: &str,
        size: usize,
        max: usize,
    ) -> Result<Vec<String>, Stop> {
        let item_id = self.item_id.clone().unwrap_or_else(|| "$.id".into());
        let mut ids = Vec::new();
        for n in 1..=max {
            let mut req = self.request_with_size(Some(size));
            req.query.insert(param.to_string(), Value::from(n));
            let (i, r) = cx.send(&req, Some(&format!("page {n} by number"))).await?;
            let body = match r.json() {
                Ok(b) if (200..300).contains(&r.status) => b,
                _ => {
                    cx.fail(
                        Some(&format!("page {n} by number")),
                        Failure::new("answer", "a JSON page", r.status.to_string()),
                        Some(i),
                    );
                    return Err(Stop::Abort);
                }
            };
            let items = page_items(&body, &self.items, &cx.vars);
            for item in &items {
                let id = select_json(item, &item_id, &cx.vars)
                    .ok()
                    .and_then(|v| v.into_iter().next())
                    .unwrap_or(Value::Null);
                ids.push(id.to_string());
            }
            if items.len() < size {
                break;
            }
        }
        Ok(ids)
    }

    async fn walk(&self, cx: &mut RuleCx<'_>) -> Result<(), Stop> {
        let (first, i, _, body) = self.first_page(cx, self.request_size).await?;
        let max = self.max_pages.unwrap_or(DEFAULT_MAX_PAGES);
        let item_id = self.item_id.clone().unwrap_or_else(|| "$.id".into());
        let total = self.total(&body, cx);
        // The size asked for: `request_size`, else the request's own size parameter, else the
        // default; only then what the first page holds.
        let asked = self
            .size_param
            .as_ref()
            .and_then(|p| self.request.query.get(p))
            .and_then(|v| crate::vars::scalar_text(v).parse::<usize>().ok());
        let size = self
            .request_size
            .or(asked)
            .or(self.default_size)
            .unwrap_or_else(|| page_items(&body, &self.items, &cx.vars).len());
        let mut ids: Vec<String> = Vec::new();
        let (mut page, mut current, mut last_index) = (1usize, body, i);
        loop {
            for item in page_items(&current, &self.items, &cx.vars) {
                let id = select_json(&item, &item_id, &cx.vars)
                    .ok()
                    .and_then(|v| v.into_iter().next())
                    .unwrap_or(Value::Null);
                ids.push(id.to_string());
            }
            let next = match (self.links.get("next"), &self.page_param, &self.last_page) {
                (Some(path), _, _) => page_link(&current, path, &cx.vars),
                (None, Some(param), Some(last)) => {
                    let last = select_json(&current, last, &cx.vars)
                        .ok()
                        .and_then(|v| v.first().and_then(Value::as_u64))
                        .unwrap_or(0) as usize;
                    (page < last).then(|| {
                        let sep = if first.url.contains('?') { '&' } else { '?' };
                        let enc: String =
                            form_urlencoded::byte_serialize(param.as_bytes()).collect();
                        format!("{}{sep}{enc}={}", first.url, page + 1)
                    })
                }
                _ => None,
            };
            let Some(next) = next else { break };
            if page >= max {
                cx.fail(
                    None,
                    Failure::new(
                        "pages",
                        format!("at most {max} pages"),
                        "more: the walk was stopped",
                    ),
                    Some(last_index),
                );
                return Ok(());
            }
            page += 1;
            let (j, b) = self
                .follow(cx, &first, &next, &format!("page {page}"))
                .await?;
            current = b;
            last_index = j;
        }
        let mut seen = std::collections::BTreeSet::new();
        if let Some(dup) = ids.iter().find(|id| !seen.insert(id.as_str())) {
            cx.fail(
                None,
                Failure::new(
                    "items of the walk",
                    "every item exactly once",
                    format!("{dup} listed twice"),
                ),
                Some(last_index),
            );
        }
        // Without a total, a next link that skips a page cannot be seen from the links alone:
        // where pages can also be asked for by number, the two walks must reach the same items.
        if total.is_none() && self.links.contains_key("next") {
            if let (Some(param), Some(_)) = (&self.page_param, &self.size_param) {
                let by_number = self.walk_by_number(cx, param, size, max).await?;
                let missing: Vec<&String> = by_number
                    .iter()
                    .filter(|id| !seen.contains(id.as_str()))
                    .take(5)
                    .collect();
                if !missing.is_empty() {
                    cx.fail(
                        None,
                        Failure::new(
                            "items of the walk by next links",
                            format!(
                                "every item of the list ({} by page number)",
                                by_number.len()
                            ),
                            format!(
                                "{} items; never reached: {}",
                                ids.len(),
                                missing
                                    .iter()
                                    .map(|s| s.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        ),
                        Some(last_index),
                    );
                }
            }
        }
        if let Some(t) = total {
            if ids.len() != t {
                cx.fail(
                    None,
                    Failure::new(
                        "items of the walk",
                        format!("{t} (the total)"),
                        ids.len().to_string(),
                    ),
                    Some(last_index),
                );
            }
        }
        // ceil(total/size) pages; without a documented total, the items the walk reached are it.
        let t = total.unwrap_or(seen.len());
        let pages = t.div_ceil(size.max(1)).max(1);
        if page != pages {
            cx.fail(
                None,
                Failure::new(
                    "pages of the walk",
                    format!("{pages} = ceil({t}/{size})"),
                    page.to_string(),
                ),
                Some(last_index),
            );
        }
        Ok(())
    }
}

impl Check for Params {
    fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        validate_given_request(&self.given, &self.request, cx, at);
        cx.jsonpath(&at.key("items"), &self.items);
        for (name, path) in [
            ("total", &self.total),
            ("last_page", &self.last_page),
            ("item_id", &self.item_id),
        ] {
            if let Some(p) = path {
                cx.jsonpath(&at.key(name), p);
            }
        }
        for (name, path) in &self.links {
            if !LINK_NAMES.contains(&name.as_str()) {
                cx.invalid(
                    &at.key("links").key(name),
                    format!("unknown link `{name}`"),
                    crate::error::suggest(name, LINK_NAMES.iter().copied()),
                );
            }
            cx.jsonpath(&at.key("links").key(name), path);
        }
        let mut need = |ok: bool, what: &str, hint: &str| {
            if !ok {
                cx.invalid(
                    at,
                    format!("aspect `{:?}` needs {what}", self.aspect).to_lowercase(),
                    hint.to_string(),
                );
            }
        };
        match self.aspect {
            Aspect::DefaultSize => need(
                self.default_size.is_some(),
                "`default_size`",
                "add `default_size: 10`",
            ),
            Aspect::Size => {
                need(
                    self.size_param.is_some(),
                    "`size_param`",
                    "add `size_param: \"page[size]\"`",
                );
                need(
                    self.request_size.is_some(),
                    "`request_size`",
                    "add `request_size: 5`",
                );
            }
            Aspect::Cap => {
                need(
                    self.size_param.is_some(),
                    "`size_param`",
                    "add `size_param: \"page[size]\"`",
                );
                need(self.max_size.is_some(), "`max_size`", "add `max_size: 20`");
                need(
                    matches!((self.request_size, self.max_size), (Some(r), Some(m)) if r > m),
                    "a `request_size` above `max_size`",
                    "ask for more than the cap, e.g. `request_size: 50`",
                );
            }
            Aspect::Links => need(
                !self.links.is_empty(),
                "`links`",
                "add `links: { next: \"$.links.next\" }`",
            ),
            Aspect::Walk => {
                need(
                    self.links.contains_key("next")
                        || (self.page_param.is_some() && self.last_page.is_some()),
                    "a way to the next page: `links.next`, or `page_param` with `last_page`",
                    "add `links: { next: \"$.links.next\" }`",
                );
                need(
                    self.item_id.is_some(),
                    "`item_id`",
                    "add `item_id: \"$.id\"` (inside one item)",
                );
            }
        }
        if let Some(0) = self.max_pages {
            cx.invalid(
                &at.key("max_pages"),
                "`max_pages` must be at least 1".into(),
                "leave it out for the default of 1000".into(),
            );
        }
    }
    fn requests(&self) -> Vec<&Request> {
        given_requests(&self.given, [&self.request])
    }

    async fn check(&self, cx: &mut RuleCx<'_>) -> Result<(), Stop> {
        cx.given(&self.given).await?;
        match self.aspect {
            Aspect::DefaultSize => {
                let want = self.default_size.unwrap_or(0);
                let (_, i, _, body) = self.first_page(cx, None).await?;
                self.page_holds(cx, &body, i, want, "the default size")?;
            }
            Aspect::Size => {
                let want = self.request_size.unwrap_or(0);
                let (_, i, _, body) = self.first_page(cx, Some(want)).await?;
                self.page_holds(cx, &body, i, want, "the size asked for")?;
            }
            Aspect::Cap => {
                let (asked, max) = (self.request_size.unwrap_or(0), self.max_size.unwrap_or(0));
                let (_, i, _, body) = self.first_page(cx, Some(asked)).await?;
                let got = page_items(&body, &self.items, &cx.vars).len();
                if got > max {
                    cx.fail(
                        None,
                        Failure::new(
                            "items on a page asked for more than the cap",
                            format!("at most {max}"),
                            got.to_string(),
                        ),
                        Some(i),
                    );
                } else if got < max
                    && self.is_last(&body, cx) != Some(false)
                    && self.total(&body, cx).is_none_or(|t| t <= max)
                {
                    return Err(Stop::Skip(format!(
                        "the list has only {got} items: the cap of {max} cannot be seen"
                    )));
                } else {
                    cx.observations
                        .push(format!("asked for {asked}, got {got} (capped at {max})"));
                }
            }
            Aspect::Links => {
                let (first, i, _, body) = self.first_page(cx, self.request_size).await?;
                let more_pages = self.is_last(&body, cx) == Some(false);
                for (name, path) in &self.links {
                    match page_link(&body, path, &cx.vars) {
                        None if name == "prev" => {}
                        None if name == "next" && !more_pages => {}
                        None => cx.fail(
                            None,
                            Failure::new(format!("link {name} ({path})"), "a link", "none"),
                            Some(i),
                        ),
                        Some(url) => {
                            let (j, page) = self
                                .follow(cx, &first, &url, &format!("link {name}"))
                                .await?;
                            if !matches!(
                                select_json(&page, &self.items, &cx.vars).ok().as_deref(),
                                Some([_, ..])
                            ) {
                                cx.fail(
                                    Some(&format!("link {name}")),
                                    Failure::new(
                                        format!("items ({})", self.items),
                                        "a page of the same list",
                                        "no items member",
                                    ),
                                    Some(j),
                                );
                            }
                        }
                    }
                }
            }
            Aspect::Walk => self.walk(cx).await?,
        }
        Ok(())
    }
}
