//! How a client proves it holds a store's REST API key.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How the consumer key and secret reach the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum),
    sea_orm(rs_type = "String", db_type = "Text")
)]
pub enum AuthMode {
    /// HTTP Basic over HTTPS.
    #[serde(rename = "basic")]
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "basic"))]
    Basic,
    /// `consumer_key` and `consumer_secret` as query parameters over HTTPS, for hosts that
    /// drop the Authorization header.
    #[serde(rename = "query_string")]
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "query_string"))]
    QueryString,
    /// One-legged OAuth 1.0a over plain HTTP.
    #[serde(rename = "oauth1")]
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "oauth1"))]
    OAuth1,
}

impl AuthMode {
    pub const ALL: [AuthMode; 3] = [AuthMode::Basic, AuthMode::QueryString, AuthMode::OAuth1];

    pub fn as_str(self) -> &'static str {
        match self {
            AuthMode::Basic => "basic",
            AuthMode::QueryString => "query_string",
            AuthMode::OAuth1 => "oauth1",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        AuthMode::ALL.into_iter().find(|mode| mode.as_str() == name)
    }
}

impl fmt::Display for AuthMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The OAuth 1.0a signature: WooCommerce accepts HMAC-SHA1 and HMAC-SHA256.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum),
    sea_orm(rs_type = "String", db_type = "Text")
)]
pub enum SignatureMethod {
    #[serde(rename = "HMAC-SHA256")]
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "HMAC-SHA256"))]
    HmacSha256,
    #[serde(rename = "HMAC-SHA1")]
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "HMAC-SHA1"))]
    HmacSha1,
}

impl SignatureMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureMethod::HmacSha256 => "HMAC-SHA256",
            SignatureMethod::HmacSha1 => "HMAC-SHA1",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [SignatureMethod::HmacSha256, SignatureMethod::HmacSha1]
            .into_iter()
            .find(|method| method.as_str() == name)
    }
}

impl fmt::Display for SignatureMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
