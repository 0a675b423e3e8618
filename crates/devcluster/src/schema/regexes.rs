//! A process-wide cache of compiled `pattern` expressions: schemas are validated many times and
//! compiling a regular expression costs far more than matching one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use regex::Regex;

/// Beyond this many distinct patterns the cache starts afresh (schemas hold a bounded set).
const MAX_ENTRIES: usize = 4096;

type Entry = Result<Arc<Regex>, String>;

fn cache() -> &'static Mutex<HashMap<String, Entry>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Entry>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The compiled form of `pattern`, or the reason it does not compile (worded like Go's regexp errors).
pub(crate) fn compiled(pattern: &str) -> Entry {
    let mut guard = match cache().lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(entry) = guard.get(pattern) {
        return entry.clone();
    }
    let entry = Regex::new(pattern).map(Arc::new).map_err(|e| describe(&e));
    if guard.len() >= MAX_ENTRIES {
        guard.clear();
    }
    guard.insert(pattern.to_string(), entry.clone());
    entry
}

/// Whether `text` contains a match of `pattern` (false when the pattern does not compile).
pub(crate) fn is_match(pattern: &str, text: &str) -> bool {
    compiled(pattern).is_ok_and(|re| re.is_match(text))
}

fn describe(err: &regex::Error) -> String {
    let text = err.to_string();
    let last = text
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with("error:"))
        .unwrap_or(text.as_str());
    let detail = last.trim().trim_start_matches("error:").trim();
    format!("error parsing regexp: {detail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_once_and_reports_errors() {
        assert!(is_match("^a+$", "aaa"));
        assert!(!is_match("^a+$", "b"));
        let a = compiled("^x$").unwrap();
        let b = compiled("^x$").unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let err = compiled("(abc").unwrap_err();
        assert!(err.starts_with("error parsing regexp: "), "{err}");
        assert!(!is_match("(abc", "abc"));
    }
}
