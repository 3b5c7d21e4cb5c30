//! What `tests/readme.rs` and `tests/ci_recipes.rs` share: reading the fenced blocks of
//! README.md, comparing a block with what a command printed, and rewriting a block when
//! `README_UPDATE=always` is set.
//!
//! Comparison is on normalised text, the README's and the command's alike, so that the README
//! can show real output while what changes from run to run does not fail the test: loopback
//! ports, report folder timestamps, elapsed times, decimal figures (latencies), and the width
//! of table columns (runs of spaces and of `─` count as one). Anything else that varies is
//! written in the README as a wildcard: `[..]` stands for any text within a line, and a line
//! holding only `...` for any number of lines.

#![allow(dead_code)] // each test uses its own part

use std::sync::OnceLock;

use regex::Regex;

/// The environment variable that rewrites README blocks from real output.
pub const UPDATE_VAR: &str = "README_UPDATE";

/// Whether this run rewrites the README instead of failing on a difference.
pub fn updating() -> bool {
    std::env::var(UPDATE_VAR).is_ok_and(|v| v == "always" || v == "overwrite")
}

/// A fenced code block of a Markdown file.
#[derive(Debug, Clone)]
pub struct Block {
    /// 1-based line of the opening fence.
    pub line: usize,
    /// The fence's info string (`console exit=1`), trimmed.
    pub info: String,
    /// The line just before the opening fence, trimmed (where a `<!-- … -->` mark goes).
    pub before: String,
    /// The body lines (between the fences).
    pub body: Vec<String>,
    /// 0-based index of the first body line and one past the last, in the file's lines.
    pub body_start: usize,
    pub body_end: usize,
}

impl Block {
    /// The info string's first word: the block's language.
    pub fn language(&self) -> &str {
        self.info.split_whitespace().next().unwrap_or("")
    }
}

/// Every fenced block of `text`, or the line of a fence left open.
pub fn blocks(text: &str) -> Result<Vec<Block>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let ticks = line.len() - line.trim_start_matches('`').len();
        if ticks >= 3 && !line.starts_with(' ') {
            let fence = &line[..ticks];
            let start = i + 1;
            let Some(offset) = lines[start..].iter().position(|l| l.trim_end() == fence) else {
                return Err(format!("line {}: a fence that is never closed", i + 1));
            };
            let end = start + offset;
            out.push(Block {
                line: i + 1,
                info: line[ticks..].trim().to_string(),
                before: if i == 0 {
                    String::new()
                } else {
                    lines[i - 1].trim().to_string()
                },
                body: lines[start..end].iter().map(|l| l.to_string()).collect(),
                body_start: start,
                body_end: end,
            });
            i = end + 1;
        } else {
            i += 1;
        }
    }
    Ok(out)
}

/// `text` with its lines `start..end` replaced by `body` (and with the fence's info string
/// replaced by `info` when given).
pub fn replace_lines(text: &str, block: &Block, body: &[String], info: Option<&str>) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if let Some(info) = info {
        let fence_line = &lines[block.body_start - 1];
        let ticks = fence_line.len() - fence_line.trim_start_matches('`').len();
        lines[block.body_start - 1] = format!("{}{info}", &fence_line[..ticks]);
    }
    lines.splice(block.body_start..block.body_end, body.iter().cloned());
    let mut out = lines.join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    out
}

fn rules() -> &'static [(Regex, &'static str)] {
    static RULES: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    RULES.get_or_init(|| {
        [
            // A mock's or a test target's port on loopback (and the Checklick mock's host,
            // resolved to loopback).
            (
                r"(127\.0\.0\.1|localhost|\[::1\]|api\.checklick\.com):\d{2,5}\b",
                "$1:[PORT]",
            ),
            // A report folder: reports/<timestamp>/, reports/load-<timestamp>/.
            (r"\b((?:load-|plan-)?)\d{8}T\d{6}Z\b", "$1[TIMESTAMP]"),
            // Elapsed times: `73 ms`, `0.85 s`, `49 min 8 s`, `2 h 49 min`.
            (r"\b\d+ h \d+ min\b", "[ELAPSED]"),
            (r"\b\d+(?:\.\d+)? ?(?:ms|µs|s)\b", "[ELAPSED]"),
            (r"\b\d+ min \[ELAPSED\]", "[ELAPSED]"),
        ]
        .into_iter()
        .map(|(pattern, with)| (Regex::new(pattern).expect("a valid pattern"), with))
        .collect()
    })
}

/// One line with what varies from run to run replaced, trailing spaces dropped.
pub fn normalise_line(line: &str) -> String {
    let mut text = line.trim_end().to_string();
    for (pattern, with) in rules() {
        text = pattern.replace_all(&text, *with).into_owned();
    }
    // Decimal figures (latencies, rates), not dotted numbers such as addresses and versions.
    static DECIMAL: OnceLock<Regex> = OnceLock::new();
    let decimal = DECIMAL.get_or_init(|| Regex::new(r"\b\d+(?:\.\d+)+\b").unwrap());
    text = decimal
        .replace_all(&text, |c: &regex::Captures| {
            if c[0].matches('.').count() == 1 {
                "[DECIMAL]".to_string()
            } else {
                c[0].to_string()
            }
        })
        .into_owned();
    // Table column widths.
    static WIDTH: OnceLock<[Regex; 2]> = OnceLock::new();
    let [dashes, spaces] =
        WIDTH.get_or_init(|| [Regex::new("─+").unwrap(), Regex::new(" +").unwrap()]);
    text = dashes.replace_all(&text, "─").into_owned();
    text = spaces.replace_all(&text, " ").into_owned();
    text.trim_end().to_string()
}

/// The lines of `text` normalised, without leading and trailing empty lines.
pub fn normalise(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(normalise_line).collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    while lines.first().is_some_and(|l| l.is_empty()) {
        lines.remove(0);
    }
    lines
}

/// Whether one normalised line of output matches one normalised line of the README, whose
/// `[..]` stand for any text.
pub fn line_matches(expected: &str, actual: &str) -> bool {
    let pieces: Vec<&str> = expected.split("[..]").collect();
    if pieces.len() == 1 {
        return expected == actual;
    }
    let (first, last) = (pieces[0], pieces[pieces.len() - 1]);
    if !actual.starts_with(first) || actual.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &actual[first.len()..];
    if !rest.ends_with(last) {
        return false;
    }
    rest = &rest[..rest.len() - last.len()];
    for piece in &pieces[1..pieces.len() - 1] {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    true
}

/// Whether the output's lines match the README's (both normalised); a README line `...`
/// stands for any number of lines. A table of (expected, actual) positions already tried keeps
/// the search to their product.
pub fn lines_match(expected: &[String], actual: &[String]) -> bool {
    let mut tried = vec![vec![false; actual.len() + 1]; expected.len() + 1];
    fn go(e: usize, a: usize, exp: &[String], act: &[String], tried: &mut [Vec<bool>]) -> bool {
        if tried[e][a] {
            return false;
        }
        tried[e][a] = true;
        if e == exp.len() {
            return a == act.len();
        }
        if exp[e] == "..." {
            return (a..=act.len()).any(|next| go(e + 1, next, exp, act, tried));
        }
        a < act.len() && line_matches(&exp[e], &act[a]) && go(e + 1, a + 1, exp, act, tried)
    }
    go(0, 0, expected, actual, &mut tried)
}

/// The README body to write for `actual` output when `expected` no longer matches: the lines
/// of the README that still match a line of the output (paired in order, as in a diff) are
/// kept with their wildcards, the output's other lines are written as they are, and the
/// README's unpaired lines go. A README block with a `...` line is written anew.
pub fn updated_body(expected: &[String], actual: &str) -> Vec<String> {
    let real: Vec<String> = {
        let mut lines: Vec<String> = actual.lines().map(|l| l.trim_end().to_string()).collect();
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        lines
    };
    if expected.iter().any(|l| l.trim() == "...") {
        return real;
    }
    let exp: Vec<String> = expected.iter().map(|l| normalise_line(l)).collect();
    let act: Vec<String> = real.iter().map(|l| normalise_line(l)).collect();
    // Longest common subsequence, lines paired when the README's matches the output's.
    let (n, m) = (exp.len(), act.len());
    let mut best = vec![vec![0usize; m + 1]; n + 1];
    for e in (0..n).rev() {
        for a in (0..m).rev() {
            best[e][a] = if line_matches(&exp[e], &act[a]) {
                best[e + 1][a + 1] + 1
            } else {
                best[e + 1][a].max(best[e][a + 1])
            };
        }
    }
    let (mut e, mut a, mut out) = (0, 0, Vec::with_capacity(m));
    while a < m {
        if e < n && line_matches(&exp[e], &act[a]) && best[e][a] == best[e + 1][a + 1] + 1 {
            out.push(expected[e].clone());
            e += 1;
            a += 1;
        } else if e < n && best[e + 1][a] >= best[e][a + 1] {
            e += 1;
        } else {
            out.push(real[a].clone());
            a += 1;
        }
    }
    out
}

/// A readable difference between the README's lines and the output's (normalised).
pub fn difference(expected: &[String], actual: &[String]) -> String {
    let (exp, act) = (expected.join("\n") + "\n", actual.join("\n") + "\n");
    similar::TextDiff::from_lines(&exp, &act)
        .unified_diff()
        .header("README.md", "output")
        .to_string()
}
