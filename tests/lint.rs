//! The spec loader and `specgate lint`: the five specs load clean, and each malformed fixture
//! fails with its own error at the right place.

use std::path::{Path, PathBuf};
use std::process::Command;

use specgate::lint::{lint, CiteCheck};
use specgate::SpecErrorKind;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> PathBuf {
    root().join("tests/fixtures")
}

/// The vendor documents, when the checkout has `shared/` beside it (as CI does).
fn vendor_docs() -> Option<PathBuf> {
    let d = root().join("../shared/docs");
    d.is_dir().then_some(d)
}

const APIS: &[&str] = &[
    "checklick",
    "checklist-items",
    "checkvist",
    "checktick",
    "optacheck",
];

#[test]
fn the_five_specs_load_and_lint_clean() {
    let dirs: Vec<PathBuf> = APIS.iter().map(|a| root().join("specs").join(a)).collect();
    let docs = vendor_docs();
    let outcomes = lint(&dirs, docs.as_deref());
    for o in &outcomes {
        assert!(
            o.is_clean(),
            "{} does not lint clean:\n{}",
            o.dir.display(),
            o.errors
        );
        let spec = o.spec.as_ref().unwrap();
        assert!(!spec.rules.is_empty(), "{} has no rules", spec.name);
        assert!(
            spec.api.operations.len() >= 3,
            "{} has too few operations",
            spec.name
        );
        // Every operation has at least one rule that sends a request to it.
        let covered = spec.covered_operations();
        let uncovered: Vec<&String> = spec
            .api
            .operations
            .keys()
            .filter(|k| !covered.contains(k.as_str()))
            .collect();
        assert!(
            uncovered.is_empty(),
            "{}: operations no rule exercises: {uncovered:?}",
            spec.name
        );
        if docs.is_some() {
            assert!(
                matches!(o.cites, CiteCheck::Checked(_)),
                "{}: cites not checked: {:?}",
                spec.name,
                o.cites
            );
        }
    }
    if docs.is_none() {
        eprintln!("note: ../shared/docs is absent: cites were not checked against the documents");
    }
}

#[test]
fn the_valid_fixture_is_clean_with_cites_checked() {
    let o = lint(
        &[fixtures().join("valid/mini")],
        Some(&fixtures().join("docs")),
    );
    assert!(o[0].is_clean(), "{}", o[0].errors);
    assert!(matches!(o[0].cites, CiteCheck::Checked(_)));
    let spec = o[0].spec.as_ref().unwrap();
    assert_eq!(spec.rules_by_level(), (4, 0, 0));
    // Only the lifecycle writes.
    let writing: Vec<&str> = spec
        .rules
        .iter()
        .filter(|r| r.writes)
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(writing, ["mini.notes.lifecycle"]);
}

/// The 1-based line and column where the last `needle` starts in `file`.
fn position_of(file: &Path, needle: &str) -> (usize, usize) {
    let text = std::fs::read_to_string(file).unwrap();
    for (i, line) in text
        .lines()
        .enumerate()
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
    {
        if let Some(col) = line.find(needle) {
            return (i + 1, col + 1);
        }
    }
    panic!("`{needle}` is not in {}", file.display());
}

/// Lint one malformed fixture; it must fail with exactly one error, located at `needle`.
fn expect_one_error(
    case: &str,
    file: &str,
    needle: &str,
    check: impl Fn(&SpecErrorKind) -> bool,
) -> specgate::SpecError {
    let dir = fixtures().join("malformed").join(case);
    let outcomes = lint(std::slice::from_ref(&dir), Some(&fixtures().join("docs")));
    let errors = &outcomes[0].errors;
    assert_eq!(
        errors.len(),
        1,
        "{case}: expected one error, got:\n{errors}"
    );
    let e = errors.0[0].clone();
    assert!(check(&e.kind), "{case}: unexpected error kind: {e}");
    let path = dir.join(file);
    assert_eq!(e.location.file, path, "{case}: wrong file: {e}");
    let (line, column) = position_of(&path, needle);
    assert_eq!(
        (e.location.line, e.location.column),
        (line, column),
        "{case}: wrong place: {e}"
    );
    assert!(e.hint.is_some(), "{case}: no hint: {e}");
    e
}

#[test]
fn broken_yaml_is_located() {
    let dir = fixtures().join("malformed/broken-yaml");
    let outcomes = lint(std::slice::from_ref(&dir), None);
    let e = &outcomes[0].errors.0[0];
    assert!(matches!(e.kind, SpecErrorKind::Syntax(_)), "{e}");
    // The parser notices the unclosed `{` where the next key starts.
    let text = std::fs::read_to_string(dir.join("contract.yaml")).unwrap();
    let open_line = text
        .lines()
        .position(|l| l.ends_with("{ operation: listNotes "))
        .unwrap()
        + 1;
    assert!(
        e.location.line == open_line || e.location.line == open_line + 1,
        "{e}"
    );
    assert!(e.location.column > 0);
}

#[test]
fn unknown_kind_suggests_the_nearest() {
    let e = expect_one_error(
        "unknown-kind",
        "contract.yaml",
        "paginaton",
        |k| matches!(k, SpecErrorKind::UnknownKind(n) if n == "paginaton"),
    );
    assert_eq!(e.hint.as_deref(), Some("did you mean `pagination`?"));
}

#[test]
fn missing_cite_points_at_the_rule() {
    expect_one_error(
        "missing-cite",
        "contract.yaml",
        "id: missing-cite.pagination.default-size",
        |k| matches!(k, SpecErrorKind::Shape(m) if m.contains("`cite`")),
    );
}

#[test]
fn a_rule_without_a_basis_is_refused() {
    let e = expect_one_error(
        "missing-basis",
        "contract.yaml",
        "id: missing-basis.errors.not-found",
        |k| matches!(k, SpecErrorKind::Shape(m) if m.contains("`basis`")),
    );
    assert!(e.hint.unwrap().contains("basis: stated"));
}

#[test]
fn an_unknown_basis_suggests_the_nearest() {
    let e = expect_one_error(
        "unknown-basis",
        "contract.yaml",
        "stataed",
        |k| matches!(k, SpecErrorKind::Shape(m) if m.contains("unknown basis `stataed`")),
    );
    assert_eq!(e.hint.as_deref(), Some("did you mean `stated`?"));
}

#[test]
fn an_inferred_basis_needs_a_note() {
    expect_one_error(
        "basis-without-note",
        "contract.yaml",
        "{ schema: framework }",
        |k| matches!(k, SpecErrorKind::Invalid(m) if m.contains("`note`")),
    );
}

#[test]
fn empty_cite_is_refused() {
    expect_one_error("empty-cite", "contract.yaml", "\"\"", |k| {
        matches!(k, SpecErrorKind::EmptyCite(_))
    });
}

#[test]
fn dangling_ref_is_located_in_openapi() {
    let e = expect_one_error(
        "dangling-ref",
        "openapi.yaml",
        "\"#/components/schemas/NotesPage\"",
        |k| matches!(k, SpecErrorKind::DanglingRef(r) if r.ends_with("NotesPage")),
    );
    assert!(e.hint.unwrap().contains("NotePage"));
}

#[test]
fn duplicate_id_names_the_first() {
    // The error is at the second occurrence, and names the first one's line.
    let text =
        std::fs::read_to_string(fixtures().join("malformed/duplicate-id/contract.yaml")).unwrap();
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("id: duplicate-id.headers.api-version"))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(lines.len(), 2);
    let first = lines[0];
    expect_one_error(
        "duplicate-id",
        "contract.yaml",
        "duplicate-id.headers.api-version",
        |k| matches!(k, SpecErrorKind::DuplicateId { first_line, .. } if *first_line == first),
    );
}

#[test]
fn bad_jsonpath_is_located() {
    expect_one_error("bad-jsonpath", "contract.yaml", "\"$.data[?\"", |k| {
        matches!(k, SpecErrorKind::BadJsonPath { .. })
    });
}

/// A path nested past the parser's bound is refused before parsing (fuzzing found that
/// unclosed nested filters take seconds to reject), with the same located error.
#[test]
fn deeply_nested_jsonpath_is_refused_and_located() {
    let e = expect_one_error(
        "deep-jsonpath",
        "contract.yaml",
        "\"$.data[?(@.a",
        |k| matches!(k, SpecErrorKind::BadJsonPath { reason, .. } if reason.contains("24 deep")),
    );
    assert!(e.to_string().contains("at most 10"), "{e}");
}

#[test]
fn bad_regex_is_located() {
    expect_one_error("bad-regex", "contract.yaml", "\"^(note \"", |k| {
        matches!(k, SpecErrorKind::BadRegex { .. })
    });
}

#[test]
fn unknown_operation_suggests_the_nearest() {
    let e = expect_one_error(
        "unknown-operation",
        "contract.yaml",
        "getNotes",
        |k| matches!(k, SpecErrorKind::UnknownOperation(o) if o == "getNotes"),
    );
    assert_eq!(e.hint.as_deref(), Some("did you mean `getNote`?"));
}

#[test]
fn unknown_parameter_suggests_the_nearest() {
    let e = expect_one_error(
        "unknown-parameter",
        "contract.yaml",
        "defualt_size",
        |k| matches!(k, SpecErrorKind::Shape(m) if m.contains("defualt_size")),
    );
    assert_eq!(e.hint.as_deref(), Some("did you mean `default_size`?"));
}

#[test]
fn unknown_variable_is_located() {
    expect_one_error(
        "unknown-variable",
        "contract.yaml",
        "\"note {{run_idd}}\"",
        |k| matches!(k, SpecErrorKind::UnknownVariable(v) if v == "run_idd"),
    );
}

#[test]
fn a_secret_capture_no_step_makes_is_located() {
    let e = expect_one_error(
        "unknown-secret-capture",
        "contract.yaml",
        "idd",
        |k| matches!(k, SpecErrorKind::UnknownName { what: "capture", name } if name == "idd"),
    );
    assert!(e.hint.as_deref().unwrap_or("").contains("`id`"), "{e}");
}

#[test]
fn a_secret_field_that_is_not_a_json_path_is_located() {
    expect_one_error(
        "bad-secret-field",
        "contract.yaml",
        "\"token\"",
        |k| matches!(k, SpecErrorKind::BadJsonPath { path, .. } if path == "token"),
    );
}

#[test]
fn unknown_schema_suggests_the_nearest() {
    let e = expect_one_error(
        "unknown-schema",
        "contract.yaml",
        "Errors",
        |k| matches!(k, SpecErrorKind::UnknownSchema(s) if s == "Errors"),
    );
    assert_eq!(e.hint.as_deref(), Some("did you mean `Error`?"));
}

#[test]
fn a_cite_not_in_the_document_is_reported() {
    let e = expect_one_error(
        "cite-not-in-document",
        "contract.yaml",
        "\"Creating a note returns 200 OK.\"",
        |k| matches!(k, SpecErrorKind::CiteNotInDocument { rule, .. } if rule.ends_with("notes.lifecycle")),
    );
    assert!(e.hint.unwrap().contains("Creating a note returns 20"));
}

#[test]
fn an_example_that_breaks_its_schema_is_reported() {
    expect_one_error(
        "example-mismatch",
        "openapi.yaml",
        "{ message: 404 }",
        |k| matches!(k, SpecErrorKind::Invalid(m) if m.contains("example does not match") && m.contains("/message")),
    );
}

/// A "billion laughs" is refused while it is read, at the alias that crosses the limit: the
/// first alias of the line whose aliases bring the expansion past 100,000 (each `*c` stands
/// for nine 900-byte strings), before serde expands anything.
#[test]
fn an_alias_bomb_is_refused_at_the_alias_that_crosses_the_limit() {
    let e = expect_one_error(
        "alias-bomb",
        "contract.yaml",
        "*c, *c, *c, *c, *c, *c, *c, *c, *c]",
        |k| matches!(k, SpecErrorKind::Aliases(m) if m.contains("100000")),
    );
    assert!(e.to_string().contains("YAML aliases refused"), "{e}");
}

/// NotesPage is a Page and a Page is a NotesPage: the loop never descends into the body, and
/// the schema used to accept every body. It is reported at the `$ref` that closes it.
#[test]
fn a_ref_cycle_is_located_at_the_ref_that_closes_it() {
    let e = expect_one_error(
        "ref-cycle",
        "openapi.yaml",
        "\"#/components/schemas/NotesPage\"",
        |k| {
            matches!(k, SpecErrorKind::RefCycle(m)
                if m == "#/components/schemas/NotesPage → #/components/schemas/Page → #/components/schemas/NotesPage")
        },
    );
    assert!(e.hint.unwrap().contains("below a property"));
}

#[test]
fn a_level_that_is_not_a_name_is_shown_as_written() {
    let e = expect_one_error(
        "level-not-a-name",
        "contract.yaml",
        "42 # a number",
        |k| matches!(k, SpecErrorKind::Shape(m) if m == "unknown level `42`"),
    );
    assert!(e.hint.unwrap().contains("must"));
}

/// A status of the wrong type says what a status is, not which internal type failed.
#[test]
fn a_wrongly_typed_status_says_what_a_status_is() {
    let e = expect_one_error("status-wrong-type", "contract.yaml", "404.5", |k| {
        matches!(k, SpecErrorKind::Shape(m)
            if m.contains("floating point `404.5`") && m.contains("expected a status: a code (404)"))
    });
    assert!(!e.to_string().contains("RawStatus"), "{e}");
    assert!(!e.to_string().contains("untagged"), "{e}");
}

/// `kind: 42` is a kind that is not a name, not a missing one.
#[test]
fn a_kind_that_is_not_a_name_is_not_reported_missing() {
    let dir = fixtures().join("valid/mini");
    let openapi = std::fs::read_to_string(dir.join("openapi.yaml")).unwrap();
    let contract = std::fs::read_to_string(dir.join("contract.yaml"))
        .unwrap()
        .replacen("kind: exchange", "kind: 42", 1);
    let errors = specgate::spec::load_spec_from_str(&dir, &openapi, &contract).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors}");
    let e = &errors.0[0];
    assert!(
        e.to_string()
            .contains("`kind` is the name of a kind, not 42"),
        "{e}"
    );
    let line = contract
        .lines()
        .position(|l| l.contains("kind: 42"))
        .unwrap()
        + 1;
    assert_eq!(e.location.line, line, "{e}");
}

#[test]
fn every_malformed_fixture_has_a_test() {
    // A fixture added without a test would prove nothing.
    let tested = [
        "alias-bomb",
        "bad-jsonpath",
        "bad-regex",
        "bad-secret-field",
        "basis-without-note",
        "broken-yaml",
        "cite-not-in-document",
        "dangling-ref",
        "deep-jsonpath",
        "duplicate-id",
        "empty-cite",
        "example-mismatch",
        "level-not-a-name",
        "missing-basis",
        "missing-cite",
        "ref-cycle",
        "status-wrong-type",
        "unknown-basis",
        "unknown-kind",
        "unknown-operation",
        "unknown-parameter",
        "unknown-schema",
        "unknown-secret-capture",
        "unknown-variable",
    ];
    let mut found: Vec<String> = std::fs::read_dir(fixtures().join("malformed"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    assert_eq!(found, tested);
}

fn specgate(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_specgate"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn lint_exits_2_with_located_errors_and_0_when_clean() {
    let docs = fixtures().join("docs");
    let docs = docs.to_str().unwrap();
    let (code, _, err) = specgate(&[
        "lint",
        "tests/fixtures/malformed/unknown-kind",
        "--docs",
        docs,
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("contract.yaml:") && err.contains("unknown kind `paginaton`"),
        "{err}"
    );
    let (code, out, err) = specgate(&["lint", "tests/fixtures/valid/mini", "--docs", docs]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("cites checked"), "{out}");
    let (code, _, err) = specgate(&["lint", "no-such-api"]);
    assert_eq!(code, 2);
    assert!(err.contains("no spec `no-such-api`"), "{err}");
}

#[test]
fn specs_lists_the_five_apis() {
    let (code, out, err) = specgate(&["specs"]);
    assert_eq!(code, 0, "{err}");
    for api in APIS {
        assert!(
            out.lines().any(|l| l.contains(&format!(" {api} "))),
            "{api} missing from:\n{out}"
        );
    }
    let (code, out, _) = specgate(&["specs", "checklick"]);
    assert_eq!(code, 0);
    assert!(out.contains("Operations") && out.contains("Rules"), "{out}");
}

#[test]
fn every_kind_is_documented_in_the_reference_and_the_readme() {
    let reference = std::fs::read_to_string(root().join("docs/spec-format.md")).unwrap();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for kind in specgate::check::KIND_NAMES {
        let row = format!("| `{kind}` |");
        assert!(
            reference.contains(&row),
            "docs/spec-format.md has no row for `{kind}`"
        );
        assert!(readme.contains(&row), "README.md has no row for `{kind}`");
    }
}

/// Every subcommand in `specgate --help` says what it does, and only what it does (a doc
/// comment once slid from `lint` onto `check`, leaving `lint` blank).
#[test]
fn help_describes_each_command_once() {
    let (code, out, _) = specgate(&["--help"]);
    assert_eq!(code, 0);
    for command in ["specs", "check", "mock", "load", "plan", "lint"] {
        let line = out
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{command} ")))
            .unwrap_or_else(|| panic!("`{command}` missing from --help:\n{out}"));
        assert!(
            line.trim_start()[command.len()..].trim().len() > 10,
            "`{command}` has no description:\n{out}"
        );
    }
    let (_, check_help, _) = specgate(&["check", "--help"]);
    assert!(
        !check_help.contains("Load, compile and check specs"),
        "{check_help}"
    );
    let (_, lint_help, _) = specgate(&["lint", "--help"]);
    assert!(
        lint_help.starts_with("Load, compile and check specs"),
        "{lint_help}"
    );
}
