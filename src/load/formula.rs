//! Predicted request counts: small arithmetic formulas over a scenario's dataset, such as
//! `pages(users, 20) + 3 * users`.
//!
//! Written here rather than taken from a crate: the candidates are AGPL (evalexpr), unmaintained
//! (meval, fasteval), or spell two-argument functions as infix operators (exmex). A scenario
//! author needs `pages(n, size)`, the column of a mistake, and nothing else: numbers, names,
//! `+ - * /`, parentheses, and `ceil floor max min pages`.
//!
//! Evaluation is checked: a division by zero, a page size of 0 and a result too large for an
//! `f64` are errors naming the formula (and where a scenario writes it), never a silent 0, NaN
//! or infinity that a count would turn into 0 or 18446744073709551615.

use std::collections::BTreeMap;

use crate::error::Location;

/// The largest count a prediction may reach: past 2^53 an `f64` no longer holds every whole
/// number, so a count could not be compared exactly with what was observed.
pub const MAX_COUNT: f64 = 9_007_199_254_740_992.0;

/// A parsed formula: compile once, evaluate for any dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    text: String,
    root: Node,
    /// What it computes and where it is written, for errors: "the prediction of `GET /users`"
    /// at `scenarios/x.yaml:12:5`.
    origin: Option<(String, Location)>,
}

/// A formula that cannot be evaluated for a dataset: which, where, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}`{formula}`: {reason}", origin.as_ref().map(|(what, at)| format!("{at}: {what}, ")).unwrap_or_default())]
pub struct EvalError {
    pub formula: String,
    pub origin: Option<(String, Location)>,
    pub reason: String,
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
            origin: None,
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

    /// Say what the formula computes and where it is written: its errors name both.
    pub fn located(mut self, what: impl Into<String>, at: Location) -> Self {
        self.origin = Some((what.into(), at));
        self
    }

    fn error(&self, reason: String) -> EvalError {
        EvalError {
            formula: self.text.clone(),
            origin: self.origin.clone(),
            reason,
        }
    }

    /// The value for `vars`. A name `vars` lacks, a division by zero, a page size of 0 or
    /// less, and a result past what an `f64` holds are errors.
    pub fn eval(&self, vars: &BTreeMap<String, f64>) -> Result<f64, EvalError> {
        fn eval(n: &Node, vars: &BTreeMap<String, f64>) -> Result<f64, String> {
            let v = match n {
                Node::Number(v) => *v,
                Node::Name(s) => *vars.get(s).ok_or_else(|| format!("`{s}` has no value"))?,
                Node::Neg(a) => -eval(a, vars)?,
                Node::Binary(op, a, b) => {
                    let (x, y) = (eval(a, vars)?, eval(b, vars)?);
                    match op {
                        '+' => x + y,
                        '-' => x - y,
                        '*' => x * y,
                        _ if y == 0.0 => {
                            return Err(format!("`{}` divides by zero", render(n)));
                        }
                        _ => x / y,
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
                        _ if v[1] <= 0.0 => {
                            return Err(format!(
                                "`{}` has a page size of {}: pages of 0 or fewer items never end",
                                render(n),
                                v[1]
                            ));
                        }
                        _ => pages(v[0], v[1]),
                    }
                }
            };
            if v.is_finite() {
                Ok(v)
            } else {
                Err(format!("`{}` overflows (past 1.8e308)", render(n)))
            }
        }
        eval(&self.root, vars).map_err(|reason| self.error(reason))
    }

    /// The value for `vars` as a count of requests: rounded, and refused below 0 or past
    /// [`MAX_COUNT`].
    pub fn count(&self, vars: &BTreeMap<String, f64>) -> Result<u64, EvalError> {
        let v = self.eval(vars)?.round();
        if v < 0.0 {
            return Err(self.error(format!("a count cannot be below 0, and this is {v}")));
        }
        if v > MAX_COUNT {
            return Err(self.error(format!(
                "{v:e} requests is past the {MAX_COUNT:e} a count can hold exactly"
            )));
        }
        Ok(v as u64)
    }
}

/// A node written back as text, for errors: `users / (per_page - 20)`.
fn render(n: &Node) -> String {
    match n {
        Node::Number(v) => v.to_string(),
        Node::Name(s) => s.clone(),
        Node::Neg(a) => format!("-{}", render_operand(a)),
        Node::Binary(op, a, b) => format!("{} {op} {}", render_operand(a), render_operand(b)),
        Node::Call(f, args) => format!(
            "{f}({})",
            args.iter().map(render).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn render_operand(n: &Node) -> String {
    match n {
        Node::Binary(..) => format!("({})", render(n)),
        _ => render(n),
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
        let e = f.eval(&BTreeMap::new()).unwrap_err();
        assert!(e.reason.contains("`users` has no value"), "{e}");
    }

    fn vars(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn division_by_zero_names_the_formula_and_the_division() {
        let f = Formula::parse("users / (size - 20) + 1").unwrap();
        let e = f
            .eval(&vars(&[("users", 95.0), ("size", 20.0)]))
            .unwrap_err();
        assert_eq!(e.formula, "users / (size - 20) + 1");
        assert!(
            e.reason.contains("`users / (size - 20)` divides by zero"),
            "{e}"
        );
        assert_eq!(f.eval(&vars(&[("users", 95.0), ("size", 39.0)])), Ok(6.0));
    }

    #[test]
    fn a_page_size_of_zero_is_an_error_not_nan() {
        let f = Formula::parse("pages(users, size)").unwrap();
        let e = f
            .count(&vars(&[("users", 95.0), ("size", 0.0)]))
            .unwrap_err();
        assert!(e.reason.contains("page size of 0"), "{e}");
    }

    #[test]
    fn overflow_is_an_error_not_a_saturated_count() {
        let f = Formula::parse("users * users * users").unwrap();
        let e = f.eval(&vars(&[("users", 1e200)])).unwrap_err();
        assert!(e.reason.contains("overflows"), "{e}");
        // Finite, but past what a count holds exactly (it would print 18446744073709551615).
        let e = f.count(&vars(&[("users", 1e7)])).unwrap_err();
        assert!(e.reason.contains("past the"), "{e}");
        assert_eq!(f.count(&vars(&[("users", 1000.0)])), Ok(1_000_000_000));
        let e = Formula::parse("users - 30")
            .unwrap()
            .count(&vars(&[("users", 20.0)]))
            .unwrap_err();
        assert!(e.reason.contains("below 0"), "{e}");
    }

    #[test]
    fn a_located_formula_says_what_and_where() {
        let at = Location {
            file: "scenarios/x.yaml".into(),
            line: 12,
            column: 18,
        };
        let f = Formula::parse("3 / n")
            .unwrap()
            .located("the prediction of `GET /users`", at);
        let e = f.eval(&vars(&[("n", 0.0)])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "scenarios/x.yaml:12:18: the prediction of `GET /users`, `3 / n`: `3 / n` divides by zero"
        );
    }
}
