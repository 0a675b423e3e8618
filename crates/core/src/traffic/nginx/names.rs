//! Names and keys: the canary Ingress's name, the Ingress references, and the annotation keys under
//! the configured prefix.

use crate::traffic::ObjectRef;

/// Ingresses are read and written as `networking.k8s.io/v1` only: `extensions/v1beta1` is no longer
/// served by any supported cluster.
pub(super) const INGRESS_API_VERSION: &str = "networking.k8s.io/v1";

/// The Ingress kind.
pub(super) const INGRESS_KIND: &str = "Ingress";

/// The annotation older ingress-nginx versions select their Ingresses by; the canary must carry the
/// stable's value or the controller would not pick the canary up.
pub(super) const INGRESS_CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";

/// `annotationPrefix` when unset.
pub(super) const DEFAULT_ANNOTATION_PREFIX: &str = "nginx.ingress.kubernetes.io";

/// The suffix of every canary Ingress name.
const CANARY_SUFFIX: &str = "-canary";

/// Longest object name the API server accepts (a DNS subdomain).
const MAX_NAME_LENGTH: usize = 253;

/// The canary Ingress of a stable Ingress: `<rollout>-<stableIngress>-canary`, the
/// `<rollout>-<stableIngress>` part cut so that the whole stays within 253 characters (upstream
/// `GetCanaryIngressName`). An empty stable name has no canary.
pub(super) fn canary_ingress_name(rollout: &str, stable_ingress: &str) -> String {
    if stable_ingress.is_empty() {
        return String::new();
    }
    let mut prefix = format!("{rollout}-{stable_ingress}");
    let limit = MAX_NAME_LENGTH - CANARY_SUFFIX.len();
    if prefix.len() > limit {
        // Object names are ASCII; the boundary search only guards against a panic on other input.
        let cut = (0..=limit).rev().find(|&i| prefix.is_char_boundary(i)).unwrap_or(0);
        prefix.truncate(cut);
    }
    prefix + CANARY_SUFFIX
}

/// The reference of an Ingress in the Rollout's namespace.
pub(super) fn ingress_ref(namespace: &str, name: &str) -> ObjectRef {
    ObjectRef::new(INGRESS_API_VERSION, INGRESS_KIND, namespace, name)
}

/// The canary annotation keys under one prefix.
#[derive(Debug, Clone)]
pub(super) struct Keys {
    prefix: String,
}

impl Keys {
    /// The keys under `prefix` (the default prefix when empty).
    pub(super) fn new(prefix: Option<&str>) -> Self {
        let prefix = prefix.filter(|p| !p.is_empty()).unwrap_or(DEFAULT_ANNOTATION_PREFIX);
        Self {
            prefix: prefix.to_string(),
        }
    }

    /// `<prefix>/<name>`.
    pub(super) fn key(&self, name: &str) -> String {
        format!("{}/{name}", self.prefix)
    }

    /// An `additionalIngressAnnotations` key: prefixed unless it already starts with the prefix.
    pub(super) fn additional(&self, key: &str) -> String {
        if key.starts_with(&self.prefix) {
            key.to_string()
        } else {
            self.key(key)
        }
    }

    /// `<prefix>/canary`.
    pub(super) fn canary(&self) -> String {
        self.key("canary")
    }

    /// `<prefix>/canary-weight`.
    pub(super) fn weight(&self) -> String {
        self.key("canary-weight")
    }

    /// `<prefix>/canary-weight-total`.
    pub(super) fn weight_total(&self) -> String {
        self.key("canary-weight-total")
    }

    /// `<prefix>/canary-by-header`.
    pub(super) fn by_header(&self) -> String {
        self.key("canary-by-header")
    }

    /// `<prefix>/canary-by-header-value`.
    pub(super) fn by_header_value(&self) -> String {
        self.key("canary-by-header-value")
    }

    /// `<prefix>/canary-by-header-pattern`.
    pub(super) fn by_header_pattern(&self) -> String {
        self.key("canary-by-header-pattern")
    }
}
