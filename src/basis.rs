//! The evidence behind an expectation. A rule's cite may state a behaviour outright ("returns
//! 201"), or the rule may infer it: from an example value the document shows, from the defaults
//! of the framework the API is built on, from an HTTP convention, or from our reading of a vague
//! sentence. Only a stated expectation can fail a `must` rule; an inferred one that fails is a
//! warning, because a faithful server may choose differently where the document is silent.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where an expectation comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// The cite says it.
    Stated,
    /// An example value of the document (one id shown as a string, one sample body).
    Example,
    /// The default of the framework the API is built on (DRF, Laravel, JSON:API).
    Framework,
    /// An HTTP or REST convention the document does not invoke.
    Convention,
    /// Our reading of a sentence that does not settle the question.
    Reading,
}

impl Basis {
    pub const NAMES: &'static [&'static str] =
        &["stated", "example", "framework", "convention", "reading"];

    pub fn is_stated(self) -> bool {
        self == Basis::Stated
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn parse(s: &str) -> Option<Basis> {
        Some(match s {
            "stated" => Basis::Stated,
            "example" => Basis::Example,
            "framework" => Basis::Framework,
            "convention" => Basis::Convention,
            "reading" => Basis::Reading,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Basis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The parts of an `expect` that can rest on different evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Facet {
    Status,
    ContentType,
    Schema,
    Headers,
    Json,
    Xml,
    AnyOf,
}

impl Facet {
    pub const NAMES: &'static [&'static str] = &[
        "status",
        "content_type",
        "schema",
        "headers",
        "json",
        "xml",
        "any_of",
    ];
}

/// The basis of an `expect` block: one for all of it (`basis: example`), or per facet
/// (`basis: { schema: framework }`); a facet not named keeps the enclosing basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ExpectBasis {
    All(Basis),
    Facets(BTreeMap<Facet, Basis>),
}

impl<'de> Deserialize<'de> for ExpectBasis {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let unknown = |s: &str| {
            D::Error::custom(format!(
                "unknown basis `{s}`: use {}",
                Basis::NAMES.join(", ")
            ))
        };
        match serde_yaml::Value::deserialize(d)? {
            serde_yaml::Value::String(s) => Basis::parse(&s)
                .map(ExpectBasis::All)
                .ok_or_else(|| unknown(&s)),
            serde_yaml::Value::Mapping(m) => {
                let mut out = BTreeMap::new();
                for (k, v) in m {
                    let k = k.as_str().unwrap_or("").to_string();
                    let facet: Facet = serde_yaml::from_value(serde_yaml::Value::String(k.clone()))
                        .map_err(|_| {
                            D::Error::custom(format!(
                                "`{k}` is not a part of an expect: use {}",
                                Facet::NAMES.join(", ")
                            ))
                        })?;
                    let v = v.as_str().unwrap_or("").to_string();
                    out.insert(facet, Basis::parse(&v).ok_or_else(|| unknown(&v))?);
                }
                Ok(ExpectBasis::Facets(out))
            }
            _ => Err(D::Error::custom(format!(
                "a basis is one of {}, or a map of expect parts to one (`{{ schema: framework }}`)",
                Basis::NAMES.join(", ")
            ))),
        }
    }
}

impl ExpectBasis {
    /// The basis of `facet`, when this block says one.
    pub fn of(&self, facet: Facet) -> Option<Basis> {
        match self {
            ExpectBasis::All(b) => Some(*b),
            ExpectBasis::Facets(m) => m.get(&facet).copied(),
        }
    }

    /// Whether any facet is inferred.
    pub fn any_inferred(&self) -> bool {
        match self {
            ExpectBasis::All(b) => !b.is_stated(),
            ExpectBasis::Facets(m) => m.values().any(|b| !b.is_stated()),
        }
    }
}

/// How many expectations a rule writes, by basis: each part of each `expect` block (status,
/// content type, schema, `any_of`) and each header, JSON and XML assertion, with the basis it
/// rests on; plus one for the kind's own check (a page size, a throttle, an order), which rests
/// on the rule's basis. Read from the rule's parameters as written.
pub fn tally(kind: &str, params: &serde_yaml::Value, rule: Basis) -> BTreeMap<Basis, usize> {
    let mut out = BTreeMap::new();
    if !matches!(kind, "exchange" | "lifecycle") {
        *out.entry(rule).or_default() += 1;
    }
    walk(params, rule, false, &mut out);
    out
}

fn walk(v: &serde_yaml::Value, outer: Basis, is_expect: bool, out: &mut BTreeMap<Basis, usize>) {
    use serde_yaml::Value as Y;
    match v {
        Y::Mapping(m) if is_expect => {
            let basis: Option<ExpectBasis> = m
                .get("basis")
                .and_then(|b| serde_yaml::from_value(b.clone()).ok());
            let of = |f: Facet| basis.as_ref().and_then(|b| b.of(f)).unwrap_or(outer);
            let mut add = |b: Basis| *out.entry(b).or_default() += 1;
            for (key, facet) in [
                ("status", Facet::Status),
                ("content_type", Facet::ContentType),
                ("schema", Facet::Schema),
                ("any_of", Facet::AnyOf),
            ] {
                if m.contains_key(key) {
                    add(of(facet));
                }
            }
            let own = |a: &Y, facet: Facet| {
                a.get("basis")
                    .and_then(Y::as_str)
                    .and_then(Basis::parse)
                    .unwrap_or(of(facet))
            };
            if let Some(Y::Mapping(h)) = m.get("headers") {
                for a in h.values() {
                    add(own(a, Facet::Headers));
                }
            }
            for (key, facet) in [("json", Facet::Json), ("xml", Facet::Xml)] {
                if let Some(Y::Sequence(list)) = m.get(key) {
                    for a in list {
                        add(own(a, facet));
                    }
                }
            }
        }
        Y::Mapping(m) => {
            for (k, x) in m {
                match k.as_str() {
                    Some("request" | "requests") => {}
                    Some("expect") => walk(x, outer, true, out),
                    // A permission matrix: role → what that role gets.
                    Some("matrix") => {
                        if let Y::Mapping(rows) = x {
                            for e in rows.values() {
                                walk(e, outer, true, out);
                            }
                        }
                    }
                    _ => walk(x, outer, false, out),
                }
            }
        }
        Y::Sequence(list) => {
            for x in list {
                walk(x, outer, false, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tally_counts_each_part_at_its_basis() {
        let params: serde_yaml::Value = serde_yaml::from_str(
            "steps:\n  - request: { operation: x, json: { status: 1 } }\n    expect:\n      status: 201\n      schema: S\n      basis: { schema: framework }\n      note: n\n      json:\n        - { path: $.id, type: string, basis: example, note: n }\n        - { path: $.a, exists: true }\n",
        )
        .unwrap();
        let t = tally("lifecycle", &params, Basis::Stated);
        assert_eq!(t.get(&Basis::Stated), Some(&2), "{t:?}");
        assert_eq!(t.get(&Basis::Framework), Some(&1));
        assert_eq!(t.get(&Basis::Example), Some(&1));
        let t = tally(
            "pagination",
            &serde_yaml::from_str("aspect: cap").unwrap(),
            Basis::Reading,
        );
        assert_eq!(t.get(&Basis::Reading), Some(&1));
    }

    #[test]
    fn names_round_trip() {
        for name in Basis::NAMES {
            let b = Basis::parse(name).unwrap();
            assert_eq!(b.name(), *name);
            let y: Basis = serde_yaml::from_str(name).unwrap();
            assert_eq!(y, b);
        }
        assert_eq!(Basis::parse("guess"), None);
    }

    #[test]
    fn an_expect_basis_is_one_or_per_facet() {
        let all: ExpectBasis = serde_yaml::from_str("example").unwrap();
        assert_eq!(all.of(Facet::Schema), Some(Basis::Example));
        let some: ExpectBasis = serde_yaml::from_str("{ schema: framework }").unwrap();
        assert_eq!(some.of(Facet::Schema), Some(Basis::Framework));
        assert_eq!(some.of(Facet::Status), None);
        assert!(some.any_inferred());
        assert!(serde_yaml::from_str::<ExpectBasis>("{ body: framework }").is_err());
    }
}
