//! Printing the tree as an `expr-lang` program.

use std::fmt::Write as _;

use expr::Value;

use super::ast::{Node, is_builtin, predicate_arguments};
use super::types::env_function;

/// Prints a checked tree as a program for the `expr-lang` crate. Literals other than small integers
/// are passed as context variables (`__l<n>`), so no escaping rule of the crate's grammar matters;
/// `let` variables become `__v<n>` and chain temporaries `__c<n>`, names no condition can spell (Go
/// rejects them as unknown before this point).
#[derive(Default)]
pub(super) struct Printer {
    pub(super) literals: Vec<(String, Value)>,
    variables: Vec<(String, String)>,
    temporaries: usize,
}

impl Printer {
    fn literal(&mut self, value: Value) -> String {
        let name = format!("__l{}", self.literals.len());
        self.literals.push((name.clone(), value));
        name
    }

    fn temporary(&mut self, prefix: &str) -> String {
        self.temporaries += 1;
        format!("__{prefix}{}", self.temporaries)
    }

    fn list(&mut self, nodes: &[Node]) -> String {
        let printed: Vec<String> = nodes.iter().map(|n| self.print(n)).collect();
        printed.join(", ")
    }

    pub(super) fn print(&mut self, node: &Node) -> String {
        match node {
            Node::Nil => "nil".to_string(),
            Node::Bool(b) => b.to_string(),
            Node::Int(i) if *i >= 0 => i.to_string(),
            Node::Int(i) => self.literal(Value::Integer(*i)),
            Node::Float(f) => self.literal(Value::Float(*f)),
            Node::Str(s) => self.literal(Value::String(s.clone())),
            Node::Bytes(b) => self.literal(Value::Bytes(b.clone())),
            Node::Ident(name) => self.identifier(name),
            Node::Pointer(name) => format!("#{name}"),
            Node::Unary(op, operand) => {
                let operand = self.print(operand);
                match op.as_str() {
                    "-" => format!("__neg({operand})"),
                    "+" => format!("({operand})"),
                    _ => format!("__not({operand})"),
                }
            }
            Node::Binary(op, left, right) => {
                let left = self.print(left);
                let right = self.print(right);
                match op.as_str() {
                    "&&" | "and" => format!("(if __truth({left}) {{ {right} }} else {{ false }})"),
                    "||" | "or" => format!("(if __truth({left}) {{ true }} else {{ {right} }})"),
                    "??" => format!("(({left}) ?? ({right}))"),
                    op => format!("{}({left}, {right})", operator_helper(op)),
                }
            }
            Node::Member { base, prop, method, .. } => {
                let base = self.print(base);
                let prop = self.print(prop);
                if *method {
                    refused_call("", &format!("__fetch({base}, {prop})"))
                } else {
                    format!("__fetch({base}, {prop})")
                }
            }
            Node::Slice { base, from, to } => {
                let base = self.print(base);
                let mut bound = |b: &Option<Box<Node>>| match b {
                    Some(node) => format!("true, {}", self.print(node)),
                    None => "false, nil".to_string(),
                };
                let from = bound(from);
                let to = bound(to);
                format!("__slice({base}, {from}, {to})")
            }
            Node::Call { callee, args } => {
                let args = self.list(args);
                match &**callee {
                    Node::Ident(name)
                        if env_function(name).is_some() && !self.variables.iter().any(|(v, _)| v == name) =>
                    {
                        format!("{name}({args})")
                    }
                    // Go evaluates the arguments, then the callee, then fails to call it.
                    Node::Member { base, prop, .. } => {
                        let base = self.print(base);
                        let prop = self.print(prop);
                        refused_call(&args, &format!("__fetch({base}, {prop})"))
                    }
                    other => {
                        let callee = self.print(other);
                        refused_call(&args, &callee)
                    }
                }
            }
            Node::Builtin { name, args } => self.builtin(name, args),
            Node::Predicate(body) => {
                let body = self.print(body);
                format!("{{ ({body}) }}")
            }
            Node::Chain(inner) => self.chain(inner),
            Node::Conditional { cond, yes, no } => {
                let cond = self.print(cond);
                let yes = self.print(yes);
                let no = self.print(no);
                format!("(if __truth({cond}) {{ {yes} }} else {{ {no} }})")
            }
            Node::Array(items) => format!("[{}]", self.list(items)),
            Node::Map(pairs) => {
                let flat: Vec<Node> = pairs.iter().flat_map(|(k, v)| [k.clone(), v.clone()]).collect();
                format!("__map({})", self.list(&flat))
            }
            Node::Let { name, value, body } => {
                let value = self.print(value);
                let variable = self.temporary("v");
                self.variables.push((name.clone(), variable.clone()));
                let body = self.print(body);
                self.variables.pop();
                format!("(if true {{ let {variable} = {value}; {body} }} else {{ nil }})")
            }
            Node::Sequence(nodes) => format!("__last({})", self.list(nodes)),
            Node::StringSet(items) => {
                let set = items.iter().map(|s| (s.clone(), Value::Bool(true))).collect();
                self.literal(set)
            }
        }
    }

    fn identifier(&mut self, name: &str) -> String {
        if let Some((_, variable)) = self.variables.iter().rev().find(|(v, _)| v == name) {
            return variable.clone();
        }
        match name {
            "result" => "result".to_string(),
            "$env" => "__env".to_string(),
            name if env_function(name).is_some() || is_builtin(name) => {
                let message = self.literal(Value::String(format!("function {name} cannot be used as a value")));
                format!("__fail({message})")
            }
            // Only reachable where Go's checker does not look (arguments of an unknown callee); Go's
            // runtime reads a missing name of the environment as nil.
            _ => "nil".to_string(),
        }
    }

    fn builtin(&mut self, name: &str, args: &[Node]) -> String {
        if predicate_arguments(name).is_none() {
            return format!("{name}({})", self.list(args));
        }
        let collection = args.first().map_or_else(|| "nil".to_string(), |c| self.print(c));
        let body = match args.get(1) {
            Some(Node::Predicate(body)) => self.print(body),
            // `count(list)` and `sum(list)` take the elements themselves.
            _ => "#".to_string(),
        };
        // Go tests the predicate's value as a bool (a type assertion) in these builtins.
        let tested = matches!(
            name,
            "all" | "none" | "any" | "one" | "filter" | "find" | "findIndex" | "findLast" | "findLastIndex" | "count"
        );
        let body = if tested { format!("__truth({body})") } else { body };
        let rest = args.get(2..).map(|rest| self.list(rest)).unwrap_or_default();
        let separator = if rest.is_empty() { "" } else { ", " };
        format!("{name}(__iter({collection}), {{ ({body}) }}{separator}{rest})")
    }

    /// A `?.` chain: when the base of an optional link is nil, the whole chain is nil.
    fn chain(&mut self, inner: &Node) -> String {
        enum Link<'n> {
            Fetch(&'n Node, bool),
            Call(&'n Node, bool, &'n [Node]),
        }
        let mut links = Vec::new();
        let mut node = inner;
        loop {
            match node {
                Node::Member {
                    base,
                    prop,
                    optional,
                    method: false,
                } => {
                    links.push(Link::Fetch(prop, *optional));
                    node = base;
                }
                Node::Call { callee, args } => match &**callee {
                    Node::Member {
                        base,
                        prop,
                        optional,
                        method: true,
                    } => {
                        links.push(Link::Call(prop, *optional, args));
                        node = base;
                    }
                    _ => break,
                },
                _ => break,
            }
        }
        links.reverse();
        let base = self.print(node);
        let mut previous = self.temporary("c");
        let mut code = format!("(if true {{ let {previous} = {base}; ");
        let mut open = 0;
        for link in links {
            let (step, optional) = match link {
                Link::Fetch(prop, optional) => (format!("__fetch({previous}, {})", self.print(prop)), optional),
                Link::Call(prop, optional, args) => {
                    let prop = self.print(prop);
                    let args = self.list(args);
                    (refused_call(&args, &format!("__fetch({previous}, {prop})")), optional)
                }
            };
            if optional {
                let _ = write!(code, "if {previous} == nil {{ nil }} else {{ ");
                open += 1;
            }
            let next = self.temporary("c");
            let _ = write!(code, "let {next} = {step}; ");
            previous = next;
        }
        code.push_str(&previous);
        code.push_str(&" }".repeat(open));
        code.push_str(" } else { nil })");
        code
    }
}

/// A call that fails when it runs: nothing but the environment's functions, called by name, is a
/// function in a condition. As in Go, the arguments are evaluated, then the callee, then the call fails.
fn refused_call(args: &str, callee: &str) -> String {
    if args.is_empty() {
        format!("__nocall({callee})")
    } else {
        format!("__nocall({args}, {callee})")
    }
}

/// The helper that carries out a binary operator (the checker has vetted the operator).
fn operator_helper(op: &str) -> &'static str {
    match op {
        "==" => "__eq",
        "!=" => "__ne",
        "<" => "__lt",
        ">" => "__gt",
        "<=" => "__le",
        ">=" => "__ge",
        "+" => "__add",
        "-" => "__sub",
        "*" => "__mul",
        "/" => "__div",
        "%" => "__mod",
        "in" => "__in",
        "matches" => "__matches",
        "contains" => "__contains",
        "startsWith" => "__startsWith",
        "endsWith" => "__endsWith",
        ".." => "__range",
        _ => "__pow",
    }
}
