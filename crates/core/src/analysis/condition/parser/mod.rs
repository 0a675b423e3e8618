//! The parser (Go expr's `parser`): operators and their precedences, `let`, `if`/`else`, chained
//! comparisons, `?:` and Go's limits on size. Operands (calls, predicates, literals, member access) are
//! in `operands`.

mod operands;

use super::ast::Node;
use super::lexer::{Kind, Token, lex};

/// Go's limit on the nodes of one expression (`conf.DefaultMaxNodes`).
const MAX_NODES: usize = 10_000;
/// How deeply expressions may nest (ours; see the documentation of `condition`).
const MAX_DEPTH: usize = 400;

/// Binary operators: precedence and right associativity.
fn binary_operator(op: &str) -> Option<(u32, bool)> {
    Some(match op {
        "|" => (0, false),
        "or" | "||" => (10, false),
        "and" | "&&" => (15, false),
        "==" | "!=" | "<" | ">" | ">=" | "<=" | "in" | "matches" | "contains" | "startsWith" | "endsWith" => {
            (20, false)
        }
        ".." => (25, false),
        "+" | "-" => (30, false),
        "*" | "/" | "%" => (60, false),
        "**" | "^" => (100, true),
        "??" => (500, false),
        _ => return None,
    })
}

fn unary_operator(op: &str) -> Option<u32> {
    match op {
        "not" | "!" => Some(50),
        "-" | "+" => Some(90),
        _ => None,
    }
}

fn is_comparison(op: &str) -> bool {
    matches!(op, "<" | ">" | ">=" | "<=")
}

type Parsed<T> = Result<T, String>;

pub(super) fn parse(source: &str) -> Parsed<Node> {
    let (tokens, lex_error) = lex(source);
    if tokens.is_empty() {
        return Err(lex_error.unwrap_or_else(|| "unexpected end of expression".to_string()));
    }
    let mut parser = Parser {
        tokens,
        lex_error,
        pos: 0,
        eof: Token::new(Kind::Eof, ""),
        predicate_depth: 0,
        nodes: 0,
        nesting: 0,
    };
    let node = parser.sequence()?;
    if parser.cur().kind != Kind::Eof {
        return Err(format!("unexpected token {}", parser.cur().describe()));
    }
    if node.depth() > MAX_DEPTH {
        return Err(too_deep());
    }
    Ok(node)
}

fn too_deep() -> String {
    format!("compilation failed: expression is nested more than {MAX_DEPTH} levels deep")
}

struct Parser {
    tokens: Vec<Token>,
    lex_error: Option<String>,
    pos: usize,
    eof: Token,
    predicate_depth: usize,
    nodes: usize,
    nesting: usize,
}

impl Parser {
    fn cur(&self) -> &Token {
        self.tokens.get(self.pos).unwrap_or(&self.eof)
    }

    fn next(&mut self) -> Parsed<()> {
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
            Ok(())
        } else {
            Err(self
                .lex_error
                .clone()
                .unwrap_or_else(|| "unexpected end of expression".to_string()))
        }
    }

    fn unexpected(&self) -> String {
        format!("unexpected token {}", self.cur().describe())
    }

    fn expect(&mut self, kind: Kind, value: &str) -> Parsed<()> {
        if self.cur().is(kind, value) {
            self.next()
        } else {
            Err(self.unexpected())
        }
    }

    fn expect_kind(&mut self, kind: Kind) -> Parsed<()> {
        if self.cur().kind == kind {
            self.next()
        } else {
            Err(self.unexpected())
        }
    }

    fn count(&mut self) -> Parsed<()> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err("compilation failed: expression exceeds maximum allowed nodes".to_string());
        }
        Ok(())
    }

    fn make(&mut self, node: Node) -> Parsed<Node> {
        self.count()?;
        Ok(node)
    }

    fn sequence(&mut self) -> Parsed<Node> {
        let mut nodes = vec![self.expression(0)?];
        while self.cur().is(Kind::Operator, ";") {
            self.next()?;
            if self.cur().kind == Kind::Eof {
                break;
            }
            nodes.push(self.expression(0)?);
        }
        if nodes.len() == 1
            && let Some(node) = nodes.pop()
        {
            return Ok(node);
        }
        self.make(Node::Sequence(nodes))
    }

    fn expression(&mut self, precedence: u32) -> Parsed<Node> {
        self.nesting += 1;
        if self.nesting > MAX_DEPTH {
            return Err(too_deep());
        }
        let node = self.expression_at(precedence);
        self.nesting -= 1;
        node
    }

    fn expression_at(&mut self, precedence: u32) -> Parsed<Node> {
        if precedence == 0 && self.cur().is(Kind::Operator, "let") {
            return self.variable_declaration();
        }
        if precedence == 0 && self.cur().is(Kind::Operator, "if") {
            return self.conditional_if();
        }
        let mut left = self.primary()?;
        let mut previous = String::new();
        let mut op = self.cur().clone();
        while op.kind == Kind::Operator {
            let negate = op.value == "not";
            if negate {
                // `not in`, `not matches`, ...: the operator after `not`, negated.
                let backup = self.pos;
                self.next()?;
                let suffix = self.cur().clone();
                if !matches!(
                    suffix.value.as_str(),
                    "in" | "matches" | "contains" | "startsWith" | "endsWith"
                ) {
                    return Err(self.unexpected());
                }
                match binary_operator(&suffix.value) {
                    Some((p, _)) if p >= precedence => op = suffix,
                    _ => {
                        self.pos = backup;
                        break;
                    }
                }
            }
            let Some((op_precedence, right_associative)) = binary_operator(&op.value) else {
                break;
            };
            if op_precedence < precedence {
                break;
            }
            self.next()?;
            if op.value == "|" {
                let name = self.cur().value.clone();
                self.expect_kind(Kind::Identifier)?;
                left = self.call(&name, vec![left])?;
            } else {
                if previous == "??" && op.value != "??" {
                    return Err(format!(
                        "Operator ({}) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.",
                        op.value
                    ));
                }
                if is_comparison(&op.value) {
                    left = self.comparison(left, op.value.clone(), op_precedence)?;
                } else {
                    let right = self.expression(if right_associative {
                        op_precedence
                    } else {
                        op_precedence + 1
                    })?;
                    left = self.make(Node::Binary(op.value.clone(), Box::new(left), Box::new(right)))?;
                    if negate {
                        left = self.make(Node::Unary("not".to_string(), Box::new(left)))?;
                    }
                }
            }
            previous = op.value;
            op = self.cur().clone();
        }
        if precedence == 0 {
            left = self.conditional(left)?;
        }
        Ok(left)
    }

    fn variable_declaration(&mut self) -> Parsed<Node> {
        self.expect(Kind::Operator, "let")?;
        let name = self.cur().value.clone();
        self.expect_kind(Kind::Identifier)?;
        self.expect(Kind::Operator, "=")?;
        let value = self.expression(0)?;
        self.expect(Kind::Operator, ";")?;
        let body = self.sequence()?;
        self.make(Node::Let {
            name,
            value: Box::new(value),
            body: Box::new(body),
        })
    }

    fn conditional_if(&mut self) -> Parsed<Node> {
        self.next()?;
        let cond = self.expression(0)?;
        self.expect(Kind::Bracket, "{")?;
        let yes = self.sequence()?;
        self.expect(Kind::Bracket, "}")?;
        self.expect(Kind::Operator, "else")?;
        let no = if self.cur().is(Kind::Operator, "if") {
            self.conditional_if()?
        } else {
            self.expect(Kind::Bracket, "{")?;
            let no = self.sequence()?;
            self.expect(Kind::Bracket, "}")?;
            no
        };
        Ok(Node::Conditional {
            cond: Box::new(cond),
            yes: Box::new(yes),
            no: Box::new(no),
        })
    }

    /// `a < b < c` means `a < b && b < c`.
    fn comparison(&mut self, mut left: Node, mut op: String, precedence: u32) -> Parsed<Node> {
        let mut root: Option<Node> = None;
        loop {
            let comparator = self.expression(precedence + 1)?;
            let compare = self.make(Node::Binary(op, Box::new(left), Box::new(comparator.clone())))?;
            root = Some(match root {
                None => compare,
                Some(previous) => self.make(Node::Binary("&&".to_string(), Box::new(previous), Box::new(compare)))?,
            });
            left = comparator;
            let token = self.cur().clone();
            if !(token.kind == Kind::Operator && is_comparison(&token.value)) {
                break;
            }
            op = token.value;
            self.next()?;
        }
        root.ok_or_else(|| self.unexpected())
    }

    /// `c ? a : b`, and `c ?: b` (which is `c ? c : b`).
    fn conditional(&mut self, mut node: Node) -> Parsed<Node> {
        while self.cur().is(Kind::Operator, "?") {
            self.next()?;
            let (yes, no) = if self.cur().is(Kind::Operator, ":") {
                self.next()?;
                (node.clone(), self.expression(0)?)
            } else {
                let yes = self.expression(0)?;
                self.expect(Kind::Operator, ":")?;
                (yes, self.expression(0)?)
            };
            node = self.make(Node::Conditional {
                cond: Box::new(node),
                yes: Box::new(yes),
                no: Box::new(no),
            })?;
        }
        Ok(node)
    }
}
