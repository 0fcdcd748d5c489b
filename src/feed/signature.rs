//! Signing per the Standard Webhooks specification: a secret `whsec_` + base64 of its
//! bytes; each delivery carries `webhook-id`, `webhook-timestamp` (Unix seconds) and
//! `webhook-signature: v1,<base64 of HMAC-SHA256 over "{id}.{timestamp}.{body}">`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const PREFIX: &str = "whsec_";
/// 24 bytes, as the specification's reference libraries make them.
const SECRET_BYTES: usize = 24;

/// An endpoint's signing secret.
#[derive(Clone)]
pub struct SigningSecret(Vec<u8>);

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("SigningSecret(..)")
    }
}

impl SigningSecret {
    pub fn generate() -> SigningSecret {
        let mut bytes = vec![0; SECRET_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        SigningSecret(bytes)
    }

    /// From its text form, `whsec_` + base64.
    pub fn parse(text: &str) -> Option<SigningSecret> {
        let encoded = text.strip_prefix(PREFIX)?;
        STANDARD
            .decode(encoded)
            .ok()
            .filter(|bytes| !bytes.is_empty())
            .map(SigningSecret)
    }

    pub fn text(&self) -> String {
        format!("{PREFIX}{}", STANDARD.encode(&self.0))
    }

    /// The `webhook-signature` header of a message.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        // HMAC takes a key of any length.
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification.
    #[test]
    fn signs_the_specifications_example() {
        let secret = SigningSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            secret.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        let made = SigningSecret::generate();
        assert_eq!(SigningSecret::parse(&made.text()).unwrap().0, made.0);
    }
}
