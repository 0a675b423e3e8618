//! The syntax tree of a condition, and the builtins of the language (which the parser, the checker and
//! the printer all tell apart from other names).

#[derive(Debug, Clone)]
pub(super) enum Node {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    Ident(String),
    /// `#` (empty name, also the implicit base of `.field` in a predicate), `#index`, `#acc`.
    Pointer(String),
    Unary(String, Box<Node>),
    Binary(String, Box<Node>, Box<Node>),
    /// `base.name` (`prop` is a string literal), `base[prop]`; `optional` for `?.`; `method` when called.
    Member {
        base: Box<Node>,
        prop: Box<Node>,
        optional: bool,
        method: bool,
    },
    Slice {
        base: Box<Node>,
        from: Option<Box<Node>>,
        to: Option<Box<Node>>,
    },
    /// A call of something that is not a builtin: an environment function or a method.
    Call {
        callee: Box<Node>,
        args: Vec<Node>,
    },
    Builtin {
        name: String,
        args: Vec<Node>,
    },
    Predicate(Box<Node>),
    /// The extent of a `?.` chain: when an optional member's base is nil, the whole chain is nil.
    Chain(Box<Node>),
    Conditional {
        cond: Box<Node>,
        yes: Box<Node>,
        no: Box<Node>,
    },
    Array(Vec<Node>),
    Map(Vec<(Node, Node)>),
    Let {
        name: String,
        value: Box<Node>,
        body: Box<Node>,
    },
    Sequence(Vec<Node>),
    /// A list of string literals on the right of `in`, which Go's optimizer turns into a set.
    StringSet(Vec<String>),
}

impl Node {
    fn children(&self) -> Vec<&Node> {
        match self {
            Node::Nil
            | Node::Bool(_)
            | Node::Int(_)
            | Node::Float(_)
            | Node::Str(_)
            | Node::Bytes(_)
            | Node::Ident(_)
            | Node::Pointer(_)
            | Node::StringSet(_) => Vec::new(),
            Node::Unary(_, n) | Node::Predicate(n) | Node::Chain(n) => vec![n],
            Node::Binary(_, l, r) => vec![l, r],
            Node::Member { base, prop, .. } => vec![base, prop],
            Node::Slice { base, from, to } => {
                let mut v: Vec<&Node> = vec![base];
                v.extend(from.as_deref());
                v.extend(to.as_deref());
                v
            }
            Node::Call { callee, args } => std::iter::once(&**callee).chain(args).collect(),
            Node::Builtin { args, .. } | Node::Array(args) | Node::Sequence(args) => args.iter().collect(),
            Node::Conditional { cond, yes, no } => vec![cond, yes, no],
            Node::Map(pairs) => pairs.iter().flat_map(|(k, v)| [k, v]).collect(),
            Node::Let { value, body, .. } => vec![value, body],
        }
    }

    pub(super) fn children_mut(&mut self) -> Vec<&mut Node> {
        match self {
            Node::Nil
            | Node::Bool(_)
            | Node::Int(_)
            | Node::Float(_)
            | Node::Str(_)
            | Node::Bytes(_)
            | Node::Ident(_)
            | Node::Pointer(_)
            | Node::StringSet(_) => Vec::new(),
            Node::Unary(_, n) | Node::Predicate(n) | Node::Chain(n) => vec![&mut **n],
            Node::Binary(_, l, r) => vec![&mut **l, &mut **r],
            Node::Member { base, prop, .. } => vec![&mut **base, &mut **prop],
            Node::Slice { base, from, to } => {
                let mut v: Vec<&mut Node> = vec![&mut **base];
                v.extend(from.as_deref_mut());
                v.extend(to.as_deref_mut());
                v
            }
            Node::Call { callee, args } => std::iter::once(&mut **callee).chain(args.iter_mut()).collect(),
            Node::Builtin { args, .. } | Node::Array(args) | Node::Sequence(args) => args.iter_mut().collect(),
            Node::Conditional { cond, yes, no } => vec![&mut **cond, &mut **yes, &mut **no],
            Node::Map(pairs) => pairs.iter_mut().flat_map(|(k, v)| [k, v]).collect(),
            Node::Let { value, body, .. } => vec![&mut **value, &mut **body],
        }
    }

    pub(super) fn depth(&self) -> usize {
        1 + self.children().into_iter().map(Node::depth).max().unwrap_or(0)
    }
}

/// Builtins that take a predicate, and the shape of their arguments: (is a predicate, optional).
pub(super) fn predicate_arguments(name: &str) -> Option<&'static [(bool, bool)]> {
    const EXPR: (bool, bool) = (false, false);
    const PREDICATE: (bool, bool) = (true, false);
    const OPTIONAL_PREDICATE: (bool, bool) = (true, true);
    const OPTIONAL_EXPR: (bool, bool) = (false, true);
    match name {
        "all" | "none" | "any" | "one" | "filter" | "map" | "find" | "findIndex" | "findLast" | "findLastIndex"
        | "groupBy" => Some(&[EXPR, PREDICATE]),
        "count" | "sum" => Some(&[EXPR, OPTIONAL_PREDICATE]),
        "sortBy" | "reduce" => Some(&[EXPR, PREDICATE, OPTIONAL_EXPR]),
        _ => None,
    }
}

/// Go expr's builtin functions.
pub(super) fn is_builtin(name: &str) -> bool {
    predicate_arguments(name).is_some()
        || matches!(
            name,
            "len"
                | "type"
                | "abs"
                | "ceil"
                | "floor"
                | "round"
                | "int"
                | "float"
                | "string"
                | "trim"
                | "trimPrefix"
                | "trimSuffix"
                | "upper"
                | "lower"
                | "split"
                | "splitAfter"
                | "replace"
                | "repeat"
                | "join"
                | "indexOf"
                | "lastIndexOf"
                | "hasPrefix"
                | "hasSuffix"
                | "max"
                | "min"
                | "mean"
                | "median"
                | "toJSON"
                | "fromJSON"
                | "toBase64"
                | "fromBase64"
                | "now"
                | "duration"
                | "date"
                | "timezone"
                | "first"
                | "last"
                | "get"
                | "take"
                | "keys"
                | "values"
                | "toPairs"
                | "fromPairs"
                | "reverse"
                | "uniq"
                | "concat"
                | "flatten"
                | "sort"
                | "bitand"
                | "bitor"
                | "bitxor"
                | "bitnand"
                | "bitnot"
                | "bitshl"
                | "bitshr"
                | "bitushr"
        )
}
