//! The layers of the library, checked from its sources: every `.rs` file under `src/` is found
//! here (no list to forget one), its `crate::…` paths are read, and a module that reaches a module
//! of a higher layer fails the test, naming the file and the line. Top-level modules must not
//! import each other in a loop either, even within one layer.
//!
//! Only `crate::` paths are read (`use crate::x`, `crate::x::f()`, `use crate::{x, y::z}`):
//! `super::` stays within a module's own tree, and `$crate::`/`crate::name!` are macros. A name
//! at the crate root that is no module is a re-export of `lib.rs` (counted as its module) or an
//! exported macro (`macro_rules!`, not an edge).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, bottom to top: a module may import only from modules of a lower rank, or of its
/// own. A top-level module missing here fails the test, so a new one is placed on purpose.
const RANKS: &[(&str, u8)] = &[
    // 1. Foundations.
    ("error", 1),
    ("locate", 1),
    ("jsonpath", 1),
    // 2. What knows nothing of kinds.
    ("basis", 2),
    ("contract", 2),
    ("vars", 2),
    ("redact", 2),
    ("halt", 2),
    ("openapi", 2),
    ("target", 2),
    ("exchange", 2),
    ("expect", 2),
    ("coverage", 2),
    ("results", 2),
    ("rule_context", 2),
    // 3. The catalogue of kinds.
    ("check", 3),
    // 4. The loader of spec files, and lint.
    ("spec", 4),
    ("lint", 4),
    // 5. The engine.
    ("run", 5),
    // 6. Mocks, load runs, reporters.
    ("mock", 6),
    ("load", 6),
    ("report", 6),
    // 7. The commands, as library functions.
    ("cli", 7),
];

/// Edges the ranks allow but the layering forbids: the mocks may sit lower than their rank
/// (they serve the runner's tests), so they must not depend on the kinds, the spec loader or
/// the engine.
const FORBIDDEN: &[(&str, &str)] = &[("mock", "check"), ("mock", "spec"), ("mock", "run")];

/// Edges that break the layering today and cannot be fixed by a path change here, each with
/// its reason: (from, to, why). Empty: every module keeps to its layer.
const ALLOWED: &[(&str, &str, &str)] = &[];

/// One `crate::` reference: the top-level module it names and the line it is on.
#[derive(Debug, PartialEq, Eq)]
struct Reference {
    module: String,
    line: usize,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file under `src/` belongs to; `None` for the crate root and the
/// binary.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).expect("a file under src/");
    let first = rel.components().next()?.as_os_str().to_string_lossy();
    if rel.components().count() == 1 {
        let name = first.trim_end_matches(".rs");
        return (name != "lib" && name != "main").then(|| name.to_string());
    }
    Some(first.into_owned())
}

/// The text without its `//` comments (doc comments included), line for line.
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What `lib.rs` re-exports at the root (`pub use spec::{load_spec, Spec}`): name → module.
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for statement in without_comments(lib).split(';') {
        let Some(rest) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        let rest = rest.trim_start_matches("crate::");
        let Some((module, items)) = rest.split_once("::") else {
            continue;
        };
        for item in items.trim_matches(|c| c == '{' || c == '}').split(',') {
            let name = item.rsplit("::").next().unwrap_or("").trim();
            let name = name.rsplit(" as ").next().unwrap_or(name).trim();
            if !name.is_empty() {
                out.insert(name.to_string(), module.trim().to_string());
            }
        }
    }
    out
}

/// The names of every `macro_rules!` in `text`.
fn macro_names(text: &str) -> Vec<String> {
    text.split("macro_rules!")
        .skip(1)
        .map(|rest| {
            rest.trim_start()
                .chars()
                .take_while(|c| is_ident(*c))
                .collect()
        })
        .collect()
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every top-level module named by a `crate::` path in `text`, with its line (1-based).
fn references(text: &str) -> Vec<Reference> {
    let text = without_comments(text);
    let bytes: Vec<char> = text.chars().collect();
    let line_at = |i: usize| bytes[..i].iter().filter(|c| **c == '\n').count() + 1;
    let ident_at = |mut i: usize| {
        let start = i;
        while i < bytes.len() && is_ident(bytes[i]) {
            i += 1;
        }
        (bytes[start..i].iter().collect::<String>(), i)
    };
    let mut out = Vec::new();
    let needle: Vec<char> = "crate::".chars().collect();
    let mut i = 0;
    while i + needle.len() <= bytes.len() {
        let preceded = i > 0 && (is_ident(bytes[i - 1]) || bytes[i - 1] == '$');
        if bytes[i..i + needle.len()] != needle[..] || preceded {
            i += 1;
            continue;
        }
        let at = i + needle.len();
        if bytes.get(at) == Some(&'{') {
            // A group: its items at depth one each name a module (`self` names the root).
            let (mut depth, mut j, mut item_start) = (0usize, at, at + 1);
            while j < bytes.len() {
                match bytes[j] {
                    '{' => depth += 1,
                    '}' | ',' if depth == 1 => {
                        let k = (item_start..j)
                            .find(|k| !bytes[*k].is_whitespace())
                            .unwrap_or(j);
                        let (name, _) = ident_at(k);
                        if !name.is_empty() && name != "self" {
                            out.push(Reference {
                                module: name,
                                line: line_at(k),
                            });
                        }
                        item_start = j + 1;
                        if bytes[j] == '}' {
                            break;
                        }
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
                j += 1;
            }
            i = j;
        } else {
            let (name, end) = ident_at(at);
            // `crate::name!` is a macro exported at the root, not a module.
            if !name.is_empty() && bytes.get(end) != Some(&'!') {
                out.push(Reference {
                    module: name,
                    line: line_at(i),
                });
            }
            i = end;
        }
    }
    out
}

#[test]
fn references_are_read_from_paths_groups_and_calls() {
    let text = "use crate::error::SpecError; // crate::run in a comment\n\
                use crate::{\n    contract::step::Step,\n    self,\n    vars::{Vars, scalar_text},\n};\n\
                fn f() { crate::results::describe(x); $crate::mock::x; crate::faults! {} }\n";
    let found: Vec<(String, usize)> = references(text)
        .into_iter()
        .map(|r| (r.module, r.line))
        .collect();
    assert_eq!(
        found,
        vec![
            ("error".to_string(), 1),
            ("contract".to_string(), 3),
            ("vars".to_string(), 5),
            ("results".to_string(), 7),
        ]
    );
}

#[test]
fn root_reexports_and_macros_are_named() {
    let lib = "pub use error::{SpecError, SpecErrors};\npub use spec::{load_spec, Spec};\npub use contract::Level;\n";
    let found = root_reexports(lib);
    assert_eq!(found.get("Spec").map(String::as_str), Some("spec"));
    assert_eq!(found.get("Level").map(String::as_str), Some("contract"));
    assert_eq!(found.get("SpecErrors").map(String::as_str), Some("error"));
    assert_eq!(
        macro_names("macro_rules! faults {\n}\nmacro_rules!kinds{}"),
        ["faults", "kinds"]
    );
}

#[test]
fn no_module_imports_a_module_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let ranks: BTreeMap<&str, u8> = RANKS.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(
        files.len() > 20,
        "found only {} files under src/",
        files.len()
    );
    let modules: BTreeSet<String> = files.iter().filter_map(|f| module_of(&src, f)).collect();
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("src/lib.rs");
    let reexports = root_reexports(&lib);
    let mut macros = BTreeSet::new();
    for file in &files {
        macros.extend(macro_names(
            &std::fs::read_to_string(file).unwrap_or_default(),
        ));
    }

    let mut problems = Vec::new();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let Some(module) = module_of(&src, file) else {
            continue;
        };
        let shown = file.strip_prefix(src.parent().unwrap()).unwrap().display();
        let Some(&rank) = ranks.get(module.as_str()) else {
            problems.push(format!(
                "{shown}: module `{module}` has no layer: add it to RANKS in tests/layers.rs"
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("a readable source file");
        for mut r in references(&text) {
            if !modules.contains(&r.module) {
                if let Some(m) = reexports.get(&r.module) {
                    r.module = m.clone();
                } else if macros.contains(&r.module) {
                    continue;
                }
            }
            if r.module == module {
                continue;
            }
            graph
                .entry(module.clone())
                .or_default()
                .insert(r.module.clone());
            if ALLOWED
                .iter()
                .any(|(from, to, _)| *from == module && *to == r.module)
            {
                continue;
            }
            let Some(&to) = ranks.get(r.module.as_str()) else {
                problems.push(format!(
                    "{shown}:{}: `crate::{}` is neither a module of the table in tests/layers.rs, a re-export of lib.rs, nor a macro",
                    r.line, r.module
                ));
                continue;
            };
            if to > rank {
                problems.push(format!(
                    "{shown}:{}: `{module}` (layer {rank}) imports `{}` (layer {to}), a higher layer",
                    r.line, r.module
                ));
            } else if FORBIDDEN.contains(&(module.as_str(), r.module.as_str())) {
                problems.push(format!(
                    "{shown}:{}: `{module}` must not import `{}`",
                    r.line, r.module
                ));
            }
        }
    }
    if let Some(cycle) = find_cycle(&graph) {
        problems.push(format!(
            "top-level modules import each other in a loop: {}",
            cycle.join(" → ")
        ));
    }
    assert!(
        problems.is_empty(),
        "the layering is broken:\n{}",
        problems.join("\n")
    );
}

/// A loop in the module graph, if any, as the modules along it (the first repeated at the end).
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut cycle = path[i..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn a_loop_between_modules_is_found() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("spec", vec!["check", "error"]),
        ("check", vec!["run"]),
        ("run", vec!["spec"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(
        find_cycle(&graph),
        Some(vec![
            "check".into(),
            "run".into(),
            "spec".into(),
            "check".into()
        ])
    );
}
