//! Records the commit, tree state and toolchain for `kubectl-argo-rollouts version`.

use std::process::Command;

fn run(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    let commit = run("git", &["rev-parse", "HEAD"]).unwrap_or_default();
    let dirty = run("git", &["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    let date = run(
        "git",
        &["log", "-1", "--format=%cd", "--date=format-local:%Y-%m-%dT%H:%M:%SZ"],
    )
    .unwrap_or_default();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let rustc_version = run(&rustc, &["--version"]).unwrap_or_default();
    println!("cargo:rustc-env=ROLLOUTS_GIT_COMMIT={commit}");
    println!(
        "cargo:rustc-env=ROLLOUTS_GIT_TREE_STATE={}",
        if dirty { "dirty" } else { "clean" }
    );
    println!("cargo:rustc-env=ROLLOUTS_BUILD_DATE={date}");
    println!("cargo:rustc-env=ROLLOUTS_RUSTC_VERSION={rustc_version}");
    for path in ["../../.git/HEAD", "../../.git/index"] {
        println!("cargo:rerun-if-changed={path}");
    }
}
