//! Prints how long the phases of a dev cluster start take (`cargo run --release --example start_time`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("rollouts-start-{}", std::process::id()));
    let crds: Vec<serde_json::Value> = std::fs::read_dir("deploy/crds")
        .unwrap()
        .map(|e| e.unwrap().path())
        // The folder's kustomization is not a CRD.
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .map(|path| serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap())
        .collect();
    for (label, install) in [
        ("fresh, no CRDs", vec![]),
        ("restart, 5 CRDs", crds.clone()),
        ("restart again, 5 CRDs", crds),
    ] {
        let t = Instant::now();
        let c = rt
            .block_on(rollouts_devcluster::DevCluster::start(rollouts_devcluster::Config {
                data_dir: Some(dir.clone()),
                install,
                ..Default::default()
            }))
            .unwrap();
        println!("{label}: started in {:?}", t.elapsed());
        rt.block_on(c.stop());
    }
    let _ = std::fs::remove_dir_all(&dir);
}
