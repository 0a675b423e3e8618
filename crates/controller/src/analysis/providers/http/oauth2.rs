//! OAuth2 client-credentials tokens, fetched the way `golang.org/x/oauth2/clientcredentials` does,
//! and the metrics' OAuth2 settings.

use std::time::Duration;

use bytes::Bytes;
use hyper::Method;
use hyper::header::CONTENT_TYPE;
use rollouts_api::gofmt::go_quote;

use super::error::status_text;
use super::form::{FORM_CONTENT_TYPE, encode_form, form_escape, parse_form};
use super::{HttpClient, HttpRequest, basic_authorization};

impl HttpClient {
    /// Fetches an OAuth2 token with the client-credentials grant and returns the `Authorization`
    /// header value (`Bearer <token>`). Like `clientcredentials` with automatic auth-style detection,
    /// it sends the client's credentials as basic authentication first and, if that fails, in the
    /// form; the last failure is reported (`oauth2: cannot fetch token: 401 Unauthorized ...`).
    pub async fn oauth2_token(&self, config: &OAuth2Request<'_>) -> Result<String, String> {
        let mut form = vec![("grant_type", "client_credentials".to_string())];
        if !config.scopes.is_empty() {
            form.push(("scope", config.scopes.join(" ")));
        }
        let in_header = HttpRequest {
            method: Method::POST,
            url: config.token_url.to_string(),
            headers: vec![
                ("Content-Type".to_string(), FORM_CONTENT_TYPE.to_string()),
                (
                    "Authorization".to_string(),
                    basic_authorization(&form_escape(config.client_id), &form_escape(config.client_secret)),
                ),
            ],
            transport_headers: Vec::new(),
            body: Some(Bytes::from(encode_form(&form))),
            timeout: config.timeout,
            insecure: config.insecure,
        };
        match self.token_round_trip(&in_header).await {
            Ok(token) => Ok(token),
            Err(_) => {
                form.push(("client_id", config.client_id.to_string()));
                form.push(("client_secret", config.client_secret.to_string()));
                let in_form = HttpRequest {
                    headers: vec![("Content-Type".to_string(), FORM_CONTENT_TYPE.to_string())],
                    body: Some(Bytes::from(encode_form(&form))),
                    ..in_header
                };
                self.token_round_trip(&in_form).await
            }
        }
    }

    async fn token_round_trip(&self, request: &HttpRequest) -> Result<String, String> {
        let response = self.send(request).await.map_err(|e| e.to_string())?;
        let failed = !response.status.is_success();
        let retrieve_error = || {
            format!(
                "oauth2: cannot fetch token: {}\nResponse: {}",
                status_text(response.status),
                String::from_utf8_lossy(&response.body)
            )
        };
        let content_type = response
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
            .unwrap_or_default();
        let fields: std::collections::BTreeMap<String, String> =
            if content_type == FORM_CONTENT_TYPE || content_type == "text/plain" {
                parse_form(&String::from_utf8_lossy(&response.body))
            } else {
                match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&response.body) {
                    Ok(map) => map
                        .into_iter()
                        .filter_map(|(k, v)| match v {
                            serde_json::Value::String(s) => Some((k, s)),
                            serde_json::Value::Null => None,
                            other => Some((k, other.to_string())),
                        })
                        .collect(),
                    Err(e) if failed => {
                        let _ = e;
                        return Err(retrieve_error());
                    }
                    Err(e) => return Err(format!("oauth2: cannot parse json: {e}")),
                }
            };
        let field = |k: &str| fields.get(k).map(String::as_str).unwrap_or_default();
        if !field("error").is_empty() {
            let mut message = format!("oauth2: {}", go_quote(field("error")));
            for extra in ["error_description", "error_uri"] {
                if !field(extra).is_empty() {
                    message.push(' ');
                    message.push_str(&go_quote(field(extra)));
                }
            }
            return Err(message);
        }
        if failed {
            return Err(retrieve_error());
        }
        let token = field("access_token");
        if token.is_empty() {
            return Err("oauth2: server response missing access_token".to_string());
        }
        let kind = match field("token_type") {
            t if t.is_empty() || t.eq_ignore_ascii_case("bearer") => "Bearer",
            t if t.eq_ignore_ascii_case("mac") => "MAC",
            t if t.eq_ignore_ascii_case("basic") => "Basic",
            t => t,
        };
        Ok(format!("{kind} {token}"))
    }
}

/// What an OAuth2 client-credentials token request needs.
#[derive(Clone, Debug)]
pub struct OAuth2Request<'a> {
    /// The token endpoint.
    pub token_url: &'a str,
    /// Client ID.
    pub client_id: &'a str,
    /// Client secret.
    pub client_secret: &'a str,
    /// Scopes to ask for.
    pub scopes: &'a [String],
    /// Time allowed for the token exchange.
    pub timeout: Duration,
    /// Skip TLS certificate verification.
    pub insecure: bool,
}

/// A metric's OAuth2 client-credentials settings, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuth2Settings {
    token_url: String,
    client_id: String,
    client_secret: String,
    scopes: Vec<String>,
}

impl OAuth2Settings {
    /// The token request for these settings.
    pub fn request(&self, timeout: Duration, insecure: bool) -> OAuth2Request<'_> {
        OAuth2Request {
            token_url: &self.token_url,
            client_id: &self.client_id,
            client_secret: &self.client_secret,
            scopes: &self.scopes,
            timeout,
            insecure,
        }
    }
}

/// The OAuth2 settings of `authentication.oauth2`: `None` without a token URL, an error when the
/// client ID or secret is missing (upstream's wording).
pub fn oauth2_settings(
    config: Option<&rollouts_api::providers::OAuth2Config>,
) -> Result<Option<OAuth2Settings>, String> {
    let Some(config) = config else { return Ok(None) };
    let token_url = config.token_url.clone().unwrap_or_default();
    if token_url.is_empty() {
        return Ok(None);
    }
    let client_id = config.client_id.clone().unwrap_or_default();
    let client_secret = config.client_secret.clone().unwrap_or_default();
    if client_id.is_empty() || client_secret.is_empty() {
        return Err("missing mandatory parameter in metric for OAuth2 setup".to_string());
    }
    Ok(Some(OAuth2Settings {
        token_url,
        client_id,
        client_secret,
        scopes: config.scopes.clone().unwrap_or_default(),
    }))
}
