//! Compile-time checks (Go expr's `checker`): the errors Go reports before an expression runs, with
//! Go's messages. The builtins are in `builtins`.

mod builtins;

use super::ast::{Node, is_builtin};
use super::go_regex::go_regex;
use super::types::{ANY_MAP, Class, Ty, env_function};

type Checked = Result<Ty, String>;

/// `base[key]` of a map type: its element, when `key` can be one of its keys.
fn map_element(base: &Ty, key: &Ty) -> Checked {
    if !key.assignable_to(&base.key()) && !key.unknown() {
        return Err(format!(
            "cannot use {} to get an element from {}",
            key.name(),
            base.name()
        ));
    }
    Ok(base.elem())
}

/// A slice bound, or the index `get` takes from a list: it must be an integer.
fn slice_index(index: &Ty) -> Result<(), String> {
    if !index.is_integer() && !index.unknown() {
        return Err(format!("non-integer slice index {}", index.name()));
    }
    Ok(())
}

struct PredicateScope {
    collection: Ty,
    pointers: Vec<(&'static str, Ty)>,
}

pub(super) struct Checker<'a> {
    result: &'a Ty,
    variables: Vec<(String, Ty)>,
    predicates: Vec<PredicateScope>,
}

impl<'a> Checker<'a> {
    pub(super) fn new(result: &'a Ty) -> Self {
        Checker {
            result,
            variables: Vec::new(),
            predicates: Vec::new(),
        }
    }

    pub(super) fn visit(&mut self, node: &Node) -> Checked {
        match node {
            Node::Nil => Ok(Ty::Nil),
            Node::Bool(_) => Ok(Ty::Bool),
            Node::Int(_) => Ok(Ty::int()),
            Node::Float(_) => Ok(Ty::Float),
            Node::Str(_) => Ok(Ty::Str),
            Node::Bytes(_) => Ok(Ty::Array("[]uint8", Box::new(Ty::Int("uint8")))),
            Node::Ident(name) => self.identifier(name),
            Node::Pointer(name) => self.pointer(name),
            Node::Unary(op, operand) => self.unary(op, operand),
            Node::Binary(op, left, right) => self.binary(op, left, right),
            Node::Member {
                base,
                prop,
                optional,
                method,
            } => self.member(base, prop, *optional, *method),
            Node::Slice { base, from, to } => self.slice(base, from.as_deref(), to.as_deref()),
            Node::Call { callee, args } => self.call(callee, args),
            Node::Builtin { name, args } => self.builtin(name, args),
            Node::Predicate(body) => {
                let body = self.visit(body)?;
                let out = if body.unknown() {
                    Some(Box::new(Ty::Any))
                } else if body.is_nil() {
                    None
                } else {
                    Some(Box::new(body.clone()))
                };
                Ok(Ty::Predicate(out, Box::new(body)))
            }
            Node::Chain(inner) => self.visit(inner),
            Node::Conditional { cond, yes, no } => self.conditional(cond, yes, no),
            Node::Array(items) => {
                let mut previous = Ty::Unknown;
                let mut same_kind = true;
                for (i, item) in items.iter().enumerate() {
                    let current = self.visit(item)?;
                    if i > 0 && current.kind() != previous.kind() {
                        same_kind = false;
                    }
                    previous = current;
                }
                Ok(Ty::any_array(if same_kind { previous } else { Ty::Any }))
            }
            Node::Map(pairs) => {
                for (key, value) in pairs {
                    self.visit(key)?;
                    self.visit(value)?;
                }
                Ok(Ty::any_map())
            }
            Node::Let { name, value, body } => {
                if name == "result" || env_function(name).is_some() {
                    return Err(format!("cannot redeclare {name}"));
                }
                if is_builtin(name) {
                    return Err(format!("cannot redeclare builtin {name}"));
                }
                if self.variables.iter().any(|(v, _)| v == name) {
                    return Err(format!("cannot redeclare variable {name}"));
                }
                let value = self.visit(value)?;
                self.variables.push((name.clone(), value));
                let body = self.visit(body);
                self.variables.pop();
                body
            }
            Node::StringSet(_) => Ok(Ty::Map(
                "map[string]struct {}",
                Box::new(Ty::Str),
                Box::new(Ty::Unknown),
            )),
            Node::Sequence(nodes) => {
                let mut last = Ty::Unknown;
                for node in nodes {
                    last = self.visit(node)?;
                }
                Ok(last)
            }
        }
    }

    fn identifier(&self, name: &str) -> Checked {
        if let Some((_, ty)) = self.variables.iter().rev().find(|(v, _)| v == name) {
            return Ok(ty.clone());
        }
        if name == "$env" {
            return Ok(Ty::Unknown);
        }
        if name == "result" {
            return Ok(self.result.clone());
        }
        if let Some((go_type, ..)) = env_function(name) {
            return Ok(Ty::Func(go_type));
        }
        if is_builtin(name) {
            return Ok(Ty::Func("func(...interface {}) (interface {}, error)"));
        }
        Err(format!("unknown name {name}"))
    }

    fn pointer(&self, name: &str) -> Checked {
        let Some(scope) = self.predicates.last() else {
            return Err("cannot use pointer accessor outside predicate".to_string());
        };
        if name.is_empty() {
            return if scope.collection.unknown() {
                Ok(Ty::Unknown)
            } else if scope.collection.is_array() {
                Ok(scope.collection.elem())
            } else {
                Err(format!("cannot use {} as array", scope.collection.name()))
            };
        }
        scope
            .pointers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, ty)| ty.clone())
            .ok_or_else(|| format!("unknown pointer #{name}"))
    }

    fn unary(&mut self, op: &str, operand: &Node) -> Checked {
        let ty = self.visit(operand)?;
        match op {
            "!" | "not" if ty.is_bool() || ty.unknown() => return Ok(Ty::Bool),
            "+" | "-" if ty.is_number() => return Ok(ty),
            "+" | "-" if ty.unknown() => return Ok(Ty::Unknown),
            _ => {}
        }
        Err(format!("invalid operation: {op} (mismatched type {})", ty.name()))
    }

    fn binary(&mut self, op: &str, left: &Node, right: &Node) -> Checked {
        use Class as C;
        let l = self.visit(left)?;
        let r = self.visit(right)?;
        let ok = match op {
            "==" | "!=" => l.comparable_to(&r).then_some(Ty::Bool),
            "or" | "||" | "and" | "&&" => {
                ((l.is_bool() && r.is_bool()) || l.maybe_compatible(&r, &[C::Bool])).then_some(Ty::Bool)
            }
            "<" | ">" | ">=" | "<=" => ((l.is_number() && r.is_number())
                || (l.is_string() && r.is_string())
                || l.maybe_compatible(&r, &[C::Number, C::Str]))
            .then_some(Ty::Bool),
            "-" | "*" => {
                if l.is_number() && r.is_number() {
                    Some(l.promote(&r))
                } else {
                    l.maybe_compatible(&r, &[C::Number]).then_some(Ty::Unknown)
                }
            }
            "/" | "**" | "^" => {
                ((l.is_number() && r.is_number()) || l.maybe_compatible(&r, &[C::Number])).then_some(Ty::Float)
            }
            "%" => ((l.is_integer() && r.is_integer()) || l.maybe_compatible(&r, &[C::Integer])).then(Ty::int),
            "+" => {
                if l.is_number() && r.is_number() {
                    Some(l.promote(&r))
                } else if l.is_string() && r.is_string() {
                    Some(Ty::Str)
                } else {
                    l.maybe_compatible(&r, &[C::Number, C::Str]).then_some(Ty::Unknown)
                }
            }
            "in" => {
                if r.is_map() {
                    let key = r.key();
                    if !l.unknown() && !l.assignable_to(&key) {
                        return Err(format!("cannot use {} as type {} in map key", l.name(), key.name()));
                    }
                    Some(Ty::Bool)
                } else if r.is_array() {
                    let elem = r.elem();
                    if !l.comparable_to(&elem) {
                        return Err(format!("cannot use {} as type {} in array", l.name(), elem.name()));
                    }
                    Some(Ty::Bool)
                } else {
                    ((l.unknown() && r.is_any_of(&[C::Str, C::Array, C::Map])) || r.unknown()).then_some(Ty::Bool)
                }
            }
            "matches" => {
                if let Node::Str(pattern) = right {
                    go_regex(pattern)?;
                }
                (((l.is_string() || l.name() == "[]uint8") && r.is_string()) || l.maybe_compatible(&r, &[C::Str]))
                    .then_some(Ty::Bool)
            }
            "contains" | "startsWith" | "endsWith" => {
                ((l.is_string() && r.is_string()) || l.maybe_compatible(&r, &[C::Str])).then_some(Ty::Bool)
            }
            ".." => ((l.is_integer() && r.is_integer()) || l.maybe_compatible(&r, &[C::Integer]))
                .then(|| Ty::any_array(Ty::int())),
            "??" => Some(match (l.is_nil(), r.is_nil()) {
                (true, false) => r.clone(),
                (false, true) => l.clone(),
                (true, true) => Ty::Nil,
                _ if r.assignable_to(&l) => l.clone(),
                _ => Ty::Unknown,
            }),
            _ => return Err(format!("unknown operator ({op})")),
        };
        ok.ok_or_else(|| {
            format!(
                "invalid operation: {op} (mismatched types {} and {})",
                l.name(),
                r.name()
            )
        })
    }

    fn member(&mut self, base: &Node, prop: &Node, optional: bool, method: bool) -> Checked {
        if let (Node::Ident(env), Node::Str(name)) = (base, prop)
            && env == "$env"
            && !self.variables.iter().any(|(v, _)| v == env)
        {
            // `$env.name`: a name of the environment (no builtins), unknown ones allowed after `?.`.
            return match name.as_str() {
                "result" => Ok(self.result.clone()),
                name => match env_function(name) {
                    Some((go_type, ..)) => Ok(Ty::Func(go_type)),
                    None if optional => Ok(Ty::Unknown),
                    None => Err(format!("unknown name {name}")),
                },
            };
        }
        let base_ty = self.visit(base)?;
        let prop_ty = self.visit(prop)?;
        if base_ty.unknown() {
            return Ok(Ty::Unknown);
        }
        let name = match prop {
            Node::Str(name) => Some(name.as_str()),
            _ => None,
        };
        if base_ty.is_nil()
            && let Some(name) = name
        {
            return Err(format!("type nil has no field {name}"));
        }
        if base_ty.is_map() {
            return map_element(&base_ty, &prop_ty);
        }
        if base_ty.is_array() {
            if !prop_ty.is_integer() && !prop_ty.unknown() {
                return Err(format!(
                    "array elements can only be selected using an integer (got {})",
                    prop_ty.name()
                ));
            }
            return Ok(base_ty.elem());
        }
        Err(match name {
            Some(name) if method => format!("type {} has no method {name}", base_ty.name()),
            Some(name) => format!("type {} has no field {name}", base_ty.name()),
            None => format!("type {}[{}] is undefined", base_ty.name(), prop_ty.name()),
        })
    }

    fn slice(&mut self, base: &Node, from: Option<&Node>, to: Option<&Node>) -> Checked {
        let ty = self.visit(base)?;
        if ty.unknown() {
            return Ok(Ty::Unknown);
        }
        if !(ty.is_string() || ty.is_array()) {
            return Err(format!("cannot slice {}", ty.name()));
        }
        for bound in [from, to].into_iter().flatten() {
            slice_index(&self.visit(bound)?)?;
        }
        Ok(ty)
    }

    fn call(&mut self, callee: &Node, args: &[Node]) -> Checked {
        if matches!(callee, Node::Ident(name) if name == "$env") {
            return Err(format!("{ANY_MAP} is not callable"));
        }
        let callee_ty = self.visit(callee)?;
        if callee_ty.unknown() {
            // Go stops here, without looking at the arguments.
            return Ok(Ty::Unknown);
        }
        let name = match callee {
            Node::Ident(name) => name.clone(),
            Node::Member { prop, .. } => match &**prop {
                Node::Str(name) => name.clone(),
                _ => "function".to_string(),
            },
            _ => "function".to_string(),
        };
        if let Node::Ident(ident) = callee
            && !self.variables.iter().any(|(v, _)| v == ident)
            && let Some((_, params, out)) = env_function(ident)
        {
            return self.env_arguments(ident, &params, out, args);
        }
        if callee_ty.is_nil() {
            return Err(format!("{name} is nil; cannot call nil as function"));
        }
        if callee_ty.is_func() {
            for arg in args {
                self.visit(arg)?;
            }
            return Ok(Ty::Unknown);
        }
        Err(format!("{} is not callable", callee_ty.name()))
    }

    /// Go's `checkArguments` for the environment's functions.
    fn env_arguments(&mut self, name: &str, params: &[Ty], out: Ty, args: &[Node]) -> Checked {
        let arity = match args.len().cmp(&params.len()) {
            std::cmp::Ordering::Greater => Some("too many"),
            std::cmp::Ordering::Less => Some("not enough"),
            std::cmp::Ordering::Equal => None,
        };
        if let Some(problem) = arity {
            for arg in args {
                self.visit(arg)?;
            }
            return Err(format!("{problem} arguments to call {name}"));
        }
        for (arg, param) in args.iter().zip(params) {
            let ty = self.visit(arg)?;
            if matches!(param, Ty::Float) && ty.is_integer() {
                // Go converts integer literals (and int-typed arguments) for a float64 parameter.
                continue;
            }
            if ty.is_nil() {
                if matches!(param, Ty::Any) {
                    continue;
                }
                return Err(format!(
                    "cannot use nil as argument (type {}) to call {name}",
                    param.name()
                ));
            }
            if !ty.assignable_to(param) && !ty.unknown() {
                return Err(format!(
                    "cannot use {} as argument (type {}) to call {name} ",
                    ty.name(),
                    param.name()
                ));
            }
        }
        Ok(out)
    }

    fn conditional(&mut self, cond: &Node, yes: &Node, no: &Node) -> Checked {
        let c = self.visit(cond)?;
        if !c.is_bool() && !c.unknown() {
            return Err(format!("non-bool expression (type {}) used as condition", c.name()));
        }
        let t1 = self.visit(yes)?;
        let t2 = self.visit(no)?;
        Ok(match (t1.is_nil(), t2.is_nil()) {
            (true, false) => t2,
            (false, true) => t1,
            (true, true) => Ty::Nil,
            _ if t1.assignable_to(&t2) => {
                if t1.is_array() && t2.is_array() {
                    let (e1, e2) = (t1.elem(), t2.elem());
                    if !e1.assignable_to(&e2) || !e2.assignable_to(&e1) {
                        return Ok(Ty::any_array(Ty::Any));
                    }
                }
                t1
            }
            _ => Ty::Unknown,
        })
    }
}
