//! The README's command examples are run, so they cannot drift from what specgate prints.
//!
//! Every fenced block of README.md is one of:
//! - ```` ```console ```` (with `exit=N` when the command exits N, 0 otherwise): `$ specgate …`
//!   lines, each followed by what it prints (stdout and stderr as a terminal shows them). Each
//!   command runs the built binary from the crate root, against the built-in mocks on loopback,
//!   within a time bound, and its output must match the block (see `support/readme_text.rs` for
//!   what is normalised and the `[..]` and `...` wildcards). Report folders a command writes
//!   under `reports/` are removed again.
//! - a block of a file's text (`yaml`, `json`, `markdown`, …), which shows no command;
//! - any other block (`sh`, `text`, none) right after a mark saying why it is not run here,
//!   `<!-- not run: … -->`, or which test checks it, `<!-- tested by tests/NAME.rs … -->`.
//!
//! `README_UPDATE=always cargo test --test readme` writes the real output into the blocks that
//! no longer match (keeping the wildcards of lines that still do) and their exit codes; review
//! it with `git diff README.md`.

#[path = "support/readme_text.rs"]
mod readme_text;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use readme_text::{
    blocks, difference, line_matches, lines_match, normalise, normalise_line, replace_lines,
    updated_body, updating, Block,
};

/// Languages of blocks that show a file's text, not a command.
const FILE_LANGUAGES: &[&str] = &["yaml", "yml", "json", "markdown", "md", "xml", "toml"];

/// The longest a README command may take (the slowest takes a few seconds in a debug build).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One `$ specgate …` line of a console block and the output the README shows for it.
struct Example {
    line: usize,
    /// The `$ specgate …` line as the README writes it.
    command: String,
    args: Vec<String>,
    expected: Vec<String>,
}

fn examples(block: &Block) -> Result<Vec<Example>, String> {
    let mut out: Vec<Example> = Vec::new();
    for (i, line) in block.body.iter().enumerate() {
        let at = block.body_start + i + 1;
        if let Some(command) = line.strip_prefix("$ ") {
            let words = shlex::split(command)
                .ok_or_else(|| format!("README.md:{at}: cannot split `{command}` into words"))?;
            match words.split_first() {
                Some((program, args)) if program == "specgate" => out.push(Example {
                    line: at,
                    command: line.clone(),
                    args: args.to_vec(),
                    expected: Vec::new(),
                }),
                _ => {
                    return Err(format!(
                        "README.md:{at}: a console block runs only `specgate …` commands"
                    ))
                }
            }
        } else if let Some(example) = out.last_mut() {
            example.expected.push(line.clone());
        } else {
            return Err(format!(
                "README.md:{at}: a console block starts with a `$ specgate …` line"
            ));
        }
    }
    if out.is_empty() {
        return Err(format!(
            "README.md:{}: a console block with no command",
            block.line
        ));
    }
    Ok(out)
}

/// The exit code a console block states (`exit=N`), 0 when it states none.
fn stated_exit(block: &Block) -> Result<i32, String> {
    match block
        .info
        .split_whitespace()
        .find_map(|w| w.strip_prefix("exit="))
    {
        None => Ok(0),
        Some(n) => n
            .parse()
            .map_err(|_| format!("README.md:{}: `exit={n}` is not a number", block.line)),
    }
}

/// The report folders under `reports/` that `output` names.
fn report_folders(output: &str) -> BTreeSet<String> {
    let pattern = regex::Regex::new(r"\breports/([A-Za-z0-9_.-]+)/").unwrap();
    pattern
        .captures_iter(output)
        .map(|c| c[1].to_string())
        .collect()
}

/// Runs the built binary with `args` from the crate root, stdout and stderr into one file (in
/// the order they were written, as a terminal shows them), within `COMMAND_TIMEOUT`.
fn run(args: &[String], scratch: &Path) -> (Option<i32>, String) {
    let output_path = scratch.join("output.txt");
    let file = std::fs::File::create(&output_path).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_specgate"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .expect("specgate starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > COMMAND_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let text = std::fs::read_to_string(&output_path).unwrap_or_default();
    match status {
        Some(status) => (status.code(), text),
        None => (
            None,
            format!("{text}\n(killed after {} s)", COMMAND_TIMEOUT.as_secs()),
        ),
    }
}

#[test]
fn every_command_block_of_the_readme_prints_what_it_shows() {
    let path = root().join("README.md");
    let mut readme = std::fs::read_to_string(&path).unwrap();
    let all = blocks(&readme).unwrap();
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("readme");
    std::fs::create_dir_all(&scratch).unwrap();

    let mut problems = Vec::new();
    // Blocks whose command printed other output or exited otherwise: rewritten from real
    // output under README_UPDATE, failures otherwise.
    let mut mismatches = Vec::new();
    let mut commands_run = 0;
    // Report folders the commands created under `reports/`, removed when every block has run.
    let mut created: BTreeSet<String> = BTreeSet::new();
    // Rewrites go from the last block up, so earlier blocks' line numbers stay right.
    let mut rewrites: Vec<(Block, Vec<String>, String)> = Vec::new();
    for block in &all {
        let language = block.language();
        if language == "console" {
            let examples = match examples(block).and_then(|e| Ok((e, stated_exit(block)?))) {
                Ok(e) => e,
                Err(e) => {
                    problems.push(e);
                    continue;
                }
            };
            let (examples, exit) = examples;
            let mut new_body = Vec::new();
            let mut new_exit = exit;
            let mut changed = false;
            let mut killed = false;
            for example in examples {
                let before: BTreeSet<String> = std::fs::read_dir(root().join("reports"))
                    .map(|d| {
                        d.filter_map(|e| e.ok())
                            .map(|e| e.file_name().to_string_lossy().into_owned())
                            .collect()
                    })
                    .unwrap_or_default();
                let (code, output) = run(&example.args, &scratch);
                commands_run += 1;
                // Removed at the end, not now: a later block may read them (a baseline).
                created.extend(report_folders(&output).difference(&before).cloned());
                let (exp, act) = (normalise(&example.expected.join("\n")), normalise(&output));
                let same_output = lines_match(&exp, &act);
                if !same_output || code != Some(exit) {
                    changed = true;
                    if code.is_none() {
                        problems.push(format!(
                            "README.md:{}: `specgate {}` did not end within {} s:\n{output}",
                            example.line,
                            example.args.join(" "),
                            COMMAND_TIMEOUT.as_secs()
                        ));
                        killed = true;
                        continue;
                    }
                    let exited = match code {
                        Some(c) if c == exit => format!("exited {c} as the block says"),
                        Some(c) => format!("exited {c}, the block says {exit}"),
                        None => "was killed (a signal or the time bound)".to_string(),
                    };
                    mismatches.push(format!(
                        "README.md:{}: `specgate {}` {exited}; {}",
                        example.line,
                        example.args.join(" "),
                        if same_output {
                            "its output matches".to_string()
                        } else {
                            format!("its output differs:\n{}", difference(&exp, &act))
                        }
                    ));
                    new_exit = code.unwrap_or(exit);
                }
                new_body.push(example.command.clone());
                if same_output {
                    new_body.extend(example.expected.iter().cloned());
                } else {
                    new_body.extend(updated_body(&example.expected, &output));
                }
            }
            if changed && !killed {
                let mut info = "console".to_string();
                if new_exit != 0 {
                    info.push_str(&format!(" exit={new_exit}"));
                }
                rewrites.push((block.clone(), new_body, info));
            }
        } else if FILE_LANGUAGES.contains(&language) {
            continue;
        } else if let Some(reason) = block
            .before
            .strip_prefix("<!-- not run:")
            .and_then(|r| r.strip_suffix("-->"))
        {
            if reason.trim().is_empty() {
                problems.push(format!(
                    "README.md:{}: `<!-- not run: -->` says why",
                    block.line
                ));
            }
        } else if let Some(test) = block.before.strip_prefix("<!-- tested by ") {
            let file = test.split_whitespace().next().unwrap_or("");
            if !file.starts_with("tests/") || !root().join(file.trim_end_matches(':')).is_file() {
                problems.push(format!(
                    "README.md:{}: `<!-- tested by {file}` names no test file",
                    block.line
                ));
            }
        } else {
            problems.push(format!(
                "README.md:{}: a ```{language} block is neither run (```console) nor marked \
                 `<!-- not run: why -->` or `<!-- tested by tests/NAME.rs -->` on the line before",
                block.line
            ));
        }
    }
    for folder in &created {
        let _ = std::fs::remove_dir_all(root().join("reports").join(folder));
    }
    assert!(
        commands_run >= 5,
        "the README's console blocks ran {commands_run} commands: the test checked next to nothing"
    );
    if updating() && !rewrites.is_empty() {
        for (block, body, info) in rewrites.iter().rev() {
            readme = replace_lines(&readme, block, body, Some(info));
        }
        std::fs::write(&path, &readme).unwrap();
        eprintln!(
            "README.md: {} block(s) rewritten from real output; review `git diff README.md`",
            rewrites.len()
        );
    } else {
        problems.append(&mut mismatches);
    }
    assert!(
        problems.is_empty(),
        "{}\n\n(README_UPDATE=always cargo test --test readme rewrites the blocks from real output)",
        problems.join("\n\n")
    );
}

#[test]
fn wildcards_and_normalisation() {
    assert!(line_matches("a [..] c", "a bbb c"));
    assert!(!line_matches("a [..] c", "a bbb d"));
    assert!(line_matches("[..]x[..]", "yyxyy"));
    assert!(!line_matches("abc[..]bcd", "abcd"));
    let e: Vec<String> = ["a", "...", "z"].map(String::from).to_vec();
    assert!(lines_match(&e, &["a", "b", "c", "z"].map(String::from)));
    assert!(lines_match(&e, &["a", "z"].map(String::from)));
    assert!(!lines_match(&e, &["a", "b"].map(String::from)));
    assert_eq!(
        normalise_line("│ x   │ 73 ms │ http://127.0.0.1:45265/a reports/20261202T224627Z/r"),
        "│ x │ [ELAPSED] │ http://127.0.0.1:[PORT]/a reports/[TIMESTAMP]/r"
    );
    assert_eq!(
        normalise_line("p50 1.44 ms, 770.5 req"),
        "p50 [ELAPSED], [DECIMAL] req"
    );
    for wall in ["49 min 8 s", "2 h 49 min", "1.5 s"] {
        assert_eq!(
            normalise_line(&format!("wall time {wall}.")),
            "wall time [ELAPSED]."
        );
    }
}

#[test]
fn a_rewrite_keeps_the_wildcards_of_lines_that_still_match() {
    let readme: Vec<String> = ["head", "sent [..] requests", "old line", "tail"]
        .map(String::from)
        .to_vec();
    let output = "head\nnew line\nsent 12 requests\nanother\ntail\n";
    assert_eq!(
        updated_body(&readme, output),
        ["head", "new line", "sent [..] requests", "another", "tail"]
    );
}
