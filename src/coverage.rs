//! What a run covered: of the API's OpenAPI document, each operation and each documented status
//! the run exercised, with the rules that did; of the vendor document, each line with the rules
//! whose cites quote it. Reporters read it from [`crate::results::ApiResult::coverage`]; the
//! engine fills it before the API's `ApiDone` event.
//!
//! The matching of cites against the document lives here too ([`DocumentText`]): `lint` checks
//! cites with it and the document coverage maps them to lines with it, so a cite that lint
//! accepts is the cite that covers lines.

use serde::Serialize;

use crate::openapi::ApiDoc;
use crate::redact::{Redact, Redactor};

/// What one rule's requests reached: an operation (as the request named it) and the status it
/// answered (`None`: no answer at all), with how many exchanges did so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    pub operation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Sent with a method the operation does not have (a 405 probe of its path): it does not
    /// exercise the operation, but its answer counts where the operation documents that very
    /// status (`405`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub other_method: bool,
    pub exchanges: usize,
}

impl Hit {
    /// Tally `(operation, status, other method)` triples into hits, one per distinct triple,
    /// in the order each was first met.
    pub fn tally<'a>(sent: impl IntoIterator<Item = (&'a str, Option<u16>, bool)>) -> Vec<Hit> {
        let mut hits: Vec<Hit> = Vec::new();
        for (operation, status, other_method) in sent {
            match hits.iter_mut().find(|h| {
                h.operation == operation && h.status == status && h.other_method == other_method
            }) {
                Some(h) => h.exchanges += 1,
                None => hits.push(Hit {
                    operation: operation.to_string(),
                    status,
                    other_method,
                    exchanges: 1,
                }),
            }
        }
        hits
    }
}

/// A count out of a total, with its percentage (`None` when the total is 0: nothing to cover).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Ratio {
    pub covered: usize,
    pub total: usize,
    pub percent: Option<f64>,
}

impl Ratio {
    pub fn new(covered: usize, total: usize) -> Self {
        Ratio {
            covered,
            total,
            percent: (total > 0).then(|| 100.0 * covered as f64 / total as f64),
        }
    }
}

impl std::fmt::Display for Ratio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.covered, self.total)?;
        match self.percent {
            Some(p) => write!(f, " ({})", percent_text(p)),
            None => Ok(()),
        }
    }
}

/// A percentage as reports show it: whole when it is, else to one decimal, and never rounded
/// up to 100 (a run that missed one status of 2000 is not complete).
pub fn percent_text(p: f64) -> String {
    let tenths = (p * 10.0).floor() / 10.0;
    if tenths.fract() == 0.0 {
        format!("{tenths:.0}%")
    } else {
        format!("{tenths:.1}%")
    }
}

/// The totals of a coverage, each a [`Ratio`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CoverageTotals {
    /// Operations the run sent a request to, of the OpenAPI document's.
    pub operations: Ratio,
    /// Documented statuses (`responses` keys but `default`) the run received, of all of them.
    pub statuses: Ratio,
    /// Lines of the vendor document some rule's cite quotes, of its lines with text; absent
    /// when the document was not at hand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<Ratio>,
}

/// An API's coverage by one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    /// Every operation of the OpenAPI document, in its order (by operation id).
    pub operations: Vec<OperationCoverage>,
    /// The vendor document, line by line; `None` when it was not at hand (`document_absent`
    /// says why).
    pub document: Option<DocumentCoverage>,
    /// Why the document coverage was not measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_absent: Option<String>,
    pub totals: CoverageTotals,
}

/// One operation: the rules that sent a request to it, and each of its documented statuses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperationCoverage {
    pub operation: String,
    pub method: String,
    pub path: String,
    /// The rules that sent a request to it (any answer, or none); empty: not exercised.
    pub rules: Vec<String>,
    /// Its documented statuses (`responses` keys: `200`, `4XX`; not `default`), in the
    /// document's order.
    pub statuses: Vec<StatusCoverage>,
    /// Statuses it answered that no documented key but `default` covers, with the rules that
    /// received them: what the run saw that the document does not list.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub undocumented: Vec<StatusCoverage>,
}

/// One documented status of an operation, and the rules that received it (empty: not
/// exercised).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusCoverage {
    pub status: String,
    pub rules: Vec<String>,
}

/// The vendor document, every line with the rules whose cites quote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentCoverage {
    /// The document's file name, as the contract names it.
    pub file: String,
    pub lines: Vec<DocumentLine>,
    /// Lines that hold something besides whitespace.
    pub lines_with_text: usize,
    /// Lines with text that some rule's cite quotes.
    pub cited_lines: usize,
}

/// One line of the vendor document (numbered from 1), with the ids of the rules whose cites
/// touch it, in the rules' order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentLine {
    pub number: usize,
    pub text: String,
    pub rules: Vec<String>,
}

impl OperationCoverage {
    pub fn exercised(&self) -> bool {
        !self.rules.is_empty()
    }
}

impl StatusCoverage {
    pub fn exercised(&self) -> bool {
        !self.rules.is_empty()
    }
}

impl Coverage {
    /// The operations no request reached.
    pub fn unexercised_operations(&self) -> impl Iterator<Item = &OperationCoverage> {
        self.operations.iter().filter(|o| !o.exercised())
    }

    /// Each operation with the documented statuses the run never received (operations with
    /// none left out).
    pub fn unexercised_statuses(&self) -> Vec<(&OperationCoverage, Vec<&str>)> {
        self.operations
            .iter()
            .filter_map(|o| {
                let missing: Vec<&str> = o
                    .statuses
                    .iter()
                    .filter(|s| !s.exercised())
                    .map(|s| s.status.as_str())
                    .collect();
                (!missing.is_empty()).then_some((o, missing))
            })
            .collect()
    }
}

/// What a rule's cites and requests are, to compute coverage from: its id, its cites, and what
/// its requests hit. The login is one of these too (it cites nothing).
#[derive(Debug, Clone, Copy)]
pub struct RuleTrace<'a> {
    pub id: &'a str,
    pub cite: &'a [String],
    pub hits: &'a [Hit],
}

/// The vendor document as the coverage needs it: `(file name, text)`, or why it is absent.
pub type DocumentSource<'a> = Result<(&'a str, &'a str), String>;

/// The coverage of `api` by `rules` (in the run's order), and of the document by their cites.
pub fn compute(api: &ApiDoc, rules: &[RuleTrace<'_>], document: DocumentSource<'_>) -> Coverage {
    let operations = operation_coverage(api, rules);
    let (document, document_absent) = match document {
        Ok((file, text)) => (Some(document_coverage(file, text, rules)), None),
        Err(why) => (None, Some(why)),
    };
    let statuses = operations.iter().flat_map(|o| &o.statuses);
    let totals = CoverageTotals {
        operations: Ratio::new(
            operations.iter().filter(|o| o.exercised()).count(),
            operations.len(),
        ),
        statuses: Ratio::new(
            statuses.clone().filter(|s| s.exercised()).count(),
            statuses.count(),
        ),
        document: document
            .as_ref()
            .map(|d| Ratio::new(d.cited_lines, d.lines_with_text)),
    };
    Coverage {
        operations,
        document,
        document_absent,
        totals,
    }
}

fn push_once(ids: &mut Vec<String>, id: &str) {
    if !ids.iter().any(|i| i == id) {
        ids.push(id.to_string());
    }
}

/// Every operation of `api` with the rules whose hits reached it and its statuses.
fn operation_coverage(api: &ApiDoc, rules: &[RuleTrace<'_>]) -> Vec<OperationCoverage> {
    api.operations
        .values()
        .map(|op| {
            let mut out = OperationCoverage {
                operation: op.id.clone(),
                method: op.method.to_ascii_uppercase(),
                path: op.path.clone(),
                rules: vec![],
                statuses: op
                    .statuses
                    .iter()
                    .filter(|s| !s.eq_ignore_ascii_case("default"))
                    .map(|s| StatusCoverage {
                        status: s.clone(),
                        rules: vec![],
                    })
                    .collect(),
                undocumented: vec![],
            };
            for rule in rules {
                for hit in rule.hits.iter().filter(|h| h.operation == op.id) {
                    if !hit.other_method {
                        push_once(&mut out.rules, rule.id);
                    }
                    let Some(status) = hit.status else { continue };
                    // Another method's answer counts only where the operation documents that
                    // very status (`405`): a class (`4XX`) is about its own method's answers.
                    let key = op
                        .response_key(status)
                        .filter(|k| !k.eq_ignore_ascii_case("default"))
                        .filter(|k| !hit.other_method || *k == status.to_string());
                    let entry = match key {
                        Some(key) => out.statuses.iter_mut().find(|s| s.status == key),
                        // Another method's answer is not the operation's to document.
                        None if hit.other_method => None,
                        None => {
                            let code = status.to_string();
                            if !out.undocumented.iter().any(|s| s.status == code) {
                                out.undocumented.push(StatusCoverage {
                                    status: code.clone(),
                                    rules: vec![],
                                });
                            }
                            out.undocumented.iter_mut().find(|s| s.status == code)
                        }
                    };
                    if let Some(entry) = entry {
                        push_once(&mut entry.rules, rule.id);
                    }
                }
            }
            out.undocumented.sort_by(|a, b| a.status.cmp(&b.status));
            out
        })
        .collect()
}

/// Every line of the document with the rules whose cites touch it.
fn document_coverage(file: &str, text: &str, rules: &[RuleTrace<'_>]) -> DocumentCoverage {
    let doc = DocumentText::new(text);
    let mut lines: Vec<DocumentLine> = text
        .lines()
        .enumerate()
        .map(|(i, t)| DocumentLine {
            number: i + 1,
            text: t.to_string(),
            rules: vec![],
        })
        .collect();
    for rule in rules {
        for cite in rule.cite {
            for n in doc.lines_of(cite) {
                if let Some(line) = lines.get_mut(n - 1) {
                    push_once(&mut line.rules, rule.id);
                }
            }
        }
    }
    let with_text = lines.iter().filter(|l| !l.text.trim().is_empty());
    DocumentCoverage {
        file: file.to_string(),
        lines_with_text: with_text.clone().count(),
        cited_lines: with_text.filter(|l| !l.rules.is_empty()).count(),
        lines,
    }
}

/// A document as cites are matched against it: its text with every run of whitespace made one
/// space (as [`crate::contract::normalize_ws`] makes it), and for each byte of that text the
/// line of the original it came from. A cite is in the document when its own normalized text
/// is a substring of this.
#[derive(Debug, Clone)]
pub struct DocumentText {
    normalized: String,
    /// The 1-based line of the original each byte of `normalized` comes from (a space between
    /// two words: the line of the word before it).
    line_of: Vec<u32>,
}

impl DocumentText {
    pub fn new(text: &str) -> Self {
        let mut normalized = String::with_capacity(text.len());
        let mut line_of = Vec::with_capacity(text.len());
        let mut last_line = 1u32;
        for (i, line) in text.lines().enumerate() {
            let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
            for word in line.split_whitespace() {
                if !normalized.is_empty() {
                    normalized.push(' ');
                    line_of.push(last_line);
                }
                normalized.push_str(word);
                line_of.extend(std::iter::repeat_n(number, word.len()));
                last_line = number;
            }
        }
        DocumentText {
            normalized,
            line_of,
        }
    }

    /// The text with runs of whitespace made one space.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// Whether `cite` is a verbatim substring of the document, runs of whitespace equal.
    pub fn contains(&self, cite: &str) -> bool {
        let cite = crate::contract::normalize_ws(cite);
        !cite.is_empty() && self.normalized.contains(&cite)
    }

    /// The lines (1-based, ascending, each once) that the cite's occurrences in the document
    /// touch: every occurrence, since wherever the document says it, the rule checks it.
    /// Empty when the cite is not in the document.
    pub fn lines_of(&self, cite: &str) -> Vec<usize> {
        let cite = crate::contract::normalize_ws(cite);
        if cite.is_empty() {
            return vec![];
        }
        let mut lines: Vec<usize> = Vec::new();
        for (start, found) in self.normalized.match_indices(&cite) {
            let span = &self.line_of[start..start + found.len()];
            if let (Some(first), Some(last)) = (span.first(), span.last()) {
                lines.extend(*first as usize..=*last as usize);
            }
        }
        lines.sort_unstable();
        lines.dedup();
        lines
    }
}

/// The bars of `--min-coverage`: the least share (in percent) of operations, of documented
/// statuses and of the document's lines with text a run must cover. `None`: no bar.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MinCoverage {
    pub operations: Option<f64>,
    pub statuses: Option<f64>,
    pub document: Option<f64>,
}

/// The names `--min-coverage` takes.
pub const COVERAGE_BARS: [&str; 3] = ["operations", "statuses", "document"];

impl MinCoverage {
    /// `operations=90,statuses=70,document=50` (each optional, in any order; `90%` reads as
    /// 90). Says what is wrong and how to write it.
    pub fn parse(s: &str) -> Result<MinCoverage, String> {
        let example = "e.g. operations=90,statuses=70 (also document=N)";
        let mut bars = MinCoverage::default();
        for part in s.split(',').map(str::trim) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| format!("`{part}`: write NAME=PERCENT, {example}"))?;
            let (name, value) = (name.trim(), value.trim());
            let bar = match name {
                "operations" => &mut bars.operations,
                "statuses" => &mut bars.statuses,
                "document" => &mut bars.document,
                _ => {
                    return Err(format!(
                        "unknown coverage `{name}`: {}",
                        crate::error::suggest(name, COVERAGE_BARS)
                    ))
                }
            };
            let number = value.strip_suffix('%').unwrap_or(value).trim();
            let percent = match number.parse::<f64>() {
                Ok(p) if (0.0..=100.0).contains(&p) => p,
                _ => {
                    return Err(format!(
                        "`{part}`: give a percentage from 0 to 100, {example}"
                    ))
                }
            };
            if bar.replace(percent).is_some() {
                return Err(format!("`{name}` is given twice"));
            }
        }
        Ok(bars)
    }

    pub fn is_empty(&self) -> bool {
        *self == MinCoverage::default()
    }

    /// Each bar `coverage` does not reach, as one line: `statuses 12/40 (30%) is below
    /// --min-coverage statuses=70`. A bar whose coverage was not measured (no document, or
    /// nothing to cover) is missed too: an unmeasured bar is not a met one.
    pub fn missed(&self, coverage: &Coverage) -> Vec<String> {
        let totals = &coverage.totals;
        let not_measured = coverage
            .document_absent
            .clone()
            .unwrap_or_else(|| "no document".into());
        let bars = [
            ("operations", self.operations, Ok(totals.operations)),
            ("statuses", self.statuses, Ok(totals.statuses)),
            (
                "document",
                self.document,
                totals.document.ok_or(not_measured),
            ),
        ];
        bars.into_iter()
            .filter_map(|(name, bar, measured)| {
                let bar = bar?;
                let wanted = format!("--min-coverage {name}={}", number_text(bar));
                match measured {
                    Err(why) => Some(format!(
                        "{name} coverage not measured ({why}), so it cannot meet {wanted}"
                    )),
                    Ok(ratio) => match ratio.percent {
                        None => Some(format!(
                            "{name} coverage not measured (nothing to cover), so it cannot meet {wanted}"
                        )),
                        Some(p) if p < bar => {
                            Some(format!("{name} coverage {ratio} is below {wanted}"))
                        }
                        Some(_) => None,
                    },
                }
            })
            .collect()
    }
}

/// A bar as it was given: `90`, `72.5`.
fn number_text(p: f64) -> String {
    if p.fract() == 0.0 {
        format!("{p:.0}")
    } else {
        p.to_string()
    }
}

impl Redact for Hit {
    fn redact(&mut self, r: &Redactor) {
        self.operation.redact(r);
    }
}

impl Redact for StatusCoverage {
    fn redact(&mut self, r: &Redactor) {
        let StatusCoverage { status, rules } = self;
        status.redact(r);
        rules.redact(r);
    }
}

impl Redact for OperationCoverage {
    fn redact(&mut self, r: &Redactor) {
        let OperationCoverage {
            operation,
            method,
            path,
            rules,
            statuses,
            undocumented,
        } = self;
        operation.redact(r);
        method.redact(r);
        path.redact(r);
        rules.redact(r);
        statuses.redact(r);
        undocumented.redact(r);
    }
}

impl Redact for DocumentLine {
    fn redact(&mut self, r: &Redactor) {
        let DocumentLine {
            number: _,
            text,
            rules,
        } = self;
        text.redact(r);
        rules.redact(r);
    }
}

impl Redact for DocumentCoverage {
    fn redact(&mut self, r: &Redactor) {
        let DocumentCoverage {
            file,
            lines,
            lines_with_text: _,
            cited_lines: _,
        } = self;
        file.redact(r);
        lines.redact(r);
    }
}

impl Redact for Coverage {
    fn redact(&mut self, r: &Redactor) {
        let Coverage {
            operations,
            document,
            document_absent,
            totals: _,
        } = self;
        operations.redact(r);
        document.redact(r);
        document_absent.redact(r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cite_maps_to_the_lines_it_spans_wherever_it_occurs() {
        let doc =
            DocumentText::new("Title\n\nThe key is\n  secret.  Keep it.\nThe key is secret.\n");
        assert_eq!(
            doc.normalized(),
            "Title The key is secret. Keep it. The key is secret."
        );
        assert_eq!(doc.lines_of("The key  is\n secret."), vec![3, 4, 5]);
        assert_eq!(doc.lines_of("Keep it."), vec![4]);
        assert_eq!(doc.lines_of("Title The"), vec![1, 2, 3]);
        assert!(doc.lines_of("not there").is_empty());
        assert!(doc.lines_of("  ").is_empty());
        assert!(doc.contains("it. The"));
        assert!(!doc.contains(""));
    }

    #[test]
    fn the_normalized_text_is_what_normalize_ws_makes() {
        let text = "a\tb \r\n\n  c\u{a0}d\u{2028}e  \n";
        assert_eq!(
            DocumentText::new(text).normalized(),
            crate::contract::normalize_ws(text)
        );
    }

    #[test]
    fn hits_are_tallied_per_operation_and_status() {
        let hits = Hit::tally([
            ("a", Some(200), false),
            ("b", None, false),
            ("a", Some(200), false),
            ("a", Some(404), false),
            ("a", Some(404), true),
        ]);
        let seen: Vec<(&str, Option<u16>, bool, usize)> = hits
            .iter()
            .map(|h| (h.operation.as_str(), h.status, h.other_method, h.exchanges))
            .collect();
        assert_eq!(
            seen,
            [
                ("a", Some(200), false, 2),
                ("b", None, false, 1),
                ("a", Some(404), false, 1),
                ("a", Some(404), true, 1)
            ]
        );
    }

    #[test]
    fn percentages_never_round_up_to_complete() {
        assert_eq!(Ratio::new(1999, 2000).to_string(), "1999/2000 (99.9%)");
        assert_eq!(Ratio::new(2, 3).to_string(), "2/3 (66.6%)");
        assert_eq!(Ratio::new(3, 4).to_string(), "3/4 (75%)");
        assert_eq!(Ratio::new(0, 0).to_string(), "0/0");
    }

    #[test]
    fn min_coverage_reads_its_bars_and_says_what_is_wrong() {
        let bars = MinCoverage::parse("operations=90, statuses=70%,document=12.5").unwrap();
        assert_eq!(
            bars,
            MinCoverage {
                operations: Some(90.0),
                statuses: Some(70.0),
                document: Some(12.5)
            }
        );
        assert!(MinCoverage::parse("statuses=70")
            .unwrap()
            .operations
            .is_none());
        let err = |s| MinCoverage::parse(s).unwrap_err();
        assert_eq!(
            err("operation=90"),
            "unknown coverage `operation`: did you mean `operations`?"
        );
        assert!(
            err("operations").contains("write NAME=PERCENT"),
            "{}",
            err("operations")
        );
        assert!(err("operations=101").contains("from 0 to 100"));
        assert!(err("operations=lots").contains("from 0 to 100"));
        assert!(err("").contains("write NAME=PERCENT"));
        assert_eq!(err("statuses=1,statuses=2"), "`statuses` is given twice");
    }

    #[test]
    fn a_bar_is_met_at_it_and_missed_below_it_or_unmeasured() {
        let hits = Hit::tally([("getA", Some(200), false)]);
        let rules = [RuleTrace {
            id: "t.one",
            cite: &[],
            hits: &hits,
        }];
        // 1 of 2 operations (50%), 1 of 3 statuses (33.3%), no document.
        let c = compute(&api(), &rules, Err("no document: pass --docs".into()));
        let at = MinCoverage::parse("operations=50").unwrap();
        assert!(at.missed(&c).is_empty());
        let above = MinCoverage::parse("operations=50.1,statuses=30,document=0").unwrap();
        assert_eq!(
            above.missed(&c),
            [
                "operations coverage 1/2 (50%) is below --min-coverage operations=50.1",
                "document coverage not measured (no document: pass --docs), so it cannot meet --min-coverage document=0",
            ]
        );
    }

    fn api() -> ApiDoc {
        let yaml = r#"
openapi: 3.0.3
info: { title: t, version: '1' }
paths:
  /a:
    get:
      operationId: getA
      responses:
        '200': { description: ok }
        '4XX': { description: refused }
        default: { description: other }
    post:
      operationId: postA
      responses:
        '201': { description: made }
"#;
        ApiDoc::load(std::path::Path::new("openapi.yaml"), yaml).unwrap()
    }

    #[test]
    fn statuses_are_matched_to_their_documented_keys() {
        let one = Hit::tally([
            ("getA", Some(200), false),
            ("getA", Some(404), false),
            ("getA", Some(500), false),
        ]);
        // 405 probes of the path: postA documents no 405, and is not exercised by them; getA's
        // 4XX is about GET's answers, not another method's.
        let two = Hit::tally([
            ("getA", None, false),
            ("postA", Some(405), true),
            ("getA", Some(405), true),
        ]);
        let rules = [
            RuleTrace {
                id: "t.one",
                cite: &[],
                hits: &one,
            },
            RuleTrace {
                id: "t.two",
                cite: &[],
                hits: &two,
            },
        ];
        let c = compute(&api(), &rules, Err("no document".into()));
        let get = c.operations.iter().find(|o| o.operation == "getA").unwrap();
        assert_eq!(get.rules, ["t.one", "t.two"]);
        let statuses: Vec<(&str, usize)> = get
            .statuses
            .iter()
            .map(|s| (s.status.as_str(), s.rules.len()))
            .collect();
        assert_eq!(statuses, [("200", 1), ("4XX", 1)]);
        assert_eq!(get.undocumented.len(), 1);
        assert_eq!(get.undocumented[0].status, "500");
        assert_eq!(c.totals.operations, Ratio::new(1, 2));
        assert_eq!(c.totals.statuses, Ratio::new(2, 3));
        assert_eq!(c.document_absent.as_deref(), Some("no document"));
        assert!(c.document.is_none() && c.totals.document.is_none());
        let missing = c.unexercised_statuses();
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].0.operation, "postA");
        assert_eq!(missing[0].1, ["201"]);
    }

    #[test]
    fn document_lines_carry_the_rules_that_cite_them() {
        let cites = ["The key is secret.".to_string()];
        let rules = [RuleTrace {
            id: "t.key",
            cite: &cites,
            hits: &[],
        }];
        let c = compute(
            &api(),
            &rules,
            Ok(("t.txt", "Title\n\nThe key\nis secret.\nOther.\n")),
        );
        let d = c.document.unwrap();
        let cited: Vec<usize> = d
            .lines
            .iter()
            .filter(|l| !l.rules.is_empty())
            .map(|l| l.number)
            .collect();
        assert_eq!(cited, [3, 4]);
        assert_eq!((d.lines_with_text, d.cited_lines), (4, 2));
        assert_eq!(c.totals.document, Some(Ratio::new(2, 4)));
    }
}
