//! The kubeconfig that points kubectl and client libraries at the dev cluster.

use std::path::Path;

/// Name of the cluster, context and user in the kubeconfig.
pub const CONTEXT: &str = "rollouts-dev";

/// The kubeconfig text for a server at `url` whose CA is `ca_pem`, with `token`.
pub fn render(url: &str, ca_pem: &str, token: &str) -> String {
    use base64::Engine;
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem);
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: {CONTEXT}\n  cluster:\n    server: {url}\n    certificate-authority-data: {ca}\ncontexts:\n- name: {CONTEXT}\n  context:\n    cluster: {CONTEXT}\n    user: {CONTEXT}\n    namespace: default\ncurrent-context: {CONTEXT}\nusers:\n- name: {CONTEXT}\n  user:\n    token: {token}\npreferences: {{}}\n"
    )
}

/// Writes the kubeconfig readable by its owner only (it holds the token).
pub fn write(path: &Path, url: &str, ca_pem: &str, token: &str) -> std::io::Result<()> {
    write_private(path, render(url, ca_pem, token).as_bytes())
}

/// Writes a file readable by its owner only, atomically.
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    crate::datadir::write_private(path, contents)
}

/// The token stored at `path`, or a new one stored there (readable by its owner only).
pub fn load_or_create_token(path: &Path) -> std::io::Result<String> {
    if let Ok(token) = std::fs::read_to_string(path)
        && !token.trim().is_empty()
    {
        return Ok(token.trim().to_string());
    }
    let token = new_token();
    write_private(path, token.as_bytes())?;
    Ok(token)
}

/// A random bearer token.
pub fn new_token() -> String {
    let mut b = [0u8; 24];
    if getrandom::fill(&mut b).is_err() {
        return crate::object::new_uid().replace('-', "");
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}
