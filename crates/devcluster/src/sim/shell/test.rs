//! `test` / `[ ]`: string and integer comparisons, `-z`/`-n`, `!`.

/// The exit status of `test args`, or why the arguments cannot be read.
pub(super) fn eval(args: &[String]) -> Result<i32, String> {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    truth(&a).map(|t| i32::from(!t))
}

fn truth(a: &[&str]) -> Result<bool, String> {
    match a {
        [] => Ok(false),
        ["!", rest @ ..] => truth(rest).map(|t| !t),
        [s] => Ok(!s.is_empty()),
        ["-z", s] => Ok(s.is_empty()),
        ["-n", s] => Ok(!s.is_empty()),
        [op, _] if op.len() == 2 && op.starts_with('-') => Err(format!(
            "test: `{op}` is not supported (the dev cluster's containers have no files to test)"
        )),
        [x, "=" | "==", y] => Ok(x == y),
        [x, "!=", y] => Ok(x != y),
        [x, op @ ("-eq" | "-ne" | "-lt" | "-le" | "-gt" | "-ge"), y] => {
            let n = |s: &str| {
                s.trim()
                    .parse::<i64>()
                    .map_err(|_| format!("test: {s}: integer expression expected"))
            };
            let (x, y) = (n(x)?, n(y)?);
            Ok(match *op {
                "-eq" => x == y,
                "-ne" => x != y,
                "-lt" => x < y,
                "-le" => x <= y,
                "-gt" => x > y,
                _ => x >= y,
            })
        }
        [x, "-a", y] => Ok(truth(&[x])? && truth(&[y])?),
        [x, "-o", y] => Ok(truth(&[x])? || truth(&[y])?),
        _ => Err(format!("test: cannot read `{}`", a.join(" "))),
    }
}
