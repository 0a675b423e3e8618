//! Which cluster the controller talks to, and as whom: `--kubeconfig`, else `$KUBECONFIG` or
//! `~/.kube/config`, else the in-cluster service account (when running in a pod), with kubectl's
//! override flags (upstream's controller takes them through client-go's `clientcmd`).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use kube::config::{KubeConfigOptions, Kubeconfig};
use secrecy::SecretString;

use super::flags::parse_go_bool;

/// kubectl's flags overriding the kubeconfig (client-go's `RecommendedConfigOverrideFlags`), except
/// `--namespace`, which here names the one namespace to watch.
#[derive(clap::Args, Debug, Default)]
pub struct ClusterFlags {
    /// The name of the kubeconfig context to use.
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// The name of the kubeconfig cluster to use.
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// The name of the kubeconfig user to use.
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// The address and port of the Kubernetes API server.
    #[arg(long, short = 's', value_name = "URL")]
    pub server: Option<String>,
    /// Server name to use for server certificate validation.
    #[arg(long, value_name = "NAME")]
    pub tls_server_name: Option<String>,
    /// Path to a cert file for the certificate authority.
    #[arg(long, value_name = "PATH")]
    pub certificate_authority: Option<PathBuf>,
    /// If true, the server's certificate will not be checked for validity (insecure).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_value = "false",
          default_missing_value = "true", value_parser = parse_go_bool)]
    pub insecure_skip_tls_verify: bool,
    /// Path to a client certificate file for TLS.
    #[arg(long, value_name = "PATH")]
    pub client_certificate: Option<PathBuf>,
    /// Path to a client key file for TLS.
    #[arg(long, value_name = "PATH")]
    pub client_key: Option<PathBuf>,
    /// Bearer token for authentication to the API server.
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Username for basic authentication to the API server.
    #[arg(long, value_name = "NAME")]
    pub username: Option<String>,
    /// Password for basic authentication to the API server.
    #[arg(long, value_name = "PASSWORD")]
    pub password: Option<String>,
    /// Username to impersonate for the operation (a user or a service account).
    #[arg(long = "as", value_name = "USER")]
    pub impersonate: Option<String>,
    /// Group to impersonate for the operation; repeat for several groups.
    #[arg(long = "as-group", value_name = "GROUP")]
    pub impersonate_groups: Vec<String>,
    /// UID to impersonate for the operation.
    #[arg(long = "as-uid", value_name = "UID")]
    pub impersonate_uid: Option<String>,
    /// If true, opt-out of response compression for all requests to the server (responses are never
    /// compressed here).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_value = "false",
          default_missing_value = "true", value_parser = parse_go_bool)]
    pub disable_compression: bool,
    /// Not supported yet: proxy requests through this URL.
    #[arg(long, value_name = "URL")]
    pub proxy_url: Option<String>,
    /// How long to wait for a single request; only 0 (no timeout, upstream's default) is supported yet.
    #[arg(long, value_name = "DURATION", default_value = "0")]
    pub request_timeout: String,
}

/// Where the configuration came from, for the start-up log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A kubeconfig file.
    Kubeconfig(String),
    /// The in-cluster service account.
    InCluster,
}

/// A client for the cluster of the kubeconfig at `path` (its current context).
pub async fn client_from_kubeconfig(path: &Path) -> anyhow::Result<kube::Client> {
    let config = from_kubeconfig_file(path, &KubeConfigOptions::default()).await?;
    kube::Client::try_from(config).context("building the API client")
}

async fn from_kubeconfig_file(path: &Path, options: &KubeConfigOptions) -> anyhow::Result<kube::Config> {
    let kubeconfig =
        Kubeconfig::read_from(path).with_context(|| format!("reading the kubeconfig {}", path.display()))?;
    kube::Config::from_custom_kubeconfig(kubeconfig, options)
        .await
        .with_context(|| format!("loading the kubeconfig {}", path.display()))
}

/// Whether this process runs in a pod: the API server's address is in the environment, as the
/// kubelet sets it.
fn in_cluster() -> bool {
    std::env::var_os("KUBERNETES_SERVICE_HOST").is_some()
}

/// The default kubeconfig when there is one: `$KUBECONFIG`, else `~/.kube/config`.
fn default_kubeconfig() -> Option<String> {
    if let Some(paths) = std::env::var_os("KUBECONFIG").filter(|p| !p.is_empty()) {
        return Some(paths.to_string_lossy().into_owned());
    }
    let home = std::env::var_os("HOME")?;
    let path = Path::new(&home).join(".kube").join("config");
    path.exists().then(|| path.display().to_string())
}

/// The client configuration: `kubeconfig` if given, else the default kubeconfig, else in-cluster;
/// with `flags` applied.
pub async fn config(kubeconfig: Option<&Path>, flags: &ClusterFlags) -> anyhow::Result<(kube::Config, Source)> {
    flags.check()?;
    let options = KubeConfigOptions {
        context: flags.context.clone(),
        cluster: flags.cluster.clone(),
        user: flags.user.clone(),
    };
    let (mut config, source) = if let Some(path) = kubeconfig {
        (
            from_kubeconfig_file(path, &options).await?,
            Source::Kubeconfig(path.display().to_string()),
        )
    } else if let Some(paths) = default_kubeconfig() {
        let config = kube::Config::from_kubeconfig(&options)
            .await
            .with_context(|| format!("loading the kubeconfig {paths}"))?;
        (config, Source::Kubeconfig(paths))
    } else if in_cluster() {
        let config = kube::Config::incluster().context("loading the in-cluster configuration")?;
        (config, Source::InCluster)
    } else {
        bail!(
            "no cluster to talk to: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, \
             or run in a pod (in-cluster configuration)"
        );
    };
    flags.apply(&mut config)?;
    Ok((config, source))
}

impl ClusterFlags {
    /// Refuses the flags that cannot be honoured yet.
    fn check(&self) -> anyhow::Result<()> {
        if self.proxy_url.is_some() {
            bail!("--proxy-url is not supported yet");
        }
        let timeout = self.request_timeout.trim();
        if !matches!(timeout, "" | "0" | "0s") {
            bail!(
                "--request-timeout={timeout} is not supported yet: only 0 (no timeout) is; \
                 requests are bounded by the reconcile watchdog instead"
            );
        }
        Ok(())
    }

    /// Applies the overrides to `config`.
    fn apply(&self, config: &mut kube::Config) -> anyhow::Result<()> {
        if let Some(server) = &self.server {
            config.cluster_url = server
                .parse()
                .with_context(|| format!("--server {server:?} is not a URL"))?;
        }
        if let Some(name) = &self.tls_server_name {
            config.tls_server_name = Some(name.clone());
        }
        if let Some(path) = &self.certificate_authority {
            // Read (and re-read, for rotation) by the client's TLS verifier.
            config.root_cert_file = Some(absolute(path)?);
        }
        if self.insecure_skip_tls_verify {
            config.accept_invalid_certs = true;
        }
        let auth = &mut config.auth_info;
        if let Some(path) = &self.client_certificate {
            auth.client_certificate = Some(absolute(path)?.display().to_string());
            auth.client_certificate_data = None;
        }
        if let Some(path) = &self.client_key {
            auth.client_key = Some(absolute(path)?.display().to_string());
            auth.client_key_data = None;
        }
        if let Some(token) = &self.token {
            auth.token = Some(SecretString::from(token.clone()));
            auth.token_file = None;
        }
        if let Some(username) = &self.username {
            auth.username = Some(username.clone());
        }
        if let Some(password) = &self.password {
            auth.password = Some(SecretString::from(password.clone()));
        }
        if let Some(user) = &self.impersonate {
            auth.impersonate = Some(user.clone());
        }
        if !self.impersonate_groups.is_empty() {
            auth.impersonate_groups = Some(self.impersonate_groups.clone());
        }
        if let Some(uid) = &self.impersonate_uid {
            auth.impersonate_uid = Some(uid.clone());
        }
        if self.disable_compression {
            config.disable_compression = true;
        }
        Ok(())
    }
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(path).with_context(|| format!("resolving {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_apply_to_the_loaded_configuration() {
        let mut config = kube::Config::new("https://10.0.0.1:443".parse().unwrap());
        config.auth_info.token_file = Some("/var/run/token".into());
        let flags = ClusterFlags {
            server: Some("https://127.0.0.1:6443".into()),
            token: Some("abc".into()),
            insecure_skip_tls_verify: true,
            impersonate: Some("system:serviceaccount:argo-rollouts:argo-rollouts".into()),
            impersonate_groups: vec!["g1".into(), "g2".into()],
            tls_server_name: Some("kubernetes".into()),
            ..ClusterFlags::default()
        };
        flags.apply(&mut config).unwrap();
        assert_eq!(config.cluster_url.to_string(), "https://127.0.0.1:6443/");
        assert!(config.auth_info.token.is_some());
        assert_eq!(
            config.auth_info.token_file, None,
            "the token flag wins over the token file"
        );
        assert!(config.accept_invalid_certs);
        assert_eq!(
            config.auth_info.impersonate.as_deref(),
            Some("system:serviceaccount:argo-rollouts:argo-rollouts")
        );
        assert_eq!(
            config.auth_info.impersonate_groups,
            Some(vec!["g1".into(), "g2".into()])
        );
        assert_eq!(config.tls_server_name.as_deref(), Some("kubernetes"));
    }

    #[test]
    fn a_bad_server_and_unsupported_flags_are_clear_errors() {
        let mut config = kube::Config::new("https://10.0.0.1:443".parse().unwrap());
        let flags = ClusterFlags {
            server: Some("not a url".into()),
            ..ClusterFlags::default()
        };
        let error = flags.apply(&mut config).unwrap_err().to_string();
        assert!(error.contains("--server \"not a url\" is not a URL"), "{error}");
        let proxy = ClusterFlags {
            proxy_url: Some("http://proxy:3128".into()),
            ..ClusterFlags::default()
        };
        assert_eq!(
            proxy.check().unwrap_err().to_string(),
            "--proxy-url is not supported yet"
        );
        let timeout = ClusterFlags {
            request_timeout: "30s".into(),
            ..ClusterFlags::default()
        };
        assert!(
            timeout
                .check()
                .unwrap_err()
                .to_string()
                .contains("--request-timeout=30s is not supported yet")
        );
        let none = ClusterFlags {
            request_timeout: "0".into(),
            ..ClusterFlags::default()
        };
        assert!(none.check().is_ok());
    }
}
