//! Golden files of lint errors: the located error text of a few malformed fixtures, as
//! `specgate lint` prints it, so that a change of wording or location is a reviewed diff
//! (`cargo insta review`, or `INSTA_UPDATE=always` and `git diff tests/snapshots/`).
//! (tests/lint.rs asserts each fixture's error kind, file, line and column.)

use std::path::PathBuf;

use specgate::lint::lint;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The errors of one malformed fixture, linted against the fixture documents. The checkout's
/// absolute path differs between machines: it is replaced by `[root]`.
fn errors_of(case: &str) -> String {
    let fixtures = root().join("tests/fixtures");
    let dir = fixtures.join("malformed").join(case);
    let outcomes = lint(std::slice::from_ref(&dir), Some(&fixtures.join("docs")));
    let text = outcomes[0].errors.to_string();
    assert!(!text.is_empty(), "{case} lints clean");
    text.replace(&root().display().to_string(), "[root]")
}

/// One case per family of error: YAML syntax, an unknown name with a suggestion, a reference
/// that does not resolve, a JSONPath, a regex, a cite the document does not contain, a
/// template variable nothing defines, and an expectation without its basis.
const CASES: &[&str] = &[
    "broken-yaml",
    "unknown-kind",
    "dangling-ref",
    "bad-jsonpath",
    "bad-regex",
    "cite-not-in-document",
    "unknown-variable",
    "missing-basis",
];

#[test]
fn lint_errors() {
    for case in CASES {
        let text = errors_of(case);
        insta::assert_snapshot!(format!("lint_{case}"), text);
    }
}
