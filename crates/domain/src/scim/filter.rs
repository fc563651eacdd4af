//! SCIM filters (RFC 7644 §3.4.2.2) as text: the grammar's parse into `Filter`, and its
//! printer, whose output parses back to the same tree. Which attributes a filter may name
//! is the resource's business (`users::UserFilter`); this module only reads the text.

use std::fmt;

/// The longest filter read, and the deepest nesting: hostile input costs nothing past them.
pub const MAX_FILTER_LEN: usize = 2048;
pub const MAX_DEPTH: usize = 32;

/// `[urn ":"] attr ["." sub]`, as written (names compare case-insensitively, RFC 7643 §2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    pub urn: Option<String>,
    pub attr: String,
    pub sub: Option<String>,
}

impl AttrPath {
    /// Reads `urn:…:User:name.formatted`, `name.formatted` or `active`. The URN is everything
    /// up to the last colon; attribute names start with a letter and hold letters, digits,
    /// `_`, `-` and `$` (RFC 7643's ATTRNAME).
    pub fn parse(raw: &str) -> Result<AttrPath, String> {
        let (urn, rest) = match raw.rfind(':') {
            Some(i) if raw[..i].to_ascii_lowercase().starts_with("urn:") => (Some(raw[..i].to_string()), &raw[i + 1..]),
            Some(_) => return Err(format!("`{raw}` is not an attribute path")),
            None => (None, raw),
        };
        let mut parts = rest.splitn(2, '.');
        let attr = parts.next().unwrap_or_default();
        let sub = parts.next();
        for name in std::iter::once(attr).chain(sub) {
            let mut chars = name.chars();
            let starts = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
            if !starts || !chars.all(|c| c.is_ascii_alphanumeric() || "_-$".contains(c)) {
                return Err(format!("`{raw}` is not an attribute path"));
            }
        }
        Ok(AttrPath { urn, attr: attr.to_string(), sub: sub.map(str::to_string) })
    }

    /// The path's attribute and sub-attribute in lower case, `name.formatted`.
    pub fn key(&self) -> String {
        match &self.sub {
            Some(s) => format!("{}.{}", self.attr.to_ascii_lowercase(), s.to_ascii_lowercase()),
            None => self.attr.to_ascii_lowercase(),
        }
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            write!(f, "{urn}:")?;
        }
        f.write_str(&self.attr)?;
        if let Some(sub) = &self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CompareOp {
    const ALL: [(CompareOp, &'static str); 9] = [
        (CompareOp::Eq, "eq"),
        (CompareOp::Ne, "ne"),
        (CompareOp::Co, "co"),
        (CompareOp::Sw, "sw"),
        (CompareOp::Ew, "ew"),
        (CompareOp::Gt, "gt"),
        (CompareOp::Ge, "ge"),
        (CompareOp::Lt, "lt"),
        (CompareOp::Le, "le"),
    ];
    fn parse(word: &str) -> Option<CompareOp> {
        Self::ALL.iter().find(|(_, s)| s.eq_ignore_ascii_case(word)).map(|(op, _)| *op)
    }
    pub fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|(op, _)| *op == self).map(|(_, s)| *s).unwrap_or("eq")
    }
}

/// A comparison's literal. Numbers are kept as written (no attribute we filter on is one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompValue {
    Str(String),
    Bool(bool),
    Null,
    Number(String),
}

impl fmt::Display for CompValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompValue::Str(s) => write_json_string(f, s),
            CompValue::Bool(b) => write!(f, "{b}"),
            CompValue::Null => f.write_str("null"),
            CompValue::Number(n) => f.write_str(n),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    Compare {
        path: AttrPath,
        op: CompareOp,
        value: CompValue,
    },
    Present(AttrPath),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `emails[type eq "work"]`: elements of a multi-valued attribute that match.
    ValuePath {
        path: AttrPath,
        filter: Box<Filter>,
    },
}

impl fmt::Display for Filter {
    /// Prints the filter so that it parses back to the same tree: the operands of `and` and
    /// `or` are parenthesised whenever they are themselves `and` or `or`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let operand = |f: &mut fmt::Formatter<'_>, x: &Filter| match x {
            Filter::And(..) | Filter::Or(..) => write!(f, "({x})"),
            _ => write!(f, "{x}"),
        };
        match self {
            Filter::Compare { path, op, value } => write!(f, "{path} {} {value}", op.as_str()),
            Filter::Present(path) => write!(f, "{path} pr"),
            Filter::And(a, b) | Filter::Or(a, b) => {
                operand(f, a)?;
                f.write_str(if matches!(self, Filter::And(..)) { " and " } else { " or " })?;
                operand(f, b)
            }
            Filter::Not(x) => write!(f, "not ({x})"),
            Filter::ValuePath { path, filter } => write!(f, "{path}[{filter}]"),
        }
    }
}

fn write_json_string(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            c if (c as u32) < 0x20 => write!(f, "\\u{:04x}", c as u32)?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    Str(String),
    Word(String),
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Open => f.write_str("`(`"),
            Token::Close => f.write_str("`)`"),
            Token::OpenBracket => f.write_str("`[`"),
            Token::CloseBracket => f.write_str("`]`"),
            Token::Str(s) => write!(f, "the string \"{s}\""),
            Token::Word(w) => write!(f, "`{w}`"),
        }
    }
}

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '(' => out.push(Token::Open),
            ')' => out.push(Token::Close),
            '[' => out.push(Token::OpenBracket),
            ']' => out.push(Token::CloseBracket),
            '"' => {
                let mut s = String::new();
                loop {
                    match chars.next() {
                        None => return Err(format!("the string that starts at character {} is not closed", at + 1)),
                        Some((_, '"')) => break,
                        Some((_, '\\')) => match chars.next().map(|(_, c)| c) {
                            Some('"') => s.push('"'),
                            Some('\\') => s.push('\\'),
                            Some('/') => s.push('/'),
                            Some('b') => s.push('\u{8}'),
                            Some('f') => s.push('\u{c}'),
                            Some('n') => s.push('\n'),
                            Some('r') => s.push('\r'),
                            Some('t') => s.push('\t'),
                            Some('u') => {
                                let hex: String = (0..4).filter_map(|_| chars.next().map(|(_, c)| c)).collect();
                                let ch = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                                s.push(ch.ok_or_else(|| format!("`\\u{hex}` is not a character"))?);
                            }
                            _ => return Err("a string holds an unknown escape".into()),
                        },
                        Some((_, c)) => s.push(c),
                    }
                }
                out.push(Token::Str(s));
            }
            c if c.is_ascii_alphanumeric() || "-_.:$+".contains(c) => {
                let mut w = String::from(c);
                while let Some(&(_, c)) = chars.peek() {
                    if c.is_ascii_alphanumeric() || "-_.:$+".contains(c) {
                        w.push(c);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push(Token::Word(w));
            }
            c => return Err(format!("unexpected character `{c}` at character {}", at + 1)),
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }
    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }
    fn peek_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }
    fn expect(&mut self, want: Token) -> Result<(), String> {
        match self.next() {
            Some(t) if t == want => Ok(()),
            Some(t) => Err(format!("expected {want}, found {t}")),
            None => Err(format!("expected {want}, found the end of the filter")),
        }
    }
    fn deeper(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("the filter nests deeper than {MAX_DEPTH} levels"));
        }
        Ok(())
    }

    /// or-expression: and-expressions joined by `or` (the loosest).
    fn or(&mut self) -> Result<Filter, String> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.next();
            let right = self.and()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, String> {
        let mut left = self.unary()?;
        while self.peek_word("and") {
            self.next();
            let right = self.unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, String> {
        self.deeper()?;
        let f = if self.peek_word("not") {
            self.next();
            self.expect(Token::Open)?;
            let inner = self.or()?;
            self.expect(Token::Close)?;
            Filter::Not(Box::new(inner))
        } else if self.peek() == Some(&Token::Open) {
            self.next();
            let inner = self.or()?;
            self.expect(Token::Close)?;
            inner
        } else {
            self.attr_exp()?
        };
        self.depth -= 1;
        Ok(f)
    }

    fn attr_exp(&mut self) -> Result<Filter, String> {
        let path = match self.next() {
            Some(Token::Word(w)) => AttrPath::parse(&w)?,
            Some(t) => return Err(format!("expected an attribute, found {t}")),
            None => return Err("expected an attribute, found the end of the filter".into()),
        };
        if self.peek() == Some(&Token::OpenBracket) {
            self.next();
            let inner = self.or()?;
            self.expect(Token::CloseBracket)?;
            return Ok(Filter::ValuePath { path, filter: Box::new(inner) });
        }
        let op = match self.next() {
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("pr") => return Ok(Filter::Present(path)),
            Some(Token::Word(w)) => CompareOp::parse(&w).ok_or_else(|| format!("`{w}` is not an operator"))?,
            Some(t) => return Err(format!("expected an operator after `{path}`, found {t}")),
            None => return Err(format!("expected an operator after `{path}`")),
        };
        let value = match self.next() {
            Some(Token::Str(s)) => CompValue::Str(s),
            Some(Token::Word(w)) if w == "true" => CompValue::Bool(true),
            Some(Token::Word(w)) if w == "false" => CompValue::Bool(false),
            Some(Token::Word(w)) if w == "null" => CompValue::Null,
            Some(Token::Word(w)) if is_number(&w) => CompValue::Number(w),
            Some(t) => return Err(format!("expected a value after `{path} {}`, found {t}", op.as_str())),
            None => return Err(format!("expected a value after `{path} {}`", op.as_str())),
        };
        Ok(Filter::Compare { path, op, value })
    }
}

/// JSON's number: `-? int frac? exp?`.
fn is_number(w: &str) -> bool {
    let w = w.strip_prefix('-').unwrap_or(w);
    let (mantissa, exp) = match w.find(['e', 'E']) {
        Some(i) => (&w[..i], Some(&w[i + 1..])),
        None => (w, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let exp_ok = exp.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    digits(int) && (int == "0" || !int.starts_with('0')) && frac.is_none_or(digits) && exp_ok
}

/// Parses a whole filter; the error says what is wrong and where, for `invalidFilter`.
pub fn parse(text: &str) -> Result<Filter, String> {
    if text.len() > MAX_FILTER_LEN {
        return Err(format!("a filter has at most {MAX_FILTER_LEN} bytes"));
    }
    let tokens = tokens(text)?;
    if tokens.is_empty() {
        return Err("the filter is empty".into());
    }
    let mut p = Parser { tokens, at: 0, depth: 0 };
    let f = p.or()?;
    match p.peek() {
        None => Ok(f),
        Some(t) => Err(format!("unexpected {t} after a complete filter")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_and_printing() {
        let f = parse(r#"userName eq "a" or active eq true and not (externalId pr)"#).unwrap();
        assert_eq!(f.to_string(), r#"userName eq "a" or (active eq true and not (externalId pr))"#);
        assert_eq!(parse(&f.to_string()).unwrap(), f);
        let v = parse(r#"phoneNumbers[type eq "mobile" and value sw "+853"]"#).unwrap();
        assert!(matches!(v, Filter::ValuePath { .. }));
        let urn = parse(r#"urn:ietf:params:scim:schemas:core:2.0:User:name.formatted co "Chan""#).unwrap();
        assert!(matches!(&urn, Filter::Compare { path, .. } if path.key() == "name.formatted"));
    }

    #[test]
    fn faults_are_named() {
        assert!(parse("userName eq").unwrap_err().contains("expected a value"));
        assert!(parse("userName xx \"a\"").unwrap_err().contains("`xx` is not an operator"));
        assert!(parse("(userName pr").unwrap_err().contains("expected `)`"));
        assert!(parse("userName pr )").unwrap_err().contains("unexpected `)`"));
        assert!(parse("userName eq \"a").unwrap_err().contains("not closed"));
        assert!(parse(&"(".repeat(100)).unwrap_err().contains("deeper"));
    }
}
