//! `kubectl argo rollouts get rollout --watch` while the API server fails or goes away: the view says it
//! is reconnecting (one line, however many retries), and once the server answers again it shows the
//! rollout as it is now, without that line.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use crate::common;

use std::io::Read;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};

use common::{Env, manifests, wait_for};
use rollouts_devcluster::faults::{FaultRule, FaultSettings};
use rollouts_devcluster::testing::{TestCluster, fast_simulation};

fn rollout() -> String {
    manifests::rollout("demo", Some(1), "{canary: {steps: [{setWeight: 50}, {pause: {}}]}}")
}

const CLEAR_SCREEN: &str = "\x1b[H\x1b[2J\x1b[0;0H";
const RECONNECTING: &str = "Connection to the API server lost; reconnecting...";
const NAME_LINE: &str = "Name:            demo";
const PAUSED_LINE: &str = "Status:          ॥ Paused";

/// `get rollout demo --watch` running, its output collected as it comes; killed on drop.
struct Watching {
    child: Child,
    output: Arc<Mutex<String>>,
}

impl Watching {
    fn start(env: &Env) -> Watching {
        let mut child = env
            .plugin_command(&[
                "get",
                "rollout",
                "demo",
                "--watch",
                "--no-color",
                "--timeout-seconds",
                "60",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let output = Arc::new(Mutex::new(String::new()));
        let collected = Arc::clone(&output);
        std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                collected
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&chunk[..n]));
            }
        });
        Watching { child, output }
    }

    /// The complete frames drawn so far (the last one may still be arriving, so it is left out).
    fn frames(&self) -> Vec<String> {
        let output = self.output.lock().unwrap().clone();
        let mut frames: Vec<String> = output
            .split(CLEAR_SCREEN)
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect();
        if !output.ends_with('\n') {
            frames.pop();
        }
        frames
    }

    /// Waits for a frame, after the first `after` frames, that `wanted` accepts; returns its index.
    fn wait_for_frame(&self, after: usize, what: &str, wanted: impl Fn(&str) -> bool) -> usize {
        wait_for(20, what, || {
            let frames = self.frames();
            (after..frames.len()).find(|&i| wanted(&frames[i]))
        })
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The notice is on its own line under the whole tree, once.
fn assert_one_notice(frame: &str) {
    assert_eq!(frame.matches(RECONNECTING).count(), 1, "{frame}");
    assert!(frame.contains(NAME_LINE), "the last view stays on screen: {frame}");
    let last = frame.trim_end().lines().last().unwrap_or_default();
    assert!(last.starts_with(RECONNECTING), "{frame}");
}

fn fail_rollout_reads(env: &Env) {
    let rule = |verb: &str| FaultRule::parse(&format!("verb={verb},resource=rollouts,code=500,rate=1")).unwrap();
    let faults = &env.cluster.cluster().server.faults;
    faults.set(FaultSettings {
        rules: vec![rule("list"), rule("watch")],
        latency_millis: 0,
    });
    faults.cut_watches();
}

#[test]
fn failing_watches_show_one_reconnecting_line_until_the_server_answers_again() {
    let Some(env) = Env::start("get-reconnect") else { return };
    env.apply(&rollout());
    let watching = Watching::start(&env);
    // The first frame is drawn from plain reads, the second once every watch has listed.
    let listed = watching.wait_for_frame(1, "the watched view", |f| f.contains(NAME_LINE));
    assert!(!watching.frames()[listed].contains(RECONNECTING));

    fail_rollout_reads(&env);
    let lost = watching.wait_for_frame(listed + 1, "the reconnecting notice", |f| f.contains(RECONNECTING));
    let frame = &watching.frames()[lost];
    assert_one_notice(frame);
    assert!(frame.contains("injected fault"), "the reason is shown: {frame}");
    // Changed while the watch is down (a patch still goes through): shown once it is back.
    env.plugin_ok(&["pause", "demo"]);
    std::thread::sleep(std::time::Duration::from_secs(2));

    env.cluster.cluster().server.faults.set(FaultSettings::default());
    let back = watching.wait_for_frame(lost + 1, "the view without the notice", |f| !f.contains(RECONNECTING));
    let frames = watching.frames();
    // Retries in the meantime redraw nothing new: every frame in between carries the notice once.
    for frame in &frames[lost..back] {
        assert_one_notice(frame);
    }
    assert!(frames[back].contains(NAME_LINE), "{}", frames[back]);
    watching.wait_for_frame(back, "the change made while the watch was down", |f| {
        f.contains(PAUSED_LINE) && !f.contains(RECONNECTING)
    });
}

#[test]
fn a_stopped_api_server_shows_the_reconnecting_line_until_it_is_back() {
    let Some(env) = Env::start("get-restart") else { return };
    env.apply(&rollout());
    let watching = Watching::start(&env);
    let listed = watching.wait_for_frame(1, "the watched view", |f| f.contains(NAME_LINE));

    let Env { cluster, .. } = env;
    let (dir, port) = cluster.stop();
    let lost = watching.wait_for_frame(listed + 1, "the reconnecting notice", |f| f.contains(RECONNECTING));
    assert_one_notice(&watching.frames()[lost]);

    let crds = rollouts_api::crd::all()
        .unwrap()
        .into_iter()
        .map(|(_, crd)| serde_json::to_value(crd).unwrap())
        .collect();
    let cluster = TestCluster::start_installed(&dir, port, Some(fast_simulation()), crds).unwrap();
    let env = Env::with_cluster(cluster);
    env.plugin_ok(&["pause", "demo"]);
    let back = watching.wait_for_frame(lost + 1, "the view without the notice", |f| !f.contains(RECONNECTING));
    for frame in &watching.frames()[lost..back] {
        assert_one_notice(frame);
    }
    watching.wait_for_frame(back, "the rollout as it is now", |f| {
        f.contains(PAUSED_LINE) && !f.contains(RECONNECTING)
    });
    drop(watching);
    drop(env);
}
