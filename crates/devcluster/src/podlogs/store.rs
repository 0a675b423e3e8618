//! The in-memory log of every pod, with followers.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

use jiff::Timestamp;
use tokio::sync::broadcast;

/// Lines kept per pod; older ones are dropped first.
pub const LINES_PER_POD: usize = 1000;

/// Pods whose logs are kept; beyond this the longest-silent pod's log is dropped.
const PODS_KEPT: usize = 20_000;

/// One line of a pod's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// When it was written.
    pub at: Timestamp,
    /// The text, without a line break.
    pub text: String,
}

/// Which lines a reader wants (the `pods/log` query's `tailLines`, `sinceSeconds`/`sinceTime`,
/// `timestamps`, `limitBytes`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogQuery {
    /// Only the last this many lines.
    pub tail_lines: Option<usize>,
    /// Only lines written at or after this time.
    pub since: Option<Timestamp>,
    /// Prefix each line with its RFC 3339 time.
    pub timestamps: bool,
    /// Stop after this many bytes.
    pub limit_bytes: Option<usize>,
}

impl LogQuery {
    /// A line as the reader gets it, with its line break.
    pub fn render(&self, line: &LogLine) -> String {
        if self.timestamps {
            format!("{} {}\n", line.at, line.text)
        } else {
            format!("{}\n", line.text)
        }
    }
}

#[derive(Debug)]
struct PodLog {
    /// The pod's uid: a pod re-created under the same name starts a new log.
    uid: String,
    lines: VecDeque<LogLine>,
    followers: Option<broadcast::Sender<LogLine>>,
    last_write: Timestamp,
}

/// Every pod's log, keyed by namespace and name.
#[derive(Debug, Default)]
pub struct PodLogs {
    pods: Mutex<HashMap<(String, String), PodLog>>,
}

impl PodLogs {
    /// Appends a line to the log of the pod `namespace/name` with `uid`.
    pub fn append(&self, namespace: &str, name: &str, uid: &str, at: Timestamp, text: &str) {
        let mut pods = self.pods.lock().unwrap_or_else(PoisonError::into_inner);
        let key = (namespace.to_string(), name.to_string());
        if !pods.contains_key(&key) && pods.len() >= PODS_KEPT {
            let oldest = pods
                .iter()
                .min_by_key(|(_, log)| log.last_write)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                pods.remove(&oldest);
            }
        }
        let log = pods.entry(key).or_insert_with(|| PodLog {
            uid: uid.to_string(),
            lines: VecDeque::new(),
            followers: None,
            last_write: at,
        });
        if log.uid != uid {
            log.uid = uid.to_string();
            log.lines.clear();
        }
        let line = LogLine {
            at,
            text: text.to_string(),
        };
        if log.lines.len() == LINES_PER_POD {
            log.lines.pop_front();
        }
        log.lines.push_back(line.clone());
        log.last_write = at;
        if let Some(followers) = &log.followers {
            // No follower left is fine: the next follow subscribes again.
            let _ = followers.send(line);
        }
    }

    /// The lines of the pod with `uid` that `query` selects, and (when `follow`) a receiver of the lines
    /// written after them.
    pub fn read(
        &self,
        namespace: &str,
        name: &str,
        uid: &str,
        query: &LogQuery,
        follow: bool,
    ) -> (Vec<LogLine>, Option<broadcast::Receiver<LogLine>>) {
        let mut pods = self.pods.lock().unwrap_or_else(PoisonError::into_inner);
        let key = (namespace.to_string(), name.to_string());
        let log = match pods.get_mut(&key) {
            Some(log) if log.uid == uid => log,
            _ if follow => pods
                .entry(key)
                .insert_entry(PodLog {
                    uid: uid.to_string(),
                    lines: VecDeque::new(),
                    followers: None,
                    last_write: Timestamp::now(),
                })
                .into_mut(),
            _ => return (Vec::new(), None),
        };
        let mut selected: Vec<LogLine> = log
            .lines
            .iter()
            .filter(|l| query.since.is_none_or(|since| l.at >= since))
            .cloned()
            .collect();
        if let Some(tail) = query.tail_lines {
            let skip = selected.len().saturating_sub(tail);
            selected.drain(..skip);
        }
        let receiver = follow.then(|| {
            log.followers
                .get_or_insert_with(|| broadcast::channel(LINES_PER_POD).0)
                .subscribe()
        });
        (selected, receiver)
    }

    /// Forgets the log of `namespace/name` (its pod is gone).
    pub fn remove(&self, namespace: &str, name: &str) {
        self.pods
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&(namespace.to_string(), name.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + secs).unwrap()
    }

    fn texts(lines: &[LogLine]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn lines_are_read_back_in_order_with_tail_and_since() {
        let logs = PodLogs::default();
        for i in 0..5 {
            logs.append("default", "web-1", "u1", at(i), &format!("line {i}"));
        }
        let all = logs.read("default", "web-1", "u1", &LogQuery::default(), false).0;
        assert_eq!(texts(&all), ["line 0", "line 1", "line 2", "line 3", "line 4"]);
        let tail = LogQuery {
            tail_lines: Some(2),
            ..LogQuery::default()
        };
        assert_eq!(
            texts(&logs.read("default", "web-1", "u1", &tail, false).0),
            ["line 3", "line 4"]
        );
        let since = LogQuery {
            since: Some(at(3)),
            tail_lines: Some(10),
            ..LogQuery::default()
        };
        assert_eq!(
            texts(&logs.read("default", "web-1", "u1", &since, false).0),
            ["line 3", "line 4"]
        );
        assert!(
            logs.read("default", "web-2", "u9", &LogQuery::default(), false)
                .0
                .is_empty()
        );
    }

    #[test]
    fn a_pod_keeps_its_last_lines_only() {
        let logs = PodLogs::default();
        for i in 0..LINES_PER_POD + 3 {
            logs.append("ns", "p", "u", at(0), &i.to_string());
        }
        let all = logs.read("ns", "p", "u", &LogQuery::default(), false).0;
        assert_eq!(all.len(), LINES_PER_POD);
        assert_eq!(all[0].text, "3");
    }

    #[test]
    fn a_pod_re_created_under_the_same_name_starts_a_new_log() {
        let logs = PodLogs::default();
        logs.append("ns", "p", "old", at(0), "from the old pod");
        assert!(logs.read("ns", "p", "new", &LogQuery::default(), false).0.is_empty());
        logs.append("ns", "p", "new", at(1), "from the new pod");
        assert_eq!(
            texts(&logs.read("ns", "p", "new", &LogQuery::default(), false).0),
            ["from the new pod"]
        );
        logs.remove("ns", "p");
        assert!(logs.read("ns", "p", "new", &LogQuery::default(), false).0.is_empty());
    }

    #[test]
    fn followers_get_the_lines_written_after_they_read() {
        let logs = PodLogs::default();
        logs.append("ns", "p", "u", at(0), "before");
        let (before, follower) = logs.read("ns", "p", "u", &LogQuery::default(), true);
        assert_eq!(texts(&before), ["before"]);
        let mut follower = follower.unwrap();
        logs.append("ns", "p", "u", at(1), "after");
        assert_eq!(follower.try_recv().unwrap().text, "after");
    }

    #[test]
    fn timestamps_prefix_each_line_in_rfc3339() {
        let query = LogQuery {
            timestamps: true,
            ..LogQuery::default()
        };
        let line = LogLine {
            at: at(0),
            text: "200 - yellow".into(),
        };
        assert_eq!(query.render(&line), "2023-11-14T22:13:20Z 200 - yellow\n");
        assert_eq!(LogQuery::default().render(&line), "200 - yellow\n");
    }
}
