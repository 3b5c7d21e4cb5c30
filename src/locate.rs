//! Where each node of a YAML file is. serde gives us typed values without positions, so we index
//! the same text once with yaml-rust2's event parser: JSON pointer → line and column of the node
//! (and of its key, in a mapping). A semantic error found later is located by its pointer.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::error::{Location, SpecError, SpecErrorKind};

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
    pub fn new(file: &Path, text: &str) -> Result<Self, Box<SpecError>> {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        if let Err(e) = parser.load(&mut builder, false) {
            let m = e.marker();
            return Err(Box::new(
                SpecError::new(
                    Location {
                        file: file.to_path_buf(),
                        line: m.line(),
                        column: m.col() + 1,
                    },
                    SpecErrorKind::Syntax(e.info().to_string()),
                )
                .with_hint("fix the YAML at this place (indentation, quoting, a missing `:`)"),
            ));
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

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
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
}
