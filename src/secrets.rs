//! Secrets at rest: store credentials are sealed with AES-256-GCM under `WOOSYNC_SECRET_KEY`,
//! and a secret in memory never prints itself.

use std::fmt;
use std::path::Path;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

/// A secret value (a consumer secret, a webhook secret, a token). `Debug` and `Display`
/// show `[redacted]`, so it cannot leak through a log line or a debug print.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The 256-bit key that seals secrets in the database.
#[derive(Clone)]
pub struct SecretKey(Key<Aes256Gcm>);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

/// Sealed text starts with the format version, so the format can change without guessing.
const SEALED_PREFIX: &str = "v1:";
const NONCE_LEN: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "cannot decrypt the stored {purpose}: WOOSYNC_SECRET_KEY is not the key it was encrypted with"
    )]
    WrongKey { purpose: &'static str },
    #[error("the stored {purpose} is not sealed text woosync wrote")]
    Malformed { purpose: &'static str },
    #[error("cannot use the key file {path}: {problem}")]
    KeyFile { path: String, problem: String },
}

impl SecretKey {
    /// Parses a key given as base64 (standard alphabet) or hex, 32 bytes either way.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(text).map_err(|e| e.to_string())?
        } else {
            BASE64
                .decode(text)
                .map_err(|_| "expected 32 bytes as base64 or as 64 hex digits".to_string())?
        };
        if bytes.len() != 32 {
            return Err(format!(
                "expected 32 bytes as base64 or as 64 hex digits, got {} bytes",
                bytes.len()
            ));
        }
        Ok(SecretKey(*Key::<Aes256Gcm>::from_slice(&bytes)))
    }

    pub fn generate() -> Self {
        SecretKey(Aes256Gcm::generate_key(OsRng))
    }

    pub fn to_base64(&self) -> String {
        BASE64.encode(self.0.as_slice())
    }

    /// The key for a laptop without `WOOSYNC_SECRET_KEY`: read from `secret.key` in the data
    /// directory, or generated there once (readable by the owner only). The boolean says
    /// whether it was generated now.
    pub fn load_or_generate(data_dir: &Path) -> Result<(Self, bool), SecretError> {
        let path = data_dir.join("secret.key");
        let key_file_error = |problem: String| SecretError::KeyFile {
            path: path.display().to_string(),
            problem,
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok((SecretKey::parse(&text).map_err(key_file_error)?, false)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let key = SecretKey::generate();
                std::fs::create_dir_all(data_dir).map_err(|e| key_file_error(e.to_string()))?;
                write_owner_only(&path, &key.to_base64())
                    .map_err(|e| key_file_error(e.to_string()))?;
                Ok((key, true))
            }
            Err(error) => Err(key_file_error(error.to_string())),
        }
    }

    /// The key in effect: `WOOSYNC_SECRET_KEY`, or on a laptop the key file in the data
    /// directory, generated on first use with a warning (production sets the variable).
    pub fn in_effect(given: Option<&SecretKey>, data_dir: &Path) -> Result<Self, SecretError> {
        if let Some(key) = given {
            return Ok(key.clone());
        }
        let (key, generated) = SecretKey::load_or_generate(data_dir)?;
        if generated {
            tracing::warn!(
                path = %data_dir.join("secret.key").display(),
                "WOOSYNC_SECRET_KEY is not set: generated a key into the data directory. \
                 Set WOOSYNC_SECRET_KEY in production; without this key stored store secrets cannot be read"
            );
        }
        Ok(key)
    }

    /// Seals `secret` for storage. `purpose` (such as "consumer secret") is bound into the
    /// ciphertext, so a value copied into another column does not decrypt there.
    pub fn seal(&self, purpose: &'static str, secret: &Secret) -> String {
        let cipher = Aes256Gcm::new(&self.0);
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let payload = Payload {
            msg: secret.expose().as_bytes(),
            aad: purpose.as_bytes(),
        };
        let ciphertext = cipher
            .encrypt(&nonce, payload)
            .expect("AES-GCM encryption fails only for messages over 64 GiB");
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&ciphertext);
        format!("{SEALED_PREFIX}{}", BASE64.encode(sealed))
    }

    pub fn open(&self, purpose: &'static str, sealed: &str) -> Result<Secret, SecretError> {
        let bytes = sealed
            .strip_prefix(SEALED_PREFIX)
            .and_then(|body| BASE64.decode(body).ok())
            .filter(|bytes| bytes.len() > NONCE_LEN)
            .ok_or(SecretError::Malformed { purpose })?;
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let plaintext = Aes256Gcm::new(&self.0)
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: purpose.as_bytes(),
                },
            )
            .map_err(|_| SecretError::WrongKey { purpose })?;
        String::from_utf8(plaintext)
            .map(Secret)
            .map_err(|_| SecretError::Malformed { purpose })
    }
}

fn write_owner_only(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())?;
    file.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_with_the_same_key_only() {
        let key = SecretKey::generate();
        let secret = Secret::new("cs_0123456789abcdef");
        let sealed = key.seal("consumer secret", &secret);
        assert!(!sealed.contains("cs_0123456789abcdef"));
        assert_eq!(key.open("consumer secret", &sealed).unwrap(), secret);

        let other = SecretKey::generate();
        let error = other.open("consumer secret", &sealed).unwrap_err();
        assert!(error.to_string().contains("WOOSYNC_SECRET_KEY"), "{error}");
        assert!(matches!(
            key.open("webhook secret", &sealed),
            Err(SecretError::WrongKey { .. })
        ));
        assert!(matches!(
            key.open("consumer secret", "plain"),
            Err(SecretError::Malformed { .. })
        ));
    }

    #[test]
    fn secrets_do_not_print() {
        let secret = Secret::new("cs_visible");
        assert_eq!(format!("{secret:?} {secret}"), "[redacted] [redacted]");
        assert!(!format!("{:?}", SecretKey::generate()).contains('='));
    }

    #[test]
    fn keys_parse_from_base64_or_hex() {
        let key = SecretKey::generate();
        let again = SecretKey::parse(&key.to_base64()).unwrap();
        assert_eq!(again.to_base64(), key.to_base64());
        assert!(SecretKey::parse(&"ab".repeat(32)).is_ok());
        assert!(
            SecretKey::parse("c2hvcnQ=")
                .unwrap_err()
                .contains("got 5 bytes")
        );
    }

    #[test]
    fn a_generated_key_file_is_reused() {
        let dir = tempfile::tempdir().unwrap();
        let (first, generated) = SecretKey::load_or_generate(dir.path()).unwrap();
        assert!(generated);
        let (second, generated) = SecretKey::load_or_generate(dir.path()).unwrap();
        assert!(!generated);
        assert_eq!(first.to_base64(), second.to_base64());
    }
}
