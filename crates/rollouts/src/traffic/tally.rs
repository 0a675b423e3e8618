//! What `rollouts traffic` counts: answers by colour (the demo image's `/color` body) and by status, and
//! how it prints them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// How one request ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// An HTTP answer: its status and body.
    Answer {
        /// The status code.
        status: u16,
        /// The body as received.
        body: String,
    },
    /// No answer: the connection failed or was cut (the reason, one line).
    Failed(String),
}

/// The counts so far.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Requests that ended.
    pub total: u64,
    /// By answer: the colour for a body that is a JSON string, `-` for any other body, `error` for no
    /// answer.
    pub answers: BTreeMap<String, u64>,
    /// By status code, `error` for no answer.
    pub statuses: BTreeMap<String, u64>,
}

impl Tally {
    /// Counts one outcome.
    pub fn add(&mut self, outcome: &Outcome) {
        self.total += 1;
        let (answer, status) = match outcome {
            Outcome::Answer { status, body } => (answer_of(body), status.to_string()),
            Outcome::Failed(_) => ("error".to_string(), "error".to_string()),
        };
        *self.answers.entry(answer).or_default() += 1;
        *self.statuses.entry(status).or_default() += 1;
    }

    /// What was counted since `earlier` (a copy of this tally taken before).
    pub fn since(&self, earlier: &Tally) -> Tally {
        let minus = |now: &BTreeMap<String, u64>, then: &BTreeMap<String, u64>| {
            now.iter()
                .map(|(k, n)| (k.clone(), n - then.get(k).copied().unwrap_or(0)))
                .filter(|(_, n)| *n > 0)
                .collect()
        };
        Tally {
            total: self.total - earlier.total,
            answers: minus(&self.answers, &earlier.answers),
            statuses: minus(&self.statuses, &earlier.statuses),
        }
    }

    /// One line for the live view of this window (the last second): elapsed seconds, the requests of
    /// the whole run, then each answer and status of the window with its share.
    pub fn line(&self, elapsed_secs: u64, run_total: u64) -> String {
        let mut out = format!("{elapsed_secs:>4}s  {run_total:>6} requests  last second:");
        for (answer, n) in sorted(&self.answers) {
            let _ = write!(out, "  {answer} {}", share(n, self.total));
        }
        out.push_str("  |");
        for (status, n) in &self.statuses {
            let _ = write!(out, "  {status} {}", share(*n, self.total));
        }
        out
    }

    /// The summary table printed at the end.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let width = self
            .answers
            .keys()
            .chain(self.statuses.keys())
            .map(String::len)
            .max()
            .unwrap_or(0)
            .max("ANSWER".len());
        let _ = writeln!(out, "{:<width$}  {:>8}  {:>6}", "ANSWER", "REQUESTS", "SHARE");
        for (answer, n) in sorted(&self.answers) {
            let _ = writeln!(out, "{answer:<width$}  {n:>8}  {:>6}", percent(n, self.total));
        }
        let _ = writeln!(out, "{:<width$}  {:>8}  {:>6}", "STATUS", "REQUESTS", "SHARE");
        for (status, n) in &self.statuses {
            let _ = writeln!(out, "{status:<width$}  {n:>8}  {:>6}", percent(*n, self.total));
        }
        out
    }
}

/// The answer a body stands for: the colour for a JSON string, else `-`.
fn answer_of(body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body.trim()) {
        Ok(serde_json::Value::String(colour)) if !colour.is_empty() => colour,
        _ => "-".to_string(),
    }
}

/// Most frequent first, then by name.
fn sorted(counts: &BTreeMap<String, u64>) -> Vec<(&str, u64)> {
    let mut all: Vec<(&str, u64)> = counts.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    all
}

fn percent(n: u64, total: u64) -> String {
    if total == 0 {
        return "-".to_string();
    }
    format!("{:.1}%", n as f64 * 100.0 / total as f64)
}

fn share(n: u64, total: u64) -> String {
    format!("{n} ({})", percent(n, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Outcome {
        Outcome::Answer {
            status,
            body: body.to_string(),
        }
    }

    #[test]
    fn colours_statuses_and_failures_are_counted_apart() {
        let mut tally = Tally::default();
        for _ in 0..8 {
            tally.add(&answer(200, "\"yellow\""));
        }
        tally.add(&answer(200, "\"blue\"\n"));
        tally.add(&answer(500, "{\"error\":\"boom\"}"));
        tally.add(&Outcome::Failed("connection refused".into()));
        assert_eq!(tally.total, 11);
        assert_eq!(tally.answers["yellow"], 8);
        assert_eq!(tally.answers["blue"], 1);
        assert_eq!(tally.answers["-"], 1);
        assert_eq!(tally.answers["error"], 1);
        assert_eq!(tally.statuses["200"], 9);
        assert_eq!(tally.statuses["500"], 1);
        assert_eq!(tally.statuses["error"], 1);
    }

    #[test]
    fn the_live_line_lists_the_most_frequent_answer_first() {
        let mut tally = Tally::default();
        tally.add(&answer(200, "\"blue\""));
        for _ in 0..3 {
            tally.add(&answer(200, "\"yellow\""));
        }
        assert_eq!(
            tally.line(7, 40),
            "   7s      40 requests  last second:  yellow 3 (75.0%)  blue 1 (25.0%)  |  200 4 (100.0%)"
        );
    }

    #[test]
    fn a_window_is_what_was_counted_since_a_copy() {
        let mut tally = Tally::default();
        tally.add(&answer(200, "\"blue\""));
        let earlier = tally.clone();
        tally.add(&answer(200, "\"green\""));
        tally.add(&answer(500, "\"green\""));
        let window = tally.since(&earlier);
        assert_eq!(window.total, 2);
        assert_eq!(window.answers.get("blue"), None);
        assert_eq!(window.answers["green"], 2);
        assert_eq!(window.statuses["500"], 1);
    }

    #[test]
    fn the_summary_is_a_table_of_answers_then_statuses() {
        let mut tally = Tally::default();
        tally.add(&answer(200, "\"yellow\""));
        tally.add(&answer(500, "oops"));
        assert_eq!(
            tally.summary(),
            "ANSWER  REQUESTS   SHARE\n\
             -              1   50.0%\n\
             yellow         1   50.0%\n\
             STATUS  REQUESTS   SHARE\n\
             200            1   50.0%\n\
             500            1   50.0%\n"
        );
    }

    #[test]
    fn nothing_counted_prints_dashes_not_a_division_by_zero() {
        let tally = Tally::default();
        assert_eq!(tally.line(0, 0), "   0s       0 requests  last second:  |");
        assert_eq!(tally.summary(), "ANSWER  REQUESTS   SHARE\nSTATUS  REQUESTS   SHARE\n");
    }
}
