//! TLS for every request: rustls with ring (no aws-lc-rs, no OpenSSL), the bundled Mozilla
//! roots, and optional SPKI pinning.
//!
//! Trust store: `webpki-roots` is compiled in, so the same code verifies on Android, iOS and the
//! desktop with no JNI set-up (rustls-platform-verifier would need it on Android). The cost is
//! that roots update with app releases; pinning by SPKI hash is available for the portal.
//! `Config::extra_roots_der` adds roots (a tester's sandbox, a private deployment's CA) to the
//! bundled ones; nothing removes a check.

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::error::{Error, Result};

pub(super) fn tls_config(pins: &[[u8; 32]], extra_roots_der: &[Vec<u8>]) -> Result<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = roots(extra_roots_der)?;
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::TlsSetup(e.into()))?;
    let config = if pins.is_empty() {
        builder.with_root_certificates(roots).with_no_client_auth()
    } else {
        builder
            .dangerous() // adds a check on top of full web PKI verification; removes none
            .with_custom_certificate_verifier(Arc::new(PinnedVerifier::new(roots, provider, pins)?))
            .with_no_client_auth()
    };
    Ok(config)
}

/// The bundled Mozilla roots and `extra_roots_der`.
fn roots(extra_roots_der: &[Vec<u8>]) -> Result<Arc<rustls::RootCertStore>> {
    let mut roots = rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for der in extra_roots_der {
        roots.add(CertificateDer::from(der.as_slice())).map_err(|e| Error::TlsSetup(e.into()))?;
    }
    Ok(Arc::new(roots))
}

/// Web PKI verification, then: some certificate of a verified path (the server's certificate,
/// an intermediate it was signed through, the root) has a pinned SPKI. Only a verified path
/// counts: a certificate the server merely sends along proves nothing (anyone can send the
/// portal's public certificate beside their own).
#[derive(Debug)]
struct PinnedVerifier {
    webpki: Arc<WebPkiServerVerifier>,
    roots: Arc<rustls::RootCertStore>,
    algorithms: rustls::crypto::WebPkiSupportedAlgorithms,
    pins: Vec<[u8; 32]>,
}

impl PinnedVerifier {
    fn new(
        roots: Arc<rustls::RootCertStore>,
        provider: Arc<rustls::crypto::CryptoProvider>,
        pins: &[[u8; 32]],
    ) -> Result<PinnedVerifier> {
        let webpki = WebPkiServerVerifier::builder_with_provider(roots.clone(), provider.clone())
            .build()
            .map_err(|e| Error::TlsSetup(e.into()))?;
        Ok(PinnedVerifier {
            webpki,
            roots,
            algorithms: provider.signature_verification_algorithms,
            pins: pins.to_vec(),
        })
    }

    fn pinned(&self, spki_der: &[u8]) -> bool {
        let digest = ring::digest::digest(&ring::digest::SHA256, spki_der);
        self.pins.iter().any(|pin| pin.as_slice() == digest.as_ref())
    }
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verified = self.webpki.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)?;
        // The chain built again, each candidate path accepted only when it holds a pinned key:
        // path building goes on to the next candidate otherwise.
        let leaf = webpki::EndEntityCert::try_from(end_entity)
            .map_err(|_| rustls::Error::InvalidCertificate(rustls::CertificateError::BadEncoding))?;
        let path_is_pinned = |path: &webpki::VerifiedPath<'_>| {
            let pinned = self.pinned(&leaf.subject_public_key_info())
                || path.intermediate_certificates().any(|cert| self.pinned(&cert.subject_public_key_info()))
                || self.pinned(&webpki::spki_for_anchor(path.anchor()));
            if pinned { Ok(()) } else { Err(webpki::Error::UnknownIssuer) }
        };
        leaf.verify_for_usage(
            self.algorithms.all,
            &self.roots.roots,
            intermediates,
            now,
            webpki::KeyUsage::server_auth(),
            None,
            Some(&path_is_pinned),
        )
        .map_err(|_| rustls::Error::General("no certificate in the chain matches a pinned key".into()))?;
        Ok(verified)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// SHA-256 of a certificate's SubjectPublicKeyInfo (the value HPKP-style pins name).
pub fn spki_sha256(cert_der: &[u8]) -> Option<[u8; 32]> {
    let spki = subject_public_key_info(cert_der)?;
    let digest = ring::digest::digest(&ring::digest::SHA256, spki);
    digest.as_ref().try_into().ok()
}

/// Finds the SubjectPublicKeyInfo element (tag and all) in a DER X.509 certificate (RFC 5280):
/// Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber,
/// signature, issuer, validity, subject, subjectPublicKeyInfo, ... }, ... }
fn subject_public_key_info(cert_der: &[u8]) -> Option<&[u8]> {
    let certificate = der_content(cert_der, 0x30)?;
    let mut tbs = der_content(certificate, 0x30)?;
    if tbs.first() == Some(&0xA0) {
        tbs = &tbs[der_element_len(tbs)?..];
    }
    for _ in 0..5 {
        tbs = &tbs[der_element_len(tbs)?..];
    }
    (tbs.first() == Some(&0x30)).then_some(())?;
    Some(&tbs[..der_element_len(tbs)?])
}

/// (header length, content length) of the DER element at the start of `der`.
fn der_header(der: &[u8]) -> Option<(usize, usize)> {
    let first = *der.get(1)?;
    if first < 0x80 {
        return Some((2, first as usize));
    }
    let count = (first & 0x7f) as usize;
    if count == 0 || count > 4 {
        return None;
    }
    let bytes = der.get(2..2 + count)?;
    let len = bytes.iter().fold(0usize, |acc, &b| (acc << 8) | b as usize);
    Some((2 + count, len))
}

fn der_element_len(der: &[u8]) -> Option<usize> {
    let (header, content) = der_header(der)?;
    let total = header.checked_add(content)?;
    (total <= der.len()).then_some(total)
}

fn der_content(der: &[u8], tag: u8) -> Option<&[u8]> {
    if *der.first()? != tag {
        return None;
    }
    let (header, content) = der_header(der)?;
    der.get(header..header.checked_add(content)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spki_is_found_in_a_real_certificate() {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["dichvucong.haiphong.gov.vn".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let expected =
            ring::digest::digest(&ring::digest::SHA256, &rcgen::PublicKeyData::subject_public_key_info(&key));
        assert_eq!(spki_sha256(cert.der()).unwrap().as_slice(), expected.as_ref());
    }

    /// A test CA, the portal's certificate it signed, and a pinned verifier trusting that CA.
    struct Chain {
        ca: rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
        ca_key_spki: Vec<u8>,
        leaf: rcgen::Certificate,
        leaf_key_spki: Vec<u8>,
    }

    fn chain() -> Chain {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let ca_key_spki = rcgen::PublicKeyData::subject_public_key_info(&ca_key);
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
        let leaf_key = rcgen::KeyPair::generate().unwrap();
        let leaf_key_spki = rcgen::PublicKeyData::subject_public_key_info(&leaf_key);
        let leaf =
            rcgen::CertificateParams::new(vec!["portal.test".into()]).unwrap().signed_by(&leaf_key, &ca).unwrap();
        Chain { ca, ca_key_spki, leaf, leaf_key_spki }
    }

    fn verify(chain: &Chain, pinned: &[&[u8]], sent_along: &[CertificateDer<'_>]) -> Result<(), rustls::Error> {
        let pins: Vec<[u8; 32]> = pinned
            .iter()
            .map(|spki| ring::digest::digest(&ring::digest::SHA256, spki).as_ref().try_into().unwrap())
            .collect();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = PinnedVerifier::new(roots(&[chain.ca.der().to_vec()]).unwrap(), provider, &pins).unwrap();
        let name = ServerName::try_from("portal.test").unwrap();
        verifier.verify_server_cert(chain.leaf.der(), sent_along, &name, &[], UnixTime::now()).map(|_| ())
    }

    #[test]
    fn a_pin_holds_only_on_the_verified_chain() {
        let chain = chain();
        verify(&chain, &[&chain.leaf_key_spki], &[]).expect("the server's own key pinned");
        verify(&chain, &[&chain.ca_key_spki], &[]).expect("the root it was verified through pinned");
        // Someone holding a valid certificate for the name sends the pinned (public) certificate
        // along with theirs: it is in no verified path, so it does not satisfy the pin.
        let pinned_elsewhere = rcgen::KeyPair::generate().unwrap();
        let decoy = rcgen::CertificateParams::new(vec!["dichvucong.haiphong.gov.vn".into()])
            .unwrap()
            .self_signed(&pinned_elsewhere)
            .unwrap();
        let decoy_spki = rcgen::PublicKeyData::subject_public_key_info(&pinned_elsewhere);
        let refused = verify(&chain, &[&decoy_spki], &[decoy.der().clone()]).unwrap_err();
        assert!(refused.to_string().contains("pinned"), "{refused}");
        verify(&chain, &[&decoy_spki], &[]).unwrap_err();
    }

    #[test]
    fn truncated_or_garbage_der_gives_none_not_a_panic() {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["a.vn".into()]).unwrap().self_signed(&key).unwrap();
        let der = cert.der().to_vec();
        for cut in [0, 1, 2, 10, der.len() / 2] {
            assert_eq!(spki_sha256(&der[..cut]), None);
        }
        assert_eq!(spki_sha256(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), None);
    }
}
