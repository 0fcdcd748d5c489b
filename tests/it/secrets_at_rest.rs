//! Store secrets are encrypted in the database file and decrypt back with the right key only.

use woosync::secrets::{Secret, SecretKey};
use woosync::stores::{self, AuthMode, NewStore, StoreError};
use woosync::woo::auth::oauth1::SignatureMethod;

use crate::support::database::{Backend, TestDatabase};

const PLAINTEXT: &str = "cs_4f9c2b7e1d0a8f6e5c3b2a1908d7e6f5";

fn new_store(secret: &str) -> NewStore {
    NewStore {
        name: "Shop".into(),
        url: "https://shop.example".into(),
        auth_mode: AuthMode::Basic,
        signature_method: SignatureMethod::HmacSha256,
        consumer_key: "ck_visible_key".into(),
        consumer_secret: Secret::new(secret),
        rate_limit_per_s: stores::DEFAULT_RATE_LIMIT_PER_S,
    }
}

fn files_contain(dir: &std::path::Path, needle: &str) -> bool {
    std::fs::read_dir(dir).unwrap().flatten().any(|entry| {
        let bytes = std::fs::read(entry.path()).unwrap_or_default();
        bytes
            .windows(needle.len())
            .any(|window| window == needle.as_bytes())
    })
}

#[tokio::test]
async fn secrets_are_encrypted_at_rest_and_decrypt_with_the_right_key() {
    let test = TestDatabase::migrated(Backend::Sqlite).await;
    let key = SecretKey::generate();

    let id = stores::save_store(&test.db, &key, new_store(PLAINTEXT))
        .await
        .unwrap();
    assert!(
        files_contain(test.dir.path(), "ck_visible_key"),
        "the probe finds what is stored"
    );
    assert!(
        !files_contain(test.dir.path(), PLAINTEXT),
        "the secret is stored in plain text"
    );

    let connection = stores::connection(&test.db, &key, id).await.unwrap();
    assert_eq!(connection.consumer_secret.expose(), PLAINTEXT);
    assert!(!format!("{connection:?}").contains(PLAINTEXT));

    let error = stores::connection(&test.db, &SecretKey::generate(), id)
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Secret(_)), "{error:?}");
    assert!(error.to_string().contains("WOOSYNC_SECRET_KEY"), "{error}");

    let again = stores::save_store(&test.db, &key, new_store("cs_rotated"))
        .await
        .unwrap();
    assert_eq!(again, id, "connecting the same store again updates it");
    let connection = stores::connection(&test.db, &key, id).await.unwrap();
    assert_eq!(connection.consumer_secret.expose(), "cs_rotated");
}
