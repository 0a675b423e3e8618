//! The values of quoted literals: Go's escapes, decoded once the lexer has validated them.

/// One unescaped element of a quoted literal: a character, or a byte from `\x..` / octal escapes.
enum Unescaped {
    Char(char),
    Byte(u8),
}

/// Decodes the escapes of a quoted literal (already validated by the lexer), with Go's newline
/// normalisation (`\r\n` and `\r` become `\n`).
fn unescape_parts(raw: &[char]) -> Result<Vec<Unescaped>, String> {
    let bad = || "unable to unescape string".to_string();
    let mut out = Vec::new();
    let mut i = 0;
    let hex = |from: usize, n: usize| -> Result<u32, String> {
        let digits: String = raw.get(from..from + n).ok_or_else(bad)?.iter().collect();
        u32::from_str_radix(&digits, 16).map_err(|_| bad())
    };
    while let Some(&c) = raw.get(i) {
        i += 1;
        if c == '\r' {
            if raw.get(i) == Some(&'\n') {
                i += 1;
            }
            out.push(Unescaped::Char('\n'));
            continue;
        }
        if c != '\\' {
            out.push(Unescaped::Char(c));
            continue;
        }
        let Some(&e) = raw.get(i) else { return Err(bad()) };
        i += 1;
        let simple = match e {
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            'f' => Some('\u{c}'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\u{b}'),
            '\\' | '\'' | '"' | '`' | '?' => Some(e),
            _ => None,
        };
        if let Some(s) = simple {
            out.push(Unescaped::Char(s));
            continue;
        }
        match e {
            '0'..='7' => {
                let digits: String = raw.get(i - 1..i + 2).ok_or_else(bad)?.iter().collect();
                i += 2;
                let v = u32::from_str_radix(&digits, 8).map_err(|_| bad())?;
                out.push(Unescaped::Byte(u8::try_from(v).map_err(|_| bad())?));
            }
            'x' | 'X' => {
                let v = hex(i, 2)?;
                i += 2;
                out.push(Unescaped::Byte(u8::try_from(v).map_err(|_| bad())?));
            }
            'u' if raw.get(i) == Some(&'{') => {
                let close = raw
                    .get(i..)
                    .and_then(|r| r.iter().position(|&c| c == '}'))
                    .ok_or_else(bad)?;
                let v = hex(i + 1, close - 1)?;
                i += close + 1;
                out.push(Unescaped::Char(char::from_u32(v).ok_or_else(bad)?));
            }
            'u' | 'U' => {
                let n = if e == 'u' { 4 } else { 8 };
                let v = hex(i, n)?;
                i += n;
                out.push(Unescaped::Char(char::from_u32(v).ok_or_else(bad)?));
            }
            _ => return Err(bad()),
        }
    }
    Ok(out)
}

/// A string literal's value. A byte escape above 0x7f cannot stand alone in a Rust string; it becomes
/// the character of the same number.
pub(super) fn unescape(raw: &[char]) -> Result<Vec<char>, String> {
    Ok(unescape_parts(raw)?
        .into_iter()
        .map(|p| match p {
            Unescaped::Char(c) => c,
            Unescaped::Byte(b) => char::from(b),
        })
        .collect())
}

pub(super) fn unescape_bytes(raw: &[char]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for part in unescape_parts(raw)? {
        match part {
            Unescaped::Char(c) => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            Unescaped::Byte(b) => out.push(b),
        }
    }
    Ok(out)
}
