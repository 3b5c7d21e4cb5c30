//! The building blocks every kind shares: a request, what its answer must be, and steps with
//! captures. One definition serves the `exchange` kind, lifecycles, discovery and the login flow.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::context::LintCx;
use crate::basis::{Basis, ExpectBasis, Facet};
use crate::error::SpecErrorKind;
use crate::jsonpath::Query;
use crate::locate::Pointer;

pub const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
pub const WRITE_METHODS: &[&str] = &["POST", "PUT", "PATCH", "DELETE"];

/// One HTTP request, by operationId or by method and literal path.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub operation: Option<String>,
    pub method: Option<String>,
    pub path: Option<String>,
    #[serde(default)]
    pub path_params: BTreeMap<String, Value>,
    #[serde(default)]
    pub query: BTreeMap<String, Value>,
    #[serde(default)]
    pub headers: BTreeMap<String, Value>,
    #[serde(default)]
    pub omit_headers: Vec<String>,
    #[serde(rename = "as")]
    pub role: Option<String>,
    pub auth: Option<String>,
    pub json: Option<Value>,
    pub form: Option<BTreeMap<String, Value>>,
    pub body: Option<String>,
}

impl Request {
    /// The method this request sends, once the operation is known.
    pub fn effective_method(&self, cx_method: Option<&str>) -> String {
        self.method
            .clone()
            .or_else(|| cx_method.map(str::to_string))
            .unwrap_or_else(|| "GET".to_string())
            .to_ascii_uppercase()
    }

    pub fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        if let Some(m) = &self.method {
            if !METHODS.contains(&m.to_ascii_uppercase().as_str()) {
                cx.invalid(
                    &at.key("method"),
                    format!("`{m}` is not an HTTP method"),
                    format!("use one of {}", METHODS.join(", ")),
                );
            }
        }
        let op_params = match (&self.operation, &self.path) {
            (Some(op), _) => cx
                .operation(&at.key("operation"), op)
                .map(|o| o.path_params.clone()),
            (None, Some(path)) => {
                if self.method.is_none() {
                    cx.invalid(
                        at,
                        "a request by `path` needs a `method`".into(),
                        "add `method: GET` (or the method to send)".into(),
                    );
                }
                cx.template(&at.key("path"), path);
                Some(crate::openapi::path_params(path))
            }
            (None, None) => {
                cx.invalid(
                    at,
                    "a request needs `operation`, or `method` and `path`".into(),
                    "name an operationId from openapi.yaml".into(),
                );
                None
            }
        };
        if let Some(params) = op_params {
            for name in self.path_params.keys() {
                if !params.contains(name) {
                    let hint = crate::error::suggest(name, params.iter().map(String::as_str));
                    cx.push(
                        &at.key("path_params").key(name),
                        SpecErrorKind::UnknownName {
                            what: "path parameter",
                            name: name.clone(),
                        },
                        hint,
                    );
                }
            }
            // A path parameter not given here is filled from the variable of the same name.
            for p in params.iter().filter(|p| !self.path_params.contains_key(*p)) {
                if !cx.has_var(p) {
                    cx.invalid(
                        at,
                        format!("path parameter `{p}` has no value"),
                        format!("give it in `path_params`, or capture a variable `{p}` earlier"),
                    );
                }
            }
        }
        for (field, map) in [
            ("path_params", &self.path_params),
            ("query", &self.query),
            ("headers", &self.headers),
        ] {
            for (k, v) in map {
                cx.template_value(&at.key(field).key(k), v);
            }
        }
        if let Some(role) = &self.role {
            cx.role(&at.key("as"), role);
        }
        if let Some(scheme) = &self.auth {
            cx.auth_scheme(&at.key("auth"), scheme);
        }
        let bodies = [
            self.json.is_some(),
            self.form.is_some(),
            self.body.is_some(),
        ];
        if bodies.iter().filter(|b| **b).count() > 1 {
            cx.invalid(
                at,
                "a request has at most one of `json`, `form` and `body`".into(),
                "keep the one the document shows".into(),
            );
        }
        if let Some(json) = &self.json {
            cx.template_value(&at.key("json"), json);
        }
        if let Some(form) = &self.form {
            for (k, v) in form {
                cx.template_value(&at.key("form").key(k), v);
            }
        }
        if let Some(body) = &self.body {
            cx.template(&at.key("body"), body);
        }
    }
}

/// One accepted status: an exact code or a class (`4xx`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum StatusPattern {
    Code(u16),
    Class(u8),
}

impl StatusPattern {
    pub fn matches(&self, status: u16) -> bool {
        match *self {
            StatusPattern::Code(c) => c == status,
            StatusPattern::Class(c) => status / 100 == c as u16,
        }
    }
}

impl std::fmt::Display for StatusPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusPattern::Code(c) => write!(f, "{c}"),
            StatusPattern::Class(c) => write!(f, "{c}xx"),
        }
    }
}

impl std::str::FromStr for StatusPattern {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let bad = || format!("`{s}` is not a status: use a code (404) or a class (4xx)");
        if let Some(class) = s.strip_suffix("xx").or_else(|| s.strip_suffix("XX")) {
            return match class.parse::<u8>() {
                Ok(c @ 1..=5) => Ok(StatusPattern::Class(c)),
                _ => Err(bad()),
            };
        }
        match s.parse::<u16>() {
            Ok(c @ 100..=599) => Ok(StatusPattern::Code(c)),
            _ => Err(bad()),
        }
    }
}

/// The statuses an answer may have: `200`, `[200, 201]`, `4xx`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusMatch(pub Vec<StatusPattern>);

impl StatusMatch {
    pub fn matches(&self, status: u16) -> bool {
        self.0.iter().any(|p| p.matches(status))
    }
}

impl std::fmt::Display for StatusMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|p| p.to_string()).collect();
        f.write_str(&parts.join(" or "))
    }
}

/// What a status is written as, for serde's "expected ..." messages.
const STATUS_EXPECTED: &str =
    "a status: a code (404), a class (\"4xx\"), or a list of them ([200, 201])";

/// Written by hand rather than derived through an untagged enum: a mistake then says what a
/// status is, not "did not match any variant of untagged enum".
impl<'de> Deserialize<'de> for StatusMatch {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{Error, SeqAccess, Unexpected, Visitor};

        fn code<E: Error>(n: u64) -> Result<StatusPattern, E> {
            n.to_string()
                .parse()
                .map_err(|_| E::invalid_value(Unexpected::Unsigned(n), &STATUS_EXPECTED))
        }

        /// One status of a list: a code or a class.
        struct Atom(StatusPattern);
        impl<'de> Deserialize<'de> for Atom {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl Visitor<'_> for V {
                    type Value = Atom;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("a status code (404) or class (\"4xx\")")
                    }
                    fn visit_u64<E: Error>(self, n: u64) -> Result<Atom, E> {
                        code(n).map(Atom)
                    }
                    fn visit_i64<E: Error>(self, n: i64) -> Result<Atom, E> {
                        Err(E::invalid_value(Unexpected::Signed(n), &self))
                    }
                    fn visit_str<E: Error>(self, s: &str) -> Result<Atom, E> {
                        s.parse().map(Atom).map_err(E::custom)
                    }
                }
                d.deserialize_any(V)
            }
        }

        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StatusMatch;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(STATUS_EXPECTED)
            }
            fn visit_u64<E: Error>(self, n: u64) -> Result<StatusMatch, E> {
                code(n).map(|p| StatusMatch(vec![p]))
            }
            fn visit_i64<E: Error>(self, n: i64) -> Result<StatusMatch, E> {
                Err(E::invalid_value(Unexpected::Signed(n), &self))
            }
            fn visit_str<E: Error>(self, s: &str) -> Result<StatusMatch, E> {
                s.parse().map(|p| StatusMatch(vec![p])).map_err(E::custom)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StatusMatch, A::Error> {
                let mut out = vec![];
                // serde_yaml hands over a parsed sequence: bounded by the file.
                while let Some(Atom(p)) = seq.next_element()? {
                    out.push(p);
                }
                if out.is_empty() {
                    return Err(Error::custom("an empty list of statuses matches nothing"));
                }
                Ok(StatusMatch(out))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    Asc,
    Desc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JsonType {
    String,
    Number,
    Integer,
    Boolean,
    Array,
    Object,
    Null,
}

/// An assertion on the nodes a path selects (JSON, XML) or on a header's value.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Assertion {
    pub path: Option<Query>,
    // On the list of selected nodes.
    pub exists: Option<bool>,
    pub count: Option<usize>,
    pub min_count: Option<usize>,
    pub max_count: Option<usize>,
    pub sorted: Option<SortOrder>,
    pub unique: Option<bool>,
    // On each selected node.
    pub equals: Option<Value>,
    pub not_equals: Option<Value>,
    pub one_of: Option<Vec<Value>>,
    pub matches: Option<Pattern>,
    #[serde(rename = "type")]
    pub json_type: Option<JsonType>,
    pub gt: Option<Value>,
    pub gte: Option<Value>,
    pub lt: Option<Value>,
    pub lte: Option<Value>,
    pub length: Option<usize>,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub contains: Option<Value>,
    /// The evidence for this assertion, when it differs from its `expect` block's or rule's.
    pub basis: Option<Basis>,
    /// Why: required with an inferred `basis`.
    pub note: Option<String>,
}

/// A regular expression as a contract writes it, compiled once when the contract is read. One
/// that does not compile keeps its error, for lint to report where it is written and for its
/// use to fail as it always did.
#[derive(Clone)]
pub struct Pattern {
    text: String,
    compiled: Result<regex::Regex, String>,
}

impl Pattern {
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let compiled = regex::Regex::new(&text).map_err(|e| e.to_string());
        Pattern { text, compiled }
    }

    /// The expression, compiled, or why it does not compile.
    pub fn regex(&self) -> Result<&regex::Regex, String> {
        self.compiled.as_ref().map_err(Clone::clone)
    }
}

/// A pattern reads as its text wherever it is shown or linted.
impl std::ops::Deref for Pattern {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl std::fmt::Debug for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.text.fmt(f)
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Pattern::new)
    }
}

impl Serialize for Pattern {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// Where an assertion's `path` points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssertionTarget {
    Json,
    Xml,
    Header,
}

impl Assertion {
    pub fn validate(&self, cx: &mut LintCx, at: &Pointer, target: AssertionTarget) {
        match (target, &self.path) {
            (AssertionTarget::Header, Some(_)) => cx.invalid(
                &at.key("path"),
                "a header assertion takes no `path`".into(),
                "remove `path`: the header's value is what is asserted".into(),
            ),
            (AssertionTarget::Json, Some(p)) => cx.jsonpath(&at.key("path"), p),
            (AssertionTarget::Xml, Some(p)) => cx.xml_path(&at.key("path"), p),
            (AssertionTarget::Json | AssertionTarget::Xml, None) => cx.invalid(
                at,
                "an assertion needs a `path`".into(),
                "add `path: \"$.data\"` (JSONPath) or an element path for XML".into(),
            ),
            (AssertionTarget::Header, None) => {}
        }
        if let Some(re) = &self.matches {
            cx.regex(&at.key("matches"), re);
        }
        if let Some(list) = &self.one_of {
            for (i, v) in list.iter().enumerate() {
                cx.template_value(&at.key("one_of").index(i), v);
            }
        }
        for (name, v) in [
            ("equals", &self.equals),
            ("not_equals", &self.not_equals),
            ("contains", &self.contains),
        ] {
            if let Some(v) = v {
                cx.template_value(&at.key(name), v);
            }
        }
        for (name, v) in [
            ("gt", &self.gt),
            ("gte", &self.gte),
            ("lt", &self.lt),
            ("lte", &self.lte),
        ] {
            match v {
                Some(Value::Number(_)) | None => {}
                Some(Value::String(s)) if s.contains("{{") => cx.template(&at.key(name), s),
                Some(other) => cx.invalid(
                    &at.key(name),
                    format!("`{name}` compares numbers, not {other}"),
                    "give a number, or a \"{{variable}}\" that holds one".into(),
                ),
            }
        }
        let has_check = self.exists.is_some()
            || self.count.is_some()
            || self.min_count.is_some()
            || self.max_count.is_some()
            || self.sorted.is_some()
            || self.unique.is_some()
            || self.equals.is_some()
            || self.not_equals.is_some()
            || self.one_of.is_some()
            || self.matches.is_some()
            || self.json_type.is_some()
            || self.gt.is_some()
            || self.gte.is_some()
            || self.lt.is_some()
            || self.lte.is_some()
            || self.length.is_some()
            || self.min_length.is_some()
            || self.max_length.is_some()
            || self.contains.is_some();
        if !has_check {
            cx.invalid(
                at,
                "this assertion asserts nothing".into(),
                "add an operator: exists, equals, matches, count, sorted, …".into(),
            );
        }
        if self.basis.is_some_and(|b| !b.is_stated()) {
            require_note(cx, at, self.note.as_deref());
        }
    }
}

/// An inferred basis says why: a `note` beside it.
fn require_note(cx: &mut LintCx, at: &Pointer, note: Option<&str>) {
    if note.is_none_or(|n| n.trim().is_empty()) {
        cx.invalid(
            &at.key("basis"),
            "an inferred basis needs a `note` saying why".into(),
            "add `note:` beside `basis:`: what the document leaves open, and why this reading"
                .into(),
        );
    }
}

/// What an answer must be.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub status: Option<StatusMatch>,
    pub content_type: Option<String>,
    pub schema: Option<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, Assertion>,
    #[serde(default)]
    pub json: Vec<Assertion>,
    #[serde(default)]
    pub xml: Vec<Assertion>,
    #[serde(default)]
    pub any_of: Vec<Expect>,
    /// The evidence for this block (or per part: `{ schema: framework }`), when it differs from
    /// the rule's.
    pub basis: Option<ExpectBasis>,
    /// Why: required with an inferred `basis`.
    pub note: Option<String>,
}

impl Expect {
    pub fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        if let Some(schema) = &self.schema {
            cx.schema(&at.key("schema"), schema);
        }
        for (name, a) in &self.headers {
            a.validate(cx, &at.key("headers").key(name), AssertionTarget::Header);
        }
        for (i, a) in self.json.iter().enumerate() {
            a.validate(cx, &at.key("json").index(i), AssertionTarget::Json);
        }
        for (i, a) in self.xml.iter().enumerate() {
            a.validate(cx, &at.key("xml").index(i), AssertionTarget::Xml);
        }
        for (i, alt) in self.any_of.iter().enumerate() {
            alt.validate(cx, &at.key("any_of").index(i));
        }
        if self.basis.as_ref().is_some_and(ExpectBasis::any_inferred) {
            require_note(cx, at, self.note.as_deref());
        }
    }

    /// The basis of `facet` in this block, else `outer`.
    pub fn basis_of(&self, facet: Facet, outer: Basis) -> Basis {
        self.basis
            .as_ref()
            .and_then(|b| b.of(facet))
            .unwrap_or(outer)
    }
}

/// A request, what its answer must be, and what to remember of it. The one step type: contracts
/// (`given`, lifecycles, the login flow) and load scenarios (`scenarios/*.yaml`) write their
/// steps with it. The fields after `capture` are a scenario's only; elsewhere lint refuses them
/// (see [`Step::scenario_fields`]).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub name: Option<String>,
    pub request: Request,
    /// `expect: 201` (a status, a class, a list of them) is short for `expect: { status: 201 }`.
    #[serde(default, deserialize_with = "expect_or_status")]
    pub expect: Option<Expect>,
    #[serde(default)]
    pub capture: BTreeMap<String, Query>,
    /// A load step: where the answer gives the next page's URL; the step is asked again there,
    /// until it is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow: Option<String>,
    /// A load step: the items of the answer; `then` runs once for each of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub each: Option<String>,
    /// A load step: variable → JSONPath into one item of `each` (`$` is the item).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub item: BTreeMap<String, String>,
    /// A load step: the steps its answer leads to, which see its captures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub then: Vec<Step>,
    /// A load scenario's setup step: how many times it is made, a formula over the dataset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<String>,
}

/// Where each field only a load scenario's steps take belongs.
const SCENARIO_FIELDS: &[(&str, &str)] = &[
    (
        "follow",
        "the load steps of a scenario (`export`, `on_start`, `transactions`)",
    ),
    (
        "each",
        "the load steps of a scenario (`export`, `on_start`, `transactions`)",
    ),
    (
        "item",
        "the load steps of a scenario (`export`, `on_start`, `transactions`)",
    ),
    (
        "then",
        "the load steps of a scenario (`export`, `on_start`, `transactions`)",
    ),
    ("repeat", "the `setup` steps of a scenario"),
];

impl Step {
    /// The scenario-only fields this step sets.
    pub fn scenario_fields(&self) -> Vec<&'static str> {
        let set = [
            self.follow.is_some(),
            self.each.is_some(),
            !self.item.is_empty(),
            !self.then.is_empty(),
            self.repeat.is_some(),
        ];
        SCENARIO_FIELDS
            .iter()
            .zip(set)
            .filter(|(_, set)| *set)
            .map(|((name, _), _)| *name)
            .collect()
    }

    /// Refuse every scenario-only field this step sets but `allowed`.
    pub fn refuse_scenario_fields(&self, cx: &mut LintCx, at: &Pointer, allowed: &[&str]) {
        for field in self.scenario_fields() {
            if allowed.contains(&field) {
                continue;
            }
            let belongs = SCENARIO_FIELDS
                .iter()
                .find(|(name, _)| *name == field)
                .map(|(_, belongs)| *belongs)
                .unwrap_or_default();
            cx.invalid(
                &at.key(field),
                format!("a step here takes no `{field}`: it belongs to {belongs}"),
                format!("remove `{field}`"),
            );
        }
    }

    /// Validate in order: the request sees the variables captured before it; its captures are
    /// in scope for what follows.
    pub fn validate(&self, cx: &mut LintCx, at: &Pointer) {
        self.validate_allowing(cx, at, &[]);
    }

    /// [`Step::validate`], taking the scenario-only fields in `allowed`.
    pub fn validate_allowing(&self, cx: &mut LintCx, at: &Pointer, allowed: &[&str]) {
        self.refuse_scenario_fields(cx, at, allowed);
        self.request.validate(cx, &at.key("request"));
        if let Some(e) = &self.expect {
            e.validate(cx, &at.key("expect"));
        }
        for (name, path) in &self.capture {
            cx.jsonpath(&at.key("capture").key(name), path);
            cx.define_var(name);
        }
    }
}

/// Validate a list of steps in order.
pub fn validate_steps(steps: &[Step], cx: &mut LintCx, at: &Pointer) {
    for (i, s) in steps.iter().enumerate() {
        s.validate(cx, &at.index(i));
    }
}

/// A step's `expect`: a block, or a status standing for `{ status: ... }`. A block's mistakes
/// are Expect's own, at their place.
fn expect_or_status<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Expect>, D::Error> {
    use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
    use serde::de::{Error, IntoDeserializer, MapAccess, SeqAccess, Visitor};

    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<Expect>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("struct Expect, or a status (201, \"2xx\", [200, 201])")
        }
        fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(V)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            Expect::deserialize(MapAccessDeserializer::new(map)).map(Some)
        }
        fn visit_u64<E: Error>(self, n: u64) -> Result<Self::Value, E> {
            StatusMatch::deserialize(n.into_deserializer()).map(status)
        }
        fn visit_i64<E: Error>(self, n: i64) -> Result<Self::Value, E> {
            StatusMatch::deserialize(n.into_deserializer()).map(status)
        }
        fn visit_str<E: Error>(self, s: &str) -> Result<Self::Value, E> {
            StatusMatch::deserialize(s.into_deserializer()).map(status)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            StatusMatch::deserialize(SeqAccessDeserializer::new(seq)).map(status)
        }
    }

    fn status(m: StatusMatch) -> Option<Expect> {
        Some(Expect {
            status: Some(m),
            ..Expect::default()
        })
    }
    d.deserialize_any(V)
}
