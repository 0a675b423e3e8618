//! Go expr's optimizer, where it changes what an expression does.

use super::ast::Node;
use super::operators::Num;

/// The rewrites of Go's optimizer that can change a verdict or an error: `x in ["a", "b"]` becomes a
/// set lookup (a non-string `x` is then an error), constants are folded (so `x && false` never looks
/// at `x`, and `1 % 0` does not compile), and `count(l, p) > 0` becomes `any(l, p)` (which stops at the
/// first match). Its other rewrites do not change results and are left out.
pub(super) fn optimize(tree: &mut Node) -> Result<(), String> {
    string_sets(tree);
    for _ in 0..=1000 {
        let mut applied = false;
        fold(tree, &mut applied)?;
        if !applied {
            break;
        }
    }
    count_any(tree);
    Ok(())
}

fn string_sets(node: &mut Node) {
    for child in node.children_mut() {
        string_sets(child);
    }
    if let Node::Binary(op, _, right) = node
        && op == "in"
        && let Node::Array(items) = &**right
        && !items.is_empty()
    {
        let strings: Option<Vec<String>> = items
            .iter()
            .map(|i| if let Node::Str(s) = i { Some(s.clone()) } else { None })
            .collect();
        if let Some(strings) = strings {
            **right = Node::StringSet(strings);
        }
    }
}

fn fold(node: &mut Node, applied: &mut bool) -> Result<(), String> {
    for child in node.children_mut() {
        fold(child, applied)?;
    }
    let replacement = match &*node {
        Node::Unary(op, operand) => match (op.as_str(), &**operand) {
            ("-", Node::Int(i)) => Some(Node::Int(i.wrapping_neg())),
            ("-", Node::Float(f)) => Some(Node::Float(-f)),
            ("+", Node::Int(i)) => Some(Node::Int(*i)),
            ("+", Node::Float(f)) => Some(Node::Float(*f)),
            ("!" | "not", Node::Bool(b)) => Some(Node::Bool(!b)),
            _ => None,
        },
        Node::Binary(op, left, right) => fold_binary(op, left, right)?,
        _ => None,
    };
    if let Some(replacement) = replacement {
        *node = replacement;
        *applied = true;
    }
    Ok(())
}

fn fold_binary(op: &str, left: &Node, right: &Node) -> Result<Option<Node>, String> {
    let number = |n: &Node| match n {
        Node::Int(i) => Some(Num::Int(*i)),
        Node::Float(f) => Some(Num::Float(*f)),
        _ => None,
    };
    let boolean = |n: &Node| if let Node::Bool(b) = n { Some(*b) } else { None };
    Ok(match (op, number(left), number(right)) {
        ("+" | "-" | "*", Some(Num::Int(a)), Some(Num::Int(b))) => Some(Node::Int(match op {
            "+" => a.wrapping_add(b),
            "-" => a.wrapping_sub(b),
            _ => a.wrapping_mul(b),
        })),
        ("+" | "-" | "*", Some(a), Some(b)) => Some(Node::Float(match op {
            "+" => a.float() + b.float(),
            "-" => a.float() - b.float(),
            _ => a.float() * b.float(),
        })),
        ("/", Some(a), Some(b)) => Some(Node::Float(a.float() / b.float())),
        ("**" | "^", Some(a), Some(b)) => Some(Node::Float(a.float().powf(b.float()))),
        ("%", Some(Num::Int(_)), Some(Num::Int(0))) => return Err("integer divide by zero".to_string()),
        ("%", Some(Num::Int(a)), Some(Num::Int(b))) => Some(Node::Int(a.wrapping_rem(b))),
        ("==", Some(Num::Int(a)), Some(Num::Int(b))) => Some(Node::Bool(a == b)),
        _ => match (op, left, right) {
            ("+", Node::Str(a), Node::Str(b)) => Some(Node::Str(format!("{a}{b}"))),
            ("==", Node::Str(a), Node::Str(b)) => Some(Node::Bool(a == b)),
            ("==", Node::Bool(a), Node::Bool(b)) => Some(Node::Bool(a == b)),
            ("and" | "&&", ..) => match (boolean(left), boolean(right)) {
                (Some(true), _) => Some(right.clone()),
                (_, Some(true)) => Some(left.clone()),
                (Some(false), _) | (_, Some(false)) => Some(Node::Bool(false)),
                _ => None,
            },
            ("or" | "||", ..) => match (boolean(left), boolean(right)) {
                (Some(false), _) => Some(right.clone()),
                (_, Some(false)) => Some(left.clone()),
                (Some(true), _) | (_, Some(true)) => Some(Node::Bool(true)),
                _ => None,
            },
            _ => None,
        },
    })
}

fn count_any(node: &mut Node) {
    for child in node.children_mut() {
        count_any(child);
    }
    if let Node::Binary(op, left, right) = node
        && let (Node::Builtin { name, args }, Node::Int(n)) = (&**left, &**right)
        && name == "count"
        && args.len() == 2
        && ((op == ">" && *n == 0) || (op == ">=" && *n == 1))
    {
        *node = Node::Builtin {
            name: "any".to_string(),
            args: args.clone(),
        };
    }
}
