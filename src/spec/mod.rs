//! A spec: one API's `openapi.yaml` and `contract.yaml`, loaded, checked and compiled once.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::basis;
pub use crate::basis::Basis;
use crate::check::{Check, Kind, KIND_NAMES};
use crate::contract::context::LintCx;
pub use crate::contract::{normalize_ws, Level};
use crate::contract::{
    AuthScheme, Contract, Credential, Defaults, Fixture, Login, Role, SecretValues,
};
use crate::error::{suggest, Location, SpecError, SpecErrorKind, SpecErrors};
use crate::locate::{pointer_of, Locator, Pointer};
pub use crate::openapi::path_params;
use crate::openapi::{yaml_error_location, ApiDoc};

pub mod source;

pub use source::{SpecSource, SpecsRoot};

pub const OPENAPI_FILE: &str = "openapi.yaml";
pub const CONTRACT_FILE: &str = "contract.yaml";

/// The header of `contract.yaml`, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContractFile {
    api: String,
    title: String,
    document: String,
    base_url: String,
    #[serde(default)]
    credentials: Vec<Credential>,
    #[serde(default)]
    fixtures: Vec<Fixture>,
    #[serde(default)]
    roles: Vec<Role>,
    login: Option<Login>,
    #[serde(default)]
    auth: Vec<AuthScheme>,
    #[serde(default)]
    defaults: Defaults,
    #[serde(default)]
    secrets: SecretValues,
    rules: Vec<serde_yaml::Value>,
}

/// One promise of the document, checkable over HTTP.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub id: String,
    pub kind: Kind,
    pub level: Level,
    /// The evidence for the rule's expectations, unless one says otherwise.
    pub basis: Basis,
    pub cite: Vec<String>,
    pub title: Option<String>,
    pub note: Option<String>,
    /// It sends POST, PUT, PATCH or DELETE: `--read-only` skips it.
    pub writes: bool,
    /// Where it is in `contract.yaml`.
    pub line: usize,
    /// Its expectations as written, by the basis each rests on (see `basis::tally`).
    pub expectations: BTreeMap<Basis, usize>,
}

/// One API's spec, loaded and compiled.
#[derive(Debug)]
pub struct Spec {
    pub name: String,
    pub dir: PathBuf,
    pub contract: Contract,
    /// The contract's rules, in its order.
    pub rules: Vec<Rule>,
    pub api: ApiDoc,
    /// Rule id → pointer of its cite, for locating cite errors.
    cite_pointers: HashMap<String, Pointer>,
    contract_locator: Locator,
}

impl Spec {
    pub fn contract_path(&self) -> PathBuf {
        self.dir.join(CONTRACT_FILE)
    }

    /// The expectations of its `must` rules, by basis: only the stated ones can fail the run.
    pub fn must_expectations(&self) -> BTreeMap<Basis, usize> {
        let mut out = BTreeMap::new();
        for r in self.rules.iter().filter(|r| r.level == Level::Must) {
            for (b, n) in &r.expectations {
                *out.entry(*b).or_default() += n;
            }
        }
        out
    }

    /// Rules by level: (must, should, may).
    pub fn rules_by_level(&self) -> (usize, usize, usize) {
        let n = |l| self.rules.iter().filter(|r| r.level == l).count();
        (n(Level::Must), n(Level::Should), n(Level::May))
    }

    /// The operations at least one rule sends a request to.
    pub fn covered_operations(&self) -> std::collections::BTreeSet<&str> {
        let mut out = std::collections::BTreeSet::new();
        for r in &self.rules {
            out.extend(r.kind.operations());
        }
        if let Some(l) = &self.contract.login {
            if let Some(op) = &l.request.operation {
                out.insert(op.as_str());
            }
        }
        out
    }

    /// Check every cite against the document: each must be a verbatim substring of it (runs of
    /// whitespace compare equal, so a cite may be wrapped in YAML).
    pub fn check_cites(&self, document_text: &str) -> SpecErrors {
        // The matching the document coverage maps cites to lines with.
        let document = crate::coverage::DocumentText::new(document_text);
        let doc = document.normalized();
        let mut errors = SpecErrors::default();
        for rule in &self.rules {
            for (i, cite) in rule.cite.iter().enumerate() {
                if !document.contains(cite) {
                    let base = self
                        .cite_pointers
                        .get(&rule.id)
                        .cloned()
                        .unwrap_or_default();
                    let at = if rule.cite.len() > 1 {
                        base.index(i)
                    } else {
                        base
                    };
                    errors.push(
                        self.contract_locator
                            .error(
                                &at,
                                SpecErrorKind::CiteNotInDocument {
                                    rule: rule.id.clone(),
                                    document: self.contract.document.clone(),
                                    cite: truncate(cite, 100),
                                },
                            )
                            .with_hint(match longest_matching_prefix(doc, &normalize_ws(cite)) {
                                Some(p) => format!(
                                    "copy the sentence from the document; it matches up to \"…{}\"",
                                    truncate_end(&p, 40)
                                ),
                                None => {
                                    "copy the sentence from the document, character for character"
                                        .to_string()
                                }
                            }),
                    );
                }
            }
        }
        errors
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

fn truncate_end(s: &str, n: usize) -> String {
    let count = s.chars().count();
    s.chars().skip(count.saturating_sub(n)).collect()
}

/// The longest prefix of `cite` found in `doc`, to show where a cite stops matching.
fn longest_matching_prefix(doc: &str, cite: &str) -> Option<String> {
    let chars: Vec<char> = cite.chars().collect();
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let prefix: String = chars[..mid].iter().collect();
        if doc.contains(&prefix) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    (lo >= 8).then(|| chars[..lo].iter().collect())
}

fn io_error(path: &Path, e: std::io::Error) -> SpecError {
    SpecError::new(
        Location {
            file: path.to_path_buf(),
            line: 1,
            column: 1,
        },
        SpecErrorKind::Io(e.to_string()),
    )
    .with_hint(format!(
        "a spec folder holds `{OPENAPI_FILE}` and `{CONTRACT_FILE}`"
    ))
}

/// Load, check and compile the spec in `dir`. Every problem found is returned, not the first.
pub fn load_spec(dir: &Path) -> Result<Spec, SpecErrors> {
    let mut errors = SpecErrors::default();
    let openapi_path = dir.join(OPENAPI_FILE);
    let contract_path = dir.join(CONTRACT_FILE);
    let api = match std::fs::read_to_string(&openapi_path) {
        Ok(text) => ApiDoc::load(&openapi_path, &text)
            .map_err(|e| errors.0.extend(e.0))
            .ok(),
        Err(e) => {
            errors.push(io_error(&openapi_path, e));
            None
        }
    };
    let contract_text = match std::fs::read_to_string(&contract_path) {
        Ok(t) => t,
        Err(e) => {
            errors.push(io_error(&contract_path, e));
            return Err(errors);
        }
    };
    finish_spec(dir, api, &contract_text, errors)
}

/// Load, check and compile a spec from the texts of its two files, as if they were
/// `dir/openapi.yaml` and `dir/contract.yaml` (`dir` names the spec and locates its errors;
/// nothing is read from disk). The same checks as [`load_spec`]; for benches and fuzzing.
pub fn load_spec_from_str(
    dir: &Path,
    openapi_text: &str,
    contract_text: &str,
) -> Result<Spec, SpecErrors> {
    let mut errors = SpecErrors::default();
    let api = ApiDoc::load(&dir.join(OPENAPI_FILE), openapi_text)
        .map_err(|e| errors.0.extend(e.0))
        .ok();
    finish_spec(dir, api, contract_text, errors)
}

/// The contract half of a load, once the API document is compiled (or failed to).
fn finish_spec(
    dir: &Path,
    api: Option<ApiDoc>,
    contract_text: &str,
    mut errors: SpecErrors,
) -> Result<Spec, SpecErrors> {
    let contract_path = dir.join(CONTRACT_FILE);
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match parse_contract(&contract_path, contract_text, &name, api.as_ref()) {
        Ok((contract, rules, locator, cite_pointers)) => {
            if let (Some(api), true) = (api, errors.is_empty()) {
                return Ok(Spec {
                    name,
                    dir: dir.to_path_buf(),
                    contract,
                    rules,
                    api,
                    cite_pointers,
                    contract_locator: locator,
                });
            }
        }
        Err(e) => errors.0.extend(e.0),
    }
    Err(errors)
}

type Parsed = (Contract, Vec<Rule>, Locator, HashMap<String, Pointer>);

/// Parse `contract.yaml`. With the API document at hand, also check every reference into it;
/// without it (it failed to load), only the contract's own shape is checked.
fn parse_contract(
    path: &Path,
    text: &str,
    folder: &str,
    api: Option<&ApiDoc>,
) -> Result<Parsed, SpecErrors> {
    let loc = Locator::new(path, text).map_err(|e| SpecErrors(vec![*e]))?;
    let file = read_contract_file(&loc, text)?;
    let mut errors = SpecErrors::default();
    check_header(&loc, &file, folder, &mut errors);
    let (contract, raw_rules) = file.into_parts();
    let (mut rules, cite_pointers) = parse_rules(&loc, raw_rules, folder, &mut errors);
    if let Some(api) = api {
        validate_references(&contract, &rules, api, &loc, &mut errors);
        for (_, rule) in rules.iter_mut() {
            rule.writes = rule.kind.writes(api);
        }
    }
    let rules = rules.into_iter().map(|(_, r)| r).collect();
    if errors.is_empty() {
        Ok((contract, rules, loc, cite_pointers))
    } else {
        Err(errors)
    }
}

/// `contract.yaml` as YAML, then in the shape of a contract: the first error, located.
fn read_contract_file(loc: &Locator, text: &str) -> Result<ContractFile, SpecErrors> {
    let value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        SpecErrors(vec![SpecError::new(
            yaml_error_location(loc, &e),
            SpecErrorKind::Syntax(e.to_string()),
        )])
    })?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let at = pointer_of(&Pointer::root(), e.path());
        SpecErrors(vec![shape_error(loc, &at, &e.inner().to_string())])
    })
}

impl ContractFile {
    /// The contract, and its rules as written (parsed one by one, to report each one's errors).
    fn into_parts(self) -> (Contract, Vec<serde_yaml::Value>) {
        let contract = Contract {
            api: self.api,
            title: self.title,
            document: self.document,
            base_url: self.base_url,
            credentials: self.credentials,
            fixtures: self.fixtures,
            roles: self.roles,
            login: self.login,
            auth: self.auth,
            defaults: self.defaults,
            secrets: self.secrets,
        };
        (contract, self.rules)
    }
}

/// The header of the contract: named after its folder, an http(s) base URL, unique names of
/// credentials, fixtures, roles and auth schemes, and no name both a credential and a fixture.
fn check_header(loc: &Locator, file: &ContractFile, folder: &str, errors: &mut SpecErrors) {
    let root = Pointer::root();
    if file.api != folder {
        errors.push(
            loc.error(
                &root.key("api"),
                SpecErrorKind::Invalid(format!(
                    "`api: {}` differs from its folder `{folder}`",
                    file.api
                )),
            )
            .with_hint(format!("name the API after its folder: `api: {folder}`")),
        );
    }
    if !(file.base_url.starts_with("https://") || file.base_url.starts_with("http://")) {
        errors.push(
            loc.error(
                &root.key("base_url"),
                SpecErrorKind::Invalid(format!("`{}` is not an http(s) URL", file.base_url)),
            )
            .with_hint("write the documented base URL: `https://api.example.com`"),
        );
    }
    check_unique(
        loc,
        file.credentials.iter().map(|c| c.name.as_str()),
        &root.key("credentials"),
        "credential",
        errors,
    );
    check_unique(
        loc,
        file.fixtures.iter().map(|f| f.name.as_str()),
        &root.key("fixtures"),
        "fixture",
        errors,
    );
    for (i, f) in file.fixtures.iter().enumerate() {
        if file.credentials.iter().any(|c| c.name == f.name) {
            errors.push(
                loc.error(
                    &root.key("fixtures").index(i).key("name"),
                    SpecErrorKind::Invalid(format!(
                        "`{}` is both a credential and a fixture",
                        f.name
                    )),
                )
                .with_hint("a name is one or the other: rename the fixture"),
            );
        }
    }
    check_unique(
        loc,
        file.roles.iter().map(|r| r.name.as_str()),
        &root.key("roles"),
        "role",
        errors,
    );
    check_unique(
        loc,
        file.auth.iter().map(|a| a.name.as_str()),
        &root.key("auth"),
        "auth scheme",
        errors,
    );
}

/// Each rule, with where it is; ids unique and prefixed with the API's name. Also the pointer
/// of each rule's cite, by id.
fn parse_rules(
    loc: &Locator,
    raw_rules: Vec<serde_yaml::Value>,
    folder: &str,
    errors: &mut SpecErrors,
) -> (Vec<(Pointer, Rule)>, HashMap<String, Pointer>) {
    let mut rules = Vec::new();
    let mut cite_pointers = HashMap::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    for (i, raw) in raw_rules.into_iter().enumerate() {
        let at = Pointer::root().key("rules").index(i);
        match parse_rule(loc, &at, raw) {
            Ok(rule) => {
                if let Some(first) = first_line.get(&rule.id) {
                    errors.push(
                        loc.error(
                            &at.key("id"),
                            SpecErrorKind::DuplicateId {
                                id: rule.id.clone(),
                                first_line: *first,
                            },
                        )
                        .with_hint("rule ids are unique: rename one"),
                    );
                } else {
                    first_line.insert(rule.id.clone(), rule.line);
                }
                if !rule.id.starts_with(&format!("{folder}.")) {
                    errors.push(
                        loc.error(
                            &at.key("id"),
                            SpecErrorKind::Invalid(format!(
                                "rule id `{}` does not start with `{folder}.`",
                                rule.id
                            )),
                        )
                        .with_hint(format!("name rules `{folder}.<area>.<name>`")),
                    );
                }
                cite_pointers.insert(rule.id.clone(), at.key("cite"));
                rules.push((at, rule));
            }
            Err(e) => errors.0.extend(e.0),
        }
    }
    (rules, cite_pointers)
}

fn check_unique<'a>(
    loc: &Locator,
    names: impl Iterator<Item = &'a str>,
    at: &Pointer,
    what: &str,
    errors: &mut SpecErrors,
) {
    let mut seen = std::collections::HashSet::new();
    for (i, n) in names.enumerate() {
        if !seen.insert(n) {
            errors.push(
                loc.error(
                    &at.index(i).key("name"),
                    SpecErrorKind::Invalid(format!("duplicate {what} `{n}`")),
                )
                .with_hint("names are unique"),
            );
        }
    }
}

/// A serde error turned into a located spec error with a hint.
pub(crate) fn shape_error(loc: &Locator, at: &Pointer, message: &str) -> SpecError {
    // serde says "unknown field `x`, expected one of `a`, `b`": point at the key, suggest.
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or("");
        let expected: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
        let key_at = if at.as_str().ends_with(&format!("/{field}")) {
            at.clone()
        } else {
            at.key(field)
        };
        return SpecError::new(
            loc.key(&key_at),
            SpecErrorKind::Shape(format!("unknown parameter `{field}`")),
        )
        .with_hint(suggest(field, expected.iter().copied()));
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let variant = rest.split('`').next().unwrap_or("");
        let expected: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
        return SpecError::new(
            loc.value(at),
            SpecErrorKind::Shape(format!("unknown value `{variant}`")),
        )
        .with_hint(suggest(variant, expected.iter().copied()));
    }
    let hint = if message.starts_with("missing field") {
        "add the field: see docs/spec-format.md for what this object takes"
    } else {
        "see docs/spec-format.md for the shape this place takes"
    };
    SpecError::new(loc.value(at), SpecErrorKind::Shape(message.to_string())).with_hint(hint)
}

/// A YAML scalar as written, for messages (`42`, `true`, `text`); a collection as its kind.
fn yaml_scalar_text(v: &serde_yaml::Value) -> String {
    match v {
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Number(n) => n.to_string(),
        serde_yaml::Value::Bool(b) => b.to_string(),
        serde_yaml::Value::Null => "null".into(),
        serde_yaml::Value::Sequence(_) => "a list".into(),
        serde_yaml::Value::Mapping(_) => "a mapping".into(),
        serde_yaml::Value::Tagged(t) => format!("!{}", t.tag),
    }
}

const COMMON_FIELDS: &[&str] = &["id", "kind", "level", "basis", "cite", "title", "note"];

fn parse_rule(loc: &Locator, at: &Pointer, raw: serde_yaml::Value) -> Result<Rule, SpecErrors> {
    let line = loc.value(at).line;
    let serde_yaml::Value::Mapping(mut map) = raw else {
        return Err(SpecErrors(vec![loc
            .error(at, SpecErrorKind::Shape("a rule is a mapping".into()))
            .with_hint(
                "write `- id: ...` with `kind`, `level`, `cite` and the kind's parameters",
            )]));
    };
    let mut take = |key: &str| map.remove(serde_yaml::Value::String(key.to_string()));
    let (id, kind, level, basis, cite, title, note) = (
        take("id"),
        take("kind"),
        take("level"),
        take("basis"),
        take("cite"),
        take("title"),
        take("note"),
    );
    let mut p = RuleParser {
        loc,
        at,
        errors: SpecErrors::default(),
    };
    let id_s = p.id(id.as_ref());
    let rule_name = id_s
        .clone()
        .unwrap_or_else(|| format!("#{}", at.as_str().rsplit('/').next().unwrap_or("")));
    let level_v = p.level(level.as_ref());
    let basis_v = p.basis(basis.as_ref(), as_str(&note).as_deref(), &rule_name);
    let cites = p.cites(cite.as_ref(), &rule_name);
    let kind_v = p.kind(kind.as_ref(), &map, &rule_name);
    if !p.errors.is_empty() {
        return Err(p.errors);
    }
    Ok(Rule {
        id: id_s.unwrap_or_default(),
        kind: kind_v.expect("checked"),
        level: level_v.expect("checked"),
        basis: basis_v.expect("checked"),
        cite: cites,
        title: as_str(&title),
        note: as_str(&note),
        writes: false,
        line,
        expectations: basis::tally(
            &as_str(&kind).unwrap_or_default(),
            &serde_yaml::Value::Mapping(map),
            basis_v.expect("checked"),
        ),
    })
}

/// A YAML value's text, when it is a string.
fn as_str(v: &Option<serde_yaml::Value>) -> Option<String> {
    v.as_ref().and_then(|v| v.as_str()).map(str::to_string)
}

/// Reads the common fields of the rule at `at`, gathering every error.
struct RuleParser<'a> {
    loc: &'a Locator,
    at: &'a Pointer,
    errors: SpecErrors,
}

impl RuleParser<'_> {
    fn missing(&self, field: &str, hint: &str) -> SpecError {
        self.loc
            .error(
                self.at,
                SpecErrorKind::Shape(format!("missing field `{field}`")),
            )
            .with_hint(hint.to_string())
    }

    /// The rule's id as written (to name the rule in other errors), checked: present, and
    /// lowercase `[a-z0-9._-]`.
    fn id(&mut self, id: Option<&serde_yaml::Value>) -> Option<String> {
        let id_s = id.and_then(|v| v.as_str()).map(str::to_string);
        let id_ok = id_s
            .as_deref()
            .map(|s| {
                !s.is_empty()
                    && s.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
                    })
            })
            .unwrap_or(false);
        if id.is_none() {
            let e = self.missing("id", "add `id: <api>.<area>.<name>`");
            self.errors.push(e);
        } else if !id_ok {
            self.errors.push(
                self.loc
                    .error(
                        &self.at.key("id"),
                        SpecErrorKind::Shape("a rule id is lowercase `[a-z0-9._-]`".into()),
                    )
                    .with_hint("e.g. `checklick.pagination.default-size`"),
            );
        }
        id_s
    }

    fn level(&mut self, level: Option<&serde_yaml::Value>) -> Option<Level> {
        let Some(v) = level else {
            let e = self.missing(
                "level",
                "add `level: must` (stated as fact), `should` or `may`",
            );
            self.errors.push(e);
            return None;
        };
        match serde_yaml::from_value::<Level>(v.clone()) {
            Ok(l) => Some(l),
            Err(_) => {
                let got = yaml_scalar_text(v);
                self.errors.push(
                    self.loc
                        .error(
                            &self.at.key("level"),
                            SpecErrorKind::Shape(format!("unknown level `{got}`")),
                        )
                        .with_hint(suggest(&got, ["must", "should", "may"])),
                );
                None
            }
        }
    }

    /// The rule's basis; one that is not `stated` needs a `note` saying why.
    fn basis(
        &mut self,
        basis: Option<&serde_yaml::Value>,
        note: Option<&str>,
        rule_name: &str,
    ) -> Option<Basis> {
        let Some(v) = basis else {
            let e = self.missing(
                "basis",
                "add `basis: stated` when the cite says it, or `example`, `framework`, `convention` or `reading` with a `note` saying why (docs/spec-format.md, Evidence)",
            );
            self.errors.push(e);
            return None;
        };
        match v.as_str().and_then(Basis::parse) {
            Some(b) => {
                if !b.is_stated() && note.is_none_or(|n| n.trim().is_empty()) {
                    self.errors.push(
                        self.loc
                            .error(
                                &self.at.key("basis"),
                                SpecErrorKind::Shape(format!(
                                    "rule `{rule_name}` has basis `{b}` but no `note` saying why"
                                )),
                            )
                            .with_hint(
                                "add `note:`: what the document leaves open, and why this reading",
                            ),
                    );
                }
                Some(b)
            }
            None => {
                let got = yaml_scalar_text(v);
                self.errors.push(
                    self.loc
                        .error(
                            &self.at.key("basis"),
                            SpecErrorKind::Shape(format!("unknown basis `{got}`")),
                        )
                        .with_hint(suggest(&got, Basis::NAMES.iter().copied())),
                );
                None
            }
        }
    }

    /// The rule's cites: a string or a list of strings, none of them empty.
    fn cites(&mut self, cite: Option<&serde_yaml::Value>, rule_name: &str) -> Vec<String> {
        let cites: Vec<String> = match cite {
            None => {
                let e = self.missing(
                    "cite",
                    "quote the sentence of the document this rule comes from",
                );
                self.errors.push(e);
                vec![]
            }
            Some(serde_yaml::Value::String(s)) => vec![s.clone()],
            Some(serde_yaml::Value::Sequence(seq)) => seq
                .iter()
                .map(|v| v.as_str().unwrap_or("").to_string())
                .collect(),
            Some(_) => {
                self.errors.push(
                    self.loc
                        .error(
                            &self.at.key("cite"),
                            SpecErrorKind::Shape("a cite is a string or a list of strings".into()),
                        )
                        .with_hint("quote the sentence between double quotes"),
                );
                vec![]
            }
        };
        if cite.is_some() && (cites.is_empty() || cites.iter().any(|c| c.trim().is_empty())) {
            self.errors.push(
                self.loc
                    .error(
                        &self.at.key("cite"),
                        SpecErrorKind::EmptyCite(rule_name.to_string()),
                    )
                    .with_hint("quote the sentence of the document this rule comes from, verbatim"),
            );
        }
        cites
    }

    /// The rule's kind, parsed from its parameters (`map`: the rule without its common fields).
    fn kind(
        &mut self,
        kind: Option<&serde_yaml::Value>,
        map: &serde_yaml::Mapping,
        rule_name: &str,
    ) -> Option<Kind> {
        let loc = self.loc;
        let at = self.at;
        let k = match (kind.and_then(|v| v.as_str()), kind) {
            (None, None) => {
                let e = self.missing("kind", "add `kind:` one of the catalogue");
                self.errors.push(e);
                return None;
            }
            (None, Some(v)) => {
                self.errors.push(
                    loc.error(
                        &at.key("kind"),
                        SpecErrorKind::Shape(format!(
                            "`kind` is the name of a kind, not {}",
                            yaml_scalar_text(v)
                        )),
                    )
                    .with_hint(format!("kinds: {}", KIND_NAMES.join(", "))),
                );
                return None;
            }
            (Some(k), _) => k,
        };
        match Kind::parse(k, serde_yaml::Value::Mapping(map.clone())) {
            None => {
                self.errors.push(
                    loc.error(&at.key("kind"), SpecErrorKind::UnknownKind(k.to_string()))
                        .with_hint(suggest(k, KIND_NAMES.iter().copied())),
                );
                None
            }
            Some(Err(e)) => {
                let p = pointer_of(at, e.path());
                let msg = e.inner().to_string();
                let mut err = shape_error(loc, &p, &msg);
                if let SpecErrorKind::Shape(m) = &err.kind {
                    err.kind = SpecErrorKind::Shape(format!("{m} (in `{k}` rule `{rule_name}`)"));
                }
                // An unknown parameter at the rule's top level may be a misspelt common field.
                if msg.starts_with("unknown field") && p.as_str().matches('/').count() <= 3 {
                    let field = msg.split('`').nth(1).unwrap_or("");
                    if let Some(n) = crate::error::nearest(field, COMMON_FIELDS.iter().copied()) {
                        err.hint = Some(format!("did you mean `{n}`?"));
                    }
                }
                self.errors.push(err);
                None
            }
            Some(Ok(kind)) => Some(kind),
        }
    }
}

fn validate_references(
    contract: &Contract,
    rules: &[(Pointer, Rule)],
    api: &ApiDoc,
    loc: &Locator,
    errors: &mut SpecErrors,
) {
    let mut cx = contract.lint_cx(api, loc, errors);
    let base_vars = cx.base_vars.clone();
    let root = Pointer::root();
    // The login flow sees only the credentials: its captures do not exist yet.
    if let Some(login) = &contract.login {
        cx.base_vars = cx.credentials.clone();
        let at = root.key("login");
        login.request.validate(&mut cx, &at.key("request"));
        if let Some(e) = &login.expect {
            e.validate(&mut cx, &at.key("expect"));
        }
        for (name, path) in &login.capture {
            cx.jsonpath(&at.key("capture").key(name), path);
        }
        cx.base_vars = base_vars;
    }
    for (i, scheme) in contract.auth.iter().enumerate() {
        let at = root.key("auth").index(i);
        for (k, v) in scheme.headers.iter().chain(scheme.query.iter()) {
            let field = if scheme.headers.contains_key(k) {
                "headers"
            } else {
                "query"
            };
            cx.template(&at.key(field).key(k), v);
        }
        if let Some(b) = &scheme.basic {
            cx.template(&at.key("basic").key("username"), &b.username);
            cx.template(&at.key("basic").key("password"), &b.password);
        }
        if scheme.headers.is_empty() && scheme.query.is_empty() && scheme.basic.is_none() {
            cx.invalid(
                &at,
                format!("auth scheme `{}` presents nothing", scheme.name),
                "give `headers`, `query` or `basic`".into(),
            );
        }
    }
    for (k, v) in contract
        .defaults
        .headers
        .iter()
        .chain(contract.defaults.query.iter())
    {
        cx.template_value(&root.key("defaults").key(k), v);
    }
    for (at, rule) in rules {
        cx.begin_rule();
        rule.kind.validate(&mut cx, at);
    }
    validate_secrets(contract, &mut cx);
}

/// `secrets`: every listed capture is captured somewhere, every field is a JSONPath under a
/// name that can be a placeholder.
fn validate_secrets(contract: &Contract, cx: &mut LintCx) {
    let at = Pointer::root().key("secrets");
    let login_captures: Vec<String> = contract
        .login
        .as_ref()
        .map(|l| l.capture.keys().cloned().collect())
        .unwrap_or_default();
    for (i, name) in contract.secrets.captures.iter().enumerate() {
        let here = at.key("captures").index(i);
        if login_captures.contains(name) {
            cx.invalid(
                &here,
                format!("`{name}` is a login capture, which is always a secret"),
                "remove it from `secrets.captures`".into(),
            );
        } else if !cx.captured.contains(name) {
            let hint = format!(
                "{} (list the names steps capture tokens into)",
                suggest(name, cx.captured.iter().map(String::as_str))
            );
            cx.push(
                &here,
                SpecErrorKind::UnknownName {
                    what: "capture",
                    name: name.clone(),
                },
                hint,
            );
        }
    }
    for (name, path) in &contract.secrets.fields {
        let here = at.key("fields").key(name);
        let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            cx.invalid(
                &here,
                format!("`{name}` cannot name a placeholder"),
                "name it like a variable, e.g. `issued_token: \"$.token\"`".into(),
            );
        }
        cx.jsonpath(&here, path);
    }
}

/// The spec folders under `root`: each folder holding a `contract.yaml`, by name.
pub fn discover(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.join(CONTRACT_FILE).is_file())
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// Resolve names or paths given on the command line to spec folders under `root` (see
/// [`SpecsRoot::resolve`]). An empty list means every spec under `root`.
pub fn resolve(args: &[String], root: &Path) -> Result<Vec<PathBuf>, String> {
    let sources = SpecsRoot::Folder(root.to_path_buf()).resolve(args)?;
    Ok(sources.iter().map(SpecSource::dir).collect())
}
