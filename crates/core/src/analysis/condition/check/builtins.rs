//! The checks of builtin calls: predicates (`all`, `map`, `reduce`, ...) and argument types.

use super::super::ast::Node;
use super::super::types::Ty;
use super::{Checked, Checker, PredicateScope, map_element, slice_index};

impl Checker<'_> {
    /// Visits the collection of a predicate builtin; it must be a list (or unknown).
    fn collection(&mut self, name: &str, node: Option<&Node>) -> Checked {
        let ty = match node {
            Some(node) => self.visit(node)?,
            None => Ty::Unknown,
        };
        if !ty.is_array() && !ty.unknown() {
            return Err(format!("builtin {name} takes only array (got {})", ty.name()));
        }
        Ok(ty)
    }

    /// Visits a predicate with `#` ranging over `collection`: its output type, if it has one.
    fn predicate(&mut self, collection: &Ty, pointers: Vec<(&'static str, Ty)>, node: Option<&Node>) -> Checked {
        let Some(node) = node else { return Ok(Ty::Unknown) };
        self.predicates.push(PredicateScope {
            collection: collection.clone(),
            pointers,
        });
        let ty = self.visit(node);
        self.predicates.pop();
        ty
    }

    pub(super) fn builtin(&mut self, name: &str, args: &[Node]) -> Checked {
        let no_output = || "predicate should has one input and one output param".to_string();
        let boolean = |out: &Ty| -> Result<(), String> {
            if out.is_bool() || out.unknown() {
                Ok(())
            } else {
                Err(format!("predicate should return boolean (got {})", out.name()))
            }
        };
        match name {
            "all" | "none" | "any" | "one" | "filter" | "find" | "findLast" | "findIndex" | "findLastIndex" => {
                let collection = self.collection(name, args.first())?;
                let predicate = self.predicate(&collection, Vec::new(), args.get(1))?;
                let Ty::Predicate(Some(out), _) = predicate else {
                    return Err(no_output());
                };
                boolean(&out)?;
                return Ok(match name {
                    "filter" if collection.unknown() => Ty::any_array(Ty::Any),
                    "filter" => Ty::any_array(collection.elem()),
                    "find" | "findLast" if collection.unknown() => Ty::Unknown,
                    "find" | "findLast" => collection.elem(),
                    "findIndex" | "findLastIndex" => Ty::int(),
                    _ => Ty::Bool,
                });
            }
            "map" => {
                let collection = self.collection(name, args.first())?;
                let predicate = self.predicate(&collection, vec![("index", Ty::int())], args.get(1))?;
                let Ty::Predicate(Some(_), body) = predicate else {
                    return Err(no_output());
                };
                return Ok(Ty::any_array(*body));
            }
            "count" | "sum" => {
                let collection = self.collection(name, args.first())?;
                if args.len() < 2 {
                    return Ok(match name {
                        "count" => Ty::int(),
                        _ if collection.unknown() => Ty::Unknown,
                        _ => collection.elem(),
                    });
                }
                let predicate = self.predicate(&collection, Vec::new(), args.get(1))?;
                return match predicate {
                    Ty::Predicate(Some(out), _) if name == "count" => boolean(&out).map(|()| Ty::int()),
                    Ty::Predicate(Some(out), _) => Ok(*out),
                    _ if name == "sum" => Ok(Ty::Unknown),
                    _ => Err(no_output()),
                };
            }
            "groupBy" | "sortBy" => {
                let collection = self.collection(name, args.first())?;
                let predicate = self.predicate(&collection, Vec::new(), args.get(1))?;
                if let Some(order) = args.get(2) {
                    let order = self.visit(order)?;
                    if !order.is_string() && !order.unknown() {
                        return Err(format!("sortBy order argument must be a string (got {})", order.name()));
                    }
                }
                let Ty::Predicate(Some(_), _) = predicate else {
                    return Err(no_output());
                };
                return Ok(if name == "sortBy" {
                    collection
                } else {
                    Ty::Map(
                        "map[interface {}][]interface {}",
                        Box::new(Ty::Any),
                        Box::new(Ty::any_array(collection.elem())),
                    )
                });
            }
            "reduce" => {
                let collection = self.collection(name, args.first())?;
                let pointers = vec![("index", Ty::int()), ("acc", Ty::Unknown)];
                let predicate = self.predicate(&collection, pointers, args.get(1))?;
                if let Some(initial) = args.get(2) {
                    self.visit(initial)?;
                }
                let Ty::Predicate(Some(_), body) = predicate else {
                    return Err("predicate should has two input and one output param".to_string());
                };
                return Ok(*body);
            }
            "get" => return self.builtin_get(args),
            _ => {}
        }

        let mut types = Vec::with_capacity(args.len());
        for arg in args {
            types.push(self.visit(arg)?);
        }
        let arity = |n: usize| -> Result<(), String> {
            if types.len() == n {
                Ok(())
            } else {
                Err(format!(
                    "invalid number of arguments (expected {n}, got {})",
                    types.len()
                ))
            }
        };
        let first = types.first().cloned().unwrap_or(Ty::Unknown);
        let invalid = || format!("invalid argument for {name} (type {})", first.reflect_name());
        match name {
            "len" => {
                arity(1)?;
                if first.is_array() || first.is_map() || first.is_string() || first.unknown() {
                    Ok(Ty::int())
                } else {
                    Err(invalid())
                }
            }
            "abs" => {
                arity(1)?;
                if first.unknown() {
                    Ok(Ty::Any)
                } else if first.is_number() {
                    Ok(first)
                } else {
                    Err(invalid())
                }
            }
            "ceil" | "floor" | "round" | "int" | "float" => {
                arity(1)?;
                let strings_too = matches!(name, "int" | "float");
                if first.is_number() || first.unknown() || (strings_too && first.is_string()) {
                    Ok(if name == "int" { Ty::int() } else { Ty::Float })
                } else {
                    Err(invalid())
                }
            }
            "max" | "min" | "mean" | "median" => {
                if types.is_empty() {
                    return Err(format!("not enough arguments to call {name}"));
                }
                for ty in &types {
                    if ty.unknown() || ty.is_array() {
                        return Ok(Ty::Any);
                    }
                    if !ty.is_number() {
                        return Err(format!("invalid argument for {name} (type {})", ty.reflect_name()));
                    }
                }
                Ok(first)
            }
            "type" | "string" | "trim" | "trimPrefix" | "trimSuffix" | "upper" | "lower" | "replace" | "repeat"
            | "join" | "toJSON" | "toBase64" | "fromBase64" => Ok(Ty::Str),
            "split" | "splitAfter" => Ok(Ty::Array("[]string", Box::new(Ty::Str))),
            "indexOf" | "lastIndexOf" | "bitand" | "bitor" | "bitxor" | "bitnand" | "bitnot" | "bitshl" | "bitshr"
            | "bitushr" => Ok(Ty::int()),
            "hasPrefix" | "hasSuffix" => Ok(Ty::Bool),
            _ => Ok(Ty::Unknown),
        }
    }

    fn builtin_get(&mut self, args: &[Node]) -> Checked {
        let [base, prop] = args else {
            for arg in args {
                self.visit(arg)?;
            }
            return Err(format!("invalid number of arguments (expected 2, got {})", args.len()));
        };
        let base_ty = self.visit(base)?;
        let prop_ty = self.visit(prop)?;
        if matches!(base, Node::Ident(name) if name == "$env") || base_ty.unknown() {
            return Ok(Ty::Unknown);
        }
        if base_ty.is_array() {
            slice_index(&prop_ty)?;
            return Ok(base_ty.elem());
        }
        if base_ty.is_map() {
            return map_element(&base_ty, &prop_ty);
        }
        Err(format!("type {} does not support indexing", base_ty.name()))
    }
}
