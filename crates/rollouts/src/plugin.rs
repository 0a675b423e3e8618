//! The kubectl plugin inside the `rollouts` binary: invoked as `kubectl-argo-rollouts` (the link `rollouts
//! dev` puts on PATH), this binary is the plugin, so one `cargo run -p rollouts -- dev` gives kubectl both
//! a cluster and `kubectl argo rollouts`.

use std::ffi::OsStr;
use std::io;
use std::path::{Path, PathBuf};

use rollouts_cli::PLUGIN_NAME;

/// Whether the program name (`argv[0]`) is the plugin's: its file name, with any `.exe` left out, is
/// `kubectl-argo-rollouts`.
pub fn invoked_as_plugin(argv0: Option<&OsStr>) -> bool {
    let Some(name) = argv0.and_then(|a| Path::new(a).file_name()).and_then(OsStr::to_str) else {
        return false;
    };
    name.strip_suffix(".exe").unwrap_or(name) == PLUGIN_NAME
}

/// Puts `kubectl-argo-rollouts` into `dir`, pointing at this executable, and returns its path: a symbolic
/// link where the system allows one, else a hard link, else a copy. Whatever was there before (a link to
/// an older build, a copy) is replaced.
pub fn link_into(dir: &Path) -> io::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    std::fs::create_dir_all(dir)?;
    let link = dir.join(format!("{PLUGIN_NAME}{}", std::env::consts::EXE_SUFFIX));
    if std::fs::read_link(&link).is_ok_and(|target| target == exe) {
        return Ok(link);
    }
    // Made under a temporary name and renamed over the old one, so that the plugin is never missing
    // for a kubectl running at that moment.
    let staging = dir.join(format!(".{PLUGIN_NAME}.{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&staging);
    place(&exe, &staging)?;
    if let Err(error) = std::fs::rename(&staging, &link) {
        let _ = std::fs::remove_file(&staging);
        return Err(error);
    }
    Ok(link)
}

/// A symbolic link, else a hard link, else a copy of `exe` at `at`.
fn place(exe: &Path, at: &Path) -> io::Result<()> {
    symlink(exe, at)
        .or_else(|_| std::fs::hard_link(exe, at))
        .or_else(|_| std::fs::copy(exe, at).map(drop))
}

#[cfg(unix)]
fn symlink(exe: &Path, at: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(exe, at)
}

#[cfg(windows)]
fn symlink(exe: &Path, at: &Path) -> io::Result<()> {
    std::os::windows::fs::symlink_file(exe, at)
}

#[cfg(not(any(unix, windows)))]
fn symlink(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plugin_is_recognised_by_its_program_name() {
        for name in [
            "kubectl-argo-rollouts",
            "/home/me/.local/state/rollouts/dev/bin/kubectl-argo-rollouts",
            "kubectl-argo-rollouts.exe",
        ] {
            assert!(invoked_as_plugin(Some(OsStr::new(name))), "{name}");
        }
        for name in [
            "rollouts",
            "target/release/rollouts",
            "kubectl-argo-rollouts-old",
            "/kubectl-argo-rollouts/rollouts",
            "",
        ] {
            assert!(!invoked_as_plugin(Some(OsStr::new(name))), "{name}");
        }
        assert!(!invoked_as_plugin(None));
    }

    #[cfg(unix)]
    #[test]
    fn a_stale_link_or_copy_is_replaced() -> io::Result<()> {
        let dir = std::env::temp_dir().join(format!("rollouts-plugin-link-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let exe = std::env::current_exe()?;
        let link = dir.join(PLUGIN_NAME);
        for stale in ["link", "file"] {
            std::fs::create_dir_all(&dir)?;
            let _ = std::fs::remove_file(&link);
            match stale {
                "link" => std::os::unix::fs::symlink("/nonexistent/rollouts", &link)?,
                _ => std::fs::write(&link, "old copy")?,
            }
            assert_eq!(link_into(&dir)?, link);
            assert_eq!(std::fs::read_link(&link)?, exe, "replacing a stale {stale}");
        }
        // Again: nothing to do, and no temporary file left behind.
        link_into(&dir)?;
        let names: Vec<_> = std::fs::read_dir(&dir)?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<Result<_, _>>()?;
        assert_eq!(names, [OsStr::new(PLUGIN_NAME)]);
        std::fs::remove_dir_all(&dir)
    }
}
