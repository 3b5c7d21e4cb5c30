//! Redaction: every secret of a run, in every form it can take on its way out, replaced by
//! `${NAME}`.
//!
//! A target may echo a key percent-encoded in a redirect, JSON-escaped in a body, XML-escaped in
//! an error page, base64-encoded in a Basic header, or all of these nested; a report quotes it
//! once more. Listing every encoder's output would miss the next encoder, so the redactor decodes
//! instead: each text is searched as it is and again after one, two and three passes that undo
//! percent-encoding (`%2B`, `%2b`, `%252B`), JSON escapes (`\"`, `\u0026`, surrogate pairs),
//! XML/HTML references (`&amp;`, `&#39;`, `&#x27;`) and shell quoting (`'\''`), each decoded
//! byte remembering the span of the original text it came from. What is searched for is each
//! secret raw, with spaces as `+` (form encoding), and in base64 (standard and URL-safe, padded
//! or not, and the part of it that is the same whatever precedes the secret, so that
//! `base64("any user:" + key)` is found too).
//!
//! Every match of every secret is found, overlapping ones included; the union of their spans is
//! replaced, so a secret inside another, or two that overlap, leave nothing of either behind. A
//! text cut short with `…` (a body excerpt, a long value) is not left ending with the first
//! characters of a secret either. Secrets shorter than [`MIN_SECRET_LEN`] cannot be redacted
//! safely (every `a` of a one-letter key would become `${KEY}`, which tells the key), so profiles
//! refuse them.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use base64::Engine as _;

mod shell;

/// Secrets shorter than this are refused where they are read (profiles): redacting every
/// occurrence of a short value reveals it by where the placeholders land.
pub const MIN_SECRET_LEN: usize = 8;

/// The most decoding passes: percent-encoded JSON in an HTML report is three layers deep.
const MAX_DECODE_PASSES: usize = 3;

/// A text cut short ends with this; what precedes it may be the start of a secret.
const CUT_MARK: &str = "…";

/// The shortest start of a secret hidden before a cut mark: one character tells little, and
/// hiding single characters would put placeholders before most cuts.
const MIN_PARTIAL: usize = 2;

/// Where a secret comes from. When one value is known under several names, the report shows
/// the name of the most specific origin (a credential before a capture before a field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// A target credential, or a value derived from one (a Basic pair, a mangled key).
    Credential,
    /// A value a rule or the login captured into a secret variable.
    Capture,
    /// A value found at one of the contract's secret response fields.
    Field,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    name: String,
    value: String,
    origin: Origin,
    /// How a shell gets the value again, for a value captured from an answer: a pipeline
    /// (`curl … | sed …`) that prints it. A repro that uses the value runs it first.
    source: Option<String>,
}

/// The secrets known so far: every (name, value) ever registered. A name keeps all its values
/// (a token refreshed under the same name still hides the old one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Secrets {
    entries: Vec<Entry>,
}

impl Secrets {
    pub fn new() -> Self {
        Self::default()
    }

    /// Register `value` under `name`; empty values are nothing to hide. True when it is new.
    pub fn add(&mut self, name: &str, value: &str, origin: Origin) -> bool {
        self.add_entry(Entry {
            name: name.to_string(),
            value: value.to_string(),
            origin,
            source: None,
        })
    }

    /// Say how a shell gets `value` (known as `name`) again: `pipeline` prints it (the curl of
    /// the request whose answer held it, piped to what extracts it). True when it is new.
    pub fn add_source(&mut self, name: &str, value: &str, pipeline: &str) -> bool {
        match self
            .entries
            .iter_mut()
            .find(|e| e.name == name && e.value == value)
        {
            Some(e) if e.source.as_deref() == Some(pipeline) => false,
            Some(e) => {
                e.source = Some(pipeline.to_string());
                true
            }
            None => false,
        }
    }

    fn add_entry(&mut self, entry: Entry) -> bool {
        if entry.value.is_empty() {
            return false;
        }
        if let Some(e) = self
            .entries
            .iter_mut()
            .find(|e| e.name == entry.name && e.value == entry.value)
        {
            // Known already: it may have learnt where it comes from.
            if e.source.is_none() && entry.source.is_some() {
                e.source = entry.source;
                return true;
            }
            return false;
        }
        self.entries.push(entry);
        true
    }

    /// Add every secret of `other`. True when any was new.
    pub fn merge(&mut self, other: &Secrets) -> bool {
        let mut added = false;
        for e in &other.entries {
            added |= self.add_entry(e.clone());
        }
        added
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The (name, value) pairs, in the order they were registered.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .map(|e| (e.name.as_str(), e.value.as_str()))
    }

    /// The best name `text` is known under, when it contains a secret value (raw).
    pub fn name_within(&self, text: &str) -> Option<(&str, Origin)> {
        self.entries
            .iter()
            .filter(|e| text.contains(e.value.as_str()))
            .min_by_key(|e| (e.origin, std::cmp::Reverse(e.value.len())))
            .map(|e| (e.name.as_str(), e.origin))
    }

    pub fn redactor(&self) -> Redactor {
        Redactor::new(self)
    }
}

/// One byte string to find, and the placeholder that replaces it.
#[derive(Debug, Clone)]
struct Pattern {
    bytes: Vec<u8>,
    placeholder: usize,
    origin: Origin,
    /// The pipeline that gets the value again (an index into `Redactor::sources`).
    source: Option<usize>,
    /// Base64 characters on each side also replaced: the groups that mix the secret's first
    /// and last bytes with its neighbours' (4 characters decode to 3 bytes, so a group left
    /// whole would give up to two bytes of the secret back).
    widen: usize,
}

/// Replaces every secret of a [`Secrets`] in any text. Build it once per set of secrets.
#[derive(Debug, Clone)]
pub struct Redactor {
    matcher: Option<AhoCorasick>,
    patterns: Vec<Pattern>,
    placeholders: Vec<String>,
    /// Each placeholder's bare name (`API_KEY` of `${API_KEY}`).
    names: Vec<String>,
    /// The pipelines that get captured values again, and, per placeholder, the one last
    /// registered (for a placeholder read back from a line already redacted).
    sources: Vec<String>,
    source_of: Vec<Option<usize>>,
}

/// A piece of a redacted text: text left as it was, or a secret replaced by its placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    Text(String),
    /// A placeholder's index, and the pipeline that gets its value again, if any.
    Secret(usize, Option<usize>),
}

/// A span of the original text to replace, and the pattern found there.
#[derive(Debug, Clone, Copy)]
struct Hit {
    start: usize,
    end: usize,
    pattern: usize,
}

impl Redactor {
    pub fn new(secrets: &Secrets) -> Self {
        let mut placeholders: Vec<String> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        let mut sources: Vec<String> = Vec::new();
        let mut source_of: Vec<Option<usize>> = Vec::new();
        let mut patterns: Vec<Pattern> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        // Most specific origin first, so that a value known under several names is found first
        // (and named) as the most specific one.
        let mut entries: Vec<&Entry> = secrets.entries.iter().collect();
        entries.sort_by_key(|e| e.origin);
        for e in entries {
            let name = e.name.to_ascii_uppercase();
            let index = match names.iter().position(|n| *n == name) {
                Some(i) => i,
                None => {
                    placeholders.push(format!("${{{name}}}"));
                    names.push(name);
                    source_of.push(None);
                    names.len() - 1
                }
            };
            let source = e.source.as_ref().map(|s| {
                sources.push(s.clone());
                sources.len() - 1
            });
            if source.is_some() {
                source_of[index] = source;
            }
            for (bytes, widen) in forms(&e.value) {
                if seen.insert(bytes.clone()) {
                    patterns.push(Pattern {
                        bytes,
                        placeholder: index,
                        origin: e.origin,
                        source,
                        widen,
                    });
                }
            }
        }
        let matcher = if patterns.is_empty() {
            None
        } else {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .build(patterns.iter().map(|p| p.bytes.as_slice()))
                .ok()
        };
        Redactor {
            matcher,
            patterns,
            placeholders,
            names,
            sources,
            source_of,
        }
    }

    /// Whether there is anything to redact at all.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// `text` with every secret, in any of its forms, replaced by `${NAME}`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for piece in self.pieces(text) {
            match piece {
                Piece::Text(t) => out.push_str(&t),
                Piece::Secret(n, _) => out.push_str(&self.placeholders[n]),
            }
        }
        out
    }

    /// `text` cut where its secrets are: the text between them, and each secret's placeholder.
    pub(crate) fn pieces(&self, text: &str) -> Vec<Piece> {
        let hits = self.hits(text);
        if hits.is_empty() {
            return vec![Piece::Text(text.to_string())];
        }
        let mut out = Vec::new();
        let mut last = 0;
        for (start, end, found) in merge(&hits, &self.patterns, text) {
            if start > last {
                out.push(Piece::Text(text[last..start].to_string()));
            }
            for p in found {
                let p = &self.patterns[p];
                out.push(Piece::Secret(p.placeholder, p.source));
            }
            last = end;
        }
        if last < text.len() {
            out.push(Piece::Text(text[last..].to_string()));
        }
        out
    }

    /// A shell command line (a curl), redacted so that it still runs: each word holding a
    /// secret is double-quoted around its `${NAME}`, which the shell expands; each captured
    /// value it uses is first got again into a shell variable of that name, by the pipeline
    /// its capture left (`TOKEN=$(curl … | sed …)` on a line of its own). A line the shell
    /// reading here cannot split is redacted as any text.
    pub fn redact_shell(&self, line: &str) -> String {
        let rendered = shell::redact_line(self, line);
        // Whatever a word-by-word reading could miss (a secret across two words) is still
        // redacted, at the price of the quoting.
        self.redact(&rendered)
    }

    /// The bare name of placeholder `n` (`API_KEY`).
    pub(crate) fn name(&self, n: usize) -> &str {
        &self.names[n]
    }

    /// The pipeline that gets the value named `name` again: the one its match carried, else
    /// the last registered under that name.
    pub(crate) fn source(&self, name: &str, matched: Option<usize>) -> Option<&str> {
        matched
            .or_else(|| {
                let n = self.names.iter().position(|x| x == name)?;
                self.source_of[n]
            })
            .map(|s| self.sources[s].as_str())
    }

    /// Redact `text` in place; true when it changed.
    pub fn redact_in_place(&self, text: &mut String) -> bool {
        if self.is_empty() || text.is_empty() {
            return false;
        }
        let out = self.redact(text);
        if out == *text {
            return false;
        }
        *text = out;
        true
    }

    /// Every span of `text` that holds a secret, in any decoding of it.
    fn hits(&self, text: &str) -> Vec<Hit> {
        let Some(matcher) = &self.matcher else {
            return vec![];
        };
        let mut hits = Vec::new();
        let original = text.as_bytes();
        self.find(matcher, original, None, &mut hits);
        // Each pass decodes the previous one; `map` leads every decoded byte back to the span
        // of the original text it stands for.
        let mut current: Vec<u8> = original.to_vec();
        let mut map: SpanMap = (0..original.len()).map(|i| (i, i + 1)).collect();
        for _ in 0..MAX_DECODE_PASSES {
            let Some((decoded, local)) = decode_pass(&current) else {
                break;
            };
            map = local
                .iter()
                .map(|&(s, e)| (map[s].0, map[e - 1].1))
                .collect();
            current = decoded;
            self.find(matcher, &current, Some(&map), &mut hits);
        }
        hits
    }

    /// Matches in `stream` (the original text when `map` is `None`), and the starts of secrets
    /// left before a cut mark.
    fn find(
        &self,
        matcher: &AhoCorasick,
        stream: &[u8],
        map: Option<&[(usize, usize)]>,
        hits: &mut Vec<Hit>,
    ) {
        let span = |s: usize, e: usize| match map {
            None => (s, e),
            Some(m) => (m[s].0, m[e - 1].1),
        };
        let base64_char =
            |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_');
        for m in matcher.find_overlapping_iter(stream) {
            let widen = self.patterns[m.pattern().as_usize()].widen;
            let before = stream[..m.start()]
                .iter()
                .rev()
                .take(widen)
                .take_while(|b| base64_char(b))
                .count();
            let after = stream[m.end()..]
                .iter()
                .take(widen)
                .take_while(|b| base64_char(b) || **b == b'=')
                .count();
            let (start, end) = span(m.start() - before, m.end() + after);
            hits.push(Hit {
                start,
                end,
                pattern: m.pattern().as_usize(),
            });
        }
        let cut = CUT_MARK.as_bytes();
        let mut from = 0;
        while let Some(at) = find_bytes(&stream[from..], cut).map(|i| i + from) {
            for (i, p) in self.patterns.iter().enumerate() {
                let longest = (p.bytes.len().saturating_sub(1)).min(at);
                if let Some(k) = (MIN_PARTIAL..=longest)
                    .rev()
                    .find(|&k| stream[at - k..at] == p.bytes[..k])
                {
                    let (start, end) = span(at - k, at);
                    hits.push(Hit {
                        start,
                        end,
                        pattern: i,
                    });
                }
            }
            from = at + cut.len();
        }
    }
}

fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Merge overlapping hits into spans, each with the patterns whose placeholders cover it: one
/// when a single secret covers the whole span, else the secrets that together cover it, in
/// order (one pattern per placeholder in a row).
fn merge(hits: &[Hit], patterns: &[Pattern], text: &str) -> Vec<(usize, usize, Vec<usize>)> {
    let mut hits: Vec<Hit> = hits
        .iter()
        .map(|h| Hit {
            // Decoded spans always fall on characters; widen to whole ones all the same.
            start: floor_char(text, h.start),
            end: ceil_char(text, h.end),
            pattern: h.pattern,
        })
        .collect();
    hits.sort_by_key(|h| {
        (
            h.start,
            std::cmp::Reverse(h.end),
            patterns[h.pattern].origin,
        )
    });
    let mut out: Vec<(usize, usize, Vec<usize>)> = Vec::new();
    let mut i = 0;
    while i < hits.len() {
        let start = hits[i].start;
        let mut end = hits[i].end;
        let mut j = i + 1;
        while j < hits.len() && hits[j].start < end {
            end = end.max(hits[j].end);
            j += 1;
        }
        let group = &hits[i..j];
        // Greedy cover: from the left, the hit reaching furthest.
        let mut names: Vec<usize> = Vec::new();
        let mut pos = start;
        while pos < end {
            let Some(best) = group
                .iter()
                .filter(|h| h.start <= pos && h.end > pos)
                .max_by_key(|h| (h.end, std::cmp::Reverse(patterns[h.pattern].origin)))
            else {
                break;
            };
            let name = patterns[best.pattern].placeholder;
            if names.last().map(|&p: &usize| patterns[p].placeholder) != Some(name) {
                names.push(best.pattern);
            }
            pos = best.end;
        }
        out.push((start, end, names));
        i = j;
    }
    out
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// What is searched for a secret: itself, with spaces as `+`, and its base64 forms; each with
/// how many base64 characters around a match go with it.
fn forms(value: &str) -> Vec<(Vec<u8>, usize)> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let mut out = vec![(value.as_bytes().to_vec(), 0)];
    if value.contains(' ') {
        out.push((value.replace(' ', "+").into_bytes(), 0));
    }
    // The secret encoded alone: a following group may still mix its last bytes with others.
    for engine in [STANDARD, URL_SAFE] {
        out.push((engine.encode(value).into_bytes(), 4));
    }
    for engine in [STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
        out.push((engine.encode(value).into_bytes(), 4));
        // Inside a longer encoded text (`user:key` in a Basic header) the secret starts at one
        // of three alignments; the 4-character groups made only of its bytes are the same at
        // that alignment whatever surrounds it.
        for k in 0..3usize {
            let mut padded = vec![0u8; k];
            padded.extend_from_slice(value.as_bytes());
            let encoded = engine.encode(&padded);
            let first = k.div_ceil(3);
            let last = (k + value.len()) / 3;
            if last > first {
                let inner = &encoded.as_bytes()[4 * first..4 * last];
                // Shorter than a secret may be, it would match by chance.
                if inner.len() >= MIN_SECRET_LEN {
                    out.push((inner.to_vec(), 4));
                }
            }
        }
    }
    out.retain(|(f, _)| !f.is_empty());
    // One entry per byte string, with the widest margin asked for it.
    out.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// For each byte of a decoded text, the span of the text it was decoded from.
type SpanMap = Vec<(usize, usize)>;

/// One pass of decoding: every escape unit turned into the bytes it stands for, with, for each
/// decoded byte, the span of `src` it comes from. `None` when `src` holds no escape at all.
/// (The units are decoded here rather than with a crate's decoder because the spans must be
/// kept, and no decoder reports them.)
fn decode_pass(src: &[u8]) -> Option<(Vec<u8>, SpanMap)> {
    if !src.iter().any(|b| matches!(b, b'%' | b'\\' | b'&' | b'\'')) {
        return None;
    }
    let mut out = Vec::with_capacity(src.len());
    let mut map = Vec::with_capacity(src.len());
    let mut any = false;
    let mut i = 0;
    while i < src.len() {
        match unit(&src[i..]) {
            Some((len, bytes)) => {
                any = true;
                for b in bytes {
                    out.push(b);
                    map.push((i, i + len));
                }
                i += len;
            }
            None => {
                out.push(src[i]);
                map.push((i, i + 1));
                i += 1;
            }
        }
    }
    any.then_some((out, map))
}

fn hex(b: u8) -> Option<u32> {
    (b as char).to_digit(16)
}

/// `s` as hexadecimal digits; `None` for no digit, a non-digit, or past `u32`.
fn hex_n(s: &[u8]) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    s.iter()
        .try_fold(0u32, |acc, &b| acc.checked_mul(16)?.checked_add(hex(b)?))
}

fn utf8(cp: u32) -> Option<Vec<u8>> {
    char::from_u32(cp).map(|c| c.to_string().into_bytes())
}

/// The escape unit at the start of `s`: its length and the bytes it stands for.
fn unit(s: &[u8]) -> Option<(usize, Vec<u8>)> {
    match s.first()? {
        // Percent-encoding (either case of hex); `%25XX` takes a second pass.
        b'%' if s.len() >= 3 => {
            let b = hex_n(&s[1..3])?;
            Some((3, vec![b as u8]))
        }
        b'\\' if s.len() >= 2 => match s[1] {
            b'u' if s.len() >= 6 => {
                let cp = hex_n(&s[2..6])?;
                if (0xD800..0xDC00).contains(&cp) {
                    // A surrogate pair: `\uD83D\uDE00`.
                    if s.len() >= 12 && s[6] == b'\\' && s[7] == b'u' {
                        let low = hex_n(&s[8..12])?;
                        if (0xDC00..0xE000).contains(&low) {
                            let cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                            return Some((12, utf8(cp)?));
                        }
                    }
                    None
                } else {
                    Some((6, utf8(cp)?))
                }
            }
            b'x' if s.len() >= 4 => {
                let b = hex_n(&s[2..4])?;
                (b < 0x80).then(|| (4, vec![b as u8]))
            }
            // `\$` and `` \` `` are how a double-quoted shell word (a repro's) writes them.
            b'"' | b'\\' | b'/' | b'\'' | b'$' | b'`' => Some((2, vec![s[1]])),
            b'n' => Some((2, vec![b'\n'])),
            b'r' => Some((2, vec![b'\r'])),
            b't' => Some((2, vec![b'\t'])),
            b'b' => Some((2, vec![0x08])),
            b'f' => Some((2, vec![0x0c])),
            _ => None,
        },
        // A single quote inside a shell-quoted word: `'\''`.
        b'\'' if s.starts_with(b"'\\''") => Some((4, vec![b'\''])),
        b'&' => {
            let end = s.iter().take(12).position(|&b| b == b';')?;
            let body = &s[1..end];
            let len = end + 1;
            if let Some(num) = body.strip_prefix(b"#") {
                let cp = match num.first()? {
                    b'x' | b'X' => hex_n(&num[1..])?,
                    _ => std::str::from_utf8(num).ok()?.parse().ok()?,
                };
                return Some((len, utf8(cp)?));
            }
            let c = match body.to_ascii_lowercase().as_slice() {
                b"amp" => b'&',
                b"lt" => b'<',
                b"gt" => b'>',
                b"quot" => b'"',
                b"apos" => b'\'',
                _ => return None,
            };
            Some((len, vec![c]))
        }
        _ => None,
    }
}

/// A value whose every text can be redacted: results, failures, exchanges, load runs. Each
/// implementation names every field (a new field does not compile until it is decided), and
/// redacts every string, so no text can leave unredacted by being forgotten.
pub trait Redact {
    fn redact(&mut self, r: &Redactor);
}

impl Redact for String {
    fn redact(&mut self, r: &Redactor) {
        r.redact_in_place(self);
    }
}

impl<T: Redact> Redact for Option<T> {
    fn redact(&mut self, r: &Redactor) {
        if let Some(v) = self {
            v.redact(r);
        }
    }
}

impl<T: Redact> Redact for Vec<T> {
    fn redact(&mut self, r: &Redactor) {
        for v in self {
            v.redact(r);
        }
    }
}

impl<A: Redact, B: Redact> Redact for (A, B) {
    fn redact(&mut self, r: &Redactor) {
        self.0.redact(r);
        self.1.redact(r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;

    /// A redactor of these (name, value) credentials; the shell lexer's tests use it too.
    pub(super) fn redactor(secrets: &[(&str, &str)]) -> Redactor {
        let mut s = Secrets::new();
        for (n, v) in secrets {
            s.add(n, v, Origin::Credential);
        }
        s.redactor()
    }

    const KEY: &str = "k3y+/=&<>\" 9Zq";

    /// What a redacted text may not hold: the key, or any 4 characters of it in a row.
    fn assert_clean(out: &str) {
        for w in KEY.as_bytes().windows(4) {
            let w = std::str::from_utf8(w).unwrap();
            assert!(!out.contains(w), "`{w}` of the key is left in {out:?}");
        }
    }

    #[test]
    fn the_raw_value_becomes_its_variable() {
        let r = redactor(&[("api_key", KEY)]);
        let out = r.redact(&format!("Authorization: Bearer {KEY}"));
        assert_eq!(out, "Authorization: Bearer ${API_KEY}");
    }

    #[test]
    fn percent_encoded_forms_are_found() {
        let r = redactor(&[("api_key", KEY)]);
        let form: String = form_urlencoded::byte_serialize(KEY.as_bytes()).collect();
        assert!(form.contains('+'), "{form}");
        let space20 = form.replace('+', "%20");
        let lower = form.replace("%2B", "%2b").replace("%2F", "%2f");
        let double = form.replace('%', "%25");
        for text in [&form, &space20, &lower, &double] {
            let out = r.redact(&format!("GET /x?key={text}&page=2"));
            assert_eq!(out, "GET /x?key=${API_KEY}&page=2", "{text}");
        }
    }

    #[test]
    fn json_and_xml_escaped_forms_are_found() {
        let r = redactor(&[("api_key", KEY)]);
        let json = serde_json::to_string(KEY).unwrap();
        assert_eq!(r.redact(&json), "\"${API_KEY}\"");
        // Go's encoder escapes <, > and & too.
        let go = json
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026");
        assert_eq!(r.redact(&go), "\"${API_KEY}\"");
        let xml = KEY
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;");
        assert_eq!(r.redact(&format!("<k>{xml}</k>")), "<k>${API_KEY}</k>");
        let numeric = KEY.replace('"', "&#34;").replace('<', "&#x3C;");
        assert_clean(&r.redact(&numeric));
        // A report escapes what the target escaped: HTML over JSON over percent-encoding.
        let nested: String = form_urlencoded::byte_serialize(KEY.as_bytes()).collect();
        let nested = serde_json::to_string(&nested)
            .unwrap()
            .replace('&', "&amp;");
        assert_clean(&r.redact(&nested));
    }

    #[test]
    fn base64_of_a_basic_pair_with_any_user_is_found() {
        let r = redactor(&[("password", KEY)]);
        for user in ["", "u", "us", "user1@example.com"] {
            let pair = format!("{user}:{KEY}");
            let header = format!("Basic {}", STANDARD.encode(&pair));
            let out = r.redact(&header);
            assert!(out.contains("${PASSWORD}"), "{user}: {out}");
            // What is left decodes to no byte of the key: the groups that mix the key's first
            // and last bytes with the user's go too.
            let kept = out.trim_start_matches("Basic ");
            let (before, after) = kept.split_once("${PASSWORD}").unwrap();
            assert_eq!(before.len() % 4, 0, "{user}: {out}");
            let decoded = STANDARD.decode(before).unwrap();
            assert!(
                pair.as_bytes()[..pair.len() - KEY.len()].starts_with(&decoded),
                "{user}: {out}"
            );
            assert!(after.is_empty(), "{user}: {out}");
        }
        // The key alone in base64, padded or not, standard or URL-safe.
        let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(KEY);
        assert_eq!(r.redact(&url_safe), "${PASSWORD}");
    }

    #[test]
    fn a_registered_pair_is_replaced_whole() {
        let pair = STANDARD.encode(format!("user1:{KEY}"));
        let r = redactor(&[("password", KEY), ("password", &pair)]);
        assert_eq!(
            r.redact(&format!("Authorization: Basic {pair}")),
            "Authorization: Basic ${PASSWORD}"
        );
    }

    #[test]
    fn a_secret_inside_another_takes_the_longer_name() {
        let r = redactor(&[("inner", "abcdefgh"), ("outer", "xxabcdefghyy")]);
        assert_eq!(
            r.redact("a xxabcdefghyy b abcdefgh"),
            "a ${OUTER} b ${INNER}"
        );
    }

    #[test]
    fn overlapping_secrets_leave_nothing_of_either() {
        let r = redactor(&[("first", "12345678abcd"), ("second", "abcdefghijkl")]);
        assert_eq!(r.redact("<12345678abcdefghijkl>"), "<${FIRST}${SECOND}>");
        // A secret that overlaps itself.
        let r = redactor(&[("rep", "abababab")]);
        assert_eq!(r.redact("xababababab y"), "x${REP} y");
    }

    #[test]
    fn a_cut_does_not_leave_the_start_of_a_secret() {
        let r = redactor(&[("token", "tok_1234567890")]);
        assert_eq!(
            r.redact("body: tok_12345… (900 bytes)"),
            "body: ${TOKEN}… (900 bytes)"
        );
        // A single character before the cut is left: it tells nothing.
        assert_eq!(r.redact("xt…"), "xt…");
    }

    #[test]
    fn shell_quoting_and_json_in_a_curl_line_are_seen_through() {
        let key = "it's-a-key-123";
        let r = redactor(&[("api_key", key)]);
        let curl = format!("curl -H 'X-Key: {}'", key.replace('\'', r"'\''"));
        assert_eq!(r.redact(&curl), "curl -H 'X-Key: ${API_KEY}'");
    }

    #[test]
    fn a_value_known_twice_shows_the_credential() {
        let mut s = Secrets::new();
        s.add("issued_token", "tok_1234567890", Origin::Field);
        s.add("token", "tok_1234567890", Origin::Capture);
        assert_eq!(s.redactor().redact("t=tok_1234567890"), "t=${TOKEN}");
    }

    #[test]
    fn text_without_secrets_is_unchanged() {
        let r = redactor(&[("api_key", KEY)]);
        let text = "100% of &amp; \\u0041 'quoted' … é";
        assert_eq!(r.redact(text), text);
        assert_eq!(Secrets::new().redactor().redact(text), text);
    }

    #[test]
    fn non_ascii_secrets_are_found_encoded() {
        let key = "clé-secrète-✓";
        let r = redactor(&[("api_key", key)]);
        let form: String = form_urlencoded::byte_serialize(key.as_bytes()).collect();
        assert_eq!(r.redact(&form), "${API_KEY}");
        let ascii_json = key
            .chars()
            .map(|c| {
                if c.is_ascii() {
                    c.to_string()
                } else {
                    format!("\\u{:04x}", c as u32)
                }
            })
            .collect::<String>();
        assert_eq!(r.redact(&ascii_json), "${API_KEY}");
        assert_eq!(
            r.redact(&format!("&#x{:X};{}", 'c' as u32, &key[1..])),
            "${API_KEY}"
        );
    }
}
