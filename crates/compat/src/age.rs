//! Kubernetes' human-readable ages (`5m12s`, `3h`, `2d`): apimachinery's `duration.HumanDuration`, which
//! every AGE column of `kubectl get` and the plugin's ages show.

const SECOND: i128 = 1_000_000_000;
const MINUTE: i128 = 60 * SECOND;
const HOUR: i128 = 60 * MINUTE;

/// A duration (in nanoseconds, may be negative) with ~2–3 significant figures, exactly as
/// Kubernetes renders ages: seconds below 2m, `XmYs` below 10m, minutes below 3h, `XhYm` below
/// 8h, hours below 2d, `XdYh` below 8d, days below 2y, `XyYd` below 8y, then years. Up to one
/// second in the future counts as `0s`; further is `<invalid>`.
pub fn human_duration(nanos: i128) -> String {
    let seconds = nanos / SECOND;
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = nanos / MINUTE;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = nanos / HOUR;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: i128) -> String {
        human_duration(s * SECOND)
    }

    #[test]
    fn human_duration_table() {
        let m = 60;
        let h = 60 * m;
        let d = 24 * h;
        let y = 365 * d;
        for (input, want) in [
            (0, "0s"),
            (1, "1s"),
            (59, "59s"),
            (60, "60s"),
            (119, "119s"),
            (2 * m, "2m"),
            (2 * m + 5, "2m5s"),
            (9 * m + 59, "9m59s"),
            (10 * m, "10m"),
            (10 * m + 30, "10m"),
            (h, "60m"),
            (h + 30 * m, "90m"),
            (3 * h - 1, "179m"),
            (3 * h, "3h"),
            (3 * h + 5 * m, "3h5m"),
            (7 * h + 59 * m, "7h59m"),
            (8 * h, "8h"),
            (47 * h, "47h"),
            (2 * d, "2d"),
            (2 * d + 3 * h, "2d3h"),
            (7 * d + 23 * h, "7d23h"),
            (8 * d, "8d"),
            (400 * d, "400d"),
            (2 * y - 1, "729d"),
            (2 * y, "2y"),
            (2 * y + d, "2y1d"),
            (7 * y + 364 * d, "7y364d"),
            (8 * y, "8y"),
            (20 * y + 100 * d, "20y"),
            (-1, "0s"),
            (-2, "<invalid>"),
        ] {
            assert_eq!(secs(input), want, "{input}s");
        }
        assert_eq!(human_duration(-1_999_999_999), "0s");
        assert_eq!(human_duration(-2_000_000_000), "<invalid>");
        assert_eq!(human_duration(59 * SECOND + SECOND / 2), "59s");
    }
}
