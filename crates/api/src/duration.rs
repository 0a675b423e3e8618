//! Go-style duration strings (from `rollouts-compat`), and the seconds of a canary pause, which may be
//! given as an integer or a string.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

pub use rollouts_compat::duration::*;

/// Seconds of a canary `pause.duration`, with upstream's rule: an integer is seconds, a string holding
/// a 32-bit integer is seconds too, anything else is a Go duration truncated to whole seconds.
/// Negative values are returned as they are; deciding that they are invalid is validation's job.
pub fn pause_seconds(duration: &IntOrString) -> Result<i64, DurationError> {
    match duration {
        IntOrString::Int(seconds) => Ok(i64::from(*seconds)),
        IntOrString::String(s) => pause_string_seconds(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pause_seconds_follow_upstream_rules() {
        let cases: &[(IntOrString, Result<i64, ()>)] = &[
            (IntOrString::Int(10), Ok(10)),
            (IntOrString::Int(-3), Ok(-3)),
            (IntOrString::String("10".into()), Ok(10)),
            (IntOrString::String("+10".into()), Ok(10)),
            (IntOrString::String("-10".into()), Ok(-10)),
            (IntOrString::String("1h".into()), Ok(3600)),
            (IntOrString::String("1m30s".into()), Ok(90)),
            (IntOrString::String("1.9s".into()), Ok(1)),
            (IntOrString::String("500ms".into()), Ok(0)),
            (IntOrString::String("-1.5s".into()), Ok(-1)),
            // Beyond 32 bits a plain number is no longer seconds: Go then wants a unit.
            (IntOrString::String("3000000000".into()), Err(())),
            (IntOrString::String("abc".into()), Err(())),
            (IntOrString::String(String::new()), Err(())),
            (IntOrString::String(" 10".into()), Err(())),
        ];
        for (input, want) in cases {
            assert_eq!(pause_seconds(input).map_err(|_| ()), *want, "{input:?}");
        }
    }
}
