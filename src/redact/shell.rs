//! Shell command lines (a failure's curl) read into words and written back, so that a redacted
//! repro still runs when pasted.
//!
//! A secret is shown as `${NAME}`, which a shell expands only outside single quotes. So the line
//! is read here as a POSIX shell splits it (blanks; `'…'`, `"…"` and backslashes; `$(`, `)`,
//! `|`, `;`, `&`, `<`, `>` and newlines between words), each word's text is redacted, and each
//! word is written back: as it was (bare, or in single quotes) when it holds no placeholder,
//! else in double quotes, with `"`, `\`, `` ` `` and every `$` that is no placeholder escaped,
//! and `!` (which an interactive bash expands even there) in single quotes of its own. A line
//! written here reads back into the same words, so a line redacted twice (the engine redacts
//! again once later rules taught it more secrets) comes out the same.
//!
//! A placeholder whose value was captured from an answer (a login's token) expands to nothing
//! in the user's shell. Its capture left a pipeline that prints the value again (the curl of
//! the request it came from, piped to what extracts it), so the line is preceded by
//! `NAME=$(pipeline)`, itself redacted the same way (and preceded by what it uses in turn).

use std::collections::BTreeSet;

use super::{Piece, Redactor};

/// How deep preludes may need preludes: a refreshed token's capture uses the login's token,
/// whose login uses credentials only.
const MAX_PRELUDE_DEPTH: usize = 4;

/// A word's pieces: text, or a `${NAME}` the shell expands (with the pipeline of its capture,
/// when redaction found it and knows one).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Var(String, Option<usize>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Blank(String),
    Op(&'static str),
    /// `quoted`: whether the line quoted it (a bare word is written back bare when it can be).
    Word {
        parts: Vec<Part>,
        quoted: bool,
    },
}

/// The line redacted and written back, after the lines that get the captured values it uses;
/// a line that cannot be read is redacted as any text.
pub(super) fn redact_line(r: &Redactor, line: &str) -> String {
    let mut defined = BTreeSet::new();
    let mut lines = Vec::new();
    match redact_with_preludes(r, line, &mut defined, &mut lines, 0) {
        Some(main) => {
            lines.push(main);
            lines.join("\n")
        }
        None => r.redact(line),
    }
}

/// `line` redacted and written back; pushes to `preludes` first the assignment of each
/// captured value it uses that is not assigned yet (in `defined`, or in the line itself).
fn redact_with_preludes(
    r: &Redactor,
    line: &str,
    defined: &mut BTreeSet<String>,
    preludes: &mut Vec<String>,
    depth: usize,
) -> Option<String> {
    let tokens = lex(line)?;
    defined.extend(assigned(&tokens));
    let tokens: Vec<Token> = tokens.into_iter().map(|t| redact_token(r, t)).collect();
    if depth < MAX_PRELUDE_DEPTH {
        for (name, matched) in vars(&tokens) {
            if defined.contains(&name) {
                continue;
            }
            let Some(pipeline) = r.source(&name, matched) else {
                continue;
            };
            defined.insert(name.clone());
            let assignment = format!("{name}=$({pipeline})");
            if let Some(text) = redact_with_preludes(r, &assignment, defined, preludes, depth + 1) {
                preludes.push(text);
            }
        }
    }
    Some(tokens.iter().map(render).collect())
}

/// The names a line assigns from a command: `NAME=$(`.
fn assigned(tokens: &[Token]) -> Vec<String> {
    tokens
        .windows(2)
        .filter_map(|w| match (&w[0], &w[1]) {
            (Token::Word { parts, .. }, Token::Op("$(")) => match parts.as_slice() {
                [Part::Text(t)] => t
                    .strip_suffix('=')
                    .filter(|n| is_name(n))
                    .map(str::to_string),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Every `${NAME}` of the words, once each, in order.
fn vars(tokens: &[Token]) -> Vec<(String, Option<usize>)> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for t in tokens {
        if let Token::Word { parts, .. } = t {
            for p in parts {
                if let Part::Var(n, s) = p {
                    if seen.insert(n.clone()) {
                        out.push((n.clone(), *s));
                    }
                }
            }
        }
    }
    out
}

/// A word with its text redacted: each run of text cut at its secrets.
fn redact_token(r: &Redactor, token: Token) -> Token {
    let Token::Word { parts, quoted } = token else {
        return token;
    };
    let mut out = Vec::new();
    for p in parts {
        match p {
            Part::Text(t) => {
                for piece in r.pieces(&t) {
                    out.push(match piece {
                        Piece::Text(t) => Part::Text(t),
                        Piece::Secret(n, source) => Part::Var(r.name(n).to_string(), source),
                    });
                }
            }
            var => out.push(var),
        }
    }
    Token::Word { parts: out, quoted }
}

fn is_name(n: &str) -> bool {
    let mut chars = n.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The operator at the start of `s`, with its length in characters.
fn op_at(s: &[char]) -> Option<(&'static str, usize)> {
    Some(match s {
        ['$', '(', ..] => ("$(", 2),
        ['\n', ..] => ("\n", 1),
        ['|', ..] => ("|", 1),
        [')', ..] => (")", 1),
        [';', ..] => (";", 1),
        ['&', ..] => ("&", 1),
        ['<', ..] => ("<", 1),
        ['>', ..] => (">", 1),
        _ => return None,
    })
}

/// `${NAME}` at the start of `s`: the name, and the length in characters.
fn var_at(s: &[char]) -> Option<(String, usize)> {
    if !matches!(s, ['$', '{', ..]) {
        return None;
    }
    let close = s.iter().position(|&c| c == '}')?;
    let name: String = s[2..close].iter().collect();
    is_name(&name).then_some((name, close + 1))
}

/// A word as it is read: its parts, text runs joined.
#[derive(Default)]
struct WordBuf {
    parts: Vec<Part>,
    quoted: bool,
}

impl WordBuf {
    /// A `$` where the shell expands (unquoted or in double quotes): a `${NAME}` placeholder
    /// becomes a variable part, any other `$` is text. Returns how many characters it read.
    fn dollar(&mut self, s: &[char]) -> usize {
        match var_at(s) {
            Some((name, len)) => {
                self.parts.push(Part::Var(name, None));
                len
            }
            None => {
                self.push('$');
                1
            }
        }
    }

    fn push(&mut self, c: char) {
        match self.parts.last_mut() {
            Some(Part::Text(t)) => t.push(c),
            _ => self.parts.push(Part::Text(c.to_string())),
        }
    }

    fn push_str(&mut self, s: &str) {
        s.chars().for_each(|c| self.push(c));
    }
}

/// The line's tokens as a POSIX shell splits them; `None` for an unterminated quote.
fn lex(line: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = line.chars().collect();
    let blank = |c: char| c == ' ' || c == '\t';
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if blank(chars[i]) {
            let start = i;
            while i < chars.len() && blank(chars[i]) {
                i += 1;
            }
            tokens.push(Token::Blank(chars[start..i].iter().collect()));
            continue;
        }
        if let Some((op, len)) = op_at(&chars[i..]) {
            tokens.push(Token::Op(op));
            i += len;
            continue;
        }
        let mut w = WordBuf::default();
        while i < chars.len() && !blank(chars[i]) && op_at(&chars[i..]).is_none() {
            match chars[i] {
                '\'' => {
                    w.quoted = true;
                    let end = i + 1 + chars[i + 1..].iter().position(|&c| c == '\'')?;
                    let text: String = chars[i + 1..end].iter().collect();
                    w.push_str(&text);
                    // `''` is an empty word, not no word.
                    if text.is_empty() && w.parts.is_empty() {
                        w.parts.push(Part::Text(String::new()));
                    }
                    i = end + 1;
                }
                '"' => {
                    w.quoted = true;
                    i += 1;
                    if w.parts.is_empty() {
                        w.parts.push(Part::Text(String::new()));
                    }
                    loop {
                        match *chars.get(i)? {
                            '"' => {
                                i += 1;
                                break;
                            }
                            '\\' if matches!(chars.get(i + 1), Some('$' | '`' | '"' | '\\')) => {
                                w.push(chars[i + 1]);
                                i += 2;
                            }
                            '\\' if chars.get(i + 1) == Some(&'\n') => i += 2,
                            '$' => i += w.dollar(&chars[i..]),
                            c => {
                                w.push(c);
                                i += 1;
                            }
                        }
                    }
                }
                '\\' => {
                    w.quoted = true;
                    match chars.get(i + 1) {
                        Some('\n') => {}
                        Some(&c) => w.push(c),
                        None => w.push('\\'),
                    }
                    i += 2;
                }
                '$' => i += w.dollar(&chars[i..]),
                c => {
                    w.push(c);
                    i += 1;
                }
            }
        }
        // Drop the empty text a quote opened with, once there is more.
        if w.parts.len() > 1 {
            w.parts
                .retain(|p| !matches!(p, Part::Text(t) if t.is_empty()));
        }
        tokens.push(Token::Word {
            parts: w.parts,
            quoted: w.quoted,
        });
    }
    Some(tokens)
}

/// A character a bare word may hold and mean itself.
fn bare_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c)
}

fn render(token: &Token) -> String {
    match token {
        Token::Blank(b) => b.clone(),
        Token::Op(op) => op.to_string(),
        Token::Word { parts, quoted } => render_word(parts, *quoted),
    }
}

/// A word written back: single quotes (or bare, as it was) without a placeholder; double
/// quotes with one, so the shell expands it.
fn render_word(parts: &[Part], quoted: bool) -> String {
    if !parts.iter().any(|p| matches!(p, Part::Var(..))) {
        let text: String = parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.as_str(),
                Part::Var(..) => "",
            })
            .collect();
        if !quoted && !text.is_empty() && text.chars().all(bare_char) {
            return text;
        }
        return format!("'{}'", text.replace('\'', r"'\''"));
    }
    let mut out = String::from('"');
    for p in parts {
        match p {
            Part::Var(n, _) => {
                out.push_str("${");
                out.push_str(n);
                out.push('}');
            }
            Part::Text(t) => {
                for c in t.chars() {
                    match c {
                        '"' | '\\' | '`' | '$' => {
                            out.push('\\');
                            out.push(c);
                        }
                        // History expansion: not even `\!` stops it in bash's double quotes.
                        '!' => out.push_str(r#""'!'""#),
                        c => out.push(c),
                    }
                }
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use crate::redact::tests::redactor;
    use crate::redact::{Origin, Secrets};

    /// What `sh` makes of `line`: each argument of its first command, by running it through
    /// `printf '[%s]\n'` with the variables of `env` set.
    fn sh_words(line: &str, env: &[(&str, &str)]) -> String {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("printf '[%s]\\n' {line}"))
            .env_clear()
            .envs(env.iter().copied())
            .output()
            .expect("sh runs");
        assert!(out.status.success(), "{line}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    fn a_word_with_a_secret_is_double_quoted_and_expands_to_it() {
        let key = "k3y'\"$`\\!x 9Zq";
        let r = redactor(&[("OPTACHECK_API_KEY", key)]);
        let raw = format!(
            "curl -sS -H {} --data-binary {} 'http://h/p?a=1&b=$x'",
            quote(&format!("x-api-key: {key}")),
            quote(&format!("{{\"k\":\"{key}\",\"cost\":\"$5 `ls` \\\\ !\"}}"))
        );
        let out = r.redact_shell(&raw);
        assert!(!out.contains("k3y"), "{out}");
        assert!(
            out.contains(r#"-H "x-api-key: ${OPTACHECK_API_KEY}""#),
            "{out}"
        );
        // What the shell makes of it, with the variable set, is the raw line's words.
        let env = [("OPTACHECK_API_KEY", key)];
        assert_eq!(sh_words(&out[5..], &env), sh_words(&raw[5..], &[]));
        // Redacted again, it is the same.
        assert_eq!(r.redact_shell(&out), out);
    }

    #[test]
    fn a_secret_learnt_after_its_line_was_written_is_still_found() {
        let first = "0123456789abcdef";
        let later = "l@ter\"$`key-42";
        let raw = format!("curl -H {}", quote(&format!("X: {first} {later}")));
        let written = redactor(&[("FIRST", first)]).redact_shell(&raw);
        assert!(
            written.contains(r#""X: ${FIRST} l@ter\"\$\`key-42""#),
            "{written}"
        );
        let both = redactor(&[("FIRST", first), ("LATER", later)]);
        assert_eq!(
            both.redact_shell(&written),
            r#"curl -H "X: ${FIRST} ${LATER}""#
        );
        // Read as any text too (a line the shell reading could not split).
        assert!(!both.redact(&written).contains("key-42"), "{written}");
    }

    #[test]
    fn a_line_without_secrets_is_unchanged() {
        let r = redactor(&[("api_key", "0123456789abcdef")]);
        let line = "curl -sS -i -X PUT -H 'Accept: application/json' --data-binary 'it'\\''s' 'http://127.0.0.1:1/a?b=c&d=e'";
        assert_eq!(r.redact_shell(line), line);
    }

    #[test]
    fn a_captured_value_is_got_again_first() {
        let mut s = Secrets::new();
        s.add("OPTACHECK_PASSWORD", "pa55word-0123", Origin::Credential);
        s.add("token", "tok-0123456789", Origin::Capture);
        s.add_source(
            "token",
            "tok-0123456789",
            "curl -sS --data-binary '{\"password\":\"pa55word-0123\"}' 'http://h/login' | sed -n 's/x/y/p'",
        );
        let r = s.redactor();
        let out =
            r.redact_shell("curl -sS -i -H 'Authorization: Token tok-0123456789' 'http://h/a'");
        assert_eq!(
            out,
            "TOKEN=$(curl -sS --data-binary \"{\\\"password\\\":\\\"${OPTACHECK_PASSWORD}\\\"}\" 'http://h/login' | sed -n 's/x/y/p')\n\
             curl -sS -i -H \"Authorization: Token ${TOKEN}\" 'http://h/a'"
        );
        // Redacted again, the prelude is not repeated.
        assert_eq!(r.redact_shell(&out), out);
    }

    #[test]
    fn an_unreadable_line_is_still_redacted() {
        let r = redactor(&[("api_key", "0123456789abcdef")]);
        assert_eq!(
            r.redact_shell("curl 'unterminated 0123456789abcdef"),
            "curl 'unterminated ${API_KEY}"
        );
    }

    fn quote(s: &str) -> String {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}
