//! Printers for Service, Endpoints and Ingress.

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde_json::Value;

use super::Row;
use super::fields::{age_cell, array_at, int_at, name, str_at};
use crate::selectors::format_labels;

fn row(cells: Vec<Value>) -> Row {
    Row {
        cells,
        conditions: Vec::new(),
    }
}

/// Load-balancer ingress points (IP, else hostname), sorted and de-duplicated.
fn load_balancer_addresses(obj: &Value) -> String {
    let set: BTreeSet<&str> = array_at(obj, "/status/loadBalancer/ingress")
        .iter()
        .map(|i| {
            if str_at(i, "/ip").is_empty() {
                str_at(i, "/hostname")
            } else {
                str_at(i, "/ip")
            }
        })
        .filter(|s| !s.is_empty())
        .collect();
    set.into_iter().collect::<Vec<_>>().join(",")
}

fn external_ip(svc: &Value, svc_type: &str) -> String {
    let external: Vec<&str> = array_at(svc, "/spec/externalIPs")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    match svc_type {
        "ClusterIP" | "NodePort" => {
            if external.is_empty() {
                "<none>".to_string()
            } else {
                external.join(",")
            }
        }
        "LoadBalancer" => {
            let lb = load_balancer_addresses(svc);
            if !external.is_empty() {
                let mut all: Vec<&str> = lb.split(',').filter(|s| !s.is_empty()).collect();
                all.extend(external);
                all.join(",")
            } else if !lb.is_empty() {
                lb
            } else {
                "<pending>".to_string()
            }
        }
        "ExternalName" => str_at(svc, "/spec/externalName").to_string(),
        _ => "<unknown>".to_string(),
    }
}

fn ports(svc: &Value) -> String {
    let pieces: Vec<String> = array_at(svc, "/spec/ports")
        .iter()
        .map(|p| {
            let protocol = match str_at(p, "/protocol") {
                "" => "TCP",
                other => other,
            };
            match int_at(p, "/nodePort") {
                n if n > 0 => format!("{}:{n}/{protocol}", int_at(p, "/port")),
                _ => format!("{}/{protocol}", int_at(p, "/port")),
            }
        })
        .collect();
    if pieces.is_empty() {
        "<none>".to_string()
    } else {
        pieces.join(",")
    }
}

/// NAME, TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S), AGE, SELECTOR.
pub(crate) fn service(svc: &Value, now: Timestamp) -> Row {
    let svc_type = match str_at(svc, "/spec/type") {
        "" => "ClusterIP",
        other => other,
    };
    let cluster_ip = [str_at(svc, "/spec/clusterIPs/0"), str_at(svc, "/spec/clusterIP")]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or("<none>");
    row(vec![
        name(svc),
        Value::from(svc_type),
        Value::from(cluster_ip),
        Value::from(external_ip(svc, svc_type)),
        Value::from(ports(svc)),
        age_cell(svc, now),
        Value::from(format_labels(svc.pointer("/spec/selector").and_then(Value::as_object))),
    ])
}

fn host_port(ip: &str, port: i64) -> String {
    if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    }
}

/// Up to three `ip:port` endpoints, then `+ N more...`; `<none>` without subsets.
fn format_endpoints(ep: &Value) -> String {
    let subsets = array_at(ep, "/subsets");
    if subsets.is_empty() {
        return "<none>".to_string();
    }
    const MAX: usize = 3;
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0usize;
    for subset in subsets {
        let addresses = array_at(subset, "/addresses");
        let ports = array_at(subset, "/ports");
        if ports.is_empty() {
            count += addresses.len();
            for a in addresses {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(str_at(a, "/ip").to_string());
            }
            continue;
        }
        for port in ports {
            count += addresses.len();
            for a in addresses {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(host_port(str_at(a, "/ip"), int_at(port, "/port")));
            }
        }
    }
    let joined = list.join(",");
    if more {
        format!("{joined} + {} more...", count - MAX)
    } else {
        joined
    }
}

/// NAME, ENDPOINTS, AGE.
pub(crate) fn endpoints(ep: &Value, now: Timestamp) -> Row {
    row(vec![name(ep), Value::from(format_endpoints(ep)), age_cell(ep, now)])
}

fn ingress_hosts(ing: &Value) -> String {
    const MAX: usize = 3;
    let rules = array_at(ing, "/spec/rules");
    let mut list: Vec<&str> = Vec::new();
    let mut more = false;
    for rule in rules {
        if list.len() == MAX {
            more = true;
        }
        let host = str_at(rule, "/host");
        if !more && !host.is_empty() {
            list.push(host);
        }
    }
    if list.is_empty() {
        return "*".to_string();
    }
    let joined = list.join(",");
    if more {
        format!("{joined} + {} more...", rules.len() - MAX)
    } else {
        joined
    }
}

/// NAME, CLASS, HOSTS, ADDRESS, PORTS, AGE.
pub(crate) fn ingress(ing: &Value, now: Timestamp) -> Row {
    let class = match ing.pointer("/spec/ingressClassName").and_then(Value::as_str) {
        Some(c) => c.to_string(),
        None => "<none>".to_string(),
    };
    let ports = if array_at(ing, "/spec/tls").is_empty() {
        "80"
    } else {
        "80, 443"
    };
    row(vec![
        name(ing),
        Value::from(class),
        Value::from(ingress_hosts(ing)),
        Value::from(load_balancer_addresses(ing)),
        Value::from(ports),
        age_cell(ing, now),
    ])
}
