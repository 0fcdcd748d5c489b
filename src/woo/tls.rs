//! TLS to stores: the platform's verification of certificate chains (as reqwest does by
//! default), and a certificate given explicitly as trusted (`WOOSYNC_EXTRA_CA_CERT`)
//! trusted as it is. A self-signed certificate made by `openssl req -x509` with its
//! defaults is marked as a CA, which a chain verifier refuses as a server's own
//! (`CaUsedAsEndEntity`); curl and Python accept it when it is the one given, and so does
//! this. A server presenting the given certificate must still be one of the names in it.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// A client configuration that trusts the platform's roots, and `trusted` (PEM) both as
/// a root and as a server's own certificate.
pub fn client_config(trusted_pem: Option<&[u8]>) -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let trusted: Vec<CertificateDer<'static>> = match trusted_pem {
        Some(pem) => CertificateDer::pem_slice_iter(pem)
            .collect::<Result<_, _>>()
            .map_err(|error| format!("not a PEM certificate: {error}"))?,
        None => Vec::new(),
    };
    if trusted_pem.is_some() && trusted.is_empty() {
        return Err("no certificate in the PEM file".into());
    }
    let platform = rustls_platform_verifier::Verifier::new_with_extra_roots(
        trusted.iter().cloned(),
        Arc::clone(&provider),
    )
    .map_err(|error| format!("the platform's certificates cannot be read: {error}"))?;
    let verifier = TrustedOrVerified {
        trusted,
        platform,
        algorithms: provider.signature_verification_algorithms,
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| error.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

#[derive(Debug)]
struct TrustedOrVerified {
    /// Certificates given explicitly: a server presenting one of them is trusted.
    trusted: Vec<CertificateDer<'static>>,
    platform: rustls_platform_verifier::Verifier,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for TrustedOrVerified {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self
            .trusted
            .iter()
            .any(|cert| cert.as_ref() == end_entity.as_ref())
        {
            let cert = webpki::EndEntityCert::try_from(end_entity).map_err(pki_error)?;
            cert.verify_is_valid_for_subject_name(server_name)
                .map_err(pki_error)?;
            return Ok(ServerCertVerified::assertion());
        }
        self.platform
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, signature, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, signature, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

fn pki_error(error: webpki::Error) -> rustls::Error {
    rustls::Error::InvalidCertificate(match error {
        webpki::Error::CertNotValidForName(_) => rustls::CertificateError::NotValidForName,
        other => rustls::CertificateError::Other(rustls::OtherError(Arc::new(other))),
    })
}

/// The TLS failure in an error's chain of causes, if there is one, said plainly.
pub fn tls_failure(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cause = Some(error);
    while let Some(current) = cause {
        if let Some(tls) = current.downcast_ref::<rustls::Error>() {
            return Some(explain(tls));
        }
        // An I/O error's own `source` skips the error it wraps: look inside.
        cause = match current
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => current.source(),
        };
    }
    None
}

fn explain(error: &rustls::Error) -> String {
    use rustls::CertificateError::*;
    let hint = match error {
        rustls::Error::InvalidCertificate(UnknownIssuer) => {
            "the store's certificate is signed by an authority this machine does not trust \
             (give the certificate or its authority in WOOSYNC_EXTRA_CA_CERT)"
        }
        rustls::Error::InvalidCertificate(NotValidForName | NotValidForNameContext { .. }) => {
            "the store's certificate is not for this host name"
        }
        rustls::Error::InvalidCertificate(Expired | ExpiredContext { .. }) => {
            "the store's certificate has expired"
        }
        rustls::Error::InvalidCertificate(_) => "the store's certificate is refused",
        _ => "the TLS handshake failed",
    };
    format!("{hint}: {error}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A certificate as `openssl req -x509` makes one by default: self-signed, a CA.
    fn self_signed_ca(names: &[&str]) -> CertificateDer<'static> {
        let names: Vec<String> = names.iter().map(|name| name.to_string()).collect();
        let mut params = rcgen::CertificateParams::new(names).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let key = rcgen::KeyPair::generate().unwrap();
        params.self_signed(&key).unwrap().der().clone()
    }

    fn verifier(trusted: &CertificateDer<'static>) -> TrustedOrVerified {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        TrustedOrVerified {
            trusted: vec![trusted.clone()],
            platform: rustls_platform_verifier::Verifier::new_with_extra_roots(
                [trusted.clone()],
                Arc::clone(&provider),
            )
            .unwrap(),
            algorithms: provider.signature_verification_algorithms,
        }
    }

    #[test]
    fn a_given_certificate_is_trusted_for_its_own_names_only() {
        let cert = self_signed_ca(&["shop.staging.example"]);
        let verifier = verifier(&cert);
        let check = |name: &'static str| {
            verifier.verify_server_cert(
                &cert,
                &[],
                &ServerName::try_from(name).unwrap(),
                &[],
                UnixTime::now(),
            )
        };
        assert!(check("shop.staging.example").is_ok());
        assert!(matches!(
            check("elsewhere.example"),
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForName
            ))
        ));
        // Another certificate for the same name is not the one given.
        let other = self_signed_ca(&["shop.staging.example"]);
        assert!(
            verifier
                .verify_server_cert(
                    &other,
                    &[],
                    &ServerName::try_from("shop.staging.example").unwrap(),
                    &[],
                    UnixTime::now(),
                )
                .is_err()
        );
    }
}
