//! Operands: unary operators, parentheses, predicate pointers, literals, calls of builtins and
//! functions, and the postfixes (`.name`, `?.`, `[index]`, `[from:to]`).

use rollouts_api::gofmt::go_quote;

use super::super::ast::{Node, is_builtin, predicate_arguments};
use super::super::go_format::{parse_go_float, parse_go_int};
use super::super::lexer::{Kind, is_valid_identifier};
use super::{Parsed, Parser, unary_operator};

impl Parser {
    pub(super) fn primary(&mut self) -> Parsed<Node> {
        let token = self.cur().clone();
        if token.kind == Kind::Operator
            && let Some(precedence) = unary_operator(&token.value)
        {
            self.next()?;
            let operand = self.expression(precedence)?;
            let node = self.make(Node::Unary(token.value, Box::new(operand)))?;
            return self.postfix(node);
        }
        if token.is(Kind::Bracket, "(") {
            self.next()?;
            let inner = self.sequence()?;
            self.expect(Kind::Bracket, ")")?;
            return self.postfix(inner);
        }
        if self.predicate_depth > 0 && (token.is(Kind::Operator, "#") || token.is(Kind::Operator, ".")) {
            let mut name = String::new();
            if token.is(Kind::Operator, "#") {
                self.next()?;
                if self.cur().kind == Kind::Identifier {
                    name = self.cur().value.clone();
                    self.next()?;
                }
            }
            let node = self.make(Node::Pointer(name))?;
            return self.postfix(node);
        }
        if token.is(Kind::Operator, "::") {
            self.next()?;
            let name = self.cur().value.clone();
            self.expect_kind(Kind::Identifier)?;
            let node = self.call(&name, Vec::new())?;
            return self.postfix(node);
        }
        self.secondary()
    }

    fn secondary(&mut self) -> Parsed<Node> {
        let token = self.cur().clone();
        let node = match token.kind {
            Kind::Identifier => {
                self.next()?;
                match token.value.as_str() {
                    "true" => return self.make(Node::Bool(true)),
                    "false" => return self.make(Node::Bool(false)),
                    "nil" => return self.make(Node::Nil),
                    _ if self.cur().is(Kind::Bracket, "(") => self.call(&token.value, Vec::new())?,
                    _ => self.make(Node::Ident(token.value))?,
                }
            }
            Kind::Number => {
                self.next()?;
                let number = number_literal(&token.value)?;
                return self.make(number);
            }
            Kind::String => {
                self.next()?;
                self.make(Node::Str(token.value))?
            }
            Kind::Bytes => {
                self.next()?;
                self.make(Node::Bytes(token.bytes))?
            }
            _ if token.is(Kind::Bracket, "[") => self.array()?,
            _ if token.is(Kind::Bracket, "{") => self.map()?,
            _ => return Err(self.unexpected()),
        };
        self.postfix(node)
    }

    /// A call of `name`; `args` already holds the left side of a pipe.
    pub(super) fn call(&mut self, name: &str, mut args: Vec<Node>) -> Parsed<Node> {
        if let Some(shape) = predicate_arguments(name) {
            self.expect(Kind::Bracket, "(")?;
            let shape = shape.get(args.len()..).unwrap_or_default();
            for (i, &(is_predicate, optional)) in shape.iter().enumerate() {
                if self.cur().is(Kind::Bracket, ")") {
                    if optional {
                        break;
                    }
                    return Err(format!("expected at least {} arguments", shape.len()));
                }
                if i > 0 {
                    self.expect(Kind::Operator, ",")?;
                }
                let node = if is_predicate {
                    self.predicate()?
                } else {
                    self.expression(0)?
                };
                args.push(node);
            }
            if self.cur().is(Kind::Operator, ",") {
                self.next()?;
            }
            self.expect(Kind::Bracket, ")")?;
            self.make(Node::Builtin {
                name: name.to_string(),
                args,
            })
        } else if is_builtin(name) {
            let args = self.arguments(args)?;
            self.make(Node::Builtin {
                name: name.to_string(),
                args,
            })
        } else {
            let callee = self.make(Node::Ident(name.to_string()))?;
            let args = self.arguments(args)?;
            self.make(Node::Call {
                callee: Box::new(callee),
                args,
            })
        }
    }

    fn arguments(&mut self, mut args: Vec<Node>) -> Parsed<Vec<Node>> {
        let given = args.len();
        self.expect(Kind::Bracket, "(")?;
        while !self.cur().is(Kind::Bracket, ")") {
            if args.len() > given {
                self.expect(Kind::Operator, ",")?;
            }
            if self.cur().is(Kind::Bracket, ")") {
                break;
            }
            args.push(self.expression(0)?);
        }
        self.expect(Kind::Bracket, ")")?;
        Ok(args)
    }

    fn predicate(&mut self) -> Parsed<Node> {
        let braces = self.cur().is(Kind::Bracket, "{");
        if braces {
            self.next()?;
        }
        self.predicate_depth += 1;
        let body = if braces {
            self.sequence()
        } else {
            self.expression(0).and_then(|node| {
                if self.cur().is(Kind::Operator, ";") {
                    Err("wrap predicate with brackets { and }".to_string())
                } else {
                    Ok(node)
                }
            })
        };
        self.predicate_depth -= 1;
        let body = body?;
        if braces {
            self.expect(Kind::Bracket, "}")?;
        }
        self.make(Node::Predicate(Box::new(body)))
    }

    fn array(&mut self) -> Parsed<Node> {
        self.expect(Kind::Bracket, "[")?;
        let mut nodes = Vec::new();
        while !self.cur().is(Kind::Bracket, "]") {
            if !nodes.is_empty() {
                self.expect(Kind::Operator, ",")?;
                if self.cur().is(Kind::Bracket, "]") {
                    break;
                }
            }
            nodes.push(self.expression(0)?);
        }
        self.expect(Kind::Bracket, "]")?;
        self.make(Node::Array(nodes))
    }

    fn map(&mut self) -> Parsed<Node> {
        self.expect(Kind::Bracket, "{")?;
        let mut pairs = Vec::new();
        while !self.cur().is(Kind::Bracket, "}") {
            if !pairs.is_empty() {
                self.expect(Kind::Operator, ",")?;
                if self.cur().is(Kind::Bracket, "}") {
                    break;
                }
                if self.cur().is(Kind::Operator, ",") {
                    return Err(self.unexpected());
                }
            }
            let token = self.cur().clone();
            let key = if matches!(token.kind, Kind::Number | Kind::String | Kind::Identifier) {
                let key = self.make(Node::Str(token.value))?;
                self.next()?;
                key
            } else if token.is(Kind::Bracket, "(") {
                self.expression(0)?
            } else {
                return Err(format!(
                    "a map key must be a quoted string, a number, a identifier, or an expression enclosed in \
                     parentheses (unexpected token {})",
                    token.describe()
                ));
            };
            self.expect(Kind::Operator, ":")?;
            let value = self.expression(0)?;
            self.count()?;
            pairs.push((key, value));
        }
        self.expect(Kind::Bracket, "}")?;
        self.make(Node::Map(pairs))
    }

    fn postfix(&mut self, mut node: Node) -> Parsed<Node> {
        loop {
            let mut token = self.cur().clone();
            if !matches!(token.kind, Kind::Operator | Kind::Bracket) {
                break;
            }
            let optional = token.value == "?.";
            if token.value == "." || optional {
                self.next()?;
                let property = self.cur().clone();
                if optional && property.is(Kind::Bracket, "[") {
                    // `?.[index]`: handled below as an optional index.
                    token = property;
                } else {
                    self.next()?;
                    if property.kind != Kind::Identifier
                        && (property.kind != Kind::Operator || !is_valid_identifier(&property.value))
                    {
                        return Err("expected name".to_string());
                    }
                    let name = self.make(Node::Str(property.value))?;
                    let (base, in_chain) = match node {
                        Node::Chain(inner) => (*inner, true),
                        other => (other, false),
                    };
                    self.count()?;
                    let called = self.cur().is(Kind::Bracket, "(");
                    let member = Node::Member {
                        base: Box::new(base),
                        prop: Box::new(name),
                        optional,
                        method: called,
                    };
                    node = if called {
                        let args = self.arguments(Vec::new())?;
                        self.make(Node::Call {
                            callee: Box::new(member),
                            args,
                        })?
                    } else {
                        member
                    };
                    if in_chain || optional {
                        node = self.make(Node::Chain(Box::new(node)))?;
                    }
                    continue;
                }
            }
            if token.is(Kind::Bracket, "[") {
                self.next()?;
                if self.cur().is(Kind::Operator, ":") {
                    let to = self.slice_to()?;
                    node = self.make(Node::Slice {
                        base: Box::new(node),
                        from: None,
                        to,
                    })?;
                    self.expect(Kind::Bracket, "]")?;
                } else {
                    let from = self.expression(0)?;
                    if self.cur().is(Kind::Operator, ":") {
                        let to = self.slice_to()?;
                        node = self.make(Node::Slice {
                            base: Box::new(node),
                            from: Some(Box::new(from)),
                            to,
                        })?;
                    } else {
                        node = self.make(Node::Member {
                            base: Box::new(node),
                            prop: Box::new(from),
                            optional,
                            method: false,
                        })?;
                        if optional {
                            node = self.make(Node::Chain(Box::new(node)))?;
                        }
                    }
                    self.expect(Kind::Bracket, "]")?;
                }
                continue;
            }
            break;
        }
        Ok(node)
    }

    /// The `:to` of a slice (at the `:`): the upper bound, if one is given before the `]`.
    fn slice_to(&mut self) -> Parsed<Option<Box<Node>>> {
        self.next()?;
        if self.cur().is(Kind::Bracket, "]") {
            Ok(None)
        } else {
            Ok(Some(Box::new(self.expression(0)?)))
        }
    }
}

/// A number token as Go's parser reads it.
fn number_literal(text: &str) -> Parsed<Node> {
    let value = text.replace('_', "");
    let lower = value.to_ascii_lowercase();
    let integer = |digits: &str, radix: u32, what: &str| -> Parsed<Node> {
        parse_go_int(digits, radix).map(Node::Int).map_err(|e| {
            format!(
                "invalid {what} literal: strconv.ParseInt: parsing {}: {e}",
                go_quote(&value)
            )
        })
    };
    if lower.starts_with("0x") {
        integer(value.get(2..).unwrap_or_default(), 16, "hex")
    } else if lower.contains('.') || lower.contains('e') {
        parse_go_float(&value).map(Node::Float).map_err(|e| {
            format!(
                "invalid float literal: strconv.ParseFloat: parsing {}: {e}",
                go_quote(&value)
            )
        })
    } else if lower.starts_with("0b") {
        integer(value.get(2..).unwrap_or_default(), 2, "binary")
    } else if lower.starts_with("0o") {
        integer(value.get(2..).unwrap_or_default(), 8, "octal")
    } else {
        integer(&value, 10, "integer")
    }
}
