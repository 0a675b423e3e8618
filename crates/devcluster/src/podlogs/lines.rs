//! The lines the dev cluster writes into a pod's log when the simulated kubelet changes its status.

use serde_json::Value;

/// The lines for a pod whose status goes from `old_pod`'s to `new_status`: a container that starts
/// (with the command it runs, as a shell's trace would print it), exits or restarts, and the pod
/// becoming Ready or not Ready.
pub fn transition(old_pod: &Value, new_status: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    let old_status = &old_pod["status"];
    for new in statuses(new_status) {
        let name = new["name"].as_str().unwrap_or_default();
        let old = statuses(old_status).find(|c| c["name"] == name);
        let old_state = old.map(|c| &c["state"]);
        let started = new["state"]["running"]["startedAt"].as_str();
        if started.is_some() && old_state.and_then(|s| s["running"]["startedAt"].as_str()) != started {
            // The image as the pod names it (the status holds the registry's normalised form).
            let image = spec_of(old_pod, name)
                .and_then(|c| c["image"].as_str())
                .or_else(|| new["image"].as_str())
                .unwrap_or_default();
            lines.push(format!("Started container {name} (image {image})"));
            if let Some(command) = command_line(old_pod, name) {
                lines.push(format!("+ {command}"));
            }
        }
        let finished = new["state"]["terminated"]["finishedAt"].as_str();
        if finished.is_some() && old_state.and_then(|s| s["terminated"]["finishedAt"].as_str()) != finished {
            let code = new["state"]["terminated"]["exitCode"].as_i64().unwrap_or_default();
            let reason = new["state"]["terminated"]["reason"].as_str().unwrap_or("Completed");
            // What a shell prints when it cannot run a statement comes before its exit.
            if let Some(message) = new["state"]["terminated"]["message"].as_str() {
                lines.push(message.to_string());
            }
            lines.push(format!("Container {name} exited with code {code} ({reason})"));
        }
    }
    match (is_ready(old_status), is_ready(new_status)) {
        (false, true) => lines.push("Ready".to_string()),
        (true, false) => lines.push("Not ready".to_string()),
        _ => {}
    }
    lines
}

fn statuses(status: &Value) -> impl Iterator<Item = &Value> {
    ["initContainerStatuses", "containerStatuses"]
        .into_iter()
        .filter_map(|field| status[field].as_array())
        .flatten()
}

fn is_ready(status: &Value) -> bool {
    status["conditions"]
        .as_array()
        .is_some_and(|cs| cs.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"))
}

/// The spec of the pod's container `name`.
fn spec_of<'p>(pod: &'p Value, name: &str) -> Option<&'p Value> {
    ["initContainers", "containers"]
        .into_iter()
        .filter_map(|field| pod["spec"][field].as_array())
        .flatten()
        .find(|c| c["name"] == name)
}

/// The container's `command` and `args` as one line, when it names any.
fn command_line(pod: &Value, container: &str) -> Option<String> {
    let spec = spec_of(pod, container)?;
    let words: Vec<&str> = ["command", "args"]
        .into_iter()
        .filter_map(|field| spec[field].as_array())
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(status: Value) -> Value {
        json!({
            "spec": {"containers": [{"name": "job", "image": "busybox", "command": ["sh", "-c"], "args": ["sleep 5; exit 1"]}]},
            "status": status,
        })
    }

    fn running(started: &str, ready: bool) -> Value {
        json!({
            "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}],
            "containerStatuses": [{"name": "job", "image": "busybox", "state": {"running": {"startedAt": started}}}],
        })
    }

    #[test]
    fn a_start_logs_the_container_and_its_command() {
        let lines = transition(
            &pod(json!({"phase": "Pending"})),
            &running("2026-01-01T00:00:00Z", false),
        );
        assert_eq!(
            lines,
            ["Started container job (image busybox)", "+ sh -c sleep 5; exit 1"]
        );
    }

    #[test]
    fn readiness_changes_are_logged_once() {
        let started = running("2026-01-01T00:00:00Z", false);
        assert_eq!(
            transition(&pod(started.clone()), &running("2026-01-01T00:00:00Z", true)),
            ["Ready"]
        );
        assert_eq!(
            transition(&pod(running("2026-01-01T00:00:00Z", true)), &started),
            ["Not ready"]
        );
        assert!(transition(&pod(started.clone()), &started).is_empty());
    }

    #[test]
    fn an_exit_logs_its_code_and_a_restart_starts_again() {
        let exited = json!({
            "containerStatuses": [{"name": "job", "image": "busybox", "state": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": "2026-01-01T00:00:05Z"}}}],
        });
        assert_eq!(
            transition(&pod(running("2026-01-01T00:00:00Z", false)), &exited),
            ["Container job exited with code 1 (Error)"]
        );
        assert_eq!(
            transition(&pod(exited), &running("2026-01-01T00:00:15Z", false)),
            ["Started container job (image busybox)", "+ sh -c sleep 5; exit 1"]
        );
    }
}

#[cfg(test)]
mod message_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_termination_message_is_logged_before_the_exit() {
        let pod = json!({
            "spec": {"containers": [{"name": "job", "image": "busybox", "command": ["sh", "-c", "wrk x"]}]},
            "status": {"containerStatuses": [{"name": "job", "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}}]},
        });
        let exited = json!({"containerStatuses": [{"name": "job", "state": {"terminated": {
            "exitCode": 127, "reason": "Error", "finishedAt": "2026-01-01T00:00:01Z",
            "message": "sh: line 1: cannot run `wrk x`: `wrk` cannot run"}}}]});
        assert_eq!(
            transition(&pod, &exited),
            [
                "sh: line 1: cannot run `wrk x`: `wrk` cannot run",
                "Container job exited with code 127 (Error)"
            ]
        );
    }
}
