//! The OpenAPI half of a spec: parsed with `openapiv3`, every `$ref` checked, every schema turned
//! from OpenAPI 3.0 into JSON Schema and compiled once with `jsonschema`, to be evaluated many
//! times by the runner.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::basis::Basis;
use crate::error::{SpecError, SpecErrorKind, SpecErrors};
use crate::locate::{pointer_of, Locator, Pointer};

/// Which side of the exchange a schema describes: `readOnly` properties are only required in
/// responses, `writeOnly` ones only in requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Request,
    Response,
}

/// One operation, as rules see it.
#[derive(Debug, Clone)]
pub struct OperationInfo {
    pub id: String,
    pub method: String,
    pub path: String,
    pub path_params: Vec<String>,
    /// Documented response keys: `200`, `4XX`, `default`.
    pub statuses: Vec<String>,
    pub pointer: Pointer,
}

impl OperationInfo {
    /// The documented response key that covers `status`, most specific first.
    pub fn response_key(&self, status: u16) -> Option<&str> {
        let exact = status.to_string();
        let class = format!("{}XX", status / 100);
        self.statuses
            .iter()
            .find(|s| **s == exact)
            .or_else(|| {
                self.statuses
                    .iter()
                    .find(|s| s.eq_ignore_ascii_case(&class))
            })
            .or_else(|| self.statuses.iter().find(|s| *s == "default"))
            .map(String::as_str)
    }
}

/// The compiled OpenAPI document of one API.
pub struct ApiDoc {
    pub doc: openapiv3::OpenAPI,
    /// The document as JSON, for pointers and examples.
    pub raw: Value,
    pub operations: BTreeMap<String, OperationInfo>,
    pub schema_names: BTreeSet<String>,
    /// (operationId, response key, media type) → the response body's validator.
    responses: HashMap<(String, String, String), Arc<jsonschema::Validator>>,
    /// component schema name → validator (response direction), for `expect.schema`.
    components: HashMap<String, Arc<jsonschema::Validator>>,
    /// (operationId, response key) → the evidence of that response's body schema, from its
    /// `x-basis` and `x-basis-note` (stated when absent).
    response_bases: HashMap<(String, String), (Basis, Option<String>)>,
}

impl std::fmt::Debug for ApiDoc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiDoc")
            .field("operations", &self.operations.keys().collect::<Vec<_>>())
            .field("schemas", &self.schema_names)
            .finish()
    }
}

impl ApiDoc {
    /// The validator of the body of `operation`'s response with key `status_key` and
    /// `media_type` (the first JSON media type when `None`).
    pub fn response_validator(
        &self,
        operation: &str,
        status_key: &str,
        media_type: Option<&str>,
    ) -> Option<&jsonschema::Validator> {
        match media_type {
            Some(m) => self
                .responses
                .get(&(operation.to_string(), status_key.to_string(), m.to_string()))
                .map(|v| v.as_ref()),
            None => self
                .responses
                .iter()
                .find(|((op, st, _), _)| op == operation && st == status_key)
                .map(|(_, v)| v.as_ref()),
        }
    }

    /// The evidence of the body schema of `operation`'s response `status_key`, and why when it
    /// is inferred: an error body the document never shows rests on a framework's default.
    pub fn response_basis(&self, operation: &str, status_key: &str) -> (Basis, Option<&str>) {
        self.response_bases
            .get(&(operation.to_string(), status_key.to_string()))
            .map(|(b, n)| (*b, n.as_deref()))
            .unwrap_or((Basis::Stated, None))
    }

    /// The documented response bodies (operation and status) by the basis of their schema.
    pub fn response_schema_bases(&self) -> BTreeMap<Basis, usize> {
        let keys: BTreeSet<(&String, &String)> =
            self.responses.keys().map(|(op, st, _)| (op, st)).collect();
        let mut out = BTreeMap::new();
        for (op, st) in keys {
            *out.entry(self.response_basis(op, st).0).or_default() += 1;
        }
        out
    }

    pub fn schema_validator(&self, name: &str) -> Option<&jsonschema::Validator> {
        self.components.get(name).map(|v| v.as_ref())
    }

    pub fn compiled_count(&self) -> usize {
        self.responses.len() + self.components.len()
    }

    /// Parse, check and compile `text` (the content of `file`).
    pub fn load(file: &Path, text: &str) -> Result<ApiDoc, SpecErrors> {
        let mut errors = SpecErrors::default();
        let loc = Locator::new(file, text).map_err(|e| SpecErrors(vec![*e]))?;
        let raw: Value = match serde_yaml::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                let at = yaml_error_location(&loc, &e);
                return Err(SpecErrors(vec![SpecError::new(
                    at,
                    SpecErrorKind::Syntax(e.to_string()),
                )]));
            }
        };
        match raw.get("openapi").and_then(Value::as_str) {
            Some(v) if v.starts_with("3.0.") => {}
            other => {
                return Err(SpecErrors(vec![loc
                    .error(
                        &Pointer::root().key("openapi"),
                        SpecErrorKind::OpenApi(format!(
                            "`openapi: {}` is not supported",
                            other.unwrap_or("(missing)")
                        )),
                    )
                    .with_hint("write an OpenAPI 3.0.3 document: `openapi: 3.0.3`")]))
            }
        }
        let doc: openapiv3::OpenAPI = match serde_path_to_error::deserialize(&raw) {
            Ok(d) => d,
            Err(e) => {
                let at = pointer_of(&Pointer::root(), e.path());
                return Err(SpecErrors(vec![loc
                    .error(&at, SpecErrorKind::OpenApi(e.inner().to_string()))
                    .with_hint(format!(
                        "at `{}`: see the OpenAPI 3.0.3 specification for this object",
                        e.path()
                    ))]));
            }
        };

        check_refs(&raw, &Pointer::root(), &raw, &loc, &mut errors);
        if errors.is_empty() {
            check_ref_cycles(&raw, &loc, &mut errors);
        }
        let operations = collect_operations(&doc, &loc, &mut errors);
        let schema_names: BTreeSet<String> = raw
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        if !errors.is_empty() {
            return Err(errors);
        }

        let mut compiler = Compiler::new(&raw);
        let mut responses = HashMap::new();
        let mut response_bases = HashMap::new();
        for op in operations.values() {
            let op_raw = raw.pointer(op.pointer.as_str()).unwrap_or(&Value::Null);
            let Some(resps) = op_raw.get("responses").and_then(Value::as_object) else {
                continue;
            };
            for (status, resp) in resps {
                let resp_ptr = op.pointer.key("responses").key(status);
                let (resp, resp_ptr) = follow_ref(&raw, resp, resp_ptr);
                if let Some(b) = response_basis(resp, &resp_ptr, &loc, &mut errors) {
                    response_bases.insert((op.id.clone(), status.clone()), b);
                }
                let Some(content) = resp.get("content").and_then(Value::as_object) else {
                    continue;
                };
                for (media, m) in content {
                    if !is_json_media(media) {
                        continue;
                    }
                    if let Some(schema) = m.get("schema") {
                        let media_ptr = resp_ptr.key("content").key(media);
                        let at = media_ptr.key("schema");
                        match compiler.compile(schema, Direction::Response) {
                            Ok(v) => {
                                check_examples(m, &media_ptr, &v, &loc, &mut errors);
                                responses.insert((op.id.clone(), status.clone(), media.clone()), v);
                            }
                            Err(msg) => errors
                                .push(loc.error(&at, SpecErrorKind::SchemaCompile(msg)).with_hint(
                                    "fix this schema: OpenAPI 3.0 schema keywords only",
                                )),
                        }
                    }
                }
            }
        }
        let mut components = HashMap::new();
        for name in &schema_names {
            let reference = serde_json::json!({ "$ref": format!("#/components/schemas/{name}") });
            match compiler.compile(&reference, Direction::Response) {
                Ok(v) => {
                    let at = Pointer::root().key("components").key("schemas").key(name);
                    if let Some(schema) = raw.pointer(at.as_str()) {
                        check_examples(schema, &at, &v, &loc, &mut errors);
                    }
                    components.insert(name.clone(), v);
                }
                Err(msg) => errors.push(
                    loc.error(
                        &Pointer::root().key("components").key("schemas").key(name),
                        SpecErrorKind::SchemaCompile(msg),
                    )
                    .with_hint("fix this schema: OpenAPI 3.0 schema keywords only"),
                ),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ApiDoc {
            doc,
            raw,
            operations,
            schema_names,
            responses,
            components,
            response_bases,
        })
    }
}

/// A response's `x-basis` (and `x-basis-note`, required when the basis is inferred).
fn response_basis(
    resp: &Value,
    at: &Pointer,
    loc: &Locator,
    errors: &mut SpecErrors,
) -> Option<(Basis, Option<String>)> {
    let raw = resp.get("x-basis")?;
    let note = resp
        .get("x-basis-note")
        .and_then(Value::as_str)
        .map(str::to_string);
    let written = raw.as_str().unwrap_or_default();
    let Some(basis) = Basis::parse(written) else {
        errors.push(
            loc.error(
                &at.key("x-basis"),
                SpecErrorKind::Invalid(format!("unknown basis `{raw}`")),
            )
            .with_hint(crate::error::suggest(written, Basis::NAMES.iter().copied())),
        );
        return None;
    };
    if !basis.is_stated() && note.as_deref().is_none_or(|n| n.trim().is_empty()) {
        errors.push(
            loc.error(
                &at.key("x-basis"),
                SpecErrorKind::Invalid(format!(
                    "an inferred basis (`{basis}`) needs an `x-basis-note` saying why"
                )),
            )
            .with_hint("add `x-basis-note:` beside it: what the document leaves open"),
        );
    }
    Some((basis, note))
}

/// The document's examples must satisfy the schemas written beside them: an example that does
/// not is a wrong schema (or a wrong example), found before any target is.
fn check_examples(
    holder: &Value,
    at: &Pointer,
    validator: &jsonschema::Validator,
    loc: &Locator,
    errors: &mut SpecErrors,
) {
    let mut examples: Vec<(Pointer, &Value)> = Vec::new();
    if let Some(e) = holder.get("example") {
        examples.push((at.key("example"), e));
    }
    if let Some(Value::Object(named)) = holder.get("examples") {
        for (name, e) in named {
            if let Some(v) = e.get("value") {
                examples.push((at.key("examples").key(name).key("value"), v));
            }
        }
    }
    for (ptr, example) in examples {
        if let Some(err) = validator.iter_errors(example).next() {
            errors.push(
                loc.error(
                    &ptr,
                    SpecErrorKind::Invalid(format!(
                        "the example does not match its schema: {} (at `{}`)",
                        err,
                        err.instance_path()
                    )),
                )
                .with_hint("fix the schema (or the example, if it is not the document's)"),
            );
        }
    }
}

/// A JSON media type: `application/json`, `application/vnd.api+json`, `text/json`.
pub fn is_json_media(media: &str) -> bool {
    let m = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    m == "application/json" || m.ends_with("+json") || m == "text/json" || m == "*/*"
}

/// The location serde_yaml gives for its own errors, else the top of the file.
pub fn yaml_error_location(loc: &Locator, e: &serde_yaml::Error) -> crate::error::Location {
    match e.location() {
        Some(l) => crate::error::Location {
            file: loc.file().to_path_buf(),
            line: l.line(),
            column: l.column(),
        },
        None => loc.value(&Pointer::root()),
    }
}

fn follow_ref<'a>(root: &'a Value, v: &'a Value, at: Pointer) -> (&'a Value, Pointer) {
    if let Some(r) = v.get("$ref").and_then(Value::as_str) {
        if let Some(target) = r.strip_prefix('#').and_then(|p| root.pointer(p)) {
            let mut ptr = Pointer::root();
            for seg in r.trim_start_matches("#/").split('/') {
                ptr = ptr.key(&seg.replace("~1", "/").replace("~0", "~"));
            }
            return (target, ptr);
        }
    }
    (v, at)
}

/// Every `$ref` must be local and point at something.
fn check_refs(v: &Value, at: &Pointer, root: &Value, loc: &Locator, errors: &mut SpecErrors) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                let at = at.key("$ref");
                match r.strip_prefix('#') {
                    Some(p) if root.pointer(p).is_some() => {}
                    Some(_) => {
                        let name = r.rsplit('/').next().unwrap_or("");
                        let names: Vec<&str> = root
                            .pointer("/components/schemas")
                            .and_then(Value::as_object)
                            .map(|m| m.keys().map(String::as_str).collect())
                            .unwrap_or_default();
                        errors.push(
                            loc.error(&at, SpecErrorKind::DanglingRef(r.clone()))
                                .with_hint(format!(
                                    "define it, or point at an existing schema: {}",
                                    crate::error::suggest(name, names)
                                )),
                        );
                    }
                    None => errors.push(
                        loc.error(&at, SpecErrorKind::DanglingRef(r.clone()))
                            .with_hint("only local references (`#/components/...`) are supported: keep the spec in one file"),
                    ),
                }
            }
            for (k, x) in m {
                check_refs(x, &at.key(k), root, loc, errors);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                check_refs(x, &at.index(i), root, loc, errors);
            }
        }
        _ => {}
    }
}

/// The pointer a local `$ref` names (`#/components/schemas/A~1B` → `/components/schemas/A~1B`),
/// normalised to how [`Pointer`] writes it.
fn ref_target(r: &str) -> Option<Pointer> {
    let rest = r.strip_prefix('#')?;
    let mut ptr = Pointer::root();
    for seg in rest.split('/').skip(1) {
        ptr = ptr.key(&seg.replace("~1", "/").replace("~0", "~"));
    }
    Some(ptr)
}

/// How one node leads to another without descending into the instance it validates.
#[derive(Debug, Clone)]
struct InPlace {
    to: Pointer,
    /// The `$ref` that makes this step, if it is one (else an `allOf`, `anyOf`, `oneOf` or
    /// `not` member).
    via_ref: Option<Pointer>,
}

/// The nodes `v` (at `at`) applies to the same instance: its `$ref`'s target, and its
/// `allOf`, `anyOf`, `oneOf` and `not` members.
fn in_place_steps(v: &Value, at: &Pointer) -> Vec<InPlace> {
    let Value::Object(m) = v else {
        return vec![];
    };
    let mut out = vec![];
    if let Some(to) = m.get("$ref").and_then(Value::as_str).and_then(ref_target) {
        out.push(InPlace {
            to,
            via_ref: Some(at.key("$ref")),
        });
    }
    for k in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(members)) = m.get(k) {
            for i in 0..members.len() {
                out.push(InPlace {
                    to: at.key(k).index(i),
                    via_ref: None,
                });
            }
        }
    }
    if m.get("not").is_some_and(Value::is_object) {
        out.push(InPlace {
            to: at.key("not"),
            via_ref: None,
        });
    }
    out
}

/// A `$ref` that leads back to where it started without descending into the instance (through
/// `$ref`s, `allOf`, `anyOf`, `oneOf` or `not` only) asks a validator to check the same value
/// against itself forever; the validator gives up and accepts every body. Recursion through
/// `properties`, `items` or `additionalProperties` is fine: each turn descends one level into
/// the body, so it ends with the body (a tree whose children are trees). Each such loop is
/// reported once, at the `$ref` that closes it.
fn check_ref_cycles(root: &Value, loc: &Locator, errors: &mut SpecErrors) {
    // Every node of the document, parents before children: the order the search starts in.
    let mut nodes: Vec<Pointer> = vec![];
    let mut pending = vec![(Pointer::root(), root)];
    while let Some((at, v)) = pending.pop() {
        match v {
            Value::Object(m) => {
                nodes.push(at.clone());
                for (k, x) in m.iter().rev() {
                    pending.push((at.key(k), x));
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate().rev() {
                    pending.push((at.index(i), x));
                }
            }
            _ => {}
        }
    }
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let mut marks: HashMap<String, Mark> = HashMap::new();
    let mut reported: BTreeSet<String> = BTreeSet::new();
    for start in &nodes {
        if marks.get(start.as_str()).is_some_and(|m| *m != Mark::New) {
            continue;
        }
        // Depth-first, without recursion: (node, its steps, the next step to take, the step
        // that led here). Every node is entered once, so the loop ends after at most as many
        // steps as the document has members.
        let steps = root
            .pointer(start.as_str())
            .map(|v| in_place_steps(v, start))
            .unwrap_or_default();
        let mut path: Vec<(Pointer, Vec<InPlace>, usize, Option<Pointer>)> =
            vec![(start.clone(), steps, 0, None)];
        marks.insert(start.as_str().to_string(), Mark::OnPath);
        while let Some((node, steps, next, _)) = path.last_mut() {
            let Some(step) = steps.get(*next).cloned() else {
                marks.insert(node.as_str().to_string(), Mark::Done);
                path.pop();
                continue;
            };
            *next += 1;
            match marks.get(step.to.as_str()).copied().unwrap_or(Mark::New) {
                Mark::Done => {}
                Mark::OnPath => {
                    // A loop: from where `step.to` is on the path, back to it by `step`.
                    let from = path.iter().position(|(p, ..)| *p == step.to).unwrap_or(0);
                    let closing = step.via_ref.clone().or_else(|| {
                        path[from + 1..]
                            .iter()
                            .rev()
                            .find_map(|(_, _, _, via)| via.clone())
                    });
                    let Some(closing) = closing else { continue };
                    if !reported.insert(closing.as_str().to_string()) {
                        continue;
                    }
                    // Named by the nodes a `$ref` enters: A → B → A.
                    let mut names = vec![format!("#{}", step.to.as_str())];
                    names.extend(
                        path[from + 1..]
                            .iter()
                            .filter(|(_, _, _, via)| via.is_some())
                            .map(|(p, ..)| format!("#{}", p.as_str())),
                    );
                    names.push(format!("#{}", step.to.as_str()));
                    errors.push(
                        loc.error(&closing, SpecErrorKind::RefCycle(names.join(" → ")))
                            .with_hint(
                                "a schema may contain itself only below a property, an item or \
                                 an additional property (a tree's children); as written, no \
                                 body is ever checked against it",
                            ),
                    );
                }
                Mark::New => {
                    let Some(v) = root.pointer(step.to.as_str()) else {
                        continue;
                    };
                    let next_steps = in_place_steps(v, &step.to);
                    marks.insert(step.to.as_str().to_string(), Mark::OnPath);
                    path.push((step.to.clone(), next_steps, 0, step.via_ref.clone()));
                }
            }
        }
    }
}

/// Path template parameters: `/users/{id}/credentials` → `id`.
pub fn path_params(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        out.push(rest[start + 1..start + end].to_string());
        rest = &rest[start + end + 1..];
    }
    out
}

fn collect_operations(
    doc: &openapiv3::OpenAPI,
    loc: &Locator,
    errors: &mut SpecErrors,
) -> BTreeMap<String, OperationInfo> {
    let mut ops: BTreeMap<String, OperationInfo> = BTreeMap::new();
    for (path, item) in doc.paths.paths.iter() {
        let path_ptr = Pointer::root().key("paths").key(path);
        let Some(item) = item.as_item() else {
            errors.push(
                loc.error(
                    &path_ptr,
                    SpecErrorKind::OpenApi("a path item `$ref` is not supported".into()),
                )
                .with_hint("write the path item inline"),
            );
            continue;
        };
        for (method, op) in item.iter() {
            let at = path_ptr.key(method);
            let Some(id) = op.operation_id.clone() else {
                errors.push(
                    loc.error(
                        &at,
                        SpecErrorKind::OpenApi(format!(
                            "{} {path} has no operationId",
                            method.to_uppercase()
                        )),
                    )
                    .with_hint("add `operationId: someName`: rules refer to operations by it"),
                );
                continue;
            };
            if let Some(prev) = ops.get(&id) {
                let first = loc.value(&prev.pointer).line;
                errors.push(
                    loc.error(
                        &at.key("operationId"),
                        SpecErrorKind::OpenApi(format!(
                            "duplicate operationId `{id}` (first at line {first})"
                        )),
                    )
                    .with_hint("operationIds must be unique"),
                );
                continue;
            }
            let statuses = op
                .responses
                .responses
                .keys()
                .map(|s| s.to_string())
                .chain(op.responses.default.as_ref().map(|_| "default".to_string()))
                .collect();
            ops.insert(
                id.clone(),
                OperationInfo {
                    id,
                    method: method.to_ascii_uppercase(),
                    path: path.clone(),
                    path_params: path_params(path),
                    statuses,
                    pointer: at,
                },
            );
        }
    }
    ops
}

/// Turns OpenAPI 3.0 schemas into JSON Schema (2020-12) and compiles them. The converted
/// components travel inside each compiled root, so `#/components/schemas/X` references (even
/// recursive ones) resolve without rewriting.
struct Compiler {
    raw_components: Value,
    converted: HashMap<Direction, Value>,
}

impl Compiler {
    fn new(raw: &Value) -> Self {
        Compiler {
            raw_components: raw
                .pointer("/components/schemas")
                .cloned()
                .unwrap_or_else(|| Value::Object(Map::new())),
            converted: HashMap::new(),
        }
    }

    fn compile(
        &mut self,
        schema: &Value,
        dir: Direction,
    ) -> Result<Arc<jsonschema::Validator>, String> {
        let raw_components = &self.raw_components;
        let components = self
            .converted
            .entry(dir)
            .or_insert_with(|| {
                let mut out = Map::new();
                if let Value::Object(m) = raw_components {
                    for (name, s) in m {
                        out.insert(name.clone(), to_json_schema(s, dir));
                    }
                }
                Value::Object(out)
            })
            .clone();
        let mut root = match to_json_schema(schema, dir) {
            Value::Object(m) => m,
            other => {
                let mut m = Map::new();
                m.insert("allOf".into(), Value::Array(vec![other]));
                m
            }
        };
        root.insert(
            "components".into(),
            serde_json::json!({ "schemas": components }),
        );
        compile_json_schema(&Value::Object(root)).map(Arc::new)
    }
}

/// Compile a JSON Schema (2020-12, formats checked) as every schema of a spec is compiled,
/// once converted by [`to_json_schema`]. Public for fuzzing.
pub fn compile_json_schema(schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
        .map_err(|e| e.to_string())
}

/// One OpenAPI 3.0 schema as JSON Schema 2020-12.
pub fn to_json_schema(schema: &Value, dir: Direction) -> Value {
    let Value::Object(m) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (k, v) in m {
        match k.as_str() {
            "nullable" | "example" | "discriminator" | "xml" | "externalDocs" | "deprecated" => {}
            k if k.starts_with("x-") => {}
            "properties" | "patternProperties" => {
                let props = v
                    .as_object()
                    .map(|p| {
                        p.iter()
                            .map(|(name, s)| (name.clone(), to_json_schema(s, dir)))
                            .collect()
                    })
                    .unwrap_or_default();
                out.insert(k.to_string(), Value::Object(props));
            }
            "items" | "additionalProperties" | "not" => {
                out.insert(k.to_string(), to_json_schema(v, dir));
            }
            "allOf" | "anyOf" | "oneOf" => {
                let list = v
                    .as_array()
                    .map(|a| a.iter().map(|s| to_json_schema(s, dir)).collect())
                    .unwrap_or_default();
                out.insert(k.to_string(), Value::Array(list));
            }
            // OpenAPI 3.0 (draft 4) booleans become 2020-12 numbers.
            "exclusiveMinimum" | "exclusiveMaximum" => {
                if let Value::Bool(true) = v {
                    let bound = if k == "exclusiveMinimum" {
                        "minimum"
                    } else {
                        "maximum"
                    };
                    if let Some(n) = m.get(bound) {
                        out.insert(k.to_string(), n.clone());
                    }
                } else if v.is_number() {
                    out.insert(k.to_string(), v.clone());
                }
            }
            _ => {
                out.insert(k.to_string(), v.clone());
            }
        }
    }
    for bound in ["minimum", "maximum"] {
        let excl = if bound == "minimum" {
            "exclusiveMinimum"
        } else {
            "exclusiveMaximum"
        };
        if m.get(excl) == Some(&Value::Bool(true)) {
            out.remove(bound);
        }
    }
    // A property that only travels the other way is not required on this side.
    let skip_flag = match dir {
        Direction::Response => "writeOnly",
        Direction::Request => "readOnly",
    };
    if let (Some(Value::Array(required)), Some(Value::Object(props))) =
        (m.get("required"), m.get("properties"))
    {
        let kept: Vec<Value> = required
            .iter()
            .filter(|r| {
                let name = r.as_str().unwrap_or("");
                props.get(name).and_then(|p| p.get(skip_flag)) != Some(&Value::Bool(true))
            })
            .cloned()
            .collect();
        out.insert("required".into(), Value::Array(kept));
    }
    if m.get("nullable") == Some(&Value::Bool(true)) {
        if let Some(Value::Array(e)) = out.get_mut("enum") {
            if !e.contains(&Value::Null) {
                e.push(Value::Null);
            }
        }
        match out.get("type").cloned() {
            Some(Value::String(t)) => {
                out.insert("type".into(), serde_json::json!([t, "null"]));
            }
            _ => {
                return serde_json::json!({ "anyOf": [Value::Object(out), { "type": "null" }] });
            }
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nullable_becomes_a_null_alternative() {
        let s = to_json_schema(
            &json!({"type": "boolean", "nullable": true}),
            Direction::Response,
        );
        assert_eq!(s, json!({"type": ["boolean", "null"]}));
        let s = to_json_schema(
            &json!({"enum": ["a"], "type": "string", "nullable": true}),
            Direction::Response,
        );
        assert_eq!(s["enum"], json!(["a", null]));
        let s = to_json_schema(
            &json!({"allOf": [{"$ref": "#/components/schemas/X"}], "nullable": true}),
            Direction::Response,
        );
        assert_eq!(s["anyOf"][1], json!({"type": "null"}));
    }

    #[test]
    fn read_only_and_write_only_change_required_by_direction() {
        let s = json!({
            "type": "object",
            "required": ["id", "password", "name"],
            "properties": {
                "id": {"type": "integer", "readOnly": true},
                "password": {"type": "string", "writeOnly": true},
                "name": {"type": "string"}
            }
        });
        assert_eq!(
            to_json_schema(&s, Direction::Response)["required"],
            json!(["id", "name"])
        );
        assert_eq!(
            to_json_schema(&s, Direction::Request)["required"],
            json!(["password", "name"])
        );
    }

    #[test]
    fn property_named_like_a_keyword_is_kept() {
        let s = to_json_schema(
            &json!({"properties": {"example": {"type": "string", "example": "x"}}}),
            Direction::Response,
        );
        assert_eq!(s, json!({"properties": {"example": {"type": "string"}}}));
    }

    #[test]
    fn draft4_exclusive_bounds_become_numbers() {
        let s = to_json_schema(
            &json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true}),
            Direction::Request,
        );
        assert_eq!(s, json!({"type": "integer", "exclusiveMinimum": 0}));
    }

    #[test]
    fn path_params_are_read_from_templates() {
        assert_eq!(
            path_params("/a/{id}/b/{task_id}.{format}"),
            vec!["id", "task_id", "format"]
        );
        assert!(path_params("/health").is_empty());
    }

    /// An OpenAPI document whose `GET /tree` answers `schema`, with `components` as given.
    fn doc_with(schema: &str, components: &str) -> String {
        format!(
            "openapi: 3.0.3\ninfo: {{ title: t, version: '1' }}\npaths:\n  /tree:\n    get:\n      operationId: getTree\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {schema}\ncomponents:\n  schemas:\n{components}"
        )
    }

    fn load(text: &str) -> Result<ApiDoc, SpecErrors> {
        ApiDoc::load(Path::new("openapi.yaml"), text)
    }

    /// A tree whose children are optional recurses through `items`: each turn goes one level
    /// down the body. It loads, and its validator judges every level, not none.
    #[test]
    fn a_tree_recursing_through_items_loads_and_validates_every_level() {
        let text = doc_with(
            "{ $ref: '#/components/schemas/Node' }",
            "    Node:\n      type: object\n      required: [name]\n      properties:\n        name: { type: string }\n        children:\n          type: array\n          items: { $ref: '#/components/schemas/Node' }\n",
        );
        let api = load(&text).unwrap_or_else(|e| panic!("{e}"));
        let v = api.response_validator("getTree", "200", None).unwrap();
        let good = json!({"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}]});
        assert!(v.is_valid(&good));
        let deep_mistake =
            json!({"name": "a", "children": [{"name": "b", "children": [{"name": 3}]}]});
        assert!(!v.is_valid(&deep_mistake), "the third level is judged too");
        assert!(!v.is_valid(&json!("not a node")));
    }

    /// Recursion through a property (`next`) and through `additionalProperties` descends too.
    #[test]
    fn recursion_through_properties_and_additional_properties_loads() {
        let text = doc_with(
            "{ $ref: '#/components/schemas/List' }",
            "    List:\n      type: object\n      properties:\n        next: { $ref: '#/components/schemas/List' }\n      additionalProperties: { $ref: '#/components/schemas/List' }\n",
        );
        load(&text).unwrap_or_else(|e| panic!("{e}"));
    }

    /// The loops that never descend: a `$ref` to itself, two schemas naming each other, and a
    /// loop through `anyOf` and `not`. Each is one error, at the `$ref` that closes it.
    #[test]
    fn loops_that_never_descend_are_errors_at_the_closing_ref() {
        let cases = [
            ("    A: { $ref: '#/components/schemas/A' }\n", "/components/schemas/A/$ref"),
            (
                "    A: { $ref: '#/components/schemas/B' }\n    B: { $ref: '#/components/schemas/A' }\n",
                "/components/schemas/B/$ref",
            ),
            (
                "    A:\n      anyOf:\n        - { type: string }\n        - not: { $ref: '#/components/schemas/A' }\n",
                "/components/schemas/A/anyOf/1/not/$ref",
            ),
        ];
        for (components, closing) in cases {
            let text = doc_with("{ $ref: '#/components/schemas/A' }", components);
            let errors = load(&text).unwrap_err();
            assert_eq!(errors.len(), 1, "{components}: {errors}");
            let e = &errors.0[0];
            assert!(matches!(e.kind, SpecErrorKind::RefCycle(_)), "{e}");
            let loc = Locator::new(Path::new("openapi.yaml"), &text).unwrap();
            let want = loc.value(&pointer(closing));
            assert_eq!(
                (e.location.line, e.location.column),
                (want.line, want.column),
                "{components}: {e}"
            );
        }
    }

    fn pointer(p: &str) -> Pointer {
        let mut out = Pointer::root();
        for seg in p.split('/').skip(1) {
            out = out.key(seg);
        }
        out
    }
}
