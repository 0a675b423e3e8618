//! Authentication and authorization, as kube-apiserver does them for bearer tokens and RBAC.
//!
//! The kubeconfig's token is the cluster admin's and is checked by the server before anything here (it
//! costs a comparison, as it always has). Every other token is a service account's ([`tokens`]), valid as
//! long as the service account (and the Secret or pod it is bound to) still exists with the uid it names.
//! Requests by anyone but the admin are then authorized by the RBAC [`policy`], compiled from the stored
//! Roles, ClusterRoles and bindings and rebuilt when one of them changes. The dev cluster's own
//! controllers call the handlers directly and are not subject to any of it.

pub mod aggregation;
pub mod attributes;
pub mod audit;
pub mod bootstrap;
pub mod controller;
pub mod escalation;
pub mod identity;
pub mod impersonation;
pub mod policy;
pub mod tokens;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use base64::Engine;
use serde_json::Value;

use crate::store::{Key, Store};
use attributes::Attributes;
use identity::UserInfo;
use policy::{Decision, Objects, Policy};
use tokens::{Credential, SigningKey, TokenClaims};

/// Where RBAC objects are stored; a write under it invalidates the compiled policy.
const RBAC_PREFIX: &str = "/rbac.authorization.k8s.io/";
/// The Secret type of legacy service account tokens.
pub const TOKEN_SECRET_TYPE: &str = "kubernetes.io/service-account-token";
/// The Secret annotation naming the service account of a legacy token.
pub const SERVICE_ACCOUNT_NAME_ANNOTATION: &str = "kubernetes.io/service-account.name";
/// The Secret annotation holding the uid of that service account.
pub const SERVICE_ACCOUNT_UID_ANNOTATION: &str = "kubernetes.io/service-account.uid";
/// Most verified tokens remembered (the cache starts over when full).
const VERIFIED_TOKENS: usize = 4096;

/// A policy and the count of RBAC writes it reflects.
struct Compiled {
    writes: u64,
    policy: Arc<Policy>,
}

/// The server's authentication and authorization state.
pub struct Auth {
    key: SigningKey,
    ca_pem: String,
    rbac_writes: Arc<AtomicU64>,
    compiled: RwLock<Option<Compiled>>,
    rebuilding: Mutex<()>,
    /// Tokens whose signature was checked, with what they say: checking it again is most of the cost of
    /// authenticating. Only tokens that verified get in, so garbage cannot fill it.
    verified: Mutex<HashMap<String, Arc<Verified>>>,
}

fn key(prefix: &str, namespace: &str, name: &str) -> Key {
    Key {
        prefix: prefix.to_string(),
        namespace: Some(namespace.to_string()),
        name: name.to_string(),
    }
}

fn uid_of(obj: &Value) -> &str {
    obj.pointer("/metadata/uid").and_then(Value::as_str).unwrap_or_default()
}

fn is_deleting(obj: &Value) -> bool {
    obj.pointer("/metadata/deletionTimestamp").is_some()
}

impl Auth {
    /// The state for a server over `store`, signing tokens with `key`; `ca_pem` goes into token Secrets.
    pub fn new(store: &Store, key: SigningKey, ca_pem: String) -> Self {
        Auth {
            key,
            ca_pem,
            rbac_writes: store.write_counter(RBAC_PREFIX),
            compiled: RwLock::new(None),
            rebuilding: Mutex::new(()),
            verified: Mutex::new(HashMap::new()),
        }
    }

    /// The key tokens are signed with.
    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    /// The cluster's CA certificate (PEM).
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The policy as of the newest RBAC write, compiled again only if one happened since the last time.
    pub fn policy(&self, store: &Store) -> Arc<Policy> {
        let writes = self.rbac_writes.load(Ordering::Acquire);
        if let Some(policy) = self.current(writes) {
            return policy;
        }
        // One compiles while the others wait for its result rather than compiling too.
        let _rebuilding = self
            .rebuilding
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let writes = self.rbac_writes.load(Ordering::Acquire);
        if let Some(policy) = self.current(writes) {
            return policy;
        }
        // The count is read before the objects: a write landing meanwhile leaves the policy stale by
        // one count, so the next request compiles again.
        let policy = Arc::new(compile(store));
        *self.compiled.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Compiled {
            writes,
            policy: Arc::clone(&policy),
        });
        policy
    }

    fn current(&self, writes: u64) -> Option<Arc<Policy>> {
        let compiled = self.compiled.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        compiled
            .as_ref()
            .filter(|c| c.writes == writes)
            .map(|c| Arc::clone(&c.policy))
    }

    /// Whether `user` may do what `attrs` say.
    pub fn authorize(&self, store: &Store, user: &UserInfo, attrs: &Attributes) -> Decision {
        if user.is_privileged() {
            return Decision {
                allowed: true,
                reason: String::new(),
            };
        }
        self.policy(store).authorize(user, attrs)
    }

    /// The service account a token belongs to, if it is valid now.
    pub fn authenticate(&self, store: &Store, token: &str) -> Option<Arc<UserInfo>> {
        let now = jiff::Timestamp::now().as_second();
        let lock = || self.verified.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Keyed by the signature (short, and as unique as the token); the whole token must match too.
        let signature = token.rsplit('.').next().unwrap_or_default();
        let cached = lock().get(signature).filter(|v| v.token == token).cloned();
        let verified = match cached {
            Some(verified) => verified,
            None => {
                let verified = Arc::new(Verified::new(token, self.key.verify(token, now).ok()?));
                let mut cache = lock();
                if cache.len() >= VERIFIED_TOKENS {
                    cache.clear();
                }
                cache.insert(signature.to_string(), Arc::clone(&verified));
                verified
            }
        };
        if verified.claims.expires.is_some_and(|at| at <= now) || !verified.is_live(store) {
            return None;
        }
        Some(Arc::clone(&verified.user))
    }
}

/// A token whose signature was checked: what it says, and who it authenticates while it is live.
struct Verified {
    token: String,
    claims: TokenClaims,
    user: Arc<UserInfo>,
    /// For a legacy token, the token as its Secret stores it (base64).
    stored_form: String,
}

impl Verified {
    fn new(token: &str, claims: TokenClaims) -> Self {
        let account = &claims.account;
        let mut user = UserInfo::service_account(&account.namespace, &account.name, &account.uid);
        let mut stored_form = String::new();
        match &claims.credential {
            Credential::Legacy { .. } => {
                stored_form = base64::engine::general_purpose::STANDARD.encode(token);
            }
            Credential::Bound { id, bound } => {
                if let Some(bound) = bound.as_ref().filter(|b| b.kind == "Pod") {
                    user.extra
                        .insert("authentication.kubernetes.io/pod-name".into(), vec![bound.name.clone()]);
                    user.extra
                        .insert("authentication.kubernetes.io/pod-uid".into(), vec![bound.uid.clone()]);
                }
                user.extra.insert(
                    "authentication.kubernetes.io/credential-id".into(),
                    vec![format!("JTI={id}")],
                );
            }
        }
        Verified {
            token: token.to_string(),
            claims,
            user: Arc::new(user),
            stored_form,
        }
    }

    /// Whether the objects the token depends on are there: the service account with the uid it names,
    /// and the Secret of a legacy token (holding this very token) or the object a bound token is bound to.
    fn is_live(&self, store: &Store) -> bool {
        let account = &self.claims.account;
        let live = |prefix: &str, name: &str, uid: &str| {
            store
                .get(&key(prefix, &account.namespace, name))
                .is_some_and(|s| uid_of(&s.object) == uid && !is_deleting(&s.object))
        };
        if !live("/core/serviceaccounts", &account.name, &account.uid) {
            return false;
        }
        match &self.claims.credential {
            Credential::Legacy { secret } => store
                .get(&key("/core/secrets", &account.namespace, secret))
                .is_some_and(|s| {
                    !is_deleting(&s.object)
                        && s.object.pointer("/data/token").and_then(Value::as_str) == Some(self.stored_form.as_str())
                }),
            Credential::Bound { bound: None, .. } => true,
            Credential::Bound { bound: Some(bound), .. } => match bound.kind.as_str() {
                "Pod" => live("/core/pods", &bound.name, &bound.uid),
                "Secret" => live("/core/secrets", &bound.name, &bound.uid),
                _ => false,
            },
        }
    }
}

fn compile(store: &Store) -> Policy {
    let list = |plural: &str| store.list(&format!("{RBAC_PREFIX}{plural}"), None).0;
    let (cluster_roles, roles) = (list("clusterroles"), list("roles"));
    let (cluster_role_bindings, role_bindings) = (list("clusterrolebindings"), list("rolebindings"));
    let objects = Objects {
        cluster_roles: cluster_roles.iter().map(|s| s.object.as_ref()).collect(),
        roles: roles.iter().map(|s| s.object.as_ref()).collect(),
        cluster_role_bindings: cluster_role_bindings.iter().map(|s| s.object.as_ref()).collect(),
        role_bindings: role_bindings.iter().map(|s| s.object.as_ref()).collect(),
    };
    Policy::build(&objects)
}
