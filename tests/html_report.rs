//! The HTML report and the annotated document, read as a browser parses them (scraper, on
//! html5ever): results listed failures first, the show/hide checkboxes with their counts, both
//! pages self-contained, every cite of the spec marked on the annotated document, every link
//! from it reaching an anchor of the report, and no secret on either page.
//!
//! The run: the Checklick mock with the fault every mock shares, `echo-credentials` (it hands
//! every credential back and answers every refusal with a 500 quoting them, so rules fail,
//! warn and are not run, and secrets are there to leak), with the pagination rules skipped as
//! a profile's `skip` would, so every outcome shows. The pages are written by the reporter
//! `check` uses ([`ReportFiles`]), into a fresh folder, and read back from it.
//!
//! The vendor documents come from `../shared/docs`, as CI has them beside the checkout.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use scraper::{ElementRef, Html, Selector};
use specgate::mock::{start, MockOptions, ECHO_FAULT};
use specgate::report::check::ReportFiles;
use specgate::report::files::ReportFile;
use specgate::report::{ReportFormat, Reporter};
use specgate::results::{ApiResult, Event, RuleResult, Status};
use specgate::run::engine::{run_api, RunOptions};
use specgate::Level;

const API: &str = "checklick";
const SKIPPED: &str = "checklick.pagination.*";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn docs() -> PathBuf {
    let docs = root().join("../shared/docs");
    assert!(
        docs.join("checklick.txt").is_file(),
        "the vendor documents are needed beside the checkout: {}",
        docs.display()
    );
    docs
}

/// What the run left: its result, the folder the reporter wrote, and the mock's secrets.
struct Written {
    api: ApiResult,
    dir: PathBuf,
    secrets: Vec<(String, String)>,
}

impl Written {
    fn report(&self) -> Html {
        Html::parse_document(&self.read("report.html"))
    }

    fn document(&self) -> Html {
        Html::parse_document(&self.read(&format!("document-{API}.html")))
    }

    fn read(&self, name: &str) -> String {
        let path = self.dir.join(name);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{} was not written: {e}", path.display()))
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("specgate-html-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Run `API` against its mock with `fault`, and write the HTML report (and what comes with
/// it) into `dir` as `check` does.
fn run_and_write(
    fault: &str,
    options: RunOptions,
    dir: &Path,
) -> (ApiResult, Vec<(String, String)>) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let (api, secrets) = runtime.block_on(async {
        let spec = specgate::load_spec(&root().join("specs").join(API)).expect("the spec loads");
        let mock = start(
            API,
            MockOptions {
                fault: Some(fault.into()),
                ..Default::default()
            },
        )
        .await
        .expect("the mock starts");
        let result = run_api(&spec, &mock.target, &options, &mut |_| {}).await;
        let secret = |name: &str| {
            spec.contract
                .credentials
                .iter()
                .any(|c| c.name == name && c.secret)
        };
        let mut secrets: Vec<(String, String)> = mock
            .target
            .credentials
            .values
            .iter()
            .chain(mock.target.credentials.roles.values().flatten())
            .filter(|(name, _)| secret(name))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        for (i, token) in mock.issued_tokens().into_iter().enumerate() {
            secrets.push((format!("issued token #{i}"), token));
        }
        mock.shutdown().await;
        (result, secrets)
    });
    let mut reporter = ReportFiles::new(
        vec![ReportFile {
            format: ReportFormat::Html,
            path: dir.join("report.html"),
        }],
        false,
    );
    reporter.event(&Event::ApiDone { result: &api });
    reporter.finish().expect("the report is written");
    (api, secrets)
}

/// The run, made once for all the tests of this file.
fn written() -> &'static Written {
    static WRITTEN: OnceLock<Written> = OnceLock::new();
    WRITTEN.get_or_init(|| {
        let dir = scratch("echo");
        let options = RunOptions {
            skip_reasons: vec![(
                SKIPPED.into(),
                "skipped by this test, so skipped rules show".into(),
            )],
            docs: Some(docs()),
            ..Default::default()
        };
        let (api, secrets) = run_and_write(ECHO_FAULT, options, &dir);
        assert!(!secrets.is_empty(), "the mock has no secret credential");
        Written { api, dir, secrets }
    })
}

fn select(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("{s}: {e:?}"))
}

fn classes(e: &ElementRef<'_>) -> BTreeSet<String> {
    e.value().classes().map(str::to_string).collect()
}

fn text(e: &ElementRef<'_>) -> String {
    e.text().collect()
}

/// The outcome a result should show, worked out here from its status, level and failures
/// rather than by the report's own code.
fn expected_outcome(r: &RuleResult) -> &'static str {
    match r.status {
        Status::Passed => "passed",
        Status::Skipped => "skipped",
        Status::NotRun => "not-run",
        Status::Failed => {
            // A `must` rule whose every failure rests on an inferred expectation only warns.
            let some_stated = r.failures.iter().any(|f| f.failure.is_stated());
            if r.level == Level::Must && (some_stated || r.failures.is_empty()) {
                "failed"
            } else {
                "warned"
            }
        }
    }
}

const ORDER: [&str; 5] = ["failed", "warned", "not-run", "skipped", "passed"];

#[test]
fn results_are_listed_failed_then_warned_then_not_run_then_skipped_then_passed() {
    let w = written();
    let page = w.report();
    let rules: Vec<ElementRef<'_>> = page.select(&select("main details.rule")).collect();
    assert_eq!(rules.len(), w.api.results.len(), "one entry per result");
    let mut seen: Vec<(usize, String)> = Vec::new();
    for r in &rules {
        let id = r.value().id().expect("every result has its anchor");
        let result = w
            .api
            .results
            .iter()
            .find(|x| x.id == id)
            .unwrap_or_else(|| panic!("{id} is no result of the run"));
        let outcome = expected_outcome(result);
        assert!(
            classes(r).contains(outcome),
            "{id} is not marked {outcome}: {:?}",
            classes(r)
        );
        assert!(
            classes(r).contains(&result.level.to_string()),
            "{id}: no level class"
        );
        let rank = ORDER.iter().position(|o| *o == outcome).unwrap();
        seen.push((rank, id.to_string()));
    }
    // The run has every outcome, so the order below is tested between all of them.
    let ranks: BTreeSet<usize> = seen.iter().map(|(r, _)| *r).collect();
    assert_eq!(
        ranks.len(),
        ORDER.len(),
        "not every outcome occurs: {seen:?}"
    );
    for pair in seen.windows(2) {
        assert!(
            pair[0].0 <= pair[1].0,
            "{} ({}) is listed before {} ({})",
            pair[0].1,
            ORDER[pair[0].0],
            pair[1].1,
            ORDER[pair[1].0]
        );
    }
    // Within an outcome, the spec's order is kept.
    for (rank, outcome) in ORDER.iter().enumerate() {
        let listed: Vec<&str> = seen
            .iter()
            .filter(|(r, _)| *r == rank)
            .map(|(_, id)| id.as_str())
            .collect();
        let in_spec: Vec<&str> = w
            .api
            .results
            .iter()
            .filter(|r| expected_outcome(r) == *outcome)
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(listed, in_spec, "{outcome}");
    }
    // Only what fails the run is open.
    for r in &rules {
        let open = r.value().attr("open").is_some();
        assert_eq!(open, classes(r).contains("failed"), "{:?}", r.value().id());
    }
}

/// The CSS of a page.
fn style(page: &Html) -> String {
    page.select(&select("style")).map(|s| text(&s)).collect()
}

/// The count a toggle's label shows.
fn label_count(page: &Html, input_id: &str) -> usize {
    let label = page
        .select(&select(&format!("label[for=\"{input_id}\"]")))
        .next()
        .unwrap_or_else(|| panic!("no label for {input_id}"));
    let n = label
        .select(&select(".n"))
        .next()
        .unwrap_or_else(|| panic!("the label of {input_id} has no count"));
    text(&n)
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("{input_id}: {e}"))
}

/// A toggle works without a script when it is a checked input, a direct child of `<body>`
/// before `<main>`, and the CSS hides `main .<what>.<class>` when it is unchecked.
fn assert_toggle_works(page: &Html, input_id: &str, hides: &str) {
    assert_checked_before_main(page, input_id);
    let rule = format!("#{input_id}:not(:checked)~main {hides}");
    let css = style(page);
    let at = css
        .find(&rule)
        .unwrap_or_else(|| panic!("no CSS rule `{rule}`"));
    assert!(
        css[at..]
            .split('}')
            .next()
            .is_some_and(|r| r.contains("{display:none")),
        "`{rule}` does not hide"
    );
}

/// An input checked to begin with, a direct child of `<body>` before `<main>`, so that `~`
/// selectors reach what `<main>` holds.
fn assert_checked_before_main(page: &Html, input_id: &str) {
    let input = page
        .select(&select(&format!("body > input#{input_id}")))
        .next()
        .unwrap_or_else(|| panic!("no input #{input_id} directly in <body>"));
    assert!(input.value().attr("checked").is_some(), "{input_id}");
    let main_follows = input
        .next_siblings()
        .filter_map(ElementRef::wrap)
        .any(|e| e.value().name() == "main");
    assert!(main_follows, "{input_id} is not before <main>");
}

#[test]
fn every_outcome_and_level_has_a_toggle_with_its_count() {
    let w = written();
    let page = w.report();
    for outcome in ORDER {
        let expected = w
            .api
            .results
            .iter()
            .filter(|r| expected_outcome(r) == outcome)
            .count();
        let input = format!("show-{outcome}");
        assert_eq!(label_count(&page, &input), expected, "{outcome}");
        let listed = page
            .select(&select(&format!("main details.rule.{outcome}")))
            .count();
        assert_eq!(listed, expected, "{outcome} listed");
        assert_toggle_works(&page, &input, &format!(".rule.{outcome}"));
    }
    for level in ["must", "should", "may"] {
        let expected = w
            .api
            .results
            .iter()
            .filter(|r| r.level.to_string() == level)
            .count();
        assert!(expected > 0, "the run has no {level} rule");
        let input = format!("show-{level}");
        assert_eq!(label_count(&page, &input), expected, "{level}");
        assert_toggle_works(&page, &input, &format!(".rule.{level}"));
    }
    // A rule linked to by name shows whatever is hidden.
    assert!(style(&page).contains("main .rule:target{display:block!important}"));
}

/// Every reference a page makes to a resource: none may leave the folder.
fn assert_self_contained(name: &str, page: &Html) {
    for tag in ["script", "link", "img", "iframe", "object", "embed", "base"] {
        let n = page.select(&select(tag)).count();
        assert_eq!(n, 0, "{name} has a <{tag}>");
    }
    for e in page.select(&select("*")) {
        for (attr, value) in e.value().attrs() {
            // Titles may name a URL as text; what a browser would fetch or follow may not.
            assert!(
                ![
                    "src",
                    "srcset",
                    "action",
                    "formaction",
                    "data",
                    "poster",
                    "background",
                    "style"
                ]
                .contains(&attr)
                    && !attr.starts_with("on"),
                "{name}: <{} {attr}>",
                e.value().name()
            );
            if attr == "href" {
                assert!(
                    !value.contains(':') && !value.starts_with("//"),
                    "{name}: <{} href=\"{value}\"> points outside",
                    e.value().name()
                );
            }
        }
    }
    let css = style(page).to_ascii_lowercase();
    for banned in ["url(", "@import", "@font-face"] {
        assert!(!css.contains(banned), "{name}'s style has {banned}");
    }
}

#[test]
fn both_pages_are_self_contained() {
    let w = written();
    let report = w.report();
    let document = w.document();
    // Text may name URLs (base URLs, the document's own); the check is of references.
    assert!(w.read("report.html").contains("https://api.checklick.com:"));
    assert!(w
        .read(&format!("document-{API}.html"))
        .contains("https://api.checklick.com"));
    assert_self_contained("report.html", &report);
    assert_self_contained("the annotated document", &document);
}

/// The cites of each rule of the spec, read from its contract here (a string or a list).
fn cites_in_contract() -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(root().join("specs").join(API).join("contract.yaml"))
        .expect("the contract");
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("the contract is YAML");
    let mut cites = BTreeMap::new();
    for rule in yaml["rules"].as_sequence().expect("rules") {
        let id = rule["id"].as_str().expect("an id").to_string();
        let list: Vec<String> = match &rule["cite"] {
            serde_yaml::Value::String(s) => vec![s.clone()],
            serde_yaml::Value::Sequence(v) => v
                .iter()
                .map(|c| c.as_str().expect("a cite is text").to_string())
                .collect(),
            other => panic!("{id}: cite {other:?}"),
        };
        cites.insert(id, list);
    }
    cites
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_annotated_document_carries_every_cite_of_the_spec_marked() {
    let w = written();
    let page = w.document();
    let document = std::fs::read_to_string(docs().join(format!("{API}.txt"))).unwrap();
    let line_sel = select("main .line");
    let lines: Vec<ElementRef<'_>> = page.select(&line_sel).collect();
    // Every line of the document, in order, its text as the file has it.
    assert_eq!(lines.len(), document.lines().count());
    for (n, (el, original)) in lines.iter().zip(document.lines()).enumerate() {
        assert_eq!(el.value().id(), Some(format!("L{}", n + 1).as_str()));
        let shown = el.select(&select(".text")).next().map(|t| text(&t));
        assert_eq!(shown.as_deref(), Some(original), "line {}", n + 1);
    }
    let rules_of = |el: &ElementRef<'_>| -> Vec<String> {
        el.value()
            .attr("data-rules")
            .map(|r| r.split(' ').map(str::to_string).collect())
            .unwrap_or_default()
    };
    let cites = cites_in_contract();
    assert!(cites.len() > 50, "{} rules", cites.len());
    for (id, list) in &cites {
        let marked: Vec<&ElementRef<'_>> =
            lines.iter().filter(|l| rules_of(l).contains(id)).collect();
        assert!(!marked.is_empty(), "{id}: no line is marked with it");
        let joined = squash(
            &marked
                .iter()
                .map(|l| text(&l.select(&select(".text")).next().unwrap()))
                .collect::<Vec<_>>()
                .join(" "),
        );
        for cite in list {
            assert!(
                joined.contains(&squash(cite)),
                "{id}: the cite {cite:?} is not on the lines marked with it"
            );
        }
    }
    // Each cited line is marked with the worst outcome of its rules; the others are plain.
    let mut uncited = 0;
    for l in &lines {
        let rules = rules_of(l);
        let c = classes(l);
        if rules.is_empty() {
            assert!(
                !ORDER.iter().any(|o| c.contains(*o)),
                "{:?}: uncited, marked",
                l.value().id()
            );
            uncited += usize::from(c.contains("uncited"));
            continue;
        }
        let worst = rules
            .iter()
            .map(|id| {
                let r = w.api.results.iter().find(|r| &r.id == id);
                let outcome = r.map_or("not-run", expected_outcome);
                ORDER.iter().position(|o| *o == outcome).unwrap()
            })
            .min()
            .unwrap();
        assert!(
            c.contains("cited") && c.contains(ORDER[worst]),
            "{:?} ({rules:?}) is not marked {}: {c:?}",
            l.value().id(),
            ORDER[worst]
        );
    }
    assert!(
        uncited > 0,
        "every line is cited: the uncited view is untested"
    );
    assert_eq!(
        label_count(&page, "view-uncited"),
        uncited,
        "the uncited lines' count"
    );
    assert_checked_before_main(&page, "view-all");
    let css = style(&page);
    for rule in [
        "#view-cited:checked~main .line.uncited",
        "#view-uncited:checked~main .line.cited",
    ] {
        assert!(css.contains(rule), "no `{rule}`");
    }
    // Each outcome's checkbox counts the lines of text marked with it, and hides them.
    for outcome in ORDER {
        let marked = lines
            .iter()
            .filter(|l| classes(l).contains(outcome))
            .filter(|l| {
                !text(&l.select(&select(".text")).next().unwrap())
                    .trim()
                    .is_empty()
            })
            .count();
        let input = format!("show-{outcome}");
        assert_eq!(label_count(&page, &input), marked, "{outcome} lines");
        assert_toggle_works(&page, &input, &format!(".line.{outcome}"));
    }
}

/// The ids of a page's elements.
fn ids(page: &Html) -> BTreeSet<String> {
    page.select(&select("[id]"))
        .filter_map(|e| e.value().id().map(str::to_string))
        .collect()
}

#[test]
fn every_link_reaches_an_anchor_that_exists() {
    let w = written();
    let report_ids = ids(&w.report());
    let document = w.document();
    let document_ids = ids(&document);
    let mut to_report = 0;
    for a in document.select(&select("a[href]")) {
        let href = a.value().attr("href").unwrap();
        let (file, anchor) = href.split_once('#').unwrap_or((href, ""));
        let ids = match file {
            "" => &document_ids,
            "report.html" => {
                to_report += 1;
                &report_ids
            }
            other => panic!("the annotated document links to {other}"),
        };
        assert!(ids.contains(anchor), "{href}: no such anchor");
    }
    assert!(to_report > 50, "{to_report} links to the report");
    // The report links to the page, which is there, and to its own anchors.
    let report = w.report();
    let mut to_page = 0;
    for a in report.select(&select("a[href]")) {
        let href = a.value().attr("href").unwrap();
        match href.split_once('#') {
            Some(("", anchor)) => assert!(report_ids.contains(anchor), "{href}"),
            _ => {
                assert!(w.dir.join(href).is_file(), "report.html links to {href}");
                to_page += 1;
            }
        }
    }
    assert_eq!(to_page, 1, "the report links to its annotated document");
}

#[test]
fn without_the_document_no_page_is_written_and_the_report_says_why() {
    let dir = scratch("no-docs");
    let options = RunOptions {
        rules: vec!["checklick.auth.*".into()],
        docs: None,
        ..Default::default()
    };
    run_and_write("auth.token-not-checked", options, &dir);
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["report.html"]);
    let report = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(
        report.contains("not written: no document: pass --docs"),
        "{report}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Each form a secret could take on a page: raw, HTML-escaped (as the pages escape text),
/// percent-encoded, base64 and JSON-escaped; computed with the crates a target would use.
fn encodings(value: &str) -> Vec<String> {
    let json = serde_json::to_string(value).unwrap();
    let mut out = vec![
        value.to_string(),
        quick_xml::escape::escape(value).into_owned(),
        form_urlencoded::byte_serialize(value.as_bytes()).collect(),
        STANDARD.encode(value),
        json[1..json.len() - 1].to_string(),
    ];
    out.sort();
    out.dedup();
    out
}

fn leaks(secrets: &[(String, String)], pages: &[(&str, String)]) -> Vec<String> {
    let mut found = vec![];
    for (page, text) in pages {
        for (name, value) in secrets {
            for needle in encodings(value) {
                if text.contains(&needle) {
                    found.push(format!("{page}: {name} as {needle:?}"));
                }
            }
        }
    }
    found
}

#[test]
fn no_secret_reaches_either_page() {
    let w = written();
    let pages = [
        ("report.html", w.read("report.html")),
        ("document", w.read(&format!("document-{API}.html"))),
    ];
    // The hunt could find one: a page with a secret in it is caught.
    let (name, value) = &w.secrets[0];
    let planted = [(
        "planted",
        format!("<p>{}</p>", quick_xml::escape::escape(value)),
    )];
    assert_eq!(leaks(&w.secrets, &planted).len(), 1, "{name}");
    // The run went where the leaks are: the mock echoed the credentials, and the report shows
    // them as their variable.
    assert!(
        pages[0].1.contains("${TOKEN}") || pages[0].1.contains("${CHECKLICK_TOKEN}"),
        "the report never shows a redacted credential"
    );
    let found = leaks(&w.secrets, &pages);
    assert!(found.is_empty(), "{}", found.join("\n"));
}
