//! RBAC benchmark: what authentication and authorization cost per request. The same reads are made with
//! the admin's token (never authorized) and with a service account's token (verified, then authorized by
//! the compiled policy) on a server holding many Roles and bindings; then the cost of compiling the policy
//! again after every RBAC write. The server runs in a child process; clients talk HTTPS through kube-rs.
//!
//! Run: `cargo bench -p rollouts-devcluster --bench rbac` (add `-- --bindings N` to change the policy size).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark fails loudly

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret, ServiceAccount};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use kube::api::{Api, ObjectMeta, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

const READS: usize = 20_000;
const CLIENTS: usize = 16;

fn meta(name: &str, namespace: Option<&str>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: namespace.map(str::to_string),
        ..Default::default()
    }
}

fn role(name: &str, namespace: &str, resource: &str) -> Role {
    Role {
        metadata: meta(name, Some(namespace)),
        rules: Some(vec![PolicyRule {
            api_groups: Some(vec![String::new()]),
            resources: Some(vec![resource.to_string()]),
            verbs: vec!["get".into(), "list".into()],
            ..Default::default()
        }]),
    }
}

fn binding(name: &str, namespace: &str, role: &str, subject: Subject) -> RoleBinding {
    RoleBinding {
        metadata: meta(name, Some(namespace)),
        role_ref: RoleRef {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: "Role".into(),
            name: role.into(),
        },
        subjects: Some(vec![subject]),
    }
}

fn group(name: &str) -> Subject {
    Subject {
        kind: "Group".into(),
        name: name.into(),
        ..Default::default()
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// CPU time (user and system) the process `pid` has used, in seconds (clock ticks of 10 ms).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name (which is in parentheses and may hold spaces).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// `READS` gets of single ConfigMaps by `CLIENTS` clients at once: requests per second, the server's CPU
/// time per request, and latencies.
async fn reads(client: &Client, names: &Arc<Vec<String>>, server: u32) -> (f64, Duration, Duration, Duration) {
    let cpu_before = cpu_seconds(server);
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (api, next, names) = (api.clone(), Arc::clone(&next), Arc::clone(names));
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= READS {
                    return latencies;
                }
                let t = Instant::now();
                api.get(&names[i % names.len()]).await.unwrap();
                latencies.push(t.elapsed());
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = Duration::from_secs_f64((cpu_seconds(server) - cpu_before) / READS as f64);
    all.sort();
    (READS as f64 / secs, cpu, percentile(&all, 0.5), percentile(&all, 0.99))
}

async fn token_client(dir: &std::path::Path, admin: &Client) -> Client {
    let sa: Api<ServiceAccount> = Api::namespaced(admin.clone(), "default");
    sa.create(
        &PostParams::default(),
        &ServiceAccount {
            metadata: meta("reader", None),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let secrets: Api<Secret> = Api::namespaced(admin.clone(), "default");
    let mut secret = Secret {
        metadata: meta("reader-token", None),
        type_: Some("kubernetes.io/service-account-token".into()),
        ..Default::default()
    };
    secret.metadata.annotations = Some(BTreeMap::from([(
        "kubernetes.io/service-account.name".to_string(),
        "reader".to_string(),
    )]));
    secrets.create(&PostParams::default(), &secret).await.unwrap();
    let token = loop {
        let s = secrets.get("reader-token").await.unwrap();
        if let Some(t) = s.data.and_then(|d| d.get("token").cloned()) {
            break String::from_utf8(t.0).unwrap();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let admin_config = std::fs::read_to_string(dir.join("kubeconfig")).unwrap();
    let config: String = admin_config
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("token:") {
                format!("    token: {token}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let path = dir.join("kubeconfig-reader");
    std::fs::write(&path, config).unwrap();
    let kc = Kubeconfig::read_from(&path).unwrap();
    Client::try_from(
        Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
            .await
            .unwrap(),
    )
    .unwrap()
}

fn main() {
    common::serve_if_asked();
    let args: Vec<String> = std::env::args().collect();
    let bindings: usize = args
        .iter()
        .position(|a| a == "--bindings")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(1000);
    let dir = std::env::temp_dir().join(format!("rollouts-rbac-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut server = common::start_server(&dir, false);
    let pid = server.id();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let admin = common::client(&dir).await;
        let cms: Api<ConfigMap> = Api::namespaced(admin.clone(), "default");
        let names: Vec<String> = (0..200).map(|i| format!("cm-{i:03}")).collect();
        for name in &names {
            cms.create(
                &PostParams::default(),
                &ConfigMap {
                    metadata: meta(name, None),
                    data: Some(BTreeMap::from([("k".to_string(), "v".repeat(200))])),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }
        let names = Arc::new(names);

        // A policy of `bindings` Roles and RoleBindings spread over 50 namespaces, to groups the reader is
        // not in, besides the one binding that lets it read ConfigMaps in default.
        let started = Instant::now();
        for n in 0..50 {
            let ns: Api<Namespace> = Api::all(admin.clone());
            ns.create(
                &PostParams::default(),
                &Namespace {
                    metadata: meta(&format!("team-{n}"), None),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }
        for i in 0..bindings {
            let ns = format!("team-{}", i % 50);
            let roles: Api<Role> = Api::namespaced(admin.clone(), &ns);
            roles
                .create(&PostParams::default(), &role(&format!("r-{i}"), &ns, "pods"))
                .await
                .unwrap();
            let rbs: Api<RoleBinding> = Api::namespaced(admin.clone(), &ns);
            rbs.create(
                &PostParams::default(),
                &binding(&format!("b-{i}"), &ns, &format!("r-{i}"), group(&format!("group-{i}"))),
            )
            .await
            .unwrap();
        }
        let roles: Api<Role> = Api::namespaced(admin.clone(), "default");
        roles
            .create(&PostParams::default(), &role("cm-reader", "default", "configmaps"))
            .await
            .unwrap();
        let rbs: Api<RoleBinding> = Api::namespaced(admin.clone(), "default");
        let reader = Subject {
            kind: "ServiceAccount".into(),
            name: "reader".into(),
            namespace: Some("default".into()),
            ..Default::default()
        };
        rbs.create(
            &PostParams::default(),
            &binding("cm-reader", "default", "cm-reader", reader),
        )
        .await
        .unwrap();
        println!(
            "policy: {bindings} Roles and {bindings} RoleBindings in 50 namespaces written in {:.2}s",
            started.elapsed().as_secs_f64()
        );
        let sa = token_client(&dir, &admin).await;

        // Warm both paths, then measure each in turn, the one first in a round second in the next.
        reads(&admin, &names, pid).await;
        reads(&sa, &names, pid).await;
        for round in 1..=4 {
            let order = if round % 2 == 1 { [("admin token", &admin), ("service account token", &sa)] } else { [("service account token", &sa), ("admin token", &admin)] };
            for (who, client) in order {
                let (rps, cpu, p50, p99) = reads(client, &names, pid).await;
                println!(
                    "round {round}: {who:<22} {rps:>6.0} gets/s, server CPU {cpu:?} a get, p50 {p50:?}, p99 {p99:?}"
                );
            }
        }

        // An RBAC write before every read: each read compiles the policy again. Beside it, the same reads
        // one at a time with no write between them.
        let sa_cms: Api<ConfigMap> = Api::namespaced(sa.clone(), "default");
        let one_at_a_time = |api: Api<ConfigMap>| {
            let name = names[0].clone();
            async move {
                let mut latencies = Vec::new();
                for _ in 0..500 {
                    let t = Instant::now();
                    api.get(&name).await.unwrap();
                    latencies.push(t.elapsed());
                }
                latencies.sort();
                latencies
            }
        };
        let admin_alone = one_at_a_time(cms.clone()).await;
        let alone = one_at_a_time(sa_cms.clone()).await;
        println!(
            "one read at a time: admin p50 {:?}, service account p50 {:?}",
            percentile(&admin_alone, 0.5),
            percentile(&alone, 0.5)
        );
        let mut after_write = Vec::new();
        for i in 0..100 {
            roles
                .create(
                    &PostParams::default(),
                    &role(&format!("churn-{i}"), "default", "secrets"),
                )
                .await
                .unwrap();
            let t = Instant::now();
            sa_cms.get(&names[0]).await.unwrap();
            after_write.push(t.elapsed());
        }
        after_write.sort();
        println!(
            "a service account's read right after an RBAC write (policy compiled again over {} objects): p50 {:?}, max {:?}",
            2 * bindings + 100,
            percentile(&after_write, 0.5),
            after_write[after_write.len() - 1]
        );
    });
    server.kill().unwrap();
    server.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
