//! What a list request asks: its page (`page[size]`, `page[number]`) and its `filter[...]`s.

use std::borrow::Cow;

use serde_json::Value;

use crate::mock::kit::HasSwitches;

use super::data::{App, Res};
use super::faults::{Fault, Variant};
use super::render::ApiError;
use super::router::ReqInfo;
use super::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, UNCAPPED_MAX};

// ------------------------------------------------------------------------------------ pages

#[derive(Debug, Clone, Copy)]
pub(super) struct Page {
    pub(super) size: usize,
    /// 1-based, whatever the fault says the client writes.
    pub(super) number: usize,
}

pub(super) fn positive(value: &str, name: &str, min: usize) -> Result<usize, ApiError> {
    value
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|n| *n >= min)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "{name} must be an integer of at least {min}, not `{value}`"
            ))
            .with_code("invalid_page")
            .parameter(name)
        })
}

pub(super) fn parse_page(app: &App, info: &ReqInfo, catalog: bool) -> Result<Page, ApiError> {
    let default = app.default_size(catalog);
    let size_raw = info.param("page[size]");
    let number_raw = info.param("page[number]");
    let mut size = match size_raw {
        None => default,
        Some(v) => positive(v, "page[size]", 1)?,
    };
    let cap = if app.chose(Variant::Uncapped) {
        UNCAPPED_MAX
    } else if app.is(Fault::CapAt15) {
        15
    } else {
        MAX_PAGE_SIZE
    };
    size = size.min(cap);
    if app.is(Fault::SmallSizeNeedsPageNumber) && number_raw.is_none() && size < DEFAULT_PAGE_SIZE {
        size = default;
    }
    let zero_based = app.is(Fault::PageNumberZeroBased);
    let number = match number_raw {
        None => 1,
        Some(v) if zero_based => positive(v, "page[number]", 0)?.saturating_add(1),
        Some(v) => positive(v, "page[number]", 1)?,
    };
    Ok(Page { size, number })
}

// ------------------------------------------------------------------------------------ filters

#[derive(Debug, Clone)]
pub(super) enum Filter {
    /// A dasherized attribute and the values it may have (comma-separated in the query).
    Attr(String, Vec<String>),
    OnOrAfter(i64),
    Before(i64),
}

impl Filter {
    /// Does a record created at `created_ms` pass the time filter (attribute filters: true)?
    pub(super) fn time_ok(&self, created_ms: i64) -> bool {
        match *self {
            Filter::OnOrAfter(t) => created_ms >= t.saturating_mul(1000),
            Filter::Before(t) => created_ms < t.saturating_mul(1000),
            Filter::Attr(..) => true,
        }
    }

    pub(super) fn value_ok(&self, value: Option<&str>) -> bool {
        match self {
            Filter::Attr(_, values) => value.is_some_and(|v| values.iter().any(|w| w == v)),
            _ => true,
        }
    }
}

/// The `filter[...]` parameters of a list, against the attributes its records can be filtered
/// on. An unknown filter is refused (JSON:API: 400); the time filters take UNIX times.
pub(super) fn parse_filters(
    app: &App,
    info: &ReqInfo,
    allowed: &[&str],
) -> Result<Vec<Filter>, ApiError> {
    let mut out = Vec::new();
    for (k, v) in &info.query {
        let Some(name) = k.strip_prefix("filter[").and_then(|r| r.strip_suffix(']')) else {
            if k.starts_with("filter") || k == "sort" || k == "include" {
                return Err(
                    ApiError::bad_request(format!("the parameter `{k}` is not supported"))
                        .with_code("parameter_not_allowed")
                        .parameter(k),
                );
            }
            continue;
        };
        let key = name.replace('_', "-");
        let unix = |v: &str| {
            v.trim().parse::<i64>().map_err(|_| {
                ApiError::bad_request(format!("{k} takes a UNIX timestamp, not `{v}`"))
                    .with_code("invalid_filter_value")
                    .parameter(k)
            })
        };
        match key.as_str() {
            "created-on-or-after" => {
                let t = unix(v)?;
                if app.is(Fault::CreatedOnOrAfterIgnored) {
                    continue;
                }
                let t = if app.is(Fault::CreatedOnOrAfterDropsAll) {
                    t.saturating_mul(1000)
                } else {
                    t
                };
                out.push(Filter::OnOrAfter(t));
            }
            "created-before" => {
                let t = unix(v)?;
                if app.is(Fault::CreatedBeforeIgnored) {
                    continue;
                }
                let t = if app.is(Fault::CreatedBeforeDropsAll) {
                    t / 1000
                } else {
                    t
                };
                out.push(Filter::Before(t));
            }
            _ if allowed.contains(&key.as_str()) => {
                if (key == "last-name" && app.is(Fault::LastNameFilterIgnored))
                    || (key == "first-name" && app.is(Fault::FirstNameFilterIgnored))
                {
                    continue;
                }
                let values = v.split(',').map(str::to_string).collect();
                out.push(Filter::Attr(key, values));
            }
            _ => {
                return Err(
                    ApiError::bad_request(format!("filter `{name}` is not allowed"))
                        .with_code("filter_not_allowed")
                        .parameter(k),
                )
            }
        }
    }
    Ok(out)
}

pub(super) fn scalar_text(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Owned(b.to_string())),
        Value::Null => Some(Cow::Borrowed("null")),
        _ => None,
    }
}

pub(super) fn res_matches(r: &Res, filters: &[Filter]) -> bool {
    filters.iter().all(|f| match f {
        Filter::Attr(key, _) => {
            let v = if key == "id" {
                Some(Cow::Owned(r.id.to_string()))
            } else {
                r.attrs.get(key).and_then(scalar_text)
            };
            f.value_ok(v.as_deref())
        }
        _ => f.time_ok(r.created_ms),
    })
}

/// The attributes records of a small list can be filtered on: every scalar one but timestamps.
pub(super) fn res_filterable(items: &[Res]) -> Vec<&str> {
    let mut keys: Vec<&str> = vec!["id"];
    for r in items.iter().take(64) {
        for (k, v) in &r.attrs {
            if !k.ends_with("-at") && scalar_text(v).is_some() && !keys.contains(&k.as_str()) {
                keys.push(k);
            }
        }
    }
    keys
}
