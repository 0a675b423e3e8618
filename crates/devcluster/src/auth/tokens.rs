//! Service account tokens: JWTs in the two forms kube-apiserver issues, signed with a key kept in the
//! data directory (HMAC-SHA256: one process both signs and verifies, so a shared secret is enough, and it
//! survives restarts with the data).
//!
//! - Bound tokens (TokenRequest): an audience, an expiry, and optionally the pod or secret they are bound to.
//! - Legacy tokens: the token of a `kubernetes.io/service-account-token` Secret, with no expiry.
//!
//! Verifying checks the signature, the time and the audience. Whether the service account (and the object
//! a token is bound to) still exists with the uid the token names is for the caller, who has the store.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::hmac;
use serde_json::{Value, json};

use super::identity::service_account_username;

/// The issuer of bound tokens, and the audience the API server accepts (kubeadm's defaults).
pub const ISSUER: &str = "https://kubernetes.default.svc.cluster.local";
/// The issuer kube-apiserver writes into legacy Secret tokens.
const LEGACY_ISSUER: &str = "kubernetes/serviceaccount";
/// Clock skew tolerated on `nbf`.
const NOT_BEFORE_LEEWAY_SECS: i64 = 60;
const SECRET_BYTES: usize = 32;

/// The service account a token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAccountRef {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Its uid when the token was issued.
    pub uid: String,
}

/// The object a bound token lives only as long as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundObject {
    /// `Pod` or `Secret`.
    pub kind: String,
    /// Its name (in the service account's namespace).
    pub name: String,
    /// Its uid.
    pub uid: String,
}

/// How a token was issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// By a TokenRequest.
    Bound {
        /// The token's id (`jti`).
        id: String,
        /// The object it is bound to, if any.
        bound: Option<BoundObject>,
    },
    /// Into a Secret of type `kubernetes.io/service-account-token`.
    Legacy {
        /// The Secret's name.
        secret: String,
    },
}

/// What a verified token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenClaims {
    /// Whose token it is.
    pub account: ServiceAccountRef,
    /// How it was issued.
    pub credential: Credential,
    /// When it expires (Unix seconds); never for legacy tokens.
    pub expires: Option<i64>,
}

/// Why a token is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a JWT of a form this server issues.
    #[error("malformed token")]
    Malformed,
    /// The signature does not match.
    #[error("invalid signature")]
    Signature,
    /// Past its `exp`.
    #[error("token has expired")]
    Expired,
    /// Before its `nbf`.
    #[error("token is not valid yet")]
    NotYetValid,
    /// Issued for another audience.
    #[error("token audiences do not include the API server")]
    Audience,
}

/// What a TokenRequest asks for.
#[derive(Debug, Clone)]
pub struct BoundRequest {
    /// Whose token.
    pub account: ServiceAccountRef,
    /// Its audiences.
    pub audiences: Vec<String>,
    /// Unix seconds of issue.
    pub issued_at: i64,
    /// Lifetime in seconds.
    pub expiration_seconds: i64,
    /// The object it is bound to.
    pub bound: Option<BoundObject>,
}

/// The key tokens are signed with.
pub struct SigningKey {
    key: hmac::Key,
    key_id: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret stays out of logs.
        f.debug_struct("SigningKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

fn random_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    if getrandom::fill(&mut secret).is_err() {
        // No OS randomness: a uid is still unpredictable enough for a loopback development cluster.
        secret = crate::object::new_uid().into_bytes();
    }
    secret
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

impl SigningKey {
    /// A new random key (a cluster kept in memory).
    pub fn generate() -> Self {
        Self::from_secret(&random_secret())
    }

    /// The key stored at `path`, or a new one stored there (readable by its owner only), so that tokens
    /// outlive a restart on the same data.
    pub fn load_or_create(path: &Path) -> std::io::Result<Self> {
        if let Ok(text) = std::fs::read_to_string(path)
            && let Some(secret) = unhex(&text).filter(|s| s.len() >= SECRET_BYTES)
        {
            return Ok(Self::from_secret(&secret));
        }
        let secret = random_secret();
        crate::datadir::write_private(path, hex(&secret).as_bytes())?;
        Ok(Self::from_secret(&secret))
    }

    fn from_secret(secret: &[u8]) -> Self {
        let digest = ring::digest::digest(&ring::digest::SHA256, secret);
        SigningKey {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            key_id: URL_SAFE_NO_PAD.encode(&digest.as_ref()[..16]),
        }
    }

    fn sign(&self, claims: &Value) -> String {
        let header = json!({ "alg": "HS256", "kid": self.key_id, "typ": "JWT" });
        let mut token = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let tag = hmac::sign(&self.key, token.as_bytes());
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(tag.as_ref()));
        token
    }

    /// A bound token and its id, with kube-apiserver's claims.
    pub fn issue_bound(&self, request: &BoundRequest) -> (String, String) {
        let account = &request.account;
        let id = crate::object::new_uid();
        let mut kubernetes = json!({
            "namespace": account.namespace,
            "serviceaccount": { "name": account.name, "uid": account.uid },
        });
        if let Some(bound) = &request.bound {
            kubernetes[bound.kind.to_lowercase()] = json!({ "name": bound.name, "uid": bound.uid });
        }
        let claims = json!({
            "aud": request.audiences,
            "exp": request.issued_at + request.expiration_seconds,
            "iat": request.issued_at,
            "iss": ISSUER,
            "jti": id,
            "kubernetes.io": kubernetes,
            "nbf": request.issued_at,
            "sub": service_account_username(&account.namespace, &account.name),
        });
        (self.sign(&claims), id)
    }

    /// A legacy token for the Secret `secret`, with the claims kube-controller-manager writes.
    pub fn issue_legacy(&self, account: &ServiceAccountRef, secret: &str) -> String {
        let claims = json!({
            "iss": LEGACY_ISSUER,
            "kubernetes.io/serviceaccount/namespace": account.namespace,
            "kubernetes.io/serviceaccount/secret.name": secret,
            "kubernetes.io/serviceaccount/service-account.name": account.name,
            "kubernetes.io/serviceaccount/service-account.uid": account.uid,
            "sub": service_account_username(&account.namespace, &account.name),
        });
        self.sign(&claims)
    }

    /// Checks a token's signature, and for bound tokens their time and audience, at `now` (Unix seconds).
    pub fn verify(&self, token: &str, now: i64) -> Result<TokenClaims, TokenError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| TokenError::Malformed)?;
        let signed = &token[..header.len() + 1 + payload.len()];
        hmac::verify(&self.key, signed.as_bytes(), &signature).map_err(|_| TokenError::Signature)?;
        let header = decode_json(header)?;
        if header.get("alg").and_then(Value::as_str) != Some("HS256") {
            return Err(TokenError::Malformed);
        }
        let claims = decode_json(payload)?;
        match claims.get("iss").and_then(Value::as_str) {
            Some(LEGACY_ISSUER) => legacy_claims(&claims),
            Some(ISSUER) => bound_claims(&claims, now),
            _ => Err(TokenError::Malformed),
        }
    }
}

fn decode_json(segment: &str) -> Result<Value, TokenError> {
    let bytes = URL_SAFE_NO_PAD.decode(segment).map_err(|_| TokenError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)
}

fn text<'a>(v: &'a Value, pointer: &str) -> Result<&'a str, TokenError> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or(TokenError::Malformed)
}

fn checked_subject(claims: &Value, account: ServiceAccountRef) -> Result<ServiceAccountRef, TokenError> {
    if text(claims, "/sub")? != service_account_username(&account.namespace, &account.name) {
        return Err(TokenError::Malformed);
    }
    Ok(account)
}

fn legacy_claims(claims: &Value) -> Result<TokenClaims, TokenError> {
    // The claim names hold slashes, which JSON pointers escape as `~1`.
    let claim = |name: &str| text(claims, &format!("/kubernetes.io~1serviceaccount~1{name}"));
    let account = ServiceAccountRef {
        namespace: claim("namespace")?.to_string(),
        name: claim("service-account.name")?.to_string(),
        uid: claim("service-account.uid")?.to_string(),
    };
    Ok(TokenClaims {
        account: checked_subject(claims, account)?,
        credential: Credential::Legacy {
            secret: claim("secret.name")?.to_string(),
        },
        expires: None,
    })
}

fn bound_claims(claims: &Value, now: i64) -> Result<TokenClaims, TokenError> {
    let time = |name: &str| claims.get(name).and_then(Value::as_i64).ok_or(TokenError::Malformed);
    let expires = time("exp")?;
    if expires <= now {
        return Err(TokenError::Expired);
    }
    if time("nbf")? > now + NOT_BEFORE_LEEWAY_SECS {
        return Err(TokenError::NotYetValid);
    }
    let audiences = claims
        .get("aud")
        .and_then(Value::as_array)
        .ok_or(TokenError::Malformed)?;
    if !audiences.iter().any(|a| a.as_str() == Some(ISSUER)) {
        return Err(TokenError::Audience);
    }
    let account = ServiceAccountRef {
        namespace: text(claims, "/kubernetes.io/namespace")?.to_string(),
        name: text(claims, "/kubernetes.io/serviceaccount/name")?.to_string(),
        uid: text(claims, "/kubernetes.io/serviceaccount/uid")?.to_string(),
    };
    let bound = ["pod", "secret"].iter().find_map(|kind| {
        let object = claims.pointer(&format!("/kubernetes.io/{kind}"))?;
        Some(BoundObject {
            kind: if *kind == "pod" { "Pod" } else { "Secret" }.to_string(),
            name: object.get("name")?.as_str()?.to_string(),
            uid: object.get("uid")?.as_str()?.to_string(),
        })
    });
    Ok(TokenClaims {
        account: checked_subject(claims, account)?,
        credential: Credential::Bound {
            id: text(claims, "/jti")?.to_string(),
            bound,
        },
        expires: Some(expires),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> ServiceAccountRef {
        ServiceAccountRef {
            namespace: "prod".into(),
            name: "bot".into(),
            uid: "uid-1".into(),
        }
    }

    fn request(issued_at: i64, expiration_seconds: i64, audiences: &[&str]) -> BoundRequest {
        BoundRequest {
            account: account(),
            audiences: audiences.iter().map(|a| (*a).to_string()).collect(),
            issued_at,
            expiration_seconds,
            bound: None,
        }
    }

    #[test]
    fn bound_tokens_verify_until_they_expire() {
        let key = SigningKey::generate();
        let (token, id) = key.issue_bound(&request(1000, 600, &[ISSUER]));
        let claims = key.verify(&token, 1000).unwrap();
        assert_eq!(claims.account, account());
        assert_eq!(claims.credential, Credential::Bound { id, bound: None });
        assert_eq!(claims.expires, Some(1600));
        assert!(key.verify(&token, 1599).is_ok());
        assert_eq!(key.verify(&token, 1600), Err(TokenError::Expired));
        assert_eq!(key.verify(&token, 900), Err(TokenError::NotYetValid));
    }

    #[test]
    fn tokens_for_other_audiences_are_refused() {
        let key = SigningKey::generate();
        let (token, _) = key.issue_bound(&request(1000, 3600, &["vault"]));
        assert_eq!(key.verify(&token, 1000), Err(TokenError::Audience));
        let (token, _) = key.issue_bound(&request(1000, 3600, &["vault", ISSUER]));
        assert!(key.verify(&token, 1000).is_ok());
    }

    #[test]
    fn bound_objects_are_carried() {
        let key = SigningKey::generate();
        let mut req = request(0, 3600, &[ISSUER]);
        req.bound = Some(BoundObject {
            kind: "Pod".into(),
            name: "web-1".into(),
            uid: "pod-uid".into(),
        });
        let (token, _) = key.issue_bound(&req);
        match key.verify(&token, 10).unwrap().credential {
            Credential::Bound { bound, .. } => assert_eq!(bound, req.bound),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn legacy_tokens_never_expire() {
        let key = SigningKey::generate();
        let token = key.issue_legacy(&account(), "bot-token");
        let claims = key.verify(&token, i64::MAX / 2).unwrap();
        assert_eq!(
            claims.credential,
            Credential::Legacy {
                secret: "bot-token".into()
            }
        );
        assert_eq!(claims.account.uid, "uid-1");
        assert_eq!(claims.expires, None);
    }

    #[test]
    fn forged_and_foreign_tokens_are_refused() {
        let key = SigningKey::generate();
        let other = SigningKey::generate();
        let (token, _) = other.issue_bound(&request(0, 3600, &[ISSUER]));
        assert_eq!(key.verify(&token, 10), Err(TokenError::Signature));
        // A payload swapped under a valid signature.
        let (mine, _) = key.issue_bound(&request(0, 3600, &[ISSUER]));
        let parts: Vec<&str> = mine.split('.').collect();
        let forged_payload = URL_SAFE_NO_PAD.encode(r#"{"iss":"kubernetes/serviceaccount"}"#);
        let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
        assert_eq!(key.verify(&forged, 10), Err(TokenError::Signature));
        for junk in ["", "a", "a.b", "a.b.c", "a.b.c.d", "...."] {
            assert!(key.verify(junk, 10).is_err(), "{junk:?}");
        }
    }

    #[test]
    fn the_key_survives_in_its_file() {
        let dir = std::env::temp_dir().join(format!("rollouts-sa-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("service-account.key");
        let first = SigningKey::load_or_create(&path).unwrap();
        let token = first.issue_legacy(&account(), "s");
        let again = SigningKey::load_or_create(&path).unwrap();
        assert!(again.verify(&token, 0).is_ok());
        assert_eq!(first.key_id, again.key_id);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
