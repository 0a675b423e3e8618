//! TLS for the API server. kubectl (client-go) sends credentials only over TLS, so the dev cluster
//! serves HTTPS with its own CA, kept in the data directory so kubeconfigs stay valid across restarts.

use std::path::Path;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose, SanType};
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Generating keys or certificates failed.
    #[error("generating certificates: {0}")]
    Generate(#[from] rcgen::Error),
    /// Reading or writing the certificate files failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A stored certificate or key could not be parsed.
    #[error("{path}: not a valid PEM certificate or key")]
    Pem {
        /// The file.
        path: String,
    },
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The CA (for clients to trust) and the server's certificate and key, as PEM.
#[derive(Clone)]
pub struct TlsMaterial {
    /// The CA certificate clients trust.
    pub ca_pem: String,
    /// The server certificate (for 127.0.0.1 and localhost), signed by the CA.
    pub cert_pem: String,
    /// The server's private key.
    pub key_pem: String,
}

impl TlsMaterial {
    /// A fresh CA and server certificate.
    pub fn generate() -> Result<Self, TlsError> {
        let ca_key = KeyPair::generate()?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "rollouts dev cluster CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        ca_params.not_after = rcgen::date_time_ymd(2099, 1, 1);
        let ca = ca_params.self_signed(&ca_key)?;
        let issuer = rcgen::Issuer::new(ca_params, ca_key);

        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(vec!["localhost".to_string()])?;
        params
            .subject_alt_names
            .push(SanType::IpAddress(std::net::IpAddr::from([127, 0, 0, 1])));
        params
            .distinguished_name
            .push(DnType::CommonName, "rollouts-dev-apiserver");
        params.not_after = rcgen::date_time_ymd(2099, 1, 1);
        let cert = params.signed_by(&key, &issuer)?;
        Ok(TlsMaterial {
            ca_pem: ca.pem(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }

    /// The material stored in `dir`, or new material written there (readable by its owner only).
    pub fn load_or_create(dir: &Path) -> Result<Self, TlsError> {
        let (ca, cert, key) = (dir.join("ca.crt"), dir.join("apiserver.crt"), dir.join("apiserver.key"));
        let read = |p: &Path| std::fs::read_to_string(p);
        if let (Ok(ca_pem), Ok(cert_pem), Ok(key_pem)) = (read(&ca), read(&cert), read(&key)) {
            return Ok(TlsMaterial {
                ca_pem,
                cert_pem,
                key_pem,
            });
        }
        let material = Self::generate()?;
        let io = |p: &Path| {
            let path = p.display().to_string();
            move |source| TlsError::Io { path, source }
        };
        // Private like everything in the data directory (the certificates too: nobody else needs them).
        let write = crate::datadir::write_private;
        write(&ca, material.ca_pem.as_bytes()).map_err(io(&ca))?;
        write(&cert, material.cert_pem.as_bytes()).map_err(io(&cert))?;
        write(&key, material.key_pem.as_bytes()).map_err(io(&key))?;
        Ok(material)
    }

    /// A rustls server configuration speaking HTTP/1.1.
    pub fn server_config(&self) -> Result<Arc<ServerConfig>, TlsError> {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(self.cert_pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|_| TlsError::Pem {
                path: "apiserver.crt".into(),
            })?;
        let key = PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes()).map_err(|_| TlsError::Pem {
            path: "apiserver.key".into(),
        })?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(certs, key)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn material_is_stored_and_reused() {
        let dir = std::env::temp_dir().join(format!("rollouts-tls-{}", std::process::id()));
        let first = TlsMaterial::load_or_create(&dir).unwrap();
        let again = TlsMaterial::load_or_create(&dir).unwrap();
        assert_eq!(first.ca_pem, again.ca_pem);
        assert!(first.server_config().is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
