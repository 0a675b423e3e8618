//! The embedded development cluster: a Kubernetes-compatible API server on loopback, with persistent
//! storage, so that kubectl, kube-rs clients and the rollouts controller run with no real cluster.
//!
//! [`DevCluster::start`] opens (or creates) the data directory, serves the API on `127.0.0.1`, writes a
//! kubeconfig with a fresh bearer token, and runs garbage collection and namespace cleanup. That token is
//! the admin's (`system:masters`); service accounts get tokens of their own (TokenRequest, token Secrets)
//! and are held to RBAC, with the bootstrap roles of a real cluster.
//!
//! The public face is small: [`DevCluster`] and its [`Config`], the fault injection settings of
//! [`faults`], the simulation settings [`sim::SimConfig`], the TLS material of [`tls`], and [`testing`]
//! (a cluster for tests, with helpers to run kubectl against it). The rest (store, registry, API
//! server, patches, schemas, tables, simulated controllers) is the crate's own.

mod auth;
mod datadir;
pub mod dataplane;
mod event_ttl;
pub mod faults;
mod gc;
mod kubeconfig;
mod object;
mod patch;
pub mod podlogs;
mod protobuf;
pub mod rbac;
mod registry;
mod schema;
mod selectors;
mod server;
pub mod sim;
mod store;
mod table;
pub mod testing;
pub mod tls;
mod workloads;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use datadir::DataDirError;
pub use dataplane::server::{DataPlane, DataPlaneConfig};
pub use server::error::ApiError;
pub use server::{ApiServer, ConnectionLimits, untrusted};
pub use store::{Store, StoreConfig, StoreError};

use store::{Change, Key};

/// How to start a dev cluster.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where objects (and the kubeconfig) live; `None` keeps everything in memory.
    pub data_dir: Option<PathBuf>,
    /// Port on 127.0.0.1; 0 picks a free one (the previous run's port is tried first).
    pub port: u16,
    /// Where to write the kubeconfig; defaults to `<data_dir>/kubeconfig` (none when in memory and unset).
    pub kubeconfig: Option<PathBuf>,
    /// Store tunables.
    pub store: StoreConfig,
    /// Run the simulated workload controllers (ReplicaSets, pods, Deployments, Jobs, endpoints,
    /// budgets) with these settings; `None` serves the API only.
    pub simulation: Option<sim::SimConfig>,
    /// Objects to create or bring up to date (server-side apply) before the cluster answers its first
    /// request, e.g. CRDs, so that a client that can connect finds them installed.
    pub install: Vec<serde_json::Value>,
    /// Limits on client connections (handshake and idle timeouts, how many at once).
    pub connections: ConnectionLimits,
    /// How long an Event lives after its last write; `None`: an hour, as kube-apiserver's `--event-ttl`.
    pub event_ttl: Option<std::time::Duration>,
    /// Serve the data plane (the ingress that routes requests to pods, and its metrics) on these
    /// ports; `None` serves none. The ports chosen are written to `<data_dir>/ingress-port` and
    /// `<data_dir>/metrics-port`, and tried first the next time a port is 0.
    pub dataplane: Option<DataPlaneConfig>,
    /// Append a JSON line per authorization decision about an identity outside `system:masters` to this
    /// file, as kube-apiserver's `--audit-log-path` (simplified; see [`rbac::AuditRecord`]); `None` keeps
    /// no log.
    pub audit_log: Option<PathBuf>,
}

/// Why the dev cluster could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The data directory could not be made private to its owner.
    #[error("securing the data directory: {0}")]
    DataDir(#[from] DataDirError),
    /// The data directory could not be opened.
    #[error("opening the data directory: {0}")]
    Store(#[from] StoreError),
    /// The port could not be bound.
    #[error("listening on 127.0.0.1:{port}: {source}")]
    Listen {
        /// The port asked for.
        port: u16,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// An object to install was refused.
    #[error("installing objects at start-up: {0}")]
    Install(String),
    /// TLS could not be set up.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// The key service account tokens are signed with could not be written.
    #[error("writing the service account signing key {path}: {source}")]
    SigningKey {
        /// Where.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The audit log could not be opened.
    #[error("opening the audit log {path}: {source}")]
    AuditLog {
        /// Where.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The kubeconfig could not be written.
    #[error("writing the kubeconfig {path}: {source}")]
    Kubeconfig {
        /// Where.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

/// A running dev cluster.
pub struct DevCluster {
    /// The API server (store, registry, faults).
    pub server: Arc<ApiServer>,
    /// Where it listens.
    pub addr: SocketAddr,
    /// The kubeconfig written for it, if any.
    pub kubeconfig: Option<PathBuf>,
    /// The bearer token clients must send.
    pub token: String,
    /// The CA certificate (PEM) clients must trust.
    pub ca_pem: String,
    /// The data plane, when served.
    pub dataplane: Option<Arc<DataPlane>>,
    /// Where the data plane's ingress listens (plain HTTP), when served.
    pub ingress_addr: Option<SocketAddr>,
    /// Where the data plane's metrics are served (`/metrics`), when served.
    pub metrics_addr: Option<SocketAddr>,
    shutdown: Option<oneshot::Sender<()>>,
    tasks: Vec<JoinHandle<()>>,
}

const SYSTEM_NAMESPACES: [&str; 4] = ["default", "kube-system", "kube-public", "kube-node-lease"];
/// The file of the data directory holding the key service account tokens are signed with.
const SIGNING_KEY_FILE: &str = "service-account.key";

impl DevCluster {
    /// Starts serving. Must be called inside a Tokio runtime.
    pub async fn start(config: Config) -> Result<Self, StartError> {
        if let Some(dir) = &config.data_dir {
            datadir::prepare(dir)?;
        }
        let store = match &config.data_dir {
            Some(dir) => Store::open(dir, config.store.clone())?,
            None => Store::in_memory(config.store.clone()),
        };
        let (listener, addr) = bind_loopback(config.port, config.data_dir.as_deref(), "port").await?;
        let dataplane_listeners = match &config.dataplane {
            Some(dp) => Some((
                bind_loopback(dp.ingress_port, config.data_dir.as_deref(), "ingress-port").await?,
                bind_loopback(dp.metrics_port, config.data_dir.as_deref(), "metrics-port").await?,
            )),
            None => None,
        };
        let tls = match &config.data_dir {
            Some(dir) => tls::TlsMaterial::load_or_create(dir)?,
            None => tls::TlsMaterial::generate()?,
        };
        let tls_config = tls.server_config()?;
        // The token is kept with the data so that clients holding the kubeconfig keep working across
        // restarts, as they would with a real cluster.
        let token = match &config.data_dir {
            Some(dir) => {
                kubeconfig::load_or_create_token(&dir.join("token")).map_err(|source| StartError::Kubeconfig {
                    path: dir.join("token"),
                    source,
                })?
            }
            None => kubeconfig::new_token(),
        };
        // Service account tokens are signed with a key kept with the data, so they outlive restarts.
        let signing_key = match &config.data_dir {
            Some(dir) => {
                let path = dir.join(SIGNING_KEY_FILE);
                auth::tokens::SigningKey::load_or_create(&path)
                    .map_err(|source| StartError::SigningKey { path, source })?
            }
            None => auth::tokens::SigningKey::generate(),
        };
        let auth = auth::Auth::new(&store, signing_key, tls.ca_pem.clone());
        let audit = match &config.audit_log {
            Some(path) => Some(
                auth::audit::AuditLog::open(path).map_err(|source| StartError::AuditLog {
                    path: path.clone(),
                    source,
                })?,
            ),
            None => None,
        };
        let server = ApiServer::new(Arc::clone(&store), token.clone(), auth, audit);
        ensure_namespaces(&server).await;
        auth::controller::install_bootstrap(&server).await;
        auth::controller::aggregate(&server).await;
        let client = workloads::client::InternalClient::new(Arc::clone(&server));
        for obj in &config.install {
            client
                .apply(obj, "rollouts-dev")
                .await
                .map_err(|e| StartError::Install(e.message))?;
        }
        let kubeconfig = config
            .kubeconfig
            .clone()
            .or_else(|| config.data_dir.as_ref().map(|d| d.join("kubeconfig")));
        if let Some(path) = &kubeconfig {
            kubeconfig::write(path, &format!("https://{addr}"), &tls.ca_pem, &token).map_err(|source| {
                StartError::Kubeconfig {
                    path: path.clone(),
                    source,
                }
            })?;
        }
        let (tx, rx) = oneshot::channel::<()>();
        let serve =
            tokio::spawn(
                Arc::clone(&server).serve(listener, tls_config, config.connections.clone(), async move {
                    let _ = rx.await;
                }),
            );
        let event_ttl = config.event_ttl.unwrap_or(event_ttl::DEFAULT_EVENT_TTL);
        let mut tasks = vec![
            serve,
            tokio::spawn(gc::run(Arc::clone(&server))),
            tokio::spawn(event_ttl::run(Arc::clone(&server), event_ttl)),
            tokio::spawn(auth::controller::run(Arc::clone(&server))),
        ];
        if let Some(sim) = config.simulation.clone() {
            tasks.push(tokio::spawn(workloads::Workloads::new(Arc::clone(&server), sim).run()));
        }
        let (mut dataplane, mut ingress_addr, mut metrics_addr) = (None, None, None);
        if let (Some(dp), Some(((ingress, ingress_at), (metrics, metrics_at)))) =
            (&config.dataplane, dataplane_listeners)
        {
            let plane = DataPlane::new(Arc::clone(&server.store), Arc::clone(&server.logs), dp);
            tasks.push(tokio::spawn(Arc::clone(&plane).serve_ingress(ingress)));
            tasks.push(tokio::spawn(Arc::clone(&plane).serve_metrics(metrics)));
            (dataplane, ingress_addr, metrics_addr) = (Some(plane), Some(ingress_at), Some(metrics_at));
        }
        Ok(DevCluster {
            server,
            addr,
            kubeconfig,
            token,
            ca_pem: tls.ca_pem,
            dataplane,
            ingress_addr,
            metrics_addr,
            shutdown: Some(tx),
            tasks,
        })
    }

    /// Creates or updates `objects` (server-side apply by `manager`), in order: e.g. CRDs at start-up.
    pub async fn install(&self, objects: &[serde_json::Value], manager: &str) -> Result<(), ApiError> {
        let client = workloads::client::InternalClient::new(Arc::clone(&self.server));
        for obj in objects {
            client.apply(obj, manager).await?;
        }
        Ok(())
    }

    /// `https://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// Stops serving and closes the store after pending writes are on disk.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        for t in self.tasks.drain(..) {
            t.abort();
            let _ = t.await;
        }
        self.server.store.close();
    }
}

/// A listener on 127.0.0.1:`port`. Port 0 tries the port recorded in `<data_dir>/<port_file>` by the
/// previous run first, then any free one; the port bound is recorded there for the next run.
async fn bind_loopback(
    port: u16,
    data_dir: Option<&std::path::Path>,
    port_file: &str,
) -> Result<(TcpListener, SocketAddr), StartError> {
    let port_file = data_dir.map(|d| d.join(port_file));
    let previous_port = port_file
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|s| s.trim().parse::<u16>().ok());
    let listener = match (port, previous_port) {
        (0, Some(prev)) => match TcpListener::bind(("127.0.0.1", prev)).await {
            Ok(l) => l,
            Err(_) => TcpListener::bind(("127.0.0.1", 0))
                .await
                .map_err(|source| StartError::Listen { port: 0, source })?,
        },
        (port, _) => TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|source| StartError::Listen { port, source })?,
    };
    let addr = listener
        .local_addr()
        .map_err(|source| StartError::Listen { port, source })?;
    if let Some(p) = &port_file {
        let _ = datadir::write_private(p, addr.port().to_string().as_bytes());
    }
    Ok((listener, addr))
}

/// Creates the system namespaces that do not exist, all at once, so that the store commits them together.
async fn ensure_namespaces(server: &Arc<ApiServer>) {
    let now = object::rfc3339(jiff::Timestamp::now());
    let mut writes = tokio::task::JoinSet::new();
    for ns in SYSTEM_NAMESPACES {
        let key = Key {
            prefix: "/core/namespaces".into(),
            namespace: None,
            name: ns.to_string(),
        };
        let obj = json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": { "name": ns, "uid": object::new_uid(), "creationTimestamp": now,
                          "labels": { "kubernetes.io/metadata.name": ns } },
            "spec": { "finalizers": ["kubernetes"] },
            "status": { "phase": "Active" },
        });
        let store = Arc::clone(&server.store);
        writes.spawn(async move {
            let result = store
                .mutate(&key, |current| {
                    Ok::<_, ()>((
                        if current.is_some() {
                            Change::Keep
                        } else {
                            Change::Put(obj)
                        },
                        (),
                    ))
                })
                .await;
            (ns, result)
        });
    }
    while let Some(done) = writes.join_next().await {
        if let Ok((ns, Err(e))) = done {
            tracing::error!("creating namespace {ns}: {e}");
        }
    }
}
