//! Go's regular expressions (RE2) on the `regex` crate.

/// A Go (RE2) pattern for the `regex` crate. Go's `\d`, `\w`, `\s` and `\b` are ASCII-only; inside a
/// class RE2 reads `[` (unless it opens `[:name:]`), `&` and `~` literally where the crate would nest
/// classes or combine them; a `]` right after the opening `[` or `[^` is literal in both.
fn go_pattern(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let chars: Vec<char> = pattern.chars().collect();
    let mut in_class = false;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        i += 1;
        match c {
            '\\' => {
                let Some(&e) = chars.get(i) else {
                    out.push('\\');
                    break;
                };
                i += 1;
                let replacement = match e {
                    'd' if in_class => "0-9",
                    'd' => "[0-9]",
                    'D' => "[^0-9]",
                    'w' if in_class => "0-9A-Za-z_",
                    'w' => "[0-9A-Za-z_]",
                    'W' => "[^0-9A-Za-z_]",
                    's' if in_class => r"\t\n\f\r ",
                    's' => r"[\t\n\f\r ]",
                    'S' => r"[^\t\n\f\r ]",
                    'b' if !in_class => r"(?-u:\b)",
                    'B' if !in_class => r"(?-u:\B)",
                    _ => {
                        out.push('\\');
                        out.push(e);
                        continue;
                    }
                };
                out.push_str(replacement);
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
            }
            '[' if chars.get(i) == Some(&':') => {
                // `[:alpha:]`: copied up to its closing `:]`.
                out.push('[');
                while let Some(&p) = chars.get(i) {
                    i += 1;
                    out.push(p);
                    if p == ':' && chars.get(i) == Some(&']') {
                        out.push(']');
                        i += 1;
                        break;
                    }
                }
            }
            '[' | '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            _ => out.push(c),
        }
    }
    out
}

pub(super) fn go_regex(pattern: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(&go_pattern(pattern))
        .octal(true)
        .build()
        .map_err(|e| regex_error(pattern, &e))
}

pub(super) fn go_bytes_regex(pattern: &str) -> Result<regex::bytes::Regex, String> {
    regex::bytes::RegexBuilder::new(&go_pattern(pattern))
        .octal(true)
        .build()
        .map_err(|e| regex_error(pattern, &e))
}

fn regex_error(pattern: &str, error: &regex::Error) -> String {
    let detail = error.to_string();
    let reason = detail
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .unwrap_or(detail.trim());
    format!("error parsing regexp: {reason}: `{pattern}`")
}
