//! `rollouts crds` prints exactly the checked-in CRDs, and `--out-dir` writes them one per file.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_rollouts");

fn deploy_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/crds")
}

#[test]
fn printed_crds_are_the_checked_in_files() {
    let out = Command::new(BIN).arg("crds").output().unwrap();
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap();
    let mut expected = String::new();
    for file in [
        "rollout-crd.yaml",
        "analysis-template-crd.yaml",
        "cluster-analysis-template-crd.yaml",
        "analysis-run-crd.yaml",
        "experiment-crd.yaml",
    ] {
        expected.push_str("---\n");
        expected.push_str(&std::fs::read_to_string(deploy_dir().join(file)).unwrap());
    }
    assert!(printed == expected, "`rollouts crds` differs from deploy/crds");
}

#[test]
fn out_dir_writes_one_file_per_crd() {
    let dir = std::env::temp_dir().join(format!("rollouts-crds-{}", std::process::id()));
    let status = Command::new(BIN)
        .args(["crds", "--out-dir"])
        .arg(&dir)
        .status()
        .unwrap();
    assert!(status.success());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        names,
        [
            "analysis-run-crd.yaml",
            "analysis-template-crd.yaml",
            "cluster-analysis-template-crd.yaml",
            "experiment-crd.yaml",
            "rollout-crd.yaml"
        ]
    );
}

#[test]
fn unwritable_out_dir_is_a_clear_error() {
    let out = Command::new(BIN)
        .args(["crds", "--out-dir", "/proc/no-such-dir/x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/proc/no-such-dir/x"), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
}
