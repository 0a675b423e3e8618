//! The connection to the API server: a kube client built from the kubeconfig the way kubectl reads it
//! (`--kubeconfig`, else `KUBECONFIG`, else `~/.kube/config`, else the in-cluster service account),
//! honouring `--context`, `--cluster`, `--user`, `-n/--namespace` and `--request-timeout`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use kube::Client;
use kube::config::{Config, KubeConfigOptions, Kubeconfig};

/// The kubectl-style connection flags shared by every command.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct KubeOptions {
    /// Path to the kubeconfig file to use for CLI requests.
    #[arg(long, global = true, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// The name of the kubeconfig context to use
    #[arg(long, global = true)]
    pub context: Option<String>,
    /// The name of the kubeconfig cluster to use
    #[arg(long, global = true)]
    pub cluster: Option<String>,
    /// The name of the kubeconfig user to use
    #[arg(long, global = true)]
    pub user: Option<String>,
    /// If present, the namespace scope for this CLI request
    #[arg(short = 'n', long, global = true)]
    pub namespace: Option<String>,
    /// The length of time to wait before giving up on a single server request. Non-zero values should
    /// contain a corresponding time unit (e.g. 1s, 2m, 3h). A value of zero means don't timeout requests.
    #[arg(long, global = true, default_value = "0")]
    pub request_timeout: String,
}

/// A connected client and the namespace commands act in.
pub struct Connection {
    /// The API client.
    pub client: Client,
    /// `-n/--namespace`, else the context's namespace, else `default`.
    pub namespace: String,
}

impl KubeOptions {
    /// Reads the kubeconfig and builds the client. Nothing is sent to the server yet.
    pub async fn connect(&self) -> anyhow::Result<Connection> {
        let timeout = parse_request_timeout(&self.request_timeout)?;
        let mut config = self.config().await?;
        if let Some(timeout) = timeout {
            config.connect_timeout = Some(timeout);
            config.read_timeout = Some(timeout);
            config.write_timeout = Some(timeout);
        }
        let namespace = self
            .namespace
            .clone()
            .unwrap_or_else(|| config.default_namespace.clone());
        let client = Client::try_from(config).map_err(|e| anyhow!("{e}"))?;
        Ok(Connection { client, namespace })
    }

    async fn config(&self) -> anyhow::Result<Config> {
        let options = KubeConfigOptions {
            context: self.context.clone(),
            cluster: self.cluster.clone(),
            user: self.user.clone(),
        };
        let kubeconfig = match &self.kubeconfig {
            Some(path) => Some(
                Kubeconfig::read_from(path)
                    .map_err(|e| anyhow!("{e}"))
                    .with_context(|| format!("cannot read kubeconfig {}", path.display()))?,
            ),
            None => match Kubeconfig::read() {
                Ok(kubeconfig) => Some(kubeconfig),
                Err(read_error) => {
                    if std::env::var_os("KUBERNETES_SERVICE_HOST").is_none() {
                        bail!("invalid configuration: no configuration has been provided ({read_error})");
                    }
                    None
                }
            },
        };
        match kubeconfig {
            Some(kubeconfig) => Config::from_custom_kubeconfig(kubeconfig, &options)
                .await
                .map_err(|e| anyhow!("{e}")),
            None => Config::incluster().map_err(|e| anyhow!("{e}")),
        }
    }
}

/// Parses kubectl's `--request-timeout`: `0` (none), a bare number of seconds, or a duration such as
/// `500ms`, `10s`, `2m`, `1h`, `1m30s`.
pub fn parse_request_timeout(value: &str) -> anyhow::Result<Option<Duration>> {
    let invalid = || {
        anyhow!(
            "invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)"
        )
    };
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if let Ok(seconds) = value.parse::<u64>() {
        return Ok((seconds > 0).then(|| Duration::from_secs(seconds)));
    }
    let mut total = Duration::ZERO;
    let mut rest = value;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(invalid)?;
        if digits == 0 {
            return Err(invalid());
        }
        let number: u64 = rest[..digits].parse().map_err(|_| invalid())?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        total += match unit {
            "ms" => Duration::from_millis(number),
            "s" => Duration::from_secs(number),
            "m" => Duration::from_secs(number * 60),
            "h" => Duration::from_secs(number * 3600),
            _ => return Err(invalid()),
        };
    }
    Ok((!total.is_zero()).then_some(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_timeouts_parse_like_kubectl() {
        assert_eq!(parse_request_timeout("0").ok(), Some(None));
        assert_eq!(parse_request_timeout("5").ok(), Some(Some(Duration::from_secs(5))));
        assert_eq!(parse_request_timeout("2m").ok(), Some(Some(Duration::from_secs(120))));
        assert_eq!(parse_request_timeout("1m30s").ok(), Some(Some(Duration::from_secs(90))));
        assert_eq!(
            parse_request_timeout("250ms").ok(),
            Some(Some(Duration::from_millis(250)))
        );
        assert!(parse_request_timeout("abc").is_err());
        assert!(parse_request_timeout("5x").is_err());
    }
}
