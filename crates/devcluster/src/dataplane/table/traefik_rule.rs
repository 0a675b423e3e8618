//! Traefik's rule expressions (`routes[].match`), the common subset: `Host`, `HostHeader`, `Path`,
//! `PathPrefix`, `Header`/`Headers`, `Method` (each with one or more quoted arguments, as Traefik v2
//! allows), `!`, `&&`, `||` and parentheses. Arguments are in backquotes or double quotes.

use super::matching::method;
use crate::dataplane::Request;

/// A compiled rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Rule {
    /// Any of these hosts (compared in lowercase).
    Host(Vec<String>),
    /// The path is one of these.
    Path(Vec<String>),
    /// The path starts with one of these (as strings: `/api` covers `/apis`, as Traefik reads it).
    PathPrefix(Vec<String>),
    /// The header (lowercase) has exactly this value.
    Header(String, String),
    /// The method is one of these.
    Method(Vec<String>),
    Not(Box<Rule>),
    And(Box<Rule>, Box<Rule>),
    Or(Box<Rule>, Box<Rule>),
}

impl Rule {
    /// Whether the request satisfies the rule.
    pub(super) fn holds(&self, request: &Request<'_>) -> bool {
        match self {
            Rule::Host(hosts) => hosts.iter().any(|h| h == request.host),
            Rule::Path(paths) => paths.iter().any(|p| p == request.path),
            Rule::PathPrefix(prefixes) => prefixes.iter().any(|p| request.path.starts_with(p.as_str())),
            Rule::Header(name, value) => request.headers.iter().any(|(n, v)| n == name && v == value),
            Rule::Method(methods) => methods.iter().any(|m| m.eq_ignore_ascii_case(method(request))),
            Rule::Not(rule) => !rule.holds(request),
            Rule::And(a, b) => a.holds(request) && b.holds(request),
            Rule::Or(a, b) => a.holds(request) || b.holds(request),
        }
    }

    /// The hosts the rule names outside negations: where it can match at all when it names any.
    pub(super) fn hosts(&self) -> Vec<&str> {
        match self {
            Rule::Host(hosts) => hosts.iter().map(String::as_str).collect(),
            Rule::And(a, b) | Rule::Or(a, b) => {
                let mut hosts = a.hosts();
                hosts.extend(b.hosts());
                hosts
            }
            _ => Vec::new(),
        }
    }

    /// Whether every way to satisfy the rule needs one of [`Rule::hosts`]: then the route is for those
    /// hosts only, else it may answer any host.
    pub(super) fn needs_host(&self) -> bool {
        match self {
            Rule::Host(_) => true,
            Rule::And(a, b) => a.needs_host() || b.needs_host(),
            Rule::Or(a, b) => a.needs_host() && b.needs_host(),
            _ => false,
        }
    }
}

/// Parses a rule; the error names what is not understood.
pub(super) fn parse(text: &str) -> Result<Rule, String> {
    let mut parser = Parser {
        text: text.as_bytes(),
        at: 0,
    };
    let rule = parser.or()?;
    parser.skip_spaces();
    if parser.at < parser.text.len() {
        return Err(format!("unexpected text at {}: {:?}", parser.at, parser.rest()));
    }
    Ok(rule)
}

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
}

/// How deep parentheses and negations may nest: enough for any real rule, and no stack exhaustion.
const MAX_DEPTH: usize = 64;

impl Parser<'_> {
    fn rest(&self) -> String {
        String::from_utf8_lossy(self.text.get(self.at..).unwrap_or_default()).into_owned()
    }

    fn skip_spaces(&mut self) {
        while self.text.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_spaces();
        if self.text[self.at.min(self.text.len())..].starts_with(token.as_bytes()) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<Rule, String> {
        self.or_at(0)
    }

    fn or_at(&mut self, depth: usize) -> Result<Rule, String> {
        let mut rule = self.and(depth)?;
        while self.eat("||") {
            rule = Rule::Or(Box::new(rule), Box::new(self.and(depth)?));
        }
        Ok(rule)
    }

    fn and(&mut self, depth: usize) -> Result<Rule, String> {
        let mut rule = self.unary(depth)?;
        while self.eat("&&") {
            rule = Rule::And(Box::new(rule), Box::new(self.unary(depth)?));
        }
        Ok(rule)
    }

    fn unary(&mut self, depth: usize) -> Result<Rule, String> {
        if depth > MAX_DEPTH {
            return Err("nested too deeply".into());
        }
        if self.eat("!") {
            return Ok(Rule::Not(Box::new(self.unary(depth + 1)?)));
        }
        if self.eat("(") {
            let rule = self.or_at(depth + 1)?;
            if !self.eat(")") {
                return Err(format!("a missing ')' before {:?}", self.rest()));
            }
            return Ok(rule);
        }
        self.matcher()
    }

    fn matcher(&mut self) -> Result<Rule, String> {
        self.skip_spaces();
        let start = self.at;
        while self.text.get(self.at).is_some_and(u8::is_ascii_alphanumeric) {
            self.at += 1;
        }
        let name = String::from_utf8_lossy(&self.text[start..self.at]).into_owned();
        if name.is_empty() {
            return Err(format!("a matcher expected at {:?}", self.rest()));
        }
        if !self.eat("(") {
            return Err(format!("{name} without arguments"));
        }
        let mut args = Vec::new();
        if !self.eat(")") {
            loop {
                args.push(self.string()?);
                if self.eat(")") {
                    break;
                }
                if !self.eat(",") {
                    return Err(format!("a missing ',' or ')' in {name}"));
                }
            }
        }
        if args.is_empty() {
            return Err(format!("{name} without arguments"));
        }
        match name.as_str() {
            "Host" | "HostHeader" => Ok(Rule::Host(args.iter().map(|h| h.to_ascii_lowercase()).collect())),
            "Path" | "PathPrefix" if args.iter().any(|p| p.contains('{')) => {
                Err(format!("{name} with a template or expression is not supported"))
            }
            "Path" => Ok(Rule::Path(args)),
            "PathPrefix" => Ok(Rule::PathPrefix(args)),
            "Method" => Ok(Rule::Method(args)),
            "Header" | "Headers" => match <[String; 2]>::try_from(args) {
                Ok([key, value]) => Ok(Rule::Header(key.to_ascii_lowercase(), value)),
                Err(_) => Err(format!("{name} takes a name and a value")),
            },
            other => Err(format!("the matcher {other} is not supported")),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.skip_spaces();
        let quote = match self.text.get(self.at) {
            Some(q @ (b'`' | b'"')) => *q,
            _ => return Err(format!("a quoted argument expected at {:?}", self.rest())),
        };
        let start = self.at + 1;
        let Some(len) = self.text[start..].iter().position(|c| *c == quote) else {
            return Err("an unterminated argument".into());
        };
        self.at = start + len + 1;
        Ok(String::from_utf8_lossy(&self.text[start..start + len]).into_owned())
    }
}
