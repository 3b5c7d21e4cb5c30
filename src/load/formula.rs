//! Predicted request counts: small arithmetic formulas over a scenario's dataset, such as
//! `pages(users, 20) + 3 * users`.
//!
//! Written here rather than taken from a crate: the candidates are AGPL (evalexpr), unmaintained
//! (meval, fasteval), or spell two-argument functions as infix operators (exmex). A scenario
//! author needs `pages(n, size)`, the column of a mistake, and nothing else: numbers, names,
//! `+ - * /`, parentheses, and `ceil floor max min pages`.

use std::collections::BTreeMap;

/// A parsed formula: compile once, evaluate for any dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    text: String,
    root: Node,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Number(f64),
    Name(String),
    Neg(Box<Node>),
    Binary(char, Box<Node>, Box<Node>),
    Call(String, Vec<Node>),
}

/// What is wrong with a formula, and at which character (0-based) of it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at character {at} of `{text}`)")]
pub struct FormulaError {
    pub text: String,
    pub at: usize,
    pub message: String,
}

/// The functions a formula may call, with their number of arguments.
pub const FUNCTIONS: &[(&str, usize)] = &[
    ("ceil", 1),
    ("floor", 1),
    ("max", 2),
    ("min", 2),
    ("pages", 2),
];

/// Requests a walk of `n` items at `size` per page makes: one even for none (the empty first
/// page is still asked for), then one per page.
pub fn pages(n: f64, size: f64) -> f64 {
    if size <= 0.0 {
        return f64::NAN;
    }
    (n / size).ceil().max(1.0)
}

impl Formula {
    pub fn parse(text: &str) -> Result<Formula, FormulaError> {
        let mut p = Parser {
            text,
            chars: text.char_indices().collect(),
            pos: 0,
        };
        let root = p.sum()?;
        p.skip_ws();
        if p.pos < p.chars.len() {
            return Err(p.error("unexpected text; expected an operator (+ - * /) or the end"));
        }
        Ok(Formula {
            text: text.to_string(),
            root,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Every name the formula reads, so a scenario can be checked before it runs.
    pub fn names(&self) -> Vec<String> {
        fn walk(n: &Node, out: &mut Vec<String>) {
            match n {
                Node::Name(s) if !out.contains(s) => out.push(s.clone()),
                Node::Neg(a) => walk(a, out),
                Node::Binary(_, a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
                Node::Call(_, args) => args.iter().for_each(|a| walk(a, out)),
                _ => {}
            }
        }
        let mut out = vec![];
        walk(&self.root, &mut out);
        out
    }

    /// The value for `vars`; `Err(name)` for a name `vars` lacks.
    pub fn eval(&self, vars: &BTreeMap<String, f64>) -> Result<f64, String> {
        fn eval(n: &Node, vars: &BTreeMap<String, f64>) -> Result<f64, String> {
            Ok(match n {
                Node::Number(v) => *v,
                Node::Name(s) => *vars.get(s).ok_or_else(|| s.clone())?,
                Node::Neg(a) => -eval(a, vars)?,
                Node::Binary(op, a, b) => {
                    let (a, b) = (eval(a, vars)?, eval(b, vars)?);
                    match op {
                        '+' => a + b,
                        '-' => a - b,
                        '*' => a * b,
                        _ => a / b,
                    }
                }
                Node::Call(f, args) => {
                    let v: Vec<f64> = args
                        .iter()
                        .map(|a| eval(a, vars))
                        .collect::<Result<_, _>>()?;
                    match f.as_str() {
                        "ceil" => v[0].ceil(),
                        "floor" => v[0].floor(),
                        "max" => v[0].max(v[1]),
                        "min" => v[0].min(v[1]),
                        _ => pages(v[0], v[1]),
                    }
                }
            })
        }
        eval(&self.root, vars)
    }
}

struct Parser<'a> {
    text: &'a str,
    chars: Vec<(usize, char)>,
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> FormulaError {
        FormulaError {
            text: self.text.to_string(),
            at: self.pos,
            message: message.to_string(),
        }
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).map(|(_, c)| *c)
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn sum(&mut self) -> Result<Node, FormulaError> {
        let mut left = self.product()?;
        loop {
            let op = if self.eat('+') {
                '+'
            } else if self.eat('-') {
                '-'
            } else {
                return Ok(left);
            };
            left = Node::Binary(op, Box::new(left), Box::new(self.product()?));
        }
    }

    fn product(&mut self) -> Result<Node, FormulaError> {
        let mut left = self.unary()?;
        loop {
            let op = if self.eat('*') {
                '*'
            } else if self.eat('/') {
                '/'
            } else {
                return Ok(left);
            };
            left = Node::Binary(op, Box::new(left), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Node, FormulaError> {
        if self.eat('-') {
            return Ok(Node::Neg(Box::new(self.unary()?)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Node, FormulaError> {
        self.skip_ws();
        let start = self.pos;
        match self.peek() {
            Some('(') => {
                self.pos += 1;
                let inner = self.sum()?;
                if !self.eat(')') {
                    return Err(self.error("missing `)`"));
                }
                Ok(inner)
            }
            Some(c) if c.is_ascii_digit() || c == '.' => {
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_digit() || c == '.' || c == '_')
                {
                    self.pos += 1;
                }
                let s: String = self.chars[start..self.pos]
                    .iter()
                    .map(|(_, c)| *c)
                    .filter(|c| *c != '_')
                    .collect();
                s.parse().map(Node::Number).map_err(|_| FormulaError {
                    at: start,
                    ..self.error(&format!("`{s}` is not a number"))
                })
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    self.pos += 1;
                }
                let name: String = self.chars[start..self.pos]
                    .iter()
                    .map(|(_, c)| *c)
                    .collect();
                if !self.eat('(') {
                    return Ok(Node::Name(name));
                }
                let Some(&(_, arity)) = FUNCTIONS.iter().find(|(f, _)| *f == name) else {
                    return Err(FormulaError {
                        at: start,
                        ..self.error(&format!(
                            "unknown function `{name}`; the functions are {}",
                            FUNCTIONS
                                .iter()
                                .map(|(f, _)| *f)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    });
                };
                let mut args = vec![self.sum()?];
                while self.eat(',') {
                    args.push(self.sum()?);
                }
                if !self.eat(')') {
                    return Err(self.error("missing `)` after the arguments"));
                }
                if args.len() != arity {
                    return Err(FormulaError {
                        at: start,
                        ..self.error(&format!(
                            "`{name}` takes {arity} argument(s), not {}",
                            args.len()
                        ))
                    });
                }
                Ok(Node::Call(name, args))
            }
            _ => Err(self.error("expected a number, a name, `(` or `-`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(text: &str, vars: &[(&str, f64)]) -> f64 {
        let vars = vars.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        Formula::parse(text).unwrap().eval(&vars).unwrap()
    }

    #[test]
    fn the_export_formula() {
        let f = "4 + ceil(users / 20) + 3 * users";
        assert_eq!(eval(f, &[("users", 0.0)]), 4.0);
        assert_eq!(eval(f, &[("users", 21.0)]), 4.0 + 2.0 + 63.0);
        assert_eq!(eval("pages(users, 20)", &[("users", 0.0)]), 1.0);
        assert_eq!(eval("pages(users, 20)", &[("users", 20.0)]), 1.0);
        assert_eq!(eval("pages(users, 20)", &[("users", 21.0)]), 2.0);
    }

    #[test]
    fn precedence_and_unary_minus() {
        assert_eq!(eval("2 + 3 * 4 - -1", &[]), 15.0);
        assert_eq!(eval("(2 + 3) * 4 / 10", &[]), 2.0);
        assert_eq!(eval("max(1, min(5, 1_000))", &[]), 5.0);
    }

    #[test]
    fn mistakes_are_located() {
        let e = Formula::parse("3 * (users + 1").unwrap_err();
        assert!(e.message.contains("missing `)`"), "{e}");
        let e = Formula::parse("3 * sqrt(users)").unwrap_err();
        assert_eq!(e.at, 4);
        assert!(e.message.contains("pages"), "{e}");
        let e = Formula::parse("max(1)").unwrap_err();
        assert!(e.message.contains("2 argument"), "{e}");
        let e = Formula::parse("users 3").unwrap_err();
        assert_eq!(e.at, 6);
        let f = Formula::parse("users + skills").unwrap();
        assert_eq!(f.names(), vec!["users", "skills"]);
        assert_eq!(f.eval(&BTreeMap::new()), Err("users".to_string()));
    }
}
