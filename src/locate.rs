//! Where each node of a YAML file is. serde gives us typed values without positions, so we index
//! the same text once with yaml-rust2's event parser: JSON pointer → line and column of the node
//! (and of its key, in a mapping). A semantic error found later is located by its pointer.
//!
//! The same pass bounds YAML aliases. An alias repeats the node its anchor names, so a few
//! lines can name billions of nodes (a "billion laughs"), which serde would build in memory
//! before any check of ours could run. yaml-rust2's events do not expand aliases, so here we
//! count them and add up what they would expand to, and refuse the file at the alias that
//! crosses a limit, before serde sees it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::Marker;

use crate::error::{Location, SpecError, SpecErrorKind};

/// At most this many aliases in one file. The specs, scenarios and profiles of this repository
/// use none; a person writing one by hand stays far below.
pub const MAX_ALIASES: usize = 1_000;

/// At most this much repeated by the aliases of one file, all together: every node an alias
/// stands for counts 1, and every scalar also counts its length in bytes. 100,000 is a few
/// megabytes once parsed, whereas an unbounded bomb of 80 lines reaches gigabytes.
pub const MAX_ALIAS_EXPANSION: u64 = 100_000;

/// A JSON pointer (`/rules/3/request/operation`), built segment by segment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Pointer(String);

impl Pointer {
    pub fn root() -> Self {
        Pointer(String::new())
    }
    pub fn key(&self, key: &str) -> Self {
        let escaped = key.replace('~', "~0").replace('/', "~1");
        Pointer(format!("{}/{}", self.0, escaped))
    }
    pub fn index(&self, i: usize) -> Self {
        Pointer(format!("{}/{}", self.0, i))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    fn parent(&self) -> Option<Self> {
        self.0.rfind('/').map(|i| Pointer(self.0[..i].to_string()))
    }
}

impl std::fmt::Display for Pointer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_empty() {
            f.write_str("/")
        } else {
            f.write_str(&self.0)
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Pos {
    index: usize,
    line: usize,
    column: usize,
}

impl From<Marker> for Pos {
    fn from(m: Marker) -> Self {
        Pos {
            index: m.index(),
            line: m.line(),
            column: m.col() + 1,
        }
    }
}

/// The positions of every node of one YAML file.
#[derive(Debug, Clone)]
pub struct Locator {
    file: PathBuf,
    values: HashMap<String, Pos>,
    keys: HashMap<String, Pos>,
}

impl Locator {
    /// Index `text`. A syntax error is returned located, so callers need no second parser.
    /// Aliases past [`MAX_ALIASES`] or [`MAX_ALIAS_EXPANSION`] are refused here too, located at
    /// the alias that crosses the limit.
    pub fn new(file: &Path, text: &str) -> Result<Self, Box<SpecError>> {
        let at = |m: Marker| Location {
            file: file.to_path_buf(),
            line: m.line(),
            column: m.col() + 1,
        };
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        // One event per step; the parser consumes the text as it goes and ends with StreamEnd,
        // so the loop is bounded by the length of the text.
        loop {
            let (event, mark) = match parser.next_token() {
                Ok(e) => e,
                Err(e) => {
                    return Err(Box::new(
                        SpecError::new(
                            at(*e.marker()),
                            SpecErrorKind::Syntax(e.info().to_string()),
                        )
                        .with_hint(
                            "fix the YAML at this place (indentation, quoting, a missing `:`)",
                        ),
                    ))
                }
            };
            if event == Event::StreamEnd {
                break;
            }
            builder.on_event(event, mark);
            if let Some(refusal) = builder.refused.take() {
                return Err(Box::new(
                    SpecError::new(at(mark), SpecErrorKind::Aliases(refusal)).with_hint(
                        "write the repeated part out, or repeat less: aliases are bounded so \
                         that a small file cannot grow to gigabytes in memory",
                    ),
                ));
            }
        }
        Ok(Locator {
            file: file.to_path_buf(),
            values: builder.values,
            keys: builder.keys,
        })
    }

    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The location of the node at `pointer`, or of its nearest existing ancestor.
    pub fn value(&self, pointer: &Pointer) -> Location {
        self.find(pointer, false)
    }

    /// The location of the key of the node at `pointer` (for "unknown field" errors).
    pub fn key(&self, pointer: &Pointer) -> Location {
        self.find(pointer, true)
    }

    fn find(&self, pointer: &Pointer, prefer_key: bool) -> Location {
        let mut p = Some(pointer.clone());
        while let Some(cur) = p {
            let hit = if prefer_key {
                self.keys
                    .get(cur.as_str())
                    .or_else(|| self.values.get(cur.as_str()))
            } else {
                self.values.get(cur.as_str())
            };
            if let Some(pos) = hit {
                return Location {
                    file: self.file.clone(),
                    line: pos.line,
                    column: pos.column,
                };
            }
            p = cur.parent();
        }
        Location {
            file: self.file.clone(),
            line: 1,
            column: 1,
        }
    }

    /// An error located at the node `pointer`.
    pub fn error(&self, pointer: &Pointer, kind: SpecErrorKind) -> SpecError {
        SpecError::new(self.value(pointer), kind)
    }
}

/// One open container while walking the event stream.
enum Frame {
    Seq {
        at: Pointer,
        next: usize,
    },
    Map {
        at: Pointer,
        pending_key: Option<String>,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    values: HashMap<String, Pos>,
    keys: HashMap<String, Pos>,
    /// Past the first document, nodes are no longer indexed (serde reads only one), but its
    /// aliases are still counted.
    first_document_done: bool,
    /// The size of each open collection so far (see [`MAX_ALIAS_EXPANSION`]), with its anchor
    /// (0: none).
    open_sizes: Vec<(usize, u64)>,
    /// The size of every anchored node once complete, by anchor id.
    anchor_sizes: HashMap<usize, u64>,
    aliases: usize,
    expanded: u64,
    /// Why the file is refused, once an alias crosses a limit.
    refused: Option<String>,
}

impl Builder {
    /// The pointer of the node that starts now, or None when the event is a mapping key.
    fn place_node(&mut self, mark: Marker, key_text: Option<&str>) -> Option<Pointer> {
        match self.stack.last_mut() {
            None => Some(Pointer::root()),
            Some(Frame::Seq { at, next }) => {
                let p = at.index(*next);
                *next += 1;
                Some(p)
            }
            Some(Frame::Map { at, pending_key }) => match pending_key.take() {
                Some(k) => Some(at.key(&k)),
                None => {
                    // This node is a key. Only scalar keys are indexed (the only kind specs use).
                    let k = key_text.unwrap_or("").to_string();
                    self.keys.insert(at.key(&k).0, mark.into());
                    // yaml-rust2 marks a block mapping at its first `:`; a person reads it as
                    // starting at its first key.
                    if let Some(map_pos) = self.values.get_mut(at.as_str()) {
                        if mark.index() < map_pos.index {
                            *map_pos = mark.into();
                        }
                    }
                    *pending_key = Some(k);
                    None
                }
            },
        }
    }
}

impl Builder {
    /// Count a node of `size` into the collection that holds it.
    fn grow(&mut self, size: u64) {
        if let Some((_, open)) = self.open_sizes.last_mut() {
            *open = open.saturating_add(size);
        }
    }

    /// An alias of anchor `id`: count what it repeats, refuse past the limits.
    fn alias(&mut self, id: usize) {
        let Some(&size) = self.anchor_sizes.get(&id) else {
            // yaml-rust2 knows the anchor, but its node is still open: the alias is inside
            // what it names, and would expand forever.
            self.refused = Some(
                "this alias is inside the node its anchor names, so it would \
                                 repeat itself without end"
                    .into(),
            );
            return;
        };
        self.aliases += 1;
        self.expanded = self.expanded.saturating_add(size);
        if self.aliases > MAX_ALIASES {
            self.refused = Some(format!(
                "more than {MAX_ALIASES} aliases in one file (this is alias number {})",
                self.aliases
            ));
        } else if self.expanded > MAX_ALIAS_EXPANSION {
            self.refused = Some(format!(
                "the aliases up to this one repeat {} nodes and bytes, more than the \
                 {MAX_ALIAS_EXPANSION} allowed in one file",
                self.expanded
            ));
        }
        self.grow(size);
    }

    fn on_event(&mut self, ev: Event, mark: Marker) {
        match &ev {
            Event::Scalar(text, _, anchor, _) => {
                let size = 1 + text.len() as u64;
                if *anchor != 0 {
                    self.anchor_sizes.insert(*anchor, size);
                }
                self.grow(size);
            }
            Event::Alias(id) => self.alias(*id),
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                self.open_sizes.push((*anchor, 1));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((anchor, size)) = self.open_sizes.pop() {
                    if anchor != 0 {
                        self.anchor_sizes.insert(anchor, size);
                    }
                    self.grow(size);
                }
            }
            Event::DocumentEnd => self.first_document_done = true,
            _ => {}
        }
        if !self.first_document_done {
            self.index(ev, mark);
        }
    }

    /// Record where the node of `ev` is.
    fn index(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(text, ..) => {
                if let Some(p) = self.place_node(mark, Some(&text)) {
                    self.values.insert(p.0, mark.into());
                }
            }
            Event::Alias(_) => {
                if let Some(p) = self.place_node(mark, None) {
                    self.values.insert(p.0, mark.into());
                }
            }
            Event::SequenceStart(..) => {
                let p = self.place_node(mark, None).unwrap_or_default();
                self.values.insert(p.0.clone(), mark.into());
                self.stack.push(Frame::Seq { at: p, next: 0 });
            }
            Event::MappingStart(..) => {
                let p = self.place_node(mark, None).unwrap_or_default();
                self.values.insert(p.0.clone(), mark.into());
                self.stack.push(Frame::Map {
                    at: p,
                    pending_key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

/// Convert a serde path (from serde_path_to_error) to a JSON pointer under `base`.
pub fn pointer_of(base: &Pointer, path: &serde_path_to_error::Path) -> Pointer {
    use serde_path_to_error::Segment;
    let mut p = base.clone();
    for seg in path.iter() {
        p = match seg {
            Segment::Seq { index } => p.index(*index),
            Segment::Map { key } => p.key(key),
            Segment::Enum { .. } | Segment::Unknown => p,
        };
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_nested_nodes_and_keys() {
        let text = "a: 1\nrules:\n  - id: x\n    kind: exchange\n  - id: y\n    request: {operation: op}\n";
        let loc = Locator::new(Path::new("f.yaml"), text).unwrap();
        let at = |p: &str| {
            let l = loc.value(&Pointer(p.to_string()));
            (l.line, l.column)
        };
        assert_eq!(at("/a"), (1, 4));
        assert_eq!(at("/rules/0/kind"), (4, 11));
        assert_eq!(at("/rules/1/request/operation"), (6, 26));
        let k = loc.key(&Pointer("/rules/1/request".into()));
        assert_eq!((k.line, k.column), (6, 5));
        // A pointer that does not exist falls back to its nearest ancestor.
        assert_eq!(at("/rules/1/nothing/here"), (5, 5));
    }

    #[test]
    fn syntax_error_is_located() {
        let err = Locator::new(Path::new("f.yaml"), "a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(matches!(err.kind, SpecErrorKind::Syntax(_)));
        assert!(err.location.line >= 2, "{err}");
    }

    #[test]
    fn aliases_within_the_limits_are_indexed() {
        let text = "base: &b { x: 1 }\nuse: *b\n";
        let loc = Locator::new(Path::new("f.yaml"), text).unwrap();
        let at = loc.value(&Pointer("/use".into()));
        assert_eq!((at.line, at.column), (2, 6));
    }

    #[test]
    fn the_alias_past_the_count_limit_is_refused_where_it_is() {
        let aliases = vec!["*a"; MAX_ALIASES + 5].join(", ");
        let text = format!("a: &a x\nb: [{aliases}]\n");
        let err = Locator::new(Path::new("f.yaml"), &text).unwrap_err();
        assert!(matches!(err.kind, SpecErrorKind::Aliases(_)), "{err}");
        assert!(err.to_string().contains("more than 1000 aliases"), "{err}");
        // The 1001st alias: after `b: [` and 1000 times `*a, `.
        assert_eq!(
            (err.location.line, err.location.column),
            (2, 5 + 4 * MAX_ALIASES)
        );
        // One fewer is fine.
        let aliases = vec!["*a"; MAX_ALIASES].join(", ");
        Locator::new(Path::new("f.yaml"), &format!("a: &a x\nb: [{aliases}]\n")).unwrap();
    }

    #[test]
    fn nested_aliases_count_what_they_expand_to() {
        // Each `*t` stands for ten 100-byte strings (1,011 with the list and its items): 98
        // of them stay under 100,000, the 99th crosses it.
        let ten = vec![format!("\"{}\"", "x".repeat(100)); 10].join(", ");
        let under = vec!["*t"; 98].join(", ");
        let text = format!("t: &t [{ten}]\nu: [{under}]\n");
        Locator::new(Path::new("f.yaml"), &text).unwrap();
        let over = vec!["*t"; 99].join(", ");
        let text = format!("t: &t [{ten}]\nu: [{over}]\n");
        let err = Locator::new(Path::new("f.yaml"), &text).unwrap_err();
        assert!(err.to_string().contains("more than the 100000"), "{err}");
        assert_eq!((err.location.line, err.location.column), (2, 5 + 4 * 98));
    }

    #[test]
    fn an_alias_inside_its_own_anchor_is_refused() {
        let err = Locator::new(Path::new("f.yaml"), "a: &a [1, *a]\n").unwrap_err();
        assert!(err.to_string().contains("without end"), "{err}");
        assert_eq!((err.location.line, err.location.column), (1, 11));
    }
}
