//! Helpers shared by the project's tests.
//!
//! The upstream conformance corpus (Argo Rollouts' example, e2e and CRD manifests) lives outside this
//! repository. It is found through `ROLLOUTS_CONFORMANCE_DIR`, or in a `shared/conformance/argo` folder
//! beside any ancestor of the workspace. Tests that need it skip with a loud notice when it is absent,
//! unless `ROLLOUTS_REQUIRE_CONFORMANCE=1` is set, in which case they fail.
//!
//! [`http`] has a scripted HTTP server and a tiny client; [`prometheus`] runs a real Prometheus
//! scraping an exporter the test controls (skipped the same way when the binary is missing);
//! [`concurrent`] runs many requests at once, to fill a cluster quickly; [`logs`] captures what the
//! code under test logs.

use std::path::{Path, PathBuf};

pub mod concurrent;
pub mod http;
pub mod logs;
pub mod prometheus;

/// Where the corpus is, if it is reachable from here.
pub fn conformance_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("ROLLOUTS_CONFORMANCE_DIR") {
        let dir = PathBuf::from(dir);
        return dir.is_dir().then_some(dir);
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .map(|a| a.join("shared").join("conformance").join("argo"))
        .chain(std::iter::once(PathBuf::from("/work/shared/conformance/argo")))
        .find(|p| p.join("INDEX.md").is_file())
}

/// The corpus, or `None` after printing why the calling test is skipped.
///
/// # Panics
/// When the corpus is absent and `ROLLOUTS_REQUIRE_CONFORMANCE=1`.
#[allow(clippy::panic)]
pub fn conformance_or_skip(test: &str) -> Option<PathBuf> {
    let dir = conformance_dir();
    if dir.is_none() {
        assert!(
            std::env::var("ROLLOUTS_REQUIRE_CONFORMANCE").as_deref() != Ok("1"),
            "{test}: the conformance corpus was not found (set ROLLOUTS_CONFORMANCE_DIR)"
        );
        eprintln!("SKIPPED {test}: the conformance corpus was not found (set ROLLOUTS_CONFORMANCE_DIR)");
    }
    dir
}

/// The workspace root (where `Cargo.toml` with `[workspace]` is).
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .nth(2)
        .map_or_else(|| here.to_path_buf(), Path::to_path_buf)
}

/// Every file under `dir` (recursively) whose name ends with one of `exts`, sorted.
pub fn files_with_ext(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| exts.iter().any(|e| n.ends_with(e)))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The documents of a YAML stream as JSON values (empty documents dropped).
pub fn yaml_documents(text: &str) -> Result<Vec<serde_json::Value>, String> {
    let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(text).map_err(|e| e.to_string())?;
    Ok(docs.into_iter().filter(|d| !d.is_null()).collect())
}
