//! Service account tokens through the real kubectl: `kubectl create token` (TokenRequest), token Secrets
//! filled in as kube-controller-manager fills them, tokens dying with their service account or Secret,
//! and living on across a restart. What a token without any role may do is what kube-apiserver lets it:
//! discovery and self-reviews, and Forbidden for the rest, in kube-apiserver's words.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::time::Duration;

use base64::Engine;
use common::{
    kubeconfig_with_token, kubectl_err, kubectl_with, kubectl_with_err, kubectl_with_ok, service_account_kubeconfig,
    wait_for,
};
use rollouts_devcluster::testing::{TestCluster, kubectl_available};

const UNAUTHORIZED: &str = "error: You must be logged in to the server (Unauthorized)\n";

fn claims(token: &str) -> serde_json::Value {
    let payload = token.trim().split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn a_token_without_roles_is_refused_in_kube_apiservers_words() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    let bot = service_account_kubeconfig(&tc, "default", "bot");
    let user = "system:serviceaccount:default:bot";
    // Who the token is, by the self review every authenticated identity may make.
    let whoami = kubectl_with_ok(&tc, &bot, &["auth", "whoami", "-o", "jsonpath={.status.userInfo}"]);
    let info: serde_json::Value = serde_json::from_str(&whoami).unwrap();
    assert_eq!(info["username"], user);
    assert_eq!(
        info["groups"],
        serde_json::json!([
            "system:serviceaccounts",
            "system:serviceaccounts:default",
            "system:authenticated"
        ])
    );
    // Discovery is everyone's.
    assert!(kubectl_with_ok(&tc, &bot, &["api-resources", "-o", "name"]).contains("pods\n"));
    kubectl_with_ok(&tc, &bot, &["get", "--raw", "/version"]);
    for (args, message) in [
        (
            vec!["get", "pods"],
            format!(
                "pods is forbidden: User \"{user}\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
            ),
        ),
        (
            vec!["get", "pod", "p1"],
            format!(
                "pods \"p1\" is forbidden: User \"{user}\" cannot get resource \"pods\" in API group \"\" in the namespace \"default\""
            ),
        ),
        (
            vec!["get", "--raw", "/api/v1/namespaces/default/pods/p1/log"],
            format!(
                "pods \"p1\" is forbidden: User \"{user}\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"default\""
            ),
        ),
        (
            vec!["get", "namespaces"],
            format!(
                "namespaces is forbidden: User \"{user}\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope"
            ),
        ),
        (
            vec!["get", "deployments", "-n", "kube-system"],
            format!(
                "deployments.apps is forbidden: User \"{user}\" cannot list resource \"deployments\" in API group \"apps\" in the namespace \"kube-system\""
            ),
        ),
        (
            vec!["get", "--raw", "/metrics"],
            format!("forbidden: User \"{user}\" cannot get path \"/metrics\""),
        ),
    ] {
        assert_eq!(
            kubectl_with_err(&tc, &bot, &args),
            format!("Error from server (Forbidden): {message}\n"),
            "{args:?}"
        );
    }
    // The Status itself: reason and details.
    let token = std::fs::read_to_string(&bot).unwrap();
    let token = token
        .lines()
        .find_map(|l| l.trim().strip_prefix("token: "))
        .unwrap()
        .to_string();
    let auth = format!("Bearer {token}");
    let answer = tc
        .request(
            "GET",
            "/api/v1/namespaces/default/configmaps/c1",
            &[("Authorization", auth.as_str())],
            b"",
        )
        .unwrap();
    assert_eq!(answer.status, 403, "{answer:?}");
    let status = answer.json();
    assert_eq!(status["reason"], "Forbidden");
    assert_eq!(
        status["details"],
        serde_json::json!({"name": "c1", "kind": "configmaps"})
    );
}

#[test]
fn token_requests_take_a_duration_and_name_a_missing_service_account() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    tc.kubectl_ok(&["create", "namespace", "team"]);
    tc.kubectl_ok(&["create", "serviceaccount", "bot", "-n", "team"]);
    let token = tc.kubectl_ok(&["create", "token", "bot", "-n", "team", "--duration", "2h"]);
    let c = claims(&token);
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 7200);
    assert_eq!(c["sub"], "system:serviceaccount:team:bot");
    assert_eq!(c["kubernetes.io"]["namespace"], "team");
    let uid = common::jsonpath(&tc, &["sa", "bot", "-n", "team"], "{.metadata.uid}");
    assert_eq!(c["kubernetes.io"]["serviceaccount"]["uid"], uid.as_str());
    // An hour when no duration is asked for.
    let c = claims(&tc.kubectl_ok(&["create", "token", "bot", "-n", "team"]));
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 3600);
    assert_eq!(
        kubectl_err(&tc, &["create", "token", "nobody", "-n", "team"]),
        "error: failed to create token: serviceaccounts \"nobody\" not found\n"
    );
    let err = kubectl_err(&tc, &["create", "token", "bot", "-n", "team", "--duration", "5m"]);
    assert!(
        err.contains("spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes"),
        "{err}"
    );
    // The token works, and stops working when its service account goes.
    let kubeconfig = kubeconfig_with_token(&tc, "bot", token.trim());
    kubectl_with_ok(&tc, &kubeconfig, &["auth", "whoami"]);
    tc.kubectl_ok(&["delete", "serviceaccount", "bot", "-n", "team"]);
    assert_eq!(kubectl_with_err(&tc, &kubeconfig, &["auth", "whoami"]), UNAUTHORIZED);
    // A service account of the same name is another one: the old token stays refused.
    tc.kubectl_ok(&["create", "serviceaccount", "bot", "-n", "team"]);
    assert_eq!(
        kubectl_with_err(&tc, &kubeconfig, &["get", "--raw", "/version"]),
        UNAUTHORIZED
    );
}

const TOKEN_SECRET: &str = "apiVersion: v1
kind: Secret
metadata:
  name: bot-token
  annotations:
    kubernetes.io/service-account.name: bot
type: kubernetes.io/service-account-token
";

fn secret_data(tc: &TestCluster, key: &str) -> String {
    let encoded = common::jsonpath(
        tc,
        &["secret", "bot-token"],
        &format!("{{.data.{}}}", key.replace('.', "\\.")),
    );
    String::from_utf8(base64::engine::general_purpose::STANDARD.decode(encoded).unwrap()).unwrap()
}

#[test]
fn token_secrets_are_filled_in_and_die_with_the_secret_or_the_service_account() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    tc.kubectl_ok(&["create", "serviceaccount", "bot"]);
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], TOKEN_SECRET);
    wait_for("the token Secret to be filled in", Duration::from_secs(5), || {
        !common::jsonpath(&tc, &["secret", "bot-token"], "{.data.token}").is_empty()
    });
    assert_eq!(secret_data(&tc, "namespace"), "default");
    assert_eq!(secret_data(&tc, "ca.crt"), tc.cluster().ca_pem);
    let uid = common::jsonpath(&tc, &["sa", "bot"], "{.metadata.uid}");
    assert_eq!(
        common::jsonpath(
            &tc,
            &["secret", "bot-token"],
            "{.metadata.annotations.kubernetes\\.io/service-account\\.uid}"
        ),
        uid
    );
    let token = secret_data(&tc, "token");
    assert_eq!(claims(&token)["kubernetes.io/serviceaccount/secret.name"], "bot-token");
    let kubeconfig = kubeconfig_with_token(&tc, "legacy", &token);
    assert!(kubectl_with_ok(&tc, &kubeconfig, &["auth", "whoami"]).contains("system:serviceaccount:default:bot"));
    // Deleting the Secret revokes its token.
    tc.kubectl_ok(&["delete", "secret", "bot-token"]);
    assert_eq!(kubectl_with_err(&tc, &kubeconfig, &["auth", "whoami"]), UNAUTHORIZED);

    // A new token Secret, then the service account goes: the Secret goes with it.
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], TOKEN_SECRET);
    wait_for("the token Secret to be filled in again", Duration::from_secs(5), || {
        !common::jsonpath(&tc, &["secret", "bot-token"], "{.data.token}").is_empty()
    });
    let kubeconfig = kubeconfig_with_token(&tc, "legacy-2", &secret_data(&tc, "token"));
    kubectl_with_ok(&tc, &kubeconfig, &["auth", "whoami"]);
    tc.kubectl_ok(&["delete", "serviceaccount", "bot"]);
    assert_eq!(kubectl_with_err(&tc, &kubeconfig, &["auth", "whoami"]), UNAUTHORIZED);
    wait_for(
        "the token Secret to follow its service account",
        Duration::from_secs(5),
        || common::is_gone(&tc, &["secret", "bot-token"]),
    );
    // A token Secret for a service account that does not exist yet waits for it.
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], TOKEN_SECRET);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(common::jsonpath(&tc, &["secret", "bot-token"], "{.data.token}"), "");
    tc.kubectl_ok(&["create", "serviceaccount", "bot"]);
    wait_for(
        "the waiting token Secret to be filled in",
        Duration::from_secs(5),
        || !common::jsonpath(&tc, &["secret", "bot-token"], "{.data.token}").is_empty(),
    );
}

#[test]
fn tokens_outlive_a_restart_of_the_cluster() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    let bot = service_account_kubeconfig(&tc, "default", "bot");
    kubectl_with_ok(&tc, &bot, &["auth", "whoami"]);
    let key = tc.dir().join("service-account.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let tc = tc.restart().unwrap();
    assert!(kubectl_with_ok(&tc, &bot, &["auth", "whoami"]).contains("system:serviceaccount:default:bot"));
    // Garbage is still refused.
    let forged = kubeconfig_with_token(&tc, "forged", "eyJhbGciOiJIUzI1NiJ9.e30.c2ln");
    assert_eq!(kubectl_with_err(&tc, &forged, &["auth", "whoami"]), UNAUTHORIZED);
    let out = kubectl_with(&tc, &forged, &["get", "pods"]);
    assert!(!out.status.success());
}
