//! The data directory is private to its owner whatever the umask: the directory 0700, every file 0600,
//! and a directory left with looser modes by an earlier run is tightened at start.
//!
//! The umask is process-wide, so this binary holds this one test only.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use rollouts_devcluster::testing::{TestCluster, temp_dir};
use rustix::fs::Mode;

/// What the cluster keeps in its data directory.
const EXPECTED: [&str; 7] = [
    "objects.redb",
    "kubeconfig",
    "token",
    "ca.crt",
    "apiserver.crt",
    "apiserver.key",
    "port",
];

/// The permission bits of `p`, in octal as `ls` and `chmod` show them.
fn mode(p: &Path) -> String {
    format!(
        "{:o}",
        std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
    )
}

fn set_mode(p: &Path, m: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
}

/// Asserts the modes of `dir` and of everything below it; returns the names of its files.
fn assert_private(dir: &Path) -> Vec<String> {
    assert_eq!(mode(dir), "700", "{}", dir.display());
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            assert_private(&path);
        } else {
            assert_eq!(mode(&path), "600", "{}", path.display());
        }
        names.push(path.file_name().unwrap().to_string_lossy().into_owned());
    }
    names
}

#[test]
fn data_directory_is_private_whatever_the_umask() {
    let dir = temp_dir("private");
    // The most permissive umask: anything created without an explicit mode would be 0666 or 0777.
    let previous = rustix::process::umask(Mode::empty());
    let tc = TestCluster::start_in(&dir, 0).unwrap();
    // A Secret is written to the database.
    tc.block_on(async {
        tc.cluster()
            .install(
                &[serde_json::json!({"apiVersion": "v1", "kind": "Secret",
                    "metadata": {"name": "s", "namespace": "default"}, "stringData": {"password": "hunter2"}})],
                "test",
            )
            .await
            .unwrap();
    });
    let names = assert_private(&dir);
    for name in EXPECTED {
        assert!(names.iter().any(|n| n == name), "{name} missing from {names:?}");
    }
    let (dir, port) = tc.stop();

    // An earlier run (or a user) left everything readable by others, with a subdirectory of its own.
    rustix::process::umask(Mode::from_raw_mode(0o022));
    set_mode(&dir, 0o755);
    for name in EXPECTED {
        set_mode(&dir.join(name), 0o644);
    }
    std::fs::create_dir_all(dir.join("cache").join("deep")).unwrap();
    std::fs::write(dir.join("cache").join("deep").join("entry"), "x").unwrap();
    set_mode(&dir.join("cache").join("deep").join("entry"), 0o666);
    set_mode(&dir.join("cache"), 0o777);
    let tc = TestCluster::start_in(&dir, port).unwrap();
    assert_private(&dir);
    assert_eq!(mode(&dir.join("cache").join("deep")), "700");
    drop(tc);

    // A fresh directory (and its missing parents) under umask 022, the usual default.
    let nested = temp_dir("private-nested").join("state").join("dev");
    let tc = TestCluster::start_in(&nested, 0).unwrap();
    let names = assert_private(&nested);
    assert!(names.iter().any(|n| n == "objects.redb"), "{names:?}");
    drop(tc);
    rustix::process::umask(previous);
    let _ = std::fs::remove_dir_all(nested.parent().unwrap().parent().unwrap());
}
