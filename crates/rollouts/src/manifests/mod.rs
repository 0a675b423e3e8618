//! `rollouts manifests`: renders the install kustomizations under `deploy/` into the single files a
//! cluster admin applies (`deploy/install.yaml`, `deploy/namespace-install.yaml`), without kustomize.

mod kustomize;
mod order;

use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// Options of `rollouts manifests`.
#[derive(clap::Args, Debug)]
pub struct ManifestsArgs {
    /// The folder holding the kustomizations `cluster-install/` and `namespace-install/`.
    #[arg(long, value_name = "DIR", default_value = "deploy")]
    pub deploy_dir: PathBuf,
    /// Where to write `install.yaml` and `namespace-install.yaml` [default: the deploy folder].
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// Each kustomization and the file it is rendered into.
pub const RENDERED: [(&str, &str); 2] = [
    ("cluster-install", "install.yaml"),
    ("namespace-install", "namespace-install.yaml"),
];

/// Renders every kustomization of [`RENDERED`].
pub fn run(args: &ManifestsArgs) -> anyhow::Result<()> {
    let out_dir = args.out_dir.as_deref().unwrap_or(&args.deploy_dir);
    std::fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    for (kustomization, file) in RENDERED {
        let rendered = render(&args.deploy_dir, kustomization)?;
        let path = out_dir.join(file);
        std::fs::write(&path, rendered).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// The objects of `deploy_dir/kustomization` as one YAML stream, under a header naming its source.
fn render(deploy_dir: &Path, kustomization: &str) -> anyhow::Result<String> {
    let objects = kustomize::build(&deploy_dir.join(kustomization))?;
    let mut out = format!(
        "# Rendered from deploy/{kustomization} by `rollouts manifests`: edit the kustomization, not this file.\n"
    );
    for (index, object) in objects.iter().enumerate() {
        if index > 0 {
            out.push_str("---\n");
        }
        let yaml =
            serde_saphyr::to_string(object).with_context(|| format!("printing {} as YAML", order::describe(object)))?;
        out.push_str(&yaml);
    }
    Ok(out)
}
