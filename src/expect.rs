//! Evaluating an `expect` against a recorded response. Every failed expectation becomes a
//! `Failure` that says what was checked, what was expected and what was observed; schema
//! failures also carry the instance path and the schema path.

use std::cmp::Ordering;
use std::sync::LazyLock;

use serde_json::Value;

use crate::basis::{Basis, Facet};
use crate::contract::step::{Assertion, Expect, JsonType, Pattern, SortOrder};
use crate::exchange::response::Response;
use crate::exchange::xml;
use crate::jsonpath::Query;
use crate::openapi::ApiDoc;
use crate::results::Failure;
use crate::vars::{scalar_text, Vars};

/// At most this many schema errors are reported for one body: the first ones say enough.
const MAX_SCHEMA_ERRORS: usize = 5;
/// Bodies up to this size report their first `MAX_SCHEMA_ERRORS` schema errors; larger ones
/// their first only (see `validate_body`).
const ALL_SCHEMA_ERRORS_UP_TO: usize = 256 << 10;

/// What an assertion without a `path` selects: the whole body.
static WHOLE_BODY: LazyLock<Query> = LazyLock::new(|| Query::new("$"));

/// Everything `expect` asks of `response` that it does not have. Empty: the response passes.
pub fn evaluate(expect: &Expect, response: &Response, api: &ApiDoc, vars: &Vars) -> Vec<Failure> {
    let mut failures = Vec::new();
    let note = expect.note.as_deref();
    let facet = |f: Facet| expect.basis.as_ref().and_then(|b| b.of(f));
    if let Some(status) = &expect.status {
        if !status.matches(response.status) {
            failures.push(
                Failure::new("status", status.to_string(), response.status.to_string())
                    .on_basis(facet(Facet::Status), note),
            );
        }
    }
    if let Some(ct) = &expect.content_type {
        failures.extend(
            check_content_type(ct, response).map(|f| f.on_basis(facet(Facet::ContentType), note)),
        );
    }
    if let Some(name) = &expect.schema {
        let basis = facet(Facet::Schema);
        failures.extend(
            check_schema(name, response, api)
                .into_iter()
                .map(|f| f.on_basis(basis, note)),
        );
    }
    for (name, assertion) in &expect.headers {
        let nodes: Vec<Value> = response
            .header_values(name)
            .into_iter()
            .map(|v| Value::String(v.to_string()))
            .collect();
        failures.extend(
            check_nodes(assertion, &nodes, &format!("header {name}"), vars)
                .into_iter()
                .map(of_assertion(assertion, facet(Facet::Headers), note)),
        );
    }
    if !expect.json.is_empty() {
        failures.extend(check_json_body(
            &expect.json,
            response,
            vars,
            facet(Facet::Json),
            note,
        ));
    }
    if !expect.xml.is_empty() {
        failures.extend(check_xml_body(
            &expect.xml,
            response,
            vars,
            facet(Facet::Xml),
            note,
        ));
    }
    if !expect.any_of.is_empty() {
        failures.extend(check_any_of(
            &expect.any_of,
            response,
            api,
            vars,
            facet(Facet::AnyOf),
            note,
        ));
    }
    failures
}

/// The media type of the response against the expected Content-Type (its parameters aside).
fn check_content_type(expected: &str, response: &Response) -> Option<Failure> {
    let want = expected
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let got = response.media_type();
    (got.as_deref() != Some(want.as_str())).then(|| {
        Failure::new(
            "content type",
            want,
            got.unwrap_or_else(|| "no Content-Type".into()),
        )
    })
}

/// An assertion's own basis, else its part's.
fn of_assertion<'a>(
    a: &'a Assertion,
    part: Option<Basis>,
    note: Option<&'a str>,
) -> impl Fn(Failure) -> Failure + 'a {
    move |f: Failure| f.on_basis(a.basis, a.note.as_deref()).on_basis(part, note)
}

/// The `json` assertions, on the body parsed as JSON.
fn check_json_body(
    assertions: &[Assertion],
    response: &Response,
    vars: &Vars,
    part: Option<Basis>,
    note: Option<&str>,
) -> Vec<Failure> {
    let body = match response.json() {
        Ok(body) => body,
        Err(e) => {
            let (basis, why) = body_basis(assertions, part, note);
            return vec![Failure::new("body", "a JSON body", e).on_basis(basis, why)];
        }
    };
    let mut failures = Vec::new();
    for a in assertions {
        let path = a.path.as_ref().unwrap_or(&WHOLE_BODY);
        let written = path.as_str();
        let judged = match select_json(&body, path, vars) {
            Ok(nodes) => check_nodes(a, &nodes, written, vars),
            Err(e) => vec![Failure::new(written, "a path that can be evaluated", e)],
        };
        failures.extend(judged.into_iter().map(of_assertion(a, part, note)));
    }
    failures
}

/// The `xml` assertions, on the body parsed as XML; their nodes are text.
fn check_xml_body(
    assertions: &[Assertion],
    response: &Response,
    vars: &Vars,
    part: Option<Basis>,
    note: Option<&str>,
) -> Vec<Failure> {
    let root = match response.text().and_then(xml::parse) {
        Ok(root) => root,
        Err(e) => {
            let (basis, why) = body_basis(assertions, part, note);
            return vec![Failure::new("body", "an XML body", e).on_basis(basis, why)];
        }
    };
    let mut failures = Vec::new();
    for a in assertions {
        let path = a.path.as_deref().unwrap_or("");
        let nodes: Vec<Value> = xml::select(&root, path)
            .into_iter()
            .map(Value::String)
            .collect();
        failures.extend(
            check_nodes_as(a, &nodes, &format!("xml {path}"), vars, Nodes::Text)
                .into_iter()
                .map(of_assertion(a, part, note)),
        );
    }
    failures
}

/// `any_of`: one failure when no alternative holds, saying how each failed first.
fn check_any_of(
    alternatives: &[Expect],
    response: &Response,
    api: &ApiDoc,
    vars: &Vars,
    stated_basis: Option<Basis>,
    note: Option<&str>,
) -> Option<Failure> {
    let outcomes: Vec<Vec<Failure>> = alternatives
        .iter()
        .map(|alt| evaluate(alt, response, api, vars))
        .collect();
    if outcomes.iter().any(|f| f.is_empty()) {
        return None;
    }
    let observed: Vec<String> = outcomes.iter().map(|f| f[0].to_string()).collect();
    // Inferred only when every alternative's failure is: one stated alternative that
    // fails keeps the whole stated.
    let basis = stated_basis.or_else(|| {
        let firsts: Vec<&Failure> = outcomes.iter().map(|f| &f[0]).collect();
        (!firsts.iter().any(|f| f.is_stated()))
            .then(|| firsts.iter().find_map(|f| f.basis))
            .flatten()
    });
    let why = outcomes.iter().find_map(|f| f[0].note.as_deref()).or(note);
    Some(
        Failure::new(
            "any of",
            format!("one of {} alternatives to hold", outcomes.len()),
            format!("none held: {}", observed.join("; ")),
        )
        .on_basis(basis, why),
    )
}

/// The basis of "no body to assert on": what its assertions rest on, stated as soon as one of
/// them is (a missing body breaks every assertion at once).
fn body_basis<'a>(
    assertions: &'a [Assertion],
    part: Option<Basis>,
    note: Option<&'a str>,
) -> (Option<Basis>, Option<&'a str>) {
    if assertions.iter().any(|a| a.basis.is_none()) {
        return (part, note);
    }
    if assertions.iter().any(|a| a.basis == Some(Basis::Stated)) {
        return (Some(Basis::Stated), None);
    }
    let first = assertions.first();
    (
        first.and_then(|a| a.basis),
        first.and_then(|a| a.note.as_deref()).or(note),
    )
}

/// The nodes a JSONPath selects, after rendering the `{{variables}}` it holds.
pub fn select_json(body: &Value, path: &Query, vars: &Vars) -> Result<Vec<Value>, String> {
    if let Some(parsed) = path.parsed() {
        return Ok(parsed.query(body).all().into_iter().cloned().collect());
    }
    let rendered = vars.render(path).map_err(|e| e.to_string())?;
    let p = crate::jsonpath::parse(&rendered)
        .map_err(|e| format!("invalid JSONPath `{rendered}`: {e}"))?;
    Ok(p.query(body).all().into_iter().cloned().collect())
}

/// The body against a named component schema.
pub fn check_schema(name: &str, response: &Response, api: &ApiDoc) -> Vec<Failure> {
    let subject = format!("schema {name}");
    let Some(validator) = api.schema_validator(name) else {
        return vec![Failure::new(
            subject,
            "a compiled schema",
            "no such schema in openapi.yaml",
        )];
    };
    validate_body(validator, response, &subject)
}

/// The body against a compiled validator: the first few errors, with their paths.
pub fn validate_body(
    validator: &jsonschema::Validator,
    response: &Response,
    subject: &str,
) -> Vec<Failure> {
    let body = match response.json() {
        Ok(b) => b,
        Err(e) => return vec![Failure::new(subject, "a JSON body", e)],
    };
    if validator.is_valid(&body) {
        return vec![];
    }
    // jsonschema collects every error before the first is given: a large body of wrong values
    // (4 million numbers where objects belong) would cost gigabytes. Such a body reports its
    // first error only, which validation finds without collecting the rest.
    if response.body.len() > ALL_SCHEMA_ERRORS_UP_TO {
        return validator
            .validate(&body)
            .err()
            .map(|e| schema_failure(subject, &e))
            .into_iter()
            .collect();
    }
    validator
        .iter_errors(&body)
        .take(MAX_SCHEMA_ERRORS)
        .map(|e| schema_failure(subject, &e))
        .collect()
}

fn schema_failure(subject: &str, e: &jsonschema::ValidationError<'_>) -> Failure {
    Failure {
        instance_path: Some(e.instance_path().to_string()),
        schema_path: Some(e.schema_path().to_string()),
        ..Failure::new(
            subject,
            "the body to match the schema",
            short_text(&e.to_string()),
        )
    }
}

/// One assertion on the nodes a path selected.
pub fn check_nodes(a: &Assertion, nodes: &[Value], subject: &str, vars: &Vars) -> Vec<Failure> {
    check_nodes_as(a, nodes, subject, vars, Nodes::Json)
}

/// What the selected nodes are: JSON values keep their types (`"true"` is not `true`); text
/// nodes (XML elements, header values) equal the scalar they spell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nodes {
    Json,
    Text,
}

pub fn check_nodes_as(
    a: &Assertion,
    nodes: &[Value],
    subject: &str,
    vars: &Vars,
    kind: Nodes,
) -> Vec<Failure> {
    let mut found = Findings {
        subject,
        failures: Vec::new(),
    };
    check_selection(a, nodes, kind, &mut found);
    if !has_node_operators(a) {
        return found.failures;
    }
    if nodes.is_empty() {
        if a.exists != Some(false) {
            found.fail("a value to check".into(), "the path selects nothing".into());
        }
        return found.failures;
    }
    let operands = match Operands::render(a, vars) {
        Ok(o) => o,
        Err(why) => {
            found.fail("an assertion that can be evaluated".into(), why);
            return found.failures;
        }
    };
    for node in nodes {
        check_node(a, node, &operands, kind, &mut found);
    }
    found.failures
}

/// The failures of one assertion on the nodes of one subject.
struct Findings<'a> {
    subject: &'a str,
    failures: Vec<Failure>,
}

impl Findings<'_> {
    fn fail(&mut self, expected: String, observed: String) {
        self.failures
            .push(Failure::new(self.subject, expected, observed));
    }
}

/// The operators on the selection as a whole: `exists`, the counts, `sorted`, `unique`.
fn check_selection(a: &Assertion, nodes: &[Value], kind: Nodes, found: &mut Findings) {
    let shown = || show_nodes(nodes);
    match a.exists {
        Some(true) if nodes.is_empty() => found.fail("at least one value".into(), "none".into()),
        Some(false) if !nodes.is_empty() => found.fail("no value".into(), shown()),
        _ => {}
    }
    if let Some(n) = a.count {
        if nodes.len() != n {
            found.fail(
                format!("{n} value(s)"),
                format!("{}: {}", nodes.len(), shown()),
            );
        }
    }
    if let Some(n) = a.min_count {
        if nodes.len() < n {
            found.fail(format!("at least {n} value(s)"), format!("{}", nodes.len()));
        }
    }
    if let Some(n) = a.max_count {
        if nodes.len() > n {
            found.fail(format!("at most {n} value(s)"), format!("{}", nodes.len()));
        }
    }
    if let Some(order) = a.sorted {
        let word = if order == SortOrder::Asc {
            "ascending"
        } else {
            "descending"
        };
        // Integers written as strings (ids such as "9", "10") may be sorted by the number they
        // spell or as text: either order holds.
        let as_numbers: Option<Vec<Value>> = nodes.iter().map(integer_text).collect();
        let in_numeric_order = as_numbers
            .as_deref()
            .is_some_and(|n| first_disorder(n, order).is_none());
        if !in_numeric_order {
            if let Some(observed) = first_disorder(nodes, order) {
                found.fail(format!("{word} order"), observed);
            }
        }
    }
    if a.unique == Some(true) {
        if let Some((i, v)) = nodes
            .iter()
            .enumerate()
            .find(|(i, v)| nodes[..*i].iter().any(|p| nodes_equal(kind, p, v)))
        {
            found.fail(
                "unique values".into(),
                format!("{} repeated (value {})", short(v), i + 1),
            );
        }
    }
}

/// Whether the assertion has an operator that judges each node.
fn has_node_operators(a: &Assertion) -> bool {
    a.equals.is_some()
        || a.not_equals.is_some()
        || a.one_of.is_some()
        || a.matches.is_some()
        || a.json_type.is_some()
        || a.gt.is_some()
        || a.gte.is_some()
        || a.lt.is_some()
        || a.lte.is_some()
        || a.length.is_some()
        || a.min_length.is_some()
        || a.max_length.is_some()
        || a.contains.is_some()
}

/// The values the per-node operators compare with, their `{{variables}}` rendered.
struct Operands<'a> {
    equals: Option<Value>,
    not_equals: Option<Value>,
    one_of: Option<Vec<Value>>,
    contains: Option<Value>,
    regex: Option<&'a regex::Regex>,
    /// `gt`, `gte`, `lt`, `lte`, each rendered to a number or why it cannot be.
    bounds: Vec<(&'static str, Result<Option<f64>, String>)>,
}

impl<'a> Operands<'a> {
    /// `Err`: the first operand that cannot be rendered, or the regex that does not compile.
    fn render(a: &'a Assertion, vars: &Vars) -> Result<Self, String> {
        let render = |v: &Value| vars.render_value(v).map_err(|e| e.to_string());
        let equals = a.equals.as_ref().map(render).transpose();
        let not_equals = a.not_equals.as_ref().map(render).transpose();
        let one_of = a
            .one_of
            .as_ref()
            .map(|l| l.iter().map(render).collect::<Result<Vec<_>, _>>())
            .transpose();
        let contains = a.contains.as_ref().map(render).transpose();
        let bounds: Vec<(&'static str, Result<Option<f64>, String>)> = [
            ("gt", &a.gt),
            ("gte", &a.gte),
            ("lt", &a.lt),
            ("lte", &a.lte),
        ]
        .into_iter()
        .map(|(n, v)| {
            (
                n,
                v.as_ref()
                    .map(|v| {
                        render(v).and_then(|r| {
                            as_number(&r).ok_or(format!("`{n}` is not a number: {r}"))
                        })
                    })
                    .transpose(),
            )
        })
        .collect();
        let regex = a.matches.as_ref().map(Pattern::regex).transpose();
        // A bound that cannot be rendered fails the assertion as any other operand does: skipping
        // it would make `gt: '{{missing}}'` a check that cannot fail.
        let bounds_ok: Result<(), String> = bounds
            .iter()
            .find_map(|(_, b)| b.as_ref().err().cloned())
            .map_or(Ok(()), Err);
        match (equals, not_equals, one_of, contains, regex, bounds_ok) {
            (Ok(equals), Ok(not_equals), Ok(one_of), Ok(contains), Ok(regex), Ok(())) => {
                Ok(Operands {
                    equals,
                    not_equals,
                    one_of,
                    contains,
                    regex,
                    bounds,
                })
            }
            (e, n, o, c, r, b) => Err([e.err(), n.err(), o.err(), c.err(), r.err(), b.err()]
                .into_iter()
                .flatten()
                .next()
                .unwrap_or_default()),
        }
    }
}

/// The per-node operators on one node.
fn check_node(a: &Assertion, node: &Value, operands: &Operands, kind: Nodes, found: &mut Findings) {
    if let Some(e) = &operands.equals {
        if !equals_expected(kind, a.equals.as_ref().unwrap_or(&Value::Null), node, e) {
            found.fail(format!("= {}", short(e)), short(node));
        }
    }
    if let Some(e) = &operands.not_equals {
        if equals_expected(kind, a.not_equals.as_ref().unwrap_or(&Value::Null), node, e) {
            found.fail(format!("≠ {}", short(e)), short(node));
        }
    }
    if let Some(list) = &operands.one_of {
        let raws = a.one_of.as_deref().unwrap_or_default();
        if !list
            .iter()
            .zip(raws)
            .any(|(e, raw)| equals_expected(kind, raw, node, e))
        {
            found.fail(
                format!("one of {}", Value::Array(list.clone())),
                short(node),
            );
        }
    }
    if let Some(re) = operands.regex {
        match node {
            Value::String(s) if re.is_match(s) => {}
            Value::String(_) => found.fail(format!("a match of /{}/", re.as_str()), short(node)),
            other => found.fail(format!("a string matching /{}/", re.as_str()), short(other)),
        }
    }
    if let Some(t) = a.json_type {
        if !has_type(node, t) {
            found.fail(
                format!("type {}", format!("{t:?}").to_lowercase()),
                short(node),
            );
        }
    }
    check_bounds(node, &operands.bounds, found);
    check_lengths(a, node, found);
    if let Some(c) = &operands.contains {
        let ok = match node {
            Value::Array(items) => items
                .iter()
                .any(|i| equals_expected(kind, a.contains.as_ref().unwrap_or(&Value::Null), i, c)),
            Value::String(s) => s.contains(&scalar_text(c)),
            _ => false,
        };
        if !ok {
            found.fail(format!("to contain {}", short(c)), short(node));
        }
    }
}

/// `gt`, `gte`, `lt`, `lte` on one node (each bound rendered: `Operands::render` refuses the rest).
fn check_bounds(
    node: &Value,
    bounds: &[(&'static str, Result<Option<f64>, String>)],
    found: &mut Findings,
) {
    for (name, bound) in bounds {
        let Ok(Some(b)) = bound else { continue };
        let Some(n) = as_number(node) else {
            found.fail(format!("a number {name} {b}"), short(node));
            continue;
        };
        let ok = match *name {
            "gt" => n > *b,
            "gte" => n >= *b,
            "lt" => n < *b,
            _ => n <= *b,
        };
        if !ok {
            found.fail(format!("{name} {b}"), short(node));
        }
    }
}

/// `length`, `min_length`, `max_length` on one node.
fn check_lengths(a: &Assertion, node: &Value, found: &mut Findings) {
    let len = length_of(node);
    for (name, want, ord) in [
        ("length", a.length, [Ordering::Equal, Ordering::Equal]),
        (
            "min_length",
            a.min_length,
            [Ordering::Equal, Ordering::Greater],
        ),
        (
            "max_length",
            a.max_length,
            [Ordering::Equal, Ordering::Less],
        ),
    ] {
        let Some(w) = want else { continue };
        match len {
            Some(l) if ord.contains(&l.cmp(&w)) => {}
            Some(l) => found.fail(
                format!("{name} {w}"),
                format!("length {l}: {}", short(node)),
            ),
            None => found.fail(
                format!("{name} {w}"),
                format!("a value with no length: {}", short(node)),
            ),
        }
    }
}

/// Whether `node` equals `expected`, the rendering of the assertion's `raw` value. A value
/// built by interpolation (`"{{unix_now}}21"`) is text, and equals the number it spells; a
/// literal keeps its JSON type (but for text nodes, which equal the scalar they spell).
fn equals_expected(kind: Nodes, raw: &Value, node: &Value, expected: &Value) -> bool {
    let interpolated = matches!(raw, Value::String(t) if t.contains("{{"));
    if kind == Nodes::Text || interpolated {
        loose_eq(node, expected)
    } else {
        json_eq(node, expected)
    }
}

/// Whether two selected nodes are equal, as nodes of their kind compare.
fn nodes_equal(kind: Nodes, x: &Value, y: &Value) -> bool {
    match kind {
        Nodes::Json => json_eq(x, y),
        Nodes::Text => loose_eq(x, y),
    }
}

/// JSON equality, but for numbers: `1` equals `1.0`.
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// Equality that lets `1` equal `1.0`, and a text node (XML, header) equal the scalar it spells.
pub fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::String(s), other @ (Value::Number(_) | Value::Bool(_)))
        | (other @ (Value::Number(_) | Value::Bool(_)), Value::String(s)) => {
            *s == scalar_text(other)
        }
        _ => a == b,
    }
}

/// The first pair of `nodes` out of `order`, described; None when they are in order.
fn first_disorder(nodes: &[Value], order: SortOrder) -> Option<String> {
    for w in nodes.windows(2) {
        match compare(&w[0], &w[1]) {
            None => {
                return Some(format!(
                    "values that do not compare: {} and {}",
                    short(&w[0]),
                    short(&w[1])
                ))
            }
            Some(o)
                if (order == SortOrder::Asc && o == Ordering::Greater)
                    || (order == SortOrder::Desc && o == Ordering::Less) =>
            {
                return Some(format!("{} before {}", short(&w[0]), short(&w[1])))
            }
            _ => {}
        }
    }
    None
}

/// The integer a string spells (`"10"` → 10); None for any other value.
fn integer_text(v: &Value) -> Option<Value> {
    let Value::String(s) = v else { return None };
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok().map(Value::from)
}

fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn has_type(v: &Value, t: JsonType) -> bool {
    match (t, v) {
        (JsonType::String, Value::String(_)) => true,
        (JsonType::Number, Value::Number(_)) => true,
        (JsonType::Integer, Value::Number(n)) => {
            n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        (JsonType::Boolean, Value::Bool(_)) => true,
        (JsonType::Array, Value::Array(_)) => true,
        (JsonType::Object, Value::Object(_)) => true,
        (JsonType::Null, Value::Null) => true,
        _ => false,
    }
}

fn length_of(v: &Value) -> Option<usize> {
    match v {
        Value::String(s) => Some(s.chars().count()),
        Value::Array(a) => Some(a.len()),
        Value::Object(m) => Some(m.len()),
        _ => None,
    }
}

/// A value for a report line, cut to a readable size.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else {
        s
    }
}

/// A message cut to a readable size: jsonschema's messages quote the whole instance, which the
/// exchange already shows.
fn short_text(s: &str) -> String {
    if s.chars().count() > 300 {
        format!("{}…", s.chars().take(300).collect::<String>())
    } else {
        s.to_string()
    }
}

fn show_nodes(nodes: &[Value]) -> String {
    short(&Value::Array(nodes.iter().take(10).cloned().collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn assertion(yaml: &str) -> Assertion {
        serde_yaml::from_str(yaml).unwrap()
    }

    fn check(yaml: &str, nodes: Value) -> Vec<Failure> {
        let mut vars = Vars::new();
        vars.set("total", json!(3));
        let nodes = nodes.as_array().unwrap().clone();
        check_nodes(&assertion(yaml), &nodes, "$.x", &vars)
    }

    /// Each failure of `expect` (YAML) on `response`, with its basis.
    fn bases(expect: &str, response: &Response) -> Vec<(String, Option<Basis>)> {
        let api = crate::openapi::ApiDoc::load(
            std::path::Path::new("openapi.yaml"),
            "openapi: 3.0.3\ninfo: { title: t, version: '1' }\npaths: {}\n",
        )
        .unwrap();
        let expect: Expect = serde_yaml::from_str(expect).unwrap();
        evaluate(&expect, response, &api, &Vars::new())
            .into_iter()
            .map(|f| (f.subject, f.basis))
            .collect()
    }

    #[test]
    fn each_part_fails_on_its_own_basis() {
        let json = Response::new(
            404,
            vec![("content-type".into(), "text/html".into())],
            br#"{"detail": 7}"#.to_vec(),
        );
        let found = bases(
            "{ status: 200, content_type: application/json, basis: { content_type: convention }, note: n,\n  json: [ { path: $.detail, type: string, basis: example, note: m }, { path: $.id, exists: true } ] }",
            &json,
        );
        assert_eq!(
            found,
            vec![
                ("status".to_string(), None),
                ("content type".to_string(), Some(Basis::Convention)),
                ("$.detail".to_string(), Some(Basis::Example)),
                ("$.id".to_string(), None),
            ]
        );
        // No body to assert on breaks every assertion: stated as soon as one of them is.
        let html = Response::new(200, vec![], b"<html>".to_vec());
        let one = "{ json: [ { path: $.a, exists: true, basis: example, note: m } ] }";
        assert_eq!(bases(one, &html)[0].1, Some(Basis::Example));
        let mixed = "{ json: [ { path: $.a, exists: true, basis: example, note: m }, { path: $.b, exists: true, basis: stated } ] }";
        assert_eq!(bases(mixed, &html)[0].1, Some(Basis::Stated));
        let inherited = "{ json: [ { path: $.a, exists: true, basis: example, note: m }, { path: $.b, exists: true } ] }";
        assert_eq!(
            bases(inherited, &html)[0].1,
            None,
            "the rule's basis, filled in later"
        );
    }

    #[test]
    fn list_operators_hold_and_fail() {
        assert!(check("{exists: true}", json!([1])).is_empty());
        assert_eq!(check("{exists: true}", json!([])).len(), 1);
        assert!(check("{exists: false}", json!([])).is_empty());
        assert_eq!(check("{exists: false}", json!([null])).len(), 1);
        assert!(check("{count: 2}", json!([1, 2])).is_empty());
        assert_eq!(check("{count: 2}", json!([1])).len(), 1);
        assert_eq!(check("{min_count: 2}", json!([1])).len(), 1);
        assert_eq!(check("{max_count: 1}", json!([1, 2])).len(), 1);
        assert!(check("{sorted: asc}", json!([1, 2, 2, 10])).is_empty());
        assert_eq!(check("{sorted: asc}", json!([1, 10, 2])).len(), 1);
        assert!(check("{sorted: desc}", json!(["b", "a"])).is_empty());
        // Integers written as strings hold in numeric order or in text order, not in neither.
        assert!(check("{sorted: asc}", json!(["9", "10", "11"])).is_empty());
        assert!(check("{sorted: asc}", json!(["10", "11", "9"])).is_empty());
        assert!(check("{sorted: desc}", json!(["11", "10", "9"])).is_empty());
        assert_eq!(check("{sorted: asc}", json!(["10", "9", "11"])).len(), 1);
        assert_eq!(check("{sorted: asc}", json!(["9", "10", "a"])).len(), 1);
        assert_eq!(
            check("{sorted: asc}", json!([1, "a"])).len(),
            1,
            "mixed types do not compare"
        );
        assert!(check("{unique: true}", json!([1, 2, 3])).is_empty());
        assert_eq!(check("{unique: true}", json!([1, 2, 1.0])).len(), 1);
    }

    #[test]
    fn node_operators_hold_and_fail() {
        assert!(check("{equals: 3}", json!([3.0])).is_empty());
        assert!(check("{equals: '{{total}}'}", json!([3])).is_empty());
        assert_eq!(check("{equals: '{{total}}'}", json!([4])).len(), 1);
        assert_eq!(
            check("{equals: '{{missing}}'}", json!([4]))[0].observed,
            "no value for `{{missing}}`"
        );
        assert!(check("{not_equals: 1}", json!([2])).is_empty());
        assert!(check(
            "{one_of: [pending, completed]}",
            json!(["pending", "completed"])
        )
        .is_empty());
        assert_eq!(
            check("{one_of: [pending, completed]}", json!(["done"])).len(),
            1
        );
        assert!(check("{matches: '^ct_live_'}", json!(["ct_live_x"])).is_empty());
        assert_eq!(check("{matches: '^ct_live_'}", json!([5])).len(), 1);
        assert!(check("{type: integer}", json!([1, 2.0])).is_empty());
        assert_eq!(check("{type: integer}", json!([1.5])).len(), 1);
        assert!(check("{gte: 1, lt: '{{total}}'}", json!([1, 2])).is_empty());
        // An unrenderable bound fails the assertion; it is never skipped.
        let unrenderable = check("{gt: '{{missing}}'}", json!([5]));
        assert_eq!(unrenderable.len(), 1, "{unrenderable:?}");
        assert_eq!(
            unrenderable[0].expected,
            "an assertion that can be evaluated"
        );
        assert_eq!(check("{lte: 'many'}", json!([5])).len(), 1);
        assert_eq!(check("{gt: 2}", json!([2])).len(), 1);
        assert!(check("{length: 2}", json!([[1, 2], "ab"])).is_empty());
        assert_eq!(
            check("{max_length: 100}", json!(["x".repeat(101)])).len(),
            1
        );
        assert!(check("{contains: 45}", json!([[47, 45]])).is_empty());
        assert_eq!(check("{contains: x}", json!(["abc"])).len(), 1);
        // Every node is checked, and nothing selected is a failure of its own.
        assert_eq!(check("{equals: 1}", json!([1, 2, 3])).len(), 2);
        assert_eq!(check("{equals: 1}", json!([])).len(), 1);
    }

    #[test]
    fn json_paths_render_their_variables() {
        let mut vars = Vars::new();
        vars.set("id", json!(46));
        let body = json!([{"id": 45, "s": 0}, {"id": 46, "s": 1}]);
        assert_eq!(
            select_json(&body, &Query::new("$[?@.id == {{id}}].s"), &vars).unwrap(),
            vec![json!(1)]
        );
        assert!(
            select_json(&body, &Query::new("$[?@.id == {{nope}}]"), &vars)
                .unwrap_err()
                .contains("nope")
        );
    }

    #[test]
    fn json_values_keep_their_types() {
        assert_eq!(
            check("{one_of: [true, false, null]}", json!(["true"])).len(),
            1
        );
        assert!(check("{one_of: [true, false, null]}", json!([true, null])).is_empty());
        assert_eq!(check("{equals: 3}", json!(["3"])).len(), 1);
        // Interpolated text equals the number it spells.
        assert!(check("{equals: '{{total}}1'}", json!([31])).is_empty());
        let text = check_nodes_as(
            &assertion("{equals: 3}"),
            &[json!("3")],
            "xml x",
            &Vars::new(),
            Nodes::Text,
        );
        assert!(text.is_empty(), "an XML text node spells the number");
    }

    #[test]
    fn text_nodes_compare_with_scalars() {
        assert!(loose_eq(&json!("3"), &json!(3)));
        assert!(loose_eq(&json!(true), &json!("true")));
        assert!(!loose_eq(&json!("3"), &json!("03")));
    }
}
