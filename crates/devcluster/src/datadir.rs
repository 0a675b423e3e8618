//! The data directory holds secrets (stored Secrets, the CA and server keys, the bearer token, the
//! kubeconfig), so it is private to its owner whatever the umask: the directory and those below it 0700,
//! every file 0600. Modes left looser by an earlier run are tightened at start.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A file or directory of the data directory that could not be made private.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct DataDirError {
    /// The file or directory.
    pub path: PathBuf,
    /// The OS error.
    #[source]
    pub source: std::io::Error,
}

fn at(path: &Path) -> impl FnOnce(std::io::Error) -> DataDirError + '_ {
    move |source| DataDirError {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates `dir` (mode 0700) if needed, and restricts it and everything in it to its owner.
pub fn prepare(dir: &Path) -> Result<(), DataDirError> {
    create_private_dir(dir).map_err(at(dir))?;
    tighten(dir)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Sets `dir` to 0700, and below it directories to 0700 and files to 0600. Symbolic links are left alone
/// (changing the mode would change their target, which may be anywhere).
#[cfg(unix)]
fn tighten(dir: &Path) -> Result<(), DataDirError> {
    use std::os::unix::fs::PermissionsExt;
    set_mode(dir, 0o700)?;
    for entry in std::fs::read_dir(dir).map_err(at(dir))? {
        let path = entry.map_err(at(dir))?.path();
        let meta = std::fs::symlink_metadata(&path).map_err(at(&path))?;
        if meta.file_type().is_symlink() {
            continue;
        }
        if meta.is_dir() {
            tighten(&path)?;
        } else if meta.permissions().mode() & 0o7777 != 0o600 {
            set_mode(&path, 0o600)?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<(), DataDirError> {
    use std::os::unix::fs::PermissionsExt;
    let current = std::fs::metadata(path).map_err(at(path))?.permissions().mode() & 0o7777;
    if current == mode {
        return Ok(());
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(at(path))
}

#[cfg(not(unix))]
fn tighten(_dir: &Path) -> Result<(), DataDirError> {
    Ok(())
}

/// Options opening a file readable and writable by its owner only when it is created.
pub fn private_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Restricts an open file to its owner (a file that already existed keeps its mode on open).
pub fn restrict(file: &std::fs::File) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

/// Writes a file readable by its owner only, atomically (through `<name>.tmp` beside it).
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".tmp");
    let tmp = path.with_file_name(tmp_name);
    {
        let mut f = private_options().write(true).create(true).truncate(true).open(&tmp)?;
        // A temporary file left by a crash keeps its old mode: restrict it before writing.
        restrict(&f)?;
        f.write_all(contents)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn loose_modes_are_tightened_and_links_left_alone() {
        let root = std::env::temp_dir().join(format!("rollouts-datadir-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let dir = root.join("data");
        let outside = root.join("outside.txt");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(&outside, "x").unwrap();
        std::fs::write(dir.join("a"), "x").unwrap();
        std::fs::write(dir.join("sub").join("b"), "x").unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("link")).unwrap();
        for (p, m) in [
            (&dir, 0o777),
            (&dir.join("sub"), 0o755),
            (&dir.join("a"), 0o666),
            (&dir.join("sub").join("b"), 0o744),
            (&outside, 0o644),
        ] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
        }
        prepare(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("sub")), 0o700);
        assert_eq!(mode(&dir.join("a")), 0o600);
        assert_eq!(mode(&dir.join("sub").join("b")), 0o600);
        assert_eq!(mode(&outside), 0o644, "the target of a link is not ours to change");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn private_writes_replace_a_loose_leftover() {
        let dir = std::env::temp_dir().join(format!("rollouts-private-write-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        prepare(&dir).unwrap();
        let tmp = dir.join("token.tmp");
        std::fs::write(&tmp, "old").unwrap();
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o666)).unwrap();
        write_private(&dir.join("token"), b"new").unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("token")).unwrap(), "new");
        assert_eq!(mode(&dir.join("token")), 0o600);
        assert!(!tmp.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
