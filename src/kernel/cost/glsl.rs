//! Counting in the GLSL naga writes: the text cut into tokens, functions
//! found at the top level (`TYPE NAME(PARAMS) { BODY }`), operators in a
//! body counted by kind, and every call of a function defined in the file
//! expanded. naga writes one operator per binary expression, fully
//! parenthesized, so an operator token is one operation.

use std::collections::HashMap;

use super::{Kind, OpCounts};

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Ident(String),
    Number,
    Punct(&'static str),
}

/// Operators and punctuation, longest first.
const PUNCTS: [&str; 45] = [
    "<<=", ">>=", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "^^", "++", "--", "+=", "-=",
    "*=", "/=", "%=", "&=", "|=", "^=", "+", "-", "*", "/", "%", "<", ">", "=", "!", "~", "&", "|",
    "^", "?", ":", ";", ",", ".", "(", ")", "[", "]", "{", "}",
];

fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with('#') {
            continue; // #version, #extension, #define
        }
        let line = line.split("//").next().unwrap_or("");
        let mut rest = line;
        'scan: while let Some(c) = rest.chars().next() {
            if c.is_whitespace() {
                rest = &rest[c.len_utf8()..];
            } else if c.is_ascii_alphabetic() || c == '_' {
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                out.push(Token::Ident(rest[..end].to_string()));
                rest = &rest[end..];
            } else if c.is_ascii_digit() {
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
                    .unwrap_or(rest.len());
                out.push(Token::Number);
                rest = &rest[end..];
            } else {
                for p in PUNCTS {
                    if rest.starts_with(p) {
                        out.push(Token::Punct(p));
                        rest = &rest[p.len()..];
                        continue 'scan;
                    }
                }
                rest = &rest[c.len_utf8()..]; // anything else: not an operator
            }
        }
    }
    out
}

/// GLSL's scalar type names: a call of one is a conversion.
const SCALARS: [&str; 5] = ["uint", "int", "float", "bool", "double"];

/// Vector, matrix and array constructors: data, not operations.
fn is_constructor(name: &str) -> bool {
    let vector = ["uvec", "ivec", "vec", "bvec", "dvec", "mat", "dmat"];
    vector.iter().any(|v| {
        name.strip_prefix(v)
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == 'x'))
    })
}

/// A GLSL translation unit, read far enough to count.
pub struct Module {
    /// Each function's body tokens, by name.
    functions: HashMap<String, Vec<Token>>,
}

/// The index of the token closing the bracket opened at `open`.
fn closing(tokens: &[Token], open: usize) -> Option<usize> {
    let (o, c) = match tokens[open] {
        Token::Punct("(") => ("(", ")"),
        Token::Punct("{") => ("{", "}"),
        _ => return None,
    };
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        match token {
            Token::Punct(p) if *p == o => depth += 1,
            Token::Punct(p) if *p == c => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

impl Module {
    pub fn parse(text: &str) -> Module {
        let tokens = tokens(text);
        let mut functions = HashMap::new();
        let mut at = 0;
        while at + 1 < tokens.len() {
            match (&tokens[at], &tokens[at + 1]) {
                (Token::Ident(name), Token::Punct("(")) => {
                    let Some(close) = closing(&tokens, at + 1) else {
                        break;
                    };
                    if tokens.get(close + 1) == Some(&Token::Punct("{")) {
                        let Some(end) = closing(&tokens, close + 1) else {
                            break;
                        };
                        functions.insert(name.clone(), tokens[close + 2..end].to_vec());
                        at = end + 1;
                    } else {
                        at = close + 1;
                    }
                }
                (_, Token::Punct("{")) => {
                    // A struct or an interface block: skip its members.
                    at = closing(&tokens, at + 1).map_or(tokens.len(), |end| end + 1);
                }
                _ => at += 1,
            }
        }
        Module { functions }
    }

    /// The name naga gave a WGSL function: the entry point is `main`, and a
    /// name ending in a digit gets a `_` (`small_sigma0` is `small_sigma0_`).
    pub fn glsl_name(&self, wgsl_name: &str, entry_point: bool) -> Option<String> {
        if entry_point {
            return self.functions.contains_key("main").then(|| "main".into());
        }
        [wgsl_name.to_string(), format!("{wgsl_name}_")]
            .into_iter()
            .find(|n| self.functions.contains_key(n))
    }

    /// The named (GLSL) function's counts, calls expanded, or why none.
    pub fn named(&self, name: &str) -> Result<OpCounts, String> {
        self.cost(name, 0)
    }

    fn cost(&self, name: &str, depth: usize) -> Result<OpCounts, String> {
        if depth > 64 {
            return Err("calls nested deeper than 64".into());
        }
        let body = self
            .functions
            .get(name)
            .ok_or_else(|| format!("no function `{name}` in naga's GLSL"))?;
        let mut counts = OpCounts::default();
        for (i, token) in body.iter().enumerate() {
            let previous = i.checked_sub(1).map(|p| &body[p]);
            match token {
                Token::Ident(word) => match word.as_str() {
                    "for" | "while" | "do" => return Err(format!("`{name}` has a loop")),
                    "if" | "switch" => counts.conditional = true,
                    _ if body.get(i + 1) == Some(&Token::Punct("(")) => {
                        if self.functions.contains_key(word) {
                            let inner = self.cost(word, depth + 1)?;
                            counts.call(word, &inner);
                        } else if SCALARS.contains(&word.as_str()) {
                            counts.add(Kind::Other, 1); // a conversion
                        } else if !is_constructor(word) && word != "return" {
                            counts.add(Kind::Other, 1); // a built-in: min, max, ...
                        }
                    }
                    _ => {}
                },
                Token::Punct(p) => {
                    if let Some(k) = operator_kind(p, previous) {
                        counts.add(k, 1);
                    }
                }
                Token::Number => {}
            }
        }
        Ok(counts)
    }
}

/// Whether an operator at this place is unary: after another operator, an
/// opening bracket, a comma or `return`, or first in the body.
fn unary_position(previous: Option<&Token>) -> bool {
    match previous {
        None => true,
        Some(Token::Punct(p)) => !matches!(*p, ")" | "]"),
        Some(Token::Ident(word)) => word == "return",
        Some(Token::Number) => false,
    }
}

fn operator_kind(p: &str, previous: Option<&Token>) -> Option<Kind> {
    Some(match p {
        "+" if unary_position(previous) => return None,
        "-" if unary_position(previous) => Kind::Other, // negation
        "+" | "-" | "+=" | "-=" | "++" | "--" => Kind::Add,
        "^" | "&" | "|" | "~" | "^=" | "&=" | "|=" => Kind::Logic,
        "<<" | ">>" | "<<=" | ">>=" => Kind::Shift,
        "*" | "/" | "%" | "*=" | "/=" | "%=" | "<" | ">" | "<=" | ">=" | "==" | "!=" | "&&"
        | "||" | "^^" | "!" | "?" => Kind::Other,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_and_calls_are_counted_as_naga_writes_them() {
        let text = "#version 310 es\n\
            struct S { uint a; };\n\
            uint rotr(uint x_1, uint n) {\n    return ((x_1 >> n) | (x_1 << (32u - n)));\n}\n\
            uint f_(uint x) {\n    uint _e2 = rotr(x, 7u);\n    uint _e3 = uint(-(int(x)));\n    \
            return ((_e2 ^ ~(x)) + min(x, _e3));\n}\n\
            void main() {\n    for (uint i = 0u; i < 4u; i++) { }\n}\n";
        let module = Module::parse(text);
        let rotr = module.named("rotr").unwrap();
        assert_eq!((rotr.add, rotr.logic, rotr.shift, rotr.other), (1, 1, 2, 0));
        assert_eq!(module.glsl_name("f", false).as_deref(), Some("f_"));
        let f = module.named("f_").unwrap();
        // rotr; uint(), -, int(); ^, ~, +, min
        assert_eq!((f.add, f.logic, f.shift, f.other), (2, 3, 2, 4));
        assert_eq!(f.calls["rotr"], 1);
        assert!(module.named("main").unwrap_err().contains("loop"));
    }
}
