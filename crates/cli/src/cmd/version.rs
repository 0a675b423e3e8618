//! `kubectl argo rollouts version`: the same layout as upstream's, with the Rust toolchain in place of Go's.

/// Print version
#[derive(Clone, Debug, clap::Args)]
pub struct VersionArgs {
    /// print just the version number
    #[arg(long)]
    pub short: bool,
}

/// Prints the `version` output of this binary.
pub fn run(args: &VersionArgs) {
    print!("{}", render(&BuildInfo::current(), args.short));
}

/// Build facts recorded by the build script.
pub struct BuildInfo {
    /// Crate version, e.g. `0.1.0`.
    pub version: &'static str,
    /// Full commit hash, or empty outside a git checkout.
    pub commit: &'static str,
    /// `clean` or `dirty`.
    pub tree_state: &'static str,
    /// Commit date, RFC 3339 UTC.
    pub build_date: &'static str,
    /// `rustc --version` of the compiler.
    pub rustc: &'static str,
}

impl BuildInfo {
    /// The facts of this binary.
    pub fn current() -> Self {
        BuildInfo {
            version: env!("CARGO_PKG_VERSION"),
            commit: env!("ROLLOUTS_GIT_COMMIT"),
            tree_state: env!("ROLLOUTS_GIT_TREE_STATE"),
            build_date: env!("ROLLOUTS_BUILD_DATE"),
            rustc: env!("ROLLOUTS_RUSTC_VERSION"),
        }
    }

    /// `v0.1.0+abc1234` (the short commit is left out when unknown).
    pub fn version_string(&self) -> String {
        match self.commit.get(..7) {
            Some(short) => format!("v{}+{short}", self.version),
            None => format!("v{}", self.version),
        }
    }
}

/// Renders the `version` output; `short` prints only the first line.
pub fn render(info: &BuildInfo, short: bool) -> String {
    let mut out = format!("kubectl-argo-rollouts: {}\n", info.version_string());
    if short {
        return out;
    }
    let platform = format!("{}/{}", std::env::consts::OS, go_arch(std::env::consts::ARCH));
    for (key, value) in [
        ("BuildDate", info.build_date),
        ("GitCommit", info.commit),
        ("GitTreeState", info.tree_state),
        ("RustVersion", info.rustc),
        ("Compiler", "rustc"),
        ("Platform", platform.as_str()),
    ] {
        out.push_str(&format!("  {key}: {value}\n"));
    }
    out
}

/// Architecture names as Kubernetes tooling spells them (`amd64`, `arm64`).
fn go_arch(arch: &str) -> &str {
    match arch {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(commit: &'static str) -> BuildInfo {
        BuildInfo {
            version: "0.1.0",
            commit,
            tree_state: "clean",
            build_date: "2026-11-26T00:00:00Z",
            rustc: "rustc 1.95.0",
        }
    }

    #[test]
    fn short_prints_one_line_with_the_short_commit() {
        assert_eq!(
            render(&info("0123456789abcdef"), true),
            "kubectl-argo-rollouts: v0.1.0+0123456\n"
        );
    }

    #[test]
    fn long_lists_the_build_facts_in_upstream_order() {
        let out = render(&info("0123456789abcdef"), false);
        let keys: Vec<&str> = out.lines().skip(1).filter_map(|l| l.trim().split(':').next()).collect();
        assert_eq!(
            keys,
            [
                "BuildDate",
                "GitCommit",
                "GitTreeState",
                "RustVersion",
                "Compiler",
                "Platform"
            ]
        );
        assert!(out.contains("  GitCommit: 0123456789abcdef\n"));
    }

    #[test]
    fn unknown_commit_gives_a_bare_version() {
        assert_eq!(info("").version_string(), "v0.1.0");
    }
}
