use serde::Deserialize;

use super::Record;
use crate::woo::{Resource, lenient};

/// A payment gateway; its id is a string such as bacs.
#[derive(Debug, Deserialize)]
pub struct PaymentGateway {
    #[serde(deserialize_with = "lenient::text")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub title: String,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub enabled: bool,
    #[serde(default, deserialize_with = "lenient::text")]
    pub method_title: String,
    #[serde(default, deserialize_with = "lenient::i64_or_zero")]
    pub order: i64,
}

impl Record for PaymentGateway {
    const RESOURCE: Resource = Resource::PaymentGateways;
}
