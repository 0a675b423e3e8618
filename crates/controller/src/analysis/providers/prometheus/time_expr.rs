//! The `rangeQuery.start` / `end` language: the part of upstream's expression language that yields a
//! time. Supported: `now()`, `duration("5m")` (Go durations), `date("2023-08-14 00:00:00")`,
//! `date(value, layout[, timezone])` with Go layouts, parentheses, and `+` / `-` between times and
//! durations. Errors read like upstream's where the cause is the same (`time: invalid duration "??"`).

use jiff::Timestamp;
use jiff::tz::TimeZone;
use rollouts_api::gofmt::go_quote;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Value {
    Time(Timestamp),
    /// Nanoseconds.
    Duration(i64),
}

/// Evaluates `expression` with `now()` = `now`; the result must be a time.
pub fn eval(expression: &str, now: Timestamp) -> Result<Timestamp, String> {
    let mut parser = Parser {
        text: expression,
        pos: 0,
        now,
    };
    parser.skip_space();
    if parser.at_end() {
        return Err("unexpected token EOF".to_string());
    }
    let value = parser.sum()?;
    parser.skip_space();
    if !parser.at_end() {
        return Err(format!(
            "unexpected token {} (1:{})",
            go_quote(&parser.text[parser.pos..]),
            parser.pos + 1
        ));
    }
    match value {
        Value::Time(t) => Ok(t),
        Value::Duration(_) => Err("expected time.Time, but got time.Duration".to_string()),
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    now: Timestamp,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        self.text.get(self.pos..).unwrap_or_default()
    }

    fn at_end(&self) -> bool {
        self.rest().is_empty()
    }

    fn skip_space(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.text.len() - trimmed.len();
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn sum(&mut self) -> Result<Value, String> {
        let mut left = self.term()?;
        loop {
            let op = if self.eat("+") {
                '+'
            } else if self.eat("-") {
                '-'
            } else {
                return Ok(left);
            };
            let right = self.term()?;
            left = combine(left, op, right)?;
        }
    }

    fn term(&mut self) -> Result<Value, String> {
        if self.eat("(") {
            let value = self.sum()?;
            if !self.eat(")") {
                return Err("unexpected token EOF, expected )".to_string());
            }
            return Ok(value);
        }
        self.skip_space();
        let name: String = self
            .rest()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            let found = self
                .rest()
                .chars()
                .next()
                .map_or_else(|| "EOF".to_string(), String::from);
            return Err(format!("unexpected token {}", go_quote(&found)));
        }
        self.pos += name.len();
        if !self.eat("(") {
            return Err(format!("unknown name {name}"));
        }
        let mut args = Vec::new();
        if !self.eat(")") {
            loop {
                args.push(self.string()?);
                if self.eat(")") {
                    break;
                }
                if !self.eat(",") {
                    return Err(format!("unexpected token in the arguments of {name}()"));
                }
            }
        }
        match (name.as_str(), args.as_slice()) {
            ("now", []) => Ok(Value::Time(self.now)),
            ("duration", [d]) => rollouts_api::duration::parse_nanos(d)
                .map(Value::Duration)
                .map_err(|e| e.to_string()),
            ("date", [value]) => date_any(value).map(Value::Time),
            ("date", [value, layout]) => date_layout(value, layout, &TimeZone::UTC).map(Value::Time),
            ("date", [value, layout, zone]) => {
                let tz = TimeZone::get(zone).map_err(|_| format!("unknown time zone {zone}"))?;
                date_layout(value, layout, &tz).map(Value::Time)
            }
            ("now" | "duration" | "date", _) => Err(format!("invalid number of arguments for {name}()")),
            _ => Err(format!("unknown func {name}")),
        }
    }

    /// A string literal in double quotes, single quotes or backquotes.
    fn string(&mut self) -> Result<String, String> {
        self.skip_space();
        let mut chars = self.rest().char_indices();
        let Some((_, quote)) = chars.next().filter(|(_, c)| matches!(c, '"' | '\'' | '`')) else {
            return Err("expected a string argument".to_string());
        };
        let mut out = String::new();
        let mut escaped = false;
        for (i, c) in chars {
            if escaped {
                out.push(match c {
                    'n' => '\n',
                    't' => '\t',
                    other => other,
                });
                escaped = false;
            } else if c == '\\' && quote != '`' {
                escaped = true;
            } else if c == quote {
                self.pos += i + 1;
                return Ok(out);
            } else {
                out.push(c);
            }
        }
        Err("literal not terminated".to_string())
    }
}

fn combine(left: Value, op: char, right: Value) -> Result<Value, String> {
    let shift = |t: Timestamp, nanos: i64| {
        t.checked_add(jiff::SignedDuration::from_nanos(nanos))
            .map_err(|e| format!("time out of range: {e}"))
    };
    match (left, op, right) {
        (Value::Time(t), '+', Value::Duration(d)) | (Value::Duration(d), '+', Value::Time(t)) => {
            shift(t, d).map(Value::Time)
        }
        (Value::Time(t), '-', Value::Duration(d)) => shift(t, d.saturating_neg()).map(Value::Time),
        (Value::Duration(a), '+', Value::Duration(b)) => Ok(Value::Duration(a.saturating_add(b))),
        (Value::Duration(a), '-', Value::Duration(b)) => Ok(Value::Duration(a.saturating_sub(b))),
        (Value::Time(a), '-', Value::Time(b)) => {
            let nanos = a.as_nanosecond().saturating_sub(b.as_nanosecond());
            Ok(Value::Duration(i64::try_from(nanos).unwrap_or(i64::MAX)))
        }
        (l, op, r) => Err(format!("invalid operation: {} {op} {}", type_name(l), type_name(r))),
    }
}

fn type_name(v: Value) -> &'static str {
    match v {
        Value::Time(_) => "time.Time",
        Value::Duration(_) => "time.Duration",
    }
}

/// `date(value)`: the layouts upstream's language tries, in order (no zone means UTC).
fn date_any(value: &str) -> Result<Timestamp, String> {
    const LAYOUTS: [&str; 7] = [
        "2006-01-02",
        "15:04:05",
        "2006-01-02 15:04:05",
        "2006-01-02T15:04:05Z07:00",
        "02 Jan 06 15:04 MST",
        "Monday, 02-Jan-06 15:04:05 MST",
        "Mon, 02 Jan 2006 15:04:05 MST",
    ];
    LAYOUTS
        .iter()
        .find_map(|layout| date_layout(value, layout, &TimeZone::UTC).ok())
        .ok_or_else(|| format!("invalid date {value}"))
}

/// `value` read with a Go layout; times without an offset are in `tz`.
fn date_layout(value: &str, layout: &str, tz: &TimeZone) -> Result<Timestamp, String> {
    let (format, has_offset) = strptime_format(layout)?;
    let parsed = jiff::fmt::strtime::parse(&format, value)
        .map_err(|e| format!("parsing time {} as {}: {e}", go_quote(value), go_quote(layout)))?;
    if has_offset {
        return parsed
            .to_timestamp()
            .map_err(|e| format!("parsing time {}: {e}", go_quote(value)));
    }
    let date = parsed.to_date().or_else(|_| jiff::civil::Date::new(0, 1, 1));
    let date = date.map_err(|e| e.to_string())?;
    let time = parsed.to_time().unwrap_or(jiff::civil::Time::midnight());
    date.to_datetime(time)
        .to_zoned(tz.clone())
        .map(|z| z.timestamp())
        .map_err(|e| format!("parsing time {}: {e}", go_quote(value)))
}

/// Translates a Go layout into a `strptime` format; also says whether it reads an offset.
fn strptime_format(layout: &str) -> Result<(String, bool), String> {
    // Longest tokens first, so that `2006` wins over `2` and `January` over `Jan`.
    const TOKENS: [(&str, &str, bool); 22] = [
        ("Z07:00", "%:z", true),
        ("-07:00", "%:z", true),
        ("-0700", "%z", true),
        ("Z0700", "%z", true),
        ("January", "%B", false),
        ("Monday", "%A", false),
        ("2006", "%Y", false),
        (".000000000", "%.9f", false),
        (".000000", "%.6f", false),
        (".000", "%.3f", false),
        ("Jan", "%b", false),
        ("Mon", "%a", false),
        ("MST", "%Z", false),
        ("01", "%m", false),
        ("02", "%d", false),
        ("03", "%I", false),
        ("04", "%M", false),
        ("05", "%S", false),
        ("06", "%y", false),
        ("15", "%H", false),
        ("PM", "%p", false),
        ("_2", "%e", false),
    ];
    let mut out = String::new();
    let mut has_offset = false;
    let mut rest = layout;
    'outer: while !rest.is_empty() {
        for (token, directive, offset) in TOKENS {
            if let Some(after) = rest.strip_prefix(token) {
                out.push_str(directive);
                has_offset |= offset;
                rest = after;
                continue 'outer;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            if c == '%' {
                out.push_str("%%");
            } else {
                out.push(c);
            }
        }
        rest = chars.as_str();
    }
    if out.contains("%Z") {
        return Err(format!(
            "time zone abbreviations are not supported in date layouts ({layout})"
        ));
    }
    Ok((out, has_offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_times_evaluate_like_upstream() {
        let now: Timestamp = "2023-08-14T12:00:00Z".parse().unwrap();
        let eval = |e: &str| eval(e, now).map(|t| t.to_string());
        assert_eq!(eval("now()").unwrap(), "2023-08-14T12:00:00Z");
        assert_eq!(eval(r#"now() - duration("5m")"#).unwrap(), "2023-08-14T11:55:00Z");
        assert_eq!(eval("now() + duration('1h30m')").unwrap(), "2023-08-14T13:30:00Z");
        assert_eq!(
            eval(r#"date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "UTC") - duration("1h")"#).unwrap(),
            "2023-08-13T23:00:00Z"
        );
        assert_eq!(eval(r#"date("2023-08-14")"#).unwrap(), "2023-08-14T00:00:00Z");
        assert_eq!(
            eval(r#"date("2023-08-14T02:00:00+02:00")"#).unwrap(),
            "2023-08-14T00:00:00Z"
        );
        assert_eq!(
            eval(r#"now() - (duration("1h") + duration("1h"))"#).unwrap(),
            "2023-08-14T10:00:00Z"
        );
        assert_eq!(
            eval(r#"now() - duration("??")"#).unwrap_err(),
            r#"time: invalid duration "??""#
        );
        assert_eq!(
            eval(r#"duration("1h")"#).unwrap_err(),
            "expected time.Time, but got time.Duration"
        );
        assert!(eval("").is_err());
        assert!(eval("now() * 2").is_err());
        assert!(eval("later()").is_err());
    }
}
